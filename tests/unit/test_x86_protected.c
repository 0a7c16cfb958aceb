/* The software CPU in protected mode: descriptor loads and their faults,
 * the LDT and task register, LAR/LSL/VERR/VERW/ARPL, far transfers through
 * code segments and call gates across privilege levels, interrupts and
 * exceptions through the IDT (stack switch, error codes, #DF, triple
 * fault), IOPL and the I/O permission bitmap, paging (A/D bits, #PF error
 * codes and CR2, WP, PSE, INVLPG, global pages) and SYSENTER/SYSEXIT.
 * Each test builds its tables in guest RAM, starts 32-bit code at 8000h
 * in ring 0 (or ring 3) and checks registers, memory and the stack frame
 * an exception stub left. Hardware task switches and virtual-8086 mode
 * close the file. The bytes were assembled with nasm (bits 32, org 8000h;
 * an array loaded elsewhere says where; V86 code is bits 16, org 0, run at
 * 0A00:0000). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "x86_fixture.h"

/* Guest physical layout. */
#define GDT_BASE   0x1000u
#define IDT_BASE   0x2000u
#define TSS_BASE   0x3000u
#define LDT_BASE   0x4000u
#define LDT_DATA   0x5000u /* base of the LDT's data segment */
#define RING3_SP   0x5800u
#define RING0_SP   0x6000u /* ESP0 in the TSS */
#define BOOT_SP	   0x7000u
#define CODE	   0x8000u
#define STUBS	   0x9000u /* vector v: mov edi, v; hlt at STUBS + 16 * v */
#define PAGE_DIR   0x20000u
#define PAGE_TABLE 0x21000u

/* Selectors of the test GDT. */
enum {
	SEL_CODE0 = 0x08,
	SEL_DATA0 = 0x10,
	SEL_CODE3 = 0x18,
	SEL_DATA3 = 0x20,
	SEL_TSS = 0x28,
	SEL_RODATA = 0x30,  /* read-only, not yet accessed */
	SEL_EXPDOWN = 0x38, /* 16-bit expand-down, limit FFFh */
	SEL_ABSENT = 0x40,  /* not present */
	SEL_GATE3 = 0x48,   /* 32-bit call gate, DPL 3, one parameter, to 08:8100 */
	SEL_CODE16 = 0x50,  /* 16-bit ring-0 code */
	SEL_LDT = 0x58,	    /* LDT at LDT_BASE */
	SEL_CONFORM = 0x60, /* conforming ring-0 code */
};

/* A port device that counts writes. */
static unsigned port_writes;
static uint32_t port_value;

static uint64_t port_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

static void port_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)size;
	port_writes++;
	port_value = (uint32_t)value;
}

static const struct io_ops port_ops = {port_read, port_write};

/* A segment descriptor: access byte and the flags nibble (G, D/B). */
static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 |
	       (uint64_t)(base >> 24) << 56;
}

/* A gate: selector, offset, access byte, parameter count. */
static uint64_t gate_desc(uint16_t sel, uint32_t off, unsigned access, unsigned count)
{
	return (off & 0xffff) | (uint64_t)sel << 16 | (uint64_t)count << 32 |
	       (uint64_t)access << 40 | (uint64_t)(off >> 16) << 48;
}

static void put_desc(uint32_t table, unsigned sel, uint64_t d)
{
	put32(table + (sel & ~7u), (uint32_t)d);
	put32(table + (sel & ~7u) + 4, (uint32_t)(d >> 32));
}

static void set_gate(unsigned vec, unsigned access)
{
	put_desc(IDT_BASE, vec * 8, gate_desc(SEL_CODE0, STUBS + 16 * vec, access, 0));
}

static void build_gdt(void)
{
	put_desc(GDT_BASE, SEL_CODE0, seg_desc(0, 0xfffff, 0x9b, 0xc));
	put_desc(GDT_BASE, SEL_DATA0, seg_desc(0, 0xfffff, 0x93, 0xc));
	put_desc(GDT_BASE, SEL_CODE3, seg_desc(0, 0xfffff, 0xfb, 0xc));
	put_desc(GDT_BASE, SEL_DATA3, seg_desc(0, 0xfffff, 0xf3, 0xc));
	put_desc(GDT_BASE, SEL_TSS, seg_desc(TSS_BASE, 0x68 + 0x400, 0x89, 0));
	put_desc(GDT_BASE, SEL_RODATA, seg_desc(0, 0xfffff, 0x90, 0xc));
	put_desc(GDT_BASE, SEL_EXPDOWN, seg_desc(0, 0xfff, 0x96, 0));
	put_desc(GDT_BASE, SEL_ABSENT, seg_desc(0, 0xfffff, 0x13, 0xc));
	put_desc(GDT_BASE, SEL_GATE3, gate_desc(SEL_CODE0, CODE + 0x100, 0xec, 1));
	put_desc(GDT_BASE, SEL_CODE16, seg_desc(0, 0xffff, 0x9b, 0));
	put_desc(GDT_BASE, SEL_LDT, seg_desc(LDT_BASE, 0x17, 0x82, 0));
	put_desc(GDT_BASE, SEL_CONFORM, seg_desc(0, 0xfffff, 0x9f, 0xc));
	put_desc(LDT_BASE, 0, seg_desc(LDT_DATA, 0xffff, 0x93, 0));
}

/* Exception stubs and gates: every vector below 32 and 80h-83h. */
static void build_idt(void)
{
	for (unsigned v = 0; v < 0x100; v++) {
		static const uint8_t stub[] = {0xbf, 0, 0, 0, 0, 0xf4}; /* mov edi, v; hlt */

		memcpy(m.mem.ram + STUBS + 16 * v, stub, sizeof stub);
		m.mem.ram[STUBS + 16 * v + 1] = (uint8_t)v;
	}
	for (unsigned v = 0; v < 32; v++)
		set_gate(v, 0x8e);
	set_gate(0x80, 0xee); /* interrupt gate, DPL 3 */
	set_gate(0x81, 0x8e); /* DPL 0 */
	set_gate(0x82, 0x8f); /* trap gate */
	set_gate(0x83, 0x86); /* 16-bit interrupt gate */
}

/* TSS: ring-0 stack, I/O bitmap allowing every port but 81h. */
static void build_tss(void)
{
	put32(TSS_BASE + 4, RING0_SP);
	put32(TSS_BASE + 8, SEL_DATA0);
	put32(TSS_BASE + 100, 0x68u << 16);
	m.mem.ram[TSS_BASE + 0x68 + 0x81 / 8] = 1u << (0x81 % 8);
}

static void load_seg(int seg, uint16_t sel, uint32_t table)
{
	uint64_t d = mem32(table + (sel & ~7u)) | (uint64_t)mem32(table + (sel & ~7u) + 4) << 32;

	x86_seg_from_desc(&cpu->seg[seg], sel, d);
}

/* Ring 0, flat 32-bit segments, TR loaded, EIP = 8000h. */
static void enter_pm(void)
{
	build_gdt();
	build_idt();
	build_tss();
	cpu->cr[0] |= X86_CR0_PE;
	cpu->gdtr = (struct x86_dtr){GDT_BASE, 0x67};
	cpu->idtr = (struct x86_dtr){IDT_BASE, 0x100 * 8 - 1};
	load_seg(X86_CS, SEL_CODE0, GDT_BASE);
	for (int s = X86_ES; s < X86_NSEG; s++)
		if (s != X86_CS)
			load_seg(s, SEL_DATA0, GDT_BASE);
	x86_seg_from_desc(&cpu->tr, SEL_TSS, seg_desc(TSS_BASE, 0x68 + 0x400, 0x8b, 0));
	x86_set_cpl(cpu, 0);
	cpu->eip = CODE;
	cpu->regs[X86_ESP] = BOOT_SP;
	cpu->eflags = 0x2;
	x86_tlb_flush(cpu);
}

