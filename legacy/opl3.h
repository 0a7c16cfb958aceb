/* A Yamaha YMF262 (OPL3) FM synthesizer: the AdLib ports 388h-38Bh and
 * the Sound Blaster 16's base+0..3 and base+8/9. The sound comes from
 * Nuked OPL3 as Debian's libadplug carries it (<adplug/nukedopl.h>),
 * generated at AUDIO_RATE on the virtual clock: a register write first
 * makes the frames up to its moment. The two timers (timer 1 in 80 us
 * ticks, timer 2 in 320 us ticks) and the status register are hv's own,
 * on the virtual clock, so AdLib detection and timer-paced players work.
 * No IRQ line: the PC's AdLib has none wired. */
#ifndef HV_LEGACY_OPL3_H
#define HV_LEGACY_OPL3_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/audio_source.h"
#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"

#define OPL3_PORTS	 4
#define OPL3_RING	 16384 /* frames kept for the mixer */
#define OPL3_T1_TICK_NS	 80000
#define OPL3_T2_TICK_NS	 320000
#define OPL3_STATUS_IRQ	 0x80
#define OPL3_STATUS_T1	 0x40
#define OPL3_STATUS_T2	 0x20
#define OPL3_TIMER_CTRL	 0x04 /* bank 0 register 04h */
#define OPL3_CTRL_RESET	 0x80
#define OPL3_CTRL_MASK1	 0x40
#define OPL3_CTRL_MASK2	 0x20
#define OPL3_CTRL_START2 0x02
#define OPL3_CTRL_START1 0x01

struct _opl3_chip;

struct opl3_timer {
	uint8_t value; /* registers 02h/03h: counts up from here to 256 */
	bool running;
	int64_t start;	 /* virtual ns of the count's last reload */
	int64_t tick_ns; /* 80 or 320 us */
};

struct opl3 {
	struct vclock *clock;
	struct _opl3_chip *chip;
	uint16_t addr; /* the selected register, bank in bit 8 */
	struct opl3_timer t[2];
	uint8_t ctrl;  /* register 04h's masks */
	uint8_t flags; /* status bits 6 and 5 latched */
	bool sounding; /* a register other than the timers' was written */
	float gain;    /* set by the SB16's FM volume; 1 standalone */
	/* What was written to the chip (bank in the first index), for save
	 * files: a load resets the chip and writes them again. */
	uint8_t regs[2][256];
	bool listening;
	uint64_t frame; /* the next frame to make */
	float ring[OPL3_RING];
	uint64_t writes, frames;
};

/* A chip in its reset state. Returns NULL if out of memory. */
struct opl3 *opl3_create(struct vclock *clock);
void opl3_destroy(struct opl3 *o);
void opl3_reset(struct opl3 *o);

/* Port i of 0-3 (388h + i): even ports read the status and take a
 * register number (bank 0 at 0, bank 1 at 2), odd ports take its data. */
uint8_t opl3_read(struct opl3 *o, unsigned port);
void opl3_write(struct opl3 *o, unsigned port, uint8_t v);

/* Sound up to virtual time ns (before a change of its registers). */
void opl3_sync(struct opl3 *o, int64_t ns);

struct audio_source opl3_audio_source(struct opl3 *o);

extern const struct io_ops opl3_io_ops;
extern const struct device_ops opl3_device_ops;

#endif
