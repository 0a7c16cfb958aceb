/* User-mode networking: libslirp's TCP/IP stack (NAT to the host's
 * sockets, DHCP, DNS forwarding to the host's resolver) behind one guest
 * NIC, run on the domain's event loop (hv/core/evloop.h). The guest's
 * network is 10.0.2.0/24: the host (gateway) is 10.0.2.2, its DNS
 * 10.0.2.3, the guest gets 10.0.2.15 from DHCP; 10.0.2.2 also reaches the
 * host's own 127.0.0.1. IPv4 only.
 *
 * Every call, and every callback, runs on the event loop's thread; the
 * caller keeps the domain lock out of it (the receive callback takes it
 * itself to hand frames to the NIC). */
#ifndef HV_NET_USERNET_H
#define HV_NET_USERNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;
struct state_in;
struct state_out;
struct usernet;

struct usernet_ops {
	/* A frame for the guest. */
	void (*receive)(void *opaque, const uint8_t *frame, size_t len);
	/* Optional: called after each round of slirp's work (its sockets
	 * read, its timers run), so frames received in a burst can be handed
	 * on together. */
	void (*flush)(void *opaque);
	void *opaque;
};

/* Makes a network on loop for the domain `name` (its DHCP host name)
 * with the given MTU (576..65520; 0: 1500). Returns NULL with err set. */
struct usernet *usernet_create(struct evloop *loop, const char *name, unsigned mtu,
			       const struct usernet_ops *ops, char *err, size_t errlen);

/* Forwards connections to host_addr:host_port (host byte order; 0: every
 * interface) to guest_addr:guest_port (0: the guest's DHCP address).
 * Returns 0 or -1 with err set (the port is taken, say). */
int usernet_add_hostfwd(struct usernet *u, bool udp, uint32_t host_addr, uint16_t host_port,
			uint32_t guest_addr, uint16_t guest_port, char *err, size_t errlen);

/* A frame from the guest. */
void usernet_input(struct usernet *u, const uint8_t *frame, size_t len);

#define USERNET_STATE_MAX 4096 /* libslirp 4.7's state without sockets: 131 bytes */

/* libslirp's state, for a save file: its DHCP leases and IP id counter,
 * and the sockets of guest forwards (hv makes none). Connections the
 * guest made through the NAT are the host's sockets and do not survive a
 * restore: libslirp keeps none of them. Written as le32 libslirp state
 * version, le32 length, the bytes. Returns 0, or -1 with err set. */
int usernet_state_put(struct usernet *u, struct state_out *o, char *err, size_t errlen);
/* Loads what usernet_state_put wrote, a hostile input: a version this
 * libslirp reads, at most USERNET_STATE_MAX bytes, no sockets, every byte
 * read and none missing; else -1 with err set (u is then half-loaded and
 * must not run). */
int usernet_state_get(struct usernet *u, struct state_in *in, char *err, size_t errlen);

/* Closes every socket and forgets its event-loop sources and timers. */
void usernet_free(struct usernet *u);

#endif
