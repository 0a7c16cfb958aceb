#include "legacy/piix4_gpe.h"

#include <string.h>

#include "hv/core/log.h"

/* Every block is byte-addressed: a wider access is its bytes in order. */
static uint64_t gather(uint8_t (*byte)(struct piix4_gpe *, unsigned), struct piix4_gpe *g,
		       uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (uint64_t)byte(g, (unsigned)offset + i) << (8 * i);
	return v;
}

static uint8_t gpe0_byte(struct piix4_gpe *g, unsigned at)
{
	if (at < 2)
		return g->sts[at];
	return at < 4 ? g->en[at - 2] : 0xff;
}

static uint64_t gpe0_read(void *opaque, uint64_t offset, unsigned size)
{
	return gather(gpe0_byte, opaque, offset, size);
}

static void gpe0_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct piix4_gpe *g = opaque;

	for (unsigned i = 0; i < size && i < 8; i++) {
		unsigned at = (unsigned)offset + i;
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (at < 2)
			g->sts[at] &= (uint8_t)~b; /* write one to clear */
		else if (at < 4)
			g->en[at - 2] = b;
	}
}

static const struct io_ops gpe0_ops = {gpe0_read, gpe0_write};

/* Slots up, slots down, removable slots and the bus select all read as
 * zero: no hotplug, nothing removable, bus 0. */
static uint64_t pcihp_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

static void pcihp_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	if (offset == PCIHP_EJECT && value)
		log_guest("piix4: guest asked to eject PCI slots %#llx; hv has no hot-unplug, "
			  "the devices stay",
			  (unsigned long long)value);
	else if (offset != PCIHP_BSEL || value)
		log_guest("piix4: %u-byte write of %#llx to PCI hotplug port %#x ignored", size,
			  (unsigned long long)value, PIIX4_PCIHP_PORT + (unsigned)offset);
}

static const struct io_ops pcihp_ops = {pcihp_read, pcihp_write};

static uint8_t cpuhp_byte(struct piix4_gpe *g, unsigned at)
{
	unsigned first = at * 8;

	if (g->cpus >= first + 8)
		return 0xff;
	return g->cpus > first ? (uint8_t)((1u << (g->cpus - first)) - 1) : 0;
}

static uint64_t cpuhp_read(void *opaque, uint64_t offset, unsigned size)
{
	return gather(cpuhp_byte, opaque, offset, size);
}

static void cpuhp_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	log_guest("piix4: %u-byte write of %#llx to the CPU present bitmap (+%#x) ignored", size,
		  (unsigned long long)value, (unsigned)offset);
}

static const struct io_ops cpuhp_ops = {cpuhp_read, cpuhp_write};

static bool place(struct bus *pio, uint16_t port, uint16_t len, const struct io_ops *ops,
		  void *opaque, const char *what)
{
	if (bus_register(pio, port, len, ops, opaque, what) == 0)
		return true;
	log_guest("piix4: ports %#x-%#x taken, no %s", port, port + len - 1, what);
	return false;
}

void piix4_gpe_init(struct piix4_gpe *g, struct bus *pio, unsigned cpus)
{
	memset(g, 0, sizeof *g);
	g->pio = pio;
	g->cpus = cpus < 1 ? 1 : cpus > 256 ? 256 : cpus;
	g->gpe_on = place(pio, PIIX4_GPE0_PORT, PIIX4_GPE0_LEN, &gpe0_ops, g, "ACPI GPE0 block");
	g->pcihp_on = place(pio, PIIX4_PCIHP_PORT, PIIX4_PCIHP_LEN, &pcihp_ops, g, "PCI hotplug");
	g->cpuhp_on = place(pio, PIIX4_CPUHP_PORT, PIIX4_CPUHP_LEN, &cpuhp_ops, g, "CPU hotplug");
}

void piix4_gpe_fini(struct piix4_gpe *g)
{
	if (g->gpe_on)
		bus_unregister(g->pio, PIIX4_GPE0_PORT);
	if (g->pcihp_on)
		bus_unregister(g->pio, PIIX4_PCIHP_PORT);
	if (g->cpuhp_on)
		bus_unregister(g->pio, PIIX4_CPUHP_PORT);
	g->gpe_on = g->pcihp_on = g->cpuhp_on = false;
}

void piix4_gpe_reset(struct piix4_gpe *g)
{
	memset(g->sts, 0, sizeof g->sts);
	memset(g->en, 0, sizeof g->en);
}
