#include "hv/domain/control.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv/core/ctl.h"
#include "hv/core/evloop.h"
#include "hv/domain/control_int.h"
#include "hv/domain/migrate.h"
#include "hv/domain/domain.h"
#include "hv/core/log.h"
#include "hv/core/runtime.h"

static volatile sig_atomic_t stop_signal;
static int signal_wake_fd = -1;

static void on_signal(int sig)
{
	uint64_t one = 1;

	stop_signal = sig;
	if (signal_wake_fd >= 0 && write(signal_wake_fd, &one, sizeof one) < 0) {
		/* Nothing more can be done in a handler. */
	}
}

static void install_signals(int wake_fd)
{
	struct sigaction sa = {.sa_handler = on_signal};

	signal_wake_fd = wake_fd;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void accept_client(struct control *c);
static void drop_client(struct client *cl);
static const struct evloop_hook_ops expiry_ops;

/* The wake eventfd: the domain's state changed (domain_notify), or a
 * signal came; the loop looks at both after every round. */
static void wake_ready(void *opaque, int fd, short revents)
{
	uint64_t v;

	(void)opaque;
	(void)revents;
	if (read(fd, &v, sizeof v) < 0) {
		/* Already drained. */
	}
}

static const struct evloop_source_ops wake_ops = {.ready = wake_ready};

static void listen_ready(void *opaque, int fd, short revents)
{
	(void)fd;
	(void)revents;
	accept_client(opaque);
}

static const struct evloop_source_ops listen_ops = {.ready = listen_ready};

/* New output on a serial port's console: on to its console clients. */
static void console_ready(void *opaque, int fd, short revents)
{
	struct control *c = opaque;

	(void)revents;
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++)
		if (c->d->serial[i].present && c->d->serial[i].console.notify_fd == fd)
			console_ack_notify(&c->d->serial[i].console);
	/* Backwards: dropping client i moves the last one into its slot. */
	for (int i = c->nclients - 1; i >= 0; i--) {
		struct client *cl = c->clients[i];
		if (cl->console && !cl->closing)
			control_push_console(c->d, cl);
		if (cl->closing)
			drop_client(cl);
	}
}

static const struct evloop_source_ops console_ops = {.ready = console_ready};

static int watch(struct control *c, char *err, size_t errlen)
{
	struct domain *d = c->d;
	int rc = evloop_add_fd(d->loop, d->wake_fd, &wake_ops, c) < 0 ||
		 evloop_add_fd(d->loop, d->listen_fd, &listen_ops, c) < 0 ||
		 evloop_add_hook(d->loop, &expiry_ops, c) < 0;

	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++)
		if (d->serial[i].present)
			rc |= evloop_add_fd(d->loop, d->serial[i].console.notify_fd, &console_ops,
					    c) < 0;
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct control *control_create(struct domain *d, char *err, size_t errlen)
{
	struct control *c = calloc(1, sizeof *c);

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	if (watch(c, err, errlen) < 0) {
		free(c);
		return NULL;
	}
	install_signals(d->wake_fd);
	return c;
}

static void free_client(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	if (cl->passed_fd >= 0)
		close(cl->passed_fd);
	free(cl);
}

/* read() that also takes a descriptor sent with the bytes (SCM_RIGHTS):
 * the first one is kept in cl->passed_fd for the request it came with,
 * any others are closed at once. */
static ssize_t read_with_fd(struct client *cl)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = {cl->in + cl->in_len, sizeof cl->in - cl->in_len};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n = recvmsg(cl->fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t nfd;
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
			if (cl->passed_fd < 0)
				cl->passed_fd = fd;
			else
				close(fd);
		}
	}
	return n;
}

void control_free(struct control *c)
{
	for (int i = 0; i < c->nclients; i++)
		free_client(c->clients[i]);
	free(c);
}

static void drop_client(struct client *cl)
{
	struct control *c = cl->c;

	evloop_remove_fd(c->d->loop, cl->handle);
	domain_migrate_cancel(c->d, cl, "the hv migrate that started it is gone");
	if (cl->console)
		c->nstreams--;
	for (int i = 0; i < c->nclients; i++)
		if (c->clients[i] == cl)
			c->clients[i] = c->clients[--c->nclients];
	free_client(cl);
}

