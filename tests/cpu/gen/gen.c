/* The vector generator: for every instruction family, encodings of each
 * form (8/16/32-bit operands, register and memory operands, immediates),
 * run natively with edge and seeded random inputs. Each vector is written
 * for 32-bit protected mode and, where the instruction means the same
 * there, also re-encoded for real mode. Usage: gen OUTDIR (see
 * docs/cpu-test.md). The undefined-flags masks follow the Intel SDM. */
#include <stdlib.h>
#include <string.h>

#include "forms.h"

/* Encodes s for 32-bit (mode 32) or real mode (16); mem: the r/m operand
 * is [ebx+10h] or [bx+10h]. */
int encode(uint8_t *b, const struct spec *s, int mode, bool mem, uint32_t imm)
{
	int n = 0;

	if (s->size != 1 && (s->size == 2) == (mode == 32))
		b[n++] = 0x66;
	memcpy(b + n, s->op, (size_t)s->oplen);
	n += s->oplen;
	if (s->modrm) {
		if (mem) {
			b[n++] = (uint8_t)(0x40 | s->reg << 3 | (mode == 32 ? 3 : 7));
			b[n++] = MEM_DISP;
		} else {
			b[n++] = (uint8_t)(0xc0 | s->reg << 3 | s->rm);
		}
	}
	for (int i = 0; i < s->immsize; i++)
		b[n++] = (uint8_t)(imm >> (8 * i));
	return n;
}

const char *size_tag(int size)
{
	return size == 1 ? "8" : size == 2 ? "16" : "32";
}

/* Puts v in register r as a `size`-byte operand (AH-BH for r 4-7). */
void set_reg(uint32_t *regs, int size, int r, uint32_t v)
{
	if (size == 1 && r >= 4)
		regs[r - 4] = (regs[r - 4] & ~0xff00u) | (v & 0xff) << 8;
	else if (size == 1)
		regs[r] = (regs[r] & ~0xffu) | (v & 0xff);
	else if (size == 2)
		regs[r] = (regs[r] & ~0xffffu) | (v & 0xffff);
	else
		regs[r] = v;
}

/* Emits s with r/m operand rmval, the other registers from regs (changed
 * to suit), in the register form or the memory form. */
int emit(const struct spec *s, const uint32_t *regs_in, uint32_t rmval, uint32_t flags,
	 uint32_t imm, bool mem, uint32_t undef)
{
	struct vec v;
	int rms = s->rm_size ? s->rm_size : s->size;

	memset(&v, 0, sizeof v);
	memcpy(v.regs, regs_in, sizeof v.regs);
	v.regs[ESP] = STACK_TOP;
	v.flags = flags;
	v.undef = undef;
	if (s->modrm && mem) {
		v.regs[EBX] = DATA_ADDR;
		v.mem_off = MEM_DISP;
		v.mem_len = rms;
		for (int i = 0; i < rms; i++)
			v.mem[i] = (uint8_t)(rmval >> (8 * i));
	} else if (s->modrm) {
		set_reg(v.regs, rms, s->rm, rmval);
	}
	snprintf(v.name, sizeof v.name, "%s o%s%s", s->name, size_tag(s->size),
		 s->modrm ? (mem ? " mem" : " reg") : "");
	v.len = encode(v.code, s, 32, mem, imm);
	if (!s->no_real) {
		v.real.valid = true;
		v.real.len = encode(v.real.code, s, 16, mem, imm);
		v.real.ds_sel = DATA_ADDR >> 4;
		v.real.set_ebx = s->modrm && mem;
		v.real.ebx = 0;
	}
	return gen_emit(&v);
}

void random_regs(uint32_t *r)
{
	for (int i = 0; i < 8; i++)
		r[i] = rnd();
}

/* Runs a form over n inputs: r/m value, reg (register `src`) value, flags;
 * alternating register and memory forms. */
void sweep(const struct spec *s, int src, unsigned n, uint32_t undef,
	   uint32_t (*imm_of)(unsigned i, int size))
{
	uint32_t regs[8];

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i % 13 + (i / 13) * 13 / 2; /* edge pairs, then random */
		random_regs(regs);
		if (src >= 0)
			set_reg(regs, s->size, src, gen_value(j % 17, s->size));
		emit(s, regs, gen_value(i < 13 ? i : i + 13, s->rm_size ? s->rm_size : s->size),
		     gen_flags(), imm_of ? imm_of(i, s->size) : 0, s->modrm && (i & 1), undef);
	}
}

uint32_t imm_any(unsigned i, int size)
{
	return gen_value(i * 7 % 29, size);
}

uint32_t imm8_any(unsigned i, int size)
{
	(void)size;
	return gen_value(i * 5 % 23, 1);
}

