/* Intel 8259A, after its datasheet, in the pair a PC/AT has, with the
 * edge/level control registers of the PIIX south bridge. Priorities are
 * kept as a rotation (`top` is the input that wins); every change of state
 * ends in update(), which recomputes the slave's INT, the master's IR2 and
 * the master's INT, and wakes the CPU on a rising edge. */
#include "legacy/pic8259.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"
#include "hv/core/state.h"

#define ICW1_IC4  0x01
#define ICW1_SNGL 0x02
#define ICW1_LTIM 0x08
#define ICW1_INIT 0x10 /* a command-port write with bit 4 set is ICW1 */

#define ICW4_UPM  0x01 /* 8086 mode (clear: MCS-80/85 mode) */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10

#define OCW3_SEL  0x08 /* a command-port write with bit 3 set is OCW3 */
#define OCW3_RIS  0x01
#define OCW3_RR	  0x02
#define OCW3_POLL 0x04
#define OCW3_SMM  0x20
#define OCW3_ESMM 0x40

#define POLL_INT 0x80 /* poll byte: an interrupt was pending */

/* PIIX: IRQ 0, 1, 2, 8 and 13 are edge-only; their ELCR bits read 0. */
#define MASTER_ELCR_MASK 0xf8
#define SLAVE_ELCR_MASK	 0xde

#define CASCADE_BIT (1u << PIC_CASCADE_IRQ)

static uint8_t bit(int n)
{
	return (uint8_t)(1u << (n & 7));
}

