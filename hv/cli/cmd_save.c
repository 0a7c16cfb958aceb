/* hv save [-c] NAME FILE, hv restore FILE [KEY=VALUE...]: a domain's state
 * into a save file and back (hv/domain/domain_save.h). The client opens
 * the files: the domain's sandbox opens none. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/savefile.h"
#include "hv/domain/domain_save.h"

/* The file's directory, fsynced so that the rename survives a crash. */
static void sync_dir(const char *file)
{
	char copy[PATH_MAX];
	int fd;

	snprintf(copy, sizeof copy, "%s", file);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fsync(fd) < 0) {
		/* The file is in place; a directory that cannot sync (a
		 * tmpfs) loses nothing. */
	}
	close(fd);
}

/* Waits until the domain has closed the connection (it is gone). */
static void wait_gone(struct ctl *c)
{
	char line[256];

	while (ctl_read_line(c, line, sizeof line, 10000) >= 0)
		;
}

/* Without -c the domain is paused first, so that nothing it does after
 * the save is lost, and destroyed once the file is in place; a save that
 * fails leaves it running (unpaused again if this paused it). */
static int save(struct ctl *c, const char *file, bool keep)
{
	char tmp[PATH_MAX], reply[CTL_LINE_MAX];
	bool paused = false;
	int fd, rc;

	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", file) >= (int)sizeof tmp) {
		cmd_error("%s: path too long", file);
		return 1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		cmd_error("cannot create %s: %s", tmp, strerror(errno));
		return 1;
	}
	if (!keep) {
		rc = ctl_call(c, "pause", reply, sizeof reply);
		paused = rc == 0;
		if (rc < 0 && !strstr(reply, "already paused")) {
			cmd_error("%s", reply);
			goto fail;
		}
	}
	if (ctl_call_fd(c, "save", fd, reply, sizeof reply, -1) < 0) {
		cmd_error("%s", reply);
		goto fail;
	}
	if (rename(tmp, file) < 0) {
		cmd_error("cannot rename %s to %s: %s", tmp, file, strerror(errno));
		goto fail;
	}
	close(fd);
	sync_dir(file);
	if (!keep) {
		if (ctl_call(c, "destroy", reply, sizeof reply) < 0) {
			cmd_error("saved, but the domain did not end: %s", reply);
			return 1;
		}
		wait_gone(c);
	}
	return 0;
fail:
	close(fd);
	unlink(tmp);
	if (paused && ctl_call(c, "unpause", reply, sizeof reply) < 0)
		cmd_error("cannot unpause the domain: %s", reply);
	return 1;
}

int cmd_save(int argc, char **argv)
{
	struct ctl c;
	char err[256];
	bool keep = argc > 1 && strcmp(argv[1], "-c") == 0;
	int i = keep ? 2 : 1, rc;

	if (argc - i != 2 || argv[i][0] == '-') {
		cmd_error("usage: hv save [-c] NAME FILE");
		return 1;
	}
	if (ctl_open(&c, argv[i], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = save(&c, argv[i + 1], keep);
	ctl_close(&c);
	return rc;
}

int cmd_saved_config(const struct savefile_reader *r, const char *file, struct domain_config *cfg)
{
	char err[CONFIG_ERRORS_CHARS];

	if (domain_saved_config(r, file, cfg, err, sizeof err) < 0) {
		cmd_error("%s: %s", file, err);
		return -1;
	}
	return 0;
}

int cmd_config_from_text(char *text, size_t len, const char *origin, int n, char **over,
			 struct domain_config *cfg)
{
	char err[CONFIG_ERRORS_CHARS];

	if (domain_config_from_text(text, len, origin, cfg, err, sizeof err) < 0) {
		cmd_error("%s: %s", origin, err);
		return -1;
	}
	return cmd_finish_config(n, over, cfg);
}

/* The save file's config, with the command line's overrides on top. */
static int saved_config(const struct savefile_reader *r, const char *file, int n, char **over,
			struct domain_config *cfg)
{
	if (cmd_saved_config(r, file, cfg) < 0)
		return -1;
	return cmd_finish_config(n, over, cfg);
}

int cmd_restore(int argc, char **argv)
{
	struct domain_config cfg;
	struct savefile_reader r;
	char err[512];
	bool paused = argc > 1 && strcmp(argv[1], "-p") == 0;
	int fd, rc;

	argc -= paused;
	argv += paused;
	if (argc < 2 || argv[1][0] == '-') {
		cmd_error("usage: hv restore [-p] FILE [KEY=VALUE...]");
		return 1;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cmd_error("%s: %s", argv[1], strerror(errno));
		return 1;
	}
	if (savefile_open(&r, fd, err, sizeof err) < 0) {
		cmd_error("%s: %s", argv[1], err);
		close(fd);
		return 1;
	}
	rc = saved_config(&r, argv[1], argc - 2, argv + 2, &cfg) < 0 ||
		     cmd_spawn_restored(&cfg, &r, paused) < 0
		 ? 1
		 : 0;
	savefile_close(&r);
	close(fd);
	if (rc == 0) {
		printf("%s\n", cfg.name);
		fflush(stdout);
		if (cfg.sdl)
			cmd_open_viewer(cfg.name, false);
	}
	return rc;
}
