/* MSI-X of the virtio-pci transport, driven as Linux's PCI and virtio
 * drivers drive it and as a hostile guest might: the capability only
 * where the machine has an MSI sink, vector mapping (NO_VECTOR for what
 * the table cannot hold), queue and configuration interrupts as messages
 * with INTx and the ISR's queue bit unused, per-vector and function
 * masking with pending bits, table accesses of every size and alignment,
 * messages the sink refuses, device reset, and save/restore in both
 * formats (refusing impossible states), then a fuzz of all of it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/le.h"
#include "hv/core/state.h"
#include "hv/virtio/virtio_pci.h"

#include "unit.h"
#include "virtq_desc.h"

#define RAM_SIZE (1u << 20)
#define BAR	 0xFEB00000u
#define QSIZE	 16
#define DESC_AT	 0x1000u
#define AVAIL_AT 0x2000u
#define USED_AT	 0x3000u
#define BUF_AT	 0x10000u
#define SLOT	 3
#define MSGCTL	 (VIRTIO_PCI_CAP_MSIX + 2)
#define ENABLE	 0x8000
#define FMASK	 0x4000
#define APIC	 0xFEE00000u
#define NVEC	 3 /* two queues and configuration */

struct echo {
	struct virtio_pci vp;
	unsigned resets;
};

/* The fake engine: takes messages to the APIC's window, refuses others. */
struct sink_log {
	unsigned sent, refused;
	uint64_t addr;
	uint32_t data;
};

static struct guest_mem mem;
static struct pci_bus bus;
static struct echo dev;
static struct sink_log log_;
static struct msi_sink sink;
static int irq_level;
static uint16_t avail_idx;

static int sink_send(void *opaque, uint64_t addr, uint32_t data)
{
	struct sink_log *l = opaque;

	if ((addr >> 20) != (APIC >> 20)) {
		l->refused++;
		return -1;
	}
	l->sent++;
	l->addr = addr;
	l->data = data;
	return 0;
}

static void echo_notify(void *opaque, unsigned queue)
{
	struct echo *e = opaque;
	struct virtq_chain c;

	while (virtio_pci_pop(&e->vp, queue, &c) == 1)
		virtio_pci_push(&e->vp, queue, &c, (uint32_t)c.write_len);
}

static void echo_reset(void *opaque)
{
	((struct echo *)opaque)->resets++;
}

static const struct virtio_dev_ops echo_ops = {
    .type = VIRTIO_ID_RNG,
    .class_base = 0xFF,
    .num_queues = 2,
    .queue_max = 64,
    .notify = echo_notify,
    .reset = echo_reset,
};

static void set_irq(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	irq_level = level;
}

/* dev on a fresh bus, offering MSI-X when with_sink. */
static void make_dev(struct echo *e, bool with_sink)
{
	memset(e, 0, sizeof *e);
	virtio_pci_init(&e->vp, &mem, &echo_ops, e, (struct irq_line){.set = set_irq}, "echo");
	virtio_pci_set_msi(&e->vp, with_sink ? &sink : NULL);
	virtio_pci_machine_reset(&e->vp);
	pci_bus_init(&bus);
	ck_assert_int_eq(pci_bus_add(&bus, SLOT, 0, &e->vp.pci), 0);
}

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	memset(&log_, 0, sizeof log_);
	sink = (struct msi_sink){sink_send, &log_};
	irq_level = 0;
	avail_idx = 0;
	make_dev(&dev, true);
}

static void teardown(void)
{
	virtio_pci_destroy(&dev.vp);
	mem_destroy(&mem);
}

static uint32_t cfg_read(unsigned off, unsigned size)
{
	return pci_config_read(&bus, SLOT, 0, off, size);
}

static void cfg_write(unsigned off, unsigned size, uint32_t v)
{
	pci_config_write(&bus, SLOT, 0, off, size, v);
}

static uint64_t rd(unsigned off, unsigned size)
{
	return mem_read_sized(&mem, BAR + off, size);
}

static void wr(unsigned off, unsigned size, uint64_t v)
{
	mem_write_sized(&mem, BAR + off, size, v);
}

/* Where the capability list has the MSI-X capability, or 0. */
static unsigned find_msix(void)
{
	unsigned at = cfg_read(0x34, 1);

	for (unsigned guard = 0; at && guard < 16; guard++, at = cfg_read(at + 1, 1))
		if (cfg_read(at, 1) == 0x11)
			return at;
	return 0;
}

