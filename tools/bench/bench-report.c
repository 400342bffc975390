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
static char *progress_prefix;   /* "[rep 2/3] " */

void
bench_progress_prefix(const char *prefix)
{
	g_free(progress_prefix);
	progress_prefix = g_strdup(prefix);
}

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
		fprintf(stderr, "\r\033[K[%02u:%02u] %s%s", s / 60, s % 60,
			progress_prefix ? progress_prefix : "", msg);
		progress_open = true;
	} else {
		fprintf(stderr, "[%02u:%02u] %s%s\n", s / 60, s % 60,
			progress_prefix ? progress_prefix : "", msg);
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
		if (l->has_drops) {
			/* From load start to the end of the drain. */
			json_kv_object_begin(j, "drops");
			json_kv_uint(j, "probe_port_backlog", l->probe_port_dropped);
			json_kv_uint(j, "softnet_backlog", l->softnet_dropped);
			json_key(j, "softnet_backlog_per_cpu");
			json_array_begin(j);
			for (unsigned int c = 0; c < l->n_softnet_cpus; c++)
				json_uint(j, l->softnet_cpu[c]);
			json_array_end(j);
			json_kv_uint(j, "kernel_lost", l->kernel_lost_all);
			json_kv_uint(j, "probes_received_at_last_send", l->received_at_last_send);
			json_key(j, "socket_overruns");
			if (l->has_overruns)
				json_uint(j, l->overruns);
			else
				json_null(j);
			json_object_end(j);
		}
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

/* One repetition's tests, as a run without repetitions had them. */
static void
json_tests(struct json *j, const struct bench_results *r)
{
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
}

/* A peer's version as its ovs-vswitchd said it in the run, else as its
 * --version did before. */
static const char *
peer_version(const struct bench_run *run, const struct bench_peer *peer)
{
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		if (s->peer == peer && s->version)
			return s->version;
	}
	return peer->version;
}

static void
json_system(struct json *j, const struct bench_system *s)
{
	json_object_begin(j);
	json_kv_string(j, "name", s->name);
	json_kv_string(j, "kind", s->kind == BENCH_OVS ? "ovs-vswitchd" :
				  s->kind == BENCH_RAW ? "raw" : "ovsdp");
	/* ok when it ran in any repetition; each repetition says its own */
	json_kv_string(j, "status", s->status);
	json_kv_string(j, "reason", s->reason);
	json_kv_string(j, "description", s->description);
	json_kv_string(j, "mode", s->mode);
	json_kv_string(j, "version", s->version);
	json_kv_uint(j, "handlers", s->n_handlers);
	if (s->kind == BENCH_OVS) {
		json_kv_string(j, "ovs_rule", s->rule);
		json_kv_string(j, "ovs_peer", s->peer->label);
		/* null: the installed programs */
		json_kv_string(j, "ovs_build", s->peer->src);
		json_kv_string(j, "datapath_type", "system");
		json_kv_uint(j, "n_handler_threads_set", s->handlers_set);
		json_kv_uint(j, "n_revalidator_threads_set", s->handlers_set ? 1 : 0);
	}
	json_kv_array_begin(j, "repetitions");
	for (unsigned int i = 0; i < s->n_reps; i++) {
		const struct bench_rep *rep = &s->reps[i];

		json_object_begin(j);
		json_kv_uint(j, "rep", i + 1);
		json_kv_uint(j, "position", rep->position);
		json_kv_string(j, "status", rep->status ? rep->status : "not run");
		json_kv_string(j, "reason", rep->reason);
		json_kv_double(j, "setup_s", rep->setup_s);
		json_kv_int(j, "handler_threads_pinned", rep->pinned);
		json_tests(j, &rep->res);
		json_object_end(j);
	}
	json_array_end(j);
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
	PARAM("ovs_rule", JSON_STR, ovs_rule),        /* null: the two default systems */
	PARAM("repeat", JSON_UINT, repeat),
	PARAM("seed", JSON_UINT, seed),
};
#undef PARAM

