/* End to end: the disk image of assets/guests/linuxdisk (built by
 * assets/setup.sh) boots on the soft CPU through SeaBIOS and GRUB 2 from
 * the IDE disk: Debian's 686 kernel loads the ATA and ext4 modules from
 * its initrd, mounts /dev/sda1 read-write and runs busybox init, which
 * starts a shell on the VGA console and one on COM1. Each answers a
 * command (COM1 through the pipe, the VGA console through hv send-keys),
 * a file is written to the root; hv trigger nmi and hv sysrq reach the
 * kernel, and hv shutdown's ACPI power button makes the guest's acpid
 * shut down cleanly through ACPI: hv exits with 0, and the image's file
 * system is then clean and holds the file. Runs on a copy of the image; the image
 * missing is a failure, not a skip. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#ifndef HV_LINUXDISK_GUEST_DIR
#error "CMake passes HV_LINUXDISK_GUEST_DIR: where assets/guests/linuxdisk/build.sh puts linux.img"
#endif

#define BIOS "/usr/share/seabios/bios-256k.bin"
#define NAME "linuxdisk"
/* The soft CPU boots this in about a minute, several under ASan.
 * Generous: only a hang waits this long. */
#define BOOT_TIMEOUT_S	  900
#define COMMAND_TIMEOUT_S 120
/* The file the COM1 shell writes, and what it holds. */
#define NOTE_PATH "/root/hv-note"
#define NOTE_TEXT "hv wrote 42 to the disk"

/* Keeps only what follows the last match, so the next expectation sees
 * new output only. */
static void consume(struct h_proc *p)
{
	p->len = 0;
	p->buf[0] = '\0';
}

/* Polls the VGA text screen until it contains needle; returns the last
 * screen, or NULL when the deadline passed without it. */
static const char *screen_until(const char *needle, int timeout_s)
{
	struct h_result *r;

	for (int i = 0; i < timeout_s * 4; i++) {
		r = h_hv(NULL, 30, (const char *const[]){"screen", NAME, "--text", NULL});
		if (r->status == 0 && strstr(r->out, needle))
			return r->out;
		usleep(250 * 1000);
	}
	return NULL;
}

static const char *last_screen(void)
{
	return h_hv(NULL, 30, (const char *const[]){"screen", NAME, "--text", NULL})->out;
}

/* Types a short line on the VGA console (Linux drains the i8042 as keys
 * come) and presses Enter. */
static void type_line(const char *text)
{
	struct h_result *r;

	r = h_hv(NULL, 30, (const char *const[]){"send-keys", NAME, "--text", text, NULL});
	ck_assert_msg(r->status == 0, "send-keys: status %d: %s", r->status, r->err);
	r = h_hv(NULL, 30, (const char *const[]){"send-keys", NAME, "ret", NULL});
	ck_assert_msg(r->status == 0, "send-keys: status %d: %s", r->status, r->err);
}

static const char *image_path(void)
{
	static char img[600];

	snprintf(img, sizeof img, "%s/linux.img", h_setup_dir());
	return img;
}

/* A private copy of the image: the guest writes to it, and the domain
 * locks it. */
static const char *linuxdisk_cfg(void)
{
	char cmd[1400], text[1600];

	ck_assert_msg(access(HV_LINUXDISK_GUEST_DIR "/linux.img", R_OK) == 0, HV_LINUXDISK_GUEST_DIR
		      "/linux.img is missing: run bash assets/guests/linuxdisk/build.sh");
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", HV_LINUXDISK_GUEST_DIR "/linux.img",
		 image_path());
	ck_assert_int_eq(system(cmd), 0);
	snprintf(text, sizeof text,
		 "name = \"" NAME "\"\nmemory = 128\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"stdio\"\n"
		 "disk = [ 'format=raw, vdev=hda, access=rw, target=%s',\n"
		 "         'vdev=hdc, devtype=cdrom' ]\nboot = \"c\"\n",
		 BIOS, image_path());
	return h_write_file(NAME ".cfg", text);
}

