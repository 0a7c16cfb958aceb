/* The VGA's I/O ports, 3B0h-3DFh: index/data pairs for the sequencer,
 * graphics controller and CRTC, the attribute controller's single port
 * with its index/data flip-flop, the DAC with auto-incrementing indexes,
 * and the general registers. The CRTC and input status 1 sit at 3Bxh or
 * 3Dxh as miscellaneous output bit 0 chooses; the other address is dead. */
#include "legacy/vga.h"

#include "hv/core/log.h"

/* Writable bits of each register; the rest read as zero. */
const uint8_t vga_sr_mask[VGA_SR_COUNT] = {0x03, 0x3d, 0x0f, 0x3f, 0x0e};
const uint8_t vga_gr_mask[VGA_GR_COUNT] = {0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff};
const uint8_t vga_ar_mask[VGA_AR_COUNT] = {0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
					   0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
					   0x3f, 0x3f, 0xef, 0xff, 0x3f, 0x0f, 0x0f};

/* Whether port (3Bxh or 3Dxh) belongs to the addressing the misc
 * register selects; 3Cxh always does. */
static bool port_live(const struct vga *v, unsigned port)
{
	if (port >= 0x3d0)
		return v->misc & 1;
	if (port < 0x3c0)
		return !(v->misc & 1);
	return true;
}

/* Input status 1: bit 3 vertical retrace, bit 0 "display disabled"
 * (either retrace). Derived from the virtual clock at 70 Hz with 449
 * lines a frame, so polling loops see both edges; the vertical retrace
 * lasts 20 lines, longer than a real sync pulse, so that a slow poll
 * loop (each IN an exit under KVM) cannot miss it. */
static uint8_t input_status1(struct vga *v)
{
	const int64_t frame_ns = 14268000, line_ns = 31778;
	bool vretrace, hblank;

	v->ar_data_next = false;
	if (!v->clock) {
		v->status_reads++;
		vretrace = v->status_reads & 2;
		hblank = v->status_reads & 1;
	} else {
		int64_t t = vclock_now(v->clock) % frame_ns;

		vretrace = t < 20 * line_ns;
		hblank = t % line_ns > line_ns * 4 / 5;
	}
	return (uint8_t)((vretrace ? 0x08 : 0) | (vretrace || hblank ? 0x01 : 0));
}

static uint8_t dac_read(struct vga *v)
{
	uint8_t c = v->dac[v->dac_read_index][v->dac_component];

	if (++v->dac_component == 3) {
		v->dac_component = 0;
		v->dac_read_index++;
	}
	return c;
}

static void dac_write(struct vga *v, uint8_t value)
{
	bool wide = v->vbe[VBE_ENABLE] & VBE_8BIT_DAC;

	v->dac[v->dac_write_index][v->dac_component] = wide ? value : value & 0x3f;
	if (++v->dac_component == 3) {
		v->dac_component = 0;
		v->dac_write_index++;
	}
}

static uint8_t reg_read(const uint8_t *regs, unsigned count, uint8_t index)
{
	return index < count ? regs[index] : 0xff;
}

static uint8_t crtc_read(const struct vga *v)
{
	return reg_read(v->cr, VGA_CR_COUNT, v->cr_index);
}

static uint8_t port_read(struct vga *v, unsigned port)
{
	if (!port_live(v, port))
		return 0xff;
	switch (port) {
	case 0x3c0: return v->ar_index;
	case 0x3c1: return reg_read(v->ar, VGA_AR_COUNT, v->ar_index & 0x1f);
	case 0x3c2: return 0x10; /* input status 0: switch sense high (colour monitor) */
	case 0x3c4: return v->sr_index;
	case 0x3c5: return reg_read(v->sr, VGA_SR_COUNT, v->sr_index);
	case 0x3c6: return v->pel_mask;
	case 0x3c7: return v->dac_reading ? 0x03 : 0x00;
	case 0x3c8: return v->dac_write_index;
	case 0x3c9: return dac_read(v);
	case 0x3ca: return v->feature;
	case 0x3cc: return v->misc;
	case 0x3ce: return v->gr_index;
	case 0x3cf: return reg_read(v->gr, VGA_GR_COUNT, v->gr_index);
	case 0x3b4:
	case 0x3d4: return v->cr_index;
	case 0x3b5:
	case 0x3d5: return crtc_read(v);
	case 0x3ba:
	case 0x3da: return input_status1(v);
	default: return 0xff;
	}
}

