/* The software CPU's protected-mode internals, shared by the files of
 * hv/x86/ that implement them: descriptor tables, far transfers and call
 * gates, stack frames built before they are committed, IDT delivery,
 * IRET, I/O permissions, paging, hardware task switches and
 * virtual-8086 mode. Only hv/x86/ and its unit tests include this header
 * (through cpu_state.h). */
#ifndef HV_X86_PROTECTED_H
#define HV_X86_PROTECTED_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/x86/cpu_state.h"

/* gate.c */
/* Protected-mode delivery through the IDT (and V86 mode's way out). */
void x86_deliver_protected(struct x86_cpu *cpu, int vector, uint32_t ret_ip, unsigned flags,
			   uint32_t error);

/* paging.c */
/* What a translation found out about its page. */
#define X86_PAGE_USER_WRITE 0x1u /* user writes allowed */
#define X86_PAGE_GLOBAL	    0x2u /* G with CR4.PGE: survives CR3 writes */
#define X86_PAGE_LARGE	    0x4u /* part of a 4 MiB page */
/* Translates `lin` for an access of kind acc (X86_ACC_*): walks the page
 * tables, sets accessed/dirty bits, raises #PF. Returns the physical
 * address and X86_PAGE_* bits in *page. */
uint32_t x86_translate(struct x86_cpu *cpu, uint32_t lin, unsigned acc, unsigned *page);

/* desc.c */
/* Reads the descriptor for sel from the GDT or LDT; false when sel is
 * outside the table. */
bool x86_desc_read(struct x86_cpu *cpu, uint16_t sel, uint64_t *d);
/* x86_desc_read that raises `vector` with the selector as error code. */
uint64_t x86_desc_get(struct x86_cpu *cpu, uint16_t sel, int vector, uint32_t ext);
/* Sets bit `bit` of the descriptor's type byte (accessed, TSS busy). */
void x86_desc_set_type_bit(struct x86_cpu *cpu, uint16_t sel, unsigned bit);
/* Clears a bit of the descriptor's type byte (TSS busy). */
void x86_desc_clear_type_bit(struct x86_cpu *cpu, uint16_t sel, unsigned bit);
/* Fills a segment cache from selector and descriptor. */
void x86_seg_from_desc(struct x86_seg *s, uint16_t sel, uint64_t d);
/* Descriptor fields. */
unsigned x86_desc_dpl(uint64_t d);
unsigned x86_desc_type(uint64_t d); /* attr bits 0-4: S and type */
bool x86_desc_present(uint64_t d);
/* Checks and builds the cache of a stack segment for privilege level
 * `cpl`; faults with `vector` (#GP, #TS) and #SS when not present. */
void x86_check_ss(struct x86_cpu *cpu, uint16_t sel, unsigned cpl, int vector, struct x86_seg *out);
/* Null segment registers an outer privilege level may not keep (RETF,
 * IRET to outer privilege). */
void x86_null_inner_segs(struct x86_cpu *cpu);

/* far.c */
/* CALL far: pushes CS:EIP and transfers (protected mode: code segments
 * and call gates with a stack switch to an inner privilege level). */
void x86_far_call(struct x86_cpu *cpu, uint16_t sel, uint32_t ip, unsigned osz);
/* RETF: pops EIP, CS (and SS:ESP when returning to an outer privilege
 * level), then releases `imm` bytes of parameters. */
void x86_far_return(struct x86_cpu *cpu, unsigned osz, uint16_t imm);
/* Checks the code segment a RETF or IRET returns to; its descriptor. */
uint64_t x86_return_cs(struct x86_cpu *cpu, uint16_t sel);
/* Loads CS with a checked code descriptor at privilege `cpl`. */
void x86_commit_cs(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned cpl, uint32_t ip);

/* frame.c */
/* A stack being built or read before it is committed: pushes check the
 * cached SS and write through paging as CPL `cpl` would. */
