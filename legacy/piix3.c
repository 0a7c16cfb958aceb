#include "legacy/piix3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

/* ISA IRQ a route register selects, or -1. IRQs 0-2, 8 and 13 are the
 * chipset's own and reserved in the datasheet. */
static int route(const struct piix3 *p, unsigned pirq)
{
	uint8_t r = p->dev.config[PIIX3_PIRQRC + pirq];
	unsigned irq = r & 0x0f;

	if (r & PIIX3_PIRQ_DISABLE)
		return -1;
	if (irq < 3 || irq == 8 || irq == 13) {
		log_guest("piix3: PIRQ%c routed to reserved IRQ %u, left unrouted", 'A' + pirq,
			  irq);
		return -1;
	}
	return (int)irq;
}

static void update(struct piix3 *p)
{
	uint16_t want = 0;

	for (unsigned pirq = 0; pirq < 4; pirq++) {
		int irq = route(p, pirq);

		if (irq >= 0 && p->asserted[pirq])
			want |= (uint16_t)(1u << irq);
	}
	for (unsigned irq = 0; irq < 16; irq++) {
		uint16_t bit = (uint16_t)(1u << irq);

		if ((want ^ p->driven) & bit)
			irq_set(&p->isa[irq], (want & bit) != 0);
	}
	p->driven = want;
}

void piix3_pci_irq(struct piix3 *p, unsigned slot, unsigned pin, int level)
{
	unsigned pirq = (slot + pin) & 3;

	if (slot >= PCI_SLOTS)
		return;
	if (level)
		p->asserted[pirq] |= 1u << slot;
	else
		p->asserted[pirq] &= ~(1u << slot);
	update(p);
}

static void written(struct pci_device *d, unsigned offset, unsigned size)
{
	if (offset < PIIX3_PIRQRC + 4 && offset + size > PIIX3_PIRQRC)
		update(d->opaque);
}

static const struct pci_ops piix3_pci_ops = {.written = written};

void piix3_reset(struct piix3 *p)
{
	struct pci_device *d = &p->dev;

	pci_device_init(d, PIIX3_VENDOR, PIIX3_DEVICE, 0x06, 0x01, 0x00, "PIIX3");
	d->ops = &piix3_pci_ops;
	d->opaque = p;
	pci_set_byte(d, PCI_HEADER_TYPE, PCI_HEADER_MULTIFUNCTION);
	pci_set_word(d, PCI_COMMAND, 0x0007);
	pci_set_word(d, PCI_STATUS, 0x0200);
	/* The chipset registers firmware may program; none but the routes
	 * has an effect here. */
	for (unsigned r = 0x4C; r < 0x100; r++)
		d->wmask[r] = 0xff;
	for (unsigned i = 0; i < 4; i++) {
		pci_set_byte(d, PIIX3_PIRQRC + i, PIIX3_PIRQ_DISABLE);
		d->wmask[PIIX3_PIRQRC + i] = 0x8f;
	}
	update(p);
}

struct piix3 *piix3_create(const struct irq_line isa[16])
{
	struct piix3 *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	for (unsigned i = 0; i < 16; i++)
		p->isa[i] = isa[i];
	piix3_reset(p);
	return p;
}

void piix3_destroy(struct piix3 *p)
{
	free(p);
}

static void piix3_dev_reset(void *dev)
{
	piix3_reset(dev);
}

static void piix3_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct piix3 *p = dev;
	const uint8_t *r = &p->dev.config[PIIX3_PIRQRC];

	snprintf(buf, len, "pirq=%02x,%02x,%02x,%02x driven=%04x", r[0], r[1], r[2], r[3],
		 p->driven);
}

/* Save/restore, version 1: the configuration space (the PIRQ routes with
 * it) and the PCI interrupt pins as the slots hold them; the ISA lines are
 * driven again from those. */
static void piix3_dev_save(const void *dev, struct state_out *o)
{
	const struct piix3 *p = dev;

	pci_config_save(&p->dev, o);
	for (unsigned i = 0; i < 4; i++)
		state_put_u32(o, p->asserted[i]);
}

static int piix3_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct piix3 *p = dev;
	uint8_t config[256];
	uint32_t asserted[4];

	(void)from;
	pci_config_load(&p->dev, in, config);
	for (unsigned i = 0; i < 4; i++)
		asserted[i] = state_get_u32(in);
	if (!state_in_done(in))
		return -1;
	memcpy(p->dev.config, config, sizeof config);
	memcpy(p->asserted, asserted, sizeof asserted);
	update(p);
	return 0;
}

const struct device_ops piix3_device_ops = {.reset = piix3_dev_reset,
					    .describe = piix3_dev_describe,
					    .version = 1,
					    .save = piix3_dev_save,
					    .load = piix3_dev_load};
