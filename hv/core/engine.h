/* The vCPU engine interface. `soft` is hv's own x86 CPU (hv/x86/); `kvm`
 * runs on /dev/kvm. The domain's vCPU loop drives an engine only through
 * these ops. */
#ifndef HV_ENGINE_H
#define HV_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

enum vcpu_exit {
	VCPU_EXIT_BUDGET, /* ran its budget; check timers and requests */
	VCPU_EXIT_HALT,	  /* HLT with nothing to deliver: sleep until woken */
	VCPU_EXIT_KICK,	  /* vcpu_kick() was called */
	VCPU_EXIT_RESET,  /* triple fault or the like: the domain must reset */
	VCPU_EXIT_ERROR,  /* the engine cannot go on; see the domain log */
};

struct vcpu_stats {
	uint64_t insns; /* instructions retired (soft engine) */
	uint64_t exits; /* exits to the VMM (kvm engine) */
	/* exits by reason (kvm engine): port I/O, MMIO, HLT, interrupt
	 * delivery (kicks, timers, interrupt windows), anything else */
	uint64_t exits_io, exits_mmio, exits_hlt, exits_intr, exits_other;
	/* interrupt delivery (kvm engine): vectors injected, the last one
	 * (-1: none), and the state the next one waits on, as of the last
	 * exit: halted, KVM ready for one, guest IF, that state predating an
	 * injection, an interrupt window requested */
	uint64_t injected;
	int last_vector;
	bool halted, ready, if_flag, stale, window;
	/* The soft CPU's JIT (hv/x86/jit.c); jit false: off or refused, the
	 * rest zero. Blocks translated, host time spent translating, bytes of
	 * its code buffer in use and the buffer's size, translations dropped
	 * because a write reached their code page, and times the buffer
	 * filled and every translation was forgotten. */
	bool jit;
	uint64_t jit_blocks, jit_ns, jit_code_used, jit_code_size, jit_invalidated, jit_flushes;
	/* Blocks the soft CPU decoded (translated or not): a stable figure says
	 * its hot code stays in the block slots. */
	uint64_t jit_decoded;
};

/* A boot loader's hand-over in 32-bit flat protected mode (the Linux boot
 * protocol's 32-bit entry): CR0.PE only, IF clear, the GDT at gdt_base with
 * flat 4 GiB code at selector cs and flat data at ds (which SS, ES, FS and
 * GS also get), EIP, ESI, other general registers zero. */
struct vcpu_boot32 {
	uint32_t eip;
	uint32_t esi;
	uint32_t gdt_base;
	uint16_t gdt_limit;
	uint16_t cs, ds;
};

/* A vCPU's architectural state, the same for every engine (for debugging
 * and, later, save/restore). The soft engine is 32-bit: it keeps the low
 * halves and refuses a state that needs more (long mode, R8-R15). */
enum { VCPU_ES, VCPU_CS, VCPU_SS, VCPU_DS, VCPU_FS, VCPU_GS, VCPU_LDTR, VCPU_TR, VCPU_NSEG };

/* vcpu_segment.attr: descriptor bits 40-55 shifted down by 40 (type, S,
 * DPL, P, AVL, L, D/B, G), plus a flag for a segment register that holds
 * no usable segment (a null selector in protected mode). */
#define VCPU_SEG_TYPE	  0x000fu
#define VCPU_SEG_S	  0x0010u
#define VCPU_SEG_DPL	  0x0060u
#define VCPU_SEG_PRESENT  0x0080u
#define VCPU_SEG_AVL	  0x1000u
#define VCPU_SEG_LONG	  0x2000u
#define VCPU_SEG_DB	  0x4000u
#define VCPU_SEG_GRAN	  0x8000u
#define VCPU_SEG_UNUSABLE 0x10000u

struct vcpu_segment {
	uint64_t base;
	uint32_t limit; /* highest valid offset, in bytes (G applied) */
	uint32_t attr;
	uint16_t selector;
};

struct vcpu_dtable {
	uint64_t base;
	uint16_t limit;
};

#define VCPU_FX_BYTES	 160
#define VCPU_APIC_BYTES	 1024 /* the local APIC's register page as KVM_GET_LAPIC has it */
#define VCPU_IOAPIC_PINS 24
#define VCPU_XMM_BYTES	 256 /* XMM0-XMM15, FXSAVE's bytes 160 to 415 */

/* The local APIC and the I/O APIC of an engine that has them (the KVM
 * engine with its in-kernel irqchip; present false and the rest 0
 * elsewhere). Whether the guest depends on them is vcpu_apic_in_use's
 * question (hv/core/vcpu_save.h). */
struct vcpu_apic {
	bool present;
	uint64_t base; /* IA32_APIC_BASE */
	/* The xAPIC register page (ID at 20h ... the timer at 380h-3E0h). */
	uint8_t page[VCPU_APIC_BYTES];
	uint32_t ioapic_id, ioapic_sel, ioapic_irr;
	uint64_t redir[VCPU_IOAPIC_PINS]; /* the I/O APIC's redirection table */
};

