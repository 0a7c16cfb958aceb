/* What the suites that drive `hv view` in a real X server share: Xvfb
 * started on a display it picks itself, and shell command lines (xdotool,
 * xwd) run for their output. */
#ifndef HV_TEST_XVFB_H
#define HV_TEST_XVFB_H

#include "harness.h"

/* Starts Xvfb as x (-displayfd: no race with other X servers for a
 * number, and the number comes only once the server takes clients) and
 * points DISPLAY at it; a failure fails the test. */
void x_start(struct h_proc *x);
/* Ends the Xvfb that x_start started. */
void x_stop(struct h_proc *x);

/* Output of a shell command line (static storage, trailing newline cut). */
const char *x_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
