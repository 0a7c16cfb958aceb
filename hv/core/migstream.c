#include "hv/core/migstream.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/core/clock.h"
#include "hv/core/le.h"

#define MAGIC "HVMIGR\r\n"
#define CHUNK (64u << 10)

void migstream_put_header(uint8_t *b, uint64_t ram_size)
{
	memcpy(b, MAGIC, 8);
	le_put32(b + 8, MIGSTREAM_VERSION);
	le_put32(b + 12, 0);
	le_put64(b + 16, ram_size);
}

void migstream_put_record(uint8_t *b, enum migstream_type type, uint32_t count, uint64_t value)
{
	le_put32(b, (uint32_t)type);
	le_put32(b + 4, count);
	le_put64(b + 8, value);
}

/* n bytes, waiting at most timeout_ms for each read. */
static int get(struct migstream_in *in, void *p, size_t n, char *err, size_t errlen)
{
	uint8_t *b = p;

	while (n) {
		struct pollfd pfd = {.fd = in->fd, .events = POLLIN};
		int r = poll(&pfd, 1, in->timeout_ms);
		ssize_t k;

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			snprintf(err, errlen, "the sender sent nothing for %d s",
				 in->timeout_ms / 1000);
			return -1;
		}
		k = r < 0 ? -1 : read(in->fd, b, n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			snprintf(err, errlen, "the migration stream ended early (%s)",
				 k < 0 ? strerror(errno) : "the sender is gone");
			return -1;
		}
		b += k;
		n -= (size_t)k;
		in->bytes += (uint64_t)k;
	}
	return 0;
}

int migstream_read_start(struct migstream_in *in, int fd, int timeout_ms, char **config,
			 size_t *len, char *err, size_t errlen)
{
	uint8_t h[MIGSTREAM_HEADER], rec[MIGSTREAM_RECORD];
	uint64_t n;

	*in = (struct migstream_in){.fd = fd, .timeout_ms = timeout_ms};
	*config = NULL;
	if (get(in, h, sizeof h, err, errlen) < 0)
		return -1;
	if (memcmp(h, MAGIC, 8) != 0) {
		snprintf(err, errlen, "not an hv migration stream");
		return -1;
	}
	if (le_get32(h + 8) != MIGSTREAM_VERSION || le_get32(h + 12) != 0) {
		snprintf(err, errlen, "migration stream version %u; this hv reads version %u",
			 le_get32(h + 8), MIGSTREAM_VERSION);
		return -1;
	}
	in->ram_size = le_get64(h + 16);
	if (in->ram_size == 0 || in->ram_size % MIGSTREAM_PAGE) {
		snprintf(err, errlen, "migration stream: RAM of %llu bytes",
			 (unsigned long long)in->ram_size);
		return -1;
	}
	if (get(in, rec, sizeof rec, err, errlen) < 0)
		return -1;
	n = le_get64(rec + 8);
	if (le_get32(rec) != MIGSTREAM_CONFIG || le_get32(rec + 4) != 0 || n == 0 ||
	    n > MIGSTREAM_CONFIG_MAX) {
		snprintf(err, errlen, "migration stream: no valid config record");
		return -1;
	}
	*config = malloc((size_t)n);
	if (!*config) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (get(in, *config, (size_t)n, err, errlen) < 0) {
		free(*config);
		*config = NULL;
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

/* The state's bytes into state_fd, a chunk at a time. */
static int read_state(struct migstream_in *in, uint64_t n, int state_fd, char *err, size_t errlen)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t off = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (off < n) {
		size_t k = n - off < CHUNK ? (size_t)(n - off) : CHUNK;

		if (get(in, buf, k, err, errlen) < 0)
			goto fail;
		for (size_t done = 0; done < k;) {
			ssize_t w = pwrite(state_fd, buf + done, k - done, (off_t)(off + done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				snprintf(err, errlen, "cannot keep the migrated state: %s",
					 w < 0 ? strerror(errno) : "no progress");
				goto fail;
			}
			done += (size_t)w;
		}
		off += k;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

int migstream_read_body(struct migstream_in *in, uint8_t *ram, uint64_t size, int state_fd,
			char *err, size_t errlen)
{
	uint64_t pages = size / MIGSTREAM_PAGE;
	uint8_t rec[MIGSTREAM_RECORD];

	if (size != in->ram_size) {
		snprintf(err, errlen, "the migrating domain has %llu MiB of RAM; this one %llu MiB",
			 (unsigned long long)(in->ram_size >> 20),
			 (unsigned long long)(size >> 20));
		return -1;
	}
	for (;;) {
		uint32_t type, count;
		uint64_t value;

		if (get(in, rec, sizeof rec, err, errlen) < 0)
			return -1;
		type = le_get32(rec);
		count = le_get32(rec + 4);
		value = le_get64(rec + 8);
		if (type == MIGSTREAM_STATE) {
			if (count != 0 || value == 0 || value > MIGSTREAM_STATE_MAX)
				goto bad;
			in->t_state = host_now_ns();
			return read_state(in, value, state_fd, err, errlen);
		}
		if ((type != MIGSTREAM_PAGES && type != MIGSTREAM_ZEROS) || count == 0 ||
		    value >= pages || count > pages - value ||
		    (type == MIGSTREAM_PAGES && count > MIGSTREAM_RUN_MAX))
			goto bad;
		if (type == MIGSTREAM_ZEROS)
			memset(ram + value * MIGSTREAM_PAGE, 0, (size_t)count * MIGSTREAM_PAGE);
		else if (get(in, ram + value * MIGSTREAM_PAGE, (size_t)count * MIGSTREAM_PAGE, err,
			     errlen) < 0)
			return -1;
		in->pages += count;
	}
bad:
	snprintf(err, errlen, "migration stream: bad record at byte %llu",
		 (unsigned long long)(in->bytes - MIGSTREAM_RECORD));
	return -1;
}
