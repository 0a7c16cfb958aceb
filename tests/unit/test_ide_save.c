/* ide save/load (device_ops version 1): controllers stopped in the middle
 * of a PIO READ MULTIPLE, a PIO write, an ATAPI READ(10) with sense data
 * and UNIT ATTENTION pending, and a READ DMA waiting for its bus master
 * are saved and loaded into a second controller on the same images, which
 * finishes the command with the right bytes; the PIIX function's BAR4
 * follows its loaded configuration space; truncated and corrupted states
 * are refused without touching the controller. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "legacy/ide.h"
#include "legacy/piix_ide.h"

#include "unit.h"

#define SECTORS	   512 /* 256 KiB disk */
#define CD_SECTORS 8
#define PRD	   0x1000
#define BUF	   0x8000

/* Offsets in a version 1 state of channel 0 (legacy/ide_save.c). */
#define AT_XFER	 15
#define AT_POS	 16
#define AT_END	 20
#define AT_UNIT	 25
#define AT_LBA	 26
#define AT_LEFT	 34
#define AT_BLOCK 38
#define AT_BUF	 55

static struct guest_mem mem_a, mem_b;
static struct ide *a, *b;
static struct disk *hd, *cd;
static char hd_path[64], cd_path[64];

static void make_file(char *path, unsigned sectors, unsigned size, unsigned salt)
{
	int fd;
	uint8_t s[2048];

	strcpy(path, "/tmp/hv-test-ide-save-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	for (unsigned n = 0; n < sectors; n++) {
		for (unsigned i = 0; i < size; i++)
			s[i] = (uint8_t)(n * 7 + i + salt);
		ck_assert_int_eq(write(fd, s, size), (int)size);
	}
	close(fd);
}

static struct ide *controller(struct guest_mem *m)
{
	char err[128];
	struct ide *ide;

	ck_assert_int_eq(mem_init(m, 1u << 20, err, sizeof err), 0);
	ide = ide_create((struct irq_line[2]){{0}, {0}}, m);
	ck_assert_ptr_nonnull(ide);
	ide_attach_ata(ide, 0, 0, hd);
	ide_attach_atapi(ide, 1, 0, cd);
	ide_attach_atapi(ide, 1, 1, NULL);
	return ide;
}

static void setup(void)
{
	char err[256];

	make_file(hd_path, SECTORS, 512, 0);
	make_file(cd_path, CD_SECTORS, 2048, 0x40);
	hd = disk_open(hd_path, false, err, sizeof err);
	cd = disk_open(cd_path, true, err, sizeof err);
	ck_assert_ptr_nonnull(hd);
	ck_assert_ptr_nonnull(cd);
	a = controller(&mem_a);
	b = controller(&mem_b);
}

static void teardown(void)
{
	ide_destroy(a);
	ide_destroy(b);
	disk_close(hd);
	disk_close(cd);
	unlink(hd_path);
	unlink(cd_path);
	mem_destroy(&mem_a);
	mem_destroy(&mem_b);
}

static void outb(struct ide *ide, unsigned ch, unsigned reg, uint8_t v)
{
	ide_cmd_io_ops.write(&ide->ch[ch], reg, 1, v);
}

static uint8_t inb(struct ide *ide, unsigned ch, unsigned reg)
{
	return (uint8_t)ide_cmd_io_ops.read(&ide->ch[ch], reg, 1);
}

static uint16_t inw(struct ide *ide, unsigned ch)
{
	return (uint16_t)ide_cmd_io_ops.read(&ide->ch[ch], IDE_DATA, 2);
}

static void lba28(struct ide *ide, uint32_t lba, uint8_t count)
{
	outb(ide, 0, IDE_SELECT, 0xE0);
	outb(ide, 0, IDE_NSECTOR, count);
	outb(ide, 0, IDE_SECTOR_REG, (uint8_t)lba);
	outb(ide, 0, IDE_LCYL, (uint8_t)(lba >> 8));
	outb(ide, 0, IDE_HCYL, 0);
}

static void file_bytes(const char *path, uint64_t at, void *p, size_t n)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_eq(pread(fd, p, n, (off_t)at), (ssize_t)n);
	close(fd);
}

static struct state_out save(const struct ide *ide)
{
	struct state_out o = {0};

	ide_device_ops.save(ide, &o);
	ck_assert(!o.failed);
	return o;
}

