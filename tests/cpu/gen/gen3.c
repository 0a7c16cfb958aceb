/* Generator families that touch the stack or several memory operands:
 * PUSH/POP, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE, CALL/RET/JMP, the string
 * instructions, BOUND; and the faults the host raises at CPL 3 (#GP for
 * privileged instructions, #UD for invalid encodings and LOCK misuse). */
#include <string.h>

#include "forms.h"

#define STK (DATA_ADDR + 0x80) /* ESP of the stack vectors */

/* A vector whose data area is 256 random bytes at DATA_ADDR. */
static void big(const char *name, const uint8_t *code, int len, const uint32_t *regs,
		uint32_t flags, bool user, bool branch)
{
	struct vec v;

	memset(&v, 0, sizeof v);
	snprintf(v.name, sizeof v.name, "%s", name);
	memcpy(v.code, code, (size_t)len);
	v.len = len;
	memcpy(v.regs, regs, sizeof v.regs);
	v.flags = flags;
	v.user_segs = user;
	v.branch = branch;
	v.mem_len = sizeof v.mem_big;
	for (unsigned i = 0; i < sizeof v.mem_big; i++)
		v.mem_big[i] = (uint8_t)rnd();
	gen_emit(&v);
}

static void stack_regs(uint32_t *regs)
{
	random_regs(regs);
	regs[ESP] = STK;
	regs[EBX] = DATA_ADDR;
	regs[EBP] = STK + 0x20;
}

static void push_pop(void)
{
	uint32_t regs[8];
	uint8_t c[8];

	gen_open("push", "PUSH of registers, immediates and memory, 16/32-bit");
	for (int r = 0; r < 8; r++)
		for (int w = 0; w < 2; w++) {
			stack_regs(regs);
			c[0] = 0x66, c[1] = (uint8_t)(0x50 + r);
			big(w ? "push r32" : "push r16", c + w, 2 - w, regs, gen_flags(), false,
			    false);
		}
	for (unsigned i = 0; i < 16; i++) {
		uint32_t imm = gen_value(i, 4);
		stack_regs(regs);
		c[0] = 0x68, memcpy(c + 1, &imm, 4);
		big("push imm32", c, 5, regs, gen_flags(), false, false);
		c[0] = 0x6a, c[1] = (uint8_t)imm;
		big("push imm8", c, 2, regs, gen_flags(), false, false);
		c[0] = 0x66, c[1] = 0x6a, c[2] = (uint8_t)imm;
		big("push imm8 o16", c, 3, regs, gen_flags(), false, false);
		c[0] = 0x66, c[1] = 0x68, memcpy(c + 2, &imm, 2);
		big("push imm16", c, 4, regs, gen_flags(), false, false);
	}
	for (unsigned i = 0; i < 8; i++) {
		stack_regs(regs);
		memcpy(c, "\xff\x73\x10", 3);
		big("push m32", c, 3, regs, gen_flags(), false, false);
		memcpy(c, "\x66\xff\x73\x10", 4);
		big("push m16", c, 4, regs, gen_flags(), false, false);
		memcpy(c, "\xff\x34\x24", 3);
		big("push dword [esp]", c, 3, regs, gen_flags(), false, false);
	}
	gen_close();
	gen_open("pop", "POP to registers and memory, POP ESP and POP [ESP]");
	for (int r = 0; r < 8; r++)
		for (int w = 0; w < 2; w++) {
			stack_regs(regs);
			c[0] = 0x66, c[1] = (uint8_t)(0x58 + r);
			big(w ? "pop r32" : "pop r16", c + w, 2 - w, regs, gen_flags(), false,
			    false);
		}
	for (unsigned i = 0; i < 8; i++) {
		stack_regs(regs);
		memcpy(c, "\x8f\x43\x10", 3);
		big("pop m32", c, 3, regs, gen_flags(), false, false);
		memcpy(c, "\x66\x8f\x43\x10", 4);
		big("pop m16", c, 4, regs, gen_flags(), false, false);
		memcpy(c, "\x8f\x04\x24", 3);
		big("pop dword [esp]", c, 3, regs, gen_flags(), false, false);
		memcpy(c, "\x8f\x44\x24\xfc", 4);
		big("pop dword [esp-4]", c, 4, regs, gen_flags(), false, false);
	}
	gen_close();
}

static void push_all(void)
{
	uint32_t regs[8];
	static const uint8_t code[4][2] = {{0x60}, {0x61}, {0x66, 0x60}, {0x66, 0x61}};
	static const char *const nm[4] = {"pushad", "popad", "pusha", "popa"};

	gen_open("pusha_popa", "PUSHA/PUSHAD and POPA/POPAD");
	for (int k = 0; k < 4; k++)
		for (unsigned i = 0; i < 10; i++) {
			stack_regs(regs);
			big(nm[k], code[k], k < 2 ? 1 : 2, regs, gen_flags(), false, false);
		}
	gen_close();
}

