/* Firmware ROM images (firmware= in the config). */
#ifndef HV_FIRMWARE_H
#define HV_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/memory.h"

#define FIRMWARE_MIN_SIZE (64u * 1024)
#define FIRMWARE_MAX_SIZE (16u * 1024 * 1024)
/* How much of the image is also visible just below 1 MiB (E0000h-FFFFFh
 * at most), where the CPU starts in real mode. */
#define FIRMWARE_LOW_MAX (128u * 1024)

/* Reads a ROM image: a multiple of 64 KiB from 64 KiB to 16 MiB. Returns
 * the bytes (free() them) and the size, or NULL with err set. */
uint8_t *firmware_load(const char *path, uint64_t *size, char *err, size_t errlen);

/* Maps the image at the top of 4 GiB and its last 128 KiB (or all of it,
 * if smaller) at the top of the first MiB. Returns 0 or -1 with err set. */
int firmware_map(struct guest_mem *mem, uint8_t *rom, uint64_t size, char *err, size_t errlen);

#endif
