#include "hv/core/bigmem.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

size_t bigmem_size(size_t bytes)
{
	if (bytes == 0 || bytes > SIZE_MAX - 2 * BIGMEM_ALIGN)
		return 0;
	return (bytes + BIGMEM_ALIGN - 1) & ~(BIGMEM_ALIGN - 1);
}

/* Reserves one alignment more than needed, maps over the aligned part
 * and gives back what lies outside it: mmap aligns to pages only. */
void *bigmem_map_prot(int fd, size_t size, int prot)
{
	int flags = fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS;
	size_t head;
	uint8_t *p, *q;

	if (size == 0 || size > SIZE_MAX - BIGMEM_ALIGN) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, size + BIGMEM_ALIGN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	head = (BIGMEM_ALIGN - (uintptr_t)p % BIGMEM_ALIGN) % BIGMEM_ALIGN;
	q = mmap(p + head, size, prot, flags | MAP_FIXED, fd, 0);
	if (q == MAP_FAILED) {
		int e = errno;

		munmap(p, size + BIGMEM_ALIGN);
		errno = e;
		return NULL;
	}
	if (head)
		munmap(p, head);
	munmap(q + size, BIGMEM_ALIGN - head);
	/* Only advice: without huge pages the memory works the same. */
	(void)madvise(q, size, MADV_HUGEPAGE);
	return q;
}

void *bigmem_map(int fd, size_t size)
{
	return bigmem_map_prot(fd, size, PROT_READ | PROT_WRITE);
}

void *bigmem_alloc(size_t bytes)
{
	size_t size = bigmem_size(bytes);

	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	return bigmem_map(-1, size);
}

void bigmem_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bigmem_size(bytes));
}
