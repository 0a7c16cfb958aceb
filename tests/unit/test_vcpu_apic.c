/* The APICs in a save file's CPU state (hv/core/vcpu_save.c, version 4):
 * a KVM engine's local APIC page and I/O APIC round-trip byte for byte,
 * a state of version 3 loads without them, truncated bytes are refused,
 * and vcpu_apic_in_use tells a guest that depends on its APIC (Linux in
 * APIC mode: LINT0 masked, the timer and I/O APIC pins unmasked) from the
 * virtual-wire PC/AT that firmware leaves, which the soft engine may take
 * (hv/domain/domain_save.c refuses the other with the reason). */
#include <string.h>

#include "hv/core/vcpu_save.h"
#include "unit.h"

#define LVT_TIMER  0x320
#define LVT0	   0x350
#define SVR	   0xf0
#define ISR	   0x100
#define IRR	   0x200
#define MASKED	   (1u << 16)
#define EXTINT	   (7u << 8)
#define BASE_RESET 0xfee00900ull /* enabled, the BSP */
/* versions 5 and 6's XMM bytes, msrs flag (false) and PV EOI MSR */
#define V5_TAIL (VCPU_XMM_BYTES + 1 + 8)

static void put_reg(struct vcpu_apic *a, unsigned off, uint32_t v)
{
	memcpy(a->page + off, &v, 4);
}

/* The APIC as SeaBIOS leaves it: software-enabled, LINT0 an unmasked
 * ExtINT (the 8259 in virtual-wire mode), the timer masked, the I/O APIC
 * all masked. */
static struct vcpu_apic virtual_wire(void)
{
	struct vcpu_apic a = {.present = true, .base = BASE_RESET, .ioapic_id = 1};

	put_reg(&a, SVR, 0x1ff);
	put_reg(&a, LVT0, EXTINT);
	put_reg(&a, LVT_TIMER, MASKED);
	for (unsigned i = 0; i < VCPU_IOAPIC_PINS; i++)
		a.redir[i] = MASKED;
	return a;
}

START_TEST(test_virtual_wire_is_not_in_use)
{
	struct vcpu_apic a = virtual_wire();

	ck_assert(!vcpu_apic_in_use(&a));
	a.present = false;
	ck_assert(!vcpu_apic_in_use(&a));
	a = virtual_wire();
	put_reg(&a, LVT0, EXTINT | MASKED);
	a.base = 0xfee00100; /* globally disabled: the 8259 goes to INTR */
	ck_assert(!vcpu_apic_in_use(&a));
}
END_TEST

/* Each way of depending on the APIC alone makes it in use. */
START_TEST(test_each_apic_use_is_seen)
{
	struct vcpu_apic a = virtual_wire();

	put_reg(&a, LVT0, EXTINT | MASKED); /* Linux in APIC mode */
	ck_assert(vcpu_apic_in_use(&a));
	a = virtual_wire();
	put_reg(&a, LVT_TIMER, 0x20030); /* periodic, vector 30h */
	ck_assert(vcpu_apic_in_use(&a));
	a = virtual_wire();
	a.redir[2] = 0x30;
	ck_assert(vcpu_apic_in_use(&a));
	a = virtual_wire();
	a.base |= 1u << 10; /* x2APIC */
	ck_assert(vcpu_apic_in_use(&a));
	a = virtual_wire();
	put_reg(&a, IRR + 0x70, 1u << 31); /* vector FFh requested */
	ck_assert(vcpu_apic_in_use(&a));
	a = virtual_wire();
	put_reg(&a, ISR + 0x10, 1u); /* vector 20h in service */
	ck_assert(vcpu_apic_in_use(&a));
}
END_TEST

static size_t encode(const struct vcpu_state *st, struct state_out *o)
{
	memset(o, 0, sizeof *o);
	vcpu_state_put(o, st);
	ck_assert(!o->failed);
	return o->len;
}

START_TEST(test_apic_state_round_trips)
{
	struct vcpu_state st = {0}, back;
	struct state_out o;
	struct state_in in;

	st.rip = 0x1234;
	st.apic = virtual_wire();
	for (unsigned i = 0; i < VCPU_APIC_BYTES; i++)
		st.apic.page[i] = (uint8_t)(i * 7 + 3);
	st.apic.ioapic_sel = 0x12;
	st.apic.ioapic_irr = 1u << 11;
	st.apic.redir[11] = 0x1a031;
	encode(&st, &o);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &back), 0);
	ck_assert(back.apic.present);
	ck_assert(!back.msrs);
	ck_assert_uint_eq(back.apic.base, BASE_RESET);
	ck_assert_mem_eq(back.apic.page, st.apic.page, VCPU_APIC_BYTES);
	ck_assert_uint_eq(back.apic.ioapic_id, 1);
	ck_assert_uint_eq(back.apic.ioapic_sel, 0x12);
	ck_assert_uint_eq(back.apic.ioapic_irr, 1u << 11);
	ck_assert_mem_eq(back.apic.redir, st.apic.redir, sizeof st.apic.redir);
	ck_assert_uint_eq(back.rip, 0x1234);
	in = state_in_make(o.p, o.len - V5_TAIL - 1); /* the last redirection entry short */
	ck_assert_int_eq(vcpu_state_get(&in, 4, &back), -1);
	state_out_free(&o);
}
END_TEST

/* Version 3 had no APICs: its bytes (a version 4 state of a CPU without
 * them, less the one flag byte; version 5's tail off) load with none, and they are refused as
 * version 4; a flag byte other than 0 or 1 is refused. */
START_TEST(test_version_3_loads_without_apics)
{
	struct vcpu_state st = {0}, back;
	struct state_out o;
	struct state_in in;
	size_t len;

	st.rip = 0x5678;
	len = encode(&st, &o) - V5_TAIL;
	in = state_in_make(o.p, len - 1);
	ck_assert_int_eq(vcpu_state_get(&in, 3, &back), 0);
	ck_assert(!back.apic.present);
	ck_assert_uint_eq(back.rip, 0x5678);
	in = state_in_make(o.p, len - 1);
	ck_assert_int_eq(vcpu_state_get(&in, 4, &back), -1);
	o.p[len - 1] = 2;
	in = state_in_make(o.p, len);
	ck_assert_int_eq(vcpu_state_get(&in, 4, &back), -1);
	state_out_free(&o);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_virtual_wire_is_not_in_use,
	    test_each_apic_use_is_seen,
	    test_apic_state_round_trips,
	    test_version_3_loads_without_apics,
	};

	return unit_run(
	    unit_suite("vcpu_apic", "core", NULL, NULL, tests, UNIT_COUNT(tests), NULL, 0));
}
