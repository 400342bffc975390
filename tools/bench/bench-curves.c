/* bench-curves.c: `ovsdp-bench curves`: how what a dispatcher holds grows
 * with the bridge.  For each bridge size (ports) it builds one datapath,
 * then starts each dispatcher (and the raw limit) on it in a child process
 * of its own, so that one system's memory is never counted as another's:
 * upcall sockets, generic netlink sockets, the time to start, and the
 * resident memory it added.  Writes curves.json, curves.md, the data files
 * and, with gnuplot, a PNG per figure. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "bench.h"
#include "json.h"

#define CURVES_DP "ovsdpcurve"
#define CURVES_MAX_SIZES 32

struct curve_point {
	unsigned int ports;
	char status[16];                /* "ok", "unsupported", "failed" */
	char reason[256];
	unsigned int handlers;
	int64_t upcall_sockets;         /* -1: not known */
	int netlink_sockets;            /* the system's own: after start - before */
	double start_s;
	int64_t rss_kib;                /* resident memory it added */
};

struct curve {
	char *system;
	struct curve_point p[CURVES_MAX_SIZES];
};

struct curves_opts {
	char *ports;
	char *dispatchers;
	char *plugins_conf;
	int handlers;
	char *out;
	gboolean smoke, json, no_plots;
	unsigned int sizes[CURVES_MAX_SIZES];
	unsigned int n_sizes;
	char **systems;
};

static bool
parse_sizes(const char *text, struct curves_opts *o)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);

	o->n_sizes = 0;
	for (char **p = parts; *p; p++) {
		guint64 v;

		if (o->n_sizes == CURVES_MAX_SIZES ||
		    !g_ascii_string_to_unsigned(g_strstrip(*p), 10, 2, 65535, &v, NULL))
			return false;
		if (o->n_sizes && v <= o->sizes[o->n_sizes - 1])
			return false;
		o->sizes[o->n_sizes++] = (unsigned int)v;
	}
	return o->n_sizes > 0;
}

static bool
parse_curves_args(int argc, char **argv, struct curves_opts *o)
{
	GOptionEntry entries[] = {
		{ "ports", 0, 0, G_OPTION_ARG_STRING, &o->ports,
		  "Bridge sizes, increasing, comma-separated, local port included (default "
		  "10,100,500,1000,2000; --smoke 10,50)", "LIST" },
		{ "dispatchers", 'd', 0, G_OPTION_ARG_STRING, &o->dispatchers,
		  "Systems, comma-separated; 'raw' is the raw limit, 'raw-vport' the same in per-vport layout (default "
		  "raw,legacy,per-vport,per-cpu)", "LIST" },
		{ "handlers", 0, 0, G_OPTION_ARG_INT, &o->handlers,
		  "Handler threads (default: each dispatcher's own count)", "N" },
		{ "plugins-conf", 'c', 0, G_OPTION_ARG_FILENAME, &o->plugins_conf,
		  "plugins.conf to read (default: built-in defaults)", "FILE" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out,
		  "Write curves.json, curves.md, data/ and the PNGs to DIR", "DIR" },
		{ "smoke", 0, 0, G_OPTION_ARG_NONE, &o->smoke, "Two small sizes: shows it runs",
		  NULL },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &o->json, "Print JSON instead of markdown",
		  NULL },
		{ "no-plots", 0, 0, G_OPTION_ARG_NONE, &o->no_plots, "Do not run gnuplot", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- cost against bridge size");
	g_autoptr(GError) err = NULL;

	g_set_prgname("ovsdp-bench curves");
	g_option_context_set_summary(ctx,
		"For each bridge size, one datapath with that many ports; on it each\n"
		"dispatcher in a process of its own: upcall sockets, netlink sockets,\n"
		"start time and the resident memory it added.  Needs root and the\n"
		"openvswitch module; runs in a private network namespace.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "ovsdp-bench curves: %s (see --help)\n", err->message);
		return false;
	}
	if (argc > 1) {
		fprintf(stderr, "ovsdp-bench curves: unexpected argument '%s'\n", argv[1]);
		return false;
	}
	if (!parse_sizes(o->ports ? o->ports : o->smoke ? "10,50" : "10,100,500,1000,2000", o)) {
		fprintf(stderr, "ovsdp-bench curves: --ports wants at most %d increasing sizes "
			"of 2..65535, comma-separated (got '%s')\n", CURVES_MAX_SIZES, o->ports);
		return false;
	}
	if (o->handlers < 0 || o->handlers > OVSDP_HANDLERS_MAX) {
		fprintf(stderr, "ovsdp-bench curves: --handlers 0..%d\n", OVSDP_HANDLERS_MAX);
		return false;
	}
	o->systems = g_strsplit_set(o->dispatchers ? o->dispatchers
						   : BENCH_RAW_NAME ",legacy,per-vport,per-cpu",
				    ", ", -1);
	for (char **s = o->systems; *s; s++) {
		if (!**s)
			continue;
		if (!ovsdp_config_name_valid(*s)) {
			fprintf(stderr, "ovsdp-bench curves: '%s' is not a dispatcher name\n", *s);
			return false;
		}
	}
	return true;
}

/* VmRSS of this process, KiB; -1 when it cannot be read. */
static int64_t
rss_kib(void)
{
	g_autofree char *status = NULL;
	const char *p;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL) ||
	    !(p = strstr(status, "\nVmRSS:")))
		return -1;
	return (int64_t)g_ascii_strtoll(p + 7, NULL, 10);
}

