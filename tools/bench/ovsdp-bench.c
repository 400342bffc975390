/* ovsdp-bench.c: the benchmark harness.  In one network namespace it runs
 * the reference upcall tests (and sockets, throughput, wakeups, reordering)
 * against each dispatcher under test, embedded with a slowpath callback,
 * and against Debian's ovs-vswitchd on the same kernel (and any Open vSwitch
 * build given with --ovs-build), then writes JSON,
 * a markdown table shaped like the reference and gnuplot plots.
 * `ovsdp-bench ab ...` is the A/B mode on a live ovsdpd (bench-ab.c). */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "bench.h"

#define OUR_DP "ovsdpb"
#define EXIT_FAIL 1
#define EXIT_USAGE 2
/* The repetitions' order is shuffled with a fixed seed unless --seed says
 * otherwise: a run can be repeated as it was. */
#define BENCH_DEFAULT_SEED 19
#define BENCH_MAX_REPEAT 100

static struct bench_system *
system_new(const char *name, enum bench_kind kind)
{
	struct bench_system *s = g_new0(struct bench_system, 1);

	s->name = g_strdup(name);
	s->kind = kind;
	s->status = g_strdup("skipped");
	return s;
}

static void
system_free(gpointer data)
{
	struct bench_system *s = data;

	bench_results_clear(&s->res);
	for (unsigned int r = 0; s->reps && r < s->n_reps; r++) {
		bench_results_clear(&s->reps[r].res);
		g_free(s->reps[r].status);
		g_free(s->reps[r].reason);
	}
	g_free(s->reps);
	g_free(s->name);
	g_free(s->status);
	g_free(s->reason);
	g_free(s->description);
	g_free(s->mode);
	g_free(s->version);
	g_free(s->rule);
	g_free(s);
}

static void
system_set(struct bench_system *s, const char *status, const char *reason)
{
	g_free(s->status);
	g_free(s->reason);
	s->status = g_strdup(status);
	s->reason = g_strdup(reason);
}

/* Defaults: a full run fits the emulated lab (4 vCPUs) in about 15 minutes; --smoke
 * takes seconds per system and only shows that everything runs. */
static void
apply_defaults(struct bench_params *p, unsigned int cpus)
{
#define DEF(field, full_v, smoke_v) do { if (!p->field) p->field = p->smoke ? (smoke_v) : (full_v); } while (0)
	DEF(ports, BENCH_REF_PORTS, 12);
	DEF(ovs_ports, p->ports, p->ports);
	DEF(veths, 8, 2);
	DEF(probes, 20000, 40);
	DEF(interval_us, 1000, 1000);
	DEF(port_probes, 250, 15);
	DEF(load_probes, 1500, 60);
	DEF(load_threads, MAX(1, cpus / 2), 1);
	DEF(wake_frames, 100, 8);
	DEF(wake_gap_ms, 10, 10);
	DEF(reorder_flows, 4, 2);
	DEF(reorder_frames, 500, 40);
#undef DEF
	if (p->flood_s <= 0)
		p->flood_s = p->smoke ? 0.3 : 3.0;
	if (!p->dispatchers)
		p->dispatchers = g_strsplit(BENCH_RAW_NAME ",legacy,per-vport,per-cpu", ",", -1);
	if (p->veths > p->ports - 1)
		p->veths = p->ports - 1;
	if (p->reorder_flows > p->veths)
		p->reorder_flows = p->veths;
}

/* "1,3-4,6": each a test of the main bench, 1 to 8. */
static bool
parse_tests(const char *text, unsigned int *out)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);
	unsigned int mask = 0;

	for (char **t = parts; *t; t++) {
		guint64 lo, hi;
		char *dash = strchr(*t, '-');
		bool ok;

		if (dash) {
			*dash = '\0';
			ok = g_ascii_string_to_unsigned(*t, 10, 1, 8, &lo, NULL) &&
			     g_ascii_string_to_unsigned(dash + 1, 10, 1, 8, &hi, NULL) && lo <= hi;
			*dash = '-';
		} else {
			ok = g_ascii_string_to_unsigned(*t, 10, 1, 8, &lo, NULL);
			hi = lo;
		}
		if (!ok) {
			fprintf(stderr, "ovsdp-bench: --tests: '%s' is not a test number or range "
				"of 1 to 8 (as in 1,3-4,6)\n", *t);
			return false;
		}
		for (guint64 n = lo; n <= hi; n++)
			mask |= 1u << n;
	}
	if (!mask) {
		fprintf(stderr, "ovsdp-bench: --tests names no test\n");
		return false;
	}
	*out = mask;
	return true;
}

