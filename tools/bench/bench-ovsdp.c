/* bench-ovsdp.c: our side of ovsdp-bench: one datapath with every port,
 * served in turn by each dispatcher under test through the handler runtime
 * embedded here, with a slowpath callback: every upcall is executed to the
 * local port (output:0), which is what the reference's OpenFlow rule
 * actions=CONTROLLER,LOCAL makes ovs-vswitchd do. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/openvswitch.h>

#include "bench.h"

struct bench_ovsdp {
	char *dp_name;
	struct ovsdp_dp *dp;
	struct ovsdp_features features;
	struct ovsdp_config *config;
	struct ovsdp_plugins *plugins;
	unsigned int ports;             /* on the datapath, the local one included */
	char **veths;                   /* bridge ends, as ports */
	struct ovsdp_buf actions;       /* output:0 */
};

static void
slowpath(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	const struct bench_ovsdp *o = data;

	for (unsigned int i = 0; i < n; i++) {
		const struct ovsdp_execute ex = {
			.packet = ups[i].packet, .packet_len = ups[i].packet_len,
			.key = ups[i].key, .key_len = ups[i].key_len,
			.actions = o->actions.data, .actions_len = o->actions.len,
			.mru = ups[i].mru,
		};

		if (ups[i].packet_len >= 14 && ups[i].in_port != OVSDP_PORT_LOCAL)
			ovsdp_handler_queue_execute(h, &ex);
	}
}

int
bench_ovsdp_setup(const char *dp_name, unsigned int ports, char **veths, unsigned int n_veths,
		  const char *plugins_conf, struct bench_ovsdp **out, GError **error)
{
	struct bench_ovsdp *o = g_new0(struct bench_ovsdp, 1);
	int r;

	o->dp_name = g_strdup(dp_name);
	ovsdp_buf_put_u32(&o->actions, OVS_ACTION_ATTR_OUTPUT, OVSDP_PORT_LOCAL);
	r = ovsdp_features_probe(&o->features, error);
	if (r < 0)
		goto fail;
	r = plugins_conf ? ovsdp_config_load(plugins_conf, &o->config, error)
			 : ovsdp_config_new_default(&o->config);
	if (r < 0)
		goto fail;
	r = ovsdp_plugins_discover(o->config, &o->features, &o->plugins, error);
	if (r < 0)
		goto fail;
	r = ovsdp_dp_create(dp_name, 0, OVSDP_DP_F_DEFAULT, &o->dp, error);
	if (r < 0)
		goto fail;
	o->ports = 1;
	r = bench_link_up(dp_name, error);
	if (r < 0)
		goto fail;
	for (unsigned int i = 0; i < n_veths; i++) {
		struct ovsdp_vport_spec spec = { .name = veths[i], .type = OVSDP_VPORT_TYPE_NETDEV };

		r = ovsdp_vport_add(o->dp, &spec, NULL, error);
		if (r < 0)
			goto fail;
		o->ports++;
	}
	o->veths = g_strdupv(veths);
	/* The rest are internal ports: cheap to create, and what the socket
	 * count of a big bridge needs. */
	for (unsigned int i = 0; o->ports < ports; i++) {
		struct ovsdp_vport_spec spec = { .type = OVSDP_VPORT_TYPE_INTERNAL };
		char name[OVSDP_NAME_MAX];

		g_snprintf(name, sizeof name, "bi%u", i);
		spec.name = name;
		r = ovsdp_vport_add(o->dp, &spec, NULL, error);
		if (r < 0)
			goto fail;
		o->ports++;
		if (o->ports % 100 == 0)
			bench_progress("setup: %u of %u ports on %s", o->ports, ports, dp_name);
	}
	*out = o;
	return 0;
fail:
	bench_ovsdp_free(o, true);
	return r;
}

unsigned int
bench_ovsdp_ports(const struct bench_ovsdp *o)
{
	return o->ports;
}

struct ovsdp_dp *
bench_ovsdp_dp(const struct bench_ovsdp *o)
{
	return o->dp;
}

const struct ovsdp_features *
bench_ovsdp_features(const struct bench_ovsdp *o)
{
	return &o->features;
}

