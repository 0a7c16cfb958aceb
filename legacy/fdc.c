/* The 82077AA's registers, its command/execution/result phases, reset and
 * the drives; the commands are in fdc_cmd.c and fdc_data.c. */
#include "legacy/fdc.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"

/* Every medium a raw image can be, by size. A 360 KB disk is read at
 * 300 kb/s, as in a 1.2 MB drive: SeaBIOS's table (and QEMU) expect that
 * rate for drive type 1. */
static const struct fdc_geometry geometries[] = {
    {368640, 40, 2, 9, FDC_RATE_300K, 1, "360 KB"},
    {737280, 80, 2, 9, FDC_RATE_250K, 3, "720 KB"},
    {1228800, 80, 2, 15, FDC_RATE_500K, 2, "1.2 MB"},
    {1474560, 80, 2, 18, FDC_RATE_500K, 4, "1.44 MB"},
    {2949120, 80, 2, 36, FDC_RATE_1M, 5, "2.88 MB"},
};

#define GEOMETRIES (sizeof geometries / sizeof geometries[0])

const struct fdc_geometry *fdc_geometry_for_size(uint64_t size)
{
	for (unsigned i = 0; i < GEOMETRIES; i++)
		if (geometries[i].size == size)
			return &geometries[i];
	return NULL;
}

const char *fdc_sizes_accepted(void)
{
	static char text[256];
	size_t n = 0;

	for (unsigned i = 0; i < GEOMETRIES && n < sizeof text; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s%llu (%s)", i ? ", " : "",
				      (unsigned long long)geometries[i].size, geometries[i].name);
	return text;
}

static void dma_service(void *opaque);

struct fdc *fdc_create(struct irq_line irq, struct dma8237 *dma, unsigned dma_ch)
{
	struct fdc *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->irq = irq;
	f->dma = dma;
	f->dma_ch = dma_ch;
	for (unsigned i = 0; i < FDC_DRIVES; i++) {
		f->drive[i].sect = 1;
		f->drive[i].changed = true; /* no step pulse since power-on */
	}
	if (dma)
		dma8237_attach(dma, dma_ch, dma_service, f);
	fdc_reset(f);
	return f;
}

void fdc_destroy(struct fdc *f)
{
	free(f);
}

int fdc_attach(struct fdc *f, unsigned n, struct disk *disk, char *err, size_t errlen)
{
	const struct fdc_geometry *g = fdc_geometry_for_size(disk->size);

	if (n >= FDC_DRIVES) {
		snprintf(err, errlen, "%s: no floppy drive %u", disk->path, n);
		return -1;
	}
	if (!g) {
		snprintf(err, errlen, "%s: %llu bytes is not a floppy image size (accepted: %s)",
			 disk->path, (unsigned long long)disk->size, fdc_sizes_accepted());
		return -1;
	}
	f->drive[n].disk = disk;
	f->drive[n].geo = g;
	return 0;
}

int fdc_change_disk(struct fdc *f, unsigned n, struct disk *disk, struct disk **old, char *err,
		    size_t errlen)
{
	struct fdc_drive *d = n < FDC_DRIVES ? &f->drive[n] : NULL;

	if (!d || !d->disk) {
		snprintf(err, errlen, "no floppy drive %u (a config's fda/fdb fits one)", n);
		return -1;
	}
	if (disk->size != d->geo->size) {
		snprintf(err, errlen, "%s: %llu bytes, but the drive takes %s disks (%llu bytes)",
			 disk->path, (unsigned long long)disk->size, d->geo->name,
			 (unsigned long long)d->geo->size);
		return -1;
	}
	*old = d->disk;
	d->disk = disk;
	d->sect = 1;
	d->changed = true;
	return 0;
}

/* INT reaches the IRQ line only while the DOR's DMA gate is set (AT
 * mode). A new interrupt while one is still pending is sent as a fresh
 * edge: the PC's PIC is edge-triggered for IRQ 6. */
static void drive_line(struct fdc *f, bool edge)
{
	bool out = f->int_pending && (f->dor & FDC_DOR_DMAEN);

	if (edge && out)
		irq_set(&f->irq, 0);
	irq_set(&f->irq, out);
}

