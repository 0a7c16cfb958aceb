/* Modal dialogs drawn over the live screen (which keeps updating behind
 * them): a list to choose from, a yes/no question, a scrollable text. */
#ifndef TUI_DIALOG_H
#define TUI_DIALOG_H

#include <stdbool.h>

#include "tui/app.h"

/* Lets the user pick one of n items. Returns its index, or -1 when
 * cancelled (Esc, q, or the session ending). */
int top_dialog_choose(struct top_app *app, const char *title, const char *const *items, int n);

/* Asks a yes/no question; only y or Y answers yes. */
bool top_dialog_confirm(struct top_app *app, const char *question);

/* Shows n lines full-screen until q or Esc; at_end starts at the bottom. */
void top_dialog_pager(struct top_app *app, const char *title, char *const *lines, int n,
		      bool at_end);

#endif
