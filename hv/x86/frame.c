/* Stack frames built before they become SS:ESP: interrupt delivery, call
 * gates, RETF and IRET read or write a stack (possibly a new one from the
 * TSS) and commit it only once every access has succeeded, so a fault
 * leaves the registers as they were. */
#include "hv/x86/cpu_state.h"

/* The current SS:ESP as a frame. */
void x86_frame_current(struct x86_cpu *cpu, struct x86_frame *f)
{
	f->ss = cpu->seg[X86_SS];
	f->sp = cpu->regs[X86_ESP];
	f->cpl = cpu->cpl;
	f->vector = X86_VEC_SS;
	f->error = 0;
}

static uint32_t frame_mask(const struct x86_frame *f)
{
	return (f->ss.attr & X86_SEG_BIG) ? 0xffffffffu : 0xffffu;
}

/* Linear address of `size` bytes at offset off of the frame's SS. */
static uint32_t frame_lin(struct x86_cpu *cpu, const struct x86_frame *f, uint32_t off,
			  unsigned size)
{
	if (off < f->ss.floor || (uint64_t)off + size - 1 > f->ss.limit)
		cpu_raise(cpu, f->vector, f->error);
	return f->ss.base + off;
}

/* Pushes onto the frame. */
void x86_frame_push(struct x86_cpu *cpu, struct x86_frame *f, unsigned size, uint32_t v)
{
	uint32_t sp = (f->sp - size) & frame_mask(f);

	x86_lin_write(cpu, frame_lin(cpu, f, sp, size), size, v, f->cpl == 3);
	f->sp = (f->sp & ~frame_mask(f)) | sp;
}

/* Pops from the frame. */
uint32_t x86_frame_pop(struct x86_cpu *cpu, struct x86_frame *f, unsigned size)
{
	uint32_t sp = f->sp & frame_mask(f);
	uint32_t v = x86_lin_read(cpu, frame_lin(cpu, f, sp, size), size, f->cpl == 3);

	f->sp = (f->sp & ~frame_mask(f)) | ((sp + size) & frame_mask(f));
	return v;
}

/* Moves the frame's stack pointer up by n bytes (RETF imm16). */
void x86_frame_skip(struct x86_frame *f, uint32_t n)
{
	f->sp = (f->sp & ~frame_mask(f)) | ((f->sp + n) & frame_mask(f));
}

/* Makes the frame SS:ESP. */
void x86_frame_commit(struct x86_cpu *cpu, const struct x86_frame *f)
{
	cpu->seg[X86_SS] = f->ss;
	cpu->regs[X86_ESP] = f->sp;
}

/* SS:ESP for privilege `dpl` from the 32- or 16-bit TSS; #TS when the
 * TSS is too short. */
void x86_tss_stack(struct x86_cpu *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp)
{
	bool big = (cpu->tr.attr & 0xf) == 0x9 || (cpu->tr.attr & 0xf) == 0xb;
	uint32_t off = big ? 4 + dpl * 8 : 2 + dpl * 4;
	unsigned size = big ? 4 : 2;

	if ((cpu->tr.sel & ~3u) == 0 || off + 2 * size - 1 > cpu->tr.limit)
		cpu_raise(cpu, X86_VEC_TS, cpu->tr.sel & ~3u);
	*esp = x86_lin_read(cpu, cpu->tr.base + off, size, false);
	*ss = x86_lin_read(cpu, cpu->tr.base + off + size, 2, false);
}
