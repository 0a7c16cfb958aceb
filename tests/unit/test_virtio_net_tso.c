/* virtio_net's send segmentation (VIRTIO_NET_F_HOST_TSO4): a large
 * TCP/IPv4 frame with gso_size becomes frames of gso_size payload each
 * (the last one shorter), each with its IPv4 length, id and checksum, TCP
 * sequence number and checksum right, FIN and PSH only on the last, CWR
 * only on the first, IPv4 and TCP options kept. Every header or frame
 * that is not that plain case is refused: a gso_type other than TCPV4
 * (ECN only when negotiated), no NEEDS_CSUM, a checksum not at TCP's,
 * gso_size 0, hdr_len past the frame, an IPv4 length that lies, a bad
 * header length, a fragment, not IPv4 or not TCP, no payload. Through
 * the device: a chain over many descriptors is cut up and its buffer
 * given back at once, without the feature or with a bad header it is
 * dropped and counted, a device reset forgets the rest of a frame, and
 * the rest waits for a buffer the frame would fit in. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/be.h"
#include "hv/core/le.h"
#include "hv/virtio/virtio_net.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define TX_AT	 0x4000u
#define BUF_AT	 0x10000u
#define MSS	 1000
#define FLAGS	 0x99 /* CWR, ACK, PSH, FIN */

static uint8_t frame[VIRTIO_NET_FRAME_MAX], vhdr[VIRTIO_NET_HDR_LEN];
static size_t frame_len, hdr_len; /* the frame's and its headers' lengths */

/* A frame of pay bytes of payload, ipopt and tcpopt bytes of options
 * (multiples of 4), id 0xfffe, sequence 0xfffff000, and the header a
 * Linux guest gives it. */
