#include "hv/virtio/virtio_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/be.h"
#include "hv/core/le.h"
#include "hv/core/log.h"
#include "hv/core/state.h"
#include "hv/virtio/tcp4.h"

#define RECEIVEQ	  0
#define TRANSMITQ	  1
#define CONFIG_SIZE	  12	     /* mac[6], status, max_virtqueue_pairs, mtu */
#define PENDING_BYTES_MAX (1u << 20) /* bytes of waiting frames at most */

static size_t pending_bytes(const struct virtio_net *n)
{
	size_t sum = 0;

	for (unsigned i = 0; i < n->pend_count; i++)
		sum += n->pending[(n->pend_head + i) % VIRTIO_NET_RX_PENDING].len;
	return sum;
}

static void drop_pending(struct virtio_net *n)
{
	while (n->pend_count) {
		free(n->pending[n->pend_head].data);
		n->pending[n->pend_head].data = NULL;
		n->pend_head = (n->pend_head + 1) % VIRTIO_NET_RX_PENDING;
		n->pend_count--;
	}
	n->pend_head = 0;
}

/* gso: the segment size of a coalesced TCP/IPv4 frame (virtio_net_lro.c
 * checked its headers), 0 for a plain frame. */
static void rx_header(const struct virtio_net *n, uint8_t *hdr, const uint8_t *frame, uint16_t gso,
		      uint16_t num_buffers)
{
	memset(hdr, 0, VIRTIO_NET_HDR_LEN);
	if (virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_GUEST_CSUM))
		hdr[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	if (gso) {
		hdr[1] = VIRTIO_NET_HDR_GSO_TCPV4;
		le_put16(hdr + 2,
			 (uint16_t)(14 + 20 + (frame[14 + 20 + 12] >> 4) * 4)); /* hdr_len */
		le_put16(hdr + 4, gso);
	}
	le_put16(hdr + 10, num_buffers);
}

static void rx_too_small(struct virtio_net *n, uint64_t have, size_t len)
{
	log_guest("virtio %s: receive buffer of %llu bytes is too small for a %zu-byte "
		  "frame; dropped",
		  n->vp.name, (unsigned long long)have, len + VIRTIO_NET_HDR_LEN);
	n->st.rx_dropped++;
}

/* Puts one frame in the next receive buffer. Returns 1 when it went (or
 * was dropped as too large for the buffer: the buffer is used up either
 * way), 0 when the guest has no buffer. *irq is set when the push
 * interrupted. */
static int deliver_one(struct virtio_net *n, const uint8_t *frame, size_t len, uint16_t gso,
		       bool *irq)
{
	uint8_t hdr[VIRTIO_NET_HDR_LEN];
	struct virtq_chain c;
	uint32_t written = 0;

	if (virtio_pci_pop(&n->vp, RECEIVEQ, &c) != 1)
		return 0;
	if (c.write_len < VIRTIO_NET_HDR_LEN + len) {
		rx_too_small(n, c.write_len, len);
	} else {
		rx_header(n, hdr, frame, gso, 1);
		virtq_chain_write(&c, 0, hdr, sizeof hdr);
		virtq_chain_write(&c, VIRTIO_NET_HDR_LEN, frame, len);
		written = (uint32_t)(VIRTIO_NET_HDR_LEN + len);
		n->st.rx_packets++;
		n->st.rx_bytes += len;
	}
	if (virtio_pci_push(&n->vp, RECEIVEQ, &c, written))
		*irq = true;
	return 1;
}

/* Copies [off, off + k) of header + frame into c from its byte 0. */
static void write_part(struct virtq_chain *c, const uint8_t *hdr, const uint8_t *frame, size_t off,
		       size_t k)
{
	size_t h = off < VIRTIO_NET_HDR_LEN ? VIRTIO_NET_HDR_LEN - off : 0;

	if (h > k)
		h = k;
	if (h)
		virtq_chain_write(c, 0, hdr + off, h);
	if (k > h)
		virtq_chain_write(c, h, frame + (off + h - VIRTIO_NET_HDR_LEN), k - h);
}

/* VIRTIO_NET_F_MRG_RXBUF: the frame spreads over as many receive buffers
 * as it needs, the first one's header saying how many (num_buffers), all
 * of them published together. Too few buffers for now: they are given
 * back and the frame waits (0). A first buffer without room for the
 * header, or a frame that the whole ring could not hold, is dropped and
 * counted, the buffers it took used up with nothing written (1). */
