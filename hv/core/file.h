/* Reading a whole host file (firmware, kernels, option ROMs) with errors
 * that name what it is and where. */
#ifndef HV_FILE_H
#define HV_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads the regular file at path, at most max bytes, into a buffer the
 * caller frees, and its length into *size. Returns NULL with err set as
 * "<what> <path>: <reason>". */
uint8_t *file_read(const char *what, const char *path, size_t max, size_t *size, char *err,
		   size_t errlen);

#endif