/* Continues in ring 3 with flat ring-3 segments and IF set. */
static void to_ring3(void)
{
	load_seg(X86_CS, SEL_CODE3 | 3, GDT_BASE);
	for (int s = X86_ES; s < X86_NSEG; s++)
		if (s != X86_CS)
			load_seg(s, SEL_DATA3 | 3, GDT_BASE);
	x86_set_cpl(cpu, 3);
	cpu->regs[X86_ESP] = RING3_SP;
	cpu->eflags = 0x202;
	x86_tlb_flush(cpu);
}

/* Identity-maps the first 4 MiB with user-writable 4 KiB pages. */
static void build_page_tables(void)
{
	put32(PAGE_DIR, PAGE_TABLE | 7);
	for (uint32_t i = 0; i < 1024; i++)
		put32(PAGE_TABLE + i * 4, i << 12 | 7);
}

static void enable_paging(void)
{
	build_page_tables();
	cpu->cr[3] = PAGE_DIR;
	cpu->cr[0] |= X86_CR0_PG;
	x86_tlb_flush(cpu);
}

static uint32_t pte(uint32_t lin)
{
	return mem32(PAGE_TABLE + (lin >> 12) * 4);
}

static void setup(void)
{
	x86f_setup(8u << 20);
	port_writes = 0;
	enter_pm();
}

static enum vcpu_exit run(const uint8_t *code, size_t len)
{
	x86f_load(code, len, CODE);
	return x86_cpu_run(cpu, 100000);
}

/* Dword i of the current stack. */
static uint32_t stack(unsigned i)
{
	return mem32(cpu->seg[X86_SS].base + cpu->regs[X86_ESP] + 4 * i);
}

/* The run ended in the stub of `vector` with `error` on top of the stack. */
static void expect_fault(enum vcpu_exit why, unsigned vector, uint32_t error)
{
	ck_assert_int_eq(why, VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EDI], vector);
	ck_assert_uint_eq(cpu->eip, STUBS + 16 * vector + 6);
	ck_assert_uint_eq(stack(0), error);
}

START_TEST(test_data_segment_load_fills_the_cache_and_sets_the_accessed_bit)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x30, 0x00, /* mov ax, 0x30 */
	    0x8e, 0xd8,		    /* mov ds, ax */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->seg[X86_DS].sel, SEL_RODATA);
	ck_assert_uint_eq(cpu->seg[X86_DS].base, 0);
	ck_assert_uint_eq(cpu->seg[X86_DS].limit, 0xffffffff);
	ck_assert_uint_eq(m.mem.ram[GDT_BASE + SEL_RODATA + 5], 0x91);
}
END_TEST

START_TEST(test_access_through_a_null_data_selector_is_gp0)
{
	static const uint8_t code[] = {
	    0x31, 0xc0,			  /* xor eax, eax */
	    0x8e, 0xd8,			  /* mov ds, ax */
	    0xa1, 0x00, 0x01, 0x00, 0x00, /* mov eax, [0x100] */
	    0xf4,			  /* hlt */
	};

	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(stack(1), CODE + 4);
	ck_assert_uint_eq(stack(2), SEL_CODE0);
}
END_TEST

/* Back in real mode the cached limits stay ("unreal mode") but types are
 * not checked: a read-only cache in DS and a null one in ES take writes. */
START_TEST(test_clearing_pe_keeps_limits_but_drops_type_checks)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x30, 0x00,			    /* mov ax, 0x30 */
	    0x8e, 0xd8,					    /* mov ds, ax */
	    0x31, 0xc0,					    /* xor eax, eax */
	    0x8e, 0xc0,					    /* mov es, ax */
	    0x0f, 0x20, 0xc0,				    /* mov eax, cr0 */
	    0x24, 0xfe,					    /* and al, 0xfe */
	    0x0f, 0x22, 0xc0,				    /* mov cr0, eax */
	    0xc6, 0x05, 0x00, 0x00, 0x10, 0x00, 0x5a,	    /* mov byte [0x100000], 0x5a */
	    0x26, 0xc6, 0x05, 0x00, 0x01, 0x00, 0x00, 0xa5, /* mov byte [es:0x100], 0xa5 */
	    0xf4,					    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x100000), 0x5a);
	ck_assert_uint_eq(mem8(0x100), 0xa5);
}
END_TEST

START_TEST(test_null_stack_selector_is_gp0)
{
	static const uint8_t code[] = {
	    0x31, 0xc0, /* xor eax, eax */
	    0x8e, 0xd0, /* mov ss, ax */
	    0xf4,	/* hlt */
	};

	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(stack(1), CODE + 2);
	ck_assert_uint_eq(stack(3) & 0x2, 0x2);
}
END_TEST

START_TEST(test_read_only_stack_segment_is_gp_with_the_selector)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x30, 0x00, /* mov ax, 0x30 */
	    0x8e, 0xd0,		    /* mov ss, ax */
	    0xf4,		    /* hlt */
	};

	expect_fault(run(code, sizeof code), X86_VEC_GP, SEL_RODATA);
}
END_TEST

START_TEST(test_absent_data_segment_is_np_with_the_selector)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x40, 0x00, /* mov ax, 0x40 */
	    0x8e, 0xd8,		    /* mov ds, ax */
	    0xf4,		    /* hlt */
	};

	expect_fault(run(code, sizeof code), X86_VEC_NP, SEL_ABSENT);
	ck_assert_uint_eq(cpu->seg[X86_DS].sel, SEL_DATA0);
}
END_TEST

START_TEST(test_write_to_a_read_only_segment_is_gp0)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x30, 0x00,		      /* mov ax, 0x30 */
	    0x8e, 0xd8,				      /* mov ds, ax */
	    0xc6, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, /* mov byte [0x100], 1 */
	    0xf4,				      /* hlt */
	};

	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(m.mem.ram[0x100], 0);
}
END_TEST

START_TEST(test_expand_down_segment_allows_only_offsets_above_the_limit)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x38, 0x00,		/* mov ax, 0x38 */
	    0x8e, 0xc0,				/* mov es, ax */
	    0x26, 0xa1, 0x00, 0x10, 0x00, 0x00, /* mov eax, [es:0x1000] */
	    0xbb, 0x01, 0x00, 0x00, 0x00,	/* mov ebx, 1 */
	    0x26, 0xa1, 0xfc, 0x0f, 0x00, 0x00, /* mov eax, [es:0xffc] */
	    0xf4,				/* hlt */
	};

	put32(0x1000, 0xcafe);
	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xcafe);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 1);
}
END_TEST

/* A dword read at offset FFFFFFFFh of a flat 4 GiB segment wraps to
 * offset 0 for its last three bytes, without a fault (SYSLINUX's HDT does
 * this); the 4 GiB limit check must not overflow into a #GP. */
START_TEST(test_dword_at_the_end_of_a_flat_segment_wraps_to_zero)
{
	static const uint8_t code[] = {
	    0xa1, 0xff, 0xff, 0xff, 0xff, /* mov eax, [0xffffffff] */
	    0xf4,			  /* hlt */
	};

	put32(0, 0x00112233);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->eip, CODE + sizeof code);
	ck_assert_uint_eq(cpu->regs[X86_EAX] >> 8, 0x112233);
}
END_TEST

START_TEST(test_lldt_makes_ldt_selectors_usable)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x58, 0x00,	  /* mov ax, 0x58 */
	    0x0f, 0x00, 0xd0,		  /* lldt ax */
	    0x66, 0xb8, 0x04, 0x00,	  /* mov ax, 0x04 */
	    0x8e, 0xd8,			  /* mov ds, ax */
	    0xa1, 0x00, 0x00, 0x00, 0x00, /* mov eax, [0] */
	    0x66, 0x0f, 0x00, 0xc3,	  /* sldt bx */
	    0xf4,			  /* hlt */
	};

	put32(LDT_DATA, 0xdeadbeef);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xdeadbeef);
	ck_assert_uint_eq(cpu->regs[X86_EBX] & 0xffff, SEL_LDT);
	ck_assert_uint_eq(cpu->seg[X86_DS].base, LDT_DATA);
}
END_TEST

