/* hv run, hv create: a domain in the foreground or detached. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/log.h"
#include "hv/core/migstream.h"
#include "hv/core/savefile.h"
#include "hv/domain/domain.h"
#include "hv/domain/domain_save.h"
#include "hv/domain/migrate.h"

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A config's message may hold one problem a line: each gets "hv: ". */
static void config_error(const char *err)
{
	const char *nl;

	while ((nl = strchr(err, '\n'))) {
		cmd_error("%.*s", (int)(nl - err), err);
		err = nl + 1;
	}
	cmd_error("%s", err);
}

int cmd_load_config(const char *path, int noverrides, char **overrides, struct domain_config *cfg)
{
	char err[CONFIG_ERRORS_CHARS];

	if (config_load(path, cfg, err, sizeof err) < 0) {
		config_error(err);
		return -1;
	}
	return cmd_finish_config(noverrides, overrides, cfg);
}

int cmd_finish_config(int noverrides, char **overrides, struct domain_config *cfg)
{
	char err[CONFIG_ERRORS_CHARS];

	for (int i = 0; i < noverrides; i++) {
		if (config_override(cfg, overrides[i], err, sizeof err) < 0) {
			config_error(err);
			return -1;
		}
	}
	if (config_validate(cfg, err, sizeof err) < 0 || config_resolve(cfg, err, sizeof err) < 0) {
		config_error(err);
		return -1;
	}
	for (unsigned i = 0; i < cfg->nwarnings; i++)
		fprintf(stderr, "hv: warning: %s\n", cfg->warnings[i]);
	return 0;
}

/* --dry-run: the checks domain_create makes before it starts anything,
 * then the resolved domain as a config file on stdout. */
static int dry_run(const struct domain_config *cfg)
{
	char err[512];

	if (domain_check(cfg, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	printf("# %s as hv would create it (hv create --dry-run)\n", cfg->file);
	config_write(cfg, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int parse_timeout(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out <= 0) {
		cmd_error("--timeout: expected a number of seconds above 0, got '%s'", s);
		return -1;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct domain_config cfg;
	struct domain *d;
	double timeout = 0;
	char err[512];
	bool dry = false;
	int i = 1, status;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = true;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			if (parse_timeout(argv[++i], &timeout) < 0)
				return 1;
		} else
			break;
	}
	if (i >= argc || argv[i][0] == '-') {
		cmd_error("usage: hv run [--dry-run] [--timeout SECONDS] CFG [KEY=VALUE...]");
		return 1;
	}
	if (cmd_load_config(argv[i], argc - i - 1, argv + i + 1, &cfg) < 0)
		return 1;
	if (dry)
		return dry_run(&cfg);
	d = domain_create(&cfg, true, err, sizeof err);
	if (!d) {
		cmd_error("%s", err);
		return 1;
	}
	if (cfg.sdl) /* before domain_run's sandbox, which forbids fork */
		cmd_open_viewer(cfg.name, false);
	status = domain_run(d, timeout);
	domain_free(d);
	return status;
}

/* The detached domain process: reports "ok" or the error on fd, then runs
 * the domain with no terminal. */
static void domain_process(const struct domain_config *cfg, int fd,
			   const struct savefile_reader *restore, const struct cmd_incoming *inc,
			   bool paused)
{
	struct domain *d;
	char err[512];
	int null = open("/dev/null", O_RDWR);

	setsid();
	/* Keep none of the caller's descriptors (a test's pipes, a terminal):
	 * whoever waits for their EOF must not wait for this domain. */
	for (int i = STDERR_FILENO + 1; i < 1024; i++)
		if (i != fd && i != null && (!restore || i != restore->fd) &&
		    (!inc || (i != inc->in->fd && i != inc->out)))
			close(i);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	d = domain_create(cfg, false, err, sizeof err);
	if (!d) {
		dprintf(fd, "%s", err);
		_exit(1);
	}
	/* A restore loads everything before the vCPU first runs; a file it
	 * cannot take ends the process here, the half-loaded domain freed
	 * (its name released) and never run. */
	if (restore) {
		int rc = domain_restore(d, restore, err, sizeof err);

		close(restore->fd);
		if (rc < 0) {
			domain_free(d);
			dprintf(fd, "%s", err);
			_exit(1);
		}
	}
	/* A migration's stream, likewise, before the vCPU first runs. */
	if (inc) {
		int rc = domain_migrate_receive(d, inc->in, inc->out, err, sizeof err);

		close(inc->in->fd);
		if (inc->out != inc->in->fd)
			close(inc->out);
		if (rc < 0) {
			domain_free(d);
			dprintf(fd, "%s", err);
			_exit(1);
		}
	}
	/* hv restore -p: the vCPU and the clock wait for hv unpause. */
	if (paused) {
		d->pause_requested = true;
		log_info("paused");
	}
	dprintf(fd, "ok");
	close(fd);
	domain_run(d, 0);
	domain_free(d);
	_exit(0);
}

static int read_report(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t got;

	while (n + 1 < len && (got = read(fd, buf + n, len - n - 1)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	return (int)n;
}

int cmd_spawn_domain(const struct domain_config *cfg)
{
	return cmd_spawn_restored(cfg, NULL, false);
}

static int spawn(const struct domain_config *cfg, const struct savefile_reader *restore,
		 const struct cmd_incoming *inc, bool paused);

int cmd_spawn_restored(const struct domain_config *cfg, const struct savefile_reader *restore,
		       bool paused)
{
	return spawn(cfg, restore, NULL, paused);
}

int cmd_spawn_incoming(const struct domain_config *cfg, const struct cmd_incoming *inc)
{
	return spawn(cfg, NULL, inc, false);
}

static int spawn(const struct domain_config *cfg, const struct savefile_reader *restore,
		 const struct cmd_incoming *inc, bool paused)
{
	char report[600];
	int p[2];
	pid_t pid;

	fflush(NULL);
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		cmd_error("cannot start a domain process: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		domain_process(cfg, p[1], restore, inc, paused);
	}
	close(p[1]);
	read_report(p[0], report, sizeof report);
	close(p[0]);
	/* The domain process lives on, detached; its start-up is over. */
	if (strcmp(report, "ok") != 0) {
		waitpid(pid, NULL, 0);
		cmd_error("%s", report[0] ? report : "the domain process died while starting");
		return -1;
	}
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct domain_config cfg;
	bool attach = false, dry = false;
	int i = 1;

	for (; i < argc && (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--dry-run") == 0); i++) {
		if (argv[i][1] == 'c')
			attach = true;
		else
			dry = true;
	}
	if (i >= argc || argv[i][0] == '-') {
		cmd_error("usage: hv create [-c] [--dry-run] CFG [KEY=VALUE...]");
		return 1;
	}
	if (cmd_load_config(argv[i], argc - i - 1, argv + i + 1, &cfg) < 0)
		return 1;
	if (dry)
		return dry_run(&cfg);
	if (cmd_spawn_domain(&cfg) < 0)
		return 1;
	printf("%s\n", cfg.name);
	fflush(stdout);
	if (cfg.sdl)
		cmd_open_viewer(cfg.name, false);
	return attach ? cmd_attach_console(cfg.name, true) : 0;
}
