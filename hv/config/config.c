/* Domain configuration in xl.cfg syntax: a small lexer and parser that
 * turn "key = value" statements into values, then a table of known keys,
 * each with a setter that validates its value and stores it in the
 * struct domain_config. A new key is one row and one setter. */
#include "hv/config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define COUNT(a)	(sizeof(a) / sizeof((a)[0]))
#define LINE_CHARS_MAX	8192	  /* longer lines are refused */
#define FILE_BYTES_MAX	(1 << 20) /* larger files are refused */
#define KEY_CHARS_MAX	63	  /* no known key comes close */
#define KEYS_MAX	32	  /* rows the key table may grow to */
#define SHOWN_CHARS_MAX 48	  /* of a value quoted in a message */
#define EDIT_CHARS_MAX	32	  /* longer words get no suggestion */

enum value_type { VAL_STRING = 1, VAL_INT = 2, VAL_LIST = 4, VAL_WORD = 8 };

/* One value as written. Bare words are not values in xl.cfg, but the lexer
 * takes them so that `memory = lots` is reported as a bad memory size
 * rather than as a syntax error. */
struct value {
	enum value_type type;
	int line;		/* where the value starts */
	char *text;		/* string contents; integer or word as written */
	unsigned long long num; /* VAL_INT */
	struct value *items;	/* VAL_LIST */
	size_t count;
};

struct parser {
	const char *text;
	size_t len;
	size_t pos;
	int line;
	const char *file; /* for messages and relative paths; NULL: command line */
	struct domain_config *cfg;
	char *err;
	size_t errlen;
	int set_on[KEYS_MAX]; /* line each key was set on, 0 if not yet */
};

struct key {
	const char *name;
	unsigned types;	    /* enum value_type bits the setter takes */
	const char *expect; /* what a good value looks like, for messages */
	int (*set)(struct parser *p, const struct key *k, const struct value *v);
};

static const char *const engine_names[] = {
    [CONFIG_ENGINE_AUTO] = "auto",
    [CONFIG_ENGINE_SOFT] = "soft",
    [CONFIG_ENGINE_KVM] = "kvm",
};

static const char *const action_names[] = {
    [CONFIG_ACTION_DESTROY] = "destroy",
    [CONFIG_ACTION_RESTART] = "restart",
    [CONFIG_ACTION_PRESERVE] = "preserve",
};

/* The kinds named by a bare word; "file:PATH" is handled apart. */
static const char *const chardev_words[] = {"stdio", "pty", "none"};
static const enum chardev_kind chardev_kinds[] = {CHARDEV_STDIO, CHARDEV_PTY, CHARDEV_NONE};

/* ---- messages ---- */

