/* virtq: the split virtqueue driven by a synthetic driver that writes its
 * rings into a test machine's RAM, and hostile rings (loops, buffers
 * outside RAM or in MMIO, overflowing lengths, nested indirect tables, a
 * runaway index) that must break the queue and never reach outside RAM. */
#include <check.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/virtio/virtq.h"

#include "unit.h"
#include "virtq_desc.h"

#define RAM_SIZE    (1u << 20)
#define MMIO_BASE   0x100000u /* right after RAM */
#define ROM_BASE    0xF0000u  /* a ROM laid over the top of RAM */
#define QSIZE	    16
#define DESC_AT	    0x1000u
#define AVAIL_AT    0x2000u
#define USED_AT	    0x3000u
#define INDIRECT_AT 0x4000u
#define BUF_AT	    0x10000u

static struct guest_mem mem;
static struct virtq q;
static struct virtq_chain chain;
static uint16_t avail_idx;
static unsigned mmio_accesses;
static uint8_t rom[0x10000];

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	mmio_accesses++;
	return 0;
}

static void mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
	mmio_accesses++;
}

static const struct io_ops mmio_ops = {mmio_read, mmio_write};

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	ck_assert_int_eq(mem_map_mmio(&mem, MMIO_BASE, 0x1000, &mmio_ops, NULL, "test mmio"), 0);
	ck_assert_int_eq(mem_map_rom(&mem, ROM_BASE, sizeof rom, rom, "test rom"), 0);
	mmio_accesses = 0;
	avail_idx = 0;
	memset(&q, 0, sizeof q);
}

static void teardown(void)
{
	ck_assert_uint_eq(mmio_accesses, 0); /* the device never touches MMIO */
	mem_destroy(&mem);
}

static uint8_t *gpa(uint64_t a)
{
	return mem.ram + a;
}

static void put_desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
			uint16_t next)
{
	unit_put_desc(gpa(table + 16ull * i), addr, len, flags, next);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put_desc_at(DESC_AT, i, addr, len, flags, next);
}

/* The driver makes chain `head` available. */
static void offer(uint16_t head)
{
	le_put16(gpa(AVAIL_AT + 4 + 2 * (avail_idx % QSIZE)), head);
	avail_idx++;
	le_put16(gpa(AVAIL_AT + 2), avail_idx);
}

static void start(bool indirect, bool event_idx)
{
	ck_assert_int_eq(
	    virtq_setup(&q, &mem, QSIZE, DESC_AT, AVAIL_AT, USED_AT, indirect, event_idx, "t.0"),
	    0);
}

static uint16_t used_idx(void)
{
	return le_get16(gpa(USED_AT + 2));
}

static uint32_t used_id(unsigned n)
{
	return le_get32(gpa(USED_AT + 4 + 8 * n));
}

static uint32_t used_len(unsigned n)
{
	return le_get32(gpa(USED_AT + 4 + 8 * n + 4));
}

/* Offers head and expects the pop to break the queue. */
static void expect_broken(uint16_t head)
{
	offer(head);
	ck_assert_int_eq(virtq_pop(&q, &chain), -1);
	ck_assert(q.broken);
	ck_assert_int_eq(virtq_pop(&q, &chain), -1); /* and it stays so */
}

START_TEST(chain_splits_into_readable_then_writable_segments)
{
	start(false, false);
	put_desc(3, BUF_AT, 16, VIRTQ_DESC_F_NEXT, 7);
	put_desc(7, BUF_AT + 0x100, 512, VIRTQ_DESC_F_NEXT, 9);
	put_desc(9, BUF_AT + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(3);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.nread, 2);
	ck_assert_uint_eq(chain.nwrite, 1);
	ck_assert_uint_eq(chain.read_len, 528);
	ck_assert_uint_eq(chain.write_len, 1);
	ck_assert_ptr_eq(chain.seg[0].iov_base, gpa(BUF_AT));
	ck_assert_ptr_eq(chain.seg[1].iov_base, gpa(BUF_AT + 0x100));
	ck_assert_uint_eq(chain.seg[1].iov_len, 512);
	ck_assert_ptr_eq(chain.seg[2].iov_base, gpa(BUF_AT + 0x400));
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
}
END_TEST

START_TEST(push_fills_used_ring_and_clamps_length)
{
	start(false, false);
	put_desc(0, BUF_AT, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF_AT + 8, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_push(&q, &chain, 100), 0);
	ck_assert_uint_eq(used_idx(), 1);
	ck_assert_uint_eq(used_id(0), 0);
	ck_assert_uint_eq(used_len(0), 4); /* never more than the writable bytes */
}
END_TEST

