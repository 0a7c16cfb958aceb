/* hv demo: a legacy and a modern guest side by side, in the manager.
 *
 * - "legacy": SeaBIOS and its VGA BIOS boot drive A:, the syslinux recipe's
 *   1.44 MB floppy (assets/guests/syslinux/, built by the set-up script):
 *   Debian's SYSLINUX with its menu (menu.c32) and the Hardware Detection
 *   Tool (hdt.c32). The menu's "Boot from the first hard disk" chainloads
 *   the IDE disk, a DOS-era program of our own (tests/guests/legacy.asm: a
 *   BIOS-only typewriter with a mode-13h screen on F2). SYSLINUX mirrors
 *   its menu and HDT on COM1, which `hv console legacy` (and `c` in hv
 *   top) shows;
 * - "modern": the modern recipe (assets/guests/modern/, built by the
 *   set-up script): Debian's 686 kernel booted directly, its ext4 root on
 *   virtio-blk (a copy of the recipe's image in the state directory, so
 *   the pristine one stays so), virtio-rng, virtio-gpu and virtio-input
 *   (a shell on tty1, fbcon), and its primary console a shell on hvc0
 *   (virtio-console; kernel messages go to COM1's log).
 * With a display, each screen opens in its own SDL window (hv view).
 * Both come from hv's data directory (hv/core/datadir.h): the source and
 * build trees for the build's binary, DATADIR/hv for an installed one.
 * Both are started if not running; then the terminal becomes `hv top`
 * (Alt+1/Alt+2 jump to a console, `c` attaches). Without a terminal it just
 * reports what runs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/datadir.h"
#include "hv/core/runtime.h"

/* Where the guest programs built with hv live: $HV_GUEST_DIR, else the
 * data directory's (the build tree's for the build's binary). */
static const char *guest_dir(void)
{
	const char *env = getenv("HV_GUEST_DIR");

	return env && *env ? env : datadir_get()->programs;
}

static bool domain_exists(const char *name)
{
	struct ctl c;
	char err[256];

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0)
		return false;
	ctl_close(&c);
	return true;
}

static int start_from_text(const char *text, const char *what)
{
	struct domain_config cfg;
	char err[512];

	config_defaults(&cfg);
	if (config_parse(text, what, &cfg, err, sizeof err) < 0 ||
	    config_validate(&cfg, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return -1;
	}
	return cmd_spawn_domain(&cfg);
}

/* Says that path (a file the build or install provides) is missing. */
static void missing_program(const char *path)
{
	if (datadir_get()->kind == DATADIR_SOURCE)
		cmd_error("%s is missing: build hv first (cmake --build build)", path);
	else
		cmd_error("%s is missing: reinstall hv (cmake --install BUILD_DIR)", path);
}

static int start_legacy(void)
{
	const char *assets = datadir_get()->assets;
	char text[2 * PATH_MAX + 512], floppy[PATH_MAX], disk[PATH_MAX];

	snprintf(floppy, sizeof floppy, "%.*s/guests/syslinux/out/syslinux.img", PATH_MAX - 40,
		 assets);
	snprintf(disk, sizeof disk, "%.*s/legacy.bin", PATH_MAX - 16, guest_dir());
	if (access(floppy, R_OK) < 0) {
		cmd_error("no legacy guest: %s is missing (bash %s/guests/syslinux/build.sh "
			  "builds it%s)",
			  floppy, assets,
			  datadir_get()->kind == DATADIR_SOURCE
			      ? "; bash assets/setup.sh runs every recipe"
			      : "");
		return -1;
	}
	if (access(disk, R_OK) < 0) {
		missing_program(disk);
		return -1;
	}
	snprintf(text, sizeof text,
		 "name = \"legacy\"\nmemory = 32\nengine = \"soft\"\n"
		 "firmware = \"/usr/share/seabios/bios-256k.bin\"\n"
		 "disk = [ \"format=raw,vdev=fda,access=ro,target=%s\",\n"
		 "         \"format=raw,vdev=hda,access=ro,target=%s\" ]\n"
		 "boot = \"a\"\nboot_menu = 0\n",
		 floppy, disk);
	return start_from_text(text, "hv demo (legacy)");
}

/* Copies from to to (through to.tmp, renamed when complete). */
static int copy_file(const char *from, const char *to)
{
	char tmp[PATH_MAX + 8], buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = 0;

	snprintf(tmp, sizeof tmp, "%s.tmp", to);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0 && (fsync(out) < 0 || close(out) < 0))
		n = -1;
	if (in < 0 || out < 0 || n < 0 || rename(tmp, to) < 0) {
		cmd_error("cannot copy %s to %s: %s", from, tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The demo's root disk: the state directory's copy of the recipe's
 * pristine image, made afresh when the recipe's is newer. */
static int demo_root(const char *pristine, char *out, size_t len)
{
	char dir[PATH_MAX], err[256];
	struct stat src, dst;

	if (runtime_state_dir(dir, sizeof dir, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return -1;
	}
	if ((size_t)snprintf(out, len, "%s/demo-modern-root.img", dir) >= len) {
		cmd_error("%s: path too long", dir);
		return -1;
	}
	if (stat(pristine, &src) == 0 && stat(out, &dst) == 0 && dst.st_mtime >= src.st_mtime)
		return 0;
	return copy_file(pristine, out);
}

static int start_modern(void)
{
	const char *assets = datadir_get()->assets;
	char cfg_path[PATH_MAX], kernel[PATH_MAX], pristine[PATH_MAX], root[PATH_MAX];
	char disk[PATH_MAX + 64];
	char *overrides[] = {"name=modern", "serial=\"stdio\"", disk};
	struct domain_config cfg;

	snprintf(cfg_path, sizeof cfg_path, "%.*s/guests/modern/modern.cfg", PATH_MAX - 32, assets);
	snprintf(kernel, sizeof kernel, "%.*s/guests/modern/out/vmlinuz", PATH_MAX - 32, assets);
	snprintf(pristine, sizeof pristine, "%.*s/guests/modern/out/root.img", PATH_MAX - 32,
		 assets);
	if (access(kernel, R_OK) < 0 || access(pristine, R_OK) < 0) {
		fprintf(stderr,
			"hv demo: no modern guest yet (bash %s/guests/modern/build.sh builds it); "
			"showing the legacy guest only\n",
			assets);
		return 0;
	}
	if (demo_root(pristine, root, sizeof root) < 0)
		return -1;
	snprintf(disk, sizeof disk, "disk=['format=raw,vdev=xvda,access=rw,target=%s']", root);
	if (cmd_load_config(cfg_path, 3, overrides, &cfg) < 0)
		return -1;
	return cmd_spawn_domain(&cfg);
}

int cmd_demo(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		cmd_error("usage: hv demo");
		return 1;
	}
	if (!domain_exists("legacy") && start_legacy() < 0)
		return 1;
	if (!domain_exists("modern") && start_modern() < 0)
		return 1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		printf("hv demo: domains 'legacy' and 'modern' are running; 'hv top' manages them, "
		       "'hv view' shows their screens.\n");
		return 0;
	}
	/* Each screen in its window when a display exists (Ctrl+Alt+Left/Right
	 * move between them); hv top in this terminal. */
	cmd_open_viewer("legacy", true);
	cmd_open_viewer("modern", true);
	execl("/proc/self/exe", "hv", "top", (char *)NULL);
	cmd_error("cannot run hv top: %s", strerror(errno));
	return 1;
}
