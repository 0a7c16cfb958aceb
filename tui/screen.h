/* The terminal under hv top: curses set-up and tear-down, the colour
 * scheme (or its plain, attribute-only form), and the signals that must
 * leave the terminal restored. */
#ifndef TUI_SCREEN_H
#define TUI_SCREEN_H

#include <stdbool.h>

/* Roles, mapped to a colour pair or, in plain mode, to an attribute. */
enum top_role {
	ROLE_NORMAL,
	ROLE_TITLE,    /* the meter line */
	ROLE_HEADER,   /* column titles */
	ROLE_SELECTED, /* the selected row */
	ROLE_RUNNING,
	ROLE_PAUSED,
	ROLE_BAD,  /* crashed, gone, no reply */
	ROLE_DIM,  /* shut down, blocked */
	ROLE_KEY,  /* a key in the function bar */
	ROLE_BAR,  /* a label in the function bar */
	ROLE_FRAME /* borders and pane titles */
};

/* Starts curses; plain forces monochrome (it is also chosen when the
 * terminal has no colours). Installs the SIGTERM/SIGINT/SIGHUP handlers:
 * they write to a pipe whose read end is returned in *signal_fd. Returns
 * 0 or -1 (not a terminal). */
int top_screen_start(bool plain, int *signal_fd);

/* True when colours are off. */
bool top_screen_plain(void);

/* Restores the terminal; safe to call twice. */
void top_screen_stop(void);

/* The attribute for a role. */
int top_screen_attr(enum top_role role);

/* The role that shows a domain state. */
enum top_role top_screen_state_role(const char *state);

#endif