static int deliver_mrg(struct virtio_net *n, const uint8_t *frame, size_t len, uint16_t gso,
		       bool *irq)
{
	struct virtq_used_elem e[VIRTIO_NET_MRG_BUFS_MAX];
	uint8_t hdr[VIRTIO_NET_HDR_LEN];
	struct virtq_chain first, c;
	const struct virtq *q = virtio_pci_queue(&n->vp, RECEIVEQ);
	size_t total = VIRTIO_NET_HDR_LEN + len, off = 0;
	unsigned count = 0,
		 most = q && q->size < VIRTIO_NET_MRG_BUFS_MAX ? q->size : VIRTIO_NET_MRG_BUFS_MAX;

	rx_header(n, hdr, frame, gso, 0);
	while (off < total) {
		struct virtq_chain *to = count ? &c : &first;
		size_t k;

		if (count == most) {
			rx_too_small(n, off, len); /* every buffer the ring holds */
			for (unsigned i = 0; i < count; i++)
				e[i].len = 0;
			goto push;
		}
		if (virtio_pci_pop(&n->vp, RECEIVEQ, to) != 1) {
			virtio_pci_unpop(&n->vp, RECEIVEQ, count);
			return 0;
		}
		if (!count && first.write_len < VIRTIO_NET_HDR_LEN) {
			rx_too_small(n, first.write_len, len);
			e[count++] = (struct virtq_used_elem){first.head, 0};
			goto push;
		}
		k = to->write_len < total - off ? (size_t)to->write_len : total - off;
		write_part(to, hdr, frame, off, k);
		e[count++] = (struct virtq_used_elem){to->head, (uint32_t)k};
		off += k;
	}
	rx_header(n, hdr, frame, gso, (uint16_t)count);
	virtq_chain_write(&first, 0, hdr, sizeof hdr);
	n->st.rx_packets++;
	n->st.rx_bytes += len;
push:
	if (virtio_pci_push_many(&n->vp, RECEIVEQ, e, count))
		*irq = true;
	return 1;
}

static int deliver(struct virtio_net *n, const uint8_t *frame, size_t len, uint16_t gso, bool *irq)
{
	if (virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_MRG_RXBUF))
		return deliver_mrg(n, frame, len, gso, irq);
	return deliver_one(n, frame, len, gso, irq);
}

/* The guest takes coalesced TCP segments (TSO4 needs GUEST_CSUM). */
static bool coalescing(const struct virtio_net *n)
{
	return n->lro && virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_GUEST_TSO4) &&
	       virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_GUEST_CSUM);
}

/* Delivers f[0], or the run of TCP segments starting there as one frame.
 * Returns how many of the count frames went (0: no receive buffer). */
static unsigned deliver_run(struct virtio_net *n, const struct virtio_net_view *f, unsigned count,
			    bool *irq)
{
	size_t len = f[0].len;
	uint16_t gso = 0;
	unsigned k = coalescing(n) ? virtio_net_coalesce(n->lro, f, count, &len, &gso) : 1;

	if (!deliver(n, k > 1 ? n->lro : f[0].data, len, gso, irq))
		return 0;
	if (k > 1)
		n->rx_coalesced += k;
	return k;
}

/* Moves waiting frames into receive buffers while there are both. */
static bool flush_pending(struct virtio_net *n)
{
	struct virtio_net_view v[VIRTIO_NET_RUN_MAX];
	bool irq = false;

	while (n->pend_count) {
		unsigned count = n->pend_count < VIRTIO_NET_RUN_MAX ? n->pend_count
								    : VIRTIO_NET_RUN_MAX,
			 k;

		for (unsigned i = 0; i < count; i++) {
			const struct virtio_net_frame *f =
			    &n->pending[(n->pend_head + i) % VIRTIO_NET_RX_PENDING];

			v[i] = (struct virtio_net_view){f->data, f->len};
		}
		k = deliver_run(n, v, count, &irq);
		if (!k)
			break;
		for (unsigned i = 0; i < k; i++) {
			free(n->pending[n->pend_head].data);
			n->pending[n->pend_head].data = NULL;
			n->pend_head = (n->pend_head + 1) % VIRTIO_NET_RX_PENDING;
			n->pend_count--;
		}
	}
	return irq;
}

