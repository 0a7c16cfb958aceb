/* A new, empty qcow2 (version 3) image over a backing file: the overlay a
 * snapshot puts on a disk (hv snapshot-create, snapshot-revert). The layout
 * is the smallest qemu-img check accepts: cluster 0 the header, the backing
 * format extension and the backing file's name; cluster 1 the refcount
 * table; cluster 2 its one refcount block; then the L1 table, all zeros
 * (every guest cluster reads through to the backing file). */
#include "hv/block/qcow2.h"
#include "hv/core/file.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CREATE_CLUSTER_BITS 16
#define EXT_BACKING_FMT	    0xe2792acau
#define HEADER_LENGTH	    104u

static void put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

/* All of buf at off, or -1. */
static int write_all(int fd, const void *buf, size_t len, uint64_t off)
{
	return file_pwrite_all(fd, buf, len, off, NULL);
}

/* Cluster 0: the header, the backing format extension, the end of the
 * extensions and the backing file's name. */
static void fill_header(uint8_t *c0, uint64_t size, uint32_t l1_size, uint64_t l1_off,
			const char *backing, const char *fmt)
{
	size_t flen = strlen(fmt), blen = strlen(backing);
	uint64_t name_off = HEADER_LENGTH + 8 + ((flen + 7) & ~(size_t)7) + 8;
	const uint64_t cs = 1ull << CREATE_CLUSTER_BITS;

	put32(c0, QCOW2_MAGIC);
	put32(c0 + 4, 3);
	put64(c0 + 8, name_off);
	put32(c0 + 16, (uint32_t)blen);
	put32(c0 + 20, CREATE_CLUSTER_BITS);
	put64(c0 + 24, size);
	put32(c0 + 36, l1_size);
	put64(c0 + 40, l1_off);
	put64(c0 + 48, cs); /* refcount table: cluster 1 */
	put32(c0 + 56, 1);
	put32(c0 + 96, 4); /* 16-bit refcounts */
	put32(c0 + 100, HEADER_LENGTH);
	put32(c0 + HEADER_LENGTH, EXT_BACKING_FMT);
	put32(c0 + HEADER_LENGTH + 4, (uint32_t)flen);
	memcpy(c0 + HEADER_LENGTH + 8, fmt, flen);
	/* The end-of-extensions marker is the 8 zero bytes before the name. */
	memcpy(c0 + name_off, backing, blen);
}

int qcow2_create_overlay(int fd, uint64_t size, const char *backing, const char *backing_fmt,
			 char *err, size_t errlen)
{
	const uint64_t cs = 1ull << CREATE_CLUSTER_BITS;
	uint64_t per_l1 = cs * (cs / 8), l1_size, l1_clusters, total;
	uint8_t *c = NULL;
	int rc = -1;

	if (strcmp(backing_fmt, "raw") != 0 && strcmp(backing_fmt, "qcow2") != 0) {
		snprintf(err, errlen, "backing format %s: neither raw nor qcow2", backing_fmt);
		return -1;
	}
	if (backing[0] == '\0' || strlen(backing) > 1000 || strchr(backing, '\n')) {
		snprintf(err, errlen, "backing file name empty or longer than 1000 bytes");
		return -1;
	}
	if (size == 0 || size > (1ull << 55)) {
		snprintf(err, errlen, "virtual size %llu out of range", (unsigned long long)size);
		return -1;
	}
	l1_size = (size + per_l1 - 1) / per_l1;
	if (l1_size * 8 > QCOW2_L1_MAX_BYTES) {
		snprintf(err, errlen, "virtual size too large for an overlay");
		return -1;
	}
	l1_clusters = (l1_size * 8 + cs - 1) / cs;
	total = 3 + l1_clusters;
	c = calloc(1, cs);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ftruncate(fd, (off_t)(total * cs)) < 0)
		goto io;
	fill_header(c, size, (uint32_t)l1_size, 3 * cs, backing, backing_fmt);
	if (write_all(fd, c, cs, 0) < 0)
		goto io;
	memset(c, 0, cs);
	put64(c, 2 * cs); /* the refcount table's one block: cluster 2 */
	if (write_all(fd, c, 8, cs) < 0)
		goto io;
	memset(c, 0, 8);
	for (uint64_t i = 0; i < total; i++)
		c[i * 2 + 1] = 1; /* big-endian 16-bit 1: the metadata's clusters */
	if (write_all(fd, c, total * 2, 2 * cs) < 0 || fsync(fd) < 0)
		goto io;
	rc = 0;
	goto out;
io:
	snprintf(err, errlen, "cannot write the overlay: %s", strerror(errno ? errno : EIO));
out:
	free(c);
	return rc;
}