static void
json_params(struct json *j, const struct bench_params *p)
{
	json_kv_object_begin(j, "params");
	json_kv_fields(j, p, params_json, G_N_ELEMENTS(params_json));
	json_kv_array_begin(j, "ovs_builds");
	for (char **b = p->ovs_builds; b && *b; b++)
		json_string(j, *b);
	json_array_end(j);
	json_kv_array_begin(j, "tests");
	for (unsigned int n = 1; n <= 8; n++)
		if (BENCH_RUNS(p, n))
			json_uint(j, n);
	json_array_end(j);
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
	/* Each peer's, by its label ("ovs-vswitchd" alone, else
	 * "ovs-vswitchd-3.1", "ovs-vswitchd-3.5"). */
	for (unsigned int i = 0; i < run->p->n_peers; i++)
		json_kv_string(j, run->p->peers[i].label, peer_version(run, &run->p->peers[i]));
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
	/* Each repetition's order, shuffled with params.seed. */
	json_kv_array_begin(j, "repetitions");
	for (unsigned int r = 0; run->order && r < run->p->repeat; r++) {
		json_object_begin(j);
		json_kv_uint(j, "rep", r + 1);
		json_kv_array_begin(j, "order");
		for (guint k = 0; k < run->systems->len; k++)
			json_string(j, ((struct bench_system *)
					run->systems->pdata[run->order[r * run->systems->len + k]])->name);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
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

/* Each cell is the median over the repetitions in which the system and the
 * test ran, and the spread (min-max) when there is more than one: a
 * repetition in which either did not run is left out, never counted as 0. */

static bool
ok_status(const char *status)
{
	return status && !strcmp(status, "ok");
}

static bool
ok(const struct bench_system *s)
{
	return ok_status(s->status);
}

#define FIGS_MAX 6

/* A row's figures from one repetition: false when its test did not run
 * then; a figure NAN when the repetition has none (nothing received).
 * 'raw' is the raw limit's results of the same repetition, when it ran;
 * *user_clock is set when a figure holds probes timed by our clock. */
typedef bool (*figs_fn)(const struct bench_results *r, const struct bench_results *raw,
			double *v, bool *user_clock);

struct row {
	unsigned int n;                 /* figures, '/'-separated */
	int decimals;
	const char *none;               /* a figure no repetition had */
	bool vs_raw;                    /* needs the raw limit's repetition */
	figs_fn fn;
};

static double
loss_of(const struct bench_latency *l)
{
	return loss_pct(l->sent, l->received);
}

static bool
f_sockets(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	v[0] = r->sockets.netlink;
	return r->sockets.done;
}

static bool
lat4(const struct bench_latency *l, double *v, bool *uc)
{
	v[0] = l->s.min, v[1] = l->s.mean, v[2] = l->s.max, v[3] = l->s.sd;
	*uc |= l->user_clock != 0;
	return l->done;
}

static bool
pct(const struct bench_latency *l, double *v, bool *uc)
{
	v[0] = l->s.p50, v[1] = l->s.p99;
	*uc |= l->user_clock != 0;
	return l->done;
}

/* Loss over the probes actually sent, and those the sender socket refused
 * (named, never counted as lost). */
static bool
loss(const struct bench_latency *l, double *v)
{
	v[0] = loss_of(l), v[1] = (double)l->send_failures;
	return l->done;
}

static bool
load(const struct bench_latency *l, double *v)
{
	v[0] = l->load.per_s, v[1] = l->handled_per_s, v[2] = (double)l->load.errors;
	return l->done && l->loaded;
}

static bool
flood(const struct bench_flood *f, double *v)
{
	v[0] = f->offered_per_s, v[1] = f->per_s, v[2] = (double)f->send_errors;
	return f->done;
}

static bool
vs_raw(const struct bench_flood *f, const struct bench_flood *raw, double *v)
{
	double cpu = cpu_us_per_upcall(f), raw_cpu = cpu_us_per_upcall(raw);

	v[0] = raw->done && raw->per_s > 0 ? f->per_s / raw->per_s : NAN;
	v[1] = isfinite(raw_cpu) && raw_cpu > 0 ? cpu / raw_cpu : NAN;
	return f->done && raw->done;
}

static bool
f_one(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw;
	return lat4(&r->one_port, v, uc);
}

static bool
f_one_pct(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw;
	return pct(&r->one_port, v, uc);
}

static bool
f_one_loss(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return loss(&r->one_port, v);
}

static bool
f_all(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw;
	v[0] = r->avg_of_avgs, v[1] = r->mdev_of_avgs;
	*uc |= r->all_ports_user_clock != 0;
	return r->all_ports_done;
}

static bool
f_loaded(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	const struct bench_latency *l = &r->loaded_port;

	(void)raw;
	v[0] = l->s.mean, v[1] = l->s.sd;
	*uc |= l->user_clock != 0;
	return loss(l, v + 2);
}

static bool
f_loaded_pct(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw;
	return pct(&r->loaded_port, v, uc);
}

static bool
f_loaded_load(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return load(&r->loaded_port, v);
}

static bool
f_idle(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	lat4(&r->idle_port, v, uc);
	(void)raw;
	return loss(&r->idle_port, v + 4);
}

static bool
f_idle_pct(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw;
	return pct(&r->idle_port, v, uc);
}

static bool
f_idle_load(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return load(&r->idle_port, v);
}

/* Where frames were dropped while a test ran under load. */
static bool
drops(const struct bench_latency *l, double *v)
{
	v[0] = l->has_drops ? (double)l->probe_port_dropped : NAN;
	v[1] = l->has_drops ? (double)l->softnet_dropped : NAN;
	v[2] = l->has_drops ? (double)l->kernel_lost_all : NAN;
	v[3] = l->has_drops && l->has_overruns ? (double)l->overruns : NAN;
	return l->done && l->loaded;
}

/* The loss as the reference's tool (weed.c) counts it: probes not there
 * when the last was sent, over every probe it tried to send (it ignores
 * send errors: a probe the sender CPU's full backlog refused is lost). */
static bool
f_idle_late(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	const struct bench_latency *l = &r->idle_port;

	(void)raw, (void)uc;
	v[0] = l->has_drops ? loss_pct(l->sent + l->send_failures, l->received_at_last_send)
			    : NAN;
	return l->done && l->loaded;
}

static bool
f_loaded_drops(const struct bench_results *r, const struct bench_results *raw, double *v,
	       bool *uc)
{
	(void)raw, (void)uc;
	return drops(&r->loaded_port, v);
}

static bool
f_idle_drops(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return drops(&r->idle_port, v);
}

static bool
f_flood_rate(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return flood(&r->flood_rate, v);
}

static bool
f_cpu_rate(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	v[0] = cpu_us_per_upcall(&r->flood_rate);
	return r->flood_rate.done;
}

static bool
f_vs_raw_rate(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)uc;
	return vs_raw(&r->flood_rate, &raw->flood_rate, v);
}

static bool
f_flood_one(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return flood(&r->flood_one, v);
}

static bool
f_flood_all(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	return flood(&r->flood_all, v);
}

static bool
f_cpu_all(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	v[0] = cpu_us_per_upcall(&r->flood_all);
	return r->flood_all.done;
}

static bool
f_vs_raw_all(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)uc;
	return vs_raw(&r->flood_all, &raw->flood_all, v);
}

