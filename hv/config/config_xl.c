/* xl.cfg(5) keys for HVM and PVH guests: mapped to what hv has, accepted
 * with a note, or refused with what hv offers instead. */
#include "hv/config/config.h"
#include "hv/config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Whether v asks for nothing: 0, "" or an empty list (a list of '' asks
 * for one device with xl's defaults). */
static int is_off(const struct value *v)
{
	if (v->type == VAL_INT)
		return v->num == 0;
	if (v->type == VAL_STRING)
		return v->text[0] == '\0';
	return v->type == VAL_LIST && v->count == 0;
}

/* A device or feature hv has not got: accepted when off, otherwise an
 * error whose text (k->expect) says what hv offers instead. */
static int refuse_unless_off(struct parser *p, const struct key *k, const struct value *v)
{
	return is_off(v) ? 0 : cfg_fail_at(p, v->line, "%s: %s", k->name, k->expect);
}

/* A key with no meaning in hv: accepted, with its note (k->expect) as a
 * warning. */
static int note_ignored(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_warn_at(p, k, v->line, "%s", k->expect);
}

static int set_flag(struct parser *p, const struct key *k, const struct value *v, unsigned *out)
{
	unsigned flag;

	if (cfg_set_uint(p, k, v, 0, 1, &flag) < 0)
		return -1;
	if (out)
		*out = flag;
	return (int)flag;
}

static int set_type(struct parser *p, const struct key *k, const struct value *v)
{
	static const char *const names[] = {"hvm", "pvh"};
	int i;

	if (strcmp(v->text, "pv") == 0 || strcmp(v->text, "generic") == 0)
		return cfg_fail_at(
		    p, v->line,
		    "%s: \"%s\" (a Xen PV guest) is not supported; hv runs \"hvm\" "
		    "(SeaBIOS and the emulated PC) or \"pvh\" (a Linux kernel booted "
		    "directly with kernel=)",
		    k->name, v->text);
	i = cfg_choose(p, k, v, names, k->name[0] == 'b' ? 1 : COUNT(names));
	if (i < 0)
		return -1;
	p->cfg->type = i == 0 ? CONFIG_TYPE_HVM : CONFIG_TYPE_PVH;
	return 0;
}

/* bios = "seabios": the only BIOS hv has. */
static int set_bios(struct parser *p, const struct key *k, const struct value *v)
{
	int named = strcmp(v->text, "bios") == 0 ? 0 : cfg_firmware_by_name(p, k, v);

	return named == 1 ? 0 : named < 0 ? -1 : cfg_bad_value(p, k, v);
}

static int set_uuid(struct parser *p, const struct key *k, const struct value *v)
{
	const char *s = v->text;

	if (strlen(s) != CONFIG_UUID_CHARS)
		return cfg_bad_value(p, k, v);
	for (size_t i = 0; i < CONFIG_UUID_CHARS; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return cfg_bad_value(p, k, v);
		p->cfg->uuid[i] = (char)tolower((unsigned char)s[i]);
	}
	p->cfg->uuid[CONFIG_UUID_CHARS] = '\0';
	return 0;
}

static int set_maxmem(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_uint(p, k, v, 1, 65536, &p->cfg->maxmem_mib);
}

static int set_maxvcpus(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_cpu_count(p, k, v, &p->cfg->maxvcpus);
}

/* sdl = 1 asks xl for a window; hv serves the screen to `hv view`. */
static int set_sdl(struct parser *p, const struct key *k, const struct value *v)
{
	return set_flag(p, k, v, &p->cfg->sdl) < 0 ? -1 : 0;
}

static int set_vga(struct parser *p, const struct key *k, const struct value *v)
{
	static const char *const names[] = {"stdvga", "cirrus"};
	int i;

	if (strcmp(v->text, "none") == 0) {
		p->cfg->vga_none = 1;
		return 0;
	}
	p->cfg->vga_none = 0;
	if (strcmp(v->text, "qxl") == 0)
		return cfg_fail_at(
		    p, v->line,
		    "%s: \"%s\" is not supported yet; hv's PC has a standard VGA with "
		    "VBE (\"stdvga\")",
		    k->name, v->text);
	i = cfg_choose(p, k, v, names, COUNT(names));
	if (i <= 0)
		return i;
	return cfg_warn_at(p, k, v->line,
			   "hv has no Cirrus card; the guest gets a standard VGA with VBE "
			   "(\"stdvga\")");
}

/* vfb = [ 'type=virtio' ]: xl's paravirtual framebuffer is, in hv, a
 * virtio-gpu (the VGA stays for firmware and early boot). One entry of
 * comma-separated settings; type=virtio is the one hv knows. */
