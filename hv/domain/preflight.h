/* Checks made on a domain's config before anything is opened for real or
 * the name is claimed: every file it names (firmware, kernel, ramdisk,
 * disk images, "file:" serial ends) is looked at without blocking and
 * without following a link where hv would create the file, so that a FIFO
 * cannot hang `hv create`, a device cannot stand in for an image, and each
 * refusal names the config line that asked for it; and the guest's RAM is
 * checked against the host's. */
#ifndef HV_PREFLIGHT_H
#define HV_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/config/config.h"

/* Returns 0, or -1 with err set as "FILE:LINE: what PATH: reason". */
int preflight_check(const struct domain_config *cfg, char *err, size_t errlen);

/* The checks on their own, for tests: a file hv reads must be a regular
 * file (a disk image may also be a block device); a file hv appends to
 * must be a regular file or not exist yet, and not a symbolic link.
 * Return 0 or -1 with err set as "PATH: reason". */
int preflight_readable(const char *path, bool block_ok, uint64_t *size, char *err, size_t errlen);
int preflight_writable(const char *path, char *err, size_t errlen);

/* memory_mib against host_ram bytes. Returns 0 or -1 with err set. */
int preflight_memory(unsigned memory_mib, uint64_t host_ram, char *err, size_t errlen);

/* A disk image's size for its drive (a hard disk holds whole 512-byte
 * sectors, a CD-ROM at least one 2048-byte one). Returns 0 or -1. */
int preflight_disk_size(uint64_t size, bool cdrom, char *err, size_t errlen);

#endif
