/* Display backend with a synthetic device: the hello and its memfd,
 * damage flow control by acks, resizes, input from viewers, viewers that
 * stop reading or hang up. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "display/client.h"
#include "display/display.h"
#include "hv/core/evloop.h"
#include "hv/core/ctl.h"

#include "unit.h"

/* The synthetic device: paints `color` into `area` on each render,
 * resizing first when asked. */
struct fake_dev {
	struct rect area;
	uint32_t color;
	unsigned new_w, new_h;
	int renders;
};

static void fake_render(void *opaque, struct surface *s)
{
	struct fake_dev *f = opaque;

	f->renders++;
	if (f->new_w) {
		surface_resize(s, f->new_w, f->new_h);
		f->new_w = 0;
	}
	for (unsigned y = f->area.y; y < f->area.y + f->area.h; y++)
		for (unsigned x = f->area.x; x < f->area.x + f->area.w; x++)
			s->pixels[y * s->stride / 4 + x] = f->color;
	if (f->area.w)
		surface_damage(s, f->area.x, f->area.y, f->area.w, f->area.h);
	f->area.w = 0;
}

static const struct display_device_ops fake_ops = {.name = "fake", .render = fake_render};

struct keys {
	unsigned code[8];
	bool down[8];
	int n;
	int mouse_dx, mouse_buttons;
	int abs_x, abs_y, abs_buttons, abs_n;
	unsigned size_w, size_h;
	int size_n;
};

static void on_abs(void *opaque, int x, int y, unsigned buttons)
{
	struct keys *k = opaque;

	k->abs_x = x;
	k->abs_y = y;
	k->abs_buttons = (int)buttons;
	k->abs_n++;
}

static void on_size(void *opaque, unsigned w, unsigned h)
{
	struct keys *k = opaque;

	k->size_w = w;
	k->size_h = h;
	k->size_n++;
}

static void on_key(void *opaque, unsigned code, bool down)
{
	struct keys *k = opaque;

	k->code[k->n] = code;
	k->down[k->n++] = down;
}

static void on_mouse(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
	struct keys *k = opaque;

	(void)dy;
	(void)dz;
	k->mouse_dx = dx;
	k->mouse_buttons = (int)buttons;
}

static const struct display_input_ops input_ops = {
    .key = on_key, .mouse = on_mouse, .abs = on_abs, .size = on_size};

static struct display dp;
static struct evloop *loop;
static struct fake_dev dev;
static struct keys keys;
static int64_t now;

static void setup(void)
{
	char err[128];

	loop = evloop_create();
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(display_init(&dp, "t", loop, err, sizeof err), 0);
	memset(&dev, 0, sizeof dev);
	memset(&keys, 0, sizeof keys);
	display_set_device(&dp, &fake_ops, &dev);
	display_set_input(&dp, &input_ops, &keys);
	now = 1000000000;
}

static void teardown(void)
{
	display_fini(&dp);
	evloop_free(loop);
}

/* Attaches one end of a socketpair; returns the viewer's end as a ctl
 * (whose reader keeps passed descriptors) after reading the hello. */
static void attach(struct ctl *c, char *hello, size_t len)
{
	int sv[2];
	char err[128];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	*c = (struct ctl){.fd = sv[0], .passed_fd = -1};
	ck_assert_int_eq(display_attach(&dp, sv[1], err, sizeof err), 0);
	ck_assert_int_ge(ctl_read_line(c, hello, len, 1000), 0);
}

/* One frame of the event loop. */
static void frame(void)
{
	now += DISPLAY_REFRESH_MS * 1000000ll;
	if (display_refresh_due(&dp, now))
		display_render(&dp, now);
	display_publish(&dp, "running");
}

/* One round of the event loop: what the viewers sent. */
static void service(void)
{
	ck_assert_int_eq(evloop_run_once(loop, 0), 0);
}

static bool next_line(struct ctl *c, char *line, size_t len)
{
	return ctl_read_line(c, line, len, 0) >= 0;
}

