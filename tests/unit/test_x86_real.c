/* The software CPU in real mode: every instruction family, its flags, the
 * prefixes, faults through the IVT, port and MMIO access, interrupts, HLT
 * and the run loop's exits. Each test runs a few hand-assembled
 * instructions (the assembly is in the comments) loaded at 0000:7C00 with
 * SS:SP = 0000:7000 and ending in HLT, then checks registers, flags and
 * memory. The bytes were assembled with nasm (bits 16, org 7C00h unless a
 * test says otherwise); keep each comment in step with its bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "unit.h"
#include "x86_fixture.h"

/* A port or MMIO device: a small register file that records accesses. */
struct fake_dev {
	uint8_t regs[16];
	unsigned reads, writes;
	uint64_t last_offset;
	unsigned last_size;
	uint64_t last_value;
};

static struct fake_dev dev;

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_dev *d = opaque;
	uint64_t v = 0;

	d->reads++;
	d->last_offset = offset;
	d->last_size = size;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)d->regs[(offset + i) % sizeof d->regs] << (8 * i);
	return v;
}

static void dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->last_offset = offset;
	d->last_size = size;
	d->last_value = value;
	for (unsigned i = 0; i < size; i++)
		d->regs[(offset + i) % sizeof d->regs] = value >> (8 * i);
}

static const struct io_ops dev_ops = {dev_read, dev_write};

/* An interrupt controller with one line: `irq_vector` while raised. */
static bool irq_raised;
static int irq_vector;
static unsigned irq_acks;

static bool intc_pending(void *opaque)
{
	(void)opaque;
	return irq_raised;
}

static int intc_ack(void *opaque)
{
	(void)opaque;
	irq_raised = false;
	irq_acks++;
	return irq_vector;
}

static const struct intc_ops intc = {intc_pending, intc_ack, NULL};

static void raise_irq(int vector)
{
	irq_vector = vector;
	irq_raised = true;
}

static void setup(void)
{
	x86f_setup(1 << 20);
	m.intc = &intc;
	m.intc_opaque = NULL;
	memset(&dev, 0, sizeof dev);
	irq_raised = false;
	irq_acks = 0;
}

/* Loads code at 0000:org and runs it until it stops (HLT, normally). */
static enum vcpu_exit run_at(const uint8_t *code, size_t len, uint32_t org)
{
	x86f_load(code, len, org);
	return x86f_run_real(org, 1000000);
}

static enum vcpu_exit run(const uint8_t *code, size_t len)
{
	return run_at(code, len, 0x7c00);
}

static uint32_t flags(void)
{
	return x86_get_eflags(cpu);
}

#define ck_flags_set(mask)   ck_assert_uint_eq(flags() & (mask), (mask))
#define ck_flags_clear(mask) ck_assert_uint_eq(flags() & (mask), 0)

/* The i-th word on the stack (SS base 0 in these tests). */
static uint16_t stack16(unsigned i)
{
	return mem16(reg16(X86_ESP) + 2 * i);
}

