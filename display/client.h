/* The viewer's side of the display protocol (display/display.h): attach to
 * a domain's screen, map it, follow its events, send input back. Used by
 * `hv view` and `hv screenshot`. */
#ifndef HV_DISPLAY_CLIENT_H
#define HV_DISPLAY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "display/surface.h"
#include "hv/core/ctl.h"

enum display_event_kind {
	DISPLAY_EV_RESIZE,  /* width/height/stride changed; all pixels are new */
	DISPLAY_EV_DAMAGE,  /* `rect` changed; ack when presented */
	DISPLAY_EV_STATE,   /* the domain's state is `state` */
	DISPLAY_EV_CURSOR,  /* the pointer changed: display_client_cursor */
	DISPLAY_EV_POINTER, /* absolute positions are (not) taken: dc->absolute */
};

struct display_event {
	enum display_event_kind kind;
	struct rect rect;
	int64_t rendered_ns; /* damage: host CLOCK_MONOTONIC of the render (0: unknown) */
	char state[16];
};

struct display_client {
	struct ctl ctl;
	const uint32_t *pixels; /* the shared surface, read-only */
	size_t map_size;
	unsigned width, height, stride;
	char device[16];		     /* the domain's display device, "none" without one */
	const struct surface_cursor *cursor; /* in the mapping, or NULL */
	bool absolute;			     /* the guest takes absolute pointer positions */
};

/* Attaches to domain `name`'s screen. Returns 0, or -1 with err set. */
int display_client_open(struct display_client *dc, const char *name, char *err, size_t errlen);
void display_client_close(struct display_client *dc);

/* Waits up to timeout_ms (-1: forever) for the next event. Returns 1 with
 * *ev filled, 0 on timeout, -1 when the domain went away. */
int display_client_next(struct display_client *dc, struct display_event *ev, int timeout_ms);

/* The socket, for a viewer's own poll loop. */
int display_client_fd(const struct display_client *dc);

/* Viewer -> domain. Each returns 0, or -1 when the domain went away. */
int display_client_ack(struct display_client *dc);
int display_client_key(struct display_client *dc, unsigned code, bool down);
int display_client_mouse(struct display_client *dc, int dx, int dy, int dz, unsigned buttons);
/* x, y in 0..DISPLAY_ABS_MAX (clamped). */
int display_client_abs(struct display_client *dc, int x, int y, unsigned buttons);
/* The viewer's window is w x h pixels: the mode the guest should take. */
int display_client_size(struct display_client *dc, unsigned w, unsigned h);

/* The guest's pointer as the domain published it (checked; hidden when
 * there is none or it could not be read whole). */
void display_client_cursor(const struct display_client *dc, struct surface_cursor *out);

/* Writes the screen with the guest's pointer drawn over it to a PNG at
 * path. Returns 0, or -1 with err set. */
int display_client_save_png(struct display_client *dc, const char *path, char *err, size_t errlen);

/* Maps a position pos in a picture of `extent` pixels starting at
 * `origin` to 0..DISPLAY_ABS_MAX: the picture's first pixel is 0, its last
 * DISPLAY_ABS_MAX, outside it is clamped. */
int display_abs_coord(int pos, int origin, int extent);

#endif
