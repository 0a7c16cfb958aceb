/* The device registry: every device instance of a machine under a stable
 * name ("pic0", "pit0", "com1", "ide0", "vga", ...) with a small ops table.
 * The machine resets its devices and describes them for `hv list -l`
 * through here, in the order they were registered, without knowing any
 * chip, and saves and loads their state into save files (hv/core/savefile.h:
 * one section "dev.NAME" per device, versioned per device). New device
 * families are more registrations, not special cases. */
#ifndef HV_CORE_DEVICE_H
#define HV_CORE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct state_in;
struct state_out;
struct savefile_reader;
struct savefile_writer;

#define DEVICE_NAME_MAX 16

struct device_ops {
	/* Puts the device in its power-on state; NULL when it keeps none
	 * that a reset changes. With the domain lock held. */
	void (*reset)(void *dev);
	/* Writes the device's state that matters to a person debugging a
	 * guest as key=value pairs (hv/core/kv.h, without the leading space)
	 * into buf, NUL-terminated and cut to len. With the domain lock held. */
	void (*describe)(const void *dev, char *buf, size_t len);
	/* Save/restore, both NULL for a device with no state of its own.
	 * save appends the state (hv/core/state.h) for format `version`.
	 * load reads what save of `from` (1..version) wrote; the bytes are
	 * untrusted, so it checks every index and count before use and
	 * returns 0, or -1 for a value it cannot take (in->failed counts
	 * too, and bytes left over). With the domain lock held, the vCPU
	 * stopped. */
	uint32_t version;
	void (*save)(const void *dev, struct state_out *out);
	int (*load)(void *dev, struct state_in *in, uint32_t from);
	/* No save op because the device keeps no state a save file needs
	 * (a port that only passes bytes on). A device with neither is one
	 * whose save/load is missing, and device_save_all refuses it. */
	bool stateless;
	/* The device came after hv's save files did: a file without its
	 * state (from an hv before it) loads with the device reset, not
	 * refused. */
	bool added_later;
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

/* The names of the devices that keep state but have no save op, space-
 * separated, into buf (empty when every device can be saved). Returns
 * how many there are. */
size_t device_unsaveable(const struct device_registry *r, char *buf, size_t len);

/* Writes a section "dev.NAME" for every device with a save op. Refused
 * (before anything is written) when a device cannot be saved
 * (device_unsaveable). Returns 0, or -1 with err set. */
int device_save_all(const struct device_registry *r, struct savefile_writer *w, char *err,
		    size_t errlen);

/* Loads every device with a load op from its section of a verified save
 * file. Refused before any device is touched: a missing section, a section
 * for a device this machine lacks, a version newer than the device's. A
 * load op that refuses its bytes stops the load part-way: restore into a
 * machine that has not run yet, and discard it on failure. Returns 0, or
 * -1 with err naming the device. */
int device_load_all(const struct device_registry *r, const struct savefile_reader *rd, char *err,
		    size_t errlen);

/* Forgets every registration (the devices stay their owners'). */
void device_registry_free(struct device_registry *r);

#endif