/* 0x8000 + 0x8000 wraps to 0: CF, OF, ZF, PF set, SF clear. */
START_TEST(test_add_sets_carry_and_overflow_on_signed_wrap)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x80, /* mov ax, 0x8000 */
	    0x05, 0x00, 0x80, /* add ax, 0x8000 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0);
	ck_flags_set(X86_CF | X86_OF | X86_ZF | X86_PF);
	ck_flags_clear(X86_SF | X86_AF);
}
END_TEST

/* 0x0F + 0x71 = 0x80: a carry out of bit 3, positive + positive gives negative. */
START_TEST(test_add_byte_sets_aux_carry_sign_and_overflow)
{
	static const uint8_t code[] = {
	    0xb0, 0x0f, /* mov al, 0x0f */
	    0x04, 0x71, /* add al, 0x71 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX) & 0xff, 0x80);
	ck_flags_set(X86_AF | X86_SF | X86_OF);
	ck_flags_clear(X86_CF | X86_ZF | X86_PF);
}
END_TEST

/* ADC adds CF: 0xFFFF + 0 + 1 carries out; 1 + 1 + 0 = 2. */
START_TEST(test_adc_adds_the_carry_in)
{
	static const uint8_t code[] = {
	    0xf9,	      /* stc */
	    0xb8, 0xff, 0xff, /* mov ax, 0xffff */
	    0x83, 0xd0, 0x00, /* adc ax, 0 */
	    0xbe, 0x00, 0x00, /* mov si, 0 */
	    0x83, 0xd6, 0x00, /* adc si, 0 */
	    0xf8,	      /* clc */
	    0xbb, 0x01, 0x00, /* mov bx, 1 */
	    0x83, 0xd3, 0x01, /* adc bx, 1 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0);
	ck_assert_uint_eq(reg16(X86_ESI), 1);
	ck_assert_uint_eq(reg16(X86_EBX), 2);
	ck_flags_clear(X86_CF);
}
END_TEST

/* SBB subtracts CF: 5 - 5 - 1 = 0xFFFF with a borrow out. */
START_TEST(test_sbb_subtracts_the_borrow_in)
{
	static const uint8_t code[] = {
	    0xf9,	      /* stc */
	    0xb8, 0x05, 0x00, /* mov ax, 5 */
	    0x83, 0xd8, 0x05, /* sbb ax, 5 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0xffff);
	ck_flags_set(X86_CF | X86_SF | X86_AF);
	ck_flags_clear(X86_ZF | X86_OF);
}
END_TEST

/* A 64-bit subtraction in two halves: SUB then SBB. */
START_TEST(test_sbb_dword_propagates_borrow_across_words)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x00, 0x00, 0x00, 0x00, /* mov eax, 0 */
	    0x66, 0xba, 0x01, 0x00, 0x00, 0x00, /* mov edx, 1 */
	    0x66, 0x83, 0xe8, 0x01,		/* sub eax, 1 */
	    0x66, 0x83, 0xda, 0x00,		/* sbb edx, 0 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0xffffffff);
	ck_assert_uint_eq(reg(X86_EDX), 0);
	ck_flags_set(X86_ZF);
	ck_flags_clear(X86_CF);
}
END_TEST

/* 0x80 - 1 = 0x7F: OF and AF set, no borrow. */
START_TEST(test_sub_sets_overflow_on_signed_underflow)
{
	static const uint8_t code[] = {
	    0xb0, 0x80, /* mov al, 0x80 */
	    0x2c, 0x01, /* sub al, 1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x7f);
	ck_flags_set(X86_OF | X86_AF);
	ck_flags_clear(X86_CF | X86_SF | X86_ZF);
}
END_TEST

/* CMP 3, 5 borrows and is negative; AX stays 3. */
START_TEST(test_cmp_sets_flags_and_keeps_the_operand)
{
	static const uint8_t code[] = {
	    0xb8, 0x03, 0x00, /* mov ax, 3 */
	    0x83, 0xf8, 0x05, /* cmp ax, 5 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 3);
	ck_flags_set(X86_CF | X86_SF);
	ck_flags_clear(X86_ZF | X86_OF);
}
END_TEST

/* AND, OR, XOR compute their result and clear CF and OF. */
START_TEST(test_logic_ops_clear_carry_and_overflow)
{
	static const uint8_t code[] = {
	    0xf9,	      /* stc */
	    0xb8, 0xf0, 0xf0, /* mov ax, 0xf0f0 */
	    0x25, 0x3c, 0x3c, /* and ax, 0x3c3c */
	    0x89, 0xc3,	      /* mov bx, ax */
	    0x0d, 0x01, 0x01, /* or ax, 0x0101 */
	    0x89, 0xc1,	      /* mov cx, ax */
	    0x35, 0x31, 0x31, /* xor ax, 0x3131 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x3030);
	ck_assert_uint_eq(reg16(X86_ECX), 0x3131);
	ck_assert_uint_eq(reg16(X86_EAX), 0);
	ck_flags_set(X86_ZF | X86_PF);
	ck_flags_clear(X86_CF | X86_OF | X86_SF);
}
END_TEST

/* ALU ops with a memory destination or source, word and byte. */
START_TEST(test_alu_memory_forms_read_modify_write)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x05, 0x0a, 0x00, /* mov word [0x500], 10 */
	    0x83, 0x06, 0x00, 0x05, 0x05,	/* add word [0x500], 5 */
	    0x80, 0x2e, 0x00, 0x05, 0x01,	/* sub byte [0x500], 1 */
	    0xbb, 0x00, 0x05,			/* mov bx, 0x500 */
	    0xb8, 0x03, 0x00,			/* mov ax, 3 */
	    0x03, 0x07,				/* add ax, [bx] */
	    0x29, 0x07,				/* sub [bx], ax */
	    0x80, 0x4f, 0x02, 0x81,		/* or byte [bx+2], 0x81 */
	    0x10, 0x47, 0x02,			/* adc byte [bx+2], al */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 17);
	ck_assert_uint_eq(mem16(0x500), (uint16_t)(14 - 17));
	ck_assert_uint_eq(mem8(0x502), 0x81 + 17);
}
END_TEST

/* 83h /0 with -3 and 66 83h with -1 sign-extend the byte. */
START_TEST(test_grp1_83_sign_extends_its_byte_immediate)
{
	static const uint8_t code[] = {
	    0xb8, 0x0a, 0x00,			/* mov ax, 10 */
	    0x83, 0xc0, 0xfd,			/* add ax, byte -3 */
	    0x66, 0xbb, 0x00, 0x00, 0x00, 0x00, /* mov ebx, 0 */
	    0x66, 0x83, 0xc3, 0xff,		/* o32 add bx, byte -1 */
	    /* ******************       warning: invalid operand size prefix, must be o16
	       [-w+prefix-opsize] */
	    0x83, 0xf9, 0xff, /* cmp cx, byte -1 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 7);
	ck_assert_uint_eq(reg(X86_EBX), 0xffffffff);
}
END_TEST

/* INC and DEC set ZF/SF/OF but never touch CF. */
START_TEST(test_inc_dec_keep_the_carry_flag)
{
	static const uint8_t code[] = {
	    0xf9,	      /* stc */
	    0xb0, 0xff,	      /* mov al, 0xff */
	    0xfe, 0xc0,	      /* inc al */
	    0x88, 0xc3,	      /* mov bl, al */
	    0xf8,	      /* clc */
	    0xfe, 0xc8,	      /* dec al */
	    0xb9, 0x00, 0x80, /* mov cx, 0x8000 */
	    0x49,	      /* dec cx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX) & 0xff, 0);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0xff);
	ck_assert_uint_eq(reg16(X86_ECX), 0x7fff);
	ck_flags_set(X86_OF);
	ck_flags_clear(X86_CF);
}
END_TEST

/* CF from an ADD survives a later INC that sets ZF. */
START_TEST(test_inc_zero_result_keeps_carry_from_earlier_add)
{
	static const uint8_t code[] = {
	    0xb0, 0xff, /* mov al, 0xff */
	    0x04, 0x01, /* add al, 1 */
	    0xb3, 0xff, /* mov bl, 0xff */
	    0xfe, 0xc3, /* inc bl */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_flags_set(X86_CF | X86_ZF);
}
END_TEST

/* NEG 5 = -5 with CF; NEG 0 = 0 without. */
START_TEST(test_neg_sets_carry_unless_the_operand_is_zero)
{
	static const uint8_t code[] = {
	    0xb8, 0x05, 0x00, /* mov ax, 5 */
	    0xf7, 0xd8,	      /* neg ax */
	    0xba, 0x00, 0x00, /* mov dx, 0 */
	    0x83, 0xd2, 0x00, /* adc dx, 0 */
	    0xbb, 0x00, 0x00, /* mov bx, 0 */
	    0xf7, 0xdb,	      /* neg bx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0xfffb);
	ck_assert_uint_eq(reg16(X86_EDX), 1);
	ck_flags_set(X86_ZF);
	ck_flags_clear(X86_CF);
}
END_TEST

/* NOT r/m changes no flag. */
START_TEST(test_not_inverts_and_leaves_flags)
{
	static const uint8_t code[] = {
	    0xf9,		    /* stc */
	    0xb0, 0x0f,		    /* mov al, 0x0f */
	    0xf6, 0xd0,		    /* not al */
	    0xf7, 0x16, 0x00, 0x05, /* not word [0x500] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0xf0);
	ck_assert_uint_eq(mem16(0x500), 0xffff);
	ck_flags_set(X86_CF);
}
END_TEST

/* TEST in its three forms ANDs for flags only. */
START_TEST(test_test_sets_flags_without_writing)
{
	static const uint8_t code[] = {
	    0xb0, 0x80,			  /* mov al, 0x80 */
	    0xa8, 0x80,			  /* test al, 0x80 */
	    0xbe, 0x00, 0x00,		  /* mov si, 0 */
	    0x83, 0xd6, 0x00,		  /* adc si, 0 */
	    0xbb, 0x0f, 0x0f,		  /* mov bx, 0x0f0f */
	    0xb9, 0xf0, 0xf0,		  /* mov cx, 0xf0f0 */
	    0x85, 0xcb,			  /* test bx, cx */
	    0xf6, 0x06, 0x00, 0x05, 0x01, /* test byte [0x500], 1 */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x80);
	ck_assert_uint_eq(reg16(X86_ESI), 0);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0f0f);
	ck_flags_set(X86_ZF);
}
END_TEST

/* MOV r8/r16 immediates, register to register, register to memory and back. */
START_TEST(test_mov_between_registers_memory_and_immediates)
{
	static const uint8_t code[] = {
	    0xb0, 0x12,				/* mov al, 0x12 */
	    0xb4, 0x34,				/* mov ah, 0x34 */
	    0x89, 0xc3,				/* mov bx, ax */
	    0x89, 0x1e, 0x00, 0x06,		/* mov [0x600], bx */
	    0x8b, 0x0e, 0x00, 0x06,		/* mov cx, [0x600] */
	    0xc6, 0x06, 0x02, 0x06, 0x56,	/* mov byte [0x602], 0x56 */
	    0x8a, 0x16, 0x02, 0x06,		/* mov dl, [0x602] */
	    0xc7, 0x06, 0x04, 0x06, 0x9a, 0x78, /* mov word [0x604], 0x789a */
	    0x8b, 0x36, 0x04, 0x06,		/* mov si, [0x604] */
	    0x88, 0xe6,				/* mov dh, ah */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x3412);
	ck_assert_uint_eq(reg16(X86_ECX), 0x3412);
	ck_assert_uint_eq(reg16(X86_EDX), 0x3456);
	ck_assert_uint_eq(reg16(X86_ESI), 0x789a);
}
END_TEST

/* A0h-A3h with ES: and the default DS. */
START_TEST(test_mov_moffs_honours_segment_override)
{
	static const uint8_t code[] = {
	    0xb8, 0x50, 0x00,	    /* mov ax, 0x50 */
	    0x8e, 0xc0,		    /* mov es, ax */
	    0xb0, 0x77,		    /* mov al, 0x77 */
	    0x26, 0xa2, 0x10, 0x00, /* mov [es:0x10], al */
	    0xa1, 0x10, 0x05,	    /* mov ax, [0x510] */
	    0xa3, 0x20, 0x05,	    /* mov [0x520], ax */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x510), 0x77);
	ck_assert_uint_eq(reg16(X86_EAX) & 0xff, 0x77);
	ck_assert_uint_eq(mem8(0x520), 0x77);
}
END_TEST

/* MOV Sreg, r/m and MOV r/m, Sreg in real mode. */
START_TEST(test_mov_segment_register_sets_base_to_selector_times_16)
{
	static const uint8_t code[] = {
	    0xb8, 0x34, 0x12,			/* mov ax, 0x1234 */
	    0x8e, 0xd8,				/* mov ds, ax */
	    0x8c, 0xdb,				/* mov bx, ds */
	    0x89, 0x1e, 0x00, 0x00,		/* mov [0], bx */
	    0x31, 0xc0,				/* xor ax, ax */
	    0x8e, 0xd8,				/* mov ds, ax */
	    0xc7, 0x06, 0x00, 0x05, 0x21, 0x43, /* mov word [0x500], 0x4321 */
	    0x8e, 0x06, 0x00, 0x05,		/* mov es, [0x500] */
	    0x8c, 0x06, 0x02, 0x05,		/* mov [0x502], es */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x1234);
	ck_assert_uint_eq(mem16(0x12340), 0x1234);
	ck_assert_uint_eq(cpu->seg[X86_ES].sel, 0x4321);
	ck_assert_uint_eq(cpu->seg[X86_ES].base, 0x43210);
	ck_assert_uint_eq(mem16(0x502), 0x4321);
}
END_TEST

/* MOV CS, r/m (8Eh /1) raises #UD. */
START_TEST(test_mov_to_cs_is_invalid)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x18, 0x00, 0x12, 0x7c, /* mov word [6*4], ud */
	    0xc7, 0x06, 0x1a, 0x00, 0x00, 0x00, /* mov word [6*4+2], 0 */
	    0xb8, 0x00, 0x00,			/* mov ax, 0 */
	    0x8e, 0xc8,				/* mov cs, ax */
	    0xf4,				/* hlt */
	    /* ud: */
	    0xbb, 0xad, 0x0b, /* mov bx, 0x0bad */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0bad);
}
END_TEST

/* MOVZX/MOVSX from r/m8 and r/m16 into 16 and 32 bits. */
START_TEST(test_movzx_and_movsx_extend_bytes_and_words)
{
	static const uint8_t code[] = {
	    0xb3, 0x80,				/* mov bl, 0x80 */
	    0x0f, 0xb6, 0xc3,			/* movzx ax, bl */
	    0x0f, 0xbe, 0xcb,			/* movsx cx, bl */
	    0x66, 0x0f, 0xbf, 0xd1,		/* movsx edx, cx */
	    0xc7, 0x06, 0x00, 0x05, 0x01, 0x80, /* mov word [0x500], 0x8001 */
	    0x66, 0x0f, 0xb7, 0x36, 0x00, 0x05, /* movzx esi, word [0x500] */
	    0x66, 0x0f, 0xbe, 0x3e, 0x01, 0x05, /* movsx edi, byte [0x501] */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x0080);
	ck_assert_uint_eq(reg16(X86_ECX), 0xff80);
	ck_assert_uint_eq(reg(X86_EDX), 0xffffff80);
	ck_assert_uint_eq(reg(X86_ESI), 0x8001);
	ck_assert_uint_eq(reg(X86_EDI), 0xffffff80);
}
END_TEST

/* XCHG eAX, r; XCHG r/m, r with bytes and words. */
START_TEST(test_xchg_swaps_registers_and_memory)
{
	static const uint8_t code[] = {
	    0xb8, 0x01, 0x00,			/* mov ax, 1 */
	    0xbb, 0x02, 0x00,			/* mov bx, 2 */
	    0x93,				/* xchg ax, bx */
	    0xc7, 0x06, 0x00, 0x05, 0x03, 0x00, /* mov word [0x500], 3 */
	    0xb9, 0x04, 0x00,			/* mov cx, 4 */
	    0x87, 0x0e, 0x00, 0x05,		/* xchg cx, [0x500] */
	    0xb2, 0x05,				/* mov dl, 5 */
	    0xb6, 0x06,				/* mov dh, 6 */
	    0x86, 0xd6,				/* xchg dl, dh */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(reg16(X86_ECX), 3);
	ck_assert_uint_eq(mem16(0x500), 4);
	ck_assert_uint_eq(reg16(X86_EDX), 0x0506);
}
END_TEST

/* LEA with 16-bit and 32-bit (SIB) addressing. */
START_TEST(test_lea_computes_the_offset_without_access)
{
	static const uint8_t code[] = {
	    0xbb, 0x00, 0x10,					  /* mov bx, 0x1000 */
	    0xbe, 0x20, 0x00,					  /* mov si, 0x20 */
	    0x8d, 0x40, 0x05,					  /* lea ax, [bx+si+5] */
	    0x66, 0xbb, 0x00, 0x10, 0x00, 0x00,			  /* mov ebx, 0x1000 */
	    0x66, 0x67, 0x8d, 0x0c, 0x9d, 0x10, 0x00, 0x00, 0x00, /* lea ecx, [ebx*4+0x10] */
	    0x66, 0x67, 0x8d, 0x54, 0x5b, 0xff,			  /* lea edx, [ebx+ebx*2-1] */
	    0x8d, 0x7b, 0xff,					  /* lea di, [bp+di-1] */
	    0xf4,						  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x1025);
	ck_assert_uint_eq(reg(X86_ECX), 0x4010);
	ck_assert_uint_eq(reg(X86_EDX), 0x2fff);
	ck_assert_uint_eq(reg16(X86_EDI), 0xffff);
}
END_TEST

/* LES, LFS, LGS, LSS, LDS load offset and selector. */
START_TEST(test_load_far_pointer_instructions)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x05, 0x11, 0x11, /* mov word [0x500], 0x1111 */
	    0xc7, 0x06, 0x02, 0x05, 0x22, 0x22, /* mov word [0x502], 0x2222 */
	    0xc4, 0x3e, 0x00, 0x05,		/* les di, [0x500] */
	    0x0f, 0xb4, 0x06, 0x00, 0x05,	/* lfs ax, [0x500] */
	    0x0f, 0xb5, 0x1e, 0x00, 0x05,	/* lgs bx, [0x500] */
	    0x0f, 0xb2, 0x26, 0x00, 0x05,	/* lss sp, [0x500] */
	    0xc5, 0x36, 0x00, 0x05,		/* lds si, [0x500] */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EDI), 0x1111);
	ck_assert_uint_eq(reg16(X86_EAX), 0x1111);
	ck_assert_uint_eq(reg16(X86_EBX), 0x1111);
	ck_assert_uint_eq(reg16(X86_ESP), 0x1111);
	ck_assert_uint_eq(reg16(X86_ESI), 0x1111);
	for (int s = X86_ES; s <= X86_GS; s++)
		if (s != X86_CS)
			ck_assert_uint_eq(cpu->seg[s].sel, 0x2222);
}
END_TEST

/* CBW, CWD, CWDE, CDQ. */
START_TEST(test_cbw_cwd_cwde_cdq_sign_extend_the_accumulator)
{
	static const uint8_t code[] = {
	    0xb0, 0x80,				/* mov al, 0x80 */
	    0x98,				/* cbw */
	    0x99,				/* cwd */
	    0x89, 0xc3,				/* mov bx, ax */
	    0x89, 0xd1,				/* mov cx, dx */
	    0x66, 0xb8, 0xff, 0x7f, 0xff, 0xff, /* mov eax, 0xffff7fff */
	    0x66, 0x98,				/* cwde */
	    0x66, 0x89, 0xc6,			/* mov esi, eax */
	    0x66, 0xb8, 0x00, 0x00, 0x00, 0x80, /* mov eax, 0x80000000 */
	    0x66, 0x99,				/* cdq */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0xff80);
	ck_assert_uint_eq(reg16(X86_ECX), 0xffff);
	ck_assert_uint_eq(reg(X86_ESI), 0x7fff);
	ck_assert_uint_eq(reg(X86_EDX), 0xffffffff);
}
END_TEST

/* XLAT, default DS and with an ES override. */
START_TEST(test_xlat_reads_the_table_at_bx_plus_al)
{
	static const uint8_t code[] = {
	    0xc6, 0x06, 0x03, 0x05, 0x42, /* mov byte [0x503], 0x42 */
	    0xc6, 0x06, 0x03, 0x15, 0x24, /* mov byte [0x1503], 0x24 */
	    0xbb, 0x00, 0x05,		  /* mov bx, 0x500 */
	    0xb0, 0x03,			  /* mov al, 3 */
	    0xd7,			  /* xlatb */
	    0x88, 0xc1,			  /* mov cl, al */
	    0xb8, 0x00, 0x01,		  /* mov ax, 0x100 */
	    0x8e, 0xc0,			  /* mov es, ax */
	    0xb0, 0x03,			  /* mov al, 3 */
	    0x26, 0xd7,			  /* es xlatb */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_ECX) & 0xff, 0x42);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x24);
}
END_TEST

/* SAHF loads SF ZF AF PF CF from AH; LAHF stores them. */
START_TEST(test_lahf_and_sahf_move_the_low_flags)
{
	static const uint8_t code[] = {
	    0xb4, 0xd5, /* mov ah, 0xd5 */
	    0x9e,	/* sahf */
	    0xb4, 0x00, /* mov ah, 0 */
	    0x9f,	/* lahf */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq((reg(X86_EAX) >> 8) & 0xff, 0xd7);
	ck_flags_set(X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF);
}
END_TEST

/* NOP, the multi-byte 0F 1F NOP, the hint NOPs 0F 19..1E (ENDBR32 is
 * F3 0F 1E FB, which static i386 glibc starts its functions with) and
 * PAUSE. */
START_TEST(test_nop_forms_do_nothing)
{
	static const uint8_t code[] = {
	    0xb8, 0x01, 0x00,	    /* mov ax, 1 */
	    0x90,		    /* nop */
	    0x0f, 0x1f, 0x00,	    /* nop word [bx+si] */
	    0x0f, 0x19, 0x07,	    /* nop word [bx] */
	    0x0f, 0x1d, 0x47, 0x05, /* nop word [bx+5] */
	    0xf3, 0x0f, 0x1e, 0xfb, /* endbr32 */
	    0xf3, 0x90,		    /* pause */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1);
}
END_TEST

/* PUSH/POP r16, r/m16 and r32. */
START_TEST(test_push_and_pop_registers_and_memory)
{
	static const uint8_t code[] = {
	    0xb8, 0x34, 0x12,			/* mov ax, 0x1234 */
	    0x50,				/* push ax */
	    0x5b,				/* pop bx */
	    0xc7, 0x06, 0x00, 0x05, 0x78, 0x56, /* mov word [0x500], 0x5678 */
	    0xff, 0x36, 0x00, 0x05,		/* push word [0x500] */
	    0x8f, 0x06, 0x02, 0x05,		/* pop word [0x502] */
	    0x66, 0xb8, 0xef, 0xcd, 0xab, 0x89, /* mov eax, 0x89abcdef */
	    0x66, 0x50,				/* push eax */
	    0x66, 0x59,				/* pop ecx */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x1234);
	ck_assert_uint_eq(mem16(0x502), 0x5678);
	ck_assert_uint_eq(reg(X86_ECX), 0x89abcdef);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
	ck_assert_uint_eq(mem32(0x7000 - 4), 0x89abcdef);
}
END_TEST

/* PUSH SP (286 and later) stores the old SP. */
START_TEST(test_push_sp_pushes_the_value_before_the_push)
{
	static const uint8_t code[] = {
	    0x54, /* push sp */
	    0x58, /* pop ax */
	    0xf4, /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x7000);
}
END_TEST

/* PUSH/POP of ES, CS, SS, DS, FS, GS. */
START_TEST(test_push_and_pop_segment_registers)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x20, /* mov ax, 0x2000 */
	    0x8e, 0xc0,	      /* mov es, ax */
	    0x06,	      /* push es */
	    0x1f,	      /* pop ds */
	    0x0e,	      /* push cs */
	    0x0f, 0xa1,	      /* pop fs */
	    0x1e,	      /* push ds */
	    0x0f, 0xa9,	      /* pop gs */
	    0x16,	      /* push ss */
	    0x58,	      /* pop ax */
	    0x50,	      /* push ax */
	    0x17,	      /* pop ss */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->seg[X86_DS].sel, 0x2000);
	ck_assert_uint_eq(cpu->seg[X86_DS].base, 0x20000);
	ck_assert_uint_eq(cpu->seg[X86_FS].sel, 0);
	ck_assert_uint_eq(cpu->seg[X86_GS].sel, 0x2000);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
}
END_TEST

/* PUSHA stores AX..DI with the original SP; POPA restores all but SP. */
START_TEST(test_pusha_and_popa_round_trip)
{
	static const uint8_t code[] = {
	    0xb8, 0x01, 0x00, /* mov ax, 1 */
	    0xb9, 0x02, 0x00, /* mov cx, 2 */
	    0xba, 0x03, 0x00, /* mov dx, 3 */
	    0xbb, 0x04, 0x00, /* mov bx, 4 */
	    0xbd, 0x05, 0x00, /* mov bp, 5 */
	    0xbe, 0x06, 0x00, /* mov si, 6 */
	    0xbf, 0x07, 0x00, /* mov di, 7 */
	    0x60,	      /* pusha */
	    0xb8, 0x00, 0x00, /* mov ax, 0 */
	    0xb9, 0x00, 0x00, /* mov cx, 0 */
	    0xba, 0x00, 0x00, /* mov dx, 0 */
	    0xbb, 0x00, 0x00, /* mov bx, 0 */
	    0xbd, 0x00, 0x00, /* mov bp, 0 */
	    0xbe, 0x00, 0x00, /* mov si, 0 */
	    0xbf, 0x00, 0x00, /* mov di, 0 */
	    0x61,	      /* popa */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	for (unsigned r = X86_EAX; r <= X86_EDI; r++)
		if (r != X86_ESP)
			ck_assert_uint_eq(reg16(r), r < X86_ESP ? r + 1 : r);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
	ck_assert_uint_eq(mem16(0x7000 - 10), 0x7000);
	ck_assert_uint_eq(mem16(0x7000 - 16), 7);
}
END_TEST

/* 66 PUSHA/POPA. */
START_TEST(test_pushad_and_popad_use_32_bit_registers)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x11, 0x11, 0x11, 0x11, /* mov eax, 0x11111111 */
	    0x66, 0xbf, 0x77, 0x77, 0x77, 0x77, /* mov edi, 0x77777777 */
	    0x66, 0x60,				/* pushad */
	    0x66, 0x31, 0xc0,			/* xor eax, eax */
	    0x66, 0x31, 0xff,			/* xor edi, edi */
	    0x66, 0x61,				/* popad */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0x11111111);
	ck_assert_uint_eq(reg(X86_EDI), 0x77777777);
	ck_assert_uint_eq(mem32(0x7000 - 32), 0x77777777);
}
END_TEST

/* POPF of 0xFEFF sets what it may; bit 1 reads 1, bits 3, 5, 15 read 0. */
START_TEST(test_pushf_popf_keep_the_fixed_bits)
{
	static const uint8_t code[] = {
	    0xf9,	      /* stc */
	    0x9c,	      /* pushf */
	    0x58,	      /* pop ax */
	    0x68, 0xff, 0xfe, /* push word 0xfeff */
	    0x9d,	      /* popf */
	    0x9c,	      /* pushf */
	    0x5b,	      /* pop bx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX) & 0x3, 0x3);
	ck_assert_uint_eq(reg16(X86_EBX), 0x7ed7);
}
END_TEST

/* The CPUID detection idiom: EFLAGS.ID and AC are writable. */
START_TEST(test_eflags_id_and_ac_bits_toggle_for_cpu_detection)
{
	static const uint8_t code[] = {
	    0x66, 0x9c,				/* pushfd */
	    0x66, 0x58,				/* pop eax */
	    0x66, 0x89, 0xc1,			/* mov ecx, eax */
	    0x66, 0x35, 0x00, 0x00, 0x24, 0x00, /* xor eax, 0x240000 */
	    0x66, 0x50,				/* push eax */
	    0x66, 0x9d,				/* popfd */
	    0x66, 0x9c,				/* pushfd */
	    0x66, 0x58,				/* pop eax */
	    0x66, 0x31, 0xc8,			/* xor eax, ecx */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0x240000);
}
END_TEST

/* PUSH imm16 and PUSH imm8 sign-extended. */
START_TEST(test_push_immediate_forms)
{
	static const uint8_t code[] = {
	    0x68, 0x34, 0x12,			/* push word 0x1234 */
	    0x6a, 0xfe,				/* push byte -2 */
	    0x58,				/* pop ax */
	    0x5b,				/* pop bx */
	    0x66, 0x68, 0x78, 0x56, 0x34, 0x12, /* push dword 0x12345678 */
	    0x66, 0x59,				/* pop ecx */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0xfffe);
	ck_assert_uint_eq(reg16(X86_EBX), 0x1234);
	ck_assert_uint_eq(reg(X86_ECX), 0x12345678);
}
END_TEST

/* ENTER 8, 0 then LEAVE. */
START_TEST(test_enter_and_leave_build_and_drop_a_frame)
{
	static const uint8_t code[] = {
	    0xbd, 0x11, 0x11,	    /* mov bp, 0x1111 */
	    0xc8, 0x08, 0x00, 0x00, /* enter 8, 0 */
	    0x89, 0xe8,		    /* mov ax, bp */
	    0x89, 0xe3,		    /* mov bx, sp */
	    0xc9,		    /* leave */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x6ffe);
	ck_assert_uint_eq(reg16(X86_EBX), 0x6ff6);
	ck_assert_uint_eq(mem16(0x6ffe), 0x1111);
	ck_assert_uint_eq(reg16(X86_EBP), 0x1111);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
}
END_TEST

/* ENTER 4, 2 pushes the outer frame pointer and the new one. */
START_TEST(test_enter_with_nesting_level_copies_frame_pointers)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x0f, 0x11, 0xcd, 0xab, /* mov word [0x110f], 0xabcd */
	    0xbd, 0x11, 0x11,			/* mov bp, 0x1111 */
	    0xc8, 0x04, 0x00, 0x02,		/* enter 4, 2 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x6ffe), 0x1111);
	ck_assert_uint_eq(mem16(0x6ffc), 0xabcd);
	ck_assert_uint_eq(mem16(0x6ffa), 0x6ffe);
	ck_assert_uint_eq(reg16(X86_EBP), 0x6ffe);
	ck_assert_uint_eq(reg16(X86_ESP), 0x6ff6);
}
END_TEST

/* PUSH with SP=0 stores at SS:FFFE. */
START_TEST(test_stack_pointer_wraps_at_64k)
{
	static const uint8_t code[] = {
	    0xbc, 0x00, 0x00, /* mov sp, 0 */
	    0xb8, 0xa5, 0x5a, /* mov ax, 0x5aa5 */
	    0x50,	      /* push ax */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ESP), 0xfffe);
	ck_assert_uint_eq(mem16(0xfffe), 0x5aa5);
}
END_TEST

/* JZ/JNZ/JC/JNC short. */
START_TEST(test_jcc_short_taken_and_not_taken)
{
	static const uint8_t code[] = {
	    0x31, 0xc0,	      /* xor ax, ax */
	    0x75, 0x0f,	      /* jnz bad */
	    0x74, 0x02,	      /* jz .a */
	    0xeb, 0x0b,	      /* jmp bad */
	    0xf9,	      /* .a: stc */
	    0x73, 0x08,	      /* jnc bad */
	    0x72, 0x02,	      /* jc .b */
	    0xeb, 0x04,	      /* jmp bad */
	    0xb8, 0x01, 0x00, /* .b: mov ax, 1 */
	    0xf4,	      /* hlt */
	    0xb8, 0xad, 0xde, /* bad: mov ax, 0xdead */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1);
}
END_TEST

/* 0F 84h rel16 forward and 0F 85h backward. */
START_TEST(test_jcc_near_uses_a_16_bit_displacement)
{
	static const uint8_t code[] = {
	    0x31, 0xc9,		    /* xor cx, cx */
	    0xeb, 0x04,		    /* jmp .fwd */
	    0xb8, 0x02, 0x00,	    /* .back: mov ax, 2 */
	    0xf4,		    /* hlt */
	    0x41,		    /* .fwd: inc cx */
	    0x0f, 0x84, 0xf7, 0xff, /* jz near .back */
	    0x0f, 0x85, 0xf3, 0xff, /* jnz near .back */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
}
END_TEST

/* After CMP 1, 2: CF SF PF set, ZF OF clear; SETcc 0-15 into memory. */
START_TEST(test_setcc_evaluates_all_sixteen_conditions)
{
	static const uint8_t code[] = {
	    0xb0, 0x01,			  /* mov al, 1 */
	    0x3c, 0x02,			  /* cmp al, 2 */
	    0x0f, 0x90, 0x06, 0x00, 0x05, /* seto [0x500] */
	    0x0f, 0x91, 0x06, 0x01, 0x05, /* setno [0x501] */
	    0x0f, 0x92, 0x06, 0x02, 0x05, /* setb [0x502] */
	    0x0f, 0x93, 0x06, 0x03, 0x05, /* setae [0x503] */
	    0x0f, 0x94, 0x06, 0x04, 0x05, /* sete [0x504] */
	    0x0f, 0x95, 0x06, 0x05, 0x05, /* setne [0x505] */
	    0x0f, 0x96, 0x06, 0x06, 0x05, /* setbe [0x506] */
	    0x0f, 0x97, 0x06, 0x07, 0x05, /* seta [0x507] */
	    0x0f, 0x98, 0x06, 0x08, 0x05, /* sets [0x508] */
	    0x0f, 0x99, 0x06, 0x09, 0x05, /* setns [0x509] */
	    0x0f, 0x9a, 0x06, 0x0a, 0x05, /* setp [0x50a] */
	    0x0f, 0x9b, 0x06, 0x0b, 0x05, /* setnp [0x50b] */
	    0x0f, 0x9c, 0x06, 0x0c, 0x05, /* setl [0x50c] */
	    0x0f, 0x9d, 0x06, 0x0d, 0x05, /* setge [0x50d] */
	    0x0f, 0x9e, 0x06, 0x0e, 0x05, /* setle [0x50e] */
	    0x0f, 0x9f, 0x06, 0x0f, 0x05, /* setg [0x50f] */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	static const uint8_t want[16] = {0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
	for (int i = 0; i < 16; i++)
		ck_assert_msg(mem8(0x500 + i) == want[i], "condition %d", i);
}
END_TEST

/* CMP -128, 1 overflows (SF=0, OF=1): L is true, G false. */
START_TEST(test_signed_conditions_follow_overflow)
{
	static const uint8_t code[] = {
	    0xb0, 0x80,			  /* mov al, 0x80 */
	    0x3c, 0x01,			  /* cmp al, 1 */
	    0x0f, 0x9c, 0x06, 0x00, 0x05, /* setl [0x500] */
	    0x0f, 0x9f, 0x06, 0x01, 0x05, /* setg [0x501] */
	    0x0f, 0x90, 0x06, 0x02, 0x05, /* seto [0x502] */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x500), 1);
	ck_assert_uint_eq(mem8(0x501), 0);
	ck_assert_uint_eq(mem8(0x502), 1);
}
END_TEST

/* JMP short, near, far ptr, register, memory and far memory. */
START_TEST(test_jmp_forms_short_near_far_and_indirect)
{
	static const uint8_t code[] = {
	    0xeb, 0x01,				/* jmp short .a */
	    0xf4,				/* hlt */
	    0xe9, 0x01, 0x00,			/* .a: jmp near .b */
	    0xf4,				/* hlt */
	    0xea, 0x0d, 0x00, 0xc0, 0x07,	/* .b: jmp 0x07c0:(.c - 0x7c00) */
	    0xf4,				/* hlt */
	    0xbb, 0x13, 0x00,			/* .c: mov bx, .d - 0x7c00 */
	    0xff, 0xe3,				/* jmp bx */
	    0xf4,				/* hlt */
	    0xc7, 0x06, 0x00, 0x05, 0x1e, 0x00, /* .d: mov word [0x500], .e - 0x7c00 */
	    0xff, 0x26, 0x00, 0x05,		/* jmp [0x500] */
	    0xf4,				/* hlt */
	    0xc7, 0x06, 0x00, 0x05, 0x2f, 0x7c, /* .e: mov word [0x500], .f */
	    0xc7, 0x06, 0x02, 0x05, 0x00, 0x00, /* mov word [0x502], 0 */
	    0xff, 0x2e, 0x00, 0x05,		/* jmp far [0x500] */
	    0xf4,				/* hlt */
	    0xb8, 0x01, 0x00,			/* .f: mov ax, 1 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1);
	ck_assert_uint_eq(cpu->seg[X86_CS].sel, 0);
}
END_TEST

/* CALL rel16, CALL r/m16, RET and RET imm16. */
START_TEST(test_call_and_ret_near_with_immediate)
{
	static const uint8_t code[] = {
	    0x68, 0x34, 0x12,			/* push word 0x1234 */
	    0xe8, 0x10, 0x00,			/* call f */
	    0xbb, 0x1c, 0x7c,			/* mov bx, g */
	    0xff, 0xd3,				/* call bx */
	    0xc7, 0x06, 0x00, 0x05, 0x1c, 0x7c, /* mov word [0x500], g */
	    0xff, 0x16, 0x00, 0x05,		/* call [0x500] */
	    0xf4,				/* hlt */
	    0xb8, 0x01, 0x00,			/* f: mov ax, 1 */
	    0xc2, 0x02, 0x00,			/* ret 2 */
	    0x41,				/* g: inc cx */
	    0xc3,				/* ret */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1);
	ck_assert_uint_eq(reg16(X86_ECX), 2);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
}
END_TEST

/* CALL ptr16:16, CALL m16:16, RETF and RETF imm16. */
START_TEST(test_call_far_and_retf)
{
	static const uint8_t code[] = {
	    0x9a, 0x17, 0x00, 0xc0, 0x07,	/* call 0x07c0:(f - 0x7c00) */
	    0xc7, 0x06, 0x00, 0x05, 0x1a, 0x00, /* mov word [0x500], g - 0x7c00 */
	    0xc7, 0x06, 0x02, 0x05, 0xc0, 0x07, /* mov word [0x502], 0x07c0 */
	    0x50,				/* push ax */
	    0xff, 0x1e, 0x00, 0x05,		/* call far [0x500] */
	    0xf4,				/* hlt */
	    0x8c, 0xc8,				/* f: mov ax, cs */
	    0xcb,				/* retf */
	    0x8c, 0xcb,				/* g: mov bx, cs */
	    0xca, 0x02, 0x00,			/* retf 2 */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x07c0);
	ck_assert_uint_eq(reg16(X86_EBX), 0x07c0);
	ck_assert_uint_eq(cpu->seg[X86_CS].sel, 0);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
}
END_TEST

/* LOOP runs the body CX times. */
START_TEST(test_loop_counts_cx_down_to_zero)
{
	static const uint8_t code[] = {
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0x31, 0xc0,	      /* xor ax, ax */
	    0x40,	      /* .l: inc ax */
	    0xe2, 0xfd,	      /* loop .l */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 5);
	ck_assert_uint_eq(reg16(X86_ECX), 0);
}
END_TEST

/* LOOPE stops when ZF clears, LOOPNE when ZF sets. */
START_TEST(test_loope_and_loopne_stop_on_zf)
{
	static const uint8_t code[] = {
	    0xc6, 0x06, 0x03, 0x05, 0x01, /* mov byte [0x503], 1 */
	    0xbe, 0xff, 0x04,		  /* mov si, 0x4ff */
	    0xb9, 0x0a, 0x00,		  /* mov cx, 10 */
	    0x46,			  /* .a: inc si */
	    0x80, 0x3c, 0x00,		  /* cmp byte [si], 0 */
	    0xe1, 0xfa,			  /* loope .a */
	    0x89, 0xcb,			  /* mov bx, cx */
	    0x89, 0xf7,			  /* mov di, si */
	    0xb9, 0x0a, 0x00,		  /* mov cx, 10 */
	    0xbe, 0xff, 0x04,		  /* mov si, 0x4ff */
	    0x46,			  /* .b: inc si */
	    0x80, 0x3c, 0x01,		  /* cmp byte [si], 1 */
	    0xe0, 0xfa,			  /* loopne .b */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EDI), 0x503);
	ck_assert_uint_eq(reg16(X86_EBX), 6);
	ck_assert_uint_eq(reg16(X86_ESI), 0x503);
	ck_assert_uint_eq(reg16(X86_ECX), 6);
}
END_TEST

/* JCXZ with CX=1 falls through, with CX=0 jumps. */
START_TEST(test_jcxz_jumps_only_when_cx_is_zero)
{
	static const uint8_t code[] = {
	    0xb9, 0x01, 0x00, /* mov cx, 1 */
	    0xe3, 0x03,	      /* jcxz bad */
	    0x49,	      /* dec cx */
	    0xe3, 0x04,	      /* jcxz .ok */
	    0xb8, 0xad, 0xde, /* bad: mov ax, 0xdead */
	    0xf4,	      /* hlt */
	    0xb8, 0x01, 0x00, /* .ok: mov ax, 1 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 1);
}
END_TEST

/* 67 LOOP decrements ECX: 0x10001 - 1 is not zero. */
START_TEST(test_address_size_prefix_makes_loop_use_ecx)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0x01, 0x00, 0x01, 0x00, /* mov ecx, 0x10001 */
	    0x67, 0xe2, 0x04,			/* a32 loop .taken */
	    0xb8, 0x01, 0x00,			/* mov ax, 1 */
	    0xf4,				/* hlt */
	    0xb8, 0x02, 0x00,			/* .taken: mov ax, 2 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
	ck_assert_uint_eq(reg(X86_ECX), 0x10000);
}
END_TEST

/* INT 40h pushes FLAGS, CS, IP, clears IF; IRET returns and restores IF. */
START_TEST(test_int_and_iret_go_through_the_ivt)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x01, 0x13, 0x7c, /* mov word [0x40*4], handler */
	    0xc7, 0x06, 0x02, 0x01, 0x00, 0x00, /* mov word [0x40*4+2], 0 */
	    0xfb,				/* sti */
	    0xcd, 0x40,				/* int 0x40 */
	    0xb9, 0x01, 0x00,			/* mov cx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x42, 0x00,			/* handler: mov bx, 0x42 */
	    0x9c,				/* pushf */
	    0x5a,				/* pop dx */
	    0xcf,				/* iret */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x42);
	ck_assert_uint_eq(reg16(X86_ECX), 1);
	ck_assert_uint_eq(reg16(X86_EDX) & X86_IF, 0);
	ck_flags_set(X86_IF);
	ck_assert_uint_eq(reg16(X86_ESP), 0x7000);
}
END_TEST

/* INT3 uses vector 3; INTO traps to vector 4 only when OF is set. */
START_TEST(test_int3_and_into)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x0c, 0x00, 0x22, 0x7c, /* mov word [3*4], h3 */
	    0xc7, 0x06, 0x0e, 0x00, 0x00, 0x00, /* mov word [3*4+2], 0 */
	    0xc7, 0x06, 0x10, 0x00, 0x24, 0x7c, /* mov word [4*4], h4 */
	    0xc7, 0x06, 0x12, 0x00, 0x00, 0x00, /* mov word [4*4+2], 0 */
	    0xcc,				/* int3 */
	    0x31, 0xc0,				/* xor ax, ax */
	    0xce,				/* into */
	    0xb0, 0x7f,				/* mov al, 0x7f */
	    0x04, 0x01,				/* add al, 1 */
	    0xce,				/* into */
	    0xf4,				/* hlt */
	    0x43,				/* h3: inc bx */
	    0xcf,				/* iret */
	    0x41,				/* h4: inc cx */
	    0xcf,				/* iret */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(reg16(X86_ECX), 1);
}
END_TEST

/* BOUND passes inside [lo, hi] and faults with #BR (5) outside, pushing its own address. */
START_TEST(test_bound_raises_br_outside_the_range)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x14, 0x00, 0x2e, 0x7c, /* mov word [5*4], h */
	    0xc7, 0x06, 0x16, 0x00, 0x00, 0x00, /* mov word [5*4+2], 0 */
	    0xc7, 0x06, 0x00, 0x05, 0xfe, 0xff, /* mov word [0x500], -2 */
	    0xc7, 0x06, 0x02, 0x05, 0x0a, 0x00, /* mov word [0x502], 10 */
	    0xb8, 0x0a, 0x00,			/* mov ax, 10 */
	    0x62, 0x06, 0x00, 0x05,		/* bound ax, [0x500] */
	    0xb8, 0xfe, 0xff,			/* mov ax, -2 */
	    0x62, 0x06, 0x00, 0x05,		/* bound ax, [0x500] */
	    0xb8, 0x0b, 0x00,			/* mov ax, 11 */
	    0x62, 0x06, 0x00, 0x05,		/* fault: bound ax, [0x500] */
	    0xf4,				/* hlt */
	    0xbb, 0x05, 0x00,			/* h: mov bx, 5 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 5);
	ck_assert_uint_eq(stack16(0), 0x7c29);
}
END_TEST

/* #DE pushes the address of the DIV itself, then CS and FLAGS. */
START_TEST(test_div_by_zero_raises_de_through_the_ivt)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x00, 0x14, 0x7c, /* mov word [0], h */
	    0xc7, 0x06, 0x02, 0x00, 0x00, 0x00, /* mov word [2], 0 */
	    0xb8, 0x64, 0x00,			/* mov ax, 100 */
	    0xb3, 0x00,				/* mov bl, 0 */
	    0xf6, 0xf3,				/* fault: div bl */
	    0xf4,				/* hlt */
	    0xb9, 0xde, 0x00,			/* h: mov cx, 0xde */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ECX), 0xde);
	ck_assert_uint_eq(stack16(0), 0x7c11);
	ck_assert_uint_eq(stack16(1), 0);
	ck_assert_uint_eq(stack16(2) & 0x2, 0x2);
	ck_assert_uint_eq(reg16(X86_EAX), 100);
}
END_TEST

/* 0x1000 / 2 does not fit in AL: #DE. */
START_TEST(test_div_quotient_overflow_raises_de)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x00, 0x14, 0x7c, /* mov word [0], h */
	    0xc7, 0x06, 0x02, 0x00, 0x00, 0x00, /* mov word [2], 0 */
	    0xb8, 0x00, 0x10,			/* mov ax, 0x1000 */
	    0xb3, 0x02,				/* mov bl, 2 */
	    0xf6, 0xf3,				/* div bl */
	    0xf4,				/* hlt */
	    0xb9, 0xde, 0x00,			/* h: mov cx, 0xde */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ECX), 0xde);
}
END_TEST

/* EDX:EAX = -2^63 divided by -1 overflows: #DE, not a host crash. */
START_TEST(test_idiv_most_negative_by_minus_one_raises_de)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x00, 0x1f, 0x7c, /* mov word [0], h */
	    0xc7, 0x06, 0x02, 0x00, 0x00, 0x00, /* mov word [2], 0 */
	    0x66, 0xba, 0x00, 0x00, 0x00, 0x80, /* mov edx, 0x80000000 */
	    0x66, 0x31, 0xc0,			/* xor eax, eax */
	    0x66, 0xb9, 0xff, 0xff, 0xff, 0xff, /* mov ecx, -1 */
	    0x66, 0xf7, 0xf9,			/* idiv ecx */
	    0xf4,				/* hlt */
	    0xbb, 0xde, 0x00,			/* h: mov bx, 0xde */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0xde);
}
END_TEST

/* UD2 and an unassigned 0F opcode raise #UD (6) at their own address. */
START_TEST(test_undefined_opcode_raises_ud)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x18, 0x00, 0x0f, 0x7c, /* mov word [6*4], h */
	    0xc7, 0x06, 0x1a, 0x00, 0x00, 0x00, /* mov word [6*4+2], 0 */
	    0x0f, 0x0b,				/* fault: ud2 */
	    0xf4,				/* hlt */
	    0x43,				/* h: inc bx */
	    0x83, 0xc4, 0x06,			/* add sp, 6 */
	    0x83, 0xfb, 0x02,			/* cmp bx, 2 */
	    0x74, 0x02,				/* je done */
	    0x0f, 0xff,				/* fault2: db 0x0f, 0xff */
	    0xf4,				/* done: hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 2);
	ck_assert_uint_eq(mem16(0x7000 - 6), 0x7c18);
}
END_TEST

/* Sixteen prefixes: #GP (13). */
START_TEST(test_instruction_longer_than_15_bytes_raises_gp)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x1d, 0x7c, /* mov word [13*4], h */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, /* <rep Fh>              times 15 db 0x66 */
	    0x90,				      /* nop */
	    0xf4,				      /* hlt */
	    0xbb, 0x0d, 0x00,			      /* h: mov bx, 13 */
	    0xf4,				      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 13);
}
END_TEST

/* A word at offset FFFFh crosses the 64 KiB limit: #GP. */
START_TEST(test_word_access_at_segment_end_raises_gp)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x12, 0x7c, /* mov word [13*4], h */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0xbb, 0xff, 0xff,			/* mov bx, 0xffff */
	    0x8b, 0x07,				/* mov ax, [bx] */
	    0xf4,				/* hlt */
	    0xb9, 0x0d, 0x00,			/* h: mov cx, 13 */
	    0xf4,				/* hlt */
	};

	FILE *log = tmpfile();
	char line[256] = "";

	/* The delivery is logged: on a PC vector 13 is IRQ 5's handler. */
	log_set_sinks(log, NULL);
	log_set_level(LOG_WARN);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	log_set_level(LOG_ERROR);
	log_set_sinks(NULL, NULL);
	ck_assert_uint_eq(reg16(X86_ECX), 13);
	rewind(log);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, log));
	ck_assert_ptr_nonnull(strstr(line, "real-mode exception 13 at 0000:7c0f runs vector 13, "
					   "on a PC the handler of IRQ 5"));
	fclose(log);
}
END_TEST

