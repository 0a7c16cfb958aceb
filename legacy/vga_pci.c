/* The VGA's PCI function (1234:1111, class 0300h, as QEMU's stdvga, so
 * vgabios-stdvga finds its Bochs VBE interface and the LFB on BAR 0), the
 * mapping of the LFB where BAR 0 points, and the VGA BIOS image. */
#include "legacy/vga.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/core/file.h"
#include "hv/core/log.h"

#define BAR_PREFETCH 0x08
#define VGA_BIOS_MAX (128u << 10)

/* Whether [base, base+size) would cover anything but the LFB itself:
 * a sizing probe or a careless guest must not hide RAM or the BIOS. */
static bool collides(const struct vga *v, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < v->mem->count; i++) {
		const struct mem_region *r = &v->mem->regions[i];

		if (r->host == v->vram)
			continue;
		if (r->base < base + size && base < r->base + r->size)
			return true;
	}
	return false;
}

void vga_pci_update_lfb(struct vga *v)
{
	uint64_t want = 0;

	if (!v->mem)
		return;
	if (pci_get(&v->pci, PCI_COMMAND, 2) & 0x2)
		want = pci_bar_address(&v->pci, 0);
	if (want == v->lfb_base)
		return;
	if (v->lfb_base)
		mem_unmap(v->mem, v->lfb_base);
	v->lfb_base = 0;
	if (!want || want + VGA_VRAM_SIZE > 0x100000000ull || collides(v, want, VGA_VRAM_SIZE)) {
		if (want)
			log_guest("vga: LFB at %#llx overlaps memory, not mapped",
				  (unsigned long long)want);
		return;
	}
	if (mem_map_ram(v->mem, want, VGA_VRAM_SIZE, v->vram, "VGA LFB") < 0) {
		log_guest("vga: cannot map the LFB at %#llx", (unsigned long long)want);
		return;
	}
	v->lfb_base = want;
}

static void written(struct pci_device *d, unsigned offset, unsigned size)
{
	if (offset < PCI_BAR0 + 4 && offset + size > PCI_COMMAND)
		vga_pci_update_lfb(d->opaque);
}

static const struct pci_ops vga_pci_ops = {.written = written};

void vga_pci_reset(struct vga *v)
{
	struct pci_device *d = &v->pci;

	pci_device_init(d, VGA_PCI_VENDOR, VGA_PCI_DEVICE, 0x03, 0x00, 0x02, "VGA");
	d->ops = &vga_pci_ops;
	d->opaque = v;
	pci_set_word(d, PCI_SUBSYS_VENDOR, 0x1af4); /* as QEMU's: Red Hat, QEMU */
	pci_set_word(d, PCI_SUBSYS_ID, 0x1100);
	pci_set_bar(d, 0, VGA_VRAM_SIZE, BAR_PREFETCH);
	vga_pci_update_lfb(v);
}

uint8_t *vga_bios_load(const char *path, uint32_t *size, char *err, size_t errlen)
{
	size_t n = 0;
	uint8_t *buf = file_read("VGA BIOS", path, VGA_BIOS_MAX, &n, err, errlen);

	if (buf && (n == 0 || n % 512 || buf[0] != 0x55 || buf[1] != 0xaa)) {
		snprintf(err, errlen,
			 "VGA BIOS %s: not an option ROM (55AAh, 512-byte blocks, at most 128 KiB)",
			 path);
		free(buf);
		return NULL;
	}
	if (buf)
		*size = (uint32_t)n;
	return buf;
}
