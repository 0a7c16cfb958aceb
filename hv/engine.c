#include "hv/engine.h"

#include <stdio.h>
#include <string.h>

const struct engine_ops *engine_select(const char *name, char *why, size_t len)
{
	if (strcmp(name, "soft") == 0) {
		snprintf(why, len, "chosen in the config");
		return &engine_soft;
	}
	if (strcmp(name, "auto") == 0) {
		/* The KVM engine is not part of this build; the soft CPU runs
		 * anywhere. */
		snprintf(why, len, "auto: no kvm engine in this build");
		return &engine_soft;
	}
	if (strcmp(name, "kvm") == 0) {
		snprintf(why, len, "engine \"kvm\" is not available in this build (use \"soft\")");
		return NULL;
	}
	snprintf(why, len, "unknown engine \"%s\"", name);
	return NULL;
}
