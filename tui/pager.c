#include "tui/pager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/dialog.h"

#define PAGER_MAX_LINES 5000

struct lines {
	char *v[PAGER_MAX_LINES];
	int first, n; /* a ring: the file's last lines */
};

static void keep(struct lines *l, const char *text)
{
	char *copy = strdup(text);
	int slot;

	if (!copy)
		return;
	copy[strcspn(copy, "\r\n")] = '\0';
	if (l->n == PAGER_MAX_LINES) {
		free(l->v[l->first]);
		l->v[l->first] = copy;
		l->first = (l->first + 1) % PAGER_MAX_LINES;
		return;
	}
	slot = (l->first + l->n++) % PAGER_MAX_LINES;
	l->v[slot] = copy;
}

/* Puts the ring in order so the pager sees a plain array. */
static void unroll(struct lines *l)
{
	char **tmp = malloc(sizeof(char *) * (size_t)l->n);

	if (!tmp)
		return;
	for (int i = 0; i < l->n; i++)
		tmp[i] = l->v[(l->first + i) % PAGER_MAX_LINES];
	memcpy(l->v, tmp, sizeof(char *) * (size_t)l->n);
	l->first = 0;
	free(tmp);
}

void top_pager_file(struct top_app *app, const char *title, const char *path)
{
	struct lines *l = calloc(1, sizeof *l);
	char buf[1024];
	FILE *f = fopen(path, "r");

	if (!f || !l) {
		top_message(app, "%s: %s", path, f ? "out of memory" : strerror(errno));
		if (f)
			fclose(f);
		free(l);
		return;
	}
	while (fgets(buf, sizeof buf, f))
		keep(l, buf);
	fclose(f);
	unroll(l);
	top_dialog_pager(app, title, l->v, l->n, true);
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l);
}
