#include "hv/virtio/virtq.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/log.h"

#define DESC_SIZE    16
#define USED_ELEM    8
#define RING_HEADER  4	  /* flags, idx */
#define INDIRECT_MAX 4096 /* entries of one indirect table */
#define AVAIL_IDX    2	  /* offsets in the avail and used rings */
#define USED_IDX     2
#define RING_FLAGS   0

uint64_t virtq_desc_bytes(unsigned size)
{
	return (uint64_t)DESC_SIZE * size;
}

/* flags, idx, ring[size], used_event */
uint64_t virtq_avail_bytes(unsigned size)
{
	return RING_HEADER + 2ull * size + 2;
}

/* flags, idx, ring[size] of {id, len}, avail_event */
uint64_t virtq_used_bytes(unsigned size)
{
	return RING_HEADER + (uint64_t)USED_ELEM * size + 2;
}

void virtq_fail(struct virtq *q, const char *what)
{
	log_guest("virtio %s: %s; the queue stops until the device is reset",
		  q->name ? q->name : "queue", what);
	q->broken = true;
}

/* Host pointer to [gpa, gpa+len) of guest RAM, or NULL. */
static uint8_t *ram(struct virtq *q, uint64_t gpa, uint64_t len, bool write)
{
	return mem_ram_range(q->mem, gpa, len, write);
}

void virtq_reset(struct virtq *q)
{
	struct guest_mem *mem = q->mem;
	const char *name = q->name;

	memset(q, 0, sizeof *q);
	q->mem = mem;
	q->name = name;
}

int virtq_setup(struct virtq *q, struct guest_mem *mem, uint16_t size, uint64_t desc,
		uint64_t avail, uint64_t used, bool indirect, bool event_idx, const char *name)
{
	const char *why;

	q->mem = mem;
	q->name = name;
	virtq_reset(q);
	q->size = size;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->indirect = indirect;
	q->event_idx = event_idx;
	why = virtq_layout_check(mem, size, desc, avail, used);
	if (why) {
		virtq_fail(q, why);
		return -1;
	}
	return 0;
}

/* Whether [a, a+alen) and [b, b+blen) share a byte (lengths are small). */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

const char *virtq_layout_check(struct guest_mem *mem, uint16_t size, uint64_t desc, uint64_t avail,
			       uint64_t used)
{
	if (size == 0 || (size & (size - 1)) || size > VIRTQ_MAX_SIZE)
		return "queue size is not a power of two up to 32768";
	if (desc % 16 || avail % 2 || used % 4)
		return "ring parts misaligned (descriptors 16, avail 2, used 4 bytes)";
	if (!mem_ram_range(mem, desc, virtq_desc_bytes(size), false) ||
	    !mem_ram_range(mem, avail, virtq_avail_bytes(size), false) ||
	    !mem_ram_range(mem, used, virtq_used_bytes(size), false))
		return "ring parts lie outside guest RAM";
	/* The device writes the used ring: over the other two parts, its
	 * writes would become new requests without end. */
	if (overlaps(used, virtq_used_bytes(size), desc, virtq_desc_bytes(size)) ||
	    overlaps(used, virtq_used_bytes(size), avail, virtq_avail_bytes(size)))
		return "used ring overlaps the descriptors or the available ring";
	return NULL;
}

/* The rings are shared with a guest running on another thread: 16-bit
 * fields are read and written with single atomic accesses. */
static uint16_t load16(const uint8_t *p)
{
	uint16_t v = atomic_load_explicit((_Atomic uint16_t *)(uintptr_t)p, memory_order_relaxed);

	return le_get16((const uint8_t *)&v);
}

static void store16(uint8_t *p, uint16_t v)
{
	uint16_t le;

	le_put16((uint8_t *)&le, v);
	atomic_store_explicit((_Atomic uint16_t *)(uintptr_t)p, le, memory_order_relaxed);
}

/* A ring part's host address, checked again at every use: the memory map
 * may have changed since setup (firmware shadowing, a BAR moved over it). */
