/* virtio_gpu: a synthetic driver drives the control and cursor queues in
 * guest RAM as Linux's virtio-gpu does (display info, EDID, a resource
 * with a scattered backing, scanout, transfer, flush, cursor), checks what
 * reaches a display surface, and sends the hostile requests a guest may:
 * rectangles out of range, absurd sizes, backing outside RAM, unknown and
 * truncated commands, a scanout on a destroyed resource, more memory than
 * the cap. Each must get an error response and leave the device usable. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_gpu.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (4u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define CTL_AT	 0x1000u /* control queue: desc, avail, used */
#define CUR_AT	 0x4000u /* cursor queue */
#define REQ_AT	 0x8000u
#define EXTRA_AT 0x9000u
#define RESP_AT	 0xA000u
#define FB_AT	 0x100000u
#define W	 64 /* the test framebuffer */
#define H	 32
#define STRIDE	 (W * 4)

static struct guest_mem mem;
static struct virtio_gpu gpu;
static struct virtio_driver drv;
static struct surface surf;

/* The framebuffer's backing: three pieces out of order in guest RAM. */
static const struct {
	uint64_t addr;
	uint32_t len;
} pieces[] = {{FB_AT + 0x10000, 1000}, {FB_AT, 5000}, {FB_AT + 0x20000, W *H * 4 - 6000}};

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	ck_assert_int_eq(surface_init(&surf, "test-gpu", err, sizeof err), 0);
	virtio_gpu_init(&gpu, &mem, (struct irq_line){0}, 1280, 800, "gpu0");
	vdrv_attach(&drv, &mem, &gpu.vp.pci, 5, BAR, QSIZE);
	vdrv_negotiate(&drv, 1u << VIRTIO_GPU_F_EDID, 1);
	vdrv_setup_queue(&drv, 0, CTL_AT);
	vdrv_setup_queue(&drv, 1, CUR_AT);
	vdrv_driver_ok(&drv);
	ck_assert_uint_eq(mem_read_sized(&mem, BAR + VIRTIO_COMMON_STATUS, 1), 0x0F);
}

static void teardown(void)
{
	virtio_gpu_destroy(&gpu);
	surface_fini(&surf);
	mem_destroy(&mem);
}

/* Offers the chain at descriptor 0 on queue n at q and kicks. Returns the
 * length the device wrote, after checking the chain came back. */
static uint32_t run_chain(unsigned n, uint64_t q)
{
	uint16_t before = vdrv_used_idx(&drv, q);

	vdrv_offer(&drv, n, q, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4 * n, 2, n);
	ck_assert_uint_eq(vdrv_used_idx(&drv, q), (uint16_t)(before + 1));
	return vdrv_used_len(&drv, q, before % QSIZE);
}

/* Sends a control request (plus an optional second readable buffer) and
 * returns the response type; the response is at RESP_AT. */
static uint32_t cmd2(const uint8_t *req, uint32_t len, const uint8_t *extra, uint32_t extra_len)
{
	memcpy(mem.ram + REQ_AT, req, len);
	memset(mem.ram + RESP_AT, 0xEE, 0x1000);
	if (extra_len) {
		memcpy(mem.ram + EXTRA_AT, extra, extra_len);
		vdrv_put_desc(&drv, CTL_AT, 0, REQ_AT, len, VIRTQ_DESC_F_NEXT, 1);
		vdrv_put_desc(&drv, CTL_AT, 1, EXTRA_AT, extra_len, VIRTQ_DESC_F_NEXT, 2);
	} else {
		vdrv_put_desc(&drv, CTL_AT, 0, REQ_AT, len, VIRTQ_DESC_F_NEXT, 2);
	}
	vdrv_put_desc(&drv, CTL_AT, 2, RESP_AT, 0x1000, VIRTQ_DESC_F_WRITE, 0);
	ck_assert_uint_ge(run_chain(0, CTL_AT), VIRTIO_GPU_HDR_SIZE);
	return le_get32(mem.ram + RESP_AT);
}

static uint32_t cmd(const uint8_t *req, uint32_t len)
{
	return cmd2(req, len, NULL, 0);
}

/* A request of the given type with up to 8 le32 arguments after the
 * header. */