void fdc_set_int(struct fdc *f, bool level)
{
	f->int_pending = level;
	drive_line(f, level);
}

void fdc_result(struct fdc *f, unsigned len, bool interrupt)
{
	dma8237_set_dreq(f->dma, f->dma_ch, false);
	f->phase = FDC_RESULT;
	f->pos = 0;
	f->len = len;
	if (interrupt)
		fdc_set_int(f, true);
}

static void to_command_phase(struct fdc *f)
{
	f->phase = FDC_COMMAND;
	f->pos = f->len = 0;
	f->cmd = NULL;
}

/* The controller's own reset (DOR bit 2, DSR bit 7): the phases and
 * pending interrupts go; SPECIFY stays; CONFIGURE stays if locked. With
 * polling enabled the controller then reports a "ready changed" status for
 * each of its four drive positions. */
static void soft_reset(struct fdc *f)
{
	dma8237_set_dreq(f->dma, f->dma_ch, false);
	to_command_phase(f);
	fdc_set_int(f, false);
	for (unsigned i = 0; i < FDC_DRIVES; i++)
		f->drive[i].seek_irq = false;
	if (!f->lock) {
		f->config = 0x20; /* FIFO disabled, polling on, threshold 1 */
		f->pretrk = 0;
	}
	f->perpendicular &= 0x3C;
	f->reset_senses = 0;
	if (!(f->config & 0x10)) {
		f->reset_senses = 4;
		fdc_set_int(f, true);
	}
}

void fdc_reset(struct fdc *f)
{
	f->dor = 0; /* held in reset until the BIOS sets DOR bit 2 */
	f->tdr = 0;
	f->dsr = 0;
	f->rate = FDC_RATE_250K;
	f->specify[0] = f->specify[1] = 0;
	f->lock = false;
	f->perpendicular = 0;
	f->config = 0x20;
	f->pretrk = 0;
	to_command_phase(f);
	f->reset_senses = 0;
	fdc_set_int(f, false);
	for (unsigned i = 0; i < FDC_DRIVES; i++)
		f->drive[i].seek_irq = false;
}

static void dma_service(void *opaque)
{
	struct fdc *f = opaque;

	if (f->phase == FDC_EXECUTION)
		fdc_transfer(f);
}

static void write_dor(struct fdc *f, uint8_t v)
{
	uint8_t old = f->dor;

	f->dor = v;
	if (!(v & FDC_DOR_NRESET)) {
		if (old & FDC_DOR_NRESET) {
			dma8237_set_dreq(f->dma, f->dma_ch, false);
			to_command_phase(f);
			fdc_set_int(f, false);
		}
		return;
	}
	if (!(old & FDC_DOR_NRESET)) {
		soft_reset(f);
		return;
	}
	drive_line(f, false);
	if (f->phase == FDC_EXECUTION)
		dma8237_set_dreq(f->dma, f->dma_ch, (v & FDC_DOR_DMAEN) != 0);
}

static uint8_t read_msr(const struct fdc *f)
{
	if (!(f->dor & FDC_DOR_NRESET))
		return 0;
	switch (f->phase) {
	case FDC_COMMAND: return f->pos ? FDC_MSR_RQM | FDC_MSR_CB : FDC_MSR_RQM;
	case FDC_EXECUTION: return FDC_MSR_CB;
	default: return FDC_MSR_RQM | FDC_MSR_DIO | FDC_MSR_CB;
	}
}

static uint8_t read_fifo(struct fdc *f)
{
	uint8_t v;

	if (f->phase != FDC_RESULT || !(f->dor & FDC_DOR_NRESET)) {
		log_guest("fdc: FIFO read outside the result phase");
		return 0xFF;
	}
	v = f->buf[f->pos++];
	if (f->pos == 1)
		fdc_set_int(f, false);
	if (f->pos >= f->len)
		to_command_phase(f);
	return v;
}

