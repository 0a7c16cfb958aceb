/* virtio_pci: the modern PCI transport driven by a synthetic driver through
 * configuration space and MMIO on its BAR: capabilities, the status
 * handshake and feature negotiation, queue setup, notify, ISR
 * read-to-clear on a level-triggered INTx, DEVICE_NEEDS_RESET for hostile
 * queues, reset, and a fuzz of register accesses. */
#include <check.h>
#include <string.h>

#include "hv/core/le.h"
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

/* A device type of our own: two queues, 8 bytes of configuration, and a
 * notify that returns every chain with all its writable bytes filled. */
struct echo {
	struct virtio_pci vp;
	uint8_t config[8];
	unsigned notified, resets;
	uint8_t written_config[8];
};

static struct guest_mem mem;
static struct pci_bus bus;
static struct echo dev;
static int irq_level;
static uint16_t avail_idx;

static void echo_config_read(void *opaque, unsigned offset, void *buf, unsigned len)
{
	struct echo *e = opaque;

	memcpy(buf, e->config + offset, len);
}

static void echo_config_write(void *opaque, unsigned offset, const void *buf, unsigned len)
{
	struct echo *e = opaque;

	memcpy(e->written_config + offset, buf, len);
}

static void echo_notify(void *opaque, unsigned queue)
{
	struct echo *e = opaque;
	struct virtq_chain c;

	e->notified++;
	while (virtio_pci_pop(&e->vp, queue, &c) == 1)
		virtio_pci_push(&e->vp, queue, &c, (uint32_t)c.write_len);
}

static void echo_reset(void *opaque)
{
	struct echo *e = opaque;

	e->resets++;
}

static const struct virtio_dev_ops echo_ops = {
    .type = VIRTIO_ID_RNG,
    .class_base = 0xFF,
    .features = 1ull << 3,
    .num_queues = 2,
    .queue_max = 64,
    .config_size = 8,
    .config_read = echo_config_read,
    .config_write = echo_config_write,
    .notify = echo_notify,
    .reset = echo_reset,
};

static void set_irq(void *opaque, int pin, int level)
{
	(void)opaque;
	(void)pin;
	irq_level = level;
}

