/* virtio_net's receive coalescing (VIRTIO_NET_F_GUEST_TSO4): a run of
 * consecutive TCP/IPv4 segments of one connection becomes one frame with
 * correct IPv4 and TCP checksums and gso_size the segments' size; a gap
 * in the sequence, another connection, acknowledgment or window, a flag
 * other than ACK/PSH, a short or PSH segment (which ends the run), IP
 * options or fragments, or a frame whose lengths disagree start no run or
 * end it. Through the device: a batch the guest took TSO4 for goes in as
 * one packet (gso_type TCPV4, hdr_len, gso_size, DATA_VALID), without the
 * feature as separate ones, frames that found no buffer wait unmerged and
 * go coalesced once the guest posts buffers, and a buffer too small for
 * the coalesced frame drops it, counted. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/virtio/virtio_net.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 8
#define RX_AT	 0x1000u
#define TX_AT	 0x4000u
#define BUF_AT	 0x10000u
#define HDR	 54 /* Ethernet, IPv4, TCP without options */
#define SEG	 1000
#define NSEG	 4

static struct guest_mem mem;
static struct virtio_net net;
static struct virtio_driver drv;
static uint8_t seg[NSEG][HDR + SEG];
static size_t seglen[NSEG];

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Segment i of a connection: SEG bytes of payload (the last one len),
 * sequence number 1000 + i * SEG, ACK (PSH on the last). */
static void make_segment(unsigned i, size_t len, bool psh)
{
	uint8_t *f = seg[i], *ip = f + 14, *tcp = ip + 20;

	memset(f, 0, sizeof seg[i]);
	memcpy(f, "\x52\x54\x00\x12\x34\x56\x52\x55\x0a\x00\x02\x02\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(20 + 20 + len));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x02\x02\x0a\x00\x02\x0f", 8);
	put16(tcp, 4000);
	put16(tcp + 2, 50000);
	put32(tcp + 4, 1000 + i * SEG);
	put32(tcp + 8, 77);
	tcp[12] = 5 << 4;
	tcp[13] = psh ? 0x18 : 0x10;
	put16(tcp + 14, 65535);
	for (size_t k = 0; k < len; k++)
		tcp[20 + k] = (uint8_t)(i * SEG + k);
	seglen[i] = HDR + len;
}

static void make_run(void)
{
	for (unsigned i = 0; i < NSEG; i++)
		make_segment(i, i == NSEG - 1 ? SEG / 2 : SEG, i == NSEG - 1);
}

static unsigned coalesce(uint8_t *out, size_t *len, uint16_t *gso)
{
	struct virtio_net_view v[NSEG];

	for (unsigned i = 0; i < NSEG; i++)
		v[i] = (struct virtio_net_view){seg[i], seglen[i]};
	return virtio_net_coalesce(out, v, NSEG, len, gso);
}

/* The TCP checksum over the pseudo-header and segment verifies (0). */
static unsigned tcp_check(const uint8_t *f, size_t len)
{
	uint8_t buf[HDR + NSEG * SEG + 12];
	size_t tlen = len - 34;

	memcpy(buf, f + 26, 8);
	buf[8] = 0;
	buf[9] = 6;
	put16(buf + 10, (unsigned)tlen);
	memcpy(buf + 12, f + 34, tlen);
	return virtio_net_csum(buf, 12 + tlen);
}

START_TEST(a_run_of_segments_becomes_one)
{
	static uint8_t out[VIRTIO_NET_FRAME_MAX];
	size_t len = 0;
	uint16_t gso = 0;

	make_run();
	ck_assert_uint_eq(coalesce(out, &len, &gso), NSEG);
	ck_assert_uint_eq(len, HDR + 3 * SEG + SEG / 2);
	ck_assert_uint_eq(gso, SEG);
	ck_assert_uint_eq(out[14 + 2] << 8 | out[14 + 3], len - 14); /* total length */
	ck_assert_uint_eq(virtio_net_csum(out + 14, 20), 0);	     /* IPv4 header sum */
	ck_assert_uint_eq(tcp_check(out, len), 0);
	ck_assert_uint_eq(out[34 + 13], 0x18); /* the last one's PSH */
	for (unsigned i = 0; i < NSEG; i++)
		ck_assert_mem_eq(out + HDR + i * SEG, seg[i] + HDR, seglen[i] - HDR);
}
END_TEST

