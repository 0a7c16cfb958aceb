/* Host input and the i8042 end to end: `hv send-keys` into a bare-metal
 * guest that prints the scan codes its IRQ1 handler reads; the A20 gate
 * and the reset lines from a guest; SeaBIOS finding the keyboard. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define KBD_EXIT ((0x12 << 1) | 1)

/* Starts the kbd guest in the foreground and waits for its prompt. */
static void start_kbd(struct h_proc *p)
{
	const char *cfg = h_guest_cfg("kbd", "kbd", "");

	h_spawn(p, (const char *const[]){"run", "--timeout", "300", cfg, NULL});
	ck_assert_msg(h_expect(p, "kbd ready", 60), "no prompt: %s", p->buf);
}

static void send_keys(const char *const *args)
{
	struct h_result *r = h_hv(NULL, 120, args);

	ck_assert_msg(r->status == 0, "send-keys: status %d: %s%s", r->status, r->out, r->err);
}

START_TEST(test_send_keys_arrive_as_translated_scan_codes)
{
	struct h_proc p;

	start_kbd(&p);
	send_keys((const char *const[]){"send-keys", "kbd", "a", "ctrl-alt-delete", "--text", "Hi",
					"up", "pause", "print", "esc", NULL});
	ck_assert_msg(h_expect(&p, "bye", 60), "output: %s", p.buf);
	ck_assert_msg(strstr(p.buf, "1E 9E "		       /* a */
				    "1D 38 E0 53 E0 D3 B8 9D " /* ctrl-alt-delete */
				    "2A 23 A3 AA 17 97 "       /* H i */
				    "E0 48 E0 C8 "	       /* up */
				    "E1 1D 45 E1 9D C5 "       /* pause */
				    "E0 2A E0 37 E0 B7 E0 AA " /* print screen */
				    "01 81 "),
		      "output: %s", p.buf);
	ck_assert_int_eq(h_wait(&p, 60), KBD_EXIT);
}
END_TEST

/* More than the typing queue holds, typed while the guest is paused:
 * 1024 'a's (2048 presses and releases) fill it, a further request is
 * refused whole with "keyboard buffer full", and `hv send-keys` retries
 * until the guest runs and the typist has typed enough. Nothing is lost. */
START_TEST(test_long_text_queues_until_the_guest_reads_it)
{
	static char first[1025], second[101];
	struct h_proc p, sender, ctl;
	char sock[512];
	const char *s;
	int count = 0;

	memset(first, 'a', sizeof first - 1);
	memset(second, 'a', sizeof second - 1);
	start_kbd(&p);
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"pause", "kbd", NULL})->status, 0);
	send_keys((const char *const[]){"send-keys", "kbd", "--text", first, NULL});
	snprintf(sock, sizeof sock, "UNIX-CONNECT:%s/run/hv/kbd.sock", h_setup_dir());
	h_spawn_prog(&ctl, "socat", (const char *const[]){"-", sock, NULL});
	ck_assert_msg(h_expect(&ctl, "name=kbd", 30), "%s", ctl.buf);
	h_send(&ctl, "send-text a\n");
	ck_assert_msg(h_expect(&ctl, "error keyboard buffer full", 30), "%s", ctl.buf);
	h_send(&ctl, "quit\n");
	h_wait(&ctl, 30);
	h_spawn(&sender, (const char *const[]){"send-keys", "kbd", "--text", second, "esc", NULL});
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"unpause", "kbd", NULL})->status, 0);
	ck_assert_int_eq(h_wait(&sender, 120), 0);
	ck_assert_msg(h_expect(&p, "bye", 120), "output ends: %s",
		      p.buf + (p.len > 200 ? p.len - 200 : 0));
	for (s = p.buf; (s = strstr(s, "1E 9E ")); s += 6)
		count++;
	ck_assert_int_eq(count, 1124);
	ck_assert_int_eq(h_wait(&p, 60), KBD_EXIT);
}
END_TEST

/* A long line typed in one request into a boot sector that reads keys
 * through SeaBIOS's INT 16h (tests/guests/kbdecho.asm): the BIOS's IRQ1
 * handler keeps 15 keys, so the line arrives whole only if the keys come
 * at a pace the BIOS keeps up with. */
START_TEST(test_long_line_reaches_a_bios_guest_whole)
{
	static unsigned char image[1 << 20];
	char img[512], e9[512], text[2048], line[256], want[300];
	struct h_proc p;
	int status;
	FILE *f = fopen(h_guest("kbdecho"), "rb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fread(image, 1, 512, f), 512);
	fclose(f);
	snprintf(img, sizeof img, "%s/echo.img", h_setup_dir());
	f = fopen(img, "wb");
	ck_assert_int_eq(fwrite(image, 1, sizeof image, f), sizeof image);
	fclose(f);
	snprintf(e9, sizeof e9, "%s/e9.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"echo\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ 'format=raw, vdev=hda, access=rw, target=%s' ]\nboot = \"c\"\n",
		 "/usr/share/seabios/bios-256k.bin", e9, img);
	for (size_t i = 0; i < 200; i++) /* letters of both cases, digits, symbols */
		line[i] =
		    "The quick brown fox JUMPS over 13 lazy dogs; (a+b)*c = {x|y} ~ 99% & \"ok\"! "
			[i % 75];
	line[200] = '\0';
	h_spawn(&p, (const char *const[]){"run", "--timeout", "300", h_write_file("echo.cfg", text),
					  NULL});
	for (int i = 0; i < 1200 && !strstr(h_slurp(e9), "kbdecho ready\n"); i++)
		usleep(100 * 1000);
	ck_assert_msg(strstr(h_slurp(e9), "kbdecho ready\n"), "no prompt:\n%s", h_slurp(e9));
	send_keys((const char *const[]){"send-keys", "echo", "--text", line, "ret", NULL});
	status = h_wait(&p, 120);
	ck_assert_msg(status == ((0x10 << 1) | 1), "status %d (Enter lost?), typed:\n%s", status,
		      strstr(h_slurp(e9), "kbdecho ready"));
	snprintf(want, sizeof want, "kbdecho ready\n%s\n", line);
	ck_assert_msg(strstr(h_slurp(e9), want), "typed:\n%s\nwanted:\n%s",
		      strstr(h_slurp(e9), "kbdecho ready"), want);
}
END_TEST

