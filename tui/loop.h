/* The event pump of hv top. Every screen, the main list as much as a
 * dialog, asks it for the next key; meanwhile it keeps the domains
 * refreshed, the consoles read, a background `hv create` watched and the
 * screen redrawn (with the asking dialog drawn on top), and it handles
 * resizes and the signals that end the session. */
#ifndef TUI_LOOP_H
#define TUI_LOOP_H

#include "tui/app.h"

/* Alt+key as ncurses delivers it (ESC, then the key) folded into one code. */
#define TOP_ALT(c) (0x10000 | (c))

/* top_next_key's answer when the session must end (a signal). */
#define TOP_KEY_QUIT (-2)

/* Draws something over the main screen: a dialog, the help, a pager. */
typedef void (*top_overlay)(struct top_app *app, void *ctx);

/* Waits for a key, running everything else meanwhile. Returns the key
 * (a character, a KEY_ code or TOP_ALT(c)) or TOP_KEY_QUIT. */
int top_next_key(struct top_app *app, top_overlay overlay, void *ctx);

/* Polls the domains and the host now and schedules the next refresh. */
void top_refresh(struct top_app *app);

#endif
