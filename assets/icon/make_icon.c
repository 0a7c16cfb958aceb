/* Draws hv's window icon (assets/hv-icon.png): two overlapping guest
 * screens, the legacy one amber text on black, the modern one blue, on a
 * dark rounded tile. Build and run: see assets/icon/README. */
#include <stdio.h>
#include <stdlib.h>

#include "display/png.h"

#define N 64

static uint32_t px[N * N];

static void fill(int x0, int y0, int x1, int y1, uint32_t c)
{
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			px[y * N + x] = c;
}

static void screen(int x, int y, int w, int h, uint32_t frame, uint32_t glass)
{
	fill(x, y, x + w, y + h, frame);
	fill(x + 3, y + 3, x + w - 3, y + h - 3, glass);
}

int main(int argc, char **argv)
{
	char err[256];

	fill(0, 0, N, N, 0x1b2030);
	for (int y = 0; y < N; y++) /* round the corners off a little */
		for (int x = 0; x < N; x++)
			if ((x < 3 || x > N - 4) && (y < 3 || y > N - 4))
				px[y * N + x] = 0;
	screen(6, 10, 34, 26, 0xc8c8c8, 0x000000);
	for (int row = 0; row < 4; row++) /* lines of amber text */
		fill(11, 16 + row * 4, 11 + 8 + (row * 7) % 16, 18 + row * 4, 0xffb000);
	screen(24, 28, 34, 26, 0xe0e0e0, 0x2f6fdf);
	fill(28, 48, 54, 50, 0x9cc3ff); /* a task bar */
	fill(24 + 14, 54, 24 + 20, 58, 0xe0e0e0);
	fill(24 + 8, 58, 24 + 26, 60, 0xe0e0e0);
	if (png_write_xrgb(argc > 1 ? argv[1] : "hv-icon.png", px, N, N, N * 4, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}
