/* The PC's typist (hv/core/typist.h): `hv send-keys` types into the PS/2
 * keyboard at a typist's pace in guest time, one press or release when
 * the keyboard's queue is empty and the i8042's output buffer has been
 * read. */
#include <stdio.h>
#include <stdlib.h>

#include "hv/core/state.h"
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

/* Save/restore, version 1: the keys still to type (hv send-keys typed
 * them before the save; they go on being typed after the restore), when
 * the next is due in guest time, and the counts. */
static void typist_dev_save(const void *dev, struct state_out *o)
{
	const struct typist *t = dev;

	state_put_u32(o, (uint32_t)t->len);
	for (size_t i = 0; i < t->len; i++) {
		const struct input_key *k = &t->queue[(t->head + i) % TYPIST_MAX];

		state_put_u16(o, k->code);
		state_put_bool(o, k->down);
	}
	state_put_u64(o, (uint64_t)t->next_at);
	state_put_u64(o, t->typed);
	state_put_u64(o, t->refused);
}

static int typist_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	static struct input_key keys[TYPIST_MAX];
	struct typist *t = dev;
	struct pc *pc = t->opaque;
	size_t n = state_get_max(in, TYPIST_MAX);
	int64_t next_at;
	uint64_t typed, refused;

	(void)from;
	for (size_t i = 0; i < n && !in->failed; i++) {
		keys[i].code = state_get_u16(in);
		keys[i].down = state_get_bool(in);
		if (!ps2kbd_key_size(pc->kbc->kbd, keys[i].code, true))
			in->failed = true;
	}
	next_at = (int64_t)state_get_u64(in);
	typed = state_get_u64(in);
	refused = state_get_u64(in);
	if (!state_in_done(in) || next_at < 0 || next_at > INT64_MAX / 2)
		return -1;
	typist_clear(t);
	t->next_at = next_at;
	t->typed = typed;
	t->refused = refused;
	return typist_push(t, keys, n);
}

const struct device_ops pc_typist_device_ops = {.reset = typist_dev_reset,
						.describe = typist_dev_describe,
						.version = 1,
						.save = typist_dev_save,
						.load = typist_dev_load};

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
