/* xl's disk specification parser: any text. */
#include "fuzz.h"
#include "hv/config/diskspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk_config d;
	char msg[PATH_MAX + 128];
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	if (diskspec_parse(text, &d, msg, sizeof msg) == 0)
		diskspec_vdev_name(d.vdev);
	free(text);
	return 0;
}
