/* One row of VGA pixels per memory model. Video memory is read through
 * the device's layout (legacy/vga.h): plane p byte o at vram[o * 4 + p];
 * classic modes wrap within the 64 KiB planes. */
#include "display/vga_render.h"

#define PLANE_MASK 0xffffu

static inline uint8_t plane_byte(const uint8_t *vram, uint32_t offset, unsigned plane)
{
	return vram[(offset & PLANE_MASK) * 4 + plane];
}

void vga_frame_get(const struct vga *v, struct vga_frame *f)
{
	vga_get_mode(v, &f->mode);
	vga_palette(v, f->palette);
	vga_get_cursor(v, &f->cursor);
	/* Blinking text follows the cursor's phase (a real VGA's is half as
	 * fast; nobody times anything by it). */
	f->text_blink_on = f->cursor.blink_on;
	f->line_compare = vga_line_compare(v);
}

/* The font bank (0-7) of SR3's map A (attribute bit 3 set) or map B. */
static uint32_t font_base(const struct vga *v, bool map_a)
{
	uint8_t sr3 = vga_char_map_select(v);
	unsigned bank = map_a ? ((sr3 >> 2) & 3) | ((sr3 >> 3) & 4) : (sr3 & 3) | ((sr3 >> 2) & 4);

	return (bank & 3) * 0x4000u + (bank >> 2) * 0x2000u;
}

static void text_cell(const struct vga *v, const struct vga_frame *f, unsigned col, unsigned row,
		      unsigned line, uint32_t *out)
{
	const struct vga_mode *m = &f->mode;
	const uint8_t *vram = vga_vram(v);
	uint32_t at = m->start + row * m->line_offset + col;
	uint8_t ch = plane_byte(vram, at, 0), attr = plane_byte(vram, at, 1);
	uint8_t glyph = plane_byte(vram, font_base(v, attr & 0x08) + ch * 32u + line, 2);
	uint8_t fg = attr & 0x0f, bg = attr >> 4;
	bool nine = m->char_width == 9;
	uint32_t fgc, bgc;

	if (vga_attr_mode(v) & VGA_AR_MODE_BLINK) { /* bit 7 blinks instead of brightening */
		bg &= 7;
		if ((attr & 0x80) && !f->text_blink_on)
			fg = bg;
	}
	if (f->cursor.visible && f->cursor.blink_on && f->cursor.col == col &&
	    f->cursor.row == row && line >= f->cursor.start_line && line <= f->cursor.end_line)
		glyph = 0xff;
	fgc = f->palette[vga_attr_colour(v, fg)];
	bgc = f->palette[vga_attr_colour(v, bg)];
	for (unsigned x = 0; x < 8; x++)
		out[x] = glyph & (0x80 >> x) ? fgc : bgc;
	/* The ninth column repeats the eighth for the line-drawing glyphs. */
	if (nine)
		out[8] = (vga_attr_mode(v) & VGA_AR_MODE_LINE_GRAPHICS) && ch >= 0xc0 && ch <= 0xdf
			     ? out[7]
			     : bgc;
}

static void text_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out)
{
	const struct vga_mode *m = &f->mode;
	unsigned row = y / m->char_height, line = y % m->char_height;

	for (unsigned col = 0; col < m->cols; col++)
		text_cell(v, f, col, row, line, out + col * m->char_width);
}

/* Plane offset where row y starts, honouring the split screen. */
static uint32_t row_offset(const struct vga_frame *f, unsigned y)
{
	if (y >= f->line_compare)
		return (y - f->line_compare) * f->mode.line_offset;
	return f->mode.start + y * f->mode.line_offset;
}

static void planar_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out)
{
	const uint8_t *vram = vga_vram(v);
	uint32_t base = row_offset(f, y);

	for (unsigned x = 0; x < f->mode.width; x++) {
		uint32_t o = base + x / 8;
		unsigned bit = 7 - x % 8, c = 0;

		for (unsigned p = 0; p < 4; p++)
			c |= ((plane_byte(vram, o, p) >> bit) & 1u) << p;
		out[x] = f->palette[vga_attr_colour(v, (uint8_t)c)];
	}
}

/* CGA 4-colour: even rows from the first 8 KiB, odd rows from the next,
 * in CPU addresses that odd/even spreads over planes 0 and 1. */
static void cga_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out)
{
	const uint8_t *vram = vga_vram(v);
	uint32_t a = f->mode.start * 2 + (y & 1) * 0x2000u + (y >> 1) * f->mode.line_offset;

	for (unsigned x = 0; x < f->mode.width; x++) {
		uint32_t cpu = a + x / 4;
		uint8_t b = plane_byte(vram, cpu >> 1, cpu & 1);
		uint8_t c = (b >> (6 - 2 * (x % 4))) & 3;

		out[x] = f->palette[vga_attr_colour(v, c)];
	}
}

static void chunky_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out)
{
	const uint8_t *vram = vga_vram(v);
	uint32_t base = row_offset(f, y);

	for (unsigned x = 0; x < f->mode.width; x++) {
		/* Chain-4 and mode X differ only in how the CPU wrote the planes:
		 * the CRTC reads four pixels per plane offset either way. */
		uint8_t c = plane_byte(vram, base + x / 4, x & 3);

		out[x] = f->palette[c];
	}
}

static uint32_t rgb565(uint16_t p)
{
	uint32_t r = (p >> 11) & 0x1f, g = (p >> 5) & 0x3f, b = p & 0x1f;

	return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
}

static uint32_t rgb555(uint16_t p)
{
	uint32_t r = (p >> 10) & 0x1f, g = (p >> 5) & 0x1f, b = p & 0x1f;

	return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
}

static void vbe_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out)
{
	unsigned bytes = f->mode.bpp == 15 ? 2 : f->mode.bpp / 8;
	size_t at = f->mode.start + (size_t)y * f->mode.line_offset;
	const uint8_t *p = vga_vram(v) + at;

	if (at + (size_t)f->mode.width * bytes > VGA_VRAM_SIZE) {
		for (unsigned x = 0; x < f->mode.width; x++)
			out[x] = 0;
		return;
	}
	for (unsigned x = 0; x < f->mode.width; x++) {
		switch (f->mode.bpp) {
		case 8: out[x] = f->palette[p[x]]; break;
		case 15: out[x] = rgb555((uint16_t)(p[2 * x] | p[2 * x + 1] << 8)); break;
		case 16: out[x] = rgb565((uint16_t)(p[2 * x] | p[2 * x + 1] << 8)); break;
		case 24:
			out[x] =
			    (uint32_t)p[3 * x + 2] << 16 | (uint32_t)p[3 * x + 1] << 8 | p[3 * x];
			break;
		case 32:
			out[x] =
			    (uint32_t)p[4 * x + 2] << 16 | (uint32_t)p[4 * x + 1] << 8 | p[4 * x];
			break;
		default: out[x] = 0; break; /* 4 bpp VBE: not offered by the BIOS */
		}
	}
}

void vga_render_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out)
{
	if (f->mode.blank) {
		for (unsigned x = 0; x < f->mode.width; x++)
			out[x] = 0;
		return;
	}
	switch (f->mode.kind) {
	case VGA_TEXT: text_row(v, f, y, out); break;
	case VGA_CGA: cga_row(v, f, y, out); break;
	case VGA_PLANAR: planar_row(v, f, y, out); break;
	case VGA_CHAIN4:
	case VGA_UNCHAINED: chunky_row(v, f, y, out); break;
	case VGA_VBE: vbe_row(v, f, y, out); break;
	}
}
