#include "tui/top_batch.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "hv/cli/cmd.h"
#include "tui/column.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (!stop && nanosleep(&ts, &ts) < 0)
		;
}

/* The name column is as wide as the longest name (at least its title). */
static int name_width(const struct top_domains *ds)
{
	int w = 4;

	for (int i = 0; i < ds->n; i++) {
		int n = (int)strlen(ds->v[i]->name);
		w = n > w ? n : w;
	}
	return w;
}

/* One text frame: the columns of the interactive list, a header line and
 * a row per domain, as xentop -b prints them. */
static void print_text(const struct top_domains *ds, FILE *out)
{
	int flex = name_width(ds);
	char cell[128];

	for (int c = 0; c < top_ncolumns; c++) {
		const struct top_column *col = &top_columns[c];
		int w = col->width ? col->width : flex;
		fprintf(out, "%s%*s", c ? " " : "", col->left ? -w : w, col->title);
	}
	fputc('\n', out);
	for (int i = 0; i < ds->n; i++) {
		for (int c = 0; c < top_ncolumns; c++) {
			const struct top_column *col = &top_columns[c];
			int w = col->width ? col->width : flex;
			col->format(ds->v[i], cell, sizeof cell);
			fprintf(out, "%s%*s", c ? " " : "", col->left ? -w : w, cell);
		}
		fputc('\n', out);
	}
}

#define CSV_HEADER                                                                                 \
	"time,name,id,state,engine,vcpus,mem_mib,cpu_pct,cpu_seconds,insns_per_s,exits_per_s,"     \
	"uptime_s\n"

/* One CSV row per domain, numbers unscaled; names are [A-Za-z0-9_.-], so
 * no field needs quoting. */
static void print_csv(const struct top_domains *ds, FILE *out)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < ds->n; i++) {
		const struct top_domain *d = ds->v[i];
		fprintf(out, "%lld.%03ld,%s,%d,%s,%s,%d,%d,%.1f,%.2f,%.0f,%.0f,%.1f\n",
			(long long)now.tv_sec, now.tv_nsec / 1000000, d->name, d->id, d->state,
			d->engine[0] ? d->engine : "-", d->vcpus, d->mem, d->cpu_pct, d->cpu_time,
			d->insn_rate, d->exit_rate, d->uptime);
	}
}

/* Drops the domains that are gone: a batch frame lists the living. */
static void forget_gone(struct top_domains *ds)
{
	for (int i = ds->n - 1; i >= 0; i--)
		if (ds->v[i]->gone)
			top_domains_forget(ds, ds->v[i]);
}

int top_batch_run(const struct top_batch_opts *o, FILE *out)
{
	static struct top_domains ds;
	char err[256];
	int status = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ds = (struct top_domains){.no_console = true};
	if (top_domains_refresh(&ds, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	if (o->csv)
		fputs(CSV_HEADER, out);
	for (int frame = 0; !stop && (o->iterations == 0 || frame < o->iterations); frame++) {
		sleep_ms(o->interval_ms);
		if (stop)
			break;
		if (top_domains_refresh(&ds, err, sizeof err) < 0) {
			cmd_error("%s", err);
			status = 1;
			break;
		}
		forget_gone(&ds);
		top_columns_sort(&ds, 0, false);
		if (o->csv)
			print_csv(&ds, out);
		else
			print_text(&ds, out);
		if (fflush(out) != 0 || ferror(out))
			break; /* the reader went away */
	}
	top_domains_free(&ds);
	return status;
}
