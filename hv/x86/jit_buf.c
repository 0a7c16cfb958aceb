/* The JIT's code buffer: a memfd mapped twice, once writable and once
 * executable, so that no page is writable and executable at once (W^X),
 * in a hot and a cold area, each filled from its start, emptied as a
 * whole when either is full. Each view is aligned and advised for huge
 * pages (bigmem_map_prot): a Linux boot writes some 16 MiB of code, and
 * with 4 KiB pages each page was a fault in the writable view, then
 * another in the executable one, near half of a translation's time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/core/bigmem.h"
#include "hv/x86/jit.h"

int x86_jit_buf_init(struct x86_jit_buf *b, size_t size, char *why, size_t len)
{
	int fd;

	memset(b, 0, sizeof *b);
#if defined(__x86_64__)
	fd = memfd_create("hv-jit", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "memfd_create: %s", strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)size) != 0) {
		snprintf(why, len, "ftruncate: %s", strerror(errno));
		close(fd);
		return -1;
	}
	b->rw = bigmem_map_prot(fd, size, PROT_READ | PROT_WRITE);
	b->rx = bigmem_map_prot(fd, size, PROT_READ | PROT_EXEC);
	close(fd); /* the mappings keep the memory */
	if (!b->rw || !b->rx) {
		snprintf(why, len, "mmap %s: %s", !b->rx ? "PROT_EXEC" : "RW", strerror(errno));
		if (b->rw)
			munmap(b->rw, size);
		if (b->rx)
			munmap(b->rx, size);
		b->rw = b->rx = NULL;
		return -1;
	}
	b->size = size;
	b->cold = size;
	return 0;
#else
	(void)size;
	(void)fd;
	snprintf(why, len, "the host is not x86-64");
	return -1;
#endif
}

void x86_jit_buf_free(struct x86_jit_buf *b)
{
	if (b->rw)
		munmap(b->rw, b->size);
	if (b->rx)
		munmap(b->rx, b->size);
	b->rw = b->rx = NULL;
	b->size = b->used = b->cold = b->cold_used = 0;
}

void x86_jit_buf_split(struct x86_jit_buf *b, size_t hot)
{
	b->cold = hot < b->size ? hot : b->size;
	b->used = b->cold_used = 0;
}

/* Each translation's hot bytes start on a 16-byte boundary. */
static size_t hot_at(const struct x86_jit_buf *b)
{
	return (b->used + 15) & ~(size_t)15;
}

/* n bytes from p on, within [p, end) and at most X86_JIT_MAX_BLOCK_CODE. */
static uint8_t *room_end(uint8_t *p, uint8_t *end)
{
	return end - p > X86_JIT_MAX_BLOCK_CODE ? p + X86_JIT_MAX_BLOCK_CODE : end;
}

bool x86_jit_buf_room(const struct x86_jit_buf *b, struct x86_jit_area *area)
{
	size_t at = hot_at(b);

	if (!b->rw) {
		*area = (struct x86_jit_area){NULL, NULL, NULL, NULL};
		return false;
	}
	if (at > b->cold)
		at = b->cold;
	area->hot = b->rw + at;
	area->hot_end = room_end(area->hot, b->rw + b->cold);
	area->cold = b->rw + b->cold + b->cold_used;
	area->cold_end = room_end(area->cold, b->rw + b->size);
	return area->hot_end - area->hot == X86_JIT_MAX_BLOCK_CODE &&
	       area->cold_end - area->cold == X86_JIT_MAX_BLOCK_CODE;
}

void x86_jit_buf_take(struct x86_jit_buf *b, const uint8_t *hot_end, const uint8_t *cold_end)
{
	b->used = (size_t)(hot_end - b->rw);
	b->cold_used = (size_t)(cold_end - (b->rw + b->cold));
}

const uint8_t *x86_jit_buf_rx(const struct x86_jit_buf *b, const uint8_t *p)
{
	return p ? b->rx + (p - b->rw) : NULL;
}

size_t x86_jit_buf_in_use(const struct x86_jit_buf *b)
{
	return __atomic_load_n(&b->used, __ATOMIC_RELAXED) +
	       __atomic_load_n(&b->cold_used, __ATOMIC_RELAXED);
}

void x86_jit_buf_reset(struct x86_jit_buf *b)
{
	b->used = b->cold_used = 0;
	b->flushes++;
}
