/* The software CPU's decoded-instruction cache and self-modifying code:
 * whatever writes the code bytes (the instruction stream itself, a REP
 * string store, a write through another linear alias of the page, the
 * host or a device), the next execution of those bytes sees the new
 * instruction, and the same bytes under another CS default size decode
 * anew. A second case covers the bulk path of REP MOVS/STOS (host
 * pointers a page at a time): overlap in both directions, page
 * boundaries, and MMIO, which must still see every element. Real-mode tests load code at 0000:7C00
 * with SS:SP = 0000:7000 and end in HLT; the paging test runs flat 32-bit code at 8000h. The bytes
 * were assembled with nasm (bits 16, org 7C00h unless a test says
 * otherwise); keep each comment in step with its bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "x86_fixture.h"

static void setup(void)
{
	x86f_setup(8u << 20);
}

/* Runs from 0000:ip in real mode until HLT. */
static enum vcpu_exit run_real(uint32_t ip)
{
	return x86f_run_real(ip, 100000);
}

static enum vcpu_exit run(const uint8_t *code, size_t len)
{
	x86f_load(code, len, 0x7c00);
	return run_real(0x7c00);
}

/* Whether a decoded block starts at physical address pa of RAM. */
static bool block_at(uint32_t pa)
{
	for (unsigned i = 0; i < X86_BLOCKS; i++)
		if (cpu->blocks[i].host == m.mem.ram + pa)
			return true;
	return false;
}

/* The decoded block at 0000:ip (real mode), which must hold `n`
 * instructions. */
static struct x86_block *decoded_at(uint32_t ip, unsigned n)
{
	struct x86_block *b;

	cpu->eip = ip;
	b = x86_block_at(cpu);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->n, n);
	return b;
}

/* The decoder's arena is reused a generation at a time: once full, the
 * blocks decoded in its oldest generation are dropped, and only they; a
 * block decoded again elsewhere since and a translated block (which has
 * its own copy of its instructions) stay. Blocks of X86_BLOCK_MAX NOPs
 * start at each byte of a sled at 8000h until the arena has wrapped;
 * the first block, at 9000h, is translated when the JIT is on. */
START_TEST(test_reusing_the_arena_drops_its_oldest_generation_only)
{
	static const uint8_t hlt[] = {0xf4};
	const unsigned per = X86_BLOCK_MAX, gen = X86_BLOCK_ARENA / X86_BLOCK_GENS / per;
	const unsigned starts = X86_BLOCK_ARENA / per + 8;
	struct x86_block *kept, *twice = NULL;
	uint8_t nops[0x2000];

	memset(nops, 0x90, sizeof nops);
	x86f_load(nops, sizeof nops, 0x8000);
	ck_assert_int_eq(run(hlt, sizeof hlt), VCPU_EXIT_HALT); /* CS = 0 */
	kept = decoded_at(0x9000, per);
	if (cpu->jit)
		ck_assert_ptr_nonnull(x86_jit_translate(cpu, kept));
	for (unsigned i = 0; i < starts; i++) {
		decoded_at(0x8000 + i, per);
		/* In the second generation: the page written (every block of
		 * it out of date), the one at 8005h decoded again here. */
		if (i == gen + 3) {
			x86f_load(nops, 1, 0x8fff);
			twice = decoded_at(0x8005, per);
		}
	}
	ck_assert_uint_eq(cpu->arena_evictions, 1);
	for (unsigned i = 0; i < gen + 8; i++)
		if (i != 5)
			ck_assert_msg(!block_at(0x8000 + i) == (i < gen - 1), "the block at %x",
				      0x8000 + i);
	ck_assert_ptr_eq(twice->host, m.mem.ram + 0x8005);
	ck_assert(x86_block_valid(twice));
	/* decoded first, so in the oldest generation */
	ck_assert_ptr_eq(kept->host, cpu->jit ? m.mem.ram + 0x9000 : NULL);
	ck_assert(block_at(0x8000 + starts - 1));
}
END_TEST

