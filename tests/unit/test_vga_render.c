/* The VGA renderer: text cells with the guest's font (9th column, cursor),
 * each graphics memory model and VBE depth, damage limited to changed
 * rows, resizes on mode changes, and random register programming that
 * must never make it read outside video memory (ASan watches). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "display/vga_render.h"
#include "legacy/vga.h"

#include "unit.h"

static struct vga *v;
static struct vga_frame f;
static uint32_t row[SURFACE_MAX_WIDTH];

static void out_vga(struct vga *to, unsigned port, uint8_t value)
{
	vga_io_ops.write(to, port - VGA_PORT_BASE, 1, value);
}

static void out(unsigned port, uint8_t value)
{
	out_vga(v, port, value);
}

/* DAC entry i = (i, 63 - i, i / 4) in 6 bits: every entry different. */
static void distinct_dac(void)
{
	out(0x3c8, 0);
	for (unsigned i = 0; i < 256; i++) {
		out(0x3c9, (uint8_t)(i & 63));
		out(0x3c9, (uint8_t)(63 - (i & 63)));
		out(0x3c9, (uint8_t)(i / 4));
	}
}

static void setup(void)
{
	v = vga_create(NULL, NULL);
	ck_assert_ptr_nonnull(v);
	distinct_dac();
	for (unsigned i = 0; i < 16; i++)
		v->ar[i] = (uint8_t)i; /* identity attribute palette */
	v->ar[0x12] = 0x0f;
	v->ar[0x10] &= (uint8_t)~0x80;
	v->ar[0x14] = 0;
	vga_frame_get(v, &f);
}

static void teardown(void)
{
	vga_destroy(v);
}

static uint8_t *plane(unsigned p, uint32_t offset)
{
	return (uint8_t *)&vga_vram(v)[offset * 4 + p];
}

static uint32_t colour(uint8_t attr_colour)
{
	return f.palette[vga_attr_colour(v, attr_colour)];
}

START_TEST(test_text_drawsGlyphRowsInForegroundAndBackground)
{
	*plane(0, 0) = 'A';
	*plane(1, 0) = 0x1e; /* yellow on blue */
	*plane(2, 'A' * 32 + 3) = 0x81;
	vga_frame_get(v, &f);
	f.cursor.visible = false;
	ck_assert_int_eq(f.mode.kind, VGA_TEXT);
	ck_assert_uint_eq(f.mode.char_width, 9);
	vga_render_row(v, &f, 3, row);
	ck_assert_uint_eq(row[0], colour(0x0e));
	ck_assert_uint_eq(row[1], colour(0x01));
	ck_assert_uint_eq(row[7], colour(0x0e));
	ck_assert_uint_eq(row[8], colour(0x01)); /* 9th column: background for 'A' */
	ck_assert_uint_ne(colour(0x0e), colour(0x01));
	vga_render_row(v, &f, 4, row);
	ck_assert_uint_eq(row[0], colour(0x01));
}
END_TEST

START_TEST(test_text_lineGraphicsRepeatTheEighthColumn)
{
	*plane(0, 0) = 0xc4; /* a horizontal line */
	*plane(1, 0) = 0x07;
	*plane(2, 0xc4 * 32 + 8) = 0xff;
	vga_frame_get(v, &f);
	f.cursor.visible = false;
	v->ar[0x10] |= 0x04;
	vga_render_row(v, &f, 8, row);
	ck_assert_uint_eq(row[8], colour(0x07));
	v->ar[0x10] &= (uint8_t)~0x04;
	vga_render_row(v, &f, 8, row);
	ck_assert_uint_eq(row[8], colour(0x00));
}
END_TEST

START_TEST(test_text_cursorFillsItsScanLines)
{
	*plane(1, 81) = 0x07; /* row 1, column 1 */
	vga_frame_get(v, &f);
	f.cursor = (struct vga_cursor){.col = 1,
				       .row = 1,
				       .start_line = 14,
				       .end_line = 15,
				       .visible = true,
				       .blink_on = true};
	vga_render_row(v, &f, 16 + 14, row);
	for (unsigned x = 9; x < 17; x++)
		ck_assert_uint_eq(row[x], colour(0x07));
	vga_render_row(v, &f, 16 + 13, row);
	ck_assert_uint_eq(row[9], colour(0x00));
	f.cursor.blink_on = false;
	vga_render_row(v, &f, 16 + 14, row);
	ck_assert_uint_eq(row[9], colour(0x00));
}
END_TEST