static bool
f_empty(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	v[0] = r->wakeups.has_empty ? ratio(r->wakeups.empty_wakeups, r->wakeups.handled) : NAN;
	return r->wakeups.done;
}

static bool
f_ctx(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	v[0] = r->wakeups.ctx_valid ? ratio(r->wakeups.ctx_voluntary, r->wakeups.handled) : NAN;
	return r->wakeups.done;
}

static bool
f_reorder(const struct bench_results *r, const struct bench_results *raw, double *v, bool *uc)
{
	(void)raw, (void)uc;
	v[0] = r->reorder.flows ? (double)r->reorder.reordered / r->reorder.flows : NAN;
	return r->reorder.done;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, min and max of n values (sorted in place); NAN when n == 0. */
struct spread {
	unsigned int n;
	double median, min, max;
};

static struct spread
spread_of(double *v, unsigned int n)
{
	struct spread s = { n, NAN, NAN, NAN };

	if (!n)
		return s;
	qsort(v, n, sizeof *v, cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

/* The spread of figure k of a row over the repetitions of 's' in which it
 * and the test ran; *runs how many those were. */
static struct spread
row_spread(const struct bench_system *s, const struct bench_system *raw, const struct row *row,
	   unsigned int k, unsigned int *runs, bool *user_clock)
{
	g_autofree double *vals = g_new(double, s->n_reps + 1);
	unsigned int n = 0;

	*runs = 0;
	for (unsigned int r = 0; r < s->n_reps; r++) {
		const struct bench_results *rr = NULL;
		double v[FIGS_MAX];

		if (!ok_status(s->reps[r].status))
			continue;
		if (raw && r < raw->n_reps && ok_status(raw->reps[r].status))
			rr = &raw->reps[r].res;
		if (row->vs_raw && !rr)
			continue;
		for (unsigned int i = 0; i < FIGS_MAX; i++)
			v[i] = NAN;
		if (!row->fn(&s->reps[r].res, rr, v, user_clock))
			continue;
		++*runs;
		if (isfinite(v[k]))
			vals[n++] = v[k];
	}
	return spread_of(vals, n);
}

static char *
cell(const struct bench_system *s, const struct bench_system *raw, const struct row *row)
{
	GString *c;
	unsigned int runs = 0;
	bool uc = false;

	if (!ok(s))
		return g_strdup(s->status);
	c = g_string_new(NULL);
	for (unsigned int k = 0; k < row->n; k++) {
		struct spread sp = row_spread(s, raw, row, k, &runs, &uc);

		if (k)
			g_string_append_c(c, '/');
		if (!sp.n)
			g_string_append(c, row->none);
		else if (sp.n == 1 || sp.min == sp.max)
			g_string_append_printf(c, "%.*f", row->decimals, sp.median);
		else
			g_string_append_printf(c, "%.*f [%.*f-%.*f]", row->decimals, sp.median,
					       row->decimals, sp.min, row->decimals, sp.max);
	}
	if (!runs) {
		g_string_free(c, TRUE);
		return g_strdup("n/a");
	}
	if (uc)
		g_string_append(c, " (user clock!)");
	if (runs < s->n_reps)
		g_string_append_printf(c, " (%u of %u runs)", runs, s->n_reps);
	return g_string_free(c, FALSE);
}

static const struct bench_system *
raw_system(const struct bench_run *run)
{
	const struct bench_system *other = NULL;

	/* The per-cpu raw limit, else the per-vport one (a kernel without
	 * per-cpu dispatch). */
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		if (s->kind != BENCH_RAW || !ok(s))
			continue;
		if (!strcmp(s->name, BENCH_RAW_NAME))
			return s;
		if (!other)
			other = s;
	}
	return other;
}

static void
md_row(GString *md, struct bench_run *run, const char *label, const struct row *row)
{
	const struct bench_system *raw = raw_system(run);

	if (row->vs_raw && !raw)
		return;
	/* A row is its test's ("6: ..."): none for a test --tests left out
	 * (5, the socket count, is always read). */
	if (label[0] >= '1' && label[0] <= '8' && label[1] == ':' && label[0] != '5' &&
	    !BENCH_RUNS(run->p, (unsigned int)(label[0] - '0')))
		return;
	g_string_append_printf(md, "| %s |", label);
	for (guint i = 0; i < run->systems->len; i++) {
		g_autofree char *c = cell(run->systems->pdata[i], raw, row);

		g_string_append_printf(md, " %s |", c);
	}
	g_string_append_c(md, '\n');
}

static char *
c_dispatch(const struct bench_system *s)
{
	if (!ok(s))
		return g_strdup(s->status);
	if (s->kind == BENCH_OVS)
		return g_strdup_printf("%s, %u handlers%s; `%s`%s", s->mode ? s->mode : s->name,
				       s->n_handlers, s->handlers_set ? " (set)" : "", s->rule,
				       !g_strcmp0(s->rule, BENCH_OVS_RULE) ? ", the reference's setup"
									: "");
	return g_strdup_printf("%s, %u handlers", s->mode ? s->mode : s->name, s->n_handlers);
}

/* Whether a figure of the run holds a probe timed by our clock. */
static bool
report_user_clock(const struct bench_run *run)
{
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		for (unsigned int k = 0; k < s->n_reps; k++) {
			const struct bench_results *r = &s->reps[k].res;

			if (r->one_port.user_clock || r->all_ports_user_clock ||
			    r->loaded_port.user_clock || r->idle_port.user_clock)
				return true;
		}
	}
	return false;
}

static const struct row
	R_SOCK = { 1, 0, "?", false, f_sockets },
	R_ONE = { 4, 1, "none received", false, f_one },
	R_ONE_PCT = { 2, 1, "none received", false, f_one_pct },
	R_ONE_LOSS = { 2, 0, "?", false, f_one_loss },
	R_ALL = { 2, 2, "none received", false, f_all },
	R_LOADED = { 4, 1, "none received", false, f_loaded },
	R_LOADED_PCT = { 2, 1, "none received", false, f_loaded_pct },
	R_LOADED_LOAD = { 3, 0, "?", false, f_loaded_load },
	R_IDLE = { 6, 1, "none received", false, f_idle },
	R_IDLE_PCT = { 2, 1, "none received", false, f_idle_pct },
	R_IDLE_LOAD = { 3, 0, "?", false, f_idle_load },
	R_LOADED_DROPS = { 4, 0, "not exposed", false, f_loaded_drops },
	R_IDLE_DROPS = { 4, 0, "not exposed", false, f_idle_drops },
	R_IDLE_LATE = { 1, 1, "n/a", false, f_idle_late },
	R_FLOOD_RATE = { 3, 0, "?", false, f_flood_rate },
	R_CPU_RATE = { 1, 1, "unknown", false, f_cpu_rate },
	R_VS_RATE = { 2, 2, "n/a", true, f_vs_raw_rate },
	R_FLOOD_ONE = { 3, 0, "?", false, f_flood_one },
	R_FLOOD_ALL = { 3, 0, "?", false, f_flood_all },
	R_CPU_ALL = { 1, 1, "unknown", false, f_cpu_all },
	R_VS_ALL = { 2, 2, "n/a", true, f_vs_raw_all },
	R_EMPTY = { 1, 2, "not exposed", false, f_empty },
	R_CTX = { 1, 2, "unknown (handler threads restarted)", false, f_ctx },
	R_REORDER = { 1, 1, "?", false, f_reorder };

/* ---- the ratio table: each system against the raw limit and the fair peer */

/* Figure k of 'row' in repetition r of s, or NAN (not run, nothing). */
static double
rep_figure(const struct bench_system *s, unsigned int r, const struct row *row, unsigned int k)
{
	double v[FIGS_MAX];
	bool uc = false;

	if (r >= s->n_reps || !ok_status(s->reps[r].status))
		return NAN;
	for (unsigned int i = 0; i < FIGS_MAX; i++)
		v[i] = NAN;
	return row->fn(&s->reps[r].res, NULL, v, &uc) ? v[k] : NAN;
}

/* s over 'base', repetition by repetition (the two ran side by side in
 * each): the median ratio [min-max], or a dash where no repetition had
 * both figures. */
static void
ratio_cell(GString *md, const struct bench_system *s, const struct bench_system *base,
	   const struct row *row, unsigned int k)
{
	g_autofree double *vals = g_new(double, s->n_reps + 1);
	unsigned int n = 0;
	struct spread sp;

	for (unsigned int r = 0; base && r < s->n_reps; r++) {
		double a = rep_figure(s, r, row, k), b = rep_figure(base, r, row, k);

		if (isfinite(a) && isfinite(b) && b > 0)
			vals[n++] = a / b;
	}
	sp = spread_of(vals, n);
	if (!sp.n)
		g_string_append(md, "-");
	else if (sp.n == 1 || sp.min == sp.max)
		g_string_append_printf(md, "%.2f", sp.median);
	else
		g_string_append_printf(md, "%.2f [%.2f-%.2f]", sp.median, sp.min, sp.max);
}

/* The fair Open vSwitch peer: the first with actions=LOCAL that ran. */
static const struct bench_system *
fair_peer(const struct bench_run *run)
{
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];

		if (s->kind == BENCH_OVS && ok(s) && !g_strcmp0(s->rule, BENCH_OVS_RULE_LOCAL))
			return s;
	}
	return NULL;
}

