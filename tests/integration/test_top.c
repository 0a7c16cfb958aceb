/* hv top driven inside tmux against real domains: the list and its
 * states, pause and resume by key, the console pane (output, input,
 * switching), resizes, destroy with its confirmation, a domain that dies,
 * creating from the picker, the help, and the terminal restored on a
 * signal. Every wait polls the screen against a generous deadline. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define DEADLINE_S 60

static char sock[64];
static char screen[65536];

static void kill_tmux(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "tmux -L %s kill-server 2>/dev/null", sock);
	if (system(cmd) != 0) {
		/* No server left: nothing to end. */
	}
}

/* A failed check ends the test's process at once, without its teardown.
 * A watchdog process cleans up when the test's process ends, however it
 * ends: it waits for the end of a pipe only that process holds. */
static void start_watchdog(void)
{
	int p[2];
	char c;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	if (fork() == 0) {
		setsid(); /* Check kills the test's process group when it ends */
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		kill_tmux();
		h_teardown();
		_exit(0);
	}
	close(p[0]); /* p[1] stays open as long as this process lives */
}

static void setup(void)
{
	char dir[400];

	h_setup();
	/* tmux's socket inside the test directory: removed with it. */
	setenv("TMUX_TMPDIR", h_setup_dir(), 1);
	snprintf(dir, sizeof dir, "%s/config", h_setup_dir());
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(sock, sizeof sock, "hvtop-test-%d", (int)getpid());
	start_watchdog();
}

static void teardown(void)
{
	kill_tmux();
	h_teardown();
}

/* Runs a tmux command on our private server; its output in out. */
static int tmux(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048], args[1800];
	va_list ap;
	size_t n = 0;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "tmux -L %s %s", sock, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	} else {
		char sink[4096];
		while (fread(sink, 1, sizeof sink, p) > 0)
			;
	}
	return pclose(p);
}

static void keys(const char *keys)
{
	tmux(NULL, 0, "send-keys -t top %s", keys);
}

static void start_top(int cols, int rows, const char *args)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *state = getenv("XDG_STATE_HOME");
	const char *config = getenv("XDG_CONFIG_HOME");

	ck_assert_int_eq(tmux(NULL, 0,
			      "new-session -d -s top -x %d -y %d -c %s -e XDG_RUNTIME_DIR=%s "
			      "-e XDG_STATE_HOME=%s -e XDG_CONFIG_HOME=%s \"%s\"",
			      cols, rows, h_setup_dir(), run, state, config, args),
			 0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static const char *capture(void)
{
	tmux(screen, sizeof screen, "capture-pane -p -t top");
	return screen;
}

/* The screen row that starts with name, "" if none: a domain's row, or a
 * message about it (which has no engine column: test for "soft"). */
static const char *row(const char *name)
{
	static char line[512];
	const char *p = capture();
	size_t k = strlen(name);

	for (; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, name, k) == 0 && p[k] == ' ') {
			snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
			return line;
		}
	}
	return "";
}

static bool screen_has(const char *text)
{
	return strstr(capture(), text) != NULL;
}

static bool row_has(const char *name, const char *text)
{
	return strstr(row(name), text) != NULL;
}

