/* bench-ab.c: `ovsdp-bench ab`: A/B-test two dispatchers on a live ovsdpd,
 * or with --ovs on an ovs-vswitchd running the ovsdp provider
 * (contrib/ovs/dpif-ovsdp.c).  It switches the running daemon between them
 * ("dispatch set NAME" on ovsdpd's control socket, `ovs-appctl
 * ovsdp/dispatch-set NAME` for vswitchd: a live switch, no restart), checks
 * that the daemon then names NAME as active, while probes flow, one
 * window per mode per round in ABBA order so that drift cancels out, and
 * reports each mode's latency and loss with 95 % confidence intervals over
 * rounds (t-based and bootstrap) and which one wins, if either does.  The
 * three metrics are compared at once, so each difference's interval is
 * Bonferroni-corrected (1 - 0.05/3) and the three verdicts together hold
 * at 95 %.  With --precision it adds rounds, up to --max-rounds, until
 * every difference is known that closely.
 * With --spawn it starts its own ovsdpd (with --ovs: ovsdb-server and an
 * ovs-vswitchd of contrib/ovs/build's, bridge br0 of datapath_type ovsdp,
 * rule actions=LOCAL, flow-limit=0) on a veth pair in a private network
 * namespace, so it runs anywhere the datapath does.  Only switching,
 * checking and setting up differ between the two daemons: measuring and
 * the report are the same. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"
#include "control.h"
#include "find-program.h"
#include "json.h"

#define AB_DP "ovsdpab"
#define BOOTSTRAP_RESAMPLES 4000
#define BOOTSTRAP_SEED 20181002u

struct ab_opts {
	char *a, *b;
	char *interval;
	double interval_s;
	int rounds;             /* at least, and exactly without --precision */
	int max_rounds;
	double precision_pct;   /* 0: a fixed number of rounds */
	char *socket;
	char *inject, *capture;
	int rate;               /* probes per second */
	gint64 load_pps;        /* pktgen on the inject device, 0: none */
	gboolean spawn;
	/* --ovs: ovs-vswitchd through ovs-appctl */
	gboolean ovs;
	char *appctl;           /* the ovs-appctl program */
	char *ovs_target;       /* its --target (NULL: its default, ovs-vswitchd) */
	char *datapath;         /* the provider's datapath (NULL: the one receiving) */
	char *ovs_build;        /* --spawn: contrib/ovs/build's directory */
	const char *const *ovs_env;     /* --spawn: the environment of our vswitchd */
	const char *daemon;     /* "ovsdpd" or "ovs-vswitchd" */
	char *out;
	gboolean json;
	/* what happened */
	int min_rounds;         /* --rounds as given (o->rounds: the rounds run) */
	const char *stopped;    /* "rounds", "precision" or "max-rounds" */
};

/* One window: one mode, one round. */
struct ab_window {
	uint64_t sent, received;
	double p50, mean, p99;  /* us; NAN when nothing arrived */
	double loss_pct;
	double switch_s;        /* how long "dispatch set" took */
	char *active;           /* the dispatcher the daemon named after the switch */
	double *lat;            /* every latency of the window */
	size_t n_lat;
};

struct ab_mode {
	const char *name;
	struct ab_window *w;    /* one per round */
};

struct ab_daemon {
	char *dir;
	char *socket;
	GPid pid;
	struct bench_ovs *ovs;          /* --ovs --spawn */
	struct bench_system ovs_sys;
};

static bool
parse_duration(const char *s, double *out)
{
	char *end = NULL;
	double v = g_ascii_strtod(s, &end);

	if (!s || end == s || !(v > 0))
		return false;
	if (!*end || !strcmp(end, "s"))
		*out = v;
	else if (!strcmp(end, "ms"))
		*out = v / 1000;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		*out = v * 60;
	else
		return false;
	return true;
}