START_TEST(chain_copies_span_segments)
{
	uint8_t out[6] = {1, 2, 3, 4, 5, 6}, in[6];

	start(false, false);
	put_desc(0, BUF_AT, 3, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF_AT + 0x20, 3, VIRTQ_DESC_F_NEXT, 2);
	put_desc(2, BUF_AT + 0x40, 2, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	put_desc(3, BUF_AT + 0x60, 2, VIRTQ_DESC_F_WRITE, 0);
	memcpy(gpa(BUF_AT), "abc", 3);
	memcpy(gpa(BUF_AT + 0x20), "def", 3);
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(virtq_chain_read(&chain, 1, in, sizeof in), 5);
	ck_assert_mem_eq(in, "bcdef", 5);
	ck_assert_uint_eq(virtq_chain_write(&chain, 1, out, sizeof out), 3);
	ck_assert_uint_eq(gpa(BUF_AT + 0x41)[0], 1);
	ck_assert_uint_eq(gpa(BUF_AT + 0x60)[0], 2);
	ck_assert_uint_eq(gpa(BUF_AT + 0x61)[0], 3);
}
END_TEST

START_TEST(indirect_table_is_walked)
{
	start(true, false);
	put_desc_at(INDIRECT_AT, 0, BUF_AT, 16, VIRTQ_DESC_F_NEXT, 2);
	put_desc_at(INDIRECT_AT, 2, BUF_AT + 0x100, 64, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc_at(INDIRECT_AT, 1, BUF_AT + 0x200, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(5, INDIRECT_AT, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(5);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(chain.head, 5);
	ck_assert_uint_eq(chain.nread, 1);
	ck_assert_uint_eq(chain.nwrite, 2);
	ck_assert_ptr_eq(chain.seg[2].iov_base, gpa(BUF_AT + 0x200));
}
END_TEST

START_TEST(indirect_without_negotiation_breaks_queue)
{
	start(false, false);
	put_desc_at(INDIRECT_AT, 0, BUF_AT, 16, 0, 0);
	put_desc(0, INDIRECT_AT, 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_broken(0);
}
END_TEST

START_TEST(nested_or_chained_indirect_breaks_queue)
{
	start(true, false);
	put_desc_at(INDIRECT_AT, 0, INDIRECT_AT, 16, VIRTQ_DESC_F_INDIRECT, 0);
	put_desc(0, INDIRECT_AT, 16, VIRTQ_DESC_F_INDIRECT, 0);
	expect_broken(0);

	start(true, false);
	put_desc_at(INDIRECT_AT, 0, BUF_AT, 16, 0, 0);
	put_desc(0, INDIRECT_AT, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	expect_broken(0);
}
END_TEST

START_TEST(indirect_table_of_bad_length_breaks_queue)
{
	static const uint32_t lens[] = {0, 15, 17, 4097 * 16, 0xFFFFFFF0u};

	for (unsigned k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		avail_idx = 0;
		start(true, false);
		put_desc(0, INDIRECT_AT, lens[k], VIRTQ_DESC_F_INDIRECT, 0);
		expect_broken(0);
	}
}
END_TEST

START_TEST(descriptor_loop_breaks_queue)
{
	start(false, false);
	put_desc(0, BUF_AT, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF_AT, 16, VIRTQ_DESC_F_NEXT, 0);
	expect_broken(0);
}
END_TEST

START_TEST(loop_inside_indirect_table_breaks_queue)
{
	start(true, false);
	put_desc_at(INDIRECT_AT, 0, BUF_AT, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc_at(INDIRECT_AT, 1, BUF_AT, 16, VIRTQ_DESC_F_NEXT, 0);
	put_desc(0, INDIRECT_AT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	expect_broken(0);
}
END_TEST

START_TEST(next_index_out_of_range_breaks_queue)
{
	start(false, false);
	put_desc(0, BUF_AT, 16, VIRTQ_DESC_F_NEXT, QSIZE);
	expect_broken(0);
}
END_TEST

START_TEST(head_out_of_range_breaks_queue)
{
	start(false, false);
	expect_broken(0xFFFF);
}
END_TEST

START_TEST(buffer_past_end_of_ram_breaks_queue)
{
	start(false, false);
	put_desc(0, RAM_SIZE - 8, 16, 0, 0);
	expect_broken(0);
}
END_TEST

START_TEST(overflowing_buffer_breaks_queue)
{
	start(false, false);
	put_desc(0, UINT64_MAX - 15, 0x20, VIRTQ_DESC_F_WRITE, 0);
	expect_broken(0);
}
END_TEST

START_TEST(buffer_in_mmio_breaks_queue)
{
	start(false, false);
	put_desc(0, MMIO_BASE, 4, VIRTQ_DESC_F_WRITE, 0);
	expect_broken(0);
}
END_TEST

START_TEST(buffer_in_rom_breaks_queue)
{
	start(false, false);
	put_desc(0, ROM_BASE - 8, 16, 0, 0); /* RAM running into the ROM */
	expect_broken(0);
}
END_TEST

/* A device write into the driver's rings would become new requests. */
START_TEST(writable_buffer_over_the_rings_breaks_queue)
{
	start(false, false);
	put_desc(0, AVAIL_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	expect_broken(0);
	start(false, false);
	avail_idx = 0;
	put_desc(0, DESC_AT + 16, 16, VIRTQ_DESC_F_WRITE, 0);
	expect_broken(0);
	start(false, false);
	avail_idx = 0;
	put_desc(0, AVAIL_AT, 8, 0, 0); /* reading them is harmless */
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
}
END_TEST

START_TEST(readable_after_writable_breaks_queue)
{
	start(false, false);
	put_desc(0, BUF_AT, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF_AT, 16, 0, 0);
	expect_broken(0);
}
END_TEST

START_TEST(too_many_segments_breaks_queue)
{
	start(true, false);
	for (unsigned i = 0; i < VIRTQ_SEGS_MAX + 1; i++)
		put_desc_at(INDIRECT_AT, i, BUF_AT, 1, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	put_desc_at(INDIRECT_AT, VIRTQ_SEGS_MAX, BUF_AT, 1, 0, 0);
	put_desc(0, INDIRECT_AT, 16 * (VIRTQ_SEGS_MAX + 1), VIRTQ_DESC_F_INDIRECT, 0);
	expect_broken(0);
}
END_TEST

START_TEST(runaway_avail_index_breaks_queue)
{
	start(false, false);
	le_put16(gpa(AVAIL_AT + 2), QSIZE + 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), -1);
	ck_assert(q.broken);
}
END_TEST

START_TEST(heads_offered_again_while_in_flight_break_queue)
{
	start(false, false);
	put_desc(0, BUF_AT, 16, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < QSIZE; i++) {
		offer(0);
		ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	}
	expect_broken(0); /* a 17th chain from 16 descriptors, none returned */
}
END_TEST

START_TEST(zero_length_buffers_are_skipped)
{
	start(false, false);
	put_desc(0, UINT64_MAX, 0, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(chain.nread + chain.nwrite, 1);
}
END_TEST

START_TEST(setup_refuses_bad_geometry)
{
	ck_assert_int_eq(virtq_setup(&q, &mem, 0, DESC_AT, AVAIL_AT, USED_AT, false, false, "t"),
			 -1);
	ck_assert_int_eq(virtq_setup(&q, &mem, 12, DESC_AT, AVAIL_AT, USED_AT, false, false, "t"),
			 -1);
	ck_assert_int_eq(
	    virtq_setup(&q, &mem, QSIZE, DESC_AT + 8, AVAIL_AT, USED_AT, false, false, "t"), -1);
	ck_assert_int_eq(
	    virtq_setup(&q, &mem, QSIZE, DESC_AT, AVAIL_AT, MMIO_BASE, false, false, "t"), -1);
	ck_assert_int_eq(
	    virtq_setup(&q, &mem, QSIZE, RAM_SIZE - 16, AVAIL_AT, USED_AT, false, false, "t"), -1);
	/* the used ring over the available ring or the descriptors */
	ck_assert_int_eq(
	    virtq_setup(&q, &mem, QSIZE, DESC_AT, AVAIL_AT, AVAIL_AT, false, false, "t"), -1);
	ck_assert_int_eq(virtq_setup(&q, &mem, QSIZE, DESC_AT, AVAIL_AT, DESC_AT + 16 * QSIZE - 4,
				     false, false, "t"),
			 -1);
	/* 256 KiB of used ring running into the ROM */
	ck_assert_int_eq(
	    virtq_setup(&q, &mem, 32768, DESC_AT, AVAIL_AT, 0xC0000, false, false, "t"), -1);
	ck_assert(q.broken);
	virtq_reset(&q);
	ck_assert(!q.broken);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0); /* no queue: nothing to do */
}
END_TEST

START_TEST(no_interrupt_flag_suppresses_notification)
{
	start(false, false);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	ck_assert(!virtq_should_notify(&q)); /* nothing used yet */
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	virtq_push(&q, &chain, 4);
	ck_assert(virtq_should_notify(&q));
	ck_assert(!virtq_should_notify(&q)); /* nothing new since */
	le_put16(gpa(AVAIL_AT), VIRTQ_AVAIL_F_NO_INTERRUPT);
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	virtq_push(&q, &chain, 4);
	ck_assert(!virtq_should_notify(&q));
}
END_TEST

START_TEST(event_idx_interrupts_when_used_event_is_passed)
{
	uint64_t used_event = AVAIL_AT + 4 + 2 * QSIZE;

	start(false, true);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	le_put16(gpa(used_event), 0); /* interrupt once entry 0 is used */
	for (int i = 0; i < 3; i++)
		offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	virtq_push(&q, &chain, 4);
	ck_assert(virtq_should_notify(&q));
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	virtq_push(&q, &chain, 4);
	ck_assert(!virtq_should_notify(&q)); /* used_event 0 already passed */
	le_put16(gpa(used_event), 2);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	virtq_push(&q, &chain, 4);
	ck_assert(virtq_should_notify(&q));
}
END_TEST

START_TEST(event_idx_asks_for_a_kick_when_empty)
{
	uint64_t avail_event = USED_AT + 4 + 8 * QSIZE;

	start(false, true);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	ck_assert_uint_eq(le_get16(gpa(avail_event)), 2);
	ck_assert(!virtq_has_avail(&q));
	offer(0);
	ck_assert(virtq_has_avail(&q));
}
END_TEST

/* Takes and returns n chains (descriptor 0, 4 writable bytes). */
static void serve(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(virtq_pop(&q, &chain), 1);
		ck_assert_int_eq(virtq_push(&q, &chain, 4), 0);
	}
}

START_TEST(a_held_burst_is_published_with_one_index_store)
{
	start(false, false);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	for (int i = 0; i < 3; i++)
		offer(0);
	virtq_hold(&q);
	serve(3);
	ck_assert_uint_eq(used_idx(), 0); /* the driver sees none yet */
	ck_assert_uint_eq(used_len(2), 4);
	ck_assert(!virtq_should_notify(&q));
	virtq_publish(&q);
	ck_assert_uint_eq(used_idx(), 3);
	ck_assert(virtq_should_notify(&q)); /* not lost by the check while held */
	ck_assert(!virtq_should_notify(&q));
	offer(0);
	serve(1); /* not held any more */
	ck_assert_uint_eq(used_idx(), 4);
}
END_TEST

/* The driver's used_event falls inside a burst: its first, middle or
 * last entry. One interrupt each time, none when it lies beyond. */
START_TEST(used_event_crossed_inside_a_burst_interrupts_once)
{
	uint64_t used_event = AVAIL_AT + 4 + 2 * QSIZE;
	const uint16_t events[] = {0, 6, 11, 100};
	const bool want[] = {true, true, true, false};

	start(false, true);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned k = 0; k < 4; k++) {
		le_put16(gpa(used_event), events[k]);
		for (int i = 0; i < 4; i++)
			offer(0);
		virtq_hold(&q);
		serve(4); /* entries 4k .. 4k+3 */
		virtq_publish(&q);
		ck_assert_int_eq(virtq_should_notify(&q), want[k]);
		ck_assert(!virtq_should_notify(&q));
	}
}
END_TEST

/* Linux's vring_need_event on the driver's side: kick when the avail
 * index passes the device's avail_event. */
static bool driver_kicks(uint16_t old)
{
	uint16_t event = le_get16(gpa(USED_AT + 4 + 8 * QSIZE));

	return (uint16_t)(avail_idx - event - 1) < (uint16_t)(avail_idx - old);
}

/* While the device drains, the driver's additions do not kick; a chain
 * added after the device's last look is still taken, and the pop that
 * finds the ring empty asks for the next kick. */
START_TEST(chains_added_while_draining_are_taken_without_a_kick)
{
	start(false, true);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	ck_assert(driver_kicks(0)); /* avail_event 0: the first kicks */
	offer(0);
	ck_assert(!driver_kicks(1));
	virtq_hold(&q);
	serve(1);
	offer(0); /* while draining */
	ck_assert(!driver_kicks(2));
	serve(2);
	offer(0); /* after the last look, before the empty pop */
	ck_assert(!driver_kicks(3));
	serve(1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	virtq_publish(&q);
	ck_assert_uint_eq(used_idx(), 4);
	offer(0); /* now the driver kicks again */
	ck_assert(driver_kicks(4));
	ck_assert(virtq_has_avail(&q));
}
END_TEST

/* Notifications off (a round of the device's is due): the driver's
 * additions do not kick, and neither does the empty pop ask for one. On
 * again: a chain added before the request could be seen is found by the
 * look that follows it (the driver will not kick for it); one added after
 * it kicks. */
START_TEST(event_idx_notifications_stay_off_until_turned_on)
{
	uint64_t avail_event = USED_AT + 4 + 8 * QSIZE;

	start(false, true);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	ck_assert(driver_kicks(0));
	virtq_notify_off(&q);
	serve(1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	ck_assert_uint_eq(le_get16(gpa(avail_event)), 0); /* not moved */
	offer(0);
	ck_assert(!driver_kicks(1));
	ck_assert(virtq_notify_on(&q)); /* the chain above: not lost */
	ck_assert_uint_eq(le_get16(gpa(avail_event)), 1);
	virtq_notify_off(&q);
	serve(1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	ck_assert(!virtq_notify_on(&q)); /* empty: notifications stay on */
	offer(0);
	ck_assert(driver_kicks(2));
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), 0); /* flags untouched with EVENT_IDX */
}
END_TEST

/* Without EVENT_IDX: the used ring's NO_NOTIFY flag while off, and the
 * same look after turning it back on. */
START_TEST(no_notify_flag_while_notifications_are_off)
{
	start(false, false);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), 0);
	virtq_notify_off(&q);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), VIRTQ_USED_F_NO_NOTIFY);
	offer(0);
	serve(1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	offer(0); /* the driver saw NO_NOTIFY: no kick */
	ck_assert(virtq_notify_on(&q));
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), 0);
	serve(1);
	ck_assert(!virtq_notify_on(&q));
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), 0);
}
END_TEST

/* Without EVENT_IDX, as with it: a chain taken asks the driver not to
 * notify for the buffers it adds while the device still has some (receive
 * buffers waiting for frames, chains being drained); the pop that finds
 * the ring empty asks again, and looks once more. A flag left set in
 * guest RAM (a restored queue) is cleared by that pop too. */
START_TEST(no_notify_flag_while_the_device_has_buffers)
{
	start(false, false);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	offer(0);
	serve(1);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), VIRTQ_USED_F_NO_NOTIFY);
	offer(0); /* a refill while one is left: no kick */
	serve(2);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), VIRTQ_USED_F_NO_NOTIFY);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), 0); /* run out: kick at the next */
	offer(0);
	serve(1);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), VIRTQ_USED_F_NO_NOTIFY);
	start(false, false); /* as restored: the ring keeps the guest's flag */
	le_put16(gpa(USED_AT), VIRTQ_USED_F_NO_NOTIFY);
	avail_idx = 0;
	le_put16(gpa(AVAIL_AT + 2), 0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	ck_assert_uint_eq(le_get16(gpa(USED_AT)), 0);
}
END_TEST

