/* pci: configuration mechanism #1 through CF8h/CFCh, writable masks, BAR
 * sizing and the per-device hooks. */
#include <check.h>

#include "hv/core/pci.h"
#include "hv/core/state.h"

#include "unit.h"

static struct pci_bus bus;
static struct pci_device host, nic;
static unsigned written_calls, written_offset, written_size;

static void on_written(struct pci_device *d, unsigned offset, unsigned size)
{
	(void)d;
	written_calls++;
	written_offset = offset;
	written_size = size;
}

static uint32_t live_read(struct pci_device *d, unsigned offset, unsigned size, uint32_t value)
{
	(void)d;
	(void)size;
	return offset == 0x40 ? 0xa5 : value;
}

static const struct pci_ops hooks = {on_written, live_read};

static void setup(void)
{
	pci_bus_init(&bus);
	pci_device_init(&host, 0x8086, 0x1237, 0x06, 0x00, 0x02, "host");
	pci_device_init(&nic, 0x10ec, 0x8139, 0x02, 0x00, 0x20, "nic");
	pci_set_bar(&nic, 0, 256, PCI_BAR_IO);
	pci_set_bar(&nic, 1, 4096, 0);
	nic.wmask[0x44] = 0x0f;
	nic.ops = &hooks;
	written_calls = 0;
	ck_assert_int_eq(pci_bus_add(&bus, 0, 0, &host), 0);
	ck_assert_int_eq(pci_bus_add(&bus, 3, 0, &nic), 0);
}

static void select_reg(unsigned slot, unsigned func, unsigned reg)
{
	pci_address_io_ops.write(&bus, 0, 4, 0x80000000u | slot << 11 | func << 8 | reg);
}

static uint32_t data_in(unsigned offset, unsigned size)
{
	return (uint32_t)pci_data_io_ops.read(&bus, offset, size);
}

START_TEST(test_dword_read_returns_vendor_and_device)
{
	select_reg(0, 0, 0);
	ck_assert_uint_eq(data_in(0, 4), 0x12378086);
}
END_TEST

START_TEST(test_byte_and_word_reads_at_any_offset_of_the_data_port)
{
	select_reg(0, 0, 0);
	ck_assert_uint_eq(data_in(0, 1), 0x86);
	ck_assert_uint_eq(data_in(1, 1), 0x80);
	ck_assert_uint_eq(data_in(2, 2), 0x1237);
	ck_assert_uint_eq(data_in(3, 1), 0x12);
	select_reg(0, 0, 8);
	ck_assert_uint_eq(data_in(3, 1), 0x06); /* base class */
}
END_TEST

START_TEST(test_address_latch_reads_back_and_ignores_partial_writes)
{
	select_reg(3, 0, 0x13);
	ck_assert_uint_eq(pci_address_io_ops.read(&bus, 0, 4), 0x80001810);
	pci_address_io_ops.write(&bus, 1, 1, 0xff);
	ck_assert_uint_eq(pci_address_io_ops.read(&bus, 0, 4), 0x80001810);
}
END_TEST

START_TEST(test_missing_device_disabled_address_and_other_bus_read_all_ones)
{
	select_reg(5, 0, 0);
	ck_assert_uint_eq(data_in(0, 4), 0xffffffffu);
	ck_assert_uint_eq(data_in(0, 2), 0xffff);
	pci_address_io_ops.write(&bus, 0, 4, 0x00000000u);
	ck_assert_uint_eq(data_in(0, 4), 0xffffffffu);
	pci_address_io_ops.write(&bus, 0, 4, 0x80010000u);
	ck_assert_uint_eq(data_in(0, 4), 0xffffffffu);
}
END_TEST

START_TEST(test_read_only_fields_ignore_writes)
{
	select_reg(0, 0, 0);
	pci_data_io_ops.write(&bus, 0, 4, 0);
	ck_assert_uint_eq(data_in(0, 4), 0x12378086);
}
END_TEST

START_TEST(test_writable_mask_keeps_read_only_bits)
{
	select_reg(3, 0, 0x44);
	pci_data_io_ops.write(&bus, 0, 1, 0xff);
	ck_assert_uint_eq(data_in(0, 1), 0x0f);
	select_reg(3, 0, 0x04);
	pci_data_io_ops.write(&bus, 0, 2, 0xffff);
	ck_assert_uint_eq(data_in(0, 2), 0x0407);
}
END_TEST

