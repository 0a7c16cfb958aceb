/* The fault path and interrupt delivery. An instruction that faults calls
 * cpu_raise, which unwinds to the run loop; the loop restarts the faulting
 * instruction's EIP and delivers the exception like any other interrupt. */
#include "hv/x86/cpu_state.h"

/* Vectors that push an error code in protected mode. */
static bool has_error_code(int vector)
{
	return vector == X86_VEC_DF || (vector >= 10 && vector <= 14) || vector == 17;
}

/* Records the exception and unwinds to the run loop. */
_Noreturn void cpu_raise(struct x86_cpu *cpu, int vector, uint32_t error)
{
	cpu->exc_vector = vector;
	cpu->exc_error = error;
	cpu->exc_has_error = has_error_code(vector);
	longjmp(cpu->fault_jmp, 1);
}

/* Real mode: push FLAGS, CS, IP and jump through the IVT entry. */
static void deliver_real(struct x86_cpu *cpu, int vector, uint32_t ret_ip)
{
	uint32_t entry = (uint32_t)vector * 4;
	uint32_t target;

	if (entry + 3 > cpu->idtr.limit)
		cpu_raise(cpu, X86_VEC_GP, entry | 2);
	target = x86_phys_read(cpu, cpu->idtr.base + entry, 4);
	x86_push(cpu, 2, x86_get_eflags(cpu));
	x86_push(cpu, 2, cpu->seg[X86_CS].sel);
	x86_push(cpu, 2, ret_ip);
	cpu->eflags &= ~(X86_IF | X86_TF | X86_AC | X86_RF);
	x86_far_jump(cpu, target >> 16, target & 0xffff, 2);
}

/* Delivers a hardware interrupt `vector`; `ret_ip` is what IRET returns to. */
void x86_deliver(struct x86_cpu *cpu, int vector, uint32_t ret_ip)
{
	x86_deliver_ex(cpu, vector, ret_ip, X86_INT_EXT, 0);
}

/* Delivers `vector` as flags say: software, with an error code, external. */
void x86_deliver_ex(struct x86_cpu *cpu, int vector, uint32_t ret_ip, unsigned flags,
		    uint32_t error)
{
	if (cpu->cr[0] & X86_CR0_PE) {
		x86_deliver_protected(cpu, vector, ret_ip, flags, error);
		return;
	}
	deliver_real(cpu, vector, ret_ip);
}
