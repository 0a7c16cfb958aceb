/* Block chaining in the software CPU: a block that ends in a near branch
 * or runs into the next links to the block found after it, and the run
 * loop follows the link without looking the block up, as long as the
 * target is still the block decoded there (code rewritten under a
 * running chain, even by a device in the middle of a block, is decoded
 * anew), is valid for the current CS (a change of CS.D decodes anew) and
 * nothing waits at the block boundary (an interrupt, a kick, the budget).
 * Real-mode tests load code at 0000:7C00 with SS:SP = 0000:7000; the
 * bytes were assembled with nasm (bits 16, org 7C00h unless a test says
 * otherwise); keep each comment in step with its bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "x86_fixture.h"

/* The interrupt controller: an interrupt becomes pending once the CPU
 * has retired irq_at instructions (0: never); irq_taken_at records the
 * count when it is acknowledged. */
static uint64_t irq_at, irq_taken_at;
/* Where the test device (dev_read) patches code. */
static uint32_t dev_patch_at;

static bool intc_pending(void *opaque)
{
	(void)opaque;
	return irq_at && !irq_taken_at && x86_cpu_insns(cpu) >= irq_at;
}

static int intc_ack(void *opaque)
{
	(void)opaque;
	irq_taken_at = x86_cpu_insns(cpu);
	return 0x20;
}

static const struct intc_ops intc = {intc_pending, intc_ack, NULL};

static void setup(void)
{
	x86f_setup(8u << 20);
	m.intc = &intc;
	m.intc_opaque = NULL;
	irq_at = irq_taken_at = 0;
	dev_patch_at = 0x7c20;
}

static enum vcpu_exit run(const uint8_t *code, size_t len, uint64_t budget)
{
	x86f_load(code, len, 0x7c00);
	return x86f_run_real(0x7c00, budget);
}

/* Translated (HV_JIT_THRESHOLD=0), the slots patched so far to jump
 * from block to block in the code (hv/x86/jit.c); interpreted, none. */
static bool natively_chained(void)
{
	return cpu->jit && cpu->jit->chained > 0;
}

/* A loop block links to itself (its Jcc lands on its first byte), and
 * the count stays exact across the chained passes. */
START_TEST(test_a_loop_block_links_to_itself)
{
	static const uint8_t code[] = {
	    0xb9, 0x64, 0x00, /* mov cx, 100 */
	    0x40,	      /* a: inc ax */
	    0x49,	      /* dec cx */
	    0x75, 0xfc,	      /* jnz a */
	    0xf4,	      /* hlt */
	};
	struct x86_block *b;

	ck_assert_int_eq(run(code, sizeof code, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 100);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1 + 3 * 100 + 1);
	b = block_of(0x7c03);
	ck_assert_ptr_nonnull(b);
	/* The newer link is to the HLT after the loop, the older to itself. */
	ck_assert_ptr_eq(b->link[0].to, block_of(0x7c07));
	ck_assert_uint_eq(b->link[0].delta, 4);
	ck_assert_ptr_eq(b->link[1].to, b);
	ck_assert_uint_eq(b->link[1].id, b->id);
	ck_assert_uint_eq(b->link[1].delta, 0);
}
END_TEST

/* A budget that ends inside a chained loop stops at exactly that count. */
START_TEST(test_a_chained_loop_stops_exactly_at_the_budget)
{
	static const uint8_t code[] = {
	    0x40,	/* a: inc ax */
	    0x43,	/* inc bx */
	    0xeb, 0xfc, /* jmp a */
	};

	ck_assert_int_eq(run(code, sizeof code, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1000);
	ck_assert_uint_eq(reg16(X86_EAX), 334);
	ck_assert_uint_eq(reg16(X86_EBX), 333);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	ck_assert_ptr_eq(block_of(0x7c00)->link[0].to, block_of(0x7c00));
}
END_TEST

/* A fault in a block entered from a chain (in the third pass: the
 * first two link it): the chained blocks are taken from the budget as
 * their counts have them (the run loop takes what the chained entries
 * took, on the fault's way out too), so the #DE handler's loop stops at
 * exactly the budget: 461 instructions retired before the third DIV,
 * whose block (DEC, DIV, JMP) faults with its 3 taken whole, then 537
 * of the handler's, 269 INCs. */
START_TEST(test_a_fault_in_a_chained_block_keeps_the_budget_exact)
{
	static const uint8_t code[] = {
	    0xb2, 0x03,	      /* mov dl, 3 */
	    0xb9, 0x32, 0x00, /* a: mov cx, 50 */
	    0x40,	      /* b: inc ax */
	    0x49,	      /* dec cx */
	    0x75, 0xfc,	      /* jnz b */
	    0xfe, 0xca,	      /* dec dl */
	    0xf6, 0xf2,	      /* div dl (the third time by 0) */
	    0xeb, 0xf3,	      /* jmp a */
	    0x43,	      /* h: inc bx */
	    0xeb, 0xfd,	      /* jmp h */
	};

	put32(0, 0x00007c0f); /* IVT: #DE at 0000:7C0F */
	ck_assert_int_eq(run(code, sizeof code, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 998);
	ck_assert_uint_eq(reg16(X86_EBX), 269);
	ck_assert(natively_chained() == (cpu->jit != NULL));
}
END_TEST

/* The loop body rewrites the immediate of the block its JMP is linked
 * to: the second and third passes run the new ADD. */
START_TEST(test_a_chained_target_rewritten_by_the_loop_runs_anew)
{
	static const uint8_t code[] = {
	    0xb9,	   0x03, 0x00,		   /* mov cx, 3 */
	    0x31,	   0xdb,		   /* xor bx, bx */
	    0xeb,	   0x19,		   /* l: jmp t (7C20h) */
	    [0x20] = 0x83, 0xc3, 0x01,		   /* t: add bx, 1 */
	    0xc6,	   0x06, 0x22, 0x7c, 0x05, /* mov byte [t + 2], 5 */
	    0x49,				   /* dec cx */
	    0x75,	   0xda,		   /* jnz l */
	    0xf4,				   /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1 + 5 + 5);
}
END_TEST

/* A device whose register read rewrites code (as a read that starts a
 * DMA transfer would): with dev_patch set, its third read patches MOV
 * DX, 1111h at dev_patch_at (7C20h unless a test says otherwise) into MOV
 * DX, 2222h; its 100th read kicks the CPU. A read asks for no break of
 * the block. */
static unsigned dev_reads;
static bool dev_patch;

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
	static const uint8_t patch[] = {0xba, 0x22, 0x22}; /* mov dx, 0x2222 */

	(void)opaque;
	(void)offset;
	(void)size;
	if (++dev_reads == 3 && dev_patch)
		mem_write(&m.mem, dev_patch_at, patch, sizeof patch);
	if (dev_reads == 100)
		x86_cpu_kick(cpu);
	return 0;
}

static void dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
}

static const struct io_ops dev_ops = {dev_read, dev_write};

