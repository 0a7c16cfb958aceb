/* A private PulseAudio server and parec for the sound suites (pulse.h). */
#include "pulse.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BYTES_PER_SECOND (48000 * 4)

static char pulse_dir[512];

void pulse_start(void)
{
	char cmd[4096], sock[600];

	snprintf(pulse_dir, sizeof pulse_dir, "%s/pulse", h_setup_dir());
	mkdir(pulse_dir, 0700);
	snprintf(cmd, sizeof cmd,
		 "HOME='%s' PULSE_RUNTIME_PATH='%s' PULSE_STATE_PATH='%s' XDG_CONFIG_HOME='%s' "
		 "pulseaudio -n --daemonize=yes --exit-idle-time=-1 --use-pid-file=yes "
		 "--load='module-null-sink sink_name=hvtest rate=48000' "
		 "--load='module-native-protocol-unix auth-anonymous=1' >/dev/null 2>&1",
		 pulse_dir, pulse_dir, pulse_dir, pulse_dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(sock, sizeof sock, "unix:%s/native", pulse_dir);
	setenv("PULSE_SERVER", sock, 1);
}

static pid_t server_pid(void)
{
	char path[600], pid[32] = "";
	FILE *f;

	snprintf(path, sizeof path, "%s/pid", pulse_dir);
	f = fopen(path, "r");
	if (f && !fgets(pid, sizeof pid, f))
		pid[0] = '\0';
	if (f)
		fclose(f);
	return atoi(pid);
}

void pulse_kill(int sig)
{
	pid_t pid = server_pid();

	if (pid <= 0)
		return;
	kill(pid, sig);
	for (int i = 0; i < 100 && kill(pid, 0) == 0; i++)
		pulse_sleep_ms(100);
}

void pulse_stop(void)
{
	pulse_kill(SIGTERM);
	unsetenv("PULSE_SERVER");
}

int pulse_ctl(const char *args)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "pactl %s >/dev/null 2>&1", args);
	return system(cmd);
}

pid_t pulse_parec(const char *out)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char log[600];
		int fd;

		snprintf(log, sizeof log, "%s.log", out);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0)
			dup2(fd, 2);
		execlp("parec", "parec", "-d", "hvtest.monitor", "--raw", "--format=s16le",
		       "--rate=48000", "--channels=2", "--latency-msec=50", out, (char *)NULL);
		_exit(127);
	}
	return pid;
}

void pulse_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

long long pulse_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

long long pulse_grows(const char *path, long long than)
{
	for (int i = 0; i < 600 && pulse_file_size(path) <= than; i++)
		pulse_sleep_ms(100);
	return pulse_file_size(path);
}

struct h_result *pulse_record_run(const char *raw, const char *const *argv)
{
	struct h_result *r;
	pid_t rec;

	pulse_start();
	rec = pulse_parec(raw);
	/* Recording once the file grows (the null sink runs, silent, even
	 * with nothing playing): parec may take long to connect on a busy
	 * host. */
	ck_assert_msg(pulse_grows(raw, BYTES_PER_SECOND / 20) > BYTES_PER_SECOND / 20,
		      "parec records nothing");
	r = h_hv(NULL, 120, argv);
	/* Half a second more of recording after the drained stream ended. */
	pulse_grows(raw, pulse_file_size(raw) + BYTES_PER_SECOND / 2);
	kill(rec, SIGINT);
	waitpid(rec, NULL, 0);
	pulse_stop();
	return r;
}
