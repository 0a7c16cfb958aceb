/* Instruction forms shared by the generator's family files (gen.c,
 * gen2.c): a form is encoded for 32-bit or real mode, with its r/m operand
 * in a register or in memory at [ebx+10h] / [bx+10h]. */
#ifndef GEN_FORMS_H
#define GEN_FORMS_H

#include "native.h"

/* One instruction form. */
struct spec {
	const char *name;
	uint8_t op[3];
	int oplen;
	int size;    /* operand-size attribute: 1, 2 or 4 */
	int rm_size; /* size of the r/m operand when it differs (MOVZX) */
	bool modrm;
	int reg; /* ModRM reg field: /n or a register */
	int rm;	 /* the r/m register of the register form */
	int immsize;
	bool no_real; /* means something else in real mode (addressing) */
};

#define MEM_DISP 0x10

int encode(uint8_t *b, const struct spec *s, int mode, bool mem, uint32_t imm);
const char *size_tag(int size);
void set_reg(uint32_t *regs, int size, int r, uint32_t v);
/* Emits s with r/m operand rmval; returns the native exception or -1. */
int emit(const struct spec *s, const uint32_t *regs_in, uint32_t rmval, uint32_t flags,
	 uint32_t imm, bool mem, uint32_t undef);
void random_regs(uint32_t *r);
/* n vectors of s: edge and random values, register and memory forms. */
void sweep(const struct spec *s, int src, unsigned n, uint32_t undef,
	   uint32_t (*imm_of)(unsigned i, int size));
uint32_t imm_any(unsigned i, int size);
uint32_t imm8_any(unsigned i, int size);
/* The families of gen2.c. */
void gen_more(void);
/* The families of gen3.c: stack, strings, faults. */
void gen_stack(void);
/* gen4.c: memory operands in every addressing form. */
void gen_addressing(void);

#endif