START_TEST(test_attach_sendsGeometryAndTheMemfd)
{
	struct ctl c;
	char hello[256];
	uint32_t *view;
	int fd;

	attach(&c, hello, sizeof hello);
	ck_assert_str_eq(hello, "ok display width=640 height=480 stride=2560 size=16404480 "
				"cursor=16384000 device=fake");
	fd = ctl_take_fd(&c);
	ck_assert_int_ge(fd, 0);
	view = mmap(NULL, SURFACE_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(view, MAP_FAILED);
	dp.surface.pixels[7] = 0x00ff00;
	ck_assert_uint_eq(view[7], 0x00ff00);
	munmap(view, SURFACE_BYTES);
	close(fd);
	ctl_close(&c);
}
END_TEST

START_TEST(test_firstFrame_isAFullDamageThenState)
{
	struct ctl c;
	char line[256];

	attach(&c, line, sizeof line);
	frame();
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "state running");
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert(strncmp(line, "damage 0 0 640 480 ", 19) == 0);
	ck_assert(!next_line(&c, line, sizeof line));
	ctl_close(&c);
}
END_TEST

START_TEST(test_damage_waitsForAckAndCoalesces)
{
	struct ctl c;
	char line[256];

	attach(&c, line, sizeof line);
	frame();
	while (next_line(&c, line, sizeof line))
		;
	dev.area = (struct rect){10, 10, 5, 5};
	dev.color = 0xff0000;
	frame();
	dev.area = (struct rect){100, 50, 10, 10};
	frame();
	ck_assert(!next_line(&c, line, sizeof line)); /* the first is not acked */
	ck_assert_int_eq(write(c.fd, "ack\n", 4), 4);
	service();
	frame();
	ck_assert(next_line(&c, line, sizeof line));
	/* T is when the older of the two changes was drawn (frame 2). */
	ck_assert_str_eq(line, "damage 10 10 100 50 1032000000");
	ck_assert_uint_eq(dp.surface.pixels[10 * 640 + 10], 0xff0000);
	ctl_close(&c);
}
END_TEST

START_TEST(test_resize_isAnnouncedBeforeDamage)
{
	struct ctl c;
	char line[256];

	attach(&c, line, sizeof line);
	frame();
	while (next_line(&c, line, sizeof line))
		;
	dev.new_w = 720;
	dev.new_h = 400;
	frame();
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "resize 720 400 2880");
	ck_assert(!next_line(&c, line, sizeof line)); /* damage waits for the ack */
	ck_assert_int_eq(write(c.fd, "ack\n", 4), 4);
	service();
	frame();
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert(strncmp(line, "damage 0 0 720 400 ", 19) == 0);
	ctl_close(&c);
}
END_TEST

START_TEST(test_input_reachesTheInputOpsAndGarbageIsIgnored)
{
	struct ctl c;
	char line[256];
	const char *msgs = "key 30 1\nkey 30 0\nnonsense here\nkey 99999 1\nmouse -5 3 0 1\n";

	attach(&c, line, sizeof line);
	ck_assert_int_eq(write(c.fd, msgs, strlen(msgs)), (ssize_t)strlen(msgs));
	service();
	ck_assert_int_eq(keys.n, 2);
	ck_assert_uint_eq(keys.code[0], 30);
	ck_assert(keys.down[0]);
	ck_assert(!keys.down[1]);
	ck_assert_int_eq(keys.mouse_dx, -5);
	ck_assert_int_eq(keys.mouse_buttons, 1);
	ck_assert_int_eq(dp.nviewers, 1);
	ctl_close(&c);
}
END_TEST