START_TEST(test_io_bar_sizing_reads_back_size_mask_and_flag)
{
	select_reg(3, 0, PCI_BAR0);
	pci_data_io_ops.write(&bus, 0, 4, 0xffffffffu);
	ck_assert_uint_eq(data_in(0, 4), 0xffffff01u);
	pci_data_io_ops.write(&bus, 0, 4, 0xc100);
	ck_assert_uint_eq(data_in(0, 4), 0xc101);
	ck_assert_uint_eq(pci_bar_address(&nic, 0), 0xc100);
}
END_TEST

START_TEST(test_memory_bar_sizing_and_unused_bar_reads_zero)
{
	select_reg(3, 0, PCI_BAR0 + 4);
	pci_data_io_ops.write(&bus, 0, 4, 0xffffffffu);
	ck_assert_uint_eq(data_in(0, 4), 0xfffff000u);
	pci_data_io_ops.write(&bus, 0, 4, 0xfebf1234u);
	ck_assert_uint_eq(pci_bar_address(&nic, 1), 0xfebf1000u);
	select_reg(3, 0, PCI_BAR0 + 8);
	pci_data_io_ops.write(&bus, 0, 4, 0xffffffffu);
	ck_assert_uint_eq(data_in(0, 4), 0);
}
END_TEST

START_TEST(test_hooks_see_writes_and_may_replace_reads)
{
	select_reg(3, 0, 0x44);
	pci_data_io_ops.write(&bus, 2, 2, 0x1234);
	ck_assert_uint_eq(written_calls, 1);
	ck_assert_uint_eq(written_offset, 0x46);
	ck_assert_uint_eq(written_size, 2);
	select_reg(3, 0, 0x40);
	ck_assert_uint_eq(data_in(0, 1), 0xa5);
}
END_TEST

START_TEST(test_places_are_checked)
{
	struct pci_device other;

	pci_device_init(&other, 1, 2, 3, 4, 5, "other");
	ck_assert_int_eq(pci_bus_add(&bus, 3, 0, &other), -1);
	ck_assert_int_eq(pci_bus_add(&bus, 32, 0, &other), -1);
	ck_assert_int_eq(pci_bus_add(&bus, 3, 8, &other), -1);
	ck_assert_int_eq(pci_bus_add(&bus, 3, 1, &other), 0);
	ck_assert_uint_eq(pci_config_read(&bus, 3, 1, 0, 2), 1);
}
END_TEST

START_TEST(test_direct_access_clips_at_the_dword)
{
	ck_assert_uint_eq(pci_config_read(&bus, 0, 0, 3, 4), 0x12);
	pci_config_write(&bus, 3, 0, 0x47, 4, 0xffffffffu); /* only byte 47h */
	ck_assert_uint_eq(pci_config_read(&bus, 3, 0, 0x44, 4), 0);
}
END_TEST

/* Save and load of the bus (device ops): the address latch comes back; a
 * latch value no CF8h write leaves, or a short state, is refused. */
START_TEST(test_saveLoad_bringsBackTheAddressLatch)
{
	struct pci_bus other;
	struct state_out o = {0};
	struct state_in st;

	select_reg(3, 0, 0x10);
	pci_bus_device_ops.save(&bus, &o);
	ck_assert_uint_eq(o.len, 4);
	pci_bus_init(&other);
	o.p[0] |= 1;
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(pci_bus_device_ops.load(&other, &st, 1), -1);
	o.p[0] &= (uint8_t)~1;
	st = state_in_make(o.p, 3);
	ck_assert_int_eq(pci_bus_device_ops.load(&other, &st, 1), -1);
	ck_assert_uint_eq(pci_address_io_ops.read(&other, 0, 4), 0);
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(pci_bus_device_ops.load(&other, &st, 1), 0);
	ck_assert_uint_eq(pci_address_io_ops.read(&other, 0, 4), 0x80001810);
	state_out_free(&o);
}
END_TEST

static Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *t = tcase_create("config");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, test_dword_read_returns_vendor_and_device);
	tcase_add_test(t, test_byte_and_word_reads_at_any_offset_of_the_data_port);
	tcase_add_test(t, test_address_latch_reads_back_and_ignores_partial_writes);
	tcase_add_test(t, test_missing_device_disabled_address_and_other_bus_read_all_ones);
	tcase_add_test(t, test_read_only_fields_ignore_writes);
	tcase_add_test(t, test_writable_mask_keeps_read_only_bits);
	tcase_add_test(t, test_io_bar_sizing_reads_back_size_mask_and_flag);
	tcase_add_test(t, test_memory_bar_sizing_and_unused_bar_reads_zero);
	tcase_add_test(t, test_hooks_see_writes_and_may_replace_reads);
	tcase_add_test(t, test_places_are_checked);
	tcase_add_test(t, test_direct_access_clips_at_the_dword);
	tcase_add_test(t, test_saveLoad_bringsBackTheAddressLatch);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(pci_suite());
}
