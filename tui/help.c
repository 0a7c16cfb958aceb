#include "tui/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/column.h"
#include "tui/dialog.h"
#include "tui/top_keys.h"

#define HELP_MAX 128
#define HELP_LEN 160

static const char *const intro[] = {
    "hv top: the domains of this user, refreshed live.",
    "",
};

static const char *const outro[] = {
    "",
    "In the console every other key goes to the guest. Alt+N numbers the",
    "domains in list order. A domain whose process ends stays listed as",
    "'gone' with its console kept; destroying it removes it from the list.",
    "'hv top --plain' draws without colours (so does a colourless terminal).",
    "",
    "Columns:",
};

static char *add(char **lines, int *n, const char *text)
{
	if (*n < HELP_MAX && (lines[*n] = malloc(HELP_LEN)))
		snprintf(lines[(*n)++], HELP_LEN, "%s", text);
	return *n > 0 ? lines[*n - 1] : NULL;
}

/* The keys sharing b's help text, e.g. "F9 d Del". */
static void key_names(int first, char *out, size_t len, unsigned modes)
{
	const char *help = top_bindings[first].help;

	out[0] = '\0';
	for (int i = first; i < top_nbindings; i++) {
		const struct top_binding *b = &top_bindings[i];
		size_t n = strlen(out);
		if (strcmp(b->help, help) == 0 && (b->modes & modes) && !strstr(out, b->name))
			snprintf(out + n, len - n, "%s%s", n ? " " : "", b->name);
	}
}

static bool seen_before(int i, unsigned modes)
{
	for (int j = 0; j < i; j++)
		if ((top_bindings[j].modes & modes) &&
		    strcmp(top_bindings[j].help, top_bindings[i].help) == 0)
			return true;
	return false;
}

static void add_keys(char **lines, int *n, unsigned modes, const char *heading)
{
	char names[64], line[HELP_LEN];

	add(lines, n, heading);
	for (int i = 0; i < top_nbindings; i++) {
		if (!(top_bindings[i].modes & modes) || seen_before(i, modes))
			continue;
		key_names(i, names, sizeof names, modes);
		snprintf(line, sizeof line, "  %-16s %s", names, top_bindings[i].help);
		add(lines, n, line);
	}
}

void top_help_show(struct top_app *app)
{
	char *lines[HELP_MAX], line[HELP_LEN];
	int n = 0;

	for (size_t i = 0; i < sizeof intro / sizeof intro[0]; i++)
		add(lines, &n, intro[i]);
	add_keys(lines, &n, KEYS_LIST, "In the list:");
	add(lines, &n, "");
	add_keys(lines, &n, KEYS_CONSOLE, "In the console:");
	for (size_t i = 0; i < sizeof outro / sizeof outro[0]; i++)
		add(lines, &n, outro[i]);
	for (int i = 0; i < top_ncolumns; i++) {
		snprintf(line, sizeof line, "  %-16s %s", top_columns[i].title,
			 top_columns[i].help);
		add(lines, &n, line);
	}
	top_dialog_pager(app, " hv top help", lines, n, false);
	for (int i = 0; i < n; i++)
		free(lines[i]);
}
