/* virtio_net: its configuration (MAC, link up), frames both ways with
 * the VERSION_1 header, checksum offload (the device completes a
 * checksum the guest left to it, marks received frames DATA_VALID), and
 * hostile or missing guest buffers: short or huge transmit chains,
 * checksum fields outside the frame or not negotiated, receive buffers
 * too small, a guest that never posts any (the backlog stays bounded and
 * drops are counted). With VIRTIO_NET_F_MRG_RXBUF a frame spreads over
 * receive buffers (num_buffers), waits when there are too few, and is
 * dropped when the first has no room for the header or the whole ring
 * could not hold it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_net.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 8
#define RX_AT	 0x1000u /* receiveq: desc, avail, used */
#define TX_AT	 0x4000u /* transmitq */
#define BUF_AT	 0x10000u

static struct guest_mem mem;
static struct virtio_net net;
static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static unsigned tx_ready_calls;
static struct virtio_driver drv;

static void tx_ready(void *opaque)
{
	(void)opaque;
	tx_ready_calls++;
}

static void setup(void)
{
	char err[128];
	struct virtio_net_backend b = {.tx_ready = tx_ready};

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	net = (struct virtio_net){0};
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	vdrv_attach(&drv, &mem, &net.vp.pci, 6, BAR, QSIZE);
	tx_ready_calls = 0;
	vdrv_negotiate(&drv, 0, 1); /* VERSION_1 */
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
}

static void teardown(void)
{
	virtio_net_destroy(&net);
	mem_destroy(&mem);
}

/* A frame of len bytes, a pattern from seed. */
static void pattern(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seed);
}

START_TEST(configuration_has_the_mac_and_link_up)
{
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_PCI_DEVICE_CFG + i, 1), mac[i]);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_PCI_DEVICE_CFG + 6, 2), VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_PCI_DEVICE_CFG + 10, 2), 1500); /* mtu */
	vdrv_wr(&drv, VIRTIO_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_ne(vdrv_rd(&drv, VIRTIO_COMMON_DF, 4) & (1u << VIRTIO_NET_F_MAC), 0);
	ck_assert_uint_ne(vdrv_rd(&drv, VIRTIO_COMMON_DF, 4) & (1u << VIRTIO_NET_F_STATUS), 0);
	ck_assert_uint_ne(vdrv_rd(&drv, VIRTIO_COMMON_DF, 4) & (1u << VIRTIO_NET_F_MTU), 0);
	ck_assert_uint_ne(vdrv_rd(&drv, VIRTIO_COMMON_DF, 4) & (1u << VIRTIO_NET_F_MRG_RXBUF), 0);
}
END_TEST

/* A backend's no_offload: the device offers none of the checksum and
 * segmentation features (the rest as before), and a driver that asks for
 * one anyway does not get FEATURES_OK. */
START_TEST(no_offload_withholds_checksum_and_segmentation)
{
	struct virtio_net_backend b = {.tx_ready = tx_ready, .no_offload = true};
	uint32_t all, offered;

	vdrv_wr(&drv, VIRTIO_COMMON_DFSELECT, 4, 0);
	all = vdrv_rd(&drv, VIRTIO_COMMON_DF, 4);
	ck_assert_uint_eq(all & VIRTIO_NET_NO_OFFLOAD, VIRTIO_NET_NO_OFFLOAD);
	virtio_net_destroy(&net);
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	vdrv_attach(&drv, &mem, &net.vp.pci, 6, BAR, QSIZE);
	vdrv_wr(&drv, VIRTIO_COMMON_DFSELECT, 4, 0);
	offered = vdrv_rd(&drv, VIRTIO_COMMON_DF, 4);
	ck_assert_uint_eq(offered & VIRTIO_NET_NO_OFFLOAD, 0);
	ck_assert_uint_eq(offered, (uint32_t)(all & ~VIRTIO_NET_NO_OFFLOAD));
	vdrv_negotiate(&drv, 1u << VIRTIO_NET_F_CSUM, 1);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_COMMON_STATUS, 1) & 0x08, 0);
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	vdrv_negotiate(&drv, 1u << VIRTIO_NET_F_MRG_RXBUF, 1);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_COMMON_STATUS, 1) & 0x08, 0x08);
}
END_TEST

