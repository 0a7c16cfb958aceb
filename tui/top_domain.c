#include "tui/top_domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/core/runtime.h"

#define CONNECT_TIMEOUT_MS 250
#define INFO_TIMEOUT_MS	   250
#define REQUEST_TIMEOUT_MS 2000
#define RETRY_MS	   3000 /* back-off after a domain failed to answer */

long top_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

struct top_domain *top_domains_find(const struct top_domains *ds, const char *name)
{
	for (int i = 0; i < ds->n; i++)
		if (strcmp(ds->v[i]->name, name) == 0)
			return ds->v[i];
	return NULL;
}

static struct top_domain *add(struct top_domains *ds, const char *name)
{
	struct top_domain *d;

	if (ds->n == TOP_MAX_DOMAINS || !(d = calloc(1, sizeof *d)))
		return NULL;
	snprintf(d->name, sizeof d->name, "%.*s", (int)sizeof d->name - 1, name);
	snprintf(d->state, sizeof d->state, "?");
	d->ctl.fd = -1;
	d->id = -1;
	d->console.fd = -1;
	d->console.ended = true;
	if (!ds->no_console)
		top_console_open(&d->console, name);
	ds->v[ds->n++] = d;
	return d;
}

void top_domains_forget(struct top_domains *ds, struct top_domain *d)
{
	for (int i = 0; i < ds->n; i++) {
		if (ds->v[i] != d)
			continue;
		memmove(&ds->v[i], &ds->v[i + 1], (size_t)(ds->n - i - 1) * sizeof ds->v[0]);
		ds->n--;
		break;
	}
	ctl_close(&d->ctl);
	top_console_close(&d->console);
	free(d);
}

void top_domains_free(struct top_domains *ds)
{
	while (ds->n > 0)
		top_domains_forget(ds, ds->v[ds->n - 1]);
}

static long get_long(const char *reply, const char *key)
{
	char v[64];

	return kv_get(reply, key, v, sizeof v) ? atol(v) : 0;
}

static double get_double(const char *reply, const char *key)
{
	char v[64];

	return kv_get(reply, key, v, sizeof v) ? atof(v) : 0;
}

static uint64_t get_u64(const char *reply, const char *key)
{
	char v[64];

	return kv_get(reply, key, v, sizeof v) ? strtoull(v, NULL, 10) : 0;
}

/* A rate per second from two counter samples; 0 after a reset. */
static double rate(double now, double before, double seconds)
{
	return now > before && seconds > 0 ? (now - before) / seconds : 0;
}

/* The JIT's keys: the translation rate over the last interval (dt
 * seconds) and the code buffer's fill. */
static void apply_jit(struct top_domain *d, const char *reply, double dt)
{
	uint64_t blocks = get_u64(reply, "jit_blocks"), size = get_u64(reply, "jit_code_size");
	bool had = d->has_jit;

	d->has_jit = kv_get(reply, "jit_blocks", NULL, 0);
	d->jit_rate = d->sampled && had ? rate((double)blocks, (double)d->jit_blocks, dt) : 0;
	d->jit_blocks = blocks;
	d->jit_fill = size ? 100.0 * (double)get_u64(reply, "jit_code_bytes") / (double)size : 0;
}

static void apply_info(struct top_domain *d, const char *reply, long now)
{
	double dt = (now - d->sample_ms) / 1000.0, cpu = get_double(reply, "cpu_time");
	uint64_t insns = get_u64(reply, "insns"), exits = get_u64(reply, "exits");
	uint64_t rd = get_u64(reply, "disk_read_bytes"), wr = get_u64(reply, "disk_written_bytes");
	uint64_t rx = get_u64(reply, "net_rx_bytes"), tx = get_u64(reply, "net_tx_bytes");
	char v[32];

	if (d->sampled) {
		d->cpu_pct = 100 * rate(cpu, d->cpu_time, dt);
		d->insn_rate = rate((double)insns, (double)d->insns, dt);
		d->exit_rate = rate((double)exits, (double)d->exits, dt);
		d->disk_rd_rate = rate((double)rd, (double)d->disk_rd, dt);
		d->disk_wr_rate = rate((double)wr, (double)d->disk_wr, dt);
		d->net_rx_rate = rate((double)rx, (double)d->net_rx, dt);
		d->net_tx_rate = rate((double)tx, (double)d->net_tx, dt);
	}
	apply_jit(d, reply, dt);
	d->disk_rd = rd;
	d->disk_wr = wr;
	d->has_net = kv_get(reply, "net_rx_bytes", v, sizeof v);
	d->net_rx = rx;
	d->net_tx = tx;
	d->cpu_time = cpu;
	d->insns = insns;
	d->exits = exits;
	d->id = (int)get_long(reply, "id");
	d->pid = (int)get_long(reply, "pid");
	d->mem = (int)get_long(reply, "mem");
	d->vcpus = (int)get_long(reply, "vcpus");
	d->uptime = get_double(reply, "uptime");
	kv_get(reply, "state", d->state, sizeof d->state);
	kv_get(reply, "engine", d->engine, sizeof d->engine);
	kv_get(reply, "log", d->log, sizeof d->log);
	d->audio_volume =
	    kv_get(reply, "audio_volume", NULL, 0) ? (int)get_long(reply, "audio_volume") : -1;
	d->audio_muted = get_long(reply, "audio_muted") != 0;
	d->audio_underruns = get_u64(reply, "audio_underruns");
	d->sampled = true;
	d->sample_ms = now;
}

