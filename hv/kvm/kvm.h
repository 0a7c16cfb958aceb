/* The KVM engine's private state: one VM per domain (guest memory as
 * memory slots over the machine's own RAM and ROM), one vCPU per domain,
 * every port and MMIO access exiting to hv's device models but the PIC's:
 * the 8259 pair runs in KVM's in-kernel irqchip (irqchip.c) where KVM has
 * one, with the local APIC and I/O APIC it adds (kvm_apic.c), else (or
 * with HV_KVM_IRQCHIP=0) in hv with interrupts injected by KVM_INTERRUPT.
 * The PIT is hv's own. */
#ifndef HV_KVM_KVM_H
#define HV_KVM_KVM_H

#include <asm/kvm_para.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hv/core/engine.h"

struct guest_mem;
struct machine;

#define KVM_MAX_SLOTS	 32	  /* memory slots this engine uses at most */
#define KVM_MAX_ROM_COPY 8	  /* page-aligned copies of unaligned ROM images */
#define KVM_SLICE_NS	 10000000 /* longest stretch in KVM_RUN while guest output waits */
#define KVM_PAUSE_MIN_NS 1000000  /* hv's clock stood still longer: KVM's follows */
/* The longest stretch in KVM_RUN whatever else: a bound on a wait no
 * signal ends (recheck_interrupts' interrupt the nested SVM gave no window
 * for), at 10 exits a second where the slice took 100. */
#define KVM_BOUND_NS 100000000

/* One memory slot as hv laid it out. */
struct kvm_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	bool readonly;
	bool log; /* KVM_MEM_LOG_DIRTY_PAGES: a dirty-page log covers it */
	int id;	  /* KVM slot number; -1 when free */
};

/* A page-aligned copy of a ROM image whose own bytes are not page aligned
 * (KVM maps whole host pages). ROM never changes, so a copy is exact. */
struct kvm_rom_copy {
	const uint8_t *src;
	uint64_t size;
	uint8_t *copy;
};

struct kvm_vm {
	struct machine *m;
	int sys_fd; /* /dev/kvm */
	int vm_fd;
	size_t run_size; /* bytes of each vCPU's kvm_run mapping */
	struct kvm_slot slots[KVM_MAX_SLOTS];
	unsigned nslots;
	uint32_t mem_generation; /* of the map the slots were made from */
	struct kvm_rom_copy roms[KVM_MAX_ROM_COPY];
	unsigned nroms;
	bool irqchip; /* KVM runs the 8259 pair (irqchip.c) */
	bool apic;    /* and the guest has its local and I/O APIC (kvm_apic.c) */
	struct kvm_ioapic_state ioapic_reset; /* the I/O APIC as KVM made it */
	bool pvclock;			      /* the guest is offered kvm-clock (kvm_cpuid.c) */
	bool pv_eoi;			      /* and the paravirtual EOI (kvm_pveoi.c) */
	uint8_t elcr_mask[2];		      /* of KVM's master and slave */
	unsigned irq_errors;		      /* KVM_IRQ_LINE failures logged */
};

/* Exits counted by reason, readable from any thread. */
struct kvm_exit_counts {
	atomic_uint_fast64_t total, io, mmio, hlt, intr, window, other;
	atomic_uint_fast64_t injected; /* KVM_INTERRUPTs made */
	atomic_int last_vector;	       /* the last one's vector, -1: none yet */
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	int fd;
	struct kvm_run *run;
	bool halted; /* HLT exited and no interrupt was delivered since */
	/* run->ready_for_interrupt_injection predates a KVM_INTERRUPT or a
	 * register load: wait for the next exit (an interrupt window). */
	bool ready_stale;
	/* Kicks: the signal reaches the vCPU thread only while it is in
	 * kvm_vcpu_run; the handler sets run->immediate_exit. */
	pthread_mutex_t kick_lock;
	pthread_t thread;
	bool in_run;
	atomic_bool kicked;
	timer_t timer; /* brings the vCPU out of KVM_RUN for the clock */
	bool timer_ok;
	/* Host ns the timer was last armed to fire at (0: never); past when
	 * it fired. Under the domain lock. */
	int64_t timer_due;
	/* Host and virtual-clock ns when the vCPU last left kvm_vcpu_run
	 * (0: not yet): how long hv's clock stood still since (run.c). */
	int64_t left_host, left_virt;
	struct kvm_exit_counts counts;
	struct kvm_lapic_state lapic_reset; /* the local APIC as KVM made it */
};

