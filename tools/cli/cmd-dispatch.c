/* cmd-dispatch.c: `ovsdp dispatch show|set NAME [--socket PATH] [--json]`:
 * the running ovsdpd's dispatcher, its sockets and handlers, or a live
 * switch.  The same requests as `ovsdp ctl dispatch ...`, handed to
 * cmd_ctl() so that both spellings share one client and one exit status. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "control.h"
#include "ovsdp.h"

static void
dispatch_usage(FILE *f)
{
	fprintf(f, "Usage: ovsdp dispatch [--socket PATH] [--json] COMMAND\n\nCommands:\n"
		"  show                 the active dispatcher, its sockets and handlers,\n"
		"                       and the dispatchers available\n"
		"  set NAME             switch the dispatcher live (a plugin name, or 'auto')\n"
		"\nAsks a running ovsdpd over its control socket (default "
		CONTROL_SOCKET_DEFAULT "),\nas 'ovsdp ctl dispatch ...' does.  "
		"Without a daemon, 'ovsdp probe' shows\nwhat 'auto' would pick.\n"
		"Exit status: 0 ok, 1 the daemon reported an error, 2 usage, 3 cannot connect.\n");
}

/* The words of argv that are not options or an option's value, so that
 * the command can be checked before it goes to the daemon. */
static GPtrArray *
positionals(int argc, char **argv)
{
	GPtrArray *words = g_ptr_array_new();
	bool rest = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (rest || a[0] != '-' || !a[1]) {
			g_ptr_array_add(words, argv[i]);
		} else if (!strcmp(a, "--")) {
			rest = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
			i++;    /* its value */
		}
	}
	return words;
}

int
cmd_dispatch(int argc, char **argv)
{
	g_autoptr(GPtrArray) words = NULL;
	g_autofree char **ctl_argv = NULL;
	const char *sub;
	int want;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    (i == 1 && !strcmp(argv[i], "help"))) {
			dispatch_usage(stdout);
			return 0;
		}
	}
	words = positionals(argc, argv);
	if (words->len == 0) {
		dispatch_usage(stderr);
		return OVSDP_EXIT_USAGE;
	}
	sub = g_ptr_array_index(words, 0);
	if (!strcmp(sub, "show")) {
		want = 1;
	} else if (!strcmp(sub, "set")) {
		want = 2;
	} else {
		fprintf(stderr, "ovsdp: unknown dispatch command '%s' (see 'ovsdp dispatch --help')\n",
			sub);
		return OVSDP_EXIT_USAGE;
	}
	if ((int)words->len != want) {
		fprintf(stderr, "ovsdp: dispatch %s takes %s (see 'ovsdp dispatch --help')\n", sub,
			want == 1 ? "no arguments" : "one argument: NAME");
		return OVSDP_EXIT_USAGE;
	}
	/* "ctl dispatch ARGS...": cmd_ctl parses the options wherever they are. */
	ctl_argv = g_new0(char *, argc + 2);
	ctl_argv[0] = (char *)"ctl";
	ctl_argv[1] = (char *)"dispatch";
	for (int i = 1; i < argc; i++)
		ctl_argv[i + 1] = argv[i];
	return cmd_ctl(argc + 1, ctl_argv);
}