START_TEST(test_ltr_loads_the_task_register_and_marks_the_tss_busy)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x28, 0x00, /* mov ax, 0x28 */
	    0x0f, 0x00, 0xd8,	    /* ltr ax */
	    0x66, 0x0f, 0x00, 0xcb, /* str bx */
	    0xf4,		    /* hlt */
	};

	cpu->tr = (struct x86_seg){0};
	m.mem.ram[GDT_BASE + SEL_TSS + 5] = 0x89;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EBX] & 0xffff, SEL_TSS);
	ck_assert_uint_eq(m.mem.ram[GDT_BASE + SEL_TSS + 5], 0x8b);
	ck_assert_uint_eq(cpu->tr.base, TSS_BASE);
}
END_TEST

START_TEST(test_lar_lsl_verr_verw_report_rights_and_limit)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0x10, 0x00, /* mov cx, 0x10 */
	    0x0f, 0x02, 0xc1,	    /* lar eax, cx */
	    0x0f, 0x03, 0xd9,	    /* lsl ebx, cx */
	    0x0f, 0x00, 0xe1,	    /* verr cx */
	    0x0f, 0x94, 0xc2,	    /* setz dl */
	    0x0f, 0x00, 0xe9,	    /* verw cx */
	    0x0f, 0x94, 0xc6,	    /* setz dh */
	    0x66, 0xb9, 0x30, 0x00, /* mov cx, 0x30 */
	    0x0f, 0x00, 0xe9,	    /* verw cx */
	    0x0f, 0x95, 0xc3,	    /* setnz bl */
	    0x66, 0x31, 0xc9,	    /* xor cx, cx */
	    0x0f, 0x02, 0xf1,	    /* lar esi, cx */
	    0x0f, 0x95, 0xc7,	    /* setnz bh */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0x00c09300);
	ck_assert_uint_eq(cpu->regs[X86_EBX] & 0xff, 1); /* VERW of read-only fails */
	ck_assert_uint_eq(cpu->regs[X86_EDX] & 0xffff, 0x0101);
	ck_assert_uint_eq(cpu->regs[X86_EBX] >> 8 & 0xff, 1); /* LAR of null fails */
}
END_TEST

START_TEST(test_arpl_raises_the_rpl_once)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x10, 0x00, /* mov ax, 0x10 */
	    0x66, 0xbb, 0x03, 0x00, /* mov bx, 0x3 */
	    0x63, 0xd8,		    /* arpl ax, bx */
	    0x0f, 0x94, 0xc1,	    /* setz cl */
	    0x63, 0xd8,		    /* arpl ax, bx */
	    0x0f, 0x95, 0xc5,	    /* setnz ch */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX] & 0xffff, 0x13);
	ck_assert_uint_eq(cpu->regs[X86_ECX] & 0xffff, 0x0101);
}
END_TEST

START_TEST(test_far_jump_to_a_16_bit_segment_switches_the_operand_size)
{
	static const uint8_t code[] = {
	    0xea, 0x00, 0x81, 0x00, 0x00, 0x50, 0x00, /* jmp 0x50:0x8100 */
	};
	static const uint8_t code2[] = {
	    0xb8, 0x34, 0x12, /* mov ax, 0x1234 */
	    0xf4,	      /* hlt */
	};

	x86f_load(code2, sizeof code2, CODE + 0x100);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX] & 0xffff, 0x1234);
	ck_assert_uint_eq(cpu->seg[X86_CS].sel, SEL_CODE16);
	ck_assert_uint_eq(cpu->eip, CODE + 0x104);
}
END_TEST

/* Real mode checks no segment type: after a far jump reloads CS, stores
 * through CS: work even though the cache last held a code descriptor
 * (memtest86+'s boot sector does this). */
START_TEST(test_cs_override_store_after_returning_to_real_mode_works)
{
	static const uint8_t code[] = {
	    0xea, 0x00, 0x81, 0x00, 0x00, 0x50, 0x00, /* jmp 0x50:0x8100 */
	};
	static const uint8_t code16[] = {
	    0x0f, 0x20, 0xc0,		  /* mov eax, cr0 */
	    0x24, 0xfe,			  /* and al, 0xfe */
	    0x0f, 0x22, 0xc0,		  /* mov cr0, eax */
	    0xea, 0x10, 0x01, 0x00, 0x08, /* jmp 0x0800:0x0110 */
	};
	static const uint8_t real[] = {
	    0x2e, 0xc7, 0x06, 0x00, 0x02, 0x5a, 0xa5, /* mov word [cs:0x200], 0xa55a */
	    0xf4,				      /* hlt */
	};

	x86f_load(code16, sizeof code16, CODE + 0x100);
	x86f_load(real, sizeof real, CODE + 0x110);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->seg[X86_CS].sel, 0x0800);
	ck_assert_uint_eq(cpu->eip, 0x118);
	ck_assert_uint_eq(mem32(CODE + 0x200) & 0xffff, 0xa55a);
}
END_TEST

START_TEST(test_call_gate_from_ring3_switches_stack_copies_parameter_and_retf_returns)
{
	static const uint8_t code[] = {
	    0x68, 0x34, 0x12, 0x00, 0x00,	      /* push dword 0x1234 */
	    0x9a, 0x00, 0x00, 0x00, 0x00, 0x4b, 0x00, /* call 0x4b:0 */
	    0x8c, 0xde,				      /* mov esi, ds */
	    0xcd, 0x80,				      /* int 0x80 */
	};
	static const uint8_t code2[] = {
	    0x8b, 0x44, 0x24, 0x08, /* mov eax, [esp+8] */
	    0x89, 0xe3,		    /* mov ebx, esp */
	    0x8c, 0xd1,		    /* mov ecx, ss */
	    0x66, 0xba, 0x10, 0x00, /* mov dx, 0x10 */
	    0x8e, 0xda,		    /* mov ds, dx */
	    0xca, 0x04, 0x00,	    /* retf 4 */
	};

	x86f_load(code2, sizeof code2, CODE + 0x100);
	to_ring3();
	expect_fault(run(code, sizeof code), 0x80, CODE + 16);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0x1234);
	ck_assert_uint_eq(cpu->regs[X86_EBX], RING0_SP - 20);
	ck_assert_uint_eq(cpu->regs[X86_ECX], SEL_DATA0);
	ck_assert_uint_eq(cpu->regs[X86_ESI], 0); /* DS nulled by RETF to ring 3 */
	ck_assert_uint_eq(stack(1), SEL_CODE3 | 3);
	ck_assert_uint_eq(stack(3), RING3_SP);
	ck_assert_uint_eq(stack(4), SEL_DATA3 | 3);
	ck_assert_uint_eq(cpu->regs[X86_ESP], RING0_SP - 20);
}
END_TEST

START_TEST(test_iret_to_ring3_loads_the_outer_stack_and_nulls_ring0_data_segments)
{
	static const uint8_t code[] = {
	    0x6a, 0x23,			  /* push dword 0x23 */
	    0x68, 0x00, 0x58, 0x00, 0x00, /* push dword 0x5800 */
	    0x68, 0x02, 0x02, 0x00, 0x00, /* push dword 0x202 */
	    0x6a, 0x1b,			  /* push dword 0x1b */
	    0x68, 0x00, 0x81, 0x00, 0x00, /* push dword 0x8100 */
	    0xcf,			  /* iret */
	};
	static const uint8_t code2[] = {
	    0x8c, 0xc8, /* mov eax, cs */
	    0xcd, 0x80, /* int 0x80 */
	};

	x86f_load(code2, sizeof code2, CODE + 0x100);
	expect_fault(run(code, sizeof code), 0x80, CODE + 0x104);
	ck_assert_uint_eq(cpu->regs[X86_EAX], SEL_CODE3 | 3);
	ck_assert_uint_eq(stack(1), SEL_CODE3 | 3);
	ck_assert_uint_eq(stack(2) & X86_IF, X86_IF);
	ck_assert_uint_eq(stack(3), RING3_SP);
	ck_assert_uint_eq(cpu->seg[X86_DS].sel, 0);
	ck_assert_uint_eq(cpu->cpl, 0);
}
END_TEST