static bool
parse_ab_args(int argc, char **argv, struct ab_opts *o)
{
	GOptionEntry entries[] = {
		{ "a", 'a', 0, G_OPTION_ARG_STRING, &o->a, "Dispatcher A (required)", "NAME" },
		{ "b", 'b', 0, G_OPTION_ARG_STRING, &o->b, "Dispatcher B (required)", "NAME" },
		{ "interval", 'i', 0, G_OPTION_ARG_STRING, &o->interval,
		  "Measuring window per mode and round, e.g. 5s or 500ms (default 5s)", "TIME" },
		{ "rounds", 'n', 0, G_OPTION_ARG_INT, &o->rounds,
		  "Rounds (default 5); with --precision, the fewest", "N" },
		{ "precision", 'p', 0, G_OPTION_ARG_DOUBLE, &o->precision_pct,
		  "Add rounds until each difference's corrected interval is at most PCT % of "
		  "the metric either side (half-width; default 0: a fixed --rounds)", "PCT" },
		{ "max-rounds", 0, 0, G_OPTION_ARG_INT, &o->max_rounds,
		  "With --precision, stop here even if it was not reached (default 30)", "N" },
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &o->socket,
		  "ovsdpd's control socket (default " CONTROL_SOCKET_DEFAULT ")", "PATH" },
		{ "inject", 0, 0, G_OPTION_ARG_STRING, &o->inject,
		  "Device to send probes on: its frames enter the daemon's datapath", "IFACE" },
		{ "capture", 0, 0, G_OPTION_ARG_STRING, &o->capture,
		  "Device where the daemon's policy delivers them (e.g. the local port)", "IFACE" },
		{ "rate", 'r', 0, G_OPTION_ARG_INT, &o->rate,
		  "Probes per second (default 1000)", "PPS" },
		{ "load-pps", 0, 0, G_OPTION_ARG_INT64, &o->load_pps,
		  "Background pktgen load on the inject device (default 0: none)", "PPS" },
		{ "spawn", 0, 0, G_OPTION_ARG_NONE, &o->spawn,
		  "Start an ovsdpd of our own (slowpath policy, a veth pair) in a private "
		  "network namespace, instead of using a running one; with --ovs an "
		  "ovs-vswitchd of --ovs-build's (bridge br0, datapath_type=ovsdp)", NULL },
		{ "ovs", 0, 0, G_OPTION_ARG_NONE, &o->ovs,
		  "Drive an ovs-vswitchd running the ovsdp provider (ovs-appctl "
		  "ovsdp/dispatch-set and dispatch-show) instead of ovsdpd", NULL },
		{ "appctl", 0, 0, G_OPTION_ARG_FILENAME, &o->appctl,
		  "With --ovs: the ovs-appctl program (default: ovs-appctl in PATH; with "
		  "--spawn, --ovs-build's)", "PATH" },
		{ "ovs-target", 0, 0, G_OPTION_ARG_FILENAME, &o->ovs_target,
		  "With --ovs: ovs-appctl's --target, a daemon name or a control socket "
		  "(default ovs-vswitchd, found as ovs-appctl finds it)", "TARGET" },
		{ "datapath", 'd', 0, G_OPTION_ARG_STRING, &o->datapath,
		  "With --ovs: the datapath to switch, e.g. ovs-ovsdp (default: the one the "
		  "provider receives upcalls on)", "DP" },
		{ "ovs-build", 0, 0, G_OPTION_ARG_FILENAME, &o->ovs_build,
		  "With --ovs --spawn: the Open vSwitch build with the ovsdp provider "
		  "('contrib/ovs/build --path'; default $OVSDP_OVS_DIR)", "DIR" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, "Write ab.json and ab.md to DIR",
		  "DIR" },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &o->json, "Print JSON instead of markdown", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- A/B-test two dispatchers live");
	g_autoptr(GError) err = NULL;

	/* The usage line names the whole command, not just "ab". */
	g_set_prgname("ovsdp-bench ab");
	g_option_context_set_summary(ctx,
		"Alternates a running ovsdpd between dispatchers A and B under live\n"
		"traffic (\"dispatch set\" on its control socket: no restart; with --ovs\n"
		"an ovs-vswitchd running the ovsdp provider, through ovs-appctl\n"
		"ovsdp/dispatch-set), checks after each switch that the daemon names\n"
		"the dispatcher asked for as active, measures probe latency and loss\n"
		"in each window, and reports both modes with 95 %\n"
		"confidence intervals over rounds and the winner (the three differences\n"
		"Bonferroni-corrected: 98.3 % each, 95 % together; --precision adds\n"
		"rounds until they are narrow enough).  Probes go out on\n"
		"--inject and are timed (SO_TIMESTAMPNS) on --capture; --spawn sets up\n"
		"all of it itself.\n"
		"\n"
		"On a live Open vSwitch host (--ovs without --spawn), --inject is a device\n"
		"whose frames enter a port of an ovsdp bridge (the peer of a veth port),\n"
		"--capture the bridge's local port, and for the probes to be upcalls\n"
		"the bridge sends them to user space: OpenFlow rule actions=LOCAL and\n"
		"other_config:flow-limit=0 (no datapath flow); ab warns when\n"
		"upcall/show reports a flow limit.\n"
		"\n"
		"Exit status: 0 on a report, 1 when the daemon or the measurement\n"
		"fails (its reason printed), 2 on usage errors.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "ovsdp-bench ab: %s (see --help)\n", err->message);
		return false;
	}
	if (argc > 1) {
		fprintf(stderr, "ovsdp-bench ab: unexpected argument '%s'\n", argv[1]);
		return false;
	}
	if (!o->a || !o->b || !ovsdp_config_name_valid(o->a) || !ovsdp_config_name_valid(o->b) ||
	    !strcmp(o->a, o->b)) {
		fprintf(stderr, "ovsdp-bench ab: --a and --b must name two different dispatchers\n");
		return false;
	}
	if (!o->interval)
		o->interval = g_strdup("5s");
	if (!parse_duration(o->interval, &o->interval_s) || o->interval_s > 3600) {
		fprintf(stderr, "ovsdp-bench ab: bad --interval '%s' (e.g. 5s, 500ms)\n", o->interval);
		return false;
	}
	if (o->rounds == 0)
		o->rounds = 5;
	if (o->max_rounds == 0)
		o->max_rounds = o->precision_pct > 0 ? MAX(30, o->rounds) : o->rounds;
	if (!(o->precision_pct >= 0 && o->precision_pct <= 1000) || o->max_rounds < o->rounds ||
	    o->max_rounds > 1000 || (o->max_rounds != o->rounds && o->precision_pct == 0)) {
		fprintf(stderr, "ovsdp-bench ab: --precision 0..1000 (%%), --max-rounds at least "
			"--rounds and at most 1000, and only with --precision\n");
		return false;
	}
	if (o->rate == 0)
		o->rate = 1000;
	if (o->rounds < 1 || o->rounds > 1000 || o->rate < 1 || o->rate > 100000 ||
	    o->load_pps < 0) {
		fprintf(stderr, "ovsdp-bench ab: --rounds 1..1000, --rate 1..100000\n");
		return false;
	}
	if (!o->ovs && (o->appctl || o->ovs_target || o->datapath || o->ovs_build)) {
		fprintf(stderr, "ovsdp-bench ab: --appctl, --ovs-target, --datapath and "
			"--ovs-build go with --ovs\n");
		return false;
	}
	if (o->ovs && o->socket) {
		fprintf(stderr, "ovsdp-bench ab: --socket is ovsdpd's; --ovs reaches ovs-vswitchd "
			"through ovs-appctl (--ovs-target)\n");
		return false;
	}
	if (o->ovs && o->spawn && o->ovs_target) {
		fprintf(stderr, "ovsdp-bench ab: --spawn starts its own ovs-vswitchd: no "
			"--ovs-target\n");
		return false;
	}
	if (o->ovs && o->spawn && !o->ovs_build && g_getenv("OVSDP_OVS_DIR"))
		o->ovs_build = g_strdup(g_getenv("OVSDP_OVS_DIR"));
	if (o->ovs && o->spawn && !o->ovs_build) {
		fprintf(stderr, "ovsdp-bench ab: --ovs --spawn needs --ovs-build DIR (an Open "
			"vSwitch build with the ovsdp provider: 'contrib/ovs/build --path')\n");
		return false;
	}
	if (o->ovs_build && !o->spawn) {
		fprintf(stderr, "ovsdp-bench ab: --ovs-build goes with --spawn\n");
		return false;
	}
	o->daemon = o->ovs ? "ovs-vswitchd" : "ovsdpd";
	/* --spawn: the build's own, once it is started. */
	if (o->ovs && !o->appctl && !o->spawn)
		o->appctl = g_strdup("ovs-appctl");
	if (!o->spawn && (!o->inject || !o->capture)) {
		fprintf(stderr, "ovsdp-bench ab: give --inject and --capture (or --spawn)\n");
		return false;
	}
	if (o->spawn && (o->inject || o->capture || o->socket)) {
		fprintf(stderr, "ovsdp-bench ab: --spawn makes its own daemon, devices and socket\n");
		return false;
	}
	if (!o->socket && !o->ovs)
		o->socket = g_strdup(CONTROL_SOCKET_DEFAULT);
	return true;
}

