/* cmd-dp.c: `ovsdp dp add|del|show|list`: kernel datapaths, printed the way
 * `ovs-dpctl show` prints them (plus the user features), or as JSON. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovsdp/ovsdp.h"
#include "json.h"
#include "ovsdp.h"

static const struct {
	uint32_t bit;
	const char *name;
} feature_names[] = {
	{ OVSDP_DP_F_UNALIGNED, "unaligned" },
	{ OVSDP_DP_F_VPORT_PIDS, "vport-pids" },
	{ OVSDP_DP_F_TC_RECIRC_SHARING, "tc-recirc-sharing" },
	{ OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, "per-cpu" },
};

/* "unaligned,vport-pids" (unknown bits as 0x...); "none" when empty. */
static char *
features_str(uint32_t f)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(feature_names); i++) {
		if (f & feature_names[i].bit) {
			g_string_append_printf(s, "%s%s", s->len ? "," : "", feature_names[i].name);
			f &= ~feature_names[i].bit;
		}
	}
	if (f)
		g_string_append_printf(s, "%s0x%x", s->len ? "," : "", f);
	if (!s->len)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

static bool
parse_features(const char *text, uint32_t *out)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);

	*out = 0;
	for (char **p = parts; *p; p++) {
		bool found = false;

		if (!**p || !strcmp(*p, "none"))
			continue;
		for (size_t i = 0; i < G_N_ELEMENTS(feature_names); i++) {
			if (!strcmp(*p, feature_names[i].name)) {
				*out |= feature_names[i].bit;
				found = true;
			}
		}
		if (!found) {
			tool_fail("unknown user feature '%s' (known: unaligned, vport-pids, "
				  "tc-recirc-sharing, per-cpu)", *p);
			return false;
		}
	}
	return true;
}

/* The "(type: options)" suffix ovs-dpctl shows; NULL for a plain netdev.
 * Like OVS, a tunnel's port is shown only when it is not the IANA one. */
char *
port_suffix(const struct ovsdp_vport_info *p)
{
	bool show_port = p->has_dst_port &&
			 !((p->type == OVSDP_VPORT_TYPE_VXLAN && p->dst_port == 4789) ||
			   (p->type == OVSDP_VPORT_TYPE_GENEVE && p->dst_port == 6081));

	if (p->type == OVSDP_VPORT_TYPE_NETDEV)
		return NULL;
	if (show_port)
		return g_strdup_printf("%s: dst_port=%u", ovsdp_vport_type_str(p->type), p->dst_port);
	return g_strdup(ovsdp_vport_type_str(p->type));
}

void
print_vport_stats(const struct ovsdp_vport_info *p)
{
	printf("    RX packets:%" G_GUINT64_FORMAT " errors:%" G_GUINT64_FORMAT
	       " dropped:%" G_GUINT64_FORMAT "\n", p->stats.rx_packets, p->stats.rx_errors,
	       p->stats.rx_dropped);
	printf("    TX packets:%" G_GUINT64_FORMAT " errors:%" G_GUINT64_FORMAT
	       " dropped:%" G_GUINT64_FORMAT "\n", p->stats.tx_packets, p->stats.tx_errors,
	       p->stats.tx_dropped);
	printf("    RX bytes:%" G_GUINT64_FORMAT "  TX bytes:%" G_GUINT64_FORMAT "\n",
	       p->stats.rx_bytes, p->stats.tx_bytes);
	if (p->has_upcall_stats)
		printf("    upcalls: success:%" G_GUINT64_FORMAT " fail:%" G_GUINT64_FORMAT "\n",
		       p->upcall_success, p->upcall_fail);
}

static void
print_dp_text(const struct ovsdp_dp_info *info, const struct ovsdp_vport_info *ports, int n,
	      bool stats)
{
	const struct ovsdp_dp_stats *s = &info->stats;
	uint64_t pkts = s->n_hit + s->n_missed;
	g_autofree char *feat = features_str(info->user_features);

	printf("system@%s:\n", info->name);
	printf("  lookups: hit:%" G_GUINT64_FORMAT " missed:%" G_GUINT64_FORMAT
	       " lost:%" G_GUINT64_FORMAT "\n", s->n_hit, s->n_missed, s->n_lost);
	printf("  flows: %" G_GUINT64_FORMAT "\n", s->n_flows);
	if (s->has_megaflow_stats) {
		printf("  masks: hit:%" G_GUINT64_FORMAT " total:%u hit/pkt:%.2f\n", s->n_mask_hit,
		       s->n_masks, pkts ? (double)s->n_mask_hit / (double)pkts : 0.0);
		/* Kernels without the mask cache report 0 hits: OVS hides the line. */
		if (s->n_cache_hit)
			printf("  cache: hit:%" G_GUINT64_FORMAT " hit-rate:%.2f%%\n", s->n_cache_hit,
			       pkts ? (double)s->n_cache_hit / (double)pkts * 100 : 0.0);
	}
	if (info->has_masks_cache_size)
		printf("  caches:\n    masks-cache: size:%u\n", info->masks_cache_size);
	printf("  user features: %s\n", feat);
	for (int i = 0; i < n; i++) {
		const struct ovsdp_vport_info *p = &ports[i];
		g_autofree char *suffix = port_suffix(p);

		printf("  port %u: %s", p->port_no, p->name);
		if (suffix)
			printf(" (%s)", suffix);
		printf("\n");
		if (!stats)
			continue;
		print_vport_stats(p);
	}
}

