/* The list screen: a meter line, the column titles, one row per domain, a
 * preview of the selected domain's console, the message line and the
 * function bar. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/column.h"
#include "tui/top_keys.h"
#include "tui/view.h"

#define PREVIEW_MIN 6 /* rows below which no console preview is shown */

void top_view_line(int y, enum top_role role, const char *text)
{
	attrset(top_screen_attr(role));
	mvhline(y, 0, ' ', COLS);
	mvaddnstr(y, 0, text, COLS);
	attrset(A_NORMAL);
}

static void count_states(struct top_app *app, int *running, int *paused)
{
	*running = *paused = 0;
	for (int i = 0; i < app->domains.n; i++) {
		const char *s = app->domains.v[i]->state;
		*running += strcmp(s, "running") == 0 || strcmp(s, "blocked") == 0;
		*paused += strcmp(s, "paused") == 0;
	}
}

static void draw_title(struct top_app *app)
{
	char line[512];
	int running, paused;

	count_states(app, &running, &paused);
	snprintf(line, sizeof line,
		 "hv top  %d domains: %d running %d paused  host CPU %.1f%%  mem %.0f/%.0fM  "
		 "every %.2gs",
		 app->domains.n, running, paused, app->host.cpu_pct, app->host.mem_used_mib,
		 app->host.mem_total_mib, app->interval_ms / 1000.0);
	top_view_line(0, ROLE_TITLE, line);
}

/* Appends one cell, aligned in its width, to line. */
static void cell(char *line, size_t len, int col, int width, const char *text)
{
	size_t n = strlen(line);

	snprintf(line + n, len - n, "%s%*.*s", col ? " " : "",
		 top_columns[col].left ? -width : width, width, text);
}

static int col_width(int col)
{
	return top_columns[col].width ? top_columns[col].width : top_column_flex_width(COLS);
}

static void draw_header(struct top_app *app, int y)
{
	char line[512] = "", title[32];

	for (int i = 0; i < top_ncolumns; i++) {
		snprintf(title, sizeof title, "%s%s", top_columns[i].title,
			 i == app->sort_col ? (app->sort_reverse ? "v" : "^") : "");
		cell(line, sizeof line, i, col_width(i), title);
	}
	top_view_line(y, ROLE_HEADER, line);
}

static void draw_row(struct top_app *app, struct top_domain *d, int y)
{
	char line[512] = "", text[64];
	bool selected = d == top_selected(app);
	int x = 0;

	for (int i = 0; i < top_ncolumns; i++) {
		top_columns[i].format(d, text, sizeof text);
		cell(line, sizeof line, i, col_width(i), text);
		if (i < 2)
			x = (int)strlen(line) + 1; /* where STATE starts */
	}
	top_view_line(y, selected ? ROLE_SELECTED : ROLE_NORMAL, line);
	if (!selected && x < COLS) {
		attrset(top_screen_attr(top_screen_state_role(d->state)));
		mvaddnstr(y, x, d->state, COLS - x);
		attrset(A_NORMAL);
	}
}

/* Keeps the selected row inside the h rows shown. */
static void follow_selection(struct top_app *app, int h)
{
	int sel = top_selected_index(app);

	if (sel >= 0 && sel < app->scroll)
		app->scroll = sel;
	if (sel >= app->scroll + h)
		app->scroll = sel - h + 1;
	if (app->scroll > app->domains.n - h)
		app->scroll = app->domains.n - h;
	if (app->scroll < 0)
		app->scroll = 0;
}

static void draw_rows(struct top_app *app, int y, int h)
{
	follow_selection(app, h);
	if (app->domains.n == 0)
		mvaddnstr(y, 1, "No domains. F5 or n creates one from a config file.", COLS - 1);
	for (int i = 0; i < h && app->scroll + i < app->domains.n; i++)
		draw_row(app, app->domains.v[app->scroll + i], y + i);
}

static void draw_preview(struct top_app *app, int y, int h)
{
	struct top_domain *d = top_selected(app);
	char title[128];

	snprintf(title, sizeof title, " console: %s  (c: attach, Alt+1..9: go to one)",
		 d ? d->name : "none");
	top_view_line(y, ROLE_FRAME, title);
	if (d)
		top_view_console(d, y + 1, h - 1, 0, false);
}

static void draw_message(struct top_app *app, int y)
{
	top_view_line(y, ROLE_NORMAL, app->message);
}

void top_view_list(struct top_app *app)
{
	int avail = LINES - 4, list_h = app->domains.n ? app->domains.n : 1;

	if (avail < 1)
		return;
	if (avail - list_h < PREVIEW_MIN)
		list_h = avail;
	draw_title(app);
	draw_header(app, 1);
	draw_rows(app, 2, list_h);
	if (avail - list_h >= PREVIEW_MIN)
		draw_preview(app, 2 + list_h, avail - list_h);
	draw_message(app, LINES - 2);
	top_view_bar(app, LINES - 1);
}

void top_view_bar(struct top_app *app, int y)
{
	unsigned mode = 1u << app->mode;

	move(y, 0);
	for (int i = 0; i < top_nbindings; i++) {
		const struct top_binding *b = &top_bindings[i];
		if (!b->bar || !(b->modes & mode))
			continue;
		if (getcurx(stdscr) + (int)(strlen(b->name) + strlen(b->bar)) + 2 > COLS)
			break;
		attrset(top_screen_attr(ROLE_KEY));
		addstr(b->name);
		attrset(top_screen_attr(ROLE_BAR));
		printw("%-*s", (int)strlen(b->bar) + 2, b->bar);
	}
	attrset(top_screen_attr(ROLE_BAR));
	if (getcurx(stdscr) < COLS - 1 && getcury(stdscr) == y)
		hline(' ', COLS - getcurx(stdscr));
	attrset(A_NORMAL);
}

void top_view_draw(struct top_app *app)
{
	curs_set(0);
	erase();
	if (app->mode == TOP_MODE_CONSOLE && top_selected(app))
		top_view_console_screen(app);
	else
		top_view_list(app);
}
