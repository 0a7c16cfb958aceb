/* hv list: the domains in the runtime directory, as `xl list` shows them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/runtime.h"

#define MAX_LIST 256

/* xl's state column: r running, b blocked, p paused, s shutdown, c crashed,
 * d dying. */
static const char *state_flags(const char *state)
{
	static const struct {
		const char *name, *flags;
	} map[] = {
	    {"running", "r-----"},  {"blocked", "-b----"}, {"paused", "--p---"},
	    {"shutdown", "---s--"}, {"crashed", "----c-"}, {"dying", "-----d"},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, state) == 0)
			return map[i].flags;
	return "------";
}

static void print_row(const char *name, const char *info)
{
	char id[16] = "?", mem[16] = "?", vcpus[16] = "?", state[16] = "?", t[32] = "?";

	kv_get(info, "id", id, sizeof id);
	kv_get(info, "mem", mem, sizeof mem);
	kv_get(info, "vcpus", vcpus, sizeof vcpus);
	kv_get(info, "state", state, sizeof state);
	kv_get(info, "cpu_time", t, sizeof t);
	printf("%-32s %5s %6s %5s %8s %9.1f\n", name, id, mem, vcpus, state_flags(state), atof(t));
}

/* Every key=value of the info reply, one a line. */
static void print_details(const char *info)
{
	const char *p = info;

	while (*p) {
		char key[64], value[CTL_LINE_MAX];
		size_t k;
		while (*p == ' ')
			p++;
		k = strcspn(p, "=");
		if (!p[k] || k >= sizeof key)
			break;
		snprintf(key, sizeof key, "%.*s", (int)k, p);
		kv_get(p, key, value, sizeof value);
		printf("    %-12s %s\n", key, value);
		/* Skip this pair: past the value, quoted or bare. */
		p += k + 1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				p += (*p == '\\' && p[1]);
			p += *p == '"';
		} else {
			p += strcspn(p, " ");
		}
	}
}

/* One domain's `info` reply, or -1 (reported). */
static int domain_info(const char *name, char info[CTL_LINE_MAX])
{
	struct ctl c;
	char err[256];

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return -1;
	}
	if (ctl_call(&c, "info", info, CTL_LINE_MAX) < 0) {
		cmd_error("%s: %s", name, info);
		ctl_close(&c);
		return -1;
	}
	ctl_close(&c);
	return 0;
}

int cmd_each_domain(char **names, int n, const char *header, cmd_row_fn *row, void *opaque)
{
	static char all[MAX_LIST][RUNTIME_NAME_MAX];
	char err[256], info[CTL_LINE_MAX];
	int rc = 0;

	if (n > MAX_LIST)
		n = MAX_LIST;
	for (int i = 0; i < n; i++)
		snprintf(all[i], RUNTIME_NAME_MAX, "%s", names[i]);
	if (n == 0 && (n = runtime_list(all, MAX_LIST, err, sizeof err)) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	fputs(header, stdout);
	for (int i = 0; i < n; i++) {
		if (domain_info(all[i], info) < 0)
			rc = 1;
		else
			row(all[i], info, opaque);
	}
	return rc;
}

static void list_row(const char *name, const char *info, void *opaque)
{
	print_row(name, info);
	if (*(const bool *)opaque)
		print_details(info);
}

int cmd_list(int argc, char **argv)
{
	bool details = argc > 1 && strcmp(argv[1], "-l") == 0;
	int first = details ? 2 : 1;
	char header[128];

	snprintf(header, sizeof header, "%-32s %5s %6s %5s %8s %9s\n", "Name", "ID", "Mem", "VCPUs",
		 "State", "Time(s)");
	return cmd_each_domain(argv + first, argc - first, header, list_row, &details);
}