/* mov ax, 1 / ret at 9000h, on another page than the code at 7C00h. */
static const uint8_t sub16[] = {0xb8, 0x01, 0x00, 0xc3};

/* Blocks end at a branch: the entry, the loop body, what follows. */
START_TEST(test_executed_code_is_kept_in_blocks)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, /* mov cx, 3 */
	    0x40,	      /* a: inc ax */
	    0xe2, 0xfd,	      /* loop a */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert(block_at(0x7c00));
	ck_assert(block_at(0x7c03));
	ck_assert(block_at(0x7c06));
	ck_assert(!block_at(0x7c04));
}
END_TEST

/* A loop that increments the immediate of its own ADD each time round:
 * every pass adds the value the previous pass stored (1 + 2 + 3). */
START_TEST(test_loop_patching_its_own_immediate_sees_each_new_value)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00,	    /* mov cx, 3 */
	    0x31, 0xdb,		    /* xor bx, bx */
	    0x83, 0xc3, 0x01,	    /* top: add bx, 1 */
	    0xfe, 0x06, 0x07, 0x7c, /* inc byte [top + 2] */
	    0xe2, 0xf7,		    /* loop top */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 6);
	ck_assert_uint_eq(m.mem.ram[0x7c07], 4);
}
END_TEST

/* The store patches the very next instruction, already decoded on the
 * first pass: the second pass runs the modified MOV (x86 sees a store to
 * the instruction stream before the next instruction executes). */
START_TEST(test_store_to_the_next_instruction_is_seen_when_it_executes)
{
	static const uint8_t code[] = {
	    0x31, 0xd2,		    /* xor dx, dx */
	    0xb9, 0x02, 0x00,	    /* mov cx, 2 */
	    0x88, 0x0e, 0x0a, 0x7c, /* again: mov [next + 1], cl */
	    0xb0, 0x00,		    /* next: mov al, 0 */
	    0x00, 0xc2,		    /* add dl, al */
	    0xe2, 0xf6,		    /* loop again */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EDX) & 0xff, 2 + 1);
}
END_TEST

/* Code on one page rewrites a subroutine on another page between two
 * calls. */
START_TEST(test_code_patched_on_another_page_runs_modified)
{
	static const uint8_t code[] = {
	    0xe8, 0xfd, 0x13,			/* call 0x9000 */
	    0x89, 0xc3,				/* mov bx, ax */
	    0xc7, 0x06, 0x01, 0x90, 0x22, 0x22, /* mov word [0x9001], 0x2222 */
	    0xe8, 0xf2, 0x13,			/* call 0x9000 */
	    0xf4,				/* hlt */
	};

	x86f_load(sub16, sizeof sub16, 0x9000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(reg16(X86_EAX), 0x2222);
}
END_TEST

/* REP STOSB turns an executed MOV BL, 77h into two INC BX. */
START_TEST(test_rep_stosb_over_executed_code_replaces_it)
{
	static const uint8_t code[] = {
	    0x31, 0xdb,	      /* xor bx, bx */
	    0xba, 0x02, 0x00, /* mov dx, 2 */
	    0xb3, 0x77,	      /* again: mov bl, 0x77 */
	    0xb0, 0x43,	      /* mov al, 0x43 (inc bx) */
	    0xbf, 0x05, 0x7c, /* mov di, again */
	    0xb9, 0x02, 0x00, /* mov cx, 2 */
	    0xf3, 0xaa,	      /* rep stosb */
	    0x4a,	      /* dec dx */
	    0x75, 0xf1,	      /* jnz again */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x77 + 2);
}
END_TEST

/* The host (or a device's DMA) rewrites code between two runs. */
START_TEST(test_code_rewritten_by_the_host_runs_modified)
{
	static const uint8_t a[] = {0xb8, 0x11, 0x11, 0xf4}; /* mov ax, 0x1111; hlt */
	static const uint8_t b[] = {0xb8, 0x22, 0x22, 0xf4}; /* mov ax, 0x2222; hlt */

	ck_assert_int_eq(run(a, sizeof a), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x1111);
	ck_assert_int_eq(run(b, sizeof b), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x2222);
}
END_TEST

/* The same bytes run with a 16-bit and then a 32-bit CS, and back:
 * B8 90 90 90 90 is MOV AX, 9090h; NOP; NOP or MOV EAX, 90909090h. */
START_TEST(test_same_bytes_decode_anew_under_another_cs_size)
{
	static const uint8_t code[] = {0xb8, 0x90, 0x90, 0x90, 0x90, 0xf4};
	static const uint32_t want[] = {0x9090, 0x90909090, 0x9090};

	x86f_load(code, sizeof code, 0x7c00);
	for (unsigned i = 0; i < 3; i++) {
		x86_cpu_set_ip(cpu, 0, 0x7c00);
		if (i == 1)
			cpu->seg[X86_CS].attr |= X86_SEG_BIG;
		cpu->regs[X86_EAX] = 0;
		ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_HALT);
		ck_assert_uint_eq(cpu->regs[X86_EAX], want[i]);
		ck_assert_uint_eq(cpu->eip, 0x7c00 + 6);
	}
}
END_TEST

