/* The software CPU's private state and the internal interface shared by the
 * files of hv/x86/: the decoded instruction, the handler signature, memory
 * access through segments and the soft TLB, lazy flags and the fault path.
 * Only hv/x86/ and its unit tests include this header. */
#ifndef HV_X86_CPU_STATE_H
#define HV_X86_CPU_STATE_H

#include <setjmp.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv/core/machine.h"
#include "hv/x86/cpu.h"
#include "hv/x86/jit.h"

struct machine;

/* General registers in encoding order. */
enum { X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_ESP, X86_EBP, X86_ESI, X86_EDI };

/* x86_insn.base/index without a register: x86_cpu.regs[X86_REG_NONE] is 0. */
#define X86_REG_NONE 8

/* Segment registers in encoding order. */
enum { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NSEG };

/* EFLAGS bits. */
#define X86_CF	 0x0001u
#define X86_PF	 0x0004u
#define X86_AF	 0x0010u
#define X86_ZF	 0x0040u
#define X86_SF	 0x0080u
#define X86_TF	 0x0100u
#define X86_IF	 0x0200u
#define X86_DF	 0x0400u
#define X86_OF	 0x0800u
#define X86_IOPL 0x3000u
#define X86_NT	 0x4000u
#define X86_RF	 0x10000u
#define X86_VM	 0x20000u
#define X86_AC	 0x40000u
#define X86_ID	 0x200000u
/* The six flags arithmetic instructions compute (lazily). */
#define X86_ARITH (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

/* CR0 bits. */
#define X86_CR0_PE 0x00000001u
#define X86_CR0_MP 0x00000002u
#define X86_CR0_EM 0x00000004u
#define X86_CR0_TS 0x00000008u
#define X86_CR0_ET 0x00000010u
#define X86_CR0_NE 0x00000020u
#define X86_CR0_WP 0x00010000u
#define X86_CR0_PG 0x80000000u

/* CR4 bits. */
#define X86_CR4_TSD    0x00000004u
#define X86_CR4_DE     0x00000008u
#define X86_CR4_PSE    0x00000010u
#define X86_CR4_PGE    0x00000080u
#define X86_CR4_PCE    0x00000100u
#define X86_CR4_OSFXSR 0x00000200u

/* Exception vectors. */
enum {
	X86_VEC_DE = 0,	 /* divide error */
	X86_VEC_DB = 1,	 /* debug */
	X86_VEC_NMI = 2, /* non-maskable interrupt */
	X86_VEC_BP = 3,	 /* breakpoint */
	X86_VEC_OF = 4,	 /* overflow (INTO) */
	X86_VEC_BR = 5,	 /* BOUND range */
	X86_VEC_UD = 6,	 /* invalid opcode */
	X86_VEC_NM = 7,	 /* device not available */
	X86_VEC_DF = 8,	 /* double fault */
	X86_VEC_TS = 10, /* invalid TSS */
	X86_VEC_NP = 11, /* segment not present */
	X86_VEC_SS = 12, /* stack segment */
	X86_VEC_GP = 13, /* general protection */
	X86_VEC_PF = 14, /* page fault */
	X86_VEC_MF = 16, /* x87 floating-point error */
};

/* Segment descriptor attribute bits as kept in x86_seg.attr (descriptor
 * bits 40-55 shifted down by 8). */
#define X86_SEG_BIG	 0x4000u /* D/B: 32-bit code or stack */
#define X86_SEG_GRAN	 0x8000u /* G: limit in 4 KiB units */
#define X86_SEG_PRESENT	 0x0080u
#define X86_SEG_S	 0x0010u /* code or data (not a system descriptor) */
#define X86_SEG_CODE	 0x0008u /* with S: executable */
#define X86_SEG_CONFORM	 0x0004u /* code: conforming */
#define X86_SEG_EXPDOWN	 0x0004u /* data: expand-down */
#define X86_SEG_RW	 0x0002u /* code: readable; data: writable */
#define X86_SEG_ACCESSED 0x0001u

/* x86_seg.deny: accesses the cached descriptor forbids (0 in real mode). */
#define X86_DENY_READ  0x1u
#define X86_DENY_WRITE 0x2u

/* A segment register: the visible selector and the hidden descriptor cache
 * that every access actually uses (real mode: base = selector * 16). */
struct x86_seg {
	uint16_t sel;
	uint32_t base;
	uint32_t limit; /* highest valid offset */
	uint32_t attr;
	uint32_t floor; /* lowest valid offset (expand-down segments) */
	uint8_t deny;	/* X86_DENY_*: unreadable, unwritable or null */
	/* The fast check, from the fields above (x86_seg_sync): an access
	 * of up to 8 bytes at an offset below fast_end[0] may read, below
	 * fast_end[1] may read and write, with no other segment check
	 * (0: every access takes the full check). */
	uint32_t fast_end[2];
	/* Flat: base 0, limit 4 GiB, readable and writable (x86_seg_sync).
	 * Translated code may skip the fast check and the base of such a
	 * segment (jit_form.c's x86_jit_tlb). */
	bool flat;
};

/* fast_end[write] of a segment cache: a segment that starts at offset 0
 * (not expand-down) and allows the access, up to its limit less 7. */
static inline uint32_t x86_seg_fast_end(const struct x86_seg *s, bool write)
{
	unsigned deny = write ? X86_DENY_READ | X86_DENY_WRITE : X86_DENY_READ;

	if (s->floor || s->limit < 7 || (s->deny & deny))
		return 0;
	return s->limit - 6;
}

/* Whether a segment cache is flat (x86_seg.flat): its fast check lets
 * every offset below 2^32 - 7 read and write, and its base is 0. */
static inline bool x86_seg_is_flat(const struct x86_seg *s)
{
	return s->base == 0 && x86_seg_fast_end(s, true) == 0xfffffff9u;
}

