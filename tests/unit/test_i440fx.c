/* i440fx: identity and PAM shadowing through the memory map (where reads
 * and writes of C0000h-FFFFFh land in each mode). */
#include <check.h>
#include <string.h>

#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "legacy/i440fx.h"

#include "unit.h"

#define MIB (1024ull * 1024)

static struct guest_mem m;
static struct i440fx *fx;
static struct pci_bus bus;
static uint8_t rom[0x20000]; /* the BIOS seen at E0000h-FFFFFh */

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&m, 2 * MIB, err, sizeof err), 0);
	memset(rom, 0xb1, sizeof rom);
	memset(m.ram + 0xC0000, 0x5c, 0x40000);
	fx = i440fx_create(&m, 0xE0000, rom);
	ck_assert_ptr_nonnull(fx);
	pci_bus_init(&bus);
	ck_assert_int_eq(pci_bus_add(&bus, 0, 0, &fx->dev), 0);
}

static void teardown(void)
{
	i440fx_destroy(fx);
	mem_destroy(&m);
}

static uint8_t peek(uint64_t gpa)
{
	return (uint8_t)mem_read_sized(&m, gpa, 1);
}

static void pam(unsigned reg, uint8_t v)
{
	pci_config_write(&bus, 0, 0, reg, 1, v);
}

START_TEST(test_identifies_as_8086_1237_host_bridge)
{
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, 0, 4), 0x12378086);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
}
END_TEST

START_TEST(test_reset_state_reads_rom_and_drops_writes)
{
	ck_assert_uint_eq(peek(0xFFFF0), 0xb1);
	ck_assert_uint_eq(peek(0xE0000), 0xb1);
	mem_write_sized(&m, 0xF1000, 1, 0x22);
	ck_assert_uint_eq(peek(0xF1000), 0xb1);
	ck_assert_uint_eq(m.ram[0xF1000], 0x5c);
	ck_assert_uint_eq(rom[0x11000], 0xb1);
}
END_TEST

START_TEST(test_segments_without_rom_show_ram)
{
	ck_assert_uint_eq(peek(0xC0000), 0x5c);
	ck_assert_uint_eq(peek(0xDFFFF), 0x5c);
}
END_TEST

START_TEST(test_mode_3_makes_ram_read_write)
{
	pam(I440FX_PAM0, 0x30);
	ck_assert_uint_eq(peek(0xF0000), 0x5c);
	mem_write_sized(&m, 0xF0000, 4, 0x12345678);
	ck_assert_uint_eq(mem_read_sized(&m, 0xF0000, 4), 0x12345678);
	ck_assert_uint_eq(peek(0xE0000), 0xb1); /* other segments untouched */
}
END_TEST

START_TEST(test_mode_2_reads_rom_and_writes_ram_so_a_copy_loop_shadows)
{
	pam(I440FX_PAM0, 0x20);
	for (uint64_t a = 0xF0000; a < 0xF0100; a += 4)
		mem_write_sized(&m, a, 4, mem_read_sized(&m, a, 4));
	ck_assert_uint_eq(peek(0xF0010), 0xb1);
	ck_assert_uint_eq(m.ram[0xF0010], 0xb1);
	ck_assert_uint_eq(m.ram[0xF0100], 0x5c);
	pam(I440FX_PAM0, 0x30);
	ck_assert_uint_eq(peek(0xF0010), 0xb1);
	ck_assert_uint_eq(peek(0xF0100), 0x5c);
}
END_TEST

START_TEST(test_mode_1_reads_ram_and_write_protects)
{
	pam(I440FX_PAM0, 0x30);
	mem_write_sized(&m, 0xF2000, 1, 0x77);
	pam(I440FX_PAM0, 0x10);
	ck_assert_uint_eq(peek(0xF2000), 0x77);
	mem_write_sized(&m, 0xF2000, 1, 0x99);
	ck_assert_uint_eq(peek(0xF2000), 0x77);
	ck_assert_ptr_null(mem_page_ptr(&m, 0xF2000, true));
	ck_assert_ptr_nonnull(mem_page_ptr(&m, 0xF2000, false));
}
END_TEST

START_TEST(test_16k_segments_follow_their_nibble)
{
	pam(0x5E, 0x03); /* E0000h-E3FFFh RAM, E4000h-E7FFFh ROM */
	ck_assert_uint_eq(peek(0xE0000), 0x5c);
	ck_assert_uint_eq(peek(0xE4000), 0xb1);
	pam(0x5E, 0x30);
	ck_assert_uint_eq(peek(0xE0000), 0xb1);
	ck_assert_uint_eq(peek(0xE4000), 0x5c);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, 0x5E, 1), 0x30);
}
END_TEST

