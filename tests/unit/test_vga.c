/* vga: the register files behind their index ports, the attribute
 * controller's flip-flop, the DAC, every read and write mode through the
 * A0000h window, chain-4 and odd/even addressing, the text screen, the
 * Bochs VBE registers and the LFB on BAR 0, and a seeded fuzz of it all. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "legacy/vga.h"

#include "unit.h"

#define LFB 0xE0000000u

static struct guest_mem mem;
static struct vga *v;

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, 32u << 20, err, sizeof err), 0);
	v = vga_create(NULL, &mem);
	ck_assert_ptr_nonnull(v);
}

static void teardown(void)
{
	vga_destroy(v);
	mem_destroy(&mem);
}

static void out(unsigned port, uint8_t value)
{
	vga_io_ops.write(v, port - VGA_PORT_BASE, 1, value);
}

static void outw(unsigned port, uint16_t value)
{
	vga_io_ops.write(v, port - VGA_PORT_BASE, 2, value);
}

static uint8_t in(unsigned port)
{
	return (uint8_t)vga_io_ops.read(v, port - VGA_PORT_BASE, 1);
}

static void sr(uint8_t i, uint8_t value)
{
	outw(0x3c4, (uint16_t)(value << 8 | i));
}

static void gr(uint8_t i, uint8_t value)
{
	outw(0x3ce, (uint16_t)(value << 8 | i));
}

static void cr(uint8_t i, uint8_t value)
{
	outw(0x3d4, (uint16_t)(value << 8 | i));
}

static uint8_t plane(unsigned p, uint32_t offset)
{
	return vga_vram(v)[offset * 4 + p];
}

/* 16-colour planar mode with the window at A0000h, 64 KiB. */
static void planar(void)
{
	sr(0x02, 0x0f);
	sr(0x04, 0x06);
	gr(0x05, 0x00);
	gr(0x06, 0x05);
	gr(0x08, 0xff);
}

static void vbe(unsigned index, uint16_t value)
{
	vga_vbe_io_ops.write(v, 0, 2, index);
	vga_vbe_io_ops.write(v, 1, 2, value);
}

static uint16_t vbe_get(unsigned index)
{
	vga_vbe_io_ops.write(v, 0, 2, index);
	return (uint16_t)vga_vbe_io_ops.read(v, 1, 2);
}

START_TEST(test_index_ports_select_registers_and_word_writes_set_index_then_data)
{
	out(0x3c4, 0x02);
	out(0x3c5, 0x0a);
	ck_assert_uint_eq(in(0x3c5), 0x0a);
	ck_assert_uint_eq(in(0x3c4), 0x02);
	gr(0x08, 0x5a);
	ck_assert_uint_eq(in(0x3ce), 0x08);
	ck_assert_uint_eq(in(0x3cf), 0x5a);
	sr(0x02, 0xff); /* only the four plane bits exist */
	ck_assert_uint_eq(in(0x3c5), 0x0f);
	cr(0x0e, 0x12);
	ck_assert_uint_eq(in(0x3d5), 0x12);
	out(0x3c4, 0x40); /* no such register: reads all ones, writes go nowhere */
	out(0x3c5, 0x55);
	ck_assert_uint_eq(in(0x3c5), 0xff);
}
END_TEST

START_TEST(test_crtc_protect_bit_guards_registers_0_to_7_except_line_compare_bit)
{
	cr(0x11, 0x8e);
	cr(0x00, 0x11);
	ck_assert_uint_eq(in(0x3d5), 0x5f);
	cr(0x07, 0x00);
	ck_assert_uint_eq(in(0x3d5), 0x0f); /* 1Fh with bit 4 cleared */
	cr(0x11, 0x0e);
	cr(0x00, 0x11);
	ck_assert_uint_eq(in(0x3d5), 0x11);
}
END_TEST