static bool
parse_args(int argc, char **argv, struct bench_params *p)
{
	g_autofree char *dispatchers = NULL, *tests = NULL;
	gboolean smoke = FALSE, no_ovs = FALSE, no_netns = FALSE, no_plots = FALSE;
	gboolean ovs_reference = FALSE;
	gint ports = 0, ovs_ports = 0, veths = 0, handlers = 0, probes = 0, interval = 0;
	gint port_probes = 0, load_probes = 0, load_threads = 0, wake = 0, flows = 0, frames = 0;
	/* Out of range on purpose: "not given", so that 0 and -1 are refused. */
	gint64 rate = -1, seed = G_MININT64;
	gint repeat = G_MININT;
	gdouble flood_s = 0;
	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &p->out,
		  "Write bench.json, bench.md, plot data and PNGs to DIR", "DIR" },
		{ "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke,
		  "Tiny counts: seconds per system, to show that everything runs", NULL },
		{ "dispatchers", 'd', 0, G_OPTION_ARG_STRING, &dispatchers,
		  "Dispatch plugins to test, comma-separated; 'raw' is the raw limit, 'raw-vport' the same in per-vport layout (default "
		  "raw,legacy,per-vport,per-cpu)", "LIST" },
		{ "no-ovs", 0, 0, G_OPTION_ARG_NONE, &no_ovs,
		  "Leave out the installed ovs-vswitchd (--ovs-build's still run)", NULL },
		{ "ovs-build", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &p->ovs_builds,
		  "Also an Open vSwitch build tree as a peer, on the stock system datapath type "
		  "(its src/, or the folder 'contrib/ovs/build --path' prints); repeatable; "
		  "peers are then named by version (ovs-vswitchd-3.5:LOCAL)", "DIR" },
		{ "ovs-rule", 0, 0, G_OPTION_ARG_STRING, &p->ovs_rule,
		  "One system per ovs-vswitchd peer with this OpenFlow rule instead of the two "
		  "(default: " BENCH_OVS_RULE_LOCAL ", then " BENCH_OVS_RULE ", the reference's setup)",
		  "RULE" },
		{ "ovs-reference", 0, 0, G_OPTION_ARG_NONE, &ovs_reference,
		  "With --smoke, also the reference's ovs-vswitchd setup", NULL },
		{ "plugins-conf", 'c', 0, G_OPTION_ARG_FILENAME, &p->plugins_conf,
		  "plugins.conf for plugin paths and options", "FILE" },
		{ "ports", 0, 0, G_OPTION_ARG_INT, &ports,
		  "Ports on each bridge, local port included (default 2223)", "N" },
		{ "ovs-ports", 0, 0, G_OPTION_ARG_INT, &ovs_ports,
		  "Ports on ovs-vswitchd's bridge (default: --ports)", "N" },
		{ "veths", 0, 0, G_OPTION_ARG_INT, &veths,
		  "Veth ports, where probes and load enter (default 8)", "N" },
		{ "handlers", 0, 0, G_OPTION_ARG_INT, &handlers,
		  "Handler threads for our dispatchers (default: the runtime's)", "N" },
		{ "probes", 0, 0, G_OPTION_ARG_INT, &probes,
		  "Test 1 probes (default 20000; the reference sent 100000)", "N" },
		{ "interval-us", 0, 0, G_OPTION_ARG_INT, &interval,
		  "Gap between probes (default 1000)", "US" },
		{ "port-probes", 0, 0, G_OPTION_ARG_INT, &port_probes,
		  "Test 2 probes per port (default 250)", "N" },
		{ "load-probes", 0, 0, G_OPTION_ARG_INT, &load_probes,
		  "Tests 3 and 4 probes (default 1500)", "N" },
		{ "load-threads", 0, 0, G_OPTION_ARG_INT, &load_threads,
		  "pktgen threads (default: half the CPUs)", "N" },
		{ "rate", 0, 0, G_OPTION_ARG_INT64, &rate,
		  "Offered load of tests 3, 4 and 6's first part in frames/s, all load ports "
		  "together (default 1000, --smoke 200: below saturation; 0: as fast as pktgen can)", "PPS" },
		{ "flood-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &flood_s,
		  "Test 6 duration of each part (default 3)", "S" },
		{ "wakeup-frames", 0, 0, G_OPTION_ARG_INT, &wake, "Test 7 frames (default 100)", "N" },
		{ "reorder-flows", 0, 0, G_OPTION_ARG_INT, &flows, "Test 8 flows (default 4)", "N" },
		{ "reorder-frames", 0, 0, G_OPTION_ARG_INT, &frames,
		  "Test 8 frames per flow (default 500)", "N" },
		{ "repeat", 0, 0, G_OPTION_ARG_INT, &repeat,
		  "Repetitions of every system, in a shuffled order each (default 3, --smoke 1); "
		  "the table shows medians and spreads", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "Seed of the repetitions' shuffled orders (default " G_STRINGIFY(BENCH_DEFAULT_SEED)
		  "; recorded in bench.json and the report)", "S" },
		{ "tests", 't', 0, G_OPTION_ARG_STRING, &tests,
		  "Tests to run, comma-separated numbers or ranges (default 1-8; 5, the socket "
		  "count, is always read)", "LIST" },
		{ "no-netns", 0, 0, G_OPTION_ARG_NONE, &no_netns,
		  "Run in the current network namespace instead of a private one", NULL },
		{ "no-plots", 0, 0, G_OPTION_ARG_NONE, &no_plots, "Do not run gnuplot", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx =
		g_option_context_new("| ab [OPTIONS] | curves [OPTIONS] | scaling [OPTIONS]");
	g_autoptr(GError) err = NULL;

	g_option_context_set_summary(ctx,
		"Upcall benchmarks of ovsdp's dispatchers side by side with ovs-vswitchd\n"
		"(the reference tests of OVS's per-vport dispatch patch, plus sockets,\n"
		"throughput, wakeups and reordering).  Needs root and the openvswitch\n"
		"module; runs in a private network namespace.  The peers: the installed\n"
		"ovs-vswitchd, and each Open vSwitch build given with --ovs-build.\n\n"
		"'ovsdp-bench ab --help' describes the A/B mode on a live ovsdpd or ovs-vswitchd,\n"
		"'ovsdp-bench curves --help' the cost of each dispatcher against bridge size,\n"
		"'ovsdp-bench scaling --help' upcalls/s and CPU against handlers and load CPUs.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "ovsdp-bench: %s (see --help)\n", err->message);
		return false;
	}
	if (argc > 1) {
		fprintf(stderr, "ovsdp-bench: unexpected argument '%s' (see --help)\n", argv[1]);
		return false;
	}
	if (ports < 0 || ovs_ports < 0 || veths < 0 || handlers < 0 || probes < 0 ||
	    interval < 0 || port_probes < 0 || load_probes < 0 || load_threads < 0 ||
	    rate < -1 || wake < 0 || flows < 0 || frames < 0 || flood_s < 0 ||
	    (ports && ports < 2) || (ovs_ports && ovs_ports < 2) || handlers > OVSDP_HANDLERS_MAX) {
		fprintf(stderr, "ovsdp-bench: counts must be positive (ports at least 2)\n");
		return false;
	}
	if ((repeat != G_MININT && (repeat < 1 || repeat > BENCH_MAX_REPEAT)) ||
	    (seed != G_MININT64 && (seed < 0 || seed > G_MAXUINT32))) {
		fprintf(stderr, "ovsdp-bench: --repeat is 1 to %d, --seed 0 to %u\n",
			BENCH_MAX_REPEAT, G_MAXUINT32);
		return false;
	}
	if (veths > 200 || flows > 64) {
		fprintf(stderr, "ovsdp-bench: at most 200 veth ports and 64 flows\n");
		return false;
	}
	p->smoke = smoke;
	p->ovs_reference = ovs_reference;
	p->ovs = !no_ovs;
	p->netns = !no_netns;
	p->plots = !no_plots;
	p->ports = (unsigned int)ports;
	p->ovs_ports = (unsigned int)ovs_ports;
	p->veths = (unsigned int)veths;
	p->handlers = (unsigned int)handlers;
	p->probes = (unsigned int)probes;
	p->interval_us = (unsigned int)interval;
	p->port_probes = (unsigned int)port_probes;
	p->load_probes = (unsigned int)load_probes;
	p->load_threads = (unsigned int)load_threads;
	p->rate = rate >= 0 ? (uint64_t)rate : smoke ? BENCH_SMOKE_RATE : BENCH_DEFAULT_RATE;
	p->flood_s = flood_s;
	p->repeat = repeat != G_MININT ? (unsigned int)repeat : smoke ? 1 : 3;
	p->seed = seed != G_MININT64 ? (guint32)seed : BENCH_DEFAULT_SEED;
	p->tests = BENCH_ALL_TESTS;
	if (tests && !parse_tests(tests, &p->tests))
		return false;
	p->wake_frames = (unsigned int)wake;
	p->reorder_flows = (unsigned int)flows;
	p->reorder_frames = (unsigned int)frames;
	if (bench_peers_make(p->ovs, p->ovs_builds, &p->peers, &p->n_peers, &err) < 0) {
		fprintf(stderr, "ovsdp-bench: %s\n", err->message);
		return false;
	}
	if (dispatchers) {
		p->dispatchers = g_strsplit_set(dispatchers, ", ", -1);
		for (char **d = p->dispatchers; *d; d++) {
			if (!**d)
				continue;
			if (!ovsdp_config_name_valid(*d) || !strcmp(*d, "ovs-vswitchd")) {
				fprintf(stderr, "ovsdp-bench: '%s' is not a dispatcher name\n", *d);
				return false;
			}
		}
	}
	return true;
}

