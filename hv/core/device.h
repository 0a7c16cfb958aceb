/* The device registry: every device instance of a machine under a stable
 * name ("pic0", "pit0", "com1", "ide0", "vga", ...) with a small ops table.
 * The machine resets its devices and describes them for `hv list -l`
 * through here, in the order they were registered, without knowing any
 * chip. Save and load of device state (versioned, per device) join the
 * ops table when save/restore comes; new device families are more
 * registrations, not special cases. */
#ifndef HV_CORE_DEVICE_H
#define HV_CORE_DEVICE_H

#include <stddef.h>

#define DEVICE_NAME_MAX 16

struct device_ops {
	/* Puts the device in its power-on state; NULL when it keeps none
	 * that a reset changes. With the domain lock held. */
	void (*reset)(void *dev);
	/* Writes the device's state that matters to a person debugging a
	 * guest as key=value pairs (hv/core/kv.h, without the leading space)
	 * into buf, NUL-terminated and cut to len. With the domain lock held. */
	void (*describe)(const void *dev, char *buf, size_t len);
};

struct device_entry {
	char name[DEVICE_NAME_MAX];
	const struct device_ops *ops;
	void *dev;
};

struct device_registry {
	struct device_entry *v;
	size_t n, cap;
};

/* Adds dev under name. Returns 0, or -1 with err set when the name is
 * empty, too long or taken, or memory runs out. */
int device_register(struct device_registry *r, const char *name, const struct device_ops *ops,
		    void *dev, char *err, size_t errlen);

/* The device registered under name, or NULL. */
void *device_find(const struct device_registry *r, const char *name);

/* Resets every device, in registration order. */
void device_reset_all(const struct device_registry *r);

/* Appends " NAME=DESCRIPTION" for every device, in registration order, to
 * buf (kv_put's quoting). */
void device_describe_all(const struct device_registry *r, char *buf, size_t len);

/* Forgets every registration (the devices stay their owners'). */
void device_registry_free(struct device_registry *r);

#endif
