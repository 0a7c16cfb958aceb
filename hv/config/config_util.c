/* The config parser's messages and the helpers setters share: errors with
 * file:line, did-you-mean suggestions, integer and choice values, paths
 * relative to the config file, warnings for keys hv notes or refuses. */
#include "hv/config/config.h"
#include "hv/config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void cfg_set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Every parse error goes through here, so all carry the same prefix. */
int cfg_fail_at(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || p->errlen == 0)
		return -1;
	if (p->file)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, line);
	else
		n = snprintf(p->err, p->errlen, "command line: ");
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

int cfg_out_of_memory(struct parser *p)
{
	return cfg_fail_at(p, p->line, "out of memory");
}

/* Appends c to out as it would be written in a string, so that a message
 * stays on one line whatever the value holds. */
static size_t shown_char(unsigned char c, char *out)
{
	static const char plain[] = "\n\t\r\"\\", named[] = "ntr\"\\";
	const char *at = c ? strchr(plain, c) : NULL;

	if (at) {
		out[0] = '\\';
		out[1] = named[at - plain];
		return 2;
	}
	if (c < 0x20 || c == 0x7f)
		return (size_t)sprintf(out, "\\x%02x", c);
	out[0] = (char)c;
	return 1;
}

static void quote(const char *s, char *out)
{
	size_t n = 0, i;

	out[n++] = '"';
	for (i = 0; s[i] && i < SHOWN_CHARS_MAX; i++)
		n += shown_char((unsigned char)s[i], out + n);
	out[n++] = '"';
	strcpy(out + n, s[i] ? "..." : "");
}

/* Writes v as a message shows it: "text", 12, a list. out holds at least
 * SHOWN_CHARS_MAX * 4 + 8 bytes. */
static void describe(const struct value *v, char *out)
{
	if (v->type == VAL_STRING)
		quote(v->text, out);
	else if (v->type == VAL_LIST)
		strcpy(out, "a list");
	else
		snprintf(out, SHOWN_CHARS_MAX * 4 + 8, "%.*s%s", SHOWN_CHARS_MAX, v->text,
			 strlen(v->text) > SHOWN_CHARS_MAX ? "..." : "");
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance: edits, with a swap of neighbours
 * counting as one, since "memroy" is one slip of the fingers. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[EDIT_CHARS_MAX + 1][EDIT_CHARS_MAX + 1];

	if (la > EDIT_CHARS_MAX || lb > EDIT_CHARS_MAX)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				       d[i - 1][j - 1] + (a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

/* The name closest to word, if it is close enough to be a typo. */
const char *cfg_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d < best_d && d < strlen(word)) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

int cfg_bad_value(struct parser *p, const struct key *k, const struct value *v)
{
	char shown[SHOWN_CHARS_MAX * 4 + 8];

	describe(v, shown);
	return cfg_fail_at(p, v->line, "%s: expected %s, got %s", k->name, k->expect, shown);
}

/* Like cfg_bad_value, with a did-you-mean when a string is close to a choice. */
static int bad_choice(struct parser *p, const struct key *k, const struct value *v,
		      const char *const *names, size_t n)
{
	char shown[SHOWN_CHARS_MAX * 4 + 8];
	const char *close = v->type == VAL_STRING ? cfg_suggest(v->text, names, n) : NULL;

	if (!close)
		return cfg_bad_value(p, k, v);
	describe(v, shown);
	return cfg_fail_at(p, v->line, "%s: expected %s, got %s (did you mean \"%s\"?)", k->name,
			   k->expect, shown, close);
}

int cfg_set_uint(struct parser *p, const struct key *k, const struct value *v, unsigned min,
		 unsigned max, unsigned *out)
{
	if (v->num < min || v->num > max) {
		cfg_bad_value(p, k, v);
		return -1; /* said plainly, so callers' outputs are never read unset */
	}
	*out = (unsigned)v->num;
	return 0;
}

/* Returns the index of the name v holds, or -1 with err set. */
int cfg_choose(struct parser *p, const struct key *k, const struct value *v,
	       const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v->text, names[i]) == 0)
			return (int)i;
	}
	return bad_choice(p, k, v, names, n);
}