static void set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int fail_at(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Every parse error goes through here, so all carry the same prefix. */
static int fail_at(struct parser *p, int line, const char *fmt, ...)
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

static int out_of_memory(struct parser *p)
{
	return fail_at(p, p->line, "out of memory");
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

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->text[p->pos] : EOF;
}

static int is_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int is_word_char(int c)
{
	return c > ' ' && c != 0x7f && !strchr("#;,[]=\"'", c);
}

/* Names what stands at the parser's position, for "got ..." in messages. */
static void describe_here(const struct parser *p, char *out, size_t size)
{
	int c = peek(p);
	size_t n = 0;

	if (c == EOF)
		snprintf(out, size, p->file ? "the end of the file" : "nothing");
	else if (c == '"' || c == '\'')
		snprintf(out, size, "a string");
	else if (c == '\n' || c == '\r')
		snprintf(out, size, "the end of the line");
	else if (is_key_char(c)) {
		while (n < 20 && is_key_char((unsigned char)p->text[p->pos + n]))
			n++;
		snprintf(out, size, "'%.*s'", (int)n, p->text + p->pos);
	} else if (c > ' ' && c < 0x7f)
		snprintf(out, size, "'%c'", c);
	else
		snprintf(out, size, "byte 0x%02x", c);
}

/* ---- suggestions ---- */

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
static const char *suggest(const char *word, const char *const *names, size_t n)
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

/* ---- values for setters ---- */

static int bad_value(struct parser *p, const struct key *k, const struct value *v)
{
	char shown[SHOWN_CHARS_MAX * 4 + 8];

	describe(v, shown);
	return fail_at(p, v->line, "%s: expected %s, got %s", k->name, k->expect, shown);
}

/* Like bad_value, with a did-you-mean when a string is close to a choice. */
static int bad_choice(struct parser *p, const struct key *k, const struct value *v,
		      const char *const *names, size_t n)
{
	char shown[SHOWN_CHARS_MAX * 4 + 8];
	const char *close = v->type == VAL_STRING ? suggest(v->text, names, n) : NULL;

	if (!close)
		return bad_value(p, k, v);
	describe(v, shown);
	return fail_at(p, v->line, "%s: expected %s, got %s (did you mean \"%s\"?)", k->name,
		       k->expect, shown, close);
}

static int set_uint(struct parser *p, const struct key *k, const struct value *v, unsigned min,
		    unsigned max, unsigned *out)
{
	if (v->num < min || v->num > max)
		return bad_value(p, k, v);
	*out = (unsigned)v->num;
	return 0;
}

/* Returns the index of the name v holds, or -1 with err set. */
static int choose(struct parser *p, const struct key *k, const struct value *v,
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
		return fail_at(p, v->line, "cannot get the working directory: %s", strerror(errno));
	if (join_path(dir, cwd, rel) < 0)
		return fail_at(p, v->line, "the directory of %s is too long", p->file);
	return 0;
}

/* Makes path absolute in out (PATH_MAX bytes), leaving out as it was on
 * error. */
static int resolve_path(struct parser *p, const struct key *k, const struct value *v,
			const char *path, char *out)
{
	char dir[PATH_MAX], full[PATH_MAX];

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] != '/' && base_dir(p, v, dir) < 0)
		return -1;
	if (join_path(full, path[0] == '/' ? "" : dir, path[0] == '/' ? path + 1 : path) < 0)
		return fail_at(p, v->line, "%s: path is too long (the limit is %d characters)",
			       k->name, PATH_MAX - 1);
	strcpy(out, full);
	return 0;
}

/* ---- setters, one per key ---- */

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < CONFIG_NAME_MAX && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int set_name(struct parser *p, const struct key *k, const struct value *v)
{
	if (!valid_name(v->text))
		return bad_value(p, k, v);
	strcpy(p->cfg->name, v->text);
	return 0;
}

static int set_memory(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 1, 65536, &p->cfg->memory_mib);
}

static int set_vcpus(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 1, 64, &p->cfg->vcpus);
}

static int set_engine(struct parser *p, const struct key *k, const struct value *v)
{
	int i = choose(p, k, v, engine_names, COUNT(engine_names));

	if (i < 0)
		return -1;
	p->cfg->engine = (enum config_engine)i;
	return 0;
}

/* The line a value was written on; 0 on the command line. */
static int line_of(const struct parser *p, const struct value *v)
{
	return p->file ? v->line : 0;
}

static int set_firmware(struct parser *p, const struct key *k, const struct value *v)
{
	/* "" unsets, so that an override can take back the file's choice. */
	if (!v->text[0]) {
		p->cfg->firmware[0] = '\0';
		return 0;
	}
	p->cfg->line.firmware = line_of(p, v);
	return resolve_path(p, k, v, v->text, p->cfg->firmware);
}

/* kernel= and ramdisk= as firmware=: a path, "" unsets. */
static int set_kernel(struct parser *p, const struct key *k, const struct value *v)
{
	if (!v->text[0]) {
		p->cfg->kernel[0] = '\0';
		return 0;
	}
	p->cfg->line.kernel = line_of(p, v);
	return resolve_path(p, k, v, v->text, p->cfg->kernel);
}

