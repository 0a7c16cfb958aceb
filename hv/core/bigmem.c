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

/* Maps one alignment more than needed and unmaps what lies outside the
 * aligned part: mmap aligns to pages only. */
void *bigmem_alloc(size_t bytes)
{
	size_t size = bigmem_size(bytes), head;
	uint8_t *p, *q;

	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, size + BIGMEM_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return NULL;
	head = (BIGMEM_ALIGN - (uintptr_t)p % BIGMEM_ALIGN) % BIGMEM_ALIGN;
	q = p + head;
	if (head)
		munmap(p, head);
	munmap(q + size, BIGMEM_ALIGN - head);
	/* Only advice: without huge pages the table works the same. */
	(void)madvise(q, size, MADV_HUGEPAGE);
	return q;
}

void bigmem_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bigmem_size(bytes));
}