static char *
iso_now(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
}

/* A private network namespace keeps the host's interfaces out of it, and
 * its end takes every port and datapath with it. */
int
bench_enter_netns(struct bench_params *p, GError **error)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };

	/* Legacy dispatch at 2223 ports wants ports x handlers sockets. */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		rl.rlim_cur = rl.rlim_max = 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (p->netns && unshare(CLONE_NEWNET) < 0) {
		g_set_error(error, OVSDP_ERROR, errno, "unshare(CLONE_NEWNET): %s",
			    g_strerror(errno));
		return -errno;
	}
	/* No router solicitations or other chatter from the new devices. */
	bench_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	bench_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	bench_link_up("lo", NULL);
	return 0;
}

/* "0-1,3" of a CPU set. */
static char *
cpu_list(const cpu_set_t *set)
{
	GString *s = g_string_new(NULL);

	for (int c = 0; c < CPU_SETSIZE; c++) {
		int e = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
			e++;
		g_string_append_printf(s, s->len ? ",%d" : "%d", c);
		if (e > c)
			g_string_append_printf(s, "-%d", e);
		c = e;
	}
	return g_string_free(s, FALSE);
}

/* The sender runs where pktgen's threads are bound (CPUs 0..threads-1);
 * the handlers get the CPUs left, when any are. */
