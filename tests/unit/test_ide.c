/* ide: the taskfile, IDENTIFY, PIO reads and writes in CHS/LBA28/LBA48
 * against a temporary image, READ/WRITE MULTIPLE, bus-master DMA through
 * a PRD table, errors, commands out of order, the PIIX function's BAR4,
 * and a seeded fuzz of every port after which the drives still answer. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/memory.h"
#include "legacy/ide.h"
#include "legacy/piix_ide.h"

#include "unit.h"

#define MIB	(1024ull * 1024)
#define SECTORS 4096 /* 2 MiB image */
#define PRD	0x1000
#define BUF	0x8000

static struct guest_mem m;
static struct ide *ide;
static struct ide_channel *c0;
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

/* An image whose sector n is filled with byte (n & 0xff) ^ 0x5a. */
static void make_image(const char *p, uint64_t sectors)
{
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	uint8_t s[512];

	ck_assert_int_ge(fd, 0);
	for (uint64_t n = 0; n < sectors && n < SECTORS; n++) {
		memset(s, (int)((n & 0xff) ^ 0x5a), sizeof s);
		ck_assert_int_eq(pwrite(fd, s, sizeof s, (off_t)(n * 512)), 512);
	}
	ck_assert_int_eq(ftruncate(fd, (off_t)(sectors * 512)), 0);
	close(fd);
}

static void open_disk(bool ro, uint64_t sectors)
{
	char err[256];

	make_image(path, sectors);
	disk = disk_open(path, ro, err, sizeof err);
	ck_assert_msg(disk != NULL, "%s", err);
	ide_attach_ata(ide, 0, 0, disk);
}

static void setup(void)
{
	char err[128];
	struct irq_line lines[2] = {{set_irq, NULL, 14}, {NULL, NULL, 15}};

	ck_assert_int_eq(mem_init(&m, 1 * MIB, err, sizeof err), 0);
	ide = ide_create(lines, &m);
	ck_assert_ptr_nonnull(ide);
	c0 = &ide->ch[0];
	strcpy(path, "/tmp/hv-test-ide-XXXXXX");
	close(mkstemp(path));
	irq_level = irq_rises = 0;
	open_disk(false, SECTORS);
}

static void teardown(void)
{
	ide_destroy(ide);
	disk_close(disk);
	unlink(path);
	mem_destroy(&m);
}

static void outb(struct ide_channel *c, unsigned reg, uint8_t v)
{
	ide_cmd_io_ops.write(c, reg, 1, v);
}

static uint8_t inb(struct ide_channel *c, unsigned reg)
{
	return (uint8_t)ide_cmd_io_ops.read(c, reg, 1);
}

static uint16_t inw(struct ide_channel *c)
{
	return (uint16_t)ide_cmd_io_ops.read(c, IDE_DATA, 2);
}

static void lba28(uint32_t lba, uint8_t count)
{
	outb(c0, IDE_SELECT, (uint8_t)(0xE0 | (lba >> 24)));
	outb(c0, IDE_NSECTOR, count);
	outb(c0, IDE_SECTOR_REG, (uint8_t)lba);
	outb(c0, IDE_LCYL, (uint8_t)(lba >> 8));
	outb(c0, IDE_HCYL, (uint8_t)(lba >> 16));
}

static void lba48(uint64_t lba, uint16_t count)
{
	outb(c0, IDE_SELECT, 0x40);
	outb(c0, IDE_NSECTOR, (uint8_t)(count >> 8));
	outb(c0, IDE_SECTOR_REG, (uint8_t)(lba >> 24));
	outb(c0, IDE_LCYL, (uint8_t)(lba >> 32));
	outb(c0, IDE_HCYL, (uint8_t)(lba >> 40));
	outb(c0, IDE_NSECTOR, (uint8_t)count);
	outb(c0, IDE_SECTOR_REG, (uint8_t)lba);
	outb(c0, IDE_LCYL, (uint8_t)(lba >> 8));
	outb(c0, IDE_HCYL, (uint8_t)(lba >> 16));
}

static void read_words(uint16_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		w[i] = inw(c0);
}

static void file_sector(uint64_t lba, uint8_t *s)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_eq(pread(fd, s, 512, (off_t)(lba * 512)), 512);
	close(fd);
}

