/* pic8259: the master/slave pair driven through its io_ops at PC ports,
 * its inputs through irq_lines and the CPU side through intc_ops. */
#include <check.h>
#include <stdlib.h>

#include "hv/core/state.h"
#include "legacy/pic8259.h"

#include "unit.h"

static struct pic8259 *pic;
static unsigned wakes;

static void on_wake(void *opaque)
{
	(void)opaque;
	wakes++;
}

/* Port I/O at the PC addresses (the wiring's, repeated here). */
static void out(uint16_t port, uint8_t v)
{
	if (port == 0x20 || port == 0x21)
		pic8259_master_io_ops.write(pic, port - 0x20, 1, v);
	else if (port == 0xa0 || port == 0xa1)
		pic8259_slave_io_ops.write(pic, port - 0xa0, 1, v);
	else
		pic8259_elcr_io_ops.write(pic, port - 0x4d0, 1, v);
}

static uint8_t in(uint16_t port)
{
	if (port == 0x20 || port == 0x21)
		return pic8259_master_io_ops.read(pic, port - 0x20, 1);
	if (port == 0xa0 || port == 0xa1)
		return pic8259_slave_io_ops.read(pic, port - 0xa0, 1);
	return pic8259_elcr_io_ops.read(pic, port - 0x4d0, 1);
}

static void irq(int n, int level)
{
	struct irq_line line = pic8259_irq_line(pic, n);

	irq_set(&line, level);
}

static void pulse(int n)
{
	struct irq_line line = pic8259_irq_line(pic, n);

	irq_pulse(&line);
}

static bool pending(void)
{
	return pic8259_intc_ops.pending(pic);
}

static int ack(void)
{
	return pic8259_intc_ops.ack(pic);
}

/* SeaBIOS's pic_setup(): vectors 08h and 70h, slave on IR2, 8086 mode. */
static void init_seabios(void)
{
	out(0x20, 0x11);
	out(0x21, 0x08);
	out(0x21, 0x04);
	out(0x21, 0x01);
	out(0xa0, 0x11);
	out(0xa1, 0x70);
	out(0xa1, 0x02);
	out(0xa1, 0x01);
	out(0x21, 0xfb);
	out(0xa1, 0xff);
}

/* Linux's init_8259A(): masks first, vectors 30h/38h, optional AEOI. */
static void init_linux(bool auto_eoi)
{
	out(0x21, 0xff);
	out(0xa1, 0xff);
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 0x04);
	out(0x21, auto_eoi ? 0x03 : 0x01);
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 0x02);
	out(0xa1, 0x01);
	out(0x21, 0x00);
	out(0xa1, 0x00);
}

static void setup(void)
{
	wakes = 0;
	pic = pic8259_create(on_wake, NULL);
	ck_assert_ptr_nonnull(pic);
}

static void teardown(void)
{
	pic8259_destroy(pic);
}

static void unmask_all(void)
{
	out(0x21, 0x00);
	out(0xa1, 0x00);
}

START_TEST(test_powerOn_masksEveryInputUntilProgrammed)
{
	pulse(0);
	irq(4, 1);
	ck_assert(!pending());
	ck_assert_uint_eq(in(0x21), 0xff);
	ck_assert_uint_eq(wakes, 0);
}
END_TEST

START_TEST(test_seabiosInit_deliversIrq0AtVector08AndIrq8At70)
{
	init_seabios();
	ck_assert_uint_eq(in(0x21), 0xfb);
	out(0x21, 0xfa);
	out(0xa1, 0xfe);
	pulse(0);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x08);
	out(0x20, 0x20);
	pulse(8);
	ck_assert_int_eq(ack(), 0x70);
}
END_TEST

START_TEST(test_linuxInit_imrProbeReadsBackAndVectorsAre30And38)
{
	init_linux(false);
	out(0xa1, 0xff);
	ck_assert_uint_eq(in(0xa1), 0xff);
	out(0xa1, 0x00);
	ck_assert_uint_eq(in(0xa1), 0x00);
	pulse(1);
	ck_assert_int_eq(ack(), 0x31);
	pulse(14);
	out(0x20, 0x20);
	ck_assert_int_eq(ack(), 0x3e);
}
END_TEST

