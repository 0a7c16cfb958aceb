/* The split virtqueue of virtio 1.x (section 2.7) on guest memory: the
 * descriptor table, the driver's available ring and the device's used
 * ring, as the driver laid them out in guest RAM.
 *
 * Everything in the rings is untrusted. Each address and length is checked
 * against guest RAM (hv/core/memory.h's mem_ram_range: never ROM, MMIO or a
 * hole, never an overflowing range), chains are bounded (a loop ends as an
 * error), and an error marks the queue broken: it is logged (rate-limited)
 * and the queue does nothing more until it is set up again. The transport
 * then tells the driver (DEVICE_NEEDS_RESET).
 *
 * A popped chain comes back as host iovecs into guest RAM, readable ones
 * first, then writable ones, so a worker thread can read or write them
 * without the domain lock (guest RAM stays mapped as long as the machine).
 * The rings themselves are only touched under the domain lock. */
#ifndef HV_VIRTQ_H
#define HV_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hv/core/memory.h"

#define VIRTQ_MAX_SIZE 32768 /* the spec's limit for a split queue */
#define VIRTQ_SEGS_MAX 256   /* segments of one chain we accept */

/* Descriptor flags. */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

/* Ring flags. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	   1

struct virtq {
	struct guest_mem *mem;
	uint16_t size; /* entries; 0 = not set up */
	uint64_t desc; /* guest addresses of the three parts */
	uint64_t avail;
	uint64_t used;
	bool indirect;		 /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;		 /* VIRTIO_F_EVENT_IDX negotiated */
	bool broken;		 /* an error was seen; nothing more is done */
	uint16_t last_avail;	 /* next available-ring entry to take */
	uint16_t used_idx;	 /* our copy of used->idx */
	uint16_t signalled_used; /* used_idx when the driver was last interrupted */
	uint16_t inflight;	 /* chains popped and not yet pushed */
	bool held;		 /* pushes wait for virtq_publish (a burst) */
	bool quiet;		 /* notifications off: the device comes back by itself */
	bool hushed;		 /* no EVENT_IDX: NO_NOTIFY set by a pop, until an empty one */
	const char *name;	 /* for log lines: "vda.0" */
};

/* A popped chain: head is what goes back in the used ring. */
struct virtq_chain {
	uint16_t head;
	unsigned nread;		      /* seg[0 .. nread): device-readable */
	unsigned nwrite;	      /* seg[nread .. nread+nwrite): device-writable */
	uint64_t read_len, write_len; /* their byte totals */
	struct iovec seg[VIRTQ_SEGS_MAX];
};

/* Bytes the three parts of a split queue of `size` entries take. */
uint64_t virtq_desc_bytes(unsigned size);
uint64_t virtq_avail_bytes(unsigned size);
uint64_t virtq_used_bytes(unsigned size);

/* Makes q a queue of size entries (a power of two, at most
 * VIRTQ_MAX_SIZE) at the given guest addresses, with the features given.
 * Checks that the three parts are aligned and lie in guest RAM. Returns 0,
 * or -1 (logged, q broken) when they do not. */
int virtq_setup(struct virtq *q, struct guest_mem *mem, uint16_t size, uint64_t desc,
		uint64_t avail, uint64_t used, bool indirect, bool event_idx, const char *name);

/* Why a queue of size entries at these guest addresses cannot be set up
 * (a power of two up to VIRTQ_MAX_SIZE, aligned parts wholly in guest
 * RAM), or NULL when it can: virtq_setup's checks, also for state loaded
 * from a save file. */
const char *virtq_layout_check(struct guest_mem *mem, uint16_t size, uint64_t desc, uint64_t avail,
			       uint64_t used);

/* Forgets the queue (a reset): size 0, not broken, indices 0. */
void virtq_reset(struct virtq *q);

/* Takes the next available chain into c. Returns 1 with a chain, 0 when
 * the driver has made nothing available, -1 when the queue is broken (now
 * or before). The driver is asked to notify only when the device has run
 * out (unless notifications are off: virtq_notify_off): an empty queue
 * asks it to notify at its next buffer (EVENT_IDX's avail_event at
 * last_avail, or the used ring's NO_NOTIFY flag cleared), then looks
 * again; without EVENT_IDX a chain taken sets NO_NOTIFY, as EVENT_IDX's
 * avail_event left behind does, so a driver adding buffers while the
 * device still has some (receive buffers, chains it is draining) does not
 * notify for each. */
int virtq_pop(struct virtq *q, struct virtq_chain *c);

/* Returns chain head to the driver with `written` bytes written into its
 * writable segments (clamped to what they hold). Returns 0, or -1 when
 * the queue is broken (now or before). */
int virtq_push(struct virtq *q, const struct virtq_chain *c, uint32_t written);

/* Gives back the last n chains popped and not pushed (newest first), as
 * if they had never been taken: a device that took buffers for a packet
 * and found too few returns them and waits for more. n is clamped to the
 * chains in flight. */
void virtq_unpop(struct virtq *q, unsigned n);

/* One used-ring entry: a chain's head and the bytes written into it. */
struct virtq_used_elem {
	uint16_t head;
	uint32_t len;
};

/* Returns n chains at once (their heads and written lengths, which the
 * caller bounds by each chain's write_len), published by one used->idx
 * store: the driver sees all of them or none. Returns 0, or -1 when the
 * queue is broken (now or before). */
int virtq_push_many(struct virtq *q, const struct virtq_used_elem *e, unsigned n);

/* A burst: pushes fill the used ring without publishing used->idx, so
 * the driver sees the whole burst at once (one interrupt at most, not
 * one per chain half-seen). virtq_publish ends it with one used->idx
 * store; the caller asks virtq_should_notify after that. */
void virtq_hold(struct virtq *q);
void virtq_publish(struct virtq *q);

/* Whether the driver wants an interrupt for the entries pushed since the
 * last time this said yes (EVENT_IDX's used_event, or the avail ring's
 * NO_INTERRUPT flag). */
bool virtq_should_notify(struct virtq *q);

/* Notification suppression, for a device that has scheduled a round of
 * work on the queue and will look at it again by itself (virtio 1.x
 * 2.7.10): virtq_notify_off asks the driver not to notify (the used
 * ring's NO_NOTIFY flag; with EVENT_IDX, avail_event is left where the
 * driver has passed it, and an empty pop no longer moves it).
 * virtq_notify_on asks for notifications again (the flag cleared, or
 * avail_event at last_avail), then looks at the ring once more after a
 * full barrier: it returns true when chains are waiting, which the driver
 * may have added before it could see the request and will not notify
 * for; the caller must take them (or turn notifications off again and
 * come back). */
void virtq_notify_off(struct virtq *q);
bool virtq_notify_on(struct virtq *q);

/* Whether the driver has made chains available that are not taken yet. */
bool virtq_has_avail(struct virtq *q);

/* Copies up to len bytes from offset off of c's readable segments into
 * buf. Returns the bytes copied (fewer when the segments end first). */
size_t virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *buf, size_t len);

/* Copies up to len bytes from buf to offset off of c's writable segments.
 * Returns the bytes copied. */
size_t virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *buf, size_t len);

/* Flags an error on q: logs "name: what" (rate-limited), marks it broken. */
void virtq_fail(struct virtq *q, const char *what);

#endif