/* Copies the first partition out of the image (its place read from the
 * MBR) into a file of its own for e2fsprogs; returns that file's path. */
static const char *extract_root(void)
{
	static char part[700];
	char cmd[1600];
	uint8_t mbr[512];
	FILE *f = fopen(image_path(), "rb");
	uint32_t start, count;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(mbr, 1, sizeof mbr, f), sizeof mbr);
	fclose(f);
	ck_assert_uint_eq(mbr[510] | mbr[511] << 8, 0xaa55);
	start = (uint32_t)mbr[454] | (uint32_t)mbr[455] << 8 | (uint32_t)mbr[456] << 16 |
		(uint32_t)mbr[457] << 24;
	count = (uint32_t)mbr[458] | (uint32_t)mbr[459] << 8 | (uint32_t)mbr[460] << 16 |
		(uint32_t)mbr[461] << 24;
	ck_assert_uint_gt(count, 0);
	snprintf(part, sizeof part, "%s/root.ext4", h_setup_dir());
	snprintf(cmd, sizeof cmd, "dd if='%s' of='%s' bs=512 skip=%u count=%u status=none",
		 image_path(), part, start, count);
	ck_assert_int_eq(system(cmd), 0);
	return part;
}

/* Boots the image; true once COM1 says the root is up, false when the
 * initrd gave up finding the disk (it then prints the kernel's ATA lines). */
static bool boot(struct h_proc *p)
{
	h_spawn(p, (const char *const[]){"run", linuxdisk_cfg(), NULL});
	for (int waited = 0; waited < BOOT_TIMEOUT_S; waited += 5) {
		if (h_expect(p, "HV-ROOT-READY ttyS0", 5))
			return true;
		if (strstr(p->buf, "initrd: a shell here"))
			return false;
	}
	return false;
}

static struct h_result *hv2(const char *a, const char *b, const char *c)
{
	return h_hv(NULL, 60, (const char *const[]){a, b, c, NULL});
}

/* hv trigger nmi, hv sysrq, hv trigger sleep and hv vcpu-list against
 * the running guest: Linux reports the NMI and prints SysRq's help on its
 * console (COM1); the sleep button is refused. */
static void front_panel(struct h_proc *p)
{
	struct h_result *r;

	consume(p);
	r = hv2("trigger", NAME, "nmi");
	ck_assert_msg(r->status == 0, "trigger nmi: %d %s", r->status, r->err);
	ck_assert_msg(h_expect(p, "NMI received for unknown reason", COMMAND_TIMEOUT_S),
		      "Linux saw no NMI:\n%s", p->buf);
	consume(p);
	r = hv2("sysrq", NAME, "h");
	ck_assert_msg(r->status == 0, "sysrq: %d %s", r->status, r->err);
	ck_assert_msg(h_expect(p, "sysrq: HELP : loglevel(0-9) reboot(b)", COMMAND_TIMEOUT_S),
		      "no SysRq help on COM1:\n%s", p->buf);
	r = hv2("sysrq", NAME, "F1");
	ck_assert_msg(r->status == 1 && strstr(r->err, "one lower-case letter or digit"), "%s",
		      r->err);
	r = hv2("trigger", NAME, "sleep");
	ck_assert_msg(r->status == 1 && strstr(r->err, "no sleep button"), "trigger sleep: %s",
		      r->err);
	r = hv2("trigger", NAME, "hibernate");
	ck_assert_msg(r->status == 1 && strstr(r->err, "power, sleep, reset or nmi"), "%s", r->err);
	r = h_hv(NULL, 60, (const char *const[]){"vcpu-list", NAME, NULL});
	ck_assert_msg(r->status == 0, "vcpu-list: %d %s", r->status, r->err);
	ck_assert_msg(strstr(r->out, "Name") && strstr(r->out, "Affinity (Hard / Soft)"), "%s",
		      r->out);
	{
		char name[40], state[8], aff[64];
		int id, vcpu, cpu;
		double t;
		const char *row = strstr(r->out, "\n" NAME " ");
		ck_assert_msg(row, "no row for " NAME ":\n%s", r->out);
		ck_assert_msg(sscanf(row + 1, "%39s %d %d %d %7s %lf %63s", name, &id, &vcpu, &cpu,
				     state, &t, aff) == 7,
			      "row: %s", row + 1);
		ck_assert_int_eq(vcpu, 0);
		ck_assert_int_ge(cpu, 0);
		ck_assert_msg(strcmp(state, "r--") == 0 || strcmp(state, "-b-") == 0, "%s", state);
		ck_assert_msg(t > 1.0, "vCPU time %f after a whole boot", t);
	}
}

