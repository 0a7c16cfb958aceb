/* The Linux boot-protocol loader on synthetic bzImages: where the kernel,
 * the initrd, the command line, the zero page and the GDT land, what the
 * zero page says, and the errors for files that are not bzImages or do
 * not fit in the guest. */
#include "hv/boot/linuxboot.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bzimage_fixture.h"
#include "unit.h"

#define MIB	0x100000u
#define PM_SIZE 8192u

static struct guest_mem m;
static struct linux_image img;
static char err[512];

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* A bzImage of protocol 2.15 with a recognisable protected-mode part. */
static void make_image(uint32_t init_size, uint32_t initrd_max)
{
	size_t setup = BZIMAGE_SETUP_SIZE;
	uint8_t *k = calloc(1, setup + PM_SIZE);

	ck_assert_ptr_nonnull(k);
	bzimage_header(k, MIB, init_size, initrd_max);
	k[0x267] = 0x5a; /* last header byte: must be copied */
	k[0x268] = 0xa5; /* past the header: must not be */
	for (size_t i = 0; i < PM_SIZE; i++)
		k[setup + i] = (uint8_t)(i * 7 + 1);
	img = (struct linux_image){.kernel = k, .kernel_size = setup + PM_SIZE};
}

static void add_initrd(size_t size)
{
	img.initrd = malloc(size);
	ck_assert_ptr_nonnull(img.initrd);
	for (size_t i = 0; i < size; i++)
		img.initrd[i] = (uint8_t)(i * 13 + 3);
	img.initrd_size = size;
}

static void setup(void)
{
	ck_assert_int_eq(mem_init(&m, 32 * MIB, err, sizeof err), 0);
	make_image(0x10000, 0x37ffffff);
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), 0);
	err[0] = '\0';
}

static void teardown(void)
{
	linuxboot_free(&img);
	mem_destroy(&m);
}

static const uint8_t *ram(uint32_t gpa)
{
	return m.ram + gpa;
}

START_TEST(test_kernel_goes_to_code32_start_and_entry_points_at_it)
{
	struct linux_entry e;

	ck_assert_uint_eq(img.version, 0x020f);
	ck_assert_uint_eq(img.setup_size, 5 * 512);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "console=ttyS0", 0, NULL, &e, err, sizeof err),
			 0);
	ck_assert_mem_eq(ram(MIB), img.kernel + img.setup_size, PM_SIZE);
	ck_assert_uint_eq(e.eip, MIB);
	ck_assert_uint_eq(e.esi, LINUXBOOT_ZERO_PAGE);
}
END_TEST

START_TEST(test_zero_page_has_the_header_and_what_a_loader_fills)
{
	const uint8_t *bp = ram(LINUXBOOT_ZERO_PAGE);
	struct linux_entry e;

	ck_assert_int_eq(
	    linuxboot_setup(&m, &img, "console=ttyS0 panic=-1", 0xfe000, NULL, &e, err, sizeof err),
	    0);
	ck_assert_mem_eq(bp + BP_HEADER, "HdrS", 4);
	ck_assert_uint_eq(bp[0x267], 0x5a);
	ck_assert_uint_eq(bp[0x268], 0);
	ck_assert_uint_eq(bp[BP_TYPE_OF_LOADER], 0xff);
	ck_assert_uint_eq(get32(bp + BP_CMD_LINE_PTR), LINUXBOOT_CMDLINE);
	ck_assert_str_eq((const char *)ram(LINUXBOOT_CMDLINE), "console=ttyS0 panic=-1");
	ck_assert_uint_eq(get64(bp + BP_ACPI_RSDP), 0xfe000);
	ck_assert_uint_eq(get32(bp + BP_RAMDISK_IMAGE), 0);
	ck_assert_uint_eq(get32(bp + BP_RAMDISK_SIZE), 0);
	ck_assert_uint_eq(get32(bp + BP_ALT_MEM_K), 31 * 1024);
}
END_TEST

