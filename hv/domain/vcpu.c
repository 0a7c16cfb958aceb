#include "hv/domain/vcpu.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hv/domain/domain.h"
#include "hv/domain/domain_linux.h"
#include "hv/core/log.h"
#include "legacy/pc.h"

void vcpu_kick_hook(void *opaque)
{
	struct domain *d = opaque;

	if (d->vcpu)
		d->engine->vcpu_kick(d->vcpu);
}

void vcpu_retime_hook(void *opaque)
{
	struct domain *d = opaque;

	if (d->vcpu && d->engine->vcpu_retime)
		d->engine->vcpu_retime(d->vcpu);
}

static void reset_machine(struct domain *d)
{
	struct machine *m = &d->machine;

	m->request = MACHINE_REQ_NONE;
	device_reset_all(&m->devices);
	d->engine->vcpu_reset(d->vcpu);
	d->reboots++;
	if (d->cfg.kernel[0]) {
		char err[256];
		/* The files were loaded once already: only a changed machine,
		 * or no memory to decompress the kernel again, fails it. */
		if (domain_linux_boot(d, err, sizeof err) < 0) {
			log_error("reset: %s", err);
			machine_request(m, MACHINE_REQ_CRASH, 0);
		}
	}
}

static void finish(struct domain *d, int status)
{
	d->exit_status = status;
	d->finished = true;
	d->stop = true;
	domain_notify(d);
}

/* What on_poweroff and on_reboot ask for; "preserve" keeps the domain,
 * shut down, for `hv list`, `hv reboot` or `hv destroy`. */
static void take_action(struct domain *d, enum config_action action, int code)
{
	switch (action) {
	case CONFIG_ACTION_DESTROY: finish(d, code); break;
	case CONFIG_ACTION_RESTART: reset_machine(d); break;
	case CONFIG_ACTION_COREDUMP_DESTROY:
	case CONFIG_ACTION_COREDUMP_RESTART: /* on_crash only (the parser's rule) */
	case CONFIG_ACTION_PRESERVE:
		d->machine.request = MACHINE_REQ_NONE;
		d->state = DOMAIN_SHUTDOWN;
		vclock_stop(&d->machine.clock);
		domain_notify(d);
		break;
	}
}

static void on_poweroff(struct domain *d, int code)
{
	log_info("guest powered off (exit status %d); on_poweroff = %s", code,
		 config_action_name(d->cfg.on_poweroff));
	take_action(d, d->cfg.on_poweroff, code);
}

static void on_crash(struct domain *d);

/* A reset the guest asked for follows on_reboot; `hv reboot` always
 * resets. */
static void on_reboot(struct domain *d)
{
	d->machine.request = MACHINE_REQ_NONE;
	if (d->reset_by_host) {
		log_info("reset by hv reboot");
		d->reset_by_host = false;
		reset_machine(d);
		return;
	}
	if (reset_storm_note(&d->reset_storm, host_now_ns())) {
		log_error("reset storm: more than %d resets within %d s; the guest is treated as "
			  "crashed",
			  RESET_STORM_MAX, RESET_STORM_WINDOW_S);
		on_crash(d);
		return;
	}
	log_guest_info("guest reset; on_reboot = %s", config_action_name(d->cfg.on_reboot));
	take_action(d, d->cfg.on_reboot, 0);
}

/* on_crash is "destroy" or "restart", either after a core dump (the
 * parser refuses "preserve"). */
static void on_crash(struct domain *d)
{
	struct machine *m = &d->machine;
	enum config_action a = d->cfg.on_crash;

	m->request = MACHINE_REQ_NONE;
	if (a == CONFIG_ACTION_COREDUMP_DESTROY || a == CONFIG_ACTION_COREDUMP_RESTART) {
		log_error("guest crashed; on_crash = %s: writing a core dump",
			  config_action_name(a));
		domain_coredump(d);
	}
	if (a == CONFIG_ACTION_RESTART || a == CONFIG_ACTION_COREDUMP_RESTART) {
		log_error("guest crashed; on_crash = %s: resetting the machine",
			  config_action_name(a));
		reset_machine(d);
		return;
	}
	log_error("guest crashed; domain destroyed");
	d->state = DOMAIN_CRASHED;
	finish(d, DOMAIN_EXIT_CRASHED);
}

