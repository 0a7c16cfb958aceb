/* i8042 with its PS/2 keyboard and mouse, port 92h and CF9h: driven
 * through their io_ops, with IRQ lines and board hooks that record what
 * happened. */
#include <check.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>

#include "hv/core/machine.h"
#include "hv/core/state.h"
#include "legacy/i8042.h"
#include "legacy/port92.h"
#include "legacy/rcr.h"

#include "unit.h"

struct board {
	int irq[16];
	unsigned rises[16];
	int a20; /* -1: never told */
	unsigned a20_calls;
	unsigned resets;
	unsigned hard_resets;
};

static struct board b;
static struct i8042 *c;

static void rec_irq(void *opaque, int pin, int level)
{
	struct board *bd = opaque;

	bd->rises[pin] += level && !bd->irq[pin];
	bd->irq[pin] = level;
}

static void rec_a20(void *opaque, bool on)
{
	struct board *bd = opaque;

	bd->a20 = on;
	bd->a20_calls++;
}

static void rec_reset(void *opaque)
{
	((struct board *)opaque)->resets++;
}

static void rec_rcr_reset(void *opaque, bool hard)
{
	struct board *bd = opaque;

	bd->resets++;
	bd->hard_resets += hard;
}

static void setup(void)
{
	struct i8042_hooks h = {.a20 = rec_a20, .reset = rec_reset, .opaque = &b};

	b = (struct board){.a20 = -1};
	c = i8042_create((struct irq_line){rec_irq, &b, 1}, (struct irq_line){rec_irq, &b, 12}, &h);
	ck_assert_ptr_nonnull(c);
}

static void teardown(void)
{
	i8042_destroy(c);
}

static uint8_t st(void)
{
	return (uint8_t)i8042_status_io_ops.read(c, 0, 1);
}

static void cmd(uint8_t v)
{
	i8042_status_io_ops.write(c, 0, 1, v);
}

static void wr(uint8_t v)
{
	i8042_data_io_ops.write(c, 0, 1, v);
}

/* Reads the output buffer, which must be full. */
static uint8_t rd(void)
{
	ck_assert_msg(st() & I8042_STAT_OBF, "output buffer empty");
	return (uint8_t)i8042_data_io_ops.read(c, 0, 1);
}

static void expect(const uint8_t *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t got = rd();
		ck_assert_msg(got == bytes[i], "byte %zu: got %#04x, want %#04x", i, got, bytes[i]);
	}
	ck_assert_msg(!(st() & I8042_STAT_OBF), "more bytes than expected");
}

#define EXPECT(...)                                                                                \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		expect(want_, sizeof want_);                                                       \
	} while (0)

static void set_command_byte(uint8_t v)
{
	cmd(0x60);
	wr(v);
}

static void key(unsigned code, bool down)
{
	ck_assert_int_eq(ps2kbd_key(c->kbd, code, down), 0);
}

START_TEST(test_power_on_enables_a20_and_empty_buffer)
{
	ck_assert_int_eq(b.a20, 1);
	ck_assert(!(st() & I8042_STAT_OBF));
}
END_TEST

START_TEST(test_self_test_answers_55_and_sets_sys_flag)
{
	cmd(0xAA);
	ck_assert(st() & I8042_STAT_SYS);
	ck_assert(st() & I8042_STAT_CMD);
	EXPECT(0x55);
}
END_TEST

START_TEST(test_interface_tests_answer_00)
{
	cmd(0xAB);
	EXPECT(0x00);
	cmd(0xA9);
	EXPECT(0x00);
}
END_TEST

START_TEST(test_command_byte_reads_back)
{
	set_command_byte(0x65);
	cmd(0x20);
	EXPECT(0x65);
	ck_assert(st() & I8042_STAT_SYS);
}
END_TEST