static void ar_write(struct vga *v, uint8_t value)
{
	unsigned i = v->ar_index & 0x1f;

	if (!v->ar_data_next) {
		v->ar_index = value & 0x3f;
	} else if (i < VGA_AR_COUNT) {
		v->ar[i] = value & vga_ar_mask[i];
	} else {
		log_guest("vga: attribute register %#x does not exist", i);
	}
	v->ar_data_next = !v->ar_data_next;
}

static void indexed_write(uint8_t *regs, const uint8_t *mask, unsigned count, uint8_t index,
			  uint8_t value, const char *what)
{
	if (index >= count) {
		log_guest("vga: %s register %#x does not exist", what, index);
		return;
	}
	regs[index] = value & mask[index];
}

static void crtc_write(struct vga *v, uint8_t value)
{
	uint8_t i = v->cr_index;

	if (i >= VGA_CR_COUNT) {
		log_guest("vga: CRTC register %#x does not exist", i);
		return;
	}
	/* CRTC 11h bit 7 protects 00h-07h, except the line compare bit. */
	if ((v->cr[0x11] & 0x80) && i <= 0x07) {
		if (i == 0x07)
			v->cr[0x07] = (uint8_t)((v->cr[0x07] & ~0x10) | (value & 0x10));
		return;
	}
	v->cr[i] = value;
}

static void dac_index_write(struct vga *v, unsigned port, uint8_t value)
{
	v->dac_component = 0;
	v->dac_reading = port == 0x3c7;
	if (port == 0x3c7)
		v->dac_read_index = value;
	else
		v->dac_write_index = value;
}

static void port_write(struct vga *v, unsigned port, uint8_t value)
{
	if (!port_live(v, port))
		return;
	v->dirty++;
	switch (port) {
	case 0x3c0: ar_write(v, value); break;
	case 0x3c2: v->misc = value; break;
	case 0x3c3: break; /* video subsystem enable: always on */
	case 0x3c4: v->sr_index = value; break;
	case 0x3c5:
		indexed_write(v->sr, vga_sr_mask, VGA_SR_COUNT, v->sr_index, value, "sequencer");
		break;
	case 0x3c6: v->pel_mask = value; break;
	case 0x3c7:
	case 0x3c8: dac_index_write(v, port, value); break;
	case 0x3c9: dac_write(v, value); break;
	case 0x3ce: v->gr_index = value; break;
	case 0x3cf:
		indexed_write(v->gr, vga_gr_mask, VGA_GR_COUNT, v->gr_index, value, "graphics");
		break;
	case 0x3b4:
	case 0x3d4: v->cr_index = value; break;
	case 0x3b5:
	case 0x3d5: crtc_write(v, value); break;
	case 0x3ba:
	case 0x3da: v->feature = value & 0x03; break;
	default: log_guest("vga: write %#x to port %#x ignored", value, port); break;
	}
}

/* Word and dword accesses reach consecutive ports, low byte first: "out
 * dx, ax" to 3C4h sets the index and then the register. */
static uint64_t io_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (uint64_t)port_read(opaque, VGA_PORT_BASE + (unsigned)offset + i) << (8 * i);
	return v;
}

static void io_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	for (unsigned i = 0; i < size && i < 4; i++)
		port_write(opaque, VGA_PORT_BASE + (unsigned)offset + i,
			   (uint8_t)(value >> (8 * i)));
}

const struct io_ops vga_io_ops = {io_read, io_write};
