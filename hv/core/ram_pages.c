#include "hv/core/ram_pages.h"

#include "hv/core/bigmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The modes under which a memfd mapped with MADV_HUGEPAGE gets huge
 * pages: "within_size" for every 2 MiB wholly inside the file (all of RAM
 * when its size is a multiple of 2 MiB), "advise" for pages first touched
 * through such a mapping (not those written with write(2)). */
static bool mode_gives_huge(const char *mode)
{
	static const char *const huge[] = {"always", "within_size", "advise", "force"};

	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
		if (strcmp(mode, huge[i]) == 0)
			return true;
	return false;
}

struct ram_pages_policy ram_pages_policy_of(const char *text)
{
	struct ram_pages_policy p = {.mode = "", .page_size = RAM_PAGES_SMALL};
	const char *open = text ? strchr(text, '[') : NULL;
	const char *close = open ? strchr(open, ']') : NULL;
	size_t n = close ? (size_t)(close - open - 1) : 0;

	if (n == 0 || n >= sizeof p.mode)
		return p;
	memcpy(p.mode, open + 1, n);
	p.mode[n] = '\0';
	if (mode_gives_huge(p.mode))
		p.page_size = RAM_PAGES_HUGE;
	return p;
}

struct ram_pages_policy ram_pages_policy_read(const char *path)
{
	char text[128];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, text, sizeof text - 1);
		close(fd);
	}
	if (n < 0)
		return ram_pages_policy_of(NULL);
	text[n] = '\0';
	return ram_pages_policy_of(text);
}

void ram_pages_describe(const struct ram_pages_policy *p, char *out, size_t len)
{
	if (p->page_size == RAM_PAGES_HUGE)
		snprintf(out, len, "guest RAM in 2 MiB pages (shmem_enabled %s)", p->mode);
	else if (p->mode[0])
		snprintf(out, len,
			 "guest RAM in 4 KiB pages: shmem huge pages are \"%s\" on this host; "
			 "'echo advise > %s' (as root) puts it in 2 MiB pages, for either engine",
			 p->mode, RAM_PAGES_SHMEM_KNOB);
	else
		snprintf(out, len, "guest RAM in 4 KiB pages: no %s (no transparent huge pages)",
			 RAM_PAGES_SHMEM_KNOB);
}

/* bigmem's aligned mapping, of a file only. */
void *ram_pages_map(int fd, uint64_t bytes)
{
	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	if (bytes == 0 || bytes > SIZE_MAX - RAM_PAGES_HUGE) {
		errno = EINVAL;
		return NULL;
	}
	return bigmem_map(fd, (size_t)bytes);
}