START_TEST(transmitted_frames_lose_their_header)
{
	uint8_t frame[1514], got[VIRTIO_NET_FRAME_MAX];
	bool irq;

	vdrv_driver_ok(&drv);
	pattern(frame, sizeof frame, 3);
	memset(mem.ram + BUF_AT, 0, VIRTIO_NET_HDR_LEN);
	memcpy(mem.ram + BUF_AT + 0x100, frame, sizeof frame);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	vdrv_put_desc(&drv, TX_AT, 1, BUF_AT + 0x100, sizeof frame, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_ge(tx_ready_calls, 1);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, sizeof got, &irq), sizeof frame);
	ck_assert_mem_eq(got, frame, sizeof frame);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 1);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, sizeof got, &irq), 0);
	ck_assert_uint_eq(net.st.tx_packets, 1);
	ck_assert_uint_eq(net.st.tx_bytes, sizeof frame);
}
END_TEST

START_TEST(malformed_transmit_chains_are_dropped)
{
	uint8_t got[VIRTIO_NET_FRAME_MAX];
	bool irq;

	vdrv_driver_ok(&drv);
	/* A header alone, a header short of an Ethernet header, a chain
	 * longer than any frame. */
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, VIRTIO_NET_HDR_LEN, 0, 0);
	vdrv_put_desc(&drv, TX_AT, 1, BUF_AT, VIRTIO_NET_HDR_LEN + 13, 0, 0);
	vdrv_put_desc(&drv, TX_AT, 2, BUF_AT, VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX + 1, 0, 0);
	vdrv_put_desc(&drv, TX_AT, 3, BUF_AT, 5, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_offer(&drv, 1, TX_AT, 1);
	vdrv_offer(&drv, 1, TX_AT, 2);
	vdrv_offer(&drv, 1, TX_AT, 3);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, sizeof got, &irq), 0);
	ck_assert_uint_eq(net.st.tx_dropped, 4);
	ck_assert_uint_eq(net.st.tx_packets, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 4); /* every buffer went back */
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

/* Offers count transmit chains of one descriptor each (i), the header
 * then len bytes of frame; the chain of index bad, if any, 5 bytes in
 * all: dropped. */
static void offer_tx(unsigned count, size_t len, unsigned bad)
{
	memset(mem.ram + BUF_AT, 0, VIRTIO_NET_HDR_LEN);
	pattern(mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, len, 9);
	for (unsigned i = 0; i < count; i++) {
		vdrv_put_desc(&drv, TX_AT, i, BUF_AT,
			      i == bad ? 5 : (uint32_t)(VIRTIO_NET_HDR_LEN + len), 0, 0);
		vdrv_offer(&drv, 1, TX_AT, (uint16_t)i);
	}
}

/* Transmit chains go back as one burst: every frame taken (a malformed
 * one among them dropped, its buffer returned too), one interrupt. */
START_TEST(a_transmit_burst_interrupts_once)
{
	static uint8_t got[4 * VIRTIO_NET_FRAME_MAX];
	uint32_t lens[8];
	uint64_t before;
	bool irq;

	vdrv_driver_ok(&drv);
	offer_tx(5, 100, 2);
	before = net.vp.interrupts;
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, sizeof got, lens, 8, &irq), 4);
	ck_assert(irq);
	ck_assert_uint_eq(net.vp.interrupts - before, 1);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 5);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(lens[i], 100);
		ck_assert_mem_eq(got + 100 * i, mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, 100);
	}
	ck_assert_uint_eq(net.st.tx_dropped, 1);
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, sizeof got, lens, 8, &irq), 0);
	ck_assert(!irq);
	ck_assert_uint_eq(net.vp.interrupts - before, 1);
}
END_TEST

/* The caller's limits: max frames, and room for a whole frame after the
 * first; the rest stays for the next call, in order. */
START_TEST(a_transmit_burst_stops_at_its_limits)
{
	static uint8_t got[VIRTIO_NET_FRAME_MAX + 200];
	uint32_t lens[8];
	bool irq;

	vdrv_driver_ok(&drv);
	offer_tx(6, 100, 99);
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, sizeof got, lens, 3, &irq), 3);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 3);
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, VIRTIO_NET_FRAME_MAX, lens, 8, &irq),
			  1);
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, sizeof got, lens, 8, &irq), 2);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 6);
	ck_assert_uint_eq(net.st.tx_packets, 6);
}
END_TEST

