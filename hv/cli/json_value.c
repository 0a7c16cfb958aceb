/* Around the JSON parser: reading a file, freeing and querying the parsed
 * values. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/json.h"
#include "hv/core/hexdigit.h"

struct json_value *json_parse_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	struct json_value *v = NULL;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);
			if (!t) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f))
		snprintf(err, errlen, "%s: read error", path);
	else
		v = json_parse(text, len, path, err, errlen);
out:
	free(text);
	fclose(f);
	return v;
}

/* Frees the members of v (not v itself). */
static void free_members(struct json_value *v)
{
	for (size_t i = 0; i < v->len && v->items; i++)
		free_members(&v->items[i]);
	for (size_t i = 0; i < v->len && v->keys; i++)
		free(v->keys[i]);
	free(v->items);
	free(v->keys);
	free(v->str);
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	free_members(v);
	free(v);
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

int json_uint(const struct json_value *v, uint64_t *out)
{
	const char *s;
	uint64_t x = 0;
	size_t n;

	if (v->type == JSON_INT && v->i >= 0) {
		*out = (uint64_t)v->i;
		return 0;
	}
	if (v->type != JSON_STRING)
		return -1;
	s = v->str;
	if (v->len < 3 || v->len > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (n = 2; n < v->len; n++) {
		char c = s[n];
		int d = hex_digit((unsigned char)c);
		if (d < 0)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return 0;
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = {"null",	"a boolean", "an integer",
					    "a string", "an array",  "an object"};
	return names[t];
}
