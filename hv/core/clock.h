/* The virtual clock of a domain: nanoseconds that advance with the host's
 * monotonic clock while the domain runs and stand still while it is paused,
 * with one-shot timers for the device models.
 *
 * Locking: timers are armed, cancelled and run under the domain lock (the
 * device models' lock); the clock's own time reading is lock-free for
 * readers and updated only by start/stop, also under the domain lock. */
#ifndef HV_CLOCK_H
#define HV_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct vtimer;

struct vclock {
	int64_t base_host; /* host monotonic ns at the last start */
	int64_t base_virt; /* virtual ns at the last start */
	bool running;
	struct vtimer *timers; /* armed timers, soonest first */
	/* Called when the soonest deadline moves earlier, so a sleeping vCPU
	 * can wake to run it. */
	void (*notify)(void *opaque);
	void *notify_opaque;
};

struct vtimer {
	struct vclock *clock;
	int64_t deadline; /* virtual ns */
	bool armed;
	void (*fn)(void *opaque);
	void *opaque;
	struct vtimer *next;
};

/* Host monotonic time in ns. */
int64_t host_now_ns(void);

/* A stopped clock reading 0. */
void vclock_init(struct vclock *c);
void vclock_start(struct vclock *c);
void vclock_stop(struct vclock *c);

/* Virtual ns now. */
int64_t vclock_now(const struct vclock *c);

/* Save/restore: the clock's reading goes into a save file, and a restore
 * sets a stopped clock to it before any device loads its timers, so guest
 * time goes on from the saved instant (never backwards, no jump for the
 * time the file sat on disk). Refused (-1) while the clock runs or for a
 * reading out of range (negative, or past VCLOCK_NS_MAX). */
#define VCLOCK_NS_MAX ((int64_t)1 << 62) /* 146 years */
int vclock_restore(struct vclock *c, int64_t ns);

void vtimer_init(struct vtimer *t, struct vclock *c, void (*fn)(void *opaque), void *opaque);
/* Arms (or re-arms) the timer to fire when the clock reaches deadline. */
void vtimer_arm(struct vtimer *t, int64_t deadline);
void vtimer_cancel(struct vtimer *t);

/* Soonest armed deadline, or INT64_MAX. */
int64_t vclock_next_deadline(const struct vclock *c);

/* Runs every timer whose deadline has passed, soonest first; a callback may
 * re-arm its own or other timers. Returns how many ran. */
int vclock_run_expired(struct vclock *c);

/* Host ns from now until virtual time `deadline` (0 if past; INT64_MAX if
 * the clock is stopped or deadline is INT64_MAX). */
int64_t vclock_host_delay(const struct vclock *c, int64_t deadline);

#endif