START_TEST(test_afterIcw1_commandPortReadsIrr)
{
	init_seabios();
	out(0x21, 0xff); /* masked inputs still latch in IRR */
	pulse(3);
	ck_assert_uint_eq(in(0x20), 0x08);
	ck_assert(!pending());
}
END_TEST

START_TEST(test_mask_holdsRequestUntilUnmasked)
{
	init_seabios();
	out(0x21, 0xff);
	pulse(5);
	ck_assert(!pending());
	ck_assert_uint_eq(wakes, 0);
	out(0x21, 0xdf);
	ck_assert(pending());
	ck_assert_uint_eq(wakes, 1);
	ck_assert_int_eq(ack(), 0x0d);
}
END_TEST

START_TEST(test_priority_lowestInputWinsAndInServiceBlocksLower)
{
	init_seabios();
	unmask_all();
	pulse(6);
	pulse(3);
	ck_assert_int_eq(ack(), 0x0b);
	ck_assert(!pending()); /* IRQ6 waits behind IRQ3 in service */
	pulse(1);
	ck_assert(pending()); /* a higher one nests */
	ck_assert_int_eq(ack(), 0x09);
	out(0x20, 0x0b); /* OCW3: read ISR */
	ck_assert_uint_eq(in(0x20), 0x0a);
	out(0x20, 0x20); /* ends IRQ1 */
	ck_assert_uint_eq(in(0x20), 0x08);
	ck_assert(!pending());
	out(0x20, 0x20); /* ends IRQ3 */
	ck_assert_int_eq(ack(), 0x0e);
}
END_TEST

START_TEST(test_specificEoi_clearsOnlyThatLevel)
{
	init_seabios();
	unmask_all();
	pulse(4);
	ck_assert_int_eq(ack(), 0x0c);
	pulse(2 + 1);
	ck_assert_int_eq(ack(), 0x0b);
	out(0x20, 0x64); /* specific EOI for IRQ4 */
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x08);
	out(0x20, 0x40); /* no-op OCW2 */
	ck_assert_uint_eq(in(0x20), 0x08);
}
END_TEST

START_TEST(test_eoiWithNothingInService_isIgnored)
{
	init_seabios();
	unmask_all();
	out(0x20, 0x20);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x00);
	pulse(7);
	ck_assert_int_eq(ack(), 0x0f);
}
END_TEST

START_TEST(test_rotateOnEoi_makesServicedInputLowest)
{
	init_seabios();
	unmask_all();
	pulse(1);
	ck_assert_int_eq(ack(), 0x09);
	out(0x20, 0xa0); /* rotate on non-specific EOI */
	pulse(0);
	pulse(3);
	/* Priority now runs 2,3,...,7,0,1: IRQ3 beats IRQ0. */
	ck_assert_int_eq(ack(), 0x0b);
	out(0x20, 0xe3); /* rotate on specific EOI 3: 4 is now highest */
	pulse(5);
	ck_assert_int_eq(ack(), 0x0d);
}
END_TEST

START_TEST(test_setPriority_choosesLowestInput)
{
	init_seabios();
	unmask_all();
	out(0x20, 0xc4); /* IRQ4 lowest, so IRQ5 highest */
	pulse(0);
	pulse(6);
	pulse(4);
	ck_assert_int_eq(ack(), 0x0e);
	out(0x20, 0x20);
	ck_assert_int_eq(ack(), 0x08);
	out(0x20, 0x20);
	ck_assert_int_eq(ack(), 0x0c);
}
END_TEST

START_TEST(test_autoEoi_leavesIsrClearAndRotatesWhenAsked)
{
	init_linux(true);
	pulse(2 + 1);
	ck_assert_int_eq(ack(), 0x33);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x00);
	pulse(6);
	ck_assert_int_eq(ack(), 0x36); /* nothing in service to block it */
	out(0x20, 0x80);	       /* rotate in AEOI mode */
	pulse(1);
	ck_assert_int_eq(ack(), 0x31);
	pulse(0);
	pulse(2 + 1);
	ck_assert_int_eq(ack(), 0x33); /* IRQ1 went lowest: 2,3.. lead */
}
END_TEST

