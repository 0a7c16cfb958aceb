/* The display path end to end: `hv screenshot` of a VGA text screen, and
 * `hv view` in a real X server (Xvfb) driven by xdotool: its window's
 * pixels (read back with xwd) equal `hv screenshot` after the guest
 * switches to mode 13h, keys typed into the window reach the guest, the
 * hotkeys move between two domains, Ctrl+Alt+S saves the screen, and the
 * window outlives its domain when asked to. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "display/png.h"
#include "harness.h"
#include "xvfb.h"

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

/* A command line, formatted (static storage). */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static const char *fmt(const char *f, ...)
{
	static char line[1024];
	va_list ap;

	va_start(ap, f);
	vsnprintf(line, sizeof line, f, ap);
	va_end(ap);
	return line;
}

/* Polls until a command's output contains needle. */
static bool sh_until(const char *needle, int timeout_s, const char *cmd)
{
	for (int i = 0; i < timeout_s * 10; i++) {
		if (strstr(x_sh("%s", cmd), needle))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static bool file_has(const char *path, const char *needle, int timeout_s)
{
	for (int i = 0; i < timeout_s * 10; i++) {
		if (strstr(h_slurp(path), needle))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* A SeaBIOS domain booting the vgaboot sector from a copy of it. */
static void create_vgaboot(const char *name)
{
	char cfg[2048], img[512], e9[512], cfgname[64];

	snprintf(img, sizeof img, "%s/%s.img", h_setup_dir(), name);
	snprintf(e9, sizeof e9, "%s/%s.e9", h_setup_dir(), name);
	ck_assert_int_eq(system(fmt("cp %s %s", h_guest("vgaboot"), img)), 0);
	snprintf(cfg, sizeof cfg,
		 "name = \"%s\"\nmemory = 32\nfirmware = \"/usr/share/seabios/bios.bin\"\n"
		 "serial = \"none\"\ndebugcon = \"file:%s\"\n"
		 "disk = [ \"format=raw,vdev=hda,access=ro,target=%s\" ]\nboot = \"c\"\n",
		 name, e9, img);
	snprintf(cfgname, sizeof cfgname, "%s.cfg", name);
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file(cfgname, cfg), NULL})
		->status,
	    0);
}

static const char *e9_path(const char *name)
{
	static char p[512];

	snprintf(p, sizeof p, "%s/%s.e9", h_setup_dir(), name);
	return p;
}

/* The X window of domain `name`'s viewer (0 if none), by title. */
static unsigned long window_of(const char *name)
{
	return strtoul(x_sh("xdotool search --name '^%s \\(' 2>/dev/null | head -1", name), NULL,
		       10);
}

/* For a failure message: what the viewer printed, whether it still runs,
 * and the named windows on the display (static storage). */
static const char *viewer_state(struct h_proc *view)
{
	static char text[80 * 1024];
	int status;

	h_expect(view, "\x01", 1); /* collect its output */
	snprintf(text, sizeof text, "viewer %s; it said: %s\nwindows: %s",
		 waitpid(view->pid, &status, WNOHANG) == 0 ? "running" : "gone", view->buf,
		 x_sh("for w in $(xdotool search --name . 2>/dev/null); do "
		      "echo \"$w $(xdotool getwindowname $w)\"; done"));
	return text;
}

/* Waits for the window of viewer process `view`; on failure says what the
 * viewer printed. */
static unsigned long wait_window(struct h_proc *view, const char *name)
{
	unsigned long w = 0;

	for (int i = 0; i < 1200 && !w; i++) { /* a cold first start under ASan is slow */
		w = window_of(name);
		if (!w)
			usleep(100 * 1000);
	}
	ck_assert_msg(w, "no window for %s; %s", name, viewer_state(view));
	return w;
}

/* Focuses domain `name`'s window, looked up afresh (SDL may recreate a
 * window, e.g. for its renderer), and types `keys` (xdotool key names). */
static void keys_to(const char *name, const char *keys)
{
	x_sh("xdotool windowfocus --sync %lu; xdotool key --delay 50 %s", window_of(name), keys);
}

/* Reads a 24/32-bit ZPixmap XWD dump into XRGB pixels. */
static bool read_xwd(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[100];
	uint32_t field[25];
	long size;
	uint8_t *data;

	if (!f || fread(hdr, 1, 100, f) != 100) {
		if (f)
			fclose(f);
		return false;
	}
	for (int i = 0; i < 25; i++)
		field[i] = (uint32_t)hdr[4 * i] << 24 | hdr[4 * i + 1] << 16 | hdr[4 * i + 2] << 8 |
			   hdr[4 * i + 3];
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	img->width = field[4];
	img->height = field[5];
	if (field[11] != 32 || field[7] != 0 || size < (long)(field[0] + field[19] * 12) ||
	    size - (field[0] + field[19] * 12) < (long)field[12] * img->height) {
		fclose(f);
		return false;
	}
	data = malloc((size_t)field[12] * img->height);
	img->pixels = malloc((size_t)img->width * img->height * 4);
	fseek(f, (long)(field[0] + field[19] * 12), SEEK_SET);
	ck_assert_int_eq(fread(data, field[12], img->height, f), img->height);
	fclose(f);
	for (unsigned y = 0; y < img->height; y++)
		memcpy(img->pixels + y * img->width, data + (size_t)y * field[12], img->width * 4);
	free(data);
	return true;
}

/* Pixels that differ between the window and a PNG (ignoring the X byte). */
static long diff_pixels(const struct image *win, const struct image *png)
{
	long bad = 0;

	if (win->width != png->width || win->height != png->height)
		return -1;
	for (unsigned i = 0; i < win->width * win->height; i++)
		bad += (win->pixels[i] & 0xffffff) != (png->pixels[i] & 0xffffff);
	return bad;
}

/* Compares the viewer's window with `hv screenshot` until they agree (the
 * viewer shows a frame a little after the domain draws it). */
static long window_vs_screenshot(const char *name, unsigned long win)
{
	char shot[512], xwd[512], err[256];
	long bad = -2;

	snprintf(shot, sizeof shot, "%s/shot.png", h_setup_dir());
	snprintf(xwd, sizeof xwd, "%s/win.xwd", h_setup_dir());
	for (int i = 0; i < 50 && bad != 0; i++) {
		struct image a = {0}, b = {0};

		usleep(100 * 1000);
		if (h_hv(NULL, 30, (const char *const[]){"screenshot", name, shot, NULL})->status ||
		    system(fmt("xwd -silent -id %lu -out %s", win, xwd)) != 0 ||
		    png_read(shot, &b, err, sizeof err) < 0 || !read_xwd(xwd, &a)) {
			image_free(&b);
			continue;
		}
		bad = diff_pixels(&a, &b);
		image_free(&a);
		image_free(&b);
	}
	return bad;
}

/* Without a reachable X server SDL would fall back to its invisible
 * "offscreen" driver: the viewer says so and exits instead. */
START_TEST(test_viewer_withoutAnXServer_failsAndSaysSo)
{
	struct h_result *r;

	setenv("DISPLAY", ":4242", 1);
	r = h_hv(NULL, 60, (const char *const[]){"view", "nobody", NULL});
	ck_assert_int_eq(r->status, 1);
	ck_assert_ptr_nonnull(strstr(r->err, "no display: cannot connect to X server :4242"));
}
END_TEST

START_TEST(test_screenshot_ofTextScreen_drawsTheGuestsText)
{
	const char *cfg = h_guest_cfg("vt", "vgatext", "serial = \"none\"\n");
	char shot[512], err[256];
	struct image img;
	long lit_row0 = 0, lit_row1 = 0;

	ck_assert_int_eq(h_hv(NULL, 60, (const char *const[]){"create", cfg, NULL})->status, 0);
	snprintf(shot, sizeof shot, "%s/vt.png", h_setup_dir());
	ck_assert(sh_until("hello from B8000h", 60, "$HV screen vt --text"));
	ck_assert_int_eq(
	    h_hv(NULL, 30, (const char *const[]){"screenshot", "vt", shot, NULL})->status, 0);
	ck_assert_int_eq(png_read(shot, &img, err, sizeof err), 0);
	ck_assert_uint_eq(img.width, 720); /* 80 columns of 9 dots */
	ck_assert_uint_eq(img.height, 400);
	for (unsigned y = 0; y < 16; y++)
		for (unsigned x = 0; x < 720; x++)
			lit_row0 += (img.pixels[y * 720 + x] & 0xffffff) != 0;
	for (unsigned y = 16; y < 32; y++)
		for (unsigned x = 0; x < 720; x++)
			lit_row1 += (img.pixels[y * 720 + x] & 0xffffff) != 0;
	/* "hv vgatext: hello from B8000h" lights a few hundred pixels; the
	 * empty second row none. */
	ck_assert_int_gt(lit_row0, 200);
	ck_assert_int_eq(lit_row1, 0);
	image_free(&img);
}
END_TEST

START_TEST(test_viewer_matchesScreenshotAfterModeSwitch_andTakesKeys)
{
	struct h_proc view;
	unsigned long win;

	create_vgaboot("vb");
	h_spawn(&view, (const char *const[]){"view", "--unscaled", "vb", NULL});
	wait_window(&view, "vb");
	ck_assert_msg(file_has(e9_path("vb"), "ready", 120), "%s", h_slurp(e9_path("vb")));
	keys_to("vb", "x");
	ck_assert_msg(file_has(e9_path("vb"), "key=x", 30), "no key=x from the guest: %s\n%s",
		      viewer_state(&view), h_slurp(e9_path("vb")));
	ck_assert(file_has(e9_path("vb"), "mode13", 60));
	win = window_of("vb");
	ck_assert_int_eq(window_vs_screenshot("vb", win), 0);
	ck_assert(sh_until("320x200", 30, fmt("xdotool getwindowgeometry %lu", win)));
	keys_to("vb", "q");
	ck_assert_msg(file_has(e9_path("vb"), "key=q", 30), "no key=q from the guest: %s",
		      viewer_state(&view));
	kill(view.pid, SIGTERM);
	h_wait(&view, 10);
}
END_TEST

START_TEST(test_viewer_ctrlAltS_savesTheScreen)
{
	struct h_proc view;
	unsigned long win;
	char shot[512], saved[600], err[256];
	struct image a, b;

	create_vgaboot("vs");
	h_spawn(&view, (const char *const[]){"view", "--shots", h_setup_dir(), "vs", NULL});
	wait_window(&view, "vs");
	ck_assert(file_has(e9_path("vs"), "ready", 120));
	keys_to("vs", "x");
	ck_assert_msg(file_has(e9_path("vs"), "mode13", 60), "no mode13 from the guest: %s",
		      viewer_state(&view));
	win = window_of("vs");
	ck_assert_int_eq(window_vs_screenshot("vs", win), 0); /* the viewer has drawn it */
	keys_to("vs", "ctrl+alt+s");
	ck_assert_msg(h_expect(&view, "saved ", 30), "%s", viewer_state(&view));
	snprintf(saved, sizeof saved, "%s",
		 x_sh("ls %s/vs-*.png 2>/dev/null | head -1", h_setup_dir()));
	ck_assert_msg(saved[0], "no screenshot in %s: %s", h_setup_dir(), view.buf);
	snprintf(shot, sizeof shot, "%s/ref.png", h_setup_dir());
	ck_assert_int_eq(
	    h_hv(NULL, 30, (const char *const[]){"screenshot", "vs", shot, NULL})->status, 0);
	ck_assert_int_eq(png_read(saved, &a, err, sizeof err), 0);
	ck_assert_int_eq(png_read(shot, &b, err, sizeof err), 0);
	ck_assert_int_eq(diff_pixels(&a, &b), 0);
	image_free(&a);
	image_free(&b);
	kill(view.pid, SIGTERM);
	h_wait(&view, 10);
}
END_TEST

/* A domain showing VGA text, with more config keys (or ""). */
static void create_text_guest_with(const char *name, const char *keys)
{
	char cfg[1024], cfgname[64];

	snprintf(cfg, sizeof cfg,
		 "name = \"%s\"\nmemory = 16\nfirmware = \"%s\"\nserial = \"none\"\n%s", name,
		 h_guest("vgatext"), keys);
	snprintf(cfgname, sizeof cfgname, "%s.cfg", name);
	ck_assert_int_eq(
	    h_hv(NULL, 60, (const char *const[]){"create", h_write_file(cfgname, cfg), NULL})
		->status,
	    0);
}

static void create_text_guest(const char *name)
{
	create_text_guest_with(name, "");
}

START_TEST(test_hotkeys_switchTheSingleWindowBetweenDomains)
{
	struct h_proc view;
	unsigned long win;

	create_text_guest("aa");
	create_text_guest("bb");
	h_spawn(&view, (const char *const[]){"view", "--single", "aa", NULL});
	win = wait_window(&view, "aa");
	x_sh("xdotool windowfocus --sync %lu; xdotool key ctrl+alt+Right", win);
	ck_assert(sh_until("bb (", 30, fmt("xdotool getwindowname %lu", win)));
	x_sh("xdotool windowfocus --sync %lu; xdotool key ctrl+alt+Left", win);
	ck_assert(sh_until("aa (", 30, fmt("xdotool getwindowname %lu", win)));
	x_sh("xdotool windowfocus --sync %lu; xdotool key ctrl+alt+2", win);
	ck_assert(sh_until("bb (", 30, fmt("xdotool getwindowname %lu", win)));
	kill(view.pid, SIGTERM);
	h_wait(&view, 10);
}
END_TEST

START_TEST(test_hotkeys_moveFocusBetweenWindows)
{
	struct h_proc view;
	unsigned long a;

	create_text_guest("aa");
	create_text_guest("bb");
	h_spawn(&view, (const char *const[]){"view", "aa", "bb", NULL});
	a = wait_window(&view, "aa");
	wait_window(&view, "bb");
	x_sh("xdotool windowfocus --sync %lu", a);
	ck_assert(sh_until("aa (", 10, "xdotool getwindowfocus getwindowname"));
	x_sh("xdotool key ctrl+alt+Right");
	ck_assert(sh_until("bb (", 30, "xdotool getwindowfocus getwindowname"));
	x_sh("xdotool key ctrl+alt+Right");
	ck_assert(sh_until("aa (", 30, "xdotool getwindowfocus getwindowname"));
	kill(view.pid, SIGTERM);
	h_wait(&view, 10);
}
END_TEST

START_TEST(test_viewer_outlivesItsDomain)
{
	struct h_proc waiting, closing;
	unsigned long win;

	create_text_guest("aa");
	h_spawn(&waiting, (const char *const[]){"view", "--wait", "aa", NULL});
	win = wait_window(&waiting, "aa");
	h_spawn(&closing, (const char *const[]){"view", "aa", NULL});
	ck_assert(sh_until("2", 30, "xdotool search --name '^aa \\(' | wc -l"));
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "aa", NULL})->status, 0);
	ck_assert_int_eq(h_wait(&closing, 30), 0);
	ck_assert(sh_until("(stopped)", 30, fmt("xdotool getwindowname %lu", win)));
	kill(waiting.pid, SIGTERM);
	h_wait(&waiting, 10);
}
END_TEST

