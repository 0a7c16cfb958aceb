/* pc_fdc: the floppy wiring of the PC as firmware sees it through ports:
 * the CMOS drive types (10h) and equipment byte (14h), a sector read
 * through the 8237 at 00h-0Fh/81h and the 82077AA at 3F0h with IRQ 6,
 * port 80h still the POST port beside the page registers, a reset
 * putting both chips back, and an image of no floppy size refused. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/machine.h"
#include "legacy/pc_int.h"

#include "unit.h"

static struct machine m;
static struct pc *pc;
static struct disk *disks[2];
static char paths[2][64];
static unsigned post_code, post_calls;

static void post(void *opaque, uint8_t code)
{
	(void)opaque;
	post_code = code;
	post_calls++;
}

/* An image of bytes bytes whose byte i is i * 7 (mod 256) past the start. */
static struct disk *make_disk(unsigned n, uint64_t bytes)
{
	char err[256];
	uint8_t buf[4096];
	int fd;

	strcpy(paths[n], "/tmp/hv-test-pcfdc-XXXXXX");
	fd = mkstemp(paths[n]);
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7);
	ck_assert_int_eq(write(fd, buf, sizeof buf), sizeof buf);
	ck_assert_int_eq(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
	disks[n] = disk_open(paths[n], false, err, sizeof err);
	ck_assert_ptr_nonnull(disks[n]);
	return disks[n];
}

static struct pc *build(struct disk *a, struct disk *b, char *err, size_t errlen)
{
	struct pc_hooks h = {.boot = "a", .post = post};

	h.floppy[0] = a;
	h.floppy[1] = b;
	ck_assert_int_eq(machine_init(&m, 16u << 20, err, errlen), 0);
	pc = pc_create(&m, &h, err, errlen);
	return pc;
}

static void setup(void)
{
	pc = NULL;
	disks[0] = disks[1] = NULL;
	post_calls = 0;
}

static void teardown(void)
{
	pc_free(pc);
	machine_destroy(&m);
	for (unsigned i = 0; i < 2; i++) {
		if (!disks[i])
			continue;
		disk_close(disks[i]);
		unlink(paths[i]);
	}
}

static uint8_t cmos(uint8_t index)
{
	bus_write(&m.pio, PC_RTC_BASE, 1, index);
	return (uint8_t)bus_read(&m.pio, PC_RTC_BASE + 1, 1);
}

static void out(uint16_t port, uint8_t v)
{
	bus_write(&m.pio, port, 1, v);
}

static uint8_t in(uint16_t port)
{
	return (uint8_t)bus_read(&m.pio, port, 1);
}

START_TEST(cmos_describes_both_drives_and_the_boot_order)
{
	char err[256];

	ck_assert_ptr_nonnull(build(make_disk(0, 1474560), make_disk(1, 737280), err, sizeof err));
	ck_assert_uint_eq(cmos(0x10), 0x43);	 /* A: 1.44 MB, B: 720 KB */
	ck_assert_uint_eq(cmos(0x14), 0x47);	 /* two floppies, x87, PS/2 mouse */
	ck_assert_uint_eq(cmos(0x3D) & 0x0F, 1); /* floppy first */
}
END_TEST

START_TEST(no_floppies_leave_the_types_empty)
{
	char err[256];

	ck_assert_ptr_nonnull(build(NULL, NULL, err, sizeof err));
	ck_assert_uint_eq(cmos(0x10), 0);
	ck_assert_uint_eq(cmos(0x14), 0x06);
}
END_TEST

START_TEST(an_image_of_no_floppy_size_is_refused)
{
	char err[512];

	ck_assert_ptr_null(build(make_disk(0, 1000000), NULL, err, sizeof err));
	ck_assert_msg(strstr(err, paths[0]) && strstr(err, "not a floppy image size") &&
			  strstr(err, "1474560 (1.44 MB)"),
		      "%s", err);
}
END_TEST

static void fdc_cmd(const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(in(PC_FDC_BASE + FDC_MSR) & 0xC0, 0x80);
		out(PC_FDC_BASE + FDC_FIFO, b[i]);
	}
}

static void fdc_results(uint8_t *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(in(PC_FDC_BASE + FDC_MSR) & 0xC0, 0xC0);
		r[i] = in(PC_FDC_BASE + FDC_FIFO);
	}
}

/* SeaBIOS's way: DMA set-up on channel 2 (page 81h), the controller out of
 * reset, READ DATA of sector 1; the PIC sees IRQ 6. */
START_TEST(sector_read_through_the_ports_and_reset)
{
	char err[256];
	uint8_t r[7], got[16];

	ck_assert_ptr_nonnull(build(make_disk(0, 1474560), NULL, err, sizeof err));
	out(0xD6, 0xC0); /* DMA2 mode: channel 4 cascade */
	out(0xD4, 0x00); /* unmask it */
	out(0x0A, 0x06);
	out(0x0C, 0);
	out(0x04, 0x00);
	out(0x04, 0x20); /* 2000h */
	out(0x0C, 0);
	out(0x05, 0xFF);
	out(0x05, 0x01); /* 512 bytes */
	out(0x0B, 0x46);
	out(0x81, 0x03); /* page 3: 32000h */
	out(0x0A, 0x02);
	out(0x80, 0x42);
	ck_assert_uint_eq(post_calls, 1);
	ck_assert_uint_eq(post_code, 0x42);
	ck_assert_uint_eq(in(0x81), 0x03);
	out(PC_FDC_BASE + FDC_DOR, 0x1C);
	for (unsigned i = 0; i < 4; i++) {
		fdc_cmd((const uint8_t[]){0x08}, 1);
		fdc_results(r, 2);
	}
	out(PC_FDC_BASE + FDC_CCR, 0);
	fdc_cmd((const uint8_t[]){0xE6, 0, 0, 0, 1, 2, 1, 0x1B, 0xFF}, 9);
	ck_assert(pc->pic->chip[0].pins & (1u << PC_FDC_IRQ));
	fdc_results(r, 7);
	ck_assert(!(pc->pic->chip[0].pins & (1u << PC_FDC_IRQ)));
	ck_assert_uint_eq(r[0] & 0xC0, 0);
	mem_read(&m.mem, 0x32000, got, sizeof got);
	for (unsigned i = 0; i < sizeof got; i++)
		ck_assert_uint_eq(got[i], (uint8_t)(i * 7));
	ck_assert_uint_eq(in(0x08) & 0x04, 0x04); /* channel 2 reached TC */
	device_reset_all(&m.devices);
	ck_assert_uint_eq(in(PC_FDC_BASE + FDC_MSR), 0); /* held in reset */
	ck_assert_uint_eq(in(0x0F) & 0x0F, 0x0F);	 /* all channels masked */
}
END_TEST

static Suite *pc_fdc_suite(void)
{
	Suite *s = suite_create("pc_fdc");
	TCase *t = tcase_create("wiring");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, cmos_describes_both_drives_and_the_boot_order);
	tcase_add_test(t, no_floppies_leave_the_types_empty);
	tcase_add_test(t, an_image_of_no_floppy_size_is_refused);
	tcase_add_test(t, sector_read_through_the_ports_and_reset);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(pc_fdc_suite());
}
