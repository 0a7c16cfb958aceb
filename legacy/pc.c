#include "legacy/pc.h"

#include <stdio.h>
#include <stdlib.h>

static int add_port(struct pc *pc, uint16_t base, uint16_t len, const struct io_ops *ops,
		    void *opaque, const char *name, char *err, size_t errlen)
{
	if (bus_register(&pc->m->pio, base, len, ops, opaque, name) == 0)
		return 0;
	snprintf(err, errlen, "cannot place %s at port %#x", name, base);
	return -1;
}

static int no_memory(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The PIC's INT rose: a vCPU sleeping in HLT must look again. */
static void wake_cpu(void *opaque)
{
	struct pc *pc = opaque;

	machine_kick(pc->m);
}

static int add_pic(struct pc *pc, char *err, size_t errlen)
{
	pc->pic = pic8259_create(wake_cpu, pc);
	if (!pc->pic)
		return no_memory(err, errlen);
	pc->m->intc = &pic8259_intc_ops;
	pc->m->intc_opaque = pc->pic;
	if (add_port(pc, PC_PIC_MASTER_BASE, 2, &pic8259_master_io_ops, pc->pic, "PIC master", err,
		     errlen) < 0 ||
	    add_port(pc, PC_PIC_SLAVE_BASE, 2, &pic8259_slave_io_ops, pc->pic, "PIC slave", err,
		     errlen) < 0)
		return -1;
	return add_port(pc, PC_ELCR_BASE, 2, &pic8259_elcr_io_ops, pc->pic, "ELCR", err, errlen);
}

static int add_timers(struct pc *pc, char *err, size_t errlen)
{
	pc->pit = pit8254_create(&pc->m->clock, pic8259_irq_line(pc->pic, PC_PIT_IRQ));
	if (!pc->pit)
		return no_memory(err, errlen);
	pc->port_b = pcspk_create(pc->pit, &pc->m->clock);
	if (!pc->port_b)
		return no_memory(err, errlen);
	if (add_port(pc, PC_PIT_BASE, 4, &pit8254_io_ops, pc->pit, "PIT", err, errlen) < 0)
		return -1;
	return add_port(pc, PC_PORT_B, 1, &pcspk_io_ops, pc->port_b, "port B", err, errlen);
}

static int add_rtc(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	pc->rtc = rtc146818_create(&pc->m->clock, pic8259_irq_line(pc->pic, PC_RTC_IRQ),
				   rtc146818_host_time(h->rtc_localtime), PC_RTC_CENTURY);
	if (!pc->rtc)
		return no_memory(err, errlen);
	return add_port(pc, PC_RTC_BASE, 2, &rtc146818_io_ops, pc->rtc, "RTC", err, errlen);
}

static int add_com1(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	if (!h->com1.tx)
		return 0;
	pc->com1 = uart16550_create(pic8259_irq_line(pc->pic, PC_COM1_IRQ), &h->com1);
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
	if (add_pic(pc, err, errlen) < 0 || add_timers(pc, err, errlen) < 0 ||
	    add_rtc(pc, hooks, err, errlen) < 0 || add_com1(pc, hooks, err, errlen) < 0 ||
	    add_debug_devices(pc, hooks, err, errlen) < 0) {
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
	rtc146818_destroy(pc->rtc);
	pcspk_destroy(pc->port_b);
	pit8254_destroy(pc->pit);
	if (pc->m->intc_opaque == pc->pic) {
		pc->m->intc = NULL;
		pc->m->intc_opaque = NULL;
	}
	pic8259_destroy(pc->pic);
	free(pc);
}

void pc_reset(struct pc *pc)
{
	pic8259_reset(pc->pic);
	pit8254_reset(pc->pit);
	pcspk_reset(pc->port_b);
	rtc146818_reset(pc->rtc);
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
