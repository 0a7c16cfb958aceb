/* virtio-input: the configuration queries that describe a keyboard, a
 * mouse or a tablet, the event queue fed from a bounded ring, and the
 * status queue's LED events. */
#include "hv/virtio/virtio_input.h"

#include <stdio.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/log.h"
#include "hv/core/state.h"

#define EVENTQ	0
#define STATUSQ 1
#define CFG_U	8 /* the union's offset in the configuration */
#define BTN_N	3 /* left, right, middle */
#define KEY_MAX 255

static const char *const names[] = {"hv virtio keyboard", "hv virtio mouse", "hv virtio tablet"};

static void set_bit(uint8_t *map, unsigned n)
{
	map[n / 8] |= (uint8_t)(1u << (n % 8));
}

/* The EV_BITS bitmap of event type `type` into map; returns its size. */
static unsigned ev_bits(const struct virtio_input *in, unsigned type, uint8_t *map)
{
	switch (type) {
	case EVDEV_KEY:
		if (in->kind == VIRTIO_INPUT_KEYBOARD)
			for (unsigned k = 1; k <= KEY_MAX; k++)
				set_bit(map, k);
		else
			for (unsigned b = 0; b < BTN_N; b++)
				set_bit(map, EVDEV_BTN_LEFT + b);
		break;
	case EVDEV_REL:
		if (in->kind == VIRTIO_INPUT_MOUSE) {
			set_bit(map, EVDEV_REL_X);
			set_bit(map, EVDEV_REL_Y);
			set_bit(map, EVDEV_REL_WHEEL);
		}
		break;
	case EVDEV_ABS:
		if (in->kind == VIRTIO_INPUT_TABLET) {
			set_bit(map, EVDEV_ABS_X);
			set_bit(map, EVDEV_ABS_Y);
		}
		break;
	case EVDEV_LED:
		if (in->kind == VIRTIO_INPUT_KEYBOARD) {
			set_bit(map, EVDEV_LED_NUML);
			set_bit(map, EVDEV_LED_CAPSL);
			set_bit(map, EVDEV_LED_SCROLL);
		}
		break;
	case EVDEV_REP:
		if (in->kind == VIRTIO_INPUT_KEYBOARD)
			map[0] = 0x03; /* REP_DELAY, REP_PERIOD: the guest repeats keys */
		break;
	}
	for (unsigned n = 128; n > 0; n--)
		if (map[n - 1])
			return n;
	return 0;
}

/* Fills u with the answer to the current select/subsel; returns its size. */
static unsigned answer(const struct virtio_input *in, uint8_t *u)
{
	switch (in->select) {
	case VIRTIO_INPUT_CFG_ID_NAME:
		if (in->subsel)
			return 0;
		memcpy(u, names[in->kind], strlen(names[in->kind]));
		return (unsigned)strlen(names[in->kind]);
	case VIRTIO_INPUT_CFG_ID_SERIAL:
		if (in->subsel)
			return 0;
		memcpy(u, in->vp.name, strlen(in->vp.name));
		return (unsigned)strlen(in->vp.name);
	case VIRTIO_INPUT_CFG_ID_DEVIDS:
		if (in->subsel)
			return 0;
		le_put16(u, 0x06);			   /* BUS_VIRTUAL */
		le_put16(u + 2, VIRTIO_PCI_VENDOR);	   /* vendor */
		le_put16(u + 4, (uint16_t)(in->kind + 1)); /* product */
		le_put16(u + 6, 1);			   /* version */
		return 8;
	case VIRTIO_INPUT_CFG_EV_BITS: return ev_bits(in, in->subsel, u);
	case VIRTIO_INPUT_CFG_ABS_INFO:
		if (in->kind != VIRTIO_INPUT_TABLET || in->subsel > EVDEV_ABS_Y)
			return 0;
		le_put32(u, 0);
		le_put32(u + 4, VIRTIO_INPUT_ABS_MAX);
		return 20; /* min, max, fuzz, flat, res */
	}
	return 0; /* UNSET, PROP_BITS (none) and unknown selects */
}

static void input_config_read(void *opaque, unsigned offset, void *buf, unsigned len)
{
	struct virtio_input *in = opaque;
	uint8_t cfg[VIRTIO_INPUT_CFG_SIZE] = {0};

	cfg[0] = in->select;
	cfg[1] = in->subsel;
	cfg[2] = (uint8_t)answer(in, cfg + CFG_U);
	memcpy(buf, cfg + offset, len);
}

static void input_config_write(void *opaque, unsigned offset, const void *buf, unsigned len)
{
	struct virtio_input *in = opaque;
	const uint8_t *b = buf;

	for (unsigned i = 0; i < len; i++) {
		if (offset + i == 0)
			in->select = b[i];
		else if (offset + i == 1)
			in->subsel = b[i];
	}
}

