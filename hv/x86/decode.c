/* The decoder: prefixes, opcode, ModRM/SIB with 16- and 32-bit addressing,
 * displacement and immediates, packed once into a struct x86_insn that
 * depends only on the code bytes and the default sizes of CS. */
#include "hv/x86/cpu_state.h"

/* Architectural maximum instruction length. */
#define MAX_LEN 15

/* Where the bytes come from: fetches at CS:ip that fault like the
 * processor's (buf NULL), or `avail` bytes at buf, where running out or
 * an invalid encoding only sets `bad` (the block builder stops before
 * such an instruction and leaves it to the fetching decoder). */
struct cursor {
	struct x86_cpu *cpu;
	uint32_t ip;
	unsigned n;
	const uint8_t *buf;
	unsigned avail;
	bool bad;
};

/* An encoding the fetching decoder faults on: #GP, #UD. */
static void invalid(struct cursor *c, int vector)
{
	if (!c->buf)
		cpu_raise(c->cpu, vector, 0);
	c->bad = true;
}

static uint8_t next8(struct cursor *c)
{
	if (c->n >= MAX_LEN)
		invalid(c, X86_VEC_GP);
	if (!c->buf)
		return x86_fetch8(c->cpu, c->ip + c->n++);
	if (c->n >= c->avail || c->n >= MAX_LEN) {
		c->bad = true;
		return 0;
	}
	return c->buf[c->n++];
}

static uint32_t next16(struct cursor *c)
{
	uint32_t lo = next8(c);

	return lo | (uint32_t)next8(c) << 8;
}

static uint32_t next32(struct cursor *c)
{
	uint32_t lo = next16(c);

	return lo | next16(c) << 16;
}

static uint32_t next_sized(struct cursor *c, unsigned size)
{
	switch (size) {
	case 1: return next8(c);
	case 2: return next16(c);
	default: return next32(c);
	}
}

/* 16-bit ModRM: r/m selects one of eight base/index pairs. */
static void modrm16(struct cursor *c, struct x86_insn *in)
{
	static const uint8_t base[8] = {X86_EBX,      X86_EBX,	    X86_EBP, X86_EBP,
					X86_REG_NONE, X86_REG_NONE, X86_EBP, X86_EBX};
	static const uint8_t index[8] = {X86_ESI, X86_EDI, X86_ESI,	 X86_EDI,
					 X86_ESI, X86_EDI, X86_REG_NONE, X86_REG_NONE};

	in->base = base[in->rm];
	in->index = index[in->rm];
	in->ea_seg = in->base == X86_EBP ? X86_SS : X86_DS;
	if (in->mod == 0 && in->rm == 6) {
		in->base = X86_REG_NONE;
		in->ea_seg = X86_DS;
		in->disp = next16(c);
	} else if (in->mod == 1) {
		in->disp = x86_sext(next8(c), 1) & 0xffff;
	} else if (in->mod == 2) {
		in->disp = next16(c);
	}
}

static void sib(struct cursor *c, struct x86_insn *in)
{
	uint8_t b = next8(c);
	unsigned idx = (b >> 3) & 7;

	in->scale = b >> 6;
	in->index = idx == X86_ESP ? X86_REG_NONE : idx;
	in->base = b & 7;
	if (in->base == X86_EBP && in->mod == 0) {
		in->base = X86_REG_NONE;
		in->disp = next32(c);
	}
}

/* 32-bit ModRM: r/m 4 brings a SIB byte, mod 0 r/m 5 a bare disp32. */
static void modrm32(struct cursor *c, struct x86_insn *in)
{
	in->base = in->rm;
	if (in->rm == 4) {
		sib(c, in);
	} else if (in->mod == 0 && in->rm == 5) {
		in->base = X86_REG_NONE;
		in->disp = next32(c);
	}
	if (in->mod == 1)
		in->disp = x86_sext(next8(c), 1);
	else if (in->mod == 2)
		in->disp = next32(c);
	in->ea_seg = (in->base == X86_ESP || in->base == X86_EBP) ? X86_SS : X86_DS;
}

static void modrm(struct cursor *c, struct x86_insn *in)
{
	uint8_t b = next8(c);

	in->mod = b >> 6;
	in->reg = (b >> 3) & 7;
	in->rm = b & 7;
	/* MOV to/from CRn/DRn ignore mod: always a register. */
	if ((in->op & 0x1fc) == 0x120)
		in->mod = 3;
	if (in->mod == 3)
		return;
	if (in->asz == 2)
		modrm16(c, in);
	else
		modrm32(c, in);
}

