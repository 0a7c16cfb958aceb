/* The i440FX host bridge (PMC) at 00:00.0: its identity, which firmware
 * uses to recognise the chipset, and the PAM registers that route the
 * legacy BIOS window C0000h-FFFFFh between the BIOS ROM and the RAM
 * beneath it ("shadowing").
 *
 * PAM0 (59h) bits 5:4 cover F0000h-FFFFFh; PAM1-6 (5Ah-5Fh) cover the
 * 16 KiB segments from C0000h to EFFFFh, low nibble first. Per segment,
 * bit 0 (or 4) enables reads from RAM and bit 1 (or 5) writes to RAM:
 *   0: reads and writes go to the ROM side (writes are lost)
 *   1: reads from RAM, writes lost (a shadowed, write-protected BIOS)
 *   2: reads from ROM, writes to RAM (copying the BIOS onto itself)
 *   3: RAM.
 * The ROM side is the BIOS image where it has bytes; where it has none
 * (C0000h-DFFFFh with a 128 KiB alias) the RAM stays visible instead of
 * the floating PCI bus: no firmware we run tells the two apart.
 * SMRAM (72h) is a plain register: SMM is not emulated. */
#ifndef HV_LEGACY_I440FX_H
#define HV_LEGACY_I440FX_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/device.h"
#include "hv/core/memory.h"
#include "hv/core/pci.h"

#define I440FX_VENDOR 0x8086
#define I440FX_DEVICE 0x1237
#define I440FX_PAM0   0x59
#define I440FX_SMRAM  0x72
#define I440FX_SEGS   13 /* F0000h (64 KiB), then C0000h..EC000h (16 KiB each) */

enum i440fx_pam_mode { PAM_ROM = 0, PAM_READ_RAM = 1, PAM_WRITE_RAM = 2, PAM_RAM = 3 };

struct i440fx;

/* One PAM segment's place in the memory map. */
struct i440fx_seg {
	struct i440fx *fx;
	uint64_t base;
	uint64_t size;
	uint8_t *rom; /* ROM-side bytes, NULL where the BIOS image has none */
	uint8_t mode; /* enum i440fx_pam_mode currently mapped */
	bool mapped;  /* a region of ours sits at base */
};

struct i440fx {
	struct pci_device dev; /* configuration space; dev.opaque is this */
	struct guest_mem *mem;
	struct i440fx_seg seg[I440FX_SEGS];
};

/* Creates the bridge over mem. rom holds the BIOS bytes seen at
 * [rom_base, 1 MiB) when not shadowed (rom NULL: none); the caller keeps
 * them alive and must not map them itself. Maps the reset state (every
 * segment mode 0). Returns NULL when out of memory. */
struct i440fx *i440fx_create(struct guest_mem *mem, uint64_t rom_base, uint8_t *rom);

/* Removes its regions from the memory map and frees it. */
void i440fx_destroy(struct i440fx *fx);

/* Power-on state of the registers and of the shadow mapping. */
void i440fx_reset(struct i440fx *fx);

/* The registry's view (hv/core/device.h) of a struct i440fx. */
extern const struct device_ops i440fx_device_ops;

#endif
