/* Intel 8254, after its datasheet. A counter's state is "d ticks counted
 * since the count was loaded" (elapsed plus the time since run_start while
 * running); the count read back and OUT are functions of d and the mode.
 *
 * Differences from the chip, none of which matters to the guests we know
 * (they wait for the counter, not for single clocks): a count is loaded when written,
 * not on the next CLK edge; a new count written in modes 2 and 3 restarts
 * the period at once instead of at the end of the current one, and in
 * modes 1 and 5 ends the one-shot in progress instead of waiting for the
 * next trigger. */
#include "legacy/pit8254.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define CW_BCD	   0x01
#define CW_SC	   0xc0 /* select counter; 3 is read-back */
#define RB_COUNT   0x20 /* read-back: 0 latches the counts */
#define RB_STATUS  0x10 /* read-back: 0 latches the status */
#define ST_OUT	   0x80
#define ST_NULL	   0x40 /* the count written is not yet in the counter */
#define BIN_MODULO 65536
#define BCD_MODULO 10000

/* The PIC latches one edge; OUT edges closer than this (a guest that asks
 * for a count of 2 in mode 2) are merged rather than waking the host a
 * million times a second. */
#define MIN_EDGE_GAP_NS 20000

static int64_t ns_to_ticks(int64_t ns)
{
	return (int64_t)((__int128)ns * PIT_HZ / 1000000000);
}

/* The first nanosecond at which tick t has begun. */
static int64_t ticks_to_ns(int64_t t)
{
	return (int64_t)(((__int128)t * 1000000000 + PIT_HZ - 1) / PIT_HZ);
}

static int64_t now_ticks(const struct pit8254 *pit)
{
	return ns_to_ticks(vclock_now(pit->clock));
}

static uint32_t bcd_to_bin(uint16_t v)
{
	return (v >> 12 & 15) * 1000u + (v >> 8 & 15) * 100u + (v >> 4 & 15) * 10u + (v & 15);
}

static uint16_t bin_to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
			  v % 10);
}

static bool waits_for_trigger(const struct pit_channel *c)
{
	return c->mode == 1 || c->mode == 5;
}

/* Ticks counted since the count was loaded (or triggered). */
static int64_t counted(const struct pit_channel *c, int64_t now)
{
	return c->elapsed + (c->running ? now - c->run_start : 0);
}

/* Whether the counting element holds the count and counts. */
static bool started(const struct pit_channel *c)
{
	return c->loaded && (!waits_for_trigger(c) || c->triggered);
}

static bool out_at(const struct pit_channel *c, int64_t now)
{
	int64_t d = counted(c, now);

	if (!started(c))
		return c->mode != 0;
	switch (c->mode) {
	case 0:
	case 1: return d >= c->count;
	case 2: return !c->running || d % c->count != c->count - 1;
	case 3: return !c->running || d % c->count < (c->count + 1) / 2;
	default: return d != c->count; /* 4, 5: one clock low at terminal count */
	}
}

/* The counting element's value, in the counter's own number system. */
static uint16_t count_at(const struct pit_channel *c, int64_t now)
{
	int64_t d = counted(c, now), modulo = c->bcd ? BCD_MODULO : BIN_MODULO, v;

	if (!started(c))
		return c->written;
	if (c->mode == 2)
		v = c->count - d % c->count;
	else if (c->mode == 3)
		v = c->count - (2 * d) % c->count;
	else
		v = ((c->count - d) % modulo + modulo) % modulo;
	v %= modulo;
	return c->bcd ? bin_to_bcd((uint32_t)v) : (uint16_t)v;
}

/* The next d > now's at which OUT rises, or -1 if it never will. A
 * strobe (modes 4 and 5) counts until it is given, even when its tick is
 * already past: the clock moves on while an access is handled, and a
 * one-shot Linux programs for 76 us would otherwise be dropped if that
 * took longer (its tick then waits forever). */
static int64_t next_rise(const struct pit_channel *c, int64_t d)
{
	int64_t n = c->count;

	if (!started(c) || !c->running)
		return -1;
	switch (c->mode) {
	case 0:
	case 1: return d < n ? n : -1;
	case 2:
	case 3: return (d / n + 1) * n;
	default: return c->strobe_due ? n + 1 : -1;
	}
}

/* Whether counter 0 interrupts periodically, slowly enough for its
 * missed edges to be delivered late (see pit8254.h). */