/* A 67h access at ESI=10000h is beyond the real-mode limit. */
START_TEST(test_32_bit_offset_beyond_limit_raises_gp)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x34, 0x00, 0x16, 0x7c, /* mov word [13*4], h */
	    0xc7, 0x06, 0x36, 0x00, 0x00, 0x00, /* mov word [13*4+2], 0 */
	    0x66, 0xbe, 0x00, 0x00, 0x01, 0x00, /* mov esi, 0x10000 */
	    0x67, 0x8a, 0x06,			/* mov al, [esi] */
	    0xf4,				/* hlt */
	    0xb9, 0x0d, 0x00,			/* h: mov cx, 13 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ECX), 13);
}
END_TEST

/* With an IDT limit of 0, INT 3 faults, #GP faults, #DF faults: reset. */
START_TEST(test_triple_fault_returns_reset)
{
	static const uint8_t code[] = {
	    0x0f, 0x01, 0x1e, 0x07, 0x7c, /* lidt [idt] */
	    0xcc,			  /* int3 */
	    0xf4,			  /* hlt */
	    0x00, 0x00,			  /* idt: dw 0 */
	    0x00, 0x00, 0x00, 0x00,	  /* dd 0 */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_RESET);
}
END_TEST

/* TF set by POPF: #DB (1) once the following instruction is done, pushing the IP after it; the
 * handler runs untraced. */