/* ADD OR ADC SBB AND SUB XOR CMP: every encoding. */
static void alu(int n, const char *mn)
{
	uint32_t undef = (n == 1 || n == 4 || n == 6) ? F_AF : 0;
	uint8_t b = (uint8_t)(n * 8);
	char name[8][40];

	gen_open(mn, "8/16/32-bit forms of the ALU operation, register and memory");
	snprintf(name[0], 40, "%s Eb,Gb", mn);
	snprintf(name[1], 40, "%s Ev,Gv", mn);
	snprintf(name[2], 40, "%s Gb,Eb", mn);
	snprintf(name[3], 40, "%s Gv,Ev", mn);
	snprintf(name[4], 40, "%s AL/eAX,imm", mn);
	snprintf(name[5], 40, "%s Eb,Ib (80)", mn);
	snprintf(name[6], 40, "%s Ev,Iz (81)", mn);
	snprintf(name[7], 40, "%s Ev,Ib (83)", mn);
	for (int size = 1; size <= 4; size *= 2) {
		bool byte = size == 1;
		struct spec rr = {name[byte ? 0 : 1],
				  {(uint8_t)(b + !byte)},
				  1,
				  size,
				  0,
				  true,
				  EDX,
				  ECX,
				  0,
				  false};
		struct spec rr_hi = rr;
		struct spec r2 = {name[byte ? 2 : 3],
				  {(uint8_t)(b + 2 + !byte)},
				  1,
				  size,
				  0,
				  true,
				  EDX,
				  ECX,
				  0,
				  false};
		struct spec acc = {
		    name[4], {(uint8_t)(b + 4 + !byte)}, 1, size, 0, false, 0, 0, size, false};
		struct spec i80 = {name[byte ? 5 : 6],
				   {(uint8_t)(byte ? 0x80 : 0x81)},
				   1,
				   size,
				   0,
				   true,
				   n,
				   ECX,
				   size,
				   false};
		struct spec i83 = {name[7], {0x83}, 1, size, 0, true, n, ECX, 1, false};

		sweep(&rr, EDX, 12, undef, NULL);
		if (byte) {
			rr_hi.rm = 5, rr_hi.reg = 6; /* ch, dh */
			sweep(&rr_hi, 6, 8, undef, NULL);
		}
		sweep(&r2, EDX, 8, undef, NULL);
		sweep(&acc, EAX, 6, undef, imm_any);
		sweep(&i80, -1, 6, undef, imm_any);
		if (!byte)
			sweep(&i83, -1, 6, undef, imm8_any);
	}
	gen_close();
}

/* Group 3 and 4/5 one-operand forms: INC DEC NOT NEG, MUL IMUL DIV IDIV. */
static void unary(const char *file, const char *mn, int n, uint32_t undef, unsigned count)
{
	char name[40];

	gen_open(file, "8/16/32-bit forms, register and memory operand");
	for (int size = 1; size <= 4; size *= 2) {
		bool grp5 = n < 2; /* INC/DEC are FE/FF */
		struct spec s = {name,
				 {(uint8_t)((grp5 ? 0xfe : 0xf6) + (size != 1))},
				 1,
				 size,
				 0,
				 true,
				 grp5 ? n : n,
				 ECX,
				 0,
				 false};
		snprintf(name, sizeof name, "%s E%s", mn, size == 1 ? "b" : "v");
		sweep(&s, EDX, count, undef, NULL);
		if (grp5 && size != 1) {
			/* The one-byte forms 40+r / 48+r: only outside 64-bit mode,
			 * so run natively as FF /n with the same register. */
			for (unsigned i = 0; i < count / 2; i++) {
				uint32_t regs[8];
				int r = (int)(i % 8 == ESP ? EBP : i % 8);
				struct vec v;
				random_regs(regs);
				memset(&v, 0, sizeof v);
				memcpy(v.regs, regs, sizeof regs);
				set_reg(v.regs, size, r, gen_value(i, size));
				v.regs[ESP] = STACK_TOP;
				v.flags = gen_flags();
				snprintf(v.name, sizeof v.name, "%s %s (%02x) o%s", mn, "r",
					 0x40 + n * 8 + r, size_tag(size));
				v.len = 0;
				if (size == 2)
					v.code[v.len++] = 0x66;
				v.code[v.len++] = 0xff;
				v.code[v.len++] = (uint8_t)(0xc0 | n << 3 | r);
				/* Real mode form: the short encoding. */
				v.real.valid = true;
				if (size == 4)
					v.real.code[v.real.len++] = 0x66;
				v.real.code[v.real.len++] = (uint8_t)(0x40 + n * 8 + r);
				v.real.ds_sel = DATA_ADDR >> 4;
				v.undef = undef;
				gen_emit(&v);
			}
		}
	}
	gen_close();
}

/* Inputs that make DIV/IDIV fit, overflow, or divide by zero. */
static void divide(const char *file, const char *mn, int n)
{
	char name[40];

	gen_open(file, "8/16/32-bit division: results, #DE on zero and on overflow");
	for (int size = 1; size <= 4; size *= 2) {
		struct spec s = {name, {(uint8_t)(0xf6 + (size != 1))}, 1, size, 0, true, n, ECX, 0,
				 false};
		snprintf(name, sizeof name, "%s E%s", mn, size == 1 ? "b" : "v");
		for (unsigned i = 0; i < 40; i++) {
			uint32_t regs[8], d = gen_value(i < 13 ? i : 13 + i, size);
			random_regs(regs);
			if (i % 4 == 0) { /* small dividend: usually fits */
				regs[EDX] = size == 1 ? regs[EDX] : (i & 8 ? 0xffffffff : 0);
				set_reg(regs, size == 1 ? 2 : size, EAX,
					gen_value(i / 4 + 13, size));
			}
			if (size == 1 && i % 4 == 1)
				regs[EAX] = (regs[EAX] & ~0xffffu) | (rnd() & 0x7fff);
			emit(&s, regs, d, gen_flags(), 0, i & 1, F_ARITH);
		}
	}
	gen_close();
}

