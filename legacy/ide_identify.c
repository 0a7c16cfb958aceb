/* IDENTIFY DEVICE and IDENTIFY PACKET DEVICE: the 256 words that tell a
 * driver what a drive is (its model and serial strings, geometry, LBA28
 * and LBA48 sizes, the transfer modes and feature sets it offers). */
#include <string.h>

#include "legacy/ide_cmd.h"

#define MODEL	 "HV HARDDISK"
#define FIRMWARE "0.1"

/* ATA strings are big-endian within each word and padded with spaces. */
void ide_put_string(uint16_t *w, const char *s, unsigned words)
{
	size_t n = strlen(s);

	for (unsigned i = 0; i < words * 2; i++) {
		uint8_t ch = i < n ? (uint8_t)s[i] : ' ';

		if (i & 1)
			w[i / 2] |= ch;
		else
			w[i / 2] = (uint16_t)(ch << 8);
	}
}

void ide_identify_ata(const struct ide_drive *d, uint16_t w[256])
{
	uint64_t chs = (uint64_t)d->cur_heads * d->cur_spt * d->cyls;
	uint64_t lba28 = d->sectors < 0x0FFFFFFF ? d->sectors : 0x0FFFFFFF;

	memset(w, 0, 512);
	w[0] = 0x0040; /* fixed disk */
	w[1] = d->cyls;
	w[3] = d->heads;
	w[6] = d->spt;
	ide_put_string(&w[10], d->serial, 10);
	ide_put_string(&w[23], FIRMWARE, 4);
	ide_put_string(&w[27], MODEL, 20);
	w[47] = 0x8000 | IDE_MULTIPLE_MAX;
	w[49] = 0x0300; /* LBA and DMA */
	w[53] = 0x0007; /* words 54-58, 64-70 and 88 are valid */
	w[54] = d->cyls;
	w[55] = d->cur_heads;
	w[56] = d->cur_spt;
	if (chs > d->sectors)
		chs = d->sectors;
	w[57] = (uint16_t)chs;
	w[58] = (uint16_t)(chs >> 16);
	w[59] = d->multiple ? 0x0100 | d->multiple : 0;
	w[60] = (uint16_t)lba28;
	w[61] = (uint16_t)(lba28 >> 16);
	w[63] = 0x0007; /* multiword DMA 0-2 supported */
	w[64] = 0x0003; /* PIO 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x007E; /* ATA/ATAPI-1 .. 6 */
	w[82] = 0x4000; /* NOP supported */
	w[83] = 0x7400; /* 48-bit, FLUSH CACHE, FLUSH CACHE EXT */
	w[84] = 0x4000;
	w[85] = 0x4000;
	w[86] = 0x3400; /* enabled: same as 83 */
	w[87] = 0x4000;
	w[88] = 0x003F; /* UDMA 0-5 supported, none selected */
	w[93] = 0x6001; /* hardware reset result valid; 80-wire cable detected */
	for (unsigned i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(d->sectors >> (16 * i));
}

/* The words go out little-endian through the data port. */
static void offer(struct ide_channel *c, const uint16_t w[256])
{
	for (unsigned i = 0; i < 256; i++) {
		c->buf[2 * i] = (uint8_t)w[i];
		c->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
	ide_start_in(c, IDE_SECTOR);
}

void ide_ata_identify(struct ide_channel *c)
{
	uint16_t w[256];

	ide_identify_ata(ide_active(c), w);
	offer(c, w);
}

void ide_atapi_identify(struct ide_channel *c)
{
	uint16_t w[256] = {0};

	w[0] = 0x8580; /* ATAPI, CD-ROM, removable, 12-byte packets */
	ide_put_string(&w[10], ide_active(c)->serial, 10);
	ide_put_string(&w[23], "0.1", 4);
	ide_put_string(&w[27], "HV DVD-ROM", 20);
	w[49] = 0x0200; /* LBA; no DMA: packet data moves by PIO only */
	w[53] = 0x0002;
	w[64] = 0x0003;
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x007E;
	offer(c, w);
}
