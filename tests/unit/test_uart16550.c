/* uart16550: the register file driven through its io_ops, with an IRQ line
 * that records every level and a backend that records transmitted bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/log.h"
#include "hv/core/state.h"
#include "legacy/uart16550.h"

#include "unit.h"

/* Bits the tests name; the datasheet's values. */
#define DLAB	 0x80
#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR	 0x01
#define LSR_OE	 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_FIFO 0xc0

struct irq_rec {
	int level;
	unsigned sets;
	unsigned rises;
};

struct tx_rec {
	uint8_t bytes[256];
	unsigned count;
};

static void rec_irq(void *opaque, int pin, int level)
{
	struct irq_rec *r = opaque;

	ck_assert_int_eq(pin, 4);
	r->rises += level && !r->level;
	r->level = level;
	r->sets++;
}

static void rec_tx(void *opaque, uint8_t byte)
{
	struct tx_rec *t = opaque;

	if (t->count < sizeof t->bytes)
		t->bytes[t->count] = byte;
	t->count++;
}

static struct irq_rec irq;
static struct tx_rec tx;
static struct uart16550 *u;

static uint8_t rd(unsigned reg)
{
	return uart16550_io_ops.read(u, reg, 1);
}

static void wr(unsigned reg, uint8_t value)
{
	uart16550_io_ops.write(u, reg, 1, value);
}

static void setup(void)
{
	struct byte_sink be = {rec_tx, &tx, NULL};

	memset(&irq, 0, sizeof irq);
	memset(&tx, 0, sizeof tx);
	u = uart16550_create((struct irq_line){rec_irq, &irq, 4}, &be);
	ck_assert_ptr_nonnull(u);
	/* An opened port: the host end sends only while DTR or RTS is up. */
	wr(UART_MCR, MCR_DTR | MCR_RTS);
	memset(&irq, 0, sizeof irq);
}

static void teardown(void)
{
	uart16550_destroy(u);
}

static void rx(const char *s)
{
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)s, strlen(s)), strlen(s));
}

START_TEST(test_reset_matchesDatasheet)
{
	uart16550_reset(u);
	ck_assert_uint_eq(rd(UART_IER), 0);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	ck_assert_uint_eq(rd(UART_LCR), 0);
	ck_assert_uint_eq(rd(UART_MCR), 0);
	ck_assert_uint_eq(rd(UART_LSR), LSR_THRE | LSR_TEMT);
	ck_assert_uint_eq(rd(UART_MSR) & 0x0f, 0);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_ge(irq.sets, 1);
}
END_TEST

START_TEST(test_divisorLatch_roundTripsBehindDlab)
{
	wr(UART_IER, 0x05);
	wr(UART_LCR, DLAB | 0x03);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x02);
	ck_assert_uint_eq(rd(UART_DLL), 0x01);
	ck_assert_uint_eq(rd(UART_DLM), 0x02);
	ck_assert_uint_eq(tx.count, 0); /* a DLL write is not a THR write */
	wr(UART_LCR, 0x03);
	ck_assert_uint_eq(rd(UART_IER), 0x05);
	ck_assert_uint_eq(rd(UART_LCR), 0x03);
	wr(UART_LCR, DLAB);
	ck_assert_uint_eq(rd(UART_DLL) | rd(UART_DLM) << 8, 0x0201);
}
END_TEST

