/* Device and CPU state as bytes, for save files and (later) migration
 * streams: a growing writer and a bounded reader of little-endian fields.
 * The reader treats its bytes as hostile: a read past the end fails the
 * reader (and yields zeros) instead of reading on, and every getter that
 * bounds a value fails it for a value out of range, so a load op checks
 * one flag at its end. */
#ifndef HV_CORE_STATE_H
#define HV_CORE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A section larger than this is refused on both sides (VGA's 256 KiB of
 * planes is the largest device today). */
#define STATE_BYTES_MAX (64u << 20)

struct state_out {
	uint8_t *p;
	size_t len, cap;
	bool failed; /* out of memory or over STATE_BYTES_MAX */
};

void state_put_u8(struct state_out *o, uint8_t v);
void state_put_u16(struct state_out *o, uint16_t v);
void state_put_u32(struct state_out *o, uint32_t v);
void state_put_u64(struct state_out *o, uint64_t v);
void state_put_bool(struct state_out *o, bool v);
void state_put_bytes(struct state_out *o, const void *v, size_t n);
void state_out_free(struct state_out *o);

struct state_in {
	const uint8_t *p;
	size_t len, pos;
	bool failed; /* read past the end, or a value out of its range */
};

static inline struct state_in state_in_make(const void *p, size_t len)
{
	return (struct state_in){.p = p, .len = len};
}

uint8_t state_get_u8(struct state_in *in);
uint16_t state_get_u16(struct state_in *in);
uint32_t state_get_u32(struct state_in *in);
uint64_t state_get_u64(struct state_in *in);
/* 0 or 1; anything else fails the reader. */
bool state_get_bool(struct state_in *in);
/* A u32 that must be at most max (an index, a count); 0 when it is not. */
uint32_t state_get_max(struct state_in *in, uint32_t max);
/* n bytes into v (zeros when they are not there). */
void state_get_bytes(struct state_in *in, void *v, size_t n);

/* Whether every byte was read and nothing failed: a load op's verdict. */
static inline bool state_in_done(const struct state_in *in)
{
	return !in->failed && in->pos == in->len;
}

#endif