/* kvm_timer.c: the host ns the vCPU's timer should fire at, delay being the host ns to hv's next
 * timer deadline (INT64_MAX: none) and slice_end when the run should end if guest output waits;
 * never after the next multiple of KVM_BOUND_NS (a time that stays the same through the stretch, so
 * the timer is not armed again at each run). */
int64_t kvm_timer_want(int64_t now, int64_t delay, int64_t slice_end, bool output_waits);
/* Whether the timer last armed for `armed` must be armed again to fire at `want` (a time
 * kvm_timer_want gave: the bound makes it finite, so the timer is never disarmed). */
bool kvm_timer_rearm(int64_t now, int64_t armed, int64_t want);

/* The signal that kicks a vCPU thread out of KVM_RUN. */
int kvm_kick_signal(void);
/* Installs the kick signal's handler (once per process). */
void kvm_signal_setup(void);
/* Points the calling thread's kick handler at run (NULL for none). */
void kvm_signal_bind(struct kvm_run *run);

/* Makes the memory slots match the machine's memory map. Returns 0 or -1
 * with a message in err. */
int kvm_slots_sync(struct kvm_vm *vm, char *err, size_t len);
/* Frees the ROM copies. */
void kvm_slots_free(struct kvm_vm *vm);

/* irqchip.c: hands the board's 8259 pair to KVM's in-kernel irqchip
 * where it can (before the vCPU is made; 0, or -1 with a message in err)
 * and takes it back. */
int kvm_irqchip_setup(struct kvm_vm *vm, char *err, size_t len);
void kvm_irqchip_release(struct kvm_vm *vm);
/* Puts vector, taken from the PIC but not yet entered, back as a request
 * (for a save). Returns true if it did. */
bool kvm_irqchip_unack(struct kvm_vm *vm, unsigned vector);

/* kvm_apic.c: the guest's local APIC and I/O APIC (vm->apic; all of
 * these do nothing without it). kvm_apic_created keeps their power-on
 * state (after KVM_CREATE_VCPU), kvm_apic_reset puts it back (a machine
 * reset: KVM resets neither), after the APIC base MSR. kvm_apic_get fills
 * st->apic from the vCPU and the base MSR base; kvm_apic_check judges a
 * saved one; kvm_apic_base gives the base MSR to load for st (the reset
 * value if the state has no APIC in use), kvm_apic_set loads the rest
 * after it. Return 0, or -1 with a message in err. */
int kvm_apic_created(struct kvm_vcpu *v, char *err, size_t len);
int kvm_apic_reset(struct kvm_vcpu *v);
int kvm_apic_get(struct kvm_vcpu *v, uint64_t base, struct vcpu_state *st, char *err, size_t len);
int kvm_apic_check(const struct vcpu_apic *a, char *err, size_t len);
uint64_t kvm_apic_base(const struct kvm_vcpu *v, const struct vcpu_state *st);
int kvm_apic_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);
/* Puts vector, taken from the local APIC but not yet entered, back as a
 * request (for a save). Returns true if it did. */
bool kvm_apic_unack(struct kvm_vcpu *v, unsigned vector);

/* Runs the vCPU until an exit the domain loop must see. */
enum vcpu_exit kvm_vcpu_run(struct kvm_vcpu *v);
/* With the domain lock held, from any thread: hv's soonest timer deadline
 * moved earlier; a vCPU in KVM_RUN with its timer set later looks again. */
void kvm_vcpu_retime(struct kvm_vcpu *v);
/* Sets the power-on register state. Returns 0 or -1. */
int kvm_vcpu_set_reset_state(struct kvm_vcpu *v);
/* Sets a boot loader's 32-bit protected-mode hand-over state. */
void kvm_vcpu_set_boot32(struct kvm_vcpu *v, const struct vcpu_boot32 *boot);

/* The registers as struct vcpu_state, while the vCPU is out of KVM_RUN.
 * Return 0, or -1 with a message in err. */
int kvm_vcpu_get_state(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len);
int kvm_vcpu_set_state(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);

/* Whether this host's KVM can run an ordinary guest: creates a tiny VM
 * that enters protected mode and does an OUT, with a time limit. Returns
 * 0, or -1 with the reason in why. The answer is cached. */
int kvm_probe_host(char *why, size_t len);

/* kvm_xstate.c: the x87, DR0-DR7, SYSENTER MSRs and interrupt shadow
 * of a vcpu_state (its other fields are kvm_regs.c's). Return 0, or -1
 * with the failed ioctl in err. */
/* "kvm: what: strerror(errno)" into err; returns -1. */
int kvm_fail(char *err, size_t len, const char *what);