START_TEST(test_cascade_slaveNeedsBothEoisAndSitsAtIr2Priority)
{
	init_seabios();
	unmask_all();
	pulse(10);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x72);
	out(0x20, 0x0b);
	out(0xa0, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x04);
	ck_assert_uint_eq(in(0xa0), 0x04);
	pulse(3);
	ck_assert(!pending()); /* IR2 in service outranks IRQ3 */
	pulse(1);
	ck_assert_int_eq(ack(), 0x09);
	out(0x20, 0x20);
	pulse(12);
	ck_assert(!pending()); /* master IR2 still in service */
	out(0xa0, 0x20);
	out(0x20, 0x20);
	ck_assert_int_eq(ack(), 0x74); /* slave (IR2) before IRQ3 */
	out(0xa0, 0x20);
	out(0x20, 0x20);
	ck_assert_int_eq(ack(), 0x0b);
}
END_TEST

START_TEST(test_cascade_maskedSlaveInputDoesNotReachMaster)
{
	init_seabios();
	out(0x21, 0xfb);
	out(0xa1, 0xfe);
	pulse(9);
	ck_assert(!pending());
	out(0x20, 0x0a);
	ck_assert_uint_eq(in(0x20), 0x00);
	out(0xa1, 0x00);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x71);
}
END_TEST

START_TEST(test_sfnm_letsHigherSlaveInputNest)
{
	init_seabios();
	unmask_all();
	out(0x20, 0x11);
	out(0x21, 0x08);
	out(0x21, 0x04);
	out(0x21, 0x11); /* SFNM */
	pulse(12);
	ck_assert_int_eq(ack(), 0x74);
	pulse(9);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x71);
}
END_TEST

START_TEST(test_edge_firesOncePerRisingEdge)
{
	init_seabios();
	unmask_all();
	irq(3, 1);
	ck_assert_int_eq(ack(), 0x0b);
	out(0x20, 0x20);
	ck_assert(!pending()); /* still high, but no new edge */
	irq(3, 0);
	irq(3, 1);
	ck_assert_int_eq(ack(), 0x0b);
}
END_TEST

START_TEST(test_level_refiresAfterEoiWhileHighAndDropsWithLine)
{
	init_seabios();
	unmask_all();
	out(0x4d0, 0x08);
	ck_assert_uint_eq(in(0x4d0), 0x08);
	irq(3, 1);
	ck_assert_int_eq(ack(), 0x0b);
	out(0x20, 0x20);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x0b);
	irq(3, 0);
	out(0x20, 0x20);
	ck_assert(!pending());
}
END_TEST

START_TEST(test_elcr_reservedBitsReadZero)
{
	out(0x4d0, 0xff);
	out(0x4d1, 0xff);
	ck_assert_uint_eq(in(0x4d0), 0xf8);
	ck_assert_uint_eq(in(0x4d1), 0xde);
	ck_assert_uint_eq(pic8259_elcr_io_ops.read(pic, 0, 2), 0xdef8);
}
END_TEST

START_TEST(test_ltim_makesEveryInputLevel)
{
	out(0x20, 0x19);
	out(0x21, 0x08);
	out(0x21, 0x04);
	out(0x21, 0x01);
	irq(0, 1);
	ck_assert_int_eq(ack(), 0x08);
	out(0x20, 0x20);
	ck_assert(pending());
	irq(0, 0);
	ck_assert(!pending());
}
END_TEST

START_TEST(test_spurious_masterGivesIrq7WithoutIsr)
{
	init_seabios();
	unmask_all();
	out(0x4d0, 0x20);
	irq(5, 1);
	ck_assert(pending());
	irq(5, 0); /* gone before INTA */
	ck_assert_int_eq(ack(), 0x0f);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x00);
}
END_TEST

START_TEST(test_spurious_slaveGivesIrq15WithMasterIr2InService)
{
	init_seabios();
	unmask_all();
	pulse(11);
	ck_assert(pending());
	out(0xa1, 0x08); /* gone from the slave; the master latched IR2 */
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x77);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x04); /* needs the master's EOI only */
	out(0xa0, 0x0b);
	ck_assert_uint_eq(in(0xa0), 0x00);
	out(0x20, 0x20);
	out(0xa1, 0x00);
	ck_assert_int_eq(ack(), 0x73);
}
END_TEST

