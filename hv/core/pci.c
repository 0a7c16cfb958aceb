#include "hv/core/pci.h"

#include <stdio.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define ADDR_ENABLE 0x80000000u

void pci_set_byte(struct pci_device *d, unsigned offset, uint8_t v)
{
	d->config[offset & 0xff] = v;
}

void pci_set_word(struct pci_device *d, unsigned offset, uint16_t v)
{
	pci_set_byte(d, offset, (uint8_t)v);
	pci_set_byte(d, offset + 1, (uint8_t)(v >> 8));
}

void pci_set_long(struct pci_device *d, unsigned offset, uint32_t v)
{
	pci_set_word(d, offset, (uint16_t)v);
	pci_set_word(d, offset + 2, (uint16_t)(v >> 16));
}

uint32_t pci_get(const struct pci_device *d, unsigned offset, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d->config[(offset + i) & 0xff] << (8 * i);
	return v;
}

void pci_device_init(struct pci_device *d, uint16_t vendor, uint16_t device, uint8_t class_base,
		     uint8_t class_sub, uint8_t revision, const char *name)
{
	memset(d->config, 0, sizeof d->config);
	memset(d->wmask, 0, sizeof d->wmask);
	pci_set_word(d, PCI_VENDOR_ID, vendor);
	pci_set_word(d, PCI_DEVICE_ID, device);
	pci_set_byte(d, PCI_REVISION, revision);
	pci_set_byte(d, PCI_CLASS_DEVICE, class_sub);
	pci_set_byte(d, PCI_CLASS_DEVICE + 1, class_base);
	d->wmask[PCI_COMMAND] = 0x07;	  /* I/O, memory, bus master */
	d->wmask[PCI_COMMAND + 1] = 0x04; /* interrupt disable */
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	d->ops = NULL;
	d->opaque = NULL;
	d->name = name;
}

void pci_set_bar(struct pci_device *d, unsigned n, uint32_t size, uint32_t flags)
{
	unsigned off = PCI_BAR0 + 4 * (n % 6);
	uint32_t mask = ~(size - 1);

	/* The flag bits sit below the size and never change, so writing all
	 * ones reads back ~(size - 1) | flags: the sizing probe. */
	pci_set_long(d, off, flags);
	for (unsigned i = 0; i < 4; i++)
		d->wmask[off + i] = (uint8_t)(mask >> (8 * i));
}

uint32_t pci_bar_address(const struct pci_device *d, unsigned n)
{
	uint32_t v = pci_get(d, PCI_BAR0 + 4 * (n % 6), 4);

	return v & (v & PCI_BAR_IO ? ~3u : ~15u);
}

void pci_bus_init(struct pci_bus *bus)
{
	memset(bus, 0, sizeof *bus);
}

int pci_bus_add(struct pci_bus *bus, unsigned slot, unsigned func, struct pci_device *d)
{
	if (slot >= PCI_SLOTS || func >= PCI_FUNCS || bus->devs[slot * PCI_FUNCS + func])
		return -1;
	bus->devs[slot * PCI_FUNCS + func] = d;
	return 0;
}

static struct pci_device *lookup(struct pci_bus *bus, unsigned slot, unsigned func)
{
	if (slot >= PCI_SLOTS || func >= PCI_FUNCS)
		return NULL;
	return bus->devs[slot * PCI_FUNCS + func];
}

uint32_t pci_config_read(struct pci_bus *bus, unsigned slot, unsigned func, unsigned offset,
			 unsigned size)
{
	struct pci_device *d = lookup(bus, slot, func);
	uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	uint32_t v;

	if (!d || offset > 0xff || size == 0 || size > 4)
		return ones; /* no device: the host bridge's master abort */
	if ((offset & 3) + size > 4)
		size = 4 - (offset & 3);
	v = pci_get(d, offset, size);
	if (d->ops && d->ops->read)
		v = d->ops->read(d, offset, size, v);
	return v & ones;
}

