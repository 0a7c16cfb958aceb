/* The conformance runner's side of the state: reading a vector's state
 * objects (docs/cpu-test.md) and moving a state into and out of the CPU. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hv/cli/cputest_state.h"

const char *const cputest_reg_names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
const char *const cputest_seg_names[CPUTEST_NSEGS] = {"es", "cs", "ss",	  "ds",
						      "fs", "gs", "ldtr", "tr"};

void cputest_note(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->used + 2 >= sizeof c->msg)
		return;
	if (c->used)
		c->used += (size_t)snprintf(c->msg + c->used, sizeof c->msg - c->used, ", ");
	va_start(ap, fmt);
	n = vsnprintf(c->msg + c->used, sizeof c->msg - c->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->used =
		    c->used + (size_t)n < sizeof c->msg ? c->used + (size_t)n : sizeof c->msg - 1;
}

/* A malformed vector: the location and what was expected. */
void cputest_bad(struct ctx *c, const struct json_value *v, const char *what)
{
	cputest_note(c, "%s:%u:%u: expected %s", c->path, v->line, v->col, what);
	c->bad = true;
}

bool cputest_get_u32(struct ctx *c, const struct json_value *v, uint32_t *out)
{
	uint64_t x;

	if (json_uint(v, &x) < 0 || x > UINT32_MAX) {
		cputest_bad(c, v, "an integer 0-0xffffffff (a number or a \"0x...\" string)");
		return false;
	}
	*out = (uint32_t)x;
	return true;
}

static int name_index(const char *const *names, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], key) == 0)
			return i;
	return -1;
}

static bool real_addressing(const struct state *s)
{
	return !(s->cr[0] & X86_CR0_PE) || (s->eflags & X86_VM);
}

/* A segment object {sel, base, limit, attr}; omitted fields keep *g,
 * except that a new selector in real or V86 mode implies base sel*16. */
static void read_seg(struct ctx *c, const struct json_value *v, struct seg_state *g, bool real)
{
	static const char *const fields[] = {"sel", "base", "limit", "attr"};
	uint32_t *dst[] = {&g->sel, &g->base, &g->limit, &g->attr};

	if (v->type != JSON_OBJECT) {
		cputest_bad(c, v, "a segment object {\"sel\", \"base\", \"limit\", \"attr\"}");
		return;
	}
	for (size_t i = 0; i < v->len; i++) {
		int f = name_index(fields, 4, v->keys[i]);
		if (f < 0) {
			cputest_bad(c, &v->items[i], "a segment field: sel, base, limit or attr");
			return;
		}
		if (!cputest_get_u32(c, &v->items[i], dst[f]))
			return;
	}
	if (real && json_get(v, "sel") && !json_get(v, "base"))
		g->base = g->sel << 4;
}

static void read_dtr(struct ctx *c, const struct json_value *v, uint32_t *base, uint32_t *limit)
{
	const struct json_value *b = json_get(v, "base"), *l = json_get(v, "limit");

	if (v->type != JSON_OBJECT || v->len != (size_t)(!!b + !!l)) {
		cputest_bad(c, v, "a table register object {\"base\", \"limit\"}");
		return;
	}
	if (b)
		cputest_get_u32(c, b, base);
	if (l)
		cputest_get_u32(c, l, limit);
}

/* Overlays the fields of state object v on *s. Segments are read last:
 * their defaults depend on CR0 and EFLAGS. */
void cputest_read_state(struct ctx *c, const struct json_value *v, struct state *s, bool final)
{
	if (v->type != JSON_OBJECT) {
		cputest_bad(c, v, "a state object");
		return;
	}
	for (size_t i = 0; i < v->len && !c->bad; i++) {
		const char *k = v->keys[i];
		const struct json_value *x = &v->items[i];
		int r = name_index(cputest_reg_names, 8, k);

		if (r >= 0)
			cputest_get_u32(c, x, &s->regs[r]);
		else if (strcmp(k, "eip") == 0)
			cputest_get_u32(c, x, &s->eip);
		else if (strcmp(k, "eflags") == 0)
			cputest_get_u32(c, x, &s->eflags);
		else if (strlen(k) == 3 && k[0] == 'c' && k[1] == 'r' && strchr("0234", k[2]) &&
			 k[2])
			cputest_get_u32(c, x, &s->cr[k[2] - '0']);
		else if (strcmp(k, "gdtr") == 0)
			read_dtr(c, x, &s->gdtr_base, &s->gdtr_limit);
		else if (strcmp(k, "idtr") == 0)
			read_dtr(c, x, &s->idtr_base, &s->idtr_limit);
		else if (final && strcmp(k, "exception") == 0) {
			uint32_t e;
			if (cputest_get_u32(c, x, &e))
				s->exception = (int)(e & 0xff);
		} else if (final && strcmp(k, "error") == 0) {
			s->has_error = cputest_get_u32(c, x, &s->error);
		} else if (strcmp(k, "mem") != 0 &&
			   name_index(cputest_seg_names, CPUTEST_NSEGS, k) < 0)
			cputest_bad(c, x, "a state field (see docs/cpu-test.md)");
	}
	for (int i = 0; i < CPUTEST_NSEGS && !c->bad; i++) {
		const struct json_value *x = json_get(v, cputest_seg_names[i]);
		if (x)
			read_seg(c, x, &s->seg[i], i < X86_NSEG && real_addressing(s));
	}
}