START_TEST(test_cascade_secondSlaveRequestRelatchesIr2)
{
	init_linux(true);
	out(0xa0, 0x11); /* the slave in AEOI too: it presents its next input */
	out(0xa1, 0x38); /* at once, while its INT never fell on its own */
	out(0xa1, 0x02);
	out(0xa1, 0x03);
	pulse(9);
	pulse(10);
	ck_assert_int_eq(ack(), 0x39);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x3a);
	ck_assert(!pending());
}
END_TEST

START_TEST(test_poll_actsAsAckAndReportsInput)
{
	init_seabios();
	unmask_all();
	out(0x20, 0x0c);
	ck_assert_uint_eq(in(0x20), 0x00);
	pulse(6);
	out(0x20, 0x0c);
	ck_assert_uint_eq(in(0x20), 0x86);
	ck_assert(!pending());
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x40);
	pulse(13);
	out(0xa0, 0x0c);
	ck_assert_uint_eq(in(0xa0), 0x85);
	out(0x20, 0x0a);
	ck_assert_uint_eq(in(0x20), 0x04); /* the master latched IR2 regardless */
}
END_TEST

START_TEST(test_specialMask_letsLowerInputsPastMaskedInService)
{
	init_seabios();
	unmask_all();
	pulse(3);
	ck_assert_int_eq(ack(), 0x0b);
	pulse(5);
	ck_assert(!pending());
	out(0x21, 0x08);
	out(0x20, 0x68); /* set special mask mode */
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x0d);
	out(0x20, 0x48); /* reset special mask mode */
	out(0x21, 0x00);
	pulse(6);
	ck_assert(!pending());
}
END_TEST

START_TEST(test_wake_calledOnlyWhenOutputRises)
{
	init_seabios();
	unmask_all();
	ck_assert_uint_eq(wakes, 0);
	pulse(4);
	ck_assert_uint_eq(wakes, 1);
	pulse(6);
	ck_assert_uint_eq(wakes, 1); /* INT already high */
	ck_assert_int_eq(ack(), 0x0c);
	out(0x20, 0x20);
	ck_assert_uint_eq(wakes, 2);
}
END_TEST

START_TEST(test_reset_returnsToMaskedPowerOnState)
{
	init_linux(false);
	pulse(0);
	pic8259_reset(pic);
	ck_assert(!pending());
	ck_assert_uint_eq(in(0x21), 0xff);
	ck_assert_uint_eq(in(0x4d0), 0x00);
}
END_TEST

START_TEST(test_wordAccess_splitsIntoBothPorts)
{
	init_seabios();
	pic8259_master_io_ops.write(pic, 0, 2, 0xa50b); /* OCW3 read ISR, IMR a5 */
	ck_assert_uint_eq(in(0x21), 0xa5);
	ck_assert_uint_eq(pic8259_master_io_ops.read(pic, 0, 2), 0xa500);
}
END_TEST

static bool vector_valid(int v)
{
	const struct pic8259_chip *m = &pic->chip[0], *s = &pic->chip[1];

	return (v & 0xf8) == m->vector_base || (v & 0xf8) == s->vector_base;
}

START_TEST(test_fuzz_randomProgrammingKeepsInvariants)
{
	static const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1};

	srand(8259);
	for (int round = 0; round < 200000; round++) {
		int op = rand() % 10;
		if (op < 6)
			out(ports[op], (uint8_t)rand());
		else if (op == 6)
			(void)in(ports[rand() % 6]);
		else if (op == 7)
			irq(rand() % 16, rand() & 1);
		else if (pending())
			ck_assert(vector_valid(ack()));
		ck_assert_uint_eq(pic->chip[0].elcr & ~0xf8, 0);
		ck_assert_uint_eq(pic->chip[1].elcr & ~0xde, 0);
		ck_assert_uint_le(pic->chip[0].top, 7);
		ck_assert_int_eq(pic->chip[0].out, pending());
		ck_assert_int_eq(pic->chip[0].init <= PIC_ICW4, 1);
	}
}
END_TEST

