#include "legacy/ide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "legacy/ide_cmd.h"

struct ide_drive *ide_cur(struct ide_channel *c)
{
	return &c->drive[(c->select & IDE_SEL_DEV) ? 1 : 0];
}

struct ide_drive *ide_active(struct ide_channel *c)
{
	return &c->drive[c->unit & 1];
}

void ide_update_irq(struct ide_channel *c)
{
	irq_set(&c->irq, c->intrq && !(c->ctl & IDE_CTL_NIEN));
}

void ide_raise_irq(struct ide_channel *c)
{
	c->intrq = true;
	c->bm_status |= IDE_BM_INTR;
	ide_update_irq(c);
}

void ide_done(struct ide_channel *c)
{
	c->xfer = IDE_XFER_NONE;
	c->status = IDE_ST_DRDY | IDE_ST_DSC;
	ide_raise_irq(c);
}

void ide_abort(struct ide_channel *c, uint8_t error)
{
	c->xfer = IDE_XFER_NONE;
	c->dma_pending = false;
	c->error = error;
	c->status = IDE_ST_DRDY | IDE_ST_ERR;
	ide_raise_irq(c);
}

void ide_start_in(struct ide_channel *c, uint32_t len)
{
	c->xfer = IDE_XFER_IN;
	c->pos = 0;
	c->end = len;
	c->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
	ide_raise_irq(c);
}

/* What a drive leaves in the taskfile after reset or diagnostics: ATAPI
 * devices say so with 14h/EBh in the cylinder registers. */
void ide_set_signature(struct ide_channel *c, const struct ide_drive *d)
{
	c->nsector = 1;
	c->sector = 1;
	c->lcyl = d->atapi ? 0x14 : 0;
	c->hcyl = d->atapi ? 0xEB : 0;
	c->select &= 0xE0 | IDE_SEL_DEV;
}

static void reset_drive(struct ide_drive *d)
{
	d->multiple = 0;
	d->cur_heads = d->heads;
	d->cur_spt = d->spt;
}

/* SRST, or power-on: both drives back to their signatures, nothing in
 * flight. */
static void reset_channel(struct ide_channel *c)
{
	for (unsigned i = 0; i < 2; i++)
		reset_drive(&c->drive[i]);
	c->xfer = IDE_XFER_NONE;
	c->dma_pending = false;
	c->select = 0xA0;
	ide_set_signature(c, &c->drive[0]);
	c->error = 1; /* diagnostic code: no error */
	c->status = c->drive[0].atapi ? 0 : IDE_ST_DRDY | IDE_ST_DSC;
	c->feature = 0;
	c->intrq = false;
	ide_update_irq(c);
}

/* The selected drive is missing: the taskfile reads as zero, which is how
 * firmware tells an empty position from a present one. */
static bool absent(struct ide_channel *c)
{
	return !ide_cur(c)->present;
}

static uint64_t read_data(struct ide_channel *c, unsigned size)
{
	uint64_t v = 0;

	if (c->xfer == IDE_XFER_NONE || c->xfer == IDE_XFER_OUT || c->xfer == IDE_XFER_PACKET) {
		log_guest("ide: data port read with no data ready (status %#x)", c->status);
		return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
	}
	for (unsigned i = 0; i < size && c->pos < c->end; i++)
		v |= (uint64_t)c->buf[c->pos++] << (8 * i);
	if (c->pos >= c->end) {
		if (c->xfer == IDE_XFER_IN)
			ide_ata_next_block(c);
		else
			ide_atapi_next(c);
	}
	return v;
}

static void write_data(struct ide_channel *c, unsigned size, uint64_t v)
{
	if (c->xfer != IDE_XFER_OUT && c->xfer != IDE_XFER_PACKET) {
		log_guest("ide: data port write with no transfer waiting (status %#x)", c->status);
		return;
	}
	for (unsigned i = 0; i < size && c->pos < c->end; i++)
		c->buf[c->pos++] = (uint8_t)(v >> (8 * i));
	if (c->pos < c->end)
		return;
	if (c->xfer == IDE_XFER_OUT)
		ide_ata_next_block(c);
	else
		ide_atapi_packet(c);
}

