/* The ATA command set of a hard disk: PIO and DMA reads and writes in
 * CHS, LBA28 and LBA48 addressing, and the housekeeping commands drivers
 * and firmware send (IDENTIFY DEVICE is in ide_identify.c). */
#include "hv/core/log.h"
#include "legacy/ide_cmd.h"

/* The starting sector from the taskfile, or UINT64_MAX if a CHS address
 * names no sector. */
static uint64_t start_lba(struct ide_channel *c, const struct ide_drive *d, bool lba48)
{
	unsigned cyl = (unsigned)c->lcyl | (unsigned)c->hcyl << 8;
	unsigned head = c->select & 0x0F;

	if (lba48)
		return (uint64_t)c->sector | (uint64_t)c->lcyl << 8 | (uint64_t)c->hcyl << 16 |
		       (uint64_t)c->hob_sector << 24 | (uint64_t)c->hob_lcyl << 32 |
		       (uint64_t)c->hob_hcyl << 40;
	if (c->select & IDE_SEL_LBA)
		return (uint64_t)c->sector | (uint64_t)cyl << 8 | (uint64_t)head << 24;
	if (c->sector == 0 || c->sector > d->cur_spt || head >= d->cur_heads)
		return UINT64_MAX;
	return ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + (c->sector - 1u);
}

/* The taskfile after the command, pointing at the last sector moved (or the
 * failing one), as drivers read it on errors. */
static void set_lba(struct ide_channel *c, const struct ide_drive *d, uint64_t lba, bool lba48)
{
	if (lba48) {
		c->sector = (uint8_t)lba, c->lcyl = (uint8_t)(lba >> 8),
		c->hcyl = (uint8_t)(lba >> 16);
		c->hob_sector = (uint8_t)(lba >> 24), c->hob_lcyl = (uint8_t)(lba >> 32);
		c->hob_hcyl = (uint8_t)(lba >> 40);
	} else if (c->select & IDE_SEL_LBA) {
		c->sector = (uint8_t)lba, c->lcyl = (uint8_t)(lba >> 8),
		c->hcyl = (uint8_t)(lba >> 16);
		c->select = (uint8_t)((c->select & 0xF0) | ((lba >> 24) & 0x0F));
	} else if (d->cur_spt && d->cur_heads) {
		uint64_t cyl = lba / ((uint64_t)d->cur_heads * d->cur_spt);
		uint64_t rem = lba % ((uint64_t)d->cur_heads * d->cur_spt);

		c->lcyl = (uint8_t)cyl, c->hcyl = (uint8_t)(cyl >> 8);
		c->select = (uint8_t)((c->select & 0xF0) | (rem / d->cur_spt));
		c->sector = (uint8_t)(rem % d->cur_spt + 1);
	}
}

static bool is_lba48(uint8_t cmd)
{
	switch (cmd) {
	case 0x24:
	case 0x25:
	case 0x29:
	case 0x34:
	case 0x35:
	case 0x39:
	case 0x42:
	case 0xEA: return true;
	}
	return false;
}

/* Checks the range of a read, write or verify and loads c->lba/left.
 * Returns false after aborting the command. */
static bool set_range(struct ide_channel *c, struct ide_drive *d, uint8_t cmd)
{
	bool lba48 = is_lba48(cmd);
	uint64_t lba = start_lba(c, d, lba48);
	uint32_t count = lba48 ? (uint32_t)c->nsector | (uint32_t)c->hob_nsector << 8 : c->nsector;

	if (count == 0)
		count = lba48 ? 65536 : 256;
	if (lba == UINT64_MAX || lba >= d->sectors || count > d->sectors - lba) {
		log_guest("ide: sectors %llu+%u are beyond the disk's %llu",
			  (unsigned long long)(lba == UINT64_MAX ? 0 : lba), count,
			  (unsigned long long)d->sectors);
		ide_abort(c, IDE_ER_IDNF);
		return false;
	}
	c->lba = lba;
	c->left = count;
	return true;
}

static void finish_range(struct ide_channel *c, struct ide_drive *d)
{
	set_lba(c, d, c->lba ? c->lba - 1 : 0, is_lba48(c->cmd));
	c->nsector = 0;
	ide_done(c);
}