START_TEST(identify_words)
{
	uint16_t w[256];
	uint8_t st;

	outb(c0, IDE_SELECT, 0xA0);
	outb(c0, IDE_STATUS, 0xEC);
	ck_assert_int_eq(irq_level, 1);
	st = inb(c0, IDE_STATUS);
	ck_assert_int_eq(st & (IDE_ST_DRQ | IDE_ST_DRDY | IDE_ST_ERR), IDE_ST_DRQ | IDE_ST_DRDY);
	ck_assert_int_eq(irq_level, 0); /* reading status acknowledged it */
	read_words(w, 256);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_DRQ, 0);
	ck_assert_uint_eq(w[0], 0x0040);
	ck_assert_uint_eq(w[27], 'H' << 8 | 'V'); /* "HV HARDDISK", swapped bytes */
	ck_assert_uint_eq(w[28], ' ' << 8 | 'H');
	ck_assert_uint_eq(w[49] & 0x0300, 0x0300);
	ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, SECTORS);
	ck_assert_uint_eq(w[83] & (1u << 10), 1u << 10);
	ck_assert_uint_eq(w[100] | (uint32_t)w[101] << 16, SECTORS);
	ck_assert_uint_eq(w[102] | w[103], 0);
	ck_assert_uint_eq((uint32_t)w[1] * w[3] * w[6], SECTORS / (16 * 63) * 16 * 63);
}
END_TEST

START_TEST(slave_absent_reads_zero)
{
	outb(c0, IDE_SELECT, 0xB0);
	outb(c0, IDE_NSECTOR, 0x55);
	ck_assert_int_eq(inb(c0, IDE_NSECTOR), 0);
	ck_assert_int_eq(inb(c0, IDE_STATUS), 0);
	outb(c0, IDE_SELECT, 0xA0);
	ck_assert_int_eq(inb(c0, IDE_NSECTOR), 0x55);
	ck_assert_int_eq(inb(c0, IDE_SELECT), 0xA0);
}
END_TEST

START_TEST(lba28_round_trip)
{
	uint16_t w[512];
	uint8_t s[512];

	lba28(100, 2);
	outb(c0, IDE_STATUS, 0x30);
	ck_assert_int_eq(irq_rises, 0); /* the first block asks without an interrupt */
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
	for (unsigned i = 0; i < 512; i++) {
		ide_cmd_io_ops.write(c0, IDE_DATA, 2, 0x1000 + i);
		if (i == 255) /* the guest acknowledges the block's interrupt */
			ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
	}
	ck_assert_int_eq(inb(c0, IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
	ck_assert_int_eq(irq_rises, 2);
	file_sector(101, s);
	ck_assert_uint_eq(s[0] | s[1] << 8, 0x1000 + 256);
	file_sector(102, s);
	ck_assert_uint_eq(s[0], (102 & 0xff) ^ 0x5a); /* untouched */
	lba28(100, 2);
	outb(c0, IDE_STATUS, 0x20);
	read_words(w, 512);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(w[i], 0x1000 + i);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_DRQ, 0);
}
END_TEST

START_TEST(lba48_above_28_bits)
{
	uint64_t far = 0x10000010ull; /* needs LBA48; a sparse image */
	uint16_t w[256];
	uint8_t s[512];

	ide_destroy(ide);
	disk_close(disk);
	ide = ide_create((struct irq_line[2]){{0}, {0}}, &m);
	c0 = &ide->ch[0];
	open_disk(false, far + 16);
	lba48(far, 1);
	outb(c0, IDE_STATUS, 0x34);
	for (unsigned i = 0; i < 256; i++)
		ide_cmd_io_ops.write(c0, IDE_DATA, 2, 0xBEEF);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & (IDE_ST_ERR | IDE_ST_DRQ), 0);
	file_sector(far, s);
	ck_assert_uint_eq(s[0] | s[1] << 8, 0xBEEF);
	lba48(far, 1);
	outb(c0, IDE_STATUS, 0x24);
	read_words(w, 256);
	ck_assert_uint_eq(w[255], 0xBEEF);
	/* LBA28 cannot reach it: its IDENTIFY count is capped */
	outb(c0, IDE_STATUS, 0xEC);
	read_words(w, 256);
	ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, 0x0FFFFFFF);
	ck_assert_uint_eq(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32, far + 16);
}
END_TEST

