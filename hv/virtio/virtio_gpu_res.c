/* virtio-gpu resources: creation under the host-memory cap, the guest
 * pages behind them (scatter lists checked against guest RAM when they are
 * attached and again at every transfer, since the memory map can change),
 * and transfers of a rectangle from those pages into the host copy. */
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/log.h"
#include "hv/virtio/virtio_gpu.h"

#define ENTRY_WIRE  16	/* le64 addr, le32 length, le32 padding */
#define ENTRY_CHUNK 256 /* entries read from the chain at a time */

struct virtio_gpu_res *virtio_gpu_res_find(struct virtio_gpu *gpu, uint32_t id)
{
	for (unsigned i = 0; id && i < gpu->nres; i++)
		if (gpu->res[i]->id == id)
			return gpu->res[i];
	return NULL;
}

static bool format_known(uint32_t f)
{
	switch (f) {
	case VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM:
	case VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM:
	case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
	case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
	case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM:
	case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
	case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
	case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM: return true;
	}
	return false;
}

bool virtio_gpu_format_known(uint32_t format)
{
	return format_known(format);
}

static uint64_t pixel_bytes(const struct virtio_gpu_res *r)
{
	return (uint64_t)r->width * r->height * 4;
}

static uint64_t backing_bytes(uint32_t n)
{
	return (uint64_t)n * sizeof(struct virtio_gpu_entry);
}

