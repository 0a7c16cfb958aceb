#include "hv/domain/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static const char *type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int preflight_readable(const char *path, bool block_ok, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;
	/* O_NONBLOCK: opening a FIFO for reading must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s: is %s, not a regular file (refused)", path,
			 type_name(st.st_mode));
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);
		*size = end > 0 ? (uint64_t)end : 0;
	}
	close(fd);
	return 0;
}

int preflight_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0; /* created later, O_NOFOLLOW */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s: is a symbolic link (refused)", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: is %s, not a regular file (refused)", path,
			 type_name(st.st_mode));
		return -1;
	}
	return 0;
}

int preflight_memory(unsigned memory_mib, uint64_t host_ram, char *err, size_t errlen)
{
	if (host_ram == 0 || (uint64_t)memory_mib << 20 <= host_ram)
		return 0;
	snprintf(err, errlen, "memory = %u: more than the host's %llu MiB of RAM", memory_mib,
		 (unsigned long long)(host_ram >> 20));
	return -1;
}

int preflight_disk_size(uint64_t size, bool cdrom, char *err, size_t errlen)
{
	if (cdrom && size < 2048) {
		snprintf(err, errlen, "%llu bytes is smaller than one 2048-byte CD-ROM sector",
			 (unsigned long long)size);
		return -1;
	}
	if (!cdrom && (size < 512 || size % 512)) {
		snprintf(err, errlen,
			 "%llu bytes is not a hard disk image (a whole number of 512-byte sectors)",
			 (unsigned long long)size);
		return -1;
	}
	return 0;
}

static uint64_t host_ram(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return 0;
	return (uint64_t)si.totalram * si.mem_unit;
}

/* "FILE:LINE: " in front of what went wrong. */
static int fail(const struct domain_config *cfg, int line, const char *what, const char *why,
		char *err, size_t errlen)
{
	char where[PATH_MAX + 16];

	snprintf(err, errlen, "%s: %s%s", config_where(cfg, line, where, sizeof where), what, why);
	return -1;
}

static int check_read(const struct domain_config *cfg, int line, const char *what, const char *path,
		      char *err, size_t errlen)
{
	char why[PATH_MAX + 96];
	uint64_t size;

	if (!path[0] || preflight_readable(path, false, &size, why, sizeof why) == 0)
		return 0;
	return fail(cfg, line, what, why, err, errlen);
}

static int check_chardev(const struct domain_config *cfg, int line, const char *what,
			 const struct chardev_config *c, char *err, size_t errlen)
{
	char why[PATH_MAX + 96];

	if (c->kind != CHARDEV_FILE || preflight_writable(c->path, why, sizeof why) == 0)
		return 0;
	return fail(cfg, line, what, why, err, errlen);
}

static int check_disk(const struct domain_config *cfg, unsigned i, char *err, size_t errlen)
{
	const struct disk_config *c = &cfg->disks[i];
	char what[32], why[PATH_MAX + 160], size_why[128];
	uint64_t size;

	if (!c->target[0])
		return 0;
	snprintf(what, sizeof what, "disk %s: ", diskspec_vdev_name(c->vdev));
	if (preflight_readable(c->target, true, &size, why, sizeof why) < 0)
		return fail(cfg, cfg->line.disks[i], what, why, err, errlen);
	/* Floppies have their own list of sizes (checked when opened); a
	 * qcow2 image's virtual size is in its header (checked when opened). */
	if (diskspec_floppy_index(c->vdev) >= 0 || c->qcow2 ||
	    preflight_disk_size(size, c->cdrom, size_why, sizeof size_why) == 0)
		return 0;
	snprintf(why, sizeof why, "%s: %s", c->target, size_why);
	return fail(cfg, cfg->line.disks[i], what, why, err, errlen);
}

int preflight_check(const struct domain_config *cfg, char *err, size_t errlen)
{
	char why[160];

	if (preflight_memory(cfg->memory_mib, host_ram(), why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", cfg->file, why);
		return -1;
	}
	if (check_read(cfg, cfg->line.firmware, "firmware ", cfg->firmware, err, errlen) < 0 ||
	    check_read(cfg, cfg->line.kernel, "kernel ", cfg->kernel, err, errlen) < 0 ||
	    check_read(cfg, cfg->line.ramdisk, "ramdisk ", cfg->ramdisk, err, errlen) < 0 ||
	    check_chardev(cfg, cfg->line.serial, "serial ", &cfg->serial[0], err, errlen) < 0 ||
	    check_chardev(cfg, cfg->line.serial2, "serial2 ", &cfg->serial[1], err, errlen) < 0 ||
	    check_chardev(cfg, cfg->line.debugcon, "debugcon ", &cfg->debugcon, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		if (check_disk(cfg, i, err, errlen) < 0)
			return -1;
	}
	return 0;
}
