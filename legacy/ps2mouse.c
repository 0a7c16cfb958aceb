#include "legacy/ps2mouse.h"

#include <stdlib.h>

#include "hv/core/log.h"
#include "hv/core/state.h"
#include "legacy/ps2kbd.h"

struct ps2mouse *ps2mouse_create(void (*notify)(void *opaque), void *opaque)
{
	struct ps2mouse *ms = calloc(1, sizeof *ms);

	if (!ms)
		return NULL;
	ms->notify = notify;
	ms->opaque = opaque;
	ps2mouse_reset(ms);
	return ms;
}

void ps2mouse_destroy(struct ps2mouse *ms)
{
	free(ms);
}

/* F6h defaults: stream mode, reporting off, 100 samples/s, 4 counts/mm,
 * 1:1 scaling. */
static void set_defaults(struct ps2mouse *ms)
{
	ms->reporting = false;
	ms->remote = false;
	ms->scale21 = false;
	ms->rate = 100;
	ms->resolution = 2;
	ms->dx = ms->dy = ms->dz = 0;
}

void ps2mouse_reset(struct ps2mouse *ms)
{
	set_defaults(ms);
	ms->head = ms->len = 0;
	ms->pending_cmd = 0;
	ms->wrap = false;
	ms->id = 0;
	ms->rates[0] = ms->rates[1] = ms->rates[2] = 0;
}

static void put(struct ps2mouse *ms, uint8_t byte)
{
	if (ms->len < PS2MOUSE_QUEUE_MAX)
		ms->queue[(ms->head + ms->len++) % PS2MOUSE_QUEUE_MAX] = byte;
}

static unsigned packet_size(const struct ps2mouse *ms)
{
	return ms->id ? 4 : 3;
}

/* 2:1 scaling as the 8042-era mice apply it to stream reports. */
static int scale(const struct ps2mouse *ms, int v)
{
	static const int small[6] = {0, 1, 1, 3, 6, 9};
	int a = v < 0 ? -v : v;

	if (!ms->scale21)
		return v;
	a = a < 6 ? small[a] : 2 * a;
	return v < 0 ? -a : a;
}

/* One movement packet from the counts in dx, dy (PS/2 direction: y up),
 * dz; the counts are consumed. */
static void packet(struct ps2mouse *ms, bool stream)
{
	int dx = stream ? scale(ms, ms->dx) : ms->dx, dy = stream ? scale(ms, ms->dy) : ms->dy;
	int dz = ms->dz;
	uint8_t b0 = PS2MOUSE_ALWAYS1 | (ms->buttons & 7);

	if (ms->len + packet_size(ms) > PS2MOUSE_QUEUE_MAX) {
		ms->dropped++;
		return;
	}
	if (dx > 255 || dx < -256)
		b0 |= PS2MOUSE_X_OVERFL, dx = dx > 0 ? 255 : -256;
	if (dy > 255 || dy < -256)
		b0 |= PS2MOUSE_Y_OVERFL, dy = dy > 0 ? 255 : -256;
	b0 |= (dx < 0 ? PS2MOUSE_X_SIGN : 0) | (dy < 0 ? PS2MOUSE_Y_SIGN : 0);
	put(ms, b0);
	put(ms, (uint8_t)dx);
	put(ms, (uint8_t)dy);
	dz = dz > 7 ? 7 : dz < -8 ? -8 : dz;
	if (ms->id == 3)
		put(ms, (uint8_t)(int8_t)dz);
	else if (ms->id == 4)
		put(ms, (uint8_t)((dz & 0x0F) | ((ms->buttons & INPUT_BUTTON_SIDE) ? 0x10 : 0) |
				  ((ms->buttons & INPUT_BUTTON_EXTRA) ? 0x20 : 0)));
	ms->dx = ms->dy = ms->dz = 0;
}

/* The IntelliMouse knock: sample rates 200, 100, 80 make the mouse answer
 * ID 3; 200, 200, 80 after that, ID 4. */
static void set_rate(struct ps2mouse *ms, uint8_t rate)
{
	ms->rate = rate;
	ms->rates[0] = ms->rates[1];
	ms->rates[1] = ms->rates[2];
	ms->rates[2] = rate;
	if (ms->rates[0] == 200 && ms->rates[1] == 100 && rate == 80 && ms->id == 0)
		ms->id = 3;
	else if (ms->rates[0] == 200 && ms->rates[1] == 200 && rate == 80 && ms->id == 3)
		ms->id = 4;
}

static void status(struct ps2mouse *ms)
{
	put(ms, (uint8_t)((ms->remote ? 0x40 : 0) | (ms->reporting ? 0x20 : 0) |
			  (ms->scale21 ? 0x10 : 0) | ((ms->buttons & INPUT_BUTTON_LEFT) ? 4 : 0) |
			  ((ms->buttons & INPUT_BUTTON_MIDDLE) ? 2 : 0) |
			  ((ms->buttons & INPUT_BUTTON_RIGHT) ? 1 : 0)));
	put(ms, ms->resolution);
	put(ms, ms->rate);
}

static bool known(uint8_t cmd)
{
	return (cmd >= 0xE6 && cmd <= 0xEC) || cmd == 0xEE || cmd == 0xF0 || cmd == 0xF2 ||
	       (cmd >= 0xF3 && cmd <= 0xF6) || cmd >= 0xFE;
}

