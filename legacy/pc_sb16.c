/* The PC's Sound Blaster 16, added on request (xl's soundhw = "sb16"):
 * its 16 ports at the chosen base, its IRQ lines on the PIC and its two
 * channels on the PC's 8237s, and its OPL3, also at the AdLib's 388h;
 * "sb16" and "opl3" in the device registry. */
#include <stdio.h>

#include "legacy/opl3.h"
#include "legacy/pc_int.h"
#include "legacy/sb16.h"

int pc_add_sb16(struct pc *pc, const struct pc_sb16_config *cfg, char *err, size_t errlen)
{
	struct irq_line irq[SB16_IRQ_CHOICES];

	if (pc->sb16) {
		snprintf(err, errlen, "sb16: the PC has one already");
		return -1;
	}
	if (cfg->port < 0x220 || cfg->port > 0x280 || cfg->port % 0x20) {
		snprintf(err, errlen, "sb16: port %#x is not one of 0x220, 0x240, 0x260, 0x280",
			 cfg->port);
		return -1;
	}
	for (unsigned i = 0; i < SB16_IRQ_CHOICES; i++)
		irq[i] = pic8259_irq_line(pc->pic, sb16_irq_numbers[i]);
	pc->sb16 = sb16_create(&pc->m->clock, pc->dma, irq, cfg->irq, cfg->dma, cfg->hdma);
	if (!pc->sb16) {
		snprintf(err, errlen,
			 "sb16: irq=%u dma=%u hdma=%u: the card offers irq 5, 7, 9 or 10, dma 0, "
			 "1 or 3, hdma 5, 6 or 7",
			 cfg->irq, cfg->dma, cfg->hdma);
		return -1;
	}
	if (bus_register(&pc->m->pio, cfg->port, SB16_PORTS, &sb16_io_ops, pc->sb16, "SB16") < 0) {
		snprintf(err, errlen, "sb16: cannot place it at port %#x", cfg->port);
		return -1;
	}
	pc->opl3 = opl3_create(&pc->m->clock);
	if (!pc->opl3) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pc->sb16->opl = pc->opl3;
	sb16_fm_volume(pc->sb16);
	if (bus_register(&pc->m->pio, PC_ADLIB_BASE, OPL3_PORTS, &opl3_io_ops, pc->opl3, "OPL3") <
	    0) {
		snprintf(err, errlen, "sb16: cannot place its OPL3 at port %#x", PC_ADLIB_BASE);
		return -1;
	}
	if (device_register(&pc->m->devices, "sb16", &sb16_device_ops, pc->sb16, err, errlen) < 0)
		return -1;
	return device_register(&pc->m->devices, "opl3", &opl3_device_ops, pc->opl3, err, errlen);
}

void pc_free_sb16(struct pc *pc)
{
	sb16_destroy(pc->sb16);
	pc->sb16 = NULL;
	opl3_destroy(pc->opl3);
	pc->opl3 = NULL;
}

int pc_sb16_source(struct pc *pc, struct audio_source *src)
{
	if (!pc->sb16)
		return -1;
	*src = sb16_audio_source(pc->sb16);
	return 0;
}

int pc_opl3_source(struct pc *pc, struct audio_source *src)
{
	if (!pc->opl3)
		return -1;
	*src = opl3_audio_source(pc->opl3);
	return 0;
}
