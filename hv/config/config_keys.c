/* hv's own keys and the xl keys that map straight onto hv's domain: one
 * setter per key and the table that names them. */
#include "hv/config/config.h"
#include "hv/config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const engine_names[] = {
    [CONFIG_ENGINE_AUTO] = "auto",
    [CONFIG_ENGINE_SOFT] = "soft",
    [CONFIG_ENGINE_KVM] = "kvm",
};

static const char *const action_names[] = {
    [CONFIG_ACTION_DESTROY] = "destroy",
    [CONFIG_ACTION_RESTART] = "restart",
    [CONFIG_ACTION_PRESERVE] = "preserve",
    [CONFIG_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [CONFIG_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

/* The kinds named by a bare word; "file:PATH" is handled apart. */
static const char *const chardev_words[] = {"stdio", "pty", "none"};
static const enum chardev_kind chardev_kinds[] = {CHARDEV_STDIO, CHARDEV_PTY, CHARDEV_NONE};

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < CONFIG_NAME_MAX && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int set_name(struct parser *p, const struct key *k, const struct value *v)
{
	if (!valid_name(v->text))
		return cfg_bad_value(p, k, v);
	strcpy(p->cfg->name, v->text);
	return 0;
}

static int set_memory(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 1, 65536, &p->cfg->memory_mib);
}

/* xl's range, then hv's limit: one vCPU until SMP exists. */
int cfg_set_cpu_count(struct parser *p, const struct key *k, const struct value *v, unsigned *out)
{
	unsigned n;

	if (cfg_set_uint(p, k, v, 1, 64, &n) < 0)
		return -1;
	if (n > 1)
		return cfg_fail_at(
		    p, v->line,
		    "%s: hv runs one vCPU per domain until SMP exists (the limit is 1), "
		    "got %u",
		    k->name, n);
	*out = n;
	return 0;
}

static int set_vcpus(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_cpu_count(p, k, v, &p->cfg->vcpus);
}

static int set_engine(struct parser *p, const struct key *k, const struct value *v)
{
	int i = cfg_choose(p, k, v, engine_names, COUNT(engine_names));

	if (i < 0)
		return -1;
	p->cfg->engine = (enum config_engine)i;
	return 0;
}

/* xl's firmware names. "bios" and "seabios" are SeaBIOS; the others are
 * firmware hv has not got. Returns 1 if v named firmware (cfg->firmware
 * set), 0 if v is a path, -1 with err set. */
int cfg_firmware_by_name(struct parser *p, const struct key *k, const struct value *v)
{
	static const char *const missing[] = {"uefi", "ovmf", "rombios", "pvgrub32", "pvgrub64"};

	if (strcmp(v->text, "seabios") == 0 || strcmp(v->text, "bios") == 0) {
		const char *bios = config_seabios_path();
		if (access(bios, R_OK) < 0)
			return cfg_fail_at(
			    p, v->line,
			    "%s: SeaBIOS (%s) is missing: %s; install Debian's seabios "
			    "package (apt-get install seabios)",
			    k->name, bios, strerror(errno));
		snprintf(p->cfg->firmware, sizeof p->cfg->firmware, "%s", bios);
		return 1;
	}
	for (size_t i = 0; i < COUNT(missing); i++) {
		if (strcmp(v->text, missing[i]) == 0)
			return cfg_fail_at(
			    p, v->line,
			    "%s: \"%s\" is not supported yet; hv boots SeaBIOS "
			    "(\"seabios\", the default for HVM), a ROM image given by "
			    "path, or a Linux kernel with kernel=",
			    k->name, v->text);
	}
	return 0;
}

/* A file's path into out (resolved by cfg_resolve_path), its line into
 * *line; "" unsets, so that an override can take back the file's choice. */
static int set_path(struct parser *p, const struct key *k, const struct value *v, char *out,
		    int *line)
{
	if (!v->text[0]) {
		out[0] = '\0';
		return 0;
	}
	*line = cfg_line_of(p, v);
	return cfg_resolve_path(p, k, v, v->text, out);
}

/* firmware=: a name (cfg_firmware_by_name) or a path. */
static int set_firmware(struct parser *p, const struct key *k, const struct value *v)
{
	int named = 0;

	if (v->text[0]) {
		p->cfg->line.firmware = cfg_line_of(p, v);
		named = cfg_firmware_by_name(p, k, v);
	}
	if (named != 0)
		return named < 0 ? -1 : 0;
	return set_path(p, k, v, p->cfg->firmware, &p->cfg->line.firmware);
}

/* kernel= and ramdisk=: a path. */
static int set_kernel(struct parser *p, const struct key *k, const struct value *v)
{
	return set_path(p, k, v, p->cfg->kernel, &p->cfg->line.kernel);
}

static int set_ramdisk(struct parser *p, const struct key *k, const struct value *v)
{
	return set_path(p, k, v, p->cfg->ramdisk, &p->cfg->line.ramdisk);
}

/* The kernel command line, as xl's extra= (or cmdline=, its newer name:
 * one of the two per file); one line of printable text. */
int cfg_set_extra(struct parser *p, const struct key *k, const struct value *v)
{
	size_t n = strlen(v->text);

	if (p->extra_on)
		return cfg_fail_at(
		    p, v->line,
		    "%s: the kernel command line is already set on line %d (extra and "
		    "cmdline are one setting)",
		    k->name, p->extra_on);
	if (n >= CONFIG_EXTRA_MAX)
		return cfg_fail_at(p, v->line,
				   "%s: command line is %zu characters (the limit is %d)", k->name,
				   n, CONFIG_EXTRA_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v->text[i] < 0x20 || v->text[i] == 0x7f)
			return cfg_bad_value(p, k, v);
	}
	strcpy(p->cfg->extra, v->text);
	p->extra_on = v->line;
	return 0;
}

static int set_chardev(struct parser *p, const struct key *k, const struct value *v,
		       struct chardev_config *out)
{
	int i;

	if (strncmp(v->text, "file:", 5) == 0) {
		if (!v->text[5])
			return cfg_fail_at(p, v->line, "%s: expected a path after \"file:\"",
					   k->name);
		if (cfg_resolve_path(p, k, v, v->text + 5, out->path) < 0)
			return -1;
		out->kind = CHARDEV_FILE;
		return 0;
	}
	i = cfg_choose(p, k, v, chardev_words, COUNT(chardev_words));
	if (i < 0)
		return -1;
	out->kind = chardev_kinds[i];
	out->path[0] = '\0';
	return 0;
}

/* One device for one port: a string, or a list of one (xl's form). */
static int set_port(struct parser *p, const struct key *k, const struct value *v, const char *port,
		    struct chardev_config *out)
{
	if (v->type == VAL_LIST && v->count != 1)
		return cfg_fail_at(p, v->line, "%s: expected a list of one device (%s), got %zu",
				   k->name, port, v->count);
	if (v->type == VAL_LIST)
		v = &v->items[0];
	if (v->type != VAL_STRING)
		return cfg_bad_value(p, k, v);
	return set_chardev(p, k, v, out);
}

/* xl's serial = [ COM1, COM2 ]: a list of one or two devices. COM2 has a
 * key of its own too (serial2), but may be given only once. */
static int set_serial(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.serial = cfg_line_of(p, v);
	struct chardev_config ports[CONFIG_SERIAL_PORTS];

	if (v->type != VAL_LIST || v->count == 1)
		return set_port(p, k, v, "COM1", &p->cfg->serial[0]);
	if (v->count != CONFIG_SERIAL_PORTS)
		return cfg_fail_at(
		    p, v->line, "%s: expected a list of one or two devices (COM1, COM2), got %zu",
		    k->name, v->count);
	if (p->serial2_on)
		return cfg_fail_at(p, v->line, "%s: COM2 is already set by serial2 on line %d",
				   k->name, p->serial2_on);
	for (unsigned i = 0; i < CONFIG_SERIAL_PORTS; i++) {
		if (v->items[i].type != VAL_STRING)
			return cfg_bad_value(p, k, &v->items[i]);
		ports[i] = p->cfg->serial[i];
		if (set_chardev(p, k, &v->items[i], &ports[i]) < 0)
			return -1;
	}
	memcpy(p->cfg->serial, ports, sizeof ports);
	p->cfg->line.serial2 = p->cfg->line.serial;
	p->serial2_on = v->line;
	return 0;
}

static int set_serial2(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.serial2 = cfg_line_of(p, v);
	if (p->serial2_on)
		return cfg_fail_at(p, v->line, "%s: COM2 is already set by serial on line %d",
				   k->name, p->serial2_on);
	if (set_port(p, k, v, "COM2", &p->cfg->serial[1]) < 0)
		return -1;
	p->serial2_on = v->line;
	return 0;
}

static int set_debugcon(struct parser *p, const struct key *k, const struct value *v)
{
	p->cfg->line.debugcon = cfg_line_of(p, v);
	return set_chardev(p, k, v, &p->cfg->debugcon);
}

static int set_on_poweroff(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_action(p, k, v, CONFIG_ACTION_PRESERVE + 1, &p->cfg->on_poweroff);
}

static int set_on_reboot(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_action(p, k, v, CONFIG_ACTION_PRESERVE + 1, &p->cfg->on_reboot);
}

/* A crashed domain cannot be kept yet: destroy or restart, either after a
 * core dump. */
static int set_on_crash(struct parser *p, const struct key *k, const struct value *v)
{
	if (strcmp(v->text, "preserve") == 0)
		return cfg_fail_at(p, v->line,
				   "%s: \"preserve\" is not supported yet (a crashed domain is not "
				   "kept); expected %s",
				   k->name, k->expect);
	return cfg_set_action(p, k, v, COUNT(action_names), &p->cfg->on_crash);
}

/* Each entry in xl's disk syntax (hv/config/diskspec.c); a relative target is
 * taken from the config file's directory. */
static int add_disk(struct parser *p, const struct key *k, const struct value *v)
{
	struct disk_config *d = &p->cfg->disks[p->cfg->ndisks];
	char msg[PATH_MAX + 64];

	if (v->type != VAL_STRING)
		return cfg_bad_value(p, k, v);
	if (diskspec_parse(v->text, d, msg, sizeof msg) < 0)
		return cfg_fail_at(p, v->line, "%s: %s", k->name, msg);
	for (unsigned i = 0; i < p->cfg->ndisks; i++) {
		if (p->cfg->disks[i].vdev == d->vdev)
			return cfg_fail_at(p, v->line, "%s: vdev=%s given twice", k->name,
					   diskspec_vdev_name(d->vdev));
	}
	if (d->target[0] && cfg_resolve_path(p, k, v, d->target, d->target) < 0)
		return -1;
	for (unsigned i = 0; d->target[0] && i < p->cfg->ndisks; i++) {
		/* Two drives on one image would corrupt it (and the second
		 * open would read as another domain's lock). */
		if (strcmp(p->cfg->disks[i].target, d->target) == 0)
			return cfg_fail_at(p, v->line, "%s: %s is already vdev=%s in this domain",
					   k->name, d->target,
					   diskspec_vdev_name(p->cfg->disks[i].vdev));
	}
	p->cfg->line.disks[p->cfg->ndisks] = cfg_line_of(p, v);
	p->cfg->ndisks++;
	return 0;
}

static int set_disk(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_list(p, k, v, DISKS_MAX, "disks", &p->cfg->ndisks, add_disk);
}

/* xl's HVM boot order: a floppy, the first hard disk, the CD-ROM. */
static int set_boot(struct parser *p, const struct key *k, const struct value *v)
{
	size_t n = strlen(v->text);

	if (n < 1 || n > 3)
		return cfg_bad_value(p, k, v);
	for (size_t i = 0; i < n; i++) {
		if (!strchr("acd", v->text[i]) || strchr(v->text + i + 1, v->text[i]))
			return cfg_bad_value(p, k, v);
	}
	strcpy(p->cfg->boot, v->text);
	return 0;
}

/* 0 spares a domain with several boot devices SeaBIOS's 2.5 s prompt. */
static int set_boot_menu(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 0, 1, &p->cfg->boot_menu);
}

