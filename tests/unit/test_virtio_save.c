/* Save/restore of the virtio-pci transport and virtio-blk: a device the
 * fake driver brought up and used is saved, a fresh device on the same
 * guest RAM loads the state, and the driver goes on where it was (the
 * next request completes with the right bytes at the right used-ring
 * index). Truncated and corrupted states, and states whose rings lie
 * outside guest RAM, are refused and leave the device as it was. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_blk.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE   (4u << 20)
#define IMAGE_SIZE (1u << 20)
#define BAR	   0xFEB00000u
#define QSIZE	   16
#define Q_AT	   0x10000u
#define HDR_AT	   0x20000u
#define DATA_AT	   0x21000u
#define STATUS_AT  0x30000u
#define SLOT	   4
/* Where queue 0's fields sit in a saved transport (virtio_pci_save.c):
 * u8 queues, 256 bytes of configuration, u32 u32 u64 u8 u8 u8 u16 u64
 * u64, then size (u16), enabled, desc (u64). */
#define AT_STATUS 273
#define AT_Q0	  294
#define AT_Q0DESC (AT_Q0 + 3)

static struct machine m;
static struct disk *disk;
static struct virtio_blk *blk;
static struct virtio_driver drv;
static char path[64];
static int irq_level;

static void set_irq(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	irq_level = level;
}

/* Sector n of the image holds bytes n ^ i. */
static void make_image(void)
{
	uint8_t sector[512];
	int fd;

	strcpy(path, "/tmp/hv-test-vsave-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	for (unsigned n = 0; n < IMAGE_SIZE / 512; n++) {
		for (unsigned i = 0; i < 512; i++)
			sector[i] = (uint8_t)(n ^ i);
		ck_assert_int_eq(write(fd, sector, 512), 512);
	}
	close(fd);
}

static struct virtio_blk *new_blk(void)
{
	char err[256];
	struct virtio_blk *b = virtio_blk_create(
	    &m, disk, "save-serial", (struct irq_line){.set = set_irq}, "vda", err, sizeof err);

	ck_assert_msg(b != NULL, "%s", err);
	return b;
}

static void setup(void)
{
	char err[256];

	ck_assert_int_eq(machine_init(&m, RAM_SIZE, err, sizeof err), 0);
	make_image();
	disk = disk_open(path, false, err, sizeof err);
	ck_assert_msg(disk != NULL, "%s", err);
	blk = new_blk();
	irq_level = 0;
	machine_lock_host(&m);
	vdrv_attach(&drv, &m.mem, virtio_blk_pci(blk), SLOT, BAR, QSIZE);
	vdrv_negotiate(&drv, 1u << VIRTIO_F_EVENT_IDX, 1);
	vdrv_setup_queue(&drv, 0, Q_AT);
	vdrv_driver_ok(&drv);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_COMMON_STATUS, 1), 0x0F);
	machine_unlock_host(&m);
}

static void teardown(void)
{
	virtio_blk_destroy(blk);
	disk_close(disk);
	machine_destroy(&m);
	unlink(path);
}

/* A request of type at sector into the 512 bytes at DATA_AT + 0x1000 * k,
 * with its three descriptors at 3k.. and its status byte apart. */
static void offer(unsigned k, uint32_t type, uint64_t sector)
{
	uint8_t *hdr = m.mem.ram + HDR_AT + 16 * k;
	uint16_t d = (uint16_t)(3 * k);

	le_put32(hdr, type);
	le_put32(hdr + 4, 0);
	le_put64(hdr + 8, sector);
	m.mem.ram[STATUS_AT + k] = 0xEE;
	vdrv_put_desc(&drv, Q_AT, d, HDR_AT + 16 * k, 16, VIRTQ_DESC_F_NEXT, d + 1);
	vdrv_put_desc(&drv, Q_AT, d + 1, DATA_AT + 0x1000 * k, 512,
		      VIRTQ_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0),
		      d + 2);
	vdrv_put_desc(&drv, Q_AT, d + 2, STATUS_AT + k, 1, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, Q_AT, d);
}

static void kick(void)
{
	machine_lock_host(&m);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	machine_unlock_host(&m);
}

static void save(struct state_out *o)
{
	machine_lock_host(&m);
	virtio_blk_device_ops.save(blk, o);
	machine_unlock_host(&m);
	ck_assert(!o->failed);
}

static int load(const void *p, size_t len)
{
	struct state_in in = state_in_make(p, len);
	int rc;

	machine_lock_host(&m);
	rc = virtio_blk_device_ops.load(blk, &in, virtio_blk_device_ops.version);
	machine_unlock_host(&m);
	return rc == 0 && state_in_done(&in) ? 0 : -1;
}

/* The device goes away and a fresh one, unconfigured, takes its place on
 * the same RAM and a fresh bus (BAR 0 unassigned until the load). */
static void replace_device(void)
{
	virtio_blk_destroy(blk);
	blk = new_blk();
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, SLOT, 0, virtio_blk_pci(blk)), 0);
	ck_assert_uint_eq(virtio_blk_transport(blk)->bar_base, 0);
}

static bool sector_is(unsigned k, unsigned n)
{
	for (unsigned i = 0; i < 512; i++)
		if (m.mem.ram[DATA_AT + 0x1000 * k + i] != (uint8_t)(n ^ i))
			return false;
	return true;
}

