/* Creating a domain from hv top: `hv create PATH` run in the background
 * (this very program, /proc/self/exe), its output collected for the
 * status line, so a slow start never freezes the screen. */
#ifndef TUI_SPAWN_H
#define TUI_SPAWN_H

#include "tui/app.h"

/* Starts `hv create path`. Returns 0, or -1 with a message shown. */
int top_spawn_start(struct top_app *app, const char *path);

/* Starts `hv ARGS...` (at most 4) the same way: doing is shown meanwhile,
 * done followed by the command's last line of output when it succeeds. */
int top_spawn_hv(struct top_app *app, const char *const *args, const char *doing, const char *done);

/* Reads its output; when it ends, reports the result on the status line
 * and schedules a refresh. */
void top_spawn_poll(struct top_app *app);

#endif