void
bench_split_cpus(struct bench_env *env, struct bench_run *run)
{
	cpu_set_t all;

	CPU_ZERO(&env->sender_cpus);
	CPU_ZERO(&env->handler_cpus);
	env->n_sender_cpus = env->n_handler_cpus = 0;
	if (sched_getaffinity(0, sizeof all, &all) < 0)
		CPU_ZERO(&all);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		if ((unsigned int)c < env->p->load_threads) {
			CPU_SET(c, &env->sender_cpus);
			env->n_sender_cpus++;
		} else {
			CPU_SET(c, &env->handler_cpus);
			env->n_handler_cpus++;
		}
	}
	if (!env->n_sender_cpus)
		env->n_handler_cpus = 0;
	run->sender_cpus = cpu_list(&env->sender_cpus);
	run->handler_cpus = env->n_handler_cpus ? cpu_list(&env->handler_cpus) : g_strdup("");
}

int
bench_make_veths(struct bench_env *env, char ***bridge_ends, GError **error)
{
	unsigned int v = env->p->veths;

	env->n_veths = v;
	env->tx_names = g_new0(char *, v + 1);
	env->tx_fds = g_new0(int, v);
	*bridge_ends = g_new0(char *, v + 1);
	for (unsigned int i = 0; i < v; i++) {
		int r;

		(*bridge_ends)[i] = g_strdup_printf("bd%u", i);
		env->tx_names[i] = g_strdup_printf("bt%u", i);
		r = bench_veth_add((*bridge_ends)[i], env->tx_names[i], error);
		if (r < 0)
			return r;
		env->tx_fds[i] = bench_packet_socket(env->tx_names[i], 0, error);
		if (env->tx_fds[i] < 0)
			return env->tx_fds[i];
	}
	return 0;
}

static void
run_ours(struct bench_env *env, struct bench_ovsdp *o, struct bench_system *sys,
	 unsigned int index, unsigned int total)
{
	g_autoptr(GError) err = NULL;
	int64_t t0 = bench_monotonic_ns();
	int base, r;

	bench_progress("[%u/%u %s] starting the dispatcher on %u ports", index, total, sys->name,
		       bench_ovsdp_ports(o));
	base = bench_netlink_sockets(0);
	r = sys->kind == BENCH_RAW ?
	    bench_raw_start(bench_ovsdp_dp(o), bench_ovsdp_features(o), sys, env->p->handlers,
			    &err) :
	    bench_ovsdp_start(o, sys, env->p->handlers, &err);
	if (r == -EOPNOTSUPP) {
		system_set(sys, "unsupported", err->message);
		return;
	}
	if (r < 0) {
		system_set(sys, "failed", err->message);
		return;
	}
	sys->setup_s = (double)(bench_monotonic_ns() - t0) / 1e9;
	{
		struct ovsdp_handlers_stats *st = NULL;

		sys->res.sockets.ports = bench_ovsdp_ports(o);
		sys->res.sockets.netlink = bench_netlink_sockets(0) - base;
		sys->res.sockets.upcall_sockets = -1;
		if (sys->raw)
			sys->res.sockets.upcall_sockets = bench_raw_sockets(sys);
		else if (ovsdp_handlers_stats_new(sys->hs, &st) == 0 &&
		    ovsdp_handlers_stats_n_dispatchers(st))
			sys->res.sockets.upcall_sockets = (int64_t)
				ovsdp_handlers_stats_dispatcher(st, 0, OVSDP_DISPATCHER_SOCKETS);
		ovsdp_handlers_stats_free(st);
		sys->res.sockets.done = true;
	}
	bench_tests_run(env, sys, index, total);
	system_set(sys, "ok", NULL);
	bench_progress("[%u/%u %s] stopping", index, total, sys->name);
	if (sys->raw)
		bench_raw_stop(sys);
	else
		bench_ovsdp_stop(o, sys);
}