/* ---- the daemon ---------------------------------------------------------- */

static int
ctl(const char *socket, const char *const *argv, char **body, GError **error)
{
	bool ok = false;
	g_autofree char *reply = NULL;

	if (control_call(socket, true, argv, CONTROL_CLIENT_TIMEOUT_MS, &ok, &reply, error) < 0)
		return -EIO;
	if (!ok) {
		g_set_error(error, OVSDP_ERROR, EIO, "ovsdpd refused '%s %s': %s", argv[0],
			    argv[1] ? argv[1] : "", g_strstrip(reply));
		return -EIO;
	}
	if (body)
		*body = g_steal_pointer(&reply);
	return 0;
}

/* Switch ovsdpd to 'mode' and check that it says so. */
static int
ovsdpd_switch(const char *socket, const char *mode, double *seconds, char **active_out,
	      GError **error)
{
	const char *set[] = { "dispatch", "set", mode, NULL };
	const char *show[] = { "dispatch", "show", NULL };
	g_autofree char *body = NULL;
	g_autoptr(JsonNode) reply = NULL;
	g_autoptr(GError) perr = NULL;
	int64_t t0 = bench_monotonic_ns();
	const char *active;

	if (ctl(socket, set, NULL, error) < 0)
		return -EIO;
	*seconds = (double)(bench_monotonic_ns() - t0) / 1e9;
	if (ctl(socket, show, &body, error) < 0)
		return -EIO;
	reply = json_parse_text(body, &perr);
	if (!reply) {
		g_set_error(error, OVSDP_ERROR, EPROTO, "ovsdpd's 'dispatch show' reply is no JSON (%s)",
			    perr->message);
		return -EPROTO;
	}
	/* The running dispatcher, by name: "active" of the reply's object. */
	active = json_member_string(reply, "active");
	*active_out = g_strdup(active);
	if (!active || strcmp(active, mode)) {
		g_set_error(error, OVSDP_ERROR, EIO, "after 'dispatch set %s' ovsdpd reports: %s",
			    mode, g_strstrip(body));
		return -EIO;
	}
	return 0;
}

/* ---- ovs-vswitchd through ovs-appctl ------------------------------------- */

/* ovs-appctl's reply to 'cmd' (with the datapath, if given, and 'arg').
 * Its errors become messages that say what to do: no vswitchd, no ovsdp
 * provider in it, or the provider's own refusal (passed on as it is). */
static int
appctl(const struct ab_opts *o, const char *cmd, const char *arg, char **reply, GError **error)
{
	g_autofree char *target = o->ovs_target ? g_strdup_printf("--target=%s", o->ovs_target)
						: NULL;
	const char *argv[8];
	g_autofree char *out = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GString) why = g_string_new(NULL);
	size_t n = 0;
	int st;

	argv[n++] = o->appctl;
	if (target)
		argv[n++] = target;
	argv[n++] = "--timeout=120";
	argv[n++] = cmd;
	if (o->datapath)
		argv[n++] = o->datapath;
	if (arg)
		argv[n++] = arg;
	argv[n] = NULL;
	st = bench_run(argv, o->ovs_env, &out);
	if (st == 0) {
		*reply = g_steal_pointer(&out);
		return 0;
	}
	if (st < 0 && !strstr(out, "server returned an error")) {
		g_set_error(error, OVSDP_ERROR, EIO, "cannot run %s: %s (give its path with --appctl)",
			    o->appctl, g_strstrip(out));
		return -EIO;
	}
	/* ovs-appctl ends with a line of its own ("ovs-appctl: TARGET:
	 * server returned an error"); the server's text comes before it. */
	lines = g_strsplit(g_strstrip(out), "\n", -1);
	for (char **l = lines; *l; l++) {
		if (g_str_has_prefix(*l, "ovs-appctl: ") && strstr(*l, "server returned an error"))
			continue;
		/* Its own log lines ("2026-...|unixctl|WARN|...") repeat
		 * what its last line says. */
		if (g_ascii_isdigit(**l) && strstr(*l, "|WARN|"))
			continue;
		g_string_append_printf(why, "%s%s", why->len ? "; " : "", *l);
	}
	if (strstr(out, "is not a valid command")) {
		g_set_error(error, OVSDP_ERROR, EOPNOTSUPP,
			    "%s has no '%s' command: it does not run the ovsdp provider (an Open "
			    "vSwitch built by contrib/ovs/build is needed) [%s]",
			    o->ovs_target ? o->ovs_target : "ovs-vswitchd", cmd, why->str);
		return -EOPNOTSUPP;
	}
	if (!strstr(out, "server returned an error")) {
		/* No answer at all: no pidfile, no socket, nobody listening. */
		g_set_error(error, OVSDP_ERROR, ECONNREFUSED,
			    "cannot reach %s (is it running? --ovs-target names its control socket): %s",
			    o->ovs_target ? o->ovs_target : "ovs-vswitchd", why->str);
		return -ECONNREFUSED;
	}
	g_set_error(error, OVSDP_ERROR, EIO, "ovs-vswitchd refused '%s%s%s%s%s': %s", cmd,
		    o->datapath ? " " : "", o->datapath ? o->datapath : "", arg ? " " : "",
		    arg ? arg : "", why->str);
	return -EIO;
}

/* The dispatcher dispatch-show names: "DP: dispatcher NAME, N handlers". */
static char *
ovs_active(const char *show)
{
	const char *p = strstr(show, ": dispatcher ");
	char name[64];

	return p && sscanf(p, ": dispatcher %63[^, \n]", name) == 1 ? g_strdup(name) : NULL;
}

