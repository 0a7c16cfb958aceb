/* From virtio-gpu's scanout to the domain's display surface: only what
 * the driver flushed is copied (everything after a new scanout or a
 * resize), and it becomes the surface's damage for viewers. */
#include <string.h>

#include "hv/virtio/virtio_gpu.h"

bool virtio_gpu_scanout_active(const struct virtio_gpu *gpu)
{
	return gpu->scanout_res != 0;
}

static unsigned clamp(unsigned v, unsigned max)
{
	return v < max ? v : max;
}

bool virtio_gpu_render(struct virtio_gpu *gpu, struct surface *s, bool force)
{
	struct virtio_gpu_res *res = virtio_gpu_res_find(gpu, gpu->scanout_res);
	const struct rect *sr = &gpu->scanout_rect;
	unsigned w, h, x1, y1;
	struct rect d;

	if (!res)
		return false;
	w = clamp(sr->w, SURFACE_MAX_WIDTH);
	h = clamp(sr->h, SURFACE_MAX_HEIGHT);
	if (s->width != w || s->height != h) {
		if (surface_resize(s, w, h) < 0)
			return false;
		force = true;
	}
	if (force || gpu->shown_gen != gpu->scanout_gen)
		gpu->damage = (struct rect){0, 0, w, h};
	gpu->shown_gen = gpu->scanout_gen;
	d = gpu->damage;
	gpu->damage = (struct rect){0};
	x1 = clamp(d.x + d.w, w);
	y1 = clamp(d.y + d.h, h);
	if (d.w == 0 || d.h == 0 || d.x >= x1 || d.y >= y1)
		return true;
	for (unsigned y = d.y; y < y1; y++)
		memcpy(s->pixels + (size_t)y * s->stride / 4 + d.x,
		       res->pixels + (size_t)(sr->y + y) * res->width + sr->x + d.x,
		       (size_t)(x1 - d.x) * 4);
	surface_damage(s, d.x, d.y, x1 - d.x, y1 - d.y);
	return true;
}
