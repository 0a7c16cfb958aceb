/* The software CPU's life cycle and its run loop: run decoded blocks
 * (block.c), or one instruction at a time where no block can be kept,
 * take interrupts at block boundaries, and come back here (by longjmp)
 * when an instruction faults. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/machine.h"
#include "hv/x86/cpu_state.h"

/* cpu->delivering for an external interrupt: its vector with this bit. */
#define DELIVERING_EXTERNAL 0x100

/* Creates a CPU attached to m, in its power-on state. */
struct x86_cpu *x86_cpu_create(struct machine *m)
{
	struct x86_cpu *cpu = calloc(1, sizeof *cpu);

	if (!cpu)
		return NULL;
	cpu->m = m;
	x86_tlb_init(cpu);
	/* A developer's switch: see lockstep.c. */
	cpu->lockstep = getenv("HV_X86_LOCKSTEP") && strcmp(getenv("HV_X86_LOCKSTEP"), "0") != 0;
	if (!x86_blocks_create(cpu)) {
		free(cpu);
		return NULL;
	}
	x86_jit_create(cpu, m && m->jit_off);
	atomic_init(&cpu->kicked, false);
	x86_cpu_reset(cpu);
	return cpu;
}

/* Frees a CPU made by x86_cpu_create. */
void x86_cpu_destroy(struct x86_cpu *cpu)
{
	if (cpu) {
		x86_jit_destroy(cpu);
		x86_blocks_destroy(cpu);
	}
	free(cpu);
}

static void reset_seg(struct x86_seg *s, uint16_t sel, uint32_t base, uint32_t attr)
{
	*s = (struct x86_seg){.sel = sel, .base = base, .limit = 0xffff, .attr = attr};
	x86_seg_sync(s);
}

/* Power-on state (Intel SDM vol. 3, table 9-1). */
void x86_cpu_reset(struct x86_cpu *cpu)
{
	memset(cpu->regs, 0, sizeof cpu->regs);
	cpu->regs[X86_EDX] = 0x00000600; /* family 6 */
	cpu->eip = 0xfff0;
	cpu->eflags = 0x2;
	cpu->lazy.mask = 0;
	for (int i = 0; i < X86_NSEG; i++)
		reset_seg(&cpu->seg[i], 0, 0, 0x93);
	reset_seg(&cpu->seg[X86_CS], 0xf000, 0xffff0000, 0x9b);
	memset(cpu->cr, 0, sizeof cpu->cr);
	cpu->cr[0] = 0x60000010;
	memset(cpu->dr, 0, sizeof cpu->dr);
	cpu->dr[6] = 0xffff0ff0;
	cpu->dr[7] = 0x400;
	x86_set_cpl(cpu, 0);
	reset_seg(&cpu->ldtr, 0, 0, 0x82);
	reset_seg(&cpu->tr, 0, 0, 0x8b);
	cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
	cpu->apic_base = 0xfee00100; /* bootstrap processor; no APIC is modelled */
	/* R0-R7 are +0.0 after power-up and RESET; FNINIT (x86_fpu_reset)
	 * leaves them, and FNSAVE stores them even when empty. */
	memset(cpu->fpu.st, 0, sizeof cpu->fpu.st);
	x86_fpu_reset(cpu);
	cpu->gdtr = (struct x86_dtr){0, 0xffff};
	cpu->idtr = (struct x86_dtr){0, 0xffff};
	cpu->halted = false;
	cpu->irq_shadow = false;
	cpu->nmi_blocked = false;
	cpu->check_intr = true;
	cpu->delivering = -1;
	cpu->pe_warned = false;
	x86_tsc_set(cpu, 0);
	x86_tlb_flush(cpu);
}

/* Continues execution at cs:ip with a real-mode CS. */
void x86_cpu_set_ip(struct x86_cpu *cpu, uint16_t cs, uint32_t ip)
{
	reset_seg(&cpu->seg[X86_CS], cs, (uint32_t)cs << 4, 0x9b);
	x86_set_cpl(cpu, 0);
	cpu->eip = ip;
	cpu->halted = false;
	cpu->fetch_host = NULL;
}

