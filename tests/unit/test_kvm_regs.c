/* The KVM engine's vcpu_get_state / vcpu_set_state (hv/kvm/kvm_regs.c): a
 * state set reads back through KVM_GET_REGS / KVM_GET_SREGS field by field
 * (the segment attribute bits packed to and from struct kvm_segment), in
 * 32-bit protected mode and in long mode. No guest runs, so this works
 * even where KVM cannot run guests (this project's PVM hosts); where
 * /dev/kvm cannot be opened at all, creating the VM must say so. The
 * nested-KVM harness reads a running guest's registers (`regs`). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hv/kvm/kvm.h"
#include "hv/core/le.h"
#include "hv/core/machine.h"
#include "unit.h"

static struct machine m;
static void *engine, *vcpu;

#define CODE32 (VCPU_SEG_GRAN | VCPU_SEG_DB | VCPU_SEG_PRESENT | VCPU_SEG_S | 0xb)
#define DATA32 (VCPU_SEG_GRAN | VCPU_SEG_DB | VCPU_SEG_PRESENT | VCPU_SEG_S | 0x3)
#define CODE64 (VCPU_SEG_GRAN | VCPU_SEG_LONG | VCPU_SEG_PRESENT | VCPU_SEG_S | 0xb)

static bool kvm_openable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* A VM and vCPU, or false where /dev/kvm cannot be opened (checked). */
static bool create(void)
{
	char err[200] = "";

	ck_assert_int_eq(machine_init(&m, 4u << 20, err, sizeof err), 0);
	if (engine_kvm.create(&m, &engine, err, sizeof err) < 0) {
		ck_assert_msg(!kvm_openable(), "create failed with /dev/kvm there: %s", err);
		ck_assert_msg(strstr(err, "/dev/kvm"), "err: %s", err);
		machine_destroy(&m);
		return false;
	}
	ck_assert_msg(engine_kvm.vcpu_create(engine, 0, &vcpu, err, sizeof err) == 0, "%s", err);
	engine_kvm.vcpu_reset(vcpu);
	return true;
}

static void destroy(void)
{
	engine_kvm.vcpu_destroy(vcpu);
	engine_kvm.destroy(engine);
	machine_destroy(&m);
}

static struct vcpu_segment segment(uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
	return (struct vcpu_segment){.selector = sel, .base = base, .limit = limit, .attr = attr};
}

