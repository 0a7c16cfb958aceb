/* virtio_blk: requests from a synthetic driver against a temporary raw
 * image, served on the device's worker thread: read/write round trip,
 * flush, discard and write-zeroes punching holes (st_blocks), GET_ID,
 * read-only images refusing writes, malformed requests, and a reset in
 * the middle of requests. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/le.h"
#include "hv/virtio/virtio_blk.h"

#include "unit.h"
#include "virtq_desc.h"

#define RAM_SIZE    (4u << 20)
#define IMAGE_SIZE  (1u << 20)
#define BAR	    0xFEB00000u
#define QSIZE	    64
#define DESC_AT	    0x1000u
#define AVAIL_AT    0x2000u
#define USED_AT	    0x3000u
#define INDIRECT_AT 0x4000u
#define HDR_AT	    0x8000u
#define STATUS_AT   0x9000u
#define DATA_AT	    0x100000u
#define SLOT	    4

static struct machine m;
static struct pci_bus bus;
static struct disk *disk;
static struct virtio_blk *blk;
static char path[64];
static int irq_level;
static uint16_t avail_idx;

static void set_irq(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	irq_level = level;
}

static void make_image(void)
{
	int fd;

	strcpy(path, "/tmp/hv-test-vblk-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, IMAGE_SIZE), 0);
	close(fd);
}

static void open_device(bool readonly)
{
	char err[256];

	disk = disk_open(path, readonly, err, sizeof err);
	ck_assert_msg(disk != NULL, "%s", err);
	blk = virtio_blk_create(&m, disk, "serial-0123456789abcdef",
				(struct irq_line){.set = set_irq}, "vda", err, sizeof err);
	ck_assert_msg(blk != NULL, "%s", err);
	pci_bus_init(&bus);
	ck_assert_int_eq(pci_bus_add(&bus, SLOT, 0, virtio_blk_pci(blk)), 0);
}

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(machine_init(&m, RAM_SIZE, err, sizeof err), 0);
	make_image();
	irq_level = 0;
	avail_idx = 0;
	open_device(false);
}

static void teardown(void)
{
	virtio_blk_destroy(blk);
	disk_close(disk);
	machine_destroy(&m);
	unlink(path);
}

static uint64_t rd(unsigned off, unsigned size)
{
	return machine_mmio_read(&m, BAR + off, size);
}

static void wr(unsigned off, unsigned size, uint64_t v)
{
	machine_mmio_write(&m, BAR + off, size, v);
}

static void cfg_write(unsigned off, unsigned size, uint32_t v)
{
	machine_lock_host(&m);
	pci_config_write(&bus, SLOT, 0, off, size, v);
	machine_unlock_host(&m);
}

static uint8_t *gpa(uint64_t a)
{
	return m.mem.ram + a;
}

static uint64_t features(void)
{
	wr(VIRTIO_COMMON_DFSELECT, 4, 0);
	uint64_t f = rd(VIRTIO_COMMON_DF, 4);
	wr(VIRTIO_COMMON_DFSELECT, 4, 1);
	return f | rd(VIRTIO_COMMON_DF, 4) << 32;
}

/* The driver's side of the handshake, taking every feature offered. */
static void bring_up(void)
{
	uint64_t f;

	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	wr(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	f = features();
	wr(VIRTIO_COMMON_GFSELECT, 4, 0);
	wr(VIRTIO_COMMON_GF, 4, (uint32_t)f);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, (uint32_t)(f >> 32));
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	wr(VIRTIO_COMMON_Q_SIZE, 2, QSIZE);
	wr(VIRTIO_COMMON_Q_DESC, 4, DESC_AT);
	wr(VIRTIO_COMMON_Q_DRIVER, 4, AVAIL_AT);
	wr(VIRTIO_COMMON_Q_DEVICE, 4, USED_AT);
	wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
	memset(gpa(USED_AT), 0, 4 + 8 * QSIZE + 2);
	le_put16(gpa(AVAIL_AT + 2), 0);
	avail_idx = 0;
	wr(VIRTIO_COMMON_STATUS, 1, 0x0F);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_STATUS, 1), 0x0F);
}

