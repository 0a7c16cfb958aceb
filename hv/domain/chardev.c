#include "hv/domain/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hv/core/log.h"

static int open_pty(struct chardev *c, bool input, char *err, size_t errlen)
{
	struct termios tio;
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, c->path, sizeof c->path) != 0) {
		snprintf(err, errlen, "serial pty: %s", strerror(errno));
		if (master >= 0)
			close(master);
		return -1;
	}
	c->pty_slave_fd = open(c->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->pty_slave_fd >= 0 && tcgetattr(c->pty_slave_fd, &tio) == 0) {
		/* Raw, so guest bytes reach the reader unchanged. */
		cfmakeraw(&tio);
		tcsetattr(c->pty_slave_fd, TCSANOW, &tio);
	}
	c->out_fd = master;
	c->in_fd = input ? master : -1;
	return 0;
}

static uint64_t file_max = CHARDEV_FILE_MAX_DEFAULT;

void chardev_set_file_max(uint64_t bytes)
{
	file_max = bytes;
}

/* Appended to, never truncated: it is the user's file. A FIFO or a device
 * is refused without blocking, a symbolic link is not followed. */
static int open_file(struct chardev *c, const char *path, char *err, size_t errlen)
{
	if (capfile_open(&c->file, path, file_max, false, false, err, errlen) < 0)
		return -1;
	c->out_fd = c->file.fd;
	snprintf(c->path, sizeof c->path, "%s", path);
	return 0;
}

/* `hv run` on a terminal: keys go to the guest as typed (no line editing,
 * no local echo: the guest echoes), but Ctrl-C still stops hv. */
static void stdio_raw(struct chardev *c)
{
	struct termios tio;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &c->saved_tio) < 0)
		return;
	tio = c->saved_tio;
	cfmakeraw(&tio);
	tio.c_lflag |= ISIG;
	tio.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
		c->tio_saved = true;
}

int chardev_open(struct chardev *c, const struct chardev_config *cfg, bool foreground, bool input,
		 char *err, size_t errlen)
{
	*c = (struct chardev){
	    .kind = cfg->kind, .out_fd = -1, .in_fd = -1, .pty_slave_fd = -1, .file = {.fd = -1}};
	switch (cfg->kind) {
	case CHARDEV_NONE: return 0;
	case CHARDEV_STDIO:
		if (foreground) {
			c->out_fd = STDOUT_FILENO;
			if (input) {
				c->in_fd = STDIN_FILENO;
				stdio_raw(c);
			}
		}
		return 0;
	case CHARDEV_PTY: return open_pty(c, input, err, errlen);
	case CHARDEV_FILE: return open_file(c, cfg->path, err, errlen);
	}
	return 0;
}

void chardev_close(struct chardev *c)
{
	if (c->tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved_tio);
	c->tio_saved = false;
	if (c->out_fd > STDERR_FILENO)
		close(c->out_fd);
	if (c->pty_slave_fd >= 0)
		close(c->pty_slave_fd);
	c->out_fd = c->in_fd = c->pty_slave_fd = -1;
}

void chardev_write(struct chardev *c, const void *buf, size_t len)
{
	const char *p = buf;

	if (c->kind == CHARDEV_FILE) {
		uint64_t before = c->file.dropped;

		capfile_write(&c->file, buf, len);
		if (before == 0 && c->file.dropped)
			log_warn("%s: reached its cap of %llu KiB; further output is dropped",
				 c->path, (unsigned long long)(c->file.max >> 10));
		c->dropped += (unsigned long)(c->file.dropped - before);
		return;
	}
	while (c->out_fd >= 0 && len > 0) {
		ssize_t n = write(c->out_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* A pty nobody reads, or a closed terminal: drop. */
			c->dropped += len;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

void chardev_describe(const struct chardev *c, char *out, size_t len)
{
	switch (c->kind) {
	case CHARDEV_NONE: snprintf(out, len, "none"); break;
	case CHARDEV_STDIO: snprintf(out, len, "stdio"); break;
	case CHARDEV_PTY: snprintf(out, len, "pty:%s", c->path); break;
	case CHARDEV_FILE: snprintf(out, len, "file:%s", c->path); break;
	}
}
