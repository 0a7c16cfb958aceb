/* A CD-ROM drive behind the ATA PACKET command (ATAPI, MMC commands): the
 * 12-byte command packet, the replies in byte-count-limited DRQ blocks,
 * and the sense data that tells the host why a command failed. */
#include <string.h>

#include "hv/core/be.h"
#include "hv/core/log.h"
#include "legacy/ide_cmd.h"

/* Sense keys and additional sense codes */
#define SENSE_NONE	      0x00
#define SENSE_NOT_READY	      0x02
#define SENSE_ILLEGAL_REQUEST 0x05
#define SENSE_UNIT_ATTENTION  0x06
#define SENSE_DATA_PROTECT    0x07
#define ASC_INVALID_OPCODE    0x20
#define ASC_LBA_OUT_OF_RANGE  0x21
#define ASC_INVALID_FIELD     0x24
#define ASC_WRITE_PROTECTED   0x27
#define ASC_MEDIUM_CHANGED    0x28
#define ASC_REMOVAL_PREVENTED 0x53
#define ASC_NO_MEDIUM	      0x3A

/* Sector count register during a PACKET command: interrupt reason. */
#define IREASON_COD 0x01 /* command packet */
#define IREASON_IO  0x02 /* to the host */

static void complete(struct ide_channel *c)
{
	c->nsector = IREASON_IO | IREASON_COD;
	ide_done(c);
}

static void fail(struct ide_channel *c, uint8_t key, uint8_t asc)
{
	struct ide_drive *d = ide_active(c);

	d->sense_key = key;
	d->asc = asc;
	c->nsector = IREASON_IO | IREASON_COD;
	ide_abort(c, (uint8_t)(key << 4 | IDE_ER_ABRT));
}

/* Offers the next DRQ block of a reply, at most the byte count limit. */
static void send_block(struct ide_channel *c)
{
	struct ide_drive *d = ide_active(c);
	uint32_t n = c->in_len - c->in_off;

	if (c->cd_read) {
		uint32_t per = c->bcl / IDE_CD_SECTOR;
		uint32_t secs = n / IDE_CD_SECTOR;

		per = per ? per : 1; /* a limit below one sector still gets whole sectors */
		if (per > IDE_BUF_SIZE / IDE_CD_SECTOR)
			per = IDE_BUF_SIZE / IDE_CD_SECTOR;
		secs = secs < per ? secs : per;
		n = secs * IDE_CD_SECTOR;
		if (!d->disk || disk_read(d->disk, c->lba * IDE_CD_SECTOR, c->buf, n) < 0) {
			fail(c, SENSE_NOT_READY, ASC_NO_MEDIUM);
			return;
		}
		c->lba += secs;
		c->pos = 0;
	} else {
		n = n < c->bcl ? n : c->bcl;
		c->pos = c->in_off;
	}
	c->end = c->pos + n;
	c->in_off += n;
	c->lcyl = (uint8_t)n;
	c->hcyl = (uint8_t)(n >> 8);
	c->nsector = IREASON_IO;
	c->xfer = IDE_XFER_ATAPI_IN;
	c->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
	ide_raise_irq(c);
}

void ide_atapi_next(struct ide_channel *c)
{
	if (c->in_off >= c->in_len)
		complete(c);
	else
		send_block(c);
}

/* A reply built in buf: at most alloc bytes of len go to the host. */
static void reply(struct ide_channel *c, uint32_t len, uint32_t alloc)
{
	c->cd_read = false;
	c->in_len = len < alloc ? len : alloc;
	c->in_off = 0;
	if (!c->in_len)
		complete(c);
	else
		send_block(c);
}

static void request_sense(struct ide_channel *c, const uint8_t *p)
{
	struct ide_drive *d = ide_active(c);

	memset(c->buf, 0, 18);
	c->buf[0] = 0x70;
	c->buf[2] = d->sense_key;
	c->buf[7] = 10;
	c->buf[12] = d->asc;
	d->sense_key = SENSE_NONE;
	d->asc = 0;
	reply(c, 18, p[4]);
}

