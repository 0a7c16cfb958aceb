#include "hv/net/usernet.h"

#include <errno.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/clock.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"
#include "hv/core/state.h"

#define NET_BASE 0x0A000200u /* 10.0.2.0/24 */
#define NET_MASK 0xFFFFFF00u
#define NET_HOST 0x0A000202u
#define NET_DHCP 0x0A00020Fu
#define NET_DNS	 0x0A000203u
#define NET_MTU	 1500
#define FDS_MAX	 1024 /* the sandbox's descriptor limit */

/* One descriptor slirp polls: a source in the event loop while slirp
 * wants it. Slots keep their index (slirp's poll index) until the next
 * fill; fd < 0 is a free slot. */
struct unet_fd {
	int fd;
	int handle; /* evloop source */
	short want; /* poll events slirp asked for in the last fill */
	short got;  /* revents since the last slirp_pollfds_poll */
	struct usernet *u;
};

struct unet_timer {
	struct usernet *u;
	SlirpTimerCb cb; /* timer_new's; NULL for timer_new_opaque's */
	void *cb_opaque;
	SlirpTimerId id;
	int handle; /* evloop timer, 0 when not armed */
};

struct usernet {
	struct evloop *loop;
	Slirp *slirp;
	struct usernet_ops ops;
	struct unet_fd *fds;
	size_t nfds, capfds;
	uint32_t timeout_ms; /* what slirp asked for at the last fill */
	int hook;
	char name[64];
};

static short to_poll(int ev)
{
	return (short)(((ev & SLIRP_POLL_IN) ? POLLIN : 0) | ((ev & SLIRP_POLL_OUT) ? POLLOUT : 0) |
		       ((ev & SLIRP_POLL_PRI) ? POLLPRI : 0) |
		       ((ev & SLIRP_POLL_ERR) ? POLLERR : 0) |
		       ((ev & SLIRP_POLL_HUP) ? POLLHUP : 0));
}