/* The one place the fast check is set: every writer of a segment
 * cache's base, limit, floor or deny calls it after its last write
 * (desc.c, segment.c, cpu.c, msr.c, v86.c, state.c, system.c; the
 * lockstep checker verifies it at every instruction). */
static inline void x86_seg_sync(struct x86_seg *s)
{
	s->fast_end[0] = x86_seg_fast_end(s, false);
	s->fast_end[1] = x86_seg_fast_end(s, true);
	s->flat = x86_seg_is_flat(s);
}

/* Descriptor-table register (GDTR, IDTR). */
struct x86_dtr {
	uint32_t base;
	uint16_t limit;
};

/* Lazy flags: the last arithmetic result and the carry vector of the
 * operation (bit i = carry out of bit i), from which CF, AF and OF follow;
 * `mask` says which arithmetic flags are to be computed from them, the
 * rest being current in eflags. */
struct x86_lazy {
	uint32_t res;
	uint32_t cv;
	uint32_t mask;
	uint8_t bits; /* operand width: 8, 16 or 32 */
};

/* Soft-TLB access kinds, the index of x86_tlb_entry.tag. */
#define X86_ACC_WRITE 0x1u
#define X86_ACC_USER  0x2u

/* One soft-TLB entry: host pointer for a linear page, valid for an access
 * of kind k (X86_ACC_*) when tag[k] matches the page number, so a hit
 * needs no permission check; a page's first write takes the slow path,
 * which sets the dirty bit. The addend is the host page less the linear
 * page's address (modulo 2^64): the host address of a linear address
 * lin of the page is addend + lin, one add. */
struct x86_tlb_entry {
	uint32_t tag[4];
	uint8_t *host;
	uintptr_t addend;
};

/* Direct-mapped: 4096 entries map 16 MiB. A Linux guest writing to the
 * page cache (ext4, the block layer, a user buffer) missed 142 times per
 * 4 KiB written in 256 entries, each miss a page walk, 2.3 million walks
 * for 64 MiB; 64,000 in 4096. Flushes go through the list of the slots
 * filled (x86_cpu.tlb_list), so their cost follows what was cached, not
 * the size. */
#define X86_TLB_SIZE 4096
#define X86_TAG_NONE UINT32_MAX

/* x86_cpu.tlb_flags: the entry survives a CR3 write (a global page with
 * CR4.PGE), it is a piece of a 4 MiB page, its slot is in tlb_list. */
#define X86_TLB_GLOBAL 0x1u
#define X86_TLB_LARGE  0x2u
#define X86_TLB_LISTED 0x4u

struct x86_cpu;
struct x86_insn;

/* Every instruction handler has this signature. */
typedef void (*x86_handler)(struct x86_cpu *cpu, const struct x86_insn *in);

/* A decoded instruction: everything that depends only on the code bytes
 * and CS.D, so a decoded block can keep it as is; the handler is chosen
 * once, by the decoder. */
struct x86_insn {
	x86_handler fn;
	uint16_t op;  /* 0x000-0x0ff one-byte map, 0x100-0x1ff after 0Fh */
	uint8_t len;  /* bytes, prefixes included */
	uint8_t osz;  /* operand size: 2 or 4 */
	uint8_t asz;  /* address size: 2 or 4 */
	int8_t seg;   /* segment override, or -1 */
	uint8_t rep;  /* 0, 0xF2 (REPNE) or 0xF3 (REP/REPE) */
	uint8_t lock; /* LOCK prefix seen */
	uint8_t mod;  /* ModRM fields */
	uint8_t reg;
	uint8_t rm;
	uint8_t base;	/* effective address: base register or X86_REG_NONE */
	uint8_t index;	/* index register or X86_REG_NONE */
	uint8_t scale;	/* index shift: 0-3 */
	uint8_t ea_seg; /* segment of the memory operand: the override or the default */
	uint8_t fuse;	/* a Jcc of this many bytes is fused in (fuse.c), or 0 */
	uint32_t disp;
	uint32_t imm;
	uint32_t imm2;	  /* far pointer selector; ENTER nesting level; fused Jcc's rel */
	uint8_t fuse_osz; /* the fused Jcc's operand size */
	uint8_t fuse_cc;  /* the fused Jcc's condition code (its low nibble) */
};

/* A decoded block (block.c): a straight run of instructions in one page,
 * decoded once and found again by the host address of its first byte
 * and CS.D, so every linear or physical alias of the bytes shares it. It
 * ends at a branch, at an instruction that changes the mode, the
 * interrupt state or the segments, at the page end, or before an
 * instruction it cannot decode without a fault. A block in RAM is valid
 * while its page's code-tracking word (hv/core/code.h) is unchanged; one
 * in ROM, until the memory map changes. */
#define X86_BLOCK_MAX 64 /* instructions */
struct x86_block;

/* A link from a block to the block that ran after it (chaining): when
 * the block ends with EIP at `delta` from its first EIP, the run loop
 * goes straight to `to` if that slot still holds the block at `host`,
 * valid for the current CS. Within one page the host address of the
 * target follows from the block's own by the same delta, whatever the
 * mapping or the CS base the block is entered with; a link to another
 * page (`far`: a call or a return between functions) holds only while
 * the soft TLB maps CS.base + EIP to the target's bytes, checked each
 * time it is followed. The id says that the slot still holds the block
 * linked. */
struct x86_link {
	struct x86_block *to; /* the slot linked to (the block itself: no link) */
	uint64_t id;	      /* to->id when linked; 0: no link */
	uint32_t delta;	      /* EIP at the end minus EIP at the start */
	bool far;	      /* to another page: the mapping is checked */
};

/* Laid out by use, one cache line each: what finding, checking and
 * running a block touches (the run loop, the JIT's jump cache and
 * chained entries), then its links and what an untranslated block
 * needs, then the rest. An idle guest's timer tick runs a few hundred
 * blocks once each, from a cache the host's other work has emptied:
 * scattered over three or four lines, each cost three or four misses. */