/* Fills buf with the next block of a read and offers it. */
static void read_block(struct ide_channel *c, struct ide_drive *d)
{
	uint32_t n = c->left < c->block ? c->left : c->block;

	if (disk_read(d->disk, c->lba * IDE_SECTOR, c->buf, (size_t)n * IDE_SECTOR) < 0) {
		set_lba(c, d, c->lba, is_lba48(c->cmd));
		ide_abort(c, IDE_ER_UNC | IDE_ER_ABRT);
		return;
	}
	c->lba += n;
	c->left -= n;
	ide_start_in(c, n * IDE_SECTOR);
}

/* Asks for the next block of a write; the first one raises no interrupt. */
static void want_block(struct ide_channel *c, bool irq)
{
	uint32_t n = c->left < c->block ? c->left : c->block;

	c->xfer = IDE_XFER_OUT;
	c->pos = 0;
	c->end = n * IDE_SECTOR;
	c->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
	if (irq)
		ide_raise_irq(c);
}

void ide_ata_next_block(struct ide_channel *c)
{
	struct ide_drive *d = ide_active(c);
	uint32_t n = c->end / IDE_SECTOR;
	bool one_block = c->cmd == 0xEC || c->cmd == 0xA1;

	if (c->xfer == IDE_XFER_OUT) {
		if (disk_write(d->disk, c->lba * IDE_SECTOR, c->buf, c->end) < 0) {
			set_lba(c, d, c->lba, is_lba48(c->cmd));
			ide_abort(c, IDE_ER_ABRT);
			return;
		}
		c->lba += n;
		c->left -= n;
	}
	if (one_block || c->left == 0) {
		if (one_block)
			c->xfer = IDE_XFER_NONE, c->status = IDE_ST_DRDY | IDE_ST_DSC;
		else if (c->xfer == IDE_XFER_OUT)
			finish_range(c, d); /* a write ends with an interrupt */
		else {
			c->xfer = IDE_XFER_NONE; /* a read's last block had its interrupt */
			c->status = IDE_ST_DRDY | IDE_ST_DSC;
			set_lba(c, d, c->lba - 1, is_lba48(c->cmd));
		}
		return;
	}
	if (c->xfer == IDE_XFER_OUT)
		want_block(c, true);
	else
		read_block(c, d);
}

/* A write to a read-only image (access=ro) is aborted, as a drive
 * jumpered write-protected does: ATA has no way to tell the guest first. */
static bool refuse_write(struct ide_channel *c, struct ide_drive *d, uint8_t cmd)
{
	if (!d->disk->readonly)
		return false;
	log_guest("ide: write command %#04x to a read-only disk (access=ro) aborted", cmd);
	ide_abort(c, IDE_ER_ABRT);
	return true;
}

static void rw_pio(struct ide_channel *c, struct ide_drive *d, uint8_t cmd, bool write,
		   bool multiple)
{
	if (multiple && !d->multiple) {
		log_guest("ide: READ/WRITE MULTIPLE %#04x before SET MULTIPLE MODE", cmd);
		ide_abort(c, IDE_ER_ABRT);
		return;
	}
	if (write && refuse_write(c, d, cmd))
		return;
	if (!set_range(c, d, cmd))
		return;
	c->block = multiple ? d->multiple : 1;
	if (write)
		want_block(c, false);
	else
		read_block(c, d);
}

static void rw_dma(struct ide_channel *c, struct ide_drive *d, uint8_t cmd, bool write)
{
	if (write && refuse_write(c, d, cmd))
		return;
	if (!set_range(c, d, cmd))
		return;
	c->dma_pending = true;
	c->dma_to_mem = !write;
	c->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
	if (c->bm_cmd & IDE_BM_START)
		ide_bm_run(c);
}

static void verify(struct ide_channel *c, struct ide_drive *d, uint8_t cmd)
{
	if (!set_range(c, d, cmd))
		return;
	c->lba += c->left;
	finish_range(c, d);
}

static void set_multiple(struct ide_channel *c, struct ide_drive *d)
{
	uint8_t n = c->nsector;

	if (n > IDE_MULTIPLE_MAX || (n & (n - 1))) {
		ide_abort(c, IDE_ER_ABRT);
		return;
	}
	d->multiple = n;
	ide_done(c);
}

