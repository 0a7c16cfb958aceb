/* The control server's internals, shared by its connections and event
 * sources (control.c) and its request handlers (control_requests.c). */
#ifndef HV_CONTROL_INT_H
#define HV_CONTROL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/ctl.h"
#include "hv/domain/domain.h"

#define MAX_CLIENTS 32
/* Console streams may hold at most this many connections, so requests
 * (the toolstack: hv list, hv destroy...) always find room. */
#define MAX_STREAMS   24
#define CLIENT_IN_MAX 1024
/* A request line must be finished this long after its first byte, and a
 * request connection is closed after this long without one. */
#define CLIENT_LINE_NS (10 * 1000000000LL)
#define CLIENT_IDLE_NS (600 * 1000000000LL)

struct control;

struct client {
	struct control *c;
	int fd;
	int handle;    /* its source in the event loop */
	int passed_fd; /* a descriptor sent with the request (SCM_RIGHTS), or -1 */
	bool console;  /* raw console stream mode */
	unsigned port; /* console: serial port, 1 for COM1 */
	uint64_t pos;  /* console: next output byte to send */
	uint64_t lost;
	char in[CLIENT_IN_MAX];
	size_t in_len;
	char out[CTL_LINE_MAX + 64]; /* pending reply bytes */
	size_t out_len;
	bool closing;	    /* close once out is flushed */
	int64_t active_ns;  /* host time of its last request (or its connect) */
	int64_t partial_ns; /* when the unfinished line in `in` began; 0: none */
};

struct control {
	struct domain *d;
	struct client *clients[MAX_CLIENTS];
	int nclients;
	int nstreams; /* clients in console mode */
};

/* Queues a reply line for the client (sent at once when it can be). */
void control_reply(struct client *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends what is queued without blocking. */
void control_flush_client(struct client *cl);
/* A console client: sends the port's output from cl->pos on. */
void control_push_console(struct domain *d, struct client *cl);

/* control_requests.c: one request line. */
void control_run_command(struct control *c, struct client *cl, char *line);

#endif
