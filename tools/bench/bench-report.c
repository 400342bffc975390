/* bench-report.c: what ovsdp-bench leaves behind: the progress line while it
 * runs, bench.json with every raw figure, bench.md with a table shaped like
 * the reference (a column per system), and gnuplot plots of the latency
 * distributions, the loss under load and the throughput. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "json.h"

/* ---- progress ------------------------------------------------------------ */

static gint64 progress_start;
static bool progress_open;      /* a \r line is on the terminal */

void
bench_progress(const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	gint64 now = g_get_monotonic_time();
	unsigned int s;
	va_list ap;

	if (!progress_start)
		progress_start = now;
	s = (unsigned int)((now - progress_start) / 1000000);
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO)) {
		fprintf(stderr, "\r\033[K[%02u:%02u] %s", s / 60, s % 60, msg);
		progress_open = true;
	} else {
		fprintf(stderr, "[%02u:%02u] %s\n", s / 60, s % 60, msg);
	}
	fflush(stderr);
}

void
bench_progress_done(void)
{
	if (progress_open)
		fputc('\n', stderr);
	progress_open = false;
}

/* ---- JSON ---------------------------------------------------------------- */

static double
loss_pct(uint64_t sent, uint64_t received)
{
	return sent ? 100.0 * (double)(sent - MIN(sent, received)) / (double)sent : NAN;
}

static const struct json_field summary_json[] = {
	JSON_FIELD("min", JSON_DOUBLE, struct bench_summary, min),
	JSON_FIELD("avg", JSON_DOUBLE, struct bench_summary, mean),
	JSON_FIELD("max", JSON_DOUBLE, struct bench_summary, max),
	JSON_FIELD("mdev", JSON_DOUBLE, struct bench_summary, sd),
	JSON_FIELD("p50", JSON_DOUBLE, struct bench_summary, p50),
	JSON_FIELD("p90", JSON_DOUBLE, struct bench_summary, p90),
	JSON_FIELD("p99", JSON_DOUBLE, struct bench_summary, p99),
};

static const struct json_field reorder_json[] = {
	JSON_FIELD("done", JSON_BOOL, struct bench_results, reorder.done),
	JSON_FIELD("flows", JSON_UINT, struct bench_results, reorder.flows),
	JSON_FIELD("frames_per_flow", JSON_UINT, struct bench_results, reorder.frames),
	JSON_FIELD("sent", JSON_U64, struct bench_results, reorder.sent),
	JSON_FIELD("received", JSON_U64, struct bench_results, reorder.received),
	JSON_FIELD("reordered", JSON_U64, struct bench_results, reorder.reordered),
	JSON_FIELD("duplicates", JSON_U64, struct bench_results, reorder.duplicates),
};

static void
json_summary(struct json *j, const char *key, const struct bench_summary *s)
{
	json_kv_object_begin(j, key);
	json_kv_uint(j, "n", s->n);
	json_kv_fields(j, s, summary_json, G_N_ELEMENTS(summary_json));
	json_object_end(j);
}

static void
json_samples(struct json *j, const double *v, size_t n)
{
	json_kv_array_begin(j, "samples_us");
	for (size_t i = 0; i < n; i++)
		json_double(j, round(v[i] * 1000) / 1000);
	json_array_end(j);
}

/* The clock that timed the receives: the kernel's (SO_TIMESTAMPNS) or, for
 * probes that came without its stamp, ours: said, never hidden. */
static void
json_clock(struct json *j, bool done, uint64_t user_clock)
{
	json_key(j, "clock");
	if (!done)
		json_null(j);
	else
		json_string(j, user_clock ? "user-space" : "kernel");
	json_kv_uint(j, "user_clock_probes", user_clock);
}

/* The offered rate asked for: frames/s, or null for saturation. */
static void
json_rate(struct json *j, uint64_t rate)
{
	json_key(j, "rate_asked_per_s");
	if (rate)
		json_uint(j, rate);
	else
		json_null(j);
}

static void
json_latency(struct json *j, const char *key, const struct bench_latency *l)
{
	json_kv_object_begin(j, key);
	json_kv_bool(j, "done", l->done);
	json_kv_uint(j, "sent", l->sent);
	json_kv_uint(j, "send_failures", l->send_failures);
	json_kv_uint(j, "received", l->received);
	json_kv_uint(j, "lost", l->sent - MIN(l->sent, l->received));
	json_kv_double(j, "loss_pct", loss_pct(l->sent, l->received));
	json_clock(j, l->done, l->user_clock);
	json_summary(j, "latency_us", &l->s);
	if (l->loaded) {
		json_kv_double(j, "offered_per_s", l->load.per_s);
		json_kv_double(j, "handled_per_s", l->handled_per_s);
		json_kv_object_begin(j, "load");
		json_kv_uint(j, "ports", l->load_ports);
		json_rate(j, l->rate);
		json_kv_uint(j, "frames_sent", l->load.sent);
		json_kv_uint(j, "send_failures", l->load.errors);
		json_kv_double(j, "sender_seconds", l->load.seconds);
		json_kv_double(j, "offered_per_s", l->load.per_s);
		json_kv_double(j, "window_s", l->window_s);
		json_kv_uint(j, "handled", l->handled);
		json_kv_double(j, "handled_per_s", l->handled_per_s);
		json_kv_uint(j, "kernel_missed", l->missed);
		json_kv_uint(j, "kernel_lost", l->lost);
		json_object_end(j);
	}
	json_samples(j, l->lat_us, l->n_lat);
	json_object_end(j);
}