START_TEST(test_single_step_traps_after_the_next_instruction)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x04, 0x00, 0x15, 0x7c, /* mov word [1*4], h */
	    0xc7, 0x06, 0x06, 0x00, 0x00, 0x00, /* mov word [1*4+2], 0 */
	    0x9c,				/* pushf */
	    0x58,				/* pop ax */
	    0x0d, 0x00, 0x01,			/* or ax, 0x100 */
	    0x50,				/* push ax */
	    0x9d,				/* popf */
	    0x90,				/* stepped: nop */
	    0xf4,				/* after: hlt */
	    0x41,				/* h: inc cx */
	    0x89, 0xe5,				/* mov bp, sp */
	    0x8b, 0x56, 0x00,			/* mov dx, [bp] */
	    0x81, 0x66, 0x04, 0xff, 0xfe,	/* and word [bp+4], 0xfeff */
	    0xcf,				/* iret */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ECX), 1);
	ck_assert_uint_eq(reg16(X86_EDX), 0x7c14);
}
END_TEST

/* SHL 0x81 by 1: 0x02, CF=1, OF = MSB xor CF = 1. */
START_TEST(test_shl_sets_carry_from_the_last_bit_out)
{
	static const uint8_t code[] = {
	    0xb0, 0x81, /* mov al, 0x81 */
	    0xd0, 0xe0, /* shl al, 1 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x02);
	ck_flags_set(X86_CF | X86_OF);
	ck_flags_clear(X86_ZF | X86_SF);
}
END_TEST

/* A count of 0 leaves the operand and all flags. */
START_TEST(test_shift_by_zero_changes_no_flag)
{
	static const uint8_t code[] = {
	    0x31, 0xdb, /* xor bx, bx */
	    0xf9,	/* stc */
	    0xb1, 0x00, /* mov cl, 0 */
	    0xb0, 0x40, /* mov al, 0x40 */
	    0xd2, 0xe0, /* shl al, cl */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x40);
	ck_flags_set(X86_CF | X86_ZF);
}
END_TEST

/* SHL AX, 33 shifts by 1. */
START_TEST(test_shift_count_is_masked_to_five_bits)
{
	static const uint8_t code[] = {
	    0xb1, 0x21,	      /* mov cl, 33 */
	    0xb8, 0x01, 0x00, /* mov ax, 1 */
	    0xd3, 0xe0,	      /* shl ax, cl */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
}
END_TEST

/* SHL AL by 8 leaves CF = bit 0; by 9 clears AL and CF; SHR by 9 gives 0. */
START_TEST(test_shift_count_beyond_operand_width)
{
	static const uint8_t code[] = {
	    0xb0, 0xff,	      /* mov al, 0xff */
	    0xc0, 0xe0, 0x08, /* shl al, 8 */
	    0x88, 0xc3,	      /* mov bl, al */
	    0x0f, 0x92, 0xc7, /* setc bh */
	    0xb0, 0xff,	      /* mov al, 0xff */
	    0xc0, 0xe0, 0x09, /* shl al, 9 */
	    0x0f, 0x92, 0xc4, /* setc ah */
	    0xb2, 0xff,	      /* mov dl, 0xff */
	    0xc0, 0xea, 0x09, /* shr dl, 9 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0100);
	ck_assert_uint_eq(reg16(X86_EAX), 0x0000);
	ck_assert_uint_eq(reg(X86_EDX) & 0xff, 0);
}
END_TEST

/* SHR fills with 0 (OF = old MSB); SAR copies the sign. */
START_TEST(test_shr_and_sar)
{
	static const uint8_t code[] = {
	    0xb0, 0x81,				/* mov al, 0x81 */
	    0xd0, 0xe8,				/* shr al, 1 */
	    0x0f, 0x90, 0xc4,			/* seto ah */
	    0xb3, 0x80,				/* mov bl, 0x80 */
	    0xc0, 0xfb, 0x03,			/* sar bl, 3 */
	    0xb9, 0x00, 0x80,			/* mov cx, 0x8000 */
	    0xc1, 0xf9, 0x0f,			/* sar cx, 15 */
	    0x66, 0xba, 0x00, 0x00, 0x00, 0x80, /* mov edx, 0x80000000 */
	    0x66, 0xc1, 0xea, 0x1f,		/* shr edx, 31 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x0140);
	ck_assert_uint_eq(reg(X86_EBX) & 0xff, 0xf0);
	ck_assert_uint_eq(reg16(X86_ECX), 0xffff);
	ck_assert_uint_eq(reg(X86_EDX), 1);
}
END_TEST

/* ROL/ROR by 1, by CL, by a multiple of the width. */
START_TEST(test_rol_and_ror_rotate_and_set_carry)
{
	static const uint8_t code[] = {
	    0xb0, 0x81,	      /* mov al, 0x81 */
	    0xd0, 0xc0,	      /* rol al, 1 */
	    0x0f, 0x92, 0xc3, /* setc bl */
	    0xd0, 0xc8,	      /* ror al, 1 */
	    0x0f, 0x92, 0xc7, /* setc bh */
	    0xba, 0x34, 0x12, /* mov dx, 0x1234 */
	    0xb1, 0x04,	      /* mov cl, 4 */
	    0xd3, 0xc2,	      /* rol dx, cl */
	    0xbe, 0x01, 0x80, /* mov si, 0x8001 */
	    0xc1, 0xc6, 0x10, /* rol si, 16 */
	    0x0f, 0x92, 0xc5, /* setc ch */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x81);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0101);
	ck_assert_uint_eq(reg16(X86_EDX), 0x2341);
	ck_assert_uint_eq(reg16(X86_ESI), 0x8001);
	ck_assert_uint_eq(reg16(X86_ECX) >> 8, 1);
}
END_TEST

/* RCL/RCR move CF through; a byte rotates over 9 bits. */
START_TEST(test_rcl_and_rcr_rotate_through_carry)
{
	static const uint8_t code[] = {
	    0xf9,	      /* stc */
	    0xb0, 0x80,	      /* mov al, 0x80 */
	    0xd0, 0xd0,	      /* rcl al, 1 */
	    0x0f, 0x92, 0xc3, /* setc bl */
	    0xf8,	      /* clc */
	    0xd0, 0xd8,	      /* rcr al, 1 */
	    0x0f, 0x92, 0xc7, /* setc bh */
	    0xb2, 0x01,	      /* mov dl, 1 */
	    0xf8,	      /* clc */
	    0xc0, 0xd2, 0x09, /* rcl dl, 9 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x00);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0101);
	ck_assert_uint_eq(reg(X86_EDX) & 0xff, 1);
}
END_TEST

/* SHLD/SHRD by immediate and by CL, 16 and 32 bits. */
START_TEST(test_shld_and_shrd_shift_in_from_the_source)
{
	static const uint8_t code[] = {
	    0xb8, 0x34, 0x12,			/* mov ax, 0x1234 */
	    0xbb, 0xcd, 0xab,			/* mov bx, 0xabcd */
	    0x0f, 0xa4, 0xd8, 0x04,		/* shld ax, bx, 4 */
	    0x89, 0xc6,				/* mov si, ax */
	    0x0f, 0xac, 0xd8, 0x04,		/* shrd ax, bx, 4 */
	    0x0f, 0x92, 0xc2,			/* setc dl */
	    0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 0x12345678 */
	    0x66, 0xbf, 0xf0, 0xde, 0xbc, 0x9a, /* mov edi, 0x9abcdef0 */
	    0xb1, 0x08,				/* mov cl, 8 */
	    0x66, 0x0f, 0xa5, 0xf8,		/* shld eax, edi, cl */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ESI), 0x234a);
	ck_assert_uint_eq(reg(X86_EAX), 0x3456789a);
	ck_assert_uint_eq(reg(X86_EDX) & 0xff, 1);
}
END_TEST

/* C0h/C1h with a memory operand. */
START_TEST(test_shift_immediate_forms_on_memory)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x05, 0x01, 0x01, /* mov word [0x500], 0x0101 */
	    0xc1, 0x26, 0x00, 0x05, 0x04,	/* shl word [0x500], 4 */
	    0xc6, 0x06, 0x02, 0x05, 0x80,	/* mov byte [0x502], 0x80 */
	    0xc0, 0x3e, 0x02, 0x05, 0x02,	/* sar byte [0x502], 2 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x500), 0x1010);
	ck_assert_uint_eq(mem8(0x502), 0xe0);
}
END_TEST

/* MUL sets CF/OF when the high half is not zero. */
START_TEST(test_mul_byte_word_dword)
{
	static const uint8_t code[] = {
	    0xb0, 0x80,				/* mov al, 0x80 */
	    0xb3, 0x02,				/* mov bl, 2 */
	    0xf6, 0xe3,				/* mul bl */
	    0x89, 0xc6,				/* mov si, ax */
	    0x0f, 0x92, 0x06, 0x00, 0x05,	/* setc byte [0x500] */
	    0xb8, 0x34, 0x12,			/* mov ax, 0x1234 */
	    0xb9, 0x10, 0x00,			/* mov cx, 0x10 */
	    0xf7, 0xe1,				/* mul cx */
	    0x89, 0xd7,				/* mov di, dx */
	    0x89, 0xc5,				/* mov bp, ax */
	    0x66, 0xb8, 0x00, 0x00, 0x00, 0x80, /* mov eax, 0x80000000 */
	    0x66, 0xb9, 0x04, 0x00, 0x00, 0x00, /* mov ecx, 4 */
	    0x66, 0xf7, 0xe1,			/* mul ecx */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ESI), 0x100);
	ck_assert_uint_eq(mem8(0x500), 1);
	ck_assert_uint_eq(reg16(X86_EDI), 0x0001);
	ck_assert_uint_eq(reg16(X86_EBP), 0x2340);
	ck_assert_uint_eq(reg(X86_EDX), 2);
	ck_assert_uint_eq(reg(X86_EAX), 0);
}
END_TEST

/* IMUL -2 * 3 fits (CF=0); 64 * 4 does not fit a byte (CF=1). */
START_TEST(test_imul_one_operand_is_signed)
{
	static const uint8_t code[] = {
	    0xb0, 0xfe,			  /* mov al, -2 */
	    0xb3, 0x03,			  /* mov bl, 3 */
	    0xf6, 0xeb,			  /* imul bl */
	    0x89, 0xc6,			  /* mov si, ax */
	    0x0f, 0x92, 0x06, 0x00, 0x05, /* setc byte [0x500] */
	    0xb0, 0x40,			  /* mov al, 0x40 */
	    0xb3, 0x04,			  /* mov bl, 4 */
	    0xf6, 0xeb,			  /* imul bl */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ESI), 0xfffa);
	ck_assert_uint_eq(mem8(0x500), 0);
	ck_assert_uint_eq(reg16(X86_EAX), 0x100);
	ck_flags_set(X86_CF | X86_OF);
}
END_TEST

/* IMUL r, r/m, imm16; IMUL r, r/m, imm8; IMUL r, r/m. */
START_TEST(test_imul_two_and_three_operand_forms)
{
	static const uint8_t code[] = {
	    0xbb, 0xfd, 0xff, /* mov bx, -3 */
	    0x6b, 0xc3, 0x07, /* imul ax, bx, 7 */
	    0x6b, 0xcb, 0x64, /* imul cx, bx, 100 */
	    0xba, 0x00, 0x40, /* mov dx, 0x4000 */
	    0x0f, 0xaf, 0xd2, /* imul dx, dx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), (uint16_t)-21);
	ck_assert_uint_eq(reg16(X86_ECX), (uint16_t)-300);
	ck_assert_uint_eq(reg16(X86_EDX), 0);
	ck_flags_set(X86_CF | X86_OF);
}
END_TEST

/* DIV/IDIV of 8, 16 and 32 bits; IDIV truncates toward zero. */
START_TEST(test_div_and_idiv_give_quotient_and_remainder)
{
	static const uint8_t code[] = {
	    0xb8, 0x64, 0x00,			/* mov ax, 100 */
	    0xb3, 0x07,				/* mov bl, 7 */
	    0xf6, 0xf3,				/* div bl */
	    0x89, 0xc6,				/* mov si, ax */
	    0xb8, 0x9c, 0xff,			/* mov ax, -100 */
	    0xf6, 0xfb,				/* idiv bl */
	    0x89, 0xc7,				/* mov di, ax */
	    0xba, 0x01, 0x00,			/* mov dx, 1 */
	    0xb8, 0x00, 0x00,			/* mov ax, 0 */
	    0xb9, 0x10, 0x00,			/* mov cx, 0x10 */
	    0xf7, 0xf1,				/* div cx */
	    0x89, 0xc5,				/* mov bp, ax */
	    0x66, 0xba, 0xff, 0xff, 0xff, 0xff, /* mov edx, -1 */
	    0x66, 0xb8, 0x18, 0xfc, 0xff, 0xff, /* mov eax, -1000 */
	    0x66, 0xb9, 0x07, 0x00, 0x00, 0x00, /* mov ecx, 7 */
	    0x66, 0xf7, 0xf9,			/* idiv ecx */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ESI), 0x020e);
	ck_assert_uint_eq(reg16(X86_EDI), 0xfef2);
	ck_assert_uint_eq(reg16(X86_EBP), 0x1000);
	ck_assert_uint_eq(reg(X86_EAX), (uint32_t)-142);
	ck_assert_uint_eq(reg(X86_EDX), (uint32_t)-6);
}
END_TEST

/* 19 + 28 = 47 in BCD (AF-driven adjustment). */
START_TEST(test_daa_adjusts_packed_bcd_addition)
{
	static const uint8_t code[] = {
	    0xb0, 0x19, /* mov al, 0x19 */
	    0x04, 0x28, /* add al, 0x28 */
	    0x27,	/* daa */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x47);
	ck_flags_clear(X86_CF);
}
END_TEST

/* 99 + 1 = 00 with CF. */
START_TEST(test_daa_carries_out_of_99)
{
	static const uint8_t code[] = {
	    0xb0, 0x99, /* mov al, 0x99 */
	    0x04, 0x01, /* add al, 1 */
	    0x27,	/* daa */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x00);
	ck_flags_set(X86_CF | X86_ZF | X86_AF);
}
END_TEST

/* 90 + 90 = 180: AL 20h with CF becomes 80h, CF kept. */
START_TEST(test_daa_with_carry_from_the_addition)
{
	static const uint8_t code[] = {
	    0xb0, 0x90, /* mov al, 0x90 */
	    0x04, 0x90, /* add al, 0x90 */
	    0x27,	/* daa */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x80);
	ck_flags_set(X86_CF | X86_SF);
}
END_TEST

/* 47 - 28 = 19; 10 - 20 = 90 with a borrow. */
START_TEST(test_das_adjusts_packed_bcd_subtraction)
{
	static const uint8_t code[] = {
	    0xb0, 0x47, /* mov al, 0x47 */
	    0x2c, 0x28, /* sub al, 0x28 */
	    0x2f,	/* das */
	    0x88, 0xc3, /* mov bl, al */
	    0xb0, 0x10, /* mov al, 0x10 */
	    0x2c, 0x20, /* sub al, 0x20 */
	    0x2f,	/* das */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX) & 0xff, 0x19);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x90);
	ck_flags_set(X86_CF);
}
END_TEST

/* AAA after 9 + 3 gives AX 0102h; AAS after 3 - 5 gives 0108h with AH borrowed. */
START_TEST(test_aaa_and_aas_adjust_unpacked_bcd)
{
	static const uint8_t code[] = {
	    0xb8, 0x09, 0x00, /* mov ax, 0x0009 */
	    0x04, 0x03,	      /* add al, 3 */
	    0x37,	      /* aaa */
	    0x89, 0xc3,	      /* mov bx, ax */
	    0x0f, 0x92, 0xc1, /* setc cl */
	    0xb8, 0x03, 0x02, /* mov ax, 0x0203 */
	    0x2c, 0x05,	      /* sub al, 5 */
	    0x3f,	      /* aas */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0102);
	ck_assert_uint_eq(reg(X86_ECX) & 0xff, 1);
	ck_assert_uint_eq(reg16(X86_EAX), 0x0108);
	ck_flags_set(X86_CF | X86_AF);
}
END_TEST

/* AAM splits 79 into 7, 9; AAD joins them; AAM 16 splits nibbles. */
START_TEST(test_aam_and_aad_convert_between_binary_and_unpacked)
{
	static const uint8_t code[] = {
	    0xb0, 0x4f, /* mov al, 79 */
	    0xd4, 0x0a, /* aam */
	    0x89, 0xc3, /* mov bx, ax */
	    0xd5, 0x0a, /* aad */
	    0x89, 0xc1, /* mov cx, ax */
	    0xb0, 0x4f, /* mov al, 0x4f */
	    0xd4, 0x10, /* aam 16 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0709);
	ck_assert_uint_eq(reg16(X86_ECX), 79);
	ck_assert_uint_eq(reg16(X86_EAX), 0x040f);
}
END_TEST

/* AAM with a base of 0 divides by zero. */
START_TEST(test_aam_zero_raises_de)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x00, 0x0f, 0x7c, /* mov word [0], h */
	    0xc7, 0x06, 0x02, 0x00, 0x00, 0x00, /* mov word [2], 0 */
	    0xd4, 0x00,				/* aam 0 */
	    0xf4,				/* hlt */
	    0xbb, 0xde, 0x00,			/* h: mov bx, 0xde */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0xde);
}
END_TEST

/* SALC (D6h): AL = FFh with CF, 0 without. */
START_TEST(test_salc_sets_al_from_carry)
{
	static const uint8_t code[] = {
	    0xf9,	/* stc */
	    0xd6,	/* db 0xd6 */
	    0x88, 0xc3, /* mov bl, al */
	    0xf8,	/* clc */
	    0xd6,	/* db 0xd6 */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX) & 0xff, 0xff);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0);
}
END_TEST

/* REP MOVSB with DF=0 advances SI and DI and ends with CX=0. */
START_TEST(test_rep_movsb_copies_forward)
{
	static const uint8_t code[] = {
	    0xbe, 0x00, 0x05, /* mov si, 0x500 */
	    0xbf, 0x00, 0x06, /* mov di, 0x600 */
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0xfc,	      /* cld */
	    0xf3, 0xa4,	      /* rep movsb */
	    0xf4,	      /* hlt */
	};

	memcpy(m.mem.ram + 0x500, "hello", 5);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_mem_eq(m.mem.ram + 0x600, "hello", 5);
	ck_assert_uint_eq(reg16(X86_ECX), 0);
	ck_assert_uint_eq(reg16(X86_ESI), 0x505);
	ck_assert_uint_eq(reg16(X86_EDI), 0x605);
}
END_TEST

/* STD; REP MOVSW walks down by 2. */
START_TEST(test_rep_movsw_backward_with_df_set)
{
	static const uint8_t code[] = {
	    0xfd,	      /* std */
	    0xbe, 0x04, 0x05, /* mov si, 0x504 */
	    0xbf, 0x04, 0x06, /* mov di, 0x604 */
	    0xb9, 0x03, 0x00, /* mov cx, 3 */
	    0xf3, 0xa5,	      /* rep movsw */
	    0xfc,	      /* cld */
	    0xf4,	      /* hlt */
	};

	memcpy(m.mem.ram + 0x500, "abcdef", 6);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_mem_eq(m.mem.ram + 0x600, "abcdef", 6);
	ck_assert_uint_eq(reg16(X86_ESI), 0x4fe);
	ck_assert_uint_eq(reg16(X86_EDI), 0x5fe);
}
END_TEST

/* REP STOSB with CX=0 stores nothing and moves nothing. */
START_TEST(test_rep_with_cx_zero_does_nothing)
{
	static const uint8_t code[] = {
	    0x31, 0xc9,	      /* xor cx, cx */
	    0xbf, 0x00, 0x05, /* mov di, 0x500 */
	    0xb0, 0xcc,	      /* mov al, 0xcc */
	    0xf3, 0xaa,	      /* rep stosb */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x500), 0);
	ck_assert_uint_eq(reg16(X86_EDI), 0x500);
}
END_TEST

/* REP STOSD fills dwords; LODSB loads and advances SI. */
START_TEST(test_rep_stosd_and_lodsb)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x44, 0x33, 0x22, 0x11, /* mov eax, 0x11223344 */
	    0xbf, 0x00, 0x05,			/* mov di, 0x500 */
	    0xb9, 0x02, 0x00,			/* mov cx, 2 */
	    0xf3, 0x66, 0xab,			/* rep stosd */
	    0xbe, 0x01, 0x05,			/* mov si, 0x501 */
	    0xac,				/* lodsb */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem32(0x500), 0x11223344);
	ck_assert_uint_eq(mem32(0x504), 0x11223344);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x33);
	ck_assert_uint_eq(reg16(X86_ESI), 0x502);
}
END_TEST

