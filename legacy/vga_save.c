/* The VGA's save and load ops (device_ops, version 1).
 *
 * Version 1, in order: misc output and feature control; the sequencer,
 * graphics controller and CRTC indexes each followed by their registers
 * (VGA_SR_COUNT, VGA_GR_COUNT, VGA_CR_COUNT bytes); the attribute index,
 * its index/data flip-flop and VGA_AR_COUNT registers; the DAC's 768
 * bytes, write and read index, component, read/write state and PEL mask;
 * the 32-bit latch; the DISPI index and VBE_REG_COUNT DISPI registers;
 * the input-status read counter; the PCI configuration space (BAR 0 and
 * the command register decide where the LFB is mapped); then video memory
 * as a u32 count of 4 KiB pages followed by that many (u32 page number,
 * 4096 bytes) pairs, page numbers strictly increasing and no page all
 * zeros (the pages not listed are zeros), so a 16 MiB card in text mode
 * costs a few pages.
 *
 * The load takes nothing a port write could not leave: register bits
 * outside their write masks, an index past what its port stores, a DISPI
 * geometry the enable path would refuse, a page past video memory, are
 * refused, and nothing is changed until the whole state has been read and
 * checked. The mapping of the LFB is derived again from BAR 0, and the
 * dirty generation moves so a renderer redraws the whole screen. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "hv/core/savefile.h"
#include "hv/core/state.h"
#include "legacy/vga.h"

#define PAGE	  4096u
#define PAGES	  (VGA_VRAM_SIZE / PAGE)
#define DAC_BYTES (256 * 3)

static bool page_zero(const uint8_t *p)
{
	static const uint8_t zero[PAGE];

	return memcmp(p, zero, PAGE) == 0;
}

/* Whether page i is data: a page in a hole of the memfd is zero without
 * being read (reading it would give it a page). Asked in ascending order. */
static bool page_data(const struct vga *v, struct savefile_extent *e, uint32_t i)
{
	return savefile_extent_data(e, (uint64_t)i * PAGE) &&
	       !page_zero(v->vram + (size_t)i * PAGE);
}

static void save_vram(const struct vga *v, struct state_out *o)
{
	struct savefile_extent e = {.fd = v->vram_fd};
	uint32_t n = 0;

	for (uint32_t i = 0; i < PAGES; i++)
		n += page_data(v, &e, i);
	state_put_u32(o, n);
	e = (struct savefile_extent){.fd = v->vram_fd};
	for (uint32_t i = 0; i < PAGES; i++) {
		if (!page_data(v, &e, i))
			continue;
		state_put_u32(o, i);
		state_put_bytes(o, v->vram + (size_t)i * PAGE, PAGE);
	}
}

static void save(const void *dev, struct state_out *o)
{
	const struct vga *v = dev;

	state_put_u8(o, v->misc);
	state_put_u8(o, v->feature);
	state_put_u8(o, v->sr_index);
	state_put_bytes(o, v->sr, VGA_SR_COUNT);
	state_put_u8(o, v->gr_index);
	state_put_bytes(o, v->gr, VGA_GR_COUNT);
	state_put_u8(o, v->cr_index);
	state_put_bytes(o, v->cr, VGA_CR_COUNT);
	state_put_u8(o, v->ar_index);
	state_put_bool(o, v->ar_data_next);
	state_put_bytes(o, v->ar, VGA_AR_COUNT);
	state_put_bytes(o, v->dac, DAC_BYTES);
	state_put_u8(o, v->dac_write_index);
	state_put_u8(o, v->dac_read_index);
	state_put_u8(o, v->dac_component);
	state_put_bool(o, v->dac_reading);
	state_put_u8(o, v->pel_mask);
	state_put_u32(o, v->latch);
	state_put_u16(o, v->vbe_index);
	for (unsigned i = 0; i < VBE_REG_COUNT; i++)
		state_put_u16(o, v->vbe[i]);
	state_put_u32(o, v->status_reads);
	pci_config_save(&v->pci, o);
	save_vram(v, o);
}

/* Reads n registers and fails the reader for a bit outside their masks. */
static void get_regs(struct state_in *in, uint8_t *regs, const uint8_t *mask, unsigned n)
{
	state_get_bytes(in, regs, n);
	for (unsigned i = 0; mask && i < n; i++)
		if (regs[i] & ~mask[i])
			in->failed = true;
}

static unsigned vbe_line(unsigned bpp, unsigned width)
{
	if (bpp == 4)
		return width / 2;
	return width * (bpp == 15 ? 2 : bpp / 8u);
}

/* The DISPI registers as vga_vbe_write can leave them: the geometry in
 * range and, while enabled, fitting video memory (the enable path's and
 * the virtual width's checks). */