uint32_t virtio_gpu_res_create(struct virtio_gpu *gpu, uint32_t id, uint32_t format, uint32_t width,
			       uint32_t height)
{
	struct virtio_gpu_res *r;
	uint64_t bytes = (uint64_t)width * height * 4;

	if (id == 0 || virtio_gpu_res_find(gpu, id))
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
	if (!format_known(format) || width == 0 || height == 0 || width > VIRTIO_GPU_DIM_MAX ||
	    height > VIRTIO_GPU_DIM_MAX)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (gpu->nres == VIRTIO_GPU_RES_MAX || bytes > gpu->hostmem_max - gpu->hostmem)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	if (gpu->nres == gpu->res_cap) {
		unsigned cap = gpu->res_cap ? gpu->res_cap * 2 : 16;
		struct virtio_gpu_res **t = realloc(gpu->res, cap * sizeof *t);

		if (!t)
			return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		gpu->res = t;
		gpu->res_cap = cap;
	}
	r = calloc(1, sizeof *r);
	if (!r || !(r->pixels = calloc(1, (size_t)bytes))) {
		free(r);
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	*r = (struct virtio_gpu_res){
	    .id = id, .format = format, .width = width, .height = height, .pixels = r->pixels};
	gpu->res[gpu->nres++] = r;
	gpu->hostmem += bytes;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static void drop_backing(struct virtio_gpu *gpu, struct virtio_gpu_res *r)
{
	gpu->hostmem -= backing_bytes(r->nbacking);
	free(r->backing);
	r->backing = NULL;
	r->nbacking = 0;
	r->backing_len = 0;
}

static void res_free(struct virtio_gpu *gpu, struct virtio_gpu_res *r)
{
	drop_backing(gpu, r);
	gpu->hostmem -= pixel_bytes(r);
	free(r->pixels);
	free(r);
}

uint32_t virtio_gpu_res_unref(struct virtio_gpu *gpu, uint32_t id)
{
	for (unsigned i = 0; id && i < gpu->nres; i++) {
		if (gpu->res[i]->id != id)
			continue;
		res_free(gpu, gpu->res[i]);
		gpu->res[i] = gpu->res[--gpu->nres];
		if (gpu->scanout_res == id) {
			gpu->scanout_res = 0; /* the screen goes back to the VGA */
			gpu->scanout_gen++;
		}
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
}

void virtio_gpu_res_free_all(struct virtio_gpu *gpu)
{
	for (unsigned i = 0; i < gpu->nres; i++)
		res_free(gpu, gpu->res[i]);
	free(gpu->res);
	gpu->res = NULL;
	gpu->nres = gpu->res_cap = 0;
	gpu->scanout_res = 0;
	gpu->scanout_gen++;
}

/* Reads n entries from offset off of c into e, each checked against guest
 * RAM. Returns the response code. */
static uint32_t read_entries(struct virtio_gpu *gpu, const struct virtq_chain *c, uint64_t off,
			     struct virtio_gpu_entry *e, uint32_t n)
{
	uint8_t buf[ENTRY_CHUNK * ENTRY_WIRE];
	uint64_t start = 0;

	for (uint32_t i = 0; i < n; i += ENTRY_CHUNK) {
		uint32_t k = n - i < ENTRY_CHUNK ? n - i : ENTRY_CHUNK;

		virtq_chain_read(c, off + (uint64_t)i * ENTRY_WIRE, buf, (size_t)k * ENTRY_WIRE);
		for (uint32_t j = 0; j < k; j++) {
			struct virtio_gpu_entry *x = &e[i + j];

			x->addr = le_get64(buf + j * ENTRY_WIRE);
			x->len = le_get32(buf + j * ENTRY_WIRE + 8);
			x->start = start;
			if (!mem_ram_range(gpu->vp.mem, x->addr, x->len, false)) {
				log_guest("virtio %s: backing entry %u (%#llx+%u) is not guest RAM",
					  gpu->vp.name, i + j, (unsigned long long)x->addr, x->len);
				return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
			}
			start += x->len;
		}
	}
	return VIRTIO_GPU_RESP_OK_NODATA;
}

uint32_t virtio_gpu_res_attach(struct virtio_gpu *gpu, const struct virtq_chain *c, uint64_t off,
			       uint32_t id, uint32_t nentries)
{
	struct virtio_gpu_res *r = virtio_gpu_res_find(gpu, id);
	struct virtio_gpu_entry *e;
	uint32_t rc;

	if (!r)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
	if (r->backing)
		return VIRTIO_GPU_RESP_ERR_UNSPEC; /* detach first */
	if (nentries == 0 || nentries > VIRTIO_GPU_BACKING_MAX ||
	    c->read_len < off + (uint64_t)nentries * ENTRY_WIRE)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (backing_bytes(nentries) > gpu->hostmem_max - gpu->hostmem)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	e = malloc((size_t)backing_bytes(nentries));
	if (!e)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	rc = read_entries(gpu, c, off, e, nentries);
	if (rc != VIRTIO_GPU_RESP_OK_NODATA) {
		free(e);
		return rc;
	}
	r->backing = e;
	r->nbacking = nentries;
	r->backing_len = e[nentries - 1].start + e[nentries - 1].len;
	gpu->hostmem += backing_bytes(nentries);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

uint32_t virtio_gpu_res_detach(struct virtio_gpu *gpu, uint32_t id)
{
	struct virtio_gpu_res *r = virtio_gpu_res_find(gpu, id);

	if (!r)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
	if (!r->backing)
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	drop_backing(gpu, r);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* The entry holding backing byte off (off < backing_len). */
static uint32_t entry_at(const struct virtio_gpu_res *r, uint64_t off)
{
	uint32_t lo = 0, hi = r->nbacking - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		if (r->backing[mid].start <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Copies len bytes at backing offset off into dst. False when a page is
 * no longer guest RAM. The caller has checked off + len <= backing_len. */
static bool gather(struct virtio_gpu *gpu, const struct virtio_gpu_res *r, uint64_t off,
		   uint8_t *dst, size_t len)
{
	for (uint32_t i = entry_at(r, off); len; i++) {
		const struct virtio_gpu_entry *e = &r->backing[i];
		uint64_t in = off - e->start;
		size_t k = e->len - in < len ? (size_t)(e->len - in) : len;
		const uint8_t *src;

		if (k == 0)
			continue; /* an empty entry */
		src = mem_ram_range(gpu->vp.mem, e->addr + in, k, false);
		if (!src)
			return false;
		memcpy(dst, src, k);
		dst += k;
		off += k;
		len -= k;
	}
	return true;
}

/* Turns n pixels of the resource's format, as copied from the guest, into
 * 0xAARRGGBB words in place. */
static void convert(uint32_t format, uint32_t *px, uint32_t n)
{
	if (format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM ||
	    format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM)
		return; /* already the host's layout (x86 is little-endian) */
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *b = (const uint8_t *)&px[i];
		uint32_t v;

		switch (format) {
		case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
		case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
			v = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
			break;
		case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM:
		case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM:
			v = (uint32_t)b[3] << 24 | b[0] << 16 | b[1] << 8 | b[2];
			break;
		case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
		case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
			v = (uint32_t)b[0] << 24 | b[3] << 16 | b[2] << 8 | b[1];
			break;
		default: v = le_get32(b); break;
		}
		px[i] = v;
	}
}

/* Whether r lies inside a width x height image (and is not empty). */
static bool rect_inside(const struct rect *r, uint32_t width, uint32_t height)
{
	return r->w && r->h && (uint64_t)r->x + r->w <= width && (uint64_t)r->y + r->h <= height;
}

uint32_t virtio_gpu_res_transfer(struct virtio_gpu *gpu, uint32_t id, const struct rect *rc,
				 uint64_t offset)
{
	struct virtio_gpu_res *r = virtio_gpu_res_find(gpu, id);
	uint64_t stride, row_bytes, need;

	if (!r)
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE;
	if (!rect_inside(rc, r->width, r->height))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!r->backing)
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	/* Row i comes from offset + i * stride, as the driver laid out the
	 * rectangle in a buffer as wide as the resource. */
	stride = (uint64_t)r->width * 4;
	row_bytes = (uint64_t)rc->w * 4;
	need = stride * (rc->h - 1) + row_bytes;
	if (offset > r->backing_len || need > r->backing_len - offset)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	for (uint32_t i = 0; i < rc->h; i++) {
		uint32_t *dst = r->pixels + (size_t)(rc->y + i) * r->width + rc->x;

		if (!gather(gpu, r, offset + stride * i, (uint8_t *)dst, (size_t)row_bytes)) {
			log_guest("virtio %s: resource %u's backing left guest RAM", gpu->vp.name,
				  id);
			return VIRTIO_GPU_RESP_ERR_UNSPEC;
		}
		convert(r->format, dst, rc->w);
	}
	gpu->transfers++;
	gpu->transfer_bytes += row_bytes * rc->h;
	return VIRTIO_GPU_RESP_OK_NODATA;
}
