/* See bzimage_fixture.h. */
#include "bzimage_fixture.h"

#include <string.h>

#include "hv/boot/linuxboot.h"
#include "hv/core/le.h"

void bzimage_header(uint8_t *k, uint32_t pref, uint32_t init_size, uint32_t initrd_max)
{
	k[BP_SETUP_SECTS] = BZIMAGE_SETUP_SECTS;
	le_put16(k + BP_BOOT_FLAG, 0xAA55);
	k[BP_JUMP] = 0xeb;
	k[BP_JUMP + 1] = 0x66; /* the header ends at 268h */
	memcpy(k + BP_HEADER, "HdrS", 4);
	le_put16(k + BP_VERSION, 0x020f);
	k[BP_LOADFLAGS] = LOADFLAGS_LOADED_HIGH;
	le_put32(k + BP_CODE32_START, 0x100000);
	le_put32(k + BP_INITRD_ADDR_MAX, initrd_max);
	le_put32(k + BP_CMDLINE_SIZE, 2047);
	le_put32(k + BP_PREF_ADDRESS, pref);
	le_put32(k + BP_INIT_SIZE, init_size);
}