/* REPE CMPSB over "abcXe" and "abcYe" stops after the 4th byte. */
START_TEST(test_repe_cmpsb_stops_at_the_first_difference)
{
	static const uint8_t code[] = {
	    0xbe, 0x00, 0x05, /* mov si, 0x500 */
	    0xbf, 0x00, 0x06, /* mov di, 0x600 */
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0xf3, 0xa6,	      /* repe cmpsb */
	    0xf4,	      /* hlt */
	};

	memcpy(m.mem.ram + 0x500, "abcXe", 5);
	memcpy(m.mem.ram + 0x600, "abcYe", 5);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ECX), 1);
	ck_assert_uint_eq(reg16(X86_ESI), 0x504);
	ck_flags_clear(X86_ZF);
	ck_flags_set(X86_CF);
}
END_TEST

/* REPNE SCASB for "l" in "hello" stops after the 3rd byte with ZF. */
START_TEST(test_repne_scasb_finds_a_byte)
{
	static const uint8_t code[] = {
	    0xbf, 0x00, 0x05, /* mov di, 0x500 */
	    0xb0, 0x6c,	      /* mov al, 'l' */
	    0xb9, 0x05, 0x00, /* mov cx, 5 */
	    0xf2, 0xae,	      /* repne scasb */
	    0xf4,	      /* hlt */
	};

	memcpy(m.mem.ram + 0x500, "hello", 5);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_ECX), 2);
	ck_assert_uint_eq(reg16(X86_EDI), 0x503);
	ck_flags_set(X86_ZF);
}
END_TEST

/* FS: MOVSB reads FS:SI; the destination stays ES:DI. */
START_TEST(test_string_source_segment_can_be_overridden)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x01, /* mov ax, 0x100 */
	    0x8e, 0xe0,	      /* mov fs, ax */
	    0xbe, 0x00, 0x05, /* mov si, 0x500 */
	    0xbf, 0x00, 0x06, /* mov di, 0x600 */
	    0x64,	      /* db 0x64 */
	    0xa4,	      /* movsb */
	    0xf4,	      /* hlt */
	};

	m.mem.ram[0x1500] = 0x5a;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x600), 0x5a);
}
END_TEST

/* LODSB at SI=FFFFh leaves SI=0 with 16-bit addressing. */
START_TEST(test_string_index_wraps_at_64k)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x10, /* mov ax, 0x1000 */
	    0x8e, 0xd8,	      /* mov ds, ax */
	    0xbe, 0xff, 0xff, /* mov si, 0xffff */
	    0xac,	      /* lodsb */
	    0xf4,	      /* hlt */
	};

	m.mem.ram[0x1ffff] = 0x77;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x77);
	ck_assert_uint_eq(reg(X86_ESI), 0);
}
END_TEST

/* REP MOVSB without 67h uses CX and leaves the top of ECX. */
START_TEST(test_16_bit_rep_counts_only_cx)
{
	static const uint8_t code[] = {
	    0x66, 0xb9, 0x02, 0x00, 0x01, 0x00, /* mov ecx, 0x10002 */
	    0xbe, 0x00, 0x05,			/* mov si, 0x500 */
	    0xbf, 0x00, 0x06,			/* mov di, 0x600 */
	    0xf3, 0xa4,				/* rep movsb */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_ECX), 0x10000);
	ck_assert_uint_eq(reg16(X86_EDI), 0x602);
}
END_TEST