static int set_vfb(struct parser *p, const struct key *k, const struct value *v)
{
	const struct value *e;
	char spec[64], *tok, *save;
	bool virtio = false;

	if (is_off(v))
		return 0;
	if (v->type != VAL_LIST || v->count != 1 || v->items[0].type != VAL_STRING)
		return cfg_fail_at(p, v->line, "%s: %s", k->name, k->expect);
	e = &v->items[0];
	if (strlen(e->text) >= sizeof spec)
		return cfg_fail_at(p, e->line, "%s: '%.*s...' is too long; %s", k->name, 32,
				   e->text, k->expect);
	strcpy(spec, e->text);
	for (tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "type=virtio") == 0)
			virtio = true;
		else
			return cfg_fail_at(p, e->line,
					   "%s: '%s' is not supported; hv's paravirtual screen "
					   "is %s",
					   k->name, tok, k->expect);
	}
	if (!virtio)
		return cfg_fail_at(p, e->line, "%s: %s", k->name, k->expect);
	p->cfg->vfb_virtio = 1;
	return 0;
}

static int set_videoram(struct parser *p, const struct key *k, const struct value *v)
{
	unsigned mib;

	if (cfg_set_uint(p, k, v, 1, 1024, &mib) < 0)
		return -1;
	if (mib == CONFIG_VIDEORAM_MIB)
		return 0;
	return cfg_warn_at(p, k, v->line, "ignored; hv's VGA always has %u MiB",
			   CONFIG_VIDEORAM_MIB);
}

static int set_localtime(struct parser *p, const struct key *k, const struct value *v)
{
	return set_flag(p, k, v, &p->cfg->localtime) < 0 ? -1 : 0;
}

/* Only 0: the RTC starts at the host's time, UTC or local. */
static int set_rtc_timeoffset(struct parser *p, const struct key *k, const struct value *v)
{
	if (strcmp(v->text, "0") == 0 || strcmp(v->text, "-0") == 0 || strcmp(v->text, "+0") == 0)
		return 0;
	return cfg_fail_at(p, v->line, "%s: %s", k->name, k->expect);
}

static int set_acpi(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on != 0)
		return on < 0 ? -1 : 0;
	return cfg_warn_at(
	    p, k, v->line,
	    "ignored; SeaBIOS and hv's direct kernel boot always give the guest ACPI "
	    "tables");
}

static int set_apic(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on <= 0)
		return on;
	return cfg_warn_at(p, k, v->line,
			   "ignored; hv's PC has no I/O APIC yet, interrupts go through the 8259 "
			   "PICs");
}

static int set_hpet(struct parser *p, const struct key *k, const struct value *v)
{
	return set_flag(p, k, v, &p->cfg->hpet) < 0 ? -1 : 0;
}

/* xl's older spelling of vga = "stdvga" (1) or "cirrus" (0). */
static int set_stdvga(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on != 0)
		return on < 0 ? -1 : 0;
	return cfg_warn_at(
	    p, k, v->line,
	    "hv has no Cirrus card; the guest gets a standard VGA with VBE (\"stdvga\")");
}

static int set_nestedhvm(struct parser *p, const struct key *k, const struct value *v)
{
	int on = set_flag(p, k, v, NULL);

	if (on <= 0)
		return on;
	return cfg_fail_at(
	    p, v->line, "%s: nested virtualisation is not supported; use nestedhvm = 0", k->name);
}

/* One entry in xl's network syntax (hv/config/vifspec.c). */
static int add_vif(struct parser *p, const struct key *k, const struct value *v)
{
	struct vif_config *c = &p->cfg->vifs[p->cfg->nvifs];
	char msg[512];

	if (v->type != VAL_STRING)
		return cfg_bad_value(p, k, v);
	if (vifspec_parse(v->text, c, msg, sizeof msg) < 0)
		return cfg_fail_at(p, v->line, "%s: %s", k->name, msg);
	p->cfg->line.vifs[p->cfg->nvifs] = cfg_line_of(p, v);
	p->cfg->nvifs++;
	return 0;
}

/* vif = [ '...', ... ]: one virtio-net NIC per entry ('' for the
 * defaults); vif = [] for none. */
static int set_vif(struct parser *p, const struct key *k, const struct value *v)
{
	return cfg_set_list(p, k, v, CONFIG_VIFS_MAX, "network interfaces", &p->cfg->nvifs,
			    add_vif);
}

#define SCHEDULER_NOTE                                                                             \
	"ignored; a domain's vCPU is a host thread the host's scheduler runs (taskset and nice "   \
	"apply to the domain process)"

#define DEVICE_MODEL_NOTE                                                                          \
	"ignored; hv emulates the PC inside the domain process, with no separate device model"

