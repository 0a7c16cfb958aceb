/* Motorola MC146818A, after its datasheet. The divider chain started at
 * phase_ns; second k after it ends at phase_ns + k s, when the time
 * registers show civil second epoch_secs + k. While updates are stopped
 * (SET, or the divider held in reset) the registers in cmos[] are the
 * time, as on the chip, and they are parsed back when updates resume.
 *
 * Differences from the chip: a change of data mode or hour format while
 * the clock runs converts the registers at once (they are formatted from
 * a count of seconds); daylight saving (DSE) and the square-wave output
 * are not modelled; divider settings other than "hold" all run at the
 * 32.768 kHz rate. */
#include "legacy/rtc146818.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define NS_PER_SEC 1000000000LL
#define RTC_HZ	   32768
/* UIP rises 244 us before the update, which lasts 1984 us; the registers
 * here change at its end. */
#define UPDATE_NS 2228000
/* Leaving divider reset, the first update comes half a second later. */
#define DIVIDER_RESTART_NS 500000000
/* An alarm pattern that matches at all matches within a day. */
#define ALARM_HORIZON 86400
#define INT_SOURCES   (RTC_C_PF | RTC_C_AF | RTC_C_UF)

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool divider_running(const struct rtc146818 *r)
{
	return (r->cmos[RTC_REG_A] & RTC_A_DV_HOLD) != RTC_A_DV_HOLD;
}

