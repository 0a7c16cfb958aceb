/* hv cpu-test [-v] FILE...: runs instruction conformance vectors against
 * the software CPU (hv/cli/cputest.c; the format is docs/cpu-test.md). */
#include <stdio.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "hv/core/log.h"
#include "hv/cli/cputest.h"

int cmd_cpu_test(int argc, char **argv)
{
	struct cputest_totals t = {0, 0};
	bool verbose = false;
	int first = 1, files = 0;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		first = 2;
	}
	/* The vectors fault on purpose: no guest warnings. */
	log_set_level(LOG_ERROR);
	for (int i = first; i < argc; i++, files++)
		cputest_run_file(argv[i], verbose, stdout, &t);
	if (files == 0) {
		cmd_error("cpu-test: expected one or more vector files (see docs/cpu-test.md)");
		return 2;
	}
	printf("%u passed, %u failed\n", t.passed, t.failed);
	return t.failed ? 1 : 0;
}
