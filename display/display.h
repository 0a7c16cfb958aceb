/* The display backend of a domain: one surface, the device that renders
 * into it, and the viewers attached over the control socket.
 *
 * A viewer asks `display` on the control socket; the reply carries the
 * surface's memfd (SCM_RIGHTS) and from then on that connection speaks the
 * display protocol (docs/protocol.md):
 *   domain -> viewer   "resize W H STRIDE"   the mode changed
 *                      "damage X Y W H"      these pixels changed
 *                      "state NAME"          running, paused, ...
 *                      "cursor"              the pointer (in the memfd) changed
 *                      "pointer absolute|relative"  whether the guest takes
 *                                            absolute positions (a tablet)
 *   viewer -> domain   "ack"                 the last damage is presented
 *                      "key CODE 1|0"        a key (Linux KEY_* code) went down/up
 *                      "mouse DX DY DZ BUTTONS"
 *                      "abs X Y BUTTONS"     the pointer at X, Y in 0..32767
 *                      "size W H"            the window's size: the mode to offer
 * At most one damage is in flight per viewer: the next one waits for the
 * viewer's ack and meanwhile collects into one rectangle, so a viewer that
 * stops reading costs the domain nothing and is never written to faster
 * than it presents. */
#ifndef HV_DISPLAY_DISPLAY_H
#define HV_DISPLAY_DISPLAY_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "display/surface.h"

#define DISPLAY_MAX_VIEWERS 8
#define DISPLAY_REFRESH_MS  16 /* render period while a viewer is attached */
/* With a device that says when it changed (display_changed): no refresh
 * tick, only this slow look at what is polled (the domain's pointer mode). */
#define DISPLAY_IDLE_POLL_MS 1000

/* What the guest's display device offers the backend. Called with the
 * domain lock held. */
struct evloop;

struct display_device_ops {
	const char *name; /* told to viewers: "vga", ... */
	/* Brings the surface up to date with the device (resizing it on a mode
	 * change) and adds what changed to its damage. */
	void (*render)(void *opaque, struct surface *s);
	/* Optional: the last viewer left; drops what only rendering needs
	 * (the VGA's dirty-page log). The next render starts afresh. */
	void (*release)(void *opaque);
};

/* Where viewers' input goes. Called without the domain lock. */
struct display_input_ops {
	void (*key)(void *opaque, unsigned code, bool down);
	void (*mouse)(void *opaque, int dx, int dy, int dz, unsigned buttons);
	/* Optional: an absolute position (0..DISPLAY_ABS_MAX on both axes). */
	void (*abs)(void *opaque, int x, int y, unsigned buttons);
	/* Optional: a viewer's window is w x h; offer that mode. */
	void (*size)(void *opaque, unsigned w, unsigned h);
};

struct display_viewer {
	int fd;
	int handle; /* its source in the event loop */
	char in[256];
	unsigned in_len;
	bool in_flight;	   /* a damage was sent and not acked */
	struct rect owed;  /* damage not yet sent */
	int64_t owed_ns;   /* when the oldest change in `owed` was rendered */
	uint32_t gen;	   /* surface generation the viewer knows */
	const char *state; /* last state sent */
	bool cursor_owed;  /* the pointer changed since the last "cursor" */
	int absolute;	   /* last "pointer" sent: 0 relative (the start), 1 absolute */
};

struct display {
	struct surface surface;
	struct evloop *loop; /* where viewers' sockets are watched */
	const struct display_device_ops *dev;
	void *dev_opaque;
	const struct display_input_ops *input;
	void *input_opaque;
	struct display_viewer viewers[DISPLAY_MAX_VIEWERS];
	int nviewers;
	int64_t next_refresh_ns;
	int64_t rendered_ns; /* host time of the last render that changed pixels */
	bool rendering;	     /* rendered since the device was last released */
	bool absolute;	     /* the guest takes absolute pointer positions */
	/* The device tells its changes (display_changed) and needs no refresh
	 * tick: a render follows each change as soon as a viewer can take it. */
	bool on_demand;
	bool changed;	    /* a change told and not yet rendered */
	int64_t changed_ns; /* host time of the first such change */
};

/* Creates the surface; viewers will be watched in loop. Returns 0, or -1
 * with err set. */
int display_init(struct display *dp, const char *name, struct evloop *loop, char *err,
		 size_t errlen);
void display_fini(struct display *dp);

void display_set_device(struct display *dp, const struct display_device_ops *ops, void *opaque);
void display_set_input(struct display *dp, const struct display_input_ops *ops, void *opaque);

/* Takes over connected socket fd as a viewer: sends "ok display ..." with
 * the memfd attached. Returns 0, or -1 when the viewer table is full or the
 * send fails, with err saying why; the fd is then still the caller's. */
int display_attach(struct display *dp, int fd, char *err, size_t errlen);

/* The wait the next refresh allows the event loop (-1 with no viewer). */
int display_timeout_ms(const struct display *dp, int64_t now_ns);

/* Renders (the caller holds the domain lock) when a refresh is due: on
 * the tick, or with on_demand, once a change was told and a viewer has
 * no damage in flight. */
bool display_refresh_due(const struct display *dp, int64_t now_ns);
void display_render(struct display *dp, int64_t now_ns);

/* The device's picture changed at host time now_ns (the caller holds the
 * domain lock). Returns true for the first change since the last render:
 * the caller then wakes the loop that renders; later ones need not. The
 * damage's age that viewers see (for their latency figures) starts at
 * that first change rather than at the render. */
bool display_changed(struct display *dp, int64_t now_ns);

/* With no viewer left, whether the device still holds what only rendering
 * needs, and its release (the caller holds the domain lock). */
bool display_release_due(const struct display *dp);
void display_release(struct display *dp);

/* Sends owed damage, resizes and the domain state to the viewers (without
 * the domain lock). `state` is the domain's state name. */
void display_publish(struct display *dp, const char *state);

#endif