/* The handler threads' CPU time per frame handled, in microseconds; NAN
 * when either is unknown or nothing was handled. */
static double
cpu_us_per_upcall(const struct bench_flood *f)
{
	return f->done && f->handled && isfinite(f->cpu_s) ? f->cpu_s * 1e6 / (double)f->handled
							     : NAN;
}

static void
json_flood(struct json *j, const char *key, const struct bench_flood *f)
{
	json_kv_object_begin(j, key);
	json_kv_bool(j, "done", f->done);
	json_kv_uint(j, "ports", f->ports);
	json_rate(j, f->rate);
	json_kv_double(j, "seconds", f->seconds);
	json_kv_uint(j, "offered", f->offered);
	json_kv_uint(j, "send_failures", f->send_errors);
	json_kv_double(j, "sender_seconds", f->sender_s);
	json_kv_double(j, "offered_per_s", f->offered_per_s);
	json_kv_uint(j, "handled", f->handled);
	json_kv_double(j, "handled_per_s", f->per_s);
	json_key(j, "clock");
	json_null(j);           /* no latency here: rates by the sender's clock and ours */
	json_kv_uint(j, "kernel_missed", f->missed);
	json_kv_uint(j, "kernel_lost", f->lost);
	json_kv_double(j, "upcalls_per_s", f->per_s);
	json_kv_double(j, "handler_cpu_s", f->cpu_s);
	json_kv_double(j, "cpu_us_per_upcall", cpu_us_per_upcall(f));
	json_object_end(j);
}

static double
ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : NAN;
}

static void
json_system(struct json *j, const struct bench_system *s)
{
	const struct bench_results *r = &s->res;

	json_object_begin(j);
	json_kv_string(j, "name", s->name);
	json_kv_string(j, "kind", s->kind == BENCH_OVS ? "ovs-vswitchd" :
				  s->kind == BENCH_RAW ? "raw" : "ovsdp");
	json_kv_string(j, "status", s->status);
	json_kv_string(j, "reason", s->reason);
	json_kv_string(j, "description", s->description);
	json_kv_string(j, "mode", s->mode);
	json_kv_string(j, "version", s->version);
	json_kv_uint(j, "handlers", s->n_handlers);
	if (s->kind == BENCH_OVS) {
		json_kv_string(j, "ovs_rule", s->rule);
		json_kv_uint(j, "n_handler_threads_set", s->handlers_set);
		json_kv_uint(j, "n_revalidator_threads_set", s->handlers_set ? 1 : 0);
	}
	json_kv_double(j, "setup_s", s->setup_s);
	json_kv_int(j, "handler_threads_pinned", s->pinned);
	json_kv_object_begin(j, "tests");

	json_latency(j, "one_port", &r->one_port);

	json_kv_object_begin(j, "all_ports");
	json_kv_bool(j, "done", r->all_ports_done);
	json_clock(j, r->all_ports_done, r->all_ports_user_clock);
	json_kv_double(j, "avg_of_avgs_us", r->avg_of_avgs);
	json_kv_double(j, "mdev_of_avgs_us", r->mdev_of_avgs);
	json_kv_array_begin(j, "ports");
	for (unsigned int i = 0; i < r->n_per_port; i++) {
		json_object_begin(j);
		json_kv_uint(j, "veth", i);
		json_latency(j, "probes", &r->per_port[i]);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);

	json_latency(j, "loaded_port", &r->loaded_port);
	json_latency(j, "idle_port", &r->idle_port);

	json_kv_object_begin(j, "sockets");
	json_kv_bool(j, "done", r->sockets.done);
	json_kv_uint(j, "ports", r->sockets.ports);
	json_kv_int(j, "netlink_sockets", r->sockets.netlink);
	json_key(j, "upcall_sockets");
	if (r->sockets.upcall_sockets >= 0)
		json_int(j, r->sockets.upcall_sockets);
	else
		json_null(j);
	json_object_end(j);

	json_kv_object_begin(j, "throughput");
	json_kv_bool(j, "done", r->flood_one.done && r->flood_all.done);
	if (r->flood_rate.done)
		json_flood(j, "all_ports_rate", &r->flood_rate);
	json_flood(j, "one_port", &r->flood_one);
	json_flood(j, "all_ports", &r->flood_all);
	json_object_end(j);

	json_kv_object_begin(j, "wakeups");
	json_kv_bool(j, "done", r->wakeups.done);
	json_kv_uint(j, "frames", r->wakeups.frames);
	json_kv_uint(j, "handled", r->wakeups.handled);
	json_kv_uint(j, "ctx_switches_voluntary", r->wakeups.ctx_voluntary);
	json_kv_uint(j, "ctx_switches_involuntary", r->wakeups.ctx_involuntary);
	json_kv_double(j, "ctx_switches_per_upcall",
		       r->wakeups.ctx_valid ? ratio(r->wakeups.ctx_voluntary, r->wakeups.handled)
					    : NAN);
	json_key(j, "wakeups");
	if (r->wakeups.has_empty)
		json_uint(j, r->wakeups.wakeups);
	else
		json_null(j);
	json_key(j, "empty_wakeups");
	if (r->wakeups.has_empty)
		json_uint(j, r->wakeups.empty_wakeups);
	else
		json_null(j);
	json_kv_double(j, "empty_wakeups_per_upcall",
		       r->wakeups.has_empty ? ratio(r->wakeups.empty_wakeups, r->wakeups.handled)
					    : NAN);
	json_object_end(j);

	json_kv_object_begin(j, "reorder");
	json_kv_fields(j, r, reorder_json, G_N_ELEMENTS(reorder_json));
	json_kv_double(j, "reordered_per_flow",
		       r->reorder.flows ? (double)r->reorder.reordered / r->reorder.flows : NAN);
	json_kv_array_begin(j, "per_flow");
	for (unsigned int i = 0; r->reorder.per_flow && i < r->reorder.flows; i++)
		json_uint(j, r->reorder.per_flow[i]);
	json_array_end(j);
	json_object_end(j);

	json_object_end(j);
	json_object_end(j);
}