/* The block the loop's JMP is linked to (on the second pass) is
 * rewritten by the device in the middle of the block that jumps (on the
 * third): the link is not followed into the stale block (its page
 * changed since it was decoded). */
START_TEST(test_a_chained_target_rewritten_by_a_device_mid_block_runs_anew)
{
	static const uint8_t code[] = {
	    0xb9,	   0x03, 0x00, /* mov cx, 3 */
	    0x31,	   0xdb,       /* xor bx, bx */
	    0xa0,	   0x00, 0xd0, /* l: mov al, [0xd000] */
	    0xeb,	   0x16,       /* jmp t (7C20h) */
	    [0x20] = 0xba, 0x11, 0x11, /* t: mov dx, 0x1111 */
	    0x01,	   0xd3,       /* add bx, dx */
	    0x49,		       /* dec cx */
	    0x75,	   0xdd,       /* jnz l */
	    0xf4,		       /* hlt */
	};

	dev_reads = 0;
	dev_patch = true;
	ck_assert_int_eq(mem_map_mmio(&m.mem, 0xd000, 0x1000, &dev_ops, NULL, "dev"), 0);
	ck_assert_int_eq(run(code, sizeof code, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(dev_reads, 3);
	ck_assert_uint_eq(reg16(X86_EBX), 0x1111 + 0x1111 + 0x2222);
}
END_TEST

/* A loop of one block, linked to itself, is rewritten by the device in
 * its third pass: the fourth runs the new code (a block that loops to
 * itself still sees its page written). */
START_TEST(test_a_loop_block_rewritten_by_a_device_runs_anew)
{
	static const uint8_t code[] = {
	    0xb9, 0x04, 0x00, /* mov cx, 4 */
	    0x31, 0xdb,	      /* xor bx, bx */
	    0xba, 0x11, 0x11, /* l: mov dx, 0x1111 */
	    0x01, 0xd3,	      /* add bx, dx */
	    0xa0, 0x00, 0xd0, /* mov al, [0xd000] */
	    0x49,	      /* dec cx */
	    0x75, 0xf5,	      /* jnz l */
	    0xf4,	      /* hlt */
	};

	dev_reads = 0;
	dev_patch = true;
	dev_patch_at = 0x7c05;
	ck_assert_int_eq(mem_map_mmio(&m.mem, 0xd000, 0x1000, &dev_ops, NULL, "dev"), 0);
	ck_assert_int_eq(run(code, sizeof code, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(dev_reads, 4);
	ck_assert_uint_eq(reg16(X86_EBX), 3 * 0x1111 + 0x2222);
}
END_TEST

/* A kick (hv pause, a device request) ends a tight chained loop at the
 * end of the block that saw it, not at the next interrupt poll. */
START_TEST(test_a_kick_ends_a_chained_loop_at_the_next_block)
{
	static const uint8_t code[] = {
	    0xa0, 0x00, 0xd0, /* l: mov al, [0xd000] */
	    0xeb, 0xfb,	      /* jmp l */
	};

	dev_reads = 0;
	dev_patch = false;
	ck_assert_int_eq(mem_map_mmio(&m.mem, 0xd000, 0x1000, &dev_ops, NULL, "dev"), 0);
	ck_assert_int_eq(run(code, sizeof code, 1000000), VCPU_EXIT_KICK);
	ck_assert_uint_eq(dev_reads, 100);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 2 * 100);
}
END_TEST

/* An interrupt that becomes pending while a tight chained loop runs is
 * taken at a block boundary within the routine poll interval
 * (X86_POLL_INTERVAL instructions, plus one block), and the handler runs. */
START_TEST(test_an_interrupt_is_taken_in_a_tight_chained_loop)
{
	static const uint8_t code[] = {
	    0xfb,	/* sti */
	    0x40,	/* a: inc ax */
	    0xeb, 0xfd, /* jmp a */
	};
	static const uint8_t handler[] = {0x89, 0xc3, 0xf4}; /* mov bx, ax; hlt */

	x86f_load(handler, sizeof handler, 0x500);
	put32(0x20 * 4, 0x00000500); /* IVT: vector 20h at 0000:0500 */
	irq_at = 10000;
	ck_assert_int_eq(run(code, sizeof code, 1000000), VCPU_EXIT_HALT);
	ck_assert_uint_ge(irq_taken_at, irq_at);
	ck_assert_uint_le(irq_taken_at, irq_at + X86_POLL_INTERVAL + X86_BLOCK_MAX);
	ck_assert_uint_eq(reg16(X86_EBX), reg16(X86_EAX));
	ck_assert_uint_ge(reg16(X86_EAX), (irq_at - 1) / 2);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c01); /* the IP pushed: the loop's */
	ck_assert(natively_chained() == (cpu->jit != NULL));
}
END_TEST

/* STI with no interrupt waiting lets the block after it run whole, and
 * the poll its shadow put off comes right after that block, even where
 * the block is linked to the next: an interrupt pending from the middle
 * of the second pass's block on is taken at its end. */
START_TEST(test_sti_with_nothing_waiting_runs_the_next_block_whole)
{
	static const uint8_t code[] = {
	    0xb9, 0x02, 0x00, /* mov cx, 2 */
	    0xfa,	      /* l: cli */
	    0xfb,	      /* sti */
	    0x40,	      /* inc ax */
	    0x40,	      /* inc ax */
	    0xeb, 0x00,	      /* jmp m */
	    0x49,	      /* m: dec cx */
	    0x75, 0xf7,	      /* jnz l */
	    0xf4,	      /* hlt */
	};
	static const uint8_t handler[] = {0x89, 0xc3, 0xf4}; /* mov bx, ax; hlt */

	x86f_load(handler, sizeof handler, 0x500);
	put32(0x20 * 4, 0x00000500); /* IVT: vector 20h at 0000:0500 */
	irq_at = 11;		     /* after the second pass's first INC */
	ck_assert_int_eq(run(code, sizeof code, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(irq_taken_at, 13);
	ck_assert_uint_eq(reg16(X86_EBX), 4);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c09); /* the IP pushed: DEC CX */
}
END_TEST

/* Two passes of a loop whose blocks call each other in a pair, then the
 * code between the passes rewrites INC BX of the block its JNZ is
 * chained to into INC SI: the second pass runs the new instruction, and
 * the count stays exact. */
START_TEST(test_a_write_to_the_chained_to_block_unchains_it)
{
	static const uint8_t code[] = {
	    0xb9, 0x64, 0x00,		  /* s: mov cx, 100 */
	    0x43,			  /* a: inc bx */
	    0xeb, 0x00,			  /* jmp b */
	    0x49,			  /* b: dec cx */
	    0x75, 0xfa,			  /* jnz a */
	    0x42,			  /* inc dx */
	    0x83, 0xfa, 0x02,		  /* cmp dx, 2 */
	    0x74, 0x07,			  /* je done */
	    0xc6, 0x06, 0x03, 0x7c, 0x46, /* mov byte [a], 0x46 (inc si) */
	    0xeb, 0xea,			  /* jmp s */
	    0xf4,			  /* done: hlt */
	};

	cpu->regs[X86_EDX] = 0;
	ck_assert_int_eq(run(code, sizeof code, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 100);
	ck_assert_uint_eq(reg16(X86_ESI), 100);
	ck_assert_uint_eq(reg16(X86_EDX), 2);
	ck_assert_uint_eq(x86_cpu_insns(cpu), (1 + 400 + 5) + (1 + 400 + 3) + 1);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	ck_assert(!cpu->jit || cpu->jit->invalidated > 0);
}
END_TEST

/* A loop whose JMP and JNZ cross the page boundary at 8000h both ways
 * (org 7FF8h), and the code between its two passes rewrites the
 * immediate of ADD BX, 1 in the second page: the second pass adds 2.
 * The links across the page are far: translated, their slots jump to
 * the far stubs, which check the mapping (jit.h). */
START_TEST(test_a_loop_across_a_page_boundary_sees_a_write_to_either_page)
{
	static const uint8_t code[] = {
	    0xb9, 0x32, 0x00,		  /* s: mov cx, 50 */
	    0x46,			  /* a: inc si */
	    0xeb, 0x04,			  /* jmp b (8002h) */
	    0x90, 0x90, 0x90, 0x90,	  /* nop x4 */
	    0x83, 0xc3, 0x01,		  /* b: add bx, 1 */
	    0x49,			  /* dec cx */
	    0x75, 0xf3,			  /* jnz a */
	    0x42,			  /* inc dx */
	    0x83, 0xfa, 0x02,		  /* cmp dx, 2 */
	    0x74, 0x08,			  /* je done */
	    0xc6, 0x06, 0x04, 0x80, 0x02, /* mov byte [b + 2], 2 */
	    0xe9, 0xe2, 0xff,		  /* jmp s */
	    0xf4,			  /* done: hlt */
	};
	x86f_load(code, sizeof code, 0x7ff8);
	cpu->regs[X86_EDX] = 0;
	ck_assert_int_eq(x86f_run_real(0x7ff8, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ESI), 100);
	ck_assert_uint_eq(reg16(X86_EBX), 50 + 2 * 50);
	ck_assert_uint_eq(reg16(X86_EDX), 2);
	ck_assert_uint_eq(x86_cpu_insns(cpu), (1 + 250 + 5) + (1 + 250 + 3) + 1);
	/* The same loop again: its links cross the page, through the stubs. */
	cpu->regs[X86_EDX] = 1;
	ck_assert_int_eq(x86f_run_real(0x7ff8, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 150 + 2 * 50);
	ck_assert_ptr_eq(block_of(0x7ffb)->link[0].to, block_of(0x8002));
	ck_assert(block_of(0x7ffb)->link[0].far);
	if (cpu->jit)
		ck_assert_ptr_eq(block_of(0x7ffb)->slot_to[0], block_of(0x7ffb)->far);
}
END_TEST

/* The JIT's buffer is all but full when a chained loop starts (its hot
 * area, _i 0, or its cold one, _i 1): it fills and is flushed while the
 * loop's blocks are chained to each other (every translation and its
 * block dropped, both areas emptied), and the loop carries on through
 * blocks decoded and translated anew, with the right result and count.
 * Then the decoded blocks are flushed too (as a change of the memory map
 * does) between two runs of the chained code. */
#define FLUSH_HOT_ROOM	600
#define FLUSH_COLD_ROOM 1200
START_TEST(test_a_flush_while_chained)
{
	static const uint8_t code[] = {
	    0xb9, 0xe8, 0x03, /* mov cx, 1000 */
	    0x40,	      /* a: inc ax */
	    0xeb, 0x00,	      /* jmp b */
	    0x43,	      /* b: inc bx */
	    0x49,	      /* dec cx */
	    0x75, 0xf9,	      /* jnz a */
	    0x31, 0xc9,	      /* xor cx, cx */
	    0xb1, 0x05,	      /* mov cl, 5 */
	    0x46,	      /* c: inc si */
	    0xe2, 0xfd,	      /* loop c */
	    0xf4,	      /* hlt */
	};
	uint64_t want = 1 + 1000 * 5 + 2 + 5 * 2 + 1;
	struct x86_jit_buf *buf = cpu->jit ? &cpu->jit->buf : NULL;
	size_t hot = 0, cold = 0;

	/* Room for the loop's three blocks, not for the three after it. */
	if (buf && _i == 0)
		buf->used = hot = buf->cold - FLUSH_HOT_ROOM;
	if (buf && _i == 1)
		buf->cold_used = cold = buf->size - buf->cold - FLUSH_COLD_ROOM;
	ck_assert_int_eq(run(code, sizeof code, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1000);
	ck_assert_uint_eq(reg16(X86_EBX), 1000);
	ck_assert_uint_eq(reg16(X86_ESI), 5);
	ck_assert_uint_eq(x86_cpu_insns(cpu), want);
	/* Every block translated on its first run: the buffer filled. */
	ck_assert(!cpu->jit || cpu->jit->threshold > 0 || cpu->jit->buf.flushes == 1);
	if (buf && cpu->jit->threshold == 0) /* emptied, then filled anew */
		ck_assert(_i == 0 ? buf->used < hot : buf->cold_used < cold);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	x86_blocks_flush(cpu);
	cpu->regs[X86_EAX] = cpu->regs[X86_EBX] = cpu->regs[X86_ESI] = 0;
	ck_assert_int_eq(x86f_run_real(0x7c00, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1000);
	ck_assert_uint_eq(reg16(X86_EBX), 1000);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 2 * want);
}
END_TEST

/* Protected mode with a 32-bit and a 16-bit code segment (base 0) and a
 * flat data segment; GDT at 500h. */
static void enter_protected(void)
{
	static const struct x86_seg code32 = {8, 0, 0xffffffff, 0xc09b, 0, 0, {0, 0}, false};
	static const struct x86_seg data = {16, 0, 0xffffffff, 0xc093, 0, 0, {0, 0}, false};

	put64(0x508, 0x00cf9b000000ffffull);
	put64(0x510, 0x00cf93000000ffffull);
	put64(0x518, 0x00009b000000ffffull);
	cpu->gdtr = (struct x86_dtr){0x500, 0x1f};
	for (int s = 0; s < X86_NSEG; s++) {
		cpu->seg[s] = s == X86_CS ? code32 : data;
		x86_seg_sync(&cpu->seg[s]);
	}
	cpu->cr[0] |= X86_CR0_PE;
	x86_set_cpl(cpu, 0);
	cpu->eflags = 0x2;
	cpu->regs[X86_ESP] = 0x7000;
	x86_tlb_flush(cpu);
}

/* Runs the code at 8000h to its HLT `passes` times (100 instructions at
 * most each). */
static void run_at_8000(int passes)
{
	for (int pass = 0; pass < passes; pass++) {
		cpu->halted = false;
		cpu->eip = 0x8000;
		ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_HALT);
	}
}

/* Paging on, the first 4 MiB mapped to themselves: page directory at
 * 20000h, its one table at 21000h (entry n at 21000h + 4n). */
static void enter_paging(void)
{
	put32(0x20000, 0x21000 | 3);
	for (uint32_t i = 0; i < 1024; i++)
		put32(0x21000 + 4 * i, i << 12 | 3);
	cpu->cr[0] |= X86_CR0_PG;
	cpu->cr[3] = 0x20000;
	x86_tlb_flush(cpu);
}

/* The same subroutine bytes at 7C40h are called from 32-bit code and,
 * after a far jump, from 16-bit code, three times round: B8 01 00 40 40
 * is MOV EAX, 40400001h or MOV AX, 1; INC AX; INC AX. The calls link to
 * the subroutine block decoded for their own CS.D only; each change of
 * CS.D decodes it anew. (bits 32 at 7C00h and 7C2Bh, bits 16 at 7C20h.) */
START_TEST(test_a_change_of_cs_size_breaks_the_chain)
{
	static const uint8_t code[] = {
	    0xb9,	   0x03, 0x00, 0x00, 0x00,		     /* mov ecx, 3 */
	    0x31,	   0xdb,				     /* xor ebx, ebx */
	    0xe8,	   0x34, 0x00, 0x00, 0x00,		     /* l: call s (7C40h) */
	    0xea,	   0x20, 0x7c, 0x00, 0x00, 0x18, 0x00,	     /* jmp 0x18:0x7c20 */
	    [0x20] = 0xe8, 0x1d, 0x00,				     /* bits 16: call s */
	    0x66,	   0xea, 0x2b, 0x7c, 0x00, 0x00, 0x08, 0x00, /* jmp dword 0x08:0x7c2b */
	    0x49,						     /* bits 32: dec ecx */
	    0x75,	   0xd9,				     /* jnz l */
	    0xf4,						     /* hlt */
	    [0x40] = 0xb8, 0x01, 0x00, 0x40, 0x40,		     /* s: mov eax, 0x40400001 */
	    0x01,	   0xc3,				     /* add ebx, eax */
	    0xc3,						     /* ret */
	};
	uint32_t want = 0;

	for (int i = 0; i < 3; i++) {
		want += 0x40400001;
		want = (want & 0xffff0000) | ((want + 3) & 0xffff);
	}
	x86f_load(code, sizeof code, 0x7c00);
	enter_protected();
	cpu->eip = 0x7c00;
	ck_assert_int_eq(x86_cpu_run(cpu, 10000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EBX], want);
	ck_assert_uint_eq(cpu->regs[X86_ESP], 0x7000);
}
END_TEST

/* 32-bit code, whose native Jcc and JMP jump straight to the slot of
 * the way they went: an inner loop (a DEC/JNZ pair linked to its own
 * block when taken, to the outer block when not) in an outer one, cut
 * by the budget in the middle of an inner pass, at exactly its count:
 * 65 outer passes of 153 instructions, then MOV and 18 inner ones. */
START_TEST(test_a_32_bit_loop_chained_both_ways_stops_exactly_at_the_budget)
{
	static const uint8_t code[] = {
	    0xb9, 0x32, 0x00, 0x00, 0x00, /* o: mov ecx, 50 */
	    0x40,			  /* a: inc eax */
	    0x49,			  /* dec ecx */
	    0x75, 0xfc,			  /* jnz a */
	    0x43,			  /* inc ebx */
	    0xeb, 0xf4,			  /* jmp o */
	};

	x86f_load(code, sizeof code, 0x7c00);
	enter_protected();
	cpu->eip = 0x7c00;
	ck_assert_int_eq(x86_cpu_run(cpu, 10000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 10000);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 65);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 65 * 50 + 18);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 32);
	ck_assert_uint_eq(cpu->eip, 0x7c05);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	if (cpu->jit)
		ck_assert(block_of(0x7c05)->slot_to[0] && block_of(0x7c05)->slot_to[1]);
}
END_TEST

/* A chained 32-bit loop of two blocks runs, then a far jump loads CS
 * with a limit of 7C11h (base 0) and enters it again: the JMP to B
 * passes its own check (7C10h is within), but B (7C10h-7C12h) is not,
 * so B is not entered from the chain: its INC runs alone and the fetch
 * of its JMP raises #GP, whose handler (an interrupt gate, IDT at 600h)
 * halts. (bits 32.) */
START_TEST(test_a_lower_cs_limit_stops_the_chain_at_the_block_beyond)
{
	static const uint8_t code[] = {
	    0x40,					       /* a: inc eax */
	    0xeb,	   0x0d,			       /* jmp b (7C10h) */
	    [0x10] = 0x43,				       /* b: inc ebx */
	    0xeb,	   0xed,			       /* jmp a */
	    [0x20] = 0xea, 0x00, 0x7c, 0x00, 0x00, 0x20, 0x00, /* jmp 0x20:0x7c00 */
	    [0x40] = 0xf4,				       /* #GP handler: hlt */
	};

	x86f_load(code, sizeof code, 0x7c00);
	enter_protected();
	put64(0x520, 0x00409b0000007c11ull); /* 32-bit code, base 0, limit 7C11h */
	cpu->gdtr = (struct x86_dtr){0x500, 0x27};
	put64(0x600 + 13 * 8, 0x00008e0000087c40ull); /* interrupt gate 08:7C40h */
	cpu->idtr = (struct x86_dtr){0x600, 0x7ff};
	cpu->eip = 0x7c00;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(cpu->eip, 0x7c00);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 250);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	cpu->eip = 0x7c20;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 251);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 251);
	ck_assert_uint_eq(mem32(0x7000 - 12), 0x7c11); /* the EIP pushed: B's JMP */
	ck_assert_uint_eq(mem32(0x7000 - 16), 0);      /* the error code */
}
END_TEST

