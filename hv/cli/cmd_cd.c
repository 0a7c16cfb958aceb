/* hv cd-insert / hv cd-eject: change a running domain's CD; hv
 * floppy-insert: swap the disk in one of its floppy drives. The image is
 * opened here, by the user's hv, and its descriptor passed over the
 * control socket (the domain's sandbox opens no new path). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"

/* Sends req (with fd when >= 0) to domain name; prints what happened. */
static int media_call(const char *name, const char *req, int fd)
{
	char reply[CTL_LINE_MAX], what[512];

	if (cmd_request(name, req, fd, reply, sizeof reply))
		return 1;
	if (kv_get(reply, "what", what, sizeof what))
		printf("%s: %s\n", name, what);
	return 0;
}

/* Opens file (mode: O_RDONLY or O_RDWR) and sends "VERB PATH" with its
 * descriptor to domain name; the path is the file's real one, made one word
 * of the request line. */
static int media_insert(const char *name, const char *verb, const char *file, int mode)
{
	char req[PATH_MAX + 64], path[PATH_MAX];
	int fd = open(file, mode | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

	if (fd < 0) {
		cmd_error("%s: %s", file, strerror(errno));
		return 1;
	}
	if (!realpath(file, path))
		snprintf(path, sizeof path, "%s", file);
	for (char *p = path; *p; p++)
		if (*p == '\n' || *p == ' ')
			*p = '?';
	snprintf(req, sizeof req, "%s %s", verb, path);
	rc = media_call(name, req, fd);
	close(fd);
	return rc;
}

/* Whether v names an IDE drive, hda to hdd; says what is expected if not. */
static bool vdev_ok(const char *v)
{
	if (strlen(v) == 3 && v[0] == 'h' && v[1] == 'd' && v[2] >= 'a' && v[2] <= 'd')
		return true;
	cmd_error("VDEV is an IDE drive, hda to hdd (the CD-ROM's in the config), not '%s'", v);
	return false;
}

int cmd_cd_insert(int argc, char **argv)
{
	char verb[64];

	if (argc != 4) {
		cmd_error("usage: hv cd-insert NAME VDEV FILE");
		return 1;
	}
	if (!vdev_ok(argv[2]))
		return 1;
	snprintf(verb, sizeof verb, "cd-insert %s", argv[2]);
	return media_insert(argv[1], verb, argv[3], O_RDONLY);
}

int cmd_cd_eject(int argc, char **argv)
{
	char req[64];

	if (argc != 3) {
		cmd_error("usage: hv cd-eject NAME VDEV");
		return 1;
	}
	if (!vdev_ok(argv[2]))
		return 1;
	snprintf(req, sizeof req, "cd-eject %s", argv[2]);
	return media_call(argv[1], req, -1);
}

/* hv floppy-insert [--rw] NAME VDEV FILE: write-protected unless --rw. */
int cmd_floppy_insert(int argc, char **argv)
{
	char verb[64];
	bool rw = argc > 1 && strcmp(argv[1], "--rw") == 0;

	argv += rw;
	argc -= rw;
	if (argc != 4) {
		cmd_error("usage: hv floppy-insert [--rw] NAME VDEV FILE");
		return 1;
	}
	if (strcmp(argv[2], "fda") != 0 && strcmp(argv[2], "fdb") != 0) {
		cmd_error("VDEV is a floppy drive, fda or fdb (the config's), not '%s'", argv[2]);
		return 1;
	}
	snprintf(verb, sizeof verb, "floppy-insert %s %s", argv[2], rw ? "rw" : "ro");
	return media_insert(argv[1], verb, argv[3], rw ? O_RDWR : O_RDONLY);
}