/* Flat 32-bit ring 0 with paging: the first 4 MiB identity-mapped and
 * linear 400000h another name for physical page 9000h. */
static void enter_flat_paged(void)
{
	static const struct x86_seg code = {8, 0, 0xffffffff, 0xc09b, 0, 0, {0, 0}, false};
	static const struct x86_seg data = {16, 0, 0xffffffff, 0xc093, 0, 0, {0, 0}, false};

	put32(0x20000, 0x21000 | 3);
	for (uint32_t i = 0; i < 1024; i++)
		put32(0x21000 + 4 * i, i << 12 | 3);
	put32(0x20004, 0x22000 | 3);
	put32(0x22000, 0x9000 | 3);
	for (int s = 0; s < X86_NSEG; s++) {
		cpu->seg[s] = s == X86_CS ? code : data;
		x86_seg_sync(&cpu->seg[s]);
	}
	cpu->cr[0] |= X86_CR0_PE | X86_CR0_PG;
	cpu->cr[3] = 0x20000;
	x86_set_cpl(cpu, 0);
	cpu->eflags = 0x2;
	cpu->regs[X86_ESP] = 0x7000;
	x86_tlb_flush(cpu);
}

/* A subroutine is rewritten through a second linear mapping of its
 * physical page (bits 32, org 8000h). */
START_TEST(test_code_written_through_a_paging_alias_runs_modified)
{
	static const uint8_t code[] = {
	    0xe8, 0xfb, 0x0f, 0x00, 0x00, /* call 0x9000 */
	    0x89, 0xc3,			  /* mov ebx, eax */
	    0xc7, 0x05, 0x01, 0x00, 0x40,
	    0x00, 0x02, 0x00, 0x00, 0x00, /* mov dword [0x400001], 2 */
	    0xe8, 0xea, 0x0f, 0x00, 0x00, /* call 0x9000 */
	    0xf4,			  /* hlt */
	};
	static const uint8_t sub[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3}; /* mov eax, 1; ret */

	x86f_load(code, sizeof code, 0x8000);
	x86f_load(sub, sizeof sub, 0x9000);
	enter_flat_paged();
	cpu->eip = 0x8000;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 1);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 2);
	ck_assert_uint_eq(m.mem.ram[0x9001], 2);
}
END_TEST

/* Remapping the linear page of cached code to other physical bytes runs
 * the new bytes (the cache is keyed by linear address and checks the
 * bytes it reads through the current mapping). */