static void inquiry(struct ide_channel *c, const uint8_t *p)
{
	memset(c->buf, 0, 36);
	c->buf[0] = 0x05; /* CD/DVD device */
	c->buf[1] = 0x80; /* removable */
	c->buf[3] = 0x21;
	c->buf[4] = 31;
	memcpy(c->buf + 8, "HV      ", 8);
	memcpy(c->buf + 16, "HV DVD-ROM      ", 16);
	memcpy(c->buf + 32, "0.1 ", 4);
	reply(c, 36, p[4]);
}

static void read_capacity(struct ide_channel *c)
{
	struct ide_drive *d = ide_active(c);

	be_put32(c->buf, (uint32_t)(d->sectors ? d->sectors - 1 : 0));
	be_put32(c->buf + 4, IDE_CD_SECTOR);
	reply(c, 8, 8);
}

static void read_sectors(struct ide_channel *c, uint32_t lba, uint32_t count)
{
	struct ide_drive *d = ide_active(c);

	if ((uint64_t)lba + count > d->sectors) {
		log_guest("ide: CD read of sectors %u+%u beyond the medium's %llu", lba, count,
			  (unsigned long long)d->sectors);
		fail(c, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (!count) {
		complete(c);
		return;
	}
	c->cd_read = true;
	c->lba = lba;
	c->in_len = count * IDE_CD_SECTOR;
	c->in_off = 0;
	send_block(c);
}

/* Logical block address as MSF (75 frames a second, 2 s of pre-gap). */
static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
	if (!msf) {
		be_put32(p, lba);
		return;
	}
	lba += 150;
	p[0] = 0;
	p[1] = (uint8_t)(lba / (75 * 60));
	p[2] = (uint8_t)(lba / 75 % 60);
	p[3] = (uint8_t)(lba % 75);
}

/* One data track, then the lead-out; format 1 gives the first session. */
static void read_toc(struct ide_channel *c, const uint8_t *p)
{
	struct ide_drive *d = ide_active(c);
	bool msf = p[1] & 2;
	unsigned format = p[2] & 0x0F ? p[2] & 0x0F : p[9] >> 6;
	uint32_t len;

	memset(c->buf, 0, 20);
	c->buf[2] = c->buf[3] = 1;
	c->buf[5] = 0x14; /* data track, digital copy allowed */
	c->buf[6] = 1;
	put_addr(c->buf + 8, 0, msf);
	if (format == 1) {
		len = 12;
	} else if (format == 0 && (p[6] <= 1 || p[6] == 0xAA)) {
		len = 20;
		c->buf[13] = 0x14;
		c->buf[14] = 0xAA;
		put_addr(c->buf + 16, (uint32_t)d->sectors, msf);
		if (p[6] == 0xAA) { /* from the lead-out only */
			memmove(c->buf + 4, c->buf + 12, 8);
			len = 12;
		}
	} else {
		fail(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
		return;
	}
	be_put16(c->buf, len - 2);
	reply(c, len, be_get16(p + 7));
}

static void mode_sense(struct ide_channel *c, const uint8_t *p)
{
	unsigned page = p[2] & 0x3F;

	memset(c->buf, 0, 28);
	if (page != 0x2A && page != 0x3F) {
		fail(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
		return;
	}
	be_put16(c->buf, 28 - 2);
	c->buf[2] = 0x70; /* medium type as CD drives report it */
	/* Device-specific parameter: WP, a read-only medium (a CD-ROM's
	 * always is), when there is one. */
	c->buf[3] = ide_active(c)->disk ? 0x80 : 0;
	c->buf[8] = 0x2A; /* capabilities and mechanical status */
	c->buf[9] = 18;
	c->buf[10] = 0x03; /* reads CD-R/RW */
	c->buf[14] = 0x29; /* tray, eject, lock */
	c->buf[14] |= ide_active(c)->locked ? 0x02 : 0;
	be_put16(c->buf + 16, 706); /* max read speed, kB/s (4x) */
	be_put16(c->buf + 22, 706);
	reply(c, 28, be_get16(p + 7));
}

static void get_configuration(struct ide_channel *c, const uint8_t *p)
{
	memset(c->buf, 0, 8);
	be_put32(c->buf, 4);
	be_put16(c->buf + 6, ide_active(c)->disk ? 0x0008 : 0); /* current profile: CD-ROM */
	reply(c, 8, be_get16(p + 7));
}

static void event_status(struct ide_channel *c, const uint8_t *p)
{
	struct ide_drive *d = ide_active(c);

	if (!(p[1] & 1)) { /* only polled operation */
		fail(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
		return;
	}
	memset(c->buf, 0, 8);
	c->buf[3] = 0x10; /* supports the media class */
	if (!(p[4] & 0x10)) {
		c->buf[2] = 0x80; /* no event available */
		be_put16(c->buf, 2);
		reply(c, 4, be_get16(p + 7));
		return;
	}
	be_put16(c->buf, 6);
	c->buf[2] = 4;
	c->buf[5] = d->disk ? 0x02 : 0x00; /* medium present */
	reply(c, 8, be_get16(p + 7));
}

static void start_stop(struct ide_channel *c, const uint8_t *p)
{
	struct ide_drive *d = ide_active(c);

	if ((p[4] & 3) == 2) { /* eject */
		if (d->locked) {
			fail(c, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
			return;
		}
		d->disk = NULL; /* the image stays open with its owner */
		d->sectors = 0;
	}
	complete(c);
}

/* Commands that need a medium report UNIT ATTENTION once after a change,
 * then NOT READY while the drive is empty. */
static bool ready(struct ide_channel *c)
{
	struct ide_drive *d = ide_active(c);

	if (d->media_changed) {
		d->media_changed = false;
		fail(c, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
		return false;
	}
	if (!d->disk) {
		fail(c, SENSE_NOT_READY, ASC_NO_MEDIUM);
		return false;
	}
	return true;
}

static void run_packet(struct ide_channel *c, const uint8_t *p)
{
	switch (p[0]) {
	case 0x03: request_sense(c, p); return;
	case 0x12: inquiry(c, p); return;
	case 0x4A: event_status(c, p); return;
	case 0x46: get_configuration(c, p); return;
	case 0x1E:
		ide_active(c)->locked = p[4] & 1;
		complete(c);
		return;
	case 0x1B: start_stop(c, p); return;
	case 0x5A: mode_sense(c, p); return;
	}
	if (p[0] == 0x2A || p[0] == 0xAA) { /* WRITE (10), WRITE (12) */
		if (ready(c))
			fail(c, SENSE_DATA_PROTECT, ASC_WRITE_PROTECTED);
		return;
	}
	if (p[0] != 0x00 && p[0] != 0x25 && p[0] != 0x28 && p[0] != 0xA8 && p[0] != 0x43) {
		log_guest("ide: ATAPI command %#04x not supported", p[0]);
		fail(c, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return;
	}
	if (!ready(c))
		return;
	if (p[0] == 0x00)
		complete(c);
	else if (p[0] == 0x25)
		read_capacity(c);
	else if (p[0] == 0x28)
		read_sectors(c, be_get32(p + 2), be_get16(p + 7));
	else if (p[0] == 0xA8)
		read_sectors(c, be_get32(p + 2), be_get32(p + 6));
	else
		read_toc(c, p);
}

void ide_atapi_packet(struct ide_channel *c)
{
	uint8_t p[12];

	memcpy(p, c->buf, sizeof p);
	c->xfer = IDE_XFER_NONE;
	run_packet(c, p);
}

/* PACKET: the byte count limit comes from the cylinder registers; the
 * command packet follows through the data port. */
void ide_atapi_start(struct ide_channel *c)
{
	if (c->feature & 1) {
		log_guest("ide: ATAPI DMA requested but not offered");
		ide_abort(c, IDE_ER_ABRT);
		return;
	}
	c->bcl = ((uint32_t)c->lcyl | (uint32_t)c->hcyl << 8) & ~1u;
	if (!c->bcl || c->bcl > 0xFFFE)
		c->bcl = 0xFFFE;
	c->xfer = IDE_XFER_PACKET;
	c->pos = 0;
	c->end = 12;
	c->nsector = IREASON_COD;
	c->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
}
