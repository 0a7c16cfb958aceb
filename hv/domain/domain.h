/* A domain: one guest, owned by one process. It builds the machine from a
 * config, runs the vCPU thread, serves its control socket from the event
 * loop (the process's main thread), and ends when the guest powers off, a
 * client destroys it, or `hv run --timeout` expires. */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "console/console.h"
#include "display/display.h"
#include "hv/domain/chardev.h"
#include "hv/domain/domain_serial.h"
#include "hv/config/config.h"
#include "hv/core/engine.h"
#include "hv/boot/linuxboot.h"
#include "hv/core/machine.h"
#include "hv/domain/resetstorm.h"

struct audio;
struct pc;
struct disk;
struct control;
struct migration;
struct vga_renderer;
struct virtio_gpu;
struct domain_nic;

enum domain_state {
	DOMAIN_RUNNING,
	DOMAIN_PAUSED,
	DOMAIN_SHUTDOWN, /* powered off and preserved (on_poweroff = "preserve") */
	DOMAIN_CRASHED,
	DOMAIN_DYING,
};

/* How `hv run` ends, as its exit status. */
#define DOMAIN_EXIT_TIMEOUT 124
#define DOMAIN_EXIT_CRASHED 2

struct domain {
	struct domain_config cfg;
	int id;
	pid_t pid;
	bool foreground;    /* `hv run`: stdio serial is this terminal */
	int64_t started_ns; /* host monotonic */

	struct machine machine;
	bool machine_ready;
	struct pc *pc;
	uint8_t *firmware; /* ROM image, mapped high and aliased low */
	uint64_t firmware_size;
	struct disk *disks[DISKS_MAX]; /* cfg.disks[i], open and locked before the guest runs */
	struct disk_overlay *staged[DISKS_MAX]; /* hv snapshot-create's, until its "snapshot" */
	struct linux_image linux_image;		/* kernel=: the files, read once */
	bool linux_unpacked; /* hv decompresses the kernel (again at each reboot) */
	const struct engine_ops *engine;
	char engine_why[160];
	void *engine_state;
	void *vcpu;
	pthread_t vcpu_thread;
	bool vcpu_started;
	double vcpu_seconds; /* host CPU time of the vCPU thread, last read */
	int vcpu_tid;	     /* the vCPU thread's id (hv vcpu-list), 0 before it runs */
	uint64_t vcpu_rate;  /* instructions per host second in full slices (vcpu.c) */

	struct domain_serial serial[DOMAIN_CONSOLE_PORTS]; /* COM1, COM2, hvc0 */
	struct chardev debugcon;
	char log_path[PATH_MAX];

	struct display display; /* the screen and its viewers (event loop only) */
	struct vga_renderer *vga_renderer;
	struct virtio_gpu *gpu;		   /* the PC's virtio-gpu, or NULL */
	bool gpu_shown;			   /* the surface last showed the virtio-gpu's scanout */
	uint32_t cursor_moves, cursor_gen; /* the gpu's cursor as last published */
	bool cursor_shown;		   /* the surface's pointer is visible */
	struct evloop *loop;		   /* the process's event loop (hv/core/evloop.h) */
	struct audio *audio;		   /* the sound backend (hv/domain/domain_audio.c) */
	struct domain_nic *nics[CONFIG_VIFS_MAX]; /* vif = [...] (hv/domain/domain_net.c) */
	struct domain_doorbells *doorbells; /* on KVM (hv/domain/domain_doorbell.c), or NULL */
	struct control *control;
	struct migration *migration; /* hv migrate's, sending or over (hv/domain/migrate.h) */
	int listen_fd;
	int wake_fd; /* eventfd: the event loop has something to look at */
	/* Guest output collected during a vCPU slice, written at its end. */
	struct {
		uint8_t buf[512];
		size_t len;
	} debugcon_out;
	unsigned post_logged; /* POST code changes logged (post_code) */

	/* Under machine.lock: */
	enum domain_state state;
	bool pause_requested;
	bool stop;	     /* the vCPU thread must exit */
	bool halted;	     /* vCPU sleeping in HLT (for "blocked") */
	int64_t halted_ns;   /* host time the vCPU slept in HLT, sleeps ended */
	int64_t halted_from; /* host time the current sleep began */
	bool in_engine;	     /* the vCPU thread is in engine->vcpu_run */
	unsigned holds;	     /* host threads keeping the vCPU out of the engine */
	int exit_status;     /* for `hv run` */
	bool finished;	     /* the domain is over; the event loop ends */
	uint64_t reboots;
	bool reset_by_host;		/* `hv reboot`: a reset that on_reboot does not apply to */
	struct reset_storm reset_storm; /* resets per window, for the storm check */
	unsigned coredumps;		/* core files written (hv/domain/coredump.c) */
	char sandbox[256];		/* what confines the process, for `hv list -l` */
};

/* Builds the domain from cfg: claims its name in the runtime directory,
 * opens its logs and host ends, loads firmware, builds the machine and the
 * engine. Does not start the vCPU. Returns NULL with err set. */
struct domain *domain_create(const struct domain_config *cfg, bool foreground, char *err,
			     size_t errlen);

/* Checks what domain_create checks before it claims the name (the engine,
 * the vCPU count, the firmware or kernel and ramdisk, the disk images and
 * their locks) and starts nothing: `hv create --dry-run`. Returns 0 or -1
 * with err set. */
int domain_check(const struct domain_config *cfg, char *err, size_t errlen);

/* Starts the vCPU and serves the control socket until the domain is over;
 * timeout_s > 0 ends it after that many seconds. Returns the exit status
 * for `hv run`: the guest's power-off code, 0 when destroyed, 124 on
 * timeout, 2 when the guest crashed. */