START_TEST(test_absAndSize_reachTheInputOpsInRangeOnly)
{
	struct ctl c;
	char line[256];
	const char *msgs = "abs 0 32767 1\nabs -1 5 0\nabs 5 32768 0\nabs 1 2\n"
			   "size 1280 800\nsize 0 600\nsize 2561 600\nsize 800 1601\n";

	attach(&c, line, sizeof line);
	ck_assert_int_eq(write(c.fd, msgs, strlen(msgs)), (ssize_t)strlen(msgs));
	service();
	ck_assert_int_eq(keys.abs_n, 1);
	ck_assert_int_eq(keys.abs_x, 0);
	ck_assert_int_eq(keys.abs_y, 32767);
	ck_assert_int_eq(keys.abs_buttons, 1);
	ck_assert_int_eq(keys.size_n, 1);
	ck_assert_uint_eq(keys.size_w, 1280);
	ck_assert_uint_eq(keys.size_h, 800);
	ck_assert_int_eq(dp.nviewers, 1);
	ctl_close(&c);
}
END_TEST

/* The pointer travels in the memfd; viewers get one "cursor" per change
 * (not per frame), and one "pointer" line when absolute input comes or
 * goes. A viewer attaching later is told of a visible pointer at once. */
START_TEST(test_cursorAndPointerMode_areAnnouncedOncePerChange)
{
	static uint32_t image[SURFACE_CURSOR_SIZE * SURFACE_CURSOR_SIZE];
	struct ctl c, c2;
	char line[256];
	struct surface_cursor *got = malloc(sizeof *got);
	const struct surface_cursor *shared;
	int fd;
	void *view;

	attach(&c, line, sizeof line);
	fd = ctl_take_fd(&c);
	view = mmap(NULL, SURFACE_MAP_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(view, MAP_FAILED);
	shared = (const struct surface_cursor *)((char *)view + SURFACE_CURSOR_AT);
	frame();
	while (next_line(&c, line, sizeof line))
		ck_assert(strcmp(line, "cursor") != 0 && strncmp(line, "pointer", 7) != 0);
	image[5 * SURFACE_CURSOR_SIZE + 4] = 0xFF123456;
	surface_set_cursor(&dp.surface, true, 100, 50, image, 4, 5);
	dp.absolute = true;
	frame();
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "cursor");
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "pointer absolute");
	ck_assert(!next_line(&c, line, sizeof line));
	frame();
	ck_assert(!next_line(&c, line, sizeof line)); /* nothing changed */
	ck_assert(surface_read_cursor(shared, got));
	ck_assert(got->visible);
	ck_assert_int_eq(got->x, 100);
	ck_assert_int_eq(got->y, 50);
	ck_assert_uint_eq(got->hot_x, 4);
	ck_assert_uint_eq(got->hot_y, 5);
	ck_assert_uint_eq(got->image[5 * SURFACE_CURSOR_SIZE + 4], 0xFF123456);

	attach(&c2, line, sizeof line);
	frame();
	ck_assert(next_line(&c2, line, sizeof line));
	ck_assert_str_eq(line, "state running");
	ck_assert(next_line(&c2, line, sizeof line));
	ck_assert_str_eq(line, "cursor");
	ck_assert(next_line(&c2, line, sizeof line));
	ck_assert_str_eq(line, "pointer absolute");

	/* A move only: the image stays. */
	surface_set_cursor(&dp.surface, true, 7, 8, NULL, 0, 0);
	dp.absolute = false;
	frame();
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "cursor");
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "pointer relative");
	ck_assert(surface_read_cursor(shared, got));
	ck_assert_int_eq(got->x, 7);
	ck_assert_uint_eq(got->hot_x, 4);
	ck_assert_uint_eq(got->image[5 * SURFACE_CURSOR_SIZE + 4], 0xFF123456);
	free(got);
	munmap(view, SURFACE_MAP_BYTES);
	close(fd);
	ctl_close(&c2);
	ctl_close(&c);
}
END_TEST

/* A window position to the tablet's range: the picture's first and last
 * pixels are the range's ends, outside is clamped. */
