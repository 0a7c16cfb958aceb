/* Motorola MC146818 real-time clock with 128 bytes of CMOS RAM, behind an
 * index port and a data port (70h/71h on a PC). The time is a count of
 * seconds driven by the domain's virtual clock, so it stops while the
 * domain is paused; the time registers are formatted from it (BCD or
 * binary, 12 or 24 hours) when read. Interrupts (periodic, alarm, update
 * ended) are computed lazily; a vtimer is armed only for an interrupt that
 * is enabled and not already pending. */
#ifndef HV_LEGACY_RTC146818_H
#define HV_LEGACY_RTC146818_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"

/* Offsets within the two-port window. */
#define RTC_INDEX_PORT 0 /* bits 0-6: register index; bit 7: NMI disabled */
#define RTC_DATA_PORT  1

/* Register indices. */
#define RTC_SECONDS	  0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES	  0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS	  0x04
#define RTC_HOURS_ALARM	  0x05
#define RTC_DAY_OF_WEEK	  0x06 /* 1 = Sunday */
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH	  0x08
#define RTC_YEAR	  0x09 /* two digits */
#define RTC_REG_A	  0x0a
#define RTC_REG_B	  0x0b
#define RTC_REG_C	  0x0c
#define RTC_REG_D	  0x0d
#define RTC_NVRAM_SIZE	  128

/* Register A */
#define RTC_A_UIP     0x80 /* update in progress (read-only) */
#define RTC_A_DV      0x70 /* divider select: 010 runs, 11x holds in reset */
#define RTC_A_RS      0x0f /* periodic rate select */
#define RTC_A_DV_RUN  0x20
#define RTC_A_DV_HOLD 0x60

/* Register B */
#define RTC_B_SET  0x80 /* updates stopped, time registers writable */
#define RTC_B_PIE  0x40
#define RTC_B_AIE  0x20
#define RTC_B_UIE  0x10
#define RTC_B_SQWE 0x08
#define RTC_B_DM   0x04 /* data mode: 1 binary, 0 BCD */
#define RTC_B_24H  0x02
#define RTC_B_DSE  0x01

/* Register C (read-only, cleared by reading) */
#define RTC_C_IRQF 0x80
#define RTC_C_PF   0x40
#define RTC_C_AF   0x20
#define RTC_C_UF   0x10

/* Register D */
#define RTC_D_VRT 0x80 /* valid RAM and time: the battery is good */

/* An alarm byte with both top bits set matches any value. */
#define RTC_ALARM_ANY 0xc0

struct rtc146818 {
	uint8_t cmos[RTC_NVRAM_SIZE]; /* time registers while stopped, alarms,
					 A and B, and the RAM from 0Eh */
	uint8_t index;		      /* index register bits 0-6 */
	bool nmi_disabled;	      /* index register bit 7 (no NMI source yet) */
	uint8_t flags;		      /* register C's PF, AF and UF as latched */
	bool irq_level;		      /* IRQF as last driven on the line */
	int64_t phase_ns;	      /* when the divider chain last started: a
					 second boundary */
	int64_t epoch_secs;	      /* civil seconds at that boundary */
	int64_t checked_ns;	      /* events up to here are in flags */
	int dow_offset;		      /* guest-written weekday minus the computed */
	uint8_t century_reg;	      /* CMOS index of the century byte, 0: none */
	struct vclock *clock;
	struct irq_line irq;
	struct vtimer timer;
};

/* The host's civil time now as seconds since 1970 read as UTC: UTC
 * itself, or local time when localtime (what DOS and Windows keep). */
int64_t rtc146818_host_time(bool localtime);

/* Allocates an RTC whose time is `start` (civil seconds, as from
 * rtc146818_host_time) at the clock's present time, 24-hour BCD mode,
 * 1024 Hz periodic rate, interrupts off. century_reg is where the PC
 * convention keeps the century (32h), or 0. Returns NULL if out of memory. */
struct rtc146818 *rtc146818_create(struct vclock *clock, struct irq_line irq, int64_t start,
				   uint8_t century_reg);

/* Cancels the timer and frees; the caller unregisters it first. */
void rtc146818_destroy(struct rtc146818 *rtc);

/* The RESET pin: interrupt enables and flags clear; time and RAM kept
 * (they run on the battery). */
void rtc146818_reset(struct rtc146818 *rtc);

/* Board setup: a RAM byte (index 0Eh-7Fh) the firmware expects. */
void rtc146818_nvram_write(struct rtc146818 *rtc, uint8_t index, uint8_t value);

/* The index and data ports, len 2. */
extern const struct io_ops rtc146818_io_ops;

/* The registry's view (hv/core/device.h) of a struct rtc146818. */
extern const struct device_ops rtc146818_device_ops;

#endif
