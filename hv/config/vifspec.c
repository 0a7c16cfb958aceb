#include "hv/config/vifspec.h"
#include "hv/core/hexdigit.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_MAX 128 /* characters of one key=value item */

#define USERNET_NOTE                                                                               \
	"hv's network is user-mode (libslirp NAT inside the domain process, no host "              \
	"interface, bridge or script); the guest reaches out through NAT, the host reaches in "    \
	"with hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport"

/* xl's options for a Xen backend, which hv has no use for. */
static const char *const xen_only[] = {
    "bridge", "script", "backend", "vifname", "ip",	    "gatewaydev",
    "rate",   "accel",	"devid",   "trusted", "forwarddev", "colo_forwarddev",
};

static int fail(char *msg, size_t len, const char *fmt, const char *a, const char *b)
{
	snprintf(msg, len, fmt, a, b);
	return -1;
}

static int parse_mac(const char *s, uint8_t mac[6], char *msg, size_t len)
{
	static const char what[] = "mac=%s: expected six hex bytes such as 52:54:00:12:34:56%s";

	for (unsigned i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hi < 0 ? -1 : hex_digit(s[3 * i + 1]);
		char sep = lo < 0 ? 0 : s[3 * i + 2];

		if (lo < 0 || (i < 5 && sep != ':' && sep != '-') || (i == 5 && sep))
			return fail(msg, len, what, s, "");
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return fail(msg, len, what, s, " (a unicast address: the first byte even)");
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return fail(msg, len, what, s, " (not all zero)");
	return 0;
}

/* A port 1-65535 as the whole of s. */
static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 5)
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "" (0) or a dotted IPv4 address. */
static int parse_addr(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (!s[0]) {
		*out = 0;
		return 0;
	}
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* "[addr]:port" in s (modified). */
static int parse_end(char *s, uint32_t *addr, uint16_t *port)
{
	char *colon = strrchr(s, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	return parse_addr(s, addr) < 0 || parse_port(colon + 1, port) < 0 ? -1 : 0;
}

static int parse_hostfwd(const char *val, struct vif_fwd *f, char *msg, size_t len)
{
	static const char what[] =
	    "hostfwd=%s: expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport%s";
	char s[ITEM_MAX], *host, *guest;

	memset(f, 0, sizeof *f);
	snprintf(s, sizeof s, "%s", val);
	host = strchr(s, ':');
	guest = host ? strchr(host, '-') : NULL;
	if (!guest)
		return fail(msg, len, what, val, "");
	*host++ = '\0';
	*guest++ = '\0';
	if (strcmp(s, "tcp") != 0 && strcmp(s, "udp") != 0 && s[0])
		return fail(msg, len, what, val, " (the protocol is tcp or udp)");
	f->udp = s[0] == 'u';
	if (parse_end(host, &f->host_addr, &f->host_port) < 0 ||
	    parse_end(guest, &f->guest_addr, &f->guest_port) < 0)
		return fail(msg, len, what, val, " (addresses are dotted IPv4, ports 1-65535)");
	return 0;
}

static int set_model(const char *val, char *msg, size_t len)
{
	if (strcmp(val, "virtio") == 0 || strcmp(val, "virtio-net") == 0 ||
	    strcmp(val, "virtio-net-pci") == 0)
		return 0;
	return fail(msg, len, "model=%s: hv's only NIC is virtio-net (model=virtio)%s", val, "");
}

static int set_type(const char *val, char *msg, size_t len)
{
	if (strcmp(val, "ioemu") == 0)
		return 0;
	return fail(msg, len,
		    "type=%s: hv has no Xen netfront; every vif is an emulated virtio-net NIC "
		    "(type=ioemu or no type=)%s",
		    val, "");
}

static int add_fwd(struct vif_config *out, const char *val, char *msg, size_t len)
{
	struct vif_fwd f;

	if (out->nfwd == VIF_FWD_MAX) {
		snprintf(msg, len, "hostfwd=%s: at most %d hostfwd= per vif", val, VIF_FWD_MAX);
		return -1;
	}
	if (parse_hostfwd(val, &f, msg, len) < 0)
		return -1;
	for (unsigned i = 0; i < out->nfwd; i++)
		if (out->fwd[i].udp == f.udp && out->fwd[i].host_port == f.host_port &&
		    out->fwd[i].host_addr == f.host_addr)
			return fail(msg, len, "hostfwd=%s: this host port is forwarded twice%s",
				    val, "");
	out->fwd[out->nfwd++] = f;
	return 0;
}

static int parse_mtu(const char *s, struct vif_config *out, char *msg, size_t len)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || v < VIF_MTU_MIN || v > VIF_MTU_MAX)
		return fail(msg, len, "mtu=%s: expected a number from 576 to 65520%s", s, "");
	out->mtu = (uint16_t)v;
	return 0;
}

