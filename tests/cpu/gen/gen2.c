/* More instruction families for the generator: two-byte-opcode ALU forms,
 * bit operations, conditions, data movement, BCD and address arithmetic. */
#include <string.h>

#include "forms.h"

#define UNDEF_MUL (F_SF | F_ZF | F_AF | F_PF)

/* A vector from raw bytes (32-bit) and optional real-mode bytes. */
static void raw(const char *name, const uint8_t *code, int len, const uint8_t *real, int rlen,
		const uint32_t *regs, uint32_t flags, uint32_t undef)
{
	struct vec v;

	memset(&v, 0, sizeof v);
	snprintf(v.name, sizeof v.name, "%s", name);
	memcpy(v.code, code, (size_t)len);
	v.len = len;
	memcpy(v.regs, regs, sizeof v.regs);
	v.regs[ESP] = STACK_TOP;
	v.flags = flags;
	v.undef = undef;
	if (real) {
		v.real.valid = true;
		memcpy(v.real.code, real, (size_t)rlen);
		v.real.len = rlen;
		v.real.ds_sel = DATA_ADDR >> 4;
	}
	gen_emit(&v);
}

static void test_insn(void)
{
	gen_open("test", "TEST in every form");
	for (int size = 1; size <= 4; size *= 2) {
		bool w = size != 1;
		struct spec rr = {"test E,G", {(uint8_t)(0x84 + w)}, 1, size, 0, true, EDX, ECX, 0,
				  false};
		struct spec acc = {"test A,I", {(uint8_t)(0xa8 + w)}, 1, size, 0, false, 0, 0, size,
				   false};
		struct spec im = {"test E,I", {(uint8_t)(0xf6 + w)}, 1, size, 0, true, 0, ECX, size,
				  false};
		sweep(&rr, EDX, 30, F_AF, NULL);
		sweep(&acc, EAX, 10, F_AF, imm_any);
		sweep(&im, -1, 14, F_AF, imm_any);
	}
	gen_close();
}

static void imul23(void)
{
	gen_open("imul", "two- and three-operand IMUL (0F AF, 69, 6B)");
	for (int size = 2; size <= 4; size *= 2) {
		struct spec two = {"imul Gv,Ev", {0x0f, 0xaf}, 2,   size, 0,
				   true,	 EDX,	       ECX, 0,	  false};
		struct spec iz = {"imul Gv,Ev,Iz", {0x69}, 1, size, 0, true, EDX, ECX, size, false};
		struct spec ib = {"imul Gv,Ev,Ib", {0x6b}, 1, size, 0, true, EDX, ECX, 1, false};
		sweep(&two, EDX, 40, UNDEF_MUL, NULL);
		sweep(&iz, EDX, 20, UNDEF_MUL, imm_any);
		sweep(&ib, EDX, 20, UNDEF_MUL, imm8_any);
	}
	gen_close();
}

/* BT BTS BTR BTC: register offsets (any value for a register operand, a
 * bit string around the operand for memory) and immediates. */
static void bit_test(int k, const char *mn)
{
	char n1[32], n2[32], n3[40];

	snprintf(n1, sizeof n1, "%s Ev,Gv", mn);
	snprintf(n2, sizeof n2, "%s Ev,Ib", mn);
	snprintf(n3, sizeof n3, "%s Ev,Gv (bit string)", mn);
	gen_open(mn, "bit test forms, register and memory bit strings");
	for (int size = 2; size <= 4; size *= 2) {
		struct spec r = {
		    n1, {0x0f, (uint8_t)(0xa3 + 8 * k)}, 2, size, 0, true, EDX, ECX, 0, false};
		struct spec far = r;
		struct spec ib = {n2, {0x0f, 0xba}, 2, size, 0, true, 4 + k, ECX, 1, false};
		uint32_t undef = F_OF | F_SF | F_AF | F_PF;
		far.name = n3;
		far.no_real = true;
		for (unsigned i = 0; i < 16; i++) {
			uint32_t regs[8];
			random_regs(regs);
			emit(&r, regs, gen_value(i, size), gen_flags(), 0, false, undef);
			random_regs(regs);
			regs[EDX] = rnd() % (unsigned)(size * 8);
			emit(&r, regs, rnd(), gen_flags(), 0, true, undef);
			random_regs(regs);
			/* -128..+1023 bits from the operand: within the data area */
			set_reg(regs, size, EDX, (uint32_t)((int)(rnd() % 1152) - 128));
			emit(&far, regs, rnd(), gen_flags(), 0, true, undef);
			random_regs(regs);
			emit(&ib, regs, rnd(), gen_flags(), rnd() & 0xff, i & 1, undef);
		}
	}
	gen_close();
}

