/* Shared runner of the unit suites. */
#ifndef HV_TEST_UNIT_H
#define HV_TEST_UNIT_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Runs the suite with guest warnings silenced (they are expected: the
 * suites program devices strangely on purpose). Returns main's status. */
int unit_run(Suite *s);

/* The usual shape of a suite, from a table: one case `case_name` of the
 * tests in tests[0..n) with setup and teardown (either may be NULL) as a
 * checked fixture, and, when fuzz is not NULL, a case "fuzz" running it
 * with _i from 0 to loops - 1 under the same fixture. */
Suite *unit_suite(const char *name, const char *case_name, void (*setup)(void),
		  void (*teardown)(void), const TTest *const *tests, size_t n, const TTest *fuzz,
		  int loops);
#define UNIT_COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* The fuzz tests' generator: a linear congruential sequence, so one seed
 * always replays the same traffic (seed with the loop index _i). */
void unit_seed(uint32_t seed);
uint32_t unit_rand(void);

#endif