/* offload=0 or 1 (the default): the NIC's checksum and segmentation
 * offloads. */
static int parse_offload(const char *s, struct vif_config *out, char *msg, size_t len)
{
	if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
		return fail(msg, len, "offload=%s: expected 0 or 1%s", s, "");
	out->no_offload = s[0] == '0';
	return 0;
}

static int parse_item(char *item, struct vif_config *out, char *msg, size_t len)
{
	char *eq = strchr(item, '=');
	const char *val;

	if (!eq)
		return fail(
		    msg, len,
		    "'%s': expected key=value (mac=, mtu=, offload=, model=, type= or hostfwd=)%s",
		    item, "");
	*eq = '\0';
	val = eq + 1;
	if (strcmp(item, "mac") == 0)
		return out->mac_set = true, parse_mac(val, out->mac, msg, len);
	if (strcmp(item, "mtu") == 0)
		return parse_mtu(val, out, msg, len);
	if (strcmp(item, "offload") == 0)
		return parse_offload(val, out, msg, len);
	if (strcmp(item, "model") == 0)
		return set_model(val, msg, len);
	if (strcmp(item, "type") == 0)
		return set_type(val, msg, len);
	if (strcmp(item, "hostfwd") == 0)
		return add_fwd(out, val, msg, len);
	for (size_t i = 0; i < sizeof xen_only / sizeof xen_only[0]; i++)
		if (strcmp(item, xen_only[i]) == 0)
			return fail(msg, len, "%s=: not supported; %s", item, USERNET_NOTE);
	return fail(
	    msg, len,
	    "unknown key '%s' (hv takes mac=, mtu=, offload=, model=, type= and hostfwd=)%s", item,
	    "");
}

int vifspec_parse(const char *spec, struct vif_config *out, char *msg, size_t msglen)
{
	const char *p = spec;

	memset(out, 0, sizeof *out);
	while (*p) {
		size_t n = strcspn(p, ",");
		char item[ITEM_MAX];

		if (n >= sizeof item) {
			snprintf(msg, msglen, "an option of %zu characters (at most %zu)", n,
				 sizeof item - 1);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		/* xl allows blanks around items. */
		while (item[0] == ' ')
			memmove(item, item + 1, n--);
		while (n && item[n - 1] == ' ')
			item[--n] = '\0';
		if (n && parse_item(item, out, msg, msglen) < 0)
			return -1;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

static void put_addr(char *buf, size_t len, uint32_t a)
{
	if (a)
		snprintf(buf, len, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	else
		buf[0] = '\0';
}

void vifspec_format(const struct vif_config *c, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "model=virtio");
	if (c->mac_set) {
		n = strlen(buf);
		snprintf(buf + n, len - n, ",mac=%02x:%02x:%02x:%02x:%02x:%02x", c->mac[0],
			 c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	}
	if (c->mtu) {
		n = strlen(buf);
		snprintf(buf + n, len - n, ",mtu=%u", c->mtu);
	}
	if (c->no_offload) {
		n = strlen(buf);
		snprintf(buf + n, len - n, ",offload=0");
	}
	for (unsigned i = 0; i < c->nfwd; i++) {
		char host[16], guest[16];

		put_addr(host, sizeof host, c->fwd[i].host_addr);
		put_addr(guest, sizeof guest, c->fwd[i].guest_addr);
		n = strlen(buf);
		snprintf(buf + n, len - n, ",hostfwd=%s:%s:%u-%s:%u", c->fwd[i].udp ? "udp" : "tcp",
			 host, c->fwd[i].host_port, guest, c->fwd[i].guest_port);
	}
}

void vifspec_default_mac(const char *seed, unsigned index, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *s = seed; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ (index & 0xFF)) * 16777619u;
	h ^= h >> 24;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}
