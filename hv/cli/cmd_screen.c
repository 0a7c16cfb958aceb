/* hv screen NAME --text: the domain's VGA text screen as UTF-8, one row a
 * line, trailing blanks trimmed. In a graphics mode there is no text:
 * stdout stays empty and stderr names the mode ("graphics mode 640x480x4
 * (mode 12h)"); the exit status is still 0, since that is an answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"

static int print_rows(struct ctl *c, unsigned lines)
{
	char line[CTL_LINE_MAX];

	for (unsigned i = 0; i < lines; i++) {
		if (ctl_read_line(c, line, sizeof line, 5000) < 0) {
			cmd_error("the domain stopped answering");
			return 1;
		}
		printf("%s\n", line);
	}
	return 0;
}

int cmd_screen(int argc, char **argv)
{
	char err[256], reply[CTL_LINE_MAX], mode[16], desc[80], lines[16];
	struct ctl c;
	int rc;

	if (argc != 3 || strcmp(argv[2], "--text") != 0) {
		cmd_error("usage: hv screen NAME --text");
		return 2;
	}
	if (ctl_open(&c, argv[1], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = ctl_call(&c, "screen text", reply, sizeof reply);
	if (rc < 0) {
		cmd_error("%s", reply);
		ctl_close(&c);
		return 1;
	}
	if (!kv_get(reply, "mode", mode, sizeof mode) ||
	    !kv_get(reply, "lines", lines, sizeof lines))
		rc = (cmd_error("unexpected reply '%s'", reply), 1);
	else if (strcmp(mode, "text") != 0)
		fprintf(stderr, "%s\n", kv_get(reply, "describe", desc, sizeof desc) ? desc : mode);
	else
		rc = print_rows(&c, (unsigned)strtoul(lines, NULL, 10));
	ctl_close(&c);
	return rc;
}
