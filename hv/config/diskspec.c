#include "hv/config/diskspec.h"

#include <stdio.h>
#include <string.h>

static const char *const vdev_names[DISK_VDEVS] = {
    "hda",  "hdb",  "hdc",  "hdd",  "fda",  "fdb",  "xvda", "xvdb", "xvdc", "xvdd", "xvde",
    "xvdf", "xvdg", "xvdh", "xvdi", "xvdj", "xvdk", "xvdl", "xvdm", "xvdn", "xvdo", "xvdp",
    "xvdq", "xvdr", "xvds", "xvdt", "xvdu", "xvdv", "xvdw", "xvdx", "xvdy", "xvdz"};

const char *diskspec_vdev_name(enum disk_vdev v)
{
	return (unsigned)v < DISK_VDEVS ? vdev_names[v] : "?";
}

int diskspec_ide_index(enum disk_vdev v)
{
	return v <= DISK_HDD ? (int)v : -1;
}

int diskspec_floppy_index(enum disk_vdev v)
{
	return v == DISK_FDA || v == DISK_FDB ? (int)(v - DISK_FDA) : -1;
}

int diskspec_virtio_index(enum disk_vdev v)
{
	return v >= DISK_XVDA && v < DISK_VDEVS ? (int)(v - DISK_XVDA) : -1;
}

/* What parsing has seen so far; a field set twice is an error. */
struct spec {
	struct disk_config *out;
	bool have_target, have_format, have_vdev, have_access, have_devtype;
	unsigned positional; /* positional fields taken: target, format, vdev, access */
	char *msg;
	size_t msglen;
};

static int bad(struct spec *s, const char *fmt, const char *arg)
{
	snprintf(s->msg, s->msglen, fmt, arg);
	return -1;
}

static int set_vdev(struct spec *s, const char *v)
{
	char name[8];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);

	/* xl still takes the old "hdc:cdrom" form. */
	if (colon && strcmp(colon, ":cdrom") != 0)
		return bad(s, "unknown vdev suffix in \"%s\" (only \":cdrom\")", v);
	if (colon)
		s->out->cdrom = true;
	snprintf(name, sizeof name, "%.*s", (int)(n < 7 ? n : 7), v);
	for (unsigned i = 0; i < DISK_VDEVS; i++) {
		if (n == strlen(vdev_names[i]) && strcmp(name, vdev_names[i]) == 0) {
			s->out->vdev = (enum disk_vdev)i;
			s->have_vdev = true;
			return 0;
		}
	}
	return bad(s, "unknown vdev \"%s\" (expected hda, hdb, hdc, hdd, fda, fdb or xvda-xvdz)",
		   v);
}

static int set_format(struct spec *s, const char *v)
{
	if (strcmp(v, "raw") != 0 && strcmp(v, "qcow2") != 0)
		return bad(s, "format=%s: expected raw or qcow2", v);
	s->out->qcow2 = strcmp(v, "qcow2") == 0;
	s->have_format = true;
	return 0;
}

static int set_access(struct spec *s, const char *v)
{
	if (!strcmp(v, "rw") || !strcmp(v, "w"))
		s->out->readonly = false;
	else if (!strcmp(v, "ro") || !strcmp(v, "r"))
		s->out->readonly = true;
	else
		return bad(s, "access=%s: expected rw or ro", v);
	s->have_access = true;
	return 0;
}

static int set_devtype(struct spec *s, const char *v)
{
	if (strcmp(v, "cdrom") != 0 && strcmp(v, "disk") != 0)
		return bad(s, "devtype=%s: expected disk or cdrom", v);
	s->out->cdrom = strcmp(v, "cdrom") == 0;
	s->have_devtype = true;
	return 0;
}

static int set_target(struct spec *s, const char *v)
{
	if (strlen(v) >= sizeof s->out->target)
		return bad(s, "%s", "target: path is too long");
	strcpy(s->out->target, v);
	s->have_target = true;
	return 0;
}

struct field {
	const char *key;
	int (*set)(struct spec *s, const char *v);
	size_t seen; /* offsetof the have_ flag */
};

static const struct field fields[] = {
    {"target", set_target, offsetof(struct spec, have_target)},
    {"format", set_format, offsetof(struct spec, have_format)},
    {"vdev", set_vdev, offsetof(struct spec, have_vdev)},
    {"access", set_access, offsetof(struct spec, have_access)},
    {"devtype", set_devtype, offsetof(struct spec, have_devtype)},
};