/* Polls cond until it holds or the deadline passes. */
#define WAIT_FOR(cond)                                                                             \
	do {                                                                                       \
		long deadline_ = now_ms() + DEADLINE_S * 1000L;                                    \
		while (!(cond) && now_ms() < deadline_)                                            \
			usleep(100 * 1000);                                                        \
		ck_assert_msg(cond, "timed out waiting for %s; screen:\n%s", #cond, screen);       \
	} while (0)

static const char *cfg_text(const char *name, const char *guest)
{
	static char text[1024];

	snprintf(text, sizeof text,
		 "name = \"%s\"\nmemory = 16\nvcpus = 1\nengine = \"soft\"\nfirmware = \"%s\"\n"
		 "serial = \"pty\"\n",
		 name, h_guest(guest));
	return text;
}

static void create(const char *name, const char *guest)
{
	char file[80];
	struct h_result *r;

	snprintf(file, sizeof file, "%s.cfg", name);
	r = h_hv(NULL, 60,
		 (const char *const[]){"create", h_write_file(file, cfg_text(name, guest)), NULL});
	ck_assert_msg(r->status == 0, "hv create failed: %s", r->err);
}

static bool state_is(const char *name, const char *state)
{
	const char *s = h_info(name, "state");

	return s && strcmp(s, state) == 0;
}

static void start_default_top(void)
{
	start_top(80, 24, HV_BIN " top");
	WAIT_FOR(screen_has("NAME"));
}

START_TEST(test_list_shows_every_domain_with_its_state)
{
	create("alpha", "counter");
	create("beta", "counter");
	ck_assert_int_eq(h_hv(NULL, 30, (const char *const[]){"pause", "beta", NULL})->status, 0);
	start_default_top();
	WAIT_FOR(row_has("alpha", "running") && row_has("beta", "paused"));
	ck_assert(row_has("alpha", "soft"));
	ck_assert(screen_has("2 domains"));
}
END_TEST

START_TEST(test_pause_and_resume_by_key_change_the_domain_state)
{
	create("ticker", "counter");
	start_default_top();
	WAIT_FOR(row_has("ticker", "running"));
	keys("p");
	WAIT_FOR(state_is("ticker", "paused"));
	WAIT_FOR(row_has("ticker", "paused"));
	keys("p");
	WAIT_FOR(state_is("ticker", "running"));
	WAIT_FOR(row_has("ticker", "running"));
}
END_TEST

static bool info_is(const char *name, const char *key, const char *value)
{
	const char *s = h_info(name, key);

	return s && strcmp(s, value) == 0;
}

START_TEST(test_mute_and_volume_by_key_change_the_domain_audio)
{
	create("loud", "counter");
	start_default_top();
	WAIT_FOR(row_has("loud", "running"));
	keys("m");
	WAIT_FOR(info_is("loud", "audio_muted", "1"));
	WAIT_FOR(screen_has("loud muted"));
	keys("'<'"); /* through a shell */
	WAIT_FOR(info_is("loud", "audio_volume", "90"));
	WAIT_FOR(screen_has("loud volume 90 (muted)"));
	keys("m");
	WAIT_FOR(info_is("loud", "audio_muted", "0"));
	keys("'>'");
	WAIT_FOR(info_is("loud", "audio_volume", "100"));
}
END_TEST

START_TEST(test_console_pane_shows_guest_output_and_delivers_typed_input)
{
	create("echoer", "echo");
	start_default_top();
	WAIT_FOR(row_has("echoer", "running"));
	keys("c");
	WAIT_FOR(screen_has("ready>"));
	keys("'hello top' Enter");
	WAIT_FOR(screen_has("you said: HELLO TOP"));
	keys("C-]");
	WAIT_FOR(screen_has("NAME") && row_has("echoer", "running"));
}
END_TEST

START_TEST(test_console_strips_escape_sequences_and_expands_tabs)
{
	create("echoer", "echo");
	start_default_top();
	WAIT_FOR(row_has("echoer", "running"));
	keys("c");
	WAIT_FOR(screen_has("ready>"));
	/* The guest echoes ESC [ 1 m raw, and answers with ESC [ 1 M. */
	keys("Escape '[1mbold' Enter");
	WAIT_FOR(screen_has("you said: BOLD"));
	ck_assert(!screen_has("[1"));
	keys("a Tab b Enter");
	WAIT_FOR(screen_has("you said: A     B"));
}
END_TEST

START_TEST(test_alt_hotkeys_switch_the_console_between_domains)
{
	create("alpha", "counter");
	create("echoer", "echo");
	start_default_top();
	WAIT_FOR(row_has("alpha", "running") && row_has("echoer", "running"));
	keys("M-2");
	WAIT_FOR(screen_has("echoer [") && screen_has("ready>"));
	keys("M-1");
	WAIT_FOR(screen_has("alpha [") && screen_has("tick "));
	ck_assert(!screen_has("ready>"));
	keys("M-n");
	WAIT_FOR(screen_has("echoer [") && screen_has("ready>"));
	keys("M-n");
	WAIT_FOR(screen_has("alpha [") && screen_has("tick "));
}
END_TEST

/* The title, the column header, both rows and the function bar on the
 * last line: the whole screen was redrawn for its new size. */
static bool full_screen(int rows)
{
	const char *s = capture(), *last = s;
	int lines = 0;

	for (const char *p = s; *p; p++)
		if (*p == '\n' && p[1]) {
			lines++;
			last = p + 1;
		}
	return lines + 1 == rows && strncmp(s, "hv top", 6) == 0 && strstr(s, "NAME") &&
	       strstr(s, "UPTIME") && row_has("alpha", "running") && row_has("beta", "running") &&
	       strstr(last, "F10Quit");
}

START_TEST(test_resizing_redraws_the_header_and_all_rows)
{
	create("alpha", "counter");
	create("beta", "counter");
	start_top(100, 30, HV_BIN " top");
	WAIT_FOR(full_screen(30));
	tmux(NULL, 0, "resize-window -t top -x 80 -y 24");
	WAIT_FOR(full_screen(24));
	tmux(NULL, 0, "resize-window -t top -x 132 -y 40");
	WAIT_FOR(full_screen(40));
	tmux(NULL, 0, "resize-window -t top -x 80 -y 24");
	WAIT_FOR(full_screen(24));
}
END_TEST

START_TEST(test_destroy_asks_first_and_removes_the_domain)
{
	create("doomed", "counter");
	start_default_top();
	WAIT_FOR(row_has("doomed", "running"));
	keys("d");
	WAIT_FOR(screen_has("Destroy domain 'doomed'? (y/n)"));
	keys("n");
	WAIT_FOR(screen_has("cancelled"));
	ck_assert_int_eq(h_runtime_entries(), 1);
	keys("F9");
	WAIT_FOR(screen_has("Destroy domain 'doomed'? (y/n)"));
	keys("y");
	WAIT_FOR(screen_has("doomed destroyed"));
	WAIT_FOR(h_runtime_entries() == 0);
	WAIT_FOR(!row_has("doomed", "soft"));
}
END_TEST

START_TEST(test_dead_domain_stays_listed_as_gone_with_its_console)
{
	const char *pid;

	create("victim", "counter");
	start_default_top();
	WAIT_FOR(row_has("victim", "running"));
	keys("M-1");
	WAIT_FOR(screen_has("tick "));
	keys("C-]");
	pid = h_info("victim", "pid");
	ck_assert_ptr_nonnull(pid);
	ck_assert_int_eq(kill(atoi(pid), SIGKILL), 0);
	WAIT_FOR(row_has("victim", "gone"));
	keys("M-1");
	WAIT_FOR(screen_has("console closed") && screen_has("tick "));
	keys("C-]");
	keys("d");
	WAIT_FOR(screen_has("victim forgotten") && !row_has("victim", "soft"));
}
END_TEST

START_TEST(test_menu_and_picker_create_a_domain_from_a_config_file)
{
	char dir[400], path[450];
	FILE *f;

	snprintf(dir, sizeof dir, "%s/config", h_setup_dir());
	mkdir(dir, 0700);
	strcat(dir, "/hv");
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/fresh.cfg", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(cfg_text("fresh", "counter"), f);
	fclose(f);
	start_default_top();
	keys("F2");
	WAIT_FOR(screen_has("Create from config..."));
	keys("n");
	WAIT_FOR(screen_has("fresh.cfg"));
	keys("Enter");
	WAIT_FOR(screen_has("created domain fresh"));
	WAIT_FOR(row_has("fresh", "running"));
	ck_assert(state_is("fresh", "running"));
}
END_TEST

/* S takes a snapshot (hv snapshot-create in the background); R picks it
 * and, after a yes, reverts: a new domain process of the same name. */
START_TEST(test_snapshot_and_revert_keys)
{
	struct h_result *r;
	char pid[32];

	create("snappy", "counter");
	snprintf(pid, sizeof pid, "%s", h_info("snappy", "pid"));
	start_default_top();
	WAIT_FOR(row_has("snappy", "running"));
	keys("S");
	WAIT_FOR(screen_has("took snapshot snap-"));
	r = h_hv(NULL, 30, (const char *const[]){"snapshot-list", "snappy", NULL});
	ck_assert_msg(r->status == 0 && strstr(r->out, "\nsnap-"), "list: %s", r->out);
	keys("R");
	WAIT_FOR(screen_has("Revert to snapshot"));
	keys("Enter");
	WAIT_FOR(screen_has("Revert 'snappy'"));
	keys("y");
	WAIT_FOR(screen_has("reverted domain snappy"));
	WAIT_FOR(state_is("snappy", "running"));
	ck_assert_str_ne(h_info("snappy", "pid"), pid);
}
END_TEST

START_TEST(test_help_lists_the_keys_in_plain_mode)
{
	start_top(80, 24, HV_BIN " top --plain");
	WAIT_FOR(screen_has("No domains"));
	keys("?");
	WAIT_FOR(screen_has("this help") && screen_has("Alt+1..9"));
	keys("End");
	WAIT_FOR(screen_has("redraw the screen") && screen_has("disk I/O") &&
		 screen_has("underruns so far"));
	keys("q");
	WAIT_FOR(screen_has("NAME") && !screen_has("this help"));
	keys("q");
}
END_TEST

START_TEST(test_sigterm_ends_top_and_restores_the_terminal)
{
	char pane[64], cmd[128];
	FILE *f;
	int pid;

	start_top(80, 24, "sh -c '" HV_BIN " top; echo top-ended; stty -a; sleep 600'");
	WAIT_FOR(screen_has("NAME"));
	tmux(pane, sizeof pane, "display-message -p -t top '#{pane_pid}'");
	/* hv top is the only child of the pane's shell. */
	snprintf(cmd, sizeof cmd, "pgrep -P %d", atoi(pane));
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	pclose(f);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	WAIT_FOR(screen_has("top-ended"));
	WAIT_FOR(screen_has(" icanon") && screen_has(" echo ") && !screen_has("-icanon"));
}
END_TEST

static Suite *top_suite(void)
{
	Suite *s = suite_create("top");
	TCase *t = tcase_create("tmux");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_list_shows_every_domain_with_its_state);
	tcase_add_test(t, test_pause_and_resume_by_key_change_the_domain_state);
	tcase_add_test(t, test_mute_and_volume_by_key_change_the_domain_audio);
	tcase_add_test(t, test_console_pane_shows_guest_output_and_delivers_typed_input);
	tcase_add_test(t, test_console_strips_escape_sequences_and_expands_tabs);
	tcase_add_test(t, test_alt_hotkeys_switch_the_console_between_domains);
	tcase_add_test(t, test_resizing_redraws_the_header_and_all_rows);
	tcase_add_test(t, test_destroy_asks_first_and_removes_the_domain);
	tcase_add_test(t, test_dead_domain_stays_listed_as_gone_with_its_console);
	tcase_add_test(t, test_menu_and_picker_create_a_domain_from_a_config_file);
	tcase_add_test(t, test_snapshot_and_revert_keys);
	tcase_add_test(t, test_help_lists_the_keys_in_plain_mode);
	tcase_add_test(t, test_sigterm_ends_top_and_restores_the_terminal);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return h_main(top_suite());
}
