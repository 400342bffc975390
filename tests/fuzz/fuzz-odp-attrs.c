/* fuzz-odp-attrs.c: libFuzzer target for the netlink attribute decoders of
 * flow keys, masks and actions.  The first byte picks what the rest is. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "ovsdp/odp.h"
#include "odp/odp-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_flow_fields f;
	GString *s;
	size_t half;

	if (size < 1)
		return 0;
	s = g_string_new(NULL);
	switch (data[0] % 3) {
	case 0:
		ovsdp_odp_key_validate(data + 1, size - 1, NULL);
		ovsdp_odp_key_fields(data + 1, size - 1, &f);
		odp_key_format(data + 1, size - 1, NULL, 0, s, NULL);
		break;
	case 1:
		/* A key and a mask of the same input split in two. */
		half = (size - 1) / 2;
		odp_key_format(data + 1, half, data + 1 + half, size - 1 - half, s, NULL);
		break;
	default:
		odp_actions_format(data + 1, size - 1, s, NULL);
		break;
	}
	g_string_free(s, TRUE);
	return 0;
}
