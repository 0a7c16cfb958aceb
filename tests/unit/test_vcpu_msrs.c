/* The XMM registers and the KVM CPU's MSRs in a save file's CPU state
 * (hv/core/vcpu_save.c, version 5, and the PV EOI MSR of version 6): they
 * round-trip exactly, a state of version 4 (without them) loads with msrs
 * false and the XMM bytes 0, one of version 5 with the PV EOI MSR 0,
 * truncated bytes and a bad flag are refused. */
#include <string.h>

#include "hv/core/vcpu_save.h"
#include "unit.h"

#define MSR_COUNT 8 /* STAR ... TSC_AUX, as vcpu_save.c writes them */
#define PV_EOI	  8 /* version 6's bytes: the PV EOI MSR */

static size_t encode(const struct vcpu_state *st, struct state_out *o)
{
	memset(o, 0, sizeof *o);
	vcpu_state_put(o, st);
	ck_assert(!o->failed);
	return o->len;
}

static struct vcpu_state sample(void)
{
	struct vcpu_state st = {0};

	st.rip = 0xffffffff81000000ull;
	for (unsigned i = 0; i < VCPU_XMM_BYTES; i++)
		st.xmm[i] = (uint8_t)(i * 13 + 1);
	st.msrs = true;
	st.star = 0x0023001000000000ull;
	st.lstar = 0xffffffff81a00080ull;
	st.cstar = 0xffffffff81a01500ull;
	st.sfmask = 0x47700;
	st.kernel_gs_base = 0x7f0012345000ull;
	st.pat = 0x0407050600070106ull;
	st.tsc = 0x123456789abull;
	st.tsc_aux = 3;
	st.pv_eoi = 0x2f5a5c1;
	return st;
}

START_TEST(test_msrs_round_trip)
{
	struct vcpu_state st = sample(), back;
	struct state_out o;
	struct state_in in;
	size_t len = encode(&st, &o);

	in = state_in_make(o.p, len);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &back), 0);
	ck_assert_mem_eq(back.xmm, st.xmm, VCPU_XMM_BYTES);
	ck_assert(back.msrs);
	ck_assert_uint_eq(back.star, st.star);
	ck_assert_uint_eq(back.lstar, st.lstar);
	ck_assert_uint_eq(back.cstar, st.cstar);
	ck_assert_uint_eq(back.sfmask, st.sfmask);
	ck_assert_uint_eq(back.kernel_gs_base, st.kernel_gs_base);
	ck_assert_uint_eq(back.pat, st.pat);
	ck_assert_uint_eq(back.tsc, st.tsc);
	ck_assert_uint_eq(back.tsc_aux, 3);
	ck_assert_uint_eq(back.pv_eoi, st.pv_eoi);
	ck_assert_uint_eq(back.rip, st.rip);
	for (size_t cut = 1; cut <= PV_EOI + 8 * MSR_COUNT + 1 + VCPU_XMM_BYTES; cut += 7) {
		in = state_in_make(o.p, len - cut);
		ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &back), -1);
	}
	state_out_free(&o);
}
END_TEST

/* A state without the MSRs (the soft engine's) writes only the flag. */
START_TEST(test_no_msrs_writes_the_flag_only)
{
	struct vcpu_state st = sample(), back;
	struct state_out o;
	struct state_in in;
	size_t with = encode(&st, &o), without;

	state_out_free(&o);
	st.msrs = false;
	without = encode(&st, &o);
	ck_assert_uint_eq(with - without, 8 * MSR_COUNT);
	in = state_in_make(o.p, without);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &back), 0);
	ck_assert(!back.msrs);
	ck_assert_uint_eq(back.tsc, 0);
	ck_assert_mem_eq(back.xmm, st.xmm, VCPU_XMM_BYTES);
	o.p[without - PV_EOI - 1] = 2; /* the flag neither 0 nor 1 */
	in = state_in_make(o.p, without);
	ck_assert_int_eq(vcpu_state_get(&in, VCPU_SAVE_VERSION, &back), -1);
	state_out_free(&o);
}
END_TEST

/* Version 4's bytes (version 5's without the XMM and the flag) load with
 * neither, and are refused as version 5. */
START_TEST(test_version_4_loads_without_msrs)
{
	struct vcpu_state st = sample(), back;
	struct state_out o;
	struct state_in in;
	size_t len;

	st.msrs = false;
	len = encode(&st, &o) - PV_EOI - VCPU_XMM_BYTES - 1;
	in = state_in_make(o.p, len);
	ck_assert_int_eq(vcpu_state_get(&in, 4, &back), 0);
	ck_assert(!back.msrs);
	ck_assert_uint_eq(back.rip, st.rip);
	for (unsigned i = 0; i < VCPU_XMM_BYTES; i++)
		ck_assert_uint_eq(back.xmm[i], 0);
	in = state_in_make(o.p, len);
	ck_assert_int_eq(vcpu_state_get(&in, 5, &back), -1);
	state_out_free(&o);
}
END_TEST

/* Version 5's bytes (version 6's without the PV EOI MSR) load with it 0,
 * and each version's bytes are refused as the other's. */
START_TEST(test_version_5_loads_without_pv_eoi)
{
	struct vcpu_state st = sample(), back;
	struct state_out o;
	struct state_in in;
	size_t len = encode(&st, &o);

	in = state_in_make(o.p, len - PV_EOI);
	ck_assert_int_eq(vcpu_state_get(&in, 5, &back), 0);
	ck_assert_uint_eq(back.pv_eoi, 0);
	ck_assert(back.msrs);
	ck_assert_uint_eq(back.tsc_aux, 3);
	in = state_in_make(o.p, len - PV_EOI);
	ck_assert_int_eq(vcpu_state_get(&in, 6, &back), -1);
	in = state_in_make(o.p, len);
	ck_assert_int_eq(vcpu_state_get(&in, 5, &back), -1);
	state_out_free(&o);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_msrs_round_trip,
	    test_no_msrs_writes_the_flag_only,
	    test_version_4_loads_without_msrs,
	    test_version_5_loads_without_pv_eoi,
	};

	return unit_run(
	    unit_suite("vcpu_msrs", "core", NULL, NULL, tests, UNIT_COUNT(tests), NULL, 0));
}
