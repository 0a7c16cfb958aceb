#include "legacy/i440fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

static uint8_t *ram_at(struct i440fx_seg *s, uint64_t offset)
{
	return s->fx->mem->ram + s->base + offset;
}

/* Mode 2: the read side is the ROM (or RAM where there is no ROM), the
 * write side is RAM. The memory map has no such region kind, so it is an
 * MMIO region; only BIOS copy loops run through it. */
static uint64_t shadow_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i440fx_seg *s = opaque;
	const uint8_t *src = s->rom ? s->rom + offset : ram_at(s, offset);
	uint64_t v = 0;

	for (unsigned i = 0; i < size && offset + i < s->size; i++)
		v |= (uint64_t)src[i] << (8 * i);
	return v;
}

static void shadow_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct i440fx_seg *s = opaque;

	for (unsigned i = 0; i < size && offset + i < s->size; i++)
		*ram_at(s, offset + i) = (uint8_t)(value >> (8 * i));
	/* The RAM behind the shadow: written, as any RAM write is, for the
	 * dirty logs (migration must carry the shadowed BIOS). */
	mem_mark_written(s->fx->mem, s->base + offset, size);
}

static const struct io_ops shadow_ops = {shadow_read, shadow_write};

static int map_seg(struct i440fx_seg *s, unsigned mode)
{
	struct guest_mem *mem = s->fx->mem;
	bool ram = s->base + s->size <= mem->ram_size;

	switch (mode) {
	case PAM_ROM: return s->rom ? mem_map_rom(mem, s->base, s->size, s->rom, "BIOS (PAM)") : 1;
	case PAM_READ_RAM:
		return ram ? mem_map_rom(mem, s->base, s->size, ram_at(s, 0), "shadow RAM (PAM)")
			   : 1;
	case PAM_WRITE_RAM:
		return ram ? mem_map_mmio(mem, s->base, s->size, &shadow_ops, s,
					  "shadow copy (PAM)")
			   : 1;
	default: return 1; /* RAM shows through */
	}
}

static void set_seg(struct i440fx_seg *s, unsigned mode)
{
	int r;

	if (s->mapped)
		mem_unmap(s->fx->mem, s->base);
	s->mapped = false;
	s->mode = (uint8_t)mode;
	r = map_seg(s, mode);
	if (r < 0)
		log_guest("i440fx: cannot map PAM segment %#llx mode %u",
			  (unsigned long long)s->base, mode);
	s->mapped = r == 0;
}

static unsigned seg_mode(const struct i440fx *fx, unsigned i)
{
	unsigned reg = i == 0 ? I440FX_PAM0 : I440FX_PAM0 + 1 + (i - 1) / 2;
	unsigned shift = i == 0 || (i - 1) % 2 ? 4 : 0;

	return (fx->dev.config[reg] >> shift) & 3;
}

static void update(struct i440fx *fx, bool force)
{
	for (unsigned i = 0; i < I440FX_SEGS; i++) {
		unsigned mode = seg_mode(fx, i);

		if (force || mode != fx->seg[i].mode)
			set_seg(&fx->seg[i], mode);
	}
}

static void written(struct pci_device *d, unsigned offset, unsigned size)
{
	if (offset + size > I440FX_PAM0 && offset <= I440FX_PAM0 + 6)
		update(d->opaque, false);
}

static const struct pci_ops i440fx_pci_ops = {.written = written};

void i440fx_reset(struct i440fx *fx)
{
	struct pci_device *d = &fx->dev;

	pci_device_init(d, I440FX_VENDOR, I440FX_DEVICE, 0x06, 0x00, 0x02, "i440FX");
	d->ops = &i440fx_pci_ops;
	d->opaque = fx;
	pci_set_word(d, PCI_COMMAND, 0x0006);
	pci_set_word(d, PCI_STATUS, 0x0280); /* fast back-to-back, medium DEVSEL */
	d->wmask[I440FX_PAM0] = 0x30;
	for (unsigned r = I440FX_PAM0 + 1; r <= I440FX_PAM0 + 6; r++)
		d->wmask[r] = 0x33;
	pci_set_byte(d, I440FX_SMRAM, 0x02);
	d->wmask[I440FX_SMRAM] = 0x78;
	update(fx, true);
}

struct i440fx *i440fx_create(struct guest_mem *mem, uint64_t rom_base, uint8_t *rom)
{
	struct i440fx *fx = calloc(1, sizeof *fx);

	if (!fx)
		return NULL;
	fx->mem = mem;
	for (unsigned i = 0; i < I440FX_SEGS; i++) {
		struct i440fx_seg *s = &fx->seg[i];

		s->fx = fx;
		s->base = i == 0 ? 0xF0000 : 0xC0000 + 0x4000ull * (i - 1);
		s->size = i == 0 ? 0x10000 : 0x4000;
		s->rom = rom && s->base >= rom_base ? rom + (s->base - rom_base) : NULL;
	}
	i440fx_reset(fx);
	return fx;
}

void i440fx_destroy(struct i440fx *fx)
{
	if (!fx)
		return;
	for (unsigned i = 0; i < I440FX_SEGS; i++)
		if (fx->seg[i].mapped)
			mem_unmap(fx->mem, fx->seg[i].base);
	free(fx);
}

static void i440fx_dev_reset(void *dev)
{
	i440fx_reset(dev);
}

/* Shadowing as firmware left it: one digit per segment (F0000h first),
 * enum i440fx_pam_mode. */
static void i440fx_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct i440fx *fx = dev;
	char pam[I440FX_SEGS + 1];

	for (unsigned i = 0; i < I440FX_SEGS; i++)
		pam[i] = (char)('0' + fx->seg[i].mode);
	pam[I440FX_SEGS] = '\0';
	snprintf(buf, len, "pam=%s smram=%02x", pam, fx->dev.config[I440FX_SMRAM]);
}

/* Save/restore, version 1: the configuration space (PAM and SMRAM with
 * it); the shadow mapping is rebuilt from the PAM registers. The ROM and
 * the memory map are the machine's. */
static void i440fx_dev_save(const void *dev, struct state_out *o)
{
	const struct i440fx *fx = dev;

	pci_config_save(&fx->dev, o);
}

static int i440fx_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct i440fx *fx = dev;
	uint8_t config[256];

	(void)from;
	pci_config_load(&fx->dev, in, config);
	if (!state_in_done(in))
		return -1;
	memcpy(fx->dev.config, config, sizeof config);
	update(fx, true);
	return 0;
}

const struct device_ops i440fx_device_ops = {.reset = i440fx_dev_reset,
					     .describe = i440fx_dev_describe,
					     .version = 1,
					     .save = i440fx_dev_save,
					     .load = i440fx_dev_load};
