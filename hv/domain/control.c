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
#include "hv/domain/control_int.h"
#include "hv/domain/domain.h"
#include "hv/core/log.h"
#include "hv/core/runtime.h"
#include "legacy/pc.h"

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

struct control *control_create(struct domain *d, char *err, size_t errlen)
{
	struct control *c = calloc(1, sizeof *c);

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	c->stdin_open = d->serial.in_fd >= 0;
	c->stdin2_open = d->serial2.in_fd >= 0;
	install_signals(d->wake_fd);
	return c;
}

void control_free(struct control *c)
{
	for (int i = 0; i < c->nclients; i++)
		close(c->clients[i].fd);
	free(c);
}

static void drop_client(struct control *c, int i)
{
	if (c->clients[i].fd >= 0)
		close(c->clients[i].fd);
	c->clients[i] = c->clients[--c->nclients];
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

static void accept_client(struct control *c)
{
	struct domain *d = c->d;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *cl;

	if (fd < 0)
		return;
	if (c->nclients == MAX_CLIENTS) {
		dprintf(fd, "error too many clients\n");
		close(fd);
		return;
	}
	cl = &c->clients[c->nclients++];
	*cl = (struct client){.fd = fd};
	control_reply(cl, "hv-control %d id=%d name=%s\n", CONTROL_PROTOCOL_VERSION, d->id,
		      d->cfg.name);
}

struct console *control_port_console(struct domain *d, unsigned port)
{
	if (port == 1 && d->cfg.serial.kind != CHARDEV_NONE)
		return &d->console;
	if (port == 2 && d->cfg.serial2.kind != CHARDEV_NONE)
		return &d->console2;
	return NULL;
}

void control_pump_input(struct domain *d)
{
	uint8_t buf[PC_SERIAL_ROOM_MAX];
	size_t n;

	if (d->cfg.serial.kind == CHARDEV_NONE && d->cfg.serial2.kind == CHARDEV_NONE)
		return;
	machine_lock_host(&d->machine);
	if (d->cfg.serial.kind != CHARDEV_NONE) {
		n = console_take_input(&d->console, buf, pc_serial_room(d->pc, 0));
		if (n) {
			pc_serial_receive(d->pc, 0, buf, n);
			machine_kick(&d->machine);
		}
	}
	if (d->cfg.serial2.kind != CHARDEV_NONE) {
		n = console_take_input(&d->console2, buf, pc_serial_room(d->pc, 1));
		if (n) {
			pc_serial_receive(d->pc, 1, buf, n);
			machine_kick(&d->machine);
		}
	}
	machine_unlock_host(&d->machine);
}

void control_push_console(struct domain *d, struct client *cl)
{
	struct console *con = control_port_console(d, cl->port);
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
		size_t n = (size_t)(nl - cl->in) + 1;
		*nl = '\0';
		if (n > 1 && nl[-1] == '\r')
			nl[-1] = '\0'; /* socat and telnet-style clients */
		control_run_command(c, cl, cl->in);
		memmove(cl->in, cl->in + n, cl->in_len - n);
		cl->in_len -= n;
	}
	if (cl->console && cl->in_len) {
		/* Bytes that followed "console" in the same packet. */
		console_input(control_port_console(c->d, cl->port), cl->in, cl->in_len);
		cl->in_len = 0;
		control_pump_input(c->d);
	} else if (cl->in_len == sizeof cl->in) {
		control_reply(cl, "error line too long\n");
		cl->closing = true;
	}
}

static void read_client(struct control *c, struct client *cl)
{
	ssize_t n = read(cl->fd, cl->in + cl->in_len, sizeof cl->in - cl->in_len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cl->out_len = 0;
		cl->closing = true;
		return;
	}
	cl->in_len += (size_t)n;
	take_lines(c, cl);
}

/* Input from a serial port's host end (the terminal or a pty). */
static void read_host_end(struct control *c, struct chardev *end, struct console *con, bool *open)
{
	char buf[256];
	ssize_t n = read(end->in_fd, buf, sizeof buf);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		*open = false; /* stdin at EOF: the guest just gets no more input */
		return;
	}
	console_input(con, buf, (size_t)n);
	control_pump_input(c->d);
}

enum {
	PFD_WAKE,
	PFD_LISTEN,
	PFD_CONSOLE,
	PFD_SERIAL_IN,
	PFD_CONSOLE2,
	PFD_SERIAL2_IN,
	PFD_CLIENTS
};

static int poll_timeout(struct control *c, int64_t deadline)
{
	int64_t ms = -1;

	if ((c->d->cfg.serial.kind != CHARDEV_NONE && console_input_pending(&c->d->console)) ||
	    (c->d->cfg.serial2.kind != CHARDEV_NONE && console_input_pending(&c->d->console2)))
		ms = 10; /* input waits for room in the UART FIFO */
	int display_ms = display_timeout_ms(&c->d->display, host_now_ns());

	if (display_ms >= 0 && (ms < 0 || display_ms < ms))
		ms = display_ms;
	if (deadline) {
		int64_t left = (deadline - host_now_ns()) / 1000000 + 1;
		if (left < 0)
			left = 0;
		if (ms < 0 || left < ms)
			ms = left;
	}
	return ms > 60000 ? 60000 : (int)ms;
}

