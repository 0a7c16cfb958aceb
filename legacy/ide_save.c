/* The IDE controller's save and load ops (device_ops, version 1).
 *
 * Version 1, per channel: the taskfile (feature, sector count, sector,
 * cylinder low and high, their HOB bytes, device/head, status, error,
 * device control, the pending interrupt); the PIO transfer (kind, buffer
 * position and end, command, unit, next sector, sectors left, block size,
 * ATAPI byte count limit, reply length and offset, whether the reply comes
 * from the medium) with the buffer's first `end` bytes while a transfer
 * is in progress; the DMA command waiting for the bus master and its
 * direction; the bus-master command, status and PRD table address; then
 * per drive its kind and size (which must be this machine's: the disk
 * file is the disk and is not saved), the current CHS translation, the
 * READ/WRITE MULTIPLE block, and the ATAPI sense key and code, UNIT
 * ATTENTION and tray lock.
 *
 * Every value the next port access or the bus master uses as an index,
 * a length or a disk position is checked against the buffer, the drive
 * and the medium before anything is changed; the interrupt lines are
 * driven again from the loaded state. */
#include <stdlib.h>
#include <string.h>

#include "hv/core/state.h"
#include "legacy/ide_cmd.h"

static void save_drive(const struct ide_drive *d, struct state_out *o)
{
	state_put_bool(o, d->present);
	state_put_bool(o, d->atapi);
	state_put_bool(o, d->disk != NULL);
	state_put_u64(o, d->sectors);
	state_put_u16(o, d->cur_heads);
	state_put_u16(o, d->cur_spt);
	state_put_u8(o, d->multiple);
	state_put_u8(o, d->sense_key);
	state_put_u8(o, d->asc);
	state_put_bool(o, d->media_changed);
	state_put_bool(o, d->locked);
}

static void save_channel(const struct ide_channel *c, struct state_out *o)
{
	const uint8_t tf[] = {c->feature,  c->nsector,	   c->sector,	   c->lcyl,
			      c->hcyl,	   c->hob_feature, c->hob_nsector, c->hob_sector,
			      c->hob_lcyl, c->hob_hcyl,	   c->select,	   c->status,
			      c->error,	   c->ctl};

	state_put_bytes(o, tf, sizeof tf);
	state_put_bool(o, c->intrq);
	state_put_u8(o, (uint8_t)c->xfer);
	state_put_u32(o, c->pos);
	state_put_u32(o, c->end);
	state_put_u8(o, c->cmd);
	state_put_u8(o, c->unit);
	state_put_u64(o, c->lba);
	state_put_u32(o, c->left);
	state_put_u32(o, c->block);
	state_put_u32(o, c->bcl);
	state_put_u32(o, c->in_len);
	state_put_u32(o, c->in_off);
	state_put_bool(o, c->cd_read);
	if (c->xfer != IDE_XFER_NONE)
		state_put_bytes(o, c->buf, c->end);
	state_put_bool(o, c->dma_pending);
	state_put_bool(o, c->dma_to_mem);
	state_put_u8(o, c->bm_cmd);
	state_put_u8(o, c->bm_status);
	state_put_u32(o, c->bm_prd);
	for (unsigned i = 0; i < 2; i++)
		save_drive(&c->drive[i], o);
}

static void save(const void *dev, struct state_out *o)
{
	const struct ide *ide = dev;

	save_channel(&ide->ch[0], o);
	save_channel(&ide->ch[1], o);
}

/* A drive's saved state onto this machine's drive d: the same kind of
 * drive with the same medium, and values its commands can leave. */
static void load_drive(struct ide_drive *d, struct state_in *in)
{
	bool present = state_get_bool(in), atapi = state_get_bool(in);
	bool medium = state_get_bool(in);
	uint64_t sectors = state_get_u64(in);

	d->cur_heads = state_get_u16(in);
	d->cur_spt = state_get_u16(in);
	d->multiple = state_get_u8(in);
	d->sense_key = state_get_u8(in);
	d->asc = state_get_u8(in);
	d->media_changed = state_get_bool(in);
	d->locked = state_get_bool(in);
	if (present != d->present || atapi != d->atapi || medium != (d->disk != NULL) ||
	    sectors != d->sectors || d->cur_heads > 16 || d->cur_spt > 255 ||
	    d->multiple > IDE_MULTIPLE_MAX || (d->multiple & (d->multiple - 1)) ||
	    d->sense_key > 0x0F)
		in->failed = true;
}

/* Whether sectors [lba, lba + n) lie on the drive. */
static bool on_drive(const struct ide_drive *d, uint64_t lba, uint64_t n)
{
	return lba <= d->sectors && n <= d->sectors - lba;
}

/* An ATA read or write in PIO (IN/OUT) or waiting for DMA: the sectors
 * still to move lie on the disk, the block in the buffer belongs to them. */
