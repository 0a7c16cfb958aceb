#include "hv/virtio/virtio_blk.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/block/disk.h"
#include "hv/core/clock.h"
#include "hv/core/le.h"
#include "hv/core/log.h"
#include "hv/core/state.h"

#define HEADER_BYTES  16
#define RANGE_BYTES   16 /* discard / write-zeroes segment: sector, count, flags */
#define RANGES_MAX    32
#define RANGE_SECTORS 0x400000u /* 2 GiB per discard or write-zeroes range */
#define DISCARD_ALIGN 8		/* sectors: 4 KiB, the host's block */

/* One request from its chain to its completion. */
struct blk_req {
	struct blk_req *next;
	uint64_t epoch; /* the device's epoch when it was taken */
	uint32_t type;
	uint64_t sector;
	uint8_t *status;  /* the chain's last writable byte */
	uint32_t written; /* bytes written into the chain, for the used ring */
	uint64_t bytes;	  /* data moved, for the counters */
	int64_t t_taken;  /* host_now_ns() when popped from the ring */
	int64_t t_start;  /* ... when the disk began on it */
	int64_t t_served; /* ... when the disk was done */
	struct virtq_chain chain;
};

struct virtio_blk {
	struct virtio_pci vp;
	struct machine *m;
	struct disk *disk;
	char serial[VIRTIO_BLK_ID_BYTES];

	/* The worker's queue, under mu. */
	pthread_t worker;
	bool worker_started;
	pthread_mutex_t mu;
	pthread_cond_t work; /* a request arrived, or stop */
	pthread_cond_t idle; /* busy dropped, or pending reached 0 */
	struct blk_req *head, *tail;
	/* Served, waiting for the domain lock to go back to the driver. */
	struct blk_req *done;
	unsigned pending; /* taken and not yet completed or dropped */
	bool busy;	  /* the worker is moving data for a request */
	bool stop;
	/* Bumped by a reset (under mu and the domain lock): requests of an
	 * older epoch are not completed. */
	uint64_t epoch;

	/* Counters, under the domain lock. */
	uint64_t reads, writes, flushes, discards, errors;
	uint64_t bytes_read, bytes_written;
	/* Host time requests spent, in ns, summed (not saved): queued for
	 * the worker, in the disk, and served until back in the used ring. */
	uint64_t ns_queued, ns_disk, ns_completing;
};

/* ---- Requests, on the worker ----------------------------------------- */

/* The iovecs for bytes [skip, skip+len) of segments [first, first+n). */
static int slice(const struct virtq_chain *c, unsigned first, unsigned n, uint64_t skip,
		 uint64_t len, struct iovec *out)
{
	int k = 0;

	for (unsigned i = first; i < first + n && len; i++) {
		uint64_t seg = c->seg[i].iov_len, take;

		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		take = seg - skip < len ? seg - skip : len;
		out[k++] = (struct iovec){.iov_base = (uint8_t *)c->seg[i].iov_base + skip,
					  .iov_len = (size_t)take};
		len -= take;
		skip = 0;
	}
	return k;
}

/* Whether len bytes from sector lie inside the image. */
static bool in_image(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
	uint64_t size = b->disk->size;

	return sector <= size / VIRTIO_BLK_SECTOR && len <= size - sector * VIRTIO_BLK_SECTOR;
}