START_TEST(chs_after_initialize_params)
{
	uint16_t w[256];

	outb(c0, IDE_SELECT, 0xA0 | 3); /* 4 heads */
	outb(c0, IDE_NSECTOR, 17);
	outb(c0, IDE_STATUS, 0x91);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, 0);
	outb(c0, IDE_SELECT, 0xA0 | 2); /* C 1, H 2, S 5 = (1 * 4 + 2) * 17 + 4 */
	outb(c0, IDE_NSECTOR, 1);
	outb(c0, IDE_SECTOR_REG, 5);
	outb(c0, IDE_LCYL, 1);
	outb(c0, IDE_HCYL, 0);
	outb(c0, IDE_STATUS, 0x20);
	read_words(w, 256);
	ck_assert_uint_eq(w[0] & 0xff, (((1 * 4 + 2) * 17 + 4) & 0xff) ^ 0x5a);
	outb(c0, IDE_SECTOR_REG, 0); /* sector 0 does not exist in CHS */
	outb(c0, IDE_STATUS, 0x20);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_int_eq(inb(c0, IDE_ERROR), IDE_ER_IDNF);
}
END_TEST

START_TEST(out_of_range_is_idnf)
{
	lba28(SECTORS - 1, 2);
	outb(c0, IDE_STATUS, 0x20);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & (IDE_ST_ERR | IDE_ST_DRQ), IDE_ST_ERR);
	ck_assert_int_eq(inb(c0, IDE_ERROR), IDE_ER_IDNF);
	lba48(SECTORS, 1);
	outb(c0, IDE_STATUS, 0x34);
	ck_assert_int_eq(inb(c0, IDE_ERROR), IDE_ER_IDNF);
}
END_TEST

START_TEST(read_only_refuses_writes)
{
	uint8_t s[512];

	ide_destroy(ide);
	disk_close(disk);
	ide = ide_create((struct irq_line[2]){{0}, {0}}, &m);
	c0 = &ide->ch[0];
	open_disk(true, SECTORS);
	lba28(7, 1);
	outb(c0, IDE_STATUS, 0x30);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & (IDE_ST_ERR | IDE_ST_DRQ), IDE_ST_ERR);
	ck_assert_int_eq(inb(c0, IDE_ERROR), IDE_ER_ABRT);
	for (unsigned i = 0; i < 256; i++)
		ide_cmd_io_ops.write(c0, IDE_DATA, 2, 0);
	file_sector(7, s);
	ck_assert_uint_eq(s[0], 7 ^ 0x5a);
	outb(c0, IDE_STATUS, 0xE7); /* FLUSH CACHE on a read-only disk is fine */
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, 0);
}
END_TEST

START_TEST(read_multiple_blocks)
{
	uint16_t w[256 * 8];

	lba28(0, 8);
	outb(c0, IDE_STATUS, 0xC4); /* before SET MULTIPLE MODE */
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	outb(c0, IDE_NSECTOR, 3); /* not a power of two */
	outb(c0, IDE_STATUS, 0xC6);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	outb(c0, IDE_NSECTOR, 4);
	outb(c0, IDE_STATUS, 0xC6);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, 0);
	lba28(0, 8);
	irq_rises = 0;
	outb(c0, IDE_STATUS, 0xC4);
	inb(c0, IDE_STATUS);
	read_words(w, 256 * 4);
	ck_assert_int_eq(irq_rises, 2); /* one interrupt per block */
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
	read_words(w + 1024, 256 * 4);
	ck_assert_int_eq(irq_rises, 2);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_DRQ, 0);
	for (unsigned n = 0; n < 8; n++)
		ck_assert_uint_eq(w[256 * n] & 0xff, n ^ 0x5a);
}
END_TEST

static void put_prd(unsigned i, uint32_t addr, uint32_t len, bool last)
{
	uint8_t e[8] = {(uint8_t)addr,
			(uint8_t)(addr >> 8),
			(uint8_t)(addr >> 16),
			(uint8_t)(addr >> 24),
			(uint8_t)len,
			(uint8_t)(len >> 8),
			0,
			last ? 0x80 : 0};

	mem_write(&m, PRD + 8 * i, e, sizeof e);
}