static uint8_t *part(struct virtq *q, uint64_t gpa, uint64_t len, bool write)
{
	uint8_t *p = ram(q, gpa, len, write);

	if (!p)
		virtq_fail(q, "ring no longer in guest RAM");
	return p;
}

static uint8_t *avail_ring(struct virtq *q)
{
	return part(q, q->avail, virtq_avail_bytes(q->size), false);
}

static uint8_t *used_ring(struct virtq *q)
{
	return part(q, q->used, virtq_used_bytes(q->size), true);
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static void read_desc(const uint8_t *table, unsigned i, struct desc *d)
{
	const uint8_t *p = table + (size_t)DESC_SIZE * i;

	d->addr = le_get32(p) | (uint64_t)le_get32(p + 4) << 32;
	d->len = le_get32(p + 8);
	d->flags = le_get16(p + 12);
	d->next = le_get16(p + 14);
}

/* Adds one buffer of a chain as a segment. Returns 0 or -1 (q failed). */
static int add_seg(struct virtq *q, struct virtq_chain *c, const struct desc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	unsigned n = c->nread + c->nwrite;
	uint8_t *host;

	if (d->len == 0)
		return 0; /* nothing to transfer; harmless */
	if (!write && c->nwrite) {
		virtq_fail(q, "a readable buffer follows a writable one");
		return -1;
	}
	if (n == VIRTQ_SEGS_MAX) {
		virtq_fail(q, "chain has too many buffers");
		return -1;
	}
	/* Device writes into the driver's rings could feed the queue its
	 * own requests without end. */
	if (write && (overlaps(d->addr, d->len, q->avail, virtq_avail_bytes(q->size)) ||
		      overlaps(d->addr, d->len, q->desc, virtq_desc_bytes(q->size)))) {
		virtq_fail(q, "writable buffer over the descriptors or the available ring");
		return -1;
	}
	host = ram(q, d->addr, d->len, write);
	if (!host) {
		virtq_fail(q, "buffer outside guest RAM");
		return -1;
	}
	c->seg[n] = (struct iovec){.iov_base = host, .iov_len = d->len};
	if (write) {
		c->nwrite++;
		c->write_len += d->len;
	} else {
		c->nread++;
		c->read_len += d->len;
	}
	return 0;
}

/* Checks an indirect descriptor and returns its table, or NULL (failed). */
static const uint8_t *enter_indirect(struct virtq *q, const struct desc *d, bool nested,
				     unsigned *entries)
{
	const uint8_t *table;

	if (!q->indirect) {
		virtq_fail(q, "indirect descriptor without INDIRECT_DESC negotiated");
		return NULL;
	}
	if (nested || (d->flags & VIRTQ_DESC_F_NEXT)) {
		virtq_fail(q, "indirect descriptor nested or chained");
		return NULL;
	}
	if (d->len == 0 || d->len % DESC_SIZE || d->len / DESC_SIZE > INDIRECT_MAX) {
		virtq_fail(q, "indirect table length is not 1-4096 descriptors");
		return NULL;
	}
	table = ram(q, d->addr, d->len, false);
	if (!table)
		virtq_fail(q, "indirect table outside guest RAM");
	*entries = d->len / DESC_SIZE;
	return table;
}

/* Walks the chain at head into c. Returns 0 or -1 (q failed). Each table
 * is walked at most once per entry, so a loop ends as an error. */
static int walk(struct virtq *q, uint16_t head, struct virtq_chain *c)
{
	const uint8_t *table = part(q, q->desc, virtq_desc_bytes(q->size), false);
	unsigned entries = q->size, seen = 0, i = head;
	bool nested = false;
	struct desc d;

	if (!table)
		return -1;
	for (;;) {
		if (i >= entries) {
			virtq_fail(q, "descriptor index out of range");
			return -1;
		}
		if (++seen > entries) {
			virtq_fail(q, "descriptor chain loops");
			return -1;
		}
		read_desc(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			table = enter_indirect(q, &d, nested, &entries);
			if (!table)
				return -1;
			nested = true;
			seen = 0;
			i = 0;
			continue;
		}
		if (add_seg(q, c, &d) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

/* With EVENT_IDX, asks for a notification once avail->idx passes
 * last_avail (the avail_event field after the used ring). */
static void set_avail_event(struct virtq *q, uint8_t *used)
{
	if (q->event_idx)
		store16(used + RING_HEADER + (size_t)USED_ELEM * q->size, q->last_avail);
}

/* How many entries are waiting, or -1 (failed) when avail->idx ran more
 * than a whole queue ahead. */
static int waiting(struct virtq *q, const uint8_t *avail)
{
	uint16_t n = (uint16_t)(load16(avail + AVAIL_IDX) - q->last_avail);

	if (n > q->size) {
		virtq_fail(q, "available index ran more than a queue ahead");
		return -1;
	}
	return n;
}

/* The used ring's flags word (the driver only reads it). */
static void set_used_flags(struct virtq *q, uint8_t *used, uint16_t flags)
{
	if (!q->event_idx)
		store16(used + RING_FLAGS, flags);
}

/* The driver is asked to notify at its next buffer: the device has run
 * out. */
static void ask_for_notify(struct virtq *q, uint8_t *used)
{
	set_avail_event(q, used);
	set_used_flags(q, used, 0);
	q->hushed = false;
}

/* Without EVENT_IDX, a chain taken asks the driver not to notify until
 * the device has run out (the store only when the flag changes). */
static void hush(struct virtq *q, uint8_t *used)
{
	if (q->event_idx || q->hushed)
		return;
	q->hushed = true;
	set_used_flags(q, used, VIRTQ_USED_F_NO_NOTIFY);
}

void virtq_notify_off(struct virtq *q)
{
	uint8_t *used;

	if (q->broken || !q->size || q->quiet)
		return;
	used = used_ring(q);
	if (!used)
		return;
	q->quiet = true;
	q->hushed = true;
	set_used_flags(q, used, VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_notify_on(struct virtq *q)
{
	uint8_t *used;

	if (q->broken || !q->size)
		return false;
	used = used_ring(q);
	if (!used)
		return false;
	q->quiet = false;
	q->hushed = false;
	set_used_flags(q, used, 0);
	set_avail_event(q, used);
	/* The request stored before avail->idx is loaded again. */
	atomic_thread_fence(memory_order_seq_cst);
	return virtq_has_avail(q);
}

bool virtq_has_avail(struct virtq *q)
{
	const uint8_t *avail;

	if (q->broken || !q->size)
		return false;
	avail = avail_ring(q);
	return avail && waiting(q, avail) > 0;
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	uint8_t *avail, *used;
	uint16_t head;
	int n;

	if (q->broken || !q->size)
		return q->broken ? -1 : 0;
	avail = avail_ring(q);
	used = avail ? used_ring(q) : NULL;
	if (!used)
		return -1;
	n = waiting(q, avail);
	if (n == 0 && !q->quiet) {
		/* Ask for a kick, then look again: the driver may have added
		 * a buffer before it could see the request. The flag is
		 * written even when this queue did not set it: a restored
		 * queue finds the ring as the guest left it. */
		ask_for_notify(q, used);
		atomic_thread_fence(memory_order_seq_cst);
		n = waiting(q, avail);
	}
	if (n <= 0)
		return n;
	if (!q->quiet)
		hush(q, used);
	/* Each chain in flight holds a descriptor: more than the queue's
	 * size means heads offered again before they came back, which would
	 * let a guest queue requests without bound. */
	if (q->inflight >= q->size) {
		virtq_fail(q, "more chains in flight than the queue has entries");
		return -1;
	}
	/* The ring entry and its descriptors after the index that covers them. */
	atomic_thread_fence(memory_order_acquire);
	head = load16(avail + RING_HEADER + 2 * (size_t)(q->last_avail % q->size));
	q->last_avail++;
	c->head = head;
	c->nread = c->nwrite = 0;
	c->read_len = c->write_len = 0;
	if (walk(q, head, c) < 0)
		return -1;
	q->inflight++;
	return 1;
}

/* used->idx = our used_idx, after the elements it covers. */
static void publish(struct virtq *q, uint8_t *used)
{
	atomic_thread_fence(memory_order_release);
	store16(used + USED_IDX, q->used_idx);
}

void virtq_hold(struct virtq *q)
{
	q->held = true;
}

void virtq_publish(struct virtq *q)
{
	uint8_t *used;

	if (!q->held)
		return;
	q->held = false;
	if (q->broken || !q->size)
		return;
	used = used_ring(q);
	if (used)
		publish(q, used);
}

int virtq_push(struct virtq *q, const struct virtq_chain *c, uint32_t written)
{
	uint8_t *used, *elem;

	if (q->broken || !q->size)
		return -1;
	used = used_ring(q);
	if (!used)
		return -1;
	if (written > c->write_len)
		written = (uint32_t)c->write_len;
	elem = used + RING_HEADER + (size_t)USED_ELEM * (q->used_idx % q->size);
	le_put32(elem, c->head);
	le_put32(elem + 4, written);
	q->used_idx++;
	if (!q->held)
		publish(q, used);
	if (q->inflight)
		q->inflight--;
	return 0;
}

void virtq_unpop(struct virtq *q, unsigned n)
{
	if (n > q->inflight)
		n = q->inflight;
	q->last_avail = (uint16_t)(q->last_avail - n);
	q->inflight = (uint16_t)(q->inflight - n);
}

int virtq_push_many(struct virtq *q, const struct virtq_used_elem *e, unsigned n)
{
	uint8_t *used;

	if (q->broken || !q->size)
		return -1;
	used = used_ring(q);
	if (!used)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *elem = used + RING_HEADER +
				(size_t)USED_ELEM * ((uint16_t)(q->used_idx + i) % q->size);

		le_put32(elem, e[i].head);
		le_put32(elem + 4, e[i].len);
	}
	q->used_idx = (uint16_t)(q->used_idx + n);
	if (!q->held)
		publish(q, used);
	q->inflight = (uint16_t)(q->inflight > n ? q->inflight - n : 0);
	return 0;
}

/* EVENT_IDX's test: did used_idx pass `event` in the step old -> new? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool virtq_should_notify(struct virtq *q)
{
	const uint8_t *avail;
	uint16_t old = q->signalled_used;
	bool want;

	if (!q->size || q->held || old == q->used_idx)
		return false; /* held: asked again once published */
	avail = ram(q, q->avail, virtq_avail_bytes(q->size), false);
	if (!avail)
		return true; /* broken: let the driver look */
	/* Our used->idx store before the driver's used_event or flags load. */
	atomic_thread_fence(memory_order_seq_cst);
	if (q->event_idx)
		want =
		    need_event(load16(avail + RING_HEADER + 2 * (size_t)q->size), q->used_idx, old);
	else
		want = !(load16(avail + RING_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	q->signalled_used = q->used_idx;
	return want;
}

/* Copies between buf and segments [first, first+n) of c, from byte off. */
static size_t copy(const struct virtq_chain *c, unsigned first, unsigned n, uint64_t off,
		   uint8_t *buf, size_t len, bool to_chain)
{
	size_t done = 0;

	for (unsigned i = first; i < first + n && done < len; i++) {
		size_t seg = c->seg[i].iov_len, k;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		k = seg - off < len - done ? seg - (size_t)off : len - done;
		if (to_chain)
			memcpy((uint8_t *)c->seg[i].iov_base + off, buf + done, k);
		else
			memcpy(buf + done, (uint8_t *)c->seg[i].iov_base + off, k);
		done += k;
		off = 0;
	}
	return done;
}

size_t virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *buf, size_t len)
{
	return copy(c, 0, c->nread, off, buf, len, false);
}

size_t virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *buf, size_t len)
{
	return copy(c, c->nread, c->nwrite, off, (uint8_t *)(uintptr_t)buf, len, true);
}
