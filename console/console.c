#include "console/console.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static uint64_t log_max = CONSOLE_LOG_MAX_DEFAULT;

void console_set_log_max(uint64_t bytes)
{
	log_max = bytes;
}

int console_init(struct console *c, int log_dirfd, const char *log_path, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->log_fd = -1;
	if (ring_init(&c->ring, CONSOLE_RING_SIZE) < 0) {
		snprintf(err, errlen, "console: out of memory");
		return -1;
	}
	c->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->notify_fd < 0) {
		snprintf(err, errlen, "console: eventfd: %s", strerror(errno));
		ring_destroy(&c->ring);
		return -1;
	}
	if (log_path) {
		if (capfile_open_at(&c->log, log_dirfd, log_path, log_max, true, true, err,
				    errlen) < 0) {
			console_destroy(c);
			return -1;
		}
		c->log_fd = c->log.fd;
	}
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

void console_destroy(struct console *c)
{
	if (c->log_fd >= 0)
		capfile_close(&c->log);
	if (c->notify_fd >= 0)
		close(c->notify_fd);
	ring_destroy(&c->ring);
	c->log_fd = c->notify_fd = -1;
}

/* A full disk or the cap loses log bytes, never the guest's output. */
static void write_log(struct console *c, const void *buf, size_t len)
{
	if (c->log_fd < 0)
		return;
	capfile_write(&c->log, buf, len);
	c->log_fd = c->log.fd;
}

void console_output(struct console *c, const void *buf, size_t len)
{
	uint64_t one = 1;

	pthread_mutex_lock(&c->lock);
	ring_write(&c->ring, buf, len);
	write_log(c, buf, len);
	pthread_mutex_unlock(&c->lock);
	if (write(c->notify_fd, &one, sizeof one) < 0) {
		/* The counter is saturated: readers are already woken. */
	}
}

size_t console_read(struct console *c, uint64_t *pos, void *buf, size_t len, uint64_t *lost)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = ring_read(&c->ring, pos, buf, len, lost);
	pthread_mutex_unlock(&c->lock);
	return n;
}

uint64_t console_head(struct console *c)
{
	uint64_t head;

	pthread_mutex_lock(&c->lock);
	head = c->ring.head;
	pthread_mutex_unlock(&c->lock);
	return head;
}

uint64_t console_tail(struct console *c)
{
	uint64_t tail;

	pthread_mutex_lock(&c->lock);
	tail = ring_tail(&c->ring);
	pthread_mutex_unlock(&c->lock);
	return tail;
}

size_t console_input(struct console *c, const void *buf, size_t len)
{
	size_t room, n;

	pthread_mutex_lock(&c->lock);
	room = sizeof c->input - c->input_len;
	n = len < room ? len : room;
	memcpy(c->input + c->input_len, buf, n);
	c->input_len += n;
	c->input_dropped += len - n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

size_t console_take_input(struct console *c, uint8_t *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->input_len < max ? c->input_len : max;
	memcpy(out, c->input, n);
	memmove(c->input, c->input + n, c->input_len - n);
	c->input_len -= n;
	c->bytes_in += n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

size_t console_peek_input(struct console *c, uint8_t *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->input_len < max ? c->input_len : max;
	memcpy(out, c->input, n);
	pthread_mutex_unlock(&c->lock);
	return n;
}

void console_consume_input(struct console *c, size_t n)
{
	pthread_mutex_lock(&c->lock);
	if (n > c->input_len)
		n = c->input_len;
	memmove(c->input, c->input + n, c->input_len - n);
	c->input_len -= n;
	c->bytes_in += n;
	pthread_mutex_unlock(&c->lock);
}

size_t console_input_pending(struct console *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->input_len;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void console_ack_notify(struct console *c)
{
	uint64_t v;

	if (read(c->notify_fd, &v, sizeof v) < 0) {
		/* EAGAIN: nothing to clear. */
	}
}