static bool catches_up(const struct pit_channel *c)
{
	return (c->mode == 2 || c->mode == 3) && started(c) && c->running &&
	       ticks_to_ns(c->count) >= PIT_CATCHUP_MIN_PERIOD_NS;
}

/* Adds counter 0's rising edges since the last look to the backlog,
 * keeping at most PIT_CATCHUP_MAX_NS of them. */
static void count_rises(struct pit8254 *pit)
{
	struct pit_channel *c = &pit->ch[0];
	int64_t k, owed, max;

	if (!catches_up(c)) {
		pit->backlog = 0;
		return;
	}
	if (c->run_start != pit->rises_start) { /* a new count: none seen yet */
		pit->rises_start = c->run_start;
		pit->rises_seen = 0;
		pit->backlog = 0;
	}
	k = counted(c, now_ticks(pit)) / c->count;
	if (k <= pit->rises_seen)
		return;
	owed = (int64_t)pit->backlog + (k - pit->rises_seen);
	max = PIT_CATCHUP_MAX_NS / ticks_to_ns(c->count);
	if (owed > max) {
		pit->dropped += (uint64_t)(owed - max);
		owed = max;
	}
	pit->backlog = (uint32_t)owed;
	pit->rises_seen = k;
}

/* Counter 0: arms the timer for OUT's next rising edge, or for an owed
 * edge a quarter period from now when that is sooner; `again` when
 * re-arming from the timer itself, where the minimum gap applies. */
static void arm_irq_timer(struct pit8254 *pit, bool again)
{
	struct pit_channel *c = &pit->ch[0];
	int64_t now = now_ticks(pit), rise;
	int64_t deadline, earliest, soon;

	vtimer_cancel(&pit->timer);
	pit->catchup_armed = false;
	if (!pit->irq.set)
		return;
	rise = next_rise(c, counted(c, now));
	if (rise < 0)
		return;
	deadline = ticks_to_ns(c->run_start + (rise - c->elapsed));
	if (pit->backlog > 0 && !pit->holding && catches_up(c)) {
		soon = vclock_now(pit->clock) + ticks_to_ns(c->count) / 4;
		if (soon < deadline) {
			deadline = soon;
			pit->catchup_armed = true;
		}
	}
	earliest = again ? vclock_now(pit->clock) + MIN_EDGE_GAP_NS : 0;
	vtimer_arm(&pit->timer, deadline > earliest ? deadline : earliest);
}

/* Drives counter 0's line to OUT now, after any state change. */
static void sync_irq(struct pit8254 *pit, bool again)
{
	bool out = out_at(&pit->ch[0], now_ticks(pit));

	if (out != pit->ch[0].irq_level) {
		pit->ch[0].irq_level = out;
		irq_set(&pit->irq, out);
	}
	arm_irq_timer(pit, again);
}

/* The timer fires at a rising edge of OUT: the line falls (if the low
 * part was too short to be seen) and rises, so the PIC latches one edge. */
static void irq_timer_fired(void *opaque)
{
	struct pit8254 *pit = opaque;

	count_rises(pit);
	if (pit->backlog > 0 && pit->edge_waiting && pit->edge_waiting(pit->edge_waiting_opaque)) {
		/* The last edge is not taken (the guest has interrupts off, or
		 * IRQ 0 masked): this one stays owed until the next period. */
		pit->holding = true;
		sync_irq(pit, true);
		pit->holding = false;
		return;
	}
	if (pit->backlog > 0)
		pit->backlog--;
	if (pit->catchup_armed)
		pit->caught_up++;
	if (pit->ch[0].irq_level)
		irq_set(&pit->irq, 0);
	irq_set(&pit->irq, 1);
	pit->ch[0].strobe_due = false;
	pit->edges++;
	pit->last_edge_ns = vclock_now(pit->clock);
	pit->ch[0].irq_level = true;
	sync_irq(pit, true);
}

static void channel_changed(struct pit8254 *pit, struct pit_channel *c)
{
	if (c == &pit->ch[0])
		sync_irq(pit, false);
}

static void restart(struct pit_channel *c, int64_t now, bool running)
{
	c->elapsed = 0;
	c->run_start = now;
	c->running = running;
}

/* A whole count was written. */
static void load_count(struct pit_channel *c, int64_t now)
{
	uint32_t v = c->bcd ? bcd_to_bin(c->written) : c->written;

	if (v == 0)
		v = c->bcd ? BCD_MODULO : BIN_MODULO;
	if (v == 1 && (c->mode == 2 || c->mode == 3)) {
		log_guest("pit8254: count 1 in mode %u is not allowed; using 2", c->mode);
		v = 2;
	}
	c->count = v;
	c->loaded = true;
	c->strobe_due = c->mode == 4;
	if (waits_for_trigger(c))
		c->triggered = false;
	else
		restart(c, now, c->gate);
}

