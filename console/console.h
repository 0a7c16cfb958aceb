/* The console backend of one serial port: every byte the guest sends is
 * kept in a ring (scrollback for clients that attach later) and appended
 * to the domain's console log; clients read the ring at their own pace, so
 * a client that stops reading never slows the guest. Input from clients
 * waits in a small queue until the device has room for it. */
#ifndef HV_CONSOLE_CONSOLE_H
#define HV_CONSOLE_CONSOLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "console/ring.h"
#include "hv/core/capfile.h"

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_INPUT_MAX 4096

struct console {
	pthread_mutex_t lock;
	struct ring ring;
	int log_fd;	    /* log.fd while the log is open, -1 if no log */
	struct capfile log; /* capped at console_set_log_max's size, rotated */
	int notify_fd;	    /* eventfd: readable when new output arrived */
	uint8_t input[CONSOLE_INPUT_MAX];
	size_t input_len;
	uint64_t bytes_in; /* host to guest, delivered */
	uint64_t input_dropped;
};

/* The cap of console logs opened from now on, in bytes (0: none); at the
 * cap a log is renamed to PATH.1 and begun afresh. The default is
 * CONSOLE_LOG_MAX_DEFAULT. */
#define CONSOLE_LOG_MAX_DEFAULT (1024 * 1024)
void console_set_log_max(uint64_t bytes);

/* log_path may be NULL; the log is created 0640, truncated, never through
 * a symbolic link, relative to log_dirfd (its directory, opened and
 * checked: capfile_open_at) when that is >= 0. Returns 0 or -1 with err
 * set. */
int console_init(struct console *c, int log_dirfd, const char *log_path, char *err, size_t errlen);
void console_destroy(struct console *c);

/* Guest output: into the ring and the log; wakes readers. Any thread. */
void console_output(struct console *c, const void *buf, size_t len);

/* Reads output from *pos on (see ring_read). */
size_t console_read(struct console *c, uint64_t *pos, void *buf, size_t len, uint64_t *lost);

/* Current end of output: where a client that wants no history starts. */
uint64_t console_head(struct console *c);

/* Oldest output still held: where a client that wants history starts. */
uint64_t console_tail(struct console *c);

/* Host input for the guest; what does not fit the queue is dropped and
 * counted. Returns bytes queued. */
size_t console_input(struct console *c, const void *buf, size_t len);

/* Takes up to max queued input bytes for the device. */
size_t console_take_input(struct console *c, uint8_t *out, size_t max);

/* For a device that learns how much it takes only by trying (virtio's
 * posted buffers): copies up to max queued bytes without taking them,
 * then removes the n the device took. */
size_t console_peek_input(struct console *c, uint8_t *out, size_t max);
void console_consume_input(struct console *c, size_t n);

/* Bytes waiting for the device. */
size_t console_input_pending(struct console *c);

/* Clears the notification (call when the eventfd polled readable). */
void console_ack_notify(struct console *c);

#endif