START_TEST(test_disable_commands_set_command_byte_bits)
{
	set_command_byte(0x00);
	cmd(0xAD);
	cmd(0xA7);
	cmd(0x20);
	EXPECT(I8042_CB_KBD_OFF | I8042_CB_AUX_OFF);
	cmd(0xAE);
	cmd(0xA8);
	cmd(0x20);
	EXPECT(0x00);
}
END_TEST

START_TEST(test_keyboard_reset_answers_ack_then_bat)
{
	wr(0xFF);
	EXPECT(0xFA, 0xAA);
}
END_TEST

START_TEST(test_keyboard_identify_is_translated_like_hardware)
{
	set_command_byte(0x00);
	wr(0xF2);
	EXPECT(0xFA, 0xAB, 0x83);
	set_command_byte(I8042_CB_XLAT);
	wr(0xF2);
	EXPECT(0xFA, 0xAB, 0x41);
}
END_TEST

START_TEST(test_led_command_acks_twice_and_sets_leds)
{
	wr(0xED);
	EXPECT(0xFA);
	wr(PS2KBD_LED_CAPS | PS2KBD_LED_NUM);
	EXPECT(0xFA);
	ck_assert_uint_eq(c->kbd->leds, PS2KBD_LED_CAPS | PS2KBD_LED_NUM);
}
END_TEST

START_TEST(test_typematic_command_acks_and_stores_rate)
{
	wr(0xF3);
	EXPECT(0xFA);
	wr(0x20);
	EXPECT(0xFA);
	ck_assert_uint_eq(c->kbd->typematic, 0x20);
}
END_TEST

START_TEST(test_leds_and_typematic_read_as_words)
{
	char s[32];

	ps2kbd_leds_name(0, s, sizeof s);
	ck_assert_str_eq(s, "none");
	ps2kbd_leds_name(PS2KBD_LED_SCROLL, s, sizeof s);
	ck_assert_str_eq(s, "scroll");
	ps2kbd_leds_name(PS2KBD_LED_CAPS | PS2KBD_LED_NUM | PS2KBD_LED_SCROLL, s, sizeof s);
	ck_assert_str_eq(s, "num,caps,scroll");
	ps2kbd_typematic_name(c->kbd->typematic, s, sizeof s); /* the power-on default */
	ck_assert_str_eq(s, "10.9cps/500ms");
	ps2kbd_typematic_name(0x00, s, sizeof s);
	ck_assert_str_eq(s, "30.0cps/250ms");
	ps2kbd_typematic_name(0x7F, s, sizeof s);
	ck_assert_str_eq(s, "2.0cps/1000ms");
}
END_TEST

START_TEST(test_reset_turns_the_leds_off_and_restores_the_rate)
{
	wr(0xED);
	wr(PS2KBD_LED_CAPS);
	wr(0xF3);
	wr(0x7F);
	EXPECT(0xFA, 0xFA, 0xFA, 0xFA);
	wr(0xFF);
	EXPECT(0xFA, 0xAA);
	ck_assert_uint_eq(c->kbd->leds, 0);
	ck_assert_uint_eq(c->kbd->typematic, 0x2B);
}
END_TEST

START_TEST(test_scan_code_set_query_and_select)
{
	set_command_byte(0x00);
	wr(0xF0);
	wr(0x00);
	EXPECT(0xFA, 0xFA, 0x02);
	wr(0xF0);
	wr(0x01);
	EXPECT(0xFA, 0xFA);
	key(KEY_A, true);
	key(KEY_A, false);
	EXPECT(0x1E, 0x9E); /* the keyboard itself speaks set 1 now */
	wr(0xF0);
	wr(0x07);
	EXPECT(0xFA, 0xFE);
}
END_TEST

START_TEST(test_echo_and_unknown_command)
{
	wr(0xEE);
	EXPECT(0xEE);
	wr(0xE1);
	EXPECT(0xFE);
}
END_TEST

START_TEST(test_set2_make_and_break_without_translation)
{
	set_command_byte(0x00);
	key(KEY_A, true);
	key(KEY_A, false);
	key(KEY_UP, true);
	key(KEY_UP, false);
	EXPECT(0x1C, 0xF0, 0x1C, 0xE0, 0x75, 0xE0, 0xF0, 0x75);
}
END_TEST

