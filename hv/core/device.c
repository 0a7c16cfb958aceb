#include "hv/core/device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/clock.h"
#include "hv/core/kv.h"
#include "hv/core/log.h"
#include "hv/core/savefile.h"
#include "hv/core/state.h"

static int grow(struct device_registry *r)
{
	size_t cap = r->cap ? r->cap * 2 : 16;
	struct device_entry *v = realloc(r->v, cap * sizeof *v);

	if (!v)
		return -1;
	r->v = v;
	r->cap = cap;
	return 0;
}

int device_register(struct device_registry *r, const char *name, const struct device_ops *ops,
		    void *dev, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (len == 0 || len >= DEVICE_NAME_MAX) {
		snprintf(err, errlen, "device name '%s' is empty or too long", name);
		return -1;
	}
	if (device_find(r, name)) {
		snprintf(err, errlen, "two devices named '%s'", name);
		return -1;
	}
	if (r->n == r->cap && grow(r) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->v[r->n] = (struct device_entry){.ops = ops, .dev = dev};
	memcpy(r->v[r->n].name, name, len + 1);
	r->n++;
	return 0;
}

void *device_find(const struct device_registry *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return r->v[i].dev;
	return NULL;
}

void device_reset_all(const struct device_registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].ops->reset)
			r->v[i].ops->reset(r->v[i].dev);
}

void device_describe_all(const struct device_registry *r, char *buf, size_t len)
{
	char s[1024];

	for (size_t i = 0; i < r->n; i++) {
		s[0] = '\0';
		if (r->v[i].ops->describe)
			r->v[i].ops->describe(r->v[i].dev, s, sizeof s);
		kv_put(buf, len, r->v[i].name, s);
	}
}

void device_registry_free(struct device_registry *r)
{
	free(r->v);
	*r = (struct device_registry){0};
}

#define SECTION_PREFIX "dev."

static void section_name(char *out, const char *dev)
{
	snprintf(out, SAVEFILE_NAME_MAX, SECTION_PREFIX "%s", dev);
}

size_t device_unsaveable(const struct device_registry *r, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < r->n; i++) {
		const struct device_ops *ops = r->v[i].ops;
		size_t at = strlen(buf);

		if (ops->save || ops->stateless)
			continue;
		snprintf(buf + at, len - at, "%s%s", n ? " " : "", r->v[i].name);
		n++;
	}
	return n;
}

int device_save_all(const struct device_registry *r, struct savefile_writer *w, char *err,
		    size_t errlen)
{
	char name[SAVEFILE_NAME_MAX], missing[256];
	size_t n = device_unsaveable(r, missing, sizeof missing);

	if (n) {
		snprintf(err, errlen, "cannot save: %s %s no save/load support yet",
			 n == 1 ? "device" : "devices", missing);
		return -1;
	}

	for (size_t i = 0; i < r->n; i++) {
		const struct device_entry *e = &r->v[i];
		struct state_out o = {0};
		int rc;

		if (!e->ops->save)
			continue;
		e->ops->save(e->dev, &o);
		if (o.failed) {
			state_out_free(&o);
			snprintf(err, errlen, "%s: its state does not fit a save file", e->name);
			return -1;
		}
		section_name(name, e->name);
		rc = savefile_put(w, name, e->ops->version, o.p, o.len, err, errlen);
		state_out_free(&o);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static const struct device_entry *entry(const struct device_registry *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

/* Every section and every device match up, before anything is loaded. */
static int check_sections(const struct device_registry *r, const struct savefile_reader *rd,
			  char *err, size_t errlen)
{
	char name[SAVEFILE_NAME_MAX];

	for (size_t i = 0; i < rd->n; i++) {
		const char *s = rd->s[i].name;
		const struct device_entry *e;

		if (strncmp(s, SECTION_PREFIX, strlen(SECTION_PREFIX)) != 0)
			continue;
		e = entry(r, s + strlen(SECTION_PREFIX));
		if (!e || !e->ops->load) {
			snprintf(err, errlen,
				 "the save file has state for a device '%s' this "
				 "domain lacks",
				 s + strlen(SECTION_PREFIX));
			return -1;
		}
		if (rd->s[i].version == 0 || rd->s[i].version > e->ops->version) {
			snprintf(err, errlen, "%s: state version %u; this hv reads 1 to %u",
				 e->name, rd->s[i].version, e->ops->version);
			return -1;
		}
	}
	for (size_t i = 0; i < r->n; i++) {
		section_name(name, r->v[i].name);
		if (r->v[i].ops->load && !r->v[i].ops->added_later && !savefile_find(rd, name)) {
			snprintf(err, errlen, "the save file has no state for device '%s'",
				 r->v[i].name);
			return -1;
		}
	}
	return 0;
}

int device_load_all(const struct device_registry *r, const struct savefile_reader *rd, char *err,
		    size_t errlen)
{
	char name[SAVEFILE_NAME_MAX];

	if (check_sections(r, rd, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct device_entry *e = &r->v[i];
		const struct savefile_section *s;
		struct state_in in;
		uint8_t *bytes;
		int64_t t0;
		int rc;

		if (!e->ops->load)
			continue;
		section_name(name, e->name);
		s = savefile_find(rd, name);
		if (!s) { /* added_later: from an hv before the device */
			if (e->ops->reset)
				e->ops->reset(e->dev);
			log_info("device %s: the save file has no state for it; reset", e->name);
			continue;
		}
		if (savefile_load(rd, s, STATE_BYTES_MAX, &bytes, err, errlen) < 0)
			return -1;
		in = state_in_make(bytes, (size_t)s->length);
		t0 = host_now_ns();
		rc = e->ops->load(e->dev, &in, s->version);
		log_debug("device %s: state loaded in %.2f ms", e->name,
			  (double)(host_now_ns() - t0) / 1e6);
		if (rc == 0 && !state_in_done(&in))
			rc = -1;
		free(bytes);
		if (rc < 0) {
			snprintf(err, errlen, "%s: the save file's state is not valid for it",
				 e->name);
			return -1;
		}
	}
	return 0;
}
