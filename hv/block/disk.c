#include "hv/block/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hv/block/qcow2.h"
#include "hv/core/file.h"
#include "hv/core/log.h"

/* OFD locks belong to the open file description, not the process: a second
 * open in the same process (a test, or one domain naming an image twice)
 * conflicts just as another domain's would, and closing an unrelated
 * descriptor for the file does not drop the lock as with POSIX locks. */
static int lock_image(int fd, bool shared)
{
	struct flock fl = {.l_type = shared ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET};

	return fcntl(fd, F_OFD_SETLK, &fl);
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	return -1;
}

static int check_file(struct disk *d, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0)
		return fail(err, errlen, d->path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(err, errlen, d->path, "is a directory, not a disk image");
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(d->fd, 0, SEEK_END);

		if (end < 0)
			return fail(err, errlen, d->path, strerror(errno));
		d->size = (uint64_t)end;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, d->path, "not a regular file or block device");
	d->size = (uint64_t)st.st_size;
	return 0;
}

/* The first bytes of the file are a qcow2 magic. */
static bool looks_qcow2(int fd)
{
	uint8_t m[4];

	return pread(fd, m, 4, 0) == 4 && m[0] == 'Q' && m[1] == 'F' && m[2] == 'I' && m[3] == 0xfb;
}

static struct disk *setup_image(struct disk *d, const char *path, int format, bool readonly,
				unsigned depth, char *err, size_t errlen);

static struct disk *open_image(const char *path, int format, bool readonly, unsigned depth,
			       char *err, size_t errlen)
{
	struct disk *d = calloc(1, sizeof *d);

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* O_NONBLOCK so a FIFO is refused (by check_file), not waited on. */
	d->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (d->fd < 0) {
		fail(err, errlen, path, strerror(errno));
		free(d);
		return NULL;
	}
	return setup_image(d, path, format, readonly, depth, err, errlen);
}

struct disk *disk_open_fd(int fd, const char *name, bool readonly, char *err, size_t errlen)
{
	struct disk *d = calloc(1, sizeof *d);
	int mode = fcntl(fd, F_GETFL);

	if (!d) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->fd = fd;
	if (mode < 0 || (!readonly && (mode & O_ACCMODE) != O_RDWR)) {
		fail(err, errlen, name, mode < 0 ? strerror(errno) : "not opened for writing");
		close(fd);
		free(d);
		return NULL;
	}
	fcntl(fd, F_SETFL, mode | O_NONBLOCK);
	return setup_image(d, name, DISK_FORMAT_RAW, readonly, 0, err, errlen);
}

/* The checks, the lock and the format of an image whose d->fd is open;
 * frees d (closing it) on failure. */
static struct disk *setup_image(struct disk *d, const char *path, int format, bool readonly,
				unsigned depth, char *err, size_t errlen)
{
	snprintf(d->path, sizeof d->path, "%s", path);
	d->readonly = readonly;
	if (check_file(d, err, errlen) < 0)
		goto bad;
	fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) & ~O_NONBLOCK);
	if (lock_image(d->fd, readonly) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			fail(err, errlen, path,
			     readonly ? "in use by another domain (opened read-write)"
				      : "in use by another domain");
		else
			fail(err, errlen, path, strerror(errno));
		goto bad;
	}
	if (format < 0)
		format = looks_qcow2(d->fd) ? DISK_FORMAT_QCOW2 : DISK_FORMAT_RAW;
	if (format == DISK_FORMAT_QCOW2) {
		d->qcow2 = qcow2_open(d->fd, d->path, readonly, d->size, depth, err, errlen);
		if (!d->qcow2)
			goto bad;
		d->size = qcow2_size(d->qcow2);
	}
	return d;
bad:
	close(d->fd);
	free(d);
	return NULL;
}

struct disk *disk_open_format(const char *path, enum disk_format format, bool readonly, char *err,
			      size_t errlen)
{
	return open_image(path, (int)format, readonly, 0, err, errlen);
}

struct disk *disk_open(const char *path, bool readonly, char *err, size_t errlen)
{
	return open_image(path, DISK_FORMAT_RAW, readonly, 0, err, errlen);
}

struct disk *disk_open_backing(const char *path, int format, unsigned depth, char *err,
			       size_t errlen)
{
	return open_image(path, format, true, depth, err, errlen);
}

int disk_overlay_prepare(struct disk *d, int fd, const char *name, struct disk_overlay *ov,
			 char *err, size_t errlen)
{
	struct disk probe = {.fd = fd};

	memset(ov, 0, sizeof *ov);
	ov->fd = -1;
	snprintf(probe.path, sizeof probe.path, "%s", name);
	if (check_file(&probe, err, errlen) < 0)
		goto bad;
	if (!looks_qcow2(fd)) {
		fail(err, errlen, name, "not a qcow2 image");
		goto bad;
	}
	if (lock_image(fd, false) < 0) {
		fail(err, errlen, name, "in use by another domain");
		goto bad;
	}
	ov->below = calloc(1, sizeof *ov->below);
	if (!ov->below) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	snprintf(ov->path, sizeof ov->path, "%s", name);
	ov->q = qcow2_open_over(fd, ov->path, probe.size, ov->below, err, errlen);
	if (!ov->q)
		goto bad;
	if (qcow2_size(ov->q) != d->size) {
		fail(err, errlen, name, "the overlay's virtual size is not the disk's");
		ov->q->backing = NULL;
		qcow2_close(ov->q);
		goto bad;
	}
	ov->fd = fd;
	return 0;
bad:
	free(ov->below);
	ov->below = NULL;
	ov->q = NULL;
	close(fd);
	return -1;
}

