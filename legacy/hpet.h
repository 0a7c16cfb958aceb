/* A High Precision Event Timer block of the IA-PC HPET specification 1.0a
 * that serves as a clock only: a 64-bit main counter at 100 MHz on the
 * domain's virtual clock, and three comparators that keep what the guest
 * writes but never interrupt (no legacy replacement route, no I/O APIC
 * route, no FSB delivery in the capabilities). Linux finds it through
 * ACPI's HPET table and registers it as a clock source at time_init, so
 * its clock source watchdog checks the TSC against the virtual clock; with
 * only the PIT's jiffies to check against (the PM timer registers later),
 * a vCPU kept from its ticks on a loaded host had its TSC marked unstable
 * at boot and ran on the PIT or the PM timer, each read a round of port
 * I/O. */
#ifndef HV_LEGACY_HPET_H
#define HV_LEGACY_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"

#define HPET_BASE      0xfed00000u /* where PCs place it (and QEMU) */
#define HPET_MMIO_LEN  0x1000	   /* the registers take 1 KiB; MMIO is mapped in pages */
#define HPET_PERIOD_FS 10000000u   /* a counter tick: 10 ns */
#define HPET_TIMERS    3
/* The capabilities register's low half (as ACPI's HPET table repeats it):
 * revision 1, HPET_TIMERS comparators, a 64-bit counter, no legacy
 * replacement route, Intel's vendor ID. Its high half is HPET_PERIOD_FS. */
#define HPET_CAPS_LOW (0x01u | (HPET_TIMERS - 1u) << 8 | 1u << 13 | 0x8086u << 16)

/* Register offsets. */
#define HPET_ID	     0x000 /* capabilities and ID */
#define HPET_CONFIG  0x010 /* bit 0: the main counter runs */
#define HPET_STATUS  0x020 /* interrupt status: never set */
#define HPET_COUNTER 0x0f0
#define HPET_TIMER0  0x100 /* timer n's registers at +0x20 n: config, comparator, FSB route */

#define HPET_CFG_ENABLE 0x1

struct hpet {
	struct vclock *clock;
	uint64_t config;
	/* The main counter: `counter` while halted; counter plus the ticks
	 * since started_ns while running. */
	uint64_t counter;
	int64_t started_ns;
	uint64_t timer_config[HPET_TIMERS];
	uint64_t comparator[HPET_TIMERS];
	uint64_t fsb_route[HPET_TIMERS];
};

/* A halted HPET on clock, in its power-on state. */
void hpet_init(struct hpet *h, struct vclock *clock);

/* The main counter now. */
uint64_t hpet_counter(const struct hpet *h);

extern const struct io_ops hpet_mmio_ops;
extern const struct device_ops hpet_device_ops;

#endif