static int set_ramdisk(struct parser *p, const struct key *k, const struct value *v)
{
	if (!v->text[0]) {
		p->cfg->ramdisk[0] = '\0';
		return 0;
	}
	p->cfg->line.ramdisk = line_of(p, v);
	return resolve_path(p, k, v, v->text, p->cfg->ramdisk);
}

/* The kernel command line, as xl's extra=; one line of printable text. */
static int set_extra(struct parser *p, const struct key *k, const struct value *v)
{
	size_t n = strlen(v->text);

	if (n >= CONFIG_EXTRA_MAX)
		return fail_at(p, v->line, "%s: command line is %zu characters (the limit is %d)",
			       k->name, n, CONFIG_EXTRA_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v->text[i] < 0x20 || v->text[i] == 0x7f)
			return bad_value(p, k, v);
	}
	strcpy(p->cfg->extra, v->text);
	return 0;
}

static int set_chardev(struct parser *p, const struct key *k, const struct value *v,
		       struct chardev_config *out)
{
	int i;

	if (strncmp(v->text, "file:", 5) == 0) {
		if (!v->text[5])
			return fail_at(p, v->line, "%s: expected a path after \"file:\"", k->name);
		if (resolve_path(p, k, v, v->text + 5, out->path) < 0)
			return -1;
		out->kind = CHARDEV_FILE;
		return 0;
	}
	i = choose(p, k, v, chardev_words, COUNT(chardev_words));
	if (i < 0)
		return -1;
	out->kind = chardev_kinds[i];
	out->path[0] = '\0';
	return 0;
}

/* xl takes a list here, one device per serial port; a list here holds
 * one device, and COM2 has a key of its own (serial2). */
static int set_port(struct parser *p, const struct key *k, const struct value *v, const char *port,
		    struct chardev_config *out)
{
	if (v->type == VAL_LIST && v->count != 1)
		return fail_at(p, v->line, "%s: expected a list of one device (%s), got %zu",
			       k->name, port, v->count);
	if (v->type == VAL_LIST)
		v = &v->items[0];
	if (v->type != VAL_STRING)
		return bad_value(p, k, v);
	return set_chardev(p, k, v, out);
}

static int set_serial(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.serial = line_of(p, v);
	return set_port(p, k, v, "COM1", &p->cfg->serial);
}

static int set_serial2(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.serial2 = line_of(p, v);
	return set_port(p, k, v, "COM2", &p->cfg->serial2);
}

static int set_debugcon(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.debugcon = line_of(p, v);
	return set_chardev(p, k, v, &p->cfg->debugcon);
}

static int set_on_poweroff(struct parser *p, const struct key *k, const struct value *v)
{
	int i = choose(p, k, v, action_names, COUNT(action_names));

	if (i < 0)
		return -1;
	p->cfg->on_poweroff = (enum config_action)i;
	return 0;
}

/* Each entry in xl's disk syntax (hv/config/diskspec.c); a relative target is
 * taken from the config file's directory. */
static int add_disk(struct parser *p, const struct key *k, const struct value *v)
{
	struct disk_config *d = &p->cfg->disks[p->cfg->ndisks];
	char msg[PATH_MAX + 64];

	if (v->type != VAL_STRING)
		return bad_value(p, k, v);
	if (diskspec_parse(v->text, d, msg, sizeof msg) < 0)
		return fail_at(p, v->line, "%s: %s", k->name, msg);
	for (unsigned i = 0; i < p->cfg->ndisks; i++) {
		if (p->cfg->disks[i].vdev == d->vdev)
			return fail_at(p, v->line, "%s: vdev=%s given twice", k->name,
				       diskspec_vdev_name(d->vdev));
	}
	if (d->target[0] && resolve_path(p, k, v, d->target, d->target) < 0)
		return -1;
	for (unsigned i = 0; d->target[0] && i < p->cfg->ndisks; i++) {
		/* Two drives on one image would corrupt it (and the second
		 * open would read as another domain's lock). */
		if (strcmp(p->cfg->disks[i].target, d->target) == 0)
			return fail_at(p, v->line, "%s: %s is already vdev=%s in this domain",
				       k->name, d->target,
				       diskspec_vdev_name(p->cfg->disks[i].vdev));
	}
	p->cfg->line.disks[p->cfg->ndisks] = line_of(p, v);
	p->cfg->ndisks++;
	return 0;
}

