/* find-program.h: where a tool finds one of the other programs it runs
 * (`ovsdp bench` runs ovsdp-bench, `ovsdp-bench ab` runs ovsdpd). */
#ifndef OVSDP_TOOLS_FIND_PROGRAM_H
#define OVSDP_TOOLS_FIND_PROGRAM_H

/* The program 'name': beside the running binary (an installed bin
 * directory), else in the build tree's tools/'folder'/, else the first on
 * PATH, else the first executable of 'fallback' (NULL-terminated, may be
 * NULL).  Returns a path (g_free) or NULL. */
char *tool_find_program(const char *name, const char *folder, const char *const *fallback);

#endif
