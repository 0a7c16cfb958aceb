#include "hv/boot/firmware.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "hv/core/file.h"

static int check_size(const char *path, off_t size, char *err, size_t errlen)
{
	if (size >= FIRMWARE_MIN_SIZE && size <= FIRMWARE_MAX_SIZE && size % FIRMWARE_MIN_SIZE == 0)
		return 0;
	snprintf(err, errlen,
		 "firmware %s: size %lld bytes is not a ROM image (expected a multiple of 64 KiB "
		 "from 64 KiB to 16 MiB)",
		 path, (long long)size);
	return -1;
}

uint8_t *firmware_load(const char *path, uint64_t *size, char *err, size_t errlen)
{
	size_t n = 0;
	uint8_t *rom = file_read("firmware", path, FIRMWARE_MAX_SIZE, &n, err, errlen);

	if (rom && check_size(path, (off_t)n, err, errlen) < 0) {
		free(rom);
		return NULL;
	}
	if (rom)
		*size = n;
	return rom;
}

int firmware_map(struct guest_mem *mem, uint8_t *rom, uint64_t size, char *err, size_t errlen)
{
	uint64_t low = size < FIRMWARE_LOW_MAX ? size : FIRMWARE_LOW_MAX;

	if (mem_map_rom(mem, 0x100000000ull - size, size, rom, "firmware") < 0 ||
	    mem_map_rom(mem, 0x100000 - low, low, rom + size - low, "firmware (low alias)") < 0) {
		snprintf(err, errlen, "cannot map the firmware");
		return -1;
	}
	return 0;
}
