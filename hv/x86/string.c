/* String instructions with REP/REPE/REPNE and 16- or 32-bit addressing.
 * A long REP runs in chunks: when a chunk ends with the count not yet
 * zero, EIP goes back to the instruction so interrupts and the budget are
 * honoured between chunks, as a real CPU does between iterations. REP
 * MOVS and REP STOS move the elements that lie in one RAM page through
 * host pointers at once (in element order where an overlap shows it);
 * MMIO, ROM and anything a segment or page check would stop go element
 * by element. */
#include <stddef.h>
#include <string.h>

#include "hv/core/memory.h"
#include "hv/x86/cpu_state.h"

/* Iterations of a REP instruction between two instruction boundaries. */
#define REP_CHUNK 4096

typedef void (*string_step)(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size);

static uint32_t idx(const struct x86_cpu *cpu, const struct x86_insn *in, unsigned r)
{
	return cpu->regs[r] & x86_mask(in->asz);
}

/* Moves SI or DI one element forward or back (DF). */
static void advance(struct x86_cpu *cpu, const struct x86_insn *in, unsigned r, unsigned size)
{
	uint32_t d = (cpu->eflags & X86_DF) ? (uint32_t)-size : size;

	x86_set_reg(cpu, in->asz, r, idx(cpu, in, r) + d);
}

static int src_seg(const struct x86_insn *in)
{
	return in->seg >= 0 ? in->seg : X86_DS;
}

static void movs1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t v = x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size);

	x86_write(cpu, X86_ES, idx(cpu, in, X86_EDI), size, v);
	advance(cpu, in, X86_ESI, size);
	advance(cpu, in, X86_EDI, size);
}

static void cmps1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t a = x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size);
	uint32_t b = x86_read(cpu, X86_ES, idx(cpu, in, X86_EDI), size);

	x86_alu(cpu, 7, a, b, size);
	advance(cpu, in, X86_ESI, size);
	advance(cpu, in, X86_EDI, size);
}

static void stos1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	x86_write(cpu, X86_ES, idx(cpu, in, X86_EDI), size, x86_get_reg(cpu, size, X86_EAX));
	advance(cpu, in, X86_EDI, size);
}

static void lods1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	x86_set_reg(cpu, size, X86_EAX, x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size));
	advance(cpu, in, X86_ESI, size);
}

static void scas1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t b = x86_read(cpu, X86_ES, idx(cpu, in, X86_EDI), size);

	x86_alu(cpu, 7, x86_get_reg(cpu, size, X86_EAX), b, size);
	advance(cpu, in, X86_EDI, size);
}

static void ins1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t v = x86_port_in(cpu, cpu->regs[X86_EDX] & 0xffff, size);

	x86_write(cpu, X86_ES, idx(cpu, in, X86_EDI), size, v);
	advance(cpu, in, X86_EDI, size);
}

static void outs1(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size)
{
	uint32_t v = x86_read(cpu, src_seg(in), idx(cpu, in, X86_ESI), size);

	x86_port_out(cpu, cpu->regs[X86_EDX] & 0xffff, size, v);
	advance(cpu, in, X86_ESI, size);
}

/* How many of `max` elements from seg:off on (by DF) stay in one page and
 * do not wrap the index register; the span they cover is [*lo, *lo + len). */
static uint32_t span(const struct x86_cpu *cpu, const struct x86_insn *in, int seg, uint32_t off,
		     unsigned size, uint32_t max, uint32_t *lo)
{
	uint32_t lin = cpu->seg[seg].base + off, page_off = lin & (MEM_PAGE_SIZE - 1);
	uint64_t top = (uint64_t)x86_mask(in->asz) + 1;
	uint64_t k;

	if (!(cpu->eflags & X86_DF)) {
		k = (MEM_PAGE_SIZE - page_off) / size;
		if (k > (top - off) / size)
			k = (top - off) / size;
		if (k > max)
			k = max;
		*lo = off;
	} else {
		k = page_off + size > MEM_PAGE_SIZE ? 0 : (page_off + size) / size;
		if (k > off / size + 1)
			k = off / size + 1;
		if (k > max)
			k = max;
		*lo = off - (uint32_t)(k - 1) * size;
	}
	return (uint32_t)k;
}

/* Copies k elements of `size` bytes from s to d, element by element in
 * the direction of DF as REP MOVS does: d and s point at the first
 * element. Where the order cannot show (the ranges do not overlap, or
 * the destination trails the source), one memmove does it all; a
 * destination ahead of an overlapping source (a pattern fill) goes
 * element by element, reading what earlier elements wrote. */