START_TEST(test_text_attributeBit3SelectsFontMapA)
{
	v->sr[0x03] = 0x04; /* map A = bank 1 (16 KiB), map B = bank 0 */
	*plane(0, 0) = 'x';
	*plane(1, 0) = 0x0f;
	*plane(2, 0x4000 + 'x' * 32) = 0x80;
	vga_frame_get(v, &f);
	f.cursor.visible = false;
	vga_render_row(v, &f, 0, row);
	ck_assert_uint_eq(row[0], colour(0x0f));
	*plane(1, 0) = 0x07; /* bit 3 clear: map B, an empty glyph */
	vga_render_row(v, &f, 0, row);
	ck_assert_uint_eq(row[0], colour(0x00));
}
END_TEST

static void graphics_frame(enum vga_kind kind, unsigned w, unsigned h, unsigned line_offset)
{
	vga_frame_get(v, &f);
	f.mode =
	    (struct vga_mode){.kind = kind, .width = w, .height = h, .line_offset = line_offset};
	f.line_compare = 0x3ff;
}

START_TEST(test_planar_combinesFourPlanesPerPixel)
{
	graphics_frame(VGA_PLANAR, 640, 480, 80);
	*plane(0, 80 * 2) = 0x80; /* row 2, pixel 0: colour 0b0101 */
	*plane(2, 80 * 2) = 0x80;
	*plane(3, 80 * 2 + 1) = 0x01; /* pixel 15: colour 0b1000 */
	vga_render_row(v, &f, 2, row);
	ck_assert_uint_eq(row[0], colour(5));
	ck_assert_uint_eq(row[1], colour(0));
	ck_assert_uint_eq(row[15], colour(8));
}
END_TEST

START_TEST(test_planar_splitScreenRestartsAtZero)
{
	graphics_frame(VGA_PLANAR, 640, 480, 80);
	f.mode.start = 80 * 100;
	f.line_compare = 10;
	*plane(1, 0) = 0x80;
	vga_render_row(v, &f, 10, row);
	ck_assert_uint_eq(row[0], colour(2));
	vga_render_row(v, &f, 9, row);
	ck_assert_uint_eq(row[0], colour(0));
}
END_TEST

START_TEST(test_cga_interleavesEvenAndOddRows)
{
	graphics_frame(VGA_CGA, 320, 200, 80);
	/* CPU byte 0x2000 + 80 (row 3) lives in plane 0 at 0x1000 + 40. */
	*plane(0, (0x2000 + 80) >> 1) = 0xc0; /* pixel 0: colour 3 */
	vga_render_row(v, &f, 3, row);
	ck_assert_uint_eq(row[0], colour(3));
	ck_assert_uint_eq(row[1], colour(0));
}
END_TEST

START_TEST(test_chain4AndModeX_readFourPixelsPerPlaneOffset)
{
	graphics_frame(VGA_CHAIN4, 320, 200, 80);
	v->vram[320 * 7 + 5] = 0x42; /* mode 13h: vram is linear */
	vga_render_row(v, &f, 7, row);
	ck_assert_uint_eq(row[5], f.palette[0x42]);
	f.mode.kind = VGA_UNCHAINED;
	*plane(2, 80 * 7 + 10) = 0x99; /* pixel 42 = offset 10, plane 2 */
	vga_render_row(v, &f, 7, row);
	ck_assert_uint_eq(row[42], f.palette[0x99]);
}
END_TEST

START_TEST(test_vbe_depths)
{
	uint8_t *p = (uint8_t *)vga_vram(v);

	graphics_frame(VGA_VBE, 64, 4, 256);
	f.mode.bpp = 32;
	memcpy(p + 256, "\x30\x20\x10\x00", 4);
	vga_render_row(v, &f, 1, row);
	ck_assert_uint_eq(row[0], 0x102030);
	f.mode.bpp = 24;
	vga_render_row(v, &f, 1, row);
	ck_assert_uint_eq(row[0], 0x102030);
	f.mode.bpp = 16;
	memcpy(p + 256, "\x00\xf8", 2); /* pure red in 5:6:5 */
	vga_render_row(v, &f, 1, row);
	ck_assert_uint_eq(row[0], 0xff0000);
	f.mode.bpp = 15;
	memcpy(p + 256, "\xe0\x03", 2); /* pure green in 5:5:5 */
	vga_render_row(v, &f, 1, row);
	ck_assert_uint_eq(row[0], 0x00ff00);
	f.mode.bpp = 8;
	p[256] = 9;
	vga_render_row(v, &f, 1, row);
	ck_assert_uint_eq(row[0], f.palette[9]);
}
END_TEST