/* bench.json's params (a rate of 0, as fast as pktgen can, is null). */
#define PARAM(key, type, member) JSON_FIELD(key, type, struct bench_params, member)
static const struct json_field params_json[] = {
	PARAM("smoke", JSON_BOOL, smoke),
	PARAM("ports", JSON_UINT, ports),
	PARAM("ovs_ports", JSON_UINT, ovs_ports),
	PARAM("veths", JSON_UINT, veths),
	PARAM("handlers", JSON_UINT, handlers),
	PARAM("probes", JSON_UINT, probes),
	PARAM("interval_us", JSON_UINT, interval_us),
	PARAM("port_probes", JSON_UINT, port_probes),
	PARAM("load_probes", JSON_UINT, load_probes),
	PARAM("load_threads", JSON_UINT, load_threads),
	PARAM("rate_per_s", JSON_U64_OR_NULL, rate),
	PARAM("flood_seconds", JSON_DOUBLE, flood_s),
	PARAM("wakeup_frames", JSON_UINT, wake_frames),
	PARAM("wakeup_gap_ms", JSON_UINT, wake_gap_ms),
	PARAM("reorder_flows", JSON_UINT, reorder_flows),
	PARAM("reorder_frames", JSON_UINT, reorder_frames),
	PARAM("private_netns", JSON_BOOL, netns),
	PARAM("ovs_rule", JSON_STR, ovs_rule),        /* null: the two default peers */
};
#undef PARAM

static void
json_params(struct json *j, const struct bench_params *p)
{
	json_kv_object_begin(j, "params");
	json_kv_fields(j, p, params_json, G_N_ELEMENTS(params_json));
	json_kv_string(j, "ovs_other_config", "flow-limit=0");
	json_object_end(j);
}

/* bench.json's run and host members, in the order it has them. */
static const struct json_field run_json[] = {
	JSON_FIELD("command", JSON_STR, struct bench_run, command),
	JSON_FIELD("started", JSON_STR, struct bench_run, started),
	JSON_FIELD("duration_s", JSON_DOUBLE, struct bench_run, total_s),
};

static const struct json_field host_json[] = {
	JSON_FIELD("kernel", JSON_STR, struct bench_run, kernel),
	JSON_FIELD("kernel_version", JSON_STR, struct bench_run, kernel_version),
	JSON_FIELD("machine", JSON_STR, struct bench_run, machine),
	JSON_FIELD("vcpus", JSON_UINT, struct bench_run, vcpus),
	JSON_FIELD("cpu_ids", JSON_UINT, struct bench_run, features.cpu_ids),
	JSON_FIELD("lab_kernel", JSON_STR, struct bench_run, lab_kernel),
	JSON_FIELD("emulated", JSON_BOOL, struct bench_run, emulated),
};