static bool keep(struct virtio_net *n, const uint8_t *frame, size_t len)
{
	struct virtio_net_frame *f;

	if (n->pend_count == VIRTIO_NET_RX_PENDING || pending_bytes(n) + len > PENDING_BYTES_MAX)
		return false;
	f = &n->pending[(n->pend_head + n->pend_count) % VIRTIO_NET_RX_PENDING];
	f->data = malloc(len);
	if (!f->data)
		return false;
	memcpy(f->data, frame, len);
	f->len = (uint32_t)len;
	n->pend_count++;
	return true;
}

static bool receive(struct virtio_net *n, const uint8_t *frame, size_t len)
{
	bool irq = false;

	if (!virtio_pci_queue(&n->vp, RECEIVEQ) || len < VIRTIO_NET_FRAME_MIN ||
	    len > VIRTIO_NET_FRAME_MAX) {
		n->st.rx_dropped++; /* no driver yet, or nothing a guest could take */
		return false;
	}
	irq = flush_pending(n);
	if (!n->pend_count && deliver(n, frame, len, 0, &irq))
		return irq;
	if (!keep(n, frame, len))
		n->st.rx_dropped++;
	return irq;
}

static bool receive_many(struct virtio_net *n, const uint8_t *buf, const uint32_t *lens,
			 unsigned count)
{
	struct virtio_net_view v[VIRTIO_NET_RUN_MAX];
	bool irq = false;
	size_t off = 0;
	unsigned i = 0;

	if (!coalescing(n)) {
		for (; i < count; off += lens[i++])
			irq |= receive(n, buf + off, lens[i]);
		return irq;
	}
	irq = flush_pending(n);
	while (i < count && !n->pend_count) {
		unsigned m = 0, k;
		size_t at = off;

		/* Frames the device would refuse alone go through
		 * virtio_net_receive, which counts them. */
		if (lens[i] < VIRTIO_NET_FRAME_MIN || lens[i] > VIRTIO_NET_FRAME_MAX) {
			irq |= receive(n, buf + off, lens[i]);
			off += lens[i++];
			continue;
		}
		while (i + m < count && m < VIRTIO_NET_RUN_MAX &&
		       lens[i + m] >= VIRTIO_NET_FRAME_MIN && lens[i + m] <= VIRTIO_NET_FRAME_MAX) {
			v[m] = (struct virtio_net_view){buf + at, lens[i + m]};
			at += lens[i + m++];
		}
		k = deliver_run(n, v, m, &irq);
		if (!k)
			break;
		for (unsigned j = 0; j < k; j++)
			off += lens[i++];
	}
	for (; i < count; off += lens[i++])
		irq |= receive(n, buf + off, lens[i]); /* waits, in order */
	return irq;
}

/* The frames go in as one burst: the driver sees them together, with one
 * interrupt at most (irq: one a push asked for on a queue failing). */
static bool rx_publish(struct virtio_net *n, uint64_t before)
{
	if (n->st.rx_packets != before)
		n->rx_bursts++;
	return virtio_pci_publish(&n->vp, RECEIVEQ);
}

bool virtio_net_receive(struct virtio_net *n, const uint8_t *frame, size_t len)
{
	uint64_t before = n->st.rx_packets;
	bool irq;

	virtio_pci_hold(&n->vp, RECEIVEQ);
	irq = receive(n, frame, len);
	return rx_publish(n, before) || irq;
}

bool virtio_net_receive_many(struct virtio_net *n, const uint8_t *buf, const uint32_t *lens,
			     unsigned count)
{
	uint64_t before = n->st.rx_packets;
	bool irq;

	virtio_pci_hold(&n->vp, RECEIVEQ);
	irq = receive_many(n, buf, lens, count);
	return rx_publish(n, before) || irq;
}

/* RFC 1071's sum taken eight bytes at a time, as two 32-bit words in the
 * host's byte order (the sum of byte-swapped words is the byte-swapped
 * sum), then read as big endian: for each segment HOST_TSO4 cuts and each
 * NEEDS_CSUM frame, an eighth of the turns of a byte pair at a time. The
 * 64-bit sum holds 2^32 words: len is a frame's (VIRTIO_NET_FRAME_MAX at
 * most). */