static bool vbe_valid(const uint16_t *r)
{
	const uint16_t enable_bits =
	    VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM;
	unsigned bpp = r[VBE_BPP], line, vline;

	if (r[VBE_ID] < VBE_ID0 || r[VBE_ID] > VBE_ID5 || r[VBE_XRES] > VBE_MAX_XRES ||
	    r[VBE_XRES] % 8 || r[VBE_YRES] > VBE_MAX_YRES || (r[VBE_ENABLE] & ~enable_bits) ||
	    r[VBE_BANK] >= VGA_VRAM_SIZE >> 16 ||
	    r[VBE_VIDEO_MEMORY_64K] != (uint16_t)(VGA_VRAM_SIZE >> 16))
		return false;
	if (bpp != 4 && bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32)
		return false;
	if (!(r[VBE_ENABLE] & VBE_ENABLED))
		return true;
	line = vbe_line(bpp, r[VBE_XRES]);
	vline = vbe_line(bpp, r[VBE_VIRT_WIDTH]);
	return r[VBE_XRES] && r[VBE_YRES] && (uint64_t)line * r[VBE_YRES] <= VGA_VRAM_SIZE &&
	       r[VBE_VIRT_WIDTH] >= r[VBE_XRES] && vline &&
	       (uint64_t)vline * r[VBE_YRES] <= VGA_VRAM_SIZE;
}

/* Everything but video memory, into c. */
static void load_regs(struct vga *c, struct state_in *in)
{
	uint8_t config[256];

	c->misc = state_get_u8(in);
	c->feature = state_get_u8(in);
	c->sr_index = state_get_u8(in);
	get_regs(in, c->sr, vga_sr_mask, VGA_SR_COUNT);
	c->gr_index = state_get_u8(in);
	get_regs(in, c->gr, vga_gr_mask, VGA_GR_COUNT);
	c->cr_index = state_get_u8(in);
	get_regs(in, c->cr, NULL, VGA_CR_COUNT);
	c->ar_index = state_get_u8(in);
	c->ar_data_next = state_get_bool(in);
	get_regs(in, c->ar, vga_ar_mask, VGA_AR_COUNT);
	state_get_bytes(in, c->dac, DAC_BYTES);
	c->dac_write_index = state_get_u8(in);
	c->dac_read_index = state_get_u8(in);
	c->dac_component = state_get_u8(in);
	c->dac_reading = state_get_bool(in);
	c->pel_mask = state_get_u8(in);
	c->latch = state_get_u32(in);
	c->vbe_index = state_get_u16(in);
	for (unsigned i = 0; i < VBE_REG_COUNT; i++)
		c->vbe[i] = state_get_u16(in);
	c->status_reads = state_get_u32(in);
	pci_config_load(&c->pci, in, config);
	memcpy(c->pci.config, config, sizeof config);
	if ((c->feature & ~0x03) || c->ar_index > 0x3f || c->dac_component > 2 ||
	    !vbe_valid(c->vbe))
		in->failed = true;
}

/* All of video memory zero: the memfd's pages freed (a hole punched) or
 * anonymous pages dropped, without touching them; else each page that is
 * not zero already is cleared. */
static void clear_vram(struct vga *v)
{
	if (v->vram_fd >= 0 ? fallocate(v->vram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
					VGA_VRAM_SIZE) == 0
			    : madvise(v->vram, VGA_VRAM_SIZE, MADV_DONTNEED) == 0)
		return;
	for (uint32_t i = 0; i < PAGES; i++)
		if (!page_zero(v->vram + (size_t)i * PAGE))
			memset(v->vram + (size_t)i * PAGE, 0, PAGE);
}

/* Reads the page list; into vram when it is not NULL (the second pass,
 * over bytes the first pass checked, into video memory cleared first),
 * else only checking it. */
static void load_vram(uint8_t *vram, struct state_in *in)
{
	static uint8_t page[PAGE];
	uint32_t n = state_get_max(in, PAGES), next = 0;

	for (uint32_t k = 0; k < n && !in->failed; k++) {
		uint32_t i = state_get_u32(in);

		if (i < next || i >= PAGES) {
			in->failed = true;
			return;
		}
		if (vram) {
			state_get_bytes(in, vram + (size_t)i * PAGE, PAGE);
		} else {
			state_get_bytes(in, page, PAGE);
			if (page_zero(page))
				in->failed = true; /* save never lists one */
		}
		next = i + 1;
	}
}

static int load(void *dev, struct state_in *in, uint32_t from)
{
	struct vga *v = dev;
	struct vga c = *v;
	size_t at;

	(void)from;
	load_regs(&c, in);
	at = in->pos;
	load_vram(NULL, in);
	if (!state_in_done(in))
		return -1;
	in->pos = at;
	clear_vram(v);
	load_vram(v->vram, in);
	c.lfb_base = v->lfb_base; /* the mapping in place, moved to BAR 0 below */
	*v = c;
	vga_pci_update_lfb(v);
	v->dirty++;
	return 0;
}

static void vga_dev_reset(void *dev)
{
	vga_reset(dev);
}

const struct device_ops vga_device_ops = {.reset = vga_dev_reset,
					  .describe = vga_describe_state,
					  .version = 1,
					  .save = save,
					  .load = load};
