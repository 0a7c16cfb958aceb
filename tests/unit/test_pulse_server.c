/* The server list of PulseAudio reconnects (hv/audio/pulse_server.h):
 * which of the answered server, PULSE_SERVER, PULSE_RUNTIME_PATH,
 * XDG_RUNTIME_DIR and libpulse's per-machine runtime symlink it names,
 * always in full (never "", which would send libpulse searching inside
 * the sandbox), and never past its buffer. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv/audio/pulse_server.h"
#include "unit.h"

#define SYSTEM " unix:/var/run/pulse/native"

static char home[PATH_MAX], list[1024];

static void setup(void)
{
	snprintf(home, sizeof home, "/tmp/hv-pulse-server-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(home));
	setenv("HOME", home, 1);
	unsetenv("PULSE_SERVER");
	unsetenv("PULSE_RUNTIME_PATH");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("XDG_CONFIG_HOME");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	ck_assert_int_eq(system(cmd), 0);
}

/* The id libpulse names its symlink by ("" when the machine has none). */
static const char *machine_id(void)
{
	static char id[128];
	FILE *f = fopen("/etc/machine-id", "r");

	if (!f)
		f = fopen("/var/lib/dbus/machine-id", "r");
	id[0] = '\0';
	if (f) {
		if (!fgets(id, sizeof id, f))
			id[0] = '\0';
		id[strcspn(id, "\n")] = '\0';
		fclose(f);
	}
	return id;
}

/* dir/<machine-id>-runtime -> target, dir made first. */
static void runtime_link(const char *dir, const char *target)
{
	char path[PATH_MAX + 200];

	snprintf(path, sizeof path, "%s", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/%s-runtime", dir, machine_id());
	ck_assert_int_eq(symlink(target, path), 0);
}

/* "unix:target/native " when the machine has an id to name the link
 * by, else "" (libpulse makes no such link then). */
static const char *linked(const char *target)
{
	static char s[PATH_MAX];

	s[0] = '\0';
	if (machine_id()[0])
		snprintf(s, sizeof s, "unix:%s/native ", target);
	return s;
}

static const char *own_run_user(void)
{
	static char s[80];

	snprintf(s, sizeof s, "unix:/run/user/%u/pulse/native", (unsigned)getuid());
	return s;
}

START_TEST(test_the_server_that_answered_comes_first_and_alone)
{
	setenv("PULSE_SERVER", "unix:/env/native", 1);
	pulse_reconnect_servers("unix:/answered/native", list, sizeof list);
	ck_assert_str_eq(list, "unix:/answered/native");
}
END_TEST

START_TEST(test_pulse_server_is_taken_as_the_user_wrote_it)
{
	setenv("PULSE_SERVER", "tcp:host:4713 unix:/x/native", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	pulse_reconnect_servers(NULL, list, sizeof list);
	ck_assert_str_eq(list, "tcp:host:4713 unix:/x/native");
	pulse_reconnect_servers("", list, sizeof list);
	ck_assert_str_eq(list, "tcp:host:4713 unix:/x/native");
}
END_TEST

START_TEST(test_runtime_path_then_xdg_runtime_dir_then_the_system_socket)
{
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	pulse_reconnect_servers(NULL, list, sizeof list);
	ck_assert_str_eq(list, "unix:/run/user/1000/pulse/native" SYSTEM);
	setenv("PULSE_RUNTIME_PATH", "/srv/pulse", 1);
	pulse_reconnect_servers(NULL, list, sizeof list);
	ck_assert_str_eq(list, "unix:/srv/pulse/native" SYSTEM);
}
END_TEST

/* No session variables: the runtime directory libpulse's symlink in
 * ~/.config/pulse points to, the user's /run/user one, the system's. */
START_TEST(test_without_session_variables_the_runtime_symlink_is_followed)
{
	char dir[PATH_MAX + 20], want[1024];

	snprintf(dir, sizeof dir, "%s/.config", home);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/.config/pulse", home);
	runtime_link(dir, "/tmp/pulse-AbCdEf");
	pulse_reconnect_servers(NULL, list, sizeof list);
	snprintf(want, sizeof want, "%s%s" SYSTEM, linked("/tmp/pulse-AbCdEf"), own_run_user());
	ck_assert_str_eq(list, want);
}
END_TEST

/* A legacy ~/.pulse wins over ~/.config/pulse, as in libpulse;
 * XDG_CONFIG_HOME moves the latter. A relative or missing link is no
 * entry. */
START_TEST(test_legacy_dot_pulse_and_xdg_config_home_are_where_libpulse_looks)
{
	char dir[PATH_MAX + 20], want[1024];

	snprintf(dir, sizeof dir, "%s/cfg", home);
	mkdir(dir, 0700);
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(dir, sizeof dir, "%s/cfg/pulse", home);
	runtime_link(dir, "/tmp/pulse-xdg");
	pulse_reconnect_servers(NULL, list, sizeof list);
	snprintf(want, sizeof want, "%s%s" SYSTEM, linked("/tmp/pulse-xdg"), own_run_user());
	ck_assert_str_eq(list, want);

	snprintf(dir, sizeof dir, "%s/.pulse", home);
	runtime_link(dir, "relative-dir");
	pulse_reconnect_servers(NULL, list, sizeof list);
	snprintf(want, sizeof want, "%s" SYSTEM, own_run_user());
	ck_assert_str_eq(list, want);
}
END_TEST

/* What does not fit is left out whole; the list is never cut mid-entry
 * and never written past its length. */
START_TEST(test_a_short_buffer_keeps_whole_entries_only)
{
	char small[40];

	memset(small, 'x', sizeof small);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	pulse_reconnect_servers(NULL, small, 34);
	ck_assert_str_eq(small, "unix:/run/user/1000/pulse/native");
	ck_assert_int_eq(small[39], 'x');
	pulse_reconnect_servers(NULL, small, 10);
	ck_assert_str_eq(small, "");
	small[0] = 'y';
	pulse_reconnect_servers(NULL, small, 0);
	ck_assert_int_eq(small[0], 'y');
	unsetenv("XDG_RUNTIME_DIR");
	setenv("HOME", "relative/home", 1);
	pulse_reconnect_servers(NULL, list, sizeof list);
	ck_assert_ptr_eq(strstr(list, own_run_user()), list);
}
END_TEST

int main(void)
{
	const TTest *tests[] = {
	    test_the_server_that_answered_comes_first_and_alone,
	    test_pulse_server_is_taken_as_the_user_wrote_it,
	    test_runtime_path_then_xdg_runtime_dir_then_the_system_socket,
	    test_without_session_variables_the_runtime_symlink_is_followed,
	    test_legacy_dot_pulse_and_xdg_config_home_are_where_libpulse_looks,
	    test_a_short_buffer_keeps_whole_entries_only,
	};

	return unit_run(
	    unit_suite("pulse_server", "list", setup, teardown, tests, UNIT_COUNT(tests), NULL, 0));
}