struct vcpu_state {
	/* RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15: encoding order */
	uint64_t regs[16];
	uint64_t rip, rflags;
	struct vcpu_segment seg[VCPU_NSEG];
	struct vcpu_dtable gdtr, idtr;
	uint64_t cr0, cr2, cr3, cr4, cr8;
	uint64_t efer;
	uint64_t dr6, dr7;
	bool halted; /* in HLT, waiting for an interrupt */
	/* For save/restore (both engines fill them): DR0-DR3, the SYSENTER
	 * MSRs, the interrupt shadow of STI or MOV SS, the NMI blocking from
	 * an NMI's delivery to its handler's IRET, and the x87 state in the layout
	 * of FXSAVE's first 160 bytes (control, status, abridged tag, last
	 * opcode and pointers, ST0-ST7). */
	uint64_t dr[4];
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	bool irq_shadow;
	bool nmi_blocked;
	uint8_t fx[VCPU_FX_BYTES];
	/* KVM's paravirtual clock (kvm-clock), which only the KVM engine
	 * offers: its two MSRs as the guest wrote them (MSR_KVM_SYSTEM_TIME_NEW,
	 * bit 0 the enable; MSR_KVM_WALL_CLOCK_NEW) and the clock's reading
	 * (KVM_GET_CLOCK, ns), 0 where the engine has none. */
	uint64_t pvclock_system_time, pvclock_wall_clock, pvclock_ns;
	struct vcpu_apic apic;
	/* The SSE registers and the MSRs that only the KVM engine's CPU has
	 * (msrs false and all 0 elsewhere): the SYSCALL ones (STAR, LSTAR,
	 * CSTAR, SFMASK) with KERNEL_GS_BASE, PAT, the time-stamp counter as
	 * the guest reads it (stands still while saved, as the clock does)
	 * and TSC_AUX (0 where the CPU has none). */
	uint8_t xmm[VCPU_XMM_BYTES];
	bool msrs;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base, pat, tsc, tsc_aux;
	/* KVM's paravirtual end of interrupt (PV EOI), which only the KVM
	 * engine offers: its MSR as the guest wrote it (MSR_KVM_PV_EOI_EN,
	 * the 4-byte aligned guest address of its flag with bit 0 the
	 * enable), 0 where the engine has none. */
	uint64_t pv_eoi;
};

struct engine_ops {
	const char *name;
	/* Whether this engine can run an ordinary guest here; if not, why. */
	int (*probe)(char *why, size_t len);
	/* Creates the engine's per-domain and per-vCPU state. Return 0 or -1
	 * with a message in err. */
	int (*create)(struct machine *m, void **engine, char *err, size_t len);
	void (*destroy)(void *engine);
	int (*vcpu_create)(void *engine, int index, void **vcpu, char *err, size_t len);
	void (*vcpu_destroy)(void *vcpu);
	/* Power-on state: real mode at F000:FFF0. */
	void (*vcpu_reset)(void *vcpu);
	/* After vcpu_reset: starts in protected mode as a boot loader leaves
	 * the CPU (the GDT must already be in guest memory). */
	void (*vcpu_set_boot32)(void *vcpu, const struct vcpu_boot32 *boot);
	/* Runs guest code for at most `budget` instructions (or until an exit
	 * for engines that do not count them). Called without the domain
	 * lock; the engine takes it around device accesses. */
	enum vcpu_exit (*vcpu_run)(void *vcpu, uint64_t budget);
	/* From any thread: makes vcpu_run return soon. */
	void (*vcpu_kick)(void *vcpu);
	/* Optional (NULL: the engine looks at the clock often enough): from
	 * any thread, with the domain lock held, the soonest timer deadline
	 * moved earlier; vcpu_run must see it before that deadline. */
	void (*vcpu_retime)(void *vcpu);
	void (*vcpu_stats)(void *vcpu, struct vcpu_stats *stats);
	/* The vCPU's registers, read or replaced while it is not running
	 * (its thread is out of vcpu_run). set_state takes every field, so
	 * start from what get_state gave. Return 0, or -1 with a reason in
	 * err (a state this engine cannot hold, a failed ioctl). */
	int (*vcpu_get_state)(void *vcpu, struct vcpu_state *st, char *err, size_t len);
	int (*vcpu_set_state)(void *vcpu, const struct vcpu_state *st, char *err, size_t len);
	/* Optional (NULL: the engine has none): signals the eventfd fd on
	 * every len-byte guest write at gpa instead of exiting for it
	 * (assign), or stops doing so. Returns 0 or -1 (errno set). */
	int (*ioeventfd)(void *engine, uint64_t gpa, unsigned len, int fd, bool assign);
};

extern const struct engine_ops engine_soft;
extern const struct engine_ops engine_kvm;

/* The engine named (soft, kvm, or auto to choose), or NULL with a reason
 * in why. For auto, why also says which engine was chosen and why. */
const struct engine_ops *engine_select(const char *name, char *why, size_t len);

#endif
