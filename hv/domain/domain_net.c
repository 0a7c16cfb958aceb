/* The domain's network: each vif is a virtio-net NIC on the PC wired to
 * its own user-mode network (hv/net/usernet.h) on the event loop.
 *
 * Frames the guest sends wait in the NIC's transmit queue: the vCPU's
 * notify only writes an eventfd (the NIC then asks the guest not to
 * notify again until a round has emptied the queue), and the event loop
 * takes them in a batch per round under the domain lock, then hands them
 * to libslirp without it. Frames for the guest are gathered as libslirp
 * makes them (at most RX_BATCH_FRAMES or RX_BATCH_BYTES) and go to the
 * NIC together, under one lock, with one used-ring publish and one kick,
 * after each round of the loop (usernet's hook: libslirp's answers to
 * the round's transmitted frames and what its sockets read; the NIC
 * coalesces runs of TCP segments among them when the guest takes them:
 * VIRTIO_NET_F_GUEST_TSO4). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hv/core/evloop.h"
#include "hv/core/kv.h"
#include "hv/core/log.h"
#include "hv/core/savefile.h"
#include "hv/core/state.h"
#include "hv/domain/domain.h"
#include "hv/net/usernet.h"
#include "hv/virtio/virtio_net.h"
#include "legacy/pc.h"

#define BATCH_BYTES	  (1u << 20) /* frames taken per lock */
#define BATCH_FRAMES	  512
#define RX_BATCH_BYTES	  (256u << 10) /* frames for the guest gathered at most */
#define RX_BATCH_FRAMES	  64
#define NET_STATE_VERSION 1 /* of the "usernet.N" sections */

struct domain_nic {
	struct domain *d;
	unsigned index;
	struct usernet *net;
	int efd;    /* eventfd: the guest has frames to send */
	int handle; /* its evloop source */
	uint8_t *buf;
	uint32_t lens[BATCH_FRAMES];
	uint8_t *rxbuf; /* frames for the guest, not handed over yet */
	size_t rxoff;
	unsigned rxcount;
	uint32_t rxlens[RX_BATCH_FRAMES];
};

static void kick(struct domain *d)
{
	machine_irq_kick(&d->machine);
}

