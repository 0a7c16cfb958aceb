/* The VGA's life cycle and the read-only view a renderer uses (palette,
 * cursor, split screen, dirty generation). */
#include "legacy/vga.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Mode 03h (80x25 colour text) as a VGA BIOS programs it: a bare-metal
 * guest that writes to B8000h without calling the BIOS still gets a text
 * screen, as on a PC whose option ROM already ran. */
static const uint8_t mode3_sr[VGA_SR_COUNT] = {0x03, 0x00, 0x03, 0x00, 0x02};
static const uint8_t mode3_gr[VGA_GR_COUNT] = {0x00, 0x00, 0x00, 0x00, 0x00,
					       0x10, 0x0e, 0x0f, 0xff};
static const uint8_t mode3_cr[VGA_CR_COUNT] = {0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00,
					       0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
					       0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff};
static const uint8_t mode3_ar[VGA_AR_COUNT] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14,
					       0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
					       0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00};

/* The 64 colours of the EGA palette (rgbRGB bits) in the first 64 DAC
 * entries, so the attribute palette above means what it does on a PC. */
static void default_dac(struct vga *v)
{
	for (unsigned i = 0; i < 64; i++) {
		unsigned r = ((i >> 2) & 1) * 2 + ((i >> 5) & 1);
		unsigned g = ((i >> 1) & 1) * 2 + ((i >> 4) & 1);
		unsigned b = (i & 1) * 2 + ((i >> 3) & 1);

		v->dac[i][0] = (uint8_t)(r * 21);
		v->dac[i][1] = (uint8_t)(g * 21);
		v->dac[i][2] = (uint8_t)(b * 21);
	}
}

void vga_reset(struct vga *v)
{
	v->misc = 0x67;
	v->feature = 0;
	v->sr_index = v->gr_index = v->cr_index = 0;
	memset(v->sr, 0, sizeof v->sr);
	memset(v->gr, 0, sizeof v->gr);
	memset(v->cr, 0, sizeof v->cr);
	memset(v->ar, 0, sizeof v->ar);
	memcpy(v->sr, mode3_sr, sizeof mode3_sr);
	memcpy(v->gr, mode3_gr, sizeof mode3_gr);
	memcpy(v->cr, mode3_cr, sizeof mode3_cr);
	memcpy(v->ar, mode3_ar, sizeof mode3_ar);
	v->ar_index = 0x20;
	v->ar_data_next = false;
	memset(v->dac, 0, sizeof v->dac);
	default_dac(v);
	v->dac_write_index = v->dac_read_index = v->dac_component = 0;
	v->dac_reading = false;
	v->pel_mask = 0xff;
	v->latch = 0;
	v->vbe_index = 0;
	memset(v->vbe, 0, sizeof v->vbe);
	v->vbe[VBE_ID] = VBE_ID5;
	v->vbe[VBE_BPP] = 8;
	v->vbe[VBE_VIDEO_MEMORY_64K] = (uint16_t)(VGA_VRAM_SIZE >> 16);
	memset(v->vram, 0, VGA_PLANAR_SIZE);
	vga_pci_reset(v);
	v->dirty++;
}

struct vga *vga_create(struct vclock *clock, struct guest_mem *mem)
{
	struct vga *v = calloc(1, sizeof *v);