START_TEST(test_misc_output_moves_crtc_between_3Dx_and_3Bx)
{
	ck_assert_uint_eq(in(0x3cc), 0x67);
	out(0x3c2, 0x66);
	ck_assert_uint_eq(in(0x3d4), 0xff);
	out(0x3b4, 0x0f);
	out(0x3b5, 0x42);
	ck_assert_uint_eq(in(0x3b5), 0x42);
	out(0x3c2, 0x67);
	ck_assert_uint_eq(in(0x3b4), 0xff);
	out(0x3d4, 0x0f);
	ck_assert_uint_eq(in(0x3d5), 0x42);
}
END_TEST

START_TEST(test_attribute_flip_flop_alternates_and_input_status_resets_it)
{
	in(0x3da);
	out(0x3c0, 0x01);
	out(0x3c0, 0x3f);
	ck_assert_uint_eq(in(0x3c1), 0x3f);
	out(0x3c0, 0x02); /* index again */
	in(0x3da);	  /* back to index, so the next write is an index */
	out(0x3c0, 0x23);
	ck_assert_uint_eq(in(0x3c0), 0x23);
	out(0x3c0, 0x15);
	ck_assert_uint_eq(in(0x3c1), 0x15);
	ck_assert_uint_eq(v->ar[0x02], 0x02); /* untouched */
	ck_assert(v->ar_index & 0x20);	      /* palette source on: the screen shows */
}
END_TEST

START_TEST(test_input_status_shows_both_retrace_states)
{
	bool seen_on = false, seen_off = false;

	for (int i = 0; i < 16; i++) {
		uint8_t s = in(0x3da);
		if (s & 0x08)
			seen_on = true;
		else
			seen_off = true;
	}
	ck_assert(seen_on && seen_off);
}
END_TEST

START_TEST(test_dac_indexes_auto_increment_per_triplet)
{
	uint32_t rgb[256];

	out(0x3c8, 5);
	for (uint8_t c = 1; c <= 6; c++)
		out(0x3c9, (uint8_t)(c * 10));
	ck_assert_uint_eq(in(0x3c8), 7);
	out(0x3c9, 0xff); /* six bits only */
	out(0x3c7, 5);
	ck_assert_uint_eq(in(0x3c7), 0x03);
	for (uint8_t c = 1; c <= 6; c++)
		ck_assert_uint_eq(in(0x3c9), c * 10);
	ck_assert_uint_eq(in(0x3c9), 0x3f);
	vga_palette(v, rgb);
	ck_assert_uint_eq(rgb[5], (uint32_t)(40 << 16 | 81 << 8 | 121)); /* 10,20,30 scaled */
	out(0x3c8, 0);
	ck_assert_uint_eq(in(0x3c7), 0x00);
}
END_TEST

START_TEST(test_write_mode_0_set_reset_and_bit_mask)
{
	planar();
	gr(0x01, 0x0f);
	gr(0x00, 0x05);
	vga_mem_writeb(v, 0, 0x00);
	ck_assert_uint_eq(plane(0, 0), 0xff);
	ck_assert_uint_eq(plane(1, 0), 0x00);
	ck_assert_uint_eq(plane(2, 0), 0xff);
	ck_assert_uint_eq(plane(3, 0), 0x00);
	vga_mem_readb(v, 0); /* latch */
	gr(0x00, 0x0a);
	gr(0x08, 0x0f);
	vga_mem_writeb(v, 0, 0x00);
	ck_assert_uint_eq(plane(0, 0), 0xf0);
	ck_assert_uint_eq(plane(1, 0), 0x0f);
	ck_assert_uint_eq(plane(2, 0), 0xf0);
	ck_assert_uint_eq(plane(3, 0), 0x0f);
	/* The map mask keeps planes out. */
	gr(0x01, 0x00);
	gr(0x08, 0xff);
	sr(0x02, 0x01);
	vga_mem_writeb(v, 0, 0x3c);
	ck_assert_uint_eq(plane(0, 0), 0x3c);
	ck_assert_uint_eq(plane(1, 0), 0x0f);
}
END_TEST