START_TEST(test_int_through_a_dpl0_gate_from_ring3_is_gp_with_the_idt_index)
{
	static const uint8_t code[] = {
	    0xcd, 0x81, /* int 0x81 */
	};

	to_ring3();
	expect_fault(run(code, sizeof code), X86_VEC_GP, 0x81 * 8 + 2);
	ck_assert_uint_eq(stack(1), CODE);
}
END_TEST

START_TEST(test_fault_with_an_absent_handler_becomes_a_double_fault)
{
	static const uint8_t code[] = {
	    0x31, 0xc0, /* xor eax, eax */
	    0x8e, 0xd0, /* mov ss, ax */
	};

	put_desc(IDT_BASE, X86_VEC_GP * 8, 0);
	expect_fault(run(code, sizeof code), X86_VEC_DF, 0);
}
END_TEST

START_TEST(test_fault_with_no_double_fault_handler_resets)
{
	static const uint8_t code[] = {
	    0x31, 0xc0, /* xor eax, eax */
	    0x8e, 0xd0, /* mov ss, ax */
	};

	put_desc(IDT_BASE, X86_VEC_GP * 8, 0);
	put_desc(IDT_BASE, X86_VEC_DF * 8, 0);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_RESET);
}
END_TEST

START_TEST(test_trap_gate_keeps_if_and_interrupt_gate_clears_it)
{
	static const uint8_t code[] = {
	    0xfb,	/* sti */
	    0xcd, 0x82, /* int 0x82 */
	};

	expect_fault(run(code, sizeof code), 0x82, CODE + 3);
	ck_assert_uint_eq(cpu->eflags & X86_IF, X86_IF);
	x86f_load((const uint8_t[]){0xcd, 0x80}, 2, CODE + 3); /* int 0x80 */
	cpu->eip = CODE + 3;
	cpu->halted = false;
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->eflags & X86_IF, 0);
}
END_TEST

START_TEST(test_16_bit_interrupt_gate_pushes_a_word_frame)
{
	static const uint8_t code[] = {
	    0xfb,	/* sti */
	    0xcd, 0x83, /* int 0x83 */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EDI], 0x83);
	ck_assert_uint_eq(cpu->regs[X86_ESP], BOOT_SP - 6);
	ck_assert_uint_eq(stack(0), (SEL_CODE0 << 16) | (CODE + 3));
	ck_assert_uint_eq(cpu->eflags & X86_IF, 0);
}
END_TEST

START_TEST(test_io_bitmap_allows_and_denies_ports_in_ring3)
{
	static const uint8_t code[] = {
	    0xb0, 0x5a,			  /* mov al, 0x5a */
	    0x66, 0xba, 0x80, 0x00,	  /* mov dx, 0x80 */
	    0xee,			  /* out dx, al */
	    0xbb, 0x01, 0x00, 0x00, 0x00, /* mov ebx, 1 */
	    0x66, 0xba, 0x81, 0x00,	  /* mov dx, 0x81 */
	    0xee,			  /* out dx, al */
	};

	ck_assert_int_eq(bus_register(&m.pio, 0x80, 2, &port_ops, NULL, "fake"), 0);
	to_ring3();
	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(port_writes, 1);
	ck_assert_uint_eq(port_value, 0x5a);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 1);
}
END_TEST

START_TEST(test_cli_in_ring3_with_iopl0_is_gp0)
{
	static const uint8_t code[] = {
	    0xfa, /* cli */
	};

	to_ring3();
	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(stack(1), CODE);
}
END_TEST

START_TEST(test_popf_in_ring3_keeps_iopl_and_if)
{
	static const uint8_t code[] = {
	    0x68, 0x02, 0x30, 0x00, 0x00, /* push dword 0x3002 */
	    0x9d,			  /* popf */
	    0x9c,			  /* pushf */
	    0x58,			  /* pop eax */
	    0xcd, 0x80,			  /* int 0x80 */
	};

	to_ring3();
	expect_fault(run(code, sizeof code), 0x80, CODE + 10);
	ck_assert_uint_eq(cpu->regs[X86_EAX] & (X86_IOPL | X86_IF), X86_IF);
}
END_TEST

START_TEST(test_call_to_conforming_code_keeps_the_cpl)
{
	static const uint8_t code[] = {
	    0x9a, 0x00, 0x81, 0x00, 0x00, 0x60, 0x00, /* call 0x60:0x8100 */
	    0x8c, 0xcb,				      /* mov ebx, cs */
	    0xcd, 0x80,				      /* int 0x80 */
	};
	static const uint8_t code2[] = {
	    0x8c, 0xc8, /* mov eax, cs */
	    0xcb,	/* retf */
	};

	x86f_load(code2, sizeof code2, CODE + 0x100);
	to_ring3();
	expect_fault(run(code, sizeof code), 0x80, CODE + 11);
	ck_assert_uint_eq(cpu->regs[X86_EAX], SEL_CONFORM | 3);
	ck_assert_uint_eq(cpu->regs[X86_EBX], SEL_CODE3 | 3);
}
END_TEST

START_TEST(test_jump_from_ring3_to_ring0_code_is_gp_with_the_selector)
{
	static const uint8_t code[] = {
	    0xea, 0x00, 0x90, 0x00, 0x00, 0x08, 0x00, /* jmp 0x08:0x9000 */
	};

	to_ring3();
	expect_fault(run(code, sizeof code), X86_VEC_GP, SEL_CODE0);
}
END_TEST

START_TEST(test_enabling_paging_through_cr0_translates_accesses)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x00, 0x02, 0x00, /* mov eax, 0x20000 */
	    0x0f, 0x22, 0xd8,		  /* mov cr3, eax */
	    0x0f, 0x20, 0xc0,		  /* mov eax, cr0 */
	    0x0d, 0x00, 0x00, 0x00, 0x80, /* or eax, 0x80000000 */
	    0x0f, 0x22, 0xc0,		  /* mov cr0, eax */
	    0xa1, 0x00, 0x00, 0x03, 0x00, /* mov eax, [0x30000] */
	    0xf4,			  /* hlt */
	};

	build_page_tables();
	put32(0x30000, 0x600d);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0x600d);
	ck_assert_uint_eq(pte(0x30000) & 0x60, 0x20);
}
END_TEST

START_TEST(test_paging_sets_accessed_on_reads_and_dirty_on_writes)
{
	static const uint8_t code[] = {
	    0xc7, 0x05, 0x00, 0x00, 0x03,
	    0x00, 0x11, 0x00, 0x00, 0x00, /* mov dword [0x30000], 0x11 */
	    0xa1, 0x00, 0x10, 0x03, 0x00, /* mov eax, [0x31000] */
	    0xf4,			  /* hlt */
	};

	enable_paging();
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(pte(0x30000), 0x30067);
	ck_assert_uint_eq(pte(0x31000), 0x31027);
	ck_assert_uint_eq(mem32(PAGE_DIR) & 0x20, 0x20);
	ck_assert_uint_eq(mem32(0x30000), 0x11);
}
END_TEST