static void setup(void)
{
	char err[128];

	ck_assert_int_eq(mem_init(&mem, RAM_SIZE, err, sizeof err), 0);
	pci_bus_init(&bus);
	memset(&dev, 0, sizeof dev);
	memcpy(dev.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	irq_level = 0;
	avail_idx = 0;
	virtio_pci_init(&dev.vp, &mem, &echo_ops, &dev, (struct irq_line){.set = set_irq}, "echo");
	ck_assert_int_eq(pci_bus_add(&bus, SLOT, 0, &dev.vp.pci), 0);
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

static void map_bar(void)
{
	cfg_write(PCI_BAR0, 4, BAR);
	cfg_write(PCI_COMMAND, 2, 0x6);
}

static uint64_t rd(unsigned off, unsigned size)
{
	return mem_read_sized(&mem, BAR + off, size);
}

static void wr(unsigned off, unsigned size, uint64_t v)
{
	mem_write_sized(&mem, BAR + off, size, v);
}

static uint8_t status(void)
{
	return (uint8_t)rd(VIRTIO_COMMON_STATUS, 1);
}

/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK: what a driver does first. */
static void negotiate(uint64_t features)
{
	map_bar();
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	wr(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_COMMON_GFSELECT, 4, 0);
	wr(VIRTIO_COMMON_GF, 4, (uint32_t)features);
	wr(VIRTIO_COMMON_GFSELECT, 4, 1);
	wr(VIRTIO_COMMON_GF, 4, (uint32_t)(features >> 32));
	wr(VIRTIO_COMMON_STATUS, 1,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(unsigned n, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(VIRTIO_COMMON_Q_SELECT, 2, n);
	wr(VIRTIO_COMMON_Q_SIZE, 2, size);
	wr(VIRTIO_COMMON_Q_DESC, 4, (uint32_t)desc);
	wr(VIRTIO_COMMON_Q_DESC + 4, 4, (uint32_t)(desc >> 32));
	wr(VIRTIO_COMMON_Q_DRIVER, 4, (uint32_t)avail);
	wr(VIRTIO_COMMON_Q_DRIVER + 4, 4, (uint32_t)(avail >> 32));
	wr(VIRTIO_COMMON_Q_DEVICE, 4, (uint32_t)used);
	wr(VIRTIO_COMMON_Q_DEVICE + 4, 4, (uint32_t)(used >> 32));
	wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
}

static void driver_ok(void)
{
	wr(VIRTIO_COMMON_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
}

/* The whole handshake with queue 0 at the usual place. */
static void try_bring_up(void)
{
	negotiate(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_EVENT_IDX |
		  1ull << VIRTIO_F_INDIRECT_DESC);
	setup_queue(0, QSIZE, DESC_AT, AVAIL_AT, USED_AT);
	driver_ok();
}

/* ... which succeeds, and the DRIVER_OK notification is not counted. */
static void bring_up(void)
{
	try_bring_up();
	ck_assert_uint_eq(status(), 0x0F);
	dev.notified = 0;
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	unit_put_desc(mem.ram + DESC_AT + 16 * i, addr, len, flags, next);
}

static void offer(uint16_t head)
{
	le_put16(mem.ram + AVAIL_AT + 4 + 2 * (avail_idx % QSIZE), head);
	avail_idx++;
	le_put16(mem.ram + AVAIL_AT + 2, avail_idx);
}

static void kick(unsigned n)
{
	wr(VIRTIO_PCI_NOTIFY + VIRTIO_PCI_NOTIFY_MULT * n, 2, n);
}

START_TEST(identifies_as_modern_virtio_function)
{
	ck_assert_uint_eq(cfg_read(PCI_VENDOR_ID, 2), 0x1AF4);
	ck_assert_uint_eq(cfg_read(PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_RNG);
	ck_assert_uint_ge(cfg_read(PCI_REVISION, 1), 1);
	ck_assert_uint_eq(cfg_read(PCI_INTERRUPT_PIN, 1), 1);
	ck_assert(cfg_read(PCI_STATUS, 2) & 0x10);
	cfg_write(PCI_BAR0, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(cfg_read(PCI_BAR0, 4), ~(uint32_t)(VIRTIO_PCI_BAR_SIZE - 1));
}
END_TEST

START_TEST(capability_list_describes_the_bar)
{
	unsigned seen = 0, at = cfg_read(0x34, 1), guard = 0;

	while (at && guard++ < 16) {
		unsigned type = cfg_read(at + 3, 1);

		ck_assert_uint_eq(cfg_read(at, 1), 0x09);
		ck_assert_uint_eq(cfg_read(at + 4, 1), 0);
		seen |= 1u << type;
		if (type == 1)
			ck_assert_uint_eq(cfg_read(at + 8, 4), VIRTIO_PCI_COMMON);
		if (type == 2) {
			ck_assert_uint_eq(cfg_read(at + 8, 4), VIRTIO_PCI_NOTIFY);
			ck_assert_uint_eq(cfg_read(at + 16, 4), VIRTIO_PCI_NOTIFY_MULT);
		}
		if (type == 3)
			ck_assert_uint_eq(cfg_read(at + 8, 4), VIRTIO_PCI_ISR);
		if (type == 4) {
			ck_assert_uint_eq(cfg_read(at + 8, 4), VIRTIO_PCI_DEVICE_CFG);
			ck_assert_uint_eq(cfg_read(at + 12, 4), 8);
		}
		at = cfg_read(at + 1, 1);
	}
	ck_assert_uint_eq(seen, 0x3E); /* common, notify, ISR, device, PCI cfg */
}
END_TEST

START_TEST(bar_maps_only_with_memory_decoding)
{
	cfg_write(PCI_BAR0, 4, BAR);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_NUMQ, 2), 0xFFFF); /* nothing there yet */
	cfg_write(PCI_COMMAND, 2, 0x2);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_NUMQ, 2), 2);
	cfg_write(PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_NUMQ, 2), 0xFFFF);
}
END_TEST

START_TEST(bar_over_ram_is_not_mapped)
{
	cfg_write(PCI_BAR0, 4, 0x8000);
	cfg_write(PCI_COMMAND, 2, 0x2);
	ck_assert_uint_eq(dev.vp.bar_base, 0);
	ck_assert_ptr_eq(mem_find(&mem, 0x8000)->host, mem.ram); /* still RAM */
}
END_TEST

START_TEST(features_offer_version_1_indirect_event_idx)
{
	uint64_t f;

	map_bar();
	wr(VIRTIO_COMMON_DFSELECT, 4, 0);
	f = rd(VIRTIO_COMMON_DF, 4);
	wr(VIRTIO_COMMON_DFSELECT, 4, 1);
	f |= rd(VIRTIO_COMMON_DF, 4) << 32;
	ck_assert_uint_eq(f, 1ull << 3 | 1ull << VIRTIO_F_INDIRECT_DESC |
				 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_VERSION_1);
	wr(VIRTIO_COMMON_DFSELECT, 4, 7);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_DF, 4), 0);
}
END_TEST