/* PUSHF/POPF at CPL 3 with IOPL 0: IF and IOPL are not writable there. */
static void push_flags(void)
{
	uint32_t regs[8];
	static const uint8_t code[4][2] = {{0x9c}, {0x9d}, {0x66, 0x9c}, {0x66, 0x9d}};
	static const char *const nm[4] = {"pushfd", "popfd", "pushf", "popf"};

	gen_open("pushf_popf", "PUSHF/POPF, 16/32-bit, at CPL 3");
	for (int k = 0; k < 4; k++)
		for (unsigned i = 0; i < 16; i++) {
			struct vec v;
			uint32_t f = (rnd() & (F_ARITH | F_DF | 0x3200)) | 0x2;
			stack_regs(regs);
			memset(&v, 0, sizeof v);
			snprintf(v.name, sizeof v.name, "%s", nm[k]);
			memcpy(v.code, code[k], 2);
			v.len = k < 2 ? 1 : 2;
			memcpy(v.regs, regs, sizeof regs);
			v.flags = gen_flags();
			v.user_segs = true;
			v.mem_off = 0x70;
			v.mem_len = 32;
			for (int b = 0; b < 32; b++)
				v.mem[b] = (uint8_t)rnd();
			memcpy(v.mem + 0x10, &f, 4);
			gen_emit(&v);
		}
	gen_close();
}

static void enter_leave(void)
{
	uint32_t regs[8];

	gen_open("enter_leave", "ENTER with nesting levels 0-3 and LEAVE, 16/32-bit");
	for (unsigned i = 0; i < 40; i++) {
		uint8_t c[5] = {0x66, 0xc8, (uint8_t)(rnd() & 0x3f), 0, (uint8_t)(i % 4)};
		stack_regs(regs);
		if (i & 4)
			big("enter o32", c + 1, 4, regs, gen_flags(), false, false);
		else
			big("enter o16", c, 5, regs, gen_flags(), false, false);
	}
	for (unsigned i = 0; i < 16; i++) {
		uint8_t c[2] = {0x66, 0xc9};
		stack_regs(regs);
		regs[EBP] = STK + (rnd() & 0x3c);
		big(i & 1 ? "leave o32" : "leave o16", c + (i & 1), 2 - (i & 1), regs, gen_flags(),
		    false, false);
	}
	gen_close();
}

static void call_ret(void)
{
	uint32_t regs[8];

	gen_open("call_ret", "near CALL, JMP and RET: relative, indirect, with an immediate");
	for (unsigned i = 0; i < 8; i++) {
		stack_regs(regs);
		big("call rel32", (const uint8_t *)"\xe8\x07\x00\x00\x00", 5, regs, gen_flags(),
		    false, true);
		big("jmp rel8", (const uint8_t *)"\xeb\x07", 2, regs, gen_flags(), false, true);
		big("jmp rel32", (const uint8_t *)"\xe9\x07\x00\x00\x00", 5, regs, gen_flags(),
		    false, true);
		regs[ECX] = CODE_ADDR + 2; /* the next instruction */
		big("call ecx", (const uint8_t *)"\xff\xd1", 2, regs, gen_flags(), false, false);
		big("jmp ecx", (const uint8_t *)"\xff\xe1", 2, regs, gen_flags(), false, false);
	}
	for (unsigned i = 0; i < 8; i++) {
		struct vec v;
		uint32_t next = CODE_ADDR + (i & 1 ? 3 : 1);
		stack_regs(regs);
		memset(&v, 0, sizeof v);
		snprintf(v.name, sizeof v.name, i & 1 ? "ret imm16" : "ret");
		memcpy(v.code, i & 1 ? "\xc2\x0c\x00" : "\xc3\x00\x00", 3);
		v.len = i & 1 ? 3 : 1;
		memcpy(v.regs, regs, sizeof regs);
		v.flags = gen_flags();
		v.mem_off = STK - DATA_ADDR - 8;
		v.mem_len = 32;
		for (int b = 0; b < 32; b++)
			v.mem[b] = (uint8_t)rnd();
		memcpy(v.mem + 8, &next, 4);
		gen_emit(&v);
		/* call [ebx+10h] to the next instruction */
		memset(&v, 0, sizeof v);
		snprintf(v.name, sizeof v.name, "call m32");
		memcpy(v.code, "\xff\x53\x10", 3);
		v.len = 3;
		memcpy(v.regs, regs, sizeof regs);
		v.flags = gen_flags();
		next = CODE_ADDR + 3;
		v.mem_off = 0x10;
		v.mem_len = 4;
		memcpy(v.mem, &next, 4);
		gen_emit(&v);
	}
	gen_close();
}