/* Switch ovs-vswitchd's provider to 'mode' and check that dispatch-show
 * names it.  The time is the provider's own ("switched to NAME in N ms",
 * its drain included), not ovs-appctl's start. */
static int
ovs_switch(const struct ab_opts *o, const char *mode, double *seconds, char **active,
	   GError **error)
{
	g_autofree char *reply = NULL, *show = NULL;
	int64_t t0 = bench_monotonic_ns();
	const char *in;

	if (appctl(o, "ovsdp/dispatch-set", mode, &reply, error) < 0)
		return -EIO;
	*seconds = (double)(bench_monotonic_ns() - t0) / 1e9;
	in = strstr(reply, " in ");
	if (in && g_str_has_suffix(g_strstrip(reply), " ms"))
		*seconds = g_ascii_strtod(in + 4, NULL) / 1000;
	if (appctl(o, "ovsdp/dispatch-show", NULL, &show, error) < 0)
		return -EIO;
	*active = ovs_active(show);
	if (!*active || strcmp(*active, mode)) {
		g_set_error(error, OVSDP_ERROR, EIO, "after 'ovsdp/dispatch-set %s' dispatch-show "
			    "reports: %s", mode, g_strstrip(show));
		return -EIO;
	}
	return 0;
}

/* Probes are upcalls only when vswitchd installs no datapath flow: say so
 * when upcall/show reports a flow limit (a warning: the operator may mean
 * to measure the fast path too). */
static void
ovs_check_flow_limit(const struct ab_opts *o)
{
	g_autofree char *show = NULL;
	g_autoptr(GError) e = NULL;
	const char *p;

	if (appctl(o, "upcall/show", NULL, &show, &e) < 0)
		return;
	p = strstr(show, "(limit ");
	if (p && g_ascii_strtoull(p + 7, NULL, 10) != 0)
		fprintf(stderr, "ovsdp-bench ab: warning: ovs-vswitchd's flow limit is %" G_GUINT64_FORMAT
			" (upcall/show): probes that hit a datapath flow are no upcalls; set "
			"other_config:flow-limit=0 to measure dispatch alone\n",
			g_ascii_strtoull(p + 7, NULL, 10));
}

/* Switch the daemon to 'mode' and check that it says so. */
static int
switch_to(const struct ab_opts *o, const char *mode, double *seconds, char **active,
	  GError **error)
{
	g_clear_pointer(active, g_free);
	if (o->ovs)
		return ovs_switch(o, mode, seconds, active, error);
	return ovsdpd_switch(o->socket, mode, seconds, active, error);
}

static void
daemon_stop(struct ab_daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
				d->pid = 0;
				break;
			}
			bench_sleep_ms(20);
		}
		if (d->pid > 0) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, NULL, 0);
			d->pid = 0;
		}
	}
	if (d->dir) {
		g_autofree char *conf = g_build_filename(d->dir, "ovsdpd.conf", NULL);
		g_autofree char *log = g_build_filename(d->dir, "ovsdpd.log", NULL);
		g_autofree char *pconf = g_build_filename(d->dir, "plugins.conf", NULL);

		unlink(conf);
		unlink(log);
		unlink(pconf);
		unlink(d->socket);
		rmdir(d->dir);
	}
	g_free(d->dir);
	g_free(d->socket);
	bench_ovs_free(d->ovs, true);
	g_free(d->ovs_sys.mode);
	g_free(d->ovs_sys.description);
	g_free(d->ovs_sys.version);
}

/* --spawn's network: a private namespace (no IPv6 chatter) with the veth
 * pair bd0 (the daemon's port) and bt0 (where probes are sent). */
static int
private_veth(GError **error)
{
	if (unshare(CLONE_NEWNET) < 0) {
		g_set_error(error, OVSDP_ERROR, errno, "unshare(CLONE_NEWNET): %s", g_strerror(errno));
		return -errno;
	}
	bench_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	bench_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	bench_link_up("lo", NULL);
	return bench_veth_add("bd0", "bt0", error);
}

/* A private namespace, a veth pair bd0/bt0 and an ovsdpd that sends every
 * upcall from bd0 to its local port: probes go in on bt0 and come out on
 * the local port. */
static int
daemon_spawn(struct ab_opts *o, struct ab_daemon *d, GError **error)
{
	static const char *const ovsdpd_fallback[] = { "/usr/sbin/ovsdpd", "/usr/local/sbin/ovsdpd",
						       NULL };
	g_autofree char *ovsdpd = tool_find_program("ovsdpd", "daemon", ovsdpd_fallback);
	g_autofree char *conf = NULL, *log = NULL, *text = NULL, *pconf = NULL;
	const char *status[] = { "status", NULL };
	int r;

	if (!ovsdpd) {
		g_set_error(error, OVSDP_ERROR, ENOENT, "ovsdpd not found (beside ovsdp-bench or in PATH)");
		return -ENOENT;
	}
	r = private_veth(error);
	if (r < 0)
		return r;
	d->dir = g_dir_make_tmp("ovsdp-bench-ab-XXXXXX", error);
	if (!d->dir)
		return -EIO;
	d->socket = g_build_filename(d->dir, "ovsdpd.sock", NULL);
	conf = g_build_filename(d->dir, "ovsdpd.conf", NULL);
	log = g_build_filename(d->dir, "ovsdpd.log", NULL);
	pconf = g_build_filename(d->dir, "plugins.conf", NULL);
	text = g_strdup_printf("[datapath]\nname = %s\ncreate = yes\ndelete-on-exit = yes\n"
			       "ports = bd0\n[policy]\ntype = slowpath\noutput = %s\n"
			       "[daemon]\ncontrol-socket = %s\nplugins-conf = %s\n",
			       AB_DP, AB_DP, d->socket, pconf);
	if (!g_file_set_contents(conf, text, -1, error))
		return -EIO;
	/* The dispatcher is plugins.conf's setting. */
	g_free(text);
	text = g_strdup_printf("[dispatch]\nmode = %s\n", o->a);
	if (!g_file_set_contents(pconf, text, -1, error))
		return -EIO;
	{
		const char *argv[] = { ovsdpd, "--config", conf, NULL };
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		/* The daemon logs to stderr: keep it in a file for errors. */
		if (fd < 0 || !g_spawn_async_with_fds(NULL, (char **)argv, NULL,
						      G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
						      &d->pid, -1, fd, fd, error)) {
			if (fd >= 0)
				close(fd);
			if (error && !*error)
				g_set_error(error, OVSDP_ERROR, errno, "%s: %s", log, g_strerror(errno));
			return -EIO;
		}
		close(fd);
	}
	for (int i = 0; i < 600; i++) {
		g_autoptr(GError) e = NULL;
		g_autofree char *body = NULL;

		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			g_autofree char *out = NULL;

			d->pid = 0;
			g_file_get_contents(log, &out, NULL, NULL);
			g_set_error(error, OVSDP_ERROR, EIO, "ovsdpd exited: %s",
				    out ? g_strstrip(out) : "");
			return -EIO;
		}
		if (ctl(d->socket, status, &body, &e) == 0)
			break;
		bench_sleep_ms(100);
	}
	r = bench_link_up(AB_DP, error);
	if (r < 0)
		return r;
	o->inject = g_strdup("bt0");
	o->capture = g_strdup(AB_DP);
	g_free(o->socket);
	o->socket = g_strdup(d->socket);
	return 0;
}