/* Inputs whose IRR bit follows the pin rather than latching edges. */
static uint8_t level_inputs(const struct pic8259_chip *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/* Rank of the highest-priority input set in mask (0 is input `top`), 8 if
 * none. */
static int rank(const struct pic8259_chip *c, uint8_t mask)
{
	for (int r = 0; r < 8; r++)
		if (mask & bit(r + c->top))
			return r;
	return 8;
}

/* The input this chip would present at INTA, or -1. */
static int chip_request(const struct pic8259_chip *c)
{
	int want = rank(c, c->irr & ~c->imr);
	uint8_t busy = c->isr;

	if (want == 8)
		return -1;
	if (c->special_mask)
		busy &= ~c->imr;
	if (c->sfnm)
		busy &= ~c->cascade;
	if (want >= rank(c, busy))
		return -1;
	return (want + c->top) & 7;
}

/* Why the edge latch differs from the chip: a real 8259A forgets an edge
 * whose line falls before INTA (and then answers with IRQ7). Devices here
 * pulse a line in zero time, so the request stays latched until INTA. */
static void chip_input(struct pic8259_chip *c, int n, int level)
{
	uint8_t b = bit(n);
	bool was = c->pins & b;

	c->pins = level ? c->pins | b : c->pins & ~b;
	if (level_inputs(c) & b)
		c->irr = level ? c->irr | b : c->irr & ~b;
	else if (level && !was)
		c->irr |= b;
}

/* Level-triggered requests follow the pins again after a mode change. */
static void sync_levels(struct pic8259_chip *c)
{
	uint8_t lv = level_inputs(c);

	c->irr = (c->irr & ~lv) | (c->pins & lv);
}

/* INTA (or a poll) on one chip for input n. */
static void chip_ack(struct pic8259_chip *c, int n)
{
	if (c->auto_eoi) {
		if (c->rotate_aeoi)
			c->top = (n + 1) & 7;
	} else {
		c->isr |= bit(n);
	}
	if (!(level_inputs(c) & bit(n)))
		c->irr &= ~bit(n);
}

static void update(struct pic8259 *pic)
{
	struct pic8259_chip *m = &pic->chip[0], *s = &pic->chip[1];
	bool was = m->out;

	s->out = chip_request(s) >= 0;
	chip_input(m, PIC_CASCADE_IRQ, s->out);
	m->out = chip_request(m) >= 0;
	if (m->out && !was && pic->wake)
		pic->wake(pic->wake_opaque);
}

static void chip_reset(struct pic8259_chip *c, bool master)
{
	uint8_t pins = c->pins;

	*c = (struct pic8259_chip){0};
	c->pins = pins;
	c->is_master = master;
	c->elcr_mask = master ? MASTER_ELCR_MASK : SLAVE_ELCR_MASK;
	c->cascade = master ? CASCADE_BIT : 0;
	/* The datasheet leaves the power-on state undefined; masking every
	 * input keeps a guest that never programs the PIC free of
	 * interrupts. ICW1 clears the mask. */
	c->imr = 0xff;
	sync_levels(c);
}

/* ICW1 starts the sequence and resets what the datasheet lists: the edge
 * sense (a line already high needs a new rising edge), IMR, priorities,
 * special mask, the status read (IRR) and, until ICW4 says otherwise, the
 * ICW4 modes. ISR is cleared as well, as the chip's own reset does. */
static void write_icw1(struct pic8259_chip *c, uint8_t v)
{
	c->icw4_needed = v & ICW1_IC4;
	c->single = v & ICW1_SNGL;
	c->ltim = v & ICW1_LTIM;
	c->cascade = c->is_master && !c->single ? CASCADE_BIT : 0;
	c->imr = 0;
	c->isr = 0;
	c->irr = 0;
	c->top = 0;
	c->special_mask = c->read_isr = c->poll = false;
	c->auto_eoi = c->rotate_aeoi = c->sfnm = false;
	sync_levels(c);
	c->init = PIC_ICW2;
	if (!c->icw4_needed)
		log_guest("pic8259: no ICW4 (MCS-80 mode); running in 8086 mode");
}

/* Clears the highest-priority ISR bit; an EOI with nothing in service is
 * ignored, as on the chip. */
static void nonspecific_eoi(struct pic8259_chip *c, bool rotate)
{
	int r = rank(c, c->isr);
	int n = (r + c->top) & 7;

	if (r == 8)
		return;
	c->isr &= ~bit(n);
	if (rotate)
		c->top = (n + 1) & 7;
}

/* OCW2: R, SL and EOI in bits 7-5, the level in bits 2-0. */
static void write_ocw2(struct pic8259_chip *c, uint8_t v)
{
	int n = v & 7;

	switch (v >> 5) {
	case 0: c->rotate_aeoi = false; break;
	case 1: nonspecific_eoi(c, false); break;
	case 2: break; /* no operation */
	case 3: c->isr &= ~bit(n); break;
	case 4: c->rotate_aeoi = true; break;
	case 5: nonspecific_eoi(c, true); break;
	case 6: c->top = (n + 1) & 7; break;
	default:
		c->isr &= ~bit(n);
		c->top = (n + 1) & 7;
		break;
	}
}

static void write_ocw3(struct pic8259_chip *c, uint8_t v)
{
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	c->poll = v & OCW3_POLL;
}

static void write_cmd(struct pic8259_chip *c, uint8_t v)
{
	if (v & ICW1_INIT)
		write_icw1(c, v);
	else if (v & OCW3_SEL)
		write_ocw3(c, v);
	else
		write_ocw2(c, v);
}

/* The slave sits on master IR2 whatever ICW3 says: that is the board. */
static void write_icw3(struct pic8259_chip *c, uint8_t v)
{
	uint8_t want = c->is_master ? CASCADE_BIT : PIC_CASCADE_IRQ;

	c->icw3 = v;
	if (v != want)
		log_guest("pic8259: ICW3 %#x on the %s; the slave stays on IR2", v,
			  c->is_master ? "master" : "slave");
	c->init = c->icw4_needed ? PIC_ICW4 : PIC_READY;
}

static void write_icw4(struct pic8259_chip *c, uint8_t v)
{
	if (!(v & ICW4_UPM))
		log_guest("pic8259: MCS-80 mode requested; running in 8086 mode");
	c->auto_eoi = v & ICW4_AEOI;
	c->sfnm = v & ICW4_SFNM;
	c->init = PIC_READY;
}

static void write_data(struct pic8259_chip *c, uint8_t v)
{
	switch (c->init) {
	case PIC_READY: c->imr = v; break;
	case PIC_ICW2:
		c->vector_base = v & 0xf8;
		if (!c->single)
			c->init = PIC_ICW3;
		else
			c->init = c->icw4_needed ? PIC_ICW4 : PIC_READY;
		break;
	case PIC_ICW3: write_icw3(c, v); break;
	case PIC_ICW4: write_icw4(c, v); break;
	}
}

/* A poll is an INTA through the command port: the answer is 80h | input,
 * or 0 when nothing is pending. */
static uint8_t chip_poll(struct pic8259 *pic, struct pic8259_chip *c)
{
	int n = chip_request(c);

	if (n < 0)
		return 0;
	chip_ack(c, n);
	update(pic);
	return (uint8_t)(POLL_INT | n);
}

static uint8_t read_reg(struct pic8259 *pic, struct pic8259_chip *c, unsigned reg)
{
	if (reg == PIC_DATA)
		return c->imr;
	if (c->poll) {
		c->poll = false;
		return chip_poll(pic, c);
	}
	return c->read_isr ? c->isr : c->irr;
}

static void write_reg(struct pic8259 *pic, struct pic8259_chip *c, unsigned reg, uint8_t v)
{
	if (reg == PIC_DATA)
		write_data(c, v);
	else
		write_cmd(c, v);
	update(pic);
}

/* Wider accesses are split into bytes: a word at 20h is 20h then 21h. */
static uint64_t window_read(struct pic8259 *pic, int idx, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++) {
		uint64_t b = offset + i < 2 ? read_reg(pic, &pic->chip[idx], offset + i) : 0xff;
		v |= b << (8 * i);
	}
	return v;
}

