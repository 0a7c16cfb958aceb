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
#define KEYS_MAX	96	  /* rows the key table may grow to */
#define SHOWN_CHARS_MAX 48	  /* of a value quoted in a message */
#define EDIT_CHARS_MAX	32	  /* longer words get no suggestion */

enum value_type { VAL_STRING = 1, VAL_INT = 2, VAL_LIST = 4, VAL_WORD = 8 };

#define VAL_ANY (VAL_STRING | VAL_INT | VAL_LIST | VAL_WORD)

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
	int serial2_on;	      /* line COM2 was set on (serial2, or serial's list) */
	int extra_on;	      /* line the command line was set on (extra or cmdline) */
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
	if (v->num < min || v->num > max) {
		bad_value(p, k, v);
		return -1; /* said plainly, so callers' outputs are never read unset */
	}
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

/* xl's range, then hv's limit: one vCPU until SMP exists. */
static int set_cpu_count(struct parser *p, const struct key *k, const struct value *v,
			 unsigned *out)
{
	unsigned n;

	if (set_uint(p, k, v, 1, 64, &n) < 0)
		return -1;
	if (n > 1)
		return fail_at(p, v->line,
			       "%s: hv runs one vCPU per domain until SMP exists (the limit is 1), "
			       "got %u",
			       k->name, n);
	*out = n;
	return 0;
}

static int set_vcpus(struct parser *p, const struct key *k, const struct value *v)
{
	return set_cpu_count(p, k, v, &p->cfg->vcpus);
}

static int set_engine(struct parser *p, const struct key *k, const struct value *v)
{
	int i = choose(p, k, v, engine_names, COUNT(engine_names));

	if (i < 0)
		return -1;
	p->cfg->engine = (enum config_engine)i;
	return 0;
}

/* xl's firmware names. "bios" and "seabios" are SeaBIOS; the others are
 * firmware hv has not got. Returns 1 if v named firmware (cfg->firmware
 * set), 0 if v is a path, -1 with err set. */
static int firmware_by_name(struct parser *p, const struct key *k, const struct value *v)
{
	static const char *const missing[] = {"uefi", "ovmf", "rombios", "pvgrub32", "pvgrub64"};

	if (strcmp(v->text, "seabios") == 0 || strcmp(v->text, "bios") == 0) {
		const char *bios = config_seabios_path();
		if (access(bios, R_OK) < 0)
			return fail_at(p, v->line,
				       "%s: SeaBIOS (%s) is missing: %s; install Debian's seabios "
				       "package (apt-get install seabios)",
				       k->name, bios, strerror(errno));
		snprintf(p->cfg->firmware, sizeof p->cfg->firmware, "%s", bios);
		return 1;
	}
	for (size_t i = 0; i < COUNT(missing); i++) {
		if (strcmp(v->text, missing[i]) == 0)
			return fail_at(p, v->line,
				       "%s: \"%s\" is not supported yet; hv boots SeaBIOS "
				       "(\"seabios\", the default for HVM), a ROM image given by "
				       "path, or a Linux kernel with kernel=",
				       k->name, v->text);
	}
	return 0;
}

/* The line a value was written on; 0 on the command line. */
static int line_of(const struct parser *p, const struct value *v)
{
	return p->file ? v->line : 0;
}