static void entry(unsigned v, uint32_t addr, uint32_t data, uint32_t ctrl)
{
	unsigned at = VIRTIO_PCI_MSIX_TABLE + 16 * v;

	wr(at, 4, addr);
	wr(at + 4, 4, 0);
	wr(at + 8, 4, data);
	wr(at + 12, 4, ctrl);
}

/* Linux's order: MSI-X on with the function masked, entries programmed
 * (vector v: data 0x40 + v) and unmasked, function unmasked, then the
 * virtio handshake with queue 0 on vector 1, configuration on vector 0. */
static void bring_up(void)
{
	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
	cfg_write(MSGCTL, 2, ENABLE | FMASK);
	for (unsigned v = 0; v < NVEC; v++)
		entry(v, APIC, 0x40 + v, 0);
	cfg_write(MSGCTL, 2, ENABLE);
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	wr(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, 1); /* VERSION_1 */
	wr(VIRTIO_COMMON_STATUS, 1, 0x0B);
	wr(VIRTIO_COMMON_MSIX, 2, 0);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	wr(VIRTIO_COMMON_Q_SIZE, 2, QSIZE);
	wr(VIRTIO_COMMON_Q_DESC, 8, DESC_AT);
	wr(VIRTIO_COMMON_Q_DRIVER, 8, AVAIL_AT);
	wr(VIRTIO_COMMON_Q_DEVICE, 8, USED_AT);
	wr(VIRTIO_COMMON_Q_MSIX, 2, 1);
	wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
	wr(VIRTIO_COMMON_STATUS, 1, 0x0F);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_STATUS, 1), 0x0F);
}

/* One chain offered on queue 0 and the doorbell rung: the device answers. */
static void request(void)
{
	unit_put_desc(mem.ram + DESC_AT, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	le_put16(mem.ram + AVAIL_AT + 4 + 2 * (avail_idx % QSIZE), 0);
	le_put16(mem.ram + AVAIL_AT + 2, ++avail_idx);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	ck_assert_uint_eq(le_get16(mem.ram + USED_AT + 2), avail_idx);
}

START_TEST(no_sink_no_capability)
{
	virtio_pci_destroy(&dev.vp);
	make_dev(&dev, false);
	ck_assert_uint_eq(find_msix(), 0);
	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
	wr(VIRTIO_COMMON_MSIX, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE, 4), 0);
	/* the message control is not writable where nothing is offered */
	cfg_write(MSGCTL, 2, ENABLE);
	ck_assert_uint_eq(cfg_read(MSGCTL, 2), 0);
}
END_TEST

START_TEST(capability_describes_table_and_pba)
{
	unsigned at = find_msix();

	ck_assert_uint_eq(at, VIRTIO_PCI_CAP_MSIX);
	ck_assert_uint_eq(cfg_read(at + 2, 2), NVEC - 1);	       /* off, unmasked */
	ck_assert_uint_eq(cfg_read(at + 4, 4), VIRTIO_PCI_MSIX_TABLE); /* BIR 0 */
	ck_assert_uint_eq(cfg_read(at + 8, 4), VIRTIO_PCI_MSIX_PBA);
	cfg_write(at + 2, 2, 0xFFFF); /* only enable and mask are writable */
	ck_assert_uint_eq(cfg_read(at + 2, 2), ENABLE | FMASK | (NVEC - 1));
	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
	for (unsigned v = 0; v < NVEC; v++)
		ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 16 * v + 12, 4), 1); /* masked */
}
END_TEST

START_TEST(vectors_beyond_the_table_read_no_vector)
{
	static const uint16_t asked[] = {0, 2, NVEC, 0x7FF, 0xFFFF};
	static const uint16_t got[] = {0, 2, 0xFFFF, 0xFFFF, 0xFFFF};

	bring_up();
	for (unsigned i = 0; i < 5; i++) {
		wr(VIRTIO_COMMON_MSIX, 2, asked[i]);
		ck_assert_uint_eq(rd(VIRTIO_COMMON_MSIX, 2), got[i]);
		wr(VIRTIO_COMMON_Q_SELECT, 2, 1);
		wr(VIRTIO_COMMON_Q_MSIX, 2, asked[i]);
		ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_MSIX, 2), got[i]);
	}
	wr(VIRTIO_COMMON_Q_SELECT, 2, 5); /* no such queue */
	wr(VIRTIO_COMMON_Q_MSIX, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_MSIX, 2), 0xFFFF);
}
END_TEST