/* 67 REP MOVSB with 32-bit indexes. */
START_TEST(test_a32_rep_movsb_uses_esi_edi_and_ecx)
{
	static const uint8_t code[] = {
	    0x66, 0xbe, 0x00, 0x05, 0x00, 0x00, /* mov esi, 0x500 */
	    0x66, 0xbf, 0x00, 0x06, 0x00, 0x00, /* mov edi, 0x600 */
	    0x66, 0xb9, 0x03, 0x00, 0x00, 0x00, /* mov ecx, 3 */
	    0xf3, 0x67, 0xa4,			/* a32 rep movsb */
	    0xf4,				/* hlt */
	};

	memcpy(m.mem.ram + 0x500, "xyz", 3);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_mem_eq(m.mem.ram + 0x600, "xyz", 3);
	ck_assert_uint_eq(reg(X86_ESI), 0x503);
	ck_assert_uint_eq(reg(X86_EDI), 0x603);
	ck_assert_uint_eq(reg(X86_ECX), 0);
}
END_TEST

/* A 32 KiB REP STOSB runs to the end even though it yields between chunks. */
START_TEST(test_long_rep_stos_completes_across_chunks)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x10, /* mov ax, 0x1000 */
	    0x8e, 0xc0,	      /* mov es, ax */
	    0x31, 0xff,	      /* xor di, di */
	    0xb9, 0x00, 0x80, /* mov cx, 0x8000 */
	    0xb0, 0xab,	      /* mov al, 0xab */
	    0xf3, 0xaa,	      /* rep stosb */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x10000), 0xab);
	ck_assert_uint_eq(mem8(0x17fff), 0xab);
	ck_assert_uint_eq(mem8(0x18000), 0);
	ck_assert_uint_eq(reg16(X86_ECX), 0);
}
END_TEST

/* REP OUTSB writes each byte to the port; INSW reads the port into ES:DI. */
START_TEST(test_ins_and_outs_transfer_through_port_dx)
{
	static const uint8_t code[] = {
	    0xba, 0x80, 0x00, /* mov dx, 0x80 */
	    0xbe, 0x00, 0x05, /* mov si, 0x500 */
	    0xb9, 0x03, 0x00, /* mov cx, 3 */
	    0xf3, 0x6e,	      /* rep outsb */
	    0xbf, 0x00, 0x06, /* mov di, 0x600 */
	    0x6d,	      /* insw */
	    0xf4,	      /* hlt */
	};

	memcpy(m.mem.ram + 0x500, "abc", 3);
	ck_assert_int_eq(bus_register(&m.pio, 0x80, 4, &dev_ops, &dev, "fake"), 0);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(dev.writes, 3);
	ck_assert_uint_eq(dev.last_value, 'c');
	ck_assert_uint_eq(dev.last_size, 2);
	ck_assert_uint_eq(mem16(0x600), 'c');
	ck_assert_uint_eq(reg16(X86_EDI), 0x602);
}
END_TEST

/* OUT imm8/DX and IN imm8/DX with byte, word and dword sizes. */
START_TEST(test_in_and_out_reach_a_device_on_the_port_bus)
{
	static const uint8_t code[] = {
	    0xb0, 0x11,	      /* mov al, 0x11 */
	    0xe6, 0x80,	      /* out 0x80, al */
	    0xba, 0x82, 0x00, /* mov dx, 0x82 */
	    0xb8, 0x22, 0x33, /* mov ax, 0x3322 */
	    0xef,	      /* out dx, ax */
	    0x66, 0xe5, 0x80, /* in eax, 0x80 */
	    0x66, 0x89, 0xc3, /* mov ebx, eax */
	    0xba, 0x81, 0x00, /* mov dx, 0x81 */
	    0xec,	      /* in al, dx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(bus_register(&m.pio, 0x80, 4, &dev_ops, &dev, "fake"), 0);
	dev.regs[1] = 0x11;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX), 0x33221111);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x11);
	ck_assert_uint_eq(dev.last_offset, 1);
	ck_assert_uint_eq(dev.last_size, 1);
}
END_TEST

/* IN from a port nobody claims gives FFh / FFFFh. */
START_TEST(test_unmapped_port_reads_all_ones)
{
	static const uint8_t code[] = {
	    0xe4, 0x70,	      /* in al, 0x70 */
	    0xba, 0x00, 0x03, /* mov dx, 0x300 */
	    0xed,	      /* in ax, dx */
	    0x89, 0xc3,	      /* mov bx, ax */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0xffff);
	ck_assert_uint_eq(reg16(X86_EBX), 0xffff);
}
END_TEST

/* CLC/STC/CMC, CLD/STD, CLI/STI. */
START_TEST(test_flag_instructions_set_and_clear_their_bit)
{
	static const uint8_t code[] = {
	    0xf8,	      /* clc */
	    0xf5,	      /* cmc */
	    0x0f, 0x92, 0xc3, /* setc bl */
	    0xf9,	      /* stc */
	    0xf5,	      /* cmc */
	    0x0f, 0x92, 0xc7, /* setc bh */
	    0xfd,	      /* std */
	    0x9c,	      /* pushf */
	    0xfc,	      /* cld */
	    0xfa,	      /* cli */
	    0x9c,	      /* pushf */
	    0xfb,	      /* sti */
	    0x59,	      /* pop cx */
	    0x5a,	      /* pop dx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0001);
	ck_assert_uint_eq(reg16(X86_EDX) & X86_DF, X86_DF);
	ck_assert_uint_eq(reg16(X86_ECX) & (X86_DF | X86_IF), 0);
	ck_flags_set(X86_IF);
	ck_flags_clear(X86_DF);
}
END_TEST

/* CPUID 0 gives GenuineIntel, CPUID 1 family 6, an FPU, CMOV and CX8 and TSC. */
START_TEST(test_cpuid_reports_family_6_and_an_fpu)
{
	static const uint8_t code[] = {
	    0x66, 0x31, 0xc0,			/* xor eax, eax */
	    0x0f, 0xa2,				/* cpuid */
	    0x66, 0x89, 0x1e, 0x00, 0x05,	/* mov [0x500], ebx */
	    0x66, 0x89, 0x16, 0x04, 0x05,	/* mov [0x504], edx */
	    0x66, 0x89, 0x0e, 0x08, 0x05,	/* mov [0x508], ecx */
	    0x66, 0x89, 0xc6,			/* mov esi, eax */
	    0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
	    0x0f, 0xa2,				/* cpuid */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_mem_eq(m.mem.ram + 0x500, "GenuineIntel", 12);
	ck_assert_uint_eq(reg(X86_ESI), 1);
	ck_assert_uint_eq((reg(X86_EAX) >> 8) & 0xf, 6);
	ck_assert_uint_eq(reg(X86_EDX) & 1, 1);
	ck_assert_uint_eq(reg(X86_EDX) & (1u << 15 | 1u << 8 | 1u << 4),
			  1u << 15 | 1u << 8 | 1u << 4);
}
END_TEST

/* The TSC follows the virtual clock, not the guest's work: with the
 * clock standing still, two RDTSCs 1000 LOOP iterations apart differ by
 * 1 (it never repeats). Counting instructions, its rate followed how
 * fast the guest ran, and Linux calibrated it at 1.1 to 4.8 GHz. */
START_TEST(test_rdtsc_follows_the_clock_not_the_instructions)
{
	static const uint8_t code[] = {
	    0x0f, 0x31,	      /* rdtsc */
	    0x66, 0x89, 0xc3, /* mov ebx, eax */
	    0xb9, 0xe8, 0x03, /* mov cx, 1000 */
	    0xe2, 0xfe,	      /* loop $ */
	    0x0f, 0x31,	      /* rdtsc */
	    0x66, 0x29, 0xd8, /* sub eax, ebx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 1);
}
END_TEST

/* Under the lockstep checker, which runs instructions twice and compares,
 * the TSC counts retired instructions: two RDTSCs three instructions
 * apart differ by 3 however the clock moves. */
START_TEST(test_rdtsc_counts_instructions_in_lockstep)
{
	static const uint8_t code[] = {
	    0x0f, 0x31,	      /* rdtsc */
	    0x66, 0x89, 0xc3, /* mov ebx, eax */
	    0x90,	      /* nop */
	    0x0f, 0x31,	      /* rdtsc */
	    0x66, 0x29, 0xd8, /* sub eax, ebx */
	    0xf4,	      /* hlt */
	};

	cpu->lockstep = true;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 3);
}
END_TEST

/* The TSC goes on while the CPU sleeps in HLT, as hardware's does: 10 ms
 * of the virtual clock between two RDTSCs on either side of a HLT show
 * as about 10 million (1 GHz). Counting instructions alone it stood
 * still, and a Linux guest on the TSC clock source saw its time crawl
 * whenever it idled. */
START_TEST(test_tsc_goes_on_through_hlt)
{
	static const uint8_t code[] = {
	    0x0f, 0x31,	      /* rdtsc */
	    0x66, 0x89, 0xc3, /* mov ebx, eax */
	    0xf4,	      /* hlt */
	    0x0f, 0x31,	      /* rdtsc (7C06h) */
	    0x66, 0x29, 0xd8, /* sub eax, ebx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_int_eq(vclock_restore(&m.clock, 10000000), 0);
	ck_assert_int_eq(x86f_run_real(0x7c06, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_ge(reg(X86_EAX), 9990000);
	ck_assert_uint_le(reg(X86_EAX), 10000000);
}
END_TEST

/* A restore sets the virtual clock to the saved reading under a CPU
 * created afresh: the TSC goes on from the clock, not from 0 (a Linux
 * guest on the TSC saw its time stop after a restore). */
START_TEST(test_tsc_goes_on_from_a_restored_clock)
{
	static const uint8_t code[] = {
	    0x0f, 0x31, /* rdtsc */
	    0xf4,	/* hlt */
	};

	ck_assert_int_eq(vclock_restore(&m.clock, 5000000000), 0);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_ge((uint64_t)reg(X86_EDX) << 32 | reg(X86_EAX), 5000000000u);
}
END_TEST

/* LGDT/LIDT load limit and base; SGDT/SIDT store them (24-bit base with a 16-bit operand). */
START_TEST(test_lgdt_lidt_and_sgdt_sidt_round_trip)
{
	static const uint8_t code[] = {
	    0x0f, 0x01, 0x16, 0x1c, 0x7c,	/* lgdt [gdtr] */
	    0x66, 0x0f, 0x01, 0x1e, 0x22, 0x7c, /* o32 lidt [idtr] */
	    0x0f, 0x01, 0x06, 0x00, 0x05,	/* sgdt [0x500] */
	    0x66, 0x0f, 0x01, 0x0e, 0x10, 0x05, /* o32 sidt [0x510] */
	    0x0f, 0x01, 0x1e, 0x28, 0x7c,	/* lidt [ivt] */
	    0xf4,				/* hlt */
	    0x34, 0x12,				/* gdtr: dw 0x1234 */
	    0x56, 0x34, 0x12, 0xff,		/* dd 0xff123456 */
	    0xff, 0x0f,				/* idtr: dw 0x0fff */
	    0x78, 0x56, 0x34, 0x12,		/* dd 0x12345678 */
	    0xff, 0x03,				/* ivt: dw 0x3ff */
	    0x00, 0x00, 0x00, 0x00,		/* dd 0 */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(cpu->gdtr.limit, 0x1234);
	ck_assert_uint_eq(cpu->gdtr.base, 0x123456);
	ck_assert_uint_eq(mem16(0x500), 0x1234);
	ck_assert_uint_eq(mem32(0x502), 0x123456);
	ck_assert_uint_eq(mem16(0x510), 0x0fff);
	ck_assert_uint_eq(mem32(0x512), 0x12345678);
}
END_TEST

/* MOV from CR0 shows ET and CD/NW after reset; LMSW sets TS; CLTS clears it. */
START_TEST(test_cr0_moves_smsw_and_lmsw)
{
	static const uint8_t code[] = {
	    0x0f, 0x20, 0xc0, /* mov eax, cr0 */
	    0x66, 0x89, 0xc3, /* mov ebx, eax */
	    0x0f, 0x01, 0xe1, /* smsw cx */
	    0xba, 0x08, 0x00, /* mov dx, 0x8 */
	    0x0f, 0x01, 0xf2, /* lmsw dx */
	    0x0f, 0x01, 0xe6, /* smsw si */
	    0x0f, 0x06,	      /* clts */
	    0x0f, 0x01, 0xe7, /* smsw di */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EBX), 0x60000010);
	ck_assert_uint_eq(reg16(X86_ECX), 0x0010);
	ck_assert_uint_eq(reg16(X86_ESI), 0x0018);
	ck_assert_uint_eq(reg16(X86_EDI), 0x0010);
}
END_TEST

/* Load a 4 GiB data segment with CR0.PE set, clear PE: DS keeps its limit (unreal mode). */
START_TEST(test_unreal_mode_keeps_the_descriptor_limit)
{
	static const uint8_t code[] = {
	    0x0f, 0x01, 0x16, 0x36, 0x7c,		    /* lgdt [gdtr] */
	    0x0f, 0x20, 0xc0,				    /* mov eax, cr0 */
	    0x0c, 0x01,					    /* or al, 1 */
	    0x0f, 0x22, 0xc0,				    /* mov cr0, eax */
	    0xbb, 0x08, 0x00,				    /* mov bx, 8 */
	    0x8e, 0xdb,					    /* mov ds, bx */
	    0x24, 0xfe,					    /* and al, 0xfe */
	    0x0f, 0x22, 0xc0,				    /* mov cr0, eax */
	    0x31, 0xdb,					    /* xor bx, bx */
	    0x8e, 0xdb,					    /* mov ds, bx */
	    0x66, 0xbe, 0x00, 0x00, 0x02, 0x00,		    /* mov esi, 0x20000 */
	    0x67, 0xc6, 0x06, 0x5a,			    /* mov byte [esi], 0x5a */
	    0xf4,					    /* hlt */
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* gdt: dq 0 */
	    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, /* dq 0x00cf92000000ffff */
	    0x0f, 0x00,					    /* gdtr: dw 15 */
	    0x26, 0x7c, 0x00, 0x00,			    /* dd gdt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x20000), 0x5a);
	ck_assert_uint_eq(cpu->seg[X86_DS].limit, 0xffffffff);
	ck_assert_uint_eq(cpu->cr[0] & X86_CR0_PE, 0);
}
END_TEST

/* FNINIT/FNSTSW find an FPU (status 0); with CR0.EM the escape raises #NM (7). */
START_TEST(test_fpu_probe_finds_a_coprocessor_and_em_raises_nm)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x1c, 0x00, 0x23, 0x7c, /* mov word [7*4], h */
	    0xc7, 0x06, 0x1e, 0x00, 0x00, 0x00, /* mov word [7*4+2], 0 */
	    0xc7, 0x06, 0x00, 0x05, 0x5a, 0x5a, /* mov word [0x500], 0x5a5a */
	    0xdb, 0xe3,				/* fninit */
	    0xdd, 0x3e, 0x00, 0x05,		/* fnstsw [0x500] */
	    0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	    0x0c, 0x04,				/* or al, 4 */
	    0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	    0xdb, 0xe3,				/* fninit */
	    0xf4,				/* hlt */
	    0xbb, 0x07, 0x00,			/* h: mov bx, 7 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x500), 0);
	ck_assert_uint_eq(reg16(X86_EBX), 7);
}
END_TEST

/* 66h turns MOV/ADD/INC into 32-bit operations in 16-bit code. */
START_TEST(test_operand_size_prefix_selects_32_bit_operands)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0xfe, 0xff, 0xff, 0xff, /* mov eax, 0xfffffffe */
	    0x66, 0x83, 0xc0, 0x03,		/* add eax, 3 */
	    0x66, 0xbb, 0xff, 0xff, 0xff, 0x7f, /* mov ebx, 0x7fffffff */
	    0x66, 0x43,				/* inc ebx */
	    0x0f, 0x90, 0xc1,			/* seto cl */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 1);
	ck_assert_uint_eq(reg(X86_EBX), 0x80000000);
	ck_assert_uint_eq(reg(X86_ECX) & 0xff, 1);
}
END_TEST

/* MOV AX and INC AX leave bits 16-31 of EAX. */
START_TEST(test_16_bit_operations_keep_the_upper_register_half)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x00, 0x00, 0x34, 0x12, /* mov eax, 0x12340000 */
	    0xb8, 0xff, 0xff,			/* mov ax, 0xffff */
	    0x40,				/* inc ax */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0x12340000);
}
END_TEST

/* 67h [EBX+ECX*4+4] and [ESP] addressing. */
START_TEST(test_address_size_prefix_uses_32_bit_sib_addressing)
{
	static const uint8_t code[] = {
	    0x66, 0xbb, 0x00, 0x05, 0x00, 0x00,	      /* mov ebx, 0x500 */
	    0x66, 0xb9, 0x02, 0x00, 0x00, 0x00,	      /* mov ecx, 2 */
	    0x67, 0xc7, 0x44, 0x8b, 0x04, 0x34, 0x12, /* mov word [ebx+ecx*4+4], 0x1234 */
	    0x66, 0xbc, 0x00, 0x70, 0x00, 0x00,	      /* mov esp, 0x7000 */
	    0x66, 0x67, 0xc7, 0x44, 0x24, 0xfc, 0xfe,
	    0xca, 0x00, 0x00, /* mov dword [esp-4], 0xcafe */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x50c), 0x1234);
	ck_assert_uint_eq(mem16(0x6ffc), 0xcafe);
}
END_TEST

/* [BX+2] with BX=FFFFh addresses offset 0001h. */
START_TEST(test_16_bit_effective_address_wraps_at_64k)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x01,	    /* mov ax, 0x100 */
	    0x8e, 0xd8,		    /* mov ds, ax */
	    0xbb, 0xff, 0xff,	    /* mov bx, 0xffff */
	    0xc6, 0x47, 0x02, 0x33, /* mov byte [bx+2], 0x33 */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x1001), 0x33);
}
END_TEST

/* [BP] uses SS, [BX] DS, and overrides win. */
START_TEST(test_bp_addressing_defaults_to_ss)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0x01,			/* mov ax, 0x100 */
	    0x8e, 0xd0,				/* mov ss, ax */
	    0xb8, 0x00, 0x02,			/* mov ax, 0x200 */
	    0x8e, 0xc0,				/* mov es, ax */
	    0xbd, 0x10, 0x00,			/* mov bp, 0x10 */
	    0xc6, 0x46, 0x00, 0x01,		/* mov byte [bp], 1 */
	    0xbb, 0x10, 0x00,			/* mov bx, 0x10 */
	    0xc6, 0x07, 0x02,			/* mov byte [bx], 2 */
	    0x26, 0xc6, 0x46, 0x00, 0x03,	/* mov byte [es:bp], 3 */
	    0x2e, 0xc6, 0x87, 0x00, 0x70, 0x04, /* mov byte [cs:bx+0x7000], 4 */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem8(0x1010), 1);
	ck_assert_uint_eq(mem8(0x0010), 2);
	ck_assert_uint_eq(mem8(0x2010), 3);
	ck_assert_uint_eq(mem8(0x7010), 4);
}
END_TEST

