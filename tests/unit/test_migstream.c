/* The migration stream (hv/core/migstream.h): a stream as a sender
 * writes it loads into RAM (pages, zero runs, a later copy winning) and
 * hands over its state; every bad header and record, and a stream cut
 * anywhere, is refused with a message, never a write outside RAM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/core/migstream.h"
#include "unit.h"

#define PAGES 8

static uint8_t ram[PAGES * MIGSTREAM_PAGE + 64]; /* 64 guard bytes */
static uint8_t stream[64 << 10];
static size_t len;
static char err[256];

static void put(const void *p, size_t n)
{
	ck_assert_uint_le(len + n, sizeof stream);
	memcpy(stream + len, p, n);
	len += n;
}

static void record(enum migstream_type t, uint32_t count, uint64_t value)
{
	uint8_t r[MIGSTREAM_RECORD];

	migstream_put_record(r, t, count, value);
	put(r, sizeof r);
}

static void start(uint64_t ram_size)
{
	uint8_t h[MIGSTREAM_HEADER];

	len = 0;
	migstream_put_header(h, ram_size);
	put(h, sizeof h);
	record(MIGSTREAM_CONFIG, 0, 4);
	put("x=1\n", 4);
}

static void page(uint8_t fill)
{
	uint8_t p[MIGSTREAM_PAGE];

	memset(p, fill, sizeof p);
	put(p, sizeof p);
}

/* Reads stream[0..n) as a receiver does: 0 or -1 (err set). */
static int receive(size_t n, int *state)
{
	struct migstream_in in;
	char *config = NULL;
	size_t clen;
	int fd = memfd_create("s", 0), sfd = memfd_create("st", 0), rc;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(sfd, 0);
	ck_assert_int_eq(write(fd, stream, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	memset(ram, 0xee, sizeof ram);
	rc = migstream_read_start(&in, fd, 0, &config, &clen, err, sizeof err);
	if (rc == 0) {
		ck_assert_uint_eq(clen, 4);
		ck_assert_int_eq(memcmp(config, "x=1\n", 4), 0);
		free(config);
		rc = migstream_read_body(&in, ram, PAGES * MIGSTREAM_PAGE, sfd, err, sizeof err);
	}
	for (size_t i = PAGES * MIGSTREAM_PAGE; i < sizeof ram; i++)
		ck_assert_uint_eq(ram[i], 0xee); /* nothing past RAM */
	close(fd);
	if (state)
		*state = sfd;
	else
		close(sfd);
	return rc;
}

static void good_stream(void)
{
	start(PAGES * MIGSTREAM_PAGE);
	record(MIGSTREAM_PAGES, 2, 1);
	page(0x11);
	page(0x22);
	record(MIGSTREAM_ZEROS, 3, 4);
	record(MIGSTREAM_PAGES, 1, 2); /* page 2 again: the later copy wins */
	page(0x33);
	record(MIGSTREAM_STATE, 0, 5);
	put("state", 5);
}

START_TEST(test_a_stream_loads_ram_and_hands_over_the_state)
{
	char got[8] = "";
	int sfd;

	good_stream();
	ck_assert_int_eq(receive(len, &sfd), 0);
	ck_assert_uint_eq(ram[0], 0xee); /* not in the stream: left alone */
	ck_assert_uint_eq(ram[MIGSTREAM_PAGE], 0x11);
	ck_assert_uint_eq(ram[2 * MIGSTREAM_PAGE + 4095], 0x33);
	for (int p = 4; p < 7; p++)
		ck_assert_uint_eq(ram[p * MIGSTREAM_PAGE + 7], 0);
	ck_assert_uint_eq(ram[7 * MIGSTREAM_PAGE], 0xee);
	ck_assert_int_eq(pread(sfd, got, 5, 0), 5);
	ck_assert_str_eq(got, "state");
	close(sfd);
}
END_TEST

START_TEST(test_a_stream_cut_anywhere_is_refused)
{
	good_stream();
	/* Every byte of the header, config and first record; then every
	 * 61st byte and the last ones. */
	for (size_t n = 0; n < len; n = n < 100 || n + 70 > len ? n + 1 : n + 61) {
		ck_assert_int_eq(receive(n, NULL), -1);
		ck_assert_msg(strstr(err, "ended early") || strstr(err, "no valid config"),
			      "cut at %zu: %s", n, err);
	}
}
END_TEST

/* One bad record after a good start: refused with msg. */
static void bad(enum migstream_type t, uint32_t count, uint64_t value, const char *msg)
{
	start(PAGES * MIGSTREAM_PAGE);
	record(t, count, value);
	for (int i = 0; i < 3; i++)
		page(0x44);
	ck_assert_int_eq(receive(len, NULL), -1);
	ck_assert_msg(strstr(err, msg), "%d %u %llu: %s", t, count, (unsigned long long)value, err);
}

START_TEST(test_bad_records_are_refused)
{
	bad(MIGSTREAM_PAGES, 1, PAGES, "bad record");
	bad(MIGSTREAM_PAGES, 2, PAGES - 1, "bad record");
	bad(MIGSTREAM_PAGES, 1, UINT64_MAX, "bad record");
	bad(MIGSTREAM_PAGES, 0, 0, "bad record");
	bad(MIGSTREAM_PAGES, MIGSTREAM_RUN_MAX + 1, 0, "bad record");
	bad(MIGSTREAM_ZEROS, PAGES + 1, 0, "bad record");
	bad(MIGSTREAM_ZEROS, UINT32_MAX, 1, "bad record");
	bad(MIGSTREAM_STATE, 0, MIGSTREAM_STATE_MAX + 1, "bad record");
	bad(MIGSTREAM_STATE, 0, 0, "bad record");
	bad(MIGSTREAM_STATE, 1, 10, "bad record");
	bad(MIGSTREAM_CONFIG, 0, 4, "bad record");
	bad(99, 1, 0, "bad record");
	/* A state longer than what comes: the stream ends early. */
	bad(MIGSTREAM_STATE, 0, 1 << 20, "ended early");
}
END_TEST

START_TEST(test_bad_headers_are_refused)
{
	start(PAGES * MIGSTREAM_PAGE);
	stream[0] = 'X';
	ck_assert_int_eq(receive(len, NULL), -1);
	ck_assert_str_eq(err, "not an hv migration stream");
	start(PAGES * MIGSTREAM_PAGE);
	stream[8] = 7;
	ck_assert_int_eq(receive(len, NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "version 7"));
	start(PAGES * MIGSTREAM_PAGE + 1);
	ck_assert_int_eq(receive(len, NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "RAM of"));
	start(2 * PAGES * MIGSTREAM_PAGE);
	record(MIGSTREAM_STATE, 0, 1);
	put("s", 1);
	ck_assert_int_eq(receive(len, NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "this one"));
	start(PAGES * MIGSTREAM_PAGE);
	stream[MIGSTREAM_HEADER + 8] = 0; /* an empty config */
	ck_assert_int_eq(receive(len, NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "no valid config"));
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_a_stream_loads_ram_and_hands_over_the_state,
	    test_a_stream_cut_anywhere_is_refused,
	    test_bad_records_are_refused,
	    test_bad_headers_are_refused,
	};

	return unit_run(
	    unit_suite("migstream", "stream", NULL, NULL, tests, UNIT_COUNT(tests), NULL, 0));
}
