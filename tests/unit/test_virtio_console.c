/* virtio_console: the guest's hvc0 output through the transmit queue to
 * the backend, host input into posted receive buffers (and held back
 * while there are none), and hostile guests: malformed transmit and
 * receive chains, a driver that never reads, a reset mid-transfer. */
#include <check.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_console.h"

#include "unit.h"
#include "virtio_driver.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 8
#define RX_AT	 0x1000u /* receiveq: desc, avail, used */
#define TX_AT	 0x4000u /* transmitq */
#define BUF_AT	 0x10000u

static struct guest_mem mem;
static struct virtio_console con;
static struct virtio_driver drv;
static char out[256];
static size_t out_len;

static void tx(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	memcpy(out + out_len, buf, len);
	out_len += len;
}

static void setup(void)
{
	char err[128];
	struct virtio_console_backend b = {.tx = tx};

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	virtio_console_init(&con, &mem, (struct irq_line){0}, &b, "hvc0");
	vdrv_attach(&drv, &mem, &con.vp.pci, 6, BAR, QSIZE);
	out_len = 0;
	vdrv_negotiate(&drv, 0, 1);
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
}

static void teardown(void)
{
	virtio_console_destroy(&con);
	mem_destroy(&mem);
}

START_TEST(guest_output_reaches_the_backend)
{
	vdrv_driver_ok(&drv);
	memcpy(mem.ram + BUF_AT, "hel", 3);
	memcpy(mem.ram + BUF_AT + 0x100, "lo\n", 3);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, 3, VIRTQ_DESC_F_NEXT, 1);
	vdrv_put_desc(&drv, TX_AT, 1, BUF_AT + 0x100, 3, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 6);
	ck_assert_mem_eq(out, "hello\n", 6);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 1);
	ck_assert_uint_eq(vdrv_used_len(&drv, TX_AT, 0), 0);
}
END_TEST

START_TEST(host_input_fills_posted_buffers)
{
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0); /* not ready */
	vdrv_driver_ok(&drv);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0); /* no buffer */
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_put_desc(&drv, RX_AT, 1, BUF_AT + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abcdefghij", 10), 8);
	ck_assert_mem_eq(mem.ram + BUF_AT, "abcdefgh", 8);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 0), 8);
	vdrv_offer(&drv, 0, RX_AT, 1);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"ij", 2), 2);
	ck_assert_mem_eq(mem.ram + BUF_AT + 0x100, "ij", 2);
	ck_assert_uint_eq(vdrv_used_len(&drv, RX_AT, 1), 2);
	ck_assert_uint_eq(con.rx_bytes, 10);
}
END_TEST

START_TEST(hostile_transmit_chain_needs_reset)
{
	vdrv_driver_ok(&drv);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, 3, VIRTQ_DESC_F_NEXT, 0); /* a loop onto itself */
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_ne(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0);
}
END_TEST

START_TEST(receive_chain_outside_ram_needs_reset)
{
	vdrv_driver_ok(&drv);
	vdrv_put_desc(&drv, RX_AT, 0, RAM_SIZE - 4, 64, VIRTQ_DESC_F_WRITE,
		      0); /* runs off the end */
	vdrv_offer(&drv, 0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abcdef", 6), 0);
	ck_assert_uint_ne(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(con.rx_bytes, 0);
	/* Until the driver resets, more input is refused, not buffered. */
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"x", 1), 0);
}
END_TEST

START_TEST(read_only_receive_buffer_takes_nothing)
{
	vdrv_driver_ok(&drv);
	memset(mem.ram + BUF_AT, 0x55, 16);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 16, 0, 0); /* the device may not write it */
	vdrv_offer(&drv, 0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abc", 3), 0);
	ck_assert_uint_eq(mem.ram[BUF_AT], 0x55);
	ck_assert_uint_eq(con.rx_bytes, 0);
}
END_TEST

