/* qcow2 images (versions 2 and 3), our own implementation of the format
 * described in QEMU's docs/interop/qcow2.txt. Used only through disk.h: a
 * disk opened with DISK_FORMAT_QCOW2 forwards its requests here.
 *
 * The image file is untrusted (a user may hand hv any file): the header is
 * checked at open (sizes, offsets, features) and every table entry when it
 * is used; a bad entry fails that request with a logged I/O error. Memory
 * is bounded: the L1 and refcount tables are read whole but each is capped
 * (and must lie inside the file), L2 tables and refcount blocks go through
 * small caches.
 *
 * Every request takes the image's mutex: virtio-blk calls from its worker
 * thread, IDE and the floppy from the vCPU thread.
 *
 * Split in three: qcow2.c (open, header, read path), qcow2_refcount.c
 * (refcounts, cluster allocation, the table caches), qcow2_write.c (write,
 * discard, write-zeroes, and the write ordering they keep). */
#ifndef HV_QCOW2_H
#define HV_QCOW2_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <zlib.h>

#include "hv/core/log.h"

struct disk;

#define QCOW2_MAGIC	   0x514649fbu /* "QFI\xfb" */
#define QCOW2_MAX_CHAIN	   16	       /* backing files below one image */
#define QCOW2_L1_MAX_BYTES (32u << 20)
#define QCOW2_RT_MAX_BYTES (8u << 20)
#define QCOW2_OFFSET_MASK  0x00fffffffffffe00ull /* bits 9-55 */
#define QCOW2_COPIED	   (1ull << 63)
#define QCOW2_COMPRESSED   (1ull << 62)
#define QCOW2_ZERO	   1ull
#define QCOW2_L2_RESERVED  0x3f000000000001feull /* bits 1-8, 56-61 */
#define QCOW2_CACHE_SLOTS  64
#define QCOW2_CACHE_MIN	   8
#define QCOW2_CACHE_BUDGET (8u << 20) /* bytes per cache (at least 8 slots) */
#define QCOW2_QUARANTINE   4096	      /* ranges freed since the last write-back */
#define QCOW2_PEND_MAX	   64	      /* new clusters in one pending write */

/* A small write-through cache of cluster-sized tables (L2 or refcount
 * blocks), least recently used out. */
struct qcow2_cache {
	unsigned slots;
	uint64_t tick;
	struct {
		uint64_t off; /* host offset, 0: empty */
		uint64_t used;
		uint8_t *data;
		bool dirty;    /* changed since written */
		bool unlinked; /* a new L2 table no L1 entry on disk points at yet */
	} s[QCOW2_CACHE_SLOTS];
};

/* What an L2 entry says about a guest cluster. */
enum qcow2_kind { QC_UNALLOC, QC_ZERO, QC_NORMAL, QC_COMPRESSED };

struct qcow2_map {
	enum qcow2_kind kind;
	uint64_t entry; /* the raw L2 entry */
	uint64_t host;	/* QC_NORMAL (and QC_ZERO if allocated): cluster offset;
			 * QC_COMPRESSED: byte offset of the data */
	uint64_t csize; /* QC_COMPRESSED: bytes the data may span */
};

struct qcow2 {
	int fd;
	bool readonly;
	const char *path;
	pthread_mutex_t mu;
	struct log_ratelimit rl; /* every warning about this image */

	uint32_t version;
	uint32_t cluster_bits;
	uint64_t cluster_size;
	uint64_t size;	    /* virtual, bytes */
	uint64_t file_size; /* host file, grows as clusters are allocated */

	uint64_t *l1; /* host byte order */
	uint32_t l1_size;
	uint64_t l1_offset;

	uint64_t *rt;		 /* refcount table, host byte order; may grow */
	uint64_t rt_entries;	 /* a whole number of clusters of entries */
	uint64_t rt_offset;	 /* the table on disk (the header's) */
	uint64_t rt_disk_len;	 /* its bytes */
	uint32_t refcount_order; /* width 1 << order bits */
	uint32_t rb_bits;	 /* log2 of entries per refcount block */
	uint64_t free_hint;	 /* no free cluster below this index */

	struct disk *backing;
	struct disk *backing_given; /* qcow2_open_over's: the backing, not opened by name */

	struct qcow2_cache l2c, rbc;
	z_stream z;
	bool z_ready;
	uint8_t *zbuf;	     /* compressed input, 2 clusters */
	uint8_t *cbuf;	     /* the last decompressed cluster */
	uint64_t cbuf_entry; /* its L2 entry, 0: none */
	uint8_t *tmp;	     /* a cluster being merged by a partial write */

	/* The write-back (qcow2_write.c) in progress or failed half way. */
	bool in_writeback;
	bool meta_dirty;	   /* L1 or refcount table changed in memory */
	uint64_t l1_new;	   /* where the next L1 copy goes, 0: not chosen */
	uint64_t rt_new, rt_new_n; /* the same for the refcount table (clusters) */
	bool rt_old_freed;	   /* the on-disk table's clusters freed in memory */
	struct {
		uint64_t first, n; /* clusters */
	} quar[QCOW2_QUARANTINE];  /* freed in memory, still used on disk: */
	unsigned nquar;		   /* never allocated before the switch */