/* The same namespace and veth pair, with ovsdb-server and an ovs-vswitchd
 * of the given build: bridge br0 (datapath_type=ovsdp) on bd0, the one
 * rule actions=LOCAL and flow-limit=0, so that every probe from bt0 is an
 * upcall that vswitchd sends out of br0. */
static int
ovs_spawn_vswitchd(struct ab_opts *o, struct ab_daemon *d, GError **error)
{
	g_autofree char *src = g_build_filename(o->ovs_build, "src", NULL);
	char *veths[] = { "bd0", NULL };
	int r;

	r = private_veth(error);
	if (r < 0)
		return r;
	d->ovs_sys.rule = BENCH_OVS_RULE_LOCAL;
	r = bench_ovs_setup(src, "ovsdp", 2, veths, 1, 0, &d->ovs_sys, &d->ovs, error);
	if (r < 0)
		return r;
	o->ovs_env = bench_ovs_environ(d->ovs);
	if (!o->appctl)
		o->appctl = bench_ovs_program(d->ovs, BENCH_OVS_APPCTL);
	if (!o->datapath)
		o->datapath = g_strdup("ovs-ovsdp");
	/* The provider starts receiving once OVS has set its handlers up. */
	for (int i = 0;; i++) {
		g_autofree char *show = NULL;
		g_autoptr(GError) e = NULL;

		if (appctl(o, "ovsdp/dispatch-show", NULL, &show, &e) == 0)
			break;
		if (i == 120 || e->code == EOPNOTSUPP) {
			g_propagate_error(error, g_steal_pointer(&e));
			return -EIO;
		}
		bench_sleep_ms(500);
	}
	o->inject = g_strdup("bt0");
	o->capture = g_strdup(d->ovs_sys.local_dev);
	return 0;
}

/* ---- measuring ----------------------------------------------------------- */

static void
window_measure(struct ab_opts *o, struct bench_rx *rx, int fd, struct ab_window *w)
{
	uint32_t n = (uint32_t)MAX(1.0, round(o->interval_s * o->rate));
	struct bench_phase *ph = bench_phase_new(n, 1);
	struct bench_summary s;

	bench_rx_set_phase(rx, ph);
	w->sent = bench_probe_send_paced(fd, ph, 0, n, 1000000000 / o->rate, 0, true);
	bench_phase_wait(ph, w->sent, 300, 3000);
	bench_rx_set_phase(rx, NULL);
	w->lat = bench_phase_latencies(ph, 0, n, &w->n_lat);
	w->received = w->n_lat;
	bench_summarize(w->lat, w->n_lat, &s);
	w->p50 = s.p50;
	w->mean = s.mean;
	w->p99 = s.p99;
	w->loss_pct = w->sent ? 100.0 * (double)(w->sent - MIN(w->sent, w->received)) /
				(double)w->sent : NAN;
	bench_phase_free(ph);
}

/* Readable at any scale: "1571", "12.3", "0.0412". */
static char *
fmt_num(double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		return g_strdup("n/a");
	if (a >= 100)
		return g_strdup_printf("%.0f", v);
	if (a >= 1 || a == 0)
		return g_strdup_printf("%.1f", v);
	return g_strdup_printf("%.3g", v);
}

/* One metric compared over rounds. */
struct ab_compare {
	const char *metric;
	const char *unit;
	struct bench_ci a_t, b_t, a_boot, b_boot;       /* each mode, 95 % */
	struct bench_ci diff_t, diff_boot;      /* A - B, paired by round, at 'level' */
	double level;
	char *verdict;
};

/* The metrics compared at once: their differences' intervals are
 * Bonferroni-corrected so that all verdicts together hold at 95 %. */
#define AB_METRICS 3
#define AB_FAMILY_LEVEL 0.95
#define AB_LEVEL (1 - (1 - AB_FAMILY_LEVEL) / AB_METRICS)

static void
compare(struct ab_mode *m, int rounds, const char *metric, const char *unit,
	double (*get)(const struct ab_window *), struct ab_compare *c)
{
	g_autofree double *a = g_new(double, rounds);
	g_autofree double *b = g_new(double, rounds);
	g_autofree double *d = g_new(double, rounds);
	int n = 0, na = 0, nb = 0;

	c->metric = metric;
	c->unit = unit;
	c->level = AB_LEVEL;
	g_clear_pointer(&c->verdict, g_free);
	for (int r = 0; r < rounds; r++) {
		double x = get(&m[0].w[r]), y = get(&m[1].w[r]);

		if (isfinite(x))
			a[na++] = x;
		if (isfinite(y))
			b[nb++] = y;
		if (isfinite(x) && isfinite(y))
			d[n++] = x - y;
	}
	bench_ci_t(a, (size_t)na, &c->a_t);
	bench_ci_t(b, (size_t)nb, &c->b_t);
	bench_ci_bootstrap(a, (size_t)na, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, &c->a_boot);
	bench_ci_bootstrap(b, (size_t)nb, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, &c->b_boot);
	bench_ci_t_level(d, (size_t)n, c->level, &c->diff_t);
	bench_ci_bootstrap_level(d, (size_t)n, c->level, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED,
				 &c->diff_boot);
	/* Lower is better for both metrics.  The t interval decides; the
	 * bootstrap one is reported beside it as a check that needs no
	 * normality. */
	if (n < 2 || !isfinite(c->diff_t.lo)) {
		c->verdict = g_strdup("not enough rounds to tell (need 2 or more)");
	} else if (c->diff_t.hi < 0 || c->diff_t.lo > 0) {
		bool a_wins = c->diff_t.hi < 0;
		double sign = a_wins ? -1 : 1;
		g_autofree char *by = fmt_num(sign * c->diff_t.mean);
		g_autofree char *lo = fmt_num(a_wins ? -c->diff_t.hi : c->diff_t.lo);
		g_autofree char *hi = fmt_num(a_wins ? -c->diff_t.lo : c->diff_t.hi);

		c->verdict = g_strdup_printf("%s wins: lower by %s %s (%.1f %% CI %s..%s)",
					     m[a_wins ? 0 : 1].name, by, unit, 100 * c->level,
					     lo, hi);
	} else {
		c->verdict = g_strdup("no significant difference");
	}
}

