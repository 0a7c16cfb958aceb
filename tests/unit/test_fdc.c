/* fdc: the 82077AA against a temporary 1.44 MB image through a real 8237:
 * the reset sequence and its four SENSE INTERRUPTs, SPECIFY/CONFIGURE/LOCK
 * seen in DUMPREG, RECALIBRATE and SEEK with their interrupts, the disk
 * change line (raised by a disk swap, cleared by a step), DMA reads (multi-sector, multi-track, end
 * of cylinder), writes that reach the image, write protect, READ ID and the data rate, FORMAT
 * TRACK, invalid commands, and a seeded fuzz of every port. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/memory.h"
#include "legacy/dma8237.h"
#include "legacy/fdc.h"

#include "unit.h"

#define MIB	(1024ull * 1024)
#define SPT	18
#define SECTORS (80 * 2 * SPT)
#define BUF	0x10000

static struct guest_mem m;
static struct dma8237 *dma;
static struct fdc *f;
static struct disk *disk;
static char path[64];
static int irq_level, irq_rises;

static void set_irq(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	irq_rises += level && !irq_level;
	irq_level = level;
}

static uint8_t pattern(unsigned lba, unsigned i)
{
	return (uint8_t)(lba * 13 + i);
}

static void open_disk(bool ro)
{
	char err[256];

	if (disk)
		disk_close(disk);
	disk = disk_open(path, ro, err, sizeof err);
	ck_assert_msg(disk != NULL, "%s", err);
	ck_assert_int_eq(fdc_attach(f, 0, disk, err, sizeof err), 0);
}

static void setup(void)
{
	char err[128];
	int fd;
	uint8_t *img = malloc((size_t)SECTORS * 512);

	ck_assert_int_eq(mem_init(&m, 1 * MIB, err, sizeof err), 0);
	dma = dma8237_create(&m);
	f = fdc_create((struct irq_line){set_irq, NULL, 6}, dma, 2);
	ck_assert_ptr_nonnull(f);
	for (unsigned lba = 0; lba < SECTORS; lba++)
		for (unsigned i = 0; i < 512; i++)
			img[lba * 512 + i] = pattern(lba, i);
	strcpy(path, "/tmp/hv-test-fdc-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_eq(write(fd, img, (size_t)SECTORS * 512), SECTORS * 512);
	close(fd);
	free(img);
	irq_level = irq_rises = 0;
	disk = NULL;
	open_disk(false);
}

static void teardown(void)
{
	fdc_destroy(f);
	dma8237_destroy(dma);
	disk_close(disk);
	unlink(path);
	mem_destroy(&m);
}

static void outp(unsigned reg, uint8_t v)
{
	if (reg == FDC_CCR)
		fdc_dir_io_ops.write(f, 0, 1, v);
	else
		fdc_io_ops.write(f, reg, 1, v);
}

static uint8_t inp(unsigned reg)
{
	return (uint8_t)(reg == FDC_DIR ? fdc_dir_io_ops.read(f, 0, 1)
					: fdc_io_ops.read(f, reg, 1));
}

/* Sends a command as a BIOS does, checking RQM and DIO before each byte. */
static void cmd(unsigned n, const uint8_t *bytes)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(inp(FDC_MSR) & (FDC_MSR_RQM | FDC_MSR_DIO), FDC_MSR_RQM);
		outp(FDC_FIFO, bytes[i]);
	}
}

#define CMD(...) cmd(sizeof((uint8_t[]){__VA_ARGS__}), (uint8_t[]){__VA_ARGS__})

/* Reads n result bytes; afterwards the controller takes commands again. */
static void results(unsigned n, uint8_t *out)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(inp(FDC_MSR) & (FDC_MSR_RQM | FDC_MSR_DIO),
				  FDC_MSR_RQM | FDC_MSR_DIO);
		out[i] = inp(FDC_FIFO);
	}
	ck_assert_uint_eq(inp(FDC_MSR), FDC_MSR_RQM);
}

/* Leaves reset with drive 0's motor on and DMA/IRQ enabled, and answers
 * the four SENSE INTERRUPTs. */
