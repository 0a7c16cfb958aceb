/* The config parser's insides, shared by its files: config.c (lexer,
 * parser, public functions), config_util.c (messages and value helpers),
 * config_keys.c (hv's keys) and config_xl.c (xl.cfg's keys). A new key is
 * one row in one of the key tables and one setter beside it. */
#ifndef HV_CONFIG_INT_H
#define HV_CONFIG_INT_H

#include "hv/config/config.h"

#include <stddef.h>

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

/* The key tables config.c searches, in order. */
extern const struct key config_native_keys[];
extern const size_t config_native_nkeys;
extern const struct key config_xl_keys[];
extern const size_t config_xl_nkeys;

void cfg_add_warning(struct domain_config *cfg, const char *key, const char *text);
int cfg_bad_value(struct parser *p, const struct key *k, const struct value *v);
int cfg_fail_at(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_out_of_memory(struct parser *p);
void cfg_set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *cfg_suggest(const char *word, const char *const *names, size_t n);
int cfg_choose(struct parser *p, const struct key *k, const struct value *v,
	       const char *const *names, size_t n);
int cfg_line_of(const struct parser *p, const struct value *v);
int cfg_resolve_path(struct parser *p, const struct key *k, const struct value *v, const char *path,
		     char *out);
int cfg_set_uint(struct parser *p, const struct key *k, const struct value *v, unsigned min,
		 unsigned max, unsigned *out);
/* A key whose value is a list of at most max entries (a lone string: a
 * list of one), each added by add, which counts it in *count (set to 0
 * first); `what` names the entries in the error for too many. */
int cfg_set_list(struct parser *p, const struct key *k, const struct value *v, unsigned max,
		 const char *what, unsigned *count,
		 int (*add)(struct parser *p, const struct key *k, const struct value *v));
int cfg_warn_at(struct parser *p, const struct key *k, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cfg_firmware_by_name(struct parser *p, const struct key *k, const struct value *v);
int cfg_set_action(struct parser *p, const struct key *k, const struct value *v, size_t n,
		   enum config_action *out);
int cfg_set_cpu_count(struct parser *p, const struct key *k, const struct value *v, unsigned *out);
int cfg_set_extra(struct parser *p, const struct key *k, const struct value *v);
int cfg_set_soundhw(struct parser *p, const struct key *k, const struct value *v);

#endif