/* How long SeaBIOS's prompt waits for ESC (QEMU's -boot splash-time): a
 * user who needs longer to reach the key, or a slow host. */
static int set_boot_menu_wait(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 1, BOOT_MENU_WAIT_MAX, &p->cfg->boot_menu_wait);
}

/* hv's own key: the soft engine's JIT (hv/x86/jit.c), on by default. */
static int set_jit(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 0, 1, &p->cfg->jit);
}

/* hv's own key: who decompresses a kernel= (hv/boot/linuxboot.h). */
static int set_kernel_decompress(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 0, 1, &p->cfg->kernel_decompress);
}

/* hv's own key: xl has no entropy device. */
static int set_virtio_rng(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 0, 1, &p->cfg->virtio_rng);
}

/* hv's own keys: xl's PV console is always there, its type picked per
 * `xl console -t` call. */
static int set_virtio_console(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 0, 1, &p->cfg->virtio_console);
}

static int set_console(struct parser *p, const struct key *k, const struct value *v)
{
	if (strcmp(v->text, "hvc0") != 0 && strcmp(v->text, "ttyS0") != 0)
		return cfg_fail_at(p, v->line, "%s: \"%s\": expected %s", k->name, v->text,
				   k->expect);
	p->cfg->console_hvc0 = strcmp(v->text, "hvc0") == 0;
	return 0;
}