static void write_fifo(struct fdc *f, uint8_t v)
{
	if (f->phase != FDC_COMMAND || !(f->dor & FDC_DOR_NRESET)) {
		log_guest("fdc: FIFO write %#x while not taking a command", v);
		return;
	}
	if (f->pos == 0) {
		f->cmd = fdc_find_command(v);
		if (!f->cmd) {
			log_guest("fdc: invalid command %#x", v);
			f->buf[0] = FDC_ST0_INVALID;
			fdc_result(f, 1, false);
			return;
		}
		f->len = 1u + f->cmd->params;
	}
	f->buf[f->pos++] = v;
	if (f->pos < f->len)
		return;
	f->pos = 0;
	f->cmd->run(f);
	if (f->phase == FDC_COMMAND)
		to_command_phase(f);
}

/* SRA (PS/2 mode's view of the interface): INT, drive 2 absent, TRK0 and
 * write protect of the selected drive, active low. */
static uint8_t read_sra(const struct fdc *f)
{
	const struct fdc_drive *d = &f->drive[f->dor & 1];
	uint8_t v = 0x40;

	if (f->int_pending)
		v |= 0x80;
	if (d->cyl != 0)
		v |= 0x10;
	if (!d->disk || !d->disk->readonly)
		v |= 0x02;
	return v;
}

static uint64_t fdc_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fdc *f = opaque;

	(void)size;
	switch (offset) {
	case FDC_SRA: return read_sra(f);
	case FDC_SRB: return 0xC0 | (f->dor & 1) << 5 | (f->dor >> 4 & 3);
	case FDC_DOR: return f->dor;
	case FDC_TDR: return f->tdr;
	case FDC_MSR: return read_msr(f);
	case FDC_FIFO: return read_fifo(f);
	default: return 0xFF;
	}
}

static void fdc_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fdc *f = opaque;
	uint8_t v = (uint8_t)value;

	(void)size;
	switch (offset) {
	case FDC_DOR: write_dor(f, v); break;
	case FDC_TDR: f->tdr = v & 3; break;
	case FDC_DSR:
		f->rate = (enum fdc_rate)(v & 3);
		f->dsr = v & 0x7C;
		if ((v & 0x80) && (f->dor & FDC_DOR_NRESET))
			soft_reset(f);
		break;
	case FDC_FIFO: write_fifo(f, v); break;
	default: log_guest("fdc: write %#x to read-only register %u", v, (unsigned)offset);
	}
}

/* DIR: only the disk-change line is the controller's in AT mode. */
static uint64_t dir_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fdc *f = opaque;

	(void)offset;
	(void)size;
	return f->drive[f->dor & 1].changed ? FDC_DIR_DSKCHG : 0;
}

static void ccr_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fdc *f = opaque;

	(void)offset;
	(void)size;
	f->rate = (enum fdc_rate)(value & 3);
}

const struct io_ops fdc_io_ops = {fdc_read, fdc_write};
const struct io_ops fdc_dir_io_ops = {dir_read, ccr_write};

static const char *const fdc_phase_name[] = {
    [FDC_COMMAND] = "command", [FDC_EXECUTION] = "execution", [FDC_RESULT] = "result"};

/* "none", "empty" or the media's name, with the head's cylinder. */
static void drive_state(const struct fdc_drive *d, char *buf, size_t len)
{
	if (!d->disk)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s@%u%s", d->geo->name, d->cyl, d->changed ? ",changed" : "");
}

/* The motors, the command in progress and the drives: a floppy boot
 * that hangs often waits for an interrupt a command did not give. */
void fdc_describe_state(const void *dev, char *buf, size_t len)
{
	const struct fdc *f = dev;
	char a[48], b[48];

	drive_state(&f->drive[0], a, sizeof a);
	drive_state(&f->drive[1], b, sizeof b);
	snprintf(buf, len, "dor=%02x motor=%d%d phase=%s cmd=%s int=%d fda=%s fdb=%s", f->dor,
		 !!(f->dor & FDC_DOR_MOTOR0), !!(f->dor & FDC_DOR_MOTOR0 << 1),
		 fdc_phase_name[f->phase], f->cmd ? f->cmd->name : "none", f->int_pending, a, b);
}
