/* hv dmesg [NAME...]: hv's own log, as `xl dmesg` shows the hypervisor's:
 * every domain's log in the state directory (NAME.log.1, then NAME.log;
 * the consoles' logs are the guests', not hv's), merged in time order. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/cmd.h"
#include "hv/core/runtime.h"

#define STAMP_LEN 19 /* "YYYY-MM-DD HH:MM:SS" */

struct entry {
	char stamp[STAMP_LEN + 1]; /* a line without one takes the previous line's */
	size_t seq;		   /* input order, for a stable sort */
	char *text;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

static bool has_stamp(const char *s)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";

	for (int i = 0; i < STAMP_LEN; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	return true;
}

static int add(struct entries *e, const char *text, const char *stamp)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		struct entry *v = realloc(e->v, cap * sizeof *v);
		if (!v)
			return -1;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n].text = strdup(text);
	if (!e->v[e->n].text)
		return -1;
	snprintf(e->v[e->n].stamp, sizeof e->v[e->n].stamp, "%s", stamp);
	e->v[e->n].seq = e->n;
	e->n++;
	return 0;
}

/* Reads one log file's lines (missing: nothing). */
static int read_log(struct entries *e, const char *path)
{
	char stamp[STAMP_LEN + 1] = "0000-00-00 00:00:00";
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (has_stamp(line))
			snprintf(stamp, sizeof stamp, "%.*s", STAMP_LEN, line);
		rc = add(e, line, stamp);
	}
	free(line);
	fclose(f);
	return rc;
}

static int read_domain(struct entries *e, const char *dir, const char *name)
{
	char path[PATH_MAX];

	/* a path that does not fit names no log of hv's: nothing to read */
	if ((size_t)snprintf(path, sizeof path, "%s/%s.log.1", dir, name) >= sizeof path)
		return 0;
	if (read_log(e, path) < 0)
		return -1;
	if ((size_t)snprintf(path, sizeof path, "%s/%s.log", dir, name) >= sizeof path)
		return 0;
	return read_log(e, path);
}

/* NAME of NAME.log, when file is a domain's own log (not a console's). */
static bool domain_log_name(const char *file, char *name, size_t len)
{
	size_t n = strlen(file);

	if (n <= 4 || strcmp(file + n - 4, ".log") != 0 || n - 4 >= len)
		return false;
	snprintf(name, len, "%.*s", (int)(n - 4), file);
	return !strstr(name, ".console");
}

static int read_all(struct entries *e, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char name[RUNTIME_NAME_MAX];
	int rc = 0;

	if (!d)
		return -1;
	while (rc == 0 && (de = readdir(d)))
		if (domain_log_name(de->d_name, name, sizeof name))
			rc = read_domain(e, dir, name);
	closedir(d);
	return rc;
}

static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->stamp, y->stamp);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

int cmd_dmesg(int argc, char **argv)
{
	struct entries e = {0};
	char dir[PATH_MAX], err[256];
	int rc = 0;

	if (argc > 1 && argv[1][0] == '-') {
		cmd_error("usage: hv dmesg [NAME...]");
		return 1;
	}
	if (runtime_state_dir(dir, sizeof dir, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	if (argc == 1)
		rc = read_all(&e, dir);
	for (int i = 1; rc == 0 && i < argc; i++) {
		if (strchr(argv[i], '/') || strlen(argv[i]) >= RUNTIME_NAME_MAX) {
			cmd_error("'%s' is not a domain name", argv[i]);
			rc = 1;
			break;
		}
		rc = read_domain(&e, dir, argv[i]);
	}
	if (rc < 0)
		cmd_error("cannot read the logs in %s: %s", dir, strerror(errno));
	qsort(e.v, e.n, sizeof *e.v, by_time);
	for (size_t i = 0; i < e.n; i++) {
		if (rc == 0)
			puts(e.v[i].text);
		free(e.v[i].text);
	}
	free(e.v);
	return rc ? 1 : 0;
}