START_TEST(test_translated_normal_and_extended_keys)
{
	set_command_byte(I8042_CB_XLAT);
	key(KEY_A, true);
	key(KEY_A, false);
	key(KEY_ENTER, true);
	key(KEY_ESC, false);
	key(KEY_F7, true);
	key(KEY_UP, true);
	key(KEY_UP, false);
	key(KEY_RIGHTCTRL, true);
	key(KEY_DELETE, false);
	EXPECT(0x1E, 0x9E, 0x1C, 0x81, 0x41, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x1D, 0xE0, 0xD3);
}
END_TEST

START_TEST(test_translated_pause_and_print_screen)
{
	set_command_byte(I8042_CB_XLAT);
	key(KEY_PAUSE, true);
	key(KEY_PAUSE, false); /* Pause has no break */
	EXPECT(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
	key(KEY_SYSRQ, true);
	key(KEY_SYSRQ, false);
	EXPECT(0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA);
}
END_TEST

START_TEST(test_irq1_follows_output_buffer_and_paces_bytes)
{
	set_command_byte(I8042_CB_XLAT | I8042_CB_KBD_INT | I8042_CB_SYS);
	ck_assert_int_eq(b.irq[1], 0);
	key(KEY_B, true);
	key(KEY_B, false);
	ck_assert_int_eq(b.irq[1], 1);
	ck_assert_uint_eq(b.rises[1], 1);
	ck_assert_uint_eq(c->kbd->key_len, 2); /* F0 32 wait in the keyboard */
	ck_assert_uint_eq(rd(), 0x30);
	/* Read: the next byte came in with a fresh edge. */
	ck_assert_int_eq(b.irq[1], 1);
	ck_assert_uint_eq(b.rises[1], 2);
	ck_assert_uint_eq(rd(), 0xB0);
	ck_assert_int_eq(b.irq[1], 0);
	ck_assert_int_eq(b.irq[12], 0);
}
END_TEST

START_TEST(test_disabled_keyboard_interface_holds_keys)
{
	set_command_byte(I8042_CB_XLAT | I8042_CB_KBD_OFF);
	key(KEY_C, true);
	ck_assert(!(st() & I8042_STAT_OBF));
	cmd(0xAE);
	EXPECT(0x2E);
}
END_TEST

START_TEST(test_key_queue_is_bounded_and_refuses_whole_events)
{
	size_t n = 0;

	set_command_byte(0x00);
	while (ps2kbd_key(c->kbd, KEY_UP, false) == 0) /* 3 bytes each */
		n++;
	ck_assert_uint_ge(n * 3, PS2KBD_KEY_MAX - 3);
	ck_assert_uint_lt(ps2kbd_key_room(c->kbd), 3);
	ck_assert_uint_eq(c->kbd->dropped, 1);
	ck_assert_int_eq(ps2kbd_key(c->kbd, KEY_A, true), ps2kbd_key_room(c->kbd) ? 0 : -1);
	ck_assert_int_eq(ps2kbd_key(c->kbd, 0x2FF, true), -1);
}
END_TEST

static void aux(uint8_t v)
{
	cmd(0xD4);
	wr(v);
}

static void move(int dx, int dy, int dz, unsigned buttons)
{
	struct input_mouse ev = {dx, dy, dz, buttons};

	ps2mouse_event(c->mouse, &ev);
}

START_TEST(test_mouse_reset_and_id_come_through_aux_with_irq12)
{
	set_command_byte(I8042_CB_KBD_INT | I8042_CB_AUX_INT);
	aux(0xFF);
	ck_assert(st() & I8042_STAT_AUXB);
	ck_assert_int_eq(b.irq[12], 1);
	ck_assert_int_eq(b.irq[1], 0);
	EXPECT(0xFA, 0xAA, 0x00);
	ck_assert_int_eq(b.irq[12], 0);
	aux(0xF2);
	EXPECT(0xFA, 0x00);
}
END_TEST

START_TEST(test_mouse_stream_packets_with_sign_and_overflow)
{
	set_command_byte(0x00);
	move(5, 5, 0, 0);
	ck_assert(!(st() & I8042_STAT_OBF)); /* reporting is off after power-on */
	aux(0xF4);
	EXPECT(0xFA);
	move(10, -5, 0, INPUT_BUTTON_LEFT);
	EXPECT(0x09, 10, 5);
	move(-3, 4, 0, INPUT_BUTTON_RIGHT | INPUT_BUTTON_MIDDLE);
	EXPECT(0x08 | 0x06 | PS2MOUSE_X_SIGN | PS2MOUSE_Y_SIGN, 0xFD, 0xFC);
	move(300, 0, 0, 0);
	EXPECT(0x08 | PS2MOUSE_X_OVERFL, 0xFF, 0x00);
}
END_TEST

START_TEST(test_mouse_status_resolution_and_scaling)
{
	set_command_byte(0x00);
	aux(0xE8);
	aux(0x03);
	aux(0xE7);
	aux(0xF3);
	aux(40);
	aux(0xE9);
	EXPECT(0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x10, 0x03, 40);
	aux(0xF4);
	move(4, 0, 0, 0); /* 2:1 scaling maps 4 to 6 */
	EXPECT(0xFA, 0x08, 6, 0);
}
END_TEST

START_TEST(test_intellimouse_sequence_gives_id3_and_4_byte_packets)
{
	static const uint8_t knock[] = {200, 100, 80};

	set_command_byte(0x00);
	for (int i = 0; i < 3; i++) {
		aux(0xF3);
		aux(knock[i]);
		EXPECT(0xFA, 0xFA);
	}
	aux(0xF2);
	EXPECT(0xFA, 0x03);
	aux(0xF4);
	EXPECT(0xFA);
	move(1, 0, -2, 0);
	EXPECT(0x08, 0x01, 0x00, 0xFE);
	move(0, 0, 100, 0);
	EXPECT(0x08, 0x00, 0x00, 0x07);
}
END_TEST

START_TEST(test_mouse_remote_mode_answers_read_data)
{
	set_command_byte(0x00);
	aux(0xF0);
	EXPECT(0xFA);
	move(2, 0, 0, 0);
	move(3, -1, 0, 0);
	ck_assert(!(st() & I8042_STAT_OBF));
	aux(0xEB);
	EXPECT(0xFA, 0x08, 5, 1);
}
END_TEST

START_TEST(test_output_port_drives_a20_and_reset)
{
	unsigned calls = b.a20_calls;

	cmd(0xD1);
	wr(0x01); /* A20 off, not in reset */
	ck_assert_int_eq(b.a20, 0);
	ck_assert_uint_eq(b.a20_calls, calls + 1);
	ck_assert_uint_eq(b.resets, 0);
	cmd(0xD0);
	ck_assert_uint_eq(rd() & 3, 0x01);
	cmd(0xDF);
	ck_assert_int_eq(b.a20, 1);
	cmd(0xDD);
	ck_assert_int_eq(b.a20, 0);
	cmd(0xD1);
	wr(0x02);
	ck_assert_int_eq(b.a20, 1);
	ck_assert_uint_eq(b.resets, 1);
}
END_TEST

START_TEST(test_pulse_command_resets)
{
	cmd(0xFF); /* pulses nothing */
	ck_assert_uint_eq(b.resets, 0);
	cmd(0xFE);
	ck_assert_uint_eq(b.resets, 1);
}
END_TEST

START_TEST(test_write_output_buffer_commands)
{
	set_command_byte(I8042_CB_KBD_INT | I8042_CB_AUX_INT);
	cmd(0xD2);
	wr(0x42);
	ck_assert(!(st() & I8042_STAT_AUXB));
	ck_assert_int_eq(b.irq[1], 1);
	EXPECT(0x42);
	cmd(0xD3);
	wr(0x43);
	ck_assert(st() & I8042_STAT_AUXB);
	ck_assert_int_eq(b.irq[12], 1);
	EXPECT(0x43);
}
END_TEST

START_TEST(test_port92_gates_a20_and_resets_on_rising_bit0)
{
	struct port92 p = {.a20 = rec_a20, .reset = rec_reset, .opaque = &b};

	port92_reset(&p);
	port92_io_ops.write(&p, 0, 1, PORT92_A20);
	ck_assert_int_eq(b.a20, 1);
	ck_assert_uint_eq(port92_io_ops.read(&p, 0, 1), PORT92_A20);
	port92_io_ops.write(&p, 0, 1, 0);
	ck_assert_int_eq(b.a20, 0);
	ck_assert_uint_eq(b.resets, 0);
	port92_io_ops.write(&p, 0, 1, PORT92_RESET);
	port92_io_ops.write(&p, 0, 1, PORT92_RESET); /* no new edge */
	ck_assert_uint_eq(b.resets, 1);
}
END_TEST

struct latch {
	uint32_t value;
	unsigned writes;
};

static uint64_t latch_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	return offset ? ~0ull : ((struct latch *)opaque)->value;
}