/* sdl = 1 (xl's key): hv create opens the viewer itself, and its window
 * closes with the domain; its messages go to the state directory. */
START_TEST(test_sdl1_opensTheWindow_whichClosesWithTheDomain)
{
	char log[512];

	create_text_guest_with("sd", "sdl = 1\n");
	ck_assert_msg(sh_until("1", 1200 / 10, "xdotool search --name '^sd \\(' | wc -l"),
		      "no window for sd; windows: %s",
		      x_sh("xdotool search --name . getwindowname %%@ 2>/dev/null"));
	snprintf(log, sizeof log, "%s/state/hv/sd.view.log", h_setup_dir());
	ck_assert_msg(access(log, F_OK) == 0, "no %s", log);
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"destroy", "sd", NULL})->status, 0);
	ck_assert_msg(sh_until("0", 30, "xdotool search --name '^sd \\(' | wc -l"),
		      "the window outlived its domain");
}
END_TEST

/* Opened from the desktop entry with nothing running, the viewer says so
 * in a message box (stderr goes nowhere there), and exits once it is
 * dismissed. */
START_TEST(test_viewer_withNoDomain_saysSoOnScreen)
{
	struct h_proc view;
	unsigned long win = 0;

	h_spawn(&view, (const char *const[]){"view", "--wait", NULL});
	for (int i = 0; i < 300 && !win; i++) {
		/* xdotool's search does not see SDL's message box; xwininfo does. */
		win = strtoul(x_sh("xwininfo -root -tree | sed -n 's/^ *\\(0x[0-9a-f]*\\) \"hv "
				   "view\".*/\\1/p' | head -1"),
			      NULL, 16);
		if (!win)
			usleep(100 * 1000);
	}
	ck_assert_msg(win, "no message box: %.*s", (int)view.len, view.buf);
	ck_assert(h_expect(&view, "hv view: no domain is running", 30));
	ck_assert_int_eq(kill(view.pid, 0), 0); /* it waits for the user */
	x_sh("xdotool windowfocus --sync %lu; xdotool key Return", win);
	ck_assert_int_eq(h_wait(&view, 30), 1);
}
END_TEST

static Suite *view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *shot = tcase_create("screenshot"), *tc = tcase_create("viewer");

	h_fixture(shot);
	tcase_set_timeout(shot, 300);
	tcase_add_test(shot, test_screenshot_ofTextScreen_drawsTheGuestsText);
	tcase_add_test(shot, test_viewer_withoutAnXServer_failsAndSaysSo);
	suite_add_tcase(s, shot);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_viewer_matchesScreenshotAfterModeSwitch_andTakesKeys);
	tcase_add_test(tc, test_viewer_ctrlAltS_savesTheScreen);
	tcase_add_test(tc, test_hotkeys_switchTheSingleWindowBetweenDomains);
	tcase_add_test(tc, test_hotkeys_moveFocusBetweenWindows);
	tcase_add_test(tc, test_viewer_outlivesItsDomain);
	tcase_add_test(tc, test_sdl1_opensTheWindow_whichClosesWithTheDomain);
	tcase_add_test(tc, test_viewer_withNoDomain_saysSoOnScreen);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	setenv("HV", HV_BIN, 1);
	return h_main(view_suite());
}
