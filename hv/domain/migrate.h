/* Live migration (hv migrate): the sending domain streams its RAM
 * (hv/core/migstream.h) over a descriptor passed in while it runs,
 * resending what its dirty log says was written, round after round, until
 * what is left would take less than the downtime target at the bandwidth
 * measured (or the rounds run out) and the receiver has said "ready" (its
 * domain is built); then it pauses, sends the last pages
 * and its state, and waits for the receiver's answer. A migration that
 * fails or is cancelled leaves the domain as it was (running, unless it
 * was paused before); one that succeeds leaves it paused for hv migrate
 * to destroy. The receiving side loads the stream into a domain that has
 * not run yet. */
#ifndef HV_DOMAIN_MIGRATE_H
#define HV_DOMAIN_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;

#define MIGRATE_DOWNTIME_MS 300
#define MIGRATE_ROUNDS	    30

enum migrate_state { MIGRATE_SENDING, MIGRATE_DONE, MIGRATE_FAILED };

struct migrate_status {
	enum migrate_state state;
	unsigned round;
	uint64_t ram_pages;
	uint64_t pages_sent; /* pages and zero pages */
	uint64_t bytes;
	uint64_t dirty;	     /* pages the current round resends */
	uint64_t round_left; /* pages of this round not yet looked at */
	double bandwidth;    /* bytes/s, last measured */
	int64_t total_ns;    /* so far, or in all */
	int64_t downtime_ns; /* from the pause to the receiver's answer */
	const void *owner;   /* the control client that started it */
	char error[256];
};

/* Starts sending over fd (now the migration's) from the event loop;
 * owner is who asked. Returns 0, or -1 with err (fd closed). */
int domain_migrate_start(struct domain *d, int fd, unsigned downtime_ms, unsigned max_rounds,
			 const void *owner, char *err, size_t errlen);

/* The current (or last) migration's progress; -1 when there was none. */
int domain_migrate_status(struct domain *d, struct migrate_status *st);

/* Ends a migration in progress as failed with reason why (the domain goes
 * on). Does nothing if none is sending, or (owner not NULL) if another
 * client started it. */
void domain_migrate_cancel(struct domain *d, const void *owner, const char *why);

/* Frees what a migration holds (domain_free). */
void domain_migrate_free(struct domain *d);

/* The receiving side, in a new domain process before the vCPU first runs:
 * reads the stream's records after the config from in (the header read
 * by in->fd's owner already: see migstream_read_start) into RAM and the
 * devices, then answers on out. Returns 0 (the domain may run), or -1
 * with err (answered as an error; the domain must be freed). */
struct migstream_in;
int domain_migrate_receive(struct domain *d, struct migstream_in *in, int out, char *err,
			   size_t errlen);

#endif
