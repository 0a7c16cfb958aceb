#include "hv/core/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hv/core/capfile.h"
#include "hv/core/ctl.h"

#define MAX_DOMAINS 256

static int make_private_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", path);
		return -1;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077)) {
		/* Another user could reach our domains' sockets: refuse. */
		snprintf(err, errlen, "%s: must be owned by uid %u with mode 0700", path,
			 (unsigned)getuid());
		return -1;
	}
	return 0;
}

int runtime_dir(char *out, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/hv", xdg);
	else
		n = snprintf(out, len, "/tmp/hv-%u", (unsigned)getuid());
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "runtime directory path too long");
		return -1;
	}
	return make_private_dir(out, err, errlen);
}

static int mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Nobody else may replace what is in dir: it is ours or root's, and if
 * others may write to it, it is sticky (as /tmp). */
static bool safe_parent(const char *path)
{
	char parent[PATH_MAX];
	char *slash;
	struct stat st;

	snprintf(parent, sizeof parent, "%s", path);
	slash = strrchr(parent, '/');
	if (!slash)
		return true;
	*(slash == parent ? slash + 1 : slash) = '\0';
	if (stat(parent, &st) < 0)
		return false;
	if (st.st_uid != getuid() && st.st_uid != 0)
		return false;
	return !(st.st_mode & 022) || (st.st_mode & S_ISVTX);
}

/* The state directory holds logs a guest writes into: like the runtime
 * directory it must be a real directory (not a link), owned by the user
 * and writable by nobody else, in a parent nobody else can swap it in.
 * The checks are made on the directory opened, and that descriptor is
 * returned: files are made in it with openat, so what was checked is
 * what is used. */
static int open_state_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory (a symbolic link is refused)", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_uid != getuid() || (st.st_mode & 022) || !safe_parent(path)) {
		snprintf(err, errlen,
			 "%s: must be owned by uid %u, writable by nobody else, in a directory "
			 "nobody else can write to",
			 path, (unsigned)getuid());
		close(fd);
		return -1;
	}
	return fd;
}

/* Without XDG_STATE_HOME or HOME: the passwd entry's home, else a private
 * directory of this user's in /tmp (checked like any other), never a
 * directory another user could have made first. */
static int state_base(char *out, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (xdg && xdg[0] == '/')
		return snprintf(out, len, "%s/hv", xdg);
	if (home && home[0] == '/')
		return snprintf(out, len, "%s/.local/state/hv", home);
	pw = getpwuid(getuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/' && strcmp(pw->pw_dir, "/") != 0 &&
	    access(pw->pw_dir, W_OK) == 0)
		return snprintf(out, len, "%s/.local/state/hv", pw->pw_dir);
	return snprintf(out, len, "/tmp/hv-state-%u", (unsigned)getuid());
}

int runtime_state_dir_open(char *out, size_t len, char *err, size_t errlen)
{
	int n = state_base(out, len);

	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "state directory path too long");
		return -1;
	}
	if (mkdir_parents(out) < 0) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return -1;
	}
	return open_state_dir(out, err, errlen);
}

int runtime_state_dir(char *out, size_t len, char *err, size_t errlen)
{
	int fd = runtime_state_dir_open(out, len, err, errlen);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int runtime_socket_path(const char *name, char *out, size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int n;

	if (runtime_dir(dir, sizeof dir, err, errlen) < 0)
		return -1;
	n = snprintf(out, len, "%s/%s.sock", dir, name);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "socket path for '%s' too long", name);
		return -1;
	}
	return 0;
}

/* A socket nobody answers is a domain process that ended without its
 * own last word (killed with SIGKILL, or lost with the machine): say so in
 * its log, which would otherwise end mid-story. */
