#include "hv/virtio/virtio_console.h"

#include <stdio.h>
#include <string.h>

#include "hv/core/state.h"

#define RECEIVEQ  0
#define TRANSMITQ 1
#define CHUNK	  4096

/* Hands every transmit buffer's bytes to the backend. */
static void transmit(struct virtio_console *c)
{
	struct virtq_chain chain;
	uint8_t buf[CHUNK];

	while (virtio_pci_pop(&c->vp, TRANSMITQ, &chain) == 1) {
		for (uint64_t off = 0; off < chain.read_len; off += CHUNK) {
			size_t n = virtq_chain_read(&chain, off, buf, sizeof buf);

			if (c->out.tx)
				c->out.tx(c->out.opaque, buf, n);
			c->tx_bytes += n;
		}
		virtio_pci_push(&c->vp, TRANSMITQ, &chain, 0);
	}
}

static void console_notify(void *opaque, unsigned queue)
{
	if (queue == TRANSMITQ)
		transmit(opaque);
	/* Receive buffers wait for host input: virtio_console_receive. */
}

size_t virtio_console_receive(struct virtio_console *c, const uint8_t *data, size_t len)
{
	struct virtq_chain chain;
	size_t done = 0;

	while (done < len && virtio_pci_pop(&c->vp, RECEIVEQ, &chain) == 1) {
		size_t n = virtq_chain_write(&chain, 0, data + done, len - done);

		virtio_pci_push(&c->vp, RECEIVEQ, &chain, (uint32_t)n);
		done += n;
		if (n == 0)
			break; /* a buffer with no room: nothing more fits this way */
	}
	c->rx_bytes += done;
	return done;
}

static const struct virtio_dev_ops console_ops = {
    .type = VIRTIO_ID_CONSOLE,
    .class_base = 0x07, /* simple communication controller, other */
    .class_sub = 0x80,
    .num_queues = 2,
    .queue_max = 64,
    .notify = console_notify,
};

void virtio_console_init(struct virtio_console *c, struct guest_mem *mem, struct irq_line irq,
			 const struct virtio_console_backend *out, const char *name)
{
	memset(c, 0, sizeof *c);
	c->out = *out;
	virtio_pci_init(&c->vp, mem, &console_ops, c, irq, name);
}

void virtio_console_destroy(struct virtio_console *c)
{
	virtio_pci_destroy(&c->vp);
}

static void device_reset(void *dev)
{
	struct virtio_console *c = dev;

	virtio_pci_machine_reset(&c->vp);
}

static void device_describe(const void *dev, char *buf, size_t len)
{
	const struct virtio_console *c = dev;
	size_t n;

	virtio_pci_describe(&c->vp, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, " tx_bytes=%llu rx_bytes=%llu", (unsigned long long)c->tx_bytes,
		 (unsigned long long)c->rx_bytes);
}

/* Save/restore, version 2 (1: the transport without MSI-X): the transport and the counters (receive
 * buffers wait in the ring, not here; the backend is the wiring's). */
static void device_save(const void *dev, struct state_out *o)
{
	const struct virtio_console *c = dev;

	virtio_pci_save(&c->vp, o);
	state_put_u64(o, c->tx_bytes);
	state_put_u64(o, c->rx_bytes);
}

static int device_load(void *dev, struct state_in *in, uint32_t from)
{
	struct virtio_console *c = dev;
	struct virtio_pci_saved s;
	uint64_t tx, rx;

	if (virtio_pci_load(&c->vp, in, from, &s) < 0)
		return -1;
	tx = state_get_u64(in);
	rx = state_get_u64(in);
	if (!state_in_done(in))
		return -1;
	virtio_pci_commit(&c->vp, &s);
	c->tx_bytes = tx;
	c->rx_bytes = rx;
	return 0;
}

const struct device_ops virtio_console_device_ops = {.reset = device_reset,
						     .describe = device_describe,
						     .version = VIRTIO_PCI_SAVE_VERSION,
						     .save = device_save,
						     .load = device_load};
