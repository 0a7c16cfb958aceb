/* The PC's typist (hv/core/typist.h): `hv send-keys` types into the PS/2
 * keyboard at a typist's pace in guest time, one press or release when
 * the keyboard's queue is empty and the i8042's output buffer has been
 * read. */
#include <stdio.h>
#include <stdlib.h>

#include "legacy/pc_int.h"

static bool kbd_ready(void *opaque)
{
	struct pc *pc = opaque;

	return pc->kbc->kbd->key_len == 0 && !(pc->kbc->status & I8042_STAT_OBF);
}

static int kbd_deliver(void *opaque, const struct input_key *key)
{
	struct pc *pc = opaque;

	return ps2kbd_key(pc->kbc->kbd, key->code, key->down);
}

static const struct typist_ops kbd_typist_ops = {.ready = kbd_ready, .deliver = kbd_deliver};

int pc_add_typist(struct pc *pc, char *err, size_t errlen)
{
	pc->typist = malloc(sizeof *pc->typist);
	if (!pc->typist) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	typist_init(pc->typist, &pc->m->clock, TYPIST_INTERVAL_NS, &kbd_typist_ops, pc);
	return 0;
}

void pc_free_typist(struct pc *pc)
{
	if (!pc->typist)
		return;
	typist_fini(pc->typist);
	free(pc->typist);
	pc->typist = NULL;
}

/* A reset empties the queue: keys typed for the guest before it rebooted
 * mean nothing to the firmware that starts again. */
static void typist_dev_reset(void *dev)
{
	typist_clear(dev);
}

static void typist_dev_describe(const void *dev, char *buf, size_t len)
{
	snprintf(buf, len, "queued=%zu", (size_t)TYPIST_MAX - typist_room(dev));
}

const struct device_ops pc_typist_device_ops = {.reset = typist_dev_reset,
						.describe = typist_dev_describe};

int pc_type_keys(struct pc *pc, const struct input_key *keys, size_t n, char *err, size_t errlen)
{
	size_t room = typist_room(pc->typist);

	for (size_t i = 0; i < n; i++) {
		if (!ps2kbd_key_size(pc->kbc->kbd, keys[i].code, true)) {
			snprintf(err, errlen, "the PS/2 keyboard has no key with code %u",
				 keys[i].code);
			return -1;
		}
	}
	if (typist_push(pc->typist, keys, n) < 0) {
		snprintf(err, errlen,
			 "keyboard buffer full: %zu key events wait to be typed, %zu more needed",
			 (size_t)TYPIST_MAX - room, n);
		return -1;
	}
	return 0;
}
