#include "hv/core/snapmeta.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '+';
}

static bool plain_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool snapmeta_name_ok(const char *name)
{
	return plain_name(name, SNAPMETA_NAME_MAX);
}

/* hda..hdd, fda, fdb, xvda..xvdz: lower-case letters, 3 or 4. */
static bool vdev_ok(const char *v)
{
	size_t n = strlen(v);

	if (n < 3 || n > 4)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 'a' || v[i] > 'z')
			return false;
	return true;
}

static bool path_ok(const char *p)
{
	size_t n = strlen(p);

	if (n < 2 || n >= PATH_MAX || p[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

static int bad(char *err, size_t errlen, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "line %u: ", line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* The next space-separated word of *p (at most max - 1 bytes) into out;
 * false if there is none or it is too long. */
static bool word(const char **p, char *out, size_t max)
{
	const char *s = *p, *e = strchr(s, ' ');
	size_t n = e ? (size_t)(e - s) : strlen(s);

	if (n == 0 || n >= max)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = e ? e + 1 : s + n;
	return true;
}

static bool number(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

const struct snapmeta_disk *snapmeta_disk(const struct snapmeta *m, const char *vdev)
{
	for (unsigned i = 0; i < m->ndisks; i++)
		if (strcmp(m->disks[i].vdev, vdev) == 0)
			return &m->disks[i];
	return NULL;
}

int snapmeta_add_overlay(struct snapmeta *m, const char *vdev, const char *file)
{
	struct snapmeta_overlay *o;

	if (m->noverlays >= SNAPMETA_OVERLAYS_MAX || !snapmeta_disk(m, vdev) ||
	    !plain_name(file, SNAPMETA_FILE_MAX))
		return -1;
	o = &m->overlays[m->noverlays++];
	snprintf(o->vdev, sizeof o->vdev, "%s", vdev);
	snprintf(o->file, sizeof o->file, "%s", file);
	return 0;
}

static int parse_disk(struct snapmeta *m, const char *rest, unsigned ln, char *err, size_t errlen)
{
	struct snapmeta_disk *d;
	char size[32];

	if (m->ndisks >= SNAPMETA_DISKS_MAX)
		return bad(err, errlen, ln, "more than %u disks", SNAPMETA_DISKS_MAX);
	d = &m->disks[m->ndisks];
	if (!word(&rest, d->vdev, sizeof d->vdev) || !vdev_ok(d->vdev))
		return bad(err, errlen, ln, "disk: bad device name");
	if (snapmeta_disk(m, d->vdev))
		return bad(err, errlen, ln, "disk %s given twice", d->vdev);
	if (!word(&rest, d->format, sizeof d->format) ||
	    (strcmp(d->format, "raw") != 0 && strcmp(d->format, "qcow2") != 0))
		return bad(err, errlen, ln, "disk: format is neither raw nor qcow2");
	if (!word(&rest, size, sizeof size) || !number(size, 1ull << 55, &d->size) || !d->size)
		return bad(err, errlen, ln, "disk: bad size");
	if (strlen(rest) >= sizeof d->image || !path_ok(rest))
		return bad(err, errlen, ln, "disk: the image is not an absolute path");
	snprintf(d->image, sizeof d->image, "%s", rest);
	m->ndisks++;
	return 0;
}

static int parse_overlay(struct snapmeta *m, const char *rest, unsigned ln, char *err,
			 size_t errlen)
{
	char vdev[SNAPMETA_VDEV_MAX];

	if (!word(&rest, vdev, sizeof vdev) || !snapmeta_disk(m, vdev))
		return bad(err, errlen, ln, "overlay: not of a disk listed before");
	if (strlen(rest) >= SNAPMETA_FILE_MAX || !plain_name(rest, SNAPMETA_FILE_MAX))
		return bad(err, errlen, ln, "overlay: not a plain file name");
	for (unsigned i = 0; i < m->noverlays; i++)
		if (strcmp(m->overlays[i].file, rest) == 0)
			return bad(err, errlen, ln, "overlay %s given twice", rest);
	if (snapmeta_add_overlay(m, vdev, rest) < 0)
		return bad(err, errlen, ln, "more than %u overlays", SNAPMETA_OVERLAYS_MAX);
	return 0;
}

/* One line (NUL-terminated, no newline), past the version line. */
static int parse_line(struct snapmeta *m, char *line, unsigned ln, unsigned *seen, char *err,
		      size_t errlen)
{
	char *rest = strchr(line, ' ');
	uint64_t t;

	if (!rest)
		return bad(err, errlen, ln, "no value");
	*rest++ = '\0';
	if (!strcmp(line, "disk"))
		return parse_disk(m, rest, ln, err, errlen);
	if (!strcmp(line, "overlay"))
		return parse_overlay(m, rest, ln, err, errlen);
	if (!strcmp(line, "domain") || !strcmp(line, "name") || !strcmp(line, "time")) {
		unsigned bit = line[0] == 'd' ? 1 : line[0] == 'n' ? 2 : 4;

		if (*seen & bit)
			return bad(err, errlen, ln, "%s given twice", line);
		*seen |= bit;
		if (bit == 4) {
			if (!number(rest, INT64_MAX, &t))
				return bad(err, errlen, ln, "time: not a number of seconds");
			m->time = (int64_t)t;
			return 0;
		}
		if (!snapmeta_name_ok(rest))
			return bad(err, errlen, ln, "%s: not a valid name", line);
		snprintf(bit == 1 ? m->domain : m->name, SNAPMETA_NAME_MAX, "%s", rest);
		return 0;
	}
	return bad(err, errlen, ln, "unknown key '%.32s'", line);
}

int snapmeta_parse(const char *text, size_t len, struct snapmeta *m, char *err, size_t errlen)
{
	static const char head[] = "hv-snapshot 1\n";
	char *buf, *p;
	unsigned ln = 1, seen = 0;
	int rc = 0;

	memset(m, 0, sizeof *m);
	if (len > SNAPMETA_BYTES_MAX)
		return bad(err, errlen, 0, "record too long");
	if (len < sizeof head - 1 || memcmp(text, head, sizeof head - 1) != 0)
		return bad(err, errlen, 1, "not an hv snapshot record of version 1");
	if (memchr(text, '\0', len) || text[len - 1] != '\n')
		return bad(err, errlen, 0, "not text ending in a newline");
	buf = malloc(len + 1);
	if (!buf)
		return bad(err, errlen, 0, "out of memory");
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (p = buf + sizeof head - 1; *p && rc == 0;) {
		char *nl = strchr(p, '\n');

		*nl = '\0';
		rc = parse_line(m, p, ++ln, &seen, err, errlen);
		p = nl + 1;
	}
	free(buf);
	if (rc == 0 && seen != 7)
		rc = bad(err, errlen, ln, "domain, name or time missing");
	return rc;
}

int snapmeta_write(const struct snapmeta *m, FILE *f)
{
	fprintf(f, "hv-snapshot %d\ndomain %s\nname %s\ntime %" PRId64 "\n", SNAPMETA_VERSION,
		m->domain, m->name, m->time);
	for (unsigned i = 0; i < m->ndisks; i++)
		fprintf(f, "disk %s %s %" PRIu64 " %s\n", m->disks[i].vdev, m->disks[i].format,
			m->disks[i].size, m->disks[i].image);
	for (unsigned i = 0; i < m->noverlays; i++)
		fprintf(f, "overlay %s %s\n", m->overlays[i].vdev, m->overlays[i].file);
	return ferror(f) ? -1 : 0;
}
