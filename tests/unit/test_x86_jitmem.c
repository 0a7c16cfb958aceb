/* Memory operands in translated blocks (hv/x86/jit_form.c): loops of
 * 32-bit code whose memory instructions the JIT does inline through the
 * soft TLB, with what must leave its inline path and stay exact: a page
 * fault in the middle of a block (EIP, registers, flags, the count, CR2),
 * operands that straddle pages (read, read-modify-write, and a write
 * into a page that is not present), a store into the instructions of the
 * running block, segment checks (a limit, a read-only segment), the
 * effective-address forms through a based segment, and a page remapped
 * under a loop (MOV CR3, INVLPG: the soft TLB's addends). Like
 * every test_x86_* suite it runs interpreted (HV_JIT=0) and translated
 * (HV_JIT_THRESHOLD=0), and both must give the same figures; translated,
 * the JIT must have done memory forms natively. Ring 0, flat segments,
 * identity paging of 4 MiB; the bytes are from nasm (bits 32, org 8000h). */
#include <check.h>
#include <string.h>

#include "hv/x86/jit.h"
#include "hv/x86/protected.h"
#include "unit.h"
#include "x86_fixture.h"

#define GDT_BASE   0x1000u
#define IDT_BASE   0x2000u
#define BOOT_SP	   0x7000u
#define CODE	   0x8000u
#define STUBS	   0x9000u /* vector v: mov edi, v; hlt at STUBS + 16 * v */
#define PAGE_DIR   0x20000u
#define PAGE_TABLE 0x21000u

enum { SEL_CODE = 0x08, SEL_DATA = 0x10, SEL_RODATA = 0x18, SEL_SMALL = 0x20, SEL_BASED = 0x28 };

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static void put_desc(uint32_t at, uint64_t d)
{
	put32(at, (uint32_t)d);
	put32(at + 4, (uint32_t)(d >> 32));
}

static void load_seg(int seg, uint16_t sel)
{
	uint32_t at = GDT_BASE + sel;

	x86_seg_from_desc(&cpu->seg[seg], sel, mem32(at) | (uint64_t)mem32(at + 4) << 32);
}

/* Flat ring-0 protected mode with paging; exceptions end in their stubs. */
static void setup(void)
{
	x86f_setup(8u << 20);
	put_desc(GDT_BASE + SEL_CODE, seg_desc(0, 0xfffff, 0x9b, 0xc));
	put_desc(GDT_BASE + SEL_DATA, seg_desc(0, 0xfffff, 0x93, 0xc));
	put_desc(GDT_BASE + SEL_RODATA, seg_desc(0, 0xfffff, 0x91, 0xc));
	put_desc(GDT_BASE + SEL_SMALL, seg_desc(0, 0xfff, 0x93, 0x4));	     /* limit FFFh, bytes */
	put_desc(GDT_BASE + SEL_BASED, seg_desc(0x1000, 0xffff, 0x93, 0xc)); /* base 1000h */
	for (unsigned v = 0; v < 32; v++) {
		static const uint8_t stub[] = {0xbf, 0, 0, 0, 0, 0xf4}; /* mov edi, v; hlt */
		uint32_t at = STUBS + 16 * v;

		memcpy(m.mem.ram + at, stub, sizeof stub);
		m.mem.ram[at + 1] = (uint8_t)v;
		put_desc(IDT_BASE + 8 * v, (at & 0xffff) | (uint64_t)SEL_CODE << 16 |
					       (uint64_t)0x8e << 40 | (uint64_t)(at >> 16) << 48);
	}
	put32(PAGE_DIR, PAGE_TABLE | 7);
	for (uint32_t i = 0; i < 1024; i++)
		put32(PAGE_TABLE + i * 4, i << 12 | 7);
	cpu->cr[0] |= X86_CR0_PE | X86_CR0_PG;
	cpu->cr[3] = PAGE_DIR;
	cpu->gdtr = (struct x86_dtr){GDT_BASE, 0x2f};
	cpu->idtr = (struct x86_dtr){IDT_BASE, 32 * 8 - 1};
	load_seg(X86_CS, SEL_CODE);
	for (int s = X86_ES; s < X86_NSEG; s++)
		if (s != X86_CS)
			load_seg(s, SEL_DATA);
	x86_set_cpl(cpu, 0);
	cpu->eip = CODE;
	cpu->regs[X86_ESP] = BOOT_SP;
	cpu->regs[X86_EDX] = 0;
	cpu->eflags = 0x2;
	x86_tlb_flush(cpu);
}

static void not_present(uint32_t lin)
{
	put32(PAGE_TABLE + (lin >> 12) * 4, 0);
}

static enum vcpu_exit run(const uint8_t *code, size_t len)
{
	enum vcpu_exit e;

	x86f_load(code, len, CODE);
	e = x86_cpu_run(cpu, 100000);
	if (cpu->jit) /* translated: memory forms were done inline */
		ck_assert_uint_gt(cpu->jit->mem, 0);
	return e;
}

/* The run ended in the stub of `vector`, whose frame holds `error` and
 * the EIP of the faulting instruction; the flags it pushed are returned. */
static uint32_t fault(enum vcpu_exit why, unsigned vector, uint32_t error, uint32_t eip)
{
	uint32_t sp = cpu->regs[X86_ESP];

	ck_assert_int_eq(why, VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EDI), vector);
	ck_assert_uint_eq(cpu->eip, STUBS + 16 * vector + 6);
	ck_assert_uint_eq(mem32(sp), error);
	ck_assert_uint_eq(mem32(sp + 4), eip);
	return mem32(sp + 12);
}

#define ARITH_SEEN (X86_CF | X86_ZF | X86_SF)