START_TEST(test_write_mode_0_rotates_and_applies_logic_functions)
{
	planar();
	gr(0x03, 0x01); /* rotate right by one */
	vga_mem_writeb(v, 0, 0x81);
	ck_assert_uint_eq(plane(0, 0), 0xc0);
	ck_assert_uint_eq(plane(3, 0), 0xc0);
	vga_mem_readb(v, 0);
	gr(0x03, 0x18); /* XOR with the latch */
	vga_mem_writeb(v, 0, 0xff);
	ck_assert_uint_eq(plane(1, 0), 0x3f);
	vga_mem_readb(v, 0);
	gr(0x03, 0x08); /* AND */
	vga_mem_writeb(v, 0, 0x0f);
	ck_assert_uint_eq(plane(2, 0), 0x0f);
	vga_mem_readb(v, 0);
	gr(0x03, 0x10); /* OR */
	vga_mem_writeb(v, 0, 0x80);
	ck_assert_uint_eq(plane(2, 0), 0x8f);
}
END_TEST

START_TEST(test_write_mode_1_copies_the_latches)
{
	planar();
	sr(0x02, 0x01);
	vga_mem_writeb(v, 10, 0x11);
	sr(0x02, 0x08);
	vga_mem_writeb(v, 10, 0x88);
	sr(0x02, 0x0f);
	gr(0x05, 0x01);
	vga_mem_readb(v, 10);
	vga_mem_writeb(v, 20, 0x00);
	ck_assert_uint_eq(plane(0, 20), 0x11);
	ck_assert_uint_eq(plane(3, 20), 0x88);
	ck_assert_uint_eq(plane(1, 20), plane(1, 10));
}
END_TEST

START_TEST(test_write_modes_2_and_3_spread_a_colour)
{
	planar();
	gr(0x05, 0x02);
	gr(0x08, 0xf0);
	vga_mem_readb(v, 0);
	vga_mem_writeb(v, 0, 0x0a);
	ck_assert_uint_eq(plane(0, 0), 0x00);
	ck_assert_uint_eq(plane(1, 0), 0xf0);
	ck_assert_uint_eq(plane(3, 0), 0xf0);
	/* Mode 3: the CPU byte (rotated) ANDs the bit mask; colour from set/reset. */
	gr(0x05, 0x03);
	gr(0x08, 0xff);
	gr(0x00, 0x0c);
	vga_mem_readb(v, 0);
	vga_mem_writeb(v, 0, 0x0f);
	ck_assert_uint_eq(plane(0, 0), 0x00);
	ck_assert_uint_eq(plane(1, 0), 0xf0);
	ck_assert_uint_eq(plane(2, 0), 0x0f);
	ck_assert_uint_eq(plane(3, 0), 0xff);
}
END_TEST

START_TEST(test_read_modes_select_a_plane_or_compare_colours)
{
	planar();
	gr(0x01, 0x0f);
	gr(0x00, 0x06);
	vga_mem_writeb(v, 0, 0);
	gr(0x08, 0x0f);
	gr(0x00, 0x09);
	vga_mem_readb(v, 0);
	vga_mem_writeb(v, 0, 0); /* pixels 0-3 colour 6, 4-7 colour 9 */
	gr(0x04, 0x01);
	ck_assert_uint_eq(vga_mem_readb(v, 0), 0xf0);
	gr(0x04, 0x03);
	ck_assert_uint_eq(vga_mem_readb(v, 0), 0x0f);
	gr(0x05, 0x08);
	gr(0x07, 0x0f);
	gr(0x02, 0x06);
	ck_assert_uint_eq(vga_mem_readb(v, 0), 0xf0);
	gr(0x02, 0x09);
	ck_assert_uint_eq(vga_mem_readb(v, 0), 0x0f);
	gr(0x07, 0x00); /* nothing compared: every pixel matches */
	ck_assert_uint_eq(vga_mem_readb(v, 0), 0xff);
}
END_TEST

