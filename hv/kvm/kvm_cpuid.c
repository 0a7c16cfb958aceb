/* The guest's CPUID on the KVM engine: the host's as KVM can virtualise it
 * (KVM_GET_SUPPORTED_CPUID; without it the guest sees no leaves at all),
 * less the local APIC unless KVM's in-kernel one is the guest's (vm->apic,
 * irqchip.c; with it the x2APIC too, whose state is the same registers,
 * but never the TSC-deadline timer, whose MSR a save does not carry), plus
 * (unless HV_KVM_PVCLOCK=0) the hypervisor bit and KVM's own leaves
 * (40000000h "KVMKVMKVM", 40000001h features) where KVM reports them
 * (without it, none of them), offering only what hv
 * carries through a save: the paravirtual clock (kvm-clock, its MSRs
 * handled by KVM and saved by kvm_clock.c), the no-op I/O delay and, with
 * KVM's local APIC, the paravirtual EOI (kvm_pveoi.c: an EOI that is a
 * store to guest memory, not an exit; HV_KVM_PVEOI=0 leaves it out). The
 * other paravirtual features need state hv does not save (steal time,
 * async page faults) or serve only guests of several vCPUs (PV IPIs,
 * spinlock unhalt, TLB flush, sched yield), and KVM is told to refuse
 * their MSRs (KVM_CAP_ENFORCE_PV_FEATURE_CPUID). */
#include <asm/kvm_para.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"

#define CPUID_MAX		 100
#define CPUID_1_EDX_APIC	 (1u << 9)
#define CPUID_1_ECX_X2APIC	 (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR	 (1u << 31)
#define KVM_SIG_EBX		 0x4b4d564bu /* "KVMK" */
#define KVM_SIG_ECX		 0x564b4d56u /* "VMKV" */
#define KVM_SIG_EDX		 0x0000004du /* "M\0\0\0" */

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t function)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == function)
			return &c->entries[i];
	return NULL;
}

static void filter_leaf1(struct kvm_cpuid_entry2 *leaf1, bool apic)
{
	if (!apic) {
		leaf1->edx &= ~CPUID_1_EDX_APIC;
		leaf1->ecx &= ~CPUID_1_ECX_X2APIC;
	}
	leaf1->ecx &= ~(CPUID_1_ECX_TSC_DEADLINE | CPUID_1_ECX_HYPERVISOR);
}

uint32_t kvm_cpuid_filter(struct kvm_cpuid2 *c, uint32_t want, bool apic)
{
	struct kvm_cpuid_entry2 *leaf1 = find(c, 1);
	struct kvm_cpuid_entry2 *sig = find(c, KVM_CPUID_SIGNATURE);
	struct kvm_cpuid_entry2 *feat = find(c, KVM_CPUID_FEATURES);
	bool pvclock;

	want &= KVM_PV_OFFERED;
	if (!apic) /* the EOI it spares is the local APIC's */
		want &= ~(1u << KVM_FEATURE_PV_EOI);
	if (leaf1)
		filter_leaf1(leaf1, apic);
	if (feat) {
		feat->eax &= want;
		feat->ebx = feat->ecx = feat->edx = 0; /* no hints (KVM_HINTS_REALTIME) */
	}
	pvclock = leaf1 && sig && feat && sig->ebx == KVM_SIG_EBX && sig->ecx == KVM_SIG_ECX &&
		  sig->edx == KVM_SIG_EDX && (feat->eax & 1u << KVM_FEATURE_CLOCKSOURCE2);
	if (sig && !pvclock) { /* hide what cannot be offered whole */
		sig->eax = sig->ebx = sig->ecx = sig->edx = 0;
		if (feat)
			feat->eax = 0;
	}
	if (!pvclock)
		return 0;
	sig->eax = KVM_CPUID_FEATURES; /* the highest hypervisor leaf */
	leaf1->ecx |= CPUID_1_ECX_HYPERVISOR;
	return feat->eax;
}

/* Whether the switch `name` is on: unset, or anything but 0. */
static bool env_on(const char *name)
{
	const char *v = getenv(name);

	return !v || strcmp(v, "0") != 0;
}

/* All of KVM_PV_OFFERED by default (the guest's clock reads then cost no
 * exit: in the nested virtio benchmark a 1 MiB read took 127-209 exits,
 * not 322-380; see README). HV_KVM_PVCLOCK=0 turns them all off, e.g. for
 * a guest that is to move to the soft engine, which has no kvm-clock;
 * HV_KVM_PVEOI=0 the paravirtual EOI alone (each EOI is then a write to
 * the APIC that exits, as before it: for a comparison). */
static uint32_t pv_wanted(void)
{
	if (!env_on("HV_KVM_PVCLOCK"))
		return 0;
	return env_on("HV_KVM_PVEOI") ? KVM_PV_OFFERED
				      : KVM_PV_OFFERED & ~(1u << KVM_FEATURE_PV_EOI);
}

static int sys_error(char *err, size_t len, const char *what)
{
	snprintf(err, len, "kvm: %s: %s", what, strerror(errno));
	return -1;
}

/* KVM refuses the MSRs of paravirtual features the CPUID does not offer
 * (where it can: Linux 5.10 and later). */
static void enforce_pv_cpuid(struct kvm_vcpu *v)
{
	struct kvm_enable_cap cap = {.cap = KVM_CAP_ENFORCE_PV_FEATURE_CPUID, .args = {1}};

	if (ioctl(v->vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_ENFORCE_PV_FEATURE_CPUID) > 0)
		ioctl(v->fd, KVM_ENABLE_CAP, &cap);
}

int kvm_cpuid_setup(struct kvm_vcpu *v, char *err, size_t len)
{
	size_t bytes = sizeof(struct kvm_cpuid2) + CPUID_MAX * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, bytes);
	int rc = -1;

	if (!c) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	c->nent = CPUID_MAX;
	if (ioctl(v->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		sys_error(err, len, "KVM_GET_SUPPORTED_CPUID");
	} else {
		uint32_t pv = kvm_cpuid_filter(c, pv_wanted(), v->vm->apic);

		v->vm->pvclock = pv & 1u << KVM_FEATURE_CLOCKSOURCE2;
		v->vm->pv_eoi = pv & 1u << KVM_FEATURE_PV_EOI;
		if (ioctl(v->fd, KVM_SET_CPUID2, c) < 0)
			sys_error(err, len, "KVM_SET_CPUID2");
		else
			rc = 0;
	}
	free(c);
	if (rc == 0)
		enforce_pv_cpuid(v);
	return rc;
}
