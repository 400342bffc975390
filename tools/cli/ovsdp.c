/* ovsdp.c: the ovsdp command line tool: one binary with subcommands in the
 * manner of ip(8), each implemented in its own cmd-*.c file; this file only
 * lists them (the dispatch and option handling are in cli.c). */
#include "config.h"

#include "ovsdp.h"

static const struct ovsdp_cmd top_cmds[] = {
	{ "probe", cmd_probe, "show what the kernel datapath supports and which dispatcher 'auto' picks" },
	{ "config", cmd_config, "check plugins.conf ('config check [FILE]')" },
	{ "dp", cmd_dp, "kernel datapaths: add, del, show, list" },
	{ "port", cmd_port, "datapath ports: add, del, show" },
	{ "flow", cmd_flow, "datapath flows: add, mod, del, get, dump, flush" },
	{ "meter", cmd_meter, "datapath meters: features, set, get, del" },
	{ "ct-limit", cmd_ct_limit, "conntrack zone limits: set, get, del" },
	{ "ct", cmd_ct, "tracked connections: dump, flush" },
	{ "ctl", cmd_ctl, "control a running ovsdpd: status, dispatch, handlers, stats, reload, flows, macs" },
	{ "dispatch", cmd_dispatch, "a running ovsdpd's dispatcher: show (mode, sockets, handlers), set NAME" },
	{ "bench", cmd_bench, "benchmark dispatchers beside ovs-vswitchd, or A/B-test a live ovsdpd (runs ovsdp-bench)" },
	{ NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
	return tool_dispatch(NULL, top_cmds, argc, argv);
}
