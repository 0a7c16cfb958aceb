/* The soft engine's vcpu_get_state / vcpu_set_state (hv/x86/state.c)
 * through the engine interface: a state set reads back field by field,
 * the CPU then runs from it (registers, RIP, segment bases and limits as
 * set), a running CPU's registers read back, and what a 32-bit CPU cannot
 * hold is refused. Code is 32-bit (bytes from nasm, bits 32) at 8000h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/vcpu_save.h"
#include "unit.h"
#include "x86_fixture.h"

#define CODE	      0x8000u
#define DATA_BASE     0x20000u
#define FLAT_CODE     (VCPU_SEG_GRAN | VCPU_SEG_DB | VCPU_SEG_PRESENT | VCPU_SEG_S | 0xb)
#define PVCLOCK_BYTES 24 /* what version 3 added: three 64-bit values */
/* what versions 4 to 6 added for a CPU without APICs nor MSRs: the
 * APICs' flag, the XMM registers, the MSRs' flag and the PV EOI MSR */
#define NO_APIC_BYTES (1 + VCPU_XMM_BYTES + 1 + 8)
#define FLAT_DATA     (VCPU_SEG_GRAN | VCPU_SEG_DB | VCPU_SEG_PRESENT | VCPU_SEG_S | 0x3)

static void setup(void)
{
	x86f_setup(1u << 20);
}

static struct vcpu_segment segment(uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
	return (struct vcpu_segment){.selector = sel, .base = base, .limit = limit, .attr = attr};
}

/* Ring 0 flat protected mode, DS a small data segment at DATA_BASE. */
static struct vcpu_state protected_state(void)
{
	struct vcpu_state st = {0};

	st.regs[0] = 40;	  /* EAX */
	st.regs[3] = 2;		  /* EBX */
	st.regs[4] = 0x7000;	  /* ESP */
	st.regs[6] = 0x12345678u; /* ESI */
	st.rip = CODE;
	st.rflags = 0x2;
	for (int i = 0; i < VCPU_LDTR; i++)
		st.seg[i] = segment(0x10, 0, 0xffffffffu, FLAT_DATA);
	st.seg[VCPU_CS] = segment(0x08, 0, 0xffffffffu, FLAT_CODE);
	st.seg[VCPU_DS] =
	    segment(0x18, DATA_BASE, 0xfff, VCPU_SEG_DB | VCPU_SEG_PRESENT | VCPU_SEG_S | 0x3);
	st.seg[VCPU_LDTR] = segment(0, 0, 0xffff, VCPU_SEG_PRESENT | 0x2);
	st.seg[VCPU_TR] = segment(0x28, 0x3000, 0x67, VCPU_SEG_PRESENT | 0xb);
	st.gdtr = (struct vcpu_dtable){0x1000, 0x2f};
	st.idtr = (struct vcpu_dtable){0x2000, 0x7ff};
	st.cr0 = 0x11; /* PE, ET */
	st.cr2 = 0xdead000;
	st.dr7 = 0x400;
	return st;
}

static void set_ok(const struct vcpu_state *st)
{
	char err[160] = "";

	ck_assert_msg(engine_soft.vcpu_set_state(cpu, st, err, sizeof err) == 0, "%s", err);
}

static struct vcpu_state get(void)
{
	struct vcpu_state st;
	char err[160] = "";

	ck_assert_msg(engine_soft.vcpu_get_state(cpu, &st, err, sizeof err) == 0, "%s", err);
	return st;
}

static void assert_seg_eq(const struct vcpu_segment *a, const struct vcpu_segment *b, int i)
{
	ck_assert_msg(a->selector == b->selector && a->base == b->base && a->limit == b->limit &&
			  (a->attr & 0xf0ffu) == (b->attr & 0xf0ffu),
		      "segment %d: %#x,%#llx,%#x,%#x vs %#x,%#llx,%#x,%#x", i, a->selector,
		      (unsigned long long)a->base, a->limit, a->attr, b->selector,
		      (unsigned long long)b->base, b->limit, b->attr);
}

