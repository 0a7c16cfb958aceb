#include "hv/control.h"

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

#include "hv/ctl.h"
#include "hv/domain.h"
#include "hv/log.h"
#include "hv/runtime.h"
#include "legacy/pc.h"

#define MAX_CLIENTS   32
#define CLIENT_IN_MAX 1024

struct client {
	int fd;
	bool console; /* raw console stream mode */
	uint64_t pos; /* console: next output byte to send */
	uint64_t lost;
	char in[CLIENT_IN_MAX];
	size_t in_len;
	char out[CTL_LINE_MAX + 64]; /* pending reply bytes */
	size_t out_len;
	bool closing; /* close once out is flushed */
};

struct control {
	struct domain *d;
	struct client clients[MAX_CLIENTS];
	int nclients;
	bool stdin_open;
};

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
	close(c->clients[i].fd);
	c->clients[i] = c->clients[--c->nclients];
}

static void flush_client(struct client *cl)
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

static void reply(struct client *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reply(struct client *cl, const char *fmt, ...)
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
	flush_client(cl);
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
	reply(cl, "hv-control %d id=%d name=%s\n", CONTROL_PROTOCOL_VERSION, d->id, d->cfg.name);
}

static void pump_input(struct domain *d)
{
	uint8_t buf[UART_FIFO_SIZE];
	size_t n;

	if (d->cfg.serial.kind == CHARDEV_NONE)
		return;
	pthread_mutex_lock(&d->machine.lock);
	n = console_take_input(&d->console, buf, pc_com1_room(d->pc));
	if (n) {
		pc_com1_receive(d->pc, buf, n);
		machine_kick(&d->machine);
	}
	pthread_mutex_unlock(&d->machine.lock);
}

