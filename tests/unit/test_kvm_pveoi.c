/* The judgement of a save file's paravirtual EOI MSR (hv/kvm/kvm_pveoi.c,
 * kvm_pveoi_check), which needs no /dev/kvm: the value comes from a file,
 * and KVM would set a bit at the address it holds, so one that is not a
 * 4-byte aligned address of guest RAM (past its end, in the ROM laid over
 * it, wrapping) or is enabled at 0 is refused with the reason. The guest's
 * own use of it is seen in the nested-KVM benchmark (tests/bench). */
#include <asm/kvm_para.h>
#include <string.h>

#include "hv/core/memory.h"
#include "hv/kvm/kvm.h"
#include "unit.h"

#define RAM	 (16u << 20)
#define ROM_BASE 0xf0000u
#define ROM_SIZE 0x10000u
#define ON	 KVM_MSR_ENABLED

static struct guest_mem mem;
static uint8_t rom[ROM_SIZE];

static void setup(void)
{
	char err[200] = "";

	ck_assert_msg(mem_init(&mem, RAM, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(mem_map_rom(&mem, ROM_BASE, ROM_SIZE, rom, "bios"), 0);
}

static void teardown(void)
{
	mem_destroy(&mem);
}

static int check(uint64_t msr)
{
	char err[200] = "";
	int rc = kvm_pveoi_check(msr, &mem, err, sizeof err);

	ck_assert_msg(rc == 0 || strstr(err, "PV EOI"), "err: %s", err);
	ck_assert_msg(rc == 0 || strchr(err, '\n') == NULL, "err: %s", err);
	return rc;
}

START_TEST(test_saved_pv_eoi_inside_ram_is_accepted)
{
	ck_assert_int_eq(check(0), 0);			 /* never enabled */
	ck_assert_int_eq(check(0xf5a5c0 | ON), 0);	 /* as Linux writes it */
	ck_assert_int_eq(check(0xf5a5c0), 0);		 /* turned off */
	ck_assert_int_eq(check((RAM - 4) | ON), 0);	 /* RAM's last word */
	ck_assert_int_eq(check((ROM_BASE - 4) | ON), 0); /* below the ROM */
}
END_TEST

/* Corrupted or hostile values: refused with a reason. */
START_TEST(test_corrupted_pv_eoi_is_refused)
{
	ck_assert_int_eq(check(0xf5a5c2 | ON), -1);		     /* misaligned */
	ck_assert_int_eq(check(0xf5a5c2), -1);			     /* misaligned, off */
	ck_assert_int_eq(check(ON), -1);			     /* enabled at 0 */
	ck_assert_int_eq(check(RAM | ON), -1);			     /* past RAM */
	ck_assert_int_eq(check(RAM), -1);			     /* past RAM, off */
	ck_assert_int_eq(check(0xfffffffffffffffdull), -1);	     /* wraps */
	ck_assert_int_eq(check(0xfffffffcull | ON), -1);	     /* past RAM, below 4 GiB */
	ck_assert_int_eq(check((ROM_BASE + 0x100) | ON), -1);	     /* the ROM over RAM */
	ck_assert_int_eq(check((ROM_BASE + ROM_SIZE - 4) | ON), -1); /* its last word */
}
END_TEST

/* Random values: every one accepted is 0, or a 4-byte aligned address of
 * RAM outside the ROM, never 0 while enabled. */
START_TEST(test_random_pv_eoi_values)
{
	unit_seed((uint32_t)_i);
	for (int n = 0; n < 2000; n++) {
		uint64_t msr = (uint64_t)unit_rand() << 32 | unit_rand();
		uint64_t gpa;
		char err[200];

		if (unit_rand() % 2)
			msr %= 2ull * RAM;
		if (unit_rand() % 4 == 0)
			msr = ROM_BASE - 8 + unit_rand() % 16;
		gpa = msr & ~1ull;
		if (kvm_pveoi_check(msr, &mem, err, sizeof err) < 0 || msr == 0)
			continue;
		ck_assert_uint_eq(gpa % 4, 0);
		ck_assert(gpa != 0 && gpa + 4 <= RAM);
		ck_assert(gpa + 4 <= ROM_BASE || gpa >= ROM_BASE + ROM_SIZE);
	}
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_saved_pv_eoi_inside_ram_is_accepted,
	    test_corrupted_pv_eoi_is_refused,
	};

	return unit_run(unit_suite("kvm_pveoi", "core", setup, teardown, tests, UNIT_COUNT(tests),
				   test_random_pv_eoi_values, 20));
}