static bool ata_range_valid(const struct ide_channel *c, const struct ide_drive *d)
{
	if (d->atapi || c->left > 65536 || !on_drive(d, c->lba, c->left))
		return false;
	if (c->xfer == IDE_XFER_NONE)
		return true;
	if (c->block == 0 || c->block > IDE_MULTIPLE_MAX || c->end % IDE_SECTOR ||
	    c->end / IDE_SECTOR > c->block)
		return false;
	/* A write's block is still to be written at lba; a read's was
	 * taken off the count already. */
	return c->xfer != IDE_XFER_OUT || c->end / IDE_SECTOR <= c->left;
}

/* The transfer in progress: positions inside the buffer, and whatever the
 * end of the block sends to the disk or the medium inside it. */
static bool xfer_valid(const struct ide_channel *c)
{
	const struct ide_drive *d = &c->drive[c->unit & 1];
	bool identify = c->cmd == 0xEC || c->cmd == 0xA1;

	if (c->xfer == IDE_XFER_NONE)
		return !c->dma_pending || (d->present && !d->atapi && ata_range_valid(c, d));
	if (!d->present || c->dma_pending || c->end > IDE_BUF_SIZE || c->pos >= c->end)
		return false;
	switch (c->xfer) {
	case IDE_XFER_IN:
		if (identify)
			return c->end == IDE_SECTOR && d->atapi == (c->cmd == 0xA1);
		return ata_range_valid(c, d);
	case IDE_XFER_OUT: return !identify && ata_range_valid(c, d);
	case IDE_XFER_PACKET: return d->atapi && c->end == 12;
	case IDE_XFER_ATAPI_IN:
		if (!d->atapi || c->in_off > c->in_len || c->bcl == 0 || c->bcl > 0xFFFE ||
		    (c->bcl & 1))
			return false;
		if (c->cd_read)
			return c->in_len % IDE_CD_SECTOR == 0 && c->in_off % IDE_CD_SECTOR == 0 &&
			       on_drive(d, c->lba, (c->in_len - c->in_off) / IDE_CD_SECTOR);
		return c->in_len <= IDE_BUF_SIZE && c->end <= c->in_len;
	default: return false;
	}
}

static void load_channel(struct ide_channel *c, struct state_in *in)
{
	uint8_t tf[14];
	uint8_t xfer;

	state_get_bytes(in, tf, sizeof tf);
	c->feature = tf[0], c->nsector = tf[1], c->sector = tf[2], c->lcyl = tf[3];
	c->hcyl = tf[4], c->hob_feature = tf[5], c->hob_nsector = tf[6], c->hob_sector = tf[7];
	c->hob_lcyl = tf[8], c->hob_hcyl = tf[9], c->select = tf[10], c->status = tf[11];
	c->error = tf[12], c->ctl = tf[13];
	c->intrq = state_get_bool(in);
	xfer = state_get_u8(in);
	c->pos = state_get_u32(in);
	c->end = state_get_max(in, IDE_BUF_SIZE);
	c->cmd = state_get_u8(in);
	c->unit = state_get_u8(in);
	c->lba = state_get_u64(in);
	c->left = state_get_u32(in);
	c->block = state_get_u32(in);
	c->bcl = state_get_u32(in);
	c->in_len = state_get_u32(in);
	c->in_off = state_get_u32(in);
	c->cd_read = state_get_bool(in);
	if (xfer > IDE_XFER_ATAPI_IN || c->unit > 1)
		in->failed = true;
	c->xfer = in->failed ? IDE_XFER_NONE : (enum ide_xfer)xfer;
	if (c->xfer != IDE_XFER_NONE)
		state_get_bytes(in, c->buf, c->end);
	c->dma_pending = state_get_bool(in);
	c->dma_to_mem = state_get_bool(in);
	c->bm_cmd = state_get_u8(in);
	c->bm_status = state_get_u8(in);
	c->bm_prd = state_get_u32(in);
	for (unsigned i = 0; i < 2; i++)
		load_drive(&c->drive[i], in);
	if ((c->bm_cmd & ~(IDE_BM_START | IDE_BM_TO_MEM)) || (c->bm_status & ~0x67) ||
	    (c->bm_prd & 3) || !xfer_valid(c))
		in->failed = true;
}

static int load(void *dev, struct state_in *in, uint32_t from)
{
	struct ide *ide = dev;
	struct ide *copy = malloc(sizeof *copy);

	(void)from;
	if (!copy)
		return -1;
	*copy = *ide;
	load_channel(&copy->ch[0], in);
	load_channel(&copy->ch[1], in);
	if (!state_in_done(in)) {
		free(copy);
		return -1;
	}
	*ide = *copy;
	free(copy);
	ide_update_irq(&ide->ch[0]);
	ide_update_irq(&ide->ch[1]);
	return 0;
}

static void ide_dev_reset(void *dev)
{
	ide_reset(dev);
}

const struct device_ops ide_device_ops = {.reset = ide_dev_reset,
					  .describe = ide_describe_state,
					  .version = 1,
					  .save = save,
					  .load = load};
