/* hvdraw: the modern guest's graphical program. It drives the DRM device
 * of the guest's virtio-gpu (/dev/dri/card0) through the kernel's KMS
 * ioctls, no X: a dumb buffer with a picture on the connector's preferred
 * mode, and a 64x64 ARGB pointer on the cursor plane (the driver sends it
 * with UPDATE_CURSOR on the cursor queue, and each move with MOVE_CURSOR).
 * Built static for i386 by build.sh (gcc -m32), installed as /bin/hvdraw.
 *
 *   hvdraw show X Y   the picture, the pointer moved in steps to (X,Y);
 *                     prints "HVDRAW-SHOWN WxH" and keeps the screen until
 *                     killed (fbcon takes it back when the device closes)
 *   hvdraw flip N     N page flips between two full-screen pictures, each
 *                     waited for (virtio-gpu completes a flip once the
 *                     host has the frame); prints "HVDRAW-FLIP-START", then
 *                     "HVDRAW-FLIP-DONE frames=N ms=M fps=F" in guest time
 *
 * The picture (tests/integration/test_modern_gpu.c recomputes it), for a
 * w x h mode: R = 255x/(w-1), G = 255y/(h-1), B = 0xE0 on the 32-pixel
 * checker squares where (x/32 + y/32) is odd, else 0x30. The pointer: an
 * arrow in rows 0..47 where 3x <= 2y, black (0xFF000000) on its edges
 * (x = 0, 3(x+1) > 2y, or y = 47), inside 0xFF000000 | (255-4y) << 16 |
 * 8x << 8 | 0xFF; transparent elsewhere; hot spot (0,0). */
#include <drm.h>
#include <drm_mode.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CURSOR 64

struct buf {
	uint32_t handle, fb, pitch, w, h;
	uint32_t *px;
};

static int fd;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void xioctl(unsigned long req, void *arg, const char *what)
{
	while (ioctl(fd, req, arg) < 0)
		if (errno != EINTR)
			die(what);
}

/* A dumb buffer of w x h XRGB (or ARGB) pixels, mapped; a framebuffer
 * on it when fb is wanted. */
static void buf_new(struct buf *b, uint32_t w, uint32_t h, int fb)
{
	struct drm_mode_create_dumb c = {.width = w, .height = h, .bpp = 32};
	struct drm_mode_map_dumb m = {0};
	void *p;

	xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &c, "CREATE_DUMB");
	b->handle = c.handle;
	b->pitch = c.pitch;
	b->w = w;
	b->h = h;
	m.handle = c.handle;
	xioctl(DRM_IOCTL_MODE_MAP_DUMB, &m, "MAP_DUMB");
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (p == MAP_FAILED)
		die("mmap");
	b->px = p;
	if (fb) {
		struct drm_mode_fb_cmd f = {.width = w,
					    .height = h,
					    .pitch = c.pitch,
					    .bpp = 32,
					    .depth = 24,
					    .handle = c.handle};

		xioctl(DRM_IOCTL_MODE_ADDFB, &f, "ADDFB");
		b->fb = f.fb_id;
	}
}

static uint32_t picture(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	uint32_t r = 255 * x / (w - 1), g = 255 * y / (h - 1);
	uint32_t b = ((x / 32 + y / 32) & 1) ? 0xE0 : 0x30;

	return r << 16 | g << 8 | b;
}

static uint32_t pointer(uint32_t x, uint32_t y)
{
	if (y >= 48 || 3 * x > 2 * y)
		return 0;
	if (x == 0 || 3 * (x + 1) > 2 * y || y == 47)
		return 0xFF000000;
	return 0xFF000000 | (255 - 4 * y) << 16 | 8 * x << 8 | 0xFF;
}

static void draw(struct buf *b, int frame)
{
	for (uint32_t y = 0; y < b->h; y++) {
		uint32_t *row = b->px + (size_t)y * (b->pitch / 4);

		for (uint32_t x = 0; x < b->w; x++)
			row[x] = frame ? ~picture(x, y, b->w, b->h) & 0xFFFFFF
				       : picture(x, y, b->w, b->h);
	}
}

/* The first connected connector, its preferred mode (else its first) and
 * the first CRTC. */