static void bit_scan(void)
{
	static const char *const mn[2] = {"bsf", "bsr"};

	for (int k = 0; k < 2; k++) {
		char name[24];
		snprintf(name, sizeof name, "%s Gv,Ev", mn[k]);
		gen_open(mn[k], "bit scan, including a zero source (ZF=1)");
		for (int size = 2; size <= 4; size *= 2) {
			struct spec s = {
			    name, {0x0f, (uint8_t)(0xbc + k)}, 2, size, 0, true, EDX, ECX, 0,
			    false};
			for (unsigned i = 0; i < 50; i++) {
				uint32_t regs[8], v = i < 13 ? gen_value(i, size) : rnd();
				random_regs(regs);
				if (i >= 13 && i < 40) { /* one bit, with random bits below */
					uint32_t b = rnd() % (unsigned)(size * 8);
					v = 1u << b | (i & 1 ? rnd() >> (31 - b) >> 1 : 0);
				}
				emit(&s, regs, v, gen_flags(), 0, i & 1,
				     F_CF | F_OF | F_SF | F_AF | F_PF);
			}
		}
		gen_close();
	}
}

static void bswap(void)
{
	gen_open("bswap", "BSWAP of each 32-bit register");
	for (unsigned i = 0; i < 64; i++) {
		uint32_t regs[8];
		int r = (int)(i % 8);
		uint8_t c[2] = {0x0f, (uint8_t)(0xc8 + r)},
			rc[3] = {0x66, 0x0f, (uint8_t)(0xc8 + r)};
		char name[24];
		if (r == ESP)
			continue;
		random_regs(regs);
		snprintf(name, sizeof name, "bswap r%d", r);
		raw(name, c, 2, rc, 3, regs, gen_flags(), 0);
	}
	gen_close();
}

static void conditions(void)
{
	gen_open("setcc", "SETcc for all 16 conditions, register and memory");
	for (int cc = 0; cc < 16; cc++) {
		struct spec s = {"setcc Eb", {0x0f, (uint8_t)(0x90 + cc)}, 2, 1, 0, true, 0, ECX, 0,
				 false};
		sweep(&s, -1, 10, 0, NULL);
	}
	gen_close();
	gen_open("cmovcc", "CMOVcc for all 16 conditions, 16/32-bit, register and memory");
	for (int cc = 0; cc < 16; cc++)
		for (int size = 2; size <= 4; size *= 2) {
			struct spec s = {"cmovcc Gv,Ev",
					 {0x0f, (uint8_t)(0x40 + cc)},
					 2,
					 size,
					 0,
					 true,
					 EDX,
					 ECX,
					 0,
					 false};
			sweep(&s, EDX, 6, 0, NULL);
		}
	gen_close();
}

/* Jcc rel8 and rel32, LOOP/LOOPE/LOOPNE/JECXZ: taken or not, from the
 * host (the target is 7 bytes past the instruction). */
static void branch(const char *name, const uint8_t *c, int len, const uint8_t *rc, int rlen,
		   const uint32_t *regs, uint32_t flags)
{
	struct vec v;

	memset(&v, 0, sizeof v);
	snprintf(v.name, sizeof v.name, "%s", name);
	memcpy(v.code, c, (size_t)len);
	v.len = len;
	memcpy(v.regs, regs, sizeof v.regs);
	v.regs[ESP] = STACK_TOP;
	v.flags = flags;
	v.branch = true;
	if (rc) {
		v.real.valid = true;
		memcpy(v.real.code, rc, (size_t)rlen);
		v.real.len = rlen;
		v.real.ds_sel = DATA_ADDR >> 4;
	}
	gen_emit(&v);
}