static void latch_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct latch *l = opaque;

	l->writes++;
	if (offset == 0 && size == 4)
		l->value = (uint32_t)value;
}

static const struct io_ops latch_ops = {.read = latch_read, .write = latch_write};

START_TEST(test_cf9_resets_and_passes_dwords_to_the_pci_latch)
{
	struct latch l = {0};
	struct rcr r = {.reset = rec_rcr_reset, .opaque = &b, .latch_ops = &latch_ops, .latch = &l};

	rcr_io_ops.write(&r, 0, 4, 0x80000000u);
	ck_assert_uint_eq(l.value, 0x80000000u);
	ck_assert_uint_eq(rcr_io_ops.read(&r, 0, 4), 0x80000000u);
	rcr_io_ops.write(&r, RCR_OFFSET, 1, RCR_HARD);
	ck_assert_uint_eq(b.resets, 0);
	ck_assert_uint_eq(rcr_io_ops.read(&r, RCR_OFFSET, 1), RCR_HARD);
	rcr_io_ops.write(&r, RCR_OFFSET, 1, RCR_HARD | RCR_RESET);
	ck_assert_uint_eq(b.resets, 1);
	ck_assert_uint_eq(b.hard_resets, 1);
	rcr_io_ops.write(&r, RCR_OFFSET, 1, RCR_RESET);
	ck_assert_uint_eq(b.resets, 2);
	ck_assert_uint_eq(b.hard_resets, 1);
	ck_assert_uint_eq(l.writes, 1);
}
END_TEST