static void json_tunnel(struct json *j, const struct ovsdp_vport_info *p);

static const struct json_field vport_stats_json[] = {
	JSON_FIELD("rx_packets", JSON_U64, struct ovsdp_vport_stats, rx_packets),
	JSON_FIELD("tx_packets", JSON_U64, struct ovsdp_vport_stats, tx_packets),
	JSON_FIELD("rx_bytes", JSON_U64, struct ovsdp_vport_stats, rx_bytes),
	JSON_FIELD("tx_bytes", JSON_U64, struct ovsdp_vport_stats, tx_bytes),
	JSON_FIELD("rx_errors", JSON_U64, struct ovsdp_vport_stats, rx_errors),
	JSON_FIELD("tx_errors", JSON_U64, struct ovsdp_vport_stats, tx_errors),
	JSON_FIELD("rx_dropped", JSON_U64, struct ovsdp_vport_stats, rx_dropped),
	JSON_FIELD("tx_dropped", JSON_U64, struct ovsdp_vport_stats, tx_dropped),
};

void
json_vport(struct json *j, const struct ovsdp_vport_info *p)
{
	json_object_begin(j);
	json_kv_uint(j, "port_no", p->port_no);
	json_kv_string(j, "name", p->name);
	json_kv_string(j, "type", ovsdp_vport_type_str(p->type));
	json_kv_int(j, "ifindex", p->ifindex);
	if (p->has_dst_port)
		json_kv_uint(j, "dst_port", p->dst_port);
	json_kv_uint(j, "n_upcall_pids", p->n_upcall_pids);
	json_kv_uint(j, "upcall_pid", p->upcall_pid);
	json_kv_object_begin(j, "stats");
	json_kv_fields(j, &p->stats, vport_stats_json, G_N_ELEMENTS(vport_stats_json));
	json_object_end(j);
	if (p->has_upcall_stats) {
		json_kv_object_begin(j, "upcalls");
		json_kv_uint(j, "success", p->upcall_success);
		json_kv_uint(j, "fail", p->upcall_fail);
		json_object_end(j);
	}
	json_tunnel(j, p);
	json_object_end(j);
}

/* "tunnel": {...} when the port is one (rtnetlink device or legacy vport). */
static void
json_tunnel(struct json *j, const struct ovsdp_vport_info *p)
{
	struct ovsdp_tunnel_info t;

	if (ovsdp_tunnel_get(p, &t, NULL) != 1)
		return;
	json_kv_object_begin(j, "tunnel");
	json_kv_string(j, "kind", ovsdp_tunnel_kind_str(t.kind));
	json_kv_string(j, "via", ovsdp_tunnel_via_str(t.via));
	if (t.device_kind[0])
		json_kv_string(j, "device_kind", t.device_kind);
	json_kv_bool(j, "external", t.external);
	json_kv_bool(j, "ours", t.ours);
	if (t.has_dst_port)
		json_kv_uint(j, "dst_port", t.dst_port);
	if (t.kind == OVSDP_TUNNEL_VXLAN)
		json_kv_bool(j, "gbp", t.gbp);
	if (t.kind == OVSDP_TUNNEL_BAREUDP)
		json_kv_uint(j, "ethertype", t.ethertype);
	json_object_end(j);
}

static void
json_dp(struct json *j, const struct ovsdp_dp_info *info, const struct ovsdp_vport_info *ports,
	int n)
{
	const struct ovsdp_dp_stats *s = &info->stats;

	json_object_begin(j);
	json_kv_string(j, "name", info->name);
	json_kv_int(j, "ifindex", info->ifindex);
	json_kv_object_begin(j, "lookups");
	json_kv_uint(j, "hit", s->n_hit);
	json_kv_uint(j, "missed", s->n_missed);
	json_kv_uint(j, "lost", s->n_lost);
	json_object_end(j);
	json_kv_uint(j, "flows", s->n_flows);
	if (s->has_megaflow_stats) {
		json_kv_object_begin(j, "masks");
		json_kv_uint(j, "hit", s->n_mask_hit);
		json_kv_uint(j, "total", s->n_masks);
		json_kv_uint(j, "cache_hit", s->n_cache_hit);
		json_object_end(j);
	}
	if (info->has_masks_cache_size)
		json_kv_uint(j, "masks_cache_size", info->masks_cache_size);
	json_kv_array_begin(j, "user_features");
	for (size_t i = 0; i < G_N_ELEMENTS(feature_names); i++)
		if (info->user_features & feature_names[i].bit)
			json_string(j, feature_names[i].name);
	json_array_end(j);
	json_kv_array_begin(j, "ports");
	for (int i = 0; i < n; i++)
		json_vport(j, &ports[i]);
	json_array_end(j);
	json_object_end(j);
}

