/* The vCPU state beyond the registers of KVM_GET_REGS/SREGS that a save
 * needs, in struct vcpu_state's engine-neutral form: the x87 and MXCSR
 * (KVM_GET_XSAVE's legacy area, else KVM_GET_FPU, converted to and from
 * FXSAVE's first 160 bytes), DR0-DR3 (with DR6 and
 * DR7: KVM_GET_DEBUGREGS), the SYSENTER MSRs (KVM_GET_MSRS), the
 * interrupt shadow of STI or MOV SS and the NMI blocking of a handler
 * before its IRET (KVM_GET_VCPU_EVENTS). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/core/le.h"
#include "hv/kvm/kvm.h"

#define MSR_SYSENTER_CS	 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MXCSR_RESET	 0x1f80u
#define NMSRS		 3

void kvm_fpu_to_fx(const struct kvm_fpu *f, uint8_t fx[VCPU_FX_BYTES])
{
	memset(fx, 0, VCPU_FX_BYTES);
	le_put16(fx, f->fcw);
	le_put16(fx + 2, f->fsw);
	fx[4] = f->ftwx;
	le_put16(fx + 6, f->last_opcode);
	/* In FXSAVE's 32-bit form: FIP, FCS at +12; FDP, FDS at +20. */
	le_put64(fx + 8, f->last_ip);
	le_put64(fx + 16, f->last_dp);
	le_put32(fx + 24, f->mxcsr);
	for (unsigned i = 0; i < 8; i++)
		memcpy(fx + 32 + 16 * i, f->fpr[i], 10);
}

void kvm_fx_to_fpu(const uint8_t fx[VCPU_FX_BYTES], struct kvm_fpu *f)
{
	memset(f, 0, sizeof *f);
	f->fcw = le_get16(fx);
	f->fsw = le_get16(fx + 2);
	f->ftwx = fx[4];
	f->last_opcode = le_get16(fx + 6) & 0x7ff;
	f->last_ip = le_get64(fx + 8);
	f->last_dp = le_get64(fx + 16);
	/* The soft CPU has no SSE and stores MXCSR's reset value; a state
	 * with reserved bits set would make KVM_SET_FPU fail. */
	f->mxcsr = le_get32(fx + 24) & 0xffff;
	if (!f->mxcsr)
		f->mxcsr = MXCSR_RESET;
	for (unsigned i = 0; i < 8; i++)
		memcpy(f->fpr[i], fx + 32 + 16 * i, 10);
}

/* The x87 and MXCSR also through KVM_GET/SET_XSAVE's legacy area, whose
 * first 160 bytes are FXSAVE's: some kernels (6.18's, seen here) keep
 * MXCSR out of KVM_GET/SET_FPU (it reads 0 and is not written) and let
 * KVM_SET_XSAVE overwrite what KVM_SET_FPU set, so where the XSAVE ioctls
 * exist they are the state's word. XSTATE_BV gets x87 and SSE, without
 * which KVM ignores the area (SSE carries MXCSR and the XMM registers, at
 * +160); MXCSR_MASK (+28) stays KVM's. */
#define XSTATE_BV      512
#define XSTATE_X87_SSE 3u
#define FX_MXCSR_MASK  28
#define FX_XMM	       VCPU_FX_BYTES

static bool xsave_get(struct kvm_vcpu *v, struct kvm_xsave *x)
{
	return ioctl(v->fd, KVM_GET_XSAVE, x) == 0;
}

static int xsave_put(struct kvm_vcpu *v, const struct kvm_fpu *f)
{
	struct kvm_xsave x;
	uint8_t fx[VCPU_FX_BYTES], *area = (uint8_t *)x.region;

	if (!xsave_get(v, &x))
		return 0; /* no XSAVE: KVM_SET_FPU said it all */
	kvm_fpu_to_fx(f, fx);
	memcpy(area, fx, FX_MXCSR_MASK);
	memcpy(area + 32, fx + 32, VCPU_FX_BYTES - 32);
	memcpy(area + FX_XMM, f->xmm, VCPU_XMM_BYTES);
	le_put64(area + XSTATE_BV, le_get64(area + XSTATE_BV) | XSTATE_X87_SSE);
	return ioctl(v->fd, KVM_SET_XSAVE, &x);
}

int kvm_fail(char *err, size_t len, const char *what)
{
	snprintf(err, len, "kvm: %s: %s", what, strerror(errno));
	return -1;
}

