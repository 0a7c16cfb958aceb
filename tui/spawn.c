#include "tui/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(const char *self, const char *const *args, int out)
{
	int null = open("/dev/null", O_RDONLY);
	const char *argv[6] = {"hv"};

	for (int i = 0; i < 4 && args[i]; i++)
		argv[i + 1] = args[i];
	dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	execv(self, (char *const *)argv);
	dprintf(out, "hv: cannot run %s: %s\n", self, strerror(errno));
	_exit(127);
}

int top_spawn_hv(struct top_app *app, const char *const *args, const char *doing, const char *done)
{
	int p[2];
	pid_t pid;

	if (app->spawn.pid) {
		top_message(app, "wait: hv %s is still running", app->spawn.done);
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		top_message(app, "cannot run hv %s: %s", args[0], strerror(errno));
		return -1;
	}
	if (pid == 0)
		child(app->self, args, p[1]);
	close(p[1]);
	app->spawn = (struct top_spawn){.pid = pid, .fd = p[0]};
	snprintf(app->spawn.done, sizeof app->spawn.done, "%s", done);
	top_message(app, "%s ...", doing);
	return 0;
}

int top_spawn_start(struct top_app *app, const char *path)
{
	char doing[PATH_MAX + 32];

	snprintf(doing, sizeof doing, "creating a domain from %s", path);
	return top_spawn_hv(app, (const char *const[]){"create", path, NULL}, doing,
			    "created domain");
}

/* The output's last non-empty line, for the status line. */
static const char *last_line(char *out)
{
	char *end = out + strlen(out), *start;

	while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(out, '\n');
	return start ? start + 1 : out;
}

static void finish(struct top_app *app)
{
	int status = 0;

	close(app->spawn.fd);
	waitpid(app->spawn.pid, &status, 0);
	app->spawn.pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		top_message(app, "%s %s", app->spawn.done, last_line(app->spawn.out));
	else
		top_message(app, "%s", app->spawn.len ? last_line(app->spawn.out) : "hv failed");
	app->next_refresh_ms = 0;
}

void top_spawn_poll(struct top_app *app)
{
	struct top_spawn *s = &app->spawn;
	ssize_t n = read(s->fd, s->out + s->len, sizeof s->out - 1 - s->len);

	if (n < 0 && errno == EINTR)
		return;
	if (n > 0) {
		s->len += (size_t)n;
		s->out[s->len] = '\0';
		if (s->len + 1 < sizeof s->out)
			return;
	}
	finish(app);
}
