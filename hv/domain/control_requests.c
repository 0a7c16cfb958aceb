/* The control protocol's requests (docs/protocol.md), one handler each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/domain/control.h"
#include "hv/domain/control_int.h"
#include "hv/core/keyname.h"
#include "hv/core/log.h"
#include "hv/core/regs_text.h"
#include "hv/core/runtime.h"
#include "hv/domain/domain_save.h"
#include "hv/domain/migrate.h"
#include "hv/domain/vcpu.h"
#include "legacy/pc.h"

/* "ok", or the error a request's call gave. */
static void reply_rc(struct client *cl, int rc, const char *err)
{
	if (rc < 0)
		control_reply(cl, "error %s\n", err);
	else
		control_reply(cl, "ok\n");
}

/* A lifecycle request: the domain's call, and its answer. */
static void lifecycle(struct domain *d, struct client *cl,
		      int (*fn)(struct domain *d, char *err, size_t errlen))
{
	char err[256];
	int rc = fn(d, err, sizeof err);

	reply_rc(cl, rc, err);
}

static void req_pause(struct domain *d, struct client *cl, char *arg)
{
	(void)arg;
	lifecycle(d, cl, domain_pause);
}

static void req_unpause(struct domain *d, struct client *cl, char *arg)
{
	(void)arg;
	lifecycle(d, cl, domain_unpause);
}

static void req_reboot(struct domain *d, struct client *cl, char *arg)
{
	(void)arg;
	lifecycle(d, cl, domain_reboot);
}

/* trigger power|sleep|reset|nmi: "ok what=..." says what happened. */
static void req_trigger(struct domain *d, struct client *cl, char *arg)
{
	char msg[256], line[320] = "";

	if (domain_trigger(d, arg, msg, sizeof msg) < 0) {
		control_reply(cl, "error %s\n", msg);
		return;
	}
	kv_put(line, sizeof line, "what", msg);
	control_reply(cl, "ok%s\n", line);
}

/* cd-insert VDEV NAME with the image's descriptor attached (SCM_RIGHTS);
 * cd-eject VDEV. */
/* "VDEV NAME" with a descriptor passed along: splits arg at the space
 * (*name after it) and takes the descriptor, or replies that the request
 * (req, of what) takes them and returns -1. */
static int vdev_name_fd(struct client *cl, char *arg, char **name, const char *req,
			const char *what)
{
	int fd = cl->passed_fd;

	cl->passed_fd = -1;
	*name = arg + strcspn(arg, " ");
	if (**name)
		*(*name)++ = '\0';
	if (fd < 0 || !*arg || !**name) {
		if (fd >= 0)
			close(fd);
		control_reply(cl, "error %s takes VDEV NAME and the %s's descriptor (SCM_RIGHTS)\n",
			      req, what);
		return -1;
	}
	return fd;
}

static void req_cd_insert(struct domain *d, struct client *cl, char *arg)
{
	char msg[512], line[640] = "", *name;
	int fd = vdev_name_fd(cl, arg, &name, "cd-insert", "image");

	if (fd < 0)
		return;
	if (domain_change_cd(d, arg, fd, name, msg, sizeof msg) < 0) {
		control_reply(cl, "error %s\n", msg);
		return;
	}
	kv_put(line, sizeof line, "what", msg);
	control_reply(cl, "ok%s\n", line);
}

static void req_cd_eject(struct domain *d, struct client *cl, char *arg)
{
	char msg[512], line[640] = "";

	if (!*arg || domain_change_cd(d, arg, -1, "", msg, sizeof msg) < 0) {
		control_reply(cl, "error %s\n", *arg ? msg : "cd-eject takes VDEV");
		return;
	}
	kv_put(line, sizeof line, "what", msg);
	control_reply(cl, "ok%s\n", line);
}

/* floppy-insert VDEV ro|rw NAME with the image's descriptor attached. */
static void req_floppy_insert(struct domain *d, struct client *cl, char *arg)
{
	char msg[512], line[640] = "", *mode = arg + strcspn(arg, " "), *name;
	int fd = cl->passed_fd;

	cl->passed_fd = -1;
	if (*mode)
		*mode++ = '\0';
	name = mode + strcspn(mode, " ");
	if (*name)
		*name++ = '\0';
	if (fd < 0 || !*arg || (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0) || !*name) {
		if (fd >= 0)
			close(fd);
		control_reply(cl, "error floppy-insert takes VDEV ro|rw NAME and the image's "
				  "descriptor (SCM_RIGHTS)\n");
		return;
	}
	if (domain_change_floppy(d, arg, fd, name, mode[1] == 'w', msg, sizeof msg) < 0) {
		control_reply(cl, "error %s\n", msg);
		return;
	}
	kv_put(line, sizeof line, "what", msg);
	control_reply(cl, "ok%s\n", line);
}