/* A #PF on the third run of a loop's block, after inline hits. */
START_TEST(test_page_fault_in_a_translated_block_is_precise)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00,	/* mov ecx, 10 */
	    0xbe, 0x00, 0x00, 0x04, 0x00,	/* mov esi, 40000h */
	    0x31, 0xc0,				/* xor eax, eax */
	    0x31, 0xdb,				/* xor ebx, ebx */
	    0x31, 0xed,				/* xor ebp, ebp */
	    0x03, 0x05, 0x00, 0x00, 0x04, 0x00, /* a: add eax, [40000h] */
	    0x89, 0x85, 0x04, 0x00, 0x04, 0x00, /* mov [ebp+40004h], eax */
	    0x43,				/* inc ebx */
	    0x8b, 0x16,				/* mov edx, [esi]: #PF at 50000h */
	    0x81, 0xc6, 0x00, 0x80, 0x00, 0x00, /* add esi, 8000h */
	    0x49,				/* dec ecx */
	    0x75, 0xe8,				/* jnz a */
	    0xf4,				/* hlt */
	};
	uint32_t flags;

	put32(0x40000, 0xffffffff);
	put32(0x48000, 0x77);
	not_present(0x50000);
	flags = fault(run(code, sizeof code), X86_VEC_PF, 0, 0x801d);
	ck_assert_uint_eq(flags & ARITH_SEEN, X86_CF); /* the ADD's CF, INC's SF and ZF */
	ck_assert_uint_eq(reg(X86_EAX), 0xfffffffd);
	ck_assert_uint_eq(reg(X86_EBX), 3);
	ck_assert_uint_eq(reg(X86_ECX), 8);
	ck_assert_uint_eq(reg(X86_EDX), 0x77);
	ck_assert_uint_eq(reg(X86_ESI), 0x50000);
	ck_assert_uint_eq(mem32(0x40004), 0xfffffffd);
	ck_assert_uint_eq(cpu->cr[2], 0x50000);
	ck_assert_uint_eq(cpu->insns, 5 + 7 + 7 + 3 + 2); /* and the stub's two */
}
END_TEST

/* CMOVcc reads its source whatever the condition: a CMOVZ that does not
 * move faults on the third run (after a SETNZ and a CMOVGE that moved on
 * the two before), precisely. */
START_TEST(test_cmov_source_faults_when_false)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00,	/* mov ecx, 10 */
	    0xbe, 0x00, 0x00, 0x04, 0x00,	/* mov esi, 40000h */
	    0x31, 0xdb,				/* xor ebx, ebx */
	    0xba, 0x55, 0x00, 0x00, 0x00,	/* mov edx, 55h */
	    0x43,				/* a: inc ebx */
	    0x85, 0xc9,				/* test ecx, ecx */
	    0x0f, 0x44, 0x16,			/* cmovz edx, [esi]: #PF at 50000h */
	    0x0f, 0x95, 0xc0,			/* setnz al */
	    0x0f, 0x4d, 0x2e,			/* cmovge ebp, [esi] */
	    0x81, 0xc6, 0x00, 0x80, 0x00, 0x00, /* add esi, 8000h */
	    0x49,				/* dec ecx */
	    0x75, 0xeb,				/* jnz a */
	    0xf4,				/* hlt */
	};
	uint32_t flags;

	put32(0x40000, 0x11);
	put32(0x48000, 0x77);
	not_present(0x50000);
	flags = fault(run(code, sizeof code), X86_VEC_PF, 0, 0x8014);
	ck_assert_uint_eq(flags & ARITH_SEEN, 0); /* TEST ECX, ECX of 8 */
	ck_assert_uint_eq(reg(X86_EBX), 3);
	ck_assert_uint_eq(reg(X86_ECX), 8);
	ck_assert_uint_eq(reg(X86_EDX), 0x55);
	ck_assert_uint_eq(reg(X86_EBP), 0x77);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 1);
	ck_assert_uint_eq(cpu->cr[2], 0x50000);
	ck_assert_uint_eq(cpu->insns, 4 + 8 + 8 + 2 + 2);
}
END_TEST

/* SETcc into memory: written on two runs, then a write into a page that
 * is not present faults with nothing written and CMP's flags. */
START_TEST(test_setcc_write_faults)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00,	/* mov ecx, 10 */
	    0xbe, 0x00, 0x00, 0x04, 0x00,	/* mov esi, 40000h */
	    0x31, 0xdb,				/* xor ebx, ebx */
	    0x43,				/* a: inc ebx */
	    0x39, 0xd9,				/* cmp ecx, ebx */
	    0x0f, 0x97, 0x06,			/* seta byte [esi]: #PF at 50000h */
	    0x0f, 0x42, 0xd1,			/* cmovb edx, ecx */
	    0x81, 0xc6, 0x00, 0x80, 0x00, 0x00, /* add esi, 8000h */
	    0x49,				/* dec ecx */
	    0x75, 0xee,				/* jnz a */
	    0xf4,				/* hlt */
	};
	uint32_t flags;

	put32(0x40000, 0xffffffff);
	put32(0x48000, 0xffffffff);
	not_present(0x50000);
	flags = fault(run(code, sizeof code), X86_VEC_PF, 2, 0x800f);
	ck_assert_uint_eq(flags & ARITH_SEEN, 0); /* CMP 8, 3 */
	ck_assert_uint_eq(reg(X86_EBX), 3);
	ck_assert_uint_eq(reg(X86_EDX), 0);
	ck_assert_uint_eq(mem32(0x40000), 0xffffff01);
	ck_assert_uint_eq(mem32(0x48000), 0xffffff01);
	ck_assert_uint_eq(cpu->cr[2], 0x50000);
	ck_assert_uint_eq(cpu->insns, 3 + 7 + 7 + 2 + 2);
}
END_TEST

/* LEAVE loads EBP from [EBP]: after two runs, one from a page that is not
 * present faults with ESP and EBP as they were. */
START_TEST(test_leave_faults)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00,	/* mov ecx, 10 */
	    0xbd, 0x00, 0x00, 0x04, 0x00,	/* mov ebp, 40000h */
	    0x31, 0xdb,				/* xor ebx, ebx */
	    0x43,				/* a: inc ebx */
	    0x89, 0xee,				/* mov esi, ebp */
	    0xc9,				/* leave: #PF at 50000h */
	    0x01, 0xea,				/* add edx, ebp */
	    0x89, 0xf5,				/* mov ebp, esi */
	    0x81, 0xc5, 0x00, 0x80, 0x00, 0x00, /* add ebp, 8000h */
	    0x49,				/* dec ecx */
	    0x75, 0xef,				/* jnz a */
	    0xf4,				/* hlt */
	};
	uint32_t flags;

	put32(0x40000, 0x11);
	put32(0x48000, 0x77);
	not_present(0x50000);
	flags = fault(run(code, sizeof code), X86_VEC_PF, 0, 0x800f);
	ck_assert_uint_eq(flags & ARITH_SEEN, 0);
	ck_assert_uint_eq(reg(X86_EBX), 3);
	ck_assert_uint_eq(reg(X86_EDX), 0x88);
	ck_assert_uint_eq(reg(X86_EBP), 0x50000);
	ck_assert_uint_eq(reg(X86_ESP), 0x48004 - 16); /* and the frame of the #PF */
	ck_assert_uint_eq(cpu->cr[2], 0x50000);
	ck_assert_uint_eq(cpu->insns, 3 + 8 + 8 + 2 + 2);
}
END_TEST