	/* Guest data of the request being written that goes to the file as
	 * is, in one pwritev (qcow2_write.c): len bytes from byte pos of
	 * iov, to host offset host. nnew of those clusters are newly
	 * allocated: their L2 entries are already set in memory, the old
	 * ones (old) freed once the data is written, put back if it
	 * fails. Written before any write-back, and before the request
	 * returns. */
	struct {
		const struct iovec *iov;
		int n;
		size_t pos;
		uint64_t host, len;
		unsigned nnew;
		struct qcow2_pend_cluster {
			uint64_t vc, old, host;
		} c[QCOW2_PEND_MAX];
	} pend;
	uint64_t host_writes; /* write calls to the file (for tests) */
};

/* qcow2.c */
/* Opens the qcow2 image on fd (already opened, locked and sized by disk.c:
 * file_size is its length) and its backing chain, depth images deep below
 * the domain's own. Returns NULL with err set. */
struct qcow2 *qcow2_open(int fd, const char *path, bool readonly, uint64_t file_size,
			 unsigned depth, char *err, size_t errlen);
/* Opens, read-write, an overlay whose backing file is the open disk
 * backing (which it owns from then on, closing it with itself); the name
 * in the overlay's header is not opened. Fails (not owning backing) on an
 * image without a backing file. */
struct qcow2 *qcow2_open_over(int fd, const char *path, uint64_t file_size, struct disk *backing,
			      char *err, size_t errlen);
void qcow2_close(struct qcow2 *q);
/* qcow2_create.c: writes a new empty version 3 image of virtual size size
 * into the empty file fd (which it fsyncs), backed by the file named
 * backing (at most 1000 bytes) of format backing_fmt ("raw" or "qcow2").
 * Returns 0 or -1 with err set. */
int qcow2_create_overlay(int fd, uint64_t size, const char *backing, const char *backing_fmt,
			 char *err, size_t errlen);
uint64_t qcow2_size(const struct qcow2 *q);
int qcow2_readv(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n);
int qcow2_writev(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n);
int qcow2_discard(struct qcow2 *q, uint64_t off, uint64_t len, bool zeroes);
int qcow2_flush(struct qcow2 *q);

/* Internals shared by the three files (mutex held, but for
 * qcow2_each_chunk, which takes it). */
int qcow2_lookup(struct qcow2 *q, uint64_t vcluster, struct qcow2_map *m);
int qcow2_decode(struct qcow2 *q, uint64_t entry, struct qcow2_map *m);
int qcow2_read_cluster(struct qcow2 *q, uint64_t vcluster, const struct qcow2_map *m, uint8_t *buf);
bool qcow2_overlaps_meta(const struct qcow2 *q, uint64_t off, uint64_t len);
int qcow2_pread(struct qcow2 *q, void *buf, size_t len, uint64_t off);
int qcow2_pwrite(struct qcow2 *q, const void *buf, size_t len, uint64_t off);
/* Writes len bytes from byte pos of the vector (n entries, at most
 * IOV_MAX) at off, in one pwritev unless the kernel writes less. */
int qcow2_pwritev(struct qcow2 *q, const struct iovec *iov, int n, size_t pos, size_t len,
		  uint64_t off);
int qcow2_sync(struct qcow2 *q);
void qcow2_iov_to_buf(const struct iovec *iov, int n, size_t pos, uint8_t *buf, size_t len);
/* The part of a request that stays within one cluster: len bytes at off,
 * from byte pos of the vector. */
typedef int qcow2_chunk_fn(struct qcow2 *q, uint64_t off, uint64_t len, const struct iovec *iov,
			   int n, size_t pos);
/* Takes the mutex and runs fn on the request at off, cluster by cluster,
 * until one fails (-1) or all is done (0). */
int qcow2_each_chunk(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n,
		     qcow2_chunk_fn *fn);
/* The same with the mutex already held. */
int qcow2_chunks(struct qcow2 *q, uint64_t off, const struct iovec *iov, int n, qcow2_chunk_fn *fn);

/* qcow2_refcount.c */
void qcow2_cache_init(struct qcow2_cache *c, uint64_t cluster_size);
void qcow2_cache_free(struct qcow2_cache *c);
/* The table at host offset off (cluster aligned, checked), read if absent;
 * fresh=true installs a zeroed one without reading. NULL on error. */
uint8_t *qcow2_cache_get(struct qcow2 *q, struct qcow2_cache *c, uint64_t off, bool fresh);
/* Marks the cached table at off changed (unlinked: a new table that
 * nothing on disk points at, written in place). */
void qcow2_cache_dirty(struct qcow2_cache *c, uint64_t off, bool unlinked);
/* Writes the changed tables back in the order of qcow2_write.c; with
 * sync, ends with the file durable. */
int qcow2_writeback(struct qcow2 *q);
int qcow2_refcount(struct qcow2 *q, uint64_t cluster, uint64_t *val);
/* Adds delta (+1 or -1) to the refcount of every cluster in the byte range
 * [off, off + len). Clusters falling to 0 are quarantined until the next
 * write-back has switched the image over. */
int qcow2_refcount_add(struct qcow2 *q, uint64_t off, uint64_t len, int delta);
/* n free clusters in a row, now with refcount 1 (in the cache). Returns
 * the byte offset of the first, or 0 on error. */
uint64_t qcow2_alloc_run(struct qcow2 *q, uint64_t n);
uint64_t qcow2_alloc_cluster(struct qcow2 *q);
/* The number of changed tables in c. */
unsigned qcow2_cache_dirty_count(const struct qcow2_cache *c);
/* Frees what an L2 entry points at (a data cluster or compressed data). */
int qcow2_free_entry(struct qcow2 *q, uint64_t entry);

#endif