/* `hv list -l` shows the LEDs and typematic rate the guest programmed
 * (kbd.asm: all three LEDs, F3h 45h) and the key events still to type. */
START_TEST(test_list_shows_the_keyboard_state_and_queued_keys)
{
	struct h_proc p;

	start_kbd(&p);
	ck_assert_str_eq(h_info("kbd", "kbd_leds"), "num,caps,scroll");
	ck_assert_str_eq(h_info("kbd", "kbd_typematic"), "18.4cps/750ms");
	ck_assert_str_eq(h_info("kbd", "keys_queued"), "0");
	/* and the PIC as kbd.asm set it up: only IRQ 1 open, nothing in service */
	ck_assert_msg(strstr(h_info("kbd", "pic0"), " isr=00/00 imr=fd/ff "), "pic0 %s",
		      h_info("kbd", "pic0"));
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"pause", "kbd", NULL})->status, 0);
	send_keys((const char *const[]){"send-keys", "kbd", "a", "b", "esc", NULL});
	ck_assert_str_eq(h_info("kbd", "keys_queued"), "6");
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"unpause", "kbd", NULL})->status, 0);
	ck_assert_msg(h_expect(&p, "bye", 60), "output: %s", p.buf);
	ck_assert_msg(strstr(p.buf, "1E 9E 30 B0 01 81 "), "output: %s", p.buf);
	ck_assert_int_eq(h_wait(&p, 60), KBD_EXIT);
}
END_TEST

START_TEST(test_unknown_key_name_lists_near_names)
{
	struct h_result *r =
	    h_hv(NULL, 30, (const char *const[]){"send-keys", "nosuchdomain", "ctrl-retrun", NULL});

	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, "unknown key 'retrun'") && strstr(r->err, "return"), "%s",
		      r->err);
	r = h_hv(NULL, 30, (const char *const[]){"send-keys", "nosuchdomain", "a", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_msg(strstr(r->err, "nosuchdomain"), "%s", r->err);
}
END_TEST

START_TEST(test_a20_gate_and_reset_lines)
{
	char path[512], extra[600];
	struct h_result *r;
	const char *e9;

	snprintf(path, sizeof path, "%s/e9.txt", h_setup_dir());
	snprintf(extra, sizeof extra, "debugcon = \"file:%s\"\n", path);
	r = h_hv(NULL, 120, (const char *const[]){"run", h_guest_cfg("a20", "a20", extra), NULL});
	e9 = h_slurp(path);
	ck_assert_msg(r->status == ((0x14 << 1) | 1), "status %d, debugcon:\n%s", r->status, e9);
	ck_assert_msg(strstr(e9, "a20 ok\nreset by i8042\nreset by port 92h\nresets ok\n"), "%s",
		      e9);
}
END_TEST

START_TEST(test_seabios_initialises_the_ps2_keyboard)
{
	const char *bios = "/usr/share/seabios/bios-256k.bin";
	char path[512], text[1024];
	const char *log;

	snprintf(path, sizeof path, "%s/seabios.txt", h_setup_dir());
	snprintf(text, sizeof text,
		 "name = \"sb\"\nmemory = 32\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "debugcon = \"file:%s\"\n",
		 bios, path);
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file("sb.cfg", text), NULL})
		->status,
	    0);
	for (int i = 0; i < 3000 && !strstr(h_slurp(path), "No bootable device."); i++)
		usleep(100 * 1000);
	h_hv(NULL, 30, (const char *const[]){"destroy", "sb", NULL});
	log = h_slurp(path);
	ck_assert_msg(strstr(log, "PS2 keyboard initialized\n"), "debug output:\n%s", log);
	ck_assert_msg(strstr(log, "No bootable device."), "%s", log);
}
END_TEST

static Suite *input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *t = tcase_create("i8042");

	h_fixture(t);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_send_keys_arrive_as_translated_scan_codes);
	tcase_add_test(t, test_long_text_queues_until_the_guest_reads_it);
	tcase_add_test(t, test_long_line_reaches_a_bios_guest_whole);
	tcase_add_test(t, test_list_shows_the_keyboard_state_and_queued_keys);
	tcase_add_test(t, test_unknown_key_name_lists_near_names);
	tcase_add_test(t, test_a20_gate_and_reset_lines);
	tcase_add_test(t, test_seabios_initialises_the_ps2_keyboard);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(input_suite());
}
