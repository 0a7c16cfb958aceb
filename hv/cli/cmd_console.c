/* hv console: this terminal attached to a domain's serial console. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/file.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-] */

static struct termios saved_tio;
static bool tio_saved;

static void raw_terminal(void)
{
	struct termios tio;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	tio = saved_tio;
	cfmakeraw(&tio);
	/* Keep output post-processing off too: the guest sends its own \r\n. */
	tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	tio_saved = true;
}

static void restore_terminal(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = false;
}

static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Guest output to the terminal. Returns -1 at the domain's end. */
static int from_guest(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -1;
	return file_write_all(STDOUT_FILENO, buf, (size_t)n) < 0 ? -1 : 0;
}

/* Keys to the guest. Returns 1 on the escape character, -1 on EOF. */
static int to_guest(int fd)
{
	char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
	char *esc;

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0)
		return -1;
	esc = memchr(buf, ESCAPE_CHAR, (size_t)n);
	if (esc)
		n = esc - buf;
	if (n > 0 && file_write_all(fd, buf, (size_t)n) < 0)
		return -1;
	return esc ? 1 : 0;
}

static int relay(struct ctl *c)
{
	struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN},
			      {.fd = STDIN_FILENO, .events = POLLIN}};

	/* Bytes that arrived with the "ok" reply belong to the console. */
	if (c->len && file_write_all(STDOUT_FILENO, c->buf, c->len) < 0)
		return 1;
	for (;;) {
		int rc;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents && from_guest(c->fd) < 0)
			return 0; /* the domain ended */
		if (!p[1].revents)
			continue;
		rc = to_guest(c->fd);
		if (rc == 1)
			return 0;
		if (rc < 0)
			p[1].fd = -1; /* stdin at EOF: keep showing output */
	}
}

/* As cmd_attach_console, on the console `which` names: "port=1",
 * "type=pv", ... (the console request's words), or "" for the primary
 * console. */
static int attach_port(const char *name, bool history, const char *which)
{
	struct ctl c;
	char err[256], reply[CTL_LINE_MAX], req[32];
	int rc;

	if (ctl_open(&c, name, 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	snprintf(req, sizeof req, "console %s%s", which, history ? "" : " live");
	if (ctl_call(&c, req, reply, sizeof reply) < 0) {
		cmd_error("%s", reply);
		ctl_close(&c);
		return 1;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "Connected to domain '%s'. Escape character is '^]'.\r\n", name);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	raw_terminal();
	rc = relay(&c);
	restore_terminal();
	ctl_close(&c);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "\n");
	return rc;
}

int cmd_attach_console(const char *name, bool history)
{
	return attach_port(name, history, "");
}

/* The console request's word for `-t TYPE` (xl console's: serial is
 * COM1, pv the virtio-console), or NULL. */
static const char *type_word(const char *type)
{
	if (strcmp(type, "serial") == 0)
		return "type=serial";
	return strcmp(type, "pv") == 0 ? "type=pv" : NULL;
}

/* hv console [--live] [--port 1|2 | -t serial|pv] NAME, the options in
 * any order; without --port or -t, the primary console (config key
 * `console`). */
int cmd_console(int argc, char **argv)
{
	const char *name = NULL;
	char which[16] = "";
	bool live = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--live") == 0) {
			live = true;
		} else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc &&
			   (strcmp(argv[i + 1], "1") == 0 || strcmp(argv[i + 1], "2") == 0)) {
			snprintf(which, sizeof which, "port=%s", argv[++i]);
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc && type_word(argv[i + 1])) {
			snprintf(which, sizeof which, "%s", type_word(argv[++i]));
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			name = NULL;
			break;
		}
	}
	if (!name) {
		cmd_error("usage: hv console [--live] [--port 1|2 | -t serial|pv] NAME");
		return 1;
	}
	return attach_port(name, !live, which);
}
