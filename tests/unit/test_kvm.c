/* The KVM engine on this host: the probe and engine selection agree and
 * answer without hanging (on a PVM /dev/kvm the probe's guest fails, and
 * auto must fall back to the soft CPU with the reason), and guest memory
 * becomes the right KVM memory slots (a VM can be created even where
 * guests cannot run). */
#include <asm/kvm_para.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv/kvm/kvm.h"
#include "hv/core/machine.h"
#include "unit.h"

static const struct kvm_slot *slot_at(const struct kvm_vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nslots; i++)
		if (vm->slots[i].gpa == gpa)
			return &vm->slots[i];
	return NULL;
}

static bool kvm_openable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

START_TEST(test_probe_gives_a_reason)
{
	char why[256] = "";

	engine_kvm.probe(why, sizeof why);
	ck_assert_msg(strncmp(why, "kvm: ", 5) == 0 && strlen(why) > 10, "why: %s", why);
}
END_TEST

START_TEST(test_auto_follows_the_probe)
{
	char probe[256], why[256];
	int ok = engine_kvm.probe(probe, sizeof probe);
	const struct engine_ops *e = engine_select("auto", why, sizeof why);

	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_eq(e, ok == 0 ? &engine_kvm : &engine_soft);
	ck_assert_msg(strncmp(why, "auto: ", 6) == 0, "why: %s", why);
	ck_assert_msg(strstr(why, probe) != NULL, "why %s lacks the probe's %s", why, probe);
}
END_TEST

START_TEST(test_forced_kvm_refuses_with_the_probe_reason)
{
	char probe[256], why[256];
	int ok = engine_kvm.probe(probe, sizeof probe);
	const struct engine_ops *e = engine_select("kvm", why, sizeof why);

	ck_assert_ptr_eq(e, ok == 0 ? &engine_kvm : NULL);
	ck_assert_msg(strstr(why, probe) != NULL, "why: %s", why);
	if (!e)
		ck_assert_msg(strstr(why, "cannot run guests here"), "why: %s", why);
}
END_TEST

START_TEST(test_probe_fails_where_kvm_cannot_be_opened)
{
	char probe[256];

	/* Cached, so this only pins that the two agree. */
	if (!kvm_openable()) {
		ck_assert_int_eq(engine_kvm.probe(probe, sizeof probe), -1);
		ck_assert_msg(strstr(probe, "/dev/kvm"), "why: %s", probe);
	} else {
		engine_kvm.probe(probe, sizeof probe);
		ck_assert_msg(!strstr(probe, "cannot open"), "why: %s", probe);
	}
}
END_TEST

/* A PC-like map: 16 MiB RAM, a 64 KiB ROM at the top of 4 GiB and its
 * alias below 1 MiB (from malloc, so not page aligned), a VGA-like MMIO
 * window, and a one-page MMIO region inside RAM. */
static struct machine m;
static uint8_t *rom;

static void build_map(void)
{
	static const struct io_ops none = {0};
	char err[200];

	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	rom = malloc(0x10000 + 16);
	memset(rom, 0xf4, 0x10000 + 16);
	ck_assert_int_eq(mem_map_rom(&m.mem, 0xffff0000, 0x10000, rom + 16, "rom"), 0);
	ck_assert_int_eq(mem_map_rom(&m.mem, 0xf0000, 0x10000, rom + 16, "rom alias"), 0);
	ck_assert_int_eq(mem_map_mmio(&m.mem, 0xa0000, 0x20000, &none, NULL, "vga"), 0);
	ck_assert_int_eq(mem_map_mmio(&m.mem, 0x200000, 0x1000, &none, NULL, "page"), 0);
}

START_TEST(test_memory_map_becomes_slots)
{
	char err[200] = "";
	void *engine = NULL;
	struct kvm_vm *vm;
	const struct kvm_slot *s;

	build_map();
	if (engine_kvm.create(&m, &engine, err, sizeof err) < 0) {
		ck_assert_msg(!kvm_openable(), "create failed with /dev/kvm there: %s", err);
		ck_assert_msg(strstr(err, "/dev/kvm"), "err: %s", err);
		machine_destroy(&m);
		free(rom);
		return;
	}
	vm = engine;
	/* RAM below the MMIO window, between it and the ROM alias, up to the
	 * MMIO page and after it; the ROM twice, read-only. */
	ck_assert_uint_eq(vm->nslots, 6);
	s = slot_at(vm, 0);
	ck_assert(s && s->size == 0xa0000 && !s->readonly && s->host == m.mem.ram);
	s = slot_at(vm, 0xc0000);
	ck_assert(s && s->size == 0x30000 && !s->readonly);
	s = slot_at(vm, 0xf0000);
	ck_assert(s && s->size == 0x10000 && s->readonly && s->host != rom + 16);
	ck_assert_int_eq(memcmp(s->host, rom + 16, 0x10000), 0);
	s = slot_at(vm, 0x100000);
	ck_assert(s && s->size == 0x100000 && !s->readonly);
	ck_assert_ptr_null(slot_at(vm, 0x200000)); /* the MMIO page exits */
	s = slot_at(vm, 0x201000);
	ck_assert(s && s->size == (16u << 20) - 0x201000);
	s = slot_at(vm, 0xffff0000);
	ck_assert(s && s->size == 0x10000 && s->readonly);

	/* Without the VGA window, low RAM is one slot again. */
	ck_assert_int_eq(mem_unmap(&m.mem, 0xa0000), 0);
	ck_assert_int_eq(kvm_slots_sync(vm, err, sizeof err), 0);
	ck_assert_uint_eq(vm->nslots, 5);
	s = slot_at(vm, 0);
	ck_assert(s && s->size == 0xf0000);
	engine_kvm.destroy(engine);
	machine_destroy(&m);
	free(rom);
}
END_TEST

