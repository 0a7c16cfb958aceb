/* Save/restore of virtio-gpu, version 1 (all little-endian):
 *
 *   the transport (virtio_pci_save)
 *   u32 preferred width, height; u32 events_read
 *   u32 resources, each: u32 id, format, width, height; u32 backing
 *     entries (0: none), each u64 guest-physical address, u32 length;
 *     then width * height pixels as u32 0xAARRGGBB
 *   u32 scanout resource (0: none), u32 x, y, w, h, u32 scanout_gen
 *   cursor: bool visible, u32 hot_x, hot_y, x, y, gen, moves, 64x64 u32
 *   u64 commands, errors, transfers, flushes, transfer_bytes
 *
 * A load is held to what the commands could have built: known formats,
 * sizes up to VIRTIO_GPU_DIM_MAX, at most VIRTIO_GPU_RES_MAX resources and
 * VIRTIO_GPU_BACKING_MAX entries each, pixels and scatter lists within
 * hostmem_max together, ids unique, every backing entry in guest RAM (as
 * RESOURCE_ATTACH_BACKING checks), the scanout rectangle inside its
 * resource, the cursor's hot spot inside its image. Nothing is allocated
 * for bytes the state does not hold. */
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_gpu.h"

#define ENTRY_SAVED 12 /* bytes of one saved backing entry */

static void save_res(const struct virtio_gpu_res *r, struct state_out *o)
{
	state_put_u32(o, r->id);
	state_put_u32(o, r->format);
	state_put_u32(o, r->width);
	state_put_u32(o, r->height);
	state_put_u32(o, r->nbacking);
	for (uint32_t i = 0; i < r->nbacking; i++) {
		state_put_u64(o, r->backing[i].addr);
		state_put_u32(o, r->backing[i].len);
	}
	for (size_t i = 0; i < (size_t)r->width * r->height; i++)
		state_put_u32(o, r->pixels[i]);
}

void virtio_gpu_save(const struct virtio_gpu *g, struct state_out *o)
{
	const struct virtio_gpu_cursor *c = &g->cursor;
	const struct rect *sr = &g->scanout_rect;

	virtio_pci_save(&g->vp, o);
	state_put_u32(o, g->pref_width);
	state_put_u32(o, g->pref_height);
	state_put_u32(o, g->events_read);
	state_put_u32(o, g->nres);
	for (unsigned i = 0; i < g->nres; i++)
		save_res(g->res[i], o);
	state_put_u32(o, g->scanout_res);
	state_put_u32(o, sr->x);
	state_put_u32(o, sr->y);
	state_put_u32(o, sr->w);
	state_put_u32(o, sr->h);
	state_put_u32(o, g->scanout_gen);
	state_put_bool(o, c->visible);
	state_put_u32(o, c->hot_x);
	state_put_u32(o, c->hot_y);
	state_put_u32(o, (uint32_t)c->x);
	state_put_u32(o, (uint32_t)c->y);
	state_put_u32(o, c->gen);
	state_put_u32(o, c->moves);
	for (size_t i = 0; i < VIRTIO_GPU_CURSOR_SIZE * VIRTIO_GPU_CURSOR_SIZE; i++)
		state_put_u32(o, c->image[i]);
	state_put_u64(o, g->commands);
	state_put_u64(o, g->errors);
	state_put_u64(o, g->transfers);
	state_put_u64(o, g->flushes);
	state_put_u64(o, g->transfer_bytes);
}

/* What is being loaded, committed only whole. */
struct loading {
	struct virtio_gpu_res **res;
	unsigned nres;
	uint64_t hostmem;
};

static void free_loading(struct loading *l)
{
	for (unsigned i = 0; i < l->nres; i++) {
		free(l->res[i]->backing);
		free(l->res[i]->pixels);
		free(l->res[i]);
	}
	free(l->res);
}

static bool fail(struct state_in *in)
{
	in->failed = true;
	return false;
}

/* Whether n more bytes are left to read: nothing is allocated for bytes
 * a state does not hold. */
static bool remaining(const struct state_in *in, uint64_t n)
{
	return !in->failed && n <= in->len - in->pos;
}

static bool load_backing(const struct virtio_gpu *g, struct state_in *in, struct loading *l,
			 struct virtio_gpu_res *r)
{
	uint32_t n = state_get_max(in, VIRTIO_GPU_BACKING_MAX);
	uint64_t start = 0, bytes = (uint64_t)n * sizeof(struct virtio_gpu_entry);

	if (n == 0)
		return !in->failed;
	if (!remaining(in, (uint64_t)n * ENTRY_SAVED) || bytes > g->hostmem_max - l->hostmem)
		return fail(in);
	r->backing = malloc((size_t)bytes);
	if (!r->backing)
		return fail(in);
	l->hostmem += bytes;
	r->nbacking = n;
	for (uint32_t i = 0; i < n; i++) {
		struct virtio_gpu_entry *e = &r->backing[i];

		e->addr = state_get_u64(in);
		e->len = state_get_u32(in);
		e->start = start;
		start += e->len;
		if (!mem_ram_range(g->vp.mem, e->addr, e->len, false)) {
			log_error(
			    "virtio %s: saved resource %u's backing entry %u is not guest RAM",
			    g->vp.name, r->id, i);
			return fail(in);
		}
	}
	r->backing_len = start;
	return true;
}

/* Whether a resource loaded before the last one has id. */
static bool id_taken(const struct loading *l, uint32_t id)
{
	for (unsigned i = 0; i + 1 < l->nres; i++)
		if (l->res[i]->id == id)
			return true;
	return false;
}