START_TEST(test_e820_map_follows_ram_and_reserves_acpi_and_bios)
{
	static const uint64_t want[4][3] = {{0, LINUXBOOT_ACPI, 1},
					    {LINUXBOOT_ACPI, LINUXBOOT_ACPI_SIZE, 3},
					    {0xF0000, 0x10000, 2},
					    {MIB, 31 * MIB, 1}};
	const uint8_t *bp = ram(LINUXBOOT_ZERO_PAGE);
	struct linux_entry e;

	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), 0);
	ck_assert_uint_eq(bp[BP_E820_ENTRIES], 4);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *p = bp + BP_E820_TABLE + 20 * i;
		ck_assert_uint_eq(get64(p), want[i][0]);
		ck_assert_uint_eq(get64(p + 8), want[i][1]);
		ck_assert_uint_eq(get32(p + 16), want[i][2]);
	}
}
END_TEST

START_TEST(test_initrd_is_placed_high_page_aligned_below_the_ram_top)
{
	const uint8_t *bp = ram(LINUXBOOT_ZERO_PAGE);
	struct linux_entry e;
	uint32_t at;

	add_initrd(10000);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), 0);
	at = get32(bp + BP_RAMDISK_IMAGE);
	ck_assert_uint_eq(at, (32 * MIB - 10000) & ~0xfffu);
	ck_assert_uint_eq(get32(bp + BP_RAMDISK_SIZE), 10000);
	ck_assert_mem_eq(ram(at), img.initrd, 10000);
}
END_TEST

START_TEST(test_initrd_stays_below_initrd_addr_max)
{
	const uint8_t *bp = ram(LINUXBOOT_ZERO_PAGE);
	struct linux_entry e;

	linuxboot_free(&img);
	make_image(0x10000, 16 * MIB - 1);
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), 0);
	add_initrd(4096);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), 0);
	ck_assert_uint_eq(get32(bp + BP_RAMDISK_IMAGE), 16 * MIB - 4096);
}
END_TEST

START_TEST(test_rng_seed_goes_in_a_setup_data_node)
{
	const uint8_t *bp = ram(LINUXBOOT_ZERO_PAGE), *node = ram(LINUXBOOT_SETUP_DATA);
	uint8_t seed[LINUXBOOT_SEED_SIZE];
	struct linux_entry e;

	for (unsigned i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(0xc0 + i);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), 0);
	ck_assert_uint_eq(get64(bp + BP_SETUP_DATA), 0);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, seed, &e, err, sizeof err), 0);
	ck_assert_uint_eq(get64(bp + BP_SETUP_DATA), LINUXBOOT_SETUP_DATA);
	ck_assert_uint_eq(get64(node), 0);     /* next: none */
	ck_assert_uint_eq(get32(node + 8), 9); /* SETUP_RNG_SEED */
	ck_assert_uint_eq(get32(node + 12), sizeof seed);
	ck_assert_mem_eq(node + 16, seed, sizeof seed);
}
END_TEST

START_TEST(test_gdt_has_flat_boot_cs_and_ds)
{
	struct linux_entry e;

	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), 0);
	ck_assert_uint_eq(e.gdt_base, LINUXBOOT_GDT);
	ck_assert_uint_ge(e.gdt_limit, LINUXBOOT_BOOT_DS + 7);
	ck_assert_uint_eq(get64(ram(LINUXBOOT_GDT + LINUXBOOT_BOOT_CS)), 0x00cf9a000000ffffull);
	ck_assert_uint_eq(get64(ram(LINUXBOOT_GDT + LINUXBOOT_BOOT_DS)), 0x00cf92000000ffffull);
}
END_TEST

START_TEST(test_kernel_too_big_for_memory_is_refused)
{
	struct linux_entry e;

	linuxboot_free(&img);
	make_image(64 * MIB, 0x37ffffff);
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), 0);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), -1);
	ck_assert_str_eq(err, "the kernel needs memory up to 65 MiB (it loads at 0x100000); give "
			      "the domain more memory");
}
END_TEST

START_TEST(test_ramdisk_too_big_for_memory_is_refused)
{
	struct linux_entry e;

	add_initrd(31 * MIB);
	ck_assert_int_eq(linuxboot_setup(&m, &img, "", 0, NULL, &e, err, sizeof err), -1);
	ck_assert_str_eq(err, "the ramdisk (32505856 bytes) does not fit in memory above the "
			      "kernel; give the domain more memory");
}
END_TEST