static int set_disk(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->ndisks = 0;
	if (v->type == VAL_STRING)
		return add_disk(p, k, v);
	if (v->count > DISKS_MAX)
		return fail_at(p, v->line, "%s: at most %d disks, got %zu", k->name, DISKS_MAX,
			       v->count);
	for (size_t i = 0; i < v->count; i++) {
		if (add_disk(p, k, &v->items[i]) < 0)
			return -1;
	}
	return 0;
}

/* xl's HVM boot order: a floppy, the first hard disk, the CD-ROM. */
static int set_boot(struct parser *p, const struct key *k, const struct value *v)
{
	size_t n = strlen(v->text);

	if (n < 1 || n > 3)
		return bad_value(p, k, v);
	for (size_t i = 0; i < n; i++) {
		if (!strchr("acd", v->text[i]) || strchr(v->text + i + 1, v->text[i]))
			return bad_value(p, k, v);
	}
	strcpy(p->cfg->boot, v->text);
	return 0;
}

/* 0 spares a domain with several boot devices SeaBIOS's 2.5 s prompt. */
static int set_boot_menu(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 0, 1, &p->cfg->boot_menu);
}

static int set_log_max_kb(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 16, 4u << 20, &p->cfg->log_max_kb);
}

static int set_sandbox(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 0, 1, &p->cfg->sandbox);
}

#define CHARDEV_EXPECT "\"stdio\", \"pty\", \"none\" or \"file:PATH\""

static const struct key keys[] = {
    {"name", VAL_STRING, "1 to 63 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
     set_name},
    {"memory", VAL_INT, "an integer from 1 to 65536 (MiB)", set_memory},
    {"vcpus", VAL_INT, "an integer from 1 to 64", set_vcpus},
    {"engine", VAL_STRING, "\"auto\", \"soft\" or \"kvm\"", set_engine},
    {"firmware", VAL_STRING, "a path", set_firmware},
    {"kernel", VAL_STRING, "a path", set_kernel},
    {"ramdisk", VAL_STRING, "a path", set_ramdisk},
    {"extra", VAL_STRING, "a kernel command line of printable characters", set_extra},
    {"serial", VAL_STRING | VAL_LIST, CHARDEV_EXPECT, set_serial},
    {"serial2", VAL_STRING | VAL_LIST, CHARDEV_EXPECT, set_serial2},
    {"debugcon", VAL_STRING, CHARDEV_EXPECT, set_debugcon},
    {"on_poweroff", VAL_STRING, "\"destroy\", \"restart\" or \"preserve\"", set_on_poweroff},
    {"disk", VAL_STRING | VAL_LIST, "a list of disk specifications", set_disk},
    {"boot", VAL_STRING,
     "\"c\" (hard disk), \"d\" (CD-ROM), \"a\" (floppy) or an order such as \"dc\"", set_boot},
    {"boot_menu", VAL_INT, "0 (no boot menu) or 1 (SeaBIOS's ESC prompt)", set_boot_menu},
    {"log_max_kb", VAL_INT, "an integer from 16 to 4194304 (KiB per log file)", set_log_max_kb},
    {"sandbox", VAL_INT, "1 (confine the domain process) or 0 (do not: debugging)", set_sandbox},
};

_Static_assert(COUNT(keys) <= KEYS_MAX, "raise KEYS_MAX");

static const struct key *find_key(struct parser *p, const char *name, int line)
{
	const char *names[KEYS_MAX], *close;

	for (size_t i = 0; i < COUNT(keys); i++) {
		if (strcmp(name, keys[i].name) == 0)
			return &keys[i];
		names[i] = keys[i].name;
	}
	close = suggest(name, names, COUNT(keys));
	if (close)
		fail_at(p, line, "unknown key '%s' (did you mean '%s'?)", name, close);
	else
		fail_at(p, line, "unknown key '%s'", name);
	return NULL;
}

