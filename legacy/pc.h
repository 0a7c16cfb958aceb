/* The PC: one place that knows which chip sits at which port and IRQ, and
 * wires the legacy devices to the machine and to the domain's host ends. */
#ifndef HV_LEGACY_PC_H
#define HV_LEGACY_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/input.h"
#include "hv/core/machine.h"
#include "legacy/dma8237.h"
#include "legacy/fdc.h"
#include "hv/core/typist.h"
#include "legacy/fw_cfg.h"
#include "legacy/i440fx.h"
#include "legacy/ide.h"
#include "legacy/i8042.h"
#include "legacy/isa_debug.h"
#include "legacy/pci.h"
#include "legacy/pcspk.h"
#include "legacy/pic8259.h"
#include "legacy/piix_ide.h"
#include "legacy/piix3.h"
#include "legacy/piix4_pm.h"
#include "legacy/pit8254.h"
#include "legacy/port92.h"
#include "legacy/rcr.h"
#include "legacy/rtc146818.h"
#include "legacy/uart16550.h"
#include "legacy/vga.h"

#define PC_PIC_MASTER_BASE 0x20
#define PC_PIC_SLAVE_BASE  0xA0
#define PC_ELCR_BASE	   0x4D0 /* PIIX edge/level control, master then slave */
#define PC_PIT_BASE	   0x40
#define PC_PIT_IRQ	   0
#define PC_PORT_B	   0x61 /* system control port B (speaker, counter 2) */
#define PC_I8042_DATA	   0x60
#define PC_I8042_STATUS	   0x64
#define PC_KBD_IRQ	   1
#define PC_MOUSE_IRQ	   12
#define PC_PORT92	   0x92 /* system control port A (fast A20, reset) */
#define PC_RTC_BASE	   0x70
#define PC_RTC_IRQ	   8
#define PC_RTC_CENTURY	   0x32 /* CMOS byte the PC BIOS convention keeps the century in */
#define PC_COM1_BASE	   0x3F8
#define PC_COM1_IRQ	   4
#define PC_COM2_BASE	   0x2F8
#define PC_COM2_IRQ	   3
#define PC_DEBUGCON_PORT   0xE9
#define PC_BIOS_DEBUG_PORT 0x402 /* SeaBIOS's debug output in Debian's build */
#define PC_POST_PORT	   0x80
#define PC_DEBUG_EXIT_PORT 0x501
#define PC_I440FX_SLOT	   0 /* 00:00.0 host bridge */
#define PC_PIIX3_SLOT	   1 /* 00:01.0 ISA bridge, 00:01.3 power management */
#define PC_PIIX4_PM_FUNC   3
#define PC_VGA_SLOT	   2	/* 00:02.0 VGA */
#define PC_FERR_IRQ	   13	/* the CPU's FERR# (x87 error, CR0.NE clear) */
#define PC_FERR_CLEAR_PORT 0xF0 /* a write drops IRQ13 */
#define PC_PIIX_IDE_FUNC   1	/* 00:01.1 IDE */
#define PC_IDE0_BASE	   0x1F0
#define PC_IDE0_CTL	   0x3F6
#define PC_IDE0_IRQ	   14
#define PC_IDE1_BASE	   0x170
#define PC_IDE1_CTL	   0x376
#define PC_IDE1_IRQ	   15
#define PC_IDE_DRIVES	   4 /* hda, hdb (primary), hdc, hdd (secondary) */
#define PC_DMA1_BASE	   0x00
#define PC_DMA2_BASE	   0xC0
#define PC_FDC_BASE	   0x3F0 /* 3F0h-3F5h and 3F7h; 3F6h is IDE's */
#define PC_FDC_IRQ	   6
#define PC_FDC_DMA	   2

/* Host-side hooks the domain supplies. */
struct pc_hooks {
	struct uart_backend com1;     /* tx == NULL: no COM1 */
	struct uart_backend com2;     /* tx == NULL: no COM2 (legacy/pc_com2.c) */
	struct uart_backend debugcon; /* tx == NULL: no debug console */
	void (*post)(void *opaque, uint8_t code);
	void (*poweroff)(void *opaque, int status);
	void *opaque;
	bool rtc_localtime; /* RTC starts at the host's local time, not UTC */
	unsigned cpus;	    /* for fw_cfg; 0 means 1 */
	/* IDE drives hda..hdd: a hard disk where ide[i] is set, a CD-ROM drive
	 * (empty if ide[i] is NULL) where ide_cdrom[i]. The disks stay the
	 * caller's and must outlive the PC. */
	struct disk *ide[PC_IDE_DRIVES];
	bool ide_cdrom[PC_IDE_DRIVES];
	/* Floppy drives A: and B: (fda, fdb): a drive where floppy[i] is set,
	 * whose size must be a floppy's (legacy/fdc.c). Also the caller's. */
	struct disk *floppy[FDC_DRIVES];
	const char *boot;  /* firmware boot order, "c", "d", "a" or e.g. "dc"; NULL: "cd" */
	bool no_boot_menu; /* fw_cfg's boot menu flag (0Eh) off: SeaBIOS shows no ESC prompt */
	/* VGA BIOS image for fw_cfg: NULL is VGA_BIOS_DEFAULT if installed,
	 * "" none. */
	const char *vga_bios;
};

