/* End to end: SYSLINUX (Debian's syslinux) installed on a 1.44 MB floppy
 * image by assets/guests/syslinux/build.sh boots from drive A: through
 * SeaBIOS on the soft CPU, which exercises the floppy controller and the
 * 8237 DMA. Its menu (menu.c32) appears on the VGA text screen with the
 * image's title and entries; Enter on the first entry runs the Hardware
 * Detection Tool (hdt.c32), whose automatic mode lists the PCI devices it
 * finds by vendor:device ID, on the screen and on COM1 (syslinux.cfg's
 * SERIAL directive), and its command line answers a typed command. The
 * second entry chainloads a hard disk's MBR (chain.c32). hv floppy-insert
 * swaps drive A:'s disk under the menu, which then reads the new one. The
 * image missing
 * is a failure, not a skip. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_SYSLINUX_GUEST_DIR
#error "CMake passes HV_SYSLINUX_GUEST_DIR: where assets/guests/syslinux/build.sh puts syslinux.img"
#endif

#define BIOS  "/usr/share/seabios/bios-256k.bin"
#define NAME  "syslinux"
#define TITLE "hv SYSLINUX test floppy"
#define HDT   "Hardware Detection Tool (PCI devices)"
/* menu.c32 writes this line last: the whole menu is on the screen. */
#define MENU_DONE "Press [Tab] to edit options"
/* Seconds on the soft CPU; generous, only a hang waits this long. */
#define WAIT_S 300

static char e9[512], com1[512];

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A 1 MiB hard disk image whose MBR is tests/guests/bootsect.asm (it
 * greets on the debug console); returns its path. */
static const char *make_disk(void)
{
	static char img[600];
	static unsigned char sector[512];
	FILE *in = fopen(h_guest("bootsect"), "rb"), *out;

	ck_assert_ptr_nonnull(in);
	ck_assert_uint_eq(fread(sector, 1, sizeof sector, in), sizeof sector);
	fclose(in);
	snprintf(img, sizeof img, "%s/disk.img", h_setup_dir());
	out = fopen(img, "wb");
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(fwrite(sector, 1, sizeof sector, out), sizeof sector);
	ck_assert_int_eq(fseek(out, (1 << 20) - 1, SEEK_SET), 0);
	ck_assert_int_eq(fputc(0, out), 0);
	fclose(out);
	return img;
}

/* Starts the domain: SeaBIOS, the image as a read-only drive A:, booted
 * from it without the ESC prompt's wait, and a hard disk holding
 * bootsect.bin; COM1 and the debug console go to files for the checks and
 * for the failure messages. */
static void create_domain(void)
{
	char text[2048];
	struct h_result *r;

	ck_assert_msg(access(HV_SYSLINUX_GUEST_DIR "/syslinux.img", R_OK) == 0,
		      HV_SYSLINUX_GUEST_DIR
		      "/syslinux.img is missing: run bash assets/guests/syslinux/build.sh");
	/* Not a skip: the set-up script installs seabios. */
	ck_assert_msg(access(BIOS, R_OK) == 0, "install Debian's seabios package");
	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
	snprintf(com1, sizeof com1, "%s/com1.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"" NAME "\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"file:%s\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ 'format=raw,vdev=fda,access=ro,target=%s',\n"
		 "         'format=raw,vdev=hda,access=rw,target=%s' ]\n"
		 "boot = \"a\"\nboot_menu = 0\n",
		 BIOS, com1, e9, HV_SYSLINUX_GUEST_DIR "/syslinux.img", make_disk());
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", h_write_file("syslinux.cfg", text), NULL});
	ck_assert_msg(r->status == 0, "hv create: status %d: %s", r->status, r->err);
}

/* The text screen now, or "" while the domain cannot answer. */
static const char *screen(void)
{
	static char text[sizeof((struct h_result *)0)->out];
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"screen", NAME, "--text", NULL});

	snprintf(text, sizeof text, "%s", r->status == 0 ? r->out : "");
	return text;
}

/* COM1's output so far, in storage of its own (h_slurp's is shared). */
static const char *com1_text(void)
{
	static char text[65536];

	snprintf(text, sizeof text, "%s", h_slurp(com1));
	return text;
}

/* Polls the screen until it contains needle; returns it, or fails
 * showing the screen, COM1 and the debug console. */
static const char *screen_until(const char *needle)
{
	double end = wall_seconds() + WAIT_S;
	const char *s;

	while (!strstr(s = screen(), needle)) {
		ck_assert_msg(wall_seconds() < end,
			      "no \"%s\" on screen:\n%s\nCOM1:\n%s\ndebug console:\n%s", needle, s,
			      com1_text(), h_slurp(e9));
		usleep(250 * 1000);
	}
	return s;
}

