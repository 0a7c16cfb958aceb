/* The migration stream's reader (hv/core/migstream.h), as hv
 * migrate-receive runs it on what a sender sends: the input read as a
 * whole stream, and as the records after a valid header and config (so
 * that the page, zero and state records are reached), into 16 pages of
 * RAM; a state that arrives is opened as the save file it claims to be. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "hv/core/migstream.h"
#include "hv/core/savefile.h"

#define RAM_PAGES 16

static uint8_t ram[RAM_PAGES * MIGSTREAM_PAGE];

static void run(int fd)
{
	struct migstream_in in;
	struct savefile_reader r;
	char err[256], *config;
	size_t len;
	int state = memfd_create("fuzz-state", 0);

	if (state < 0)
		return;
	if (migstream_read_start(&in, fd, 0, &config, &len, err, sizeof err) == 0) {
		free(config);
		if (migstream_read_body(&in, ram, sizeof ram, state, err, sizeof err) == 0 &&
		    savefile_open(&r, state, err, sizeof err) == 0)
			savefile_close(&r);
	}
	close(state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pre[MIGSTREAM_HEADER + MIGSTREAM_RECORD + 4];
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0)
		run(fd);
	migstream_put_header(pre, sizeof ram);
	migstream_put_record(pre + MIGSTREAM_HEADER, MIGSTREAM_CONFIG, 0, 4);
	memcpy(pre + MIGSTREAM_HEADER + MIGSTREAM_RECORD, "x=1\n", 4);
	if (ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0 &&
	    write(fd, pre, sizeof pre) == (ssize_t)sizeof pre &&
	    write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0)
		run(fd);
	close(fd);
	return 0;
}