static uint8_t do_rw(struct virtio_blk *b, struct blk_req *r)
{
	struct iovec iov[VIRTQ_SEGS_MAX] = {{0}};
	const struct virtq_chain *c = &r->chain;
	bool in = r->type == VIRTIO_BLK_T_IN;
	uint64_t len = in ? c->write_len - 1 : c->read_len - HEADER_BYTES;
	int n;

	if (len % VIRTIO_BLK_SECTOR || !in_image(b, r->sector, len)) {
		log_guest("virtio %s: %s of %llu bytes at sector %llu refused", b->vp.name,
			  in ? "read" : "write", (unsigned long long)len,
			  (unsigned long long)r->sector);
		return VIRTIO_BLK_S_IOERR;
	}
	if (!in && b->disk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (in)
		n = slice(c, c->nread, c->nwrite, 0, len, iov);
	else
		n = slice(c, 0, c->nread, HEADER_BYTES, len, iov);
	if ((in ? disk_readv : disk_writev)(b->disk, r->sector * VIRTIO_BLK_SECTOR, iov, n) < 0)
		return VIRTIO_BLK_S_IOERR;
	r->bytes = len;
	if (in)
		r->written += (uint32_t)len;
	return VIRTIO_BLK_S_OK;
}

/* Discard and write-zeroes: the ranges that follow the header. */
static uint8_t do_ranges(struct virtio_blk *b, struct blk_req *r)
{
	uint64_t len = r->chain.read_len - HEADER_BYTES;

	if (b->disk->readonly || len == 0 || len % RANGE_BYTES || len / RANGE_BYTES > RANGES_MAX)
		return VIRTIO_BLK_S_IOERR;
	for (uint64_t off = HEADER_BYTES; off < r->chain.read_len; off += RANGE_BYTES) {
		uint8_t range[RANGE_BYTES];
		uint64_t sector, bytes;
		uint32_t count;

		virtq_chain_read(&r->chain, off, range, sizeof range);
		sector = le_get32(range) | (uint64_t)le_get32(range + 4) << 32;
		count = le_get32(range + 8);
		bytes = (uint64_t)count * VIRTIO_BLK_SECTOR;
		if (count > RANGE_SECTORS || !in_image(b, sector, bytes))
			return VIRTIO_BLK_S_IOERR;
		if ((r->type == VIRTIO_BLK_T_DISCARD ? disk_discard : disk_write_zeroes)(
			b->disk, sector * VIRTIO_BLK_SECTOR, bytes) < 0)
			return VIRTIO_BLK_S_IOERR;
		r->bytes += bytes;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t serve(struct virtio_blk *b, struct blk_req *r)
{
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: return do_rw(b, r);
	case VIRTIO_BLK_T_FLUSH: return disk_flush(b->disk) < 0 ? VIRTIO_BLK_S_IOERR : 0;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES: return do_ranges(b, r);
	default: return VIRTIO_BLK_S_UNSUPP;
	}
}

static void count(struct virtio_blk *b, const struct blk_req *r)
{
	if (*r->status != VIRTIO_BLK_S_OK)
		b->errors++;
	else if (r->type == VIRTIO_BLK_T_IN) {
		b->reads++;
		b->bytes_read += r->bytes;
	} else if (r->type == VIRTIO_BLK_T_OUT) {
		b->writes++;
		b->bytes_written += r->bytes;
	} else if (r->type == VIRTIO_BLK_T_FLUSH)
		b->flushes++;
	else
		b->discards++;
}

/* Back to the driver, with the domain lock held. */
static void finish_locked(struct virtio_blk *b, struct blk_req *r)
{
	struct machine *m = b->m;

	count(b, r);
	if (r->t_served) {
		b->ns_queued += (uint64_t)(r->t_start - r->t_taken);
		b->ns_disk += (uint64_t)(r->t_served - r->t_start);
		b->ns_completing += (uint64_t)(host_now_ns() - r->t_served);
	}
	if (virtio_pci_push(&b->vp, 0, &r->chain, r->written))
		machine_irq_kick(m);
}

/* Returns the served requests to the driver (those of the current epoch)
 * and frees them, with the domain lock held. */
static void complete_done_locked(struct virtio_blk *b)
{
	struct blk_req *r, *oldest = NULL;
	unsigned n = 0;

	pthread_mutex_lock(&b->mu);
	r = b->done;
	b->done = NULL;
	pthread_mutex_unlock(&b->mu);
	/* Oldest first: the list was built newest first. */
	while (r) {
		struct blk_req *next = r->next;

		r->next = oldest;
		oldest = r;
		r = next;
	}
	for (r = oldest; r; n++) {
		struct blk_req *next = r->next;

		if (r->epoch == b->epoch)
			finish_locked(b, r);
		free(r);
		r = next;
	}
	if (!n)
		return;
	pthread_mutex_lock(&b->mu);
	b->pending -= n;
	pthread_cond_broadcast(&b->idle);
	pthread_mutex_unlock(&b->mu);
}

/* Serves the request at the head of the queue (there is one, and nothing
 * else is serving) onto the done list: by the worker, or by a save
 * draining the device. Called and returns with mu held, which is dropped
 * while the disk works. */
static void serve_head(struct virtio_blk *b)
{
	struct blk_req *r = b->head;

	b->head = r->next;
	if (!b->head)
		b->tail = NULL;
	b->busy = true;
	pthread_mutex_unlock(&b->mu);
	r->t_start = host_now_ns();
	*r->status = serve(b, r);
	r->t_served = host_now_ns();
	pthread_mutex_lock(&b->mu);
	b->busy = false;
	r->next = b->done;
	b->done = r;
	pthread_cond_broadcast(&b->idle);
}

static void *worker_main(void *arg)
{
	struct virtio_blk *b = arg;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		/* busy without this thread: a save serving requests itself. */
		while ((!b->head || b->busy) && !b->stop)
			pthread_cond_wait(&b->work, &b->mu);
		if (b->stop)
			break;
		serve_head(b);
		pthread_mutex_unlock(&b->mu);
		/* Whoever holds the domain lock first completes it: this
		 * thread, or a save draining the device. */
		machine_lock_host(b->m);
		complete_done_locked(b);
		machine_unlock_host(b->m);
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* ---- Taking requests, on the vCPU thread (domain lock held) ----------- */

/* Reads the header and finds the status byte. Returns false when the
 * chain cannot be a request (then it is returned at once). */
static bool parse(struct virtio_blk *b, struct blk_req *r)
{
	const struct virtq_chain *c = &r->chain;
	const struct iovec *last;
	uint8_t hdr[HEADER_BYTES];

	r->written = 0;
	r->bytes = 0;
	r->status = NULL;
	r->t_taken = host_now_ns();
	r->t_start = r->t_served = 0;
	if (c->nwrite == 0) {
		log_guest("virtio %s: request without a status byte", b->vp.name);
		return false;
	}
	last = &c->seg[c->nread + c->nwrite - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	r->written = 1;
	if (virtq_chain_read(c, 0, hdr, sizeof hdr) < sizeof hdr) {
		log_guest("virtio %s: request header shorter than 16 bytes", b->vp.name);
		*r->status = VIRTIO_BLK_S_IOERR;
		return false;
	}
	r->type = le_get32(hdr);
	r->sector = le_get32(hdr + 8) | (uint64_t)le_get32(hdr + 12) << 32;
	return true;
}

/* GET_ID and unknown types need no disk: answered at once. */
static bool answer_now(struct virtio_blk *b, struct blk_req *r)
{
	if (r->type == VIRTIO_BLK_T_GET_ID) {
		uint64_t room = r->chain.write_len - 1;
		size_t n = room < VIRTIO_BLK_ID_BYTES ? (size_t)room : VIRTIO_BLK_ID_BYTES;

		r->written += (uint32_t)virtq_chain_write(&r->chain, 0, b->serial, n);
		*r->status = VIRTIO_BLK_S_OK;
		return true;
	}
	if (r->type != VIRTIO_BLK_T_IN && r->type != VIRTIO_BLK_T_OUT &&
	    r->type != VIRTIO_BLK_T_FLUSH && r->type != VIRTIO_BLK_T_DISCARD &&
	    r->type != VIRTIO_BLK_T_WRITE_ZEROES) {
		*r->status = VIRTIO_BLK_S_UNSUPP;
		return true;
	}
	return false;
}

/* The worker starts with the first request, on the thread that takes it,
 * so it begins inside the domain's sandbox: no-new-privileges, dropped
 * capabilities and Landlock belong to a thread and pass only to the
 * threads it starts. With mu held; false when it cannot start. */
static bool start_worker(struct virtio_blk *b)
{
	int rc;

	if (b->worker_started)
		return true;
	rc = pthread_create(&b->worker, NULL, worker_main, b);
	if (rc != 0) {
		log_error("virtio %s: cannot start its worker: %s", b->vp.name, strerror(rc));
		return false;
	}
	b->worker_started = true;
	return true;
}

/* Hands r to the worker; false (r untouched) when there is none. */
static bool enqueue(struct virtio_blk *b, struct blk_req *r)
{
	pthread_mutex_lock(&b->mu);
	if (!start_worker(b)) {
		pthread_mutex_unlock(&b->mu);
		return false;
	}
	r->epoch = b->epoch;
	r->next = NULL;
	if (b->tail)
		b->tail->next = r;
	else
		b->head = r;
	b->tail = r;
	b->pending++;
	pthread_cond_signal(&b->work);
	pthread_mutex_unlock(&b->mu);
	return true;
}

static void blk_notify(void *opaque, unsigned queue)
{
	struct virtio_blk *b = opaque;

	for (;;) {
		struct blk_req *r = malloc(sizeof *r);

		if (!r) {
			log_error("virtio %s: out of memory for a request", b->vp.name);
			return; /* the chains stay available for the next notify */
		}
		if (virtio_pci_pop(&b->vp, queue, &r->chain) <= 0) {
			free(r);
			return;
		}
		if (!parse(b, r) || answer_now(b, r)) {
			if (r->status)
				finish_locked(b, r);
			else
				virtio_pci_push(&b->vp, queue, &r->chain, 0);
			free(r);
			continue;
		}
		if (!enqueue(b, r)) {
			*r->status = VIRTIO_BLK_S_IOERR;
			finish_locked(b, r);
			free(r);
		}
	}
}

/* Device reset: queued requests are dropped, and one the worker is moving
 * data for is waited for, so nothing touches guest RAM afterwards. */
static void blk_reset(void *opaque)
{
	struct virtio_blk *b = opaque;

	pthread_mutex_lock(&b->mu);
	while (b->head) {
		struct blk_req *r = b->head;

		b->head = r->next;
		free(r);
		b->pending--;
	}
	b->tail = NULL;
	b->epoch++;
	while (b->busy)
		pthread_cond_wait(&b->idle, &b->mu);
	pthread_cond_broadcast(&b->idle);
	pthread_mutex_unlock(&b->mu);
}

static void put32(uint8_t *cfg, unsigned off, uint32_t v)
{
	le_put32(cfg + off, v);
}

static void blk_config_read(void *opaque, unsigned offset, void *buf, unsigned len)
{
	struct virtio_blk *b = opaque;
	uint8_t cfg[VIRTIO_BLK_CONFIG_SIZE] = {0};

	le_put64(cfg + 0x00, b->disk->size / VIRTIO_BLK_SECTOR); /* capacity */
	put32(cfg, 0x08, VIRTIO_BLK_SIZE_MAX);
	put32(cfg, 0x0C, VIRTIO_BLK_SEG_MAX);
	put32(cfg, 0x14, VIRTIO_BLK_SECTOR); /* blk_size */
	put32(cfg, 0x24, RANGE_SECTORS);     /* max_discard_sectors */
	put32(cfg, 0x28, RANGES_MAX);	     /* max_discard_seg */
	put32(cfg, 0x2C, DISCARD_ALIGN);     /* discard_sector_alignment */
	put32(cfg, 0x30, RANGE_SECTORS);     /* max_write_zeroes_sectors */
	put32(cfg, 0x34, RANGES_MAX);	     /* max_write_zeroes_seg */
	cfg[0x38] = 1;			     /* write_zeroes_may_unmap */
	memcpy(buf, cfg + offset, len);
}

#define BLK_FEATURES                                                                               \
	(1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_FLUSH)
#define BLK_RW_FEATURES (1ull << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_BLK_F_WRITE_ZEROES)

/* The two differ only in the features offered: a read-only image offers RO
 * instead of discard and write-zeroes. */
#define BLK_OPS(feat)                                                                              \
	{                                                                                          \
		.type = VIRTIO_ID_BLOCK, .class_base = 0x01, .class_sub = 0x80,                    \
		.features = (feat), .num_queues = 1, .queue_max = VIRTIO_BLK_QUEUE_SIZE,           \
		.config_size = VIRTIO_BLK_CONFIG_SIZE, .config_read = blk_config_read,             \
		.notify = blk_notify, .reset = blk_reset,                                          \
	}

/* PCI class 01h/80h: mass storage, other. */
static const struct virtio_dev_ops blk_ops_rw = BLK_OPS(BLK_FEATURES | BLK_RW_FEATURES);
static const struct virtio_dev_ops blk_ops_ro = BLK_OPS(BLK_FEATURES | 1ull << VIRTIO_BLK_F_RO);

struct virtio_blk *virtio_blk_create(struct machine *m, struct disk *disk, const char *serial,
				     struct irq_line irq, const char *name, char *err,
				     size_t errlen)
{
	struct virtio_blk *b = calloc(1, sizeof *b);

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->m = m;
	b->disk = disk;
	if (serial)
		memcpy(b->serial, serial, strnlen(serial, sizeof b->serial));
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->idle, NULL);
	virtio_pci_init(&b->vp, &m->mem, disk->readonly ? &blk_ops_ro : &blk_ops_rw, b, irq, name);
	return b;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	if (b->worker_started) {
		pthread_mutex_lock(&b->mu);
		b->stop = true;
		pthread_cond_signal(&b->work);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->worker, NULL);
	}
	while (b->head) {
		struct blk_req *r = b->head;

		b->head = r->next;
		free(r);
	}
	while (b->done) {
		struct blk_req *r = b->done;

		b->done = r->next;
		free(r);
	}
	virtio_pci_destroy(&b->vp);
	pthread_cond_destroy(&b->idle);
	pthread_cond_destroy(&b->work);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

struct pci_device *virtio_blk_pci(struct virtio_blk *b)
{
	return &b->vp.pci;
}

struct virtio_pci *virtio_blk_transport(struct virtio_blk *b)
{
	return &b->vp;
}

void virtio_blk_wait_idle(struct virtio_blk *b)
{
	pthread_mutex_lock(&b->mu);
	while (b->pending)
		pthread_cond_wait(&b->idle, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

static void device_reset(void *dev)
{
	struct virtio_blk *b = dev;

	virtio_pci_machine_reset(&b->vp);
}

static void device_describe(const void *dev, char *buf, size_t len)
{
	const struct virtio_blk *b = dev;
	size_t n;

	virtio_pci_describe(&b->vp, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n,
		 " reads=%llu writes=%llu flushes=%llu discards=%llu errors=%llu "
		 "bytes_read=%llu bytes_written=%llu queued_ms=%.1f disk_ms=%.1f "
		 "completing_ms=%.1f",
		 (unsigned long long)b->reads, (unsigned long long)b->writes,
		 (unsigned long long)b->flushes, (unsigned long long)b->discards,
		 (unsigned long long)b->errors, (unsigned long long)b->bytes_read,
		 (unsigned long long)b->bytes_written, (double)b->ns_queued / 1e6,
		 (double)b->ns_disk / 1e6, (double)b->ns_completing / 1e6);
}

/* Every request taken is served and back in the used ring when this
 * returns, with the domain lock held (the worker's own completion then
 * finds nothing to do). */
static void drain_locked(struct virtio_blk *b)
{
	pthread_mutex_lock(&b->mu);
	for (;;) {
		/* The worker may be serving one; it then waits for the
		 * domain lock, so the rest are served here, one at a time. */
		while (b->busy)
			pthread_cond_wait(&b->idle, &b->mu);
		if (!b->head)
			break;
		serve_head(b);
	}
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->mu);
	complete_done_locked(b);
}

/* Save/restore, version 2 (1: the transport without MSI-X): the transport (virtio_pci_save) and the
 * counters; the image, its serial and read-only flag are the
 * configuration's. Saving first completes the requests in flight, so the
 * state never holds a request half done: the driver sees them complete
 * before the save, as a fast disk would have. */
static void device_save(const void *dev, struct state_out *o)
{
	struct virtio_blk *b = (struct virtio_blk *)(uintptr_t)dev;
	const uint64_t c[] = {b->reads,	 b->writes,	b->flushes,	 b->discards,
			      b->errors, b->bytes_read, b->bytes_written};

	drain_locked(b);
	virtio_pci_save(&b->vp, o);
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		state_put_u64(o, c[i]);
}

static int device_load(void *dev, struct state_in *in, uint32_t from)
{
	struct virtio_blk *b = dev;
	struct virtio_pci_saved s;
	uint64_t c[7];

	if (virtio_pci_load(&b->vp, in, from, &s) < 0)
		return -1;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		c[i] = state_get_u64(in);
	if (!state_in_done(in))
		return -1;
	virtio_pci_commit(&b->vp, &s); /* drops any request taken before */
	b->reads = c[0];
	b->writes = c[1];
	b->flushes = c[2];
	b->discards = c[3];
	b->errors = c[4];
	b->bytes_read = c[5];
	b->bytes_written = c[6];
	return 0;
}

const struct device_ops virtio_blk_device_ops = {.reset = device_reset,
						 .describe = device_describe,
						 .version = VIRTIO_PCI_SAVE_VERSION,
						 .save = device_save,
						 .load = device_load};
