/* What the IDE files share inside the controller model (see ide.h). */
#ifndef HV_LEGACY_IDE_CMD_H
#define HV_LEGACY_IDE_CMD_H

#include "legacy/ide.h"

/* ide.c */
struct ide_drive *ide_cur(struct ide_channel *c);    /* the selected drive */
struct ide_drive *ide_active(struct ide_channel *c); /* the one running c->cmd */
void ide_raise_irq(struct ide_channel *c);
void ide_update_irq(struct ide_channel *c); /* drives the line from intrq and nIEN */
void ide_describe_state(const void *dev, char *buf, size_t len); /* describe op */
void ide_done(struct ide_channel *c);				 /* command ends well, IRQ */
void ide_abort(struct ide_channel *c, uint8_t error);		 /* ERR set, IRQ */
void ide_start_in(struct ide_channel *c, uint32_t len);		 /* buf[0, len) to the host */
void ide_set_signature(struct ide_channel *c, const struct ide_drive *d);

/* ide_ata.c */
void ide_ata_command(struct ide_channel *c, uint8_t cmd);
void ide_ata_next_block(struct ide_channel *c); /* a DRQ block was moved */

/* ide_identify.c */
void ide_ata_identify(struct ide_channel *c);	/* IDENTIFY DEVICE */
void ide_atapi_identify(struct ide_channel *c); /* IDENTIFY PACKET DEVICE */
void ide_identify_ata(const struct ide_drive *d, uint16_t w[256]);
void ide_put_string(uint16_t *w, const char *s, unsigned words);

/* ide_atapi.c */
void ide_atapi_packet(struct ide_channel *c); /* the packet has arrived */
void ide_atapi_next(struct ide_channel *c);   /* a DRQ block was read */
void ide_atapi_start(struct ide_channel *c);  /* PACKET command */

/* ide_bm.c */
void ide_bm_run(struct ide_channel *c); /* DMA command and engine both ready */

#endif
