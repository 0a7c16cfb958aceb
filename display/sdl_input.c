/* hv view: keyboard, mouse and window events; the Ctrl+Alt hotkeys. */
#include <SDL2/SDL.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "display/png.h"
#include "display/sdl_keymap.h"
#include "display/sdl_view.h"
#include "hv/core/runtime.h"

const char *const view_hotkey_help[] = {
    "Ctrl+Alt+Left/Right  previous/next running guest",
    "Ctrl+Alt+1..9        guest 1..9 (in `hv list` order)",
    "Ctrl+Alt+G           release the mouse (a click grabs it)",
    "Ctrl+Alt+F           fullscreen on/off",
    "Ctrl+Alt+U           unscaled on/off",
    "Ctrl+Alt+I           integer scaling on/off",
    "Ctrl+Alt+S           save a screenshot (PNG)",
    "Ctrl+Alt+End         send Ctrl+Alt+Del to the guest",
    "Ctrl+Alt+Shift+F1-12 send Ctrl+Alt+F1-12 to the guest",
    "Ctrl+Alt+H           this help",
    "Ctrl+Alt+Q           close this window (the guest runs on)",
    NULL,
};

/* Keys whose press the guest saw, so it gets exactly the matching
 * releases (a hotkey's own key is never sent at all). */
static unsigned char sent_down[KEY_MAX + 1];

static struct guest_view *focused(struct viewer *v)
{
	return v->nguests ? &v->guests[v->current] : NULL;
}

static void send_key(struct viewer *v, unsigned code, bool down)
{
	struct guest_view *g = focused(v);

	if (!g || !g->attached || code == 0 || code > KEY_MAX)
		return;
	if (!down && !sent_down[code])
		return;
	sent_down[code] = down;
	display_client_key(&g->dc, code, down);
}

/* Focus leaving a guest: release what it holds, so no key sticks. */
static void release_all(struct viewer *v)
{
	for (unsigned c = 0; c <= KEY_MAX; c++)
		if (sent_down[c])
			send_key(v, c, false);
}

static void tap(struct viewer *v, unsigned code)
{
	send_key(v, code, true);
	send_key(v, code, false);
}

static void set_grab(struct viewer *v, bool on)
{
	struct guest_view *g = focused(v);

	v->grabbed = on;
	SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
	if (g && g->win)
		SDL_SetWindowGrab(g->win, on ? SDL_TRUE : SDL_FALSE);
	if (g)
		view_set_title(v, g);
}

void view_screenshot(struct viewer *v, struct guest_view *g)
{
	char path[512], err[256], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!g->attached && !g->ended)
		return;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	snprintf(path, sizeof path, "%s/%s-%s.png", v->opts.shot_dir ? v->opts.shot_dir : ".",
		 g->name, stamp);
	if (g->ended ? png_write_xrgb(path, g->dc.pixels, g->tex_w, g->tex_h, g->dc.stride, err,
				      sizeof err) < 0
		     : display_client_save_png(&g->dc, path, err, sizeof err) < 0)
		fprintf(stderr, "hv view: %s\n", err);
	else
		printf("hv view: saved %s\n", path);
	fflush(stdout);
}

static void toggle_fullscreen(struct guest_view *g)
{
	g->fullscreen = !g->fullscreen;
	SDL_SetWindowFullscreen(g->win, g->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
}

static void toggle_scale(struct viewer *v, enum view_scale s)
{
	v->opts.scale = v->opts.scale == s ? VIEW_SCALE_FIT : s;
}

/* Ctrl+Alt+Shift+Fn: the guest gets Ctrl+Alt+Fn without the Shift. */
static void send_ctrl_alt_fn(struct viewer *v, unsigned fn_code)
{
	bool l = sent_down[KEY_LEFTSHIFT], r = sent_down[KEY_RIGHTSHIFT];

	send_key(v, KEY_LEFTSHIFT, false);
	send_key(v, KEY_RIGHTSHIFT, false);
	tap(v, fn_code);
	if (l)
		send_key(v, KEY_LEFTSHIFT, true);
	if (r)
		send_key(v, KEY_RIGHTSHIFT, true);
}

/* A Ctrl+Alt hotkey; false when sc is not one (the key goes to the guest). */
static bool hotkey(struct viewer *v, SDL_Scancode sc, bool shift)
{
	struct guest_view *g = focused(v);

	if (!g)
		return false;
	if (shift && sc >= SDL_SCANCODE_F1 && sc <= SDL_SCANCODE_F12) {
		send_ctrl_alt_fn(v, sdl_keymap_code(sc));
		return true;
	}
	if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_9) {
		view_switch(v, 0, sc - SDL_SCANCODE_1);
		return true;
	}
	switch (sc) {
	case SDL_SCANCODE_LEFT: view_switch(v, -1, -1); break;
	case SDL_SCANCODE_RIGHT: view_switch(v, 1, -1); break;
	case SDL_SCANCODE_G: set_grab(v, false); break;
	case SDL_SCANCODE_F: toggle_fullscreen(g); break;
	case SDL_SCANCODE_U: toggle_scale(v, VIEW_SCALE_NONE); break;
	case SDL_SCANCODE_I: toggle_scale(v, VIEW_SCALE_INTEGER); break;
	case SDL_SCANCODE_S: view_screenshot(v, g); break;
	case SDL_SCANCODE_END: tap(v, KEY_DELETE); break;
	case SDL_SCANCODE_H: v->help = !v->help; break;
	case SDL_SCANCODE_Q: view_close(v, v->current); return true;
	default: return false;
	}
	if (v->nguests)
		view_redraw(v, focused(v));
	return true;
}