START_TEST(test_cached_code_remapped_by_paging_runs_the_new_page)
{
	static const uint8_t a[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4}; /* mov eax, 1; hlt */
	static const uint8_t b[] = {0xb8, 0x02, 0x00, 0x00, 0x00, 0xf4}; /* mov eax, 2; hlt */

	x86f_load(a, sizeof a, 0x8000);
	x86f_load(b, sizeof b, 0xa000);
	enter_flat_paged();
	cpu->eip = 0x8000;
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 1);
	put32(0x21000 + 4 * 8, 0xa000 | 3);
	x86_tlb_flush_page(cpu, 0x8000);
	cpu->halted = false;
	cpu->eip = 0x8000;
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 2);
}
END_TEST

/* An instruction that ends past the CS limit faults even after it ran
 * from the cache within the limit: the cached path repeats the check. */
START_TEST(test_cached_instruction_still_checks_the_cs_limit)
{
	static const uint8_t code[] = {0xb8, 0x34, 0x12, 0xf4};	   /* mov ax, 0x1234; hlt */
	static const uint8_t handler[] = {0xbb, 0x0d, 0x00, 0xf4}; /* mov bx, 13; hlt */

	x86f_load(code, sizeof code, 0x7c00);
	x86f_load(handler, sizeof handler, 0x500);
	put32(13 * 4, 0x00000500); /* IVT: #GP at 0000:0500 */
	ck_assert_int_eq(run_real(0x7c00), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x1234);
	x86_cpu_set_ip(cpu, 0, 0x7c00);
	cpu->regs[X86_ESP] = 0x7000;
	cpu->regs[X86_EAX] = 0;
	cpu->seg[X86_CS].limit = 0x7c01;
	x86_seg_sync(&cpu->seg[X86_CS]);
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0);
	ck_assert_uint_eq(reg16(X86_EBX), 13);
}
END_TEST

/* Code at the end of a page and across into the next one runs, and runs
 * modified after a write (such instructions are decoded every time). */
START_TEST(test_instruction_across_a_page_boundary_runs_modified)
{
	/* At 8FFEh: mov ax, 0x1111 (3 bytes, crossing into 9000h); hlt. */
	static const uint8_t code[] = {0xb8, 0x11, 0x11, 0xf4};

	x86f_load(code, sizeof code, 0x8ffe);
	ck_assert_int_eq(run_real(0x8ffe), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x1111);
	m.mem.ram[0x9000] = 0x22;
	ck_assert_int_eq(run_real(0x8ffe), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x2211);
}
END_TEST

/* A "DMA" device: a write to port 80h copies the patch to 9000h with
 * mem_write, as a disk controller's transfer does, while the CPU runs. */
static const uint8_t dma_patch[] = {0xb8, 0x22, 0x22}; /* mov ax, 0x2222 */

static uint64_t dma_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xff;
}

static void dma_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
	mem_write(&m.mem, 0x9000, dma_patch, sizeof dma_patch);
}

static const struct io_ops dma_ops = {dma_read, dma_write};

