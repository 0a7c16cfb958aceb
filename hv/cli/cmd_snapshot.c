/* hv snapshot-create NAME SNAP and hv snapshot-revert NAME SNAP (where
 * snapshots live: hv/cli/snapshot.h). The client makes every file (the
 * domain's sandbox opens none) and passes them over the control socket. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hv/block/qcow2.h"
#include "hv/cli/cmd.h"
#include "hv/cli/snapshot.h"
#include "hv/core/ctl.h"
#include "hv/core/kv.h"
#include "hv/core/runtime.h"
#include "hv/core/savefile.h"

void snap_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

int snap_dir(const char *domain, bool create, char *out, size_t len)
{
	char state[PATH_MAX], err[256];
	struct stat st;

	if (!snapmeta_name_ok(domain)) {
		cmd_error("%s: not a domain name snapshots can be kept for", domain);
		return -1;
	}
	if (runtime_state_dir(state, sizeof state, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return -1;
	}
	if (snprintf(out, len, "%s/snapshots", state) >= (int)len ||
	    (create && mkdir(out, 0700) < 0 && errno != EEXIST) ||
	    snprintf(out, len, "%s/snapshots/%s", state, domain) >= (int)len ||
	    (create && mkdir(out, 0700) < 0 && errno != EEXIST)) {
		cmd_error("%s: %s", out, strerror(errno));
		return -1;
	}
	if (lstat(out, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
		if (create || errno != ENOENT)
			cmd_error("%s: not a directory of this user's", out);
		return -1;
	}
	return 0;
}

struct snapmeta *snap_load(const char *dir, const char *snap, bool quiet)
{
	char path[PATH_MAX], err[256] = "";
	struct snapmeta *m = NULL;
	char *text = malloc(SNAPMETA_BYTES_MAX + 1);
	ssize_t n = -1;
	int fd = -1;

	if (!snapmeta_name_ok(snap)) {
		if (!quiet)
			cmd_error("%s: not a valid snapshot name", snap);
		goto out;
	}
	snap_fmt(path, sizeof path, "%s/%s.meta", dir, snap);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 || !text) {
		if (!quiet)
			cmd_error("no snapshot %s (%s: %s)", snap, path, strerror(errno));
		goto out;
	}
	n = read(fd, text, SNAPMETA_BYTES_MAX + 1);
	m = malloc(sizeof *m);
	if (n < 0 || !m)
		snprintf(err, sizeof err, "%s", n < 0 ? strerror(errno) : "out of memory");
	else if (snapmeta_parse(text, (size_t)n, m, err, sizeof err) == 0 &&
		 strcmp(m->name, snap) != 0)
		snprintf(err, sizeof err, "the record of snapshot %s, not %s", m->name, snap);
	else if (err[0] == '\0')
		goto out; /* read and checked */
	if (!quiet)
		cmd_error("%s: %s", path, err);
	free(m);
	m = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return m;
}