/* XADD [esi], CMPXCHG [esi + 1000h] (equal), SHLD [esi + 2000h], MUL
 * [esi + 3000h] (EAX = 1) and BSR [esi + 4000h] on three runs of a block,
 * the page of one of them not present on the third (`missing`): #PF at it with error 0 (its
 * handler reads first), the ones before done; returns the flags pushed. */
static uint32_t rmw_fault(uint32_t missing, uint32_t eip)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00,		    /* mov ecx, 10 */
	    0xbe, 0x00, 0x00, 0x04, 0x00,		    /* mov esi, 40000h */
	    0x31, 0xdb,					    /* xor ebx, ebx */
	    0xb8, 0x01, 0x00, 0x00, 0x00,		    /* mov eax, 1 */
	    0x43,					    /* a: inc ebx */
	    0x0f, 0xc1, 0x1e,				    /* xadd [esi], ebx */
	    0x0f, 0xb1, 0x9e, 0x00, 0x10, 0x00, 0x00,	    /* cmpxchg [esi + 1000h], ebx */
	    0x0f, 0xa4, 0x9e, 0x00, 0x20, 0x00, 0x00, 0x04, /* shld [esi + 2000h], ebx, 4 */
	    0xf7, 0xa6, 0x00, 0x30, 0x00, 0x00,		    /* mul dword [esi + 3000h] */
	    0x0f, 0xbd, 0xbe, 0x00, 0x40, 0x00, 0x00,	    /* bsr edi, [esi + 4000h] */
	    0x81, 0xc6, 0x00, 0x80, 0x00, 0x00,		    /* add esi, 8000h */
	    0x49,					    /* dec ecx */
	    0x75, 0xd7,					    /* jnz a */
	    0xf4,					    /* hlt */
	};

	x86f_teardown();
	setup();
	for (uint32_t at = 0x40000; at <= 0x50000; at += 0x8000) {
		put32(at + 0x1000, 1);
		put32(at + 0x2000, 0x12345678);
		put32(at + 0x3000, 1);
		put32(at + 0x4000, 0x80);
	}
	not_present(missing);
	return fault(run(code, sizeof code), X86_VEC_PF, 0, eip);
}

/* rmw_fault with each of the five operands missing. */
START_TEST(test_rmw_forms_fault_precisely)
{
	uint32_t flags = rmw_fault(0x50000, 0x8012);

	ck_assert_uint_eq(flags & ARITH_SEEN, 0); /* INC to 1, ADD ESI's CF */
	ck_assert_uint_eq(reg(X86_EBX), 1);
	ck_assert_uint_eq(cpu->insns, 4 + 9 + 9 + 1 + 2);
	flags = rmw_fault(0x51000, 0x8015);
	ck_assert_uint_eq(flags & ARITH_SEEN, 0); /* XADD of 0 and 1 */
	ck_assert_uint_eq(mem32(0x50000), 1);
	ck_assert_uint_eq(reg(X86_EBX), 0);
	ck_assert_uint_eq(cpu->insns, 4 + 9 + 9 + 2 + 2);
	flags = rmw_fault(0x52000, 0x801c);
	ck_assert_uint_eq(flags & ARITH_SEEN, X86_ZF); /* CMPXCHG equal */
	ck_assert_uint_eq(mem32(0x51000), 0);
	ck_assert_uint_eq(mem32(0x4a000), 0x23456780);
	ck_assert_uint_eq(reg(X86_EAX), 1);
	ck_assert_uint_eq(cpu->cr[2], 0x52000);
	ck_assert_uint_eq(cpu->insns, 4 + 9 + 9 + 3 + 2);
	flags = rmw_fault(0x53000, 0x8024);
	ck_assert_uint_eq(flags & ARITH_SEEN, X86_CF); /* SHLD: bit 28 */
	ck_assert_uint_eq(mem32(0x52000), 0x23456780);
	ck_assert_uint_eq(reg(X86_EAX), 1);
	ck_assert_uint_eq(cpu->insns, 4 + 9 + 9 + 4 + 2);
	flags = rmw_fault(0x54000, 0x802a);
	ck_assert_uint_eq(flags & ARITH_SEEN, 0); /* MUL of 1 by 1 */
	ck_assert_uint_eq(reg(X86_EDX), 0);
	ck_assert_uint_eq(cpu->insns, 4 + 9 + 9 + 5 + 2);
}
END_TEST

/* A read and a read-modify-write across a page boundary, then a write
 * across into a page that is not present: #PF, nothing written. */
START_TEST(test_operands_straddling_pages)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00,	/* mov ecx, 3 */
	    0xbe, 0xfe, 0x0f, 0x04, 0x00,	/* mov esi, 40ffeh */
	    0x31, 0xc0,				/* xor eax, eax */
	    0x03, 0x06,				/* a: add eax, [esi] */
	    0x01, 0x46, 0x01,			/* add [esi+1], eax */
	    0x43,				/* inc ebx */
	    0x49,				/* dec ecx */
	    0x75, 0xf7,				/* jnz a */
	    0x89, 0x81, 0xfe, 0x2f, 0x04, 0x00, /* mov [42ffeh+ecx], eax: #PF */
	    0x42,				/* inc edx */
	    0xf4,				/* hlt */
	};
	uint32_t flags;

	put32(0x40ffe, 0x44332211);
	put16(0x42ffe, 0x5a5a);
	not_present(0x43000);
	flags = fault(run(code, sizeof code), X86_VEC_PF, 2, 0x8015);
	ck_assert_uint_eq(flags & ARITH_SEEN, X86_CF | X86_ZF);
	ck_assert_uint_eq(reg(X86_EAX), 0xbb32aa33);
	ck_assert_uint_eq(mem32(0x40ffe), 0x32548811);
	ck_assert_uint_eq(mem8(0x41002), 0xbb);
	ck_assert_uint_eq(mem16(0x42ffe), 0x5a5a);
	ck_assert_uint_eq(reg(X86_EBX), 3);
	ck_assert_uint_eq(reg(X86_EDX), 0);
	ck_assert_uint_eq(cpu->insns, 3 + 3 * 5 + 2);
}
END_TEST