START_TEST(test_machine_a20_is_the_or_of_its_gates)
{
	struct machine m;
	char err[128];
	uint32_t gen;

	ck_assert_int_eq(machine_init(&m, 1 << 20, err, sizeof err), 0);
	ck_assert_uint_eq(m.a20_mask, 0xFFFFFFFFu);
	machine_set_a20(&m, MACHINE_A20_KBC, true);
	machine_set_a20(&m, MACHINE_A20_PORT92, true);
	gen = m.mem.generation;
	machine_set_a20(&m, MACHINE_A20_KBC, false);
	ck_assert_uint_eq(m.a20_mask, 0xFFFFFFFFu);
	ck_assert_uint_eq(m.mem.generation, gen);
	machine_set_a20(&m, MACHINE_A20_PORT92, false);
	ck_assert_uint_eq(m.a20_mask, 0xFFEFFFFFu);
	ck_assert_uint_ne(m.mem.generation, gen);
	machine_destroy(&m);
}
END_TEST

START_TEST(test_random_port_writes_keep_the_controller_sane)
{
	struct latch l = {0};
	struct board b92 = {.a20 = -1};
	struct port92 p = {.a20 = rec_a20, .reset = rec_reset, .opaque = &b92};
	struct rcr r = {.reset = rec_rcr_reset, .opaque = &b, .latch_ops = &latch_ops, .latch = &l};

	unit_seed(0x8042);
	for (int i = 0; i < 50000; i++) {
		uint32_t x = unit_rand();
		uint8_t v = (uint8_t)(x >> 4);
		switch (x & 7) {
		case 0: cmd(v); break;
		case 1:
		case 2: wr(v); break;
		case 3: i8042_data_io_ops.read(c, 0, 1); break;
		case 4: st(); break;
		case 5: port92_io_ops.write(&p, 0, 1, v); break;
		case 6: rcr_io_ops.write(&r, x >> 12 & 3, 1u << (x >> 14 & 1), v); break;
		default:
			if (x & 0x100)
				ps2kbd_key(c->kbd, v, x & 0x200);
			else
				move((int)(x >> 10 & 0x3FF) - 512, (int)(v)-128, 0, x & 7);
			break;
		}
		ck_assert_uint_le(c->kbd->reply_len, PS2KBD_REPLY_MAX);
		ck_assert_uint_le(c->kbd->key_len, PS2KBD_KEY_MAX);
		ck_assert_uint_le(c->mouse->len, PS2MOUSE_QUEUE_MAX);
		/* The gates the board saw match the registers. */
		ck_assert_int_eq(b.a20, (c->outport & I8042_OUT_A20) != 0);
		if (b92.a20_calls)
			ck_assert_int_eq(b92.a20, (p.value & PORT92_A20) != 0);
	}
	ck_assert_uint_gt(b.resets, 0);
	ck_assert_uint_gt(b92.resets, 0);
	/* Whatever state it was left in, a self-test still answers. */
	cmd(0xAA);
	ck_assert_uint_eq(rd(), 0x55);
}
END_TEST

