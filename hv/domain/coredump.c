/* on_crash = "coredump-destroy" / "coredump-restart": the core file
 * (hv/core/coredump.h) in the domain's state directory, beside its log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/core/coredump.h"
#include "hv/core/log.h"
#include "hv/domain/domain.h"

#define EFER_LMA (1ull << 10) /* long mode active (a KVM guest's) */

/* STATEDIR/NAME-STAMP.core, or -N.core when that is taken; returns the
 * open descriptor, the path in out, or -1 with errno set. */
static int create_core(const struct domain *d, char *out, size_t len)
{
	char dir[PATH_MAX], stamp[32];
	struct timespec now;
	struct tm tm;
	char *slash;

	snprintf(dir, sizeof dir, "%s", d->log_path);
	slash = strrchr(dir, '/');
	if (!slash) {
		errno = ENOENT;
		return -1;
	}
	*slash = '\0';
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (int n = 1; n <= 99; n++) {
		char suffix[8] = "";
		int fd, w;

		if (n > 1)
			snprintf(suffix, sizeof suffix, "-%d", n);
		w = snprintf(out, len, "%s/%s-%s%s.core", dir, d->cfg.name, stamp, suffix);
		if (w < 0 || (size_t)w >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* RAM as the memfd holds it: the part below MEM_LOW_RAM_LIMIT at 0, the
 * rest at 4 GiB. */
static unsigned ram_ranges(struct domain *d, struct coredump_ram *r)
{
	const struct guest_mem *m = &d->machine.mem;
	uint64_t low = m->ram_size < MEM_LOW_RAM_LIMIT ? m->ram_size : MEM_LOW_RAM_LIMIT;

	r[0] = (struct coredump_ram){.gpa = 0, .size = low, .host = m->ram, .fd = m->ram_fd};
	if (low == m->ram_size)
		return 1;
	r[1] = (struct coredump_ram){.gpa = 1ull << 32,
				     .size = m->ram_size - low,
				     .host = m->ram + low,
				     .fd = m->ram_fd,
				     .fd_off = low};
	return 2;
}

int domain_coredump(struct domain *d)
{
	struct coredump_ram ram[2];
	struct vcpu_state st;
	char path[PATH_MAX], err[256];
	uint64_t skipped = 0;
	unsigned n;
	int fd;

	if (d->coredumps >= DOMAIN_COREDUMPS_MAX) {
		log_error("core dump skipped: %d written already by this domain",
			  DOMAIN_COREDUMPS_MAX);
		return -1;
	}
	if (d->engine->vcpu_get_state(d->vcpu, &st, err, sizeof err) < 0) {
		log_error("core dump: the vCPU's registers: %s", err);
		return -1;
	}
	fd = create_core(d, path, sizeof path);
	if (fd < 0) {
		log_error("core dump: %s: %s", path, strerror(errno));
		return -1;
	}
	n = ram_ranges(d, ram);
	if (coredump_write(fd, ram, n, &st, &skipped, err, sizeof err) < 0) {
		log_error("core dump: %s: %s", path, err);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	d->coredumps++;
	log_error("core dump written to %s (EIP %08llx)%s%s", path, (unsigned long long)st.rip,
		  skipped ? "; RAM above 4 GiB left out (ELF32)" : "",
		  st.efer & EFER_LMA ? "; long mode: registers cut to 32 bits (ELF32)" : "");
	return 0;
}
