/* The software CPU's decoder and executor: the input is code, run from
 * 0000:1000 in real mode on a machine of 1 MiB of RAM with nothing on its
 * buses, for a bounded number of instructions, interpreted or through the
 * JIT. Whatever mode, paging or fault it gets itself into, it must return. */
#include "fuzz.h"
#include "hv/core/machine.h"
#include "hv/x86/cpu.h"
#include "hv/x86/cpu_state.h"

#define RAM	 (1u << 20)
#define CODE_AT	 0x1000u
#define CODE_MAX 4096u
#define BUDGET	 2000u

static struct machine m;
static struct x86_cpu *cpu;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc, (void)argv;
	if (machine_init(&m, RAM, err, sizeof err) < 0 || !(cpu = x86_cpu_create(&m)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > CODE_MAX)
		size = CODE_MAX;
	memset(m.mem.ram, 0, RAM);
	memcpy(m.mem.ram + CODE_AT, data, size);
	x86_cpu_reset(cpu);
	/* Odd-sized inputs run every block translated on its first run
	 * (hv/x86/jit.c), even-sized ones interpreted. */
	if (cpu->jit)
		cpu->jit->threshold = (size & 1) ? 1 : UINT32_MAX;
	x86_cpu_set_ip(cpu, 0, CODE_AT);
	cpu->regs[X86_ESP] = 0x7000;
	for (int slice = 0; slice < 4; slice++) {
		enum vcpu_exit e = x86_cpu_run(cpu, BUDGET / 4);
		if (e == VCPU_EXIT_RESET || e == VCPU_EXIT_ERROR)
			break;
	}
	return 0;
}
