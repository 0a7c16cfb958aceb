/* The control protocol's key=value pairs (docs/protocol.md), read and
 * written by both ends: the domain's server and the hv command. */
#include "hv/core/kv.h"

#include <stdio.h>
#include <string.h>

/* Copies a value starting at p (quoted or bare) into out; returns the end. */
static const char *read_value(const char *p, char *out, size_t len)
{
	size_t n = 0;
	bool quoted = *p == '"';

	if (quoted)
		p++;
	for (; *p && (quoted ? *p != '"' : *p != ' '); p++) {
		if (quoted && *p == '\\' && p[1])
			p++;
		if (n + 1 < len)
			out[n++] = *p;
	}
	if (len)
		out[n] = '\0';
	return quoted && *p ? p + 1 : p;
}

bool kv_get(const char *reply, const char *key, char *out, size_t len)
{
	size_t k = strlen(key);
	const char *p = reply;

	while (*p) {
		char skip[2];
		while (*p == ' ')
			p++;
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			read_value(p + k + 1, out, len);
			return true;
		}
		while (*p && *p != ' ' && *p != '=')
			p++;
		p = *p == '=' ? read_value(p + 1, skip, sizeof skip) : p;
	}
	return false;
}

void kv_put(char *buf, size_t len, const char *key, const char *value)
{
	size_t n = strlen(buf);
	bool quote = !*value || strpbrk(value, " \"\\") != NULL;

	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, " %s=%s", key, quote ? "\"" : "");
	for (const char *p = value; quote && *p && n + 3 < len; p++) {
		if (*p == '"' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	if (quote && n + 2 < len) {
		buf[n++] = '"';
		buf[n] = '\0';
	} else if (!quote) {
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s", value);
	}
}