uint16_t virtio_net_csum(const uint8_t *p, size_t len)
{
	uint8_t b[2] = {0, 0};
	uint64_t sum = 0, q;
	uint32_t v;
	uint16_t w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&q, p + i, 8);
		sum += (q & 0xffffffffu) + (q >> 32);
	}
	for (; i + 4 <= len; i += 4) {
		memcpy(&v, p + i, 4);
		sum += v;
	}
	for (; i + 2 <= len; i += 2) {
		memcpy(&w, p + i, 2);
		sum += w;
	}
	if (i < len) { /* an odd byte: the high half of a word ending in zero */
		b[0] = p[i];
		memcpy(&w, b, 2);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	w = (uint16_t)sum;
	memcpy(b, &w, 2);
	return (uint16_t)~be_get16(b);
}

void virtio_net_tcp4_sums(uint8_t *f, size_t len, size_t ihl)
{
	uint8_t *ip = f + ETH_LEN, *tcp = ip + ihl;
	size_t tlen = len - ETH_LEN - ihl;
	uint8_t pseudo[12];
	uint32_t sum;

	be_put16(ip + 2, (uint16_t)(len - ETH_LEN));
	be_put16(ip + 10, 0);
	be_put16(ip + 10, virtio_net_csum(ip, ihl));
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IP_PROTO_TCP;
	be_put16(pseudo + 10, (uint16_t)tlen);
	be_put16(tcp + TCP_CSUM, 0);
	sum = (uint16_t)~virtio_net_csum(pseudo, sizeof pseudo);
	sum += (uint16_t)~virtio_net_csum(tcp, tlen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	be_put16(tcp + TCP_CSUM, (uint16_t)~sum);
}

/* VIRTIO_NET_F_CSUM: a frame whose header says NEEDS_CSUM carries the
 * pseudo-header's sum at csum_start + csum_offset; the checksum of
 * [csum_start, end) goes there. Returns false (logged) when the guest
 * asks without having negotiated it, or the field is not in the frame. */
static bool complete_csum(struct virtio_net *n, const uint8_t *hdr, uint8_t *f, size_t len)
{
	size_t start = le_get16(hdr + 6), field = start + le_get16(hdr + 8);
	uint16_t sum;

	if (!(hdr[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	if (!virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_CSUM) || field + 2 > len) {
		log_guest("virtio %s: transmit header asks for a checksum at %zu (from %zu) in a "
			  "%zu-byte frame%s; dropped",
			  n->vp.name, field, start, len,
			  virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_CSUM)
			      ? ""
			      : " without VIRTIO_NET_F_CSUM");
		return false;
	}
	sum = virtio_net_csum(f + start, len - start);
	f[field] = (uint8_t)(sum >> 8);
	f[field + 1] = (uint8_t)sum;
	return true;
}

/* The next segment of the frame being cut up (n->gso) into buf (cap
 * bytes: no segment is longer than the frame); 0 when none is, or it
 * would not fit. */
static size_t next_segment(struct virtio_net *n, uint8_t *buf, size_t cap)
{
	size_t got =
	    n->gso.len && n->gso.len <= cap ? virtio_net_gso_segment(n->tso, &n->gso, buf) : 0;

	if (got) {
		n->tx_segmented++;
		n->st.tx_packets++;
		n->st.tx_bytes += got;
	}
	return got;
}

/* VIRTIO_NET_F_HOST_TSO4: the frame (len bytes of c after the header h)
 * goes into n->tso to be cut up; its first segment into buf. 0 (logged)
 * when the guest has not negotiated it or the frame does not parse. */
static size_t take_gso(struct virtio_net *n, const uint8_t *h, struct virtq_chain *c, size_t len,
		       uint8_t *buf)
{
	const char *why = "segmentation without VIRTIO_NET_F_HOST_TSO4";

	if (n->tso && virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_HOST_TSO4)) {
		why = "a short chain";
		if (virtq_chain_read(c, VIRTIO_NET_HDR_LEN, n->tso, len) == len)
			why = virtio_net_gso_parse(
			    h, n->tso, len, virtio_pci_has_feature(&n->vp, VIRTIO_NET_F_HOST_ECN),
			    &n->gso);
	}
	if (!why)
		return next_segment(n, buf, len);
	log_guest("virtio %s: a %zu-byte frame to segment (gso_type %#x, gso_size %u) with %s; "
		  "dropped",
		  n->vp.name, len, h[1], le_get16(h + 4), why);
	return 0;
}

/* The frame of chain c into buf (cap bytes), or its first segment.
 * Returns its length, 0 when it was dropped (counted). */
static size_t take_chain(struct virtio_net *n, struct virtq_chain *c, uint8_t *buf, size_t cap)
{
	uint64_t len = c->read_len >= VIRTIO_NET_HDR_LEN ? c->read_len - VIRTIO_NET_HDR_LEN : 0;
	uint8_t hdr[VIRTIO_NET_HDR_LEN];
	size_t got = 0;

	if (c->read_len < VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MIN || len > cap ||
	    len > VIRTIO_NET_FRAME_MAX) {
		log_guest("virtio %s: transmit chain of %llu bytes (header %u, frame "
			  "%u-%u bytes); dropped",
			  n->vp.name, (unsigned long long)c->read_len, VIRTIO_NET_HDR_LEN,
			  VIRTIO_NET_FRAME_MIN, VIRTIO_NET_FRAME_MAX);
	} else if (virtq_chain_read(c, 0, hdr, sizeof hdr) != sizeof hdr) {
		/* unreadable: nothing taken */
	} else if (hdr[1] != VIRTIO_NET_HDR_GSO_NONE) {
		got = take_gso(n, hdr, c, (size_t)len, buf);
	} else if ((got = virtq_chain_read(c, VIRTIO_NET_HDR_LEN, buf, (size_t)len)) &&
		   complete_csum(n, hdr, buf, got)) {
		n->st.tx_packets++;
		n->st.tx_bytes += got;
	} else {
		got = 0;
	}
	if (!got)
		n->st.tx_dropped++;
	return got;
}

/* The next frame of the transmit queue into buf (cap bytes); 0 when the
 * queue is empty (*empty set), or *budget chains were taken (each costs
 * one). *irq is set when a push failed the queue (its configuration
 * interrupt went). */
static size_t take_next(struct virtio_net *n, uint8_t *buf, size_t cap, unsigned *budget, bool *irq,
			bool *empty)
{
	struct virtq_chain c;
	size_t got;

	if (n->gso.len) /* its segments first, in order */
		return next_segment(n, buf, cap);
	while (*budget) {
		if (virtio_pci_pop(&n->vp, TRANSMITQ, &c) != 1) {
			*empty = true;
			return 0;
		}
		--*budget;
		got = take_chain(n, &c, buf, cap);
		*irq |= virtio_pci_push(&n->vp, TRANSMITQ, &c, 0); /* held: true if it failed */
		if (got)
			return got;
	}
	return 0;
}

/* A round of the transmit queue is due: notifications off until it has
 * run, the backend told to come. */
static void schedule_tx(struct virtio_net *n)
{
	if (n->tx_scheduled)
		return;
	n->tx_scheduled = true;
	virtio_pci_notify_off(&n->vp, TRANSMITQ);
	if (n->be.tx_ready)
		n->be.tx_ready(n->be.opaque);
}

/* After a round: one that stopped short of an empty queue comes back at
 * once; one that emptied it asks for notifications again, and comes back
 * if the driver added chains meanwhile (it may not have seen the request
 * in time to notify for them). */
static void end_round(struct virtio_net *n, bool empty)
{
	n->tx_scheduled = false;
	if (!empty || virtio_pci_notify_on(&n->vp, TRANSMITQ))
		schedule_tx(n);
}

unsigned virtio_net_take_tx_many(struct virtio_net *n, uint8_t *buf, size_t cap, uint32_t *lens,
				 unsigned max, bool *irq)
{
	unsigned count = 0, budget = VIRTIO_NET_TX_BUDGET;
	size_t off = 0, len;
	bool failed = false, empty = false;

	virtio_pci_hold(&n->vp, TRANSMITQ);
	while (count < max && (!count || cap - off >= VIRTIO_NET_FRAME_MAX)) {
		len = take_next(n, buf + off, cap - off, &budget, &failed, &empty);
		if (!len)
			break;
		lens[count++] = (uint32_t)len;
		off += len;
	}
	if (count)
		n->tx_bursts++;
	/* The burst's completions: one used->idx store, one interrupt at most. */
	*irq = virtio_pci_publish(&n->vp, TRANSMITQ) || failed;
	end_round(n, empty);
	return count;
}

size_t virtio_net_take_tx(struct virtio_net *n, uint8_t *buf, size_t cap, bool *irq)
{
	uint32_t len;

	return virtio_net_take_tx_many(n, buf, cap, &len, 1, irq) ? len : 0;
}

static void net_notify(void *opaque, unsigned queue)
{
	struct virtio_net *n = opaque;

	if (queue == RECEIVEQ) { /* on the vCPU's thread: it sees the interrupt */
		virtio_pci_hold(&n->vp, RECEIVEQ);
		flush_pending(n);
		virtio_pci_publish(&n->vp, RECEIVEQ);
	} else if (queue == TRANSMITQ) {
		schedule_tx(n); /* none while one is due: notifications are off */
	}
}

static void net_config_read(void *opaque, unsigned offset, void *buf, unsigned len)
{
	struct virtio_net *n = opaque;
	uint8_t cfg[CONFIG_SIZE];

	memcpy(cfg, n->mac, 6);
	le_put16(cfg + 6, n->status);
	le_put16(cfg + 8, 1); /* max_virtqueue_pairs: only with MQ, one anyway */
	le_put16(cfg + 10, n->be.mtu ? n->be.mtu : 1500);
	memcpy(buf, cfg + offset, len);
}

static void net_reset(void *opaque)
{
	struct virtio_net *n = opaque;

	drop_pending(n);
	n->gso.len = 0;		 /* the rest of a frame being cut up is lost */
	n->tx_scheduled = false; /* the queue's suppression goes with it */
}

static const struct virtio_dev_ops net_ops = {
    .type = VIRTIO_ID_NET,
    .class_base = 0x02, /* network controller, Ethernet */
    .class_sub = 0x00,
    .features = 1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_GUEST_CSUM |
		1ull << VIRTIO_NET_F_GUEST_TSO4 | 1ull << VIRTIO_NET_F_MTU |
		1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_MRG_RXBUF |
		1ull << VIRTIO_NET_F_HOST_TSO4 | 1ull << VIRTIO_NET_F_HOST_ECN |
		1ull << VIRTIO_NET_F_STATUS,
    .num_queues = 2,
    .queue_max = 256,
    .config_size = CONFIG_SIZE,
    .config_read = net_config_read,
    .notify = net_notify,
    .reset = net_reset,
};

void virtio_net_init(struct virtio_net *n, struct guest_mem *mem, struct irq_line irq,
		     const uint8_t mac[6], const struct virtio_net_backend *be, const char *name)
{
	memset(n, 0, sizeof *n);
	memcpy(n->mac, mac, 6);
	n->status = VIRTIO_NET_S_LINK_UP;
	n->be = *be;
	n->lro = malloc(VIRTIO_NET_FRAME_MAX); /* none: no coalescing, frames go one by one */
	n->tso = malloc(VIRTIO_NET_FRAME_MAX); /* none: segmentation requests are dropped */
	virtio_pci_init(&n->vp, mem, &net_ops, n, irq, name);
	if (be->no_offload)
		n->vp.withheld = VIRTIO_NET_NO_OFFLOAD;
}

void virtio_net_destroy(struct virtio_net *n)
{
	drop_pending(n);
	free(n->lro);
	n->lro = NULL;
	free(n->tso);
	n->tso = NULL;
	virtio_pci_destroy(&n->vp);
}

static void device_reset(void *dev)
{
	struct virtio_net *n = dev;

	virtio_pci_machine_reset(&n->vp);
}

static void device_describe(const void *dev, char *buf, size_t len)
{
	const struct virtio_net *n = dev;
	size_t k;

	virtio_pci_describe(&n->vp, buf, len);
	k = strlen(buf);
	snprintf(buf + k, len - k,
		 " mac=%02x:%02x:%02x:%02x:%02x:%02x rx_packets=%llu rx_bytes=%llu "
		 "tx_packets=%llu tx_bytes=%llu rx_dropped=%llu tx_dropped=%llu rx_waiting=%u "
		 "rx_coalesced=%llu tx_segmented=%llu tx_bursts=%llu rx_bursts=%llu",
		 n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
		 (unsigned long long)n->st.rx_packets, (unsigned long long)n->st.rx_bytes,
		 (unsigned long long)n->st.tx_packets, (unsigned long long)n->st.tx_bytes,
		 (unsigned long long)n->st.rx_dropped, (unsigned long long)n->st.tx_dropped,
		 n->pend_count, (unsigned long long)n->rx_coalesced,
		 (unsigned long long)n->tx_segmented, (unsigned long long)n->tx_bursts,
		 (unsigned long long)n->rx_bursts);
}

/* Save/restore, version 2 (1: the transport without MSI-X): the transport, the link status, the
 * frames waiting for receive buffers (each 14..65550 bytes, at most VIRTIO_NET_RX_PENDING of them
 * and PENDING_BYTES_MAX together, as keep() bounds them) and the counters. The MAC address and the
 * backend are the configuration's; the backend's own connections are not here, nor the segments of
 * a large frame not taken yet (HOST_TSO4): they are lost as on a wire, and the guest's TCP sends
 * them again. */
static void device_save(const void *dev, struct state_out *o)
{
	const struct virtio_net *n = dev;
	const uint64_t c[] = {n->st.rx_packets, n->st.rx_bytes,	  n->st.tx_packets,
			      n->st.tx_bytes,	n->st.rx_dropped, n->st.tx_dropped};

	virtio_pci_save(&n->vp, o);
	state_put_u16(o, n->status);
	state_put_u32(o, n->pend_count);
	for (unsigned i = 0; i < n->pend_count; i++) {
		const struct virtio_net_frame *f =
		    &n->pending[(n->pend_head + i) % VIRTIO_NET_RX_PENDING];

		state_put_u32(o, f->len);
		state_put_bytes(o, f->data, f->len);
	}
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		state_put_u64(o, c[i]);
}

static void free_frames(struct virtio_net_frame *f, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		free(f[i].data);
}

/* The waiting frames into f; returns how many were allocated (all of
 * them unless in failed). */
static unsigned load_frames(struct state_in *in, struct virtio_net_frame *f)
{
	uint32_t count = state_get_max(in, VIRTIO_NET_RX_PENDING);
	size_t total = 0;
	unsigned i;

	for (i = 0; i < count && !in->failed; i++) {
		uint32_t len = state_get_u32(in);

		total += len;
		if (len < VIRTIO_NET_FRAME_MIN || len > VIRTIO_NET_FRAME_MAX ||
		    total > PENDING_BYTES_MAX || len > in->len - in->pos) {
			in->failed = true;
			break;
		}
		f[i].len = len;
		f[i].data = malloc(len);
		if (!f[i].data) {
			in->failed = true;
			break;
		}
		state_get_bytes(in, f[i].data, len);
	}
	return i;
}

static int device_load(void *dev, struct state_in *in, uint32_t from)
{
	struct virtio_net *n = dev;
	struct virtio_net_frame f[VIRTIO_NET_RX_PENDING];
	struct virtio_pci_saved s;
	uint16_t status;
	unsigned count;
	uint64_t c[6];

	if (virtio_pci_load(&n->vp, in, from, &s) < 0)
		return -1;
	status = state_get_u16(in);
	count = load_frames(in, f);
	for (size_t i = 0; i < 6; i++)
		c[i] = state_get_u64(in);
	if (!state_in_done(in) || (status & ~VIRTIO_NET_S_LINK_UP)) {
		free_frames(f, count);
		return -1;
	}
	virtio_pci_commit(&n->vp, &s); /* drops the frames waiting before */
	n->status = status;
	memcpy(n->pending, f, count * sizeof f[0]);
	n->pend_head = 0;
	n->pend_count = count;
	n->st = (struct virtio_net_stats){c[0], c[1], c[2], c[3], c[4], c[5]};
	/* A round due when the state was saved is not: notifications on
	 * again (the used ring in guest RAM may say NO_NOTIFY), and the
	 * chains the driver left waiting taken in a new one. */
	if (virtio_pci_notify_on(&n->vp, TRANSMITQ))
		schedule_tx(n);
	return 0;
}

const struct device_ops virtio_net_device_ops = {.reset = device_reset,
						 .describe = device_describe,
						 .version = VIRTIO_PCI_SAVE_VERSION,
						 .save = device_save,
						 .load = device_load};
