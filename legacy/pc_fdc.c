/* The PC's floppy wiring: the two 8237s (00h-0Fh, C0h-DFh, page registers
 * from 81h: 80h stays the POST port), the 82077AA at 3F0h-3F5h/3F7h on
 * IRQ 6 and DMA channel 2, and the CMOS bytes the firmware reads for the
 * drives: the drive types in 10h and the equipment byte 14h. */
#include <stdio.h>

#include "legacy/pc_int.h"

#define CMOS_FLOPPY_TYPES 0x10 /* drive A: in bits 7:4, B: in 3:0 */
#define CMOS_EQUIPMENT	  0x14

static int add(struct pc *pc, uint16_t base, uint16_t len, const struct io_ops *ops, void *opaque,
	       const char *name, char *err, size_t errlen)
{
	if (bus_register(&pc->m->pio, base, len, ops, opaque, name) == 0)
		return 0;
	snprintf(err, errlen, "cannot place %s at port %#x", name, base);
	return -1;
}

/* Equipment byte as QEMU sets it: floppies present and their count less
 * one in bits 7:6, an x87 (bit 1), a PS/2 mouse (bit 2), VGA (bits 5:4
 * zero). */
static void set_cmos(struct pc *pc)
{
	uint8_t types = 0, equipment = 0x06;
	unsigned n = 0;

	for (unsigned i = 0; i < FDC_DRIVES; i++) {
		const struct fdc_drive *d = &pc->fdc->drive[i];

		if (!d->disk)
			continue;
		types |= (uint8_t)(d->geo->cmos_type << (i ? 0 : 4));
		n++;
	}
	if (n)
		equipment |= (uint8_t)(0x01 | (n - 1) << 6);
	rtc146818_nvram_write(pc->rtc, CMOS_FLOPPY_TYPES, types);
	rtc146818_nvram_write(pc->rtc, CMOS_EQUIPMENT, equipment);
}

int pc_add_fdc(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	pc->dma = dma8237_create(&pc->m->mem);
	pc->fdc =
	    pc->dma ? fdc_create(pic8259_irq_line(pc->pic, PC_FDC_IRQ), pc->dma, PC_FDC_DMA) : NULL;
	if (!pc->fdc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < FDC_DRIVES; i++)
		if (h->floppy[i] && fdc_attach(pc->fdc, i, h->floppy[i], err, errlen) < 0)
			return -1;
	if (add(pc, PC_DMA1_BASE, 16, &dma8237_dma1_io_ops, pc->dma, "DMA1", err, errlen) < 0 ||
	    add(pc, PC_DMA2_BASE, 32, &dma8237_dma2_io_ops, pc->dma, "DMA2", err, errlen) < 0 ||
	    add(pc, DMA8237_PAGE_FIRST, 15, &dma8237_page_io_ops, pc->dma, "DMA pages", err,
		errlen) < 0 ||
	    add(pc, PC_FDC_BASE, 6, &fdc_io_ops, pc->fdc, "FDC", err, errlen) < 0 ||
	    add(pc, PC_FDC_BASE + FDC_DIR, 1, &fdc_dir_io_ops, pc->fdc, "FDC DIR", err, errlen) < 0)
		return -1;
	set_cmos(pc);
	return 0;
}

void pc_free_fdc(struct pc *pc)
{
	fdc_destroy(pc->fdc);
	dma8237_destroy(pc->dma);
}

bool pc_floppy_size_ok(uint64_t size)
{
	return fdc_geometry_for_size(size) != NULL;
}

const char *pc_floppy_sizes_accepted(void)
{
	return fdc_sizes_accepted();
}

int pc_change_floppy(struct pc *pc, unsigned index, struct disk *disk, struct disk **old, char *err,
		     size_t errlen)
{
	if (!pc->fdc) {
		snprintf(err, errlen, "no floppy controller");
		return -1;
	}
	return fdc_change_disk(pc->fdc, index, disk, old, err, errlen);
}
