#include "hv/domain/domain_serial.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "hv/core/evloop.h"
#include "hv/core/kv.h"
#include "hv/domain/domain.h"
#include "legacy/pc.h"

void domain_serial_init(struct domain *d)
{
	for (unsigned i = 0; i < DOMAIN_SERIAL_PORTS; i++) {
		struct domain_serial *s = &d->serial[i];
		*s = (struct domain_serial){.d = d, .index = i};
		s->console.notify_fd = s->console.log_fd = -1;
		s->host.out_fd = s->host.in_fd = s->host.pty_slave_fd = -1;
	}
}

const char *domain_serial_key(unsigned port)
{
	static const char *const keys[] = {"serial", "serial2"};

	return port >= 1 && port <= DOMAIN_SERIAL_PORTS ? keys[port - 1] : "serial";
}

/* One terminal serves one port: the first that asks for it. */
static int check_stdio(struct domain *d, unsigned i, char *err, size_t errlen)
{
	for (unsigned j = 0; j < i; j++) {
		if (d->cfg.serial[j].kind != CHARDEV_STDIO)
			continue;
		snprintf(err, errlen,
			 "%s: %s = \"stdio\": the terminal is COM%u's already (%s = "
			 "\"stdio\")",
			 d->cfg.file, domain_serial_key(i + 1), j + 1, domain_serial_key(j + 1));
		return -1;
	}
	return 0;
}

int domain_serial_open(struct domain *d, unsigned i, int state_fd, const char *state_dir, char *err,
		       size_t errlen)
{
	struct domain_serial *s = &d->serial[i];
	const struct chardev_config *cfg = &d->cfg.serial[i];
	char n[8] = "";

	if (cfg->kind == CHARDEV_NONE)
		return 0;
	if (cfg->kind == CHARDEV_STDIO && check_stdio(d, i, err, errlen) < 0)
		return -1;
	if (i > 0)
		snprintf(n, sizeof n, "%u", i + 1);
	if (snprintf(s->log_path, sizeof s->log_path, "%s/%s.console%s.log", state_dir, d->cfg.name,
		     n) >= (int)sizeof s->log_path) {
		snprintf(err, errlen, "%s: path too long", state_dir);
		return -1;
	}
	if (chardev_open(&s->host, cfg, d->foreground, true, err, errlen) < 0 ||
	    console_init(&s->console, state_fd, s->log_path, err, errlen) < 0)
		return -1;
	s->present = true;
	s->host_input = s->host.in_fd >= 0;
	return 0;
}

void domain_serial_close(struct domain_serial *s)
{
	console_destroy(&s->console);
	chardev_close(&s->host);
	s->present = false;
}

void domain_serial_flush(struct domain_serial *s)
{
	if (!s->out_len)
		return;
	console_output(&s->console, s->out, s->out_len);
	chardev_write(&s->host, s->out, s->out_len);
	s->out_len = 0;
}

void domain_serial_tx(void *opaque, uint8_t byte)
{
	struct domain_serial *s = opaque;

	s->out[s->out_len++] = byte;
	if (s->out_len == sizeof s->out)
		domain_serial_flush(s);
}

struct console *domain_serial_console(struct domain *d, unsigned port)
{
	if (port < 1 || port > DOMAIN_SERIAL_PORTS || !d->serial[port - 1].present)
		return NULL;
	return &d->serial[port - 1].console;
}

void domain_serial_pump(struct domain *d)
{
	uint8_t buf[64];
	bool moved = false;

	machine_lock_host(&d->machine);
	for (unsigned i = 0; i < DOMAIN_SERIAL_PORTS; i++) {
		struct domain_serial *s = &d->serial[i];
		size_t room = pc_serial_room(d->pc, i), n;
		if (!s->present || !console_input_pending(&s->console))
			continue;
		n = console_take_input(&s->console, buf, room < sizeof buf ? room : sizeof buf);
		if (n)
			moved = pc_serial_receive(d->pc, i, buf, n) > 0 || moved;
	}
	if (moved)
		machine_kick(&d->machine);
	machine_unlock_host(&d->machine);
}

/* Input from a port's host end (the terminal or a pty). */
static void host_ready(void *opaque, int fd, short revents)
{
	struct domain_serial *s = opaque;
	char buf[256];
	ssize_t n;

	(void)revents;
	n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		s->host_input = false; /* stdin at EOF: the guest just gets no more input */
		return;
	}
	console_input(&s->console, buf, (size_t)n);
	domain_serial_pump(s->d);
}

static short host_events(void *opaque)
{
	const struct domain_serial *s = opaque;

	return s->host_input ? POLLIN : 0;
}

static const struct evloop_source_ops host_ops = {host_events, host_ready};

/* Input waits for room in a UART's FIFO: look again soon while any does. */
static int pump_timeout(void *opaque)
{
	struct domain *d = opaque;

	for (unsigned i = 0; i < DOMAIN_SERIAL_PORTS; i++)
		if (d->serial[i].present && console_input_pending(&d->serial[i].console))
			return 10;
	return -1;
}

static void pump_hook(void *opaque)
{
	struct domain *d = opaque;

	if (pump_timeout(d) >= 0)
		domain_serial_pump(d);
}

static const struct evloop_hook_ops pump_ops = {pump_timeout, pump_hook};

int domain_serial_watch(struct domain *d, struct evloop *l)
{
	for (unsigned i = 0; i < DOMAIN_SERIAL_PORTS; i++) {
		struct domain_serial *s = &d->serial[i];
		if (s->host_input && evloop_add_fd(l, s->host.in_fd, &host_ops, s) < 0)
			return -1;
	}
	return evloop_add_hook(l, &pump_ops, d) < 0 ? -1 : 0;
}

void domain_serial_info(struct domain *d, char *buf, size_t len)
{
	char s[PATH_MAX + 8], key[32];

	for (unsigned i = 0; i < DOMAIN_SERIAL_PORTS; i++) {
		struct domain_serial *p = &d->serial[i];
		chardev_describe(&p->host, s, sizeof s);
		kv_put(buf, len, domain_serial_key(i + 1), p->present ? s : "none");
		/* Bytes a full file or a pty nobody reads did not take. */
		snprintf(key, sizeof key, "%s_dropped", domain_serial_key(i + 1));
		snprintf(s, sizeof s, "%lu", p->host.dropped);
		kv_put(buf, len, key, s);
	}
	for (unsigned i = 0; i < DOMAIN_SERIAL_PORTS; i++) {
		if (!d->serial[i].present)
			continue;
		snprintf(key, sizeof key, i ? "console%u_log" : "console_log", i + 1);
		kv_put(buf, len, key, d->serial[i].log_path);
	}
}
