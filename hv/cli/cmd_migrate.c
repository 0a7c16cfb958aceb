/* hv migrate [--downtime MS] [--rounds N] NAME HOST|tcp:HOST:PORT and
 * hv migrate-receive [--listen tcp:[ADDR:]PORT] [KEY=VALUE...]: live
 * migration (hv/domain/migrate.h). The client connects the stream (a TCP
 * socket, or a socket pair to `ssh HOST hv migrate-receive`) and passes
 * it to the domain, which sends while it runs; the client follows it and
 * cancels on Ctrl-C. The receiver reads the stream's config, starts a
 * domain process that loads the rest before its vCPU runs. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/kv.h"
#include "hv/core/migstream.h"
#include "hv/domain/migrate.h"

#define RECEIVE_TIMEOUT_MS 60000
#define SSH_ARGS_MAX	   32

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* "HOST:PORT" ("[V6]:PORT" too) split in place. */
static int split_host_port(char *s, char **host, char **port)
{
	char *colon = strrchr(s, ':');

	if (!colon || colon == s || !colon[1])
		return -1;
	*colon = '\0';
	*port = colon + 1;
	*host = s;
	if (s[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		*host = s + 1;
	}
	return 0;
}

static int connect_tcp(const char *dest)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	char copy[512], *host, *port;
	int fd = -1, rc;

	snprintf(copy, sizeof copy, "%s", dest);
	if (split_host_port(copy, &host, &port) < 0) {
		cmd_error("%s: expected tcp:HOST:PORT", dest);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		cmd_error("%s: %s", dest, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		cmd_error("cannot connect to %s: %s", dest, strerror(errno));
	return fd;
}

/* $HV_MIGRATE_SSH (words; "ssh" unless set) HOST hv migrate-receive, its
 * stdin and stdout one end of a socket pair; the other end returned. */
static int connect_ssh(const char *host, pid_t *pid)
{
	const char *env = getenv("HV_MIGRATE_SSH");
	char cmd[1024], *argv[SSH_ARGS_MAX + 4], *save;
	int sv[2], n = 0;

	snprintf(cmd, sizeof cmd, "%s", env && *env ? env : "ssh");
	for (char *w = strtok_r(cmd, " \t", &save); w && n < SSH_ARGS_MAX;
	     w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n++] = (char *)host;
	argv[n++] = "hv";
	argv[n++] = "migrate-receive";
	argv[n] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || (*pid = fork()) < 0) {
		cmd_error("cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (*pid == 0) {
		dup2(sv[1], STDIN_FILENO);
		dup2(sv[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "hv: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	return sv[0];
}

static double num(const char *reply, const char *key)
{
	char v[64];

	return kv_get(reply, key, v, sizeof v) ? strtod(v, NULL) : 0;
}

static void progress(const char *reply)
{
	double ram = num(reply, "ram_pages"), left = num(reply, "left");

	fprintf(stderr,
		"\r\033[Kround %.0f: %3.0f%% of the round, %.0f pages sent, %.1f MiB/s, "
		"%.0f dirty",
		num(reply, "round"), ram > 0 ? 100.0 * (ram - left) / ram : 0, num(reply, "pages"),
		num(reply, "bandwidth") / (1 << 20), num(reply, "dirty"));
	fflush(stderr);
}

/* Follows the migration until it is over; the last status in reply.
 * Returns 0 when it succeeded. */
static int follow(struct ctl *c, char *reply, size_t len)
{
	bool tty = isatty(STDERR_FILENO), cancelled = false;
	char state[32] = "";
	int rc = -1;

	for (;;) {
		struct timespec ts = {0, 100 * 1000000L};

		if (interrupted && !cancelled) {
			char r[CTL_LINE_MAX];

			cancelled = true;
			ctl_call(c, "migrate-cancel", r, sizeof r);
		}
		if (ctl_call(c, "migrate-status", reply, len) < 0) {
			cmd_error("lost the domain: %s", reply);
			break;
		}
		kv_get(reply, "state", state, sizeof state);
		if (strcmp(state, "sending") != 0) {
			rc = strcmp(state, "done") == 0 ? 0 : -1;
			break;
		}
		if (tty)
			progress(reply);
		nanosleep(&ts, NULL);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	return rc;
}

static void wait_gone(struct ctl *c)
{
	char line[256];

	while (ctl_read_line(c, line, sizeof line, 10000) >= 0)
		;
}

static int migrate(struct ctl *c, const char *name, const char *dest, int fd, unsigned downtime,
		   unsigned rounds)
{
	char req[128], reply[CTL_LINE_MAX], error[512];

	snprintf(req, sizeof req, "migrate-send downtime=%u rounds=%u", downtime, rounds);
	if (ctl_call_fd(c, req, fd, reply, sizeof reply, -1) < 0) {
		cmd_error("%s", reply);
		return 1;
	}
	close(fd);
	if (follow(c, reply, sizeof reply) < 0) {
		if (!kv_get(reply, "error", error, sizeof error))
			snprintf(error, sizeof error, "%.500s", reply);
		cmd_error("migration of %s to %s failed: %s; %s goes on here", name, dest, error,
			  name);
		return 1;
	}
	printf("migrated %s to %s: total %.3f s, downtime %.1f ms, %.0f pages in %.0f rounds "
	       "(%.1f MiB)\n",
	       name, dest, num(reply, "total_ms") / 1e3, num(reply, "downtime_ms"),
	       num(reply, "pages"), num(reply, "round"), num(reply, "bytes") / (1 << 20));
	fflush(stdout);
	if (ctl_call(c, "destroy", reply, sizeof reply) < 0) {
		cmd_error("migrated, but %s did not end here: %s", name, reply);
		return 1;
	}
	wait_gone(c);
	return 0;
}

static int parse_unsigned(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	unsigned downtime = MIGRATE_DOWNTIME_MS, rounds = MIGRATE_ROUNDS;
	struct sigaction sa = {.sa_handler = on_signal};
	char err[256];
	struct ctl c;
	pid_t ssh = -1;
	int i = 1, fd, rc;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if ((strcmp(argv[i], "--downtime") == 0 &&
		     parse_unsigned(argv[i + 1], 600000, &downtime) == 0) ||
		    (strcmp(argv[i], "--rounds") == 0 &&
		     parse_unsigned(argv[i + 1], 1000, &rounds) == 0 && rounds > 0))
			continue;
		break;
	}
	if (argc - i != 2 || argv[i][0] == '-') {
		cmd_error("usage: hv migrate [--downtime MS] [--rounds N] NAME HOST|tcp:HOST:PORT");
		return 1;
	}
	if (ctl_open(&c, argv[i], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	fd = strncmp(argv[i + 1], "tcp:", 4) == 0 ? connect_tcp(argv[i + 1] + 4)
						  : connect_ssh(argv[i + 1], &ssh);
	if (fd < 0) {
		ctl_close(&c);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = migrate(&c, argv[i], argv[i + 1], fd, downtime, rounds);
	ctl_close(&c);
	if (ssh > 0) {
		if (rc != 0)
			kill(ssh, SIGTERM);
		waitpid(ssh, NULL, 0);
	}
	return rc;
}

/* ---- receiving ---- */

static int listen_tcp(const char *spec)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
	char copy[512], *host = NULL, *port = copy;
	int fd, conn, one = 1, rc;

	snprintf(copy, sizeof copy, "%s", spec);
	if (strchr(copy, ':') && split_host_port(copy, &host, &port) < 0) {
		cmd_error("%s: expected tcp:[ADDR:]PORT", spec);
		return -1;
	}
	if (!host)
		hints.ai_family = AF_INET;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		cmd_error("tcp:%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	/* A small receive buffer, so that the sender's bandwidth estimate is
	 * what this end takes. */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){256 << 10}, sizeof(int));
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		cmd_error("cannot listen on tcp:%s: %s", spec, strerror(errno));
		freeaddrinfo(res);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	freeaddrinfo(res);
	fprintf(stderr, "hv: waiting for a migration on tcp:%s\n", spec);
	do
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		cmd_error("accept: %s", strerror(errno));
	close(fd);
	return conn;
}

static int receive(int in, int out, int n, char **over, bool stdio)
{
	struct migstream_in ms;
	struct domain_config cfg;
	struct cmd_incoming inc = {.in = &ms, .out = out};
	char err[512], *text;
	size_t len;
	int rc;

	if (migstream_read_start(&ms, in, RECEIVE_TIMEOUT_MS, &text, &len, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = cmd_config_from_text(text, len, "migration", n, over, &cfg);
	free(text);
	if (rc < 0 || cmd_spawn_incoming(&cfg, &inc) < 0)
		return 1;
	fprintf(stdio ? stderr : stdout, "%s\n", cfg.name);
	return 0;
}

int cmd_migrate_receive(int argc, char **argv)
{
	const char *listen_on = NULL;
	int i = 1, in, out, rc;

	if (argc > 2 && strcmp(argv[1], "--listen") == 0) {
		if (strncmp(argv[2], "tcp:", 4) != 0) {
			cmd_error("--listen takes tcp:[ADDR:]PORT");
			return 1;
		}
		listen_on = argv[2] + 4;
		i = 3;
	}
	for (int j = i; j < argc; j++) {
		if (!strchr(argv[j], '=') || argv[j][0] == '-') {
			cmd_error("usage: hv migrate-receive [--listen tcp:[ADDR:]PORT] "
				  "[KEY=VALUE...]");
			return 1;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (listen_on) {
		in = out = listen_tcp(listen_on);
		if (in < 0)
			return 1;
	} else {
		/* Above the standard descriptors, which the domain process
		 * points at /dev/null. */
		in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (in < 0 || out < 0) {
			cmd_error("cannot use stdin and stdout: %s", strerror(errno));
			return 1;
		}
	}
	rc = receive(in, out, argc - i, argv + i, !listen_on);
	close(in);
	if (out != in)
		close(out);
	return rc;
}
