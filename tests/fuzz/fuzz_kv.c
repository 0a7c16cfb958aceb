/* The control protocol's key=value reader, and its writer fed what the
 * reader returned: any reply line. */
#include "fuzz.h"
#include "hv/core/kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"ok", "error", "name", "state", "id", "", "a b"};
	char out[256], buf[512];
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (!kv_get(text, keys[i], out, sizeof out))
			continue;
		buf[0] = '\0';
		kv_put(buf, sizeof buf, keys[i], out);
		kv_get(buf, keys[i], out, 8); /* a short buffer on purpose */
	}
	free(text);
	return 0;
}
