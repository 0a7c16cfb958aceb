/* virtio_input: the configuration queries Linux's driver makes (name,
 * ids, event-type bitmaps, the tablet's axes), evdev events in the
 * driver's buffers with SYN_REPORT after each batch, events held while no
 * buffer is posted and whole batches dropped when the ring is full, the
 * status queue's LEDs, and requests a device of another kind refuses. */
#include <check.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_input.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define EVQ_AT	 0x1000u /* eventq: desc, avail, used */
#define STQ_AT	 0x4000u /* statusq */
#define BUF_AT	 0x10000u
#define CFG	 (BAR + VIRTIO_PCI_DEVICE_CFG)

static struct guest_mem mem;
static struct virtio_input in;
static struct virtio_driver drv;
static uint16_t used_seen;
static bool made;

static void make(enum virtio_input_kind kind)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	virtio_input_init(&in, &mem, (struct irq_line){0}, kind, "input0");
	made = true;
	vdrv_attach(&drv, &mem, &in.vp.pci, 5, BAR, QSIZE);
	used_seen = 0;
	vdrv_negotiate(&drv, 0, 1);
	vdrv_setup_queue(&drv, 0, EVQ_AT);
	vdrv_setup_queue(&drv, 1, STQ_AT);
	ck_assert(!virtio_input_ready(&in));
	vdrv_driver_ok(&drv);
	ck_assert(virtio_input_ready(&in));
}

static void teardown(void)
{
	if (made) {
		virtio_input_destroy(&in);
		mem_destroy(&mem);
	}
	made = false;
}

/* Asks the configuration and returns the answer's size; u gets it. */
static unsigned query(uint8_t select, uint8_t subsel, uint8_t *u)
{
	mem_write_sized(&mem, CFG, 1, select);
	mem_write_sized(&mem, CFG + 1, 1, subsel);
	for (unsigned i = 0; i < 128; i++)
		u[i] = (uint8_t)mem_read_sized(&mem, CFG + 8 + i, 1);
	return (unsigned)mem_read_sized(&mem, CFG + 2, 1);
}

static bool bit(const uint8_t *map, unsigned n)
{
	return map[n / 8] >> (n % 8) & 1;
}

/* Posts n writable buffers of len bytes on the event queue and kicks. */
static void post(unsigned n, uint32_t len)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned d = drv.avail_idx[0] % QSIZE;

		vdrv_put_desc(&drv, EVQ_AT, d, BUF_AT + 16 * d, len, VIRTQ_DESC_F_WRITE, 0);
		vdrv_offer(&drv, 0, EVQ_AT, (uint16_t)d);
	}
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
}

/* The next event the device returned, as type:code:value; false if none. */
static bool next_event(uint16_t *type, uint16_t *code, int32_t *value)
{
	const uint8_t *used = mem.ram + EVQ_AT + 0x2000;
	const uint8_t *e, *ev;

	if (le_get16(used + 2) == used_seen)
		return false;
	e = used + 4 + 8 * (used_seen++ % QSIZE);
	ck_assert_uint_eq(le_get32(e + 4), 8);
	ev = mem.ram + BUF_AT + 16 * le_get32(e);
	*type = le_get16(ev);
	*code = le_get16(ev + 2);
	*value = (int32_t)le_get32(ev + 4);
	return true;
}

static void expect(uint16_t type, uint16_t code, int32_t value)
{
	uint16_t t, c;
	int32_t v;

	ck_assert_msg(next_event(&t, &c, &v), "no event; wanted %u:%u:%d", type, code, value);
	ck_assert_msg(t == type && c == code && v == value, "event %u:%u:%d, wanted %u:%u:%d", t, c,
		      v, type, code, value);
}

static void expect_none(void)
{
	uint16_t t, c;
	int32_t v;

	ck_assert(!next_event(&t, &c, &v));
}

