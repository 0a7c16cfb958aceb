/* hv/domain/resetstorm.c: when resets become a storm. */
#include "hv/domain/resetstorm.h"
#include "unit.h"

#define SECOND 1000000000LL

START_TEST(test_a_storm_is_more_than_the_max_within_the_window)
{
	struct reset_storm s = {0};

	for (int i = 0; i < RESET_STORM_MAX; i++)
		ck_assert(!reset_storm_note(&s, 5 * SECOND + i * 1000));
	ck_assert(reset_storm_note(&s, 6 * SECOND));
}
END_TEST

START_TEST(test_resets_spread_over_windows_are_no_storm)
{
	struct reset_storm s = {0};

	/* One reset a tenth of the window apart, for a long time. */
	for (int i = 0; i < 10 * RESET_STORM_MAX; i++)
		ck_assert(!reset_storm_note(&s, (int64_t)i * RESET_STORM_WINDOW_S * SECOND / 5));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resetstorm");
	TCase *tc = tcase_create("resetstorm");

	tcase_add_test(tc, test_a_storm_is_more_than_the_max_within_the_window);
	tcase_add_test(tc, test_resets_spread_over_windows_are_no_storm);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