static uint32_t cmdv(uint32_t type, unsigned n, const uint32_t *args)
{
	uint8_t req[64] = {0};

	le_put32(req, type);
	for (unsigned i = 0; i < n; i++)
		le_put32(req + VIRTIO_GPU_HDR_SIZE + 4 * i, args[i]);
	return cmd(req, VIRTIO_GPU_HDR_SIZE + 4 * (n < 2 ? 2 : n));
}

static uint32_t create(uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	return cmdv(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 4, (uint32_t[]){id, format, w, h});
}

static uint32_t attach(uint32_t id)
{
	uint8_t req[32] = {0}, ents[16 * 3] = {0};

	le_put32(req, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
	le_put32(req + 24, id);
	le_put32(req + 28, 3);
	for (unsigned i = 0; i < 3; i++) {
		le_put64(ents + 16 * i, pieces[i].addr);
		le_put32(ents + 16 * i + 8, pieces[i].len);
	}
	return cmd2(req, sizeof req, ents, sizeof ents);
}

static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			 uint64_t offset)
{
	uint8_t req[56] = {0};

	le_put32(req, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
	le_put32(req + 24, x);
	le_put32(req + 28, y);
	le_put32(req + 32, w);
	le_put32(req + 36, h);
	le_put64(req + 40, offset);
	le_put32(req + 48, id);
	return cmd(req, sizeof req);
}

static uint32_t scanout(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	return cmdv(VIRTIO_GPU_CMD_SET_SCANOUT, 6, (uint32_t[]){x, y, w, h, 0, id});
}

static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	return cmdv(VIRTIO_GPU_CMD_RESOURCE_FLUSH, 6, (uint32_t[]){x, y, w, h, id, 0});
}

/* The guest's byte at backing offset off. */
static uint8_t *fb_byte(uint32_t off)
{
	for (unsigned i = 0; i < 3; i++) {
		if (off < pieces[i].len)
			return mem.ram + pieces[i].addr + off;
		off -= pieces[i].len;
	}
	ck_abort_msg("offset past the backing");
	return NULL;
}

/* Writes pixel (x, y) of the guest framebuffer as B, G, R, X bytes. */
static void fb_put(unsigned x, unsigned y, uint32_t xrgb)
{
	uint32_t off = y * STRIDE + x * 4;

	for (unsigned i = 0; i < 4; i++)
		*fb_byte(off + i) = (uint8_t)(xrgb >> 8 * i);
}

static uint32_t pattern(unsigned x, unsigned y, unsigned seed)
{
	return (x * 7 + y * 131 + seed * 0x10101) & 0xFFFFFF;
}

static void fb_fill(unsigned seed)
{
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++)
			fb_put(x, y, pattern(x, y, seed));
}

static uint32_t surf_px(unsigned x, unsigned y)
{
	return surf.pixels[y * surf.stride / 4 + x] & 0xFFFFFF;
}

/* Resource 1 (W x H, B8G8R8X8) with the scattered backing, filled with
 * pattern 1, transferred, shown and flushed. */
static void bring_up_screen(void)
{
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(1), VIRTIO_GPU_RESP_OK_NODATA);
	fb_fill(1);
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(scanout(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
}

START_TEST(display_info_offers_the_preferred_mode)
{
	const uint8_t *m = mem.ram + RESP_AT + VIRTIO_GPU_HDR_SIZE;

	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, NULL),
			  VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert_uint_eq(le_get32(m + 8), 1280);
	ck_assert_uint_eq(le_get32(m + 12), 800);
	ck_assert_uint_eq(le_get32(m + 16), 1);
	ck_assert_uint_eq(le_get32(m + 24 + 16), 0); /* scanout 1 is not there */
	/* The host changes the mode: an event, then the new size. */
	ck_assert_int_eq(virtio_gpu_set_preferred(&gpu, 1024, 600), 0);
	ck_assert_uint_eq(mem_read_sized(&mem, BAR + VIRTIO_PCI_DEVICE_CFG, 4),
			  VIRTIO_GPU_EVENT_DISPLAY);
	vdrv_wr(&drv, VIRTIO_PCI_DEVICE_CFG + 4, 4, VIRTIO_GPU_EVENT_DISPLAY);
	ck_assert_uint_eq(mem_read_sized(&mem, BAR + VIRTIO_PCI_DEVICE_CFG, 4), 0);
	ck_assert_uint_eq(mem_read_sized(&mem, BAR + VIRTIO_PCI_DEVICE_CFG + 8, 4), 1);
	cmdv(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, NULL);
	ck_assert_uint_eq(le_get32(m + 8), 1024);
	ck_assert_uint_eq(le_get32(m + 12), 600);
	ck_assert_int_eq(virtio_gpu_set_preferred(&gpu, 0, 600), -1);
	ck_assert_int_eq(virtio_gpu_set_preferred(&gpu, 65536, 600), -1);
}
END_TEST

