/* One entry of `disk = [ ... ]` in xl's disk syntax (xl-disk-configuration):
 *
 *   'target=/img/dos.img,format=raw,vdev=hda,access=rw'
 *   '/img/dos.img,raw,hda,rw'            positional: target, format, vdev, access
 *   'vdev=hdc,devtype=cdrom,target=/img/cd.iso'    (target= must come last:
 *                                                    the rest of the spec is the path)
 *   '/img/cd.iso,,hdc,cdrom'             "cdrom" alone is devtype=cdrom
 *
 * xl's backend parameters (backendtype=, backend=, script=) and flags
 * (discard, direct-io-safe, ...) are refused with what hv takes instead.
 *
 * format is raw (the default) or qcow2 (versions 2 and 3, with backing
 * files: hv/block/qcow2.h); vdev is hda-hdd (IDE primary/secondary,
 * master/slave), fda/fdb (floppy drives A: and B:, whose image size the
 * machine checks) or, as in xl, xvda-xvdz: a paravirtual disk, here
 * virtio-blk (the guest sees vda, vdb, ...); a CD-ROM is IDE, read-only,
 * and may be empty (no target). */
#ifndef HV_DISKSPEC_H
#define HV_DISKSPEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define DISK_XVD_COUNT 26 /* xvda .. xvdz */

enum disk_vdev {
	DISK_HDA,
	DISK_HDB,
	DISK_HDC,
	DISK_HDD,
	DISK_FDA,
	DISK_FDB,
	DISK_XVDA, /* .. DISK_XVDA + 25 (xvdz): virtio-blk */
	DISK_VDEVS = DISK_XVDA + DISK_XVD_COUNT
};

#define DISKS_MAX DISK_VDEVS /* one per vdev */

struct disk_config {
	char target[PATH_MAX]; /* as written; "" for an empty CD-ROM drive */
	enum disk_vdev vdev;
	bool readonly; /* access=ro (always for a CD-ROM) */
	bool cdrom;    /* devtype=cdrom */
	bool qcow2;    /* format=qcow2 (else raw) */
};

/* Parses spec into out. Returns 0, or -1 with a message (no file or line:
 * the caller adds them) in msg. */
int diskspec_parse(const char *spec, struct disk_config *out, char *msg, size_t msglen);

/* "hda" .. "fdb", "xvda" .. "xvdz". */
const char *diskspec_vdev_name(enum disk_vdev v);

/* The IDE position of v (channel * 2 + unit, 0-3), or -1 for a floppy. */
int diskspec_ide_index(enum disk_vdev v);

/* The floppy drive of v (0 for fda, 1 for fdb), or -1 for another. */
int diskspec_floppy_index(enum disk_vdev v);

/* The virtio-blk disk of v (0 for xvda .. 25 for xvdz), or -1. */
int diskspec_virtio_index(enum disk_vdev v);

#endif