static int from_poll(short ev)
{
	return ((ev & POLLIN) ? SLIRP_POLL_IN : 0) | ((ev & POLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((ev & POLLPRI) ? SLIRP_POLL_PRI : 0) |
	       ((ev & (POLLERR | POLLNVAL)) ? SLIRP_POLL_ERR : 0) |
	       ((ev & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

/* ---- descriptors ---- */

static short fd_events(void *opaque)
{
	return ((struct unet_fd *)opaque)->want;
}

static void fd_ready(void *opaque, int fd, short revents)
{
	struct unet_fd *f = opaque;

	(void)fd;
	f->got |= revents;
}

static const struct evloop_source_ops fd_ops = {.events = fd_events, .ready = fd_ready};

/* The slot of fd, or a new one; -1 when the table is full. */
static int slot_of(struct usernet *u, int fd)
{
	size_t free_at = u->nfds;

	for (size_t i = 0; i < u->nfds; i++) {
		if (u->fds[i].fd == fd)
			return (int)i;
		if (u->fds[i].fd < 0 && free_at == u->nfds)
			free_at = i;
	}
	if (free_at == u->nfds) {
		if (u->nfds == FDS_MAX)
			return -1;
		if (u->nfds == u->capfds) {
			/* The loop holds pointers to the slots: they never move,
			 * so the table is allocated once at its largest. */
			return -1;
		}
		u->nfds++;
	}
	u->fds[free_at] = (struct unet_fd){.fd = fd, .handle = 0, .u = u};
	return (int)free_at;
}

static int add_poll(int fd, int events, void *opaque)
{
	struct usernet *u = opaque;
	int i = slot_of(u, fd);

	if (i < 0) {
		log_guest("net %s: more than %d sockets; one is not polled", u->name, FDS_MAX);
		return -1;
	}
	u->fds[i].want |= to_poll(events);
	return i;
}

static int get_revents(int idx, void *opaque)
{
	struct usernet *u = opaque;

	if (idx < 0 || (size_t)idx >= u->nfds || u->fds[idx].fd < 0)
		return 0;
	return from_poll(u->fds[idx].got);
}

/* Asks slirp which descriptors it wants now and makes the loop's sources
 * match: new ones added, ones slirp no longer polls (closed) removed. */
static void refill(struct usernet *u)
{
	for (size_t i = 0; i < u->nfds; i++)
		u->fds[i].want = 0;
	u->timeout_ms = UINT32_MAX;
	slirp_pollfds_fill(u->slirp, &u->timeout_ms, add_poll, u);
	for (size_t i = 0; i < u->nfds; i++) {
		struct unet_fd *f = &u->fds[i];

		if (f->fd < 0)
			continue;
		if (!f->want) {
			if (f->handle > 0)
				evloop_remove_fd(u->loop, f->handle);
			f->fd = -1;
			f->handle = 0;
		} else if (!f->handle) {
			f->handle = evloop_add_fd(u->loop, f->fd, &fd_ops, f);
			if (f->handle < 0)
				f->handle = 0; /* out of memory: tried again next round */
		}
	}
	while (u->nfds && u->fds[u->nfds - 1].fd < 0)
		u->nfds--;
}

/* After every round of the loop: slirp reads what its sockets reported,
 * runs its TCP timers, and says what to poll next. */
static void hook_run(void *opaque)
{
	struct usernet *u = opaque;

	slirp_pollfds_poll(u->slirp, 0, get_revents, u);
	for (size_t i = 0; i < u->nfds; i++)
		u->fds[i].got = 0;
	refill(u);
	if (u->ops.flush)
		u->ops.flush(u->ops.opaque);
}

static int hook_timeout(void *opaque)
{
	const struct usernet *u = opaque;

	return u->timeout_ms > 60000 ? 60000 : (int)u->timeout_ms;
}

static const struct evloop_hook_ops hook_ops = {.timeout_ms = hook_timeout, .run = hook_run};

/* ---- slirp's callbacks ---- */

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
	struct usernet *u = opaque;

	u->ops.receive(u->ops.opaque, buf, len);
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	struct usernet *u = opaque;

	log_guest("net %s: %s", u->name, msg);
}

static int64_t clock_ns(void *opaque)
{
	(void)opaque;
	return host_now_ns();
}

static void timer_fired(void *opaque)
{
	struct unet_timer *t = opaque;

	t->handle = 0;
	if (t->cb)
		t->cb(t->cb_opaque);
	else
		slirp_handle_timer(t->u->slirp, t->id, t->cb_opaque);
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct unet_timer *t = calloc(1, sizeof *t);

	if (t)
		*t = (struct unet_timer){.u = opaque, .cb = cb, .cb_opaque = cb_opaque};
	return t;
}

static void *timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct unet_timer *t = calloc(1, sizeof *t);

	if (t)
		*t = (struct unet_timer){.u = opaque, .id = id, .cb_opaque = cb_opaque};
	return t;
}

static void timer_free(void *timer, void *opaque)
{
	struct unet_timer *t = timer;

	(void)opaque;
	if (t && t->handle)
		evloop_cancel_timer(t->u->loop, t->handle);
	free(t);
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct unet_timer *t = timer;

	(void)opaque;
	if (!t)
		return;
	if (t->handle)
		evloop_cancel_timer(t->u->loop, t->handle);
	t->handle = evloop_add_timer(t->u->loop, expire_ms * 1000000, timer_fired, t);
	if (t->handle < 0)
		t->handle = 0;
}

static void no_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque; /* descriptors are followed through the fill */
}

static void notify(void *opaque)
{
	(void)opaque; /* the hook refills after every round anyway */
}

static const SlirpCb callbacks = {
    .send_packet = send_packet,
    .guest_error = guest_error,
    .clock_get_ns = clock_ns,
    .timer_new = timer_new,
    .timer_free = timer_free,
    .timer_mod = timer_mod,
    .register_poll_fd = no_fd,
    .unregister_poll_fd = no_fd,
    .notify = notify,
    .timer_new_opaque = timer_new_opaque,
};

static struct in_addr addr(uint32_t a)
{
	return (struct in_addr){.s_addr = htonl(a)};
}

struct usernet *usernet_create(struct evloop *loop, const char *name, unsigned mtu,
			       const struct usernet_ops *ops, char *err, size_t errlen)
{
	struct usernet *u = calloc(1, sizeof *u);
	SlirpConfig cfg = {
	    .version = 4,
	    .in_enabled = true,
	    .vnetwork = addr(NET_BASE),
	    .vnetmask = addr(NET_MASK),
	    .vhost = addr(NET_HOST),
	    .vdhcp_start = addr(NET_DHCP),
	    .vnameserver = addr(NET_DNS),
	    .if_mtu = mtu ? mtu : NET_MTU,
	    .if_mru = mtu ? mtu : NET_MTU,
	};

	if (!u || !(u->fds = calloc(FDS_MAX, sizeof *u->fds))) {
		free(u);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->capfds = FDS_MAX;
	u->loop = loop;
	u->ops = *ops;
	snprintf(u->name, sizeof u->name, "%s", name);
	cfg.vhostname = u->name;
	u->slirp = slirp_new(&cfg, &callbacks, u);
	u->hook = u->slirp ? evloop_add_hook(loop, &hook_ops, u) : -1;
	if (u->hook < 0) {
		snprintf(err, errlen, "user network: cannot start libslirp");
		usernet_free(u);
		return NULL;
	}
	refill(u);
	return u;
}

int usernet_add_hostfwd(struct usernet *u, bool udp, uint32_t host_addr, uint16_t host_port,
			uint32_t guest_addr, uint16_t guest_port, char *err, size_t errlen)
{
	errno = 0;
	if (slirp_add_hostfwd(u->slirp, udp, addr(host_addr), host_port, addr(guest_addr),
			      guest_port) == 0) {
		refill(u);
		return 0;
	}
	snprintf(err, errlen, "hostfwd %s:%u.%u.%u.%u:%u: cannot listen there (%s)",
		 udp ? "udp" : "tcp", host_addr >> 24, host_addr >> 16 & 255, host_addr >> 8 & 255,
		 host_addr & 255, host_port, errno ? strerror(errno) : "port in use?");
	return -1;
}

void usernet_input(struct usernet *u, const uint8_t *frame, size_t len)
{
	slirp_input(u->slirp, frame, (int)len);
}

/* ---- state ---- */

static ssize_t save_bytes(const void *buf, size_t len, void *opaque)
{
	state_put_bytes(opaque, buf, len);
	return (ssize_t)len;
}

int usernet_state_put(struct usernet *u, struct state_out *o, char *err, size_t errlen)
{
	struct state_out s = {0};
	int rc = -1;

	slirp_state_save(u->slirp, save_bytes, &s);
	if (s.failed)
		snprintf(err, errlen, "user network: out of memory");
	else if (s.len == 0 || s.len > USERNET_STATE_MAX || s.p[0] != 0)
		snprintf(err, errlen,
			 "user network: libslirp's state (%zu bytes) is not one hv saves", s.len);
	else
		rc = 0;
	if (rc == 0) {
		state_put_u32(o, (uint32_t)slirp_state_version());
		state_put_u32(o, (uint32_t)s.len);
		state_put_bytes(o, s.p, s.len);
	}
	state_out_free(&s);
	return rc;
}

struct load_src {
	const uint8_t *p;
	size_t len, off;
	bool short_read;
};

/* libslirp reads a failed read as zeros: the failure is kept here. */
static ssize_t load_bytes(void *buf, size_t len, void *opaque)
{
	struct load_src *s = opaque;

	if (len > s->len - s->off) {
		s->short_read = true;
		return -1;
	}
	memcpy(buf, s->p + s->off, len);
	s->off += len;
	return (ssize_t)len;
}

int usernet_state_get(struct usernet *u, struct state_in *in, char *err, size_t errlen)
{
	uint8_t buf[USERNET_STATE_MAX];
	uint32_t version = state_get_u32(in);
	uint32_t len = state_get_max(in, USERNET_STATE_MAX);
	struct load_src src = {.p = buf};

	if (!in->failed)
		state_get_bytes(in, buf, len);
	if (in->failed) {
		snprintf(err, errlen, "user network: state cut short or over %u bytes",
			 USERNET_STATE_MAX);
		return -1;
	}
	if (version < 1 || version > (uint32_t)slirp_state_version()) {
		snprintf(err, errlen,
			 "user network: libslirp state version %u; this libslirp reads 1 to %d",
			 version, slirp_state_version());
		return -1;
	}
	/* A first byte other than 0 is a guest forward's socket: hv makes
	 * none, and libslirp would refuse it only after building it. */
	if (len == 0 || buf[0] != 0) {
		snprintf(err, errlen, "user network: the state holds sockets; hv forwards none");
		return -1;
	}
	src.len = len;
	if (slirp_state_load(u->slirp, (int)version, load_bytes, &src) < 0 || src.short_read ||
	    src.off != len) {
		snprintf(err, errlen, "user network: libslirp's state is not valid (%s)",
			 src.short_read	  ? "cut short"
			 : src.off != len ? "bytes left over"
					  : "refused");
		return -1;
	}
	return 0;
}

void usernet_free(struct usernet *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nfds; i++)
		if (u->fds[i].fd >= 0 && u->fds[i].handle > 0)
			evloop_remove_fd(u->loop, u->fds[i].handle);
	if (u->hook > 0)
		evloop_remove_hook(u->loop, u->hook);
	if (u->slirp)
		slirp_cleanup(u->slirp);
	free(u->fds);
	free(u);
}
