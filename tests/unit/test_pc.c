/* pc: the whole PC in the machine's device registry: every device
 * pc_create makes under its own name with a describe op, all of them in
 * device_describe_all, and a reset through the registry putting chips the
 * guest programmed back to their power-on state. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/core/machine.h"
#include "hv/core/savefile.h"
#include "legacy/opl3.h"
#include "legacy/pc_int.h"
#include "legacy/sb16.h"

#include "unit.h"

/* What pc_create makes with both serial ports and the debug console. */
static const char *const names[] = {
    "pic0",   "pit0", "hpet",	  "pcspk", "rtc0", "i440fx", "piix3",	 "pm",
    "fw_cfg", "ide0", "piix-ide", "dma",   "fdc0", "vga",    "i8042",	 "typist",
    "port92", "rcr",  "com1",	  "com2",  "pci",  "post",   "debugcon", "debug-exit",
};
#define NAMES (sizeof names / sizeof names[0])

static struct machine m;
static struct pc *pc;

static void tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	(void)byte;
}

static void setup(void)
{
	struct pc_hooks h = {.serial = {{.tx = tx}, {.tx = tx}}, .debugcon = {.tx = tx}};
	char err[256];

	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	pc = pc_create(&m, &h, err, sizeof err);
	ck_assert_msg(pc != NULL, "%s", err);
}

static void teardown(void)
{
	pc_free(pc);
	machine_destroy(&m);
}

static void out(uint16_t port, uint8_t v)
{
	bus_write(&m.pio, port, 1, v);
}

START_TEST(every_device_is_registered_once_with_a_describe_op)
{
	const struct device_registry *r = &m.devices;

	ck_assert_uint_eq(r->n, NAMES);
	for (size_t i = 0; i < NAMES; i++)
		ck_assert_msg(device_find(r, names[i]), "no device '%s'", names[i]);
	for (size_t i = 0; i < r->n; i++) {
		ck_assert_msg(r->v[i].ops && r->v[i].ops->describe, "%s has no describe",
			      r->v[i].name);
		for (size_t j = i + 1; j < r->n; j++)
			ck_assert_str_ne(r->v[i].name, r->v[j].name);
	}
}
END_TEST

START_TEST(absent_ports_are_not_registered)
{
	struct pc_hooks h = {0};
	char err[256];

	pc_free(pc);
	machine_destroy(&m);
	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	pc = pc_create(&m, &h, err, sizeof err);
	ck_assert_msg(pc != NULL, "%s", err);
	ck_assert_uint_eq(m.devices.n, NAMES - 3);
	ck_assert_ptr_null(device_find(&m.devices, "com1"));
	ck_assert_ptr_null(device_find(&m.devices, "com2"));
	ck_assert_ptr_null(device_find(&m.devices, "debugcon"));
}
END_TEST

/* no_vga (vga = "none"): no VGA device, no VGA ports, no A0000h window,
 * no screen for `hv screen`. */
START_TEST(no_vga_leaves_out_the_vga)
{
	struct pc_hooks h = {.no_vga = true};
	struct pc_screen scr;
	char err[256];

	pc_free(pc);
	machine_destroy(&m);
	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	pc = pc_create(&m, &h, err, sizeof err);
	ck_assert_msg(pc != NULL, "%s", err);
	ck_assert_ptr_null(pc_vga(pc));
	ck_assert_ptr_null(device_find(&m.devices, "vga"));
	ck_assert_int_eq(pc_screen(pc, &scr), -1);
	ck_assert_uint_eq(bus_read(&m.pio, 0x3CC, 1), 0xFF); /* Misc output: nobody there */
}
END_TEST

/* no_hpet (hpet = 0): no HPET device, nothing at HPET_BASE, no table
 * for ACPI; the default PC answers there with its capabilities. */
START_TEST(no_hpet_leaves_out_the_hpet)
{
	struct pc_hooks h = {.no_hpet = true};
	char err[256];

	ck_assert_uint_eq(pc_hpet_base(pc), HPET_BASE);
	ck_assert_uint_eq(mem_read_sized(&m.mem, HPET_BASE + HPET_ID, 4), HPET_CAPS_LOW);
	pc_free(pc);
	machine_destroy(&m);
	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	pc = pc_create(&m, &h, err, sizeof err);
	ck_assert_msg(pc != NULL, "%s", err);
	ck_assert_ptr_null(device_find(&m.devices, "hpet"));
	ck_assert_uint_eq(pc_hpet_base(pc), 0);
	ck_assert_uint_eq(mem_read_sized(&m.mem, HPET_BASE + HPET_ID, 4), 0xffffffffu);
}
END_TEST