/* A block linked to the next one in its page is left for the block of
 * the new mapping when paging maps the linear page elsewhere: the link
 * is followed only from a block found through the current mapping, and
 * leads to the same page. (bits 32, org 8000h; physical A000h holds
 * the same code with another immediate.) */
START_TEST(test_a_remapped_page_does_not_follow_the_old_links)
{
	static const uint8_t a[] = {
	    0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0xeb, 0x00,			  /* jmp $+2 */
	    0x01, 0xc3,			  /* add ebx, eax */
	    0xf4,			  /* hlt */
	};
	static const uint8_t b[] = {
	    0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0xeb, 0x00,			  /* jmp $+2 */
	    0x6b, 0xdb, 0x10,		  /* imul ebx, ebx, 16 */
	    0xf4,			  /* hlt */
	};

	x86f_load(a, sizeof a, 0x8000);
	x86f_load(b, sizeof b, 0xa000);
	enter_protected();
	enter_paging();
	run_at_8000(2);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 2);
	ck_assert_ptr_eq(block_of(0x8000)->link[0].to, block_of(0x8007));
	put32(0x21000 + 4 * 8, 0xa000 | 3);
	x86_tlb_flush_page(cpu, 0x8000);
	run_at_8000(1);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 32);
}
END_TEST

/* A far link (to the next page) is left for the block of the new
 * mapping when paging maps the target's linear page elsewhere: it is
 * followed only while the soft TLB maps it to the block linked.
 * (bits 32: a JMP at 8005h to 9000h; physical 9000h and B000h hold
 * different code.) */