int
bench_ovsdp_start(struct bench_ovsdp *o, struct bench_system *sys, unsigned int n_handlers,
		  GError **error)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(o->plugins, sys->name);
	struct ovsdp_handlers_options opts = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = o->dp_name, .config = o->config, .n_handlers = n_handlers,
		.callback = slowpath, .user_data = o,
	};
	struct ovsdp_handlers_stats *st = NULL;
	int r;

	if (!p) {
		g_set_error(error, OVSDP_ERROR, ENOENT, "no dispatch plugin called %s was found",
			    sys->name);
		return -ENOENT;
	}
	if (ovsdp_plugin_status(p) != OVSDP_PLUGIN_OK) {
		g_set_error(error, OVSDP_ERROR, EOPNOTSUPP, "%s", ovsdp_plugin_reason(p));
		return -EOPNOTSUPP;
	}
	sys->version = g_strdup_printf("ovsdp %s", OVSDP_VERSION);
	sys->description = g_strdup(ovsdp_plugin_description(p));
	sys->mode = g_strdup(sys->name);
	r = ovsdp_handlers_new(&opts, &sys->hs, error);
	if (r == 0)
		r = ovsdp_handlers_start(sys->hs, p, error);
	if (r < 0) {
		ovsdp_handlers_free(sys->hs);
		sys->hs = NULL;
		return r;
	}
	if (ovsdp_handlers_stats_new(sys->hs, &st) == 0) {
		const char *desc = ovsdp_handlers_stats_dispatcher_description(st, 0);

		sys->n_handlers = ovsdp_handlers_stats_n_handlers(st);
		if (desc && desc[0]) {
			g_free(sys->description);
			sys->description = g_strdup(desc);
		}
		ovsdp_handlers_stats_free(st);
	}
	sys->dp = o->dp;
	g_strlcpy(sys->local_dev, o->dp_name, sizeof sys->local_dev);
	sys->pid = 0;
	sys->thread_prefix = "ovsdp-handler";
	return 0;
}

void
bench_ovsdp_stop(struct bench_ovsdp *o, struct bench_system *sys)
{
	ovsdp_handlers_free(sys->hs);
	sys->hs = NULL;
	sys->dp = NULL;
}

int
bench_system_start(struct bench_ovsdp *o, struct bench_system *sys, unsigned int n_handlers,
		   GError **error)
{
	if (bench_is_raw(sys->name))
		return bench_raw_start(o->dp, &o->features, sys, n_handlers, error);
	return bench_ovsdp_start(o, sys, n_handlers, error);
}

void
bench_system_stop(struct bench_ovsdp *o, struct bench_system *sys)
{
	if (sys->raw)
		bench_raw_stop(sys);
	else
		bench_ovsdp_stop(o, sys);
}

void
bench_ovsdp_free(struct bench_ovsdp *o, bool delete_dp)
{
	if (!o)
		return;
	if (o->dp && delete_dp)
		ovsdp_dp_del(o->dp, NULL);
	ovsdp_dp_close(o->dp);
	ovsdp_plugins_free(o->plugins);
	ovsdp_config_free(o->config);
	ovsdp_buf_clear(&o->actions);
	g_strfreev(o->veths);
	g_free(o->dp_name);
	g_free(o);
}

int
bench_counters_read(struct bench_system *sys, struct bench_counters *out)
{
	struct ovsdp_dp_info info;
	struct ovsdp_vport_info port;
	int r;

	memset(out, 0, sizeof *out);
	if (!sys->dp)
		return -ENODEV;
	r = ovsdp_dp_get_info(sys->dp, &info, NULL);
	if (r < 0)
		return r;
	out->hit = info.stats.n_hit;
	out->missed = info.stats.n_missed;
	out->lost = info.stats.n_lost;
	r = ovsdp_vport_get_by_name(sys->dp, sys->local_dev, &port, NULL);
	if (r < 0)
		return r;
	/* The local port is an internal device: what the datapath sends to
	 * it, the device counts as received. */
	out->local_tx = port.stats.rx_packets;
	bench_thread_ctx(sys->pid, sys->thread_prefix, &out->ctx);
	if (sys->raw)
		bench_raw_counters(sys, out);
	if (sys->hs) {
		struct ovsdp_handlers_stats *st = NULL;

		if (ovsdp_handlers_stats_new(sys->hs, &st) == 0) {
			out->has_runtime = true;
			out->upcalls = ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_UPCALLS);
			out->overruns = ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_OVERRUNS);
			for (unsigned int i = 0; i < ovsdp_handlers_stats_n_handlers(st); i++) {
				out->wakeups += ovsdp_handlers_stats_handler(st, i,
									     OVSDP_HANDLER_WAKEUPS);
				out->empty_wakeups += ovsdp_handlers_stats_handler(
					st, i, OVSDP_HANDLER_EMPTY_WAKEUPS);
			}
			ovsdp_handlers_stats_free(st);
		}
	}
	return 0;
}
