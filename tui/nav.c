/* Handlers that move around: the selection, sorting, the refresh rate,
 * the console pane and its scroll-back. */
#include <curses.h>

#include "tui/actions.h"
#include "tui/column.h"
#include "tui/help.h"
#include "tui/loop.h"

#define INTERVAL_MIN_MS 250
#define INTERVAL_MAX_MS 10000
#define INTERVAL_STEP	250

static int move_by(struct top_app *app, int delta)
{
	top_select_index(app, top_selected_index(app) + delta);
	return TOP_REDRAW;
}

int top_nav_up(struct top_app *app, int arg)
{
	(void)arg;
	return move_by(app, -1);
}

int top_nav_down(struct top_app *app, int arg)
{
	(void)arg;
	return move_by(app, 1);
}

int top_nav_page_up(struct top_app *app, int arg)
{
	(void)arg;
	return move_by(app, -(LINES / 2));
}

int top_nav_page_down(struct top_app *app, int arg)
{
	(void)arg;
	return move_by(app, LINES / 2);
}

int top_nav_home(struct top_app *app, int arg)
{
	(void)arg;
	top_select_index(app, 0);
	return TOP_REDRAW;
}

int top_nav_end(struct top_app *app, int arg)
{
	(void)arg;
	top_select_index(app, app->domains.n - 1);
	return TOP_REDRAW;
}

int top_nav_sort_next(struct top_app *app, int arg)
{
	(void)arg;
	app->sort_col = (app->sort_col + 1) % top_ncolumns;
	top_message(app, "sorted by %s (I inverts)", top_columns[app->sort_col].title);
	return TOP_RESORT | TOP_REDRAW;
}

int top_nav_sort_reverse(struct top_app *app, int arg)
{
	(void)arg;
	app->sort_reverse = !app->sort_reverse;
	return TOP_RESORT | TOP_REDRAW;
}

static int set_interval(struct top_app *app, int ms)
{
	app->interval_ms = ms < INTERVAL_MIN_MS	  ? INTERVAL_MIN_MS
			   : ms > INTERVAL_MAX_MS ? INTERVAL_MAX_MS
						  : ms;
	top_message(app, "refreshing every %.2f s", app->interval_ms / 1000.0);
	return TOP_REFRESH | TOP_REDRAW;
}

int top_nav_slower(struct top_app *app, int arg)
{
	(void)arg;
	return set_interval(app, app->interval_ms + INTERVAL_STEP);
}

int top_nav_faster(struct top_app *app, int arg)
{
	(void)arg;
	return set_interval(app, app->interval_ms - INTERVAL_STEP);
}

int top_nav_redraw(struct top_app *app, int arg)
{
	(void)arg;
	(void)app;
	clearok(curscr, TRUE);
	return TOP_REDRAW;
}

int top_nav_quit(struct top_app *app, int arg)
{
	(void)arg;
	(void)app;
	return TOP_QUIT;
}

int top_nav_console(struct top_app *app, int arg)
{
	(void)arg;
	if (!top_selected(app)) {
		top_message(app, "no domain selected");
		return TOP_REDRAW;
	}
	app->mode = TOP_MODE_CONSOLE;
	app->console_back = 0;
	app->message[0] = '\0';
	return TOP_REDRAW;
}

int top_nav_console_nth(struct top_app *app, int arg)
{
	if (arg > app->domains.n) {
		top_message(app, "there is no domain %d", arg);
		return TOP_REDRAW;
	}
	top_select_index(app, arg - 1);
	return top_nav_console(app, 0);
}

int top_nav_console_next(struct top_app *app, int arg)
{
	(void)arg;
	if (app->domains.n == 0)
		return top_nav_console(app, 0);
	top_select_index(app, (top_selected_index(app) + 1) % app->domains.n);
	return top_nav_console(app, 0);
}

int top_nav_list(struct top_app *app, int arg)
{
	(void)arg;
	app->mode = TOP_MODE_LIST;
	app->console_back = 0;
	return TOP_REDRAW;
}

int top_nav_scroll_up(struct top_app *app, int arg)
{
	(void)arg;
	app->console_back += LINES / 2; /* the view clamps it */
	return TOP_REDRAW;
}

int top_nav_scroll_down(struct top_app *app, int arg)
{
	(void)arg;
	app->console_back -= LINES / 2;
	if (app->console_back < 0)
		app->console_back = 0;
	return TOP_REDRAW;
}

int top_nav_help(struct top_app *app, int arg)
{
	(void)arg;
	top_help_show(app);
	return TOP_REDRAW;
}
