/* ovsdp.h: the subcommands of the ovsdp CLI, one file each (cmd-*.c), and
 * the option handling they share. */
#ifndef OVSDP_TOOLS_OVSDP_H
#define OVSDP_TOOLS_OVSDP_H

#include <stdbool.h>
#include <glib.h>

/* Exit codes: 0 success, 1 the operation failed, 2 bad usage. */
#define OVSDP_EXIT_FAIL 1
#define OVSDP_EXIT_USAGE 2

/* A command: 'run' it, or (run NULL) choose one of 'sub' by the next word. */
struct ovsdp_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const struct ovsdp_cmd *sub;
};

/* Parse argv with 'entries' plus the shared --json flag.  'params' names
 * the positional arguments for --help.  Returns false after printing the
 * error (the caller exits with OVSDP_EXIT_USAGE). */
bool tool_parse(int *argc, char ***argv, const char *params, const char *summary,
		const GOptionEntry *entries, bool *json);

/* tool_parse, then a check that argv holds from 'min' to 'max' words
 * (the subcommand's name counted; max < 0: no upper bound); else says
 * "ovsdp: <fmt...>".  Returns false after printing the error (the caller
 * exits with OVSDP_EXIT_USAGE). */
bool tool_args(int *argc, char ***argv, const char *params, const char *summary,
	       const GOptionEntry *entries, bool *json, int min, int max, const char *fmt, ...)
	G_GNUC_PRINTF(9, 10);

/* Print "ovsdp: <message>" to stderr; returns OVSDP_EXIT_FAIL. */
int tool_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Same, from a GError (freed). */
int tool_fail_error(GError *error);

/* Run a subcommand chosen from 'cmds' by argv[1]; 'group' names the
 * object for help texts ("dp", "port"...) and the program name the
 * subcommand's --help shows ("ovsdp dp add"). */
int tool_dispatch(const char *group, const struct ovsdp_cmd *cmds, int argc, char **argv);

/* Open the datapath 'name'; 0, or OVSDP_EXIT_FAIL after saying why. */
struct ovsdp_dp;
int tool_open_dp(const char *name, struct ovsdp_dp **dp);

int cmd_probe(int argc, char **argv);
extern const struct ovsdp_cmd config_cmds[];
extern const struct ovsdp_cmd dp_cmds[];
extern const struct ovsdp_cmd port_cmds[];
extern const struct ovsdp_cmd flow_cmds[];
extern const struct ovsdp_cmd meter_cmds[];
extern const struct ovsdp_cmd ct_limit_cmds[];
extern const struct ovsdp_cmd ct_cmds[];
int cmd_ctl(int argc, char **argv);
/* `ovsdp ctl top` (cmd-top.c): read the daemon at 'socket_path' every
 * 'interval' seconds, 'count' times (or until q/Ctrl-C when <= 0). */
int ctl_top(const char *socket_path, bool json, double interval, long count);
int cmd_dispatch(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Shared by cmd-dp.c and cmd-port.c: a port as JSON, the "(type:
 * options)" text ovs-dpctl shows after its name (NULL for a netdev), and
 * its counters as text. */
struct json;
struct ovsdp_vport_info;
void json_vport(struct json *j, const struct ovsdp_vport_info *p);
char *port_suffix(const struct ovsdp_vport_info *p);
/* A port's counters in ovs-dpctl's text (four-space indent). */
void print_vport_stats(const struct ovsdp_vport_info *p);

#endif
