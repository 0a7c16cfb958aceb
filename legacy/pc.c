#include "legacy/pc.h"

#include <stdio.h>
#include <stdlib.h>

/* No interrupt controller yet: COM1's line goes nowhere. */
static const struct irq_line no_irq;

static int add_port(struct pc *pc, uint16_t base, uint16_t len, const struct io_ops *ops,
		    void *opaque, const char *name, char *err, size_t errlen)
{
	if (bus_register(&pc->m->pio, base, len, ops, opaque, name) == 0)
		return 0;
	snprintf(err, errlen, "cannot place %s at port %#x", name, base);
	return -1;
}

static int add_com1(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	if (!h->com1.tx)
		return 0;
	pc->com1 = uart16550_create(no_irq, &h->com1);
	if (!pc->com1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return add_port(pc, PC_COM1_BASE, 8, &uart16550_io_ops, pc->com1, "COM1", err, errlen);
}

static int add_debug_devices(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	pc->post = (struct post_port){.changed = h->post, .opaque = h->opaque};
	pc->exit = (struct debug_exit){.poweroff = h->poweroff, .opaque = h->opaque};
	if (add_port(pc, PC_POST_PORT, 1, &post_port_io_ops, &pc->post, "POST port", err, errlen) <
		0 ||
	    add_port(pc, PC_DEBUG_EXIT_PORT, 2, &debug_exit_io_ops, &pc->exit, "debug exit", err,
		     errlen) < 0)
		return -1;
	if (!h->debugcon.tx)
		return 0;
	pc->debugcon.out = h->debugcon;
	return add_port(pc, PC_DEBUGCON_PORT, 1, &debugcon_io_ops, &pc->debugcon, "debugcon", err,
			errlen);
}

struct pc *pc_create(struct machine *m, const struct pc_hooks *hooks, char *err, size_t errlen)
{
	struct pc *pc = calloc(1, sizeof *pc);

	if (!pc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pc->m = m;
	if (add_com1(pc, hooks, err, errlen) < 0 || add_debug_devices(pc, hooks, err, errlen) < 0) {
		pc_free(pc);
		return NULL;
	}
	return pc;
}

void pc_free(struct pc *pc)
{
	if (!pc)
		return;
	if (pc->com1)
		uart16550_destroy(pc->com1);
	free(pc);
}

void pc_reset(struct pc *pc)
{
	if (pc->com1)
		uart16550_reset(pc->com1);
}

size_t pc_com1_receive(struct pc *pc, const uint8_t *data, size_t len)
{
	return pc->com1 ? uart16550_receive(pc->com1, data, len) : 0;
}

size_t pc_com1_room(struct pc *pc)
{
	return pc->com1 ? uart16550_rx_room(pc->com1) : 0;
}
