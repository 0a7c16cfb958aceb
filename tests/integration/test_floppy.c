/* Floppies end to end: SeaBIOS (bios.bin) boots tests/guests/floppyboot.asm
 * from drive A: with boot = "a" through the 82077AA and the 8237. The boot
 * sector asks INT 13h for the geometry, reads the whole track at cylinder
 * 1, head 1 (a seek and a multi-sector DMA transfer) and prints every
 * sector's label and the track's byte sum, then writes a sector and reads
 * it back. Done on every size hv takes (360 KB, 720 KB, 1.2 MB, 1.44 MB,
 * 2.88 MB: SeaBIOS gets the drive type from CMOS and senses the medium by
 * its data rate); a read-only image refuses
 * the write with INT 13h's write-protect status and stays as it was; an
 * image of no floppy size stops `hv create` with a clear message. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define BIOS	"/usr/share/seabios/bios.bin"
#define SECTOR	512
#define MAX_IMG 2949120
#define WRITTEN "written to the floppy"

static char img[512], e9[512];
static unsigned char orig[MAX_IMG];
static size_t img_size;

/* Every sector starts with its "CC/H/SS" label; the rest is a pattern of
 * its LBA; sector 0 is the boot sector. */
static void make_image(unsigned cyls, unsigned spt)
{
	FILE *f = fopen(h_guest("floppyboot"), "rb");
	size_t lba = 0;

	ck_assert_ptr_nonnull(f);
	img_size = (size_t)cyls * 2 * spt * SECTOR;
	for (unsigned c = 0; c < cyls; c++)
		for (unsigned h = 0; h < 2; h++)
			for (unsigned s = 1; s <= spt; s++, lba++) {
				unsigned char *p = orig + lba * SECTOR;

				for (unsigned i = 0; i < SECTOR; i++)
					p[i] = (unsigned char)(lba * 7 + i);
				snprintf((char *)p, 16, "%02u/%u/%02u", c, h, s);
			}
	ck_assert_int_eq(fread(orig, 1, SECTOR, f), SECTOR);
	fclose(f);
	snprintf(img, sizeof img, "%s/floppy.img", h_setup_dir());
	f = fopen(img, "wb");
	ck_assert_int_eq(fwrite(orig, 1, img_size, f), img_size);
	fclose(f);
	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
}

static const char *floppy_cfg(const char *name, const char *access)
{
	char text[2048];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ 'format=raw,vdev=fda,access=%s,target=%s' ]\nboot = \"a\"\n",
		 name, BIOS, e9, access, img);
	return h_write_file("floppy.cfg", text);
}

/* What the boot sector prints for the track at 1/1: the labels, then the
 * sum of its bytes as SeaBIOS's DMA put them in memory. */
static const char *expected_track(unsigned cyls, unsigned spt)
{
	static char want[1024];
	size_t first = (size_t)3 * spt * SECTOR, n = 0;
	unsigned sum = 0;

	n += (size_t)snprintf(want, sizeof want, "geometry %02X/01/%02X\n", cyls - 1, spt);
	for (unsigned s = 1; s <= spt; s++)
		n += (size_t)snprintf(want + n, sizeof want - n, "01/1/%02u ", s);
	for (size_t i = 0; i < (size_t)spt * SECTOR; i++)
		sum += orig[first + i];
	snprintf(want + n, sizeof want - n, "sum %04X\n", sum & 0xFFFF);
	return want;
}

static const unsigned char *image_now(void)
{
	static unsigned char now[MAX_IMG];
	FILE *f = fopen(img, "rb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(now, 1, img_size, f), img_size);
	fclose(f);
	return now;
}

/* Cylinders and sectors per track of each size. */
static const unsigned sizes[][2] = {{40, 9}, {80, 9}, {80, 15}, {80, 18}, {80, 36}};

/* Boots the image read-write and checks the track, the write and that
 * nothing else in the image changed. */
START_TEST(test_seabios_boots_each_floppy_size_reads_a_track_and_writes)
{
	unsigned cyls = sizes[_i][0], spt = sizes[_i][1];
	size_t at = ((size_t)(3 * 2 + 1) * spt + 3) * SECTOR; /* 3/1/4 */
	const unsigned char *now;
	struct h_result *r;

	make_image(cyls, spt);
	r = h_hv(NULL, 120, (const char *const[]){"run", floppy_cfg("fd", "rw"), NULL});
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "status %d\n%s\n%s", r->status, r->err,
		      h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "Booting from Floppy"));
	ck_assert_msg(strstr(h_slurp(e9), expected_track(cyls, spt)), "want:\n%s\ngot:\n%s",
		      expected_track(cyls, spt), h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "\n" WRITTEN "\n"));
	now = image_now();
	ck_assert_str_eq((const char *)now + at, WRITTEN);
	for (size_t i = sizeof WRITTEN; i < SECTOR; i++)
		ck_assert_uint_eq(now[at + i], 0);
	ck_assert_int_eq(memcmp(now, orig, at), 0);
	ck_assert_int_eq(memcmp(now + at + SECTOR, orig + at + SECTOR, img_size - at - SECTOR), 0);
}
END_TEST

START_TEST(test_read_only_floppy_is_write_protected_and_unchanged)
{
	struct h_result *r;

	make_image(80, 18);
	r = h_hv(NULL, 120, (const char *const[]){"run", floppy_cfg("ro", "ro"), NULL});
	ck_assert_msg(r->status == ((0x11 << 1) | 1), "status %d\n%s\n%s", r->status, r->err,
		      h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), expected_track(80, 18))); /* reads still work */
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "write error 03\n"));	    /* write protected */
	ck_assert_int_eq(memcmp(image_now(), orig, img_size), 0);
}
END_TEST

START_TEST(test_image_of_no_floppy_size_is_a_clear_error)
{
	struct h_result *r;
	char want[700];
	FILE *f;

	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
	snprintf(img, sizeof img, "%s/odd.img", h_setup_dir());
	f = fopen(img, "wb");
	ck_assert_int_eq(fseek(f, 1000000 - 1, SEEK_SET), 0);
	ck_assert_int_eq(fputc(0, f), 0);
	fclose(f);
	r = h_hv(NULL, 60, (const char *const[]){"create", floppy_cfg("odd", "rw"), NULL});
	snprintf(want, sizeof want, "disk fda: %s: 1000000 bytes is not a floppy image size", img);
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, want), "stderr: %s", r->err);
	ck_assert_msg(strstr(r->err, "737280 (720 KB)") && strstr(r->err, "1474560 (1.44 MB)"),
		      "stderr: %s", r->err);
	ck_assert_str_eq(h_slurp(e9), ""); /* the firmware never ran */
	ck_assert_ptr_null(h_info("odd", "state"));
}
END_TEST

static Suite *floppy_suite(void)
{
	Suite *s = suite_create("floppy");
	TCase *t = tcase_create("seabios");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_loop_test(t, test_seabios_boots_each_floppy_size_reads_a_track_and_writes, 0,
			    sizeof sizes / sizeof sizes[0]);
	tcase_add_test(t, test_read_only_floppy_is_write_protected_and_unchanged);
	tcase_add_test(t, test_image_of_no_floppy_size_is_a_clear_error);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(floppy_suite());
}
