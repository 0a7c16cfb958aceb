/* virtio-gpu in 2D mode (virtio 1.x section 5.7): one scanout whose picture
 * the guest builds in host-side resources, with a control queue and a
 * cursor queue. No 3D (VIRGL), no blobs; the EDID feature is offered.
 *
 *   RESOURCE_CREATE_2D      a host copy of width x height pixels
 *   RESOURCE_ATTACH_BACKING the guest pages behind it (a scatter list)
 *   TRANSFER_TO_HOST_2D     copies a rectangle from the pages to the copy
 *   SET_SCANOUT             which resource (and which part) is shown
 *   RESOURCE_FLUSH          that rectangle of the shown picture changed
 *   UPDATE/MOVE_CURSOR      the pointer image and place, kept apart
 *
 * Everything the driver sends is untrusted: rectangles, sizes, resource
 * ids, scatter-list addresses and lengths are checked and a bad request
 * gets an error response (ERR_*), logged rate-limited; host memory for
 * resources is capped (hostmem_max) and so is their number. Every hook
 * runs with the domain lock held; so must the callers of the functions
 * below. */
#ifndef HV_VIRTIO_GPU_H
#define HV_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "display/surface.h"
#include "hv/core/device.h"
#include "hv/virtio/virtio_pci.h"

#define VIRTIO_GPU_HOSTMEM_MAX (128ull << 20) /* resource bytes per device */
#define VIRTIO_GPU_RES_MAX     1024	      /* resources per device */
#define VIRTIO_GPU_DIM_MAX     16384	      /* a resource's width or height */
#define VIRTIO_GPU_BACKING_MAX 65536	      /* scatter-list entries per resource */
#define VIRTIO_GPU_CURSOR_SIZE 64	      /* the cursor image is 64x64 */

/* Feature bits. */
#define VIRTIO_GPU_F_VIRGL 0
#define VIRTIO_GPU_F_EDID  1

/* Configuration: events_read, events_clear, num_scanouts, num_capsets. */
#define VIRTIO_GPU_CFG_SIZE	 16
#define VIRTIO_GPU_EVENT_DISPLAY 1

/* Commands. */
#define VIRTIO_GPU_CMD_GET_DISPLAY_INFO	       0x0100
#define VIRTIO_GPU_CMD_RESOURCE_CREATE_2D      0x0101
#define VIRTIO_GPU_CMD_RESOURCE_UNREF	       0x0102
#define VIRTIO_GPU_CMD_SET_SCANOUT	       0x0103
#define VIRTIO_GPU_CMD_RESOURCE_FLUSH	       0x0104
#define VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D     0x0105
#define VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING 0x0106
#define VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING 0x0107
#define VIRTIO_GPU_CMD_GET_CAPSET_INFO	       0x0108
#define VIRTIO_GPU_CMD_GET_CAPSET	       0x0109
#define VIRTIO_GPU_CMD_GET_EDID		       0x010A
#define VIRTIO_GPU_CMD_UPDATE_CURSOR	       0x0300
#define VIRTIO_GPU_CMD_MOVE_CURSOR	       0x0301

/* Responses. */
#define VIRTIO_GPU_RESP_OK_NODATA	       0x1100
#define VIRTIO_GPU_RESP_OK_DISPLAY_INFO	       0x1101
#define VIRTIO_GPU_RESP_OK_EDID		       0x1104
#define VIRTIO_GPU_RESP_ERR_UNSPEC	       0x1200
#define VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY      0x1201
#define VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID 0x1202
#define VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE   0x1203
#define VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER  0x1205

/* Header flags. */
#define VIRTIO_GPU_FLAG_FENCE	      1
#define VIRTIO_GPU_FLAG_INFO_RING_IDX 2

/* Sizes on the wire. */
#define VIRTIO_GPU_HDR_SIZE	     24
#define VIRTIO_GPU_MAX_SCANOUTS	     16 /* entries of a display-info response */
#define VIRTIO_GPU_DISPLAY_INFO_SIZE (VIRTIO_GPU_HDR_SIZE + VIRTIO_GPU_MAX_SCANOUTS * 24)
#define VIRTIO_GPU_EDID_BLOCK	     128
#define VIRTIO_GPU_EDID_RESP_SIZE    (VIRTIO_GPU_HDR_SIZE + 8 + 1024)

/* Pixel formats (virtio_gpu_formats), named by their byte order. */
#define VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM 1
#define VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM 2
#define VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM 3
#define VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM 4
#define VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM 67
#define VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM 68
#define VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM 121
#define VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM 134

struct virtio_gpu_entry {
	uint64_t addr; /* guest physical */
	uint32_t len;
	uint64_t start; /* offset of its first byte in the backing */
};

/* A resource: its pixels are kept as host-order 0xAARRGGBB words whatever
 * the guest's format (converted at transfer), so a B8G8R8X8 resource (what
 * Linux uses for XRGB8888) is the display surface's own layout. */
