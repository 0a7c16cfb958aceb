/* A domain's screen: its display device feeds the display backend, and
 * viewers' keys and mouse reach the PS/2 devices. */
#include <stdio.h>

#include "display/vga_render.h"
#include "hv/domain/domain.h"
#include "hv/core/log.h"
#include "legacy/pc.h"

static void viewer_key(void *opaque, unsigned code, bool down)
{
	struct domain *d = opaque;
	struct input_key key = {(uint16_t)code, down};
	char err[128];

	machine_lock_host(&d->machine);
	if (pc_input_keys(d->pc, &key, 1, err, sizeof err) < 0)
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
	pc_input_mouse(d->pc, &ev);
	machine_kick(&d->machine);
	machine_unlock_host(&d->machine);
}

static const struct display_input_ops viewer_input = {.key = viewer_key, .mouse = viewer_mouse};

int domain_display_setup(struct domain *d, char *err, size_t errlen)
{
	if (pc_vga(d->pc)) {
		d->vga_renderer = vga_renderer_create(pc_vga(d->pc));
		if (!d->vga_renderer) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		display_set_device(&d->display, &vga_display_ops, d->vga_renderer);
	}
	display_set_input(&d->display, &viewer_input, d);
	return 0;
}

void domain_display_free(struct domain *d)
{
	vga_renderer_destroy(d->vga_renderer);
	d->vga_renderer = NULL;
}
