/* The state of one hv top session, shared by its panels, and the flag mask
 * that key handlers return (as htop's Htop_Reaction). */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stdbool.h>
#include <sys/types.h>

#include "tui/top_domain.h"
#include "tui/sysinfo.h"

/* What a handler asks of the main loop. */
enum {
	TOP_OK = 0,
	TOP_REDRAW = 1 << 0,  /* draw the screen again */
	TOP_REFRESH = 1 << 1, /* poll the domains now */
	TOP_QUIT = 1 << 2,    /* leave hv top */
	TOP_RESORT = 1 << 3,  /* sort the list again */
};

enum top_mode { TOP_MODE_LIST, TOP_MODE_CONSOLE };

/* A background `hv create` started from the picker (or snapshot-create,
 * snapshot-revert from the menu). */
struct top_spawn {
	pid_t pid;     /* 0 when none runs */
	int fd;	       /* its stdout and stderr */
	char done[64]; /* what the status line says before its last line */
	char out[512];
	size_t len;
};

struct top_app {
	struct top_domains domains;
	struct top_sysinfo host;
	enum top_mode mode;
	char selected[RUNTIME_NAME_MAX]; /* the selected domain, by name */
	int scroll;			 /* first list row shown */
	int console_back;		 /* console lines scrolled back */
	int sort_col;
	bool sort_reverse;
	int interval_ms; /* refresh interval */
	long next_refresh_ms;
	bool plain; /* no colours */
	char message[256];
	long message_ms; /* when it was set */
	struct top_spawn spawn;
	const char *self; /* this program, for `hv create` */
	int signal_fd;	  /* read end of the signal self-pipe */
	bool quit;
	bool dirty;    /* the screen needs drawing */
	long drawn_ms; /* when it was last drawn */
};

/* The selected domain, or NULL when there is none. */
struct top_domain *top_selected(struct top_app *app);

/* Index of the selected domain in the list, or -1. */
int top_selected_index(struct top_app *app);

/* Selects the domain at index i (clamped). */
void top_select_index(struct top_app *app, int i);

/* Puts a one-line message on the status line. */
void top_message(struct top_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
