/* `hv list -l`'s device lines: where a guest that waits for an interrupt
 * forever is stuck (an IRQ in service never ended or masked, a timer not
 * armed, a serial interrupt not raised). */
#include <stdio.h>

#include "hv/core/ctl.h"
#include "hv/domain/domain.h"
#include "legacy/pc.h"
#include "legacy/pic8259.h"
#include "legacy/pit8254.h"
#include "legacy/uart16550.h"

void domain_info_devices(struct domain *d, char *buf, size_t len)
{
	const struct pic8259_chip *c;
	char s[256];

	if (!d->pc)
		return;
	if (d->pc->pic) {
		c = d->pc->pic->chip;
		snprintf(
		    s, sizeof s,
		    "irr=%02x/%02x isr=%02x/%02x imr=%02x/%02x int=%d acks irq0=%llu irq4=%llu",
		    c[0].irr, c[1].irr, c[0].isr, c[1].isr, c[0].imr, c[1].imr, c[0].out,
		    (unsigned long long)d->pc->pic->acks[0],
		    (unsigned long long)d->pc->pic->acks[4]);
		kv_put(buf, len, "pic", s);
	}
	if (d->pc->pit) {
		pit8254_describe(d->pc->pit, s, sizeof s);
		kv_put(buf, len, "pit0", s);
	}
	if (d->pc->com1) {
		uart16550_describe(d->pc->com1, s, sizeof s);
		kv_put(buf, len, "com1", s);
	}
	/* What the registry holds (the virtio devices, for now). */
	device_describe_all(&d->machine.devices, buf, len);
}
