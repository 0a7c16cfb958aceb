/* The legacy devices' load ops (device_ops.load), the sound devices,
 * the VGA, IDE and floppy controllers included: the first byte picks a
 * device, the rest is its saved state. A load that takes the bytes must
 * leave a device whose own save loads again into a reset device and saves
 * the same bytes (nothing out of range got in), and whose registers read
 * without leaving its arrays; a load that refuses them must not crash.
 * The PIT, RTC, PM and HPET (and the sound devices) run on a stopped clock:
 * their timers are armed by the load and must not fire into garbage. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "hv/block/disk.h"
#include "hv/core/memory.h"
#include "hv/core/pci.h"
#include "hv/core/state.h"
#include "legacy/dma8237.h"
#include "legacy/fdc.h"
#include "legacy/hpet.h"
#include "legacy/fw_cfg.h"
#include "legacy/i440fx.h"
#include "legacy/i8042.h"
#include "legacy/ide.h"
#include "legacy/pic8259.h"
#include "legacy/piix3.h"
#include "legacy/piix4_pm.h"
#include "legacy/port92.h"
#include "legacy/opl3.h"
#include "legacy/pcspk.h"
#include "legacy/pit8254.h"
#include "legacy/rcr.h"
#include "legacy/rtc146818.h"
#include "legacy/sb16.h"
#include "legacy/uart16550.h"
#include "legacy/vga.h"

struct target {
	const struct device_ops *ops;
	void *dev;
	const struct io_ops *io; /* read after a load, offsets 0..len-1 */
	unsigned len;
};

static struct guest_mem mem;
static struct pci_bus pci;
static struct port92 p92;
static struct rcr cf9;
static struct vclock clk;
static struct bus pio;
static struct target targets[20];
static struct hpet hpet;
static size_t n_targets;

static void add(const struct device_ops *ops, void *dev, const struct io_ops *io, unsigned len)
{
	if (!dev)
		abort();
	targets[n_targets++] = (struct target){ops, dev, io, len};
}

/* The sound devices on a clock of their own, the SB16 on an 8237 of its
 * own and listening (so a load rebuilds its resampler too). */
static void add_sound(void)
{
	const struct irq_line none[SB16_IRQ_CHOICES] = {{0}};
	struct dma8237 *dma = dma8237_create(&mem);
	struct sb16 *sb;
	struct pcspk *spk;

	sb = dma ? sb16_create(&clk, dma, none, 5, 1, 5) : NULL;
	if (sb) {
		sb->opl = opl3_create(&clk);
		sb16_audio_source(sb);
	}
	add(&sb16_device_ops, sb, &sb16_io_ops, SB16_PORTS);
	add(&opl3_device_ops, sb ? sb->opl : NULL, &opl3_io_ops, OPL3_PORTS);
	spk = pcspk_create(pit8254_create(&clk, (struct irq_line){0}), &clk);
	if (spk)
		pcspk_audio_source(spk);
	add(&pcspk_device_ops, spk, &pcspk_io_ops, 1);
}

/* An image file of size bytes, unlinked at once (the descriptor keeps
 * it). */
static struct disk *image(uint64_t size, bool readonly)
{
	char path[] = "/tmp/hv-fuzz-devload-XXXXXX", err[256];
	int fd = mkstemp(path);
	struct disk *d;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		abort();
	close(fd);
	d = disk_open(path, readonly, err, sizeof err);
	unlink(path);
	if (!d) {
		fprintf(stderr, "fuzz_devload: %s\n", err);
		abort();
	}
	return d;
}

/* IDE: a disk on the primary master, a CD-ROM with a medium and an empty
 * one on the secondary; the data port of channel 0 is read afterwards. */
static struct ide *ide_target(void)
{
	const struct irq_line none[2] = {{0}, {0}};
	struct ide *ide = ide_create(none, &mem);

