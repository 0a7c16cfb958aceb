/* The virtio suites' and fuzzers' fake guest driver (virtio_driver.h). */
#include "virtio_driver.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/le.h"
#include "hv/virtio/virtio_net.h"
#include "hv/virtio/virtio_pci.h"

#include "virtq_desc.h"

void vdrv_init(struct virtio_driver *d, struct guest_mem *mem, uint32_t bar, unsigned qsize)
{
	d->mem = mem;
	d->bar = bar;
	d->qsize = qsize;
	d->avail_idx[0] = d->avail_idx[1] = 0;
}

void vdrv_attach(struct virtio_driver *d, struct guest_mem *mem, struct pci_device *pci,
		 unsigned slot, uint32_t bar, unsigned qsize)
{
	vdrv_init(d, mem, bar, qsize);
	pci_bus_init(&d->bus);
	pci_bus_add(&d->bus, slot, 0, pci);
	pci_config_write(&d->bus, slot, 0, PCI_BAR0, 4, bar);
	pci_config_write(&d->bus, slot, 0, PCI_COMMAND, 2, 0x6);
}

static void net_tx_ready(void *opaque)
{
	(void)opaque;
}

void vdrv_net_open(struct virtio_driver *d, struct guest_mem *mem, uint64_t ram,
		   struct virtio_net *n, uint32_t bar, unsigned qsize)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	struct virtio_net_backend b = {.tx_ready = net_tx_ready};
	char err[128];

	if (mem_init(mem, ram, err, sizeof err) < 0) {
		fprintf(stderr, "vdrv_net_open: %s\n", err);
		abort();
	}
	*n = (struct virtio_net){0};
	virtio_net_init(n, mem, (struct irq_line){0}, mac, &b, "net0");
	vdrv_attach(d, mem, &n->vp.pci, 6, bar, qsize);
}

void vdrv_net_close(struct virtio_net *n, struct guest_mem *mem)
{
	virtio_net_destroy(n);
	mem_destroy(mem);
}

void vdrv_reset(struct virtio_driver *d)
{
	vdrv_wr(d, VIRTIO_COMMON_STATUS, 1, 0);
}

void vdrv_negotiate(struct virtio_driver *d, uint32_t low, uint32_t high)
{
	vdrv_wr(d, VIRTIO_COMMON_STATUS, 1, 3);
	if (low) {
		vdrv_wr(d, VIRTIO_COMMON_GFSELECT, 4, 0);
		vdrv_wr(d, VIRTIO_COMMON_GF, 4, low);
	}
	vdrv_wr(d, VIRTIO_COMMON_GFSELECT, 4, 1);
	vdrv_wr(d, VIRTIO_COMMON_GF, 4, high);
	vdrv_wr(d, VIRTIO_COMMON_STATUS, 1, 0x0B);
}

void vdrv_setup_queue(struct virtio_driver *d, unsigned n, uint64_t q)
{
	vdrv_setup_queue_at(d, n, d->qsize, q, q + 0x1000, q + 0x2000);
}

void vdrv_setup_queue_at(struct virtio_driver *d, unsigned n, unsigned size, uint64_t desc,
			 uint64_t driver, uint64_t device)
{
	vdrv_wr(d, VIRTIO_COMMON_Q_SELECT, 2, n);
	vdrv_wr(d, VIRTIO_COMMON_Q_SIZE, 2, size);
	vdrv_wr(d, VIRTIO_COMMON_Q_DESC, 4, desc);
	vdrv_wr(d, VIRTIO_COMMON_Q_DRIVER, 4, driver);
	vdrv_wr(d, VIRTIO_COMMON_Q_DEVICE, 4, device);
	vdrv_wr(d, VIRTIO_COMMON_Q_ENABLE, 2, 1);
}

void vdrv_driver_ok(struct virtio_driver *d)
{
	vdrv_wr(d, VIRTIO_COMMON_STATUS, 1, 0x0F);
}

void vdrv_wr(struct virtio_driver *d, unsigned off, unsigned size, uint64_t v)
{
	mem_write_sized(d->mem, d->bar + off, size, v);
}

uint64_t vdrv_rd(struct virtio_driver *d, unsigned off, unsigned size)
{
	return mem_read_sized(d->mem, d->bar + off, size);
}

void vdrv_put_desc(struct virtio_driver *d, uint64_t q, unsigned i, uint64_t addr, uint32_t len,
		   uint16_t flags, uint16_t next)
{
	unit_put_desc(d->mem->ram + q + 16 * i, addr, len, flags, next);
}

void vdrv_offer(struct virtio_driver *d, unsigned n, uint64_t q, uint16_t head)
{
	uint8_t *avail = d->mem->ram + q + 0x1000;

	le_put16(avail + 4 + 2 * (d->avail_idx[n] % d->qsize), head);
	d->avail_idx[n]++;
	le_put16(avail + 2, d->avail_idx[n]);
}

void vdrv_notify(struct virtio_driver *d, unsigned n)
{
	vdrv_wr(d, VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * n, 2, n);
}

uint16_t vdrv_used_idx(struct virtio_driver *d, uint64_t q)
{
	return le_get16(d->mem->ram + q + 0x2000 + 2);
}

uint32_t vdrv_used_len(struct virtio_driver *d, uint64_t q, unsigned n)
{
	return le_get32(d->mem->ram + q + 0x2000 + 4 + 8 * n + 4);
}
