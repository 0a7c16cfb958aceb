#include "hv/core/state.h"

#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"

static uint8_t *room(struct state_out *o, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (o->failed)
		return NULL;
	if (n > STATE_BYTES_MAX - o->len) {
		o->failed = true;
		return NULL;
	}
	if (o->len + n > o->cap) {
		cap = o->cap ? o->cap : 256;
		while (cap < o->len + n)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p) {
			o->failed = true;
			return NULL;
		}
		o->p = p;
		o->cap = cap;
	}
	p = o->p + o->len;
	o->len += n;
	return p;
}

void state_put_bytes(struct state_out *o, const void *v, size_t n)
{
	uint8_t *p = room(o, n);

	if (p && n)
		memcpy(p, v, n);
}

void state_put_u8(struct state_out *o, uint8_t v)
{
	state_put_bytes(o, &v, 1);
}

void state_put_u16(struct state_out *o, uint16_t v)
{
	uint8_t *p = room(o, 2);

	if (p)
		le_put16(p, v);
}

void state_put_u32(struct state_out *o, uint32_t v)
{
	uint8_t *p = room(o, 4);

	if (p)
		le_put32(p, v);
}

void state_put_u64(struct state_out *o, uint64_t v)
{
	uint8_t *p = room(o, 8);

	if (p)
		le_put64(p, v);
}

void state_put_bool(struct state_out *o, bool v)
{
	state_put_u8(o, v ? 1 : 0);
}

void state_out_free(struct state_out *o)
{
	free(o->p);
	*o = (struct state_out){0};
}

/* The next n bytes, or NULL (and the reader failed) when they are not all
 * there. */
static const uint8_t *take(struct state_in *in, size_t n)
{
	const uint8_t *p;

	if (in->failed || n > in->len - in->pos) {
		in->failed = true;
		return NULL;
	}
	p = in->p + in->pos;
	in->pos += n;
	return p;
}

void state_get_bytes(struct state_in *in, void *v, size_t n)
{
	const uint8_t *p = take(in, n);

	if (p)
		memcpy(v, p, n);
	else
		memset(v, 0, n);
}

uint8_t state_get_u8(struct state_in *in)
{
	const uint8_t *p = take(in, 1);

	return p ? p[0] : 0;
}

uint16_t state_get_u16(struct state_in *in)
{
	const uint8_t *p = take(in, 2);

	return p ? le_get16(p) : 0;
}

uint32_t state_get_u32(struct state_in *in)
{
	const uint8_t *p = take(in, 4);

	return p ? le_get32(p) : 0;
}

uint64_t state_get_u64(struct state_in *in)
{
	const uint8_t *p = take(in, 8);

	return p ? le_get32(p) | (uint64_t)le_get32(p + 4) << 32 : 0;
}

bool state_get_bool(struct state_in *in)
{
	uint8_t v = state_get_u8(in);

	if (v > 1)
		in->failed = true;
	return v == 1;
}

uint32_t state_get_max(struct state_in *in, uint32_t max)
{
	uint32_t v = state_get_u32(in);

	if (v <= max)
		return v;
	in->failed = true;
	return 0;
}