static int
write_json(struct bench_run *run, const char *path, GError **error)
{
	struct json *j = json_new();
	FILE *f;

	json_object_begin(j);
	json_kv_string(j, "tool", "ovsdp-bench");
	json_kv_string(j, "version", OVSDP_VERSION);
	json_kv_fields(j, run, run_json, G_N_ELEMENTS(run_json));
	json_kv_object_begin(j, "host");
	json_kv_fields(j, run, host_json, G_N_ELEMENTS(host_json));
	json_kv_string(j, "per_cpu_dispatch", ovsdp_tristate_str(run->features.per_cpu_dispatch));
	json_kv_bool(j, "epoll_exclusive", run->features.epoll_exclusive);
	json_object_end(j);
	json_kv_object_begin(j, "versions");
	json_kv_string(j, "ovsdp", OVSDP_VERSION);
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		if (s->kind == BENCH_OVS) {
			json_kv_string(j, "ovs-vswitchd", s->version);
			break;
		}
	}
	json_kv_string(j, "gnuplot", run->gnuplot);
	json_object_end(j);
	json_params(j, run->p);
	/* What the figures would be compared with, so a reader sees the scale. */
	json_kv_object_begin(j, "reference");
	json_kv_string(j, "source", "OVS patch \"dpif-netlink: don't allocate per thread netlink "
		       "sockets\" (Linux 4.18, bare metal)");
	json_kv_uint(j, "probes", BENCH_REF_PROBES);
	json_kv_uint(j, "interval_us", BENCH_REF_INTERVAL_US);
	json_kv_uint(j, "ports", BENCH_REF_PORTS);
	json_kv_uint(j, "cores", BENCH_REF_CORES);
	json_object_end(j);
	json_kv_object_begin(j, "load_generator");
	json_kv_string(j, "kind", "pktgen");
	json_kv_bool(j, "available", run->load_ok);
	json_kv_string(j, "reason", run->load_why);
	json_kv_string(j, "flags", "MACSRC_RND IPSRC_RND UDPSRC_RND UDPDST_RND");
	json_kv_string(j, "sender_cpus", run->sender_cpus);
	json_kv_string(j, "handler_cpus", run->handler_cpus);
	json_object_end(j);
	json_kv_array_begin(j, "systems");
	for (guint i = 0; i < run->systems->len; i++)
		json_system(j, run->systems->pdata[i]);
	json_array_end(j);
	json_kv_array_begin(j, "plots");
	for (char **p = run->plots; p && *p; p++)
		json_string(j, *p);
	json_array_end(j);
	json_kv_string(j, "plots_reason", run->plot_why);
	json_object_end(j);

	f = fopen(path, "w");
	if (!f) {
		int e = errno;

		json_free(j);
		g_set_error(error, OVSDP_ERROR, e, "%s: %s", path, g_strerror(e));
		return -e;
	}
	json_finish(j, f);
	if (fclose(f) != 0) {
		g_set_error(error, OVSDP_ERROR, errno, "%s: %s", path, g_strerror(errno));
		return -EIO;
	}
	return 0;
}

/* ---- markdown ------------------------------------------------------------ */

static bool
ok(const struct bench_system *s)
{
	return !strcmp(s->status, "ok");
}

/* A mark on figures that hold receive times from our clock, not the
 * kernel's (SO_TIMESTAMPNS gave no stamp): they are later by a wakeup. */
static const char *
clock_mark(uint64_t user_clock)
{
	return user_clock ? " (user clock!)" : "";
}

static char *
cell_lat4(const struct bench_latency *l)
{
	if (!l->done)
		return g_strdup("n/a");
	if (!l->n_lat)
		return g_strdup("none received");
	return g_strdup_printf("%.1f/%.1f/%.1f/%.1f%s", l->s.min, l->s.mean, l->s.max, l->s.sd,
			       clock_mark(l->user_clock));
}

/* Loss over the probes actually sent; those the sender socket refused are
 * named, never counted as lost. */
static char *
cell_loss(const struct bench_latency *l)
{
	if (!l->done)
		return g_strdup("n/a");
	if (l->send_failures)
		return g_strdup_printf("%.0f %% of %" G_GUINT64_FORMAT " sent (%" G_GUINT64_FORMAT
				       " not sent)", loss_pct(l->sent, l->received), l->sent,
				       l->send_failures);
	return g_strdup_printf("%.0f %%", loss_pct(l->sent, l->received));
}

/* Offered (measured on the sender) and handled (executed to the local
 * port) frames per second, and what the sender failed to send. */
static char *
cell_rates(double offered, double handled, uint64_t failures)
{
	if (failures)
		return g_strdup_printf("%.0f/%.0f (%" G_GUINT64_FORMAT " send failures)", offered,
				       handled, failures);
	return g_strdup_printf("%.0f/%.0f", offered, handled);
}

static char *
cell_load(const struct bench_latency *l)
{
	if (!l->done || !l->loaded)
		return g_strdup("n/a");
	return cell_rates(l->load.per_s, l->handled_per_s, l->load.errors);
}

static char *
c_loaded_load(const struct bench_system *s)
{
	return cell_load(&s->res.loaded_port);
}

static char *
c_idle_load(const struct bench_system *s)
{
	return cell_load(&s->res.idle_port);
}

typedef char *(*cell_fn)(const struct bench_system *s);

static char *
c_sockets(const struct bench_system *s)
{
	return s->res.sockets.done ? g_strdup_printf("%d", s->res.sockets.netlink) : g_strdup("n/a");
}

static char *
c_dispatch(const struct bench_system *s)
{
	if (s->kind == BENCH_OVS)
		return g_strdup_printf("%s, %u handlers%s; `%s`%s", s->mode ? s->mode : s->name,
				       s->n_handlers, s->handlers_set ? " (set)" : "", s->rule,
				       !g_strcmp0(s->rule, BENCH_OVS_RULE) ? ", the reference's setup"
									: "");
	return g_strdup_printf("%s, %u handlers", s->mode ? s->mode : s->name, s->n_handlers);
}

static char *
c_one(const struct bench_system *s)
{
	return cell_lat4(&s->res.one_port);
}

