/* pc_virtio: virtio-blk disks on the PC as a kernel booted without
 * firmware finds them through ports and MMIO: functions in slots 4 and
 * up, BARs placed, PIRQs routed to level-triggered IRQs 10/11, the
 * interrupt line register set, an ISR that reaches the PIC, and all of
 * it again after a machine reset. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/block/disk.h"
#include "hv/config/diskspec.h"
#include "hv/core/machine.h"
#include "hv/virtio/virtio_console.h"
#include "hv/virtio/virtio_net.h"
#include "hv/virtio/virtio_pci.h"
#include "legacy/pc_int.h"
#include "legacy/piix3.h"
#include "legacy/pc_virtio.h"

#include "unit.h"

static struct machine m;
static struct pc *pc;
static struct disk *disk[2];
static char path[2][64];

static void setup(void)
{
	struct pc_hooks h = {0};
	char err[256];

	ck_assert_int_eq(machine_init(&m, 16u << 20, err, sizeof err), 0);
	pc = pc_create(&m, &h, err, sizeof err);
	ck_assert_msg(pc != NULL, "%s", err);
	for (int i = 0; i < 2; i++) {
		int fd;

		strcpy(path[i], "/tmp/hv-test-pcvirtio-XXXXXX");
		fd = mkstemp(path[i]);
		ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
		close(fd);
		disk[i] = disk_open(path[i], i == 1, err, sizeof err);
		ck_assert_ptr_nonnull(disk[i]);
	}
	ck_assert_int_eq(pc_add_virtio_blk(pc, 0, disk[0], err, sizeof err), 0);
	ck_assert_int_eq(pc_add_virtio_blk(pc, 1, disk[1], err, sizeof err), 0);
	ck_assert_int_eq(pc_add_virtio_rng(pc, err, sizeof err), 0);
	ck_assert_int_eq(
	    pc_add_virtio_console(pc, &(struct virtio_console_backend){0}, err, sizeof err), 0);
}

static void teardown(void)
{
	pc_free(pc);
	machine_destroy(&m);
	for (int i = 0; i < 2; i++) {
		disk_close(disk[i]);
		unlink(path[i]);
	}
}

static uint32_t cfg(unsigned slot, unsigned off, unsigned size)
{
	bus_write(&m.pio, PCI_CONFIG_ADDRESS, 4, 0x80000000u | slot << 11 | (off & 0xfc));
	return (uint32_t)bus_read(&m.pio, PCI_CONFIG_DATA + (off & 3), size);
}

static void check_as_firmware_left_it(void)
{
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT, PCI_VENDOR_ID, 4), 0x10421AF4);
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT + 1, PCI_VENDOR_ID, 4), 0x10421AF4);
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT, PCI_BAR0, 4), PC_VIRTIO_MMIO);
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT + 1, PCI_BAR0, 4), PC_VIRTIO_MMIO + 0x4000);
	/* slot 4 INTA is PIRQA, IRQ 10; slot 5 PIRQB, IRQ 11: not shared */
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT, PCI_INTERRUPT_LINE, 1), 10);
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT + 1, PCI_INTERRUPT_LINE, 1), 11);
	ck_assert_uint_eq(cfg(PC_PIIX3_SLOT, PIIX3_PIRQRC, 4), 0x0B0A0B0A);
	ck_assert_uint_eq(bus_read(&m.pio, PC_ELCR_BASE + 1, 1) & 0x0C, 0x0C);
	ck_assert_uint_eq(mem_read_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_NUMQ, 2), 1);
	ck_assert_ptr_nonnull(device_find(&m.devices, "vda"));
	ck_assert_ptr_nonnull(device_find(&m.devices, "vdb"));
	/* slot 30 INTA is PIRQC: IRQ 10 */
	ck_assert_uint_eq(cfg(PC_VIRTIO_RNG_SLOT, PCI_VENDOR_ID, 4), 0x10441AF4);
	ck_assert_uint_eq(cfg(PC_VIRTIO_RNG_SLOT, PCI_INTERRUPT_LINE, 1), 10);
	ck_assert_uint_eq(cfg(PC_VIRTIO_RNG_SLOT, PCI_BAR0, 4), PC_VIRTIO_MMIO + 26 * 0x4000);
	ck_assert_ptr_nonnull(device_find(&m.devices, "rng0"));
	/* slot 31 INTA is PIRQD: IRQ 11 */
	ck_assert_uint_eq(cfg(PC_VIRTIO_CON_SLOT, PCI_VENDOR_ID, 4), 0x10431AF4);
	ck_assert_uint_eq(cfg(PC_VIRTIO_CON_SLOT, PCI_INTERRUPT_LINE, 1), 11);
	ck_assert_uint_eq(cfg(PC_VIRTIO_CON_SLOT, PCI_BAR0, 4), PC_VIRTIO_MMIO + 27 * 0x4000);
	ck_assert_ptr_nonnull(device_find(&m.devices, "hvc0"));
	/* no receive buffers posted yet */
	ck_assert_uint_eq(pc_virtio_console_receive(pc, (const uint8_t *)"x", 1), 0);
}

