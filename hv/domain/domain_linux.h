/* Direct Linux boot for a domain (kernel= in the config): instead of
 * running firmware, the domain plays boot loader and the platform's BIOS
 * both. At creation it reads the kernel and ramdisk; at every start and
 * reset it enables the PIIX4 power-management block at the I/O base
 * firmware would have chosen, writes hv's ACPI tables, loads the kernel by
 * the Linux boot protocol and puts the vCPU at its 32-bit entry. */
#ifndef HV_DOMAIN_LINUX_H
#define HV_DOMAIN_LINUX_H

#include <stddef.h>

struct domain;

#define DOMAIN_LINUX_PM_BASE 0x600 /* where SeaBIOS puts PMBASE on this PC */
#define DOMAIN_LINUX_SCI_IRQ 9

/* Reads the files named by kernel= and ramdisk=. Returns 0 or -1 with err
 * set. */
int domain_linux_prepare(struct domain *d, char *err, size_t errlen);

/* After the machine and vCPU reset: sets up memory, the platform and the
 * vCPU for the kernel's entry. With the domain lock held (or before the
 * vCPU thread starts). Returns 0 or -1 with err set. */
int domain_linux_boot(struct domain *d, char *err, size_t errlen);

#endif