/* Save and load (device ops): a programmed pair with a request pending
 * and one in service comes back in a fresh pair exactly, and a state with
 * an out-of-range rotation or init step, or cut short, is refused with
 * the pair unchanged. */
START_TEST(test_saveLoad_bringsBackRequestsAndModes)
{
	struct pic8259 *saved = pic;
	struct state_out o = {0};
	struct state_in st;

	init_seabios();
	out(0x21, 0xf8); /* IRQ0-2 unmasked */
	pulse(0);
	ck_assert_int_eq(ack(), 0x08); /* IRQ0 in service */
	pulse(1);		       /* IRQ1 pending behind it */
	pic8259_device_ops.save(saved, &o);
	ck_assert(!o.failed);
	pic = pic8259_create(on_wake, NULL);
	st = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(pic8259_device_ops.load(pic, &st, 1), -1);
	ck_assert_uint_eq(in(0x21), 0xff); /* unchanged: power-on, all masked */
	o.p[7] = 8;			   /* the master's top: 0-7 */
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(pic8259_device_ops.load(pic, &st, 1), -1);
	o.p[7] = 0;
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(pic8259_device_ops.load(pic, &st, 1), 0);
	ck_assert_uint_eq(in(0x21), 0xf8);
	out(0x20, 0x0b); /* OCW3: read ISR */
	ck_assert_uint_eq(in(0x20), 0x01);
	ck_assert(!pending()); /* IRQ1 waits for IRQ0's EOI */
	out(0x20, 0x20);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x09);
	pic8259_destroy(pic);
	pic = saved;
	state_out_free(&o);
}
END_TEST

/* A stand-in for KVM's in-kernel pair (intc_ops.offload): its registers
 * and the input levels it was driven to. */
static struct intc_chip_regs eng_regs[2];
static int eng_levels[PIC_INPUTS];
static unsigned eng_puts, eng_sets;

static void eng_set_irq(void *engine, int n, int level)
{
	(void)engine;
	ck_assert_int_ge(n, 0);
	ck_assert_int_lt(n, PIC_INPUTS);
	eng_levels[n] = level;
	eng_sets++;
}

static int eng_get(void *engine, struct intc_chip_regs regs[2])
{
	(void)engine;
	regs[0] = eng_regs[0];
	regs[1] = eng_regs[1];
	return 0;
}

static int eng_put(void *engine, const struct intc_chip_regs regs[2])
{
	(void)engine;
	eng_regs[0] = regs[0];
	eng_regs[1] = regs[1];
	eng_puts++;
	return 0;
}

static const struct intc_engine_ops eng_ops = {eng_set_irq, eng_get, eng_put};

/* Handed to the engine, the pair gives it its programmed state and input
 * levels, forwards inputs instead of raising INT itself, saves what the
 * engine holds (a later load into a plain pair resumes from it), answers
 * the PIT's question from it, resets it, and takes its state back. */
