/* National Semiconductor PC16550D (the "16550A" of PC lore), after its
 * datasheet. Transmission is instantaneous, so the transmit FIFO and the
 * shift register are always empty; the receive FIFO is real. The word
 * length in LCR is not applied to the data: the line is virtual, and guests
 * that print through a port nobody programmed (LCR 0 means 5-bit words)
 * still expect whole bytes, as they get them from QEMU or bhyve. */
#include "legacy/uart16550.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define IER_RDA	 0x01 /* received data available (and character timeout) */
#define IER_THRE 0x02 /* transmitter holding register empty */
#define IER_RLS	 0x04 /* receiver line status */
#define IER_MSR	 0x08 /* modem status */
#define IER_MASK 0x0f /* bits 4-7 read as zero on a 16550 */

#define IIR_MSR	    0x00
#define IIR_NONE    0x01
#define IIR_THRE    0x02
#define IIR_RDA	    0x04
#define IIR_RLS	    0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO    0xc0 /* both set while the FIFOs are enabled */

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_DMA	     0x08
#define FCR_TRIGGER  0xc0

#define LCR_DLAB 0x80

#define MCR_DTR	 0x01
#define MCR_RTS	 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f /* bits 5-7 read as zero on a 16550 */

#define LSR_DR	   0x01
#define LSR_OE	   0x02
#define LSR_PE	   0x04
#define LSR_FE	   0x08
#define LSR_BI	   0x10
#define LSR_THRE   0x20
#define LSR_TEMT   0x40
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS   0x01
#define MSR_DDSR   0x02
#define MSR_TERI   0x04
#define MSR_DDCD   0x08
#define MSR_DELTAS 0x0f
#define MSR_CTS	   0x10
#define MSR_DSR	   0x20
#define MSR_RI	   0x40
#define MSR_DCD	   0x80

/* The host end looks like a ready null-modem peer: CTS, DSR and DCD on,
 * so guests that wait for carrier or use hardware handshake can talk. */
#define HOST_MODEM_LINES (MSR_CTS | MSR_DSR | MSR_DCD)

/* 115200 / 12 = 9600 baud; the datasheet leaves the latch undefined at
 * power-on, and this is what a BIOS would have programmed anyway. */
#define RESET_DIVISOR 12

struct uart16550 {
	struct irq_line irq;
	struct byte_sink backend;
	uint8_t rx[UART_FIFO_SIZE]; /* receive FIFO; one slot used when FIFOs are off */
	unsigned rx_head;	    /* index of the oldest received byte */
	unsigned rx_count;	    /* bytes waiting in rx */
	uint8_t rbr;		    /* last byte read: what an empty RBR returns */
	uint8_t ier;		    /* interrupt enable, bits 0-3 */
	uint8_t fcr;		    /* enable, DMA mode and trigger as programmed */
	uint8_t lcr;		    /* line control; bit 7 is DLAB */
	uint8_t mcr;		    /* modem control, bits 0-4 */
	uint8_t lsr_errors;	    /* sticky LSR error bits (OE); the rest is computed */
	uint8_t msr;		    /* line states in bits 4-7, deltas in bits 0-3 */
	uint8_t scr;		    /* scratch */
	uint16_t divisor;	    /* divisor latch DLM:DLL */
	bool thre_pending;	    /* THRE interrupt latched: cleared by an IIR read
				     * that reports it or by a THR write */
	int irq_level;		    /* level last driven; -1 forces the next update */
};

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & FCR_ENABLE;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & MCR_LOOP;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART_FIFO_SIZE : 1;
}

static unsigned trigger_level(const struct uart16550 *u)
{
	static const unsigned levels[4] = {1, 4, 8, 14};

	return levels[(u->fcr & FCR_TRIGGER) >> 6];
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/* A character arriving at a full receiver is an overrun. With FIFOs it is
 * lost and the FIFO kept; without, it overwrites the holding register. */
static void rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count == rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;
		if (!fifo_enabled(u))
			u->rx[u->rx_head] = byte;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	if (u->rx_count == 0)
		return u->rbr;
	u->rbr = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	/* The guest took the last byte: the host end may send the next ones
	 * at once, as a line at full speed would (a driver reads on while LSR
	 * says data ready). */
	if (u->rx_count == 0 && u->backend.drained)
		u->backend.drained(u->backend.opaque);
	return u->rbr;
}