START_TEST(test_state_set_reads_back_field_by_field)
{
	struct vcpu_state in = protected_state(), out;

	in.seg[VCPU_DS].attr |= 0x1; /* accessed: kept as given */
	set_ok(&in);
	out = get();
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(out.regs[i], in.regs[i]);
	ck_assert_uint_eq(out.rip, CODE);
	ck_assert_uint_eq(out.rflags, 0x2);
	for (int i = 0; i < VCPU_NSEG; i++)
		assert_seg_eq(&out.seg[i], &in.seg[i], i);
	ck_assert_uint_eq(out.gdtr.base, 0x1000);
	ck_assert_uint_eq(out.gdtr.limit, 0x2f);
	ck_assert_uint_eq(out.idtr.base, 0x2000);
	ck_assert_uint_eq(out.idtr.limit, 0x7ff);
	ck_assert_uint_eq(out.cr0, 0x11);
	ck_assert_uint_eq(out.cr2, 0xdead000);
	ck_assert_uint_eq(out.dr7, 0x400);
	ck_assert_uint_eq(out.efer, 0);
	ck_assert(!out.halted);
}
END_TEST

/* add eax, ebx / mov ecx, [0x10] / hlt */
static const uint8_t add_load_hlt[] = {0x01, 0xd8, 0x8b, 0x0d, 0x10, 0x00, 0x00, 0x00, 0xf4};

START_TEST(test_cpu_runs_from_the_state_set)
{
	struct vcpu_state st = protected_state();

	x86f_load(add_load_hlt, sizeof add_load_hlt, CODE);
	put32(DATA_BASE + 0x10, 0xcafef00d);
	put32(0x10, 0x11111111); /* what a flat DS would have read */
	st.rflags = 0x2 | 0x41;	 /* CF, ZF: the ADD must clear them */
	set_ok(&st);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 100), VCPU_EXIT_HALT);
	st = get();
	ck_assert_uint_eq(st.regs[0], 42);
	ck_assert_uint_eq(st.regs[1], 0xcafef00d); /* through DS's base */
	ck_assert_uint_eq(st.regs[6], 0x12345678u);
	ck_assert_uint_eq(st.rip, CODE + sizeof add_load_hlt);
	ck_assert_uint_eq(st.rflags & 0x8d5, 0); /* 40 + 2: no carry, odd parity */
	ck_assert(st.halted);
}
END_TEST

/* mov ecx, [0x1000]: one past DS's limit as set */
static const uint8_t load_past_limit[] = {0x8b, 0x0d, 0x00, 0x10, 0x00, 0x00, 0xf4};

START_TEST(test_segment_limit_set_is_enforced)
{
	struct vcpu_state st = protected_state();

	st.idtr.limit = 0; /* #GP with no IDT: a triple fault */
	x86f_load(load_past_limit, sizeof load_past_limit, CODE);
	set_ok(&st);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 100), VCPU_EXIT_RESET);
}
END_TEST

START_TEST(test_real_mode_state_uses_its_segment_bases)
{
	struct vcpu_state st = {0};
	/* bits 16: mov ax, [2] / hlt */
	static const uint8_t code[] = {0xa1, 0x02, 0x00, 0xf4};

	for (int i = 0; i < VCPU_LDTR; i++)
		st.seg[i] = segment(0x300, 0x3000, 0xffff, VCPU_SEG_PRESENT | VCPU_SEG_S | 0x3);
	st.seg[VCPU_CS] = segment(0x100, 0x1000, 0xffff, VCPU_SEG_PRESENT | VCPU_SEG_S | 0xb);
	st.seg[VCPU_TR] = segment(0, 0, 0xffff, VCPU_SEG_PRESENT | 0xb);
	st.rip = 0x20;
	st.rflags = 0x2;
	st.cr0 = 0x10;
	x86f_load(code, sizeof code, 0x1020);
	put16(0x3002, 0xbeef);
	set_ok(&st);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 100), VCPU_EXIT_HALT);
	st = get();
	ck_assert_uint_eq(st.regs[0] & 0xffff, 0xbeef);
	ck_assert_uint_eq(st.rip, 0x24);
	ck_assert_uint_eq(st.seg[VCPU_CS].base, 0x1000);
}
END_TEST

