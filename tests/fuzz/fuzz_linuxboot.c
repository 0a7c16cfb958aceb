/* The Linux loader (hv/boot/linuxboot.h) on any bytes: with the first
 * byte even, the rest is a kernel file, checked, decompressed when its
 * payload is xz and loaded into a 32 MiB guest; odd, the rest is the ELF
 * file of a decompressed kernel, loaded by a fixed setup header
 * (pref_address 2 MiB, init_size 1 MiB). */
#include "bzimage_fixture.h"
#include "fuzz.h"
#include "hv/boot/linuxboot.h"

#define MIB (1u << 20)

static struct guest_mem mem;

/* A bzImage header of protocol 2.15 and nothing after it. */
static uint8_t *fixed_header(size_t *len)
{
	uint8_t *k = calloc(1, 0x1000);

	if (!k)
		return NULL;
	bzimage_header(k, 2 * MIB, MIB, 0x37ffffff);
	*len = 0x1000;
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_image img = {0};
	struct linux_entry entry;
	char err[256];
	int r;

	if (!mem.ram && mem_init(&mem, 32 * MIB, err, sizeof err) < 0)
		abort();
	if (size < 1)
		return 0;
	img.kernel = data[0] & 1 ? fixed_header(&img.kernel_size) : malloc(size);
	if (!img.kernel)
		return 0;
	if (!(data[0] & 1)) {
		memcpy(img.kernel, data + 1, size - 1);
		img.kernel_size = size - 1;
	}
	if (linuxboot_check(&img, err, sizeof err) == 0) {
		r = data[0] & 1 ? linuxboot_load_elf(&img, data + 1, size - 1, err, sizeof err)
				: linuxboot_unpack(&img, err, sizeof err);
		if (r >= 0)
			linuxboot_setup(&mem, &img, "console=ttyS0", 0, NULL, &entry, err,
					sizeof err);
	}
	linuxboot_free(&img);
	return 0;
}
