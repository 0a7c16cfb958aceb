/* hv's software x86 CPU: the public face of hv/x86/. The engine glue
 * (hv/x86/soft_engine.c) and the tests use only this header. */
#ifndef HV_X86_CPU_H
#define HV_X86_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/engine.h"

struct machine;
struct x86_cpu;

/* A CPU attached to machine m (memory, port I/O, interrupt controller),
 * in its power-on state. NULL if out of memory. */
struct x86_cpu *x86_cpu_create(struct machine *m);
void x86_cpu_destroy(struct x86_cpu *cpu);

/* Power-on/RESET state: real mode, CS=F000h with base FFFF0000h, IP=FFF0h. */
void x86_cpu_reset(struct x86_cpu *cpu);

/* A boot loader's hand-over in 32-bit flat protected mode (boot32.c). */
void x86_cpu_set_boot32(struct x86_cpu *cpu, const struct vcpu_boot32 *boot);

/* Executes up to `budget` instructions; returns why it stopped. Interrupts
 * from the machine's controller are taken at instruction boundaries. */
enum vcpu_exit x86_cpu_run(struct x86_cpu *cpu, uint64_t budget);

/* From any thread: the running x86_cpu_run returns VCPU_EXIT_KICK soon. */
void x86_cpu_kick(struct x86_cpu *cpu);

/* The registers as struct vcpu_state (state.c), while the CPU is not
 * running. set returns 0, or -1 with a reason in err for a state the
 * 32-bit CPU cannot hold. */
void x86_cpu_get_state(struct x86_cpu *cpu, struct vcpu_state *st);
int x86_cpu_set_state(struct x86_cpu *cpu, const struct vcpu_state *st, char *err, size_t len);

/* Instructions retired since creation. */
uint64_t x86_cpu_insns(const struct x86_cpu *cpu);
/* The JIT's counters into st (jit_*; jit_stats.c), read while it runs. */
void x86_cpu_jit_stats(const struct x86_cpu *cpu, struct vcpu_stats *st);

#endif
