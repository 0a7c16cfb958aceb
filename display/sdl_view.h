/* hv view: the SDL2 viewer. Each guest's screen in a window (or one window
 * that switches between guests), keyboard and mouse to the guest, hotkeys
 * on Ctrl+Alt. Only hv/cli/cmd_view.c includes this. */
#ifndef HV_DISPLAY_SDL_VIEW_H
#define HV_DISPLAY_SDL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "display/client.h"

struct SDL_Window;
struct SDL_Renderer;
struct SDL_Texture;

enum view_scale {
	VIEW_SCALE_FIT,	    /* as large as fits, aspect ratio kept */
	VIEW_SCALE_INTEGER, /* the largest whole multiple that fits */
	VIEW_SCALE_NONE,    /* one guest pixel per screen pixel */
};

struct view_opts {
	bool single;	  /* one window showing one guest at a time */
	bool wait_on_end; /* keep a stopped domain's window open, saying so */
	enum view_scale scale;
	const char *shot_dir; /* where Ctrl+Alt+S saves; NULL: the current directory */
	bool stats;	      /* print frame and latency figures at the end */
};

#define VIEW_MAX_GUESTS 16

/* One guest on screen. */
struct guest_view {
	char name[64];
	struct display_client dc;
	bool attached;
	bool ended; /* the domain went away */
	char state[16];
	struct SDL_Window *win;
	struct SDL_Renderer *ren;
	struct SDL_Texture *tex;
	unsigned tex_w, tex_h;
	bool fullscreen;
	struct surface_cursor cursor; /* the guest's pointer, drawn over the screen */
	struct SDL_Texture *cursor_tex;
	uint32_t cursor_serial; /* of the image in cursor_tex */
	int asked_w, asked_h;	/* the window size last offered to the guest */
	int fit_w, fit_h;	/* the size the viewer itself last gave the window */
};

struct view_stats {
	bool on;
	uint64_t frames;
	int64_t since_ns; /* the viewer's start: older renders are not counted */
	int64_t first_ns, last_ns;
	int64_t *lat; /* render-to-present latencies, ns */
	size_t n, cap;
};

struct view_watch {
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	int fds[VIEW_MAX_GUESTS]; /* under lock */
	int nfds;
	bool stop;
	int wake; /* eventfd: fds changed, stop, or re-arm after an event */
	uint32_t event_type;
};

struct viewer {
	struct view_opts opts;
	struct guest_view guests[VIEW_MAX_GUESTS];
	int nguests;
	int current; /* the guest with keyboard focus (single mode: shown) */
	bool grabbed;
	bool help;
	bool quit;
	unsigned buttons;    /* mouse buttons held, as sent */
	unsigned char *font; /* 8x16 glyphs for the help overlay, or NULL */
	struct view_stats stats;
	struct view_watch watch;
};

/* Runs the viewer for the named domains (all running ones when n is 0)
 * until every window is closed. Returns the exit status. */
int sdl_view_main(int n, char **names, const struct view_opts *opts);

/* sdl_view.c, for the input and overlay files. */
int view_open(struct viewer *v, const char *name);
void view_close(struct viewer *v, int i);
/* Single-window mode: the window of g shows domain `name` instead. */
int view_reattach(struct viewer *v, struct guest_view *g, const char *name);
void view_redraw(struct viewer *v, struct guest_view *g);
/* Sizes g's window to its screen (unless fullscreen). */
void view_fit_window(struct guest_view *g);
/* sdl_input.c: g's pointer (its shape, or absolute mode) changed. */
void view_pointer_changed(struct viewer *v, struct guest_view *g);
/* Where the guest's screen goes in an out_w x out_h output. */
struct SDL_Rect view_place(const struct viewer *v, const struct guest_view *g, int out_w,
			   int out_h);
void view_set_title(struct viewer *v, struct guest_view *g);
struct guest_view *view_by_window(struct viewer *v, unsigned window_id);

/* sdl_input.c: one SDL event. */
void view_event(struct viewer *v, const void *sdl_event);
/* Jumps to the guest `step` places away (cycle) or to index `to` >= 0 among
 * the running domains. */
void view_switch(struct viewer *v, int step, int to);
/* Saves guest g's screen as a PNG; prints where. */
void view_screenshot(struct viewer *v, struct guest_view *g);

/* sdl_stats.c: one presented frame of a damage rendered at rendered_ns;
 * the summary line. */
void view_stats_frame(struct viewer *v, int64_t rendered_ns);
/* Turns the figures on (when on) from now. */
void view_stats_start(struct viewer *v, bool on);
void view_stats_print(struct viewer *v);

/* sdl_watch.c: the thread that turns display-socket readiness into SDL
 * events (so the main loop blocks in SDL_WaitEvent). */
int view_watch_start(struct view_watch *w);
void view_watch_set(struct view_watch *w, const int *fds, int n);
void view_watch_rearm(struct view_watch *w);
void view_watch_stop(struct view_watch *w);

/* sdl_overlay.c */
/* Loads the 8x16 font of the VGA BIOS on this machine, if there is one. */
unsigned char *overlay_load_font(void);
/* Draws the hotkey help over the guest's window. */
void overlay_draw_help(struct viewer *v, struct guest_view *g);
/* The hotkey list, one per line, for `hv view --help` and the overlay. */
extern const char *const view_hotkey_help[];

#endif