void pci_config_write(struct pci_bus *bus, unsigned slot, unsigned func, unsigned offset,
		      unsigned size, uint32_t value)
{
	struct pci_device *d = lookup(bus, slot, func);

	if (!d || offset > 0xff || size == 0 || size > 4)
		return;
	if ((offset & 3) + size > 4)
		size = 4 - (offset & 3);
	for (unsigned i = 0; i < size; i++) {
		uint8_t m = d->wmask[offset + i];
		uint8_t b = (uint8_t)(value >> (8 * i));

		d->config[offset + i] = (uint8_t)((d->config[offset + i] & ~m) | (b & m));
	}
	if (d->ops && d->ops->written)
		d->ops->written(d, offset, size);
}

static uint64_t address_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pci_bus *bus = opaque;

	if (offset != 0 || size != 4)
		return ~0ull; /* only whole-dword accesses reach the address latch */
	return bus->address;
}

static void address_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pci_bus *bus = opaque;

	if (offset != 0 || size != 4) {
		log_guest("pci: %u-byte write to CF8h+%u ignored", size, (unsigned)offset);
		return;
	}
	bus->address = (uint32_t)value & 0x80fffffcu;
}

/* Decodes CF8h for a data-port access at byte `offset` of CFCh; false when
 * the access goes nowhere (disabled, or a bus other than 0). */
static bool target(const struct pci_bus *bus, uint64_t offset, unsigned *slot, unsigned *func,
		   unsigned *reg)
{
	if (!(bus->address & ADDR_ENABLE) || ((bus->address >> 16) & 0xff) != 0)
		return false;
	*slot = (bus->address >> 11) & 0x1f;
	*func = (bus->address >> 8) & 7;
	*reg = (bus->address & 0xfc) + (unsigned)offset;
	return true;
}

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
	unsigned slot, func, reg;

	if (!target(opaque, offset, &slot, &func, &reg))
		return ~0ull;
	return pci_config_read(opaque, slot, func, reg, size);
}

static void data_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	unsigned slot, func, reg;

	if (target(opaque, offset, &slot, &func, &reg))
		pci_config_write(opaque, slot, func, reg, size, (uint32_t)value);
}

const struct io_ops pci_address_io_ops = {address_read, address_write};
const struct io_ops pci_data_io_ops = {data_read, data_write};

/* The configuration address latch: what firmware selected last. The
 * functions on the bus are their devices' to reset. */
static void pci_bus_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct pci_bus *bus = dev;
	unsigned n = 0;

	for (unsigned i = 0; i < PCI_SLOTS * PCI_FUNCS; i++)
		n += bus->devs[i] != NULL;
	snprintf(buf, len, "address=%08x functions=%u", bus->address, n);
}

void pci_config_save(const struct pci_device *d, struct state_out *o)
{
	state_put_bytes(o, d->config, sizeof d->config);
}

void pci_config_load(const struct pci_device *d, struct state_in *in, uint8_t config[256])
{
	uint8_t b[256];

	state_get_bytes(in, b, sizeof b);
	if (memcmp(b, d->config, 4) != 0)
		in->failed = true;
	for (unsigned i = 0; i < sizeof b; i++)
		config[i] = (uint8_t)((d->config[i] & ~d->wmask[i]) | (b[i] & d->wmask[i]));
}

/* Save/restore of the bus, version 1: the address latch (the functions
 * are their devices' to save); a latch value no CF8h write leaves is
 * refused. */
static void pci_bus_dev_save(const void *dev, struct state_out *o)
{
	const struct pci_bus *bus = dev;

	state_put_u32(o, bus->address);
}

static int pci_bus_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct pci_bus *bus = dev;
	uint32_t address = state_get_u32(in);

	(void)from;
	if (!state_in_done(in) || (address & ~0x80fffffcu))
		return -1;
	bus->address = address;
	return 0;
}

const struct device_ops pci_bus_device_ops = {.describe = pci_bus_dev_describe,
					      .version = 1,
					      .save = pci_bus_dev_save,
					      .load = pci_bus_dev_load};
