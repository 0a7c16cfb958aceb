/* The Bochs VBE ("DISPI") interface: an index at 1CEh and 16-bit data at
 * 1CFh set resolution, depth, the banked window's bank and a virtual
 * screen with panning. vgabios-stdvga builds its VESA modes on it. While
 * it is enabled the A0000h window is a 64 KiB bank of video memory (packed
 * pixels, or planes for 4 bpp) and the LFB shows all of it. */
#include "legacy/vga.h"

#include <string.h>

#include "hv/core/log.h"

bool vga_vbe_active(const struct vga *v)
{
	return v->vbe[VBE_ENABLE] & VBE_ENABLED;
}

static unsigned bytes_per_line(const struct vga *v, unsigned width)
{
	unsigned bpp = v->vbe[VBE_BPP];

	if (bpp == 4)
		return width / 2; /* planar: a quarter per plane, four planes */
	return width * (bpp == 15 ? 2 : bpp / 8u);
}

uint16_t vga_vbe_read(struct vga *v, unsigned index)
{
	if (index >= VBE_REG_COUNT)
		return 0;
	if (v->vbe[VBE_ENABLE] & VBE_GETCAPS) {
		switch (index) {
		case VBE_XRES: return VBE_MAX_XRES;
		case VBE_YRES: return VBE_MAX_YRES;
		case VBE_BPP: return VBE_MAX_BPP;
		default: break;
		}
	}
	return v->vbe[index];
}

static bool valid_bpp(unsigned bpp)
{
	return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

/* The VGA registers a VBE mode implies, so the window decodes 64 KiB at
 * A0000h with chain-4 (packed pixels) or planes (4 bpp). */
static void vga_side(struct vga *v)
{
	v->gr[0x06] = (uint8_t)((v->gr[0x06] & ~0x0c) | 0x04 | 0x01);
	v->cr[0x17] |= 0x03;
	v->cr[0x09] &= (uint8_t)~0x9f;
	if (v->vbe[VBE_BPP] == 4) {
		v->sr[0x04] = (uint8_t)((v->sr[0x04] & ~0x08) | 0x06);
		v->gr[0x05] &= (uint8_t)~0x60;
	} else {
		v->sr[0x04] |= 0x08;
		v->sr[0x02] = 0x0f;
		v->gr[0x05] = (uint8_t)((v->gr[0x05] & ~0x60) | 0x40);
	}
}

static void enable(struct vga *v, uint16_t value)
{
	unsigned line;

	if ((value & VBE_ENABLED) && !vga_vbe_active(v)) {
		line = bytes_per_line(v, v->vbe[VBE_XRES]);
		if (v->vbe[VBE_XRES] == 0 || v->vbe[VBE_YRES] == 0 ||
		    (uint64_t)line * v->vbe[VBE_YRES] > VGA_VRAM_SIZE) {
			log_guest("vga: VBE mode %ux%ux%u does not fit, not enabled",
				  v->vbe[VBE_XRES], v->vbe[VBE_YRES], v->vbe[VBE_BPP]);
			return;
		}
		v->vbe[VBE_VIRT_WIDTH] = v->vbe[VBE_XRES];
		v->vbe[VBE_VIRT_HEIGHT] =
		    (uint16_t)(VGA_VRAM_SIZE / line > 0xffff ? 0xffff : VGA_VRAM_SIZE / line);
		v->vbe[VBE_X_OFFSET] = v->vbe[VBE_Y_OFFSET] = 0;
		v->vbe[VBE_BANK] = 0;
		if (!(value & VBE_NOCLEARMEM))
			memset(v->vram, 0, (size_t)line * v->vbe[VBE_YRES]);
		v->vbe[VBE_ENABLE] = value;
		vga_side(v);
		return;
	}
	v->vbe[VBE_ENABLE] =
	    value & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM);
}

static void set_virt_width(struct vga *v, uint16_t w)
{
	unsigned line = bytes_per_line(v, w);

	if (w < v->vbe[VBE_XRES] || line == 0 ||
	    (uint64_t)line * v->vbe[VBE_YRES] > VGA_VRAM_SIZE) {
		log_guest("vga: VBE virtual width %u refused", w);
		return;
	}
	v->vbe[VBE_VIRT_WIDTH] = w;
	v->vbe[VBE_VIRT_HEIGHT] =
	    (uint16_t)(VGA_VRAM_SIZE / line > 0xffff ? 0xffff : VGA_VRAM_SIZE / line);
}

/* Resolution and depth change only while VBE is off, as in Bochs. */
static bool set_geometry(struct vga *v, unsigned index, uint16_t value)
{
	bool ok;

	switch (index) {
	case VBE_XRES: ok = value <= VBE_MAX_XRES && value % 8 == 0; break;
	case VBE_YRES: ok = value <= VBE_MAX_YRES; break;
	default:
		if (value == 0)
			value = 8;
		ok = valid_bpp(value);
		break;
	}
	if (!ok || vga_vbe_active(v))
		return false;
	v->vbe[index] = value;
	return true;
}

void vga_vbe_write(struct vga *v, unsigned index, uint16_t value)
{
	bool ok = true;

	v->dirty++;
	switch (index) {
	case VBE_ID:
		ok = value >= VBE_ID0 && value <= VBE_ID5;
		if (ok)
			v->vbe[VBE_ID] = value;
		break;
	case VBE_XRES:
	case VBE_YRES:
	case VBE_BPP: ok = set_geometry(v, index, value); break;
	case VBE_ENABLE: enable(v, value); break;
	case VBE_BANK:
		ok = value < VGA_VRAM_SIZE >> 16;
		if (ok)
			v->vbe[VBE_BANK] = value;
		break;
	case VBE_VIRT_WIDTH: set_virt_width(v, value); break;
	case VBE_X_OFFSET:
	case VBE_Y_OFFSET: v->vbe[index] = value; break;
	default: ok = false; break;
	}
	if (!ok)
		log_guest("vga: VBE register %u = %#x refused", index, value);
}

static uint64_t vbe_read(void *opaque, uint64_t offset, unsigned size)
{
	struct vga *v = opaque;
	uint16_t r = offset == 0 ? v->vbe_index : vga_vbe_read(v, v->vbe_index);

	(void)size;
	return offset == 2 ? r >> 8 : r;
}

static void vbe_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct vga *v = opaque;

	(void)size;
	if (offset == 0)
		v->vbe_index = (uint16_t)value;
	else if (offset == 1)
		vga_vbe_write(v, v->vbe_index, (uint16_t)value);
	else
		log_guest("vga: byte write to VBE port 1D0h ignored");
}

const struct io_ops vga_vbe_io_ops = {vbe_read, vbe_write};