static const struct ratio_row {
	unsigned int test;
	const char *label;
	const struct row *row;
	unsigned int k;
} ratio_rows[] = {
	{ 1, "1: one port, median latency", &R_ONE_PCT, 0 },
	{ 1, "1: one port, p99 latency", &R_ONE_PCT, 1 },
	{ 2, "2: all ports, mdev of the per-port averages (fairness)", &R_ALL, 1 },
	{ 3, "3: one port under load, median latency", &R_LOADED_PCT, 0 },
	{ 3, "3: one port under load, p99 latency", &R_LOADED_PCT, 1 },
	{ 4, "4: idle port under load, median latency", &R_IDLE_PCT, 0 },
	{ 4, "4: idle port under load, p99 latency", &R_IDLE_PCT, 1 },
	{ 5, "5: netlink sockets", &R_SOCK, 0 },
	{ 6, "6: saturation, one flood port: handled frames/s (higher is better)", &R_FLOOD_ONE, 1 },
	{ 6, "6: saturation, all ports: handled frames/s (higher is better)", &R_FLOOD_ALL, 1 },
	{ 6, "6: saturation, all ports: handler CPU per upcall", &R_CPU_ALL, 0 },
	{ 7, "7: handler context switches per upcall", &R_CTX, 0 },
};