/* Makes the running x86_cpu_run return VCPU_EXIT_KICK soon. */
void x86_cpu_kick(struct x86_cpu *cpu)
{
	atomic_store_explicit(&cpu->kicked, true, memory_order_release);
	/* translated code sees it at its next chained entry (or, when the
	 * store lands inside an entry's subtraction and is lost, by the time
	 * the chain returns at poll_at); what was left is kept for
	 * chain_settle, so the budget is charged what ran, not all it gave */
	atomic_fetch_add_explicit(
	    &cpu->chain_kept, atomic_exchange_explicit(&cpu->chain_left, 0, memory_order_relaxed),
	    memory_order_relaxed);
}

/* Instructions retired since creation. */
uint64_t x86_cpu_insns(const struct x86_cpu *cpu)
{
	return cpu->insns;
}

/* Makes the run loop return `why` once the current instruction is done. */
void x86_stop(struct x86_cpu *cpu, enum vcpu_exit why)
{
	cpu->stop = true;
	cpu->stop_reason = why;
	cpu->block_break = true;
}

/* An NMI (vector 2, whatever IF says) if one is raised and no NMI
 * handler is running; it blocks the next until an IRET. */
static bool take_nmi(struct x86_cpu *cpu)
{
	if (cpu->nmi_blocked || !atomic_load_explicit(&cpu->m->nmi, memory_order_relaxed) ||
	    !atomic_exchange(&cpu->m->nmi, false))
		return false;
	cpu->halted = false;
	cpu->nmi_blocked = true;
	cpu->ip_start = cpu->eip;
	cpu->delivering = DELIVERING_EXTERNAL | X86_VEC_NMI;
	x86_deliver(cpu, X86_VEC_NMI, cpu->eip);
	cpu->delivering = -1;
	return true;
}

/* Takes an NMI or an external interrupt if one can be taken now. */
static bool take_interrupt(struct x86_cpu *cpu)
{
	int vector;

	cpu->check_intr = false;
	cpu->poll_at = cpu->insns + X86_POLL_INTERVAL;
	if (take_nmi(cpu))
		return true;
	if (!(cpu->eflags & X86_IF) || !machine_intr_pending(cpu->m))
		return false;
	x86_fpu_host_leave(); /* the interrupt controller is device code */
	vector = machine_intr_ack(cpu->m);
	if (vector < 0)
		return false;
	cpu->halted = false;
	cpu->ip_start = cpu->eip;
	/* Marked external: an IRQ on vector 8 is no double fault. */
	cpu->delivering = DELIVERING_EXTERNAL | (vector & 0xff);
	x86_deliver(cpu, vector & 0xff, cpu->eip);
	cpu->delivering = -1;
	return true;
}

static bool intr_poll_due(struct x86_cpu *cpu)
{
	if (cpu->irq_shadow) {
		cpu->irq_shadow = false;
		return false;
	}
	return cpu->check_intr || cpu->insns >= cpu->poll_at;
}

/* One instruction decoded by the fetching decoder: where no block can be
 * kept, and for single-stepping (TF). A fault leaves through cpu_raise. */
static void step(struct x86_cpu *cpu)
{
	struct x86_insn in;
	bool trap = cpu->eflags & X86_TF;

	cpu->ip_start = cpu->eip;
	x86_decode(cpu, &in);
	cpu->eip = cpu->ip_start + in.len;
	if (!(cpu->seg[X86_CS].attr & X86_SEG_BIG))
		cpu->eip &= 0xffff;
	in.fn(cpu, &in);
	cpu->insns++;
	if (trap && !cpu->halted) {
		cpu->ip_start = cpu->eip;
		x86_deliver(cpu, X86_VEC_DB, cpu->eip);
	}
}

/* The instructions of block b, validated by x86_block_at, until one asks
 * for a break. The budget is taken per block and the instruction count
 * added at its end (a fault adds the instructions before it: see
 * x86_block_fault); ip_start (the EIP a fault reports) stays exact per
 * instruction. EIP is kept in a local between instructions: a handler
 * that moves it ends its block (a branch) or asks for a break. `mask` is
 * the block's ip_mask, a constant in each copy of the loop. cpu->block
 * stays set after the block (the run loop clears it before anything
 * else may fault), and block_break is cleared by the run loop. */
static inline __attribute__((always_inline)) void
run_insns(struct x86_cpu *cpu, const struct x86_block *b, bool check, uint32_t mask)
{
	const struct x86_insn *in = b->insns, *end = in + b->n;
	uint32_t ip = cpu->eip;

	cpu->budget -= b->count;
	cpu->block = b;
	cpu->block_eip = ip;
	do {
		assert(cpu->eip == ip);
		cpu->ip_start = ip;
		ip = (ip + in->len) & mask;
		cpu->eip = ip;
		if (!check)
			in->fn(cpu, in);
		else if (!x86_lockstep_insn(cpu, in))
			break;
	} while (++in < end && !cpu->block_break);
	cpu->insns += in == end ? b->count : (uint64_t)(in - b->insns);
}