static int check_type(struct parser *p, const struct key *k, const struct value *v)
{
	if (v->type & k->types)
		return 0;
	if (v->type == VAL_WORD && (k->types & VAL_STRING))
		return fail_at(p, v->line, "%s: expected a string in quotes, got %s", k->name,
			       v->text);
	return bad_value(p, k, v);
}

/* Hands v to the key's setter, once per key and text. */
static int apply(struct parser *p, const struct key *k, const struct value *v, int line)
{
	size_t i = (size_t)(k - keys);

	if (p->set_on[i])
		return fail_at(p, line, "'%s' is already set on line %d", k->name, p->set_on[i]);
	if (check_type(p, k, v) < 0 || k->set(p, k, v) < 0)
		return -1;
	p->set_on[i] = line;
	return 0;
}

/* ---- lexer ---- */

static void value_free(struct value *v)
{
	for (size_t i = 0; i < v->count; i++)
		value_free(&v->items[i]);
	free(v->items);
	free(v->text);
	*v = (struct value){0};
}

/* Skips spaces, tabs, CRs (so CRLF files read as LF ones) and a comment;
 * stops at a newline. */
static void skip_blanks(struct parser *p)
{
	for (;;) {
		int c = peek(p);
		if (c == ' ' || c == '\t' || c == '\r')
			p->pos++;
		else if (c == '#')
			while (peek(p) != '\n' && peek(p) != EOF)
				p->pos++;
		else
			return;
	}
}