/* With EVENT_IDX, the driver's used_event inside a burst still gets its
 * interrupt; one beyond it gets none. */
START_TEST(used_event_inside_a_transmit_burst_interrupts)
{
	static uint8_t got[4 * VIRTIO_NET_FRAME_MAX];
	uint64_t used_event = TX_AT + 0x1000 + 4 + 2 * QSIZE;
	uint32_t lens[8];
	uint64_t before;
	bool irq;

	vdrv_reset(&drv);
	vdrv_negotiate(&drv, 1u << VIRTIO_F_EVENT_IDX, 1);
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
	vdrv_driver_ok(&drv);
	le_put16(mem.ram + used_event, 2);
	offer_tx(4, 60, 99);
	before = net.vp.interrupts;
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, sizeof got, lens, 8, &irq), 4);
	ck_assert(irq);
	ck_assert_uint_eq(net.vp.interrupts - before, 1);
	le_put16(mem.ram + used_event, 30);
	offer_tx(4, 60, 99);
	ck_assert_uint_eq(virtio_net_take_tx_many(&net, got, sizeof got, lens, 8, &irq), 4);
	ck_assert(!irq);
	ck_assert_uint_eq(net.vp.interrupts - before, 1);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 8);
}
END_TEST

START_TEST(received_frames_wait_for_buffers)
{
	uint8_t frame[60];

	pattern(frame, sizeof frame, 9);
	virtio_net_receive(&net, frame, sizeof frame); /* no driver yet */
	ck_assert_uint_eq(net.st.rx_dropped, 1);
	vdrv_driver_ok(&drv);
	virtio_net_receive(&net, frame, sizeof frame); /* no buffer: kept */
	ck_assert_uint_eq(net.pend_count, 1);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 2048, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(net.pend_count, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), VIRTIO_NET_HDR_LEN + sizeof frame);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 10), 1); /* num_buffers */
	ck_assert_mem_eq(mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	ck_assert_uint_eq(net.st.rx_bytes, sizeof frame);
}
END_TEST

START_TEST(a_small_receive_buffer_drops_the_frame)
{
	uint8_t frame[1514];

	vdrv_driver_ok(&drv);
	pattern(frame, sizeof frame, 1);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 100, VIRTQ_DESC_F_WRITE, 0);
	vdrv_put_desc(&drv, RX_AT, 1, BUF_AT + 0x1000, 2048, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	vdrv_offer(&drv, 0, RX_AT, 1);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_dropped, 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), 0);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 1), VIRTIO_NET_HDR_LEN + sizeof frame);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	virtio_net_receive(&net, frame, 13); /* shorter than an Ethernet header */
	ck_assert_uint_eq(net.st.rx_dropped, 2);
}
END_TEST

START_TEST(a_guest_that_posts_nothing_costs_a_bounded_backlog)
{
	uint8_t frame[1514];

	vdrv_driver_ok(&drv);
	pattern(frame, sizeof frame, 5);
	for (unsigned i = 0; i < 10 * VIRTIO_NET_RX_PENDING; i++)
		virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_le(net.pend_count, VIRTIO_NET_RX_PENDING);
	ck_assert_uint_eq(net.st.rx_dropped + net.pend_count, 10 * VIRTIO_NET_RX_PENDING);
	/* A device reset drops the backlog. */
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(net.pend_count, 0);
}
END_TEST

/* A frame waiting for a receive buffer is in the saved state: a fresh
 * device loaded from it delivers the frame to the next buffer posted.
 * Frames of impossible sizes in a state are refused. */
