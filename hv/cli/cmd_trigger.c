/* hv shutdown / hv trigger: the machine's buttons (the domain's trigger
 * request, docs/protocol.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"

#define SHUTDOWN_WAIT_DEFAULT 300 /* seconds hv shutdown -w waits unless told */

/* Sends "trigger WHAT" to domain name; prints the reply's note when the
 * guest may not react (quiet: only then). Returns 0 or 1. */
static int trigger(const char *name, const char *what, bool quiet)
{
	char reply[CTL_LINE_MAX], req[64], msg[256];

	snprintf(req, sizeof req, "trigger %s", what);
	if (cmd_request(name, req, -1, reply, sizeof reply))
		return 1;
	if (kv_get(reply, "what", msg, sizeof msg) && (!quiet || strchr(msg, ',')))
		printf("%s: %s\n", name, msg);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether the domain has ended: its socket is gone, or it is powered off
 * and preserved (on_poweroff = "preserve"). -1 on another error. */
static int domain_over(const char *name)
{
	struct ctl c;
	char err[256], reply[CTL_LINE_MAX], state[32];
	int rc;

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0)
		return strstr(err, "no domain named") ? 1 : -1;
	rc = ctl_call_timeout(&c, "info", reply, sizeof reply, 5000);
	ctl_close(&c);
	if (rc < 0)
		return 1; /* it went away while answering */
	return kv_get(reply, "state", state, sizeof state) &&
	       (strcmp(state, "shutdown") == 0 || strcmp(state, "dying") == 0);
}

/* Polls until the domain is over or `secs` pass (0: forever). */
static int wait_end(const char *name, double secs)
{
	double end = now_s() + secs;

	for (;;) {
		int over = domain_over(name);
		if (over > 0) {
			printf("%s: shut down\n", name);
			return 0;
		}
		if (secs > 0 && now_s() >= end) {
			cmd_error(
			    "domain '%s' is still running after %.0f seconds (the guest did not "
			    "power off; 'hv destroy %s' ends it at once)",
			    name, secs, name);
			return 1;
		}
		usleep(200 * 1000);
	}
}

int cmd_shutdown(int argc, char **argv)
{
	const char *name = NULL;
	bool wait = false;
	double secs = SHUTDOWN_WAIT_DEFAULT;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--wait") == 0) {
			wait = true;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			secs = strtod(argv[++i], &end);
			if (*end || secs < 0 || secs > 86400 * 365) {
				cmd_error("--timeout takes seconds (0: wait forever), not '%s'",
					  argv[i]);
				return 1;
			}
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			name = NULL;
			break;
		}
	}
	if (!name) {
		cmd_error("usage: hv shutdown [-w [--timeout SECONDS]] NAME");
		return 1;
	}
	if (trigger(name, "power", true))
		return 1;
	return wait ? wait_end(name, secs) : 0;
}

int cmd_trigger(int argc, char **argv)
{
	if (argc != 3) {
		cmd_error("usage: hv trigger NAME power|sleep|reset|nmi");
		return 1;
	}
	return trigger(argv[1], argv[2], false);
}

/* Alt+SysRq+KEY through the PS/2 keyboard (the send-keys request). KEY is
 * one letter or digit, as Linux's magic SysRq keys are. */
int cmd_sysrq(int argc, char **argv)
{
	char reply[CTL_LINE_MAX], req[64];
	const char *k = argc == 3 ? argv[2] : "";

	if (argc != 3) {
		cmd_error("usage: hv sysrq NAME KEY");
		return 1;
	}
	if (strlen(k) != 1 || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9'))) {
		cmd_error("sysrq takes one lower-case letter or digit (h: the guest's help), not "
			  "'%s'",
			  k);
		return 1;
	}
	snprintf(req, sizeof req, "send-keys alt-sysrq-%s", k);
	return cmd_request(argv[1], req, -1, reply, sizeof reply);
}
