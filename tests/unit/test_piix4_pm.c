/* piix4_pm: the PMBASE window appearing on the port bus, the PM timer on
 * the virtual clock, S5 through PM1a control powering off, and the APM
 * port's ACPI enable/disable commands, the GPE0 and hotplug ports
 * reading as registers, and a seeded fuzz of every port. */
#include <check.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "legacy/piix4_pm.h"

#include "unit.h"

static struct bus pio;
static struct vclock clk;
static struct pci_bus pci;
static struct piix4_pm *pm;
static int poweroffs, last_status, sci_level;

static void sci_set(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	sci_level = level;
}

static const struct irq_line sci = {sci_set, NULL, 9};

static void poweroff(void *opaque, int status)
{
	(void)opaque;
	poweroffs++;
	last_status = status;
}

static void setup(void)
{
	bus_init(&pio, "pio");
	vclock_init(&clk);
	pci_bus_init(&pci);
	poweroffs = 0;
	last_status = -1;
	sci_level = 0;
	pm = piix4_pm_create(&pio, &clk, 1, sci, poweroff, NULL);
	ck_assert_ptr_nonnull(pm);
	ck_assert_int_eq(pci_bus_add(&pci, 1, 3, &pm->dev), 0);
}

static void teardown(void)
{
	piix4_pm_destroy(pm);
	bus_destroy(&pio);
}

static void enable_at(uint16_t base)
{
	pci_config_write(&pci, 1, 3, PIIX4_PM_PMBASE, 4, base | 1u);
	pci_config_write(&pci, 1, 3, PIIX4_PM_PMREGMISC, 1, 1);
}

START_TEST(test_identifies_as_8086_7113)
{
	ck_assert_uint_eq(pci_config_read(&pci, 1, 3, 0, 4), 0x71138086);
	ck_assert_uint_eq(pci_config_read(&pci, 1, 3, PIIX4_PM_PMBASE, 4), 1);
}
END_TEST

START_TEST(test_window_appears_only_when_enabled)
{
	pci_config_write(&pci, 1, 3, PIIX4_PM_PMBASE, 4, 0x601);
	ck_assert_ptr_null(bus_find(&pio, 0x604));
	ck_assert_uint_eq(pci_config_read(&pci, 1, 3, PIIX4_PM_PMBASE, 4), 0x601);
	pci_config_write(&pci, 1, 3, PIIX4_PM_PMREGMISC, 1, 1);
	ck_assert_ptr_nonnull(bus_find(&pio, 0x604));
	pci_config_write(&pci, 1, 3, PIIX4_PM_PMREGMISC, 1, 0);
	ck_assert_ptr_null(bus_find(&pio, 0x604));
}
END_TEST

START_TEST(test_window_moves_with_pmbase)
{
	enable_at(0x600);
	enable_at(0xb000);
	ck_assert_ptr_null(bus_find(&pio, 0x600));
	ck_assert_ptr_nonnull(bus_find(&pio, 0xb008));
}
END_TEST

START_TEST(test_pm_timer_counts_at_3_58_mhz_of_virtual_time)
{
	uint32_t t0, t1;

	enable_at(0x600);
	t0 = (uint32_t)bus_read(&pio, 0x608, 4);
	vclock_start(&clk);
	while (vclock_now(&clk) < 10000000) /* 10 ms */
		;
	vclock_stop(&clk);
	t1 = (uint32_t)bus_read(&pio, 0x608, 4);
	ck_assert_uint_ge((t1 - t0) & 0xffffff, 35795);
	ck_assert_uint_lt((t1 - t0) & 0xffffff, 3579545); /* a loaded host may be slow */
	ck_assert_uint_eq(t1 >> 24, 0);
}
END_TEST

START_TEST(test_slp_en_with_s5_type_powers_off)
{
	enable_at(0x600);
	bus_write(&pio, 0x604, 2, PM1_CNT_SCI_EN);
	ck_assert_int_eq(poweroffs, 0);
	ck_assert_uint_eq(bus_read(&pio, 0x604, 2), PM1_CNT_SCI_EN);
	bus_write(&pio, 0x604, 2, PM1_CNT_SLP_EN);
	ck_assert_int_eq(poweroffs, 1);
	ck_assert_int_eq(last_status, 0);
}
END_TEST

START_TEST(test_other_sleep_types_are_logged_and_ignored)
{
	enable_at(0x600);
	bus_write(&pio, 0x604, 2, PM1_CNT_SLP_EN | 1u << 10); /* S3 */
	bus_write(&pio, 0x605, 1, 0x20);		      /* a lone byte */
	ck_assert_int_eq(poweroffs, 0);
	ck_assert_uint_eq(bus_read(&pio, 0x620, 4), 0);
}
END_TEST