/* Every headline figure as a ratio: to the raw limit, then to the fair
 * peer (lower is better but where a row says otherwise). */
static void
md_ratios(GString *md, const struct bench_run *run)
{
	const struct bench_system *raw = raw_system(run), *fair = fair_peer(run);

	if (!raw && !fair)
		return;
	g_string_append_printf(md, "\nEach figure as a ratio, repetition by repetition: to %s%s%s "
			       "(median [min-max] of the per-repetition ratios; lower is better "
			       "unless the row says otherwise; - where either did not run).\n\n"
			       "| x %s / x %s |", raw ? "the raw limit" : "",
			       raw && fair ? ", then to " : "", fair ? fair->name : "",
			       raw ? raw->name : "-", fair ? fair->name : "-");
	for (guint i = 0; i < run->systems->len; i++)
		g_string_append_printf(md, " %s |",
				       ((struct bench_system *)run->systems->pdata[i])->name);
	g_string_append(md, "\n|---|");
	for (guint i = 0; i < run->systems->len; i++)
		g_string_append(md, "---|");
	g_string_append_c(md, '\n');
	for (size_t r = 0; r < G_N_ELEMENTS(ratio_rows); r++) {
		const struct ratio_row *rr = &ratio_rows[r];

		if (rr->test != 5 && !BENCH_RUNS(run->p, rr->test))
			continue;
		g_string_append_printf(md, "| %s |", rr->label);
		for (guint i = 0; i < run->systems->len; i++) {
			const struct bench_system *s = run->systems->pdata[i];

			g_string_append_c(md, ' ');
			if (!ok(s)) {
				g_string_append(md, s->status);
			} else {
				ratio_cell(md, s, raw, rr->row, rr->k);
				g_string_append(md, " / ");
				ratio_cell(md, s, fair, rr->row, rr->k);
			}
			g_string_append(md, " |");
		}
		g_string_append_c(md, '\n');
	}
}