START_TEST(test_null_data_segment_reads_back_unusable)
{
	struct vcpu_state st = protected_state();

	st.seg[VCPU_ES] = segment(0, 0, 0, 0);
	set_ok(&st);
	st = get();
	ck_assert_uint_eq(st.seg[VCPU_ES].attr & VCPU_SEG_UNUSABLE, VCPU_SEG_UNUSABLE);
	ck_assert_uint_eq(st.seg[VCPU_DS].attr & VCPU_SEG_UNUSABLE, 0);
	ck_assert_uint_eq(st.seg[VCPU_CS].attr & VCPU_SEG_UNUSABLE, 0);
}
END_TEST

START_TEST(test_expand_down_limit_reads_back_as_set)
{
	struct vcpu_state st = protected_state();

	st.seg[VCPU_SS] = segment(0x20, 0, 0xfff, VCPU_SEG_PRESENT | VCPU_SEG_S | 0x7);
	set_ok(&st);
	st = get();
	ck_assert_uint_eq(st.seg[VCPU_SS].limit, 0xfff);
	ck_assert_uint_eq(st.seg[VCPU_SS].attr & 0xf0ff, VCPU_SEG_PRESENT | VCPU_SEG_S | 0x7);
}
END_TEST

/* inc eax / jmp short -3: runs until its budget */
static const uint8_t count_loop[] = {0x40, 0xeb, 0xfd};

START_TEST(test_state_of_a_stopped_slice_is_where_it_stopped)
{
	struct vcpu_state st = protected_state();

	st.regs[0] = 0;
	x86f_load(count_loop, sizeof count_loop, CODE);
	set_ok(&st);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 1001), VCPU_EXIT_BUDGET);
	st = get();
	ck_assert_uint_eq(st.regs[0], 501); /* inc, jmp, inc, ... */
	ck_assert_uint_eq(st.rip, CODE + 1);
	st.regs[0] = 1000; /* and a write takes effect */
	set_ok(&st);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 1), VCPU_EXIT_BUDGET); /* the jmp */
	ck_assert_uint_eq(get().regs[0], 1000);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 1), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(get().regs[0], 1001);
}
END_TEST

START_TEST(test_states_a_32_bit_cpu_cannot_hold_are_refused)
{
	struct vcpu_state before, st;
	char err[160];

	st = protected_state();
	set_ok(&st);
	before = get();
	st.efer = 0x500; /* LME, LMA */
	ck_assert_int_eq(engine_soft.vcpu_set_state(cpu, &st, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "long mode"));
	st = protected_state();
	st.regs[9] = 1; /* R9 */
	ck_assert_int_eq(engine_soft.vcpu_set_state(cpu, &st, err, sizeof err), -1);
	st = protected_state();
	st.rip = 0x100000000ull;
	ck_assert_int_eq(engine_soft.vcpu_set_state(cpu, &st, err, sizeof err), -1);
	st = protected_state();
	st.seg[VCPU_CS].attr |= VCPU_SEG_LONG;
	ck_assert_int_eq(engine_soft.vcpu_set_state(cpu, &st, err, sizeof err), -1);
	st = get(); /* nothing of a refused state was taken */
	ck_assert_mem_eq(&st, &before, sizeof st);
}
END_TEST

/* What save/restore adds: DR0-3, the SYSENTER MSRs, the interrupt
 * shadow and the x87 registers read back as set, and survive the save
 * file's encoding (hv/core/vcpu_save.h), which refuses short or padded
 * bytes. */