START_TEST(test_reserved_pam_bits_read_zero)
{
	pam(I440FX_PAM0, 0xff);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_PAM0, 1), 0x30);
	pam(0x5A, 0xff);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, 0x5A, 1), 0x33);
}
END_TEST

START_TEST(test_reset_returns_to_rom_and_generation_moves)
{
	uint32_t gen;

	pam(I440FX_PAM0, 0x30);
	gen = m.generation;
	i440fx_reset(fx);
	ck_assert_uint_ne(m.generation, gen);
	ck_assert_uint_eq(peek(0xF0000), 0xb1);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_PAM0, 1), 0);
}
END_TEST

START_TEST(test_smram_is_an_inert_register)
{
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_SMRAM, 1), 0x02);
	pci_config_write(&bus, 0, 0, I440FX_SMRAM, 1, 0x4a);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_SMRAM, 1), 0x4a);
	ck_assert_uint_eq(peek(0xA0000), 0);
}
END_TEST

/* Save and load (device ops): PAM and SMRAM as firmware left them come
 * back in a fresh bridge with the shadow mapping rebuilt; a state of
 * another device (vendor ID) or cut short is refused with the bridge
 * unchanged, and read-only bits in the state are not taken. */
START_TEST(test_saveLoad_rebuildsTheShadowMapping)
{
	struct state_out o = {0};
	struct state_in st;

	pam(I440FX_PAM0, 0x30);	    /* F0000h: RAM */
	pam(I440FX_PAM0 + 1, 0x01); /* C0000h: read RAM, write-protected */
	pam(I440FX_SMRAM, 0x0A);
	mem_write_sized(&m, 0xF1000, 1, 0x22);
	i440fx_device_ops.save(fx, &o);
	ck_assert(!o.failed);
	ck_assert_uint_eq(o.len, 256);
	i440fx_destroy(fx);
	fx = i440fx_create(&m, 0xE0000, rom);
	ck_assert_ptr_nonnull(fx);
	pci_bus_init(&bus);
	ck_assert_int_eq(pci_bus_add(&bus, 0, 0, &fx->dev), 0);

	o.p[0] ^= 1; /* another vendor */
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(i440fx_device_ops.load(fx, &st, 1), -1);
	o.p[0] ^= 1;
	st = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(i440fx_device_ops.load(fx, &st, 1), -1);
	ck_assert_uint_eq(peek(0xF1000), 0xb1); /* unchanged: the ROM */
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_PAM0, 1), 0);

	o.p[PCI_STATUS] = 0xff;	     /* read-only: not taken */
	o.p[I440FX_PAM0 + 2] = 0xff; /* reserved bits 3:2 and 7:6 too */
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(i440fx_device_ops.load(fx, &st, 1), 0);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, PCI_STATUS, 2), 0x0280);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_PAM0, 1), 0x30);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_PAM0 + 1, 1), 0x01);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_PAM0 + 2, 1), 0x33);
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, I440FX_SMRAM, 1), 0x0A);
	ck_assert_uint_eq(peek(0xF1000), 0x22); /* shadow RAM, as saved */
	mem_write_sized(&m, 0xF1000, 1, 0x23);
	ck_assert_uint_eq(peek(0xF1000), 0x23);
	mem_write_sized(&m, 0xC0000, 1, 0x11); /* write-protected */
	ck_assert_uint_eq(peek(0xC0000), 0x5c);
	state_out_free(&o);
}
END_TEST

static Suite *i440fx_suite(void)
{
	Suite *s = suite_create("i440fx");
	TCase *t = tcase_create("pam");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_identifies_as_8086_1237_host_bridge);
	tcase_add_test(t, test_reset_state_reads_rom_and_drops_writes);
	tcase_add_test(t, test_segments_without_rom_show_ram);
	tcase_add_test(t, test_mode_3_makes_ram_read_write);
	tcase_add_test(t, test_mode_2_reads_rom_and_writes_ram_so_a_copy_loop_shadows);
	tcase_add_test(t, test_mode_1_reads_ram_and_write_protects);
	tcase_add_test(t, test_16k_segments_follow_their_nibble);
	tcase_add_test(t, test_reserved_pam_bits_read_zero);
	tcase_add_test(t, test_reset_returns_to_rom_and_generation_moves);
	tcase_add_test(t, test_smram_is_an_inert_register);
	tcase_add_test(t, test_saveLoad_rebuildsTheShadowMapping);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(i440fx_suite());
}
