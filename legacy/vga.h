/* The VGA (IBM's Video Graphics Array) with the Bochs VBE extension, as
 * QEMU's "stdvga" presents it: PCI function 1234:1111, class 0300h, the
 * linear framebuffer on BAR 0.
 *
 * Ports 3B0h-3DFh hold the sequencer, CRT controller, graphics controller,
 * attribute controller and DAC; 1CEh/1CFh the Bochs DISPI index and data
 * registers. The CPU sees video memory through the A0000h-BFFFFh window,
 * with every read and write mode, the latches, chain-4 and odd/even.
 *
 * Video memory layout (the same as QEMU's and Bochs's, so a VBE mode's
 * linear framebuffer and mode 13h are the same bytes): byte `o` of plane
 * `p` is vram[o * 4 + p]. Chain-4 puts CPU address a at plane a & 3,
 * offset a >> 2 (vram[a] for the first 256 KiB); odd/even puts a at plane
 * a & 1 (or 2 + (a & 1)), offset a >> 1. So in a text mode character i
 * of the screen is plane 0 byte start + i, its attribute plane 1 byte
 * start + i, and glyph row r of character c in font bank b is plane 2
 * byte b * 16 KiB (with the interleaved bank select) + c * 32 + r.
 *
 * The device does no rendering: a display backend reads the state through
 * the read-only functions of legacy/vga_access.h and redraws when the
 * dirty generation moves. */
#ifndef HV_LEGACY_VGA_H
#define HV_LEGACY_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/core/memory.h"
#include "hv/core/pci.h"
#include "legacy/vga_access.h"

#define VGA_PORT_BASE	 0x3B0 /* len VGA_PORT_LEN: 3B0h-3DFh */
#define VGA_PORT_LEN	 0x30
#define VGA_WINDOW_BASE	 0xA0000 /* len VGA_WINDOW_LEN: A0000h-BFFFFh */
#define VGA_WINDOW_LEN	 0x20000
#define VBE_PORT_BASE	 0x1CE /* index at 1CEh, data at 1CFh (a word reaches 1D0h) */
#define VBE_PORT_LEN	 3
#define VGA_PLANAR_SIZE	 (256u << 10) /* the classic VGA's four 64 KiB planes */
#define VGA_PCI_VENDOR	 0x1234
#define VGA_PCI_DEVICE	 0x1111
#define VGA_BIOS_DEFAULT "/usr/share/seabios/vgabios-stdvga.bin"

/* Register counts. */
#define VGA_SR_COUNT 5
#define VGA_GR_COUNT 9
#define VGA_CR_COUNT 25
#define VGA_AR_COUNT 21

/* Bochs VBE DISPI registers (index written to 1CEh). */
enum vbe_index {
	VBE_ID,
	VBE_XRES,
	VBE_YRES,
	VBE_BPP,
	VBE_ENABLE,
	VBE_BANK,
	VBE_VIRT_WIDTH,
	VBE_VIRT_HEIGHT,
	VBE_X_OFFSET,
	VBE_Y_OFFSET,
	VBE_VIDEO_MEMORY_64K,
	VBE_REG_COUNT
};

#define VBE_ID0		0xB0C0
#define VBE_ID5		0xB0C5
#define VBE_ENABLED	0x01
#define VBE_GETCAPS	0x02
#define VBE_8BIT_DAC	0x20
#define VBE_LFB_ENABLED 0x40
#define VBE_NOCLEARMEM	0x80
#define VBE_MAX_XRES	16000 /* as QEMU: video memory decides what fits */
#define VBE_MAX_YRES	12000
#define VBE_MAX_BPP	32

