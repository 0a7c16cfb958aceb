/* Private to the conformance runner (cputest.c, cputest_state.c): the
 * state a vector sets and compares, and the per-file context that collects
 * one test's mismatches. */
#ifndef HV_X86_CPUTEST_STATE_H
#define HV_X86_CPUTEST_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hv/cli/json.h"
#include "hv/x86/cpu_state.h"

/* RAM of the test machine: enough for code, data, stacks, descriptor
 * tables and page tables anywhere below 2 MiB. */
#define CPUTEST_RAM_BYTES (2u << 20)

/* The six segment registers, then LDTR and TR (system segments). */
#define CPUTEST_NSEGS (X86_NSEG + 2)
#define CPUTEST_LDTR  X86_NSEG
#define CPUTEST_TR    (X86_NSEG + 1)

extern const char *const cputest_reg_names[8];
extern const char *const cputest_seg_names[CPUTEST_NSEGS];

/* The architectural state a vector sets and compares. */
struct seg_state {
	uint32_t sel, base, limit, attr;
};

struct state {
	uint32_t regs[8], eip, eflags, cr[5];
	struct seg_state seg[CPUTEST_NSEGS];
	uint32_t gdtr_base, gdtr_limit, idtr_base, idtr_limit;
	int exception; /* -1: none */
	uint32_t error;
	bool has_error; /* final: "error" given */
};

struct ctx {
	const char *file; /* for messages: the base name */
	const char *path; /* for locations: as given */
	FILE *out;
	char msg[4096]; /* this test's mismatches */
	size_t used;
	bool bad;	/* the vector itself is malformed */
	uint8_t *image; /* RAM as the test expects it afterwards */
};

/* Appends one mismatch (or a location and what was expected) to c->msg. */
void cputest_note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A malformed vector: notes v's location and what was expected there. */
void cputest_bad(struct ctx *c, const struct json_value *v, const char *what);
/* A 32-bit number (an integer or a "0x..." string) into *out, or cputest_bad. */
bool cputest_get_u32(struct ctx *c, const struct json_value *v, uint32_t *out);

/* Overlays the fields of state object v on *s ("exception" and "error" only
 * if final); a malformed field is noted and sets c->bad. */
void cputest_read_state(struct ctx *c, const struct json_value *v, struct state *s, bool final);
/* Writes the "mem" object of state object st into ram. */
void cputest_read_mem(struct ctx *c, const struct json_value *st, uint8_t *ram);
/* Segment defaults for the mode that s->cr[0] and s->eflags select. */
void cputest_default_segs(struct state *s);

/* Resets cpu and loads s into it (CPL from CS, V86 or real mode). */
void cputest_load_cpu(struct x86_cpu *cpu, const struct state *s);
/* Reads the comparable state back. */
void cputest_save_cpu(struct x86_cpu *cpu, struct state *s);

#endif
