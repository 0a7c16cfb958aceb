/* vga save/load (device_ops version 1): a card in mode 13h with its own
 * palette, pixels, a DAC write half-way through an entry, the attribute
 * flip-flop on data and a loaded latch, and a card in a VBE mode with its
 * LFB on BAR 0, each saved and loaded into a fresh card that then renders
 * the same picture and answers the next port accesses the same way;
 * truncated and corrupted states refused without touching the card. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "display/vga_render.h"
#include "hv/core/state.h"
#include "legacy/vga.h"

#include "unit.h"

#define LFB 0xE0000000u

/* Offsets in a version 1 state (legacy/vga_save.c). */
#define AT_SR	     3
#define AT_AR_INDEX  44
#define AT_DAC_COMP  837
#define AT_VBE	     846
#define AT_PCI	     872
#define AT_NPAGES    1128
#define AT_FIRST_IDX 1132

static struct guest_mem mem_a, mem_b;
static struct vga *a, *b;

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem_a, 1u << 20, err, sizeof err), 0);
	ck_assert_int_eq(mem_init(&mem_b, 1u << 20, err, sizeof err), 0);
	a = vga_create(NULL, &mem_a);
	b = vga_create(NULL, &mem_b);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
}

static void teardown(void)
{
	vga_destroy(a);
	vga_destroy(b);
	mem_destroy(&mem_a);
	mem_destroy(&mem_b);
}

static void out(struct vga *v, unsigned port, uint8_t value)
{
	vga_io_ops.write(v, port - VGA_PORT_BASE, 1, value);
}

static uint8_t in(struct vga *v, unsigned port)
{
	return (uint8_t)vga_io_ops.read(v, port - VGA_PORT_BASE, 1);
}

static void idx(struct vga *v, unsigned port, uint8_t i, uint8_t value)
{
	out(v, port, i);
	out(v, port + 1, value);
}

static void vbe(struct vga *v, unsigned index, uint16_t value)
{
	vga_vbe_io_ops.write(v, 0, 2, index);
	vga_vbe_io_ops.write(v, 1, 2, value);
}

static void pci_write(struct vga *v, unsigned offset, unsigned size, uint32_t value)
{
	struct pci_bus bus;

	pci_bus_init(&bus);
	pci_bus_add(&bus, 2, 0, &v->pci);
	pci_config_write(&bus, 2, 0, offset, size, value);
}

/* Mode 13h as the BIOS programs it, with a DAC of distinct colours. */
static void mode13h(struct vga *v)
{
	static const uint8_t crtc[VGA_CR_COUNT] = {
	    0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x9c, 0x0e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff};

	out(v, 0x3c2, 0x63);
	idx(v, 0x3c4, 0x01, 0x01);
	idx(v, 0x3c4, 0x02, 0x0f);
	idx(v, 0x3c4, 0x04, 0x0e);
	idx(v, 0x3ce, 0x05, 0x40);
	idx(v, 0x3ce, 0x06, 0x05);
	for (uint8_t i = 0; i < VGA_CR_COUNT; i++)
		idx(v, 0x3d4, i, crtc[i]);
	in(v, 0x3da);
	for (uint8_t i = 0; i < 16; i++) {
		out(v, 0x3c0, i);
		out(v, 0x3c0, i);
	}
	out(v, 0x3c0, 0x10);
	out(v, 0x3c0, 0x41);
	out(v, 0x3c0, 0x12);
	out(v, 0x3c0, 0x0f);
	out(v, 0x3c0, 0x20); /* palette source on: the screen shows */
	out(v, 0x3c8, 0);
	for (unsigned i = 0; i < 256; i++) {
		out(v, 0x3c9, (uint8_t)(i & 63));
		out(v, 0x3c9, (uint8_t)(63 - (i & 63)));
		out(v, 0x3c9, (uint8_t)(i / 4));
	}
}

static struct state_out save(const struct vga *v)
{
	struct state_out o = {0};

	vga_device_ops.save(v, &o);
	ck_assert(!o.failed);
	return o;
}

static int load(struct vga *v, const void *p, size_t len)
{
	struct state_in i = state_in_make(p, len);

	return vga_device_ops.load(v, &i, 1);
}

/* Every row of both cards' pictures is the same. */
static void ck_same_picture(void)
{
	static uint32_t ra[SURFACE_MAX_WIDTH], rb[SURFACE_MAX_WIDTH];
	struct vga_frame fa, fb;

	vga_frame_get(a, &fa);
	vga_frame_get(b, &fb);
	ck_assert_mem_eq(&fa.mode, &fb.mode, sizeof fa.mode);
	ck_assert_mem_eq(fa.palette, fb.palette, sizeof fa.palette);
	ck_assert_uint_gt(fa.mode.width, 0);
	for (unsigned y = 0; y < fa.mode.height; y++) {
		vga_render_row(a, &fa, y, ra);
		vga_render_row(b, &fb, y, rb);
		ck_assert_mem_eq(ra, rb, fa.mode.width * 4);
	}
}