START_TEST(test_read_of_an_absent_page_is_pf0_with_cr2)
{
	static const uint8_t code[] = {
	    0xa1, 0x23, 0x01, 0x04, 0x00, /* mov eax, [0x40123] */
	    0xf4,			  /* hlt */
	};

	enable_paging();
	put32(PAGE_TABLE + 0x40 * 4, 0);
	expect_fault(run(code, sizeof code), X86_VEC_PF, 0);
	ck_assert_uint_eq(cpu->cr[2], 0x40123);
	ck_assert_uint_eq(stack(1), CODE);
}
END_TEST

START_TEST(test_user_write_to_a_supervisor_page_is_pf7)
{
	static const uint8_t code[] = {
	    0xc7, 0x05, 0x00, 0x10, 0x04, 0x00, 0x07, 0x00, 0x00, 0x00, /* mov dword [0x41000], 7 */
	};

	enable_paging();
	put32(PAGE_TABLE + 0x41 * 4, 0x41003);
	to_ring3();
	expect_fault(run(code, sizeof code), X86_VEC_PF, 7);
	ck_assert_uint_eq(cpu->cr[2], 0x41000);
	ck_assert_uint_eq(mem32(0x41000), 0);
}
END_TEST

START_TEST(test_invlpg_in_a_4_mib_page_drops_all_of_its_pieces)
{
	static const uint8_t code[] = {
	    0xa1, 0x00, 0x00, 0x83, 0x00,	/* mov eax, [0x830000] */
	    0x8b, 0x1d, 0x00, 0x10, 0x83, 0x00, /* mov ebx, [0x831000] */
	    0xc7, 0x05, 0x08, 0x00, 0x02, 0x00, 0x87,
	    0x00, 0x40, 0x00,			      /* mov dword [0x20000 + 2 * 4], 0x400087 */
	    0x0f, 0x01, 0x3d, 0x00, 0x00, 0x83, 0x00, /* invlpg [0x830000] */
	    0x8b, 0x0d, 0x00, 0x10, 0x83, 0x00,	      /* mov ecx, [0x831000] */
	    0x8b, 0x15, 0x00, 0x00, 0x83, 0x00,	      /* mov edx, [0x830000] */
	    0xf4,				      /* hlt */
	};

	enable_paging();
	cpu->cr[4] |= X86_CR4_PSE;
	put32(PAGE_DIR + 2 * 4, 0x87);
	put32(0x30000, 0xa0);
	put32(0x31000, 0xa1);
	put32(0x430000, 0xb0);
	put32(0x431000, 0xb1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xa0);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 0xa1);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 0xb1);
	ck_assert_uint_eq(cpu->regs[X86_EDX], 0xb0);
}
END_TEST

/* The same with over 1024 slots of the soft TLB in use, where the
 * pieces are looked for in the slots of the region's pages. */
START_TEST(test_invlpg_in_a_4_mib_page_drops_its_pieces_from_a_full_tlb)
{
	static const uint8_t code[] = {
	    0x31, 0xf6,				/* xor esi, esi */
	    0xb9, 0x00, 0x04, 0x00, 0x00,	/* mov ecx, 1024 */
	    0x8b, 0x06,				/* l: mov eax, [esi] */
	    0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, /* add esi, 0x1000 */
	    0x49,				/* dec ecx */
	    0x75, 0xf5,				/* jnz l */
	    0xa1, 0x00, 0x00, 0x83, 0x00,	/* mov eax, [0x830000] */
	    0x8b, 0x1d, 0x00, 0x10, 0x83, 0x00, /* mov ebx, [0x831000] */
	    0xc7, 0x05, 0x08, 0x00, 0x02, 0x00, 0x87,
	    0x00, 0x40, 0x00,			      /* mov dword [0x20000 + 2 * 4], 0x400087 */
	    0x0f, 0x01, 0x3d, 0x00, 0x00, 0x83, 0x00, /* invlpg [0x830000] */
	    0x8b, 0x0d, 0x00, 0x10, 0x83, 0x00,	      /* mov ecx, [0x831000] */
	    0x8b, 0x15, 0x00, 0x00, 0x83, 0x00,	      /* mov edx, [0x830000] */
	    0xf4,				      /* hlt */
	};

	enable_paging();
	cpu->cr[4] |= X86_CR4_PSE;
	put32(PAGE_DIR + 2 * 4, 0x87);
	put32(0x30000, 0xa0);
	put32(0x31000, 0xa1);
	put32(0x430000, 0xb0);
	put32(0x431000, 0xb1);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_ge(cpu->tlb_listed, 1024);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xa0);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 0xa1);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 0xb1);
	ck_assert_uint_eq(cpu->regs[X86_EDX], 0xb0);
}
END_TEST

START_TEST(test_user_read_of_a_supervisor_page_is_pf5)
{
	static const uint8_t code[] = {
	    0xa1, 0x00, 0x10, 0x04, 0x00, /* mov eax, [0x41000] */
	};

	enable_paging();
	put32(PAGE_TABLE + 0x41 * 4, 0x41003);
	to_ring3();
	expect_fault(run(code, sizeof code), X86_VEC_PF, 5);
	ck_assert_uint_eq(cpu->cr[2], 0x41000);
}
END_TEST

START_TEST(test_supervisor_write_to_a_read_only_page_faults_only_with_wp)
{
	static const uint8_t code[] = {
	    0xc7, 0x05, 0x00, 0x10, 0x04, 0x00, 0x07, 0x00, 0x00, 0x00, /* mov dword [0x41000], 7 */
	    0xf4,							/* hlt */
	};

	enable_paging();
	put32(PAGE_TABLE + 0x41 * 4, 0x41005);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem32(0x41000), 7);
	put32(0x41000, 0);
	cpu->cr[0] |= X86_CR0_WP;
	x86_tlb_flush(cpu);
	cpu->eip = CODE;
	cpu->halted = false;
	expect_fault(x86_cpu_run(cpu, 100), X86_VEC_PF, 3);
	ck_assert_uint_eq(mem32(0x41000), 0);
}
END_TEST

START_TEST(test_pse_maps_a_4_mib_page_and_sets_its_accessed_bit)
{
	static const uint8_t code[] = {
	    0xa1, 0x00, 0x00, 0x83, 0x00, /* mov eax, [0x830000] */
	    0xf4,			  /* hlt */
	};

	enable_paging();
	cpu->cr[4] |= X86_CR4_PSE;
	put32(PAGE_DIR + 2 * 4, 0x87);
	put32(0x30000, 0xb16);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xb16);
	ck_assert_uint_eq(mem32(PAGE_DIR + 2 * 4), 0xa7);
}
END_TEST

START_TEST(test_invlpg_drops_a_stale_translation)
{
	static const uint8_t code[] = {
	    0xa1, 0x00, 0x00, 0x05, 0x00, /* mov eax, [0x50000] */
	    0xc7, 0x05, 0x40, 0x11, 0x02, 0x00, 0x07,
	    0x10, 0x06, 0x00,			      /* mov dword [0x21000+0x50*4], 0x61007 */
	    0x8b, 0x1d, 0x00, 0x00, 0x05, 0x00,	      /* mov ebx, [0x50000] */
	    0x0f, 0x01, 0x3d, 0x00, 0x00, 0x05, 0x00, /* invlpg [0x50000] */
	    0x8b, 0x0d, 0x00, 0x00, 0x05, 0x00,	      /* mov ecx, [0x50000] */
	    0xf4,				      /* hlt */
	};

	enable_paging();
	put32(PAGE_TABLE + 0x50 * 4, 0x60007);
	put32(0x60000, 0xaaaa);
	put32(0x61000, 0xbbbb);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xaaaa);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 0xaaaa);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 0xbbbb);
}
END_TEST

