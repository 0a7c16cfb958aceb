/* The strict JSON parser: recursive descent over the text, one value at a
 * time, with the position kept so every error can say where it is. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/json.h"
#include "hv/core/hexdigit.h"

struct parser {
	const char *p, *end;
	const char *name;
	unsigned line, col;
	char *err;
	size_t errlen;
	bool failed;
};

/* Records the first error at the current position. */
__attribute__((format(printf, 2, 3))) static void fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->name, ps->line, ps->col);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* What is at the current position, for "got ..." in messages. */
static const char *got(const struct parser *ps, char buf[16])
{
	unsigned char c;

	if (ps->p >= ps->end)
		return "the end of the input";
	c = (unsigned char)*ps->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", c);
	return buf;
}

static void advance(struct parser *ps)
{
	if (*ps->p == '\n') {
		ps->line++;
		ps->col = 1;
	} else {
		ps->col++;
	}
	ps->p++;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		advance(ps);
}

static bool peek(const struct parser *ps, char c)
{
	return ps->p < ps->end && *ps->p == c;
}

static void parse_value(struct parser *ps, struct json_value *v, unsigned depth);

/* Appends one byte to a growing buffer. */
static bool put(struct parser *ps, char **buf, size_t *len, size_t *cap, char c)
{
	if (*len + 1 >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char *n = realloc(*buf, ncap);

		if (!n) {
			fail(ps, "out of memory");
			return false;
		}
		*buf = n;
		*cap = ncap;
	}
	(*buf)[(*len)++] = c;
	(*buf)[*len] = '\0';
	return true;
}

/* Four hex digits of a \u escape. */
static long hex4(struct parser *ps)
{
	long v = 0;
	char g[16];

	for (int i = 0; i < 4; i++) {
		char c = ps->p < ps->end ? *ps->p : 0;
		int d = hex_digit((unsigned char)c);
		if (d < 0) {
			fail(ps, "expected 4 hex digits after \\u, got %s", got(ps, g));
			return -1;
		}
		v = v * 16 + d;
		advance(ps);
	}
	return v;
}

/* A \u escape (with its low surrogate if it starts a pair) as UTF-8. */
static bool unicode_escape(struct parser *ps, char **buf, size_t *len, size_t *cap)
{
	long cp = hex4(ps), lo;
	char out[4];
	int n;

	if (cp < 0)
		return false;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		fail(ps, "unpaired low surrogate \\u%04lx", cp);
		return false;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
			fail(ps, "expected \\u low surrogate after \\u%04lx", cp);
			return false;
		}
		advance(ps);
		advance(ps);
		lo = hex4(ps);
		if (lo < 0)
			return false;
		if (lo < 0xdc00 || lo > 0xdfff) {
			fail(ps, "expected a low surrogate after \\u%04lx, got \\u%04lx", cp, lo);
			return false;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (int i = 0; i < n; i++)
		if (!put(ps, buf, len, cap, out[i]))
			return false;
	return true;
}

/* A string at the opening quote; *out is malloc'd (NULL on error). */
static char *parse_string(struct parser *ps, size_t *outlen)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	char *buf = NULL, g[16];
	size_t len = 0, cap = 0;

	advance(ps);
	/* Allocate up front: an empty string is "", never NULL. */
	if (!put(ps, &buf, &len, &cap, 'x'))
		return NULL;
	len = 0;
	buf[0] = '\0';
	for (;;) {
		if (ps->p >= ps->end) {
			fail(ps, "unterminated string: expected '\"', got the end of the input");
			break;
		}
		char c = *ps->p;
		if (c == '"') {
			advance(ps);
			*outlen = len;
			return buf;
		}
		if ((unsigned char)c < 0x20) {
			fail(ps, "control character %s in a string: expected an escape",
			     got(ps, g));
			break;
		}
		advance(ps);
		if (c != '\\') {
			if (!put(ps, &buf, &len, &cap, c))
				break;
			continue;
		}
		const char *e = ps->p < ps->end && *ps->p ? strchr(esc_in, *ps->p) : NULL;
		if (ps->p < ps->end && *ps->p == 'u') {
			advance(ps);
			if (!unicode_escape(ps, &buf, &len, &cap))
				break;
		} else if (e) {
			advance(ps);
			if (!put(ps, &buf, &len, &cap, esc_out[e - esc_in]))
				break;
		} else {
			fail(ps,
			     "unknown escape: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
			     "\\u, "
			     "got %s",
			     got(ps, g));
			break;
		}
	}
	free(buf);
	return NULL;
}

