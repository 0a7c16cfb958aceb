/* Drawing the main screens: the domain list (with a preview of the
 * selected domain's console) and the full console pane. */
#ifndef TUI_VIEW_H
#define TUI_VIEW_H

#include <stdbool.h>

#include "tui/app.h"
#include "tui/screen.h"

/* Draws the whole screen for the current mode into stdscr. */
void top_view_draw(struct top_app *app);

/* Draws the list screen. */
void top_view_list(struct top_app *app);

/* Draws d's console into rows y..y+h-1, back lines scrolled back; with
 * focus, the cursor is left where the guest's cursor is. */
void top_view_console(struct top_domain *d, int y, int h, int back, bool focus);

/* Draws the console screen. */
void top_view_console_screen(struct top_app *app);

/* Fills row y with spaces in role's attribute and writes text at x 0. */
void top_view_line(int y, enum top_role role, const char *text);

/* The function bar of the current mode on row y, from the key table. */
void top_view_bar(struct top_app *app, int y);

#endif
