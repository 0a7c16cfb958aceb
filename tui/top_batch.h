/* hv top -b: the domain list as text frames for scripts, like `xentop
 * -b`, or as CSV like `virt-top --csv`; no terminal needed. */
#ifndef TUI_TOP_BATCH_H
#define TUI_TOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

struct top_batch_opts {
	int interval_ms; /* between frames */
	int iterations;	 /* frames to print; 0: until interrupted */
	bool csv;
};

/* Prints the frames on out. Each frame's rates cover the interval before
 * it (a first sample is taken one interval before the first frame).
 * Returns the exit status: 0, or 1 when the runtime directory cannot be
 * read (the message is printed). */
int top_batch_run(const struct top_batch_opts *o, FILE *out);

#endif
