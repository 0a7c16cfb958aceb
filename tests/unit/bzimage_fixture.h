/* The setup header of a synthetic bzImage, for the Linux loader's suites
 * (test_linuxboot, test_linuxunpack) and its fuzzer (fuzz_linuxboot). */
#ifndef HV_TEST_BZIMAGE_FIXTURE_H
#define HV_TEST_BZIMAGE_FIXTURE_H

#include <stdint.h>

#define BZIMAGE_SETUP_SECTS 4 /* setup sectors after the boot sector */
#define BZIMAGE_SETUP_SIZE  ((BZIMAGE_SETUP_SECTS + 1) * 512)

/* Writes a setup header of protocol 2.15 into k (BZIMAGE_SETUP_SIZE
 * zeroed bytes at least): BZIMAGE_SETUP_SECTS setup sectors, the header
 * ending at 268h, loaded high with code32_start at 1 MiB, a 2047-byte
 * command line, and the given pref_address, init_size and
 * initrd_addr_max. */
void bzimage_header(uint8_t *k, uint32_t pref, uint32_t init_size, uint32_t initrd_max);

#endif
