/* Memory operands in every ModRM/SIB form: 32-bit addressing with base,
 * scaled index and displacement (wrapping at 4 GiB), and 16-bit addressing
 * (wrapping at 64 KiB) through the address-size prefix. The registers are
 * random; the ones that form the address are solved for so that it lands
 * in the host's data areas, where the host reads and writes the operand. */
#include <string.h>

#include "forms.h"

static const uint8_t ops[] = {0x01, 0x2b, 0x89, 0x8b, 0x31, 0x39, 0x85, 0x87};
static const char *const op_names[] = {"add Ev,Gv", "sub Gv,Ev", "mov Ev,Gv",  "mov Gv,Ev",
				       "xor Ev,Gv", "cmp Ev,Gv", "test Ev,Gv", "xchg Ev,Gv"};

/* The inverse of an odd m modulo 2^32 (Newton's iteration). */
static uint32_t inverse(uint32_t m)
{
	uint32_t x = m;

	for (int i = 0; i < 5; i++)
		x *= 2 - m * x;
	return x;
}

/* 32-bit addressing: fills v->code after the opcode; returns the length. */
static void form32(struct vec *v, int k)
{
	int mod = (int)(rnd() % 3), rm = (int)(rnd() % 8), reg = (int)(rnd() % 8), n = 0;
	int base = rm, index = -1, scale = 0;
	uint32_t disp = 0, target = DATA_ADDR + 0x100 + (rnd() % 0x1e000);
	bool disp32 = mod == 2;
	uint8_t sib = 0;

	v->code[n++] = ops[k];
	v->code[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
	if (rm == 4) {
		sib = (uint8_t)rnd();
		scale = sib >> 6;
		index = (sib >> 3 & 7) == 4 ? -1 : sib >> 3 & 7;
		base = sib & 7;
		v->code[n++] = sib;
	}
	if (mod == 0 && base == 5) {
		base = -1;
		disp32 = true;
	}
	if (mod == 1)
		disp = (uint32_t)(int32_t)(int8_t)rnd();
	else if (disp32)
		disp = rnd();
	if (base >= 0 && base == index) { /* [r + r*2^s]: solve r * (1 + 2^s) */
		uint32_t m = 1 + (1u << scale);
		if (m == 2)
			target = (target & ~1u) | (disp & 1);
		v->regs[base] = m == 2 ? ((target - disp) >> 1) | (rnd() & 0x80000000u)
				       : (target - disp) * inverse(m);
	} else if (base >= 0) {
		v->regs[base] = target - disp - (index >= 0 ? v->regs[index] << scale : 0);
	} else {
		disp = target - (index >= 0 ? v->regs[index] << scale : 0);
	}
	if (mod == 1)
		v->code[n++] = (uint8_t)disp;
	else if (disp32)
		memcpy(v->code + n, &disp, 4), n += 4;
	v->len = n;
	v->mem_off = target - DATA_ADDR;
	snprintf(v->name, sizeof v->name, "%s a32 mod%d rm%d%s", op_names[k], mod, rm,
		 rm == 4 ? " sib" : "");
}

/* 16-bit addressing through 67h; the real-mode form drops the prefix. */
static void form16(struct vec *v, int k)
{
	static const int8_t regs16[8][2] = {{EBX, ESI}, {EBX, EDI}, {EBP, ESI}, {EBP, EDI},
					    {ESI, -1},	{EDI, -1},  {EBP, -1},	{EBX, -1}};
	int mod = (int)(rnd() % 3), rm = (int)(rnd() % 8), reg = (int)(rnd() % 8), n = 0;
	uint32_t disp = 0, target = LOW_ADDR + 0x100 + (rnd() % (LOW_SIZE - 0x200));
	int r1 = regs16[rm][0], r2 = regs16[rm][1];

	v->code[n++] = 0x67;
	v->code[n++] = ops[k];
	v->code[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
	if (mod == 1)
		disp = (uint32_t)(int32_t)(int8_t)rnd();
	else if (mod == 2)
		disp = rnd() & 0xffff;
	if (mod == 0 && rm == 6) {
		disp = target;
		r1 = -1;
	} else if (r2 >= 0) {
		v->regs[r2] =
		    (v->regs[r2] & 0xffff0000u) | ((target - v->regs[r1] - disp) & 0xffff);
	} else {
		v->regs[r1] = (v->regs[r1] & 0xffff0000u) | ((target - disp) & 0xffff);
	}
	if (mod == 1)
		v->code[n++] = (uint8_t)disp;
	else if (mod == 2 || r1 < 0)
		v->code[n++] = (uint8_t)disp, v->code[n++] = (uint8_t)(disp >> 8);
	v->len = n;
	v->mem_abs = target;
	v->real.valid = true;
	v->real.code[0] = 0x66; /* the 32-bit operand */
	memcpy(v->real.code + 1, v->code + 1, (size_t)n - 1);
	v->real.len = n;
	v->real.ds_sel = 0;
	snprintf(v->name, sizeof v->name, "%s a16 mod%d rm%d", op_names[k], mod, rm);
}

void gen_addressing(void)
{
	gen_open("modrm", "memory operands in every ModRM/SIB form, 32- and 16-bit addresses");
	for (unsigned i = 0; i < 400; i++) {
		struct vec v;
		int k = (int)(rnd() % sizeof ops);
		memset(&v, 0, sizeof v);
		random_regs(v.regs);
		v.flags = gen_flags();
		v.undef = ops[k] == 0x31 || ops[k] == 0x85 ? F_AF : 0;
		v.mem_len = 4;
		for (int b = 0; b < 4; b++)
			v.mem[b] = (uint8_t)rnd();
		if (i & 1)
			form16(&v, k);
		else
			form32(&v, k);
		gen_emit(&v);
	}
	gen_close();
}
