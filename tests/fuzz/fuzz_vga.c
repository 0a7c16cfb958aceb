/* The VGA and its renderer: every register file, the A0000h window, the
 * Bochs VBE registers and the PCI function that maps the linear
 * framebuffer (BAR 0 may be moved anywhere, over RAM too), then the
 * renderer draws what the registers describe. Each input is a sequence of
 * 4-byte records:
 *   byte 0     bits 0-2: 0-1 port write, 2 port read, 3 VBE register
 *              write (index byte 1, value bytes 2-3), 4 window write,
 *              5 window read, 6 PCI config write (offset byte 1, value
 *              bytes 2-3 repeated), 7 render; bits 3-4: access size 1,
 *              2 or 4 (ports at most 2)
 *   bytes 1-3  the port or window offset and the value
 * Rows are rendered at up to 64 places spread over the mode's height (a
 * 16000x12000 VBE mode would take seconds whole). The device is reset
 * between inputs. */
#include "display/vga_render.h"
#include "fuzz.h"
#include "hv/core/memory.h"
#include "hv/core/pci.h"
#include "legacy/vga.h"

#define SLOT 2

static struct guest_mem mem;
static struct pci_bus bus;
static struct vga *vga;
static uint32_t row[VBE_MAX_XRES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[128];

	(void)argc, (void)argv;
	if (mem_init(&mem, 16u << 20, err, sizeof err) < 0 || !(vga = vga_create(NULL, &mem)))
		abort();
	pci_bus_init(&bus);
	pci_bus_add(&bus, SLOT, 0, &vga->pci);
	return 0;
}

static void render(void)
{
	struct vga_frame f;

	vga_frame_get(vga, &f);
	if (f.mode.width > VBE_MAX_XRES || f.mode.height > VBE_MAX_YRES)
		abort(); /* the mode's own limits must hold */
	for (unsigned k = 0; k < 64 && f.mode.width && f.mode.height; k++)
		vga_render_row(vga, &f, (unsigned)((uint64_t)f.mode.height * k / 64), row);
}

static void record(const uint8_t *r)
{
	static const unsigned sizes[] = {1, 2, 4, 1};
	unsigned size = sizes[r[0] >> 3 & 3], psize = size > 2 ? 2 : size;
	uint32_t value = (uint32_t)(r[2] | r[3] << 8), off = (uint32_t)(r[1] | r[2] << 8);

	switch (r[0] & 7) {
	case 0:
	case 1: vga_io_ops.write(vga, r[1] % VGA_PORT_LEN, psize, value); break;
	case 2: vga_io_ops.read(vga, r[1] % VGA_PORT_LEN, psize); break;
	case 3:
		if ((r[1] & 0xf) == VBE_ENABLE)
			value |= VBE_NOCLEARMEM; /* clearing 16 MiB per record is slow */
		vga_vbe_write(vga, r[1] & 0xf, (uint16_t)value);
		vga_vbe_read(vga, r[1] & 0xf);
		break;
	case 4:
		vga_mem_ops.write(vga, (off * 2u) % VGA_WINDOW_LEN, size, r[3] * 0x01010101u);
		break;
	case 5: vga_mem_ops.read(vga, (off * 2u) % VGA_WINDOW_LEN, size); break;
	case 6: pci_config_write(&bus, SLOT, 0, r[1] % 0x40, size, value << 16 | value); break;
	default: render(); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vga_reset(vga);
	for (size_t i = 0; i + 4 <= size; i += 4)
		record(data + i);
	render();
	if (mem_find(&mem, 0x1000)->host != mem.ram)
		abort(); /* the LFB never covers RAM */
	return 0;
}