static void start(void)
{
	uint8_t r[2];

	outp(FDC_DOR, 0);
	outp(FDC_DOR, FDC_DOR_MOTOR0 | FDC_DOR_DMAEN | FDC_DOR_NRESET);
	ck_assert_int_eq(irq_level, 1);
	for (unsigned i = 0; i < 4; i++) {
		CMD(0x08);
		results(2, r);
		ck_assert_uint_eq(r[0], 0xC0 | i);
		ck_assert_uint_eq(r[1], 0);
	}
	ck_assert_int_eq(irq_level, 0);
	outp(FDC_CCR, FDC_RATE_500K);
}

/* Channel 2 as SeaBIOS programs it. */
static void dma_setup(bool to_memory, uint32_t addr, unsigned bytes)
{
	dma8237_dma1_io_ops.write(dma, DMA_REG_MASK, 1, 4 | 2);
	dma8237_dma1_io_ops.write(dma, DMA_REG_FLIPFLOP, 1, 0);
	dma8237_dma1_io_ops.write(dma, DMA_REG_ADDR(2), 1, (uint8_t)addr);
	dma8237_dma1_io_ops.write(dma, DMA_REG_ADDR(2), 1, (uint8_t)(addr >> 8));
	dma8237_dma1_io_ops.write(dma, DMA_REG_COUNT(2), 1, (uint8_t)(bytes - 1));
	dma8237_dma1_io_ops.write(dma, DMA_REG_COUNT(2), 1, (uint8_t)((bytes - 1) >> 8));
	dma8237_dma1_io_ops.write(dma, DMA_REG_MODE, 1, to_memory ? 0x46 : 0x4A);
	dma8237_page_io_ops.write(dma, 0x81 - DMA8237_PAGE_FIRST, 1, (uint8_t)(addr >> 16));
	dma8237_dma1_io_ops.write(dma, DMA_REG_MASK, 1, 2);
	dma8237_dma2_io_ops.write(dma, 2 * DMA_REG_MODE, 1, 0xC0);
	dma8237_dma2_io_ops.write(dma, 2 * DMA_REG_MASK, 1, 0);
}

static void seek(unsigned cyl)
{
	uint8_t r[2];

	CMD(0x0F, 0x00, (uint8_t)cyl);
	ck_assert_int_eq(irq_level, 1);
	CMD(0x08);
	results(2, r);
	ck_assert_uint_eq(r[0], FDC_ST0_SE);
	ck_assert_uint_eq(r[1], cyl);
	ck_assert_int_eq(irq_level, 0);
}

static unsigned lba_of(unsigned c, unsigned h, unsigned s)
{
	return (c * 2 + h) * SPT + s - 1;
}

static void check_sector_in_memory(uint32_t at, unsigned lba)
{
	uint8_t got[512];

	mem_read(&m, at, got, sizeof got);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(got[i], pattern(lba, i));
}

START_TEST(test_reset_gives_four_sense_interrupts_then_invalid)
{
	uint8_t r[2];

	ck_assert_uint_eq(inp(FDC_MSR), 0); /* held in reset after power-on */
	start();
	CMD(0x08);
	results(1, r);
	ck_assert_uint_eq(r[0], FDC_ST0_INVALID);
	/* a DSR reset does it again */
	outp(FDC_DSR, 0x80);
	ck_assert_int_eq(irq_level, 1);
	CMD(0x08);
	results(2, r);
	ck_assert_uint_eq(r[0], 0xC0);
}
END_TEST

