/* A disk image on the host: a raw file or a qcow2 image (hv/block/qcow2.h)
 * opened read-write or read-only,
 * locked so that two domains never write one image (an exclusive OFD lock
 * for read-write, a shared one for read-only, so readers may share). Device
 * models (IDE, and later the floppy controller) read and write it through
 * here and never see the file descriptor.
 *
 * Every error message names the file. */
#ifndef HV_DISK_H
#define HV_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum disk_format { DISK_FORMAT_RAW, DISK_FORMAT_QCOW2 };

struct qcow2;

struct disk {
	int fd;
	bool readonly;
	uint64_t size;	     /* bytes the guest sees, fixed while open */
	struct qcow2 *qcow2; /* NULL for a raw image */
	char path[4096];
	/* Bytes the guest's devices read and wrote through here (`hv top`'s
	 * DSK rates); updated with relaxed atomics from any thread, read with
	 * disk_bytes. */
	uint64_t bytes_read, bytes_written;
};

/* Opens and locks the image at path. readonly opens it O_RDONLY with a
 * shared lock; otherwise O_RDWR with an exclusive one. Returns NULL with a
 * message in err ("PATH: No such file or directory", "PATH: in use by
 * another domain"). */
struct disk *disk_open(const char *path, bool readonly, char *err, size_t errlen);

/* disk_open for an image of the given format. A qcow2 image's backing
 * files are opened read-only with it (a chain at most 16 deep), their
 * paths relative to the image that names them. */
struct disk *disk_open_format(const char *path, enum disk_format format, bool readonly, char *err,
			      size_t errlen);

/* For qcow2.c: opens a backing file read-only, depth images below the
 * domain's disk; format -1 looks at the file (a qcow2 magic, else raw). */
struct disk *disk_open_backing(const char *path, int format, unsigned depth, char *err,
			       size_t errlen);

/* A raw image from an open descriptor (one the client opened and passed:
 * hv cd-insert), which it takes in every case; name is for messages.
 * Checked and locked as disk_open does. */
struct disk *disk_open_fd(int fd, const char *name, bool readonly, char *err, size_t errlen);

/* A snapshot's overlay, opened but not yet in use (disk_overlay_prepare):
 * a qcow2 image whose backing is to be the disk's current image. */
struct disk_overlay {
	int fd;
	struct qcow2 *q;
	struct disk *below; /* the current image's new home, filled by commit */
	char path[4096];
};

/* Opens, checks and locks the qcow2 overlay on fd (taking fd in every
 * case; name for messages) for the disk d, which it must match in virtual
 * size; d keeps working on its image meanwhile. Returns 0, or -1 with err
 * set. */
int disk_overlay_prepare(struct disk *d, int fd, const char *name, struct disk_overlay *ov,
			 char *err, size_t errlen);

/* Switches d, in place (the devices keep their pointer), to the prepared
 * overlay, its image becoming the overlay's read-only backing. The caller
 * has flushed d (disk_flush) and keeps every device off d meanwhile (the
 * vCPU held, the block devices drained). Cannot fail. */
void disk_overlay_commit(struct disk *d, struct disk_overlay *ov);

/* Closes a prepared overlay that was not committed. */
void disk_overlay_abort(struct disk_overlay *ov);

/* Closes the file (dropping the lock). NULL is ignored. */
void disk_close(struct disk *d);

/* Reads len bytes at offset. The range must lie inside the image. Returns
 * 0, or -1 (out of range or an I/O error, logged). */
int disk_read(struct disk *d, uint64_t offset, void *buf, size_t len);

/* Writes len bytes at offset; refuses a read-only disk and any range not
 * wholly inside the image (a raw image never grows; a qcow2 image's file
 * grows as clusters are allocated, its virtual size does not). Returns 0
 * or -1. */
int disk_write(struct disk *d, uint64_t offset, const void *buf, size_t len);

/* The bytes read and written so far (any thread). */
void disk_bytes(const struct disk *d, uint64_t *read, uint64_t *written);

/* Makes written data (and a qcow2 image's metadata) durable (fsync).
 * Returns 0 or -1. */
int disk_flush(struct disk *d);

/* Scatter-gather forms of disk_read and disk_write: the n buffers of iov
 * (at most IOV_MAX) in order from offset, with the same range rules.
 * Returns 0 or -1. */
int disk_readv(struct disk *d, uint64_t offset, const struct iovec *iov, int n);
int disk_writev(struct disk *d, uint64_t offset, const struct iovec *iov, int n);

/* Deallocates [offset, offset+len) of the image (a hole reads as zeros)
 * where the file system can; elsewhere nothing happens, which a discard
 * allows. Refuses a read-only disk and a range outside the image.
 * Returns 0 or -1. */
int disk_discard(struct disk *d, uint64_t offset, uint64_t len);

/* Makes [offset, offset+len) read as zeros: a hole where the file system
 * can punch one, written zeros elsewhere. Same refusals. Returns 0 or -1. */
int disk_write_zeroes(struct disk *d, uint64_t offset, uint64_t len);

#endif
