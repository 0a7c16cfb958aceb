/* The display backend: viewers, damage flow control, input from viewers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "display/display.h"
#include "hv/core/evloop.h"
#include "hv/core/log.h"

int display_init(struct display *dp, const char *name, struct evloop *loop, char *err,
		 size_t errlen)
{
	memset(dp, 0, sizeof *dp);
	dp->loop = loop;
	return surface_init(&dp->surface, name, err, errlen);
}

void display_fini(struct display *dp)
{
	for (int i = 0; i < dp->nviewers; i++)
		close(dp->viewers[i].fd);
	dp->nviewers = 0;
	surface_fini(&dp->surface);
}

void display_set_device(struct display *dp, const struct display_device_ops *ops, void *opaque)
{
	dp->dev = ops;
	dp->dev_opaque = opaque;
}

void display_set_input(struct display *dp, const struct display_input_ops *ops, void *opaque)
{
	dp->input = ops;
	dp->input_opaque = opaque;
}

/* One whole line to the viewer, or false: the viewer's socket buffer is
 * full (it stopped reading while acking, or is gone) and it is dropped.
 * Lines are a few dozen bytes, at most a handful per ack. */
static bool send_line(struct display_viewer *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool send_line(struct display_viewer *v, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;
	ssize_t w;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	do
		w = send(v->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (w < 0 && errno == EINTR);
	return w == n;
}

static int send_hello(struct display *dp, int fd)
{
	char line[160];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {line, 0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	struct surface *s = &dp->surface;

	iov.iov_len = (size_t)snprintf(
	    line, sizeof line,
	    "ok display width=%u height=%u stride=%u size=%zu cursor=%zu device=%s\n", s->width,
	    s->height, s->stride, (size_t)SURFACE_MAP_BYTES, (size_t)SURFACE_CURSOR_AT,
	    dp->dev ? dp->dev->name : "none");
	memset(cbuf, 0, sizeof cbuf);
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof cbuf;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s->fd, sizeof(int));
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
}

static void viewer_ready(void *opaque, int fd, short revents);
static const struct evloop_source_ops viewer_ops = {.ready = viewer_ready};

int display_attach(struct display *dp, int fd, char *err, size_t errlen)
{
	int handle;

	struct display_viewer *v;

	if (dp->nviewers == DISPLAY_MAX_VIEWERS) {
		snprintf(err, errlen, "too many viewers (at most %d)", DISPLAY_MAX_VIEWERS);
		return -1;
	}
	handle = evloop_add_fd(dp->loop, fd, &viewer_ops, dp);
	if (handle < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (send_hello(dp, fd) < 0) {
		snprintf(err, errlen, "sending the screen to the viewer: %s", strerror(errno));
		evloop_remove_fd(dp->loop, handle);
		return -1;
	}
	v = &dp->viewers[dp->nviewers++];
	*v = (struct display_viewer){.fd = fd,
				     .handle = handle,
				     .gen = dp->surface.gen,
				     /* A new viewer starts with no pointer, relative. */
				     .cursor_owed = dp->surface.cursor->visible != 0,
				     .absolute = 0};
	/* The viewer has nothing yet: everything is owed, and soon. */
	v->owed = (struct rect){0, 0, dp->surface.width, dp->surface.height};
	v->owed_ns = 0;
	dp->next_refresh_ns = 0;
	if (!dp->changed) { /* on_demand: render for it without waiting for a change */
		dp->changed = true;
		dp->changed_ns = 0;
	}
	return 0;
}

static void drop_viewer(struct display *dp, int i)
{
	evloop_remove_fd(dp->loop, dp->viewers[i].handle);
	close(dp->viewers[i].fd);
	dp->viewers[i] = dp->viewers[--dp->nviewers];
}

/* With on_demand, whether some viewer can take a damage now. */
static bool viewer_ready_for_damage(const struct display *dp)
{
	for (int i = 0; i < dp->nviewers; i++)
		if (!dp->viewers[i].in_flight)
			return true;
	return false;
}

int display_timeout_ms(const struct display *dp, int64_t now_ns)
{
	int64_t ms;

	if (dp->nviewers == 0)
		return -1;
	if (dp->on_demand)
		return display_refresh_due(dp, now_ns) ? 0 : DISPLAY_IDLE_POLL_MS;
	ms = (dp->next_refresh_ns - now_ns + 999999) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

bool display_refresh_due(const struct display *dp, int64_t now_ns)
{
	if (dp->nviewers == 0)
		return false;
	if (dp->on_demand)
		return dp->changed && viewer_ready_for_damage(dp);
	return now_ns >= dp->next_refresh_ns;
}

bool display_changed(struct display *dp, int64_t now_ns)
{
	if (dp->changed)
		return false;
	dp->changed = true;
	dp->changed_ns = now_ns;
	return true;
}

void display_render(struct display *dp, int64_t now_ns)
{
	struct rect r;
	int64_t since = dp->changed && dp->changed_ns ? dp->changed_ns : now_ns;

	dp->changed = false;
	if (dp->dev)
		dp->dev->render(dp->dev_opaque, &dp->surface);
	dp->rendering = true;
	dp->next_refresh_ns = now_ns + DISPLAY_REFRESH_MS * 1000000ll;
	if (dp->surface.cursor_dirty) {
		dp->surface.cursor_dirty = false;
		for (int i = 0; i < dp->nviewers; i++)
			dp->viewers[i].cursor_owed = true;
	}
	if (!surface_take_damage(&dp->surface, &r))
		return;
	dp->rendered_ns = since;
	for (int i = 0; i < dp->nviewers; i++) {
		struct display_viewer *v = &dp->viewers[i];
		if (v->owed.w == 0 || v->owed.h == 0)
			v->owed_ns = since;
		v->owed = rect_union(v->owed, r);
	}
}

bool display_release_due(const struct display *dp)
{
	return dp->nviewers == 0 && dp->rendering;
}

void display_release(struct display *dp)
{
	if (!display_release_due(dp))
		return;
	dp->rendering = false;
	dp->on_demand = false; /* the next render starts afresh, on the tick */
	if (dp->dev && dp->dev->release)
		dp->dev->release(dp->dev_opaque);
}

/* Sends what viewer v is owed; false if it must be dropped. */
static bool publish_one(struct display *dp, struct display_viewer *v, const char *state)
{
	struct surface *s = &dp->surface;

	if (v->gen != s->gen) {
		if (!send_line(v, "resize %u %u %u\n", s->width, s->height, s->stride))
			return false;
		v->gen = s->gen;
		v->owed = (struct rect){0, 0, s->width, s->height};
		v->owed_ns = dp->rendered_ns;
	}
	if (state && (!v->state || strcmp(v->state, state) != 0)) {
		if (!send_line(v, "state %s\n", state))
			return false;
		v->state = state;
	}
	if (v->cursor_owed) {
		if (!send_line(v, "cursor\n"))
			return false;
		v->cursor_owed = false;
	}
	if (v->absolute != (int)dp->absolute) {
		if (!send_line(v, "pointer %s\n", dp->absolute ? "absolute" : "relative"))
			return false;
		v->absolute = dp->absolute;
	}
	if (v->in_flight || v->owed.w == 0 || v->owed.h == 0)
		return true;
	if (!send_line(v, "damage %u %u %u %u %lld\n", v->owed.x, v->owed.y, v->owed.w, v->owed.h,
		       (long long)(v->owed_ns ? v->owed_ns : dp->rendered_ns)))
		return false;
	v->owed = (struct rect){0, 0, 0, 0};
	v->in_flight = true;
	return true;
}

static void drain_viewer(struct display *dp, struct display_viewer *v);

void display_publish(struct display *dp, const char *state)
{
	for (int i = dp->nviewers - 1; i >= 0; i--)
		if (!publish_one(dp, &dp->viewers[i], state)) {
			drain_viewer(dp, &dp->viewers[i]);
			drop_viewer(dp, i);
		}
}

/* One line from a viewer. Unknown lines are logged and ignored. */
static void viewer_line(struct display *dp, struct display_viewer *v, const char *line)
{
	unsigned code, down, buttons;
	int dx, dy, dz;

	if (strcmp(line, "ack") == 0) {
		v->in_flight = false;
	} else if (sscanf(line, "key %u %u", &code, &down) == 2) {
		if (dp->input && dp->input->key && code < 0x300)
			dp->input->key(dp->input_opaque, code, down != 0);
	} else if (sscanf(line, "mouse %d %d %d %u", &dx, &dy, &dz, &buttons) == 4) {
		if (dp->input && dp->input->mouse)
			dp->input->mouse(dp->input_opaque, dx, dy, dz, buttons);
	} else if (sscanf(line, "abs %d %d %u", &dx, &dy, &buttons) == 3) {
		if (dp->input && dp->input->abs && dx >= 0 && dy >= 0 && dx <= DISPLAY_ABS_MAX &&
		    dy <= DISPLAY_ABS_MAX)
			dp->input->abs(dp->input_opaque, dx, dy, buttons);
	} else if (sscanf(line, "size %u %u", &code, &down) == 2) {
		if (dp->input && dp->input->size && code > 0 && down > 0 &&
		    code <= SURFACE_MAX_WIDTH && down <= SURFACE_MAX_HEIGHT)
			dp->input->size(dp->input_opaque, code, down);
	} else {
		log_warn("display: viewer sent '%.40s'; ignored", line);
	}
}

/* Reads what viewer v sent: 1 lines taken, 0 nothing there, -1 it hung
 * up or misbehaved. */
static int read_viewer(struct display *dp, struct display_viewer *v)
{
	ssize_t n = recv(v->fd, v->in + v->in_len, sizeof v->in - 1 - v->in_len, MSG_DONTWAIT);
	char *start = v->in, *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	v->in_len += (unsigned)n;
	v->in[v->in_len] = '\0';
	while ((nl = strchr(start, '\n'))) {
		*nl = '\0';
		viewer_line(dp, v, start);
		start = nl + 1;
	}
	v->in_len -= (unsigned)(start - v->in);
	memmove(v->in, start, v->in_len);
	return v->in_len < sizeof v->in - 1 ? 1 : -1;
}

/* Reads of a viewer dropped for a failed send, at most. */
#define DRAIN_READS 64

/* A viewer that hung up is found by a send that fails, often before the
 * loop has read it: the lines it sent before (the last keys of a client
 * that types and quits) still count. */
static void drain_viewer(struct display *dp, struct display_viewer *v)
{
	for (int i = 0; i < DRAIN_READS && read_viewer(dp, v) > 0; i++) {
	}
}

/* A viewer's socket has something: its lines, or its hang-up. */
static void viewer_ready(void *opaque, int fd, short revents)
{
	struct display *dp = opaque;

	(void)revents;
	for (int i = 0; i < dp->nviewers; i++) {
		if (dp->viewers[i].fd != fd)
			continue;
		if (read_viewer(dp, &dp->viewers[i]) < 0)
			drop_viewer(dp, i);
		return;
	}
}
