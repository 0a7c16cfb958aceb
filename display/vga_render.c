/* Drives the VGA row renderers: decides when a frame is needed, draws it
 * into a scratch row, and copies and damages only rows that changed. */
#include <stdlib.h>
#include <string.h>

#include "display/vga_render.h"

struct vga_renderer {
	struct vga *vga;
	bool drawn;    /* a frame was drawn (the fields below are valid) */
	uint32_t gen;  /* the VGA's dirty generation then */
	bool blink_on; /* the blink phase then */
	struct vga_mode mode;
	uint32_t row[SURFACE_MAX_WIDTH];
};

struct vga_renderer *vga_renderer_create(struct vga *v)
{
	struct vga_renderer *r = calloc(1, sizeof *r);

	if (r)
		r->vga = v;
	return r;
}

void vga_renderer_destroy(struct vga_renderer *r)
{
	free(r);
}

static bool same_mode(const struct vga_mode *a, const struct vga_mode *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* Whether anything on screen can have changed since the last frame. */
static bool stale(const struct vga_renderer *r, const struct vga_frame *f)
{
	bool blinks = f->mode.kind == VGA_TEXT;

	if (!r->drawn || f->mode.kind == VGA_VBE)
		return true; /* VBE: the guest writes its framebuffer as RAM */
	return r->gen != vga_dirty_generation(r->vga) || !same_mode(&r->mode, &f->mode) ||
	       (blinks && r->blink_on != f->cursor.blink_on);
}

static void draw(struct vga_renderer *r, const struct vga_frame *f, struct surface *s)
{
	unsigned w = f->mode.width, first = s->height, last = 0;

	for (unsigned y = 0; y < s->height; y++) {
		uint32_t *dst = s->pixels + (size_t)y * s->stride / 4;

		vga_render_row(r->vga, f, y, r->row);
		if (memcmp(dst, r->row, w * 4) == 0)
			continue;
		memcpy(dst, r->row, w * 4);
		first = y < first ? y : first;
		last = y;
	}
	if (first <= last)
		surface_damage(s, 0, first, w, last - first + 1);
}

static void render(void *opaque, struct surface *s)
{
	struct vga_renderer *r = opaque;
	struct vga_frame f;

	vga_frame_get(r->vga, &f);
	if (f.mode.width == 0 || f.mode.height == 0 || f.mode.width > SURFACE_MAX_WIDTH ||
	    f.mode.height > SURFACE_MAX_HEIGHT)
		return; /* a mode being programmed; keep the last picture */
	if (!stale(r, &f))
		return;
	if (s->width != f.mode.width || s->height != f.mode.height)
		surface_resize(s, f.mode.width, f.mode.height);
	draw(r, &f, s);
	r->drawn = true;
	r->gen = vga_dirty_generation(r->vga);
	r->blink_on = f.cursor.blink_on;
	r->mode = f.mode;
}

const struct display_device_ops vga_display_ops = {.name = "vga", .render = render};
