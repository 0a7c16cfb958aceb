/* A domain's serial ports (COM1, COM2, ...: config keys `serial`,
 * `serial2`). What the guest sends goes to the port's console backend
 * (scrollback, console log, `hv console`) and to its extra host end (the
 * terminal of `hv run`, a pty, a file); what the host end and console
 * clients type waits in the console's input queue and moves into the
 * UART as its FIFO makes room. */
#ifndef HV_DOMAIN_SERIAL_H
#define HV_DOMAIN_SERIAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/console.h"
#include "hv/config/config.h"
#include "hv/domain/chardev.h"

#define DOMAIN_SERIAL_PORTS CONFIG_SERIAL_PORTS
/* The console ports: the UARTs (ports 1..DOMAIN_SERIAL_PORTS), then the
 * virtio-console's hvc0 (port DOMAIN_PORT_HVC0, index DOMAIN_SERIAL_PORTS
 * in d->serial): the same backend (scrollback, log, input queue, host
 * end), fed by a different device. */
#define DOMAIN_CONSOLE_PORTS (DOMAIN_SERIAL_PORTS + 1)
#define DOMAIN_PORT_HVC0     (DOMAIN_SERIAL_PORTS + 1)

struct domain;
struct evloop;

struct domain_serial {
	struct domain *d;
	unsigned index;	 /* 0 for COM1, DOMAIN_SERIAL_PORTS for hvc0 */
	bool present;	 /* its config key is not "none" */
	bool host_input; /* the host end still gives input (not at EOF) */
	struct console console;
	struct chardev host;
	char log_path[PATH_MAX];
	/* Guest output collected during a vCPU slice, written at its end. */
	uint8_t out[512];
	size_t out_len;
};

/* Marks every port closed (so domain_serial_close is safe on a domain
 * that failed half-way). */
void domain_serial_init(struct domain *d);

/* Opens port i's host end and console (with its log in state_dir), when
 * its config asks for one. Returns 0 or -1 with err set. */
int domain_serial_open(struct domain *d, unsigned i, int state_fd, const char *state_dir, char *err,
		       size_t errlen);
void domain_serial_close(struct domain_serial *s);

/* The UART's transmit hook (opaque = the port): buffers the byte, with
 * the domain lock held. */
void domain_serial_tx(void *opaque, uint8_t byte);

/* The UART's hook for an emptied receiver (opaque = the port): moves the
 * input queued for it in at once, with the domain lock held, instead of
 * at the event loop's next look (10 ms later: a typed line longer than
 * the 16-byte FIFO would crawl in at 1.6 bytes a millisecond). */
void domain_serial_drained(void *opaque);

/* Writes what the guest sent to the console and the host end. With the
 * domain lock held. */
void domain_serial_flush(struct domain_serial *s);

/* The virtio-console's output hook (opaque = the hvc0 port). */
void domain_serial_tx_buf(void *opaque, const uint8_t *buf, size_t len);

/* The port the primary console is on: DOMAIN_PORT_HVC0 with console =
 * "hvc0", else 1 (COM1). */
unsigned domain_primary_port(const struct domain *d);

/* Registers every present port's host input with the loop, and a hook
 * that moves queued input into the UARTs. Returns 0 or -1. */
int domain_serial_watch(struct domain *d, struct evloop *l);

/* Moves queued host input into the UARTs as far as their FIFOs have room
 * (takes the domain lock). */
void domain_serial_pump(struct domain *d);

/* The console of port `port` (1 for COM1, DOMAIN_PORT_HVC0 for hvc0), or
 * NULL when the domain has no such port or it is "none". */
struct console *domain_serial_console(struct domain *d, unsigned port);

/* The config key of port `port` (1: "serial", 2: "serial2", hvc0:
 * "virtio_console"). */
const char *domain_serial_key(unsigned port);

/* Appends the ports' host ends and console logs to an `info` reply. */
void domain_serial_info(struct domain *d, char *buf, size_t len);

#endif
