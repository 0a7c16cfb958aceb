/* A snapshot's record (hv/core/snapmeta.h), read back from a file any
 * local user may have edited: any bytes. A record that parses writes back
 * to text that parses to the same record. */
#include <stdio.h>

#include "fuzz.h"
#include "hv/core/snapmeta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snapmeta m, again;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	if (snapmeta_parse((const char *)data, size, &m, err, sizeof err) < 0)
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return 0;
	if (snapmeta_write(&m, f) < 0)
		abort();
	fclose(f);
	if (snapmeta_parse(text, len, &again, err, sizeof err) < 0 ||
	    memcmp(&m, &again, sizeof m) != 0)
		abort();
	free(text);
	return 0;
}