START_TEST(test_offload_engineRunsThePairAndSaveReadsItBack)
{
	struct state_out o = {0};
	struct state_in st;
	struct pic8259 *saved = pic;

	eng_puts = eng_sets = 0;
	init_seabios();
	out(0x21, 0xf8);
	pulse(0);
	ck_assert_int_eq(ack(), 0x08); /* IRQ0 in service */
	pulse(1);		       /* IRQ1 waits */
	irq(9, 1);		       /* a level held high */
	pic8259_intc_ops.offload(pic, &eng_ops, NULL);
	ck_assert_uint_eq(eng_puts, 1);
	ck_assert_uint_eq(eng_regs[0].isr, 0x01);
	ck_assert_uint_eq(eng_regs[0].irr & 0x02, 0x02);
	ck_assert_uint_eq(eng_regs[0].imr, 0xf8);
	ck_assert_uint_eq(eng_regs[0].vector_base, 0x08);
	ck_assert_uint_eq(eng_regs[1].vector_base, 0x70);
	ck_assert(eng_regs[0].icw4_needed);
	ck_assert_uint_eq(eng_regs[0].init, PIC_READY);
	ck_assert_uint_eq(eng_sets, PIC_INPUTS - 1); /* every input but the cascade */
	ck_assert_int_eq(eng_levels[9], 1);
	ck_assert_int_eq(eng_levels[1], 0);
	ck_assert(!pending()); /* the engine delivers */
	irq(5, 1);
	ck_assert_int_eq(eng_levels[5], 1);
	/* the guest's EOI, in the engine */
	eng_regs[0].isr = 0;
	ck_assert(pic8259_requested(pic, 1));
	eng_regs[0].irr &= (uint8_t)~0x02;
	ck_assert(!pic8259_requested(pic, 1));
	eng_regs[0].irr |= 0x02;
	pic8259_device_ops.save(pic, &o);
	ck_assert(!o.failed);
	pic = pic8259_create(on_wake, NULL);
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(pic8259_device_ops.load(pic, &st, 1), 0);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x09); /* IRQ1, nothing in service any more */
	pic8259_destroy(pic);
	pic = saved;
	state_out_free(&o);
	/* a reset goes to the engine; taking the pair back keeps its state */
	pic8259_device_ops.reset(pic);
	ck_assert_uint_eq(eng_puts, 2);
	ck_assert_uint_eq(eng_regs[0].imr, 0xff);
	eng_regs[0].imr = 0x00;
	eng_regs[0].vector_base = 0x20;
	eng_regs[0].irr = 0x01;
	pic8259_intc_ops.offload(pic, NULL, NULL);
	ck_assert_uint_eq(in(0x21), 0x00);
	ck_assert(pending());
	ck_assert_int_eq(ack(), 0x20);
}
END_TEST

static Suite *pic_suite(void)
{
	Suite *s = suite_create("pic8259");
	TCase *t = tcase_create("pic");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_powerOn_masksEveryInputUntilProgrammed);
	tcase_add_test(t, test_seabiosInit_deliversIrq0AtVector08AndIrq8At70);
	tcase_add_test(t, test_linuxInit_imrProbeReadsBackAndVectorsAre30And38);
	tcase_add_test(t, test_afterIcw1_commandPortReadsIrr);
	tcase_add_test(t, test_mask_holdsRequestUntilUnmasked);
	tcase_add_test(t, test_priority_lowestInputWinsAndInServiceBlocksLower);
	tcase_add_test(t, test_specificEoi_clearsOnlyThatLevel);
	tcase_add_test(t, test_eoiWithNothingInService_isIgnored);
	tcase_add_test(t, test_rotateOnEoi_makesServicedInputLowest);
	tcase_add_test(t, test_setPriority_choosesLowestInput);
	tcase_add_test(t, test_autoEoi_leavesIsrClearAndRotatesWhenAsked);
	tcase_add_test(t, test_cascade_slaveNeedsBothEoisAndSitsAtIr2Priority);
	tcase_add_test(t, test_cascade_maskedSlaveInputDoesNotReachMaster);
	tcase_add_test(t, test_sfnm_letsHigherSlaveInputNest);
	tcase_add_test(t, test_edge_firesOncePerRisingEdge);
	tcase_add_test(t, test_level_refiresAfterEoiWhileHighAndDropsWithLine);
	tcase_add_test(t, test_elcr_reservedBitsReadZero);
	tcase_add_test(t, test_ltim_makesEveryInputLevel);
	tcase_add_test(t, test_spurious_masterGivesIrq7WithoutIsr);
	tcase_add_test(t, test_spurious_slaveGivesIrq15WithMasterIr2InService);
	tcase_add_test(t, test_cascade_secondSlaveRequestRelatchesIr2);
	tcase_add_test(t, test_poll_actsAsAckAndReportsInput);
	tcase_add_test(t, test_specialMask_letsLowerInputsPastMaskedInService);
	tcase_add_test(t, test_wake_calledOnlyWhenOutputRises);
	tcase_add_test(t, test_reset_returnsToMaskedPowerOnState);
	tcase_add_test(t, test_wordAccess_splitsIntoBothPorts);
	tcase_add_test(t, test_fuzz_randomProgrammingKeepsInvariants);
	tcase_add_test(t, test_saveLoad_bringsBackRequestsAndModes);
	tcase_add_test(t, test_offload_engineRunsThePairAndSaveReadsItBack);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(pic_suite());
}
