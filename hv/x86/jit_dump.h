/* HV_JIT_DUMP=DIR (a developer tool): the host code of each translation
 * written to DIR/GPA.hot and DIR/GPA.cold (its hot and cold bytes, GPA in
 * hex), for `objdump -b binary -m i386:x86-64 -D`. A later translation
 * at the same address overwrites the files. Needs HV_SANDBOX=0 (the
 * sandbox refuses the opens). Only hv/x86/ includes it. */
#ifndef HV_X86_JIT_DUMP_H
#define HV_X86_JIT_DUMP_H

#include <stddef.h>
#include <stdint.h>

/* A copy of HV_JIT_DUMP's directory, read once as the JIT starts (as
 * its perf map's variable is), or NULL when unset or empty. */
char *x86_jit_dump_from_env(void);
/* Writes one translation's bytes into dir. */
void x86_jit_dump(const char *dir, uint64_t gpa, const void *hot, size_t hot_len, const void *cold,
		  size_t cold_len);

#endif
