/* PNG through libpng's simplified API (no setjmp in our code). */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/png.h"

/* Packs XRGB8888 rows into BGR triples, the byte order PNG_FORMAT_BGR
 * takes. */
static uint8_t *pack_bgr(const uint32_t *pixels, unsigned w, unsigned h, unsigned stride)
{
	uint8_t *out = malloc((size_t)w * h * 3);

	if (!out)
		return NULL;
	for (unsigned y = 0; y < h; y++) {
		const uint32_t *row =
		    (const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);
		uint8_t *o = out + (size_t)y * w * 3;

		for (unsigned x = 0; x < w; x++) {
			o[3 * x] = row[x] & 0xff;
			o[3 * x + 1] = (row[x] >> 8) & 0xff;
			o[3 * x + 2] = (row[x] >> 16) & 0xff;
		}
	}
	return out;
}

static int write_image(const char *path, const uint8_t *bgr, unsigned w, unsigned h, char *err,
		       size_t errlen)
{
	png_image img;
	FILE *f = fopen(path, "wbx");
	int ok;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = w;
	img.height = h;
	img.format = PNG_FORMAT_BGR;
	ok = png_image_write_to_stdio(&img, f, 0, bgr, (png_int_32)(w * 3), NULL);
	if (!ok)
		snprintf(err, errlen, "%s: %s", path, img.message);
	else if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ok = 0;
	}
	png_image_free(&img);
	if (fclose(f) != 0 && ok) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ok = 0;
	}
	return ok ? 0 : -1;
}

int png_write_xrgb(const char *path, const uint32_t *pixels, unsigned w, unsigned h,
		   unsigned stride, char *err, size_t errlen)
{
	char tmp[4096];
	uint8_t *bgr;
	int rc;

	if (w == 0 || h == 0 || stride < w * 4) {
		snprintf(err, errlen, "%s: no image to write (%ux%u)", path, w, h);
		return -1;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid()) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%.200s...: path too long", path);
		return -1;
	}
	bgr = pack_bgr(pixels, w, h, stride);
	if (!bgr) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = write_image(tmp, bgr, w, h, err, errlen);
	free(bgr);
	if (rc == 0 && rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	return rc;
}

int png_read(const char *path, struct image *out, char *err, size_t errlen)
{
	png_image img;

	memset(out, 0, sizeof *out);
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		snprintf(err, errlen, "%s: %s", path, img.message);
		return -1;
	}
	/* BGRA bytes are ARGB8888 words on a little-endian host. */
	img.format = PNG_FORMAT_BGRA;
	out->pixels = malloc(PNG_IMAGE_SIZE(img));
	if (!out->pixels) {
		png_image_free(&img);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (!png_image_finish_read(&img, NULL, out->pixels, 0, NULL)) {
		snprintf(err, errlen, "%s: %s", path, img.message);
		image_free(out);
		return -1;
	}
	out->width = img.width;
	out->height = img.height;
	return 0;
}

void image_free(struct image *img)
{
	free(img->pixels);
	img->pixels = NULL;
	img->width = img->height = 0;
}
