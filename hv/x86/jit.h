/* The soft CPU's JIT (stage 2): blocks of decoded instructions (block.c)
 * that have run often are translated to x86-64 code, which calls the
 * block's handlers directly (no dispatch loop) or does the commonest
 * register instructions itself, with the lazy flags, EIP, the instruction
 * count and the fault path exactly as the block interpreter leaves them.
 * The code lives in a W^X buffer (jit_buf.c); the emitter is jit_emit.c.
 * Only hv/x86/ and its unit tests include this header. */
#ifndef HV_X86_JIT_H
#define HV_X86_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_cpu;
struct x86_block;
struct x86_jit_perfmap;

/* The code buffer: one memfd mapped twice, writable (rw) and executable
 * (rx), so no page is ever writable and executable at once. It is in two
 * areas, hot [0, cold) and cold [cold, size) (x86_jit_buf_split), each
 * filled from its start; every translation has code in both (jit_emit.c). */
struct x86_jit_buf {
	uint8_t *rw;
	uint8_t *rx;
	size_t size;
	size_t used;	  /* bytes of the hot area in use */
	size_t cold;	  /* where the cold area starts: size for none */
	size_t cold_used; /* bytes of the cold area in use */
	uint64_t flushes; /* times it filled and started again */
};

/* Where a translation's code goes (writable view): its hot and cold
 * areas, [hot, hot_end) and [cold, cold_end). */
struct x86_jit_area {
	uint8_t *hot, *hot_end;
	uint8_t *cold, *cold_end;
};

/* Maps a buffer of `size` bytes (a multiple of the page size), all hot.
 * 0, or -1 with the reason in why (the host refuses executable mappings,
 * or is not x86-64). */
int x86_jit_buf_init(struct x86_jit_buf *b, size_t size, char *why, size_t len);
void x86_jit_buf_free(struct x86_jit_buf *b);
/* Makes the first `hot` bytes the hot area and the rest the cold one
 * (an empty buffer). */
void x86_jit_buf_split(struct x86_jit_buf *b, size_t hot);
/* The room left in each area, at most X86_JIT_MAX_BLOCK_CODE bytes of
 * it: false when either has less (the caller flushes). */
bool x86_jit_buf_room(const struct x86_jit_buf *b, struct x86_jit_area *area);
/* The code written up to hot_end and cold_end (in the room given) is
 * kept. */
void x86_jit_buf_take(struct x86_jit_buf *b, const uint8_t *hot_end, const uint8_t *cold_end);
/* The executable address of p, in the writable view (NULL for NULL). */
const uint8_t *x86_jit_buf_rx(const struct x86_jit_buf *b, const uint8_t *p);
/* Bytes of code in it. */
size_t x86_jit_buf_in_use(const struct x86_jit_buf *b);
/* Forgets all the code in it. */
void x86_jit_buf_reset(struct x86_jit_buf *b);

/* Translated code of a block: runs it from the current EIP (which it
 * stores as block_eip), after the caller has taken the budget and set
 * cpu->block; returns
 * the instructions to add to the count (as run_insns in cpu.c). */
typedef uint32_t (*x86_jit_code)(struct x86_cpu *cpu);

/* Bytes of emitted code a block may need at most, in each area. */
#define X86_JIT_MAX_BLOCK_CODE 16384

/* Direct chaining: a translated block whose end may be linked
 * (x86_block.chain) ends in X86_JIT_SLOTS slots of X86_JIT_SLOT_BYTES,
 * each `cmp eax, DELTA` (imm32 at +1), a jne over the rest, `add [insns],
 * count` and `jmp TARGET` (rel32 at the slot's last 4 bytes), eax holding
 * EIP minus the block's first EIP; TARGET is the chained entry of the
 * block linked (x86_jit_emit_linked's `entry`, which checks that the
 * block's page is unwritten and that it may run; x86_jit_unlink keeps
 * the slot from jumping there once the block's slot holds another), or
 * a return of 0. jit.c patches
 * them as the run loop links blocks (x86_block_link). */
#define X86_JIT_SLOTS	   2
#define X86_JIT_SLOT_BYTES 23
/* A block that ends in a native Jcc or JMP of 32-bit code, or with a
 * 16-bit operand size, jumps straight to the slot of the way it went (no
 * compare): its slots' deltas are emitted fixed, the taken one in the
 * first, and a link goes to the slot of its delta. A 16-bit EIP that
 * wraps around 64 KiB is not at that delta: that way returns the count
 * to the run loop instead (jit_jcc.c). */

/* A link to a block in another page (x86_link.far) goes through a far
 * stub of the block linked from, one per slot, X86_JIT_FAR_BYTES each:
 * the slot jumps there after adding the count, and the stub checks, as
 * run_chain's follow() does, that the soft TLB's read entry for CS.base
 * + EIP still maps it to the host bytes of the block linked (an imm64
 * at X86_JIT_FAR_HOST in the stub), then jumps to that block's chained
 * entry (rel32 at the stub's last 4 bytes); otherwise it returns 0 and
 * run_chain follows the link itself. */
#define X86_JIT_FAR_BYTES 79
#define X86_JIT_FAR_HOST  57

/* Entries of the jump cache (x86_cpu.jc, indexed by EIP modulo it): a
 * block that ends in a RET or an indirect near JMP/CALL and matches
 * neither slot looks EIP up there in its code, and when the entry's
 * block is the one at CS:EIP now (its host bytes are where the soft
 * TLB's read entry for the page of CS.base + EIP points, the same CS.D)
 * jumps to its chained entry, which makes the rest of the checks. The
 * run loop fills it with every block it finds, and looks there first
 * itself (cpu.c's find_block). */
