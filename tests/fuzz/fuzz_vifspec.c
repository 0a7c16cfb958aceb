/* xl's network specification parser (vif = [...]): any text; what parses
 * must write back to a spec that parses to the same. */
#include <string.h>

#include "fuzz.h"
#include "hv/config/vifspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vif_config v, again;
	char msg[512], spec[VIF_SPEC_MAX];
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	if (vifspec_parse(text, &v, msg, sizeof msg) == 0) {
		vifspec_format(&v, spec, sizeof spec);
		if (vifspec_parse(spec, &again, msg, sizeof msg) != 0 ||
		    memcmp(&v, &again, sizeof v) != 0)
			__builtin_trap();
	}
	free(text);
	return 0;
}