struct x86_block {
	/* line 0 */
	alignas(64) const uint8_t *host; /* its first code byte; NULL when the slot is empty */
	uint64_t id;			 /* unique per decode (x86_cpu.block_ids); 0 when empty */
	atomic_uint *word;		 /* its page's tracking word; NULL in ROM */
	/* x86_cpu.insns when it last began to run (or was decoded): the
	 * slot of its set run least recently is the one reused (block.c). */
	uint64_t used;
	x86_jit_code code; /* its translation (jit.c), or NULL */
	/* Its translation's chained entry (jit.h), or NULL. */
	const uint8_t *chain_in;
	uint32_t seen;	   /* *word when decoded */
	uint32_t ip_mask;  /* EIP wraps to it: 0xffff or 0xffffffff */
	uint16_t bytes;	   /* length of the code */
	uint16_t page_off; /* offset of its first byte in its page */
	uint8_t n;	   /* entries in insns */
	uint8_t count;	   /* instructions: n, plus one for a fused pair */
	bool big;	   /* CS.D */
	bool chain;	   /* may link to a successor: ends in a near branch or plain */
	/* line 1 */
	struct x86_link link[2];
	/* Its translation's link slots (jit.h), or NULL. */
	const uint8_t *slots;
	uint32_t hits;	 /* runs since decoded, toward the JIT's threshold */
	bool slot_fixed; /* each slot has its delta for good (jit.h) */
	bool pure;	 /* every instruction in it native (x86_jit_lockstep) */
	/* The segments (bit 1 << s of seg[s]) its translation accesses with
	 * no fast check: each must be flat whenever the code runs. */
	uint8_t flat;
	/* line 2 */
	struct x86_insn *insns;
	/* where each link slot jumps now (NULL: to a return) */
	const uint8_t *slot_to[2];
	/* where a slot linked to the block itself at delta 0 jumps instead
	 * of chain_in (jit_emit.c's self entry), or NULL */
	const uint8_t *chain_self;
	/* The link slots patched to jump to its entries, whose code does
	 * not check that the slot still holds this block: each is pointed
	 * back at unlinked when it is reused (jit.c's x86_jit_unlink). A
	 * list through the sources' in_next/in_prev, each member a block
	 * with the slot's index in bit 0 (blocks are 64-byte aligned). */
	uintptr_t in_head;
	uintptr_t in_next[2], in_prev[2];
	struct x86_block *slot_blk[2]; /* whose entry each slot jumps to, or NULL */
	const uint8_t *unlinked;       /* where a slot not linked jumps */
	const uint8_t *far;	       /* its slots' far stubs (jit.h), or NULL */
#ifndef NDEBUG
	uint64_t sum; /* of the code bytes: checked at entry in debug builds */
#endif
};

/* Block slots: sets of X86_BLOCK_WAYS, found by a hash of the host
 * address. Direct-mapped 4096 slots made an idle Linux guest decode ~110
 * blocks again at each 250 Hz tick (its ~700 hot blocks colliding); a
 * Linux boot decoded 702,000 blocks in 2-way sets and 383,000 in 4-way
 * ones, where code that runs once pushes translated blocks out less. The
 * modern guest's boot (modules, ext4) decoded 2.7 million blocks and
 * translated 60,000 in 4096 sets, 985,000 and 31,600 in 8192, 700,000
 * and 26,600 in 16384 (16 MiB of slots). */
#define X86_BLOCK_SET_BITS 14
#define X86_BLOCK_WAYS	   4
#define X86_BLOCKS	   ((1u << X86_BLOCK_SET_BITS) * X86_BLOCK_WAYS)
#define X86_BLOCK_ARENA	   65536 /* decoded instructions kept, in all blocks */
#define X86_BLOCK_GENS	   4	 /* the arena is reused a quarter at a time */

/* One x87 register in the 80-bit extended format, laid out as FLD m80
 * reads it: the 64-bit significand (explicit integer bit), then sign and
 * 15-bit exponent. */
struct x86_f80 {
	uint64_t mant;
	uint16_t se;
};

/* The x87 FPU (hv/x86/fpu*.c). Registers are kept by physical number;
 * ST(i) is st[(TOP + i) & 7] with TOP in bits 11-13 of sw. */
struct x86_fpu {
	struct x86_f80 st[8];
	uint16_t cw;   /* control word */
	uint16_t sw;   /* status word, TOP included */
	uint8_t valid; /* bit i: Ri is not empty (the rest of the tag is computed) */
	uint16_t fop;  /* last non-control opcode: 11 bits */
	uint32_t fip;  /* its offset (real mode: linear address with fcs 0) */
	uint32_t fdp;  /* its memory operand's offset */
	uint16_t fcs;  /* selectors of both */
	uint16_t fds;
	bool ferr; /* FERR# asserted (CR0.NE = 0: raises IRQ13 on a PC) */
};

struct x86_cpu {
	/* The eight general registers, then X86_REG_NONE, always 0: the
	 * base or index of an address without one, so the effective address
	 * is computed without tests. */
	uint32_t regs[9];
	uint32_t eip;
	uint32_t eflags; /* arithmetic flags here are stale where lazy.mask says */
	struct x86_lazy lazy;
	/* The operand of a shift whose record the translation sinks into
	 * slow paths (jit_sink.c), which build the record from it. */
	uint32_t sunk_opnd;
	struct x86_seg seg[X86_NSEG];
	uint32_t cr[5];
	uint32_t dr[8];
	struct x86_dtr gdtr, idtr;
	struct x86_seg ldtr, tr; /* LDT and task register with their caches */
	uint8_t cpl;		 /* current privilege level (x86_set_cpl) */
	uint8_t acc_user;	 /* X86_ACC_USER at CPL 3, else 0 (x86_set_cpl) */
	uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t apic_base;
	struct x86_fpu fpu;

