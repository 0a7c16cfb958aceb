/* fdc save/load (device_ops version 1): two PCs' worth of 8237 and
 * 82077AA on one 1.44 MB image; the first controller is stopped while
 * receiving a READ DATA, while a READ DATA waits for a masked DMA channel,
 * and half-way through a result, then saved (with its DMA controller) and
 * loaded into the second, which finishes with the right sectors in its
 * memory and the right result bytes, on the same track, with the same
 * disk-change line; truncated and corrupted states are refused without
 * touching the controller. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/core/memory.h"
#include "hv/core/state.h"
#include "legacy/dma8237.h"
#include "legacy/fdc.h"

#include "unit.h"

#define SPT	18
#define SECTORS (80 * 2 * SPT)
#define BUF	0x10000

/* Offsets in a version 1 state (legacy/fdc_save.c). */
#define AT_RATE	  2
#define AT_PHASE  4
#define AT_BUF	  5
#define AT_POS	  21
#define AT_LEN	  22
#define AT_OPCODE 23
#define AT_SENSES 25
#define AT_HEAD	  37
#define AT_DRIVE0 39 /* disk, size, cyl, sect, changed, seek_irq, seek ST0 */

struct pc {
	struct guest_mem m;
	struct dma8237 *dma;
	struct fdc *f;
	int irq;
};

static struct pc a, b;
static struct disk *disk;
static char path[64];

static void set_irq(void *opaque, int pin, int level)
{
	(void)pin;
	((struct pc *)opaque)->irq = level;
}

static uint8_t pattern(unsigned lba, unsigned i)
{
	return (uint8_t)(lba * 13 + i);
}

static void pc_init(struct pc *p)
{
	char err[128];

	ck_assert_int_eq(mem_init(&p->m, 1u << 20, err, sizeof err), 0);
	p->dma = dma8237_create(&p->m);
	p->f = fdc_create((struct irq_line){set_irq, p, 6}, p->dma, 2);
	ck_assert_ptr_nonnull(p->f);
	ck_assert_int_eq(fdc_attach(p->f, 0, disk, err, sizeof err), 0);
	p->irq = 0;
}

static void pc_fini(struct pc *p)
{
	fdc_destroy(p->f);
	dma8237_destroy(p->dma);
	mem_destroy(&p->m);
}

static void setup(void)
{
	char err[256];
	uint8_t *img = malloc((size_t)SECTORS * 512);
	int fd;

	for (unsigned lba = 0; lba < SECTORS; lba++)
		for (unsigned i = 0; i < 512; i++)
			img[lba * 512 + i] = pattern(lba, i);
	strcpy(path, "/tmp/hv-test-fdc-save-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_eq(write(fd, img, (size_t)SECTORS * 512), SECTORS * 512);
	close(fd);
	free(img);
	disk = disk_open(path, false, err, sizeof err);
	ck_assert_msg(disk != NULL, "%s", err);
	pc_init(&a);
	pc_init(&b);
}

static void teardown(void)
{
	pc_fini(&a);
	pc_fini(&b);
	disk_close(disk);
	unlink(path);
}

static void outp(struct pc *p, unsigned reg, uint8_t v)
{
	if (reg == FDC_CCR)
		fdc_dir_io_ops.write(p->f, 0, 1, v);
	else
		fdc_io_ops.write(p->f, reg, 1, v);
}

static uint8_t inp(struct pc *p, unsigned reg)
{
	return (uint8_t)(reg == FDC_DIR ? fdc_dir_io_ops.read(p->f, 0, 1)
					: fdc_io_ops.read(p->f, reg, 1));
}

static void cmd(struct pc *p, unsigned n, const uint8_t *bytes)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(inp(p, FDC_MSR) & (FDC_MSR_RQM | FDC_MSR_DIO), FDC_MSR_RQM);
		outp(p, FDC_FIFO, bytes[i]);
	}
}