START_TEST(test_x87_and_extras_survive_a_save_round_trip)
{
	struct vcpu_state st = protected_state(), back, decoded;
	struct state_out o = {0};
	struct state_in in;

	st.dr[0] = 0x1234;
	st.dr[3] = 0xfffff000u;
	st.sysenter_cs = 0x60;
	st.sysenter_eip = 0xc0100000u;
	st.irq_shadow = true;
	st.fx[0] = 0x7f; /* FCW 037Fh */
	st.fx[1] = 0x03;
	st.fx[3] = 7 << 3;    /* TOP 7 */
	st.fx[4] = 0x80;      /* R7 not empty */
	st.fx[32 + 7] = 0x80; /* ST0 = 1.0: mantissa 8000...0, exponent 3FFFh */
	st.fx[40] = 0xff;
	st.fx[41] = 0x3f;
	set_ok(&st);
	back = get();
	ck_assert_mem_eq(back.fx, st.fx, 8);
	ck_assert_mem_eq(back.fx + 32, st.fx + 32, 16);
	ck_assert_uint_eq(back.dr[0], 0x1234);
	ck_assert_uint_eq(back.dr[3], 0xfffff000u);
	ck_assert_uint_eq(back.sysenter_cs, 0x60);
	ck_assert_uint_eq(back.sysenter_eip, 0xc0100000u);
	ck_assert(back.irq_shadow);
	vcpu_state_put(&o, &back);
	ck_assert(!o.failed);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &decoded), 0);
	ck_assert_mem_eq(decoded.regs, back.regs, sizeof back.regs);
	ck_assert_mem_eq(decoded.seg, back.seg, sizeof back.seg);
	ck_assert_mem_eq(decoded.fx, back.fx, sizeof back.fx);
	ck_assert_uint_eq(decoded.rip, back.rip);
	ck_assert_uint_eq(decoded.cr0, back.cr0);
	ck_assert_uint_eq(decoded.idtr.limit, back.idtr.limit);
	ck_assert(decoded.irq_shadow && !decoded.halted);
	in = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &decoded), -1);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION + 1, &decoded), -1);
	state_out_free(&o);
}
END_TEST

/* An NMI handler at 0000:0500 (inc bx; nop; nop; iret), vector 2 of the
 * real-mode IVT; the interrupted code at 7C00h is four NOPs and HLT. */
static void load_nmi_handler(void)
{
	static const uint8_t handler[] = {0x43, 0x90, 0x90, 0xcf};
	static const uint8_t main_code[] = {0x90, 0x90, 0x90, 0x90, 0xf4};

	x86f_load(handler, sizeof handler, 0x500);
	x86f_load(main_code, sizeof main_code, 0x7c00);
	put16(2 * 4, 0x500);
	put16(2 * 4 + 2, 0);
}

static void raise_nmi(void)
{
	atomic_store(&m.nmi, true);
	cpu->check_intr = true;
}

/* A reset clears the x87 data registers to +0.0 (SDM vol. 3, table 9-1),
 * where FNINIT leaves them: FNSAVE after a reboot must not show what the
 * last boot left in them. */
START_TEST(test_reset_clears_the_x87_registers)
{
	struct vcpu_state st = protected_state(), back;
	static const uint8_t zero[128];

	st.fx[3] = 7 << 3;    /* TOP 7 */
	st.fx[4] = 0x80;      /* R7 not empty */
	st.fx[32 + 7] = 0x80; /* ST0 = 1.0 */
	st.fx[40] = 0xff;
	st.fx[41] = 0x3f;
	set_ok(&st);
	engine_soft.vcpu_reset(cpu);
	back = get();
	ck_assert_uint_eq(back.fx[0] | back.fx[1] << 8, 0x037f);
	ck_assert_uint_eq(back.fx[4], 0); /* all empty */
	ck_assert_mem_eq(back.fx + 32, zero, sizeof zero);
}
END_TEST

