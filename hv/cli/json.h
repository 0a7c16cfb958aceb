/* A small strict JSON parser (RFC 8259 minus fractions and exponents):
 * objects, arrays, strings (every escape, \u surrogate pairs to UTF-8),
 * integers from INT64_MIN to INT64_MAX, true, false and null. Nothing
 * lenient: no comments, no trailing commas, no leading zeros, no duplicate
 * keys. Every error names the place and what was expected:
 * "add.json:3:17: expected ',' or '}' after an object member, got 'x'".
 * Each value keeps its line and column, so a consumer can report where a
 * well-formed value is wrong. */
#ifndef HV_JSON_H
#define HV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Containers nested deeper than this are an error (the parser recurses). */
#define JSON_MAX_DEPTH 256

enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	unsigned line, col;	  /* where the value starts, from 1 */
	bool b;			  /* JSON_BOOL */
	int64_t i;		  /* JSON_INT */
	char *str;		  /* JSON_STRING: NUL-terminated UTF-8 (may hold \u0000) */
	size_t len;		  /* JSON_STRING: bytes; arrays and objects: members */
	struct json_value *items; /* JSON_ARRAY elements, JSON_OBJECT values */
	char **keys;		  /* JSON_OBJECT: the key of each value */
};

/* Parses text[0, len) as one JSON document; `name` (a file name) prefixes
 * errors. Returns the root value, to be freed with json_free, or NULL with
 * "NAME:LINE:COL: message" in err (or "out of memory"). */
struct json_value *json_parse(const char *text, size_t len, const char *name, char *err,
			      size_t errlen);

/* Reads a whole file and parses it; errors as json_parse, or a file error. */
struct json_value *json_parse_file(const char *path, char *err, size_t errlen);

void json_free(struct json_value *v);

/* The value of `key` in object obj, or NULL (also when obj is no object). */
const struct json_value *json_get(const struct json_value *obj, const char *key);

/* An unsigned number: a non-negative integer, or a string "0x..." of 1-16
 * hex digits. Returns 0, or -1 if v is neither. */
int json_uint(const struct json_value *v, uint64_t *out);

/* The name of a type for messages ("an object", "a string", ...). */
const char *json_type_name(enum json_type t);

#endif
