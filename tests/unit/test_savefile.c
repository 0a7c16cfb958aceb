/* Save files (hv/core/savefile.h, state.h) and the device registry's save
 * and load (hv/core/device.h): round trips, and every way a file can be
 * damaged (each truncation, each flipped byte, a foreign or newer file,
 * bytes after the end, sections that do not match the machine) refused
 * with one message before a device is touched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/core/device.h"
#include "hv/core/savefile.h"
#include "hv/core/state.h"
#include "unit.h"

static char err[256];

static int new_file(void)
{
	int fd = memfd_create("save", 0);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* A small file: two sections and sparse RAM of 16 pages. */
static uint8_t ram[16 * SAVEFILE_PAGE];

static int make_file(void)
{
	struct savefile_writer w;
	int fd = new_file();

	memset(ram, 0, sizeof ram);
	memset(ram + 2 * SAVEFILE_PAGE, 0xa5, SAVEFILE_PAGE);
	ram[3 * SAVEFILE_PAGE + 17] = 1;
	ram[15 * SAVEFILE_PAGE + 4095] = 0x5a;
	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_int_eq(savefile_put(&w, "config", 1, "name=\"x\"\n", 9, err, sizeof err), 0);
	ck_assert_int_eq(savefile_put_ram(&w, "ram", ram, sizeof ram, err, sizeof err), 0);
	ck_assert_int_eq(savefile_put(&w, "cpu", 3, "\1\2\3", 3, err, sizeof err), 0);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	return fd;
}

START_TEST(test_round_trip_keeps_sections_and_sparse_ram)
{
	struct savefile_reader r;
	const struct savefile_section *s;
	static uint8_t back[sizeof ram];
	uint8_t *bytes;
	int fd = make_file();

	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);
	ck_assert_uint_eq(r.n, 3);
	s = savefile_find(&r, "cpu");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->version, 3);
	ck_assert_int_eq(savefile_load(&r, s, 16, &bytes, err, sizeof err), 0);
	ck_assert_mem_eq(bytes, "\1\2\3", 3);
	free(bytes);
	ck_assert_int_eq(savefile_load(&r, s, 2, &bytes, err, sizeof err), -1);
	s = savefile_find(&r, "ram");
	/* 8 bytes of size, runs at pages 2-3 and 15: 2 headers, 3 pages */
	ck_assert_uint_eq(s->length, 8 + 2 * 16 + 3 * SAVEFILE_PAGE);
	memset(back, 0xff, sizeof back);
	ck_assert_int_eq(savefile_get_ram(&r, s, back, sizeof back, err, sizeof err), 0);
	ck_assert_mem_eq(back, ram, sizeof ram);
	ck_assert_int_eq(savefile_check_ram(&r, s, sizeof ram * 2, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "the domain has"));
	ck_assert_ptr_null(savefile_find(&r, "end"));
	savefile_close(&r);
	close(fd);
}
END_TEST

static off_t file_size(int fd)
{
	return lseek(fd, 0, SEEK_END);
}

static void copy_prefix(int from, int to, off_t n)
{
	static uint8_t buf[32 * SAVEFILE_PAGE];

	ck_assert_int_le(n, (off_t)sizeof buf);
	ck_assert_int_eq(pread(from, buf, (size_t)n, 0), n);
	ck_assert_int_eq(ftruncate(to, 0), 0);
	ck_assert_int_eq(pwrite(to, buf, (size_t)n, 0), n);
}

START_TEST(test_every_truncation_is_refused)
{
	struct savefile_reader r;
	int fd = make_file(), cut = new_file();
	off_t size = file_size(fd);

	for (off_t n = 0; n < size; n++) {
		copy_prefix(fd, cut, n);
		ck_assert_int_eq(savefile_open(&r, cut, err, sizeof err), -1);
		ck_assert_ptr_null(r.s);
	}
	close(cut);
	close(fd);
}
END_TEST

START_TEST(test_every_flipped_byte_is_refused)
{
	struct savefile_reader r;
	int fd = make_file();
	off_t size = file_size(fd);
	uint8_t b;

	/* one byte in each 61 (all of the headers' bytes are covered by
	 * the stride's offsets modulo the header sizes) */
	for (off_t at = _i; at < size; at += 61) {
		ck_assert_int_eq(pread(fd, &b, 1, at), 1);
		b ^= 0x10;
		ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
		ck_assert_msg(savefile_open(&r, fd, err, sizeof err) == -1, "byte %lld",
			      (long long)at);
		b ^= 0x10;
		ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
	}
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);
	savefile_close(&r);
	close(fd);
}
END_TEST

