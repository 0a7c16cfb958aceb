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
#include "virtio_driver.h"

#define RAM_SIZE (2u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define REQ_AT	 0x8000u
#define RESP_AT	 0xA000u
#define REQ_MAX	 4096u

static struct guest_mem mem;
static struct virtio_gpu gpu;
static struct virtio_driver drv;
static struct surface surf;

static uint64_t queue_at(unsigned n)
{
	return 0x1000u + 0x3000u * n;
}

static void bring_up(void)
{
	vdrv_reset(&drv);
	vdrv_negotiate(&drv, 0, 1);
	for (unsigned n = 0; n < 2; n++) {
		memset(mem.ram + queue_at(n), 0, 0x3000);
		vdrv_setup_queue(&drv, n, queue_at(n));
		drv.avail_idx[n] = 0;
	}
	vdrv_driver_ok(&drv);
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
	vdrv_attach(&drv, &mem, &gpu.vp.pci, 5, BAR, QSIZE);
	for (uint32_t i = 0x100000; i < RAM_SIZE; i++)
		mem.ram[i] = (uint8_t)(i * 31);
	return 0;
}

/* One request of len bytes (already at REQ_AT) on queue n. */
static void send(unsigned n, unsigned split, unsigned len)
{
	uint64_t q = queue_at(n);

	if (split && split < len) {
		vdrv_put_desc(&drv, q, 0, REQ_AT, split, VIRTQ_DESC_F_NEXT, 1);
		vdrv_put_desc(&drv, q, 1, REQ_AT + split, len - split, VIRTQ_DESC_F_NEXT, 2);
	} else {
		vdrv_put_desc(&drv, q, 0, REQ_AT, len, VIRTQ_DESC_F_NEXT, 2);
	}
	vdrv_put_desc(&drv, q, 2, RESP_AT, 0x1000, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, n, q, 0);
	vdrv_notify(&drv, n);
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
