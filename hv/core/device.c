#include "hv/core/device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/kv.h"

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
	char s[512];

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