static void window_write(struct pic8259 *pic, int idx, uint64_t offset, unsigned size,
			 uint64_t value)
{
	for (unsigned i = 0; i < size && offset + i < 2; i++)
		write_reg(pic, &pic->chip[idx], offset + i, (uint8_t)(value >> (8 * i)));
}

static uint64_t master_read(void *opaque, uint64_t offset, unsigned size)
{
	return window_read(opaque, 0, offset, size);
}

static void master_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	window_write(opaque, 0, offset, size, value);
}

static uint64_t slave_read(void *opaque, uint64_t offset, unsigned size)
{
	return window_read(opaque, 1, offset, size);
}

static void slave_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	window_write(opaque, 1, offset, size, value);
}

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pic8259 *pic = opaque;
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(offset + i < 2 ? pic->chip[offset + i].elcr : 0xff) << (8 * i);
	return v;
}

static void elcr_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pic8259 *pic = opaque;

	for (unsigned i = 0; i < size && offset + i < 2; i++) {
		struct pic8259_chip *c = &pic->chip[offset + i];
		c->elcr = (uint8_t)(value >> (8 * i)) & c->elcr_mask;
		sync_levels(c);
	}
	update(pic);
}

const struct io_ops pic8259_master_io_ops = {master_read, master_write};
const struct io_ops pic8259_slave_io_ops = {slave_read, slave_write};
const struct io_ops pic8259_elcr_io_ops = {elcr_read, elcr_write};

/* ---- The engine's copy of the pair (intc_ops.offload) ---------------- */

static void to_regs(const struct pic8259_chip *c, struct intc_chip_regs *r)
{
	*r = (struct intc_chip_regs){
	    .irr = c->irr,
	    .isr = c->isr,
	    .imr = c->imr,
	    .pins = c->pins,
	    .elcr = c->elcr,
	    .vector_base = c->vector_base,
	    .top = c->top,
	    .init = (uint8_t)c->init,
	    .icw4_needed = c->icw4_needed,
	    .auto_eoi = c->auto_eoi,
	    .rotate_aeoi = c->rotate_aeoi,
	    .sfnm = c->sfnm,
	    .special_mask = c->special_mask,
	    .read_isr = c->read_isr,
	    .poll = c->poll,
	};
}

/* The engine's registers into the model (the wiring and the modes the
 * engine does not keep, SNGL, LTIM and ICW3, stay the model's). */
static void from_regs(const struct intc_chip_regs *r, struct pic8259_chip *c)
{
	c->irr = r->irr;
	c->isr = r->isr;
	c->imr = r->imr;
	c->pins = r->pins;
	c->elcr = r->elcr & c->elcr_mask;
	c->vector_base = r->vector_base & 0xf8;
	c->top = r->top & 7;
	c->init = r->init <= PIC_ICW4 ? (enum pic_init_step)r->init : PIC_READY;
	c->icw4_needed = r->icw4_needed;
	c->auto_eoi = r->auto_eoi;
	c->rotate_aeoi = r->rotate_aeoi;
	c->sfnm = r->sfnm;
	c->special_mask = r->special_mask;
	c->read_isr = r->read_isr;
	c->poll = r->poll;
}

