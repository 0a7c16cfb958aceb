/* The action menu (F2 or Enter): what can be done to the selected domain,
 * each entry running the same handler as its key. Only actions hv can
 * really do are offered. */
#include <stdio.h>
#include <string.h>

#include "tui/actions.h"
#include "tui/dialog.h"

#define MENU_MAX 12

struct menu_entry {
	const char *label;
	top_handler_fn fn;
};

static int add(struct menu_entry *m, int n, const char *label, top_handler_fn fn)
{
	if (n < MENU_MAX)
		m[n++] = (struct menu_entry){label, fn};
	return n;
}

/* The entries that fit d (NULL: no domain selected). */
static int build(struct menu_entry *m, const struct top_domain *d)
{
	int n = 0;

	if (d && !d->gone) {
		n = add(m, n, "Console                 c", top_nav_console);
		n = add(m, n,
			strcmp(d->state, "paused") == 0 ? "Resume                  p"
							: "Pause                   p",
			top_act_pause);
		n = add(m, n, "Reboot...               r", top_act_reboot);
		n = add(m, n, "Destroy...              d", top_act_destroy);
		n = add(m, n, "Take a snapshot         S", top_act_snapshot);
		n = add(m, n, "Revert to snapshot...   R", top_act_revert);
	} else if (d) {
		n = add(m, n, "Revert to snapshot...   R", top_act_revert);
		n = add(m, n, "Last console lines      c", top_nav_console);
		n = add(m, n, "Forget                  d", top_act_destroy);
	}
	if (d)
		n = add(m, n, "Show log                l", top_act_log);
	n = add(m, n, "Create from config...   n", top_act_create);
	n = add(m, n, "Help                    ?", top_nav_help);
	return n;
}

int top_act_menu(struct top_app *app, int arg)
{
	struct menu_entry m[MENU_MAX];
	const char *labels[MENU_MAX];
	struct top_domain *d = top_selected(app);
	char title[RUNTIME_NAME_MAX + 16], name[RUNTIME_NAME_MAX];
	int n = build(m, d), pick;

	(void)arg;
	snprintf(name, sizeof name, "%s", d ? d->name : "");
	for (int i = 0; i < n; i++)
		labels[i] = m[i].label;
	snprintf(title, sizeof title, " %s ", d ? d->name : "hv top");
	pick = top_dialog_choose(app, title, labels, n);
	if (pick < 0)
		return TOP_REDRAW;
	/* The list may have changed behind the menu: act on the same domain. */
	d = top_selected(app);
	if (strcmp(d ? d->name : "", name) != 0)
		return TOP_REDRAW;
	return m[pick].fn(app, 0);
}