static int set_firmware(struct parser *p, const struct key *k, const struct value *v)
{
	int named;

	/* "" unsets, so that an override can take back the file's choice. */
	if (!v->text[0]) {
		p->cfg->firmware[0] = '\0';
		return 0;
	}
	p->cfg->line.firmware = line_of(p, v);
	named = firmware_by_name(p, k, v);
	if (named != 0)
		return named < 0 ? -1 : 0;
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

/* The kernel command line, as xl's extra= (or cmdline=, its newer name:
 * one of the two per file); one line of printable text. */
static int set_extra(struct parser *p, const struct key *k, const struct value *v)
{
	size_t n = strlen(v->text);

	if (p->extra_on)
		return fail_at(p, v->line,
			       "%s: the kernel command line is already set on line %d (extra and "
			       "cmdline are one setting)",
			       k->name, p->extra_on);
	if (n >= CONFIG_EXTRA_MAX)
		return fail_at(p, v->line, "%s: command line is %zu characters (the limit is %d)",
			       k->name, n, CONFIG_EXTRA_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v->text[i] < 0x20 || v->text[i] == 0x7f)
			return bad_value(p, k, v);
	}
	strcpy(p->cfg->extra, v->text);
	p->extra_on = v->line;
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

/* One device for one port: a string, or a list of one (xl's form). */
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

/* xl's serial = [ COM1, COM2 ]: a list of one or two devices. COM2 has a
 * key of its own too (serial2), but may be given only once. */
static int set_serial(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.serial = line_of(p, v);
	struct chardev_config ports[CONFIG_SERIAL_PORTS];

	if (v->type != VAL_LIST || v->count == 1)
		return set_port(p, k, v, "COM1", &p->cfg->serial[0]);
	if (v->count != CONFIG_SERIAL_PORTS)
		return fail_at(p, v->line,
			       "%s: expected a list of one or two devices (COM1, COM2), got %zu",
			       k->name, v->count);
	if (p->serial2_on)
		return fail_at(p, v->line, "%s: COM2 is already set by serial2 on line %d", k->name,
			       p->serial2_on);
	for (unsigned i = 0; i < CONFIG_SERIAL_PORTS; i++) {
		if (v->items[i].type != VAL_STRING)
			return bad_value(p, k, &v->items[i]);
		ports[i] = p->cfg->serial[i];
		if (set_chardev(p, k, &v->items[i], &ports[i]) < 0)
			return -1;
	}
	memcpy(p->cfg->serial, ports, sizeof ports);
	p->cfg->line.serial2 = p->cfg->line.serial;
	p->serial2_on = v->line;
	return 0;
}

static int set_serial2(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.serial2 = line_of(p, v);
	if (p->serial2_on)
		return fail_at(p, v->line, "%s: COM2 is already set by serial on line %d", k->name,
			       p->serial2_on);
	if (set_port(p, k, v, "COM2", &p->cfg->serial[1]) < 0)
		return -1;
	p->serial2_on = v->line;
	return 0;
}

static int set_debugcon(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.debugcon = line_of(p, v);
	return set_chardev(p, k, v, &p->cfg->debugcon);
}

static int set_action(struct parser *p, const struct key *k, const struct value *v, size_t n,
		      enum config_action *out);

static int set_on_poweroff(struct parser *p, const struct key *k, const struct value *v)
{
	return set_action(p, k, v, COUNT(action_names), &p->cfg->on_poweroff);
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

/* hv's own key: xl has no entropy device. */
static int set_virtio_rng(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 0, 1, &p->cfg->virtio_rng);
}

/* ---- xl.cfg keys: mapped to what hv has, noted, or refused ---- */

static int warn_at(struct parser *p, const struct key *k, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds the line text (which names key) to cfg's warnings, once per key. */
static void add_warning(struct domain_config *cfg, const char *key, const char *text)
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
static int warn_at(struct parser *p, const struct key *k, int line, const char *fmt, ...)
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
	add_warning(p->cfg, k->name, text);
	return 0;
}

/* Whether v asks for nothing: 0, "" or an empty list (a list of '' asks
 * for one device with xl's defaults). */
static int is_off(const struct value *v)
{
	if (v->type == VAL_INT)
		return v->num == 0;
	if (v->type == VAL_STRING)
		return v->text[0] == '\0';
	return v->type == VAL_LIST && v->count == 0;
}

/* A device or feature hv has not got: accepted when off, otherwise an
 * error whose text (k->expect) says what hv offers instead. */
static int refuse_unless_off(struct parser *p, const struct key *k, const struct value *v)
{
	return is_off(v) ? 0 : fail_at(p, v->line, "%s: %s", k->name, k->expect);
}

/* A key with no meaning in hv: accepted, with its note (k->expect) as a
 * warning. */
static int note_ignored(struct parser *p, const struct key *k, const struct value *v)
{
	return warn_at(p, k, v->line, "%s", k->expect);
}

static int set_flag(struct parser *p, const struct key *k, const struct value *v, unsigned *out)
{
	unsigned flag;

	if (set_uint(p, k, v, 0, 1, &flag) < 0)
		return -1;
	if (out)
		*out = flag;
	return (int)flag;
}

static int set_type(struct parser *p, const struct key *k, const struct value *v)
{
	static const char *const names[] = {"hvm", "pvh"};
	int i;

	if (strcmp(v->text, "pv") == 0 || strcmp(v->text, "generic") == 0)
		return fail_at(p, v->line,
			       "%s: \"%s\" (a Xen PV guest) is not supported; hv runs \"hvm\" "
			       "(SeaBIOS and the emulated PC) or \"pvh\" (a Linux kernel booted "
			       "directly with kernel=)",
			       k->name, v->text);
	i = choose(p, k, v, names, k->name[0] == 'b' ? 1 : COUNT(names));
	if (i < 0)
		return -1;
	p->cfg->type = i == 0 ? CONFIG_TYPE_HVM : CONFIG_TYPE_PVH;
	return 0;
}

/* bios = "seabios": the only BIOS hv has. */
static int set_bios(struct parser *p, const struct key *k, const struct value *v)
{
	int named = strcmp(v->text, "bios") == 0 ? 0 : firmware_by_name(p, k, v);

	return named == 1 ? 0 : named < 0 ? -1 : bad_value(p, k, v);
}

static int set_uuid(struct parser *p, const struct key *k, const struct value *v)
{
	const char *s = v->text;

	if (strlen(s) != CONFIG_UUID_CHARS)
		return bad_value(p, k, v);
	for (size_t i = 0; i < CONFIG_UUID_CHARS; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return bad_value(p, k, v);
		p->cfg->uuid[i] = (char)tolower((unsigned char)s[i]);
	}
	p->cfg->uuid[CONFIG_UUID_CHARS] = '\0';
	return 0;
}

static int set_maxmem(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 1, 65536, &p->cfg->maxmem_mib);
}

