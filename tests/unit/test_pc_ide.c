/* pc_ide: the IDE wiring of the PC as firmware sees it through ports: the
 * PIIX IDE function at 00:01.1, the legacy channels at 1F0h/170h with
 * their drives, BAR4 decoding, and the CMOS bytes for the boot order and
 * the fixed disk. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/machine.h"
#include "legacy/pc_int.h"

#include "unit.h"

#define DISK_BYTES (64ull << 20) /* 130048 sectors: 129 cylinders of 16 x 63 */

static struct machine m;
static struct pc *pc;
static struct disk *disk;
static char path[64];

static void build(const char *boot, bool cdrom_at_hdc)
{
	struct pc_hooks h = {.boot = boot};
	char err[256];

	h.ide[0] = disk;
	h.ide_cdrom[2] = cdrom_at_hdc;
	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	pc = pc_create(&m, &h, err, sizeof err);
	ck_assert_msg(pc != NULL, "%s", err);
}

static void setup(void)
{
	char err[256];
	int fd;

	strcpy(path, "/tmp/hv-test-pcide-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_eq(ftruncate(fd, (off_t)DISK_BYTES), 0);
	close(fd);
	disk = disk_open(path, false, err, sizeof err);
	ck_assert_ptr_nonnull(disk);
}

static void teardown(void)
{
	pc_free(pc);
	machine_destroy(&m);
	disk_close(disk);
	unlink(path);
}

static uint8_t cmos(uint8_t index)
{
	bus_write(&m.pio, PC_RTC_BASE, 1, index);
	return (uint8_t)bus_read(&m.pio, PC_RTC_BASE + 1, 1);
}

static uint32_t pci_read(unsigned func, unsigned reg)
{
	bus_write(&m.pio, PCI_CONFIG_ADDRESS, 4,
		  0x80000000u | PC_PIIX3_SLOT << 11 | func << 8 | reg);
	return (uint32_t)bus_read(&m.pio, PCI_CONFIG_DATA, 4);
}

static void pci_write(unsigned func, unsigned reg, uint32_t v)
{
	bus_write(&m.pio, PCI_CONFIG_ADDRESS, 4,
		  0x80000000u | PC_PIIX3_SLOT << 11 | func << 8 | reg);
	bus_write(&m.pio, PCI_CONFIG_DATA, 4, v);
}

START_TEST(function_and_channels_answer_on_their_ports)
{
	build("c", true);
	ck_assert_uint_eq(pci_read(PC_PIIX_IDE_FUNC, 0), 0x70108086);
	ck_assert_uint_eq(pci_read(PC_PIIX_IDE_FUNC, 8) >> 8, 0x010180);
	bus_write(&m.pio, PC_IDE0_BASE + IDE_SELECT, 1, 0xA0);
	ck_assert_uint_eq(bus_read(&m.pio, PC_IDE0_BASE + IDE_STATUS, 1) & IDE_ST_DRDY,
			  IDE_ST_DRDY);
	bus_write(&m.pio, PC_IDE1_BASE + IDE_SELECT, 1, 0xA0); /* the CD-ROM's signature */
	ck_assert_uint_eq(bus_read(&m.pio, PC_IDE1_BASE + IDE_LCYL, 1), 0x14);
	ck_assert_uint_eq(bus_read(&m.pio, PC_IDE1_BASE + IDE_HCYL, 1), 0xEB);
	ck_assert_uint_eq(bus_read(&m.pio, PC_IDE0_CTL, 1) & IDE_ST_DRDY, IDE_ST_DRDY);
	/* BAR4 placed and enabled the way firmware does it */
	pci_write(PC_PIIX_IDE_FUNC, 0x20, 0xFFFFFFFF);
	ck_assert_uint_eq(pci_read(PC_PIIX_IDE_FUNC, 0x20), 0xFFFFFFF1);
	pci_write(PC_PIIX_IDE_FUNC, 0x20, 0xC040);
	pci_write(PC_PIIX_IDE_FUNC, 4, 0x5);
	bus_write(&m.pio, 0xC044, 4, 0x12345678);
	ck_assert_uint_eq(bus_read(&m.pio, 0xC044, 4), 0x12345678 & ~3u);
	device_reset_all(&m.devices); /* reset unmaps it again */
	ck_assert_uint_eq(bus_read(&m.pio, 0xC044, 4), 0xFFFFFFFF);
}
END_TEST

START_TEST(cmos_boot_order_and_disk_geometry)
{
	build("dc", false);
	ck_assert_uint_eq(cmos(0x3D), 0x23); /* CD-ROM, then hard disk */
	ck_assert_uint_eq(cmos(0x38) >> 4, 0);
	ck_assert_uint_eq(cmos(0x12), 0xF0); /* drive 0 present, type in 19h */
	ck_assert_uint_eq(cmos(0x19), 47);
	ck_assert_uint_eq(cmos(0x1B) | cmos(0x1C) << 8, DISK_BYTES / 512 / (16 * 63));
	ck_assert_uint_eq(cmos(0x1D), 16);
	ck_assert_uint_eq(cmos(0x23), 63);
	ck_assert_uint_eq(cmos(0x1A), 0); /* no drive 1 */
}
END_TEST

START_TEST(floppy_first_boot_order)
{
	build("acd", false);
	ck_assert_uint_eq(cmos(0x3D), 0x21);
	ck_assert_uint_eq(cmos(0x38) >> 4, 3);
}
END_TEST

static Suite *pc_ide_suite(void)
{
	Suite *s = suite_create("pc_ide");
	TCase *t = tcase_create("wiring");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, function_and_channels_answer_on_their_ports);
	tcase_add_test(t, cmos_boot_order_and_disk_geometry);
	tcase_add_test(t, floppy_first_boot_order);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(pc_ide_suite());
}
