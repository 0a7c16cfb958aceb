/* The CPU's window onto video memory, A0000h-BFFFFh.
 *
 * Graphics controller 06h picks which part of the window decodes; the
 * sequencer's memory mode picks the addressing (chain-4, odd/even or
 * planar, see vga.h for where each puts a byte). Planar accesses go
 * through the 32-bit latch: a read loads it from all four planes and
 * returns one plane (read mode 0) or a colour-compare bit mask (read
 * mode 1); a write combines the CPU byte, set/reset, the rotate count,
 * the logic function with the latch and the bit mask (write modes 0-3)
 * and stores into the planes the map mask enables. */
#include "legacy/vga.h"

#define PLANE_DWORDS (VGA_VRAM_SIZE / 4)

/* A 4-bit plane mask as a mask of plane bytes: bit p -> byte p = 0xff. */
static uint32_t expand(unsigned bits)
{
	uint32_t m = 0;

	for (unsigned p = 0; p < 4; p++)
		if (bits & (1u << p))
			m |= 0xffu << (8 * p);
	return m;
}

static uint32_t load32(const struct vga *v, uint32_t index)
{
	const uint8_t *p = v->vram + (size_t)index * 4;

	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(struct vga *v, uint32_t index, uint32_t value)
{
	uint8_t *p = v->vram + (size_t)index * 4;

	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

/* Maps a window offset to the memory address the graphics controller's
 * memory map gives it; false if that part of the window is not decoded. */
static bool decode(const struct vga *v, uint32_t *addr)
{
	uint32_t a = *addr & 0x1ffff;

	switch ((v->gr[0x06] >> 2) & 3) {
	case 0: break;
	case 1:
		if (a >= 0x10000)
			return false;
		if (vga_vbe_active(v))
			a += (uint32_t)v->vbe[VBE_BANK] << 16; /* the VBE bank */
		break;
	case 2:
		if (a < 0x10000 || a >= 0x18000)
			return false;
		a -= 0x10000;
		break;
	default:
		if (a < 0x18000)
			return false;
		a -= 0x18000;
		break;
	}
	*addr = a;
	return true;
}

static uint8_t read_planar(struct vga *v, uint32_t a)
{
	uint32_t x;

	if (a >= PLANE_DWORDS)
		return 0xff;
	v->latch = load32(v, a);
	if (!(v->gr[0x05] & 0x08))
		return (uint8_t)(v->latch >> (8 * (v->gr[0x04] & 3)));
	/* Read mode 1: a 1 for each pixel whose colour, in the planes the
	 * don't-care register selects, equals the colour compare register. */
	x = (v->latch ^ expand(v->gr[0x02])) & expand(v->gr[0x07]);
	x |= x >> 16;
	x |= x >> 8;
	return (uint8_t)~x;
}

uint8_t vga_mem_readb(struct vga *v, uint32_t offset)
{
	uint32_t a = offset;

	if (!decode(v, &a))
		return 0xff;
	if (v->sr[0x04] & 0x08) {
		if (a >= VGA_VRAM_SIZE)
			return 0xff;
		v->latch = load32(v, a >> 2);
		return v->vram[a];
	}
	if (v->gr[0x05] & 0x10) {
		unsigned plane = (v->gr[0x04] & 2) | (a & 1);

		if (a / 2 >= PLANE_DWORDS)
			return 0xff;
		v->latch = load32(v, a >> 1);
		return v->vram[(a >> 1) * 4 + plane];
	}
	return read_planar(v, a);
}

static uint8_t rotate(uint8_t b, unsigned n)
{
	n &= 7;
	return (uint8_t)((b >> n) | (b << ((8 - n) & 7)));
}

/* The value the planes receive, before the map mask: write modes 0-3. */
static uint32_t planar_value(struct vga *v, uint8_t value)
{
	unsigned mode = v->gr[0x05] & 3;
	uint32_t bit_mask = v->gr[0x08], set;

	switch (mode) {
	case 1: return v->latch; /* latches straight back: a fast copy */
	case 2: set = expand(value & 0x0f); break;
	case 3:
		bit_mask &= rotate(value, v->gr[0x03]);
		set = expand(v->gr[0x00]);
		break;
	default: {
		uint32_t enable = expand(v->gr[0x01]);

		set = rotate(value, v->gr[0x03]) * 0x01010101u;
		set = (set & ~enable) | (expand(v->gr[0x00]) & enable);
		break;
	}
	}
	switch ((v->gr[0x03] >> 3) & 3) {
	case 1: set &= v->latch; break;
	case 2: set |= v->latch; break;
	case 3: set ^= v->latch; break;
	default: break;
	}
	bit_mask *= 0x01010101u;
	return (set & bit_mask) | (v->latch & ~bit_mask);
}

static void write_planar(struct vga *v, uint32_t a, uint8_t value)
{
	uint32_t mask = expand(v->sr[0x02]);
	uint32_t val;

	if (a >= PLANE_DWORDS)
		return;
	val = planar_value(v, value);
	store32(v, a, (load32(v, a) & ~mask) | (val & mask));
}

void vga_mem_writeb(struct vga *v, uint32_t offset, uint8_t value)
{
	uint32_t a = offset;

	if (!decode(v, &a))
		return;
	v->dirty++;
	if (v->sr[0x04] & 0x08) {
		if (a < VGA_VRAM_SIZE && (v->sr[0x02] & (1u << (a & 3))))
			v->vram[a] = value;
		return;
	}
	if (!(v->sr[0x04] & 0x04)) {
		unsigned plane = (v->gr[0x04] & 2) | (a & 1);

		if (a / 2 < PLANE_DWORDS && (v->sr[0x02] & (1u << plane)))
			v->vram[(a >> 1) * 4 + plane] = value;
		return;
	}
	write_planar(v, a, value);
}

static uint64_t window_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (uint64_t)vga_mem_readb(opaque, (uint32_t)offset + i) << (8 * i);
	return v;
}

static void window_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	for (unsigned i = 0; i < size && i < 8; i++)
		vga_mem_writeb(opaque, (uint32_t)offset + i, (uint8_t)(value >> (8 * i)));
}

const struct io_ops vga_mem_ops = {window_read, window_write};
