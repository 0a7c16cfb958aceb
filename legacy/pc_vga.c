/* The PC's VGA wiring: ports 3B0h-3DFh, the A0000h-BFFFFh window, the
 * Bochs VBE ports 1CEh/1CFh, the PCI function at 00:02.0 (where QEMU puts
 * its VGA) whose BAR 0 maps the linear framebuffer, and the VGA BIOS in
 * fw_cfg. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hv/core/log.h"
#include "hv/virtio/virtio_gpu.h"
#include "legacy/pc_int.h"

/* The VGA BIOS goes to fw_cfg under the name SeaBIOS looks up a PCI
 * device's option ROM by (pciVVVV,DDDD.rom), so it runs with the VGA's
 * bus address and finds the LFB on its BAR. A missing default image only
 * costs the BIOS screen. */
static int add_vga_bios(struct pc *pc, const char *path, char *err, size_t errlen)
{
	char name[32];
	uint32_t size;
	uint8_t *rom;
	int rc;

	if (path && !*path)
		return 0;
	if (!path && access(VGA_BIOS_DEFAULT, R_OK) < 0) {
		log_warn("no VGA BIOS (%s is missing): the screen shows only what the guest "
			 "writes itself",
			 VGA_BIOS_DEFAULT);
		return 0;
	}
	rom = vga_bios_load(path ? path : VGA_BIOS_DEFAULT, &size, err, errlen);
	if (!rom)
		return -1;
	snprintf(name, sizeof name, "pci%04x,%04x.rom", VGA_PCI_VENDOR, VGA_PCI_DEVICE);
	rc = fw_cfg_add_file(pc->fw_cfg, name, rom, size, false);
	free(rom);
	if (rc < 0) {
		snprintf(err, errlen, "cannot add the VGA BIOS to fw_cfg");
		return -1;
	}
	return 0;
}

int pc_add_vga(struct pc *pc, const struct pc_hooks *h, char *err, size_t errlen)
{
	struct bus *pio = &pc->m->pio;

	if (h->no_vga)
		return 0;
	pc->vga = vga_create(&pc->m->clock, &pc->m->mem);
	if (!pc->vga) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (bus_register(pio, VGA_PORT_BASE, VGA_PORT_LEN, &vga_io_ops, pc->vga, "VGA") < 0 ||
	    bus_register(pio, VBE_PORT_BASE, VBE_PORT_LEN, &vga_vbe_io_ops, pc->vga, "VBE") < 0 ||
	    mem_map_mmio(&pc->m->mem, VGA_WINDOW_BASE, VGA_WINDOW_LEN, &vga_mem_ops, pc->vga,
			 "VGA window") < 0 ||
	    pci_bus_add(&pc->pci, PC_VGA_SLOT, 0, &pc->vga->pci) < 0) {
		snprintf(err, errlen, "cannot place the VGA");
		return -1;
	}
	pc->vga_window = true;
	return add_vga_bios(pc, h->vga_bios, err, errlen);
}

void pc_free_vga(struct pc *pc)
{
	if (pc->vga_window)
		mem_unmap(&pc->m->mem, VGA_WINDOW_BASE);
	pc->vga_window = false;
	vga_destroy(pc->vga);
	pc->vga = NULL;
}

struct vga *pc_vga(struct pc *pc)
{
	return pc->vga;
}

/* The screen is virtio-gpu's while its driver has a scanout set. */
static bool gpu_screen(struct pc *pc, struct pc_screen *s)
{
	struct virtio_gpu *g = pc_virtio_gpu(pc);

	if (!g || !virtio_gpu_scanout_active(g))
		return false;
	*s = (struct pc_screen){.width = g->scanout_rect.w, .height = g->scanout_rect.h, .bpp = 32};
	snprintf(s->describe, sizeof s->describe, "virtio-gpu scanout %ux%u (graphical)",
		 g->scanout_rect.w, g->scanout_rect.h);
	return true;
}

int pc_screen(struct pc *pc, struct pc_screen *s)
{
	struct vga_mode m;

	if (gpu_screen(pc, s))
		return 0;
	if (!pc->vga)
		return -1;
	vga_get_mode(pc->vga, &m);
	*s = (struct pc_screen){.text = m.kind == VGA_TEXT,
				.width = m.width,
				.height = m.height,
				.bpp = m.bpp,
				.cols = m.cols,
				.rows = m.rows,
				.blank = m.blank};
	vga_describe_mode(&m, s->describe, sizeof s->describe);
	return 0;
}

int pc_text_screen(struct pc *pc, char *buf, size_t len)
{
	struct pc_screen s;

	if (gpu_screen(pc, &s))
		return -1; /* graphical, whatever the VGA still holds */
	return pc->vga ? vga_text_screen(pc->vga, buf, len) : -1;
}
