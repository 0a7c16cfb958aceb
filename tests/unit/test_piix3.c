/* piix3: identity and PIRQ steering of PCI INTx onto ISA IRQ lines. */
#include <check.h>
#include <string.h>

#include "hv/core/state.h"
#include "legacy/piix3.h"

#include "unit.h"

static int level[16];
static unsigned changes;
static struct piix3 *p;

static void set_line(void *opaque, int pin, int lvl)
{
	(void)opaque;
	level[pin] = lvl;
	changes++;
}

static void setup(void)
{
	struct irq_line lines[16];

	memset(level, 0, sizeof level);
	changes = 0;
	for (int i = 0; i < 16; i++)
		lines[i] = (struct irq_line){.set = set_line, .pin = i};
	p = piix3_create(lines);
	ck_assert_ptr_nonnull(p);
}

static void teardown(void)
{
	piix3_destroy(p);
}

static void write_route(unsigned pirq, uint8_t v)
{
	struct pci_bus bus;

	pci_bus_init(&bus);
	pci_bus_add(&bus, 1, 0, &p->dev);
	pci_config_write(&bus, 1, 0, PIIX3_PIRQRC + pirq, 1, v);
}

START_TEST(test_identifies_as_multifunction_isa_bridge)
{
	ck_assert_uint_eq(pci_get(&p->dev, 0, 4), 0x70008086);
	ck_assert_uint_eq(pci_get(&p->dev, PCI_CLASS_DEVICE, 2), 0x0601);
	ck_assert_uint_eq(pci_get(&p->dev, PCI_HEADER_TYPE, 1), 0x80);
	ck_assert_uint_eq(pci_get(&p->dev, PIIX3_PIRQRC, 4), 0x80808080u);
}
END_TEST

START_TEST(test_unrouted_pirq_raises_nothing)
{
	piix3_pci_irq(p, 3, 0, 1);
	ck_assert_uint_eq(changes, 0);
}
END_TEST

START_TEST(test_routed_pirq_follows_the_swizzle)
{
	write_route(2, 11);	   /* PIRQC */
	piix3_pci_irq(p, 1, 1, 1); /* slot 1 INTB -> PIRQC */
	ck_assert_int_eq(level[11], 1);
	piix3_pci_irq(p, 1, 1, 0);
	ck_assert_int_eq(level[11], 0);
}
END_TEST

START_TEST(test_shared_irq_stays_high_until_every_source_drops)
{
	write_route(0, 10);
	write_route(1, 10);
	piix3_pci_irq(p, 4, 0, 1); /* PIRQA */
	piix3_pci_irq(p, 4, 1, 1); /* PIRQB */
	piix3_pci_irq(p, 4, 0, 0);
	ck_assert_int_eq(level[10], 1);
	piix3_pci_irq(p, 4, 1, 0);
	ck_assert_int_eq(level[10], 0);
}
END_TEST

START_TEST(test_rerouting_moves_an_asserted_line)
{
	write_route(3, 5);
	piix3_pci_irq(p, 3, 0, 1); /* PIRQD */
	ck_assert_int_eq(level[5], 1);
	write_route(3, 9);
	ck_assert_int_eq(level[5], 0);
	ck_assert_int_eq(level[9], 1);
	write_route(3, PIIX3_PIRQ_DISABLE | 9);
	ck_assert_int_eq(level[9], 0);
}
END_TEST

START_TEST(test_reserved_irq_is_logged_and_left_unrouted)
{
	write_route(0, 2);
	piix3_pci_irq(p, 0, 0, 1);
	ck_assert_int_eq(level[2], 0);
	ck_assert_uint_eq(changes, 0);
}
END_TEST

/* Save and load (device ops): the routes and an asserted PCI pin come back
 * in a fresh bridge, which drives the routed ISA line again and drops it
 * when the pin is released; a state of another device (device ID) or cut
 * short is refused with the bridge unchanged. */
START_TEST(test_saveLoad_bringsBackRoutesAndAssertedPins)
{
	struct piix3 *saved = p;
	struct state_out o = {0};
	struct state_in st;
	struct irq_line lines[16];

	write_route(0, 0x0A);
	write_route(1, 0x0B);
	piix3_pci_irq(p, 1, 0, 1); /* slot 1 INTA: PIRQB */
	ck_assert_int_eq(level[11], 1);
	piix3_device_ops.save(p, &o);
	ck_assert(!o.failed);
	ck_assert_uint_eq(o.len, 256 + 16);

	memset(level, 0, sizeof level);
	for (int i = 0; i < 16; i++)
		lines[i] = (struct irq_line){.set = set_line, .pin = i};
	p = piix3_create(lines);
	ck_assert_ptr_nonnull(p);
	changes = 0;
	o.p[2] ^= 1; /* another device */
	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(piix3_device_ops.load(p, &st, 1), -1);
	o.p[2] ^= 1;
	st = state_in_make(o.p, o.len - 1);
	ck_assert_int_eq(piix3_device_ops.load(p, &st, 1), -1);
	ck_assert_uint_eq(changes, 0);
	ck_assert_uint_eq(pci_get(&p->dev, PIIX3_PIRQRC, 4), 0x80808080);

	st = state_in_make(o.p, o.len);
	ck_assert_int_eq(piix3_device_ops.load(p, &st, 1), 0);
	ck_assert_uint_eq(pci_get(&p->dev, PIIX3_PIRQRC, 4), 0x80800B0A);
	ck_assert_int_eq(level[11], 1);
	ck_assert_uint_eq(changes, 1);
	piix3_pci_irq(p, 1, 0, 0);
	ck_assert_int_eq(level[11], 0);
	piix3_pci_irq(p, 3, 0, 1); /* slot 3 INTA: PIRQD, still unrouted */
	piix3_pci_irq(p, 0, 0, 1); /* slot 0 INTA: PIRQA */
	ck_assert_int_eq(level[10], 1);
	piix3_destroy(p);
	p = saved;
	state_out_free(&o);
}
END_TEST

static Suite *piix3_suite(void)
{
	Suite *s = suite_create("piix3");
	TCase *t = tcase_create("pirq");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_identifies_as_multifunction_isa_bridge);
	tcase_add_test(t, test_unrouted_pirq_raises_nothing);
	tcase_add_test(t, test_routed_pirq_follows_the_swizzle);
	tcase_add_test(t, test_shared_irq_stays_high_until_every_source_drops);
	tcase_add_test(t, test_rerouting_moves_an_asserted_line);
	tcase_add_test(t, test_reserved_irq_is_logged_and_left_unrouted);
	tcase_add_test(t, test_saveLoad_bringsBackRoutesAndAssertedPins);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(piix3_suite());
}