START_TEST(keyboard_config)
{
	uint8_t u[128];

	make(VIRTIO_INPUT_KEYBOARD);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("hv virtio keyboard"));
	ck_assert_mem_eq(u, "hv virtio keyboard", strlen("hv virtio keyboard"));
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ID_DEVIDS, 0, u), 8);
	ck_assert_uint_eq(le_get16(u), 0x06);
	ck_assert_uint_eq(le_get16(u + 2), VIRTIO_PCI_VENDOR);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_KEY, u), 32);
	ck_assert(bit(u, 30) && bit(u, 1) && bit(u, 255) && !bit(u, 0)); /* A, Esc */
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_LED, u), 1);
	ck_assert_uint_eq(u[0], 0x07);
	ck_assert_uint_gt(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_REP, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_REL, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_ABS, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ABS_INFO, EVDEV_ABS_X, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_PROP_BITS, 0, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_UNSET, 0, u), 0);
	ck_assert_uint_eq(query(0x55, 0xAA, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ID_NAME, 1, u), 0);
	ck_assert_uint_gt(query(VIRTIO_INPUT_CFG_ID_SERIAL, 0, u), 0);
	/* Reads past the configuration: zero, never beyond it. */
	ck_assert_uint_eq(mem_read_sized(&mem, CFG + VIRTIO_INPUT_CFG_SIZE, 4), 0);
}
END_TEST

START_TEST(mouse_and_tablet_config)
{
	uint8_t u[128];

	make(VIRTIO_INPUT_MOUSE);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_REL, u), 2);
	ck_assert(bit(u, EVDEV_REL_X) && bit(u, EVDEV_REL_Y) && bit(u, EVDEV_REL_WHEEL));
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_KEY, u), EVDEV_BTN_MIDDLE / 8 + 1);
	ck_assert(bit(u, EVDEV_BTN_LEFT) && bit(u, EVDEV_BTN_RIGHT) && bit(u, EVDEV_BTN_MIDDLE));
	ck_assert(!bit(u, 30));
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_ABS, u), 0);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_LED, u), 0);
	teardown();

	make(VIRTIO_INPUT_TABLET);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ID_NAME, 0, u), strlen("hv virtio tablet"));
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_ABS, u), 1);
	ck_assert_uint_eq(u[0], 0x03);
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_EV_BITS, EVDEV_REL, u), 0);
	for (unsigned axis = EVDEV_ABS_X; axis <= EVDEV_ABS_Y; axis++) {
		ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ABS_INFO, (uint8_t)axis, u), 20);
		ck_assert_uint_eq(le_get32(u), 0);
		ck_assert_uint_eq(le_get32(u + 4), 32767);
	}
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ABS_INFO, 2, u), 0);
}
END_TEST

START_TEST(keys_arrive_as_evdev_events)
{
	make(VIRTIO_INPUT_KEYBOARD);
	post(4, 8);
	ck_assert(virtio_input_key(&in, 30, true));
	ck_assert(virtio_input_key(&in, 30, false));
	expect(EVDEV_KEY, 30, 1);
	expect(EVDEV_SYN, 0, 0);
	expect(EVDEV_KEY, 30, 0);
	expect(EVDEV_SYN, 0, 0);
	expect_none();
	/* Not a key of this device, or not a keyboard's request. */
	ck_assert(!virtio_input_key(&in, 0, true));
	ck_assert(!virtio_input_key(&in, 256, true));
	ck_assert(!virtio_input_rel(&in, 1, 1, 0, 0));
	ck_assert(!virtio_input_abs(&in, 1, 1, 0));
	ck_assert_uint_eq(in.count, 0);
}
END_TEST

START_TEST(events_wait_for_buffers)
{
	make(VIRTIO_INPUT_KEYBOARD);
	virtio_input_key(&in, 44, true);
	expect_none();
	ck_assert_uint_eq(in.count, 2);
	post(1, 8);
	expect(EVDEV_KEY, 44, 1);
	expect_none();
	post(1, 8);
	expect(EVDEV_SYN, 0, 0);
	ck_assert_uint_eq(in.count, 0);
}
END_TEST

