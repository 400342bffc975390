/* ovsdp.c: the ovsdp command line tool: one binary with subcommands in the
 * manner of ip(8), each implemented in its own cmd-*.c file; this file only
 * lists them (the dispatch and option handling are in cli.c). */
#include "config.h"

#include "ovsdp.h"

static const struct ovsdp_cmd top_cmds[] = {
	{ "probe", cmd_probe, "show what the kernel datapath supports and which dispatcher 'auto' picks", NULL },
	{ "config", NULL, "check plugins.conf ('config check [FILE]')", config_cmds },
	{ "dp", NULL, "kernel datapaths: add, del, show, list", dp_cmds },
	{ "port", NULL, "datapath ports: add, del, show", port_cmds },
	{ "flow", NULL, "datapath flows: add, mod, del, get, dump, flush", flow_cmds },
	{ "meter", NULL, "datapath meters: features, set, get, del", meter_cmds },
	{ "ct-limit", NULL, "conntrack zone limits: set, get, del", ct_limit_cmds },
	{ "ct", NULL, "tracked connections: dump, flush", ct_cmds },
	{ "ctl", cmd_ctl, "control a running ovsdpd: status, dispatch, handlers, stats, reload, flows, macs", NULL },
	{ "dispatch", cmd_dispatch, "a running ovsdpd's dispatcher: show (mode, sockets, handlers), set NAME", NULL },
	{ "bench", cmd_bench, "benchmark dispatchers beside ovs-vswitchd, or A/B-test a live ovsdpd (runs ovsdp-bench)", NULL },
	{ NULL, NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
	return tool_dispatch(NULL, top_cmds, argc, argv);
}