START_TEST(disks_are_ready_without_firmware)
{
	check_as_firmware_left_it();
}
END_TEST

START_TEST(machine_reset_leaves_them_ready_again)
{
	bus_write(&m.pio, PC_ELCR_BASE + 1, 1, 0);
	mem_write_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_STATUS, 1, 1);
	device_reset_all(&pc->m->devices);
	ck_assert_uint_eq(mem_read_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_STATUS, 1), 0);
	check_as_firmware_left_it();
}
END_TEST

START_TEST(config_interrupt_reaches_irq_10)
{
	struct virtio_pci *vp;
	static char buf[16384]; /* every device of the PC is described */

	/* Program the PICs (ICW1-4) with IRQ 10 unmasked. */
	bus_write(&m.pio, PC_PIC_MASTER_BASE, 1, 0x11);
	bus_write(&m.pio, PC_PIC_MASTER_BASE + 1, 1, 0x08);
	bus_write(&m.pio, PC_PIC_MASTER_BASE + 1, 1, 0x04);
	bus_write(&m.pio, PC_PIC_MASTER_BASE + 1, 1, 0x01);
	bus_write(&m.pio, PC_PIC_SLAVE_BASE, 1, 0x11);
	bus_write(&m.pio, PC_PIC_SLAVE_BASE + 1, 1, 0x70);
	bus_write(&m.pio, PC_PIC_SLAVE_BASE + 1, 1, 0x02);
	bus_write(&m.pio, PC_PIC_SLAVE_BASE + 1, 1, 0x01);
	bus_write(&m.pio, PC_PIC_MASTER_BASE + 1, 1, 0xFB);
	bus_write(&m.pio, PC_PIC_SLAVE_BASE + 1, 1, 0xFB);
	device_describe_all(&m.devices, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "vda="));
	vp = (struct virtio_pci *)pc->pci.devs[PC_VIRTIO_SLOT * PCI_FUNCS]->opaque;
	mem_write_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_GFSELECT, 4, 1);
	mem_write_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_GF, 4, 1); /* VERSION_1 */
	mem_write_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_STATUS, 1, 0x0B);
	mem_write_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_COMMON_STATUS, 1, 0x0F);
	ck_assert(!machine_intr_pending(&m));
	virtio_pci_needs_reset(vp);
	ck_assert(machine_intr_pending(&m));
	ck_assert_int_eq(machine_intr_ack(&m), 0x72);
	ck_assert_uint_eq(mem_read_sized(&m.mem, PC_VIRTIO_MMIO + VIRTIO_PCI_ISR, 1),
			  VIRTIO_ISR_CONFIG);
}
END_TEST

static uint32_t cfg_fn(unsigned slot, unsigned fn, unsigned off, unsigned size)
{
	bus_write(&m.pio, PCI_CONFIG_ADDRESS, 4, 0x80000000u | slot << 11 | fn << 8 | (off & 0xfc));
	return (uint32_t)bus_read(&m.pio, PCI_CONFIG_DATA + (off & 3), size);
}

static struct virtio_pci *function(unsigned slot, unsigned fn)
{
	return (struct virtio_pci *)pc->pci.devs[slot * PCI_FUNCS + fn]->opaque;
}

/* vfb = [ 'type=virtio' ]: the gpu at 00:03.0 says the slot has several
 * functions (also after a reset), the keyboard and mouse are 00:03.1 and
 * .2, and the three share INTA: it stays up while any of them holds it. */