START_TEST(full_ring_drops_whole_batches)
{
	make(VIRTIO_INPUT_KEYBOARD);
	for (unsigned i = 0; i < 200; i++)
		virtio_input_key(&in, 2 + i % 50, i % 2 == 0);
	ck_assert_uint_le(in.count, VIRTIO_INPUT_RING);
	ck_assert_uint_eq(in.count % 2, 0);
	ck_assert_uint_eq(in.dropped, 200 - in.count / 2);
	/* What is delivered is still key, SYN, key, SYN... */
	for (unsigned i = 0; i < 3; i++) {
		post(2, 8);
		expect(EVDEV_KEY, (uint16_t)(2 + i % 50), i % 2 == 0);
		expect(EVDEV_SYN, 0, 0);
	}
}
END_TEST

START_TEST(mouse_moves_wheels_and_clicks)
{
	make(VIRTIO_INPUT_MOUSE);
	post(12, 8);
	ck_assert(virtio_input_rel(&in, 5, -3, 1, 0x1));
	expect(EVDEV_KEY, EVDEV_BTN_LEFT, 1);
	expect(EVDEV_REL, EVDEV_REL_X, 5);
	expect(EVDEV_REL, EVDEV_REL_Y, -3);
	expect(EVDEV_REL, EVDEV_REL_WHEEL, -1); /* towards the user: down */
	expect(EVDEV_SYN, 0, 0);
	ck_assert(virtio_input_rel(&in, 0, 0, 0, 0x6)); /* left up, right and middle down */
	expect(EVDEV_KEY, EVDEV_BTN_LEFT, 0);
	expect(EVDEV_KEY, EVDEV_BTN_RIGHT, 1);
	expect(EVDEV_KEY, EVDEV_BTN_MIDDLE, 1);
	expect(EVDEV_SYN, 0, 0);
	ck_assert(virtio_input_rel(&in, 0, 0, 0, 0x6)); /* nothing changed: nothing sent */
	expect_none();
	ck_assert(!virtio_input_key(&in, 30, true));
}
END_TEST

START_TEST(tablet_maps_to_its_axes)
{
	make(VIRTIO_INPUT_TABLET);
	post(8, 8);
	ck_assert(virtio_input_abs(&in, 0, 32767, 0));
	expect(EVDEV_ABS, EVDEV_ABS_X, 0);
	expect(EVDEV_ABS, EVDEV_ABS_Y, 32767);
	expect(EVDEV_SYN, 0, 0);
	ck_assert(virtio_input_abs(&in, -5, 40000, 0x1)); /* clamped */
	expect(EVDEV_KEY, EVDEV_BTN_LEFT, 1);
	expect(EVDEV_ABS, EVDEV_ABS_X, 0);
	expect(EVDEV_ABS, EVDEV_ABS_Y, 32767);
	expect(EVDEV_SYN, 0, 0);
	ck_assert(!virtio_input_rel(&in, 1, 1, 0, 0));
}
END_TEST

