/* virtio-net (virtio 1.x section 5.1): one receive and one transmit queue,
 * a MAC address and a link-status word, and checksum offload both ways:
 * with VIRTIO_NET_F_CSUM the guest may leave a frame's TCP/UDP checksum
 * to the device (the header's NEEDS_CSUM, csum_start and csum_offset;
 * the device completes it before the backend sees the frame), and with
 * VIRTIO_NET_F_GUEST_CSUM received frames are marked DATA_VALID (the
 * user-mode network stack builds every frame with correct checksums), so
 * the guest's CPU neither computes nor checks them. The backend may have
 * a large MTU (up to 65520), which the device offers the guest
 * (VIRTIO_NET_F_MTU), and received frames spread over mergeable buffers
 * (VIRTIO_NET_F_MRG_RXBUF). With VIRTIO_NET_F_GUEST_TSO4 (which needs
 * GUEST_CSUM) frames handed over together (virtio_net_receive_many, or
 * waiting for buffers) that are consecutive segments of one TCP/IPv4
 * connection go to the guest as one large segment (gso_type TCPV4,
 * gso_size the segments' size), as a NIC's receive offload would: the
 * guest's stack takes one packet where it took dozens, and its receive
 * window, which the per-packet memory of small frames kept at a few
 * segments, opens. The other way, with VIRTIO_NET_F_HOST_TSO4 (and
 * HOST_ECN) the guest hands over TCP/IPv4 segments of up to 64 KiB
 * (gso_type TCPV4, gso_size its MSS) and the device cuts them into
 * gso_size-sized frames for the backend, as a NIC's send offload would
 * (virtio_net_tso.c): the guest's stack runs once per 64 KiB instead of
 * once per segment. Every packet carries the 12-byte struct virtio_net_hdr
 * of VERSION_1 in front.
 *
 * The device is a pipe between the guest and a backend the wiring
 * supplies (hv/net/ user networking): the guest's transmitted frames wait
 * in its transmit queue until the backend takes them
 * (virtio_net_take_tx, after tx_ready told it there are some); frames for
 * the guest go in with virtio_net_receive. Everything runs under the
 * domain lock.
 *
 * Guest buffers are untrusted: a transmit chain without a full header,
 * with a frame too large, asking for a checksum outside its frame or for
 * segmentation of anything but a well-formed TCP/IPv4 frame, or a receive
 * buffer too small for the frame, is a rate-limited log line, a counter
 * and a dropped packet. Frames that arrive
 * while the guest has no receive buffer wait in a bounded queue (VIRTIO_NET_RX_PENDING frames);
 * past it they are dropped and counted. */
#ifndef HV_VIRTIO_NET_H
#define HV_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/device.h"
#include "hv/virtio/virtio_pci.h"

#define VIRTIO_NET_F_CSUM	    0
#define VIRTIO_NET_F_GUEST_CSUM	    1
#define VIRTIO_NET_F_MTU	    3
#define VIRTIO_NET_F_GUEST_TSO4	    7
#define VIRTIO_NET_F_MAC	    5
#define VIRTIO_NET_F_HOST_TSO4	    11
#define VIRTIO_NET_F_HOST_ECN	    13
#define VIRTIO_NET_F_MRG_RXBUF	    15
#define VIRTIO_NET_F_STATUS	    16
#define VIRTIO_NET_S_LINK_UP	    1
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1 /* header flags */
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE	    0 /* header gso_type */
#define VIRTIO_NET_HDR_GSO_TCPV4    1
#define VIRTIO_NET_HDR_GSO_ECN	    0x80  /* or'ed in: the frame has CWR set */
#define VIRTIO_NET_HDR_LEN	    12	  /* VERSION_1's header, num_buffers included */
#define VIRTIO_NET_FRAME_MAX	    65550 /* largest frame accepted either way */
#define VIRTIO_NET_FRAME_MIN	    14	  /* an Ethernet header */
#define VIRTIO_NET_RX_PENDING	    256	  /* frames kept while the guest has no buffer */
#define VIRTIO_NET_MRG_BUFS_MAX	    256	  /* receive buffers one frame may take (= queue_max) */
#define VIRTIO_NET_RUN_MAX	    64	  /* frames coalesced into one at most */
#define VIRTIO_NET_TX_BUDGET	    512	  /* transmit chains taken per call at most */
/* The offloads a backend's no_offload withholds. */
#define VIRTIO_NET_NO_OFFLOAD                                                                      \
	(1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_GUEST_CSUM |                             \
	 1ull << VIRTIO_NET_F_GUEST_TSO4 | 1ull << VIRTIO_NET_F_HOST_TSO4 |                        \
	 1ull << VIRTIO_NET_F_HOST_ECN)

