/* Every key of hv top in one table: which modes it works in, what it
 * does, the label it gets in the function bar and its line in the help.
 * Handlers return a TOP_* flag mask. */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include "tui/actions.h"
#include "tui/app.h"

enum { KEYS_LIST = 1 << TOP_MODE_LIST, KEYS_CONSOLE = 1 << TOP_MODE_CONSOLE };

struct top_binding {
	int key;	  /* a character, KEY_ code or TOP_ALT(c) */
	int span;	  /* keys key..key+span-1 (arg 1..span); 0 means 1 */
	const char *name; /* as the help shows it */
	unsigned modes;	  /* KEYS_LIST | KEYS_CONSOLE */
	top_handler_fn fn;
	const char *bar; /* function-bar label, or NULL */
	const char *help;
};

extern const struct top_binding top_bindings[];
extern const int top_nbindings;

/* Runs the binding for key in the current mode. In the console, a key
 * with no binding goes to the guest. Returns the handler's flags. */
int top_keys_dispatch(struct top_app *app, int key);

#endif