/* Loads st into the fixture's controller, expecting verdict; a refused
 * load leaves the power-on controller as it was. */
static void load_expect(const struct state_out *o, size_t len, int verdict)
{
	struct state_in in = state_in_make(o->p, len);
	unsigned a20_calls = b.a20_calls;

	ck_assert_int_eq(i8042_device_ops.load(c, &in, 1), verdict);
	if (verdict == 0)
		return;
	ck_assert_uint_eq(st(), I8042_STAT_UNLOCK);
	ck_assert_uint_eq(b.a20_calls, a20_calls);
	ck_assert_uint_eq(c->kbd->key_len + c->mouse->len + c->kbd->leds, 0);
}

/* Save and load (device ops): a controller with a byte in its output
 * buffer, a half-sent D4h, A20 off, translated keys queued behind it, LEDs
 * and typematic set, and an IntelliMouse with a packet queued comes back
 * in a fresh controller that answers the same bytes in the same order; a
 * queue longer than its ring, a pending command that takes no data, a
 * scan-code set 4 or a short state is refused with the controller
 * unchanged. */
START_TEST(test_saveLoad_bringsBackQueuesModesAndPendingCommand)
{
	static const uint8_t knock[] = {200, 100, 80};
	/* offset, value: controller pending, reply length, key length,
	 * keyboard set, mouse queue length (u32s little-endian) */
	static const size_t bad[][2] = {{35, 0x55}, {37, 17}, {42, 0x10}, {51, 4}, {54, 0x01}};
	struct i8042 *saved = c;
	struct state_out o = {0};

	set_command_byte(I8042_CB_KBD_INT | I8042_CB_AUX_INT | I8042_CB_XLAT);
	wr(0xED);
	wr(0x05);
	wr(0xF3);
	wr(0x20);
	EXPECT(0xFA, 0xFA, 0xFA, 0xFA);
	for (int i = 0; i < 3; i++) {
		aux(0xF3);
		aux(knock[i]);
		EXPECT(0xFA, 0xFA);
	}
	aux(0xE8);
	aux(0x01);
	aux(0xF4);
	EXPECT(0xFA, 0xFA, 0xFA);
	cmd(0xDD); /* A20 off */
	ck_assert_int_eq(b.a20, 0);
	key(KEY_A, true);
	key(KEY_A, false);
	move(3, -2, 1, INPUT_BUTTON_LEFT);
	ck_assert_int_eq(b.irq[1], 1); /* 1Eh waits in the output buffer */
	cmd(0xD4);
	i8042_device_ops.save(c, &o);
	ck_assert(!o.failed);
	/* The layout the corruptions below rely on. */
	ck_assert_uint_eq(o.p[35], 0xD4);
	ck_assert_uint_eq(o.p[37], 0); /* no replies */
	ck_assert_uint_eq(o.p[41], 2); /* F0h 1Ch behind the 1Eh */
	ck_assert_uint_eq(o.p[51], 2); /* set 2 */
	ck_assert_uint_eq(o.p[53], 4); /* the mouse's packet */
	ck_assert_uint_eq(o.len, 53 + 4 + 4 + 2 + 4 + 3 + 3 + 1 + 12);

	c = i8042_create((struct irq_line){rec_irq, &b, 1}, (struct irq_line){rec_irq, &b, 12},
			 &(struct i8042_hooks){.a20 = rec_a20, .reset = rec_reset, .opaque = &b});
	ck_assert_ptr_nonnull(c);
	b.irq[1] = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t keep = o.p[bad[i][0]];

		o.p[bad[i][0]] = (uint8_t)bad[i][1];
		load_expect(&o, o.len, -1);
		o.p[bad[i][0]] = keep;
	}
	load_expect(&o, o.len - 1, -1);
	ck_assert_int_eq(b.a20, 1);
	load_expect(&o, o.len, 0);
	ck_assert_int_eq(b.a20, 0);
	ck_assert_int_eq(b.irq[1], 1);
	ck_assert_uint_eq(c->kbd->leds, 0x05);
	ck_assert_uint_eq(c->kbd->typematic, 0x20);
	wr(0xF2); /* the data byte of the saved D4h: to the mouse */
	EXPECT(0x1E, 0x9E, 0x09, 3, 2, 1, 0xFA, 0x03);
	aux(0xE9);
	EXPECT(0xFA, 0x24, 0x01, 80);
	cmd(0xD0);
	ck_assert_uint_eq(rd() & I8042_OUT_A20, 0);
	i8042_destroy(c);
	c = saved;
	state_out_free(&o);
}
END_TEST

