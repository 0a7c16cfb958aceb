/* A snapshot's record (hv snapshot-create), one text file per snapshot in
 * the domain's snapshot directory, SNAP.meta:
 *
 *     hv-snapshot 1
 *     domain NAME
 *     name SNAP
 *     time SECONDS            (since the epoch, when it was taken)
 *     disk VDEV FORMAT SIZE PATH
 *     overlay VDEV FILE
 *
 * One disk line per writable disk: the image it was on at the snapshot
 * (FORMAT raw or qcow2, SIZE its virtual size in bytes, PATH absolute, the
 * rest of the line); one overlay line per qcow2 overlay made over that
 * image (by the snapshot, then by each revert to it), FILE a plain name in
 * the same directory. The file is read back as hostile input: every field
 * is checked, every line must be known, each key given once (disk per
 * VDEV), within fixed bounds. */
#ifndef HV_CORE_SNAPMETA_H
#define HV_CORE_SNAPMETA_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SNAPMETA_VERSION      1
#define SNAPMETA_NAME_MAX     64 /* with the NUL */
#define SNAPMETA_VDEV_MAX     8
#define SNAPMETA_FILE_MAX     160
#define SNAPMETA_DISKS_MAX    32
#define SNAPMETA_OVERLAYS_MAX 128
#define SNAPMETA_BYTES_MAX    (1u << 20) /* a record longer is refused */

struct snapmeta_disk {
	char vdev[SNAPMETA_VDEV_MAX];
	char format[8]; /* "raw" or "qcow2" */
	uint64_t size;
	char image[PATH_MAX];
};

struct snapmeta_overlay {
	char vdev[SNAPMETA_VDEV_MAX];
	char file[SNAPMETA_FILE_MAX];
};

struct snapmeta {
	char domain[SNAPMETA_NAME_MAX];
	char name[SNAPMETA_NAME_MAX];
	int64_t time;
	unsigned ndisks, noverlays;
	struct snapmeta_disk disks[SNAPMETA_DISKS_MAX];
	struct snapmeta_overlay overlays[SNAPMETA_OVERLAYS_MAX];
};

/* A snapshot's (or a domain's) name fit for a file name: 1-63 bytes of
 * letters, digits, '.', '_', '-', '+', not starting with '.' or '-'. */
bool snapmeta_name_ok(const char *name);

/* Parses len bytes of text into m. Returns 0, or -1 with the first
 * problem ("line N: ...") in err. */
int snapmeta_parse(const char *text, size_t len, struct snapmeta *m, char *err, size_t errlen);

/* Writes m in the format above; m must be valid (as parse leaves it).
 * Returns 0, or -1 if f reports an error. */
int snapmeta_write(const struct snapmeta *m, FILE *f);

/* The disk record of vdev, or NULL. */
const struct snapmeta_disk *snapmeta_disk(const struct snapmeta *m, const char *vdev);

/* Appends an overlay; -1 when full or invalid. */
int snapmeta_add_overlay(struct snapmeta *m, const char *vdev, const char *file);

#endif
