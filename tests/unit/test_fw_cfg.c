/* fw_cfg: selector and data port, the file directory, and the DMA
 * interface (read, skip, select, write, errors) against guest memory. */
#include <check.h>
#include <string.h>

#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "legacy/fw_cfg.h"

#include "unit.h"

#define MIB  (1024ull * 1024)
#define DESC 0x1000 /* where tests put the FWCfgDmaAccess */
#define BUF  0x2000

static struct guest_mem m;
static struct fw_cfg *c;
static uint8_t rom[4096];

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&m, 1 * MIB, err, sizeof err), 0);
	ck_assert_int_eq(mem_map_rom(&m, 0xF0000, sizeof rom, rom, "rom"), 0);
	c = fw_cfg_create(&m);
	ck_assert_ptr_nonnull(c);
}

static void teardown(void)
{
	fw_cfg_destroy(c);
	mem_destroy(&m);
}

static void select_key(uint16_t key)
{
	fw_cfg_io_ops.write(c, 0, 2, key);
}

static uint8_t data(void)
{
	return (uint8_t)fw_cfg_io_ops.read(c, 1, 1);
}

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint32_t get_be32(uint64_t gpa)
{
	uint8_t b[4];

	mem_read(&m, gpa, b, 4);
	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* Lays out a descriptor at DESC and starts it the way SeaBIOS does: two
 * 32-bit writes of byte-swapped halves, the low one last. */
static uint32_t dma(uint32_t control, uint32_t len, uint64_t addr, uint64_t desc)
{
	uint8_t d[16];

	put_be(d, control, 4);
	put_be(d + 4, len, 4);
	put_be(d + 8, addr, 8);
	if (desc < m.ram_size)
		mem_write(&m, desc, d, sizeof d);
	fw_cfg_dma_io_ops.write(c, 0, 4, __builtin_bswap32((uint32_t)(desc >> 32)));
	fw_cfg_dma_io_ops.write(c, 4, 4, __builtin_bswap32((uint32_t)desc));
	return desc < m.ram_size ? get_be32(desc) : 0;
}

START_TEST(test_signature_and_id_with_dma_bit)
{
	select_key(FW_CFG_SIGNATURE);
	ck_assert_uint_eq(data(), 'Q');
	ck_assert_uint_eq(data(), 'E');
	ck_assert_uint_eq(data(), 'M');
	ck_assert_uint_eq(data(), 'U');
	ck_assert_uint_eq(data(), 0); /* past the end */
	select_key(FW_CFG_ID);
	ck_assert_uint_eq(data(), FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
}
END_TEST

START_TEST(test_selecting_again_rewinds)
{
	select_key(FW_CFG_SIGNATURE);
	data();
	data();
	select_key(FW_CFG_SIGNATURE);
	ck_assert_uint_eq(data(), 'Q');
}
END_TEST

START_TEST(test_little_endian_numbers_and_unknown_keys_read_zero)
{
	ck_assert_int_eq(fw_cfg_set_u64(c, FW_CFG_RAM_SIZE, 0x02000000), 0);
	select_key(FW_CFG_RAM_SIZE);
	ck_assert_uint_eq(fw_cfg_io_ops.read(c, 1, 1), 0);
	ck_assert_uint_eq(data(), 0);
	ck_assert_uint_eq(data(), 0);
	ck_assert_uint_eq(data(), 0x02);
	select_key(0x3f);
	ck_assert_uint_eq(data(), 0);
	select_key(0x8003);
	ck_assert_uint_eq(data(), 0);
}
END_TEST

START_TEST(test_dma_port_reads_qemu_cfg_signature)
{
	uint64_t lo = fw_cfg_dma_io_ops.read(c, 0, 4), hi = fw_cfg_dma_io_ops.read(c, 4, 4);

	ck_assert_uint_eq(lo, 0x554d4551); /* "QEMU" in port byte order */
	ck_assert_uint_eq(hi, 0x47464320); /* " CFG" */
}
END_TEST

START_TEST(test_file_directory_lists_files_big_endian)
{
	int key = fw_cfg_add_file(c, "etc/e820", "0123456789", 10, false);

	ck_assert_int_eq(key, FW_CFG_FILE_FIRST);
	ck_assert_int_eq(fw_cfg_add_file(c, "bootorder", "/x", 2, false), FW_CFG_FILE_FIRST + 1);
	select_key(FW_CFG_FILE_DIR);
	uint8_t dir[4 + 128];
	for (unsigned i = 0; i < sizeof dir; i++)
		dir[i] = data();
	ck_assert_uint_eq(dir[3], 2);
	ck_assert_uint_eq(dir[4 + 3], 10);				    /* size */
	ck_assert_uint_eq(dir[4 + 4] << 8 | dir[4 + 5], FW_CFG_FILE_FIRST); /* select */
	ck_assert_str_eq((char *)dir + 4 + 8, "etc/e820");
	ck_assert_str_eq((char *)dir + 4 + 64 + 8, "bootorder");
	select_key((uint16_t)key);
	ck_assert_uint_eq(data(), '0');
}
END_TEST

START_TEST(test_duplicate_and_long_names_are_refused)
{
	char longname[80];

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	ck_assert_int_ge(fw_cfg_add_file(c, "x", "1", 1, false), 0);
	ck_assert_int_eq(fw_cfg_add_file(c, "x", "2", 1, false), -1);
	ck_assert_int_eq(fw_cfg_add_file(c, longname, "2", 1, false), -1);
}
END_TEST

START_TEST(test_dma_select_and_read_then_zero_past_end)
{
	uint8_t buf[8];

	memset(m.ram + BUF, 0xee, 8);
	ck_assert_uint_eq(
	    dma(FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 6, BUF, DESC), 0);
	mem_read(&m, BUF, buf, 8);
	ck_assert_int_eq(memcmp(buf, "QEMU\0\0\xee\xee", 8), 0);
}
END_TEST

START_TEST(test_dma_skip_then_read_continues_at_offset)
{
	fw_cfg_add_file(c, "f", "abcdefgh", 8, false);
	ck_assert_uint_eq(
	    dma(FW_CFG_FILE_FIRST << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, 3, 0, DESC), 0);
	ck_assert_uint_eq(dma(FW_CFG_DMA_READ, 2, BUF, DESC), 0);
	ck_assert_int_eq(memcmp(m.ram + BUF, "de", 2), 0);
	ck_assert_uint_eq(data(), 'f'); /* the port shares the offset */
}
END_TEST

START_TEST(test_dma_read_to_bad_address_sets_error_bit)
{
	ck_assert_uint_eq(
	    dma(FW_CFG_SIGNATURE << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, 0xF0000, DESC),
	    FW_CFG_DMA_ERROR);
	ck_assert_uint_eq(rom[0], 0);
	ck_assert_uint_eq(dma(FW_CFG_DMA_READ, 4, 0x7ffff000ull, DESC), FW_CFG_DMA_ERROR);
	ck_assert_uint_eq(dma(FW_CFG_DMA_READ, 0x20, m.ram_size - 0x10, DESC), FW_CFG_DMA_ERROR);
}
END_TEST

START_TEST(test_dma_write_only_to_writable_files)
{
	int ro = fw_cfg_add_file(c, "ro", "xxxx", 4, false);
	int rw = fw_cfg_add_file(c, "rw", "xxxx", 4, true);

	memcpy(m.ram + BUF, "WXYZ", 4);
	ck_assert_uint_eq(
	    dma((uint32_t)ro << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE, 4, BUF, DESC),
	    FW_CFG_DMA_ERROR);
	ck_assert_uint_eq(
	    dma((uint32_t)rw << 16 | FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE, 4, BUF, DESC), 0);
	select_key((uint16_t)rw);
	ck_assert_uint_eq(data(), 'W');
	select_key((uint16_t)ro);
	ck_assert_uint_eq(data(), 'x');
}
END_TEST

START_TEST(test_strange_programming_is_survived)
{
	/* A descriptor outside RAM, odd port widths, data-port writes,
	 * huge lengths: logged, no crash, the device still answers. */
	dma(FW_CFG_DMA_READ, 16, BUF, 0x7fff0000ull);
	dma(0xffffffffu, 0xffffffffu, 0xffffffffffffffffull, DESC);
	ck_assert_uint_eq(dma(FW_CFG_DMA_READ, 0xffffffffu, BUF, DESC), FW_CFG_DMA_ERROR);
	fw_cfg_io_ops.write(c, 0, 1, 0x12);
	fw_cfg_io_ops.write(c, 1, 1, 0x34);
	fw_cfg_dma_io_ops.write(c, 7, 1, 0x10); /* a lone byte at the trigger */
	select_key(FW_CFG_SIGNATURE);
	ck_assert_uint_eq(data(), 'Q');
}
END_TEST

START_TEST(test_reset_selects_signature)
{
	select_key(FW_CFG_ID);
	fw_cfg_reset(c);
	ck_assert_uint_eq(data(), 'Q');
}
END_TEST

/* Save and load (device ops): a file read part-way and a half-written DMA
 * address come back in a fresh device, which reads on from the same byte
 * and runs the DMA when the low half arrives; an offset past the selected
 * item's end or a short state is refused with the device unchanged. */
START_TEST(test_saveLoad_readsOnFromTheSameByte)
{
	static const char text[] = "saved and restored";
	struct fw_cfg *saved = c;
	struct state_out o = {0};
	struct state_in st;
	uint8_t desc[16];
	char got[sizeof text] = "";
	int key = fw_cfg_add_file(c, "etc/test", text, sizeof text, false);

	ck_assert_int_ge(key, FW_CFG_FILE_FIRST);
	select_key((uint16_t)key);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_eq(data(), (uint8_t)text[i]);
	put_be(desc, FW_CFG_DMA_READ, 4);
	put_be(desc + 4, 7, 4);
	put_be(desc + 8, BUF, 8);
	mem_write(&m, DESC, desc, sizeof desc);
	fw_cfg_dma_io_ops.write(c, 0, 4, 0); /* the high half of DESC, byte-swapped */
	fw_cfg_device_ops.save(c, &o);
	ck_assert(!o.failed);
	ck_assert_uint_eq(o.len, 14);

	c = fw_cfg_create(&m);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(fw_cfg_add_file(c, "etc/test", text, sizeof text, false), key);
	o.p[2] = sizeof text + 1; /* offset past the end */
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(fw_cfg_device_ops.load(c, &st, 1), -1);
	o.p[2] = 6;
	st = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(fw_cfg_device_ops.load(c, &st, 1), -1);
	ck_assert_uint_eq(data(), 'Q');		       /* unchanged: the signature */
	fw_cfg_dma_io_ops.write(c, 0, 4, 0xFFFFFFFFu); /* a high half the load replaces */

	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(fw_cfg_device_ops.load(c, &st, 1), 0);
	ck_assert_uint_eq(data(), (uint8_t)text[6]);
	fw_cfg_dma_io_ops.write(c, 4, 4, __builtin_bswap32(DESC));
	ck_assert_uint_eq(get_be32(DESC), 0); /* done, no error */
	mem_read(&m, BUF, got, 7);
	ck_assert_str_eq(got, "nd rest");
	ck_assert_uint_eq(data(), (uint8_t)text[14]);
	fw_cfg_destroy(c);
	c = saved;
	state_out_free(&o);
}
END_TEST

static Suite *fw_cfg_suite(void)
{
	Suite *s = suite_create("fw_cfg");
	TCase *t = tcase_create("fw_cfg");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_signature_and_id_with_dma_bit);
	tcase_add_test(t, test_selecting_again_rewinds);
	tcase_add_test(t, test_little_endian_numbers_and_unknown_keys_read_zero);
	tcase_add_test(t, test_dma_port_reads_qemu_cfg_signature);
	tcase_add_test(t, test_file_directory_lists_files_big_endian);
	tcase_add_test(t, test_duplicate_and_long_names_are_refused);
	tcase_add_test(t, test_dma_select_and_read_then_zero_past_end);
	tcase_add_test(t, test_dma_skip_then_read_continues_at_offset);
	tcase_add_test(t, test_dma_read_to_bad_address_sets_error_bit);
	tcase_add_test(t, test_dma_write_only_to_writable_files);
	tcase_add_test(t, test_strange_programming_is_survived);
	tcase_add_test(t, test_reset_selects_signature);
	tcase_add_test(t, test_saveLoad_readsOnFromTheSameByte);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(fw_cfg_suite());
}
