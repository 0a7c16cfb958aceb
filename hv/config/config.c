/* Domain configuration in xl.cfg syntax: a small lexer and parser that
 * turn "key = value" statements into values, each handed to its key's
 * setter (config_keys.c, config_xl.c), which validates it and stores it in
 * the struct domain_config. A new key is one row and one setter. */
#include "hv/config/config.h"
#include "hv/config/config_int.h"
#include "hv/core/hexdigit.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* The key tables, searched in order; a key's index across them all is its
 * slot in parser.set_on. */
static const struct {
	const struct key *keys;
	const size_t *n;
} tables[] = {
    {config_native_keys, &config_native_nkeys},
    {config_xl_keys, &config_xl_nkeys},
};

static size_t key_index(const struct key *k)
{
	size_t base = 0;

	for (size_t t = 0; t < COUNT(tables); t++) {
		if (k >= tables[t].keys && k < tables[t].keys + *tables[t].n)
			return base + (size_t)(k - tables[t].keys);
		base += *tables[t].n;
	}
	return KEYS_MAX; /* not reached: every key comes from a table */
}

static const struct key *find_key(struct parser *p, const char *name, int line)
{
	const char *names[KEYS_MAX], *close;
	size_t n = 0;

	for (size_t t = 0; t < COUNT(tables); t++) {
		for (size_t i = 0; i < *tables[t].n && n < KEYS_MAX; i++) {
			if (strcmp(name, tables[t].keys[i].name) == 0)
				return &tables[t].keys[i];
			names[n++] = tables[t].keys[i].name;
		}
	}
	close = cfg_suggest(name, names, n);
	if (close)
		cfg_fail_at(p, line, "unknown key '%s' (did you mean '%s'?)", name, close);
	else
		cfg_fail_at(p, line, "unknown key '%s'", name);
	return NULL;
}

static int check_type(struct parser *p, const struct key *k, const struct value *v)
{
	if (v->type & k->types)
		return 0;
	if (v->type == VAL_WORD && (k->types & VAL_STRING))
		return cfg_fail_at(p, v->line, "%s: expected a string in quotes, got %s", k->name,
				   v->text);
	return cfg_bad_value(p, k, v);
}