static void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	unit_put_desc(gpa(table + 16ull * i), addr, len, flags, next);
}

static void put_header(uint32_t type, uint64_t sector)
{
	le_put32(gpa(HDR_AT), type);
	le_put32(gpa(HDR_AT + 4), 0);
	le_put64(gpa(HDR_AT + 8), sector);
}

/* Offers the chain at head, kicks, and waits for the worker. */
static void offer_and_wait(uint16_t head)
{
	le_put16(gpa(AVAIL_AT + 4 + 2 * (avail_idx % QSIZE)), head);
	avail_idx++;
	le_put16(gpa(AVAIL_AT + 2), avail_idx);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	virtio_blk_wait_idle(blk);
}

static uint16_t used_idx(void)
{
	return le_get16(gpa(USED_AT + 2));
}

static uint32_t last_used_len(void)
{
	return le_get32(gpa(USED_AT + 4 + 8 * ((used_idx() - 1) % QSIZE) + 4));
}

/* A request of header, data of len bytes at DATA_AT (device-writable when
 * data_in), and a status byte. Returns the status the device wrote. */
static uint8_t request(uint32_t type, uint64_t sector, uint32_t len, bool data_in)
{
	uint16_t before = used_idx();

	put_header(type, sector);
	*gpa(STATUS_AT) = 0xEE;
	put_desc(DESC_AT, 0, HDR_AT, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC_AT, 1, DATA_AT, len, VIRTQ_DESC_F_NEXT | (data_in ? VIRTQ_DESC_F_WRITE : 0),
		 2);
	put_desc(DESC_AT, 2, STATUS_AT, 1, VIRTQ_DESC_F_WRITE, 0);
	offer_and_wait(0);
	ck_assert_uint_eq(used_idx(), (uint16_t)(before + 1));
	return *gpa(STATUS_AT);
}

static void image_read(uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static long image_blocks(void)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (long)st.st_blocks;
}

START_TEST(config_describes_the_image)
{
	uint64_t f;

	bring_up();
	f = features();
	ck_assert(f & 1ull << VIRTIO_BLK_F_SEG_MAX);
	ck_assert(f & 1ull << VIRTIO_BLK_F_SIZE_MAX);
	ck_assert(f & 1ull << VIRTIO_BLK_F_FLUSH);
	ck_assert(f & 1ull << VIRTIO_BLK_F_DISCARD);
	ck_assert(f & 1ull << VIRTIO_BLK_F_WRITE_ZEROES);
	ck_assert(!(f & 1ull << VIRTIO_BLK_F_RO));
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG, 8), IMAGE_SIZE / 512);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + 0x0C, 4), VIRTIO_BLK_SEG_MAX);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + 0x08, 4), VIRTIO_BLK_SIZE_MAX);
}
END_TEST