/* How many of the run coalesce after change(i) spoils segment i. */
static unsigned spoiled(unsigned i, void (*change)(uint8_t *f))
{
	static uint8_t out[VIRTIO_NET_FRAME_MAX];
	size_t len = 0;
	uint16_t gso = 0;

	make_run();
	change(seg[i]);
	return coalesce(out, &len, &gso);
}

static void gap(uint8_t *f)
{
	f[34 + 7]++;
}
static void other_port(uint8_t *f)
{
	f[34 + 1]++;
}
static void other_ack(uint8_t *f)
{
	f[34 + 11]++;
}
static void other_window(uint8_t *f)
{
	f[34 + 15]--;
}
static void fin(uint8_t *f)
{
	f[34 + 13] |= 1;
}
static void psh(uint8_t *f)
{
	f[34 + 13] |= 8;
}
static void fragment(uint8_t *f)
{
	f[14 + 6] |= 0x20;
}
static void ip_options(uint8_t *f)
{
	f[14] = 0x46;
}
static void long_total(uint8_t *f)
{
	f[14 + 3]++;
}
static void not_ipv4(uint8_t *f)
{
	f[13] = 0xdd;
}
static void udp(uint8_t *f)
{
	f[14 + 9] = 17;
}

START_TEST(what_ends_a_run)
{
	ck_assert_uint_eq(spoiled(2, gap), 2);
	ck_assert_uint_eq(spoiled(1, other_port), 1);
	ck_assert_uint_eq(spoiled(2, other_ack), 2);
	ck_assert_uint_eq(spoiled(3, other_window), 3);
	ck_assert_uint_eq(spoiled(2, fin), 2);
	ck_assert_uint_eq(spoiled(1, psh), 2); /* PSH ends it, itself in */
	ck_assert_uint_eq(spoiled(0, psh), 1);
	ck_assert_uint_eq(spoiled(0, fin), 1);
	ck_assert_uint_eq(spoiled(0, fragment), 1);
	ck_assert_uint_eq(spoiled(1, fragment), 1);
	ck_assert_uint_eq(spoiled(0, ip_options), 1);
	ck_assert_uint_eq(spoiled(2, long_total), 2);
	ck_assert_uint_eq(spoiled(0, not_ipv4), 1);
	ck_assert_uint_eq(spoiled(0, udp), 1);
}
END_TEST

START_TEST(a_short_segment_ends_the_run)
{
	static uint8_t out[VIRTIO_NET_FRAME_MAX];
	size_t len = 0;
	uint16_t gso = 0;

	make_run();
	make_segment(1, SEG - 1, false); /* then 2 does not follow in sequence anyway */
	ck_assert_uint_eq(coalesce(out, &len, &gso), 2);
	ck_assert_uint_eq(len, HDR + 2 * SEG - 1);
	/* A larger segment after the first cannot join. */
	make_run();
	make_segment(0, SEG - 10, false);
	for (unsigned i = 1; i < NSEG; i++)
		put32(seg[i] + 34 + 4, 1000 + (SEG - 10) + (i - 1) * SEG);
	ck_assert_uint_eq(coalesce(out, &len, &gso), 1);
}
END_TEST

START_TEST(a_run_stays_within_ipv4s_length)
{
	static uint8_t frames[VIRTIO_NET_RUN_MAX][HDR + 1460], out[VIRTIO_NET_FRAME_MAX];
	struct virtio_net_view v[VIRTIO_NET_RUN_MAX];
	size_t len = 0;
	uint16_t gso = 0;
	unsigned k;

	for (unsigned i = 0; i < VIRTIO_NET_RUN_MAX; i++) {
		make_segment(0, SEG, false);
		memcpy(frames[i], seg[0], HDR);
		put16(frames[i] + 14 + 2, 20 + 20 + 1460);
		put32(frames[i] + 34 + 4, 1000 + i * 1460);
		v[i] = (struct virtio_net_view){frames[i], HDR + 1460};
	}
	k = virtio_net_coalesce(out, v, VIRTIO_NET_RUN_MAX, &len, &gso);
	ck_assert_uint_eq(k, 44); /* 44 * 1460 + 40 <= 65535 < 45 * 1460 + 40 */
	ck_assert_uint_eq(len, HDR + 44 * 1460);
	ck_assert_uint_eq(gso, 1460);
	ck_assert_uint_eq(virtio_net_coalesce(out, v, 1, &len, &gso), 1);
}
END_TEST

