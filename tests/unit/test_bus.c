/* bus: registration rules, dispatch with offsets, unmapped accesses and
 * accesses split across ranges. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/bus.h"
#include "hv/core/log.h"

#include "unit.h"

/* A device with a little register file that records its last access. */
struct fake {
	uint8_t regs[64];
	unsigned reads, writes;
	uint64_t last_offset;
	unsigned last_size;
	uint64_t last_value;
};

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake *f = opaque;
	uint64_t v = 0;

	f->reads++;
	f->last_offset = offset;
	f->last_size = size;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)f->regs[(offset + i) % sizeof f->regs] << (8 * i);
	return v;
}

static void fake_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fake *f = opaque;

	f->writes++;
	f->last_offset = offset;
	f->last_size = size;
	f->last_value = value;
	for (unsigned i = 0; i < size; i++)
		f->regs[(offset + i) % sizeof f->regs] = value >> (8 * i);
}

/* Returns garbage above the access size, which the bus must mask. */
static uint64_t noisy_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque, (void)offset, (void)size;
	return 0x1122334455667788ull;
}

static const struct io_ops fake_ops = {fake_read, fake_write};
static const struct io_ops noisy_ops = {noisy_read, NULL};

static struct bus bus;
static struct fake a, b;

static void setup(void)
{
	bus_init(&bus, "test");
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	for (unsigned i = 0; i < sizeof a.regs; i++) {
		a.regs[i] = 0xa0 + i;
		b.regs[i] = 0xb0 + i;
	}
}

static void teardown(void)
{
	bus_destroy(&bus);
}

START_TEST(test_register_dispatchesWithOffsetFromBase)
{
	ck_assert_int_eq(bus_register(&bus, 0x3f8, 8, &fake_ops, &a, "a"), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x3fa, 1), 0xa2);
	ck_assert_uint_eq(a.last_offset, 2);
	bus_write(&bus, 0x3fc, 2, 0x1234);
	ck_assert_uint_eq(a.last_offset, 4);
	ck_assert_uint_eq(a.last_size, 2);
	ck_assert_uint_eq(a.last_value, 0x1234);
	ck_assert_uint_eq(bus.unmapped_reads + bus.unmapped_writes, 0);
}
END_TEST

START_TEST(test_unmappedRead_isAllOnesForEachSize)
{
	ck_assert_uint_eq(bus_read(&bus, 0x80, 1), 0xff);
	ck_assert_uint_eq(bus_read(&bus, 0x80, 2), 0xffff);
	ck_assert_uint_eq(bus_read(&bus, 0x80, 4), 0xffffffffu);
	ck_assert_uint_eq(bus_read(&bus, 0x80, 8), UINT64_MAX);
	ck_assert_uint_eq(bus.unmapped_reads, 4);
}
END_TEST

START_TEST(test_unmappedWrite_isDroppedAndCounted)
{
	ck_assert_int_eq(bus_register(&bus, 0x10, 4, &fake_ops, &a, "a"), 0);
	bus_write(&bus, 0x20, 4, 0xdeadbeef);
	ck_assert_uint_eq(a.writes, 0);
	ck_assert_uint_eq(bus.unmapped_writes, 1);
	ck_assert_uint_eq(bus.unmapped_reads, 0);
}
END_TEST

START_TEST(test_register_rejectsOverlapWithEexist)
{
	ck_assert_int_eq(bus_register(&bus, 0x100, 0x10, &fake_ops, &a, "a"), 0);
	errno = 0;
	ck_assert_int_eq(bus_register(&bus, 0x100, 1, &fake_ops, &b, "same base"), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0x10f, 4, &fake_ops, &b, "tail"), -1);
	ck_assert_int_eq(bus_register(&bus, 0xf0, 0x11, &fake_ops, &b, "head"), -1);
	ck_assert_int_eq(bus_register(&bus, 0x0, 0x1000, &fake_ops, &b, "around"), -1);
	ck_assert_int_eq(bus_register(&bus, 0x104, 2, &fake_ops, &b, "inside"), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(bus.count, 1);
}
END_TEST

START_TEST(test_register_acceptsAdjacentRanges)
{
	ck_assert_int_eq(bus_register(&bus, 0x100, 0x10, &fake_ops, &a, "a"), 0);
	ck_assert_int_eq(bus_register(&bus, 0xf0, 0x10, &fake_ops, &b, "below"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x110, 0x10, &fake_ops, &b, "above"), 0);
	ck_assert_uint_eq(bus.count, 3);
}
END_TEST