static void jumps(void)
{
	uint32_t regs[8];

	gen_open("jcc", "Jcc rel8 and rel32 for all 16 conditions, taken and not taken");
	for (int cc = 0; cc < 16; cc++)
		for (unsigned i = 0; i < 8; i++) {
			uint8_t s[2] = {(uint8_t)(0x70 + cc), 7};
			uint8_t l[6] = {0x0f, (uint8_t)(0x80 + cc), 7, 0, 0, 0};
			uint8_t lr[4] = {0x0f, (uint8_t)(0x80 + cc), 7, 0};
			random_regs(regs);
			if (i & 1)
				branch("jcc rel8", s, 2, s, 2, regs, gen_flags());
			else
				branch("jcc rel32", l, 6, lr, 4, regs, gen_flags());
		}
	gen_close();
	gen_open("loop", "LOOP LOOPE LOOPNE JECXZ; real mode with an address-size prefix");
	for (int op = 0; op < 4; op++)
		for (unsigned i = 0; i < 24; i++) {
			static const char *const mn[4] = {"loopne", "loope", "loop", "jecxz"};
			uint8_t c[2] = {(uint8_t)(0xe0 + op), 7},
				rc[3] = {0x67, (uint8_t)(0xe0 + op), 7};
			uint8_t c16[3] = {0x67, (uint8_t)(0xe0 + op), 7};
			char name[32];
			random_regs(regs);
			regs[ECX] = i < 8 ? i % 3 : i < 12 ? 0x10000 | (i & 1) : rnd();
			snprintf(name, sizeof name, "%s rel8", mn[op]);
			if (i % 6 == 5) {
				snprintf(name, sizeof name, "%s rel8 a16", mn[op]);
				branch(name, c16, 3, c, 2, regs, gen_flags());
			} else {
				branch(name, c, 2, rc, 3, regs, gen_flags());
			}
		}
	gen_close();
}

static void exchange(void)
{
	gen_open("xadd", "XADD, 8/16/32-bit, register and memory");
	for (int size = 1; size <= 4; size *= 2) {
		struct spec s = {"xadd Ev,Gv",
				 {0x0f, (uint8_t)(0xc0 + (size != 1))},
				 2,
				 size,
				 0,
				 true,
				 EDX,
				 ECX,
				 0,
				 false};
		sweep(&s, EDX, 36, 0, NULL);
	}
	gen_close();
	gen_open("cmpxchg", "CMPXCHG, equal and not equal, 8/16/32-bit");
	for (int size = 1; size <= 4; size *= 2) {
		struct spec s = {"cmpxchg Ev,Gv",
				 {0x0f, (uint8_t)(0xb0 + (size != 1))},
				 2,
				 size,
				 0,
				 true,
				 EDX,
				 ECX,
				 0,
				 false};
		for (unsigned i = 0; i < 36; i++) {
			uint32_t regs[8], v = gen_value(i, size);
			random_regs(regs);
			if (i % 3 != 2)
				set_reg(regs, size, EAX, v);
			emit(&s, regs, v, gen_flags(), 0, i & 1, 0);
		}
	}
	gen_close();
	gen_open("xchg", "XCHG with memory, with a register, and 90+r");
	for (int size = 1; size <= 4; size *= 2) {
		struct spec s = {
		    "xchg Ev,Gv", {(uint8_t)(0x86 + (size != 1))}, 1, size, 0, true, EDX, ECX, 0,
		    false};
		sweep(&s, EDX, 16, 0, NULL);
	}
	for (int r = 1; r < 8; r++)
		for (int size = 2; size <= 4; size *= 2) {
			uint32_t regs[8];
			uint8_t c[2] = {0x66, (uint8_t)(0x90 + r)};
			random_regs(regs);
			if (r == ESP)
				continue;
			raw("xchg eAX,r", size == 4 ? c + 1 : c, size == 4 ? 1 : 2,
			    size == 4 ? c : c + 1, size == 4 ? 2 : 1, regs, gen_flags(), 0);
		}
	gen_close();
}