static double get_p50(const struct ab_window *w) { return w->p50; }
static double get_p99(const struct ab_window *w) { return w->p99; }
static double get_loss(const struct ab_window *w) { return w->loss_pct; }

static void
compare_all(struct ab_mode *m, int rounds, struct ab_compare cmp[AB_METRICS])
{
	compare(m, rounds, "median latency", "us", get_p50, &cmp[0]);
	compare(m, rounds, "p99 latency", "us", get_p99, &cmp[1]);
	compare(m, rounds, "loss", "%", get_loss, &cmp[2]);
}

/* Whether every difference is known to within 'pct' % of the metric:
 * its interval's half-width against the larger of the two modes' means
 * (a metric both modes hold at 0, such as no loss, is known exactly). */
static bool
precise_enough(const struct ab_compare cmp[AB_METRICS], double pct)
{
	for (int i = 0; i < AB_METRICS; i++) {
		double half = (cmp[i].diff_t.hi - cmp[i].diff_t.lo) / 2;
		double scale = MAX(fabs(cmp[i].a_t.mean), fabs(cmp[i].b_t.mean));

		if (!isfinite(half) || half > pct / 100 * scale)
			return false;
	}
	return true;
}

/* The live switch's time: mean and max over a mode's windows. */
static void
switch_times(const struct ab_mode *m, int rounds, double *mean, double *max)
{
	double sum = 0;

	*max = 0;
	for (int r = 0; r < rounds; r++) {
		sum += m->w[r].switch_s;
		*max = MAX(*max, m->w[r].switch_s);
	}
	*mean = rounds ? sum / rounds : NAN;
}

static void
json_ci(struct json *j, const char *key, const struct bench_ci *ci)
{
	static const struct json_field ci_json[] = {
		JSON_FIELD("mean", JSON_DOUBLE, struct bench_ci, mean),
		JSON_FIELD("lo", JSON_DOUBLE, struct bench_ci, lo),
		JSON_FIELD("hi", JSON_DOUBLE, struct bench_ci, hi),
	};

	json_kv_object_begin(j, key);
	json_kv_fields(j, ci, ci_json, G_N_ELEMENTS(ci_json));
	json_object_end(j);
}

/* The options and how the run stopped, in the order bench.json has them. */
static const struct json_field opts_json[] = {
	JSON_FIELD("a", JSON_STR, struct ab_opts, a),
	JSON_FIELD("b", JSON_STR, struct ab_opts, b),
	JSON_FIELD("interval_s", JSON_DOUBLE, struct ab_opts, interval_s),
	JSON_FIELD("rounds", JSON_INT, struct ab_opts, rounds),
	JSON_FIELD("min_rounds", JSON_INT, struct ab_opts, min_rounds),
	JSON_FIELD("max_rounds", JSON_INT, struct ab_opts, max_rounds),
	JSON_FIELD("precision_pct", JSON_DOUBLE, struct ab_opts, precision_pct),
	JSON_FIELD("stopped", JSON_STR, struct ab_opts, stopped),
};

/* One round of one mode. */
static const struct json_field window_json[] = {
	JSON_FIELD("sent", JSON_U64, struct ab_window, sent),
	JSON_FIELD("received", JSON_U64, struct ab_window, received),
	JSON_FIELD("loss_pct", JSON_DOUBLE, struct ab_window, loss_pct),
	JSON_FIELD("p50_us", JSON_DOUBLE, struct ab_window, p50),
	JSON_FIELD("mean_us", JSON_DOUBLE, struct ab_window, mean),
	JSON_FIELD("p99_us", JSON_DOUBLE, struct ab_window, p99),
	JSON_FIELD("switch_s", JSON_DOUBLE, struct ab_window, switch_s),
	JSON_FIELD("active", JSON_STR, struct ab_window, active),
};

