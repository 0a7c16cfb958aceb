/* An IDE (ATA) controller: two channels of two drives each, a hard disk
 * (ATA, LBA28/LBA48, CHS) or a CD-ROM (ATAPI, PACKET commands) per drive,
 * PIO through the data port and bus-master DMA through PRD tables in guest
 * memory (the PCI IDE bus-master registers, SFF-8038i).
 *
 * Register map of a channel, relative to its command block (1F0h/170h on a
 * PC): 0 data (16 or 32 bits), 1 error / features, 2 sector count, 3 LBA
 * 7:0 (sector), 4 LBA 15:8 (cylinder low), 5 LBA 23:16 (cylinder high),
 * 6 device/head, 7 status / command; control block (3F6h/376h): alternate
 * status / device control. The taskfile registers are the channel's: both
 * drives on a cable see every write, as on real hardware; LBA48 reads the
 * previous value of each register (the "HOB" byte) too.
 *
 * Commands run to completion inside the port write that starts them; disk
 * I/O is synchronous under the domain lock for now, so BSY is never seen.
 * The guest sees DRQ while data waits in the channel's buffer.
 *
 * The files: ide.c registers and taskfile, ide_ata.c the ATA command set,
 * ide_atapi.c the PACKET commands, ide_identify.c the IDENTIFY data,
 * ide_bm.c bus-master DMA. */
#ifndef HV_LEGACY_IDE_H
#define HV_LEGACY_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/block/disk.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "hv/core/memory.h"

#define IDE_SECTOR	 512
#define IDE_CD_SECTOR	 2048
#define IDE_BUF_SIZE	 (128 * IDE_SECTOR) /* one DRQ block at most */
#define IDE_MULTIPLE_MAX 16		    /* sectors per block, READ/WRITE MULTIPLE */

/* Command block register offsets. */
#define IDE_DATA       0
#define IDE_ERROR      1 /* read; features on write */
#define IDE_NSECTOR    2
#define IDE_SECTOR_REG 3
#define IDE_LCYL       4
#define IDE_HCYL       5
#define IDE_SELECT     6
#define IDE_STATUS     7 /* read; command on write */

/* Status register */
#define IDE_ST_ERR  0x01
#define IDE_ST_DRQ  0x08
#define IDE_ST_DSC  0x10 /* seek complete */
#define IDE_ST_DF   0x20
#define IDE_ST_DRDY 0x40
#define IDE_ST_BSY  0x80

/* Error register */
#define IDE_ER_ABRT 0x04
#define IDE_ER_IDNF 0x10
#define IDE_ER_UNC  0x40

/* Device control register */
#define IDE_CTL_NIEN 0x02 /* interrupts disabled */
#define IDE_CTL_SRST 0x04 /* software reset of both drives */
#define IDE_CTL_HOB  0x80 /* taskfile reads return the previous bytes */

/* Device register */
#define IDE_SEL_DEV 0x10 /* drive 1 */
#define IDE_SEL_LBA 0x40

/* Bus-master registers, 8 bytes per channel. */
#define IDE_BM_CMD    0
#define IDE_BM_STATUS 2
#define IDE_BM_PRD    4
#define IDE_BM_START  0x01 /* command: engine running */
#define IDE_BM_TO_MEM 0x08 /* command: device to memory */
#define IDE_BM_ACTIVE 0x01 /* status */
#define IDE_BM_ERROR  0x02 /* status, write 1 to clear */
#define IDE_BM_INTR   0x04 /* status, write 1 to clear */

enum ide_xfer {
	IDE_XFER_NONE,
	IDE_XFER_IN,	   /* data to the host from buf (IDENTIFY, ATA reads) */
	IDE_XFER_OUT,	   /* data from the host into buf (ATA writes) */
	IDE_XFER_PACKET,   /* the 12-byte ATAPI command packet */
	IDE_XFER_ATAPI_IN, /* a PACKET command's data */
};

