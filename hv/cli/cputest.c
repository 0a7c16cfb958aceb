/* The conformance runner: JSON vector -> CPU and RAM -> one instruction ->
 * field-by-field comparison. The format is in docs/cpu-test.md. One
 * machine and one CPU serve a whole file; RAM is cleared and the CPU reset
 * before each test, so no test sees another's state. */
#include <stdlib.h>
#include <string.h>

#include "hv/core/machine.h"
#include "hv/cli/cputest.h"
#include "hv/cli/cputest_state.h"

/* Memory differences listed per test before "...". */
#define MAX_MEM_DIFFS 4

static const char *const flag_names[32] = {
    [0] = "CF",	 [2] = "PF",  [4] = "AF",  [6] = "ZF",	  [7] = "SF",	 [8] = "TF",
    [9] = "IF",	 [10] = "DF", [11] = "OF", [12] = "IOPL", [13] = "IOPL", [14] = "NT",
    [16] = "RF", [17] = "VM", [18] = "AC", [19] = "VIF",  [20] = "VIP",	 [21] = "ID"};

static void cmp(struct ctx *c, const char *what, uint32_t want, uint32_t got)
{
	if (want != got)
		cputest_note(c, "%s expected 0x%x got 0x%x", what, want, got);
}

/* Compares EFLAGS outside the undefined mask, naming the flags that differ. */
static void cmp_flags(struct ctx *c, uint32_t want, uint32_t got, uint32_t undef)
{
	uint32_t diff = (want ^ got) & ~undef;
	char names[128] = "";
	size_t n = 0;

	if (!diff)
		return;
	for (int b = 0; b < 32; b++) {
		if (!(diff & 1u << b) || (b == 13 && (diff & 1u << 12)))
			continue;
		n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? " " : "",
				      flag_names[b] ? flag_names[b] : "reserved");
	}
	cputest_note(c, "eflags expected 0x%x got 0x%x (%s)", want, got, names);
}

static void cmp_state(struct ctx *c, const struct state *w, const struct state *g, uint32_t undef)
{
	char what[32];

	if (w->exception != g->exception) {
		if (w->exception < 0)
			cputest_note(c, "exception expected none got %d (error 0x%x)", g->exception,
				     g->error);
		else if (g->exception < 0)
			cputest_note(c, "exception expected %d got none", w->exception);
		else
			cputest_note(c, "exception expected %d got %d", w->exception, g->exception);
	} else if (w->exception >= 0 && w->has_error) {
		cmp(c, "error", w->error, g->error);
	}
	for (int i = 0; i < 8; i++)
		cmp(c, cputest_reg_names[i], w->regs[i], g->regs[i]);
	cmp(c, "eip", w->eip, g->eip);
	cmp_flags(c, w->eflags | 0x2, g->eflags, undef);
	for (int i = 0; i < CPUTEST_NSEGS; i++) {
		static const char *const f[] = {"sel", "base", "limit", "attr"};
		const uint32_t *a = &w->seg[i].sel, *b = &g->seg[i].sel;
		for (int k = 0; k < 4; k++) {
			snprintf(what, sizeof what, "%s.%s", cputest_seg_names[i], f[k]);
			cmp(c, what, a[k], b[k]);
		}
	}
	for (int i = 0; i < 5; i++) {
		snprintf(what, sizeof what, "cr%d", i);
		if (i != 1)
			cmp(c, what, w->cr[i], g->cr[i]);
	}
	cmp(c, "gdtr.base", w->gdtr_base, g->gdtr_base);
	cmp(c, "gdtr.limit", w->gdtr_limit, g->gdtr_limit);
	cmp(c, "idtr.base", w->idtr_base, g->idtr_base);
	cmp(c, "idtr.limit", w->idtr_limit, g->idtr_limit);
}

static void cmp_mem(struct ctx *c, const uint8_t *ram)
{
	unsigned shown = 0;

	if (memcmp(ram, c->image, CPUTEST_RAM_BYTES) == 0)
		return;
	for (uint32_t a = 0; a < CPUTEST_RAM_BYTES; a++) {
		if (ram[a] == c->image[a])
			continue;
		if (shown++ == MAX_MEM_DIFFS) {
			cputest_note(c, "...");
			return;
		}
		cputest_note(c, "mem[0x%x] expected 0x%02x got 0x%02x", a, c->image[a], ram[a]);
	}
}