/* Hands waiting events to the driver's buffers, one event each. */
static void flush_events(struct virtio_input *in)
{
	struct virtq_chain c;
	uint8_t ev[VIRTIO_INPUT_EVENT_LEN];

	while (in->count && virtio_pci_pop(&in->vp, EVENTQ, &c) == 1) {
		const struct virtio_input_event *e = &in->ring[in->head];

		if (c.write_len < VIRTIO_INPUT_EVENT_LEN) {
			log_guest("virtio %s: event buffer of %llu bytes; 8 needed", in->vp.name,
				  (unsigned long long)c.write_len);
			virtio_pci_push(&in->vp, EVENTQ, &c, 0);
			continue;
		}
		le_put16(ev, e->type);
		le_put16(ev + 2, e->code);
		le_put32(ev + 4, e->value);
		virtq_chain_write(&c, 0, ev, sizeof ev);
		virtio_pci_push(&in->vp, EVENTQ, &c, sizeof ev);
		in->head = (in->head + 1) % VIRTIO_INPUT_RING;
		in->count--;
		in->events++;
	}
}

/* Reads the driver's status events (LEDs) and returns their buffers. */
static void read_status(struct virtio_input *in)
{
	struct virtq_chain c;
	uint8_t ev[VIRTIO_INPUT_EVENT_LEN];

	while (virtio_pci_pop(&in->vp, STATUSQ, &c) == 1) {
		if (virtq_chain_read(&c, 0, ev, sizeof ev) == sizeof ev &&
		    le_get16(ev) == EVDEV_LED && le_get16(ev + 2) < 32) {
			uint32_t bit = 1u << le_get16(ev + 2);

			in->leds = le_get32(ev + 4) ? in->leds | bit : in->leds & ~bit;
		}
		in->status++;
		virtio_pci_push(&in->vp, STATUSQ, &c, 0);
	}
}

static void input_notify(void *opaque, unsigned queue)
{
	if (queue == EVENTQ)
		flush_events(opaque);
	else if (queue == STATUSQ)
		read_status(opaque);
}

static void input_reset(void *opaque)
{
	struct virtio_input *in = opaque;

	in->head = in->count = 0;
	in->buttons = 0;
	in->leds = 0;
	in->select = in->subsel = 0;
}

static const struct virtio_dev_ops input_ops = {
    .type = VIRTIO_ID_INPUT,
    .class_base = 0x09, /* input device controller, other */
    .class_sub = 0x80,
    .num_queues = 2,
    .queue_max = 64,
    .config_size = VIRTIO_INPUT_CFG_SIZE,
    .config_read = input_config_read,
    .config_write = input_config_write,
    .notify = input_notify,
    .reset = input_reset,
};

void virtio_input_init(struct virtio_input *in, struct guest_mem *mem, struct irq_line irq,
		       enum virtio_input_kind kind, const char *name)
{
	memset(in, 0, sizeof *in);
	in->kind = kind;
	virtio_pci_init(&in->vp, mem, &input_ops, in, irq, name);
}

void virtio_input_destroy(struct virtio_input *in)
{
	virtio_pci_destroy(&in->vp);
}

bool virtio_input_ready(struct virtio_input *in)
{
	return virtio_pci_queue(&in->vp, EVENTQ) != NULL;
}

/* Queues a batch of n events plus SYN_REPORT, whole or not at all. */
static bool send_batch(struct virtio_input *in, const struct virtio_input_event *ev, unsigned n)
{
	if (n == 0)
		return true;
	if (in->count + n + 1 > VIRTIO_INPUT_RING) {
		in->dropped++;
		return true; /* the driver is not reading: the batch is lost, counted */
	}
	for (unsigned i = 0; i <= n; i++) {
		struct virtio_input_event syn = {EVDEV_SYN, 0, 0};

		in->ring[(in->head + in->count++) % VIRTIO_INPUT_RING] = i < n ? ev[i] : syn;
	}
	flush_events(in);
	return true;
}

bool virtio_input_key(struct virtio_input *in, unsigned code, bool down)
{
	struct virtio_input_event e = {EVDEV_KEY, (uint16_t)code, down};

	if (in->kind != VIRTIO_INPUT_KEYBOARD || code == 0 || code > KEY_MAX)
		return false;
	return send_batch(in, &e, 1);
}

/* Button changes since the last event, into ev; returns how many. */
static unsigned buttons(struct virtio_input *in, unsigned held, struct virtio_input_event *ev)
{
	unsigned n = 0;

	for (unsigned b = 0; b < BTN_N; b++)
		if ((held ^ in->buttons) >> b & 1)
			ev[n++] = (struct virtio_input_event){
			    EVDEV_KEY, (uint16_t)(EVDEV_BTN_LEFT + b), held >> b & 1};
	in->buttons = held & ((1u << BTN_N) - 1);
	return n;
}

