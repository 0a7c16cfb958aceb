/* struct vcpu_state as key=value text; see regs.h. */
#include "hv/core/regs_text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					  "r8",	 "r9",	"r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const seg_names[VCPU_NSEG] = {"es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr"};
/* The first key of each line of `hv regs`. */
static const char *const groups[] = {"rax", "rsp", "r8", "r12",	 "rip", "es",	"cs",  "ss",
				     "ds",  "fs",  "gs", "ldtr", "tr",	"gdtr", "cr0", "efer"};

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->used < o->len ? o->len - o->used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
	if (o->used >= o->len && o->len > 0)
		o->used = o->len - 1; /* truncated */
}

size_t regs_format(const struct vcpu_state *st, char *buf, size_t len)
{
	struct out o = {buf, len, 0};

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < 16; i++)
		put(&o, " %s=0x%" PRIx64, gpr_names[i], st->regs[i]);
	put(&o, " rip=0x%" PRIx64 " rflags=0x%" PRIx64, st->rip, st->rflags);
	/* a segment: selector,base,limit,attributes */
	for (int i = 0; i < VCPU_NSEG; i++) {
		const struct vcpu_segment *g = &st->seg[i];
		put(&o, " %s=0x%x,0x%" PRIx64 ",0x%x,0x%x", seg_names[i], g->selector, g->base,
		    g->limit, g->attr);
	}
	put(&o, " gdtr=0x%" PRIx64 ",0x%x idtr=0x%" PRIx64 ",0x%x", st->gdtr.base, st->gdtr.limit,
	    st->idtr.base, st->idtr.limit);
	put(&o,
	    " cr0=0x%" PRIx64 " cr2=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64
	    " cr8=0x%" PRIx64,
	    st->cr0, st->cr2, st->cr3, st->cr4, st->cr8);
	put(&o, " efer=0x%" PRIx64 " dr6=0x%" PRIx64 " dr7=0x%" PRIx64 " halted=%d", st->efer,
	    st->dr6, st->dr7, st->halted);
	return o.used;
}

int regs_group_start(const char *key)
{
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (strcmp(key, groups[i]) == 0)
			return 1;
	return 0;
}
