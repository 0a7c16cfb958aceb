/* `hv` with no arguments: a short orientation for a first run — what is
 * running, how to start the demo, where configs and logs live. */
#include <limits.h>
#include <stdio.h>

#include "hv/cli/cmd.h"
#include "hv/core/datadir.h"
#include "hv/core/runtime.h"

#define LIST_MAX 256

static void running(void)
{
	static char names[LIST_MAX][RUNTIME_NAME_MAX];
	char err[256];
	int n = runtime_list(names, LIST_MAX, err, sizeof err);

	if (n < 0) {
		printf("Domains:  cannot list them: %s\n", err);
		return;
	}
	if (n == 0) {
		printf("Domains:  none running.\n");
		return;
	}
	printf("Domains:  %d running:", n);
	for (int i = 0; i < n && i < 8; i++)
		printf(" %s", names[i]);
	printf("%s  ('hv list', 'hv top')\n", n > 8 ? " ..." : "");
}

int cmd_welcome(void)
{
	const struct datadir *d = datadir_get();
	char dir[PATH_MAX], err[256];

	printf("hv %s: a desktop hypervisor for legacy and modern PC guests, driven like xl.\n\n",
	       HV_VERSION);
	running();
	printf("Demo:     'hv demo' starts a legacy and a modern guest side by side in 'hv top'\n");
	if (d->kind == DATADIR_SOURCE)
		printf("          (in a fresh checkout, 'bash %s/setup.sh' first builds the "
		       "guests).\n",
		       d->assets);
	printf("Configs:  xl.cfg syntax (hv.cfg(5)); examples in %s/guests/*/*.cfg.\n"
	       "          'hv create FILE.cfg' starts one, 'hv console NAME' attaches,\n"
	       "          'hv shutdown NAME' presses its power button.\n",
	       d->assets);
	if (runtime_state_dir(dir, sizeof dir, err, sizeof err) == 0)
		printf("Logs:     %s ('hv dmesg')\n", dir);
	printf("Help:     'hv --help' lists every command; 'hv info' describes this host; man "
	       "hv.\n");
	return 0;
}
