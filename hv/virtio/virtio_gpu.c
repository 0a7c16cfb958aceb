/* virtio-gpu's queues: the control queue's commands, each answered in
 * place with a response that echoes the request's fence, and the cursor
 * queue. Resources are in virtio_gpu_res.c, the EDID in virtio_gpu_edid.c,
 * the scanout's way to the display surface in virtio_gpu_scanout.c. */
#include <stdio.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/log.h"
#include "hv/virtio/virtio_gpu.h"

#define CONTROLQ 0
#define CURSORQ	 1
#define REQ_MAX	 64 /* the longest fixed part of a request */
#define HDR	 VIRTIO_GPU_HDR_SIZE

/* A request as read from a chain: the header and the fixed part. */
struct gpu_req {
	uint8_t b[REQ_MAX];
	size_t len; /* bytes of b read */
	uint32_t type;
};

/* A response being built. */
struct gpu_resp {
	uint8_t b[VIRTIO_GPU_EDID_RESP_SIZE];
	size_t len;
};

static struct rect get_rect(const uint8_t *p)
{
	return (struct rect){le_get32(p), le_get32(p + 4), le_get32(p + 8), le_get32(p + 12)};
}

static uint32_t display_info(struct virtio_gpu *g, struct gpu_resp *o)
{
	uint8_t *m = o->b + HDR; /* pmodes[0]: rect, enabled, flags */

	le_put32(m + 8, g->pref_width);
	le_put32(m + 12, g->pref_height);
	le_put32(m + 16, 1);
	o->len = VIRTIO_GPU_DISPLAY_INFO_SIZE;
	return VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
}