START_TEST(describe_all_names_every_device_in_short_lines)
{
	static char buf[16384];
	char key[32], s[512];

	buf[0] = '\0';
	device_describe_all(&m.devices, buf, sizeof buf);
	for (size_t i = 0; i < NAMES; i++) {
		snprintf(key, sizeof key, " %s=", names[i]);
		ck_assert_msg(strstr(buf, key), "%s missing from: %s", names[i], buf);
	}
	for (size_t i = 0; i < m.devices.n; i++) {
		const struct device_entry *e = &m.devices.v[i];

		e->ops->describe(e->dev, s, sizeof s);
		ck_assert_msg(strlen(s) > 0 && strlen(s) < 400, "%s: '%s'", e->name, s);
		ck_assert_msg(strchr(s, '='), "%s: '%s' holds no key=value", e->name, s);
	}
	ck_assert(strstr(buf, " pic0=\"irr=00/00 isr=00/00 imr=ff/ff "));
}
END_TEST

/* The guest initialises both PICs and masks, starts PIT counter 0 in
 * mode 2: the registry's reset gives the state pc_create left. */
START_TEST(a_registry_reset_puts_the_pic_and_pit_back_to_power_on)
{
	struct pic8259_chip pic[2];
	struct pit_channel pit[PIT_CHANNELS];

	memcpy(pic, pc->pic->chip, sizeof pic);
	memcpy(pit, pc->pit->ch, sizeof pit);
	ck_assert_uint_eq(pic[0].imr, 0xff);
	out(0x20, 0x11);
	out(0x21, 0x08);
	out(0x21, 0x04);
	out(0x21, 0x01);
	out(0x21, 0xfc);
	out(0xa0, 0x11);
	out(0xa1, 0x70);
	out(0xa1, 0x02);
	out(0xa1, 0x01);
	out(0x43, 0x34);
	out(0x40, 0x9c);
	out(0x40, 0x2e);
	ck_assert_uint_eq(pc->pic->chip[0].imr, 0xfc);
	ck_assert_uint_eq(pc->pic->chip[1].vector_base, 0x70);
	ck_assert_uint_eq(pc->pit->ch[0].mode, 2);
	ck_assert_uint_eq(pc->pit->ch[0].count, 0x2e9c);
	ck_assert(pc->pit->timer.armed);

	device_reset_all(&m.devices);
	ck_assert_mem_eq(pc->pic->chip, pic, sizeof pic);
	ck_assert_mem_eq(pc->pit->ch, pit, sizeof pit);
	ck_assert(!pc->pit->timer.armed);
	ck_assert_uint_eq(pc->pic->chip[0].imr, 0xff);
	ck_assert_uint_eq(pc->pic->chip[0].vector_base, 0);
}
END_TEST

/* Save and load through the registry: the state the guest gave the legacy
 * devices that save theirs (PICs, a UART, the DMA pages, port 92h, the
 * keyboard controller, the PCI latch and the host bridge's shadowing,
 * fw_cfg's offset, the VGA's DAC and CRTC) travels through a save file to a second PC, which
 * answers the same on its ports. */
START_TEST(a_registry_save_and_load_carries_the_state_to_a_new_pc)
{
	struct pc_hooks h = {.serial = {{.tx = tx}, {.tx = tx}}, .debugcon = {.tx = tx}};
	struct savefile_writer w;
	struct savefile_reader r;
	struct machine m2;
	struct pc *pc2;
	char err[256];
	int fd = memfd_create("save", 0);

	ck_assert_int_ge(fd, 0);
	out(0x20, 0x11);
	out(0x21, 0x08);
	out(0x21, 0x04);
	out(0x21, 0x01);
	out(0x21, 0xb8);
	out(0x3ff, 0x5a); /* com1 scratch */
	out(0x81, 0x12);  /* DMA channel 2's page */
	out(0x92, 0x02);  /* fast A20 */
	out(0x64, 0x60);  /* i8042 command byte */
	out(0x60, 0x47);
	bus_write(&m.pio, 0xcf8, 4, 0x80000058u);
	out(0xcfd, 0x30);		/* PAM0: F0000h is RAM */
	bus_write(&m.pio, 0x510, 2, 0); /* fw_cfg: the signature, read on */
	ck_assert_uint_eq(bus_read(&m.pio, 0x511, 1), 'Q');
	out(0x3c8, 0x41); /* VGA: DAC entry 41h, and a CRTC register */
	out(0x3c9, 0x2a);
	out(0x3c9, 0x15);
	out(0x3c9, 0x3f);
	out(0x3d4, 0x0f);
	out(0x3d5, 0x77);
	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_msg(device_save_all(&m.devices, &w, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);

	ck_assert_int_eq(machine_init(&m2, 16u << 20, err, sizeof err), 0);
	pc2 = pc_create(&m2, &h, err, sizeof err);
	ck_assert_msg(pc2 != NULL, "%s", err);
	ck_assert_msg(device_load_all(&m2.devices, &r, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x21, 1), 0xb8);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x3ff, 1), 0x5a);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x81, 1), 0x12);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x92, 1), 0x02);
	bus_write(&m2.pio, 0x64, 1, 0x20);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x60, 1), 0x47);
	ck_assert_uint_eq(bus_read(&m2.pio, 0xcf8, 4), 0x80000058u);
	ck_assert_uint_eq(bus_read(&m2.pio, 0xcfd, 1), 0x30);
	ck_assert_uint_eq(pc2->i440fx->seg[0].mode, PAM_RAM); /* mapped again */
	ck_assert_uint_eq(bus_read(&m2.pio, 0x511, 1), 'E');
	bus_write(&m2.pio, 0x3c7, 1, 0x41);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x3c9, 1), 0x2a);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x3c9, 1), 0x15);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x3c9, 1), 0x3f);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x3d4, 1), 0x0f);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x3d5, 1), 0x77);
	savefile_close(&r);
	close(fd);
	pc_free(pc2);
	machine_destroy(&m2);
}
END_TEST

