/* Loading a bzImage by the Linux x86 boot protocol; see linuxboot.h. */
#include "hv/boot/linuxboot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/file.h"
#include "hv/core/le.h"

#define MIB	       0x100000u
#define E820_RAM       1
#define E820_RESERVED  2
#define E820_ACPI      3
#define BIOS_AREA      0xF0000u /* reserved as a PC's BIOS would */
#define SETUP_RNG_SEED 9	/* setup_data type */

int linuxboot_check(struct linux_image *img, char *err, size_t errlen)
{
	const uint8_t *k = img->kernel;
	unsigned sects;

	if (img->kernel_size < 0x400 || le_get16(k + BP_BOOT_FLAG) != 0xAA55 ||
	    memcmp(k + BP_HEADER, "HdrS", 4) != 0) {
		snprintf(err, errlen, "not a bzImage (no Linux setup header \"HdrS\")");
		return -1;
	}
	img->version = (uint16_t)le_get16(k + BP_VERSION);
	if (img->version < LINUXBOOT_MIN_VERSION) {
		snprintf(err, errlen, "boot protocol %u.%02u is too old (2.06 or later needed)",
			 img->version >> 8, img->version & 0xff);
		return -1;
	}
	if (!(k[BP_LOADFLAGS] & LOADFLAGS_LOADED_HIGH)) {
		snprintf(err, errlen, "not a bzImage (a zImage loads below 1 MiB)");
		return -1;
	}
	sects = k[BP_SETUP_SECTS] ? k[BP_SETUP_SECTS] : 4;
	img->setup_size = (size_t)(sects + 1) * 512;
	if (img->setup_size >= img->kernel_size) {
		snprintf(err, errlen, "not a bzImage (%zu bytes of setup, %zu in the file)",
			 img->setup_size, img->kernel_size);
		return -1;
	}
	return 0;
}

int linuxboot_read(const char *kernel, const char *ramdisk, struct linux_image *img, char *err,
		   size_t errlen)
{
	char why[160];

	*img = (struct linux_image){0};
	img->kernel =
	    file_read("kernel", kernel, LINUXBOOT_KERNEL_MAX, &img->kernel_size, err, errlen);
	if (!img->kernel)
		return -1;
	if (linuxboot_check(img, why, sizeof why) < 0) {
		snprintf(err, errlen, "kernel %s: %s", kernel, why);
		linuxboot_free(img);
		return -1;
	}
	if (ramdisk && ramdisk[0]) {
		img->initrd = file_read("ramdisk", ramdisk, LINUXBOOT_INITRD_MAX, &img->initrd_size,
					err, errlen);
		if (!img->initrd) {
			linuxboot_free(img);
			return -1;
		}
	}
	return 0;
}

void linuxboot_free(struct linux_image *img)
{
	free(img->kernel);
	free(img->initrd);
	free(img->image);
	*img = (struct linux_image){0};
}

void linuxboot_drop_image(struct linux_image *img)
{
	free(img->image);
	img->image = NULL;
}

/* The e820 map: low RAM, the ACPI page, the BIOS area, RAM from 1 MiB. */
static void write_e820(uint8_t *bp, const struct guest_mem *mem)
{
	uint64_t low = mem->ram_size < MEM_LOW_RAM_LIMIT ? mem->ram_size : MEM_LOW_RAM_LIMIT;
	uint64_t map[5][3] = {
	    {0, LINUXBOOT_ACPI, E820_RAM},
	    {LINUXBOOT_ACPI, LINUXBOOT_ACPI_SIZE, E820_ACPI},
	    {BIOS_AREA, MIB - BIOS_AREA, E820_RESERVED},
	    {MIB, low - MIB, E820_RAM},
	    {0x100000000ull, mem->ram_size - low, E820_RAM},
	};
	unsigned n = mem->ram_size > low ? 5 : 4;

	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = bp + BP_E820_TABLE + 20 * i;
		le_put64(e, map[i][0]);
		le_put64(e + 8, map[i][1]);
		le_put32(e + 16, (uint32_t)map[i][2]);
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	le_put32(bp + BP_ALT_MEM_K, (uint32_t)((low - MIB) >> 10));
}

/* Where the initrd goes: as high as the kernel allows below the top of
 * low RAM, page aligned, above everything the kernel may unpack into. */
static int place_initrd(const struct linux_image *img, uint64_t low, uint64_t kernel_end,
			uint32_t *addr, char *err, size_t errlen)
{
	uint64_t max = (uint64_t)le_get32(img->kernel + BP_INITRD_ADDR_MAX) + 1;
	uint64_t top = low < max ? low : max;

	if (img->initrd_size > top || ((top - img->initrd_size) & ~0xfffull) < kernel_end) {
		snprintf(err, errlen,
			 "the ramdisk (%zu bytes) does not fit in memory above the kernel; "
			 "give the domain more memory",
			 img->initrd_size);
		return -1;
	}
	*addr = (uint32_t)((top - img->initrd_size) & ~0xfffull);
	return 0;
}

