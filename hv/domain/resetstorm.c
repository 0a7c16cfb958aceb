#include "hv/domain/resetstorm.h"

bool reset_storm_note(struct reset_storm *s, int64_t now_ns)
{
	if (s->count == 0 ||
	    now_ns - s->window_start_ns > (int64_t)RESET_STORM_WINDOW_S * 1000000000) {
		s->window_start_ns = now_ns;
		s->count = 0;
	}
	s->count++;
	return s->count > RESET_STORM_MAX;
}
