#include "hv/core/datadir.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set by CMake: the build tree's binary directory, the source's assets,
 * the build's guest programs, the install's data directory and its path
 * relative to the install's binary directory. */
#ifndef HV_BUILD_DIR
#define HV_BUILD_DIR "."
#endif
#ifndef HV_ASSET_DIR
#define HV_ASSET_DIR "assets"
#endif
#ifndef HV_BUILD_GUEST_DIR
#define HV_BUILD_GUEST_DIR "tests/guests"
#endif
#ifndef HV_INSTALL_DATADIR
#define HV_INSTALL_DATADIR "/usr/local/share/hv"
#endif
#ifndef HV_DATADIR_REL
#define HV_DATADIR_REL "../share/hv"
#endif

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* An installed data directory has programs/ (what the build made). */
static bool is_install(const char *dir)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof p, "%s/programs", dir);
	return is_dir(p);
}

static void set_installed(struct datadir *d, enum datadir_kind kind, const char *dir)
{
	d->kind = kind;
	snprintf(d->assets, sizeof d->assets, "%s", dir);
	snprintf(d->programs, sizeof d->programs, "%.*s/programs", PATH_MAX - 16, dir);
}

/* The directory part of path, resolved; false if it does not exist. */
static bool real_dirname(const char *path, char out[PATH_MAX])
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash)
		return false;
	snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return realpath(dir, out) != NULL;
}

void datadir_resolve(const char *exe, const char *env, struct datadir *d)
{
	char bindir[PATH_MAX], build[PATH_MAX], rel[PATH_MAX * 2], real[PATH_MAX];
	bool have_bindir = exe && real_dirname(exe, bindir);

	if (env && *env) {
		set_installed(d, DATADIR_ENV, env);
		return;
	}
	/* The build's own binary: the source tree, even when hv is also
	 * installed somewhere. */
	if (have_bindir && realpath(HV_BUILD_DIR, build) && strcmp(bindir, build) == 0)
		goto source;
	if (have_bindir) {
		snprintf(rel, sizeof rel, "%s/%s", bindir, HV_DATADIR_REL);
		if (realpath(rel, real) && is_install(real)) {
			set_installed(d, DATADIR_INSTALLED, real);
			return;
		}
	}
	if (is_install(HV_INSTALL_DATADIR)) {
		set_installed(d, DATADIR_INSTALLED, HV_INSTALL_DATADIR);
		return;
	}
source:
	d->kind = DATADIR_SOURCE;
	snprintf(d->assets, sizeof d->assets, "%s", HV_ASSET_DIR);
	snprintf(d->programs, sizeof d->programs, "%s", HV_BUILD_GUEST_DIR);
}

const struct datadir *datadir_get(void)
{
	static struct datadir d;
	static bool done;
	char exe[PATH_MAX];
	ssize_t n;

	if (done)
		return &d;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	datadir_resolve(n > 0 ? exe : NULL, getenv("HV_DATA_DIR"), &d);
	done = true;
	return &d;
}

const char *datadir_kind_name(enum datadir_kind k)
{
	switch (k) {
	case DATADIR_ENV: return "HV_DATA_DIR";
	case DATADIR_INSTALLED: return "installed";
	case DATADIR_SOURCE: return "source tree";
	}
	return "?";
}