START_TEST(queue_interrupt_is_a_message_not_intx)
{
	bring_up();
	request();
	ck_assert_uint_eq(log_.sent, 1);
	ck_assert_uint_eq(log_.addr, APIC);
	ck_assert_uint_eq(log_.data, 0x41);
	ck_assert_int_eq(irq_level, 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), 0); /* no queue bit with MSI-X */
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	wr(VIRTIO_COMMON_Q_MSIX, 2, 0xFFFF); /* no vector: no interrupt at all */
	request();
	ck_assert_uint_eq(log_.sent, 1);
	ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(config_change_signals_its_vector_and_sets_isr)
{
	bring_up();
	virtio_pci_config_changed(&dev.vp);
	ck_assert_uint_eq(log_.sent, 1);
	ck_assert_uint_eq(log_.data, 0x40);
	ck_assert_int_eq(irq_level, 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_CONFIG);
}
END_TEST

START_TEST(intx_when_msix_is_off)
{
	bring_up();
	cfg_write(MSGCTL, 2, 0);
	request();
	ck_assert_uint_eq(log_.sent, 0);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	ck_assert_int_eq(irq_level, 0);
	request();
	ck_assert_int_eq(irq_level, 1);
	cfg_write(MSGCTL, 2, ENABLE); /* MSI-X on: INTx goes down */
	ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(masked_vector_is_pending_until_unmasked)
{
	bring_up();
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 12, 4, 1);
	request();
	request();
	ck_assert_uint_eq(log_.sent, 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 8), 1u << 1);
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 8, 4, 0x55); /* retargeted while masked */
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 12, 1, 0);
	ck_assert_uint_eq(log_.sent, 1); /* once for both */
	ck_assert_uint_eq(log_.data, 0x55);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 8), 0);
	wr(VIRTIO_PCI_MSIX_PBA, 8, 0xFF); /* read-only */
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 8), 0);
}
END_TEST

START_TEST(function_mask_holds_every_vector)
{
	bring_up();
	cfg_write(MSGCTL, 2, ENABLE | FMASK);
	request();
	virtio_pci_config_changed(&dev.vp);
	ck_assert_uint_eq(log_.sent, 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 1), 0x3);
	cfg_write(MSGCTL + 1, 1, ENABLE >> 8); /* a byte write of the high half */
	ck_assert_uint_eq(log_.sent, 2);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 1), 0);
}
END_TEST

START_TEST(table_takes_any_size_and_alignment)
{
	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
	/* an 8-byte write across entries 0 and 1: entry 0's control word
	 * (only its mask bit kept) and entry 1's address */
	wr(VIRTIO_PCI_MSIX_TABLE + 12, 8, 0xFEE01000FFFFFFFEull);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 12, 4), 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 16, 4), 0xFEE01000u);
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 9, 2, 0xBEEF); /* unaligned, in data */
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 16 + 8, 4), 0x00BEEF00u);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 16 + 9, 2), 0xBEEF);
	/* past the last entry and inside the PBA: nothing changes */
	wr(VIRTIO_PCI_MSIX_TABLE + 16 * NVEC - 2, 8, ~0ull);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 16 * NVEC - 4, 4), 1); /* still masked */
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 16 * NVEC, 8), 0);
	wr(VIRTIO_PCI_MSIX_PBA - 4, 8, ~0ull);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA - 4, 8), 0);
}
END_TEST

START_TEST(message_to_no_apic_is_dropped)
{
	bring_up();
	entry(1, 0x1000, 0x41, 0); /* a RAM address */
	request();
	ck_assert_uint_eq(log_.refused, 1);
	ck_assert_uint_eq(dev.vp.msix.refused, 1);
	ck_assert_uint_eq(dev.vp.msix.sent, 0);
	entry(1, APIC, 0x41, 0);
	request();
	ck_assert_uint_eq(dev.vp.msix.sent, 1);
}
END_TEST

START_TEST(device_reset_unmaps_vectors_and_drops_pending)
{
	bring_up();
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 12, 4, 1);
	request();
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 1), 2);
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_MSIX, 2), 0xFFFF);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_MSIX, 2), 0xFFFF);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 1), 0);
	/* the table and the enable bit are the PCI function's: they stay */
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_TABLE + 8, 4), 0x40);
	ck_assert_uint_eq(cfg_read(MSGCTL, 2) & ENABLE, ENABLE);
	virtio_pci_machine_reset(&dev.vp); /* ... until a machine reset */
	ck_assert_uint_eq(cfg_read(MSGCTL, 2), NVEC - 1);
	ck_assert_uint_eq(dev.vp.msix.table[0].data, 0);
	ck_assert_uint_eq(dev.vp.msix.table[0].ctrl, 1);
}
END_TEST

