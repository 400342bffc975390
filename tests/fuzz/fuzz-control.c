/* fuzz-control.c: libFuzzer target for the control socket's request reader
 * (tools/common/control.c): the bytes a client sent on one connection, framed as
 * the daemon frames them, then split into format and words.  A request
 * that parses must format back to a line that parses to the same words. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree guint8 *bytes = g_malloc(size ? size : 1);
	g_autofree char *line = NULL, *why = NULL, *again = NULL, *line2 = NULL, *why2 = NULL;
	g_auto(GStrv) argv = NULL, argv2 = NULL;
	bool json = false, json2 = false;
	int r;

	memcpy(bytes, data, size);
	r = control_request_frame(bytes, size, &line, &why);
	if (r < 0 && (!why || line))
		abort();
	if (r <= 0)
		return 0;
	if (strlen(line) + 1 > CONTROL_REQUEST_MAX || strpbrk(line, "\r\n"))
		abort();
	if (!control_request_parse(line, &json, &argv, &why)) {
		if (!why || argv)
			abort();
		return 0;
	}
	if (!argv[0] || g_strv_length(argv) + 1 > CONTROL_ARGS_MAX)
		abort();
	/* The client's formatter accepts what the server parsed, and the
	 * server reads it back the same. */
	again = control_request_format(json, (const char *const *)argv);
	if (!again)
		abort();
	if (control_request_frame((const guint8 *)again, strlen(again), &line2, &why2) != 1)
		abort();
	if (!control_request_parse(line2, &json2, &argv2, &why2) || json2 != json ||
	    !g_strv_equal((const char *const *)argv, (const char *const *)argv2))
		abort();
	return 0;
}