START_TEST(test_chain4_is_linear_and_honours_the_map_mask)
{
	sr(0x04, 0x0e);
	gr(0x05, 0x40);
	gr(0x06, 0x05);
	sr(0x02, 0x0f);
	vga_mem_writeb(v, 5, 0x77);
	ck_assert_uint_eq(vga_vram(v)[5], 0x77);
	ck_assert_uint_eq(plane(1, 1), 0x77);
	ck_assert_uint_eq(vga_mem_readb(v, 5), 0x77);
	sr(0x02, 0x0e);
	vga_mem_writeb(v, 4, 0x99);
	ck_assert_uint_eq(vga_vram(v)[4], 0x00);
	/* Map 1 decodes only A0000h-AFFFFh. */
	vga_mem_writeb(v, 0x10005, 0x55);
	ck_assert_uint_eq(vga_mem_readb(v, 0x10005), 0xff);
}
END_TEST

START_TEST(test_odd_even_puts_characters_and_attributes_in_planes_0_and_1)
{
	/* Power-on state is mode 3: B8000h, odd/even. */
	vga_mem_writeb(v, 0x18000, 'A');
	vga_mem_writeb(v, 0x18001, 0x1f);
	vga_mem_writeb(v, 0x18002, 'B');
	ck_assert_uint_eq(plane(0, 0), 'A');
	ck_assert_uint_eq(plane(1, 0), 0x1f);
	ck_assert_uint_eq(plane(0, 1), 'B');
	ck_assert_uint_eq(vga_mem_readb(v, 0x18001), 0x1f);
	/* A0000h is not decoded in this map. */
	vga_mem_writeb(v, 0x00000, 'Z');
	ck_assert_uint_eq(vga_mem_readb(v, 0x00000), 0xff);
	ck_assert_uint_eq(plane(0, 0), 'A');
}
END_TEST

static void put_text(unsigned row, unsigned col, const char *s)
{
	for (unsigned i = 0; s[i]; i++)
		vga_mem_writeb(v, 0x18000 + (row * 80 + col + i) * 2, (uint8_t)s[i]);
}

START_TEST(test_text_screen_is_utf8_rows_trimmed)
{
	static char buf[8192], want[8192];
	struct vga_mode m;
	struct vga_cursor c;
	char desc[64];
	size_t n;

	put_text(0, 0, "Hello");
	put_text(1, 3, "\x82\xc4\x01");
	put_text(24, 75, "end  ");
	strcpy(want, "Hello\n   \xc3\xa9\xe2\x94\x80\xe2\x98\xba\n");
	for (int r = 2; r < 24; r++)
		strcat(want, "\n");
	n = strlen(want);
	memset(want + n, ' ', 75);
	strcpy(want + n + 75, "end\n");
	ck_assert_int_eq(vga_text_screen(v, buf, sizeof buf), (int)strlen(want));
	ck_assert_str_eq(buf, want);
	vga_get_mode(v, &m);
	vga_describe_mode(&m, desc, sizeof desc);
	ck_assert_str_eq(desc, "text mode 80x25 (mode 03h)");
	/* The start address scrolls; the cursor follows CRTC 0Eh/0Fh. */
	cr(0x0c, 0x00);
	cr(0x0d, 80);
	cr(0x0e, 0x00);
	cr(0x0f, 80 + 2 * 80 + 7);
	vga_text_screen(v, buf, sizeof buf);
	ck_assert(strncmp(buf, "   \xc3\xa9", 5) == 0);
	vga_get_cursor(v, &c);
	ck_assert_uint_eq(c.row, 2);
	ck_assert_uint_eq(c.col, 7);
	ck_assert(c.visible);
	/* Fonts: map B for attribute bit 3 clear, map A for set. */
	ck_assert_uint_eq(vga_font_base(v, false), 0);
	sr(0x03, 0x2d); /* A = 5 (bank 1, odd half), B = 3 */
	ck_assert_uint_eq(vga_font_base(v, true), 0x4000 + 0x2000);
	ck_assert_uint_eq(vga_font_base(v, false), 0xc000);
	/* Truncation keeps the buffer terminated. */
	ck_assert_int_le(vga_text_screen(v, buf, 4), 3);
	ck_assert_uint_le(strlen(buf), 3);
}
END_TEST