static int load(struct ide *ide, const void *p, size_t len)
{
	struct state_in i = state_in_make(p, len);

	return ide_device_ops.load(ide, &i, 1);
}

/* a's state into b; b's own save is then the same bytes. */
static void move(void)
{
	struct state_out s = save(a), t;

	ck_assert_int_eq(load(b, s.p, s.len), 0);
	t = save(b);
	ck_assert_uint_eq(s.len, t.len);
	ck_assert_mem_eq(s.p, t.p, s.len);
	state_out_free(&s);
	state_out_free(&t);
}

START_TEST(pio_read_multiple_half_way_goes_on_in_the_new_controller)
{
	uint8_t want[8 * 512];
	uint16_t w;

	outb(a, 0, IDE_NSECTOR, 4);
	outb(a, 0, IDE_STATUS, 0xC6); /* SET MULTIPLE MODE: 4 */
	lba28(a, 100, 8);
	outb(a, 0, IDE_STATUS, 0xC4); /* READ MULTIPLE */
	file_bytes(hd_path, 100 * 512, want, sizeof want);
	for (unsigned i = 0; i < 300; i++) {
		w = inw(a, 0);
		ck_assert_uint_eq(w, want[2 * i] | want[2 * i + 1] << 8);
	}
	move();
	for (unsigned i = 300; i < 4 * 256; i++) { /* the rest of the first block */
		w = inw(b, 0);
		ck_assert_uint_eq(w, want[2 * i] | want[2 * i + 1] << 8);
	}
	ck_assert_int_eq(inb(b, 0, IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
	for (unsigned i = 4 * 256; i < 8 * 256; i++) { /* the second, read off the disk */
		w = inw(b, 0);
		ck_assert_uint_eq(w, want[2 * i] | want[2 * i + 1] << 8);
	}
	ck_assert_int_eq(inb(b, 0, IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
	ck_assert_uint_eq(inb(b, 0, IDE_SECTOR_REG), 107); /* the last sector read */
}
END_TEST

START_TEST(pio_write_half_way_lands_on_the_disk_from_the_new_controller)
{
	uint8_t got[2 * 512];

	lba28(a, 20, 2);
	outb(a, 0, IDE_STATUS, 0x30); /* WRITE SECTORS */
	for (unsigned i = 0; i < 100; i++)
		ide_cmd_io_ops.write(&a->ch[0], IDE_DATA, 2, 0x1100 + i);
	move();
	for (unsigned i = 100; i < 512; i++)
		ide_cmd_io_ops.write(&b->ch[0], IDE_DATA, 2, 0x1100 + i);
	ck_assert_int_eq(inb(b, 0, IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
	file_bytes(hd_path, 20 * 512, got, sizeof got);
	for (unsigned i = 0; i < 512; i++)
		ck_assert_uint_eq(got[2 * i] | got[2 * i + 1] << 8, 0x1100 + i);
}
END_TEST

static void packet(struct ide *ide, unsigned unit, const uint8_t p[12], uint16_t bcl)
{
	outb(ide, 1, IDE_SELECT, unit ? 0xB0 : 0xA0);
	outb(ide, 1, IDE_ERROR, 0);
	outb(ide, 1, IDE_LCYL, (uint8_t)bcl);
	outb(ide, 1, IDE_HCYL, (uint8_t)(bcl >> 8));
	outb(ide, 1, IDE_STATUS, 0xA0);
	for (unsigned i = 0; i < 12; i += 2)
		ide_cmd_io_ops.write(&ide->ch[1], IDE_DATA, 2, p[i] | p[i + 1] << 8);
}

/* REQUEST SENSE on ide: key << 8 | ASC. */
static unsigned sense(struct ide *ide, unsigned unit)
{
	const uint8_t p[12] = {0x03, 0, 0, 0, 18};
	uint8_t s[18];

	packet(ide, unit, p, 18);
	for (unsigned i = 0; i < 18; i += 2) {
		uint16_t w = inw(ide, 1);

		s[i] = (uint8_t)w, s[i + 1] = (uint8_t)(w >> 8);
	}
	return (unsigned)s[2] << 8 | s[12];
}

START_TEST(atapi_read_and_sense_and_unit_attention_survive)
{
	const uint8_t tur[12] = {0x00};
	const uint8_t read10[12] = {0x28, 0, 0, 0, 0, 2, 0, 0, 3}; /* sectors 2-4 */
	uint8_t want[3 * 2048];
	uint16_t w;

	packet(a, 1, tur, 0); /* the empty drive: NOT READY, no medium */
	ck_assert_int_eq(inb(a, 1, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	file_bytes(cd_path, 2 * 2048, want, sizeof want);
	/* Unit 0's UNIT ATTENTION is still pending in a: the read would
	 * fail. Save and load it, then see it in b. */
	move();
	packet(b, 0, read10, 2048);
	ck_assert_int_eq(inb(b, 1, IDE_STATUS) & IDE_ST_ERR, IDE_ST_ERR);
	ck_assert_uint_eq(sense(b, 0), 0x0628); /* UNIT ATTENTION, medium changed */
	ck_assert_uint_eq(sense(b, 1), 0x023a); /* the empty drive's, from a */
	/* Now a READ(10) stopped in its first 2 KiB block (a's first
	 * attempt meets its own UNIT ATTENTION). */
	packet(a, 0, read10, 2048);
	packet(a, 0, read10, 2048);
	ck_assert_int_eq(inb(a, 1, IDE_STATUS) & IDE_ST_DRQ, IDE_ST_DRQ);
	for (unsigned i = 0; i < 333; i++)
		inw(a, 1);
	move();
	for (unsigned i = 333; i < 3 * 1024; i++) {
		if (i % 1024 == 0)
			ck_assert_uint_eq(inb(b, 1, IDE_LCYL) | inb(b, 1, IDE_HCYL) << 8, 2048);
		w = inw(b, 1);
		ck_assert_uint_eq(w, want[2 * i] | want[2 * i + 1] << 8);
	}
	ck_assert_int_eq(inb(b, 1, IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
}
END_TEST

static void put_prd(struct guest_mem *m, uint32_t addr, uint32_t len)
{
	uint8_t e[8] = {(uint8_t)addr,
			(uint8_t)(addr >> 8),
			(uint8_t)(addr >> 16),
			(uint8_t)(addr >> 24),
			(uint8_t)len,
			(uint8_t)(len >> 8),
			0,
			0x80};

	mem_write(m, PRD, e, sizeof e);
}

START_TEST(dma_waiting_for_the_bus_master_runs_in_the_new_controller)
{
	uint8_t want[3 * 512], got[3 * 512];

	ide_bm_io_ops.write(&a->ch[0], IDE_BM_PRD, 4, PRD);
	lba28(a, 40, 3);
	outb(a, 0, IDE_STATUS, 0xC8); /* READ DMA: waits for the engine */
	move();
	put_prd(&mem_b, BUF, sizeof got);
	ide_bm_io_ops.write(&b->ch[0], IDE_BM_CMD, 1, IDE_BM_START | IDE_BM_TO_MEM);
	ck_assert_uint_eq(ide_bm_io_ops.read(&b->ch[0], IDE_BM_STATUS, 1) & IDE_BM_INTR,
			  IDE_BM_INTR);
	ck_assert_int_eq(inb(b, 0, IDE_STATUS) & (IDE_ST_DRQ | IDE_ST_ERR), 0);
	mem_read(&mem_b, BUF, got, sizeof got);
	file_bytes(hd_path, 40 * 512, want, sizeof want);
	ck_assert_mem_eq(got, want, sizeof want);
}
END_TEST

START_TEST(piix_function_maps_bar4_where_its_loaded_config_says)
{
	struct bus pio_a, pio_b;
	struct piix_ide *pa, *pb;
	struct state_out s = {0};
	struct state_in in;

	bus_init(&pio_a, "a");
	bus_init(&pio_b, "b");
	pa = piix_ide_create(a, &pio_a);
	pb = piix_ide_create(b, &pio_b);
	ck_assert_ptr_nonnull(pa);
	ck_assert_ptr_nonnull(pb);
	pci_set_long(&pa->dev, PCI_BAR0 + 4 * PIIX_IDE_BM_BAR, 0xc001);
	pci_set_word(&pa->dev, PCI_COMMAND, 1);
	pa->dev.ops->written(&pa->dev, PCI_COMMAND, 2);
	ck_assert_uint_eq(pa->bm_base, 0xc000);
	piix_ide_device_ops.save(pa, &s);
	in = state_in_make(s.p, s.len);
	ck_assert_int_eq(piix_ide_device_ops.load(pb, &in, 1), 0);
	ck_assert_uint_eq(pb->bm_base, 0xc000);
	ide_bm_io_ops.write(&a->ch[1], IDE_BM_PRD, 4, 0x12340);
	move();
	ck_assert_uint_eq(bus_read(&pio_b, 0xc00c, 4), 0x12340);
	in = state_in_make(s.p, s.len - 1);
	ck_assert_int_eq(piix_ide_device_ops.load(pb, &in, 1), -1);
	s.p[0] ^= 1; /* another vendor */
	in = state_in_make(s.p, s.len);
	ck_assert_int_eq(piix_ide_device_ops.load(pb, &in, 1), -1);
	state_out_free(&s);
	piix_ide_destroy(pa);
	piix_ide_destroy(pb);
	bus_destroy(&pio_a);
	bus_destroy(&pio_b);
}
END_TEST

/* A refused state leaves b as it was. */
static void ck_refused(const uint8_t *p, size_t len)
{
	struct state_out before = save(b), after;

	ck_assert_int_eq(load(b, p, len), -1);
	after = save(b);
	ck_assert_uint_eq(before.len, after.len);
	ck_assert_mem_eq(before.p, after.p, before.len);
	state_out_free(&before);
	state_out_free(&after);
}

static void ck_corrupt(const struct state_out *s, size_t at, const void *v, size_t n)
{
	uint8_t *p = malloc(s->len);

	memcpy(p, s->p, s->len);
	memcpy(p + at, v, n);
	ck_refused(p, s->len);
	free(p);
}

START_TEST(truncated_and_corrupted_states_are_refused)
{
	const uint32_t big_end = IDE_BUF_SIZE + 2, past_pos = 4 * 512, block0 = 0;
	const uint64_t past_disk = SECTORS - 3;
	const uint8_t seven = 7, two = 2;
	struct state_out s;
	struct ide *bare;

	outb(a, 0, IDE_NSECTOR, 4);
	outb(a, 0, IDE_STATUS, 0xC6);
	lba28(a, 100, 8);
	outb(a, 0, IDE_STATUS, 0xC4);
	inw(a, 0);
	s = save(a);
	ck_assert_uint_eq(s.p[AT_XFER], IDE_XFER_IN); /* the offsets are right */
	ck_assert_uint_eq(s.p[AT_POS], 2);
	ck_assert_uint_eq(s.p[AT_LBA], 104);
	lba28(b, 7, 1);
	outb(b, 0, IDE_STATUS, 0x20);
	for (size_t n = 0; n < s.len; n++)
		ck_refused(s.p, n);
	ck_corrupt(&s, AT_XFER, &seven, 1);		 /* no such transfer */
	ck_corrupt(&s, AT_UNIT, &two, 1);		 /* a third drive */
	ck_corrupt(&s, AT_END, &big_end, 4);		 /* past the buffer */
	ck_corrupt(&s, AT_POS, &past_pos, 4);		 /* at the block's end */
	ck_corrupt(&s, AT_LBA, &past_disk, 8);		 /* the next block past the disk */
	ck_corrupt(&s, AT_BLOCK, &block0, 4);		 /* blocks of no sectors */
	ck_corrupt(&s, AT_LEFT, &(uint32_t){70000}, 4);	 /* more than a command moves */
	ck_corrupt(&s, AT_BUF + 4 * 512 + 2, &seven, 1); /* bus-master command bits */
	/* A controller without a disk on channel 0 takes no state of one. */
	bare = ide_create((struct irq_line[2]){{0}, {0}}, &mem_b);
	ck_assert_int_eq(load(bare, s.p, s.len), -1);
	ide_destroy(bare);
	state_out_free(&s);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    pio_read_multiple_half_way_goes_on_in_the_new_controller,
	    pio_write_half_way_lands_on_the_disk_from_the_new_controller,
	    atapi_read_and_sense_and_unit_attention_survive,
	    dma_waiting_for_the_bus_master_runs_in_the_new_controller,
	    piix_function_maps_bar4_where_its_loaded_config_says,
	    truncated_and_corrupted_states_are_refused,
	};

	return unit_run(
	    unit_suite("ide_save", "save", setup, teardown, tests, UNIT_COUNT(tests), NULL, 0));
}
