/* The virtio-console through its PCI transport as a hostile driver would
 * drive it: each input is a count of operations, the operations (4 bytes
 * each: kind, then three argument bytes) and the rest copied into guest
 * RAM from RAM_AT on, where the queues and their buffers live. Kinds:
 * 0 a write to the common configuration (offset, value, size), 1 a notify
 * of queue 0 or 1, 2 host input of up to 255 bytes, 3 the driver's usual
 * set-up with queue sizes from the argument, 4 a register read. Nothing
 * may crash, touch memory outside guest RAM or trip a sanitizer; the
 * output the backend sees must come in bounded pieces. */
#include "fuzz.h"
#include "hv/virtio/virtio_console.h"
#include "virtio_driver.h"

#define RAM_SIZE (256u << 10)
#define RAM_AT	 0x1000u
#define BAR	 0xFEB00000u

static struct guest_mem mem;
static struct virtio_driver drv;

static void tx(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	if (len > 4096 || (len && !buf))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc, (void)argv;
	if (mem_init(&mem, RAM_SIZE, err, sizeof err) < 0)
		abort();
	return 0;
}

/* The driver's usual order: status, features, the two queues (sizes
 * from arg, addresses inside RAM), DRIVER_OK. */
static void driver_setup(uint8_t arg)
{
	vdrv_reset(&drv);
	vdrv_negotiate(&drv, 0, 1);
	for (unsigned q = 0; q < 2; q++) {
		uint64_t at = RAM_AT + q * 0x400u; /* rings may overlap: hostile anyway */

		vdrv_setup_queue_at(&drv, q, 1u << ((arg >> (4 * q)) & 7), at, at + 0x100,
				    at + 0x200);
	}
	vdrv_driver_ok(&drv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[] = {1, 2, 4, 1};
	static const uint8_t input[255] = "hv fuzz input";
	struct virtio_console_backend b = {.tx = tx};
	struct virtio_console con;
	size_t nops;

	if (size == 0)
		return 0;
	memset(mem.ram, 0, RAM_SIZE);
	virtio_console_init(&con, &mem, (struct irq_line){0}, &b, "hvc0");
	vdrv_attach(&drv, &mem, &con.vp.pci, 6, BAR, 0);
	nops = fuzz_ops_and_ram(data, size, mem.ram + RAM_AT, RAM_SIZE - RAM_AT);
	for (size_t i = 0; i < nops; i++) {
		const uint8_t *op = data + 1 + 4 * i;

		switch (op[0] % 5) {
		case 0: vdrv_wr(&drv, op[1] % VIRTIO_COMMON_SIZE, sizes[op[3] & 3], op[2]); break;
		case 1: vdrv_notify(&drv, op[1] & 1); break;
		case 2: virtio_console_receive(&con, input, op[1]); break;
		case 3: driver_setup(op[1]); break;
		case 4: vdrv_rd(&drv, op[1] % VIRTIO_COMMON_SIZE, sizes[op[3] & 3]); break;
		}
	}
	virtio_console_destroy(&con);
	return 0;
}