START_TEST(test_transmit_reachesBackendAsWholeBytes)
{
	wr(UART_LCR, 0x03);
	wr(UART_THR, 'A');
	wr(UART_LCR, 0x00); /* 5-bit words: still whole bytes on a virtual line */
	wr(UART_THR, 0xc1);
	ck_assert_uint_eq(tx.count, 2);
	ck_assert_uint_eq(tx.bytes[0], 'A');
	ck_assert_uint_eq(tx.bytes[1], 0xc1);
	ck_assert_uint_eq(rd(UART_LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
}
END_TEST

START_TEST(test_thre_raisedOnEnableClearedByIirRead)
{
	wr(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(UART_IER, 0x02);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(UART_IIR), 0x02);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	wr(UART_IER, 0x02); /* already enabled: no new interrupt */
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	wr(UART_IER, 0x00);
	wr(UART_IER, 0x02); /* re-enabling raises it again */
	ck_assert_uint_eq(rd(UART_IIR), 0x02);
}
END_TEST

START_TEST(test_thrWrite_givesEdgeTriggeredPicAFreshEdge)
{
	wr(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(UART_IER, 0x02);
	ck_assert_uint_eq(irq.rises, 1);
	wr(UART_THR, 'x'); /* clears THRE, which comes back at once */
	ck_assert_uint_eq(irq.rises, 2);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(UART_IIR), 0x02);
	wr(UART_IER, 0);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_rda_inNonFifoMode_untilRbrRead)
{
	wr(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(UART_IER, 0x01);
	ck_assert_uint_eq(uart16550_rx_room(u), 1);
	rx("k");
	ck_assert_uint_eq(uart16550_rx_room(u), 0);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, LSR_DR);
	ck_assert_uint_eq(rd(UART_IIR), 0x04);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(UART_RBR), 'k');
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
}
END_TEST

START_TEST(test_interruptSources_reportInPriorityOrder)
{
	wr(UART_MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS); /* DSR drops: an MSR delta */
	wr(UART_IER, 0x0f);			     /* and THRE pending */
	wr(UART_THR, 'a');
	wr(UART_THR, 'b'); /* no FIFO: overruns the holding register */
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(UART_IIR), 0x06);
	ck_assert_uint_eq(rd(UART_LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
	ck_assert_uint_eq(rd(UART_IIR), 0x04);
	ck_assert_uint_eq(rd(UART_RBR), 'b');
	ck_assert_uint_eq(rd(UART_IIR), 0x02);
	ck_assert_uint_eq(rd(UART_IIR), 0x00);
	ck_assert_uint_eq(rd(UART_MSR) & 0x0f, 0x02); /* DDSR */
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_fifoEnabled_setsIirTopBits)
{
	wr(UART_FCR, 0x01);
	ck_assert_uint_eq(rd(UART_IIR), IIR_FIFO | 0x01);
	wr(UART_FCR, 0x00);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
}
END_TEST

START_TEST(test_fifoTriggerLevels_switchTimeoutToRda)
{
	static const unsigned levels[4] = {1, 4, 8, 14};
	uint8_t fill[16];

	memset(fill, 'z', sizeof fill);
	wr(UART_IER, 0x01);
	for (unsigned t = 0; t < 4; t++) {
		wr(UART_FCR, 0x01 | 0x02 | t << 6);
		ck_assert_uint_eq(uart16550_rx_room(u), 16);
		uart16550_receive(u, fill, levels[t] - 1);
		ck_assert_uint_eq(rd(UART_IIR), levels[t] > 1 ? 0xcc : 0xc1);
		uart16550_receive(u, fill, 1);
		ck_assert_uint_eq(rd(UART_IIR), 0xc4);
		rd(UART_RBR);
		ck_assert_uint_eq(rd(UART_IIR), levels[t] > 1 ? 0xcc : 0xc1);
	}
}
END_TEST

START_TEST(test_fcr_clearsRxFifoAndModeChangeEmptiesIt)
{
	wr(UART_FCR, 0x01);
	rx("hello");
	ck_assert_uint_eq(uart16550_rx_room(u), 11);
	wr(UART_FCR, 0x03);
	ck_assert_uint_eq(uart16550_rx_room(u), 16);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
	rx("again");
	wr(UART_FCR, 0x00);
	ck_assert_uint_eq(uart16550_rx_room(u), 1);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
}
END_TEST

START_TEST(test_fifo_deliversBytesInOrder)
{
	char got[17] = "";

	wr(UART_FCR, 0x01);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"0123456789abcdefXYZ", 19), 16);
	ck_assert_uint_eq(uart16550_rx_room(u), 0);
	for (unsigned i = 0; i < 16; i++)
		got[i] = rd(UART_RBR);
	ck_assert_str_eq(got, "0123456789abcdef");
	ck_assert_uint_eq(rd(UART_LSR) & (LSR_DR | LSR_OE), 0);
}
END_TEST

