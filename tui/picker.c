#include "tui/picker.h"

#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/datadir.h"

/* nftw has no context argument: the list being filled. */
static struct top_picker_list *filling;

static void add(struct top_picker_list *l, const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		snprintf(real, sizeof real, "%s", path);
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->path[i], real) == 0)
			return;
	if (l->n < PICKER_MAX)
		snprintf(l->path[l->n++], PATH_MAX, "%s", real);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)st;
	(void)ftw;
	if (type == FTW_F && n > 4 && strcmp(path + n - 4, ".cfg") == 0)
		add(filling, path);
	return 0;
}

static void add_glob(struct top_picker_list *l, const char *pattern)
{
	glob_t g;

	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		add(l, g.gl_pathv[i]);
	globfree(&g);
}

static void add_user_dir(struct top_picker_list *l)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char pattern[PATH_MAX];

	if (xdg && *xdg)
		snprintf(pattern, sizeof pattern, "%s/hv/*.cfg", xdg);
	else
		snprintf(pattern, sizeof pattern, "%s/.config/hv/*.cfg", home ? home : "");
	add_glob(l, pattern);
}

static int compare(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The user's own configs (config directory, current directory) first,
 * then the guests that come with hv; each group in name order. */
int top_picker_scan(struct top_picker_list *l)
{
	char guests[PATH_MAX + 8];
	int own;

	l->n = 0;
	filling = l;
	add_user_dir(l);
	add_glob(l, "*.cfg");
	own = l->n;
	qsort(l->path, (size_t)own, PATH_MAX, compare);
	snprintf(guests, sizeof guests, "%s/guests", datadir_get()->assets);
	nftw(guests, visit, 16, FTW_PHYS);
	qsort(l->path[own], (size_t)(l->n - own), PATH_MAX, compare);
	return l->n;
}
