/* What the snapshot commands share (cmd_snapshot.c, cmd_snapshot_list.c):
 * where a domain's snapshots live and their records (hv/core/snapmeta.h).
 *
 * A domain's snapshots live in its directory under the state directory
 * (hv/core/runtime.h): $XDG_STATE_HOME/hv/snapshots/NAME/ (or
 * ~/.local/state/hv/snapshots/NAME/), mode 0700: per snapshot SNAP.meta
 * (the record), SNAP.state (a save file, as hv save -c writes) and its
 * overlays SNAP.VDEV.N.qcow2 (N 0 for the one snapshot-create made, then
 * one per revert). The disk images the domain was started on stay where
 * they are; they become the overlays' backing files. */
#ifndef HV_CLI_SNAPSHOT_H
#define HV_CLI_SNAPSHOT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "hv/core/snapmeta.h"

struct ctl;

/* The directory of domain's snapshots into out, made (with its parents)
 * if create. Prints errors. Returns 0, or -1 (also for a directory that
 * does not exist when !create). */
int snap_dir(const char *domain, bool create, char *out, size_t len);

/* Reads and checks dir/SNAP.meta into a new record (free it); quiet
 * leaves the messages out. NULL on error. */
struct snapmeta *snap_load(const char *dir, const char *snap, bool quiet);

/* Writes m as dir/SNAP.meta, atomically (temp file, fsync, rename).
 * Prints errors. Returns 0 or -1. */
int snap_store(const char *dir, const struct snapmeta *m);

/* The running domain's disks as its "disks" request tells them. */
struct snap_disk {
	char vdev[SNAPMETA_VDEV_MAX];
	char path[PATH_MAX];
	char format[8];
	unsigned long long size;
	bool rw;
};
/* Asks c; n set to their number. Prints errors. Returns 0 or -1. */
int snap_domain_disks(struct ctl *c, struct snap_disk *out, unsigned max, unsigned *n);

/* Makes dir/FILE, a new qcow2 overlay over image (format, virtual size),
 * and returns it open read-write (or -1, having printed why and removed
 * the file). */
int snap_make_overlay(const char *dir, const char *file, const char *image, const char *format,
		      unsigned long long size);

/* snprintf for paths and requests; a result that does not fit is cut
 * (the file then is not found, the request refused). */
void snap_fmt(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