/* A MOV that rewrites the immediate of the next instruction of its own
 * block: the new one runs at once, and on every later run. */
START_TEST(test_store_into_the_running_block)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00,	/* mov ecx, 3 */
	    0x31, 0xdb,				/* xor ebx, ebx */
	    0x88, 0x0d, 0x0f, 0x80, 0x00, 0x00, /* a: mov [b+2], cl */
	    0x83, 0xc3, 0x00,			/* b: add ebx, 0 */
	    0x49,				/* dec ecx */
	    0x75, 0xf4,				/* jnz a */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX), 3 + 2 + 1);
	ck_assert_uint_eq(mem8(0x800f), 1);
	ck_assert_uint_eq(cpu->insns, 2 + 3 * 4 + 1);
}
END_TEST

/* Reads through ES with limit FFFh: inline below fast_end (FF9h), by the
 * handler up to the limit, #GP past it. */
START_TEST(test_segment_limit_fault)
{
	static const uint8_t code[] = {
	    0xbb, 0xf8, 0x0f, 0x00, 0x00, /* mov ebx, 0ff8h */
	    0xb9, 0x0a, 0x00, 0x00, 0x00, /* mov ecx, 10 */
	    0x26, 0x03, 0x03,		  /* a: add eax, [es:ebx]: #GP at FFEh */
	    0x83, 0xc3, 0x02,		  /* add ebx, 2 */
	    0x49,			  /* dec ecx */
	    0x75, 0xf7,			  /* jnz a */
	    0xf4,			  /* hlt */
	};

	load_seg(X86_ES, SEL_SMALL);
	put32(0xff8, 0x00000001);
	put32(0xffc, 0x00000100);
	fault(run(code, sizeof code), X86_VEC_GP, 0, 0x800a);
	ck_assert_uint_eq(reg(X86_EAX), 0x00000001 + 0x01000000 + 0x00000100);
	ck_assert_uint_eq(reg(X86_EBX), 0xffe);
	ck_assert_uint_eq(reg(X86_ECX), 7);
	ck_assert_uint_eq(cpu->insns, 2 + 3 * 4 + 2);
}
END_TEST

/* Reads through a read-only FS, then a write through it: #GP, after the
 * INC before it and before the one after it. */
START_TEST(test_write_through_a_read_only_segment)
{
	static const uint8_t code[] = {
	    0xb9, 0x0a, 0x00, 0x00, 0x00,		    /* mov ecx, 10 */
	    0x31, 0xc0,					    /* xor eax, eax */
	    0x64, 0x03, 0x04, 0x8d, 0x00, 0x30, 0x00, 0x00, /* a: add eax, [fs:ecx*4+3000h] */
	    0x49,					    /* dec ecx */
	    0x75, 0xf5,					    /* jnz a */
	    0x43,					    /* inc ebx */
	    0x64, 0x89, 0x81, 0x00, 0x30, 0x00, 0x00,	    /* mov [fs:ecx+3000h], eax */
	    0x42,					    /* inc edx */
	    0xf4,					    /* hlt */
	};
	uint32_t flags;

	load_seg(X86_FS, SEL_RODATA);
	for (uint32_t i = 1; i <= 10; i++)
		put32(0x3000 + 4 * i, i);
	flags = fault(run(code, sizeof code), X86_VEC_GP, 0, 0x8013);
	ck_assert_uint_eq(flags & ARITH_SEEN, 0);
	ck_assert_uint_eq(reg(X86_EAX), 55);
	ck_assert_uint_eq(reg(X86_EBX), 1);
	ck_assert_uint_eq(reg(X86_EDX), 0);
	ck_assert_uint_eq(mem32(0x3000), 0);
	ck_assert_uint_eq(cpu->insns, 2 + 10 * 3 + 1 + 2);
}
END_TEST

/* The effective-address forms the JIT computes with one LEA (base +
 * index << scale + disp8, index << scale + disp32, base + index +
 * disp32, and a 16-bit address that wraps), through a DS based at 1000h,
 * unaligned included: the sum of the dwords they name. */
START_TEST(test_addressing_forms)
{
	static const uint8_t code[] = {
	    0xb9, 0x04, 0x00, 0x00, 0x00,	      /* mov ecx, 4 */
	    0x31, 0xc0,				      /* xor eax, eax */
	    0xbb, 0x00, 0x30, 0x00, 0x00,	      /* mov ebx, 3000h */
	    0x31, 0xf6,				      /* xor esi, esi */
	    0xbf, 0xf0, 0xff, 0x34, 0x12,	      /* mov edi, 1234fff0h */
	    0x03, 0x44, 0xb3, 0xf8,		      /* a: add eax, [ebx+esi*4-8] */
	    0x03, 0x04, 0xf5, 0x00, 0x31, 0x00, 0x00, /* add eax, [esi*8+3100h] */
	    0x03, 0x84, 0x33, 0x00, 0x02, 0x00, 0x00, /* add eax, [ebx+esi+200h] */
	    0x67, 0x03, 0x81, 0x20, 0x20,	      /* add eax, [bx+di+2020h] (a16) */
	    0x46,				      /* inc esi */
	    0x49,				      /* dec ecx */
	    0x75, 0xe5,				      /* jnz a */
	    0xf4,				      /* hlt */
	};
	uint32_t sum = 0;

	load_seg(X86_DS, SEL_BASED);
	for (uint32_t a = 0x3f00; a < 0x6100; a += 4)
		put32(a, a * 2654435761u);
	for (uint32_t i = 0; i < 4; i++)
		sum += mem32(0x1000 + 0x3000 + 4 * i - 8) + mem32(0x1000 + 8 * i + 0x3100) +
		       mem32(0x1000 + 0x3000 + i + 0x200) + mem32(0x1000 + 0x5010);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), sum);
	ck_assert_uint_eq(cpu->insns, 5 + 4 * 7 + 1);
}
END_TEST

/* Reads and writes of linear page 40000h while the loop points its PTE
 * at another frame each time, with MOV CR3 then INVLPG: every access
 * goes to the frame of the moment (the TLB entry's addend is refilled). */
