/* virtio_net: its configuration (MAC, link up), frames both ways with
 * the VERSION_1 header, and hostile or missing guest buffers: short or
 * huge transmit chains, receive buffers too small, a guest that never
 * posts any (the backlog stays bounded and drops are counted). */
#include <check.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/virtio/virtio_net.h"

#include "unit.h"

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
static struct pci_bus bus;
static uint16_t avail_idx[2];

static void tx_ready(void *opaque)
{
	(void)opaque;
	tx_ready_calls++;
}

static void wr(unsigned off, unsigned size, uint64_t v)
{
	mem_write_sized(&mem, BAR + off, size, v);
}

static void setup_queue(unsigned n, uint64_t at)
{
	wr(VIRTIO_COMMON_Q_SELECT, 2, n);
	wr(VIRTIO_COMMON_Q_SIZE, 2, QSIZE);
	wr(VIRTIO_COMMON_Q_DESC, 4, at);
	wr(VIRTIO_COMMON_Q_DRIVER, 4, at + 0x1000);
	wr(VIRTIO_COMMON_Q_DEVICE, 4, at + 0x2000);
	wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
}

static void setup(void)
{
	char err[128];
	struct virtio_net_backend b = {.tx_ready = tx_ready};

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	net = (struct virtio_net){0};
	virtio_net_init(&net, &mem, (struct irq_line){0}, mac, &b, "net0");
	pci_bus_init(&bus);
	pci_bus_add(&bus, 6, 0, &net.vp.pci);
	pci_config_write(&bus, 6, 0, PCI_BAR0, 4, BAR);
	pci_config_write(&bus, 6, 0, PCI_COMMAND, 2, 0x6);
	tx_ready_calls = 0;
	avail_idx[0] = avail_idx[1] = 0;
	wr(VIRTIO_COMMON_STATUS, 1, 3);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, 1); /* VERSION_1 */
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	setup_queue(0, RX_AT);
	setup_queue(1, TX_AT);
}

static void teardown(void)
{
	virtio_net_destroy(&net);
	mem_destroy(&mem);
}

static void driver_ok(void)
{
	wr(VIRTIO_COMMON_STATUS, 1, 0x0F);
}

static void put_desc(uint64_t q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = mem.ram + q + 16 * i;

	le_put64(d, addr);
	le_put32(d + 8, len);
	le_put16(d + 12, flags);
	le_put16(d + 14, next);
}

static void offer(unsigned n, uint64_t q, uint16_t head)
{
	le_put16(mem.ram + q + 0x1000 + 4 + 2 * (avail_idx[n] % QSIZE), head);
	avail_idx[n]++;
	le_put16(mem.ram + q + 0x1000 + 2, avail_idx[n]);
}

static uint16_t used_idx(uint64_t q)
{
	return le_get16(mem.ram + q + 0x2000 + 2);
}

static uint32_t used_len(uint64_t q, unsigned n)
{
	return le_get32(mem.ram + q + 0x2000 + 4 + 8 * n + 4);
}

static uint64_t rd(unsigned off, unsigned size)
{
	return mem_read_sized(&mem, BAR + off, size);
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
		ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + i, 1), mac[i]);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + 6, 2), VIRTIO_NET_S_LINK_UP);
	wr(VIRTIO_COMMON_DFSELECT, 4, 0);
	ck_assert_uint_ne(rd(VIRTIO_COMMON_DF, 4) & (1u << VIRTIO_NET_F_MAC), 0);
	ck_assert_uint_ne(rd(VIRTIO_COMMON_DF, 4) & (1u << VIRTIO_NET_F_STATUS), 0);
}
END_TEST

START_TEST(transmitted_frames_lose_their_header)
{
	uint8_t frame[1514], got[VIRTIO_NET_FRAME_MAX];
	bool irq;

	driver_ok();
	pattern(frame, sizeof frame, 3);
	memset(mem.ram + BUF_AT, 0, VIRTIO_NET_HDR_LEN);
	memcpy(mem.ram + BUF_AT + 0x100, frame, sizeof frame);
	put_desc(TX_AT, 0, BUF_AT, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	put_desc(TX_AT, 1, BUF_AT + 0x100, sizeof frame, 0, 0);
	offer(1, TX_AT, 0);
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_ge(tx_ready_calls, 1);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, sizeof got, &irq), sizeof frame);
	ck_assert_mem_eq(got, frame, sizeof frame);
	ck_assert_uint_eq(used_idx(TX_AT), 1);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, sizeof got, &irq), 0);
	ck_assert_uint_eq(net.st.tx_packets, 1);
	ck_assert_uint_eq(net.st.tx_bytes, sizeof frame);
}
END_TEST

