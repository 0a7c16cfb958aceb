/* The server list of a PulseAudio client's reconnects (pulse_server.h). */
#include "hv/audio/pulse_server.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_SOCKET "unix:/var/run/pulse/native"

/* Appends " entry" (or "entry" to an empty list) if it fits whole. */
static void add(char *out, size_t len, const char *entry)
{
	size_t used = strlen(out), need = strlen(entry) + (used ? 1 : 0);

	if (!entry[0] || used + need >= len || strstr(out, entry))
		return;
	snprintf(out + used, len - used, "%s%s", used ? " " : "", entry);
}

/* The first line of the machine's id, as libpulse names its runtime
 * symlink by it; "" when there is none. */
static void machine_id(char *id, size_t len)
{
	static const char *const files[] = {"/etc/machine-id", "/var/lib/dbus/machine-id"};

	id[0] = '\0';
	for (size_t i = 0; i < sizeof files / sizeof files[0] && !id[0]; i++) {
		FILE *f = fopen(files[i], "re");

		if (!f)
			continue;
		if (fgets(id, (int)len, f))
			id[strcspn(id, "\n")] = '\0';
		fclose(f);
	}
}

/* The socket in the runtime directory that the per-machine symlink in
 * the config directory (~/.pulse if it exists, else XDG_CONFIG_HOME/pulse
 * or ~/.config/pulse) points to, which libpulse uses without
 * XDG_RUNTIME_DIR. */
static void legacy_runtime(char *out, size_t len)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char id[128], dir[PATH_MAX], link[PATH_MAX + 160], target[PATH_MAX], entry[PATH_MAX + 16];
	struct stat st;
	ssize_t n;

	machine_id(id, sizeof id);
	if (!id[0] || !home || home[0] != '/')
		return;
	snprintf(dir, sizeof dir, "%s/.pulse", home);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (xdg && xdg[0] == '/')
			snprintf(dir, sizeof dir, "%s/pulse", xdg);
		else
			snprintf(dir, sizeof dir, "%s/.config/pulse", home);
	}
	snprintf(link, sizeof link, "%s/%s-runtime", dir, id);
	n = readlink(link, target, sizeof target - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (target[0] != '/')
		return;
	snprintf(entry, sizeof entry, "unix:%s/native", target);
	add(out, len, entry);
}

void pulse_reconnect_servers(const char *answered, char *out, size_t len)
{
	const char *env = getenv("PULSE_SERVER"), *rt = getenv("PULSE_RUNTIME_PATH");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char entry[PATH_MAX + 32];

	if (!len)
		return;
	out[0] = '\0';
	if (answered && answered[0]) {
		snprintf(out, len, "%s", answered);
		return;
	}
	if (env && env[0]) {
		snprintf(out, len, "%s", env);
		return;
	}
	if (rt && rt[0]) {
		snprintf(entry, sizeof entry, "unix:%s/native", rt);
		add(out, len, entry);
	} else if (xdg && xdg[0]) {
		snprintf(entry, sizeof entry, "unix:%s/pulse/native", xdg);
		add(out, len, entry);
	} else {
		legacy_runtime(out, len);
		snprintf(entry, sizeof entry, "unix:/run/user/%u/pulse/native", (unsigned)getuid());
		add(out, len, entry);
	}
	add(out, len, SYSTEM_SOCKET);
}
