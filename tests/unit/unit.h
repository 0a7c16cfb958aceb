/* Shared runner of the unit suites. */
#ifndef HV_TEST_UNIT_H
#define HV_TEST_UNIT_H

#include <check.h>
#include <stdint.h>

/* Runs the suite with guest warnings silenced (they are expected: the
 * suites program devices strangely on purpose). Returns main's status. */
int unit_run(Suite *s);

/* The fuzz tests' generator: a linear congruential sequence, so one seed
 * always replays the same traffic (seed with the loop index _i). */
void unit_seed(uint32_t seed);
uint32_t unit_rand(void);

#endif