/* LOCK ADD and LOCK XADD run as usual. */
START_TEST(test_lock_prefix_is_accepted_on_memory_operations)
{
	static const uint8_t code[] = {
	    0xb8, 0x05, 0x00,			/* mov ax, 5 */
	    0xf0, 0x01, 0x06, 0x00, 0x05,	/* lock add [0x500], ax */
	    0xf0, 0x0f, 0xc1, 0x06, 0x00, 0x05, /* lock xadd [0x500], ax */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x500), 10);
	ck_assert_uint_eq(reg16(X86_EAX), 5);
}
END_TEST

/* BT/BTS/BTR/BTC with register and immediate offsets. */
START_TEST(test_bit_test_family_on_registers)
{
	static const uint8_t code[] = {
	    0xb8, 0x08, 0x00,	    /* mov ax, 0x0008 */
	    0x0f, 0xba, 0xe0, 0x03, /* bt ax, 3 */
	    0x0f, 0x92, 0xc3,	    /* setc bl */
	    0x0f, 0xba, 0xe8, 0x00, /* bts ax, 0 */
	    0x0f, 0xba, 0xf0, 0x03, /* btr ax, 3 */
	    0xb9, 0x11, 0x00,	    /* mov cx, 17 */
	    0x0f, 0xbb, 0xc8,	    /* btc ax, cx */
	    0x0f, 0xba, 0xe0, 0x04, /* bt ax, 4 */
	    0x0f, 0x92, 0xc7,	    /* setc bh */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x0001);
	ck_assert_uint_eq(reg16(X86_EAX), 0x0003);
}
END_TEST

/* BTS [mem], CX with CX=17 sets bit 1 of the word after. */
START_TEST(test_bit_test_with_register_offset_reaches_beyond_the_operand)
{
	static const uint8_t code[] = {
	    0xb9, 0x11, 0x00,		  /* mov cx, 17 */
	    0x0f, 0xab, 0x0e, 0x00, 0x05, /* bts [0x500], cx */
	    0xb9, 0xff, 0xff,		  /* mov cx, -1 */
	    0x0f, 0xab, 0x0e, 0x10, 0x05, /* bts [0x510], cx */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x502), 0x0002);
	ck_assert_uint_eq(mem16(0x50e), 0x8000);
}
END_TEST

/* BSF/BSR give the lowest/highest set bit; a zero source sets ZF. */
START_TEST(test_bsf_and_bsr_find_bits_and_flag_zero)
{
	static const uint8_t code[] = {
	    0xbb, 0x10, 0x01, /* mov bx, 0x0110 */
	    0x0f, 0xbc, 0xc3, /* bsf ax, bx */
	    0x0f, 0xbd, 0xcb, /* bsr cx, bx */
	    0xba, 0x77, 0x77, /* mov dx, 0x7777 */
	    0x31, 0xf6,	      /* xor si, si */
	    0x0f, 0xbc, 0xd6, /* bsf dx, si */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 4);
	ck_assert_uint_eq(reg16(X86_ECX), 8);
	ck_assert_uint_eq(reg16(X86_EDX), 0x7777);
	ck_flags_set(X86_ZF);
}
END_TEST

/* BSWAP EAX. */
START_TEST(test_bswap_reverses_byte_order)
{
	static const uint8_t code[] = {
	    0x66, 0xb8, 0x44, 0x33, 0x22, 0x11, /* mov eax, 0x11223344 */
	    0x66, 0x0f, 0xc8,			/* bswap eax */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0x44332211);
}
END_TEST

/* CMOVZ and CMOVNZ. */
START_TEST(test_cmovcc_moves_only_when_the_condition_holds)
{
	static const uint8_t code[] = {
	    0xb8, 0x01, 0x00, /* mov ax, 1 */
	    0xbb, 0x02, 0x00, /* mov bx, 2 */
	    0xb9, 0x03, 0x00, /* mov cx, 3 */
	    0x39, 0xc0,	      /* cmp ax, ax */
	    0x0f, 0x44, 0xc3, /* cmovz ax, bx */
	    0x0f, 0x45, 0xcb, /* cmovnz cx, bx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
	ck_assert_uint_eq(reg16(X86_ECX), 3);
}
END_TEST

/* CMPXCHG stores the source when equal, loads the accumulator otherwise. */
START_TEST(test_cmpxchg_equal_and_not_equal)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x00, 0x05, 0x07, 0x00, /* mov word [0x500], 7 */
	    0xb8, 0x07, 0x00,			/* mov ax, 7 */
	    0xbb, 0x09, 0x00,			/* mov bx, 9 */
	    0x0f, 0xb1, 0x1e, 0x00, 0x05,	/* cmpxchg [0x500], bx */
	    0x0f, 0x94, 0xc2,			/* setz dl */
	    0xb8, 0x01, 0x00,			/* mov ax, 1 */
	    0x0f, 0xb1, 0x1e, 0x00, 0x05,	/* cmpxchg [0x500], bx */
	    0x0f, 0x94, 0xc6,			/* setz dh */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem16(0x500), 9);
	ck_assert_uint_eq(reg16(X86_EAX), 9);
	ck_assert_uint_eq(reg16(X86_EDX), 0x0001);
}
END_TEST

/* CMPXCHG8B writes ECX:EBX on a match and loads EDX:EAX otherwise. */
START_TEST(test_cmpxchg8b_compares_edx_eax)
{
	static const uint8_t code[] = {
	    0x66, 0xc7, 0x06, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, /* mov dword [0x500], 1 */
	    0x66, 0xc7, 0x06, 0x04, 0x05, 0x02, 0x00, 0x00, 0x00, /* mov dword [0x504], 2 */
	    0x66, 0xb8, 0x01, 0x00, 0x00, 0x00,			  /* mov eax, 1 */
	    0x66, 0xba, 0x02, 0x00, 0x00, 0x00,			  /* mov edx, 2 */
	    0x66, 0xbb, 0x03, 0x00, 0x00, 0x00,			  /* mov ebx, 3 */
	    0x66, 0xb9, 0x04, 0x00, 0x00, 0x00,			  /* mov ecx, 4 */
	    0x0f, 0xc7, 0x0e, 0x00, 0x05,			  /* cmpxchg8b [0x500] */
	    0x0f, 0x94, 0x06, 0x10, 0x05,			  /* setz byte [0x510] */
	    0x0f, 0xc7, 0x0e, 0x00, 0x05,			  /* cmpxchg8b [0x500] */
	    0xf4,						  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(mem32(0x500), 3);
	ck_assert_uint_eq(mem32(0x504), 4);
	ck_assert_uint_eq(mem8(0x510), 1);
	ck_assert_uint_eq(reg(X86_EAX), 3);
	ck_assert_uint_eq(reg(X86_EDX), 4);
	ck_flags_clear(X86_ZF);
}
END_TEST

/* XADD r/m, r: the sum goes to r/m, the old r/m to r. */
START_TEST(test_xadd_exchanges_and_adds)
{
	static const uint8_t code[] = {
	    0xb8, 0x0a, 0x00, /* mov ax, 10 */
	    0xbb, 0x03, 0x00, /* mov bx, 3 */
	    0x0f, 0xc1, 0xd8, /* xadd ax, bx */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 13);
	ck_assert_uint_eq(reg16(X86_EBX), 10);
}
END_TEST

/* A store into the next instruction's immediate is seen when it runs. */
START_TEST(test_self_modifying_code_runs_the_new_bytes)
{
	static const uint8_t code[] = {
	    0xc6, 0x06, 0x06, 0x7c, 0x99, /* mov byte [patch+1], 0x99 */
	    0xb0, 0x11,			  /* patch: mov al, 0x11 */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX) & 0xff, 0x99);
}
END_TEST

/* Byte writes and word reads in an MMIO region go to its ops. */
START_TEST(test_mmio_accesses_reach_the_device)
{
	static const uint8_t code[] = {
	    0xb8, 0x00, 0xa0,			/* mov ax, 0xa000 */
	    0x8e, 0xc0,				/* mov es, ax */
	    0x26, 0xc6, 0x06, 0x05, 0x00, 0x42, /* mov byte [es:5], 0x42 */
	    0x26, 0x8b, 0x1e, 0x04, 0x00,	/* mov bx, [es:4] */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(mem_map_mmio(&m.mem, 0xa0000, 0x1000, &dev_ops, &dev, "fake"), 0);
	dev.regs[4] = 0x44;
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(dev.regs[5], 0x42);
	ck_assert_uint_eq(reg16(X86_EBX), 0x4244);
	ck_assert_uint_eq(dev.last_size, 2);
}
END_TEST

/* A dword at 0FFEh straddles pages and still reads and writes whole. */
START_TEST(test_access_spanning_two_pages_is_split)
{
	static const uint8_t code[] = {
	    0x66, 0xc7, 0x06, 0xfe, 0x0f,
	    0x44, 0x33, 0x22, 0x11, /* mov dword [0xffe], 0x11223344 */
	    0x66, 0xa1, 0xfe, 0x0f, /* mov eax, [0xffe] */
	    0xf4,		    /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0x11223344);
	ck_assert_uint_eq(mem16(0x1000), 0x1122);
}
END_TEST

/* The decode-time memory handlers with the first page already in the
 * soft TLB: a straddling MOV, ADD (read-modify-write) and loads still go
 * whole, through the general path. */
START_TEST(test_fast_memory_forms_straddling_two_pages)
{
	static const uint8_t code[] = {
	    0xbb, 0xfe, 0x0f,			/* mov bx, 0xffe */
	    0xba, 0x01, 0x00,			/* mov dx, 1 */
	    0xc7, 0x06, 0xf0, 0x0f, 0x00, 0x00, /* mov word [0xff0], 0 */
	    0x66, 0xb8, 0x44, 0x33, 0x22, 0x11, /* mov eax, 0x11223344 */
	    0x66, 0x89, 0x07,			/* mov [bx], eax */
	    0x66, 0x01, 0x07,			/* add [bx], eax */
	    0x66, 0x8b, 0x0f,			/* mov ecx, [bx] */
	    0x03, 0x57, 0x01,			/* add dx, [bx+1] */
	    0xf4,				/* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_ECX), 0x22446688);
	ck_assert_uint_eq(mem16(0x1000), 0x2244);
	ck_assert_uint_eq(reg16(X86_EDX), 0x4467);
}
END_TEST

/* HLT with nothing pending exits HALT; an interrupt then runs its handler and returns after the
 * HLT. */
START_TEST(test_hlt_returns_halt_and_resumes_after_an_interrupt)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x80, 0x00, 0x12, 0x7c, /* mov word [0x20*4], h */
	    0xc7, 0x06, 0x82, 0x00, 0x00, 0x00, /* mov word [0x20*4+2], 0 */
	    0xfb,				/* sti */
	    0xf4,				/* hlt */
	    0xb9, 0x01, 0x00,			/* mov cx, 1 */
	    0xf4,				/* hlt */
	    0xbb, 0x20, 0x00,			/* h: mov bx, 0x20 */
	    0xcf,				/* iret */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0);
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
	raise_irq(0x20);
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x20);
	ck_assert_uint_eq(reg16(X86_ECX), 1);
	ck_assert_uint_eq(irq_acks, 1);
}
END_TEST

/* With IF=0 a pending interrupt is not acknowledged; STI takes it. */
START_TEST(test_interrupts_wait_while_if_is_clear)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x84, 0x00, 0x13, 0x7c, /* mov word [0x21*4], h */
	    0xc7, 0x06, 0x86, 0x00, 0x00, 0x00, /* mov word [0x21*4+2], 0 */
	    0xfa,				/* cli */
	    0x90,				/* nop */
	    0x90,				/* nop */
	    0xf4,				/* hlt */
	    0xfb,				/* sti */
	    0x90,				/* nop */
	    0xf4,				/* hlt */
	    0x43,				/* h: inc bx */
	    0xcf,				/* iret */
	};

	raise_irq(0x21);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(irq_acks, 0);
	ck_assert_uint_eq(reg16(X86_EBX), 0);
	cpu->halted = false;
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(irq_acks, 1);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
}
END_TEST

/* STI; INC AX: the pending interrupt arrives after the INC, not before. */
START_TEST(test_sti_delays_interrupts_by_one_instruction)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x88, 0x00, 0x10, 0x7c, /* mov word [0x22*4], h */
	    0xc7, 0x06, 0x8a, 0x00, 0x00, 0x00, /* mov word [0x22*4+2], 0 */
	    0xfb,				/* sti */
	    0x40,				/* inc ax */
	    0x40,				/* inc ax */
	    0xf4,				/* hlt */
	    0x89, 0xc3,				/* h: mov bx, ax */
	    0xcf,				/* iret */
	};

	raise_irq(0x22);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 1);
	ck_assert_uint_eq(reg16(X86_EAX), 2);
}
END_TEST