START_TEST(test_remapped_page)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00,	      /* mov ecx, 3 */
	    0x31, 0xc0,				      /* xor eax, eax */
	    0xbb, 0x07, 0x10, 0x04, 0x00,	      /* mov ebx, 41007h */
	    0x03, 0x05, 0x00, 0x00, 0x04, 0x00,	      /* a: add eax, [40000h] */
	    0x89, 0x0d, 0x04, 0x00, 0x04, 0x00,	      /* mov [40004h], ecx */
	    0x89, 0x1d, 0x00, 0x11, 0x02, 0x00,	      /* mov [21100h], ebx: the PTE */
	    0x81, 0xc3, 0x00, 0x10, 0x00, 0x00,	      /* add ebx, 1000h */
	    0x0f, 0x20, 0xde,			      /* mov esi, cr3 */
	    0x0f, 0x22, 0xde,			      /* mov cr3, esi */
	    0x49,				      /* dec ecx */
	    0x75, 0xdf,				      /* jnz a */
	    0x03, 0x05, 0x00, 0x00, 0x04, 0x00,	      /* add eax, [40000h] */
	    0x89, 0x0d, 0x04, 0x00, 0x04, 0x00,	      /* mov [40004h], ecx */
	    0x89, 0x1d, 0x00, 0x11, 0x02, 0x00,	      /* mov [21100h], ebx */
	    0x0f, 0x01, 0x3d, 0x00, 0x00, 0x04, 0x00, /* invlpg [40000h] */
	    0x03, 0x05, 0x00, 0x00, 0x04, 0x00,	      /* add eax, [40000h] */
	    0xa3, 0x08, 0x00, 0x04, 0x00,	      /* mov [40008h], eax */
	    0xf4,				      /* hlt */
	};

	for (uint32_t f = 0; f < 5; f++) {
		put32(0x40000 + f * 0x1000, 1u << (4 * f));
		put32(0x40004 + f * 0x1000, 0xaa);
		put32(0x40008 + f * 0x1000, 0xbb);
	}
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0x11111);
	for (uint32_t f = 0; f < 4; f++)
		ck_assert_uint_eq(mem32(0x40004 + f * 0x1000), 3 - f);
	ck_assert_uint_eq(mem32(0x44004), 0xaa);
	ck_assert_uint_eq(mem32(0x40008), 0xbb);
	ck_assert_uint_eq(mem32(0x44008), 0x11111);
	ck_assert_uint_eq(cpu->insns, 3 + 3 * 8 + 6 + 1);
}
END_TEST

/* Operands in the page of the one before (hv/x86/jit_near.c): the page
 * seen is reused only while it holds. The dwords of linear address lin,
 * through the page table. */
static uint32_t lin8(uint32_t lin)
{
	uint32_t pte = mem32(PAGE_TABLE + (lin >> 12) * 4);

	return mem8((pte & ~0xfffu) | (lin & 0xfffu));
}

static uint32_t lin32(uint32_t lin)
{
	return lin8(lin) | lin8(lin + 1) << 8 | lin8(lin + 2) << 16 | lin8(lin + 3) << 24;
}

static void fill(uint32_t from, uint32_t to)
{
	for (uint32_t a = from; a < to; a += 4)
		put32(a, a * 2654435761u);
}

/* Operands off one base: within the bytes seen, past them in the page
 * (above and below), straddling into the next page, in it, and before
 * it; the next page mapped to another frame, so that an operand taken
 * from the wrong page reads other bytes; the base written (ADD, LEA). */
START_TEST(test_near_operands_keep_to_their_page)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00,	/* mov ecx, 3 */
	    0xbe, 0xf8, 0x0f, 0x04, 0x00,	/* mov esi, 40ff8h */
	    0xbf, 0x04, 0x10, 0x04, 0x00,	/* mov edi, 41004h */
	    0x31, 0xc0,				/* xor eax, eax */
	    0x31, 0xdb,				/* xor ebx, ebx */
	    0x03, 0x06,				/* a: add eax, [esi] */
	    0x0f, 0xb7, 0x6e, 0x02,		/* movzx ebp, word [esi+2] */
	    0x03, 0x46, 0x04,			/* add eax, [esi+4] */
	    0x03, 0x46, 0x06,			/* add eax, [esi+6] */
	    0x03, 0x46, 0x08,			/* add eax, [esi+8] */
	    0x0f, 0xb6, 0x56, 0x09,		/* movzx edx, byte [esi+9] */
	    0x01, 0xd5,				/* add ebp, edx */
	    0x03, 0x46, 0xf8,			/* add eax, [esi-8] */
	    0x03, 0x07,				/* add eax, [edi] */
	    0x03, 0x47, 0xf8,			/* add eax, [edi-8] */
	    0x03, 0x47, 0x08,			/* add eax, [edi+8] */
	    0x03, 0x47, 0x02,			/* add eax, [edi+2] */
	    0x8b, 0x16,				/* mov edx, [esi] */
	    0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, /* add esi, 1000h */
	    0x03, 0x1e,				/* add ebx, [esi] */
	    0x8d, 0xb6, 0x00, 0xf0, 0xff, 0xff, /* lea esi, [esi-1000h] */
	    0x03, 0x1e,				/* add ebx, [esi] */
	    0x49,				/* dec ecx */
	    0x75, 0xc8,				/* jnz a */
	    0xf4,				/* hlt */
	};
	uint32_t sum;

	fill(0x3f000, 0x62000);
	put32(PAGE_TABLE + 0x41 * 4, 0x60000 | 7);
	sum = lin32(0x40ff8) + lin32(0x40ffc) + lin32(0x40ffe) + lin32(0x41000) + lin32(0x40ff0) +
	      lin32(0x41004) + lin32(0x40ffc) + lin32(0x4100c) + lin32(0x41006);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	if (cpu->jit)
		ck_assert_uint_ge(cpu->jit->near, 6);
	ck_assert_uint_eq(reg(X86_EAX), 3 * sum);
	ck_assert_uint_eq(reg(X86_EBP), (lin32(0x40ffa) & 0xffff) + lin8(0x41001));
	ck_assert_uint_eq(reg(X86_EBX), 3 * (lin32(0x41ff8) + lin32(0x40ff8)));
	ck_assert_uint_eq(reg(X86_EDX), lin32(0x40ff8));
	ck_assert_uint_eq(cpu->insns, 5 + 3 * 19 + 1);
}
END_TEST