/* The bytes of b's state are a's. */
static void ck_same_state(void)
{
	struct state_out sa = save(a), sb = save(b);

	ck_assert_uint_eq(sa.len, sb.len);
	ck_assert_mem_eq(sa.p, sb.p, sa.len);
	state_out_free(&sa);
	state_out_free(&sb);
}

/* Mode 13h, a picture, and state half-way through port sequences. */
static void busy_mode13h(void)
{
	mode13h(a);
	for (uint32_t i = 0; i < 320 * 200; i += 7)
		vga_mem_writeb(a, i, (uint8_t)(i * 13 + i / 320));
	out(a, 0x3c8, 0x33); /* DAC write: two of three components in */
	out(a, 0x3c9, 0x11);
	out(a, 0x3c9, 0x22);
	in(a, 0x3da);
	out(a, 0x3c0, 0x25);			/* attribute index written; data next */
	(void)vga_mem_readb(a, 320 * 100 + 21); /* loads the latch */
}

START_TEST(test_mode13h_loads_into_a_fresh_card_and_goes_on_the_same)
{
	struct state_out s;
	struct vga_mode m;
	uint32_t gen;

	busy_mode13h();
	memset(b->vram + 0x300000, 0x77, 4096); /* stale: must not survive */
	s = save(a);
	ck_assert_uint_lt(s.len, 80u << 10); /* 16 MiB card, 64 KiB used */
	gen = vga_dirty_generation(b);
	ck_assert_int_eq(load(b, s.p, s.len), 0);
	ck_assert_uint_ne(vga_dirty_generation(b), gen);
	vga_get_mode(b, &m);
	ck_assert_int_eq(m.kind, VGA_CHAIN4);
	ck_assert_int_eq(m.number, 0x13);
	ck_assert_uint_eq(b->vram[0x300000], 0);
	ck_same_picture();
	ck_same_state();
	/* The sequences left half-way go on the same on both. */
	for (struct vga *v = a; v; v = v == a ? b : NULL) {
		out(v, 0x3c9, 0x3f);	   /* completes DAC entry 33h */
		out(v, 0x3c0, 0x3e);	   /* attribute 05h = 3eh */
		idx(v, 0x3ce, 0x05, 0x41); /* write mode 1: the latch goes out */
		vga_mem_writeb(v, 320 * 3 + 1, 0);
	}
	ck_assert_uint_eq(b->dac[0x33][2], 0x3f);
	ck_assert_uint_eq(b->dac_write_index, 0x34);
	ck_assert_uint_eq(b->ar[0x05], 0x3e);
	ck_assert_uint_eq(vga_mem_readb(b, 320 * 3 + 1), vga_mem_readb(a, 320 * 3 + 1));
	ck_same_picture();
	ck_same_state();
	state_out_free(&s);
}
END_TEST

