/* hv snapshot-list NAME and hv snapshot-delete NAME SNAP (where snapshots
 * live: hv/cli/snapshot.h).
 *
 * Deleting takes the snapshot's state, its record and the overlays it
 * made. It is refused while something still builds on one of those
 * overlays: a later snapshot taken on it (delete that one first), or the
 * running domain, whose disks are that overlay or an overlay above it
 * (revert to another snapshot, or end the domain, first), and while any
 * other record cannot be read. Overlays are not merged into their backing
 * files. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/cli/snapshot.h"
#include "hv/core/ctl.h"

#define SNAPS_MAX 256

struct snaps {
	struct snapmeta *m[SNAPS_MAX];
	unsigned n;
	unsigned bad; /* records that could not be read */
};

static int by_time(const void *a, const void *b)
{
	const struct snapmeta *x = *(struct snapmeta *const *)a, *y = *(struct snapmeta *const *)b;

	return x->time < y->time ? -1 : x->time > y->time ? 1 : strcmp(x->name, y->name);
}

/* Every readable record in dir, oldest first; a bad one is named on
 * stderr, counted and left out. */
static void load_all(const char *dir, struct snaps *s)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	s->n = s->bad = 0;
	if (!dp)
		return;
	while ((e = readdir(dp)) && s->n < SNAPS_MAX) {
		size_t len = strlen(e->d_name);
		char name[SNAPMETA_NAME_MAX];

		if (len <= 5 || len - 5 >= sizeof name || strcmp(e->d_name + len - 5, ".meta") != 0)
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';
		s->m[s->n] = snap_load(dir, name, false);
		if (s->m[s->n])
			s->n++;
		else
			s->bad++;
	}
	closedir(dp);
	qsort(s->m, s->n, sizeof s->m[0], by_time);
}

static void free_all(struct snaps *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->m[i]);
	s->n = 0;
}

static unsigned long long file_size(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	snap_fmt(path, sizeof path, "%s/%s", dir, file);
	return lstat(path, &st) == 0 ? (unsigned long long)st.st_blocks * 512 : 0;
}

int cmd_snapshot_list(int argc, char **argv)
{
	char dir[PATH_MAX];
	struct snaps s = {0};

	if (argc != 2 || argv[1][0] == '-') {
		cmd_error("usage: hv snapshot-list NAME");
		return 1;
	}
	if (!snapmeta_name_ok(argv[1])) {
		cmd_error("%s: not a domain name snapshots can be kept for", argv[1]);
		return 1;
	}
	if (snap_dir(argv[1], false, dir, sizeof dir) == 0)
		load_all(dir, &s);
	printf("%-24s %-19s %10s  %s\n", "Name", "Time", "Size(MiB)", "Disks");
	for (unsigned i = 0; i < s.n; i++) {
		const struct snapmeta *m = s.m[i];
		char when[32], disks[256] = "", state[SNAPMETA_NAME_MAX + 8];
		time_t t = (time_t)m->time;
		struct tm tm;
		unsigned long long bytes;

		snap_fmt(state, sizeof state, "%s.state", m->name);
		bytes = file_size(dir, state);
		for (unsigned k = 0; k < m->noverlays; k++)
			bytes += file_size(dir, m->overlays[k].file);
		for (unsigned k = 0; k < m->ndisks; k++)
			snap_fmt(disks + strlen(disks), sizeof disks - strlen(disks), "%s%s",
				 k ? "," : "", m->disks[k].vdev);
		if (!localtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm))
			snprintf(when, sizeof when, "?");
		printf("%-24s %-19s %10.1f  %s\n", m->name, when, (double)bytes / (1 << 20),
		       m->ndisks ? disks : "-");
	}
	free_all(&s);
	return 0;
}

/* ---- snapshot-delete ---- */

/* m made the overlay at path (dir/FILE). */
static bool owns(const char *dir, const struct snapmeta *m, const char *path, const char **vdev)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0 || path[n] != '/')
		return false;
	for (unsigned k = 0; k < m->noverlays; k++)
		if (strcmp(path + n + 1, m->overlays[k].file) == 0) {
			*vdev = m->overlays[k].vdev;
			return true;
		}
	return false;
}