struct kvm_msrs *kvm_msrs_fill(struct kvm_msr_buf *m, const uint32_t *index, const uint64_t *values,
			       unsigned n)
{
	struct kvm_msrs *l = (struct kvm_msrs *)m->bytes;

	memset(m, 0, sizeof *m);
	l->nmsrs = n < KVM_MSR_LIST_MAX ? n : KVM_MSR_LIST_MAX;
	for (unsigned i = 0; i < l->nmsrs; i++) {
		l->entries[i].index = index[i];
		l->entries[i].data = values ? values[i] : 0;
	}
	return l;
}

static const uint32_t sysenter[NMSRS] = {MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP};

int kvm_xstate_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_fpu fpu;
	struct kvm_debugregs dr;
	struct kvm_vcpu_events ev;
	struct kvm_msr_buf m;
	struct kvm_msrs *l;
	struct kvm_xsave x;

	if (xsave_get(v, &x)) {
		kvm_fx_to_fpu((const uint8_t *)x.region, &fpu);
		memcpy(st->xmm, (const uint8_t *)x.region + FX_XMM, VCPU_XMM_BYTES);
	} else if (ioctl(v->fd, KVM_GET_FPU, &fpu) < 0) {
		return kvm_fail(err, len, "KVM_GET_FPU");
	} else {
		memcpy(st->xmm, fpu.xmm, VCPU_XMM_BYTES);
	}
	kvm_fpu_to_fx(&fpu, st->fx);
	if (kvm_msrs_get(v, st, err, len) < 0)
		return -1;
	if (ioctl(v->fd, KVM_GET_DEBUGREGS, &dr) < 0)
		return kvm_fail(err, len, "KVM_GET_DEBUGREGS");
	memcpy(st->dr, dr.db, sizeof st->dr);
	st->dr6 = dr.dr6;
	st->dr7 = dr.dr7;
	l = kvm_msrs_fill(&m, sysenter, NULL, NMSRS);
	if (ioctl(v->fd, KVM_GET_MSRS, l) != NMSRS)
		return kvm_fail(err, len, "KVM_GET_MSRS (SYSENTER)");
	st->sysenter_cs = l->entries[0].data;
	st->sysenter_esp = l->entries[1].data;
	st->sysenter_eip = l->entries[2].data;
	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return kvm_fail(err, len, "KVM_GET_VCPU_EVENTS");
	st->irq_shadow = ev.interrupt.shadow != 0;
	st->nmi_blocked = ev.nmi.masked != 0;
	/* An interrupt KVM's PIC or local APIC gave but the guest has not
	 * taken yet is not in the engine-neutral state: it goes back to its
	 * controller, pending. */
	if (ev.interrupt.injected && !ev.interrupt.soft &&
	    (kvm_irqchip_unack(v->vm, ev.interrupt.nr) || kvm_apic_unack(v, ev.interrupt.nr))) {
		ev.interrupt.injected = 0;
		ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
		if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
			return kvm_fail(err, len, "KVM_SET_VCPU_EVENTS");
	}
	return 0;
}

int kvm_xstate_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_fpu fpu;
	struct kvm_debugregs dr = {0};
	struct kvm_vcpu_events ev;
	struct kvm_msr_buf m;
	const uint64_t msrs[NMSRS] = {st->sysenter_cs, st->sysenter_esp, st->sysenter_eip};

	kvm_fx_to_fpu(st->fx, &fpu);
	memcpy(fpu.xmm, st->xmm, VCPU_XMM_BYTES);
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return kvm_fail(err, len, "KVM_SET_FPU");
	if (xsave_put(v, &fpu) < 0)
		return kvm_fail(err, len, "KVM_SET_XSAVE");
	memcpy(dr.db, st->dr, sizeof dr.db);
	dr.dr6 = st->dr6;
	dr.dr7 = st->dr7;
	if (ioctl(v->fd, KVM_SET_DEBUGREGS, &dr) < 0)
		return kvm_fail(err, len, "KVM_SET_DEBUGREGS");
	if (ioctl(v->fd, KVM_SET_MSRS, kvm_msrs_fill(&m, sysenter, msrs, NMSRS)) != NMSRS)
		return kvm_fail(err, len, "KVM_SET_MSRS (SYSENTER)");
	if (kvm_msrs_set(v, st, err, len) < 0)
		return -1;
	/* The shadow and the NMI blocking: an exception or NMI half-delivered
	 * is not part of the engine-neutral state, and nothing is pending
	 * after a load. */
	memset(&ev, 0, sizeof ev);
	ev.interrupt.shadow = st->irq_shadow ? KVM_X86_SHADOW_INT_STI : 0;
	ev.nmi.masked = st->nmi_blocked;
	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return kvm_fail(err, len, "KVM_SET_VCPU_EVENTS");
	return 0;
}