START_TEST(edid_lists_the_preferred_size)
{
	const uint8_t *e = mem.ram + RESP_AT + VIRTIO_GPU_HDR_SIZE + 8;
	const uint8_t *t = e + 54;
	static const uint8_t header[8] = {0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0};
	unsigned sum = 0;

	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_GET_EDID, 2, (uint32_t[]){0, 0}),
			  VIRTIO_GPU_RESP_OK_EDID);
	ck_assert_uint_eq(le_get32(mem.ram + RESP_AT + VIRTIO_GPU_HDR_SIZE), 128);
	ck_assert_mem_eq(e, header, 8);
	for (unsigned i = 0; i < 128; i++)
		sum += e[i];
	ck_assert_uint_eq(sum % 256, 0);
	ck_assert_uint_eq(t[2] | (t[4] >> 4) << 8, 1280); /* horizontal active */
	ck_assert_uint_eq(t[5] | (t[7] >> 4) << 8, 800);  /* vertical active */
	ck_assert_uint_ne(t[0] | t[1] << 8, 0);		  /* a pixel clock: a timing */
	ck_assert_uint_eq(e[24] & 2, 2);		  /* the first timing is preferred */
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_GET_EDID, 2, (uint32_t[]){1, 0}),
			  VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
}
END_TEST