START_TEST(gpu_and_input_share_slot_3)
{
	char err[256];
	unsigned bar_in = PC_VIRTIO_MMIO + (26 + 3) * VIRTIO_PCI_BAR_SIZE;
	unsigned pirq = PC_VIRTIO_GPU_SLOT & 3;

	ck_assert_int_ne(pc_add_virtio_input(pc, err, sizeof err), 0); /* no gpu yet */
	ck_assert_int_eq(pc_add_virtio_gpu(pc, 1024, 768, err, sizeof err), 0);
	ck_assert_int_eq(pc_add_virtio_input(pc, err, sizeof err), 0);
	ck_assert_uint_eq(cfg_fn(3, 0, PCI_HEADER_TYPE, 1),
			  PCI_HEADER_MULTIFUNCTION); /* as built */
	device_reset_all(&pc->m->devices);
	ck_assert_uint_eq(cfg_fn(3, 0, PCI_VENDOR_ID, 4), 0x10501AF4);
	ck_assert_uint_eq(cfg_fn(3, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_MULTIFUNCTION);
	ck_assert_uint_eq(cfg_fn(3, 1, PCI_VENDOR_ID, 4), 0x10521AF4);
	ck_assert_uint_eq(cfg_fn(3, 2, PCI_VENDOR_ID, 4), 0x10521AF4);
	ck_assert_uint_eq(cfg_fn(3, 1, PCI_BAR0, 4), bar_in);
	ck_assert_uint_eq(cfg_fn(3, 2, PCI_INTERRUPT_LINE, 1), PC_VIRTIO_IRQ_HIGH);
	ck_assert_ptr_nonnull(device_find(&m.devices, "kbd0"));
	ck_assert_ptr_nonnull(device_find(&m.devices, "mouse0"));
	/* No driver: input is PS/2's. */
	ck_assert(!pc_virtio_input_key(pc, 30, true));
	for (unsigned i = 0; i < 2; i++) { /* drivers up on the gpu and the keyboard */
		uint64_t bar = PC_VIRTIO_MMIO + (28 + i) * VIRTIO_PCI_BAR_SIZE;

		mem_write_sized(&m.mem, bar + VIRTIO_COMMON_GFSELECT, 4, 1);
		mem_write_sized(&m.mem, bar + VIRTIO_COMMON_GF, 4, 1);
		mem_write_sized(&m.mem, bar + VIRTIO_COMMON_STATUS, 1, 0x0B);
		mem_write_sized(&m.mem, bar + VIRTIO_COMMON_STATUS, 1, 0x0F);
	}
	/* The keyboard holds INTA; the gpu raising and dropping it keeps it up. */
	virtio_pci_needs_reset(function(3, 1));
	ck_assert_uint_ne(pc->piix3->asserted[pirq] & 1u << 3, 0);
	virtio_pci_needs_reset(function(3, 0));
	mem_read_sized(&m.mem, PC_VIRTIO_MMIO + 28 * VIRTIO_PCI_BAR_SIZE + VIRTIO_PCI_ISR, 1);
	ck_assert_uint_ne(pc->piix3->asserted[pirq] & 1u << 3, 0);
	mem_read_sized(&m.mem, bar_in + VIRTIO_PCI_ISR, 1);
	ck_assert_uint_eq(pc->piix3->asserted[pirq] & 1u << 3, 0);
}
END_TEST

static int msi_send(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque, (void)addr, (void)data;
	return 0;
}

/* The engine gives the machine an MSI sink after the PC was built (KVM
 * with its APICs): the functions made before offer MSI-X from then on,
 * still as firmware left them, and so does a NIC added after; a machine
 * reset keeps it. Without a sink (setup's, the soft engine's) none does. */
START_TEST(msix_offered_once_the_engine_delivers_msis)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0, 0, 0, 1};
	unsigned nic_slot = PC_VIRTIO_SLOT + DISK_XVD_COUNT - PC_NICS_MAX;
	char err[256];

	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT, VIRTIO_PCI_CAP_PCI_CFG + 1, 1), 0);
	m.msi = (struct msi_sink){msi_send, NULL};
	pc_msi_ready(pc);
	ck_assert_int_eq(
	    pc_add_virtio_net(pc, 0, mac, &(struct virtio_net_backend){0}, err, sizeof err), 0);
	for (unsigned i = 0; i < 5; i++) {
		static const unsigned slots[] = {PC_VIRTIO_SLOT, PC_VIRTIO_SLOT + 1,
						 PC_VIRTIO_RNG_SLOT, PC_VIRTIO_CON_SLOT, 0};
		unsigned slot = slots[i] ? slots[i] : nic_slot;

		ck_assert_uint_eq(cfg(slot, VIRTIO_PCI_CAP_PCI_CFG + 1, 1), VIRTIO_PCI_CAP_MSIX);
		ck_assert_uint_eq(cfg(slot, VIRTIO_PCI_CAP_MSIX, 1), 0x11);
	}
	check_as_firmware_left_it();
	device_reset_all(&pc->m->devices);
	ck_assert_uint_eq(cfg(PC_VIRTIO_SLOT, VIRTIO_PCI_CAP_MSIX + 2, 2), 1); /* 2 vectors */
	ck_assert_uint_eq(cfg(nic_slot, VIRTIO_PCI_CAP_MSIX + 2, 2), 2);
	check_as_firmware_left_it();
}
END_TEST

static Suite *pc_virtio_suite(void)
{
	Suite *s = suite_create("pc_virtio");
	TCase *tc = tcase_create("wiring");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, disks_are_ready_without_firmware);
	tcase_add_test(tc, machine_reset_leaves_them_ready_again);
	tcase_add_test(tc, config_interrupt_reaches_irq_10);
	tcase_add_test(tc, gpu_and_input_share_slot_3);
	tcase_add_test(tc, msix_offered_once_the_engine_delivers_msis);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(pc_virtio_suite());
}
