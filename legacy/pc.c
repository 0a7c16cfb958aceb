#include "legacy/pc_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "hv/core/log.h"
#include "legacy/pc_virtio.h"

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

/* Port F0h: a write clears the board's latch of the CPU's FERR#, which
 * drops IRQ13 (the PC/AT wiring of x87 errors with CR0.NE clear). */
static uint64_t ferr_clear_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0xff;
}

static void ferr_clear_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct machine *m = opaque;

	(void)offset;
	(void)size;
	(void)value;
	irq_set(&m->ferr, 0);
}

static const struct io_ops ferr_clear_io_ops = {ferr_clear_read, ferr_clear_write};

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
	pc->m->ferr = pic8259_irq_line(pc->pic, PC_FERR_IRQ);
	if (add_port(pc, PC_FERR_CLEAR_PORT, 1, &ferr_clear_io_ops, pc->m, "FERR# clear", err,
		     errlen) < 0)
		return -1;
	return add_port(pc, PC_ELCR_BASE, 2, &pic8259_elcr_io_ops, pc->pic, "ELCR", err, errlen);
}

/* The PIT's last tick still waits in the PIC: a late one would merge. */
static bool pit_edge_waiting(void *opaque)
{
	return pic8259_requested(opaque, PC_PIT_IRQ);
}

/* The HPET at HPET_BASE, unless the domain asked for none. */
static int add_hpet(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	if (h->no_hpet)
		return 0;
	hpet_init(&pc->hpet, &pc->m->clock);
	if (mem_map_mmio(&pc->m->mem, HPET_BASE, HPET_MMIO_LEN, &hpet_mmio_ops, &pc->hpet, "HPET") <
	    0) {
		snprintf(err, errlen, "cannot place the HPET at %#x", HPET_BASE);
		return -1;
	}
	pc->has_hpet = true;
	return 0;
}

static int add_timers(struct pc *pc, char *err, size_t errlen)
{
	pc->pit = pit8254_create(&pc->m->clock, pic8259_irq_line(pc->pic, PC_PIT_IRQ));
	if (!pc->pit)
		return no_memory(err, errlen);
	pc->pit->edge_waiting = pit_edge_waiting;
	pc->pit->edge_waiting_opaque = pc->pic;
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
	if (add_port(pc, PC_DEBUGCON_PORT, 1, &debugcon_io_ops, &pc->debugcon, "debugcon", err,
		     errlen) < 0)
		return -1;
	return add_port(pc, PC_BIOS_DEBUG_PORT, 1, &debugcon_io_ops, &pc->debugcon,
			"debugcon (402h)", err, errlen);
}

/* The host bridge, which takes the BIOS alias below 1 MiB over from the
 * plain ROM mapping so that PAM can shadow it, the ISA bridge and the
 * power-management function (ACPI S5 powers off through h->poweroff). */
static int add_pci(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	const struct mem_region *r = mem_find(&pc->m->mem, 0xFFFF0);
	uint64_t rom_base = 0;
	uint8_t *rom = NULL;
	struct irq_line isa[16];

	pci_bus_init(&pc->pci);
	if (r && r->kind == MEM_ROM && r->base >= 0xC0000 && r->base + r->size == 0x100000) {
		rom_base = r->base;
		rom = r->host;
		mem_unmap(&pc->m->mem, rom_base);
	}
	pc->i440fx = i440fx_create(&pc->m->mem, rom_base, rom);
	for (int i = 0; i < 16; i++)
		isa[i] = pic8259_irq_line(pc->pic, i);
	pc->piix3 = piix3_create(isa);
	pc->pm = piix4_pm_create(&pc->m->pio, &pc->m->clock, h->cpus ? h->cpus : 1, isa[PC_SCI_IRQ],
				 h->poweroff, h->opaque);
	if (!pc->i440fx || !pc->piix3 || !pc->pm)
		return no_memory(err, errlen);
	pci_bus_add(&pc->pci, PC_I440FX_SLOT, 0, &pc->i440fx->dev);
	pci_bus_add(&pc->pci, PC_PIIX3_SLOT, 0, &pc->piix3->dev);
	pci_bus_add(&pc->pci, PC_PIIX3_SLOT, PC_PIIX4_PM_FUNC, &pc->pm->dev);
	pc->rcr.latch_ops = &pci_address_io_ops;
	pc->rcr.latch = &pc->pci;
	if (add_port(pc, PCI_CONFIG_ADDRESS, 4, &rcr_io_ops, &pc->rcr, "PCI address, CF9h", err,
		     errlen) < 0)
		return -1;
	return add_port(pc, PCI_CONFIG_DATA, 4, &pci_data_io_ops, &pc->pci, "PCI data", err,
			errlen);
}

/* One e820 entry as etc/e820 holds it: le64 address, le64 length, le32
 * type. */