static void key_event(struct viewer *v, const SDL_KeyboardEvent *k)
{
	static bool swallowed[SDL_NUM_SCANCODES];
	SDL_Scancode sc = k->keysym.scancode;
	bool down = k->type == SDL_KEYDOWN;
	bool ctrl_alt = (k->keysym.mod & KMOD_CTRL) && (k->keysym.mod & KMOD_ALT);

	if ((unsigned)sc >= SDL_NUM_SCANCODES)
		return;
	if (down && ctrl_alt && !k->repeat && hotkey(v, sc, k->keysym.mod & KMOD_SHIFT)) {
		swallowed[sc] = true;
		return;
	}
	if (!down && swallowed[sc]) {
		swallowed[sc] = false;
		return;
	}
	/* Host auto-repeat arrives as repeated presses: what a PS/2
	 * keyboard's typematic sends too. */
	send_key(v, sdl_keymap_code(sc), down);
}

static unsigned button_bit(Uint8 b)
{
	switch (b) {
	case SDL_BUTTON_LEFT: return 1;
	case SDL_BUTTON_RIGHT: return 2;
	case SDL_BUTTON_MIDDLE: return 4;
	default: return 0;
	}
}

/* Window position (x, y) in points to the guest's 0..DISPLAY_ABS_MAX. */
static void to_abs(struct viewer *v, struct guest_view *g, int x, int y, int *ax, int *ay)
{
	int win_w, win_h, out_w, out_h;
	SDL_Rect dst;

	SDL_GetWindowSize(g->win, &win_w, &win_h);
	SDL_GetRendererOutputSize(g->ren, &out_w, &out_h);
	if (win_w > 0 && win_h > 0) {
		x = (int)((long)x * out_w / win_w);
		y = (int)((long)y * out_h / win_h);
	}
	dst = view_place(v, g, out_w, out_h);
	*ax = display_abs_coord(x, dst.x, dst.w);
	*ay = display_abs_coord(y, dst.y, dst.h);
}

/* A guest with a tablet: the host pointer is the guest's, never grabbed;
 * the wheel goes to the relative mouse (the tablet has none). */
static void abs_mouse_event(struct viewer *v, struct guest_view *g, const SDL_Event *e)
{
	int x, y, ax, ay;

	if (e->type == SDL_MOUSEWHEEL) {
		display_client_mouse(&g->dc, 0, 0, -e->wheel.y, v->buttons);
		return;
	}
	if (e->type == SDL_MOUSEMOTION) {
		x = e->motion.x;
		y = e->motion.y;
	} else {
		unsigned bit = button_bit(e->button.button);
		if (e->type == SDL_MOUSEBUTTONDOWN)
			v->buttons |= bit;
		else
			v->buttons &= ~bit;
		x = e->button.x;
		y = e->button.y;
	}
	to_abs(v, g, x, y, &ax, &ay);
	display_client_abs(&g->dc, ax, ay, v->buttons);
}

void view_pointer_changed(struct viewer *v, struct guest_view *g)
{
	if (g != focused(v))
		return;
	if (g->dc.absolute && v->grabbed)
		set_grab(v, false);
	/* One pointer on screen: the guest's, when it draws one. */
	SDL_ShowCursor(g->dc.absolute && g->cursor.visible ? SDL_DISABLE : SDL_ENABLE);
	view_set_title(v, g);
}