static void shifts(int n, const char *mn)
{
	static const unsigned counts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 255};
	char name[3][40];

	gen_open(mn, "8/16/32-bit shift or rotate by 1, by CL and by an immediate");
	snprintf(name[0], 40, "%s E,1", mn);
	snprintf(name[1], 40, "%s E,CL", mn);
	snprintf(name[2], 40, "%s E,Ib", mn);
	for (int size = 1; size <= 4; size *= 2) {
		bool w = size != 1;
		struct spec one = {name[0], {(uint8_t)(0xd0 + w)}, 1, size, 0, true, n, EDX, 0,
				   false};
		struct spec cl = {name[1], {(uint8_t)(0xd2 + w)}, 1, size, 0, true, n, EDX, 0,
				  false};
		struct spec ib = {name[2], {(uint8_t)(0xc0 + w)}, 1, size, 0, true, n, EDX, 1,
				  false};
		for (unsigned i = 0; i < 32; i++) {
			uint32_t regs[8], c = i < 28 ? counts[i % 14] : rnd() & 0xff;
			uint32_t m = c & 31, undef = 0,
				 val = gen_value(i % 13 + (i / 13) * 7, size);
			const struct spec *s = i % 5 == 0 ? &one : i % 2 ? &cl : &ib;
			if (s == &one)
				m = c = 1;
			random_regs(regs);
			set_reg(regs, 1, ECX, c);
			if (n >= 4) { /* SHL SHR SAL SAR */
				if (m == 1)
					undef = F_AF;
				else if (m > 1)
					undef = F_AF | F_OF;
				if (m >= (unsigned)size * 8 && n != 7)
					undef |= F_CF;
			} else if (m > 1) {
				undef = F_OF;
			}
			emit(s, regs, val, gen_flags(), c, i & 2, undef);
		}
	}
	gen_close();
}

static void double_shift(bool right)
{
	char name[2][40];
	const char *mn = right ? "shrd" : "shld";

	gen_open(mn, "16/32-bit double-precision shift by an immediate and by CL");
	snprintf(name[0], 40, "%s Ev,Gv,Ib", mn);
	snprintf(name[1], 40, "%s Ev,Gv,CL", mn);
	for (int size = 2; size <= 4; size *= 2) {
		struct spec ib = {
		    name[0], {0x0f, (uint8_t)(right ? 0xac : 0xa4)}, 2, size, 0, true, ESI, EDX, 1,
		    false};
		struct spec cl = {
		    name[1], {0x0f, (uint8_t)(right ? 0xad : 0xa5)}, 2, size, 0, true, ESI, EDX, 0,
		    false};
		for (unsigned i = 0; i < 40; i++) {
			uint32_t regs[8], c = (i < 20 ? i * 3 : rnd()) & 31, undef = 0;
			const struct spec *s = i & 1 ? &cl : &ib;
			if (size == 2 && c > 16)
				c -= 16; /* counts above 16 leave 16-bit results undefined */
			random_regs(regs);
			set_reg(regs, 1, ECX, c | (rnd() & 0xe0));
			if (c == 1)
				undef = F_AF;
			else if (c > 1)
				undef = F_AF | F_OF;
			if (s == &ib)
				regs[ECX] = rnd();
			emit(s, regs, gen_value(i, size), gen_flags(), c, i & 2, undef);
		}
	}
	gen_close();
}

int main(int argc, char **argv)
{
	static const char *const alu_names[] = {"add", "or",  "adc", "sbb",
						"and", "sub", "xor", "cmp"};
	static const char *const sh_names[] = {"rol", "ror", "rcl", "rcr",
					       "shl", "shr", "sal", "sar"};

	if (argc > 1)
		gen_dir = argv[1];
	for (int n = 0; n < 8; n++)
		alu(n, alu_names[n]);
	for (int n = 0; n < 8; n++)
		if (n != 6)
			shifts(n, sh_names[n]);
	unary("inc", "inc", 0, 0, 24);
	unary("dec", "dec", 1, 0, 24);
	unary("not", "not", 2, 0, 20);
	unary("neg", "neg", 3, 0, 24);
	unary("mul", "mul", 4, F_SF | F_ZF | F_AF | F_PF, 36);
	unary("imul1", "imul", 5, F_SF | F_ZF | F_AF | F_PF, 36);
	divide("div", "div", 6);
	divide("idiv", "idiv", 7);
	double_shift(false);
	double_shift(true);
	gen_more();
	return 0;
}