static char *
ab_json(struct ab_opts *o, struct ab_mode *m, struct ab_compare *cmp, size_t n_cmp)
{
	struct json *j = json_new();

	json_object_begin(j);
	json_kv_string(j, "tool", "ovsdp-bench ab");
	json_kv_string(j, "version", OVSDP_VERSION);
	json_kv_fields(j, o, opts_json, G_N_ELEMENTS(opts_json));
	json_kv_object_begin(j, "correction");
	json_kv_string(j, "method", "bonferroni");
	json_kv_int(j, "metrics", AB_METRICS);
	json_kv_double(j, "family_level", AB_FAMILY_LEVEL);
	json_kv_double(j, "level", AB_LEVEL);
	json_object_end(j);
	json_kv_int(j, "rate_pps", o->rate);
	json_kv_int(j, "load_pps", o->load_pps);
	json_kv_bool(j, "spawned", o->spawn);
	json_kv_string(j, "daemon", o->daemon);
	if (o->ovs) {
		json_kv_object_begin(j, "ovs");
		json_kv_string(j, "appctl", o->appctl);
		json_kv_string(j, "target", o->ovs_target);
		json_kv_string(j, "datapath", o->datapath);
		json_kv_string(j, "build", o->ovs_build);
		json_object_end(j);
	}
	json_kv_bool(j, "emulated", g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0);
	json_kv_array_begin(j, "modes");
	for (int k = 0; k < 2; k++) {
		g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(double));
		struct bench_summary s;
		uint64_t sent = 0, received = 0;

		json_object_begin(j);
		json_kv_string(j, "name", m[k].name);
		{
			double mean, max;

			switch_times(&m[k], o->rounds, &mean, &max);
			json_kv_double(j, "switch_mean_s", mean);
			json_kv_double(j, "switch_max_s", max);
		}
		json_kv_array_begin(j, "rounds");
		for (int r = 0; r < o->rounds; r++) {
			const struct ab_window *w = &m[k].w[r];

			json_object_begin(j);
			json_kv_fields(j, w, window_json, G_N_ELEMENTS(window_json));
			json_object_end(j);
			g_array_append_vals(all, w->lat, (guint)w->n_lat);
			sent += w->sent;
			received += w->received;
		}
		json_array_end(j);
		bench_summarize((double *)all->data, all->len, &s);
		json_kv_object_begin(j, "pooled");
		json_kv_uint(j, "sent", sent);
		json_kv_uint(j, "received", received);
		json_kv_double(j, "min_us", s.min);
		json_kv_double(j, "p50_us", s.p50);
		json_kv_double(j, "mean_us", s.mean);
		json_kv_double(j, "p99_us", s.p99);
		json_kv_double(j, "max_us", s.max);
		json_object_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_array_begin(j, "comparisons");
	for (size_t i = 0; i < n_cmp; i++) {
		json_object_begin(j);
		json_kv_string(j, "metric", cmp[i].metric);
		json_kv_string(j, "unit", cmp[i].unit);
		json_ci(j, "a_t95", &cmp[i].a_t);
		json_ci(j, "b_t95", &cmp[i].b_t);
		json_ci(j, "a_bootstrap95", &cmp[i].a_boot);
		json_ci(j, "b_bootstrap95", &cmp[i].b_boot);
		/* At the corrected level ('level'), not 95 %. */
		json_ci(j, "a_minus_b_t", &cmp[i].diff_t);
		json_ci(j, "a_minus_b_bootstrap", &cmp[i].diff_boot);
		json_kv_double(j, "level", cmp[i].level);
		json_kv_string(j, "verdict", cmp[i].verdict);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	return json_steal_text(j);
}

static char *
fmt_ci(const struct bench_ci *ci)
{
	g_autofree char *m = fmt_num(ci->mean), *lo = fmt_num(ci->lo), *hi = fmt_num(ci->hi);

	if (!isfinite(ci->lo))
		return g_steal_pointer(&m);
	return g_strdup_printf("%s [%s, %s]", m, lo, hi);
}

static char *
ab_markdown(struct ab_opts *o, struct ab_mode *m, struct ab_compare *cmp, size_t n_cmp)
{
	GString *md = g_string_new(NULL);

	g_autofree char *why = NULL;

	if (!strcmp(o->stopped, "precision"))
		why = g_strdup_printf(" (stopped when every difference was known to %g %%)",
				      o->precision_pct);
	else if (!strcmp(o->stopped, "max-rounds"))
		why = g_strdup_printf(" (the round limit: %g %% precision was not reached)",
				      o->precision_pct);
	g_string_append_printf(md, "A/B on a live %s%s%s: %s vs %s, %d rounds%s of %s per mode "
			       "(ABBA order), %d probes/s%s%s.\n\n", o->daemon,
			       o->datapath ? ", datapath " : "", o->datapath ? o->datapath : "",
			       o->a, o->b, o->rounds,
			       why ? why : "", o->interval, o->rate,
			       o->load_pps ? ", pktgen load" : "",
			       g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0 ?
			       "; emulated lab: compare the two, not the absolute times" : "");
	g_string_append_printf(md, "| metric (mean over rounds) | %s (95 %% CI) | %s (95 %% CI) | "
			       "%s - %s (paired, t, %.1f %% CI) | %s - %s (bootstrap, %.1f %% CI) | "
			       "verdict |\n|---|---|---|---|---|---|\n",
			       o->a, o->b, o->a, o->b, 100 * AB_LEVEL, o->a, o->b, 100 * AB_LEVEL);
	for (size_t i = 0; i < n_cmp; i++) {
		g_autofree char *a = fmt_ci(&cmp[i].a_t), *b = fmt_ci(&cmp[i].b_t);
		g_autofree char *dt = fmt_ci(&cmp[i].diff_t), *db = fmt_ci(&cmp[i].diff_boot);

		g_string_append_printf(md, "| %s (%s) | %s | %s | %s | %s | %s |\n", cmp[i].metric,
				       cmp[i].unit, a, b, dt, db, cmp[i].verdict);
	}
	g_string_append_printf(md, "\nThe %d metrics are compared at once: each difference's "
			       "interval is Bonferroni-corrected to %.1f %%, so that the %d "
			       "verdicts together hold with %.0f %% confidence.\n",
			       AB_METRICS, 100 * AB_LEVEL, AB_METRICS, 100 * AB_FAMILY_LEVEL);
	g_string_append_printf(md, "\nLive switch (`%s`, its drain included)",
			       o->ovs ? "ovs-appctl ovsdp/dispatch-set" : "dispatch set");
	for (int k = 0; k < 2; k++) {
		double mean, max;

		switch_times(&m[k], o->rounds, &mean, &max);
		g_string_append_printf(md, "%s to %s: %.3f s mean, %.3f s max", k ? ";" : "",
				       m[k].name, mean, max);
	}
	g_string_append(md, ".\n");
	g_string_append(md, "\nEach mode's distribution, every probe of every round pooled "
			"(latency in us):\n\n| mode | sent | received | loss | min | p50 | mean | "
			"p99 | max |\n|---|---|---|---|---|---|---|---|---|\n");
	for (int k = 0; k < 2; k++) {
		g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(double));
		struct bench_summary s;
		uint64_t sent = 0;

		for (int r = 0; r < o->rounds; r++) {
			g_array_append_vals(all, m[k].w[r].lat, (guint)m[k].w[r].n_lat);
			sent += m[k].w[r].sent;
		}
		bench_summarize((double *)all->data, all->len, &s);
		g_string_append_printf(md, "| %s | %" G_GUINT64_FORMAT " | %u | %.2f %% | %.1f | %.1f | "
				       "%.1f | %.1f | %.1f |\n", m[k].name, sent, all->len,
				       sent ? 100.0 * (double)(sent - MIN(sent, all->len)) / (double)sent
					    : NAN, s.min, s.p50, s.mean, s.p99, s.max);
	}
	g_string_append(md, "\nPer round (median latency us / loss %):\n\n| round |");
	for (int k = 0; k < 2; k++)
		g_string_append_printf(md, " %s |", m[k].name);
	g_string_append(md, "\n|---|---|---|\n");
	for (int r = 0; r < o->rounds; r++) {
		g_string_append_printf(md, "| %d |", r + 1);
		for (int k = 0; k < 2; k++)
			g_string_append_printf(md, " %.1f / %.1f |", m[k].w[r].p50, m[k].w[r].loss_pct);
		g_string_append_c(md, '\n');
	}
	return g_string_free(md, FALSE);
}