START_TEST(test_cr3_write_keeps_global_pages_and_drops_the_rest)
{
	static const uint8_t code[] = {
	    0xa1, 0x00, 0x00, 0x05, 0x00, /* mov eax, [0x50000] */
	    0xa1, 0x00, 0x10, 0x05, 0x00, /* mov eax, [0x51000] */
	    0xc7, 0x05, 0x40, 0x11, 0x02, 0x00,
	    0x07, 0x11, 0x06, 0x00, /* mov dword [0x21000+0x50*4], 0x61107 */
	    0xc7, 0x05, 0x44, 0x11, 0x02, 0x00,
	    0x07, 0x10, 0x06, 0x00,		/* mov dword [0x21000+0x51*4], 0x61007 */
	    0x0f, 0x20, 0xd8,			/* mov eax, cr3 */
	    0x0f, 0x22, 0xd8,			/* mov cr3, eax */
	    0xa1, 0x00, 0x00, 0x05, 0x00,	/* mov eax, [0x50000] */
	    0x8b, 0x1d, 0x00, 0x10, 0x05, 0x00, /* mov ebx, [0x51000] */
	    0xf4,				/* hlt */
	};

	enable_paging();
	cpu->cr[4] |= X86_CR4_PGE;
	put32(PAGE_TABLE + 0x50 * 4, 0x60107);
	put32(PAGE_TABLE + 0x51 * 4, 0x60007);
	put32(0x60000, 0xaaaa);
	put32(0x61000, 0xbbbb);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xaaaa);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 0xbbbb);
}
END_TEST

/* The soft TLB flushes only the slots it filled: a page cached after a
 * CR3 write is dropped by the next one, a global page kept by both. */
START_TEST(test_cr3_writes_drop_each_page_cached_since_the_last)
{
	static const uint8_t code[] = {
	    0x0f, 0x20, 0xd8,		  /* mov eax, cr3 */
	    0x0f, 0x22, 0xd8,		  /* mov cr3, eax */
	    0xa1, 0x00, 0x00, 0x05, 0x00, /* mov eax, [0x50000] */
	    0xa1, 0x00, 0x10, 0x05, 0x00, /* mov eax, [0x51000] */
	    0x0f, 0x20, 0xd8,		  /* mov eax, cr3 */
	    0x0f, 0x22, 0xd8,		  /* mov cr3, eax */
	    0xa1, 0x00, 0x10, 0x05, 0x00, /* mov eax, [0x51000] */
	    0xc7, 0x05, 0x40, 0x11, 0x02, 0x00,
	    0x07, 0x11, 0x06, 0x00, /* mov dword [0x21000+0x50*4], 0x61107 */
	    0xc7, 0x05, 0x44, 0x11, 0x02, 0x00,
	    0x07, 0x10, 0x06, 0x00,		/* mov dword [0x21000+0x51*4], 0x61007 */
	    0x0f, 0x20, 0xd8,			/* mov eax, cr3 */
	    0x0f, 0x22, 0xd8,			/* mov cr3, eax */
	    0xa1, 0x00, 0x00, 0x05, 0x00,	/* mov eax, [0x50000] */
	    0x8b, 0x1d, 0x00, 0x10, 0x05, 0x00, /* mov ebx, [0x51000] */
	    0xf4,				/* hlt */
	};

	enable_paging();
	cpu->cr[4] |= X86_CR4_PGE;
	put32(PAGE_TABLE + 0x50 * 4, 0x60107);
	put32(PAGE_TABLE + 0x51 * 4, 0x60007);
	put32(0x60000, 0xaaaa);
	put32(0x61000, 0xbbbb);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0xaaaa);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 0xbbbb);
}
END_TEST

START_TEST(test_sysexit_and_sysenter_cross_rings_through_the_msrs)
{
	static const uint8_t code[] = {
	    0xb9, 0x74, 0x01, 0x00, 0x00, /* mov ecx, 0x174 */
	    0xb8, 0x08, 0x00, 0x00, 0x00, /* mov eax, 0x08 */
	    0x31, 0xd2,			  /* xor edx, edx */
	    0x0f, 0x30,			  /* wrmsr */
	    0xb9, 0x75, 0x01, 0x00, 0x00, /* mov ecx, 0x175 */
	    0xb8, 0x00, 0x60, 0x00, 0x00, /* mov eax, 0x6000 */
	    0x0f, 0x30,			  /* wrmsr */
	    0xb9, 0x76, 0x01, 0x00, 0x00, /* mov ecx, 0x176 */
	    0xb8, 0x00, 0x81, 0x00, 0x00, /* mov eax, 0x8100 */
	    0x0f, 0x30,			  /* wrmsr */
	    0x0f, 0x32,			  /* rdmsr */
	    0x89, 0xc6,			  /* mov esi, eax */
	    0xb9, 0x00, 0x58, 0x00, 0x00, /* mov ecx, 0x5800 */
	    0xba, 0x80, 0x80, 0x00, 0x00, /* mov edx, 0x8080 */
	    0x0f, 0x35,			  /* sysexit */
	};
	static const uint8_t code2[] = {
	    0x8c, 0xc8, /* mov eax, cs */
	    0x0f, 0x34, /* sysenter */
	};
	static const uint8_t code3[] = {
	    0x8c, 0xcb, /* mov ebx, cs */
	    0xf4,	/* hlt */
	};

	x86f_load(code2, sizeof code2, CODE + 0x80);
	x86f_load(code3, sizeof code3, CODE + 0x100);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_ESI], CODE + 0x100);
	ck_assert_uint_eq(cpu->regs[X86_EAX], SEL_CODE3 | 3);
	ck_assert_uint_eq(cpu->regs[X86_EBX], SEL_CODE0);
	ck_assert_uint_eq(cpu->regs[X86_ESP], RING0_SP);
	ck_assert_uint_eq(cpu->seg[X86_SS].sel, SEL_DATA0);
	ck_assert_uint_eq(cpu->cpl, 0);
}
END_TEST

START_TEST(test_rdmsr_of_an_unknown_msr_is_gp0)
{
	static const uint8_t code[] = {
	    0xb9, 0x45, 0x23, 0x01, 0x00, /* mov ecx, 0x12345 */
	    0x0f, 0x32,			  /* rdmsr */
	};

	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
}
END_TEST

/* A second 32-bit TSS at TSS2 (selector 68h) starting ring-0 code at
 * 8100h with its own stack; a task gate to it at selector 70h. */
#define TSS2	  0x3800u
#define SEL_TSS2  0x68
#define SEL_TGATE 0x70

static void build_task2(void)
{
	put_desc(GDT_BASE, SEL_TSS2, seg_desc(TSS2, 0x67, 0x89, 0));
	put_desc(GDT_BASE, SEL_TGATE, gate_desc(SEL_TSS2, 0, 0x85, 0));
	cpu->gdtr.limit = 0x77;
	put32(TSS2 + 0x20, CODE + 0x100);
	put32(TSS2 + 0x24, 0x2);
	put32(TSS2 + 0x28, 0x1111); /* EAX */
	put32(TSS2 + 0x38, 0x6800); /* ESP */
	for (unsigned i = 0; i < X86_NSEG; i++)
		put32(TSS2 + 0x48 + 4 * i, i == X86_CS ? SEL_CODE0 : SEL_DATA0);
	m.mem.ram[GDT_BASE + SEL_TSS + 5] = 0x8b; /* the current task is busy */
}

START_TEST(test_far_jump_to_a_tss_switches_task_and_moves_the_busy_bit)
{
	static const uint8_t code[] = {
	    0xea, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00, /* jmp 0x68:0 */
	};

	build_task2();
	x86f_load((const uint8_t[]){0xf4}, 1, CODE + 0x100); /* hlt */
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->tr.sel, SEL_TSS2);
	ck_assert_uint_eq(cpu->regs[X86_EAX], 0x1111);
	ck_assert_uint_eq(cpu->regs[X86_ESP], 0x6800);
	ck_assert_uint_eq(mem32(TSS_BASE + 0x20), CODE + 7);
	ck_assert_uint_eq(m.mem.ram[GDT_BASE + SEL_TSS + 5], 0x89);
	ck_assert_uint_eq(m.mem.ram[GDT_BASE + SEL_TSS2 + 5], 0x8b);
	ck_assert_uint_eq(cpu->eflags & X86_NT, 0);
	ck_assert_uint_eq(cpu->cr[0] & X86_CR0_TS, X86_CR0_TS);
}
END_TEST

