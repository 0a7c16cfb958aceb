/* A domain's screen: XRGB8888 pixels in a memfd that viewers map, plus the
 * damage (what changed since viewers were last told) and a generation that
 * changes on every resize.
 *
 * The memfd is sized once for the largest mode (SURFACE_MAX_*) so a resize
 * never moves the mapping under a viewer: only width, height and stride
 * change, and they travel to viewers in resize events. Pages a mode never
 * touches cost nothing. */
#ifndef HV_DISPLAY_SURFACE_H
#define HV_DISPLAY_SURFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SURFACE_MAX_WIDTH  2560
#define SURFACE_MAX_HEIGHT 1600
#define SURFACE_BYTES	   ((size_t)SURFACE_MAX_WIDTH * SURFACE_MAX_HEIGHT * 4)

/* A rectangle in pixels; w == 0 or h == 0 is empty. */
struct rect {
	unsigned x, y, w, h;
};

struct surface {
	int fd;		  /* the memfd viewers receive */
	uint32_t *pixels; /* XRGB8888, row r at pixels + r * stride / 4 */
	unsigned width, height;
	unsigned stride;   /* bytes per row */
	uint32_t gen;	   /* bumped by every resize */
	struct rect dirty; /* union of the damage not yet taken */
};

/* Creates the memfd (named for the domain) and maps it; the surface starts
 * at 640x480, black and fully damaged. Returns 0, or -1 with err set. */
int surface_init(struct surface *s, const char *name, char *err, size_t errlen);
void surface_fini(struct surface *s);

/* Changes the mode. Returns 0, or -1 when w x h is 0 or larger than
 * SURFACE_MAX_*; the pixels are cleared and the whole surface damaged. */
int surface_resize(struct surface *s, unsigned w, unsigned h);

/* Adds a rectangle (clipped to the surface) to the damage. */
void surface_damage(struct surface *s, unsigned x, unsigned y, unsigned w, unsigned h);

/* Takes the pending damage into *r and clears it. False when nothing
 * changed. */
bool surface_take_damage(struct surface *s, struct rect *r);

/* The smallest rectangle holding a and b (either may be empty). */
struct rect rect_union(struct rect a, struct rect b);

#endif