/* ovsdp's handler count, for ovs-vswitchd's n-handler-threads: --handlers,
 * else what our first system that ran used. */
static unsigned int
our_handlers(const struct bench_env *env)
{
	if (env->p->handlers)
		return env->p->handlers;
	for (guint i = 0; i < env->run->systems->len; i++) {
		const struct bench_system *s = env->run->systems->pdata[i];

		if (s->kind == BENCH_OVSDP && !strcmp(s->status, "ok") && s->n_handlers)
			return s->n_handlers;
	}
	return 0;
}

/* What the systems run on: our datapath or a peer's ovs-vswitchd, one at a
 * time.  ovs-vswitchd deletes every other datapath when it starts, so ours
 * is made again (with all its ports) when it comes back after ovs-vswitchd;
 * each peer has its own ovs-vswitchd, ovsdb and run directory. */
struct hosts {
	char **bridge_ends;
	struct bench_ovsdp *ours;
	struct bench_ovs *ovs;
	struct bench_peer *ovs_peer;    /* whose ovs-vswitchd runs */
};

static void
stop_ovs(struct bench_env *env, struct hosts *h)
{
	if (!h->ovs)
		return;
	bench_progress("stopping %s", h->ovs_peer->label);
	bench_rx_stop(env->rx);
	env->rx = NULL;
	/* Its datapath goes with it: the veths are free for ours again. */
	bench_ovs_free(h->ovs, true);
	h->ovs = NULL;
	h->ovs_peer = NULL;
}

/* Our datapath up with the veths on it and the receiver on its local port. */
static int
ours_ready(struct bench_env *env, struct hosts *h, GError **error)
{
	int r;

	stop_ovs(env, h);
	if (!h->ours) {
		int64_t t0 = bench_monotonic_ns();

		bench_progress("setup: datapath %s with %u ports", OUR_DP, env->p->ports);
		r = bench_ovsdp_setup(OUR_DP, env->p->ports, h->bridge_ends, env->p->veths,
				      env->p->plugins_conf, &h->ours, error);
		if (r < 0)
			return r;
		bench_progress("setup: %u ports in %.1f s", bench_ovsdp_ports(h->ours),
			       (double)(bench_monotonic_ns() - t0) / 1e9);
	}
	if (!env->rx) {
		env->rx = bench_rx_start(OUR_DP, error);
		if (!env->rx)
			return -EIO;
	}
	return 0;
}

/* One ovs-vswitchd system: its peer's ovs-vswitchd started when it is not
 * running (our datapath, or another peer's, deleted first: it would delete
 * it), else only its rule replaced. */
static void
run_ovs(struct bench_env *env, struct hosts *h, struct bench_system *sys, unsigned int index,
	unsigned int total)
{
	struct bench_peer *peer = sys->peer;
	g_autoptr(GError) err = NULL;
	int64_t t0;

	if (peer->why) {
		system_set(sys, "skipped", peer->why);
		return;
	}
	if (h->ovs && h->ovs_peer != peer)
		stop_ovs(env, h);
	if (!h->ovs && !bench_ovs_available(peer->src, &peer->why)) {
		system_set(sys, "skipped", peer->why);
		return;
	}
	if (!h->ovs && h->ours) {
		bench_progress("removing datapath %s", OUR_DP);
		bench_rx_stop(env->rx);
		env->rx = NULL;
		bench_ovsdp_free(h->ours, true);
		h->ours = NULL;
	}
	t0 = bench_monotonic_ns();
	if (!h->ovs) {
		bench_progress("[%u/%u %s] starting, %u ports", index, total, sys->name,
			       env->p->ovs_ports);
		/* A build's on the stock dpif-netlink, as the installed one. */
		if (bench_ovs_setup(peer->src, peer->src ? "system" : NULL, env->p->ovs_ports,
				    h->bridge_ends, env->n_veths, our_handlers(env), sys, &h->ovs,
				    &err) < 0) {
			system_set(sys, "failed", err->message);
			h->ovs = NULL;
			peer->why = g_strdup_printf("%s failed to start for %s", peer->label,
						    sys->name);
			return;
		}
		h->ovs_peer = peer;
		env->rx = bench_rx_start(sys->local_dev, &err);
		if (!env->rx) {
			system_set(sys, "failed", err->message);
			bench_ovs_free(h->ovs, true);
			h->ovs = NULL;
			h->ovs_peer = NULL;
			peer->why = g_strdup_printf("no receiver on %s's bridge", peer->label);
			return;
		}
	} else {
		bench_progress("[%u/%u %s] rule %s on the same ovs-vswitchd", index, total,
			       sys->name, sys->rule);
		if (bench_ovs_reuse(h->ovs, sys, &err) < 0) {
			system_set(sys, "failed", err->message);
			return;
		}
	}
	/* When it started here: ovsdb, ovs-vswitchd and every port; else only
	 * the rule's replacement. */
	sys->setup_s = (double)(bench_monotonic_ns() - t0) / 1e9;
	sys->res.sockets.ports = env->p->ovs_ports;
	sys->res.sockets.netlink = bench_netlink_sockets(sys->pid);
	sys->res.sockets.upcall_sockets = -1;
	sys->res.sockets.done = sys->res.sockets.netlink >= 0;
	bench_tests_run(env, sys, index, total);
	system_set(sys, "ok", NULL);
}

