#include "hv/core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_all(int fd, uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO; /* the file shrank under us */
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One write or pwrite (off < 0: write) of everything, as the header says. */
static int write_loop(int fd, const uint8_t *p, size_t len, int64_t off, uint64_t *failed_at)
{
	while (len > 0) {
		ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			if (failed_at)
				*failed_at = (uint64_t)off;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

int file_pwrite_all(int fd, const void *buf, size_t len, uint64_t off, uint64_t *failed_at)
{
	if (off > (uint64_t)INT64_MAX - len) {
		errno = EFBIG;
		if (failed_at)
			*failed_at = off;
		return -1;
	}
	return write_loop(fd, buf, len, (int64_t)off, failed_at);
}

int file_write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1, NULL);
}

/* Drops `done` bytes from the front of the vector v (a copy the caller
 * owns), and the empty buffers after them, and returns the new first
 * buffer. */
static struct iovec *advance(struct iovec *v, int *n, size_t done)
{
	while (*n > 0 && done >= v->iov_len) {
		done -= v->iov_len;
		v++;
		(*n)--;
	}
	if (*n > 0) {
		v->iov_base = (uint8_t *)v->iov_base + done;
		v->iov_len -= done;
	}
	return v;
}

int file_transfer_v(int fd, const struct iovec *iov, int n, uint64_t off, bool write,
		    uint64_t *failed_at)
{
	struct iovec copy[IOV_MAX], *v = copy;

	if (n < 0 || n > IOV_MAX || off > (uint64_t)INT64_MAX) {
		errno = EINVAL;
		if (failed_at)
			*failed_at = off;
		return -1;
	}
	memcpy(copy, iov, (size_t)n * sizeof *iov);
	v = advance(v, &n, 0); /* empty buffers would read as no progress */
	while (n > 0) {
		ssize_t k = write ? pwritev(fd, v, n, (off_t)off) : preadv(fd, v, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = write ? ENOSPC : ENODATA; /* the end of the file */
			if (failed_at)
				*failed_at = off;
			return -1;
		}
		off += (uint64_t)k;
		v = advance(v, &n, (size_t)k);
	}
	return 0;
}

static void too_big(const char *what, const char *path, off_t size, size_t max, char *err,
		    size_t errlen)
{
	size_t unit = max && max % (1u << 20) == 0 ? 1u << 20 : max && max % 1024 == 0 ? 1024 : 1;
	const char *name = unit == 1 ? "bytes" : unit == 1024 ? "KiB" : "MiB";

	snprintf(err, errlen, "%s %s: %lld bytes is too big (the limit is %zu %s)", what, path,
		 (long long)size, max / unit, name);
}

uint8_t *file_read(const char *what, const char *path, size_t max, size_t *size, char *err,
		   size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	/* O_NONBLOCK: a FIFO at path is refused below instead of hanging. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
	else if ((uint64_t)st.st_size > max)
		too_big(what, path, st.st_size, max, err, errlen);
	else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
		snprintf(err, errlen, "%s %s: out of memory", what, path);
	else if (read_all(fd, buf, (size_t)st.st_size) < 0) {
		snprintf(err, errlen, "%s %s: cannot read: %s", what, path, strerror(errno));
		free(buf);
		buf = NULL;
	} else
		*size = (size_t)st.st_size;
	if (fd >= 0)
		close(fd);
	return buf;
}
