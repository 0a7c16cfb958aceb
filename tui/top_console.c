#include "tui/top_console.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv/core/ctl.h"

#define CONSOLE_TIMEOUT_MS 1000

int top_console_open(struct top_console *c, const char *name)
{
	struct ctl ctl = {.fd = -1};
	char err[256], reply[CTL_LINE_MAX], note[300];

	c->fd = -1;
	c->ended = true;
	top_term_reset(&c->term);
	if (ctl_open(&ctl, name, CONSOLE_TIMEOUT_MS, err, sizeof err) < 0 ||
	    ctl_call_timeout(&ctl, "console", reply, sizeof reply, CONSOLE_TIMEOUT_MS) < 0) {
		snprintf(note, sizeof note, "[hv top: no console: %.200s]",
			 ctl.fd >= 0 ? reply : err);
		top_term_notice(&c->term, note);
		ctl_close(&ctl);
		return -1;
	}
	/* Bytes that came with the "ok" belong to the stream. */
	top_term_write(&c->term, ctl.buf, ctl.len);
	c->fd = ctl.fd;
	c->ended = false;
	return 0;
}

int top_console_read(struct top_console *c)
{
	char buf[8192];
	ssize_t n;

	if (c->fd < 0)
		return -1;
	n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		top_console_close(c);
		top_term_notice(&c->term, "[hv top: console closed: the domain is gone]");
		return -1;
	}
	top_term_write(&c->term, buf, (size_t)n);
	return 1;
}

int top_console_send(struct top_console *c, const char *p, size_t n)
{
	while (c->fd >= 0 && n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1; /* a guest that reads nothing loses keys */
		p += w;
		n -= (size_t)w;
	}
	return c->fd >= 0 ? 0 : -1;
}

void top_console_close(struct top_console *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ended = true;
}