/* An ISO 9660 image holding hello.txt with text, made by xorriso. */
static const char *make_iso(const char *name, const char *text)
{
	char dir[700], cmd[2400];
	const char *out;

	snprintf(dir, sizeof dir, "%s/%s.d", h_setup_dir(), name);
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && printf '%%s\\n' '%s' >'%s/hello.txt' && "
		 "xorriso -as mkisofs -quiet -V HV -o '%s' '%s' 2>&1",
		 dir, text, dir, h_path(name), dir);
	ck_assert_msg(h_run_tool(cmd, &out) == 0, "xorriso: %s", out);
	return h_path(name);
}

/* hv cd-insert into the empty drive hdc, then a swap and an eject: each
 * time the kernel sees the medium change (UNIT ATTENTION) and reads the
 * disc now in the drive. The images are opened by the hv client and
 * passed to the sandboxed domain. */
static void cd_changes(struct h_proc *p)
{
	const char *one = make_iso("one.iso", "first disc 1"),
		   *two = make_iso("two.iso", "second disc 2");
	const char *mount_cat = "mount -t iso9660 -o ro /dev/sr0 /mnt && cat /mnt/hello.txt; "
				"umount /mnt; echo cd-$((40+2))\n";
	struct h_result *r;

	h_run_cmd(p, "mkdir -p /mnt; ls /dev/sr0 && echo dev-$((1+1))\n", "dev-2",
		  COMMAND_TIMEOUT_S);
	r = h_hv(NULL, 60, (const char *const[]){"cd-insert", NAME, "hdc", one, NULL});
	ck_assert_msg(r->status == 0 && strstr(r->out, "hdc: "), "cd-insert: %s %s", r->out,
		      r->err);
	h_run_cmd(p, mount_cat, "cd-42", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p->buf, "first disc 1"), "the first disc was not read:\n%s", p->buf);

	r = h_hv(NULL, 60, (const char *const[]){"cd-insert", NAME, "hdc", two, NULL});
	ck_assert_msg(r->status == 0, "cd-insert: %s", r->err);
	h_run_cmd(p, mount_cat, "cd-42", COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p->buf, "second disc 2") && !strstr(p->buf, "first disc 1"),
		      "the second disc was not read:\n%s", p->buf);

	/* A mounted disc locks the tray: the swap is refused until unmounted. */
	h_run_cmd(p, "mount -t iso9660 -o ro /dev/sr0 /mnt; echo in-$((3+3))\n", "in-6",
		  COMMAND_TIMEOUT_S);
	r = h_hv(NULL, 60, (const char *const[]){"cd-insert", NAME, "hdc", one, NULL});
	ck_assert_msg(r->status == 1 && strstr(r->err, "locked the tray"), "%d %s", r->status,
		      r->err);
	h_run_cmd(p, "umount /mnt; echo out-$((3+4))\n", "out-7", COMMAND_TIMEOUT_S);

	r = h_hv(NULL, 60, (const char *const[]){"cd-eject", NAME, "hdc", NULL});
	ck_assert_msg(r->status == 0, "cd-eject: %s", r->err);
	h_run_cmd(p, mount_cat, "cd-42", COMMAND_TIMEOUT_S);
	ck_assert_msg(!strstr(p->buf, "disc"), "a disc read after the eject:\n%s", p->buf);

	/* Errors a user can fix, named. */
	r = h_hv(NULL, 60, (const char *const[]){"cd-insert", NAME, "hda", one, NULL});
	ck_assert_msg(r->status == 1 && strstr(r->err, "hda is not a CD-ROM drive"), "%s", r->err);
	r = h_hv(NULL, 60,
		 (const char *const[]){"cd-insert", NAME, "hdc", "/nonexistent.iso", NULL});
	ck_assert_msg(r->status == 1 && strstr(r->err, "No such file"), "%s", r->err);
}

