/* Log lines: "2026-11-23 20:52:01 demo: warn: message". */
#include "hv/core/log.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "hv/core/capfile.h"

static FILE *log_file;
static struct capfile log_capped = {.fd = -1}; /* log_open_file's file */
static FILE *log_tty;
static enum log_level log_min = LOG_INFO;
static char log_prefix[80];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_sinks(FILE *file, FILE *tty)
{
	pthread_mutex_lock(&log_lock);
	log_file = file;
	log_tty = tty;
	pthread_mutex_unlock(&log_lock);
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

void log_set_prefix(const char *prefix)
{
	pthread_mutex_lock(&log_lock);
	snprintf(log_prefix, sizeof log_prefix, "%s", prefix ? prefix : "");
	pthread_mutex_unlock(&log_lock);
}

int log_open_file(int dirfd, const char *path, uint64_t max_bytes, char *err, size_t errlen)
{
	struct capfile f;

	if (capfile_open_at(&f, dirfd, path, max_bytes, false, true, err, errlen) < 0)
		return -1;
	pthread_mutex_lock(&log_lock);
	capfile_close(&log_capped);
	log_capped = f;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_close_file(void)
{
	pthread_mutex_lock(&log_lock);
	capfile_close(&log_capped);
	pthread_mutex_unlock(&log_lock);
}

int log_file_fd(void)
{
	return log_capped.fd;
}

void log_set_tty(FILE *tty)
{
	pthread_mutex_lock(&log_lock);
	log_tty = tty;
	pthread_mutex_unlock(&log_lock);
}

static void write_line(FILE *f, struct capfile *cf, const char *stamp, enum log_level level,
		       const char *text)
{
	char line[1200];
	int n;

	if (!f && (!cf || cf->fd < 0))
		return;
	n = snprintf(line, sizeof line, "%s%s%s%s: %s\n", stamp, log_prefix,
		     log_prefix[0] ? ": " : "", level_names[level], text);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	if (cf && cf->fd >= 0) {
		uint64_t rotations = cf->rotations;

		capfile_write(cf, line, (size_t)n);
		if (cf->rotations != rotations) {
			/* The new file says why it starts here. */
			char note[PATH_MAX + 128];
			int k = snprintf(note, sizeof note,
					 "%slog: rotated at its cap of %llu KiB; earlier lines "
					 "are in %s.1\n",
					 stamp, (unsigned long long)(cf->max >> 10), cf->path);
			if (k > 0 && (size_t)k < sizeof note)
				capfile_write(cf, note, (size_t)k);
		}
		return;
	}
	if (f) {
		fputs(line, f);
		fflush(f);
	}
}

static void log_text(enum log_level level, const char *text)
{
	char stamp[32] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &tm);
	pthread_mutex_lock(&log_lock);
	if (log_capped.fd >= 0)
		write_line(NULL, &log_capped, stamp, level, text);
	else
		write_line(log_file, NULL, stamp, level, text);
	/* The terminal gets no time stamp: a person is reading it now. */
	write_line(log_tty ? log_tty : (log_file || log_capped.fd >= 0 ? NULL : stderr), NULL, "",
		   level, text);
	pthread_mutex_unlock(&log_lock);
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof text, fmt, ap);
	log_text(level, text);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static long monotonic_second(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void log_limited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	enum { BURST = 10 };
	long now = monotonic_second();
	va_list ap;

	if (level < log_min)
		return;
	pthread_mutex_lock(&log_lock);
	if (rl->window != now) {
		unsigned dropped = rl->dropped;
		rl->window = now;
		rl->count = 0;
		rl->dropped = 0;
		pthread_mutex_unlock(&log_lock);
		if (dropped)
			log_msg(level, "(%u more like the last, suppressed)", dropped);
		pthread_mutex_lock(&log_lock);
	}
	if (rl->count >= BURST) {
		rl->dropped++;
		pthread_mutex_unlock(&log_lock);
		return;
	}
	rl->count++;
	pthread_mutex_unlock(&log_lock);
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