/* What the chained entries of translated code check (x86_cpu's
 * chain_left, chain_cs and chain_nonflat), as b starts a chain with the
 * segments of `flat` flat (x86_flat_segs), and CS wide or not
 * (X86_CHAIN_CS_WIDE): the blocks after b may take what the budget
 * leaves after it, as far as they end by poll_at (the run loop runs the
 * block that crosses it, as it checks the poll before a block, not
 * after). A kick from another thread that lands before the store of
 * chain_left is seen by the check after it, or at the latest by
 * chain_stop when the chain returns at poll_at. */
static inline void chain_start(struct x86_cpu *cpu, const struct x86_block *b, unsigned flat)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];
	uint64_t end = cpu->insns + b->count, left = cpu->budget - b->count;

	if (end >= cpu->poll_at)
		left = 0;
	else if (cpu->poll_at - end < left)
		left = cpu->poll_at - end;
	cpu->chain_given = left;
	atomic_store_explicit(&cpu->chain_left, left, memory_order_relaxed);
	/* a kick already made, or one that came as chain_left was set: its
	 * share goes to chain_kept, so chain_settle charges none of it */
	if (atomic_load_explicit(&cpu->kicked, memory_order_relaxed))
		x86_cpu_kick(cpu);
	cpu->chain_cs = cs->limit & b->ip_mask;
	if (cs->base == 0 && cs->limit == 0xffffffffu)
		flat |= X86_CHAIN_CS_WIDE;
	cpu->chain_nonflat = (uint8_t)~flat;
}

/* The counts of the blocks the chained entries ran taken from the budget,
 * once translated code has returned or faulted: what they took from
 * chain_left (with what a kick took from it: chain_kept). A kick from
 * another thread that lands inside an entry's subtraction or its undo
 * may leave more than was given: then none is taken. */
static inline void chain_settle(struct x86_cpu *cpu)
{
	uint64_t left = atomic_exchange_explicit(&cpu->chain_left, 0, memory_order_relaxed) +
			atomic_exchange_explicit(&cpu->chain_kept, 0, memory_order_relaxed);

	if (left < cpu->chain_given)
		cpu->budget -= cpu->chain_given - left;
	cpu->chain_given = 0;
}

/* Block b by its translation: once translated, or at the JIT's
 * threshold (jit.c); false if it has none. */
static inline bool run_translated(struct x86_cpu *cpu, struct x86_block *b)
{
	x86_jit_code code = b->code;
	unsigned flat;

	if (!code && (++b->hits < cpu->jit->threshold || !(code = x86_jit_translate(cpu, b))))
		return false;
	/* the segments its code needs flat (a chain keeps them: jit_emit.c's
	 * flat_checks) */
	flat = x86_flat_segs(cpu);
	if (b->flat & ~flat)
		return false;
	if (cpu->jit->check && b->pure) {
		x86_jit_lockstep(cpu, b, code);
		return true;
	}
	chain_start(cpu, b, flat);
	cpu->budget -= b->count;
	cpu->block = b; /* and block_eip: the code stores it */
	cpu->jit->entries++;
	cpu->insns += code(cpu);
	chain_settle(cpu);
	return true;
}

static inline void run_block(struct x86_cpu *cpu, struct x86_block *b)
{
	b->used = cpu->insns;
	if (cpu->jit && !cpu->lockstep && run_translated(cpu, b))
		return;
	if (cpu->lockstep)
		run_insns(cpu, b, true, b->ip_mask);
	else if (b->big)
		run_insns(cpu, b, false, 0xffffffffu);
	else
		run_insns(cpu, b, false, 0xffffu);
}

/* One instruction by the fetching decoder: where there is no block, it
 * would overrun the budget, for TF, and for the instruction in an
 * interrupt shadow (after STI, MOV SS), so that a pending interrupt comes
 * right after it, as on hardware. */
static void run_one(struct x86_cpu *cpu)
{
	cpu->ip_start = cpu->eip;
	cpu->budget--;
	step(cpu);
}

/* Whether an NMI or an external interrupt would be taken now but for
 * the interrupt shadow. */