#define CMD(p, ...) cmd(p, sizeof((uint8_t[]){__VA_ARGS__}), (uint8_t[]){__VA_ARGS__})

static void results(struct pc *p, unsigned n, uint8_t *out)
{
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(inp(p, FDC_MSR) & (FDC_MSR_RQM | FDC_MSR_DIO),
				  FDC_MSR_RQM | FDC_MSR_DIO);
		out[i] = inp(p, FDC_FIFO);
	}
}

/* Out of reset with drive 0's motor on, the four SENSE INTERRUPTs taken,
 * 500 kb/s, and the head moved to cylinder 5 (which clears the disk-change
 * line). */
static void start(struct pc *p)
{
	uint8_t r[2];

	outp(p, FDC_DOR, 0);
	outp(p, FDC_DOR, FDC_DOR_MOTOR0 | FDC_DOR_DMAEN | FDC_DOR_NRESET);
	for (unsigned i = 0; i < 4; i++) {
		CMD(p, 0x08);
		results(p, 2, r);
	}
	outp(p, FDC_CCR, FDC_RATE_500K);
	CMD(p, 0x0F, 0x00, 5);
	ck_assert_int_eq(p->irq, 1);
}

/* Channel 2 as SeaBIOS programs it, left masked when `masked`. */
static void dma_setup(struct pc *p, uint32_t addr, unsigned bytes, bool masked)
{
	struct dma8237 *dma = p->dma;

	dma8237_dma1_io_ops.write(dma, DMA_REG_MASK, 1, 4 | 2);
	dma8237_dma1_io_ops.write(dma, DMA_REG_FLIPFLOP, 1, 0);
	dma8237_dma1_io_ops.write(dma, DMA_REG_ADDR(2), 1, (uint8_t)addr);
	dma8237_dma1_io_ops.write(dma, DMA_REG_ADDR(2), 1, (uint8_t)(addr >> 8));
	dma8237_dma1_io_ops.write(dma, DMA_REG_COUNT(2), 1, (uint8_t)(bytes - 1));
	dma8237_dma1_io_ops.write(dma, DMA_REG_COUNT(2), 1, (uint8_t)((bytes - 1) >> 8));
	dma8237_dma1_io_ops.write(dma, DMA_REG_MODE, 1, 0x46);
	dma8237_page_io_ops.write(dma, 0x81 - DMA8237_PAGE_FIRST, 1, (uint8_t)(addr >> 16));
	dma8237_dma2_io_ops.write(dma, 2 * DMA_REG_MODE, 1, 0xC0);
	dma8237_dma2_io_ops.write(dma, 2 * DMA_REG_MASK, 1, 0);
	if (!masked)
		dma8237_dma1_io_ops.write(dma, DMA_REG_MASK, 1, 2);
}

static struct state_out save(const struct device_ops *ops, const void *dev)
{
	struct state_out o = {0};

	ops->save(dev, &o);
	ck_assert(!o.failed);
	return o;
}

static int load(const struct device_ops *ops, void *dev, const void *p, size_t len)
{
	struct state_in i = state_in_make(p, len);

	return ops->load(dev, &i, 1);
}

/* a's controller (and DMA controller when `with_dma`) into b's. */
static void move(bool with_dma)
{
	struct state_out s = save(&fdc_device_ops, a.f), t;

	if (with_dma) {
		t = save(&dma8237_device_ops, a.dma);
		ck_assert_int_eq(load(&dma8237_device_ops, b.dma, t.p, t.len), 0);
		state_out_free(&t);
	}
	ck_assert_int_eq(load(&fdc_device_ops, b.f, s.p, s.len), 0);
	ck_assert_int_eq(b.irq, a.irq);
	t = save(&fdc_device_ops, b.f);
	ck_assert_uint_eq(s.len, t.len);
	ck_assert_mem_eq(s.p, t.p, s.len);
	state_out_free(&s);
	state_out_free(&t);
}