START_TEST(test_a_remapped_target_page_does_not_follow_a_far_link)
{
	static const uint8_t a[] = {
	    0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0xe9, 0xf6, 0x0f, 0x00, 0x00, /* jmp 9000h */
	};
	static const uint8_t t[] = {
	    0x01, 0xc3, /* add ebx, eax */
	    0xf4,	/* hlt */
	};
	static const uint8_t u[] = {
	    0x6b, 0xdb, 0x10, /* imul ebx, ebx, 16 */
	    0xf4,	      /* hlt */
	};

	x86f_load(a, sizeof a, 0x8000);
	x86f_load(t, sizeof t, 0x9000);
	x86f_load(u, sizeof u, 0xb000);
	enter_protected();
	enter_paging();
	run_at_8000(3);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 3);
	ck_assert_ptr_eq(block_of(0x8000)->link[0].to, block_of(0x9000));
	ck_assert(block_of(0x8000)->link[0].far);
	if (cpu->jit) /* the JMP's slot goes to its far stub */
		ck_assert_ptr_eq(block_of(0x8000)->slot_to[0], block_of(0x8000)->far);
	put32(0x21000 + 4 * 9, 0xb000 | 3);
	x86_tlb_flush_page(cpu, 0x9000);
	run_at_8000(1);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 48);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 4 * 4);
}
END_TEST