static char *
c_one_loss(const struct bench_system *s)
{
	return cell_loss(&s->res.one_port);
}

static char *
cell_pct(const struct bench_latency *l)
{
	if (!l->done)
		return g_strdup("n/a");
	if (!l->n_lat)
		return g_strdup("none received");
	return g_strdup_printf("%.1f/%.1f%s", l->s.p50, l->s.p99, clock_mark(l->user_clock));
}

static char *
c_one_pct(const struct bench_system *s)
{
	return cell_pct(&s->res.one_port);
}

static char *
c_loaded_pct(const struct bench_system *s)
{
	return cell_pct(&s->res.loaded_port);
}

static char *
c_idle_pct(const struct bench_system *s)
{
	return cell_pct(&s->res.idle_port);
}

static char *
c_all(const struct bench_system *s)
{
	if (!s->res.all_ports_done)
		return g_strdup("n/a");
	return g_strdup_printf("%.2f/%.2f%s", s->res.avg_of_avgs, s->res.mdev_of_avgs,
			       clock_mark(s->res.all_ports_user_clock));
}

static char *
c_loaded(const struct bench_system *s)
{
	const struct bench_latency *l = &s->res.loaded_port;
	g_autofree char *loss = cell_loss(l);

	if (!l->done)
		return g_strdup("n/a");
	if (!l->n_lat)
		return g_strdup_printf("none received, %s", loss);
	return g_strdup_printf("%.1f/%.1f%s, %s", l->s.mean, l->s.sd, clock_mark(l->user_clock),
			       loss);
}

static char *
c_idle(const struct bench_system *s)
{
	const struct bench_latency *l = &s->res.idle_port;
	g_autofree char *lat = cell_lat4(l);
	g_autofree char *loss = cell_loss(l);

	if (!l->done)
		return g_strdup("n/a");
	return g_strdup_printf("%s, %s", lat, loss);
}

static char *
cell_flood(const struct bench_flood *f)
{
	if (!f->done)
		return g_strdup("n/a");
	return cell_rates(f->offered_per_s, f->per_s, f->send_errors);
}

static char *
c_flood_rate(const struct bench_system *s)
{
	return cell_flood(&s->res.flood_rate);
}

static char *
c_flood_one(const struct bench_system *s)
{
	return cell_flood(&s->res.flood_one);
}

static char *
c_flood_all(const struct bench_system *s)
{
	return cell_flood(&s->res.flood_all);
}

static char *
cell_cpu(const struct bench_flood *f)
{
	double us = cpu_us_per_upcall(f);

	if (!f->done)
		return g_strdup("n/a");
	return isfinite(us) ? g_strdup_printf("%.1f", us) : g_strdup("unknown");
}

static char *
c_cpu_rate(const struct bench_system *s)
{
	return cell_cpu(&s->res.flood_rate);
}

static char *
c_cpu_all(const struct bench_system *s)
{
	return cell_cpu(&s->res.flood_all);
}

/* A system's figure against the raw limit's, as "x0.90". */
static char *
cell_vs(double mine, double raw)
{
	if (!isfinite(mine) || !isfinite(raw) || raw <= 0)
		return g_strdup("n/a");
	return g_strdup_printf("x%.2f", mine / raw);
}

static char *
c_vs_raw_rate(const struct bench_system *s, const struct bench_system *raw)
{
	g_autofree char *rate = cell_vs(s->res.flood_rate.per_s, raw->res.flood_rate.per_s);
	g_autofree char *cpu = cell_vs(cpu_us_per_upcall(&s->res.flood_rate),
				       cpu_us_per_upcall(&raw->res.flood_rate));

	return g_strdup_printf("%s, %s", rate, cpu);
}

static char *
c_vs_raw_all(const struct bench_system *s, const struct bench_system *raw)
{
	g_autofree char *rate = cell_vs(s->res.flood_all.per_s, raw->res.flood_all.per_s);
	g_autofree char *cpu = cell_vs(cpu_us_per_upcall(&s->res.flood_all),
				       cpu_us_per_upcall(&raw->res.flood_all));

	return g_strdup_printf("%s, %s", rate, cpu);
}

static char *
c_empty(const struct bench_system *s)
{
	if (!s->res.wakeups.done)
		return g_strdup("n/a");
	if (!s->res.wakeups.has_empty)
		return g_strdup("not exposed");
	return g_strdup_printf("%.2f", ratio(s->res.wakeups.empty_wakeups, s->res.wakeups.handled));
}

static char *
c_ctx(const struct bench_system *s)
{
	if (!s->res.wakeups.done)
		return g_strdup("n/a");
	if (!s->res.wakeups.ctx_valid)
		return g_strdup("unknown (handler threads restarted)");
	return g_strdup_printf("%.2f", ratio(s->res.wakeups.ctx_voluntary, s->res.wakeups.handled));
}

static char *
c_reorder(const struct bench_system *s)
{
	if (!s->res.reorder.done)
		return g_strdup("n/a");
	return g_strdup_printf("%.1f", (double)s->res.reorder.reordered / s->res.reorder.flows);
}

