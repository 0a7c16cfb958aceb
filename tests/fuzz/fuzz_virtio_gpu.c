/* virtio-gpu's control and cursor queues: a device on a PCI bus with both
 * queues set up by the harness, then each input is a sequence of requests
 * the way a driver would put them in guest RAM:
 *   byte 0     bit 0: cursor queue (else control), bit 1: render the
 *              scanout into a display surface after it
 *   byte 1     where the request splits into a second readable buffer
 *              (0: one buffer)
 *   bytes 2-3  the request's length (little-endian, at most 4096)
 *   then       the request's bytes
 * Guest RAM at 100000h onwards holds a pattern that backing entries may
 * point at. The device is reset between inputs. */
#include "fuzz.h"
#include "hv/core/le.h"
#include "hv/virtio/virtio_gpu.h"

#define RAM_SIZE (2u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define REQ_AT	 0x8000u
#define RESP_AT	 0xA000u
#define REQ_MAX	 4096u

static struct guest_mem mem;
static struct virtio_gpu gpu;
static struct pci_bus bus;
static struct surface surf;
static uint16_t avail_idx[2];

static void wr(unsigned off, unsigned size, uint64_t v)
{
	mem_write_sized(&mem, BAR + off, size, v);
}

static uint64_t queue_at(unsigned n)
{
	return 0x1000u + 0x3000u * n;
}

static void bring_up(void)
{
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	wr(VIRTIO_COMMON_STATUS, 1, 3);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, 1);
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	for (unsigned n = 0; n < 2; n++) {
		memset(mem.ram + queue_at(n), 0, 0x3000);
		wr(VIRTIO_COMMON_Q_SELECT, 2, n);
		wr(VIRTIO_COMMON_Q_SIZE, 2, QSIZE);
		wr(VIRTIO_COMMON_Q_DESC, 4, queue_at(n));
		wr(VIRTIO_COMMON_Q_DRIVER, 4, queue_at(n) + 0x1000);
		wr(VIRTIO_COMMON_Q_DEVICE, 4, queue_at(n) + 0x2000);
		wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
		avail_idx[n] = 0;
	}
	wr(VIRTIO_COMMON_STATUS, 1, 0x0F);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc, (void)argv;
	if (mem_init(&mem, RAM_SIZE, err, sizeof err) < 0 ||
	    surface_init(&surf, "fuzz-gpu", err, sizeof err) < 0)
		abort();
	virtio_gpu_init(&gpu, &mem, (struct irq_line){0}, 1024, 768, "gpu0");
	gpu.hostmem_max = 16u << 20; /* keeps inputs fast; the cap is what is tested */
	pci_bus_init(&bus);
	pci_bus_add(&bus, 5, 0, &gpu.vp.pci);
	pci_config_write(&bus, 5, 0, PCI_BAR0, 4, BAR);
	pci_config_write(&bus, 5, 0, PCI_COMMAND, 2, 0x6);
	for (uint32_t i = 0x100000; i < RAM_SIZE; i++)
		mem.ram[i] = (uint8_t)(i * 31);
	return 0;
}

static void put_desc(uint64_t q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = mem.ram + q + 16 * i;

	le_put64(d, addr);
	le_put32(d + 8, len);
	le_put16(d + 12, flags);
	le_put16(d + 14, next);
}

/* One request of len bytes (already at REQ_AT) on queue n. */
static void send(unsigned n, unsigned split, unsigned len)
{
	uint64_t q = queue_at(n);

	if (split && split < len) {
		put_desc(q, 0, REQ_AT, split, VIRTQ_DESC_F_NEXT, 1);
		put_desc(q, 1, REQ_AT + split, len - split, VIRTQ_DESC_F_NEXT, 2);
	} else {
		put_desc(q, 0, REQ_AT, len, VIRTQ_DESC_F_NEXT, 2);
	}
	put_desc(q, 2, RESP_AT, 0x1000, VIRTQ_DESC_F_WRITE, 0);
	le_put16(mem.ram + q + 0x1000 + 4 + 2 * (avail_idx[n] % QSIZE), 0);
	avail_idx[n]++;
	le_put16(mem.ram + q + 0x1000 + 2, avail_idx[n]);
	wr(VIRTIO_PCI_NOTIFY + 4 * n, 2, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bring_up();
	for (size_t i = 0; i + 4 <= size;) {
		unsigned ctl = data[i], split = data[i + 1];
		unsigned len = le_get16(data + i + 2);

		i += 4;
		if (len > REQ_MAX)
			len = REQ_MAX;
		if (len > size - i)
			len = (unsigned)(size - i);
		if (len == 0)
			len = 1; /* an empty buffer is skipped; keep a chain */
		memset(mem.ram + REQ_AT, 0, REQ_MAX);
		memcpy(mem.ram + REQ_AT, data + i, len <= size - i ? len : size - i);
		i += len <= size - i ? len : size - i;
		send(ctl & 1, split, len);
		if (ctl & 2)
			virtio_gpu_render(&gpu, &surf, false);
		if (gpu.hostmem > gpu.hostmem_max)
			abort(); /* the cap must hold */
	}
	return 0;
}