int snap_store(const char *dir, const struct snapmeta *m)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd;
	FILE *f;

	snap_fmt(path, sizeof path, "%s/%s.meta", dir, m->name);
	snap_fmt(tmp, sizeof tmp, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		cmd_error("cannot create %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (snapmeta_write(m, f) < 0 || fflush(f) != 0 || fsync(fd) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		cmd_error("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int snap_domain_disks(struct ctl *c, struct snap_disk *out, unsigned max, unsigned *n)
{
	static char reply[CTL_LINE_MAX];
	char v[32], key[16];
	unsigned long long count;

	if (ctl_call(c, "disks", reply, sizeof reply) < 0) {
		cmd_error("%s", reply);
		return -1;
	}
	if (!kv_get(reply, "n", v, sizeof v) || (count = strtoull(v, NULL, 10)) > max)
		goto bad;
	for (unsigned i = 0; i < count; i++) {
		struct snap_disk *d = &out[i];

		snprintf(key, sizeof key, "vdev%u", i);
		if (!kv_get(reply, key, d->vdev, sizeof d->vdev))
			goto bad;
		snprintf(key, sizeof key, "path%u", i);
		if (!kv_get(reply, key, d->path, sizeof d->path))
			goto bad;
		snprintf(key, sizeof key, "format%u", i);
		if (!kv_get(reply, key, d->format, sizeof d->format))
			goto bad;
		snprintf(key, sizeof key, "size%u", i);
		if (!kv_get(reply, key, v, sizeof v))
			goto bad;
		d->size = strtoull(v, NULL, 10);
		snprintf(key, sizeof key, "rw%u", i);
		if (!kv_get(reply, key, v, sizeof v))
			goto bad;
		d->rw = strcmp(v, "1") == 0;
	}
	*n = (unsigned)count;
	return 0;
bad:
	cmd_error("the domain's list of disks is not readable");
	return -1;
}

int snap_make_overlay(const char *dir, const char *file, const char *image, const char *format,
		      unsigned long long size)
{
	char path[PATH_MAX], err[256];
	int fd;

	snap_fmt(path, sizeof path, "%s/%s", dir, file);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		cmd_error("cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (qcow2_create_overlay(fd, size, image, format, err, sizeof err) < 0) {
		cmd_error("%s: %s", path, err);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* ---- snapshot-create ---- */

static void unlink_in(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snap_fmt(path, sizeof path, "%s/%s", dir, file);
	unlink(path);
}

/* The overlays made and staged in the domain, their names into vdevs. */
static int stage_overlays(struct ctl *c, const char *dir, struct snapmeta *m, char *vdevs,
			  size_t len)
{
	char reply[CTL_LINE_MAX], req[PATH_MAX + 64];

	for (unsigned i = 0; i < m->ndisks; i++) {
		const struct snapmeta_disk *d = &m->disks[i];
		char file[SNAPMETA_FILE_MAX];
		int fd;

		snprintf(file, sizeof file, "%s.%s.0.qcow2", m->name, d->vdev);
		fd = snap_make_overlay(dir, file, d->image, d->format, d->size);
		if (fd < 0)
			return -1;
		snapmeta_add_overlay(m, d->vdev, file);
		snap_fmt(req, sizeof req, "overlay %s %s/%s", d->vdev, dir, file);
		if (ctl_call_fd(c, req, fd, reply, sizeof reply, -1) < 0) {
			cmd_error("%s: %s", d->vdev, reply);
			close(fd);
			return -1;
		}
		close(fd);
		snprintf(vdevs + strlen(vdevs), len - strlen(vdevs), " %s", d->vdev);
	}
	return 0;
}

static int describe(struct ctl *c, const char *name, const char *snap, struct snapmeta *m)
{
	static struct snap_disk disks[SNAPMETA_DISKS_MAX];
	unsigned n;

	memset(m, 0, sizeof *m);
	snprintf(m->domain, sizeof m->domain, "%s", name);
	snprintf(m->name, sizeof m->name, "%s", snap);
	m->time = (int64_t)time(NULL);
	if (snap_domain_disks(c, disks, SNAPMETA_DISKS_MAX, &n) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct snapmeta_disk *d = &m->disks[m->ndisks];

		if (!disks[i].rw)
			continue; /* nothing writes it: the snapshot needs no overlay */
		if (disks[i].path[0] != '/' || strlen(disks[i].path) > 1000) {
			cmd_error("%s: the image %s has no absolute path of at most 1000 bytes",
				  disks[i].vdev, disks[i].path);
			return -1;
		}
		snap_fmt(d->vdev, sizeof d->vdev, "%s", disks[i].vdev);
		snap_fmt(d->format, sizeof d->format, "%s", disks[i].format);
		snap_fmt(d->image, sizeof d->image, "%s", disks[i].path);
		d->size = disks[i].size;
		m->ndisks++;
	}
	return 0;
}

/* On failure every file made goes again; the domain is left as it was
 * (the snapshot request changes nothing when it fails). */
static int create(struct ctl *c, const char *dir, const char *name, const char *snap)
{
	char vdevs[256] = "", reply[CTL_LINE_MAX], tmp[PATH_MAX], path[PATH_MAX], req[320];
	struct snapmeta *m = calloc(1, sizeof *m);
	int fd = -1;
	bool stored = false;

	snap_fmt(path, sizeof path, "%s/%s.state", dir, snap);
	snap_fmt(tmp, sizeof tmp, "%s.XXXXXX", path);
	if (!m || describe(c, name, snap, m) < 0)
		goto fail;
	if (stage_overlays(c, dir, m, vdevs, sizeof vdevs) < 0) {
		/* A snapshot request without a file drops what was staged. */
		ctl_call(c, "snapshot", reply, sizeof reply);
		goto fail;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		cmd_error("cannot create %s: %s", tmp, strerror(errno));
		goto fail;
	}
	/* The record first: a domain switched to overlays that nothing
	 * records would be worse than a record whose state is missing. */
	if (snap_store(dir, m) < 0)
		goto fail;
	stored = true;
	snap_fmt(req, sizeof req, "snapshot%s", vdevs);
	if (ctl_call_fd(c, req, fd, reply, sizeof reply, -1) < 0) {
		cmd_error("%s", reply);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		/* The domain is on the overlays already: keep them. */
		cmd_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		close(fd);
		free(m);
		return 1;
	}
	fsync(fd);
	close(fd);
	free(m);
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	for (unsigned i = 0; m && i < m->noverlays; i++)
		unlink_in(dir, m->overlays[i].file);
	if (stored) {
		snap_fmt(tmp, sizeof tmp, "%s.meta", snap);
		unlink_in(dir, tmp);
	}
	free(m);
	return 1;
}

int cmd_snapshot_create(int argc, char **argv)
{
	char dir[PATH_MAX], err[256], probe[SNAPMETA_NAME_MAX + 8];
	struct ctl c;
	struct stat st;
	int rc;

	if (argc != 3 || argv[1][0] == '-') {
		cmd_error("usage: hv snapshot-create NAME SNAP");
		return 1;
	}
	if (!snapmeta_name_ok(argv[2])) {
		cmd_error("%s: a snapshot's name is 1-63 letters, digits, '.', '_', '-' or '+', "
			  "not starting with '.' or '-'",
			  argv[2]);
		return 1;
	}
	if (ctl_open(&c, argv[1], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = snap_dir(argv[1], true, dir, sizeof dir) < 0 ? 1 : 0;
	snprintf(probe, sizeof probe, "%s.meta", argv[2]);
	if (rc == 0 && fstatat(AT_FDCWD, dir, &st, 0) == 0) {
		char path[PATH_MAX];

		snap_fmt(path, sizeof path, "%s/%s", dir, probe);
		if (lstat(path, &st) == 0) {
			cmd_error("domain '%s' has a snapshot %s already", argv[1], argv[2]);
			rc = 1;
		}
	}
	if (rc == 0)
		rc = create(&c, dir, argv[1], argv[2]);
	ctl_close(&c);
	if (rc == 0)
		printf("%s\n", argv[2]);
	return rc;
}

/* ---- snapshot-revert ---- */

/* An overlay name for a revert to m not yet used: SNAP.VDEV.N.qcow2. */
static void next_overlay(const char *dir, const struct snapmeta *m, const char *vdev, char *out,
			 size_t len)
{
	char path[PATH_MAX];
	struct stat st;

	for (unsigned n = 1;; n++) {
		snprintf(out, len, "%s.%s.%u.qcow2", m->name, vdev, n);
		snap_fmt(path, sizeof path, "%s/%s", dir, out);
		if (lstat(path, &st) < 0)
			return;
	}
}

/* Fresh overlays over the snapshot's images, recorded in m, and cfg's
 * disks pointed at them. */
static int fresh_overlays(const char *dir, struct snapmeta *m, struct domain_config *cfg)
{
	for (unsigned i = 0; i < m->ndisks; i++) {
		const struct snapmeta_disk *d = &m->disks[i];
		char file[SNAPMETA_FILE_MAX];
		struct disk_config *slot = NULL;
		int fd;

		for (unsigned k = 0; k < cfg->ndisks; k++)
			if (strcmp(diskspec_vdev_name(cfg->disks[k].vdev), d->vdev) == 0)
				slot = &cfg->disks[k];
		if (!slot) {
			cmd_error("the snapshot's state has no disk %s", d->vdev);
			return -1;
		}
		next_overlay(dir, m, d->vdev, file, sizeof file);
		fd = snap_make_overlay(dir, file, d->image, d->format, d->size);
		if (fd < 0)
			return -1;
		close(fd);
		if (snapmeta_add_overlay(m, d->vdev, file) < 0) {
			cmd_error("snapshot %s has been reverted to too often (%u overlays)",
				  m->name, SNAPMETA_OVERLAYS_MAX);
			unlink_in(dir, file);
			return -1;
		}
		snap_fmt(slot->target, sizeof slot->target, "%s/%s", dir, file);
		slot->qcow2 = true;
		slot->readonly = false;
	}
	return snap_store(dir, m);
}

/* Ends the running domain called name, if there is one, and waits until
 * it is gone. */
static int end_domain(const char *name)
{
	char reply[CTL_LINE_MAX], err[256];
	struct ctl c;

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0)
		return 0; /* not running */
	if (ctl_call(&c, "destroy", reply, sizeof reply) < 0) {
		cmd_error("cannot end domain '%s': %s", name, reply);
		ctl_close(&c);
		return -1;
	}
	while (ctl_read_line(&c, reply, sizeof reply, 10000) >= 0)
		;
	ctl_close(&c);
	return 0;
}

static int revert(const char *dir, const char *name, struct snapmeta *m)
{
	char path[PATH_MAX], err[512];
	struct domain_config *cfg = calloc(1, sizeof *cfg);
	struct savefile_reader r;
	int fd, rc = 1;

	snap_fmt(path, sizeof path, "%s/%s.state", dir, m->name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !cfg) {
		cmd_error("%s: %s", path, strerror(errno));
		goto out;
	}
	if (savefile_open(&r, fd, err, sizeof err) < 0) {
		cmd_error("%s: %s", path, err);
		goto out;
	}
	if (cmd_saved_config(&r, path, cfg) == 0 && strcmp(cfg->name, name) != 0)
		cmd_error("%s: the state is of domain '%s'", path, cfg->name);
	else if (cfg->name[0] && fresh_overlays(dir, m, cfg) == 0 &&
		 cmd_finish_config(0, NULL, cfg) == 0 && end_domain(name) == 0 &&
		 cmd_spawn_restored(cfg, &r, false) == 0)
		rc = 0;
	savefile_close(&r);
out:
	if (fd >= 0)
		close(fd);
	free(cfg);
	return rc;
}

int cmd_snapshot_revert(int argc, char **argv)
{
	char dir[PATH_MAX];
	struct snapmeta *m;
	int rc;

	if (argc != 3 || argv[1][0] == '-') {
		cmd_error("usage: hv snapshot-revert NAME SNAP");
		return 1;
	}
	if (snap_dir(argv[1], false, dir, sizeof dir) < 0) {
		cmd_error("domain '%s' has no snapshots", argv[1]);
		return 1;
	}
	m = snap_load(dir, argv[2], false);
	if (!m)
		return 1;
	if (strcmp(m->domain, argv[1]) != 0) {
		cmd_error("snapshot %s is of domain '%s'", argv[2], m->domain);
		free(m);
		return 1;
	}
	rc = revert(dir, argv[1], m);
	free(m);
	if (rc == 0) {
		printf("%s\n", argv[1]);
		fflush(stdout);
	}
	return rc;
}