START_TEST(restore_keeps_waiting_frames)
{
	struct virtio_net_backend b = {.tx_ready = tx_ready};
	uint8_t frame[60], *p;
	struct state_out o = {0};
	struct state_in in;
	size_t at;

	pattern(frame, sizeof frame, 3);
	vdrv_driver_ok(&drv);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(net.pend_count, 1);
	virtio_net_device_ops.save(&net, &o);
	virtio_net_destroy(&net);
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 6, 0, &net.vp.pci), 0);
	/* The frame's length sits after the transport (294 + 2 * 34 bytes,
	 * and MSI-X's offered flag, false here), the link status (2) and the
	 * count (4). */
	at = 294 + 2 * 34 + 1 + 2 + 4;
	ck_assert_uint_eq(le_get32(o.p + at), sizeof frame);
	p = malloc(o.len);
	memcpy(p, o.p, o.len);
	for (unsigned i = 0; i < 3; i++) {
		static const uint32_t bad[] = {13, VIRTIO_NET_FRAME_MAX + 1, 0xFFFFFFFFu};

		le_put32(p + at, bad[i]);
		in = state_in_make(p, o.len);
		ck_assert_int_eq(
		    virtio_net_device_ops.load(&net, &in, virtio_net_device_ops.version), -1);
	}
	le_put32(p + at - 4, VIRTIO_NET_RX_PENDING + 1); /* too many frames */
	in = state_in_make(p, o.len);
	ck_assert_int_eq(virtio_net_device_ops.load(&net, &in, virtio_net_device_ops.version), -1);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(virtio_net_device_ops.load(&net, &in, virtio_net_device_ops.version), 0);
	ck_assert(state_in_done(&in));
	ck_assert_uint_eq(net.pend_count, 1);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 2048, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(net.pend_count, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	ck_assert_mem_eq(mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, frame, sizeof frame);
	free(p);
	state_out_free(&o);
}
END_TEST

/* Resets the device and negotiates VERSION_1 and the low feature bits. */
static void renegotiate(uint32_t low)
{
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	vdrv_negotiate(&drv, low, 1);
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
	vdrv_driver_ok(&drv);
}