/* xl parameters that choose a Xen backend: hv has none to choose. */
static int xl_backend(struct spec *s, const char *key, size_t klen, const char *v)
{
	static const char *const names[] = {"backendtype", "backend", "script"};

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i]) == klen && strncmp(key, names[i], klen) == 0) {
			snprintf(s->msg, s->msglen,
				 "%s=%s: hv has no Xen disk backends, it opens the target (an "
				 "image file or a block device) itself; remove %s=",
				 names[i], v, names[i]);
			return -1;
		}
	}
	return 0;
}

/* xl's flags without '=' that hv does not take. */
static int xl_flag(struct spec *s, const char *v)
{
	static const char *const flags[] = {"discard", "no-discard", "direct-io-safe", "trusted",
					    "untrusted"};

	for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		if (strcmp(v, flags[i]) == 0)
			return bad(s,
				   "\"%s\" is not supported; hv takes target, format (raw or "
				   "qcow2), vdev, "
				   "access and devtype",
				   v);
	}
	return 0;
}

static int keyed(struct spec *s, const char *key, size_t klen, const char *v)
{
	if (xl_backend(s, key, klen, v) < 0)
		return -1;
	for (unsigned i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const struct field *f = &fields[i];

		if (strlen(f->key) != klen || strncmp(key, f->key, klen) != 0)
			continue;
		if (*(bool *)((char *)s + f->seen))
			return bad(s, "%s= given twice", f->key);
		return f->set(s, v);
	}
	snprintf(s->msg, s->msglen,
		 "unknown parameter \"%.*s\" (expected target, format, vdev, access or devtype)",
		 (int)klen, key);
	return -1;
}

/* A field without '=': "cdrom", or the next positional one. */
static int positional(struct spec *s, const char *v)
{
	static const char *const order[] = {"target", "format", "vdev", "access"};

	if (!strcmp(v, "cdrom"))
		return set_devtype(s, "cdrom");
	if (xl_flag(s, v) < 0)
		return -1;
	if (s->positional >= 4)
		return bad(s, "unexpected \"%s\" after target, format, vdev and access", v);
	s->positional++;
	if (!*v && s->positional != 1)
		return 0; /* an empty positional field leaves the default */
	return keyed(s, order[s->positional - 1], strlen(order[s->positional - 1]), v);
}

static int field(struct spec *s, char *f)
{
	char *eq = strchr(f, '=');

	while (*f == ' ' || *f == '\t')
		f++;
	eq = strchr(f, '=');
	return eq ? keyed(s, f, (size_t)(eq - f), eq + 1) : positional(s, f);
}

static int check(struct spec *s)
{
	struct disk_config *d = s->out;

	if (!s->have_vdev)
		return bad(s, "%s", "no vdev= given (hda, hdb, hdc, hdd, fda, fdb or xvda-xvdz)");
	if (d->cdrom && d->vdev >= DISK_FDA)
		return bad(s,
			   d->vdev >= DISK_XVDA ? "vdev=%s: a CD-ROM is IDE here (hdc), not virtio"
						: "vdev=%s: a floppy drive cannot be a CD-ROM",
			   diskspec_vdev_name(d->vdev));
	if (d->cdrom && s->have_access && !d->readonly)
		return bad(s, "%s", "access=rw: a CD-ROM is read-only");
	if (d->cdrom)
		d->readonly = true;
	if (!d->target[0] && !d->cdrom)
		return bad(s, "%s", "no target= given (only a CD-ROM drive may be empty)");
	return 0;
}

int diskspec_parse(const char *spec, struct disk_config *out, char *msg, size_t msglen)
{
	struct spec s = {.out = out, .msg = msg, .msglen = msglen};
	char buf[PATH_MAX + 128];
	char *p = buf;

	*out = (struct disk_config){0};
	if (strlen(spec) >= sizeof buf)
		return bad(&s, "%s", "disk specification is too long");
	strcpy(buf, spec);
	for (;;) {
		char *comma;

		while (*p == ' ' || *p == '\t')
			p++;
		/* target= takes the rest, commas and all, as xl does. */
		if (!strncmp(p, "target=", 7)) {
			if (s.have_target)
				return bad(&s, "%s", "target= given twice");
			if (set_target(&s, p + 7) < 0)
				return -1;
			break;
		}
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if ((*p || comma || s.positional == 0) && field(&s, p) < 0)
			return -1;
		if (!comma)
			break;
		p = comma + 1;
	}
	return check(&s);
}