START_TEST(test_specify_configure_lock_and_version_show_in_dumpreg)
{
	uint8_t r[10];

	start();
	CMD(0x03, 0xAF, 0x02);
	CMD(0x13, 0x00, 0x57, 0x09);
	CMD(0x94);
	results(1, r);
	ck_assert_uint_eq(r[0], 0x10);
	CMD(0x10);
	results(1, r);
	ck_assert_uint_eq(r[0], 0x90);
	seek(7);
	CMD(0x0E);
	results(10, r);
	ck_assert_uint_eq(r[0], 7);
	ck_assert_uint_eq(r[4], 0xAF);
	ck_assert_uint_eq(r[5], 0x02);
	ck_assert_uint_eq(r[7] & 0x80, 0x80);
	ck_assert_uint_eq(r[8], 0x57);
	ck_assert_uint_eq(r[9], 0x09);
	/* locked: CONFIGURE survives a reset; SPECIFY always does */
	outp(FDC_DSR, 0x80);
	while (inp(FDC_MSR) & FDC_MSR_DIO || irq_level) {
		CMD(0x08);
		results(2, r);
	}
	CMD(0x0E);
	results(10, r);
	ck_assert_uint_eq(r[4], 0xAF);
	ck_assert_uint_eq(r[8], 0x57);
}
END_TEST

START_TEST(test_recalibrate_and_seek_interrupt_and_clear_disk_change)
{
	uint8_t r[2];

	start();
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, FDC_DIR_DSKCHG);
	seek(40);
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, 0); /* a step with a disk in */
	CMD(0x04, 0x00);
	results(1, r);
	ck_assert_uint_eq(r[0] & FDC_ST3_T0, 0);
	CMD(0x07, 0x00);
	ck_assert_int_eq(irq_level, 1);
	CMD(0x08);
	results(2, r);
	ck_assert_uint_eq(r[0], FDC_ST0_SE);
	ck_assert_uint_eq(r[1], 0);
	CMD(0x04, 0x00);
	results(1, r);
	ck_assert_uint_eq(r[0] & (FDC_ST3_T0 | FDC_ST3_WP), FDC_ST3_T0);
	/* drive 1 has no disk: recalibrate finds no track 0 */
	CMD(0x07, 0x01);
	CMD(0x08);
	results(2, r);
	ck_assert_uint_eq(r[0], FDC_ST0_SE | FDC_ST0_ABNORMAL | FDC_ST0_EC | 1);
}
END_TEST

/* An image of bytes bytes at tmp, each byte the complement of pattern(). */
static struct disk *other_disk(char *tmp, size_t bytes)
{
	char err[256];
	uint8_t *img = malloc(bytes);
	struct disk *d;
	int fd;

	for (size_t at = 0; at < bytes; at++)
		img[at] = (uint8_t)~pattern((unsigned)(at / 512), (unsigned)(at % 512));
	strcpy(tmp, "/tmp/hv-test-fdc-XXXXXX");
	fd = mkstemp(tmp);
	ck_assert_int_eq(write(fd, img, bytes), (ssize_t)bytes);
	close(fd);
	free(img);
	d = disk_open(tmp, true, err, sizeof err);
	ck_assert_msg(d != NULL, "%s", err);
	return d;
}

/* hv floppy-insert: swapping the disk raises the disk-change line; a seek
 * to where the head already is makes no step pulse and leaves it up, a
 * step clears it (as on a real drive); the next read comes from the new
 * disk. An image of another size, or a drive with no disk, is refused and
 * changes nothing. */
START_TEST(test_disk_swap_raises_disk_change_until_a_step)
{
	char err[256], tmp[64], small_tmp[64];
	struct disk *next = other_disk(tmp, (size_t)SECTORS * 512), *small, *old = NULL;
	uint8_t r[7], got[512];

	start();
	seek(40);
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, 0);
	small = other_disk(small_tmp, 737280);
	ck_assert_int_eq(fdc_change_disk(f, 0, small, &old, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "737280 bytes, but the drive takes 1.44 MB disks"), "%s", err);
	ck_assert_int_eq(fdc_change_disk(f, 1, small, &old, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "no floppy drive 1"), "%s", err);
	ck_assert_ptr_null(old);
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, 0);
	disk_close(small);
	unlink(small_tmp);

	ck_assert_int_eq(fdc_change_disk(f, 0, next, &old, err, sizeof err), 0);
	ck_assert_ptr_eq(old, disk);
	disk_close(old);
	disk = next;
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, FDC_DIR_DSKCHG);
	seek(40); /* no step: the line stays up */
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, FDC_DIR_DSKCHG);
	seek(1);
	ck_assert_uint_eq(inp(FDC_DIR) & FDC_DIR_DSKCHG, 0);
	dma_setup(true, BUF, 512);
	CMD(0xE6, 0x04, 1, 1, 17, 2, 17, 0x1B, 0xFF);
	results(7, r);
	ck_assert_uint_eq(r[0] & 0xC0, 0);
	mem_read(&m, BUF, got, sizeof got);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(got[i], (uint8_t)~pattern(lba_of(1, 1, 17), i));
	unlink(tmp);
}
END_TEST

