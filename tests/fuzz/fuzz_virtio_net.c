/* The virtio-net device through its PCI transport as a hostile driver
 * would drive it: each input is a count of operations, the operations
 * (4 bytes each: kind, then three argument bytes) and the rest copied
 * into guest RAM from RAM_AT on, where the queues, the transmit headers
 * (flags, csum_start, csum_offset) and the frames live. Kinds: 0 a write
 * to the common configuration (offset, value, size), 1 a notify of queue
 * 0 or 1, 2 a frame from the network of 14 + up to 65535 bytes (the
 * first two argument bytes), or with the third's top bit a batch of TCP
 * segments of one connection (virtio_net_receive_many: how many, their
 * size and one header byte spoiled from the arguments), which the device
 * coalesces, 3 the driver's usual set-up (features from
 * the arguments: the checksum offloads, mergeable receive buffers,
 * EVENT_IDX, GUEST_TSO4, HOST_TSO4 and HOST_ECN or not; queue sizes from
 * the argument), 4 the backend taking every transmitted frame (or
 * segment of one the device cuts up), 5 a register read. Seeds:
 * tests/fuzz/tools/net_seeds.py. Nothing may crash, touch
 * memory outside guest RAM or trip a sanitizer; a frame the backend takes
 * is within bounds. */
#include "fuzz.h"
#include "hv/virtio/virtio_net.h"
#include "virtio_driver.h"

#define RAM_SIZE (256u << 10)
#define RAM_AT	 0x1000u
#define BAR	 0xFEB00000u

static struct guest_mem mem;
static struct virtio_driver drv;
static uint8_t frame_buf[3 * VIRTIO_NET_FRAME_MAX]; /* a burst of up to 3 frames */

static void tx_ready(void *opaque)
{
	(void)opaque;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc, (void)argv;
	if (mem_init(&mem, RAM_SIZE, err, sizeof err) < 0)
		abort();
	return 0;
}

/* Status, features (arg bit 0: CSUM, bit 1: GUEST_CSUM, more bit 0:
 * MRG_RXBUF, bit 1: EVENT_IDX, bit 2: GUEST_TSO4, bit 3: HOST_TSO4, bit
 * 4: HOST_ECN, with MAC and VERSION_1), the two queues
 * (sizes from arg, addresses inside RAM), DRIVER_OK. */
static void driver_setup(uint8_t arg, uint8_t more)
{
	uint32_t low = 1u << VIRTIO_NET_F_MAC | (arg & 3u) |
		       (more & 1 ? 1u << VIRTIO_NET_F_MRG_RXBUF : 0) |
		       (more & 2 ? 1u << VIRTIO_F_EVENT_IDX : 0) |
		       (more & 4 ? 1u << VIRTIO_NET_F_GUEST_TSO4 : 0) |
		       (more & 8 ? 1u << VIRTIO_NET_F_HOST_TSO4 : 0) |
		       (more & 16 ? 1u << VIRTIO_NET_F_HOST_ECN : 0);

	vdrv_reset(&drv);
	vdrv_negotiate(&drv, low, 1); /* low is never 0: word 0 is written */
	for (unsigned q = 0; q < 2; q++) {
		uint64_t at = RAM_AT + q * 0x400u; /* rings may overlap: hostile anyway */

		vdrv_setup_queue_at(&drv, q, 1u << ((arg >> (2 + 3 * q)) & 7), at, at + 0x100,
				    at + 0x200);
	}
	vdrv_driver_ok(&drv);
}

/* Takes the guest's frames in bursts (virtio_net_take_tx_many), as the
 * domain does: each within bounds, all of them within the buffer. */
static void take_all(struct virtio_net *n)
{
	uint32_t lens[4];
	unsigned got;
	size_t sum;
	bool irq;

	for (unsigned i = 0;
	     i < 1024 &&
	     (got = virtio_net_take_tx_many(n, frame_buf, sizeof frame_buf, lens, 4, &irq)) > 0;
	     i++) {
		sum = 0;
		for (unsigned k = 0; k < got; k++) {
			if (lens[k] < VIRTIO_NET_FRAME_MIN || lens[k] > VIRTIO_NET_FRAME_MAX)
				abort();
			sum += lens[k];
		}
		if (sum > sizeof frame_buf)
			abort();
	}
}

/* A batch of 1 + (a & 15) TCP/IPv4 segments of one connection, each with
 * 1 + b * 8 bytes of payload (the last one shorter when a & 16), header
 * byte c % 54 of segment (a >> 5) flipped. */
static void receive_run(struct virtio_net *n, uint8_t a, uint8_t b, uint8_t c)
{
	static uint8_t buf[16 * (54 + 2041)];
	uint32_t lens[16];
	unsigned count = 1 + (a & 15u);
	size_t off = 0;

	for (unsigned i = 0; i < count; i++) {
		uint8_t *f = buf + off, *ip = f + 14, *tcp = ip + 20;
		size_t pay = 1 + (size_t)b * 8 - (i == count - 1 && (a & 16) ? 1 : 0);
		uint32_t seq = 1000 + i * (uint32_t)(1 + b * 8);

		memset(f, 0, 54);
		f[12] = 8;
		ip[0] = 0x45;
		ip[2] = (uint8_t)((40 + pay) >> 8);
		ip[3] = (uint8_t)(40 + pay);
		ip[9] = 6;
		tcp[4] = (uint8_t)(seq >> 24);
		tcp[5] = (uint8_t)(seq >> 16);
		tcp[6] = (uint8_t)(seq >> 8);
		tcp[7] = (uint8_t)seq;
		tcp[12] = 0x50;
		tcp[13] = 0x10;
		memset(f + 54, (int)i, pay);
		if (i == (unsigned)(a >> 5))
			f[c % 54] ^= (uint8_t)(1 + (c >> 6));
		lens[i] = (uint32_t)(54 + pay);
		off += lens[i];
	}
	virtio_net_receive_many(n, buf, lens, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sizes[] = {1, 2, 4, 1};
	static uint8_t input[14 + 65535];
	static const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	struct virtio_net_backend b = {.tx_ready = tx_ready};
	static struct virtio_net net;
	size_t nops;

	if (size == 0)
		return 0;
	memset(mem.ram, 0, RAM_SIZE);
	memset(input, 0x5a, sizeof input);
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	vdrv_attach(&drv, &mem, &net.vp.pci, 6, BAR, 0);
	nops = fuzz_ops_and_ram(data, size, mem.ram + RAM_AT, RAM_SIZE - RAM_AT);
	for (size_t i = 0; i < nops; i++) {
		const uint8_t *op = data + 1 + 4 * i;

		switch (op[0] % 6) {
		case 0: vdrv_wr(&drv, op[1] % VIRTIO_COMMON_SIZE, sizes[op[3] & 3], op[2]); break;
		case 1: vdrv_notify(&drv, op[1] & 1); break;
		case 2:
			if (op[3] & 0x80)
				receive_run(&net, op[1], op[2], op[3]);
			else
				virtio_net_receive(&net, input, 14 + (op[1] | (size_t)op[2] << 8));
			break;
		case 3: driver_setup(op[1], op[2]); break;
		case 4: take_all(&net); break;
		case 5: vdrv_rd(&drv, op[1] % VIRTIO_COMMON_SIZE, sizes[op[3] & 3]); break;
		}
	}
	virtio_net_destroy(&net);
	return 0;
}