START_TEST(test_graphics_modes_are_recognised_and_have_no_text)
{
	char buf[64], desc[64];
	struct vga_mode m;

	/* Mode 12h. */
	planar();
	cr(0x11, 0x0c);
	cr(0x01, 0x4f);
	cr(0x12, 0xdf);
	cr(0x07, 0x3e);
	cr(0x09, 0x40);
	cr(0x17, 0xe3);
	ck_assert_int_eq(vga_text_screen(v, buf, sizeof buf), -1);
	vga_get_mode(v, &m);
	vga_describe_mode(&m, desc, sizeof desc);
	ck_assert_str_eq(desc, "graphics mode 640x480x4 (mode 12h)");
	/* Mode 13h. */
	sr(0x04, 0x0e);
	gr(0x05, 0x40);
	cr(0x12, 0x8f);
	cr(0x07, 0x1f);
	cr(0x09, 0x41);
	cr(0x17, 0xa3);
	vga_get_mode(v, &m);
	vga_describe_mode(&m, desc, sizeof desc);
	ck_assert_str_eq(desc, "graphics mode 320x200x8 (mode 13h)");
	sr(0x04, 0x06); /* unchained */
	vga_get_mode(v, &m);
	ck_assert_int_eq(m.kind, VGA_UNCHAINED);
	/* Mode 04h: CGA 4-colour with interleaved lines. */
	gr(0x05, 0x30);
	cr(0x01, 0x27);
	cr(0x09, 0xc1);
	cr(0x17, 0xa2);
	vga_get_mode(v, &m);
	vga_describe_mode(&m, desc, sizeof desc);
	ck_assert_str_eq(desc, "graphics mode 320x200x2 (mode 04h)");
}
END_TEST