START_TEST(test_dma_read_of_two_sectors_ends_at_terminal_count)
{
	uint8_t r[7];
	int rises;

	start();
	seek(1);
	dma_setup(true, BUF, 1024);
	rises = irq_rises;
	CMD(0xE6, 0x04, 1, 1, 17, 2, 18, 0x1B, 0xFF);
	ck_assert_int_eq(irq_rises, rises + 1);
	results(7, r);
	ck_assert_int_eq(irq_level, 0);
	ck_assert_uint_eq(r[0], 0x04); /* normal, head 1 */
	ck_assert_uint_eq(r[1], 0);
	ck_assert_uint_eq(r[2], 0);
	/* EOT on head 1 with MT: the next cylinder, head 0, sector 1 */
	ck_assert_uint_eq(r[3], 2);
	ck_assert_uint_eq(r[4], 0);
	ck_assert_uint_eq(r[5], 1);
	ck_assert_uint_eq(r[6], 2);
	check_sector_in_memory(BUF, lba_of(1, 1, 17));
	check_sector_in_memory(BUF + 512, lba_of(1, 1, 18));
}
END_TEST

START_TEST(test_multi_track_read_goes_on_to_head_one)
{
	uint8_t r[7];

	start();
	seek(2);
	dma_setup(true, BUF, 1024);
	CMD(0xE6, 0x00, 2, 0, 18, 2, 18, 0x1B, 0xFF);
	results(7, r);
	ck_assert_uint_eq(r[0], 0x04); /* ended on head 1 */
	ck_assert_uint_eq(r[3], 2);
	ck_assert_uint_eq(r[4], 1);
	ck_assert_uint_eq(r[5], 2);
	check_sector_in_memory(BUF, lba_of(2, 0, 18));
	check_sector_in_memory(BUF + 512, lba_of(2, 1, 1));
}
END_TEST

START_TEST(test_end_of_cylinder_without_terminal_count_is_abnormal)
{
	uint8_t r[7];

	start();
	dma_setup(true, BUF, 8192);
	CMD(0x66, 0x00, 0, 0, 1, 2, 2, 0x1B, 0xFF); /* no MT, EOT 2 */
	results(7, r);
	ck_assert_uint_eq(r[0], FDC_ST0_ABNORMAL);
	ck_assert_uint_eq(r[1], FDC_ST1_EN);
	ck_assert_uint_eq(r[3], 1);
	ck_assert_uint_eq(r[5], 1);
	check_sector_in_memory(BUF, 0);
	check_sector_in_memory(BUF + 512, 1);
	/* a cylinder the head is not over: no data, wrong cylinder */
	dma_setup(true, BUF, 512);
	CMD(0x66, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF);
	results(7, r);
	ck_assert_uint_eq(r[0], FDC_ST0_ABNORMAL);
	ck_assert_uint_eq(r[1], FDC_ST1_ND);
	ck_assert_uint_eq(r[2], FDC_ST2_WC);
}
END_TEST

START_TEST(test_write_reaches_the_image)
{
	uint8_t r[7], data[512], got[512];
	unsigned lba = lba_of(3, 1, 4);

	for (unsigned i = 0; i < 512; i++)
		data[i] = (uint8_t)(0xC3 ^ i);
	mem_write(&m, BUF, data, sizeof data);
	start();
	seek(3);
	dma_setup(false, BUF, 512);
	CMD(0xC5, 0x04, 3, 1, 4, 2, 4, 0x1B, 0xFF);
	results(7, r);
	ck_assert_uint_eq(r[0] & 0xC0, 0);
	ck_assert_int_eq(disk_read(disk, (uint64_t)lba * 512, got, sizeof got), 0);
	ck_assert_int_eq(memcmp(got, data, sizeof got), 0);
	ck_assert_int_eq(disk_read(disk, (uint64_t)(lba + 1) * 512, got, sizeof got), 0);
	ck_assert_uint_eq(got[0], pattern(lba + 1, 0)); /* only that sector */
}
END_TEST

