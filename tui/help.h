/* The help overlay, generated from the key table. */
#ifndef TUI_HELP_H
#define TUI_HELP_H

#include "tui/app.h"

/* Shows every key and what it does until q or Esc. */
void top_help_show(struct top_app *app);

#endif