/* A page remapped between two operands off the same base, flushed by a
 * handler (INVLPG, MOV CR3): the second goes to the new frame. */
START_TEST(test_near_operands_after_a_tlb_flush)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00,	/* mov ecx, 3 */
	    0xbe, 0x00, 0x00, 0x04, 0x00,	/* mov esi, 40000h */
	    0xbf, 0x00, 0x11, 0x02, 0x00,	/* mov edi, 21100h */
	    0xbb, 0x07, 0x10, 0x04, 0x00,	/* mov ebx, 41007h */
	    0x31, 0xc0,				/* xor eax, eax */
	    0x89, 0x1f,				/* a: mov [edi], ebx */
	    0x8b, 0x16,				/* mov edx, [esi] */
	    0x0f, 0x01, 0x3e,			/* invlpg [esi] */
	    0x03, 0x46, 0x04,			/* add eax, [esi+4] */
	    0x81, 0xc3, 0x00, 0x10, 0x00, 0x00, /* add ebx, 1000h */
	    0x49,				/* dec ecx */
	    0x75, 0xed,				/* jnz a */
	    0x89, 0x1f,				/* mov [edi], ebx */
	    0x8b, 0x16,				/* mov edx, [esi] */
	    0x0f, 0x20, 0xdd,			/* mov ebp, cr3 */
	    0x0f, 0x22, 0xdd,			/* mov cr3, ebp */
	    0x03, 0x46, 0x08,			/* add eax, [esi+8] */
	    0xf4,				/* hlt */
	};

	fill(0x40000, 0x45000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX),
			  mem32(0x41004) + mem32(0x42004) + mem32(0x43004) + mem32(0x44008));
	ck_assert_uint_eq(cpu->insns, 5 + 3 * 7 + 5 + 1);
}
END_TEST

/* A handler between two operands off the same base (XCHG, which writes
 * it, and may flush the TLB): the second is looked up again. */
START_TEST(test_near_operands_around_a_handler)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
	    0xbe, 0x00, 0x00, 0x04, 0x00, /* mov esi, 40000h */
	    0xbf, 0x00, 0x20, 0x04, 0x00, /* mov edi, 42000h */
	    0x31, 0xc0,			  /* xor eax, eax */
	    0x03, 0x06,			  /* a: add eax, [esi] */
	    0x87, 0xf7,			  /* xchg esi, edi */
	    0x03, 0x46, 0x04,		  /* add eax, [esi+4] */
	    0x49,			  /* dec ecx */
	    0x75, 0xf6,			  /* jnz a */
	    0xf4,			  /* hlt */
	};

	fill(0x40000, 0x43000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX),
			  2 * (mem32(0x40000) + mem32(0x42004)) + mem32(0x42000) + mem32(0x40004));
	ck_assert_uint_eq(cpu->insns, 4 + 3 * 5 + 1);
}
END_TEST

/* A write after a read of the same page needs the page seen for writing:
 * the first write sets the dirty bit, and a read-only page (CR0.WP)
 * faults. */
START_TEST(test_near_write_after_a_read)
{
	static const uint8_t code[] = {
	    0xbe, 0x00, 0x50, 0x04, 0x00, /* mov esi, 45000h */
	    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
	    0x31, 0xc0,			  /* xor eax, eax */
	    0x31, 0xdb,			  /* xor ebx, ebx */
	    0x03, 0x06,			  /* a: add eax, [esi] */
	    0x89, 0x46, 0x04,		  /* mov [esi+4], eax */
	    0x49,			  /* dec ecx */
	    0x75, 0xf8,			  /* jnz a */
	    0xbe, 0x00, 0x40, 0x04, 0x00, /* mov esi, 44000h */
	    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
	    0x03, 0x06,			  /* b: add eax, [esi] */
	    0x43,			  /* inc ebx */
	    0x89, 0x46, 0x04,		  /* mov [esi+4], eax */
	    0x49,			  /* dec ecx */
	    0x75, 0xf7,			  /* jnz b */
	    0xf4,			  /* hlt */
	};
	uint32_t v = 0x5a5a0001;

	put32(0x45000, v);
	put32(0x44000, 7);
	put32(0x44004, 0x1234);
	put32(PAGE_TABLE + 0x44 * 4, 0x44000 | 5);
	cpu->cr[0] |= X86_CR0_WP;
	fault(run(code, sizeof code), X86_VEC_PF, 3, 0x8023);
	ck_assert_uint_ne(mem32(PAGE_TABLE + 0x45 * 4) & 0x40, 0); /* D */
	ck_assert_uint_eq(mem32(0x45004), 3 * v);
	ck_assert_uint_eq(reg(X86_EAX), 3 * v + 7);
	ck_assert_uint_eq(reg(X86_EBX), 1);
	ck_assert_uint_eq(mem32(0x44004), 0x1234);
	ck_assert_uint_eq(cpu->insns, 4 + 3 * 4 + 2 + 2 + 2);
}
END_TEST

/* A read of the running block's instructions, then a write of them off
 * the same base: the write leaves the inline path, and the new immediate
 * runs at once. */
START_TEST(test_near_write_into_the_running_block)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
	    0x31, 0xdb,			  /* xor ebx, ebx */
	    0xbe, 0x14, 0x80, 0x00, 0x00, /* mov esi, b */
	    0x8a, 0x46, 0x02,		  /* a: mov al, [esi+2] */
	    0xfe, 0xc0,			  /* inc al */
	    0x88, 0x46, 0x02,		  /* mov [esi+2], al */
	    0x83, 0xc3, 0x00,		  /* b: add ebx, 0 */
	    0x49,			  /* dec ecx */
	    0x75, 0xf2,			  /* jnz a */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX), 1 + 2 + 3);
	ck_assert_uint_eq(mem8(0x8016), 3);
	ck_assert_uint_eq(cpu->insns, 3 + 3 * 6 + 1);
}
END_TEST

/* The same registers through a flat DS and a based FS: not one page. */
START_TEST(test_near_operands_of_another_segment)
{
	static const uint8_t code[] = {
	    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
	    0xbe, 0x00, 0x30, 0x00, 0x00, /* mov esi, 3000h */
	    0x31, 0xc0,			  /* xor eax, eax */
	    0x03, 0x06,			  /* a: add eax, [esi] */
	    0x64, 0x03, 0x46, 0x04,	  /* add eax, [fs:esi+4] */
	    0x03, 0x46, 0x08,		  /* add eax, [esi+8] */
	    0x49,			  /* dec ecx */
	    0x75, 0xf4,			  /* jnz a */
	    0xf4,			  /* hlt */
	};

	load_seg(X86_FS, SEL_BASED);
	fill(0x3000, 0x5000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 3 * (mem32(0x3000) + mem32(0x4004) + mem32(0x3008)));
	ck_assert_uint_eq(cpu->insns, 3 + 3 * 5 + 1);
}
END_TEST