START_TEST(handshake_reaches_driver_ok)
{
	bring_up();
	ck_assert(virtio_pci_has_feature(&dev.vp, VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_ENABLE, 2), 1);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_SIZE, 2), QSIZE);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_DESC, 8), DESC_AT);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_MSIX, 2), 0xFFFF);
	ck_assert_ptr_nonnull(virtio_pci_queue(&dev.vp, 0));
	ck_assert_ptr_null(virtio_pci_queue(&dev.vp, 1)); /* not enabled */
}
END_TEST

START_TEST(features_without_version_1_are_refused)
{
	negotiate(1ull << 3);
	ck_assert_uint_eq(status() & VIRTIO_STATUS_FEATURES_OK, 0);
	negotiate(1ull << VIRTIO_F_VERSION_1 | 1ull << 5); /* bit 5 was not offered */
	ck_assert_uint_eq(status() & VIRTIO_STATUS_FEATURES_OK, 0);
	negotiate(1ull << VIRTIO_F_VERSION_1);
	ck_assert_uint_ne(status() & VIRTIO_STATUS_FEATURES_OK, 0);
}
END_TEST

START_TEST(notify_serves_queue_and_isr_read_clears_intx)
{
	bring_up();
	put_desc(0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	kick(0);
	ck_assert_uint_eq(dev.notified, 1);
	ck_assert_uint_eq(le_get16(mem.ram + USED_AT + 2), 1);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	ck_assert_int_eq(irq_level, 0);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), 0);
}
END_TEST