START_TEST(the_checksum_is_rfc_1071s)
{
	/* RFC 1071's example: the sum is DDF2h, the checksum its complement. */
	static const uint8_t ex[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static const uint8_t odd[] = {0x01, 0x02, 0x03}; /* 0102h + 0300h */
	uint8_t ones[4000];

	ck_assert_uint_eq(virtio_net_csum(ex, sizeof ex), 0x220d);
	ck_assert_uint_eq(virtio_net_csum(odd, sizeof odd), (uint16_t)~0x0402);
	ck_assert_uint_eq(virtio_net_csum(odd, 0), 0xffff);
	memset(ones, 0xff, sizeof ones); /* carries folded many times over */
	ck_assert_uint_eq(virtio_net_csum(ones, sizeof ones), 0);
}
END_TEST

/* RFC 1071 by its definition: big-endian byte pairs, an odd last byte
 * the high half of a word, carries folded back in. */
static uint16_t csum_by_pairs(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Every length to past a word multiple, from every alignment, on bytes
 * of every value, and a whole largest frame of them: the definition's. */
START_TEST(the_checksum_is_the_definitions_at_any_length_and_alignment)
{
	static uint8_t buf[VIRTIO_NET_FRAME_MAX + 8];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 300; len++)
			ck_assert_uint_eq(virtio_net_csum(buf + off, len),
					  csum_by_pairs(buf + off, len));
	ck_assert_uint_eq(virtio_net_csum(buf + 3, VIRTIO_NET_FRAME_MAX),
			  csum_by_pairs(buf + 3, VIRTIO_NET_FRAME_MAX));
	memset(buf, 0xff, sizeof buf);
	ck_assert_uint_eq(virtio_net_csum(buf + 1, VIRTIO_NET_FRAME_MAX), 0);
	ck_assert_uint_eq(virtio_net_csum(buf, 7), csum_by_pairs(buf, 7));
}
END_TEST

/* One transmit chain: the header with flags/csum_start/csum_offset, then
 * the frame; returns what the backend takes (0: dropped). */
static size_t send_csum(const uint8_t *frame, size_t len, uint8_t flags, uint16_t start,
			uint16_t off, uint8_t *got)
{
	bool irq;

	memset(mem.ram + BUF_AT, 0, VIRTIO_NET_HDR_LEN);
	mem.ram[BUF_AT] = flags;
	le_put16(mem.ram + BUF_AT + 6, start);
	le_put16(mem.ram + BUF_AT + 8, off);
	memcpy(mem.ram + BUF_AT + 0x100, frame, len);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	vdrv_put_desc(&drv, TX_AT, 1, BUF_AT + 0x100, (uint32_t)len, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	return virtio_net_take_tx(&net, got, VIRTIO_NET_FRAME_MAX, &irq);
}

START_TEST(the_device_completes_a_checksum_left_to_it)
{
	uint8_t frame[1000], got[VIRTIO_NET_FRAME_MAX], check[1000];
	uint16_t want;

	renegotiate(1u << VIRTIO_NET_F_CSUM | 1u << VIRTIO_NET_F_MAC);
	pattern(frame, sizeof frame, 11);
	frame[34 + 16] = 0x12; /* a TCP checksum field holding the pseudo-header sum */
	frame[34 + 17] = 0x34;
	want = virtio_net_csum(frame + 34, sizeof frame - 34);
	ck_assert_uint_eq(send_csum(frame, sizeof frame, VIRTIO_NET_HDR_F_NEEDS_CSUM, 34, 16, got),
			  sizeof frame);
	ck_assert_uint_eq(got[34 + 16] << 8 | got[34 + 17], want);
	ck_assert_mem_eq(got, frame, 34 + 16); /* the rest as sent */
	ck_assert_mem_eq(got + 34 + 18, frame + 34 + 18, sizeof frame - 34 - 18);
	/* The receiver's check: the pseudo-header (here its sum 1234h) and
	 * the completed segment sum to FFFFh. */
	check[0] = 0x12;
	check[1] = 0x34;
	memcpy(check + 2, got + 34, sizeof frame - 34);
	ck_assert_uint_eq(virtio_net_csum(check, 2 + sizeof frame - 34), 0);
	/* Without the flag the frame goes as it is. */
	ck_assert_uint_eq(send_csum(frame, sizeof frame, 0, 34, 16, got), sizeof frame);
	ck_assert_mem_eq(got, frame, sizeof frame);
	ck_assert_uint_eq(net.st.tx_packets, 2);
	ck_assert_uint_eq(net.st.tx_dropped, 0);
}
END_TEST

START_TEST(a_checksum_field_outside_the_frame_drops_it)
{
	uint8_t frame[100], got[VIRTIO_NET_FRAME_MAX];

	renegotiate(1u << VIRTIO_NET_F_CSUM);
	pattern(frame, sizeof frame, 2);
	/* The field's last byte one past the end; csum_start past it; both
	 * offsets at their maximum (no overflow of the sum). */
	ck_assert_uint_eq(send_csum(frame, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 90, 9, got), 0);
	ck_assert_uint_eq(send_csum(frame, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 101, 0, got), 0);
	ck_assert_uint_eq(send_csum(frame, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0xffff, 0xffff, got),
			  0);
	/* The last two bytes are a field that fits. */
	ck_assert_uint_eq(send_csum(frame, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 90, 8, got), 100);
	ck_assert_uint_eq(net.st.tx_dropped, 3);
	ck_assert_uint_eq(net.st.tx_packets, 1);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 4); /* every buffer went back */
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(needs_csum_without_the_feature_drops_the_frame)
{
	uint8_t frame[100], got[VIRTIO_NET_FRAME_MAX];

	vdrv_driver_ok(&drv); /* setup() negotiated no offload */
	pattern(frame, sizeof frame, 4);
	ck_assert_uint_eq(send_csum(frame, 100, VIRTIO_NET_HDR_F_NEEDS_CSUM, 34, 16, got), 0);
	ck_assert_uint_eq(net.st.tx_dropped, 1);
}
END_TEST

START_TEST(received_frames_are_data_valid_with_guest_csum)
{
	uint8_t frame[60];

	pattern(frame, sizeof frame, 9);
	renegotiate(1u << VIRTIO_NET_F_GUEST_CSUM);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 2048, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	memset(mem.ram + BUF_AT, 0xee, VIRTIO_NET_HDR_LEN);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(mem.ram[BUF_AT], VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_eq(mem.ram[BUF_AT + 1], 0); /* gso_type NONE */
	renegotiate(0);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 2048, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	memset(mem.ram + BUF_AT, 0xee, VIRTIO_NET_HDR_LEN);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(mem.ram[BUF_AT], 0);
	ck_assert_uint_eq(net.st.rx_packets, 2);
}
END_TEST

/* Offers receive buffer i of len bytes at BUF_AT + i * 0x1000. */
static void offer_rx(unsigned i, uint32_t len)
{
	vdrv_put_desc(&drv, RX_AT, i, BUF_AT + i * 0x1000u, len, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, (uint16_t)i);
}

START_TEST(mergeable_buffers_take_a_frame_in_pieces)
{
	uint8_t frame[2500], got[2500];

	renegotiate(1u << VIRTIO_NET_F_MRG_RXBUF | 1u << VIRTIO_NET_F_GUEST_CSUM);
	pattern(frame, sizeof frame, 6);
	for (unsigned i = 0; i < 3; i++)
		offer_rx(i, 1024);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 3);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 10), 3); /* num_buffers */
	ck_assert_uint_eq(mem.ram[BUF_AT], VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), 1024);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 1), 1024);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 2), VIRTIO_NET_HDR_LEN + sizeof frame - 2048);
	memcpy(got, mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, 1024 - VIRTIO_NET_HDR_LEN);
	memcpy(got + 1012, mem.ram + BUF_AT + 0x1000, 1024);
	memcpy(got + 2036, mem.ram + BUF_AT + 0x2000, sizeof frame - 2036);
	ck_assert_mem_eq(got, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	ck_assert_uint_eq(net.st.rx_bytes, sizeof frame);
	/* A small frame takes one buffer, num_buffers 1. */
	offer_rx(3, 1024);
	virtio_net_receive(&net, frame, 60);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 4);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 0x3000 + 10), 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 3), VIRTIO_NET_HDR_LEN + 60);
}
END_TEST