/* The device rewrites a decoded subroutine between two calls of it. */
START_TEST(test_code_written_by_dma_while_running_runs_modified)
{
	static const uint8_t code[] = {
	    0xe8, 0xfd, 0x13, /* call 0x9000 */
	    0x89, 0xc3,	      /* mov bx, ax */
	    0x90, 0x90, 0x90, /* nop (x3) */
	    0xe6, 0x80,	      /* out 0x80, al: the device patches 0x9000 */
	    0xe8, 0xf3, 0x13, /* call 0x9000 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(bus_register(&m.pio, 0x80, 1, &dma_ops, NULL, "dma"), 0);
	x86f_load(sub16, sizeof sub16, 0x9000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(reg16(X86_EAX), 0x2222);
}
END_TEST

/* A store into another, already decoded block on the same page as the
 * storing code (7C40h: mov ax, 1; ret). */
START_TEST(test_store_into_another_block_of_the_same_page_is_seen)
{
	static const uint8_t code[] = {
	    0xe8, 0x3d, 0x00,			/* call 0x7c40 */
	    0x89, 0xc3,				/* mov bx, ax */
	    0xc7, 0x06, 0x41, 0x7c, 0x33, 0x33, /* mov word [0x7c41], 0x3333 */
	    0xe8, 0x32, 0x00,			/* call 0x7c40 */
	    0xf4,				/* hlt */
	};

	x86f_load(sub16, sizeof sub16, 0x7c40);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(reg16(X86_EAX), 0x3333);
}
END_TEST

/* Straight code running off the end of a page goes on in a block of the
 * next page: blocks stop at page ends. */
START_TEST(test_straight_code_across_a_page_end_runs_in_two_blocks)
{
	static const uint8_t code[] = {
	    0x40, 0x40, 0x40, 0x40, /* 8FFCh: inc ax (x4) */
	    0x43, 0x43, 0xf4,	    /* 9000h: inc bx; inc bx; hlt */
	};

	x86f_load(code, sizeof code, 0x8ffc);
	ck_assert_int_eq(run_real(0x8ffc), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 4);
	ck_assert_uint_eq(reg16(X86_EBX), 2);
	ck_assert(block_at(0x8ffc));
	ck_assert(block_at(0x9000));
	ck_assert_uint_eq(x86_cpu_insns(cpu), 7);
}
END_TEST

/* A fault in the middle of a block reports the faulting instruction's IP
 * and counts exactly the instructions before it: MOV AX, [FFFFh] reads
 * past the 64 KiB limit of DS (#GP, whose handler at 0500h halts). */
START_TEST(test_fault_in_the_middle_of_a_block_is_exact)
{
	static const uint8_t code[] = {
	    0x40,		    /* inc ax */
	    0x40,		    /* inc ax */
	    0x8b, 0x1e, 0xff, 0xff, /* 7C02h: mov bx, [0xffff] */
	    0x40,		    /* inc ax */
	    0xf4,		    /* hlt */
	};
	static const uint8_t handler[] = {0xf4}; /* hlt */

	x86f_load(code, sizeof code, 0x7c00);
	x86f_load(handler, sizeof handler, 0x500);
	put32(13 * 4, 0x00000500);
	ck_assert_int_eq(run_real(0x7c00), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c02); /* the IP pushed */
	ck_assert_uint_eq(x86_cpu_insns(cpu), 2 + 1); /* two INC, the handler's HLT */
}
END_TEST

/* A block is not run when the budget left is smaller: the instructions
 * run one by one and the count stops exactly at the budget. */
START_TEST(test_budget_smaller_than_a_block_stops_exactly)
{
	static const uint8_t code[] = {0x40, 0x40, 0x40, 0x40, 0x40, 0xf4}; /* inc ax (x5); hlt */

	x86f_load(code, sizeof code, 0x7c00);
	ck_assert_int_eq(x86f_run_real(0x7c00, 3), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(reg16(X86_EAX), 3);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 3);
	ck_assert_uint_eq(cpu->eip, 0x7c03);
}
END_TEST

/* The lockstep checker passes correct code through, handlers of both
 * kinds (fast register forms, general ones, memory forms) included. */
START_TEST(test_lockstep_runs_correct_code_to_its_end)
{
	static const uint8_t code[] = {
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0x31, 0xc0,	      /* xor ax, ax */
	    0x01, 0xc8,	      /* a: add ax, cx */
	    0x83, 0xd0, 0x00, /* adc ax, 0 */
	    0xa3, 0x00, 0x05, /* mov [0x500], ax */
	    0xd1, 0xe0,	      /* shl ax, 1 */
	    0xe2, 0xf4,	      /* loop a */
	    0xf4,	      /* hlt */
	};

	cpu->lockstep = true;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x102);
}
END_TEST

/* A block whose decoded instruction no longer matches the bytes (as a
 * missed write to a code page would leave it) stops the run. */
START_TEST(test_lockstep_stops_at_a_stale_block)
{
	static const uint8_t code[] = {0xb8, 0x11, 0x11, 0x40,
				       0xf4}; /* mov ax, 0x1111; inc ax; hlt */
	struct x86_block *b;

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	b = block_of(0x7c00);
	ck_assert_ptr_nonnull(b);
	b->insns[0].imm = 0x2222;
	cpu->lockstep = true;
	ck_assert_int_eq(run_real(0x7c00), VCPU_EXIT_ERROR);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 3); /* the stale MOV did not run */
	ck_assert_uint_eq(cpu->eip, 0x7c00);
}
END_TEST