static void write_gdt(struct guest_mem *mem, struct linux_entry *entry)
{
	/* null, unused, flat 4 GiB code (0x10), flat 4 GiB data (0x18) */
	static const uint64_t gdt[4] = {0, 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
	uint8_t bytes[sizeof gdt];

	for (unsigned i = 0; i < 4; i++)
		le_put64(bytes + 8 * i, gdt[i]);
	mem_write(mem, LINUXBOOT_GDT, bytes, sizeof bytes);
	entry->gdt_base = LINUXBOOT_GDT;
	entry->gdt_limit = sizeof bytes - 1;
}

/* Copies the setup header into a fresh zero page and fills what a boot
 * loader must. */
static void fill_zero_page(uint8_t *bp, const struct linux_image *img, uint32_t initrd,
			   uint64_t rsdp)
{
	const uint8_t *k = img->kernel;
	size_t end = BP_JUMP + 2 + k[BP_JUMP + 1]; /* the header's own length */

	memset(bp, 0, 4096);
	if (end > 4096)
		end = 4096;
	memcpy(bp + BP_SETUP_SECTS, k + BP_SETUP_SECTS, end - BP_SETUP_SECTS);
	bp[BP_TYPE_OF_LOADER] = 0xff; /* undefined loader */
	le_put32(bp + BP_CMD_LINE_PTR, LINUXBOOT_CMDLINE);
	le_put32(bp + BP_RAMDISK_IMAGE, img->initrd ? initrd : 0);
	le_put32(bp + BP_RAMDISK_SIZE, img->initrd ? (uint32_t)img->initrd_size : 0);
	le_put64(bp + BP_ACPI_RSDP, rsdp);
}

/* One setup_data node (protocol 2.09): next (none), type, length, data. */
static void write_seed(struct guest_mem *mem, uint8_t *bp, const uint8_t *seed)
{
	uint8_t node[16 + LINUXBOOT_SEED_SIZE] = {0};

	le_put32(node + 8, SETUP_RNG_SEED);
	le_put32(node + 12, LINUXBOOT_SEED_SIZE);
	memcpy(node + 16, seed, LINUXBOOT_SEED_SIZE);
	mem_write(mem, LINUXBOOT_SETUP_DATA, node, sizeof node);
	le_put64(bp + BP_SETUP_DATA, LINUXBOOT_SETUP_DATA);
}

int linuxboot_setup(struct guest_mem *mem, const struct linux_image *img, const char *cmdline,
		    uint64_t rsdp, const uint8_t *seed, struct linux_entry *entry, char *err,
		    size_t errlen)
{
	const uint8_t *k = img->kernel;
	uint64_t low = mem->ram_size < MEM_LOW_RAM_LIMIT ? mem->ram_size : MEM_LOW_RAM_LIMIT;
	uint32_t load = le_get32(k + BP_CODE32_START), initrd = 0;
	size_t pm_size = img->kernel_size - img->setup_size;
	uint64_t pref = img->version >= 0x020a ? le_get32(k + BP_PREF_ADDRESS) : load;
	uint64_t init = img->version >= 0x020a ? le_get32(k + BP_INIT_SIZE) : pm_size;
	uint64_t kernel_end = load + pm_size;
	size_t cmd_max = le_get32(k + BP_CMDLINE_SIZE), cmd_len = strlen(cmdline);
	uint8_t bp[4096];

	if (pref + init > kernel_end)
		kernel_end = pref + init;
	if (load < MIB || kernel_end > low) {
		snprintf(err, errlen,
			 "the kernel needs memory up to %llu MiB (it loads at %#x); give the "
			 "domain more memory",
			 (unsigned long long)((kernel_end + MIB - 1) >> 20), load);
		return -1;
	}
	if (cmd_len > cmd_max || cmd_len >= LINUXBOOT_ACPI - LINUXBOOT_CMDLINE) {
		snprintf(err, errlen, "the command line is %zu characters; the kernel takes %zu",
			 cmd_len, cmd_max);
		return -1;
	}
	if (img->initrd && place_initrd(img, low, kernel_end, &initrd, err, errlen) < 0)
		return -1;
	if (img->image)
		mem_write(mem, img->image_base, img->image, img->image_size);
	else
		mem_write(mem, load, k + img->setup_size, pm_size);
	if (img->initrd)
		mem_write(mem, initrd, img->initrd, img->initrd_size);
	mem_write(mem, LINUXBOOT_CMDLINE, cmdline, cmd_len + 1);
	fill_zero_page(bp, img, initrd, rsdp);
	write_e820(bp, mem);
	if (seed && img->version >= 0x0209)
		write_seed(mem, bp, seed);
	mem_write(mem, LINUXBOOT_ZERO_PAGE, bp, sizeof bp);
	write_gdt(mem, entry);
	entry->eip = img->image ? img->image_entry : load;
	entry->esi = LINUXBOOT_ZERO_PAGE;
	return 0;
}