/* Which Open vSwitch each peer is, and how it was set up. */
static void
md_peers(GString *md, const struct bench_run *run)
{
	for (unsigned int i = 0; i < run->p->n_peers; i++) {
		const struct bench_peer *peer = &run->p->peers[i];
		const char *version = peer_version(run, peer);
		unsigned int set = 0;

		for (guint k = 0; k < run->systems->len; k++) {
			const struct bench_system *s = run->systems->pdata[k];

			if (s->peer == peer && s->handlers_set)
				set = s->handlers_set;
		}
		g_string_append_printf(md, "%s%s: %s, %s%s, datapath type system, flow-limit=0",
				       i ? "; " : "Open vSwitch peers: ", peer->label,
				       version ? version : "version unknown",
				       peer->src ? "build " : "installed programs",
				       peer->src ? peer->src : "");
		if (set)
			g_string_append_printf(md, ", n-handler-threads=%u, "
					       "n-revalidator-threads=1", set);
	}
	if (run->p->n_peers)
		g_string_append(md, ".\n");
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
	l_loaded = g_strdup("3: one port under load on all ports: avg/mdev (us)/loss (%)/"
			    "probes not sent");
	l_idle = g_strdup("4: idle port while all others are loaded: min/avg/max/mdev (us)/"
			  "loss (%)/probes not sent");
	l_load3 = g_strdup_printf("3: load offered/handled frames/s/send failures (%s)", rate);
	l_load4 = g_strdup_printf("4: load offered/handled frames/s/send failures (%s)", rate);
	l_frate = g_strdup_printf("6: all %u ports at %s: offered/handled frames/s/send failures",
				  p->veths, rate);
	l_fone = g_strdup("6: saturation, one flood port: offered/handled frames/s/send failures");
	l_fall = g_strdup_printf("6: saturation, all %u ports flooded: offered/handled frames/s/"
				 "send failures", p->veths);
	l_wake = g_strdup("7: empty wakeups per upcall");
	l_reorder = g_strdup_printf("8: reordered packets per flow (%u flows of %u)",
				    p->reorder_flows, p->reorder_frames);
	g_string_append(md, "| dispatch |");
	for (guint i = 0; i < run->systems->len; i++) {
		g_autofree char *c = c_dispatch(run->systems->pdata[i]);

		g_string_append_printf(md, " %s |", c);
	}
	g_string_append_c(md, '\n');
	md_row(md, run, l_sock, &R_SOCK);
	md_row(md, run, l_one, &R_ONE);
	md_row(md, run, "1: median/p99 (us)", &R_ONE_PCT);
	md_row(md, run, "1: loss (%)/probes not sent", &R_ONE_LOSS);
	md_row(md, run, l_all, &R_ALL);
	md_row(md, run, l_loaded, &R_LOADED);
	md_row(md, run, "3: median/p99 (us)", &R_LOADED_PCT);
	md_row(md, run, l_load3, &R_LOADED_LOAD);
	md_row(md, run, "3: frames dropped: port 0's veth (backlog full)/all CPUs' backlogs/"
	       "upcalls lost (kernel)/socket overruns (handlers)", &R_LOADED_DROPS);
	md_row(md, run, l_idle, &R_IDLE);
	md_row(md, run, "4: median/p99 (us)", &R_IDLE_PCT);
	md_row(md, run, l_load4, &R_IDLE_LOAD);
	md_row(md, run, "4: frames dropped: idle port's probes (its veth's backlog full)/all CPUs' "
	       "backlogs/upcalls lost (kernel)/socket overruns (handlers)", &R_IDLE_DROPS);
	md_row(md, run, "4: not received when the last probe was sent (%, of probes tried): "
	       "loss as the reference's tool counts it, late and unsent probes too", &R_IDLE_LATE);
	if (p->rate) {
		md_row(md, run, l_frate, &R_FLOOD_RATE);
		md_row(md, run, "6: at that rate, handler CPU per upcall (us)", &R_CPU_RATE);
		md_row(md, run, "6: at that rate, vs the raw limit: handled/s, CPU per upcall (x)",
		       &R_VS_RATE);
	}
	md_row(md, run, l_fone, &R_FLOOD_ONE);
	md_row(md, run, l_fall, &R_FLOOD_ALL);
	md_row(md, run, "6: saturation, all ports: handler CPU per upcall (us)", &R_CPU_ALL);
	md_row(md, run, "6: saturation, all ports, vs the raw limit: handled/s, CPU per upcall (x)",
	       &R_VS_ALL);
	md_row(md, run, l_wake, &R_EMPTY);
	md_row(md, run, "7: handler context switches per upcall", &R_CTX);
	md_row(md, run, l_reorder, &R_REORDER);
	md_ratios(md, run);

	g_string_append_printf(md, "\n%u repetition%s, systems in a shuffled order each (seed %u)",
			       p->repeat, p->repeat == 1 ? "" : "s", p->seed);
	for (unsigned int r = 0; run->order && r < p->repeat; r++) {
		g_string_append_printf(md, "%s rep %u: ", r ? ";" : ":", r + 1);
		for (guint k = 0; k < run->systems->len; k++)
			g_string_append_printf(md, "%s%s", k ? ", " : "",
					       ((struct bench_system *)run->systems->pdata[
						       run->order[r * run->systems->len + k]])->name);
	}
	g_string_append(md, ".  Each figure is the median over the repetitions in which the "
			"system and the test ran, [min-max] when they differ; \"(k of N runs)\" "
			"when it ran in fewer than all, never counted as 0 where it did not; "
			"every repetition's raw figures are in bench.json.\n");
	g_string_append_printf(md, "Probes every %u us; tests 3 and 4: %u probes under pktgen "
			       "load (%u threads, %s in all, random source MAC, IP and UDP ports)%s; "
			       "test 6: %.1f s each; test 7: "
			       "%u frames %u ms apart.  Run took %.0f s.\n",
			       p->interval_us, p->load_probes, p->load_threads, rate,
			       run->load_ok ? "" : " -- NOT RUN: no load generator",
			       p->flood_s, p->wake_frames, p->wake_gap_ms, run->total_s);
	g_string_append(md, "Offered load is measured on the sender (pktgen's count and clock), "
			"handled load at the local port; loss is over the probes actually sent.\n");
	if (p->tests != BENCH_ALL_TESTS) {
		g_string_append(md, "Only tests");
		for (unsigned int n = 1; n <= 8; n++)
			if (BENCH_RUNS(p, n))
				g_string_append_printf(md, " %u", n);
		g_string_append(md, " ran (--tests); the others' rows are absent.\n");
	}
	md_peers(md, run);
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

		if (!ok(s)) {
			if (s->reason)
				g_string_append_printf(md, "- %s: %s: %s\n", s->name, s->status,
						       s->reason);
			continue;
		}
		/* The repetitions it did not run in, and why. */
		for (unsigned int r = 0; r < s->n_reps; r++)
			if (!ok_status(s->reps[r].status))
				g_string_append_printf(md, "- %s, repetition %u: %s: %s\n", s->name,
						       r + 1, s->reps[r].status ? s->reps[r].status
									: "not run",
						       s->reps[r].reason ? s->reps[r].reason
									 : "(no reason)");
	}
	if (!run->load_ok && run->load_why)
		g_string_append_printf(md, "- load: %s\n", run->load_why);
	return g_string_free(md, FALSE);
}