static void copy(uint8_t *d, const uint8_t *s, uint32_t k, unsigned size, bool back)
{
	size_t len = (size_t)k * size;
	uint8_t *dlo = back ? d - (len - size) : d;
	const uint8_t *slo = back ? s - (len - size) : s;
	ptrdiff_t step = back ? -(ptrdiff_t)size : (ptrdiff_t)size;
	uintptr_t a = (uintptr_t)dlo, b = (uintptr_t)slo;

	if (a + len <= b || b + len <= a || (!back && a <= b) || (back && a >= b)) {
		memmove(dlo, slo, len);
		return;
	}
	for (uint32_t i = 0; i < k; i++)
		memmove(d + (ptrdiff_t)i * step, s + (ptrdiff_t)i * step, size);
}

/* Stores k copies of the `size`-byte value v from d on (by DF). */
static void fill(uint8_t *d, uint32_t v, uint32_t k, unsigned size, bool back)
{
	size_t len = (size_t)k * size;
	uint8_t *lo = back ? d - (len - size) : d;
	uint8_t pat[4];

	x86_store_le(pat, size, v);
	v &= x86_mask(size);
	if (v == ((v & 0xff) * 0x01010101u & x86_mask(size))) { /* all its bytes alike */
		memset(lo, pat[0], len);
		return;
	}
	for (size_t i = 0; i < len; i += size)
		memcpy(lo + i, pat, size);
}

/* REP MOVS or REP STOS of up to `max` elements at once through host
 * pointers, when source and destination each lie in one RAM page, as one
 * memmove or memset where the element order cannot show (copy(), fill()),
 * so overlapping copies behave as on hardware. Returns how many were done (0: take the slow path).
 */
static uint32_t rep_fast(struct x86_cpu *cpu, const struct x86_insn *in, unsigned size,
			 uint32_t max, bool movs)
{
	uint32_t di = idx(cpu, in, X86_EDI), si = idx(cpu, in, X86_ESI), dlo, slo = 0;
	uint32_t k = span(cpu, in, X86_ES, di, size, max, &dlo);
	bool back = cpu->eflags & X86_DF;
	const uint8_t *s = NULL;
	uint8_t *d;
	ptrdiff_t step = back ? -(ptrdiff_t)size : (ptrdiff_t)size;

	if (movs)
		k = span(cpu, in, src_seg(in), si, size, k, &slo);
	if (k < 2)
		return 0;
	if (back) { /* the span of k elements may have shrunk */
		dlo = di - (k - 1) * size;
		slo = si - (k - 1) * size;
	}
	if (movs) {
		s = x86_host_span(cpu, src_seg(in), slo, k * size, si, false);
		if (!s)
			return 0;
		s += si - slo;
	}
	d = x86_host_span(cpu, X86_ES, dlo, k * size, di, true);
	if (!d)
		return 0;
	d += di - dlo;
	if (movs)
		copy(d, s, k, size, back);
	else
		fill(d, x86_get_reg(cpu, size, X86_EAX), k, size, back);
	x86_set_reg(cpu, in->asz, X86_EDI, di + (uint32_t)(step * (ptrdiff_t)k));
	if (movs)
		x86_set_reg(cpu, in->asz, X86_ESI, si + (uint32_t)(step * (ptrdiff_t)k));
	return k;
}

/* Runs one element, or a chunk of a REP; `cond` for CMPS/SCAS. */
static void run(struct x86_cpu *cpu, const struct x86_insn *in, string_step fn, bool cond)
{
	unsigned size = x86_opsize(in);
	bool fast = fn == movs1 || fn == stos1;

	if (!in->rep) {
		fn(cpu, in, size);
		return;
	}
	for (unsigned n = 0; n < REP_CHUNK;) {
		uint32_t count = x86_count(cpu, in), done;

		if (count == 0)
			return;
		if (fast && count > 1 &&
		    (done = rep_fast(cpu, in, size, count < REP_CHUNK - n ? count : REP_CHUNK - n,
				     fn == movs1)) > 0) {
			x86_set_count(cpu, in, count - done);
			n += done;
			continue;
		}
		fn(cpu, in, size);
		x86_set_count(cpu, in, count - 1);
		n++;
		if (cond && x86_zf(cpu) != (in->rep == 0xf3))
			return;
	}
	if (x86_count(cpu, in) != 0)
		x86_restart(cpu);
}

/* MOVS (A4h/A5h) */
void x86_op_movs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, movs1, false);
}

/* CMPS (A6h/A7h) */
void x86_op_cmps(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, cmps1, true);
}

/* STOS (AAh/ABh) */
void x86_op_stos(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, stos1, false);
}

/* LODS (ACh/ADh) */
void x86_op_lods(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, lods1, false);
}

/* SCAS (AEh/AFh) */
void x86_op_scas(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, scas1, true);
}

/* INS (6Ch/6Dh) */
void x86_op_ins(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, ins1, false);
}

/* OUTS (6Eh/6Fh) */
void x86_op_outs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	run(cpu, in, outs1, false);
}