/* xl's actions that hv has not got, with why. */
static int refuse_xl_action(struct parser *p, const struct key *k, const struct value *v,
			    const char *offered)
{
	if (strncmp(v->text, "coredump-", 9) == 0 && strcmp(k->name, "on_crash") != 0)
		return cfg_fail_at(p, v->line,
				   "%s: \"%s\" is not supported (hv writes core dumps for on_crash "
				   "only); expected %s",
				   k->name, v->text, offered);
	if (strcmp(v->text, "rename-restart") == 0 || strcmp(v->text, "soft-reset") == 0)
		return cfg_fail_at(p, v->line, "%s: \"%s\" is not supported yet; expected %s",
				   k->name, v->text, offered);
	return 0;
}

int cfg_set_action(struct parser *p, const struct key *k, const struct value *v, size_t n,
		   enum config_action *out)
{
	int i;

	if (refuse_xl_action(p, k, v, k->expect) < 0)
		return -1;
	i = cfg_choose(p, k, v, action_names, n);
	if (i < 0)
		return -1;
	*out = (enum config_action)i;
	return 0;
}

/* hv's sound sink: the desktop (PulseAudio), nothing, or a WAV file. */
static int set_audio(struct parser *p, const struct key *k, const struct value *v)
{
	char path[PATH_MAX];

	if (strcmp(v->text, "pulse") == 0 || strcmp(v->text, "none") == 0) {
		strcpy(p->cfg->audio, v->text);
		return 0;
	}
	if (strncmp(v->text, "wav:", 4) != 0)
		return cfg_bad_value(p, k, v);
	if (!v->text[4])
		return cfg_fail_at(p, v->line, "%s: expected a path after \"wav:\"", k->name);
	if (cfg_resolve_path(p, k, v, v->text + 4, path) < 0)
		return -1;
	snprintf(p->cfg->audio, sizeof p->cfg->audio, "wav:%s", path);
	return 0;
}