/* The backend: told (under the domain lock, from the vCPU thread or its
 * own) that a round of the transmit queue is due. It must not call back
 * into the device from there; it takes the frames later, in one call of
 * virtio_net_take_tx_many per tx_ready, as QEMU's bottom half does: from
 * the notification until a round finds the queue empty, the driver is
 * asked not to notify (it keeps queueing without exits), and each round's
 * completions go back as one burst. */
struct virtio_net_backend {
	void (*tx_ready)(void *opaque);
	void *opaque;
	/* The backend network's MTU, which the device tells the driver
	 * (VIRTIO_NET_F_MTU): 68..65535, 0 for 1500. */
	uint16_t mtu;
	/* Offer no checksum or segmentation offload (VIRTIO_NET_NO_OFFLOAD
	 * withheld): the guest sends and takes frames of the MTU with their
	 * checksums filled in, as QEMU's virtio-net on a backend without a
	 * vnet header (its user network). */
	bool no_offload;
};

struct virtio_net_stats {
	uint64_t rx_packets, rx_bytes; /* delivered to the guest */
	uint64_t tx_packets, tx_bytes; /* given to the backend */
	uint64_t rx_dropped;	       /* no buffer (queue full), driver not ready, too small */
	uint64_t tx_dropped;	       /* malformed transmit chains */
};

struct virtio_net_frame {
	uint32_t len;
	uint8_t *data;
};

/* A large TCP/IPv4 frame of the guest's being cut into segments
 * (VIRTIO_NET_F_HOST_TSO4), checked by virtio_net_gso_parse. */
struct virtio_net_gso {
	size_t len;    /* the frame's bytes; 0: none in progress */
	size_t ihl;    /* its IPv4 header's length */
	size_t hdr;    /* Ethernet + IPv4 + TCP headers */
	uint16_t mss;  /* gso_size: payload bytes per segment */
	unsigned next; /* the segment the backend takes next */
};

struct virtio_net {
	struct virtio_pci vp;
	struct virtio_net_backend be;
	uint8_t mac[6];
	uint16_t status; /* VIRTIO_NET_S_LINK_UP */
	/* Frames waiting for receive buffers: a ring of at most
	 * VIRTIO_NET_RX_PENDING. */
	struct virtio_net_frame pending[VIRTIO_NET_RX_PENDING];
	unsigned pend_head, pend_count;
	struct virtio_net_stats st;
	uint8_t *lro;	       /* VIRTIO_NET_FRAME_MAX bytes: a run coalesced; NULL: none */
	uint64_t rx_coalesced; /* frames that went in as part of a larger one */
	uint8_t *tso;	       /* VIRTIO_NET_FRAME_MAX bytes: the frame gso cuts up */
	struct virtio_net_gso gso;
	uint64_t tx_segmented; /* frames the backend got cut from larger ones */
	/* A transmit round is due (the bottom half of a notification): the
	 * backend was told, the queue's notifications are off until a round
	 * finds it empty with them back on. */
	bool tx_scheduled;
	uint64_t tx_bursts; /* rounds that took frames (tx_packets / tx_bursts: per burst) */
	uint64_t rx_bursts; /* receive bursts (one publish each) that delivered frames */
};

/* Sets n up on mem with the given MAC, interrupting through irq. */
void virtio_net_init(struct virtio_net *n, struct guest_mem *mem, struct irq_line irq,
		     const uint8_t mac[6], const struct virtio_net_backend *be, const char *name);

/* Unmaps its BAR and frees the frames still waiting. */
void virtio_net_destroy(struct virtio_net *n);

/* Delivers one Ethernet frame to the guest, or queues it while the guest
 * has no receive buffer (dropped when the queue is full or the driver is
 * not running). Returns true when it raised the interrupt (a running vCPU
 * may need a kick). */
