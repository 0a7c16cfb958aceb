/* Handlers that act on domains: pause/resume, reboot, destroy, the log,
 * creating one from a config file, and the menu that offers them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/actions.h"
#include "tui/dialog.h"
#include "tui/pager.h"
#include "tui/picker.h"
#include "tui/spawn.h"

/* The selected domain, or NULL after saying there is none. */
static struct top_domain *target(struct top_app *app)
{
	struct top_domain *d = top_selected(app);

	if (!d)
		top_message(app, "no domain selected");
	return d;
}

static int request(struct top_app *app, struct top_domain *d, const char *req, const char *done)
{
	char err[512];

	if (top_domain_request(d, req, err, sizeof err) < 0)
		top_message(app, "%s", err);
	else
		top_message(app, "%s %s", d->name, done);
	return TOP_REFRESH | TOP_REDRAW;
}

int top_act_pause(struct top_app *app, int arg)
{
	struct top_domain *d = target(app);

	(void)arg;
	if (!d)
		return TOP_REDRAW;
	if (strcmp(d->state, "paused") == 0)
		return request(app, d, "unpause", "resumed");
	return request(app, d, "pause", "paused");
}

/* The selected domain if it has audio (its info has audio_volume). */
static struct top_domain *audio_target(struct top_app *app)
{
	struct top_domain *d = target(app);

	if (d && d->audio_volume < 0) {
		top_message(app, "%s has no audio", d->name);
		return NULL;
	}
	return d;
}

int top_act_mute(struct top_app *app, int arg)
{
	struct top_domain *d = audio_target(app);

	(void)arg;
	if (!d)
		return TOP_REDRAW;
	d->audio_muted = !d->audio_muted; /* until the next refresh says */
	return request(app, d, d->audio_muted ? "audio mute" : "audio unmute",
		       d->audio_muted ? "muted" : "unmuted");
}

/* arg 1: 10 down, 2: 10 up. */
static int volume_step(struct top_app *app, int step)
{
	struct top_domain *d = audio_target(app);
	char req[32], done[32];
	int v;

	if (!d)
		return TOP_REDRAW;
	v = d->audio_volume + step;
	v = v < 0 ? 0 : v > 100 ? 100 : v;
	d->audio_volume = v;
	snprintf(req, sizeof req, "audio volume %d", v);
	snprintf(done, sizeof done, "volume %d%s", v, d->audio_muted ? " (muted)" : "");
	return request(app, d, req, done);
}

int top_act_volume_down(struct top_app *app, int arg)
{
	(void)arg;
	return volume_step(app, -10);
}

int top_act_volume_up(struct top_app *app, int arg)
{
	(void)arg;
	return volume_step(app, 10);
}

/* Asks question about the selected domain; returns it if the answer is
 * yes and it is still there (the list may change while the user thinks). */
static struct top_domain *confirm(struct top_app *app, const char *question)
{
	struct top_domain *d = target(app);
	char name[RUNTIME_NAME_MAX], text[256];

	if (!d)
		return NULL;
	snprintf(name, sizeof name, "%s", d->name);
	snprintf(text, sizeof text, question, name);
	if (!top_dialog_confirm(app, text)) {
		top_message(app, "cancelled");
		return NULL;
	}
	return top_domains_find(&app->domains, name);
}

int top_act_reboot(struct top_app *app, int arg)
{
	struct top_domain *d = confirm(app, "Reboot domain '%s'? (y/n)");

	(void)arg;
	return d ? request(app, d, "reboot", "rebooted") : TOP_REDRAW;
}

/* Drops d from the list, selecting the row that takes its place. */
static void forget(struct top_app *app, struct top_domain *d)
{
	int i = top_selected_index(app);

	top_domains_forget(&app->domains, d);
	top_select_index(app, i);
}

int top_act_destroy(struct top_app *app, int arg)
{
	struct top_domain *d = top_selected(app);
	char err[512];

	(void)arg;
	if (d && d->gone) {
		top_message(app, "%s forgotten", d->name);
		forget(app, d);
		return TOP_REDRAW;
	}
	d = confirm(app, "Destroy domain '%s'? (y/n)");
	if (!d)
		return TOP_REDRAW;
	if (top_domain_request(d, "destroy", err, sizeof err) < 0) {
		top_message(app, "%s", err);
		return TOP_REFRESH | TOP_REDRAW;
	}
	top_message(app, "%s destroyed", d->name);
	forget(app, d);
	if (app->mode == TOP_MODE_CONSOLE)
		app->mode = TOP_MODE_LIST;
	return TOP_REFRESH | TOP_REDRAW;
}

int top_act_log(struct top_app *app, int arg)
{
	struct top_domain *d = target(app);
	char title[RUNTIME_NAME_MAX + PATH_MAX + 16];

	(void)arg;
	if (!d)
		return TOP_REDRAW;
	if (!d->log[0]) {
		top_message(app, "%s: its log file is not known yet", d->name);
		return TOP_REDRAW;
	}
	snprintf(title, sizeof title, " log of %s: %s", d->name, d->log);
	top_pager_file(app, title, d->log);
	return TOP_REDRAW;
}

int top_act_create(struct top_app *app, int arg)
{
	struct top_picker_list *l = malloc(sizeof *l);
	const char *items[PICKER_MAX];
	int pick;

	(void)arg;
	if (!l)
		return TOP_REDRAW;
	top_picker_scan(l);
	for (int i = 0; i < l->n; i++)
		items[i] = l->path[i];
	if (l->n == 0)
		top_message(app, "no config files in assets/guests/, ~/.config/hv/ or here");
	pick = l->n ? top_dialog_choose(app, " Create a domain from: ", items, l->n) : -1;
	if (pick >= 0)
		top_spawn_start(app, l->path[pick]);
	free(l);
	return TOP_REDRAW;
}
