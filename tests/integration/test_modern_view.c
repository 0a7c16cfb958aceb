/* End to end in a real X server (Xvfb, driven by xdotool): the modern
 * guest of assets/guests/modern with vfb = [ 'type=virtio' ] in `hv view`.
 *   - a key typed into the window arrives at the guest's virtio-input
 *     keyboard as an evdev event (read from /dev/input/eventN);
 *   - with the guest's tablet driver up, the window's corners are the
 *     tablet's 0 and 32767 on both axes (the pointer is not grabbed);
 *   - resizing the window makes its size the guest's preferred mode, as
 *     the guest's DRM connector reports it in sysfs, and its fbcon's
 *     scanout follows.
 * The guest missing is a failure, not a skip. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "xvfb.h"

#ifndef HV_MODERN_GUEST_DIR
#error "CMake passes HV_MODERN_GUEST_DIR: where assets/guests/modern/build.sh puts its files"
#endif

#define NAME		  "modernview"
#define BOOT_TIMEOUT_S	  1200
#define COMMAND_TIMEOUT_S 300

static struct h_proc xvfb;

static void setup(void)
{
	h_setup();
	x_start(&xvfb);
}

static void teardown(void)
{
	x_stop(&xvfb);
	h_teardown();
}

static unsigned long window_of(void)
{
	return strtoul(x_sh("xdotool search --name '^" NAME " \\(' 2>/dev/null | head -1"), NULL,
		       10);
}

/* Runs a guest command until its output (after `marker`) holds `needle`,
 * every 2 s while `poke` (a host shell line, or NULL) keeps doing its
 * part. */
static bool guest_until(struct h_proc *p, const char *cmd, const char *marker, const char *needle,
			const char *poke)
{
	for (int waited = 0; waited < COMMAND_TIMEOUT_S; waited += 2) {
		if (poke)
			x_sh("%s", poke);
		h_run_cmd(p, cmd, marker, COMMAND_TIMEOUT_S);
		if (strstr(p->buf, needle))
			return true;
		sleep(2);
	}
	return false;
}

static const char *cfg(void)
{
	char keys[1000];

	snprintf(keys, sizeof keys,
		 "vfb = [ 'type=virtio' ]\n"
		 "disk = [ 'format=raw,vdev=xvda,access=rw,target=%s' ]\n",
		 h_modern_root(HV_MODERN_GUEST_DIR));
	return h_modern_cfg(HV_MODERN_GUEST_DIR, NAME, "", keys);
}

/* The guest's event device whose name matches a shell pattern, as a shell
 * variable; its events are dumped in hex to /tmp/$var. */
static void dump_events(struct h_proc *p, const char *var, const char *pattern)
{
	char cmd[600], marker[32];

	snprintf(marker, sizeof marker, "%s-dev=event", var);
	snprintf(cmd, sizeof cmd,
		 "%s=; for e in /sys/class/input/event*; do case $(cat $e/device/name) in "
		 "%s) %s=${e##*/};; esac; done; "
		 "busybox hexdump -v -e '16/1 \"%%02x\" \"\\n\"' /dev/input/$%s >/tmp/%s & "
		 "echo %s-dev=$%s\n",
		 var, pattern, var, var, var, var, var);
	h_run_cmd(p, cmd, marker, COMMAND_TIMEOUT_S);
}

START_TEST(test_modern_guest_in_the_viewer)
{
	struct h_proc p, view;
	unsigned long win = 0;
	char poke[256];
	const char *info;

	h_spawn(&p, (const char *const[]){"run", cfg(), NULL});
	h_modern_wait(&p, BOOT_TIMEOUT_S);
	/* fbcon is on virtio-gpu at the mode hv offered. */
	h_run_cmd(&p, "echo fbname=$(cat /sys/class/graphics/fb0/name) end-$((2*3))\n", "end-6",
		  COMMAND_TIMEOUT_S);
	ck_assert_msg(strstr(p.buf, "fbname=virtio"), "fb0 is not virtio-gpu's:\n%s", p.buf);

	h_spawn(&view, (const char *const[]){"view", NAME, NULL});
	for (int i = 0; i < 600 && !win; i++) {
		win = window_of();
		if (!win)
			usleep(100 * 1000);
	}
	ck_assert_msg(win, "no window for %s: %s", NAME, view.buf);
	ck_assert_msg(guest_until(&p, "echo; echo pf=$((3*3))\n", "pf=9", "pf=9", NULL), "%s",
		      p.buf);

	/* Keys typed in the window: KEY_A (30) down is 01 00 1e 00 01 00 00 00. */
	dump_events(&p, "kbd", "*virtio*keyboard*");
	snprintf(poke, sizeof poke, "xdotool windowfocus --sync %lu; xdotool key a", win);
	ck_assert_msg(guest_until(&p, "busybox cat /tmp/kbd; echo k-$((4*4))\n", "k-16",
				  "01001e0001000000", poke),
		      "no KEY_A from the window at the guest's keyboard:\n%s", p.buf);

	/* The tablet: the window's first and last pixels are 0 and 32767 (the
	 * window wholly on the X screen, or the pointer stops at its edge). */
	x_sh("xdotool windowmove --sync %lu 0 0", win);
	dump_events(&p, "tab", "*virtio*tablet*");
	snprintf(poke, sizeof poke,
		 "xdotool mousemove --window %lu 0 0; sleep 0.3; "
		 "xdotool mousemove --window %lu 1023 767; sleep 0.3",
		 win, win);
	ck_assert_msg(guest_until(&p, "busybox cat /tmp/tab | busybox sort -u; echo t-$((5*5))\n",
				  "t-25", "03000100ff7f0000", poke),
		      "no ABS_Y 32767 from the tablet:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "03000000ff7f0000"), "no ABS_X 32767:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "0300000000000000"), "no ABS_X 0:\n%s", p.buf);
	ck_assert_msg(strstr(p.buf, "0300010000000000"), "no ABS_Y 0:\n%s", p.buf);
	info = h_info(NAME, "tablet0");
	ck_assert_msg(info && strstr(info, "kind=tablet") && !strstr(info, " events=0 "),
		      "tablet0 in hv list -l: %s", info ? info : "(none)");

	/* Resizing the window offers its size as the preferred mode; the
	 * guest's fbcon takes it (smaller than the framebuffer it made at
	 * boot). */
	snprintf(poke, sizeof poke, "xdotool windowsize %lu 800 600", win);
	ck_assert_msg(
	    guest_until(&p,
			"echo; echo modes=$(busybox head -1 /sys/class/drm/card0-*/modes) "
			"r-$((6*6))\n",
			"r-36", "modes=800x600 ", poke),
	    "the guest's preferred mode did not follow the window:\n%s", p.buf);
	info = h_info(NAME, "gpu0");
	ck_assert_msg(info && strstr(info, "mode=800x600 ") && strstr(info, "scanout=800x600 "),
		      "gpu0 in hv list -l: %s", info ? info : "(none)");

	kill(view.pid, SIGTERM);
	h_wait(&view, 10);
	h_power_off(&p, "poweroff\n", COMMAND_TIMEOUT_S);
}
END_TEST

static Suite *modern_view_suite(void)
{
	Suite *s = suite_create("modern_view");
	TCase *tc = tcase_create("viewer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, BOOT_TIMEOUT_S + 6 * COMMAND_TIMEOUT_S);
	tcase_add_test(tc, test_modern_guest_in_the_viewer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return h_main(modern_view_suite());
}
