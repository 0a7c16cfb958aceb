/* Drives the VGA row renderers: decides when a frame is needed, draws it
 * into a scratch row, and copies and damages only rows that changed. In
 * VBE modes the guest writes the linear framebuffer as RAM, past the
 * device; a dirty-page log on it (hv/core/dirty.h) says which rows can have
 * changed, and without one every row is compared. */
#include <stdlib.h>
#include <string.h>

#include "display/vga_render.h"

#define LFB_PAGES (VGA_VRAM_SIZE / MEM_PAGE_SIZE)

/* Which rows of a frame to draw and compare. */
enum vga_scope { DRAW_NONE, DRAW_DIRTY, DRAW_ALL };

struct vga_renderer {
	struct vga *vga;
	bool drawn;    /* a frame was drawn (the fields below are valid) */
	uint32_t gen;  /* the VGA's dirty generation then */
	bool blink_on; /* the blink phase then */
	struct vga_mode mode;
	int log;		   /* dirty-page log on the LFB, or -1 */
	struct guest_mem *log_mem; /* whose log: it outlives the VGA at teardown */
	uint64_t log_base;	   /* where the LFB was when it started */
	uint64_t dirty[LFB_PAGES / 64];
	uint64_t compared; /* rows drawn and compared, ever */
	uint32_t row[SURFACE_MAX_WIDTH];
};

struct vga_renderer *vga_renderer_create(struct vga *v)
{
	struct vga_renderer *r = calloc(1, sizeof *r);

	if (r) {
		r->vga = v;
		r->log = -1;
	}
	return r;
}

/* Stops the LFB's dirty log (the caller holds the domain lock). */
static void lfb_untrack(struct vga_renderer *r)
{
	if (r->log >= 0)
		mem_dirty_stop(r->log_mem, r->log);
	r->log = -1;
}

/* Logs the LFB where it is mapped now. A failure leaves no log: every
 * row is compared, as before there were logs. */
static void lfb_track(struct vga_renderer *r)
{
	uint64_t base = vga_lfb_base(r->vga);
	struct guest_mem *mem = vga_guest_mem(r->vga);

	if (r->log >= 0 && r->log_base == base)
		return;
	lfb_untrack(r);
	if (!base || !mem)
		return;
	r->log = mem_dirty_start(mem, base, VGA_VRAM_SIZE);
	r->log_mem = mem;
	r->log_base = base;
}

void vga_renderer_destroy(struct vga_renderer *r)
{
	if (r)
		lfb_untrack(r);
	free(r);
}

void vga_renderer_invalidate(struct vga_renderer *r)
{
	r->drawn = false;
}

uint64_t vga_renderer_rows_compared(const struct vga_renderer *r)
{
	return r->compared;
}

static bool same_mode(const struct vga_mode *a, const struct vga_mode *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* Whether the device itself says the screen may have changed. */
static bool changed(const struct vga_renderer *r, const struct vga_frame *f)
{
	bool blinks = f->mode.kind == VGA_TEXT;

	return !r->drawn || r->gen != vga_dirty_generation(r->vga) ||
	       !same_mode(&r->mode, &f->mode) || (blinks && r->blink_on != f->cursor.blink_on);
}

/* What this frame must look at. In a VBE mode the LFB's log is fetched
 * every frame, so that it only ever holds what the next frame needs. */
static enum vga_scope scope(struct vga_renderer *r, const struct vga_frame *f)
{
	long pages = -1;

	if (f->mode.kind != VGA_VBE) {
		lfb_untrack(r);
		return changed(r, f) ? DRAW_ALL : DRAW_NONE;
	}
	lfb_track(r);
	if (r->log >= 0)
		pages = mem_dirty_fetch(r->log_mem, r->log, r->dirty);
	if (pages < 0 || changed(r, f))
		return DRAW_ALL;
	return pages ? DRAW_DIRTY : DRAW_NONE;
}

/* Whether row y of a VBE frame lies (partly) in a page written since the
 * last frame. */
static bool row_dirty(const struct vga_renderer *r, const struct vga_frame *f, unsigned y)
{
	unsigned bytes = f->mode.bpp == 15 ? 2 : f->mode.bpp < 8 ? 1 : f->mode.bpp / 8;
	uint64_t at = f->mode.start + (uint64_t)y * f->mode.line_offset;
	uint64_t end = at + (uint64_t)f->mode.width * bytes;

	if (end > VGA_VRAM_SIZE)
		end = VGA_VRAM_SIZE;
	for (uint64_t p = at / MEM_PAGE_SIZE; p * MEM_PAGE_SIZE < end; p++)
		if (r->dirty[p / 64] >> (p % 64) & 1)
			return true;
	return false;
}

static void draw(struct vga_renderer *r, const struct vga_frame *f, struct surface *s,
		 enum vga_scope what)
{
	unsigned w = f->mode.width, first = s->height, last = 0;

	for (unsigned y = 0; y < s->height; y++) {
		uint32_t *dst = s->pixels + (size_t)y * s->stride / 4;

		if (what == DRAW_DIRTY && !row_dirty(r, f, y))
			continue;
		r->compared++;
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
	enum vga_scope what;

	vga_frame_get(r->vga, &f);
	if (f.mode.width == 0 || f.mode.height == 0 || f.mode.width > SURFACE_MAX_WIDTH ||
	    f.mode.height > SURFACE_MAX_HEIGHT)
		return; /* a mode being programmed; keep the last picture */
	what = scope(r, &f);
	if (what == DRAW_NONE)
		return;
	if (s->width != f.mode.width || s->height != f.mode.height) {
		surface_resize(s, f.mode.width, f.mode.height);
		what = DRAW_ALL;
	}
	draw(r, &f, s, what);
	r->drawn = true;
	r->gen = vga_dirty_generation(r->vga);
	r->blink_on = f.cursor.blink_on;
	r->mode = f.mode;
}

/* No viewer is left: nobody needs the LFB's log until one comes. */
static void release(void *opaque)
{
	lfb_untrack(opaque);
}

const struct display_device_ops vga_display_ops = {
    .name = "vga", .render = render, .release = release};