START_TEST(test_vbe_mode_with_lfb_loads_mapped_and_rendered_the_same)
{
	struct state_out s;
	uint32_t px, back = 0;

	pci_write(a, PCI_BAR0, 4, LFB);
	pci_write(a, PCI_COMMAND, 2, 0x0003);
	vbe(a, VBE_XRES, 800);
	vbe(a, VBE_YRES, 600);
	vbe(a, VBE_BPP, 32);
	vbe(a, VBE_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
	vbe(a, VBE_VIRT_WIDTH, 1024);
	vbe(a, VBE_Y_OFFSET, 3);
	for (uint32_t y = 0; y < 603; y += 5)
		for (uint32_t x = 0; x < 800; x += 3) {
			px = y * 0x10101u ^ x * 0x3f;
			mem_write(&mem_a, LFB + (y * 1024 + x) * 4, &px, 4);
		}
	s = save(a);
	ck_assert_ptr_null(mem_find(&mem_b, LFB));
	ck_assert_int_eq(load(b, s.p, s.len), 0);
	ck_assert_uint_eq(vga_lfb_base(b), LFB);
	ck_assert_ptr_nonnull(mem_find(&mem_b, LFB));
	mem_read(&mem_b, LFB + (600 * 1024 + 798) * 4, &back, 4);
	ck_assert_uint_eq(back, 600 * 0x10101u ^ 798 * 0x3f);
	ck_same_picture();
	ck_same_state();
	/* The guest goes on through the LFB and the DISPI ports. */
	px = 0xabcdef;
	mem_write(&mem_a, LFB + 4 * 1024 * 10, &px, 4);
	mem_write(&mem_b, LFB + 4 * 1024 * 10, &px, 4);
	vbe(a, VBE_Y_OFFSET, 7);
	vbe(b, VBE_Y_OFFSET, 7);
	ck_same_picture();
	state_out_free(&s);
}
END_TEST

/* A refused state leaves b's registers as they were (its memory is
 * compared once per test, a save being a scan of 16 MiB). */
static void ck_refused(const uint8_t *p, size_t len)
{
	static struct vga before;

	before = *b;
	ck_assert_int_eq(load(b, p, len), -1);
	ck_assert_mem_eq(&before, b, sizeof before);
}

static void ck_corrupt(const struct state_out *s, size_t at, uint8_t value)
{
	uint8_t *p = malloc(s->len);

	memcpy(p, s->p, s->len);
	p[at] = value;
	ck_refused(p, s->len);
	free(p);
}

START_TEST(test_truncated_and_corrupted_states_are_refused)
{
	struct state_out s, kept, after;
	uint8_t *p;

	busy_mode13h();
	s = save(a);
	mode13h(b);
	vga_mem_writeb(b, 100, 0x42);
	kept = save(b);
	/* The offsets below point where they mean to. */
	ck_assert_uint_eq(s.p[AT_AR_INDEX], 0x25);
	ck_assert_uint_eq(s.p[AT_DAC_COMP], 2);
	ck_assert_uint_eq(s.p[AT_VBE + 2 * VBE_BPP], 8);
	ck_assert_uint_eq(s.p[AT_PCI], VGA_PCI_VENDOR & 0xff);
	ck_assert_uint_eq(s.p[AT_FIRST_IDX], 0);
	for (size_t n = 0; n < AT_FIRST_IDX + 8; n++)
		ck_refused(s.p, n);
	for (size_t n = AT_FIRST_IDX + 8; n < s.len; n += 997)
		ck_refused(s.p, n);
	ck_corrupt(&s, AT_SR + 2, 0xf0);	      /* map mask bits that do not exist */
	ck_corrupt(&s, AT_AR_INDEX, 0x40);	      /* attribute index past its 6 bits */
	ck_corrupt(&s, AT_DAC_COMP, 3);		      /* DAC component past blue */
	ck_corrupt(&s, AT_VBE + 2 * VBE_BPP, 7);      /* no such depth */
	ck_corrupt(&s, AT_VBE + 2 * VBE_BANK + 1, 1); /* bank 256 */
	ck_corrupt(&s, AT_PCI, 0x86);		      /* another vendor's function */
	ck_corrupt(&s, AT_NPAGES + 2, 1);	      /* more pages than the card has */
	ck_corrupt(&s, AT_FIRST_IDX + 2, 0x10);	      /* page 4096 + n: past 16 MiB */
	ck_corrupt(&s, AT_FIRST_IDX + 4 + 4096, 0);   /* second page number below first */
	/* A page of zeros is never saved; bytes after the last page neither. */
	p = calloc(1, s.len + 1);
	memcpy(p, s.p, s.len);
	ck_refused(p, s.len + 1);
	memset(p + AT_FIRST_IDX + 4, 0, 4096);
	ck_refused(p, s.len);
	free(p);
	after = save(b);
	ck_assert_uint_eq(kept.len, after.len);
	ck_assert_mem_eq(kept.p, after.p, kept.len);
	state_out_free(&kept);
	state_out_free(&after);
	state_out_free(&s);
}
END_TEST

/* A VBE state with a geometry the enable path refuses. */
START_TEST(test_vbe_geometry_that_does_not_fit_is_refused)
{
	struct state_out s;

	vbe(a, VBE_XRES, 1024);
	vbe(a, VBE_YRES, 768);
	vbe(a, VBE_BPP, 32);
	vbe(a, VBE_ENABLE, VBE_ENABLED | VBE_NOCLEARMEM);
	s = save(a);
	ck_assert_int_eq(load(b, s.p, s.len), 0);
	ck_corrupt(&s, AT_VBE + 2 * VBE_YRES + 1, 0x2e);       /* 1024x11776x32: 48 MiB */
	ck_corrupt(&s, AT_VBE + 2 * VBE_VIRT_WIDTH + 1, 0x02); /* narrower than XRES */
	ck_corrupt(&s, AT_VBE + 2 * VBE_XRES, 0x01);	       /* not a multiple of 8 */
	ck_corrupt(&s, AT_VBE + 2 * VBE_ENABLE + 1, 0x01);     /* unknown enable bit */
	state_out_free(&s);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_mode13h_loads_into_a_fresh_card_and_goes_on_the_same,
	    test_vbe_mode_with_lfb_loads_mapped_and_rendered_the_same,
	    test_truncated_and_corrupted_states_are_refused,
	    test_vbe_geometry_that_does_not_fit_is_refused,
	};

	return unit_run(
	    unit_suite("vga_save", "save", setup, teardown, tests, UNIT_COUNT(tests), NULL, 0));
}
