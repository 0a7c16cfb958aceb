/* The x87 register stack and its bookkeeping: TOP, the tags, the status
 * word's exception flags, and how a pending unmasked exception reaches the
 * program at the next waiting instruction: #MF with CR0.NE set, or FERR#,
 * which a PC turns into IRQ13, with CR0.NE clear (the DOS-era wiring). */
#include <pthread.h>
#include <string.h>

#include "hv/core/machine.h"
#include "hv/x86/fpu.h"

/* The QNaN "real indefinite": negative, all-ones exponent, 1.1000... */
const struct x86_f80 fpu_indefinite = {UINT64_C(0xc000000000000000), 0xffff};

/* FNINIT's state, also the power-on state (SDM vol. 1, 8.1.10). */
void x86_fpu_reset(struct x86_cpu *cpu)
{
	struct x86_fpu *f = &cpu->fpu;

	x86_fpu_host_leave(); /* the flags go: the host's too (fpu.h) */
	f->cw = 0x037f;
	f->sw = 0;
	f->valid = 0;
	f->fop = 0;
	f->fip = f->fdp = 0;
	f->fcs = f->fds = 0;
	f->ferr = false;
}

void fpu_set(struct x86_cpu *cpu, unsigned i, const struct x86_f80 *v)
{
	unsigned p = fpu_phys(cpu, i);

	cpu->fpu.st[p] = *v;
	cpu->fpu.valid |= 1u << p;
}

static void set_top(struct x86_cpu *cpu, unsigned top)
{
	cpu->fpu.sw = (cpu->fpu.sw & ~0x3800u) | (top & 7) << 11;
}

void fpu_push(struct x86_cpu *cpu, const struct x86_f80 *v)
{
	set_top(cpu, fpu_top(cpu) - 1);
	fpu_set(cpu, 0, v);
}

void fpu_pop(struct x86_cpu *cpu)
{
	cpu->fpu.valid &= ~(1u << fpu_top(cpu));
	set_top(cpu, fpu_top(cpu) + 1);
}

/* Asserts FERR#; the platform latches it (a PC: IRQ13 until port F0h). */
static void assert_ferr(struct x86_cpu *cpu)
{
	struct machine *m = cpu->m;

	if (cpu->fpu.ferr)
		return;
	cpu->fpu.ferr = true;
	pthread_mutex_lock(&m->lock);
	irq_set(&m->ferr, 1);
	pthread_mutex_unlock(&m->lock);
	x86_poll_soon(cpu);
}

void fpu_update_es(struct x86_cpu *cpu)
{
	struct x86_fpu *f = &cpu->fpu;

	if (f->sw & ~f->cw & FPU_EXC) {
		f->sw |= FPU_ES | FPU_B;
	} else {
		f->sw &= ~(FPU_ES | FPU_B);
		f->ferr = false;
	}
}

bool fpu_raise(struct x86_cpu *cpu, uint16_t sw, uint16_t cc_mask)
{
	struct x86_fpu *f = &cpu->fpu;
	uint16_t unmasked = sw & ~f->cw & FPU_EXC;

	f->sw = (f->sw & ~cc_mask) | (sw & cc_mask);
	f->sw |= sw & (FPU_EXC | FPU_SF);
	if (unmasked)
		fpu_update_es(cpu);
	return (unmasked & (FPU_IE | FPU_DE | FPU_ZE)) != 0;
}

bool fpu_underflow(struct x86_cpu *cpu)
{
	return !fpu_raise(cpu, FPU_IE | FPU_SF, FPU_C1);
}

void fpu_overflow(struct x86_cpu *cpu)
{
	if (!fpu_raise(cpu, FPU_IE | FPU_SF | FPU_C1, FPU_C1))
		fpu_push(cpu, &fpu_indefinite);
}

