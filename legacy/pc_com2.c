/* The PC's second serial port: a 16550 at 2F8h on IRQ 3, where the BIOS
 * and every PC operating system look for COM2. */
#include <stdio.h>

#include "legacy/pc.h"

int pc_add_com2(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	if (!h->serial[1].tx)
		return 0;
	pc->com2 = uart16550_create(pic8259_irq_line(pc->pic, PC_COM2_IRQ), &h->serial[1]);
	if (!pc->com2) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (bus_register(&pc->m->pio, PC_COM2_BASE, 8, &uart16550_io_ops, pc->com2, "COM2") < 0) {
		snprintf(err, errlen, "cannot place COM2 at port %#x", PC_COM2_BASE);
		return -1;
	}
	return 0;
}

void pc_free_com2(struct pc *pc)
{
	if (pc->com2)
		uart16550_destroy(pc->com2);
	pc->com2 = NULL;
}

void pc_reset_com2(struct pc *pc)
{
	if (pc->com2)
		uart16550_reset(pc->com2);
}

size_t pc_com2_receive(struct pc *pc, const uint8_t *data, size_t len)
{
	return pc->com2 ? uart16550_receive(pc->com2, data, len) : 0;
}

size_t pc_com2_room(struct pc *pc)
{
	return pc->com2 ? uart16550_rx_room(pc->com2) : 0;
}
