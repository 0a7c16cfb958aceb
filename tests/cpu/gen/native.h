/* The vector generator's core: runs one instruction natively on the host
 * CPU (a 32-bit Linux process, so in 32-bit protected mode at CPL 3) with a
 * chosen state, and writes the state before and after as a JSON vector in
 * the format of docs/cpu-test.md. Ground truth is the host CPU; only the
 * encodings and the choice of inputs come from this program. */
#ifndef GEN_NATIVE_H
#define GEN_NATIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Where things are, natively and in the vectors alike. */
#define CODE_ADDR 0x10000u /* the instruction */
#define DATA_ADDR 0x20000u /* memory operands */
#define DATA_SIZE 0x20000u /* data and stack: DATA_ADDR..+DATA_SIZE */
#define STACK_TOP 0x3f000u
#define LOW_ADDR  0x2000u /* memory operands of 16-bit addressing */
#define LOW_SIZE  0xd000u /* LOW_ADDR..+LOW_SIZE, below the code page */

/* EFLAGS bits. */
#define F_CF	0x001u
#define F_PF	0x004u
#define F_AF	0x010u
#define F_ZF	0x040u
#define F_SF	0x080u
#define F_DF	0x400u
#define F_OF	0x800u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

/* The real-mode rewrite of a vector: its own bytes; registers and memory as
 * for the 32-bit run, with DS = ds_sel and EBX replaced by ebx (when the
 * operand is in memory, reached through [bx+disp]). */
struct realform {
	bool valid;
	uint8_t code[16];
	int len;
	uint16_t ds_sel;
	bool set_ebx;
	uint32_t ebx;
};

struct vec {
	char name[96];
	uint8_t code[16];
	int len;
	uint32_t regs[8];
	uint32_t flags;	 /* arithmetic flags and DF in */
	uint32_t undef;	 /* flags the SDM leaves undefined */
	uint8_t mem[64]; /* initial bytes at DATA_ADDR + mem_off (mem_big past 64) */
	int mem_len;
	uint32_t mem_off;
	uint32_t mem_abs;     /* nonzero: mem is at this address in the low area */
	bool user_segs;	      /* spell out CPL-3 segments (privilege tests) */
	bool branch;	      /* a jump by +7 past the instruction: followed or not */
	uint8_t mem_big[256]; /* with mem_len > 64: the bytes (strings, stack) */
	struct realform real;
};

/* Opens tests/cpu/NAME.json for writing (the directory from argv). */
void gen_open(const char *name, const char *description);
/* Runs v natively and writes it; with v->real.valid also its real-mode
 * form. Returns the exception vector natively raised, or -1. */
int gen_emit(struct vec *v);
/* Closes the current file, reporting its count. */
void gen_close(void);
/* Output directory. */
extern const char *gen_dir;

/* Seeded xorshift PRNG: the same vectors on every run. */
uint32_t rnd(void);
/* An operand value: edge cases first (index < count), then random. */
uint32_t gen_value(unsigned i, unsigned size);
/* Random arithmetic flags and DF. */
uint32_t gen_flags(void);

#endif
