#include "tui/screen.h"

#include <curses.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool plain_mode;
static bool started;
static int signal_pipe[2] = {-1, -1};

static const struct {
	short fg, bg;
	int plain; /* attribute in plain mode */
} roles[] = {
    [ROLE_NORMAL] = {-1, -1, A_NORMAL},
    [ROLE_TITLE] = {COLOR_CYAN, -1, A_BOLD},
    [ROLE_HEADER] = {COLOR_BLACK, COLOR_GREEN, A_REVERSE},
    [ROLE_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_REVERSE},
    [ROLE_RUNNING] = {COLOR_GREEN, -1, A_BOLD},
    [ROLE_PAUSED] = {COLOR_YELLOW, -1, A_UNDERLINE},
    [ROLE_BAD] = {COLOR_RED, -1, A_BOLD},
    [ROLE_DIM] = {COLOR_BLUE, -1, A_DIM},
    [ROLE_KEY] = {-1, -1, A_BOLD},
    [ROLE_BAR] = {COLOR_BLACK, COLOR_CYAN, A_REVERSE},
    [ROLE_FRAME] = {COLOR_BLACK, COLOR_WHITE, A_REVERSE},
};

#define NROLES ((int)(sizeof roles / sizeof roles[0]))

/* Async-signal-safe: the main loop reads the pipe and quits. */
static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;

	if (write(signal_pipe[1], &b, 1) < 0) {
		/* The pipe is full: a quit is already pending. */
	}
}

static int install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void init_colors(void)
{
	start_color();
	use_default_colors();
	for (short i = 1; i < NROLES; i++)
		init_pair(i, roles[i].fg, roles[i].bg);
}

int top_screen_start(bool plain, int *signal_fd)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "hv: top needs a terminal\n");
		return -1;
	}
	setlocale(LC_ALL, "");
	/* newterm, unlike initscr, returns an error instead of exiting. */
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(stderr, "hv: top: cannot use terminal type '%s'\n",
			getenv("TERM") ? getenv("TERM") : "(unset)");
		return -1;
	}
	if (install_signals() < 0) {
		endwin();
		return -1;
	}
	started = true;
	raw(); /* Ctrl-C and friends go to the guest in the console */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	plain_mode = plain || !has_colors();
	if (!plain_mode)
		init_colors();
	*signal_fd = signal_pipe[0];
	return 0;
}

bool top_screen_plain(void)
{
	return plain_mode;
}

void top_screen_stop(void)
{
	if (!started)
		return;
	started = false;
	curs_set(1);
	endwin();
}

int top_screen_attr(enum top_role role)
{
	if (role <= ROLE_NORMAL || role >= NROLES)
		return A_NORMAL;
	if (plain_mode)
		return roles[role].plain;
	return COLOR_PAIR(role) | (role == ROLE_TITLE || role == ROLE_KEY ? A_BOLD : 0);
}

enum top_role top_screen_state_role(const char *state)
{
	if (strcmp(state, "running") == 0)
		return ROLE_RUNNING;
	if (strcmp(state, "paused") == 0)
		return ROLE_PAUSED;
	if (strcmp(state, "shutdown") == 0 || strcmp(state, "dying") == 0)
		return ROLE_DIM;
	if (strcmp(state, "blocked") == 0 || strcmp(state, "?") == 0)
		return ROLE_NORMAL;
	return ROLE_BAD;
}