/* Port 92h and CF9h save their value; a load drives A20 from it but pulses
 * no reset, and a state holding the CF9h reset strobe, or of the wrong
 * length, is refused. */
START_TEST(test_saveLoad_port92AndCf9KeepTheirValues)
{
	struct port92 p = {.a20 = rec_a20, .reset = rec_reset, .opaque = &b}, q = p;
	struct rcr r = {.reset = rec_rcr_reset, .opaque = &b}, r2 = r;
	struct state_out o = {0}, o2 = {0};
	struct state_in in;
	uint8_t two[2] = {PORT92_A20, 0};

	port92_io_ops.write(&p, 0, 1, PORT92_A20 | PORT92_RESET);
	ck_assert_uint_eq(b.resets, 1);
	port92_device_ops.save(&p, &o);
	ck_assert_uint_eq(o.len, 1);
	in = state_in_make(two, 2);
	ck_assert_int_eq(port92_device_ops.load(&q, &in, 1), -1);
	in = state_in_make(two, 0);
	ck_assert_int_eq(port92_device_ops.load(&q, &in, 1), -1);
	ck_assert_uint_eq(port92_io_ops.read(&q, 0, 1), 0);
	b.a20 = -1;
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(port92_device_ops.load(&q, &in, 1), 0);
	ck_assert_uint_eq(port92_io_ops.read(&q, 0, 1), PORT92_A20 | PORT92_RESET);
	ck_assert_int_eq(b.a20, 1);
	ck_assert_uint_eq(b.resets, 1);

	rcr_io_ops.write(&r, RCR_OFFSET, 1, RCR_HARD);
	rcr_device_ops.save(&r, &o2);
	o2.p[0] |= RCR_RESET;
	in = state_in_make(o2.p, o2.len);
	ck_assert_int_eq(rcr_device_ops.load(&r2, &in, 1), -1);
	ck_assert_uint_eq(r2.value, 0);
	o2.p[0] &= (uint8_t)~RCR_RESET;
	in = state_in_make(o2.p, o2.len);
	ck_assert_int_eq(rcr_device_ops.load(&r2, &in, 1), 0);
	ck_assert_uint_eq(rcr_io_ops.read(&r2, RCR_OFFSET, 1), RCR_HARD);
	ck_assert_uint_eq(b.resets, 1);
	state_out_free(&o);
	state_out_free(&o2);
}
END_TEST