static bool updating(const struct rtc146818 *r)
{
	return divider_running(r) && !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

static int64_t sec_index(const struct rtc146818 *r, int64_t t)
{
	return floor_div(t - r->phase_ns, NS_PER_SEC);
}

static int64_t boundary_ns(const struct rtc146818 *r, int64_t k)
{
	return r->phase_ns + k * NS_PER_SEC;
}

/* The periodic interrupt's period in 32.768 kHz clocks, 0 for none;
 * rates 1 and 2 repeat 8 and 9, as the datasheet's table has it. */
static int64_t period_clocks(const struct rtc146818 *r)
{
	int rs = r->cmos[RTC_REG_A] & RTC_A_RS;

	if (rs == 0)
		return 0;
	return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
}

static int64_t period_index(const struct rtc146818 *r, int64_t t, int64_t period)
{
	int64_t clocks = (int64_t)((__int128)(t - r->phase_ns) * RTC_HZ / NS_PER_SEC);

	return t < r->phase_ns ? -1 : clocks / period;
}

static int64_t period_start_ns(const struct rtc146818 *r, int64_t index, int64_t period)
{
	__int128 clocks = (__int128)index * period;

	return r->phase_ns + (int64_t)((clocks * NS_PER_SEC + RTC_HZ - 1) / RTC_HZ);
}

static bool binary(const struct rtc146818 *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_DM;
}

static uint8_t enc(const struct rtc146818 *r, int v)
{
	return binary(r) ? (uint8_t)v : (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static int dec(const struct rtc146818 *r, uint8_t v)
{
	return binary(r) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t enc_hour(const struct rtc146818 *r, int h)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return enc(r, h);
	return enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static int dec_hour(const struct rtc146818 *r, uint8_t v)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return dec(r, v);
	return dec(r, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

static bool is_time_reg(const struct rtc146818 *r, unsigned idx)
{
	return (idx <= RTC_YEAR && idx != RTC_SECONDS_ALARM && idx != RTC_MINUTES_ALARM &&
		idx != RTC_HOURS_ALARM) ||
	       (r->century_reg && idx == r->century_reg);
}

/* Register idx as it reads at civil time tm. */
static uint8_t tm_reg(const struct rtc146818 *r, const struct tm *tm, unsigned idx)
{
	switch (idx) {
	case RTC_SECONDS: return enc(r, tm->tm_sec);
	case RTC_MINUTES: return enc(r, tm->tm_min);
	case RTC_HOURS: return enc_hour(r, tm->tm_hour);
	case RTC_DAY_OF_WEEK: return enc(r, (tm->tm_wday + r->dow_offset) % 7 + 1);
	case RTC_DAY_OF_MONTH: return enc(r, tm->tm_mday);
	case RTC_MONTH: return enc(r, tm->tm_mon + 1);
	case RTC_YEAR: return enc(r, (tm->tm_year + 1900) % 100);
	default: return enc(r, (tm->tm_year + 1900) / 100);
	}
}

static struct tm civil(int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm = {.tm_mday = 1, .tm_year = 70};

	if (!gmtime_r(&t, &tm))
		log_guest("rtc146818: time out of range");
	return tm;
}

/* The time registers in cmos[] become the time; returns it in seconds.
 * Nonsense (a month 13, BCD digits above 9) is normalised by timegm. */
static int64_t parse_time(struct rtc146818 *r)
{
	const uint8_t *c = r->cmos;
	int year = dec(r, c[RTC_YEAR]);
	struct tm tm = {0}, now;
	time_t s;

	year += r->century_reg ? 100 * dec(r, c[r->century_reg]) : (year < 70 ? 2000 : 1900);
	tm.tm_year = year - 1900;
	tm.tm_mon = dec(r, c[RTC_MONTH]) - 1;
	tm.tm_mday = dec(r, c[RTC_DAY_OF_MONTH]);
	tm.tm_hour = dec_hour(r, c[RTC_HOURS]);
	tm.tm_min = dec(r, c[RTC_MINUTES]);
	tm.tm_sec = dec(r, c[RTC_SECONDS]);
	if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		log_guest("rtc146818: time set to an invalid date; normalised");
	s = timegm(&tm);
	now = civil(s);
	r->dow_offset = ((dec(r, c[RTC_DAY_OF_WEEK]) - 1 - now.tm_wday) % 7 + 7) % 7;
	return s;
}

/* Civil seconds now, in whichever form the time is kept. */
static int64_t current_secs(struct rtc146818 *r, int64_t now)
{
	return updating(r) ? r->epoch_secs + sec_index(r, now) : parse_time(r);
}

/* Copies the running time into the registers (updates about to stop). */
static void freeze(struct rtc146818 *r, int64_t now)
{
	struct tm tm = civil(current_secs(r, now));

	for (unsigned i = 0; i < RTC_NVRAM_SIZE; i++)
		if (is_time_reg(r, i))
			r->cmos[i] = tm_reg(r, &tm, i);
}

/* Whether alarm register a leaves the field free or equals its value. */
static bool field_ok(const struct rtc146818 *r, const struct tm *tm, unsigned reg, unsigned alarm)
{
	uint8_t a = r->cmos[alarm];

	return (a & RTC_ALARM_ANY) == RTC_ALARM_ANY || tm_reg(r, tm, reg) == a;
}

/* The first second index in (k0, k0 + limit] whose update matches the
 * alarm, or -1. A mismatched hour or minute skips to the next one, so
 * this takes a couple of hundred steps at most. */
static int64_t alarm_after(const struct rtc146818 *r, int64_t k0, int64_t limit)
{
	if (limit > ALARM_HORIZON)
		limit = ALARM_HORIZON;
	for (int64_t k = k0 + 1; k <= k0 + limit;) {
		struct tm tm = civil(r->epoch_secs + k);
		if (!field_ok(r, &tm, RTC_HOURS, RTC_HOURS_ALARM))
			k += 3600 - tm.tm_min * 60 - tm.tm_sec;
		else if (!field_ok(r, &tm, RTC_MINUTES, RTC_MINUTES_ALARM))
			k += 60 - tm.tm_sec;
		else if (!field_ok(r, &tm, RTC_SECONDS, RTC_SECONDS_ALARM))
			k++;
		else
			return k;
	}
	return -1;
}

/* Latches the flags of every event in (checked_ns, now]. */
static void catch_up(struct rtc146818 *r, int64_t now)
{
	int64_t from = r->checked_ns, period = period_clocks(r);

	if (now <= from)
		return;
	if (divider_running(r) && period &&
	    period_index(r, now, period) > period_index(r, from, period))
		r->flags |= RTC_C_PF;
	if (updating(r)) {
		int64_t k0 = sec_index(r, from), k1 = sec_index(r, now);
		int64_t span = k1 - k0 < ALARM_HORIZON ? k1 - k0 : ALARM_HORIZON;
		if (k1 > k0)
			r->flags |= RTC_C_UF;
		if (k1 > k0 && alarm_after(r, k1 - span, span) >= 0)
			r->flags |= RTC_C_AF;
	}
	r->checked_ns = now;
}

static bool irqf(const struct rtc146818 *r)
{
	return r->flags & r->cmos[RTC_REG_B] & INT_SOURCES;
}

static void update_irq(struct rtc146818 *r)
{
	bool level = irqf(r);

	if (level != r->irq_level) {
		r->irq_level = level;
		irq_set(&r->irq, level);
	}
}

static int64_t earlier(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* One timer, for the soonest enabled interrupt whose flag is clear. */
static void arm(struct rtc146818 *r, int64_t now)
{
	uint8_t want = r->cmos[RTC_REG_B] & ~r->flags & INT_SOURCES;
	int64_t next = INT64_MAX, period = period_clocks(r), k = sec_index(r, now);

	vtimer_cancel(&r->timer);
	if (!r->irq.set)
		return;
	if ((want & RTC_C_PF) && divider_running(r) && period)
		next = period_start_ns(r, period_index(r, now, period) + 1, period);
	if ((want & RTC_C_UF) && updating(r))
		next = earlier(next, boundary_ns(r, k + 1));
	if ((want & RTC_C_AF) && updating(r)) {
		int64_t hit = alarm_after(r, k, ALARM_HORIZON);
		if (hit >= 0)
			next = earlier(next, boundary_ns(r, hit));
	}
	if (next != INT64_MAX)
		vtimer_arm(&r->timer, next);
}

static void timer_fired(void *opaque)
{
	struct rtc146818 *r = opaque;
	int64_t now = vclock_now(r->clock);

	catch_up(r, now);
	update_irq(r);
	arm(r, now);
}

/* Register A or B: the time survives a stop (in the registers) and a
 * restart (parsed back, in the format then in force). */
static void write_control(struct rtc146818 *r, unsigned idx, uint8_t v, int64_t now)
{
	int64_t s = current_secs(r, now);
	bool was = updating(r), div_was = divider_running(r);

	if (was)
		freeze(r, now);
	if (idx == RTC_REG_A) {
		r->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
	} else {
		if (v & RTC_B_SET)
			v &= ~RTC_B_UIE; /* the chip clears UIE while SET is 1 */
		r->cmos[RTC_REG_B] = v;
	}
	if (!div_was && divider_running(r)) {
		r->phase_ns = now - DIVIDER_RESTART_NS;
		r->checked_ns = now;
	}
	if (!was && updating(r))
		s = parse_time(r);
	if (updating(r))
		r->epoch_secs = s - sec_index(r, now);
}

/* A time register written while the clock runs: the chip carries on
 * counting from the new value at the next update. */
static void write_time(struct rtc146818 *r, unsigned idx, uint8_t v, int64_t now)
{
	if (!updating(r)) {
		r->cmos[idx] = v;
		return;
	}
	freeze(r, now);
	r->cmos[idx] = v;
	r->epoch_secs = parse_time(r) - sec_index(r, now);
}

static bool uip(const struct rtc146818 *r, int64_t now)
{
	return updating(r) && boundary_ns(r, sec_index(r, now) + 1) - now <= UPDATE_NS;
}

static uint8_t read_reg(struct rtc146818 *r, unsigned idx, int64_t now)
{
	uint8_t v;

	switch (idx) {
	case RTC_REG_A: return r->cmos[RTC_REG_A] | (uip(r, now) ? RTC_A_UIP : 0);
	case RTC_REG_C:
		v = r->flags | (irqf(r) ? RTC_C_IRQF : 0);
		r->flags = 0;
		return v;
	case RTC_REG_D: return RTC_D_VRT;
	default:
		if (is_time_reg(r, idx) && updating(r)) {
			struct tm tm = civil(current_secs(r, now));
			return tm_reg(r, &tm, idx);
		}
		return r->cmos[idx];
	}
}

static void write_reg(struct rtc146818 *r, unsigned idx, uint8_t v, int64_t now)
{
	if (idx == RTC_REG_A || idx == RTC_REG_B)
		write_control(r, idx, v, now);
	else if (idx == RTC_REG_C || idx == RTC_REG_D)
		log_guest("rtc146818: write %#x to read-only register %#x", v, idx);
	else if (is_time_reg(r, idx))
		write_time(r, idx, v, now);
	else
		r->cmos[idx] = v;
}

static uint8_t read_port(struct rtc146818 *r, uint64_t port)
{
	int64_t now = vclock_now(r->clock);
	uint8_t v;

	if (port != RTC_DATA_PORT)
		return 0xff; /* the index register is write-only */
	catch_up(r, now);
	v = read_reg(r, r->index, now);
	update_irq(r);
	arm(r, now);
	return v;
}

static void write_port(struct rtc146818 *r, uint64_t port, uint8_t v)
{
	int64_t now = vclock_now(r->clock);

	if (port == RTC_INDEX_PORT) {
		r->index = v & 0x7f;
		r->nmi_disabled = v & 0x80;
		return;
	}
	if (port != RTC_DATA_PORT)
		return;
	catch_up(r, now);
	write_reg(r, r->index, v, now);
	update_irq(r);
	arm(r, now);
}

/* An 8-bit part: a word write to the index port (OUT 70h, AX) selects the
 * register with AL and writes AH to it, as on a PC. */
static uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_port(opaque, offset + i) << (8 * i);
	return v;
}

static void rtc_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	for (unsigned i = 0; i < size; i++)
		write_port(opaque, offset + i, (uint8_t)(value >> (8 * i)));
}

const struct io_ops rtc146818_io_ops = {rtc_read, rtc_write};

/* Host time now, UTC or local, as civil seconds. */
int64_t rtc146818_host_time(bool localtime)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime || !localtime_r(&t, &tm))
		return (int64_t)t;
	return (int64_t)t + tm.tm_gmtoff;
}

/* Allocates the RTC at civil time start, 24-hour BCD, 1024 Hz rate. */
struct rtc146818 *rtc146818_create(struct vclock *clock, struct irq_line irq, int64_t start,
				   uint8_t century_reg)
{
	struct rtc146818 *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->clock = clock;
	r->irq = irq;
	r->century_reg = century_reg > RTC_REG_D && century_reg < RTC_NVRAM_SIZE ? century_reg : 0;
	vtimer_init(&r->timer, clock, timer_fired, r);
	r->cmos[RTC_REG_A] = RTC_A_DV_RUN | 0x06;
	r->cmos[RTC_REG_B] = RTC_B_24H;
	r->phase_ns = r->checked_ns = vclock_now(clock);
	r->epoch_secs = start;
	return r;
}

/* Cancels the timer and frees. */
void rtc146818_destroy(struct rtc146818 *rtc)
{
	if (!rtc)
		return;
	vtimer_cancel(&rtc->timer);
	free(rtc);
}

/* The RESET pin: PIE, AIE, UIE, SQWE and the flags clear. */
void rtc146818_reset(struct rtc146818 *rtc)
{
	int64_t now = vclock_now(rtc->clock);

	catch_up(rtc, now);
	rtc->cmos[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	rtc->flags = 0;
	update_irq(rtc);
	arm(rtc, now);
}

/* Seeds a RAM byte; the clock and control registers are not RAM. */
void rtc146818_nvram_write(struct rtc146818 *rtc, uint8_t index, uint8_t value)
{
	if (index > RTC_REG_D && index < RTC_NVRAM_SIZE)
		rtc->cmos[index] = value;
}

static void rtc146818_dev_reset(void *dev)
{
	rtc146818_reset(dev);
}

/* A guest that waits for the RTC's interrupt: which ones it enabled,
 * which flags wait to be read from register C. */
static void rtc146818_dev_describe(const void *dev, char *buf, size_t len)
{
	const struct rtc146818 *rtc = dev;

	snprintf(buf, len, "index=%02x nmi_off=%d a=%02x b=%02x c=%02x irq=%d timer=%s", rtc->index,
		 rtc->nmi_disabled, rtc->cmos[RTC_REG_A], rtc->cmos[RTC_REG_B], rtc->flags,
		 rtc->irq_level, rtc->timer.armed ? "on" : "off");
}

/* Save/restore, version 1: the CMOS RAM with the registers, the index,
 * the latched flags and the time base (civil seconds at a second boundary
 * of the domain's virtual clock, which a restore brings back first, so the
 * guest's time of day goes on from where it was). The century byte's
 * place is the board's, not the file's. */
static void rtc146818_dev_save(const void *dev, struct state_out *o)
{
	const struct rtc146818 *r = dev;

	state_put_bytes(o, r->cmos, sizeof r->cmos);
	state_put_u8(o, r->index);
	state_put_bool(o, r->nmi_disabled);
	state_put_u8(o, r->flags);
	state_put_bool(o, r->irq_level);
	state_put_u64(o, (uint64_t)r->phase_ns);
	state_put_u64(o, (uint64_t)r->epoch_secs);
	state_put_u64(o, (uint64_t)r->checked_ns);
	state_put_u8(o, (uint8_t)r->dow_offset);
}

/* Far enough for any clock (2^62 ns is 146 years) and for gmtime (2^40
 * seconds is 34,000 years), near enough that sums cannot overflow. */
#define NS_ABS_MAX   ((int64_t)1 << 62)
#define SECS_ABS_MAX ((int64_t)1 << 40)

static bool in_range(int64_t v, int64_t max)
{
	return v >= -max && v <= max;
}

static int rtc146818_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct rtc146818 *r = dev;
	struct rtc146818 c = *r;

	(void)from;
	state_get_bytes(in, c.cmos, sizeof c.cmos);
	c.index = state_get_u8(in);
	c.nmi_disabled = state_get_bool(in);
	c.flags = state_get_u8(in);
	c.irq_level = state_get_bool(in);
	c.phase_ns = (int64_t)state_get_u64(in);
	c.epoch_secs = (int64_t)state_get_u64(in);
	c.checked_ns = (int64_t)state_get_u64(in);
	c.dow_offset = state_get_u8(in);
	if (!state_in_done(in) || c.index >= RTC_NVRAM_SIZE || (c.flags & ~INT_SOURCES) ||
	    c.dow_offset > 6 || !in_range(c.phase_ns, NS_ABS_MAX) ||
	    !in_range(c.checked_ns, NS_ABS_MAX) || !in_range(c.epoch_secs, SECS_ABS_MAX))
		return -1;
	vtimer_cancel(&r->timer);
	*r = c;
	irq_set(&r->irq, r->irq_level);
	arm(r, vclock_now(r->clock));
	return 0;
}

const struct device_ops rtc146818_device_ops = {.reset = rtc146818_dev_reset,
						.describe = rtc146818_dev_describe,
						.version = 1,
						.save = rtc146818_dev_save,
						.load = rtc146818_dev_load};