/* The host a system runs on: 0 our datapath, 1 + i peer i's ovs-vswitchd. */
static unsigned int
host_of(const struct bench_system *s)
{
	return s->kind == BENCH_OVS ? 1 + s->peer->index : 0;
}

/* Each repetition's order: the systems shuffled with the seed, then those
 * of one host (our datapath, each peer's ovs-vswitchd) kept together in the
 * shuffled order, the hosts in the order their first system came, so that
 * a repetition sets each up once.  In the first repetition our systems go
 * first when --handlers is not set: ovs-vswitchd's handler count is
 * theirs. */
static void
make_orders(struct bench_run *run)
{
	unsigned int n = run->systems->len, n_hosts = 1 + run->p->n_peers;
	g_autofree unsigned int *v = g_new(unsigned int, n);
	g_autofree unsigned int *hosts = g_new(unsigned int, n_hosts);
	GRand *g = g_rand_new_with_seed(run->p->seed);

	run->order = g_new(unsigned int, run->p->repeat * n);
	for (unsigned int r = 0; r < run->p->repeat; r++) {
		unsigned int *out = run->order + r * n, k = 0, n_seen = 0;

		bench_shuffle(g, v, n);
		if (r == 0 && !run->p->handlers)
			hosts[n_seen++] = 0;
		for (unsigned int i = 0; i < n; i++) {
			unsigned int host = host_of(run->systems->pdata[v[i]]), seen = 0;

			while (seen < n_seen && hosts[seen] != host)
				seen++;
			if (seen == n_seen)
				hosts[n_seen++] = host;
		}
		for (unsigned int hi = 0; hi < n_seen; hi++)
			for (unsigned int i = 0; i < n; i++)
				if (host_of(run->systems->pdata[v[i]]) == hosts[hi])
					out[k++] = v[i];
	}
	g_rand_free(g);
}

/* A system's description as one repetition left it; kept from an earlier
 * one when this one did not get as far as to say. */
static void
keep_str(char **now, char *before)
{
	if (*now)
		g_free(before);
	else
		*now = before;
}

static void
rep_run(struct bench_env *env, struct hosts *h, struct bench_system *sys, unsigned int rep_i,
	unsigned int index, unsigned int total, GError **error)
{
	struct bench_rep *rep = &sys->reps[rep_i];
	char *version = sys->version, *description = sys->description, *mode = sys->mode;

	sys->version = sys->description = sys->mode = NULL;
	system_set(sys, "skipped", NULL);
	sys->setup_s = 0;
	sys->pinned = 0;
	if (sys->kind != BENCH_OVS) {
		if (ours_ready(env, h, error) < 0)
			system_set(sys, "failed", (*error)->message);
		else
			run_ours(env, h->ours, sys, index, total);
	} else {
		run_ovs(env, h, sys, index, total);
	}
	keep_str(&sys->version, version);
	keep_str(&sys->description, description);
	keep_str(&sys->mode, mode);
	rep->status = g_strdup(sys->status);
	rep->reason = g_strdup(sys->reason);
	rep->position = index;
	rep->setup_s = sys->setup_s;
	rep->pinned = sys->pinned;
	rep->res = sys->res;
	memset(&sys->res, 0, sizeof sys->res);
}

/* A system's status over the run: ok when it ran in any repetition (those
 * where it did not say so in bench.json and under the table), else that of
 * its last repetition that got its turn. */
static void
system_summarize(struct bench_system *s, unsigned int repeat)
{
	for (unsigned int r = 0; r < repeat; r++)
		if (s->reps[r].status && !strcmp(s->reps[r].status, "ok")) {
			system_set(s, "ok", NULL);
			return;
		}
	for (unsigned int r = repeat; r-- > 0;)
		if (strcmp(s->reps[r].status, "not run")) {
			system_set(s, s->reps[r].status, s->reps[r].reason);
			return;
		}
	system_set(s, "skipped", "the run stopped before its turn");
}