/* dev's state saved into o (format 2). */
static void save(struct state_out *o)
{
	memset(o, 0, sizeof *o);
	virtio_pci_save(&dev.vp, o);
	ck_assert(!o->failed);
}

static int load_into(struct echo *e, const uint8_t *p, size_t len, uint32_t from)
{
	struct state_in in = state_in_make(p, len);
	struct virtio_pci_saved s;

	if (virtio_pci_load(&e->vp, &in, from, &s) < 0 || !state_in_done(&in))
		return -1;
	virtio_pci_commit(&e->vp, &s);
	return 0;
}

START_TEST(restore_keeps_table_vectors_and_pending)
{
	struct state_out o;

	bring_up();
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 12, 4, 1);
	request();
	save(&o);
	virtio_pci_destroy(&dev.vp);
	make_dev(&dev, true);
	ck_assert_int_eq(load_into(&dev, o.p, o.len, 2), 0);
	ck_assert(dev.vp.bar_base == BAR);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_MSIX, 2), 0);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_MSIX, 2), 1);
	ck_assert_uint_eq(rd(VIRTIO_PCI_MSIX_PBA, 1), 2);
	wr(VIRTIO_PCI_MSIX_TABLE + 16 + 12, 4, 0); /* unmasking sends what waited */
	ck_assert_uint_eq(log_.sent, 1);
	ck_assert_uint_eq(log_.data, 0x41);
	request();
	ck_assert_uint_eq(log_.sent, 2);
	ck_assert_int_eq(irq_level, 0);
	state_out_free(&o);
}
END_TEST

/* A format-1 state (before MSI-X) is format 2's without its last byte for
 * a device that did not offer it; loaded where MSI-X is offered, it is
 * off (the capability is this machine's), INTx works, and the driver can
 * still turn MSI-X on. */
START_TEST(format_1_loads_with_msix_off)
{
	struct state_out o;

	virtio_pci_destroy(&dev.vp);
	make_dev(&dev, false);
	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
	save(&o);
	ck_assert_uint_eq(o.p[o.len - 1], 0); /* offered: false */
	virtio_pci_destroy(&dev.vp);
	make_dev(&dev, true);
	ck_assert_int_eq(load_into(&dev, o.p, o.len - 1, 1), 0);
	ck_assert_uint_eq(find_msix(), VIRTIO_PCI_CAP_MSIX);
	ck_assert_uint_eq(cfg_read(MSGCTL, 2), NVEC - 1);
	ck_assert_uint_eq(dev.vp.msix.table[1].ctrl, 1);
	cfg_write(MSGCTL, 2, 0); /* the driver stays on INTx */
	bring_up();
	cfg_write(MSGCTL, 2, 0);
	request();
	ck_assert_uint_eq(log_.sent, 0);
	ck_assert_int_eq(irq_level, 1);
	cfg_write(MSGCTL, 2, ENABLE);
	request();
	ck_assert_uint_eq(log_.sent, 1);
	state_out_free(&o);
}
END_TEST

START_TEST(impossible_msix_states_are_refused)
{
	struct state_out o;
	uint8_t *p;
	size_t tail; /* where MSI-X's part begins */

	bring_up();
	save(&o);
	/* offered, u16 control, u16 config vector, u32 pending, NVEC
	 * entries, 2 queue vectors */
	tail = o.len - (1 + 2 + 2 + 4 + 16 * NVEC + 2 * 2);
	ck_assert_uint_eq(o.p[tail], 1);
	ck_assert_uint_eq(le_get16(o.p + tail + 1), ENABLE);
	p = malloc(o.len);
	ck_assert_int_eq(load_into(&dev, o.p, o.len, 2), 0);
	ck_assert_int_eq(load_into(&dev, o.p, o.len, 1), -1); /* bytes format 1 never had */
	ck_assert_int_eq(load_into(&dev, o.p, o.len, 3), -1);
	ck_assert_int_eq(load_into(&dev, o.p, o.len - 1, 2), -1);
	memcpy(p, o.p, o.len);
	le_put16(p + o.len - 2, NVEC); /* queue 1's vector beyond the table */
	ck_assert_int_eq(load_into(&dev, p, o.len, 2), -1);
	memcpy(p, o.p, o.len);
	le_put16(p + tail + 3, 7); /* the configuration's */
	ck_assert_int_eq(load_into(&dev, p, o.len, 2), -1);
	memcpy(p, o.p, o.len);
	le_put32(p + tail + 5, 1u << NVEC); /* a pending bit with no vector */
	ck_assert_int_eq(load_into(&dev, p, o.len, 2), -1);
	memcpy(p, o.p, o.len);
	p[tail + 9 + 12 + 1] = 1; /* a reserved vector control bit */
	ck_assert_int_eq(load_into(&dev, p, o.len, 2), -1);
	memcpy(p, o.p, o.len);
	le_put16(p + tail + 1, ENABLE | 2); /* control bits not the driver's */
	ck_assert_int_eq(load_into(&dev, p, o.len, 2), -1);
	memcpy(p, o.p, o.len);
	le_put16(p + tail + 1, 0); /* unlike configuration space */
	ck_assert_int_eq(load_into(&dev, p, o.len, 2), -1);
	/* MSI-X in use, loaded where the machine cannot deliver it */
	virtio_pci_destroy(&dev.vp);
	make_dev(&dev, false);
	ck_assert_int_eq(load_into(&dev, o.p, o.len, 2), -1);
	free(p);
	state_out_free(&o);
}
END_TEST

