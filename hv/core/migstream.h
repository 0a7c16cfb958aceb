/* The live-migration stream (hv migrate / hv migrate-receive): what a
 * sending domain writes to a socket while it runs, and a receiving domain
 * reads into its RAM before it first runs.
 *
 *   header  "HVMIGR\r\n", le32 format version (2), le32 reserved (0),
 *           le64 RAM size in bytes
 *   record  le32 type, le32 count, le64 value (16 bytes), then:
 *     CONFIG  count 0, value: the length (<= MIGSTREAM_CONFIG_MAX) of the
 *             domain's config text that follows; first, exactly once
 *     PAGES   value: first page, count: pages (1..MIGSTREAM_RUN_MAX), then
 *             their bytes
 *     ZEROS   value: first page, count: pages (>= 1) that are zero now
 *     STATE   count 0, value: the length (<= MIGSTREAM_STATE_MAX) of a
 *             save file (hv/core/savefile.h) without RAM that follows:
 *             the CPU, the devices, the clock; the last record
 *   answers the receiver writes "ready\n" once its domain is built from
 *           the config (the sender stops the guest for the last step only
 *           after it, so the receiver's start-up is never downtime), and
 *           "ok\n" once the domain is loaded (it then runs); or at any
 *           time "error TEXT\n", and closes
 *
 * Pages are sent in rounds (the first skips zero pages: the receiver's RAM
 * starts zero), later rounds resend what the dirty log says was written.
 * A record may repeat pages; the last one wins. The reader checks every
 * field against the RAM and bounds before it touches anything, and the
 * state is copied only as fast as its bytes really come. */
#ifndef HV_CORE_MIGSTREAM_H
#define HV_CORE_MIGSTREAM_H

#include <stddef.h>
#include <stdint.h>

#define MIGSTREAM_VERSION    2
#define MIGSTREAM_HEADER     24
#define MIGSTREAM_RECORD     16
#define MIGSTREAM_PAGE	     4096u
#define MIGSTREAM_RUN_MAX    64u
#define MIGSTREAM_CONFIG_MAX (1u << 20)
#define MIGSTREAM_STATE_MAX  (256ull << 20)

enum migstream_type {
	MIGSTREAM_CONFIG = 1,
	MIGSTREAM_PAGES = 2,
	MIGSTREAM_ZEROS = 3,
	MIGSTREAM_STATE = 4,
};

/* Encoders: fill b (MIGSTREAM_HEADER or MIGSTREAM_RECORD bytes). */
void migstream_put_header(uint8_t *b, uint64_t ram_size);
void migstream_put_record(uint8_t *b, enum migstream_type type, uint32_t count, uint64_t value);

/* The reading end: fd (a socket or pipe) read with no read-ahead, so that
 * the header can be read by one process and the rest by another. */
struct migstream_in {
	int fd;
	int timeout_ms;	   /* the longest wait for the next bytes */
	uint64_t ram_size; /* from the header */
	uint64_t bytes;	   /* read so far */
	uint64_t pages;	   /* pages and zero pages applied */
	int64_t t_state;   /* host_now_ns() when the STATE record came */
};

/* Reads the header and the CONFIG record: *config (free it) holds len
 * bytes of text. Returns 0, or -1 with err set. */
int migstream_read_start(struct migstream_in *in, int fd, int timeout_ms, char **config,
			 size_t *len, char *err, size_t errlen);

/* Reads the records after CONFIG into ram (size bytes, which must be the
 * header's RAM size) until STATE, whose save file it writes into state_fd
 * (an empty memfd) from offset 0. Returns 0, or -1 with err set (RAM then
 * holds a mix: the caller throws the domain away). */
int migstream_read_body(struct migstream_in *in, uint8_t *ram, uint64_t size, int state_fd,
			char *err, size_t errlen);

#endif
