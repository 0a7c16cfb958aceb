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
