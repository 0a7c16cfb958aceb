/* Reading a whole host file (firmware, kernels, option ROMs) with errors
 * that name what it is and where; writing a whole buffer. */
#ifndef HV_FILE_H
#define HV_FILE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* Reads the regular file at path, at most max bytes, into a buffer the
 * caller frees, and its length into *size. Returns NULL with err set as
 * "<what> <path>: <reason>". */
uint8_t *file_read(const char *what, const char *path, size_t max, size_t *size, char *err,
		   size_t errlen);

/* Writes all len bytes of buf at offset off (pwrite), retrying EINTR and
 * short writes. Returns 0, or -1 with errno set (ENOSPC when a write made
 * no progress) and *failed_at (when not NULL) the offset that failed. */
int file_pwrite_all(int fd, const void *buf, size_t len, uint64_t off, uint64_t *failed_at);

/* The same at the descriptor's position (write): pipes, sockets, terminals. */
int file_write_all(int fd, const void *buf, size_t len);

/* Writes (pwritev) or reads (preadv) all the bytes of the n buffers
 * (n <= IOV_MAX) at offset off, retrying EINTR and short transfers.
 * Returns 0, or -1 with errno set (ENOSPC when a write made no progress,
 * ENODATA when a read met the end of the file, EINVAL for a bad n) and
 * *failed_at (when not NULL) the offset that failed. */
int file_transfer_v(int fd, const struct iovec *iov, int n, uint64_t off, bool write,
		    uint64_t *failed_at);

#endif