/* As above, with the new mapping of 9000h already in the soft TLB when
 * the JMP leaves: the block's own read of 9000h refills it. Translated,
 * the far stub finds the page's entry, whose host bytes are not those of
 * the block linked, and must not jump there. */
START_TEST(test_a_far_stub_checks_the_host_of_the_mapping_it_finds)
{
	static const uint8_t a[] = {
	    0xb8, 0x01, 0x00, 0x00, 0x00,	/* mov eax, 1 */
	    0x8b, 0x0d, 0x00, 0x90, 0x00, 0x00, /* mov ecx, [9000h] */
	    0xe9, 0xf0, 0x0f, 0x00, 0x00,	/* jmp 9000h */
	};
	static const uint8_t t[] = {
	    0x01, 0xc3, /* add ebx, eax */
	    0xf4,	/* hlt */
	};
	static const uint8_t u[] = {
	    0x6b, 0xdb, 0x10, /* imul ebx, ebx, 16 */
	    0xf4,	      /* hlt */
	};

	x86f_load(a, sizeof a, 0x8000);
	x86f_load(t, sizeof t, 0x9000);
	x86f_load(u, sizeof u, 0xb000);
	enter_protected();
	enter_paging();
	run_at_8000(3);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 3);
	if (cpu->jit)
		ck_assert_ptr_eq(block_of(0x8000)->slot_to[0], block_of(0x8000)->far);
	put32(0x21000 + 4 * 9, 0xb000 | 3);
	x86_tlb_flush_page(cpu, 0x9000);
	run_at_8000(1);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 0xf410db6b);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 48);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 4 * 5);
}
END_TEST

/* A loop of two blocks, one each side of the page boundary at `at`,
 * linked both ways by far links (bits 32, paging on): translated, each
 * slot jumps to its far stub, and a budget that ends in the loop stops
 * it at exactly that count. */
static void run_far_loop(uint32_t at)
{
	static const uint8_t code[] = {
	    0x40,	/* a: inc eax */
	    0xeb, 0x01, /* jmp b (at) */
	    0x90,	/* nop */
	    0x43,	/* b: inc ebx */
	    0xeb, 0xf9, /* jmp a */
	};

	x86f_load(code, sizeof code, at - 4);
	enter_protected();
	enter_paging();
	cpu->regs[X86_EAX] = cpu->regs[X86_EBX] = 0;
	cpu->eip = at - 4;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1000);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 250);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 250);
	ck_assert(block_of(at - 4)->link[0].far && block_of(at)->link[0].far);
	if (cpu->jit) {
		ck_assert_ptr_eq(block_of(at - 4)->slot_to[0], block_of(at - 4)->far);
		ck_assert_ptr_eq(block_of(at)->slot_to[0], block_of(at)->far);
	}
}

/* With the soft TLB's entry of either page dropped, a stub finds no
 * mapping and returns to run_chain, which follows the link itself: the
 * loop runs on the same. */
START_TEST(test_a_loop_of_far_links_counts_exactly_through_the_stubs)
{
	run_far_loop(0x9000);
	for (int pass = 0; pass < 2; pass++) {
		x86_tlb_flush_page(cpu, pass ? 0x8000 : 0x9000);
		ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_BUDGET);
	}
	ck_assert_uint_eq(x86_cpu_insns(cpu), 3000);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 750);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 750);
	ck_assert_uint_eq(cpu->eip, 0x8ffc);
}
END_TEST

/* The stubs find the pages in the soft TLB wherever their entries lie:
 * pages 207h and 208h are past the first 256 entries (a stub that
 * indexed the TLB by the page's low byte missed them each time and went
 * back to the run loop at every link). Linked, the next 1000
 * instructions (500 links) run in one call of the code. */
START_TEST(test_far_stubs_find_pages_in_every_tlb_entry)
{
	run_far_loop(0x208000);
	if (!cpu->jit)
		return;
	uint64_t entries = cpu->jit->entries;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 500);
	ck_assert_uint_le(cpu->jit->entries - entries, 2);
}
END_TEST

/* A RET looks its return address up in the jump cache in the code, and
 * the cache's block is checked against the soft TLB's entry of its page
 * as the far stubs do: page 208h, past the first 256 entries, too. The
 * RET returns to three places, more than its link slots hold. Once the
 * loop is translated and linked, its 1500 calls and returns run in one
 * call of the code. */
START_TEST(test_returns_find_their_block_in_every_tlb_entry)
{
	static const uint8_t code[] = {
	    0xe8, 0x0f, 0x00, 0x00, 0x00, /* l: call f */
	    0xe8, 0x0a, 0x00, 0x00, 0x00, /* call f */
	    0xe8, 0x05, 0x00, 0x00, 0x00, /* call f */
	    0x49,			  /* dec ecx */
	    0x75, 0xee,			  /* jnz l */
	    0xf4,			  /* hlt */
	    0x90,			  /* nop */
	    0xc3,			  /* f: ret */
	};

	x86f_load(code, sizeof code, 0x208000);
	enter_protected();
	enter_paging();
	for (int pass = 0; pass < 2; pass++) {
		uint64_t entries = cpu->jit ? cpu->jit->entries : 0;

		cpu->regs[X86_ECX] = pass ? 500 : 50;
		cpu->regs[X86_ESP] = 0x10000;
		cpu->eip = 0x208000;
		cpu->halted = false;
		ck_assert_int_eq(x86_cpu_run(cpu, 100000), VCPU_EXIT_HALT);
		ck_assert_uint_eq(cpu->regs[X86_ECX], 0);
		if (pass && cpu->jit)
			ck_assert_uint_le(cpu->jit->entries - entries, 3);
	}
	ck_assert_uint_eq(x86_cpu_insns(cpu), 8 * 550 + 2);
}
END_TEST

