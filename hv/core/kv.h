/* Key=value pairs as the control protocol writes them on one line:
 * ` key=value`, the value in double quotes (with \\ and \" escaped) when
 * it is empty or holds a space, a quote or a backslash. */
#ifndef HV_CORE_KV_H
#define HV_CORE_KV_H

#include <stdbool.h>
#include <stddef.h>

/* The value of `key` in a reply "k1=v1 k2="v 2" ...", unquoted, into out.
 * Returns true if present. */
bool kv_get(const char *reply, const char *key, char *out, size_t len);

/* Appends " key=value" to buf, quoting the value if it needs it. */
void kv_put(char *buf, size_t len, const char *key, const char *value);

#endif
