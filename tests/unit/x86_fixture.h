/* The software-CPU suites' common fixture: one machine with RAM from 0
 * and one CPU (m and cpu), code loaded into RAM and run in real mode from
 * 0000:IP with SS:SP = 0000:7000, and little-endian views of RAM. The
 * suites test_x86_real, _fpu, _protected and _smc share it. */
#ifndef HV_TEST_X86_FIXTURE_H
#define HV_TEST_X86_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hv/core/engine.h"
#include "hv/core/machine.h"
#include "hv/x86/cpu_state.h"
#include "hv/x86/jit.h"

extern struct machine m;
extern struct x86_cpu *cpu;

/* A machine with ram bytes of RAM and a CPU in its power-on state. */
void x86f_setup(size_t ram);
void x86f_teardown(void);

/* Copies code into RAM at physical address at. */
void x86f_load(const uint8_t *code, size_t len, uint32_t at);

/* Runs from 0000:ip in real mode with SP = 7000h for at most budget
 * instructions (until HLT, normally). */
enum vcpu_exit x86f_run_real(uint32_t ip, uint64_t budget);

/* Emits block b (unchained) into cpu's code buffer as the JIT does (the
 * buffer's room, then taken): its code in the executable view, *l where
 * its parts are (writable view; l may be NULL). Fails the test if it
 * does not fit. */
x86_jit_code x86f_translate(const struct x86_block *b, unsigned *native, unsigned *mem,
			    struct x86_jit_links *l);

static inline uint32_t reg(unsigned r)
{
	return cpu->regs[r];
}

static inline uint32_t reg16(unsigned r)
{
	return cpu->regs[r] & 0xffff;
}

static inline uint8_t mem8(uint32_t a)
{
	return m.mem.ram[a];
}

static inline uint16_t mem16(uint32_t a)
{
	return (uint16_t)(m.mem.ram[a] | m.mem.ram[a + 1] << 8);
}

static inline uint32_t mem32(uint32_t a)
{
	return mem16(a) | (uint32_t)mem16(a + 2) << 16;
}

static inline uint64_t mem64(uint32_t a)
{
	return mem32(a) | (uint64_t)mem32(a + 4) << 32;
}

static inline void put16(uint32_t a, uint16_t v)
{
	m.mem.ram[a] = (uint8_t)v;
	m.mem.ram[a + 1] = (uint8_t)(v >> 8);
}

static inline void put32(uint32_t a, uint32_t v)
{
	put16(a, (uint16_t)v);
	put16(a + 2, (uint16_t)(v >> 16));
}

static inline void put64(uint32_t a, uint64_t v)
{
	put32(a, (uint32_t)v);
	put32(a + 4, (uint32_t)(v >> 32));
}

/* The decoded block of the code at physical address pa of RAM, or NULL. */
static inline struct x86_block *block_of(uint32_t pa)
{
	for (unsigned i = 0; i < X86_BLOCKS; i++)
		if (cpu->blocks[i].host == m.mem.ram + pa)
			return &cpu->blocks[i];
	return NULL;
}

#endif