static void mouse_event(struct viewer *v, const SDL_Event *e)
{
	struct guest_view *g = focused(v);

	if (!g || !g->attached)
		return;
	if (g->dc.absolute) {
		abs_mouse_event(v, g, e);
		return;
	}
	if (!v->grabbed) {
		if (e->type == SDL_MOUSEBUTTONDOWN)
			set_grab(v, true); /* the grabbing click is not the guest's */
		return;
	}
	if (e->type == SDL_MOUSEMOTION) {
		display_client_mouse(&g->dc, e->motion.xrel, e->motion.yrel, 0, v->buttons);
	} else if (e->type == SDL_MOUSEWHEEL) {
		display_client_mouse(&g->dc, 0, 0, -e->wheel.y,
				     v->buttons); /* + is towards the user */
	} else {
		unsigned bit = button_bit(e->button.button);
		if (e->type == SDL_MOUSEBUTTONDOWN)
			v->buttons |= bit;
		else
			v->buttons &= ~bit;
		display_client_mouse(&g->dc, 0, 0, 0, v->buttons);
	}
}

/* The window got a size the viewer did not give it (the user resized it,
 * or it went fullscreen): a guest with virtio-gpu is offered that mode. */
static void offer_size(struct guest_view *g, int w, int h)
{
	int out_w, out_h;

	if (!g->attached || !strstr(g->dc.device, "virtio-gpu"))
		return;
	if (!g->fullscreen && w == g->fit_w && h == g->fit_h)
		return; /* the viewer's own resize to the guest's mode */
	SDL_GetRendererOutputSize(g->ren, &out_w, &out_h);
	if (out_w <= 0 || out_h <= 0 || (out_w == g->asked_w && out_h == g->asked_h))
		return;
	g->asked_w = out_w;
	g->asked_h = out_h;
	display_client_size(&g->dc, (unsigned)out_w, (unsigned)out_h);
}

static void window_event(struct viewer *v, const SDL_WindowEvent *w)
{
	struct guest_view *g = view_by_window(v, w->windowID);

	if (!g)
		return;
	switch (w->event) {
	case SDL_WINDOWEVENT_FOCUS_GAINED:
		if (g != focused(v)) {
			release_all(v);
			v->current = (int)(g - v->guests);
		}
		view_pointer_changed(v, g);
		break;
	case SDL_WINDOWEVENT_FOCUS_LOST:
		release_all(v);
		if (v->grabbed)
			set_grab(v, false);
		break;
	case SDL_WINDOWEVENT_CLOSE: view_close(v, (int)(g - v->guests)); return;
	case SDL_WINDOWEVENT_SIZE_CHANGED: offer_size(g, w->data1, w->data2); /* fall through */
	case SDL_WINDOWEVENT_EXPOSED: view_redraw(v, g); break;
	default: break;
	}
}

void view_event(struct viewer *v, const void *sdl_event)
{
	const SDL_Event *e = sdl_event;

	switch (e->type) {
	case SDL_QUIT: v->quit = true; break;
	case SDL_KEYDOWN:
	case SDL_KEYUP: key_event(v, &e->key); break;
	case SDL_MOUSEMOTION:
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP:
	case SDL_MOUSEWHEEL: mouse_event(v, e); break;
	case SDL_WINDOWEVENT: window_event(v, &e->window); break;
	default: break;
	}
}

/* Index of `name` among this viewer's guests, or -1. */
static int find_guest(struct viewer *v, const char *name)
{
	for (int i = 0; i < v->nguests; i++)
		if (strcmp(v->guests[i].name, name) == 0)
			return i;
	return -1;
}

static void show(struct viewer *v, const char *name)
{
	int i = find_guest(v, name);

	release_all(v);
	if (v->grabbed)
		set_grab(v, false);
	if (v->opts.single && i < 0) {
		if (view_reattach(v, focused(v), name) == 0)
			view_redraw(v, focused(v));
		return;
	}
	if (i < 0)
		i = view_open(v, name);
	if (i < 0)
		return;
	v->current = i;
	SDL_RaiseWindow(v->guests[i].win);
	/* Without a window manager raising does not move the focus. */
	SDL_SetWindowInputFocus(v->guests[i].win);
	view_redraw(v, &v->guests[i]);
}

void view_switch(struct viewer *v, int step, int to)
{
	char names[VIEW_MAX_GUESTS][RUNTIME_NAME_MAX], err[256];
	int n = runtime_list(names, VIEW_MAX_GUESTS, err, sizeof err), at = 0;
	struct guest_view *g = focused(v);

	if (n <= 0 || !g)
		return;
	if (to >= 0) {
		if (to < n)
			show(v, names[to]);
		return;
	}
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], g->name) == 0)
			at = i;
	show(v, names[((at + step) % n + n) % n]);
}
