#include "hv/core/capfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What openat takes for path in dirfd: its last component, or all of it
 * without a directory. */
static const char *leaf(int dirfd, const char *path)
{
	const char *slash = dirfd >= 0 ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

int capfile_create_at(int dirfd, const char *path, int flags, mode_t mode, char *err, size_t errlen)
{
	struct stat st;
	/* O_NONBLOCK so that a FIFO planted at path cannot hang hv in open. */
	int fd = openat(dirfd >= 0 ? dirfd : AT_FDCWD, leaf(dirfd, path),
			O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | flags, mode);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 errno == ELOOP ? "is a symbolic link (refused)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (refused)", path);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int capfile_create(const char *path, int flags, mode_t mode, char *err, size_t errlen)
{
	return capfile_create_at(-1, path, flags, mode, err, errlen);
}

static int reopen(struct capfile *f, bool truncate, char *err, size_t errlen)
{
	struct stat st;

	f->fd = capfile_create_at(f->in_dir ? f->dirfd : -1, f->path,
				  O_APPEND | (truncate ? O_TRUNC : 0), CAPFILE_MODE, err, errlen);
	if (f->fd < 0)
		return -1;
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int capfile_open_at(struct capfile *f, int dirfd, const char *path, uint64_t max, bool truncate,
		    bool rotate, char *err, size_t errlen)
{
	*f = (struct capfile){.fd = -1, .max = max, .rotate = rotate};
	if (snprintf(f->path, sizeof f->path, "%s", path) >= (int)sizeof f->path) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (dirfd >= 0) {
		f->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
		if (f->dirfd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		f->in_dir = true;
	}
	if (reopen(f, truncate, err, errlen) < 0) {
		capfile_close(f);
		return -1;
	}
	return 0;
}

int capfile_open(struct capfile *f, const char *path, uint64_t max, bool truncate, bool rotate,
		 char *err, size_t errlen)
{
	return capfile_open_at(f, -1, path, max, truncate, rotate, err, errlen);
}

/* PATH becomes PATH.1 and a new PATH starts empty. */
static void rotate_now(struct capfile *f)
{
	char old[PATH_MAX + 2], err[64];
	const char *name = leaf(f->in_dir ? f->dirfd : -1, f->path);
	int at = f->in_dir ? f->dirfd : AT_FDCWD;

	close(f->fd);
	f->fd = -1;
	if (snprintf(old, sizeof old, "%s.1", name) >= (int)sizeof old ||
	    renameat(at, name, at, old) < 0)
		return;
	if (reopen(f, true, err, sizeof err) == 0)
		f->rotations++;
}

static void write_all(struct capfile *f, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			f->dropped += len;
			return;
		}
		p += n;
		len -= (size_t)n;
		f->size += (uint64_t)n;
	}
}

void capfile_write(struct capfile *f, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		size_t room, n;

		if (f->fd < 0) {
			f->dropped += len;
			return;
		}
		if (!f->max) {
			write_all(f, p, len);
			return;
		}
		room = f->size < f->max ? (size_t)(f->max - f->size) : 0;
		if (room == 0) {
			if (!f->rotate) {
				f->dropped += len;
				return;
			}
			rotate_now(f);
			continue;
		}
		n = len < room ? len : room;
		write_all(f, p, n);
		p += n;
		len -= n;
	}
}

void capfile_close(struct capfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->in_dir)
		close(f->dirfd);
	f->fd = -1;
	f->in_dir = false;
}
