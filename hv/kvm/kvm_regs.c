/* vCPU register states the engine interface asks for: the power-on state
 * (real mode at F000:FFF0 with CS based at FFFF0000h, as on a PC), a boot
 * loader's 32-bit protected-mode hand-over, and the engine-neutral
 * struct vcpu_state read and written. */
#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"
#include "hv/core/log.h"
#include "hv/core/machine.h"

#define CR0_RESET      0x60000010u /* CD, NW, ET */
#define CR0_PE	       0x1u
#define FLAGS_RESERVED 0x2u
#define TSS_BUSY       0x2u	 /* in a TSS descriptor's type */
#define CPUID_SVM      (1u << 2) /* CPUID 8000_0001h ECX */

/* A segment as the descriptor caches hold it. type is the 4-bit type
 * field; s says code/data rather than system. */
static struct kvm_segment seg(uint16_t selector, uint64_t base, uint32_t limit, uint8_t type,
			      bool s)
{
	struct kvm_segment g = {0};

	g.selector = selector;
	g.base = base;
	g.limit = limit;
	g.type = type;
	g.s = s;
	g.present = 1;
	return g;
}

/* A flat 4 GiB segment with 4 KiB granularity and 32-bit default size. */
static struct kvm_segment flat(uint16_t selector, uint8_t type)
{
	struct kvm_segment g = seg(selector, 0, 0xffffffff, type, true);

	g.db = 1;
	g.g = 1;
	return g;
}

/* HLT: with the in-kernel irqchip KVM waits in KVM_RUN and keeps it as
 * the vCPU's MP state; otherwise HLT exits and v->halted holds it. */
static bool get_halted(struct kvm_vcpu *v)
{
	struct kvm_mp_state mp;

	if (!v->vm->irqchip)
		return v->halted;
	return ioctl(v->fd, KVM_GET_MP_STATE, &mp) == 0 && mp.mp_state == KVM_MP_STATE_HALTED;
}

static int set_halted(struct kvm_vcpu *v, bool halted)
{
	struct kvm_mp_state mp = {halted ? KVM_MP_STATE_HALTED : KVM_MP_STATE_RUNNABLE};

	v->halted = halted;
	return v->vm->irqchip ? ioctl(v->fd, KVM_SET_MP_STATE, &mp) : 0;
}

static int put(struct kvm_vcpu *v, struct kvm_sregs *s, struct kvm_regs *r)
{
	struct kvm_vcpu_events ev;

	if (ioctl(v->fd, KVM_SET_SREGS, s) < 0 || ioctl(v->fd, KVM_SET_REGS, r) < 0) {
		log_error("kvm: cannot set the vCPU registers");
		return -1;
	}
	/* Nothing half-delivered survives a reset, nor a HLT. */
	memset(&ev, 0, sizeof ev);
	ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev);
	set_halted(v, false);
	v->ready_stale = true;
	v->run->request_interrupt_window = 0;
	return 0;
}

int kvm_vcpu_set_reset_state(struct kvm_vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_regs r = {0};
	int rc;

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cs = seg(0xf000, 0xffff0000, 0xffff, 0xb, true);
	s.ds = s.es = s.fs = s.gs = s.ss = seg(0, 0, 0xffff, 0x3, true);
	s.ldt = seg(0, 0, 0xffff, 0x2, false);
	s.tr = seg(0, 0, 0xffff, 0xb, false);
	s.gdt.base = s.idt.base = 0;
	s.gdt.limit = s.idt.limit = 0xffff;
	s.cr0 = CR0_RESET;
	s.cr2 = s.cr3 = s.cr4 = 0;
	s.efer = 0;
	/* Without KVM's APICs (vm->apic) the PC has none: hv's 8259 is the
	 * interrupt controller, but KVM turns the APIC base MSR's enable bit
	 * on at vCPU reset even without an in-kernel APIC, and its CPUID's
	 * APIC bit follows that MSR: a guest then drives an APIC that is not
	 * there (every access an MMIO exit; Linux's clearing of pending APIC
	 * interrupts made tens of thousands of them while booting). Disabled,
	 * CPUID says no APIC. With them, the reset value (enabled, the BSP). */
	s.apic_base = kvm_apic_base(v, &(struct vcpu_state){0});
	memset(s.interrupt_bitmap, 0, sizeof s.interrupt_bitmap);
	r.rip = 0xfff0;
	r.rflags = FLAGS_RESERVED;
	r.rdx = 0x600; /* the CPU signature a reset leaves in DX */
	if (put(v, &s, &r) < 0 || kvm_apic_reset(v) < 0) /* the APICs after the base MSR */
		return -1;
	rc = kvm_pveoi_reset(v);
	return kvm_clock_reset(v) < 0 ? -1 : rc; /* both, whatever the first did */
}