static void make_frame(size_t pay, size_t ipopt, size_t tcpopt)
{
	uint8_t *ip = frame + 14, *tcp = ip + 20 + ipopt;

	memset(frame, 0, sizeof frame);
	memcpy(frame, "\x52\x55\x0a\x00\x02\x02\x52\x54\x00\x12\x34\x56\x08\x00", 14);
	ip[0] = (uint8_t)(0x40 | (20 + ipopt) / 4);
	hdr_len = 14 + 20 + ipopt + 20 + tcpopt;
	frame_len = hdr_len + pay;
	be_put16(ip + 2, (uint16_t)(frame_len - 14));
	be_put16(ip + 4, 0xfffe);
	be_put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	memset(ip + 20, 1, ipopt); /* NOPs */
	be_put16(tcp, 50000);
	be_put16(tcp + 2, 4000);
	be_put32(tcp + 4, 0xfffff000u);
	be_put32(tcp + 8, 77);
	tcp[12] = (uint8_t)((20 + tcpopt) / 4 << 4);
	tcp[13] = FLAGS;
	be_put16(tcp + 14, 29200);
	memset(tcp + 20, 1, tcpopt);
	for (size_t k = 0; k < pay; k++)
		frame[hdr_len + k] = (uint8_t)(k * 7 + k / 251);
	memset(vhdr, 0, sizeof vhdr);
	vhdr[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vhdr[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	/* hdr_len: Linux's skb_headlen, which may take in some payload */
	le_put16(vhdr + 2, (uint16_t)(pay < 100 ? frame_len : hdr_len + 100));
	le_put16(vhdr + 4, MSS);
	le_put16(vhdr + 6, (uint16_t)(14 + 20 + ipopt));
	le_put16(vhdr + 8, 16);
}

/* The TCP checksum over the pseudo-header and segment verifies (0). */
static unsigned tcp_check(const uint8_t *f, size_t len, size_t ihl)
{
	static uint8_t buf[12 + VIRTIO_NET_FRAME_MAX];
	size_t tlen = len - 14 - ihl;

	memcpy(buf, f + 14 + 12, 8);
	buf[8] = 0;
	buf[9] = 6;
	be_put16(buf + 10, (uint16_t)tlen);
	memcpy(buf + 12, f + 14 + ihl, tlen);
	return virtio_net_csum(buf, 12 + tlen);
}

/* Segment i of count (a frame of len bytes) is the one expected. */
static void check_segment(const uint8_t *s, size_t len, unsigned i, unsigned count, size_t ihl)
{
	size_t pay = frame_len - hdr_len, k = i == count - 1 ? pay - (size_t)i * MSS : MSS;
	const uint8_t *ip = s + 14, *tcp = ip + ihl;
	uint8_t flags = FLAGS, h[160];

	ck_assert_uint_eq(len, hdr_len + k);
	ck_assert_uint_eq(be_get16(ip + 2), len - 14);
	ck_assert_uint_eq(be_get16(ip + 4), (0xfffe + i) & 0xffff); /* wraps */
	ck_assert_uint_eq(virtio_net_csum(ip, ihl), 0);
	ck_assert_uint_eq(be_get32(tcp + 4), 0xfffff000u + i * MSS); /* wraps */
	if (i)
		flags &= (uint8_t)~0x80;
	if (i != count - 1)
		flags &= (uint8_t)~0x09;
	ck_assert_uint_eq(tcp[13], flags);
	ck_assert_uint_eq(tcp_check(s, len, ihl), 0);
	/* The rest of the headers as the frame's. */
	memcpy(h, s, hdr_len);
	memcpy(h + 14 + 2, frame + 14 + 2, 4);		   /* length, id */
	memcpy(h + 14 + 10, frame + 14 + 10, 2);	   /* IPv4 checksum */
	memcpy(h + 14 + ihl + 4, frame + 14 + ihl + 4, 4); /* sequence */
	h[14 + ihl + 13] = FLAGS;
	memcpy(h + 14 + ihl + 16, frame + 14 + ihl + 16, 2); /* TCP checksum */
	ck_assert_mem_eq(h, frame, hdr_len);
	ck_assert_mem_eq(s + hdr_len, frame + hdr_len + (size_t)i * MSS, k);
}

/* Cuts the frame up; returns how many segments came, each checked. */
static unsigned cut(size_t ihl)
{
	static uint8_t out[VIRTIO_NET_FRAME_MAX];
	struct virtio_net_gso g;
	unsigned count = 0, want;
	size_t len;

	ck_assert_ptr_null(virtio_net_gso_parse(vhdr, frame, frame_len, false, &g));
	want = (unsigned)((frame_len - hdr_len + MSS - 1) / MSS);
	while ((len = virtio_net_gso_segment(frame, &g, out)))
		check_segment(out, len, count++, want, ihl);
	ck_assert_uint_eq(g.len, 0);
	ck_assert_uint_eq(virtio_net_gso_segment(frame, &g, out), 0);
	return count;
}

START_TEST(a_frame_cuts_into_whole_segments)
{
	make_frame(3 * MSS, 0, 0);
	ck_assert_uint_eq(cut(20), 3);
}
END_TEST

START_TEST(the_last_segment_takes_the_rest)
{
	make_frame(3 * MSS + 7, 0, 0);
	ck_assert_uint_eq(cut(20), 4);
	make_frame(1, 0, 0);
	ck_assert_uint_eq(cut(20), 1);
	make_frame(65535 - 40, 0, 0); /* the largest IPv4 packet */
	ck_assert_uint_eq(cut(20), 66);
}
END_TEST

START_TEST(options_are_kept_in_every_segment)
{
	make_frame(2 * MSS + 500, 8, 12);
	ck_assert_uint_eq(cut(28), 3);
}
END_TEST

/* What virtio_net_gso_parse says of the frame after change(). */
static bool refused(void (*change)(void), bool ecn)
{
	struct virtio_net_gso g;

	make_frame(3 * MSS, 0, 0);
	change();
	return virtio_net_gso_parse(vhdr, frame, frame_len, ecn, &g) != NULL;
}

static void nothing(void) {}
static void gso_udp(void)
{
	vhdr[1] = 3;
}
static void gso_ecn(void)
{
	vhdr[1] |= VIRTIO_NET_HDR_GSO_ECN;
}
static void no_needs_csum(void)
{
	vhdr[0] = 0;
}
static void csum_start_off(void)
{
	le_put16(vhdr + 6, 35);
}
static void csum_offset_off(void)
{
	le_put16(vhdr + 8, 6);
}
static void gso_size_0(void)
{
	le_put16(vhdr + 4, 0);
}
static void hdr_len_past(void)
{
	le_put16(vhdr + 2, (uint16_t)(frame_len + 1));
}
static void ip_len_long(void)
{
	be_put16(frame + 16, (uint16_t)(frame_len - 13));
}
static void ip_len_short(void)
{
	be_put16(frame + 16, 40);
}
static void ihl_4(void)
{
	frame[14] = 0x44;
}
static void ihl_past(void)
{
	frame[14] = 0x4f;
	frame_len = 14 + 60 + 10;
	be_put16(frame + 16, 70);
}
static void ipv6(void)
{
	frame[14] = 0x65;
}
static void vlan(void)
{
	be_put16(frame + 12, 0x8100);
}
static void fragment(void)
{
	frame[14 + 6] |= 0x20;
}
static void udp(void)
{
	frame[14 + 9] = 17;
}
static void doff_4(void)
{
	frame[34 + 12] = 0x40;
}
static void no_payload(void)
{
	frame[34 + 12] = 0xf0; /* 60 bytes of TCP header */
	frame_len = 14 + 20 + 60;
	be_put16(frame + 16, 80);
}
static void runt(void)
{
	frame_len = 14 + 20 + 19;
}

START_TEST(hostile_headers_are_refused)
{
	ck_assert(!refused(nothing, false));
	ck_assert(refused(gso_udp, true));
	ck_assert(refused(gso_ecn, false));
	ck_assert(!refused(gso_ecn, true));
	ck_assert(refused(no_needs_csum, false));
	ck_assert(refused(csum_start_off, false));
	ck_assert(refused(csum_offset_off, false));
	ck_assert(refused(gso_size_0, false));
	ck_assert(refused(hdr_len_past, false));
	ck_assert(refused(ip_len_long, false));
	ck_assert(refused(ip_len_short, false));
	ck_assert(refused(ihl_4, false));
	ck_assert(refused(ihl_past, false));
	ck_assert(refused(ipv6, false));
	ck_assert(refused(vlan, false));
	ck_assert(refused(fragment, false));
	ck_assert(refused(udp, false));
	ck_assert(refused(doff_4, false));
	ck_assert(refused(no_payload, false));
	ck_assert(refused(runt, false));
}
END_TEST

START_TEST(a_tiny_gso_size_gives_many_segments)
{
	static uint8_t out[VIRTIO_NET_FRAME_MAX];
	struct virtio_net_gso g;
	unsigned count = 0;

	make_frame(65535 - 40, 0, 0);
	le_put16(vhdr + 4, 1);
	ck_assert_ptr_null(virtio_net_gso_parse(vhdr, frame, frame_len, false, &g));
	while (virtio_net_gso_segment(frame, &g, out) == hdr_len + 1)
		count++;
	ck_assert_uint_eq(count, 65535 - 40);
	ck_assert_uint_eq(g.len, 0);
}
END_TEST

/* ---- through the device ---- */

static struct guest_mem mem;
static struct virtio_net net;
static struct virtio_driver drv;
static uint8_t got[VIRTIO_NET_FRAME_MAX];

static void setup(void)
{
	vdrv_net_open(&drv, &mem, RAM_SIZE, &net, BAR, QSIZE);
}

static void teardown(void)
{
	vdrv_net_close(&net, &mem);
}

static void negotiate(uint32_t low)
{
	vdrv_negotiate(&drv, low, 1);
	vdrv_setup_queue(&drv, 0, 0x1000);
	vdrv_setup_queue(&drv, 1, TX_AT);
	vdrv_driver_ok(&drv);
}

#define TSO (1u << VIRTIO_NET_F_CSUM | 1u << VIRTIO_NET_F_HOST_TSO4)

/* The header and frame as one chain of 1 + pieces descriptors (the
 * frame's cut evenly, the last taking the rest), offered. */
static void offer_frame(unsigned pieces)
{
	size_t piece = frame_len / pieces;

	memcpy(mem.ram + BUF_AT, vhdr, sizeof vhdr);
	memcpy(mem.ram + BUF_AT + 0x100, frame, frame_len);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	for (unsigned i = 0; i < pieces; i++) {
		size_t len = i == pieces - 1 ? frame_len - i * piece : piece;

		vdrv_put_desc(&drv, TX_AT, 1 + i, BUF_AT + 0x100 + i * piece, (uint32_t)len,
			      i == pieces - 1 ? 0 : VIRTQ_DESC_F_NEXT, (uint16_t)(2 + i));
	}
	vdrv_offer(&drv, 1, TX_AT, 0);
}

static size_t take(void)
{
	bool irq;

	return virtio_net_take_tx(&net, got, sizeof got, &irq);
}

START_TEST(the_device_cuts_a_chain_of_many_descriptors)
{
	unsigned count = 0;
	size_t len;

	negotiate(TSO);
	make_frame(10 * MSS + 333, 0, 0);
	offer_frame(QSIZE - 1);
	while ((len = take()))
		check_segment(got, len, count++, 11, 20);
	ck_assert_uint_eq(count, 11);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 1);
	ck_assert_uint_eq(net.tx_segmented, 11);
	ck_assert_uint_eq(net.st.tx_packets, 11);
	ck_assert_uint_eq(net.st.tx_bytes, 11 * hdr_len + 10 * MSS + 333);
	ck_assert_uint_eq(net.st.tx_dropped, 0);
}
END_TEST

START_TEST(without_host_tso4_a_large_frame_is_dropped)
{
	negotiate(1u << VIRTIO_NET_F_CSUM);
	make_frame(3 * MSS, 0, 0);
	offer_frame(1);
	ck_assert_uint_eq(take(), 0);
	ck_assert_uint_eq(net.st.tx_dropped, 1);
	ck_assert_uint_eq(net.tx_segmented, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 1);
}
END_TEST

START_TEST(a_bad_header_drops_the_frame_and_the_next_one_goes)
{
	negotiate(TSO);
	make_frame(3 * MSS, 0, 0);
	be_put16(frame + 16, 0xffff); /* the IPv4 length lies */
	offer_frame(2);
	ck_assert_uint_eq(take(), 0);
	ck_assert_uint_eq(net.st.tx_dropped, 1);
	make_frame(3 * MSS, 0, 0);
	vhdr[1] |= VIRTIO_NET_HDR_GSO_ECN; /* HOST_ECN not negotiated */
	offer_frame(2);
	ck_assert_uint_eq(take(), 0);
	ck_assert_uint_eq(net.st.tx_dropped, 2);
	make_frame(3 * MSS, 0, 0);
	offer_frame(2);
	ck_assert_uint_eq(take(), hdr_len + MSS);
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(a_reset_forgets_the_rest_of_a_frame)
{
	negotiate(TSO | 1u << VIRTIO_NET_F_HOST_ECN);
	make_frame(3 * MSS, 0, 0);
	vhdr[1] |= VIRTIO_NET_HDR_GSO_ECN;
	offer_frame(1);
	ck_assert_uint_eq(take(), hdr_len + MSS);
	vdrv_reset(&drv);
	ck_assert_uint_eq(take(), 0);
	ck_assert_uint_eq(net.tx_segmented, 1);
}
END_TEST

START_TEST(the_rest_waits_for_a_buffer_large_enough)
{
	bool irq;

	negotiate(TSO);
	make_frame(3 * MSS, 0, 0);
	offer_frame(1);
	check_segment(got, take(), 0, 3, 20);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, hdr_len + MSS, &irq), 0);
	check_segment(got, take(), 1, 3, 20);
	check_segment(got, take(), 2, 3, 20);
	ck_assert_uint_eq(take(), 0);
}
END_TEST

static Suite *tso_suite(void)
{
	Suite *s = suite_create("virtio_net_tso");
	TCase *tc = tcase_create("segment");
	TCase *dev = tcase_create("device");

	tcase_add_test(tc, a_frame_cuts_into_whole_segments);
	tcase_add_test(tc, the_last_segment_takes_the_rest);
	tcase_add_test(tc, options_are_kept_in_every_segment);
	tcase_add_test(tc, hostile_headers_are_refused);
	tcase_add_test(tc, a_tiny_gso_size_gives_many_segments);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(dev, setup, teardown);
	tcase_add_test(dev, the_device_cuts_a_chain_of_many_descriptors);
	tcase_add_test(dev, without_host_tso4_a_large_frame_is_dropped);
	tcase_add_test(dev, a_bad_header_drops_the_frame_and_the_next_one_goes);
	tcase_add_test(dev, a_reset_forgets_the_rest_of_a_frame);
	tcase_add_test(dev, the_rest_waits_for_a_buffer_large_enough);
	suite_add_tcase(s, dev);
	return s;
}

int main(void)
{
	return unit_run(tso_suite());
}