/* The receiver interrupt. Hardware raises the character timeout only after
 * four character times without input; with no baud clock to count, data
 * below the trigger level times out at once, which is what a driver sees
 * anyway once the line has gone quiet. */
static uint8_t rx_interrupt(const struct uart16550 *u)
{
	if (fifo_enabled(u) && u->rx_count < trigger_level(u))
		return IIR_TIMEOUT;
	return IIR_RDA;
}

/* The highest-priority pending source, as IIR bits 0-3. */
static uint8_t interrupt_id(const struct uart16550 *u)
{
	if ((u->ier & IER_RLS) && u->lsr_errors)
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count)
		return rx_interrupt(u);
	if ((u->ier & IER_THRE) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_MSR) && (u->msr & MSR_DELTAS))
		return IIR_MSR;
	return IIR_NONE;
}

/* On a PC the chip's INTR pin reaches the PIC through a buffer enabled by
 * OUT2, so a guest that leaves OUT2 clear (a polling driver, or a probe)
 * must see no interrupt even though IIR reports one; the gate lives here
 * because it is part of every PC serial port. (On a real board loopback
 * also forces the OUT2 pin inactive; that is not modelled.) */
static void update_irq(struct uart16550 *u)
{
	int level = interrupt_id(u) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (level != u->irq_level) {
		u->irq_level = level;
		irq_set(&u->irq, level);
	}
}

/* Sets the modem input lines (bits 4-7) and latches the deltas: any change
 * of CTS, DSR or DCD, and a falling edge of RI. */
static void set_modem_lines(struct uart16550 *u, uint8_t lines)
{
	uint8_t old = u->msr & 0xf0;
	uint8_t changed = old ^ lines;
	uint8_t delta = ((changed & (MSR_CTS | MSR_DSR | MSR_DCD)) | (old & ~lines & MSR_RI)) >> 4;

	u->msr = lines | (u->msr & MSR_DELTAS) | delta;
}

/* In loopback the modem inputs are wired to the modem outputs inside the
 * chip: DTR to DSR, RTS to CTS, OUT1 to RI, OUT2 to DCD. */
static uint8_t modem_inputs(const struct uart16550 *u)
{
	if (!loopback(u))
		return HOST_MODEM_LINES;
	return (u->mcr & MCR_DTR ? MSR_DSR : 0) | (u->mcr & MCR_RTS ? MSR_CTS : 0) |
	       (u->mcr & MCR_OUT1 ? MSR_RI : 0) | (u->mcr & MCR_OUT2 ? MSR_DCD : 0);
}

