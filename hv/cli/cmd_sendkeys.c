/* hv send-keys NAME [--text TEXT] [KEY...]: types into a domain's PS/2
 * keyboard over the control socket, in the order given. The domain takes
 * a request whole or not at all; when its keyboard queue is full (the
 * guest reads slower than we type) the request is retried until the
 * guest catches up. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hv/cli/cmd.h"
#include "hv/core/ctl.h"
#include "hv/core/keyname.h"

#define REQUEST_MAX   900 /* bytes of one request line, under the domain's limit */
#define TEXT_CHUNK    300 /* characters of text per request (escapes double them) */
#define BUSY_WAIT_S   60  /* how long a full keyboard queue may stall us */
#define BUSY_RETRY_NS 20000000L

static int call(struct ctl *c, const char *req)
{
	char reply[CTL_LINE_MAX];
	struct timespec pause = {0, BUSY_RETRY_NS};

	for (long waited = 0;; waited += BUSY_RETRY_NS) {
		if (ctl_call(c, req, reply, sizeof reply) == 0)
			return 0;
		if (strncmp(reply, "keyboard buffer full", 20) != 0 ||
		    waited >= BUSY_WAIT_S * 1000000000L) {
			cmd_error("%s", reply);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
}

/* Escapes text for send-text in pieces of at most TEXT_CHUNK characters. */
static int send_text(struct ctl *c, const char *text)
{
	char req[REQUEST_MAX];

	while (*text) {
		size_t len = (size_t)snprintf(req, sizeof req, "send-text ");
		for (unsigned i = 0; *text && i < TEXT_CHUNK; i++, text++) {
			if (*text == '\n' || *text == '\t' || *text == '\\') {
				req[len++] = '\\';
				req[len++] = *text == '\n' ? 'n' : *text == '\t' ? 't' : '\\';
			} else {
				req[len++] = *text;
			}
		}
		req[len] = '\0';
		if (call(c, req) < 0)
			return -1;
	}
	return 0;
}

/* Checks every argument before anything is typed: a typo must not leave
 * half a command line in the guest. */
static int check_args(int argc, char **argv)
{
	static struct input_key ev[64 * 1024];
	char err[512];
	size_t n;

	for (int i = 2; i < argc; i++) {
		n = 0;
		if (strcmp(argv[i], "--text") == 0) {
			if (++i == argc) {
				cmd_error("--text needs an argument");
				return -1;
			}
			if (keys_text(argv[i], ev, sizeof ev / sizeof ev[0], &n, err, sizeof err) <
			    0) {
				cmd_error("%s", err);
				return -1;
			}
		} else if (keys_parse(argv[i], ev, sizeof ev / sizeof ev[0], &n, err, sizeof err) <
			   0) {
			cmd_error("%s", err);
			return -1;
		}
	}
	return 0;
}

static int send_all(struct ctl *c, int argc, char **argv)
{
	char req[REQUEST_MAX];
	size_t len = 0;

	for (int i = 2; i < argc; i++) {
		bool text = strcmp(argv[i], "--text") == 0;
		if (len && (text || len + strlen(argv[i]) + 2 >= sizeof req)) {
			if (call(c, req) < 0)
				return -1;
			len = 0;
		}
		if (text) {
			if (send_text(c, argv[++i]) < 0)
				return -1;
			continue;
		}
		if (!len)
			len = (size_t)snprintf(req, sizeof req, "send-keys");
		len += (size_t)snprintf(req + len, sizeof req - len, " %s", argv[i]);
	}
	return len ? call(c, req) : 0;
}

int cmd_send_keys(int argc, char **argv)
{
	struct ctl c;
	char err[256];
	int rc;

	if (argc < 3) {
		cmd_error("usage: hv send-keys NAME [--text TEXT] [KEY...]");
		return 1;
	}
	if (check_args(argc, argv) < 0)
		return 1;
	if (ctl_open(&c, argv[1], 2000, err, sizeof err) < 0) {
		cmd_error("%s", err);
		return 1;
	}
	rc = send_all(&c, argc, argv);
	ctl_close(&c);
	return rc < 0 ? 1 : 0;
}
