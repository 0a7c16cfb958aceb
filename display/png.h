/* PNG files through libpng: screenshots out, icons and test references in. */
#ifndef HV_DISPLAY_PNG_H
#define HV_DISPLAY_PNG_H

#include <stddef.h>
#include <stdint.h>

/* An image in memory: XRGB8888 (alpha in the top byte when read from a
 * PNG that has one, else 0xFF), rows packed. */
struct image {
	unsigned width, height;
	uint32_t *pixels;
};

/* Writes w x h XRGB8888 pixels (`stride` bytes per row) to path as an 8-bit
 * RGB PNG, through a temporary file renamed into place, so a failed write
 * never leaves a truncated screenshot. Returns 0, or -1 with err set. */
int png_write_xrgb(const char *path, const uint32_t *pixels, unsigned w, unsigned h,
		   unsigned stride, char *err, size_t errlen);

/* Reads any PNG (palette, grey, 16-bit and interlaced ones included) into
 * *img as ARGB8888. Returns 0, or -1 with err set. Free with image_free. */
int png_read(const char *path, struct image *img, char *err, size_t errlen);
void image_free(struct image *img);

#endif
