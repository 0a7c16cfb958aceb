/* hv view [OPTIONS] [NAME...]: the SDL2 viewer (display/sdl_view.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "display/sdl_view.h"
#include "hv/cli/cmd.h"

#ifdef __SANITIZE_ADDRESS__
/* X11, D-Bus and the libraries SDL loads and unloads at run time keep
 * allocations until exit, which LeakSanitizer cannot tell from ours (their
 * frames are in unloaded modules). The leak check stays on for every other
 * hv command, which run the same code minus SDL. */
static bool viewer_ran;

int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return viewer_ran;
}
#define VIEWER_RAN() (viewer_ran = true)
#else
#define VIEWER_RAN() ((void)0)
#endif

static void usage(FILE *out)
{
	fprintf(out, "usage: hv view [--single] [--integer|--unscaled] [--wait] [--shots DIR] "
		     "[NAME...]\n"
		     "Shows each domain's screen in a window (all running domains when no\n"
		     "NAME is given); keyboard and mouse go to the guest.\n\n"
		     "  --single     one window that switches between guests\n"
		     "  --integer    scale by whole multiples only\n"
		     "  --unscaled   one guest pixel per screen pixel\n"
		     "  --wait       keep a stopped domain's window open\n"
		     "  --shots DIR  where Ctrl+Alt+S saves screenshots (default: here)\n"
		     "  --stats      at the end, print frames and damage-to-present latency\n\n"
		     "Hotkeys:\n");
	for (int i = 0; view_hotkey_help[i]; i++)
		fprintf(out, "  %s\n", view_hotkey_help[i]);
}

int cmd_view(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"single", no_argument, NULL, 's'},	     {"integer", no_argument, NULL, 'i'},
	    {"unscaled", no_argument, NULL, 'u'},    {"wait", no_argument, NULL, 'w'},
	    {"shots", required_argument, NULL, 'd'}, {"stats", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0},
	};
	struct view_opts o = {.scale = VIEW_SCALE_FIT};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o.single = true; break;
		case 'i': o.scale = VIEW_SCALE_INTEGER; break;
		case 'u': o.scale = VIEW_SCALE_NONE; break;
		case 'w': o.wait_on_end = true; break;
		case 'd': o.shot_dir = optarg; break;
		case 'S': o.stats = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	VIEWER_RAN();
	return sdl_view_main(argc - optind, argv + optind, &o);
}