static size_t put_e820(uint8_t *p, uint64_t addr, uint64_t len, uint32_t type)
{
	for (unsigned i = 0; i < 8; i++) {
		p[i] = (uint8_t)(addr >> (8 * i));
		p[8 + i] = (uint8_t)(len >> (8 * i));
	}
	for (unsigned i = 0; i < 4; i++)
		p[16 + i] = (uint8_t)(type >> (8 * i));
	return 20;
}

/* RAM as the memory map lays it out (below the hole, then from 4 GiB)
 * and the firmware's window below 4 GiB, reserved. */
static int add_e820(struct pc *pc)
{
	const struct guest_mem *mem = &pc->m->mem;
	const struct mem_region *fw = mem_find(mem, 0xFFFFFFF0ull);
	uint64_t low = mem->ram_size < MEM_LOW_RAM_LIMIT ? mem->ram_size : MEM_LOW_RAM_LIMIT;
	uint8_t table[3 * 20];
	size_t n = put_e820(table, 0, low, 1);

	if (fw && fw->kind == MEM_ROM)
		n += put_e820(table + n, fw->base, 0x100000000ull - fw->base, 2);
	if (mem->ram_size > low)
		n += put_e820(table + n, 0x100000000ull, mem->ram_size - low, 1);
	return fw_cfg_add_file(pc->fw_cfg, "etc/e820", table, (uint32_t)n, false) < 0 ? -1 : 0;
}

/* SeaBIOS reads etc/boot-menu-wait as a little-endian integer of the
 * file's size; without the file its prompt waits 2.5 s. */
static int add_menu_wait(struct fw_cfg *c, uint16_t ms)
{
	const uint8_t le[2] = {(uint8_t)ms, (uint8_t)(ms >> 8)};

	return ms ? fw_cfg_add_file(c, "etc/boot-menu-wait", le, sizeof le, false) : 0;
}

static int add_fw_cfg(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	uint16_t cpus = (uint16_t)(h->cpus ? h->cpus : 1);
	struct fw_cfg *c = fw_cfg_create(&pc->m->mem);

	pc->fw_cfg = c;
	if (!c || fw_cfg_set_u64(c, FW_CFG_RAM_SIZE, pc->m->mem.ram_size) < 0 ||
	    fw_cfg_set_u16(c, FW_CFG_NB_CPUS, cpus) < 0 ||
	    fw_cfg_set_u16(c, FW_CFG_MAX_CPUS, cpus) < 0 ||
	    fw_cfg_set_u16(c, FW_CFG_BOOT_MENU, h->no_boot_menu ? 0 : 1) < 0 || add_e820(pc) < 0 ||
	    add_menu_wait(c, h->boot_menu_wait) < 0)
		return no_memory(err, errlen);
	if (add_port(pc, FW_CFG_PORT, 2, &fw_cfg_io_ops, c, "fw_cfg", err, errlen) < 0)
		return -1;
	return add_port(pc, FW_CFG_PORT_DMA, 8, &fw_cfg_dma_io_ops, c, "fw_cfg DMA", err, errlen);
}

static void kbc_a20(void *opaque, bool on)
{
	struct pc *pc = opaque;

	machine_set_a20(pc->m, MACHINE_A20_KBC, on);
}

static void port92_a20(void *opaque, bool on)
{
	struct pc *pc = opaque;

	machine_set_a20(pc->m, MACHINE_A20_PORT92, on);
}

/* Every reset line of the board resets the whole PC, as a triple fault
 * does: the CPU's INIT and RESET are the same thing to us. */
static void reset_line(struct pc *pc, const char *why)
{
	log_info("reset requested through %s", why);
	machine_request(pc->m, MACHINE_REQ_RESET, 0);
}

static void kbc_reset(void *opaque)
{
	reset_line(opaque, "the keyboard controller");
}

static void port92_reset_line(void *opaque)
{
	reset_line(opaque, "port 92h");
}

static void rcr_reset_line(void *opaque, bool hard)
{
	reset_line(opaque, hard ? "CF9h (hard)" : "CF9h (soft)");
}

/* The keyboard controller with its keyboard (IRQ1) and mouse (IRQ12),
 * and the other two ways to A20 and reset: port 92h and CF9h. */
