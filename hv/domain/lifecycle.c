/* Lifecycle requests and the domain's self-description, as the control
 * socket serves them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/ctl.h"
#include "hv/domain/domain.h"
#include "hv/core/log.h"
#include "hv/domain/vcpu.h"
#include "legacy/pc.h"

void domain_notify(struct domain *d)
{
	uint64_t one = 1;

	if (write(d->wake_fd, &one, sizeof one) < 0) {
		/* Saturated: the loop is woken already. */
	}
}

static bool is_over(struct domain *d, char *err, size_t errlen)
{
	if (d->state == DOMAIN_SHUTDOWN || d->finished) {
		snprintf(err, errlen, "domain '%s' is %s", d->cfg.name, domain_state_name(d));
		return true;
	}
	return false;
}

int domain_pause(struct domain *d, char *err, size_t errlen)
{
	struct machine *m = &d->machine;
	int rc = 0;

	machine_lock_host(m);
	if (is_over(d, err, errlen) || d->pause_requested) {
		if (d->pause_requested)
			snprintf(err, errlen, "domain '%s' is already paused", d->cfg.name);
		rc = -1;
	} else {
		d->pause_requested = true;
		vclock_stop(&m->clock);
		d->engine->vcpu_kick(d->vcpu);
		pthread_cond_broadcast(&m->wake);
		log_info("paused");
	}
	machine_unlock_host(m);
	return rc;
}

int domain_unpause(struct domain *d, char *err, size_t errlen)
{
	struct machine *m = &d->machine;
	int rc = 0;

	machine_lock_host(m);
	if (!d->pause_requested) {
		snprintf(err, errlen, "domain '%s' is not paused", d->cfg.name);
		rc = -1;
	} else {
		d->pause_requested = false;
		if (d->state != DOMAIN_SHUTDOWN)
			vclock_start(&m->clock);
		pthread_cond_broadcast(&m->wake);
		log_info("unpaused");
	}
	machine_unlock_host(m);
	return rc;
}

void domain_destroy(struct domain *d)
{
	struct machine *m = &d->machine;

	machine_lock_host(m);
	if (!d->finished) {
		log_info("destroyed");
		d->finished = true;
		d->state = DOMAIN_DYING;
		d->exit_status = 0;
	}
	d->stop = true;
	pthread_cond_broadcast(&m->wake);
	machine_unlock_host(m);
	domain_notify(d);
}

int domain_reboot(struct domain *d, char *err, size_t errlen)
{
	struct machine *m = &d->machine;
	int rc = 0;

	machine_lock_host(m);
	if (d->finished) {
		snprintf(err, errlen, "domain '%s' is %s", d->cfg.name, domain_state_name(d));
		rc = -1;
	} else {
		if (d->state == DOMAIN_SHUTDOWN) {
			/* A preserved domain comes back to life. */
			d->state = DOMAIN_RUNNING;
			if (!d->pause_requested)
				vclock_start(&m->clock);
		}
		d->reset_by_host = true;
		machine_request(m, MACHINE_REQ_RESET, 0);
	}
	machine_unlock_host(m);
	return rc;
}

/* With the lock held. */
static const char *state_name_locked(struct domain *d)
{
	if (d->state == DOMAIN_CRASHED)
		return "crashed";
	if (d->finished || d->state == DOMAIN_DYING)
		return "dying";
	if (d->state == DOMAIN_SHUTDOWN)
		return "shutdown";
	if (d->pause_requested)
		return "paused";
	return d->halted ? "blocked" : "running";
}

const char *domain_state_name(struct domain *d)
{
	return state_name_locked(d);
}

static void put_u64(char *buf, size_t len, const char *key, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof s, "%" PRIu64, v);
	kv_put(buf, len, key, s);
}

static void put_double(char *buf, size_t len, const char *key, double v)
{
	char s[32];

	snprintf(s, sizeof s, "%.3f", v);
	kv_put(buf, len, key, s);
}

static void info_identity(struct domain *d, char *buf, size_t len)
{
	kv_put(buf, len, "name", d->cfg.name);
	put_u64(buf, len, "id", (uint64_t)d->id);
	put_u64(buf, len, "pid", (uint64_t)d->pid);
	kv_put(buf, len, "config", d->cfg.file);
	put_u64(buf, len, "mem", d->cfg.memory_mib);
	put_u64(buf, len, "vcpus", d->cfg.vcpus);
	kv_put(buf, len, "engine", d->engine->name);
	kv_put(buf, len, "engine_why", d->engine_why);
	kv_put(buf, len, "firmware", d->cfg.firmware);
	kv_put(buf, len, "on_poweroff", config_action_name(d->cfg.on_poweroff));
	kv_put(buf, len, "on_reboot", config_action_name(d->cfg.on_reboot));
	kv_put(buf, len, "on_crash", config_action_name(d->cfg.on_crash));
	if (d->cfg.uuid[0])
		kv_put(buf, len, "uuid", d->cfg.uuid);
	kv_put(buf, len, "sandbox", d->sandbox[0] ? d->sandbox : "none");
}