/* The string instructions with and without REP, both directions. */
static void strings(void)
{
	static const char *const files[5] = {"movs", "cmps", "stos", "lods", "scas"};
	static const uint8_t ops[5] = {0xa4, 0xa6, 0xaa, 0xac, 0xae};
	uint32_t regs[8];

	for (int k = 0; k < 5; k++) {
		gen_open(files[k], "string instruction, 8/16/32-bit, REP/REPE/REPNE, DF 0 and 1");
		for (unsigned i = 0; i < 120; i++) {
			struct vec v;
			int size = 1 << (i % 3), n = 0, rn = 0;
			bool a16 = i >= 72; /* SI, DI, CX; real mode too */
			uint32_t area = a16 ? LOW_ADDR + 0x1000 : DATA_ADDR;
			unsigned rep = (i / 3) % 3; /* none, F3, F2 */
			memset(&v, 0, sizeof v);
			if (rep == 2 && (k == 0 || k == 2 || k == 3))
				rep = 1;
			if (rep)
				v.code[n++] = v.real.code[rn++] = rep == 1 ? 0xf3 : 0xf2;
			if (size == 2)
				v.code[n++] = 0x66;
			if (size == 4)
				v.real.code[rn++] = 0x66;
			if (a16)
				v.code[n++] = 0x67;
			v.code[n++] = v.real.code[rn++] = (uint8_t)(ops[k] + (size != 1));
			v.len = n;
			v.real.len = rn;
			v.real.valid = a16;
			snprintf(v.name, sizeof v.name, "%s%s%s%s",
				 rep == 0   ? ""
				 : rep == 1 ? "rep "
					    : "repne ",
				 files[k],
				 size == 1   ? "b"
				 : size == 2 ? "w"
					     : "d",
				 a16 ? " a16" : "");
			stack_regs(regs);
			regs[ESI] = area + 0x40 + (rnd() & 0xf);
			regs[EDI] = area + 0xa0 + (rnd() & 0xf);
			regs[ECX] = i < 36 ? i % 5 : rnd() % 7;
			if (a16) { /* the upper halves must not matter */
				v.mem_abs = area;
				regs[ESI] |= rnd() & 0xffff0000u;
				regs[EDI] |= rnd() & 0xffff0000u;
				regs[ECX] |= rnd() & 0xffff0000u;
			}
			memcpy(v.regs, regs, sizeof regs);
			v.flags = gen_flags();
			v.mem_len = sizeof v.mem_big;
			for (unsigned b = 0; b < sizeof v.mem_big; b++)
				v.mem_big[b] = (uint8_t)(i & 4 ? rnd() & 3 : rnd());
			if (i & 8) /* equal runs for CMPS and SCAS */
				memcpy(v.mem_big + 0x98, v.mem_big + 0x38, 0x30);
			if (k == 4 && (i & 1))
				memcpy(&v.regs[EAX],
				       v.mem_big + ((regs[EDI] & 0xffff) - (area & 0xffff)), 1);
			gen_emit(&v);
		}
		gen_close();
	}
}

static void bound(void)
{
	gen_open("bound", "BOUND: inside, at the limits, outside (#BR), 16/32-bit");
	for (unsigned i = 0; i < 48; i++) {
		struct vec v;
		int size = i & 1 ? 2 : 4;
		int32_t lo = (int32_t)(rnd() % 200) - 100, hi = lo + (int32_t)(rnd() % 100);
		int32_t idx = lo - 3 + (int32_t)(rnd() % (uint32_t)(hi - lo + 7));
		memset(&v, 0, sizeof v);
		random_regs(v.regs);
		if (i % 8 == 2)
			idx = lo;
		if (i % 8 == 4)
			idx = hi;
		set_reg(v.regs, size, EAX, (uint32_t)idx);
		v.regs[EBX] = DATA_ADDR;
		v.regs[ESP] = STACK_TOP;
		v.flags = gen_flags();
		snprintf(v.name, sizeof v.name, "bound o%d", size * 8);
		v.len = 0;
		if (size == 2)
			v.code[v.len++] = 0x66;
		memcpy(v.code + v.len, "\x62\x43\x10", 3);
		v.len += 3;
		v.mem_off = 0x10;
		v.mem_len = 2 * size;
		memcpy(v.mem, &lo, (size_t)size);
		memcpy(v.mem + size, &hi, (size_t)size);
		v.real.valid = true;
		if (size == 4)
			v.real.code[v.real.len++] = 0x66;
		memcpy(v.real.code + v.real.len, "\x62\x47\x10", 3);
		v.real.len += 3;
		v.real.ds_sel = DATA_ADDR >> 4;
		v.real.set_ebx = true;
		gen_emit(&v);
	}
	gen_close();
}

struct raw_case {
	const char *name;
	const char *code;
	int len;
};