/* Writes the "mem" object {"0xADDR": "hex bytes", ...} into ram. */
void cputest_read_mem(struct ctx *c, const struct json_value *st, uint8_t *ram)
{
	const struct json_value *m = json_get(st, "mem");

	if (!m)
		return;
	if (m->type != JSON_OBJECT) {
		cputest_bad(c, m, "a memory object {\"0xADDRESS\": \"hex bytes\"}");
		return;
	}
	for (size_t i = 0; i < m->len; i++) {
		const struct json_value *b = &m->items[i];
		char *end;
		unsigned long addr = strtoul(m->keys[i], &end, 16);
		const char *p = b->type == JSON_STRING ? b->str : NULL;

		if (*end || strncmp(m->keys[i], "0x", 2) != 0 || !p) {
			cputest_bad(c, b, "a \"0xADDRESS\" key with a string of hex bytes");
			return;
		}
		while (*p) {
			unsigned byte;
			int n;
			if (*p == ' ') {
				p++;
				continue;
			}
			if (sscanf(p, "%2x%n", &byte, &n) != 1 || n != 2 ||
			    addr >= CPUTEST_RAM_BYTES) {
				cputest_bad(c, b, "hex byte pairs within the 2 MiB of RAM");
				return;
			}
			ram[addr++] = (uint8_t)byte;
			p += 2;
		}
	}
}

/* Defaults: real mode, or flat 32-bit segments in protected mode. */
void cputest_default_segs(struct state *s)
{
	bool real = real_addressing(s);

	for (int i = 0; i < X86_NSEG; i++) {
		uint32_t sel = real ? 0 : (i == X86_CS ? 0x08 : 0x10);
		s->seg[i] =
		    real ? (struct seg_state){sel, 0, 0xffff, i == X86_CS ? 0x9b : 0x93}
			 : (struct seg_state){sel, 0, 0xffffffff, i == X86_CS ? 0xc09b : 0xc093};
	}
	/* As after RESET: no LDT, no task register loaded. */
	s->seg[CPUTEST_LDTR] = (struct seg_state){0, 0, 0xffff, 0x82};
	s->seg[CPUTEST_TR] = (struct seg_state){0, 0, 0xffff, 0x8b};
}

static struct x86_seg *cpu_seg(struct x86_cpu *cpu, int i)
{
	return i == CPUTEST_LDTR ? &cpu->ldtr : i == CPUTEST_TR ? &cpu->tr : &cpu->seg[i];
}

static void load_seg(struct x86_cpu *cpu, int i, const struct seg_state *g, bool real)
{
	uint32_t raw = (g->attr & X86_SEG_GRAN) ? g->limit >> 12 : g->limit;
	uint64_t d = (raw & 0xffff) | (uint64_t)(g->base & 0xffffff) << 16 |
		     (uint64_t)(g->attr & 0xf0ff) << 40 | (uint64_t)(raw & 0xf0000) << 32 |
		     (uint64_t)(g->base & 0xff000000) << 32;
	struct x86_seg *s = cpu_seg(cpu, i);

	x86_seg_from_desc(s, (uint16_t)g->sel, d);
	if (i >= X86_NSEG)
		return;
	if (real)
		s->deny = 0;
	else if ((g->sel & ~3u) == 0 && i != X86_CS && i != X86_SS)
		s->deny = X86_DENY_READ | X86_DENY_WRITE;
	x86_seg_sync(s);
}

void cputest_load_cpu(struct x86_cpu *cpu, const struct state *s)
{
	bool real = real_addressing(s);

	x86_cpu_reset(cpu);
	memcpy(cpu->regs, s->regs, sizeof s->regs);
	cpu->eip = s->eip;
	cpu->lazy.mask = 0;
	cpu->eflags = s->eflags | 0x2;
	memcpy(cpu->cr, s->cr, sizeof cpu->cr);
	cpu->gdtr = (struct x86_dtr){s->gdtr_base, (uint16_t)s->gdtr_limit};
	cpu->idtr = (struct x86_dtr){s->idtr_base, (uint16_t)s->idtr_limit};
	for (int i = 0; i < CPUTEST_NSEGS; i++)
		load_seg(cpu, i, &s->seg[i], real);
	x86_set_cpl(cpu, !(s->cr[0] & X86_CR0_PE) ? 0 : real ? 3 : s->seg[X86_CS].sel & 3);
	x86_tlb_flush(cpu);
}

void cputest_save_cpu(struct x86_cpu *cpu, struct state *s)
{
	memcpy(s->regs, cpu->regs, sizeof s->regs);
	s->eip = cpu->eip;
	s->eflags = x86_get_eflags(cpu);
	memcpy(s->cr, cpu->cr, sizeof s->cr);
	for (int i = 0; i < CPUTEST_NSEGS; i++) {
		const struct x86_seg *g = cpu_seg(cpu, i);
		s->seg[i] = (struct seg_state){g->sel, g->base, g->floor ? g->floor - 1 : g->limit,
					       g->attr};
	}
	s->gdtr_base = cpu->gdtr.base;
	s->gdtr_limit = cpu->gdtr.limit;
	s->idtr_base = cpu->idtr.base;
	s->idtr_limit = cpu->idtr.limit;
}
