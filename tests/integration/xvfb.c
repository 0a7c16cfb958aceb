/* Xvfb and shell helpers of the view suites (xvfb.h). */
#include "xvfb.h"

#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The display number Xvfb wrote on its own line of output, or -1. */
static int displayfd_number(const char *out)
{
	for (const char *line = out; *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		char *end;
		long n = strtol(line, &end, 10);

		if (end != line && *end == '\n' && n >= 0 && n < 10000)
			return (int)n;
	}
	return -1;
}

void x_start(struct h_proc *x)
{
	char disp[16];
	int n = -1;

	h_spawn_prog(x, "Xvfb",
		     (const char *const[]){"-displayfd", "1", "-screen", "0", "1280x1024x24",
					   "-nolisten", "tcp", NULL});
	for (int i = 0; i < 120 && n < 0; i++) {
		h_expect(x, "\n\n\n", 1); /* no such output: reads for a second */
		n = displayfd_number(x->buf);
	}
	ck_assert_msg(n >= 0, "Xvfb did not start: %s", x->buf);
	snprintf(disp, sizeof disp, ":%d", n);
	setenv("DISPLAY", disp, 1);
	ck_assert_msg(system("xdotool getdisplaygeometry >/dev/null 2>&1") == 0,
		      "Xvfb on %s takes no clients: %s", disp, x->buf);
}

void x_stop(struct h_proc *x)
{
	kill(x->pid, SIGTERM);
	h_wait(x, 10);
}

const char *x_sh(const char *fmt, ...)
{
	static char out[4096];
	char cmd[1024];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof out - 1, p);
	pclose(p);
	out[n] = '\0';
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}