/* A paused guest cannot answer the button: -w gives up after the
 * timeout, says so and fails. The press is latched, so once unpaused the
 * guest powers off cleanly and hv shutdown -w returns 0. */
static void shutdown_by_power_button(struct h_proc *p)
{
	struct h_result *r;

	consume(p);
	ck_assert_int_eq(hv2("pause", NAME, NULL)->status, 0);
	r = h_hv(NULL, 60, (const char *const[]){"shutdown", "-w", "--timeout", "2", NAME, NULL});
	ck_assert_msg(r->status == 1 && strstr(r->err, "still running after 2 seconds"),
		      "shutdown -w of a paused domain: %d %s", r->status, r->err);
	ck_assert_int_eq(hv2("unpause", NAME, NULL)->status, 0);
	r = h_hv(NULL, COMMAND_TIMEOUT_S + 60,
		 (const char *const[]){"shutdown", "-w", "--timeout", "600", NAME, NULL});
	ck_assert_msg(r->status == 0 && strstr(r->out, NAME ": shut down"),
		      "shutdown -w: %d %s %s\nconsole:\n%s", r->status, r->out, r->err, p->buf);
	ck_assert_msg(h_expect(p, "guest powered off (exit status 0)", COMMAND_TIMEOUT_S),
		      "no power-off:\n%s", p->buf);
	ck_assert_msg(strstr(p->buf, "HV-POWER-BUTTON") && strstr(p->buf, "reboot: Power down"),
		      "not the guest's own power-off:\n%s", p->buf);
	ck_assert_int_eq(h_wait(p, COMMAND_TIMEOUT_S), 0);
	ck_assert_int_eq(hv2("shutdown", NAME, NULL)->status, 1); /* no such domain now */
}

START_TEST(test_linux_boots_from_disk_to_shells_on_vga_and_com1_and_powers_off)
{
	struct h_proc p;

	ck_assert_msg(boot(&p), "no ready marker on COM1; output ends:\n%s",
		      p.buf + (p.len > 6000 ? p.len - 6000 : 0));
	ck_assert_msg(!strstr(p.buf, "asked to eject"), "the guest ejected a device:\n%s", p.buf);
	ck_assert_msg(screen_until("HV-ROOT-READY tty1", COMMAND_TIMEOUT_S),
		      "no ready marker on the VGA console:\n%s", last_screen());

	/* The shell on COM1. */
	consume(&p);
	h_send(&p, "echo $((6*7))\n");
	ck_assert_msg(h_expect(&p, "\n42", COMMAND_TIMEOUT_S), "no 42 on COM1:\n%s", p.buf);

	/* Every PCI function is still there: with SeaBIOS's ACPI tables,
	 * hotplug ports reading as open bus once made Linux eject all but the
	 * host bridge. */
	consume(&p);
	h_send(&p, "echo pci: $(ls /sys/bus/pci/devices) :pci-$((3+4))\n");
	ck_assert_msg(h_expect(&p, ":pci-7", COMMAND_TIMEOUT_S), "no PCI listing:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "pci: 0000:00:00.0 0000:00:01.0 0000:00:01.1 0000:00:01.3 "
				    "0000:00:02.0 :pci-7"),
		      "PCI functions missing:\n%s", p.buf);

	/* The shell on the VGA console (hv screen trims the blank ending its
	 * prompt's row): its answer on a line of its own. */
	ck_assert_msg(screen_until("\n/ #", COMMAND_TIMEOUT_S), "no prompt on the VGA console:\n%s",
		      last_screen());
	type_line("echo $((5*9))");
	ck_assert_msg(screen_until("\n45\n", COMMAND_TIMEOUT_S), "no 45 on the VGA console:\n%s",
		      last_screen());

	/* A file on the root, from the guest's own arithmetic. */
	consume(&p);
	h_send(&p, "echo \"hv wrote $((6*7)) to the disk\" >" NOTE_PATH " && echo note-$((1+1))\n");
	ck_assert_msg(h_expect(&p, "note-2", COMMAND_TIMEOUT_S), "the note was not written:\n%s",
		      p.buf);

	front_panel(&p);
	cd_changes(&p);

	/* hv shutdown: the ACPI power button, which the guest's acpid turns
	 * into busybox init's shutdown: its inittab remounts the root
	 * read-only, then the kernel powers off by ACPI S5. */
	shutdown_by_power_button(&p);
	h_check_ext4_file(extract_root(), NOTE_PATH, NOTE_TEXT);
}
END_TEST