	struct machine *m;
	uint64_t insns;	   /* retired instructions */
	uint64_t budget;   /* left in the current x86_cpu_run */
	uint32_t ip_start; /* EIP of the instruction being executed */
	bool halted;	   /* in HLT, waiting for an interrupt */
	bool irq_shadow;   /* STI / MOV SS: no interrupt before the next insn */
	bool nmi_blocked;  /* in an NMI handler: no NMI until its IRET */
	bool check_intr;   /* poll the interrupt controller at the next boundary */
	bool pe_warned;
	bool stop; /* the current instruction asks the run loop to return */
	/* The rest of the running block must not run: its code may have been
	 * written, the instruction restarts itself, or the loop must look at
	 * interrupts or stop. */
	bool block_break;
	enum vcpu_exit stop_reason;
	atomic_bool kicked;

	/* The fault path: cpu_raise longjmps to the run loop. */
	jmp_buf fault_jmp;
	int exc_vector;
	uint32_t exc_error;
	bool exc_has_error;
	int delivering; /* vector being delivered, or -1 */

	/* Soft TLB and its map generation; the fetch page cache. */
	struct x86_tlb_entry tlb[X86_TLB_SIZE];
	uint8_t tlb_flags[X86_TLB_SIZE]; /* X86_TLB_* */
	/* The slots filled since the last flush (each once: X86_TLB_LISTED),
	 * the only ones a flush has to visit. */
	uint16_t tlb_list[X86_TLB_SIZE];
	unsigned tlb_listed;
	uint32_t tlb_gen;
	/* The dirty-log epoch the TLB was last flushed for (hv/core/dirty.h). */
	uint32_t dirty_epoch;
	uint32_t fetch_page; /* linear page number of fetch_host */
	const uint8_t *fetch_host;
	uint32_t tlb_globals; /* global entries cached since the last full flush */
	uint32_t tlb_large;   /* entries from 4 MiB pages since then */

	/* Decoded blocks (X86_BLOCKS slots) and the instructions they hold. */
	struct x86_block *blocks;
	struct x86_insn *arena;
	/* The slot of the block decoded at each place of the arena where one
	 * began (it may have been decoded elsewhere since): a generation's
	 * blocks, found without a walk over every slot. */
	struct x86_block **arena_owner;
	unsigned arena_used;	  /* the next block's instructions go here */
	unsigned arena_free;	  /* up to here, no block holds the arena */
	uint64_t arena_evictions; /* generations of blocks dropped to reuse it */
	uint64_t block_ids;	  /* the id of the block decoded last */
	bool tracking;		  /* the memory tracks code pages: RAM blocks may be kept */
	uint64_t poll_at;	  /* insns count of the next routine interrupt poll */
	bool lockstep;		  /* check blocks against the per-instruction path (lockstep.c) */
	const struct x86_block *block; /* the block running, for a fault's count */
	uint32_t block_eip;	       /* its first EIP */
	/* A chained entry (jit_emit.c) runs its block, as run_chain would,
	 * while chain_left covers its count (the entry takes it: one
	 * subtraction for the budget, the poll and a kick): set by the run
	 * loop as it enters translated code to the instructions the budget
	 * leaves and that end by poll_at, and zeroed by a kick
	 * (x86_cpu_kick), with chain_given what it was set to (the run loop
	 * takes what the entries took from the budget: cpu.c's
	 * chain_settle); and while its last byte's EIP is
	 * within chain_cs, CS.limit cut to the blocks' ip_mask (a chain
	 * keeps CS: the instructions that load it end their blocks unlinked,
	 * and links join blocks of one CS.D); and while none of the
	 * segments its code needs flat (x86_block.flat) is in chain_nonflat,
	 * those not flat as the chain started (a chain keeps its segments:
	 * jit_emit.c's flat_checks). */
	_Atomic uint64_t chain_left;
	_Atomic uint64_t chain_kept; /* what kicks took from chain_left */
	uint64_t chain_given;
	/* (bit X86_CHAIN_CS_WIDE of chain_nonflat: CS is not of base 0 and
	 * limit 4 GiB, which 32-bit blocks' entries test instead of
	 * chain_cs) */
	uint64_t chain_cs;
	uint8_t chain_nonflat;
	struct x86_jit *jit; /* the JIT (jit.c), or NULL: interpreted */
	/* The jump cache (jit.h, X86_JIT_JC): the blocks the run loop found,
	 * by EIP, for its own first look (cpu.c's find_block) and the
	 * translated code's after a RET or an indirect JMP/CALL. */
	struct x86_jc {
		uint32_t eip;
		struct x86_block *b;
	} jc[X86_JIT_JC];

	/* The TSC (x86_tsc_read): the virtual clock's nanoseconds plus
	 * tsc_adjust, never below tsc_last + 1, the last reading; on a CPU
	 * that counts instructions (lockstep, no machine) insns - tsc_base,
	 * which each x86_cpu_run moves up to the clock (x86_tsc_sync). */
	uint64_t tsc_base;
	int64_t tsc_adjust;
	uint64_t tsc_last;
};

/* cpu.c */
/* Instructions between two routine polls of the interrupt controller
 * (counted at block boundaries). What raises an interrupt asks for a
 * poll itself: the CPU's own I/O, MMIO writes, STI, POPF and IRET
 * (x86_poll_soon), a device on another thread by a kick, the timers
 * between two runs (each run starts with a poll). The routine poll is
 * a backstop: at 256 instructions, a third of the run loop's passes
 * (one per 100 instructions) of a Linux guest writing to virtio-blk
 * were for it. */
