/* `hv trigger` and `hv shutdown`: the buttons and lines of the machine's
 * front panel, as xl trigger presses them (power, sleep, reset, NMI). */
#include <stdio.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/domain/domain.h"
#include "legacy/pc.h"

static int press_power(struct domain *d, char *msg, size_t len)
{
	bool heard = pc_power_button(d->pc);

	log_info("power button pressed%s", heard ? "" : " (the guest has not enabled it)");
	if (heard)
		snprintf(msg, len, "power button pressed");
	else
		snprintf(msg, len,
			 "power button pressed, but the guest has not enabled its event (no ACPI "
			 "OS running yet?): it is latched until the guest enables it");
	return 0;
}

static int raise_nmi(struct domain *d, char *msg, size_t len)
{
	machine_nmi(&d->machine);
	log_info("NMI raised");
	snprintf(msg, len, "NMI raised");
	return 0;
}

int domain_trigger(struct domain *d, const char *what, char *msg, size_t len)
{
	struct machine *m = &d->machine;
	int rc = -1;

	if (strcmp(what, "reset") == 0)
		return domain_reboot(d, msg, len) < 0 ? -1 : (snprintf(msg, len, "reset"), 0);
	if (strcmp(what, "sleep") == 0) {
		snprintf(msg, len,
			 "this machine has no sleep button (its ACPI tables declare none and the "
			 "S1-S4 sleep states are not emulated); 'hv pause' stops the domain");
		return -1;
	}
	if (strcmp(what, "power") != 0 && strcmp(what, "nmi") != 0) {
		snprintf(msg, len, "trigger takes power, sleep, reset or nmi, not '%.40s'", what);
		return -1;
	}
	machine_lock_host(m);
	if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_CRASHED || d->finished)
		snprintf(msg, len, "domain '%s' is %s", d->cfg.name, domain_state_name(d));
	else
		rc = strcmp(what, "power") == 0 ? press_power(d, msg, len) : raise_nmi(d, msg, len);
	machine_unlock_host(m);
	return rc;
}
