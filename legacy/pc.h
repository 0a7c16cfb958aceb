/* The PC: one place that knows which chip sits at which port and IRQ, and
 * wires the legacy devices to the machine and to the domain's host ends. */
#ifndef HV_LEGACY_PC_H
#define HV_LEGACY_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/machine.h"
#include "legacy/fw_cfg.h"
#include "legacy/i440fx.h"
#include "legacy/isa_debug.h"
#include "legacy/pci.h"
#include "legacy/pcspk.h"
#include "legacy/pic8259.h"
#include "legacy/piix3.h"
#include "legacy/piix4_pm.h"
#include "legacy/pit8254.h"
#include "legacy/rtc146818.h"
#include "legacy/uart16550.h"

#define PC_PIC_MASTER_BASE 0x20
#define PC_PIC_SLAVE_BASE  0xA0
#define PC_ELCR_BASE	   0x4D0 /* PIIX edge/level control, master then slave */
#define PC_PIT_BASE	   0x40
#define PC_PIT_IRQ	   0
#define PC_PORT_B	   0x61 /* system control port B (speaker, counter 2) */
#define PC_RTC_BASE	   0x70
#define PC_RTC_IRQ	   8
#define PC_RTC_CENTURY	   0x32 /* CMOS byte the PC BIOS convention keeps the century in */
#define PC_COM1_BASE	   0x3F8
#define PC_COM1_IRQ	   4
#define PC_DEBUGCON_PORT   0xE9
#define PC_BIOS_DEBUG_PORT 0x402 /* SeaBIOS's debug output in Debian's build */
#define PC_POST_PORT	   0x80
#define PC_DEBUG_EXIT_PORT 0x501
#define PC_I440FX_SLOT	   0 /* 00:00.0 host bridge */
#define PC_PIIX3_SLOT	   1 /* 00:01.0 ISA bridge, 00:01.3 power management */
#define PC_PIIX4_PM_FUNC   3

/* Host-side hooks the domain supplies. */
struct pc_hooks {
	struct uart_backend com1;     /* tx == NULL: no COM1 */
	struct uart_backend debugcon; /* tx == NULL: no debug console */
	void (*post)(void *opaque, uint8_t code);
	void (*poweroff)(void *opaque, int status);
	void *opaque;
	bool rtc_localtime; /* RTC starts at the host's local time, not UTC */
	unsigned cpus;	    /* for fw_cfg; 0 means 1 */
};

struct pc {
	struct machine *m;
	struct pic8259 *pic;
	struct pit8254 *pit;
	struct pcspk *port_b;
	struct rtc146818 *rtc;
	struct uart16550 *com1;
	struct debugcon debugcon;
	struct post_port post;
	struct debug_exit exit;
	struct pci_bus pci;
	struct i440fx *i440fx;
	struct piix3 *piix3;
	struct piix4_pm *pm;
	struct fw_cfg *fw_cfg;
};

/* Creates the devices and registers them on m's buses. The firmware must
 * already be mapped: the host bridge takes over its alias below 1 MiB (for
 * shadowing) and fw_cfg describes m's memory. Returns NULL with err set. */
struct pc *pc_create(struct machine *m, const struct pc_hooks *hooks, char *err, size_t errlen);
void pc_free(struct pc *pc);

/* Device reset (the machine's RAM and the CPU are the domain's). */
void pc_reset(struct pc *pc);

/* Moves queued host input into COM1's receive FIFO; with the domain lock
 * held. Returns bytes moved. */
size_t pc_com1_receive(struct pc *pc, const uint8_t *data, size_t len);
size_t pc_com1_room(struct pc *pc);

#endif