static void ck_sectors(struct pc *p, unsigned lba, unsigned n)
{
	uint8_t got[512];

	for (unsigned k = 0; k < n; k++) {
		mem_read(&p->m, BUF + 512 * k, got, sizeof got);
		for (unsigned i = 0; i < 512; i++)
			ck_assert_uint_eq(got[i], pattern(lba + k, i));
	}
}

/* READ DATA of cylinder 5, head 1, sectors 3 and 4. */
static void ck_read_result(struct pc *p)
{
	uint8_t r[7];

	results(p, 7, r);
	ck_assert_uint_eq(r[0], 0x04); /* normal end, head 1, drive 0 */
	ck_assert_uint_eq(r[1], 0);
	ck_assert_uint_eq(r[3], 5);
	ck_assert_uint_eq(r[5], 5);
	ck_sectors(p, (5 * 2 + 1) * SPT + 2, 2);
}

START_TEST(command_half_received_is_finished_by_the_new_controller)
{
	uint8_t r[2];

	start(&a);
	CMD(&a, 0x08);
	results(&a, 2, r);
	ck_assert_uint_eq(inp(&a, FDC_DIR) & FDC_DIR_DSKCHG, 0);
	ck_assert_uint_eq(inp(&b, FDC_DIR) & FDC_DIR_DSKCHG, FDC_DIR_DSKCHG);
	CMD(&a, 0xE6, 0x04, 5, 1); /* READ DATA: 4 of its 9 bytes */
	move(false);
	ck_assert_uint_eq(inp(&b, FDC_DIR) & FDC_DIR_DSKCHG, 0);
	ck_assert_uint_eq(inp(&b, FDC_MSR), FDC_MSR_RQM | FDC_MSR_CB);
	dma_setup(&b, BUF, 1024, false);
	CMD(&b, 3, 2, 18, 0x1B, 0xFF);
	ck_assert_int_eq(b.irq, 1);
	ck_read_result(&b);
}
END_TEST

START_TEST(command_waiting_for_dma_runs_when_the_new_channel_is_unmasked)
{
	uint8_t r[2];

	start(&a);
	CMD(&a, 0x08);
	results(&a, 2, r);
	dma_setup(&a, BUF, 1024, true);
	CMD(&a, 0xE6, 0x04, 5, 1, 3, 2, 18, 0x1B, 0xFF);
	ck_assert_uint_eq(inp(&a, FDC_MSR), FDC_MSR_CB); /* execution phase */
	move(true);
	ck_assert_uint_eq(inp(&b, FDC_MSR), FDC_MSR_CB);
	ck_assert_int_eq(b.irq, 0);
	dma8237_dma1_io_ops.write(b.dma, DMA_REG_MASK, 1, 2); /* unmask channel 2 */
	ck_assert_int_eq(b.irq, 1);
	ck_read_result(&b);
}
END_TEST

START_TEST(result_half_read_and_the_track_carry_over)
{
	uint8_t r[2];

	start(&a);
	CMD(&a, 0x08); /* SENSE INTERRUPT STATUS after the seek */
	r[0] = inp(&a, FDC_FIFO);
	ck_assert_uint_eq(r[0], FDC_ST0_SE);
	move(false);
	ck_assert_uint_eq(inp(&b, FDC_MSR), FDC_MSR_RQM | FDC_MSR_DIO | FDC_MSR_CB);
	ck_assert_uint_eq(inp(&b, FDC_FIFO), 5); /* the present cylinder */
	ck_assert_uint_eq(inp(&b, FDC_MSR), FDC_MSR_RQM);
	ck_assert_uint_eq(b.f->drive[0].cyl, 5);
}
END_TEST

static void ck_refused(const uint8_t *p, size_t len)
{
	struct state_out before = save(&fdc_device_ops, b.f), after;

	ck_assert_int_eq(load(&fdc_device_ops, b.f, p, len), -1);
	after = save(&fdc_device_ops, b.f);
	ck_assert_uint_eq(before.len, after.len);
	ck_assert_mem_eq(before.p, after.p, before.len);
	state_out_free(&before);
	state_out_free(&after);
}