static Suite *i8042_suite(void)
{
	Suite *s = suite_create("i8042");
	TCase *t = tcase_create("controller");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_power_on_enables_a20_and_empty_buffer);
	tcase_add_test(t, test_self_test_answers_55_and_sets_sys_flag);
	tcase_add_test(t, test_interface_tests_answer_00);
	tcase_add_test(t, test_command_byte_reads_back);
	tcase_add_test(t, test_disable_commands_set_command_byte_bits);
	tcase_add_test(t, test_output_port_drives_a20_and_reset);
	tcase_add_test(t, test_pulse_command_resets);
	tcase_add_test(t, test_write_output_buffer_commands);
	suite_add_tcase(s, t);
	t = tcase_create("keyboard");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_keyboard_reset_answers_ack_then_bat);
	tcase_add_test(t, test_keyboard_identify_is_translated_like_hardware);
	tcase_add_test(t, test_led_command_acks_twice_and_sets_leds);
	tcase_add_test(t, test_typematic_command_acks_and_stores_rate);
	tcase_add_test(t, test_leds_and_typematic_read_as_words);
	tcase_add_test(t, test_reset_turns_the_leds_off_and_restores_the_rate);
	tcase_add_test(t, test_scan_code_set_query_and_select);
	tcase_add_test(t, test_echo_and_unknown_command);
	tcase_add_test(t, test_set2_make_and_break_without_translation);
	tcase_add_test(t, test_translated_normal_and_extended_keys);
	tcase_add_test(t, test_translated_pause_and_print_screen);
	tcase_add_test(t, test_irq1_follows_output_buffer_and_paces_bytes);
	tcase_add_test(t, test_disabled_keyboard_interface_holds_keys);
	tcase_add_test(t, test_key_queue_is_bounded_and_refuses_whole_events);
	suite_add_tcase(s, t);
	t = tcase_create("mouse");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_mouse_reset_and_id_come_through_aux_with_irq12);
	tcase_add_test(t, test_mouse_stream_packets_with_sign_and_overflow);
	tcase_add_test(t, test_mouse_status_resolution_and_scaling);
	tcase_add_test(t, test_intellimouse_sequence_gives_id3_and_4_byte_packets);
	tcase_add_test(t, test_mouse_remote_mode_answers_read_data);
	suite_add_tcase(s, t);
	t = tcase_create("a20 and reset");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60); /* the fuzz under the sanitizers */
	tcase_add_test(t, test_port92_gates_a20_and_resets_on_rising_bit0);
	tcase_add_test(t, test_cf9_resets_and_passes_dwords_to_the_pci_latch);
	tcase_add_test(t, test_machine_a20_is_the_or_of_its_gates);
	tcase_add_test(t, test_random_port_writes_keep_the_controller_sane);
	tcase_add_test(t, test_saveLoad_bringsBackQueuesModesAndPendingCommand);
	tcase_add_test(t, test_saveLoad_port92AndCf9KeepTheirValues);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(i8042_suite());
}
