/* The host end of a character device (COM1, the debug console): the
 * terminal of `hv run`, a pseudo-terminal, a file, or nothing. */
#ifndef HV_CHARDEV_H
#define HV_CHARDEV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "hv/config/config.h"
#include "hv/core/capfile.h"

struct chardev {
	enum chardev_kind kind;
	int out_fd;		  /* -1 if none */
	int in_fd;		  /* -1 if none; poll it for guest input */
	int pty_slave_fd;	  /* held open so the master never reads EIO */
	char path[PATH_MAX];	  /* the file, or the pty's slave path */
	unsigned long dropped;	  /* bytes lost: a pty had no reader, a file its cap */
	struct capfile file;	  /* CHARDEV_FILE: out_fd is file.fd */
	struct termios saved_tio; /* stdio on a terminal: restored on close */
	bool tio_saved;
};

/* Opens the endpoint cfg describes; `input` says whether host input is
 * wanted from it (on a terminal, that also makes the terminal raw). `foreground` says whether the
 * process has a terminal of its own; without one, "stdio" means no host end (the console backend
 * still records and serves the output). Returns 0 or -1 with err set. */
int chardev_open(struct chardev *c, const struct chardev_config *cfg, bool foreground, bool input,
		 char *err, size_t errlen);
void chardev_close(struct chardev *c);

/* The cap of "file:" ends opened from now on, in bytes (0: none): past it
 * guest output is dropped and counted, never written. */
#define CHARDEV_FILE_MAX_DEFAULT (1024 * 1024)
void chardev_set_file_max(uint64_t bytes);

/* Guest output to the host end. A pty with nobody reading, or a file at
 * its cap, drops bytes (counted in dropped) rather than stalling the guest
 * or filling the disk. */
void chardev_write(struct chardev *c, const void *buf, size_t len);

/* "pty:/dev/pts/3", "file:/tmp/x", "stdio", "none". */
void chardev_describe(const struct chardev *c, char *out, size_t len);

#endif