#define X86_JIT_JC 1024

/* Where a block's code is, in the area it was emitted to: NULL for none. */
struct x86_jit_links {
	uint8_t *code;		/* the C entry (x86_jit_code), first in the cold area */
	uint8_t *hot, *hot_end; /* its hot bytes */
	uint8_t *cold_end;	/* its cold bytes are [code, cold_end) */
	uint8_t *slots;
	uint8_t *entry;
	uint8_t *self; /* the self entry: a slot linked to the block at delta 0 */
	uint8_t *far;  /* the far stub of slot 0, that of slot 1 after it */
	bool fixed;    /* the slots' deltas are fixed (x86_block.slot_fixed) */
	uint8_t flat;  /* x86_block.flat of the code */
	unsigned near; /* memory forms with no full soft-TLB lookup (jit_near.c) */
};

/* Emits the code of block b held in `slot` (b may be a copy of it with
 * other instructions) into `area`: with its slots when slot->chain, and a
 * chained entry. slot NULL: neither. b->flat gives the segments that are
 * flat now, l->flat those the code needs flat (x86_block.flat): its
 * chained entry checks them. Returns the bytes emitted, or 0 when they do
 * not fit. */
size_t x86_jit_emit_linked(const struct x86_block *b, const struct x86_block *slot,
			   const struct x86_jit_area *area, unsigned *native, unsigned *mem,
			   struct x86_jit_links *l);
/* Points the slots of translated block b at the blocks its links lead to
 * when they are translated; under HV_JIT_LOCKSTEP, not from or to a
 * block that it checks (x86_block.pure: it runs them one at a time). */
void x86_jit_chain(struct x86_cpu *cpu, struct x86_block *b);
/* Points every slot patched to jump to an entry of translated block b
 * back at its return, and takes b's own slots out of the lists of the
 * blocks they jump to (jit_link.c): before b's slot holds another block
 * (block.c's build), as the entries do not check which block it holds. */
void x86_jit_unlink(struct x86_cpu *cpu, struct x86_block *b);

/* The JIT state of one CPU. */
struct x86_jit {
	struct x86_jit_buf buf;
	uint32_t threshold; /* runs of a block before it is translated */
	bool check;	    /* HV_JIT_LOCKSTEP: x86_jit_lockstep on pure blocks */
	uint64_t checked;   /* blocks run both ways and compared */
	uint64_t blocks;    /* blocks translated */
	uint64_t native;    /* instructions emitted natively */
	uint64_t mem;	    /* of them, with a memory operand */
	uint64_t near;	    /* of those, in the page of the one before (jit_near.c) */
	uint64_t calls;	    /* instructions emitted as handler calls */
	uint64_t ns;	    /* host time spent translating */
	/* Translations dropped because their code page was written (block.c). */
	uint64_t invalidated;
	uint64_t chained; /* slots patched to jump to another block */
	/* Times the run loop called translated code: a chain that stays in
	 * the code (chained entries, far stubs, the jump cache) adds none. */
	uint64_t entries;
	/* HV_JIT_PERFMAP's file (jit_perfmap.h), or NULL. */
	struct x86_jit_perfmap *perfmap;
	/* HV_JIT_DUMP's directory (jit_dump.h), a copy, or NULL. */
	char *dump;
	/* The instructions of the translated blocks, which their code points
	 * at: copied from the decoded blocks' arena, which block.c reuses,
	 * and emptied with the buffer. */
	struct x86_insn *insns;
	size_t insns_used;
};

/* Default size of the code buffer, and of its hot area (a Linux boot's
 * translations: 43% of their bytes hot). A 7 MiB hot area filled four
 * times in the modern guest's boot, and each time every translation was
 * made again; its 26,600 translations take 13 + 18 MiB. The buffer's
 * pages, and the instructions' (X86_JIT_INSNS), are taken as used. */
#define X86_JIT_BUF_SIZE (64u << 20)
#define X86_JIT_HOT_SIZE (28u << 20)
/* Instructions of translated blocks kept (x86_jit.insns): a Linux boot's
 * translations average 5 of them in 800 bytes of code. */
#define X86_JIT_INSNS (X86_JIT_BUF_SIZE / 128)

/* Sets up cpu->jit unless disabled (HV_JIT=0, or `off`), or the host
 * refuses (said once in the log): cpu->jit stays NULL and the block
 * interpreter runs. HV_JIT_THRESHOLD=N sets the tiering threshold. */
void x86_jit_create(struct x86_cpu *cpu, bool off);
void x86_jit_destroy(struct x86_cpu *cpu);
/* Translates block b (its code set in b->code) and returns its code, or
 * NULL when it cannot. */
x86_jit_code x86_jit_translate(struct x86_cpu *cpu, struct x86_block *b);
/* The JIT's lockstep check (HV_JIT_LOCKSTEP=1, a developer tool): a
 * block all of whose instructions are native runs interpreted, then from
 * the same state translated (its memory operands' bytes put back, when
 * each was a soft-TLB hit; otherwise it runs once, interpreted);
 * registers, EIP, EFLAGS, the lazy record, the count and the bytes of
 * the memory operands must be equal. The first divergence is logged and stops the run loop with
 * VCPU_EXIT_ERROR. */
void x86_jit_lockstep(struct x86_cpu *cpu, struct x86_block *b, x86_jit_code code);
/* One instruction through a translation of it alone, for
 * x86_cpu_step_one (HV_JIT_THRESHOLD=0: the vector suites run through the
 * JIT); a fault longjmps to cpu->fault_jmp as the interpreter's does. */
void x86_jit_step(struct x86_cpu *cpu);

#endif