static bool intr_waiting(struct x86_cpu *cpu)
{
	if (!cpu->nmi_blocked && atomic_load_explicit(&cpu->m->nmi, memory_order_relaxed))
		return true;
	return (cpu->eflags & X86_IF) && machine_intr_pending(cpu->m);
}

/* The slow part of a block boundary: a kick, the interrupt shadow, an
 * interrupt poll, HLT. True when the loop must return *exit; *one says
 * the next instruction must run alone: under TF, or in the shadow of an
 * STI or MOV SS when an interrupt waits, to be taken right after it as
 * on hardware. With none waiting the next block runs whole, and the poll
 * the shadow put off comes after it (check_intr stays set): one that
 * arrives in the meantime may come a block later. The shadow of its
 * STIs had sent 6% of the run loop's passes of a Linux guest writing to
 * virtio-blk through the fetching decoder. */
static bool boundary(struct x86_cpu *cpu, bool *one, enum vcpu_exit *exit)
{
	bool shadow = cpu->irq_shadow;

	if (atomic_load_explicit(&cpu->kicked, memory_order_relaxed)) {
		atomic_store_explicit(&cpu->kicked, false, memory_order_relaxed);
		*exit = VCPU_EXIT_KICK;
		return true;
	}
	if (intr_poll_due(cpu))
		take_interrupt(cpu);
	if (cpu->halted) {
		*exit = VCPU_EXIT_HALT;
		return true;
	}
	*one = (cpu->eflags & X86_TF) || (shadow && intr_waiting(cpu));
	if (shadow && !*one)
		cpu->poll_at = cpu->insns; /* no chain past the block */
	return false;
}

/* Whether the boundary needs its slow part (boundary()). */
static inline bool boundary_due(struct x86_cpu *cpu)
{
	return cpu->irq_shadow | cpu->check_intr | cpu->halted |
	       atomic_load_explicit(&cpu->kicked, memory_order_relaxed) |
	       (cpu->insns >= cpu->poll_at) | ((cpu->eflags & X86_TF) != 0);
}

/* The block at host for CS.D big: EIP's entry of the jump cache when it
 * holds it (one cache line, where the set of slots costs up to four),
 * else its slot, or NULL. */
static inline struct x86_block *lookup(struct x86_cpu *cpu, const uint8_t *host, bool big)
{
	struct x86_block *b = cpu->jc[cpu->eip % X86_JIT_JC].b;

	if (cpu->jc[cpu->eip % X86_JIT_JC].eip == cpu->eip && b && b->host == host && b->big == big)
		return b;
	return x86_block_slot(cpu, host, big);
}

/* The valid block at CS:EIP when it is found without decoding (NULL for
 * an empty one: see block.c's build); else what x86_block_at says. The
 * page is mapped for fetching first, which may fault as x86_block_at
 * would. */
static inline struct x86_block *find_block(struct x86_cpu *cpu)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];
	uint32_t ip = cpu->eip, lin = cs->base + ip;
	struct x86_block *b;

	if (!cpu->fetch_host || cpu->fetch_page != lin >> 12)
		x86_fetch_map(cpu, ip);
	if (!cpu->fetch_host)
		return NULL;
	b = lookup(cpu, cpu->fetch_host + (lin & 0xfffu), (cs->attr & X86_SEG_BIG) != 0);
	if (b && x86_block_valid(b) && (uint64_t)ip + b->bytes - 1 <= (cs->limit & b->ip_mask))
		return b->n ? b : NULL;
	return x86_block_at(cpu);
}

/* Puts b, just found at EIP, in the jump cache; not under
 * HV_JIT_LOCKSTEP, whose checked blocks must run alone, not be jumped
 * to by translated code. */
static inline void jc_fill(struct x86_cpu *cpu, struct x86_block *b)
{
	if (!cpu->jit || !cpu->jit->check)
		cpu->jc[cpu->eip % X86_JIT_JC] = (struct x86_jc){cpu->eip, b};
}

/* Whether the soft TLB maps CS:ip, for a fetch at the CPL, to host: the
 * check x86_fetch_map's lookup makes on a hit. */
static inline bool fetch_maps(const struct x86_cpu *cpu, uint32_t ip, const uint8_t *host)
{
	uint32_t lin = cpu->seg[X86_CS].base + ip;
	const struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];

	return e->tag[cpu->acc_user] == lin >> 12 && e->host && e->host + (lin & 0xfffu) == host;
}