	if (!ide)
		abort();
	ide_attach_ata(ide, 0, 0, image(256 * 1024, false));
	ide_attach_atapi(ide, 1, 0, image(8 * 2048, true));
	ide_attach_atapi(ide, 1, 1, NULL);
	return ide;
}

/* A floppy controller with a 1.44 MB disk in drive 0 on its own 8237. */
static struct fdc *fdc_target(void)
{
	struct fdc *f = fdc_create((struct irq_line){0}, dma8237_create(&mem), 2);
	char err[256];

	if (!f || fdc_attach(f, 0, image(1474560, false), err, sizeof err) < 0)
		abort();
	return f;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct irq_line none[16] = {0};
	char err[128];

	(void)argc;
	(void)argv;
	if (mem_init(&mem, 2u << 20, err, sizeof err) < 0)
		abort();
	pci_bus_init(&pci);
	vclock_init(&clk);
	add(&uart16550_device_ops, uart16550_create((struct irq_line){0}, NULL), &uart16550_io_ops,
	    8);
	add(&i8042_device_ops, i8042_create((struct irq_line){0}, (struct irq_line){0}, NULL),
	    &i8042_data_io_ops, 1);
	add(&dma8237_device_ops, dma8237_create(&mem), &dma8237_dma2_io_ops, 32);
	add(&port92_device_ops, &p92, &port92_io_ops, 1);
	add(&rcr_device_ops, &cf9, &rcr_io_ops, 4);
	add(&i440fx_device_ops, i440fx_create(&mem, 0xE0000, NULL), NULL, 0);
	add(&piix3_device_ops, piix3_create(none), NULL, 0);
	add(&pci_bus_device_ops, &pci, &pci_data_io_ops, 4);
	add(&fw_cfg_device_ops, fw_cfg_create(&mem), &fw_cfg_io_ops, 2);
	add(&pic8259_device_ops, pic8259_create(NULL, NULL), &pic8259_master_io_ops, 2);
	add_sound();
	add(&vga_device_ops, vga_create(NULL, &mem), &vga_io_ops, VGA_PORT_LEN);
	add(&ide_device_ops, ide_target(), &ide_cmd_io_ops, 8); /* dev is ch[0] too */
	add(&fdc_device_ops, fdc_target(), &fdc_io_ops, 6);
	/* The timers, on a stopped clock at 1 s (their loads arm timers). */
	bus_init(&pio, "pio");
	vclock_restore(&clk, 1000000000);
	add(&pit8254_device_ops, pit8254_create(&clk, (struct irq_line){0}), &pit8254_io_ops, 4);
	add(&rtc146818_device_ops, rtc146818_create(&clk, (struct irq_line){0}, 1700000000, 0x32),
	    &rtc146818_io_ops, 2);
	add(&piix4_pm_device_ops, piix4_pm_create(&pio, &clk, 1, (struct irq_line){0}, NULL, NULL),
	    NULL, 0);
	hpet_init(&hpet, &clk);
	add(&hpet_device_ops, &hpet, &hpet_mmio_ops, HPET_MMIO_LEN);
	return 0;
}

static void reset(const struct target *t)
{
	if (t->ops->reset)
		t->ops->reset(t->dev);
	else
		pci.address = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct target *t;
	struct state_out a = {0}, b = {0};
	struct state_in in;

	if (size < 1)
		return 0;
	t = &targets[data[0] % n_targets];
	reset(t);
	in = state_in_make(data + 1, size - 1);
	if (t->ops->load(t->dev, &in, 1) == 0) {
		t->ops->save(t->dev, &a);
		reset(t);
		in = state_in_make(a.p, a.len);
		if (a.failed || t->ops->load(t->dev, &in, 1) != 0)
			abort(); /* a state it took but cannot give back */
		t->ops->save(t->dev, &b);
		if (b.len != a.len || memcmp(a.p, b.p, a.len) != 0)
			abort();
		for (unsigned r = 0; r < 40 && t->io; r++)
			t->io->read(t->dev, r % t->len, 1);
	}
	state_out_free(&a);
	state_out_free(&b);
	return 0;
}
