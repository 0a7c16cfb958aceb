/* The WAV sink (hv/audio/wav.h): a valid 48 kHz stereo S16 header, the
 * frames as little-endian samples, sizes fixed up periodically (a killed
 * domain leaves a readable file) and on close, no following of links. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/audio/wav.h"
#include "unit.h"

static char dir[] = "/tmp/hv-wav-XXXXXX";
static char path[64];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out.wav", dir);
}

static void teardown(void)
{
	char link[80];

	snprintf(link, sizeof link, "%s/link.wav", dir);
	unlink(link);
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/hv-wav-XXXXXX");
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t read_file(uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

START_TEST(test_header_and_samples_after_close)
{
	struct wav_sink w;
	char err[128];
	int16_t frames[4] = {1, -2, 0x1234, -32768};
	uint8_t buf[128];
	struct stat st;

	ck_assert_int_eq(wav_open(&w, path, err, sizeof err), 0);
	ck_assert_int_eq(wav_write(&w, frames, 2), 0);
	wav_close(&w);
	ck_assert_uint_eq(read_file(buf, sizeof buf), 44 + 8);
	ck_assert_int_eq(memcmp(buf, "RIFF", 4), 0);
	ck_assert_uint_eq(le32(buf + 4), 36 + 8);
	ck_assert_int_eq(memcmp(buf + 8, "WAVEfmt ", 8), 0);
	ck_assert_uint_eq(buf[22], 2);		   /* channels */
	ck_assert_uint_eq(le32(buf + 24), 48000);  /* rate */
	ck_assert_uint_eq(le32(buf + 28), 192000); /* bytes per second */
	ck_assert_uint_eq(buf[34], 16);		   /* bits */
	ck_assert_uint_eq(le32(buf + 40), 8);	   /* data bytes */
	ck_assert_uint_eq(buf[44] | buf[45] << 8, 1);
	ck_assert_uint_eq(buf[46] | buf[47] << 8, 0xfffe);
	ck_assert_uint_eq(buf[48] | buf[49] << 8, 0x1234);
	ck_assert_uint_eq(buf[50] | buf[51] << 8, 0x8000);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640 & ~umask(022));
}
END_TEST

START_TEST(test_header_is_fixed_up_every_second_without_a_close)
{
	struct wav_sink w;
	char err[128];
	static int16_t frames[2 * 1000];
	static uint8_t buf[44];

	ck_assert_int_eq(wav_open(&w, path, err, sizeof err), 0);
	for (int i = 0; i < 49; i++)
		ck_assert_int_eq(wav_write(&w, frames, 1000), 0);
	read_file(buf, sizeof buf);
	ck_assert_uint_eq(le32(buf + 40), 48000 * 4); /* fixed at 48 writes */
	wav_close(&w);
	read_file(buf, sizeof buf);
	ck_assert_uint_eq(le32(buf + 40), 49000 * 4);
}
END_TEST

START_TEST(test_a_symbolic_link_is_refused)
{
	struct wav_sink w;
	char err[128], link[80];

	snprintf(link, sizeof link, "%s/link.wav", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(wav_open(&w, link, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "link.wav"));
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wav");
	TCase *t = tcase_create("sink");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_header_and_samples_after_close);
	tcase_add_test(t, test_header_is_fixed_up_every_second_without_a_close);
	tcase_add_test(t, test_a_symbolic_link_is_refused);
	suite_add_tcase(s, t);
	return unit_run(s);
}
