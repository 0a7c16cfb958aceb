/* qcow2 images from anywhere: the input is written to a scratch file and
 * opened read-only (header, extensions, tables, backing chain), a few
 * ranges are read (L2 lookups, compressed clusters, backing reads), then
 * it is opened read-write for a write, a discard, write-zeroes and a flush
 * (allocation, refcounts, write-back). Must not crash, trip a sanitizer or
 * allocate without bound. Seeds: images made by qemu-img (v2, v3, small
 * clusters, compressed, zero clusters, a backing file). */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/log.h"

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* tmpfs where there is one: every write-back syncs the file */
	char dir[] = "/dev/shm/hv-fuzz-qcow2-XXXXXX";
	int fd;

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	if (!mkdtemp(dir)) {
		memcpy(dir, "/tmp/hv-fuzz-qcow2-XXXXXX", sizeof "/tmp/hv-fuzz-qcow2-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof path, "%s/base.raw", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	/* the backing file the seed withbacking.qcow2 names */
	if (fd < 0 || ftruncate(fd, 65536) < 0)
		abort();
	close(fd);
	snprintf(path, sizeof path, "%s/img.qcow2", dir);
	return 0;
}

static void exercise_reads(struct disk *d)
{
	static uint8_t buf[128 * 1024];
	uint64_t at[4] = {0, d->size / 3, d->size / 2 + 4096, d->size};

	for (int i = 0; i < 4; i++) {
		uint64_t off = at[i] > sizeof buf ? (at[i] - sizeof buf / 2) & ~511ull : 0;
		uint64_t len = d->size - off < sizeof buf ? d->size - off : sizeof buf;

		disk_read(d, off, buf, (size_t)len);
	}
}

static void exercise_writes(struct disk *d)
{
	static uint8_t buf[70000];

	memset(buf, 0xA5, sizeof buf);
	if (d->size >= sizeof buf) {
		disk_write(d, 512, buf, sizeof buf - 512);
		disk_write(d, d->size - sizeof buf, buf, sizeof buf);
		disk_discard(d, 0, d->size / 2);
		disk_write_zeroes(d, d->size / 2, d->size / 4);
	}
	disk_flush(d);
	exercise_reads(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[8192];
	struct disk *d;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	d = disk_open_format(path, DISK_FORMAT_QCOW2, true, err, sizeof err);
	if (d) {
		exercise_reads(d);
		disk_close(d);
	}
	d = disk_open_format(path, DISK_FORMAT_QCOW2, false, err, sizeof err);
	if (d) {
		exercise_writes(d);
		disk_close(d);
	}
	return 0;
}