START_TEST(test_overrunInFifoMode_keepsFifoAndSetsOe)
{
	wr(UART_FCR, 0x01);
	wr(UART_MCR, MCR_LOOP);
	for (unsigned i = 0; i < 17; i++)
		wr(UART_THR, 'A' + i);
	ck_assert_uint_eq(rd(UART_LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_OE, 0); /* cleared by the read */
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(UART_RBR), 'A' + i);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
	ck_assert_uint_eq(tx.count, 0);
}
END_TEST

START_TEST(test_rlsInterrupt_onOverrunClearedByLsrRead)
{
	wr(UART_MCR, MCR_LOOP | MCR_OUT2);
	wr(UART_IER, 0x04);
	wr(UART_THR, '1');
	ck_assert_int_eq(irq.level, 0);
	wr(UART_THR, '2');
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(UART_IIR), 0x06);
	rd(UART_LSR);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_loopback_returnsBytesAndMirrorsMcrInMsr)
{
	wr(UART_MCR, MCR_LOOP | MCR_RTS | MCR_OUT2); /* Linux's autoconfig probe */
	ck_assert_uint_eq(rd(UART_MSR) & 0xf0, 0x90);
	wr(UART_MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
	ck_assert_uint_eq(rd(UART_MSR) & 0xf0, 0xf0);
	wr(UART_MCR, MCR_LOOP | MCR_DTR);
	ck_assert_uint_eq(rd(UART_MSR) & 0xf0, 0x20);
	wr(UART_THR, 'Q');
	ck_assert_uint_eq(rd(UART_RBR), 'Q');
	ck_assert_uint_eq(tx.count, 0);
	wr(UART_MCR, 0);
	ck_assert_uint_eq(rd(UART_MSR) & 0xf0, 0xb0); /* back to the host lines */
}
END_TEST

START_TEST(test_msrDeltas_latchUntilReadAndTeriOnFallingRi)
{
	wr(UART_MCR, MCR_LOOP);
	rd(UART_MSR);
	wr(UART_MCR, MCR_LOOP | MCR_OUT1);
	ck_assert_uint_eq(rd(UART_MSR), 0x40); /* RI rising: no TERI */
	wr(UART_MCR, MCR_LOOP);
	ck_assert_uint_eq(rd(UART_MSR), 0x04);
	wr(UART_MCR, MCR_LOOP | MCR_DTR);
	wr(UART_MCR, MCR_LOOP);
	ck_assert_uint_eq(rd(UART_MSR), 0x02); /* DDSR latched across both edges */
	ck_assert_uint_eq(rd(UART_MSR), 0x00);
}
END_TEST

START_TEST(test_msrInterrupt_clearedByMsrRead)
{
	wr(UART_MCR, MCR_LOOP | MCR_OUT2);
	rd(UART_MSR);
	wr(UART_IER, 0x08);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	wr(UART_MCR, MCR_LOOP | MCR_OUT2 | MCR_DTR);
	ck_assert_int_eq(irq.level, 1);
	ck_assert_uint_eq(rd(UART_IIR), 0x00);
	rd(UART_MSR);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	ck_assert_int_eq(irq.level, 0);
}
END_TEST

START_TEST(test_out2_gatesTheIrqLine)
{
	wr(UART_IER, 0x01);
	rx("x");
	ck_assert_uint_eq(rd(UART_IIR), 0x04);
	ck_assert_int_eq(irq.level, 0);
	wr(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	ck_assert_int_eq(irq.level, 1);
	wr(UART_MCR, MCR_DTR);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(UART_IIR), 0x04);
}
END_TEST

START_TEST(test_rxRoom_isZeroInLoopback)
{
	wr(UART_FCR, 0x01);
	ck_assert_uint_eq(uart16550_rx_room(u), 16);
	wr(UART_MCR, MCR_LOOP);
	ck_assert_uint_eq(uart16550_rx_room(u), 0);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"abc", 3), 0);
	wr(UART_MCR, MCR_DTR | MCR_RTS);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"abc", 3), 3);
}
END_TEST

