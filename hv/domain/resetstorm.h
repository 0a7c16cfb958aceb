/* A guest that resets over and over (a triple fault in its first
 * instructions, a reboot loop) would spin a host CPU for ever and fill the
 * log; past RESET_STORM_MAX resets within RESET_STORM_WINDOW_S seconds it
 * is treated as crashed instead. A real guest's reboot takes longer than
 * the window divided by the count by orders of magnitude. */
#ifndef HV_RESETSTORM_H
#define HV_RESETSTORM_H

#include <stdbool.h>
#include <stdint.h>

#define RESET_STORM_MAX	     100
#define RESET_STORM_WINDOW_S 10

struct reset_storm {
	int64_t window_start_ns; /* host monotonic start of the current window */
	unsigned count;		 /* resets in it */
};

/* Notes one reset at host time now_ns. Returns true when it makes more
 * than RESET_STORM_MAX in the current window: the storm is on. */
bool reset_storm_note(struct reset_storm *s, int64_t now_ns);

#endif
