/* Bus-master DMA (SFF-8038i, as in the PIIX): per channel a command
 * register (start, direction), a status register (active, error,
 * interrupt; the last two clear when written with 1) and the address of a
 * table of physical region descriptors in guest memory: each 8 bytes, a
 * 32-bit address, a 16-bit byte count (0 means 64 KiB) and bit 15 of the
 * last word marking the end of the table. */
#include <string.h>

#include "hv/core/log.h"
#include "legacy/ide_cmd.h"

#define PRD_EOT		0x8000
#define PRD_ENTRIES_MAX 8192 /* the table may not cross a 64 KiB boundary */

/* Walks the PRD table moving the command's sectors; returns the sectors
 * moved, with *ok false if a disk access failed and *room whether the
 * table describes more memory than the transfer needed. */
static uint32_t walk(struct ide_channel *c, struct ide_drive *d, bool *room, bool *ok)
{
	uint8_t sec[IDE_SECTOR];
	uint32_t moved = 0, at = 0; /* sectors done; bytes done in the current one */
	uint32_t prd = c->bm_prd & ~3u;

	*room = true;
	*ok = true;
	for (unsigned i = 0; i < PRD_ENTRIES_MAX && moved < c->left; i++, prd += 8) {
		uint8_t e[8];
		uint32_t addr, len;

		mem_read(c->mem, prd, e, sizeof e);
		addr = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
		       (uint32_t)e[3] << 24;
		len = ((uint32_t)e[4] | (uint32_t)e[5] << 8) & ~1u;
		len = len ? len : 0x10000;
		while (len && moved < c->left) {
			uint32_t n = IDE_SECTOR - at < len ? IDE_SECTOR - at : len;
			uint64_t off = (c->lba + moved) * IDE_SECTOR;

			if (c->dma_to_mem) {
				if (at == 0 && disk_read(d->disk, off, sec, IDE_SECTOR) < 0)
					return *ok = false, moved;
				mem_write(c->mem, addr, sec + at, n);
			} else {
				mem_read(c->mem, addr, sec + at, n);
			}
			addr += n, len -= n, at += n;
			if (at == IDE_SECTOR) {
				if (!c->dma_to_mem && disk_write(d->disk, off, sec, IDE_SECTOR) < 0)
					return *ok = false, moved;
				moved++;
				at = 0;
			}
		}
		if (e[7] & (PRD_EOT >> 8)) {
			*room = len != 0;
			break;
		}
	}
	return moved;
}

void ide_bm_run(struct ide_channel *c)
{
	struct ide_drive *d = ide_active(c);
	bool room, ok;
	uint32_t moved;

	if (!!(c->bm_cmd & IDE_BM_TO_MEM) != c->dma_to_mem)
		log_guest("ide: bus-master direction does not match the command %#04x", c->cmd);
	c->dma_pending = false;
	c->bm_status |= IDE_BM_ACTIVE;
	moved = walk(c, d, &room, &ok);
	c->lba += moved;
	c->left -= moved;
	if (!ok || c->left) {
		if (ok)
			log_guest("ide: PRD table ends %u sectors before the transfer", c->left);
		c->bm_status = (uint8_t)((c->bm_status & ~IDE_BM_ACTIVE) | IDE_BM_ERROR);
		ide_abort(c, IDE_ER_ABRT);
		return;
	}
	/* Active stays set when the table had room left, as on hardware. */
	if (!room)
		c->bm_status &= (uint8_t)~IDE_BM_ACTIVE;
	c->nsector = 0;
	c->status = IDE_ST_DRDY | IDE_ST_DSC;
	ide_raise_irq(c);
}

static uint64_t bm_read(void *opaque, uint64_t offset, unsigned size)
{
	struct ide_channel *c = opaque;
	uint8_t regs[8] = {c->bm_cmd, 0, c->bm_status, 0};
	uint64_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		regs[4 + i] = (uint8_t)(c->bm_prd >> (8 * i));
	for (unsigned i = 0; i < size && offset + i < 8; i++)
		v |= (uint64_t)regs[offset + i] << (8 * i);
	return v;
}

static void bm_write_byte(struct ide_channel *c, unsigned reg, uint8_t v)
{
	if (reg == IDE_BM_CMD) {
		bool start = (v & IDE_BM_START) && !(c->bm_cmd & IDE_BM_START);

		c->bm_cmd = v & (IDE_BM_START | IDE_BM_TO_MEM);
		if (!(v & IDE_BM_START))
			c->bm_status &= (uint8_t)~IDE_BM_ACTIVE; /* stopping aborts */
		if (start && c->dma_pending)
			ide_bm_run(c);
	} else if (reg == IDE_BM_STATUS) {
		c->bm_status =
		    (uint8_t)((c->bm_status & ~(v & (IDE_BM_ERROR | IDE_BM_INTR)) & 0x07) |
			      (v & 0x60));
	} else if (reg >= IDE_BM_PRD) {
		unsigned shift = 8 * (reg - IDE_BM_PRD);

		c->bm_prd = (c->bm_prd & ~(0xFFu << shift)) | (uint32_t)v << shift;
		c->bm_prd &= ~3u;
	}
}

static void bm_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct ide_channel *c = opaque;

	for (unsigned i = 0; i < size && offset + i < 8; i++)
		bm_write_byte(c, (unsigned)offset + i, (uint8_t)(value >> (8 * i)));
}

const struct io_ops ide_bm_io_ops = {.read = bm_read, .write = bm_write};