START_TEST(test_absCoord_mapsThePicturesCornersToTheEnds)
{
	ck_assert_int_eq(display_abs_coord(40, 40, 1024), 0);
	ck_assert_int_eq(display_abs_coord(40 + 1023, 40, 1024), 32767);
	ck_assert_int_eq(display_abs_coord(0, 40, 1024), 0);
	ck_assert_int_eq(display_abs_coord(5000, 40, 1024), 32767);
	ck_assert_int_eq(display_abs_coord(40 + 511, 40, 1024), 16367);
	ck_assert_int_eq(display_abs_coord(3, 0, 1), 0);
	ck_assert_int_eq(display_abs_coord(3, 0, 0), 0);
}
END_TEST

START_TEST(test_viewerThatStopsReading_neverBlocksNorGrows)
{
	struct ctl c;
	char line[256];

	attach(&c, line, sizeof line);
	for (int i = 0; i < 10000; i++) {
		dev.area = (struct rect){(unsigned)i % 600, 0, 1, 1};
		frame();
	}
	ck_assert_int_eq(dp.nviewers, 1);
	ck_assert(next_line(&c, line, sizeof line)); /* state */
	ck_assert(next_line(&c, line, sizeof line)); /* the one damage in flight */
	ck_assert(!next_line(&c, line, sizeof line));
	ctl_close(&c);
}
END_TEST

START_TEST(test_viewerThatHangsUp_isDropped)
{
	struct ctl a, b;
	char line[256];

	attach(&a, line, sizeof line);
	attach(&b, line, sizeof line);
	ck_assert_int_eq(dp.nviewers, 2);
	ctl_close(&a);
	service();
	ck_assert_int_eq(dp.nviewers, 1);
	frame();
	ck_assert(next_line(&b, line, sizeof line));
	ctl_close(&b);
	service();
	ck_assert_int_eq(dp.nviewers, 0);
	ck_assert_int_eq(display_timeout_ms(&dp, now), -1);
}
END_TEST

/* A client that types and hangs up at once: the frame's send finds it
 * gone before the loop has read it, and its keys still arrive. */
START_TEST(test_keysSentJustBeforeAHangUp_stillArrive)
{
	struct ctl c;
	char line[256];
	const char *msgs = "key 25 1\nkey 25 0\nkey 28 1\nkey 28 0\n";

	attach(&c, line, sizeof line);
	ck_assert_int_eq(write(c.fd, msgs, strlen(msgs)), (ssize_t)strlen(msgs));
	ctl_close(&c);
	frame(); /* a full first frame, sent to a viewer that is gone */
	ck_assert_int_eq(dp.nviewers, 0);
	ck_assert_int_eq(keys.n, 4);
	ck_assert_uint_eq(keys.code[0], 25);
	ck_assert_uint_eq(keys.code[3], 28);
	ck_assert(!keys.down[3]);
}
END_TEST

START_TEST(test_attach_refusesPastTheLimit)
{
	struct ctl c[DISPLAY_MAX_VIEWERS];
	char line[256], err[128] = "";
	int sv[2];

	for (int i = 0; i < DISPLAY_MAX_VIEWERS; i++)
		attach(&c[i], line, sizeof line);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(display_attach(&dp, sv[1], err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "too many viewers"));
	close(sv[0]);
	close(sv[1]);
	for (int i = 0; i < DISPLAY_MAX_VIEWERS; i++)
		ctl_close(&c[i]);
}
END_TEST

START_TEST(test_noViewer_rendersNothing)
{
	ck_assert(!display_refresh_due(&dp, now));
	ck_assert_int_eq(display_timeout_ms(&dp, now), -1);
	frame();
	ck_assert_int_eq(dev.renders, 0);
}
END_TEST

/* A device that tells its changes: no refresh tick (the loop may sleep
 * for DISPLAY_IDLE_POLL_MS), a render as soon as a change is told and a
 * viewer can take it, the damage dated by the first change, and none
 * while every viewer has one in flight. */