/* Before counter 2 changes: the speaker's sound up to now. */
static void ch2_changing(struct pit8254 *pit, const struct pit_channel *c)
{
	if (c == &pit->ch[2] && pit->ch2_changing)
		pit->ch2_changing(pit->ch2_opaque);
}

static void write_count(struct pit8254 *pit, struct pit_channel *c, uint8_t v)
{
	int64_t now = now_ticks(pit);

	ch2_changing(pit, c);
	switch (c->rw) {
	case 1: c->written = v; break;
	case 2: c->written = (uint16_t)(v << 8); break;
	default:
		if (!c->write_msb) {
			c->written = (c->written & 0xff00) | v;
			c->write_msb = true;
			/* Mode 0: the first byte stops the count (OUT stays low). */
			if (c->mode == 0)
				c->loaded = false;
			channel_changed(pit, c);
			return;
		}
		c->written = (uint16_t)((c->written & 0x00ff) | v << 8);
		c->write_msb = false;
		break;
	}
	load_count(c, now);
	if (c == &pit->ch[0]) {
		pit->loads++;
		pit->last_load_ns = vclock_now(pit->clock);
	}
	channel_changed(pit, c);
}

static uint8_t read_latched(struct pit_channel *c)
{
	bool msb = c->rw == 2 || (c->rw == 3 && c->latch_left == 1);

	c->latch_left--;
	return msb ? c->latch >> 8 : c->latch & 0xff;
}

static uint8_t read_count(struct pit8254 *pit, struct pit_channel *c)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left)
		return read_latched(c);
	v = count_at(c, now_ticks(pit));
	if (c->rw == 1)
		return v & 0xff;
	if (c->rw == 2)
		return v >> 8;
	c->read_msb = !c->read_msb;
	return c->read_msb ? v & 0xff : v >> 8;
}

/* A second latch before the first is read is ignored, as on the chip. */
static void latch_count(struct pit8254 *pit, struct pit_channel *c)
{
	if (c->latch_left)
		return;
	c->latch = count_at(c, now_ticks(pit));
	c->latch_left = c->rw == 3 ? 2 : 1;
}

static void latch_status(struct pit8254 *pit, struct pit_channel *c)
{
	if (c->status_latched)
		return;
	c->status = (out_at(c, now_ticks(pit)) ? ST_OUT : 0) | (started(c) ? 0 : ST_NULL) |
		    c->rw << 4 | c->mode << 1 | (c->bcd ? CW_BCD : 0);
	c->status_latched = true;
}

static void read_back(struct pit8254 *pit, uint8_t v)
{
	for (int i = 0; i < PIT_CHANNELS; i++) {
		if (!(v & (2 << i)))
			continue;
		if (!(v & RB_STATUS))
			latch_status(pit, &pit->ch[i]);
		if (!(v & RB_COUNT))
			latch_count(pit, &pit->ch[i]);
	}
}

/* A control word ends the count in progress: the counter waits for a new
 * count, with OUT low in mode 0 and high in the others. */
static void write_control(struct pit8254 *pit, uint8_t v)
{
	struct pit_channel *c = &pit->ch[(v & CW_SC) >> 6];
	uint8_t rw = (v >> 4) & 3, mode = (v >> 1) & 7;

	if ((v & CW_SC) == CW_SC) {
		read_back(pit, v);
		return;
	}
	if (rw == 0) {
		latch_count(pit, c);
		return;
	}
	ch2_changing(pit, c);
	c->rw = rw;
	c->mode = mode > 5 ? mode - 4 : mode; /* 6 and 7 are 2 and 3 */
	c->bcd = v & CW_BCD;
	c->write_msb = c->read_msb = false;
	c->loaded = c->triggered = c->running = c->strobe_due = false;
	c->elapsed = 0;
	if (c == &pit->ch[0])
		pit->backlog = 0; /* a new count owes nothing of the old */
	channel_changed(pit, c);
}

static uint8_t read_port(struct pit8254 *pit, uint64_t port)
{
	if (port >= PIT_CONTROL)
		return 0xff; /* the control word register is write-only */
	return read_count(pit, &pit->ch[port]);
}

