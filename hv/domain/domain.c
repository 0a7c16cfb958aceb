#include "hv/domain/domain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hv/domain/control.h"
#include "hv/block/disk.h"
#include "hv/domain/domain_linux.h"
#include "hv/domain/migrate.h"
#include "hv/domain/preflight.h"
#include "hv/boot/firmware.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/core/runtime.h"
#include "hv/domain/vcpu.h"
#include "hv/virtio/virtio_console.h"
#include "legacy/pc.h"

void domain_flush_output(struct domain *d)
{
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++)
		domain_serial_flush(&d->serial[i]);
	if (d->debugcon_out.len)
		chardev_write(&d->debugcon, d->debugcon_out.buf, d->debugcon_out.len);
	d->debugcon_out.len = 0;
	d->machine.output_waits = false;
}

static void debugcon_tx(void *opaque, uint8_t byte)
{
	struct domain *d = opaque;

	d->debugcon_out.buf[d->debugcon_out.len++] = byte;
	d->machine.output_waits = true;
	if (d->debugcon_out.len == sizeof d->debugcon_out.buf)
		domain_flush_output(d);
}

/* Firmware's POST codes are logged while they tell where it is; an OS
 * that uses port 80h as its I/O delay (Linux's outb_p) writes thousands,
 * so past POST_LOGGED changes only `hv list -l` counts them. */
#define POST_LOGGED 32

static void post_code(void *opaque, uint8_t code)
{
	struct domain *d = opaque;

	if (d->post_logged < POST_LOGGED)
		log_guest_info("POST code %#04x", code);
	else if (d->post_logged == POST_LOGGED)
		log_guest_info("POST code %#04x; further changes are not logged (hv list -l: post)",
			       code);
	if (d->post_logged <= POST_LOGGED)
		d->post_logged++;
}

static void guest_poweroff(void *opaque, int status)
{
	struct domain *d = opaque;

	machine_request(&d->machine, MACHINE_REQ_POWEROFF, status);
}

static int open_logs(struct domain *d, int dirfd, const char *dir, char *err, size_t errlen)
{
	if (snprintf(d->log_path, sizeof d->log_path, "%s/%s.log", dir, d->cfg.name) >=
	    (int)sizeof d->log_path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (log_open_file(dirfd, d->log_path, (uint64_t)d->cfg.log_max_kb << 10, err, errlen) < 0)
		return -1;
	console_set_log_max((uint64_t)d->cfg.log_max_kb << 10);
	chardev_set_file_max((uint64_t)d->cfg.log_max_kb << 10);
	log_set_prefix(d->cfg.name);
	log_set_tty(d->foreground ? stderr : NULL);
	return 0;
}

static int open_host_ends(struct domain *d, int dirfd, const char *dir, char *err, size_t errlen)
{
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++)
		if (domain_serial_open(d, i, dirfd, dir, err, errlen) < 0)
			return -1;
	if (chardev_open(&d->debugcon, &d->cfg.debugcon, d->foreground, false, err, errlen) < 0)
		return -1;
	return display_init(&d->display, d->cfg.name, d->loop, err, errlen);
}

/* A floppy drive takes only the sizes real floppies have. */
static int check_floppy(const struct disk_config *c, const struct disk *disk, char *err,
			size_t errlen)
{
	if (diskspec_floppy_index(c->vdev) < 0 || pc_floppy_size_ok(disk->size))
		return 0;
	snprintf(err, errlen, "disk %s: %s: %llu bytes is not a floppy image size (accepted: %s)",
		 diskspec_vdev_name(c->vdev), c->target, (unsigned long long)disk->size,
		 pc_floppy_sizes_accepted());
	return -1;
}

/* Opens every image of disk= (read-only ones with a shared lock), so that
 * a missing file or one another domain writes stops `hv create` before
 * the guest starts. */
