/* bench-cli.c: `ovsdp bench ARGS...` runs ovsdp-bench with the same
 * arguments, so the benchmark is reachable from the one CLI too.  The
 * harness stays a program of its own (it needs root, threads and a private
 * network namespace, none of which the other subcommands want). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "find-program.h"
#include "ovsdp.h"

int
cmd_bench(int argc, char **argv)
{
	g_autofree char *bench = tool_find_program("ovsdp-bench", "bench", NULL);

	if (!bench)
		return tool_fail("bench: ovsdp-bench not found beside ovsdp or on PATH");
	argv[0] = bench;
	execv(bench, argv);
	return tool_fail("bench: cannot run %s: %s", bench, g_strerror(errno));
}