static void bm_start(bool to_mem)
{
	ide_bm_io_ops.write(c0, IDE_BM_PRD, 4, PRD);
	ide_bm_io_ops.write(c0, IDE_BM_CMD, 1, IDE_BM_START | (to_mem ? IDE_BM_TO_MEM : 0));
}

START_TEST(dma_read_and_write_through_prd)
{
	uint8_t b[1536], s[512];

	put_prd(0, BUF, 700, false); /* sectors split across the two regions */
	put_prd(1, BUF + 0x1000, 836, true);
	lba28(10, 3);
	outb(c0, IDE_STATUS, 0xC8);
	ck_assert_int_eq(irq_rises, 0); /* waits for the engine */
	bm_start(true);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_int_eq(ide_bm_io_ops.read(c0, IDE_BM_STATUS, 1) & 7, IDE_BM_INTR);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
	mem_read(&m, BUF, b, 700);
	mem_read(&m, BUF + 0x1000, b + 700, 836);
	for (unsigned i = 0; i < sizeof b; i++)
		ck_assert_uint_eq(b[i], (10 + i / 512) ^ 0x5a);
	ide_bm_io_ops.write(c0, IDE_BM_CMD, 1, 0);
	ide_bm_io_ops.write(c0, IDE_BM_STATUS, 1, IDE_BM_INTR);
	ck_assert_int_eq(ide_bm_io_ops.read(c0, IDE_BM_STATUS, 1) & 7, 0);

	memset(b, 0xC3, sizeof b);
	mem_write(&m, BUF, b, 700);
	mem_write(&m, BUF + 0x1000, b, 836);
	bm_start(false); /* engine first, then the command */
	lba48(20, 3);
	outb(c0, IDE_STATUS, 0x35);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, 0);
	file_sector(22, s);
	ck_assert_uint_eq(s[511], 0xC3);
	file_sector(23, s);
	ck_assert_uint_eq(s[0], 23 ^ 0x5a);
}
END_TEST

START_TEST(dma_short_prd_table_is_an_error)
{
	put_prd(0, BUF, 512, true);
	lba28(0, 2);
	outb(c0, IDE_STATUS, 0xC8);
	bm_start(true);
	ck_assert_int_eq(ide_bm_io_ops.read(c0, IDE_BM_STATUS, 1) & IDE_BM_ERROR, IDE_BM_ERROR);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
}
END_TEST