static void push_console(struct domain *d, struct client *cl)
{
	char buf[4096];

	while (cl->out_len == 0) {
		uint64_t pos = cl->pos;
		size_t n = console_read(&d->console, &pos, buf, sizeof buf, &cl->lost);
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

static int cmd_lifecycle(struct domain *d, struct client *cl, const char *cmd)
{
	char err[256];
	int rc;

	if (strcmp(cmd, "pause") == 0)
		rc = domain_pause(d, err, sizeof err);
	else if (strcmp(cmd, "unpause") == 0)
		rc = domain_unpause(d, err, sizeof err);
	else if (strcmp(cmd, "reboot") == 0)
		rc = domain_reboot(d, err, sizeof err);
	else if (strcmp(cmd, "destroy") == 0)
		rc = (domain_destroy(d), 0);
	else
		return 0;
	if (rc < 0)
		reply(cl, "error %s\n", err);
	else
		reply(cl, "ok\n");
	return 1;
}

static void cmd_console(struct domain *d, struct client *cl, const char *arg)
{
	if (d->cfg.serial.kind == CHARDEV_NONE) {
		reply(cl, "error domain '%s' has no serial console (serial = \"none\")\n",
		      d->cfg.name);
		return;
	}
	if (*arg && strcmp(arg, "live") != 0) {
		reply(cl, "error console takes no argument or 'live', not '%s'\n", arg);
		return;
	}
	reply(cl, "ok\n");
	cl->console = true;
	cl->pos = *arg ? console_head(&d->console) : console_tail(&d->console);
	push_console(d, cl);
}

static void run_command(struct control *c, struct client *cl, char *line)
{
	struct domain *d = c->d;
	char *arg = line + strcspn(line, " ");
	char info[CTL_LINE_MAX];

	if (*arg)
		*arg++ = '\0';
	if (!*line)
		return;
	if (cmd_lifecycle(d, cl, line))
		return;
	if (strcmp(line, "info") == 0) {
		domain_info(d, info, sizeof info);
		reply(cl, "ok%s\n", info);
	} else if (strcmp(line, "console") == 0) {
		cmd_console(d, cl, arg);
	} else if (strcmp(line, "version") == 0) {
		reply(cl, "ok protocol=%d hv=%s\n", CONTROL_PROTOCOL_VERSION, HV_VERSION);
	} else if (strcmp(line, "help") == 0) {
		reply(cl, "ok commands=\"info pause unpause reboot destroy console version help "
			  "quit\"\n");
	} else if (strcmp(line, "quit") == 0) {
		cl->closing = true;
	} else {
		reply(cl, "error unknown command '%.40s' (try 'help')\n", line);
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
		run_command(c, cl, cl->in);
		memmove(cl->in, cl->in + n, cl->in_len - n);
		cl->in_len -= n;
	}
	if (cl->console && cl->in_len) {
		/* Bytes that followed "console" in the same packet. */
		console_input(&c->d->console, cl->in, cl->in_len);
		cl->in_len = 0;
		pump_input(c->d);
	} else if (cl->in_len == sizeof cl->in) {
		reply(cl, "error line too long\n");
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

static void read_stdin(struct control *c)
{
	struct domain *d = c->d;
	char buf[256];
	ssize_t n = read(d->serial.in_fd, buf, sizeof buf);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->stdin_open = false; /* stdin at EOF: the guest just gets no more input */
		return;
	}
	console_input(&d->console, buf, (size_t)n);
	pump_input(d);
}

enum { PFD_WAKE, PFD_LISTEN, PFD_CONSOLE, PFD_SERIAL_IN, PFD_CLIENTS };

static int poll_timeout(struct control *c, int64_t deadline)
{
	int64_t ms = -1;

	if (c->d->cfg.serial.kind != CHARDEV_NONE && console_input_pending(&c->d->console))
		ms = 10; /* input waits for room in the UART FIFO */
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
	bool com1 = d->cfg.serial.kind != CHARDEV_NONE;

	p[PFD_WAKE] = (struct pollfd){.fd = d->wake_fd, .events = POLLIN};
	p[PFD_LISTEN] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
	p[PFD_CONSOLE] = (struct pollfd){.fd = com1 ? d->console.notify_fd : -1, .events = POLLIN};
	p[PFD_SERIAL_IN] =
	    (struct pollfd){.fd = c->stdin_open ? d->serial.in_fd : -1, .events = POLLIN};
	for (int i = 0; i < c->nclients; i++) {
		struct client *cl = &c->clients[i];
		p[PFD_CLIENTS + i] = (struct pollfd){.fd = cl->fd, .events = POLLIN};
		if (cl->out_len || (cl->console && cl->pos < console_head(&d->console)))
			p[PFD_CLIENTS + i].events |= POLLOUT;
	}
	return PFD_CLIENTS + c->nclients;
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
			flush_client(cl);
		if (!cl->closing && cl->console)
			push_console(c->d, cl);
		if (cl->closing)
			drop_client(c, i);
	}
}

static void service(struct control *c, struct pollfd *p)
{
	struct domain *d = c->d;
	int nclients = c->nclients;
	uint64_t v;

	if (p[PFD_WAKE].revents & POLLIN && read(d->wake_fd, &v, sizeof v) < 0) {
		/* Already drained. */
	}
	if (p[PFD_CONSOLE].revents & POLLIN)
		console_ack_notify(&d->console);
	if (p[PFD_SERIAL_IN].revents & (POLLIN | POLLHUP | POLLERR))
		read_stdin(c);
	service_clients(c, p, nclients);
	if (p[PFD_LISTEN].revents & POLLIN)
		accept_client(c);
	pump_input(d);
}

static bool domain_over(struct domain *d)
{
	bool over;

	pthread_mutex_lock(&d->machine.lock);
	over = d->finished;
	pthread_mutex_unlock(&d->machine.lock);
	return over;
}

void control_flush(struct control *c)
{
	for (int i = 0; i < c->nclients; i++) {
		struct client *cl = &c->clients[i];
		flush_client(cl);
		if (cl->console)
			push_console(c->d, cl);
	}
}

int control_loop(struct control *c, int64_t deadline)
{
	struct pollfd p[PFD_CLIENTS + MAX_CLIENTS];

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
		if (deadline && host_now_ns() >= deadline)
			return 1;
	}
	return 0;
}
