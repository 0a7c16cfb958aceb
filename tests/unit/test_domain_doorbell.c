/* The domain's doorbells (hv/domain/domain_doorbell.c) over an engine
 * whose ioeventfd is a table: the engine is handed an eventfd per
 * doorbell, a write to it (what KVM does on the guest's notify) rings the
 * device on the event loop, a new doorbell rings once by itself without
 * counting as the guest's, a removed one rings nothing, and a refusal or a
 * full pool is reported. */
#include <check.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "hv/core/doorbell.h"
#include "hv/core/evloop.h"
#include "hv/domain/domain.h"

#include "unit.h"

#define GPA 0xFEB03000u

struct fake_engine {
	bool refuse;
	unsigned assigned;
	int fd; /* the last one assigned */
	uint64_t gpa;
	unsigned len;
};

static struct fake_engine eng;
static bool intr;      /* the fake PIC's INT output */
static unsigned kicks; /* of the vCPU */
static struct engine_ops ops;
static struct domain *d;
static unsigned rings;
static unsigned last_arg;

static int fake_ioeventfd(void *engine, uint64_t gpa, unsigned len, int fd, bool assign)
{
	struct fake_engine *e = engine;

	if (assign && e->refuse)
		return -1;
	if (assign) {
		e->assigned++;
		e->fd = fd;
		e->gpa = gpa;
		e->len = len;
	} else {
		ck_assert_uint_gt(e->assigned, 0);
		e->assigned--;
	}
	return 0;
}

static void ring(void *dev, unsigned arg)
{
	ck_assert_ptr_eq(dev, &eng);
	rings++;
	last_arg = arg;
}

static bool intc_pending(void *opaque)
{
	(void)opaque;
	return intr;
}

static const struct intc_ops intc = {.pending = intc_pending};

static void kick_vcpu(void *opaque)
{
	(void)opaque;
	kicks++;
}

static void setup(void)
{
	char err[128];

	eng = (struct fake_engine){.fd = -1};
	ops = (struct engine_ops){.name = "fake", .ioeventfd = fake_ioeventfd};
	rings = kicks = 0;
	intr = false;
	d = calloc(1, sizeof *d);
	ck_assert_ptr_nonnull(d);
	pthread_mutex_init(&d->machine.lock, NULL); /* not recursive, as the machine's */
	pthread_cond_init(&d->machine.wake, NULL);
	d->machine.intc = &intc;
	d->machine.kick_vcpu = kick_vcpu;
	d->engine = &ops;
	d->engine_state = &eng;
	d->loop = evloop_create();
	ck_assert_ptr_nonnull(d->loop);
	ck_assert_int_eq(domain_doorbells_setup(d, err, sizeof err), 0);
	ck_assert_ptr_nonnull(d->machine.doorbells);
}

static void teardown(void)
{
	domain_doorbells_free(d);
	ck_assert_ptr_null(d->machine.doorbells);
	evloop_free(d->loop);
	free(d);
}

/* Runs the event loop over what is ready (one round reads every
 * eventfd; a second finds nothing more). */
static void settle(void)
{
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(evloop_run_once(d->loop, 0), 0);
}

static struct doorbells *db(void)
{
	return d->machine.doorbells;
}

START_TEST(test_the_engines_writes_ring_the_device_and_count)
{
	ck_assert_int_eq(db()->add(db(), GPA, ring, &eng, 3), 0);
	ck_assert_uint_eq(eng.assigned, 1);
	ck_assert_uint_eq(eng.gpa, GPA);
	ck_assert_uint_eq(eng.len, DOORBELL_WRITE_LEN);
	settle(); /* the ring a new doorbell starts with */
	ck_assert_uint_eq(rings, 1);
	ck_assert_uint_eq(last_arg, 3);
	ck_assert_uint_eq(domain_doorbells_rung(d), 0);
	/* two notify writes before the event loop looks: one ring, two counted */
	ck_assert_int_eq(eventfd_write(eng.fd, 1), 0);
	ck_assert_int_eq(eventfd_write(eng.fd, 1), 0);
	settle();
	ck_assert_uint_eq(rings, 2);
	ck_assert_uint_eq(domain_doorbells_rung(d), 2);
	ck_assert_uint_eq(kicks, 0); /* no interrupt came of them */
}
END_TEST

/* A ring that raised the guest's interrupt kicks the vCPU (a vCPU in
 * KVM_RUN sees it only on an exit), with the domain lock held. */
START_TEST(test_a_ring_that_interrupts_kicks_the_vcpu)
{
	ck_assert_int_eq(db()->add(db(), GPA, ring, &eng, 0), 0);
	settle();
	intr = true;
	ck_assert_int_eq(eventfd_write(eng.fd, 1), 0);
	settle();
	ck_assert_uint_eq(rings, 2);
	ck_assert_uint_eq(kicks, 1);
	ck_assert_int_eq(pthread_mutex_trylock(&d->machine.lock), 0); /* left unlocked */
	pthread_mutex_unlock(&d->machine.lock);
}
END_TEST

START_TEST(test_a_removed_doorbell_rings_nothing)
{
	int fd;

	ck_assert_int_eq(db()->add(db(), GPA, ring, &eng, 0), 0);
	fd = eng.fd;
	db()->remove(db(), GPA);
	ck_assert_uint_eq(eng.assigned, 0);
	ck_assert_int_eq(eventfd_write(fd, 1), 0); /* late: after the deassign */
	settle();
	ck_assert_uint_eq(rings, 0);
	ck_assert_uint_eq(domain_doorbells_rung(d), 0);
	db()->remove(db(), GPA); /* again: nothing held there */
	ck_assert_uint_eq(eng.assigned, 0);
}
END_TEST

START_TEST(test_refused_or_full_says_no)
{
	eng.refuse = true;
	ck_assert_int_eq(db()->add(db(), GPA, ring, &eng, 0), -1);
	eng.refuse = false;
	for (unsigned i = 0;; i++) {
		if (db()->add(db(), GPA + 4 * (uint64_t)i, ring, &eng, i) < 0) {
			ck_assert_uint_gt(i, 8); /* a pool, not a handful */
			ck_assert_uint_eq(eng.assigned, i);
			break;
		}
		ck_assert_uint_lt(i, 1024);
	}
	db()->remove(db(), GPA);
	ck_assert_int_eq(db()->add(db(), GPA, ring, &eng, 0), 0); /* a freed one is reused */
	settle();
	ck_assert_uint_eq(rings, eng.assigned); /* each rang once, by itself */
	ck_assert_uint_eq(domain_doorbells_rung(d), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("domain_doorbell");
	TCase *tc = tcase_create("doorbells");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_the_engines_writes_ring_the_device_and_count);
	tcase_add_test(tc, test_a_ring_that_interrupts_kicks_the_vcpu);
	tcase_add_test(tc, test_a_removed_doorbell_rings_nothing);
	tcase_add_test(tc, test_refused_or_full_says_no);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