/* Runs test t: state in, one instruction, state out, comparison. */
static void run_test(struct ctx *c, struct x86_cpu *cpu, uint8_t *ram, const struct json_value *t)
{
	const struct json_value *ini = json_get(t, "initial"), *fin = json_get(t, "final");
	const struct json_value *u = json_get(t, "undefined_flags");
	struct state in = {.eflags = 0x2, .cr = {0x10}, .gdtr_limit = 0xffff, .idtr_limit = 0xffff};
	struct state want, got;
	uint32_t undef = 0;

	if (!ini || !fin) {
		cputest_bad(c, t, "a test object with \"initial\" and \"final\"");
		return;
	}
	in.exception = -1;
	cputest_read_state(c, ini, &in, false);
	if (c->bad)
		return;
	cputest_default_segs(&in);
	cputest_read_state(c, ini, &in, false);
	want = in;
	cputest_read_state(c, fin, &want, true);
	if (u)
		cputest_get_u32(c, u, &undef);
	memset(ram, 0, CPUTEST_RAM_BYTES);
	cputest_read_mem(c, ini, ram);
	memcpy(c->image, ram, CPUTEST_RAM_BYTES);
	cputest_read_mem(c, fin, c->image);
	if (c->bad)
		return;
	cputest_load_cpu(cpu, &in);
	got = (struct state){0};
	got.exception = x86_cpu_step_one(cpu, &got.error);
	cputest_save_cpu(cpu, &got);
	cmp_state(c, &want, &got, undef);
	cmp_mem(c, ram);
}

static int run_tests(struct ctx *c, const struct json_value *tests, bool verbose,
		     struct cputest_totals *t)
{
	struct machine m;
	struct x86_cpu *cpu;
	char err[256];

	if (machine_init(&m, CPUTEST_RAM_BYTES, err, sizeof err) < 0) {
		fprintf(c->out, "%s: %s\n", c->file, err);
		return -1;
	}
	cpu = x86_cpu_create(&m);
	c->image = malloc(CPUTEST_RAM_BYTES);
	if (!cpu || !c->image) {
		fprintf(c->out, "%s: out of memory\n", c->file);
		x86_cpu_destroy(cpu);
		free(c->image);
		machine_destroy(&m);
		return -1;
	}
	for (size_t i = 0; i < tests->len; i++) {
		const struct json_value *v = &tests->items[i], *n = json_get(v, "name");
		const char *name = n && n->type == JSON_STRING ? n->str : "?";

		c->used = 0;
		c->msg[0] = '\0';
		c->bad = false;
		run_test(c, cpu, m.mem.ram, v);
		if (c->used) {
			t->failed++;
			fprintf(c->out, "%s#%zu \"%s\": %s\n", c->file, i, name, c->msg);
		} else {
			t->passed++;
			if (verbose)
				fprintf(c->out, "%s#%zu \"%s\": ok\n", c->file, i, name);
		}
	}
	x86_cpu_destroy(cpu);
	free(c->image);
	machine_destroy(&m);
	return 0;
}

int cputest_run_file(const char *path, bool verbose, FILE *out, struct cputest_totals *t)
{
	struct ctx *c = calloc(1, sizeof *c);
	struct json_value *root;
	const struct json_value *tests;
	const char *slash = strrchr(path, '/');
	int rc = -1;

	if (!c) {
		fprintf(out, "%s: out of memory\n", path);
		t->failed++;
		return -1;
	}
	c->file = slash ? slash + 1 : path;
	c->path = path;
	c->out = out;
	root = json_parse_file(path, c->msg, sizeof c->msg);
	tests = json_get(root, "tests");
	if (!root)
		fprintf(out, "%s\n", c->msg);
	else if (!tests || tests->type != JSON_ARRAY)
		fprintf(out, "%s:%u:%u: expected an object with a \"tests\" array\n", path,
			root->line, root->col);
	else
		rc = run_tests(c, tests, verbose, t);
	if (rc < 0)
		t->failed++;
	json_free(root);
	free(c);
	return rc;
}