/* With the lock held. */
static void handle_request(struct domain *d)
{
	struct machine *m = &d->machine;
	int code = m->request_code;

	switch (m->request) {
	case MACHINE_REQ_NONE: break;
	case MACHINE_REQ_POWEROFF: on_poweroff(d, code); break;
	case MACHINE_REQ_RESET: on_reboot(d); break;
	case MACHINE_REQ_CRASH: on_crash(d); break;
	}
}

static void wait_until(struct machine *m, int64_t host_delay_ns)
{
	struct timespec ts;
	int64_t when;

	if (host_delay_ns == INT64_MAX) {
		pthread_cond_wait(&m->wake, &m->lock);
		return;
	}
	when = host_now_ns() + host_delay_ns;
	ts.tv_sec = when / 1000000000;
	ts.tv_nsec = when % 1000000000;
	pthread_cond_timedwait(&m->wake, &m->lock, &ts);
}

/* HLT: sleep until an interrupt, a request, a timer or a pause; with the
 * lock held. seq is wake_seq as it was before the slice that halted, so a
 * wake-up that came during the slice is not lost. */
static void sleep_halted(struct domain *d, unsigned seq)
{
	struct machine *m = &d->machine;

	d->halted_from = host_now_ns();
	d->halted = true;
	while (!d->stop && !d->pause_requested && m->request == MACHINE_REQ_NONE &&
	       m->wake_seq == seq) {
		int64_t delay = vclock_host_delay(&m->clock, vclock_next_deadline(&m->clock));
		if (delay == 0)
			break;
		wait_until(m, delay);
	}
	d->halted = false;
	d->halted_ns += host_now_ns() - d->halted_from;
}

/* Parked while paused, held by vcpu_access_state or preserved after
 * power-off; with the lock held. */
static bool parked(struct domain *d)
{
	return d->pause_requested || d->holds > 0 || d->state == DOMAIN_SHUTDOWN;
}

static void after_slice(struct domain *d, enum vcpu_exit e, unsigned seq)
{
	domain_flush_output(d);
	switch (e) {
	case VCPU_EXIT_HALT: sleep_halted(d, seq); break;
	case VCPU_EXIT_RESET:
		log_guest("triple fault: resetting the machine");
		machine_request(&d->machine, MACHINE_REQ_RESET, 0);
		break;
	case VCPU_EXIT_ERROR: machine_request(&d->machine, MACHINE_REQ_CRASH, 0); break;
	default: break;
	}
}

/* The budget of the next slice (see VCPU_SLICE_NS); with the lock held. */
static uint64_t slice_budget(struct domain *d)
{
	struct vclock *c = &d->machine.clock;
	int64_t ns = vclock_host_delay(c, vclock_next_deadline(c));
	uint64_t n;

	if (ns > VCPU_SLICE_NS)
		ns = VCPU_SLICE_NS;
	n = (uint64_t)((double)d->vcpu_rate * (double)ns / 1e9);
	return n < VCPU_SLICE_MIN ? VCPU_SLICE_MIN : n > VCPU_SLICE_MAX ? VCPU_SLICE_MAX : n;
}

/* Learns the engine's speed from a slice that ran its whole budget (others
 * halted or were cut short and say nothing about it), smoothed. */
static void slice_measured(struct domain *d, enum vcpu_exit e, uint64_t budget, int64_t ns)
{
	double rate;

	if (e != VCPU_EXIT_BUDGET || ns <= 0)
		return;
	rate = (double)budget * 1e9 / (double)ns;
	d->vcpu_rate = (uint64_t)((3.0 * (double)d->vcpu_rate + rate) / 4.0);
}