static uint8_t read_reg(struct ide_channel *c, unsigned reg)
{
	bool hob = c->ctl & IDE_CTL_HOB;

	if (absent(c))
		return 0;
	switch (reg) {
	case IDE_ERROR: return hob ? c->hob_feature : c->error;
	case IDE_NSECTOR: return hob ? c->hob_nsector : c->nsector;
	case IDE_SECTOR_REG: return hob ? c->hob_sector : c->sector;
	case IDE_LCYL: return hob ? c->hob_lcyl : c->lcyl;
	case IDE_HCYL: return hob ? c->hob_hcyl : c->hcyl;
	case IDE_SELECT: return c->select;
	default: /* status: reading it acknowledges the interrupt */
		c->intrq = false;
		ide_update_irq(c);
		return c->status;
	}
}

static uint64_t cmd_read(void *opaque, uint64_t offset, unsigned size)
{
	struct ide_channel *c = opaque;

	if (offset == IDE_DATA)
		return read_data(c, size);
	if (size != 1)
		log_guest("ide: %u-byte read of register %u", size, (unsigned)offset);
	return read_reg(c, (unsigned)offset & 7);
}

static void write_command(struct ide_channel *c, uint8_t cmd)
{
	struct ide_drive *d = ide_cur(c);

	if (!d->present)
		return; /* no drive answers; the other one ignores commands not for it */
	if (c->xfer != IDE_XFER_NONE || c->dma_pending)
		log_guest("ide: command %#04x while %#04x still has data in flight; dropped it",
			  cmd, c->cmd);
	c->xfer = IDE_XFER_NONE;
	c->dma_pending = false;
	c->cmd = cmd;
	c->unit = (c->select & IDE_SEL_DEV) ? 1 : 0;
	c->intrq = false;
	c->error = 0;
	ide_update_irq(c);
	if (d->atapi && cmd == 0xA0)
		ide_atapi_start(c);
	else if (d->atapi && cmd == 0xA1)
		ide_atapi_identify(c);
	else if (d->atapi && cmd == 0x08) { /* DEVICE RESET */
		ide_set_signature(c, d);
		c->status = 0;
		c->error = 1;
	} else if (d->atapi && cmd != 0x90 && cmd != 0xEF && cmd != 0xE5 && cmd != 0x00) {
		/* Other ATA commands abort with the signature so drivers see a
		 * packet device. */
		ide_set_signature(c, d);
		ide_abort(c, IDE_ER_ABRT);
	} else
		ide_ata_command(c, cmd);
}

static void cmd_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct ide_channel *c = opaque;
	uint8_t v = (uint8_t)value;

	if (offset == IDE_DATA) {
		write_data(c, size, value);
		return;
	}
	c->ctl &= (uint8_t)~IDE_CTL_HOB; /* a write to the taskfile clears HOB */
	switch (offset) {
	case IDE_ERROR: c->hob_feature = c->feature, c->feature = v; break;
	case IDE_NSECTOR: c->hob_nsector = c->nsector, c->nsector = v; break;
	case IDE_SECTOR_REG: c->hob_sector = c->sector, c->sector = v; break;
	case IDE_LCYL: c->hob_lcyl = c->lcyl, c->lcyl = v; break;
	case IDE_HCYL: c->hob_hcyl = c->hcyl, c->hcyl = v; break;
	case IDE_SELECT: c->select = v; break;
	default: write_command(c, v);
	}
}

const struct io_ops ide_cmd_io_ops = {.read = cmd_read, .write = cmd_write};

static uint64_t ctl_read(void *opaque, uint64_t offset, unsigned size)
{
	struct ide_channel *c = opaque;

	(void)offset;
	(void)size;
	return absent(c) ? 0 : c->status; /* alternate status: no acknowledge */
}

static void ctl_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct ide_channel *c = opaque;
	uint8_t old = c->ctl;

	(void)offset;
	(void)size;
	c->ctl = (uint8_t)value;
	if ((value & IDE_CTL_SRST) && !(old & IDE_CTL_SRST)) {
		reset_channel(c);
		c->status |= IDE_ST_BSY; /* until SRST is released */
	} else if (!(value & IDE_CTL_SRST) && (old & IDE_CTL_SRST)) {
		c->status = c->drive[0].atapi ? 0 : IDE_ST_DRDY | IDE_ST_DSC;
	}
	ide_update_irq(c);
}

const struct io_ops ide_ctl_io_ops = {.read = ctl_read, .write = ctl_write};

struct ide *ide_create(const struct irq_line irq[2], struct guest_mem *mem)
{
	struct ide *ide = calloc(1, sizeof *ide);

