/* The domain's doorbells (hv/core/doorbell.h) on an engine with
 * ioeventfd: a fixed pool of eventfds, each watched by the event loop
 * from the start, because a driver asks for doorbells from the vCPU
 * thread (its status write) and the event loop is not to be changed from
 * there. A doorbell takes a free eventfd and has the engine signal it;
 * the event loop rings the device under the domain lock and kicks the
 * vCPU when that raised an interrupt. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hv/core/doorbell.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/domain/domain.h"

#define DOORBELLS_MAX 32 /* a queue each: blk 1, net 2, console 4, gpu 2, ... */

struct bell {
	struct domain_doorbells *owner;
	int fd;
	int handle;   /* in the event loop; -1 if not watched */
	uint64_t gpa; /* 0: free */
	void (*ring)(void *dev, unsigned arg);
	void *dev;
	unsigned arg;
	uint64_t primes; /* rings of bell_add's own, not yet read back */
};

struct domain_doorbells {
	struct doorbells ops; /* first: what hv/core sees */
	struct domain *d;
	struct bell bells[DOORBELLS_MAX];
	uint64_t rung; /* the guest's notify writes the eventfds took, for `hv list -l` */
};

/* Event loop, lock not held. */
static void bell_ready(void *opaque, int fd, short revents)
{
	struct bell *b = opaque;
	struct domain *d = b->owner->d;
	uint64_t v;

	(void)revents;
	machine_lock_host(&d->machine);
	/* v: the writes since the last read, the guest's and bell_add's
	 * (read under the lock, which bell_add's holds too) */
	if (read(fd, &v, sizeof v) != sizeof v) {
		machine_unlock_host(&d->machine);
		return;
	}
	v = v > b->primes ? v - b->primes : 0;
	b->primes = 0;
	if (b->gpa && b->ring) {
		b->ring(b->dev, b->arg);
		b->owner->rung += v;
		/* the PIC's state as machine_intr_pending gives it, which
		 * takes the lock this thread holds */
		if (d->machine.intc && d->machine.intc->pending(d->machine.intc_opaque))
			machine_irq_kick(&d->machine);
	}
	machine_unlock_host(&d->machine);
}

static const struct evloop_source_ops bell_ops = {.ready = bell_ready};

static int bell_add(struct doorbells *ops, uint64_t gpa, void (*ring)(void *dev, unsigned arg),
		    void *dev, unsigned arg)
{
	struct domain_doorbells *db = (struct domain_doorbells *)ops;
	struct domain *d = db->d;

	for (unsigned i = 0; i < DOORBELLS_MAX; i++) {
		struct bell *b = &db->bells[i];

		if (b->gpa)
			continue;
		if (d->engine->ioeventfd(d->engine_state, gpa, DOORBELL_WRITE_LEN, b->fd, true) <
		    0) {
			log_guest("doorbell at %#llx: the engine refused it (%s); it stays MMIO",
				  (unsigned long long)gpa, strerror(errno));
			return -1;
		}
		b->gpa = gpa;
		b->ring = ring;
		b->dev = dev;
		b->arg = arg;
		/* A new doorbell starts rung: a notification that waited in an
		 * eventfd when the state was saved, or when the BAR moved, is
		 * then not lost (a device finds nothing new on a spare one). */
		if (eventfd_write(b->fd, 1) == 0)
			b->primes++;
		return 0;
	}
	log_guest("doorbell at %#llx: all %d in use; it stays MMIO", (unsigned long long)gpa,
		  DOORBELLS_MAX);
	return -1;
}

static void bell_remove(struct doorbells *ops, uint64_t gpa)
{
	struct domain_doorbells *db = (struct domain_doorbells *)ops;
	struct domain *d = db->d;

	for (unsigned i = 0; i < DOORBELLS_MAX; i++) {
		struct bell *b = &db->bells[i];

		if (!gpa || b->gpa != gpa)
			continue;
		d->engine->ioeventfd(d->engine_state, gpa, DOORBELL_WRITE_LEN, b->fd, false);
		b->gpa = 0;
		b->ring = NULL;
		return;
	}
}

static void free_bells(struct domain_doorbells *db)
{
	for (unsigned i = 0; i < DOORBELLS_MAX; i++) {
		struct bell *b = &db->bells[i];

		if (b->handle >= 0)
			evloop_remove_fd(db->d->loop, b->handle);
		if (b->fd >= 0)
			close(b->fd);
	}
	free(db);
}

int domain_doorbells_setup(struct domain *d, char *err, size_t errlen)
{
	struct domain_doorbells *db;

	if (!d->engine->ioeventfd)
		return 0; /* the soft engine: notifications are MMIO writes */
	db = calloc(1, sizeof *db);
	if (!db) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	db->ops = (struct doorbells){.add = bell_add, .remove = bell_remove};
	db->d = d;
	for (unsigned i = 0; i < DOORBELLS_MAX; i++)
		db->bells[i] = (struct bell){.owner = db, .fd = -1, .handle = -1};
	for (unsigned i = 0; i < DOORBELLS_MAX; i++) {
		struct bell *b = &db->bells[i];

		b->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (b->fd < 0 || (b->handle = evloop_add_fd(d->loop, b->fd, &bell_ops, b)) < 0) {
			snprintf(err, errlen, "doorbells: %s",
				 b->fd < 0 ? strerror(errno) : "out of memory");
			free_bells(db);
			return -1;
		}
	}
	d->doorbells = db;
	d->machine.doorbells = &db->ops;
	return 0;
}

void domain_doorbells_free(struct domain *d)
{
	if (!d->doorbells)
		return;
	d->machine.doorbells = NULL;
	free_bells(d->doorbells);
	d->doorbells = NULL;
}

uint64_t domain_doorbells_rung(const struct domain *d)
{
	return d->doorbells ? d->doorbells->rung : 0;
}