static int
dp_add(int argc, char **argv)
{
	g_autofree char *features = NULL;
	GOptionEntry entries[] = {
		{ "features", 'f', 0, G_OPTION_ARG_STRING, &features,
		  "User features to ask for (default unaligned,vport-pids)", "LIST" },
		G_OPTION_ENTRY_NULL
	};
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	uint32_t f = OVSDP_DP_F_DEFAULT;

	if (!tool_parse(&argc, &argv, "DP", "Create datapath DP (its local port is a netdev "
			"of the same name).", entries, NULL))
		return OVSDP_EXIT_USAGE;
	if (argc != 2)
		return tool_fail("dp add takes one datapath name (see --help)"), OVSDP_EXIT_USAGE;
	if (features && !parse_features(features, &f))
		return OVSDP_EXIT_USAGE;
	if (ovsdp_dp_create(argv[1], 0, f, &dp, &err) < 0)
		return tool_fail_error(err);
	ovsdp_dp_close(dp);
	return 0;
}

static int
dp_del(int argc, char **argv)
{
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int r;

	if (!tool_parse(&argc, &argv, "DP", "Delete datapath DP with its ports and flows.", NULL,
			NULL))
		return OVSDP_EXIT_USAGE;
	if (argc != 2)
		return tool_fail("dp del takes one datapath name (see --help)"), OVSDP_EXIT_USAGE;
	if (ovsdp_dp_open(argv[1], &dp, &err) < 0)
		return tool_fail_error(err);
	r = ovsdp_dp_del(dp, &err);
	ovsdp_dp_close(dp);
	return r < 0 ? tool_fail_error(err) : 0;
}

/* Show one datapath; returns an exit code. */
static int
show_one(const char *name, bool stats, struct json *j)
{
	struct ovsdp_vport_info *ports = NULL;
	struct ovsdp_dp_info info;
	struct ovsdp_dp *dp = NULL;
	GError *err = NULL;
	int n;

	if (ovsdp_dp_open(name, &dp, &err) < 0)
		return tool_fail_error(err);
	if (ovsdp_dp_get_info(dp, &info, &err) < 0 ||
	    (n = ovsdp_vport_list(dp, &ports, &err)) < 0) {
		ovsdp_dp_close(dp);
		return tool_fail_error(err);
	}
	if (j)
		json_dp(j, &info, ports, n);
	else
		print_dp_text(&info, ports, n, stats);
	g_free(ports);
	ovsdp_dp_close(dp);
	return 0;
}

static int
dp_show(int argc, char **argv)
{
	gboolean stats = FALSE;
	GOptionEntry entries[] = {
		{ "statistics", 's', 0, G_OPTION_ARG_NONE, &stats, "Also print port counters", NULL },
		G_OPTION_ENTRY_NULL
	};
	struct ovsdp_dp_info *all = NULL;
	struct json *j = NULL;
	GError *err = NULL;
	bool json = false;
	int rc = 0;

	if (!tool_parse(&argc, &argv, "[DP...]",
			"Show datapaths (all when none is named): lookups, flows, masks, mask cache, "
			"user features and ports, as ovs-dpctl show does.", entries, &json))
		return OVSDP_EXIT_USAGE;
	if (json) {
		j = json_new();
		json_object_begin(j);
		json_kv_array_begin(j, "datapaths");
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (show_one(argv[i], stats, j))
				rc = OVSDP_EXIT_FAIL;
	} else {
		int n = ovsdp_dp_list(&all, &err);

		if (n < 0)
			rc = tool_fail_error(err);
		for (int i = 0; i < n; i++)
			if (show_one(all[i].name, stats, j))
				rc = OVSDP_EXIT_FAIL;
		g_free(all);
	}
	if (j) {
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	}
	return rc;
}

static int
dp_list(int argc, char **argv)
{
	struct ovsdp_dp_info *all = NULL;
	GError *err = NULL;
	bool json = false;
	int n;

	if (!tool_parse(&argc, &argv, "", "List the datapaths of this network namespace, one "
			"name per line.", NULL, &json))
		return OVSDP_EXIT_USAGE;
	if (argc > 1)
		return tool_fail("dp list takes no arguments"), OVSDP_EXIT_USAGE;
	n = ovsdp_dp_list(&all, &err);
	if (n < 0)
		return tool_fail_error(err);
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		json_kv_array_begin(j, "datapaths");
		for (int i = 0; i < n; i++)
			json_string(j, all[i].name);
		json_array_end(j);
		json_object_end(j);
		json_finish(j, stdout);
	} else {
		for (int i = 0; i < n; i++)
			printf("%s\n", all[i].name);
	}
	g_free(all);
	return 0;
}

const struct ovsdp_cmd dp_cmds[] = {
	{ "add", dp_add, "create a datapath: add DP [--features LIST]", NULL },
	{ "del", dp_del, "delete a datapath: del DP", NULL },
	{ "show", dp_show, "show datapaths: show [-s] [DP...]", NULL },
	{ "list", dp_list, "list datapath names", NULL },
	{ NULL, NULL, NULL, NULL },
};