/* Whether CS:ip, the target of a far link that fetch_maps() did not
 * find in the soft TLB, is fetched from host: by the lookup find_block
 * would make next (a kernel's calls and returns had missed in the
 * direct-mapped TLB at a fifth of the far links followed), which may
 * fault as it would: no block is running then. */
static __attribute__((noinline)) bool fetch_maps_slow(struct x86_cpu *cpu, uint32_t ip,
						      const uint8_t *host)
{
	uint32_t lin = cpu->seg[X86_CS].base + ip;

	cpu->block = NULL;
	cpu->ip_start = ip;
	x86_fetch_map(cpu, ip);
	return cpu->fetch_host && cpu->fetch_host + (lin & 0xfffu) == host;
}

/* The block linked to b for where b left EIP, when it is still the
 * block there and valid: the slot still holds the block linked (its
 * id), its page not written since it was decoded, within the CS limit,
 * and for a far link, still mapped there (a lookup that may fault). b ran under the current CS and
 * mapping, and nothing in a chain changes them (see chains() in block.c), so in b's page the same
 * delta leads to the same bytes. An empty link points back at b with id 0, which no block has. */
static inline struct x86_block *follow(struct x86_cpu *cpu, const struct x86_block *b)
{
	uint32_t ip = cpu->eip, delta = ip - cpu->block_eip;
	const struct x86_link *l = &b->link[b->link[0].delta != delta];
	struct x86_block *n = l->to;

	if (l->delta != delta || n->id != l->id || !x86_block_valid(n) ||
	    (uint64_t)ip + n->bytes - 1 > (cpu->seg[X86_CS].limit & n->ip_mask) ||
	    (l->far && !fetch_maps(cpu, ip, n->host) && !fetch_maps_slow(cpu, ip, n->host)))
		return NULL;
	return n;
}

/* Whether a chain must return to the run loop after a block. Of what
 * boundary_due() looks at, only a kick (from another thread) and the
 * routine interrupt poll can become due in a block that may be linked:
 * the instructions that set the interrupt shadow, HLT, TF or an early
 * poll (STI, MOV/POP SS, HLT, POPF, IRET, I/O...) end their blocks
 * without links or ask for a break. */
static inline bool chain_stop(struct x86_cpu *cpu, uint64_t poll_at)
{
	return cpu->block_break | atomic_load_explicit(&cpu->kicked, memory_order_relaxed) |
	       (cpu->insns >= poll_at);
}

/* Runs block b and the blocks chained after it while nothing asks for
 * the run loop (chain_stop) and the budget covers the next. Returns the
 * last block when it ended where it may be linked to the block the run
 * loop finds next (the link was missing), else NULL. A link between two
 * translated blocks is also patched into the code (x86_jit_chain), whose
 * chained entries then make the same checks without coming back here;
 * the block that ran last is cpu->block. */
static inline struct x86_block *run_chain(struct x86_cpu *cpu, struct x86_block *b)
{
	uint64_t poll_at = cpu->poll_at; /* changed only by the run loop */

	for (;;) {
		struct x86_block *n;

		run_block(cpu, b);
		/* Translated code may have run on through its chained blocks. */
		b = (struct x86_block *)cpu->block;
		if (chain_stop(cpu, poll_at))
			return NULL;
		n = follow(cpu, b);
		if (!n)
			return b->chain ? b : NULL;
		/* Now in the code, unless the far stub found the mapping changed. */
		if (n->chain_in && b->slots)
			x86_jit_chain(cpu, b);
		if (n->count > cpu->budget)
			return NULL;
		b = n;
	}
}

/* Runs blocks until the budget is spent or something asks to stop. Out
 * of line from run_budget, whose setjmp would keep cpu on the stack.
 * `prev` is a block that ended with no link to follow: it is linked to
 * the block found next. */
static __attribute__((noinline)) enum vcpu_exit run_loop(struct x86_cpu *cpu)
{
	struct x86_block *prev = NULL;

	while (cpu->budget > 0) {
		struct x86_block *b = NULL;
		bool one = false;

		enum vcpu_exit e;

		cpu->block = NULL;
		cpu->block_break = false;
		if (boundary_due(cpu) && boundary(cpu, &one, &e))
			return e;
		cpu->ip_start = cpu->eip;
		if (!one)
			b = find_block(cpu);
		if (b)
			jc_fill(cpu, b);
		if (prev && b) {
			x86_block_link(prev, b, cpu->eip - cpu->block_eip);
			if (b->chain_in && prev->slots)
				x86_jit_chain(cpu, prev);
		}
		prev = NULL;
		if (b && b->count <= cpu->budget)
			prev = run_chain(cpu, b);
		else
			run_one(cpu);
		if (cpu->stop) {
			cpu->stop = false;
			return cpu->stop_reason;
		}
	}
	return VCPU_EXIT_BUDGET;
}

