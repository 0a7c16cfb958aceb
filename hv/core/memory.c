/* Guest physical memory: a short list of regions in priority order. Lookups
 * scan from the top, so the latest overlay wins; with at most 64 regions
 * (a PC uses about ten) that is cheaper than keeping a flattened map, and
 * the hot paths go through a soft TLB or KVM slots anyway. */
#include "hv/core/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/core/log.h"
#include "hv/core/ram_pages.h"

#define FOUR_GIB 0x100000000ull

static uint64_t region_end(const struct mem_region *r)
{
	return r->base + r->size;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static bool contains(const struct mem_region *r, uint64_t gpa)
{
	return gpa - r->base < r->size;
}

static void add_ram(struct guest_mem *m, uint64_t base, uint64_t size, uint8_t *host,
		    const char *name)
{
	m->regions[m->count++] = (struct mem_region){
	    .base = base, .size = size, .kind = MEM_RAM, .host = host, .name = name};
}

static int ram_create(struct guest_mem *m, uint64_t bytes, char *err, size_t errlen)
{
	m->ram_fd = memfd_create("hv-ram", MFD_CLOEXEC);
	if (m->ram_fd < 0) {
		snprintf(err, errlen, "guest RAM: memfd_create: %s", strerror(errno));
		return -1;
	}
	if (ftruncate(m->ram_fd, (off_t)bytes) < 0) {
		snprintf(err, errlen, "guest RAM: %" PRIu64 " bytes: %s", bytes, strerror(errno));
		goto fail;
	}
	m->ram = ram_pages_map(m->ram_fd, bytes);
	if (!m->ram) {
		snprintf(err, errlen, "guest RAM: mmap %" PRIu64 " bytes: %s", bytes,
			 strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(m->ram_fd);
	m->ram_fd = -1;
	m->ram = NULL;
	return -1;
}

/* Creates RAM in a memfd and maps it low (and high above 4 GiB); its
 * mapping is aligned for huge pages (hv/core/ram_pages.h). */
int mem_init(struct guest_mem *m, uint64_t ram_bytes, char *err, size_t errlen)
{
	uint64_t low = ram_bytes < MEM_LOW_RAM_LIMIT ? ram_bytes : MEM_LOW_RAM_LIMIT;

	memset(m, 0, sizeof *m);
	m->ram_fd = -1;
	if (ram_bytes == 0 || ram_bytes % MEM_PAGE_SIZE != 0) {
		snprintf(err, errlen, "guest RAM: %" PRIu64 " bytes is not a whole number of pages",
			 ram_bytes);
		errno = EINVAL;
		return -1;
	}
	if (ram_create(m, ram_bytes, err, errlen) < 0)
		return -1;
	m->ram_size = ram_bytes;
	m->ram_pages = ram_pages_policy_read(RAM_PAGES_SHMEM_KNOB);
	add_ram(m, 0, low, m->ram, "ram-low");
	if (ram_bytes > low)
		add_ram(m, FOUR_GIB, ram_bytes - low, m->ram + low, "ram-high");
	m->generation++;
	return 0;
}

/* Unmaps and closes RAM; overlays belong to their owners. */
void mem_destroy(struct guest_mem *m)
{
	if (m->ram)
		munmap(m->ram, m->ram_size);
	if (m->ram_fd >= 0)
		close(m->ram_fd);
	mem_dirty_free(m);
	mem_code_free(m);
	m->ram = NULL;
	m->ram_fd = -1;
	m->count = 0;
	m->generation++;
}

/* The map is page-granular (as KVM slots and the soft TLB are), must not
 * wrap the 64-bit space, and must not straddle 4 GiB: everything that sits
 * in the hole below 4 GiB belongs there, and a region crossing it would
 * alias differently for a 32-bit guest, whose addresses wrap at 4 GiB. */
static bool overlay_valid(const struct guest_mem *m, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;

	if (size == 0 || size % MEM_PAGE_SIZE || base % MEM_PAGE_SIZE || end < base) {
		errno = EINVAL;
		return false;
	}
	if (base < FOUR_GIB && end > FOUR_GIB) {
		errno = EINVAL;
		return false;
	}
	if (m->count == MEM_MAX_REGIONS) {
		errno = ENOSPC;
		return false;
	}
	return true;
}

static int add_overlay(struct guest_mem *m, const struct mem_region *r)
{
	if (!overlay_valid(m, r->base, r->size))
		return -1;
	m->regions[m->count++] = *r;
	m->generation++;
	return 0;
}

/* Lays read-only host bytes over [base, base+size). */
int mem_map_rom(struct guest_mem *m, uint64_t base, uint64_t size, uint8_t *host, const char *name)
{
	struct mem_region r = {
	    .base = base, .size = size, .kind = MEM_ROM, .host = host, .name = name};

	if (!host) {
		errno = EINVAL;
		return -1;
	}
	return add_overlay(m, &r);
}

/* Lays writable host bytes over [base, base+size). */
int mem_map_ram(struct guest_mem *m, uint64_t base, uint64_t size, uint8_t *host, const char *name)
{
	struct mem_region r = {
	    .base = base, .size = size, .kind = MEM_RAM, .host = host, .name = name};

	if (!host) {
		errno = EINVAL;
		return -1;
	}
	return add_overlay(m, &r);
}

/* Whether r is part of the memfd's RAM rather than an overlay. */
static bool is_base_ram(const struct guest_mem *m, const struct mem_region *r)
{
	uintptr_t h = (uintptr_t)r->host, lo = (uintptr_t)m->ram;

	return r->kind == MEM_RAM && h >= lo && h - lo < m->ram_size;
}

/* Lays device registers over [base, base+size). */
int mem_map_mmio(struct guest_mem *m, uint64_t base, uint64_t size, const struct io_ops *ops,
		 void *opaque, const char *name)
{
	struct mem_region r = {.base = base,
			       .size = size,
			       .kind = MEM_MMIO,
			       .ops = ops,
			       .opaque = opaque,
			       .name = name};

	if (!ops) {
		errno = EINVAL;
		return -1;
	}
	return add_overlay(m, &r);
}

/* Removes the newest overlay starting at base. The memfd's RAM stays: it
 * lives as long as the guest_mem. */
int mem_unmap(struct guest_mem *m, uint64_t base)
{
	for (unsigned i = m->count; i-- > 0;) {
		if (m->regions[i].base != base || is_base_ram(m, &m->regions[i]))
			continue;
		memmove(&m->regions[i], &m->regions[i + 1],
			(m->count - i - 1) * sizeof m->regions[0]);
		m->count--;
		m->generation++;
		return 0;
	}
	errno = ENOENT;
	return -1;
}

/* The highest-priority region holding gpa, or NULL. */
const struct mem_region *mem_find(const struct guest_mem *m, uint64_t gpa)
{
	for (unsigned i = m->count; i-- > 0;)
		if (contains(&m->regions[i], gpa))
			return &m->regions[i];
	return NULL;
}

/* The owner of gpa (or NULL) and, in *run, how many bytes from gpa on it
 * owns without interruption: up to its end or to the start of a region of
 * higher priority; for a hole, up to the start of any region. */
static const struct mem_region *owner_run(const struct guest_mem *m, uint64_t gpa, uint64_t *run)
{
	uint64_t limit = UINT64_MAX;

	for (unsigned i = m->count; i-- > 0;) {
		const struct mem_region *r = &m->regions[i];

		if (contains(r, gpa)) {
			if (region_end(r) < limit)
				limit = region_end(r);
			*run = limit - gpa;
			return r;
		}
		if (r->base > gpa && r->base < limit)
			limit = r->base;
	}
	/* A hole reaching the top of the space: at least its last byte. */
	*run = limit - gpa ? limit - gpa : 1;
	return NULL;
}

/* Whether p lies in the host bytes of a ROM region. */
bool mem_host_is_rom(const struct guest_mem *m, const uint8_t *p)
{
	for (unsigned i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->regions[i];

		if (r->kind == MEM_ROM && p >= r->host && p < r->host + r->size)
			return true;
	}
	return false;
}

/* Host pointer for gpa when its whole page is RAM, or ROM for a read. */
uint8_t *mem_page_ptr(struct guest_mem *m, uint64_t gpa, bool write)
{
	uint64_t page = gpa & ~(uint64_t)(MEM_PAGE_SIZE - 1);
	uint64_t run;
	const struct mem_region *r = owner_run(m, page, &run);

	if (!r || run < MEM_PAGE_SIZE || r->kind == MEM_MMIO)
		return NULL;
	if (r->kind == MEM_ROM && write)
		return NULL;
	if (write)
		mem_mark_written(m, page, MEM_PAGE_SIZE);
	return r->host + (gpa - r->base);
}

/* [gpa, gpa+len) inside one run of base RAM. */
uint8_t *mem_ram_range(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write)
{
	uint64_t run;
	const struct mem_region *r;

	if (len == 0 || gpa + len < gpa)
		return NULL;
	r = owner_run(m, gpa, &run);
	if (!r || !is_base_ram(m, r) || run < len)
		return NULL;
	if (write)
		mem_mark_written(m, gpa, len);
	return r->host + (gpa - r->base);
}

/* Size of the next MMIO piece: at most 4 bytes, naturally aligned. */
static unsigned mmio_piece(uint64_t gpa, uint64_t left)
{
	if (left >= 4 && gpa % 4 == 0)
		return 4;
	if (left >= 2 && gpa % 2 == 0)
		return 2;
	return 1;
}

static uint64_t mmio_read(const struct mem_region *r, uint64_t gpa, unsigned size)
{
	if (!r->ops->read)
		return UINT64_MAX;
	return r->ops->read(r->opaque, gpa - r->base, size);
}

static void mmio_write(const struct mem_region *r, uint64_t gpa, unsigned size, uint64_t value)
{
	if (r->ops->write)
		r->ops->write(r->opaque, gpa - r->base, size, value & size_mask(size));
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void read_mmio_run(const struct mem_region *r, uint64_t gpa, uint8_t *out, size_t n)
{
	while (n > 0) {
		unsigned size = mmio_piece(gpa, n);

		store_le(out, mmio_read(r, gpa, size), size);
		gpa += size;
		out += size;
		n -= size;
	}
}

static void write_mmio_run(const struct mem_region *r, uint64_t gpa, const uint8_t *in, size_t n)
{
	while (n > 0) {
		unsigned size = mmio_piece(gpa, n);

		mmio_write(r, gpa, size, load_le(in, size));
		gpa += size;
		in += size;
		n -= size;
	}
}

/* Copies len bytes from guest memory; holes read as 0xff. */
void mem_read(struct guest_mem *m, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t run;
		const struct mem_region *r = owner_run(m, gpa, &run);
		size_t n = run < len ? (size_t)run : len;

		if (!r)
			memset(out, 0xff, n);
		else if (r->kind == MEM_MMIO)
			read_mmio_run(r, gpa, out, n);
		else
			memcpy(out, r->host + (gpa - r->base), n);
		gpa += n;
		out += n;
		len -= n;
	}
}

/* Copies len bytes into guest memory; ROM and holes drop theirs. */
void mem_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len)
{
	const uint8_t *in = buf;

	while (len > 0) {
		uint64_t run;
		const struct mem_region *r = owner_run(m, gpa, &run);
		size_t n = run < len ? (size_t)run : len;

		if (r && r->kind == MEM_RAM) {
			memcpy(r->host + (gpa - r->base), in, n);
			mem_mark_written(m, gpa, n);
		} else if (r && r->kind == MEM_MMIO)
			write_mmio_run(r, gpa, in, n);
		gpa += n;
		in += n;
		len -= n;
	}
}

static bool sized_valid(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The MMIO region that holds all of [gpa, gpa+size), or NULL. */
static const struct mem_region *whole_mmio(const struct guest_mem *m, uint64_t gpa, unsigned size)
{
	uint64_t run;
	const struct mem_region *r = owner_run(m, gpa, &run);

	return r && r->kind == MEM_MMIO && run >= size ? r : NULL;
}

/* One little-endian access; a device gets it whole when it owns all of it. */
uint64_t mem_read_sized(struct guest_mem *m, uint64_t gpa, unsigned size)
{
	const struct mem_region *r;
	uint8_t bytes[8];

	if (!sized_valid(size)) {
		log_guest("mem: read of bad size %u at 0x%" PRIx64, size, gpa);
		return UINT64_MAX;
	}
	r = whole_mmio(m, gpa, size);
	if (r)
		return mmio_read(r, gpa, size) & size_mask(size);
	mem_read(m, gpa, bytes, size);
	return load_le(bytes, size);
}

/* One little-endian store; see mem_read_sized(). */
void mem_write_sized(struct guest_mem *m, uint64_t gpa, unsigned size, uint64_t value)
{
	const struct mem_region *r;
	uint8_t bytes[8];

	if (!sized_valid(size)) {
		log_guest("mem: write of bad size %u at 0x%" PRIx64, size, gpa);
		return;
	}
	r = whole_mmio(m, gpa, size);
	if (r) {
		mmio_write(r, gpa, size, value);
		return;
	}
	store_le(bytes, value, size);
	mem_write(m, gpa, bytes, size);
}
