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

x86_jit_code x86f_translate(const struct x86_block *b, unsigned *native, unsigned *mem,
			    struct x86_jit_links *l)
{
	struct x86_jit_links own;
	struct x86_jit_area area;

	if (!l)
		l = &own;
	ck_assert_ptr_nonnull(cpu->jit);
	ck_assert(x86_jit_buf_room(&cpu->jit->buf, &area));
	ck_assert_uint_gt(x86_jit_emit_linked(b, NULL, &area, native, mem, l), 0);
	x86_jit_buf_take(&cpu->jit->buf, l->hot_end, l->cold_end);
	return (x86_jit_code)(uintptr_t)x86_jit_buf_rx(&cpu->jit->buf, l->code);
}