static void round_trip(const struct vcpu_state *in)
{
	struct vcpu_state out;
	char err[200] = "";

	ck_assert_msg(engine_kvm.vcpu_set_state(vcpu, in, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(engine_kvm.vcpu_get_state(vcpu, &out, err, sizeof err) == 0, "%s", err);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(out.regs[i], in->regs[i]);
	ck_assert_uint_eq(out.rip, in->rip);
	ck_assert_uint_eq(out.rflags, in->rflags);
	for (int i = 0; i < VCPU_NSEG; i++) {
		const struct vcpu_segment *a = &out.seg[i], *b = &in->seg[i];
		ck_assert_msg(a->selector == b->selector && a->base == b->base &&
				  a->limit == b->limit && a->attr == b->attr,
			      "segment %d: %#x,%#llx,%#x,%#x read back as %#x,%#llx,%#x,%#x", i,
			      b->selector, (unsigned long long)b->base, b->limit, b->attr,
			      a->selector, (unsigned long long)a->base, a->limit, a->attr);
	}
	ck_assert_uint_eq(out.gdtr.base, in->gdtr.base);
	ck_assert_uint_eq(out.gdtr.limit, in->gdtr.limit);
	ck_assert_uint_eq(out.idtr.base, in->idtr.base);
	ck_assert_uint_eq(out.idtr.limit, in->idtr.limit);
	ck_assert_uint_eq(out.cr0, in->cr0);
	ck_assert_uint_eq(out.cr2, in->cr2);
	ck_assert_uint_eq(out.cr3, in->cr3);
	ck_assert_uint_eq(out.cr4, in->cr4);
	ck_assert_uint_eq(out.efer, in->efer);
	ck_assert_int_eq(out.halted, in->halted);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(out.dr[i], in->dr[i]);
	ck_assert_uint_eq(out.dr7, in->dr7);
	ck_assert_uint_eq(out.sysenter_cs, in->sysenter_cs);
	ck_assert_uint_eq(out.sysenter_esp, in->sysenter_esp);
	ck_assert_uint_eq(out.sysenter_eip, in->sysenter_eip);
	ck_assert_int_eq(out.irq_shadow, in->irq_shadow);
	ck_assert_int_eq(out.nmi_blocked, in->nmi_blocked);
	ck_assert_mem_eq(out.fx, in->fx, VCPU_FX_BYTES);
}

/* An x87 state as FXSAVE lays it out: control, status, abridged tag,
 * opcode, FIP/FCS, FDP/FDS, MXCSR's reset value, ST0-ST7 (80 bits each). */
static void x87_state(uint8_t fx[VCPU_FX_BYTES])
{
	memset(fx, 0, VCPU_FX_BYTES);
	le_put16(fx, 0x037a);
	le_put16(fx + 2, 0x3800 | 0x20);
	fx[4] = 0xc1;
	le_put16(fx + 6, 0x05d9);
	le_put32(fx + 8, 0x00401234);
	le_put16(fx + 12, 0x0008);
	le_put32(fx + 16, 0x00602000);
	le_put16(fx + 20, 0x0010);
	le_put32(fx + 24, 0x1f80);
	for (int i = 0; i < 8; i++) {
		le_put64(fx + 32 + 16 * i, 0x8000000000000000ull | (uint64_t)i << 40);
		le_put16(fx + 40 + 16 * i, (uint16_t)(0x3fff + i));
	}
}

/* Ring 0 flat 32-bit protected mode, with an LDT and a busy TSS. */
static struct vcpu_state protected_state(void)
{
	struct vcpu_state st = {0};

	for (int i = 0; i < 8; i++)
		st.regs[i] = 0x11111111u * (uint64_t)(i + 1);
	st.rip = 0x8000;
	st.rflags = 0x202;
	for (int i = 0; i < VCPU_LDTR; i++)
		st.seg[i] = segment(0x10, 0, 0xffffffffu, DATA32 | 0x1);
	st.seg[VCPU_CS] = segment(0x08, 0, 0xffffffffu, CODE32);
	st.seg[VCPU_FS] =
	    segment(0x18, 0x20000, 0xfff, VCPU_SEG_DB | VCPU_SEG_PRESENT | VCPU_SEG_S | 0x3);
	st.seg[VCPU_LDTR] = segment(0x20, 0x4000, 0x27, VCPU_SEG_PRESENT | 0x2);
	st.seg[VCPU_TR] = segment(0x28, 0x3000, 0x67, VCPU_SEG_PRESENT | 0xb);
	st.gdtr = (struct vcpu_dtable){0x1000, 0x2f};
	st.idtr = (struct vcpu_dtable){0x2000, 0x7ff};
	st.cr0 = 0x11; /* PE, ET */
	st.cr2 = 0xdead000;
	st.halted = true;
	st.dr[0] = 0x401000;
	st.dr[3] = 0xc0001000;
	st.dr7 = 0x00000403; /* L0, L1... enabled, as a debugger leaves it */
	st.sysenter_cs = 0x60;
	st.sysenter_esp = 0xc1234000;
	st.sysenter_eip = 0xc1001230;
	st.irq_shadow = true;
	st.nmi_blocked = true;
	x87_state(st.fx);
	return st;
}

START_TEST(test_protected_mode_state_reads_back)
{
	struct vcpu_state st;

	if (!create())
		return;
	st = protected_state();
	round_trip(&st);
	destroy();
}
END_TEST

/* 64-bit mode: long-mode code segment, paging with PAE, EFER.LME|LMA,
 * R8-R15 and addresses above 4 GiB. */
START_TEST(test_long_mode_state_reads_back)
{
	struct vcpu_state st;

	if (!create())
		return;
	st = protected_state();
	for (int i = 0; i < 16; i++)
		st.regs[i] = 0x0123456789abcdefull + (uint64_t)i;
	st.rip = 0xffffffff81000000ull;
	st.seg[VCPU_CS] = segment(0x10, 0, 0xffffffffu, CODE64);
	st.seg[VCPU_GS].base = 0xffff888000001000ull;
	st.gdtr.base = 0xfffffe0000001000ull;
	st.cr0 = 0x80050033; /* PG, AM, WP, NE, ET, MP, PE */
	st.cr3 = 0x1000;
	st.cr4 = 0x20;	 /* PAE */
	st.efer = 0x500; /* LME, LMA */
	st.halted = false;
	round_trip(&st);
	destroy();
}
END_TEST

/* The conversion alone: FXSAVE bytes to KVM's image and back are equal,
 * and a state without MXCSR (the soft CPU's before it stored one) gets
 * the reset value KVM_SET_FPU takes. */
START_TEST(test_fx_converts_both_ways)
{
	uint8_t fx[VCPU_FX_BYTES], back[VCPU_FX_BYTES];
	struct kvm_fpu f;

	x87_state(fx);
	kvm_fx_to_fpu(fx, &f);
	ck_assert_uint_eq(f.fcw, 0x037a);
	ck_assert_uint_eq(f.ftwx, 0xc1);
	ck_assert_uint_eq(f.last_ip, 0x0008ull << 32 | 0x00401234);
	ck_assert_uint_eq(f.fpr[7][9], 0x40);
	kvm_fpu_to_fx(&f, back);
	ck_assert_mem_eq(back, fx, sizeof fx);
	le_put32(fx + 24, 0);
	kvm_fx_to_fpu(fx, &f);
	ck_assert_uint_eq(f.mxcsr, 0x1f80);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kvm_regs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fx_converts_both_ways);
	tcase_add_test(tc, test_protected_mode_state_reads_back);
	tcase_add_test(tc, test_long_mode_state_reads_back);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
