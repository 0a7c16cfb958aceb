/* hv info: the host as hv sees it, in the manner of `xl info`: one
 * "key : value" line each: the machine, CPU and memory, which engines can
 * run guests here and why, hv's version and where its files are. */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/datadir.h"
#include "hv/core/engine.h"
#include "hv/core/runtime.h"

static void line(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%-16s: ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The value of the first "key<spaces>: value" line of a /proc file. */
static bool proc_field(const char *path, const char *key, char *out, size_t len)
{
	char buf[512];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "r");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof buf, f)) {
		char *p = buf + klen;
		if (strncmp(buf, key, klen) != 0 || (*p != ' ' && *p != '\t' && *p != ':'))
			continue;
		p += strspn(p, " \t");
		if (*p++ != ':')
			continue;
		p += strspn(p, " \t");
		p[strcspn(p, "\n")] = '\0';
		snprintf(out, len, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

static long meminfo_mib(const char *key)
{
	char v[64];

	return proc_field("/proc/meminfo", key, v, sizeof v) ? atol(v) / 1024 : -1;
}

static void host(void)
{
	struct utsname u;
	char model[256];

	if (uname(&u) == 0) {
		line("host", "%s", u.nodename);
		line("release", "%s", u.release);
		line("machine", "%s", u.machine);
	}
	if (!proc_field("/proc/cpuinfo", "model name", model, sizeof model))
		snprintf(model, sizeof model, "unknown");
	line("cpu_model", "%s", model);
	line("nr_cpus", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	line("total_memory", "%ld MiB", meminfo_mib("MemTotal"));
	line("free_memory", "%ld MiB", meminfo_mib("MemAvailable"));
}

static void engines(void)
{
	char why[256];
	bool kvm = engine_kvm.probe(why, sizeof why) == 0;

	line("engine_soft", "available: hv's software i686, runs anywhere");
	line("engine_kvm", "%s: %s", kvm ? "available" : "unavailable", why);
	line("engine_auto", "%s", kvm ? "kvm" : "soft");
}

static void files(void)
{
	const struct datadir *d = datadir_get();
	const char *bios = config_seabios_path();
	char dir[PATH_MAX], err[256];
	int n;

	line("hv_version", "%s", HV_VERSION);
	line("data_dir", "%s (%s)", d->assets, datadir_kind_name(d->kind));
	line("seabios", "%s (%s)", bios,
	     access(bios, R_OK) == 0 ? "present" : "missing: apt-get install seabios");
	if (runtime_dir(dir, sizeof dir, err, sizeof err) == 0)
		line("runtime_dir", "%s", dir);
	else
		line("runtime_dir", "unusable: %s", err);
	if (runtime_state_dir(dir, sizeof dir, err, sizeof err) == 0)
		line("state_dir", "%s", dir);
	else
		line("state_dir", "unusable: %s", err);
	{
		static char names[256][RUNTIME_NAME_MAX];
		n = runtime_list(names, 256, err, sizeof err);
	}
	if (n >= 0)
		line("domains", "%d", n);
}

int cmd_info(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		cmd_error("usage: hv info");
		return 1;
	}
	host();
	engines();
	files();
	return 0;
}
