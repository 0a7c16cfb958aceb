#include "hv/domain/domain_save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hv/block/disk.h"
#include "hv/core/clock.h"
#include "hv/core/log.h"
#include "hv/core/savefile.h"
#include "hv/core/state.h"
#include "hv/core/vcpu_save.h"
#include "hv/domain/domain.h"
#include "hv/domain/vcpu.h"

#define CLOCK_VERSION	1
#define DISKS_VERSION	1
#define CONSOLE_VERSION 1
#define CONFIG_VERSION	1

/* ---- save ---- */

static int put_state(struct savefile_writer *w, const char *name, uint32_t version,
		     struct state_out *o, char *err, size_t errlen)
{
	int rc;

	if (o->failed) {
		snprintf(err, errlen, "%s: out of memory", name);
		state_out_free(o);
		return -1;
	}
	rc = savefile_put(w, name, version, o->p, o->len, err, errlen);
	state_out_free(o);
	return rc;
}

char *domain_config_text(struct domain *d, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	config_write(&d->cfg, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int save_config(struct domain *d, struct savefile_writer *w, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = domain_config_text(d, &len);
	int rc;

	if (!text || len > DOMAIN_SAVE_CONFIG_MAX) {
		free(text);
		snprintf(err, errlen, "cannot write the config into the save file");
		return -1;
	}
	rc = savefile_put(w, DOMAIN_SAVE_CONFIG, CONFIG_VERSION, text, len, err, errlen);
	free(text);
	return rc;
}

static int save_cpu(struct domain *d, struct savefile_writer *w, char *err, size_t errlen)
{
	struct vcpu_state st;
	struct state_out o = {0};

	if (!d->engine->vcpu_get_state || d->engine->vcpu_get_state(d->vcpu, &st, err, errlen) < 0)
		return -1;
	vcpu_state_put(&o, &st);
	return put_state(w, "cpu0", VCPU_SAVE_VERSION, &o, err, errlen);
}

/* Each disk's size: a restore checks that it finds the same disks. */
static int save_disks(struct domain *d, struct savefile_writer *w, char *err, size_t errlen)
{
	struct state_out o = {0};

	state_put_u32(&o, d->cfg.ndisks);
	for (unsigned i = 0; i < d->cfg.ndisks; i++)
		state_put_u64(&o, d->disks[i] ? d->disks[i]->size : UINT64_MAX);
	return put_state(w, "disks", DISKS_VERSION, &o, err, errlen);
}

/* The scrollback of each console port: what `hv console` shows after a
 * restore, as before the save. */
static int save_consoles(struct domain *d, struct savefile_writer *w, char *err, size_t errlen)
{
	static uint8_t buf[CONSOLE_RING_SIZE];

	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		struct console *con = &d->serial[i].console;
		uint64_t pos, lost = 0;
		size_t n;
		char name[SAVEFILE_NAME_MAX];

		if (!d->serial[i].present)
			continue;
		pos = console_tail(con);
		n = console_read(con, &pos, buf, sizeof buf, &lost);
		snprintf(name, sizeof name, "console.%u", i + 1);
		if (savefile_put(w, name, CONSOLE_VERSION, buf, n, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int domain_save_sections(struct domain *d, struct savefile_writer *w, bool with_ram, char *err,
			 size_t errlen)
{
	struct machine *m = &d->machine;
	struct state_out o = {0};

	state_put_u64(&o, (uint64_t)vclock_now(&m->clock));
	if (save_config(d, w, err, errlen) < 0 ||
	    put_state(w, "clock", CLOCK_VERSION, &o, err, errlen) < 0 ||
	    save_cpu(d, w, err, errlen) < 0 ||
	    (with_ram && savefile_put_ram_fd(w, "ram", m->mem.ram, m->mem.ram_size, m->mem.ram_fd,
					     err, errlen) < 0) ||
	    device_save_all(&m->devices, w, err, errlen) < 0 ||
	    domain_net_save(d, w, err, errlen) < 0 || save_disks(d, w, err, errlen) < 0)
		return -1;
	return save_consoles(d, w, err, errlen);
}

int domain_check_saveable(struct domain *d, char *err, size_t errlen)
{
	char missing[256];

	if (d->finished) {
		snprintf(err, errlen, "domain '%s' is %s", d->cfg.name, domain_state_name(d));
		return -1;
	}
	if (device_unsaveable(&d->machine.devices, missing, sizeof missing)) {
		snprintf(err, errlen, "cannot save domain '%s': no save/load support yet in: %s",
			 d->cfg.name, missing);
		return -1;
	}
	return 0;
}

int domain_save_then(struct domain *d, int fd, domain_save_then_fn *then, void *arg, char *err,
		     size_t errlen)
{
	struct machine *m = &d->machine;
	struct savefile_writer w;
	struct stat st;
	bool was_running;
	int rc = -1;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "a save file must be a regular file");
		return -1;
	}
	machine_lock_host(m);
	if (domain_check_saveable(d, err, errlen) == 0) {
		int64_t t0 = host_now_ns();

		vcpu_hold(d);
		was_running = m->clock.running;
		vclock_stop(&m->clock);
		domain_flush_output(d);
		rc = savefile_start(&w, fd, err, errlen) < 0 ||
			     domain_save_sections(d, &w, true, err, errlen) < 0 ||
			     savefile_finish(&w, err, errlen) < 0 ||
			     (then && then(d, arg, err, errlen) < 0)
			 ? -1
			 : 0;
		if (was_running)
			vclock_start(&m->clock);
		vcpu_release(d);
		if (rc == 0)
			log_info("saved: %llu bytes in %.3f s", (unsigned long long)w.off,
				 (double)(host_now_ns() - t0) / 1e9);
	}
	machine_unlock_host(m);
	return rc;
}

int domain_save(struct domain *d, int fd, char *err, size_t errlen)
{
	return domain_save_then(d, fd, NULL, NULL, err, errlen);
}

/* ---- restore ---- */

/* A section's bytes, which must be there with a version from 1 to
 * *version (set to the section's). */
static int load(const struct savefile_reader *r, const char *name, uint32_t *version, size_t max,
		uint8_t **out, size_t *len, char *err, size_t errlen)
{
	const struct savefile_section *s = savefile_find(r, name);

	if (!s) {
		snprintf(err, errlen, "the save file has no '%s' section", name);
		return -1;
	}
	if (s->version < 1 || s->version > *version) {
		snprintf(err, errlen,
			 "the save file's '%s' section is version %u; this hv reads 1 to %u", name,
			 s->version, *version);
		return -1;
	}
	*version = s->version;
	*len = (size_t)s->length;
	return savefile_load(r, s, max, out, err, errlen);
}

static int restore_clock(struct domain *d, const struct savefile_reader *r, char *err,
			 size_t errlen)
{
	uint8_t *b;
	size_t n;
	struct state_in in;
	int64_t ns;
	uint32_t version = CLOCK_VERSION;

	if (load(r, "clock", &version, 64, &b, &n, err, errlen) < 0)
		return -1;
	in = state_in_make(b, n);
	ns = (int64_t)state_get_u64(&in);
	if (!state_in_done(&in) || vclock_restore(&d->machine.clock, ns) < 0) {
		free(b);
		snprintf(err, errlen, "the save file's clock is not valid");
		return -1;
	}
	free(b);
	return 0;
}

static int restore_cpu(struct domain *d, const struct savefile_reader *r, char *err, size_t errlen)
{
	struct vcpu_state st;
	struct state_in in;
	uint8_t *b;
	size_t n;
	int rc;
	uint32_t version = VCPU_SAVE_VERSION; /* older versions load too */

	if (load(r, "cpu0", &version, 4096, &b, &n, err, errlen) < 0)
		return -1;
	in = state_in_make(b, n);
	rc = vcpu_state_get(&in, version, &st);
	free(b);
	if (rc < 0) {
		snprintf(err, errlen, "the save file's CPU state is not valid");
		return -1;
	}
	if (!d->engine->vcpu_set_state) {
		snprintf(err, errlen, "the %s engine cannot load a CPU state", d->engine->name);
		return -1;
	}
	if (vcpu_apic_in_use(&st.apic) && !d->machine.apic) {
		snprintf(err, errlen,
			 "the guest uses its local APIC, which the %s engine here does not have: "
			 "restore it on the KVM engine with its in-kernel irqchip",
			 d->engine->name);
		return -1;
	}
	return d->engine->vcpu_set_state(d->vcpu, &st, err, errlen);
}

/* The save file's pages into RAM that is all hole: with pwrite (no page
 * fault per page), except where the host gives RAM huge pages: under
 * shmem_enabled "advise" only pages first touched through the mapping
 * get them (one fault per 2 MiB), and pages written with pwrite would
 * stay 4 KiB for KVM. */
static int load_ram_into_hole(struct guest_mem *mem, const struct savefile_reader *r,
			      const struct savefile_section *s, char *err, size_t errlen)
{
	if (mem->ram_pages.page_size == RAM_PAGES_HUGE)
		return savefile_get_ram_over_zeros(r, s, mem->ram, mem->ram_size, err, errlen);
	return savefile_get_ram_to_fd(r, s, mem->ram_fd, mem->ram_size, err, errlen);
}

static int restore_ram(struct domain *d, const struct savefile_reader *r, char *err, size_t errlen)
{
	const struct savefile_section *s = savefile_find(r, "ram");
	struct guest_mem *mem = &d->machine.mem;

	if (!s) {
		snprintf(err, errlen, "the save file has no 'ram' section");
		return -1;
	}
	if (savefile_check_ram(r, s, mem->ram_size, err, errlen) < 0)
		return -1;
	/* RAM all zeros again, its pages given back, without touching them
	 * (what the kernel loader wrote goes); memset where a hole cannot be
	 * punched. */
	if (fallocate(mem->ram_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      (off_t)mem->ram_size) == 0) {
		if (load_ram_into_hole(mem, r, s, err, errlen) < 0)
			return -1;
	} else if (savefile_get_ram(r, s, mem->ram, mem->ram_size, err, errlen) < 0) {
		return -1;
	}
	/* Anything cached from the RAM the kernel loader wrote is stale. */
	mem_mark_written(mem, 0, mem->ram_size);
	return 0;
}

static int restore_disks(struct domain *d, const struct savefile_reader *r, char *err,
			 size_t errlen)
{
	struct state_in in;
	uint8_t *b;
	size_t n;
	uint32_t count;
	uint32_t version = DISKS_VERSION;

	if (load(r, "disks", &version, 4096, &b, &n, err, errlen) < 0)
		return -1;
	in = state_in_make(b, n);
	count = state_get_max(&in, DISKS_MAX);
	if (!in.failed && count != d->cfg.ndisks) {
		free(b);
		snprintf(err, errlen, "the save file is of a domain with %u disks; this one has %u",
			 count, d->cfg.ndisks);
		return -1;
	}
	for (uint32_t i = 0; i < count && !in.failed; i++) {
		uint64_t size = state_get_u64(&in);
		uint64_t now = d->disks[i] ? d->disks[i]->size : UINT64_MAX;

		if (!in.failed && size != now) {
			free(b);
			snprintf(err, errlen,
				 "disk %u: the save file's disk was %llu bytes; %s is %llu", i,
				 (unsigned long long)size, d->cfg.disks[i].target,
				 (unsigned long long)now);
			return -1;
		}
	}
	free(b);
	if (!state_in_done(&in)) {
		snprintf(err, errlen, "the save file's disk list is not valid");
		return -1;
	}
	return 0;
}

static int restore_consoles(struct domain *d, const struct savefile_reader *r, char *err,
			    size_t errlen)
{
	for (unsigned i = 0; i < DOMAIN_CONSOLE_PORTS; i++) {
		char name[SAVEFILE_NAME_MAX];
		const struct savefile_section *s;
		uint8_t *b;

		snprintf(name, sizeof name, "console.%u", i + 1);
		s = savefile_find(r, name);
		if (!s || !d->serial[i].present)
			continue; /* scrollback is a nicety: a port added or removed */
		if (s->version != CONSOLE_VERSION) {
			snprintf(err, errlen, "the save file's '%s' section is version %u", name,
				 s->version);
			return -1;
		}
		if (savefile_load(r, s, CONSOLE_RING_SIZE, &b, err, errlen) < 0)
			return -1;
		console_output(&d->serial[i].console, b, (size_t)s->length);
		free(b);
	}
	return 0;
}

int domain_saved_config(const struct savefile_reader *r, const char *file,
			struct domain_config *cfg, char *err, size_t errlen)
{
	const struct savefile_section *s = savefile_find(r, DOMAIN_SAVE_CONFIG);
	uint8_t *text;
	int rc;

	if (!s) {
		snprintf(err, errlen, "the save file has no config section");
		return -1;
	}
	if (s->version != CONFIG_VERSION) {
		snprintf(err, errlen, "the save file's config is version %u; this hv reads %u",
			 s->version, CONFIG_VERSION);
		return -1;
	}
	if (savefile_load(r, s, DOMAIN_SAVE_CONFIG_MAX, &text, err, errlen) < 0)
		return -1;
	rc = domain_config_from_text((char *)text, (size_t)s->length, file, cfg, err, errlen);
	free(text);
	return rc;
}

int domain_config_from_text(char *text, size_t len, const char *origin, struct domain_config *cfg,
			    char *err, size_t errlen)
{
	if (len == 0 || memchr(text, '\0', len) || text[len - 1] != '\n') {
		snprintf(err, errlen, "the config is not text");
		return -1;
	}
	text[len - 1] = '\0';
	config_defaults(cfg);
	snprintf(cfg->file, sizeof cfg->file, "%s", origin);
	return config_parse(text, origin, cfg, err, errlen);
}

int domain_restore(struct domain *d, const struct savefile_reader *r, char *err, size_t errlen)
{
	return domain_load_sections(d, r, true, err, errlen);
}

int domain_load_sections(struct domain *d, const struct savefile_reader *r, bool with_ram,
			 char *err, size_t errlen)
{
	struct machine *m = &d->machine;
	int64_t t[6];
	int rc;

	t[0] = host_now_ns();
	if (restore_disks(d, r, err, errlen) < 0 || restore_clock(d, r, err, errlen) < 0)
		return -1;
	t[1] = host_now_ns();
	if ((with_ram && restore_ram(d, r, err, errlen) < 0))
		return -1;
	t[2] = host_now_ns();
	if (restore_cpu(d, r, err, errlen) < 0)
		return -1;
	t[3] = host_now_ns();
	pthread_mutex_lock(&m->lock);
	rc = device_load_all(&m->devices, r, err, errlen);
	pthread_mutex_unlock(&m->lock);
	t[4] = host_now_ns();
	if (rc < 0 || domain_net_restore(d, r, err, errlen) < 0)
		return -1;
	if (restore_consoles(d, r, err, errlen) < 0)
		return -1;
	t[5] = host_now_ns();
	log_info("restored at guest time %.3f s in %.1f ms (disks and clock %.1f, RAM %.1f, "
		 "CPU %.1f, devices %.1f, network and consoles %.1f)",
		 (double)vclock_now(&m->clock) / 1e9, (double)(t[5] - t[0]) / 1e6,
		 (double)(t[1] - t[0]) / 1e6, (double)(t[2] - t[1]) / 1e6,
		 (double)(t[3] - t[2]) / 1e6, (double)(t[4] - t[3]) / 1e6,
		 (double)(t[5] - t[4]) / 1e6);
	return 0;
}
