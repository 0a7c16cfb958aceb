/* virtio_net's transmit rounds (the bottom half of a notification): a
 * notification schedules one round (tx_ready) and turns the queue's
 * notifications off, so the driver keeps queueing without notifying; a
 * round cut short comes back by itself with them still off; a round that
 * empties the queue turns them on and looks once more. A driver on its
 * own thread, racing the rounds with real notifications, loses no frame:
 * one added just as a round turns notifications back on is either seen
 * by that look or notified for. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_net.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE  (1u << 20)
#define BAR	  0xFEB00000u
#define QSIZE	  8
#define RX_AT	  0x1000u /* receiveq: desc, avail, used */
#define TX_AT	  0x4000u /* transmitq */
#define BUF_AT	  0x10000u
#define FRAME_LEN 60
#define USED	  (TX_AT + 0x2000u)
#define AVAIL_EV  (USED + 4 + 8 * QSIZE) /* the device's avail_event */

static struct guest_mem mem;
static struct virtio_net net;
static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static struct virtio_driver drv;
static atomic_uint tx_ready_calls;
static uint8_t got[8 * VIRTIO_NET_FRAME_MAX];
static uint32_t lens[QSIZE];

static void tx_ready(void *opaque)
{
	(void)opaque;
	tx_ready_calls++;
}

static unsigned take(unsigned max);

static void start(uint32_t features)
{
	vdrv_reset(&drv);
	vdrv_negotiate(&drv, features, 1); /* VERSION_1 */
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
	vdrv_driver_ok(&drv);
	memset(mem.ram + BUF_AT, 0, VIRTIO_NET_HDR_LEN + FRAME_LEN);
	for (unsigned i = 0; i < QSIZE; i++)
		vdrv_put_desc(&drv, TX_AT, i, BUF_AT, VIRTIO_NET_HDR_LEN + FRAME_LEN, 0, 0);
	/* DRIVER_OK looked at every queue: the round it scheduled finds
	 * nothing. */
	ck_assert(net.tx_scheduled);
	ck_assert_uint_eq(take(QSIZE), 0);
	ck_assert(!net.tx_scheduled);
	tx_ready_calls = 0;
}

static void setup(void)
{
	char err[128];
	struct virtio_net_backend b = {.tx_ready = tx_ready};

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	net = (struct virtio_net){0};
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	vdrv_attach(&drv, &mem, &net.vp.pci, 6, BAR, QSIZE);
	start(1u << VIRTIO_F_EVENT_IDX);
}

static void teardown(void)
{
	virtio_net_destroy(&net);
	mem_destroy(&mem);
}

static uint16_t used_flags(void)
{
	return le_get16(mem.ram + USED);
}

/* Linux's vring_need_event on the driver's side, for the offer that
 * moved the avail index from old to old + 1. */
static bool driver_kicks(uint16_t old)
{
	uint16_t event = le_get16(mem.ram + AVAIL_EV);

	return (uint16_t)(old + 1 - event - 1) < 1;
}

static unsigned take(unsigned max)
{
	bool irq;

	return virtio_net_take_tx_many(&net, got, sizeof got, lens, max, &irq);
}

START_TEST(a_notification_schedules_one_round)
{
	vdrv_offer(&drv, 1, TX_AT, 0);
	ck_assert(driver_kicks(0));
	vdrv_notify(&drv, 1);
	ck_assert_uint_eq(tx_ready_calls, 1);
	ck_assert(net.tx_scheduled);
	vdrv_offer(&drv, 1, TX_AT, 1); /* queued while the round is due */
	ck_assert(!driver_kicks(1));
	vdrv_notify(&drv, 1); /* a late one changes nothing */
	ck_assert_uint_eq(tx_ready_calls, 1);
	ck_assert_uint_eq(take(QSIZE), 2);
	ck_assert(!net.tx_scheduled);
	ck_assert_uint_eq(tx_ready_calls, 1);
	ck_assert_uint_eq(net.tx_bursts, 1);
	vdrv_offer(&drv, 1, TX_AT, 2); /* notifications are on again */
	ck_assert(driver_kicks(2));
	vdrv_notify(&drv, 1);
	ck_assert_uint_eq(tx_ready_calls, 2);
	ck_assert_uint_eq(net.vp.q[1].notifies, 3);
}
END_TEST

/* Stopped by the caller's max: the round comes back at once, and the
 * driver is still asked not to notify. */
START_TEST(a_round_cut_short_comes_back)
{
	for (uint16_t i = 0; i < 3; i++)
		vdrv_offer(&drv, 1, TX_AT, i);
	vdrv_notify(&drv, 1);
	ck_assert_uint_eq(take(1), 1);
	ck_assert_uint_eq(tx_ready_calls, 2);
	ck_assert(net.tx_scheduled);
	vdrv_offer(&drv, 1, TX_AT, 3);
	ck_assert(!driver_kicks(3));
	ck_assert_uint_eq(take(QSIZE), 3);
	ck_assert(!net.tx_scheduled);
	ck_assert_uint_eq(tx_ready_calls, 2);
	ck_assert_uint_eq(net.st.tx_packets, 4);
}
END_TEST