/* A PC with an SB16: the card's DSP and mixer state, its OPL3's timer and
 * registers and the speaker's port go through the registry's save file
 * into a second PC with a card at the same place. */
START_TEST(the_sound_devices_travel_in_a_save_file)
{
	struct pc_hooks h = {.serial = {{.tx = tx}, {.tx = tx}}, .debugcon = {.tx = tx}};
	const struct pc_sb16_config sb = {.port = 0x220, .irq = 5, .dma = 1, .hdma = 5};
	struct savefile_writer w;
	struct savefile_reader r;
	struct machine m2;
	struct pc *pc2;
	char err[256];
	int fd = memfd_create("save", 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(pc_add_sb16(pc, &sb, err, sizeof err) == 0, "%s", err);
	out(0x224, 0x32); /* mixer: voice left */
	out(0x225, 0xA8);
	out(0x22C, 0xE4); /* DSP: the test register */
	out(0x22C, 0x5A);
	out(0x22C, 0x41); /* a rate command left half-way */
	out(0x388, 0x02); /* OPL3: timer 1's count */
	out(0x389, 0x9C);
	out(0x388, 0xA0);
	out(0x389, 0x44);
	out(0x61, 0x03); /* the speaker on */
	ck_assert_int_eq(savefile_start(&w, fd, err, sizeof err), 0);
	ck_assert_msg(device_save_all(&m.devices, &w, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(savefile_finish(&w, err, sizeof err), 0);
	ck_assert_int_eq(savefile_open(&r, fd, err, sizeof err), 0);
	ck_assert_ptr_nonnull(savefile_find(&r, "dev.sb16"));
	ck_assert_ptr_nonnull(savefile_find(&r, "dev.opl3"));
	ck_assert_ptr_nonnull(savefile_find(&r, "dev.pcspk"));

	ck_assert_int_eq(machine_init(&m2, 16u << 20, err, sizeof err), 0);
	pc2 = pc_create(&m2, &h, err, sizeof err);
	ck_assert_msg(pc2 != NULL, "%s", err);
	ck_assert_msg(pc_add_sb16(pc2, &sb, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(device_load_all(&m2.devices, &r, err, sizeof err) == 0, "%s", err);
	bus_write(&m2.pio, 0x224, 1, 0x32);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x225, 1), 0xA8);
	bus_write(&m2.pio, 0x22C, 1, 0x56); /* the rate's two bytes: 5622h */
	bus_write(&m2.pio, 0x22C, 1, 0x22);
	ck_assert_uint_eq(pc2->sb16->out_rate, 0x5622);
	bus_write(&m2.pio, 0x22C, 1, 0xE8); /* read the test register back */
	ck_assert_uint_eq(bus_read(&m2.pio, 0x22E, 1) & 0x80, 0x80);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x22A, 1), 0x5A);
	ck_assert_uint_eq(pc2->opl3->t[0].value, 0x9C);
	ck_assert_uint_eq(pc2->opl3->regs[0][0xA0], 0x44);
	ck_assert_uint_eq(bus_read(&m2.pio, 0x61, 1) & 0x0F, 0x03);
	savefile_close(&r);
	close(fd);
	pc_free(pc2);
	machine_destroy(&m2);
}
END_TEST

static Suite *pc_suite(void)
{
	Suite *s = suite_create("pc");
	TCase *t = tcase_create("registry");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, every_device_is_registered_once_with_a_describe_op);
	tcase_add_test(t, absent_ports_are_not_registered);
	tcase_add_test(t, no_vga_leaves_out_the_vga);
	tcase_add_test(t, no_hpet_leaves_out_the_hpet);
	tcase_add_test(t, describe_all_names_every_device_in_short_lines);
	tcase_add_test(t, a_registry_reset_puts_the_pic_and_pit_back_to_power_on);
	tcase_add_test(t, a_registry_save_and_load_carries_the_state_to_a_new_pc);
	tcase_add_test(t, the_sound_devices_travel_in_a_save_file);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(pc_suite());
}