static void pick(uint32_t *conn, uint32_t *crtc, struct drm_mode_modeinfo *mode)
{
	struct drm_mode_card_res r = {0};
	uint32_t conns[8], crtcs[8];

	xioctl(DRM_IOCTL_MODE_GETRESOURCES, &r, "GETRESOURCES");
	if (!r.count_connectors || !r.count_crtcs) {
		fprintf(stderr, "hvdraw: no connector or CRTC\n");
		exit(1);
	}
	r.count_connectors = r.count_connectors > 8 ? 8 : r.count_connectors;
	r.count_crtcs = r.count_crtcs > 8 ? 8 : r.count_crtcs;
	r.count_fbs = r.count_encoders = 0;
	r.connector_id_ptr = (uintptr_t)conns;
	r.crtc_id_ptr = (uintptr_t)crtcs;
	xioctl(DRM_IOCTL_MODE_GETRESOURCES, &r, "GETRESOURCES");
	*crtc = crtcs[0];
	for (uint32_t i = 0; i < r.count_connectors; i++) {
		struct drm_mode_get_connector c = {.connector_id = conns[i]};
		struct drm_mode_modeinfo modes[32];
		uint32_t n;

		xioctl(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
		if (c.connection != 1 || !c.count_modes)
			continue;
		n = c.count_modes > 32 ? 32 : c.count_modes;
		memset(&c, 0, sizeof c);
		c.connector_id = conns[i];
		c.count_modes = n;
		c.modes_ptr = (uintptr_t)modes;
		xioctl(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
		*conn = conns[i];
		*mode = modes[0];
		for (uint32_t m = 0; m < n && m < c.count_modes; m++)
			if (modes[m].type & DRM_MODE_TYPE_PREFERRED) {
				*mode = modes[m];
				break;
			}
		return;
	}
	fprintf(stderr, "hvdraw: no connected connector\n");
	exit(1);
}

static void set_crtc(uint32_t crtc, uint32_t conn, struct drm_mode_modeinfo *mode, uint32_t fb)
{
	struct drm_mode_crtc c = {.crtc_id = crtc,
				  .fb_id = fb,
				  .mode_valid = 1,
				  .set_connectors_ptr = (uintptr_t)&conn,
				  .count_connectors = 1};

	c.mode = *mode;
	xioctl(DRM_IOCTL_MODE_SETCRTC, &c, "SETCRTC");
}

static void show(uint32_t crtc, uint32_t w, uint32_t h, int tx, int ty)
{
	struct buf cur;
	struct drm_mode_cursor c = {
	    .flags = DRM_MODE_CURSOR_BO, .crtc_id = crtc, .width = CURSOR, .height = CURSOR};

	buf_new(&cur, CURSOR, CURSOR, 0);
	for (uint32_t y = 0; y < CURSOR; y++)
		for (uint32_t x = 0; x < CURSOR; x++)
			cur.px[y * (cur.pitch / 4) + x] = pointer(x, y);
	c.handle = cur.handle;
	xioctl(DRM_IOCTL_MODE_CURSOR, &c, "CURSOR");
	for (int i = 1; i <= 8; i++) {
		struct drm_mode_cursor m = {.flags = DRM_MODE_CURSOR_MOVE,
					    .crtc_id = crtc,
					    .x = tx * i / 8,
					    .y = ty * i / 8};

		xioctl(DRM_IOCTL_MODE_CURSOR, &m, "CURSOR move");
		usleep(20000);
	}
	printf("HVDRAW-SHOWN %ux%u\n", w, h);
	fflush(stdout);
	for (;;)
		pause();
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void flip(uint32_t crtc, struct buf *b, int frames)
{
	char ev[256];
	double t0;

	printf("HVDRAW-FLIP-START\n");
	fflush(stdout);
	t0 = now_ms();
	for (int i = 1; i <= frames; i++) {
		struct drm_mode_crtc_page_flip f = {
		    .crtc_id = crtc, .fb_id = b[i & 1].fb, .flags = DRM_MODE_PAGE_FLIP_EVENT};

		xioctl(DRM_IOCTL_MODE_PAGE_FLIP, &f, "PAGE_FLIP");
		while (read(fd, ev, sizeof ev) <= 0)
			if (errno != EINTR)
				die("read event");
	}
	t0 = now_ms() - t0;
	printf("HVDRAW-FLIP-DONE frames=%d ms=%.0f fps=%.1f\n", frames, t0,
	       t0 > 0 ? frames * 1e3 / t0 : 0);
}

int main(int argc, char **argv)
{
	struct drm_mode_modeinfo mode;
	uint32_t conn, crtc;
	struct buf b[2];
	int flipping = argc == 3 && !strcmp(argv[1], "flip");

	if (!(argc == 4 && !strcmp(argv[1], "show")) && !flipping) {
		fprintf(stderr, "usage: hvdraw show X Y | hvdraw flip FRAMES\n");
		return 2;
	}
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/dri/card0");
	pick(&conn, &crtc, &mode);
	buf_new(&b[0], mode.hdisplay, mode.vdisplay, 1);
	draw(&b[0], 0);
	if (flipping) {
		buf_new(&b[1], mode.hdisplay, mode.vdisplay, 1);
		draw(&b[1], 1);
	}
	set_crtc(crtc, conn, &mode, b[0].fb);
	if (flipping)
		flip(crtc, b, atoi(argv[2]));
	else
		show(crtc, mode.hdisplay, mode.vdisplay, atoi(argv[2]), atoi(argv[3]));
	return 0;
}