START_TEST(intx_disable_masks_the_line)
{
	bring_up();
	cfg_write(PCI_COMMAND, 2, 0x406);
	put_desc(0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	kick(0);
	ck_assert_int_eq(irq_level, 0);
	cfg_write(PCI_COMMAND, 2, 0x6);
	ck_assert_int_eq(irq_level, 1);
}
END_TEST

START_TEST(notify_before_driver_ok_is_ignored)
{
	negotiate(1ull << VIRTIO_F_VERSION_1);
	setup_queue(0, QSIZE, DESC_AT, AVAIL_AT, USED_AT);
	put_desc(0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	kick(0);
	kick(1);
	kick(200);
	ck_assert_uint_eq(dev.notified, 0);
	/* DRIVER_OK looks at what was made available before it */
	driver_ok();
	ck_assert_uint_eq(dev.notified, 1);
	ck_assert_uint_eq(le_get16(mem.ram + USED_AT + 2), 1);
}
END_TEST

START_TEST(hostile_chain_sets_needs_reset_and_reset_recovers)
{
	bring_up();
	put_desc(0, BUF_AT, 8, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF_AT, 8, VIRTQ_DESC_F_NEXT, 0); /* a loop */
	offer(0);
	kick(0);
	ck_assert_uint_ne(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_CONFIG);
	ck_assert_ptr_null(virtio_pci_queue(&dev.vp, 0));
	kick(0); /* ignored now */
	ck_assert_uint_eq(dev.notified, 1);
	dev.resets = 0;
	wr(VIRTIO_COMMON_STATUS, 1, 0);
	ck_assert_uint_eq(status(), 0);
	ck_assert_uint_eq(dev.resets, 1);
	avail_idx = 0;
	memset(mem.ram + USED_AT, 0, 8);
	le_put16(mem.ram + AVAIL_AT + 2, 0);
	put_desc(0, BUF_AT, 8, VIRTQ_DESC_F_WRITE, 0);
	negotiate(1ull << VIRTIO_F_VERSION_1);
	setup_queue(0, QSIZE, DESC_AT, AVAIL_AT, USED_AT);
	driver_ok();
	offer(0);
	kick(0);
	ck_assert_uint_eq(le_get16(mem.ram + USED_AT + 2), 1);
}
END_TEST

START_TEST(queue_in_mmio_sets_needs_reset)
{
	negotiate(1ull << VIRTIO_F_VERSION_1);
	setup_queue(0, QSIZE, BAR, AVAIL_AT, USED_AT);
	ck_assert_uint_ne(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_ENABLE, 2), 0);
}
END_TEST

START_TEST(queue_size_must_be_power_of_two_within_max)
{
	negotiate(1ull << VIRTIO_F_VERSION_1);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 1);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_SIZE, 2), 64);
	wr(VIRTIO_COMMON_Q_SIZE, 2, 100);
	wr(VIRTIO_COMMON_Q_SIZE, 2, 128);
	wr(VIRTIO_COMMON_Q_SIZE, 2, 0);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_SIZE, 2), 64);
	wr(VIRTIO_COMMON_Q_SIZE, 2, 8);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_SIZE, 2), 8);
	wr(VIRTIO_COMMON_Q_SELECT, 2, 5); /* no such queue */
	ck_assert_uint_eq(rd(VIRTIO_COMMON_Q_SIZE, 2), 0);
	wr(VIRTIO_COMMON_Q_ENABLE, 2, 1);
	ck_assert_uint_eq(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(device_config_through_bar_and_pci_cfg_window)
{
	map_bar();
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + 2, 2), 0x4433);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + 4, 4), 0x88776655);
	ck_assert_uint_eq(rd(VIRTIO_PCI_DEVICE_CFG + 6, 4), 0); /* past the end */
	wr(VIRTIO_PCI_DEVICE_CFG + 1, 1, 0xAB);
	ck_assert_uint_eq(dev.written_config[1], 0xAB);
	cfg_write(VIRTIO_PCI_CAP_PCI_CFG + 4, 1, 0);
	cfg_write(VIRTIO_PCI_CAP_PCI_CFG + 8, 4, VIRTIO_PCI_DEVICE_CFG);
	cfg_write(VIRTIO_PCI_CAP_PCI_CFG + 12, 4, 4);
	ck_assert_uint_eq(cfg_read(VIRTIO_PCI_CAP_PCI_CFG + 16, 4), 0x44332211);
	cfg_write(VIRTIO_PCI_CAP_PCI_CFG + 8, 4, VIRTIO_COMMON_STATUS);
	cfg_write(VIRTIO_PCI_CAP_PCI_CFG + 12, 4, 1);
	cfg_write(VIRTIO_PCI_CAP_PCI_CFG + 16, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	ck_assert_uint_eq(dev.vp.status, VIRTIO_STATUS_ACKNOWLEDGE);
}
END_TEST