START_TEST(test_readOnlyAndReservedBits_ignoreWrites)
{
	wr(UART_LSR, 0x00);
	wr(UART_MSR, 0x0f);
	ck_assert_uint_eq(rd(UART_LSR), LSR_THRE | LSR_TEMT);
	ck_assert_uint_eq(rd(UART_MSR), 0xb0);
	wr(UART_IER, 0xff);
	ck_assert_uint_eq(rd(UART_IER), 0x0f);
	wr(UART_MCR, 0xe0);
	ck_assert_uint_eq(rd(UART_MCR), 0x00);
	wr(UART_SCR, 0x5a);
	ck_assert_uint_eq(rd(UART_SCR), 0x5a);
}
END_TEST

START_TEST(test_wideAccesses_areIgnored)
{
	rx("w");
	ck_assert_uint_eq(uart16550_io_ops.read(u, UART_RBR, 2), UINT64_MAX);
	uart16550_io_ops.write(u, UART_SCR, 4, 0x12);
	uart16550_io_ops.write(u, 9, 1, 0x12);
	ck_assert_uint_eq(rd(UART_SCR), 0);
	ck_assert_uint_eq(rd(UART_RBR), 'w'); /* still there */
}
END_TEST

START_TEST(test_reset_restoresPowerOnStateAndLowersIrq)
{
	wr(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(UART_IER, 0x0f);
	wr(UART_FCR, 0x01);
	rx("abc");
	ck_assert_int_eq(irq.level, 1);
	uart16550_reset(u);
	ck_assert_int_eq(irq.level, 0);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);
	ck_assert_uint_eq(rd(UART_IER), 0);
	/* Reset drops DTR and RTS: the host holds its bytes again. */
	ck_assert_uint_eq(uart16550_rx_room(u), 0);
	wr(UART_MCR, MCR_RTS);
	ck_assert_uint_eq(uart16550_rx_room(u), 1);
}
END_TEST

/* A host end holding more input than the FIFO takes: the backend's
 * drained hook hands over what is left each time the guest empties it. */
struct refill {
	struct uart16550 *u;
	const char *rest;
	unsigned calls;
};

static void ignore_tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	(void)byte;
}

static void refill_drained(void *opaque)
{
	struct refill *r = opaque;

	r->calls++;
	r->rest += uart16550_receive(r->u, (const uint8_t *)r->rest, strlen(r->rest));
}

START_TEST(test_drainedReceiver_letsHostSendTheRestAtOnce)
{
	struct refill r = {.rest = "ghij"};
	struct byte_sink be = {ignore_tx, &r, refill_drained};
	struct uart16550 *saved = u;

	u = r.u = uart16550_create((struct irq_line){rec_irq, &irq, 4}, &be);
	ck_assert_ptr_nonnull(u);
	rd(UART_RBR); /* an empty receiver read: nothing was drained */
	ck_assert_uint_eq(r.calls, 0);
	wr(UART_MCR, MCR_DTR | MCR_RTS);
	wr(UART_FCR, 0x01);
	rx("0123456789abcdef");
	for (unsigned i = 0; i < 15; i++)
		ck_assert_uint_eq(rd(UART_RBR), (uint8_t) "0123456789abcdef"[i]);
	ck_assert_uint_eq(r.calls, 0); /* a byte still waits */
	ck_assert_uint_eq(rd(UART_RBR), 'f');
	ck_assert_uint_eq(r.calls, 1);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, LSR_DR); /* refilled at once */
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(rd(UART_RBR), (uint8_t) "ghij"[i]);
	ck_assert_uint_eq(r.calls, 2);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
	rd(UART_RBR);
	ck_assert_uint_eq(r.calls, 2);
	uart16550_destroy(u);
	u = saved;
}
END_TEST

