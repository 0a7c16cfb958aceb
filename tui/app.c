/* The selection and the message line of a session. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"

int top_selected_index(struct top_app *app)
{
	for (int i = 0; i < app->domains.n; i++)
		if (strcmp(app->domains.v[i]->name, app->selected) == 0)
			return i;
	return -1;
}

struct top_domain *top_selected(struct top_app *app)
{
	int i = top_selected_index(app);

	return i >= 0 ? app->domains.v[i] : NULL;
}

void top_select_index(struct top_app *app, int i)
{
	if (i >= app->domains.n)
		i = app->domains.n - 1;
	if (i < 0)
		i = 0;
	if (app->domains.n == 0) {
		app->selected[0] = '\0';
		return;
	}
	snprintf(app->selected, sizeof app->selected, "%s", app->domains.v[i]->name);
	app->dirty = true;
}

void top_message(struct top_app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->message, sizeof app->message, fmt, ap);
	va_end(ap);
	app->message_ms = top_now_ms();
	app->dirty = true;
}
