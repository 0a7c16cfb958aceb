/* The software CPU's decoder and executor, and its JIT against its
 * interpreter. The input is an options byte, then code loaded at 1000h of
 * a machine of 1 MiB of RAM with nothing else (ports and memory past RAM
 * read all ones, and a run making too many such accesses is cut short).
 * The options pick where the code starts:
 *   bits 0-1  0, 3: real mode at 0000:1000
 *             1: 32-bit flat protected mode (a GDT at 500h)
 *             2: the same with paging: identity-mapped 4 KiB pages but
 *                A000h not present, B000h read-only (CR0.WP) and C000h an
 *                alias of the code page at 1000h (self-modifying code
 *                through another address); the page tables (8000h, 9000h)
 *                are writable by the code
 *   bits 2-3  the JIT's threshold: 1, 2, 5 or 32 runs of a block
 * In protected mode every vector's gate leads to a HLT at 2000h, so a
 * fault ends the run in a state to compare. The code runs a bounded number
 * of instructions interpreted, then again from the same start through the
 * JIT; registers, flags, segments, control registers, the x87 state, the
 * instruction count, the exit and all of RAM must be equal (a divergence
 * aborts with both states). Page faults in the middle of a block, accesses
 * that straddle pages and writes to the code's own page are the fuzzer's
 * to find; whatever mode or fault the code gets itself into, it must
 * return. */
#include <stdio.h>

#include "fuzz.h"
#include "hv/core/machine.h"
#include "hv/x86/cpu.h"
#include "hv/x86/cpu_state.h"

#define RAM	    (1u << 20)
#define CODE_AT	    0x1000u
#define CODE_MAX    4096u
#define BUDGET	    2000u
#define GDT_AT	    0x500u
#define IDT_AT	    0x800u
#define HANDLER_AT  0x2000u
#define STACK_TOP   0x7000u
#define PD_AT	    0x8000u
#define PT_AT	    0x9000u
#define PAGE_ABSENT 0xa000u
#define PAGE_RO	    0xb000u
#define PAGE_ALIAS  0xc000u

/* Accesses to ports and to memory past RAM a run may make: a REP counts
 * as one instruction a chunk of 4096 elements, so 2000 instructions of
 * REP STOSB to nowhere would take seconds; past this the run is kicked
 * (at the same instruction, interpreted or translated). */
#define DEVICE_MAX 16384u

static struct machine m;
static struct x86_cpu *cpu;
static uint8_t first_ram[RAM];
static unsigned device_accesses;

static void count_access(void)
{
	if (++device_accesses == DEVICE_MAX)
		x86_cpu_kick(cpu);
}

static uint64_t nothing_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque, (void)offset, (void)size;
	count_access();
	return ~(uint64_t)0;
}

static void nothing_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	(void)opaque, (void)offset, (void)size, (void)value;
	count_access();
}

static const struct io_ops nothing = {nothing_read, nothing_write};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void)argc, (void)argv;
	if (machine_init(&m, RAM, err, sizeof err) < 0 || !(cpu = x86_cpu_create(&m)) ||
	    mem_map_mmio(&m.mem, RAM, 0x100000000ull - RAM, &nothing, NULL, "nothing") != 0 ||
	    bus_register(&m.pio, 0, 0x10000, &nothing, NULL, "nothing") != 0)
		abort();
	return 0;
}

static void put32(uint32_t at, uint32_t v)
{
	memcpy(m.mem.ram + at, &v, 4);
}

/* Flat 4 GiB code (08h) and data (10h); gates of every vector to the HLT. */
static void tables(void)
{
	static const uint32_t gdt[] = {0, 0, 0x0000ffff, 0x00cf9a00, 0x0000ffff, 0x00cf9200};

	memcpy(m.mem.ram + GDT_AT, gdt, sizeof gdt);
	for (uint32_t v = 0; v < 256; v++) {
		put32(IDT_AT + v * 8, 0x08u << 16 | (HANDLER_AT & 0xffff));
		put32(IDT_AT + v * 8 + 4, (HANDLER_AT & 0xffff0000) | 0x8e00);
	}
	m.mem.ram[HANDLER_AT] = 0xf4;	  /* hlt */
	m.mem.ram[HANDLER_AT + 1] = 0xeb; /* jmp to the hlt */
	m.mem.ram[HANDLER_AT + 2] = 0xfd;
}

static void page_tables(void)
{
	put32(PD_AT, PT_AT | 7);
	for (uint32_t p = 0; p < RAM / 4096; p++)
		put32(PT_AT + p * 4, p * 4096 | 7);
	put32(PT_AT + (PAGE_ABSENT >> 12) * 4, PAGE_ABSENT | 6);
	put32(PT_AT + (PAGE_RO >> 12) * 4, PAGE_RO | 5);
	put32(PT_AT + (PAGE_ALIAS >> 12) * 4, CODE_AT | 7);
}

