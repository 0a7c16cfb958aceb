/* The PC platform chips seen from guests: PIC, PIT and RTC driving a timer
 * interrupt in HLT, and COM1 receive interrupts through the PIC. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "harness.h"

/* debugcon = file in the test directory; its path goes to path. */
static const char *debugcon_line(char *path, size_t len)
{
	static char line[600];

	snprintf(path, len, "%s/e9.txt", h_setup_dir());
	snprintf(line, sizeof line, "debugcon = \"file:%s\"\n", path);
	return line;
}

static double children_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_timer_guest_counts_pit_ticks_in_hlt_and_reads_the_rtc)
{
	char path[512];
	double cpu0 = children_cpu_seconds(), t0 = wall_seconds(), cpu, wall;
	struct h_result *r =
	    h_hv(NULL, 120,
		 (const char *const[]){
		     "run", h_guest_cfg("timer", "timer", debugcon_line(path, sizeof path)), NULL});
	const char *e9 = h_slurp(path);

	cpu = children_cpu_seconds() - cpu0;
	wall = wall_seconds() - t0;
	ck_assert_msg(r->status == ((0x10 << 1) | 1), "status %d, debugcon:\n%s", r->status, e9);
	ck_assert_ptr_nonnull(strstr(e9, "PASS programmed\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS 10 ticks in HLT\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS pit latch and read-back\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS rtc bcd\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS rtc seconds advance\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS rtc second is at most 100 ticks\n"));
	ck_assert_ptr_nonnull(strstr(e9, "PASS all\n"));
	ck_assert_ptr_null(strstr(e9, "FAIL"));
	/* The vCPU sleeps between ticks: a busy one would use the whole
	 * run's time. Generous, so a loaded machine cannot fail it. */
	ck_assert_msg(cpu < 0.5 * wall + 0.3, "%.2f s of CPU in %.2f s", cpu, wall);
}
END_TEST

START_TEST(test_serial_irq_guest_echoes_input_from_its_interrupt_handler)
{
	char path[512];
	struct h_result *r =
	    h_hv("hello there\rq", 120,
		 (const char *const[]){
		     "run", h_guest_cfg("serirq", "serial_irq", debugcon_line(path, sizeof path)),
		     NULL});

	ck_assert_msg(r->status == ((0x11 << 1) | 1), "status %d, out:\n%s", r->status, r->out);
	ck_assert_ptr_nonnull(strstr(r->out, "irq echo ready\r\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "hello there\r"));
	ck_assert_ptr_nonnull(strstr(r->out, "bye\r\n"));
	ck_assert_str_eq(h_slurp(path), "PASS serial irq\n");
}
END_TEST

START_TEST(test_seabios_finds_fw_cfg_pci_chipset_and_acpi_and_reaches_boot)
{
	const char *bios = "/usr/share/seabios/bios-256k.bin";
	FILE *f = fopen(bios, "rb");
	char path[512], text[1024];
	const char *log;

	/* Not a skip: the set-up script installs seabios. */
	ck_assert_msg(f != NULL, "%s is missing: install Debian's seabios package", bios);
	fclose(f);
	snprintf(path, sizeof path, "%s/seabios.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"seabios\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "debugcon = \"file:%s\"\n",
		 bios, path);
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file("seabios.cfg", text), NULL})
		->status,
	    0);
	/* Until POST ends (seconds); the deadline only bounds a hang. */
	for (int i = 0; i < 3000 && !strstr(h_slurp(path), "No bootable device."); i++)
		usleep(100 * 1000);
	h_hv(NULL, 30, (const char *const[]){"destroy", "seabios", NULL});
	log = h_slurp(path);
	ck_assert_msg(strstr(log, "Found QEMU fw_cfg\n"), "debug output:\n%s", log);
	ck_assert_msg(strstr(log, "QEMU fw_cfg DMA interface supported\n"), "%s", log);
	ck_assert_msg(
	    strstr(log, "qemu/e820: addr 0x0000000000000000 len 0x0000000002000000 [RAM]"), "%s",
	    log);
	ck_assert_msg(strstr(log, "PCI: init bdf=00:00.0 id=8086:1237\n"), "%s", log);
	ck_assert_msg(strstr(log, "PCI: init bdf=00:01.0 id=8086:7000\n"), "%s", log);
	ck_assert_msg(strstr(log, "Scan for VGA option rom\n"), "%s", log);
	ck_assert_msg(strstr(log, "PCI: init bdf=00:01.3 id=8086:7113\n"), "%s", log);
	ck_assert_msg(strstr(log, "Using pmtimer, ioport "), "%s", log);
	ck_assert_msg(strstr(log, "ACPI DSDT="), "%s", log);
	ck_assert_msg(strstr(log, "0: 0000000000000000 - 000000000009fc00 = 1 RAM\n"), "%s", log);
	ck_assert_msg(strstr(log, "No bootable device."), "%s", log);
}
END_TEST

static Suite *platform_suite(void)
{
	Suite *s = suite_create("platform");
	TCase *t = tcase_create("guests");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_timer_guest_counts_pit_ticks_in_hlt_and_reads_the_rtc);
	tcase_add_test(t, test_serial_irq_guest_echoes_input_from_its_interrupt_handler);
	tcase_add_test(t, test_seabios_finds_fw_cfg_pci_chipset_and_acpi_and_reaches_boot);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(platform_suite());
}
