/* hv top: the domain manager in the terminal, in the spirit of xentop and
 * virt-top. This file holds the command's entry point and its main loop;
 * each panel lives in a file of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "tui/column.h"
#include "tui/top_keys.h"
#include "tui/loop.h"
#include "tui/screen.h"
#include "tui/top_batch.h"

#define DEFAULT_INTERVAL_MS 1000

static void usage(void)
{
	cmd_error("usage: hv top [--plain] [--delay SECONDS] [--batch|--csv] [--iterations N]");
}

static bool is(const char *arg, const char *longname, const char *shortname)
{
	return strcmp(arg, longname) == 0 || (shortname && strcmp(arg, shortname) == 0);
}

/* A count of frames: 1 to 1000000. */
static bool parse_count(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || v < 1 || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

/* Returns 0, or -1 after printing the usage. */
static int parse_args(struct top_app *app, struct top_batch_opts *batch, bool *batch_on, int argc,
		      char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (is(argv[i], "--plain", NULL)) {
			app->plain = true;
		} else if (is(argv[i], "--delay", "-d") && next && atof(next) >= 0.01 &&
			   atof(next) <= 3600) {
			app->interval_ms = (int)(atof(argv[++i]) * 1000);
		} else if (is(argv[i], "--batch", "-b")) {
			*batch_on = true;
		} else if (is(argv[i], "--csv", NULL)) {
			*batch_on = batch->csv = true;
		} else if (is(argv[i], "--iterations", "-i") && next &&
			   parse_count(next, &batch->iterations)) {
			i++;
		} else {
			usage();
			return -1;
		}
	}
	if (batch->iterations && !*batch_on) {
		cmd_error("top: --iterations goes with --batch or --csv");
		return -1;
	}
	return 0;
}

static void react(struct top_app *app, int flags)
{
	if (flags & TOP_QUIT)
		app->quit = true;
	if (flags & TOP_REFRESH)
		top_refresh(app);
	if (flags & TOP_RESORT)
		top_columns_sort(&app->domains, app->sort_col, app->sort_reverse);
	if (flags & (TOP_REDRAW | TOP_REFRESH | TOP_RESORT))
		app->dirty = true;
}

static void run(struct top_app *app)
{
	top_refresh(app);
	top_select_index(app, 0);
	while (!app->quit) {
		int key = top_next_key(app, NULL, NULL);
		if (key == TOP_KEY_QUIT)
			break;
		react(app, top_keys_dispatch(app, key));
		if (app->mode == TOP_MODE_CONSOLE && !top_selected(app))
			app->mode = TOP_MODE_LIST;
	}
}

int cmd_top(int argc, char **argv)
{
	static struct top_app app;
	struct top_batch_opts batch = {0};
	bool batch_on = false;

	app = (struct top_app){.interval_ms = DEFAULT_INTERVAL_MS, .self = "/proc/self/exe"};
	if (parse_args(&app, &batch, &batch_on, argc, argv) < 0)
		return 1;
	if (batch_on) {
		batch.interval_ms = app.interval_ms;
		return top_batch_run(&batch, stdout);
	}
	if (top_screen_start(app.plain, &app.signal_fd) < 0)
		return 1;
	atexit(top_screen_stop);
	run(&app);
	top_screen_stop();
	top_domains_free(&app.domains);
	return 0;
}