START_TEST(commands_out_of_order_survive)
{
	uint16_t w[256];

	ck_assert_uint_eq(inw(c0), 0xFFFF);	       /* no data: reads as ones */
	ide_cmd_io_ops.write(c0, IDE_DATA, 2, 0x1234); /* dropped */
	lba28(1, 4);
	outb(c0, IDE_STATUS, 0x30); /* a write, abandoned half-way */
	for (unsigned i = 0; i < 100; i++)
		ide_cmd_io_ops.write(c0, IDE_DATA, 2, 0);
	outb(c0, IDE_STATUS, 0xEC);
	read_words(w, 256);
	ck_assert_uint_eq(w[0], 0x0040);
	outb(c0, IDE_STATUS, 0x00); /* NOP and unknown commands abort */
	ck_assert_int_eq(inb(c0, IDE_ERROR), IDE_ER_ABRT);
	outb(c0, IDE_STATUS, 0xA1); /* IDENTIFY PACKET DEVICE on a disk */
	ck_assert_int_eq(inb(c0, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	outb(c0, IDE_STATUS, 0xA0); /* PACKET on a disk */
	ck_assert_int_eq(inb(c0, IDE_ERROR), IDE_ER_ABRT);
}
END_TEST

START_TEST(srst_restores_signature)
{
	ide_ctl_io_ops.write(c0, 0, 1, IDE_CTL_SRST | IDE_CTL_NIEN);
	ck_assert_int_eq(ide_ctl_io_ops.read(c0, 0, 1) & IDE_ST_BSY, IDE_ST_BSY);
	ide_ctl_io_ops.write(c0, 0, 1, IDE_CTL_NIEN);
	ck_assert_int_eq(inb(c0, IDE_STATUS) & (IDE_ST_BSY | IDE_ST_DRDY), IDE_ST_DRDY);
	ck_assert_int_eq(inb(c0, IDE_NSECTOR), 1);
	ck_assert_int_eq(inb(c0, IDE_SECTOR_REG), 1);
	ck_assert_int_eq(inb(c0, IDE_LCYL) | inb(c0, IDE_HCYL), 0);
	outb(c0, IDE_STATUS, 0xEC);
	ck_assert_int_eq(irq_level, 0); /* nIEN masks the line */
}
END_TEST

START_TEST(piix_function_maps_bar4)
{
	struct bus pio;
	struct piix_ide *p;

	bus_init(&pio, "pio");
	p = piix_ide_create(ide, &pio);
	ck_assert_uint_eq(pci_get(&p->dev, PCI_CLASS_PROG, 1), 0x80);
	ck_assert_uint_eq(pci_get(&p->dev, PCI_CLASS_DEVICE, 2), 0x0101);
	pci_set_long(&p->dev, PCI_BAR0 + 16, 0xC001);
	p->dev.ops->written(&p->dev, PCI_BAR0 + 16, 4);
	ck_assert_ptr_null(bus_find(&pio, 0xC000)); /* I/O decoding still off */
	pci_set_word(&p->dev, PCI_COMMAND, 1);
	p->dev.ops->written(&p->dev, PCI_COMMAND, 2);
	ck_assert_ptr_nonnull(bus_find(&pio, 0xC000));
	bus_write(&pio, 0xC004, 4, 0x3000);
	ck_assert_uint_eq(c0->bm_prd, 0x3000);
	ck_assert_uint_eq(bus_read(&pio, 0xC00C, 4), 0); /* secondary channel's own */
	piix_ide_destroy(p);
	ck_assert_ptr_null(bus_find(&pio, 0xC000));
	bus_destroy(&pio);
}
END_TEST

/* Random port traffic on both channels and both bus masters, with a PRD
 * table pointing anywhere; then a reset and IDENTIFY must still work and the
 * image must keep its size. */
START_TEST(fuzz_all_ports)
{
	struct ide_channel *chans[2] = {&ide->ch[0], &ide->ch[1]};
	const struct io_ops *ops[3] = {&ide_cmd_io_ops, &ide_ctl_io_ops, &ide_bm_io_ops};
	const unsigned len[3] = {8, 1, 8};
	uint16_t w[256];

	unit_seed(0x1DE5EED + (uint32_t)_i);
	for (unsigned i = 0; i < 200000; i++) {
		unsigned which = unit_rand() % 3, size = 1u << (unit_rand() % 3);
		struct ide_channel *c = chans[unit_rand() & 1];
		unsigned off = unit_rand() % len[which];
		uint32_t v = unit_rand();

		if (unit_rand() % 8 == 0)
			v = (unit_rand() & 1) ? 0xC8
					      : 0x20 + (v & 0x1F); /* commands that move data */
		if (unit_rand() & 1)
			ops[which]->read(c, off, size);
		else
			ops[which]->write(c, off, size, v);
	}
	ck_assert_uint_eq(disk->size, SECTORS * 512ull);
	ide_ctl_io_ops.write(c0, 0, 1, IDE_CTL_SRST);
	ide_ctl_io_ops.write(c0, 0, 1, 0);
	outb(c0, IDE_SELECT, 0xA0);
	outb(c0, IDE_STATUS, 0xEC);
	read_words(w, 256);
	ck_assert_uint_eq(w[0], 0x0040);
	ck_assert_uint_eq(w[60], SECTORS);
}
END_TEST

static Suite *ide_suite(void)
{
	Suite *s = suite_create("ide");
	TCase *t = tcase_create("ata");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, identify_words);
	tcase_add_test(t, slave_absent_reads_zero);
	tcase_add_test(t, lba28_round_trip);
	tcase_add_test(t, lba48_above_28_bits);
	tcase_add_test(t, chs_after_initialize_params);
	tcase_add_test(t, out_of_range_is_idnf);
	tcase_add_test(t, read_only_refuses_writes);
	tcase_add_test(t, read_multiple_blocks);
	tcase_add_test(t, dma_read_and_write_through_prd);
	tcase_add_test(t, dma_short_prd_table_is_an_error);
	tcase_add_test(t, commands_out_of_order_survive);
	tcase_add_test(t, srst_restores_signature);
	tcase_add_test(t, piix_function_maps_bar4);
	tcase_add_loop_test(t, fuzz_all_ports, 0, 3);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(ide_suite());
}