START_TEST(test_read_only_image_is_write_protected)
{
	uint8_t r[7], got[512];

	open_disk(true);
	start();
	CMD(0x04, 0x00);
	results(1, r);
	ck_assert_uint_eq(r[0] & FDC_ST3_WP, FDC_ST3_WP);
	dma_setup(false, BUF, 512);
	CMD(0xC5, 0x00, 0, 0, 1, 2, 1, 0x1B, 0xFF);
	results(7, r);
	ck_assert_uint_eq(r[0], FDC_ST0_ABNORMAL);
	ck_assert_uint_eq(r[1], FDC_ST1_NW);
	ck_assert_int_eq(disk_read(disk, 0, got, sizeof got), 0);
	ck_assert_uint_eq(got[5], pattern(0, 5));
}
END_TEST

START_TEST(test_read_id_follows_the_rotation_and_the_data_rate)
{
	uint8_t r[7], first;

	start();
	seek(9);
	CMD(0x4A, 0x04);
	results(7, r);
	ck_assert_uint_eq(r[0], 0x04);
	ck_assert_uint_eq(r[3], 9);
	ck_assert_uint_eq(r[4], 1);
	ck_assert_uint_eq(r[6], 2);
	ck_assert(r[5] >= 1 && r[5] <= SPT);
	first = r[5];
	CMD(0x4A, 0x04);
	results(7, r);
	ck_assert_uint_eq(r[5], first % SPT + 1); /* the next sector came by */
	outp(FDC_CCR, FDC_RATE_250K);		  /* a 720 KB rate on 1.44 MB media */
	CMD(0x4A, 0x00);
	results(7, r);
	ck_assert_uint_eq(r[0], FDC_ST0_ABNORMAL);
	ck_assert_uint_eq(r[1], FDC_ST1_MA);
	outp(FDC_CCR, FDC_RATE_500K);
	outp(FDC_DOR, FDC_DOR_DMAEN | FDC_DOR_NRESET); /* motor off */
	CMD(0x4A, 0x00);
	results(7, r);
	ck_assert_uint_eq(r[1], FDC_ST1_MA);
}
END_TEST

START_TEST(test_format_track_fills_the_sectors)
{
	uint8_t r[7], ids[SPT * 4], got[512];

	for (unsigned s = 0; s < SPT; s++) {
		ids[s * 4] = 4;
		ids[s * 4 + 1] = 0;
		ids[s * 4 + 2] = (uint8_t)(s + 1);
		ids[s * 4 + 3] = 2;
	}
	mem_write(&m, BUF, ids, sizeof ids);
	start();
	seek(4);
	dma_setup(false, BUF, sizeof ids);
	CMD(0x4D, 0x00, 2, SPT, 0x6C, 0xF6);
	results(7, r);
	ck_assert_uint_eq(r[0] & 0xC0, 0);
	for (unsigned s = 1; s <= SPT; s++) {
		ck_assert_int_eq(disk_read(disk, (uint64_t)lba_of(4, 0, s) * 512, got, 512), 0);
		ck_assert_uint_eq(got[0], 0xF6);
		ck_assert_uint_eq(got[511], 0xF6);
	}
	ck_assert_int_eq(disk_read(disk, (uint64_t)lba_of(4, 1, 1) * 512, got, 512), 0);
	ck_assert_uint_eq(got[0], pattern(lba_of(4, 1, 1), 0));
}
END_TEST

