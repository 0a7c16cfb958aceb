/* KVM's paravirtual clock on the KVM engine, the parts that need no
 * /dev/kvm: the CPUID the guest gets from what KVM_GET_SUPPORTED_CPUID
 * reports (hv/kvm/kvm_cpuid.c: kvm-clock offered only with KVM's leaves
 * whole, the paravirtual EOI only with KVM's APIC, nothing else of KVM's
 * paravirtual features, no APIC unless KVM's), and the
 * judgement of a save file's kvm-clock values (hv/kvm/kvm_clock.c), which
 * come from a file and must be refused when they point outside guest RAM
 * or read as no time. The guest's own view (its clocksource is kvm-clock)
 * is checked by the nested-KVM harness (tests/nested, linux and linux64). */
#include <asm/kvm_para.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/clock.h"
#include "hv/core/memory.h"
#include "hv/kvm/kvm.h"
#include "unit.h"

#define RAM	       (16u << 20)
#define ROM_BASE       0xf0000u
#define ROM_SIZE       0x10000u
#define HYPERVISOR_BIT (1u << 31)
#define APIC_BIT       (1u << 9)
#define CLOCK_ALONE                                                                                \
	((1u << KVM_FEATURE_NOP_IO_DELAY) | (1u << KVM_FEATURE_CLOCKSOURCE2) |                     \
	 (1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT))
#define PV_EOI (1u << KVM_FEATURE_PV_EOI)

/* struct kvm_cpuid2 with room for 4 entries, laid out as the kernel's
 * header (nent, padding) and its flexible array. */
struct table {
	uint32_t nent, padding;
	struct kvm_cpuid_entry2 e[4];
};
_Static_assert(sizeof(struct kvm_cpuid2) == offsetof(struct table, e), "kvm_cpuid2's header");

/* What KVM_GET_SUPPORTED_CPUID gives on a current host, abridged: leaf 1
 * with the APIC and x2APIC, KVM's signature, and every feature of its. */
static struct kvm_cpuid2 *supported(struct table *t)
{
	memset(t, 0, sizeof *t);
	t->nent = 4;
	t->e[0] = (struct kvm_cpuid_entry2){.function = 0, .eax = 0xd};
	t->e[1] = (struct kvm_cpuid_entry2){
	    .function = 1, .ecx = (1u << 21) | (1u << 24) | 1u, .edx = APIC_BIT | 1u};
	t->e[2] = (struct kvm_cpuid_entry2){.function = KVM_CPUID_SIGNATURE,
					    .eax = KVM_CPUID_FEATURES,
					    .ebx = 0x4b4d564b,
					    .ecx = 0x564b4d56,
					    .edx = 0x4d};
	t->e[3] = (struct kvm_cpuid_entry2){
	    .function = KVM_CPUID_FEATURES, .eax = 0x0103ffffu, .edx = 1u /* REALTIME hint */};
	return (struct kvm_cpuid2 *)t;
}

START_TEST(test_kvm_clock_is_offered_alone_with_the_hypervisor_bit)
{
	struct table t;
	struct kvm_cpuid2 *c = supported(&t);

	ck_assert_uint_eq(kvm_cpuid_filter(c, KVM_PV_OFFERED, false), CLOCK_ALONE);
	ck_assert_uint_eq(t.e[1].ecx, HYPERVISOR_BIT | 1u); /* no x2APIC, no TSC deadline */
	ck_assert_uint_eq(t.e[1].edx, 1u);		    /* no APIC */
	ck_assert_uint_eq(t.e[2].eax, KVM_CPUID_FEATURES);
	ck_assert_uint_eq(t.e[2].ebx, 0x4b4d564b);
	ck_assert_uint_eq(t.e[3].eax, CLOCK_ALONE); /* no PV EOI without the APIC */
	ck_assert_uint_eq(t.e[3].edx, 0);
}
END_TEST

/* With KVM's local APIC as the guest's (irqchip.c), CPUID shows it and
 * the x2APIC, but still not the TSC-deadline timer. */
START_TEST(test_the_apic_is_shown_with_the_in_kernel_one)
{
	struct table t;
	struct kvm_cpuid2 *c = supported(&t);

	ck_assert(kvm_cpuid_filter(c, KVM_PV_OFFERED, true));
	ck_assert_uint_eq(t.e[1].ecx, HYPERVISOR_BIT | (1u << 21) | 1u);
	ck_assert_uint_eq(t.e[1].edx, APIC_BIT | 1u);
}
END_TEST

/* Without KVM's leaves (or with a part missing) the guest is offered none
 * of it: no hypervisor bit, no signature, no features. */