/* Skips blanks and newlines too, as inside a list. */
static void skip_blank_lines(struct parser *p)
{
	for (skip_blanks(p); peek(p) == '\n'; skip_blanks(p)) {
		p->pos++;
		p->line++;
	}
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex_escape(struct parser *p, int *out)
{
	int hi = hex_digit(p->pos + 1 < p->len ? p->text[p->pos + 1] : -1);
	int lo = hex_digit(p->pos + 2 < p->len ? p->text[p->pos + 2] : -1);

	if (hi < 0 || lo < 0)
		return fail_at(p, p->line, "expected two hex digits after '\\x'");
	if (hi == 0 && lo == 0)
		return fail_at(p, p->line, "strings cannot hold a NUL byte ('\\x00')");
	p->pos += 3;
	*out = hi * 16 + lo;
	return 0;
}

/* Decodes the escape after a backslash into *out. */
static int parse_escape(struct parser *p, int *out)
{
	static const char from[] = "nrtabfv\\\"'", to[] = "\n\r\t\a\b\f\v\\\"'";
	int c = peek(p);
	const char *at = c > 0 ? strchr(from, c) : NULL;
	char shown[16];

	if (c == 'x')
		return parse_hex_escape(p, out);
	if (c == EOF || c == '\n')
		return fail_at(p, p->line, "unterminated string");
	if (!at && c > ' ' && c < 0x7f)
		return fail_at(p, p->line, "unknown escape '\\%c' in a string", c);
	if (!at) {
		describe_here(p, shown, sizeof shown);
		return fail_at(p, p->line, "unknown escape: backslash followed by %s", shown);
	}
	p->pos++;
	*out = to[at - from];
	return 0;
}

static int parse_string(struct parser *p, struct value *v)
{
	char buf[LINE_CHARS_MAX + 1]; /* lines were checked not to be longer */
	int quote = p->text[p->pos++], c;
	size_t n = 0;

	while ((c = peek(p)) != quote) {
		if (c == EOF || c == '\n')
			return fail_at(p, p->line, "unterminated string");
		p->pos++;
		if (c == '\\' && parse_escape(p, &c) < 0)
			return -1;
		buf[n++] = (char)c;
	}
	p->pos++;
	v->type = VAL_STRING;
	v->text = strndup(buf, n);
	return v->text ? 0 : out_of_memory(p);
}

/* Turns the word in v into an integer if it is spelled as one. */
static int to_integer(struct parser *p, struct value *v)
{
	int hex = strncasecmp(v->text, "0x", 2) == 0;
	const char *digits = v->text + (hex ? 2 : 0);

	if (!digits[0] || digits[strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789")])
		return 0;
	if (!hex && digits[0] == '0' && digits[1])
		return fail_at(p, v->line,
			       "%s: leading zeros are not allowed (xl reads them as octal)",
			       v->text);
	errno = 0;
	v->num = strtoull(digits, NULL, hex ? 16 : 10);
	if (errno == ERANGE)
		return fail_at(p, v->line, "integer %s is too large", v->text);
	v->type = VAL_INT;
	return 0;
}

/* Reads an integer (decimal, or hex after 0x) or else a bare word. */
static int parse_word(struct parser *p, struct value *v)
{
	size_t start = p->pos;

	while (is_word_char(peek(p)))
		p->pos++;
	v->type = VAL_WORD;
	v->text = strndup(p->text + start, p->pos - start);
	return v->text ? to_integer(p, v) : out_of_memory(p);
}

static int parse_scalar(struct parser *p, struct value *v)
{
	v->line = p->line;
	if (peek(p) == '"' || peek(p) == '\'')
		return parse_string(p, v);
	return parse_word(p, v);
}

/* Whether "key =" stands at the parser's position. */
static int at_statement(const struct parser *p)
{
	size_t i = p->pos;

	while (i < p->len && is_key_char((unsigned char)p->text[i]))
		i++;
	if (i == p->pos)
		return 0;
	while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t'))
		i++;
	return i < p->len && p->text[i] == '=';
}

/* A list that meets the end of the file or the next statement was never
 * closed; anything else is a missing comma or a stray character. */
static int list_error(struct parser *p, int opened, const char *expected)
{
	char shown[32];
	int c = peek(p);

	if (c == EOF || c == '=' || c == ';' || at_statement(p)) {
		int line =
		    c == EOF && p->len && p->text[p->len - 1] == '\n' ? p->line - 1 : p->line;
		return fail_at(p, line, "unterminated list (opened on line %d)", opened);
	}
	describe_here(p, shown, sizeof shown);
	return fail_at(p, p->line, "expected %s in the list opened on line %d, got %s", expected,
		       opened, shown);
}

static int parse_item(struct parser *p, struct value *list, int opened)
{
	struct value *items;
	int c = peek(p);

	if (c == '[')
		return fail_at(p, p->line, "lists cannot be nested");
	if (c != '"' && c != '\'' && !is_word_char(c))
		return list_error(p, opened, "a string or an integer");
	items = realloc(list->items, (list->count + 1) * sizeof *items);
	if (!items)
		return out_of_memory(p);
	list->items = items;
	items[list->count] = (struct value){0};
	return parse_scalar(p, &items[list->count++]);
}

static int parse_list(struct parser *p, struct value *v)
{
	int opened = p->line;

	p->pos++;
	v->type = VAL_LIST;
	v->line = opened;
	for (;;) {
		skip_blank_lines(p);
		if (peek(p) == ']') {
			p->pos++;
			return 0;
		}
		if (parse_item(p, v, opened) < 0)
			return -1;
		skip_blank_lines(p);
		if (peek(p) == ',')
			p->pos++;
		else if (peek(p) != ']')
			return list_error(p, opened, "',' or ']'");
	}
}

static int parse_value(struct parser *p, struct value *v, const char *key)
{
	char shown[32];
	int c;

	skip_blanks(p);
	c = peek(p);
	if (c == '[')
		return parse_list(p, v);
	if (c == '"' || c == '\'' || is_word_char(c))
		return parse_scalar(p, v);
	describe_here(p, shown, sizeof shown);
	return fail_at(p, p->line, "expected a value after '%s =', got %s", key, shown);
}

/* ---- statements ---- */

static int parse_key(struct parser *p, char *key)
{
	size_t start = p->pos, n;
	char shown[32];

	while (is_key_char(peek(p)) && !(p->pos == start && isdigit(peek(p))))
		p->pos++;
	n = p->pos - start;
	if (n == 0) {
		describe_here(p, shown, sizeof shown);
		return fail_at(p, p->line, "expected a key name, got %s", shown);
	}
	if (n > KEY_CHARS_MAX)
		return fail_at(p, p->line, "unknown key '%.20s...'", p->text + start);
	memcpy(key, p->text + start, n);
	key[n] = '\0';
	skip_blanks(p);
	if (peek(p) != '=')
		return fail_at(p, p->line, "expected '=' after '%s'", key);
	p->pos++;
	return 0;
}

static int end_statement(struct parser *p, const char *key)
{
	char shown[32];
	int c;

	skip_blanks(p);
	c = peek(p);
	if (c == EOF || c == '\n' || c == ';')
		return 0;
	describe_here(p, shown, sizeof shown);
	return fail_at(p, p->line, "expected a newline or ';' after the value of '%s', got %s", key,
		       shown);
}

static int parse_statement(struct parser *p)
{
	char name[KEY_CHARS_MAX + 1];
	struct value v = {0};
	const struct key *k;
	int line = p->line, rc;

	if (parse_key(p, name) < 0 || !(k = find_key(p, name, line)))
		return -1;
	rc = parse_value(p, &v, name);
	if (rc == 0)
		rc = end_statement(p, name);
	if (rc == 0)
		rc = apply(p, k, &v, line);
	value_free(&v);
	return rc;
}

/* Refuses what the lexer should never see: NUL bytes and long lines. */
static int check_text(struct parser *p)
{
	size_t column = 0;
	int line = 1;

	for (size_t i = 0; i < p->len; i++) {
		if (p->text[i] == '\0')
			return fail_at(p, line, "NUL byte in the file");
		if (p->text[i] == '\n') {
			line++;
			column = 0;
		} else if (++column > LINE_CHARS_MAX) {
			return fail_at(p, line, "line is longer than %d characters",
				       LINE_CHARS_MAX);
		}
	}
	return 0;
}

static int parse_text(struct parser *p)
{
	if (check_text(p) < 0)
		return -1;
	if (p->len >= 3 && memcmp(p->text, "\xef\xbb\xbf", 3) == 0)
		p->pos = 3; /* a UTF-8 byte order mark, as some editors write */
	for (;;) {
		skip_blanks(p);
		switch (peek(p)) {
		case EOF: return 0;
		case '\n': p->line++; /* fall through */
		case ';': p->pos++; break;
		default:
			if (parse_statement(p) < 0)
				return -1;
		}
	}
}

/* ---- files ---- */

static int read_text(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(FILE_BYTES_MAX + 1) : NULL;
	int error = !f ? errno : !buf ? ENOMEM : 0;

	if (buf) {
		*len = fread(buf, 1, FILE_BYTES_MAX + 1, f);
		error = ferror(f) ? errno : 0;
	}
	if (f)
		fclose(f);
	if (error)
		set_error(err, errlen, "%s: %s", path, strerror(error));
	else if (*len > FILE_BYTES_MAX)
		set_error(err, errlen, "%s: file is larger than %d bytes", path, FILE_BYTES_MAX);
	else {
		*text = buf;
		return 0;
	}
	free(buf);
	return -1;
}

/* ---- public ---- */

/* Fills cfg with the defaults. */
void config_defaults(struct domain_config *cfg)
{
	*cfg = (struct domain_config){
	    .memory_mib = 32,
	    .vcpus = 1,
	    .engine = CONFIG_ENGINE_AUTO,
	    .serial = {.kind = CHARDEV_STDIO},
	    .serial2 = {.kind = CHARDEV_NONE},
	    .debugcon = {.kind = CHARDEV_NONE},
	    .on_poweroff = CONFIG_ACTION_DESTROY,
	    .boot = "cd",
	    .boot_menu = 1,
	    .log_max_kb = 1024,
	    .sandbox = 1,
	};
}

static int parse_buffer(const char *text, size_t len, const char *filename,
			struct domain_config *cfg, char *err, size_t errlen)
{
	struct parser p = {.text = text,
			   .len = len,
			   .line = 1,
			   .file = filename,
			   .cfg = cfg,
			   .err = err,
			   .errlen = errlen};

	return parse_text(&p);
}

/* Parses the file at path into cfg, from the defaults, and checks that the
 * required keys are there. Returns 0, or -1 with a one-line message. */
int config_load(const char *path, struct domain_config *cfg, char *err, size_t errlen)
{
	char *text;
	size_t len = 0;
	int rc;

	config_defaults(cfg);
	snprintf(cfg->file, sizeof cfg->file, "%s", path);
	if (read_text(path, &text, &len, err, errlen) < 0)
		return -1;
	rc = parse_buffer(text, len, path, cfg, err, errlen);
	free(text);
	return rc < 0 ? -1 : config_validate(cfg, err, errlen);
}

/* Parses text as the contents of the file `filename` on top of cfg.
 * Returns 0 or -1 with err set. */
int config_parse(const char *text, const char *filename, struct domain_config *cfg, char *err,
		 size_t errlen)
{
	return parse_buffer(text, strlen(text), filename, cfg, err, errlen);
}

/* On the command line a string key takes the rest as it stands, so that
 * `serial=file:my log` needs no shell quoting of quotes. */
static int parse_override_value(struct parser *p, const struct key *k, struct value *v,
				const char *name)
{
	size_t end = p->len;
	char shown[32];

	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
	if ((k->types & VAL_STRING) && peek(p) != EOF && !strchr("\"'[", peek(p))) {
		while (end > p->pos && (p->text[end - 1] == ' ' || p->text[end - 1] == '\t'))
			end--;
		v->type = VAL_STRING;
		v->text = strndup(p->text + p->pos, end - p->pos);
		return v->text ? 0 : out_of_memory(p);
	}
	if (parse_value(p, v, name) < 0)
		return -1;
	skip_blanks(p);
	if (peek(p) == EOF)
		return 0;
	describe_here(p, shown, sizeof shown);
	return fail_at(p, 1, "expected nothing after the value of '%s', got %s", name, shown);
}

/* Applies one "key=value" from the command line; relative paths are taken
 * from the working directory. Returns 0 or -1 with err set. */
int config_override(struct domain_config *cfg, const char *assignment, char *err, size_t errlen)
{
	struct parser p = {.text = assignment,
			   .len = strlen(assignment),
			   .line = 1,
			   .cfg = cfg,
			   .err = err,
			   .errlen = errlen};
	char name[KEY_CHARS_MAX + 1];
	struct value v = {.line = 1};
	const struct key *k;
	int rc;

	skip_blanks(&p);
	if (check_text(&p) < 0 || parse_key(&p, name) < 0 || !(k = find_key(&p, name, 1)))
		return -1;
	rc = parse_override_value(&p, k, &v, name);
	if (rc == 0)
		rc = apply(&p, k, &v, 1);
	value_free(&v);
	return rc;
}

/* Checks that the required keys are there. Returns 0 or -1 with err set. */
int config_validate(const struct domain_config *cfg, char *err, size_t errlen)
{
	if (!cfg->name[0]) {
		set_error(err, errlen, "%s: missing required key 'name'",
			  cfg->file[0] ? cfg->file : "configuration");
		return -1;
	}
	return 0;
}

const char *config_where(const struct domain_config *cfg, int line, char *out, size_t len)
{
	if (line > 0 && cfg->file[0])
		snprintf(out, len, "%s:%d", cfg->file, line);
	else
		snprintf(out, len, "command line");
	return out;
}

/* The name of e as written in a config file. */
const char *config_engine_name(enum config_engine e)
{
	return (unsigned)e < COUNT(engine_names) ? engine_names[e] : "?";
}

/* The name of a as written in a config file. */
const char *config_action_name(enum config_action a)
{
	return (unsigned)a < COUNT(action_names) ? action_names[a] : "?";
}
