/* RAM in a save file: le64 RAM size, then runs of non-zero pages, each
 * le64 first page, le64 page count, the pages' bytes. Runs are in
 * ascending order and do not overlap; pages not in a run are zero. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/core/le.h"
#include "hv/core/savefile.h"

#define RUN_HDR	 16
#define COPY_BUF (1u << 20)

bool savefile_page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[SAVEFILE_PAGE];

	return memcmp(p, zero, SAVEFILE_PAGE) == 0;
}

static int put_run(struct savefile_writer *w, const uint8_t *ram, uint64_t first, uint64_t n,
		   char *err, size_t len)
{
	uint8_t h[RUN_HDR];

	le_put64(h, first);
	le_put64(h + 8, n);
	if (savefile_write(w, h, sizeof h, err, len) < 0)
		return -1;
	return savefile_write(w, ram + first * SAVEFILE_PAGE, (size_t)(n * SAVEFILE_PAGE), err,
			      len);
}

bool savefile_extent_data(struct savefile_extent *e, uint64_t off)
{
	if (e->fd < 0)
		return true;
	if (off >= e->hole) {
		off_t d = lseek(e->fd, (off_t)off, SEEK_DATA);
		off_t h = d < 0 ? -1 : lseek(e->fd, d, SEEK_HOLE);

		if (d < 0 && errno != ENXIO) {
			e->fd = -1; /* no hole information: read everything */
			return true;
		}
		e->data = d < 0 ? UINT64_MAX : (uint64_t)d;
		e->hole = d < 0 ? UINT64_MAX : h < 0 ? UINT64_MAX : (uint64_t)h;
	}
	return off >= e->data;
}

int savefile_put_ram(struct savefile_writer *w, const char *name, const uint8_t *ram, uint64_t size,
		     char *err, size_t len)
{
	return savefile_put_ram_fd(w, name, ram, size, -1, err, len);
}

int savefile_put_ram_fd(struct savefile_writer *w, const char *name, const uint8_t *ram,
			uint64_t size, int fd, char *err, size_t len)
{
	struct savefile_extent e = {.fd = fd};
	uint64_t pages = size / SAVEFILE_PAGE, first = 0;
	uint8_t h[8];
	bool in_run = false;

	if (size % SAVEFILE_PAGE) {
		snprintf(err, len, "save file: RAM of %llu bytes is not whole pages",
			 (unsigned long long)size);
		return -1;
	}
	le_put64(h, size);
	if (savefile_section_begin(w, name, 1, err, len) < 0 ||
	    savefile_write(w, h, sizeof h, err, len) < 0)
		return -1;
	for (uint64_t i = 0; i <= pages; i++) {
		bool data = i < pages && savefile_extent_data(&e, i * SAVEFILE_PAGE) &&
			    !savefile_page_is_zero(ram + i * SAVEFILE_PAGE);

		if (data && !in_run)
			first = i;
		else if (!data && in_run && put_run(w, ram, first, i - first, err, len) < 0)
			return -1;
		in_run = data;
	}
	return savefile_section_end(w, err, len);
}

/* n bytes of the file at off into the descriptor to at dst, through a
 * buffer: the kernel fills to's pages itself (a memfd's, without a page
 * fault for each one, and without clearing pages about to be written). */
static int copy_to_fd(int from, uint64_t off, int to, uint64_t dst, uint64_t n)
{
	static uint8_t buf[COPY_BUF];

	while (n) {
		size_t k = n < COPY_BUF ? (size_t)n : COPY_BUF;

		if (savefile_pread_all(from, buf, k, off) < 0)
			return -1;
		for (size_t done = 0; done < k;) {
			ssize_t w = pwrite(to, buf + done, k - done, (off_t)(dst + done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			done += (size_t)w;
		}
		off += k;
		dst += k;
		n -= k;
	}
	return 0;
}

/* Walks the runs of s; with ram, copies them in; with fd >= 0 (a file
 * holding RAM from offset 0), writes them there. */
static int walk(const struct savefile_reader *r, const struct savefile_section *s, uint64_t size,
		uint8_t *ram, int fd, char *err, size_t len)
{
	uint64_t off = s->offset, end = s->offset + s->length, next = 0,
		 pages = size / SAVEFILE_PAGE;
	uint8_t h[RUN_HDR];

	if (s->version != 1 || s->length < 8 || savefile_pread_all(r->fd, h, 8, off) < 0) {
		snprintf(err, len, "save file: unreadable RAM section '%s'", s->name);
		return -1;
	}
	if (le_get32(h) != (uint32_t)size || le_get32(h + 4) != (uint32_t)(size >> 32)) {
		snprintf(
		    err, len, "save file: its RAM is %llu MiB, the domain has %llu MiB",
		    (unsigned long long)((le_get32(h) | (uint64_t)le_get32(h + 4) << 32) >> 20),
		    (unsigned long long)(size >> 20));
		return -1;
	}
	for (off += 8; off < end;) {
		uint64_t first, n;

		if (end - off < RUN_HDR || savefile_pread_all(r->fd, h, RUN_HDR, off) < 0)
			goto bad;
		first = le_get32(h) | (uint64_t)le_get32(h + 4) << 32;
		n = le_get32(h + 8) | (uint64_t)le_get32(h + 12) << 32;
		off += RUN_HDR;
		if (first < next || n == 0 || n > pages || first > pages - n ||
		    n * SAVEFILE_PAGE > end - off)
			goto bad;
		if (ram && savefile_pread_all(r->fd, ram + first * SAVEFILE_PAGE,
					      (size_t)(n * SAVEFILE_PAGE), off) < 0)
			goto bad;
		if (fd >= 0 &&
		    copy_to_fd(r->fd, off, fd, first * SAVEFILE_PAGE, n * SAVEFILE_PAGE) < 0) {
			snprintf(err, len, "cannot load the save file's RAM: %s", strerror(errno));
			return -1;
		}
		off += n * SAVEFILE_PAGE;
		next = first + n;
	}
	return 0;
bad:
	snprintf(err, len, "save file: RAM section '%s' is malformed at byte %llu", s->name,
		 (unsigned long long)off);
	return -1;
}

int savefile_check_ram(const struct savefile_reader *r, const struct savefile_section *s,
		       uint64_t size, char *err, size_t len)
{
	return walk(r, s, size, NULL, -1, err, len);
}

int savefile_get_ram(const struct savefile_reader *r, const struct savefile_section *s,
		     uint8_t *ram, uint64_t size, char *err, size_t len)
{
	if (walk(r, s, size, NULL, -1, err, len) < 0)
		return -1;
	memset(ram, 0, (size_t)size);
	return walk(r, s, size, ram, -1, err, len);
}

int savefile_get_ram_over_zeros(const struct savefile_reader *r, const struct savefile_section *s,
				uint8_t *ram, uint64_t size, char *err, size_t len)
{
	if (walk(r, s, size, NULL, -1, err, len) < 0)
		return -1;
	return walk(r, s, size, ram, -1, err, len);
}

int savefile_get_ram_to_fd(const struct savefile_reader *r, const struct savefile_section *s,
			   int fd, uint64_t size, char *err, size_t len)
{
	if (walk(r, s, size, NULL, -1, err, len) < 0)
		return -1;
	return walk(r, s, size, NULL, fd, err, len);
}