START_TEST(test_smm_reads_as_already_set_up)
{
	pci_config_write(&pci, 1, 3, PIIX4_PM_DEVACTB, 4, 0);
	ck_assert_uint_eq(pci_config_read(&pci, 1, 3, PIIX4_PM_DEVACTB, 4) &
			      PIIX4_PM_DEVACTB_APMC_EN,
			  PIIX4_PM_DEVACTB_APMC_EN);
}
END_TEST

START_TEST(test_apm_acpi_enable_and_disable_set_sci_en)
{
	enable_at(0x600);
	ck_assert_uint_eq(bus_read(&pio, 0x604, 2) & PM1_CNT_SCI_EN, 0);
	bus_write(&pio, PIIX4_APM_PORT, 1, PIIX4_APM_ENABLE);
	ck_assert_uint_eq(bus_read(&pio, 0x604, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_APM_PORT, 1), PIIX4_APM_ENABLE);
	bus_write(&pio, PIIX4_APM_PORT, 1, 0x42); /* another command: stored only */
	ck_assert_uint_eq(bus_read(&pio, 0x604, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	bus_write(&pio, PIIX4_APM_PORT, 1, PIIX4_APM_DISABLE);
	ck_assert_uint_eq(bus_read(&pio, 0x604, 2) & PM1_CNT_SCI_EN, 0);
	bus_write(&pio, PIIX4_APM_PORT + 1, 1, 0x5a); /* APMS: a scratch byte */
	ck_assert_uint_eq(bus_read(&pio, PIIX4_APM_PORT, 2), 0x5a00 | PIIX4_APM_DISABLE);
}
END_TEST

START_TEST(test_reset_removes_the_window)
{
	enable_at(0x600);
	piix4_pm_reset(pm);
	ck_assert_ptr_null(bus_find(&pio, 0x600));
}
END_TEST

START_TEST(test_gpe0_block_reads_as_registers_not_open_bus)
{
	/* Status clear and enables off: an open bus's all-ones made Linux run
	 * every GPE method of SeaBIOS's DSDT. */
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT, 4), 0);
	bus_write(&pio, PIIX4_GPE0_PORT + 2, 2, 0x0006);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT, 4), 0x00060000);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT + 3, 1), 0);
	bus_write(&pio, PIIX4_GPE0_PORT, 2, 0xffff); /* write one to clear: sets nothing */
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT, 2), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT + 2, 1), 0x06);
	piix4_pm_reset(pm);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT, 4), 0);
}
END_TEST

START_TEST(test_pci_hotplug_reports_no_slot_up_or_down_and_keeps_ejected_devices)
{
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_UP, 4), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_DOWN, 4), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_REMOVABLE, 4), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_BSEL, 4), 0);
	bus_write(&pio, PIIX4_PCIHP_PORT + PCIHP_EJECT, 4, 1u << 1); /* _EJ0 of slot 1 */
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_DOWN, 4), 0);
	ck_assert_uint_eq(pci_config_read(&pci, 1, 3, 0, 4), 0x71138086);
}
END_TEST

START_TEST(test_cpu_present_bitmap_has_one_bit_per_cpu)
{
	struct bus other;
	struct piix4_pm *ten;

	ck_assert_uint_eq(bus_read(&pio, PIIX4_CPUHP_PORT, 4), 1);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_CPUHP_PORT + 28, 4), 0);
	bus_init(&other, "other");
	ten = piix4_pm_create(&other, &clk, 10, (struct irq_line){0}, poweroff, NULL);
	ck_assert_ptr_nonnull(ten);
	ck_assert_uint_eq(bus_read(&other, PIIX4_CPUHP_PORT, 4), 0x3ff);
	ck_assert_uint_eq(bus_read(&other, PIIX4_CPUHP_PORT + 1, 1), 0x03);
	piix4_pm_destroy(ten);
	ck_assert_ptr_null(bus_find(&other, PIIX4_CPUHP_PORT));
	ck_assert_ptr_null(bus_find(&other, PIIX4_GPE0_PORT));
	bus_destroy(&other);
}
END_TEST

/* The power button as Linux's ACPI driver sees it: latched in PM1 status
 * whether or not anyone listens, the SCI raised only in ACPI mode with the
 * event enabled, and lowered when the OS writes the status bit back. */