static uint32_t get_edid(struct virtio_gpu *g, const struct gpu_req *q, struct gpu_resp *o)
{
	if (le_get32(q->b + HDR) != 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	le_put32(o->b + HDR, VIRTIO_GPU_EDID_BLOCK);
	virtio_gpu_edid(o->b + HDR + 8, g->pref_width, g->pref_height);
	o->len = VIRTIO_GPU_EDID_RESP_SIZE;
	return VIRTIO_GPU_RESP_OK_EDID;
}

static bool inside(const struct rect *r, uint32_t w, uint32_t h)
{
	return (uint64_t)r->x + r->w <= w && (uint64_t)r->y + r->h <= h;
}

static uint32_t set_scanout(struct virtio_gpu *g, const struct gpu_req *q)
{
	struct rect r = get_rect(q->b + HDR);
	uint32_t scanout = le_get32(q->b + HDR + 16), id = le_get32(q->b + HDR + 20);
	struct virtio_gpu_res *res;

	if (scanout != 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	if (id == 0) {
		g->scanout_res = 0;
		g->scanout_gen++;
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	res = virtio_gpu_res_find(g, id);
	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
	if (r.w == 0 || r.h == 0 || !inside(&r, res->width, res->height))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	g->scanout_res = id;
	g->scanout_rect = r;
	g->scanout_gen++;
	g->damage = (struct rect){0, 0, r.w, r.h};
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* The flushed rectangle, in resource coordinates, becomes damage where
 * it overlaps the scanout. */
static uint32_t flush(struct virtio_gpu *g, const struct gpu_req *q)
{
	struct rect r = get_rect(q->b + HDR), s = g->scanout_rect;
	struct virtio_gpu_res *res = virtio_gpu_res_find(g, le_get32(q->b + HDR + 16));
	unsigned x0, y0, x1, y1;

	if (!res)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
	if (!inside(&r, res->width, res->height))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	g->flushes++;
	if (res->id != g->scanout_res)
		return VIRTIO_GPU_RESP_OK_NODATA;
	x0 = r.x > s.x ? r.x : s.x;
	y0 = r.y > s.y ? r.y : s.y;
	x1 = r.x + r.w < s.x + s.w ? r.x + r.w : s.x + s.w;
	y1 = r.y + r.h < s.y + s.h ? r.y + r.h : s.y + s.h;
	if (x0 < x1 && y0 < y1)
		g->damage =
		    rect_union(g->damage, (struct rect){x0 - s.x, y0 - s.y, x1 - x0, y1 - y0});
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Bytes each command's fixed part takes, header included; 0: unknown. */
static size_t request_size(uint32_t type)
{
	switch (type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: return HDR;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: return HDR + 16;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VIRTIO_GPU_CMD_GET_EDID: return HDR + 8;
	case VIRTIO_GPU_CMD_SET_SCANOUT:
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH: return HDR + 24;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
	case VIRTIO_GPU_CMD_UPDATE_CURSOR:
	case VIRTIO_GPU_CMD_MOVE_CURSOR: return HDR + 32;
	}
	return 0;
}

static uint32_t dispatch(struct virtio_gpu *g, const struct virtq_chain *c, const struct gpu_req *q,
			 struct gpu_resp *o)
{
	const uint8_t *a = q->b + HDR;
	struct rect r;

	switch (q->type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: return display_info(g, o);
	case VIRTIO_GPU_CMD_GET_EDID: return get_edid(g, q, o);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		return virtio_gpu_res_create(g, le_get32(a), le_get32(a + 4), le_get32(a + 8),
					     le_get32(a + 12));
	case VIRTIO_GPU_CMD_RESOURCE_UNREF: return virtio_gpu_res_unref(g, le_get32(a));
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return virtio_gpu_res_attach(g, c, HDR + 8, le_get32(a), le_get32(a + 4));
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: return virtio_gpu_res_detach(g, le_get32(a));
	case VIRTIO_GPU_CMD_SET_SCANOUT: return set_scanout(g, q);
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH: return flush(g, q);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		r = get_rect(a);
		return virtio_gpu_res_transfer(g, le_get32(a + 24), &r, le_get64(a + 16));
	}
	return VIRTIO_GPU_RESP_ERR_UNSPEC;
}

/* Reads the header and fixed part of c. False when even the header is
 * not there. */
static bool read_request(const struct virtq_chain *c, struct gpu_req *q)
{
	q->len = virtq_chain_read(c, 0, q->b, sizeof q->b);
	if (q->len < HDR)
		return false;
	q->type = le_get32(q->b);
	return true;
}

/* Answers one control request: the response header echoes the fence. */
static uint32_t control_one(struct virtio_gpu *g, const struct virtq_chain *c)
{
	struct gpu_req q;
	struct gpu_resp o;
	size_t need;
	uint32_t rc;

	memset(&o, 0, sizeof o);
	o.len = HDR;
	if (!read_request(c, &q)) {
		rc = VIRTIO_GPU_RESP_ERR_UNSPEC;
		q.type = 0;
	} else {
		need = request_size(q.type);
		rc =
		    need == 0 || q.len < need ? VIRTIO_GPU_RESP_ERR_UNSPEC : dispatch(g, c, &q, &o);
		le_put32(o.b + 4, le_get32(q.b + 4) &
				      (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX));
		memcpy(o.b + 8, q.b + 8, 16); /* fence_id, ctx_id, ring_idx, padding */
	}
	if (rc >= VIRTIO_GPU_RESP_ERR_UNSPEC) {
		o.len = HDR;
		g->errors++;
		log_guest("virtio %s: command %#x refused with %#x", g->vp.name, q.type, rc);
	}
	le_put32(o.b, rc);
	g->commands++;
	return (uint32_t)virtq_chain_write(c, 0, o.b, o.len);
}

static void control(struct virtio_gpu *g)
{
	struct virtq_chain c;

	while (virtio_pci_pop(&g->vp, CONTROLQ, &c) == 1)
		virtio_pci_push(&g->vp, CONTROLQ, &c, control_one(g, &c));
}

/* UPDATE_CURSOR takes the image from a resource of at most 64x64 (which
 * the driver filled by a transfer); resource 0 hides the cursor. */
static void update_cursor(struct virtio_gpu *g, const uint8_t *a)
{
	struct virtio_gpu_cursor *cur = &g->cursor;
	uint32_t id = le_get32(a + 16);
	struct virtio_gpu_res *res = virtio_gpu_res_find(g, id);

	if (id &&
	    (!res || res->width > VIRTIO_GPU_CURSOR_SIZE || res->height > VIRTIO_GPU_CURSOR_SIZE)) {
		log_guest("virtio %s: cursor resource %u missing or over 64x64", g->vp.name, id);
		return;
	}
	cur->visible = id != 0;
	if (res) {
		memset(cur->image, 0, sizeof cur->image);
		for (uint32_t y = 0; y < res->height; y++)
			memcpy(cur->image + y * VIRTIO_GPU_CURSOR_SIZE,
			       res->pixels + (size_t)y * res->width, res->width * 4);
		cur->hot_x = le_get32(a + 20) < res->width ? le_get32(a + 20) : res->width - 1;
		cur->hot_y = le_get32(a + 24) < res->height ? le_get32(a + 24) : res->height - 1;
	}
	cur->gen++;
}

static void cursor_one(struct virtio_gpu *g, const struct virtq_chain *c)
{
	struct gpu_req q;
	const uint8_t *a = q.b + HDR;

	g->commands++;
	if (!read_request(c, &q) ||
	    (q.type != VIRTIO_GPU_CMD_UPDATE_CURSOR && q.type != VIRTIO_GPU_CMD_MOVE_CURSOR) ||
	    q.len < request_size(q.type) || le_get32(a) != 0) {
		g->errors++;
		log_guest("virtio %s: cursor queue: malformed request ignored", g->vp.name);
		return;
	}
	if (q.type == VIRTIO_GPU_CMD_UPDATE_CURSOR)
		update_cursor(g, a);
	g->cursor.x = (int32_t)le_get32(a + 4);
	g->cursor.y = (int32_t)le_get32(a + 8);
	g->cursor.moves++;
}

/* Cursor requests have no response to fill. */
static void cursor(struct virtio_gpu *g)
{
	struct virtq_chain c;

	while (virtio_pci_pop(&g->vp, CURSORQ, &c) == 1) {
		cursor_one(g, &c);
		virtio_pci_push(&g->vp, CURSORQ, &c, 0);
	}
}

static void tell_changed(struct virtio_gpu *g)
{
	if (g->changed)
		g->changed(g->changed_opaque);
}

static void gpu_notify(void *opaque, unsigned queue)
{
	if (queue == CONTROLQ)
		control(opaque);
	else if (queue == CURSORQ)
		cursor(opaque);
	else
		return;
	tell_changed(opaque);
}

static void gpu_config_read(void *opaque, unsigned offset, void *buf, unsigned len)
{
	struct virtio_gpu *g = opaque;
	uint8_t cfg[VIRTIO_GPU_CFG_SIZE] = {0};

	le_put32(cfg, g->events_read);
	le_put32(cfg + 8, 1); /* num_scanouts */
	memcpy(buf, cfg + offset, len);
}

/* Only events_clear (offset 4) is writable: its bits clear events_read. */
static void gpu_config_write(void *opaque, unsigned offset, const void *buf, unsigned len)
{
	struct virtio_gpu *g = opaque;
	const uint8_t *b = buf;

	for (unsigned i = 0; i < len; i++)
		if (offset + i >= 4 && offset + i < 8)
			g->events_read &= ~((uint32_t)b[i] << 8 * (offset + i - 4));
}

/* Device reset: every resource goes, the screen returns to the VGA. */
static void gpu_reset(void *opaque)
{
	struct virtio_gpu *g = opaque;

	virtio_gpu_res_free_all(g);
	g->events_read = 0;
	g->damage = (struct rect){0};
	memset(&g->cursor, 0, sizeof g->cursor);
	tell_changed(g);
}

static const struct virtio_dev_ops gpu_ops = {
    .type = VIRTIO_ID_GPU,
    .class_base = 0x03, /* display controller, other (not VGA-compatible) */
    .class_sub = 0x80,
    .features = 1ull << VIRTIO_GPU_F_EDID,
    .num_queues = 2,
    .queue_max = 256,
    .config_size = VIRTIO_GPU_CFG_SIZE,
    .config_read = gpu_config_read,
    .config_write = gpu_config_write,
    .notify = gpu_notify,
    .reset = gpu_reset,
};

static bool size_ok(uint32_t w, uint32_t h)
{
	return w >= 1 && h >= 1 && w <= SURFACE_MAX_WIDTH && h <= SURFACE_MAX_HEIGHT;
}

void virtio_gpu_init(struct virtio_gpu *gpu, struct guest_mem *mem, struct irq_line irq,
		     uint32_t width, uint32_t height, const char *name)
{
	memset(gpu, 0, sizeof *gpu);
	gpu->hostmem_max = VIRTIO_GPU_HOSTMEM_MAX;
	gpu->pref_width = size_ok(width, height) ? width : 1024;
	gpu->pref_height = size_ok(width, height) ? height : 768;
	virtio_pci_init(&gpu->vp, mem, &gpu_ops, gpu, irq, name);
}

void virtio_gpu_destroy(struct virtio_gpu *gpu)
{
	virtio_gpu_res_free_all(gpu);
	virtio_pci_destroy(&gpu->vp);
}

int virtio_gpu_set_preferred(struct virtio_gpu *gpu, uint32_t width, uint32_t height)
{
	if (!size_ok(width, height))
		return -1;
	gpu->pref_width = width;
	gpu->pref_height = height;
	gpu->events_read |= VIRTIO_GPU_EVENT_DISPLAY;
	virtio_pci_config_changed(&gpu->vp);
	return 0;
}

static void device_reset(void *dev)
{
	struct virtio_gpu *g = dev;

	virtio_pci_machine_reset(&g->vp);
}

static void device_describe(const void *dev, char *buf, size_t len)
{
	const struct virtio_gpu *g = dev;
	size_t n;

	virtio_pci_describe(&g->vp, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n,
		 " mode=%ux%u scanout=%ux%u resources=%u hostmem=%llu commands=%llu "
		 "errors=%llu transfers=%llu flushes=%llu",
		 g->pref_width, g->pref_height, g->scanout_res ? g->scanout_rect.w : 0,
		 g->scanout_res ? g->scanout_rect.h : 0, g->nres, (unsigned long long)g->hostmem,
		 (unsigned long long)g->commands, (unsigned long long)g->errors,
		 (unsigned long long)g->transfers, (unsigned long long)g->flushes);
}

static void device_save(const void *dev, struct state_out *o)
{
	virtio_gpu_save(dev, o);
}

static int device_load(void *dev, struct state_in *in, uint32_t from)
{
	return virtio_gpu_load(dev, in, from);
}

const struct device_ops virtio_gpu_device_ops = {.reset = device_reset,
						 .describe = device_describe,
						 .version = VIRTIO_PCI_SAVE_VERSION,
						 .save = device_save,
						 .load = device_load};
