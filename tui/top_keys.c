#include "tui/top_keys.h"

#include <curses.h>
#include <string.h>

#include "tui/actions.h"
#include "tui/loop.h"

#define L  KEYS_LIST
#define C  KEYS_CONSOLE
#define LC (KEYS_LIST | KEYS_CONSOLE)

const struct top_binding top_bindings[] = {
    {KEY_F(1), 0, "F1", L, top_nav_help, "Help", "this help"},
    {'?', 0, "?", L, top_nav_help, NULL, "this help"},
    {'h', 0, "h", L, top_nav_help, NULL, "this help"},
    {KEY_F(2), 0, "F2", L, top_act_menu, "Menu", "actions on the selected domain"},
    {'\r', 0, "Enter", L, top_act_menu, NULL, "actions on the selected domain"},
    {KEY_ENTER, 0, "Enter", L, top_act_menu, NULL, "actions on the selected domain"},
    {KEY_F(5), 0, "F5", L, top_act_create, "New", "create a domain from a config file"},
    {KEY_F(6), 0, "F6", L, top_nav_sort_next, "SortBy", "sort by the next column"},
    {'c', 0, "c", L, top_nav_console, NULL, "console of the selected domain"},
    {TOP_ALT('1'), 9, "Alt+1..9", LC, top_nav_console_nth, NULL,
     "console of domain N in the list (from anywhere)"},
    {TOP_ALT('n'), 0, "Alt+n", LC, top_nav_console_next, NULL,
     "console of the next domain (cycles)"},
    {0x1d, 0, "Ctrl-]", C, top_nav_list, NULL, "leave the console for the list"},
    {KEY_PPAGE, 0, "PgUp", C, top_nav_scroll_up, NULL, "console: scroll back"},
    {KEY_NPAGE, 0, "PgDn", C, top_nav_scroll_down, NULL, "console: scroll forward"},
    {'p', 0, "p", L, top_act_pause, NULL, "pause the domain, or resume it if paused"},
    {'r', 0, "r", L, top_act_reboot, NULL, "reboot the domain (asks first)"},
    {KEY_F(9), 0, "F9", L, top_act_destroy, "Destroy",
     "destroy the domain (asks first); forget a gone one"},
    {'d', 0, "d", L, top_act_destroy, NULL, "destroy the domain (asks first); forget a gone one"},
    {KEY_DC, 0, "Del", L, top_act_destroy, NULL,
     "destroy the domain (asks first); forget a gone one"},
    {'S', 0, "S", L, top_act_snapshot, NULL,
     "take a snapshot of the domain (hv snapshot-create, named by the time)"},
    {'R', 0, "R", L, top_act_revert, NULL,
     "revert the domain to one of its snapshots (asks first)"},
    {'n', 0, "n", L, top_act_create, NULL, "create a domain from a config file"},
    {'l', 0, "l", L, top_act_log, NULL, "show the domain's log"},
    {'m', 0, "m", L, top_act_mute, NULL, "mute the domain's sound, or unmute it"},
    {'<', 0, "<", L, top_act_volume_down, NULL, "the domain's sound volume 10 lower"},
    {'>', 0, ">", L, top_act_volume_up, NULL, "the domain's sound volume 10 higher"},
    {'s', 0, "s", L, top_nav_sort_next, NULL, "sort by the next column"},
    {'I', 0, "I", L, top_nav_sort_reverse, NULL, "invert the sort order"},
    {'+', 0, "+", L, top_nav_slower, NULL, "refresh less often"},
    {'-', 0, "-", L, top_nav_faster, NULL, "refresh more often"},
    {KEY_UP, 0, "Up", L, top_nav_up, NULL, "select the previous domain"},
    {'k', 0, "k", L, top_nav_up, NULL, "select the previous domain"},
    {KEY_DOWN, 0, "Down", L, top_nav_down, NULL, "select the next domain"},
    {'j', 0, "j", L, top_nav_down, NULL, "select the next domain"},
    {KEY_PPAGE, 0, "PgUp", L, top_nav_page_up, NULL, "a page up"},
    {KEY_NPAGE, 0, "PgDn", L, top_nav_page_down, NULL, "a page down"},
    {KEY_HOME, 0, "Home", L, top_nav_home, NULL, "the first domain"},
    {KEY_END, 0, "End", L, top_nav_end, NULL, "the last domain"},
    {0x0c, 0, "Ctrl-L", LC, top_nav_redraw, NULL, "redraw the screen"},
    {KEY_F(10), 0, "F10", L, top_nav_quit, "Quit", "quit (domains keep running)"},
    {'q', 0, "q", L, top_nav_quit, NULL, "quit (domains keep running)"},
};

const int top_nbindings = sizeof top_bindings / sizeof top_bindings[0];

/* Keys that are no characters, as a VT100 sends them to the guest. */
static const struct {
	int key;
	const char *seq;
} guest_keys[] = {
    {KEY_UP, "\033[A"},	     {KEY_DOWN, "\033[B"}, {KEY_RIGHT, "\033[C"}, {KEY_LEFT, "\033[D"},
    {KEY_HOME, "\033[H"},    {KEY_END, "\033[F"},  {KEY_DC, "\033[3~"},	  {KEY_IC, "\033[2~"},
    {KEY_BACKSPACE, "\177"}, {KEY_ENTER, "\r"},	   {KEY_BTAB, "\033[Z"},
};

static int to_guest(struct top_app *app, int key)
{
	struct top_domain *d = top_selected(app);
	char buf[2];

	if (!d)
		return TOP_OK;
	for (size_t i = 0; i < sizeof guest_keys / sizeof guest_keys[0]; i++)
		if (guest_keys[i].key == key)
			top_console_send(&d->console, guest_keys[i].seq, strlen(guest_keys[i].seq));
	if (key >= 0 && key < 256) {
		buf[0] = (char)key;
		top_console_send(&d->console, buf, 1);
	} else if (key & TOP_ALT(0) && (key & 0xff00) == 0) {
		buf[0] = 033; /* Alt+key: ESC, then the key */
		buf[1] = (char)key;
		top_console_send(&d->console, buf, 2);
	}
	app->console_back = 0;
	return TOP_OK;
}

int top_keys_dispatch(struct top_app *app, int key)
{
	unsigned mode = 1u << app->mode;

	for (int i = 0; i < top_nbindings; i++) {
		const struct top_binding *b = &top_bindings[i];
		int span = b->span ? b->span : 1;
		if ((b->modes & mode) && key >= b->key && key < b->key + span)
			return b->fn(app, key - b->key + 1);
	}
	return app->mode == TOP_MODE_CONSOLE ? to_guest(app, key) : TOP_OK;
}