START_TEST(write_then_read_round_trip)
{
	uint8_t back[4096];

	bring_up();
	for (unsigned i = 0; i < 4096; i++)
		gpa(DATA_AT)[i] = (uint8_t)(i * 7 + 1);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 8, 4096, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(last_used_len(), 1);
	image_read(8 * 512, back, sizeof back);
	ck_assert_mem_eq(back, gpa(DATA_AT), 4096);
	memcpy(back, gpa(DATA_AT), sizeof back);
	memset(gpa(DATA_AT), 0, 4096);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 8, 4096, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(last_used_len(), 4097);
	ck_assert_mem_eq(gpa(DATA_AT), back, 4096);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(indirect_request_spanning_segments)
{
	uint8_t back[1024];

	bring_up();
	memset(gpa(DATA_AT), 0x5A, 512);
	memset(gpa(DATA_AT + 0x10000), 0xA5, 512);
	put_header(VIRTIO_BLK_T_OUT, 100);
	put_desc(INDIRECT_AT, 0, HDR_AT, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(INDIRECT_AT, 1, DATA_AT, 512, VIRTQ_DESC_F_NEXT, 2);
	put_desc(INDIRECT_AT, 2, DATA_AT + 0x10000, 512, VIRTQ_DESC_F_NEXT, 3);
	put_desc(INDIRECT_AT, 3, STATUS_AT, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(DESC_AT, 5, INDIRECT_AT, 4 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	*gpa(STATUS_AT) = 0xEE;
	offer_and_wait(5);
	ck_assert_uint_eq(*gpa(STATUS_AT), VIRTIO_BLK_S_OK);
	image_read(100 * 512, back, sizeof back);
	ck_assert_uint_eq(back[0], 0x5A);
	ck_assert_uint_eq(back[511], 0x5A);
	ck_assert_uint_eq(back[512], 0xA5);
	ck_assert_uint_eq(back[1023], 0xA5);
}
END_TEST

START_TEST(flush_succeeds_and_is_counted)
{
	char desc[512];

	bring_up();
	put_header(VIRTIO_BLK_T_FLUSH, 0);
	put_desc(DESC_AT, 0, HDR_AT, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC_AT, 1, STATUS_AT, 1, VIRTQ_DESC_F_WRITE, 0);
	*gpa(STATUS_AT) = 0xEE;
	offer_and_wait(0);
	ck_assert_uint_eq(*gpa(STATUS_AT), VIRTIO_BLK_S_OK);
	virtio_blk_device_ops.describe(blk, desc, sizeof desc);
	ck_assert_ptr_nonnull(strstr(desc, "flushes=1"));
	/* the request's host time, queued / in the disk / completing */
	ck_assert_ptr_nonnull(strstr(desc, " queued_ms="));
	ck_assert_ptr_nonnull(strstr(desc, " disk_ms="));
	ck_assert_ptr_nonnull(strstr(desc, " completing_ms="));
}
END_TEST

static void put_range(uint64_t sector, uint32_t count)
{
	le_put64(gpa(DATA_AT), sector);
	le_put32(gpa(DATA_AT + 8), count);
	le_put32(gpa(DATA_AT + 12), 0);
}

/* Fills the first 512 KiB of the image with data and syncs it. */
static void fill_image(void)
{
	static uint8_t junk[512 << 10];
	int fd = open(path, O_WRONLY);

	memset(junk, 0x77, sizeof junk);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
}

START_TEST(discard_punches_a_hole)
{
	long before;
	uint8_t back[512];

	fill_image();
	before = image_blocks();
	bring_up();
	put_range(0, 1024); /* 512 KiB */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_OK);
	ck_assert_int_lt(image_blocks(), before - 512);
	image_read(4096, back, sizeof back);
	for (unsigned i = 0; i < sizeof back; i++)
		ck_assert_uint_eq(back[i], 0);
}
END_TEST

START_TEST(write_zeroes_reads_back_zeros)
{
	uint8_t back[512];

	fill_image();
	bring_up();
	put_range(16, 8);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_OK);
	image_read(16 * 512, back, sizeof back);
	for (unsigned i = 0; i < sizeof back; i++)
		ck_assert_uint_eq(back[i], 0);
	image_read(15 * 512, back, sizeof back);
	ck_assert_uint_eq(back[0], 0x77);
}
END_TEST

START_TEST(ranges_past_the_end_are_refused)
{
	bring_up();
	put_range(IMAGE_SIZE / 512 - 4, 8);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_IOERR);
	put_range(UINT64_MAX / 256, 8);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_DISCARD, 0, 12, false), VIRTIO_BLK_S_IOERR);
}
END_TEST

START_TEST(get_id_returns_serial)
{
	bring_up();
	memset(gpa(DATA_AT), 0, 32);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_GET_ID, 0, 20, true), VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(gpa(DATA_AT), "serial-0123456789abc", 20);
	ck_assert_uint_eq(last_used_len(), 21);
}
END_TEST