/* In a child: start 'name' on o's datapath, measure, stop; the point goes
 * back through 'fd'. */
static void G_GNUC_NORETURN
measure_child(struct bench_ovsdp *o, const char *name, unsigned int handlers, int fd)
{
	struct bench_system sys = { .name = (char *)name };
	struct curve_point pt = { .upcall_sockets = -1 };
	g_autoptr(GError) err = NULL;
	int64_t rss0 = rss_kib(), t0;
	int nl0 = bench_netlink_sockets(0), r;

	t0 = bench_monotonic_ns();
	r = !bench_is_raw(name) ?
	    bench_ovsdp_start(o, &sys, handlers, &err) :
	    bench_raw_start(bench_ovsdp_dp(o), bench_ovsdp_features(o), &sys, handlers, &err);
	pt.start_s = (double)(bench_monotonic_ns() - t0) / 1e9;
	if (r < 0) {
		g_strlcpy(pt.status, r == -EOPNOTSUPP ? "unsupported" : "failed",
			  sizeof pt.status);
		g_strlcpy(pt.reason, err ? err->message : g_strerror(-r), sizeof pt.reason);
	} else {
		struct ovsdp_handlers_stats *st = NULL;

		g_strlcpy(pt.status, "ok", sizeof pt.status);
		pt.rss_kib = rss_kib() - rss0;
		pt.netlink_sockets = bench_netlink_sockets(0) - nl0;
		pt.handlers = sys.n_handlers;
		if (sys.raw)
			pt.upcall_sockets = bench_raw_sockets(&sys);
		else if (ovsdp_handlers_stats_new(sys.hs, &st) == 0 &&
			 ovsdp_handlers_stats_n_dispatchers(st))
			pt.upcall_sockets = (int64_t)ovsdp_handlers_stats_dispatcher(
				st, 0, OVSDP_DISPATCHER_SOCKETS);
		ovsdp_handlers_stats_free(st);
		if (sys.raw)
			bench_raw_stop(&sys);
		else
			bench_ovsdp_stop(o, &sys);
	}
	_exit(write(fd, &pt, sizeof pt) == (ssize_t)sizeof pt ? 0 : 1);
}