static void moves(void)
{
	static const char *const mn[4] = {"movzx Gv,Eb", "movzx Gv,Ew", "movsx Gv,Eb",
					  "movsx Gv,Ew"};

	for (int k = 0; k < 2; k++) {
		gen_open(k ? "movsx" : "movzx", "zero/sign extension from bytes and words");
		for (int w = 0; w < 2; w++)
			for (int size = 2; size <= 4; size *= 2) {
				if (w && size == 2)
					continue;
				struct spec s = {mn[2 * k + w],
						 {0x0f, (uint8_t)(0xb6 + 8 * k + w)},
						 2,
						 size,
						 w ? 2 : 1,
						 true,
						 EDX,
						 ECX,
						 0,
						 false};
				sweep(&s, EDX, 30, 0, NULL);
			}
		gen_close();
	}
	gen_open("mov", "MOV between registers, memory and immediates");
	for (int size = 1; size <= 4; size *= 2) {
		bool w = size != 1;
		struct spec a = {"mov Ev,Gv", {(uint8_t)(0x88 + w)}, 1, size, 0, true, EDX, ECX, 0,
				 false};
		struct spec b = {"mov Gv,Ev", {(uint8_t)(0x8a + w)}, 1, size, 0, true, EDX, ECX, 0,
				 false};
		struct spec c = {"mov Ev,Iz", {(uint8_t)(0xc6 + w)}, 1, size, 0, true, 0, ECX, size,
				 false};
		sweep(&a, EDX, 10, 0, NULL);
		sweep(&b, EDX, 10, 0, NULL);
		sweep(&c, -1, 10, 0, imm_any);
		for (int r = 0; r < 8; r++) {
			uint32_t regs[8], imm = rnd();
			uint8_t code[6] = {0x66, (uint8_t)((w ? 0xb8 : 0xb0) + r)};
			if (w && r == ESP)
				continue;
			memcpy(code + 2, &imm, 4);
			random_regs(regs);
			if (size == 1)
				raw("mov r8,imm8", code + 1, 2, code + 1, 2, regs, gen_flags(), 0);
			else if (size == 2)
				raw("mov r16,imm16", code, 4, code + 1, 3, regs, gen_flags(), 0);
			else
				raw("mov r32,imm32", code + 1, 5, code, 6, regs, gen_flags(), 0);
		}
	}
	gen_close();
	gen_open("convert", "CBW CWDE CWD CDQ");
	for (unsigned i = 0; i < 60; i++) {
		uint32_t regs[8];
		uint8_t c[2] = {0x66, (uint8_t)(0x98 + (i & 1))};
		static const char *const nm[4] = {"cbw", "cwd", "cwde", "cdq"};
		random_regs(regs);
		/* CBW/CWDE extend AL/AX; CWD/CDQ extend AX/EAX. */
		set_reg(regs, (i & 2) ? 2 << (i & 1) : 1 << (i & 1), EAX,
			gen_value(i / 4, (i & 2) ? 2 << (i & 1) : 1 << (i & 1)));
		if (i & 2)
			raw(nm[2 + (i & 1)], c + 1, 1, c, 2, regs, gen_flags(), 0);
		else
			raw(nm[i & 1], c, 2, c + 1, 1, regs, gen_flags(), 0);
	}
	gen_close();
}

