/* virtio_rng: buffers filled from getrandom, the token bucket that holds
 * back what exceeds its budget until a timer on the virtual clock, and a
 * reset that cancels the timer. */
#include <check.h>
#include <string.h>
#include <unistd.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_rng.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 8
#define Q_AT	 0x1000u /* the queue: desc, avail, used */
#define BUF_AT	 0x10000u
#define BURST	 1024u

static struct guest_mem mem;
static struct vclock clock_;
static struct virtio_rng rng;
static struct virtio_driver drv;

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	vclock_init(&clock_);
	virtio_rng_init(&rng, &mem, &clock_, (struct irq_line){0}, 64u << 10, BURST, "rng");
	vdrv_attach(&drv, &mem, &rng.vp.pci, 5, BAR, QSIZE);
	vdrv_negotiate(&drv, 0, 1);
	vdrv_setup_queue(&drv, 0, Q_AT);
	vdrv_driver_ok(&drv);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_COMMON_STATUS, 1), 0x0F);
}

static void teardown(void)
{
	virtio_rng_destroy(&rng);
	mem_destroy(&mem);
}

/* Offers a device-writable buffer of len bytes at BUF_AT + 0x1000 * i. */
static void offer(unsigned i, uint32_t len)
{
	vdrv_put_desc(&drv, Q_AT, i, BUF_AT + 0x1000 * i, len, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, Q_AT, (uint16_t)i);
}

static void kick(void)
{
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
}

static uint16_t used_idx(void)
{
	return vdrv_used_idx(&drv, Q_AT);
}

static uint32_t used_len(unsigned n)
{
	return vdrv_used_len(&drv, Q_AT, n);
}

START_TEST(buffer_is_filled_with_random_bytes)
{
	static const uint8_t zero[64];

	offer(0, 64);
	kick();
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(used_len(0), 64);
	ck_assert_mem_ne(mem.ram + BUF_AT, zero, 64);
	ck_assert_uint_eq(rng.bytes, 64);
}
END_TEST

START_TEST(rate_limit_holds_buffers_until_the_timer)
{
	int64_t start;

	offer(0, 2 * BURST); /* more than the bucket: gets the bucket */
	offer(1, 512);
	kick();
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(used_len(0), BURST);
	ck_assert_int_lt(vclock_next_deadline(&clock_), INT64_MAX); /* a refill is due */
	vclock_start(&clock_);
	start = host_now_ns();
	while (used_idx() < 2 && host_now_ns() - start < 30 * 1000000000ll) {
		usleep(1000);
		vclock_run_expired(&clock_);
	}
	vclock_stop(&clock_);
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_gt(used_len(1), 0);
	ck_assert_uint_eq(rng.delayed, 1);
}
END_TEST

/* Days of idle time refill the bucket (no overflow of elapsed x rate). */
START_TEST(long_idle_refills_the_bucket)
{
	offer(0, 2 * BURST);
	offer(1, 64);
	kick();
	ck_assert_uint_eq(used_idx(), 1);
	clock_.base_virt += 5ll * 24 * 3600 * 1000000000ll; /* the stopped clock reads this */
	vclock_run_expired(&clock_);
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_eq(used_len(1), 64);
	ck_assert_uint_eq(rng.tokens, BURST - 64);
}
END_TEST

START_TEST(reset_cancels_the_refill)
{
	offer(0, 2 * BURST);
	offer(1, 64);
	kick();
	ck_assert_int_lt(vclock_next_deadline(&clock_), INT64_MAX);
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_int_eq(vclock_next_deadline(&clock_), INT64_MAX);
}
END_TEST

START_TEST(readable_buffer_gets_nothing)
{
	vdrv_put_desc(&drv, Q_AT, 0, BUF_AT, 64, 0, 0);
	vdrv_offer(&drv, 0, Q_AT, 0);
	kick();
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(used_len(0), 0);
}
END_TEST

/* A fresh device loaded from the state of one that served a buffer
 * serves the next at the next used index, with the bucket it had. */
START_TEST(restore_continues_the_queue)
{
	struct state_out o = {0};
	struct state_in in;

	offer(0, 100);
	kick();
	ck_assert_uint_eq(used_idx(), 1);
	virtio_rng_device_ops.save(&rng, &o);
	virtio_rng_destroy(&rng);
	virtio_rng_init(&rng, &mem, &clock_, (struct irq_line){0}, 64u << 10, BURST, "rng");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 5, 0, &rng.vp.pci), 0);
	in = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(virtio_rng_device_ops.load(&rng, &in, virtio_rng_device_ops.version), -1);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(virtio_rng_device_ops.load(&rng, &in, virtio_rng_device_ops.version), 0);
	ck_assert(state_in_done(&in));
	ck_assert_uint_eq(rng.tokens, BURST - 100);
	offer(1, 200);
	kick();
	ck_assert_uint_eq(used_idx(), 2);
	ck_assert_uint_eq(used_len(1), 200);
	ck_assert_uint_eq(rng.bytes, 300);
	state_out_free(&o);
}
END_TEST

static Suite *virtio_rng_suite(void)
{
	Suite *s = suite_create("virtio_rng");
	TCase *tc = tcase_create("entropy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, buffer_is_filled_with_random_bytes);
	tcase_add_test(tc, restore_continues_the_queue);
	tcase_add_test(tc, rate_limit_holds_buffers_until_the_timer);
	tcase_add_test(tc, long_idle_refills_the_bucket);
	tcase_add_test(tc, reset_cancels_the_refill);
	tcase_add_test(tc, readable_buffer_gets_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_rng_suite());
}
