/* Virtual-8086 mode: entered by IRET from CPL 0 (or a task switch) with
 * EFLAGS.VM set, left by an interrupt or exception to a ring-0 handler,
 * which finds the V86 segment registers pushed on its stack. Code runs at
 * CPL 3 with real-mode segments; IOPL-sensitive instructions (CLI, STI,
 * PUSHF, POPF, INT n, IRET) fault to the monitor unless IOPL is 3. VME is
 * not implemented. */
#include "hv/x86/cpu_state.h"

/* Attributes of V86 segments: present, DPL 3, 16-bit, read/write data
 * (code for CS). */
#define V86_DATA 0xf3u
#define V86_CODE 0xfbu

static void v86_seg(struct x86_seg *s, uint16_t sel, bool code)
{
	*s = (struct x86_seg){.sel = sel,
			      .base = (uint32_t)sel << 4,
			      .limit = 0xffff,
			      .attr = code ? V86_CODE : V86_DATA};
	x86_seg_sync(s);
}

/* Loads all six segment registers V86 style; the CPL becomes 3. */
void x86_v86_load_segs(struct x86_cpu *cpu, const uint16_t *sels)
{
	for (int i = 0; i < X86_NSEG; i++)
		v86_seg(&cpu->seg[i], sels[i], i == X86_CS);
	x86_set_cpl(cpu, 3);
}

/* IRET from CPL 0 to V86 mode: ESP, SS, ES, DS, FS, GS follow EFLAGS. */
void x86_v86_enter(struct x86_cpu *cpu, struct x86_frame *f, uint32_t ip, uint16_t cs, uint32_t fl)
{
	uint16_t sels[X86_NSEG];
	uint32_t esp = x86_frame_pop(cpu, f, 4);

	sels[X86_CS] = cs;
	sels[X86_SS] = (uint16_t)x86_frame_pop(cpu, f, 4);
	sels[X86_ES] = (uint16_t)x86_frame_pop(cpu, f, 4);
	sels[X86_DS] = (uint16_t)x86_frame_pop(cpu, f, 4);
	sels[X86_FS] = (uint16_t)x86_frame_pop(cpu, f, 4);
	sels[X86_GS] = (uint16_t)x86_frame_pop(cpu, f, 4);
	x86_set_eflags(cpu, fl | 0x2, 0xffffffffu);
	x86_v86_load_segs(cpu, sels);
	cpu->regs[X86_ESP] = esp;
	cpu->eip = ip & 0xffff;
}

/* #GP(0) unless IOPL is 3. */
void x86_v86_check_iopl(struct x86_cpu *cpu)
{
	if ((cpu->eflags & X86_VM) && (cpu->eflags & X86_IOPL) != X86_IOPL)
		cpu_raise(cpu, X86_VEC_GP, 0);
}

/* IRET in V86 mode at IOPL 3: like real mode, but IOPL and VM stay. */
void x86_v86_iret(struct x86_cpu *cpu, unsigned osz)
{
	struct x86_frame f;
	uint32_t ip, fl, mask;
	uint16_t cs;

	x86_v86_check_iopl(cpu);
	x86_frame_current(cpu, &f);
	ip = x86_frame_pop(cpu, &f, osz);
	cs = (uint16_t)x86_frame_pop(cpu, &f, osz);
	fl = x86_frame_pop(cpu, &f, osz);
	if (ip > 0xffff)
		cpu_raise(cpu, X86_VEC_GP, 0);
	mask = X86_ARITH | X86_TF | X86_IF | X86_DF | X86_NT | X86_AC | X86_ID | X86_RF;
	v86_seg(&cpu->seg[X86_CS], cs, true);
	cpu->eip = ip;
	x86_frame_commit(cpu, &f);
	x86_set_eflags(cpu, fl, osz == 2 ? mask & 0xffff : mask);
	cpu->fetch_host = NULL;
}

/* To a ring-0 handler: GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP (and the
 * error code) on the TSS's ring-0 stack; the data segment registers are
 * left null. */
void x86_v86_deliver(struct x86_cpu *cpu, uint64_t g, uint64_t d, uint32_t ret_ip, unsigned flags,
		     uint32_t error)
{
	static const int pushed[] = {X86_GS, X86_FS, X86_DS, X86_ES, X86_SS};
	uint16_t sel = (uint16_t)(g >> 16), ss;
	unsigned size = (x86_desc_type(g) & 8) ? 4 : 2;
	uint32_t ext = (flags & X86_INT_SOFT) ? 0 : 1, esp, ip = (uint32_t)(g & 0xffff);
	struct x86_frame f = {.cpl = 0, .vector = X86_VEC_SS};

	if (x86_desc_dpl(d) != 0 || (x86_desc_type(d) & X86_SEG_CONFORM))
		cpu_raise(cpu, X86_VEC_GP, (sel & ~3u) | ext);
	if (size == 4)
		ip |= (uint32_t)(g >> 32) & 0xffff0000u;
	x86_tss_stack(cpu, 0, &ss, &esp);
	f.error = (ss & ~3u) | ext;
	x86_check_ss(cpu, ss, 0, X86_VEC_TS, &f.ss);
	f.sp = esp;
	for (unsigned i = 0; i < 5; i++)
		x86_frame_push(cpu, &f, size, cpu->seg[pushed[i]].sel);
	x86_frame_push(cpu, &f, size, cpu->regs[X86_ESP]);
	x86_frame_push(cpu, &f, size, x86_get_eflags(cpu));
	x86_frame_push(cpu, &f, size, cpu->seg[X86_CS].sel);
	x86_frame_push(cpu, &f, size, ret_ip);
	if (flags & X86_INT_ERROR)
		x86_frame_push(cpu, &f, size, error);
	x86_commit_cs(cpu, sel, d, 0, ip);
	x86_frame_commit(cpu, &f);
	for (unsigned i = 0; i < 4; i++) {
		cpu->seg[pushed[i]].sel = 0;
		cpu->seg[pushed[i]].deny = X86_DENY_READ | X86_DENY_WRITE;
		x86_seg_sync(&cpu->seg[pushed[i]]);
	}
	cpu->eflags &= ~(X86_TF | X86_NT | X86_VM | X86_RF);
	if (!(x86_desc_type(g) & 1))
		cpu->eflags &= ~X86_IF;
}
