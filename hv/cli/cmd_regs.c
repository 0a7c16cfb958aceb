/* hv regs NAME: the registers of a domain's vCPU, read consistently (the
 * vCPU is held out of its engine for the read), one group a line:
 *   rax=0x0 rcx=0x0 rdx=0x0 rbx=0x0
 *   ...
 *   cs=SELECTOR,BASE,LIMIT,ATTRIBUTES
 * ATTRIBUTES are descriptor bits 40-55 (type, S, DPL, P, AVL, L, D/B, G)
 * and 10000h for an unusable segment. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/regs_text.h"

/* The reply's key=value pairs after "engine=...", grouped. */
static void print_groups(const char *reply)
{
	const char *p = strstr(reply, "engine=");
	bool first = true;

	p = p ? p + strcspn(p, " ") : reply;
	while (*p) {
		char key[16];
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == 0)
			break;
		snprintf(key, sizeof key, "%.*s", (int)strcspn(p, "="), p);
		if (!first)
			fputs(regs_group_start(key) ? "\n" : " ", stdout);
		printf("%.*s", (int)n, p);
		first = false;
		p += n;
	}
	if (!first)
		putchar('\n');
}

int cmd_regs(int argc, char **argv)
{
	char err[256], reply[CTL_LINE_MAX], engine[16];
	struct ctl c;
	int rc;

	if (argc != 2) {
		cmd_error("usage: hv regs NAME");
		return 2;
	}
	if (ctl_open(&c, argv[1], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = ctl_call(&c, "regs", reply, sizeof reply);
	ctl_close(&c);
	if (rc < 0) {
		cmd_error("%s", reply);
		return 1;
	}
	if (!kv_get(reply, "engine", engine, sizeof engine) || !strstr(reply, " rip=")) {
		cmd_error("unexpected reply '%s'", reply);
		return 1;
	}
	printf("engine=%s\n", engine);
	print_groups(reply);
	return 0;
}