/* struct kvm_msrs with room for a few entries (they are a flexible array,
 * so it cannot be embedded in a struct). */
#define KVM_MSR_LIST_MAX 8
struct kvm_msr_buf {
	_Alignas(struct kvm_msrs) uint8_t
	    bytes[sizeof(struct kvm_msrs) + KVM_MSR_LIST_MAX * sizeof(struct kvm_msr_entry)];
};
/* m as n (at most KVM_MSR_LIST_MAX) MSRs index[i], with values[i] or 0. */
struct kvm_msrs *kvm_msrs_fill(struct kvm_msr_buf *m, const uint32_t *index, const uint64_t *values,
			       unsigned n);

int kvm_xstate_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len);
/* The MSRs of struct vcpu_state beyond SYSENTER's and kvm-clock's (the
 * SYSCALL ones, KERNEL_GS_BASE, PAT, the TSC, TSC_AUX), read and written;
 * a state without them (msrs false: from the soft engine or an older
 * file) leaves the vCPU's as they are. */
int kvm_msrs_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len);
int kvm_msrs_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);
int kvm_xstate_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);
/* KVM's x87 image to and from FXSAVE's first 160 bytes. */
void kvm_fpu_to_fx(const struct kvm_fpu *f, uint8_t fx[VCPU_FX_BYTES]);
void kvm_fx_to_fpu(const uint8_t fx[VCPU_FX_BYTES], struct kvm_fpu *f);

/* The paravirtual features hv carries through a save: kvm-clock (CLOCKSOURCE2 and its stable
 * bit), the no-op I/O delay and the paravirtual EOI. */
#define KVM_PV_OFFERED                                                                             \
	(1u << KVM_FEATURE_NOP_IO_DELAY | 1u << KVM_FEATURE_CLOCKSOURCE2 |                         \
	 1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT | 1u << KVM_FEATURE_PV_EOI)

/* kvm_cpuid.c: the CPUID KVM_GET_SUPPORTED_CPUID gave, made the guest's:
 * no local APIC unless apic (then no TSC-deadline timer still); KVM's leaves offering only what
 * of want and KVM_PV_OFFERED KVM reports (the paravirtual EOI only with apic), with the
 * hypervisor bit, where KVM reports them whole and kvm-clock is among them, else none of them.
 * Returns the KVM_FEATURE_* bits offered (0: no KVM leaves). kvm_cpuid_setup wants them all
 * unless HV_KVM_PVCLOCK=0 (none) or HV_KVM_PVEOI=0 (not the paravirtual EOI). */
uint32_t kvm_cpuid_filter(struct kvm_cpuid2 *c, uint32_t want, bool apic);
/* Gives the vCPU that CPUID; sets vm->pvclock and vm->pv_eoi. 0, or -1 with a message. */
int kvm_cpuid_setup(struct kvm_vcpu *v, char *err, size_t len);

/* kvm_clock.c: kvm-clock's part of a vcpu_state. kvm_clock_check judges a state's values against
 * the guest's memory map (0, or -1 with the reason in err: a time page or wall clock not wholly in
 * plain RAM); kvm_clock_usable does that and refuses a guest using kvm-clock where it is not
 * offered; kvm_clock_get and kvm_clock_set read and load it (set after usable said yes);
 * kvm_clock_reset turns both its MSRs off for a machine reset. Return 0, or -1 with a message in
 * err (reset: logged). */
int kvm_clock_check(const struct vcpu_state *st, struct guest_mem *mem, char *err, size_t len);
int kvm_clock_usable(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);
int kvm_clock_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len);
int kvm_clock_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);
int kvm_clock_reset(struct kvm_vcpu *v);

/* kvm_pveoi.c: the paravirtual EOI's part of a vcpu_state (its MSR).
 * kvm_pveoi_check judges a saved value against the guest's memory (0, or
 * -1 with the reason in err: misaligned, enabled at address 0, not within
 * RAM); kvm_pveoi_get and kvm_pveoi_set read and load it where it is
 * offered (vm->pv_eoi; elsewhere get gives 0 and set loads nothing);
 * kvm_pveoi_reset turns it off for a machine reset. Return 0, or -1 with
 * a message in err (reset: logged). */
int kvm_pveoi_check(uint64_t msr, struct guest_mem *mem, char *err, size_t len);
int kvm_pveoi_get(struct kvm_vcpu *v, struct vcpu_state *st, char *err, size_t len);
int kvm_pveoi_set(struct kvm_vcpu *v, const struct vcpu_state *st, char *err, size_t len);
int kvm_pveoi_reset(struct kvm_vcpu *v);

#endif