int
bench_ab_main(int argc, char **argv)
{
	struct ab_opts o = { 0 };
	struct ab_daemon d = { 0 };
	struct ab_mode m[2];
	struct ab_compare cmp[AB_METRICS] = { { 0 } };
	struct bench_rx *rx = NULL;
	struct bench_load *load = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *json = NULL, *md = NULL;
	int fd = -1, status = 1;

	if (!parse_ab_args(argc, argv, &o))
		return 2;
	if (geteuid() != 0) {
		fprintf(stderr, "ovsdp-bench ab: needs root (packet sockets, the %s)\n",
			o.ovs ? "daemon's control socket" : "control socket");
		return 1;
	}
	m[0] = (struct ab_mode){ o.a, g_new0(struct ab_window, o.max_rounds) };
	m[1] = (struct ab_mode){ o.b, g_new0(struct ab_window, o.max_rounds) };
	o.min_rounds = o.rounds;
	o.stopped = "rounds";
	if (o.spawn && o.ovs) {
		bench_progress("starting ovs-vswitchd from %s", o.ovs_build);
		if (ovs_spawn_vswitchd(&o, &d, &err) < 0)
			goto out;
	} else if (o.spawn) {
		bench_progress("starting ovsdpd (dispatcher %s)", o.a);
		if (daemon_spawn(&o, &d, &err) < 0)
			goto out;
	}
	if (o.ovs && !o.spawn)
		ovs_check_flow_limit(&o);
	fd = bench_packet_socket(o.inject, 0, &err);
	if (fd < 0)
		goto out;
	rx = bench_rx_start(o.capture, &err);
	if (!rx)
		goto out;
	if (o.load_pps > 0) {
		g_autofree char *why = NULL;
		char *devs[] = { o.inject, NULL };

		if (!bench_load_available(&why)) {
			g_set_error(&err, OVSDP_ERROR, ENOENT, "--load-pps: %s", why);
			goto out;
		}
		if (bench_load_start(devs, 1, 1, (uint64_t)o.load_pps, &load, &err) < 0)
			goto out;
	}
	for (int r = 0; r < o.max_rounds; r++) {
		/* With --precision: enough rounds once every difference is
		 * known closely enough (an even count keeps ABBA whole). */
		if (r >= o.min_rounds && o.precision_pct > 0 && r % 2 == 0) {
			compare_all(m, r, cmp);
			if (precise_enough(cmp, o.precision_pct)) {
				o.stopped = "precision";
				o.rounds = r;
				break;
			}
		}
		if (r >= o.min_rounds && o.precision_pct == 0) {
			o.rounds = r;
			break;
		}
		o.rounds = r + 1;
		if (o.precision_pct > 0 && r + 1 == o.max_rounds)
			o.stopped = "max-rounds";
		/* ABBA: each mode goes first in every other round. */
		for (int step = 0; step < 2; step++) {
			int k = (r % 2 == 0) ? step : 1 - step;
			struct ab_window *w = &m[k].w[r];

			bench_progress("round %d/%d: switching to %s", r + 1, o.max_rounds,
				       m[k].name);
			if (switch_to(&o, m[k].name, &w->switch_s, &w->active, &err) < 0)
				goto out;
			/* Let what the switch drained settle out of the window. */
			bench_sleep_ms(200);
			bench_progress("round %d/%d: %s for %s", r + 1, o.max_rounds, m[k].name,
				       o.interval);
			window_measure(&o, rx, fd, w);
		}
	}
	bench_progress_done();
	compare_all(m, o.rounds, cmp);
	if (!strcmp(o.stopped, "max-rounds") && precise_enough(cmp, o.precision_pct))
		o.stopped = "precision";
	json = ab_json(&o, m, cmp, G_N_ELEMENTS(cmp));
	md = ab_markdown(&o, m, cmp, G_N_ELEMENTS(cmp));
	if (o.out) {
		g_autofree char *jp = g_build_filename(o.out, "ab.json", NULL);
		g_autofree char *mp = g_build_filename(o.out, "ab.md", NULL);
		g_autofree char *jl = g_strconcat(json, "\n", NULL);

		if (g_mkdir_with_parents(o.out, 0755) < 0 ||
		    !g_file_set_contents(jp, jl, -1, &err) ||
		    !g_file_set_contents(mp, md, -1, &err)) {
			if (!err)
				g_set_error(&err, OVSDP_ERROR, errno, "%s: %s", o.out, g_strerror(errno));
			goto out;
		}
	}
	if (o.json)
		printf("%s\n", json);
	else
		fputs(md, stdout);
	status = 0;
out:
	bench_progress_done();
	if (err)
		fprintf(stderr, "ovsdp-bench ab: %s\n", err->message);
	bench_load_stop(load, NULL);
	bench_rx_stop(rx);
	if (fd >= 0)
		close(fd);
	daemon_stop(&d);
	for (int k = 0; k < 2; k++) {
		for (int r = 0; r < o.max_rounds && m[k].w; r++) {
			g_free(m[k].w[r].lat);
			g_free(m[k].w[r].active);
		}
		g_free(m[k].w);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(cmp); i++)
		g_free(cmp[i].verdict);
	g_free(o.a);
	g_free(o.b);
	g_free(o.interval);
	g_free(o.socket);
	g_free(o.inject);
	g_free(o.capture);
	g_free(o.out);
	g_free(o.appctl);
	g_free(o.ovs_target);
	g_free(o.datapath);
	g_free(o.ovs_build);
	return status;
}
