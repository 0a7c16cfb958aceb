/* hv vcpu-list: one row per vCPU as `xl vcpu-list` prints them. hv runs
 * one vCPU per domain, a thread of the domain process: CPU is the host
 * CPU it last ran on and the affinity is that thread's (read from /proc
 * and sched_getaffinity here, in the client: the domain's sandbox has no
 * /proc). */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/runtime.h"

/* xl's vCPU state: r running, b blocked, p paused, one place each. */
static void vcpu_state(const char *state, char out[4])
{
	memcpy(out, "---", 4);
	if (strcmp(state, "running") == 0)
		out[0] = 'r';
	else if (strcmp(state, "blocked") == 0)
		out[1] = 'b';
	else if (strcmp(state, "paused") == 0)
		out[2] = 'p';
}

/* The host CPU thread tid of process pid last ran on (field 39 of its
 * stat), or -1. */
static int last_cpu(long pid, long tid)
{
	char path[96], buf[1024], *p;
	FILE *f;
	size_t n;
	int field = 2, cpu = -1;

	snprintf(path, sizeof path, "/proc/%ld/task/%ld/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return -1;
	for (p++; *p && field < 39; p++)
		if (*p == ' ')
			field++;
	if (field == 39)
		cpu = atoi(p);
	return cpu;
}

/* The thread's affinity as xl prints it: "all", or a list like "0-1,3". */
static void affinity(long tid, char *out, size_t len)
{
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	size_t used = 0;
	int start = -1;

	snprintf(out, len, "?");
	if (tid <= 0 || sched_getaffinity((pid_t)tid, sizeof set, &set) < 0)
		return;
	if (CPU_COUNT(&set) >= ncpu) {
		snprintf(out, len, "all");
		return;
	}
	out[0] = '\0';
	for (int c = 0; c <= CPU_SETSIZE; c++) {
		bool on = c < CPU_SETSIZE && CPU_ISSET(c, &set);
		if (on && start < 0)
			start = c;
		if (!on && start >= 0 && used < len) {
			used += (size_t)snprintf(out + used, len - used, "%s%d", used ? "," : "",
						 start);
			if (c - 1 > start && used < len)
				used += (size_t)snprintf(out + used, len - used, "-%d", c - 1);
			start = -1;
		}
	}
}

static void row(const char *name, const char *info, void *opaque)
{
	char id[16] = "?", state[16] = "?", t[32] = "0", pid[24] = "0", tid[24] = "0",
	     cpu[16] = "-", aff[256], flags[4];
	int n;

	(void)opaque;
	kv_get(info, "id", id, sizeof id);
	kv_get(info, "state", state, sizeof state);
	kv_get(info, "cpu_time", t, sizeof t);
	kv_get(info, "pid", pid, sizeof pid);
	kv_get(info, "vcpu_tid", tid, sizeof tid);
	n = atol(tid) > 0 ? last_cpu(atol(pid), atol(tid)) : -1;
	if (n >= 0 && (strcmp(state, "running") == 0 || strcmp(state, "blocked") == 0 ||
		       strcmp(state, "paused") == 0))
		snprintf(cpu, sizeof cpu, "%d", n);
	affinity(atol(tid), aff, sizeof aff);
	vcpu_state(state, flags);
	printf("%-32s %5s %5d %5s %5s %9.1f  %s / all\n", name, id, 0, cpu, flags, atof(t), aff);
}

int cmd_vcpu_list(int argc, char **argv)
{
	char header[128];

	snprintf(header, sizeof header, "%-32s %5s %5s %5s %5s %9s  %s\n", "Name", "ID", "VCPU",
		 "CPU", "State", "Time(s)", "Affinity (Hard / Soft)");
	return cmd_each_domain(argv + 1, argc - 1, header, row, NULL);
}