/* ---- through the device ---- */

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
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
	vdrv_driver_ok(&drv);
}

static void offer_rx(unsigned i, uint32_t len)
{
	vdrv_put_desc(&drv, RX_AT, i, BUF_AT + i * 0x2000u, len, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, (uint16_t)i);
}

/* The run, one frame after the other, as the domain hands it over. */
static bool receive_run(void)
{
	static uint8_t buf[sizeof seg];
	uint32_t lens[NSEG];
	size_t off = 0;

	make_run();
	for (unsigned i = 0; i < NSEG; i++) {
		memcpy(buf + off, seg[i], seglen[i]);
		lens[i] = (uint32_t)seglen[i];
		off += seglen[i];
	}
	return virtio_net_receive_many(&net, buf, lens, NSEG);
}

#define TSO (1u << VIRTIO_NET_F_GUEST_TSO4 | 1u << VIRTIO_NET_F_GUEST_CSUM)
#define MRG (1u << VIRTIO_NET_F_MRG_RXBUF)

static void check_coalesced(uint64_t at)
{
	const uint8_t *h = mem.ram + at;

	ck_assert_uint_eq(h[0], VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_eq(h[1], VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(le_get16(h + 2), HDR); /* hdr_len */
	ck_assert_uint_eq(le_get16(h + 4), SEG); /* gso_size */
	ck_assert_uint_eq(le_get16(h + 10), 1);	 /* num_buffers */
	ck_assert_mem_eq(h + VIRTIO_NET_HDR_LEN + HDR + 2 * SEG, seg[2] + HDR, SEG);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	ck_assert_uint_eq(net.st.rx_bytes, HDR + 3 * SEG + SEG / 2);
	ck_assert_uint_eq(net.rx_coalesced, NSEG);
}

START_TEST(the_guest_gets_one_large_segment)
{
	negotiate(TSO | MRG);
	offer_rx(0, 8192);
	ck_assert(receive_run());
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), VIRTIO_NET_HDR_LEN + HDR + 3500);
	check_coalesced(BUF_AT);
}
END_TEST

START_TEST(without_tso4_the_segments_stay_apart)
{
	negotiate(1u << VIRTIO_NET_F_GUEST_CSUM | MRG);
	for (unsigned i = 0; i < NSEG; i++)
		offer_rx(i, 2048);
	receive_run();
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), NSEG);
	ck_assert_uint_eq(mem.ram[BUF_AT + 0x2000 + 1], 0); /* gso_type NONE */
	ck_assert_uint_eq(net.st.rx_packets, NSEG);
	ck_assert_uint_eq(net.rx_coalesced, 0);
}
END_TEST

START_TEST(waiting_segments_go_coalesced)
{
	negotiate(TSO | MRG);
	receive_run(); /* no buffer yet */
	ck_assert_uint_eq(net.pend_count, NSEG);
	ck_assert_uint_eq(net.st.rx_dropped, 0);
	offer_rx(0, 8192);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(net.pend_count, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	check_coalesced(BUF_AT);
}
END_TEST

START_TEST(a_buffer_too_small_drops_the_coalesced_frame)
{
	negotiate(TSO); /* no mergeable buffers: one buffer must hold it */
	offer_rx(0, 2048);
	offer_rx(1, 2048);
	receive_run();
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), 0);
	ck_assert_uint_eq(net.st.rx_dropped, 1);
	ck_assert_uint_eq(net.st.rx_packets, 0);
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

static Suite *lro_suite(void)
{
	Suite *s = suite_create("virtio_net_lro");
	TCase *tc = tcase_create("coalesce");
	TCase *dev = tcase_create("device");

	tcase_add_test(tc, a_run_of_segments_becomes_one);
	tcase_add_test(tc, what_ends_a_run);
	tcase_add_test(tc, a_short_segment_ends_the_run);
	tcase_add_test(tc, a_run_stays_within_ipv4s_length);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(dev, setup, teardown);
	tcase_add_test(dev, the_guest_gets_one_large_segment);
	tcase_add_test(dev, without_tso4_the_segments_stay_apart);
	tcase_add_test(dev, waiting_segments_go_coalesced);
	tcase_add_test(dev, a_buffer_too_small_drops_the_coalesced_frame);
	suite_add_tcase(s, dev);
	return s;
}

int main(void)
{
	return unit_run(lro_suite());
}
