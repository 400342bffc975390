/* fuzz-odp-text.c: libFuzzer target for the ovs-dpctl text parsers of flow
 * keys, masks and actions; what parses is printed back, so the printers run
 * on every attribute the parsers can produce. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ovsdp/odp.h"
#include "odp/odp-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	char *text;
	GString *s;

	if (size < 1)
		return 0;
	text = g_strndup((const char *)data + 1, size - 1);
	s = g_string_new(NULL);
	if (data[0] & 1) {
		if (ovsdp_odp_actions_from_string(text, &acts, NULL) == 0)
			odp_actions_format(acts.data, acts.len, s, NULL);
	} else {
		if (ovsdp_odp_key_from_string(text, &key, &mask, NULL) == 0)
			odp_key_format(key.data, key.len, mask.data, mask.len, s, NULL);
	}
	g_string_free(s, TRUE);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&acts);
	g_free(text);
	return 0;
}
