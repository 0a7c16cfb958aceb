/* A domain's log file in a scrollable pager. */
#ifndef TUI_PAGER_H
#define TUI_PAGER_H

#include "tui/app.h"

/* Shows the last lines of the file at path (at most PAGER_MAX_LINES),
 * starting at the end. A file that cannot be read is a message. */
void top_pager_file(struct top_app *app, const char *title, const char *path);

#endif
