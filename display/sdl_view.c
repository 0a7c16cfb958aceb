/* hv view: windows, textures, and the loop that joins SDL's events with the
 * domains' display events. */
#include <SDL2/SDL.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/png.h"
#include "display/sdl_view.h"
#include "hv/core/datadir.h"
#include "hv/core/runtime.h"

/* How often the main loop looks at the stop signal while idle. */
#define SIGNAL_CHECK_MS 250
#define VIDEO_TRIES	10 /* connecting to a busy X server */
#define VIDEO_RETRY_MS	300

struct guest_view *view_by_window(struct viewer *v, unsigned window_id)
{
	for (int i = 0; i < v->nguests; i++)
		if (v->guests[i].win && SDL_GetWindowID(v->guests[i].win) == window_id)
			return &v->guests[i];
	return NULL;
}

void view_set_title(struct viewer *v, struct guest_view *g)
{
	char title[160];
	const char *state = g->ended ? "stopped" : g->state[0] ? g->state : "running";

	if (!g->win)
		return;
	snprintf(title, sizeof title, "%s (%s) - hv%s", g->name, state,
		 v->grabbed && g == &v->guests[v->current] ? " - Ctrl+Alt+G releases the mouse"
							   : "");
	SDL_SetWindowTitle(g->win, title);
}

static void set_icon(SDL_Window *win)
{
	struct image img;
	char err[256];
	char path[PATH_MAX + 16];
	SDL_Surface *s;

	snprintf(path, sizeof path, "%s/hv-icon.png", datadir_get()->assets);
	if (png_read(path, &img, err, sizeof err) < 0)
		return; /* an uninstalled icon is no reason not to view */
	s = SDL_CreateRGBSurfaceWithFormatFrom(img.pixels, (int)img.width, (int)img.height, 32,
					       (int)img.width * 4, SDL_PIXELFORMAT_ARGB8888);
	if (s) {
		SDL_SetWindowIcon(win, s);
		SDL_FreeSurface(s);
	}
	image_free(&img);
}

/* Whether the renderer SDL picked draws through OpenGL on a software
 * rasterizer (Mesa's llvmpipe or softpipe: Xvfb, a VM or a host without a
 * GPU driver). Each of its presents rasterizes the whole window on the
 * CPU, on threads of its own: ~3% of a core for an idle guest whose
 * console cursor blinks, against ~0.4% for SDL's own software renderer,
 * which copies the picture into the window's shared-memory image. */
static bool gl_in_software(SDL_Renderer *ren)
{
	const unsigned char *(*get_string)(unsigned name);
	SDL_RendererInfo info;
	void *fn;
	const char *what;

	if (SDL_GetRendererInfo(ren, &info) < 0 || strncmp(info.name, "opengl", 6) != 0)
		return false;
	fn = SDL_GL_GetProcAddress("glGetString");
	if (!fn)
		return false;
	memcpy(&get_string, &fn, sizeof get_string);
	what = (const char *)get_string(0x1F01); /* GL_RENDERER */
	return what && (strstr(what, "llvmpipe") || strstr(what, "softpipe") ||
			strstr(what, "Software Rasterizer"));
}

/* SDL's first choice of renderer, unless that is OpenGL on a software
 * rasterizer: then SDL's software renderer, on a window framebuffer of its
 * own (not one drawn through OpenGL again). SDL_RENDER_DRIVER, when set,
 * is the user's choice and is kept. */
static SDL_Renderer *make_renderer(SDL_Window *win)
{
	SDL_Renderer *ren = SDL_CreateRenderer(win, -1, 0);

	if (!ren || getenv("SDL_RENDER_DRIVER") || !gl_in_software(ren))
		return ren;
	SDL_DestroyRenderer(ren);
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	ren = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
	return ren ? ren : SDL_CreateRenderer(win, -1, 0);
}

