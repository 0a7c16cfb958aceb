#include "tui/column.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLEX_MIN 8
#define FLEX_MAX 32

void top_format_rate(double v, char *out, size_t len)
{
	static const char suffix[] = " kMGT";
	int i = 0;

	while (v >= 999.5 && i < 4) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(out, len, "%.0f", v);
	else
		snprintf(out, len, v < 9.95 ? "%.1f%c" : "%.0f%c", v, suffix[i]);
}

static bool live(const struct top_domain *d)
{
	return d->sampled && !d->gone;
}

static void f_name(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, "%s", d->name);
}

static void f_id(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, d->id >= 0 ? "%d" : "-", d->id);
}

static void f_state(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, "%s", d->state);
}

static void f_engine(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, "%s", d->engine[0] ? d->engine : "-");
}

static void f_vcpus(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, d->sampled ? "%d" : "-", d->vcpus);
}

static void f_mem(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, d->sampled ? "%d" : "-", d->mem);
}

static void f_cpu_pct(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, live(d) ? "%.1f" : "-", d->cpu_pct);
}

static void f_cpu_time(const struct top_domain *d, char *out, size_t len)
{
	snprintf(out, len, d->sampled ? "%.1f" : "-", d->cpu_time);
}

/* Instructions per second on the soft engine, exits per second on kvm. */
static void f_ops(const struct top_domain *d, char *out, size_t len)
{
	if (!live(d))
		snprintf(out, len, "-");
	else
		top_format_rate(strcmp(d->engine, "kvm") == 0 ? d->exit_rate : d->insn_rate, out,
				len);
}

static void f_uptime(const struct top_domain *d, char *out, size_t len)
{
	long s = (long)d->uptime;

	if (!d->sampled)
		snprintf(out, len, "-");
	else if (s >= 100 * 3600)
		snprintf(out, len, "%ldd%02ldh", s / 86400, s / 3600 % 24);
	else
		snprintf(out, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/* Disk bytes read and written per second, "R/W" (4 characters each at
 * most). */
static void f_disk(const struct top_domain *d, char *out, size_t len)
{
	char rd[16], wr[16];

	if (!live(d)) {
		snprintf(out, len, "-");
		return;
	}
	top_format_rate(d->disk_rd_rate, rd, sizeof rd);
	top_format_rate(d->disk_wr_rate, wr, sizeof wr);
	snprintf(out, len, "%s/%s", rd, wr);
}

static int cmp_num(double a, double b)
{
	return (a > b) - (a < b);
}

static int c_name(const struct top_domain *a, const struct top_domain *b)
{
	return strcmp(a->name, b->name);
}

static int c_id(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->id, b->id);
}

static int c_state(const struct top_domain *a, const struct top_domain *b)
{
	return strcmp(a->state, b->state);
}

static int c_engine(const struct top_domain *a, const struct top_domain *b)
{
	return strcmp(a->engine, b->engine);
}

static int c_vcpus(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->vcpus, b->vcpus);
}

static int c_mem(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->mem, b->mem);
}

static int c_cpu_pct(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->cpu_pct, b->cpu_pct);
}

static int c_cpu_time(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->cpu_time, b->cpu_time);
}

static int c_ops(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->insn_rate + a->exit_rate, b->insn_rate + b->exit_rate);
}

static int c_disk(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->disk_rd_rate + a->disk_wr_rate, b->disk_rd_rate + b->disk_wr_rate);
}

/* Network bytes per second received/sent by the guest, "-" without a
 * vif. */
static void f_net(const struct top_domain *d, char *out, size_t len)
{
	char rx[16], tx[16];

	if (!live(d) || !d->has_net) {
		snprintf(out, len, "-");
		return;
	}
	top_format_rate(d->net_rx_rate, rx, sizeof rx);
	top_format_rate(d->net_tx_rate, tx, sizeof tx);
	snprintf(out, len, "%s/%s", rx, tx);
}