const struct key config_xl_keys[] = {
    /* xl.cfg keys. For refuse_unless_off and note_ignored rows, the text
     * is the message: what hv offers instead. */
    {"type", VAL_STRING, "\"hvm\" (SeaBIOS and the emulated PC) or \"pvh\" (direct kernel boot)",
     set_type},
    {"builder", VAL_STRING, "\"hvm\" (type = \"hvm\" is the current spelling)", set_type},
    {"bios", VAL_STRING, "\"seabios\"", set_bios},
    {"uuid", VAL_STRING, "a UUID such as \"c0ffee00-1234-4abc-8def-0123456789ab\"", set_uuid},
    {"maxmem", VAL_INT, "an integer from 1 to 65536 (MiB)", set_maxmem},
    {"maxvcpus", VAL_INT, "an integer from 1 to 64", set_maxvcpus},
    {"cmdline", VAL_STRING, "a kernel command line of printable characters", cfg_set_extra},
    {"vif", VAL_STRING | VAL_LIST, "a list of network interface specifications", set_vif},
    {"vfb", VAL_ANY, "vfb = [ 'type=virtio' ] (a virtio-gpu beside the VGA) or vfb = []", set_vfb},
    {"vnc", VAL_INT, "VNC is not supported; `hv view NAME` shows the screen in an SDL window",
     refuse_unless_off},
    {"sdl", VAL_INT, "0 or 1", set_sdl},
    {"vga", VAL_STRING, "\"stdvga\", \"cirrus\" or \"none\"", set_vga},
    {"videoram", VAL_INT, "an integer from 1 to 1024 (MiB)", set_videoram},
    {"soundhw", VAL_ANY, "\"sb16\" or \"sb16,port=0x220,irq=5,dma=1,hdma=5\"", cfg_set_soundhw},
    {"usb", VAL_INT,
     "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse (`hv view`, "
     "`hv send-keys`)",
     refuse_unless_off},
    {"usbdevice", VAL_ANY,
     "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse (`hv view`, "
     "`hv send-keys`)",
     refuse_unless_off},
    {"usbctrl", VAL_ANY, "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse",
     refuse_unless_off},
    {"usbdev", VAL_ANY, "USB is not supported yet; hv's PC has a PS/2 keyboard and mouse",
     refuse_unless_off},
    {"on_watchdog", VAL_STRING, "ignored; hv's PC has no watchdog device", note_ignored},
    {"on_soft_reset", VAL_STRING, "ignored; hv has no Xen soft reset (a guest's kexec needs none)",
     note_ignored},
    {"localtime", VAL_INT, "0 (the RTC keeps UTC) or 1 (the host's local time)", set_localtime},
    {"rtc_timeoffset", VAL_INT | VAL_WORD,
     "not supported yet; the RTC starts at the host's UTC time, or its local time with "
     "localtime = 1 (use rtc_timeoffset = 0)",
     set_rtc_timeoffset},
    {"acpi", VAL_INT, "0 or 1", set_acpi},
    {"apic", VAL_INT, "0 or 1", set_apic},
    {"pae", VAL_INT,
     "ignored; the kvm engine gives the guest the host CPU's PAE, the soft engine (an i686) "
     "has none",
     note_ignored},
    {"hap", VAL_INT,
     "ignored; the kvm engine uses the host's nested paging when KVM does, the soft engine "
     "has none",
     note_ignored},
    {"nestedhvm", VAL_INT, "0 or 1", set_nestedhvm},
    {"cpuid", VAL_ANY,
     "CPUID policies are not supported yet; the soft engine reports its own i686, the kvm "
     "engine the host CPU",
     refuse_unless_off},
    {"viridian", VAL_ANY,
     "Hyper-V enlightenments are not supported; the guest sees the emulated PC alone (use "
     "viridian = 0)",
     refuse_unless_off},
    {"pci", VAL_ANY, "PCI passthrough is not supported (use pci = [])", refuse_unless_off},
    {"vkb", VAL_ANY,
     "not supported yet; every domain has a PS/2 keyboard and mouse (`hv view`, "
     "`hv send-keys`)",
     refuse_unless_off},
    {"channel", VAL_ANY,
     "not supported yet; hv offers two serial ports (serial, serial2) and a debug console "
     "(debugcon)",
     refuse_unless_off},
    {"hpet", VAL_INT, "0 (no HPET) or 1 (the PC's HPET, a clock source)", set_hpet},
    {"stdvga", VAL_INT, "0 or 1", set_stdvga},
    {"keymap", VAL_STRING,
     "ignored; `hv view` sends the host keyboard's scan codes, the guest chooses its layout",
     note_ignored},
    {"xen_platform_pci", VAL_INT, "ignored; hv's PC has no Xen platform device", note_ignored},
    {"cpus", VAL_ANY, SCHEDULER_NOTE, note_ignored},
    {"cpu_weight", VAL_INT, SCHEDULER_NOTE, note_ignored},
    {"cap", VAL_INT, SCHEDULER_NOTE, note_ignored},
    {"pool", VAL_STRING, SCHEDULER_NOTE, note_ignored},
    {"shadow_memory", VAL_INT, "ignored; hv keeps no shadow page tables", note_ignored},
    {"timer_mode", VAL_ANY, "ignored; hv's PIT and RTC keep the domain's virtual time",
     note_ignored},
    {"tsc_mode", VAL_ANY, "ignored; hv's PIT and RTC keep the domain's virtual time", note_ignored},
    {"device_model_version", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_override", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_stubdomain_override", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_args", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_args_hvm", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
    {"device_model_user", VAL_ANY, DEVICE_MODEL_NOTE, note_ignored},
};

const size_t config_xl_nkeys = COUNT(config_xl_keys);
