#include "unit.h"

#include <stdlib.h>

#include "hv/core/log.h"

int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	log_set_level(LOG_ERROR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static TCase *fixed_case(const char *name, void (*setup)(void), void (*teardown)(void))
{
	TCase *tc = tcase_create(name);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	return tc;
}

Suite *unit_suite(const char *name, const char *case_name, void (*setup)(void),
		  void (*teardown)(void), const TTest *const *tests, size_t n, const TTest *fuzz,
		  int loops)
{
	Suite *s = suite_create(name);
	TCase *tc = fixed_case(case_name, setup, teardown);

	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	if (fuzz) {
		tc = fixed_case("fuzz", setup, teardown);
		tcase_add_loop_test(tc, fuzz, 0, loops);
		suite_add_tcase(s, tc);
	}
	return s;
}

static uint32_t rand_state;

void unit_seed(uint32_t seed)
{
	rand_state = seed;
}

uint32_t unit_rand(void)
{
	rand_state = rand_state * 1103515245u + 12345u;
	return rand_state >> 8;
}