#define X86_POLL_INTERVAL 4096
/* Test and debugger helper: continues execution at cs:ip in real mode. */
void x86_cpu_set_ip(struct x86_cpu *cpu, uint16_t cs, uint32_t ip);
/* Conformance tests (hv/cli/cputest.c): executes exactly one instruction
 * at CS:EIP. Returns -1, or the vector of the exception the instruction
 * raised, which is not delivered: EIP is left at the instruction and
 * *error holds the error code (0 for vectors without one). */
int x86_cpu_step_one(struct x86_cpu *cpu, uint32_t *error);
/* Asks the run loop to return `why` after the current instruction. */
void x86_stop(struct x86_cpu *cpu, enum vcpu_exit why);
/* Asks for an interrupt poll after the current instruction (I/O, STI...). */
static inline void x86_poll_soon(struct x86_cpu *cpu)
{
	cpu->check_intr = true;
	cpu->block_break = true;
}
/* x86_cpu.chain_nonflat's bit for a CS not of base 0 and limit 4 GiB. */
#define X86_CHAIN_CS_WIDE (1u << X86_NSEG)
/* The segments flat now, bit 1 << s for seg[s] (x86_seg.flat): what
 * translated code may access with no fast check (x86_block.flat). */
static inline unsigned x86_flat_segs(const struct x86_cpu *cpu)
{
	unsigned m = 0;

	for (unsigned s = 0; s < X86_NSEG; s++)
		m |= (unsigned)cpu->seg[s].flat << s;
	return m;
}
/* The current instruction runs again (a REP chunk, a waiting x87 op). */
static inline void x86_restart(struct x86_cpu *cpu)
{
	cpu->eip = cpu->ip_start;
	cpu->block_break = true;
}

/* block.c */
/* Allocates the block cache; false when out of memory. */
bool x86_blocks_create(struct x86_cpu *cpu);
void x86_blocks_destroy(struct x86_cpu *cpu);
/* Forgets every block (the memory map changed). */
void x86_blocks_flush(struct x86_cpu *cpu);
/* The valid block at CS:EIP, decoded now if need be, or NULL when the
 * instruction there must go through the fetching decoder (MMIO, a
 * page-crossing instruction, one that faults, CS limit too close). May
 * fault like the fetch of the first byte. */
struct x86_block *x86_block_at(struct x86_cpu *cpu);
/* The first of the X86_BLOCK_WAYS slots where the block whose first code
 * byte is at host may be (a multiplicative hash: code at the same offset
 * of many pages spreads over the sets). */
static inline struct x86_block *x86_block_set(struct x86_cpu *cpu, const uint8_t *host)
{
	uint64_t h = (uint64_t)(uintptr_t)host * 0x9e3779b97f4a7c15u;

	return &cpu->blocks[(h >> (64 - X86_BLOCK_SET_BITS)) * X86_BLOCK_WAYS];
}
/* The slot holding a block decoded at host for CS.D big, valid or not,
 * or NULL. At most one slot of a set holds it. */
static inline struct x86_block *x86_block_slot(struct x86_cpu *cpu, const uint8_t *host, bool big)
{
	struct x86_block *b = x86_block_set(cpu, host);

	for (unsigned w = 0; w < X86_BLOCK_WAYS; w++, b++)
		if (b->host == host && b->big == big)
			return b;
	return NULL;
}
/* Whether the page of a decoded block is unwritten since its decode (a
 * block in ROM has no tracking word and stays valid). */
static inline bool x86_block_valid(const struct x86_block *b)
{
	return !b->word || atomic_load_explicit(b->word, memory_order_relaxed) == b->seen;
}
/* Links `from`, which ran to its end with EIP at `delta` from its first
 * EIP, to `to`, the block found there (by the mapping of now: see struct
 * x86_link). */
void x86_block_link(struct x86_block *from, struct x86_block *to, uint32_t delta);
/* lockstep.c: runs one instruction of a block checked against the
 * fetching decoder and the general handler; false (logged, the loop asked
 * to stop with VCPU_EXIT_ERROR) at the first divergence. */
bool x86_lockstep_insn(struct x86_cpu *cpu, const struct x86_insn *in);
/* After a fault in a block: counts its instructions that completed. */
void x86_block_fault(struct x86_cpu *cpu);
/* A store through the soft TLB is about to go to physical page pa. */
static inline void x86_code_store(struct x86_cpu *cpu, uint32_t pa)
{
	if (cpu->tracking && mem_code_marked(&cpu->m->mem, pa))
		cpu->block_break = true;
}

/* exception.c */
/* The one fault path: abandons the current instruction and delivers
 * exception `vector` (with `error` if the vector takes one). Never returns. */
_Noreturn void cpu_raise(struct x86_cpu *cpu, int vector, uint32_t error);
/* Delivers interrupt `vector` with `ret_ip` as the return address:
 * external interrupts and INT1. */
void x86_deliver(struct x86_cpu *cpu, int vector, uint32_t ret_ip);
/* x86_deliver with X86_INT_* flags: INT n/INT3/INTO (checks the gate's
 * DPL), or an exception pushing `error`. */
void x86_deliver_ex(struct x86_cpu *cpu, int vector, uint32_t ret_ip, unsigned flags,
		    uint32_t error);
#define X86_INT_SOFT  0x1u /* software interrupt: gate DPL >= CPL */
#define X86_INT_ERROR 0x2u /* push an error code */
#define X86_INT_EXT   0x4u /* external event: EXT bit in error codes */

/* decode.c */
/* Decodes the instruction at CS:EIP into *in. Faults like the fetch. */
void x86_decode(struct x86_cpu *cpu, struct x86_insn *in);
/* fuse.c: turns `first`, a flag-setting instruction, into the fused pair
 * of it and `jcc`, the Jcc after it; false (nothing changed) when they do
 * not fuse. */
bool x86_fuse(struct x86_insn *first, const struct x86_insn *jcc);
/* fast.c: the handler specialised for this instruction's operation, size
 * and form, or NULL for the general one of table.c. */
