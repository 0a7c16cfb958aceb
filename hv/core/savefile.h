/* hv's save files: a header, then named sections (a device's state, the
 * CPU's, RAM, the domain's config), each with its own version, length and
 * checksum, ended by an "end" section. Self-describing: a reader lists and
 * verifies every section before anything is applied, so a truncated,
 * corrupted or foreign file is one clear error before the domain is
 * touched.
 *
 *   header   "HVSAVE\r\n", le32 format version, le32 header size (32),
 *            le64 flags (0), le64 reserved (0)
 *   section  name[24] (NUL-padded, printable), le32 version, le32 flags
 *            (0), le64 payload length, le64 checksum (of the header
 *            fields and the payload); payload
 *   ...      the last section is "end", empty, at the end of the file
 *
 * All integers are little-endian. RAM is a section of runs of non-zero
 * pages (savefile_put_ram), so an idle guest's file stays small. */
#ifndef HV_CORE_SAVEFILE_H
#define HV_CORE_SAVEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAVEFILE_VERSION      1
#define SAVEFILE_NAME_MAX     24 /* with the NUL */
#define SAVEFILE_SECTIONS_MAX 4096
#define SAVEFILE_PAGE	      4096u

struct savefile_hash {
	uint64_t h, total;
	uint8_t tail[8];
	unsigned ntail;
};

void savefile_hash_init(struct savefile_hash *s);
void savefile_hash_add(struct savefile_hash *s, const void *p, size_t n);
uint64_t savefile_hash_end(const struct savefile_hash *s);

/* Writes to a seekable descriptor (a section's header is filled in when
 * the section ends). Every call returns 0, or -1 with err set; after a
 * failure the file is garbage and the caller removes it. */
struct savefile_writer {
	int fd;
	uint64_t off;	  /* where the next byte goes */
	uint64_t sec_off; /* the open section's header, or UINT64_MAX */
	char name[SAVEFILE_NAME_MAX];
	uint32_t version;
	struct savefile_hash hash;
};

int savefile_start(struct savefile_writer *w, int fd, char *err, size_t len);
int savefile_section_begin(struct savefile_writer *w, const char *name, uint32_t version, char *err,
			   size_t len);
int savefile_write(struct savefile_writer *w, const void *p, size_t n, char *err, size_t len);
int savefile_section_end(struct savefile_writer *w, char *err, size_t len);
/* A whole section at once. */
int savefile_put(struct savefile_writer *w, const char *name, uint32_t version, const void *p,
		 size_t n, char *err, size_t len);
/* size bytes of RAM as the section name: runs of non-zero pages. */
int savefile_put_ram(struct savefile_writer *w, const char *name, const uint8_t *ram, uint64_t size,
		     char *err, size_t len);
/* As savefile_put_ram for RAM that is the whole of the memfd fd mapped
 * at ram: its holes (pages never written) are skipped without reading
 * them, so a save does not make the kernel give RAM pages to an idle
 * guest's untouched memory. */
int savefile_put_ram_fd(struct savefile_writer *w, const char *name, const uint8_t *ram,
			uint64_t size, int fd, char *err, size_t len);
/* Whether a RAM page (SAVEFILE_PAGE bytes) is all zeros. */
bool savefile_page_is_zero(const uint8_t *p);
/* The data extent of a RAM memfd holding or following an offset
 * (SEEK_DATA/SEEK_HOLE): pages in a hole are zero without being read,
 * since reading them would give every one a page of its own. Start with
 * {.fd = the memfd} (-1: no holes known) and ask in ascending order. */
struct savefile_extent {
	int fd;
	uint64_t data, hole; /* [data, hole): data; below data: a hole */
};
/* False when the page at off lies in a hole (it is zero). */
bool savefile_extent_data(struct savefile_extent *e, uint64_t off);
/* The "end" section, then fsync. */
int savefile_finish(struct savefile_writer *w, char *err, size_t len);

struct savefile_section {
	char name[SAVEFILE_NAME_MAX];
	uint32_t version;
	uint64_t offset; /* of the payload */
	uint64_t length;
};

struct savefile_reader {
	int fd;
	struct savefile_section *s;
	size_t n;
};

/* Reads and verifies the whole file's structure and checksums. Returns 0,
 * or -1 with err naming what is wrong (and r empty). */
int savefile_open(struct savefile_reader *r, int fd, char *err, size_t len);
const struct savefile_section *savefile_find(const struct savefile_reader *r, const char *name);
/* A section's payload in a new buffer (free it), at most max bytes. */
int savefile_load(const struct savefile_reader *r, const struct savefile_section *s, size_t max,
		  uint8_t **out, char *err, size_t len);
/* Checks that a RAM section fits size bytes of RAM (runs in order, in
 * range), without touching it. */
int savefile_check_ram(const struct savefile_reader *r, const struct savefile_section *s,
		       uint64_t size, char *err, size_t len);
/* After savefile_check_ram: fills ram (size bytes) from the section, zero
 * where the file has no page. */
int savefile_get_ram(const struct savefile_reader *r, const struct savefile_section *s,
		     uint8_t *ram, uint64_t size, char *err, size_t len);
/* As savefile_get_ram into RAM the caller has zeroed already (a memfd's
 * pages freed with a hole punched: no page is touched that the file does
 * not hold, so a restore costs what the file holds, not the RAM size). */
int savefile_get_ram_over_zeros(const struct savefile_reader *r, const struct savefile_section *s,
				uint8_t *ram, uint64_t size, char *err, size_t len);
/* As savefile_get_ram_over_zeros for RAM that is the file fd from offset
 * 0 (a memfd with its pages freed): the pages are written with pwrite, so
 * the kernel fills them without a page fault for each (and without
 * mapping them in this process: the guest's first touch does). */
int savefile_get_ram_to_fd(const struct savefile_reader *r, const struct savefile_section *s,
			   int fd, uint64_t size, char *err, size_t len);
void savefile_close(struct savefile_reader *r);
/* Reads n bytes at off (again after a signal): 0, or -1 on an error or
 * the end of the file (savefile.c and savefile_ram.c). */
int savefile_pread_all(int fd, void *p, size_t n, uint64_t off);

#endif