static uint8_t lsr_value(const struct uart16550 *u)
{
	/* THR and the shift register empty at once: THRE and TEMT stay set. */
	return u->lsr_errors | (u->rx_count ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
}

/* The THR write clears a pending THRE interrupt and, the character being
 * gone at once, THRE comes back at once. The line is lowered in between so
 * an edge-triggered PIC sees a fresh edge, as it would after the character
 * time on hardware. */
static void write_thr(struct uart16550 *u, uint8_t byte)
{
	u->thre_pending = false;
	update_irq(u);
	if (loopback(u))
		rx_push(u, byte);
	else if (u->backend.tx)
		u->backend.tx(u->backend.opaque, byte);
	u->thre_pending = true;
}

/* Enabling the THRE interrupt while THR is empty raises it at once. */
static void write_ier(struct uart16550 *u, uint8_t value)
{
	uint8_t enabled = value & ~u->ier;

	u->ier = value & IER_MASK;
	if (enabled & IER_THRE)
		u->thre_pending = true;
}

static void write_fcr(struct uart16550 *u, uint8_t value)
{
	/* Changing FIFO mode empties both FIFOs; with bit 0 clear the
	 * other bits are not programmed. */
	if ((value ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	if (!(value & FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (value & FCR_CLEAR_RX)
		rx_clear(u);
	/* FCR_CLEAR_TX: the transmit FIFO is always empty here. */
	u->fcr = value & (FCR_ENABLE | FCR_DMA | FCR_TRIGGER);
}

static void write_mcr(struct uart16550 *u, uint8_t value)
{
	if (value & ~MCR_MASK)
		log_guest("uart16550: MCR reserved bits 0x%02x ignored", value & ~MCR_MASK);
	u->mcr = value & MCR_MASK;
	set_modem_lines(u, modem_inputs(u));
}

static void write_divisor(struct uart16550 *u, unsigned offset, uint8_t value)
{
	if (offset == UART_DLL)
		u->divisor = (u->divisor & 0xff00) | value;
	else
		u->divisor = (u->divisor & 0x00ff) | (uint16_t)value << 8;
}

static bool dlab(const struct uart16550 *u)
{
	return u->lcr & LCR_DLAB;
}

static void write_reg(struct uart16550 *u, unsigned offset, uint8_t value)
{
	switch (offset) {
	case UART_THR:
	case UART_IER:
		if (dlab(u))
			write_divisor(u, offset, value);
		else if (offset == UART_THR)
			write_thr(u, value);
		else
			write_ier(u, value);
		break;
	case UART_FCR: write_fcr(u, value); break;
	case UART_LCR: u->lcr = value; break;
	case UART_MCR: write_mcr(u, value); break;
	case UART_SCR: u->scr = value; break;
	default:
		/* LSR and MSR: writable only in the factory. */
		log_guest("uart16550: write 0x%02x to read-only register %u ignored", value,
			  offset);
	}
}

static uint8_t read_iir(struct uart16550 *u)
{
	uint8_t id = interrupt_id(u);

	if (id == IIR_THRE)
		u->thre_pending = false;
	return id | (fifo_enabled(u) ? IIR_FIFO : 0);
}

static uint8_t read_lsr(struct uart16550 *u)
{
	uint8_t value = lsr_value(u);

	u->lsr_errors = 0;
	return value;
}

static uint8_t read_msr(struct uart16550 *u)
{
	uint8_t value = u->msr;

	u->msr &= ~MSR_DELTAS;
	return value;
}

static uint8_t read_reg(struct uart16550 *u, unsigned offset)
{
	switch (offset) {
	case UART_RBR: return dlab(u) ? u->divisor & 0xff : rx_pop(u);
	case UART_IER: return dlab(u) ? u->divisor >> 8 : u->ier;
	case UART_IIR: return read_iir(u);
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR: return read_lsr(u);
	case UART_MSR: return read_msr(u);
	default: return u->scr;
	}
}

/* The registers are bytes. A wider access is a guest bug (an 8-bit ISA
 * device would see it split by the chipset); it is logged and ignored. */
static bool access_ok(uint64_t offset, unsigned size, const char *what)
{
	if (size == 1 && offset < 8)
		return true;
	log_guest("uart16550: %s of %u bytes at offset %llu ignored", what, size,
		  (unsigned long long)offset);
	return false;
}

static uint64_t uart_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uart16550 *u = opaque;
	uint8_t value;

	if (!access_ok(offset, size, "read"))
		return UINT64_MAX;
	value = read_reg(u, offset);
	update_irq(u);
	return value;
}

static void uart_io_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct uart16550 *u = opaque;

	if (!access_ok(offset, size, "write"))
		return;
	write_reg(u, offset, value);
	update_irq(u);
}

const struct io_ops uart16550_io_ops = {uart_io_read, uart_io_write};

/* Allocates a UART in its power-on state; the IRQ line is driven low. */
struct uart16550 *uart16550_create(struct irq_line irq, const struct byte_sink *backend)
{
	struct uart16550 *u = calloc(1, sizeof *u);

	if (!u)
		return NULL;
	u->irq = irq;
	if (backend)
		u->backend = *backend;
	uart16550_reset(u);
	return u;
}

/* Frees the UART; the caller unregisters it from the bus first. */
void uart16550_destroy(struct uart16550 *u)
{
	free(u);
}

/* Master reset: registers as the datasheet lists them, FIFOs empty. */
void uart16550_reset(struct uart16550 *u)
{
	rx_clear(u);
	u->rbr = 0;
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr_errors = 0;
	u->msr = HOST_MODEM_LINES;
	u->scr = 0;
	u->divisor = RESET_DIVISOR;
	u->thre_pending = false;
	u->irq_level = -1;
	update_irq(u);
}

/* Free receive slots. In loopback the serial input is disconnected, so the
 * host holds its bytes until the guest leaves loopback. */
size_t uart16550_rx_room(const struct uart16550 *u)
{
	/* The host end keeps modem-control flow control: it sends only while
	 * the guest asserts DTR or RTS, as a terminal wired for hardware
	 * handshake does. Bytes typed while the guest boots then wait in the
	 * host's queue instead of being lost to the guest's own FIFO reset,
	 * and BIOS INT 14h receive asserts both before it waits. */
	if (loopback(u) || !(u->mcr & (MCR_DTR | MCR_RTS)))
		return 0;
	return rx_capacity(u) - u->rx_count;
}

/* Queues host bytes up to the room left; the host keeps the rest, which
 * is the flow control a real line would need CTS for. */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *data, size_t len)
{
	size_t room = uart16550_rx_room(u);
	size_t n = len < room ? len : room;

	for (size_t i = 0; i < n; i++)
		rx_push(u, data[i]);
	update_irq(u);
	return n;
}

void uart16550_describe(const struct uart16550 *u, char *s, size_t n)
{
	snprintf(s, n, "ier=%02x iid=%x mcr=%02x lcr=%02x rx=%u thre=%d irq=%d", u->ier,
		 interrupt_id(u), u->mcr, u->lcr, u->rx_count, u->thre_pending, u->irq_level);
}

static void uart16550_dev_reset(void *dev)
{
	uart16550_reset(dev);
}

static void uart16550_dev_describe(const void *dev, char *buf, size_t len)
{
	uart16550_describe(dev, buf, len);
}

/* Save/restore, version 1: the registers, the receive FIFO with its head
 * and count, and the latched THRE interrupt. The backend and the host's
 * queue are the machine's; the IRQ level is driven again from the state. */
static void uart16550_dev_save(const void *dev, struct state_out *o)
{
	const struct uart16550 *u = dev;
	const uint8_t regs[] = {u->rbr, u->ier,	       u->fcr, u->lcr,
				u->mcr, u->lsr_errors, u->msr, u->scr};

	state_put_bytes(o, u->rx, sizeof u->rx);
	state_put_u8(o, (uint8_t)u->rx_head);
	state_put_u8(o, (uint8_t)u->rx_count);
	state_put_bytes(o, regs, sizeof regs);
	state_put_u16(o, u->divisor);
	state_put_bool(o, u->thre_pending);
}

/* Values no register write can produce are refused, as is a FIFO count
 * over what the FIFO mode holds. */
static bool regs_valid(const struct uart16550 *u)
{
	if ((u->ier & ~IER_MASK) || (u->mcr & ~MCR_MASK) || (u->lsr_errors & ~LSR_ERRORS))
		return false;
	if (u->fcr & ~(FCR_ENABLE | FCR_DMA | FCR_TRIGGER))
		return false;
	if (u->fcr && !fifo_enabled(u))
		return false;
	return u->rx_head < UART_FIFO_SIZE && u->rx_count <= rx_capacity(u);
}

static int uart16550_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct uart16550 *u = dev;
	struct uart16550 c = *u;
	uint8_t regs[8];

	(void)from;
	state_get_bytes(in, c.rx, sizeof c.rx);
	c.rx_head = state_get_u8(in);
	c.rx_count = state_get_u8(in);
	state_get_bytes(in, regs, sizeof regs);
	c.rbr = regs[0];
	c.ier = regs[1];
	c.fcr = regs[2];
	c.lcr = regs[3];
	c.mcr = regs[4];
	c.lsr_errors = regs[5];
	c.msr = regs[6];
	c.scr = regs[7];
	c.divisor = state_get_u16(in);
	c.thre_pending = state_get_bool(in);
	if (!state_in_done(in) || !regs_valid(&c))
		return -1;
	*u = c;
	u->irq_level = -1;
	update_irq(u);
	return 0;
}

const struct device_ops uart16550_device_ops = {.reset = uart16550_dev_reset,
						.describe = uart16550_dev_describe,
						.version = 1,
						.save = uart16550_dev_save,
						.load = uart16550_dev_load};
