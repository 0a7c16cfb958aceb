/* `hv view NAME` started in the background: for sdl = 1 (hv create, run
 * and restore) and for hv demo. The viewer is a grandchild, so no zombie
 * is left to the caller (which may be a long-lived domain process), in
 * its own session, so it outlives a closed terminal; it writes its
 * messages to the state directory's NAME.view.log, truncated at each
 * start so it never grows across runs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/runtime.h"

static bool have_display(void)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	return (x && *x) || (w && *w);
}

/* The log's descriptor, or /dev/null's when the state directory is not
 * usable (the viewer's message boxes still say what goes wrong). */
static int open_log(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + RUNTIME_NAME_MAX + 16], err[256];
	int fd = -1;

	if (runtime_state_dir(dir, sizeof dir, err, sizeof err) == 0 &&
	    (size_t)snprintf(path, sizeof path, "%s/%s.view.log", dir, name) < sizeof path)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	return fd >= 0 ? fd : open("/dev/null", O_WRONLY | O_CLOEXEC);
}

/* In the child: only async-signal-safe calls from here on (the caller may
 * have threads). */
static void exec_viewer(const char *name, int log, int null)
{
	if (fork() != 0)
		_exit(0); /* the middle process; its child is the viewer */
	setsid();
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	if (log >= 0) {
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
	}
	execl("/proc/self/exe", "hv", "view", name, (char *)NULL);
	_exit(127);
}

int cmd_open_viewer(const char *name, bool quiet)
{
	int log, null, status;
	pid_t pid;

	if (!have_display()) {
		if (!quiet)
			fprintf(stderr,
				"hv: %s: sdl = 1, but there is no display (DISPLAY and "
				"WAYLAND_DISPLAY are unset); `hv view %s` shows the screen\n",
				name, name);
		return -1;
	}
	log = open_log(name);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_viewer(name, log, null);
	if (log >= 0)
		close(log);
	if (null >= 0)
		close(null);
	if (pid < 0) {
		cmd_error("%s: cannot start hv view: %s", name, strerror(errno));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