struct ide_drive {
	bool present;
	bool atapi;
	struct disk *disk;	     /* NULL: no medium (ATAPI); owned by the caller */
	uint64_t sectors;	     /* of IDE_SECTOR (ATA) or IDE_CD_SECTOR (ATAPI) */
	uint16_t cyls, heads, spt;   /* default geometry, for IDENTIFY and CHS */
	uint16_t cur_heads, cur_spt; /* INITIALIZE DEVICE PARAMETERS */
	uint8_t multiple;	     /* sectors per block of READ/WRITE MULTIPLE; 0 off */
	uint8_t sense_key, asc;	     /* ATAPI: REQUEST SENSE */
	bool media_changed;	     /* ATAPI: UNIT ATTENTION once after an insert */
	bool locked;		     /* ATAPI: PREVENT MEDIUM REMOVAL */
	char serial[21];
};

struct ide_channel {
	struct ide_drive drive[2];
	struct irq_line irq;
	struct guest_mem *mem; /* for bus-master DMA */
	/* Taskfile; hob_* are the bytes written before the current ones. */
	uint8_t feature, nsector, sector, lcyl, hcyl;
	uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
	uint8_t select; /* device/head register as written */
	uint8_t status; /* of the selected drive's last command */
	uint8_t error;
	uint8_t ctl; /* device control */
	bool intrq;  /* the drive's interrupt request (before nIEN) */
	/* The PIO transfer in progress. */
	enum ide_xfer xfer;
	uint32_t pos, end; /* next byte of buf, end of this DRQ block */
	uint8_t cmd;	   /* the command that owns the transfer */
	uint8_t unit;	   /* the drive it went to (the guest may select another meanwhile) */
	uint64_t lba;	   /* next sector of a read or write */
	uint32_t left;	   /* sectors still to move (ATA), including this block */
	uint32_t block;	   /* sectors per DRQ block */
	uint32_t bcl;	   /* ATAPI byte count limit */
	uint32_t in_len;   /* ATAPI: bytes of the reply (static replies) */
	uint32_t in_off;   /* ATAPI: bytes already sent */
	bool cd_read;	   /* ATAPI: the reply comes from the medium */
	/* DMA: a READ/WRITE DMA command waits for the bus master. */
	bool dma_pending;
	bool dma_to_mem;
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
	uint8_t buf[IDE_BUF_SIZE];
};

struct ide {
	struct ide_channel ch[2];
};

/* Creates a controller with no drives; irq[n] is channel n's line, mem the
 * guest memory DMA reaches. Returns NULL when out of memory. */
struct ide *ide_create(const struct irq_line irq[2], struct guest_mem *mem);
void ide_destroy(struct ide *ide);

/* Attaches drive unit (0 master, 1 slave) of channel ch: an ATA disk on
 * disk (not NULL), or a CD-ROM drive holding disk (NULL: empty). The disk
 * stays the caller's. */
void ide_attach_ata(struct ide *ide, unsigned ch, unsigned unit, struct disk *disk);
void ide_attach_atapi(struct ide *ide, unsigned ch, unsigned unit, struct disk *disk);

/* Changes the medium of a CD-ROM drive (NULL ejects). Returns the disk it
 * held (for the caller to close), or the new one back when the guest has
 * locked the tray, in which case nothing changes. */
struct disk *ide_change_medium(struct ide *ide, unsigned ch, unsigned unit, struct disk *disk);

/* Power-on / hardware reset of every drive (media stay). */
void ide_reset(struct ide *ide);

/* Port handlers; opaque is a struct ide_channel. */
extern const struct io_ops ide_cmd_io_ops; /* command block, len 8 */
extern const struct io_ops ide_ctl_io_ops; /* control block, len 1 */
extern const struct io_ops ide_bm_io_ops;  /* bus-master registers, len 8 */

/* The registry's view (hv/core/device.h) of a struct ide: both channels
 * and their drives. */
extern const struct device_ops ide_device_ops;

#endif
