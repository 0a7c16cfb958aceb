#include "hv/core/ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv/core/runtime.h"

static int parse_greeting(struct ctl *c, const char *line, char *err, size_t errlen)
{
	char id[16];
	int version;

	if (strncmp(line, "error ", 6) == 0) {
		/* The domain answered, and turned us away (too many clients). */
		snprintf(err, errlen, "the domain refused the connection: %.200s", line + 6);
		return -1;
	}
	if (sscanf(line, "hv-control %d", &version) != 1) {
		snprintf(err, errlen, "not an hv control socket (greeting '%.60s')", line);
		return -1;
	}
	if (version != CONTROL_PROTOCOL_VERSION) {
		snprintf(err, errlen, "domain speaks control protocol %d, this hv speaks %d",
			 version, CONTROL_PROTOCOL_VERSION);
		return -1;
	}
	c->id = kv_get(line, "id", id, sizeof id) ? atoi(id) : -1;
	return 0;
}

int ctl_open_path(struct ctl *c, const char *path, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char line[CTL_LINE_MAX];
	int saved;

	*c = (struct ctl){.fd = -1, .passed_fd = -1};
	if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int)sizeof sa.sun_path) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ctl_close(c);
		errno = saved;
		return -1;
	}
	if (ctl_read_line(c, line, sizeof line, timeout_ms) < 0) {
		snprintf(err, errlen, "%s: no greeting from the domain", path);
		ctl_close(c);
		errno = ETIMEDOUT;
		return -1;
	}
	if (parse_greeting(c, line, err, errlen) < 0) {
		ctl_close(c);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int ctl_open(struct ctl *c, const char *name, int timeout_ms, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (runtime_socket_path(name, path, sizeof path, err, errlen) < 0)
		return -1;
	if (ctl_open_path(c, path, timeout_ms, err, errlen) == 0)
		return 0;
	if (errno == ENOENT || errno == ECONNREFUSED)
		snprintf(err, errlen, "no domain named '%s'", name);
	return -1;
}

void ctl_close(struct ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	close(ctl_take_fd(c));
}

int ctl_take_fd(struct ctl *c)
{
	int fd = c->passed_fd;

	c->passed_fd = -1;
	return fd;
}

/* read() that also keeps a descriptor passed with the bytes (any earlier
 * one nobody took is closed). */
static ssize_t read_with_fd(struct ctl *c, char *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {buf, len};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm;

	if (n <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			close(ctl_take_fd(c));
			memcpy(&c->passed_fd, CMSG_DATA(cm), sizeof(int));
		}
	}
	return n;
}

static int take_line(struct ctl *c, char *out, size_t len)
{
	char *nl = memchr(c->buf, '\n', c->len);
	size_t n;

	if (!nl)
		return -1;
	n = (size_t)(nl - c->buf);
	snprintf(out, len, "%.*s", (int)n, c->buf);
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return (int)(n < len ? n : len - 1);
}

int ctl_read_line(struct ctl *c, char *out, size_t len, int timeout_ms)
{
	for (;;) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int n = take_line(c, out, len);
		ssize_t got;
		if (n >= 0)
			return n;
		if (c->len == sizeof c->buf)
			return -1; /* a line longer than the protocol allows */
		int ready = poll(&p, 1, timeout_ms);
		if (ready <= 0)
			return ready == 0 ? -2 : -1;
		got = read_with_fd(c, c->buf + c->len, sizeof c->buf - c->len);
		if (got <= 0)
			return -1;
		c->len += (size_t)got;
	}
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The request's first byte carries the descriptor (SCM_RIGHTS), the
 * rest goes as usual. */
static int send_with_fd(int sock, const char *p, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {.iov_base = (void *)p, .iov_len = 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(&u, 0, sizeof u);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return -1;
	return send_all(sock, p + 1, len - 1);
}

/* A reply line: "ok [TEXT]" gives 0 and TEXT; "error TEXT" (or anything
 * else) gives -1 and the text. */
static int take_reply(const char *line, char *reply, size_t len)
{
	if (strncmp(line, "ok", 2) == 0 && (line[2] == '\0' || line[2] == ' ')) {
		snprintf(reply, len, "%s", line[2] ? line + 3 : "");
		return 0;
	}
	snprintf(reply, len, "%s", strncmp(line, "error ", 6) == 0 ? line + 6 : line);
	return -1;
}

static int lost(char *reply, size_t len)
{
	snprintf(reply, len, "connection to the domain lost");
	return -1;
}

static int read_reply(struct ctl *c, char *line, size_t line_len, char *reply, size_t len,
		      int timeout_ms)
{
	int n = ctl_read_line(c, line, line_len, timeout_ms);

	if (n == -2) {
		snprintf(reply, len, "the domain did not answer within %.1f s (hung?)",
			 timeout_ms / 1000.0);
		return -1;
	}
	return n < 0 ? lost(reply, len) : take_reply(line, reply, len);
}

int ctl_call_fd(struct ctl *c, const char *request, int fd, char *reply, size_t len, int timeout_ms)
{
	char line[CTL_LINE_MAX];

	snprintf(line, sizeof line, "%s\n", request);
	if (send_with_fd(c->fd, line, strlen(line), fd) < 0)
		return lost(reply, len);
	return read_reply(c, line, sizeof line, reply, len, timeout_ms);
}

int ctl_call(struct ctl *c, const char *request, char *reply, size_t len)
{
	return ctl_call_timeout(c, request, reply, len, CTL_REPLY_TIMEOUT_MS);
}

int ctl_call_timeout(struct ctl *c, const char *request, char *reply, size_t len, int timeout_ms)
{
	char line[CTL_LINE_MAX];

	snprintf(line, sizeof line, "%s\n", request);
	if (send_all(c->fd, line, strlen(line)) < 0)
		return lost(reply, len);
	return read_reply(c, line, sizeof line, reply, len, timeout_ms);
}
