/* The per-user runtime directory is the registry of domains: each running
 * domain owns one control socket there, NAME.sock. It is
 * $XDG_RUNTIME_DIR/hv, or /tmp/hv-UID when XDG_RUNTIME_DIR is unset, mode
 * 0700 and owned by the user (anything else is refused). Logs live in the
 * state directory: $XDG_STATE_HOME/hv, or ~/.local/state/hv (HOME, else the
 * passwd entry's home), or /tmp/hv-state-UID; it must be a directory (not a
 * link) owned by the user, writable by nobody else. */
#ifndef HV_RUNTIME_H
#define HV_RUNTIME_H

#include <limits.h>
#include <stddef.h>

#define CONTROL_PROTOCOL_VERSION 1
#define RUNTIME_NAME_MAX	 64 /* a domain's name with its NUL (CONFIG_NAME_MAX) */

/* Creates (if needed) and checks the runtime directory; its path in out.
 * Returns 0 or -1 with err set. */
int runtime_dir(char *out, size_t len, char *err, size_t errlen);

/* Creates (if needed) and checks the state directory for logs. Returns 0
 * or -1 with err set. */
int runtime_state_dir(char *out, size_t len, char *err, size_t errlen);

/* The same, returning the directory open (O_DIRECTORY, checked through
 * that descriptor): create files in it with openat (capfile_open_at), not
 * by path. Returns the descriptor (the caller closes it) or -1. */
int runtime_state_dir_open(char *out, size_t len, char *err, size_t errlen);

/* dir/NAME.sock. */
int runtime_socket_path(const char *name, char *out, size_t len, char *err, size_t errlen);

/* Claims `name` for a new domain: under a lock on the directory, refuses a
 * name whose socket answers, removes a stale socket left by a dead domain,
 * picks the lowest domain ID no live domain uses, and binds and listens on
 * the socket. Returns the listening fd (and *id) or -1 with err set. */
int runtime_claim(const char *name, int *id, char *err, size_t errlen);

/* Names of the domains with a socket, sorted; stale sockets are removed.
 * Returns the count (at most max) or -1 with err set. */
int runtime_list(char names[][RUNTIME_NAME_MAX], int max, char *err, size_t errlen);

#endif