START_TEST(test_vbe_rowPastVideoMemoryIsBlack)
{
	graphics_frame(VGA_VBE, 640, 480, 640 * 4);
	f.mode.bpp = 32;
	f.mode.start = VGA_VRAM_SIZE - 100;
	memset(row, 0xaa, sizeof row);
	vga_render_row(v, &f, 0, row);
	ck_assert_uint_eq(row[0], 0);
	ck_assert_uint_eq(row[639], 0);
}
END_TEST

START_TEST(test_blankScreenIsBlack)
{
	graphics_frame(VGA_CHAIN4, 320, 200, 80);
	v->vram[0] = 0x42;
	f.mode.blank = true;
	vga_render_row(v, &f, 0, row);
	ck_assert_uint_eq(row[0], 0);
}
END_TEST

/* The renderer driving a surface. */
START_TEST(test_renderer_damagesOnlyChangedRows)
{
	struct vga_renderer *r = vga_renderer_create(v);
	struct surface s;
	struct rect d;
	char err[128];

	ck_assert_int_eq(surface_init(&s, "t", err, sizeof err), 0);
	v->cr[0x0a] |= 0x20; /* cursor off: no blinking */
	vga_display_ops.render(r, &s);
	ck_assert_uint_eq(s.width, 720);
	ck_assert_uint_eq(s.height, 400);
	ck_assert(surface_take_damage(&s, &d));
	vga_display_ops.render(r, &s);
	ck_assert(!surface_take_damage(&s, &d)); /* nothing changed, nothing drawn */
	*plane(2, 'A' * 32 + 5) = 0xff;
	vga_mem_writeb(v, 0x18000 + 2 * (80 * 3 + 4), 'A'); /* row 3, column 4 via odd/even */
	vga_mem_writeb(v, 0x18000 + 2 * (80 * 3 + 4) + 1, 0x07);
	vga_display_ops.render(r, &s);
	ck_assert(surface_take_damage(&s, &d));
	ck_assert_uint_eq(d.y, 3 * 16 + 5);
	ck_assert_uint_eq(d.h, 1);
	vga_renderer_destroy(r);
	surface_fini(&s);
}
END_TEST

/* A VBE mode (640x480, 32 bpp: 2560 bytes a row, a page holds rows
 * partly) on a VGA whose LFB is RAM in guest memory at 0xE0000000. */
#define LFB 0xE0000000ull

struct vbe_rig {
	struct guest_mem mem;
	struct vga *vga;
	struct vga_renderer *r;
	struct surface s;
};

static void vbe_rig_init(struct vbe_rig *g)
{
	char err[128];

	ck_assert_int_eq(mem_init(&g->mem, 1u << 20, err, sizeof err), 0);
	g->vga = vga_create(NULL, &g->mem);
	ck_assert_ptr_nonnull(g->vga);
	ck_assert_int_eq(mem_map_ram(&g->mem, LFB, VGA_VRAM_SIZE, g->vga->vram, "lfb"), 0);
	g->vga->lfb_base = LFB;
	vga_vbe_write(g->vga, VBE_XRES, 640);
	vga_vbe_write(g->vga, VBE_YRES, 480);
	vga_vbe_write(g->vga, VBE_BPP, 32);
	vga_vbe_write(g->vga, VBE_ENABLE, VBE_ENABLED);
	g->r = vga_renderer_create(g->vga);
	ck_assert_ptr_nonnull(g->r);
	ck_assert_int_eq(surface_init(&g->s, "t", err, sizeof err), 0);
}

static void vbe_rig_fini(struct vbe_rig *g)
{
	vga_renderer_destroy(g->r);
	surface_fini(&g->s);
	vga_destroy(g->vga);
	mem_destroy(&g->mem);
}

/* Rows the renderer compares for one frame. */
static uint64_t frame_compares(struct vbe_rig *g)
{
	uint64_t before = vga_renderer_rows_compared(g->r);

	vga_display_ops.render(g->r, &g->s);
	return vga_renderer_rows_compared(g->r) - before;
}

/* The guest writes a pixel of row 300 through the LFB (as a device or a
 * CPU writes RAM): the frame compares only the rows sharing its page and
 * damages just that row; an unchanged frame compares none. */
