/* A byte ring for console output with any number of independent readers.
 * Writers never block: when the ring is full the oldest bytes are
 * overwritten, and a reader that fell behind learns how many it missed.
 * Positions are absolute byte counts since creation, so a reader is just a
 * uint64_t. Not thread-safe by itself; the console backend locks it. */
#ifndef HV_CONSOLE_RING_H
#define HV_CONSOLE_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	size_t size;   /* capacity in bytes (a power of two) */
	uint64_t head; /* total bytes ever written */
};

/* size is rounded up to a power of two. Returns 0 or -1 (ENOMEM). */
int ring_init(struct ring *r, size_t size);
void ring_destroy(struct ring *r);

void ring_write(struct ring *r, const void *data, size_t len);

/* Oldest position still held. */
uint64_t ring_tail(const struct ring *r);

/* Copies up to len bytes starting at *pos into out and advances *pos. If
 * *pos is older than the ring holds, it first jumps to ring_tail() and adds
 * the number of bytes skipped to *lost (if lost is not NULL). A position
 * beyond head is clamped to head. Returns the number of bytes copied. */
size_t ring_read(const struct ring *r, uint64_t *pos, void *out, size_t len, uint64_t *lost);

#endif
