/* A domain's serial console inside hv top: its own control connection in
 * console mode, the bytes it sends fed to a term, keys written back. The
 * term outlives the connection, so a dead domain's last lines stay. */
#ifndef TUI_CONSOLE_H
#define TUI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/term.h"

struct top_console {
	int fd;	    /* the console stream, -1 when closed */
	bool ended; /* the stream ended (or never opened) */
	struct top_term term;
};

/* Connects to domain `name` and asks for its console with scrollback.
 * On failure the reason is written into the term. Returns 0 or -1. */
int top_console_open(struct top_console *c, const char *name);

/* Reads what the domain sent. Returns 1 if the term changed, 0 if not, -1
 * when the stream ended (the connection is then closed). */
int top_console_read(struct top_console *c);

/* Writes keys to the guest. Returns 0 or -1. */
int top_console_send(struct top_console *c, const char *p, size_t n);

/* Closes the stream, keeping the term. */
void top_console_close(struct top_console *c);

#endif