START_TEST(test_onDemand_rendersOnChangeOnlyWhenAViewerCanTakeIt)
{
	struct ctl c;
	char line[256];
	int renders;

	attach(&c, line, sizeof line);
	dp.on_demand = true;
	ck_assert(display_refresh_due(&dp, now)); /* the new viewer's whole screen */
	display_render(&dp, now);
	display_publish(&dp, "running");
	while (next_line(&c, line, sizeof line))
		;
	ck_assert_int_eq(write(c.fd, "ack\n", 4), 4);
	service();
	now += 5 * 1000000000ll; /* nothing changed: nothing due, however long */
	ck_assert(!display_refresh_due(&dp, now));
	ck_assert_int_eq(display_timeout_ms(&dp, now), DISPLAY_IDLE_POLL_MS);
	dev.area = (struct rect){1, 2, 3, 4};
	ck_assert(display_changed(&dp, now));
	ck_assert(!display_changed(&dp, now + 1000)); /* one wake-up per render */
	ck_assert(display_refresh_due(&dp, now + 2000));
	ck_assert_int_eq(display_timeout_ms(&dp, now + 2000), 0);
	display_render(&dp, now + 2000);
	display_publish(&dp, "running");
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "damage 1 2 3 4 6000000000");
	/* In flight: a new change waits for the ack, then renders. */
	dev.area = (struct rect){7, 7, 1, 1};
	ck_assert(display_changed(&dp, now + 3000));
	ck_assert(!display_refresh_due(&dp, now + 4000));
	renders = dev.renders;
	ck_assert_int_eq(write(c.fd, "ack\n", 4), 4);
	service();
	ck_assert(display_refresh_due(&dp, now + 5000));
	display_render(&dp, now + 5000);
	display_publish(&dp, "running");
	ck_assert_int_eq(dev.renders, renders + 1);
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "damage 7 7 1 1 6000003000");
	ctl_close(&c);
}
END_TEST

/* The state is sent when it changes, by value (not by pointer). */
START_TEST(test_state_isSentOncePerChangeOfValue)
{
	struct ctl c;
	char line[256], running[] = "running";

	attach(&c, line, sizeof line);
	frame();
	while (next_line(&c, line, sizeof line))
		;
	display_publish(&dp, running); /* the same state in another string */
	ck_assert(!next_line(&c, line, sizeof line));
	display_publish(&dp, "paused");
	ck_assert(next_line(&c, line, sizeof line));
	ck_assert_str_eq(line, "state paused");
	ctl_close(&c);
}
END_TEST

static Suite *display_suite(void)
{
	Suite *s = suite_create("display");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_attach_sendsGeometryAndTheMemfd);
	tcase_add_test(tc, test_firstFrame_isAFullDamageThenState);
	tcase_add_test(tc, test_damage_waitsForAckAndCoalesces);
	tcase_add_test(tc, test_resize_isAnnouncedBeforeDamage);
	tcase_add_test(tc, test_input_reachesTheInputOpsAndGarbageIsIgnored);
	tcase_add_test(tc, test_absAndSize_reachTheInputOpsInRangeOnly);
	tcase_add_test(tc, test_cursorAndPointerMode_areAnnouncedOncePerChange);
	tcase_add_test(tc, test_absCoord_mapsThePicturesCornersToTheEnds);
	tcase_add_test(tc, test_viewerThatStopsReading_neverBlocksNorGrows);
	tcase_add_test(tc, test_viewerThatHangsUp_isDropped);
	tcase_add_test(tc, test_keysSentJustBeforeAHangUp_stillArrive);
	tcase_add_test(tc, test_attach_refusesPastTheLimit);
	tcase_add_test(tc, test_noViewer_rendersNothing);
	tcase_add_test(tc, test_onDemand_rendersOnChangeOnlyWhenAViewerCanTakeIt);
	tcase_add_test(tc, test_state_isSentOncePerChangeOfValue);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(display_suite());
}