START_TEST(test_foreign_newer_and_padded_files_say_what_they_are)
{
	struct savefile_reader r;
	int fd = make_file();
	uint8_t v[4] = {2, 0, 0, 0};

	ck_assert_int_eq(pwrite(fd, "\0", 1, file_size(fd)), 1);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), -1);
	ck_assert_str_eq(err, "save file: bytes after the \"end\" section");
	ck_assert_int_eq(ftruncate(fd, file_size(fd) - 1), 0);
	ck_assert_int_eq(pwrite(fd, v, 4, 8), 4);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), -1);
	ck_assert_str_eq(err, "save file format version 2; this hv reads version 1");
	ck_assert_int_eq(pwrite(fd, "GIF89a", 6, 0), 6);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), -1);
	ck_assert_str_eq(err, "not an hv save file");
	close(fd);
}
END_TEST

START_TEST(test_writer_refuses_bad_names_and_duplicates_are_refused_on_read)
{
	struct savefile_writer w;
	struct savefile_reader r;
	int fd = new_file();

	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_int_eq(savefile_put(&w, "", 1, "", 0, err, sizeof err), -1);
	ck_assert_int_eq(savefile_put(&w, "a name with spaces", 1, "", 0, err, sizeof err), -1);
	ck_assert_int_eq(savefile_put(&w, "x23456789012345678901234", 1, "", 0, err, sizeof err),
			 -1);
	ck_assert_int_eq(savefile_put(&w, "cpu", 1, "a", 1, err, sizeof err), 0);
	ck_assert_int_eq(savefile_put(&w, "cpu", 1, "b", 1, err, sizeof err), 0);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), -1);
	ck_assert_str_eq(err, "save file: section 'cpu' twice");
	close(fd);
}
END_TEST

static void put_le64(struct savefile_writer *w, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	ck_assert_int_eq(savefile_write(w, b, 8, err, sizeof err), 0);
}

/* A RAM section whose runs overlap, run backwards or leave RAM is refused
 * by the check, before a byte of RAM changes. */
START_TEST(test_malformed_ram_runs_are_refused)
{
	static const uint64_t runs[][2] = {{3, 1}, {0, 0}, {15, 2}, {~0ull, 2}, {1, ~0ull >> 12}};
	struct savefile_writer w;
	struct savefile_reader r;
	static uint8_t page[SAVEFILE_PAGE * 2], back[sizeof ram];
	int fd = new_file();

	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_int_eq(savefile_section_begin(&w, "ram", 1, err, sizeof err), 0);
	put_le64(&w, sizeof ram);
	/* a good run at page 5, then the bad one */
	put_le64(&w, 5);
	put_le64(&w, 1);
	ck_assert_int_eq(savefile_write(&w, page, SAVEFILE_PAGE, err, sizeof err), 0);
	put_le64(&w, runs[_i][0]);
	put_le64(&w, runs[_i][1]);
	ck_assert_int_eq(savefile_write(&w, page, sizeof page, err, sizeof err), 0);
	ck_assert_int_eq(savefile_section_end(&w, err, sizeof err), 0);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);
	memset(back, 0x77, sizeof back);
	ck_assert_int_eq(
	    savefile_get_ram(&r, savefile_find(&r, "ram"), back, sizeof back, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "malformed"));
	ck_assert_uint_eq(back[0], 0x77);
	savefile_close(&r);
	close(fd);
}
END_TEST

START_TEST(test_state_reader_fails_past_the_end_and_out_of_range)
{
	struct state_out o = {0};
	struct state_in in;
	uint8_t b[3];

	state_put_u32(&o, 7);
	state_put_u64(&o, 0x0102030405060708ull);
	state_put_bool(&o, true);
	state_put_u8(&o, 2);
	ck_assert(!o.failed);
	in = state_in_make(o.p, o.len);
	ck_assert_uint_eq(state_get_max(&in, 7), 7);
	ck_assert_uint_eq(state_get_u64(&in), 0x0102030405060708ull);
	ck_assert(state_get_bool(&in));
	ck_assert(!state_get_bool(&in)); /* 2 is no bool */
	ck_assert(in.failed);
	in = state_in_make(o.p, o.len);
	ck_assert_uint_eq(state_get_max(&in, 6), 0);
	ck_assert(in.failed);
	in = state_in_make(o.p, 5);
	state_get_u32(&in);
	ck_assert_uint_eq(state_get_u16(&in), 0);
	state_get_bytes(&in, b, sizeof b);
	ck_assert_mem_eq(b, "\0\0\0", 3);
	ck_assert(!state_in_done(&in));
	in = state_in_make(o.p, 4);
	state_get_u32(&in);
	ck_assert(state_in_done(&in));
	state_out_free(&o);
}
END_TEST