	if (!v)
		return NULL;
	/* A memfd's pages: the 16 MiB cost nothing until a VBE mode uses
	 * them, the LFB maps them into the guest directly, and a save finds
	 * the pages never written (holes) without reading them. Anonymous
	 * memory where a memfd cannot be had. */
	v->vram_fd = memfd_create("hv-vram", MFD_CLOEXEC);
	if (v->vram_fd >= 0 && ftruncate(v->vram_fd, VGA_VRAM_SIZE) < 0) {
		close(v->vram_fd);
		v->vram_fd = -1;
	}
	v->vram = v->vram_fd >= 0
		      ? mmap(NULL, VGA_VRAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v->vram_fd, 0)
		      : MAP_FAILED;
	if (v->vram == MAP_FAILED) {
		if (v->vram_fd >= 0)
			close(v->vram_fd);
		v->vram_fd = -1;
		v->vram = mmap(NULL, VGA_VRAM_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (v->vram == MAP_FAILED) {
		free(v);
		return NULL;
	}
	v->clock = clock;
	v->mem = mem;
	vga_reset(v);
	return v;
}

void vga_destroy(struct vga *v)
{
	if (!v)
		return;
	if (v->lfb_base)
		mem_unmap(v->mem, v->lfb_base);
	munmap(v->vram, VGA_VRAM_SIZE);
	if (v->vram_fd >= 0)
		close(v->vram_fd);
	free(v);
}

const uint8_t *vga_vram(const struct vga *v)
{
	return v->vram;
}

static uint8_t dac_to_8bit(const struct vga *v, uint8_t c)
{
	if (v->vbe[VBE_ENABLE] & VBE_8BIT_DAC)
		return c;
	c &= 0x3f;
	return (uint8_t)((c << 2) | (c >> 4));
}

void vga_palette(const struct vga *v, uint32_t rgb[256])
{
	for (unsigned i = 0; i < 256; i++) {
		const uint8_t *e = v->dac[i & v->pel_mask];

		rgb[i] = (uint32_t)dac_to_8bit(v, e[0]) << 16 |
			 (uint32_t)dac_to_8bit(v, e[1]) << 8 | dac_to_8bit(v, e[2]);
	}
}

uint8_t vga_attr_colour(const struct vga *v, uint8_t colour)
{
	uint8_t p = v->ar[colour & v->ar[0x12] & 0x0f];

	if (v->ar[0x10] & 0x80) /* P5-P4 come from the colour select register */
		p = (uint8_t)((p & 0x0f) | ((v->ar[0x14] & 3) << 4));
	else
		p &= 0x3f;
	return (uint8_t)(p | ((v->ar[0x14] & 0x0c) << 4));
}

/* The blink phase: the VGA toggles the cursor every 16 frames and blinking
 * text every 32 (at 70 Hz, about 4 and 2 times a second). */
static bool blink_phase(const struct vga *v, unsigned frames)
{
	const int64_t frame_ns = 14268000;

	if (!v->clock)
		return true;
	return ((vclock_now(v->clock) / frame_ns) / frames) % 2 == 0;
}

void vga_get_cursor(const struct vga *v, struct vga_cursor *c)
{
	struct vga_mode m;
	uint32_t loc = (uint32_t)v->cr[0x0e] << 8 | v->cr[0x0f];
	uint32_t rel;

	vga_get_mode(v, &m);
	memset(c, 0, sizeof *c);
	c->start_line = v->cr[0x0a] & 0x1f;
	c->end_line = v->cr[0x0b] & 0x1f;
	c->blink_on = blink_phase(v, 16);
	if (m.kind != VGA_TEXT || m.line_offset == 0 || loc < m.start)
		return;
	rel = loc - m.start;
	c->col = rel % m.line_offset;
	c->row = rel / m.line_offset;
	c->visible = !(v->cr[0x0a] & 0x20) && c->col < m.cols && c->row < m.rows &&
		     c->start_line <= c->end_line;
}

uint32_t vga_font_base(const struct vga *v, bool attr_bit3)
{
	uint8_t s = v->sr[0x03];
	/* Map A: bits 5, 1, 0; map B: bits 4, 3, 2. The high bit picks the
	 * odd 8 KiB half of a 16 KiB bank. */
	unsigned map =
	    attr_bit3 ? ((s >> 5) & 1) << 2 | (s & 3) : ((s >> 4) & 1) << 2 | ((s >> 2) & 3);

	return (map & 3) * 0x4000u + (map >> 2) * 0x2000u;
}

uint8_t vga_attr_mode(const struct vga *v)
{
	return v->ar[0x10];
}

uint8_t vga_char_map_select(const struct vga *v)
{
	return v->sr[0x03];
}

unsigned vga_line_compare(const struct vga *v)
{
	return v->cr[0x18] | (v->cr[0x07] & 0x10) << 4 | (v->cr[0x09] & 0x40) << 3;
}

uint32_t vga_dirty_generation(const struct vga *v)
{
	return v->dirty;
}

uint64_t vga_lfb_base(const struct vga *v)
{
	return v->lfb_base;
}

struct guest_mem *vga_guest_mem(const struct vga *v)
{
	return v->mem;
}

static const char *const vga_kind_name[] = {
    [VGA_TEXT] = "text",	   [VGA_CGA] = "cga",
    [VGA_PLANAR] = "planar",	   [VGA_CHAIN4] = "chain4",
    [VGA_UNCHAINED] = "unchained", [VGA_VBE] = "vbe",
};

/* The displayed mode and what decides it: a blank screen is often the
 * sequencer held in reset or the attribute controller's palette source
 * left off. */
void vga_describe_state(const void *dev, char *buf, size_t len)
{
	const struct vga *v = dev;
	struct vga_mode m;

	vga_get_mode(v, &m);
	snprintf(buf, len,
		 "mode=%s width=%u height=%u bpp=%u bios_mode=%d blank=%d start=%x misc=%02x "
		 "seq_reset=%02x ar_index=%02x vbe_enable=%04x lfb=%llx",
		 vga_kind_name[m.kind], m.width, m.height, m.bpp, m.number, m.blank, m.start,
		 v->misc, v->sr[0], v->ar_index, v->vbe[VBE_ENABLE],
		 (unsigned long long)v->lfb_base);
}
