/* ring: wraparound, overwriting, several readers and lost-byte counts. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "console/ring.h"

#include "unit.h"

static struct ring r;

static void setup(void)
{
	ck_assert_int_eq(ring_init(&r, 8), 0);
}

static void teardown(void)
{
	ring_destroy(&r);
}

static void write_str(const char *s)
{
	ring_write(&r, s, strlen(s));
}

/* Reads up to len bytes into a NUL-terminated string. */
static size_t read_str(uint64_t *pos, char *out, size_t len, uint64_t *lost)
{
	size_t n = ring_read(&r, pos, out, len, lost);

	out[n] = '\0';
	return n;
}

START_TEST(test_init_roundsSizeUpToPowerOfTwo)
{
	struct ring q;

	ck_assert_int_eq(ring_init(&q, 1000), 0);
	ck_assert_uint_eq(q.size, 1024);
	ck_assert_uint_eq(q.head, 0);
	ring_destroy(&q);
	ck_assert_int_eq(ring_init(&q, 0), 0);
	ck_assert_uint_eq(q.size, 1);
	ring_destroy(&q);
}
END_TEST

START_TEST(test_read_returnsWrittenBytesInOrder)
{
	char out[16];
	uint64_t pos = 0, lost = 0;

	write_str("abc");
	ck_assert_uint_eq(read_str(&pos, out, 10, &lost), 3);
	ck_assert_str_eq(out, "abc");
	ck_assert_uint_eq(pos, 3);
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(read_str(&pos, out, 10, &lost), 0);
}
END_TEST

START_TEST(test_writeAcrossEnd_wrapsAround)
{
	char out[16];
	uint64_t pos = 5;

	write_str("01234");
	write_str("56789"); /* bytes 8 and 9 land at the start of the buffer */
	ck_assert_uint_eq(r.head, 10);
	ck_assert_uint_eq(ring_tail(&r), 2);
	ck_assert_uint_eq(read_str(&pos, out, 16, NULL), 5);
	ck_assert_str_eq(out, "56789");
}
END_TEST

START_TEST(test_readerBehindBySize_getsLossCount)
{
	char out[16];
	uint64_t pos = 0, lost = 0;

	write_str("abcdefghijklm"); /* 13 bytes into 8 */
	ck_assert_uint_eq(read_str(&pos, out, 16, &lost), 8);
	ck_assert_str_eq(out, "fghijklm");
	ck_assert_uint_eq(lost, 5);
	ck_assert_uint_eq(pos, 13);
}
END_TEST

START_TEST(test_lostCount_accumulatesAndMayBeNull)
{
	char out[16];
	uint64_t pos = 0, lost = 10;

	write_str("0123456789");
	ck_assert_uint_eq(read_str(&pos, out, 1, &lost), 1);
	ck_assert_str_eq(out, "2");
	ck_assert_uint_eq(lost, 12);
	pos = 0;
	ck_assert_uint_eq(read_str(&pos, out, 16, NULL), 8);
	ck_assert_str_eq(out, "23456789");
}
END_TEST

START_TEST(test_writeLargerThanRing_keepsOnlyTheLastBytes)
{
	char big[100], out[16];
	uint64_t pos = 0, lost = 0;

	for (unsigned i = 0; i < sizeof big; i++)
		big[i] = 'a' + i % 26;
	ring_write(&r, big, sizeof big);
	ck_assert_uint_eq(r.head, 100);
	ck_assert_uint_eq(read_str(&pos, out, 16, &lost), 8);
	ck_assert_uint_eq(lost, 92);
	ck_assert_int_eq(memcmp(out, big + 92, 8), 0);
}
END_TEST

START_TEST(test_severalReaders_advanceIndependently)
{
	char out[16];
	uint64_t slow = 0, fast = 0, late = 3, lost_slow = 0, lost_fast = 0;

	write_str("hello");
	ck_assert_uint_eq(read_str(&fast, out, 16, &lost_fast), 5);
	ck_assert_uint_eq(read_str(&slow, out, 2, &lost_slow), 2);
	ck_assert_str_eq(out, "he");
	write_str(" world");
	ck_assert_uint_eq(read_str(&fast, out, 16, &lost_fast), 6);
	ck_assert_str_eq(out, " world");
	ck_assert_uint_eq(lost_fast, 0);
	ck_assert_uint_eq(read_str(&late, out, 16, NULL), 8);
	ck_assert_str_eq(out, "lo world");
	ck_assert_uint_eq(read_str(&slow, out, 16, &lost_slow), 8);
	ck_assert_str_eq(out, "lo world");
	ck_assert_uint_eq(lost_slow, 1);
}
END_TEST

START_TEST(test_positionPastHead_isClampedToHead)
{
	char out[16];
	uint64_t pos = 1000, lost = 0;

	write_str("xyz");
	ck_assert_uint_eq(read_str(&pos, out, 16, &lost), 0);
	ck_assert_uint_eq(pos, 3);
	ck_assert_uint_eq(lost, 0);
	write_str("!");
	ck_assert_uint_eq(read_str(&pos, out, 16, &lost), 1);
	ck_assert_str_eq(out, "!");
}
END_TEST

START_TEST(test_manySmallWrites_matchAReference)
{
	static uint8_t ref[5000];
	uint8_t chunk[13], out[8];
	uint64_t pos = 0, lost = 0;
	size_t total = 0;

	srand(3);
	while (total + sizeof chunk <= sizeof ref) {
		size_t n = rand() % sizeof chunk;

		for (size_t i = 0; i < n; i++)
			chunk[i] = ref[total + i] = rand();
		ring_write(&r, chunk, n);
		total += n;
		if (rand() % 3 == 0) {
			uint64_t before = pos, lost_before = lost;
			size_t got = ring_read(&r, &pos, out, sizeof out, &lost);

			ck_assert_uint_eq(before + (lost - lost_before) + got, pos);
			ck_assert_int_eq(memcmp(out, ref + pos - got, got), 0);
		}
	}
	ck_assert_uint_eq(r.head, total);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_roundsSizeUpToPowerOfTwo);
	tcase_add_test(tc, test_read_returnsWrittenBytesInOrder);
	tcase_add_test(tc, test_writeAcrossEnd_wrapsAround);
	tcase_add_test(tc, test_readerBehindBySize_getsLossCount);
	tcase_add_test(tc, test_lostCount_accumulatesAndMayBeNull);
	tcase_add_test(tc, test_writeLargerThanRing_keepsOnlyTheLastBytes);
	tcase_add_test(tc, test_severalReaders_advanceIndependently);
	tcase_add_test(tc, test_positionPastHead_isClampedToHead);
	tcase_add_test(tc, test_manySmallWrites_matchAReference);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(ring_suite());
}