static int c_net(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->net_rx_rate + a->net_tx_rate, b->net_rx_rate + b->net_tx_rate);
}

/* Sound: the volume or "mute", and the underruns so far; "-" without
 * audio. */
static void f_sound(const struct top_domain *d, char *out, size_t len)
{
	char vol[12];

	if (!live(d) || d->audio_volume < 0) {
		snprintf(out, len, "-");
		return;
	}
	if (d->audio_muted)
		snprintf(vol, sizeof vol, "mute");
	else
		snprintf(vol, sizeof vol, "%d", d->audio_volume);
	snprintf(out, len, "%s/%llu", vol, (unsigned long long)d->audio_underruns);
}

static int c_sound(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num((double)a->audio_underruns, (double)b->audio_underruns);
}

/* The JIT: blocks translated per second / the code buffer's fill; "-"
 * when it is off or the engine is kvm. */
static void f_jit(const struct top_domain *d, char *out, size_t len)
{
	char r[16];

	if (!live(d) || !d->has_jit) {
		snprintf(out, len, "-");
		return;
	}
	top_format_rate(d->jit_rate, r, sizeof r);
	snprintf(out, len, "%s/%.0f%%", r, d->jit_fill);
}

static int c_jit(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->jit_rate, b->jit_rate);
}

static int c_uptime(const struct top_domain *a, const struct top_domain *b)
{
	return cmp_num(a->uptime, b->uptime);
}

const struct top_column top_columns[] = {
    {"NAME", 0, true, "domain name", f_name, c_name},
    {"ID", 3, false, "domain ID", f_id, c_id},
    {"STATE", 8, true, "running blocked paused shutdown crashed dying, or gone", f_state, c_state},
    {"ENG", 4, true, "engine: soft or kvm", f_engine, c_engine},
    {"VCPU", 4, false, "virtual CPUs", f_vcpus, c_vcpus},
    {"MEM", 5, false, "memory in MiB", f_mem, c_mem},
    {"CPU%", 5, false, "host CPU use of the vCPUs over the last interval", f_cpu_pct, c_cpu_pct},
    {"CPU(s)", 7, false, "host CPU seconds used so far", f_cpu_time, c_cpu_time},
    {"OPS/s", 6, false, "guest instructions/s (soft) or VM exits/s (kvm)", f_ops, c_ops},
    {"UPTIME", 8, false, "time since the domain started", f_uptime, c_uptime},
    {"DSK R/W", 9, false, "disk I/O: bytes/s read/written (IDE, floppy, virtio-blk)", f_disk,
     c_disk},
    {"NET", 11, false, "network bytes/s the guest received/sent ('-': no vif)", f_net, c_net},
    {"SND", 8, false, "sound: volume or 'mute' / underruns so far ('-': no audio)", f_sound,
     c_sound},
    {"JIT", 9, false, "soft CPU: blocks translated/s / code buffer in use ('-': JIT off, kvm)",
     f_jit, c_jit},
};

const int top_ncolumns = sizeof top_columns / sizeof top_columns[0];

int top_column_flex_width(int cols)
{
	int used = 0;

	for (int i = 0; i < top_ncolumns; i++)
		used += top_columns[i].width + (i > 0);
	cols -= used;
	return cols < FLEX_MIN ? FLEX_MIN : cols > FLEX_MAX ? FLEX_MAX : cols;
}

/* qsort has no context argument: the column and order for one sort. */
static const struct top_column *sort_col;
static int sort_sign;

static int compare(const void *pa, const void *pb)
{
	const struct top_domain *a = *(struct top_domain *const *)pa;
	const struct top_domain *b = *(struct top_domain *const *)pb;
	int r = sort_col->compare(a, b);

	return sort_sign * (r ? r : strcmp(a->name, b->name));
}

void top_columns_sort(struct top_domains *ds, int col, bool reverse)
{
	sort_col = &top_columns[col];
	sort_sign = reverse ? -1 : 1;
	qsort(ds->v, (size_t)ds->n, sizeof ds->v[0], compare);
}
