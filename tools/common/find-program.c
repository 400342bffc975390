/* find-program.c: finding a sibling program, in an install (same bin
 * directory) or in the build tree (tools/cli, tools/daemon, tools/bench). */
#include "config.h"

#include <glib.h>

#include "find-program.h"

static char *
executable_in(const char *dir, const char *sub, const char *name)
{
	char *p = g_build_filename(dir, sub, name, NULL);

	if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test(p, G_FILE_TEST_IS_DIR))
		return p;
	g_free(p);
	return NULL;
}

char *
tool_find_program(const char *name, const char *folder, const char *const *fallback)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
	g_autofree char *sibling = folder ? g_build_filename("..", folder, NULL) : NULL;
	char *p = NULL;

	if (dir)
		p = executable_in(dir, "", name);
	if (!p && dir && sibling)
		p = executable_in(dir, sibling, name);
	if (!p)
		p = g_find_program_in_path(name);
	for (const char *const *f = fallback; !p && f && *f; f++)
		if (g_file_test(*f, G_FILE_TEST_IS_EXECUTABLE))
			p = g_strdup(*f);
	return p;
}