/* A status event (type, code, value) on the status queue. */
static void status(uint16_t type, uint16_t code, uint32_t value, uint32_t len)
{
	uint8_t *ev = mem.ram + BUF_AT + 0x8000;

	le_put16(ev, type);
	le_put16(ev + 2, code);
	le_put32(ev + 4, value);
	vdrv_put_desc(&drv, STQ_AT, 0, BUF_AT + 0x8000, len, 0, 0);
	vdrv_offer(&drv, 1, STQ_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(vdrv_used_idx(&drv, STQ_AT), drv.avail_idx[1]);
}

START_TEST(status_queue_sets_the_leds)
{
	char desc[512];

	make(VIRTIO_INPUT_KEYBOARD);
	status(EVDEV_LED, EVDEV_LED_CAPSL, 1, 8);
	status(EVDEV_LED, EVDEV_LED_NUML, 1, 8);
	status(EVDEV_LED, EVDEV_LED_NUML, 0, 8);
	ck_assert_uint_eq(in.leds, 1u << EVDEV_LED_CAPSL);
	virtio_input_device_ops.describe(&in, desc, sizeof desc);
	ck_assert_ptr_nonnull(strstr(desc, "leds=caps,"));
	/* Short, odd or out-of-range status events change nothing. */
	status(EVDEV_LED, EVDEV_LED_SCROLL, 1, 4);
	status(EVDEV_KEY, EVDEV_LED_SCROLL, 1, 8);
	status(EVDEV_LED, 0xFFFF, 1, 8);
	ck_assert_uint_eq(in.leds, 1u << EVDEV_LED_CAPSL);
	ck_assert_uint_eq(in.status, 6);
}
END_TEST

/* The LEDs, the configuration select and a key press that waits for
 * buffers survive a save and a load into a fresh device; a state of
 * another kind of device is refused. */
START_TEST(restore_keeps_leds_select_and_waiting_events)
{
	struct state_out o = {0};
	struct state_in in2;
	uint8_t u[128];

	make(VIRTIO_INPUT_KEYBOARD);
	status(EVDEV_LED, EVDEV_LED_CAPSL, 1, 8);
	ck_assert(virtio_input_key(&in, 30, true)); /* KEY_A, no buffer posted */
	ck_assert_uint_eq(query(VIRTIO_INPUT_CFG_ID_NAME, 0, u), 18);
	virtio_input_device_ops.save(&in, &o);
	virtio_input_destroy(&in);
	virtio_input_init(&in, &mem, (struct irq_line){0}, VIRTIO_INPUT_MOUSE, "input0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 5, 0, &in.vp.pci), 0);
	in2 = state_in_make(o.p, o.len);
	ck_assert_int_eq(virtio_input_device_ops.load(&in, &in2, virtio_input_device_ops.version),
			 -1); /* a mouse */
	virtio_input_destroy(&in);
	virtio_input_init(&in, &mem, (struct irq_line){0}, VIRTIO_INPUT_KEYBOARD, "input0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 5, 0, &in.vp.pci), 0);
	in2 = state_in_make(o.p, o.len);
	ck_assert_int_eq(virtio_input_device_ops.load(&in, &in2, virtio_input_device_ops.version),
			 0);
	ck_assert(state_in_done(&in2));
	ck_assert_uint_eq(in.leds, 1u << EVDEV_LED_CAPSL);
	ck_assert_uint_eq(mem_read_sized(&mem, CFG, 1), VIRTIO_INPUT_CFG_ID_NAME);
	post(2, 8);
	expect(EVDEV_KEY, 30, 1);
	expect(EVDEV_SYN, 0, 0);
	expect_none();
	state_out_free(&o);
}
END_TEST

START_TEST(short_buffers_and_reset)
{
	uint16_t t, c;
	int32_t v;

	make(VIRTIO_INPUT_KEYBOARD);
	virtio_input_key(&in, 30, true);
	post(1, 4); /* too short: returned empty, the event waits */
	ck_assert(le_get16(mem.ram + EVQ_AT + 0x2000 + 2) == 1);
	ck_assert_uint_eq(le_get32(mem.ram + EVQ_AT + 0x2000 + 4 + 4), 0);
	used_seen = 1;
	ck_assert_uint_eq(in.count, 2);
	post(1, 8);
	ck_assert(next_event(&t, &c, &v));
	ck_assert_uint_eq(t, EVDEV_KEY);
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0); /* device reset: nothing waits any more */
	ck_assert_uint_eq(in.count, 0);
	ck_assert(!virtio_input_ready(&in));
}
END_TEST

static Suite *virtio_input_suite(void)
{
	Suite *s = suite_create("virtio_input");
	TCase *tc = tcase_create("input");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, keyboard_config);
	tcase_add_test(tc, mouse_and_tablet_config);
	tcase_add_test(tc, keys_arrive_as_evdev_events);
	tcase_add_test(tc, events_wait_for_buffers);
	tcase_add_test(tc, restore_keeps_leds_select_and_waiting_events);
	tcase_add_test(tc, full_ring_drops_whole_batches);
	tcase_add_test(tc, mouse_moves_wheels_and_clicks);
	tcase_add_test(tc, tablet_maps_to_its_axes);
	tcase_add_test(tc, status_queue_sets_the_leds);
	tcase_add_test(tc, short_buffers_and_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_input_suite());
}