/* ---- plots --------------------------------------------------------------- */

/* A CDF over every repetition's probes of a test: sorted latencies and the
 * fraction of probes SENT at or below each, so that a lossy system's curve
 * ends below 1. */
static bool
write_cdf(const char *path, const struct bench_system *s, size_t offset)
{
	g_autofree double *v = NULL;
	size_t n = 0;
	uint64_t sent = 0;
	GString *out;
	bool r;

	for (unsigned int k = 0; k < s->n_reps; k++) {
		const struct bench_latency *l = (const void *)((const char *)&s->reps[k].res + offset);

		if (!ok_status(s->reps[k].status) || !l->done)
			continue;
		v = g_renew(double, v, n + l->n_lat + 1);
		memcpy(v + n, l->lat_us, l->n_lat * sizeof *v);
		n += l->n_lat;
		sent += l->sent;
	}
	if (n == 0)
		return false;
	qsort(v, n, sizeof *v, cmp_double);
	out = g_string_new("# latency_us fraction_of_sent (every repetition)\n");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(out, "%.3f %.6f\n", v[i], (double)(i + 1) / (double)sent);
	r = g_file_set_contents(path, out->str, (gssize)out->len, NULL);
	g_string_free(out, TRUE);
	return r;
}

/* A bar with its error bar: the median and min-max over the repetitions in
 * which the test ran; NaN (gnuplot draws no bar) when it ran in none, never
 * a 0. */