START_TEST(test_invalid_command_gives_invalid_status_without_interrupt)
{
	uint8_t r[1];
	int rises;

	start();
	rises = irq_rises;
	CMD(0x1F);
	results(1, r);
	ck_assert_uint_eq(r[0], FDC_ST0_INVALID);
	ck_assert_int_eq(irq_rises, rises);
	CMD(0x10); /* still takes commands */
	results(1, r);
	ck_assert_uint_eq(r[0], 0x90);
}
END_TEST

START_TEST(test_dma_waits_for_the_channel_to_be_unmasked)
{
	uint8_t r[7];

	start();
	dma_setup(true, BUF, 512);
	dma8237_dma1_io_ops.write(dma, DMA_REG_MASK, 1, 4 | 2);
	CMD(0xE6, 0x00, 0, 0, 3, 2, 3, 0x1B, 0xFF);
	ck_assert_uint_eq(inp(FDC_MSR), FDC_MSR_CB); /* execution: no RQM */
	dma8237_dma1_io_ops.write(dma, DMA_REG_MASK, 1, 2);
	results(7, r);
	ck_assert_uint_eq(r[0], 0);
	check_sector_in_memory(BUF, 2);
}
END_TEST

/* Random port traffic, often valid opcodes, with channel 2 programmed at
 * random; then a reset and a read must still work and the image keep its
 * size. */
START_TEST(test_fuzz_all_ports)
{
	static const uint8_t ops[] = {0xE6, 0xC5, 0x4A, 0x4D, 0x07, 0x0F, 0x08, 0x04,
				      0x03, 0x13, 0x10, 0x94, 0x12, 0x0E, 0x8F, 0x00};
	uint8_t r[7];

	unit_seed(0xF1D0 + (uint32_t)_i);
	for (unsigned i = 0; i < 100000; i++) {
		unsigned reg = unit_rand() % 8;
		uint8_t v = (uint8_t)unit_rand();

		if (reg == 6)
			continue; /* IDE's port */
		if (reg == FDC_FIFO && unit_rand() % 4 == 0)
			v = ops[unit_rand() % sizeof ops];
		if (reg == FDC_DOR && unit_rand() % 2)
			v |= FDC_DOR_NRESET;
		if (unit_rand() % 64 == 0)
			dma_setup(unit_rand() & 1, unit_rand() % 0xF0000, 1 + unit_rand() % 4096);
		if (unit_rand() & 1)
			inp(reg);
		else
			outp(reg, v);
	}
	ck_assert_uint_eq(disk->size, SECTORS * 512ull);
	fdc_reset(f);
	start();
	CMD(0x0F, 0x00, 0);
	CMD(0x08);
	results(2, r);
	dma_setup(true, BUF, 512);
	CMD(0xE6, 0x00, 0, 0, 5, 2, 5, 0x1B, 0xFF);
	results(7, r);
	ck_assert_uint_eq(r[0], 0);
}
END_TEST

static Suite *fdc_suite(void)
{
	Suite *s = suite_create("fdc");
	TCase *t = tcase_create("82077aa");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_reset_gives_four_sense_interrupts_then_invalid);
	tcase_add_test(t, test_specify_configure_lock_and_version_show_in_dumpreg);
	tcase_add_test(t, test_recalibrate_and_seek_interrupt_and_clear_disk_change);
	tcase_add_test(t, test_disk_swap_raises_disk_change_until_a_step);
	tcase_add_test(t, test_dma_read_of_two_sectors_ends_at_terminal_count);
	tcase_add_test(t, test_multi_track_read_goes_on_to_head_one);
	tcase_add_test(t, test_end_of_cylinder_without_terminal_count_is_abnormal);
	tcase_add_test(t, test_write_reaches_the_image);
	tcase_add_test(t, test_read_only_image_is_write_protected);
	tcase_add_test(t, test_read_id_follows_the_rotation_and_the_data_rate);
	tcase_add_test(t, test_format_track_fills_the_sectors);
	tcase_add_test(t, test_invalid_command_gives_invalid_status_without_interrupt);
	tcase_add_test(t, test_dma_waits_for_the_channel_to_be_unmasked);
	tcase_add_loop_test(t, test_fuzz_all_ports, 0, 3);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(fdc_suite());
}