static int set_maxvcpus(struct parser *p, const struct key *k, const struct value *v)
{
	return set_cpu_count(p, k, v, &p->cfg->maxvcpus);
}

/* sdl = 1 asks xl for a window; hv serves the screen to `hv view`. */
static int set_sdl(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on <= 0)
		return on;
	return warn_at(p, k, v->line,
		       "hv opens no window itself; `hv view NAME` shows the screen in an SDL "
		       "window");
}

static int set_vga(struct parser *p, const struct key *k, const struct value *v)
{
	static const char *const names[] = {"stdvga", "cirrus"};
	int i;

	if (strcmp(v->text, "none") == 0 || strcmp(v->text, "qxl") == 0)
		return fail_at(p, v->line,
			       "%s: \"%s\" is not supported yet; hv's PC has a standard VGA with "
			       "VBE (\"stdvga\")",
			       k->name, v->text);
	i = choose(p, k, v, names, COUNT(names));
	if (i <= 0)
		return i;
	return warn_at(p, k, v->line,
		       "hv has no Cirrus card; the guest gets a standard VGA with VBE "
		       "(\"stdvga\")");
}

static int set_videoram(struct parser *p, const struct key *k, const struct value *v)
{
	unsigned mib;

	if (set_uint(p, k, v, 1, 1024, &mib) < 0)
		return -1;
	if (mib == CONFIG_VIDEORAM_MIB)
		return 0;
	return warn_at(p, k, v->line, "ignored; hv's VGA always has %u MiB", CONFIG_VIDEORAM_MIB);
}

