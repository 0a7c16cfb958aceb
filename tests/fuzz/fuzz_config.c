/* The config parser: any text, as a file's contents. */
#include "fuzz.h"
#include "hv/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct domain_config cfg;
	char err[1024];
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	config_defaults(&cfg);
	if (config_parse(text, "/fuzz/dir/fuzz.cfg", &cfg, err, sizeof err) == 0)
		config_validate(&cfg, err, sizeof err);
	/* The same text as a command-line override. */
	config_override(&cfg, text, err, sizeof err);
	free(text);
	return 0;
}