START_TEST(test_renderer_vbeComparesOnlyRowsInWrittenPages)
{
	struct vbe_rig g;
	uint32_t red = 0xff0000;
	uint64_t at = 300 * 2560 + 8 * 4, n;
	struct rect d;

	vbe_rig_init(&g);
	ck_assert_uint_eq(frame_compares(&g), 480);
	ck_assert_uint_eq(g.s.width, 640);
	ck_assert(surface_take_damage(&g.s, &d));
	ck_assert_uint_eq(frame_compares(&g), 0);
	ck_assert(!surface_take_damage(&g.s, &d));
	mem_write(&g.mem, LFB + at, &red, 4);
	n = frame_compares(&g);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, MEM_PAGE_SIZE / 2560 + 2);
	ck_assert(surface_take_damage(&g.s, &d));
	ck_assert_uint_eq(d.y, 300);
	ck_assert_uint_eq(d.h, 1);
	ck_assert_uint_eq(g.s.pixels[300 * g.s.stride / 4 + 8], red);
	ck_assert_uint_eq(frame_compares(&g), 0);
	/* A register write (the DAC) may change every row: all compared. */
	out_vga(g.vga, 0x3c8, 0);
	ck_assert_uint_eq(frame_compares(&g), 480);
	/* The last viewer leaves: the log stops, and starts afresh. */
	vga_display_ops.release(g.r);
	ck_assert_uint_eq(atomic_load(&g.mem.dirty.active), 0);
	ck_assert_uint_eq(frame_compares(&g), 480);
	ck_assert_uint_eq(frame_compares(&g), 0);
	vbe_rig_fini(&g);
}
END_TEST

/* Without a log (no guest memory, or the LFB unmapped) every frame
 * compares every row, so nothing written is missed. */
START_TEST(test_renderer_vbeWithoutLogComparesEveryRow)
{
	struct vbe_rig g;

	vbe_rig_init(&g);
	ck_assert_int_eq(mem_unmap(&g.mem, LFB), 0);
	g.vga->lfb_base = 0;
	ck_assert_uint_eq(frame_compares(&g), 480);
	ck_assert_uint_eq(frame_compares(&g), 480);
	g.vga->vram[100 * 2560] = 0xff;
	frame_compares(&g);
	ck_assert_uint_eq(g.s.pixels[100 * g.s.stride / 4] & 0xff, 0xff);
	vbe_rig_fini(&g);
}
END_TEST

/* Random register values everywhere, then a render: no read outside
 * video memory, no surface larger than the maximum. */
START_TEST(test_renderer_survivesRandomRegisters)
{
	struct vga_renderer *r = vga_renderer_create(v);
	struct surface s;
	char err[128];
	unsigned seed = 0x5eed + (unsigned)_i;

	ck_assert_int_eq(surface_init(&s, "t", err, sizeof err), 0);
	for (int round = 0; round < 300; round++) {
		for (int k = 0; k < 40; k++) {
			unsigned port = 0x3b0 + rand_r(&seed) % 0x30;
			vga_io_ops.write(v, port - VGA_PORT_BASE, 1, (uint64_t)rand_r(&seed));
			vga_vbe_write(v, rand_r(&seed) % VBE_REG_COUNT, (uint16_t)rand_r(&seed));
		}
		vga_display_ops.render(r, &s);
		ck_assert_uint_le(s.width, SURFACE_MAX_WIDTH);
		ck_assert_uint_le(s.height, SURFACE_MAX_HEIGHT);
	}
	vga_renderer_destroy(r);
	surface_fini(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vga_render");
	TCase *text = tcase_create("text"), *gfx = tcase_create("graphics"),
	      *drive = tcase_create("renderer");

	tcase_add_checked_fixture(text, setup, teardown);
	tcase_add_test(text, test_text_drawsGlyphRowsInForegroundAndBackground);
	tcase_add_test(text, test_text_lineGraphicsRepeatTheEighthColumn);
	tcase_add_test(text, test_text_cursorFillsItsScanLines);
	tcase_add_test(text, test_text_attributeBit3SelectsFontMapA);
	suite_add_tcase(s, text);
	tcase_add_checked_fixture(gfx, setup, teardown);
	tcase_add_test(gfx, test_planar_combinesFourPlanesPerPixel);
	tcase_add_test(gfx, test_planar_splitScreenRestartsAtZero);
	tcase_add_test(gfx, test_cga_interleavesEvenAndOddRows);
	tcase_add_test(gfx, test_chain4AndModeX_readFourPixelsPerPlaneOffset);
	tcase_add_test(gfx, test_vbe_depths);
	tcase_add_test(gfx, test_vbe_rowPastVideoMemoryIsBlack);
	tcase_add_test(gfx, test_blankScreenIsBlack);
	suite_add_tcase(s, gfx);
	tcase_add_checked_fixture(drive, setup, teardown);
	tcase_set_timeout(drive, 120);
	tcase_add_test(drive, test_renderer_damagesOnlyChangedRows);
	tcase_add_test(drive, test_renderer_vbeComparesOnlyRowsInWrittenPages);
	tcase_add_test(drive, test_renderer_vbeWithoutLogComparesEveryRow);
	tcase_add_loop_test(drive, test_renderer_survivesRandomRegisters, 0, 4);
	suite_add_tcase(s, drive);
	return unit_run(s);
}
