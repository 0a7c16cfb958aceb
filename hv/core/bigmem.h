/* Zeroed memory for the large tables the CPU touches all over at every
 * guest timer tick (block slots, decoded instructions): anonymous,
 * aligned to 2 MiB and asked to be backed by transparent huge pages
 * (where the host allows them, "madvise" being the common setting), so
 * that one TLB entry covers 2 MiB of them. An idle guest's tick runs a
 * few hundred blocks scattered over these tables after the host ran
 * other work for 4 ms: with 4 KiB pages, each was a TLB miss. */
#ifndef HV_CORE_BIGMEM_H
#define HV_CORE_BIGMEM_H

#include <stddef.h>

#define BIGMEM_ALIGN ((size_t)2 << 20)

/* Bytes bigmem_alloc maps for a table of `bytes`: rounded up to
 * BIGMEM_ALIGN (0 for 0 or a size that would overflow). */
size_t bigmem_size(size_t bytes);

/* A zeroed, BIGMEM_ALIGN-aligned table of at least `bytes`, or NULL
 * (errno set) when the host has no room. Free with bigmem_free and the
 * same size. */
void *bigmem_alloc(size_t bytes);
void bigmem_free(void *p, size_t bytes);

/* Maps `size` bytes (a multiple of the page size) read-write at an
 * address aligned to BIGMEM_ALIGN, advised for huge pages: the first
 * `size` bytes of fd shared when fd >= 0, else zeroed private memory.
 * Returns the address or NULL (errno set); munmap(address, size) undoes
 * it. bigmem_alloc's tables and guest RAM's memfd (ram_pages.h) both. */
void *bigmem_map(int fd, size_t size);
/* bigmem_map with the protection `prot` (mmap's PROT_*): the JIT's code
 * buffer (hv/x86/jit_buf.c) maps its memfd twice, writable and
 * executable, each view aligned so that the host can back it with huge
 * pages (shmem's "advise" setting): its code is written and first run
 * a page at a time, and with 4 KiB pages each of those was a fault of
 * its own in each view. */
void *bigmem_map_prot(int fd, size_t size, int prot);

#endif