static void
md_row(GString *md, struct bench_run *run, const char *label, cell_fn fn)
{
	g_string_append_printf(md, "| %s |", label);
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];
		g_autofree char *c = ok(s) ? fn(s) : g_strdup(s->status);

		g_string_append_printf(md, " %s |", c);
	}
	g_string_append_c(md, '\n');
}

typedef char *(*cell_vs_fn)(const struct bench_system *s, const struct bench_system *raw);

/* A row against the raw limit: only when it ran. */
static void
md_row_vs(GString *md, struct bench_run *run, const char *label, cell_vs_fn fn)
{
	const struct bench_system *raw = NULL;

	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		if (s->kind == BENCH_RAW && ok(s))
			raw = s;
	}
	if (!raw)
		return;
	g_string_append_printf(md, "| %s |", label);
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];
		g_autofree char *c = ok(s) ? fn(s, raw) : g_strdup(s->status);

		g_string_append_printf(md, " %s |", c);
	}
	g_string_append_c(md, '\n');
}

/* Whether a figure of the run holds a probe timed by our clock. */
static bool
report_user_clock(const struct bench_run *run)
{
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_results *r = &((struct bench_system *)run->systems->pdata[i])->res;

		if (r->one_port.user_clock || r->all_ports_user_clock ||
		    r->loaded_port.user_clock || r->idle_port.user_clock)
			return true;
	}
	return false;
}

char *
bench_report_markdown(struct bench_run *run)
{
	const struct bench_params *p = run->p;
	GString *md = g_string_new(NULL);
	g_autofree char *l_sock = NULL, *l_one = NULL, *l_all = NULL, *l_loaded = NULL;
	g_autofree char *l_idle = NULL, *l_fone = NULL, *l_fall = NULL, *l_wake = NULL;
	g_autofree char *l_reorder = NULL, *l_frate = NULL, *l_load3 = NULL, *l_load4 = NULL;
	g_autofree char *rate = p->rate ? g_strdup_printf("%" G_GUINT64_FORMAT " frames/s asked",
							  p->rate) : g_strdup("saturation");

	g_string_append_printf(md, "Kernel %s (%s), %u vCPUs%s, %s; ovsdp-bench %s.\n\n",
			       run->kernel, run->machine, run->vcpus,
			       run->emulated ? ", emulated (qemu TCG lab)" : "", run->started,
			       OVSDP_VERSION);
	g_string_append(md, "| |");
	for (guint i = 0; i < run->systems->len; i++)
		g_string_append_printf(md, " %s |", ((struct bench_system *)run->systems->pdata[i])->name);
	g_string_append(md, "\n|---|");
	for (guint i = 0; i < run->systems->len; i++)
		g_string_append(md, "---|");
	g_string_append_c(md, '\n');

	l_sock = g_strdup_printf("5: netlink sockets in use (%u ports)", p->ports);
	l_one = g_strdup_printf("1: one port latency min/avg/max/mdev (us), %u probes", p->probes);
	l_all = g_strdup_printf("2: all %u veth ports, avg latency/mdev of per-port averages (us)",
				p->veths);
	l_loaded = g_strdup("3: one port under load on all ports: avg/mdev (us), loss");
	l_idle = g_strdup("4: idle port while all others are loaded: min/avg/max/mdev (us), loss");
	l_load3 = g_strdup_printf("3: load offered/handled frames/s (%s)", rate);
	l_load4 = g_strdup_printf("4: load offered/handled frames/s (%s)", rate);
	l_frate = g_strdup_printf("6: all %u ports at %s: offered/handled frames/s", p->veths,
				  rate);
	l_fone = g_strdup("6: saturation, one flood port: offered/handled frames/s");
	l_fall = g_strdup_printf("6: saturation, all %u ports flooded: offered/handled frames/s",
				 p->veths);
	l_wake = g_strdup("7: empty wakeups per upcall");
	l_reorder = g_strdup_printf("8: reordered packets per flow (%u flows of %u)",
				    p->reorder_flows, p->reorder_frames);
	md_row(md, run, "dispatch", c_dispatch);
	md_row(md, run, l_sock, c_sockets);
	md_row(md, run, l_one, c_one);
	md_row(md, run, "1: median/p99 (us)", c_one_pct);
	md_row(md, run, "1: loss", c_one_loss);
	md_row(md, run, l_all, c_all);
	md_row(md, run, l_loaded, c_loaded);
	md_row(md, run, "3: median/p99 (us)", c_loaded_pct);
	md_row(md, run, l_load3, c_loaded_load);
	md_row(md, run, l_idle, c_idle);
	md_row(md, run, "4: median/p99 (us)", c_idle_pct);
	md_row(md, run, l_load4, c_idle_load);
	if (p->rate) {
		md_row(md, run, l_frate, c_flood_rate);
		md_row(md, run, "6: at that rate, handler CPU per upcall (us)", c_cpu_rate);
		md_row_vs(md, run, "6: at that rate, vs the raw limit: handled/s, CPU per upcall",
			  c_vs_raw_rate);
	}
	md_row(md, run, l_fone, c_flood_one);
	md_row(md, run, l_fall, c_flood_all);
	md_row(md, run, "6: saturation, all ports: handler CPU per upcall (us)", c_cpu_all);
	md_row_vs(md, run, "6: saturation, all ports, vs the raw limit: handled/s, CPU per upcall",
		  c_vs_raw_all);
	md_row(md, run, l_wake, c_empty);
	md_row(md, run, "7: handler context switches per upcall", c_ctx);
	md_row(md, run, l_reorder, c_reorder);

	g_string_append_printf(md, "\nProbes every %u us; tests 3 and 4: %u probes under pktgen "
			       "load (%u threads, %s in all, random source MAC, IP and UDP ports)%s; "
			       "test 6: %.1f s each; test 7: "
			       "%u frames %u ms apart.  Run took %.0f s.\n",
			       p->interval_us, p->load_probes, p->load_threads, rate,
			       run->load_ok ? "" : " -- NOT RUN: no load generator",
			       p->flood_s, p->wake_frames, p->wake_gap_ms, run->total_s);
	g_string_append(md, "Offered load is measured on the sender (pktgen's count and clock), "
			"handled load at the local port; loss is over the probes actually sent.\n");
	if (run->handler_cpus && *run->handler_cpus)
		g_string_append_printf(md, "Sender (pktgen, prober) on CPU %s, every system's "
				       "handler threads pinned to CPU %s.\n", run->sender_cpus,
				       run->handler_cpus);
	else if (run->sender_cpus)
		g_string_append_printf(md, "Sender on CPU %s; NOT kept apart from the handlers "
				       "(no CPU left for them).\n", run->sender_cpus);
	if (report_user_clock(run))
		g_string_append(md, "(user clock!): some probes of that figure came without a "
				"kernel receive timestamp (SO_TIMESTAMPNS) and were timed by the "
				"receiver's clock, later by its wakeup; bench.json counts them.\n");
	g_string_append_printf(md, "Scale against the reference (%u probes %u us apart in test 1, "
			       "%u ports, %u cores, bare metal): test 1 here %u probes %u us apart "
			       "(%.1f %% of it), %u ports (%s), %u vCPUs.\n",
			       BENCH_REF_PROBES, BENCH_REF_INTERVAL_US, BENCH_REF_PORTS,
			       BENCH_REF_CORES, p->probes, p->interval_us,
			       100.0 * p->probes / BENCH_REF_PROBES, p->ports,
			       p->ports == BENCH_REF_PORTS ? "as in the reference" : "scaled",
			       run->vcpus);
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		if (s->reason)
			g_string_append_printf(md, "- %s: %s: %s\n", s->name, s->status, s->reason);
	}
	if (!run->load_ok && run->load_why)
		g_string_append_printf(md, "- load: %s\n", run->load_why);
	return g_string_free(md, FALSE);
}