/* A waiting instruction with an exception pending. CR0.NE: #MF. Without
 * it, as on a P6, FERR# is asserted now and the instruction waits for the
 * interrupt (it is restarted after IRQ13, whose handler normally writes
 * port F0h and FNCLEX); met again with FERR# still asserted, it goes on,
 * as the board's IGNNE# lets it. Returns false for a restart. */
static bool report_pending(struct x86_cpu *cpu)
{
	if (!(cpu->fpu.sw & FPU_ES))
		return true;
	if (cpu->cr[0] & X86_CR0_NE)
		cpu_raise(cpu, X86_VEC_MF, 0);
	if (cpu->fpu.ferr)
		return true;
	assert_ferr(cpu);
	x86_restart(cpu);
	return false;
}

bool fpu_begin(struct x86_cpu *cpu, const struct x86_insn *in, bool nowait)
{
	(void)in;
	if (cpu->cr[0] & (X86_CR0_EM | X86_CR0_TS))
		cpu_raise(cpu, X86_VEC_NM, 0);
	return nowait || report_pending(cpu);
}

void fpu_note(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu *f = &cpu->fpu;

	f->fop = (in->op & 7) << 8 | in->mod << 6 | in->reg << 3 | in->rm;
	f->fip = cpu->ip_start;
	f->fcs = cpu->seg[X86_CS].sel;
	if (in->mod != 3) {
		f->fdp = x86_ea(cpu, in);
		f->fds = cpu->seg[x86_ea_seg(in)].sel;
	}
}

unsigned fpu_tag(const struct x86_cpu *cpu, unsigned i)
{
	const struct x86_f80 *r = &cpu->fpu.st[i];
	unsigned exp = r->se & 0x7fff;

	if (!(cpu->fpu.valid & (1u << i)))
		return 3;
	if (exp == 0 && r->mant == 0)
		return 1;
	if (exp == 0x7fff || exp == 0 || !(r->mant >> 63))
		return 2;
	return 0;
}

uint16_t fpu_tag_word(const struct x86_cpu *cpu)
{
	uint16_t tw = 0;

	for (unsigned i = 0; i < 8; i++)
		tw |= fpu_tag(cpu, i) << (2 * i);
	return tw;
}

uint16_t fpu_status(const struct x86_cpu *cpu)
{
	return cpu->fpu.sw;
}

static uint32_t mem_off(const struct x86_insn *in, uint32_t off)
{
	return in->asz == 2 ? off & 0xffff : off;
}

void fpu_mem_read(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra, uint8_t *buf,
		  unsigned len)
{
	uint32_t base = mem_off(in, x86_ea(cpu, in) + extra);
	int seg = x86_ea_seg(in);

	/* No wrap within the operand: one crossing the limit faults. */
	for (unsigned i = 0; i < len; i += 2) {
		uint32_t v = x86_read(cpu, seg, base + i, 2);

		buf[i] = v;
		buf[i + 1] = v >> 8;
	}
}

void fpu_mem_write(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra,
		   const uint8_t *buf, unsigned len)
{
	uint32_t base = mem_off(in, x86_ea(cpu, in) + extra);
	int seg = x86_ea_seg(in);

	/* The last word first: a fault at the end leaves memory untouched. */
	x86_write(cpu, seg, base + len - 2, 2, buf[len - 2] | buf[len - 1] << 8);
	for (unsigned i = 0; i + 2 < len; i += 2)
		x86_write(cpu, seg, base + i, 2, buf[i] | buf[i + 1] << 8);
}

/* WAIT/FWAIT (9Bh): #NM when MP and TS are both set; reports a pending
 * unmasked exception. */
void x86_op_wait(struct x86_cpu *cpu, const struct x86_insn *in)
{
	(void)in;
	if ((cpu->cr[0] & (X86_CR0_MP | X86_CR0_TS)) == (X86_CR0_MP | X86_CR0_TS))
		cpu_raise(cpu, X86_VEC_NM, 0);
	report_pending(cpu);
}