/* The md5sum of a whole file, as md5sum prints it. */
static const char *md5_of(const char *path)
{
	static char sum[40];
	char cmd[800];
	const char *out;

	snprintf(cmd, sizeof cmd, "md5sum < '%s'", path);
	ck_assert_int_eq(h_run_tool(cmd, &out), 0);
	snprintf(sum, sizeof sum, "%.32s", out);
	return sum;
}

/* The image itself as a read-only IDE disk (access=ro, shared with any
 * other reader). ATA has no write-protect bit a guest can read (IDENTIFY
 * has none; libata's MODE SENSE says "Write Protect is off" for every ATA
 * disk), so hv says at start why a Linux guest will see write errors,
 * aborts every write (ATA ABRT, which Linux reports as such, not a lost
 * write it believes done), and the image is unchanged. The initrd's
 * read-write mount then fails on the superblock write and it drops to
 * its shell, which powers off. */
START_TEST(test_read_only_ide_disk_refuses_writes_and_stays_unchanged)
{
	const char *img = HV_LINUXDISK_GUEST_DIR "/linux.img";
	char before[40], text[1200];
	struct h_proc p;

	ck_assert_msg(access(img, R_OK) == 0,
		      "%s is missing: run bash assets/guests/linuxdisk/build.sh", img);
	snprintf(before, sizeof before, "%s", md5_of(img));
	snprintf(text, sizeof text,
		 "name = \"" NAME "\"\nmemory = 128\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"stdio\"\n"
		 "disk = [ 'format=raw, vdev=hda, access=ro, target=%s' ]\nboot = \"c\"\n",
		 BIOS, img);
	h_spawn(&p, (const char *const[]){"run", h_write_file(NAME ".cfg", text), NULL});
	ck_assert_msg(h_expect(&p, "hda is read-only (access=ro): the guest cannot see that", 60),
		      "hv did not say why the guest will see write errors:\n%s", p.buf);
	ck_assert_msg(h_expect(&p, "initrd: a shell here", BOOT_TIMEOUT_S),
		      "the initrd did not give up on the read-only root; output ends:\n%s",
		      p.buf + (p.len > 6000 ? p.len - 6000 : 0));
	ck_assert_msg(strstr(p.buf, "error: { ABRT }"), "no aborted write in the kernel's log:\n%s",
		      p.buf + (p.len > 6000 ? p.len - 6000 : 0));
	h_power_off(&p, "poweroff -f\n", COMMAND_TIMEOUT_S);
	ck_assert_str_eq(md5_of(img), before);
}
END_TEST

static Suite *linux_disk_suite(void)
{
	Suite *s = suite_create("linux_disk");
	TCase *tc = tcase_create("boot");

	h_fixture(tc);
	tcase_set_timeout(tc, 2 * BOOT_TIMEOUT_S + 8 * COMMAND_TIMEOUT_S);
	tcase_add_test(tc, test_linux_boots_from_disk_to_shells_on_vga_and_com1_and_powers_off);
	tcase_add_test(tc, test_read_only_ide_disk_refuses_writes_and_stays_unchanged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(linux_disk_suite());
}