struct virtio_gpu_res {
	uint32_t id;
	uint32_t format;
	uint32_t width, height;
	uint32_t *pixels;
	struct virtio_gpu_entry *backing; /* NULL: none attached */
	uint32_t nbacking;
	uint64_t backing_len;
};

struct virtio_gpu_cursor {
	bool visible;
	uint32_t hot_x, hot_y;
	int32_t x, y;	/* the hot spot's place on the scanout */
	uint32_t gen;	/* bumped when the image or hot spot changes */
	uint32_t moves; /* bumped by every update or move */
	uint32_t image[VIRTIO_GPU_CURSOR_SIZE * VIRTIO_GPU_CURSOR_SIZE]; /* ARGB */
};

struct virtio_gpu {
	struct virtio_pci vp;
	struct virtio_gpu_res **res; /* nres of them, in no order */
	unsigned nres, res_cap;
	uint64_t hostmem, hostmem_max;	  /* resource pixel bytes, and their cap */
	uint32_t pref_width, pref_height; /* the mode offered to the driver */
	uint32_t events_read;
	/* The scanout: res_id 0 when disabled. */
	uint32_t scanout_res;
	struct rect scanout_rect; /* the part of the resource shown */
	uint32_t scanout_gen;	  /* bumped by every SET_SCANOUT */
	uint32_t shown_gen;	  /* scanout_gen when the surface last had it all */
	struct rect damage;	  /* flushed and not yet rendered, scanout coords */
	struct virtio_gpu_cursor cursor;
	uint64_t commands, errors, transfers, flushes; /* for `hv list -l` */
	uint64_t transfer_bytes;
	/* Optional: called (with the domain lock held) after the driver's
	 * requests may have changed what the screen shows (a flush, a new
	 * scanout, the cursor) and after a reset, so that viewers can be
	 * served at once instead of on a polling tick. */
	void (*changed)(void *opaque);
	void *changed_opaque;
};

/* Sets gpu up on mem, interrupting through irq, offering a width x height
 * mode (clamped to the display surface's limits). */
void virtio_gpu_init(struct virtio_gpu *gpu, struct guest_mem *mem, struct irq_line irq,
		     uint32_t width, uint32_t height, const char *name);

/* Frees its resources and unmaps its BAR. */
void virtio_gpu_destroy(struct virtio_gpu *gpu);

/* Offers a new preferred mode and raises the display event (the guest
 * asks GET_DISPLAY_INFO again). Returns 0, or -1 when the size is out of
 * the surface's limits. */
int virtio_gpu_set_preferred(struct virtio_gpu *gpu, uint32_t width, uint32_t height);

/* Whether a scanout is set: the driver owns the screen. */
bool virtio_gpu_scanout_active(const struct virtio_gpu *gpu);

/* Brings s up to date with the scanout: resizes it to the scanout's size
 * (clipped to the surface's limits), copies the flushed damage (all of it
 * after a resize or a new scanout) and adds it to s's damage. Returns
 * false (nothing done) when no scanout is set. force: copy everything. */
bool virtio_gpu_render(struct virtio_gpu *gpu, struct surface *s, bool force);

/* Builds the 128-byte EDID block that lists width x height as the
 * preferred mode. */
void virtio_gpu_edid(uint8_t edid[VIRTIO_GPU_EDID_BLOCK], uint32_t width, uint32_t height);

/* Registry ops (opaque = the virtio_gpu); save/restore (version 1) keeps
 * the resources with their pixels and backing scatter lists, the
 * scanout and the cursor. */
extern const struct device_ops virtio_gpu_device_ops;

/* Internal to virtio_gpu*.c: resources (virtio_gpu_res.c). Each command
 * handler returns a VIRTIO_GPU_RESP_* code. */
struct virtio_gpu_res *virtio_gpu_res_find(struct virtio_gpu *gpu, uint32_t id);
uint32_t virtio_gpu_res_create(struct virtio_gpu *gpu, uint32_t id, uint32_t format, uint32_t width,
			       uint32_t height);
uint32_t virtio_gpu_res_unref(struct virtio_gpu *gpu, uint32_t id);
uint32_t virtio_gpu_res_attach(struct virtio_gpu *gpu, const struct virtq_chain *c, uint64_t off,
			       uint32_t id, uint32_t nentries);
uint32_t virtio_gpu_res_detach(struct virtio_gpu *gpu, uint32_t id);
uint32_t virtio_gpu_res_transfer(struct virtio_gpu *gpu, uint32_t id, const struct rect *r,
				 uint64_t offset);
void virtio_gpu_res_free_all(struct virtio_gpu *gpu);
bool virtio_gpu_format_known(uint32_t format);
/* Save/restore (virtio_gpu_save.c), the device ops' version 2 (from:
 * 1, the transport without MSI-X). */
void virtio_gpu_save(const struct virtio_gpu *gpu, struct state_out *o);
int virtio_gpu_load(struct virtio_gpu *gpu, struct state_in *in, uint32_t from);

#endif