static void req_destroy(struct domain *d, struct client *cl, char *arg)
{
	(void)arg;
	domain_destroy(d);
	control_reply(cl, "ok\n");
}

/* save: the domain's state into the file whose descriptor came with the
 * request (hv save opens it: the domain's sandbox opens no files). */
static void req_save(struct domain *d, struct client *cl, char *arg)
{
	char err[512];
	int fd = cl->passed_fd, rc;

	(void)arg;
	if (fd < 0) {
		control_reply(cl, "error save needs the file's descriptor with the request "
				  "(SCM_RIGHTS; hv save passes it)\n");
		return;
	}
	cl->passed_fd = -1;
	rc = domain_save(d, fd, err, sizeof err);
	close(fd);
	reply_rc(cl, rc, err);
}

/* disks: the disks hv snapshot-create puts overlays on. */
static void req_disks(struct domain *d, struct client *cl, char *arg)
{
	static char line[12288];

	(void)arg;
	domain_disks_describe(d, line, sizeof line);
	control_reply(cl, "ok%s\n", line);
}

/* overlay VDEV NAME with the new qcow2 overlay's descriptor attached:
 * staged for the next snapshot request. */
static void req_overlay(struct domain *d, struct client *cl, char *arg)
{
	char err[512], *name;
	int fd = vdev_name_fd(cl, arg, &name, "overlay", "overlay");

	if (fd < 0)
		return;
	reply_rc(cl, domain_stage_overlay(d, arg, fd, name, err, sizeof err), err);
}

/* snapshot VDEV...: save into the attached file, then switch the named
 * disks to their staged overlays, the vCPU held throughout. */
static void req_snapshot(struct domain *d, struct client *cl, char *arg)
{
	char err[512];
	int fd = cl->passed_fd, rc;

	cl->passed_fd = -1;
	if (fd < 0) {
		domain_unstage_overlays(d);
		control_reply(cl,
			      "error snapshot needs the state file's descriptor (SCM_RIGHTS)\n");
		return;
	}
	rc = domain_snapshot(d, fd, arg, err, sizeof err);
	close(fd);
	reply_rc(cl, rc, err);
}

/* migrate-send [downtime=MS] [rounds=N] with the stream's socket passed
 * along (hv migrate connects it): starts sending; migrate-status follows
 * it, migrate-cancel ends it (so does this client's going away). */
