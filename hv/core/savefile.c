#include "hv/core/file.h"
#include "hv/core/savefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/core/le.h"

#define MAGIC	    "HVSAVE\r\n"
#define HEADER_SIZE 32
#define SECTION_HDR 48
#define CHUNK	    (64u << 10) /* bytes hashed per read */

/* ---- checksum: a word-at-a-time multiply-rotate hash (not a MAC: it
 * catches damage, and the loaders validate every value anyway) ---- */

static uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w * 0x9e3779b97f4a7c15ull;
	h = (h << 29 | h >> 35) * 0xbf58476d1ce4e5b9ull;
	return h;
}

static uint64_t word(const uint8_t *p)
{
	return le_get32(p) | (uint64_t)le_get32(p + 4) << 32;
}

void savefile_hash_init(struct savefile_hash *s)
{
	*s = (struct savefile_hash){.h = 0x6876736176650001ull};
}

void savefile_hash_add(struct savefile_hash *s, const void *p, size_t n)
{
	const uint8_t *b = p;

	s->total += n;
	while (n && s->ntail) {
		s->tail[s->ntail++] = *b++;
		n--;
		if (s->ntail == 8) {
			s->h = mix(s->h, word(s->tail));
			s->ntail = 0;
		}
	}
	for (; n >= 8; b += 8, n -= 8)
		s->h = mix(s->h, word(b));
	if (n)
		memcpy(s->tail, b, n);
	s->ntail = (unsigned)n;
}

uint64_t savefile_hash_end(const struct savefile_hash *s)
{
	uint8_t last[8] = {0};

	memcpy(last, s->tail, s->ntail);
	return mix(mix(s->h, word(last)), s->total);
}

/* A section's checksum covers its header (name, version, flags, length)
 * and its payload's hash. */
static uint64_t section_sum(const uint8_t *h, uint64_t payload)
{
	struct savefile_hash s;
	uint8_t b[8];

	le_put64(b, payload);
	savefile_hash_init(&s);
	savefile_hash_add(&s, h, 40);
	savefile_hash_add(&s, b, sizeof b);
	return savefile_hash_end(&s);
}

/* ---- writer ---- */

