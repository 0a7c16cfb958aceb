/* Where hv's run-time assets live: the guest recipes and their configs,
 * the guest programs it assembles (the demo's legacy disk), the window
 * icon.
 *
 * - installed (`cmake --install`): one directory, DATADIR/hv (e.g.
 *   /usr/local/share/hv), holding guests/, programs/ and hv-icon.png;
 *   found relative to the binary first (BINDIR/../share/hv, so a staged
 *   DESTDIR tree or a moved prefix works), then at the configured path;
 * - the build tree: the binary the build made reads the source tree's
 *   assets/ and the build's tests/guests/;
 * - $HV_DATA_DIR overrides both (an installed layout). */
#ifndef HV_CORE_DATADIR_H
#define HV_CORE_DATADIR_H

#include <limits.h>

enum datadir_kind {
	DATADIR_ENV,	   /* $HV_DATA_DIR */
	DATADIR_INSTALLED, /* beside the binary, or the configured DATADIR/hv */
	DATADIR_SOURCE,	   /* the source and build trees */
};

struct datadir {
	enum datadir_kind kind;
	char assets[PATH_MAX];	 /* holds guests/ and hv-icon.png */
	char programs[PATH_MAX]; /* the assembled guest programs (*.bin) */
};

/* Resolves for the binary `exe` (an absolute path) with `env` as the
 * value of $HV_DATA_DIR (NULL or "": unset). Always succeeds: the source
 * tree is the last resort. */
void datadir_resolve(const char *exe, const char *env, struct datadir *d);

/* The same for this process (/proc/self/exe, $HV_DATA_DIR); resolved
 * once. */
const struct datadir *datadir_get(void);

/* Human name of a kind: "HV_DATA_DIR", "installed", "source tree". */
const char *datadir_kind_name(enum datadir_kind k);

#endif
