/* Instruction-level conformance tests of the software CPU: a vector file
 * (JSON, see docs/cpu-test.md) holds tests, each an initial machine state,
 * one instruction's bytes in memory, and the expected final state. The
 * runner loads the state into a fresh CPU and RAM, executes exactly one
 * instruction (a fault is reported, not delivered) and compares every
 * register, segment cache, control register and memory byte. */
#ifndef HV_X86_CPUTEST_H
#define HV_X86_CPUTEST_H

#include <stdbool.h>
#include <stdio.h>

/* Totals over the files run so far. */
struct cputest_totals {
	unsigned passed;
	unsigned failed;
};

/* Runs every test of the vector file at `path`: prints one line per
 * failing test to `out` ("FILE#N \"NAME\": FIELD expected X got Y, ...")
 * and, if verbose, one per passing test; adds to *t. Returns 0, or -1 when
 * the file cannot be read or is not a vector file (message printed to
 * `out`, the file counted as one failure). */
int cputest_run_file(const char *path, bool verbose, FILE *out, struct cputest_totals *t);

#endif