/* A later snapshot taken on one of victim's overlays: its name, or NULL. */
static const char *built_on(const char *dir, const struct snaps *s, const struct snapmeta *victim)
{
	const char *vdev;

	for (unsigned i = 0; i < s->n; i++) {
		if (strcmp(s->m[i]->name, victim->name) == 0)
			continue;
		for (unsigned k = 0; k < s->m[i]->ndisks; k++)
			if (owns(dir, victim, s->m[i]->disks[k].image, &vdev))
				return s->m[i]->name;
	}
	return NULL;
}

/* The running domain's disk that reads through one of victim's overlays
 * (following the records down from each disk's image), or NULL. */
static const char *running_on(const char *dir, const char *name, const struct snaps *s,
			      const struct snapmeta *victim)
{
	static struct snap_disk disks[SNAPMETA_DISKS_MAX];
	static char found[SNAPMETA_VDEV_MAX];
	char err[256];
	unsigned n = 0;
	struct ctl c;

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0)
		return NULL; /* not running */
	if (snap_domain_disks(&c, disks, SNAPMETA_DISKS_MAX, &n) < 0)
		n = 0;
	ctl_close(&c);
	for (unsigned i = 0; i < n; i++) {
		const char *path = disks[i].path, *vdev;

		for (unsigned depth = 0; depth <= s->n; depth++) {
			const struct snapmeta *owner = NULL;

			for (unsigned k = 0; k < s->n && !owner; k++)
				if (owns(dir, s->m[k], path, &vdev))
					owner = s->m[k];
			if (!owner)
				break;
			if (owner == victim) {
				snprintf(found, sizeof found, "%s", disks[i].vdev);
				return found;
			}
			if (!snapmeta_disk(owner, vdev))
				break;
			path = snapmeta_disk(owner, vdev)->image;
		}
	}
	return NULL;
}

static void remove_in(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snap_fmt(path, sizeof path, "%s/%s", dir, file);
	if (unlink(path) < 0 && errno != ENOENT)
		cmd_error("cannot remove %s: %s", path, strerror(errno));
}

int cmd_snapshot_delete(int argc, char **argv)
{
	char dir[PATH_MAX], file[SNAPMETA_NAME_MAX + 8];
	struct snaps s = {0};
	struct snapmeta *victim = NULL;
	const char *user;
	int rc = 1;

	if (argc != 3 || argv[1][0] == '-') {
		cmd_error("usage: hv snapshot-delete NAME SNAP");
		return 1;
	}
	if (snap_dir(argv[1], false, dir, sizeof dir) < 0) {
		cmd_error("domain '%s' has no snapshots", argv[1]);
		return 1;
	}
	victim = snap_load(dir, argv[2], false);
	if (!victim)
		return 1; /* named the problem */
	free(victim);
	victim = NULL;
	load_all(dir, &s);
	for (unsigned i = 0; i < s.n; i++)
		if (strcmp(s.m[i]->name, argv[2]) == 0)
			victim = s.m[i];
	if (!victim) {
		cmd_error("no snapshot %s", argv[2]);
	} else if (s.bad) {
		cmd_error("cannot delete snapshot %s: %u other record(s) cannot be read, so what "
			  "builds on it is not known (fix or remove them first)",
			  argv[2], s.bad);
	} else if ((user = built_on(dir, &s, victim))) {
		cmd_error(
		    "cannot delete snapshot %s: snapshot %s was taken on its overlay and reads "
		    "through it (delete %s first)",
		    argv[2], user, user);
	} else if ((user = running_on(dir, argv[1], &s, victim))) {
		cmd_error("cannot delete snapshot %s: domain '%s' runs on its overlay (disk %s); "
			  "revert to another snapshot or end the domain first",
			  argv[2], argv[1], user);
	} else {
		snap_fmt(file, sizeof file, "%s.meta", victim->name);
		remove_in(dir, file); /* first: no half-deleted snapshot is listed */
		snap_fmt(file, sizeof file, "%s.state", victim->name);
		remove_in(dir, file);
		for (unsigned k = 0; k < victim->noverlays; k++)
			remove_in(dir, victim->overlays[k].file);
		rc = 0;
	}
	free_all(&s);
	return rc;
}