bool virtio_net_receive(struct virtio_net *n, const uint8_t *frame, size_t len);

/* Delivers count frames (lens[i] bytes each, one after the other in
 * buf) as virtio_net_receive would, coalescing runs of TCP segments when
 * the guest took VIRTIO_NET_F_GUEST_TSO4. Returns true when it raised the
 * interrupt. */
bool virtio_net_receive_many(struct virtio_net *n, const uint8_t *buf, const uint32_t *lens,
			     unsigned count);

/* Receive coalescing (virtio_net_lro.c): when f[0] and the frames after
 * it are consecutive full-sized segments of one TCP/IPv4 connection
 * (ACK, PSH only on the last, the same header otherwise), writes them as
 * one frame into out (VIRTIO_NET_FRAME_MAX bytes: IPv4's 65535 at most),
 * its length into *len and the segments' payload size into *gso_size,
 * and returns how many frames it took (at most count); returns 1 and
 * leaves out alone when f[0] starts no run. */
struct virtio_net_view {
	const uint8_t *data;
	size_t len;
};
unsigned virtio_net_coalesce(uint8_t *out, const struct virtio_net_view *f, unsigned count,
			     size_t *len, uint16_t *gso_size);

/* Send segmentation (virtio_net_tso.c). virtio_net_gso_parse checks
 * frame f (len bytes) against the 12-byte transmit header h that asks
 * for GSO_TCPV4 (ecn: whether GSO_ECN may be or'ed in): an Ethernet
 * frame of IPv4 (options allowed, no fragment) carrying TCP with some
 * payload, the IPv4 total length the frame's, hdr_len within it, a
 * gso_size, NEEDS_CSUM at the TCP checksum. Fills g and returns NULL, or
 * returns what is wrong. virtio_net_gso_segment writes segment g->next
 * of f into out (at most len bytes) and steps g->next: the headers with
 * the IPv4 length, id (+ the segment's index) and checksum, the TCP
 * sequence number (+ the payload before it) and checksum made right,
 * FIN and PSH only on the last segment, CWR only on the first. Returns
 * its length, 0 after the last one. */
const char *virtio_net_gso_parse(const uint8_t *h, const uint8_t *f, size_t len, bool ecn,
				 struct virtio_net_gso *g);
size_t virtio_net_gso_segment(const uint8_t *f, struct virtio_net_gso *g, uint8_t *out);

/* Sets the IPv4 total length (len - 14), header checksum and TCP
 * checksum of the TCP/IPv4 frame f, whose IPv4 header is ihl bytes. */
void virtio_net_tcp4_sums(uint8_t *f, size_t len, size_t ihl);

/* Takes up to max frames the guest transmitted (or segments of the large
 * one being cut up), one after the other into buf (cap bytes; a frame
 * after the first only while VIRTIO_NET_FRAME_MAX bytes are left), their
 * lengths into lens. Returns how many, 0 when there are none. The
 * chains go back to the guest as one burst, with one interrupt at most
 * (*irq: raised). At most VIRTIO_NET_TX_BUDGET chains are taken per call
 * (dropped ones too: a guest that keeps refilling its ring with bad
 * chains cannot hold the caller). This is a round: stopped before the
 * queue was empty (max, cap or the budget), it calls tx_ready again with
 * notifications left off; having emptied it, it turns them on and looks
 * once more, and calls tx_ready again (notifications off) when chains
 * came meanwhile. */
unsigned virtio_net_take_tx_many(struct virtio_net *n, uint8_t *buf, size_t cap, uint32_t *lens,
				 unsigned max, bool *irq);

/* virtio_net_take_tx_many of one frame: its length, 0 when none. */
size_t virtio_net_take_tx(struct virtio_net *n, uint8_t *buf, size_t cap, bool *irq);

/* The Internet checksum (RFC 1071) of len bytes: the complement of
 * their 16-bit big-endian ones'-complement sum, an odd last byte padded
 * with zero. */
uint16_t virtio_net_csum(const uint8_t *p, size_t len);

/* Registry ops (opaque = the virtio_net). */
extern const struct device_ops virtio_net_device_ops;

#endif