void disk_overlay_commit(struct disk *d, struct disk_overlay *ov)
{
	struct disk *below = ov->below;

	*below = *d;
	below->readonly = true;
	below->bytes_read = below->bytes_written = 0;
	if (below->qcow2) {
		below->qcow2->path = below->path;
		below->qcow2->readonly = true;
	}
	d->fd = ov->fd;
	d->qcow2 = ov->q;
	snprintf(d->path, sizeof d->path, "%s", ov->path);
	d->qcow2->path = d->path;
	memset(ov, 0, sizeof *ov);
	ov->fd = -1;
}

void disk_overlay_abort(struct disk_overlay *ov)
{
	if (ov->q) {
		ov->q->backing = NULL; /* below was never filled */
		qcow2_close(ov->q);
		free(ov->below);
		close(ov->fd);
	}
	memset(ov, 0, sizeof *ov);
	ov->fd = -1;
}

void disk_close(struct disk *d)
{
	if (!d)
		return;
	qcow2_close(d->qcow2);
	close(d->fd);
	free(d);
}

static bool in_range(const struct disk *d, uint64_t offset, size_t len)
{
	return offset <= d->size && len <= d->size - offset;
}

/* Adds a transfer that succeeded (rc 0) to a counter. Returns rc. */
static int count(uint64_t *counter, int rc, uint64_t len)
{
	if (rc == 0)
		__atomic_fetch_add(counter, len, __ATOMIC_RELAXED);
	return rc;
}

void disk_bytes(const struct disk *d, uint64_t *read, uint64_t *written)
{
	*read = __atomic_load_n(&d->bytes_read, __ATOMIC_RELAXED);
	*written = __atomic_load_n(&d->bytes_written, __ATOMIC_RELAXED);
}

/* How many bytes the n buffers hold. */
static uint64_t iov_bytes(const struct iovec *iov, int n)
{
	uint64_t len = 0;

	for (int i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/* preadv or pwritev until all is done, retrying short transfers. */
static int transfer_v(struct disk *d, uint64_t offset, const struct iovec *iov, int n, bool write)
{
	uint64_t at;

	if (n < 0 || n > IOV_MAX || !in_range(d, offset, iov_bytes(iov, n)) ||
	    (write && d->readonly))
		return -1;
	if (d->qcow2)
		return write ? qcow2_writev(d->qcow2, offset, iov, n)
			     : qcow2_readv(d->qcow2, offset, iov, n);
	if (file_transfer_v(d->fd, iov, n, offset, write, &at) == 0)
		return 0;
	log_warn("%s: %s at %llu: %s", d->path, write ? "write" : "read", (unsigned long long)at,
		 errno == ENODATA && !write ? "unexpected end of file" : strerror(errno));
	return -1;
}

/* One buffer through the vector path, so that a qcow2 image's bytes are
 * counted as a raw one's. */
int disk_read(struct disk *d, uint64_t offset, void *buf, size_t len)
{
	struct iovec v = {.iov_base = buf, .iov_len = len};

	return disk_readv(d, offset, &v, 1);
}

int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t len)
{
	struct iovec v = {.iov_base = (void *)buf, .iov_len = len};

	return disk_writev(d, offset, &v, 1);
}

int disk_flush(struct disk *d)
{
	if (d->readonly)
		return 0;
	if (d->qcow2)
		return qcow2_flush(d->qcow2);
	if (fsync(d->fd) < 0) {
		log_warn("%s: fsync: %s", d->path, strerror(errno));
		return -1;
	}
	return 0;
}

int disk_readv(struct disk *d, uint64_t offset, const struct iovec *iov, int n)
{
	int rc = transfer_v(d, offset, iov, n, false);

	return count(&d->bytes_read, rc, rc == 0 ? iov_bytes(iov, n) : 0);
}

int disk_writev(struct disk *d, uint64_t offset, const struct iovec *iov, int n)
{
	int rc = transfer_v(d, offset, iov, n, true);

	return count(&d->bytes_written, rc, rc == 0 ? iov_bytes(iov, n) : 0);
}

static int punch(struct disk *d, uint64_t offset, uint64_t len)
{
	if (d->readonly || !in_range(d, offset, len))
		return -1;
	if (len == 0)
		return 0;
	return fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
			 (off_t)len);
}

int disk_discard(struct disk *d, uint64_t offset, uint64_t len)
{
	if (d->readonly || !in_range(d, offset, len))
		return -1;
	if (d->qcow2)
		return qcow2_discard(d->qcow2, offset, len, false);
	if (punch(d, offset, len) < 0 && errno != EOPNOTSUPP) {
		log_warn("%s: discard at %llu: %s", d->path, (unsigned long long)offset,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int disk_write_zeroes(struct disk *d, uint64_t offset, uint64_t len)
{
	static const uint8_t zeros[65536];

	if (d->readonly || !in_range(d, offset, len))
		return -1;
	if (d->qcow2)
		return qcow2_discard(d->qcow2, offset, len, true);
	if (punch(d, offset, len) == 0)
		return 0;
	while (len) {
		size_t n = len < sizeof zeros ? (size_t)len : sizeof zeros;

		if (disk_write(d, offset, zeros, n) < 0)
			return -1;
		offset += n;
		len -= n;
	}
	return 0;
}