static bool contributory(int vector)
{
	return vector == X86_VEC_DE || (vector >= X86_VEC_TS && vector <= X86_VEC_GP);
}

/* Whether a fault while delivering `first` makes a double fault (SDM
 * vol. 3, table 6-5); otherwise the second fault is delivered instead. */
static bool is_double_fault(int first, int second)
{
	if (first == X86_VEC_PF)
		return second == X86_VEC_PF || contributory(second);
	return contributory(first) && contributory(second);
}

/* Delivers the exception cpu_raise recorded; escalates a fault during
 * delivery to a double fault, and a fault during that to a reset. */
static bool deliver_exception(struct x86_cpu *cpu)
{
	int vector = cpu->exc_vector;
	uint32_t error = cpu->exc_error;
	bool has_error = cpu->exc_has_error;

	if (cpu->delivering == X86_VEC_DF)
		return false;
	if (cpu->delivering >= 0 && is_double_fault(cpu->delivering, vector)) {
		vector = X86_VEC_DF;
		error = 0;
		has_error = true;
	}
	cpu->delivering = vector;
	cpu->eip = cpu->ip_start;
	if (!(cpu->cr[0] & X86_CR0_PE) && vector >= 8 && vector <= 15)
		/* A PC's BIOS has its IRQ 0-7 handlers at vectors 8-15, so a
		 * real-mode #GP, #SS or #DF runs an interrupt handler that
		 * returns to the faulting instruction: a silent hang unless
		 * said. */
		log_guest("x86: real-mode exception %d at %04x:%04x runs vector %d, on a PC "
			  "the handler of IRQ %d",
			  vector, cpu->seg[X86_CS].sel, cpu->ip_start, vector, vector - 8);
	x86_deliver_ex(cpu, vector, cpu->ip_start, has_error ? X86_INT_ERROR : 0, error);
	cpu->delivering = -1;
	return true;
}

/* Executes one instruction; a fault is returned, not delivered. */
int x86_cpu_step_one(struct x86_cpu *cpu, uint32_t *error)
{
	void (*one)(struct x86_cpu *) = cpu->jit && cpu->jit->threshold == 0 ? x86_jit_step : step;

	cpu->stop = false;
	x86_tlb_sync(cpu);
	if (setjmp(cpu->fault_jmp) != 0) {
		cpu->eip = cpu->ip_start;
		cpu->delivering = -1;
		*error = cpu->exc_has_error ? cpu->exc_error : 0;
		x86_fpu_host_leave();
		return cpu->exc_vector;
	}
	one(cpu);
	x86_fpu_host_leave();
	return -1;
}

static enum vcpu_exit run_budget(struct x86_cpu *cpu, uint64_t budget)
{
	cpu->budget = budget;
	cpu->check_intr = true;
	cpu->stop = false;
	x86_tlb_sync(cpu);
	if (setjmp(cpu->fault_jmp) != 0) {
		chain_settle(cpu);
		x86_block_fault(cpu);
		if (!deliver_exception(cpu)) {
			log_guest("x86: triple fault: exception %d (error %#x) at %04x:%08x",
				  cpu->exc_vector, cpu->exc_error, cpu->seg[X86_CS].sel,
				  cpu->ip_start);
			cpu->delivering = -1;
			return VCPU_EXIT_RESET;
		}
		if (cpu->stop) {
			cpu->stop = false;
			return cpu->stop_reason;
		}
	}
	return run_loop(cpu);
}

/* Runs up to `budget` instructions, bracketed for the dirty-page logs
 * (hv/core/dirty.h): a fetch while the CPU is out of here (asleep in HLT) need
 * not keep pages for its TLB, which is synced before the next access. */
enum vcpu_exit x86_cpu_run(struct x86_cpu *cpu, uint64_t budget)
{
	struct mem_dirty *d = &cpu->m->mem.dirty;
	enum vcpu_exit e;

	mem_dirty_cpu_enter(d);
	x86_tsc_sync(cpu);
	e = run_budget(cpu, budget);
	x86_fpu_host_leave();
	mem_dirty_cpu_leave(d);
	return e;
}
