/* Key names for `hv send-keys`: names such as "a", "ret", "f2", "pgup",
 * combinations such as "ctrl-alt-delete" (press each in order, release in
 * reverse), and text typed as a US keyboard would (Shift for capitals and
 * shifted symbols). Everything comes out as host input events
 * (hv/core/input.h), which any keyboard model turns into its own codes. */
#ifndef HV_KEYS_H
#define HV_KEYS_H

#include <stddef.h>

#include "hv/core/input.h"

#define KEYS_COMBO_MAX 8 /* keys in one combination */

/* The evdev code of a key name (case-insensitive), or -1. */
int keys_code(const char *name);

/* The canonical name of an evdev code, or NULL. */
const char *keys_name(unsigned code);

/* Appends the events of one KEY argument ("f2", "ctrl-alt-delete",
 * "shift+a") to out[*n], never past max. Returns 0, or -1 with err naming
 * the bad key and the known names nearest to it. */
int keys_parse(const char *spec, struct input_key *out, size_t max, size_t *n, char *err,
	       size_t errlen);

/* Appends the events that type `text` (printable ASCII, newline as Enter,
 * tab). Returns 0, or -1 with err for a character the layout lacks or
 * when more than max events would be needed. */
int keys_text(const char *text, struct input_key *out, size_t max, size_t *n, char *err,
	      size_t errlen);

#endif
