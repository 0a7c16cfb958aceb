/* The PIIX4 power-management function (00:01.3, 8086:7113), the ACPI
 * hardware QEMU's PC presents: PMBASE (40h) places a 64-byte I/O window
 * when PMREGMISC (80h) bit 0 enables it; in it, PM1a status/enable, PM1a
 * control and the 24-bit ACPI PM timer (3.579545 MHz, on the domain's
 * virtual clock). Writing SLP_EN with SLP_TYP 0 (the _S5 value the
 * DSDT for this chipset gives) powers the machine off. The power button
 * is a fixed-feature event: pressing it sets PWRBTN_STS and raises the SCI
 * (a level on IRQ 9) while enabled. Sleep states and the SMBus controller
 * are not emulated: their registers read as zero, and DEVACTB tells firmware SMM is already set up.
 * The GPE0 block and the hotplug ports are legacy/piix4_gpe.c's. */
#ifndef HV_LEGACY_PIIX4_PM_H
#define HV_LEGACY_PIIX4_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "hv/core/pci.h"
#include "legacy/piix4_gpe.h"

#define PIIX4_PM_VENDOR		 0x8086
#define PIIX4_PM_DEVICE		 0x7113
#define PIIX4_PM_PMBASE		 0x40
#define PIIX4_PM_PMREGMISC	 0x80
#define PIIX4_PM_DEVACTB	 0x58 /* device activity B; bit 25: APMC (SMI) enable */
#define PIIX4_PM_DEVACTB_APMC_EN (1u << 25)
#define PIIX4_PM_IO_LEN		 64
/* The APM control and status ports (fixed I/O in the PIIX4): firmware's
 * FADT names APMC as the SMI command port, and the values it gives for
 * ACPI_ENABLE / ACPI_DISABLE are QEMU's and SeaBIOS's. */
#define PIIX4_APM_PORT	  0xb2
#define PIIX4_APM_ENABLE  0xf1
#define PIIX4_APM_DISABLE 0xf0

/* Offsets in the I/O window. */
#define PM1A_STS 0x00
#define PM1A_EN	 0x02
#define PM1A_CNT 0x04
#define PM_TMR	 0x08

#define PM1_STS_PWRBTN	 0x0100
#define PM1_STS_SLPBTN	 0x0200
#define PM1_CNT_SCI_EN	 0x0001
#define PM1_CNT_SLP_TYP	 0x1c00
#define PM1_CNT_SLP_EN	 0x2000
#define PM_TMR_FREQUENCY 3579545

struct piix4_pm {
	struct pci_device dev; /* configuration space; dev.opaque is this */
	struct bus *pio;       /* where the PMBASE window is placed */
	struct vclock *clock;
	uint16_t io_base; /* window placed at, 0: none */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt; /* SCI_EN and SLP_TYP as last written */
	uint8_t apm_cnt;  /* APMC and APMS as last written */
	uint8_t apm_sts;
	bool apm_on;	      /* the APM ports are on pio */
	struct piix4_gpe gpe; /* GPE0 and hotplug ports (legacy/piix4_gpe.c) */
	struct irq_line sci;  /* the SCI (ISA IRQ 9 on the PC), a level */
	void (*poweroff)(void *opaque, int status);
	void *opaque;
};

/* Creates the function; its I/O window goes on pio when the guest enables
 * it, its fixed ports (APM, GPE0, hotplug) at once. poweroff is called
 * with status 0 on an S5 request; cpus is the number the CPU present
 * bitmap shows. Returns NULL when out of memory. */
struct piix4_pm *piix4_pm_create(struct bus *pio, struct vclock *clock, unsigned cpus,
				 struct irq_line sci, void (*poweroff)(void *opaque, int status),
				 void *opaque);

/* A press of the power button: PWRBTN_STS is set in PM1 status and the
 * SCI raised while the guest has the event enabled (PM1_EN) and SCI_EN set
 * (an ACPI OS runs). Returns whether that is so: false means the press is
 * latched but nothing in the guest listens for it yet. */
bool piix4_pm_power_button(struct piix4_pm *pm);

/* Removes its window and frees it. */
void piix4_pm_destroy(struct piix4_pm *pm);

/* Power-on state: window disabled, registers clear. */
void piix4_pm_reset(struct piix4_pm *pm);

/* The PM timer's current 24-bit count. */
uint32_t piix4_pm_timer(const struct piix4_pm *pm);

/* The registry's view (hv/core/device.h) of a struct piix4_pm, GPE block
 * included. */
extern const struct device_ops piix4_pm_device_ops;

#endif
