#include "legacy/pc_virtio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/block/disk.h"
#include "hv/config/diskspec.h"
#include "hv/virtio/virtio_blk.h"
#include "hv/virtio/virtio_console.h"
#include "hv/virtio/virtio_gpu.h"
#include "hv/virtio/virtio_input.h"
#include "hv/virtio/virtio_net.h"
#include "hv/virtio/virtio_rng.h"
#include "legacy/pc_int.h"

#define ELCR_SLAVE (PC_ELCR_BASE + 1)

struct pc_virtio_disk {
	struct pc *pc;
	struct virtio_blk *blk;
	unsigned slot;
	char name[8]; /* "vda" */
};

struct pc_virtio {
	struct pc_virtio_disk disk[DISK_XVD_COUNT];
	struct virtio_rng rng;
	bool has_rng;
	struct virtio_console con;
	bool has_con;
	struct virtio_gpu gpu;
	bool has_gpu;
	/* virtio-input beside the gpu: 00:03.1 keyboard, 00:03.2 mouse. */
	struct virtio_input input[PC_VIRTIO_INPUTS];
	bool has_input;
	unsigned gpu_slot_levels; /* INTA of each function in the gpu's slot */
	struct virtio_net *nic[PC_NICS_MAX];
};

_Static_assert(PC_PCI_IRQ_MASK == (1u << PC_VIRTIO_IRQ_LOW | 1u << PC_VIRTIO_IRQ_HIGH),
	       "legacy/pc.h tells the ACPI tables which IRQs PCI uses");
_Static_assert(PC_PIRQ_ROUTE_REG == PIIX3_PIRQRC, "the PIIX3's route registers");

/* The ISA IRQ that PIRQ n is routed to: alternately, so that functions in
 * neighbouring slots (xvda and xvdb) do not share a line, where each
 * interrupt would run both drivers' handlers and read both ISRs. */
static unsigned pirq_irq(unsigned pirq)
{
	return pirq & 1 ? PC_VIRTIO_IRQ_HIGH : PC_VIRTIO_IRQ_LOW;
}

/* INTA of the function in slot: PIRQ (slot + 0) mod 4 (legacy/piix3.h). */
static unsigned slot_irq(unsigned slot)
{
	return pirq_irq(slot & 3);
}

static void intx(void *opaque, int slot, int level)
{
	struct pc *pc = opaque;

	piix3_pci_irq(pc->piix3, (unsigned)slot, 0, level);
}

/* The functions of the gpu's slot share its INTA: the line is high while
 * any of them holds it (pin = the function). */
static void intx_gpu_slot(void *opaque, int fn, int level)
{
	struct pc *pc = opaque;
	unsigned *levels = &pc->virtio->gpu_slot_levels;

	*levels = level ? *levels | 1u << fn : *levels & ~(1u << fn);
	piix3_pci_irq(pc->piix3, PC_VIRTIO_GPU_SLOT, 0, *levels != 0);
}

/* What firmware does for PCI interrupts before an OS runs. */
static void route_pirqs(struct pc *pc)
{
	uint32_t elcr = (uint32_t)bus_read(&pc->m->pio, ELCR_SLAVE, 1);

	for (unsigned pirq = 0; pirq < 4; pirq++)
		pci_config_write(&pc->pci, PC_PIIX3_SLOT, 0, PIIX3_PIRQRC + pirq, 1,
				 pirq_irq(pirq));
	elcr |= 1u << (PC_VIRTIO_IRQ_LOW - 8) | 1u << (PC_VIRTIO_IRQ_HIGH - 8);
	bus_write(&pc->m->pio, ELCR_SLAVE, 1, elcr);
}

static void disk_reset(void *opaque)
{
	struct pc_virtio_disk *v = opaque;

	virtio_blk_device_ops.reset(v->blk);
	route_pirqs(v->pc);
}

static void disk_describe(const void *opaque, char *buf, size_t len)
{
	const struct pc_virtio_disk *v = opaque;

	virtio_blk_device_ops.describe(v->blk, buf, len);
}

static void disk_save(const void *opaque, struct state_out *o)
{
	const struct pc_virtio_disk *v = opaque;

	virtio_blk_device_ops.save(v->blk, o);
}

static int disk_load(void *opaque, struct state_in *in, uint32_t from)
{
	struct pc_virtio_disk *v = opaque;

	return virtio_blk_device_ops.load(v->blk, in, from);
}