void control_flush_client(struct client *cl)
{
	while (cl->out_len > 0) {
		ssize_t n = send(cl->fd, cl->out, cl->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			cl->out_len = 0;
			cl->closing = true;
			return;
		}
		memmove(cl->out, cl->out + n, cl->out_len - (size_t)n);
		cl->out_len -= (size_t)n;
	}
}

void control_reply(struct client *cl, const char *fmt, ...)
{
	size_t room = sizeof cl->out - cl->out_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cl->out + cl->out_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		/* A client that sends requests without reading replies. */
		cl->closing = true;
		return;
	}
	cl->out_len += (size_t)n;
	control_flush_client(cl);
}

void control_push_console(struct domain *d, struct client *cl)
{
	struct console *con = domain_serial_console(d, cl->port);
	char buf[4096];

	while (con && cl->out_len == 0) {
		uint64_t pos = cl->pos;
		size_t n = console_read(con, &pos, buf, sizeof buf, &cl->lost);
		ssize_t w;
		if (n == 0)
			return;
		w = send(cl->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return; /* it reads slowly: resume from cl->pos later */
		if (w <= 0) {
			cl->closing = true;
			return;
		}
		cl->pos = pos - (n - (size_t)w);
	}
}

static void take_lines(struct control *c, struct client *cl)
{
	char *nl;

	while (!cl->console && !cl->closing && (nl = memchr(cl->in, '\n', cl->in_len))) {
		size_t n = (size_t)(nl - cl->in) + 1, len = n - 1;
		if (len && cl->in[len - 1] == '\r')
			len--; /* socat and telnet-style clients */
		cl->active_ns = host_now_ns();
		if (memchr(cl->in, '\0', len)) {
			control_reply(cl, "error a request holds a NUL byte\n");
		} else {
			cl->in[len] = '\0';
			control_run_command(c, cl, cl->in);
		}
		memmove(cl->in, cl->in + n, cl->in_len - n);
		cl->in_len -= n;
	}
	if (cl->console && cl->in_len) {
		/* Bytes that followed "console" in the same packet. */
		console_input(domain_serial_console(c->d, cl->port), cl->in, cl->in_len);
		cl->in_len = 0;
		domain_serial_pump(c->d);
	} else if (cl->in_len == sizeof cl->in) {
		control_reply(cl, "error line too long\n");
		cl->closing = true;
	}
	if (!cl->in_len)
		cl->partial_ns = 0;
	else if (!cl->partial_ns)
		cl->partial_ns = host_now_ns();
}

static void read_client(struct client *cl)
{
	ssize_t n = read_with_fd(cl);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cl->out_len = 0;
		cl->closing = true;
		return;
	}
	cl->in_len += (size_t)n;
	take_lines(cl->c, cl);
	/* A descriptor no request of these lines took is not kept. */
	if (cl->passed_fd >= 0 && !cl->in_len) {
		close(cl->passed_fd);
		cl->passed_fd = -1;
	}
}

/* Replies waiting to go out, or console output the client has not had. */
static short client_events(void *opaque)
{
	struct client *cl = opaque;
	struct console *con = cl->console ? domain_serial_console(cl->c->d, cl->port) : NULL;

	if (cl->out_len || (con && cl->pos < console_head(con)))
		return POLLIN | POLLOUT;
	return POLLIN;
}

static void client_ready(void *opaque, int fd, short revents)
{
	struct client *cl = opaque;

	(void)fd;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_client(cl);
	if (!cl->closing && (revents & POLLOUT))
		control_flush_client(cl);
	if (!cl->closing && cl->console)
		control_push_console(cl->c->d, cl);
	if (cl->closing)
		drop_client(cl);
}

static const struct evloop_source_ops client_ops = {client_events, client_ready};

/* At the limit, the request connection used least recently makes room:
 * a client that holds connections cannot lock the toolstack out (console
 * streams are bounded by MAX_STREAMS, so there is always one). */
