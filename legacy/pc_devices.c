/* The PC's devices in the machine's registry (hv/core/device.h): the
 * names `hv list -l` shows them under (docs/protocol.md) and the order a
 * reset takes, interrupt controller and timers first so that devices
 * resetting later find their lines and clock in power-on state. */
#include "legacy/pc_int.h"

struct pc_device {
	const char *name;
	const struct device_ops *ops;
	void *dev; /* NULL: the PC has none (a port the domain did not ask for) */
};

int pc_register_devices(struct pc *pc, char *err, size_t errlen)
{
	const struct pc_device list[] = {
	    {"pic0", &pic8259_device_ops, pc->pic},
	    {"pit0", &pit8254_device_ops, pc->pit},
	    {"hpet", &hpet_device_ops, pc->has_hpet ? &pc->hpet : NULL},
	    {"pcspk", &pcspk_device_ops, pc->port_b},
	    {"rtc0", &rtc146818_device_ops, pc->rtc},
	    {"i440fx", &i440fx_device_ops, pc->i440fx},
	    {"piix3", &piix3_device_ops, pc->piix3},
	    {"pm", &piix4_pm_device_ops, pc->pm},
	    {"fw_cfg", &fw_cfg_device_ops, pc->fw_cfg},
	    {"ide0", &ide_device_ops, pc->ide},
	    {"piix-ide", &piix_ide_device_ops, pc->piix_ide},
	    {"dma", &dma8237_device_ops, pc->dma},
	    {"fdc0", &fdc_device_ops, pc->fdc},
	    {"vga", &vga_device_ops, pc->vga},
	    {"i8042", &i8042_device_ops, pc->kbc},
	    {"typist", &pc_typist_device_ops, pc->typist},
	    {"port92", &port92_device_ops, &pc->port92},
	    {"rcr", &rcr_device_ops, &pc->rcr},
	    {"com1", &uart16550_device_ops, pc->serial[0]},
	    {"com2", &uart16550_device_ops, pc->serial[1]},
	    {"pci", &pci_bus_device_ops, &pc->pci},
	    {"post", &post_port_device_ops, &pc->post},
	    {"debugcon", &debugcon_device_ops, pc->debugcon.out.tx ? &pc->debugcon : NULL},
	    {"debug-exit", &debug_exit_device_ops, &pc->exit},
	};

	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		if (list[i].dev && device_register(&pc->m->devices, list[i].name, list[i].ops,
						   list[i].dev, err, errlen) < 0)
			return -1;
	return 0;
}
