/* Display protocol client. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "display/client.h"
#include "display/png.h"

static unsigned reply_uint(const char *reply, const char *key)
{
	char v[32];

	return kv_get(reply, key, v, sizeof v) ? (unsigned)strtoul(v, NULL, 10) : 0;
}

static int map_surface(struct display_client *dc, const char *reply, char *err, size_t errlen)
{
	int fd = ctl_take_fd(&dc->ctl);
	void *map;
	unsigned long long cursor_at;
	char v[32];

	if (fd < 0) {
		snprintf(err, errlen, "the domain sent no screen memory");
		return -1;
	}
	dc->map_size = reply_uint(reply, "size");
	dc->width = reply_uint(reply, "width");
	dc->height = reply_uint(reply, "height");
	dc->stride = reply_uint(reply, "stride");
	if (!kv_get(reply, "device", dc->device, sizeof dc->device))
		snprintf(dc->device, sizeof dc->device, "none");
	if (dc->map_size < (size_t)dc->stride * dc->height || dc->stride < dc->width * 4) {
		snprintf(err, errlen, "the domain described its screen wrongly ('%.80s')", reply);
		close(fd);
		return -1;
	}
	map = mmap(NULL, dc->map_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "mapping the screen: %s", strerror(errno));
		return -1;
	}
	dc->pixels = map;
	cursor_at = kv_get(reply, "cursor", v, sizeof v) ? strtoull(v, NULL, 10) : 0;
	if (cursor_at && cursor_at % 4 == 0 && cursor_at <= dc->map_size &&
	    dc->map_size - cursor_at >= sizeof(struct surface_cursor))
		dc->cursor = (const struct surface_cursor *)((const char *)map + cursor_at);
	return 0;
}

int display_client_open(struct display_client *dc, const char *name, char *err, size_t errlen)
{
	char reply[CTL_LINE_MAX];

	*dc = (struct display_client){.pixels = NULL};
	if (ctl_open(&dc->ctl, name, 5000, err, errlen) < 0)
		return -1;
	if (ctl_call_timeout(&dc->ctl, "display", reply, sizeof reply, 5000) < 0) {
		snprintf(err, errlen, "%s: %s", name, reply);
		ctl_close(&dc->ctl);
		return -1;
	}
	if (strncmp(reply, "display", 7) != 0 || map_surface(dc, reply, err, errlen) < 0) {
		if (strncmp(reply, "display", 7) != 0)
			snprintf(err, errlen, "%s: unexpected reply '%.80s'", name, reply);
		ctl_close(&dc->ctl);
		return -1;
	}
	return 0;
}

void display_client_close(struct display_client *dc)
{
	if (dc->pixels)
		munmap((void *)dc->pixels, dc->map_size);
	dc->pixels = NULL;
	ctl_close(&dc->ctl);
}

static bool parse_event(struct display_client *dc, const char *line, struct display_event *ev)
{
	struct rect *r = &ev->rect;
	unsigned w, h, stride;

	long long t = 0;

	if (sscanf(line, "damage %u %u %u %u %lld", &r->x, &r->y, &r->w, &r->h, &t) >= 4) {
		ev->kind = DISPLAY_EV_DAMAGE;
		ev->rendered_ns = t;
		return r->x + r->w <= dc->width && r->y + r->h <= dc->height;
	}
	if (sscanf(line, "resize %u %u %u", &w, &h, &stride) == 3) {
		if ((size_t)stride * h > dc->map_size || stride < w * 4)
			return false;
		dc->width = w;
		dc->height = h;
		dc->stride = stride;
		ev->kind = DISPLAY_EV_RESIZE;
		return true;
	}
	if (strcmp(line, "cursor") == 0) {
		ev->kind = DISPLAY_EV_CURSOR;
		return true;
	}
	if (strcmp(line, "pointer absolute") == 0 || strcmp(line, "pointer relative") == 0) {
		dc->absolute = line[8] == 'a';
		ev->kind = DISPLAY_EV_POINTER;
		return true;
	}
	if (sscanf(line, "state %15s", ev->state) == 1) {
		ev->kind = DISPLAY_EV_STATE;
		return true;
	}
	return false;
}

int display_client_next(struct display_client *dc, struct display_event *ev, int timeout_ms)
{
	char line[256];

	for (;;) {
		if (ctl_read_line(&dc->ctl, line, sizeof line, timeout_ms) < 0) {
			/* ctl_read_line does not tell timeout from hang-up. */
			char probe;
			ssize_t n = recv(dc->ctl.fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
			return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
		}
		if (parse_event(dc, line, ev))
			return 1;
		/* A line this client does not know (a newer domain): skip it. */
	}
}

int display_client_fd(const struct display_client *dc)
{
	return dc->ctl.fd;
}

static int send_line(struct display_client *dc, const char *line)
{
	size_t len = strlen(line);

	return send(dc->ctl.fd, line, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

int display_client_ack(struct display_client *dc)
{
	return send_line(dc, "ack\n");
}

int display_client_key(struct display_client *dc, unsigned code, bool down)
{
	char line[48];

	snprintf(line, sizeof line, "key %u %d\n", code, down ? 1 : 0);
	return send_line(dc, line);
}

int display_client_mouse(struct display_client *dc, int dx, int dy, int dz, unsigned buttons)
{
	char line[64];

	snprintf(line, sizeof line, "mouse %d %d %d %u\n", dx, dy, dz, buttons);
	return send_line(dc, line);
}

int display_client_abs(struct display_client *dc, int x, int y, unsigned buttons)
{
	char line[64];

	x = x < 0 ? 0 : x > DISPLAY_ABS_MAX ? DISPLAY_ABS_MAX : x;
	y = y < 0 ? 0 : y > DISPLAY_ABS_MAX ? DISPLAY_ABS_MAX : y;
	snprintf(line, sizeof line, "abs %d %d %u\n", x, y, buttons);
	return send_line(dc, line);
}

int display_client_size(struct display_client *dc, unsigned w, unsigned h)
{
	char line[48];

	snprintf(line, sizeof line, "size %u %u\n", w, h);
	return send_line(dc, line);
}

void display_client_cursor(const struct display_client *dc, struct surface_cursor *out)
{
	if (!dc->cursor || !surface_read_cursor(dc->cursor, out))
		out->visible = 0;
}

int display_abs_coord(int pos, int origin, int extent)
{
	long v;

	if (extent <= 1)
		return 0;
	v = ((long)(pos - origin) * DISPLAY_ABS_MAX + (extent - 1) / 2) / (extent - 1);
	return v < 0 ? 0 : v > DISPLAY_ABS_MAX ? DISPLAY_ABS_MAX : (int)v;
}

/* The screen with the guest's pointer over it, written as a PNG. */
int display_client_save_png(struct display_client *dc, const char *path, char *err, size_t errlen)
{
	struct surface_cursor *c = malloc(sizeof *c);
	uint32_t *copy = malloc((size_t)dc->stride * dc->height);
	int rc = -1;

	if (!c || !copy) {
		snprintf(err, errlen, "out of memory");
	} else {
		memcpy(copy, dc->pixels, (size_t)dc->stride * dc->height);
		display_client_cursor(dc, c);
		surface_draw_cursor(copy, dc->width, dc->height, dc->stride, c);
		rc = png_write_xrgb(path, copy, dc->width, dc->height, dc->stride, err, errlen);
	}
	free(copy);
	free(c);
	return rc;
}
