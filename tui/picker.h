/* The config files hv top offers to create domains from: the guest
 * recipes under the source tree (assets/guests/ at any depth), the user's
 * own ($XDG_CONFIG_HOME/hv or ~/.config/hv) and the current directory's. */
#ifndef TUI_PICKER_H
#define TUI_PICKER_H

#include <limits.h>

#define PICKER_MAX 256

struct top_picker_list {
	char path[PICKER_MAX][PATH_MAX];
	int n;
};

/* Fills l with the config files found, sorted. Returns the count. */
int top_picker_scan(struct top_picker_list *l);

#endif
