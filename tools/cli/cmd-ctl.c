/* cmd-ctl.c: `ovsdp ctl [--socket PATH] [--json] CMD`: talk to a running
 * ovsdpd over its control socket (control.h).  The command line is checked
 * here first, so a typo is a usage error (2) without a daemon; exit 1 means
 * the daemon refused, 3 that it could not be reached. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "ovsdp.h"

struct ctl_cmd {
	const char *words[2];   /* command, and sub-command or NULL */
	int n_args;             /* arguments after the words */
	const char *args;       /* their names, for usage */
	const char *summary;
};

static const struct ctl_cmd ctl_cmds[] = {
	{ { "status", NULL }, 0, "", "datapath, policy, dispatcher, handlers, uptime, ports" },
	{ { "dispatch", "show" }, 0, "", "the active dispatcher, its sockets and handlers" },
	{ { "dispatch", "set" }, 1, " NAME", "switch the dispatcher live (or 'auto')" },
	{ { "handlers", "set" }, 1, " N", "run N handler threads" },
	{ { "stats", NULL }, 0, "", "upcalls per dispatcher and handler, kernel hit/missed/lost" },
	{ { "reload", NULL }, 0, "", "re-read plugins.conf; switch when its choice changed" },
	{ { "flows", NULL }, 0, "", "the kernel's flows, as ovs-dpctl dump-flows prints them" },
	{ { "macs", NULL }, 0, "", "the learning policy's MAC table" },
	{ { "metrics", NULL }, 0, "", "every counter in Prometheus' text format" },
	{ { "top", NULL }, 0, "", "a live view: upcalls/s per dispatcher and handler, loss, switches" },
};

static void
ctl_usage(FILE *f)
{
	fprintf(f, "Usage: ovsdp ctl [--socket PATH] [--json] COMMAND\n\nCommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(ctl_cmds); i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];
		g_autofree char *name = g_strdup_printf("%s%s%s%s", c->words[0],
							c->words[1] ? " " : "",
							c->words[1] ? c->words[1] : "", c->args);

		fprintf(f, "  %-20s %s\n", name, c->summary);
	}
	fprintf(f, "\ntop refreshes every --interval S seconds (default 1) until q or Ctrl-C,\n"
		"or --count N times; with --json it prints one JSON object a line.\n"
		"\nThe socket defaults to " CONTROL_SOCKET_DEFAULT ".\n"
		"Exit status: 0 ok, 1 the daemon reported an error, 2 usage, 3 cannot connect.\n");
}

/* The table entry argv matches, or NULL after printing why not. */
static const struct ctl_cmd *
ctl_match(int argc, char **argv)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ctl_cmds); i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];
		int words = c->words[1] ? 2 : 1;

		if (strcmp(argv[0], c->words[0]))
			continue;
		if (c->words[1] && (argc < 2 || strcmp(argv[1], c->words[1])))
			continue;
		if (argc != words + c->n_args) {
			fprintf(stderr, "ovsdp: ctl %s%s%s takes %s%s (see 'ovsdp ctl --help')\n",
				c->words[0], c->words[1] ? " " : "", c->words[1] ? c->words[1] : "",
				c->n_args ? "one argument:" : "no arguments", c->args);
			return NULL;
		}
		return c;
	}
	fprintf(stderr, "ovsdp: unknown ctl command '%s%s%s' (see 'ovsdp ctl --help')\n", argv[0],
		argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	return NULL;
}

int
cmd_ctl(int argc, char **argv)
{
	g_autofree char *socket_path = NULL;
	g_autofree char *body = NULL;
	g_autoptr(GError) err = NULL;
	/* tool_parse() hands the bool to GOption, which stores a gboolean
	 * (4 bytes) through it: give it room. */
	union {
		bool b;
		gboolean g;
	} json_opt = { .g = FALSE };
	bool json, ok = false;
	double interval = NAN;   /* unset */
	gint count = -1;
	GOptionEntry entries[] = {
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &socket_path,
		  "ovsdpd's control socket (default " CONTROL_SOCKET_DEFAULT ")", "PATH" },
		{ "interval", 'i', 0, G_OPTION_ARG_DOUBLE, &interval,
		  "top: seconds between readings (default 1)", "S" },
		{ "count", 'n', 0, G_OPTION_ARG_INT, &count,
		  "top: stop after N readings (default: until q or Ctrl-C)", "N" },
		G_OPTION_ENTRY_NULL
	};

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    (i == 1 && !strcmp(argv[i], "help"))) {
			ctl_usage(stdout);
			return 0;
		}
	}
	if (!tool_parse(&argc, &argv, "COMMAND", "Control a running ovsdpd.", entries, &json_opt.b))
		return OVSDP_EXIT_USAGE;
	json = json_opt.g != FALSE;
	if (argc < 2) {
		ctl_usage(stderr);
		return OVSDP_EXIT_USAGE;
	}
	if (!ctl_match(argc - 1, argv + 1))
		return OVSDP_EXIT_USAGE;
	if (!strcmp(argv[1], "top")) {
		if (isnan(interval))
			interval = 1;
		if (!(interval >= 0.1 && interval <= 3600)) {
			fprintf(stderr, "ovsdp: --interval %g: expected seconds from 0.1 to 3600\n",
				interval);
			return OVSDP_EXIT_USAGE;
		}
		if (count == 0 || count < -1) {
			fprintf(stderr, "ovsdp: --count %d: expected a positive number\n", count);
			return OVSDP_EXIT_USAGE;
		}
		return ctl_top(socket_path ? socket_path : CONTROL_SOCKET_DEFAULT, json, interval,
			       count);
	}
	if (!isnan(interval) || count != -1) {
		fprintf(stderr, "ovsdp: --interval and --count are options of 'ctl top' only\n");
		return OVSDP_EXIT_USAGE;
	}
	if (control_call(socket_path ? socket_path : CONTROL_SOCKET_DEFAULT, json,
			 (const char *const *)argv + 1, CONTROL_CLIENT_TIMEOUT_MS, &ok, &body,
			 &err) < 0) {
		fprintf(stderr, "ovsdp: %s\n", err->message);
		if (err->code == EINVAL || err->code == E2BIG)
			return OVSDP_EXIT_USAGE;     /* a command that cannot be sent */
		return err->code == EPROTO || err->code == ETIMEDOUT ? OVSDP_EXIT_FAIL
								     : CONTROL_EXIT_CONNECT;
	}
	if (ok || json) {
		fputs(body, stdout);
	} else {
		fputs("ovsdp: ", stderr);
		fputs(body, stderr);
	}
	return ok ? 0 : OVSDP_EXIT_FAIL;
}