static void *vcpu_main(void *arg)
{
	struct domain *d = arg;
	struct machine *m = &d->machine;

	pthread_mutex_lock(&m->lock);
	d->vcpu_tid = (int)syscall(SYS_gettid);
	while (!d->stop) {
		unsigned seq;
		enum vcpu_exit e;
		uint64_t budget;
		int64_t t0;

		if (parked(d)) {
			pthread_cond_wait(&m->wake, &m->lock);
			continue;
		}
		if (m->request != MACHINE_REQ_NONE) {
			handle_request(d);
			continue;
		}
		vclock_run_expired(&m->clock);
		seq = m->wake_seq;
		budget = slice_budget(d);
		d->in_engine = true;
		pthread_mutex_unlock(&m->lock);
		t0 = host_now_ns();
		e = d->engine->vcpu_run(d->vcpu, budget);
		slice_measured(d, e, budget, host_now_ns() - t0);
		pthread_mutex_lock(&m->lock);
		d->in_engine = false;
		if (d->holds)
			pthread_cond_broadcast(&m->wake); /* vcpu_access_state waits */
		after_slice(d, e, seq);
	}
	domain_flush_output(d);
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int vcpu_start(struct domain *d, char *err, size_t errlen)
{
	int rc;

	d->vcpu_rate = VCPU_RATE_INITIAL;
	if (!d->pause_requested) /* else at hv unpause (hv restore -p) */
		vclock_start(&d->machine.clock);
	rc = pthread_create(&d->vcpu_thread, NULL, vcpu_main, d);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the vCPU thread: %s", strerror(rc));
		return -1;
	}
	d->vcpu_started = true;
	return 0;
}

void vcpu_stop(struct domain *d)
{
	if (!d->vcpu_started)
		return;
	pthread_mutex_lock(&d->machine.lock);
	d->stop = true;
	d->engine->vcpu_kick(d->vcpu);
	pthread_cond_broadcast(&d->machine.wake);
	pthread_mutex_unlock(&d->machine.lock);
	pthread_join(d->vcpu_thread, NULL);
	d->vcpu_started = false;
}

void vcpu_hold(struct domain *d)
{
	struct machine *m = &d->machine;

	d->holds++;
	while (d->in_engine) {
		d->engine->vcpu_kick(d->vcpu);
		pthread_cond_wait(&m->wake, &m->lock);
	}
}

void vcpu_release(struct domain *d)
{
	d->holds--;
	pthread_cond_broadcast(&d->machine.wake);
}

int vcpu_access_state(struct domain *d, struct vcpu_state *get, const struct vcpu_state *set,
		      char *err, size_t errlen)
{
	struct machine *m = &d->machine;
	int rc = 0;

	if (!d->engine->vcpu_get_state || !d->engine->vcpu_set_state) {
		snprintf(err, errlen, "the %s engine cannot read registers", d->engine->name);
		return -1;
	}
	machine_lock_host(m);
	d->holds++;
	while (d->in_engine) {
		d->engine->vcpu_kick(d->vcpu);
		pthread_cond_wait(&m->wake, &m->lock);
	}
	if (get)
		rc = d->engine->vcpu_get_state(d->vcpu, get, err, errlen);
	if (rc == 0 && set)
		rc = d->engine->vcpu_set_state(d->vcpu, set, err, errlen);
	d->holds--;
	pthread_cond_broadcast(&m->wake);
	machine_unlock_host(m);
	return rc;
}

double vcpu_cpu_seconds(struct domain *d)
{
	clockid_t cid;
	struct timespec ts;

	/* Once the thread is gone, the last reading stands. */
	if (d->vcpu_started && pthread_getcpuclockid(d->vcpu_thread, &cid) == 0 &&
	    clock_gettime(cid, &ts) == 0)
		d->vcpu_seconds = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return d->vcpu_seconds;
}
