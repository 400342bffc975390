/* daemon-metrics.c: every counter of ovsdpd in the Prometheus text
 * exposition format (0.0.4, what node-exporter's textfile collector and
 * `promtool check metrics` read): served by `ovsdp ctl metrics` and written
 * atomically to a node-exporter textfile with --metrics-textfile. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "daemon.h"
#include "policy.h"

/* Open a metric family: HELP and TYPE once, before its samples. */
static void
family(GString *o, const char *name, const char *type, const char *help)
{
	g_string_append_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample with the datapath label and up to one more label. */
static void
sample(GString *o, const char *name, const char *dp, const char *lk, const char *lv, uint64_t v)
{
	g_string_append_printf(o, "%s{datapath=\"%s\"", name, dp);
	if (lk)
		g_string_append_printf(o, ",%s=\"%s\"", lk, lv);
	g_string_append_printf(o, "} %" G_GUINT64_FORMAT "\n", v);
}

/* A whole family of one unlabelled sample. */
static void
single(GString *o, const char *name, const char *type, const char *help, const char *dp, uint64_t v)
{
	family(o, name, type, help);
	sample(o, name, dp, NULL, NULL, v);
}

/* Label values: names of plugins and datapaths are [a-z0-9_-] already, but a
 * label must never break the line whatever it holds. */
static char *
label_value(const char *s)
{
	GString *o = g_string_new(NULL);

	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			g_string_append_c(o, '\\');
		if (*s == '\n')
			g_string_append(o, "\\n");
		else
			g_string_append_c(o, *s);
	}
	return g_string_free(o, FALSE);
}

/* Policy counter names as metric name parts: [a-z0-9_]. */
static char *
metric_part(const char *s)
{
	char *o = g_ascii_strdown(s, -1);

	for (char *p = o; *p; p++) {
		if (!g_ascii_isalnum(*p))
			*p = '_';
	}
	return o;
}

#define HANDLER_COUNTERS(X) \
	X(upcalls, UPCALLS, "Upcalls delivered to the policy by the handler") \
	X(batches, BATCHES, "Batches of upcalls the handler passed to the policy") \
	X(wakeups, WAKEUPS, "Times the handler woke from its wait") \
	X(empty_wakeups, EMPTY_WAKEUPS, "Wakeups of the handler that found no upcall") \
	X(malformed, MALFORMED, "Upcall messages the handler dropped as malformed") \
	X(truncated, TRUNCATED, "Upcall messages the handler dropped as larger than its buffer") \
	X(replies, REPLIES, "Flow puts and packet executes the handler sent back") \
	X(reply_errors, REPLY_ERRORS, "Replies refused by the kernel or sent without a verdict") \
	X(reply_unconfirmed, REPLY_UNCONFIRMED, "Replies without the kernel's verdict (never sent, or ack lost)") \
	X(transactions, TRANSACTIONS, "Netlink transactions that carried the handler's replies")

