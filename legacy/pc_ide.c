/* The PC's IDE wiring: the PIIX IDE function at 00:01.1 with the primary
 * channel at 1F0h-1F7h/3F6h on IRQ 14 and the secondary at 170h-177h/376h
 * on IRQ 15, and the CMOS bytes QEMU's firmware reads for them (boot order
 * in 3Dh/38h, the classic fixed-disk types and geometry in 12h-2Ch). */
#include <stdio.h>

#include "legacy/pc_int.h"

#define CMOS_HD_TYPE	0x12 /* drive 0 high nibble, drive 1 low: 0Fh = "see 19h/1Ah" */
#define CMOS_HD0_EXT	0x19
#define CMOS_HD1_EXT	0x1A
#define CMOS_HD0_PARAMS 0x1B /* 9 bytes per drive: user-defined type 47 */
#define CMOS_HD1_PARAMS 0x24
#define CMOS_BOOT_HI	0x38 /* third boot device in bits 7:4; bit 0: skip floppy check */
#define CMOS_BOOT_LO	0x3D /* first device in bits 3:0, second in 7:4 */

static const uint16_t cmd_base[2] = {PC_IDE0_BASE, PC_IDE1_BASE};
static const uint16_t ctl_base[2] = {PC_IDE0_CTL, PC_IDE1_CTL};
static const int irq[2] = {PC_IDE0_IRQ, PC_IDE1_IRQ};

/* SeaBIOS's device codes: 1 floppy, 2 hard disk, 3 CD-ROM. */
static void set_boot_order(struct pc *pc, const char *boot)
{
	unsigned code[3] = {0, 0, 0};

	for (unsigned i = 0; boot && boot[i] && i < 3; i++)
		code[i] = boot[i] == 'a' ? 1 : boot[i] == 'c' ? 2 : boot[i] == 'd' ? 3 : 0;
	rtc146818_nvram_write(pc->rtc, CMOS_BOOT_LO, (uint8_t)(code[1] << 4 | code[0]));
	rtc146818_nvram_write(pc->rtc, CMOS_BOOT_HI, (uint8_t)(code[2] << 4));
}

static void set_disk_params(struct pc *pc, unsigned unit, const struct ide_drive *d)
{
	uint8_t base = unit ? CMOS_HD1_PARAMS : CMOS_HD0_PARAMS;
	uint16_t cyls = d->cyls > 1024 ? 1024 : d->cyls; /* what INT 13h can reach */
	const uint8_t p[9] = {(uint8_t)cyls,
			      (uint8_t)(cyls >> 8),
			      (uint8_t)d->heads,
			      0xFF,
			      0xFF,
			      (uint8_t)(0xC0 | (d->heads > 8) << 3),
			      (uint8_t)cyls,
			      (uint8_t)(cyls >> 8),
			      (uint8_t)d->spt};

	for (unsigned i = 0; i < 9; i++)
		rtc146818_nvram_write(pc->rtc, (uint8_t)(base + i), p[i]);
	rtc146818_nvram_write(pc->rtc, unit ? CMOS_HD1_EXT : CMOS_HD0_EXT, 47);
}

static void set_cmos(struct pc *pc)
{
	uint8_t type = 0;

	for (unsigned unit = 0; unit < 2; unit++) {
		const struct ide_drive *d = &pc->ide->ch[0].drive[unit];

		if (!d->present || d->atapi)
			continue;
		type |= (uint8_t)(unit ? 0x0F : 0xF0);
		set_disk_params(pc, unit, d);
	}
	rtc146818_nvram_write(pc->rtc, CMOS_HD_TYPE, type);
}

static int add_channel(struct pc *pc, unsigned ch, char *err, size_t errlen)
{
	struct ide_channel *c = &pc->ide->ch[ch];

	if (bus_register(&pc->m->pio, cmd_base[ch], 8, &ide_cmd_io_ops, c, "IDE") < 0 ||
	    bus_register(&pc->m->pio, ctl_base[ch], 1, &ide_ctl_io_ops, c, "IDE control") < 0) {
		snprintf(err, errlen, "cannot place IDE channel %u at port %#x", ch, cmd_base[ch]);
		return -1;
	}
	return 0;
}

int pc_add_ide(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	struct irq_line lines[2] = {pic8259_irq_line(pc->pic, irq[0]),
				    pic8259_irq_line(pc->pic, irq[1])};

	pc->ide = ide_create(lines, &pc->m->mem);
	pc->piix_ide = pc->ide ? piix_ide_create(pc->ide, &pc->m->pio) : NULL;
	if (!pc->piix_ide) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < PC_IDE_DRIVES; i++) {
		if (h->ide_cdrom[i])
			ide_attach_atapi(pc->ide, i / 2, i % 2, h->ide[i]);
		else if (h->ide[i])
			ide_attach_ata(pc->ide, i / 2, i % 2, h->ide[i]);
	}
	if (pci_bus_add(&pc->pci, PC_PIIX3_SLOT, PC_PIIX_IDE_FUNC, &pc->piix_ide->dev) < 0) {
		snprintf(err, errlen, "cannot place the IDE function at 00:%02x.%u", PC_PIIX3_SLOT,
			 PC_PIIX_IDE_FUNC);
		return -1;
	}
	if (add_channel(pc, 0, err, errlen) < 0 || add_channel(pc, 1, err, errlen) < 0)
		return -1;
	set_cmos(pc);
	set_boot_order(pc, h->boot ? h->boot : "cd");
	return 0;
}

void pc_free_ide(struct pc *pc)
{
	piix_ide_destroy(pc->piix_ide);
	ide_destroy(pc->ide);
}

int pc_change_cd(struct pc *pc, unsigned index, struct disk *disk, struct disk **old, char *err,
		 size_t errlen)
{
	struct ide_drive *d;
	struct disk *out;

	if (!pc->ide || index >= PC_IDE_DRIVES) {
		snprintf(err, errlen, "no IDE drive %u", index);
		return -1;
	}
	d = &pc->ide->ch[index / 2].drive[index % 2];
	if (!d->present || !d->atapi) {
		snprintf(err, errlen, "not a CD-ROM drive");
		return -1;
	}
	if (d->locked && d->disk) {
		snprintf(err, errlen,
			 "the guest has locked the tray (a mounted disc): unmount it in the guest "
			 "first");
		return -1;
	}
	out = ide_change_medium(pc->ide, index / 2, index % 2, disk);
	*old = out;
	return 0;
}