/* The boot32 hand-over: the Linux 32-bit boot protocol's entry state. */
void kvm_vcpu_set_boot32(struct kvm_vcpu *v, const struct vcpu_boot32 *b)
{
	struct kvm_sregs s;
	struct kvm_regs r = {0};

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		log_error("kvm: cannot read the vCPU registers");
		return;
	}
	s.cs = flat(b->cs, 0xb);
	s.ds = s.es = s.fs = s.gs = s.ss = flat(b->ds, 0x3);
	s.gdt.base = b->gdt_base;
	s.gdt.limit = b->gdt_limit;
	s.cr0 = (CR0_RESET & ~0x60000000u) | CR0_PE;
	r.rip = b->eip;
	r.rsi = b->esi;
	r.rflags = FLAGS_RESERVED;
	put(v, &s, &r);
}

/* struct kvm_segment and vcpu_segment carry the same fields; only the
 * attribute bits are packed differently. */
static void seg_out(const struct kvm_segment *k, struct vcpu_segment *g)
{
	g->base = k->base;
	g->limit = k->limit;
	g->selector = k->selector;
	g->attr = (k->type & 0xfu) | (k->s ? VCPU_SEG_S : 0) | (uint32_t)(k->dpl & 3) << 5 |
		  (k->present ? VCPU_SEG_PRESENT : 0) | (k->avl ? VCPU_SEG_AVL : 0) |
		  (k->l ? VCPU_SEG_LONG : 0) | (k->db ? VCPU_SEG_DB : 0) |
		  (k->g ? VCPU_SEG_GRAN : 0) | (k->unusable ? VCPU_SEG_UNUSABLE : 0);
}

static struct kvm_segment seg_in(const struct vcpu_segment *g)
{
	struct kvm_segment k =
	    seg(g->selector, g->base, g->limit, g->attr & VCPU_SEG_TYPE, g->attr & VCPU_SEG_S);

	k.dpl = (g->attr & VCPU_SEG_DPL) >> 5;
	k.present = !!(g->attr & VCPU_SEG_PRESENT);
	k.avl = !!(g->attr & VCPU_SEG_AVL);
	k.l = !!(g->attr & VCPU_SEG_LONG);
	k.db = !!(g->attr & VCPU_SEG_DB);
	k.g = !!(g->attr & VCPU_SEG_GRAN);
	k.unusable = !!(g->attr & VCPU_SEG_UNUSABLE);
	return k;
}

/* kvm_sregs' segments in VCPU_* order. */
static struct kvm_segment *sreg(struct kvm_sregs *s, int i)
{
	struct kvm_segment *order[VCPU_NSEG] = {&s->es, &s->cs, &s->ss,	 &s->ds,
						&s->fs, &s->gs, &s->ldt, &s->tr};
	return order[i];
}

/* TR's type as this host's VM entry wants it. The state holds TR as the
 * CPU's own LTR left it, busy, as KVM_GET_SREGS reports it and Intel's
 * VM entry requires. An AMD CPU's LTR leaves the TSS marked available in
 * the VMCB (KVM turns the busy bit on for Intel's sake), and QEMU's
 * emulated SVM looks at it: an interrupt or exception from ring 3 in
 * 32-bit protected mode with a busy TR aborts the emulator ("invalid tss
 * type"), which took the outer VM down at a restored 686 guest's first
 * page fault in user mode. On SVM the TSS goes back in as available. */