START_TEST(test_call_through_a_task_gate_links_back_and_iret_returns)
{
	static const uint8_t code[] = {
	    0x9a, 0x00, 0x00, 0x00, 0x00, 0x70, 0x00, /* call 0x70:0 */
	    0xf4,				      /* hlt */
	};
	static const uint8_t code2[] = {
	    0xb9, 0x77, 0x00, 0x00, 0x00, /* mov ecx, 0x77 */
	    0xcf,			  /* iret */
	};

	build_task2();
	x86f_load(code2, sizeof code2, CODE + 0x100);
	cpu->regs[X86_ECX] = 0x42;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->tr.sel, SEL_TSS);
	ck_assert_uint_eq(cpu->eip, CODE + 8);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 0x42);
	ck_assert_uint_eq(mem32(TSS2) & 0xffff, SEL_TSS);  /* back-link */
	ck_assert_uint_eq(mem32(TSS2 + 0x2c), 0x77);	   /* task 2's ECX */
	ck_assert_uint_eq(mem32(TSS2 + 0x24) & X86_NT, 0); /* NT cleared on return */
	ck_assert_uint_eq(m.mem.ram[GDT_BASE + SEL_TSS2 + 5], 0x89);
	ck_assert_uint_eq(m.mem.ram[GDT_BASE + SEL_TSS + 5], 0x8b);
	ck_assert_uint_eq(cpu->eflags & X86_NT, 0);
}
END_TEST

START_TEST(test_exception_through_a_task_gate_pushes_the_error_on_the_new_stack)
{
	static const uint8_t code[] = {
	    0x31, 0xc0, /* xor eax, eax */
	    0x8e, 0xd0, /* mov ss, ax */
	};

	build_task2();
	put_desc(IDT_BASE, X86_VEC_GP * 8, gate_desc(SEL_TSS2, 0, 0x85, 0));
	x86f_load((const uint8_t[]){0xf4}, 1, CODE + 0x100);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->tr.sel, SEL_TSS2);
	ck_assert_uint_eq(cpu->regs[X86_ESP], 0x6800 - 4);
	ck_assert_uint_eq(stack(0), 0);
	ck_assert_uint_eq(mem32(TSS_BASE + 0x20), CODE + 2);
	ck_assert_uint_eq(cpu->eflags & X86_NT, X86_NT);
}
END_TEST

START_TEST(test_v86_int_with_iopl0_faults_to_ring0_with_the_segments_pushed)
{
	static const uint8_t code[] = {
	    0x68, 0x55, 0x55, 0x00, 0x00, /* push dword 0x5555 */
	    0x68, 0x44, 0x44, 0x00, 0x00, /* push dword 0x4444 */
	    0x68, 0x11, 0x11, 0x00, 0x00, /* push dword 0x1111 */
	    0x68, 0x33, 0x33, 0x00, 0x00, /* push dword 0x3333 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0x68, 0x00, 0x7c, 0x00, 0x00, /* push dword 0x7c00 */
	    0x68, 0x02, 0x00, 0x02, 0x00, /* push dword 0x20002 */
	    0x68, 0x00, 0x0a, 0x00, 0x00, /* push dword 0x0a00 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0xcf,			  /* iret */
	};
	static const uint8_t code2[] = {
	    0x8c, 0xd8, /* mov ax, ds */
	    0xcd, 0x80, /* int 0x80 */
	};

	x86f_load(code2, sizeof code2, 0xa000);
	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(cpu->regs[X86_EAX] & 0xffff, 0x1111);
	ck_assert_uint_eq(stack(1), 2);	     /* EIP of INT */
	ck_assert_uint_eq(stack(2), 0x0a00); /* CS */
	ck_assert_uint_eq(stack(3) & X86_VM, X86_VM);
	ck_assert_uint_eq(stack(4), 0x7c00); /* ESP */
	ck_assert_uint_eq(stack(5), 0);	     /* SS */
	ck_assert_uint_eq(stack(6), 0x3333); /* ES */
	ck_assert_uint_eq(stack(7), 0x1111); /* DS */
	ck_assert_uint_eq(stack(8), 0x4444); /* FS */
	ck_assert_uint_eq(stack(9), 0x5555); /* GS */
	ck_assert_uint_eq(cpu->regs[X86_ESP], RING0_SP - 40);
	ck_assert_uint_eq(cpu->seg[X86_DS].sel, 0);
	ck_assert_uint_eq(cpu->eflags & X86_VM, 0);
	ck_assert_uint_eq(cpu->cpl, 0);
}
END_TEST

START_TEST(test_v86_int_with_iopl3_goes_through_the_idt)
{
	static const uint8_t code[] = {
	    0x68, 0x55, 0x55, 0x00, 0x00, /* push dword 0x5555 */
	    0x68, 0x44, 0x44, 0x00, 0x00, /* push dword 0x4444 */
	    0x68, 0x11, 0x11, 0x00, 0x00, /* push dword 0x1111 */
	    0x68, 0x33, 0x33, 0x00, 0x00, /* push dword 0x3333 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0x68, 0x00, 0x7c, 0x00, 0x00, /* push dword 0x7c00 */
	    0x68, 0x02, 0x30, 0x02, 0x00, /* push dword 0x23002 */
	    0x68, 0x00, 0x0a, 0x00, 0x00, /* push dword 0x0a00 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0xcf,			  /* iret */
	};
	static const uint8_t code2[] = {
	    0x8c, 0xd8, /* mov ax, ds */
	    0xcd, 0x80, /* int 0x80 */
	};

	x86f_load(code2, sizeof code2, 0xa000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EDI], 0x80);
	ck_assert_uint_eq(stack(0), 4);
	ck_assert_uint_eq(stack(1), 0x0a00);
	ck_assert_uint_eq(cpu->regs[X86_ESP], RING0_SP - 36);
}
END_TEST

START_TEST(test_v86_pushf_at_iopl3_shows_iopl_and_int_reaches_the_idt)
{
	static const uint8_t code2[] = {
	    0x9c,	/* pushf */
	    0x58,	/* pop ax */
	    0xcd, 0x80, /* int 0x80 */
	};
	static const uint8_t code[] = {
	    0x68, 0x55, 0x55, 0x00, 0x00, /* push dword 0x5555 */
	    0x68, 0x44, 0x44, 0x00, 0x00, /* push dword 0x4444 */
	    0x68, 0x11, 0x11, 0x00, 0x00, /* push dword 0x1111 */
	    0x68, 0x33, 0x33, 0x00, 0x00, /* push dword 0x3333 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0x68, 0x00, 0x7c, 0x00, 0x00, /* push dword 0x7c00 */
	    0x68, 0x02, 0x30, 0x02, 0x00, /* push dword 0x23002 */
	    0x68, 0x00, 0x0a, 0x00, 0x00, /* push dword 0x0a00 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0xcf,			  /* iret */
	};

	x86f_load(code2, sizeof code2, 0xa000);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EDI], 0x80);
	ck_assert_uint_eq(cpu->regs[X86_EAX] & X86_IOPL, X86_IOPL);
	ck_assert_uint_eq(stack(0), 4);
}
END_TEST

