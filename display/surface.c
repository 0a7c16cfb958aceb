/* Display surfaces: memfd pixels, resize, damage. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/surface.h"

int surface_init(struct surface *s, const char *name, char *err, size_t errlen)
{
	char label[80];

	memset(s, 0, sizeof *s);
	snprintf(label, sizeof label, "hv-screen-%s", name);
	s->fd = memfd_create(label, MFD_CLOEXEC);
	if (s->fd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		return -1;
	}
	if (ftruncate(s->fd, (off_t)SURFACE_MAP_BYTES) < 0) {
		snprintf(err, errlen, "sizing the screen memfd: %s", strerror(errno));
		close(s->fd);
		return -1;
	}
	s->pixels = mmap(NULL, SURFACE_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->pixels == MAP_FAILED) {
		snprintf(err, errlen, "mapping the screen memfd: %s", strerror(errno));
		s->pixels = NULL;
		close(s->fd);
		return -1;
	}
	s->cursor = (struct surface_cursor *)((char *)s->pixels + SURFACE_CURSOR_AT);
	return surface_resize(s, 640, 480);
}

void surface_fini(struct surface *s)
{
	if (!s->pixels || s->pixels == MAP_FAILED)
		return; /* never made, or already gone */
	munmap(s->pixels, SURFACE_MAP_BYTES);
	close(s->fd);
	s->pixels = NULL;
	s->fd = -1;
}

int surface_resize(struct surface *s, unsigned w, unsigned h)
{
	if (w == 0 || h == 0 || w > SURFACE_MAX_WIDTH || h > SURFACE_MAX_HEIGHT)
		return -1;
	s->width = w;
	s->height = h;
	s->stride = w * 4;
	s->gen++;
	memset(s->pixels, 0, (size_t)s->stride * h);
	s->dirty = (struct rect){0, 0, w, h};
	return 0;
}

struct rect rect_union(struct rect a, struct rect b)
{
	unsigned x1, y1, x2, y2;

	if (a.w == 0 || a.h == 0)
		return b;
	if (b.w == 0 || b.h == 0)
		return a;
	x1 = a.x < b.x ? a.x : b.x;
	y1 = a.y < b.y ? a.y : b.y;
	x2 = a.x + a.w > b.x + b.w ? a.x + a.w : b.x + b.w;
	y2 = a.y + a.h > b.y + b.h ? a.y + a.h : b.y + b.h;
	return (struct rect){x1, y1, x2 - x1, y2 - y1};
}

void surface_damage(struct surface *s, unsigned x, unsigned y, unsigned w, unsigned h)
{
	if (x >= s->width || y >= s->height)
		return;
	if (w > s->width - x)
		w = s->width - x;
	if (h > s->height - y)
		h = s->height - y;
	s->dirty = rect_union(s->dirty, (struct rect){x, y, w, h});
}

bool surface_take_damage(struct surface *s, struct rect *r)
{
	if (s->dirty.w == 0 || s->dirty.h == 0)
		return false;
	*r = s->dirty;
	s->dirty = (struct rect){0, 0, 0, 0};
	return true;
}

void surface_set_cursor(struct surface *s, bool visible, int x, int y, const uint32_t *image,
			unsigned hot_x, unsigned hot_y)
{
	struct surface_cursor *c = s->cursor;
	uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&c->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->visible = visible;
	c->x = x;
	c->y = y;
	if (image) {
		memcpy(c->image, image, sizeof c->image);
		c->hot_x = hot_x < SURFACE_CURSOR_SIZE ? hot_x : SURFACE_CURSOR_SIZE - 1;
		c->hot_y = hot_y < SURFACE_CURSOR_SIZE ? hot_y : SURFACE_CURSOR_SIZE - 1;
		c->serial++;
	}
	__atomic_store_n(&c->seq, seq + 2, __ATOMIC_RELEASE);
	s->cursor_dirty = true;
}

bool surface_read_cursor(const struct surface_cursor *shared, struct surface_cursor *out)
{
	for (int tries = 0; tries < 8; tries++) {
		uint32_t before = __atomic_load_n(&shared->seq, __ATOMIC_ACQUIRE);

		if (before & 1)
			continue;
		memcpy(out, (const void *)shared, sizeof *out);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&shared->seq, __ATOMIC_RELAXED) != before)
			continue;
		if (out->hot_x >= SURFACE_CURSOR_SIZE || out->hot_y >= SURFACE_CURSOR_SIZE)
			break;
		out->visible = out->visible != 0;
		return true;
	}
	out->visible = 0;
	return false;
}

static uint32_t blend(uint32_t dst, uint32_t src)
{
	uint32_t a = src >> 24, r = 0;

	if (a == 255)
		return src & 0xFFFFFF;
	for (int sh = 0; sh < 24; sh += 8) {
		uint32_t d = (dst >> sh) & 0xFF, c = (src >> sh) & 0xFF;
		r |= ((c * a + d * (255 - a) + 127) / 255) << sh;
	}
	return r;
}

void surface_draw_cursor(uint32_t *pixels, unsigned w, unsigned h, unsigned stride,
			 const struct surface_cursor *c)
{
	long x0, y0;

	if (!c->visible || c->hot_x >= SURFACE_CURSOR_SIZE || c->hot_y >= SURFACE_CURSOR_SIZE)
		return;
	x0 = (long)c->x - c->hot_x;
	y0 = (long)c->y - c->hot_y;
	for (long j = 0; j < SURFACE_CURSOR_SIZE; j++) {
		uint32_t *row;

		if (y0 + j < 0 || y0 + j >= (long)h)
			continue;
		row = (uint32_t *)((char *)pixels + (size_t)(y0 + j) * stride);
		for (long i = 0; i < SURFACE_CURSOR_SIZE; i++) {
			uint32_t src = c->image[j * SURFACE_CURSOR_SIZE + i];

			if (x0 + i < 0 || x0 + i >= (long)w || (src >> 24) == 0)
				continue;
			row[x0 + i] = blend(row[x0 + i], src);
		}
	}
}
