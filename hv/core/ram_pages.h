/* How guest RAM's memfd is mapped so that KVM can back it with 2 MiB
 * pages: a mapping aligned to 2 MiB (KVM maps a guest range huge only when
 * its host address has the same offset in a 2 MiB page as the guest
 * address, and the host maps a 2 MiB piece of the file with one PMD only
 * at an aligned address) and marked MADV_HUGEPAGE. Whether the kernel then
 * gives the memfd (shmem) huge pages is the host's choice, in
 * /sys/kernel/mm/transparent_hugepage/shmem_enabled: "never" (Debian's
 * default) keeps it in 4 KiB pages, and every 4 KiB the guest touches
 * costs KVM a nested page fault. */
#ifndef HV_CORE_RAM_PAGES_H
#define HV_CORE_RAM_PAGES_H

#include <stddef.h>
#include <stdint.h>

#define RAM_PAGES_HUGE	     ((uint64_t)2 << 20)
#define RAM_PAGES_SMALL	     ((uint64_t)4096)
#define RAM_PAGES_SHMEM_KNOB "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/* The host's policy for shmem huge pages. */
struct ram_pages_policy {
	char mode[16];	    /* the selected word of shmem_enabled, "" when unknown */
	uint64_t page_size; /* what a MADV_HUGEPAGE mapping of a memfd gets */
};

/* The policy that the text of a shmem_enabled file describes ("always
 * within_size [advise] never deny force": the bracketed word). NULL or
 * text without a selection (no such file: a kernel without transparent
 * huge pages) gives 4 KiB pages and an empty mode. */
struct ram_pages_policy ram_pages_policy_of(const char *text);

/* The policy read from the file at `path` (RAM_PAGES_SHMEM_KNOB on a
 * real host). */
struct ram_pages_policy ram_pages_policy_read(const char *path);

/* One line for the log: the page size guest RAM gets under p and, when
 * that is 4 KiB because of the host's setting, how to change it. */
void ram_pages_describe(const struct ram_pages_policy *p, char *out, size_t len);

/* Maps `bytes` of fd shared, read-write, at an address aligned to
 * RAM_PAGES_HUGE, advised for huge pages. Returns the address or NULL
 * (errno set). munmap(address, bytes) undoes it. */
void *ram_pages_map(int fd, uint64_t bytes);

#endif