static int put_all(int fd, const void *p, size_t n, uint64_t off, char *err, size_t len)
{
	if (file_pwrite_all(fd, p, n, off, NULL) < 0) {
		snprintf(err, len, "cannot write the save file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int savefile_start(struct savefile_writer *w, int fd, char *err, size_t len)
{
	uint8_t h[HEADER_SIZE] = {0};

	*w = (struct savefile_writer){.fd = fd, .sec_off = UINT64_MAX};
	memcpy(h, MAGIC, 8);
	le_put32(h + 8, SAVEFILE_VERSION);
	le_put32(h + 12, HEADER_SIZE);
	if (put_all(fd, h, sizeof h, 0, err, len) < 0)
		return -1;
	w->off = HEADER_SIZE;
	return 0;
}

static bool good_name(const char *name)
{
	size_t n = strnlen(name, SAVEFILE_NAME_MAX);

	if (n == 0 || n == SAVEFILE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] >= 0x7f)
			return false;
	return true;
}

int savefile_section_begin(struct savefile_writer *w, const char *name, uint32_t version, char *err,
			   size_t len)
{
	if (w->sec_off != UINT64_MAX || !good_name(name)) {
		snprintf(err, len, "save file: bad section '%.24s'", name);
		return -1;
	}
	memset(w->name, 0, sizeof w->name);
	memcpy(w->name, name, strlen(name));
	w->version = version;
	w->sec_off = w->off;
	w->off += SECTION_HDR;
	savefile_hash_init(&w->hash);
	return 0;
}

int savefile_write(struct savefile_writer *w, const void *p, size_t n, char *err, size_t len)
{
	if (w->sec_off == UINT64_MAX) {
		snprintf(err, len, "save file: data outside a section");
		return -1;
	}
	if (put_all(w->fd, p, n, w->off, err, len) < 0)
		return -1;
	savefile_hash_add(&w->hash, p, n);
	w->off += n;
	return 0;
}

int savefile_section_end(struct savefile_writer *w, char *err, size_t len)
{
	uint8_t h[SECTION_HDR] = {0};

	if (w->sec_off == UINT64_MAX) {
		snprintf(err, len, "save file: no section to end");
		return -1;
	}
	memcpy(h, w->name, SAVEFILE_NAME_MAX);
	le_put32(h + 24, w->version);
	le_put64(h + 32, w->off - w->sec_off - SECTION_HDR);
	le_put64(h + 40, section_sum(h, savefile_hash_end(&w->hash)));
	if (put_all(w->fd, h, sizeof h, w->sec_off, err, len) < 0)
		return -1;
	w->sec_off = UINT64_MAX;
	return 0;
}

int savefile_put(struct savefile_writer *w, const char *name, uint32_t version, const void *p,
		 size_t n, char *err, size_t len)
{
	if (savefile_section_begin(w, name, version, err, len) < 0 ||
	    savefile_write(w, p, n, err, len) < 0)
		return -1;
	return savefile_section_end(w, err, len);
}

int savefile_finish(struct savefile_writer *w, char *err, size_t len)
{
	if (savefile_put(w, "end", 1, NULL, 0, err, len) < 0)
		return -1;
	if (ftruncate(w->fd, (off_t)w->off) < 0 || fsync(w->fd) < 0) {
		snprintf(err, len, "cannot write the save file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- reader ---- */

int savefile_pread_all(int fd, void *p, size_t n, uint64_t off)
{
	uint8_t *b = p;

	while (n) {
		ssize_t k = pread(fd, b, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}

static int check_header(int fd, uint64_t size, char *err, size_t len)
{
	uint8_t h[HEADER_SIZE];

	if (size < HEADER_SIZE || savefile_pread_all(fd, h, sizeof h, 0) < 0 ||
	    memcmp(h, MAGIC, 8) != 0) {
		snprintf(err, len, "not an hv save file");
		return -1;
	}
	if (le_get32(h + 8) != SAVEFILE_VERSION) {
		snprintf(err, len, "save file format version %u; this hv reads version %u",
			 le_get32(h + 8), SAVEFILE_VERSION);
		return -1;
	}
	if (le_get32(h + 12) != HEADER_SIZE || word(h + 16) != 0 || word(h + 24) != 0) {
		snprintf(err, len, "save file: damaged header");
		return -1;
	}
	return 0;
}

static int hash_payload(int fd, uint64_t off, uint64_t n, uint64_t *out)
{
	struct savefile_hash s;
	uint8_t buf[CHUNK];

	savefile_hash_init(&s);
	while (n) {
		size_t k = n < CHUNK ? (size_t)n : CHUNK;

		if (savefile_pread_all(fd, buf, k, off) < 0)
			return -1;
		savefile_hash_add(&s, buf, k);
		off += k;
		n -= k;
	}
	*out = savefile_hash_end(&s);
	return 0;
}

/* Whether the name field holds nothing after its NUL (names written by
 * hv are NUL-padded, so anything else is damage). */
static bool zero_after_name(const uint8_t *h)
{
	for (size_t i = strnlen((const char *)h, SAVEFILE_NAME_MAX); i < SAVEFILE_NAME_MAX; i++)
		if (h[i])
			return false;
	return true;
}

/* Reads the section header at off into s; -1 with err for a bad one. */
static int read_section(const struct savefile_reader *r, uint64_t off, uint64_t size,
			struct savefile_section *s, char *err, size_t len)
{
	uint8_t h[SECTION_HDR];
	uint64_t sum;

	if (size - off < SECTION_HDR || savefile_pread_all(r->fd, h, sizeof h, off) < 0) {
		snprintf(err, len, "save file: truncated (no \"end\" section)");
		return -1;
	}
	memcpy(s->name, h, SAVEFILE_NAME_MAX);
	if (!good_name(s->name) || !zero_after_name(h) || le_get32(h + 28) != 0) {
		snprintf(err, len, "save file: damaged section header at byte %llu",
			 (unsigned long long)off);
		return -1;
	}
	s->version = le_get32(h + 24);
	s->offset = off + SECTION_HDR;
	s->length = word(h + 32);
	if (s->length > size - s->offset) {
		snprintf(err, len, "save file: truncated (section '%s' ends past the end)",
			 s->name);
		return -1;
	}
	if (hash_payload(r->fd, s->offset, s->length, &sum) < 0 ||
	    section_sum(h, sum) != word(h + 40)) {
		snprintf(err, len, "save file: section '%s' is corrupted (checksum mismatch)",
			 s->name);
		return -1;
	}
	return 0;
}

static int add_section(struct savefile_reader *r, const struct savefile_section *s, char *err,
		       size_t len)
{
	struct savefile_section *v;

	if (savefile_find(r, s->name)) {
		snprintf(err, len, "save file: section '%s' twice", s->name);
		return -1;
	}
	if (r->n == SAVEFILE_SECTIONS_MAX) {
		snprintf(err, len, "save file: more than %d sections", SAVEFILE_SECTIONS_MAX);
		return -1;
	}
	v = realloc(r->s, (r->n + 1) * sizeof *v);
	if (!v) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	r->s = v;
	r->s[r->n++] = *s;
	return 0;
}

static int read_sections(struct savefile_reader *r, uint64_t size, char *err, size_t len)
{
	struct savefile_section s;

	for (uint64_t off = HEADER_SIZE;; off = s.offset + s.length) {
		if (read_section(r, off, size, &s, err, len) < 0)
			return -1;
		if (strcmp(s.name, "end") == 0)
			break;
		if (add_section(r, &s, err, len) < 0)
			return -1;
	}
	if (s.length != 0 || s.offset != size) {
		snprintf(err, len, "save file: bytes after the \"end\" section");
		return -1;
	}
	return 0;
}

int savefile_open(struct savefile_reader *r, int fd, char *err, size_t len)
{
	struct stat st;

	*r = (struct savefile_reader){.fd = fd};
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "a save file must be a regular file");
		return -1;
	}
	if (check_header(fd, (uint64_t)st.st_size, err, len) < 0 ||
	    read_sections(r, (uint64_t)st.st_size, err, len) < 0) {
		savefile_close(r);
		return -1;
	}
	return 0;
}

const struct savefile_section *savefile_find(const struct savefile_reader *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->s[i].name, name) == 0)
			return &r->s[i];
	return NULL;
}

int savefile_load(const struct savefile_reader *r, const struct savefile_section *s, size_t max,
		  uint8_t **out, char *err, size_t len)
{
	*out = NULL;
	if (s->length > max) {
		snprintf(err, len, "save file: section '%s' is too large (%llu bytes)", s->name,
			 (unsigned long long)s->length);
		return -1;
	}
	*out = malloc(s->length ? (size_t)s->length : 1);
	if (!*out || savefile_pread_all(r->fd, *out, (size_t)s->length, s->offset) < 0) {
		free(*out);
		*out = NULL;
		snprintf(err, len, "cannot read the save file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void savefile_close(struct savefile_reader *r)
{
	free(r->s);
	r->s = NULL;
	r->n = 0;
}
