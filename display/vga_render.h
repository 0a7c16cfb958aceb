/* The VGA's renderer: draws what legacy/vga.c's registers and video memory
 * describe (text with the guest's font, CGA, planar 16-colour, mode 13h,
 * mode X, VBE) into a display surface, row by row, damaging only rows that
 * changed. Nothing is drawn while the VGA's dirty generation, the blink
 * phase and the mode stand still. In VBE modes the guest writes the linear
 * framebuffer as plain RAM: while a viewer is attached the renderer logs
 * its dirty pages and compares only rows in written pages (all rows when
 * no log can be had). */
#ifndef HV_DISPLAY_VGA_RENDER_H
#define HV_DISPLAY_VGA_RENDER_H

#include "display/display.h"
#include "legacy/vga_access.h"

struct vga_renderer;

struct vga_renderer *vga_renderer_create(struct vga *v);
void vga_renderer_destroy(struct vga_renderer *r);

/* Forgets what it drew: the next render draws every row (another device
 * drew on the surface meanwhile). */
void vga_renderer_invalidate(struct vga_renderer *r);

/* How many rows the renderer has drawn and compared with the surface
 * since it was made (what dirty logging saves shows here). */
uint64_t vga_renderer_rows_compared(const struct vga_renderer *r);

/* display_device_ops for a vga_renderer (opaque = the renderer). */
extern const struct display_device_ops vga_display_ops;

/* Everything a frame's rows share, read from the device once. */
struct vga_frame {
	struct vga_mode mode;
	uint32_t palette[256]; /* DAC colours as XRGB */
	struct vga_cursor cursor;
	bool text_blink_on;    /* blinking characters shown in this phase */
	unsigned line_compare; /* scan line where the screen restarts at 0 */
};

/* Reads the frame's shared state from the device. */
void vga_frame_get(const struct vga *v, struct vga_frame *f);

/* Draws row y of the frame into out (f->mode.width pixels). */
void vga_render_row(const struct vga *v, const struct vga_frame *f, unsigned y, uint32_t *out);

#endif
