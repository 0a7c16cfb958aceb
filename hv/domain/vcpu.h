/* The vCPU thread of a domain: runs the engine in slices, runs expired
 * timers between slices, sleeps in HLT until something wakes it, parks
 * while the domain is paused, and carries out the machine's requests
 * (power-off, reset, crash). */
#ifndef HV_VCPU_H
#define HV_VCPU_H

#include <stddef.h>

struct domain;
struct vcpu_state;

/* A slice is time-based: as many instructions as the engine ran in
 * VCPU_SLICE_NS of host time in its recent full slices (so a faster CPU
 * does not turn into more lock and timer round trips), no longer than the
 * time to the next timer deadline, and within these bounds. Short enough
 * for timers and pause requests to take effect promptly. */
#define VCPU_SLICE_NS	  500000
#define VCPU_SLICE_MIN	  2000
#define VCPU_SLICE_MAX	  4000000
#define VCPU_RATE_INITIAL 100000000 /* instructions per second before a measure */

int vcpu_start(struct domain *d, char *err, size_t errlen);

/* Asks the vCPU thread to exit and joins it. */
void vcpu_stop(struct domain *d);

/* machine.kick_vcpu: makes a running slice end early. */
void vcpu_kick_hook(void *opaque);
/* machine.retime_vcpu: tells the engine of an earlier timer deadline. */
void vcpu_retime_hook(void *opaque);

/* From a host thread: reads the vCPU's registers into get (if not NULL),
 * then loads set (if not NULL), holding the vCPU out of the engine
 * meanwhile (it is kicked out of a running slice and waits), so the state
 * is consistent. Returns 0, or -1 with a reason in err. */
int vcpu_access_state(struct domain *d, struct vcpu_state *get, const struct vcpu_state *set,
		      char *err, size_t errlen);

/* With the domain lock held, from a host thread: keeps the vCPU out of
 * the engine (kicking it out of a running slice and waiting) until
 * vcpu_release, so its registers, RAM and devices stand still. */
void vcpu_hold(struct domain *d);
void vcpu_release(struct domain *d);

/* Host CPU seconds used by the vCPU thread so far. */
double vcpu_cpu_seconds(struct domain *d);

#endif