/* Takes the page at 9000h out of the page tables enter_paging built,
 * then runs from 8000h again: the access to it raises #PF, which ends
 * in a triple fault (no IDT). */
static void rerun_without_page_9000(void)
{
	put32(0x21000 + 4 * 9, 0);
	x86_tlb_flush_page(cpu, 0x9000);
	cpu->halted = false;
	cpu->eip = 0x8000;
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_RESET);
	ck_assert_uint_eq(cpu->cr[2], 0x9000);
}

/* A far link whose target page is no longer present: the lookup made
 * as the link is followed raises the #PF the run loop's would, at the
 * target, with the count of the block before it exact. (No IDT: the
 * #PF ends in a triple fault; code as above.) */
START_TEST(test_a_far_link_to_a_page_gone_faults_at_its_target)
{
	static const uint8_t a[] = {
	    0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0xe9, 0xf6, 0x0f, 0x00, 0x00, /* jmp 9000h */
	};
	static const uint8_t t[] = {
	    0x01, 0xc3, /* add ebx, eax */
	    0xf4,	/* hlt */
	};

	x86f_load(a, sizeof a, 0x8000);
	x86f_load(t, sizeof t, 0x9000);
	enter_protected();
	cpu->idtr = (struct x86_dtr){0, 0};
	enter_paging();
	run_at_8000(3);
	ck_assert(block_of(0x8000)->link[0].far);
	rerun_without_page_9000();
	ck_assert_uint_eq(cpu->regs[X86_EBX], 3);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 3 * 4 + 2);
}
END_TEST

/* Block B reads DS:9000h natively; translated while DS is flat, its
 * code skips DS's fast check and base (x86_block.flat). DS is then given
 * base 1000h: B, entered from the run loop and from A's link, must read
 * linear A000h, not 9000h. (bits 32.) */
START_TEST(test_a_data_segment_no_longer_flat_is_checked_at_each_entry)
{
	static const uint8_t code[] = {
	    0x41,				   /* a: inc ecx */
	    0xeb,	   0x0d,		   /* jmp b (7C10h) */
	    [0x10] = 0xa1, 0x00, 0x90, 0x00, 0x00, /* b: mov eax, [9000h] */
	    0x01,	   0xc2,		   /* add edx, eax */
	    0xeb,	   0xe7,		   /* jmp a */
	};

	x86f_load(code, sizeof code, 0x7c00);
	put32(0x9000, 1);
	put32(0xa000, 100);
	enter_protected();
	cpu->regs[X86_ECX] = cpu->regs[X86_EDX] = 0;
	cpu->eip = 0x7c00;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(cpu->regs[X86_EDX], 200);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	if (cpu->jit)
		ck_assert_uint_eq(block_of(0x7c10)->flat, 1u << X86_DS);
	cpu->seg[X86_DS].base = 0x1000;
	x86_seg_sync(&cpu->seg[X86_DS]);
	cpu->eip = 0x7c10;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(cpu->regs[X86_EDX], 200 + 200 * 100);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 400);
	ck_assert_uint_eq(cpu->eip, 0x7c10);
}
END_TEST

static const uint8_t folded[] = {
    0x41,				/* inc ecx */
    0x8b, 0x15, 0x00, 0x90, 0x00, 0x00, /* mov edx, [9000h] */
    0x53,				/* push ebx */
    0x5b,				/* pop ebx */
    0x43,				/* inc ebx */
    0xf4,				/* hlt */
};

/* Runs `folded` (bits 32, org 8000h: it reads DS:9000h and pushes)
 * three times, paged, with flat segments and no IDT. */
static void run_folded(void)
{
	x86f_load(folded, sizeof folded, 0x8000);
	put32(0x9000, 5);
	enter_protected();
	cpu->regs[X86_ECX] = cpu->regs[X86_EBX] = 0;
	cpu->idtr = (struct x86_dtr){0, 0};
	enter_paging();
	run_at_8000(3);
	ck_assert_uint_eq(cpu->regs[X86_EDX], 5);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 3);
	if (cpu->jit)
		ck_assert_uint_eq(block_of(0x8000)->flat, 1u << X86_DS | 1u << X86_SS);
}

/* Once the page at 9000h is gone, the read of `folded`, translated with
 * DS's fast check folded away, raises #PF with the instruction before it
 * done and the count exact (a triple fault: no IDT). */
START_TEST(test_a_folded_access_faults_precisely)
{
	run_folded();
	rerun_without_page_9000();
	ck_assert_uint_eq(cpu->regs[X86_ECX], 4);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 3);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 3 * 6 + 1);
}
END_TEST

/* `folded` translated with a flat DS, which then gets a limit of 8FFFh:
 * the block takes the checked path, and its read raises #GP (a triple
 * fault: no IDT) with the instruction before it done. */
START_TEST(test_a_data_segment_limit_lowered_after_translation_faults)
{
	run_folded();
	cpu->seg[X86_DS].limit = 0x8fff;
	x86_seg_sync(&cpu->seg[X86_DS]);
	cpu->halted = false;
	cpu->eip = 0x8000;
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_RESET);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 4);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 3);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 3 * 6 + 1);
}
END_TEST

/* RDTSC, a block of its own, links to the block after it. */
START_TEST(test_rdtsc_links_to_the_next_block)
{
	static const uint8_t code[] = {
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0x0f, 0x31,	      /* a: rdtsc */
	    0x49,	      /* dec cx */
	    0x75, 0xfb,	      /* jnz a */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code, 100), VCPU_EXIT_HALT);
	ck_assert_uint_eq(block_of(0x7c03)->count, 1);
	ck_assert_ptr_eq(block_of(0x7c03)->link[0].to, block_of(0x7c05));
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1 + 5 * 3 + 1);
}
END_TEST

/* CLI and LEAVE do not end a block; an interrupt that becomes pending
 * after the CLI is not taken (HLT with IF clear stops the run). */