static void send_key(const char *key)
{
	struct h_result *r = h_hv(NULL, 30, (const char *const[]){"send-keys", NAME, key, NULL});

	ck_assert_msg(r->status == 0, "send-keys %s: %d %s", key, r->status, r->err);
}

static void destroy_domain(void)
{
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL})->status, 0);
}

START_TEST(test_syslinux_menu_appears_from_the_floppy)
{
	const char *s;

	create_domain();
	s = screen_until(MENU_DONE);
	/* menu.c32 drew the title and every entry, and waits (no TIMEOUT) */
	ck_assert_msg(strstr(s, TITLE) && strstr(s, HDT) &&
			  strstr(s, "Boot from the first hard disk") &&
			  strstr(s, "Boot the next BIOS device") && strstr(s, "Reboot"),
		      "the menu lacks entries:\n%s", s);
	/* SeaBIOS booted drive A:, not something else */
	ck_assert_msg(strstr(h_slurp(e9), "Booting from Floppy"), "debug console:\n%s",
		      h_slurp(e9));
	destroy_domain();
}
END_TEST

/* The emulated PCI functions by vendor:device (no pci.ids on the floppy,
 * so HDT prints IDs, not names). */
static const char *const pci_ids[] = {
    "8086:1237", /* i440FX host bridge */
    "8086:7000", /* PIIX3 ISA bridge */
    "8086:7010", /* PIIX3 IDE */
    "8086:7113", /* PIIX4 power management */
    "1234:1111", /* the Bochs-style VGA */
};

START_TEST(test_hdt_lists_the_emulated_pci_devices)
{
	double end;
	const char *s;

	create_domain();
	screen_until(MENU_DONE);
	send_key("ret"); /* the first entry is the highlighted one */
	/* HDT's automatic mode ends at its CLI prompt once the list is out */
	s = screen_until("pci>");
	ck_assert_msg(strstr(s, "Hardware Detection Tool") && strstr(s, "PCI devices detected"),
		      "no PCI list:\n%s", s);
	for (size_t i = 0; i < sizeof pci_ids / sizeof pci_ids[0]; i++)
		ck_assert_msg(strstr(s, pci_ids[i]), "%s missing from HDT's list:\n%s", pci_ids[i],
			      s);
	/* The same list on COM1 (it may trail the screen a little). */
	end = wall_seconds() + WAIT_S;
	while (!strstr(h_slurp(com1), "pci>")) {
		ck_assert_msg(wall_seconds() < end, "no HDT prompt on COM1:\n%s", h_slurp(com1));
		usleep(250 * 1000);
	}
	for (size_t i = 0; i < sizeof pci_ids / sizeof pci_ids[0]; i++)
		ck_assert_msg(strstr(h_slurp(com1), pci_ids[i]), "%s missing on COM1:\n%s",
			      pci_ids[i], h_slurp(com1));
	/* HDT's command line takes typed commands: device 3 is the IDE
	 * function (class 01h, subclass 01h, ISA-compatible bus master). */
	ck_assert_int_eq(
	    h_hv(NULL, 30,
		 (const char *const[]){"send-keys", NAME, "--text", "show device 3", NULL})
		->status,
	    0);
	send_key("ret");
	/* HDT prints the device a line at a time: wait for the class, which
	 * comes after the IDs (a loaded host once showed the IDs alone). */
	s = screen_until("Class ID      : 01.01.80");
	ck_assert_msg(strstr(s, "Vendor ID     : 8086") && strstr(s, "Product ID    : 7010"),
		      "device 3 is not the IDE function:\n%s", s);
	destroy_domain();
}
END_TEST

/* The second entry runs chain.c32 hd0, which loads the hard disk's MBR
 * and jumps to it as a BIOS would. */
START_TEST(test_hard_disk_entry_chainloads_the_disk)
{
	double end;

	create_domain();
	screen_until(MENU_DONE);
	send_key("down");
	send_key("ret");
	end = wall_seconds() + WAIT_S;
	while (!strstr(h_slurp(e9), "booted from disk\n")) {
		ck_assert_msg(wall_seconds() < end,
			      "the disk did not boot:\n%s\ndebug console:\n%s", screen(),
			      h_slurp(e9));
		usleep(250 * 1000);
	}
	/* SeaBIOS booted the floppy only: chain.c32 started the disk. */
	ck_assert_msg(!strstr(h_slurp(e9), "Booting from Hard Disk"), "%s", h_slurp(e9));
	h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL});
}
END_TEST