static void ck_corrupt(const struct state_out *s, size_t at, uint8_t v)
{
	uint8_t *p = malloc(s->len);

	memcpy(p, s->p, s->len);
	p[at] = v;
	ck_refused(p, s->len);
	free(p);
}

START_TEST(truncated_and_corrupted_states_are_refused)
{
	struct state_out s, r;
	struct fdc *bare;
	uint8_t st0;

	start(&a);
	CMD(&a, 0x08);
	st0 = inp(&a, FDC_FIFO);
	ck_assert_uint_eq(st0, FDC_ST0_SE);
	r = save(&fdc_device_ops, a.f); /* result phase, one byte left */
	ck_assert_uint_eq(inp(&a, FDC_FIFO), 5);
	CMD(&a, 0xE6, 0x04, 5, 1, 3, 2, 18, 0x1B, 0xFF); /* execution phase */
	s = save(&fdc_device_ops, a.f);
	ck_assert_uint_eq(s.p[AT_PHASE], FDC_EXECUTION); /* the offsets are right */
	ck_assert_uint_eq(s.p[AT_OPCODE], 0x06);
	ck_assert_uint_eq(s.p[AT_DRIVE0 + 9], 5);
	ck_assert_uint_eq(r.p[AT_POS], 1);
	start(&b);
	for (size_t n = 0; n < s.len; n++)
		ck_refused(s.p, n);
	ck_corrupt(&s, AT_PHASE, 3);			   /* no such phase */
	ck_corrupt(&s, AT_OPCODE, 0x55);		   /* no such command */
	ck_corrupt(&s, AT_OPCODE, 0x46);		   /* not an opcode as the table has it */
	ck_corrupt(&s, AT_OPCODE, 0x08);		   /* executing SENSE INTERRUPT */
	ck_corrupt(&s, AT_BUF + 1, 0x01);		   /* executing on drive 1: none */
	ck_corrupt(&s, AT_BUF + 1, 0x03);		   /* drive 3 of two */
	ck_corrupt(&s, AT_DRIVE0 + 9, 80);		   /* head past the last cylinder */
	ck_corrupt(&s, AT_DRIVE0 + 10, 0);		   /* sector 0 */
	ck_corrupt(&s, AT_DRIVE0 + 0, 0);		   /* the disk is gone */
	ck_corrupt(&s, AT_DRIVE0 + 3, 0x20);		   /* another size */
	ck_corrupt(&s, AT_RATE, 4);			   /* no such rate */
	ck_corrupt(&s, AT_SENSES, 5);			   /* more than four drives to sense */
	ck_corrupt(&s, AT_HEAD, 2);			   /* a third head */
	ck_corrupt(&s, 0, FDC_DOR_MOTOR0 | FDC_DOR_DMAEN); /* executing while held in reset */
	ck_corrupt(&r, AT_POS, 2);			   /* result read past its end */
	ck_corrupt(&r, AT_LEN, 17);			   /* result longer than the FIFO */
	ck_corrupt(&r, AT_PHASE, FDC_COMMAND);		   /* command phase with result bytes */
	/* A controller without the disk takes no state of one. */
	bare = fdc_create((struct irq_line){0}, NULL, 2);
	ck_assert_int_eq(load(&fdc_device_ops, bare, s.p, s.len), -1);
	fdc_destroy(bare);
	state_out_free(&s);
	state_out_free(&r);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    command_half_received_is_finished_by_the_new_controller,
	    command_waiting_for_dma_runs_when_the_new_channel_is_unmasked,
	    result_half_read_and_the_track_carry_over,
	    truncated_and_corrupted_states_are_refused,
	};

	return unit_run(
	    unit_suite("fdc_save", "save", setup, teardown, tests, UNIT_COUNT(tests), NULL, 0));
}
