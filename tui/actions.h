/* The handlers the key table and the menu point at: moving around the
 * list and the consoles (nav.c), acting on domains (actions.c). Each takes
 * the binding's argument and returns TOP_* flags. */
#ifndef TUI_ACTIONS_H
#define TUI_ACTIONS_H

#include "tui/app.h"

/* A key's or a menu entry's handler: arg is the binding's argument. */
typedef int (*top_handler_fn)(struct top_app *app, int arg);

/* nav.c */
int top_nav_up(struct top_app *app, int arg);
int top_nav_down(struct top_app *app, int arg);
int top_nav_page_up(struct top_app *app, int arg);
int top_nav_page_down(struct top_app *app, int arg);
int top_nav_home(struct top_app *app, int arg);
int top_nav_end(struct top_app *app, int arg);
int top_nav_sort_next(struct top_app *app, int arg);
int top_nav_sort_reverse(struct top_app *app, int arg);
int top_nav_slower(struct top_app *app, int arg);
int top_nav_faster(struct top_app *app, int arg);
int top_nav_redraw(struct top_app *app, int arg);
int top_nav_quit(struct top_app *app, int arg);
int top_nav_console(struct top_app *app, int arg);	/* of the selected domain */
int top_nav_console_nth(struct top_app *app, int arg);	/* of domain number arg */
int top_nav_console_next(struct top_app *app, int arg); /* of the next domain */
int top_nav_list(struct top_app *app, int arg);		/* back from the console */
int top_nav_scroll_up(struct top_app *app, int arg);	/* console scroll-back */
int top_nav_scroll_down(struct top_app *app, int arg);
int top_nav_help(struct top_app *app, int arg);

/* actions.c */
int top_act_pause(struct top_app *app, int arg); /* pause, or resume if paused */
int top_act_reboot(struct top_app *app, int arg);
int top_act_destroy(struct top_app *app, int arg); /* asks first; forgets a gone one */
int top_act_log(struct top_app *app, int arg);
int top_act_mute(struct top_app *app, int arg);	       /* toggles the domain's audio mute */
int top_act_volume_down(struct top_app *app, int arg); /* audio volume 10 lower */
int top_act_volume_up(struct top_app *app, int arg);   /* audio volume 10 higher */
int top_act_create(struct top_app *app, int arg);
int top_act_menu(struct top_app *app, int arg);

/* snapshot_actions.c */
int top_act_snapshot(struct top_app *app, int arg); /* hv snapshot-create, named by the time */
int top_act_revert(struct top_app *app, int arg);   /* picks a snapshot, asks first */

#endif