/* Bytes within an operand that straddles pages, so never a soft-TLB hit:
 * after its slow path, the page is not reused, and the bytes within go
 * to their own slow paths, though the first page is in the soft TLB
 * (an operand off EDI maps it). */
static const uint8_t straddle_loop[] = {
    0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
    0xbe, 0xfe, 0x0f, 0x04, 0x00, /* mov esi, 40ffeh */
    0xbf, 0x00, 0x00, 0x04, 0x00, /* mov edi, 40000h */
    0x31, 0xdb,			  /* xor ebx, ebx */
    0x8b, 0x2f,			  /* a: mov ebp, [edi] */
    0x8b, 0x06,			  /* mov eax, [esi] */
    0x0f, 0xb6, 0x56, 0x01,	  /* movzx edx, byte [esi+1] */
    0x01, 0xd3,			  /* add ebx, edx */
    0x0f, 0xb6, 0x56, 0x03,	  /* movzx edx, byte [esi+3] */
    0x01, 0xd3,			  /* add ebx, edx */
    0x01, 0xc3,			  /* add ebx, eax */
    0x49,			  /* dec ecx */
    0x75, 0xeb,			  /* jnz a */
    0xf4,			  /* hlt */
};

static void straddle_pages(void)
{
	fill(0x40000, 0x41000);
	fill(0x60000, 0x61000);
	put32(0x60000, 0x5a6b7c8d); /* (fill's bytes 0-1 there are 0, as at 41000h) */
	put32(PAGE_TABLE + 0x41 * 4, 0x60000 | 7);
}

START_TEST(test_near_operands_of_a_straddling_one)
{
	straddle_pages();
	ck_assert_int_eq(run(straddle_loop, sizeof straddle_loop), VCPU_EXIT_HALT);
	if (cpu->jit)
		ck_assert_uint_gt(cpu->jit->near, 0);
	ck_assert_uint_eq(reg(X86_EBX), 3 * (lin8(0x40fff) + lin8(0x41001) + lin32(0x40ffe)));
	ck_assert_uint_eq(cpu->insns, 4 + 3 * 9 + 1);
}
END_TEST

/* The same loop of 100 turns cut by a budget of 45 instructions: the
 * first block (13) and three turns run whole, then five instructions one
 * at a time. The JIT goes on after the straddling operand's slow path,
 * as the interpreter does; it had left the block there, one instruction
 * in, with the whole block taken from the budget (fuzz_x86 found a run
 * one instruction short). */
START_TEST(test_near_operands_of_a_straddling_one_within_a_budget)
{
	uint8_t code[sizeof straddle_loop];
	uint32_t turn;

	straddle_pages();
	turn = lin8(0x40fff) + lin8(0x41001) + lin32(0x40ffe);
	memcpy(code, straddle_loop, sizeof code);
	code[1] = 100; /* mov ecx, 100 */
	x86f_load(code, sizeof code, CODE);
	ck_assert_int_eq(x86_cpu_run(cpu, 45), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(cpu->insns, 45);
	ck_assert_uint_eq(cpu->eip, CODE + 17 + 14);
	ck_assert_uint_eq(reg(X86_ECX), 96);
	ck_assert_uint_eq(reg(X86_EBX), 4 * turn + lin8(0x40fff));
	ck_assert_uint_eq(reg(X86_EDX), lin8(0x41001));
}
END_TEST

/* An INC or DEC whose flags only a memory form's slow path reads (its
 * fast path replaced by the next ALU form) writes its record, and folds
 * the CF of the one before, in that slow path (hv/x86/jit_sink.c): a #PF
 * there pushes EFLAGS as the interpreter has them. The ADD before (a
 * memory form: its record written) leaves CF set, lazy (EFLAGS.CF
 * clear), and ZF and PF set, SF, OF and AF clear: each flag the INC or
 * DEC sets differs from it. */
static uint32_t pushed_arith(const uint8_t *code, size_t len, uint32_t eip)
{
	put32(0x40100, 0x100);
	not_present(0x50000);
	return fault(run(code, len), X86_VEC_PF, 0, eip) & X86_ARITH;
}

START_TEST(test_sunk_inc_record_at_a_page_fault)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xff, 0xff, 0xff,	/* mov eax, ffffff00h */
	    0x03, 0x05, 0x00, 0x01, 0x04, 0x00, /* add eax, [40100h]: 0, CF ZF PF */
	    0xb9, 0xff, 0xff, 0xff, 0x7f,	/* mov ecx, 7fffffffh */
	    0x41,				/* inc ecx: SF OF AF PF */
	    0x8b, 0x15, 0x00, 0x00, 0x05, 0x00, /* mov edx, [50000h]: #PF */
	    0x83, 0xc6, 0x01,			/* add esi, 1 */
	    0xf4,				/* hlt */
	};

	ck_assert_uint_eq(pushed_arith(code, sizeof code, 0x8011),
			  X86_CF | X86_SF | X86_OF | X86_AF | X86_PF);
	ck_assert_uint_eq(reg(X86_ECX), 0x80000000u);
	ck_assert_uint_eq(cpu->insns, 4 + 2);
}
END_TEST

/* The form that replaces the flags faults itself; an INC of DH (bytes,
 * a high one). */
START_TEST(test_sunk_inc_record_when_the_next_setter_faults)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xff, 0xff, 0xff,	/* mov eax, ffffff00h */
	    0x03, 0x05, 0x00, 0x01, 0x04, 0x00, /* add eax, [40100h]: 0, CF ZF PF */
	    0xba, 0x00, 0x7f, 0x00, 0x00,	/* mov edx, 7f00h */
	    0xfe, 0xc6,				/* inc dh: 80h, SF OF AF */
	    0x32, 0x05, 0x00, 0x00, 0x05, 0x00, /* xor al, [50000h]: #PF */
	    0xf4,				/* hlt */
	};

	ck_assert_uint_eq(pushed_arith(code, sizeof code, 0x8012),
			  X86_CF | X86_SF | X86_OF | X86_AF);
	ck_assert_uint_eq(reg(X86_EDX), 0x8000);
}
END_TEST