START_TEST(test_command_line_longer_than_the_kernel_takes_is_refused)
{
	struct linux_entry e;
	char *line = malloc(2049);

	ck_assert_ptr_nonnull(line);
	memset(line, 'x', 2048);
	line[2048] = '\0';
	ck_assert_int_eq(linuxboot_setup(&m, &img, line, 0, NULL, &e, err, sizeof err), -1);
	ck_assert_str_eq(err, "the command line is 2048 characters; the kernel takes 2047");
	free(line);
}
END_TEST

START_TEST(test_image_without_setup_header_is_not_a_bzimage)
{
	img.kernel[BP_HEADER] = 'X';
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), -1);
	ck_assert_str_eq(err, "not a bzImage (no Linux setup header \"HdrS\")");
}
END_TEST

START_TEST(test_old_protocol_and_zimage_are_refused)
{
	img.kernel[BP_VERSION] = 0x04;
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), -1);
	ck_assert_str_eq(err, "boot protocol 2.04 is too old (2.06 or later needed)");
	img.kernel[BP_VERSION] = 0x0f;
	img.kernel[BP_LOADFLAGS] = 0;
	ck_assert_int_eq(linuxboot_check(&img, err, sizeof err), -1);
	ck_assert_str_eq(err, "not a bzImage (a zImage loads below 1 MiB)");
}
END_TEST

/* Writes bytes to a fresh temporary file; returns its path. */
static const char *temp_file(const void *bytes, size_t len)
{
	static char path[64];
	FILE *f;
	int fd;

	strcpy(path, "/tmp/hv-test-linuxboot-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(test_read_names_the_file_in_every_error)
{
	struct linux_image r;
	char want[600], kpath[64];

	ck_assert_int_eq(linuxboot_read("/nonexistent/vmlinuz", NULL, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "kernel /nonexistent/vmlinuz: No such file or directory");
	ck_assert_int_eq(linuxboot_read("/tmp", NULL, &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "kernel /tmp: not a regular file");

	strcpy(kpath, temp_file("MZ not a kernel at all", 22));
	ck_assert_int_eq(linuxboot_read(kpath, NULL, &r, err, sizeof err), -1);
	snprintf(want, sizeof want, "kernel %s: not a bzImage (no Linux setup header \"HdrS\")",
		 kpath);
	ck_assert_str_eq(err, want);
	unlink(kpath);

	strcpy(kpath, temp_file(img.kernel, img.kernel_size));
	ck_assert_int_eq(linuxboot_read(kpath, "/nonexistent/initrd", &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "ramdisk /nonexistent/initrd: No such file or directory");
	ck_assert_int_eq(linuxboot_read(kpath, "", &r, err, sizeof err), 0);
	ck_assert_uint_eq(r.kernel_size, img.kernel_size);
	ck_assert_ptr_null(r.initrd);
	linuxboot_free(&r);
	unlink(kpath);
}
END_TEST

static Suite *linuxboot_suite(void)
{
	Suite *s = suite_create("linuxboot");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_kernel_goes_to_code32_start_and_entry_points_at_it);
	tcase_add_test(tc, test_zero_page_has_the_header_and_what_a_loader_fills);
	tcase_add_test(tc, test_e820_map_follows_ram_and_reserves_acpi_and_bios);
	tcase_add_test(tc, test_initrd_is_placed_high_page_aligned_below_the_ram_top);
	tcase_add_test(tc, test_initrd_stays_below_initrd_addr_max);
	tcase_add_test(tc, test_gdt_has_flat_boot_cs_and_ds);
	tcase_add_test(tc, test_rng_seed_goes_in_a_setup_data_node);
	tcase_add_test(tc, test_kernel_too_big_for_memory_is_refused);
	tcase_add_test(tc, test_ramdisk_too_big_for_memory_is_refused);
	tcase_add_test(tc, test_command_line_longer_than_the_kernel_takes_is_refused);
	tcase_add_test(tc, test_image_without_setup_header_is_not_a_bzimage);
	tcase_add_test(tc, test_old_protocol_and_zimage_are_refused);
	tcase_add_test(tc, test_read_names_the_file_in_every_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(linuxboot_suite());
}