START_TEST(fences_are_echoed)
{
	uint8_t req[24] = {0};
	const uint8_t *r = mem.ram + RESP_AT;

	le_put32(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	le_put32(req + 4, VIRTIO_GPU_FLAG_FENCE);
	le_put64(req + 8, 0x1122334455667788ull);
	le_put32(req + 16, 7);
	ck_assert_uint_eq(cmd(req, sizeof req), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert_uint_eq(le_get32(r + 4), VIRTIO_GPU_FLAG_FENCE);
	ck_assert_uint_eq(le_get64(r + 8), 0x1122334455667788ull);
	ck_assert_uint_eq(le_get32(r + 16), 7);
	/* An error response carries the fence too: the driver waits on it. */
	le_put32(req, 0x0200); /* CTX_CREATE: no 3D here */
	le_put64(req + 8, 42);
	ck_assert_uint_eq(cmd(req, sizeof req), VIRTIO_GPU_RESP_ERR_UNSPEC);
	ck_assert_uint_eq(le_get32(r + 4), VIRTIO_GPU_FLAG_FENCE);
	ck_assert_uint_eq(le_get64(r + 8), 42);
	/* No fence asked, none given. */
	le_put32(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	le_put32(req + 4, 0);
	cmd(req, sizeof req);
	ck_assert_uint_eq(le_get32(r + 4), 0);
}
END_TEST

START_TEST(scanout_reaches_the_surface)
{
	struct rect d;

	ck_assert(!virtio_gpu_render(&gpu, &surf, false)); /* nothing shown yet */
	bring_up_screen();
	ck_assert(virtio_gpu_scanout_active(&gpu));
	surface_take_damage(&surf, &d);
	ck_assert(virtio_gpu_render(&gpu, &surf, false));
	ck_assert_uint_eq(surf.width, W);
	ck_assert_uint_eq(surf.height, H);
	ck_assert(surface_take_damage(&surf, &d));
	ck_assert_uint_eq(d.w, W);
	ck_assert_uint_eq(d.h, H);
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++)
			ck_assert_uint_eq(surf_px(x, y), pattern(x, y, 1));
	/* Nothing flushed since: nothing to do. */
	ck_assert(virtio_gpu_render(&gpu, &surf, false));
	ck_assert(!surface_take_damage(&surf, &d));
}
END_TEST

START_TEST(only_the_damaged_rectangle_is_copied)
{
	struct rect d;

	bring_up_screen();
	virtio_gpu_render(&gpu, &surf, false);
	surface_take_damage(&surf, &d);
	fb_fill(2); /* the guest redraws everything but sends a part */
	ck_assert_uint_eq(transfer(1, 10, 5, 8, 4, 5 * STRIDE + 10 * 4), VIRTIO_GPU_RESP_OK_NODATA);
	/* Transferred, not flushed: viewers see nothing yet. */
	virtio_gpu_render(&gpu, &surf, false);
	ck_assert(!surface_take_damage(&surf, &d));
	ck_assert_uint_eq(surf_px(10, 5), pattern(10, 5, 1));
	ck_assert_uint_eq(flush(1, 10, 5, 8, 4), VIRTIO_GPU_RESP_OK_NODATA);
	virtio_gpu_render(&gpu, &surf, false);
	ck_assert(surface_take_damage(&surf, &d));
	ck_assert_uint_eq(d.x, 10);
	ck_assert_uint_eq(d.y, 5);
	ck_assert_uint_eq(d.w, 8);
	ck_assert_uint_eq(d.h, 4);
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++) {
			bool in = x >= 10 && x < 18 && y >= 5 && y < 9;

			ck_assert_uint_eq(surf_px(x, y), pattern(x, y, in ? 2 : 1));
		}
}
END_TEST

/* A scanout of part of a bigger resource: flushes are clipped to it and
 * moved to its origin. */
START_TEST(scanout_of_a_part_clips_flushes)
{
	struct rect d;

	bring_up_screen();
	ck_assert_uint_eq(scanout(1, 16, 8, 32, 16), VIRTIO_GPU_RESP_OK_NODATA);
	virtio_gpu_render(&gpu, &surf, false);
	ck_assert_uint_eq(surf.width, 32);
	ck_assert_uint_eq(surf.height, 16);
	ck_assert_uint_eq(surf_px(0, 0), pattern(16, 8, 1));
	surface_take_damage(&surf, &d);
	ck_assert_uint_eq(flush(1, 0, 0, 20, 10), VIRTIO_GPU_RESP_OK_NODATA);
	virtio_gpu_render(&gpu, &surf, false);
	ck_assert(surface_take_damage(&surf, &d));
	ck_assert_uint_eq(d.x, 0);
	ck_assert_uint_eq(d.y, 0);
	ck_assert_uint_eq(d.w, 4);
	ck_assert_uint_eq(d.h, 2);
	ck_assert_uint_eq(flush(1, 0, 0, 8, 4), VIRTIO_GPU_RESP_OK_NODATA); /* outside it */
	virtio_gpu_render(&gpu, &surf, false);
	ck_assert(!surface_take_damage(&surf, &d));
}
END_TEST

START_TEST(other_formats_are_converted)
{
	static const uint32_t fmts[] = {
	    VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM,
	    VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM,
	    VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM,
	    VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM};
	/* Bytes in memory for R=11h G=22h B=33h A=44h, per format above. */
	static const uint8_t bytes[][4] = {{0x33, 0x22, 0x11, 0x44}, {0x44, 0x11, 0x22, 0x33},
					   {0x44, 0x11, 0x22, 0x33}, {0x11, 0x22, 0x33, 0x44},
					   {0x44, 0x33, 0x22, 0x11}, {0x44, 0x33, 0x22, 0x11},
					   {0x11, 0x22, 0x33, 0x44}};

	for (unsigned i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		ck_assert_uint_eq(create(10 + i, fmts[i], W, H), VIRTIO_GPU_RESP_OK_NODATA);
		ck_assert_uint_eq(attach(10 + i), VIRTIO_GPU_RESP_OK_NODATA);
		memcpy(fb_byte(0), bytes[i], 4);
		ck_assert_uint_eq(transfer(10 + i, 0, 0, 1, 1, 0), VIRTIO_GPU_RESP_OK_NODATA);
		ck_assert_uint_eq(virtio_gpu_res_find(&gpu, 10 + i)->pixels[0], 0x44112233u);
	}
}
END_TEST

START_TEST(absurd_resources_are_refused)
{
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, 0),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 65536, 65536),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0xFFFFFFFF, 1),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 16384, 16384),
			  VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY); /* 1 GiB: over the cap */
	ck_assert_uint_eq(create(1, 99, 64, 64), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(create(0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE); /* in use */
	ck_assert_uint_eq(gpu.nres, 1);
	ck_assert_uint_eq(gpu.hostmem, 64 * 64 * 4);
}
END_TEST

START_TEST(host_memory_is_capped)
{
	uint32_t id = 1;

	gpu.hostmem_max = 1u << 20;
	while (create(id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256) == VIRTIO_GPU_RESP_OK_NODATA)
		id++;
	ck_assert_uint_eq(id, 5); /* four of 256 KiB fit in 1 MiB */
	ck_assert_uint_le(gpu.hostmem, gpu.hostmem_max);
	ck_assert_uint_eq(create(id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256),
			  VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	/* Scatter lists count too: no room left for one. */
	ck_assert_uint_eq(attach(1), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_RESOURCE_UNREF, 2, (uint32_t[]){2, 0}),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(create(id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 256, 256),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_RESOURCE_UNREF, 2, (uint32_t[]){2, 0}),
			  VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE); /* gone already */
}
END_TEST

START_TEST(out_of_range_rectangles_are_refused)
{
	bring_up_screen();
	ck_assert_uint_eq(transfer(1, 60, 0, 8, 1, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0, 30, 1, 8, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0xFFFFFFF0u, 0, 0x20, 1, 0),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER); /* x + w wraps */
	ck_assert_uint_eq(transfer(1, 0, 0, 0, 0, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	/* Offsets that run past the backing, or wrap. */
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 4), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0, 0, 1, 1, ~0ull - 2),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0, 31, 1, 1, 31 * STRIDE), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(7, 0, 0, 1, 1, 0), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE);
	ck_assert_uint_eq(flush(1, 0, 0, W + 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(flush(1, 0xFFFFFFFFu, 0, 2, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(scanout(1, 1, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(scanout(1, 0, 0, 0, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_SET_SCANOUT, 6, (uint32_t[]){0, 0, W, H, 1, 1}),
			  VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	ck_assert_uint_eq(
	    cmdv(VIRTIO_GPU_CMD_SET_SCANOUT, 6, (uint32_t[]){0, 0, W, H, 0xFFFFFFFFu, 1}),
	    VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	/* The screen is still the good one. */
	ck_assert_uint_eq(gpu.scanout_rect.w, W);
	ck_assert(virtio_gpu_render(&gpu, &surf, false));
	ck_assert_uint_eq(surf_px(3, 3), pattern(3, 3, 1));
}
END_TEST

static uint32_t attach_one(uint32_t id, uint64_t addr, uint32_t len, uint32_t n_said)
{
	uint8_t req[32] = {0}, ent[16] = {0};

	le_put32(req, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING);
	le_put32(req + 24, id);
	le_put32(req + 28, n_said);
	le_put64(ent, addr);
	le_put32(ent + 8, len);
	return cmd2(req, sizeof req, ent, sizeof ent);
}

START_TEST(backing_outside_ram_is_refused)
{
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach_one(1, RAM_SIZE, 4096, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(attach_one(1, RAM_SIZE - 4096, 8192, 1),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER); /* straddles the end */
	ck_assert_uint_eq(attach_one(1, BAR, 4096, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(attach_one(1, ~0ull - 100, 4096, 1),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER); /* wraps */
	ck_assert_uint_eq(attach_one(1, FB_AT, 0, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	/* More entries said than the chain carries, none, too many. */
	ck_assert_uint_eq(attach_one(1, FB_AT, 4096, 2), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(attach_one(1, FB_AT, 4096, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(attach_one(1, FB_AT, 4096, 0xFFFFFFFFu),
			  VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_ptr_null(virtio_gpu_res_find(&gpu, 1)->backing);
	ck_assert_uint_eq(gpu.hostmem, W * H * 4);
	/* A short backing: transfers that need more are refused. */
	ck_assert_uint_eq(attach_one(1, FB_AT, 4096, 1), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach_one(1, FB_AT, 4096, 1), VIRTIO_GPU_RESP_ERR_UNSPEC); /* twice */
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0, 0, W, 4, 0), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 2, (uint32_t[]){1, 0}),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 2, (uint32_t[]){1, 0}),
			  VIRTIO_GPU_RESP_ERR_UNSPEC);
	ck_assert_uint_eq(transfer(1, 0, 0, W, 4, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
	ck_assert_uint_eq(gpu.hostmem, W * H * 4);
}
END_TEST

START_TEST(unknown_and_truncated_commands_get_errors)
{
	uint8_t req[64] = {0};
	static const uint32_t unknown[] = {0,	   0x0108, 0x0109, 0x010B, 0x010C,
					   0x0200, 0x0207, 0x0300, 0x1100, 0xFFFFFFFFu};

	for (unsigned i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		le_put32(req, unknown[i]);
		ck_assert_uint_eq(cmd(req, sizeof req), VIRTIO_GPU_RESP_ERR_UNSPEC);
	}
	/* Shorter than a header, and shorter than the command's fixed part. */
	le_put32(req, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	ck_assert_uint_eq(cmd(req, 16), VIRTIO_GPU_RESP_ERR_UNSPEC);
	le_put32(req, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D);
	ck_assert_uint_eq(cmd(req, 40), VIRTIO_GPU_RESP_ERR_UNSPEC);
	le_put32(req, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D);
	ck_assert_uint_eq(cmd(req, 30), VIRTIO_GPU_RESP_ERR_UNSPEC);
	ck_assert_uint_eq(gpu.nres, 0);
	/* A response buffer shorter than a header gets what fits. */
	vdrv_put_desc(&drv, CTL_AT, 0, REQ_AT, 24, VIRTQ_DESC_F_NEXT, 2);
	vdrv_put_desc(&drv, CTL_AT, 2, RESP_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	le_put32(mem.ram + REQ_AT, VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
	ck_assert_uint_eq(run_chain(0, CTL_AT), 8);
	/* The device still works. */
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, NULL),
			  VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert_uint_eq(gpu.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(scanout_on_a_destroyed_resource)
{
	bring_up_screen();
	ck_assert_uint_eq(cmdv(VIRTIO_GPU_CMD_RESOURCE_UNREF, 2, (uint32_t[]){1, 0}),
			  VIRTIO_GPU_RESP_OK_NODATA);
	/* The screen it showed is gone: back to whoever drew before. */
	ck_assert(!virtio_gpu_scanout_active(&gpu));
	ck_assert(!virtio_gpu_render(&gpu, &surf, false));
	ck_assert_uint_eq(scanout(1, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE);
	ck_assert_uint_eq(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE);
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE);
	ck_assert_uint_eq(gpu.hostmem, 0);
	/* Scanout 0 with resource 0 disables it; that is fine. */
	ck_assert_uint_eq(scanout(0, 0, 0, 0, 0), VIRTIO_GPU_RESP_OK_NODATA);
}
END_TEST

/* A cursor request on the cursor queue (no response). */
static void cursor_cmd(uint32_t type, uint32_t x, uint32_t y, uint32_t id, uint32_t hx, uint32_t hy)
{
	uint8_t *req = mem.ram + REQ_AT;

	memset(req, 0, 56);
	le_put32(req, type);
	le_put32(req + 28, x);
	le_put32(req + 32, y);
	le_put32(req + 40, id);
	le_put32(req + 44, hx);
	le_put32(req + 48, hy);
	vdrv_put_desc(&drv, CUR_AT, 0, REQ_AT, 56, 0, 0);
	ck_assert_uint_eq(run_chain(1, CUR_AT), 0);
}

START_TEST(cursor_is_kept_apart_from_the_screen)
{
	struct rect d;
	uint32_t gen;

	bring_up_screen();
	virtio_gpu_render(&gpu, &surf, false);
	surface_take_damage(&surf, &d);
	/* A 64x64 ARGB cursor image from resource 2. */
	ck_assert_uint_eq(create(2, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64),
			  VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(2), VIRTIO_GPU_RESP_OK_NODATA);
	fb_put(3, 2, 0xFF00FF00u); /* the stride is 256 bytes here too */
	ck_assert_uint_eq(transfer(2, 0, 0, 64, 32, 0), VIRTIO_GPU_RESP_OK_NODATA);
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 100, 50, 2, 3, 2);
	ck_assert(gpu.cursor.visible);
	ck_assert_uint_eq(gpu.cursor.image[2 * 64 + 3], 0xFF00FF00u);
	ck_assert_uint_eq(gpu.cursor.hot_x, 3);
	ck_assert_uint_eq(gpu.cursor.hot_y, 2);
	ck_assert_int_eq(gpu.cursor.x, 100);
	ck_assert_int_eq(gpu.cursor.y, 50);
	gen = gpu.cursor.gen;
	cursor_cmd(VIRTIO_GPU_CMD_MOVE_CURSOR, 7, 9, 0, 0, 0);
	ck_assert_int_eq(gpu.cursor.x, 7);
	ck_assert_int_eq(gpu.cursor.y, 9);
	ck_assert_uint_eq(gpu.cursor.gen, gen);
	ck_assert(gpu.cursor.visible);
	/* The screen did not change for it. */
	virtio_gpu_render(&gpu, &surf, false);
	ck_assert(!surface_take_damage(&surf, &d));
	/* Too big, missing, unknown: ignored. */
	ck_assert_uint_eq(create(3, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 128, 128),
			  VIRTIO_GPU_RESP_OK_NODATA);
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 1, 1, 3, 0, 0);
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 1, 1, 99, 0, 0);
	cursor_cmd(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 1, 1, 0, 0, 0);
	ck_assert_uint_eq(gpu.cursor.gen, gen);
	ck_assert(gpu.cursor.visible);
	cursor_cmd(VIRTIO_GPU_CMD_UPDATE_CURSOR, 1, 1, 0, 0, 0); /* hide */
	ck_assert(!gpu.cursor.visible);
}
END_TEST

START_TEST(device_reset_frees_everything)
{
	bring_up_screen();
	ck_assert_uint_gt(gpu.hostmem, 0);
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(gpu.nres, 0);
	ck_assert_uint_eq(gpu.hostmem, 0);
	ck_assert(!virtio_gpu_scanout_active(&gpu));
}
END_TEST

/* Random requests of every known type with random fields, between real
 * ones: only responses, and the device still shows the right picture. */
START_TEST(random_requests_never_break_it)
{
	uint8_t req[64];

	bring_up_screen();
	unit_seed((uint32_t)_i);
	for (unsigned n = 0; n < 2000; n++) {
		static const uint32_t types[] = {0x100, 0x101, 0x102, 0x104, 0x105,
						 0x106, 0x107, 0x10A, 0x103};
		for (unsigned i = 0; i < sizeof req; i++)
			req[i] = (uint8_t)unit_rand();
		le_put32(req, types[unit_rand() % 8]); /* never SET_SCANOUT */
		if (unit_rand() % 2)
			le_put32(req + 24, 2 + unit_rand() % 4); /* a plausible id, not 1 */
		ck_assert_uint_ge(cmd2(req, 24 + unit_rand() % 40, req, unit_rand() % 64),
				  VIRTIO_GPU_RESP_OK_NODATA);
	}
	ck_assert_uint_eq(gpu.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert(virtio_gpu_render(&gpu, &surf, false));
	ck_assert_uint_eq(surf_px(5, 6), pattern(5, 6, 1));
	ck_assert_uint_le(gpu.hostmem, gpu.hostmem_max);
}
END_TEST

/* The device goes away; a fresh one on the same RAM loads state p. */
static int reload(const uint8_t *p, size_t len)
{
	struct state_in in = state_in_make(p, len);
	int rc;

	virtio_gpu_destroy(&gpu);
	virtio_gpu_init(&gpu, &mem, (struct irq_line){0}, 640, 480, "gpu0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 5, 0, &gpu.vp.pci), 0);
	rc = virtio_gpu_device_ops.load(&gpu, &in, virtio_gpu_device_ops.version);
	return rc == 0 && state_in_done(&in) ? 0 : -1;
}

/* Where resource 1's first backing entry sits in the saved state: the
 * transport (294 bytes and 34 per queue), mode and events (12), the
 * count (4), then id, format, width, height, entries (20). */
#define AT_RES	  (294 + 2 * 34 + 12 + 4)
#define AT_ENTRY0 (AT_RES + 20)

START_TEST(restore_keeps_resources_and_the_picture)
{
	struct state_out o = {0};

	bring_up_screen();
	virtio_gpu_device_ops.save(&gpu, &o);
	ck_assert(!o.failed);
	ck_assert_int_eq(reload(o.p, o.len), 0);
	ck_assert_uint_eq(gpu.pref_width, 1280); /* the saved mode, not the new device's */
	/* The guest's pages change but are not transferred: a flush shows
	 * the host copy the resource had when saved. */
	fb_fill(2);
	ck_assert_uint_eq(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(virtio_gpu_render(&gpu, &surf, false));
	ck_assert_uint_eq(surf.width, W);
	for (unsigned y = 0; y < H; y += 3)
		for (unsigned x = 0; x < W; x += 5)
			ck_assert_uint_eq(surf_px(x, y), pattern(x, y, 1));
	/* The scattered backing came back: a transfer takes the new pages. */
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(virtio_gpu_render(&gpu, &surf, false));
	ck_assert_uint_eq(surf_px(W - 1, H - 1), pattern(W - 1, H - 1, 2));
	ck_assert_uint_eq(gpu.hostmem, (uint64_t)W * H * 4 + 3 * sizeof(struct virtio_gpu_entry));
	state_out_free(&o);
}
END_TEST

START_TEST(hostile_saved_states_are_refused)
{
	struct state_out o = {0};
	uint8_t *p;

	bring_up_screen();
	virtio_gpu_device_ops.save(&gpu, &o);
	p = malloc(o.len);
	for (size_t len = 0; len < o.len; len += 97)
		ck_assert_int_eq(reload(o.p, len), -1);
	ck_assert_int_eq(reload(o.p, o.len - 1), -1);
	memcpy(p, o.p, o.len);
	le_put64(p + AT_ENTRY0, RAM_SIZE - 100); /* a backing entry past RAM */
	ck_assert_int_eq(reload(p, o.len), -1);
	le_put64(p + AT_ENTRY0, BAR); /* on MMIO */
	ck_assert_int_eq(reload(p, o.len), -1);
	memcpy(p, o.p, o.len);
	le_put32(p + AT_RES + 8, 16384); /* 16384 x 16384: over the memory cap */
	le_put32(p + AT_RES + 12, 16384);
	ck_assert_int_eq(reload(p, o.len), -1);
	le_put32(p + AT_RES + 8, 4096); /* 64 MiB the state does not hold */
	le_put32(p + AT_RES + 12, 4096);
	ck_assert_int_eq(reload(p, o.len), -1);
	memcpy(p, o.p, o.len);
	le_put32(p + AT_RES + 4, 5); /* an unknown format */
	ck_assert_int_eq(reload(p, o.len), -1);
	memcpy(p, o.p, o.len);
	le_put32(p + AT_RES, 0); /* resource id 0 */
	ck_assert_int_eq(reload(p, o.len), -1);
	ck_assert_uint_eq(gpu.nres, 0);
	ck_assert_uint_eq(gpu.hostmem, 0);
	ck_assert_int_eq(reload(o.p, o.len), 0); /* intact: taken */
	ck_assert_uint_eq(gpu.nres, 1);
	free(p);
	state_out_free(&o);
}
END_TEST

static Suite *virtio_gpu_suite(void)
{
	Suite *s = suite_create("virtio_gpu");
	TCase *tc = tcase_create("gpu");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, display_info_offers_the_preferred_mode);
	tcase_add_test(tc, restore_keeps_resources_and_the_picture);
	tcase_add_test(tc, hostile_saved_states_are_refused);
	tcase_add_test(tc, edid_lists_the_preferred_size);
	tcase_add_test(tc, fences_are_echoed);
	tcase_add_test(tc, scanout_reaches_the_surface);
	tcase_add_test(tc, only_the_damaged_rectangle_is_copied);
	tcase_add_test(tc, scanout_of_a_part_clips_flushes);
	tcase_add_test(tc, other_formats_are_converted);
	tcase_add_test(tc, absurd_resources_are_refused);
	tcase_add_test(tc, host_memory_is_capped);
	tcase_add_test(tc, out_of_range_rectangles_are_refused);
	tcase_add_test(tc, backing_outside_ram_is_refused);
	tcase_add_test(tc, unknown_and_truncated_commands_get_errors);
	tcase_add_test(tc, scanout_on_a_destroyed_resource);
	tcase_add_test(tc, cursor_is_kept_apart_from_the_screen);
	tcase_add_test(tc, device_reset_frees_everything);
	tcase_add_loop_test(tc, random_requests_never_break_it, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_gpu_suite());
}
