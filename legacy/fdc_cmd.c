/* The 82077AA's command table and its commands that move no data: head
 * positioning, status, and the controller's configuration. */
#include "hv/core/log.h"
#include "legacy/fdc.h"

#define CONFIG_EIS 0x40 /* implied seek before data commands */

/* Drive and head from a command's HD/DS byte. */
static unsigned drive_of(const struct fdc *f)
{
	return f->buf[1] & 3;
}

static unsigned head_of(const struct fdc *f)
{
	return f->buf[1] >> 2 & 1;
}

static struct fdc_drive *present(struct fdc *f, unsigned ds)
{
	return ds < FDC_DRIVES && f->drive[ds].disk ? &f->drive[ds] : NULL;
}

/* Moves the head; a step pulse with a disk in the drive clears its
 * disk-change line. Ends with the seek interrupt. */
static void step_to(struct fdc *f, struct fdc_drive *d, unsigned cyl, uint8_t st0)
{
	if (d->cyl != cyl)
		d->changed = false;
	d->cyl = (uint8_t)cyl;
	d->seek_st0 = st0;
	d->seek_irq = true;
	fdc_set_int(f, true);
}

static void run_recalibrate(struct fdc *f)
{
	unsigned ds = drive_of(f);
	struct fdc_drive *d = present(f, ds);

	if (!d) {
		/* no TRK0 signal after 79 steps */
		if (ds < FDC_DRIVES) {
			f->drive[ds].seek_st0 =
			    (uint8_t)(FDC_ST0_SE | FDC_ST0_ABNORMAL | FDC_ST0_EC | ds);
			f->drive[ds].seek_irq = true;
		}
		fdc_set_int(f, true);
		return;
	}
	step_to(f, d, 0, (uint8_t)(FDC_ST0_SE | ds));
}

/* SEEK, or RELATIVE SEEK (bit 7 of the opcode, bit 6 the direction). */
static void run_seek(struct fdc *f)
{
	unsigned ds = drive_of(f), cyl = f->buf[2];
	struct fdc_drive *d = present(f, ds);
	uint8_t st0 = (uint8_t)(FDC_ST0_SE | head_of(f) << 2 | ds);

	if (!d) {
		if (ds < FDC_DRIVES) {
			f->drive[ds].seek_st0 = st0;
			f->drive[ds].seek_irq = true;
		}
		fdc_set_int(f, true);
		return;
	}
	if (f->buf[0] & 0x80)
		cyl = f->buf[0] & 0x40 ? d->cyl + cyl : (d->cyl > cyl ? d->cyl - cyl : 0);
	step_to(f, d, cyl > 255 ? 255 : cyl, st0);
}

/* Answers the reset's four polling statuses first, then a finished seek;
 * with nothing to report the command is invalid. */
static void run_sense_interrupt(struct fdc *f)
{
	fdc_set_int(f, false);
	if (f->reset_senses) {
		unsigned n = 4 - f->reset_senses--;

		f->buf[0] = (uint8_t)(0xC0 | n);
		f->buf[1] = n < FDC_DRIVES ? f->drive[n].cyl : 0;
		fdc_result(f, 2, false);
		return;
	}
	for (unsigned i = 0; i < FDC_DRIVES; i++) {
		struct fdc_drive *d = &f->drive[i];

		if (!d->seek_irq)
			continue;
		d->seek_irq = false;
		f->buf[0] = d->seek_st0;
		f->buf[1] = d->cyl;
		fdc_result(f, 2, false);
		for (unsigned j = i + 1; j < FDC_DRIVES; j++)
			if (f->drive[j].seek_irq)
				fdc_set_int(f, true);
		return;
	}
	f->buf[0] = FDC_ST0_INVALID;
	fdc_result(f, 1, false);
}

static void run_sense_drive(struct fdc *f)
{
	unsigned ds = drive_of(f);
	struct fdc_drive *d = present(f, ds);
	uint8_t st3 = (uint8_t)(head_of(f) << 2 | ds);

	if (d) {
		st3 |= 0x28; /* ready, two-sided */
		if (d->cyl == 0)
			st3 |= FDC_ST3_T0;
		if (d->disk->readonly)
			st3 |= FDC_ST3_WP;
	}
	f->buf[0] = st3;
	fdc_result(f, 1, false);
}

static void run_specify(struct fdc *f)
{
	f->specify[0] = f->buf[1];
	f->specify[1] = f->buf[2];
	if (f->buf[2] & 1)
		log_guest("fdc: SPECIFY asks for non-DMA mode, which is not emulated");
}

static void run_configure(struct fdc *f)
{
	f->config = f->buf[2];
	f->pretrk = f->buf[3];
	if (f->config & CONFIG_EIS)
		log_guest("fdc: CONFIGURE enables implied seeks");
}

static void run_version(struct fdc *f)
{
	f->buf[0] = 0x90; /* 82077AA */
	fdc_result(f, 1, false);
}

static void run_lock(struct fdc *f)
{
	f->lock = (f->buf[0] & 0x80) != 0;
	f->buf[0] = (uint8_t)(f->lock << 4);
	fdc_result(f, 1, false);
}

/* OW set: the drive bits D3-D0 are written too; GAP and WGATE always. */
static void run_perpendicular(struct fdc *f)
{
	uint8_t v = f->buf[1];

	if (v & 0x80)
		f->perpendicular = v & 0x3F;
	else
		f->perpendicular = (uint8_t)((f->perpendicular & 0x3C) | (v & 3));
}

static void run_dumpreg(struct fdc *f)
{
	f->buf[0] = f->drive[0].cyl;
	f->buf[1] = f->drive[1].cyl;
	f->buf[2] = 0;
	f->buf[3] = 0;
	f->buf[4] = f->specify[0];
	f->buf[5] = f->specify[1];
	f->buf[6] = f->eot;
	f->buf[7] = (uint8_t)(f->lock << 7 | f->perpendicular);
	f->buf[8] = f->config;
	f->buf[9] = f->pretrk;
	fdc_result(f, 10, false);
}

static const struct fdc_command commands[] = {
    {0x06, 0xE0, 8, "READ DATA", fdc_run_read},
    {0x05, 0xC0, 8, "WRITE DATA", fdc_run_write},
    {0x0A, 0x40, 1, "READ ID", fdc_run_read_id},
    {0x0D, 0x40, 5, "FORMAT TRACK", fdc_run_format},
    {0x07, 0x00, 1, "RECALIBRATE", run_recalibrate},
    {0x0F, 0xC0, 2, "SEEK", run_seek},
    {0x08, 0x00, 0, "SENSE INTERRUPT STATUS", run_sense_interrupt},
    {0x04, 0x00, 1, "SENSE DRIVE STATUS", run_sense_drive},
    {0x03, 0x00, 2, "SPECIFY", run_specify},
    {0x13, 0x00, 3, "CONFIGURE", run_configure},
    {0x10, 0x00, 0, "VERSION", run_version},
    {0x14, 0x80, 0, "LOCK", run_lock},
    {0x12, 0x00, 1, "PERPENDICULAR MODE", run_perpendicular},
    {0x0E, 0x00, 0, "DUMPREG", run_dumpreg},
};

const struct fdc_command *fdc_find_command(uint8_t opcode)
{
	for (unsigned i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if ((opcode & ~commands[i].flags) == commands[i].opcode)
			return &commands[i];
	return NULL;
}

/* Exposed for the data commands: whether CONFIGURE asked for implied
 * seeks. */
bool fdc_implied_seek(const struct fdc *f)
{
	return (f->config & CONFIG_EIS) != 0;
}