START_TEST(test_without_kvm_leaves_nothing_paravirtual_is_offered)
{
	struct table t;
	struct kvm_cpuid2 *c = supported(&t);

	c->nent = 2; /* leaves 0 and 1 only */
	ck_assert(!kvm_cpuid_filter(c, KVM_PV_OFFERED, false));
	ck_assert_uint_eq(t.e[1].ecx & HYPERVISOR_BIT, 0);
	ck_assert_uint_eq(t.e[1].edx & APIC_BIT, 0);

	c = supported(&t);
	t.e[3].eax = 1u << KVM_FEATURE_CLOCKSOURCE; /* only the old MSRs */
	ck_assert(!kvm_cpuid_filter(c, KVM_PV_OFFERED, false));
	ck_assert_uint_eq(t.e[1].ecx & HYPERVISOR_BIT, 0);
	ck_assert_uint_eq(t.e[2].ebx | t.e[2].ecx | t.e[2].edx, 0);
	ck_assert_uint_eq(t.e[3].eax, 0);

	c = supported(&t);
	ck_assert(!kvm_cpuid_filter(c, 0, true)); /* not asked for (HV_KVM_PVCLOCK=0) */
	ck_assert_uint_eq(t.e[1].ecx & HYPERVISOR_BIT, 0);
	ck_assert_uint_eq(t.e[2].ebx | t.e[2].ecx | t.e[2].edx, 0);
	ck_assert_uint_eq(t.e[3].eax, 0);

	c = supported(&t);
	t.e[2].ebx = 0x7263694d; /* another hypervisor's signature */
	ck_assert(!kvm_cpuid_filter(c, KVM_PV_OFFERED, false));
	ck_assert_uint_eq(t.e[1].ecx & HYPERVISOR_BIT, 0);
	ck_assert_uint_eq(t.e[3].eax, 0);
}
END_TEST

/* With KVM's APIC the guest is offered the paravirtual EOI too, where KVM
 * reports it and it is wanted (not with HV_KVM_PVEOI=0); kvm-clock stays
 * the condition for KVM's leaves. */
START_TEST(test_pv_eoi_is_offered_with_the_in_kernel_apic)
{
	struct table t;
	struct kvm_cpuid2 *c = supported(&t);

	ck_assert_uint_eq(kvm_cpuid_filter(c, KVM_PV_OFFERED, true), CLOCK_ALONE | PV_EOI);
	ck_assert_uint_eq(t.e[3].eax, CLOCK_ALONE | PV_EOI);
	ck_assert_uint_eq(t.e[3].edx, 0);

	c = supported(&t);
	ck_assert_uint_eq(kvm_cpuid_filter(c, KVM_PV_OFFERED & ~PV_EOI, true), CLOCK_ALONE);
	ck_assert_uint_eq(t.e[3].eax, CLOCK_ALONE);

	c = supported(&t);
	t.e[3].eax &= ~PV_EOI; /* a KVM without it */
	ck_assert_uint_eq(kvm_cpuid_filter(c, KVM_PV_OFFERED, true), CLOCK_ALONE);
	ck_assert_uint_eq(t.e[3].eax, CLOCK_ALONE);

	c = supported(&t);
	t.e[3].eax &= ~(1u << KVM_FEATURE_CLOCKSOURCE2); /* PV EOI alone: no leaves */
	ck_assert_uint_eq(kvm_cpuid_filter(c, KVM_PV_OFFERED, true), 0);
	ck_assert_uint_eq(t.e[3].eax, 0);
	ck_assert_uint_eq(t.e[1].ecx & HYPERVISOR_BIT, 0);
}
END_TEST

static struct vcpu_state clock_state(uint64_t time, uint64_t wall, uint64_t ns)
{
	struct vcpu_state st;

	memset(&st, 0, sizeof st);
	st.pvclock_system_time = time;
	st.pvclock_wall_clock = wall;
	st.pvclock_ns = ns;
	return st;
}

static struct guest_mem mem;
static uint8_t rom[ROM_SIZE];

static void make_mem(uint64_t ram)
{
	char err[200] = "";

	ck_assert_msg(mem_init(&mem, ram, err, sizeof err) == 0, "%s", err);
}

static void setup(void)
{
	make_mem(RAM);
	ck_assert_int_eq(mem_map_rom(&mem, ROM_BASE, ROM_SIZE, rom, "bios"), 0);
}

static void teardown(void)
{
	mem_destroy(&mem);
}

