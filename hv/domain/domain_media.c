/* hv cd-insert / hv cd-eject / hv floppy-insert: a CD-ROM or floppy
 * drive's medium changed while the domain runs. The new image comes as a descriptor the client
 * opened (the domain's Landlock sandbox opens no new path) and replaces the config slot's disk; the
 * guest sees UNIT ATTENTION, medium changed (a CD) or the disk-change line up (a floppy). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/log.h"
#include "hv/domain/domain.h"
#include "legacy/pc.h"

typedef int (*medium_change_fn)(struct pc *pc, unsigned index, struct disk *disk, struct disk **old,
				char *err, size_t len);

/* Puts disk (NULL: none) in the drive of config slot through change, with the
 * machine held; the old medium is closed, or on failure the new one. */
static int swap_medium(struct domain *d, int slot, medium_change_fn change, unsigned index,
		       struct disk *disk, char *msg, size_t len)
{
	struct disk *old = NULL;
	int rc;

	machine_lock_host(&d->machine);
	rc = change(d->pc, index, disk, &old, msg, len);
	if (rc == 0)
		d->disks[slot] = disk;
	machine_unlock_host(&d->machine);
	disk_close(rc < 0 ? disk : old);
	return rc < 0 ? -1 : 0;
}

/* The config slot of the drive named vdev, or -1 with err set. */
static int cd_slot(struct domain *d, const char *vdev, char *err, size_t len)
{
	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		const struct disk_config *c = &d->cfg.disks[i];
		if (strcmp(diskspec_vdev_name(c->vdev), vdev) != 0)
			continue;
		if (!c->cdrom || diskspec_ide_index(c->vdev) < 0) {
			snprintf(err, len, "%s is not a CD-ROM drive (devtype=cdrom on hda-hdd)",
				 vdev);
			return -1;
		}
		return (int)i;
	}
	snprintf(err, len, "domain '%s' has no drive %.16s (its config's disk = [...] names them)",
		 d->cfg.name, vdev);
	return -1;
}

int domain_change_cd(struct domain *d, const char *vdev, int fd, const char *name, char *msg,
		     size_t len)
{
	struct disk *disk = NULL;
	int slot = cd_slot(d, vdev, msg, len);

	if (slot < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd >= 0 && !(disk = disk_open_fd(fd, name, true, msg, len)))
		return -1;
	if (swap_medium(d, slot, pc_change_cd,
			(unsigned)diskspec_ide_index(d->cfg.disks[slot].vdev), disk, msg, len) < 0)
		return -1;
	if (disk) {
		snprintf(d->cfg.disks[slot].target, sizeof d->cfg.disks[slot].target, "%s", name);
		log_info("%s: medium %s inserted", vdev, name);
		snprintf(msg, len, "%s: %s inserted", vdev, name);
	} else {
		d->cfg.disks[slot].target[0] = '\0';
		log_info("%s: medium ejected", vdev);
		snprintf(msg, len, "%s: ejected", vdev);
	}
	return 0;
}

/* The config slot of the floppy drive named vdev, or -1 with err set. */
static int floppy_slot(struct domain *d, const char *vdev, char *err, size_t len)
{
	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		const struct disk_config *c = &d->cfg.disks[i];
		if (strcmp(diskspec_vdev_name(c->vdev), vdev) != 0)
			continue;
		if (diskspec_floppy_index(c->vdev) < 0) {
			snprintf(err, len, "%s is not a floppy drive (fda or fdb)", vdev);
			return -1;
		}
		return (int)i;
	}
	snprintf(err, len,
		 "domain '%s' has no drive %.16s (its config's disk = [...] names them; a "
		 "floppy drive is fitted by a disk on fda or fdb)",
		 d->cfg.name, vdev);
	return -1;
}

int domain_change_floppy(struct domain *d, const char *vdev, int fd, const char *name, bool rw,
			 char *msg, size_t len)
{
	struct disk *disk;
	int slot = floppy_slot(d, vdev, msg, len);

	if (slot < 0) {
		close(fd);
		return -1;
	}
	if (!(disk = disk_open_fd(fd, name, !rw, msg, len)))
		return -1;
	if (swap_medium(d, slot, pc_change_floppy,
			(unsigned)diskspec_floppy_index(d->cfg.disks[slot].vdev), disk, msg,
			len) < 0)
		return -1;
	snprintf(d->cfg.disks[slot].target, sizeof d->cfg.disks[slot].target, "%s", name);
	d->cfg.disks[slot].readonly = !rw;
	log_info("%s: disk %s inserted%s", vdev, name, rw ? "" : " (write-protected)");
	snprintf(msg, len, "%s: %s inserted%s", vdev, name, rw ? "" : " (write-protected)");
	return 0;
}