START_TEST(test_v86_segment_loads_are_real_mode_and_cli_faults_with_iopl0)
{
	static const uint8_t code[] = {
	    0x68, 0x55, 0x55, 0x00, 0x00, /* push dword 0x5555 */
	    0x68, 0x44, 0x44, 0x00, 0x00, /* push dword 0x4444 */
	    0x68, 0x11, 0x11, 0x00, 0x00, /* push dword 0x1111 */
	    0x68, 0x33, 0x33, 0x00, 0x00, /* push dword 0x3333 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0x68, 0x00, 0x7c, 0x00, 0x00, /* push dword 0x7c00 */
	    0x68, 0x02, 0x00, 0x02, 0x00, /* push dword 0x20002 */
	    0x68, 0x00, 0x0a, 0x00, 0x00, /* push dword 0x0a00 */
	    0x6a, 0x00,			  /* push dword 0 */
	    0xcf,			  /* iret */
	};
	static const uint8_t code2[] = {
	    0xb8, 0x00, 0x20,	    /* mov ax, 0x2000 */
	    0x8e, 0xd8,		    /* mov ds, ax */
	    0x8b, 0x1e, 0x10, 0x00, /* mov bx, [0x10] */
	    0xfa,		    /* cli */
	};

	x86f_load(code2, sizeof code2, 0xa000);
	put32(0x20010, 0xbeef);
	expect_fault(run(code, sizeof code), X86_VEC_GP, 0);
	ck_assert_uint_eq(cpu->regs[X86_EBX] & 0xffff, 0xbeef);
	ck_assert_uint_eq(stack(1), 9);
	ck_assert_uint_eq(stack(7), 0x2000);
}
END_TEST

START_TEST(test_cpuid_advertises_pse_msr_sep_and_pge)
{
	static const uint8_t code[] = {
	    0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0x0f, 0xa2,			  /* cpuid */
	    0xf4,			  /* hlt */
	};
	uint32_t want = (1u << 3) | (1u << 5) | (1u << 11) | (1u << 13);

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EDX] & want, want);
	ck_assert_uint_eq(cpu->regs[X86_EDX] & (1u << 6), 0);  /* no PAE */
	ck_assert_uint_eq(cpu->regs[X86_ECX] & (1u << 31), 0); /* no hypervisor bit */
}
END_TEST

/* KVM's paravirtual leaves are the KVM engine's (hv/kvm/kvm_cpuid.c): the
 * soft CPU has no kvm-clock, so leaf 40000000h holds no "KVMKVMKVM". */
START_TEST(test_cpuid_offers_no_kvm_leaves)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x00, 0x00, 0x40, /* mov eax, 40000000h */
	    0x0f, 0xa2,			  /* cpuid */
	    0xf4,			  /* hlt */
	};

	cpu->regs[X86_EBX] = cpu->regs[X86_ECX] = cpu->regs[X86_EDX] = 0x55555555;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->regs[X86_EBX], 0);
	ck_assert_uint_eq(cpu->regs[X86_ECX], 0);
	ck_assert_uint_eq(cpu->regs[X86_EDX], 0);
}
END_TEST

static Suite *x86_protected_suite(void)
{
	Suite *s = suite_create("x86_protected");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_data_segment_load_fills_the_cache_and_sets_the_accessed_bit);
	tcase_add_test(tc, test_access_through_a_null_data_selector_is_gp0);
	tcase_add_test(tc, test_clearing_pe_keeps_limits_but_drops_type_checks);
	tcase_add_test(tc, test_null_stack_selector_is_gp0);
	tcase_add_test(tc, test_read_only_stack_segment_is_gp_with_the_selector);
	tcase_add_test(tc, test_absent_data_segment_is_np_with_the_selector);
	tcase_add_test(tc, test_write_to_a_read_only_segment_is_gp0);
	tcase_add_test(tc, test_expand_down_segment_allows_only_offsets_above_the_limit);
	tcase_add_test(tc, test_dword_at_the_end_of_a_flat_segment_wraps_to_zero);
	tcase_add_test(tc, test_lldt_makes_ldt_selectors_usable);
	tcase_add_test(tc, test_ltr_loads_the_task_register_and_marks_the_tss_busy);
	tcase_add_test(tc, test_lar_lsl_verr_verw_report_rights_and_limit);
	tcase_add_test(tc, test_arpl_raises_the_rpl_once);
	tcase_add_test(tc, test_far_jump_to_a_16_bit_segment_switches_the_operand_size);
	tcase_add_test(tc, test_cs_override_store_after_returning_to_real_mode_works);
	tcase_add_test(tc,
		       test_call_gate_from_ring3_switches_stack_copies_parameter_and_retf_returns);
	tcase_add_test(tc, test_iret_to_ring3_loads_the_outer_stack_and_nulls_ring0_data_segments);
	tcase_add_test(tc, test_int_through_a_dpl0_gate_from_ring3_is_gp_with_the_idt_index);
	tcase_add_test(tc, test_fault_with_an_absent_handler_becomes_a_double_fault);
	tcase_add_test(tc, test_fault_with_no_double_fault_handler_resets);
	tcase_add_test(tc, test_trap_gate_keeps_if_and_interrupt_gate_clears_it);
	tcase_add_test(tc, test_16_bit_interrupt_gate_pushes_a_word_frame);
	tcase_add_test(tc, test_io_bitmap_allows_and_denies_ports_in_ring3);
	tcase_add_test(tc, test_cli_in_ring3_with_iopl0_is_gp0);
	tcase_add_test(tc, test_popf_in_ring3_keeps_iopl_and_if);
	tcase_add_test(tc, test_call_to_conforming_code_keeps_the_cpl);
	tcase_add_test(tc, test_jump_from_ring3_to_ring0_code_is_gp_with_the_selector);
	tcase_add_test(tc, test_enabling_paging_through_cr0_translates_accesses);
	tcase_add_test(tc, test_paging_sets_accessed_on_reads_and_dirty_on_writes);
	tcase_add_test(tc, test_read_of_an_absent_page_is_pf0_with_cr2);
	tcase_add_test(tc, test_user_write_to_a_supervisor_page_is_pf7);
	tcase_add_test(tc, test_invlpg_in_a_4_mib_page_drops_all_of_its_pieces);
	tcase_add_test(tc, test_invlpg_in_a_4_mib_page_drops_its_pieces_from_a_full_tlb);
	tcase_add_test(tc, test_user_read_of_a_supervisor_page_is_pf5);
	tcase_add_test(tc, test_supervisor_write_to_a_read_only_page_faults_only_with_wp);
	tcase_add_test(tc, test_pse_maps_a_4_mib_page_and_sets_its_accessed_bit);
	tcase_add_test(tc, test_invlpg_drops_a_stale_translation);
	tcase_add_test(tc, test_cr3_write_keeps_global_pages_and_drops_the_rest);
	tcase_add_test(tc, test_cr3_writes_drop_each_page_cached_since_the_last);
	tcase_add_test(tc, test_sysexit_and_sysenter_cross_rings_through_the_msrs);
	tcase_add_test(tc, test_rdmsr_of_an_unknown_msr_is_gp0);
	tcase_add_test(tc, test_far_jump_to_a_tss_switches_task_and_moves_the_busy_bit);
	tcase_add_test(tc, test_call_through_a_task_gate_links_back_and_iret_returns);
	tcase_add_test(tc, test_exception_through_a_task_gate_pushes_the_error_on_the_new_stack);
	tcase_add_test(tc, test_v86_int_with_iopl0_faults_to_ring0_with_the_segments_pushed);
	tcase_add_test(tc, test_v86_int_with_iopl3_goes_through_the_idt);
	tcase_add_test(tc, test_v86_pushf_at_iopl3_shows_iopl_and_int_reaches_the_idt);
	tcase_add_test(tc, test_v86_segment_loads_are_real_mode_and_cli_faults_with_iopl0);
	tcase_add_test(tc, test_cpuid_advertises_pse_msr_sep_and_pge);
	tcase_add_test(tc, test_cpuid_offers_no_kvm_leaves);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(x86_protected_suite());
}