static int
run_all(struct bench_run *run, GError **error)
{
	struct bench_params *p = run->p;
	struct bench_env env = { .p = p, .run = run };
	struct hosts h = { 0 };
	unsigned int n = run->systems->len;
	int r;

	r = bench_enter_netns(p, error);
	if (r < 0)
		return r;
	bench_progress("setup: %u veth pairs", p->veths);
	r = bench_make_veths(&env, &h.bridge_ends, error);
	if (r < 0)
		goto out;
	run->load_ok = bench_load_available(&run->load_why);
	bench_split_cpus(&env, run);
	make_orders(run);
	for (guint i = 0; i < n; i++) {
		struct bench_system *s = run->systems->pdata[i];

		s->reps = g_new0(struct bench_rep, p->repeat);
		s->n_reps = p->repeat;
	}
	for (unsigned int rep = 0; rep < p->repeat; rep++) {
		g_autofree char *prefix = g_strdup_printf("[rep %u/%u] ", rep + 1, p->repeat);

		bench_progress_prefix(prefix);
		for (unsigned int k = 0; k < n; k++) {
			struct bench_system *sys = run->systems->pdata[run->order[rep * n + k]];

			rep_run(&env, &h, sys, rep, k + 1, n, error);
			if (error && *error) {
				r = -EIO;
				goto out;
			}
		}
	}
	r = 0;
out:
	bench_progress_prefix(NULL);
	for (guint i = 0; i < n; i++) {
		struct bench_system *s = run->systems->pdata[i];

		for (unsigned int k = 0; k < s->n_reps; k++)
			if (!s->reps[k].status) {
				s->reps[k].status = g_strdup("not run");
				s->reps[k].reason = g_strdup("the run stopped before its turn");
			}
		if (s->reps)
			system_summarize(s, s->n_reps);
	}
	bench_rx_stop(env.rx);
	env.rx = NULL;
	if (h.ovs)
		bench_ovs_free(h.ovs, !p->netns);
	for (unsigned int i = 0; i < p->n_peers; i++)
		g_clear_pointer(&p->peers[i].why, g_free);
	/* In a private namespace its end removes everything at once, which is
	 * far quicker than deleting thousands of ports one by one. */
	bench_ovsdp_free(h.ours, !p->netns);
	g_strfreev(h.bridge_ends);
	for (unsigned int i = 0; i < env.n_veths; i++)
		if (env.tx_fds[i] > 0)
			close(env.tx_fds[i]);
	g_free(env.tx_fds);
	g_strfreev(env.tx_names);
	return r;
}

static void
add_ovs_system(struct bench_run *run, struct bench_peer *peer, const char *suffix,
	       const char *rule)
{
	g_autofree char *name = g_strconcat(peer->label, suffix, NULL);
	struct bench_system *s = system_new(name, BENCH_OVS);

	s->rule = g_strdup(rule);
	s->peer = peer;
	g_ptr_array_add(run->systems, s);
}

/* A peer's systems: the fair one, then the reference's setup (not in
 * --smoke: its time budget in CI); or one with --ovs-rule. */
static void
add_peer_systems(struct bench_run *run, struct bench_peer *peer)
{
	if (run->p->ovs_rule) {
		add_ovs_system(run, peer, "", run->p->ovs_rule);
		return;
	}
	add_ovs_system(run, peer, BENCH_OVS_SUFFIX_LOCAL, BENCH_OVS_RULE_LOCAL);
	if (!run->p->smoke || run->p->ovs_reference)
		add_ovs_system(run, peer, BENCH_OVS_SUFFIX_REF, BENCH_OVS_RULE);
}

/* What parse_args() left in 'p' (also after it failed). */
static void
params_clear(struct bench_params *p)
{
	g_clear_pointer(&p->dispatchers, g_strfreev);
	g_clear_pointer(&p->out, g_free);
	g_clear_pointer(&p->plugins_conf, g_free);
	g_clear_pointer(&p->ovs_rule, g_free);
	g_clear_pointer(&p->ovs_builds, g_strfreev);
	bench_peers_free(p->peers, p->n_peers);
	p->peers = NULL;
	p->n_peers = 0;
}

/* The command as given, each argument quoted where the shell needs it,
 * for the report: what reproduces the run. */
