/* Files hv creates and a guest can make grow (the domain log, console
 * logs, serial = "file:"): opened without following a symbolic link, only
 * as a regular file, with an explicit mode, and kept under a size cap. A
 * file that reaches its cap is either rotated (renamed to PATH.1, replacing
 * the previous one, and started afresh) or stops growing, its further
 * bytes counted as dropped. Either way a guest can use at most twice the
 * cap of the host's disk per file. */
#ifndef HV_CAPFILE_H
#define HV_CAPFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CAPFILE_MODE 0640

struct capfile {
	int fd;	     /* -1 when closed or lost */
	bool in_dir; /* opened relative to dirfd (capfile_open_at's, duplicated) */
	int dirfd;
	char path[PATH_MAX];
	uint64_t size;	  /* bytes in the current file */
	uint64_t max;	  /* cap in bytes; 0: no cap */
	bool rotate;	  /* at the cap: rotate (true) or drop (false) */
	uint64_t dropped; /* bytes not written because of the cap */
	uint64_t rotations;
};

/* Creates the file at path (or appends to it, unless truncate) with mode
 * CAPFILE_MODE, refusing a symbolic link, a FIFO, a device or anything but
 * a regular file. Returns 0 or -1 with err set as "PATH: reason". */
int capfile_open(struct capfile *f, const char *path, uint64_t max, bool truncate, bool rotate,
		 char *err, size_t errlen);

/* The same for a file in a directory already opened (and checked) as
 * dirfd: path's last component is opened (and rotated) relative to it,
 * so a directory swapped for another after the check cannot redirect the
 * file; path names it in messages. dirfd -1: path as capfile_open. */
int capfile_open_at(struct capfile *f, int dirfd, const char *path, uint64_t max, bool truncate,
		    bool rotate, char *err, size_t errlen);

/* Writes all of buf, rotating or dropping at the cap; a write error drops
 * the bytes (a full disk loses log bytes, never the guest). */
void capfile_write(struct capfile *f, const void *buf, size_t len);

void capfile_close(struct capfile *f);

/* Opens path for a file hv creates: O_NOFOLLOW, O_CLOEXEC, mode, and
 * refuses anything but a regular file without blocking on a FIFO.
 * flags adds O_APPEND, O_TRUNC or O_EXCL to O_WRONLY|O_CREAT. Returns the
 * descriptor or -1 with err set. */
int capfile_create(const char *path, int flags, mode_t mode, char *err, size_t errlen);

/* capfile_create of path's last component in directory dirfd (-1: path
 * as it is). */
int capfile_create_at(int dirfd, const char *path, int flags, mode_t mode, char *err,
		      size_t errlen);

#endif