/* ---- the registry ---- */

struct counter {
	uint32_t value, limit;
	int loads;
};

static void counter_save(const void *dev, struct state_out *out)
{
	const struct counter *c = dev;

	state_put_u32(out, c->value);
}

static int counter_load(void *dev, struct state_in *in, uint32_t from)
{
	struct counter *c = dev;
	uint32_t v = state_get_max(in, c->limit);

	(void)from;
	if (in->failed)
		return -1;
	c->value = v;
	c->loads++;
	return 0;
}

static const struct device_ops counter_ops = {
    .version = 2, .save = counter_save, .load = counter_load};
static const struct device_ops stateless_ops = {.stateless = true};

static void counter_reset(void *dev)
{
	((struct counter *)dev)->value = 0;
}

static const struct device_ops later_ops = {.reset = counter_reset,
					    .version = 1,
					    .save = counter_save,
					    .load = counter_load,
					    .added_later = true};

/* Saves reg (a pic0 and a pit0 counter, and a stateless port92) plus any
 * extra sections, and opens the result. */
static int save_registry(const struct device_registry *reg, const char *extra,
			 uint32_t extra_version, struct savefile_reader *r)
{
	struct savefile_writer w;
	int fd = new_file();

	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_int_eq(device_save_all(reg, &w, err, sizeof err), 0);
	if (extra)
		ck_assert_int_eq(
		    savefile_put(&w, extra, extra_version, "\7\0\0\0", 4, err, sizeof err), 0);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	ck_assert_int_eq(savefile_open(r, fd, err, sizeof err), 0);
	return fd;
}