/* A dirty-page log turns on KVM's logging in the slots it covers, and
 * only there; slots made anew when the map changes keep it; stopping the
 * log turns it off. KVM's own log joins each fetch. */
START_TEST(test_dirty_log_covers_its_slots)
{
	char err[200] = "";
	void *engine = NULL;
	struct kvm_vm *vm;
	uint64_t bits[4];
	int id;

	build_map();
	if (engine_kvm.create(&m, &engine, err, sizeof err) < 0) {
		ck_assert_msg(!kvm_openable(), "create failed with /dev/kvm there: %s", err);
		machine_destroy(&m);
		free(rom);
		return;
	}
	vm = engine;
	id = mem_dirty_start(&m.mem, 0x100000, 0x10000);
	ck_assert_int_ge(id, 0);
	ck_assert(slot_at(vm, 0x100000)->log);
	ck_assert(!slot_at(vm, 0)->log && !slot_at(vm, 0x201000)->log);
	ck_assert(!slot_at(vm, 0xf0000)->log);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, id, bits), 16);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, id, bits), 0);
	mem_write(&m.mem, 0x100000 + 0x3000, "x", 1);
	ck_assert_int_eq(mem_dirty_fetch(&m.mem, id, bits), 1);
	ck_assert_uint_eq(bits[0], 1u << 3);
	/* The low slots merge when the VGA window goes: the log stays on. */
	mem_dirty_stop(&m.mem, id);
	ck_assert(!slot_at(vm, 0x100000)->log);
	id = mem_dirty_start(&m.mem, 0x1000, 0x1000);
	ck_assert(slot_at(vm, 0)->log);
	ck_assert_int_eq(mem_unmap(&m.mem, 0xa0000), 0);
	ck_assert_int_eq(kvm_slots_sync(vm, err, sizeof err), 0);
	ck_assert(slot_at(vm, 0)->log && slot_at(vm, 0)->size == 0xf0000);
	ck_assert_int_ge(mem_dirty_fetch(&m.mem, id, bits), 0);
	mem_dirty_stop(&m.mem, id);
	ck_assert(!slot_at(vm, 0)->log);
	engine_kvm.destroy(engine);
	ck_assert_ptr_null(m.mem.dirty.engine);
	machine_destroy(&m);
	free(rom);
}
END_TEST

/* A machine reset turns KVM's paravirtual MSRs off (hv's reset is not
 * KVM's, which keeps them): kvm-clock's time page and wall clock, the PV
 * EOI flag. Left on, KVM would go on writing where the old kernel asked.
 * Needs a /dev/kvm that runs vCPUs; without one there is nothing to test. */
START_TEST(test_reset_turns_paravirtual_msrs_off)
{
	static const uint32_t idx[3] = {MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW,
					MSR_KVM_PV_EOI_EN};
	const uint64_t on[3] = {0x5000 | 1, 0x6000, 0x7000 | 1};
	struct kvm_msr_buf buf;
	struct vcpu_state st;
	char err[200] = "";
	void *engine = NULL, *vcpu = NULL;
	struct kvm_vm *vm;
	unsigned n;

	build_map();
	if (engine_kvm.create(&m, &engine, err, sizeof err) < 0 ||
	    engine_kvm.vcpu_create(engine, 0, &vcpu, err, sizeof err) < 0) {
		ck_assert_msg(!kvm_openable(), "create failed with /dev/kvm there: %s", err);
		goto out;
	}
	vm = engine;
	n = vm->pv_eoi ? 3 : vm->pvclock ? 2 : 0;
	ck_assert_int_eq(
	    ioctl(((struct kvm_vcpu *)vcpu)->fd, KVM_SET_MSRS, kvm_msrs_fill(&buf, idx, on, n)),
	    (int)n);
	ck_assert_int_eq(engine_kvm.vcpu_get_state(vcpu, &st, err, sizeof err), 0);
	ck_assert_uint_eq(st.pvclock_system_time, vm->pvclock ? on[0] : 0);
	ck_assert_uint_eq(st.pv_eoi, vm->pv_eoi ? on[2] : 0);
	engine_kvm.vcpu_reset(vcpu);
	ck_assert_int_eq(engine_kvm.vcpu_get_state(vcpu, &st, err, sizeof err), 0);
	ck_assert_uint_eq(st.pvclock_system_time, 0);
	ck_assert_uint_eq(st.pvclock_wall_clock, 0);
	ck_assert_uint_eq(st.pv_eoi, 0);
out:
	if (vcpu)
		engine_kvm.vcpu_destroy(vcpu);
	if (engine)
		engine_kvm.destroy(engine);
	machine_destroy(&m);
	free(rom);
}
END_TEST

static Suite *kvm_suite(void)
{
	Suite *s = suite_create("kvm");
	TCase *t = tcase_create("probe");

	/* The probe's own limits are 0.3 s for the guest, 2 s for KVM_RUN. */
	tcase_set_timeout(t, 30);
	tcase_add_test(t, test_probe_gives_a_reason);
	tcase_add_test(t, test_auto_follows_the_probe);
	tcase_add_test(t, test_forced_kvm_refuses_with_the_probe_reason);
	tcase_add_test(t, test_probe_fails_where_kvm_cannot_be_opened);
	suite_add_tcase(s, t);
	t = tcase_create("slots");
	tcase_add_test(t, test_memory_map_becomes_slots);
	tcase_add_test(t, test_dirty_log_covers_its_slots);
	suite_add_tcase(s, t);
	t = tcase_create("reset");
	tcase_add_test(t, test_reset_turns_paravirtual_msrs_off);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(kvm_suite());
}
