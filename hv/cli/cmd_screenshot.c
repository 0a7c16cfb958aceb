/* hv screenshot NAME FILE.png: the pixels a viewer of the domain would show
 * now (the guest's pointer drawn over them, as `hv view` draws it), taken
 * through the same display protocol as `hv view`. */
#include <stdio.h>
#include <string.h>

#include "display/client.h"
#include "display/png.h"
#include "hv/cli/cmd.h"

/* The first frame after attaching is a full damage of the current mode;
 * waiting for it means the domain has rendered the screen for us. */
static int wait_first_frame(struct display_client *dc, const char *name)
{
	struct display_event ev;

	for (;;) {
		int rc = display_client_next(dc, &ev, 5000);
		if (rc <= 0) {
			cmd_error("%s: %s", name,
				  rc == 0 ? "no frame from the domain in 5 s" : "domain went away");
			return -1;
		}
		if (ev.kind == DISPLAY_EV_DAMAGE)
			return 0;
	}
}

int cmd_screenshot(int argc, char **argv)
{
	struct display_client dc;
	char err[256];
	int rc = 1;

	if (argc != 3) {
		cmd_error("usage: hv screenshot NAME FILE.png");
		return 2;
	}
	if (display_client_open(&dc, argv[1], err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	if (strcmp(dc.device, "none") == 0)
		cmd_error("%s has no display device", argv[1]);
	else if (wait_first_frame(&dc, argv[1]) == 0) {
		if (display_client_save_png(&dc, argv[2], err, sizeof err) < 0)
			cmd_error("%s", err);
		else
			rc = 0;
	}
	display_client_close(&dc);
	return rc;
}
