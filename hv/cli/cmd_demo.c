/* hv demo: a legacy and a modern guest side by side, in the manager.
 *
 * - "legacy": SeaBIOS and its VGA BIOS boot a DOS-era program from an IDE
 *   disk (tests/guests/legacy.asm: a BIOS-only typewriter with a mode-13h
 *   screen on F2), shown in an SDL window when a display exists;
 * - "modern": Debian's 686 Linux kernel with a busybox initramfs, booted
 *   by the Linux boot protocol, with a shell on its serial console
 *   (assets/guests/linux/: built by the set-up script).
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
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/datadir.h"

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

static int start_legacy(void)
{
	char text[PATH_MAX + 512], disk[PATH_MAX];

	snprintf(disk, sizeof disk, "%.*s/legacy.bin", PATH_MAX - 16, guest_dir());
	if (access(disk, R_OK) < 0) {
		if (datadir_get()->kind == DATADIR_SOURCE)
			cmd_error("%s is missing: build hv first (cmake --build build)", disk);
		else
			cmd_error("%s is missing: reinstall hv (cmake --install BUILD_DIR)", disk);
		return -1;
	}
	snprintf(text, sizeof text,
		 "name = \"legacy\"\nmemory = 16\nengine = \"soft\"\n"
		 "firmware = \"/usr/share/seabios/bios.bin\"\nserial = \"none\"\n"
		 "disk = [ \"format=raw,vdev=hda,access=ro,target=%s\" ]\nboot = \"c\"\n",
		 disk);
	return start_from_text(text, "hv demo (legacy)");
}

static int start_modern(void)
{
	const char *assets = datadir_get()->assets;
	char cfg_path[PATH_MAX], kernel[PATH_MAX];
	char *overrides[] = {"name=modern", "serial=\"stdio\""};
	struct domain_config cfg;

	snprintf(cfg_path, sizeof cfg_path, "%.*s/guests/linux/linux.cfg", PATH_MAX - 32, assets);
	snprintf(kernel, sizeof kernel, "%.*s/guests/linux/out/vmlinuz", PATH_MAX - 32, assets);
	if (access(kernel, R_OK) < 0) {
		fprintf(stderr,
			"hv demo: no Linux guest yet (bash %s/guests/linux/build.sh builds it); "
			"showing the legacy guest only\n",
			assets);
		return 0;
	}
	if (cmd_load_config(cfg_path, 2, overrides, &cfg) < 0)
		return -1;
	return cmd_spawn_domain(&cfg);
}

/* `hv view legacy` in the background when there is a display to show it
 * on; its messages go to the state directory's log. */
static void start_viewer(void)
{
	pid_t pid;

	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		return;
	pid = fork();
	if (pid != 0)
		return;
	setsid();
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	execl("/proc/self/exe", "hv", "view", "legacy", (char *)NULL);
	_exit(127);
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
		       "'hv view legacy' shows the legacy screen.\n");
		return 0;
	}
	start_viewer();
	execl("/proc/self/exe", "hv", "top", (char *)NULL);
	cmd_error("cannot run hv top: %s", strerror(errno));
	return 1;
}
