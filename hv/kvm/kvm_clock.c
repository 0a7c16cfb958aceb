/* KVM's paravirtual clock (kvm-clock) through a save, a restore and a
 * migration: its two MSRs as the guest wrote them (MSR_KVM_SYSTEM_TIME_NEW,
 * the guest address of its per-vCPU time page with bit 0 as the enable;
 * MSR_KVM_WALL_CLOCK_NEW, where KVM wrote the boot time) and the clock's
 * reading (KVM_GET_CLOCK). A restore sets the new VM's clock to the saved
 * reading before the MSRs, so the guest's time goes on from the saved
 * instant as hv's own virtual clock does (hv/core/clock.h). The values come
 * from a file: each is checked against the guest's RAM before any is used. */
#include <asm/kvm_para.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm/kvm.h"
#include "hv/core/clock.h"
#include "hv/core/log.h"
#include "hv/core/machine.h"
#include "hv/core/memory.h"

#define PVCLOCK_TIME_BYTES 32 /* struct pvclock_vcpu_time_info */
#define PVCLOCK_WALL_BYTES 12 /* struct pvclock_wall_clock */
#define PAGE_BYTES	   4096u
#define NMSRS		   2

/* Guests over MEM_LOW_RAM_LIMIT have RAM above 4 GiB and a hole below it:
 * the memory map, not [0, ram_size), says where KVM may write. */
int kvm_clock_check(const struct vcpu_state *st, struct guest_mem *mem, char *err, size_t len)
{
	uint64_t time_gpa = st->pvclock_system_time & ~1ull, wall = st->pvclock_wall_clock;
	bool enabled = st->pvclock_system_time & 1;

	if (enabled && (time_gpa % PAGE_BYTES > PAGE_BYTES - PVCLOCK_TIME_BYTES ||
			!mem_ram_range(mem, time_gpa, PVCLOCK_TIME_BYTES, false))) {
		snprintf(err, len, "kvm-clock: its time page %#llx is not within guest RAM",
			 (unsigned long long)time_gpa);
		return -1;
	}
	if (wall && !mem_ram_range(mem, wall, PVCLOCK_WALL_BYTES, false)) {
		snprintf(err, len, "kvm-clock: its wall clock %#llx is not within guest RAM",
			 (unsigned long long)wall);
		return -1;
	}
	if (st->pvclock_ns > (uint64_t)VCLOCK_NS_MAX || (enabled && !st->pvclock_ns)) {
		snprintf(err, len, "kvm-clock: the clock's reading %llu ns is not valid",
			 (unsigned long long)st->pvclock_ns);
		return -1;
	}
	return 0;
}

static const uint32_t clock_msrs[NMSRS] = {MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW};

int kvm_clock_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_clock_data clock = {0};
	struct kvm_msr_buf m;
	struct kvm_msrs *l;

	st->pvclock_system_time = st->pvclock_wall_clock = st->pvclock_ns = 0;
	if (!v->vm->pvclock)
		return 0;
	l = kvm_msrs_fill(&m, clock_msrs, NULL, NMSRS);
	if (ioctl(v->fd, KVM_GET_MSRS, l) != NMSRS)
		return kvm_fail(err, len, "KVM_GET_MSRS (kvm-clock)");
	if (ioctl(v->vm->vm_fd, KVM_GET_CLOCK, &clock) < 0)
		return kvm_fail(err, len, "KVM_GET_CLOCK");
	st->pvclock_system_time = l->entries[0].data;
	st->pvclock_wall_clock = l->entries[1].data;
	st->pvclock_ns = clock.clock;
	return 0;
}

int kvm_clock_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	struct kvm_clock_data clock = {.clock = st->pvclock_ns};
	struct kvm_msr_buf m;
	const uint64_t values[NMSRS] = {st->pvclock_system_time, st->pvclock_wall_clock};
	struct kvm_msrs *l = kvm_msrs_fill(&m, clock_msrs, values, NMSRS);

	if (!v->vm->pvclock)
		return 0; /* kvm_clock_usable refused a state that needs it */
	if (st->pvclock_ns) {
		if (ioctl(v->vm->vm_fd, KVM_SET_CLOCK, &clock) < 0)
			return kvm_fail(err, len, "KVM_SET_CLOCK");
		/* From here KVM's clock follows hv's (run.c): a restore that
		 * stays paused (hv restore -p) keeps the guest's time too. */
		v->left_host = host_now_ns();
		v->left_virt = vclock_now(&v->vm->m->clock);
	}
	/* A wall-clock MSR write makes KVM write the boot time at its
	 * address: only where the guest had asked for it. */
	l->nmsrs = st->pvclock_wall_clock ? 2 : 1;
	if (ioctl(v->fd, KVM_SET_MSRS, l) != (int)l->nmsrs)
		return kvm_fail(err, len, "KVM_SET_MSRS (kvm-clock)");
	return 0;
}

int kvm_clock_usable(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len)
{
	if (kvm_clock_check(st, &v->vm->m->mem, err, len) < 0)
		return -1;
	if (!v->vm->pvclock && (st->pvclock_system_time & 1)) {
		snprintf(err, len,
			 "kvm-clock: the guest uses it, and this host's KVM does not offer it");
		return -1;
	}
	return 0;
}

/* A machine reset: hv's is not KVM's, which keeps both MSRs through it
 * and would go on writing the time page where the old kernel put it (and
 * a save would write the wall clock again at the old address). 0 turns
 * the clock off; a wall-clock MSR of 0 makes KVM write nothing. */
int kvm_clock_reset(struct kvm_vcpu *v)
{
	static const uint64_t off[NMSRS] = {0, 0};
	struct kvm_msr_buf m;

	if (!v->vm->pvclock ||
	    ioctl(v->fd, KVM_SET_MSRS, kvm_msrs_fill(&m, clock_msrs, off, NMSRS)) == NMSRS)
		return 0;
	log_error("kvm: cannot turn kvm-clock off: %s", strerror(errno));
	return -1;
}
