/* The EDID (VESA E-EDID 1.4, one 128-byte base block) that virtio-gpu
 * gives for its scanout: a display named "hv display" whose first detailed
 * timing, the preferred mode, is the window's size at 60 Hz with reduced
 * blanking, plus the usual established modes up to 1024x768. */
#include <string.h>

#include "hv/virtio/virtio_gpu.h"

#define HBLANK	    160 /* CVT reduced blanking: pixels */
#define HSYNC_OFF   48
#define HSYNC_WIDTH 32
#define VBLANK	    30 /* lines */
#define VSYNC_OFF   3
#define VSYNC_WIDTH 5
#define REFRESH	    60

/* Millimetres that n pixels take at 96 dpi. */
static uint32_t mm(uint32_t n)
{
	return n * 254 / 960;
}

/* The first detailed timing descriptor at d (18 bytes). */
static void detailed_timing(uint8_t *d, uint32_t w, uint32_t h)
{
	uint32_t clock = (w + HBLANK) * (h + VBLANK) * REFRESH / 10000; /* 10 kHz units */
	uint32_t wmm = mm(w), hmm = mm(h);

	d[0] = clock & 0xFF;
	d[1] = clock >> 8 & 0xFF;
	d[2] = w & 0xFF;
	d[3] = HBLANK & 0xFF;
	d[4] = (uint8_t)((w >> 8 & 0xF) << 4 | (HBLANK >> 8 & 0xF));
	d[5] = h & 0xFF;
	d[6] = VBLANK & 0xFF;
	d[7] = (uint8_t)((h >> 8 & 0xF) << 4 | (VBLANK >> 8 & 0xF));
	d[8] = HSYNC_OFF;
	d[9] = HSYNC_WIDTH;
	d[10] = (uint8_t)(VSYNC_OFF << 4 | VSYNC_WIDTH);
	d[11] = 0; /* the high bits of the sync fields, all zero */
	d[12] = wmm & 0xFF;
	d[13] = hmm & 0xFF;
	d[14] = (uint8_t)((wmm >> 8 & 0xF) << 4 | (hmm >> 8 & 0xF));
	d[15] = d[16] = 0; /* no border */
	d[17] = 0x1A;	   /* digital separate sync, +hsync -vsync: what CVT-RB uses */
}

/* A display descriptor (tag FCh, the name) at d. */
static void name_descriptor(uint8_t *d)
{
	static const char name[13] = "hv display\n  ";

	memset(d, 0, 18);
	d[3] = 0xFC;
	memcpy(d + 5, name, 13);
}

/* A range-limits descriptor (tag FDh) at d, wide enough for any size we
 * offer: 50-75 Hz, 30-255 kHz, up to 660 MHz. */
static void range_descriptor(uint8_t *d)
{
	static const uint8_t range[18] = {0,  0,    0,	  0xFD, 0,    50,   75,	  30,	255,
					  66, 0x00, 0x0A, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20};

	memcpy(d, range, sizeof range);
}

void virtio_gpu_edid(uint8_t e[VIRTIO_GPU_EDID_BLOCK], uint32_t w, uint32_t h)
{
	static const uint8_t header[8] = {0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0};
	static const uint8_t chroma[10] = {0xEE, 0x91, 0xA3, 0x54, 0x4C,
					   0x99, 0x26, 0x0F, 0x50, 0x54}; /* sRGB */
	unsigned sum = 0;

	memset(e, 0, VIRTIO_GPU_EDID_BLOCK);
	memcpy(e, header, sizeof header);
	/* Manufacturer "HVD" (three 5-bit letters, big-endian), product 1. */
	e[8] = (uint8_t)(('H' - '@') << 2 | ('V' - '@') >> 3);
	e[9] = (uint8_t)((('V' - '@') & 7) << 5 | ('D' - '@'));
	e[10] = 1;
	e[16] = 1;	     /* week */
	e[17] = 2026 - 1990; /* year */
	e[18] = 1;	     /* EDID 1.4 */
	e[19] = 4;
	e[20] = 0x80;						/* digital input */
	e[21] = (uint8_t)(mm(w) / 10 < 255 ? mm(w) / 10 : 255); /* cm */
	e[22] = (uint8_t)(mm(h) / 10 < 255 ? mm(h) / 10 : 255);
	e[23] = 120;  /* gamma 2.2 */
	e[24] = 0x06; /* sRGB default, the first timing is the native (preferred) one */
	memcpy(e + 25, chroma, sizeof chroma);
	e[35] = 0x21; /* 640x480@60, 800x600@60 */
	e[36] = 0x08; /* 1024x768@60 */
	for (unsigned i = 38; i < 54; i++)
		e[i] = 1; /* standard timings unused */
	detailed_timing(e + 54, w, h);
	name_descriptor(e + 72);
	range_descriptor(e + 90);
	e[108 + 3] = 0x10; /* a dummy descriptor */
	for (unsigned i = 0; i < VIRTIO_GPU_EDID_BLOCK - 1; i++)
		sum += e[i];
	e[127] = (uint8_t)(256 - sum % 256) % 256;
}
