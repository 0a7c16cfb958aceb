/* What several harnesses share (fuzz.h): a private directory for a
 * domain built in the fuzzer's process, files in it, a halting firmware,
 * and an input tried as a save file two ways. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static char private_dir[64];

void fuzz_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", private_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", private_dir);
}

const char *fuzz_private_dir(const char *name)
{
	char path[128];
	/* cli; hlt; jmp back, at the reset vector (0xFFFF0). */
	static uint8_t rom[64 * 1024];

	snprintf(private_dir, sizeof private_dir, "/tmp/hv-fuzz-%s-XXXXXX", name);
	if (!mkdtemp(private_dir))
		abort();
	atexit(remove_dir);
	setenv("XDG_RUNTIME_DIR", private_dir, 1);
	setenv("XDG_STATE_HOME", private_dir, 1);
	memset(rom, 0xF4, sizeof rom);
	memcpy(rom + sizeof rom - 16, "\xFA\xF4\xEB\xFD", 4);
	snprintf(path, sizeof path, "%s/rom.bin", private_dir);
	fuzz_write_file(path, rom, sizeof rom);
	return private_dir;
}

void fuzz_file_two_ways(const uint8_t *data, size_t size, void (*read_file)(int fd),
			void (*write_file)(int fd, const uint8_t *data, size_t size))
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size)
		read_file(fd);
	if (ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0) {
		write_file(fd, data, size);
		read_file(fd);
	}
	close(fd);
}