	if (!ide)
		return NULL;
	for (unsigned i = 0; i < 2; i++) {
		ide->ch[i].irq = irq[i];
		ide->ch[i].mem = mem;
	}
	ide_reset(ide);
	return ide;
}

void ide_destroy(struct ide *ide)
{
	free(ide);
}

void ide_reset(struct ide *ide)
{
	for (unsigned i = 0; i < 2; i++) {
		struct ide_channel *c = &ide->ch[i];

		c->ctl = 0;
		c->bm_cmd = 0;
		c->bm_status = 0;
		c->bm_prd = 0;
		reset_channel(c);
	}
}

/* A fake but stable serial number per position. */
static void name_drive(struct ide_drive *d, unsigned ch, unsigned unit)
{
	snprintf(d->serial, sizeof d->serial, "HV%u%u%016u", ch, unit, 0u);
}

/* The BIOS-compatible default geometry: 16 heads, 63 sectors per track,
 * up to 16383 cylinders (what ATA-6 requires for large disks). */
static void set_geometry(struct ide_drive *d)
{
	uint64_t cyls = d->sectors / (16 * 63);

	d->heads = 16;
	d->spt = 63;
	d->cyls = (uint16_t)(cyls > 16383 ? 16383 : cyls ? cyls : 1);
	d->cur_heads = d->heads;
	d->cur_spt = d->spt;
}

void ide_attach_ata(struct ide *ide, unsigned ch, unsigned unit, struct disk *disk)
{
	struct ide_drive *d = &ide->ch[ch & 1].drive[unit & 1];

	*d = (struct ide_drive){.present = true, .disk = disk, .sectors = disk->size / IDE_SECTOR};
	set_geometry(d);
	name_drive(d, ch, unit);
	/* ATA has no write-protect bit a guest reads (IDENTIFY has none, and
	 * Linux's libata reports every ATA disk writable), so a read-only
	 * image can only refuse writes, as a jumpered drive does. */
	if (disk->readonly)
		log_info("ide: hd%c is read-only (access=ro): the guest cannot see that on an "
			 "ATA disk, so its writes fail; a Linux guest must mount it read-only "
			 "(or use a virtio disk, xvdN, which reports read-only)",
			 'a' + (int)((ch & 1) * 2 + (unit & 1)));
	reset_channel(&ide->ch[ch & 1]);
}

void ide_attach_atapi(struct ide *ide, unsigned ch, unsigned unit, struct disk *disk)
{
	struct ide_drive *d = &ide->ch[ch & 1].drive[unit & 1];

	*d = (struct ide_drive){.present = true, .atapi = true};
	name_drive(d, ch, unit);
	ide_change_medium(ide, ch, unit, disk);
	reset_channel(&ide->ch[ch & 1]);
}

struct disk *ide_change_medium(struct ide *ide, unsigned ch, unsigned unit, struct disk *disk)
{
	struct ide_drive *d = &ide->ch[ch & 1].drive[unit & 1];
	struct disk *old = d->disk;

	if (!d->atapi || (d->locked && old))
		return disk;
	d->disk = disk;
	d->sectors = disk ? disk->size / IDE_CD_SECTOR : 0;
	if (disk) {
		d->media_changed = true;
	} else {
		d->sense_key = 0;
		d->media_changed = false;
	}
	return old;
}

/* "disk", "cdrom" (with a medium), "cdrom-empty" or "none". */
static const char *drive_kind(const struct ide_drive *d)
{
	if (!d->present)
		return "none";
	if (!d->atapi)
		return "disk";
	return d->disk ? "cdrom" : "cdrom-empty";
}

/* Each drive, then each channel's last command, status and error, and
 * whether a DMA transfer waits for the bus master. */
void ide_describe_state(const void *dev, char *buf, size_t len)
{
	const struct ide *ide = dev;
	const struct ide_channel *c = ide->ch;

	snprintf(buf, len,
		 "hda=%s hdb=%s hdc=%s hdd=%s cmd=%02x/%02x status=%02x/%02x error=%02x/%02x "
		 "dma=%d/%d irq=%d/%d",
		 drive_kind(&c[0].drive[0]), drive_kind(&c[0].drive[1]), drive_kind(&c[1].drive[0]),
		 drive_kind(&c[1].drive[1]), c[0].cmd, c[1].cmd, c[0].status, c[1].status,
		 c[0].error, c[1].error, c[0].dma_pending, c[1].dma_pending, c[0].intrq,
		 c[1].intrq);
}