START_TEST(too_few_mergeable_buffers_keep_the_frame_waiting)
{
	uint8_t frame[1514];

	renegotiate(1u << VIRTIO_NET_F_MRG_RXBUF);
	pattern(frame, sizeof frame, 8);
	offer_rx(0, 1024);
	virtio_net_receive(&net, frame, sizeof frame);
	/* Nothing used: the buffer went back to the ring. */
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 0);
	ck_assert_uint_eq(net.pend_count, 1);
	ck_assert_uint_eq(net.st.rx_dropped, 0);
	offer_rx(1, 1024);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(net.pend_count, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 2);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 10), 2);
	ck_assert_mem_eq(mem.ram + BUF_AT + 0x1000, frame + 1012, sizeof frame - 1012);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(hostile_mergeable_buffers_drop_the_frame)
{
	uint8_t frame[1514];

	renegotiate(1u << VIRTIO_NET_F_MRG_RXBUF);
	pattern(frame, sizeof frame, 2);
	/* A first buffer without room for the header: used up, nothing
	 * written, the frame dropped. */
	offer_rx(0, VIRTIO_NET_HDR_LEN - 1);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), 0);
	ck_assert_uint_eq(net.st.rx_dropped, 1);
	/* A ring whose every buffer together is too small: all used up with
	 * nothing written, the frame dropped rather than waiting for ever. */
	for (unsigned i = 0; i < QSIZE; i++)
		vdrv_put_desc(&drv, RX_AT, i, BUF_AT + i * 0x1000u, 100, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < QSIZE; i++)
		vdrv_offer(&drv, 0, RX_AT, (uint16_t)i);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_dropped, 2);
	ck_assert_uint_eq(net.pend_count, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1 + QSIZE);
	for (unsigned i = 1; i < 1 + QSIZE; i++)
		ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, i), 0);
	ck_assert_uint_eq(net.st.rx_packets, 0);
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	/* With no buffer at all the backlog stays bounded. */
	for (unsigned i = 0; i < 4 * VIRTIO_NET_RX_PENDING; i++)
		virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_le(net.pend_count, VIRTIO_NET_RX_PENDING);
	ck_assert_uint_eq(net.st.rx_dropped + net.pend_count, 2 + 4 * VIRTIO_NET_RX_PENDING);
}
END_TEST

/* A backend with a 65520-byte MTU: the configuration says so, and its
 * largest frame goes into the guest over mergeable buffers. */