static int make_window(struct viewer *v, struct guest_view *g)
{
	g->win = SDL_CreateWindow(g->name, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
				  (int)g->dc.width, (int)g->dc.height,
				  SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
	if (!g->win)
		return -1;
	g->ren = make_renderer(g->win);
	if (!g->ren) {
		SDL_DestroyWindow(g->win);
		g->win = NULL;
		return -1;
	}
	set_icon(g->win);
	view_set_title(v, g);
	return 0;
}

static int make_texture(struct guest_view *g)
{
	if (g->tex && g->tex_w == g->dc.width && g->tex_h == g->dc.height)
		return 0;
	if (g->tex)
		SDL_DestroyTexture(g->tex);
	g->tex = SDL_CreateTexture(g->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
				   (int)g->dc.width, (int)g->dc.height);
	g->tex_w = g->dc.width;
	g->tex_h = g->dc.height;
	return g->tex ? 0 : -1;
}

int view_open(struct viewer *v, const char *name)
{
	struct guest_view *g;
	char err[256];

	if (v->nguests == VIEW_MAX_GUESTS) {
		fprintf(stderr, "hv view: at most %d guests\n", VIEW_MAX_GUESTS);
		return -1;
	}
	g = &v->guests[v->nguests];
	memset(g, 0, sizeof *g);
	snprintf(g->name, sizeof g->name, "%s", name);
	if (display_client_open(&g->dc, name, err, sizeof err) < 0) {
		fprintf(stderr, "hv view: %s\n", err);
		return -1;
	}
	g->attached = true;
	if (make_window(v, g) < 0 || make_texture(g) < 0) {
		fprintf(stderr, "hv view: %s: %s\n", name, SDL_GetError());
		display_client_close(&g->dc);
		return -1;
	}
	return v->nguests++;
}

int view_reattach(struct viewer *v, struct guest_view *g, const char *name)
{
	struct display_client dc;
	char err[256];

	if (display_client_open(&dc, name, err, sizeof err) < 0) {
		fprintf(stderr, "hv view: %s\n", err);
		return -1;
	}
	if (g->attached)
		display_client_close(&g->dc);
	g->dc = dc;
	g->attached = true;
	g->ended = false;
	g->state[0] = '\0';
	snprintf(g->name, sizeof g->name, "%s", name);
	make_texture(g);
	g->cursor.visible = 0;
	if (g->cursor_tex)
		SDL_DestroyTexture(g->cursor_tex);
	g->cursor_tex = NULL;
	view_fit_window(g);
	view_set_title(v, g);
	return 0;
}

void view_close(struct viewer *v, int i)
{
	struct guest_view *g = &v->guests[i];

	if (g->attached)
		display_client_close(&g->dc);
	if (g->tex)
		SDL_DestroyTexture(g->tex);
	if (g->cursor_tex)
		SDL_DestroyTexture(g->cursor_tex);
	if (g->ren)
		SDL_DestroyRenderer(g->ren);
	if (g->win)
		SDL_DestroyWindow(g->win);
	v->guests[i] = v->guests[--v->nguests];
	if (v->current >= v->nguests)
		v->current = v->nguests ? v->nguests - 1 : 0;
}

SDL_Rect view_place(const struct viewer *v, const struct guest_view *g, int out_w, int out_h)
{
	double sx = (double)out_w / g->tex_w, sy = (double)out_h / g->tex_h;
	double s = sx < sy ? sx : sy;
	SDL_Rect r;

	if (v->opts.scale == VIEW_SCALE_NONE)
		s = 1;
	else if (v->opts.scale == VIEW_SCALE_INTEGER && s >= 1)
		s = (int)s;
	r.w = (int)(g->tex_w * s);
	r.h = (int)(g->tex_h * s);
	r.x = (out_w - r.w) / 2;
	r.y = (out_h - r.h) / 2;
	return r;
}

void view_fit_window(struct guest_view *g)
{
	if (g->fullscreen)
		return;
	g->fit_w = (int)g->dc.width;
	g->fit_h = (int)g->dc.height;
	SDL_SetWindowSize(g->win, g->fit_w, g->fit_h);
}

/* The guest's pointer over its screen, scaled as the screen is. */
static void draw_cursor(struct guest_view *g, const SDL_Rect *dst)
{
	const struct surface_cursor *c = &g->cursor;
	double s = g->tex_w ? (double)dst->w / g->tex_w : 1;
	SDL_Rect r;

	if (!c->visible || g->ended)
		return;
	if (!g->cursor_tex || g->cursor_serial != c->serial) {
		if (!g->cursor_tex) {
			g->cursor_tex = SDL_CreateTexture(g->ren, SDL_PIXELFORMAT_ARGB8888,
							  SDL_TEXTUREACCESS_STREAMING,
							  SURFACE_CURSOR_SIZE, SURFACE_CURSOR_SIZE);
			if (!g->cursor_tex)
				return;
			SDL_SetTextureBlendMode(g->cursor_tex, SDL_BLENDMODE_BLEND);
		}
		SDL_UpdateTexture(g->cursor_tex, NULL, c->image, SURFACE_CURSOR_SIZE * 4);
		g->cursor_serial = c->serial;
	}
	r.x = dst->x + (int)(((double)c->x - c->hot_x) * s);
	r.y = dst->y + (int)(((double)c->y - c->hot_y) * s);
	r.w = r.h = (int)(SURFACE_CURSOR_SIZE * s + 0.5);
	SDL_RenderSetClipRect(g->ren, dst);
	SDL_RenderCopy(g->ren, g->cursor_tex, NULL, &r);
	SDL_RenderSetClipRect(g->ren, NULL);
}

void view_redraw(struct viewer *v, struct guest_view *g)
{
	int out_w, out_h;
	SDL_Rect dst;

	if (!g->ren)
		return;
	SDL_GetRendererOutputSize(g->ren, &out_w, &out_h);
	dst = view_place(v, g, out_w, out_h);
	SDL_SetRenderDrawColor(g->ren, 0, 0, 0, 255);
	SDL_RenderClear(g->ren);
	SDL_SetTextureColorMod(g->tex, g->ended ? 96 : 255, g->ended ? 96 : 255,
			       g->ended ? 96 : 255);
	SDL_RenderCopy(g->ren, g->tex, NULL, &dst);
	draw_cursor(g, &dst);
	if (v->help && g == &v->guests[v->current])
		overlay_draw_help(v, g);
	SDL_RenderPresent(g->ren);
}

/* Copies the damaged rows of the shared surface into the texture. */
static void upload(struct guest_view *g, const struct rect *r)
{
	const uint8_t *src = (const uint8_t *)g->dc.pixels + (size_t)r->y * g->dc.stride + r->x * 4;
	SDL_Rect sr = {(int)r->x, (int)r->y, (int)r->w, (int)r->h};

	SDL_UpdateTexture(g->tex, &sr, src, (int)g->dc.stride);
}

static void guest_ended(struct viewer *v, int i)
{
	struct guest_view *g = &v->guests[i];

	display_client_close(&g->dc);
	g->attached = false;
	g->ended = true;
	if (!v->opts.wait_on_end) {
		view_close(v, i);
		return;
	}
	view_set_title(v, g);
	view_redraw(v, g);
}

/* Handles what the domain of guest i sent. */
static void domain_events(struct viewer *v, int i)
{
	struct guest_view *g = &v->guests[i];
	struct display_event ev;
	int rc;

	while ((rc = display_client_next(&g->dc, &ev, 0)) > 0) {
		if (ev.kind == DISPLAY_EV_RESIZE) {
			make_texture(g);
			view_fit_window(g);
		} else if (ev.kind == DISPLAY_EV_CURSOR) {
			display_client_cursor(&g->dc, &g->cursor);
			view_pointer_changed(v, g);
			view_redraw(v, g);
		} else if (ev.kind == DISPLAY_EV_POINTER) {
			view_pointer_changed(v, g);
		} else if (ev.kind == DISPLAY_EV_STATE) {
			snprintf(g->state, sizeof g->state, "%s", ev.state);
			view_set_title(v, g);
		} else {
			/* The texture has its own copy once uploaded: the ack
			 * lets the domain render the next frame into the
			 * shared surface while this one is presented. */
			upload(g, &ev.rect);
			display_client_ack(&g->dc);
			view_redraw(v, g);
			view_stats_frame(v, ev.rendered_ns);
		}
	}
	if (rc < 0)
		guest_ended(v, i);
}

/* Tells the watcher thread which sockets to watch, when that changed. */
static void update_watch(struct viewer *v)
{
	static int last[VIEW_MAX_GUESTS], nlast = -1;
	int fds[VIEW_MAX_GUESTS], n = 0;

	for (int i = 0; i < v->nguests; i++)
		if (v->guests[i].attached)
			fds[n++] = display_client_fd(&v->guests[i].dc);
	if (n == nlast && memcmp(fds, last, (size_t)n * sizeof *fds) == 0)
		return;
	memcpy(last, fds, (size_t)n * sizeof *fds);
	nlast = n;
	view_watch_set(&v->watch, fds, n);
}

/* Reads what every domain sent (the sockets are nonblocking to us). */
static void service_domains(struct viewer *v)
{
	for (int i = v->nguests - 1; i >= 0; i--)
		if (v->guests[i].attached)
			domain_events(v, i);
}

static void handle(struct viewer *v, SDL_Event *ev)
{
	if (ev->type == v->watch.event_type) {
		service_domains(v);
		update_watch(v);
		view_watch_rearm(&v->watch);
	} else {
		view_event(v, ev);
	}
}

static int open_all(struct viewer *v, int n, char **names)
{
	char running[VIEW_MAX_GUESTS][RUNTIME_NAME_MAX], err[256];

	if (n == 0) {
		n = runtime_list(running, VIEW_MAX_GUESTS, err, sizeof err);
		if (n < 0) {
			fprintf(stderr, "hv view: %s\n", err);
			return -1;
		}
		if (n == 0) {
			fprintf(stderr, "hv view: no domain is running\n");
			/* Started from a desktop menu (hv-view.desktop), nobody
			 * reads stderr: say it on the screen too. */
			if (!isatty(STDERR_FILENO) &&
			    SDL_ShowSimpleMessageBox(
				SDL_MESSAGEBOX_INFORMATION, "hv view",
				"No domain is running.\n\nStart one with \"hv create CFG\", "
				"\"hv demo\" or in \"hv top\", then open the viewer again.",
				NULL) < 0)
				fprintf(stderr, "hv view: no message box: %s\n", SDL_GetError());
			return -1;
		}
		if (v->opts.single)
			n = 1;
		for (int i = 0; i < n; i++)
			view_open(v, running[i]);
		return v->nguests ? 0 : -1;
	}
	for (int i = 0; i < n; i++)
		view_open(v, names[i]);
	return v->nguests ? 0 : -1;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Whether SDL settled on a driver that shows nothing: when it cannot reach
 * the X server (or a Wayland compositor) it quietly falls back to
 * "offscreen", and the windows exist only in memory. */
static bool invisible_driver(void)
{
	const char *drv = SDL_GetCurrentVideoDriver();

	return !getenv("SDL_VIDEODRIVER") && drv &&
	       (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0);
}

/* SDL's video with a real display; a display that refuses a connection
 * for a moment (a busy X server) gets a few more tries. */
static int init_video(void)
{
	const char *disp = getenv("DISPLAY");

	for (int i = 0; i < VIDEO_TRIES; i++) {
		if (SDL_Init(SDL_INIT_VIDEO) < 0) {
			fprintf(stderr, "hv view: no display: %s\n", SDL_GetError());
			return -1;
		}
		if (!invisible_driver())
			return 0;
		SDL_Quit();
		usleep(VIDEO_RETRY_MS * 1000);
	}
	fprintf(stderr,
		"hv view: no display: cannot connect to X server %s or a Wayland compositor\n",
		disp ? disp : "(DISPLAY is not set)");
	return -1;
}

int sdl_view_main(int n, char **names, const struct view_opts *opts)
{
	static struct viewer v;
	SDL_Event ev;

	memset(&v, 0, sizeof v);
	v.opts = *opts;
	view_stats_start(&v, opts->stats);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (init_video() < 0)
		return 1;
	SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
	v.font = overlay_load_font();
	if (open_all(&v, v.opts.single && n > 1 ? 1 : n, names) < 0) {
		SDL_Quit();
		return 1;
	}
	if (view_watch_start(&v.watch) < 0) {
		fprintf(stderr, "hv view: cannot start the watcher thread\n");
		v.quit = true;
	}
	while (!v.quit && !stop_signal && v.nguests > 0) {
		update_watch(&v);
		if (!SDL_WaitEventTimeout(&ev, SIGNAL_CHECK_MS))
			continue;
		do
			handle(&v, &ev);
		while (!v.quit && SDL_PollEvent(&ev));
	}
	view_watch_stop(&v.watch);
	view_stats_print(&v);
	while (v.nguests > 0)
		view_close(&v, v.nguests - 1);
	free(v.font);
	SDL_Quit();
	return 0;
}