/* A CPU stopped in an NMI handler, saved, reset and restored (RAM kept,
 * as a restore brings it back), then an NMI raised: the state as the
 * save file's encoding of that version gives it back. */
static struct vcpu_state state_in_nmi_handler(uint32_t version)
{
	struct vcpu_state st, decoded;
	struct state_out o = {0};
	struct state_in in;

	load_nmi_handler();
	raise_nmi();
	x86f_run_real(0x7c00, 2); /* the NMI, then inc bx and a nop */
	st = get();
	ck_assert_uint_eq(st.rip, 0x502);
	ck_assert_uint_eq(st.regs[3] & 0xffff, 1);
	ck_assert(st.nmi_blocked);
	vcpu_state_put(&o, &st);
	ck_assert(!o.failed);
	/* A version 1 file had no flag, version 2 no paravirtual clock:
	 * their bytes end before them. */
	in = state_in_make(o.p, version == 1   ? o.len - NO_APIC_BYTES - PVCLOCK_BYTES - 1
				: version == 2 ? o.len - NO_APIC_BYTES - PVCLOCK_BYTES
				: version == 3 ? o.len - NO_APIC_BYTES
					       : o.len);
	ck_assert_int_eq(vcpu_state_get(&in, version, &decoded), 0);
	state_out_free(&o);
	engine_soft.vcpu_reset(cpu); /* RAM, with the handler's IRET frame, stays */
	ck_assert(!get().nmi_blocked);
	set_ok(&decoded);
	raise_nmi();
	return decoded;
}

/* The NMI blocking of a handler that has not reached its IRET survives a
 * save and restore: the next NMI waits for the IRET, then is taken. */
START_TEST(test_nmi_blocking_survives_a_save_round_trip)
{
	struct vcpu_state st = state_in_nmi_handler(VCPU_SAVE_VERSION);

	ck_assert(st.nmi_blocked);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 1), VCPU_EXIT_BUDGET);
	st = get();
	ck_assert_uint_eq(st.rip, 0x503); /* the handler's next NOP, no new NMI */
	ck_assert_uint_eq(st.regs[3] & 0xffff, 1);
	ck_assert(st.nmi_blocked);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 100), VCPU_EXIT_HALT);
	st = get();
	ck_assert_uint_eq(st.regs[3] & 0xffff, 2); /* taken after the IRET */
	ck_assert_uint_eq(st.rip, 0x7c05);
	ck_assert(!st.nmi_blocked && !atomic_load(&m.nmi));
}
END_TEST

/* A version 1 CPU state (before the flag) still loads, unblocked: the
 * raised NMI nests into the handler at once, as such a file always
 * restored. Other versions, and bytes of one version read as another,
 * are refused. */
START_TEST(test_version_1_cpu_state_loads_without_nmi_blocking)
{
	struct vcpu_state st = state_in_nmi_handler(1), decoded;
	struct state_out o = {0};
	struct state_in in;

	ck_assert(!st.nmi_blocked);
	ck_assert_int_eq(engine_soft.vcpu_run(cpu, 1), VCPU_EXIT_BUDGET);
	st = get();
	ck_assert_uint_eq(st.regs[3] & 0xffff, 2); /* the handler again: nested */
	ck_assert(st.nmi_blocked);
	vcpu_state_put(&o, &st);
	in = state_in_make(o.p, o.len - NO_APIC_BYTES - PVCLOCK_BYTES);
	ck_assert_int_eq(vcpu_state_get(&in, 1, &decoded), -1); /* one byte long */
	in = state_in_make(o.p, o.len - NO_APIC_BYTES - PVCLOCK_BYTES - 1);
	ck_assert_int_eq(vcpu_state_get(&in, 2, &decoded), -1); /* one byte short */
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION + 1, &decoded), -1);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, 0, &decoded), -1);
	state_out_free(&o);
}
END_TEST

/* Version 3 added kvm-clock's MSRs and reading after the NMI blocking:
 * a version 2 section (the same bytes without them) still loads, with
 * them 0, and each version's bytes read as the other are refused. */
