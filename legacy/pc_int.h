/* The PC's wiring, shared by legacy/pc*.c only: which chip sits at which
 * port and IRQ, and the struct that holds them. Everything else reaches
 * the PC through legacy/pc.h. */
#ifndef HV_LEGACY_PC_INT_H
#define HV_LEGACY_PC_INT_H

#include "hv/core/typist.h"
#include "legacy/dma8237.h"
#include "legacy/fdc.h"
#include "legacy/fw_cfg.h"
#include "legacy/i440fx.h"
#include "legacy/hpet.h"
#include "legacy/i8042.h"
#include "legacy/ide.h"
#include "legacy/isa_debug.h"
#include "legacy/pc.h"
#include "hv/core/pci.h"
#include "legacy/pcspk.h"
#include "legacy/pic8259.h"
#include "legacy/piix3.h"
#include "legacy/piix4_pm.h"
#include "legacy/piix_ide.h"
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
#define PC_SCI_IRQ	   9	/* the PIIX4 PM's ACPI SCI, as on QEMU's PC */
#define PC_RTC_CENTURY	   0x32 /* CMOS byte the PC BIOS convention keeps the century in */
#define PC_DEBUGCON_PORT   0xE9
#define PC_BIOS_DEBUG_PORT 0x402 /* SeaBIOS's debug output in Debian's build */
#define PC_POST_PORT	   0x80
#define PC_DEBUG_EXIT_PORT 0x501
#define PC_I440FX_SLOT	   0		      /* 00:00.0 host bridge */
#define PC_PIIX3_SLOT	   PC_ISA_BRIDGE_SLOT /* 00:01.0 ISA bridge, 00:01.3 power management */
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
#define PC_DMA1_BASE	   0x00
#define PC_DMA2_BASE	   0xC0
#define PC_FDC_BASE	   0x3F0 /* 3F0h-3F5h and 3F7h; 3F6h is IDE's */
#define PC_FDC_IRQ	   6
#define PC_FDC_DMA	   2
#define PC_ADLIB_BASE	   0x388 /* the OPL3's AdLib ports 388h-38Bh */

_Static_assert(PC_FLOPPY_DRIVES == FDC_DRIVES, "a PC floppy drive per FDC drive");

struct pc {
	struct machine *m;
	struct pic8259 *pic;
	struct pit8254 *pit;
	struct pcspk *port_b;
	struct rtc146818 *rtc;
	struct uart16550 *serial[PC_SERIAL_PORTS]; /* NULL: absent */
	struct debugcon debugcon;
	struct post_port post;
	struct debug_exit exit;
	struct pci_bus pci;
	struct i440fx *i440fx;
	struct piix3 *piix3;
	struct piix4_pm *pm;
	struct hpet hpet; /* a clock only: it never interrupts */
	bool has_hpet;	  /* hpet is at HPET_BASE (pc_hooks.no_hpet unset) */
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
	struct sb16 *sb16;	  /* legacy/pc_sb16.c, NULL if none */
	struct opl3 *opl3;	  /* the SB16's FM synthesizer, NULL if none */
};

/* The IDE controller and its PCI function, the drives of h and the CMOS
 * bytes that describe them (legacy/pc_ide.c). Returns 0 or -1 with err set. */
int pc_add_ide(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_ide(struct pc *pc);

/* The two 8237s, the floppy controller, its drives and their CMOS bytes
 * (legacy/pc_fdc.c). Returns 0 or -1 with err set (an image whose size
 * is not a floppy's). */
int pc_add_fdc(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_fdc(struct pc *pc);

/* The VGA, its PCI function and its BIOS in fw_cfg (legacy/pc_vga.c).
 * Returns 0 or -1 with err set. */
int pc_add_vga(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_vga(struct pc *pc);

/* Registers every device the PC made with the machine (legacy/pc_devices.c),
 * in the order a reset puts them back to their power-on state. Returns 0 or
 * -1 with err set. */
int pc_register_devices(struct pc *pc, char *err, size_t errlen);

/* Frees the Sound Blaster 16, if any (legacy/pc_sb16.c). */
void pc_free_sb16(struct pc *pc);

/* The serial ports whose hooks have a tx (legacy/pc_serial.c). Returns 0
 * or -1 with err set. */
int pc_add_serial(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen);
void pc_free_serial(struct pc *pc);

/* The typist that paces `hv send-keys` (legacy/pc_keys.c): made with the
 * keyboard, emptied by a reset. pc_add_typist returns 0 or -1 with err
 * set. */
int pc_add_typist(struct pc *pc, char *err, size_t errlen);
void pc_free_typist(struct pc *pc);

/* The registry's view (hv/core/device.h) of the PC's struct typist. */
extern const struct device_ops pc_typist_device_ops;

#endif