START_TEST(test_power_button_raises_sci_until_status_cleared)
{
	enable_at(0x600);
	ck_assert(!piix4_pm_power_button(pm)); /* no ACPI OS yet */
	ck_assert_uint_eq(bus_read(&pio, 0x600, 2) & PM1_STS_PWRBTN, PM1_STS_PWRBTN);
	ck_assert_int_eq(sci_level, 0);
	bus_write(&pio, 0x600, 2, PM1_STS_PWRBTN);
	ck_assert_uint_eq(bus_read(&pio, 0x600, 2) & PM1_STS_PWRBTN, 0);

	bus_write(&pio, PIIX4_APM_PORT, 1, PIIX4_APM_ENABLE); /* SCI_EN */
	bus_write(&pio, 0x602, 2, PM1_STS_PWRBTN);	      /* PM1_EN: the button */
	ck_assert_int_eq(sci_level, 0);
	ck_assert(piix4_pm_power_button(pm));
	ck_assert_int_eq(sci_level, 1);
	bus_write(&pio, 0x600, 2, PM1_STS_SLPBTN); /* another bit: still pending */
	ck_assert_int_eq(sci_level, 1);
	bus_write(&pio, 0x600, 2, PM1_STS_PWRBTN);
	ck_assert_int_eq(sci_level, 0);

	/* A press latched while disabled raises the SCI once enabled. */
	bus_write(&pio, 0x602, 2, 0);
	ck_assert(!piix4_pm_power_button(pm));
	ck_assert_int_eq(sci_level, 0);
	bus_write(&pio, 0x602, 2, PM1_STS_PWRBTN);
	ck_assert_int_eq(sci_level, 1);
	piix4_pm_reset(pm);
	ck_assert_int_eq(sci_level, 0);
}
END_TEST

/* Random accesses of every width to all its ports and its configuration
 * space: it keeps running, identifies itself, reports no GPE, hotplug or
 * CPU change, and a fresh PMBASE still places a working window. */
START_TEST(test_fuzz_all_ports)
{
	static const uint16_t bases[] = {PIIX4_APM_PORT, PIIX4_GPE0_PORT, PIIX4_PCIHP_PORT,
					 PIIX4_CPUHP_PORT, 0x600};
	static const uint8_t spans[] = {2, PIIX4_GPE0_LEN, PIIX4_PCIHP_LEN, PIIX4_CPUHP_LEN,
					PIIX4_PM_IO_LEN};

	unit_seed(0x7113u + (uint32_t)_i);
	enable_at(0x600);
	for (unsigned i = 0; i < 100000; i++) {
		unsigned which = unit_rand() % 6, size = 1u << (unit_rand() % 3);
		uint32_t value = unit_rand();

		if (which == 5) { /* configuration space, PMBASE and the BARs included */
			unsigned reg = unit_rand() % 256;
			if (unit_rand() % 2)
				pci_config_write(&pci, 1, 3, reg, size, value);
			else
				pci_config_read(&pci, 1, 3, reg, size);
			continue;
		}
		uint16_t port = (uint16_t)(bases[which] + unit_rand() % spans[which]);
		if (unit_rand() % 2)
			bus_write(&pio, port, size, value);
		else
			bus_read(&pio, port, size);
	}
	ck_assert_uint_eq(pci_config_read(&pci, 1, 3, 0, 4), 0x71138086);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_GPE0_PORT, 2), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_UP, 4), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_PCIHP_PORT + PCIHP_DOWN, 4), 0);
	ck_assert_uint_eq(bus_read(&pio, PIIX4_CPUHP_PORT, 4), 1);
	enable_at(0xb000);
	ck_assert_uint_lt(bus_read(&pio, 0xb008, 4), 1u << 24); /* the PM timer, not open bus */
}
END_TEST

static Suite *piix4_pm_suite(void)
{
	Suite *s = suite_create("piix4_pm");
	TCase *t = tcase_create("pm");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_identifies_as_8086_7113);
	tcase_add_test(t, test_window_appears_only_when_enabled);
	tcase_add_test(t, test_window_moves_with_pmbase);
	tcase_add_test(t, test_pm_timer_counts_at_3_58_mhz_of_virtual_time);
	tcase_add_test(t, test_slp_en_with_s5_type_powers_off);
	tcase_add_test(t, test_other_sleep_types_are_logged_and_ignored);
	tcase_add_test(t, test_smm_reads_as_already_set_up);
	tcase_add_test(t, test_apm_acpi_enable_and_disable_set_sci_en);
	tcase_add_test(t, test_reset_removes_the_window);
	tcase_add_test(t, test_gpe0_block_reads_as_registers_not_open_bus);
	tcase_add_test(t, test_pci_hotplug_reports_no_slot_up_or_down_and_keeps_ejected_devices);
	tcase_add_test(t, test_cpu_present_bitmap_has_one_bit_per_cpu);
	tcase_add_test(t, test_power_button_raises_sci_until_status_cleared);
	tcase_add_loop_test(t, test_fuzz_all_ports, 0, 3);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(piix4_pm_suite());
}
