/* The control socket server of a domain and the domain's event loop: the
 * protocol in docs/protocol.md. Lines in, one reply line out; a client
 * that asks for the console turns into a raw byte stream both ways. */
#ifndef HV_CONTROL_H
#define HV_CONTROL_H

#include <stddef.h>
#include <stdint.h>

struct domain;
struct control;

/* Serves d->listen_fd. Returns NULL with err set. */
struct control *control_create(struct domain *d, char *err, size_t errlen);
void control_free(struct control *c);

/* Runs the event loop until the domain is over or host_deadline_ns (host
 * monotonic; 0 for none) passes. Returns 1 if the deadline passed, 0 if
 * the domain ended, -1 if the loop failed. */
int control_loop(struct control *c, int64_t host_deadline_ns);

/* Sends what is pending to clients, the console's last output included,
 * before the domain goes away. */
void control_flush(struct control *c);

#endif
