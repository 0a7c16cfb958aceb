/* hv snapshot-create's part inside the domain: the overlays the client
 * made come in one request each (descriptor attached: the sandbox opens no
 * files) and are staged, opened and checked; the "snapshot" request then
 * saves the state and switches the disks to them in one hold of the vCPU
 * (domain_save_then), so that every guest write lands either in the
 * snapshot's image (before the save) or in the overlay (after). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/kv.h"
#include "hv/core/log.h"
#include "hv/domain/domain.h"
#include "hv/domain/domain_save.h"

static int disk_slot(struct domain *d, const char *vdev, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		const struct disk_config *c = &d->cfg.disks[i];

		if (strcmp(diskspec_vdev_name(c->vdev), vdev) != 0)
			continue;
		if (c->readonly || c->cdrom || !d->disks[i] || d->disks[i]->readonly) {
			snprintf(err, errlen, "%s is not a writable disk", vdev);
			return -1;
		}
		return (int)i;
	}
	snprintf(err, errlen, "domain '%s' has no disk %.16s", d->cfg.name, vdev);
	return -1;
}

static void unstage(struct domain *d, unsigned i)
{
	if (!d->staged[i])
		return;
	disk_overlay_abort(d->staged[i]);
	free(d->staged[i]);
	d->staged[i] = NULL;
}

void domain_unstage_overlays(struct domain *d)
{
	for (unsigned i = 0; i < DISKS_MAX; i++)
		unstage(d, i);
}

int domain_stage_overlay(struct domain *d, const char *vdev, int fd, const char *name, char *err,
			 size_t errlen)
{
	int slot = disk_slot(d, vdev, err, errlen);
	struct disk_overlay *ov;

	if (slot < 0 || !(ov = malloc(sizeof *ov))) {
		if (slot >= 0)
			snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	unstage(d, (unsigned)slot);
	if (disk_overlay_prepare(d->disks[slot], fd, name, ov, err, errlen) < 0) {
		free(ov);
		return -1;
	}
	d->staged[slot] = ov;
	return 0;
}

/* Every staged slot is named in vdevs and every name is staged. */
static int check_staged(struct domain *d, const char *vdevs, char *err, size_t errlen)
{
	bool named[DISKS_MAX] = {false};
	char copy[256], *save;

	snprintf(copy, sizeof copy, "%s", vdevs);
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		int slot = disk_slot(d, w, err, errlen);

		if (slot < 0)
			return -1;
		if (!d->staged[slot]) {
			snprintf(err, errlen, "no overlay staged for %s", w);
			return -1;
		}
		named[slot] = true;
	}
	for (unsigned i = 0; i < DISKS_MAX; i++)
		if (d->staged[i] && !named[i]) {
			snprintf(err, errlen, "an overlay is staged for %s, which was not named",
				 diskspec_vdev_name(d->cfg.disks[i].vdev));
			return -1;
		}
	return 0;
}

/* With the vCPU held and the block devices drained by the save: every
 * image durable first, then the switches, which cannot fail. */
static int switch_disks(struct domain *d, void *arg, char *err, size_t errlen)
{
	(void)arg;
	for (unsigned i = 0; i < DISKS_MAX; i++)
		if (d->staged[i] && disk_flush(d->disks[i]) < 0) {
			snprintf(err, errlen, "%s: cannot flush the image before the switch",
				 d->disks[i]->path);
			return -1;
		}
	for (unsigned i = 0; i < DISKS_MAX; i++) {
		struct disk_config *c = &d->cfg.disks[i];

		if (!d->staged[i])
			continue;
		disk_overlay_commit(d->disks[i], d->staged[i]);
		free(d->staged[i]);
		d->staged[i] = NULL;
		snprintf(c->target, sizeof c->target, "%s", d->disks[i]->path);
		c->qcow2 = true;
		log_info("%s: now on overlay %s", diskspec_vdev_name(c->vdev), c->target);
	}
	return 0;
}

int domain_snapshot(struct domain *d, int fd, const char *vdevs, char *err, size_t errlen)
{
	int rc = check_staged(d, vdevs, err, errlen);

	if (rc == 0)
		rc = domain_save_then(d, fd, switch_disks, NULL, err, errlen);
	domain_unstage_overlays(d);
	return rc;
}

void domain_disks_describe(struct domain *d, char *buf, size_t len)
{
	char v[32];
	unsigned n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		const struct disk_config *c = &d->cfg.disks[i];
		char key[16];

		if (!d->disks[i] || c->cdrom)
			continue;
		snprintf(key, sizeof key, "vdev%u", n);
		kv_put(buf, len, key, diskspec_vdev_name(c->vdev));
		snprintf(key, sizeof key, "path%u", n);
		kv_put(buf, len, key, d->disks[i]->path);
		snprintf(key, sizeof key, "format%u", n);
		kv_put(buf, len, key, d->disks[i]->qcow2 ? "qcow2" : "raw");
		snprintf(key, sizeof key, "size%u", n);
		snprintf(v, sizeof v, "%llu", (unsigned long long)d->disks[i]->size);
		kv_put(buf, len, key, v);
		snprintf(key, sizeof key, "rw%u", n);
		kv_put(buf, len, key, d->disks[i]->readonly || c->readonly ? "0" : "1");
		n++;
	}
	snprintf(v, sizeof v, "%u", n);
	kv_put(buf, len, "n", v);
}