static void write_port(struct pit8254 *pit, uint64_t port, uint8_t v)
{
	if (port == PIT_CONTROL)
		write_control(pit, v);
	else if (port < PIT_CONTROL)
		write_count(pit, &pit->ch[port], v);
}

/* Due timers run between the vCPU's slices, so a guest access can come
 * after counter 0's rising edge was due but before its timer ran. The edge
 * has happened in virtual time: it is delivered first, or the access (a
 * counter latch, say) would re-arm for OUT's next rise, cancelling it,
 * and a one-shot mode 4 would never interrupt (Linux's tick then waits
 * forever). */
static void deliver_due_edge(struct pit8254 *pit)
{
	if (pit->timer.armed && pit->timer.deadline <= vclock_now(pit->clock))
		irq_timer_fired(pit);
}

/* The chip has an 8-bit bus: a wider access is consecutive ports. */
static uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	deliver_due_edge(opaque);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_port(opaque, offset + i) << (8 * i);
	return v;
}

static void pit_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	deliver_due_edge(opaque);
	for (unsigned i = 0; i < size; i++)
		write_port(opaque, offset + i, (uint8_t)(value >> (8 * i)));
}

const struct io_ops pit8254_io_ops = {pit_read, pit_write};

/* GATE edges: modes 1 and 5 trigger, 2 and 3 reload; 0 and 4 only hold
 * the count while GATE is low (as 2 and 3 do, with OUT high). */
static void gate_edge(struct pit_channel *c, bool level, int64_t now)
{
	if (!c->loaded)
		return;
	if (level && (waits_for_trigger(c) || c->mode == 2 || c->mode == 3)) {
		c->triggered = true;
		c->strobe_due = c->mode == 5;
		restart(c, now, true);
	} else if (level && !waits_for_trigger(c)) {
		c->run_start = now;
		c->running = true;
	} else if (!waits_for_trigger(c)) {
		c->elapsed = counted(c, now);
		c->running = false;
	}
}

/* Drives counter ch's GATE. */
void pit8254_set_gate(struct pit8254 *pit, int ch, bool level)
{
	struct pit_channel *c;

	if (ch < 0 || ch >= PIT_CHANNELS)
		return;
	c = &pit->ch[ch];
	if (c->gate != level) {
		ch2_changing(pit, c);
		gate_edge(c, level, now_ticks(pit));
	}
	c->gate = level;
	channel_changed(pit, c);
}

/* Counter ch's OUT at the clock's present time. */
bool pit8254_out(struct pit8254 *pit, int ch)
{
	if (ch < 0 || ch >= PIT_CHANNELS)
		return false;
	return out_at(&pit->ch[ch], now_ticks(pit));
}

/* High ticks among d in [0, d) counted since the start, by mode (out_at's
 * shape: modes 0 and 1 rise at the count, 2 is low one tick a period, 3
 * high the first half (rounded up), 4 and 5 low one tick at the count). */
static int64_t high_before(const struct pit_channel *c, int64_t d)
{
	int64_t n = c->count, hi = (n + 1) / 2;

	if (d <= 0)
		return 0;
	switch (c->mode) {
	case 0:
	case 1: return d > n ? d - n : 0;
	case 2: return d - d / n;
	case 3: return d / n * hi + (d % n < hi ? d % n : hi);
	default: return d - (d > n ? 1 : 0);
	}
}

int64_t pit8254_out_high_ticks(struct pit8254 *pit, int ch, int64_t t0, int64_t t1)
{
	const struct pit_channel *c;

	if (ch < 0 || ch >= PIT_CHANNELS || t1 <= t0)
		return 0;
	c = &pit->ch[ch];
	if (!started(c) || !c->running)
		return out_at(c, t0) ? t1 - t0 : 0;
	/* Before run_start (a span that began a fraction of a tick before
	 * the count did), OUT is what it is at the start. */
	if (t0 < c->run_start) {
		int64_t pre = (t1 < c->run_start ? t1 : c->run_start) - t0;

		return (out_at(c, c->run_start) ? pre : 0) +
		       pit8254_out_high_ticks(pit, ch, t0 + pre, t1);
	}
	return high_before(c, counted(c, t1)) - high_before(c, counted(c, t0));
}

/* Allocates the timer, unprogrammed. */
struct pit8254 *pit8254_create(struct vclock *clock, struct irq_line irq0)
{
	struct pit8254 *pit = calloc(1, sizeof *pit);

