#include "hv/virtio/virtio_rng.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define CHUNK 4096 /* bytes taken from getrandom at a time */

static void add_tokens(struct virtio_rng *r)
{
	int64_t now = vclock_now(r->clock);
	uint64_t add;

	if (now <= r->last_ns)
		return;
	/* Long enough to fill the bucket: no product that could overflow. */
	if ((uint64_t)(now - r->last_ns) / 1000000000u >= r->burst / r->rate + 1) {
		r->tokens = r->burst;
		r->last_ns = now;
		return;
	}
	add = (uint64_t)(now - r->last_ns) * r->rate / 1000000000u;
	if (add == 0)
		return; /* keep last_ns so the fraction is not lost */
	r->tokens = r->tokens + add > r->burst ? r->burst : r->tokens + add;
	r->last_ns = now;
}

/* Fills up to `want` bytes of c's writable buffers. Returns the bytes
 * filled. */
static uint32_t fill(struct virtio_rng *r, const struct virtq_chain *c, uint64_t want)
{
	uint8_t buf[CHUNK];
	uint64_t done = 0;

	while (done < want) {
		size_t n = want - done < CHUNK ? (size_t)(want - done) : CHUNK;
		ssize_t got = getrandom(buf, n, GRND_NONBLOCK);

		if (got <= 0) {
			log_guest("virtio %s: getrandom: %s", r->vp.name,
				  got < 0 ? strerror(errno) : "no bytes");
			break;
		}
		virtq_chain_write(c, done, buf, (size_t)got);
		done += (uint64_t)got;
	}
	explicit_bzero(buf, sizeof buf);
	return (uint32_t)done;
}

/* When a chunk's worth of tokens is back, counted from last_ns. */
static int64_t refill_deadline(const struct virtio_rng *r)
{
	uint64_t need = r->burst < CHUNK ? r->burst : CHUNK;

	return r->last_ns + (int64_t)(need * 1000000000u / r->rate);
}

/* Serves buffers while there are tokens; when they run out with buffers
 * waiting, arms the timer for when a chunk's worth is back. */
static void serve(struct virtio_rng *r)
{
	struct virtq *q = virtio_pci_queue(&r->vp, 0);
	struct virtq_chain c;

	add_tokens(r);
	while (q && r->tokens > 0) {
		uint64_t want;
		uint32_t got;

		if (virtio_pci_pop(&r->vp, 0, &c) <= 0)
			return;
		want = c.write_len < r->tokens ? c.write_len : r->tokens;
		got = fill(r, &c, want);
		r->tokens -= got;
		r->bytes += got;
		r->buffers++;
		virtio_pci_push(&r->vp, 0, &c, got);
	}
	if (q && virtq_has_avail(q) && !r->refill.armed) {
		r->delayed++;
		vtimer_arm(&r->refill, refill_deadline(r));
	}
}

static void refill_fired(void *opaque)
{
	serve(opaque);
}

static void rng_notify(void *opaque, unsigned queue)
{
	(void)queue;
	serve(opaque);
}

static void rng_reset(void *opaque)
{
	struct virtio_rng *r = opaque;

	vtimer_cancel(&r->refill);
}

static const struct virtio_dev_ops rng_ops = {
    .type = VIRTIO_ID_RNG,
    .class_base = 0xFF, /* unclassified, as other virtio-rng functions */
    .class_sub = 0x00,
    .num_queues = 1,
    .queue_max = 64,
    .notify = rng_notify,
    .reset = rng_reset,
};

void virtio_rng_init(struct virtio_rng *rng, struct guest_mem *mem, struct vclock *clock,
		     struct irq_line irq, uint64_t rate, uint64_t burst, const char *name)
{
	memset(rng, 0, sizeof *rng);
	rng->clock = clock;
	rng->rate = rate ? rate : 1;
	rng->burst = burst ? burst : 1;
	rng->tokens = rng->burst;
	rng->last_ns = vclock_now(clock);
	vtimer_init(&rng->refill, clock, refill_fired, rng);
	virtio_pci_init(&rng->vp, mem, &rng_ops, rng, irq, name);
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	vtimer_cancel(&rng->refill);
	virtio_pci_destroy(&rng->vp);
}

static void device_reset(void *dev)
{
	struct virtio_rng *r = dev;

	virtio_pci_machine_reset(&r->vp);
}

static void device_describe(const void *dev, char *buf, size_t len)
{
	const struct virtio_rng *r = dev;
	size_t n;

	virtio_pci_describe(&r->vp, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, " bytes=%llu buffers=%llu delayed=%llu",
		 (unsigned long long)r->bytes, (unsigned long long)r->buffers,
		 (unsigned long long)r->delayed);
}

/* Save/restore, version 2 (1: the transport without MSI-X): the transport, the tokens in the
 * bucket, whether buffers wait for the refill timer, and the counters. Times are not saved: the
 * bucket counts from the load on (rate and burst are the configuration's), so a clock restored
 * before or after it cannot starve the queue. */
static void device_save(const void *dev, struct state_out *o)
{
	const struct virtio_rng *r = dev;

	virtio_pci_save(&r->vp, o);
	state_put_u64(o, r->tokens);
	state_put_bool(o, r->refill.armed);
	state_put_u64(o, r->bytes);
	state_put_u64(o, r->buffers);
	state_put_u64(o, r->delayed);
}

static int device_load(void *dev, struct state_in *in, uint32_t from)
{
	struct virtio_rng *r = dev;
	struct virtio_pci_saved s;
	uint64_t tokens, c[3];
	bool armed;

	if (virtio_pci_load(&r->vp, in, from, &s) < 0)
		return -1;
	tokens = state_get_u64(in);
	armed = state_get_bool(in);
	for (unsigned i = 0; i < 3; i++)
		c[i] = state_get_u64(in);
	if (!state_in_done(in) || tokens > r->burst)
		return -1;
	virtio_pci_commit(&r->vp, &s); /* cancels the timer */
	r->tokens = tokens;
	r->last_ns = vclock_now(r->clock);
	r->bytes = c[0];
	r->buffers = c[1];
	r->delayed = c[2];
	if (armed)
		vtimer_arm(&r->refill, refill_deadline(r));
	return 0;
}

const struct device_ops virtio_rng_device_ops = {.reset = device_reset,
						 .describe = device_describe,
						 .version = VIRTIO_PCI_SAVE_VERSION,
						 .save = device_save,
						 .load = device_load};