/* Refreshes chip[] of pic (or of a copy of it) from the engine. */
static void pull(struct pic8259 *pic)
{
	struct intc_chip_regs r[2];

	if (!pic->eng || pic->eng->get(pic->eng_opaque, r) < 0)
		return;
	from_regs(&r[0], &pic->chip[0]);
	from_regs(&r[1], &pic->chip[1]);
	pic->chip[1].out = chip_request(&pic->chip[1]) >= 0;
	pic->chip[0].out = chip_request(&pic->chip[0]) >= 0;
}

/* Hands chip[] to the engine, then drives its inputs to the pins so that
 * its own idea of each line's level agrees. */
static void push(struct pic8259 *pic)
{
	struct intc_chip_regs r[2];

	if (!pic->eng)
		return;
	to_regs(&pic->chip[0], &r[0]);
	to_regs(&pic->chip[1], &r[1]);
	if (pic->eng->put(pic->eng_opaque, r) < 0)
		return;
	for (int n = 0; n < PIC_INPUTS; n++)
		if (n != PIC_CASCADE_IRQ)
			pic->eng->set_irq(pic->eng_opaque, n,
					  (pic->chip[n >> 3].pins >> (n & 7)) & 1);
}

static void intc_offload(void *opaque, const struct intc_engine_ops *ops, void *engine)
{
	struct pic8259 *pic = opaque;

	pull(pic); /* when taking it back: the engine's state */
	pic->eng = ops;
	pic->eng_opaque = engine;
	if (ops)
		push(pic);
	else
		update(pic);
}

static bool intc_pending(void *opaque)
{
	struct pic8259 *pic = opaque;

	return !pic->eng && pic->chip[0].out;
}

/* INTA: the master picks an input; if it is the cascade, the slave
 * supplies the vector. A request gone since INT rose gives the spurious
 * vector of IRQ7 (master, no ISR bit) or IRQ15 (slave; the master's IR2
 * is in service and needs its EOI). */
static int intc_ack(void *opaque)
{
	struct pic8259 *pic = opaque;
	struct pic8259_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int n = chip_request(m), vector;

	if (pic->eng) /* the engine acknowledges its own */
		return m->vector_base | 7;
	if (n < 0)
		return m->vector_base | 7;
	if (m->cascade & bit(n)) {
		int sn = chip_request(s);
		if (sn >= 0)
			chip_ack(s, sn);
		vector = s->vector_base | (sn >= 0 ? sn : 7);
		/* The slave drops INT during INTA; update() raises it again
		 * if it has more, giving the master the edge it latches. */
		chip_input(m, PIC_CASCADE_IRQ, 0);
	} else {
		vector = m->vector_base | n;
	}
	chip_ack(m, n);
	pic->acks[n]++;
	update(pic);
	return vector;
}

const struct intc_ops pic8259_intc_ops = {intc_pending, intc_ack, intc_offload};

static void line_set(void *opaque, int pin, int level)
{
	pic8259_set_irq(opaque, pin, level);
}

/* Drives input n; out-of-range inputs are a wiring bug, logged once. */
void pic8259_set_irq(struct pic8259 *pic, int n, int level)
{
	if (n < 0 || n >= PIC_INPUTS || n == PIC_CASCADE_IRQ) {
		log_guest("pic8259: no input %d", n);
		return;
	}
	if (pic->eng) {
		pic->eng->set_irq(pic->eng_opaque, n, level != 0);
		return;
	}
	chip_input(&pic->chip[n >> 3], n & 7, level != 0);
	update(pic);
}

bool pic8259_requested(const struct pic8259 *pic, int n)
{
	struct intc_chip_regs r[2];

	if (n < 0 || n >= PIC_INPUTS)
		return false;
	if (pic->eng && pic->eng->get(pic->eng_opaque, r) == 0)
		return (r[n >> 3].irr >> (n & 7)) & 1;
	return (pic->chip[n >> 3].irr >> (n & 7)) & 1;
}

/* The irq_line for input n (0-15). */
struct irq_line pic8259_irq_line(struct pic8259 *pic, int n)
{
	return (struct irq_line){line_set, pic, n};
}

/* Allocates the pair in its power-on state. */
struct pic8259 *pic8259_create(void (*wake)(void *opaque), void *opaque)
{
	struct pic8259 *pic = calloc(1, sizeof *pic);

	if (!pic)
		return NULL;
	pic->wake = wake;
	pic->wake_opaque = opaque;
	pic8259_reset(pic);
	return pic;
}

