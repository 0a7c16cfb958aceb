/* The strict JSON parser: values, escapes, integer limits, nesting, and the
 * exact message (file, line, column, what was expected) for each kind of
 * malformed input. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/json.h"

#include "unit.h"

static char err[256];

static struct json_value *parse(const char *text)
{
	err[0] = '\0';
	return json_parse(text, strlen(text), "t.json", err, sizeof err);
}

/* text must fail with exactly `want`. */
static void check_error(const char *text, const char *want)
{
	struct json_value *v = parse(text);

	ck_assert_msg(v == NULL, "accepted: %s", text);
	ck_assert_str_eq(err, want);
}

START_TEST(test_values_and_positions)
{
	struct json_value *v = parse("{\"a\": [1, -2, true, false, null],\n \"b\": \"x\"}");
	const struct json_value *a, *b;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->type, JSON_OBJECT);
	a = json_get(v, "a");
	b = json_get(v, "b");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->type, JSON_ARRAY);
	ck_assert_uint_eq(a->len, 5);
	ck_assert_int_eq(a->items[0].i, 1);
	ck_assert_int_eq(a->items[1].i, -2);
	ck_assert(a->items[2].type == JSON_BOOL && a->items[2].b);
	ck_assert(a->items[3].type == JSON_BOOL && !a->items[3].b);
	ck_assert_int_eq(a->items[4].type, JSON_NULL);
	ck_assert_str_eq(b->str, "x");
	ck_assert_uint_eq(b->line, 2);
	ck_assert_uint_eq(b->col, 7);
	ck_assert_ptr_null(json_get(v, "c"));
	ck_assert_ptr_null(json_get(a, "a"));
	json_free(v);
}
END_TEST

START_TEST(test_escapes)
{
	struct json_value *v =
	    parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac\\ud83d\\ude00\"");

	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->str, "q\" b\\ s/ \b\f\n\r\t A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(v);
	v = parse("[\"\", {\"\": \"\"}]");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->items[0].str, "");
	ck_assert_uint_eq(v->items[0].len, 0);
	ck_assert_str_eq(v->items[1].keys[0], "");
	ck_assert_str_eq(json_get(&v->items[1], "")->str, "");
	json_free(v);
	v = parse("\"a\\u0000b\"");
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->len, 3);
	ck_assert_int_eq(v->str[1], 0);
	json_free(v);
}
END_TEST

START_TEST(test_integer_limits)
{
	struct json_value *v = parse("[9223372036854775807, -9223372036854775808, 0, -0]");
	uint64_t u;

	ck_assert_ptr_nonnull(v);
	ck_assert(v->items[0].i == INT64_MAX);
	ck_assert(v->items[1].i == INT64_MIN);
	ck_assert_int_eq(v->items[2].i, 0);
	json_free(v);
	check_error("9223372036854775808",
		    "t.json:1:19: integer out of range: expected -9223372036854775808 to "
		    "9223372036854775807");
	check_error("[-9223372036854775809]",
		    "t.json:1:21: integer out of range: expected -9223372036854775808 to "
		    "9223372036854775807");
	check_error("123456789012345678901234567890",
		    "t.json:1:20: integer out of range: expected -9223372036854775808 to "
		    "9223372036854775807");
	/* Unsigned values: numbers or hex strings of up to 64 bits. */
	v = parse(
	    "[\"0xffffffffffffffff\", \"0x1F\", 7, \"0x\", \"12\", -1, \"0x10000000000000000\"]");
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(json_uint(&v->items[0], &u), 0);
	ck_assert(u == UINT64_MAX);
	ck_assert_int_eq(json_uint(&v->items[1], &u), 0);
	ck_assert_uint_eq(u, 31);
	ck_assert_int_eq(json_uint(&v->items[2], &u), 0);
	ck_assert_uint_eq(u, 7);
	for (int i = 3; i < 7; i++)
		ck_assert_int_eq(json_uint(&v->items[i], &u), -1);
	json_free(v);
}
END_TEST

START_TEST(test_deep_nesting)
{
	size_t n = JSON_MAX_DEPTH;
	char *text = malloc(2 * n + 1);
	struct json_value *v;

	/* JSON_MAX_DEPTH levels parse ... */
	memset(text, '[', n);
	memset(text + n, ']', n);
	text[2 * n] = '\0';
	v = parse(text);
	ck_assert_ptr_nonnull(v);
	json_free(v);
	free(text);
	/* ... one more is an error at the bracket too deep, not a crash. */
	n = 100000;
	text = malloc(n + 1);
	memset(text, '[', n);
	text[n] = '\0';
	check_error(text, "t.json:1:257: nesting deeper than 256");
	free(text);
}
END_TEST

START_TEST(test_malformed)
{
	check_error("", "t.json:1:1: expected a value, got the end of the input");
	check_error("{\"a\": 1,}", "t.json:1:9: trailing comma: expected a key");
	check_error("[1 2]", "t.json:1:4: expected ',' or ']' after an array element, got '2'");
	check_error("{\"a\" 1}", "t.json:1:6: expected ':' after an object key, got '1'");
	check_error("{a: 1}", "t.json:1:2: expected a string key, got 'a'");
	check_error("{\"a\": 1, \"a\": 2}", "t.json:1:10: duplicate key \"a\"");
	check_error("\n  [01]",
		    "t.json:2:4: leading zero in a number (write hex as a string \"0x...\")");
	check_error("1.5",
		    "t.json:1:2: expected an integer: fractions and exponents are not supported");
	check_error("1e3",
		    "t.json:1:2: expected an integer: fractions and exponents are not supported");
	check_error("-", "t.json:1:2: expected a digit, got the end of the input");
	check_error("tru", "t.json:1:1: expected a value (object, array, string, integer, true, "
			   "false, null), got 't'");
	check_error("\"abc", "t.json:1:5: unterminated string: expected '\"', got the end of the "
			     "input");
	check_error("\"a\nb\"", "t.json:1:3: control character byte 0x0a in a string: expected an "
				"escape");
	check_error("\"\\x\"",
		    "t.json:1:3: unknown escape: expected one of \\\" \\\\ \\/ \\b \\f \\n "
		    "\\r \\t \\u, got 'x'");
	check_error("\"\\u12g4\"", "t.json:1:6: expected 4 hex digits after \\u, got 'g'");
	check_error("\"\\ud800x\"", "t.json:1:8: expected \\u low surrogate after \\ud800");
	check_error("\"\\ud800\\u0041\"",
		    "t.json:1:14: expected a low surrogate after \\ud800, got "
		    "\\u0041");
	check_error("\"\\udc00\"", "t.json:1:8: unpaired low surrogate \\udc00");
	check_error("[1] x", "t.json:1:5: expected the end of the input after the value, got 'x'");
	check_error("// c\n1",
		    "t.json:1:1: expected a value (object, array, string, integer, true, "
		    "false, null), got '/'");
}
END_TEST

START_TEST(test_file_errors)
{
	ck_assert_ptr_null(json_parse_file("/nonexistent/x.json", err, sizeof err));
	ck_assert_str_eq(err, "/nonexistent/x.json: No such file or directory");
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_values_and_positions);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_integer_limits);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_file_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(json_suite());
}
