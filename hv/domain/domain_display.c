/* A domain's screen: its display device feeds the display backend, and
 * viewers' keys and mouse reach virtio-input when the guest's driver has
 * it up, the PS/2 devices otherwise. */
#include <stdio.h>
#include <string.h>

#include "display/vga_render.h"
#include "hv/domain/domain.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/virtio/virtio_gpu.h"
#include "legacy/pc.h"

static void viewer_key(void *opaque, unsigned code, bool down)
{
	struct domain *d = opaque;
	struct input_key key = {(uint16_t)code, down};
	char err[128];

	machine_lock_host(&d->machine);
	if (pc_virtio_input_key(d->pc, code, down))
		machine_kick(&d->machine); /* the guest's virtio-input driver took it */
	else if (pc_input_keys(d->pc, &key, 1, err, sizeof err) < 0)
		log_warn("viewer key %u: %s", code, err);
	else
		machine_kick(&d->machine);
	machine_unlock_host(&d->machine);
}

static void viewer_mouse(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
	struct domain *d = opaque;
	struct input_mouse ev = {dx, dy, dz, buttons};

	machine_lock_host(&d->machine);
	if (!pc_virtio_input_mouse(d->pc, &ev))
		pc_input_mouse(d->pc, &ev);
	machine_kick(&d->machine);
	machine_unlock_host(&d->machine);
}

static void viewer_abs(void *opaque, int x, int y, unsigned buttons)
{
	struct domain *d = opaque;

	machine_lock_host(&d->machine);
	if (pc_virtio_input_abs(d->pc, x, y, buttons))
		machine_kick(&d->machine);
	machine_unlock_host(&d->machine);
}

/* A viewer's window size becomes the virtio-gpu's preferred mode, while
 * the scanout is what the window shows (not the VGA's early screens). */
static void viewer_size(void *opaque, unsigned w, unsigned h)
{
	struct domain *d = opaque;

	machine_lock_host(&d->machine);
	if (d->gpu && d->gpu_shown && (w != d->gpu->pref_width || h != d->gpu->pref_height) &&
	    virtio_gpu_set_preferred(d->gpu, w, h) == 0)
		machine_kick(&d->machine);
	machine_unlock_host(&d->machine);
}

static const struct display_input_ops viewer_input = {
    .key = viewer_key, .mouse = viewer_mouse, .abs = viewer_abs, .size = viewer_size};

/* The virtio-gpu's cursor goes to the surface's pointer (viewers draw
 * it) when it changed; it is hidden while the VGA has the screen. */
static void publish_cursor(struct domain *d, struct surface *s)
{
	const struct virtio_gpu_cursor *c = &d->gpu->cursor;
	bool visible = d->gpu_shown && c->visible;

	if (visible == d->cursor_shown &&
	    (!visible || (c->moves == d->cursor_moves && c->gen == d->cursor_gen)))
		return;
	surface_set_cursor(s, visible, c->x, c->y, c->gen != d->cursor_gen ? c->image : NULL,
			   c->hot_x, c->hot_y);
	d->cursor_shown = visible;
	d->cursor_moves = c->moves;
	d->cursor_gen = c->gen;
}

/* Two framebuffers, one screen: the VGA draws until the guest's
 * virtio-gpu driver sets a scanout, then the surface follows the scanout;
 * when the scanout goes (a driver reset, a reboot), the VGA draws all of
 * it again. */
static void mux_render(void *opaque, struct surface *s)
{
	struct domain *d = opaque;
	bool was = d->gpu_shown;

	d->gpu_shown = d->gpu && virtio_gpu_render(d->gpu, s, !was);
	/* The virtio-gpu tells its changes (gpu_changed); the VGA is polled. */
	d->display.on_demand = d->gpu_shown;
	if (d->gpu)
		publish_cursor(d, s);
	if (d->gpu_shown || !d->vga_renderer)
		return;
	if (was)
		vga_renderer_invalidate(d->vga_renderer);
	vga_display_ops.render(d->vga_renderer, s);
}

static void mux_release(void *opaque)
{
	struct domain *d = opaque;

	if (d->vga_renderer)
		vga_display_ops.release(d->vga_renderer);
}

static const struct display_device_ops mux_display_ops = {
    .name = "vga+virtio-gpu", .render = mux_render, .release = mux_release};

/* The driver flushed, flipped, moved its cursor or reset (vCPU thread,
 * domain lock held): the event loop renders for viewers at once. Only the
 * first change since a render wakes it (with no viewer, nothing renders:
 * one wake-up, then none). */
static void gpu_changed(void *opaque)
{
	struct domain *d = opaque;

	if (display_changed(&d->display, host_now_ns()))
		domain_notify(d);
}

/* What viewers see of the domain's state: a running guest that halts
 * between interrupts is "blocked" hundreds of times a second, which is no
 * news for a window title. */
static const char *viewer_state(struct domain *d)
{
	const char *state = domain_state_name(d);

	return strcmp(state, "blocked") == 0 ? "running" : state;
}

/* Renders the screen when viewers wait for a frame, then tells them; with
 * no viewer left, lets the device drop what only rendering needs. */
static void refresh(void *opaque)
{
	struct domain *d = opaque;
	int64_t now = host_now_ns();
	const char *state;

	if (d->display.nviewers == 0) {
		if (display_release_due(&d->display)) {
			machine_lock_host(&d->machine);
			display_release(&d->display);
			machine_unlock_host(&d->machine);
		}
		return;
	}
	machine_lock_host(&d->machine);
	if (display_refresh_due(&d->display, now))
		display_render(&d->display, now);
	d->display.absolute = pc_virtio_tablet_ready(d->pc);
	state = viewer_state(d);
	machine_unlock_host(&d->machine);
	display_publish(&d->display, state);
}

static int refresh_timeout(void *opaque)
{
	struct domain *d = opaque;

	return display_timeout_ms(&d->display, host_now_ns());
}

static const struct evloop_hook_ops refresh_ops = {refresh_timeout, refresh};

int domain_display_setup(struct domain *d, char *err, size_t errlen)
{
	if (evloop_add_hook(d->loop, &refresh_ops, d) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pc_vga(d->pc)) {
		d->vga_renderer = vga_renderer_create(pc_vga(d->pc));
		if (!d->vga_renderer) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		display_set_device(&d->display, &vga_display_ops, d->vga_renderer);
	}
	d->gpu = pc_virtio_gpu(d->pc);
	if (d->gpu) {
		display_set_device(&d->display, &mux_display_ops, d);
		d->gpu->changed = gpu_changed;
		d->gpu->changed_opaque = d;
	}
	display_set_input(&d->display, &viewer_input, d);
	return 0;
}

void domain_display_free(struct domain *d)
{
	vga_renderer_destroy(d->vga_renderer);
	d->vga_renderer = NULL;
}