/* Frees the pair; the caller unregisters it from the bus first. */
void pic8259_destroy(struct pic8259 *pic)
{
	free(pic);
}

/* Power-on state of both chips and the ELCR; input levels are kept. */
void pic8259_reset(struct pic8259 *pic)
{
	pull(pic); /* the input levels, which a reset keeps */
	chip_reset(&pic->chip[0], true);
	chip_reset(&pic->chip[1], false);
	update(pic);
	push(pic);
}

static void pic8259_dev_reset(void *dev)
{
	pic8259_reset(dev);
}

/* Where a guest that waits for an interrupt forever is stuck: a request
 * masked, an IRQ in service never ended (master/slave). */
static void pic8259_dev_describe(const void *dev, char *buf, size_t len)
{
	struct pic8259 copy = *(const struct pic8259 *)dev;
	const struct pic8259 *pic = &copy;
	const struct pic8259_chip *c = copy.chip;

	pull(&copy);
	snprintf(buf, len,
		 "irr=%02x/%02x isr=%02x/%02x imr=%02x/%02x int=%d elcr=%02x/%02x "
		 "base=%02x/%02x init=%d/%d acks irq0=%llu irq1=%llu irq4=%llu",
		 c[0].irr, c[1].irr, c[0].isr, c[1].isr, c[0].imr, c[1].imr, c[0].out, c[0].elcr,
		 c[1].elcr, c[0].vector_base, c[1].vector_base, c[0].init == PIC_READY,
		 c[1].init == PIC_READY, (unsigned long long)pic->acks[0],
		 (unsigned long long)pic->acks[1], (unsigned long long)pic->acks[4]);
}

/* Save/restore, version 1: per chip its registers, pins and modes; the
 * wiring (ELCR mask, cascade, master) is the machine's, not the file's. */
static void chip_save(const struct pic8259_chip *c, struct state_out *o)
{
	const uint8_t regs[] = {c->irr, c->isr, c->imr, c->pins, c->elcr, c->vector_base, c->icw3};
	const bool modes[] = {c->icw4_needed,  c->single,      c->ltim,
			      c->auto_eoi,     c->rotate_aeoi, c->sfnm,
			      c->special_mask, c->read_isr,    c->poll};

	state_put_bytes(o, regs, sizeof regs);
	state_put_u8(o, c->top);
	state_put_u8(o, (uint8_t)c->init);
	for (size_t i = 0; i < sizeof modes; i++)
		state_put_bool(o, modes[i]);
}

static void chip_load(struct pic8259_chip *c, struct state_in *in)
{
	uint8_t regs[7], top, init;
	bool *modes[] = {&c->icw4_needed,  &c->single,	    &c->ltim,
			 &c->auto_eoi,	   &c->rotate_aeoi, &c->sfnm,
			 &c->special_mask, &c->read_isr,    &c->poll};

	state_get_bytes(in, regs, sizeof regs);
	top = state_get_u8(in);
	init = state_get_u8(in);
	if (top > 7 || init > PIC_ICW4)
		in->failed = true;
	if (in->failed)
		return;
	c->irr = regs[0];
	c->isr = regs[1];
	c->imr = regs[2];
	c->pins = regs[3];
	c->elcr = regs[4] & c->elcr_mask;
	c->vector_base = regs[5] & 0xf8;
	c->icw3 = regs[6];
	c->top = top;
	c->init = (enum pic_init_step)init;
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		*modes[i] = state_get_bool(in);
}

static void pic8259_dev_save(const void *dev, struct state_out *o)
{
	struct pic8259 copy = *(const struct pic8259 *)dev;

	pull(&copy);
	chip_save(&copy.chip[0], o);
	chip_save(&copy.chip[1], o);
}

static int pic8259_dev_load(void *dev, struct state_in *in, uint32_t from)
{
	struct pic8259 *pic = dev;
	struct pic8259 copy = *pic;

	(void)from;
	chip_load(&copy.chip[0], in);
	chip_load(&copy.chip[1], in);
	if (!state_in_done(in))
		return -1;
	*pic = copy;
	update(pic);
	push(pic);
	return 0;
}

const struct device_ops pic8259_device_ops = {.reset = pic8259_dev_reset,
					      .describe = pic8259_dev_describe,
					      .version = 1,
					      .save = pic8259_dev_save,
					      .load = pic8259_dev_load};
