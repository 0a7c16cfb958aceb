/* Disks end to end: SeaBIOS boots a master boot record from an IDE hard
 * disk (tests/guests/bootsect.asm) that reads and writes sectors through
 * INT 13h; the image holds the guest's write afterwards, a read-only image
 * refuses it and stays as it was, and a missing or locked image stops
 * `hv create` with a clear message before any guest runs. An El Torito
 * CD made with xorriso (tests/guests/cdboot.asm) boots with boot = "d";
 * an empty CD drive is passed over for the hard disk. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define BIOS	   "/usr/share/seabios/bios-256k.bin"
#define IMG_BYTES  (1 << 20)
#define SECTOR_TWO "hello from sector 2\n"

static char img[512], e9[512];
static unsigned char orig[IMG_BYTES];

/* The boot sector, then sector 2's text; the rest zeros. */
static void make_image(void)
{
	FILE *f = fopen(h_guest("bootsect"), "rb");

	ck_assert_ptr_nonnull(f);
	memset(orig, 0, sizeof orig);
	ck_assert_int_eq(fread(orig, 1, 512, f), 512);
	fclose(f);
	memcpy(orig + 512, SECTOR_TWO, sizeof SECTOR_TWO);
	snprintf(img, sizeof img, "%s/disk.img", h_setup_dir());
	f = fopen(img, "wb");
	ck_assert_int_eq(fwrite(orig, 1, sizeof orig, f), sizeof orig);
	fclose(f);
	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
}

static const char *seabios_cfg(const char *name, const char *disk, const char *boot)
{
	char text[2048];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\ndisk = [ '%s' ]\nboot = \"%s\"\n",
		 name, BIOS, e9, disk, boot);
	return h_write_file("disk.cfg", text);
}

static const unsigned char *image_now(void)
{
	static unsigned char now[IMG_BYTES];
	FILE *f = fopen(img, "rb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(now, 1, sizeof now, f), sizeof now);
	fclose(f);
	return now;
}

START_TEST(test_seabios_boots_hda_and_int13_reads_and_writes_the_image)
{
	char spec[700];
	struct h_result *r;
	const unsigned char *now;

	make_image();
	snprintf(spec, sizeof spec, "format=raw, vdev=hda, access=rw, target=%s", img);
	r = h_hv(NULL, 120, (const char *const[]){"run", seabios_cfg("boot", spec, "c"), NULL});
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "status %d\n%s\n%s", r->status, r->err,
		      h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "Booting from Hard Disk"));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "booted from disk\n" SECTOR_TWO "write ok\n"));
	now = image_now();
	ck_assert_str_eq((const char *)now + 2 * 512, "written by the guest");
	ck_assert_int_eq(memcmp(now, orig, 2 * 512), 0); /* nothing else changed */
	ck_assert_int_eq(memcmp(now + 3 * 512, orig + 3 * 512, IMG_BYTES - 3 * 512), 0);
}
END_TEST

START_TEST(test_read_only_image_fails_the_guest_write_and_stays_unchanged)
{
	char spec[700];
	struct h_result *r;

	make_image();
	snprintf(spec, sizeof spec, "%s,raw,hda,ro", img);
	r = h_hv(NULL, 120, (const char *const[]){"run", seabios_cfg("ro", spec, "c"), NULL});
	ck_assert_msg(r->status == ((0x11 << 1) | 1), "status %d\n%s\n%s", r->status, r->err,
		      h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), SECTOR_TWO)); /* reads still work */
	ck_assert_int_eq(memcmp(image_now(), orig, IMG_BYTES), 0);
}
END_TEST

START_TEST(test_second_domain_cannot_open_the_image_read_write)
{
	char spec[700], extra[800], want[700];
	struct h_result *r;

	make_image();
	snprintf(spec, sizeof spec, "%s,raw,hda,rw", img);
	/* the first domain idles in HLT holding the image */
	snprintf(extra, sizeof extra, "serial = \"none\"\ndisk = [ '%s' ]\n", spec);
	ck_assert_int_eq(
	    h_hv(NULL, 60,
		 (const char *const[]){"create", h_guest_cfg("first", "idle", extra), NULL})
		->status,
	    0);
	r = h_hv(NULL, 60, (const char *const[]){"create", seabios_cfg("second", spec, "c"), NULL});
	snprintf(want, sizeof want, "disk hda: %s: in use by another domain", img);
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, want), "stderr: %s", r->err);
	ck_assert_ptr_null(h_info("second", "state"));
	/* not even read-only while someone writes it */
	snprintf(spec, sizeof spec, "%s,raw,hda,ro", img);
	r = h_hv(NULL, 60, (const char *const[]){"create", seabios_cfg("third", spec, "c"), NULL});
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, "in use by another domain"), "stderr: %s", r->err);
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "first", NULL})->status,
			 0);
	/* the lock went with the first domain */
	snprintf(spec, sizeof spec, "%s,raw,hda,rw", img);
	r = h_hv(NULL, 120, (const char *const[]){"run", seabios_cfg("fourth", spec, "c"), NULL});
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "status %d\n%s", r->status, r->err);
}
END_TEST