static void
bar(GString *dat, const struct bench_system *s, const struct row *row, unsigned int k)
{
	unsigned int runs;
	bool uc = false;
	struct spread sp = row_spread(s, NULL, row, k, &runs, &uc);

	g_string_append_printf(dat, " %.2f %.2f %.2f", sp.median, sp.min, sp.max);
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
	/* Per system: the median, min and max over the repetitions of each. */
	GString *loss = g_string_new("# system test3_loss_pct min max test4_loss_pct min max\n");
	GString *tput = g_string_new("# system one_port_per_s min max all_ports_per_s min max\n");
	GString *names[G_N_ELEMENTS(cdfs)];
	GString *vars = g_string_new(NULL);
	bool have_bars = false;

	g_mkdir_with_parents(data, 0755);
	for (size_t t = 0; t < G_N_ELEMENTS(cdfs); t++) {
		unsigned int k = 0;

		names[t] = g_string_new(NULL);
		for (guint i = 0; i < run->systems->len; i++) {
			const struct bench_system *s = run->systems->pdata[i];
			g_autofree char *file = g_strdup_printf("%s/cdf-%s-%u.dat", data,
								cdfs[t].test, k + 1);

			if (ok(s) && write_cdf(file, s, cdfs[t].offset)) {
				g_string_append_printf(names[t], "%s%s", k ? " " : "", s->name);
				k++;
			}
		}
	}
	for (guint i = 0; i < run->systems->len; i++) {
		const struct bench_system *s = run->systems->pdata[i];
		unsigned int runs3, runs4, runs1, runs_all;
		bool uc = false;

		if (!ok(s))
			continue;
		/* Loss is figure 2 of tests 3's and 4's rows, 4 of the idle one. */
		row_spread(s, NULL, &R_LOADED, 2, &runs3, &uc);
		row_spread(s, NULL, &R_IDLE, 4, &runs4, &uc);
		if (runs3 || runs4) {
			g_string_append_printf(loss, "\"%s\"", s->name);
			bar(loss, s, &R_LOADED, 2);
			bar(loss, s, &R_IDLE, 4);
			g_string_append_c(loss, '\n');
			have_bars = true;
		}
		row_spread(s, NULL, &R_FLOOD_ONE, 1, &runs1, &uc);
		row_spread(s, NULL, &R_FLOOD_ALL, 1, &runs_all, &uc);
		if (runs1 && runs_all) {
			g_string_append_printf(tput, "\"%s\"", s->name);
			bar(tput, s, &R_FLOOD_ONE, 1);
			bar(tput, s, &R_FLOOD_ALL, 1);
			g_string_append_c(tput, '\n');
		}
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
