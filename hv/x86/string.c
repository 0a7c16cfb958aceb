/* String instructions with REP/REPE/REPNE and 16- or 32-bit addressing.
 * A long REP runs in chunks: when a chunk ends with the count not yet
 * zero, EIP goes back to the instruction so interrupts and the budget are
 * honoured between chunks, as a real CPU does between iterations. */
#include "hv/x86/cpu_state.h"

/* Iterations of a REP instruction between two instruction boundaries. */
#define REP_CHUNK 4096

typedef void (*string_step)(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size);

static uint32_t idx(const struct x86_cpu *cpu, const struct x86_insn *in, unsigned r)
{
	return cpu->regs[r] & x86_mask(in->asz);
}

/* Moves SI or DI one element forward or back (DF). */
static void advance(struct x86_cpu *cpu, const struct x86_insn *in, unsigned r, unsigned size)
{
	uint32_t d = (cpu->eflags & X86_DF) ? (uint32_t)-size : size;

	x86_set_reg(cpu, in->asz, r, idx(cpu, in, r) + d);
}

static int src_seg(const struct x86_insn *in)
{
	return in->seg >= 0 ? in->seg : X86_DS;
}

static void movs1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t v = x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size);

	x86_write(cpu, X86_ES, idx(cpu, in, X86_EDI), size, v);
	advance(cpu, in, X86_ESI, size);
	advance(cpu, in, X86_EDI, size);
}

static void cmps1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t a = x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size);
	uint32_t b = x86_read(cpu, X86_ES, idx(cpu, in, X86_EDI), size);

	x86_alu(cpu, 7, a, b, size);
	advance(cpu, in, X86_ESI, size);
	advance(cpu, in, X86_EDI, size);
}

static void stos1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	x86_write(cpu, X86_ES, idx(cpu, in, X86_EDI), size, x86_get_reg(cpu, size, X86_EAX));
	advance(cpu, in, X86_EDI, size);
}

static void lods1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	x86_set_reg(cpu, size, X86_EAX, x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size));
	advance(cpu, in, X86_ESI, size);
}

static void scas1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t b = x86_read(cpu, X86_ES, idx(cpu, in, X86_EDI), size);

	x86_alu(cpu, 7, x86_get_reg(cpu, size, X86_EAX), b, size);
	advance(cpu, in, X86_EDI, size);
}

static void ins1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t v = x86_port_in(cpu, cpu->regs[X86_EDX] & 0xffff, size);

	x86_write(cpu, X86_ES, idx(cpu, in, X86_EDI), size, v);
	advance(cpu, in, X86_EDI, size);
}

static void outs1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t v = x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size);

	x86_port_out(cpu, cpu->regs[X86_EDX] & 0xffff, size, v);
	advance(cpu, in, X86_ESI, size);
}

/* Runs one element, or a chunk of a REP; `cond` for CMPS/SCAS. */
static void run(struct x86_cpu *cpu, const struct x86_insn *in, string_step fn, bool cond)
{
	unsigned size = x86_opsize(in);

	if (!in->rep) {
		fn(cpu, in, size);
		return;
	}
	for (unsigned n = 0; n < REP_CHUNK; n++) {
		uint32_t count = x86_count(cpu, in);

		if (count == 0)
			return;
		fn(cpu, in, size);
		x86_set_count(cpu, in, count - 1);
		if (cond && x86_zf(cpu) != (in->rep == 0xf3))
			return;
	}
	if (x86_count(cpu, in) != 0)
		cpu->eip = cpu->ip_start;
}

/* MOVS (A4h/A5h) */
void x86_op_movs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, movs1, false);
}

/* CMPS (A6h/A7h) */
void x86_op_cmps(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, cmps1, true);
}

/* STOS (AAh/ABh) */
void x86_op_stos(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, stos1, false);
}

/* LODS (ACh/ADh) */
void x86_op_lods(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, lods1, false);
}

/* SCAS (AEh/AFh) */
void x86_op_scas(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, scas1, true);
}

/* INS (6Ch/6Dh) */
void x86_op_ins(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, ins1, false);
}

/* OUTS (6Eh/6Fh) */
void x86_op_outs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, outs1, false);
}