static int open_disks(struct domain *d, char *err, size_t errlen)
{
	char why[PATH_MAX + 64];

	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		const struct disk_config *c = &d->cfg.disks[i];

		if (!c->target[0])
			continue; /* an empty CD-ROM drive */
		d->disks[i] =
		    disk_open_format(c->target, c->qcow2 ? DISK_FORMAT_QCOW2 : DISK_FORMAT_RAW,
				     c->readonly, why, sizeof why);
		if (!d->disks[i]) {
			char where[PATH_MAX + 16];

			snprintf(err, errlen, "%s: disk %s: %s",
				 config_where(&d->cfg, d->cfg.line.disks[i], where, sizeof where),
				 diskspec_vdev_name(c->vdev), why);
			return -1;
		}
		if (check_floppy(c, d->disks[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Disk I/O runs synchronously in the device models under the domain lock
 * for now: simple, and the guest waits for its disk either way. */
static void add_disk_hooks(struct domain *d, struct pc_hooks *h)
{
	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		int at = diskspec_ide_index(d->cfg.disks[i].vdev);
		int fd = diskspec_floppy_index(d->cfg.disks[i].vdev);

		if (fd >= 0)
			h->floppy[fd] = d->disks[i];
		if (at < 0)
			continue;
		h->ide[at] = d->disks[i];
		h->ide_cdrom[at] = d->cfg.disks[i].cdrom;
	}
	h->boot = d->cfg.boot;
	h->no_boot_menu = !d->cfg.boot_menu;
	h->boot_menu_wait = (uint16_t)d->cfg.boot_menu_wait;
}

/* The xvda..xvdz disks (virtio-blk), virtio_rng and the virtio-console
 * (its output into the hvc0 port's console) on the PC's bus. */
static int add_virtio_devices(struct domain *d, char *err, size_t errlen)
{
	struct domain_serial *hvc = &d->serial[DOMAIN_PORT_HVC0 - 1];

	for (unsigned i = 0; i < d->cfg.ndisks; i++) {
		int at = diskspec_virtio_index(d->cfg.disks[i].vdev);

		if (at >= 0 && pc_add_virtio_blk(d->pc, (unsigned)at, d->disks[i], err, errlen) < 0)
			return -1;
	}
	if (d->cfg.vfb_virtio && (pc_add_virtio_gpu(d->pc, 1024, 768, err, errlen) < 0 ||
				  pc_add_virtio_input(d->pc, err, errlen) < 0))
		return -1;
	if (d->cfg.virtio_rng && pc_add_virtio_rng(d->pc, err, errlen) < 0)
		return -1;
	if (hvc->present && pc_add_virtio_console(
				d->pc, &(struct virtio_console_backend){domain_serial_tx_buf, hvc},
				err, errlen) < 0)
		return -1;
	return 0;
}

static int build_machine(struct domain *d, char *err, size_t errlen)
{
	struct pc_hooks hooks = {
	    .debugcon = {.tx = d->cfg.debugcon.kind != CHARDEV_NONE ? debugcon_tx : NULL,
			 .opaque = d},
	    .post = post_code,
	    .poweroff = guest_poweroff,
	    .opaque = d,
	    .rtc_localtime = d->cfg.localtime != 0,
	    .no_vga = d->cfg.vga_none != 0,
	    .no_hpet = d->cfg.hpet == 0,
	};

	for (unsigned i = 0; i < PC_SERIAL_PORTS && i < DOMAIN_SERIAL_PORTS; i++)
		if (d->serial[i].present)
			hooks.serial[i] = (struct byte_sink){domain_serial_tx, &d->serial[i],
							     domain_serial_drained};
	add_disk_hooks(d, &hooks);
	if (machine_init(&d->machine, (uint64_t)d->cfg.memory_mib << 20, err, errlen) < 0)
		return -1;
	d->machine_ready = true;
	if (d->firmware &&
	    firmware_map(&d->machine.mem, d->firmware, d->firmware_size, err, errlen) < 0)
		return -1;
	d->pc = pc_create(&d->machine, &hooks, err, errlen);
	return d->pc ? add_virtio_devices(d, err, errlen) : -1;
}

static int build_engine(struct domain *d, char *err, size_t errlen)
{
	d->machine.jit_off = !d->cfg.jit;
	if (d->engine->create(&d->machine, &d->engine_state, err, errlen) < 0)
		return -1;
	if (d->engine->vcpu_create(d->engine_state, 0, &d->vcpu, err, errlen) < 0)
		return -1;
	d->engine->vcpu_reset(d->vcpu);
	/* The virtio functions were made before the engine said whether it
	 * delivers MSIs: those that offer MSI-X now do from power-on. */
	if (msi_available(&d->machine.msi))
		pc_msi_ready(d->pc);
	return d->cfg.kernel[0] ? domain_linux_boot(d, err, errlen) : 0;
}

/* Until SMP exists a domain has one vCPU; say so before anything starts. */
static int check_vcpus(const struct domain_config *cfg, char *err, size_t errlen)
{
	const char *key = cfg->maxvcpus > cfg->vcpus ? "maxvcpus" : "vcpus";
	unsigned n = cfg->maxvcpus > cfg->vcpus ? cfg->maxvcpus : cfg->vcpus;

	if (n <= 1)
		return 0;
	snprintf(err, errlen,
		 "%s: %s = %u: hv runs one vCPU per domain (the limit until SMP exists); set "
		 "%s = 1",
		 cfg->file, key, n, key);
	return -1;
}

/* Everything that can fail on bad input before the name is claimed, so a
 * bad config leaves no trace in the registry. */
static int prepare(struct domain *d, char *err, size_t errlen)
{
	if (check_vcpus(&d->cfg, err, errlen) < 0)
		return -1;
	d->engine =
	    engine_select(config_engine_name(d->cfg.engine), d->engine_why, sizeof d->engine_why);
	if (!d->engine) {
		snprintf(err, errlen, "%s", d->engine_why);
		return -1;
	}
	/* With kernel=, hv loads the kernel itself and firmware is optional
	 * (mapped if given, never run). */
	if (d->cfg.kernel[0] && domain_linux_prepare(d, err, errlen) < 0)
		return -1;
	if (d->cfg.kernel[0] && !d->cfg.firmware[0])
		return 0;
	/* A config from before config_resolve (the TUI, tests): as it would. */
	if (!d->cfg.firmware[0] && config_resolve(&d->cfg, err, errlen) < 0)
		return -1;
	d->firmware = firmware_load(d->cfg.firmware, &d->firmware_size, err, errlen);
	return d->firmware ? 0 : -1;
}

/* The logs and host ends, the logs made in the state directory through
 * the descriptor it was checked by. */
static int open_files(struct domain *d, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int dirfd = runtime_state_dir_open(dir, sizeof dir, err, errlen);
	int rc;

	if (dirfd < 0)
		return -1;
	rc = open_logs(d, dirfd, dir, err, errlen) < 0 ||
		     open_host_ends(d, dirfd, dir, err, errlen) < 0
		 ? -1
		 : 0;
	close(dirfd);
	return rc;
}

static int build(struct domain *d, char *err, size_t errlen)
{

	if (preflight_check(&d->cfg, err, errlen) < 0 || prepare(d, err, errlen) < 0 ||
	    open_disks(d, err, errlen) < 0)
		return -1;
	d->listen_fd = runtime_claim(d->cfg.name, &d->id, err, errlen);
	if (d->listen_fd < 0)
		return -1;
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	d->loop = evloop_create();
	if (!d->loop) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (open_files(d, err, errlen) < 0 || build_machine(d, err, errlen) < 0 ||
	    build_engine(d, err, errlen) < 0 || domain_display_setup(d, err, errlen) < 0 ||
	    domain_audio_setup(d, err, errlen) < 0 || domain_net_setup(d, err, errlen) < 0 ||
	    domain_doorbells_setup(d, err, errlen) < 0)
		return -1;
	d->machine.kick_vcpu = vcpu_kick_hook;
	d->machine.kick_opaque = d;
	d->machine.retime_vcpu = vcpu_retime_hook;
	if (domain_serial_watch(d, d->loop) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->control = control_create(d, err, errlen);
	return d->control ? 0 : -1;
}

static struct domain *domain_alloc(const struct domain_config *cfg, bool foreground, char *err,
				   size_t errlen)
{
	struct domain *d = calloc(1, sizeof *d);

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->cfg = *cfg;
	d->foreground = foreground;
	d->pid = getpid();
	d->listen_fd = d->wake_fd = -1;
	d->debugcon.out_fd = d->debugcon.in_fd = d->debugcon.pty_slave_fd = -1;
	domain_serial_init(d);
	return d;
}

int domain_check(const struct domain_config *cfg, char *err, size_t errlen)
{
	struct domain *d = domain_alloc(cfg, false, err, errlen);
	int rc;

	if (!d)
		return -1;
	rc = prepare(d, err, errlen) < 0 || open_disks(d, err, errlen) < 0 ? -1 : 0;
	domain_free(d);
	return rc;
}

/* Which pages guest RAM gets from the host, and how to get huge ones. */
static void log_ram_pages(const struct guest_mem *m)
{
	char line[256];

	ram_pages_describe(&m->ram_pages, line, sizeof line);
	log_info("%s", line);
}

struct domain *domain_create(const struct domain_config *cfg, bool foreground, char *err,
			     size_t errlen)
{
	struct domain *d = domain_alloc(cfg, foreground, err, errlen);

	if (!d)
		return NULL;
	if (build(d, err, errlen) < 0) {
		domain_free(d);
		return NULL;
	}
	log_info("domain %d created from %s: %u MiB, engine %s (%s), %s %s", d->id, d->cfg.file,
		 d->cfg.memory_mib, d->engine->name, d->engine_why,
		 d->cfg.kernel[0] ? "kernel" : "firmware",
		 d->cfg.kernel[0] ? d->cfg.kernel : d->cfg.firmware);
	log_ram_pages(&d->machine.mem);
	return d;
}

static void release_registry(struct domain *d)
{
	char path[PATH_MAX], err[256];

	if (d->listen_fd < 0)
		return;
	close(d->listen_fd);
	d->listen_fd = -1;
	if (runtime_socket_path(d->cfg.name, path, sizeof path, err, sizeof err) == 0)
		unlink(path);
}

void domain_free(struct domain *d)
{
	if (!d)
		return;
	/* The socket goes first: a client that saw its connection close may
	 * count on the name being free. */
	release_registry(d);
	domain_migrate_free(d); /* while the machine and the loop are there */
	/* Before the engine: the devices' doorbells go with the machine. */
	domain_doorbells_free(d);
	if (d->vcpu)
		d->engine->vcpu_destroy(d->vcpu);
	if (d->engine_state)
		d->engine->destroy(d->engine_state);
	domain_audio_free(d); /* its last frames come from the PC's speaker */
	domain_net_free(d);   /* before the NICs its backends feed */
	pc_free(d->pc);
	if (d->machine_ready)
		machine_destroy(&d->machine);
	for (unsigned i = 0; i < DISKS_MAX; i++)
		disk_close(d->disks[i]);
	domain_unstage_overlays(d);
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++)
		domain_serial_close(&d->serial[i]);
	display_fini(&d->display);
	domain_display_free(d);
	chardev_close(&d->debugcon);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	/* The clients last: hv destroy (and save, snapshot-revert, migrate)
	 * returns when its connection closes, and then counts on the domain's
	 * disks being unlocked, its overlays gone and its ports closed. */
	if (d->control)
		control_free(d->control);
	free(d->firmware);
	linuxboot_free(&d->linux_image);
	evloop_free(d->loop);
	log_close_file();
	free(d);
}