/* A 1.44 MB floppy whose boot sector is tests/guests/floppyboot.asm (it
 * reads a track, prints its labels on the debug console, tries a write
 * and ends the domain); the rest are zeros. Returns its path. */
static const char *make_floppyboot(void)
{
	static char img[600];
	static unsigned char sector[512];
	FILE *in = fopen(h_guest("floppyboot"), "rb"), *out;

	ck_assert_ptr_nonnull(in);
	ck_assert_uint_eq(fread(sector, 1, sizeof sector, in), sizeof sector);
	fclose(in);
	snprintf(img, sizeof img, "%s/swap.img", h_setup_dir());
	out = fopen(img, "wb");
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(fwrite(sector, 1, sizeof sector, out), sizeof sector);
	ck_assert_int_eq(fseek(out, 1474560 - 1, SEEK_SET), 0);
	ck_assert_int_eq(fputc(0, out), 0);
	fclose(out);
	return img;
}

/* hv floppy-insert against the running domain: refused for a drive that
 * is not a floppy and for an image of another size; then drive A:'s disk
 * is swapped (write-protected) under the SYSLINUX menu: the menu's Reboot
 * entry no longer finds reboot.c32 (SYSLINUX reads the new disk), and
 * after a reset SeaBIOS boots the new disk, whose write is refused. */
START_TEST(test_floppy_insert_swaps_drive_a_disk)
{
	const char *img = make_floppyboot();
	char small[600];
	struct h_result *r;
	double end;
	FILE *f;

	create_domain();
	screen_until(MENU_DONE);
	r = h_hv(NULL, 30, (const char *const[]){"floppy-insert", NAME, "hda", img, NULL});
	ck_assert_msg(r->status != 0 && strstr(r->err, "VDEV is a floppy drive, fda or fdb"), "%s",
		      r->err);
	r = h_hv(NULL, 30, (const char *const[]){"floppy-insert", NAME, "fdb", img, NULL});
	ck_assert_msg(r->status != 0 && strstr(r->err, "has no drive fdb"), "%s", r->err);
	snprintf(small, sizeof small, "%s/small.img", h_setup_dir());
	f = fopen(small, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 737280 - 1, SEEK_SET), 0);
	ck_assert_int_eq(fputc(0, f), 0);
	fclose(f);
	r = h_hv(NULL, 30, (const char *const[]){"floppy-insert", NAME, "fda", small, NULL});
	ck_assert_msg(r->status != 0 && strstr(r->err, "the drive takes 1.44 MB disks"), "%s",
		      r->err);
	r = h_hv(NULL, 30, (const char *const[]){"floppy-insert", NAME, "fda", img, NULL});
	ck_assert_msg(r->status == 0 && strstr(r->out, "fda: ") &&
			  strstr(r->out, "inserted (write-protected)"),
		      "floppy-insert: %d %s %s", r->status, r->out, r->err);
	ck_assert_msg(!strstr(h_slurp(e9), "\ngeometry "), "%s", h_slurp(e9));
	/* The menu's Reboot entry: SYSLINUX looks for reboot.c32 on the disk
	 * now in drive A:, whose FAT is empty. */
	send_key("down");
	send_key("down");
	send_key("down");
	send_key("ret");
	screen_until("Failed to load COM32 file reboot.c32");
	/* A reset: SeaBIOS boots the new disk. */
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"reboot", NAME, NULL})->status, 0);
	end = wall_seconds() + WAIT_S;
	while (!strstr(h_slurp(e9), "write error 03\n")) {
		ck_assert_msg(wall_seconds() < end,
			      "the new disk did not boot:\n%s\ndebug console:\n%s", screen(),
			      h_slurp(e9));
		usleep(250 * 1000);
	}
	ck_assert_msg(strstr(h_slurp(e9), "geometry 4F/01/12\n"), "%s", h_slurp(e9));
	h_hv(NULL, 30, (const char *const[]){"destroy", NAME, NULL});
}
END_TEST

static Suite *syslinux_suite(void)
{
	Suite *s = suite_create("syslinux");
	TCase *tc = tcase_create("floppy");

	h_fixture(tc);
	tcase_set_timeout(tc, 3 * WAIT_S);
	tcase_add_test(tc, test_syslinux_menu_appears_from_the_floppy);
	tcase_add_test(tc, test_hdt_lists_the_emulated_pci_devices);
	tcase_add_test(tc, test_hard_disk_entry_chainloads_the_disk);
	tcase_add_test(tc, test_floppy_insert_swaps_drive_a_disk);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(syslinux_suite());
}
