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
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define EVQ_AT	 0x1000u
#define STQ_AT	 0x4000u
#define BUF_AT	 0x10000u

static struct guest_mem mem;
static struct pci_bus bus;
static struct virtio_input devs[3];
static struct virtio_driver drv;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc, (void)argv;
	if (mem_init(&mem, RAM_SIZE, err, sizeof err) < 0)
		abort();
	vdrv_init(&drv, &mem, BAR, QSIZE); /* for the device bring_up places at BAR */
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
	vdrv_reset(&drv);
	vdrv_negotiate(&drv, 0, 1);
	for (unsigned n = 0; n < 2; n++) {
		uint64_t at = n ? STQ_AT : EVQ_AT;

		memset(mem.ram + at, 0, 0x3000);
		vdrv_setup_queue(&drv, n, at);
		drv.avail_idx[n] = 0;
	}
	vdrv_driver_ok(&drv);
}

/* One buffer of len bytes at addr offered on queue n (0: writable). */
static void offer(unsigned n, uint64_t addr, uint32_t len)
{
	uint64_t at = n ? STQ_AT : EVQ_AT;
	unsigned d = drv.avail_idx[n] % QSIZE;

	vdrv_put_desc(&drv, at, d, addr, len, n ? 0 : VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, n, at, (uint16_t)d);
	vdrv_notify(&drv, n);
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
			vdrv_wr(&drv, VIRTIO_PCI_DEVICE_CFG + r[2] % 2, 1, r[1]);
			for (unsigned o = 0; o < VIRTIO_INPUT_CFG_SIZE; o += 4)
				vdrv_rd(&drv, VIRTIO_PCI_DEVICE_CFG + o, 4);
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
		case 4: offer(0, BUF_AT + 16 * (drv.avail_idx[0] % QSIZE), r[1] % 24); break;
		case 5:
			vdrv_reset(&drv);
			bring_up(k);
			break;
		}
		if (in->count > VIRTIO_INPUT_RING)
			abort(); /* the ring must stay bounded */
	}
	return 0;
}
