#include "hv/firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int read_all(int fd, uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

uint8_t *firmware_load(const char *path, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *rom = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "firmware %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "firmware %s: not a regular file", path);
		goto out;
	}
	if (check_size(path, st.st_size, err, errlen) < 0)
		goto out;
	rom = malloc((size_t)st.st_size);
	if (!rom || read_all(fd, rom, (size_t)st.st_size) < 0) {
		snprintf(err, errlen, "firmware %s: cannot read: %s", path,
			 rom ? strerror(errno) : "out of memory");
		free(rom);
		rom = NULL;
		goto out;
	}
	*size = (uint64_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
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
