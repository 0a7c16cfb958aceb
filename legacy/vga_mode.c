/* What the registers say is on the screen: the memory model, the
 * geometry and the BIOS mode it matches. */
#include "legacy/vga.h"

#include <stdio.h>
#include <string.h>

static unsigned vertical_display(const struct vga *v)
{
	return (v->cr[0x12] | (v->cr[0x07] & 0x02) << 7 | (v->cr[0x07] & 0x40) << 3) + 1u;
}

static enum vga_kind kind_of(const struct vga *v)
{
	if (vga_vbe_active(v))
		return VGA_VBE;
	if (!(v->gr[0x06] & 0x01))
		return VGA_TEXT;
	if (v->gr[0x05] & 0x40)
		return v->sr[0x04] & 0x08 ? VGA_CHAIN4 : VGA_UNCHAINED;
	if (v->gr[0x05] & 0x20)
		return VGA_CGA;
	return VGA_PLANAR;
}

static void text_geometry(const struct vga *v, struct vga_mode *m)
{
	unsigned lines = vertical_display(v);

	if (v->cr[0x09] & 0x80)
		lines /= 2;
	m->char_width = v->sr[0x01] & 0x01 ? 8 : 9;
	m->char_height = (v->cr[0x09] & 0x1f) + 1u;
	m->cols = v->cr[0x01] + 1u;
	m->rows = lines / m->char_height;
	m->width = m->cols * m->char_width;
	m->height = m->rows * m->char_height;
	m->bpp = 4;
	m->number = m->cols <= 40 ? 0x01 : (v->misc & 1 ? 0x03 : 0x07);
}

static int graphics_number(const struct vga_mode *m)
{
	static const struct {
		enum vga_kind kind;
		unsigned w, h, bpp;
		int number;
	} known[] = {
	    {VGA_CGA, 320, 200, 2, 0x04},    {VGA_PLANAR, 640, 200, 1, 0x06},
	    {VGA_PLANAR, 320, 200, 4, 0x0d}, {VGA_PLANAR, 640, 200, 4, 0x0e},
	    {VGA_PLANAR, 640, 350, 1, 0x0f}, {VGA_PLANAR, 640, 350, 4, 0x10},
	    {VGA_PLANAR, 640, 480, 1, 0x11}, {VGA_PLANAR, 640, 480, 4, 0x12},
	    {VGA_CHAIN4, 320, 200, 8, 0x13},
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].kind == m->kind && known[i].w == m->width && known[i].h == m->height &&
		    known[i].bpp == m->bpp)
			return known[i].number;
	return -1;
}

static void graphics_geometry(const struct vga *v, struct vga_mode *m)
{
	unsigned lines = vertical_display(v);

	if (v->cr[0x09] & 0x80)
		lines /= 2;
	/* With CGA addressing (CRTC 17h bit 0 clear) the row scan counter
	 * selects the bank of interleaved lines instead of repeating one. */
	if (v->cr[0x17] & 0x01)
		lines /= (v->cr[0x09] & 0x1f) + 1u;
	m->width = (v->cr[0x01] + 1u) * 8;
	m->height = lines;
	switch (m->kind) {
	case VGA_CGA: m->bpp = 2; break;
	case VGA_CHAIN4:
	case VGA_UNCHAINED:
		m->bpp = 8;
		m->width /= 2; /* two dot clocks per 256-colour pixel */
		break;
	default: m->bpp = (v->ar[0x12] & 0x0f) == 0x0f ? 4 : 1; break;
	}
	m->number = graphics_number(m);
}

static void vbe_geometry(const struct vga *v, struct vga_mode *m)
{
	unsigned bpp = v->vbe[VBE_BPP];
	unsigned bytes = bpp == 15 ? 2 : bpp / 8;
	uint32_t stride = bpp == 4 ? v->vbe[VBE_VIRT_WIDTH] / 8u : v->vbe[VBE_VIRT_WIDTH] * bytes;

	m->width = v->vbe[VBE_XRES];
	m->height = v->vbe[VBE_YRES];
	m->bpp = bpp;
	m->line_offset = stride;
	m->start = v->vbe[VBE_Y_OFFSET] * stride +
		   (bpp == 4 ? v->vbe[VBE_X_OFFSET] / 8u : v->vbe[VBE_X_OFFSET] * bytes);
	m->number = -1;
	/* Panning past the end of video memory shows the start, so a
	 * renderer never reads beyond it. */
	if ((uint64_t)m->start + (uint64_t)stride * m->height > VGA_VRAM_SIZE)
		m->start = 0;
}

void vga_get_mode(const struct vga *v, struct vga_mode *m)
{
	memset(m, 0, sizeof *m);
	m->kind = kind_of(v);
	m->number = -1;
	/* Palette address source off, or the sequencer's screen-off bit. */
	m->blank = !vga_vbe_active(v) && (!(v->ar_index & 0x20) || (v->sr[0x01] & 0x20));
	if (m->kind == VGA_VBE) {
		vbe_geometry(v, m);
		return;
	}
	m->start = (uint32_t)v->cr[0x0c] << 8 | v->cr[0x0d];
	m->line_offset = v->cr[0x13] * 2u;
	if (m->kind == VGA_TEXT)
		text_geometry(v, m);
	else
		graphics_geometry(v, m);
}

void vga_describe_mode(const struct vga_mode *m, char *buf, size_t len)
{
	char num[24] = "";

	if (m->number >= 0)
		snprintf(num, sizeof num, " (mode %02Xh)", (unsigned)m->number);
	switch (m->kind) {
	case VGA_TEXT: snprintf(buf, len, "text mode %ux%u%s", m->cols, m->rows, num); break;
	case VGA_VBE:
		snprintf(buf, len, "graphics mode %ux%ux%u (VBE)", m->width, m->height, m->bpp);
		break;
	case VGA_UNCHAINED:
		snprintf(buf, len, "graphics mode %ux%ux8 (unchained, mode X)", m->width,
			 m->height);
		break;
	default:
		snprintf(buf, len, "graphics mode %ux%ux%u%s", m->width, m->height, m->bpp, num);
		break;
	}
}