START_TEST(test_cli_and_leave_run_inside_a_block)
{
	static const uint8_t code[] = {
	    0x55,	/* push bp */
	    0x89, 0xe5, /* mov bp, sp */
	    0x50,	/* push ax */
	    0xfa,	/* cli */
	    0xc9,	/* leave */
	    0x43,	/* inc bx */
	    0xf4,	/* hlt */
	};

	irq_at = 2;
	cpu->eflags |= X86_IF;
	ck_assert_int_eq(run(code, sizeof code, 100), VCPU_EXIT_HALT);
	ck_assert_uint_eq(block_of(0x7c00)->count, 7);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert(!(cpu->eflags & X86_IF));
	ck_assert_uint_eq(irq_taken_at, 0);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 7);
}
END_TEST

/* Whether the block at pa would share a set of slots with code at
 * [lo, hi). */
static bool shares_set(uint32_t pa, uint32_t lo, uint32_t hi)
{
	for (uint32_t a = lo; a < hi; a++)
		if (x86_block_set(cpu, m.mem.ram + pa) == x86_block_set(cpu, m.mem.ram + a))
			return true;
	return false;
}

/* Two blocks in different pages whose host addresses hash to one set of
 * slots, run one after the other 50 times: each is decoded once (a
 * direct-mapped slot would decode them again at every pass). */
START_TEST(test_two_blocks_of_one_set_are_both_kept)
{
	static const uint8_t code[] = {
	    0xb9, 0x32, 0x00, /* mov cx, 50 */
	    0xe8, 0x00, 0x00, /* l: call a (rel16 patched below) */
	    0x49,	      /* dec cx */
	    0x75, 0xfa,	      /* jnz l */
	    0xf4,	      /* hlt */
	};
	uint8_t main[sizeof code], a[4] = {0x40, 0xe9},
				   b[2] = {0x43, 0xc3}; /* inc ax; jmp b / inc bx; ret */
	uint32_t pa = 0, pb = 0;

	for (uint32_t x = 0x8000; x < 0xf000 && !pb; x += 7) {
		if (shares_set(x, 0x7c00, 0x7c10))
			continue;
		for (uint32_t y = (x | 0xfff) + 1; y < 0xfff0 && !pb; y += 3)
			if (x86_block_set(cpu, m.mem.ram + x) ==
			    x86_block_set(cpu, m.mem.ram + y)) {
				pa = x;
				pb = y;
			}
	}
	ck_assert_uint_ne(pb, 0);
	memcpy(main, code, sizeof code);
	main[4] = (uint8_t)(pa - 0x7c06);
	main[5] = (uint8_t)((pa - 0x7c06) >> 8);
	a[2] = (uint8_t)(pb - (pa + 4));
	a[3] = (uint8_t)((pb - (pa + 4)) >> 8);
	x86f_load(a, sizeof a, pa);
	x86f_load(b, sizeof b, pb);
	ck_assert_int_eq(run(main, sizeof main, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 50);
	ck_assert_uint_eq(reg16(X86_EBX), 50);
	/* 7C00h, 7C03h (the loop's CALL), 7C06h, 7C09h, a and b */
	ck_assert_uint_eq(cpu->block_ids, 6);
	ck_assert_ptr_nonnull(block_of(pa));
	ck_assert_ptr_nonnull(block_of(pb));
}
END_TEST

/* Five addresses in distinct pages of [10000h, 7FFFF0h) whose blocks
 * share a set of slots that no code at [lo, hi) uses, none within 16
 * bytes of its page end. */
static void five_of_one_set(uint32_t lo, uint32_t hi, uint32_t at[5])
{
	unsigned n = 0;

	for (uint32_t x = 0x10000; x < 0x7ffff0 && n == 0; x += 0x1003)
		if (!shares_set(x, lo, hi) && (x & 0xfff) < 0xff0)
			at[n++] = x;
	for (uint32_t y = (at[0] | 0xfff) + 1; y < 0x7ffff0 && n < 5; y++)
		if ((y & 0xfff) < 0xff0 && (y >> 12) != (at[n - 1] >> 12) &&
		    x86_block_set(cpu, m.mem.ram + y) == x86_block_set(cpu, m.mem.ram + at[0]))
			at[n++] = y;
	ck_assert_uint_eq(n, 5);
}

static void put_rel32(uint8_t *p, uint32_t from_next, uint32_t to)
{
	uint32_t rel = to - from_next;

	memcpy(p, &rel, 4);
}

/* Three subroutines called 20 times each (translated at a threshold of
 * 20 runs), then, well after, two blocks of the same set run in turn 50
 * times: the two push the long-unrun subroutines out and each is decoded
 * once, where sparing the translated ones outright left the two the one
 * untranslated slot of the set to take in turns, each decoded anew at
 * every pass. (bits 32, org 7C00h.) */
START_TEST(test_blocks_run_in_turn_push_out_translated_blocks_run_long_ago)
{
	uint8_t code[] = {
	    0xba, 0x14, 0x00, 0x00, 0x00, /* mov edx, 20 */
	    0xe8, 0,	0,    0,    0,	  /* l: call o1 (7C05h) */
	    0xe8, 0,	0,    0,    0,	  /* call o2 (7C0Ah) */
	    0xe8, 0,	0,    0,    0,	  /* call o3 (7C0Fh) */
	    0x4a,			  /* dec edx */
	    0x75, 0xee,			  /* jnz l */
	    0xb9, 0xd0, 0x07, 0x00, 0x00, /* mov ecx, 2000 */
	    0xe2, 0xfe,			  /* loop $ */
	    0xb9, 0x32, 0x00, 0x00, 0x00, /* mov ecx, 50 */
	    0xe8, 0,	0,    0,    0,	  /* m: call a (7C23h) */
	    0x49,			  /* dec ecx */
	    0x75, 0xf8,			  /* jnz m */
	    0xf4,			  /* hlt */
	};
	const uint8_t sub[2] = {0x46, 0xc3}, b[2] = {0x43, 0xc3}; /* inc esi / inc ebx; ret */
	uint8_t a[6] = {0x40, 0xe9};				  /* inc eax; jmp b */
	uint32_t at[5] = {0};

	five_of_one_set(0x7c00, 0x7c30, at);
	for (int i = 0; i < 3; i++) {
		put_rel32(&code[6 + 5 * i], 0x7c0a + 5 * i, at[i]);
		x86f_load(sub, sizeof sub, at[i]);
	}
	put_rel32(&code[0x24], 0x7c28, at[3]);
	put_rel32(&a[2], at[3] + 6, at[4]);
	x86f_load(a, sizeof a, at[3]);
	x86f_load(b, sizeof b, at[4]);
	x86f_load(code, sizeof code, 0x7c00);
	enter_protected();
	cpu->eip = 0x7c00;
	if (cpu->jit)
		cpu->jit->threshold = 20;
	ck_assert_int_eq(x86_cpu_run(cpu, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_ESI], 60);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 50);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 50);
	/* 7C00h, the three subroutines, 7C0Ah, 7C0Fh, 7C14h, 7C05h, 7C17h,
	 * 7C1Ch, 7C1Eh, a, b, 7C28h, 7C23h and 7C2Bh */
	ck_assert_uint_eq(cpu->block_ids, 16);
}
END_TEST