START_TEST(blk_continues_after_restore)
{
	struct state_out o = {0};

	offer(0, VIRTIO_BLK_T_IN, 5);
	kick();
	virtio_blk_wait_idle(blk);
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 1);
	ck_assert(sector_is(0, 5));
	/* A write of 0xAB to sector 9, and a read of sector 7 that is still
	 * in flight (or not yet served) when the save starts. */
	memset(m.mem.ram + DATA_AT + 0x1000, 0xAB, 512);
	offer(1, VIRTIO_BLK_T_OUT, 9);
	offer(2, VIRTIO_BLK_T_IN, 7);
	kick();
	save(&o);
	/* Saving completed both: nothing is left half done. */
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 3);
	ck_assert_uint_eq(m.mem.ram[STATUS_AT + 2], VIRTIO_BLK_S_OK);
	ck_assert(sector_is(2, 7));

	replace_device();
	ck_assert_int_eq(load(o.p, o.len), 0);
	ck_assert_uint_eq(virtio_blk_transport(blk)->bar_base, BAR);
	machine_lock_host(&m);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_COMMON_STATUS, 1), 0x0F);
	machine_unlock_host(&m);

	/* The next request: sector 9 reads back as written before the save,
	 * its used element is the fourth. */
	memset(m.mem.ram + DATA_AT + 0x3000, 0, 512);
	offer(3, VIRTIO_BLK_T_IN, 9);
	kick();
	virtio_blk_wait_idle(blk);
	ck_assert_uint_eq(vdrv_used_idx(&drv, Q_AT), 4);
	ck_assert_uint_eq(vdrv_used_len(&drv, Q_AT, 3), 513);
	ck_assert_uint_eq(m.mem.ram[STATUS_AT + 3], VIRTIO_BLK_S_OK);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(m.mem.ram[DATA_AT + 0x3000 + i], 0xAB);
	/* With EVENT_IDX the device asked for the next kick at index 4. */
	ck_assert_uint_eq(le_get16(m.mem.ram + Q_AT + 0x2000 + 4 + 8 * QSIZE), 4);
	state_out_free(&o);
}
END_TEST

START_TEST(saved_state_reloads_to_the_same_bytes)
{
	struct state_out a = {0}, b = {0};

	offer(0, VIRTIO_BLK_T_IN, 3);
	kick();
	virtio_blk_wait_idle(blk);
	save(&a);
	replace_device();
	ck_assert_int_eq(load(a.p, a.len), 0);
	save(&b);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.p, b.p, a.len);
	state_out_free(&a);
	state_out_free(&b);
}
END_TEST

/* Every refused load leaves the device exactly as it was: a fresh device
 * stays unconfigured. */
static void assert_refused(const uint8_t *p, size_t len)
{
	struct state_out now = {0}, before = {0};

	save(&before);
	ck_assert_int_eq(load(p, len), -1);
	save(&now);
	ck_assert_uint_eq(now.len, before.len);
	ck_assert_mem_eq(now.p, before.p, now.len);
	state_out_free(&now);
	state_out_free(&before);
}

START_TEST(truncated_and_corrupted_states_are_refused)
{
	struct state_out o = {0};
	uint8_t *p;

	save(&o);
	p = malloc(o.len + 1);
	memcpy(p, o.p, o.len);
	replace_device();
	for (size_t len = 0; len < o.len; len += len < 300 ? 1 : 7)
		assert_refused(p, len);
	p[o.len] = 0;
	assert_refused(p, o.len + 1); /* a byte left over */
	p[0] = 3;		      /* a device with 3 queues */
	assert_refused(p, o.len);
	p[0] = o.p[0];
	p[1] ^= 0xFF; /* configuration space of another vendor */
	assert_refused(p, o.len);
	p[1] = o.p[1];
	p[AT_STATUS] = VIRTIO_STATUS_DRIVER_OK; /* without FEATURES_OK */
	assert_refused(p, o.len);
	p[AT_STATUS] = 0x20; /* a status bit nobody defines */
	assert_refused(p, o.len);
	p[AT_STATUS] = o.p[AT_STATUS];
	le_put16(p + AT_Q0, 512); /* over the device's queue_max */
	assert_refused(p, o.len);
	le_put16(p + AT_Q0, 12); /* not a power of two */
	assert_refused(p, o.len);
	le_put16(p + AT_Q0, QSIZE);
	p[AT_Q0 + 2] = 2; /* a bool that is not */
	assert_refused(p, o.len);
	p[AT_Q0 + 2] = 1;
	ck_assert_int_eq(load(p, o.len), 0); /* intact again: taken */
	free(p);
	state_out_free(&o);
}
END_TEST

START_TEST(rings_outside_ram_are_refused)
{
	/* Past RAM, straddling its end, on the device's own BAR, wrapping
	 * around, far out, misaligned for every part. */
	const uint64_t bad[] = {RAM_SIZE,   RAM_SIZE - 16, BAR, 0xFFFFFFFFFFFFFFF0ull,
				1ull << 40, Q_AT + 1};
	struct state_out o = {0};
	uint8_t *p;

	save(&o);
	p = malloc(o.len);
	replace_device();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (unsigned part = 0; part < 3; part++) {
			memcpy(p, o.p, o.len);
			le_put64(p + AT_Q0DESC + 8 * part, bad[i]);
			assert_refused(p, o.len);
		}
	}
	free(p);
	state_out_free(&o);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    blk_continues_after_restore, saved_state_reloads_to_the_same_bytes,
	    truncated_and_corrupted_states_are_refused, rings_outside_ram_are_refused};

	return unit_run(
	    unit_suite("virtio_save", "blk", setup, teardown, tests, UNIT_COUNT(tests), NULL, 0));
}
