/* The control server's internals, shared by its event loop (control.c)
 * and its request handlers (control_cmd.c). */
#ifndef HV_CONTROL_INT_H
#define HV_CONTROL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/ctl.h"
#include "hv/domain/domain.h"

#define MAX_CLIENTS   32
#define CLIENT_IN_MAX 1024

struct client {
	int fd;
	bool console;  /* raw console stream mode */
	unsigned port; /* console: 1 (COM1) or 2 (COM2) */
	uint64_t pos;  /* console: next output byte to send */
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
	bool stdin2_open; /* COM2's host end takes input (serial2 = "stdio" or "pty") */
};

/* Queues a reply line for the client (sent at once when it can be). */
void control_reply(struct client *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends what is queued without blocking. */
void control_flush_client(struct client *cl);
/* Console clients: sends output from cl->pos on; moves host input to COM1
 * and COM2. */
void control_push_console(struct domain *d, struct client *cl);
void control_pump_input(struct domain *d);

/* The console of serial port `port` (1 or 2), or NULL when the domain has
 * no such port. */
struct console *control_port_console(struct domain *d, unsigned port);

/* control_cmd.c: one request line. */
void control_run_command(struct control *c, struct client *cl, char *line);

#endif