static int add_kbc(struct pc *pc, char *err, size_t errlen)
{
	struct i8042_hooks h = {.a20 = kbc_a20, .reset = kbc_reset, .opaque = pc};

	pc->kbc = i8042_create(pic8259_irq_line(pc->pic, PC_KBD_IRQ),
			       pic8259_irq_line(pc->pic, PC_MOUSE_IRQ), &h);
	if (!pc->kbc)
		return no_memory(err, errlen);
	pc->port92 = (struct port92){.a20 = port92_a20, .reset = port92_reset_line, .opaque = pc};
	pc->rcr.reset = rcr_reset_line;
	pc->rcr.opaque = pc;
	if (add_port(pc, PC_I8042_DATA, 1, &i8042_data_io_ops, pc->kbc, "i8042 data", err, errlen) <
		0 ||
	    add_port(pc, PC_I8042_STATUS, 1, &i8042_status_io_ops, pc->kbc, "i8042 status", err,
		     errlen) < 0)
		return -1;
	return add_port(pc, PC_PORT92, 1, &port92_io_ops, &pc->port92, "port 92h", err, errlen);
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
	    add_hpet(pc, hooks, err, errlen) < 0 || add_rtc(pc, hooks, err, errlen) < 0 ||
	    pc_add_serial(pc, hooks, err, errlen) < 0 ||
	    add_debug_devices(pc, hooks, err, errlen) < 0 || add_pci(pc, hooks, err, errlen) < 0 ||
	    add_fw_cfg(pc, hooks, err, errlen) < 0 || add_kbc(pc, err, errlen) < 0 ||
	    pc_add_typist(pc, err, errlen) < 0 || pc_add_ide(pc, hooks, err, errlen) < 0 ||
	    pc_add_fdc(pc, hooks, err, errlen) < 0 || pc_add_vga(pc, hooks, err, errlen) < 0 ||
	    pc_register_devices(pc, err, errlen) < 0) {
		pc_free(pc);
		return NULL;
	}
	return pc;
}

void pc_free(struct pc *pc)
{
	if (!pc)
		return;
	pc_free_virtio(pc); /* first: its workers still raise interrupts */
	/* Every device of the machine is the PC's: none outlives it. */
	device_registry_free(&pc->m->devices);
	pc_free_sb16(pc); /* before the 8237 it syncs with */
	pc_free_typist(pc);
	i8042_destroy(pc->kbc);
	pc_free_vga(pc);
	fw_cfg_destroy(pc->fw_cfg);
	pc_free_ide(pc);
	pc_free_fdc(pc);
	piix4_pm_destroy(pc->pm);
	piix3_destroy(pc->piix3);
	i440fx_destroy(pc->i440fx);
	pc_free_serial(pc);
	rtc146818_destroy(pc->rtc);
	pcspk_destroy(pc->port_b);
	pit8254_destroy(pc->pit);
	if (pc->m->intc_opaque == pc->pic) {
		pc->m->intc = NULL;
		pc->m->intc_opaque = NULL;
		pc->m->ferr = (struct irq_line){0};
	}
	pic8259_destroy(pc->pic);
	free(pc);
}

int pc_input_keys(struct pc *pc, const struct input_key *keys, size_t n, char *err, size_t errlen)
{
	size_t need = 0, room = ps2kbd_key_room(pc->kbc->kbd);

	for (size_t i = 0; i < n; i++) {
		if (!ps2kbd_key_size(pc->kbc->kbd, keys[i].code, true)) {
			snprintf(err, errlen, "the PS/2 keyboard has no key with code %u",
				 keys[i].code);
			return -1;
		}
		need += ps2kbd_key_size(pc->kbc->kbd, keys[i].code, keys[i].down);
	}
	if (need > room) {
		snprintf(err, errlen,
			 "keyboard buffer full: %zu bytes wait for the guest, %zu more needed",
			 (size_t)PS2KBD_KEY_MAX - room, need);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ps2kbd_key(pc->kbc->kbd, keys[i].code, keys[i].down);
	return 0;
}

void pc_input_mouse(struct pc *pc, const struct input_mouse *ev)
{
	ps2mouse_event(pc->kbc->mouse, ev);
}

void pc_status(struct pc *pc, struct pc_status *st)
{
	st->post = pc->post.last;
	st->post_count = pc->post.count;
	ps2kbd_leds_name(pc->kbc->kbd->leds, st->kbd_leds, sizeof st->kbd_leds);
	ps2kbd_typematic_name(pc->kbc->kbd->typematic, st->kbd_typematic, sizeof st->kbd_typematic);
	st->keys_queued = TYPIST_MAX - typist_room(pc->typist);
}

bool pc_power_button(struct pc *pc)
{
	return piix4_pm_power_button(pc->pm);
}

void pc_prepare_linux_boot(struct pc *pc, uint16_t pm_base)
{
	pci_config_write(&pc->pci, PC_PIIX3_SLOT, PC_PIIX4_PM_FUNC, PIIX4_PM_PMBASE, 4,
			 (uint32_t)pm_base | 1);
	pci_config_write(&pc->pci, PC_PIIX3_SLOT, PC_PIIX4_PM_FUNC, PIIX4_PM_PMREGMISC, 1, 1);
}

uint32_t pc_hpet_base(const struct pc *pc)
{
	return pc->has_hpet ? HPET_BASE : 0;
}

uint32_t pc_hpet_id(void)
{
	return HPET_CAPS_LOW;
}

struct audio_source pc_speaker_source(struct pc *pc)
{
	return pcspk_audio_source(pc->port_b);
}