START_TEST(read_only_image_refuses_writes)
{
	uint8_t zero[4096] = {0}, back[4096];
	uint64_t f;

	virtio_blk_destroy(blk);
	disk_close(disk);
	open_device(true);
	bring_up();
	f = features();
	ck_assert(f & 1ull << VIRTIO_BLK_F_RO);
	ck_assert(!(f & 1ull << VIRTIO_BLK_F_DISCARD));
	memset(gpa(DATA_AT), 0x33, 4096);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, 0, 4096, false), VIRTIO_BLK_S_IOERR);
	put_range(0, 8);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 4096, true), VIRTIO_BLK_S_OK);
	image_read(0, back, sizeof back);
	ck_assert_mem_eq(back, zero, sizeof back);
}
END_TEST

START_TEST(malformed_requests_fail_cleanly)
{
	bring_up();
	/* past the end, straddling it, overflowing, not whole sectors */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, IMAGE_SIZE / 512, 512, true),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_OUT, IMAGE_SIZE / 512 - 1, 1024, false),
			  VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, UINT64_MAX / 4, 512, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 100, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(request(99, 0, 512, true), VIRTIO_BLK_S_UNSUPP);

	/* a header of 8 bytes */
	put_desc(DESC_AT, 0, HDR_AT, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(DESC_AT, 1, STATUS_AT, 1, VIRTQ_DESC_F_WRITE, 0);
	*gpa(STATUS_AT) = 0xEE;
	offer_and_wait(0);
	ck_assert_uint_eq(*gpa(STATUS_AT), VIRTIO_BLK_S_IOERR);

	/* no status byte: returned with nothing written */
	put_header(VIRTIO_BLK_T_IN, 0);
	put_desc(DESC_AT, 0, HDR_AT, 16, 0, 0);
	offer_and_wait(0);
	ck_assert_uint_eq(last_used_len(), 0);

	/* and the device still works */
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_STATUS, 1), 0x0F);
}
END_TEST

START_TEST(reset_in_the_middle_of_requests)
{
	uint16_t done;

	bring_up();
	put_header(VIRTIO_BLK_T_OUT, 0);
	for (unsigned i = 0; i < 16; i++) {
		put_desc(DESC_AT, 3 * i, HDR_AT, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(3 * i + 1));
		put_desc(DESC_AT, 3 * i + 1, DATA_AT, 64 << 10, VIRTQ_DESC_F_NEXT,
			 (uint16_t)(3 * i + 2));
		put_desc(DESC_AT, 3 * i + 2, STATUS_AT, 1, VIRTQ_DESC_F_WRITE, 0);
		le_put16(gpa(AVAIL_AT + 4 + 2 * i), (uint16_t)(3 * i));
	}
	le_put16(gpa(AVAIL_AT + 2), 16);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	wr(VIRTIO_COMMON_STATUS, 1, 0); /* while the worker writes */
	done = used_idx();
	virtio_blk_wait_idle(blk);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_STATUS, 1), 0);
	ck_assert_uint_eq(used_idx(), done); /* what was dropped never completes */
	bring_up();
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(machine_reset_through_the_registry)
{
	bring_up();
	machine_lock_host(&m);
	virtio_blk_device_ops.reset(blk);
	machine_unlock_host(&m);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_STATUS, 1), 0xFF); /* BAR unmapped */
	bring_up();
	ck_assert_uint_eq(request(VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
}
END_TEST

static Suite *virtio_blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("requests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_describes_the_image);
	tcase_add_test(tc, write_then_read_round_trip);
	tcase_add_test(tc, indirect_request_spanning_segments);
	tcase_add_test(tc, flush_succeeds_and_is_counted);
	tcase_add_test(tc, discard_punches_a_hole);
	tcase_add_test(tc, write_zeroes_reads_back_zeros);
	tcase_add_test(tc, ranges_past_the_end_are_refused);
	tcase_add_test(tc, get_id_returns_serial);
	tcase_add_test(tc, read_only_image_refuses_writes);
	tcase_add_test(tc, malformed_requests_fail_cleanly);
	tcase_add_test(tc, reset_in_the_middle_of_requests);
	tcase_add_test(tc, machine_reset_through_the_registry);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_blk_suite());
}