/* A device that counts its writes. */
static unsigned mmio_writes;

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

static void mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	(void)value;
	mmio_writes++;
}

static const struct io_ops mmio_ops = {mmio_read, mmio_write};

/* A forward copy onto itself shifted by one byte repeats the first byte,
 * element by element, as on hardware (not like memmove). */
START_TEST(test_rep_movsb_overlapping_forward_repeats_the_first_byte)
{
	static const uint8_t code[] = {
	    0xbe, 0x00, 0x05, /* mov si, 0x500 */
	    0xbf, 0x01, 0x05, /* mov di, 0x501 */
	    0xb9, 0x14, 0x00, /* mov cx, 20 */
	    0xf3, 0xa4,	      /* rep movsb */
	    0xf4,	      /* hlt */
	};

	for (unsigned i = 0; i <= 20; i++)
		m.mem.ram[0x500 + i] = (uint8_t)(i + 1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	for (unsigned i = 0; i <= 20; i++)
		ck_assert_uint_eq(m.mem.ram[0x500 + i], 1);
	ck_assert_uint_eq(reg16(X86_ESI), 0x514);
	ck_assert_uint_eq(reg16(X86_EDI), 0x515);
	ck_assert_uint_eq(reg16(X86_ECX), 0);
}
END_TEST

/* With DF set, a copy one byte up moves the block (from its top down). */
START_TEST(test_rep_movsb_backward_overlapping_shifts_the_block)
{
	static const uint8_t code[] = {
	    0xfd,	      /* std */
	    0xbe, 0x14, 0x06, /* mov si, 0x614 */
	    0xbf, 0x15, 0x06, /* mov di, 0x615 */
	    0xb9, 0x14, 0x00, /* mov cx, 20 */
	    0xf3, 0xa4,	      /* rep movsb */
	    0xf4,	      /* hlt */
	};

	for (unsigned i = 0; i < 20; i++)
		m.mem.ram[0x601 + i] = (uint8_t)(i + 1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(m.mem.ram[0x601], 1);
	for (unsigned i = 0; i < 20; i++)
		ck_assert_uint_eq(m.mem.ram[0x602 + i], i + 1);
	ck_assert_uint_eq(reg16(X86_ESI), 0x600);
	ck_assert_uint_eq(reg16(X86_EDI), 0x601);
}
END_TEST

/* Source and destination both cross a page boundary mid-copy. */
START_TEST(test_rep_movsw_across_page_boundaries_copies_everything)
{
	static const uint8_t code[] = {
	    0xbe, 0xf0, 0x0f, /* mov si, 0xff0 */
	    0xbf, 0xf8, 0x2f, /* mov di, 0x2ff8 */
	    0xb9, 0x10, 0x00, /* mov cx, 16 */
	    0xf3, 0xa5,	      /* rep movsw */
	    0xf4,	      /* hlt */
	};

	for (unsigned i = 0; i < 32; i++)
		m.mem.ram[0xff0 + i] = (uint8_t)(0x80 + i);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_mem_eq(m.mem.ram + 0x2ff8, m.mem.ram + 0xff0, 32);
	ck_assert_uint_eq(reg16(X86_ESI), 0x1010);
	ck_assert_uint_eq(reg16(X86_EDI), 0x3018);
}
END_TEST

/* A backward REP STOSW that starts above a page boundary and ends below. */
START_TEST(test_rep_stosw_backward_across_a_page_boundary)
{
	static const uint8_t code[] = {
	    0xfd,	      /* std */
	    0xb8, 0xcd, 0xab, /* mov ax, 0xabcd */
	    0xbf, 0x08, 0x10, /* mov di, 0x1008 */
	    0xb9, 0x10, 0x00, /* mov cx, 16 */
	    0xf3, 0xab,	      /* rep stosw */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	for (uint32_t a = 0x1008 - 15 * 2; a <= 0x1008; a += 2) {
		ck_assert_uint_eq(m.mem.ram[a], 0xcd);
		ck_assert_uint_eq(m.mem.ram[a + 1], 0xab);
	}
	ck_assert_uint_eq(m.mem.ram[0x1008 - 16 * 2 + 1], 0);
	ck_assert_uint_eq(m.mem.ram[0x100a], 0);
	ck_assert_uint_eq(reg16(X86_EDI), 0x1008 - 16 * 2);
}
END_TEST

/* REP STOSB into MMIO reaches the device once per element. */
START_TEST(test_rep_stosb_into_mmio_writes_every_element)
{
	static const uint8_t code[] = {
	    0xbf, 0x00, 0xd0, /* mov di, 0xd000 */
	    0xb9, 0x08, 0x00, /* mov cx, 8 */
	    0xb0, 0x5a,	      /* mov al, 0x5a */
	    0xf3, 0xaa,	      /* rep stosb */
	    0xf4,	      /* hlt */
	};

	mmio_writes = 0;
	ck_assert_int_eq(mem_map_mmio(&m.mem, 0xd000, 0x1000, &mmio_ops, NULL, "count"), 0);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mmio_writes, 8);
	ck_assert_uint_eq(m.mem.ram[0xd000], 0);
	ck_assert_uint_eq(reg16(X86_EDI), 0xd008);
}
END_TEST

static Suite *s(void)
{
	Suite *suite = suite_create("x86_smc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_executed_code_is_kept_in_blocks);
	tcase_add_test(tc, test_reusing_the_arena_drops_its_oldest_generation_only);
	tcase_add_test(tc, test_loop_patching_its_own_immediate_sees_each_new_value);
	tcase_add_test(tc, test_store_to_the_next_instruction_is_seen_when_it_executes);
	tcase_add_test(tc, test_code_patched_on_another_page_runs_modified);
	tcase_add_test(tc, test_rep_stosb_over_executed_code_replaces_it);
	tcase_add_test(tc, test_code_rewritten_by_the_host_runs_modified);
	tcase_add_test(tc, test_same_bytes_decode_anew_under_another_cs_size);
	tcase_add_test(tc, test_code_written_through_a_paging_alias_runs_modified);
	tcase_add_test(tc, test_cached_code_remapped_by_paging_runs_the_new_page);
	tcase_add_test(tc, test_cached_instruction_still_checks_the_cs_limit);
	tcase_add_test(tc, test_instruction_across_a_page_boundary_runs_modified);
	tcase_add_test(tc, test_code_written_by_dma_while_running_runs_modified);
	tcase_add_test(tc, test_store_into_another_block_of_the_same_page_is_seen);
	tcase_add_test(tc, test_straight_code_across_a_page_end_runs_in_two_blocks);
	tcase_add_test(tc, test_fault_in_the_middle_of_a_block_is_exact);
	tcase_add_test(tc, test_budget_smaller_than_a_block_stops_exactly);
	tcase_add_test(tc, test_lockstep_runs_correct_code_to_its_end);
	tcase_add_test(tc, test_lockstep_stops_at_a_stale_block);
	suite_add_tcase(suite, tc);
	tc = tcase_create("rep");
	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_rep_movsb_overlapping_forward_repeats_the_first_byte);
	tcase_add_test(tc, test_rep_movsb_backward_overlapping_shifts_the_block);
	tcase_add_test(tc, test_rep_movsw_across_page_boundaries_copies_everything);
	tcase_add_test(tc, test_rep_stosw_backward_across_a_page_boundary);
	tcase_add_test(tc, test_rep_stosb_into_mmio_writes_every_element);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	return unit_run(s());
}
