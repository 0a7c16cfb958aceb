/* The JSON reader: any bytes (it takes a length; NULs included). */
#include "fuzz.h"
#include "hv/cli/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct json_value *v = json_parse((const char *)data, size, "fuzz.json", err, sizeof err);
	uint64_t u;

	if (v) {
		json_get(v, "name");
		json_uint(v, &u);
		if (v->type == JSON_ARRAY && v->len)
			json_uint(&v->items[0], &u);
		json_free(v);
	}
	return 0;
}
