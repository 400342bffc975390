/* bench-cli.c: `ovsdp bench ARGS...` runs ovsdp-bench with the same
 * arguments, so the benchmark is reachable from the one CLI too.  The
 * harness stays a program of its own (it needs root, threads and a private
 * network namespace, none of which the other subcommands want). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ovsdp.h"

/* ovsdp-bench beside this binary (build tree, or the same bin directory),
 * else the first one on PATH. */
static char *
find_bench(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
	char *p;

	if (dir) {
		p = g_build_filename(dir, "ovsdp-bench", NULL);
		if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
			return p;
		g_free(p);
	}
	return g_find_program_in_path("ovsdp-bench");
}

int
cmd_bench(int argc, char **argv)
{
	g_autofree char *bench = find_bench();

	if (!bench)
		return tool_fail("bench: ovsdp-bench not found beside ovsdp or on PATH");
	argv[0] = bench;
	execv(bench, argv);
	return tool_fail("bench: cannot run %s: %s", bench, g_strerror(errno));
}
