#include "tui/sysinfo.h"

#include <stdio.h>
#include <string.h>

static bool read_cpu(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 4)
		return false;
	*total = 0;
	for (int i = 0; i < 8; i++)
		*total += v[i];
	*busy = *total - v[3] - v[4]; /* minus idle and iowait */
	return true;
}

static void read_mem(struct top_sysinfo *s)
{
	char line[256];
	unsigned long long kib, total = 0, avail = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "MemTotal: %llu", &kib) == 1)
			total = kib;
		else if (sscanf(line, "MemAvailable: %llu", &kib) == 1)
			avail = kib;
	}
	fclose(f);
	s->mem_total_mib = total / 1024.0;
	s->mem_used_mib = (total - (avail < total ? avail : total)) / 1024.0;
}

void top_sysinfo_update(struct top_sysinfo *s)
{
	unsigned long long busy, total;

	if (read_cpu(&busy, &total)) {
		if (s->valid && total > s->total)
			s->cpu_pct = 100.0 * (double)(busy - s->busy) / (double)(total - s->total);
		s->busy = busy;
		s->total = total;
		s->valid = true;
	}
	read_mem(s);
}