struct vga {
	/* General registers. */
	uint8_t misc;	 /* miscellaneous output: bit 0 colour (3Dxh) or mono (3Bxh) */
	uint8_t feature; /* feature control, written at 3BAh/3DAh */
	/* Sequencer: 0 reset, 1 clocking mode, 2 map mask, 3 character map
	 * select, 4 memory mode (bit 2 sequential, bit 3 chain-4). */
	uint8_t sr_index;
	uint8_t sr[8];
	/* Graphics controller: 0 set/reset, 1 enable set/reset, 2 colour
	 * compare, 3 rotate and function, 4 read map, 5 mode (write mode,
	 * read mode, odd/even, shift interleave, 256 colours), 6 misc (alpha
	 * off, chain odd/even, memory map), 7 colour don't care, 8 bit mask. */
	uint8_t gr_index;
	uint8_t gr[16];
	/* CRT controller, 00h-18h; 11h bit 7 write-protects 00h-07h. */
	uint8_t cr_index;
	uint8_t cr[32];
	/* Attribute controller: 00h-0Fh palette, 10h mode, 11h overscan,
	 * 12h colour plane enable, 13h panning, 14h colour select. One port
	 * (3C0h) takes an index and then data, alternating; reading input
	 * status 1 sets it back to index. Bit 5 of the index: palette
	 * address source (the screen shows only while it is set). */
	uint8_t ar_index;
	bool ar_data_next;
	uint8_t ar[32];
	/* DAC: 256 entries of 6-bit (or, with VBE_8BIT_DAC, 8-bit) R, G, B. */
	uint8_t dac[256][3];
	uint8_t dac_write_index, dac_read_index;
	uint8_t dac_component; /* 0-2: which colour the next 3C9h access is */
	bool dac_reading;      /* 3C7h was the last index written (DAC state) */
	uint8_t pel_mask;
	/* The 32-bit latch: one byte of each plane, loaded by every read. */
	uint32_t latch;
	uint8_t *vram; /* VGA_VRAM_SIZE bytes */
	int vram_fd;   /* the memfd vram maps, or -1 (anonymous memory) */
	/* Bochs VBE. */
	uint16_t vbe_index;
	uint16_t vbe[VBE_REG_COUNT];
	/* Anything visible changed: memory, a register, the DAC. */
	uint32_t dirty;
	struct vclock *clock;  /* for the retrace bits of input status 1 */
	unsigned status_reads; /* without a clock, retrace alternates per read */
	/* PCI function and the linear framebuffer it maps. */
	struct pci_device pci;
	struct guest_mem *mem;
	uint64_t lfb_base; /* where the LFB is mapped now, 0 if nowhere */
};

/* Creates the device (power-on state: mode 3 text, as the BIOS leaves
 * it). mem: where BAR 0 maps the LFB (may be NULL in tests). Returns NULL
 * if out of memory. */
struct vga *vga_create(struct vclock *clock, struct guest_mem *mem);
void vga_destroy(struct vga *v);
void vga_reset(struct vga *v);

extern const struct io_ops vga_io_ops;	   /* at VGA_PORT_BASE, len VGA_PORT_LEN */
extern const struct io_ops vga_mem_ops;	   /* at VGA_WINDOW_BASE, len VGA_WINDOW_LEN */
extern const struct io_ops vga_vbe_io_ops; /* at VBE_PORT_BASE, len VBE_PORT_LEN */

/* vga.c: the device's describe op (the mode and what decides it). */
void vga_describe_state(const void *dev, char *buf, size_t len);

/* vga_ports.c: the writable bits of each register. */
extern const uint8_t vga_sr_mask[VGA_SR_COUNT];
extern const uint8_t vga_gr_mask[VGA_GR_COUNT];
extern const uint8_t vga_ar_mask[VGA_AR_COUNT];

/* vga_mem.c: one byte through the window (offset from A0000h). */
uint8_t vga_mem_readb(struct vga *v, uint32_t offset);
void vga_mem_writeb(struct vga *v, uint32_t offset, uint8_t value);

/* vga_vbe.c: DISPI register access. */
uint16_t vga_vbe_read(struct vga *v, unsigned index);
void vga_vbe_write(struct vga *v, unsigned index, uint16_t value);
bool vga_vbe_active(const struct vga *v);

/* vga_pci.c: the PCI function's identity and BAR 0 (call after reset of
 * config space); maps or unmaps the LFB to follow BAR 0 and the command
 * register's memory bit. */
void vga_pci_reset(struct vga *v);
void vga_pci_update_lfb(struct vga *v);

/* Reads a VGA BIOS image (a multiple of 512 bytes, at most 128 KiB, with
 * the 55AAh signature). Returns the bytes (free() them) and the size, or
 * NULL with err set. */
uint8_t *vga_bios_load(const char *path, uint32_t *size, char *err, size_t errlen);

#endif