/* xl's actions that hv has not got, with why. */
static int refuse_xl_action(struct parser *p, const struct key *k, const struct value *v,
			    const char *offered)
{
	if (strncmp(v->text, "coredump-", 9) == 0)
		return fail_at(p, v->line,
			       "%s: \"%s\" is not supported (hv writes no core dumps); "
			       "expected %s",
			       k->name, v->text, offered);
	if (strcmp(v->text, "rename-restart") == 0 || strcmp(v->text, "soft-reset") == 0)
		return fail_at(p, v->line, "%s: \"%s\" is not supported yet; expected %s", k->name,
			       v->text, offered);
	return 0;
}

static int set_action(struct parser *p, const struct key *k, const struct value *v, size_t n,
		      enum config_action *out)
{
	int i;

	if (refuse_xl_action(p, k, v, k->expect) < 0)
		return -1;
	i = choose(p, k, v, action_names, n);
	if (i < 0)
		return -1;
	*out = (enum config_action)i;
	return 0;
}

static int set_on_reboot(struct parser *p, const struct key *k, const struct value *v)
{
	return set_action(p, k, v, COUNT(action_names), &p->cfg->on_reboot);
}

/* A crashed domain cannot be kept yet: destroy or restart. */
static int set_on_crash(struct parser *p, const struct key *k, const struct value *v)
{
	if (strcmp(v->text, "preserve") == 0)
		return fail_at(p, v->line,
			       "%s: \"preserve\" is not supported yet (a crashed domain is not "
			       "kept); expected %s",
			       k->name, k->expect);
	return set_action(p, k, v, CONFIG_ACTION_PRESERVE, &p->cfg->on_crash);
}

static int set_localtime(struct parser *p, const struct key *k, const struct value *v)
{
	return set_flag(p, k, v, &p->cfg->localtime) < 0 ? -1 : 0;
}

/* Only 0: the RTC starts at the host's time, UTC or local. */
static int set_rtc_timeoffset(struct parser *p, const struct key *k, const struct value *v)
{
	if (strcmp(v->text, "0") == 0 || strcmp(v->text, "-0") == 0 || strcmp(v->text, "+0") == 0)
		return 0;
	return fail_at(p, v->line, "%s: %s", k->name, k->expect);
}

static int set_acpi(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on != 0)
		return on < 0 ? -1 : 0;
	return warn_at(p, k, v->line,
		       "ignored; SeaBIOS and hv's direct kernel boot always give the guest ACPI "
		       "tables");
}

static int set_apic(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on <= 0)
		return on;
	return warn_at(p, k, v->line,
		       "ignored; hv's PC has no I/O APIC yet, interrupts go through the 8259 "
		       "PICs");
}

static int set_hpet(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on <= 0)
		return on;
	return warn_at(p, k, v->line,
		       "ignored; hv's PC has no HPET, the guest uses the PIT and the RTC");
}

/* xl's older spelling of vga = "stdvga" (1) or "cirrus" (0). */
static int set_stdvga(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on != 0)
		return on < 0 ? -1 : 0;
	return warn_at(
	    p, k, v->line,
	    "hv has no Cirrus card; the guest gets a standard VGA with VBE (\"stdvga\")");
}

static int set_nestedhvm(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on <= 0)
		return on;
	return fail_at(p, v->line, "%s: nested virtualisation is not supported; use nestedhvm = 0",
		       k->name);
}

#define SCHEDULER_NOTE                                                                             \
	"ignored; a domain's vCPU is a host thread the host's scheduler runs (taskset and nice "   \
	"apply to the domain process)"

#define DEVICE_MODEL_NOTE                                                                          \
	"ignored; hv emulates the PC inside the domain process, with no separate device model"

/* hv's sound sink: the desktop (PulseAudio), nothing, or a WAV file. */
static int set_audio(struct parser *p, const struct key *k, const struct value *v)
{
	char path[PATH_MAX];

	if (strcmp(v->text, "pulse") == 0 || strcmp(v->text, "none") == 0) {
		strcpy(p->cfg->audio, v->text);
		return 0;
	}
	if (strncmp(v->text, "wav:", 4) != 0)
		return bad_value(p, k, v);
	if (!v->text[4])
		return fail_at(p, v->line, "%s: expected a path after \"wav:\"", k->name);
	if (resolve_path(p, k, v, v->text + 4, path) < 0)
		return -1;
	snprintf(p->cfg->audio, sizeof p->cfg->audio, "wav:%s", path);
	return 0;
}

