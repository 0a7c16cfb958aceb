/* The PC's serial ports: 16550s where the BIOS and every PC operating
 * system look for COM1 (3F8h, IRQ 4) and COM2 (2F8h, IRQ 3). A port
 * exists when the domain listens to what the guest sends on it. */
#include <stdio.h>

#include "legacy/pc_int.h"

static const uint16_t serial_base[PC_SERIAL_PORTS] = {0x3F8, 0x2F8};
static const int serial_irq[PC_SERIAL_PORTS] = {4, 3};
static const char *const serial_name[PC_SERIAL_PORTS] = {"COM1", "COM2"};

static int add_port(struct pc *pc, unsigned i, const struct byte_sink *out, char *err,
		    size_t errlen)
{
	const char *name = serial_name[i];

	pc->serial[i] = uart16550_create(pic8259_irq_line(pc->pic, serial_irq[i]), out);
	if (!pc->serial[i]) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (bus_register(&pc->m->pio, serial_base[i], 8, &uart16550_io_ops, pc->serial[i], name) <
	    0) {
		snprintf(err, errlen, "cannot place %s at port %#x", name, serial_base[i]);
		return -1;
	}
	return 0;
}

int pc_add_serial(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	for (unsigned i = 0; i < PC_SERIAL_PORTS; i++)
		if (h->serial[i].tx && add_port(pc, i, &h->serial[i], err, errlen) < 0)
			return -1;
	return 0;
}

void pc_free_serial(struct pc *pc)
{
	for (unsigned i = 0; i < PC_SERIAL_PORTS; i++) {
		if (pc->serial[i])
			uart16550_destroy(pc->serial[i]);
		pc->serial[i] = NULL;
	}
}

size_t pc_serial_receive(struct pc *pc, unsigned i, const uint8_t *data, size_t len)
{
	if (i >= PC_SERIAL_PORTS || !pc->serial[i])
		return 0;
	return uart16550_receive(pc->serial[i], data, len);
}

size_t pc_serial_room(struct pc *pc, unsigned i)
{
	if (i >= PC_SERIAL_PORTS || !pc->serial[i])
		return 0;
	return uart16550_rx_room(pc->serial[i]);
}
