#include "tui/loop.h"

#include <curses.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "tui/column.h"
#include "tui/spawn.h"
#include "tui/view.h"

#define DRAW_GAP_MS  30 /* at most ~30 redraws a second under a flood */
#define ALT_WAIT_MS  30 /* how long the key after an ESC may take */
#define MAX_POLL_FDS (TOP_MAX_DOMAINS + 3)
#define MESSAGE_MS   8000 /* how long a status message stays */

void top_refresh(struct top_app *app)
{
	char err[256];

	if (top_domains_refresh(&app->domains, err, sizeof err) < 0)
		top_message(app, "%s", err);
	top_columns_sort(&app->domains, app->sort_col, app->sort_reverse);
	if (!top_selected(app))
		top_select_index(app, top_selected_index(app));
	top_sysinfo_update(&app->host);
	if (app->message[0] && top_now_ms() - app->message_ms > MESSAGE_MS)
		app->message[0] = '\0';
	app->next_refresh_ms = top_now_ms() + app->interval_ms;
	app->dirty = true;
}

static void draw(struct top_app *app, top_overlay overlay, void *ctx)
{
	top_view_draw(app);
	if (overlay)
		overlay(app, ctx);
	wnoutrefresh(stdscr);
	doupdate();
	app->dirty = false;
	app->drawn_ms = top_now_ms();
}

/* Reads the key after an ESC: Alt+key, or a lone ESC. */
static int alt_key(void)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	int ch = getch();

	if (ch == ERR && poll(&p, 1, ALT_WAIT_MS) > 0)
		ch = getch();
	return ch == ERR ? 27 : TOP_ALT(ch);
}

static int read_key(struct top_app *app)
{
	int ch = getch();

	if (ch == KEY_RESIZE) {
		clearok(curscr, TRUE);
		app->dirty = true;
		return ERR;
	}
	return ch == 27 ? alt_key() : ch;
}

static void read_console(struct top_app *app, struct top_domain *d)
{
	unsigned long before = d->console.term.total;
	bool shown = d == top_selected(app);

	if (top_console_read(&d->console) == 0)
		return;
	if (shown && app->console_back > 0)
		app->console_back += (int)(d->console.term.total - before);
	app->dirty |= shown;
}

/* Fills p with stdin, the signal pipe, the spawn pipe and the consoles. */
static int poll_set(struct top_app *app, struct pollfd *p, struct top_domain **owner)
{
	int n = 0;

	p[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	p[n++] = (struct pollfd){.fd = app->signal_fd, .events = POLLIN};
	p[n++] = (struct pollfd){.fd = app->spawn.pid ? app->spawn.fd : -1, .events = POLLIN};
	for (int i = 0; i < app->domains.n; i++) {
		owner[n] = app->domains.v[i];
		p[n] = (struct pollfd){.fd = owner[n]->console.fd, .events = POLLIN};
		n++;
	}
	return n;
}

static int wait_ms(struct top_app *app)
{
	long now = top_now_ms(), t = app->next_refresh_ms - now;

	if (app->dirty && app->drawn_ms + DRAW_GAP_MS - now < t)
		t = app->drawn_ms + DRAW_GAP_MS - now;
	return t < 0 ? 0 : (int)t;
}

static void pump(struct top_app *app)
{
	struct pollfd p[MAX_POLL_FDS];
	struct top_domain *owner[MAX_POLL_FDS];
	int n = poll_set(app, p, owner);

	if (poll(p, (nfds_t)n, wait_ms(app)) <= 0) {
		/* A timeout or a signal (SIGWINCH: getch sees KEY_RESIZE). */
	}
	if (p[1].revents)
		app->quit = true;
	if (p[2].revents)
		top_spawn_poll(app);
	for (int i = 3; i < n; i++)
		if (p[i].revents)
			read_console(app, owner[i]);
	if (top_now_ms() >= app->next_refresh_ms)
		top_refresh(app);
}

int top_next_key(struct top_app *app, top_overlay overlay, void *ctx)
{
	while (!app->quit) {
		int ch = read_key(app);
		if (ch != ERR)
			return ch;
		if (app->dirty && top_now_ms() - app->drawn_ms >= DRAW_GAP_MS)
			draw(app, overlay, ctx);
		pump(app);
	}
	return TOP_KEY_QUIT;
}