/* STI; MOV SS, r; MOV SP, imm: the interrupt waits until SS:SP are both loaded. */
START_TEST(test_mov_ss_delays_interrupts_by_one_instruction)
{
	static const uint8_t code[] = {
	    0xc7, 0x06, 0x8c, 0x00, 0x16, 0x7c, /* mov word [0x23*4], h */
	    0xc7, 0x06, 0x8e, 0x00, 0x00, 0x00, /* mov word [0x23*4+2], 0 */
	    0x31, 0xc0,				/* xor ax, ax */
	    0xfb,				/* sti */
	    0x8e, 0xd0,				/* mov ss, ax */
	    0xbc, 0x00, 0x60,			/* mov sp, 0x6000 */
	    0x41,				/* inc cx */
	    0xf4,				/* hlt */
	    0x89, 0xe3,				/* h: mov bx, sp */
	    0xcf,				/* iret */
	};

	raise_irq(0x23);
	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EBX), 0x6000 - 6);
}
END_TEST

/* An endless loop stops after exactly the budget. */
START_TEST(test_budget_exhaustion_returns_budget_and_counts_instructions)
{
	static const uint8_t code[] = {
	    0xeb, 0xfe, /* l: jmp l */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1000000);
	ck_assert_int_eq(x86_cpu_run(cpu, 100), VCPU_EXIT_BUDGET);
	ck_assert_uint_eq(x86_cpu_insns(cpu), 1000100);
}
END_TEST

/* A kick before or during a run makes it return VCPU_EXIT_KICK, once. */
START_TEST(test_kick_makes_run_return_kick)
{
	static const uint8_t code[] = {
	    0xeb, 0xfe, /* l: jmp l */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_BUDGET);
	x86_cpu_kick(cpu);
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_KICK);
	ck_assert_int_eq(x86_cpu_run(cpu, 10), VCPU_EXIT_BUDGET);
}
END_TEST

/* With CR0.PE set, INT goes through the IDT, not the IVT: an empty IDT
 * (limit 3FFh at 0, all zeros) gives #GP, then #DF, then a triple fault. */
START_TEST(test_protected_mode_int_through_an_empty_idt_triple_faults)
{
	static const uint8_t code[] = {
	    0x0f, 0x20, 0xc0, /* mov eax, cr0 */
	    0x0c, 0x01,	      /* or al, 1 */
	    0x0f, 0x22, 0xc0, /* mov cr0, eax */
	    0xcd, 0x10,	      /* int 0x10 */
	    0xf4,	      /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_RESET);
}
END_TEST

/* After reset the CPU fetches at FFFFFFF0h (CS base FFFF0000h); the far jump there lands in the
 * F0000h alias; ROM ignores writes. */
START_TEST(test_reset_vector_runs_rom_at_the_top_of_the_first_mib)
{
	static const uint8_t code[] = {
	    0xb8, 0x34, 0x12,			/* mov ax, 0x1234 */
	    0x2e, 0xc6, 0x06, 0x5b, 0xe0, 0x90, /* mov byte [cs:0xe05b], 0x90 */
	    0x2e, 0x8a, 0x1e, 0x5b, 0xe0,	/* mov bl, [cs:0xe05b] */
	    0xf4,				/* hlt */
	};

	static uint8_t rom[0x10000];
	static const uint8_t reset_jump[] = {0xea, 0x5b, 0xe0, 0x00, 0xf0}; /* jmp f000:e05b */

	memset(rom, 0xf4, sizeof rom);
	memcpy(rom + 0xe05b, code, sizeof code);
	memcpy(rom + 0xfff0, reset_jump, sizeof reset_jump);
	ck_assert_int_eq(mem_map_rom(&m.mem, 0xf0000, 0x10000, rom, "bios"), 0);
	ck_assert_int_eq(mem_map_rom(&m.mem, 0xffff0000, 0x10000, rom, "bios-high"), 0);
	x86_cpu_reset(cpu);
	ck_assert_uint_eq(cpu->seg[X86_CS].sel, 0xf000);
	ck_assert_uint_eq(cpu->seg[X86_CS].base, 0xffff0000);
	ck_assert_uint_eq(cpu->eip, 0xfff0);
	ck_assert_uint_eq(reg(X86_EDX) >> 8 & 0xf, 6);
	ck_assert_int_eq(x86_cpu_run(cpu, 1000), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg16(X86_EAX), 0x1234);
	ck_assert_uint_eq(reg(X86_EBX) & 0xff, 0xb8);
	ck_assert_uint_eq(cpu->seg[X86_CS].sel, 0xf000);
	ck_assert_uint_eq(cpu->seg[X86_CS].base, 0xf0000);
	ck_assert_uint_eq(rom[0xe05b], 0xb8);
}
END_TEST

/* Reading guest-physical space with nothing behind it gives FFh bytes. */
START_TEST(test_unmapped_memory_reads_all_ones)
{
	static const uint8_t code[] = {
	    0xb8, 0xff, 0xff,		  /* mov ax, 0xffff */
	    0x8e, 0xc0,			  /* mov es, ax */
	    0x26, 0x66, 0xa1, 0x00, 0x10, /* mov eax, [es:0x1000] */
	    0xf4,			  /* hlt */
	};

	ck_assert_int_eq(run(code, sizeof code), VCPU_EXIT_HALT);
	ck_assert_uint_eq(reg(X86_EAX), 0xffffffff);
}
END_TEST

static Suite *x86_real_suite(void)
{
	Suite *s = suite_create("x86_real");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, x86f_teardown);
	tcase_add_test(tc, test_add_sets_carry_and_overflow_on_signed_wrap);
	tcase_add_test(tc, test_add_byte_sets_aux_carry_sign_and_overflow);
	tcase_add_test(tc, test_adc_adds_the_carry_in);
	tcase_add_test(tc, test_sbb_subtracts_the_borrow_in);
	tcase_add_test(tc, test_sbb_dword_propagates_borrow_across_words);
	tcase_add_test(tc, test_sub_sets_overflow_on_signed_underflow);
	tcase_add_test(tc, test_cmp_sets_flags_and_keeps_the_operand);
	tcase_add_test(tc, test_logic_ops_clear_carry_and_overflow);
	tcase_add_test(tc, test_alu_memory_forms_read_modify_write);
	tcase_add_test(tc, test_grp1_83_sign_extends_its_byte_immediate);
	tcase_add_test(tc, test_inc_dec_keep_the_carry_flag);
	tcase_add_test(tc, test_inc_zero_result_keeps_carry_from_earlier_add);
	tcase_add_test(tc, test_neg_sets_carry_unless_the_operand_is_zero);
	tcase_add_test(tc, test_not_inverts_and_leaves_flags);
	tcase_add_test(tc, test_test_sets_flags_without_writing);
	tcase_add_test(tc, test_mov_between_registers_memory_and_immediates);
	tcase_add_test(tc, test_mov_moffs_honours_segment_override);
	tcase_add_test(tc, test_mov_segment_register_sets_base_to_selector_times_16);
	tcase_add_test(tc, test_mov_to_cs_is_invalid);
	tcase_add_test(tc, test_movzx_and_movsx_extend_bytes_and_words);
	tcase_add_test(tc, test_xchg_swaps_registers_and_memory);
	tcase_add_test(tc, test_lea_computes_the_offset_without_access);
	tcase_add_test(tc, test_load_far_pointer_instructions);
	tcase_add_test(tc, test_cbw_cwd_cwde_cdq_sign_extend_the_accumulator);
	tcase_add_test(tc, test_xlat_reads_the_table_at_bx_plus_al);
	tcase_add_test(tc, test_lahf_and_sahf_move_the_low_flags);
	tcase_add_test(tc, test_nop_forms_do_nothing);
	tcase_add_test(tc, test_push_and_pop_registers_and_memory);
	tcase_add_test(tc, test_push_sp_pushes_the_value_before_the_push);
	tcase_add_test(tc, test_push_and_pop_segment_registers);
	tcase_add_test(tc, test_pusha_and_popa_round_trip);
	tcase_add_test(tc, test_pushad_and_popad_use_32_bit_registers);
	tcase_add_test(tc, test_pushf_popf_keep_the_fixed_bits);
	tcase_add_test(tc, test_eflags_id_and_ac_bits_toggle_for_cpu_detection);
	tcase_add_test(tc, test_push_immediate_forms);
	tcase_add_test(tc, test_enter_and_leave_build_and_drop_a_frame);
	tcase_add_test(tc, test_enter_with_nesting_level_copies_frame_pointers);
	tcase_add_test(tc, test_stack_pointer_wraps_at_64k);
	tcase_add_test(tc, test_jcc_short_taken_and_not_taken);
	tcase_add_test(tc, test_jcc_near_uses_a_16_bit_displacement);
	tcase_add_test(tc, test_setcc_evaluates_all_sixteen_conditions);
	tcase_add_test(tc, test_signed_conditions_follow_overflow);
	tcase_add_test(tc, test_jmp_forms_short_near_far_and_indirect);
	tcase_add_test(tc, test_call_and_ret_near_with_immediate);
	tcase_add_test(tc, test_call_far_and_retf);
	tcase_add_test(tc, test_loop_counts_cx_down_to_zero);
	tcase_add_test(tc, test_loope_and_loopne_stop_on_zf);
	tcase_add_test(tc, test_jcxz_jumps_only_when_cx_is_zero);
	tcase_add_test(tc, test_address_size_prefix_makes_loop_use_ecx);
	tcase_add_test(tc, test_int_and_iret_go_through_the_ivt);
	tcase_add_test(tc, test_int3_and_into);
	tcase_add_test(tc, test_bound_raises_br_outside_the_range);
	tcase_add_test(tc, test_div_by_zero_raises_de_through_the_ivt);
	tcase_add_test(tc, test_div_quotient_overflow_raises_de);
	tcase_add_test(tc, test_idiv_most_negative_by_minus_one_raises_de);
	tcase_add_test(tc, test_undefined_opcode_raises_ud);
	tcase_add_test(tc, test_instruction_longer_than_15_bytes_raises_gp);
	tcase_add_test(tc, test_word_access_at_segment_end_raises_gp);
	tcase_add_test(tc, test_32_bit_offset_beyond_limit_raises_gp);
	tcase_add_test(tc, test_triple_fault_returns_reset);
	tcase_add_test(tc, test_single_step_traps_after_the_next_instruction);
	tcase_add_test(tc, test_shl_sets_carry_from_the_last_bit_out);
	tcase_add_test(tc, test_shift_by_zero_changes_no_flag);
	tcase_add_test(tc, test_shift_count_is_masked_to_five_bits);
	tcase_add_test(tc, test_shift_count_beyond_operand_width);
	tcase_add_test(tc, test_shr_and_sar);
	tcase_add_test(tc, test_rol_and_ror_rotate_and_set_carry);
	tcase_add_test(tc, test_rcl_and_rcr_rotate_through_carry);
	tcase_add_test(tc, test_shld_and_shrd_shift_in_from_the_source);
	tcase_add_test(tc, test_shift_immediate_forms_on_memory);
	tcase_add_test(tc, test_mul_byte_word_dword);
	tcase_add_test(tc, test_imul_one_operand_is_signed);
	tcase_add_test(tc, test_imul_two_and_three_operand_forms);
	tcase_add_test(tc, test_div_and_idiv_give_quotient_and_remainder);
	tcase_add_test(tc, test_daa_adjusts_packed_bcd_addition);
	tcase_add_test(tc, test_daa_carries_out_of_99);
	tcase_add_test(tc, test_daa_with_carry_from_the_addition);
	tcase_add_test(tc, test_das_adjusts_packed_bcd_subtraction);
	tcase_add_test(tc, test_aaa_and_aas_adjust_unpacked_bcd);
	tcase_add_test(tc, test_aam_and_aad_convert_between_binary_and_unpacked);
	tcase_add_test(tc, test_aam_zero_raises_de);
	tcase_add_test(tc, test_salc_sets_al_from_carry);
	tcase_add_test(tc, test_rep_movsb_copies_forward);
	tcase_add_test(tc, test_rep_movsw_backward_with_df_set);
	tcase_add_test(tc, test_rep_with_cx_zero_does_nothing);
	tcase_add_test(tc, test_rep_stosd_and_lodsb);
	tcase_add_test(tc, test_repe_cmpsb_stops_at_the_first_difference);
	tcase_add_test(tc, test_repne_scasb_finds_a_byte);
	tcase_add_test(tc, test_string_source_segment_can_be_overridden);
	tcase_add_test(tc, test_string_index_wraps_at_64k);
	tcase_add_test(tc, test_16_bit_rep_counts_only_cx);
	tcase_add_test(tc, test_a32_rep_movsb_uses_esi_edi_and_ecx);
	tcase_add_test(tc, test_long_rep_stos_completes_across_chunks);
	tcase_add_test(tc, test_ins_and_outs_transfer_through_port_dx);
	tcase_add_test(tc, test_in_and_out_reach_a_device_on_the_port_bus);
	tcase_add_test(tc, test_unmapped_port_reads_all_ones);
	tcase_add_test(tc, test_flag_instructions_set_and_clear_their_bit);
	tcase_add_test(tc, test_cpuid_reports_family_6_and_an_fpu);
	tcase_add_test(tc, test_rdtsc_follows_the_clock_not_the_instructions);
	tcase_add_test(tc, test_rdtsc_counts_instructions_in_lockstep);
	tcase_add_test(tc, test_tsc_goes_on_through_hlt);
	tcase_add_test(tc, test_tsc_goes_on_from_a_restored_clock);
	tcase_add_test(tc, test_lgdt_lidt_and_sgdt_sidt_round_trip);
	tcase_add_test(tc, test_cr0_moves_smsw_and_lmsw);
	tcase_add_test(tc, test_unreal_mode_keeps_the_descriptor_limit);
	tcase_add_test(tc, test_fpu_probe_finds_a_coprocessor_and_em_raises_nm);
	tcase_add_test(tc, test_operand_size_prefix_selects_32_bit_operands);
	tcase_add_test(tc, test_16_bit_operations_keep_the_upper_register_half);
	tcase_add_test(tc, test_address_size_prefix_uses_32_bit_sib_addressing);
	tcase_add_test(tc, test_16_bit_effective_address_wraps_at_64k);
	tcase_add_test(tc, test_bp_addressing_defaults_to_ss);
	tcase_add_test(tc, test_lock_prefix_is_accepted_on_memory_operations);
	tcase_add_test(tc, test_bit_test_family_on_registers);
	tcase_add_test(tc, test_bit_test_with_register_offset_reaches_beyond_the_operand);
	tcase_add_test(tc, test_bsf_and_bsr_find_bits_and_flag_zero);
	tcase_add_test(tc, test_bswap_reverses_byte_order);
	tcase_add_test(tc, test_cmovcc_moves_only_when_the_condition_holds);
	tcase_add_test(tc, test_cmpxchg_equal_and_not_equal);
	tcase_add_test(tc, test_cmpxchg8b_compares_edx_eax);
	tcase_add_test(tc, test_xadd_exchanges_and_adds);
	tcase_add_test(tc, test_self_modifying_code_runs_the_new_bytes);
	tcase_add_test(tc, test_mmio_accesses_reach_the_device);
	tcase_add_test(tc, test_access_spanning_two_pages_is_split);
	tcase_add_test(tc, test_fast_memory_forms_straddling_two_pages);
	tcase_add_test(tc, test_hlt_returns_halt_and_resumes_after_an_interrupt);
	tcase_add_test(tc, test_interrupts_wait_while_if_is_clear);
	tcase_add_test(tc, test_sti_delays_interrupts_by_one_instruction);
	tcase_add_test(tc, test_mov_ss_delays_interrupts_by_one_instruction);
	tcase_add_test(tc, test_budget_exhaustion_returns_budget_and_counts_instructions);
	tcase_add_test(tc, test_kick_makes_run_return_kick);
	tcase_add_test(tc, test_protected_mode_int_through_an_empty_idt_triple_faults);
	tcase_add_test(tc, test_reset_vector_runs_rom_at_the_top_of_the_first_mib);
	tcase_add_test(tc, test_unmapped_memory_reads_all_ones);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(x86_real_suite());
}
