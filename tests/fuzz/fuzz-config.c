/* fuzz-config.c: libFuzzer target for the strict plugins.conf parser. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "ovsdp/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_config *c = NULL;
	GError *err = NULL;

	if (ovsdp_config_parse("fuzz.conf", (const char *)data, (gssize)size, &c, &err) == 0) {
		ovsdp_config_mode(c);
		ovsdp_config_handlers(c);
		ovsdp_config_free(c);
	}
	g_clear_error(&err);
	return 0;
}