/* XLAT (DS:[EBX+AL], and [BX+AL] with 67h) and CMPXCHG8B. */
static void xlat_cx8(void)
{
	gen_open("xlat", "XLAT with 32- and 16-bit addresses");
	for (unsigned i = 0; i < 48; i++) {
		struct vec v;
		bool a16 = i & 1;
		memset(&v, 0, sizeof v);
		random_regs(v.regs);
		v.regs[ESP] = STACK_TOP;
		v.flags = gen_flags();
		v.mem_len = 64;
		for (int b = 0; b < 64; b++)
			v.mem[b] = (uint8_t)rnd();
		v.regs[EAX] = (v.regs[EAX] & ~0xffu) | (rnd() & 0x3f);
		if (a16) { /* BX wraps: the table in the low area */
			v.mem_abs = LOW_ADDR + 0x100 + (rnd() & 0x3ff0);
			v.regs[EBX] = (v.regs[EBX] & 0xffff0000u) | v.mem_abs;
			memcpy(v.code, "\x67\xd7", 2);
			v.len = 2;
			v.real.valid = true;
			v.real.code[0] = 0xd7;
			v.real.len = 1;
		} else {
			v.mem_off = 0x40;
			v.regs[EBX] = DATA_ADDR + 0x40;
			v.code[0] = 0xd7;
			v.len = 1;
		}
		snprintf(v.name, sizeof v.name, "xlat a%d", a16 ? 16 : 32);
		gen_emit(&v);
	}
	gen_close();
	gen_open("cmpxchg8b", "CMPXCHG8B: equal (stores ECX:EBX) and not equal (loads EDX:EAX)");
	for (unsigned i = 0; i < 40; i++) {
		struct vec v;
		memset(&v, 0, sizeof v);
		random_regs(v.regs);
		v.regs[ESP] = STACK_TOP;
		v.regs[ESI] = DATA_ADDR;
		v.flags = gen_flags();
		v.mem_off = 0x10;
		v.mem_len = 8;
		for (int b = 0; b < 8; b++)
			v.mem[b] = (uint8_t)rnd();
		if (i % 3 != 2) /* equal, or equal in one half only */
			memcpy(&v.regs[EAX], v.mem, 4);
		if (i % 3 == 0 || i % 4 == 1)
			memcpy(&v.regs[EDX], v.mem + 4, 4);
		memcpy(v.code, "\x0f\xc7\x4e\x10", 4); /* cmpxchg8b [esi+10h] */
		v.len = 4;
		snprintf(v.name, sizeof v.name, "cmpxchg8b m64");
		gen_emit(&v);
	}
	gen_close();
}

/* MOV AL/eAX <-> moffs (A0-A3); ARPL (32-bit mode only); SALC. */
static void misc(void)
{
	gen_open("moffs", "MOV between the accumulator and a direct address (A0-A3)");
	for (unsigned i = 0; i < 64; i++) {
		struct vec v;
		int op = (int)(i % 4), size = op & 1 ? (i & 4 ? 2 : 4) : 1, n = 0;
		uint32_t a = DATA_ADDR + 0x10;
		memset(&v, 0, sizeof v);
		random_regs(v.regs);
		v.regs[ESP] = STACK_TOP;
		v.flags = gen_flags();
		v.mem_off = 0x10;
		v.mem_len = 4;
		for (int b = 0; b < 4; b++)
			v.mem[b] = (uint8_t)rnd();
		if (size == 2)
			v.code[n++] = 0x66;
		v.code[n++] = (uint8_t)(0xa0 + op);
		memcpy(v.code + n, &a, 4);
		v.len = n + 4;
		n = 0;
		if (size == 4)
			v.real.code[n++] = 0x66;
		v.real.code[n++] = (uint8_t)(0xa0 + op);
		v.real.code[n++] = 0x10, v.real.code[n++] = 0;
		v.real.len = n;
		v.real.valid = true;
		v.real.ds_sel = DATA_ADDR >> 4;
		snprintf(v.name, sizeof v.name, "mov %s o%d", op < 2 ? "A,moffs" : "moffs,A",
			 size * 8);
		gen_emit(&v);
	}
	gen_close();
	gen_open("arpl", "ARPL (protected mode), register and memory; SALC");
	for (unsigned i = 0; i < 48; i++) {
		struct spec s = {"arpl Ew,Gw", {0x63}, 1, 2, 0, true, EDX, ECX, 0, true};
		uint32_t regs[8];
		random_regs(regs);
		/* The o16 prefix is ignored: encode without it. */
		s.size = 4;
		s.rm_size = 2;
		emit(&s, regs, rnd() & 0xffff, gen_flags(), 0, i & 1, 0);
	}
	for (unsigned i = 0; i < 16; i++) {
		uint32_t regs[8];
		random_regs(regs);
		raw("salc", (const uint8_t *)"\xd6", 1, (const uint8_t *)"\xd6", 1, regs,
		    gen_flags(), 0);
	}
	gen_close();
}

