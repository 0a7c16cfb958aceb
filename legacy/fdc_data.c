/* The 82077AA's data commands: READ DATA, WRITE DATA, FORMAT TRACK and
 * READ ID. The medium is the image laid out cylinder by cylinder, head by
 * head, with sector IDs (C, H, R, N) = (cylinder, head, 1..spt, 2). */
#include <string.h>

#include "hv/core/log.h"
#include "legacy/fdc.h"

#define SECTOR	  512
#define SIZE_CODE 2    /* N of a 512-byte sector */
#define ST1_OR	  0x10 /* overrun: the DMA channel stopped serving us */
#define ST1_DE	  0x20 /* data error: here, the host could not read or write the image */
#define ST2_BC	  0x02 /* bad cylinder (an ID of FFh) */

/* The drive finds IDs on its track only with a disk in, its motor on, the
 * medium's data rate and MFM selected and the head over a cylinder the
 * medium has; otherwise the controller reports a missing address mark. */
static struct fdc_drive *track_readable(struct fdc *f, unsigned ds)
{
	struct fdc_drive *d = ds < FDC_DRIVES ? &f->drive[ds] : NULL;

	if (!d || !d->disk || !(f->dor & (FDC_DOR_MOTOR0 << ds)) || !(f->buf[0] & 0x40) ||
	    f->rate != d->geo->rate || d->cyl >= d->geo->cyls)
		return NULL;
	return d;
}

/* The seven result bytes: ST0-ST2 and the ID the command ended on. */
static void finish(struct fdc *f, uint8_t st0, uint8_t st1, uint8_t st2)
{
	uint8_t r[7] = {(uint8_t)(st0 | f->head << 2 | (f->buf[1] & 3)),
			st1,
			st2,
			f->cur_c,
			f->cur_h,
			f->cur_r,
			f->cur_n};

	memcpy(f->buf, r, sizeof r);
	fdc_result(f, sizeof r, true);
}

void fdc_start_data(struct fdc *f)
{
	f->phase = FDC_EXECUTION;
	dma8237_set_dreq(f->dma, f->dma_ch, (f->dor & FDC_DOR_DMAEN) != 0);
}

static void start_rw(struct fdc *f, bool write)
{
	unsigned ds = f->buf[1] & 3;
	struct fdc_drive *d;

	f->head = f->buf[1] >> 2 & 1;
	f->cur_c = f->buf[2];
	f->cur_h = f->buf[3];
	f->cur_r = f->buf[4];
	f->cur_n = f->buf[5];
	f->eot = f->buf[6];
	f->multitrack = (f->buf[0] & 0x80) != 0;
	if (ds < FDC_DRIVES && f->drive[ds].disk && fdc_implied_seek(f)) {
		if (f->drive[ds].cyl != f->cur_c)
			f->drive[ds].changed = false;
		f->drive[ds].cyl = f->cur_c;
	}
	d = track_readable(f, ds);
	if (!d)
		finish(f, FDC_ST0_ABNORMAL, FDC_ST1_MA, 0);
	else if (write && d->disk->readonly)
		finish(f, FDC_ST0_ABNORMAL, FDC_ST1_NW, 0);
	else
		fdc_start_data(f);
}

void fdc_run_read(struct fdc *f)
{
	start_rw(f, false);
}

void fdc_run_write(struct fdc *f)
{
	start_rw(f, true);
}

/* Whether the sector the command asks for next passes under the head. */
static bool sector_here(const struct fdc *f, const struct fdc_drive *d, uint8_t *st2)
{
	if (f->cur_c == d->cyl && f->cur_h == f->head && f->cur_n == SIZE_CODE && f->cur_r >= 1 &&
	    f->cur_r <= d->geo->spt)
		return true;
	if (f->cur_c != d->cyl)
		*st2 = (uint8_t)(FDC_ST2_WC | (f->cur_c == 0xFF ? ST2_BC : 0));
	return false;
}

static uint64_t sector_offset(const struct fdc_drive *d, unsigned head, unsigned r)
{
	const struct fdc_geometry *g = d->geo;

	return (((uint64_t)d->cyl * g->heads + head) * g->spt + r - 1) * SECTOR;
}

/* The next ID after a sector. The last sector is EOT or the track's end:
 * QEMU's controller (which SeaBIOS guests know) goes on to the next head
 * at the physical end of track even when EOT lies beyond it, and so do we.
 * Multi-track continues from head 0 to head 1 (the head itself switches
 * only if the transfer goes on); anything else ends the cylinder. */
enum next { SAME_TRACK, OTHER_HEAD, END_OF_CYLINDER };

static enum next next_sector(struct fdc *f, const struct fdc_geometry *g)
{
	if (f->cur_r != f->eot && f->cur_r < g->spt) {
		f->cur_r++;
		return SAME_TRACK;
	}
	f->cur_r = 1;
	if (f->multitrack) {
		f->cur_h ^= 1;
		if (f->head == 0 && g->heads > 1)
			return OTHER_HEAD;
	}
	f->cur_c++;
	return END_OF_CYLINDER;
}

/* One sector through the DMA channel; returns the result's ST1 on a
 * failure, else 0. */
