/* The PC/AT's two cascaded Intel 8237A DMA controllers: DMA1 with the
 * 8-bit channels 0-3 at 00h-0Fh, DMA2 with the 16-bit channels 4-7 at
 * C0h-DFh (one register every other port), channel 4 taking DMA1's bus
 * requests (cascade), and the 74LS612 page registers at 80h-8Fh that
 * supply the address bits above the 8237's 16.
 *
 * A device holds a DREQ line: it raises it with dma8237_set_dreq() and is
 * called back (its service function) as soon as its channel is unmasked;
 * from there it moves its data with dma8237_write_mem()/dma8237_read_mem()
 * and learns about terminal count from their result. Nothing is timed: a
 * whole request is served in one go, so single, block and demand mode only
 * differ on real hardware in how long the bus is held. */
#ifndef HV_LEGACY_DMA8237_H
#define HV_LEGACY_DMA8237_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "hv/core/memory.h"

#define DMA8237_CHANNELS 8

/* Register offsets within each chip (DMA2's port is C0h + 2 * offset). */
#define DMA_REG_ADDR(n)	   (2 * (n)) /* current/base address of channel n (0-3) */
#define DMA_REG_COUNT(n)   (2 * (n) + 1)
#define DMA_REG_STATUS	   8  /* read: TC bits 3:0, request bits 7:4 */
#define DMA_REG_COMMAND	   8  /* write */
#define DMA_REG_REQUEST	   9  /* write: bit 2 set/clear, bits 1:0 channel */
#define DMA_REG_MASK	   10 /* write: single mask bit, as the request register */
#define DMA_REG_MODE	   11 /* write */
#define DMA_REG_FLIPFLOP   12 /* write: clear the byte pointer flip-flop */
#define DMA_REG_TEMP	   13 /* read: temporary register */
#define DMA_REG_CLEAR	   13 /* write: master clear */
#define DMA_REG_CLEAR_MASK 14 /* write: unmask all four */
#define DMA_REG_ALL_MASK   15 /* write: mask bits 3:0; read: the same */

/* Mode register fields. */
#define DMA_MODE_TYPE	   0x0C /* 00 verify, 04 write (to memory), 08 read (from memory) */
#define DMA_MODE_VERIFY	   0x00
#define DMA_MODE_WRITE	   0x04
#define DMA_MODE_READ	   0x08
#define DMA_MODE_AUTOINIT  0x10
#define DMA_MODE_DECREMENT 0x20
#define DMA_MODE_SELECT	   0xC0 /* 00 demand, 40 single, 80 block, C0 cascade */
#define DMA_MODE_CASCADE   0xC0

struct dma8237_channel {
	uint16_t base_addr;  /* as programmed; auto-init reloads from here */
	uint16_t base_count; /* transfers minus one, as programmed */
	uint16_t addr;	     /* current address (words on channels 4-7) */
	uint16_t count;	     /* current count: transfers left minus one */
	uint8_t mode;	     /* mode register bits 7:2 */
	bool dreq;	     /* the device's request line */
	bool in_service;     /* its service function is running */
	void (*service)(void *opaque);
	void *opaque;
	void (*sync)(void *opaque); /* brings count and address up to date */
	void *sync_opaque;
};

struct dma8237_chip {
	uint8_t command; /* command register (controller disable in bit 2) */
	uint8_t tc;	 /* status bits 3:0: channel reached terminal count, read clears */
	uint8_t request; /* software request bits 3:0 */
	uint8_t mask;	 /* mask bits 3:0, set: channel disabled */
	uint8_t temp;	 /* temporary register (memory-to-memory only; kept for reads) */
	bool flipflop;	 /* byte pointer: the next address/count byte is the high one */
};

struct dma8237 {
	struct guest_mem *mem;
	struct dma8237_chip chip[2];
	struct dma8237_channel ch[DMA8237_CHANNELS];
	uint8_t page[16]; /* 80h-8Fh: the channels' pages, the rest plain latches */
};

/* Allocates both controllers in their reset state, moving data to and
 * from mem. Returns NULL if out of memory. */
struct dma8237 *dma8237_create(struct guest_mem *mem);
void dma8237_destroy(struct dma8237 *d);

/* Master clear of both chips; page registers and attached devices stay. */
void dma8237_reset(struct dma8237 *d);

/* DMA1's 16 ports (00h-0Fh), DMA2's 32 (C0h-DFh), the page registers
 * from 81h (81h-8Fh: 80h is the POST port, which the page register file
 * also latches on a real board but nobody reads back as a page). */
extern const struct io_ops dma8237_dma1_io_ops;
extern const struct io_ops dma8237_dma2_io_ops;
extern const struct io_ops dma8237_page_io_ops;
#define DMA8237_PAGE_FIRST 0x81 /* the page window's port base on the PC */

/* Makes service(opaque) the device on channel ch (0-7, not 4). */
void dma8237_attach(struct dma8237 *d, unsigned ch, void (*service)(void *opaque), void *opaque);

/* Makes sync(opaque) run before the guest reads channel ch's current
 * address or count, or its chip's status: a device that moves data on
 * the virtual clock (legacy/sb16.h) catches up, so the guest sees the
 * transfer's position as of now. NULL removes it. */
void dma8237_set_sync(struct dma8237 *d, unsigned ch, void (*sync)(void *opaque), void *opaque);

/* Drives channel ch's DREQ. Raising it on an unmasked channel calls the
 * device's service function before returning; on a masked one the call
 * comes when the guest unmasks it. */
void dma8237_set_dreq(struct dma8237 *d, unsigned ch, bool level);

/* From a service function: moves up to len bytes of the device's data
 * into guest memory on channel ch (a "write" transfer) and returns how
 * many moved. *tc (may be NULL) tells whether the channel reached terminal
 * count, which ends the transfer (after an auto-init reload, if set).
 * Returns 0 on a masked channel. A channel programmed for the other
 * direction or for verify moves addresses and counts but no data. On
 * channels 5-7 len counts bytes, two per transfer. */
size_t dma8237_write_mem(struct dma8237 *d, unsigned ch, const void *buf, size_t len, bool *tc);

/* The same from guest memory into the device's buf (a "read" transfer);
 * bytes not read from memory (verify, wrong direction) are 0xFF. */
size_t dma8237_read_mem(struct dma8237 *d, unsigned ch, void *buf, size_t len, bool *tc);

/* Whether channel ch is unmasked now (and its cascade, for 0-3). */
bool dma8237_enabled(const struct dma8237 *d, unsigned ch);

/* The registry's view (hv/core/device.h) of a struct dma8237: both chips. */
extern const struct device_ops dma8237_device_ops;

#endif