static int set_audio_latency(struct parser *p, const struct key *k, const struct value *v)
{
	return set_uint(p, k, v, 10, 1000, &p->cfg->audio_latency_ms);
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
    {"virtio_rng", VAL_INT, "0 or 1 (a virtio entropy device fed from getrandom)", set_virtio_rng},
    /* xl.cfg keys. For refuse_unless_off and note_ignored rows, the text
     * is the message: what hv offers instead. */
    {"type", VAL_STRING, "\"hvm\" (SeaBIOS and the emulated PC) or \"pvh\" (direct kernel boot)",
     set_type},
    {"builder", VAL_STRING, "\"hvm\" (type = \"hvm\" is the current spelling)", set_type},
    {"bios", VAL_STRING, "\"seabios\"", set_bios},
    {"uuid", VAL_STRING, "a UUID such as \"c0ffee00-1234-4abc-8def-0123456789ab\"", set_uuid},
    {"maxmem", VAL_INT, "an integer from 1 to 65536 (MiB)", set_maxmem},
    {"maxvcpus", VAL_INT, "an integer from 1 to 64", set_maxvcpus},
    {"cmdline", VAL_STRING, "a kernel command line of printable characters", set_extra},
    {"vif", VAL_ANY,
     "network interfaces are not supported yet; hv has no guest network today (use vif = [])",
     refuse_unless_off},
    {"vfb", VAL_ANY,
     "not supported yet; every domain has a VGA screen that `hv view NAME` shows (use vfb = [])",
     refuse_unless_off},
    {"vnc", VAL_INT, "VNC is not supported; `hv view NAME` shows the screen in an SDL window",
     refuse_unless_off},
    {"sdl", VAL_INT, "0 or 1", set_sdl},
    {"vga", VAL_STRING, "\"stdvga\" or \"cirrus\"", set_vga},
    {"videoram", VAL_INT, "an integer from 1 to 1024 (MiB)", set_videoram},
    {"soundhw", VAL_ANY, "emulated sound cards are not supported yet (remove soundhw)",
     refuse_unless_off},
    {"usb", VAL_INT,
     "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse (`hv view`, "
     "`hv send-keys`)",
     refuse_unless_off},
    {"usbdevice", VAL_ANY,
     "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse (`hv view`, "
     "`hv send-keys`)",
     refuse_unless_off},
    {"usbctrl", VAL_ANY, "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse",
     refuse_unless_off},
    {"usbdev", VAL_ANY, "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse",
     refuse_unless_off},
    {"on_reboot", VAL_STRING, "\"destroy\", \"restart\" or \"preserve\"", set_on_reboot},
    {"on_crash", VAL_STRING, "\"destroy\" or \"restart\"", set_on_crash},
    {"on_watchdog", VAL_STRING, "ignored; hv's PC has no watchdog device", note_ignored},
    {"on_soft_reset", VAL_STRING, "ignored; hv has no Xen soft reset (a guest's kexec needs none)",
     note_ignored},
    {"localtime", VAL_INT, "0 (the RTC keeps UTC) or 1 (the host's local time)", set_localtime},
    {"rtc_timeoffset", VAL_INT | VAL_WORD,
     "not supported yet; the RTC starts at the host's UTC time, or its local time with "
     "localtime = 1 (use rtc_timeoffset = 0)",
     set_rtc_timeoffset},
    {"acpi", VAL_INT, "0 or 1", set_acpi},
    {"apic", VAL_INT, "0 or 1", set_apic},
    {"pae", VAL_INT,
     "ignored; the kvm engine gives the guest the host CPU's PAE, the soft engine (an i686) "
     "has none",
     note_ignored},
    {"hap", VAL_INT,
     "ignored; the kvm engine uses the host's nested paging when KVM does, the soft engine "
     "has none",
     note_ignored},
    {"nestedhvm", VAL_INT, "0 or 1", set_nestedhvm},
    {"cpuid", VAL_ANY,
     "CPUID policies are not supported yet; the soft engine reports its own i686, the kvm "
     "engine the host CPU",
     refuse_unless_off},
    {"viridian", VAL_ANY,
     "Hyper-V enlightenments are not supported; the guest sees the emulated PC alone (use "
     "viridian = 0)",
     refuse_unless_off},
    {"pci", VAL_ANY, "PCI passthrough is not supported (use pci = [])", refuse_unless_off},
    {"vkb", VAL_ANY,
     "not supported yet; every domain has a PS/2 keyboard and mouse (`hv view`, "
     "`hv send-keys`)",
     refuse_unless_off},
    {"channel", VAL_ANY,
     "not supported yet; hv offers two serial ports (serial, serial2) and a debug console "
     "(debugcon)",
     refuse_unless_off},
    {"hpet", VAL_INT, "0 or 1", set_hpet},
    {"stdvga", VAL_INT, "0 or 1", set_stdvga},
    {"keymap", VAL_STRING,
     "ignored; `hv view` sends the host keyboard's scan codes, the guest chooses its layout",
     note_ignored},
    {"xen_platform_pci", VAL_INT, "ignored; hv's PC has no Xen platform device", note_ignored},
    {"cpus", VAL_ANY, SCHEDULER_NOTE, note_ignored},
    {"cpu_weight", VAL_INT, SCHEDULER_NOTE, note_ignored},
    {"cap", VAL_INT, SCHEDULER_NOTE, note_ignored},
    {"pool", VAL_STRING, SCHEDULER_NOTE, note_ignored},
    {"shadow_memory", VAL_INT, "ignored; hv keeps no shadow page tables", note_ignored},
    {"timer_mode", VAL_ANY, "ignored; hv's PIT and RTC keep the domain's virtual time",
     note_ignored},
    {"tsc_mode", VAL_ANY, "ignored; hv's PIT and RTC keep the domain's virtual time", note_ignored},
    {"device_model_version", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_override", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_stubdomain_override", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_args", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_args_hvm", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_user", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"audio", VAL_STRING, "\"pulse\", \"none\" or \"wav:PATH\"", set_audio},
    {"audio_latency_ms", VAL_INT, "an integer from 10 to 1000 (ms)", set_audio_latency},
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

/* Reads past the value of an unknown key, so that the next statement's
 * problems are reported too; a syntax error there stops the parse with
 * the unknown key's message, as before. */
static int skip_statement(struct parser *p, const char *name)
{
	char saved[512];
	struct value v = {0};
	int rc;

	snprintf(saved, sizeof saved, "%s", p->err ? p->err : "");
	rc = parse_value(p, &v, name);
	if (rc == 0)
		rc = end_statement(p, name);
	value_free(&v);
	if (rc < 0 && p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s", saved);
	return rc < 0 ? -1 : 1;
}

/* Returns 0, 1 for a statement read whole but refused (an unknown key, a
 * bad value: the parse goes on), or -1 for a syntax error. */
static int parse_statement(struct parser *p)
{
	char name[KEY_CHARS_MAX + 1];
	struct value v = {0};
	const struct key *k;
	int line = p->line, rc;

	if (parse_key(p, name) < 0)
		return -1;
	k = find_key(p, name, line);
	if (!k)
		return skip_statement(p, name);
	rc = parse_value(p, &v, name);
	if (rc == 0)
		rc = end_statement(p, name);
	if (rc == 0 && apply(p, k, &v, line) < 0)
		rc = 1;
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

/* Adds the message in p->err to the ones gathered in all, one a line. */
static void gather(struct parser *p, char *all, size_t size, unsigned *n)
{
	size_t used = strlen(all);

	if (!p->err || used + 1 >= size)
		return;
	snprintf(all + used, size - used, "%s%s", *n ? "\n" : "", p->err);
	(*n)++;
}

/* Every refused statement is reported, so that a config from elsewhere
 * shows all its problems in one run; a syntax error stops the parse. */
static int parse_text(struct parser *p)
{
	char all[CONFIG_ERRORS_CHARS] = "";
	unsigned n = 0;
	int rc = 0;

	if (check_text(p) < 0)
		return -1;
	if (p->len >= 3 && memcmp(p->text, "\xef\xbb\xbf", 3) == 0)
		p->pos = 3; /* a UTF-8 byte order mark, as some editors write */
	while (rc >= 0 && n < CONFIG_ERRORS_MAX) {
		skip_blanks(p);
		if (peek(p) == EOF)
			break;
		if (peek(p) == '\n' || peek(p) == ';') {
			p->line += peek(p) == '\n';
			p->pos++;
			continue;
		}
		rc = parse_statement(p);
		if (rc != 0)
			gather(p, all, sizeof all, &n);
	}
	if (n && p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s", all);
	return n ? -1 : 0;
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
	    .serial = {{.kind = CHARDEV_STDIO}, {.kind = CHARDEV_NONE}},
	    .debugcon = {.kind = CHARDEV_NONE},
	    .on_poweroff = CONFIG_ACTION_DESTROY,
	    .boot = "cd",
	    .boot_menu = 1,
	    .on_reboot = CONFIG_ACTION_RESTART,
	    .on_crash = CONFIG_ACTION_DESTROY,
	    .audio = "pulse",
	    .audio_latency_ms = 30,
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

/* The name of t as written in a config file; "" for the default. */
const char *config_type_name(enum config_type t)
{
	return t == CONFIG_TYPE_HVM ? "hvm" : t == CONFIG_TYPE_PVH ? "pvh" : "";
}

/* $HV_SEABIOS, for a SeaBIOS installed elsewhere, or Debian's. */
const char *config_seabios_path(void)
{
	const char *env = getenv("HV_SEABIOS");

	return env && env[0] ? env : CONFIG_SEABIOS_PATH;
}

/* Without firmware= or kernel=, an HVM domain boots SeaBIOS, as under Xen
 * and QEMU. */
static int resolve_firmware(struct domain_config *cfg, const char *file, char *err, size_t errlen)
{
	const char *bios = config_seabios_path();

	if (cfg->type == CONFIG_TYPE_PVH && !cfg->kernel[0]) {
		set_error(err, errlen,
			  "%s: type = \"pvh\" boots a kernel directly: give kernel= (or use "
			  "type = \"hvm\" for SeaBIOS)",
			  file);
		return -1;
	}
	if (cfg->firmware[0] || cfg->kernel[0])
		return 0;
	if (access(bios, R_OK) < 0) {
		set_error(err, errlen,
			  "%s: no firmware= or kernel= given, and SeaBIOS (%s) is missing: %s; "
			  "install Debian's seabios package (apt-get install seabios)",
			  file, bios, strerror(errno));
		return -1;
	}
	snprintf(cfg->firmware, sizeof cfg->firmware, "%s", bios);
	return 0;
}

/* Settles what depends on several keys. Returns 0 or -1 with err set. */
int config_resolve(struct domain_config *cfg, char *err, size_t errlen)
{
	const char *file = cfg->file[0] ? cfg->file : "configuration";
	char text[CONFIG_WARNING_CHARS];

	if (resolve_firmware(cfg, file, err, errlen) < 0)
		return -1;
	if (cfg->maxmem_mib && cfg->maxmem_mib < cfg->memory_mib) {
		set_error(err, errlen, "%s: maxmem = %u is less than memory = %u (MiB)", file,
			  cfg->maxmem_mib, cfg->memory_mib);
		return -1;
	}
	if (cfg->maxmem_mib > cfg->memory_mib) {
		set_error(text, sizeof text,
			  "%s: maxmem: hv has no ballooning; the domain has memory = %u MiB "
			  "throughout",
			  file, cfg->memory_mib);
		add_warning(cfg, "maxmem", text);
	}
	return 0;
}
