/* The control protocol's requests (docs/protocol.md), one handler each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/domain/control.h"
#include "hv/domain/control_int.h"
#include "hv/core/keyname.h"
#include "hv/core/log.h"
#include "hv/core/regs_text.h"
#include "hv/core/runtime.h"
#include "hv/domain/vcpu.h"
#include "legacy/pc.h"

static int cmd_lifecycle(struct domain *d, struct client *cl, const char *cmd)
{
	char err[256];
	int rc;

	if (strcmp(cmd, "pause") == 0)
		rc = domain_pause(d, err, sizeof err);
	else if (strcmp(cmd, "unpause") == 0)
		rc = domain_unpause(d, err, sizeof err);
	else if (strcmp(cmd, "reboot") == 0)
		rc = domain_reboot(d, err, sizeof err);
	else if (strcmp(cmd, "destroy") == 0)
		rc = (domain_destroy(d), 0);
	else
		return 0;
	if (rc < 0)
		control_reply(cl, "error %s\n", err);
	else
		control_reply(cl, "ok\n");
	return 1;
}

/* console [port=1|port=2] [live]: COM1's stream by default. */
static void cmd_console(struct domain *d, struct client *cl, char *arg)
{
	unsigned port = 1;
	bool live = false;
	struct console *con;

	for (char *save, *w = strtok_r(arg, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "live") == 0) {
			live = true;
		} else if (strcmp(w, "port=1") == 0 || strcmp(w, "port=2") == 0) {
			port = (unsigned)(w[5] - '0');
		} else {
			control_reply(
			    cl, "error console takes 'port=1', 'port=2' and 'live', not '%.40s'\n",
			    w);
			return;
		}
	}
	con = control_port_console(d, port);
	if (!con) {
		control_reply(cl,
			      "error domain '%s' has no serial console on COM%u (%s = \"none\")\n",
			      d->cfg.name, port, port == 1 ? "serial" : "serial2");
		return;
	}
	control_reply(cl, "ok\n");
	cl->console = true;
	cl->port = port;
	cl->pos = live ? console_head(con) : console_tail(con);
	control_push_console(d, cl);
}

/* The connection becomes a display viewer (display/display.h): the display
 * takes its descriptor and this client slot is freed. */
static void cmd_display(struct domain *d, struct client *cl)
{
	char err[128];

	control_flush_client(cl);
	if (cl->out_len) {
		control_reply(cl, "error read every reply before asking for the display\n");
		return;
	}
	if (display_attach(&d->display, cl->fd, err, sizeof err) < 0) {
		control_reply(cl, "error %s\n", err);
		return;
	}
	cl->fd = -1;
	cl->closing = true;
}

/* The text of send-text with its escapes undone: \n Enter, \t Tab, \\ a
 * backslash (a request is one line). */
