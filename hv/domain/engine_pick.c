#include "hv/core/engine.h"

#include <stdio.h>
#include <string.h>

const struct engine_ops *engine_select(const char *name, char *why, size_t len)
{
	if (strcmp(name, "soft") == 0) {
		snprintf(why, len, "chosen in the config");
		return &engine_soft;
	}
	if (strcmp(name, "auto") == 0) {
		char probe[256];
		/* KVM when it can really run a guest here (the probe is a
		 * tiny protected-mode guest with a time limit); else the
		 * soft CPU, which runs anywhere. */
		if (engine_kvm.probe(probe, sizeof probe) == 0) {
			snprintf(why, len, "auto: %s", probe);
			return &engine_kvm;
		}
		snprintf(why, len, "auto: soft, since %s", probe);
		return &engine_soft;
	}
	if (strcmp(name, "kvm") == 0) {
		char probe[256];
		/* Refused rather than left to hang the guest. */
		if (engine_kvm.probe(probe, sizeof probe) == 0) {
			snprintf(why, len, "chosen in the config; %s", probe);
			return &engine_kvm;
		}
		snprintf(why, len, "engine \"kvm\" cannot run guests here: %s", probe);
		return NULL;
	}
	snprintf(why, len, "unknown engine \"%s\"", name);
	return NULL;
}