struct pc {
	struct machine *m;
	struct pic8259 *pic;
	struct pit8254 *pit;
	struct pcspk *port_b;
	struct rtc146818 *rtc;
	struct uart16550 *com1;
	struct uart16550 *com2;
	struct debugcon debugcon;
	struct post_port post;
	struct debug_exit exit;
	struct pci_bus pci;
	struct i440fx *i440fx;
	struct piix3 *piix3;
	struct piix4_pm *pm;
	struct fw_cfg *fw_cfg;
	struct ide *ide;
	struct piix_ide *piix_ide;
	struct i8042 *kbc;
	struct port92 port92;
	struct rcr rcr; /* CF9h, over the PCI address latch */
	struct vga *vga;
	struct dma8237 *dma;
	struct fdc *fdc;
	bool vga_window;	  /* A0000h-BFFFFh is mapped to it */
	struct typist *typist;	  /* `hv send-keys` into the keyboard (legacy/pc_keys.c) */
	struct pc_virtio *virtio; /* virtio functions (legacy/pc_virtio.c), NULL if none */
};

/* Creates the devices and registers them on m's buses. The firmware must
 * already be mapped: the host bridge takes over its alias below 1 MiB (for
 * shadowing) and fw_cfg describes m's memory. Returns NULL with err set. */
struct pc *pc_create(struct machine *m, const struct pc_hooks *hooks, char *err, size_t errlen);
void pc_free(struct pc *pc);

/* The IDE controller and its PCI function, the drives of h and the CMOS
 * bytes that describe them (legacy/pc_ide.c). Returns 0 or -1 with err set. */
int pc_add_ide(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_ide(struct pc *pc);
void pc_reset_ide(struct pc *pc);

/* The two 8237s, the floppy controller, its drives and their CMOS bytes
 * (legacy/pc_fdc.c). Returns 0 or -1 with err set (an image whose size
 * is not a floppy's). */
int pc_add_fdc(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_fdc(struct pc *pc);
void pc_reset_fdc(struct pc *pc);

/* The VGA, its PCI function and its BIOS in fw_cfg (legacy/pc_vga.c).
 * Returns 0 or -1 with err set. */
int pc_add_vga(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_vga(struct pc *pc);
void pc_reset_vga(struct pc *pc);

/* Device reset (the machine's RAM and the CPU are the domain's). */
void pc_reset(struct pc *pc);

/* Moves queued host input into COM1's receive FIFO; with the domain lock
 * held. Returns bytes moved. */
size_t pc_com1_receive(struct pc *pc, const uint8_t *data, size_t len);
size_t pc_com1_room(struct pc *pc);

/* COM2 (legacy/pc_com2.c): the UART when h->com2 has a tx hook, and the
 * same host input calls as COM1's. pc_add_com2 returns 0 or -1 with err
 * set. */
int pc_add_com2(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_com2(struct pc *pc);
void pc_reset_com2(struct pc *pc);
size_t pc_com2_receive(struct pc *pc, const uint8_t *data, size_t len);
size_t pc_com2_room(struct pc *pc);

/* Host key events into the PS/2 keyboard, all of them or none: returns 0,
 * or -1 with err set when a key is unknown or the keyboard's queue lacks
 * room (the guest has not read what is queued yet). With the domain lock
 * held. */
int pc_input_keys(struct pc *pc, const struct input_key *keys, size_t n, char *err, size_t errlen);

/* Host mouse motion and buttons into the PS/2 mouse; with the lock held. */
void pc_input_mouse(struct pc *pc, const struct input_mouse *ev);

/* The typist that paces `hv send-keys` (legacy/pc_keys.c): made with the
 * keyboard, emptied by a reset. pc_add_typist returns 0 or -1 with err
 * set. */
int pc_add_typist(struct pc *pc, char *err, size_t errlen);
void pc_free_typist(struct pc *pc);
void pc_reset_typist(struct pc *pc);

/* Queues host key events to be typed at a typist's pace in guest time
 * (hv/core/typist.h), all of them or none: returns 0, or -1 with err set when
 * a key is unknown or the queue lacks room ("keyboard buffer full: ...").
 * With the domain lock held. */
int pc_type_keys(struct pc *pc, const struct input_key *keys, size_t n, char *err, size_t errlen);

#endif