static int fill_pollfds(struct control *c, struct pollfd *p)
{
	struct domain *d = c->d;
	bool com1 = d->cfg.serial.kind != CHARDEV_NONE, com2 = d->cfg.serial2.kind != CHARDEV_NONE;

	p[PFD_WAKE] = (struct pollfd){.fd = d->wake_fd, .events = POLLIN};
	p[PFD_LISTEN] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
	p[PFD_CONSOLE] = (struct pollfd){.fd = com1 ? d->console.notify_fd : -1, .events = POLLIN};
	p[PFD_SERIAL_IN] =
	    (struct pollfd){.fd = c->stdin_open ? d->serial.in_fd : -1, .events = POLLIN};
	p[PFD_CONSOLE2] =
	    (struct pollfd){.fd = com2 ? d->console2.notify_fd : -1, .events = POLLIN};
	p[PFD_SERIAL2_IN] =
	    (struct pollfd){.fd = c->stdin2_open ? d->serial2.in_fd : -1, .events = POLLIN};
	for (int i = 0; i < c->nclients; i++) {
		struct client *cl = &c->clients[i];
		struct console *con = cl->console ? control_port_console(d, cl->port) : NULL;
		p[PFD_CLIENTS + i] = (struct pollfd){.fd = cl->fd, .events = POLLIN};
		if (cl->out_len || (con && cl->pos < console_head(con)))
			p[PFD_CLIENTS + i].events |= POLLOUT;
	}
	return PFD_CLIENTS + c->nclients +
	       display_pollfds(&d->display, p + PFD_CLIENTS + c->nclients, DISPLAY_MAX_VIEWERS);
}

static void service_clients(struct control *c, const struct pollfd *p, int n)
{
	/* Backwards, so dropping client i (which moves the last one into its
	 * slot) never skips an unserviced one. */
	for (int i = n - 1; i >= 0; i--) {
		struct client *cl = &c->clients[i];
		short ev = p[PFD_CLIENTS + i].revents;
		if (ev & (POLLIN | POLLHUP | POLLERR))
			read_client(c, cl);
		if (!cl->closing && (ev & POLLOUT))
			control_flush_client(cl);
		if (!cl->closing && cl->console)
			control_push_console(c->d, cl);
		if (cl->closing)
			drop_client(c, i);
	}
}

static void service(struct control *c, struct pollfd *p)
{
	struct domain *d = c->d;
	int nclients = c->nclients, nviewers = d->display.nviewers;
	uint64_t v;

	if (p[PFD_WAKE].revents & POLLIN && read(d->wake_fd, &v, sizeof v) < 0) {
		/* Already drained. */
	}
	if (p[PFD_CONSOLE].revents & POLLIN)
		console_ack_notify(&d->console);
	if (p[PFD_SERIAL_IN].revents & (POLLIN | POLLHUP | POLLERR))
		read_host_end(c, &d->serial, &d->console, &c->stdin_open);
	if (p[PFD_CONSOLE2].revents & POLLIN)
		console_ack_notify(&d->console2);
	if (p[PFD_SERIAL2_IN].revents & (POLLIN | POLLHUP | POLLERR))
		read_host_end(c, &d->serial2, &d->console2, &c->stdin2_open);
	display_service(&d->display, p + PFD_CLIENTS + nclients, nviewers);
	service_clients(c, p, nclients);
	if (p[PFD_LISTEN].revents & POLLIN)
		accept_client(c);
	control_pump_input(d);
}

/* Renders the screen when viewers wait for a frame, then tells them. */
static void refresh_display(struct domain *d)
{
	int64_t now = host_now_ns();
	const char *state;

	if (d->display.nviewers == 0) {
		if (display_release_due(&d->display)) {
			machine_lock_host(&d->machine);
			display_release(&d->display);
			machine_unlock_host(&d->machine);
		}
		return;
	}
	machine_lock_host(&d->machine);
	if (display_refresh_due(&d->display, now))
		display_render(&d->display, now);
	state = domain_state_name(d);
	machine_unlock_host(&d->machine);
	display_publish(&d->display, state);
}

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
		struct client *cl = &c->clients[i];
		control_flush_client(cl);
		if (cl->console)
			control_push_console(c->d, cl);
	}
}

int control_loop(struct control *c, int64_t deadline)
{
	struct pollfd p[PFD_CLIENTS + MAX_CLIENTS + DISPLAY_MAX_VIEWERS];

	while (!domain_over(c->d)) {
		int n = fill_pollfds(c, p);
		int rc = poll(p, (nfds_t)n, poll_timeout(c, deadline));
		if (rc < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			return -1;
		}
		if (stop_signal) {
			log_info("stopped by signal %d", (int)stop_signal);
			domain_destroy(c->d);
			c->d->exit_status = 128 + stop_signal;
			break;
		}
		if (rc > 0)
			service(c, p);
		refresh_display(c->d);
		if (deadline && host_now_ns() >= deadline)
			return 1;
	}
	return 0;
}
