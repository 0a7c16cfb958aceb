/* hv demo: the demo domain, started if need be, with its console attached. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/cmd.h"
#include "hv/ctl.h"

/* Where the guest programs built with hv live: $HV_GUEST_DIR, else the
 * build tree that produced this binary. */
static const char *guest_dir(void)
{
	const char *env = getenv("HV_GUEST_DIR");

	return env && *env ? env : HV_BUILD_GUEST_DIR;
}

static bool domain_exists(const char *name)
{
	struct ctl c;
	char err[256];

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0)
		return false;
	ctl_close(&c);
	return true;
}

static int start_demo(void)
{
	struct domain_config cfg;

	config_defaults(&cfg);
	snprintf(cfg.file, sizeof cfg.file, "hv demo");
	snprintf(cfg.name, sizeof cfg.name, "demo");
	snprintf(cfg.firmware, sizeof cfg.firmware, "%s/demo.bin", guest_dir());
	cfg.memory_mib = 16;
	cfg.engine = CONFIG_ENGINE_SOFT;
	if (access(cfg.firmware, R_OK) < 0) {
		cmd_error("demo guest %s is missing: build hv first (cmake --build build)",
			  cfg.firmware);
		return -1;
	}
	return cmd_spawn_domain(&cfg);
}

int cmd_demo(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		cmd_error("usage: hv demo");
		return 1;
	}
	if (!domain_exists("demo") && start_demo() < 0)
		return 1;
	fprintf(stderr, "hv demo: domain 'demo' is running; 'hv list' shows it, "
			"'hv destroy demo' ends it.\n");
	return cmd_attach_console("demo", true);
}