/* ---- plots --------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A CDF: sorted latencies and the fraction of probes SENT at or below
 * each, so that a lossy system's curve ends below 1. */
static bool
write_cdf(const char *path, const struct bench_latency *l)
{
	g_autofree double *v = NULL;
	GString *s;
	bool r;

	if (!l->done || l->n_lat == 0)
		return false;
	v = g_memdup2(l->lat_us, l->n_lat * sizeof *v);
	qsort(v, l->n_lat, sizeof *v, cmp_double);
	s = g_string_new("# latency_us fraction_of_sent\n");
	for (size_t i = 0; i < l->n_lat; i++)
		g_string_append_printf(s, "%.3f %.6f\n", v[i], (double)(i + 1) / (double)l->sent);
	r = g_file_set_contents(path, s->str, (gssize)s->len, NULL);
	g_string_free(s, TRUE);
	return r;
}

static char *
find_plot_script(void)
{
	const char *env = g_getenv("OVSDP_BENCH_PLOT");
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *exe_dir = exe ? g_path_get_dirname(exe) : NULL;
	char *p;

	if (env)
		return g_strdup(env);
	if (exe_dir) {
		p = g_build_filename(exe_dir, "bench-plot.gp", NULL);
		if (g_file_test(p, G_FILE_TEST_EXISTS))
			return p;
		g_free(p);
	}
	p = g_build_filename(OVSDP_BENCH_DATADIR, "bench-plot.gp", NULL);
	if (g_file_test(p, G_FILE_TEST_EXISTS))
		return p;
	g_free(p);
	return NULL;
}

