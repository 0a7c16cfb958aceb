/* The receiving side of a live migration (hv/domain/migrate.h): the
 * stream into a domain that has not run yet. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/core/clock.h"
#include "hv/core/file.h"
#include "hv/core/log.h"
#include "hv/core/memory.h"
#include "hv/core/migstream.h"
#include "hv/core/savefile.h"
#include "hv/domain/domain.h"
#include "hv/domain/domain_save.h"
#include "hv/domain/migrate.h"

static int answer(int out, const char *line)
{
	return file_write_all(out, line, strlen(line));
}

/* RAM and the state from the stream; the state checked and loaded. */
static int receive(struct domain *d, struct migstream_in *in, char *err, size_t errlen)
{
	struct guest_mem *mem = &d->machine.mem;
	struct savefile_reader r;
	int state_fd, rc;
	int64_t t_body;

	/* RAM all zeros again (what the kernel loader wrote goes). */
	if (fallocate(mem->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      (off_t)mem->ram_size) < 0)
		memset(mem->ram, 0, (size_t)mem->ram_size);
	state_fd = memfd_create("hv-migrate-state", MFD_CLOEXEC);
	if (state_fd < 0) {
		snprintf(err, errlen, "memfd: %s", strerror(errno));
		return -1;
	}
	rc = migstream_read_body(in, mem->ram, mem->ram_size, state_fd, err, errlen);
	t_body = host_now_ns();
	mem_mark_written(mem, 0, mem->ram_size);
	if (rc == 0 && savefile_open(&r, state_fd, err, errlen) == 0) {
		log_info("the migrated state received in %.1f ms, checked in %.1f ms",
			 (double)(t_body - in->t_state) / 1e6,
			 (double)(host_now_ns() - t_body) / 1e6);
		if (savefile_find(&r, "ram")) {
			snprintf(err, errlen, "the migrated state holds RAM of its own");
			rc = -1;
		} else {
			rc = domain_load_sections(d, &r, false, err, errlen);
		}
		savefile_close(&r);
	} else {
		rc = -1;
	}
	close(state_fd);
	return rc;
}

int domain_migrate_receive(struct domain *d, struct migstream_in *in, int out, char *err,
			   size_t errlen)
{
	char line[600];
	int rc;

	signal(SIGPIPE, SIG_IGN); /* a sender gone is an error, not an end */
	/* The domain is built: the sender may stop the guest when it likes. */
	if (answer(out, "ready\n") < 0) {
		snprintf(err, errlen, "cannot answer the sender: %s", strerror(errno));
		return -1;
	}
	rc = receive(d, in, err, errlen);
	if (rc < 0) {
		snprintf(line, sizeof line, "error %s\n", err);
		answer(out, line);
		return -1;
	}
	if (answer(out, "ok\n") < 0) {
		snprintf(err, errlen, "cannot answer the sender: %s", strerror(errno));
		return -1;
	}
	log_info("migrated in: %llu bytes, %llu pages", (unsigned long long)in->bytes,
		 (unsigned long long)in->pages);
	return 0;
}
