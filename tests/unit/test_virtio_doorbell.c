/* The virtio-pci transport's doorbells (hv/core/doorbell.h): one per
 * enabled queue of a live device at its notify address, following
 * DRIVER_OK, BAR moves and resets; a ring does what a notify write does;
 * doorbells the machine refuses leave the device working through MMIO. */
#include <check.h>

#include "hv/core/doorbell.h"
#include "hv/virtio/virtio_rng.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define BAR2	 0xFEB10000u
#define Q_AT	 0x1000u
#define BUF_AT	 0x10000u

/* A machine's doorbells as a table the tests read. */
struct fake_bells {
	struct doorbells ops;
	bool refuse;
	unsigned adds, removes, held;
	uint64_t gpa;
	void (*ring)(void *dev, unsigned arg);
	void *dev;
	unsigned arg;
};

static struct guest_mem mem;
static struct vclock clock_;
static struct virtio_rng rng;
static struct virtio_driver drv;
static struct fake_bells bells;
static struct doorbells *machine_bells;

static int fake_add(struct doorbells *db, uint64_t gpa, void (*ring)(void *, unsigned), void *dev,
		    unsigned arg)
{
	struct fake_bells *f = (struct fake_bells *)db;

	if (f->refuse)
		return -1;
	ck_assert_uint_eq(f->held, 0); /* one queue: one doorbell at a time */
	f->adds++;
	f->held++;
	f->gpa = gpa;
	f->ring = ring;
	f->dev = dev;
	f->arg = arg;
	return 0;
}

static void fake_remove(struct doorbells *db, uint64_t gpa)
{
	struct fake_bells *f = (struct fake_bells *)db;

	ck_assert_uint_eq(f->held, 1);
	ck_assert_uint_eq(gpa, f->gpa);
	f->removes++;
	f->held--;
	f->ring = NULL;
}

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	vclock_init(&clock_);
	bells = (struct fake_bells){.ops = {.add = fake_add, .remove = fake_remove}};
	machine_bells = &bells.ops;
	virtio_rng_init(&rng, &mem, &clock_, (struct irq_line){0}, 64u << 10, 1024, "rng");
	virtio_pci_set_doorbells(&rng.vp, &machine_bells);
	vdrv_attach(&drv, &mem, &rng.vp.pci, 5, BAR, 8);
}

static void teardown(void)
{
	virtio_rng_destroy(&rng);
	mem_destroy(&mem);
}

static void bring_up(void)
{
	vdrv_negotiate(&drv, 0, 1);
	vdrv_setup_queue(&drv, 0, Q_AT);
	ck_assert_uint_eq(bells.held, 0); /* not live before DRIVER_OK */
	vdrv_driver_ok(&drv);
}

/* Offers buffer i (16 bytes for the device to fill). */
static void offer(unsigned i)
{
	vdrv_put_desc(&drv, Q_AT, i, BUF_AT + 0x100 * i, 16, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, Q_AT, (uint16_t)i);
}

START_TEST(test_driver_ok_places_a_doorbell_that_rings_the_queue)
{
	bring_up();
	ck_assert_uint_eq(bells.held, 1);
	ck_assert_uint_eq(bells.gpa, BAR + VIRTIO_PCI_NOTIFY);
	offer(0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 0);
	bells.ring(bells.dev, bells.arg);
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 1);
	offer(1);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0); /* the MMIO way still works */
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 2);
}
END_TEST

START_TEST(test_doorbell_follows_the_bar_and_goes_at_reset)
{
	bring_up();
	pci_config_write(&drv.bus, 5, 0, PCI_BAR0, 4, BAR2);
	ck_assert_uint_eq(bells.held, 1);
	ck_assert_uint_eq(bells.gpa, BAR2 + VIRTIO_PCI_NOTIFY);
	ck_assert_uint_eq(bells.removes, 1);
	pci_config_write(&drv.bus, 5, 0, PCI_COMMAND, 2, 0); /* memory decoding off */
	ck_assert_uint_eq(bells.held, 0);
	pci_config_write(&drv.bus, 5, 0, PCI_COMMAND, 2, 0x6);
	ck_assert_uint_eq(bells.held, 1);
	drv.bar = BAR2;
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0); /* device reset */
	ck_assert_uint_eq(bells.held, 0);
	ck_assert_uint_eq(bells.adds, bells.removes);
}
END_TEST

START_TEST(test_needs_reset_drops_the_doorbell)
{
	bring_up();
	ck_assert_uint_eq(bells.held, 1);
	virtio_pci_needs_reset(&rng.vp);
	ck_assert_uint_eq(bells.held, 0);
}
END_TEST

START_TEST(test_refused_doorbells_leave_the_device_on_mmio)
{
	bells.refuse = true;
	bring_up();
	ck_assert_uint_eq(bells.adds, 0);
	offer(0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 1);
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(bells.removes, 0); /* nothing held, nothing removed */
}
END_TEST

/* The domain frees its doorbells before its devices: a device going
 * afterwards must not hand them back. */
START_TEST(test_doorbells_the_machine_dropped_are_left_alone)
{
	bring_up();
	ck_assert_uint_eq(bells.held, 1);
	machine_bells = NULL;
	virtio_rng_destroy(&rng);
	ck_assert_uint_eq(bells.removes, 0);
	virtio_rng_init(&rng, &mem, &clock_, (struct irq_line){0}, 64u << 10, 1024, "rng");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_doorbell");
	TCase *tc = tcase_create("doorbells");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_driver_ok_places_a_doorbell_that_rings_the_queue);
	tcase_add_test(tc, test_doorbell_follows_the_bar_and_goes_at_reset);
	tcase_add_test(tc, test_needs_reset_drops_the_doorbell);
	tcase_add_test(tc, test_refused_doorbells_leave_the_device_on_mmio);
	tcase_add_test(tc, test_doorbells_the_machine_dropped_are_left_alone);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
