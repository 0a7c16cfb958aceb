/* Bit instructions: BT/BTS/BTR/BTC (register and immediate offsets),
 * BSF/BSR, BSWAP, SETcc and CMOVcc. */
#include "hv/x86/cpu_state.h"

enum { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

/* Applies a bit operation to v; CF gets the old bit. */
static uint32_t bit_op(struct x86_cpu *cpu, unsigned kind, uint32_t v, unsigned bit)
{
	uint32_t m = 1u << bit;

	x86_set_flag(cpu, X86_CF, v & m);
	switch (kind) {
	case BT_SET: return v | m;
	case BT_RESET: return v & ~m;
	case BT_COMPLEMENT: return v ^ m;
	default: return v;
	}
}

static unsigned bt_kind(const struct x86_insn *in)
{
	switch (in->op) {
	case 0x1a3: return BT_TEST;
	case 0x1ab: return BT_SET;
	case 0x1b3: return BT_RESET;
	default: return BT_COMPLEMENT;
	}
}

/* BT/BTS/BTR/BTC r/m, reg (0F A3h/ABh/B3h/BBh): a memory operand is
 * addressed by the signed bit offset, beyond the operand if need be. */
void x86_op_bt_rm_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned bits = in->osz * 8, kind = bt_kind(in);
	int32_t off = (int32_t)x86_sext(x86_get_reg(cpu, in->osz, in->reg), in->osz);
	uint32_t addr, v;
	int seg = x86_ea_seg(in);

	if (in->mod == 3) {
		v = bit_op(cpu, kind, x86_get_reg(cpu, in->osz, in->rm),
			   (uint32_t)off & (bits - 1));
		if (kind != BT_TEST)
			x86_set_reg(cpu, in->osz, in->rm, v);
		return;
	}
	addr = (x86_ea(cpu, in) + (uint32_t)((off >> (bits == 16 ? 4 : 5)) * (int32_t)in->osz)) &
	       x86_mask(in->asz);
	v = bit_op(cpu, kind, x86_read(cpu, seg, addr, in->osz), (uint32_t)off & (bits - 1));
	if (kind != BT_TEST)
		x86_write(cpu, seg, addr, in->osz, v);
}

/* Group 8 (0F BAh /4-/7): BT/BTS/BTR/BTC r/m, imm8. */
void x86_op_bt_grp8(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned kind = in->reg - 4;
	uint32_t v;

	if (in->reg < 4)
		cpu_raise(cpu, X86_VEC_UD, 0);
	v = bit_op(cpu, kind, x86_rm_read(cpu, in, in->osz), in->imm & (in->osz * 8 - 1));
	if (kind != BT_TEST)
		x86_rm_write(cpu, in, in->osz, v);
}

/* BSF reg, r/m (0F BCh): ZF=1 and reg unchanged for a zero source. */
void x86_op_bsf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t v = x86_rm_read(cpu, in, in->osz);

	x86_set_flag(cpu, X86_ZF, v == 0);
	if (v)
		x86_set_reg(cpu, in->osz, in->reg, (uint32_t)__builtin_ctz(v));
}

/* BSR reg, r/m (0F BDh) */
void x86_op_bsr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t v = x86_rm_read(cpu, in, in->osz);

	x86_set_flag(cpu, X86_ZF, v == 0);
	if (v)
		x86_set_reg(cpu, in->osz, in->reg, 31u - (uint32_t)__builtin_clz(v));
}

/* BSWAP reg (0F C8h-CFh); with a 16-bit operand real parts clear it. */
void x86_op_bswap(struct x86_cpu *cpu, const struct x86_insn *in)
{
	unsigned r = in->op & 7;

	if (in->osz == 4)
		cpu->regs[r] = __builtin_bswap32(cpu->regs[r]);
	else
		x86_set_reg(cpu, 2, r, 0);
}

/* SETcc r/m8 (0F 90h-9Fh) */
void x86_op_setcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	x86_rm_write(cpu, in, 1, x86_cond(cpu, in->op & 15));
}

/* CMOVcc reg, r/m (0F 40h-4Fh): the source is read (and may fault) always. */
void x86_op_cmovcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	uint32_t v = x86_rm_read(cpu, in, in->osz);

	if (x86_cond(cpu, in->op & 15))
		x86_set_reg(cpu, in->osz, in->reg, v);
}
