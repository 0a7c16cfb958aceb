/* An Intel 82077AA floppy disk controller in PC/AT mode with two drives:
 * eight ports (SRA, SRB, DOR, TDR, MSR/DSR, the data FIFO, then DIR/CCR
 * at +7; +6 belongs to the IDE controller), one IRQ and one DMA channel.
 * Each drive holds a raw image whose size gives the geometry; a read-only
 * image is a write-protected disk.
 *
 * Commands run to completion the moment their last parameter byte is
 * written (data commands as soon as the DMA channel serves them), so the
 * guest sees the execution phase end at once: no rotation, no step times. */
#ifndef HV_LEGACY_FDC_H
#define HV_LEGACY_FDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/block/disk.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"
#include "legacy/dma8237.h"

#define FDC_DRIVES 2

/* Register offsets from the base (3F0h). */
#define FDC_SRA	 0 /* status A (read) */
#define FDC_SRB	 1 /* status B (read) */
#define FDC_DOR	 2 /* digital output */
#define FDC_TDR	 3 /* tape drive */
#define FDC_MSR	 4 /* main status (read) */
#define FDC_DSR	 4 /* data rate select (write) */
#define FDC_FIFO 5
#define FDC_DIR	 7 /* digital input (read) */
#define FDC_CCR	 7 /* configuration control (write) */

#define FDC_DOR_SELECT 0x03
#define FDC_DOR_NRESET 0x04
#define FDC_DOR_DMAEN  0x08 /* AT mode: IRQ and DRQ driven */
#define FDC_DOR_MOTOR0 0x10

#define FDC_MSR_RQM  0x80 /* ready for a FIFO byte */
#define FDC_MSR_DIO  0x40 /* the byte goes to the host */
#define FDC_MSR_NDMA 0x20
#define FDC_MSR_CB   0x10 /* a command is in progress */

#define FDC_DIR_DSKCHG 0x80

#define FDC_ST0_ABNORMAL 0x40
#define FDC_ST0_INVALID	 0x80
#define FDC_ST0_SE	 0x20 /* seek end */
#define FDC_ST0_EC	 0x10 /* equipment check */
#define FDC_ST1_EN	 0x80 /* end of cylinder */
#define FDC_ST1_ND	 0x04 /* no data */
#define FDC_ST1_NW	 0x02 /* not writable */
#define FDC_ST1_MA	 0x01 /* missing address mark */
#define FDC_ST2_WC	 0x10 /* wrong cylinder */
#define FDC_ST3_WP	 0x40
#define FDC_ST3_T0	 0x10

/* Data rates (DSR/CCR bits 1:0). */
enum fdc_rate { FDC_RATE_500K, FDC_RATE_300K, FDC_RATE_250K, FDC_RATE_1M };

struct fdc_geometry {
	uint64_t size; /* image bytes */
	uint8_t cyls, heads, spt;
	enum fdc_rate rate; /* the media's data rate */
	uint8_t cmos_type;  /* the drive type CMOS byte 10h gives it */
	const char *name;
};

struct fdc_drive {
	struct disk *disk;		/* NULL: no drive */
	const struct fdc_geometry *geo; /* the media's geometry */
	uint8_t cyl;			/* where the head is (the PCN) */
	uint8_t sect;			/* the next sector under the head, for READ ID */
	bool changed;			/* the disk-change line (DIR bit 7) */
	bool seek_irq;			/* a seek/recalibrate ended: one ST0 to sense */
	uint8_t seek_st0;
};

enum fdc_phase { FDC_COMMAND, FDC_EXECUTION, FDC_RESULT };

struct fdc {
	struct irq_line irq;
	struct dma8237 *dma;
	unsigned dma_ch;
	struct fdc_drive drive[FDC_DRIVES];
	uint8_t dor;
	uint8_t tdr;
	enum fdc_rate rate; /* last written to the DSR or the CCR */
	uint8_t dsr;	    /* precompensation and power-down bits, kept for reads */
	enum fdc_phase phase;
	uint8_t buf[16];	       /* command bytes in, result bytes out */
	unsigned pos, len;	       /* bytes moved, bytes expected */
	const struct fdc_command *cmd; /* the command being received or run */
	bool int_pending;	       /* INT output before the DOR's gate */
	unsigned reset_senses;	       /* SENSE INTERRUPTs owed after a reset */
	/* SPECIFY, CONFIGURE, PERPENDICULAR MODE and LOCK */
	uint8_t specify[2];
	uint8_t config; /* EIS, EFIFO, POLL, FIFOTHR */
	uint8_t pretrk; /* precompensation start track */
	uint8_t perpendicular;
	bool lock; /* CONFIGURE's fields survive a software reset */
	/* The data command running: the ID its next sector must match. */
	uint8_t cur_c, cur_h, cur_r, cur_n, eot;
	uint8_t head; /* the physical head it reads with */
	bool multitrack;
};

/* The command table entry (legacy/fdc_cmd.c). */
struct fdc_command {
	uint8_t opcode, flags; /* a byte b is this command if (b & ~flags) == opcode */
	uint8_t params;	       /* bytes after the opcode */
	const char *name;
	void (*run)(struct fdc *f);
};

/* Allocates a controller in its power-on state with no drives, its INT on
 * irq and its DRQ on channel dma_ch of dma. Returns NULL if out of memory. */
struct fdc *fdc_create(struct irq_line irq, struct dma8237 *dma, unsigned dma_ch);
void fdc_destroy(struct fdc *f);

/* Hardware reset; the drives keep their disks and head positions. */
void fdc_reset(struct fdc *f);

/* The geometry of a floppy image of size bytes, or NULL. */
const struct fdc_geometry *fdc_geometry_for_size(uint64_t size);

/* "368640 (360 KB), ..." for error messages. */
const char *fdc_sizes_accepted(void);

/* Puts disk (which stays the caller's and must outlive f) in drive n.
 * Returns 0, or -1 with a message naming the file if its size is not a
 * floppy's. */
int fdc_attach(struct fdc *f, unsigned n, struct disk *disk, char *err, size_t errlen);

/* Swaps the disk in drive n (which holds one: the config fitted it) for
 * disk, an image of the same size (the drive's type, in CMOS since boot,
 * stays), and raises the drive's disk-change line (DIR bit 7) as a disk
 * taken out does; a step pulse clears it. *old gets the disk taken out
 * (the caller's to close). Returns 0, or -1 with a message. */
int fdc_change_disk(struct fdc *f, unsigned n, struct disk *disk, struct disk **old, char *err,
		    size_t errlen);

/* The register windows: base+0..5 (len 6) and base+7 (DIR/CCR, len 1). */
extern const struct io_ops fdc_io_ops;
extern const struct io_ops fdc_dir_io_ops;

/* Shared by the controller's files. */
const struct fdc_command *fdc_find_command(uint8_t opcode);
void fdc_result(struct fdc *f, unsigned len, bool interrupt);
void fdc_set_int(struct fdc *f, bool level);
void fdc_start_data(struct fdc *f); /* enters the execution phase, asks for DMA */
void fdc_transfer(struct fdc *f);   /* the DMA channel serves the running command */
void fdc_run_read(struct fdc *f);
void fdc_run_write(struct fdc *f);
void fdc_run_format(struct fdc *f);
void fdc_run_read_id(struct fdc *f);
bool fdc_implied_seek(const struct fdc *f);
void fdc_describe_state(const void *dev, char *buf, size_t len); /* the describe op */

/* The registry's view (hv/core/device.h) of a struct fdc and its drives. */
extern const struct device_ops fdc_device_ops;

#endif
