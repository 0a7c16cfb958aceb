#include "x86_fixture.h"

#include <check.h>

struct machine m;
struct x86_cpu *cpu;

void x86f_setup(size_t ram)
{
	char err[256];

	ck_assert_int_eq(machine_init(&m, ram, err, sizeof err), 0);
	cpu = x86_cpu_create(&m);
	ck_assert_ptr_nonnull(cpu);
}

void x86f_teardown(void)
{
	x86_cpu_destroy(cpu);
	machine_destroy(&m);
}

void x86f_load(const uint8_t *code, size_t len, uint32_t at)
{
	mem_write(&m.mem, at, code, len);
}

enum vcpu_exit x86f_run_real(uint32_t ip, uint64_t budget)
{
	x86_cpu_set_ip(cpu, 0, ip);
	cpu->regs[X86_ESP] = 0x7000;
	return x86_cpu_run(cpu, budget);
}