static void flag_ops(void)
{
	static const uint8_t ops[] = {0xf5, 0xf8, 0xf9, 0xfc, 0xfd, 0x9e, 0x9f};
	static const char *const nm[] = {"cmc", "clc", "stc", "cld", "std", "sahf", "lahf"};

	gen_open("flagops", "CMC CLC STC CLD STD SAHF LAHF");
	for (unsigned k = 0; k < sizeof ops; k++)
		for (unsigned i = 0; i < 12; i++) {
			uint32_t regs[8];
			random_regs(regs);
			raw(nm[k], &ops[k], 1, &ops[k], 1, regs, gen_flags(), 0);
		}
	gen_close();
}

/* LEA over ModRM/SIB forms, 32-bit and 16-bit addressing. */
static void lea(void)
{
	gen_open("lea", "LEA: every ModRM and SIB addressing form, 16- and 32-bit addresses");
	for (unsigned i = 0; i < 256; i++) {
		uint32_t regs[8], disp = rnd();
		uint8_t c[12], rc[12];
		int n = 0, modrm = (int)(i & 0xc7) | (EDX << 3), mod = modrm >> 6, rm = modrm & 7;
		bool a16 = i & 0x8;
		if (mod == 3)
			continue;
		random_regs(regs);
		if (a16)
			c[n++] = 0x67;
		c[n++] = 0x8d;
		c[n++] = (uint8_t)modrm;
		if (a16) {
			if (mod == 1)
				c[n++] = (uint8_t)disp;
			else if (mod == 2 || (mod == 0 && rm == 6))
				c[n++] = (uint8_t)disp, c[n++] = (uint8_t)(disp >> 8);
		} else {
			bool disp32 = mod == 2 || (mod == 0 && rm == 5);
			if (rm == 4) {
				uint8_t sib = (uint8_t)rnd();
				c[n++] = sib;
				disp32 = mod == 2 || (mod == 0 && (sib & 7) == 5);
			}
			if (mod == 1)
				c[n++] = (uint8_t)disp;
			else if (disp32)
				memcpy(c + n, &disp, 4), n += 4;
		}
		/* Real mode: the other address size. */
		rc[0] = 0x66; /* a 32-bit destination */
		if (a16) {
			memcpy(rc + 1, c + 1, (size_t)n - 1);
		} else {
			rc[1] = 0x67;
			memcpy(rc + 2, c, (size_t)n);
		}
		raw(a16 ? "lea Gv,M a16" : "lea Gv,M a32", c, n, rc, a16 ? n : n + 2, regs,
		    gen_flags(), 0);
	}
	gen_close();
}

static void bcd(void)
{
	static const char *const files[3] = {"daa_das", "aaa_aas", "aam_aad"};
	static const uint8_t ops[3][2] = {{0x27, 0x2f}, {0x37, 0x3f}, {0xd4, 0xd5}};
	static const char *const nm[3][2] = {{"daa", "das"}, {"aaa", "aas"}, {"aam", "aad"}};
	static const uint32_t undef[3] = {F_OF, F_OF | F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF};

	for (int f = 0; f < 3; f++) {
		gen_open(files[f], "decimal adjustment over AL values with CF/AF in and out");
		for (int k = 0; k < 2; k++)
			for (unsigned i = 0; i < 80; i++) {
				uint32_t regs[8];
				uint8_t c[2] = {ops[f][k], 10};
				random_regs(regs);
				if (i < 64)
					regs[EAX] = (regs[EAX] & ~0xffu) | (i * 4 + (i >> 4));
				if (f == 2 && i % 10 == 9)
					c[1] = i % 20 == 9 ? 0 : (uint8_t)rnd(); /* base 0: #DE */
				raw(nm[f][k], c, f == 2 ? 2 : 1, c, f == 2 ? 2 : 1, regs,
				    gen_flags(), undef[f]);
			}
		gen_close();
	}
}

void gen_more(void)
{
	test_insn();
	imul23();
	bit_test(0, "bt");
	bit_test(1, "bts");
	bit_test(2, "btr");
	bit_test(3, "btc");
	bit_scan();
	bswap();
	conditions();
	jumps();
	exchange();
	moves();
	flag_ops();
	xlat_cx8();
	misc();
	lea();
	bcd();
	gen_stack();
	gen_addressing();
}
