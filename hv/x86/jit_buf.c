/* The JIT's code buffer: a memfd mapped twice, once writable and once
 * executable, so that no page is writable and executable at once (W^X),
 * filled from the start and emptied as a whole when full. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	b->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd); /* the mappings keep the memory */
	if (b->rw == MAP_FAILED || b->rx == MAP_FAILED) {
		snprintf(why, len, "mmap %s: %s", b->rx == MAP_FAILED ? "PROT_EXEC" : "RW",
			 strerror(errno));
		if (b->rw != MAP_FAILED)
			munmap(b->rw, size);
		if (b->rx != MAP_FAILED)
			munmap(b->rx, size);
		b->rw = b->rx = NULL;
		return -1;
	}
	b->size = size;
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
	b->size = b->used = 0;
}

void *x86_jit_buf_put(struct x86_jit_buf *b, const uint8_t *code, size_t n)
{
	/* Each translation starts on a 16-byte boundary. */
	size_t at = (b->used + 15) & ~(size_t)15;

	if (!b->rw || n > b->size || at > b->size - n)
		return NULL;
	memcpy(b->rw + at, code, n);
	b->used = at + n;
	/* x86 keeps instruction fetch coherent with stores through another
	 * mapping of the same page; the call to the new code serialises. */
	return b->rx + at;
}

void x86_jit_buf_reset(struct x86_jit_buf *b)
{
	b->used = 0;
	b->flushes++;
}