START_TEST(machine_reset_unmaps_bar_and_clears_status)
{
	bring_up();
	virtio_pci_machine_reset(&dev.vp);
	ck_assert_uint_eq(dev.vp.bar_base, 0);
	ck_assert_uint_eq(dev.vp.status, 0);
	ck_assert_ptr_null(virtio_pci_queue(&dev.vp, 0));
	ck_assert_uint_eq(cfg_read(PCI_COMMAND, 2), 0);
}
END_TEST

START_TEST(boot_config_survives_machine_reset)
{
	virtio_pci_set_boot_config(&dev.vp, BAR, 11);
	ck_assert_uint_eq(rd(VIRTIO_COMMON_NUMQ, 2), 2);
	cfg_write(PCI_COMMAND, 2, 0);
	virtio_pci_machine_reset(&dev.vp);
	ck_assert_uint_eq(dev.vp.bar_base, BAR);
	ck_assert_uint_eq(cfg_read(PCI_INTERRUPT_LINE, 1), 11);
	ck_assert_uint_eq(cfg_read(PCI_BAR0, 4), BAR);
	ck_assert_uint_eq(cfg_read(PCI_COMMAND, 2), 0x6);
}
END_TEST

/* Random accesses of random sizes anywhere in the BAR and configuration
 * space, with rings pointing anywhere: the device must survive, and never
 * map its BAR over RAM. */
START_TEST(register_fuzz_survives)
{
	static const unsigned sizes[] = {1, 2, 4, 8};

	unit_seed(0xF00D0000u + (unsigned)_i);
	for (unsigned i = 0; i < RAM_SIZE / 4; i++)
		((uint32_t *)mem.ram)[i] = unit_rand();
	for (int k = 0; k < 20000; k++) {
		unsigned size = sizes[unit_rand() % 4], r = unit_rand() % 8;
		unsigned off = unit_rand() % 4 ? unit_rand() % 0x40 : unit_rand() % 0x4000;
		uint64_t v = (uint64_t)unit_rand() << 32 | unit_rand();

		if (r == 0)
			cfg_write(unit_rand() % 256, size > 4 ? 4 : size, (uint32_t)v);
		else if (r == 1)
			cfg_read(unit_rand() % 256, size > 4 ? 4 : size);
		else if (r == 2)
			rd(off, size);
		else if (r == 3)
			kick(unit_rand() % 3);
		else if (r == 4 && unit_rand() % 64 == 0)
			try_bring_up();
		else
			wr(off, size, unit_rand() % 2 ? v % (2 * RAM_SIZE) : v);
		if (unit_rand() % 256 == 0)
			map_bar();
		ck_assert(dev.vp.bar_base == 0 || dev.vp.bar_base >= RAM_SIZE);
	}
}
END_TEST

static Suite *virtio_pci_suite(void)
{
	const TTest *tests[] = {
	    identifies_as_modern_virtio_function,
	    capability_list_describes_the_bar,
	    bar_maps_only_with_memory_decoding,
	    bar_over_ram_is_not_mapped,
	    features_offer_version_1_indirect_event_idx,
	    handshake_reaches_driver_ok,
	    features_without_version_1_are_refused,
	    notify_serves_queue_and_isr_read_clears_intx,
	    intx_disable_masks_the_line,
	    notify_before_driver_ok_is_ignored,
	    hostile_chain_sets_needs_reset_and_reset_recovers,
	    queue_in_mmio_sets_needs_reset,
	    queue_size_must_be_power_of_two_within_max,
	    device_config_through_bar_and_pci_cfg_window,
	    machine_reset_unmaps_bar_and_clears_status,
	    boot_config_survives_machine_reset,
	};

	return unit_suite("virtio_pci", "transport", setup, teardown, tests, UNIT_COUNT(tests),
			  register_fuzz_survives, 4);
}

int main(void)
{
	return unit_run(virtio_pci_suite());
}
