/* Send segmentation for VIRTIO_NET_F_HOST_TSO4 (see virtio_net.h): the
 * guest hands over one TCP/IPv4 frame of up to 64 KiB and the segment
 * size (gso_size, its MSS); the device cuts it into frames of that much
 * payload each, as a NIC's TCP segmentation offload would, before the
 * backend sees them. Every field comes from the guest: a header or frame
 * that is not the plain case below is refused, never guessed at. */
#include <string.h>

#include "hv/core/be.h"
#include "hv/core/le.h"
#include "hv/virtio/tcp4.h"
#include "hv/virtio/virtio_net.h"

/* The virtio_net_hdr's fields. */
static const char *check_vhdr(const uint8_t *h, size_t len, bool ecn)
{
	uint8_t type = h[1] & (uint8_t) ~(ecn ? VIRTIO_NET_HDR_GSO_ECN : 0);

	if (type != VIRTIO_NET_HDR_GSO_TCPV4)
		return "a gso_type other than TCPV4";
	if (!(h[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return "no NEEDS_CSUM";
	if (le_get16(h + 2) > len)
		return "hdr_len past the frame";
	if (!le_get16(h + 4))
		return "gso_size 0";
	return NULL;
}

/* The frame's headers: fills g->ihl and g->hdr. */
static const char *check_frame(const uint8_t *f, size_t len, struct virtio_net_gso *g)
{
	const uint8_t *ip = f + ETH_LEN, *tcp;

	if (len < ETH_LEN + IP_MIN + TCP_MIN || be_get16(f + 12) != ETHERTYPE4 || ip[0] >> 4 != 4)
		return "not IPv4";
	g->ihl = (size_t)(ip[0] & 15) * 4;
	if (g->ihl < IP_MIN || ETH_LEN + g->ihl + TCP_MIN > len)
		return "a bad IPv4 header length";
	if (be_get16(ip + 2) != len - ETH_LEN)
		return "an IPv4 total length not the frame's";
	if (be_get16(ip + 6) & 0x3fff)
		return "an IPv4 fragment";
	if (ip[9] != IP_PROTO_TCP)
		return "not TCP";
	tcp = ip + g->ihl;
	g->hdr = ETH_LEN + g->ihl + (size_t)(tcp[12] >> 4) * 4;
	if (tcp[12] >> 4 < 5 || g->hdr >= len)
		return "a bad TCP header length or no payload";
	return NULL;
}

const char *virtio_net_gso_parse(const uint8_t *h, const uint8_t *f, size_t len, bool ecn,
				 struct virtio_net_gso *g)
{
	const char *why = check_vhdr(h, len, ecn);

	if (!why)
		why = check_frame(f, len, g);
	if (!why && (le_get16(h + 6) != ETH_LEN + g->ihl || le_get16(h + 8) != TCP_CSUM))
		why = "csum_start/csum_offset not at the TCP checksum";
	if (why)
		return why;
	g->len = len;
	g->mss = le_get16(h + 4);
	g->next = 0;
	return NULL;
}

size_t virtio_net_gso_segment(const uint8_t *f, struct virtio_net_gso *g, uint8_t *out)
{
	size_t pay = g->len - g->hdr, at = (size_t)g->next * g->mss, k;
	uint8_t *ip = out + ETH_LEN, *tcp = ip + g->ihl;

	if (!g->len || at >= pay)
		return 0;
	k = pay - at < g->mss ? pay - at : g->mss;
	memcpy(out, f, g->hdr);
	memcpy(out + g->hdr, f + g->hdr + at, k);
	be_put16(ip + 4, (uint16_t)(be_get16(ip + 4) + g->next));
	be_put32(tcp + 4, be_get32(tcp + 4) + (uint32_t)at);
	if (at + k < pay)
		tcp[13] &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	if (g->next)
		tcp[13] &= (uint8_t)~TCP_CWR;
	virtio_net_tcp4_sums(out, g->hdr + k, g->ihl);
	if (at + k == pay)
		g->len = 0; /* the last one */
	g->next++;
	return g->hdr + k;
}