/* An integer: '-'? (0 | [1-9][0-9]*), within int64_t. */
static void parse_int(struct parser *ps, struct json_value *v)
{
	char g[16];
	bool neg = peek(ps, '-');
	uint64_t mag = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

	if (neg)
		advance(ps);
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
		fail(ps, "expected a digit, got %s", got(ps, g));
		return;
	}
	if (*ps->p == '0' && ps->end - ps->p > 1 && ps->p[1] >= '0' && ps->p[1] <= '9') {
		fail(ps, "leading zero in a number (write hex as a string \"0x...\")");
		return;
	}
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		unsigned d = (unsigned)(*ps->p - '0');
		if (mag > (lim - d) / 10) {
			fail(ps, "integer out of range: expected %s to %s", "-9223372036854775808",
			     "9223372036854775807");
			return;
		}
		mag = mag * 10 + d;
		advance(ps);
	}
	if (peek(ps, '.') || peek(ps, 'e') || peek(ps, 'E')) {
		fail(ps, "expected an integer: fractions and exponents are not supported");
		return;
	}
	v->type = JSON_INT;
	v->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
}

/* true, false, null. */
static void parse_word(struct parser *ps, struct json_value *v)
{
	static const char *const words[] = {"true", "false", "null"};
	char g[16];

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i], n) == 0) {
			for (size_t k = 0; k < n; k++)
				advance(ps);
			v->type = i == 2 ? JSON_NULL : JSON_BOOL;
			v->b = i == 0;
			return;
		}
	}
	fail(ps, "expected a value (object, array, string, integer, true, false, null), got %s",
	     got(ps, g));
}

/* Array elements or object members, after the opening bracket. */
static void parse_container(struct parser *ps, struct json_value *v, unsigned depth)
{
	bool obj = v->type == JSON_OBJECT;
	char close = obj ? '}' : ']', g[16];
	size_t cap = 0;

	advance(ps);
	skip_space(ps);
	if (peek(ps, close)) {
		advance(ps);
		return;
	}
	for (;;) {
		if (v->len == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct json_value *items = realloc(v->items, ncap * sizeof *items);
			char **keys = obj ? realloc(v->keys, ncap * sizeof *keys) : NULL;
			if (items)
				v->items = items;
			if (keys)
				v->keys = keys;
			if (!items || (obj && !keys)) {
				fail(ps, "out of memory");
				return;
			}
			cap = ncap;
		}
		struct json_value *item = &v->items[v->len];
		memset(item, 0, sizeof *item);
		if (obj) {
			size_t klen;
			unsigned kl = ps->line, kc = ps->col;
			if (!peek(ps, '"')) {
				fail(ps, "expected a string key, got %s", got(ps, g));
				return;
			}
			v->keys[v->len] = parse_string(ps, &klen);
			if (!v->keys[v->len])
				return;
			v->len++;
			for (size_t k = 0; k + 1 < v->len; k++) {
				if (strcmp(v->keys[k], v->keys[v->len - 1]) == 0) {
					ps->line = kl;
					ps->col = kc;
					fail(ps, "duplicate key \"%s\"", v->keys[k]);
					return;
				}
			}
			skip_space(ps);
			if (!peek(ps, ':')) {
				fail(ps, "expected ':' after an object key, got %s", got(ps, g));
				return;
			}
			advance(ps);
			skip_space(ps);
		} else {
			v->len++;
		}
		parse_value(ps, item, depth + 1);
		if (ps->failed)
			return;
		skip_space(ps);
		if (peek(ps, close)) {
			advance(ps);
			return;
		}
		if (!peek(ps, ',')) {
			fail(ps, "expected ',' or '%c' after %s, got %s", close,
			     obj ? "an object member" : "an array element", got(ps, g));
			return;
		}
		advance(ps);
		skip_space(ps);
		if (peek(ps, close)) {
			fail(ps, "trailing comma: expected %s", obj ? "a key" : "a value");
			return;
		}
	}
}

static void parse_value(struct parser *ps, struct json_value *v, unsigned depth)
{
	v->line = ps->line;
	v->col = ps->col;
	if (ps->p >= ps->end) {
		fail(ps, "expected a value, got the end of the input");
		return;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		if (depth >= JSON_MAX_DEPTH) {
			fail(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
			return;
		}
		v->type = *ps->p == '{' ? JSON_OBJECT : JSON_ARRAY;
		parse_container(ps, v, depth);
		return;
	case '"':
		v->type = JSON_STRING;
		v->str = parse_string(ps, &v->len);
		return;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			parse_int(ps, v);
		else
			parse_word(ps, v);
		return;
	}
}

struct json_value *json_parse(const char *text, size_t len, const char *name, char *err,
			      size_t errlen)
{
	struct parser ps = {text, text + len, name, 1, 1, err, errlen, false};
	struct json_value *root = calloc(1, sizeof *root);
	char g[16];

	if (!root) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	skip_space(&ps);
	parse_value(&ps, root, 0);
	skip_space(&ps);
	if (!ps.failed && ps.p < ps.end)
		fail(&ps, "expected the end of the input after the value, got %s", got(&ps, g));
	if (ps.failed) {
		json_free(root);
		return NULL;
	}
	return root;
}
