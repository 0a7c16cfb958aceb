/* virtio-input's guest-facing side: configuration queries and the status
 * queue, for each kind of device. Each input is a sequence of 8-byte
 * records:
 *   byte 0     0-1: configuration write of byte 1 at offset byte 2 (then
 *              the whole configuration read back), 2: a status event
 *              (bytes 1-7 and the record after it: its bytes and length),
 *              3: host input (a key, a relative or an absolute move from
 *              bytes 1-7), 4: post an event buffer of byte 1 bytes,
 *              5: device reset
 * The device kind comes from the input's first byte. */
#include "fuzz.h"
#include "hv/core/le.h"
#include "hv/virtio/virtio_input.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define EVQ_AT	 0x1000u
#define STQ_AT	 0x4000u
#define BUF_AT	 0x10000u

static struct guest_mem mem;
static struct pci_bus bus;
static struct virtio_input devs[3];
static uint16_t avail_idx[2];

static void wr(unsigned off, unsigned size, uint64_t v)
{
	mem_write_sized(&mem, BAR + off, size, v);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc, (void)argv;
	if (mem_init(&mem, RAM_SIZE, err, sizeof err) < 0)
		abort();
	pci_bus_init(&bus);
	for (unsigned k = 0; k < 3; k++) {
		virtio_input_init(&devs[k], &mem, (struct irq_line){0}, (enum virtio_input_kind)k,
				  "input");
		pci_bus_add(&bus, 5 + k, 0, &devs[k].vp.pci);
	}
	return 0;
}

/* Places device k's BAR and brings its queues up. */
static void bring_up(unsigned k)
{
	for (unsigned i = 0; i < 3; i++)
		pci_config_write(&bus, 5 + i, 0, PCI_COMMAND, 2, 0);
	pci_config_write(&bus, 5 + k, 0, PCI_BAR0, 4, BAR);
	pci_config_write(&bus, 5 + k, 0, PCI_COMMAND, 2, 0x6);
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	wr(VIRTIO_COMMON_STATUS, 1, 3);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, 1);
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	for (unsigned n = 0; n < 2; n++) {
		uint64_t at = n ? STQ_AT : EVQ_AT;

		memset(mem.ram + at, 0, 0x3000);
		wr(VIRTIO_COMMON_Q_SELECT, 2, n);
		wr(VIRTIO_COMMON_Q_SIZE, 2, QSIZE);
		wr(VIRTIO_COMMON_Q_DESC, 4, at);
		wr(VIRTIO_COMMON_Q_DRIVER, 4, at + 0x1000);
		wr(VIRTIO_COMMON_Q_DEVICE, 4, at + 0x2000);
		wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
		avail_idx[n] = 0;
	}
	wr(VIRTIO_COMMON_STATUS, 1, 0x0F);
}

/* One buffer of len bytes at addr offered on queue n (0: writable). */
static void offer(unsigned n, uint64_t addr, uint32_t len)
{
	uint64_t at = n ? STQ_AT : EVQ_AT;
	unsigned d = avail_idx[n] % QSIZE;
	uint8_t *desc = mem.ram + at + 16 * d;

	le_put64(desc, addr);
	le_put32(desc + 8, len);
	le_put16(desc + 12, n ? 0 : VIRTQ_DESC_F_WRITE);
	le_put16(mem.ram + at + 0x1000 + 4 + 2 * d, (uint16_t)d);
	avail_idx[n]++;
	le_put16(mem.ram + at + 0x1000 + 2, avail_idx[n]);
	wr(VIRTIO_PCI_NOTIFY + 4 * n, 2, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned k = size ? data[0] % 3 : 0;
	struct virtio_input *in = &devs[k];

	bring_up(k);
	for (size_t i = 1; i + 8 <= size; i += 8) {
		const uint8_t *r = data + i;

		switch (r[0] % 6) {
		case 0:
		case 1:
			wr(VIRTIO_PCI_DEVICE_CFG + r[2] % 2, 1, r[1]);
			for (unsigned o = 0; o < VIRTIO_INPUT_CFG_SIZE; o += 4)
				mem_read_sized(&mem, BAR + VIRTIO_PCI_DEVICE_CFG + o, 4);
			break;
		case 2:
			memcpy(mem.ram + BUF_AT + 0x8000, r + 1, 7);
			offer(1, BUF_AT + 0x8000, r[7] % 16);
			break;
		case 3:
			virtio_input_key(in, le_get16(r + 1), r[3] & 1);
			virtio_input_rel(in, (int8_t)r[4], (int8_t)r[5], (int8_t)r[6], r[7]);
			virtio_input_abs(in, (int16_t)le_get16(r + 4), (int16_t)le_get16(r + 6),
					 r[3]);
			break;
		case 4: offer(0, BUF_AT + 16 * (avail_idx[0] % QSIZE), r[1] % 24); break;
		case 5:
			wr(VIRTIO_COMMON_STATUS, 1, 0);
			bring_up(k);
			break;
		}
		if (in->count > VIRTIO_INPUT_RING)
			abort(); /* the ring must stay bounded */
	}
	return 0;
}