/* Save/restore is the device's (its configuration space, BAR 0 with it,
 * is in its state); the PIRQ routes are the PIIX3's. */
static const struct device_ops pc_virtio_disk_ops = {.reset = disk_reset,
						     .describe = disk_describe,
						     .version = VIRTIO_PCI_SAVE_VERSION,
						     .save = disk_save,
						     .load = disk_load};

static int make_state(struct pc *pc, char *err, size_t errlen)
{
	if (!pc->virtio && !(pc->virtio = calloc(1, sizeof *pc->virtio))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int pc_add_virtio_blk(struct pc *pc, unsigned index, struct disk *disk, char *err, size_t errlen)
{
	struct pc_virtio_disk *v;
	const char *base;

	if (index >= DISK_XVD_COUNT) {
		snprintf(err, errlen, "virtio disk %u: at most %u", index, DISK_XVD_COUNT);
		return -1;
	}
	if (make_state(pc, err, errlen) < 0)
		return -1;
	v = &pc->virtio->disk[index];
	v->pc = pc;
	v->slot = PC_VIRTIO_SLOT + index;
	snprintf(v->name, sizeof v->name, "vd%c", 'a' + index);
	base = strrchr(disk->path, '/');
	v->blk =
	    virtio_blk_create(pc->m, disk, base ? base + 1 : disk->path,
			      (struct irq_line){.set = intx, .opaque = pc, .pin = (int)v->slot},
			      v->name, err, errlen);
	if (!v->blk)
		return -1;
	if (pci_bus_add(&pc->pci, v->slot, 0, virtio_blk_pci(v->blk)) < 0) {
		snprintf(err, errlen, "cannot place %s at 00:%02x.0", v->name, v->slot);
		return -1;
	}
	if (device_register(&pc->m->devices, v->name, &pc_virtio_disk_ops, v, err, errlen) < 0)
		return -1;
	route_pirqs(pc);
	virtio_pci_set_doorbells(virtio_blk_transport(v->blk), &pc->m->doorbells);
	virtio_pci_set_msi(virtio_blk_transport(v->blk), &pc->m->msi);
	virtio_pci_set_boot_config(virtio_blk_transport(v->blk),
				   PC_VIRTIO_MMIO + index * VIRTIO_PCI_BAR_SIZE,
				   (uint8_t)slot_irq(v->slot));
	return 0;
}

static void rng_reset(void *opaque)
{
	struct pc *pc = opaque;

	virtio_rng_device_ops.reset(&pc->virtio->rng);
	route_pirqs(pc);
}

static void rng_describe(const void *opaque, char *buf, size_t len)
{
	const struct pc *pc = opaque;

	virtio_rng_device_ops.describe(&pc->virtio->rng, buf, len);
}

static void rng_save(const void *opaque, struct state_out *o)
{
	const struct pc *pc = opaque;

	virtio_rng_device_ops.save(&pc->virtio->rng, o);
}

static int rng_load(void *opaque, struct state_in *in, uint32_t from)
{
	struct pc *pc = opaque;

	return virtio_rng_device_ops.load(&pc->virtio->rng, in, from);
}

static const struct device_ops pc_virtio_rng_ops = {.reset = rng_reset,
						    .describe = rng_describe,
						    .version = VIRTIO_PCI_SAVE_VERSION,
						    .save = rng_save,
						    .load = rng_load};

int pc_add_virtio_rng(struct pc *pc, char *err, size_t errlen)
{
	struct virtio_rng *rng;

	if (make_state(pc, err, errlen) < 0)
		return -1;
	if (pc->virtio->has_rng) {
		snprintf(err, errlen, "one virtio-rng per machine");
		return -1;
	}
	rng = &pc->virtio->rng;
	virtio_rng_init(rng, &pc->m->mem, &pc->m->clock,
			(struct irq_line){.set = intx, .opaque = pc, .pin = PC_VIRTIO_RNG_SLOT},
			VIRTIO_RNG_RATE, VIRTIO_RNG_BURST, "rng0");
	pc->virtio->has_rng = true;
	if (pci_bus_add(&pc->pci, PC_VIRTIO_RNG_SLOT, 0, &rng->vp.pci) < 0) {
		snprintf(err, errlen, "cannot place rng0 at 00:%02x.0", PC_VIRTIO_RNG_SLOT);
		return -1;
	}
	if (device_register(&pc->m->devices, "rng0", &pc_virtio_rng_ops, pc, err, errlen) < 0)
		return -1;
	route_pirqs(pc);
	virtio_pci_set_doorbells(&rng->vp, &pc->m->doorbells);
	virtio_pci_set_msi(&rng->vp, &pc->m->msi);
	virtio_pci_set_boot_config(&rng->vp, PC_VIRTIO_MMIO + DISK_XVD_COUNT * VIRTIO_PCI_BAR_SIZE,
				   (uint8_t)slot_irq(PC_VIRTIO_RNG_SLOT));
	return 0;
}

static void con_reset(void *opaque)
{
	struct pc *pc = opaque;

	virtio_console_device_ops.reset(&pc->virtio->con);
	route_pirqs(pc);
}

static void con_describe(const void *opaque, char *buf, size_t len)
{
	const struct pc *pc = opaque;

	virtio_console_device_ops.describe(&pc->virtio->con, buf, len);
}

static void con_save(const void *opaque, struct state_out *o)
{
	const struct pc *pc = opaque;

	virtio_console_device_ops.save(&pc->virtio->con, o);
}

static int con_load(void *opaque, struct state_in *in, uint32_t from)
{
	struct pc *pc = opaque;

	return virtio_console_device_ops.load(&pc->virtio->con, in, from);
}

static const struct device_ops pc_virtio_con_ops = {.reset = con_reset,
						    .describe = con_describe,
						    .version = VIRTIO_PCI_SAVE_VERSION,
						    .save = con_save,
						    .load = con_load};

int pc_add_virtio_console(struct pc *pc, const struct virtio_console_backend *out, char *err,
			  size_t errlen)
{
	struct virtio_console *con;

	if (make_state(pc, err, errlen) < 0)
		return -1;
	if (pc->virtio->has_con) {
		snprintf(err, errlen, "one virtio-console per machine");
		return -1;
	}
	con = &pc->virtio->con;
	virtio_console_init(con, &pc->m->mem,
			    (struct irq_line){.set = intx, .opaque = pc, .pin = PC_VIRTIO_CON_SLOT},
			    out, "hvc0");
	pc->virtio->has_con = true;
	if (pci_bus_add(&pc->pci, PC_VIRTIO_CON_SLOT, 0, &con->vp.pci) < 0) {
		snprintf(err, errlen, "cannot place hvc0 at 00:%02x.0", PC_VIRTIO_CON_SLOT);
		return -1;
	}
	if (device_register(&pc->m->devices, "hvc0", &pc_virtio_con_ops, pc, err, errlen) < 0)
		return -1;
	route_pirqs(pc);
	/* No doorbells (hv/core/doorbell.h): its transmit writes to the
	 * console's host end (a blocking stdout), which belongs on the vCPU
	 * thread that the guest's output paces, not on the event loop. */
	virtio_pci_set_msi(&con->vp, &pc->m->msi);
	virtio_pci_set_boot_config(&con->vp,
				   PC_VIRTIO_MMIO + (DISK_XVD_COUNT + 1) * VIRTIO_PCI_BAR_SIZE,
				   (uint8_t)slot_irq(PC_VIRTIO_CON_SLOT));
	return 0;
}

static void gpu_reset(void *opaque)
{
	struct pc *pc = opaque;

	virtio_gpu_device_ops.reset(&pc->virtio->gpu);
	/* A machine reset rebuilds configuration space: functions 1-2 are
	 * only scanned when function 0 says the slot has several. */
	pci_set_byte(&pc->virtio->gpu.vp.pci, PCI_HEADER_TYPE, PCI_HEADER_MULTIFUNCTION);
	route_pirqs(pc);
}

static void gpu_describe(const void *opaque, char *buf, size_t len)
{
	const struct pc *pc = opaque;

	virtio_gpu_device_ops.describe(&pc->virtio->gpu, buf, len);
}

static void gpu_save(const void *opaque, struct state_out *o)
{
	const struct pc *pc = opaque;

	virtio_gpu_device_ops.save(&pc->virtio->gpu, o);
}

/* The saved configuration space has the multi-function bit the wiring
 * set (it is read-only, so this machine's stays). */
static int gpu_load(void *opaque, struct state_in *in, uint32_t from)
{
	struct pc *pc = opaque;

	return virtio_gpu_device_ops.load(&pc->virtio->gpu, in, from);
}

static const struct device_ops pc_virtio_gpu_ops = {.reset = gpu_reset,
						    .describe = gpu_describe,
						    .version = VIRTIO_PCI_SAVE_VERSION,
						    .save = gpu_save,
						    .load = gpu_load};

int pc_add_virtio_gpu(struct pc *pc, unsigned width, unsigned height, char *err, size_t errlen)
{
	struct virtio_gpu *gpu;

	if (make_state(pc, err, errlen) < 0)
		return -1;
	if (pc->virtio->has_gpu) {
		snprintf(err, errlen, "one virtio-gpu per machine");
		return -1;
	}
	gpu = &pc->virtio->gpu;
	virtio_gpu_init(gpu, &pc->m->mem,
			(struct irq_line){.set = intx_gpu_slot, .opaque = pc, .pin = 0}, width,
			height, "gpu0");
	pc->virtio->has_gpu = true;
	if (pci_bus_add(&pc->pci, PC_VIRTIO_GPU_SLOT, 0, &gpu->vp.pci) < 0) {
		snprintf(err, errlen, "cannot place gpu0 at 00:%02x.0", PC_VIRTIO_GPU_SLOT);
		return -1;
	}
	if (device_register(&pc->m->devices, "gpu0", &pc_virtio_gpu_ops, pc, err, errlen) < 0)
		return -1;
	route_pirqs(pc);
	/* Notifications stay MMIO exits: doorbells for virtio-gpu and -input
	 * wait for a test that runs them on the KVM engine. */
	virtio_pci_set_msi(&gpu->vp, &pc->m->msi);
	virtio_pci_set_boot_config(&gpu->vp,
				   PC_VIRTIO_MMIO + (DISK_XVD_COUNT + 2) * VIRTIO_PCI_BAR_SIZE,
				   (uint8_t)slot_irq(PC_VIRTIO_GPU_SLOT));
	/* After the boot configuration, which resets configuration space. */
	pci_set_byte(&gpu->vp.pci, PCI_HEADER_TYPE, PCI_HEADER_MULTIFUNCTION);
	return 0;
}

static void input_reset(void *opaque)
{
	virtio_input_device_ops.reset(opaque);
}

static void input_describe(const void *opaque, char *buf, size_t len)
{
	virtio_input_device_ops.describe(opaque, buf, len);
}

static void input_save(const void *opaque, struct state_out *o)
{
	virtio_input_device_ops.save(opaque, o);
}

/* Each function's load drives its INTA again, which rebuilds the slot's
 * shared line (gpu_slot_levels) bit by bit. */
static int input_load(void *opaque, struct state_in *in, uint32_t from)
{
	return virtio_input_device_ops.load(opaque, in, from);
}

static const struct device_ops pc_virtio_input_ops = {.reset = input_reset,
						      .describe = input_describe,
						      .version = VIRTIO_PCI_SAVE_VERSION,
						      .save = input_save,
						      .load = input_load};

int pc_add_virtio_input(struct pc *pc, char *err, size_t errlen)
{
	static const char *const names[PC_VIRTIO_INPUTS] = {"kbd0", "mouse0", "tablet0"};
	static const enum virtio_input_kind kinds[PC_VIRTIO_INPUTS] = {
	    VIRTIO_INPUT_KEYBOARD, VIRTIO_INPUT_MOUSE, VIRTIO_INPUT_TABLET};

	if (!pc->virtio || !pc->virtio->has_gpu) {
		snprintf(err, errlen, "virtio-input goes beside a virtio-gpu: add the gpu first");
		return -1;
	}
	if (pc->virtio->has_input) {
		snprintf(err, errlen, "one set of virtio-input devices per machine");
		return -1;
	}
	pc->virtio->has_input = true;
	for (unsigned i = 0; i < PC_VIRTIO_INPUTS; i++) {
		struct virtio_input *in = &pc->virtio->input[i];

		virtio_input_init(
		    in, &pc->m->mem,
		    (struct irq_line){.set = intx_gpu_slot, .opaque = pc, .pin = (int)i + 1},
		    kinds[i], names[i]);
		if (pci_bus_add(&pc->pci, PC_VIRTIO_GPU_SLOT, i + 1, &in->vp.pci) < 0) {
			snprintf(err, errlen, "cannot place %s at 00:%02x.%u", names[i],
				 PC_VIRTIO_GPU_SLOT, i + 1);
			return -1;
		}
		if (device_register(&pc->m->devices, names[i], &pc_virtio_input_ops, in, err,
				    errlen) < 0)
			return -1;
		virtio_pci_set_msi(&in->vp, &pc->m->msi);
		virtio_pci_set_boot_config(
		    &in->vp, PC_VIRTIO_MMIO + (DISK_XVD_COUNT + 3 + i) * VIRTIO_PCI_BAR_SIZE,
		    (uint8_t)slot_irq(PC_VIRTIO_GPU_SLOT));
	}
	return 0;
}

bool pc_virtio_input_key(struct pc *pc, unsigned code, bool down)
{
	struct virtio_input *kbd;

	if (!pc->virtio || !pc->virtio->has_input)
		return false;
	kbd = &pc->virtio->input[0];
	return virtio_input_ready(kbd) && virtio_input_key(kbd, code, down);
}

bool pc_virtio_input_mouse(struct pc *pc, const struct input_mouse *ev)
{
	struct virtio_input *mouse;

	if (!pc->virtio || !pc->virtio->has_input)
		return false;
	mouse = &pc->virtio->input[1];
	return virtio_input_ready(mouse) &&
	       virtio_input_rel(mouse, ev->dx, ev->dy, ev->dz, ev->buttons);
}

static struct virtio_input *tablet(struct pc *pc)
{
	return pc->virtio && pc->virtio->has_input ? &pc->virtio->input[2] : NULL;
}

bool pc_virtio_tablet_ready(struct pc *pc)
{
	return tablet(pc) && virtio_input_ready(tablet(pc));
}

bool pc_virtio_input_abs(struct pc *pc, int x, int y, unsigned buttons)
{
	return pc_virtio_tablet_ready(pc) && virtio_input_abs(tablet(pc), x, y, buttons);
}

struct virtio_gpu *pc_virtio_gpu(struct pc *pc)
{
	return pc->virtio && pc->virtio->has_gpu ? &pc->virtio->gpu : NULL;
}

size_t pc_virtio_console_receive(struct pc *pc, const uint8_t *data, size_t len)
{
	if (!pc->virtio || !pc->virtio->has_con)
		return 0;
	return virtio_console_receive(&pc->virtio->con, data, len);
}

/* NIC i sits where xvd(w + i) would: the last PC_NICS_MAX disk slots. */
static unsigned nic_disk_index(unsigned index)
{
	return DISK_XVD_COUNT - PC_NICS_MAX + index;
}

static void nic_reset(void *opaque)
{
	struct virtio_net *n = opaque;

	virtio_net_device_ops.reset(n);
}

static void nic_describe(const void *opaque, char *buf, size_t len)
{
	virtio_net_device_ops.describe(opaque, buf, len);
}

static void nic_save(const void *opaque, struct state_out *o)
{
	virtio_net_device_ops.save(opaque, o);
}

static int nic_load(void *opaque, struct state_in *in, uint32_t from)
{
	return virtio_net_device_ops.load(opaque, in, from);
}

static const struct device_ops pc_virtio_nic_ops = {.reset = nic_reset,
						    .describe = nic_describe,
						    .version = VIRTIO_PCI_SAVE_VERSION,
						    .save = nic_save,
						    .load = nic_load};

int pc_add_virtio_net(struct pc *pc, unsigned index, const uint8_t mac[6],
		      const struct virtio_net_backend *be, char *err, size_t errlen)
{
	unsigned disk = nic_disk_index(index), slot = PC_VIRTIO_SLOT + disk;
	struct virtio_net *n;
	char name[8];

	if (index >= PC_NICS_MAX) {
		snprintf(err, errlen, "network interface %u: at most %u", index, PC_NICS_MAX);
		return -1;
	}
	if (make_state(pc, err, errlen) < 0)
		return -1;
	if (pc->virtio->disk[disk].blk || pc->virtio->nic[index]) {
		snprintf(err, errlen,
			 "network interface %u takes the PCI slot of disk xvd%c: drop that disk "
			 "or the vif",
			 index, 'a' + disk);
		return -1;
	}
	if (!(n = calloc(1, sizeof *n))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pc->virtio->nic[index] = n;
	snprintf(name, sizeof name, "net%u", index);
	virtio_net_init(n, &pc->m->mem,
			(struct irq_line){.set = intx, .opaque = pc, .pin = (int)slot}, mac, be,
			name);
	if (pci_bus_add(&pc->pci, slot, 0, &n->vp.pci) < 0) {
		snprintf(err, errlen, "cannot place %s at 00:%02x.0", name, slot);
		return -1;
	}
	if (device_register(&pc->m->devices, name, &pc_virtio_nic_ops, n, err, errlen) < 0)
		return -1;
	route_pirqs(pc);
	virtio_pci_set_doorbells(&n->vp, &pc->m->doorbells);
	virtio_pci_set_msi(&n->vp, &pc->m->msi);
	virtio_pci_set_boot_config(&n->vp, PC_VIRTIO_MMIO + disk * VIRTIO_PCI_BAR_SIZE,
				   (uint8_t)slot_irq(slot));
	return 0;
}

bool pc_virtio_net_receive(struct pc *pc, unsigned index, const uint8_t *frame, size_t len)
{
	if (!pc->virtio || index >= PC_NICS_MAX || !pc->virtio->nic[index])
		return false;
	return virtio_net_receive(pc->virtio->nic[index], frame, len);
}

bool pc_virtio_net_receive_many(struct pc *pc, unsigned index, const uint8_t *buf,
				const uint32_t *lens, unsigned count)
{
	if (!pc->virtio || index >= PC_NICS_MAX || !pc->virtio->nic[index])
		return false;
	return virtio_net_receive_many(pc->virtio->nic[index], buf, lens, count);
}

unsigned pc_virtio_net_take_tx_many(struct pc *pc, unsigned index, uint8_t *buf, size_t cap,
				    uint32_t *lens, unsigned max, bool *irq)
{
	*irq = false;
	if (!pc->virtio || index >= PC_NICS_MAX || !pc->virtio->nic[index])
		return 0;
	return virtio_net_take_tx_many(pc->virtio->nic[index], buf, cap, lens, max, irq);
}

void pc_virtio_net_stats(struct pc *pc, unsigned index, struct virtio_net_stats *out)
{
	memset(out, 0, sizeof *out);
	if (pc->virtio && index < PC_NICS_MAX && pc->virtio->nic[index])
		*out = pc->virtio->nic[index]->st;
}

void pc_reset_virtio(struct pc *pc)
{
	for (unsigned i = 0; pc->virtio && i < DISK_XVD_COUNT; i++)
		if (pc->virtio->disk[i].blk)
			disk_reset(&pc->virtio->disk[i]);
	if (pc->virtio && pc->virtio->has_rng)
		rng_reset(pc);
	if (pc->virtio && pc->virtio->has_con)
		con_reset(pc);
	if (pc->virtio && pc->virtio->has_gpu)
		gpu_reset(pc);
	for (unsigned i = 0; pc->virtio && pc->virtio->has_input && i < PC_VIRTIO_INPUTS; i++)
		input_reset(&pc->virtio->input[i]);
	for (unsigned i = 0; pc->virtio && i < PC_NICS_MAX; i++)
		if (pc->virtio->nic[i]) {
			nic_reset(pc->virtio->nic[i]);
			route_pirqs(pc);
		}
}

void pc_msi_ready(struct pc *pc)
{
	pc_reset_virtio(pc);
}

void pc_free_virtio(struct pc *pc)
{
	for (unsigned i = 0; pc->virtio && i < DISK_XVD_COUNT; i++)
		virtio_blk_destroy(pc->virtio->disk[i].blk);
	if (pc->virtio && pc->virtio->has_rng)
		virtio_rng_destroy(&pc->virtio->rng);
	if (pc->virtio && pc->virtio->has_con)
		virtio_console_destroy(&pc->virtio->con);
	for (unsigned i = 0; pc->virtio && i < PC_NICS_MAX; i++)
		if (pc->virtio->nic[i]) {
			virtio_net_destroy(pc->virtio->nic[i]);
			free(pc->virtio->nic[i]);
		}
	for (unsigned i = 0; pc->virtio && pc->virtio->has_input && i < PC_VIRTIO_INPUTS; i++)
		if (pc->virtio->input[i].vp.ops)
			virtio_input_destroy(&pc->virtio->input[i]);
	if (pc->virtio && pc->virtio->has_gpu)
		virtio_gpu_destroy(&pc->virtio->gpu);
	free(pc->virtio);
	pc->virtio = NULL;
}