static void
measure(struct bench_ovsdp *o, const char *name, unsigned int handlers, struct curve_point *pt)
{
	int fds[2], status = 0;
	pid_t pid;
	ssize_t n;

	if (pipe(fds) < 0) {
		g_strlcpy(pt->status, "failed", sizeof pt->status);
		g_strlcpy(pt->reason, g_strerror(errno), sizeof pt->reason);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		measure_child(o, name, handlers, fds[1]);
	}
	close(fds[1]);
	n = pid > 0 ? read(fds[0], pt, sizeof *pt) : -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof *pt) {
		memset(pt, 0, sizeof *pt);
		g_strlcpy(pt->status, "failed", sizeof pt->status);
		g_snprintf(pt->reason, sizeof pt->reason, "the measuring process %s",
			   pid < 0 ? "could not start" :
			   WIFSIGNALED(status) ? "died on a signal" : "gave no result");
	}
}

static char *
json_curves(const struct curves_opts *o, const struct curve *c, unsigned int n_curves,
	    const double *dp_setup_s)
{
	struct json *j = json_new();
	struct utsname u;
	g_autofree char *body = NULL;

	uname(&u);
	json_object_begin(j);
	json_kv_string(j, "tool", "ovsdp-bench curves");
	json_kv_string(j, "version", OVSDP_VERSION);
	json_kv_string(j, "kernel", u.release);
	json_kv_uint(j, "vcpus", (uint64_t)g_get_num_processors());
	json_kv_bool(j, "emulated", g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0);
	json_kv_uint(j, "handlers_asked", (uint64_t)o->handlers);
	json_kv_array_begin(j, "sizes");
	for (unsigned int k = 0; k < o->n_sizes; k++) {
		json_object_begin(j);
		json_kv_uint(j, "ports", o->sizes[k]);
		json_kv_double(j, "datapath_setup_s", dp_setup_s[k]);
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_array_begin(j, "series");
	for (unsigned int i = 0; i < n_curves; i++) {
		json_object_begin(j);
		json_kv_string(j, "system", c[i].system);
		json_kv_array_begin(j, "points");
		for (unsigned int k = 0; k < o->n_sizes; k++) {
			const struct curve_point *p = &c[i].p[k];
			bool ok = !strcmp(p->status, "ok");

			json_object_begin(j);
			json_kv_uint(j, "ports", p->ports);
			json_kv_string(j, "status", p->status);
			json_kv_string(j, "reason", p->reason[0] ? p->reason : NULL);
			if (ok) {
				json_kv_uint(j, "handlers", p->handlers);
				json_key(j, "upcall_sockets");
				if (p->upcall_sockets >= 0)
					json_int(j, p->upcall_sockets);
				else
					json_null(j);
				json_kv_int(j, "netlink_sockets", p->netlink_sockets);
				json_kv_double(j, "start_s", p->start_s);
				json_kv_int(j, "rss_kib", p->rss_kib);
			}
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	body = json_steal_text(j);
	return g_strconcat(body, "\n", NULL);
}

static char *
curves_markdown(const struct curves_opts *o, const struct curve *c, unsigned int n_curves,
		const double *dp_setup_s)
{
	GString *md = g_string_new(NULL);

	g_string_append_printf(md, "Cost against bridge size, %u vCPUs%s: each cell is upcall "
			       "sockets / netlink sockets / start ms / RSS added (KiB).\n\n| ports | "
			       "datapath setup (s) |", g_get_num_processors(),
			       g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0 ? ", emulated lab" : "");
	for (unsigned int i = 0; i < n_curves; i++)
		g_string_append_printf(md, " %s |", c[i].system);
	g_string_append(md, "\n|---|---|");
	for (unsigned int i = 0; i < n_curves; i++)
		g_string_append(md, "---|");
	g_string_append_c(md, '\n');
	for (unsigned int k = 0; k < o->n_sizes; k++) {
		g_string_append_printf(md, "| %u | %.1f |", o->sizes[k], dp_setup_s[k]);
		for (unsigned int i = 0; i < n_curves; i++) {
			const struct curve_point *p = &c[i].p[k];

			if (strcmp(p->status, "ok"))
				g_string_append_printf(md, " %s |", p->status);
			else
				g_string_append_printf(md, " %" G_GINT64_FORMAT " / %d / %.0f / %"
						       G_GINT64_FORMAT " |", p->upcall_sockets,
						       p->netlink_sockets, p->start_s * 1e3,
						       p->rss_kib);
		}
		g_string_append_c(md, '\n');
	}
	for (unsigned int i = 0; i < n_curves; i++)
		for (unsigned int k = 0; k < o->n_sizes; k++)
			if (c[i].p[k].reason[0]) {
				g_string_append_printf(md, "- %s at %u ports: %s: %s\n", c[i].system,
						       c[i].p[k].ports, c[i].p[k].status,
						       c[i].p[k].reason);
				break;
			}
	return g_string_free(md, FALSE);
}

/* data/curve-N.dat per system and a gnuplot script drawing three PNGs. */
static char *
curves_plots(const struct curves_opts *o, const struct curve *c, unsigned int n_curves,
	     GError **error)
{
	g_autofree char *data = g_build_filename(o->out, "data", NULL);
	g_autofree char *gp_path = g_build_filename(data, "curves.gp", NULL);
	g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
	GString *gp = g_string_new(NULL);
	g_autofree char *out = NULL;
	static const struct { const char *png, *ylabel; int col; } fig[] = {
		{ "curve-upcall-sockets.png", "upcall sockets", 2 },
		{ "curve-start.png", "time to start (ms)", 4 },
		{ "curve-rss.png", "resident memory added (KiB)", 5 },
	};
	int st;

	if (g_mkdir_with_parents(data, 0755) < 0) {
		g_set_error(error, OVSDP_ERROR, errno, "%s: %s", data, g_strerror(errno));
		g_string_free(gp, TRUE);
		return NULL;
	}
	for (unsigned int i = 0; i < n_curves; i++) {
		g_autofree char *name = g_strdup_printf("curve-%u.dat", i + 1);
		g_autofree char *path = g_build_filename(data, name, NULL);
		GString *d = g_string_new("# ports upcall_sockets netlink_sockets start_ms rss_kib\n");

		for (unsigned int k = 0; k < o->n_sizes; k++) {
			const struct curve_point *p = &c[i].p[k];

			/* A size it did not run at is absent, never 0. */
			if (!strcmp(p->status, "ok"))
				g_string_append_printf(d, "%u %" G_GINT64_FORMAT " %d %.3f %"
						       G_GINT64_FORMAT "\n", p->ports,
						       p->upcall_sockets, p->netlink_sockets,
						       p->start_s * 1e3, p->rss_kib);
		}
		g_file_set_contents(path, d->str, -1, NULL);
		g_string_free(d, TRUE);
	}
	if (o->no_plots || !gnuplot) {
		g_string_free(gp, TRUE);
		return NULL;
	}
	g_string_append(gp, "set terminal pngcairo size 900,560 noenhanced font \",10\"\n"
			"set grid\nset key top left\nset xlabel \"ports on the bridge\"\n"
			"set logscale xy\n");
	for (unsigned int f = 0; f < G_N_ELEMENTS(fig); f++) {
		g_string_append_printf(gp, "set output \"%s/%s\"\nset ylabel \"%s\"\n"
				       "set title \"%s against bridge size\"\nplot ", o->out,
				       fig[f].png, fig[f].ylabel, fig[f].ylabel);
		for (unsigned int i = 0; i < n_curves; i++)
			g_string_append_printf(gp, "%s\"%s/curve-%u.dat\" using 1:($%d > 0 ? $%d : "
					       "1/0) with linespoints lw 2 title \"%s\"",
					       i ? ", " : "", data, i + 1, fig[f].col, fig[f].col,
					       c[i].system);
		g_string_append_c(gp, '\n');
	}
	g_file_set_contents(gp_path, gp->str, -1, NULL);
	g_string_free(gp, TRUE);
	{
		const char *argv[] = { gnuplot, gp_path, NULL };

		st = bench_run(argv, NULL, &out);
	}
	if (st != 0)
		return g_strdup_printf("gnuplot failed: %s", out ? g_strstrip(out) : "");
	return NULL;
}

int
bench_curves_main(int argc, char **argv)
{
	struct curves_opts o = { 0 };
	struct curve *c = NULL;
	unsigned int n_curves = 0;
	double dp_setup_s[CURVES_MAX_SIZES];
	g_autoptr(GError) err = NULL;
	g_autofree char *md = NULL, *json = NULL, *plot_err = NULL;
	int status = 1;

	if (!parse_curves_args(argc, argv, &o))
		return 2;
	if (geteuid() != 0) {
		fprintf(stderr, "ovsdp-bench curves: needs root (datapaths, ports)\n");
		return 1;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "ovsdp-bench curves: unshare(CLONE_NEWNET): %s\n", g_strerror(errno));
		return 1;
	}
	{
		/* Legacy dispatch holds ports x handlers sockets. */
		struct rlimit rl = { 1 << 20, 1 << 20 };

		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			rl.rlim_cur = rl.rlim_max = 65536;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* A bad --out is said now, not after minutes of measuring. */
	if (o.out && g_mkdir_with_parents(o.out, 0755) < 0) {
		fprintf(stderr, "ovsdp-bench curves: --out %s: %s\n", o.out, g_strerror(errno));
		goto out;
	}
	c = g_new0(struct curve, g_strv_length(o.systems));
	for (char **s = o.systems; *s; s++)
		if (**s)
			c[n_curves++].system = g_strdup(*s);
	for (unsigned int k = 0; k < o.n_sizes; k++) {
		struct bench_ovsdp *ob = NULL;
		int64_t t0 = bench_monotonic_ns();

		bench_progress("[%u ports] building the datapath", o.sizes[k]);
		if (bench_ovsdp_setup(CURVES_DP, o.sizes[k], NULL, 0, o.plugins_conf, &ob,
				      &err) < 0)
			goto out;
		dp_setup_s[k] = (double)(bench_monotonic_ns() - t0) / 1e9;
		for (unsigned int i = 0; i < n_curves; i++) {
			bench_progress("[%u ports] %s", o.sizes[k], c[i].system);
			measure(ob, c[i].system, (unsigned int)o.handlers, &c[i].p[k]);
			c[i].p[k].ports = o.sizes[k];
		}
		bench_progress("[%u ports] removing the datapath", o.sizes[k]);
		bench_ovsdp_free(ob, true);
	}
	bench_progress_done();
	json = json_curves(&o, c, n_curves, dp_setup_s);
	md = curves_markdown(&o, c, n_curves, dp_setup_s);
	if (o.out) {
		g_autofree char *jp = g_build_filename(o.out, "curves.json", NULL);
		g_autofree char *mp = g_build_filename(o.out, "curves.md", NULL);

		if (!g_file_set_contents(jp, json, -1, &err) ||
		    !g_file_set_contents(mp, md, -1, &err))
			goto out;
		plot_err = curves_plots(&o, c, n_curves, &err);
		if (err)
			goto out;
	}
	fputs(o.json ? json : md, stdout);
	if (plot_err)
		fprintf(stderr, "ovsdp-bench curves: %s\n", plot_err);
	status = 0;
	for (unsigned int i = 0; i < n_curves; i++)
		for (unsigned int k = 0; k < o.n_sizes; k++)
			if (!strcmp(c[i].p[k].status, "failed"))
				status = 1;
out:
	bench_progress_done();
	if (err)
		fprintf(stderr, "ovsdp-bench curves: %s\n", err->message);
	for (unsigned int i = 0; i < n_curves; i++)
		g_free(c[i].system);
	g_free(c);
	g_strfreev(o.systems);
	g_free(o.ports);
	g_free(o.dispatchers);
	g_free(o.plugins_conf);
	g_free(o.out);
	return status;
}
