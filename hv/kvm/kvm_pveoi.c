/* KVM's paravirtual end of interrupt (PV EOI) through a save, a restore, a
 * migration and a machine reset. A guest offered it (KVM_FEATURE_PV_EOI,
 * kvm_cpuid.c) writes MSR_KVM_PV_EOI_EN with the guest address of a flag
 * (4-byte aligned, bit 0 the enable). When KVM delivers an interrupt whose
 * EOI needs nothing but clearing the in-service bit (an edge: MSI-X, the
 * APIC timer), it sets the flag's bit 0, and the guest's EOI clears it
 * instead of writing the APIC's EOI register: no exit, where each of those
 * writes was an exit and an emulated instruction under nested SVM. At each
 * exit after it set the flag KVM takes it back (doing the EOI if the guest
 * cleared it), and before each entry it sets it again from the in-service
 * register: out of KVM_RUN the flag is clear and the APIC page holds the
 * rest, so a save needs only the MSR. The value comes from a file: it is
 * checked against guest RAM before use. KVM keeps the MSR through a machine
 * reset, so hv clears it then: KVM would go on setting bits at the address
 * the old kernel gave. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"
#include "hv/core/log.h"
#include "hv/core/memory.h"

#define FLAG_BYTES 4 /* the flag's alignment; KVM touches its first byte */

int kvm_pveoi_check(uint64_t msr, struct guest_mem *mem, char *err, size_t len)
{
	uint64_t gpa = msr & ~(uint64_t)KVM_MSR_ENABLED;

	if (gpa % FLAG_BYTES) {
		snprintf(err, len, "PV EOI: its flag's address %#llx is not 4-byte aligned",
			 (unsigned long long)gpa);
		return -1;
	}
	if ((msr & KVM_MSR_ENABLED) && gpa == 0) {
		snprintf(err, len, "PV EOI: enabled with its flag at address 0 (not a guest's)");
		return -1;
	}
	if (gpa && !mem_ram_range(mem, gpa, FLAG_BYTES, false)) {
		snprintf(err, len, "PV EOI: its flag %#llx is not within guest RAM",
			 (unsigned long long)gpa);
		return -1;
	}
	return 0;
}

static const uint32_t pveoi_msr = MSR_KVM_PV_EOI_EN;

static int put(struct kvm_vcpu *v, uint64_t value)
{
	struct kvm_msr_buf m;

	return ioctl(v->fd, KVM_SET_MSRS, kvm_msrs_fill(&m, &pveoi_msr, &value, 1)) == 1 ? 0 : -1;
}

int kvm_pveoi_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_msr_buf m;
	struct kvm_msrs *l;

	st->pv_eoi = 0;
	if (!v->vm->pv_eoi)
		return 0;
	l = kvm_msrs_fill(&m, &pveoi_msr, NULL, 1);
	if (ioctl(v->fd, KVM_GET_MSRS, l) != 1)
		return kvm_fail(err, len, "KVM_GET_MSRS (PV EOI)");
	st->pv_eoi = l->entries[0].data;
	return 0;
}

int kvm_pveoi_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	/* Not offered here (HV_KVM_PVEOI=0): KVM never sets the guest's flag,
	 * so each of its EOIs goes to the APIC, as without the feature. */
	if (!v->vm->pv_eoi)
		return 0;
	if (put(v, st->pv_eoi) < 0)
		return kvm_fail(err, len, "KVM_SET_MSRS (PV EOI)");
	return 0;
}

int kvm_pveoi_reset(struct kvm_vcpu *v)
{
	if (!v->vm->pv_eoi || put(v, 0) == 0)
		return 0;
	log_error("kvm: cannot turn the paravirtual EOI off: %s", strerror(errno));
	return -1;
}