/* Two memory forms after a DEC of CX: the first misses the soft TLB (its
 * slow path writes the record, then its handler reads), the second
 * faults, and its slow path writes the record again, CF not folded twice. */
START_TEST(test_sunk_dec_record_after_another_slow_path)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xff, 0xff, 0xff,	/* mov eax, ffffff00h */
	    0x03, 0x05, 0x00, 0x01, 0x04, 0x00, /* add eax, [40100h]: 0, CF ZF PF */
	    0xb9, 0x00, 0x80, 0x00, 0x00,	/* mov ecx, 8000h */
	    0x66, 0x49,				/* dec cx: 7fffh, OF AF PF */
	    0x8b, 0x15, 0x00, 0x00, 0x04, 0x00, /* mov edx, [40000h] */
	    0x8b, 0x1d, 0x00, 0x00, 0x05, 0x00, /* mov ebx, [50000h]: #PF */
	    0x83, 0xc6, 0x01,			/* add esi, 1 */
	    0xf4,				/* hlt */
	};

	put32(0x40000, 0x12345678);
	ck_assert_uint_eq(pushed_arith(code, sizeof code, 0x8018),
			  X86_CF | X86_OF | X86_AF | X86_PF);
	ck_assert_uint_eq(reg(X86_ECX), 0x7fff);
	ck_assert_uint_eq(reg(X86_EDX), 0x12345678);
}
END_TEST

/* A shift of a register by an immediate whose flags only the slow paths
 * read, like an INC's: its fast path keeps the operand, the slow path
 * builds the record from it (hv/x86/jit_sink.c). SHR, OF from the
 * operand's msb, CF from a bit shifted out. */
START_TEST(test_sunk_shr_record_at_a_page_fault)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xff, 0xff, 0xff,	/* mov eax, ffffff00h */
	    0x03, 0x05, 0x00, 0x01, 0x04, 0x00, /* add eax, [40100h]: 0, CF ZF PF */
	    0xb9, 0x07, 0x00, 0x00, 0x80,	/* mov ecx, 80000007h */
	    0xc1, 0xe9, 0x04,			/* shr ecx, 4: 08000000h, OF PF */
	    0x8b, 0x15, 0x00, 0x00, 0x05, 0x00, /* mov edx, [50000h]: #PF */
	    0x83, 0xc6, 0x01,			/* add esi, 1 */
	    0xf4,				/* hlt */
	};

	ck_assert_uint_eq(pushed_arith(code, sizeof code, 0x8013), X86_OF | X86_PF);
	ck_assert_uint_eq(reg(X86_ECX), 0x08000000u);
}
END_TEST

/* The memory XOR after it (a CRC loop's) replaces the flags and faults
 * itself; SAR. */
START_TEST(test_sunk_sar_record_when_the_next_setter_faults)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xff, 0xff, 0xff,	/* mov eax, ffffff00h */
	    0x03, 0x05, 0x00, 0x01, 0x04, 0x00, /* add eax, [40100h]: 0, CF ZF PF */
	    0xba, 0x80, 0x56, 0x34, 0x92,	/* mov edx, 92345680h */
	    0xc1, 0xfa, 0x08,			/* sar edx, 8: ff923456h, CF SF PF */
	    0x33, 0x15, 0x00, 0x00, 0x05, 0x00, /* xor edx, [50000h]: #PF */
	    0xf4,				/* hlt */
	};

	ck_assert_uint_eq(pushed_arith(code, sizeof code, 0x8013), X86_CF | X86_SF | X86_PF);
	ck_assert_uint_eq(reg(X86_EDX), 0xff923456u);
}
END_TEST

/* SHL, then a soft-TLB miss whose handler writes the shifted register,
 * then a fault: the second slow path's record is still the shift's
 * (from its operand, not from the register). */
START_TEST(test_sunk_shl_record_after_its_register_is_written)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xff, 0xff, 0xff,	/* mov eax, ffffff00h */
	    0x03, 0x05, 0x00, 0x01, 0x04, 0x00, /* add eax, [40100h]: 0, CF ZF PF */
	    0xb9, 0x01, 0x00, 0x00, 0x20,	/* mov ecx, 20000001h */
	    0xc1, 0xe1, 0x02,			/* shl ecx, 2: 80000004h, SF OF */
	    0x8b, 0x0d, 0x00, 0x20, 0x04, 0x00, /* mov ecx, [42000h] */
	    0x8b, 0x1d, 0x00, 0x00, 0x05, 0x00, /* mov ebx, [50000h]: #PF */
	    0x83, 0xc6, 0x01,			/* add esi, 1 */
	    0xf4,				/* hlt */
	};

	put32(0x42000, 0x12345678);
	ck_assert_uint_eq(pushed_arith(code, sizeof code, 0x8019), X86_SF | X86_OF);
	ck_assert_uint_eq(reg(X86_ECX), 0x12345678);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_page_fault_in_a_translated_block_is_precise,
	    test_cmov_source_faults_when_false,
	    test_setcc_write_faults,
	    test_leave_faults,
	    test_rmw_forms_fault_precisely,
	    test_operands_straddling_pages,
	    test_store_into_the_running_block,
	    test_segment_limit_fault,
	    test_write_through_a_read_only_segment,
	    test_addressing_forms,
	    test_remapped_page,
	    test_near_operands_keep_to_their_page,
	    test_near_operands_after_a_tlb_flush,
	    test_near_operands_around_a_handler,
	    test_near_write_after_a_read,
	    test_near_write_into_the_running_block,
	    test_near_operands_of_another_segment,
	    test_near_operands_of_a_straddling_one,
	    test_near_operands_of_a_straddling_one_within_a_budget,
	    test_sunk_inc_record_at_a_page_fault,
	    test_sunk_inc_record_when_the_next_setter_faults,
	    test_sunk_dec_record_after_another_slow_path,
	    test_sunk_shr_record_at_a_page_fault,
	    test_sunk_sar_record_when_the_next_setter_faults,
	    test_sunk_shl_record_after_its_register_is_written,
	};

	return unit_run(unit_suite("x86_jitmem", "memory", setup, x86f_teardown, tests,
				   UNIT_COUNT(tests), NULL, 0));
}