START_TEST(test_version_2_cpu_state_loads_without_the_paravirtual_clock)
{
	struct vcpu_state st = protected_state(), decoded;
	struct state_out o = {0};
	struct state_in in;

	st.nmi_blocked = true;
	st.pvclock_system_time = 0x2f7f001;
	st.pvclock_wall_clock = 0x1a2b000;
	st.pvclock_ns = 123456789012ull;
	vcpu_state_put(&o, &st);
	ck_assert(!o.failed);
	o.len -= NO_APIC_BYTES; /* as version 3 wrote it */
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, 3, &decoded), 0);
	ck_assert_uint_eq(decoded.pvclock_system_time, 0x2f7f001);
	ck_assert_uint_eq(decoded.pvclock_wall_clock, 0x1a2b000);
	ck_assert_uint_eq(decoded.pvclock_ns, 123456789012ull);
	ck_assert(decoded.nmi_blocked);
	in = state_in_make(o.p, o.len - PVCLOCK_BYTES); /* as version 2 wrote it */
	ck_assert_int_eq(vcpu_state_get(&in, 2, &decoded), 0);
	ck_assert(decoded.nmi_blocked);
	ck_assert_uint_eq(decoded.pvclock_system_time, 0);
	ck_assert_uint_eq(decoded.pvclock_wall_clock, 0);
	ck_assert_uint_eq(decoded.pvclock_ns, 0);
	ck_assert_uint_eq(decoded.rip, st.rip);
	in = state_in_make(o.p, o.len - PVCLOCK_BYTES);
	ck_assert_int_eq(vcpu_state_get(&in, 3, &decoded), -1); /* short for 3 */
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, 2, &decoded), -1); /* long for 2 */
	in = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(vcpu_state_get(&in, 3, &decoded), -1);
	state_out_free(&o);
}
END_TEST

/* The soft engine has no paravirtual clock: a state whose guest uses
 * kvm-clock (a KVM engine's save) is refused with the reason, one whose
 * guest had it off loads. */
START_TEST(test_soft_engine_refuses_a_guest_on_kvm_clock)
{
	struct vcpu_state st = protected_state();
	char err[200] = "";

	st.pvclock_system_time = 0x2f7f001;
	st.pvclock_ns = 5000000000ull;
	ck_assert_int_eq(engine_soft.vcpu_set_state(cpu, &st, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "kvm-clock"), "err: %s", err);
	st.pvclock_system_time = 0x2f7f000; /* written, then turned off */
	set_ok(&st);
	st = get();
	ck_assert_uint_eq(st.pvclock_system_time, 0);
	ck_assert_uint_eq(st.pvclock_ns, 0);
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("x86_state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_state_set_reads_back_field_by_field);
	tcase_add_test(tc, test_cpu_runs_from_the_state_set);
	tcase_add_test(tc, test_segment_limit_set_is_enforced);
	tcase_add_test(tc, test_real_mode_state_uses_its_segment_bases);
	tcase_add_test(tc, test_null_data_segment_reads_back_unusable);
	tcase_add_test(tc, test_expand_down_limit_reads_back_as_set);
	tcase_add_test(tc, test_state_of_a_stopped_slice_is_where_it_stopped);
	tcase_add_test(tc, test_states_a_32_bit_cpu_cannot_hold_are_refused);
	tcase_add_test(tc, test_x87_and_extras_survive_a_save_round_trip);
	tcase_add_test(tc, test_reset_clears_the_x87_registers);
	tcase_add_test(tc, test_nmi_blocking_survives_a_save_round_trip);
	tcase_add_test(tc, test_version_1_cpu_state_loads_without_nmi_blocking);
	tcase_add_test(tc, test_version_2_cpu_state_loads_without_the_paravirtual_clock);
	tcase_add_test(tc, test_soft_engine_refuses_a_guest_on_kvm_clock);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
