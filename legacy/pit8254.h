/* Intel 8254 programmable interval timer: three 16-bit counters clocked at
 * 1.193182 MHz and a control word register. Nothing counts tick by tick:
 * each counter remembers when it started, and its count and OUT are
 * computed from the domain's virtual clock when someone looks. Counter 0's
 * OUT drives an irq_line; one vtimer is armed for its next rising edge.
 * Counter 2's GATE and OUT belong to whoever models port 61h. */
#ifndef HV_LEGACY_PIT8254_H
#define HV_LEGACY_PIT8254_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/core/bus.h"
#include "hv/core/clock.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"

/* Offsets within the four-port window (40h-43h on a PC). */
#define PIT_COUNTER0 0
#define PIT_COUNTER1 1
#define PIT_COUNTER2 2
#define PIT_CONTROL  3

#define PIT_HZ			  1193182    /* the PC's 14.31818 MHz crystal divided by 12 */
#define PIT_CATCHUP_MIN_PERIOD_NS 1000000    /* HZ up to 1000 */
#define PIT_CATCHUP_MAX_NS	  1000000000 /* a second of ticks at most is owed */
#define PIT_CHANNELS		  3

struct pit_channel {
	uint32_t count;	     /* initial count as loaded, 1-65536 (binary) */
	uint16_t written;    /* count register as the guest wrote it */
	uint8_t mode;	     /* counter mode 0-5 from the control word */
	uint8_t rw;	     /* access: 1 LSB only, 2 MSB only, 3 LSB then MSB */
	bool bcd;	     /* counting in four BCD decades */
	bool loaded;	     /* a whole count was written since the control word */
	bool triggered;	     /* modes 1 and 5: a GATE rising edge started the count */
	bool gate;	     /* the GATE input */
	bool running;	     /* the counting element is counting */
	int64_t elapsed;     /* ticks counted before run_start */
	int64_t run_start;   /* tick at which counting last (re)started */
	bool write_msb;	     /* LSB-then-MSB write: the next byte is the MSB */
	bool read_msb;	     /* LSB-then-MSB read: the next byte is the MSB */
	uint16_t latch;	     /* output latch (counter latch command) */
	uint8_t latch_left;  /* latched bytes not yet read: 0, 1 or 2 */
	uint8_t status;	     /* status byte latched by read-back */
	bool status_latched; /* status waiting to be read */
	bool irq_level;	     /* level last driven on the irq_line */
	bool strobe_due;     /* modes 4, 5: this count's strobe not yet given */
};

struct pit8254 {
	struct pit_channel ch[PIT_CHANNELS];
	struct vclock *clock;
	struct irq_line irq; /* counter 0's OUT */
	struct vtimer timer; /* counter 0's next rising edge */
	/* for `hv list -l`: counter 0's counts loaded and edges given, and
	 * the virtual times of the last of each */
	uint64_t loads, edges;
	int64_t last_load_ns, last_edge_ns;
	/* Catch-up of counter 0's periodic interrupts (modes 2 and 3, a period
	 * of at least PIT_CATCHUP_MIN_PERIOD_NS): rising edges that passed
	 * while the vCPU was not running (its host thread descheduled) are
	 * still delivered, one every quarter period, so that a guest counting
	 * ticks keeps the host's time; at most PIT_CATCHUP_MAX_NS of them are
	 * owed, older ones are dropped. Saved (version 2): a restore still owes
	 * what was owed. */
	int64_t rises_seen;	     /* rising edges of the current count so far */
	int64_t rises_start;	     /* the count's run_start they were counted from */
	uint32_t backlog;	     /* of those, not delivered yet */
	bool catchup_armed;	     /* the timer is set for an owed edge */
	bool holding;		     /* re-arming while the last edge waits */
	uint64_t caught_up, dropped; /* for `hv list -l` */
	/* Optional: whether counter 0's last edge still waits to be taken (the
	 * PIC's request bit). An owed edge then waits a quarter period rather
	 * than merging into it. */
	bool (*edge_waiting)(void *opaque);
	void *edge_waiting_opaque;
	/* Called just before counter 2's programming or GATE changes, so the
	 * speaker can synthesize the sound of the old state up to now; NULL:
	 * nobody listens. */
	void (*ch2_changing)(void *opaque);
	void *ch2_opaque;
};

/* Allocates a timer in its power-on state (no counter programmed) on
 * clock, counter 0's OUT on irq0. Returns NULL if out of memory. */
struct pit8254 *pit8254_create(struct vclock *clock, struct irq_line irq0);

/* Cancels the timer and frees; the caller unregisters it from the bus. */
void pit8254_destroy(struct pit8254 *pit);

/* Power-on state: counters unprogrammed, GATE 0 and 1 high, GATE 2 low. */
void pit8254_reset(struct pit8254 *pit);

/* The register window, len 4. */
extern const struct io_ops pit8254_io_ops;

/* Drives counter ch's GATE input. */
void pit8254_set_gate(struct pit8254 *pit, int ch, bool level);

/* Counter ch's OUT now. */
bool pit8254_out(struct pit8254 *pit, int ch);

/* PIT ticks in [t0, t1) (ticks since virtual time 0) during which counter
 * ch's OUT is high, as the counter is programmed now: exact as long as
 * nothing changed it in between. O(1), whatever the count. */
int64_t pit8254_out_high_ticks(struct pit8254 *pit, int ch, int64_t t0, int64_t t1);

/* Counter 0's state and its timer in one line, for `hv list -l`. */
void pit8254_describe(const struct pit8254 *pit, char *s, size_t n);

/* The registry's view (hv/core/device.h) of a struct pit8254. */
extern const struct device_ops pit8254_device_ops;

#endif
