/* The JIT's perf map: see jit_perfmap.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/core/file.h"
#include "hv/core/log.h"
#include "hv/x86/cpu_state.h"
#include "hv/x86/jit_perfmap.h"

struct x86_jit_perfmap {
	int fd;
	unsigned lines, max_lines;
	bool said_full;	   /* said so in the log (once) */
	bool broken;	   /* a write failed: no more lines (said once) */
	bool from_env;	   /* holds the process's one map */
	uint64_t restarts; /* flushes of the code buffer seen */
	char path[64];
};

/* One writer of /tmp/perf-PID.map per process. */
static atomic_bool env_taken;

struct x86_jit_perfmap *x86_jit_perfmap_open(const char *path, unsigned max_lines)
{
	struct x86_jit_perfmap *pm;
	struct stat st;
	/* O_NOFOLLOW and the checks below: /tmp is shared, and a link or a
	 * file of someone else's planted at our name is refused. */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		log_warn("x86 jit: no perf map: %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1 || ftruncate(fd, 0) != 0) {
		log_warn("x86 jit: no perf map: %s is not a plain file of ours", path);
		close(fd);
		return NULL;
	}
	pm = calloc(1, sizeof *pm);
	if (!pm) {
		close(fd);
		return NULL;
	}
	pm->fd = fd;
	pm->max_lines = max_lines;
	snprintf(pm->path, sizeof pm->path, "%s", path);
	return pm;
}

struct x86_jit_perfmap *x86_jit_perfmap_from_env(void)
{
	const char *v = getenv("HV_JIT_PERFMAP");
	struct x86_jit_perfmap *pm;
	char path[64];

	if (!v || !*v || strcmp(v, "0") == 0 || atomic_exchange(&env_taken, true))
		return NULL;
	snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
	pm = x86_jit_perfmap_open(path, X86_JIT_PERFMAP_LINES);
	if (!pm) {
		atomic_store(&env_taken, false);
		return NULL;
	}
	pm->from_env = true;
	log_info("x86 jit: perf map %s (at most %u lines)", path, pm->max_lines);
	return pm;
}

void x86_jit_perfmap_close(struct x86_jit_perfmap *pm)
{
	if (!pm)
		return;
	close(pm->fd);
	if (pm->from_env)
		atomic_store(&env_taken, false);
	free(pm);
}

static void write_line(struct x86_jit_perfmap *pm, const char *s, size_t n)
{
	if (file_write_all(pm->fd, s, n) == 0)
		return;
	log_warn("x86 jit: perf map %s: %s; no more lines", pm->path, strerror(errno));
	pm->broken = true;
}

static void add(struct x86_jit_perfmap *pm, const void *code, size_t size, uint64_t gpa,
		const char *part)
{
	char line[96];
	int n;

	if (!pm || pm->broken)
		return;
	if (pm->lines >= pm->max_lines) {
		if (!pm->said_full)
			log_info("x86 jit: perf map %s holds %u lines: later translations go "
				 "unnamed until the code buffer is emptied",
				 pm->path, pm->lines);
		pm->said_full = true;
		return;
	}
	n = snprintf(line, sizeof line, "%lx %zx hv-jit%s:%llx\n", (unsigned long)(uintptr_t)code,
		     size, part, (unsigned long long)gpa);
	write_line(pm, line, (size_t)n);
	pm->lines++;
}

void x86_jit_perfmap_add(struct x86_jit_perfmap *pm, const void *code, size_t size, uint64_t gpa)
{
	add(pm, code, size, gpa, "");
}

void x86_jit_perfmap_add_cold(struct x86_jit_perfmap *pm, const void *code, size_t size,
			      uint64_t gpa)
{
	add(pm, code, size, gpa, "-cold");
}

void x86_jit_perfmap_flushed(struct x86_jit_perfmap *pm)
{
	if (!pm || pm->broken)
		return;
	/* The old addresses now hold other code: their names would lie. */
	if (ftruncate(pm->fd, 0) != 0) {
		log_warn("x86 jit: perf map %s: ftruncate: %s; no more lines", pm->path,
			 strerror(errno));
		pm->broken = true;
		return;
	}
	if (pm->restarts++ == 0)
		log_info("x86 jit: the code buffer filled; perf map %s starts again (so at "
			 "every flush: perf names code translated since the last one)",
			 pm->path);
	pm->lines = 0;
}

unsigned x86_jit_perfmap_lines(const struct x86_jit_perfmap *pm)
{
	return pm ? pm->lines : 0;
}

uint64_t x86_jit_guest_phys(const struct x86_cpu *cpu, const uint8_t *host)
{
	const struct guest_mem *mem;
	uintptr_t off;

	if (!cpu->m)
		return ~(uint64_t)0;
	mem = &cpu->m->mem;
	/* ROM and RAM regions laid over RAM, the latest first as they win. */
	for (unsigned i = mem->count; i-- > 0;) {
		const struct mem_region *r = &mem->regions[i];

		if (r->kind != MEM_MMIO && r->host && host >= r->host && host < r->host + r->size)
			return r->base + (uint64_t)(host - r->host);
	}
	off = (uintptr_t)host - (uintptr_t)mem->ram;
	if (host < mem->ram || off >= mem->ram_size)
		return ~(uint64_t)0;
	return off < MEM_LOW_RAM_LIMIT ? off : off - MEM_LOW_RAM_LIMIT + 0x100000000ull;
}