struct x86_frame {
	struct x86_seg ss;
	uint32_t sp;
	unsigned cpl;
	int vector; /* #SS, or #TS for a new stack */
	uint32_t error;
};
/* The current stack as a frame. */
void x86_frame_current(struct x86_cpu *cpu, struct x86_frame *f);
void x86_frame_push(struct x86_cpu *cpu, struct x86_frame *f, unsigned size, uint32_t v);
uint32_t x86_frame_pop(struct x86_cpu *cpu, struct x86_frame *f, unsigned size);
/* Releases n bytes of the frame (RETF imm16, skipped parameters). */
void x86_frame_skip(struct x86_frame *f, uint32_t n);
/* Makes the frame the current SS:ESP. */
void x86_frame_commit(struct x86_cpu *cpu, const struct x86_frame *f);
/* RETF and IRET to an outer privilege level: pops the outer SS:ESP from f,
 * checks SS for the new CPL (sel's RPL), loads CS:IP from sel/d, and
 * switches f to the outer stack, releasing `release` bytes there (RETF
 * imm16). The caller commits f. */
void x86_return_outer(struct x86_cpu *cpu, struct x86_frame *f, unsigned osz, uint16_t sel,
		      uint64_t d, uint32_t ip, uint16_t release);
/* SS:ESP for privilege `dpl` from the current TSS. */
void x86_tss_stack(struct x86_cpu *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp);

/* task.c */
enum { X86_TASK_JMP, X86_TASK_CALL, X86_TASK_IRET, X86_TASK_INT };
/* Switches to the task of TSS selector sel with descriptor d, for
 * `reason` (X86_TASK_*), pushing `error` when flags has X86_INT_ERROR. */
void x86_task_switch(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned reason, unsigned flags,
		     uint32_t error);
/* JMP/CALL (reason) to a TSS descriptor or task gate sel/d. */
void x86_task_jump(struct x86_cpu *cpu, uint16_t sel, uint64_t d, unsigned reason);
/* The available TSS a task gate names; #GP(sel | ext) otherwise. */
uint64_t x86_task_tss(struct x86_cpu *cpu, uint16_t sel, uint32_t ext);
/* IRET with NT set: returns to the previous task. */
void x86_task_return(struct x86_cpu *cpu);

/* v86.c */
/* Loads segment registers virtual-8086 style (base = sel * 16). */
void x86_v86_load_segs(struct x86_cpu *cpu, const uint16_t *sels);
/* IRET from CPL 0 to virtual-8086 mode: frame f is past EIP, CS, EFLAGS. */
void x86_v86_enter(struct x86_cpu *cpu, struct x86_frame *f, uint32_t ip, uint16_t cs, uint32_t fl);
/* IRET inside virtual-8086 mode (IOPL 3 only). */
void x86_v86_iret(struct x86_cpu *cpu, unsigned osz);
/* An interrupt or exception from virtual-8086 mode to a ring-0 handler
 * through gate g with code descriptor d. */
void x86_v86_deliver(struct x86_cpu *cpu, uint64_t g, uint64_t d, uint32_t ret_ip, unsigned flags,
		     uint32_t error);
/* #GP(0) in virtual-8086 mode unless IOPL is 3 (PUSHF, POPF, INT n). */
void x86_v86_check_iopl(struct x86_cpu *cpu);

/* iret.c */
/* IRET in protected mode: same privilege and to an outer one. */
void x86_iret_protected(struct x86_cpu *cpu, unsigned osz);
/* The EFLAGS bits POPF may change in protected mode (CPL and IOPL). */
uint32_t x86_popf_mask(const struct x86_cpu *cpu, unsigned osz);

/* ioperm.c */
/* Faults unless the I/O of `size` bytes at `port` is allowed: CPL <= IOPL
 * or the TSS I/O permission bitmap. */
void x86_check_io(struct x86_cpu *cpu, uint16_t port, unsigned size);
#endif
