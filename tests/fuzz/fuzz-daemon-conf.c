/* fuzz-daemon-conf.c: libFuzzer target for ovsdpd.conf's reader: the strict
 * reader (core/ini/ini.c) with the daemon's schema, then what only the daemon
 * checks (tools/common/ovsdpd-conf.c: names, lists, the policy's options).  The
 * input is the whole file, NUL bytes and invalid UTF-8 included. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a parsed configuration promises the daemon: every name usable. */
static void
check_names(char **names)
{
	for (char **n = names; n && *n; n++) {
		size_t len = strlen(*n);

		if (len == 0 || len >= 16 || strpbrk(*n, "/: \t"))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_config *c = NULL;
	GError *err = NULL;
	/* An exact-size copy: ASan sees any read past the file's end. */
	char *text = g_malloc(size ? size : 1);

	memcpy(text, data, size);
	if (daemon_config_parse_data("fuzz.conf", text, size, &c, &err) == 0) {
		if (!c || err || !c->dp_name || !c->control_socket)
			abort();
		check_names(c->ports);
		check_names(c->internal_ports);
		(void)policy_kind_str(c->policy);
		daemon_config_free(c);
	} else if (!err || !err->message || !g_str_has_prefix(err->message, "fuzz.conf")) {
		/* Every refusal names the file. */
		abort();
	}
	g_clear_error(&err);
	g_free(text);
	return 0;
}
