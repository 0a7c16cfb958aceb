/* Shared runner of the unit suites. */
#ifndef HV_TEST_UNIT_H
#define HV_TEST_UNIT_H

#include <check.h>

/* Runs the suite with guest warnings silenced (they are expected: the
 * suites program devices strangely on purpose). Returns main's status. */
int unit_run(Suite *s);

#endif