static int join_path(char *out, const char *dir, const char *rel)
{
	size_t n = strlen(dir);
	const char *sep = n && dir[n - 1] == '/' ? "" : "/";
	int w = snprintf(out, PATH_MAX, "%s%s%s", dir, sep, rel);

	return w < 0 || w >= PATH_MAX ? -1 : 0;
}

/* The directory relative paths are taken from: the config file's, or the
 * working directory for the command line and a file named without one. */
static int base_dir(struct parser *p, const struct value *v, char *dir)
{
	const char *slash = p->file ? strrchr(p->file, '/') : NULL;
	int len = !slash ? 0 : slash == p->file ? 1 : (int)(slash - p->file);
	char cwd[PATH_MAX], rel[PATH_MAX];

	snprintf(rel, sizeof rel, "%.*s", len, p->file ? p->file : "");
	if (rel[0] == '/') {
		strcpy(dir, rel);
		return 0;
	}
	if (!getcwd(cwd, sizeof cwd))
		return cfg_fail_at(p, v->line, "cannot get the working directory: %s",
				   strerror(errno));
	if (join_path(dir, cwd, rel) < 0)
		return cfg_fail_at(p, v->line, "the directory of %s is too long", p->file);
	return 0;
}

/* Makes path absolute in out (PATH_MAX bytes), leaving out as it was on
 * error. */
int cfg_resolve_path(struct parser *p, const struct key *k, const struct value *v, const char *path,
		     char *out)
{
	char dir[PATH_MAX], full[PATH_MAX];

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] != '/' && base_dir(p, v, dir) < 0)
		return -1;
	if (join_path(full, path[0] == '/' ? "" : dir, path[0] == '/' ? path + 1 : path) < 0)
		return cfg_fail_at(p, v->line, "%s: path is too long (the limit is %d characters)",
				   k->name, PATH_MAX - 1);
	strcpy(out, full);
	return 0;
}

/* The line a value was written on; 0 on the command line. */
int cfg_line_of(const struct parser *p, const struct value *v)
{
	return p->file ? v->line : 0;
}

/* Adds the line text (which names key) to cfg's warnings, once per key. */
void cfg_add_warning(struct domain_config *cfg, const char *key, const char *text)
{
	char tag[KEY_CHARS_MAX + 8];

	snprintf(tag, sizeof tag, ": %s: ", key);
	for (unsigned i = 0; i < cfg->nwarnings; i++) {
		if (strstr(cfg->warnings[i], tag))
			return;
	}
	if (cfg->nwarnings < CONFIG_WARNINGS_MAX)
		snprintf(cfg->warnings[cfg->nwarnings++], CONFIG_WARNING_CHARS, "%s", text);
}

/* Records a warning for key k with the prefix errors have. Returns 0: a
 * warning never stops the domain. */
int cfg_warn_at(struct parser *p, const struct key *k, int line, const char *fmt, ...)
{
	char text[CONFIG_WARNING_CHARS];
	va_list ap;
	int n;

	if (p->file)
		n = snprintf(text, sizeof text, "%s:%d: %s: ", p->file, line, k->name);
	else
		n = snprintf(text, sizeof text, "command line: %s: ", k->name);
	if (n < 0 || n >= (int)sizeof text)
		return 0;
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof text - n, fmt, ap);
	va_end(ap);
	cfg_add_warning(p->cfg, k->name, text);
	return 0;
}

int cfg_set_list(struct parser *p, const struct key *k, const struct value *v, unsigned max,
		 const char *what, unsigned *count,
		 int (*add)(struct parser *p, const struct key *k, const struct value *v))
{
	*count = 0;
	if (v->type == VAL_STRING)
		return add(p, k, v);
	if (v->count > max)
		return cfg_fail_at(p, v->line, "%s: at most %u %s, got %zu", k->name, max, what,
				   v->count);
	for (size_t i = 0; i < v->count; i++) {
		if (add(p, k, &v->items[i]) < 0)
			return -1;
	}
	return 0;
}
