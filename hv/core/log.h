/* Logging for the host side of hv: to stderr and, in a domain process, to
 * the domain's log file. Guest-triggered warnings go through the
 * rate-limited form so a misbehaving guest cannot flood the log. */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Where log lines go. Either may be NULL. The domain process sets both: its
 * log file and (in the foreground) stderr. */
void log_set_sinks(FILE *file, FILE *tty);

/* Makes path (created 0640, never through a symbolic link, appended to)
 * the log file instead of the FILE sink; at max_bytes (0: no cap) it is
 * renamed to path.1 and a new file begun, so the log takes at most twice
 * max_bytes of disk. dirfd >= 0: path's directory, opened and checked
 * (capfile_open_at). Returns 0 or -1 with err set. */
int log_open_file(int dirfd, const char *path, uint64_t max_bytes, char *err, size_t errlen);
void log_close_file(void);

/* The descriptor of log_open_file's file, -1 if none: for a signal
 * handler's last words, written with write(2). */
int log_file_fd(void);

/* The terminal sink alone (NULL: none). */
void log_set_tty(FILE *tty);

/* Lowest level that is written (LOG_INFO by default). */
void log_set_level(enum log_level level);

/* A prefix for every line, e.g. the domain name. */
void log_set_prefix(const char *prefix);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rate limit state for one message site: at most `burst` lines per second,
 * then a single "suppressed N" line when the second is over. */
struct log_ratelimit {
	long window;	  /* second of the current window (monotonic) */
	unsigned count;	  /* lines written in that window */
	unsigned dropped; /* lines suppressed in that window */
};

void log_limited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Guest-caused oddities: one static rate limiter per call site. */
#define log_guest(...)                                                                             \
	do {                                                                                       \
		static struct log_ratelimit rl_;                                                   \
		log_limited(&rl_, LOG_WARN, __VA_ARGS__);                                          \
	} while (0)

/* Guest-caused events worth an info line (resets): rate-limited the same. */
#define log_guest_info(...)                                                                        \
	do {                                                                                       \
		static struct log_ratelimit rl_;                                                   \
		log_limited(&rl_, LOG_INFO, __VA_ARGS__);                                          \
	} while (0)

#endif