x86_handler x86_fast_handler(const struct x86_insn *in);
/* fpu_fast.c: the same for the common x87 instructions (D8h-DFh). */
x86_handler x86_fpu_fast_handler(const struct x86_insn *in);
/* fast_mem.c: the same for an instruction with a ModRM memory operand. */
x86_handler x86_fast_mem_handler(const struct x86_insn *in);
/* Decodes from the `avail` bytes at p with CS.D `big`, without faulting:
 * false when the instruction is longer than avail or would fault. */
bool x86_decode_bytes(const uint8_t *p, unsigned avail, bool big, struct x86_insn *in);
/* Offset of the instruction's memory operand, wrapped to the address size. */
static inline uint32_t x86_ea(const struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t v = in->disp + cpu->regs[in->base] + (cpu->regs[in->index] << in->scale);

	return in->asz == 2 ? v & 0xffff : v;
}

/* Segment of the memory operand: the override or the default (the
 * decoder resolves it). */
static inline int x86_ea_seg(const struct x86_insn *in)
{
	return in->ea_seg;
}

/* mem.c */
/* The full data access paths: segment checks, the soft TLB or a page
 * walk, MMIO and page-straddling accesses; the faults. */
uint32_t x86_read_full(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size);
void x86_write_full(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size, uint32_t val);

/* The host address of the `size` bytes at seg:off when the segment
 * allows the access (X86_DENY_* bits `deny`) without a fault and the
 * soft TLB holds their page for access kind `acc`, else NULL: the fast
 * path of every data access, inline in the handlers. */
static inline uint8_t *x86_fast_ptr(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size,
				    unsigned deny, unsigned acc)
{
	const struct x86_seg *s = &cpu->seg[seg];
	uint32_t lin = s->base + off;
	const struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];

	/* The segment's fast check (size <= 8) says whether the access is
	 * within it and allowed. The tag is compared with the page of the
	 * last byte: an entry holds only tags of its own slot (tag %
	 * X86_TLB_SIZE), so an access that straddles into the next page
	 * misses, with no test of its own. */
	if (off >= s->fast_end[(deny & X86_DENY_WRITE) != 0] ||
	    e->tag[acc] != (lin + size - 1) >> 12)
		return NULL;
	return (uint8_t *)(e->addend + lin);
}

/* Soft-TLB access kind of a data access at the CPL. */
static inline unsigned x86_acc(const struct x86_cpu *cpu, bool write)
{
	return cpu->acc_user | (write ? X86_ACC_WRITE : 0);
}

static inline uint32_t x86_load_le(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return p[0] | (uint32_t)p[1] << 8;
	default: return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	}
}

static inline void x86_store_le(uint8_t *p, unsigned size, uint32_t v)
{
	switch (size) {
	case 1: p[0] = (uint8_t)v; break;
	case 2:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		break;
	default:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
		break;
	}
}

/* Reads `size` bytes (1, 2, 4) at seg:off. */
static inline uint32_t x86_read(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size)
{
	const uint8_t *p = x86_fast_ptr(cpu, seg, off, size, X86_DENY_READ, x86_acc(cpu, false));

	return p ? x86_load_le(p, size) : x86_read_full(cpu, seg, off, size);
}

/* Writes `size` bytes (1, 2, 4) at seg:off. */
static inline void x86_write(struct x86_cpu *cpu, int seg, uint32_t off, unsigned size,
			     uint32_t val)
{
	uint8_t *p = x86_fast_ptr(cpu, seg, off, size, X86_DENY_WRITE, x86_acc(cpu, true));

	if (p)
		x86_store_le(p, size, val);
	else
		x86_write_full(cpu, seg, off, size, val);
}
/* Raises the fault a one-byte write at seg:off would, writing nothing. */
void x86_probe_write(struct x86_cpu *cpu, int seg, uint32_t off);
/* Instruction fetch at CS:off. */
uint8_t x86_fetch8(struct x86_cpu *cpu, uint32_t off);
/* Fills the fetch page cache for CS:off, faulting as a fetch would; leaves
 * fetch_host NULL when the page is not RAM or ROM. */
void x86_fetch_map(struct x86_cpu *cpu, uint32_t off);
/* Host pointer to seg:[off, off + len) when that is within the segment and
 * one RAM page accessible for the access (write or not), else NULL; the
 * page is looked up as for an access at seg:first (which is in range). */
uint8_t *x86_host_span(struct x86_cpu *cpu, int seg, uint32_t off, uint32_t len, uint32_t first,
		       bool write);
/* Empties the whole soft TLB of a new CPU (x86_cpu_create). */
void x86_tlb_init(struct x86_cpu *cpu);
/* Drops every cached host pointer. */
void x86_tlb_flush(struct x86_cpu *cpu);
/* Flushes if the guest memory map changed since the TLB was filled. */
void x86_tlb_sync(struct x86_cpu *cpu);
/* Physical accesses (IVT, page tables). */
uint32_t x86_phys_read(struct x86_cpu *cpu, uint32_t pa, unsigned size);
void x86_phys_write(struct x86_cpu *cpu, uint32_t pa, unsigned size, uint32_t v);
/* Linear accesses with no segment (descriptor tables, TSS, new stacks);
 * `user` makes paging check them as CPL 3 accesses. */
uint32_t x86_lin_read(struct x86_cpu *cpu, uint32_t lin, unsigned size, bool user);
void x86_lin_write(struct x86_cpu *cpu, uint32_t lin, unsigned size, uint32_t v, bool user);
/* Drops the non-global entries (CR3 write). */
void x86_tlb_flush_nonglobal(struct x86_cpu *cpu);
/* Drops the entry of one linear page (INVLPG). */
void x86_tlb_flush_page(struct x86_cpu *cpu, uint32_t lin);
/* Drops the write permission of entries for host page `page` (block.c). */
void x86_tlb_drop_writes(struct x86_cpu *cpu, const uint8_t *page);