static int check(uint64_t time, uint64_t wall, uint64_t ns)
{
	struct vcpu_state st = clock_state(time, wall, ns);
	char err[200] = "";
	int rc = kvm_clock_check(&st, &mem, err, sizeof err);

	ck_assert_msg(rc == 0 || strstr(err, "kvm-clock"), "err: %s", err);
	return rc;
}

START_TEST(test_saved_clock_values_inside_ram_are_accepted)
{
	setup();
	ck_assert_int_eq(check(0, 0, 0), 0); /* never used (soft engine's) */
	ck_assert_int_eq(check(0xf7f001, 0xa2b000, 5000000000ull), 0);
	ck_assert_int_eq(check(RAM - 32 + 1, RAM - 12, 1), 0); /* the last bytes */
	ck_assert_int_eq(check(0xf7f000, 0, 7), 0);	       /* turned off */
	ck_assert_int_eq(check(0, 0, (uint64_t)VCLOCK_NS_MAX), 0);
	teardown();
}
END_TEST

/* Corrupted or hostile values: refused with a reason, none used. */
START_TEST(test_corrupted_clock_values_are_refused)
{
	setup();
	ck_assert_int_eq(check((RAM - 30) | 1, 0, 1), -1);	  /* time page past RAM */
	ck_assert_int_eq(check(0xfffffffffffffff1ull, 0, 1), -1); /* wraps */
	ck_assert_int_eq(check(0x1ff1, 0, 1), -1);		  /* crosses a page */
	ck_assert_int_eq(check(ROM_BASE | 1, 0, 1), -1);	  /* in the BIOS's ROM */
	ck_assert_int_eq(check(0, RAM - 11, 0), -1);		  /* wall clock past RAM */
	ck_assert_int_eq(check(0, UINT64_MAX, 0), -1);
	ck_assert_int_eq(check(0, ROM_BASE + 8, 0), -1);
	ck_assert_int_eq(check(0, 0, (uint64_t)VCLOCK_NS_MAX + 1), -1); /* reading */
	ck_assert_int_eq(check(0, 0, UINT64_MAX), -1);
	ck_assert_int_eq(check(0x1001, 0, 0), -1); /* on, yet no time read */
	teardown();
}
END_TEST

/* A guest over MEM_LOW_RAM_LIMIT: its RAM goes on at 4 GiB, past a hole
 * that [0, ram_size) would count as RAM. */
START_TEST(test_clock_pages_follow_the_memory_map_above_4_gib)
{
	const uint64_t high = 1ull << 32;

	make_mem(MEM_LOW_RAM_LIMIT + 2 * MEM_PAGE_SIZE);
	ck_assert_int_eq(check((high + 0x1000) | 1, high + 0x20, 1), 0); /* RAM at 4 GiB */
	ck_assert_int_eq(check((MEM_LOW_RAM_LIMIT - 0x1000) | 1, 0, 1), 0);
	ck_assert_int_eq(check(MEM_LOW_RAM_LIMIT | 1, 0, 1), -1); /* the hole */
	ck_assert_int_eq(check(0, MEM_LOW_RAM_LIMIT + 0x40, 0), -1);
	ck_assert_int_eq(check((high + 2 * MEM_PAGE_SIZE) | 1, 0, 1), -1); /* past the end */
	teardown();
}
END_TEST

/* Random values: the judgement never reads outside its input and agrees
 * with the memory map (every accepted enabled time page is plain RAM). */
START_TEST(test_random_clock_values)
{
	setup();
	unit_seed((uint32_t)_i);
	for (int n = 0; n < 1000; n++) {
		uint64_t time = (uint64_t)unit_rand() << 32 | unit_rand();
		struct vcpu_state st;
		char err[200];

		if (unit_rand() % 2)
			time %= 2ull * RAM + 64;
		st = clock_state(time, unit_rand() % 3 ? 0 : unit_rand() % (2 * RAM), unit_rand());
		if (kvm_clock_check(&st, &mem, err, sizeof err) == 0 && (time & 1))
			ck_assert_ptr_nonnull(mem_ram_range(&mem, time & ~1ull, 32, false));
	}
	teardown();
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_kvm_clock_is_offered_alone_with_the_hypervisor_bit,
	    test_without_kvm_leaves_nothing_paravirtual_is_offered,
	    test_the_apic_is_shown_with_the_in_kernel_one,
	    test_pv_eoi_is_offered_with_the_in_kernel_apic,
	    test_saved_clock_values_inside_ram_are_accepted,
	    test_corrupted_clock_values_are_refused,
	    test_clock_pages_follow_the_memory_map_above_4_gib,
	};

	return unit_run(unit_suite("kvm_pvclock", "core", NULL, NULL, tests, UNIT_COUNT(tests),
				   test_random_clock_values, 20));
}
