#include <stdio.h>

#include "hv/domain/control.h"
#include "hv/domain/domain.h"
#include "hv/core/log.h"
#include "hv/domain/sandbox.h"
#include "hv/domain/vcpu.h"

int domain_run(struct domain *d, double timeout_s)
{
	char err[256];
	int64_t deadline = 0;
	int rc;

	d->started_ns = host_now_ns();
	if (timeout_s > 0)
		deadline = d->started_ns + (int64_t)(timeout_s * 1e9);
	if (sandbox_enter(d, err, sizeof err) < 0 || vcpu_start(d, err, sizeof err) < 0) {
		log_error("%s", err);
		return 1;
	}
	rc = control_loop(d->control, deadline);
	if (rc == 1) {
		log_info("timeout after %g s: destroying the domain", timeout_s);
		domain_destroy(d);
		d->exit_status = DOMAIN_EXIT_TIMEOUT;
	} else if (rc < 0) {
		domain_destroy(d);
		d->exit_status = 1;
	}
	vcpu_stop(d);
	machine_lock_host(&d->machine);
	domain_flush_output(d);
	machine_unlock_host(&d->machine);
	control_flush(d->control);
	return d->exit_status;
}