START_TEST(test_missing_image_is_a_clear_error_before_the_guest_starts)
{
	char spec[700], want[700];
	struct h_result *r;

	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
	snprintf(spec, sizeof spec, "%s/nothere.img,raw,hdb,rw", h_setup_dir());
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", seabios_cfg("missing", spec, "c"), NULL});
	snprintf(want, sizeof want, "disk hdb: %s/nothere.img: No such file or directory",
		 h_setup_dir());
	ck_assert_int_ne(r->status, 0);
	ck_assert_msg(strstr(r->err, want), "stderr: %s", r->err);
	ck_assert_str_eq(h_slurp(e9), ""); /* the firmware never ran */
	ck_assert_ptr_null(h_info("missing", "state"));
}
END_TEST

/* A no-emulation El Torito CD whose boot image is cdboot.bin. */
static const char *make_iso(void)
{
	static char iso[600];
	char dir[560], cmd[2048];
	FILE *in = fopen(h_guest("cdboot"), "rb"), *out;
	unsigned char boot[512];

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(fread(boot, 1, sizeof boot, in), sizeof boot);
	fclose(in);
	snprintf(dir, sizeof dir, "%s/iso", h_setup_dir());
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/cdboot.bin", dir);
	out = fopen(cmd, "wb");
	ck_assert_int_eq(fwrite(boot, 1, sizeof boot, out), sizeof boot);
	fclose(out);
	snprintf(iso, sizeof iso, "%s/cd.iso", h_setup_dir());
	/* Not a skip: the set-up script installs xorriso. */
	snprintf(cmd, sizeof cmd,
		 "xorriso -as mkisofs -quiet -o '%s' -b cdboot.bin -no-emul-boot "
		 "-boot-load-size 4 '%s' 2>&1",
		 iso, dir);
	ck_assert_msg(system(cmd) == 0, "xorriso failed (install Debian's xorriso package)");
	return iso;
}

static const char *two_disks_cfg(const char *cd_target, const char *boot)
{
	char text[2400];

	snprintf(text, sizeof text,
		 "name = \"cd\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ '%s,raw,hda,rw',\n         'vdev=hdc, devtype=cdrom%s%s' ]\n"
		 "boot = \"%s\"\n",
		 BIOS, e9, img, cd_target[0] ? ", target=" : "", cd_target, boot);
	return h_write_file("cd.cfg", text);
}

START_TEST(test_el_torito_cd_boots_with_boot_d_and_refuses_writes)
{
	struct h_result *r;
	const char *iso;

	make_image();
	iso = make_iso();
	r = h_hv(NULL, 120, (const char *const[]){"run", two_disks_cfg(iso, "d"), NULL});
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "status %d\n%s\n%s", r->status, r->err,
		      h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "Booting from DVD/CD"));
	ck_assert_msg(strstr(h_slurp(e9), "booted from CD\nCD001\nwrite refused\n"), "%s",
		      h_slurp(e9));
	ck_assert_int_eq(memcmp(image_now(), orig, IMG_BYTES), 0); /* the disk was not booted */
}
END_TEST

START_TEST(test_empty_cd_drive_is_passed_over_for_the_hard_disk)
{
	struct h_result *r;

	make_image();
	r = h_hv(NULL, 120, (const char *const[]){"run", two_disks_cfg("", "dc"), NULL});
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "status %d\n%s\n%s", r->status, r->err,
		      h_slurp(e9));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "DVD/CD [ata1-0: HV DVD-ROM"));
	ck_assert_ptr_nonnull(strstr(h_slurp(e9), "booted from disk\n"));
}
END_TEST

static Suite *disk_suite(void)
{
	Suite *s = suite_create("disk");
	TCase *t = tcase_create("seabios");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_seabios_boots_hda_and_int13_reads_and_writes_the_image);
	tcase_add_test(t, test_read_only_image_fails_the_guest_write_and_stays_unchanged);
	tcase_add_test(t, test_second_domain_cannot_open_the_image_read_write);
	tcase_add_test(t, test_missing_image_is_a_clear_error_before_the_guest_starts);
	tcase_add_test(t, test_el_torito_cd_boots_with_boot_d_and_refuses_writes);
	tcase_add_test(t, test_empty_cd_drive_is_passed_over_for_the_hard_disk);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(disk_suite());
}
