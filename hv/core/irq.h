/* An interrupt line: a device holds one and raises or lowers it without
 * knowing what is on the other end (a PIC input, an IOAPIC pin, nothing). */
#ifndef HV_IRQ_H
#define HV_IRQ_H

struct irq_line {
	void (*set)(void *opaque, int pin, int level);
	void *opaque;
	int pin;
};

/* Drives the line to level 0 or 1. A line with no handler is a no-op, so a
 * device works unwired (in unit tests, or with its IRQ disabled). */
static inline void irq_set(const struct irq_line *line, int level)
{
	if (line && line->set)
		line->set(line->opaque, line->pin, level);
}

static inline void irq_pulse(const struct irq_line *line)
{
	irq_set(line, 1);
	irq_set(line, 0);
}

#endif