static void note_dead(const char *sock_path)
{
	char state[PATH_MAX], log[PATH_MAX + RUNTIME_NAME_MAX + 8], err[PATH_MAX + 64];
	char stamp[32] = "", line[256];
	const char *base = strrchr(sock_path, '/');
	size_t n = strlen(base ? base + 1 : sock_path);
	time_t now = time(NULL);
	struct tm tm;
	int dirfd, fd, len;

	base = base ? base + 1 : sock_path;
	if (n <= 5 || n - 5 >= RUNTIME_NAME_MAX ||
	    (dirfd = runtime_state_dir_open(state, sizeof state, err, sizeof err)) < 0)
		return;
	snprintf(log, sizeof log, "%s/%.*s.log", state, (int)(n - 5), base);
	fd = capfile_create_at(dirfd, log, O_APPEND, CAPFILE_MODE, err, sizeof err);
	close(dirfd);
	if (fd < 0)
		return;
	if (localtime_r(&now, &tm))
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &tm);
	len = snprintf(line, sizeof line,
		       "%s%.*s: error: found dead: the domain process is gone without a "
		       "word (killed, e.g. by SIGKILL); its stale socket was removed\n",
		       stamp, (int)(n - 5), base);
	if (len > 0 && write(fd, line, (size_t)len) < 0) {
		/* The note is a courtesy; the socket is gone either way. */
	}
	close(fd);
}

/* 1: a live domain answered (its id in *id), 0: nothing there or a stale
 * socket (removed), -1: something else is wrong. */
static int probe_socket(const char *path, int *id)
{
	struct ctl c;
	char err[256];

	if (ctl_open_path(&c, path, 2000, err, sizeof err) == 0) {
		*id = c.id;
		ctl_close(&c);
		return 1;
	}
	if (errno == ECONNREFUSED || errno == ENOENT) {
		if (errno == ECONNREFUSED && unlink(path) == 0)
			note_dead(path);
		return 0;
	}
	return -1;
}

static int lock_dir(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Calls fn for each NAME.sock in dir with its name and full path. */
static int scan_sockets(const char *dir, void (*fn)(void *arg, const char *name, const char *path),
			void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[PATH_MAX], name[RUNTIME_NAME_MAX];
		size_t n = strlen(e->d_name);
		if (!has_suffix(e->d_name, ".sock") || n - 5 >= sizeof name)
			continue;
		memcpy(name, e->d_name, n - 5);
		name[n - 5] = '\0';
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue; /* no socket can be bound at so long a path */
		fn(arg, name, path);
	}
	closedir(d);
	return 0;
}

static void mark_used_id(void *arg, const char *name, const char *path)
{
	bool *used = arg;
	int id;

	(void)name;
	if (probe_socket(path, &id) == 1 && id > 0 && id < MAX_DOMAINS)
		used[id] = true;
}

static int lowest_free_id(const char *dir)
{
	bool used[MAX_DOMAINS] = {false};

	scan_sockets(dir, mark_used_id, used);
	for (int id = 1; id < MAX_DOMAINS; id++)
		if (!used[id])
			return id;
	return -1;
}

static int bind_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int)sizeof sa.sun_path) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int claim_locked(const char *dir, const char *name, int *id, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int other;

	if (snprintf(path, sizeof path, "%s/%s.sock", dir, name) >= (int)sizeof path ||
	    strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "%s/%s.sock: path too long for a socket (at most %zu bytes)",
			 dir, name, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -1;
	}
	switch (probe_socket(path, &other)) {
	case 1:
		snprintf(err, errlen, "a domain named '%s' already exists (id %d)", name, other);
		return -1;
	case -1:
		snprintf(err, errlen, "%s: exists and does not answer as a domain", path);
		return -1;
	}
	*id = lowest_free_id(dir);
	if (*id < 0) {
		snprintf(err, errlen, "too many domains (at most %d)", MAX_DOMAINS - 1);
		return -1;
	}
	return bind_socket(path, err, errlen);
}

int runtime_claim(const char *name, int *id, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int lock, fd;

	if (runtime_dir(dir, sizeof dir, err, errlen) < 0)
		return -1;
	lock = lock_dir(dir, err, errlen);
	if (lock < 0)
		return -1;
	fd = claim_locked(dir, name, id, err, errlen);
	close(lock);
	return fd;
}

struct name_list {
	char (*names)[RUNTIME_NAME_MAX];
	int max;
	int count;
};

static void add_live_name(void *arg, const char *name, const char *path)
{
	struct name_list *l = arg;
	int id;

	if (l->count < l->max && probe_socket(path, &id) == 1)
		snprintf(l->names[l->count++], RUNTIME_NAME_MAX, "%s", name);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int runtime_list(char names[][RUNTIME_NAME_MAX], int max, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct name_list l = {names, max, 0};

	if (runtime_dir(dir, sizeof dir, err, errlen) < 0)
		return -1;
	if (scan_sockets(dir, add_live_name, &l) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	qsort(names, (size_t)l.count, RUNTIME_NAME_MAX, compare_names);
	return l.count;
}