static void unescape(const char *in, char *out)
{
	for (; *in; in++) {
		if (*in == '\\' && (in[1] == 'n' || in[1] == 't' || in[1] == '\\')) {
			in++;
			*out++ = *in == 'n' ? '\n' : *in == 't' ? '\t' : '\\';
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
}

/* send-keys KEY... / send-text TEXT: host keys into the PS/2 keyboard at
 * a typist's pace (hv/core/typist.h), the whole request or nothing (the queue
 * may be full). */
static void cmd_send_keys(struct domain *d, struct client *cl, char *arg, bool text)
{
	static struct input_key keys[4 * CLIENT_IN_MAX];
	char err[512], buf[CLIENT_IN_MAX];
	size_t n = 0;
	int rc = 0;

	if (text) {
		unescape(arg, buf);
		rc = keys_text(buf, keys, sizeof keys / sizeof keys[0], &n, err, sizeof err);
	} else {
		for (char *save, *w = strtok_r(arg, " ", &save); w && rc == 0;
		     w = strtok_r(NULL, " ", &save))
			rc = keys_parse(w, keys, sizeof keys / sizeof keys[0], &n, err, sizeof err);
	}
	if (rc == 0 && n == 0) {
		snprintf(err, sizeof err, "%s", text ? "no text" : "no keys");
		rc = -1;
	}
	if (rc == 0) {
		machine_lock_host(&d->machine);
		rc = pc_type_keys(d->pc, keys, n, err, sizeof err);
		machine_unlock_host(&d->machine);
	}
	if (rc < 0)
		control_reply(cl, "error %s\n", err);
	else
		control_reply(cl, "ok events=%zu\n", n);
}

/* screen text: the VGA's text screen, one reply line with its shape and
 * then `lines` raw lines of UTF-8 (docs/protocol.md). */
static void cmd_screen(struct domain *d, struct client *cl, const char *arg)
{
	static char text[256 * 3 * 128 + 256];
	struct pc_screen m;
	unsigned lines = 0;
	int n = -1, rc = -1;

	if (strcmp(arg, "text") != 0) {
		control_reply(cl, "error screen takes 'text', not '%.40s'\n", arg);
		return;
	}
	machine_lock_host(&d->machine);
	if (d->pc)
		rc = pc_screen(d->pc, &m);
	if (rc == 0 && m.text)
		n = pc_text_screen(d->pc, text, sizeof text);
	machine_unlock_host(&d->machine);
	if (rc < 0) {
		control_reply(cl, "error domain '%s' has no VGA\n", d->cfg.name);
		return;
	}
	if (n < 0) {
		control_reply(
		    cl,
		    "ok mode=graphics width=%u height=%u bpp=%u blank=%d describe=\"%s\" lines=0\n",
		    m.width, m.height, m.bpp, m.blank, m.describe);
		return;
	}
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++; /* fewer than rows if the screen did not fit */
	control_reply(cl, "ok mode=text cols=%u rows=%u blank=%d describe=\"%s\" lines=%u\n",
		      m.cols, m.rows, m.blank, m.describe, lines);
	for (char *line = text, *nl; !cl->closing && (nl = strchr(line, '\n')); line = nl + 1)
		control_reply(cl, "%.*s\n", (int)(nl - line), line);
}

/* regs: the vCPU's registers, read with the vCPU held out of the engine
 * (vcpu_access_state), as key=value pairs (hv/core/regs_text.h). */
static void cmd_regs(struct domain *d, struct client *cl, const char *arg)
{
	struct vcpu_state st;
	char err[256], text[CTL_LINE_MAX - 64];

	if (*arg) {
		control_reply(cl, "error regs takes no argument\n");
		return;
	}
	if (vcpu_access_state(d, &st, NULL, err, sizeof err) < 0) {
		control_reply(cl, "error %s\n", err);
		return;
	}
	regs_format(&st, text, sizeof text);
	control_reply(cl, "ok engine=%s%s\n", d->engine->name, text);
}

void control_run_command(struct control *c, struct client *cl, char *line)
{
	struct domain *d = c->d;
	char *arg = line + strcspn(line, " ");
	char info[CTL_LINE_MAX];

	if (*arg)
		*arg++ = '\0';
	if (!*line)
		return;
	if (cmd_lifecycle(d, cl, line))
		return;
	if (strcmp(line, "info") == 0) {
		domain_info(d, info, sizeof info);
		control_reply(cl, "ok%s\n", info);
	} else if (strcmp(line, "console") == 0) {
		cmd_console(d, cl, arg);
	} else if (strcmp(line, "display") == 0) {
		cmd_display(d, cl);
	} else if (strcmp(line, "send-keys") == 0 || strcmp(line, "send-text") == 0) {
		cmd_send_keys(d, cl, arg, line[5] == 't');
	} else if (strcmp(line, "screen") == 0) {
		cmd_screen(d, cl, arg);
	} else if (strcmp(line, "regs") == 0) {
		cmd_regs(d, cl, arg);
	} else if (strcmp(line, "version") == 0) {
		control_reply(cl, "ok protocol=%d hv=%s\n", CONTROL_PROTOCOL_VERSION, HV_VERSION);
	} else if (strcmp(line, "help") == 0) {
		control_reply(
		    cl, "ok commands=\"info pause unpause reboot destroy console display send-keys "
			"send-text screen regs version help quit\"\n");
	} else if (strcmp(line, "quit") == 0) {
		cl->closing = true;
	} else {
		control_reply(cl, "error unknown command '%.40s' (try 'help')\n", line);
	}
}