int domain_run(struct domain *d, double timeout_s);

/* Tears everything down and removes the socket. */
void domain_free(struct domain *d);

/* on_crash = "coredump-*": writes the guest's RAM and registers to
 * STATEDIR/NAME-YYYYMMDD-HHMMSS.core (UTC; -2, -3... if taken), at most
 * DOMAIN_COREDUMPS_MAX per domain process so a guest crashing in a loop
 * cannot fill the disk. From the vCPU thread with the lock held; logs
 * what it did. Returns 0 or -1. */
#define DOMAIN_COREDUMPS_MAX 4
int domain_coredump(struct domain *d);

/* Lifecycle requests (from the control socket); each returns 0 or -1 with
 * a reason in err. */
int domain_pause(struct domain *d, char *err, size_t errlen);
int domain_unpause(struct domain *d, char *err, size_t errlen);
void domain_destroy(struct domain *d);
int domain_reboot(struct domain *d, char *err, size_t errlen);
/* hv trigger: "power" presses the ACPI power button, "reset" is
 * domain_reboot, "nmi" raises the CPU's NMI, "sleep" is refused (no sleep
 * button). Returns 0 with what happened in msg, or -1 with why not. */
int domain_trigger(struct domain *d, const char *what, char *msg, size_t len);
/* hv floppy-insert: swaps the disk in floppy drive vdev ("fda", "fdb")
 * for the image fd (opened by the client; name: its path), write-protected
 * unless rw (then fd must be open for writing), of the same size as the
 * disk it replaces. The guest sees the disk-change line up. Takes fd.
 * Returns 0 with what happened in msg, or -1 with why not. */
int domain_change_floppy(struct domain *d, const char *vdev, int fd, const char *name, bool rw,
			 char *msg, size_t len);
/* hv cd-insert (fd: the image, opened by the client; name: its path for
 * messages) or hv cd-eject (fd -1) on the CD-ROM drive vdev ("hdc"). Takes
 * fd. Returns 0 with what happened in msg, or -1 with why not. */
int domain_change_cd(struct domain *d, const char *vdev, int fd, const char *name, char *msg,
		     size_t len);

/* hv snapshot-create (domain_snapshot.c). Stages the qcow2 overlay on fd
 * (opened by the client; name: its path, recorded as the disk's image)
 * for the writable disk vdev, replacing one staged before. Takes fd.
 * Returns 0 or -1 with err. */
int domain_stage_overlay(struct domain *d, const char *vdev, int fd, const char *name, char *err,
			 size_t errlen);
/* Saves the domain's state into fd as hv save -c does and, with the vCPU
 * still held, switches every disk named in vdevs (space separated, exactly
 * those staged) to its staged overlay. Nothing changes if anything fails;
 * the staged overlays are gone either way. Returns 0 or -1 with err. */
int domain_snapshot(struct domain *d, int fd, const char *vdevs, char *err, size_t errlen);
/* Closes the staged overlays. */
void domain_unstage_overlays(struct domain *d);
/* The disks as " n=N vdevI= pathI= formatI= sizeI= rwI=" key=value pairs
 * (hv snapshot-create's view of them) into buf. */
void domain_disks_describe(struct domain *d, char *buf, size_t len);

/* Writes guest output gathered during a vCPU slice to its host ends. With
 * the domain lock held. */
void domain_flush_output(struct domain *d);

/* domain_display.c: connects the display device and the viewers' input to
 * the display backend, once the machine is built. Returns 0 or -1. */
int domain_display_setup(struct domain *d, char *err, size_t errlen);
void domain_display_free(struct domain *d);

/* domain_audio.c: the sound backend fed by the PC's speaker, once the
 * machine is built (returns 0 or -1 with err set); its `info` keys (on
 * the event loop, lock not held); `audio mute|unmute|volume N` (returns
 * 0 or -1 with err set). */
int domain_audio_setup(struct domain *d, char *err, size_t errlen);
void domain_audio_free(struct domain *d);
void domain_audio_info(struct domain *d, char *buf, size_t len);
int domain_audio_request(struct domain *d, const char *arg, char *err, size_t errlen);

/* domain_net.c: a virtio-net NIC on a user-mode network per vif, once
 * the machine is built (returns 0 or -1 with err set); its `info` keys
 * (net_rx_bytes, net_tx_bytes, ...: on the event loop, lock not held). */
int domain_net_setup(struct domain *d, char *err, size_t errlen);
void domain_net_free(struct domain *d);
void domain_net_info(struct domain *d, char *buf, size_t len);
/* Each vif's user network (libslirp's state) into a save file's section
 * "usernet.N", and back; from the event loop's thread (domain_save), or
 * before the loop runs (domain_restore). Return 0, or -1 with err set. */
struct savefile_writer;
struct savefile_reader;
int domain_net_save(struct domain *d, struct savefile_writer *w, char *err, size_t errlen);
int domain_net_restore(struct domain *d, const struct savefile_reader *r, char *err, size_t errlen);

/* domain_doorbell.c: virtio notifications through the engine's ioeventfd
 * (hv/core/doorbell.h) when it has one (returns 0 or -1 with err set);
 * how many rings the event loop delivered. */
int domain_doorbells_setup(struct domain *d, char *err, size_t errlen);
void domain_doorbells_free(struct domain *d);
uint64_t domain_doorbells_rung(const struct domain *d);

/* Tells the event loop to look at the domain's state. Any thread. */
void domain_notify(struct domain *d);

/* "running", "blocked", "paused", "shutdown", "crashed", "dying". */
const char *domain_state_name(struct domain *d);

/* Fills buf with the `info` reply: key=value pairs, every device of the
 * machine's registry last (docs/protocol.md). */
void domain_info(struct domain *d, char *buf, size_t len);

#endif
