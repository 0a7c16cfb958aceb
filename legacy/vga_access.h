/* The VGA as a renderer sees it: an opaque device and read-only
 * functions over its registers and video memory (legacy/vga.h has the
 * layout of video memory). This is the one VGA header code outside the
 * PC's wiring includes: a display backend draws from here without
 * knowing the chip's registers. With the domain lock held. */
#ifndef HV_LEGACY_VGA_ACCESS_H
#define HV_LEGACY_VGA_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/memory.h"

#define VGA_VRAM_SIZE (16u << 20) /* what BAR 0 exposes and VBE modes may use */

struct vga;

enum vga_kind {
	VGA_TEXT,      /* alphanumeric */
	VGA_CGA,       /* CGA 4-colour (shift interleave, modes 4 and 5) */
	VGA_PLANAR,    /* 16 colours (or 2) from four planes: 0Dh-12h, 6 */
	VGA_CHAIN4,    /* 256 colours, chain-4: mode 13h */
	VGA_UNCHAINED, /* 256 colours, planes addressed directly: "mode X" */
	VGA_VBE,       /* Bochs VBE: packed pixels in vram from offset 0 */
};

struct vga_mode {
	enum vga_kind kind;
	unsigned width, height; /* pixels (text: cols * char width, rows * char height) */
	unsigned bpp;		/* bits per pixel (text: 4) */
	unsigned cols, rows;	/* text only */
	unsigned char_width, char_height;
	uint32_t start;	      /* CRTC start address (plane offset; VBE: byte offset) */
	uint32_t line_offset; /* plane bytes (text: characters) per row or scan line */
	int number;	      /* the BIOS mode it matches (0x12), -1 if none */
	bool blank;	      /* screen off (sequencer) or palette source off */
};

/* The displayed mode as the registers describe it. */
void vga_get_mode(const struct vga *v, struct vga_mode *m);

/* "text mode 80x25 (mode 03h)", "graphics mode 640x480x4 (mode 12h)",
 * "graphics mode 1024x768x32 (VBE)", ... */
void vga_describe_mode(const struct vga_mode *m, char *buf, size_t len);

/* Video memory (VGA_VRAM_SIZE bytes, layout above). */
const uint8_t *vga_vram(const struct vga *v);

/* The 256 DAC colours as 0xRRGGBB, scaled to 8 bits, pel mask applied. */
void vga_palette(const struct vga *v, uint32_t rgb[256]);

/* The DAC index a 4-bit attribute colour selects (attribute palette,
 * colour select, plane enable). */
uint8_t vga_attr_colour(const struct vga *v, uint8_t colour);

struct vga_cursor {
	unsigned col, row;	       /* on screen; may lie beyond it */
	unsigned start_line, end_line; /* scan lines within the character cell */
	bool visible;
	bool blink_on; /* the cursor's and blinking text's phase now */
};

void vga_get_cursor(const struct vga *v, struct vga_cursor *c);

/* Plane 2 offset of the font a text character uses: character map A
 * (sequencer 03h) when its attribute has bit 3 set, map B otherwise.
 * Glyph c's row r is plane 2 byte font + c * 32 + r. */
uint32_t vga_font_base(const struct vga *v, bool attr_bit3);

/* The attribute controller's mode register (10h): VGA_AR_MODE_*. */
#define VGA_AR_MODE_LINE_GRAPHICS 0x04 /* the ninth column repeats the eighth for C0h-DFh */
#define VGA_AR_MODE_BLINK	  0x08 /* attribute bit 7 blinks instead of brightening */
uint8_t vga_attr_mode(const struct vga *v);

/* The sequencer's character map select register (03h), as written. */
uint8_t vga_char_map_select(const struct vga *v);

/* Scan line where the screen restarts from address 0 (split screen). */
unsigned vga_line_compare(const struct vga *v);

/* Bumped by every change a renderer might show. */
uint32_t vga_dirty_generation(const struct vga *v);

/* vga_text.c: the text screen as UTF-8 (code page 437), one row per line
 * ending in '\n', trailing blanks trimmed. Returns the bytes written
 * (truncated to fit len, always NUL-terminated), or -1 if the mode is not
 * a text mode. */
int vga_text_screen(const struct vga *v, char *buf, size_t len);

/* The Unicode code point of CP437 glyph c. */
uint32_t vga_cp437(uint8_t c);

/* The registry's view (hv/core/device.h) of a struct vga. */
extern const struct device_ops vga_device_ops;

/* Where the linear framebuffer (BAR 0) is mapped now, 0 if nowhere, and
 * the guest memory it is mapped in (for a dirty log over it). */
uint64_t vga_lfb_base(const struct vga *v);
struct guest_mem *vga_guest_mem(const struct vga *v);

#endif