START_TEST(test_vbe_dispi_identifies_checks_and_sets_a_mode)
{
	struct vga_mode m;

	vbe(VBE_ID, VBE_ID0);
	ck_assert_uint_eq(vbe_get(VBE_ID), VBE_ID0);
	vbe(VBE_ID, 0x1234);
	ck_assert_uint_eq(vbe_get(VBE_ID), VBE_ID0);
	ck_assert_uint_eq(vbe_get(VBE_VIDEO_MEMORY_64K), VGA_VRAM_SIZE >> 16);
	vbe(VBE_ENABLE, VBE_GETCAPS);
	ck_assert_uint_eq(vbe_get(VBE_XRES), VBE_MAX_XRES);
	ck_assert_uint_eq(vbe_get(VBE_BPP), VBE_MAX_BPP);
	vbe(VBE_ENABLE, 0);
	vbe(VBE_XRES, 641); /* not a multiple of 8 */
	ck_assert_uint_eq(vbe_get(VBE_XRES), 0);
	vbe(VBE_XRES, 640);
	vbe(VBE_YRES, 480);
	vbe(VBE_BPP, 7);
	ck_assert_uint_eq(vbe_get(VBE_BPP), 8);
	vbe(VBE_BPP, 32);
	vbe(VBE_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
	ck_assert(vga_vbe_active(v));
	vbe(VBE_XRES, 800); /* refused while enabled */
	ck_assert_uint_eq(vbe_get(VBE_XRES), 640);
	ck_assert_uint_eq(vbe_get(VBE_VIRT_WIDTH), 640);
	vga_get_mode(v, &m);
	ck_assert_int_eq(m.kind, VGA_VBE);
	ck_assert_uint_eq(m.width, 640);
	ck_assert_uint_eq(m.height, 480);
	ck_assert_uint_eq(m.line_offset, 640 * 4);
	vbe(VBE_Y_OFFSET, 2);
	vga_get_mode(v, &m);
	ck_assert_uint_eq(m.start, 2 * 640 * 4);
	/* The banked window. */
	vbe(VBE_BANK, 3);
	vga_mem_writeb(v, 0x10, 0xab);
	ck_assert_uint_eq(vga_vram(v)[3 * 0x10000 + 0x10], 0xab);
	ck_assert_uint_eq(vga_mem_readb(v, 0x10), 0xab);
	vbe(VBE_BANK, 0xffff);
	ck_assert_uint_eq(vbe_get(VBE_BANK), 3);
	vbe(VBE_ENABLE, 0);
	vga_get_mode(v, &m);
	ck_assert_int_ne(m.kind, VGA_VBE);
}
END_TEST

static void pci_write(unsigned offset, unsigned size, uint32_t value)
{
	struct pci_bus bus;

	pci_bus_init(&bus);
	pci_bus_add(&bus, 2, 0, &v->pci);
	pci_config_write(&bus, 2, 0, offset, size, value);
}

START_TEST(test_lfb_follows_bar0_and_the_memory_enable_bit)
{
	uint8_t byte = 0x5c;

	ck_assert_uint_eq(pci_get(&v->pci, PCI_VENDOR_ID, 2), VGA_PCI_VENDOR);
	ck_assert_uint_eq(pci_get(&v->pci, PCI_DEVICE_ID, 2), VGA_PCI_DEVICE);
	ck_assert_uint_eq(pci_get(&v->pci, PCI_CLASS_DEVICE, 2), 0x0300);
	pci_write(PCI_BAR0, 4, 0xffffffff);
	ck_assert_uint_eq(pci_get(&v->pci, PCI_BAR0, 4), ~(VGA_VRAM_SIZE - 1) | 0x08);
	pci_write(PCI_BAR0, 4, LFB);
	ck_assert_ptr_null(mem_find(&mem, LFB)); /* memory decode still off */
	pci_write(PCI_COMMAND, 2, 0x0003);
	ck_assert_ptr_nonnull(mem_find(&mem, LFB));
	ck_assert_ptr_nonnull(mem_page_ptr(&mem, LFB + 4096, true));
	mem_write(&mem, LFB + 0x123456, &byte, 1);
	ck_assert_uint_eq(vga_vram(v)[0x123456], 0x5c);
	pci_write(PCI_BAR0, 4, LFB + VGA_VRAM_SIZE);
	ck_assert_ptr_null(mem_find(&mem, LFB));
	ck_assert_ptr_nonnull(mem_find(&mem, LFB + VGA_VRAM_SIZE));
	pci_write(PCI_BAR0, 4, 0x01000000); /* over RAM: refused */
	ck_assert_ptr_eq(mem_find(&mem, 0x01000000)->host, mem.ram);
	pci_write(PCI_BAR0, 4, LFB);
	pci_write(PCI_COMMAND, 2, 0x0001);
	ck_assert_ptr_null(mem_find(&mem, LFB));
}
END_TEST

static void fuzz_step(void)
{
	uint32_t r = unit_rand(), val = unit_rand() ^ unit_rand() << 12;
	unsigned size = 1u << (r % 3);

	switch ((r >> 4) % 8) {
	case 0:
	case 1: vga_io_ops.write(v, unit_rand() % VGA_PORT_LEN, size > 2 ? 2 : size, val); break;
	case 2: vga_io_ops.read(v, unit_rand() % VGA_PORT_LEN, size); break;
	case 3:
		if ((val & 0xff) == VBE_ENABLE && unit_rand() % 8)
			val |= VBE_NOCLEARMEM << 16; /* clearing 16 MiB each time is slow */
		vga_vbe_io_ops.write(v, 0, 2, val & 0xff);
		vga_vbe_io_ops.write(v, 1, 2, val >> 16);
		vga_vbe_io_ops.read(v, unit_rand() % VBE_PORT_LEN, 2);
		break;
	case 4: vga_mem_ops.write(v, unit_rand() % VGA_WINDOW_LEN, size, val); break;
	case 5: vga_mem_ops.read(v, unit_rand() % VGA_WINDOW_LEN, size); break;
	case 6: pci_write(unit_rand() % 0x40, size, val << 8 | val); break;
	default: vga_io_ops.write(v, 0x3da - VGA_PORT_BASE + unit_rand() % 6, 1, val); break;
	}
}

START_TEST(test_fuzz_every_port_and_the_window_leaves_the_device_sane)
{
	static char buf[256 * 3 * 1100];
	uint32_t rgb[256];
	struct vga_mode m;
	struct vga_cursor c;
	char desc[80];

	unit_seed(0x5eed0000u + (uint32_t)_i);
	for (int i = 0; i < 200000; i++) {
		fuzz_step();
		if (i % 1000 == 0) {
			vga_get_mode(v, &m);
			ck_assert_uint_le(m.width, VBE_MAX_XRES);
			ck_assert_uint_le(m.height, VBE_MAX_YRES);
			if (m.kind == VGA_VBE)
				ck_assert_uint_le((uint64_t)m.start +
						      (uint64_t)m.line_offset * m.height,
						  VGA_VRAM_SIZE);
			vga_describe_mode(&m, desc, sizeof desc);
			vga_text_screen(v, buf, sizeof buf);
			vga_get_cursor(v, &c);
			vga_palette(v, rgb);
			ck_assert_uint_le(mem.count, 4);
		}
	}
	vga_reset(v);
	vga_get_mode(v, &m);
	ck_assert_int_eq(m.kind, VGA_TEXT);
	put_text(0, 0, "ok");
	ck_assert_int_gt(vga_text_screen(v, buf, sizeof buf), 0);
	ck_assert(strncmp(buf, "ok\n", 3) == 0);
	ck_assert_ptr_null(mem_find(&mem, LFB)); /* reset unmapped the LFB */
	ck_assert_ptr_eq(mem_find(&mem, 0x1000)->host, mem.ram);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vga");
	TCase *regs = tcase_create("registers");
	TCase *memory = tcase_create("memory");
	TCase *screen = tcase_create("screen");
	TCase *vbe_tc = tcase_create("vbe");
	TCase *fuzz = tcase_create("fuzz");

	tcase_add_checked_fixture(regs, setup, teardown);
	tcase_add_test(regs, test_index_ports_select_registers_and_word_writes_set_index_then_data);
	tcase_add_test(regs, test_crtc_protect_bit_guards_registers_0_to_7_except_line_compare_bit);
	tcase_add_test(regs, test_misc_output_moves_crtc_between_3Dx_and_3Bx);
	tcase_add_test(regs, test_attribute_flip_flop_alternates_and_input_status_resets_it);
	tcase_add_test(regs, test_input_status_shows_both_retrace_states);
	tcase_add_test(regs, test_dac_indexes_auto_increment_per_triplet);
	suite_add_tcase(s, regs);
	tcase_add_checked_fixture(memory, setup, teardown);
	tcase_add_test(memory, test_write_mode_0_set_reset_and_bit_mask);
	tcase_add_test(memory, test_write_mode_0_rotates_and_applies_logic_functions);
	tcase_add_test(memory, test_write_mode_1_copies_the_latches);
	tcase_add_test(memory, test_write_modes_2_and_3_spread_a_colour);
	tcase_add_test(memory, test_read_modes_select_a_plane_or_compare_colours);
	tcase_add_test(memory, test_chain4_is_linear_and_honours_the_map_mask);
	tcase_add_test(memory, test_odd_even_puts_characters_and_attributes_in_planes_0_and_1);
	suite_add_tcase(s, memory);
	tcase_add_checked_fixture(screen, setup, teardown);
	tcase_add_test(screen, test_text_screen_is_utf8_rows_trimmed);
	tcase_add_test(screen, test_graphics_modes_are_recognised_and_have_no_text);
	suite_add_tcase(s, screen);
	tcase_add_checked_fixture(vbe_tc, setup, teardown);
	tcase_add_test(vbe_tc, test_vbe_dispi_identifies_checks_and_sets_a_mode);
	tcase_add_test(vbe_tc, test_lfb_follows_bar0_and_the_memory_enable_bit);
	suite_add_tcase(s, vbe_tc);
	tcase_add_checked_fixture(fuzz, setup, teardown);
	tcase_set_timeout(fuzz, 120);
	tcase_add_loop_test(fuzz, test_fuzz_every_port_and_the_window_leaves_the_device_sane, 0, 3);
	suite_add_tcase(s, fuzz);
	return unit_run(s);
}
