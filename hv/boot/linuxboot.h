/* Direct Linux boot (kernel=, ramdisk=, extra=): loads a bzImage by the
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst) the way a boot
 * loader does, without firmware. The protected-mode kernel goes to its
 * code32_start (1 MiB), the "zero page" (struct boot_params) gets the
 * image's setup header, an e820 map, the command line, the initrd placed
 * high and the ACPI RSDP address; the vCPU then starts at the 32-bit entry
 * in flat protected mode with ESI pointing at the zero page. A kernel hv
 * decompressed (linuxboot_unpack) goes to pref_address instead and starts
 * at its own entry, as its decompressor would have left it.
 *
 * Low memory as laid out here (all RAM, no firmware mapped below 1 MiB):
 *   0x5000  setup_data: a random seed for the kernel's RNG (SETUP_RNG_SEED)
 *   0x6000  GDT: 0x10 flat code, 0x18 flat data (__BOOT_CS, __BOOT_DS)
 *   0x7000  boot_params (4 KiB)
 *   0x8000  command line (up to cmdline_size + 1 bytes)
 *   0x9F000 ACPI tables (4 KiB, e820 type ACPI), built by hv/boot/acpi.c */
#ifndef HV_LINUXBOOT_H
#define HV_LINUXBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/memory.h"

#define LINUXBOOT_SETUP_DATA   0x5000u
#define LINUXBOOT_SEED_SIZE    32
#define LINUXBOOT_GDT	       0x6000u
#define LINUXBOOT_ZERO_PAGE    0x7000u
#define LINUXBOOT_CMDLINE      0x8000u
#define LINUXBOOT_ACPI	       0x9F000u
#define LINUXBOOT_ACPI_SIZE    0x1000u
#define LINUXBOOT_KERNEL_MAX   (64u << 20)  /* a bzImage file */
#define LINUXBOOT_INITRD_MAX   (512u << 20) /* an initrd file */
#define LINUXBOOT_UNPACKED_MAX (128u << 20) /* a kernel decompressed by hv */
#define LINUXBOOT_MIN_VERSION  0x0206	    /* protocol 2.06: cmdline_size */
#define LINUXBOOT_BOOT_CS      0x10
#define LINUXBOOT_BOOT_DS      0x18

/* Offsets in the setup header / boot_params (both start at file offset 0
 * and zero-page offset 0; the setup header lives at 1F1h in both). */
#define BP_ACPI_RSDP	      0x070
#define BP_ALT_MEM_K	      0x1e0
#define BP_E820_ENTRIES	      0x1e8
#define BP_SETUP_SECTS	      0x1f1
#define BP_BOOT_FLAG	      0x1fe
#define BP_JUMP		      0x200
#define BP_HEADER	      0x202
#define BP_VERSION	      0x206
#define BP_TYPE_OF_LOADER     0x210
#define BP_LOADFLAGS	      0x211
#define BP_CODE32_START	      0x214
#define BP_RAMDISK_IMAGE      0x218
#define BP_RAMDISK_SIZE	      0x21c
#define BP_CMD_LINE_PTR	      0x228
#define BP_INITRD_ADDR_MAX    0x22c
#define BP_CMDLINE_SIZE	      0x238
#define BP_SETUP_DATA	      0x250
#define BP_PREF_ADDRESS	      0x258
#define BP_INIT_SIZE	      0x260
#define BP_E820_TABLE	      0x2d0
#define BP_E820_MAX	      128
#define LOADFLAGS_LOADED_HIGH 0x01

/* The files of a Linux domain, read once at creation. */
struct linux_image {
	uint8_t *kernel;
	size_t kernel_size;
	uint8_t *initrd; /* NULL: no ramdisk */
	size_t initrd_size;
	uint16_t version;  /* boot protocol version of the kernel */
	size_t setup_size; /* bytes of real-mode setup before the 32-bit kernel */
	/* The kernel decompressed by hv (linuxboot_unpack): its memory image
	 * from image_base (pref_address), bss zeroed, entered at image_entry
	 * (startup_32) with the zero page; NULL: it decompresses itself. */
	uint8_t *image;
	size_t image_size;
	uint32_t image_base, image_entry;
};

/* Where the vCPU starts. */
struct linux_entry {
	uint32_t eip; /* the 32-bit entry (code32_start) */
	uint32_t esi; /* boot_params */
	uint32_t gdt_base;
	uint16_t gdt_limit;
};

/* Reads and checks the kernel (a bzImage with a setup header of protocol
 * 2.06 or later) and the ramdisk (path "" or NULL: none). Returns 0, or -1
 * with a message naming the file in err. */
int linuxboot_read(const char *kernel, const char *ramdisk, struct linux_image *img, char *err,
		   size_t errlen);

/* Checks that the bytes are a bzImage we can load. Returns 0 or -1 with err
 * set ("not a bzImage ...") and fills version and setup_size. */
int linuxboot_check(struct linux_image *img, char *err, size_t errlen);

/* Decompresses the kernel on the host, as Xen's domain builder does for
 * its PV guests: a 32-bit kernel whose payload is xz (Debian's) becomes
 * img->image, so the guest starts in the decompressed kernel instead of
 * running its decompressor (on the soft engine, seconds of a boot).
 * Returns 1 when it did; 0 when this kernel decompresses itself (another
 * compression, a 64-bit kernel, protocol before 2.10), with the reason in
 * err; -1 with err set when the payload is corrupt. */
int linuxboot_unpack(struct linux_image *img, char *err, size_t errlen);

/* The second half of linuxboot_unpack: the kernel's ELF file (n bytes at
 * elf, decompressed) into img->image, by the setup header's pref_address
 * and init_size. Returns 1, or 0 with the reason in err when it does not
 * fit them (a 64-bit kernel, a segment outside, no entry). */
int linuxboot_load_elf(struct linux_image *img, const uint8_t *elf, size_t n, char *err,
		       size_t errlen);

/* Frees the decompressed kernel (linuxboot_unpack makes it again). */
void linuxboot_drop_image(struct linux_image *img);

void linuxboot_free(struct linux_image *img);

/* Writes the kernel, initrd, command line, boot_params and GDT into RAM
 * for a start at *entry; rsdp is the ACPI RSDP address (0: none); seed
 * (LINUXBOOT_SEED_SIZE bytes, or NULL) goes to the kernel's RNG, which has
 * no other good entropy on this machine and would otherwise hold up the
 * boot for minutes. Returns 0, or -1 with err set when the files do not
 * fit in the guest's RAM. */
int linuxboot_setup(struct guest_mem *mem, const struct linux_image *img, const char *cmdline,
		    uint64_t rsdp, const uint8_t *seed, struct linux_entry *entry, char *err,
		    size_t errlen);

#endif