static void tr_for_host(struct kvm_segment *tr)
{
	unsigned a, b, c, d;

	if (!tr->s && (tr->type & 0x5) == 0x1 && __get_cpuid(0x80000001, &a, &b, &c, &d) &&
	    (c & CPUID_SVM))
		tr->type &= ~TSS_BUSY;
}

static int sys_fail(char *err, size_t len, const char *what)
{
	snprintf(err, len, "kvm: %s: %s", what, strerror(errno));
	return -1;
}

int kvm_vcpu_get_state(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	const __u64 *gpr[16] = {&r.rax, &r.rcx, &r.rdx, &r.rbx, &r.rsp, &r.rbp, &r.rsi, &r.rdi,
				&r.r8,	&r.r9,	&r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0)
		return sys_fail(err, len, "KVM_GET_REGS");
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return sys_fail(err, len, "KVM_GET_SREGS");
	memset(st, 0, sizeof *st);
	/* The APICs after the x87 state's part, which may undo an acknowledge. */
	if (kvm_xstate_get(v, st, err, len) < 0 || kvm_clock_get(v, st, err, len) < 0 ||
	    kvm_apic_get(v, s.apic_base, st, err, len) < 0 || kvm_pveoi_get(v, st, err, len) < 0)
		return -1;
	for (int i = 0; i < 16; i++)
		st->regs[i] = *gpr[i];
	st->rip = r.rip;
	st->rflags = r.rflags;
	for (int i = 0; i < VCPU_NSEG; i++)
		seg_out(sreg(&s, i), &st->seg[i]);
	st->gdtr = (struct vcpu_dtable){s.gdt.base, s.gdt.limit};
	st->idtr = (struct vcpu_dtable){s.idt.base, s.idt.limit};
	st->cr0 = s.cr0;
	st->cr2 = s.cr2;
	st->cr3 = s.cr3;
	st->cr4 = s.cr4;
	st->cr8 = s.cr8;
	st->efer = s.efer;
	st->halted = get_halted(v);
	return 0;
}

int kvm_vcpu_set_state(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_regs r = {0};
	struct kvm_sregs s;
	__u64 *gpr[16] = {&r.rax, &r.rcx, &r.rdx, &r.rbx, &r.rsp, &r.rbp, &r.rsi, &r.rdi,
			  &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};

	if (kvm_clock_usable(v, st, err, len) < 0 || kvm_apic_check(&st->apic, err, len) < 0 ||
	    kvm_pveoi_check(st->pv_eoi, &v->vm->m->mem, err, len) < 0)
		return -1;
	/* Read first: the pending-interrupt bitmap stays. */
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return sys_fail(err, len, "KVM_GET_SREGS");
	for (int i = 0; i < VCPU_NSEG; i++)
		*sreg(&s, i) = seg_in(&st->seg[i]);
	tr_for_host(&s.tr);
	s.gdt.base = st->gdtr.base;
	s.gdt.limit = st->gdtr.limit;
	s.idt.base = st->idtr.base;
	s.idt.limit = st->idtr.limit;
	s.cr0 = st->cr0;
	s.cr2 = st->cr2;
	s.cr3 = st->cr3;
	s.cr4 = st->cr4;
	s.cr8 = st->cr8;
	s.efer = st->efer;
	s.apic_base = kvm_apic_base(v, st);
	for (int i = 0; i < 16; i++)
		*gpr[i] = st->regs[i];
	r.rip = st->rip;
	r.rflags = st->rflags | FLAGS_RESERVED;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return sys_fail(err, len, "KVM_SET_SREGS");
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return sys_fail(err, len, "KVM_SET_REGS");
	if (kvm_xstate_set(v, st, err, len) < 0 || kvm_clock_set(v, st, err, len) < 0 ||
	    kvm_apic_set(v, st, err, len) < 0 || kvm_pveoi_set(v, st, err, len) < 0)
		return -1;
	if (set_halted(v, st->halted) < 0)
		return sys_fail(err, len, "KVM_SET_MP_STATE");
	v->ready_stale = true; /* the interrupt window is as of the old state */
	return 0;
}