static void command(struct ps2mouse *ms, uint8_t cmd)
{
	if (!known(cmd)) {
		log_guest("ps2mouse: unknown command %#04x", cmd);
		put(ms, PS2_RESEND);
		return;
	}
	if (cmd != 0xFE)
		put(ms, PS2_ACK);
	switch (cmd) {
	case 0xE6: ms->scale21 = false; break;
	case 0xE7: ms->scale21 = true; break;
	case 0xE8:
	case 0xF3: ms->pending_cmd = cmd; break;
	case 0xE9: status(ms); break;
	case 0xEA: ms->remote = false, ms->dx = ms->dy = ms->dz = 0; break;
	case 0xEB: packet(ms, false); break;
	case 0xEC: ms->wrap = false; break;
	case 0xEE: ms->wrap = true; break;
	case 0xF0: ms->remote = true; break;
	case 0xF2: put(ms, ms->id); break;
	case 0xF4: ms->reporting = true; break;
	case 0xF5: ms->reporting = false; break;
	case 0xF6: set_defaults(ms); break;
	case 0xFE: put(ms, ms->last_sent); break;
	case 0xFF:
		ps2mouse_reset(ms);
		put(ms, PS2_ACK); /* reset drops the queue, the ACK included */
		put(ms, PS2_BAT_OK);
		put(ms, 0x00);
		break;
	}
}

void ps2mouse_write(struct ps2mouse *ms, uint8_t byte)
{
	uint8_t cmd = ms->pending_cmd;

	if (ms->wrap && byte != 0xEC && byte != 0xFF) {
		put(ms, byte);
	} else if (cmd) {
		ms->pending_cmd = 0;
		put(ms, PS2_ACK);
		if (cmd == 0xE8)
			ms->resolution = byte & 3;
		else
			set_rate(ms, byte);
	} else {
		command(ms, byte);
	}
	if (ms->notify)
		ms->notify(ms->opaque);
}

bool ps2mouse_pending(const struct ps2mouse *ms)
{
	return ms->len != 0;
}

uint8_t ps2mouse_read(struct ps2mouse *ms)
{
	if (!ms->len)
		return ms->last_sent;
	ms->last_sent = ms->queue[ms->head];
	ms->head = (ms->head + 1) % PS2MOUSE_QUEUE_MAX;
	ms->len--;
	return ms->last_sent;
}

/* Motion is saturated far beyond what a packet holds, so no sum of host
 * events can overflow an int. */
static int clamp_count(int v)
{
	return v > 4096 ? 4096 : v < -4096 ? -4096 : v;
}

void ps2mouse_event(struct ps2mouse *ms, const struct input_mouse *ev)
{
	ms->buttons = ev->buttons;
	if (!ms->remote && (!ms->reporting || ms->wrap))
		return; /* a mouse not reporting forgets motion */
	ms->dx = clamp_count(ms->dx + clamp_count(ev->dx));
	ms->dy = clamp_count(ms->dy - clamp_count(ev->dy)); /* PS/2 counts up as positive */
	ms->dz = clamp_count(ms->dz + clamp_count(ev->dz));
	if (ms->remote)
		return; /* kept for Read Data (EBh) */
	packet(ms, true);
	if (ms->notify)
		ms->notify(ms->opaque);
}

void ps2mouse_save(const struct ps2mouse *ms, struct state_out *o)
{
	const bool flags[] = {ms->reporting, ms->remote, ms->wrap, ms->scale21};
	const int counts[] = {ms->dx, ms->dy, ms->dz};

	state_put_u32(o, ms->len);
	for (unsigned i = 0; i < ms->len; i++)
		state_put_u8(o, ms->queue[(ms->head + i) % PS2MOUSE_QUEUE_MAX]);
	state_put_u8(o, ms->pending_cmd);
	state_put_u8(o, ms->last_sent);
	for (size_t i = 0; i < sizeof flags; i++)
		state_put_bool(o, flags[i]);
	state_put_u8(o, ms->rate);
	state_put_u8(o, ms->resolution);
	state_put_u8(o, ms->id);
	state_put_bytes(o, ms->rates, sizeof ms->rates);
	state_put_u8(o, (uint8_t)ms->buttons);
	for (size_t i = 0; i < 3; i++)
		state_put_u32(o, (uint32_t)counts[i]);
}

/* A motion count as clamp_count leaves it; fails the reader otherwise. */
static int count_load(struct state_in *in)
{
	int32_t v = (int32_t)state_get_u32(in);

	if (v > 4096 || v < -4096) {
		in->failed = true;
		return 0;
	}
	return v;
}

void ps2mouse_load(struct ps2mouse *ms, struct state_in *in)
{
	bool *flags[] = {&ms->reporting, &ms->remote, &ms->wrap, &ms->scale21};

	ms->head = 0;
	ms->len = state_get_max(in, PS2MOUSE_QUEUE_MAX);
	state_get_bytes(in, ms->queue, ms->len);
	ms->pending_cmd = state_get_u8(in);
	ms->last_sent = state_get_u8(in);
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		*flags[i] = state_get_bool(in);
	ms->rate = state_get_u8(in);
	ms->resolution = state_get_u8(in);
	ms->id = state_get_u8(in);
	state_get_bytes(in, ms->rates, sizeof ms->rates);
	ms->buttons = state_get_u8(in);
	ms->dx = count_load(in);
	ms->dy = count_load(in);
	ms->dz = count_load(in);
	if (ms->pending_cmd && ms->pending_cmd != 0xE8 && ms->pending_cmd != 0xF3)
		in->failed = true;
	if (ms->resolution > 3 || (ms->id != 0 && ms->id != 3 && ms->id != 4))
		in->failed = true;
	if (ms->buttons & ~(unsigned)(INPUT_BUTTON_LEFT | INPUT_BUTTON_RIGHT | INPUT_BUTTON_MIDDLE |
				      INPUT_BUTTON_SIDE | INPUT_BUTTON_EXTRA))
		in->failed = true;
}