static int set_audio_latency(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 10, 1000, &p->cfg->audio_latency_ms);
}

static int set_log_max_kb(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 16, 4u << 20, &p->cfg->log_max_kb);
}

static int set_sandbox(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 0, 1, &p->cfg->sandbox);
}

#define CHARDEV_EXPECT "\"stdio\", \"pty\", \"none\" or \"file:PATH\""

const struct key config_native_keys[] = {
    {"name", VAL_STRING, "1 to 63 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
     set_name},
    {"memory", VAL_INT, "an integer from 1 to 65536 (MiB)", set_memory},
    {"vcpus", VAL_INT, "an integer from 1 to 64", set_vcpus},
    {"engine", VAL_STRING, "\"auto\", \"soft\" or \"kvm\"", set_engine},
    {"firmware", VAL_STRING, "a path", set_firmware},
    {"kernel", VAL_STRING, "a path", set_kernel},
    {"ramdisk", VAL_STRING, "a path", set_ramdisk},
    {"kernel_decompress", VAL_INT,
     "0 (the kernel decompresses itself) or 1 (hv decompresses an xz kernel)",
     set_kernel_decompress},
    {"extra", VAL_STRING, "a kernel command line of printable characters", cfg_set_extra},
    {"serial", VAL_STRING | VAL_LIST, CHARDEV_EXPECT, set_serial},
    {"serial2", VAL_STRING | VAL_LIST, CHARDEV_EXPECT, set_serial2},
    {"debugcon", VAL_STRING, CHARDEV_EXPECT, set_debugcon},
    {"on_poweroff", VAL_STRING, "\"destroy\", \"restart\" or \"preserve\"", set_on_poweroff},
    {"on_reboot", VAL_STRING, "\"destroy\", \"restart\" or \"preserve\"", set_on_reboot},
    {"on_crash", VAL_STRING,
     "\"destroy\", \"restart\", \"coredump-destroy\" or \"coredump-restart\"", set_on_crash},
    {"disk", VAL_STRING | VAL_LIST, "a list of disk specifications", set_disk},
    {"boot", VAL_STRING,
     "\"c\" (hard disk), \"d\" (CD-ROM), \"a\" (floppy) or an order such as \"dc\"", set_boot},
    {"boot_menu", VAL_INT, "0 (no boot menu) or 1 (SeaBIOS's ESC prompt)", set_boot_menu},
    {"boot_menu_wait", VAL_INT, "milliseconds SeaBIOS's prompt waits for ESC, 1 to 65535",
     set_boot_menu_wait},
    {"jit", VAL_INT, "0 (the soft CPU interprets) or 1 (translates hot code)", set_jit},
    {"virtio_rng", VAL_INT, "0 or 1 (a virtio entropy device fed from getrandom)", set_virtio_rng},
    {"virtio_console", VAL_INT, "0 or 1 (a virtio-console: the guest's hvc0)", set_virtio_console},
    {"console", VAL_STRING, "\"ttyS0\" (COM1) or \"hvc0\" (virtio-console)", set_console},
    {"audio", VAL_STRING, "\"pulse\", \"none\" or \"wav:PATH\"", set_audio},
    {"audio_latency_ms", VAL_INT, "an integer from 10 to 1000 (ms)", set_audio_latency},
    {"log_max_kb", VAL_INT, "an integer from 16 to 4194304 (KiB per log file)", set_log_max_kb},
    {"sandbox", VAL_INT, "1 (confine the domain process) or 0 (do not: debugging)", set_sandbox},
};

const size_t config_native_nkeys = COUNT(config_native_keys);

/* The name of e as written in a config file. */
const char *config_engine_name(enum config_engine e)
{
	return (unsigned)e < COUNT(engine_names) ? engine_names[e] : "?";
}

/* The name of a as written in a config file. */
const char *config_action_name(enum config_action a)
{
	return (unsigned)a < COUNT(action_names) ? action_names[a] : "?";
}