static uint8_t move_sector(struct fdc *f, struct fdc_drive *d, bool write, bool *tc)
{
	uint8_t data[SECTOR];
	uint64_t at = sector_offset(d, f->head, f->cur_r);
	size_t moved;

	if (write) {
		memset(data, 0, sizeof data); /* TC inside a sector: the rest is zeros */
		moved = dma8237_read_mem(f->dma, f->dma_ch, data, SECTOR, tc);
		if (moved < SECTOR && !*tc)
			return ST1_OR;
		return disk_write(d->disk, at, data, SECTOR) < 0 ? ST1_DE : 0;
	}
	if (disk_read(d->disk, at, data, SECTOR) < 0)
		return ST1_DE;
	moved = dma8237_write_mem(f->dma, f->dma_ch, data, SECTOR, tc);
	return moved < SECTOR && !*tc ? ST1_OR : 0;
}

/* Sectors until the DMA channel's terminal count (a normal end) or the
 * end of the cylinder (abnormal, EN). */
static void transfer_sectors(struct fdc *f, bool write)
{
	struct fdc_drive *d = &f->drive[f->buf[1] & 3];
	bool tc = false;
	enum next next;

	for (;;) {
		uint8_t st1, st2 = 0;

		if (!sector_here(f, d, &st2)) {
			finish(f, FDC_ST0_ABNORMAL, FDC_ST1_ND, st2);
			return;
		}
		st1 = move_sector(f, d, write, &tc);
		if (st1) {
			finish(f, FDC_ST0_ABNORMAL, st1, 0);
			return;
		}
		d->sect = (uint8_t)(f->cur_r % d->geo->spt + 1);
		next = next_sector(f, d->geo);
		if (tc || next == END_OF_CYLINDER) {
			finish(f, tc ? 0 : FDC_ST0_ABNORMAL, tc ? 0 : FDC_ST1_EN, 0);
			return;
		}
		if (next == OTHER_HEAD)
			f->head = 1;
	}
}

void fdc_run_read_id(struct fdc *f)
{
	struct fdc_drive *d;

	f->head = f->buf[1] >> 2 & 1;
	d = track_readable(f, f->buf[1] & 3);
	if (!d) {
		finish(f, FDC_ST0_ABNORMAL, FDC_ST1_MA, 0);
		return;
	}
	f->cur_c = d->cyl;
	f->cur_h = f->head;
	f->cur_r = d->sect;
	f->cur_n = SIZE_CODE;
	d->sect = (uint8_t)(d->sect % d->geo->spt + 1);
	finish(f, 0, 0, 0);
}

/* FORMAT TRACK: HD/DS, N, SC, GPL, D. The DMA channel supplies four ID
 * bytes per sector; sectors the image has get the filler byte D. */
void fdc_run_format(struct fdc *f)
{
	unsigned ds = f->buf[1] & 3;
	struct fdc_drive *d;

	f->head = f->buf[1] >> 2 & 1;
	f->eot = f->buf[3];
	d = track_readable(f, ds);
	if (!d) {
		finish(f, FDC_ST0_ABNORMAL, FDC_ST1_MA, 0);
		return;
	}
	f->cur_c = d->cyl;
	f->cur_h = f->head;
	f->cur_r = 1;
	f->cur_n = f->buf[2];
	if (d->disk->readonly) {
		finish(f, FDC_ST0_ABNORMAL, FDC_ST1_NW, 0);
		return;
	}
	if (f->buf[2] != SIZE_CODE || f->buf[3] != d->geo->spt)
		log_guest("fdc: FORMAT TRACK with %u sectors of size code %u on a %s image",
			  f->buf[3], f->buf[2], d->geo->name);
	fdc_start_data(f);
}

static uint8_t format_sector(struct fdc *f, struct fdc_drive *d, const uint8_t id[4])
{
	uint8_t data[SECTOR];

	f->cur_c = id[0];
	f->cur_h = id[1];
	f->cur_r = id[2];
	f->cur_n = id[3];
	if (id[0] != d->cyl || id[1] != f->head || id[3] != SIZE_CODE || id[2] < 1 ||
	    id[2] > d->geo->spt) {
		log_guest("fdc: FORMAT TRACK ID %u/%u/%u/%u does not fit the image", id[0], id[1],
			  id[2], id[3]);
		return 0;
	}
	memset(data, f->buf[5], sizeof data);
	return disk_write(d->disk, sector_offset(d, f->head, id[2]), data, SECTOR) < 0 ? ST1_DE : 0;
}

static void format_track(struct fdc *f)
{
	struct fdc_drive *d = &f->drive[f->buf[1] & 3];
	unsigned sc = f->buf[3];

	for (unsigned i = 0; i < sc; i++) {
		uint8_t id[4], st1;
		bool tc;

		if (dma8237_read_mem(f->dma, f->dma_ch, id, sizeof id, &tc) < sizeof id) {
			finish(f, tc ? 0 : FDC_ST0_ABNORMAL, tc ? 0 : ST1_OR, 0);
			return;
		}
		st1 = format_sector(f, d, id);
		if (st1) {
			finish(f, FDC_ST0_ABNORMAL, st1, 0);
			return;
		}
		if (tc)
			break;
	}
	finish(f, 0, 0, 0);
}

void fdc_transfer(struct fdc *f)
{
	switch (f->cmd ? f->cmd->opcode : 0) {
	case 0x06: transfer_sectors(f, false); break;
	case 0x05: transfer_sectors(f, true); break;
	case 0x0D: format_track(f); break;
	}
}
