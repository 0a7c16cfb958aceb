/* The virtio devices through their PCI transport, as a hostile driver
 * sees them: the whole PC built once with virtio-blk (xvda read-write,
 * xvdb read-only, on small image files), virtio-rng and virtio-console,
 * their BARs placed as firmware leaves them, MSI-X offered (the machine
 * has an MSI sink that takes messages to the APIC's window and refuses
 * others, as KVM's does). Each input is a sequence of
 * 8-byte operations on guest RAM (where the driver builds descriptor
 * tables and rings), BAR registers and PCI configuration space, and on
 * the first MiB's other MMIO (the VGA window) and ports; the
 * machine is reset between inputs (which waits for virtio-blk's worker).
 *
 * An operation: op, then 7 bytes a..g. op bits 0-2 pick the kind, bits 3-4
 * the size (1, 2, 4, 8 bytes), bits 5-7 the function (xvda, xvdb, rng,
 * console, then those again):
 *   0: write value (d..g) to the first MiB at (a | b << 8 | c << 16) &
 *      0xFFFFF: RAM, or the VGA window at 0xA0000 and the ROMs above it
 *   1: read there
 *   2: write value (d..g) to the function's BAR at (a | b << 8) & 0x3FFF
 *   3: read the BAR there
 *   4: write the value (d..g) to configuration offset a
 *   5: read configuration offset a
 *   6: host bytes for hvc0 (a..g, b & 7 of them)
 *   7: a odd: write (b odd) or read port c | d << 8 (value e), e.g. the
 *      VGA's registers that shape its memory window; a even: run the timers
 *      that are due (the clock runs on host time) */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "hv/block/disk.h"
#include "hv/core/machine.h"
#include "hv/config/config.h"
#include "hv/virtio/virtio_console.h"
#include "hv/virtio/virtio_pci.h"
#include "legacy/pc.h"
#include "legacy/pc_virtio.h"

#define RAM_WINDOW 0xFFFFFu
#define FUNCTIONS  4

static struct machine m;
static struct pc *pc;
static const unsigned slots[FUNCTIONS] = {PC_VIRTIO_SLOT, PC_VIRTIO_SLOT + 1, PC_VIRTIO_RNG_SLOT,
					  PC_VIRTIO_CON_SLOT};
static const uint64_t bars[FUNCTIONS] = {PC_VIRTIO_MMIO, PC_VIRTIO_MMIO + VIRTIO_PCI_BAR_SIZE,
					 PC_VIRTIO_MMIO + DISK_XVD_COUNT *VIRTIO_PCI_BAR_SIZE,
					 PC_VIRTIO_MMIO +
					     (DISK_XVD_COUNT + 1) * VIRTIO_PCI_BAR_SIZE};

/* The engine's part of MSIs: only the local APIC's window takes them. */
static int msi_send(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque, (void)data;
	return (addr >> 20) == 0xFEE ? 0 : -1;
}

static void tx(void *opaque, uint8_t byte)
{
	(void)opaque, (void)byte;
}

static void console_out(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque, (void)buf, (void)len;
}

/* A small image file, unlinked at once (the descriptor keeps it). */
static struct disk *image(bool readonly)
{
	char path[] = "/tmp/hv-fuzz-virtio-XXXXXX", err[256];
	int fd = mkstemp(path);
	struct disk *d;

	if (fd < 0 || ftruncate(fd, 256 * 1024) < 0)
		abort();
	close(fd);
	d = disk_open(path, readonly, err, sizeof err);
	unlink(path);
	if (!d) {
		fprintf(stderr, "fuzz_virtio: %s\n", err);
		abort();
	}
	return d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pc_hooks hooks = {.serial = {{.tx = tx}, {.tx = tx}}, .debugcon = {.tx = tx}};
	struct virtio_console_backend out = {.tx = console_out};
	char err[256];

	(void)argc, (void)argv;
	if (machine_init(&m, 16u << 20, err, sizeof err) < 0)
		abort();
	m.msi = (struct msi_sink){msi_send, NULL};
	if (!(pc = pc_create(&m, &hooks, err, sizeof err)) ||
	    pc_add_virtio_blk(pc, 0, image(false), err, sizeof err) < 0 ||
	    pc_add_virtio_blk(pc, 1, image(true), err, sizeof err) < 0 ||
	    pc_add_virtio_rng(pc, err, sizeof err) < 0 ||
	    pc_add_virtio_console(pc, &out, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_virtio: %s\n", err);
		abort();
	}
	vclock_start(&m.clock);
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Configuration space through the PC's 0xCF8/0xCFC mechanism. */
static void config_access(unsigned slot, uint8_t off, unsigned size, bool write, uint32_t v)
{
	uint32_t addr = 0x80000000u | slot << 11 | (off & 0xFCu);
	unsigned port = 0xCFC + (off & 3u);

	if (size > 4 || (off & 3u) + size > 4)
		size = 1;
	bus_write(&m.pio, 0xCF8, 4, addr);
	if (write)
		bus_write(&m.pio, port, size, v);
	else
		bus_read(&m.pio, port, size);
}

static void one(const uint8_t *p)
{
	unsigned kind = p[0] & 7, size = 1u << ((p[0] >> 3) & 3), fn = (p[0] >> 5) % FUNCTIONS;
	uint32_t value = le32(p + 4);
	uint64_t wide = value | (uint64_t)value << 32;

	switch (kind) {
	case 0:
		mem_write_sized(&m.mem, (p[1] | p[2] << 8 | (uint32_t)p[3] << 16) & RAM_WINDOW,
				size, wide);
		break;
	case 1:
		mem_read_sized(&m.mem, (p[1] | p[2] << 8 | (uint32_t)p[3] << 16) & RAM_WINDOW,
			       size);
		break;
	case 2:
		mem_write_sized(&m.mem, bars[fn] + ((p[1] | p[2] << 8) & 0x3FFFu), size, wide);
		break;
	case 3: mem_read_sized(&m.mem, bars[fn] + ((p[1] | p[2] << 8) & 0x3FFFu), size); break;
	case 4:
	case 5: config_access(slots[fn], p[1], size, kind == 4, value); break;
	case 6: pc_virtio_console_receive(pc, p + 1, p[2] & 7u); break;
	default:
		if (!(p[1] & 1))
			vclock_run_expired(&m.clock);
		else if (p[2] & 1)
			bus_write(&m.pio, p[3] | p[4] << 8, size > 4 ? 4 : size,
				  p[5] * 0x01010101u);
		else
			bus_read(&m.pio, p[3] | p[4] << 8, size > 4 ? 4 : size);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pthread_mutex_lock(&m.lock);
	device_reset_all(&m.devices);
	m.request = MACHINE_REQ_NONE;
	for (size_t i = 0; i + 8 <= size; i += 8)
		one(data + i);
	pthread_mutex_unlock(&m.lock);
	return 0;
}