START_TEST(malformed_transmit_chains_are_dropped)
{
	uint8_t got[VIRTIO_NET_FRAME_MAX];
	bool irq;

	driver_ok();
	/* A header alone, a header short of an Ethernet header, a chain
	 * longer than any frame. */
	put_desc(TX_AT, 0, BUF_AT, VIRTIO_NET_HDR_LEN, 0, 0);
	put_desc(TX_AT, 1, BUF_AT, VIRTIO_NET_HDR_LEN + 13, 0, 0);
	put_desc(TX_AT, 2, BUF_AT, VIRTIO_NET_HDR_LEN + VIRTIO_NET_FRAME_MAX + 1, 0, 0);
	put_desc(TX_AT, 3, BUF_AT, 5, 0, 0);
	offer(1, TX_AT, 0);
	offer(1, TX_AT, 1);
	offer(1, TX_AT, 2);
	offer(1, TX_AT, 3);
	ck_assert_uint_eq(virtio_net_take_tx(&net, got, sizeof got, &irq), 0);
	ck_assert_uint_eq(net.st.tx_dropped, 4);
	ck_assert_uint_eq(net.st.tx_packets, 0);
	ck_assert_uint_eq(used_idx(TX_AT), 4); /* every buffer went back */
	ck_assert_uint_eq(net.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(received_frames_wait_for_buffers)
{
	uint8_t frame[60];

	pattern(frame, sizeof frame, 9);
	virtio_net_receive(&net, frame, sizeof frame); /* no driver yet */
	ck_assert_uint_eq(net.st.rx_dropped, 1);
	driver_ok();
	virtio_net_receive(&net, frame, sizeof frame); /* no buffer: kept */
	ck_assert_uint_eq(net.pend_count, 1);
	put_desc(RX_AT, 0, BUF_AT, 2048, VIRTQ_DESC_F_WRITE, 0);
	offer(0, RX_AT, 0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(net.pend_count, 0);
	ck_assert_uint_eq(used_idx(RX_AT), 1);
	ck_assert_uint_eq(used_len(RX_AT, 0), VIRTIO_NET_HDR_LEN + sizeof frame);
	ck_assert_uint_eq(le_get16(mem.ram + BUF_AT + 10), 1); /* num_buffers */
	ck_assert_mem_eq(mem.ram + BUF_AT + VIRTIO_NET_HDR_LEN, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	ck_assert_uint_eq(net.st.rx_bytes, sizeof frame);
}
END_TEST

START_TEST(a_small_receive_buffer_drops_the_frame)
{
	uint8_t frame[1514];

	driver_ok();
	pattern(frame, sizeof frame, 1);
	put_desc(RX_AT, 0, BUF_AT, 100, VIRTQ_DESC_F_WRITE, 0);
	put_desc(RX_AT, 1, BUF_AT + 0x1000, 2048, VIRTQ_DESC_F_WRITE, 0);
	offer(0, RX_AT, 0);
	offer(0, RX_AT, 1);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(net.st.rx_dropped, 1);
	ck_assert_uint_eq(used_len(RX_AT, 0), 0);
	virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_eq(used_len(RX_AT, 1), VIRTIO_NET_HDR_LEN + sizeof frame);
	ck_assert_uint_eq(net.st.rx_packets, 1);
	virtio_net_receive(&net, frame, 13); /* shorter than an Ethernet header */
	ck_assert_uint_eq(net.st.rx_dropped, 2);
}
END_TEST

START_TEST(a_guest_that_posts_nothing_costs_a_bounded_backlog)
{
	uint8_t frame[1514];

	driver_ok();
	pattern(frame, sizeof frame, 5);
	for (unsigned i = 0; i < 10 * VIRTIO_NET_RX_PENDING; i++)
		virtio_net_receive(&net, frame, sizeof frame);
	ck_assert_uint_le(net.pend_count, VIRTIO_NET_RX_PENDING);
	ck_assert_uint_eq(net.st.rx_dropped + net.pend_count, 10 * VIRTIO_NET_RX_PENDING);
	/* A device reset drops the backlog. */
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(net.pend_count, 0);
}
END_TEST

static Suite *virtio_net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *tc = tcase_create("nic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, configuration_has_the_mac_and_link_up);
	tcase_add_test(tc, transmitted_frames_lose_their_header);
	tcase_add_test(tc, malformed_transmit_chains_are_dropped);
	tcase_add_test(tc, received_frames_wait_for_buffers);
	tcase_add_test(tc, a_small_receive_buffer_drops_the_frame);
	tcase_add_test(tc, a_guest_that_posts_nothing_costs_a_bounded_backlog);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_net_suite());
}
