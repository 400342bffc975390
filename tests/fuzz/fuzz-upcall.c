/* fuzz-upcall.c: libFuzzer target for the upcall message parser and, for
 * messages it accepts, the key decoders that run on every upcall. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "ovsdp/odp.h"
#include "odp/odp-private.h"
#include "ovsdp/upcall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_upcall up;
	struct ovsdp_flow_fields f;
	GString *s;

	if (ovsdp_upcall_parse(data, size, 0, &up, NULL) < 0)
		return 0;
	ovsdp_odp_key_fields(up.key, up.key_len, &f);
	s = g_string_new(NULL);
	odp_key_format(up.key, up.key_len, NULL, 0, s, NULL);
	if (up.actions)
		odp_actions_format(up.actions, up.actions_len, s, NULL);
	g_string_free(s, TRUE);
	return 0;
}