START_TEST(test_register_rejectsZeroLengthAndWraparound)
{
	errno = 0;
	ck_assert_int_eq(bus_register(&bus, 0x100, 0, &fake_ops, &a, "empty"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(bus_register(&bus, UINT64_MAX - 1, 3, &fake_ops, &a, "wrap"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(bus_register(&bus, UINT64_MAX - 1, 2, &fake_ops, &a, "top"), 0);
	ck_assert_uint_eq(bus_read(&bus, UINT64_MAX, 1), 0xa1);
}
END_TEST

START_TEST(test_unregister_removesRangeAndReportsEnoent)
{
	ck_assert_int_eq(bus_register(&bus, 0x60, 1, &fake_ops, &a, "a"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x64, 1, &fake_ops, &b, "b"), 0);
	ck_assert_int_eq(bus_unregister(&bus, 0x60), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x60, 1), 0xff);
	ck_assert_uint_eq(bus_read(&bus, 0x64, 1), 0xb0);
	errno = 0;
	ck_assert_int_eq(bus_unregister(&bus, 0x61), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(bus_unregister(&bus, 0x60), -1);
}
END_TEST

START_TEST(test_find_returnsContainingRangeOrNull)
{
	const struct bus_range *r;

	ck_assert_int_eq(bus_register(&bus, 0x1f0, 8, &fake_ops, &a, "ide"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x3f6, 1, &fake_ops, &b, "ide-ctl"), 0);
	r = bus_find(&bus, 0x1f7);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "ide");
	ck_assert_ptr_null(bus_find(&bus, 0x1f8));
	ck_assert_ptr_null(bus_find(&bus, 0x1ef));
	ck_assert_ptr_eq(bus_find(&bus, 0x3f6)->opaque, &b);
}
END_TEST

START_TEST(test_readAcrossTwoRanges_isSplitIntoBytes)
{
	ck_assert_int_eq(bus_register(&bus, 0x100, 2, &fake_ops, &a, "a"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x102, 2, &fake_ops, &b, "b"), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x101, 2), 0xb0a1);
	ck_assert_uint_eq(a.last_size, 1);
	ck_assert_uint_eq(b.last_size, 1);
	ck_assert_uint_eq(bus_read(&bus, 0x100, 4), 0xb1b0a1a0);
	ck_assert_uint_eq(bus.unmapped_reads, 0);
}
END_TEST

START_TEST(test_readPastEndOfRange_givesOnesForUnmappedBytes)
{
	ck_assert_int_eq(bus_register(&bus, 0x100, 2, &fake_ops, &a, "a"), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x101, 4), 0xffffffa1);
	ck_assert_uint_eq(bus_read(&bus, 0xff, 2), 0xa0ff);
	ck_assert_uint_eq(bus.unmapped_reads, 2);
}
END_TEST

START_TEST(test_writeAcrossRanges_givesEachDeviceItsBytes)
{
	ck_assert_int_eq(bus_register(&bus, 0x100, 2, &fake_ops, &a, "a"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x102, 2, &fake_ops, &b, "b"), 0);
	bus_write(&bus, 0x101, 4, 0x44332211);
	ck_assert_uint_eq(a.regs[1], 0x11);
	ck_assert_uint_eq(b.regs[0], 0x22);
	ck_assert_uint_eq(b.regs[1], 0x33);
	ck_assert_uint_eq(a.writes, 1);
	ck_assert_uint_eq(b.writes, 2);
	ck_assert_uint_eq(bus.unmapped_writes, 1);
}
END_TEST

START_TEST(test_dispatch_masksValuesToAccessSize)
{
	ck_assert_int_eq(bus_register(&bus, 0x10, 8, &noisy_ops, NULL, "noisy"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x20, 8, &fake_ops, &a, "a"), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x10, 1), 0x88);
	ck_assert_uint_eq(bus_read(&bus, 0x10, 2), 0x7788);
	bus_write(&bus, 0x10, 1, 0x55); /* no write op: dropped quietly */
	bus_write(&bus, 0x20, 1, 0x1ff);
	ck_assert_uint_eq(a.last_value, 0xff);
}
END_TEST

START_TEST(test_badSize_readsOnesAndWritesNothing)
{
	ck_assert_int_eq(bus_register(&bus, 0x20, 16, &fake_ops, &a, "a"), 0);
	ck_assert_uint_eq(bus_read(&bus, 0x20, 0), UINT64_MAX);
	bus_write(&bus, 0x20, 9, 0);
	ck_assert_uint_eq(a.reads + a.writes, 0);
	/* An odd size inside one range reaches the device as bytes. */
	ck_assert_uint_eq(bus_read(&bus, 0x20, 3), 0xa2a1a0);
	ck_assert_uint_eq(a.last_size, 1);
}
END_TEST

START_TEST(test_manyRanges_inAnyOrder_areAllFound)
{
	static struct fake devs[200];
	unsigned order[200];

	for (unsigned i = 0; i < 200; i++)
		order[i] = i;
	srand(7);
	for (unsigned i = 199; i > 0; i--) {
		unsigned j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < 200; i++) {
		unsigned k = order[i];

		devs[k].regs[0] = k;
		ck_assert_int_eq(bus_register(&bus, 0x1000 + k * 4, 4, &fake_ops, &devs[k], "d"),
				 0);
	}
	for (unsigned k = 0; k < 200; k++)
		ck_assert_uint_eq(bus_read(&bus, 0x1000 + k * 4, 1), k & 0xff);
	for (unsigned i = 1; i < bus.count; i++)
		ck_assert_uint_lt(bus.ranges[i - 1].base, bus.ranges[i].base);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_register_dispatchesWithOffsetFromBase);
	tcase_add_test(tc, test_unmappedRead_isAllOnesForEachSize);
	tcase_add_test(tc, test_unmappedWrite_isDroppedAndCounted);
	tcase_add_test(tc, test_register_rejectsOverlapWithEexist);
	tcase_add_test(tc, test_register_acceptsAdjacentRanges);
	tcase_add_test(tc, test_register_rejectsZeroLengthAndWraparound);
	tcase_add_test(tc, test_unregister_removesRangeAndReportsEnoent);
	tcase_add_test(tc, test_find_returnsContainingRangeOrNull);
	tcase_add_test(tc, test_readAcrossTwoRanges_isSplitIntoBytes);
	tcase_add_test(tc, test_readPastEndOfRange_givesOnesForUnmappedBytes);
	tcase_add_test(tc, test_writeAcrossRanges_givesEachDeviceItsBytes);
	tcase_add_test(tc, test_dispatch_masksValuesToAccessSize);
	tcase_add_test(tc, test_badSize_readsOnesAndWritesNothing);
	tcase_add_test(tc, test_manyRanges_inAnyOrder_areAllFound);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(bus_suite());
}