/* Hands v to the key's setter, once per key and text. */
static int apply(struct parser *p, const struct key *k, const struct value *v, int line)
{
	size_t i = key_index(k);

	if (i >= KEYS_MAX)
		return cfg_fail_at(p, line, "%s: too many keys (raise KEYS_MAX)", k->name);
	if (p->set_on[i])
		return cfg_fail_at(p, line, "'%s' is already set on line %d", k->name,
				   p->set_on[i]);
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

static int parse_hex_escape(struct parser *p, int *out)
{
	int hi = hex_digit(p->pos + 1 < p->len ? p->text[p->pos + 1] : -1);
	int lo = hex_digit(p->pos + 2 < p->len ? p->text[p->pos + 2] : -1);

	if (hi < 0 || lo < 0)
		return cfg_fail_at(p, p->line, "expected two hex digits after '\\x'");
	if (hi == 0 && lo == 0)
		return cfg_fail_at(p, p->line, "strings cannot hold a NUL byte ('\\x00')");
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
		return cfg_fail_at(p, p->line, "unterminated string");
	if (!at && c > ' ' && c < 0x7f)
		return cfg_fail_at(p, p->line, "unknown escape '\\%c' in a string", c);
	if (!at) {
		describe_here(p, shown, sizeof shown);
		return cfg_fail_at(p, p->line, "unknown escape: backslash followed by %s", shown);
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
			return cfg_fail_at(p, p->line, "unterminated string");
		p->pos++;
		if (c == '\\' && parse_escape(p, &c) < 0)
			return -1;
		buf[n++] = (char)c;
	}
	p->pos++;
	v->type = VAL_STRING;
	v->text = strndup(buf, n);
	return v->text ? 0 : cfg_out_of_memory(p);
}

/* Turns the word in v into an integer if it is spelled as one. */
static int to_integer(struct parser *p, struct value *v)
{
	int hex = strncasecmp(v->text, "0x", 2) == 0;
	const char *digits = v->text + (hex ? 2 : 0);

	if (!digits[0] || digits[strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789")])
		return 0;
	if (!hex && digits[0] == '0' && digits[1])
		return cfg_fail_at(p, v->line,
				   "%s: leading zeros are not allowed (xl reads them as octal)",
				   v->text);
	errno = 0;
	v->num = strtoull(digits, NULL, hex ? 16 : 10);
	if (errno == ERANGE)
		return cfg_fail_at(p, v->line, "integer %s is too large", v->text);
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
	return v->text ? to_integer(p, v) : cfg_out_of_memory(p);
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
		return cfg_fail_at(p, line, "unterminated list (opened on line %d)", opened);
	}
	describe_here(p, shown, sizeof shown);
	return cfg_fail_at(p, p->line, "expected %s in the list opened on line %d, got %s",
			   expected, opened, shown);
}

static int parse_item(struct parser *p, struct value *list, int opened)
{
	struct value *items;
	int c = peek(p);

	if (c == '[')
		return cfg_fail_at(p, p->line, "lists cannot be nested");
	if (c != '"' && c != '\'' && !is_word_char(c))
		return list_error(p, opened, "a string or an integer");
	items = realloc(list->items, (list->count + 1) * sizeof *items);
	if (!items)
		return cfg_out_of_memory(p);
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
	return cfg_fail_at(p, p->line, "expected a value after '%s =', got %s", key, shown);
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
		return cfg_fail_at(p, p->line, "expected a key name, got %s", shown);
	}
	if (n > KEY_CHARS_MAX)
		return cfg_fail_at(p, p->line, "unknown key '%.20s...'", p->text + start);
	memcpy(key, p->text + start, n);
	key[n] = '\0';
	skip_blanks(p);
	if (peek(p) != '=')
		return cfg_fail_at(p, p->line, "expected '=' after '%s'", key);
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
	return cfg_fail_at(p, p->line, "expected a newline or ';' after the value of '%s', got %s",
			   key, shown);
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
			return cfg_fail_at(p, line, "NUL byte in the file");
		if (p->text[i] == '\n') {
			line++;
			column = 0;
		} else if (++column > LINE_CHARS_MAX) {
			return cfg_fail_at(p, line, "line is longer than %d characters",
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
		cfg_set_error(err, errlen, "%s: %s", path, strerror(error));
	else if (*len > FILE_BYTES_MAX)
		cfg_set_error(err, errlen, "%s: file is larger than %d bytes", path,
			      FILE_BYTES_MAX);
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
	    .hpet = 1,
	    .jit = 1,
	    .kernel_decompress = 1,
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
		return v->text ? 0 : cfg_out_of_memory(p);
	}
	if (parse_value(p, v, name) < 0)
		return -1;
	skip_blanks(p);
	if (peek(p) == EOF)
		return 0;
	describe_here(p, shown, sizeof shown);
	return cfg_fail_at(p, 1, "expected nothing after the value of '%s', got %s", name, shown);
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
		cfg_set_error(err, errlen, "%s: missing required key 'name'",
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
		cfg_set_error(err, errlen,
			      "%s: type = \"pvh\" boots a kernel directly: give kernel= (or use "
			      "type = \"hvm\" for SeaBIOS)",
			      file);
		return -1;
	}
	if (cfg->firmware[0] || cfg->kernel[0])
		return 0;
	if (access(bios, R_OK) < 0) {
		cfg_set_error(err, errlen,
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
	/* Without the VGA the guest needs another way to be seen. */
	if (cfg->vga_none && !cfg->vfb_virtio && cfg->serial[0].kind == CHARDEV_NONE &&
	    !cfg->virtio_console) {
		cfg_set_error(err, errlen,
			      "%s: vga = \"none\" leaves the domain no screen and no console: add "
			      "vfb = [ 'type=virtio' ] or a serial console (serial = ...)",
			      file);
		return -1;
	}
	if (cfg->maxmem_mib && cfg->maxmem_mib < cfg->memory_mib) {
		cfg_set_error(err, errlen, "%s: maxmem = %u is less than memory = %u (MiB)", file,
			      cfg->maxmem_mib, cfg->memory_mib);
		return -1;
	}
	if (cfg->maxmem_mib > cfg->memory_mib) {
		cfg_set_error(text, sizeof text,
			      "%s: maxmem: hv has no ballooning; the domain has memory = %u MiB "
			      "throughout",
			      file, cfg->memory_mib);
		cfg_add_warning(cfg, "maxmem", text);
	}
	return 0;
}
