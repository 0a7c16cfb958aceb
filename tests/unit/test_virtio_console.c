/* virtio_console: the guest's hvc0 output through the transmit queue to
 * the backend, host input into posted receive buffers (and held back
 * while there are none), and hostile guests: malformed transmit and
 * receive chains, a driver that never reads, a reset mid-transfer. */
#include <check.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/virtio/virtio_console.h"

#include "unit.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 8
#define RX_AT	 0x1000u /* receiveq: desc, avail, used */
#define TX_AT	 0x4000u /* transmitq */
#define BUF_AT	 0x10000u

static struct guest_mem mem;
static struct virtio_console con;
static struct pci_bus bus;
static char out[256];
static size_t out_len;
static uint16_t avail_idx[2];

static void tx(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	memcpy(out + out_len, buf, len);
	out_len += len;
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
	struct virtio_console_backend b = {.tx = tx};

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	virtio_console_init(&con, &mem, (struct irq_line){0}, &b, "hvc0");
	pci_bus_init(&bus);
	pci_bus_add(&bus, 6, 0, &con.vp.pci);
	pci_config_write(&bus, 6, 0, PCI_BAR0, 4, BAR);
	pci_config_write(&bus, 6, 0, PCI_COMMAND, 2, 0x6);
	out_len = 0;
	avail_idx[0] = avail_idx[1] = 0;
	wr(VIRTIO_COMMON_STATUS, 1, 3);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, 1);
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	setup_queue(0, RX_AT);
	setup_queue(1, TX_AT);
}

static void teardown(void)
{
	virtio_console_destroy(&con);
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

START_TEST(guest_output_reaches_the_backend)
{
	driver_ok();
	memcpy(mem.ram + BUF_AT, "hel", 3);
	memcpy(mem.ram + BUF_AT + 0x100, "lo\n", 3);
	put_desc(TX_AT, 0, BUF_AT, 3, VIRTQ_DESC_F_NEXT, 1);
	put_desc(TX_AT, 1, BUF_AT + 0x100, 3, 0, 0);
	offer(1, TX_AT, 0);
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 6);
	ck_assert_mem_eq(out, "hello\n", 6);
	ck_assert_uint_eq(used_idx(TX_AT), 1);
	ck_assert_uint_eq(used_len(TX_AT, 0), 0);
}
END_TEST

START_TEST(host_input_fills_posted_buffers)
{
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0); /* not ready */
	driver_ok();
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0); /* no buffer */
	put_desc(RX_AT, 0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	put_desc(RX_AT, 1, BUF_AT + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abcdefghij", 10), 8);
	ck_assert_mem_eq(mem.ram + BUF_AT, "abcdefgh", 8);
	ck_assert_uint_eq(used_len(RX_AT, 0), 8);
	offer(0, RX_AT, 1);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"ij", 2), 2);
	ck_assert_mem_eq(mem.ram + BUF_AT + 0x100, "ij", 2);
	ck_assert_uint_eq(used_len(RX_AT, 1), 2);
	ck_assert_uint_eq(con.rx_bytes, 10);
}
END_TEST

START_TEST(hostile_transmit_chain_needs_reset)
{
	driver_ok();
	put_desc(TX_AT, 0, BUF_AT, 3, VIRTQ_DESC_F_NEXT, 0); /* a loop onto itself */
	offer(1, TX_AT, 0);
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_ne(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0);
}
END_TEST

START_TEST(receive_chain_outside_ram_needs_reset)
{
	driver_ok();
	put_desc(RX_AT, 0, RAM_SIZE - 4, 64, VIRTQ_DESC_F_WRITE, 0); /* runs off the end */
	offer(0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abcdef", 6), 0);
	ck_assert_uint_ne(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(con.rx_bytes, 0);
	/* Until the driver resets, more input is refused, not buffered. */
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0);
}
END_TEST

START_TEST(read_only_receive_buffer_takes_nothing)
{
	driver_ok();
	memset(mem.ram + BUF_AT, 0x55, 16);
	put_desc(RX_AT, 0, BUF_AT, 16, 0, 0); /* the device may not write it */
	offer(0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abc", 3), 0);
	ck_assert_uint_eq(mem.ram[BUF_AT], 0x55);
	ck_assert_uint_eq(con.rx_bytes, 0);
}
END_TEST

START_TEST(transmit_chain_with_a_huge_length_needs_reset)
{
	driver_ok();
	put_desc(TX_AT, 0, BUF_AT, 0xFFFFFFF0u, 0, 0);
	offer(1, TX_AT, 0);
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_ne(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(out_len, 0);
}
END_TEST

START_TEST(a_driver_that_never_reads_takes_nothing)
{
	driver_ok();
	/* It posts one small buffer and never another: input beyond it
	 * stays with the caller (the console's bounded queue). */
	put_desc(RX_AT, 0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abcdefgh", 8), 4);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"efgh", 4), 0);
	ck_assert_uint_eq(con.rx_bytes, 4);
	ck_assert_uint_eq(used_idx(RX_AT), 1);
	ck_assert_uint_eq(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(reset_mid_transfer_then_the_port_works_again)
{
	driver_ok();
	put_desc(RX_AT, 0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	put_desc(RX_AT, 1, BUF_AT + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0, RX_AT, 0);
	offer(0, RX_AT, 1);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abc", 3), 3);
	/* Output offered, then the driver resets before notifying. */
	memcpy(mem.ram + BUF_AT + 0x200, "lost", 4);
	put_desc(TX_AT, 0, BUF_AT + 0x200, 4, 0, 0);
	offer(1, TX_AT, 0);
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(con.vp.status, 0);
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"def", 3), 0);
	/* The driver sets the port up afresh: both ways work. */
	avail_idx[0] = avail_idx[1] = 0;
	memset(mem.ram + RX_AT, 0, 0x3000);
	memset(mem.ram + TX_AT, 0, 0x3000);
	wr(VIRTIO_COMMON_STATUS, 1, 3);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, 1);
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	setup_queue(0, RX_AT);
	setup_queue(1, TX_AT);
	driver_ok();
	put_desc(RX_AT, 0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"def", 3), 3);
	ck_assert_mem_eq(mem.ram + BUF_AT, "def", 3);
	memcpy(mem.ram + BUF_AT + 0x200, "back", 4);
	put_desc(TX_AT, 0, BUF_AT + 0x200, 4, 0, 0);
	offer(1, TX_AT, 0);
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 4);
	ck_assert_mem_eq(out, "back", 4);
}
END_TEST

static Suite *virtio_console_suite(void)
{
	Suite *s = suite_create("virtio_console");
	TCase *tc = tcase_create("port");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_output_reaches_the_backend);
	tcase_add_test(tc, host_input_fills_posted_buffers);
	tcase_add_test(tc, hostile_transmit_chain_needs_reset);
	tcase_add_test(tc, receive_chain_outside_ram_needs_reset);
	tcase_add_test(tc, read_only_receive_buffer_takes_nothing);
	tcase_add_test(tc, transmit_chain_with_a_huge_length_needs_reset);
	tcase_add_test(tc, a_driver_that_never_reads_takes_nothing);
	tcase_add_test(tc, reset_mid_transfer_then_the_port_works_again);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(virtio_console_suite());
}