static void fault_cases(const char *file, const char *desc, const struct raw_case *cs, unsigned n,
			bool user, int want)
{
	uint32_t regs[8];

	gen_open(file, desc);
	for (unsigned k = 0; k < n; k++)
		for (unsigned i = 0; i < 3; i++) {
			struct vec v;
			memset(&v, 0, sizeof v);
			stack_regs(regs);
			memcpy(v.regs, regs, sizeof regs);
			v.regs[EDX] = 0x60 + i;
			v.regs[EAX] &= 0x3f; /* bit offsets within the data area */
			snprintf(v.name, sizeof v.name, "%s", cs[k].name);
			memcpy(v.code, cs[k].code, (size_t)cs[k].len);
			v.len = cs[k].len;
			v.flags = gen_flags();
			v.user_segs = user;
			v.mem_off = 0x10;
			v.mem_len = 8;
			if (gen_emit(&v) != want && want >= 0)
				fprintf(stderr, "gen: %s: expected exception %d natively\n",
					cs[k].name, want);
		}
	gen_close();
}

static void faults(void)
{
	static const struct raw_case priv[] = {
	    {"hlt", "\xf4", 1},
	    {"cli", "\xfa", 1},
	    {"sti", "\xfb", 1},
	    {"in al,dx", "\xec", 1},
	    {"in eax,imm8", "\xe5\x60", 2},
	    {"out dx,al", "\xee", 1},
	    {"out imm8,ax", "\x66\xe7\x61", 3},
	    {"insb", "\x6c", 1},
	    {"outsd", "\x6f", 1},
	    {"mov cr0,eax", "\x0f\x22\xc0", 3},
	    {"mov eax,cr0", "\x0f\x20\xc0", 3},
	    {"mov eax,cr3", "\x0f\x20\xd8", 3},
	    {"mov dr7,eax", "\x0f\x23\xf8", 3},
	    {"lgdt m", "\x0f\x01\x53\x10", 4},
	    {"lidt m", "\x0f\x01\x5b\x10", 4},
	    {"lmsw ax", "\x0f\x01\xf0", 3},
	    {"invlpg m", "\x0f\x01\x7b\x10", 4},
	    {"lldt ax", "\x0f\x00\xd0", 3},
	    {"ltr ax", "\x0f\x00\xd8", 3},
	    {"clts", "\x0f\x06", 2},
	    {"invd", "\x0f\x08", 2},
	    {"wbinvd", "\x0f\x09", 2},
	    {"wrmsr", "\x0f\x30", 2},
	    {"rdmsr", "\x0f\x32", 2},
	};
	static const struct raw_case ud[] = {
	    {"ud2", "\x0f\x0b", 2},
	    {"lock add eax,ecx", "\xf0\x01\xc8", 3},
	    {"lock mov m,eax", "\xf0\x89\x43\x10", 4},
	    {"lock cmp m,eax", "\xf0\x39\x43\x10", 4},
	    {"lock test m,eax", "\xf0\x85\x43\x10", 4},
	    {"lock nop", "\xf0\x90", 2},
	    {"lock inc eax", "\xf0\x40", 2},
	    {"lock xchg eax,ecx", "\xf0\x87\xc8", 3},
	    {"lock bt m,eax", "\xf0\x0f\xa3\x43\x10", 5},
	    {"lea eax,ecx", "\x8d\xc1", 2},
	    {"grp4 /2", "\xfe\xd0", 2},
	    {"grp5 /7", "\xff\xf8", 2},
	    {"jmp far reg", "\xff\xe8", 2},
	    {"call far reg", "\xff\xd8", 2},
	    {"mov cs,ax", "\x8e\xc8", 2},
	};
	static const struct raw_case lockok[] = {
	    {"lock add m,eax", "\xf0\x01\x43\x10", 4},
	    {"lock xadd m,eax", "\xf0\x0f\xc1\x43\x10", 5},
	    {"lock cmpxchg m,ecx", "\xf0\x0f\xb1\x4b\x10", 5},
	    {"lock bts m,eax", "\xf0\x0f\xab\x43\x10", 5},
	    {"lock not byte m", "\xf0\xf6\x53\x10", 4},
	    {"lock xchg m,eax", "\xf0\x87\x43\x10", 4},
	};

	fault_cases("privileged", "privileged and IOPL-sensitive instructions at CPL 3: #GP(0)",
		    priv, sizeof priv / sizeof priv[0], true, 13);
	fault_cases("ud", "invalid encodings and LOCK on what cannot be locked: #UD", ud,
		    sizeof ud / sizeof ud[0], false, 6);
	fault_cases("lock", "LOCK on lockable read-modify-write memory operations", lockok,
		    sizeof lockok / sizeof lockok[0], false, -1);
}

void gen_stack(void)
{
	push_pop();
	push_all();
	push_flags();
	enter_leave();
	call_ret();
	strings();
	bound();
	faults();
}