static void info_endpoints(struct domain *d, char *buf, size_t len)
{
	char s[PATH_MAX + 8];

	domain_serial_info(d, buf, len);
	chardev_describe(&d->debugcon, s, sizeof s);
	kv_put(buf, len, "debugcon", s);
	kv_put(buf, len, "log", d->log_path);
}

/* The KVM engine's interrupt delivery, one line for a hung guest's
 * diagnosis. */
static void info_kvm_irq(const struct vcpu_stats *st, char *buf, size_t len)
{
	char s[160];

	snprintf(s, sizeof s, "injected=%llu last=%d halted=%d ready=%d if=%d stale=%d window=%d",
		 (unsigned long long)st->injected, st->last_vector, st->halted, st->ready,
		 st->if_flag, st->stale, st->window);
	kv_put(buf, len, "kvm_irq", s);
}

/* The soft CPU's JIT: `off` (config jit = 0, HV_JIT=0, or a host that
 * refuses executable memory) or its counters. */
static void info_jit(const struct vcpu_stats *st, char *buf, size_t len)
{
	kv_put(buf, len, "jit", st->jit ? "on" : "off");
	if (!st->jit)
		return;
	put_u64(buf, len, "jit_blocks", st->jit_blocks);
	put_double(buf, len, "jit_time_ms", (double)st->jit_ns / 1e6);
	put_u64(buf, len, "jit_code_bytes", st->jit_code_used);
	put_u64(buf, len, "jit_code_size", st->jit_code_size);
	put_u64(buf, len, "jit_invalidations", st->jit_invalidated);
	put_u64(buf, len, "jit_flushes", st->jit_flushes);
	put_u64(buf, len, "jit_decoded", st->jit_decoded);
}

static void info_counters(struct domain *d, char *buf, size_t len)
{
	struct vcpu_stats st = {0};
	struct pc_status pst;
	char post[8];

	d->engine->vcpu_stats(d->vcpu, &st);
	pc_status(d->pc, &pst);
	put_double(buf, len, "cpu_time", vcpu_cpu_seconds(d));
	put_double(buf, len, "halted_time",
		   (double)(d->halted_ns + (d->halted ? host_now_ns() - d->halted_from : 0)) / 1e9);
	put_u64(buf, len, "vcpu_tid", (uint64_t)d->vcpu_tid);
	put_double(buf, len, "uptime", (double)(host_now_ns() - d->started_ns) / 1e9);
	put_u64(buf, len, "clock_ns", (uint64_t)vclock_now(&d->machine.clock));
	put_u64(buf, len, "insns", st.insns);
	put_u64(buf, len, "exits", st.exits);
	if (d->engine == &engine_kvm) {
		put_u64(buf, len, "exits_io", st.exits_io);
		put_u64(buf, len, "exits_mmio", st.exits_mmio);
		put_u64(buf, len, "exits_hlt", st.exits_hlt);
		put_u64(buf, len, "exits_intr", st.exits_intr);
		put_u64(buf, len, "exits_other", st.exits_other);
		put_u64(buf, len, "doorbells_rung", domain_doorbells_rung(d));
		info_kvm_irq(&st, buf, len);
	}
	if (d->engine == &engine_soft)
		info_jit(&st, buf, len);
	snprintf(post, sizeof post, "0x%02x", pst.post);
	kv_put(buf, len, "post", post);
	put_u64(buf, len, "post_count", pst.post_count);
	put_u64(buf, len, "reboots", d->reboots);
}

/* The keyboard as the guest programmed it, and `hv send-keys` events not
 * typed yet. */
static void info_keyboard(struct domain *d, char *buf, size_t len)
{
	struct pc_status st;

	if (!d->pc)
		return;
	pc_status(d->pc, &st);
	kv_put(buf, len, "kbd_leds", st.kbd_leds);
	kv_put(buf, len, "kbd_typematic", st.kbd_typematic);
	put_u64(buf, len, "keys_queued", st.keys_queued);
}

/* Bytes read and written on every disk image (IDE, floppy, virtio-blk):
 * `hv top`'s DSK rates. */
static void info_disk_bytes(struct domain *d, char *buf, size_t len)
{
	uint64_t rd = 0, wr = 0;

	for (unsigned i = 0; i < DISKS_MAX; i++) {
		uint64_t r, w;

		if (!d->disks[i])
			continue;
		disk_bytes(d->disks[i], &r, &w);
		rd += r;
		wr += w;
	}
	put_u64(buf, len, "disk_read_bytes", rd);
	put_u64(buf, len, "disk_written_bytes", wr);
}

void domain_info(struct domain *d, char *buf, size_t len)
{
	machine_lock_host(&d->machine);
	buf[0] = '\0';
	info_identity(d, buf, len);
	kv_put(buf, len, "state", state_name_locked(d));
	info_endpoints(d, buf, len);
	info_counters(d, buf, len);
	info_disk_bytes(d, buf, len);
	info_keyboard(d, buf, len);
	device_describe_all(&d->machine.devices, buf, len);
	machine_unlock_host(&d->machine);
	domain_audio_info(d, buf, len);
	domain_net_info(d, buf, len);
}