	if (!pit)
		return NULL;
	pit->clock = clock;
	pit->irq = irq0;
	vtimer_init(&pit->timer, clock, irq_timer_fired, pit);
	pit8254_reset(pit);
	return pit;
}

/* Cancels counter 0's timer and frees. */
void pit8254_destroy(struct pit8254 *pit)
{
	if (!pit)
		return;
	vtimer_cancel(&pit->timer);
	free(pit);
}

/* The chip's state after power-on is undefined; this is "nothing
 * programmed": no counting, no timer, mode 0 with OUT low. GATE 0 and 1
 * are tied high on a PC; GATE 2 follows port 61h, which resets to 0. */
void pit8254_reset(struct pit8254 *pit)
{
	if (pit->ch2_changing)
		pit->ch2_changing(pit->ch2_opaque);
	for (int i = 0; i < PIT_CHANNELS; i++)
		pit->ch[i] = (struct pit_channel){.rw = 3, .gate = i != 2};
	pit->ch[0].irq_level = false;
	pit->backlog = 0;
	pit->catchup_armed = false;
	irq_set(&pit->irq, 0);
	vtimer_cancel(&pit->timer);
}

void pit8254_describe(const struct pit8254 *pit, char *s, size_t n)
{
	const struct pit_channel *c = &pit->ch[0];
	int64_t now = vclock_now(pit->clock);
	long long due = pit->timer.armed ? (long long)(pit->timer.deadline - now) : 0;

	snprintf(s, n,
		 "mode=%u count=%u loaded=%d running=%d out=%d timer=%s%lldns loads=%llu "
		 "(last %lldus ago) edges=%llu (last %lldus ago) owed=%u caught_up=%llu "
		 "dropped=%llu",
		 c->mode, c->count, c->loaded, c->running, c->irq_level,
		 pit->timer.armed ? "in " : "off ", due, (unsigned long long)pit->loads,
		 (long long)(now - pit->last_load_ns) / 1000, (unsigned long long)pit->edges,
		 (long long)(now - pit->last_edge_ns) / 1000, pit->backlog,
		 (unsigned long long)pit->caught_up, (unsigned long long)pit->dropped);
}

static void pit8254_dev_reset(void *dev)
{
	pit8254_reset(dev);
}

static void pit8254_dev_describe(const void *dev, char *buf, size_t len)
{
	pit8254_describe(dev, buf, len);
}

/* Save/restore, version 2: each counter's registers and its counting
 * state in PIT ticks of the domain's virtual clock (which a restore brings
 * back first, so the ticks mean the same), the `hv list -l` counts, then
 * (new in 2) counter 0's catch-up: the edges seen of its count, those
 * still owed and the caught-up and dropped counts. Counter 0's timer is
 * armed again from that state, not saved. Version 1 has no catch-up: a
 * restore from it owes nothing. */
static void channel_save(const struct pit_channel *c, struct state_out *o)
{
	const bool flags[] = {c->bcd,	    c->loaded,	  c->triggered, c->gate,
			      c->running,   c->write_msb, c->read_msb,	c->status_latched,
			      c->irq_level, c->strobe_due};

	state_put_u32(o, c->count);
	state_put_u16(o, c->written);
	state_put_u8(o, c->mode);
	state_put_u8(o, c->rw);
	state_put_u64(o, (uint64_t)c->elapsed);
	state_put_u64(o, (uint64_t)c->run_start);
	state_put_u16(o, c->latch);
	state_put_u8(o, c->latch_left);
	state_put_u8(o, c->status);
	for (size_t i = 0; i < sizeof flags; i++)
		state_put_bool(o, flags[i]);
}

/* Ticks far beyond any uptime (2^52 ticks: 119 years), so that the
 * arithmetic on them cannot overflow. */
#define TICKS_MAX ((int64_t)1 << 52)

static bool channel_valid(const struct pit_channel *c)
{
	uint32_t min = c->mode == 2 || c->mode == 3 ? 2 : 1;
	uint32_t max = c->bcd ? BCD_MODULO : BIN_MODULO;

	if (c->mode > 5 || c->rw < 1 || c->rw > 3 || c->latch_left > 2)
		return false;
	if (c->elapsed < 0 || c->elapsed > TICKS_MAX || c->run_start < 0 ||
	    c->run_start > TICKS_MAX)
		return false;
	return !c->loaded || (c->count >= min && c->count <= max);
}

