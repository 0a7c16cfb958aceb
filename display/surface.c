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
	if (ftruncate(s->fd, (off_t)SURFACE_BYTES) < 0) {
		snprintf(err, errlen, "sizing the screen memfd: %s", strerror(errno));
		close(s->fd);
		return -1;
	}
	s->pixels = mmap(NULL, SURFACE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->pixels == MAP_FAILED) {
		snprintf(err, errlen, "mapping the screen memfd: %s", strerror(errno));
		s->pixels = NULL;
		close(s->fd);
		return -1;
	}
	return surface_resize(s, 640, 480);
}

void surface_fini(struct surface *s)
{
	if (!s->pixels || s->pixels == MAP_FAILED)
		return; /* never made, or already gone */
	munmap(s->pixels, SURFACE_BYTES);
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
