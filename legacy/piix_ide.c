#include "legacy/piix_ide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

static void unmap_bm(struct piix_ide *p)
{
	if (!p->bm_base)
		return;
	bus_unregister(p->pio, p->bm_base);
	bus_unregister(p->pio, p->bm_base + 8);
	p->bm_base = 0;
}

/* BAR4 follows the command register's I/O enable and the address the
 * guest wrote, as the chipset's decoder would. */
static void remap_bm(struct piix_ide *p)
{
	uint32_t base = pci_bar_address(&p->dev, PIIX_IDE_BM_BAR);
	bool on = pci_get(&p->dev, PCI_COMMAND, 2) & 1;

	if (!on || !base || base + PIIX_IDE_BM_LEN > 0x10000)
		base = 0;
	if (base == p->bm_base)
		return;
	unmap_bm(p);
	if (!base)
		return;
	if (bus_register(p->pio, base, 8, &ide_bm_io_ops, &p->ide->ch[0], "IDE bus master 0") < 0) {
		log_guest("piix-ide: bus-master registers at %#x overlap another device", base);
		return;
	}
	if (bus_register(p->pio, base + 8, 8, &ide_bm_io_ops, &p->ide->ch[1], "IDE bus master 1") <
	    0) {
		bus_unregister(p->pio, base);
		log_guest("piix-ide: bus-master registers at %#x overlap another device", base);
		return;
	}
	p->bm_base = base;
}

static void written(struct pci_device *d, unsigned offset, unsigned size)
{
	unsigned bar = PCI_BAR0 + 4 * PIIX_IDE_BM_BAR;

	if ((offset < PCI_COMMAND + 2 && offset + size > PCI_COMMAND) ||
	    (offset < bar + 4 && offset + size > bar))
		remap_bm(d->opaque);
}

static const struct pci_ops piix_ide_pci_ops = {.written = written};

void piix_ide_reset(struct piix_ide *p)
{
	struct pci_device *d = &p->dev;

	unmap_bm(p);
	pci_device_init(d, PIIX_IDE_VENDOR, PIIX_IDE_DEVICE, 0x01, 0x01, 0x00, "PIIX3 IDE");
	d->ops = &piix_ide_pci_ops;
	d->opaque = p;
	pci_set_byte(d, PCI_CLASS_PROG, 0x80); /* bus master, both channels legacy */
	pci_set_word(d, PCI_STATUS, 0x0280);
	pci_set_bar(d, PIIX_IDE_BM_BAR, PIIX_IDE_BM_LEN, PCI_BAR_IO);
	/* IDE timing and the rest of the chipset registers: stored only. */
	for (unsigned r = 0x40; r < 0x50; r++)
		d->wmask[r] = 0xff;
}

struct piix_ide *piix_ide_create(struct ide *ide, struct bus *pio)
{
	struct piix_ide *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->ide = ide;
	p->pio = pio;
	piix_ide_reset(p);
	return p;
}

void piix_ide_destroy(struct piix_ide *p)
{
	if (!p)
		return;
	unmap_bm(p);
	free(p);
}

static void piix_ide_dev_reset(void *dev)
{
	piix_ide_reset(dev);
}

/* The bus masters' registers, per channel. */
static void piix_ide_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct piix_ide *p = dev;
	const struct ide_channel *c = p->ide->ch;

	snprintf(buf, len, "bm_base=%04x bm_cmd=%02x/%02x bm_status=%02x/%02x", p->bm_base,
		 c[0].bm_cmd, c[1].bm_cmd, c[0].bm_status, c[1].bm_status);
}

/* Save/restore, version 1: the configuration space (BAR4 and the I/O
 * enable place the bus-master registers, which are mapped again from it;
 * the registers themselves are the IDE controller's state). */
static void piix_ide_dev_save(const void *dev, struct state_out *o)
{
	const struct piix_ide *p = dev;

	pci_config_save(&p->dev, o);
}

static int piix_ide_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct piix_ide *p = dev;
	uint8_t config[256];

	(void)from;
	pci_config_load(&p->dev, in, config);
	if (!state_in_done(in))
		return -1;
	memcpy(p->dev.config, config, sizeof config);
	remap_bm(p);
	return 0;
}

const struct device_ops piix_ide_device_ops = {.reset = piix_ide_dev_reset,
					       .describe = piix_ide_dev_describe,
					       .version = 1,
					       .save = piix_ide_dev_save,
					       .load = piix_ide_dev_load};