START_TEST(test_registry_round_trip_and_mismatches)
{
	struct device_registry reg = {0}, other = {0}, later = {0};
	struct counter a = {.value = 11, .limit = 100}, b = {.value = 22, .limit = 100};
	struct savefile_reader r;
	int fd;

	device_register(&reg, "pic0", &counter_ops, &a, err, sizeof err);
	device_register(&reg, "port92", &stateless_ops, NULL, err, sizeof err);
	device_register(&reg, "pit0", &counter_ops, &b, err, sizeof err);
	fd = save_registry(&reg, NULL, 0, &r);
	ck_assert_uint_eq(r.n, 2);
	a.value = b.value = 0;
	ck_assert_int_eq(device_load_all(&reg, &r, err, sizeof err), 0);
	ck_assert_uint_eq(a.value, 11);
	ck_assert_uint_eq(b.value, 22);
	/* a machine without pit0 refuses the file before loading pic0 */
	device_register(&other, "pic0", &counter_ops, &a, err, sizeof err);
	a.loads = 0;
	ck_assert_int_eq(device_load_all(&other, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "the save file has state for a device 'pit0' this domain lacks");
	ck_assert_int_eq(a.loads, 0);
	savefile_close(&r);
	close(fd);
	/* a machine with a device the file lacks */
	fd = save_registry(&other, NULL, 0, &r);
	ck_assert_int_eq(device_load_all(&reg, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "the save file has no state for device 'pit0'");
	/* ... unless it came after the file's hv: reset, the rest loaded */
	device_register(&later, "pic0", &counter_ops, &a, err, sizeof err);
	device_register(&later, "hpet", &later_ops, &b, err, sizeof err);
	a.value = 0;
	b.value = 5;
	ck_assert_int_eq(device_load_all(&later, &r, err, sizeof err), 0);
	ck_assert_uint_eq(a.value, 11);
	ck_assert_uint_eq(b.value, 0);
	device_registry_free(&later);
	savefile_close(&r);
	close(fd);
	/* a newer state version */
	device_registry_free(&other);
	device_register(&other, "pit0", &counter_ops, &b, err, sizeof err);
	fd = save_registry(&other, "dev.pic0", 3, &r);
	ck_assert_int_eq(device_load_all(&reg, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "pic0: state version 3; this hv reads 1 to 2");
	savefile_close(&r);
	close(fd);
	device_registry_free(&other);
	device_registry_free(&reg);
}
END_TEST

START_TEST(test_registry_load_refuses_bad_values_and_leftover_bytes)
{
	struct device_registry reg = {0}, big = {0};
	struct counter a = {.value = 50, .limit = 100}, small = {.limit = 10};
	struct savefile_reader r;
	int fd;

	device_register(&big, "pic0", &counter_ops, &a, err, sizeof err);
	fd = save_registry(&big, NULL, 0, &r);
	device_register(&reg, "pic0", &counter_ops, &small, err, sizeof err);
	ck_assert_int_eq(device_load_all(&reg, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "pic0: the save file's state is not valid for it");
	ck_assert_uint_eq(small.value, 0);
	savefile_close(&r);
	close(fd);
	device_registry_free(&big);
	/* 4 more bytes than the load op reads */
	{
		struct savefile_writer w;

		fd = new_file();
		ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
		ck_assert_int_eq(
		    savefile_put(&w, "dev.pic0", 1, "\7\0\0\0\0\0\0\0", 8, err, sizeof err), 0);
		ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
		ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);
	}
	ck_assert_int_eq(device_load_all(&reg, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "pic0: the save file's state is not valid for it");
	savefile_close(&r);
	close(fd);
	device_registry_free(&reg);
}
END_TEST

/* RAM in a memfd: its holes are skipped unread (they stay holes: the
 * save gives no page to memory the guest never wrote), written pages and
 * a written page of zeros come back right, over zeros too. */
START_TEST(test_ram_from_a_memfd_skips_its_holes)
{
	enum { PAGES = 64 };
	int ram_fd = memfd_create("ram", 0), fd = new_file();
	uint8_t *ram, *back;
	struct savefile_writer w;
	struct savefile_reader r;
	struct stat st;

	ck_assert_int_ge(ram_fd, 0);
	ck_assert_int_eq(ftruncate(ram_fd, PAGES * SAVEFILE_PAGE), 0);
	ram = mmap(NULL, PAGES * SAVEFILE_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ram_fd, 0);
	ck_assert_ptr_ne(ram, MAP_FAILED);
	memset(ram + 3 * SAVEFILE_PAGE, 0x11, SAVEFILE_PAGE);
	memset(ram + 40 * SAVEFILE_PAGE + 7, 0x22, 100);
	ram[41 * SAVEFILE_PAGE] = 0; /* written, all zeros */
	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_int_eq(
	    savefile_put_ram_fd(&w, "ram", ram, PAGES * SAVEFILE_PAGE, ram_fd, err, sizeof err), 0);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	ck_assert_int_eq(fstat(ram_fd, &st), 0);
	ck_assert_int_le(st.st_blocks * 512, 3 * SAVEFILE_PAGE); /* no page added */
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);
	back = calloc(PAGES, SAVEFILE_PAGE);
	ck_assert_int_eq(savefile_get_ram_over_zeros(&r, savefile_find(&r, "ram"), back,
						     PAGES * SAVEFILE_PAGE, err, sizeof err),
			 0);
	ck_assert_mem_eq(back, ram, PAGES * SAVEFILE_PAGE);
	savefile_close(&r);
	free(back);
	munmap(ram, PAGES * SAVEFILE_PAGE);
	close(ram_fd);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("savefile");
	TCase *t = tcase_create("format");
	TCase *d = tcase_create("registry");

	tcase_add_test(t, test_round_trip_keeps_sections_and_sparse_ram);
	tcase_add_test(t, test_every_truncation_is_refused);
	tcase_add_test(t, test_ram_from_a_memfd_skips_its_holes);
	tcase_add_loop_test(t, test_every_flipped_byte_is_refused, 0, 61);
	tcase_add_test(t, test_foreign_newer_and_padded_files_say_what_they_are);
	tcase_add_test(t, test_writer_refuses_bad_names_and_duplicates_are_refused_on_read);
	tcase_add_loop_test(t, test_malformed_ram_runs_are_refused, 0, 5);
	tcase_add_test(t, test_state_reader_fails_past_the_end_and_out_of_range);
	suite_add_tcase(s, t);
	tcase_add_test(d, test_registry_round_trip_and_mismatches);
	tcase_add_test(d, test_registry_load_refuses_bad_values_and_leftover_bytes);
	suite_add_tcase(s, d);
	return unit_run(s);
}