bool virtio_input_rel(struct virtio_input *in, int dx, int dy, int dz, unsigned held)
{
	struct virtio_input_event ev[BTN_N + 3];
	unsigned n;

	if (in->kind != VIRTIO_INPUT_MOUSE)
		return false;
	n = buttons(in, held, ev);
	if (dx)
		ev[n++] = (struct virtio_input_event){EVDEV_REL, EVDEV_REL_X, (uint32_t)dx};
	if (dy)
		ev[n++] = (struct virtio_input_event){EVDEV_REL, EVDEV_REL_Y, (uint32_t)dy};
	if (dz) /* the display protocol's + is towards the user; evdev's is away */
		ev[n++] = (struct virtio_input_event){EVDEV_REL, EVDEV_REL_WHEEL, (uint32_t)-dz};
	return send_batch(in, ev, n);
}

static uint32_t clamp_abs(int v)
{
	return v < 0 ? 0 : v > VIRTIO_INPUT_ABS_MAX ? VIRTIO_INPUT_ABS_MAX : (uint32_t)v;
}

bool virtio_input_abs(struct virtio_input *in, int x, int y, unsigned held)
{
	struct virtio_input_event ev[BTN_N + 2];
	unsigned n;

	if (in->kind != VIRTIO_INPUT_TABLET)
		return false;
	n = buttons(in, held, ev);
	ev[n++] = (struct virtio_input_event){EVDEV_ABS, EVDEV_ABS_X, clamp_abs(x)};
	ev[n++] = (struct virtio_input_event){EVDEV_ABS, EVDEV_ABS_Y, clamp_abs(y)};
	return send_batch(in, ev, n);
}

static void device_reset(void *dev)
{
	struct virtio_input *in = dev;

	virtio_pci_machine_reset(&in->vp);
}

static void device_describe(const void *dev, char *buf, size_t len)
{
	const struct virtio_input *in = dev;
	size_t n;

	virtio_pci_describe(&in->vp, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, " kind=%s leds=%s%s%s events=%llu dropped=%llu",
		 in->kind == VIRTIO_INPUT_KEYBOARD ? "keyboard"
		 : in->kind == VIRTIO_INPUT_MOUSE  ? "mouse"
						   : "tablet",
		 in->leds & 1 << EVDEV_LED_NUML ? "num," : "",
		 in->leds & 1 << EVDEV_LED_CAPSL ? "caps," : "",
		 in->leds & 1 << EVDEV_LED_SCROLL ? "scroll" : "", (unsigned long long)in->events,
		 (unsigned long long)in->dropped);
}

/* Save/restore, version 2 (1: the transport without MSI-X): the transport, the kind (checked: it is
 * the configuration's), the configuration select, the events waiting (oldest first), the buttons
 * held, the LEDs and the counters. */
static void device_save(const void *dev, struct state_out *o)
{
	const struct virtio_input *in = dev;

	virtio_pci_save(&in->vp, o);
	state_put_u8(o, (uint8_t)in->kind);
	state_put_u8(o, in->select);
	state_put_u8(o, in->subsel);
	state_put_u32(o, in->count);
	for (unsigned i = 0; i < in->count; i++) {
		const struct virtio_input_event *e = &in->ring[(in->head + i) % VIRTIO_INPUT_RING];

		state_put_u16(o, e->type);
		state_put_u16(o, e->code);
		state_put_u32(o, e->value);
	}
	state_put_u8(o, (uint8_t)in->buttons);
	state_put_u32(o, in->leds);
	state_put_u64(o, in->events);
	state_put_u64(o, in->dropped);
	state_put_u64(o, in->status);
}

static int device_load(void *dev, struct state_in *in, uint32_t from)
{
	struct virtio_input *v = dev;
	struct virtio_input_event ring[VIRTIO_INPUT_RING];
	struct virtio_pci_saved s;
	uint8_t kind, select, subsel, held;
	uint32_t count, leds;
	uint64_t c[3];

	if (virtio_pci_load(&v->vp, in, from, &s) < 0)
		return -1;
	kind = state_get_u8(in);
	select = state_get_u8(in);
	subsel = state_get_u8(in);
	count = state_get_max(in, VIRTIO_INPUT_RING);
	for (uint32_t i = 0; i < count && !in->failed; i++) {
		ring[i].type = state_get_u16(in);
		ring[i].code = state_get_u16(in);
		ring[i].value = state_get_u32(in);
	}
	held = state_get_u8(in);
	leds = state_get_u32(in);
	for (unsigned i = 0; i < 3; i++)
		c[i] = state_get_u64(in);
	if (!state_in_done(in) || kind != v->kind || held >> BTN_N)
		return -1;
	virtio_pci_commit(&v->vp, &s);
	v->select = select;
	v->subsel = subsel;
	memcpy(v->ring, ring, count * sizeof ring[0]);
	v->head = 0;
	v->count = count;
	v->buttons = held;
	v->leds = leds;
	v->events = c[0];
	v->dropped = c[1];
	v->status = c[2];
	return 0;
}

const struct device_ops virtio_input_device_ops = {.reset = device_reset,
						   .describe = device_describe,
						   .version = VIRTIO_PCI_SAVE_VERSION,
						   .save = device_save,
						   .load = device_load};