char *
daemon_metrics_text(struct daemon *d)
{
	GString *o = g_string_new(NULL);
	struct ovsdp_handlers_stats *st = NULL;
	struct ovsdp_dp_info info = { 0 };
	struct policy_counter ctr[POLICY_COUNTERS_MAX];
	unsigned int n_ctr = 0;
	g_autofree char *dp = label_value(d->cfg->dp_name);
	g_autofree char *active = NULL;
	char idx[16];

	if (d->hs) {
		g_autofree char *running = ovsdp_handlers_plugin_name(d->hs);

		ovsdp_handlers_stats_new(d->hs, &st);
		active = label_value(running);
	}

	single(o, "ovsdp_uptime_seconds", "gauge", "Seconds since ovsdpd started", dp,
	       (uint64_t)(g_get_monotonic_time() - d->started_us) / G_USEC_PER_SEC);
	single(o, "ovsdp_datapath_recoveries_total", "counter",
	       "Times ovsdpd recreated its datapath after it vanished", dp, d->recoveries);
	single(o, "ovsdp_port_resyncs_total", "counter",
	       "Times ovsdpd's port monitor overran and the policy's ports were re-read from the "
	       "datapath", dp, d->port_resyncs);
	single(o, "ovsdp_handlers", "gauge", "Handler threads running", dp,
	       ovsdp_handlers_stats_n_handlers(st));
	single(o, "ovsdp_switches_total", "counter", "Completed live dispatcher switches", dp,
	       ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_SWITCHES));
	single(o, "ovsdp_overruns_total", "counter",
	       "Upcall socket overruns (the kernel dropped upcalls on a full socket)", dp,
	       ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_OVERRUNS));

	/* Upcalls per dispatcher since start. */
	family(o, "ovsdp_dispatcher_upcalls_total", "counter",
	       "Upcalls received through each dispatcher since ovsdpd started");
	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_shares(st); i++) {
		g_autofree char *name = label_value(ovsdp_handlers_stats_share_name(st, i));

		sample(o, "ovsdp_dispatcher_upcalls_total", dp, "dispatcher", name,
		       ovsdp_handlers_stats_share_upcalls(st, i));
	}
	family(o, "ovsdp_dispatcher_active", "gauge", "1 for the dispatcher that runs now");
	if (active)
		sample(o, "ovsdp_dispatcher_active", dp, "dispatcher", active, 1);
	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_dispatchers(st); i++) {
		if (!ovsdp_handlers_stats_dispatcher_active(st, i))
			continue;
		g_autofree char *name = label_value(ovsdp_handlers_stats_dispatcher_name(st, i));
		single(o, "ovsdp_dispatcher_sockets", "gauge", "Upcall sockets the active dispatcher holds",
		       dp, ovsdp_handlers_stats_dispatcher(st, i, OVSDP_DISPATCHER_SOCKETS));
		family(o, "ovsdp_dispatcher_empty_wakeups_total", "counter",
		       "Wakeups through the active dispatcher that found no upcall");
		sample(o, "ovsdp_dispatcher_empty_wakeups_total", dp, "dispatcher", name,
		       ovsdp_handlers_stats_dispatcher(st, i, OVSDP_DISPATCHER_EMPTY_WAKEUPS));
	}

#define FAMILY(field, counter, help) \
	family(o, "ovsdp_handler_" #field "_total", "counter", help); \
	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_handlers(st); i++) { \
		g_snprintf(idx, sizeof idx, "%u", i); \
		sample(o, "ovsdp_handler_" #field "_total", dp, "handler", idx, \
		       ovsdp_handlers_stats_handler(st, i, OVSDP_HANDLER_##counter)); \
	}
	HANDLER_COUNTERS(FAMILY)
#undef FAMILY

	if (d->dp && ovsdp_dp_get_info(d->dp, &info, NULL) == 0) {
		single(o, "ovsdp_kernel_hit_total", "counter",
		       "Packets the kernel datapath matched to a flow", dp, info.stats.n_hit);
		single(o, "ovsdp_kernel_missed_total", "counter",
		       "Packets that missed the kernel's flow table (upcalls sent)", dp,
		       info.stats.n_missed);
		single(o, "ovsdp_kernel_lost_total", "counter",
		       "Upcalls the kernel could not deliver to any socket", dp, info.stats.n_lost);
		single(o, "ovsdp_kernel_flows", "gauge", "Flows in the kernel datapath", dp,
		       info.stats.n_flows);
	}

	if (d->policy)
		n_ctr = d->policy->cls->counters(d->policy, ctr, POLICY_COUNTERS_MAX);
	for (unsigned int i = 0; i < n_ctr; i++) {
		g_autofree char *part = metric_part(ctr[i].name);
		g_autofree char *name = g_strdup_printf("ovsdp_policy_%s_total", part);
		g_autofree char *help = g_strdup_printf("The %s policy's %s counter",
							d->policy->cls->name, ctr[i].name);

		single(o, name, "counter", help, dp, ctr[i].value);
	}
	ovsdp_handlers_stats_free(st);
	return g_string_free(o, FALSE);
}

int
daemon_metrics_write(struct daemon *d, const char *path, GError **error)
{
	g_autofree char *text = daemon_metrics_text(d);

	/* g_file_set_contents writes a temporary file in the same directory
	 * and renames it over 'path': a scraper never reads half a file. */
	if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
		return -EIO;
	return 0;
}