/* operand.c, and the hot operand helpers inline here. */
/* Reads register r as a `size`-byte operand (AH-BH for r 4-7 of size 1). */
static inline uint32_t x86_get_reg(const struct x86_cpu *cpu, unsigned size, unsigned r)
{
	switch (size) {
	case 1: return r < 4 ? cpu->regs[r] & 0xff : (cpu->regs[r - 4] >> 8) & 0xff;
	case 2: return cpu->regs[r] & 0xffff;
	default: return cpu->regs[r];
	}
}

/* Writes register r as a `size`-byte operand, keeping the other bits. */
static inline void x86_set_reg(struct x86_cpu *cpu, unsigned size, unsigned r, uint32_t v)
{
	switch (size) {
	case 1:
		if (r < 4)
			cpu->regs[r] = (cpu->regs[r] & ~0xffu) | (v & 0xff);
		else
			cpu->regs[r - 4] = (cpu->regs[r - 4] & ~0xff00u) | (v & 0xff) << 8;
		break;
	case 2: cpu->regs[r] = (cpu->regs[r] & ~0xffffu) | (v & 0xffff); break;
	default: cpu->regs[r] = v; break;
	}
}

/* The memory form of the r/m operand (mod != 3). */
static inline uint32_t x86_rm_read_mem(struct x86_cpu *cpu, const struct x86_insn *in,
				       unsigned size)
{
	return x86_read(cpu, x86_ea_seg(in), x86_ea(cpu, in), size);
}

static inline void x86_rm_write_mem(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size,
				    uint32_t v)
{
	x86_write(cpu, x86_ea_seg(in), x86_ea(cpu, in), size, v);
}

/* The ModRM r/m operand: a register (mod 3) or memory at the EA. */
static inline uint32_t x86_rm_read(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	if (in->mod == 3)
		return x86_get_reg(cpu, size, in->rm);
	return x86_rm_read_mem(cpu, in, size);
}

static inline void x86_rm_write(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size,
				uint32_t v)
{
	if (in->mod == 3)
		x86_set_reg(cpu, size, in->rm, v);
	else
		x86_rm_write_mem(cpu, in, size, v);
}

/* The memory operand at EA + extra (far pointers, BOUND, descriptors). */
uint32_t x86_mem_read(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t extra,
		      unsigned size);

/* Size of a byte/full-size instruction: 1 when opcode bit 0 is clear. */
static inline unsigned x86_opsize(const struct x86_insn *in)
{
	return (in->op & 1) ? in->osz : 1;
}

/* Mask of an operand `size` bytes wide. */
static inline uint32_t x86_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Sign-extends the low `size` bytes of v. */
static inline uint32_t x86_sext(uint32_t v, unsigned size)
{
	switch (size) {
	case 1: return (uint32_t)(int32_t)(int8_t)v;
	case 2: return (uint32_t)(int32_t)(int16_t)v;
	default: return v;
	}
}

/* Counter register for string ops and LOOP (CX or ECX by address size). */
uint32_t x86_count(const struct x86_cpu *cpu, const struct x86_insn *in);
void x86_set_count(struct x86_cpu *cpu, const struct x86_insn *in, uint32_t v);

/* flags.c */
/* Writes the lazy flags in `which` into eflags and stops them being lazy. */
void x86_lazy_fold(struct x86_cpu *cpu, uint32_t which);

/* Records an arithmetic result; the flags in `mask` now derive from it
 * (lazy flags outside `mask` are folded into eflags first). */
static inline void x86_lazy_set(struct x86_cpu *cpu, uint32_t res, uint32_t cv, unsigned size,
				uint32_t mask)
{
	if (cpu->lazy.mask & ~mask)
		x86_lazy_fold(cpu, cpu->lazy.mask & ~mask);
	cpu->lazy = (struct x86_lazy){res, cv, mask, (uint8_t)(size * 8)};
}
bool x86_cf(struct x86_cpu *cpu);
bool x86_zf(struct x86_cpu *cpu);
bool x86_sf(struct x86_cpu *cpu);
bool x86_of(struct x86_cpu *cpu);
bool x86_pf(struct x86_cpu *cpu);
bool x86_af(struct x86_cpu *cpu);
/* Condition code 0-15 (the low nibble of Jcc/SETcc/CMOVcc). */
bool x86_cond(struct x86_cpu *cpu, unsigned cc);
/* EFLAGS with the lazy flags folded in. */
uint32_t x86_get_eflags(struct x86_cpu *cpu);
/* Replaces the bits of `mask` in EFLAGS; the arithmetic ones stop being lazy. */
void x86_set_eflags(struct x86_cpu *cpu, uint32_t val, uint32_t mask);
/* Sets or clears one arithmetic flag, keeping the others. */
void x86_set_flag(struct x86_cpu *cpu, uint32_t flag, bool on);
/* Parity of the low byte (true when even). */
bool x86_parity(uint32_t v);

/* alu.c */
/* ADD/OR/ADC/SBB/AND/SUB/XOR/CMP (op 0-7): result, flags set. */
uint32_t x86_alu(struct x86_cpu *cpu, unsigned op, uint32_t a, uint32_t b, unsigned size);
/* INC (dec false) or DEC of a `size`-byte value; CF is kept. */
uint32_t x86_incdec(struct x86_cpu *cpu, uint32_t a, unsigned size, bool dec);

/* stack.c */
void x86_push(struct x86_cpu *cpu, unsigned size, uint32_t v);
uint32_t x86_pop(struct x86_cpu *cpu, unsigned size);
/* Width of the stack pointer: 2 or 4 (SS.B). */
unsigned x86_stack_width(const struct x86_cpu *cpu);