/* The machine and the CPU as the options byte says, the code at 1000h. */
static void start(uint8_t opt, const uint8_t *code, size_t size)
{
	unsigned mode = opt & 3;
	struct vcpu_state st;
	char err[128];

	memset(m.mem.ram, 0, RAM);
	memcpy(m.mem.ram + CODE_AT, code, size);
	x86_cpu_reset(cpu);
	device_accesses = 0;
	atomic_store(&cpu->kicked, false);
	if (mode == 0 || mode == 3) {
		x86_cpu_set_ip(cpu, 0, CODE_AT);
		cpu->regs[X86_ESP] = STACK_TOP;
	} else {
		tables();
		x86_cpu_set_boot32(cpu, &(struct vcpu_boot32){.eip = CODE_AT,
							      .gdt_base = GDT_AT,
							      .gdt_limit = 0x17,
							      .cs = 0x08,
							      .ds = 0x10});
		x86_cpu_get_state(cpu, &st);
		st.regs[X86_ESP] = STACK_TOP;
		st.idtr = (struct vcpu_dtable){IDT_AT, 256 * 8 - 1};
		if (mode == 2) {
			page_tables();
			st.cr3 = PD_AT;
			st.cr0 |= 0x80010000u; /* PG, WP */
		}
		if (x86_cpu_set_state(cpu, &st, err, sizeof err) != 0)
			abort();
	}
	/* The decoded blocks and translations of the last input must not
	 * survive its code: RAM was written behind the CPU's back. */
	mem_mark_written(&m.mem, 0, RAM);
}

struct outcome {
	struct vcpu_state st;
	uint64_t insns;
	enum vcpu_exit exit;
};

static void run(struct outcome *o)
{
	uint64_t insns = cpu->insns;

	o->exit = VCPU_EXIT_BUDGET;
	for (int slice = 0; slice < 4; slice++) {
		o->exit = x86_cpu_run(cpu, BUDGET / 4);
		if (o->exit == VCPU_EXIT_RESET || o->exit == VCPU_EXIT_ERROR ||
		    o->exit == VCPU_EXIT_KICK)
			break;
	}
	o->insns = cpu->insns - insns;
	x86_cpu_get_state(cpu, &o->st);
}

static bool same_seg(const struct vcpu_segment *a, const struct vcpu_segment *b)
{
	return a->base == b->base && a->limit == b->limit && a->attr == b->attr &&
	       a->selector == b->selector;
}

/* The first difference, or NULL. */
static const char *differs(const struct outcome *a, const struct outcome *b)
{
	const struct vcpu_state *x = &a->st, *y = &b->st;

	if (a->exit != b->exit)
		return "exit";
	if (a->insns != b->insns)
		return "instruction count";
	if (memcmp(x->regs, y->regs, sizeof x->regs) || x->rip != y->rip)
		return "registers or EIP";
	if (x->rflags != y->rflags)
		return "EFLAGS";
	for (int i = 0; i < VCPU_NSEG; i++)
		if (!same_seg(&x->seg[i], &y->seg[i]))
			return "a segment";
	if (x->gdtr.base != y->gdtr.base || x->gdtr.limit != y->gdtr.limit ||
	    x->idtr.base != y->idtr.base || x->idtr.limit != y->idtr.limit)
		return "GDTR or IDTR";
	if (x->cr0 != y->cr0 || x->cr2 != y->cr2 || x->cr3 != y->cr3 || x->cr4 != y->cr4)
		return "a control register";
	if (x->dr6 != y->dr6 || x->dr7 != y->dr7 || memcmp(x->dr, y->dr, sizeof x->dr))
		return "a debug register";
	if (x->halted != y->halted || x->irq_shadow != y->irq_shadow ||
	    x->nmi_blocked != y->nmi_blocked)
		return "HLT or interrupt state";
	if (memcmp(x->fx, y->fx, sizeof x->fx))
		return "x87 state";
	if (memcmp(first_ram, m.mem.ram, RAM))
		return "RAM";
	return NULL;
}

static void show(const char *what, const struct outcome *o)
{
	const struct vcpu_state *s = &o->st;

	fprintf(stderr,
		"  %s: exit %d, %llu instructions, eax=%08llx ecx=%08llx edx=%08llx "
		"ebx=%08llx esp=%08llx ebp=%08llx esi=%08llx edi=%08llx eip=%08llx "
		"eflags=%08llx cs=%04x cr0=%08llx cr2=%08llx\n",
		what, o->exit, (unsigned long long)o->insns, (unsigned long long)s->regs[0],
		(unsigned long long)s->regs[1], (unsigned long long)s->regs[2],
		(unsigned long long)s->regs[3], (unsigned long long)s->regs[4],
		(unsigned long long)s->regs[5], (unsigned long long)s->regs[6],
		(unsigned long long)s->regs[7], (unsigned long long)s->rip,
		(unsigned long long)s->rflags, s->seg[VCPU_CS].selector, (unsigned long long)s->cr0,
		(unsigned long long)s->cr2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t thresholds[] = {1, 2, 5, 32};
	static struct outcome interp, jit;
	uint8_t opt;
	const char *diff;

	if (size < 1)
		return 0;
	opt = data[0];
	data++, size--;
	if (size > CODE_MAX)
		size = CODE_MAX;
	start(opt, data, size);
	if (cpu->jit)
		cpu->jit->threshold = UINT32_MAX;
	run(&interp);
	if (!cpu->jit)
		return 0;
	memcpy(first_ram, m.mem.ram, RAM);
	start(opt, data, size);
	cpu->jit->threshold = thresholds[opt >> 2 & 3];
	run(&jit);
	diff = differs(&interp, &jit);
	if (!diff)
		return 0;
	fprintf(stderr, "fuzz_x86: the JIT and the interpreter differ in %s\n", diff);
	show("interpreter", &interp);
	show("jit", &jit);
	for (uint32_t a = 0; a < RAM; a++)
		if (first_ram[a] != m.mem.ram[a]) {
			fprintf(stderr, "  first RAM difference at %05x: %02x, jit %02x\n", a,
				first_ram[a], m.mem.ram[a]);
			break;
		}
	abort();
}