/* Block A's fall-through is linked to block B in its page; then four
 * HLT blocks decoded in B's set of slots push B out (made the oldest),
 * and A runs again with DL 0: B, decoded anew, faults at its DIV with
 * the count of its two INCs added, not that of the HLT block now in B's
 * old slot (translated, A's slot must no longer jump to B's old code,
 * whose entry does not check the slot: jit_link.c). */
START_TEST(test_a_chained_block_pushed_out_of_its_slot_is_unlinked)
{
	static const uint8_t code[] = {
	    0x49,		 /* a: dec cx */
	    0x74,	   0x0d, /* jz 7C10h */
	    0x43,		 /* b: inc bx */
	    0x43,		 /* inc bx */
	    0xf6,	   0xf2, /* div dl */
	    0xeb,	   0xf7, /* jmp a */
	    [0x10] = 0xf4,	 /* hlt */
	    [0x20] = 0xf4,	 /* #DE handler: hlt */
	};
	const struct x86_block *set = x86_block_set(cpu, m.mem.ram + 0x7c03);
	struct x86_block *b;
	uint64_t before;
	unsigned found = 0;

	x86f_load(code, sizeof code, 0x7c00);
	put32(0, 0x7c20); /* IVT vector 0: 0000:7C20h */
	cpu->regs[X86_ECX] = 40;
	cpu->regs[X86_EDX] = 1;
	ck_assert_int_eq(x86f_run_real(0x7c00, 10000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 78);
	ck_assert(natively_chained() == (cpu->jit != NULL));
	b = block_of(0x7c03);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(x86_block_set(cpu, m.mem.ram + 0x7c00), set);
	b->used = 0;
	for (uint32_t a = 0x10000; a < 0x80000 && found < 4; a++) {
		if (x86_block_set(cpu, m.mem.ram + a) != set)
			continue;
		x86f_load((const uint8_t[]){0xf4}, 1, a);
		x86_cpu_set_ip(cpu, (uint16_t)(a >> 4), a & 15);
		ck_assert_int_eq(x86_cpu_run(cpu, 10), VCPU_EXIT_HALT);
		found++;
	}
	ck_assert_uint_eq(found, 4);
	ck_assert_ptr_null(block_of(0x7c03));
	cpu->regs[X86_ECX] = 5;
	cpu->regs[X86_EDX] = 0;
	cpu->regs[X86_EBX] = 0;
	before = x86_cpu_insns(cpu);
	ck_assert_int_eq(x86f_run_real(0x7c00, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 2);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c05); /* the IP pushed: the DIV */
	/* DEC, JZ, the two INCs, the handler's HLT */
	ck_assert_uint_eq(x86_cpu_insns(cpu) - before, 5);
}
END_TEST

/* An instruction across a page end, at the start of a loop's second
 * block, runs through the fetching decoder at each pass; its slot keeps
 * an empty block, decoded once, instead of a decode tried again at each
 * pass. (org 7FF8h.) */
START_TEST(test_an_instruction_across_a_page_end_is_decoded_once)
{
	static const uint8_t code[] = {
	    0xb9, 0x32, 0x00, /* mov cx, 50 */
	    0x43,	      /* l: inc bx */
	    0x90, 0x90,	      /* nop; nop */
	    0x05, 0x01, 0x01, /* add ax, 0101h (7FFEh-8000h) */
	    0x49,	      /* dec cx */
	    0x75, 0xf7,	      /* jnz l */
	    0xf4,	      /* hlt */
	};
	struct x86_block *across;

	x86f_load(code, sizeof code, 0x7ff8);
	ck_assert_int_eq(x86f_run_real(0x7ff8, 100000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 50 * 0x101);
	ck_assert_uint_eq(reg16(X86_EBX), 50);
	across = block_of(0x7ffe);
	ck_assert_ptr_nonnull(across);
	ck_assert_uint_eq(across->n, 0);
	/* 7FF8h, 7FFEh (empty), 8001h, 7FFBh and 8004h */
	ck_assert_uint_eq(cpu->block_ids, 5);
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("x86_chain");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_a_loop_block_links_to_itself);
	tcase_add_test(tc, test_a_chained_loop_stops_exactly_at_the_budget);
	tcase_add_test(tc, test_a_fault_in_a_chained_block_keeps_the_budget_exact);
	tcase_add_test(tc, test_a_chained_target_rewritten_by_the_loop_runs_anew);
	tcase_add_test(tc, test_a_chained_target_rewritten_by_a_device_mid_block_runs_anew);
	tcase_add_test(tc, test_a_loop_block_rewritten_by_a_device_runs_anew);
	tcase_add_test(tc, test_a_kick_ends_a_chained_loop_at_the_next_block);
	tcase_add_test(tc, test_an_interrupt_is_taken_in_a_tight_chained_loop);
	tcase_add_test(tc, test_sti_with_nothing_waiting_runs_the_next_block_whole);
	tcase_add_test(tc, test_a_write_to_the_chained_to_block_unchains_it);
	tcase_add_test(tc, test_a_loop_across_a_page_boundary_sees_a_write_to_either_page);
	tcase_add_loop_test(tc, test_a_flush_while_chained, 0, 2);
	tcase_add_test(tc, test_a_change_of_cs_size_breaks_the_chain);
	tcase_add_test(tc, test_a_lower_cs_limit_stops_the_chain_at_the_block_beyond);
	tcase_add_test(tc, test_a_32_bit_loop_chained_both_ways_stops_exactly_at_the_budget);
	tcase_add_test(tc, test_a_remapped_page_does_not_follow_the_old_links);
	tcase_add_test(tc, test_a_remapped_target_page_does_not_follow_a_far_link);
	tcase_add_test(tc, test_a_far_link_to_a_page_gone_faults_at_its_target);
	tcase_add_test(tc, test_a_far_stub_checks_the_host_of_the_mapping_it_finds);
	tcase_add_test(tc, test_a_loop_of_far_links_counts_exactly_through_the_stubs);
	tcase_add_test(tc, test_far_stubs_find_pages_in_every_tlb_entry);
	tcase_add_test(tc, test_returns_find_their_block_in_every_tlb_entry);
	tcase_add_test(tc, test_cli_and_leave_run_inside_a_block);
	tcase_add_test(tc, test_rdtsc_links_to_the_next_block);
	tcase_add_test(tc, test_a_data_segment_no_longer_flat_is_checked_at_each_entry);
	tcase_add_test(tc, test_a_folded_access_faults_precisely);
	tcase_add_test(tc, test_a_data_segment_limit_lowered_after_translation_faults);
	tcase_add_test(tc, test_two_blocks_of_one_set_are_both_kept);
	tcase_add_test(tc, test_blocks_run_in_turn_push_out_translated_blocks_run_long_ago);
	tcase_add_test(tc, test_an_instruction_across_a_page_end_is_decoded_once);
	tcase_add_test(tc, test_a_chained_block_pushed_out_of_its_slot_is_unlinked);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
