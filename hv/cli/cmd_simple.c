/* hv pause / unpause / reboot / destroy: one request each; and the one
 * request of other commands (cmd_request). */
#include <stdio.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"

static int request(int argc, char **argv, const char *req)
{
	struct ctl c;
	char err[256], reply[CTL_LINE_MAX];
	int rc;

	if (argc != 2) {
		cmd_error("usage: hv %s NAME", argv[0]);
		return 1;
	}
	if (ctl_open(&c, argv[1], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = ctl_call(&c, req, reply, sizeof reply);
	if (rc == 0 && strcmp(req, "destroy") == 0) {
		/* Like xl destroy, return once the domain is gone: the domain
		 * closes this connection after removing its socket. */
		while (ctl_read_line(&c, reply, sizeof reply, 10000) >= 0)
			;
	}
	ctl_close(&c);
	if (rc < 0) {
		cmd_error("%s", reply);
		return 1;
	}
	return 0;
}

int cmd_request(const char *name, const char *req, int fd, char *reply, size_t len)
{
	struct ctl c;
	char err[256];
	int rc;

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = fd >= 0 ? ctl_call_fd(&c, req, fd, reply, len, -1) : ctl_call(&c, req, reply, len);
	ctl_close(&c);
	if (rc < 0) {
		cmd_error("%s", reply);
		return 1;
	}
	return 0;
}

int cmd_pause(int argc, char **argv)
{
	return request(argc, argv, "pause");
}

int cmd_unpause(int argc, char **argv)
{
	return request(argc, argv, "unpause");
}

int cmd_reboot(int argc, char **argv)
{
	return request(argc, argv, "reboot");
}

int cmd_destroy(int argc, char **argv)
{
	return request(argc, argv, "destroy");
}
