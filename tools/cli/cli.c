/* cli.c: what every ovsdp subcommand uses, below all of them: option
 * parsing with the shared --json flag, error messages, and choosing a
 * subcommand from a table (ovsdp.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ovsdp/ovsdp.h"
#include "ovsdp.h"

bool
tool_parse(int *argc, char ***argv, const char *params, const char *summary,
	   const GOptionEntry *entries, bool *json)
{
	/* GOption writes a gboolean (an int), never into a bool. */
	gboolean want_json = FALSE;
	GOptionEntry common[] = {
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &want_json, "Print JSON for scripts", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(params);
	g_autoptr(GError) err = NULL;

	g_option_context_set_summary(ctx, summary);
	if (json)
		g_option_context_add_main_entries(ctx, common, NULL);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		fprintf(stderr, "ovsdp: %s (see --help)\n", err->message);
		return false;
	}
	if (json)
		*json = want_json;
	return true;
}

/* "ovsdp: <message>" on stderr. */
static void say(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

static void
say(const char *fmt, va_list ap)
{
	fputs("ovsdp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

bool
tool_args(int *argc, char ***argv, const char *params, const char *summary,
	  const GOptionEntry *entries, bool *json, int min, int max, const char *fmt, ...)
{
	va_list ap;

	if (!tool_parse(argc, argv, params, summary, entries, json))
		return false;
	if (*argc >= min && (max < 0 || *argc <= max))
		return true;
	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	return false;
}

int
tool_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	return OVSDP_EXIT_FAIL;
}

int
tool_fail_error(GError *error)
{
	int r = tool_fail("%s", error ? error->message : "unknown error");

	g_clear_error(&error);
	return r;
}

static void
usage(FILE *f, const char *group, const struct ovsdp_cmd *cmds)
{
	fprintf(f, "Usage: ovsdp %s%sCOMMAND [OPTIONS] [ARGS]\n\nCommands:\n",
		group ? group : "", group ? " " : "");
	for (const struct ovsdp_cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'ovsdp %s%sCOMMAND --help' for a command's options.\n",
		group ? group : "", group ? " " : "");
}

int
tool_dispatch(const char *group, const struct ovsdp_cmd *cmds, int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr, group, cmds);
		return OVSDP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout, group, cmds);
		return 0;
	}
	if (!group && !strcmp(argv[1], "--version")) {
		printf("ovsdp %s\n", OVSDP_VERSION);
		return 0;
	}
	for (const struct ovsdp_cmd *c = cmds; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		/* So that a subcommand's --help says "ovsdp dp add", not "add". */
		if (group) {
			g_autofree char *prg = g_strdup_printf("ovsdp %s %s", group, c->name);

			g_set_prgname(prg);
		}
		if (!c->run)
			return tool_dispatch(c->name, c->sub, argc - 1, argv + 1);
		return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "ovsdp: unknown command '%s%s%s' (see 'ovsdp %s%s--help')\n",
		group ? group : "", group ? " " : "", argv[1],
		group ? group : "", group ? " " : "");
	return OVSDP_EXIT_USAGE;
}

int
tool_open_dp(const char *name, struct ovsdp_dp **dp)
{
	GError *err = NULL;

	if (ovsdp_dp_open(name, dp, &err) < 0)
		return tool_fail_error(err);
	return 0;
}