START_TEST(test_hostInput_waitsUntilGuestAssertsDtrOrRts)
{
	wr(UART_MCR, 0);
	ck_assert_uint_eq(uart16550_rx_room(u), 0);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"early", 5), 0);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
	wr(UART_MCR, MCR_DTR);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"x", 1), 1);
	ck_assert_uint_eq(rd(UART_RBR), 'x');
}
END_TEST

/* Random guest programming must never break the invariants. */
START_TEST(test_fuzz_randomRegisterTraffic_keepsInvariants)
{
	static const uint8_t ids[] = {0x00, 0x01, 0x02, 0x04, 0x06, 0x0c};
	unsigned seen = 0;

	srand(16550);
	for (unsigned i = 0; i < 50000; i++) {
		unsigned op = rand() % 4;

		if (op == 0)
			wr(rand() % 8, rand());
		else if (op == 1)
			rd(rand() % 8);
		else if (op == 2) {
			uint8_t b[20];

			for (unsigned k = 0; k < sizeof b; k++)
				b[k] = rand();
			ck_assert_uint_le(uart16550_receive(u, b, rand() % 20), 16);
		} else {
			int level = irq.level;
			uint8_t mcr = rd(UART_MCR);
			uint8_t iir = rd(UART_IIR);

			ck_assert_ptr_nonnull(memchr(ids, iir & 0x0f, sizeof ids));
			ck_assert_uint_eq(iir & 0x30, 0);
			seen |= 1u << (iir & 0x0f);
			ck_assert(!(iir & IIR_FIFO) || (iir & IIR_FIFO) == IIR_FIFO);
			ck_assert_int_eq(level, !(iir & 1) && (mcr & MCR_OUT2));
			ck_assert_uint_eq(rd(UART_LSR) & 0x60, 0x60);
		}
		ck_assert_uint_le(uart16550_rx_room(u), 16);
	}
	/* The traffic reached every interrupt source. */
	ck_assert_uint_eq(seen, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 4 | 1u << 6 | 1u << 12);
}
END_TEST

/* Save and load (device ops): a programmed port with a wrapped, partly
 * read FIFO and a latched THRE interrupt comes back in a fresh port that
 * behaves the same through its registers; a state with a FIFO count over
 * the FIFO mode's capacity, a head out of the FIFO, a reserved IER bit or
 * cut short is refused with the port unchanged. */
