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
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		struct domain_serial *s = &d->serial[i];
		*s = (struct domain_serial){.d = d, .index = i};
		s->console.notify_fd = s->console.log_fd = -1;
		s->host.out_fd = s->host.in_fd = s->host.pty_slave_fd = -1;
	}
}

const char *domain_serial_key(unsigned port)
{
	static const char *const keys[] = {"serial", "serial2", "virtio_console"};

	return port >= 1 && port <= DOMAIN_CONSOLE_PORTS ? keys[port - 1] : "serial";
}

unsigned domain_primary_port(const struct domain *d)
{
	return d->cfg.console_hvc0 ? DOMAIN_PORT_HVC0 : 1;
}

static const struct chardev_config no_host_end = {.kind = CHARDEV_NONE};

/* Whether the terminal of `hv run` (COM1's "stdio") serves hvc0: when
 * hvc0 is the primary console. COM1 then keeps its log and stream. */
static bool stdio_moved(const struct domain *d)
{
	return d->cfg.console_hvc0 && d->cfg.serial[0].kind == CHARDEV_STDIO;
}

/* Port i's host end. */
static const struct chardev_config *host_config(const struct domain *d, unsigned i)
{
	if (i == DOMAIN_SERIAL_PORTS)
		return stdio_moved(d) ? &d->cfg.serial[0] : &no_host_end;
	if (i == 0 && stdio_moved(d))
		return &no_host_end;
	return &d->cfg.serial[i];
}

/* Whether port i exists: a UART whose key is not "none", or hvc0 when
 * the domain has a virtio-console. */
static bool port_wanted(const struct domain *d, unsigned i)
{
	if (i == DOMAIN_SERIAL_PORTS)
		return d->cfg.virtio_console || d->cfg.console_hvc0;
	return d->cfg.serial[i].kind != CHARDEV_NONE;
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
	const struct chardev_config *cfg = host_config(d, i);
	char n[8] = "";

	if (!port_wanted(d, i))
		return 0;
	if (i < DOMAIN_SERIAL_PORTS && cfg->kind == CHARDEV_STDIO &&
	    check_stdio(d, i, err, errlen) < 0)
		return -1;
	if (i == DOMAIN_SERIAL_PORTS)
		snprintf(n, sizeof n, "-hvc0");
	else if (i > 0)
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
	s->d->machine.output_waits = true;
	if (s->out_len == sizeof s->out)
		domain_serial_flush(s);
}

void domain_serial_tx_buf(void *opaque, const uint8_t *buf, size_t len)
{
	struct domain_serial *s = opaque;

	domain_serial_flush(s);
	console_output(&s->console, buf, len);
	chardev_write(&s->host, buf, len);
}

struct console *domain_serial_console(struct domain *d, unsigned port)
{
	if (port < 1 || port > DOMAIN_CONSOLE_PORTS || !d->serial[port - 1].present)
		return NULL;
	return &d->serial[port - 1].console;
}

/* Queued input into a UART's FIFO as far as it has room, or into the
 * buffers hvc0's driver posted (what they do not take stays queued: a
 * guest that does not read holds the queue full, and more input is
 * dropped and counted, never buffered without bound). Returns whether
 * any moved. */
static bool pump_port(struct domain *d, struct domain_serial *s)
{
	uint8_t buf[256];
	size_t n;

	if (s->index == DOMAIN_SERIAL_PORTS) {
		n = console_peek_input(&s->console, buf, sizeof buf);
		n = pc_virtio_console_receive(d->pc, buf, n);
		console_consume_input(&s->console, n);
		return n > 0;
	}
	n = pc_serial_room(d->pc, s->index);
	n = console_take_input(&s->console, buf, n < sizeof buf ? n : sizeof buf);
	return n && pc_serial_receive(d->pc, s->index, buf, n) > 0;
}

void domain_serial_drained(void *opaque)
{
	struct domain_serial *s = opaque;

	if (console_input_pending(&s->console))
		pump_port(s->d, s);
}

void domain_serial_pump(struct domain *d)
{
	bool moved = false;

	machine_lock_host(&d->machine);
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		struct domain_serial *s = &d->serial[i];
		if (s->present && console_input_pending(&s->console))
			moved = pump_port(d, s) || moved;
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

/* Input waits for room in a UART's FIFO or for hvc0's buffers: look
 * again soon while any does. */
static int pump_timeout(void *opaque)
{
	struct domain *d = opaque;

	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++)
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
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		struct domain_serial *s = &d->serial[i];
		if (s->host_input && evloop_add_fd(l, s->host.in_fd, &host_ops, s) < 0)
			return -1;
	}
	return evloop_add_hook(l, &pump_ops, d) < 0 ? -1 : 0;
}

void domain_serial_info(struct domain *d, char *buf, size_t len)
{
	char s[PATH_MAX + 8], key[32];

	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		struct domain_serial *p = &d->serial[i];
		if (i == DOMAIN_SERIAL_PORTS && !p->present)
			continue; /* no virtio-console: no keys for it */
		chardev_describe(&p->host, s, sizeof s);
		kv_put(buf, len, domain_serial_key(i + 1), p->present ? s : "none");
		/* Bytes a full file or a pty nobody reads did not take. */
		snprintf(key, sizeof key, "%s_dropped", domain_serial_key(i + 1));
		snprintf(s, sizeof s, "%lu", p->host.dropped);
		kv_put(buf, len, key, s);
		if (!p->present)
			continue;
		/* Input a guest did not take while the queue was full. */
		snprintf(key, sizeof key, "%s_input_dropped", domain_serial_key(i + 1));
		snprintf(s, sizeof s, "%llu", (unsigned long long)p->console.input_dropped);
		kv_put(buf, len, key, s);
	}
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		if (!d->serial[i].present)
			continue;
		if (i == DOMAIN_SERIAL_PORTS)
			snprintf(key, sizeof key, "console_hvc0_log");
		else
			snprintf(key, sizeof key, i ? "console%u_log" : "console_log", i + 1);
		kv_put(buf, len, key, d->serial[i].log_path);
	}
	kv_put(buf, len, "primary_console",
	       domain_primary_port(d) == DOMAIN_PORT_HVC0 ? "hvc0" : "ttyS0");
}