/* Without EVENT_IDX the used ring's NO_NOTIFY flag says it. */
START_TEST(no_notify_flag_while_a_round_is_due)
{
	start(0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_notify(&drv, 1);
	ck_assert_uint_eq(used_flags(), VIRTQ_USED_F_NO_NOTIFY);
	ck_assert_uint_eq(take(QSIZE), 1);
	ck_assert_uint_eq(used_flags(), 0);
	ck_assert(!net.tx_scheduled);
}
END_TEST

/* A driver reset ends the round's suppression; the backend's round, if
 * it still comes, finds nothing and leaves nothing scheduled. */
START_TEST(reset_ends_a_due_round)
{
	start(0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_notify(&drv, 1);
	vdrv_reset(&drv);
	ck_assert(!net.tx_scheduled);
	ck_assert_uint_eq(take(QSIZE), 0);
	ck_assert(!net.tx_scheduled);
	ck_assert_uint_eq(tx_ready_calls, 1);
}
END_TEST

/* Saved while a round was due (NO_NOTIFY in guest RAM, a chain waiting):
 * the loaded device turns notifications on and schedules a round for it. */
START_TEST(restore_turns_notifications_back_on)
{
	struct virtio_net_backend b = {.tx_ready = tx_ready};
	struct state_out o = {0};
	struct state_in in;

	start(0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_notify(&drv, 1);
	virtio_net_device_ops.save(&net, &o);
	virtio_net_destroy(&net);
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 6, 0, &net.vp.pci), 0);
	tx_ready_calls = 0;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(virtio_net_device_ops.load(&net, &in, virtio_net_device_ops.version), 0);
	ck_assert_uint_eq(tx_ready_calls, 1);
	ck_assert(net.tx_scheduled);
	ck_assert_uint_eq(take(QSIZE), 1);
	ck_assert_uint_eq(used_flags(), 0);
	state_out_free(&o);
}
END_TEST

/* ---- a driver thread racing the rounds ---- */

#define RACE_FRAMES 5000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* the domain lock */
static atomic_uint taken;
static atomic_bool give_up;
static unsigned kicks; /* the driver's notifications, for a failure's message */

static uint16_t ring_load(uint64_t gpa)
{
	uint16_t v =
	    atomic_load_explicit((_Atomic uint16_t *)(void *)(mem.ram + gpa), memory_order_acquire);

	return le_get16((const uint8_t *)&v);
}

static void ring_store(uint64_t gpa, uint16_t v)
{
	uint16_t le;

	le_put16((uint8_t *)&le, v);
	atomic_store_explicit((_Atomic uint16_t *)(void *)(mem.ram + gpa), le,
			      memory_order_release);
}

static double now_s(void);

/* Linux's virtqueue_add then virtqueue_kick_prepare, one chain at a
 * time: the avail index stored, a full barrier, then the device's
 * request read (avail_event, or the used ring's flags). Then it waits
 * for the chain to come back, as a sender waiting for each packet's
 * answer would: the next chain goes in just as the device's round,
 * having published this one, turns notifications back on. A chain lost
 * there never comes back. */
static void *driver(void *opaque)
{
	bool event_idx = *(const bool *)opaque;

	for (uint16_t idx = 0; idx < RACE_FRAMES; idx++) {
		double t0 = now_s();
		bool kick;

		ring_store(TX_AT + 0x1000 + 4 + 2 * (idx % QSIZE), idx % QSIZE);
		ring_store(TX_AT + 0x1000 + 2, (uint16_t)(idx + 1));
		atomic_thread_fence(memory_order_seq_cst);
		if (event_idx)
			kick = (uint16_t)(idx + 1 - ring_load(AVAIL_EV) - 1) < 1;
		else
			kick = !(ring_load(USED) & VIRTQ_USED_F_NO_NOTIFY);
		if (kick) {
			pthread_mutex_lock(&lock);
			kicks++;
			vdrv_notify(&drv, 1);
			pthread_mutex_unlock(&lock);
		}
		while (ring_load(USED + 2) != (uint16_t)(idx + 1)) {
			if (give_up || now_s() - t0 > 5)
				goto out; /* lost */
			sched_yield();
		}
	}
out:
	give_up = true;
	return NULL;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The backend: a round for each tx_ready, under the lock, until the
 * driver is done or gives up. */
static void serve_rounds(void)
{
	unsigned seen = 0;

	while (!give_up) {
		pthread_mutex_lock(&lock);
		if (tx_ready_calls != seen) {
			seen = tx_ready_calls;
			taken += take(QSIZE);
		}
		pthread_mutex_unlock(&lock);
		sched_yield();
	}
}

static void race(bool event_idx)
{
	pthread_t t;

	start(event_idx ? 1u << VIRTIO_F_EVENT_IDX : 0);
	taken = 0;
	kicks = 0;
	give_up = false;
	ck_assert_int_eq(pthread_create(&t, NULL, driver, &event_idx), 0);
	serve_rounds();
	pthread_join(t, NULL);
	ck_assert_msg(taken == RACE_FRAMES, "%u of %u frames taken, %u notifications",
		      (unsigned)taken, RACE_FRAMES, kicks);
	ck_assert_uint_eq(net.st.tx_packets, RACE_FRAMES);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), (uint16_t)RACE_FRAMES);
}

START_TEST(a_racing_driver_loses_no_frame_with_event_idx)
{
	race(true);
}
END_TEST

START_TEST(a_racing_driver_loses_no_frame_with_flags)
{
	race(false);
}
END_TEST

static Suite *suite(void)
{
	const TTest *tests[] = {
	    a_notification_schedules_one_round,
	    a_round_cut_short_comes_back,
	    no_notify_flag_while_a_round_is_due,
	    reset_ends_a_due_round,
	    restore_turns_notifications_back_on,
	    a_racing_driver_loses_no_frame_with_event_idx,
	    a_racing_driver_loses_no_frame_with_flags,
	};

	return unit_suite("virtio_net_tx", "rounds", setup, teardown, tests, UNIT_COUNT(tests),
			  NULL, 0);
}

int main(void)
{
	return unit_run(suite());
}