START_TEST(test_saveLoad_bringsBackFifoAndInterrupts)
{
	struct uart16550 *saved = u;
	struct state_out o = {0};
	struct state_in st;
	static const size_t bad[][2] = {{17, 17}, {16, 16}, {20, 0x00}, {20, 0x03}, {19, 0x1f}};

	wr(UART_LCR, DLAB | 0x03);
	wr(UART_DLL, 0x80);
	wr(UART_DLM, 0x01);
	wr(UART_LCR, 0x03);
	wr(UART_SCR, 0x5a);
	wr(UART_FCR, 0x41); /* FIFOs on, trigger level 4 */
	wr(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"0123456789", 10), 10);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(rd(UART_RBR), '0' + i);
	ck_assert_uint_eq(uart16550_receive(u, (const uint8_t *)"abcdefghijklmn", 14), 14);
	wr(UART_IER, 0x03); /* RDA and THRE */
	ck_assert_int_eq(irq.level, 1);
	uart16550_device_ops.save(u, &o);
	ck_assert(!o.failed);
	ck_assert_uint_eq(o.len, 29);

	u = uart16550_create((struct irq_line){rec_irq, &irq, 4}, NULL);
	ck_assert_ptr_nonnull(u);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t keep = o.p[bad[i][0]];

		o.p[bad[i][0]] = (uint8_t)bad[i][1];
		st = state_in_make(o.p, o.len);
		ck_assert_int_eq(uart16550_device_ops.load(u, &st, 1), -1);
		o.p[bad[i][0]] = keep;
	}
	st = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(uart16550_device_ops.load(u, &st, 1), -1);
	ck_assert_uint_eq(rd(UART_SCR), 0); /* unchanged: power-on */
	ck_assert_uint_eq(rd(UART_LCR), 0);
	ck_assert_uint_eq(rd(UART_IIR), 0x01);

	memset(&irq, 0, sizeof irq);
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(uart16550_device_ops.load(u, &st, 1), 0);
	ck_assert_int_eq(irq.level, 1); /* driven again from the state */
	ck_assert_uint_eq(rd(UART_SCR), 0x5a);
	ck_assert_uint_eq(rd(UART_MCR), MCR_DTR | MCR_RTS | MCR_OUT2);
	wr(UART_LCR, DLAB | 0x03);
	ck_assert_uint_eq(rd(UART_DLL), 0x80);
	ck_assert_uint_eq(rd(UART_DLM), 0x01);
	wr(UART_LCR, 0x03);
	ck_assert_uint_eq(rd(UART_IIR), IIR_FIFO | 0x04);
	ck_assert_uint_eq(uart16550_rx_room(u), 0);
	ck_assert_uint_eq(rd(UART_RBR), '8');
	ck_assert_uint_eq(rd(UART_RBR), '9');
	for (unsigned i = 0; i < 14; i++)
		ck_assert_uint_eq(rd(UART_RBR), 'a' + i);
	ck_assert_uint_eq(rd(UART_LSR) & LSR_DR, 0);
	ck_assert_uint_eq(rd(UART_IIR), IIR_FIFO | 0x02); /* THRE, still latched */
	ck_assert_uint_eq(rd(UART_IIR), IIR_FIFO | 0x01);
	ck_assert_int_eq(irq.level, 0);
	uart16550_destroy(u);
	u = saved;
	state_out_free(&o);
}
END_TEST

static Suite *uart_suite(void)
{
	Suite *s = suite_create("uart16550");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reset_matchesDatasheet);
	tcase_add_test(tc, test_divisorLatch_roundTripsBehindDlab);
	tcase_add_test(tc, test_transmit_reachesBackendAsWholeBytes);
	tcase_add_test(tc, test_thre_raisedOnEnableClearedByIirRead);
	tcase_add_test(tc, test_thrWrite_givesEdgeTriggeredPicAFreshEdge);
	tcase_add_test(tc, test_rda_inNonFifoMode_untilRbrRead);
	tcase_add_test(tc, test_interruptSources_reportInPriorityOrder);
	tcase_add_test(tc, test_fifoEnabled_setsIirTopBits);
	tcase_add_test(tc, test_fifoTriggerLevels_switchTimeoutToRda);
	tcase_add_test(tc, test_fcr_clearsRxFifoAndModeChangeEmptiesIt);
	tcase_add_test(tc, test_fifo_deliversBytesInOrder);
	tcase_add_test(tc, test_overrunInFifoMode_keepsFifoAndSetsOe);
	tcase_add_test(tc, test_rlsInterrupt_onOverrunClearedByLsrRead);
	tcase_add_test(tc, test_loopback_returnsBytesAndMirrorsMcrInMsr);
	tcase_add_test(tc, test_msrDeltas_latchUntilReadAndTeriOnFallingRi);
	tcase_add_test(tc, test_msrInterrupt_clearedByMsrRead);
	tcase_add_test(tc, test_out2_gatesTheIrqLine);
	tcase_add_test(tc, test_rxRoom_isZeroInLoopback);
	tcase_add_test(tc, test_readOnlyAndReservedBits_ignoreWrites);
	tcase_add_test(tc, test_wideAccesses_areIgnored);
	tcase_add_test(tc, test_reset_restoresPowerOnStateAndLowersIrq);
	tcase_add_test(tc, test_hostInput_waitsUntilGuestAssertsDtrOrRts);
	tcase_add_test(tc, test_drainedReceiver_letsHostSendTheRestAtOnce);
	tcase_add_test(tc, test_fuzz_randomRegisterTraffic_keepsInvariants);
	tcase_add_test(tc, test_saveLoad_bringsBackFifoAndInterrupts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(uart_suite());
}
