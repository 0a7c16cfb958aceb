/* The host's CPU use and memory for the status line, from /proc/stat and
 * /proc/meminfo. */
#ifndef TUI_SYSINFO_H
#define TUI_SYSINFO_H

#include <stdbool.h>

struct top_sysinfo {
	unsigned long long busy, total; /* jiffies from /proc/stat's cpu line */
	double cpu_pct;			/* over the last two samples */
	double mem_used_mib, mem_total_mib;
	bool valid;
};

/* Takes a new sample; cpu_pct is the use since the previous one. */
void top_sysinfo_update(struct top_sysinfo *s);

#endif