static bool number_arg(const char *w, const char *key, unsigned max, unsigned *out)
{
	size_t n = strlen(key);
	char *end;
	unsigned long v;

	if (strncmp(w, key, n) != 0 || w[n] != '=' || !w[n + 1])
		return false;
	v = strtoul(w + n + 1, &end, 10);
	if (*end || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static void req_migrate_send(struct domain *d, struct client *cl, char *arg)
{
	unsigned downtime = MIGRATE_DOWNTIME_MS, rounds = MIGRATE_ROUNDS;
	char err[512];
	int fd = cl->passed_fd;

	cl->passed_fd = -1;
	for (char *save, *w = strtok_r(arg, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!number_arg(w, "downtime", 600000, &downtime) &&
		    !number_arg(w, "rounds", 1000, &rounds)) {
			if (fd >= 0)
				close(fd);
			control_reply(cl, "error migrate-send: bad argument '%.64s'\n", w);
			return;
		}
	}
	if (fd < 0) {
		control_reply(cl, "error migrate-send needs the stream's descriptor with the "
				  "request (SCM_RIGHTS; hv migrate passes it)\n");
		return;
	}
	reply_rc(cl, domain_migrate_start(d, fd, downtime, rounds, cl, err, sizeof err), err);
}

static void req_migrate_status(struct domain *d, struct client *cl, char *arg)
{
	static const char *const names[] = {"sending", "done", "failed"};
	struct migrate_status st;
	char error[320] = "";

	(void)arg;
	if (domain_migrate_status(d, &st) < 0) {
		control_reply(cl, "error domain '%s' has not migrated\n", d->cfg.name);
		return;
	}
	if (st.state == MIGRATE_FAILED)
		kv_put(error, sizeof error, "error", st.error);
	control_reply(cl,
		      "ok state=%s round=%u ram_pages=%llu pages=%llu bytes=%llu dirty=%llu "
		      "left=%llu bandwidth=%.0f total_ms=%.1f downtime_ms=%.1f%s\n",
		      names[st.state], st.round, (unsigned long long)st.ram_pages,
		      (unsigned long long)st.pages_sent, (unsigned long long)st.bytes,
		      (unsigned long long)st.dirty, (unsigned long long)st.round_left, st.bandwidth,
		      (double)st.total_ns / 1e6, (double)st.downtime_ns / 1e6, error);
}

static void req_migrate_cancel(struct domain *d, struct client *cl, char *arg)
{
	struct migrate_status st;

	(void)arg;
	if (domain_migrate_status(d, &st) < 0 || st.state != MIGRATE_SENDING) {
		control_reply(cl, "error no migration of domain '%s' is under way\n", d->cfg.name);
		return;
	}
	domain_migrate_cancel(d, NULL, "cancelled");
	control_reply(cl, "ok\n");
}

static void req_audio(struct domain *d, struct client *cl, char *arg)
{
	char err[256];
	int rc = domain_audio_request(d, arg, err, sizeof err);

	reply_rc(cl, rc, err);
}

static void req_info(struct domain *d, struct client *cl, char *arg)
{
	static char info[CTL_LINE_MAX];

	(void)arg;
	domain_info(d, info, sizeof info);
	control_reply(cl, "ok%s\n", info);
}

/* A console request's port word: port=1, port=2 (COM1, COM2), port=hvc0
 * or type=pv (the virtio-console), type=serial (COM1). Returns the port
 * or 0. */
static unsigned console_port_word(const char *w)
{
	if (strcmp(w, "port=1") == 0 || strcmp(w, "port=2") == 0)
		return (unsigned)(w[5] - '0');
	if (strcmp(w, "port=hvc0") == 0 || strcmp(w, "type=pv") == 0)
		return DOMAIN_PORT_HVC0;
	return strcmp(w, "type=serial") == 0 ? 1 : 0;
}

static void reply_no_console(struct domain *d, struct client *cl, unsigned port)
{
	if (port == DOMAIN_PORT_HVC0)
		control_reply(cl, "error domain '%s' has no virtio-console (hvc0): set %s = 1\n",
			      d->cfg.name, domain_serial_key(port));
	else
		control_reply(cl,
			      "error domain '%s' has no serial console on COM%u (%s = \"none\")\n",
			      d->cfg.name, port, domain_serial_key(port));
}

/* console [port=1|port=2|port=hvc0|type=serial|type=pv] [live]: the
 * primary console's stream by default (config key `console`). */
static void req_console(struct domain *d, struct client *cl, char *arg)
{
	unsigned port = domain_primary_port(d);
	bool live = false;
	struct console *con;

	for (char *save, *w = strtok_r(arg, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "live") == 0) {
			live = true;
		} else if (console_port_word(w)) {
			port = console_port_word(w);
		} else {
			control_reply(cl,
				      "error console takes 'port=1', 'port=2', 'port=hvc0', "
				      "'type=serial', 'type=pv' and 'live', not '%.40s'\n",
				      w);
			return;
		}
	}
	con = domain_serial_console(d, port);
	if (!con) {
		reply_no_console(d, cl, port);
		return;
	}
	if (cl->c->nstreams == MAX_STREAMS) {
		control_reply(cl, "error too many console clients (at most %d)\n", MAX_STREAMS);
		return;
	}
	control_reply(cl, "ok\n");
	cl->c->nstreams++;
	cl->console = true;
	cl->port = port;
	cl->pos = live ? console_head(con) : console_tail(con);
	control_push_console(d, cl);
}

/* The connection becomes a display viewer (display/display.h): the display
 * takes its descriptor and this client slot is freed. */
static void req_display(struct domain *d, struct client *cl, char *arg)
{
	char err[128];

	(void)arg;
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
static void type_keys(struct domain *d, struct client *cl, char *arg, bool text)
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
static void req_screen(struct domain *d, struct client *cl, char *arg)
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
static void req_regs(struct domain *d, struct client *cl, char *arg)
{
	struct vcpu_state st;
	static char text[CTL_LINE_MAX - 64];
	char err[256];

	(void)arg;
	if (vcpu_access_state(d, &st, NULL, err, sizeof err) < 0) {
		control_reply(cl, "error %s\n", err);
		return;
	}
	regs_format(&st, text, sizeof text);
	control_reply(cl, "ok engine=%s%s\n", d->engine->name, text);
}

static void req_send_keys(struct domain *d, struct client *cl, char *arg)
{
	type_keys(d, cl, arg, false);
}

static void req_send_text(struct domain *d, struct client *cl, char *arg)
{
	type_keys(d, cl, arg, true);
}

static void req_version(struct domain *d, struct client *cl, char *arg)
{
	(void)d;
	(void)arg;
	control_reply(cl, "ok protocol=%d hv=%s\n", CONTROL_PROTOCOL_VERSION, HV_VERSION);
}

static void req_quit(struct domain *d, struct client *cl, char *arg)
{
	(void)d;
	(void)arg;
	cl->closing = true;
}

static void req_help(struct domain *d, struct client *cl, char *arg);

struct request {
	const char *name;
	const char *args; /* its arguments as help shows them; NULL: none */
	const char *what;
	void (*run)(struct domain *d, struct client *cl, char *arg);
};

/* Every request, in the order help lists them (docs/protocol.md). */
static const struct request requests[] = {
    {"info", NULL, "the domain's state and details as key=value pairs", req_info},
    {"pause", NULL, "stop the vCPU and the virtual clock", req_pause},
    {"unpause", NULL, "resume a paused domain", req_unpause},
    {"reboot", NULL, "reset the machine", req_reboot},
    {"destroy", NULL, "end the domain now", req_destroy},
    {"save", NULL, "write the domain's state into the file passed with the request", req_save},
    {"disks", NULL, "the disks: vdevN, pathN, formatN, rwN for N below n", req_disks},
    {"overlay", "VDEV NAME",
     "stage the qcow2 overlay whose descriptor comes along for the next snapshot", req_overlay},
    {"snapshot", "[VDEV...]",
     "save into the file passed along, then switch those disks to their staged overlays",
     req_snapshot},
    {"migrate-send", "[downtime=MS] [rounds=N]",
     "live-migrate over the stream socket passed with the request", req_migrate_send},
    {"migrate-status", NULL, "how the migration goes (state, round, pages, downtime)",
     req_migrate_status},
    {"migrate-cancel", NULL, "end the migration under way; the domain goes on here",
     req_migrate_cancel},
    {"trigger", "power|sleep|reset|nmi",
     "press the ACPI power (or sleep) button, reset the machine or raise an NMI", req_trigger},
    {"cd-insert", "VDEV NAME", "put the image whose descriptor comes along in a CD-ROM drive",
     req_cd_insert},
    {"cd-eject", "VDEV", "take the medium out of a CD-ROM drive", req_cd_eject},
    {"floppy-insert", "VDEV ro|rw NAME",
     "swap the disk in a floppy drive for the image whose descriptor comes along",
     req_floppy_insert},
    {"audio", "mute|unmute|volume N", "mute, unmute or set the volume (0-100) of the sound",
     req_audio},
    {"console", "[port=N|port=hvc0|type=serial|type=pv] [live]",
     "become a console's byte stream (default: the primary console)", req_console},
    {"display", NULL, "become a viewer of the screen (its memfd attached)", req_display},
    {"send-keys", "KEY...", "type key names into the keyboard at a typist's pace", req_send_keys},
    {"send-text", "TEXT", "type text (\\n Enter, \\t Tab) on a US layout", req_send_text},
    {"screen", "text", "the text screen, then its rows", req_screen},
    {"regs", NULL, "the vCPU's registers", req_regs},
    {"version", NULL, "the protocol and hv versions", req_version},
    {"help", "[REQUEST]", "the requests, or one request's arguments", req_help},
    {"quit", NULL, "close the connection", req_quit},
};

#define NREQUESTS (sizeof requests / sizeof requests[0])

static const struct request *find_request(const char *name)
{
	for (size_t i = 0; i < NREQUESTS; i++)
		if (strcmp(requests[i].name, name) == 0)
			return &requests[i];
	return NULL;
}

/* help: every request's name; help NAME: its arguments and purpose. */
static void req_help(struct domain *d, struct client *cl, char *arg)
{
	char names[512] = "", line[512] = "";
	const struct request *r;

	(void)d;
	if (!*arg) {
		for (size_t i = 0; i < NREQUESTS; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
				 i ? " " : "", requests[i].name);
		kv_put(line, sizeof line, "commands", names);
		control_reply(cl, "ok%s\n", line);
		return;
	}
	r = find_request(arg);
	if (!r) {
		control_reply(cl, "error unknown command '%.40s' (try 'help')\n", arg);
		return;
	}
	kv_put(line, sizeof line, "usage", r->args ? r->args : "");
	kv_put(line, sizeof line, "what", r->what);
	control_reply(cl, "ok request=%s%s\n", r->name, line);
}

void control_run_command(struct control *c, struct client *cl, char *line)
{
	char *arg = line + strcspn(line, " ");
	const struct request *r;

	if (*arg)
		*arg++ = '\0';
	if (!*line)
		return;
	r = find_request(line);
	if (!r)
		control_reply(cl, "error unknown command '%.40s' (try 'help')\n", line);
	else if (!r->args && *arg)
		control_reply(cl, "error %s takes no argument, not '%.40s'\n", r->name, arg);
	else
		r->run(c->d, cl, arg);
}
