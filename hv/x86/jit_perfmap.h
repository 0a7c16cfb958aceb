/* The JIT's perf map (HV_JIT_PERFMAP=1, a developer tool): each
 * translation is two lines `START SIZE hv-jit:GUESTPHYS` and
 * `START SIZE hv-jit-cold:GUESTPHYS` (hex: its hot and cold bytes) of
 * /tmp/perf-PID.map, the file `perf report` and `perf top` read to name
 * code that has no symbols. It is bounded: when the code buffer is emptied
 * (its addresses are reused) the file starts again, and past max_lines
 * lines the translations go unnamed until then (said once in the log).
 * The file is opened with the CPU, before the domain's sandbox, which then
 * only needs write and ftruncate. Only hv/x86/ and its tests include it. */
#ifndef HV_X86_JIT_PERFMAP_H
#define HV_X86_JIT_PERFMAP_H

#include <stddef.h>
#include <stdint.h>

struct x86_cpu;
struct x86_jit_perfmap;

/* Lines kept at most between two flushes of the code buffer (~45 bytes
 * each). */
#define X86_JIT_PERFMAP_LINES 200000u

/* Opens (creates or truncates) the map at path, a regular file of ours;
 * NULL when it cannot (logged). */
struct x86_jit_perfmap *x86_jit_perfmap_open(const char *path, unsigned max_lines);
/* The process's map /tmp/perf-PID.map when HV_JIT_PERFMAP is set and not
 * 0, for the first CPU of the process that asks (one writer per file);
 * else NULL. */
struct x86_jit_perfmap *x86_jit_perfmap_from_env(void);
void x86_jit_perfmap_close(struct x86_jit_perfmap *pm);

/* Names size bytes of code at code as the translation of guest physical
 * address gpa (its hot bytes), `hv-jit:GPA`; _cold as its cold bytes
 * (jit_emit.c), `hv-jit-cold:GPA`. */
void x86_jit_perfmap_add(struct x86_jit_perfmap *pm, const void *code, size_t size, uint64_t gpa);
void x86_jit_perfmap_add_cold(struct x86_jit_perfmap *pm, const void *code, size_t size,
			      uint64_t gpa);
/* The code buffer was emptied: the file starts again. */
void x86_jit_perfmap_flushed(struct x86_jit_perfmap *pm);
/* Lines in the file now. */
unsigned x86_jit_perfmap_lines(const struct x86_jit_perfmap *pm);

/* The guest physical address of a host pointer into the CPU's guest RAM
 * or ROM; ~0 when it is neither. */
uint64_t x86_jit_guest_phys(const struct x86_cpu *cpu, const uint8_t *host);

#endif