static void immediates(struct cursor *c, struct x86_insn *in, uint8_t attr)
{
	if (attr & X86_D_I8)
		in->imm = next8(c);
	else if (attr & X86_D_IV)
		in->imm = next_sized(c, in->osz);
	else if (attr & X86_D_I16)
		in->imm = next16(c);
	else if (attr & X86_D_MOFFS)
		in->imm = next_sized(c, in->asz);
	if (attr & X86_D_FAR) {
		in->imm = next_sized(c, in->osz);
		in->imm2 = next16(c);
	} else if (attr & X86_D_ENTER) {
		in->imm = next16(c);
		in->imm2 = next8(c);
	} else if ((attr & X86_D_GRP3) && in->reg < 2) {
		in->imm = next_sized(c, (in->op & 1) ? in->osz : 1);
	}
}

/* Consumes prefixes; returns the first opcode byte. */
static uint8_t prefixes(struct cursor *c, struct x86_insn *in, bool big)
{
	for (;;) {
		uint8_t b = next8(c);

		switch (b) {
		case 0x26: in->seg = X86_ES; break;
		case 0x2e: in->seg = X86_CS; break;
		case 0x36: in->seg = X86_SS; break;
		case 0x3e: in->seg = X86_DS; break;
		case 0x64: in->seg = X86_FS; break;
		case 0x65: in->seg = X86_GS; break;
		case 0x66: in->osz = big ? 2 : 4; break;
		case 0x67: in->asz = big ? 2 : 4; break;
		case 0xf0: in->lock = 1; break;
		case 0xf2:
		case 0xf3: in->rep = b; break;
		default: return b;
		}
	}
}

/* Whether LOCK may prefix this instruction: a read-modify-write of a
 * memory operand (SDM vol. 2, LOCK); anything else is #UD. */
static bool lockable(const struct x86_insn *in)
{
	unsigned op = in->op;

	if (in->mod == 3)
		return false;
	if (op < 0x40)
		return (op & 7) < 2 && (op >> 3) != 7; /* ALU Eb/Ev,G but not CMP */
	switch (op) {
	case 0x80:
	case 0x81:
	case 0x82: /* the alias of 80h, lockable like it */
	case 0x83: return in->reg != 7;
	case 0x86:
	case 0x87:
	case 0x1ab:
	case 0x1b3:
	case 0x1bb:
	case 0x1b0:
	case 0x1b1:
	case 0x1c0:
	case 0x1c1: return true;
	case 0xf6:
	case 0xf7: return in->reg == 2 || in->reg == 3;
	case 0xfe:
	case 0xff: return in->reg < 2;
	case 0x1ba: return in->reg >= 5;
	case 0x1c7: return in->reg == 1;
	default: return false;
	}
}

static void decode(struct cursor *c, struct x86_insn *in, bool big)
{
	uint8_t b, attr;

	*in = (struct x86_insn){.seg = -1,
				.osz = big ? 4 : 2,
				.asz = big ? 4 : 2,
				.base = X86_REG_NONE,
				.index = X86_REG_NONE,
				.ea_seg = X86_DS};
	b = prefixes(c, in, big);
	in->op = b == 0x0f ? 0x100 | next8(c) : b;
	attr = x86_decode_attr[in->op];
	if (attr & X86_D_MODRM)
		modrm(c, in);
	immediates(c, in, attr);
	in->len = c->n;
	if (in->seg >= 0)
		in->ea_seg = (uint8_t)in->seg;
	if (in->lock && !lockable(in))
		invalid(c, X86_VEC_UD);
	in->fn = x86_fast_handler(in);
	if (!in->fn)
		in->fn = x86_handlers[in->op] ? x86_handlers[in->op] : x86_op_ud;
}

/* Decodes the instruction at CS:EIP. */
void x86_decode(struct x86_cpu *cpu, struct x86_insn *in)
{
	struct cursor c = {.cpu = cpu, .ip = cpu->eip};

	decode(&c, in, cpu->seg[X86_CS].attr & X86_SEG_BIG);
}

/* Decodes the instruction in the `avail` bytes at p. */
bool x86_decode_bytes(const uint8_t *p, unsigned avail, bool big, struct x86_insn *in)
{
	struct cursor c = {.buf = p, .avail = avail};

	decode(&c, in, big);
	return !c.bad;
}