static bool load_res(const struct virtio_gpu *g, struct state_in *in, struct loading *l)
{
	struct virtio_gpu_res *r = calloc(1, sizeof *r);
	uint64_t bytes;

	if (!r)
		return fail(in);
	l->res[l->nres++] = r; /* freed with the rest on failure */
	r->id = state_get_u32(in);
	r->format = state_get_u32(in);
	r->width = state_get_u32(in);
	r->height = state_get_u32(in);
	bytes = (uint64_t)r->width * r->height * 4;
	if (in->failed || r->id == 0 || id_taken(l, r->id) || !virtio_gpu_format_known(r->format) ||
	    r->width == 0 || r->height == 0 || r->width > VIRTIO_GPU_DIM_MAX ||
	    r->height > VIRTIO_GPU_DIM_MAX || bytes > g->hostmem_max - l->hostmem) {
		return fail(in);
	}
	l->hostmem += bytes;
	if (!load_backing(g, in, l, r) || !remaining(in, bytes))
		return fail(in);
	r->pixels = malloc((size_t)bytes);
	if (!r->pixels)
		return fail(in);
	for (size_t i = 0; i < (size_t)r->width * r->height; i++)
		r->pixels[i] = state_get_u32(in);
	return !in->failed;
}

static bool load_resources(const struct virtio_gpu *g, struct state_in *in, struct loading *l)
{
	uint32_t n = state_get_max(in, VIRTIO_GPU_RES_MAX);

	if (in->failed || n == 0)
		return !in->failed;
	l->res = calloc(n, sizeof *l->res);
	if (!l->res)
		return fail(in);
	for (uint32_t i = 0; i < n; i++)
		if (!load_res(g, in, l))
			return false;
	return true;
}

static const struct virtio_gpu_res *find(const struct loading *l, uint32_t id)
{
	for (unsigned i = 0; id && i < l->nres; i++)
		if (l->res[i]->id == id)
			return l->res[i];
	return NULL;
}

/* The scanout, cursor and counters into g2 (a copy of the fields). */
static void load_rest(struct state_in *in, const struct loading *l, struct virtio_gpu *g2)
{
	struct virtio_gpu_cursor *c = &g2->cursor;
	struct rect *sr = &g2->scanout_rect;
	const struct virtio_gpu_res *res;

	g2->scanout_res = state_get_u32(in);
	sr->x = state_get_u32(in);
	sr->y = state_get_u32(in);
	sr->w = state_get_u32(in);
	sr->h = state_get_u32(in);
	g2->scanout_gen = state_get_u32(in);
	c->visible = state_get_bool(in);
	c->hot_x = state_get_max(in, VIRTIO_GPU_CURSOR_SIZE - 1);
	c->hot_y = state_get_max(in, VIRTIO_GPU_CURSOR_SIZE - 1);
	c->x = (int32_t)state_get_u32(in);
	c->y = (int32_t)state_get_u32(in);
	c->gen = state_get_u32(in);
	c->moves = state_get_u32(in);
	for (size_t i = 0; i < VIRTIO_GPU_CURSOR_SIZE * VIRTIO_GPU_CURSOR_SIZE; i++)
		c->image[i] = state_get_u32(in);
	g2->commands = state_get_u64(in);
	g2->errors = state_get_u64(in);
	g2->transfers = state_get_u64(in);
	g2->flushes = state_get_u64(in);
	g2->transfer_bytes = state_get_u64(in);
	if (!g2->scanout_res)
		return;
	res = find(l, g2->scanout_res);
	if (!res || sr->w == 0 || sr->h == 0 || (uint64_t)sr->x + sr->w > res->width ||
	    (uint64_t)sr->y + sr->h > res->height)
		in->failed = true;
}

int virtio_gpu_load(struct virtio_gpu *g, struct state_in *in, uint32_t from)
{
	struct loading l = {0};
	struct virtio_pci_saved s;
	struct virtio_gpu g2;
	uint32_t w, h, events;

	if (virtio_pci_load(&g->vp, in, from, &s) < 0)
		return -1;
	w = state_get_u32(in);
	h = state_get_u32(in);
	events = state_get_u32(in);
	if (w == 0 || h == 0 || w > SURFACE_MAX_WIDTH || h > SURFACE_MAX_HEIGHT ||
	    (events & ~(uint32_t)VIRTIO_GPU_EVENT_DISPLAY))
		in->failed = true;
	memset(&g2, 0, sizeof g2);
	if (!in->failed && load_resources(g, in, &l))
		load_rest(in, &l, &g2);
	if (!state_in_done(in)) {
		log_error("virtio %s: saved state refused (%u resources read)", g->vp.name, l.nres);
		free_loading(&l);
		return -1;
	}
	virtio_pci_commit(&g->vp, &s); /* frees the resources there were */
	g->res = l.res;
	g->nres = g->res_cap = l.nres;
	g->hostmem = l.hostmem;
	g->pref_width = w;
	g->pref_height = h;
	g->events_read = events;
	g->scanout_res = g2.scanout_res;
	g->scanout_rect = g2.scanout_rect;
	g->scanout_gen = g2.scanout_gen;
	g->shown_gen = g2.scanout_gen - 1; /* the next render copies it all */
	g->damage = (struct rect){0, 0, g2.scanout_rect.w, g2.scanout_rect.h};
	g->cursor = g2.cursor;
	g->commands = g2.commands;
	g->errors = g2.errors;
	g->transfers = g2.transfers;
	g->flushes = g2.flushes;
	g->transfer_bytes = g2.transfer_bytes;
	return 0;
}
