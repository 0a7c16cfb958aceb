/* Log lines: "2026-11-23 20:52:01 demo: warn: message". */
#include "hv/core/log.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

static FILE *log_file;
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

static void write_line(FILE *f, const char *stamp, enum log_level level, const char *text)
{
	if (!f)
		return;
	fprintf(f, "%s%s%s%s: %s\n", stamp, log_prefix, log_prefix[0] ? ": " : "",
		level_names[level], text);
	fflush(f);
}

static void log_text(enum log_level level, const char *text)
{
	char stamp[32] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (localtime_r(&now, &tm))
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &tm);
	pthread_mutex_lock(&log_lock);
	write_line(log_file, stamp, level, text);
	/* The terminal gets no time stamp: a person is reading it now. */
	write_line(log_tty ? log_tty : (log_file ? NULL : stderr), "", level, text);
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
			log_msg(level, "(%u similar messages suppressed)", dropped);
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
