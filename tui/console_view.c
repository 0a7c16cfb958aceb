/* The console screen: a tab strip of the domains (with their Alt+N
 * hotkeys), the selected domain's console filling the rest, and a status
 * line. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/view.h"

/* Clamps a scroll-back count to what the term holds. */
static int clamp_back(const struct top_term *t, int h, int back)
{
	int max = top_term_lines(t) - h;

	if (back > max)
		back = max;
	return back < 0 ? 0 : back;
}

void top_view_console(struct top_domain *d, int y, int h, int back, bool focus)
{
	const struct top_term *t = &d->console.term;
	int n = top_term_lines(t), last, first, len;

	if (h <= 0)
		return;
	back = clamp_back(t, h, back);
	last = n - 1 - back;
	first = last - h + 1 < 0 ? 0 : last - h + 1;
	for (int i = first; i <= last; i++) {
		const char *s = top_term_line(t, i, &len);
		mvaddnstr(y + i - first, 0, s, len < COLS ? len : COLS);
	}
	if (focus && back == 0 && !d->console.ended && t->col < COLS) {
		move(y + last - first, t->col);
		curs_set(1);
	}
}

static void draw_tabs(struct top_app *app)
{
	struct top_domain *sel = top_selected(app);

	top_view_line(0, ROLE_FRAME, "");
	move(0, 0);
	for (int i = 0; i < app->domains.n; i++) {
		struct top_domain *d = app->domains.v[i];
		char tab[RUNTIME_NAME_MAX + 16];
		if (i < 9)
			snprintf(tab, sizeof tab, " %d:%s ", i + 1, d->name);
		else
			snprintf(tab, sizeof tab, " %s ", d->name);
		attrset(top_screen_attr(d == sel ? ROLE_SELECTED : ROLE_FRAME) |
			(d == sel ? A_BOLD : 0));
		if (getcurx(stdscr) + (int)strlen(tab) < COLS)
			addstr(tab);
	}
	attrset(A_NORMAL);
}

static void draw_status(struct top_app *app, struct top_domain *d, int back)
{
	char line[512];

	if (app->message[0])
		snprintf(line, sizeof line, "%s", app->message);
	else
		snprintf(line, sizeof line,
			 "%s [%s]  Ctrl-] list  Alt+1..9 domain N  Alt+n next  PgUp/PgDn scroll%s",
			 d->name, d->state, back ? "  (scrolled back)" : "");
	top_view_line(LINES - 1, ROLE_BAR, line);
}

void top_view_console_screen(struct top_app *app)
{
	struct top_domain *d = top_selected(app);
	int h = LINES - 2;

	if (h < 1)
		return;
	app->console_back = clamp_back(&d->console.term, h, app->console_back);
	draw_tabs(app);
	draw_status(app, d, app->console_back);
	top_view_console(d, 1, h, app->console_back, true);
}