static void channel_load(struct pit_channel *c, struct state_in *in)
{
	bool *flags[] = {&c->bcd,	&c->loaded,    &c->triggered, &c->gate,
			 &c->running,	&c->write_msb, &c->read_msb,  &c->status_latched,
			 &c->irq_level, &c->strobe_due};

	c->count = state_get_u32(in);
	c->written = state_get_u16(in);
	c->mode = state_get_u8(in);
	c->rw = state_get_u8(in);
	c->elapsed = (int64_t)state_get_u64(in);
	c->run_start = (int64_t)state_get_u64(in);
	c->latch = state_get_u16(in);
	c->latch_left = state_get_u8(in);
	c->status = state_get_u8(in);
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		*flags[i] = state_get_bool(in);
	if (!channel_valid(c))
		in->failed = true;
}

static void pit8254_dev_save(const void *dev, struct state_out *o)
{
	const struct pit8254 *pit = dev;

	for (int i = 0; i < PIT_CHANNELS; i++)
		channel_save(&pit->ch[i], o);
	state_put_u64(o, pit->loads);
	state_put_u64(o, pit->edges);
	state_put_u64(o, (uint64_t)pit->last_load_ns);
	state_put_u64(o, (uint64_t)pit->last_edge_ns);
	state_put_u64(o, (uint64_t)pit->rises_seen);
	state_put_u64(o, (uint64_t)pit->rises_start);
	state_put_u32(o, pit->backlog);
	state_put_u64(o, pit->caught_up);
	state_put_u64(o, pit->dropped);
}

/* Most edges ever owed: a second of the shortest period that catches up. */
#define BACKLOG_MAX (PIT_CATCHUP_MAX_NS / PIT_CATCHUP_MIN_PERIOD_NS)

/* Version 2's catch-up state into pit (validated first); with version 1,
 * nothing is owed and the edges of the count up to now count as seen. */
static int catchup_load(struct pit8254 *pit, struct state_in *in, uint32_t from)
{
	int64_t seen, start;
	uint32_t backlog;
	uint64_t caught_up, dropped;

	if (from < 2) {
		pit->backlog = 0;
		pit->rises_start = pit->ch[0].run_start;
		pit->rises_seen = catches_up(&pit->ch[0])
				      ? counted(&pit->ch[0], now_ticks(pit)) / pit->ch[0].count
				      : 0;
		return 0;
	}
	seen = (int64_t)state_get_u64(in);
	start = (int64_t)state_get_u64(in);
	backlog = state_get_u32(in);
	caught_up = state_get_u64(in);
	dropped = state_get_u64(in);
	if (in->failed || seen < 0 || seen > TICKS_MAX || start < 0 || start > TICKS_MAX ||
	    backlog > BACKLOG_MAX)
		return -1;
	pit->rises_seen = seen;
	pit->rises_start = start;
	pit->backlog = backlog;
	pit->caught_up = caught_up;
	pit->dropped = dropped;
	return 0;
}

static int pit8254_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct pit8254 *pit = dev;
	struct pit_channel ch[PIT_CHANNELS];
	struct pit8254 copy;
	uint64_t counts[2], times[2];

	for (int i = 0; i < PIT_CHANNELS; i++)
		channel_load(&ch[i], in);
	for (int i = 0; i < 2; i++)
		counts[i] = state_get_u64(in);
	for (int i = 0; i < 2; i++)
		times[i] = state_get_u64(in);
	copy = *pit;
	for (int i = 0; i < PIT_CHANNELS; i++)
		copy.ch[i] = ch[i];
	if (catchup_load(&copy, in, from) != 0 || !state_in_done(in))
		return -1;
	if (pit->ch2_changing)
		pit->ch2_changing(pit->ch2_opaque);
	for (int i = 0; i < PIT_CHANNELS; i++)
		pit->ch[i] = ch[i];
	pit->loads = counts[0];
	pit->edges = counts[1];
	pit->last_load_ns = (int64_t)times[0];
	pit->last_edge_ns = (int64_t)times[1];
	pit->rises_seen = copy.rises_seen;
	pit->rises_start = copy.rises_start;
	pit->backlog = copy.backlog;
	pit->caught_up = copy.caught_up;
	pit->dropped = copy.dropped;
	pit->holding = false;
	irq_set(&pit->irq, pit->ch[0].irq_level);
	arm_irq_timer(pit, false);
	return 0;
}

const struct device_ops pit8254_device_ops = {.reset = pit8254_dev_reset,
					      .describe = pit8254_dev_describe,
					      .version = 2,
					      .save = pit8254_dev_save,
					      .load = pit8254_dev_load};