static bool make_room(struct control *c)
{
	struct client *lru = NULL;

	if (c->nclients < MAX_CLIENTS)
		return true;
	for (int i = 0; i < c->nclients; i++) {
		struct client *cl = c->clients[i];
		if (!cl->console && (!lru || cl->active_ns < lru->active_ns))
			lru = cl;
	}
	if (!lru)
		return false;
	log_warn("control: %d connections: closing the one used least recently", MAX_CLIENTS);
	dprintf(lru->fd, "error too many clients: this connection was the least recently used\n");
	drop_client(lru);
	return true;
}

/* Only the domain's own user (or root) may drive it; the runtime
 * directory's mode already says so, this holds if it is ever loosened. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == getuid() || cred.uid == 0;
}

static void accept_client(struct control *c)
{
	struct domain *d = c->d;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *cl;

	if (fd < 0)
		return;
	if (!peer_allowed(fd)) {
		dprintf(fd, "error permission denied\n");
		close(fd);
		return;
	}
	cl = make_room(c) ? calloc(1, sizeof *cl) : NULL;
	if (!cl) {
		dprintf(fd, "error too many clients\n");
		close(fd);
		return;
	}
	*cl = (struct client){.c = c, .fd = fd, .passed_fd = -1, .active_ns = host_now_ns()};
	cl->handle = evloop_add_fd(d->loop, fd, &client_ops, cl);
	if (cl->handle < 0) {
		free_client(cl);
		return;
	}
	c->clients[c->nclients++] = cl;
	control_reply(cl, "hv-control %d id=%d name=%s\n", CONTROL_PROTOCOL_VERSION, d->id,
		      d->cfg.name);
}

/* When the next request connection runs out of time: a line left
 * unfinished, or no request for CLIENT_IDLE_NS. */
static int64_t client_deadline(const struct client *cl)
{
	if (cl->console)
		return 0;
	return cl->partial_ns ? cl->partial_ns + CLIENT_LINE_NS : cl->active_ns + CLIENT_IDLE_NS;
}

static int expiry_timeout(void *opaque)
{
	struct control *c = opaque;
	int64_t next = 0, now = host_now_ns();

	for (int i = 0; i < c->nclients; i++) {
		int64_t t = client_deadline(c->clients[i]);
		if (t && (!next || t < next))
			next = t;
	}
	if (!next)
		return -1;
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

static void expire_clients(void *opaque)
{
	struct control *c = opaque;
	int64_t now = host_now_ns();

	for (int i = c->nclients - 1; i >= 0; i--) {
		struct client *cl = c->clients[i];
		int64_t t = client_deadline(cl);
		if (!t || t > now)
			continue;
		dprintf(cl->fd, "error %s\n",
			cl->partial_ns ? "request not finished in time" : "idle for too long");
		drop_client(cl);
	}
}

static const struct evloop_hook_ops expiry_ops = {expiry_timeout, expire_clients};

static bool domain_over(struct domain *d)
{
	bool over;

	machine_lock_host(&d->machine);
	over = d->finished;
	machine_unlock_host(&d->machine);
	return over;
}

void control_flush(struct control *c)
{
	for (int i = 0; i < c->nclients; i++) {
		struct client *cl = c->clients[i];
		control_flush_client(cl);
		if (cl->console)
			control_push_console(c->d, cl);
	}
}

static void deadline_passed(void *opaque)
{
	*(bool *)opaque = true;
}

int control_loop(struct control *c, int64_t deadline)
{
	bool timed_out = false;

	if (deadline && evloop_add_timer(c->d->loop, deadline, deadline_passed, &timed_out) < 0) {
		log_error("out of memory");
		return -1;
	}
	while (!domain_over(c->d)) {
		if (evloop_run_once(c->d->loop, -1) < 0) {
			log_error("poll: %s", strerror(errno));
			return -1;
		}
		if (stop_signal) {
			log_info("stopped by signal %d", (int)stop_signal);
			domain_destroy(c->d);
			c->d->exit_status = 128 + stop_signal;
			break;
		}
		if (timed_out)
			return 1;
	}
	return 0;
}