static void
make_plots(struct bench_run *run, const char *dir)
{
	static const struct {
		const char *test;
		size_t offset;
	} cdfs[] = {
		{ "one_port", G_STRUCT_OFFSET(struct bench_results, one_port) },
		{ "loaded_port", G_STRUCT_OFFSET(struct bench_results, loaded_port) },
		{ "idle_port", G_STRUCT_OFFSET(struct bench_results, idle_port) },
	};
	g_autofree char *data = g_build_filename(dir, "data", NULL);
	g_autofree char *script = find_plot_script();
	g_autofree char *out = NULL;
	g_autoptr(GPtrArray) made = g_ptr_array_new();
	GString *loss = g_string_new("# system test3_loss_pct test4_loss_pct\n");
	GString *tput = g_string_new("# system one_port_per_s all_ports_per_s\n");
	GString *names[G_N_ELEMENTS(cdfs)];
	GString *vars = g_string_new(NULL);
	bool have_bars = false;

	g_mkdir_with_parents(data, 0755);
	for (size_t t = 0; t < G_N_ELEMENTS(cdfs); t++) {
		unsigned int k = 0;

		names[t] = g_string_new(NULL);
		for (guint i = 0; i < run->systems->len; i++) {
			const struct bench_system *s = run->systems->pdata[i];
			const struct bench_latency *l =
				(const void *)((const char *)&s->res + cdfs[t].offset);
			g_autofree char *file = g_strdup_printf("%s/cdf-%s-%u.dat", data,
								cdfs[t].test, k + 1);

			if (ok(s) && write_cdf(file, l)) {
				g_string_append_printf(names[t], "%s%s", k ? " " : "", s->name);
				k++;
			}
		}
	}
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];
		const struct bench_results *r = &s->res;

		if (!ok(s))
			continue;
		if (r->loaded_port.done || r->idle_port.done) {
			/* A test that did not run is missing (NaN: gnuplot
			 * draws no bar), never a 0 % loss. */
			g_string_append_printf(loss, "\"%s\" %.2f %.2f\n", s->name,
					       r->loaded_port.done ? loss_pct(r->loaded_port.sent, r->loaded_port.received) : NAN,
					       r->idle_port.done ? loss_pct(r->idle_port.sent, r->idle_port.received) : NAN);
			have_bars = true;
		}
		if (r->flood_one.done && r->flood_all.done)
			g_string_append_printf(tput, "\"%s\" %.1f %.1f\n", s->name, r->flood_one.per_s,
					       r->flood_all.per_s);
	}
	{
		g_autofree char *lp = g_build_filename(data, "loss.dat", NULL);
		g_autofree char *tp = g_build_filename(data, "throughput.dat", NULL);

		g_file_set_contents(lp, loss->str, -1, NULL);
		g_file_set_contents(tp, tput->str, -1, NULL);
	}
	g_string_append_printf(vars, "outdir='%s'; datadir='%s'; bars=%d; title_extra='%s%s'; ",
			       dir, data, have_bars, run->kernel,
			       run->emulated ? ", emulated lab" : "");
	for (size_t t = 0; t < G_N_ELEMENTS(cdfs); t++) {
		g_string_append_printf(vars, "names_%s='%s'; ", cdfs[t].test, names[t]->str);
		g_string_free(names[t], TRUE);
	}
	g_string_free(loss, TRUE);
	g_string_free(tput, TRUE);

	if (!run->p->plots) {
		run->plot_why = g_strdup("--no-plots");
	} else if (!run->gnuplot_path) {
		run->plot_why = g_strdup("gnuplot not found (Debian package gnuplot-nox)");
	} else if (!script) {
		run->plot_why = g_strdup("bench-plot.gp not found");
	} else {
		const char *argv[] = { run->gnuplot_path, "-e", vars->str, script, NULL };
		int st = bench_run(argv, NULL, &out);
		const char *v = strstr(out, "version: ");

		/* The script's first line says "version: gnuplot 5.4 patchlevel 4". */
		if (v) {
			const char *end = strchr(v, '\n');

			v += strlen("version: ");
			run->gnuplot = end ? g_strndup(v, (gsize)(end - v)) : g_strdup(v);
		}
		static const char *const pngs[] = {
			"latency-one-port.png", "latency-under-load.png", "loss-under-load.png",
			"throughput.png", NULL,
		};

		if (st != 0)
			run->plot_why = g_strdup_printf("gnuplot failed: %s", g_strstrip(out));
		for (const char *const *png = pngs; *png; png++) {
			g_autofree char *path = g_build_filename(dir, *png, NULL);

			if (g_file_test(path, G_FILE_TEST_EXISTS))
				g_ptr_array_add(made, g_strdup(*png));
		}
	}
	g_string_free(vars, TRUE);
	g_ptr_array_add(made, NULL);
	run->plots = (char **)g_ptr_array_steal(made, NULL);
}

int
bench_report_write(struct bench_run *run, const char *dir, GError **error)
{
	g_autofree char *json = g_build_filename(dir, "bench.json", NULL);
	g_autofree char *mdp = g_build_filename(dir, "bench.md", NULL);
	g_autofree char *md = NULL;
	GString *doc;
	int r;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		g_set_error(error, OVSDP_ERROR, errno, "%s: %s", dir, g_strerror(errno));
		return -errno;
	}
	make_plots(run, dir);
	r = write_json(run, json, error);
	if (r < 0)
		return r;
	md = bench_report_markdown(run);
	doc = g_string_new("# ovsdp-bench\n\n");
	g_string_append_printf(doc, "Command: `%s`\n\n%s", run->command, md);
	for (char **p = run->plots; p && *p; p++)
		g_string_append_printf(doc, "\n![%s](%s)\n", *p, *p);
	if (run->plot_why)
		g_string_append_printf(doc, "\nNo plots: %s\n", run->plot_why);
	if (!g_file_set_contents(mdp, doc->str, (gssize)doc->len, error)) {
		g_string_free(doc, TRUE);
		return -EIO;
	}
	g_string_free(doc, TRUE);
	return 0;
}