START_TEST(a_large_mtu_frame_spreads_over_buffers)
{
	struct virtio_net_backend b = {.tx_ready = tx_ready, .mtu = 65520};
	static uint8_t frame[65520 + 14], got[sizeof frame];
	size_t off = 0;

	virtio_net_destroy(&net);
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	vdrv_attach(&drv, &mem, &net.vp.pci, 6, BAR, QSIZE);
	ck_assert_uint_eq(vdrv_rd(&drv, VIRTIO_PCI_DEVICE_CFG + 10, 2), 65520);
	renegotiate(1u << VIRTIO_NET_F_MRG_RXBUF | 1u << VIRTIO_NET_F_MTU);
	pattern(frame, sizeof frame, 5);
	for (unsigned i = 0; i < 6; i++) {
		vdrv_put_desc(&drv, RX_AT, i, BUF_AT + i * 0x3000u, 0x3000, VIRTQ_DESC_F_WRITE, 0);
		vdrv_offer(&drv, 0, RX_AT, (uint16_t)i);
	}
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 6);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 10), 6);
	for (unsigned i = 0; i < 6; i++) {
		uint32_t len = vdrv_used_len(&drv, RX_AT, i), skip = i ? 0 : VIRTIO_NET_HDR_LEN;

		memcpy(got + off, mem.ram + BUF_AT + i * 0x3000u + skip, len - skip);
		off += len - skip;
	}
	ck_assert_uint_eq(off, sizeof frame);
	ck_assert_mem_eq(got, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_bytes, sizeof frame);
}
END_TEST

/* The negotiated MRG_RXBUF is the transport's state: a device restored
 * from a save delivers the waiting frame over mergeable buffers. */
START_TEST(restore_keeps_mergeable_delivery)
{
	struct virtio_net_backend b = {.tx_ready = tx_ready};
	uint8_t frame[1514];
	struct state_out o = {0};
	struct state_in in;

	renegotiate(1u << VIRTIO_NET_F_MRG_RXBUF);
	pattern(frame, sizeof frame, 7);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(net.pend_count, 1);
	virtio_net_device_ops.save(&net, &o);
	virtio_net_destroy(&net);
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 6, 0, &net.vp.pci), 0);
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(virtio_net_device_ops.load(&net, &in, virtio_net_device_ops.version), 0);
	ck_assert(virtio_pci_has_feature(&net.vp, VIRTIO_NET_F_MRG_RXBUF));
	offer_rx(0, 1000);
	offer_rx(1, 1000);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 2);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 10), 2);
	ck_assert_mem_eq(mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, frame, 1000 - VIRTIO_NET_HDR_LEN);
	state_out_free(&o);
}
END_TEST

static Suite *virtio_net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *tc = tcase_create("nic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, configuration_has_the_mac_and_link_up);
	tcase_add_test(tc, no_offload_withholds_checksum_and_segmentation);
	tcase_add_test(tc, transmitted_frames_lose_their_header);
	tcase_add_test(tc, malformed_transmit_chains_are_dropped);
	tcase_add_test(tc, a_transmit_burst_interrupts_once);
	tcase_add_test(tc, a_transmit_burst_stops_at_its_limits);
	tcase_add_test(tc, used_event_inside_a_transmit_burst_interrupts);
	tcase_add_test(tc, received_frames_wait_for_buffers);
	tcase_add_test(tc, restore_keeps_waiting_frames);
	tcase_add_test(tc, a_small_receive_buffer_drops_the_frame);
	tcase_add_test(tc, a_guest_that_posts_nothing_costs_a_bounded_backlog);
	tcase_add_test(tc, the_checksum_is_rfc_1071s);
	tcase_add_test(tc, the_checksum_is_the_definitions_at_any_length_and_alignment);
	tcase_add_test(tc, the_device_completes_a_checksum_left_to_it);
	tcase_add_test(tc, a_checksum_field_outside_the_frame_drops_it);
	tcase_add_test(tc, needs_csum_without_the_feature_drops_the_frame);
	tcase_add_test(tc, received_frames_are_data_valid_with_guest_csum);
	tcase_add_test(tc, mergeable_buffers_take_a_frame_in_pieces);
	tcase_add_test(tc, too_few_mergeable_buffers_keep_the_frame_waiting);
	tcase_add_test(tc, hostile_mergeable_buffers_drop_the_frame);
	tcase_add_test(tc, restore_keeps_mergeable_delivery);
	tcase_add_test(tc, a_large_mtu_frame_spreads_over_buffers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_net_suite());
}