/* vCPU thread, domain lock held. */
static void tx_ready(void *opaque)
{
	struct domain_nic *n = opaque;
	uint64_t one = 1;

	if (write(n->efd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_warn("net%u: eventfd: %s", n->index, strerror(errno));
}

/* Takes one batch of the guest's frames (their used buffers go back as
 * one burst, with one interrupt at most). Returns how many. */
static unsigned take_batch(struct domain_nic *n)
{
	struct domain *d = n->d;
	unsigned count;
	bool irq;

	machine_lock_host(&d->machine);
	count = pc_virtio_net_take_tx_many(d->pc, n->index, n->buf, BATCH_BYTES, n->lens,
					   BATCH_FRAMES, &irq);
	if (irq)
		kick(d);
	machine_unlock_host(&d->machine);
	return count;
}

/* The transmit round the NIC asked for (tx_ready): one batch. When it
 * left frames behind, or more came as it ended, the NIC has asked for
 * another (the eventfd again: the next round of the loop, after its
 * other sources). What libslirp answers at once (ACKs, ARP) goes to the
 * guest with the rest of the round's frames, after it (rx_flush from
 * usernet's hook). */
static void tx_event(void *opaque, int fd, short revents)
{
	struct domain_nic *n = opaque;
	unsigned count;
	size_t off = 0;
	uint64_t v;

	(void)revents;
	if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
		return;
	count = take_batch(n);
	for (unsigned i = 0; i < count; i++) {
		usernet_input(n->net, n->buf + off, n->lens[i]);
		off += n->lens[i];
	}
}

static const struct evloop_source_ops tx_ops = {.ready = tx_event};

/* Hands the gathered frames to the NIC: event loop, lock not held. */
static void rx_flush(void *opaque)
{
	struct domain_nic *n = opaque;
	struct domain *d = n->d;
	bool irq;

	if (!n->rxcount)
		return;
	machine_lock_host(&d->machine);
	irq = pc_virtio_net_receive_many(d->pc, n->index, n->rxbuf, n->rxlens, n->rxcount);
	if (irq)
		kick(d);
	machine_unlock_host(&d->machine);
	n->rxcount = 0;
	n->rxoff = 0;
}

/* A frame from the user network: event loop, lock not held. */
static void rx_frame(void *opaque, const uint8_t *frame, size_t len)
{
	struct domain_nic *n = opaque;

	if (len > RX_BATCH_BYTES) {
		rx_flush(n); /* keeps the order */
		machine_lock_host(&n->d->machine);
		if (pc_virtio_net_receive(n->d->pc, n->index, frame, len))
			kick(n->d);
		machine_unlock_host(&n->d->machine);
		return;
	}
	if (n->rxcount == RX_BATCH_FRAMES || RX_BATCH_BYTES - n->rxoff < len)
		rx_flush(n);
	memcpy(n->rxbuf + n->rxoff, frame, len);
	n->rxlens[n->rxcount++] = (uint32_t)len;
	n->rxoff += len;
}

static int add_forwards(struct domain_nic *n, const struct vif_config *c, char *err, size_t errlen)
{
	for (unsigned i = 0; i < c->nfwd; i++) {
		const struct vif_fwd *f = &c->fwd[i];

		if (usernet_add_hostfwd(n->net, f->udp, f->host_addr, f->host_port, f->guest_addr,
					f->guest_port, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int add_nic(struct domain *d, unsigned i, char *err, size_t errlen)
{
	const struct vif_config *c = &d->cfg.vifs[i];
	struct domain_nic *n = calloc(1, sizeof *n);
	struct virtio_net_backend be = {.tx_ready = tx_ready};
	struct usernet_ops ops = {.receive = rx_frame, .flush = rx_flush};
	uint8_t mac[6];
	int rc;

	if (!n || !(n->buf = malloc(BATCH_BYTES)) || !(n->rxbuf = malloc(RX_BATCH_BYTES))) {
		if (n)
			free(n->buf);
		free(n);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	d->nics[i] = n;
	n->d = d;
	n->index = i;
	n->efd = n->handle = -1;
	be.opaque = ops.opaque = n;
	if (c->mac_set)
		memcpy(mac, c->mac, sizeof mac);
	else
		vifspec_default_mac(d->cfg.uuid[0] ? d->cfg.uuid : d->cfg.name, i, mac);
	n->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (n->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	be.mtu = c->mtu;
	be.no_offload = c->no_offload;
	n->net = usernet_create(d->loop, d->cfg.name, c->mtu, &ops, err, errlen);
	if (!n->net || add_forwards(n, c, err, errlen) < 0)
		return -1;
	n->handle = evloop_add_fd(d->loop, n->efd, &tx_ops, n);
	if (n->handle < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	machine_lock_host(&d->machine);
	rc = pc_add_virtio_net(d->pc, i, mac, &be, err, errlen);
	machine_unlock_host(&d->machine);
	return rc;
}

int domain_net_setup(struct domain *d, char *err, size_t errlen)
{
	char where[PATH_MAX + 16], why[512];

	for (unsigned i = 0; i < d->cfg.nvifs; i++)
		if (add_nic(d, i, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s: vif %u: %s",
				 config_where(&d->cfg, d->cfg.line.vifs[i], where, sizeof where), i,
				 why);
			return -1;
		}
	return 0;
}

void domain_net_free(struct domain *d)
{
	for (unsigned i = 0; i < CONFIG_VIFS_MAX; i++) {
		struct domain_nic *n = d->nics[i];

		if (!n)
			continue;
		if (n->handle > 0)
			evloop_remove_fd(d->loop, n->handle);
		usernet_free(n->net);
		if (n->efd >= 0)
			close(n->efd);
		free(n->buf);
		free(n->rxbuf);
		free(n);
		d->nics[i] = NULL;
	}
}

/* ---- save and restore ---- */

static void section_name(unsigned i, char *name)
{
	snprintf(name, SAVEFILE_NAME_MAX, "usernet.%u", i);
}

int domain_net_save(struct domain *d, struct savefile_writer *w, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->cfg.nvifs; i++) {
		struct state_out o = {0};
		char name[SAVEFILE_NAME_MAX];
		int rc;

		section_name(i, name);
		if (usernet_state_put(d->nics[i]->net, &o, err, errlen) < 0) {
			state_out_free(&o);
			return -1;
		}
		rc = o.failed ? -1
			      : savefile_put(w, name, NET_STATE_VERSION, o.p, o.len, err, errlen);
		if (o.failed)
			snprintf(err, errlen, "%s: out of memory", name);
		state_out_free(&o);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A file from before these sections, or with fewer vifs, leaves the
 * others' user networks new (their state is DHCP leases: the guest asks
 * again); a section there must be valid. */
int domain_net_restore(struct domain *d, const struct savefile_reader *r, char *err, size_t errlen)
{
	for (unsigned i = 0; i < d->cfg.nvifs; i++) {
		char name[SAVEFILE_NAME_MAX];
		const struct savefile_section *s;
		struct state_in in;
		uint8_t *b;
		int rc;

		section_name(i, name);
		s = savefile_find(r, name);
		if (!s)
			continue;
		if (s->version != NET_STATE_VERSION) {
			snprintf(err, errlen,
				 "the save file's '%s' section is version %u; this hv reads %u",
				 name, s->version, NET_STATE_VERSION);
			return -1;
		}
		if (savefile_load(r, s, USERNET_STATE_MAX + 8, &b, err, errlen) < 0)
			return -1;
		in = state_in_make(b, (size_t)s->length);
		rc = usernet_state_get(d->nics[i]->net, &in, err, errlen);
		if (rc == 0 && !state_in_done(&in)) {
			snprintf(err, errlen, "%s: bytes left over", name);
			rc = -1;
		}
		free(b);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void put_u64(char *buf, size_t len, const char *key, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof s, "%" PRIu64, v);
	kv_put(buf, len, key, s);
}

void domain_net_info(struct domain *d, char *buf, size_t len)
{
	struct virtio_net_stats sum = {0}, st;

	if (!d->cfg.nvifs)
		return;
	machine_lock_host(&d->machine);
	for (unsigned i = 0; i < d->cfg.nvifs; i++) {
		pc_virtio_net_stats(d->pc, i, &st);
		sum.rx_packets += st.rx_packets;
		sum.rx_bytes += st.rx_bytes;
		sum.tx_packets += st.tx_packets;
		sum.tx_bytes += st.tx_bytes;
		sum.rx_dropped += st.rx_dropped;
		sum.tx_dropped += st.tx_dropped;
	}
	machine_unlock_host(&d->machine);
	put_u64(buf, len, "net_rx_bytes", sum.rx_bytes);
	put_u64(buf, len, "net_rx_packets", sum.rx_packets);
	put_u64(buf, len, "net_tx_bytes", sum.tx_bytes);
	put_u64(buf, len, "net_tx_packets", sum.tx_packets);
	put_u64(buf, len, "net_rx_dropped", sum.rx_dropped);
	put_u64(buf, len, "net_tx_dropped", sum.tx_dropped);
}
