/* keys: names, combinations and text into host key events. */
#include <check.h>
#include <linux/input-event-codes.h>
#include <string.h>

#include "hv/core/keyname.h"

#include "unit.h"

static struct input_key ev[64];
static size_t n;
static char err[512];

static void expect_event(size_t i, unsigned code, bool down)
{
	ck_assert_uint_lt(i, n);
	ck_assert_msg(ev[i].code == code && ev[i].down == down, "event %zu: %u/%d, want %u/%d", i,
		      ev[i].code, ev[i].down, code, down);
}

START_TEST(test_names_and_aliases_map_to_evdev_codes)
{
	ck_assert_int_eq(keys_code("a"), KEY_A);
	ck_assert_int_eq(keys_code("Z"), KEY_Z);
	ck_assert_int_eq(keys_code("7"), KEY_7);
	ck_assert_int_eq(keys_code("ret"), KEY_ENTER);
	ck_assert_int_eq(keys_code("Return"), KEY_ENTER);
	ck_assert_int_eq(keys_code("f2"), KEY_F2);
	ck_assert_int_eq(keys_code("F12"), KEY_F12);
	ck_assert_int_eq(keys_code("spc"), KEY_SPACE);
	ck_assert_int_eq(keys_code("bksp"), KEY_BACKSPACE);
	ck_assert_int_eq(keys_code("pgdn"), KEY_PAGEDOWN);
	ck_assert_int_eq(keys_code("del"), KEY_DELETE);
	ck_assert_int_eq(keys_code("super"), KEY_LEFTMETA);
	ck_assert_int_eq(keys_code("meta"), KEY_LEFTMETA);
	ck_assert_int_eq(keys_code("capslock"), KEY_CAPSLOCK);
	ck_assert_int_eq(keys_code("nosuchkey"), -1);
	ck_assert_int_eq(keys_code(""), -1);
	ck_assert_str_eq(keys_name(KEY_ENTER), "ret");
	ck_assert_str_eq(keys_name(KEY_Q), "q");
	ck_assert_ptr_null(keys_name(0x2FF));
}
END_TEST

START_TEST(test_combination_presses_in_order_and_releases_in_reverse)
{
	n = 0;
	ck_assert_int_eq(keys_parse("ctrl-alt-delete", ev, 64, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 6);
	expect_event(0, KEY_LEFTCTRL, true);
	expect_event(1, KEY_LEFTALT, true);
	expect_event(2, KEY_DELETE, true);
	expect_event(3, KEY_DELETE, false);
	expect_event(4, KEY_LEFTALT, false);
	expect_event(5, KEY_LEFTCTRL, false);
	ck_assert_int_eq(keys_parse("shift+a", ev, 64, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 10);
	expect_event(6, KEY_LEFTSHIFT, true);
	expect_event(9, KEY_LEFTSHIFT, false);
}
END_TEST

START_TEST(test_unknown_key_names_the_near_ones)
{
	n = 0;
	ck_assert_int_eq(keys_parse("ctrl-retrun", ev, 64, &n, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "unknown key 'retrun'"), "%s", err);
	ck_assert_msg(strstr(err, "return"), "%s", err);
	ck_assert_int_eq(keys_parse("pgu", ev, 64, &n, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "pgup"), "%s", err);
	ck_assert_int_eq(keys_parse("xyzzyq", ev, 64, &n, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "names:"), "%s", err);
	ck_assert_int_eq(keys_parse("ctrl--x", ev, 64, &n, err, sizeof err), -1);
	ck_assert_int_eq(keys_parse("", ev, 64, &n, err, sizeof err), -1);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_text_uses_shift_for_capitals_and_symbols)
{
	n = 0;
	ck_assert_int_eq(keys_text("Hi!\n", ev, 64, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 4 + 2 + 4 + 2);
	expect_event(0, KEY_LEFTSHIFT, true);
	expect_event(1, KEY_H, true);
	expect_event(2, KEY_H, false);
	expect_event(3, KEY_LEFTSHIFT, false);
	expect_event(4, KEY_I, true);
	expect_event(7, KEY_1, true);
	expect_event(8, KEY_1, false);
	expect_event(10, KEY_ENTER, true);
	n = 0;
	ck_assert_int_eq(keys_text("a_b|c ~", ev, 64, &n, err, sizeof err), 0);
	expect_event(3, KEY_MINUS, true);
	expect_event(9, KEY_BACKSLASH, true);
	expect_event(14, KEY_SPACE, true);
	expect_event(17, KEY_GRAVE, true);
}
END_TEST

START_TEST(test_text_rejects_what_a_us_keyboard_lacks)
{
	n = 0;
	ck_assert_int_eq(keys_text("caf\xc3\xa9", ev, 64, &n, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "0xc3"), "%s", err);
}
END_TEST

START_TEST(test_too_many_events_is_an_error)
{
	n = 0;
	ck_assert_int_eq(keys_text("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", ev, 64,
				   &n, err, sizeof err),
			 -1);
	ck_assert_msg(strstr(err, "too many"), "%s", err);
	ck_assert_uint_eq(n, 64);
}
END_TEST

static Suite *keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_names_and_aliases_map_to_evdev_codes);
	tcase_add_test(t, test_combination_presses_in_order_and_releases_in_reverse);
	tcase_add_test(t, test_unknown_key_names_the_near_ones);
	tcase_add_test(t, test_text_uses_shift_for_capitals_and_symbols);
	tcase_add_test(t, test_text_rejects_what_a_us_keyboard_lacks);
	tcase_add_test(t, test_too_many_events_is_an_error);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(keys_suite());
}
