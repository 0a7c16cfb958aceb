/* Client side of the control protocol (docs/protocol.md): connect to a
 * domain's socket, read its greeting, send one-line requests and parse the
 * one-line replies "ok key=value ..." or "error TEXT". */
#ifndef HV_CTL_H
#define HV_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include "hv/core/kv.h"

#define CTL_LINE_MAX 16384

struct ctl {
	int fd;
	int id;			/* from the greeting */
	char buf[CTL_LINE_MAX]; /* bytes read past the last line */
	size_t len;
	int passed_fd; /* a descriptor the domain sent (SCM_RIGHTS), or -1 */
};

/* Connects to domain `name` and reads its greeting. Returns 0 or -1 with
 * err set ("no domain named 'x'" when there is none). timeout_ms bounds
 * the wait for the greeting. */
int ctl_open(struct ctl *c, const char *name, int timeout_ms, char *err, size_t errlen);

/* Connects to the socket at path (no name lookup). */
int ctl_open_path(struct ctl *c, const char *path, int timeout_ms, char *err, size_t errlen);
void ctl_close(struct ctl *c);

/* How long ctl_call waits for a domain's reply: every request it serves
 * answers within milliseconds, so a domain silent this long is hung, and
 * the command says so instead of hanging with it. */
#define CTL_REPLY_TIMEOUT_MS 60000

/* Sends `request` and reads one reply line into reply (without "ok "),
 * waiting at most CTL_REPLY_TIMEOUT_MS. Returns 0 for ok, -1 for an error
 * reply, a broken connection or no reply, with the reason in reply. */
int ctl_call(struct ctl *c, const char *request, char *reply, size_t len);

/* As ctl_call, waiting at most timeout_ms (-1: forever) for the reply. After
 * a timeout the connection is out of step (a late reply may still come):
 * close it. */
int ctl_call_timeout(struct ctl *c, const char *request, char *reply, size_t len, int timeout_ms);

/* As ctl_call_timeout, passing descriptor fd with the request
 * (SCM_RIGHTS): a file the domain, in its sandbox, could not open. */
int ctl_call_fd(struct ctl *c, const char *request, int fd, char *reply, size_t len,
		int timeout_ms);

/* Reads one line (without the newline), waiting at most timeout_ms (-1:
 * forever). Returns its length, -2 on timeout, or -1 on EOF or error. */
int ctl_read_line(struct ctl *c, char *out, size_t len, int timeout_ms);

/* The descriptor that came with the last reply (the display's memfd), now
 * the caller's; -1 if none came. */
int ctl_take_fd(struct ctl *c);

#endif
