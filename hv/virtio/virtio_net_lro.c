/* Receive coalescing for VIRTIO_NET_F_GUEST_TSO4 (see virtio_net.h): a
 * run of TCP/IPv4 segments of one connection, one after the other in
 * sequence, becomes one large frame the guest takes as a single packet
 * with gso_size = the segments' size, as a NIC's large receive offload
 * would. The frames come from the user network (libslirp), not from the
 * guest, but nothing here trusts their headers either: whatever does not
 * parse as the plain case is left alone. */
#include <string.h>

#include "hv/core/be.h"
#include "hv/virtio/tcp4.h"
#include "hv/virtio/virtio_net.h"

#define IP_MAX 65535 /* total length field */

/* The header length (Ethernet + IPv4 + TCP) of a frame that may join a
 * run: IPv4 without options or fragmentation, its total length the
 * frame's, TCP with only ACK (and PSH) set and some payload. 0 otherwise. */
static size_t segment_hdr(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_LEN, *tcp = ip + IP_MIN;
	size_t hdr;

	if (len < ETH_LEN + IP_MIN + TCP_MIN || be_get16(f + 12) != ETHERTYPE4 || ip[0] != 0x45 ||
	    be_get16(ip + 2) != len - ETH_LEN || (be_get16(ip + 6) & 0x3fff) ||
	    ip[9] != IP_PROTO_TCP)
		return 0;
	hdr = ETH_LEN + IP_MIN + (size_t)(tcp[12] >> 4) * 4;
	if ((tcp[12] >> 4) < 5 || hdr >= len || (tcp[13] & ~TCP_PSH) != TCP_ACK)
		return 0;
	return hdr;
}

/* Whether b (header hdr bytes) continues the run in out: the same
 * addresses, ports, TOS, TTL, acknowledgment, window and TCP options, and
 * the next sequence number. */
static bool continues(const uint8_t *out, size_t out_len, size_t hdr, const uint8_t *b)
{
	const uint8_t *oi = out + ETH_LEN, *bi = b + ETH_LEN;
	const uint8_t *ot = oi + IP_MIN, *bt = bi + IP_MIN;

	return !memcmp(out, b, ETH_LEN) && oi[1] == bi[1] && oi[8] == bi[8] &&
	       !memcmp(oi + 12, bi + 12, 8) && !memcmp(ot, bt, 4) && !memcmp(ot + 8, bt + 8, 4) &&
	       be_get16(ot + 14) == be_get16(bt + 14) &&
	       !memcmp(ot + TCP_MIN, bt + TCP_MIN, hdr - ETH_LEN - IP_MIN - TCP_MIN) &&
	       be_get32(bt + 4) == be_get32(ot + 4) + (uint32_t)(out_len - hdr);
}

unsigned virtio_net_coalesce(uint8_t *out, const struct virtio_net_view *f, unsigned count,
			     size_t *len, uint16_t *gso_size)
{
	size_t hdr = count > 1 ? segment_hdr(f[0].data, f[0].len) : 0, total, seg;
	unsigned k;

	if (!hdr)
		return 1;
	seg = f[0].len - hdr;
	memcpy(out, f[0].data, f[0].len);
	total = f[0].len;
	for (k = 1; k < count; k++) {
		const uint8_t *b = f[k].data;
		size_t blen = f[k].len, more = blen - hdr;

		/* Every segment but the last is exactly seg bytes long, and
		 * one with PSH ends the run. */
		if (segment_hdr(b, blen) != hdr || more > seg || total + more - ETH_LEN > IP_MAX ||
		    (out[ETH_LEN + IP_MIN + 13] & TCP_PSH) || !continues(out, total, hdr, b))
			break;
		memcpy(out + total, b + hdr, more);
		total += more;
		out[ETH_LEN + IP_MIN + 13] |= b[ETH_LEN + IP_MIN + 13] & TCP_PSH;
		if (more < seg) {
			k++;
			break;
		}
	}
	if (k == 1)
		return 1;
	virtio_net_tcp4_sums(out, total, IP_MIN);
	*len = total;
	*gso_size = (uint16_t)seg;
	return k;
}
