/* National Semiconductor 16550A UART: eight registers at base..base+7,
 * 16-byte FIFOs, interrupts through an irq_line, loopback. The core does
 * not know its bus or its host side: bytes the guest transmits go to a
 * backend callback, and the host pushes received bytes in. Transmission is
 * instantaneous (THR empties at once); the baud rate only shows in the
 * divisor the guest reads back. */
#ifndef HV_LEGACY_UART16550_H
#define HV_LEGACY_UART16550_H

#include <stddef.h>
#include <stdint.h>

#include "hv/core/byte_sink.h"
#include "hv/core/bus.h"
#include "hv/core/device.h"
#include "hv/core/irq.h"

/* Register offsets (DLAB selects the divisor latch at 0 and 1). */
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control; bit 7 is DLAB */
#define UART_MCR 4 /* modem control; bit 4 is loopback */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define UART_FIFO_SIZE 16

struct uart16550;

/* backend->tx gets every byte the guest transmits (not in loopback).
 * Returns NULL if out of memory. */
struct uart16550 *uart16550_create(struct irq_line irq, const struct byte_sink *backend);
void uart16550_destroy(struct uart16550 *u);

/* Power-on state. */
void uart16550_reset(struct uart16550 *u);

/* The register file, for bus_register() with len 8. */
extern const struct io_ops uart16550_io_ops;

/* Room in the receive FIFO (what the host may push now): 0 in loopback
 * and while the guest asserts neither DTR nor RTS. */
size_t uart16550_rx_room(const struct uart16550 *u);

/* Host to guest: queues up to len bytes; returns how many were taken. */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *data, size_t len);

/* Its interrupt state in one line, for `hv list -l` (no side effects). */
void uart16550_describe(const struct uart16550 *u, char *s, size_t n);

/* The registry's view (hv/core/device.h) of a struct uart16550. */
extern const struct device_ops uart16550_device_ops;

#endif
