/* Shared by the libFuzzer harnesses: each defines LLVMFuzzerTestOneInput
 * (and may define LLVMFuzzerInitialize), takes any bytes, and must not
 * crash or trip a sanitizer. */
#ifndef HV_FUZZ_H
#define HV_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated copy of the input, for text parsers; free it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* The input of the operation-list harnesses: byte 0 counts the 4-byte
 * operations that follow (as many as fit), and the bytes after them go
 * into ram (at most ram_len of them). Returns the number of operations,
 * which start at data + 1; size must not be 0. */
static inline size_t fuzz_ops_and_ram(const uint8_t *data, size_t size, uint8_t *ram,
				      size_t ram_len)
{
	size_t nops = data[0], at;

	if (nops * 4 + 1 > size)
		nops = (size - 1) / 4;
	at = 1 + nops * 4;
	if (size > at)
		memcpy(ram, data + at, size - at < ram_len ? size - at : ram_len);
	return nops;
}

/* In tests/fuzz/support.c: */

/* A private directory for a domain built in the fuzzer's process,
 * /tmp/hv-fuzz-NAME-XXXXXX, removed at exit, with XDG_RUNTIME_DIR and
 * XDG_STATE_HOME pointed at it and rom.bin in it: a 64 KiB firmware that
 * halts (cli; hlt; jmp back, at the reset vector). Aborts on failure. */
const char *fuzz_private_dir(const char *name);
/* Writes len bytes into path, created or truncated; aborts on failure. */
void fuzz_write_file(const char *path, const void *data, size_t len);
/* For the save-file harnesses: checksums stop random bytes at the first
 * section, so the input goes into a memfd as it stands for read_file,
 * then write_file writes sections made from it (with good checksums) over
 * it, and read_file reads that. */
void fuzz_file_two_ways(const uint8_t *data, size_t size, void (*read_file)(int fd),
			void (*write_file)(int fd, const uint8_t *data, size_t size));

#endif
