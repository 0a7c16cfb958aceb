#include "tui/dialog.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tui/loop.h"
#include "tui/screen.h"
#include "tui/view.h"

struct chooser {
	const char *title;
	const char *const *items;
	int n, sel, top;
};

/* A framed box of h rows and w columns in the middle of the screen. */
static void box_at(int h, int w, int *y, int *x, const char *title)
{
	*y = (LINES - h) / 2;
	*x = (COLS - w) / 2;
	attrset(top_screen_attr(ROLE_FRAME));
	for (int i = 0; i < h; i++)
		mvhline(*y + i, *x, ' ', w);
	mvaddnstr(*y, *x + 1, title, w - 2);
	attrset(A_NORMAL);
	for (int i = 1; i < h - 1; i++)
		mvhline(*y + i, *x + 1, ' ', w - 2);
}

static int chooser_width(const struct chooser *c)
{
	int w = (int)strlen(c->title) + 4;

	for (int i = 0; i < c->n; i++)
		if ((int)strlen(c->items[i]) + 4 > w)
			w = (int)strlen(c->items[i]) + 4;
	return w > COLS ? COLS : w;
}

static int chooser_rows(const struct chooser *c)
{
	return c->n < LINES - 4 ? c->n : LINES - 4;
}

static void draw_chooser(struct top_app *app, void *ctx)
{
	struct chooser *c = ctx;
	int rows = chooser_rows(c), w = chooser_width(c), y, x;

	(void)app;
	if (rows < 1)
		return;
	if (c->sel < c->top)
		c->top = c->sel;
	if (c->sel >= c->top + rows)
		c->top = c->sel - rows + 1;
	box_at(rows + 2, w, &y, &x, c->title);
	for (int i = 0; i < rows && c->top + i < c->n; i++) {
		bool sel = c->top + i == c->sel;
		attrset(top_screen_attr(sel ? ROLE_SELECTED : ROLE_NORMAL));
		mvhline(y + 1 + i, x + 1, ' ', w - 2);
		mvaddnstr(y + 1 + i, x + 2, c->items[c->top + i], w - 4);
	}
	attrset(A_NORMAL);
}

/* Moves a selection for the usual keys; returns false for other keys. */
static bool move_key(int key, int *sel, int n, int page)
{
	switch (key) {
	case KEY_UP:
	case 'k': *sel -= 1; break;
	case KEY_DOWN:
	case 'j': *sel += 1; break;
	case KEY_PPAGE: *sel -= page; break;
	case KEY_NPAGE: *sel += page; break;
	case KEY_HOME: *sel = 0; break;
	case KEY_END: *sel = n - 1; break;
	default: return false;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	return true;
}

static bool is_cancel(int key)
{
	return key == 27 || key == 'q' || key == TOP_KEY_QUIT || key == KEY_F(10) ||
	       (key & TOP_ALT(0));
}

/* The item whose label ends in " K" for a key K, or -1: menu shortcuts. */
static int hotkey(const char *const *items, int n, int key)
{
	for (int i = 0; key > ' ' && key < 127 && i < n; i++) {
		size_t len = strlen(items[i]);
		if (len > 2 && items[i][len - 1] == key && items[i][len - 2] == ' ')
			return i;
	}
	return -1;
}

int top_dialog_choose(struct top_app *app, const char *title, const char *const *items, int n)
{
	struct chooser c = {title, items, n, 0, 0};

	for (;;) {
		int key;
		app->dirty = true;
		key = top_next_key(app, draw_chooser, &c);
		if (hotkey(items, n, key) >= 0)
			return hotkey(items, n, key);
		if (is_cancel(key))
			return -1;
		if (key == '\r' || key == '\n' || key == KEY_ENTER)
			return n > 0 ? c.sel : -1;
		move_key(key, &c.sel, n, chooser_rows(&c));
	}
}

static void draw_question(struct top_app *app, void *ctx)
{
	const char *q = ctx;
	int w = (int)strlen(q) + 4, y, x;

	(void)app;
	box_at(3, w > COLS ? COLS : w, &y, &x, "");
	mvaddnstr(y + 1, x + 2, q, COLS - x - 2);
}

bool top_dialog_confirm(struct top_app *app, const char *question)
{
	int key;

	app->dirty = true;
	key = top_next_key(app, draw_question, (void *)question);
	app->dirty = true;
	return key == 'y' || key == 'Y';
}

struct pager {
	const char *title;
	char *const *lines;
	int n, top;
};

static int pager_rows(void)
{
	return LINES - 2;
}

static void draw_pager(struct top_app *app, void *ctx)
{
	struct pager *p = ctx;
	int rows = pager_rows();

	(void)app;
	if (p->top > p->n - rows)
		p->top = p->n - rows;
	if (p->top < 0)
		p->top = 0;
	erase();
	top_view_line(0, ROLE_FRAME, p->title);
	for (int i = 0; i < rows && p->top + i < p->n; i++)
		mvaddnstr(1 + i, 0, p->lines[p->top + i], COLS);
	top_view_line(LINES - 1, ROLE_BAR, "q/Esc close   Up/Down PgUp/PgDn Home/End scroll");
}

void top_dialog_pager(struct top_app *app, const char *title, char *const *lines, int n,
		      bool at_end)
{
	struct pager p = {title, lines, n, at_end ? n : 0};

	for (;;) {
		int key, sel;
		app->dirty = true;
		key = top_next_key(app, draw_pager, &p);
		if (is_cancel(key))
			break;
		sel = p.top; /* scrolling moves the top line; drawing clamps it */
		if (move_key(key, &sel, n, pager_rows()))
			p.top = key == KEY_END ? n : sel;
	}
	app->dirty = true;
}