/* A reset (or a new setup) forgets the suppression; a broken queue has
 * nothing to look at. */
START_TEST(reset_forgets_notifications_off)
{
	start(false, true);
	put_desc(0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	virtq_notify_off(&q);
	ck_assert(q.quiet);
	start(false, true);
	ck_assert(!q.quiet);
	offer(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	ck_assert_uint_eq(le_get16(gpa(USED_AT + 4 + 8 * QSIZE)), 1); /* asks again */
	q.broken = true;
	offer(0);
	ck_assert(!virtq_notify_on(&q));
}
END_TEST

static bool inside_ram(const struct iovec *v)
{
	uintptr_t lo = (uintptr_t)mem.ram, p = (uintptr_t)v->iov_base;

	return p >= lo && v->iov_len <= RAM_SIZE && p - lo <= RAM_SIZE - v->iov_len;
}

/* An address a hostile driver might use: in its rings, in RAM, at the
 * edges, in MMIO or ROM, or anywhere. */
static uint64_t hostile_addr(void)
{
	switch (unit_rand() % 6) {
	case 0: return DESC_AT + 16 * (unit_rand() % QSIZE);
	case 1: return unit_rand() % RAM_SIZE;
	case 2: return RAM_SIZE - unit_rand() % 64;
	case 3: return MMIO_BASE + unit_rand() % 0x1000;
	case 4: return ROM_BASE + unit_rand() % 0x10000;
	default: return (uint64_t)unit_rand() << 40 | unit_rand();
	}
}

static uint32_t hostile_len(void)
{
	switch (unit_rand() % 4) {
	case 0: return unit_rand() % 64;
	case 1: return 16 * (unit_rand() % 8);
	case 2: return 0xFFFFFFFFu - unit_rand() % 32;
	default: return unit_rand();
	}
}

static void scribble_rings(void)
{
	for (unsigned i = 0; i < QSIZE; i++)
		put_desc(i, hostile_addr(), hostile_len(), (uint16_t)(unit_rand() & 7),
			 (uint16_t)(unit_rand() % (QSIZE + 2)));
	for (unsigned i = 0; i < 8; i++)
		put_desc_at(INDIRECT_AT, i, hostile_addr(), hostile_len(),
			    (uint16_t)(unit_rand() & 7), (uint16_t)(unit_rand() % 10));
	for (unsigned i = 0; i < QSIZE; i++)
		le_put16(gpa(AVAIL_AT + 4 + 2 * i), (uint16_t)(unit_rand() % (QSIZE + 1)));
	le_put16(gpa(AVAIL_AT), (uint16_t)unit_rand());
	le_put16(gpa(AVAIL_AT + 2), (uint16_t)(unit_rand() % (QSIZE + 4)));
}

START_TEST(hostile_rings_never_reach_outside_ram)
{
	unsigned chains = 0, breaks = 0;

	unit_seed(0x5eed0000u + (unsigned)_i);
	for (int round = 0; round < 400; round++) {
		virtq_setup(&q, &mem, QSIZE, DESC_AT, AVAIL_AT, USED_AT, unit_rand() & 1,
			    unit_rand() & 1, "fuzz");
		scribble_rings();
		for (int k = 0; k < QSIZE + 4; k++) {
			int r = virtq_pop(&q, &chain);

			if (r <= 0) {
				breaks += r < 0;
				break;
			}
			chains++;
			for (unsigned s = 0; s < chain.nread + chain.nwrite; s++)
				ck_assert(inside_ram(&chain.seg[s]));
			virtq_push(&q, &chain, unit_rand());
			virtq_should_notify(&q);
		}
		ck_assert_uint_le(used_idx(), QSIZE + 4);
	}
	ck_assert_uint_gt(breaks, 0);
	ck_assert_uint_gt(chains, 0);
}
END_TEST

static Suite *virtq_suite(void)
{
	const TTest *tests[] = {
	    chain_splits_into_readable_then_writable_segments,
	    push_fills_used_ring_and_clamps_length,
	    chain_copies_span_segments,
	    indirect_table_is_walked,
	    indirect_without_negotiation_breaks_queue,
	    nested_or_chained_indirect_breaks_queue,
	    indirect_table_of_bad_length_breaks_queue,
	    descriptor_loop_breaks_queue,
	    loop_inside_indirect_table_breaks_queue,
	    next_index_out_of_range_breaks_queue,
	    head_out_of_range_breaks_queue,
	    buffer_past_end_of_ram_breaks_queue,
	    overflowing_buffer_breaks_queue,
	    buffer_in_mmio_breaks_queue,
	    buffer_in_rom_breaks_queue,
	    writable_buffer_over_the_rings_breaks_queue,
	    readable_after_writable_breaks_queue,
	    too_many_segments_breaks_queue,
	    runaway_avail_index_breaks_queue,
	    heads_offered_again_while_in_flight_break_queue,
	    zero_length_buffers_are_skipped,
	    setup_refuses_bad_geometry,
	    no_interrupt_flag_suppresses_notification,
	    event_idx_interrupts_when_used_event_is_passed,
	    event_idx_asks_for_a_kick_when_empty,
	    a_held_burst_is_published_with_one_index_store,
	    used_event_crossed_inside_a_burst_interrupts_once,
	    chains_added_while_draining_are_taken_without_a_kick,
	    event_idx_notifications_stay_off_until_turned_on,
	    no_notify_flag_while_notifications_are_off,
	    no_notify_flag_while_the_device_has_buffers,
	    reset_forgets_notifications_off,
	};

	return unit_suite("virtq", "split", setup, teardown, tests, UNIT_COUNT(tests),
			  hostile_rings_never_reach_outside_ram, 8);
}

int main(void)
{
	return unit_run(virtq_suite());
}