/* segment.c */
/* Loads a segment register from a selector (real mode: base = sel * 16;
 * protected mode: with every descriptor check). */
void x86_load_seg(struct x86_cpu *cpu, int seg, uint16_t sel);
/* Loads CS:EIP for a far JMP (protected mode: code segments and call
 * gates). */
void x86_far_jump(struct x86_cpu *cpu, uint16_t sel, uint32_t ip, unsigned osz);
/* Loads DS, ES, FS or GS in protected mode; faults with `vector` (#GP,
 * or #TS in a task switch) or #NP. */
void x86_load_data_seg(struct x86_cpu *cpu, int seg, uint16_t sel, int vector);
/* True in protected mode outside virtual-8086 mode. */
bool x86_protected(const struct x86_cpu *cpu);
/* Sets the CPL; the fetch cache depends on it. */
void x86_set_cpl(struct x86_cpu *cpu, unsigned cpl);

/* system.c */
/* #GP(0) unless CPL is 0 (privileged instructions). */
void x86_require_cpl0(struct x86_cpu *cpu);
/* Writes CR0 with its side effects. */
void x86_write_cr0(struct x86_cpu *cpu, uint32_t val);

/* table.c */
/* Decoding attributes of each opcode (D_* in table.c). */
extern const uint8_t x86_decode_attr[512];
extern const x86_handler x86_handlers[512];
#define X86_D_MODRM 0x01
#define X86_D_I8    0x02 /* 8-bit immediate */
#define X86_D_IV    0x04 /* 16/32-bit immediate by operand size */
#define X86_D_I16   0x08 /* 16-bit immediate */
#define X86_D_MOFFS 0x10 /* offset by address size */
#define X86_D_FAR   0x20 /* offset by operand size, then 16-bit selector */
#define X86_D_ENTER 0x40 /* 16-bit then 8-bit immediate */
#define X86_D_GRP3  0x80 /* immediate only for /0 and /1 (TEST) */

/* Handlers, by family. */
void x86_op_ud(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_alu_rm_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_alu_r_rm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_alu_acc_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp1(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_test_rm_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_test_acc_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_inc_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_dec_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp3(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp4(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp5(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cmpxchg(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cmpxchg8b(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_xadd(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_mov_rm_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_r_rm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_rm_sreg(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_sreg_rm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_acc_moffs(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_moffs_acc(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_r8_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_r_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_movzx(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_movsx(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_xchg_rm_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_xchg_acc_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_lea(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_load_far(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cbw(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cwd(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_xlat(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_nop(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_push_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_pop_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_push_sreg(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_pop_sreg(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_push_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_pop_rm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_pusha(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_popa(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_pushf(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_popf(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_enter(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_leave(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_jcc(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_jmp_rel(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_jmp_far(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_call_rel(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_call_far(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_ret(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_retf(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_loop(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_jcxz(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_int(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_int3(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_int1(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_into(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_iret(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_bound(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_movs(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cmps(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_stos(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_lods(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_scas(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_ins(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_outs(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_daa(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_das(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_aaa(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_aas(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_aam(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_aad(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_salc(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_in_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_out_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_in_dx(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_out_dx(struct x86_cpu *cpu, const struct x86_insn *in);
/* Port I/O for IN/OUT/INS/OUTS; re-syncs the TLB and polls interrupts. */
uint32_t x86_port_in(struct x86_cpu *cpu, uint16_t port, unsigned size);
void x86_port_out(struct x86_cpu *cpu, uint16_t port, unsigned size, uint32_t v);

void x86_op_shift_grp(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_shld(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_shrd(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_imul_r_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_imul_r_rm(struct x86_cpu *cpu, const struct x86_insn *in);
/* MUL/IMUL/DIV/IDIV of the accumulator (group 3 /4-/7). */
void x86_muldiv(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size);

void x86_op_bt_rm_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_bt_grp8(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_bsf(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_bsr(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_bswap(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_setcc(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cmovcc(struct x86_cpu *cpu, const struct x86_insn *in);

void x86_op_hlt(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_flag_op(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_sahf(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_lahf(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_cpuid(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_rdtsc(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp6(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_lar(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_lsl(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_arpl(struct x86_cpu *cpu, const struct x86_insn *in);
/* Sets the TSC to v (reset, WRMSR): it counts on from there. */
void x86_tsc_set(struct x86_cpu *cpu, uint64_t v);
/* Moves an instruction-counting TSC (see x86_tsc_read) up to the
 * virtual clock (ns, plus what x86_tsc_set left): 1 GHz on average,
 * counting instructions between two calls, never backwards. Nothing for
 * a TSC that follows the clock. */
void x86_tsc_sync(struct x86_cpu *cpu);
/* The TSC as RDTSC reads it (msr.c). */
uint64_t x86_tsc_read(struct x86_cpu *cpu);
void x86_op_rdmsr(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_wrmsr(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_sysenter(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_sysexit(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp7(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_r_cr(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_cr_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_r_dr(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_mov_dr_r(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_clts(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_invd(struct x86_cpu *cpu, const struct x86_insn *in);

/* fpu*.c: the x87 escapes D8h-DFh, WAIT and FXSAVE/FXRSTOR (0F AEh). */
void x86_op_fpu_d8(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_d9(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_da(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_db(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_dc(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_dd(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_de(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_fpu_df(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_wait(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_op_grp15(struct x86_cpu *cpu, const struct x86_insn *in);
/* FNINIT's state, which is also the power-on state. */
void x86_fpu_reset(struct x86_cpu *cpu);
/* Puts the host x87's own control word (and clear flags) back on this
 * thread when the x87 handlers left the guest's there (fpu_host.c); cheap
 * when they did not. */
void x86_fpu_host_leave(void);

/* The protected-mode internals: descriptors, gates, tasks, V86, paging. */
#include "hv/x86/protected.h"

#endif
