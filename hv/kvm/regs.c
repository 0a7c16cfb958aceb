/* vCPU register states the engine interface asks for: the power-on state
 * (real mode at F000:FFF0 with CS based at FFFF0000h, as on a PC) and a
 * boot loader's 32-bit protected-mode hand-over. */
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"
#include "hv/log.h"

#define CR0_RESET      0x60000010u /* CD, NW, ET */
#define CR0_PE	       0x1u
#define FLAGS_RESERVED 0x2u

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

static int put(struct kvm_vcpu *v, struct kvm_sregs *s, struct kvm_regs *r)
{
	struct kvm_vcpu_events ev;

	if (ioctl(v->fd, KVM_SET_SREGS, s) < 0 || ioctl(v->fd, KVM_SET_REGS, r) < 0) {
		log_error("kvm: cannot set the vCPU registers");
		return -1;
	}
	/* Nothing half-delivered survives a reset. */
	memset(&ev, 0, sizeof ev);
	ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev);
	v->halted = false;
	v->ready_stale = true;
	v->run->request_interrupt_window = 0;
	return 0;
}

int kvm_vcpu_set_reset_state(struct kvm_vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_regs r = {0};

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
	memset(s.interrupt_bitmap, 0, sizeof s.interrupt_bitmap);
	r.rip = 0xfff0;
	r.rflags = FLAGS_RESERVED;
	r.rdx = 0x600; /* the CPU signature a reset leaves in DX */
	return put(v, &s, &r);
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
