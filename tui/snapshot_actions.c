/* hv top's snapshot actions: take one now (named after the time) and
 * revert to one picked from the domain's snapshots, each run as `hv
 * snapshot-create` / `hv snapshot-revert` in the background (spawn.c). */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/core/runtime.h"
#include "hv/core/snapmeta.h"
#include "tui/actions.h"
#include "tui/dialog.h"
#include "tui/spawn.h"

#define SNAP_PICK_MAX 64

int top_act_snapshot(struct top_app *app, int arg)
{
	struct top_domain *d = top_selected(app);
	char snap[40], doing[RUNTIME_NAME_MAX + 64];
	time_t now = time(NULL);
	struct tm tm;

	(void)arg;
	if (!d || d->gone) {
		top_message(app, "no running domain selected");
		return TOP_REDRAW;
	}
	if (!localtime_r(&now, &tm) || !strftime(snap, sizeof snap, "snap-%Y%m%d-%H%M%S", &tm))
		return TOP_REDRAW;
	snprintf(doing, sizeof doing, "taking snapshot %s of %s", snap, d->name);
	top_spawn_hv(app, (const char *const[]){"snapshot-create", d->name, snap, NULL}, doing,
		     "took snapshot");
	return TOP_REDRAW;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of domain's snapshots (their SNAP.meta files), sorted. */
static int list_snapshots(const char *domain, char names[][SNAPMETA_NAME_MAX], char **sorted)
{
	char dir[PATH_MAX], path[PATH_MAX + RUNTIME_NAME_MAX + 16], err[256];
	struct dirent *e;
	DIR *dp;
	int n = 0;

	if (runtime_state_dir(dir, sizeof dir, err, sizeof err) < 0)
		return 0;
	snprintf(path, sizeof path, "%s/snapshots/%s", dir, domain);
	dp = opendir(path);
	if (!dp)
		return 0;
	while ((e = readdir(dp)) && n < SNAP_PICK_MAX) {
		size_t len = strlen(e->d_name);

		if (len <= 5 || len - 5 >= SNAPMETA_NAME_MAX ||
		    strcmp(e->d_name + len - 5, ".meta"))
			continue;
		memcpy(names[n], e->d_name, len - 5);
		names[n][len - 5] = '\0';
		if (snapmeta_name_ok(names[n])) {
			sorted[n] = names[n];
			n++;
		}
	}
	closedir(dp);
	qsort(sorted, (size_t)n, sizeof sorted[0], by_name);
	return n;
}

int top_act_revert(struct top_app *app, int arg)
{
	static char names[SNAP_PICK_MAX][SNAPMETA_NAME_MAX];
	char *items[SNAP_PICK_MAX], name[RUNTIME_NAME_MAX], snap[SNAPMETA_NAME_MAX];
	char text[RUNTIME_NAME_MAX + SNAPMETA_NAME_MAX + 96], doing[sizeof text];
	struct top_domain *d = top_selected(app);
	int n, pick;

	(void)arg;
	if (!d) {
		top_message(app, "no domain selected");
		return TOP_REDRAW;
	}
	snprintf(name, sizeof name, "%s", d->name);
	n = list_snapshots(name, names, items);
	if (n == 0) {
		top_message(app, "%s has no snapshots (S takes one)", name);
		return TOP_REDRAW;
	}
	pick = top_dialog_choose(app, " Revert to snapshot: ", (const char *const *)items, n);
	if (pick < 0)
		return TOP_REDRAW;
	snprintf(snap, sizeof snap, "%s", items[pick]);
	snprintf(text, sizeof text,
		 "Revert '%s' to snapshot '%s'? What it did since is lost. (y/n)", name, snap);
	if (!top_dialog_confirm(app, text)) {
		top_message(app, "cancelled");
		return TOP_REDRAW;
	}
	snprintf(doing, sizeof doing, "reverting %s to snapshot %s", name, snap);
	top_spawn_hv(app, (const char *const[]){"snapshot-revert", name, snap, NULL}, doing,
		     "reverted domain");
	return TOP_REFRESH | TOP_REDRAW;
}
