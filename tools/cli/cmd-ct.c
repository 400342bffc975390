/* cmd-ct.c: `ovsdp ct dump|flush`: the connections the datapath's ct()
 * action tracks, in the text of ovs-dpctl dump-conntrack and
 * flush-conntrack, or as JSON. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ovsdp/ovsdp.h"
#include "json.h"
#include "ovsdp.h"

static char *zone_arg;

static const GOptionEntry zone_entries[] = {
	{ "zone", 'z', 0, G_OPTION_ARG_STRING, &zone_arg, "only connections of zone Z (0..65535)",
	  "Z" },
	{ NULL, 0, 0, 0, NULL, NULL, NULL },
};

/* --zone, or ovs-dpctl's zone=N as a positional argument, into *zone
 * (-1: every zone); an optional DP is checked to exist (connections
 * belong to the namespace, not to it).  False after printing the error. */
static bool
parse_args(int argc, char **argv, const char *cmd, int *zone, int *status)
{
	const char *z = zone_arg, *dp = NULL;
	guint64 v;

	*status = OVSDP_EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		if (g_str_has_prefix(argv[i], "zone="))
			z = argv[i] + 5;
		else if (!dp)
			dp = argv[i];
		else {
			tool_fail("ct %s: unexpected argument '%s' (see --help)", cmd, argv[i]);
			return false;
		}
	}
	*zone = -1;
	if (z) {
		if (!*z || !g_ascii_string_to_unsigned(z, 10, 0, 65535, &v, NULL)) {
			tool_fail("ct %s: zone '%s' is not a number in 0..65535", cmd, z);
			return false;
		}
		*zone = (int)v;
	}
	if (dp) {
		struct ovsdp_dp *d = NULL;
		GError *err = NULL;

		if (ovsdp_dp_open(dp, &d, &err) < 0) {
			*status = tool_fail_error(err);
			return false;
		}
		ovsdp_dp_close(d);
	}
	return true;
}

static void
json_tuple(struct json *j, const char *key, uint8_t proto, const struct ovsdp_ct_tuple *t)
{
	char a[INET6_ADDRSTRLEN];

	json_kv_object_begin(j, key);
	json_kv_string(j, "src", inet_ntop(t->family, t->src, a, sizeof a) ? a : "?");
	json_kv_string(j, "dst", inet_ntop(t->family, t->dst, a, sizeof a) ? a : "?");
	if (proto == 1 || proto == 58) {
		json_kv_uint(j, "id", t->icmp_ident);
		json_kv_uint(j, "type", t->icmp_type);
		json_kv_uint(j, "code", t->icmp_code);
	} else {
		json_kv_uint(j, "sport", t->sport);
		json_kv_uint(j, "dport", t->dport);
	}
	json_object_end(j);
}

/* An entry's members in the order the JSON has them, around "labels"
 * and "tcp_state". */
static const struct json_field entry_ids_json[] = {
	JSON_FIELD("zone", JSON_U16, struct ovsdp_ct_entry, zone),
	JSON_FIELD("mark", JSON_U32, struct ovsdp_ct_entry, mark),
};
static const struct json_field entry_state_json[] = {
	JSON_FIELD("id", JSON_U32, struct ovsdp_ct_entry, id),
	JSON_FIELD("status", JSON_U32, struct ovsdp_ct_entry, status),
	JSON_FIELD("timeout", JSON_U32, struct ovsdp_ct_entry, timeout),
};
static const struct json_field entry_counters_json[] = {
	JSON_FIELD("packets_orig", JSON_U64, struct ovsdp_ct_entry, packets_orig),
	JSON_FIELD("bytes_orig", JSON_U64, struct ovsdp_ct_entry, bytes_orig),
	JSON_FIELD("packets_reply", JSON_U64, struct ovsdp_ct_entry, packets_reply),
	JSON_FIELD("bytes_reply", JSON_U64, struct ovsdp_ct_entry, bytes_reply),
};

static void
json_entry(struct json *j, const struct ovsdp_ct_entry *e)
{
	g_autoptr(GString) line = g_string_new(NULL);
	char labels[33];

	for (int i = 0; i < 16; i++)
		snprintf(labels + 2 * i, 3, "%02x", e->labels[i]);
	ovsdp_ct_entry_format(e, line);
	json_object_begin(j);
	json_kv_string(j, "text", line->str);
	json_kv_uint(j, "ip_proto", e->ip_proto);
	json_kv_string(j, "family", e->orig.family == AF_INET6 ? "ipv6" : "ipv4");
	json_tuple(j, "orig", e->ip_proto, &e->orig);
	json_tuple(j, "reply", e->ip_proto, &e->reply);
	json_kv_fields(j, e, entry_ids_json, G_N_ELEMENTS(entry_ids_json));
	json_kv_string(j, "labels", labels);
	json_kv_fields(j, e, entry_state_json, G_N_ELEMENTS(entry_state_json));
	if (e->has_tcp_state)
		json_kv_string(j, "tcp_state", ovsdp_ct_tcp_state_name(e->tcp_state));
	json_kv_fields(j, e, entry_counters_json, G_N_ELEMENTS(entry_counters_json));
	json_object_end(j);
}

static int
ct_dump(int argc, char **argv)
{
	struct ovsdp_ct_entry *e = NULL;
	GError *err = NULL;
	bool json = false;
	int zone, n, status;

	if (!tool_parse(&argc, &argv, "[DP] [--zone Z | zone=Z]",
			"Show the tracked connections (of one zone), as ovs-dpctl dump-conntrack "
			"does.  They belong to the network namespace: DP, if given, must exist.",
			zone_entries, &json))
		return OVSDP_EXIT_USAGE;
	if (!parse_args(argc, argv, "dump", &zone, &status))
		return status;
	n = ovsdp_ct_dump(zone, &e, &err);
	if (n < 0)
		return tool_fail_error(err);
	if (json) {
		struct json *j = json_new();

		json_array_begin(j);
		for (int i = 0; i < n; i++)
			json_entry(j, &e[i]);
		json_array_end(j);
		json_finish(j, stdout);
	} else {
		g_autoptr(GString) line = g_string_new(NULL);

		for (int i = 0; i < n; i++) {
			g_string_truncate(line, 0);
			ovsdp_ct_entry_format(&e[i], line);
			printf("%s\n", line->str);
		}
	}
	g_free(e);
	return 0;
}

static int
ct_flush(int argc, char **argv)
{
	GError *err = NULL;
	int zone, r, status;

	if (!tool_parse(&argc, &argv, "[DP] [--zone Z | zone=Z]",
			"Delete the tracked connections (of one zone), as ovs-dpctl "
			"flush-conntrack does.", zone_entries, NULL))
		return OVSDP_EXIT_USAGE;
	if (!parse_args(argc, argv, "flush", &zone, &status))
		return status;
	r = ovsdp_ct_flush(zone, &err);
	return r < 0 ? tool_fail_error(err) : 0;
}

const struct ovsdp_cmd ct_cmds[] = {
	{ "dump", ct_dump, "show tracked connections: dump [DP] [--zone Z]", NULL },
	{ "flush", ct_flush, "delete tracked connections: flush [DP] [--zone Z]", NULL },
	{ NULL, NULL, NULL, NULL },
};
