/* The MSRs a save carries beyond SYSENTER's and kvm-clock's: without the
 * SYSCALL ones a 64-bit guest's first system call after a restore jumps
 * to address 0, and without the TSC the guest's counter starts again
 * from about 0 in the new VM (time going back for a TSC clocksource).
 * The TSC goes in as saved: it stands still between the save and the
 * restore as the guest's clock does. TSC_AUX only where KVM has it (the
 * CPU's RDTSCP), and written only when not 0. */
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"

#define MSR_STAR	   0xc0000081u
#define MSR_LSTAR	   0xc0000082u
#define MSR_CSTAR	   0xc0000083u
#define MSR_SFMASK	   0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX	   0xc0000103u
#define MSR_PAT		   0x277u
#define MSR_TSC		   0x10u
#define NMSRS		   7

static const uint32_t index[NMSRS] = {MSR_STAR,		  MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
				      MSR_KERNEL_GS_BASE, MSR_PAT,   MSR_TSC};

int kvm_msrs_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_msr_buf m;
	struct kvm_msrs *l = kvm_msrs_fill(&m, index, NULL, NMSRS);
	uint64_t *f[NMSRS] = {&st->star,	   &st->lstar, &st->cstar, &st->sfmask,
			      &st->kernel_gs_base, &st->pat,   &st->tsc};
	const uint32_t aux = MSR_TSC_AUX;

	if (ioctl(v->fd, KVM_GET_MSRS, l) != NMSRS)
		return kvm_fail(err, len, "KVM_GET_MSRS (SYSCALL, PAT, TSC)");
	for (int i = 0; i < NMSRS; i++)
		*f[i] = l->entries[i].data;
	l = kvm_msrs_fill(&m, &aux, NULL, 1);
	st->tsc_aux = ioctl(v->fd, KVM_GET_MSRS, l) == 1 ? l->entries[0].data : 0;
	st->msrs = true;
	return 0;
}

int kvm_msrs_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_msr_buf m;
	const uint64_t values[NMSRS] = {st->star,	    st->lstar, st->cstar, st->sfmask,
					st->kernel_gs_base, st->pat,   st->tsc};
	const uint32_t aux = MSR_TSC_AUX;

	if (!st->msrs)
		return 0;
	if (ioctl(v->fd, KVM_SET_MSRS, kvm_msrs_fill(&m, index, values, NMSRS)) != NMSRS)
		return kvm_fail(err, len, "KVM_SET_MSRS (SYSCALL, PAT, TSC)");
	if (st->tsc_aux &&
	    ioctl(v->fd, KVM_SET_MSRS, kvm_msrs_fill(&m, &aux, &st->tsc_aux, 1)) != 1)
		return kvm_fail(err, len, "KVM_SET_MSRS (TSC_AUX)");
	return 0;
}