/* The driver and a hostile guest at once: random table, PBA, common
 * configuration and message control accesses between requests. The
 * device must hold its invariants: vectors in the table or NO_VECTOR,
 * pending bits only for vectors that exist, reserved bits clear, INTx
 * low while MSI-X is on. */
START_TEST(msix_fuzz_keeps_invariants)
{
	static const unsigned sizes[] = {1, 2, 4, 8};

	unit_seed(0x4D5358u + (unsigned)_i);
	bring_up();
	for (int k = 0; k < 20000; k++) {
		unsigned size = sizes[unit_rand() % 4], r = unit_rand() % 8;
		unsigned off = VIRTIO_PCI_MSIX_TABLE - 8 + unit_rand() % 0x420;
		uint64_t v = (uint64_t)unit_rand() << 32 | unit_rand();

		if (r == 0)
			cfg_write(MSGCTL + unit_rand() % 2, 1 + unit_rand() % 2, (uint32_t)v);
		else if (r == 1)
			rd(off, size);
		else if (r == 2)
			wr(unit_rand() % 2 ? VIRTIO_COMMON_MSIX : VIRTIO_COMMON_Q_MSIX, 2,
			   unit_rand() % 2 ? v % 5 : v);
		else if (r == 3)
			wr(VIRTIO_COMMON_Q_SELECT, 2, unit_rand() % 3);
		else if (r == 4 && le_get16(mem.ram + USED_AT + 2) == avail_idx &&
			 virtio_pci_queue(&dev.vp, 0))
			request();
		else if (r == 5)
			virtio_pci_config_changed(&dev.vp);
		else
			wr(off, size, unit_rand() % 2 ? (v & ~0xFFFFFull) | APIC : v);
		ck_assert_uint_eq(dev.vp.msix.pending >> NVEC, 0);
		ck_assert(dev.vp.msix.config_vector < NVEC || dev.vp.msix.config_vector == 0xFFFF);
		for (unsigned q = 0; q < 2; q++)
			ck_assert(dev.vp.q[q].msix_vector < NVEC ||
				  dev.vp.q[q].msix_vector == 0xFFFF);
		for (unsigned e = 0; e < NVEC; e++)
			ck_assert_uint_eq(dev.vp.msix.table[e].ctrl & ~1u, 0);
		if (cfg_read(MSGCTL, 2) & ENABLE)
			ck_assert_int_eq(irq_level, 0);
	}
	ck_assert_uint_eq(dev.vp.msix.sent + dev.vp.msix.refused, log_.sent + log_.refused);
}
END_TEST

static Suite *virtio_msix_suite(void)
{
	const TTest *tests[] = {
	    no_sink_no_capability,
	    capability_describes_table_and_pba,
	    vectors_beyond_the_table_read_no_vector,
	    queue_interrupt_is_a_message_not_intx,
	    config_change_signals_its_vector_and_sets_isr,
	    intx_when_msix_is_off,
	    masked_vector_is_pending_until_unmasked,
	    function_mask_holds_every_vector,
	    table_takes_any_size_and_alignment,
	    message_to_no_apic_is_dropped,
	    device_reset_unmaps_vectors_and_drops_pending,
	    restore_keeps_table_vectors_and_pending,
	    format_1_loads_with_msix_off,
	    impossible_msix_states_are_refused,
	};

	return unit_suite("virtio_msix", "msix", setup, teardown, tests, UNIT_COUNT(tests),
			  msix_fuzz_keeps_invariants, 4);
}

int main(void)
{
	return unit_run(virtio_msix_suite());
}
