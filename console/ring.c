/* Console byte ring: a power-of-two buffer indexed by absolute positions,
 * so "where am I" for a reader is one number and loss is a subtraction. */
#include "console/ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static size_t round_up_pow2(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Allocates the buffer, size rounded up to a power of two (at least 1). */
int ring_init(struct ring *r, size_t size)
{
	if (size > (SIZE_MAX >> 1) + 1) {
		errno = ENOMEM;
		return -1;
	}
	r->size = round_up_pow2(size);
	r->head = 0;
	r->buf = malloc(r->size);
	if (!r->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Frees the buffer; the ring may be initialised again. */
void ring_destroy(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->size = 0;
	r->head = 0;
}

/* Appends len bytes, overwriting the oldest when full. */
void ring_write(struct ring *r, const void *data, size_t len)
{
	const uint8_t *src = data;
	size_t at, first;

	if (len == 0)
		return;
	if (len > r->size) {
		/* Only the last r->size bytes can survive: skip the rest but
		 * count them, so readers see them as lost. */
		src += len - r->size;
		r->head += len - r->size;
		len = r->size;
	}
	at = r->head & (r->size - 1);
	first = r->size - at < len ? r->size - at : len;
	memcpy(r->buf + at, src, first);
	memcpy(r->buf, src + first, len - first);
	r->head += len;
}

/* Oldest position still held. */
uint64_t ring_tail(const struct ring *r)
{
	return r->head > r->size ? r->head - r->size : 0;
}

/* Copies from *pos onwards; see ring.h for the lost and clamping rules. */
size_t ring_read(const struct ring *r, uint64_t *pos, void *out, size_t len, uint64_t *lost)
{
	uint64_t tail = ring_tail(r);
	size_t n, at, first;

	if (*pos > r->head)
		*pos = r->head;
	if (*pos < tail) {
		if (lost)
			*lost += tail - *pos;
		*pos = tail;
	}
	n = r->head - *pos < len ? (size_t)(r->head - *pos) : len;
	if (n == 0)
		return 0;
	at = *pos & (r->size - 1);
	first = r->size - at < n ? r->size - at : n;
	memcpy(out, r->buf + at, first);
	memcpy((uint8_t *)out + first, r->buf, n - first);
	*pos += n;
	return n;
}