static void init_params(struct ide_channel *c, struct ide_drive *d)
{
	if (c->nsector == 0) {
		ide_abort(c, IDE_ER_ABRT);
		return;
	}
	d->cur_heads = (uint16_t)((c->select & 0x0F) + 1);
	d->cur_spt = c->nsector;
	ide_done(c);
}

/* SET FEATURES: the transfer mode, caches and look-ahead are accepted
 * (nothing here depends on them). */
static void set_features(struct ide_channel *c)
{
	switch (c->feature) {
	case 0x02:
	case 0x03:
	case 0x05:
	case 0x55:
	case 0x66:
	case 0x82:
	case 0x85:
	case 0xAA:
	case 0xCC: ide_done(c); return;
	}
	log_guest("ide: SET FEATURES %#04x not supported", c->feature);
	ide_abort(c, IDE_ER_ABRT);
}

static void flush(struct ide_channel *c, struct ide_drive *d)
{
	if (disk_flush(d->disk) < 0)
		ide_abort(c, IDE_ER_ABRT);
	else
		ide_done(c);
}

static bool rw_command(struct ide_channel *c, struct ide_drive *d, uint8_t cmd)
{
	switch (cmd) {
	case 0x20:
	case 0x21:
	case 0x24: rw_pio(c, d, cmd, false, false); return true;
	case 0x30:
	case 0x31:
	case 0x34: rw_pio(c, d, cmd, true, false); return true;
	case 0xC4:
	case 0x29: rw_pio(c, d, cmd, false, true); return true;
	case 0xC5:
	case 0x39: rw_pio(c, d, cmd, true, true); return true;
	case 0xC8:
	case 0xC9:
	case 0x25: rw_dma(c, d, cmd, false); return true;
	case 0xCA:
	case 0xCB:
	case 0x35: rw_dma(c, d, cmd, true); return true;
	case 0x40:
	case 0x41:
	case 0x42: verify(c, d, cmd); return true;
	}
	return false;
}

/* The few ATA commands a packet device takes besides PACKET and IDENTIFY
 * PACKET DEVICE; it does not become ready (DRDY) on its own. */
static void packet_device_command(struct ide_channel *c, struct ide_drive *d, uint8_t cmd)
{
	if (cmd == 0x90) { /* EXECUTE DEVICE DIAGNOSTIC */
		ide_set_signature(c, d);
		c->error = 1;
		c->status = 0;
		ide_raise_irq(c);
	} else if (cmd == 0xE5) { /* CHECK POWER MODE: active */
		c->nsector = 0xFF;
		ide_done(c);
	} else if (cmd == 0xEF) {
		set_features(c);
	} else {
		ide_abort(c, IDE_ER_ABRT);
	}
}

void ide_ata_command(struct ide_channel *c, uint8_t cmd)
{
	struct ide_drive *d = ide_active(c);

	if (d->atapi) {
		packet_device_command(c, d, cmd);
		return;
	}
	if (rw_command(c, d, cmd))
		return;
	if ((cmd & 0xF0) == 0x10 || cmd == 0x70 || (cmd >= 0xE0 && cmd <= 0xE3)) {
		ide_done(c); /* recalibrate, seek, standby and idle: nothing to do */
		return;
	}
	switch (cmd) {
	case 0xEC: ide_ata_identify(c); break;
	case 0xC6: set_multiple(c, d); break;
	case 0x91: init_params(c, d); break;
	case 0xEF: set_features(c); break;
	case 0xE7:
	case 0xEA: flush(c, d); break;
	case 0xE5: /* CHECK POWER MODE: active */
		c->nsector = 0xFF;
		ide_done(c);
		break;
	case 0x90: /* EXECUTE DEVICE DIAGNOSTIC */
		ide_set_signature(c, d);
		c->error = 1;
		ide_done(c);
		break;
	default: /* IDENTIFY PACKET DEVICE, PACKET, DEVICE RESET land here too */
		if (cmd != 0xA1 && cmd != 0xA0 && cmd != 0x08)
			log_guest("ide: ATA command %#04x not supported", cmd);
		ide_abort(c, IDE_ER_ABRT);
	}
}
