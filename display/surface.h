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

#define SURFACE_MAX_WIDTH   2560
#define SURFACE_MAX_HEIGHT  1600
#define SURFACE_BYTES	    ((size_t)SURFACE_MAX_WIDTH * SURFACE_MAX_HEIGHT * 4)
#define SURFACE_CURSOR_SIZE 64	  /* the pointer image is at most 64x64 */
#define DISPLAY_ABS_MAX	    32767 /* absolute pointer positions: 0..this */

/* The guest's pointer (a virtio-gpu cursor), kept apart from the pixels so
 * viewers draw it over the screen: it lives in the same memfd, after the
 * pixels (at SURFACE_BYTES). The domain writes it as a seqlock: seq is odd
 * while a write is under way, and a reader copies it and keeps the copy
 * only when seq was the same even number before and after. */
struct surface_cursor {
	uint32_t seq;
	uint32_t visible;
	int32_t x, y;	       /* the hot spot's place on the screen */
	uint32_t hot_x, hot_y; /* the hot spot in the image, < SURFACE_CURSOR_SIZE */
	uint32_t serial;       /* bumped when the image or hot spot changes */
	uint32_t reserved;
	uint32_t image[SURFACE_CURSOR_SIZE * SURFACE_CURSOR_SIZE]; /* ARGB8888 */
};

#define SURFACE_CURSOR_AT SURFACE_BYTES
#define SURFACE_MAP_BYTES (SURFACE_BYTES + ((sizeof(struct surface_cursor) + 4095) & ~(size_t)4095))

/* A rectangle in pixels; w == 0 or h == 0 is empty. */
struct rect {
	unsigned x, y, w, h;
};

struct surface {
	int fd;		  /* the memfd viewers receive */
	uint32_t *pixels; /* XRGB8888, row r at pixels + r * stride / 4 */
	unsigned width, height;
	unsigned stride;	       /* bytes per row */
	uint32_t gen;		       /* bumped by every resize */
	struct rect dirty;	       /* union of the damage not yet taken */
	struct surface_cursor *cursor; /* in the memfd, after the pixels */
	bool cursor_dirty;	       /* changed since viewers were last told */
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

/* Publishes the pointer: shown or not, its hot spot at (x, y) on the
 * screen; image (SURFACE_CURSOR_SIZE squared ARGB words) and the hot spot
 * in it only when image is not NULL (a new shape). Marks cursor_dirty. */
void surface_set_cursor(struct surface *s, bool visible, int x, int y, const uint32_t *image,
			unsigned hot_x, unsigned hot_y);

/* Reads a published pointer (from a viewer's read-only mapping) into *out.
 * False when a write was under way in each of a few tries, or the header
 * is not sane (a hot spot outside the image); *out is then hidden. */
bool surface_read_cursor(const struct surface_cursor *shared, struct surface_cursor *out);

/* Draws c (when visible) over XRGB pixels of w x h, alpha-blended. */
void surface_draw_cursor(uint32_t *pixels, unsigned w, unsigned h, unsigned stride,
			 const struct surface_cursor *c);

/* The smallest rectangle holding a and b (either may be empty). */
struct rect rect_union(struct rect a, struct rect b);

#endif