static char *
command_line(int argc, char **argv)
{
	GString *c = g_string_new(NULL);

	for (int i = 0; i < argc; i++) {
		bool plain = *argv[i] != '\0';

		for (const char *q = argv[i]; *q && plain; q++)
			plain = g_ascii_isalnum(*q) || strchr("-_./=,:+@%", *q);
		if (i)
			g_string_append_c(c, ' ');
		if (plain) {
			g_string_append(c, argv[i]);
		} else {
			g_autofree char *quoted = g_shell_quote(argv[i]);

			g_string_append(c, quoted);
		}
	}
	return g_string_free(c, FALSE);
}

int
main(int argc, char **argv)
{
	struct bench_params p = { 0 };
	struct bench_run run = { .p = &p };
	g_autoptr(GError) err = NULL;
	struct utsname u;
	int64_t t0 = bench_monotonic_ns();
	int status = 0;

	if (argc > 1 && !strcmp(argv[1], "ab"))
		return bench_ab_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "curves"))
		return bench_curves_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "scaling"))
		return bench_scaling_main(argc - 1, argv + 1);
	/* Before parsing, which takes the options out of argv. */
	run.command = command_line(argc, argv);
	if (!parse_args(argc, argv, &p)) {
		g_free(run.command);
		params_clear(&p);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ovsdp-bench: needs root (datapaths, veths, pktgen)\n");
		g_free(run.command);
		params_clear(&p);
		return EXIT_FAIL;
	}
	if (ovsdp_features_probe(&run.features, &err) < 0) {
		fprintf(stderr, "ovsdp-bench: %s\n", err->message);
		g_free(run.command);
		params_clear(&p);
		return EXIT_FAIL;
	}
	apply_defaults(&p, run.features.cpus_online);
	uname(&u);
	run.kernel = g_strdup(u.release);
	run.kernel_version = g_strdup(u.version);
	run.machine = g_strdup(u.machine);
	run.vcpus = run.features.cpus_online;
	run.lab_kernel = g_strdup(g_getenv("OVSDP_LAB_KERNEL"));
	run.emulated = g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0;
	run.started = iso_now();
	/* Its version comes from the plotting run itself: starting gnuplot
	 * just to ask takes half a minute in the emulated lab. */
	run.gnuplot_path = p.plots ? g_find_program_in_path("gnuplot") : NULL;
	run.systems = g_ptr_array_new_with_free_func(system_free);
	for (char **d = p.dispatchers; *d; d++)
		if (**d)
			g_ptr_array_add(run.systems, system_new(*d, bench_is_raw(*d) ?
								BENCH_RAW : BENCH_OVSDP));
	for (unsigned int i = 0; i < p.n_peers; i++)
		add_peer_systems(&run, &p.peers[i]);
	if (run.systems->len == 0) {
		fprintf(stderr, "ovsdp-bench: nothing to test\n");
		status = EXIT_USAGE;
		goto out;
	}

	if (run_all(&run, &err) < 0) {
		bench_progress_done();
		fprintf(stderr, "ovsdp-bench: %s\n", err->message);
		status = EXIT_FAIL;
		g_clear_error(&err);
	}
	run.total_s = (double)(bench_monotonic_ns() - t0) / 1e9;
	bench_progress("writing the report");
	if (p.out && bench_report_write(&run, p.out, &err) < 0) {
		bench_progress_done();
		fprintf(stderr, "ovsdp-bench: %s\n", err->message);
		status = EXIT_FAIL;
	}
	else if (p.out)
		bench_progress("report written to %s (%.0f s in all)", p.out,
			       (double)(bench_monotonic_ns() - t0) / 1e9);
	bench_progress_done();
	{
		g_autofree char *md = bench_report_markdown(&run);

		fputs(md, stdout);
	}
	for (guint i = 0; i < run.systems->len; i++) {
		struct bench_system *s = run.systems->pdata[i];

		/* A repetition that failed fails the run, even when others ran. */
		for (unsigned int r = 0; r < s->n_reps; r++)
			if (!strcmp(s->reps[r].status, "failed")) {
				fprintf(stderr, "ovsdp-bench: %s failed in repetition %u: %s\n",
					s->name, r + 1, s->reps[r].reason);
				status = EXIT_FAIL;
			}
		if (!s->n_reps && !strcmp(s->status, "failed")) {
			fprintf(stderr, "ovsdp-bench: %s failed: %s\n", s->name, s->reason);
			status = EXIT_FAIL;
		}
	}
out:
	g_ptr_array_free(run.systems, TRUE);
	g_free(run.order);
	g_strfreev(run.plots);
	params_clear(&p);
	g_free(run.command);
	g_free(run.started);
	g_free(run.kernel);
	g_free(run.kernel_version);
	g_free(run.machine);
	g_free(run.lab_kernel);
	g_free(run.load_why);
	g_free(run.sender_cpus);
	g_free(run.handler_cpus);
	g_free(run.gnuplot);
	g_free(run.gnuplot_path);
	g_free(run.plot_why);
	return status;
}