static int connect_ctl(struct top_domain *d)
{
	char err[256];

	return ctl_open(&d->ctl, d->name, CONNECT_TIMEOUT_MS, err, sizeof err);
}

/* One retry at once: a signal (a resize) may have cut the first call. */
static void poll_info(struct top_domain *d)
{
	char reply[CTL_LINE_MAX];
	long now = top_now_ms();

	if (now < d->retry_ms)
		return;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (d->ctl.fd < 0 && connect_ctl(d) < 0)
			break;
		if (ctl_call_timeout(&d->ctl, "info", reply, sizeof reply, INFO_TIMEOUT_MS) == 0) {
			apply_info(d, reply, top_now_ms());
			return;
		}
		ctl_close(&d->ctl);
	}
	d->retry_ms = now + RETRY_MS;
	snprintf(d->state, sizeof d->state, "no reply");
}

static void mark_gone(struct top_domain *d)
{
	if (d->gone)
		return;
	d->gone = true;
	snprintf(d->state, sizeof d->state, "gone");
	d->cpu_pct = d->insn_rate = d->exit_rate = 0;
	d->disk_rd_rate = d->disk_wr_rate = 0;
	ctl_close(&d->ctl);
}

static void scan(struct top_domains *ds, char names[][RUNTIME_NAME_MAX], int n)
{
	for (int i = 0; i < ds->n; i++)
		ds->v[i]->listed = false;
	for (int i = 0; i < n; i++) {
		struct top_domain *d = top_domains_find(ds, names[i]);
		if (d && d->gone) {
			top_domains_forget(ds, d); /* a new domain took the name */
			d = NULL;
		}
		if (!d)
			d = add(ds, names[i]);
		if (d)
			d->listed = true;
	}
}

int top_domains_refresh(struct top_domains *ds, char *err, size_t errlen)
{
	static char names[TOP_MAX_DOMAINS][RUNTIME_NAME_MAX];
	int n = runtime_list(names, TOP_MAX_DOMAINS, err, errlen);

	if (n < 0)
		return -1;
	scan(ds, names, n);
	for (int i = 0; i < ds->n; i++) {
		if (ds->v[i]->listed)
			poll_info(ds->v[i]);
		else
			mark_gone(ds->v[i]);
	}
	return 0;
}

int top_domain_request(struct top_domain *d, const char *request, char *err, size_t errlen)
{
	char reply[CTL_LINE_MAX];

	if (d->gone) {
		snprintf(err, errlen, "%s is gone", d->name);
		return -1;
	}
	if (d->ctl.fd < 0 && ctl_open(&d->ctl, d->name, REQUEST_TIMEOUT_MS, err, errlen) < 0)
		return -1;
	if (ctl_call_timeout(&d->ctl, request, reply, sizeof reply, REQUEST_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "%s: %s: %s", d->name, request, reply);
		if (strstr(reply, "connection"))
			ctl_close(&d->ctl);
		return -1;
	}
	/* As xl destroy does, return once the domain is gone: it closes this
	 * connection after removing its socket. */
	while (strcmp(request, "destroy") == 0 &&
	       ctl_read_line(&d->ctl, reply, sizeof reply, REQUEST_TIMEOUT_MS) >= 0)
		;
	d->retry_ms = 0;
	return 0;
}