START_TEST(transmit_chain_with_a_huge_length_needs_reset)
{
	vdrv_driver_ok(&drv);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, 0xFFFFFFF0u, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_ne(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_uint_eq(out_len, 0);
}
END_TEST

START_TEST(a_driver_that_never_reads_takes_nothing)
{
	vdrv_driver_ok(&drv);
	/* It posts one small buffer and never another: input beyond it
	 * stays with the caller (the console's bounded queue). */
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 4, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abcdefgh", 8), 4);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"efgh", 4), 0);
	ck_assert_uint_eq(con.rx_bytes, 4);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	ck_assert_uint_eq(con.vp.status & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(reset_mid_transfer_then_the_port_works_again)
{
	vdrv_driver_ok(&drv);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_put_desc(&drv, RX_AT, 1, BUF_AT + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	vdrv_offer(&drv, 0, RX_AT, 1);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"abc", 3), 3);
	/* Output offered, then the driver resets before notifying. */
	memcpy(mem.ram + BUF_AT + 0x200, "lost", 4);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT + 0x200, 4, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(con.vp.status, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"def", 3), 0);
	/* The driver sets the port up afresh: both ways work. */
	drv.avail_idx[0] = drv.avail_idx[1] = 0;
	memset(mem.ram + RX_AT, 0, 0x3000);
	memset(mem.ram + TX_AT, 0, 0x3000);
	vdrv_negotiate(&drv, 0, 1);
	vdrv_setup_queue(&drv, 0, RX_AT);
	vdrv_setup_queue(&drv, 1, TX_AT);
	vdrv_driver_ok(&drv);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"def", 3), 3);
	ck_assert_mem_eq(mem.ram + BUF_AT, "def", 3);
	memcpy(mem.ram + BUF_AT + 0x200, "back", 4);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT + 0x200, 4, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 4);
	ck_assert_mem_eq(out, "back", 4);
}
END_TEST

/* Saved with a receive buffer posted and not yet used; a fresh device on
 * the same RAM loads the state and fills that buffer, and both queues go
 * on at the next used index. A state cut short is refused. */
START_TEST(restore_continues_both_queues)
{
	struct virtio_console_backend b = {.tx = tx};
	struct state_out o = {0};
	struct state_in in;

	vdrv_driver_ok(&drv);
	memcpy(mem.ram + BUF_AT, "one", 3);
	vdrv_put_desc(&drv, TX_AT, 0, BUF_AT, 3, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 0);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	vdrv_put_desc(&drv, RX_AT, 0, BUF_AT + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_offer(&drv, 0, RX_AT, 0);
	virtio_console_device_ops.save(&con, &o);
	virtio_console_destroy(&con);
	virtio_console_init(&con, &mem, (struct irq_line){0}, &b, "hvc0");
	pci_bus_init(&drv.bus);
	ck_assert_int_eq(pci_bus_add(&drv.bus, 6, 0, &con.vp.pci), 0);
	for (size_t len = 0; len < o.len; len += 5) {
		in = state_in_make(o.p, len);
		ck_assert_int_eq(
		    virtio_console_device_ops.load(&con, &in, virtio_console_device_ops.version),
		    -1);
	}
	in = state_in_make(o.p, o.len);
	ck_assert_int_eq(
	    virtio_console_device_ops.load(&con, &in, virtio_console_device_ops.version), 0);
	ck_assert(state_in_done(&in));
	ck_assert_uint_eq(virtio_console_receive(&con, (const uint8_t *)"in", 2), 2);
	ck_assert_mem_eq(mem.ram + BUF_AT + 0x100, "in", 2);
	ck_assert_uint_eq(vdrv_used_idx(&drv, RX_AT), 1);
	memcpy(mem.ram + BUF_AT, "two", 3);
	vdrv_put_desc(&drv, TX_AT, 1, BUF_AT, 3, 0, 0);
	vdrv_offer(&drv, 1, TX_AT, 1);
	vdrv_wr(&drv, VIRTIO_PCI_NOTIFY + 4, 2, 1);
	ck_assert_uint_eq(out_len, 6);
	ck_assert_mem_eq(out, "onetwo", 6);
	ck_assert_uint_eq(vdrv_used_idx(&drv, TX_AT), 2);
	ck_assert_uint_eq(con.tx_bytes, 6);
	state_out_free(&o);
}
END_TEST

static Suite *virtio_console_suite(void)
{
	Suite *s = suite_create("virtio_console");
	TCase *tc = tcase_create("port");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, guest_output_reaches_the_backend);
	tcase_add_test(tc, restore_continues_both_queues);
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
