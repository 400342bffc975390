/* bench-scaling.c: `ovsdp-bench scaling`: how each system's upcall rate and
 * CPU per upcall grow with its handler threads and with the CPUs the load
 * arrives on, and how an idle port fares beside more and more loaded ones.
 * One datapath, the main bench's tests (bench_flood, bench_under_load) as
 * the points, repetitions in a seeded shuffled order; writes scaling.json,
 * scaling.md, the data files and, with gnuplot, a PNG per figure. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "bench.h"
#include "json.h"

#define SCALING_DP "ovsdpscale"
#define SCALING_MAX_POINTS 32
#define SCALING_MAX_REPEAT 20
#define SCALING_SEED 19
#define EXIT_USAGE 2

/* The three sweeps: what varies, and the option that lists its values. */
enum sweep { SWEEP_HANDLERS, SWEEP_LOAD, SWEEP_LOADED, N_SWEEPS };
static const struct {
	const char *key;        /* in scaling.json and the data files' names */
	const char *option;
	const char *title;
} sweeps[N_SWEEPS] = {
	{ "handlers", "--handlers", "handlers" },
	{ "load_cpus", "--load-threads", "load CPUs" },
	{ "loaded_ports", "--loaded", "loaded ports" },
};

/* One repetition of one point. */
struct sample {
	bool done;
	unsigned int handlers, load_threads, load_ports;
	double seconds;
	uint64_t offered, send_errors, handled, lost;
	bool has_overruns;
	uint64_t overruns;
	double offered_per_s, handled_per_s, cpu_s, cpu_us_per_upcall;
	/* the idle port's probes (SWEEP_LOADED) */
	uint64_t probes_sent, probes_received, probe_send_failures;
	double loss_pct, p50_us;
};

/* A figure summarised over the repetitions, read from a struct sample. */
struct metric {
	const char *key;
	size_t offset;          /* of a double */
};
static const struct metric flood_metrics[] = {
	{ "offered_per_s", offsetof(struct sample, offered_per_s) },
	{ "handled_per_s", offsetof(struct sample, handled_per_s) },
	{ "cpu_us_per_upcall", offsetof(struct sample, cpu_us_per_upcall) },
};
static const struct metric idle_metrics[] = {
	{ "loss_pct", offsetof(struct sample, loss_pct) },
	{ "p50_us", offsetof(struct sample, p50_us) },
	{ "offered_per_s", offsetof(struct sample, offered_per_s) },
	{ "handled_per_s", offsetof(struct sample, handled_per_s) },
};

struct series {
	char *system;
	char status[16];        /* "ok", "unsupported", "failed", "skipped" */
	char *reason;
	char *note;             /* why a sweep has no points though it ran */
	unsigned int default_handlers;
	struct sample s[N_SWEEPS][SCALING_MAX_POINTS][SCALING_MAX_REPEAT];
};

struct scaling_opts {
	char *dispatchers, *lists[N_SWEEPS], *plugins_conf, *out;
	gint ports, veths, repeat, load_probes;
	gint64 seed;
	gdouble flood_s;
	gboolean smoke, json, no_plots;
	unsigned int x[N_SWEEPS][SCALING_MAX_POINTS], n_x[N_SWEEPS];
	unsigned int cpus;
	char **systems;
};

/* "1,2,4" or "1-4" or both ("1-3,6"): increasing values of [lo, hi]. */
static bool
parse_list(const char *text, unsigned int lo, unsigned int hi, unsigned int *out,
	   unsigned int *n)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);

	*n = 0;
	for (char **p = parts; *p; p++) {
		g_auto(GStrv) range = g_strsplit(g_strstrip(*p), "-", 3);
		guint64 a, b;

		if (!range[0] || !g_ascii_string_to_unsigned(range[0], 10, lo, hi, &a, NULL))
			return false;
		b = a;
		if (range[1] && (range[2] ||
				 !g_ascii_string_to_unsigned(range[1], 10, a, hi, &b, NULL)))
			return false;
		for (guint64 v = a; v <= b; v++) {
			if (*n == SCALING_MAX_POINTS || (*n && v <= out[*n - 1]))
				return false;
			out[(*n)++] = (unsigned int)v;
		}
	}
	return *n > 0;
}

static void
range_list(unsigned int from, unsigned int to, unsigned int *out, unsigned int *n)
{
	*n = 0;
	for (unsigned int v = from; v <= to && *n < SCALING_MAX_POINTS; v++)
		out[(*n)++] = v;
}

/* The load CPUs and handler counts not given: the load on 1..half the CPUs
 * (the main bench's sender), the handlers 1..the CPUs left to them. */
static void
default_lists(struct scaling_opts *o)
{
	unsigned int sender, handler_cpus;

	if (!o->lists[SWEEP_LOAD])
		range_list(1, o->smoke ? MIN(2, o->cpus) : MAX(1, o->cpus / 2), o->x[SWEEP_LOAD],
			   &o->n_x[SWEEP_LOAD]);
	sender = o->x[SWEEP_LOAD][o->n_x[SWEEP_LOAD] - 1];
	handler_cpus = o->cpus > sender ? o->cpus - sender : o->cpus;
	if (!o->lists[SWEEP_HANDLERS])
		range_list(1, o->smoke ? 2 : handler_cpus, o->x[SWEEP_HANDLERS],
			   &o->n_x[SWEEP_HANDLERS]);
	if (!o->lists[SWEEP_LOADED]) {
		static const unsigned int loaded[] = { 1, 2, 4, 7 };

		o->n_x[SWEEP_LOADED] = 0;
		if (o->smoke) {
			o->x[SWEEP_LOADED][o->n_x[SWEEP_LOADED]++] = 1;
			if (o->veths > 2)
				o->x[SWEEP_LOADED][o->n_x[SWEEP_LOADED]++] =
					(unsigned int)o->veths - 1;
		} else {
			for (unsigned int i = 0; i < G_N_ELEMENTS(loaded); i++)
				if (loaded[i] < (unsigned int)o->veths)
					o->x[SWEEP_LOADED][o->n_x[SWEEP_LOADED]++] = loaded[i];
		}
	}
}

static bool
usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* One line on stderr; false, for `return usage_error(...)`. */
static bool
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ovsdp-bench scaling: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

static bool
parse_scaling_args(int argc, char **argv, struct scaling_opts *o)
{
	GOptionEntry entries[] = {
		{ "dispatchers", 'd', 0, G_OPTION_ARG_STRING, &o->dispatchers,
		  "Systems, comma-separated; 'raw' is the raw limit, 'raw-vport' the same in per-vport layout (default "
		  "raw,legacy,per-vport,per-cpu)", "LIST" },
		{ "handlers", 0, 0, G_OPTION_ARG_STRING, &o->lists[SWEEP_HANDLERS],
		  "Handler counts of the first sweep, e.g. 1-4 or 1,2,4 (default 1..the CPUs "
		  "the handlers may use; --smoke 1,2)", "LIST" },
		{ "load-threads", 0, 0, G_OPTION_ARG_STRING, &o->lists[SWEEP_LOAD],
		  "pktgen threads, each on a CPU of its own, of the second sweep (default "
		  "1..half the CPUs; --smoke 1,2); the largest is the sender of the others",
		  "LIST" },
		{ "loaded", 0, 0, G_OPTION_ARG_STRING, &o->lists[SWEEP_LOADED],
		  "Loaded veth ports beside the idle one, third sweep (default 1,2,4,7; "
		  "--smoke 1 and veths-1)", "LIST" },
		{ "ports", 0, 0, G_OPTION_ARG_INT, &o->ports,
		  "Ports on the datapath, local port included (default 100, --smoke 12)", "N" },
		{ "veths", 0, 0, G_OPTION_ARG_INT, &o->veths,
		  "Veth ports, where the load and probes enter (default 8, --smoke 4)", "N" },
		{ "flood-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o->flood_s,
		  "Each flood's measured window (default 3, --smoke 0.3)", "S" },
		{ "load-probes", 0, 0, G_OPTION_ARG_INT, &o->load_probes,
		  "Probes on the idle port per point, 1 ms apart (default 1000, --smoke 60)", "N" },
		{ "repeat", 0, 0, G_OPTION_ARG_INT, &o->repeat,
		  "Repetitions, systems in a shuffled order each (default 3, --smoke 1)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed,
		  "Seed of the shuffled orders (default " G_STRINGIFY(SCALING_SEED) ")", "S" },
		{ "plugins-conf", 'c', 0, G_OPTION_ARG_FILENAME, &o->plugins_conf,
		  "plugins.conf to read (default: built-in defaults)", "FILE" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out,
		  "Write scaling.json, scaling.md, data/ and the PNGs to DIR", "DIR" },
		{ "smoke", 0, 0, G_OPTION_ARG_NONE, &o->smoke,
		  "One repetition, 0.3 s floods, two points per sweep: shows it runs", NULL },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &o->json, "Print JSON instead of markdown",
		  NULL },
		{ "no-plots", 0, 0, G_OPTION_ARG_NONE, &o->no_plots, "Do not run gnuplot", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx =
		g_option_context_new("- upcalls/s and CPU against handlers and load CPUs");
	g_autoptr(GError) err = NULL;
	static const unsigned int lo[N_SWEEPS] = { 1, 1, 1 };
	unsigned int hi[N_SWEEPS];

	g_set_prgname("ovsdp-bench scaling");
	g_option_context_set_summary(ctx,
		"On one datapath, each system (dispatcher or the raw limit) in three sweeps:\n"
		"every veth port flooded by pktgen with 1..N handler threads; the same\n"
		"flood sent from 1..K CPUs (a pktgen thread on each, so upcalls arrive\n"
		"on K CPUs) with the system's own handlers; and probes on an idle port\n"
		"beside 1..M ports under saturation.  Offered and handled frames/s,\n"
		"handler CPU time per upcall, idle-port loss and median latency; the\n"
		"median and [min-max] over the repetitions.  Needs root, the openvswitch\n"
		"module and pktgen; runs in a private network namespace.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	o->seed = G_MININT64;
	o->repeat = G_MININT;
	if (!g_option_context_parse(ctx, &argc, &argv, &err))
		return usage_error("%s (see --help)", err->message);
	if (argc > 1)
		return usage_error("unexpected argument '%s'", argv[1]);
	if (o->ports == 0)
		o->ports = o->smoke ? 12 : 100;
	if (o->veths == 0)
		o->veths = o->smoke ? 4 : 8;
	if (o->ports < 3 || o->ports > 65535 || o->veths < 2 || o->veths > 200 ||
	    o->veths > o->ports - 1)
		return usage_error("--ports 3..65535 and --veths 2..200, fewer than the ports");
	if (o->repeat == G_MININT)
		o->repeat = o->smoke ? 1 : 3;
	if (o->repeat < 1 || o->repeat > SCALING_MAX_REPEAT)
		return usage_error("--repeat is 1 to %d", SCALING_MAX_REPEAT);
	if (o->seed == G_MININT64)
		o->seed = SCALING_SEED;
	if (o->seed < 0 || o->seed > G_MAXUINT32)
		return usage_error("--seed is 0 to %u", G_MAXUINT32);
	if (o->flood_s == 0)
		o->flood_s = o->smoke ? 0.3 : 3.0;
	if (!(o->flood_s >= 0.1 && o->flood_s <= 600))
		return usage_error("--flood-seconds is 0.1 to 600");
	if (o->load_probes == 0)
		o->load_probes = o->smoke ? 60 : 1000;
	if (o->load_probes < 1 || o->load_probes > 1000000)
		return usage_error("--load-probes is 1 to 1000000");
	o->cpus = MAX(1, g_get_num_processors());
	hi[SWEEP_HANDLERS] = OVSDP_HANDLERS_MAX;
	hi[SWEEP_LOAD] = o->cpus;       /* pktgen has a thread per CPU */
	hi[SWEEP_LOADED] = (unsigned int)o->veths - 1;
	for (unsigned int w = 0; w < N_SWEEPS; w++)
		if (o->lists[w] && !parse_list(o->lists[w], lo[w], hi[w], o->x[w], &o->n_x[w]))
			return usage_error("%s wants at most %d increasing numbers of %u..%u or "
					   "ranges A-B, comma-separated (got '%s')",
					   sweeps[w].option, SCALING_MAX_POINTS, lo[w], hi[w],
					   o->lists[w]);
	default_lists(o);
	o->systems = g_strsplit_set(o->dispatchers ? o->dispatchers
						   : BENCH_RAW_NAME ",legacy,per-vport,per-cpu",
				    ", ", -1);
	for (char **s = o->systems; *s; s++)
		if (**s && !ovsdp_config_name_valid(*s))
			return usage_error("'%s' is not a dispatcher name", *s);
	return true;
}

/* ---- running the sweeps --------------------------------------------------- */

struct scaling {
	struct scaling_opts *o;
	struct bench_params p;
	struct bench_run run;
	struct bench_env env;
	struct bench_ovsdp *dp;
	struct series *series;
	unsigned int n_series;
	unsigned int *order;            /* repeat x series */
	unsigned int sender;            /* pktgen threads of the first and third sweeps */
	char **plots;
	char *plot_why;
};

static void
sample_from_flood(struct sample *s, const struct bench_flood *f, unsigned int handlers,
		  unsigned int threads)
{
	memset(s, 0, sizeof *s);
	if (!f->done)
		return;
	s->done = true;
	s->handlers = handlers;
	s->load_threads = threads;
	s->load_ports = f->ports;
	s->seconds = f->seconds;
	s->offered = f->offered;
	s->send_errors = f->send_errors;
	s->offered_per_s = f->offered_per_s;
	s->handled = f->handled;
	s->handled_per_s = f->per_s;
	s->lost = f->lost;
	s->has_overruns = f->has_overruns;
	s->overruns = f->overruns;
	s->cpu_s = f->cpu_s;
	s->cpu_us_per_upcall = f->handled ? f->cpu_s * 1e6 / (double)f->handled : NAN;
	s->loss_pct = s->p50_us = NAN;
}

static void
sample_from_latency(struct sample *s, const struct bench_latency *l, unsigned int handlers,
		    unsigned int threads)
{
	memset(s, 0, sizeof *s);
	if (!l->done)
		return;
	s->done = true;
	s->handlers = handlers;
	s->load_threads = threads;
	s->load_ports = l->load_ports;
	s->seconds = l->window_s;
	s->offered = l->load.sent;
	s->send_errors = l->load.errors;
	s->offered_per_s = l->load.per_s;
	s->handled = l->handled;
	s->handled_per_s = l->handled_per_s;
	s->lost = l->kernel_lost_all;
	s->has_overruns = l->has_overruns;
	s->overruns = l->overruns;
	s->cpu_s = s->cpu_us_per_upcall = NAN;
	s->probes_sent = l->sent;
	s->probes_received = l->received;
	s->probe_send_failures = l->send_failures;
	s->loss_pct = l->sent ? 100.0 * (double)(l->sent - MIN(l->sent, l->received)) /
				(double)l->sent : NAN;
	s->p50_us = l->s.p50;
}

/* What a start left in 'sys', gone before the next one. */
static void
system_reset(struct bench_system *sys)
{
	g_clear_pointer(&sys->version, g_free);
	g_clear_pointer(&sys->description, g_free);
	g_clear_pointer(&sys->mode, g_free);
}

/* Start se's system with n handlers (0: its own), its handler threads on
 * the handlers' CPUs.  False, with se's status, when it cannot run. */
static bool
start(struct scaling *sc, struct series *se, struct bench_system *sys, unsigned int n)
{
	g_autoptr(GError) err = NULL;
	int r = bench_system_start(sc->dp, sys, n, &err);

	if (r < 0) {
		/* A failure after it ran once is the run's failure too. */
		g_strlcpy(se->status, r == -EOPNOTSUPP ? "unsupported" : "failed",
			  sizeof se->status);
		g_free(se->reason);
		se->reason = g_strdup(err ? err->message : g_strerror(-r));
		system_reset(sys);
		return false;
	}
	if (sc->env.n_handler_cpus)
		bench_pin_threads(sys->pid, sys->thread_prefix, &sc->env.handler_cpus);
	g_strlcpy(se->status, "ok", sizeof se->status);
	return true;
}

static void
stop(struct scaling *sc, struct bench_system *sys)
{
	bench_system_stop(sc->dp, sys);
	system_reset(sys);
}

/* The idle port's probes go out from a thread on the sender's CPUs, as in
 * the main bench: not where the handlers run. */
struct idle_point {
	struct scaling *sc;
	struct bench_system *sys;
	struct bench_latency l;
	unsigned int first_load;
};

static void *
idle_thread(void *arg)
{
	struct idle_point *ip = arg;
	struct bench_env *env = &ip->sc->env;

	if (env->n_handler_cpus)
		sched_setaffinity(0, sizeof env->sender_cpus, &env->sender_cpus);
	bench_under_load(env, ip->sys, &ip->l, ip->first_load);
	return NULL;
}

static void
run_system(struct scaling *sc, struct series *se, unsigned int rep, const char *tag)
{
	struct scaling_opts *o = sc->o;
	struct bench_env *env = &sc->env;
	struct bench_system sys = { .name = se->system };

	sys.kind = bench_is_raw(se->system) ? BENCH_RAW : BENCH_OVSDP;
	for (unsigned int i = 0; i < o->n_x[SWEEP_HANDLERS]; i++) {
		unsigned int h = o->x[SWEEP_HANDLERS][i];
		struct bench_flood f = { 0 };

		bench_progress("%s %s: %u handlers, %u ports flooded by %u pktgen threads", tag,
			       se->system, h, env->n_veths, sc->sender);
		if (!start(sc, se, &sys, h))
			return;
		/* per-cpu takes one handler per CPU of the process's affinity,
		 * whatever it is asked: no handler sweep then. */
		if (sys.n_handlers != h) {
			g_free(se->note);
			se->note = g_strdup_printf("dictates its handler count (%u, asked for %u): "
						   "no points against handlers", sys.n_handlers, h);
			stop(sc, &sys);
			break;
		}
		sc->p.load_threads = sc->sender;
		bench_flood(env, &sys, &f, env->n_veths, 0);
		sample_from_flood(&se->s[SWEEP_HANDLERS][i][rep], &f, sys.n_handlers,
				  sc->sender);
		stop(sc, &sys);
	}
	if (!start(sc, se, &sys, 0))
		return;
	se->default_handlers = sys.n_handlers;
	for (unsigned int i = 0; i < o->n_x[SWEEP_LOAD]; i++) {
		unsigned int k = o->x[SWEEP_LOAD][i];
		struct bench_flood f = { 0 };

		bench_progress("%s %s: %u handlers, load from %u CPUs", tag, se->system,
			       sys.n_handlers, k);
		sc->p.load_threads = k;
		bench_flood(env, &sys, &f, env->n_veths, 0);
		sample_from_flood(&se->s[SWEEP_LOAD][i][rep], &f, sys.n_handlers, k);
	}
	sc->p.load_threads = sc->sender;
	for (unsigned int i = 0; i < o->n_x[SWEEP_LOADED]; i++) {
		unsigned int m = o->x[SWEEP_LOADED][i];
		struct idle_point ip = { sc, &sys, { 0 }, env->n_veths - m };
		pthread_t th;

		bench_progress("%s %s: idle port, %u ports under saturation", tag, se->system, m);
		if (pthread_create(&th, NULL, idle_thread, &ip) == 0)
			pthread_join(th, NULL);
		sample_from_latency(&se->s[SWEEP_LOADED][i][rep], &ip.l, sys.n_handlers,
				    sc->sender);
		g_free(ip.l.lat_us);
	}
	stop(sc, &sys);
}

/* Each repetition's order of the systems, shuffled with the seed. */
static void
make_order(struct scaling *sc)
{
	unsigned int n = sc->n_series;
	GRand *g = g_rand_new_with_seed((guint32)sc->o->seed);

	sc->order = g_new(unsigned int, (size_t)sc->o->repeat * n);
	for (unsigned int r = 0; r < (unsigned int)sc->o->repeat; r++)
		bench_shuffle(g, sc->order + (size_t)r * n, n);
	g_rand_free(g);
}

static int
run_sweeps(struct scaling *sc, GError **error)
{
	struct scaling_opts *o = sc->o;
	g_auto(GStrv) bridge_ends = NULL;
	int r;

	sc->p.smoke = o->smoke;
	sc->p.ports = (unsigned int)o->ports;
	sc->p.veths = (unsigned int)o->veths;
	sc->p.load_threads = sc->sender;
	sc->p.load_probes = (unsigned int)o->load_probes;
	sc->p.interval_us = 1000;
	sc->p.rate = 0;
	sc->p.flood_s = o->flood_s;
	sc->p.netns = true;
	sc->env.p = &sc->p;
	sc->env.run = &sc->run;
	sc->run.p = &sc->p;
	r = bench_enter_netns(&sc->p, error);
	if (r < 0)
		return r;
	bench_progress("setup: %d veth pairs", o->veths);
	r = bench_make_veths(&sc->env, &bridge_ends, error);
	if (r < 0)
		return r;
	sc->run.load_ok = bench_load_available(&sc->run.load_why);
	bench_split_cpus(&sc->env, &sc->run);
	if (!sc->run.load_ok) {
		for (unsigned int i = 0; i < sc->n_series; i++) {
			g_strlcpy(sc->series[i].status, "skipped", sizeof sc->series[i].status);
			sc->series[i].reason = g_strdup(sc->run.load_why);
		}
		return 0;
	}
	bench_progress("setup: datapath %s with %d ports", SCALING_DP, o->ports);
	r = bench_ovsdp_setup(SCALING_DP, (unsigned int)o->ports, bridge_ends,
			      (unsigned int)o->veths, o->plugins_conf, &sc->dp, error);
	if (r < 0)
		return r;
	sc->env.rx = bench_rx_start(SCALING_DP, error);
	if (!sc->env.rx)
		return -EIO;
	make_order(sc);
	for (unsigned int rep = 0; rep < (unsigned int)o->repeat; rep++)
		for (unsigned int k = 0; k < sc->n_series; k++) {
			struct series *se = &sc->series[sc->order[rep * sc->n_series + k]];
			g_autofree char *tag = g_strdup_printf("[rep %u/%d] [%u/%u]", rep + 1,
							       o->repeat, k + 1, sc->n_series);

			if (strcmp(se->status, "unsupported"))
				run_system(sc, se, rep, tag);
		}
	return 0;
}

/* ---- the report ----------------------------------------------------------- */

static double
field(const struct sample *s, const struct metric *m)
{
	return *(const double *)((const char *)s + m->offset);
}

/* A metric's summary over the repetitions where the point ran and the
 * figure is known; n == 0 when none. */
static void
point_summary(const struct scaling *sc, const struct series *se, enum sweep w, unsigned int i,
	      const struct metric *m, struct bench_summary *out)
{
	double v[SCALING_MAX_REPEAT];
	size_t n = 0;

	for (int r = 0; r < sc->o->repeat; r++) {
		const struct sample *s = &se->s[w][i][r];

		if (s->done && isfinite(field(s, m)))
			v[n++] = field(s, m);
	}
	bench_summarize(v, n, out);
}

static bool
point_ran(const struct scaling *sc, const struct series *se, enum sweep w, unsigned int i)
{
	for (int r = 0; r < sc->o->repeat; r++)
		if (se->s[w][i][r].done)
			return true;
	return false;
}

static void
json_sample(struct json *j, const struct sample *s, unsigned int rep, enum sweep w)
{
	json_object_begin(j);
	json_kv_uint(j, "rep", rep + 1);
	json_kv_uint(j, "handlers", s->handlers);
	json_kv_uint(j, "load_threads", s->load_threads);
	json_kv_uint(j, "load_ports", s->load_ports);
	json_kv_double(j, "seconds", s->seconds);
	json_kv_uint(j, "offered", s->offered);
	json_kv_uint(j, "send_errors", s->send_errors);
	json_kv_double(j, "offered_per_s", s->offered_per_s);
	json_kv_uint(j, "handled", s->handled);
	json_kv_double(j, "handled_per_s", s->handled_per_s);
	json_kv_uint(j, "n_lost", s->lost);
	json_key(j, "overruns");
	if (s->has_overruns)
		json_uint(j, s->overruns);
	else
		json_null(j);
	if (w == SWEEP_LOADED) {
		json_kv_uint(j, "probes_sent", s->probes_sent);
		json_kv_uint(j, "probe_send_failures", s->probe_send_failures);
		json_kv_uint(j, "probes_received", s->probes_received);
		json_kv_double(j, "loss_pct", s->loss_pct);
		json_kv_double(j, "p50_us", s->p50_us);
	} else {
		json_kv_double(j, "handler_cpu_s", s->cpu_s);
		json_kv_double(j, "cpu_us_per_upcall", s->cpu_us_per_upcall);
	}
	json_object_end(j);
}

static void
json_point(struct json *j, const struct scaling *sc, const struct series *se, enum sweep w,
	   unsigned int i)
{
	const struct metric *ms = w == SWEEP_LOADED ? idle_metrics : flood_metrics;
	size_t n_ms = w == SWEEP_LOADED ? G_N_ELEMENTS(idle_metrics) : G_N_ELEMENTS(flood_metrics);
	static const char *const stat[] = { "median", "min", "max" };

	json_object_begin(j);
	json_kv_uint(j, "x", sc->o->x[w][i]);
	for (unsigned int k = 0; k < G_N_ELEMENTS(stat); k++) {
		json_kv_object_begin(j, stat[k]);
		for (size_t m = 0; m < n_ms; m++) {
			struct bench_summary s;

			point_summary(sc, se, w, i, &ms[m], &s);
			json_kv_double(j, ms[m].key, k == 0 ? s.p50 : k == 1 ? s.min : s.max);
		}
		json_object_end(j);
	}
	json_kv_array_begin(j, "repetitions");
	for (int r = 0; r < sc->o->repeat; r++)
		if (se->s[w][i][r].done)
			json_sample(j, &se->s[w][i][r], (unsigned int)r, w);
	json_array_end(j);
	json_object_end(j);
}

static void
json_uints(struct json *j, const char *key, const unsigned int *v, unsigned int n)
{
	json_kv_array_begin(j, key);
	for (unsigned int i = 0; i < n; i++)
		json_uint(j, v[i]);
	json_array_end(j);
}

static char *
scaling_json(const struct scaling *sc)
{
	const struct scaling_opts *o = sc->o;
	struct json *j = json_new();
	g_autofree char *body = NULL;
	struct utsname u;

	uname(&u);
	json_object_begin(j);
	json_kv_string(j, "tool", "ovsdp-bench scaling");
	json_kv_string(j, "version", OVSDP_VERSION);
	json_kv_string(j, "kernel", u.release);
	json_kv_uint(j, "vcpus", o->cpus);
	json_kv_bool(j, "emulated", g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0);
	json_kv_object_begin(j, "params");
	json_kv_bool(j, "smoke", o->smoke);
	json_kv_int(j, "ports", o->ports);
	json_kv_int(j, "veths", o->veths);
	json_kv_int(j, "repeat", o->repeat);
	json_kv_int(j, "seed", o->seed);
	json_kv_double(j, "flood_s", o->flood_s);
	json_kv_int(j, "load_probes", o->load_probes);
	json_kv_uint(j, "sender_load_threads", sc->sender);
	for (unsigned int w = 0; w < N_SWEEPS; w++)
		json_uints(j, sweeps[w].key, o->x[w], o->n_x[w]);
	json_object_end(j);
	json_kv_object_begin(j, "load_generator");
	json_kv_bool(j, "available", sc->run.load_ok);
	json_kv_string(j, "reason", sc->run.load_why);
	json_kv_string(j, "sender_cpus", sc->run.sender_cpus);
	json_kv_string(j, "handler_cpus", sc->run.handler_cpus);
	json_object_end(j);
	json_kv_array_begin(j, "orders");
	for (int r = 0; sc->order && r < o->repeat; r++) {
		json_array_begin(j);
		for (unsigned int k = 0; k < sc->n_series; k++)
			json_string(j, sc->series[sc->order[(unsigned int)r * sc->n_series + k]].system);
		json_array_end(j);
	}
	json_array_end(j);
	json_kv_array_begin(j, "series");
	for (unsigned int w = 0; w < N_SWEEPS; w++)
		for (unsigned int i = 0; i < sc->n_series; i++) {
			const struct series *se = &sc->series[i];

			json_object_begin(j);
			json_kv_string(j, "system", se->system);
			json_kv_string(j, "sweep", sweeps[w].key);
			json_kv_string(j, "status", se->status);
			json_kv_string(j, "reason", se->reason);
			json_kv_string(j, "note", w == SWEEP_HANDLERS ? se->note : NULL);
			json_key(j, "default_handlers");
			if (se->default_handlers)
				json_uint(j, se->default_handlers);
			else
				json_null(j);
			json_kv_array_begin(j, "points");
			/* A point that did not run is absent, never 0. */
			for (unsigned int k = 0; k < o->n_x[w]; k++)
				if (point_ran(sc, se, (enum sweep)w, k))
					json_point(j, sc, se, (enum sweep)w, k);
			json_array_end(j);
			json_object_end(j);
		}
	json_array_end(j);
	json_kv_array_begin(j, "plots");
	for (char **p = sc->plots; p && *p; p++)
		json_string(j, *p);
	json_array_end(j);
	json_kv_string(j, "plots_reason", sc->plot_why);
	json_object_end(j);
	body = json_steal_text(j);
	return g_strconcat(body, "\n", NULL);
}

/* 12345 -> "12.3k". */
static void
append_rate(GString *s, double v)
{
	if (v >= 1e6)
		g_string_append_printf(s, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		g_string_append_printf(s, "%.1fk", v / 1e3);
	else
		g_string_append_printf(s, "%.0f", v);
}

static void
md_cell(GString *md, const struct scaling *sc, const struct series *se, enum sweep w,
	unsigned int i)
{
	const struct metric *ms = w == SWEEP_LOADED ? idle_metrics : flood_metrics;
	struct bench_summary a, b, off;

	if (!point_ran(sc, se, w, i)) {
		g_string_append(md, " - |");
		return;
	}
	if (w == SWEEP_LOADED) {
		point_summary(sc, se, w, i, &ms[0], &a);
		point_summary(sc, se, w, i, &ms[1], &b);
		/* No loss figure: the sender refused every probe. */
		if (a.n)
			g_string_append_printf(md, " %.1f %% [%.1f-%.1f]", a.p50, a.min, a.max);
		else
			g_string_append(md, " no probe sent");
		if (b.n)
			g_string_append_printf(md, " / %.2f ms |", b.p50 / 1e3);
		else
			g_string_append(md, " |");
		return;
	}
	point_summary(sc, se, w, i, &ms[0], &off);
	point_summary(sc, se, w, i, &ms[1], &a);
	point_summary(sc, se, w, i, &ms[2], &b);
	g_string_append_c(md, ' ');
	append_rate(md, a.p50);
	g_string_append(md, " [");
	append_rate(md, a.min);
	g_string_append_c(md, '-');
	append_rate(md, a.max);
	g_string_append(md, "] of ");
	append_rate(md, off.p50);
	if (b.n)
		g_string_append_printf(md, " / %.0f us |", b.p50);
	else
		g_string_append(md, " / ? us |");
}

static char *
scaling_markdown(const struct scaling *sc)
{
	const struct scaling_opts *o = sc->o;
	GString *md = g_string_new(NULL);
	static const char *const what[N_SWEEPS] = {
		"all veth ports flooded; each cell: upcalls handled/s median [min-max] of "
		"offered/s / handler CPU us per upcall",
		"all veth ports flooded from that many CPUs, each system's own handlers; cells "
		"as above",
		"probes on an idle port beside that many ports under saturation; each cell: "
		"probes lost median [min-max] / median latency",
	};

	g_string_append_printf(md, "Scaling, %u vCPUs%s, %d ports, %d veths; sender CPUs %s, "
			       "handler CPUs %s; %d repetition(s), seed %" G_GINT64_FORMAT
			       ", %.1f s floods; median [min-max] over the repetitions.\n",
			       o->cpus, g_strcmp0(g_getenv("OVSDP_LAB"), "1") == 0 ?
			       " (emulated lab: ratios only)" : "", o->ports, o->veths,
			       sc->run.sender_cpus ? sc->run.sender_cpus : "?",
			       sc->run.handler_cpus && sc->run.handler_cpus[0] ?
			       sc->run.handler_cpus : "(not pinned)", o->repeat, o->seed,
			       o->flood_s);
	for (unsigned int w = 0; w < N_SWEEPS; w++) {
		g_string_append_printf(md, "\n%s against %s (%s).\n\n| %s |", w == SWEEP_LOADED ?
				       "Idle-port loss" : "Upcalls/s", sweeps[w].title, what[w],
				       sweeps[w].title);
		for (unsigned int i = 0; i < sc->n_series; i++)
			g_string_append_printf(md, " %s |", sc->series[i].system);
		g_string_append(md, "\n|---|");
		for (unsigned int i = 0; i < sc->n_series; i++)
			g_string_append(md, "---|");
		g_string_append_c(md, '\n');
		for (unsigned int k = 0; k < o->n_x[w]; k++) {
			g_string_append_printf(md, "| %u |", o->x[w][k]);
			for (unsigned int i = 0; i < sc->n_series; i++)
				md_cell(md, sc, &sc->series[i], (enum sweep)w, k);
			g_string_append_c(md, '\n');
		}
	}
	g_string_append_c(md, '\n');
	for (unsigned int i = 0; i < sc->n_series; i++) {
		const struct series *se = &sc->series[i];

		if (se->default_handlers)
			g_string_append_printf(md, "- %s: its own handler count %u\n", se->system,
					       se->default_handlers);
		if (se->note)
			g_string_append_printf(md, "- %s: %s\n", se->system, se->note);
		if (se->reason)
			g_string_append_printf(md, "- %s: %s: %s\n", se->system, se->status,
					       se->reason);
	}
	return g_string_free(md, FALSE);
}

/* The PNGs: which sweep, which pair of columns of its data files. */
static const struct {
	const char *png;
	enum sweep w;
	int col;                /* of the median; min and max follow */
	const char *ylabel;
} figures[] = {
	{ "scaling-upcalls-handlers.png", SWEEP_HANDLERS, 2, "upcalls handled per second" },
	{ "scaling-cpu-handlers.png", SWEEP_HANDLERS, 5, "handler CPU us per upcall" },
	{ "scaling-upcalls-load-cpus.png", SWEEP_LOAD, 2, "upcalls handled per second" },
	{ "scaling-cpu-load-cpus.png", SWEEP_LOAD, 5, "handler CPU us per upcall" },
	{ "scaling-idle-loss.png", SWEEP_LOADED, 2, "idle port's probes lost (%)" },
	{ "scaling-idle-latency.png", SWEEP_LOADED, 5, "idle port's median latency (us)" },
};

static void
dat_value(GString *d, double v)
{
	if (isfinite(v))
		g_string_append_printf(d, " %.6g", v);
	else
		g_string_append(d, " ?");
}

/* data/scaling-SWEEP-N.dat: x, then median min max of two figures. */
static void
write_data(const struct scaling *sc, const char *dir)
{
	for (unsigned int w = 0; w < N_SWEEPS; w++)
		for (unsigned int i = 0; i < sc->n_series; i++) {
			const struct series *se = &sc->series[i];
			const struct metric *ms = w == SWEEP_LOADED ? idle_metrics
								      : flood_metrics + 1;
			g_autofree char *name = g_strdup_printf("scaling-%s-%u.dat", sweeps[w].key,
								i + 1);
			g_autofree char *path = g_build_filename(dir, name, NULL);
			GString *d = g_string_new(NULL);

			g_string_append_printf(d, "# %s: %s median min max, %s median min max\n",
					       sweeps[w].key, ms[0].key, ms[1].key);
			for (unsigned int k = 0; k < sc->o->n_x[w]; k++) {
				if (!point_ran(sc, se, (enum sweep)w, k))
					continue;
				g_string_append_printf(d, "%u", sc->o->x[w][k]);
				for (unsigned int m = 0; m < 2; m++) {
					struct bench_summary s;

					point_summary(sc, se, (enum sweep)w, k, &ms[m], &s);
					dat_value(d, s.p50);
					dat_value(d, s.min);
					dat_value(d, s.max);
				}
				g_string_append_c(d, '\n');
			}
			g_file_set_contents(path, d->str, -1, NULL);
			g_string_free(d, TRUE);
		}
}

/* Data files always; the PNGs when gnuplot is there.  What it drew goes to
 * sc->plots, why not to sc->plot_why. */
static int
scaling_plots(struct scaling *sc, GError **error)
{
	const char *dir = sc->o->out;
	g_autofree char *data = g_build_filename(dir, "data", NULL);
	g_autofree char *script = g_build_filename(data, "scaling.gp", NULL);
	g_autofree char *gnuplot = sc->o->no_plots ? NULL : g_find_program_in_path("gnuplot");
	g_autoptr(GPtrArray) made = g_ptr_array_new();
	g_autofree char *output = NULL;
	GString *gp;

	if (g_mkdir_with_parents(data, 0755) < 0) {
		g_set_error(error, OVSDP_ERROR, errno, "%s: %s", data, g_strerror(errno));
		return -errno;
	}
	write_data(sc, data);
	if (!gnuplot) {
		sc->plot_why = g_strdup(sc->o->no_plots ? "--no-plots" : "gnuplot not found");
		return 0;
	}
	gp = g_string_new("set terminal pngcairo size 900,560 noenhanced font \",10\"\n"
			  "set grid\nset key outside right\nset datafile missing \"?\"\n"
			  "set yrange [0:*]\nset offsets 0.2, 0.2, 0, 0\n");
	for (unsigned int f = 0; f < G_N_ELEMENTS(figures); f++) {
		enum sweep w = figures[f].w;

		g_string_append_printf(gp, "set output \"%s/%s\"\nset xlabel \"%s\"\n"
				       "set ylabel \"%s\"\nset xtics 1\nset title \"%s against %s, "
				       "median and min-max of %d repetition(s)\"\nplot ", dir,
				       figures[f].png, sweeps[w].title, figures[f].ylabel,
				       figures[f].ylabel, sweeps[w].title, sc->o->repeat);
		for (unsigned int i = 0; i < sc->n_series; i++)
			g_string_append_printf(gp, "%s\"%s/scaling-%s-%u.dat\" using 1:%d:%d:%d "
					       "with yerrorlines lw 2 title \"%s\"", i ? ", " : "",
					       data, sweeps[w].key, i + 1, figures[f].col,
					       figures[f].col + 1, figures[f].col + 2,
					       sc->series[i].system);
		g_string_append_c(gp, '\n');
		g_ptr_array_add(made, (gpointer)figures[f].png);
	}
	g_file_set_contents(script, gp->str, -1, NULL);
	g_string_free(gp, TRUE);
	{
		const char *argv[] = { gnuplot, script, NULL };

		if (bench_run(argv, NULL, &output) != 0) {
			sc->plot_why = g_strdup_printf("gnuplot failed: %s",
						       output ? g_strstrip(output) : "");
			return 0;
		}
	}
	sc->plots = g_new0(char *, made->len + 1);
	for (guint i = 0; i < made->len; i++)
		sc->plots[i] = g_strdup(made->pdata[i]);
	return 0;
}

static void
scaling_free(struct scaling *sc)
{
	struct scaling_opts *o = sc->o;

	bench_rx_stop(sc->env.rx);
	/* The namespace's end takes the datapath and the veths with it. */
	bench_ovsdp_free(sc->dp, false);
	for (unsigned int i = 0; i < sc->env.n_veths; i++)
		if (sc->env.tx_fds[i] > 0)
			close(sc->env.tx_fds[i]);
	g_free(sc->env.tx_fds);
	g_strfreev(sc->env.tx_names);
	for (unsigned int i = 0; i < sc->n_series; i++) {
		g_free(sc->series[i].system);
		g_free(sc->series[i].reason);
		g_free(sc->series[i].note);
	}
	g_free(sc->series);
	g_free(sc->order);
	g_strfreev(sc->plots);
	g_free(sc->plot_why);
	g_free(sc->run.load_why);
	g_free(sc->run.sender_cpus);
	g_free(sc->run.handler_cpus);
	g_strfreev(o->systems);
	g_free(o->dispatchers);
	for (unsigned int w = 0; w < N_SWEEPS; w++)
		g_free(o->lists[w]);
	g_free(o->plugins_conf);
	g_free(o->out);
}

int
bench_scaling_main(int argc, char **argv)
{
	struct scaling_opts o = { 0 };
	struct scaling sc = { .o = &o };
	g_autoptr(GError) err = NULL;
	g_autofree char *md = NULL, *json = NULL;
	int status = 1;

	if (!parse_scaling_args(argc, argv, &o)) {
		scaling_free(&sc);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ovsdp-bench scaling: needs root (datapaths, veths, pktgen)\n");
		goto out;
	}
	/* A bad --out is said now, not after minutes of measuring. */
	if (o.out && g_mkdir_with_parents(o.out, 0755) < 0) {
		fprintf(stderr, "ovsdp-bench scaling: --out %s: %s\n", o.out, g_strerror(errno));
		goto out;
	}
	sc.sender = o.x[SWEEP_LOAD][o.n_x[SWEEP_LOAD] - 1];
	sc.series = g_new0(struct series, g_strv_length(o.systems));
	for (char **s = o.systems; *s; s++)
		if (**s) {
			sc.series[sc.n_series].system = g_strdup(*s);
			g_strlcpy(sc.series[sc.n_series].status, "skipped",
				  sizeof sc.series[sc.n_series].status);
			sc.n_series++;
		}
	if (run_sweeps(&sc, &err) < 0)
		goto out;
	bench_progress_done();
	if (o.out) {
		g_autofree char *jp = g_build_filename(o.out, "scaling.json", NULL);
		g_autofree char *mp = g_build_filename(o.out, "scaling.md", NULL);

		if (scaling_plots(&sc, &err) < 0)
			goto out;
		json = scaling_json(&sc);
		md = scaling_markdown(&sc);
		if (!g_file_set_contents(jp, json, -1, &err) ||
		    !g_file_set_contents(mp, md, -1, &err))
			goto out;
	} else {
		json = scaling_json(&sc);
		md = scaling_markdown(&sc);
	}
	fputs(o.json ? json : md, stdout);
	if (sc.plot_why && o.out && !o.no_plots)
		fprintf(stderr, "ovsdp-bench scaling: %s\n", sc.plot_why);
	status = 0;
	for (unsigned int i = 0; i < sc.n_series; i++)
		if (!strcmp(sc.series[i].status, "failed")) {
			fprintf(stderr, "ovsdp-bench scaling: %s failed: %s\n",
				sc.series[i].system, sc.series[i].reason);
			status = 1;
		}
out:
	bench_progress_done();
	if (err)
		fprintf(stderr, "ovsdp-bench scaling: %s\n", err->message);
	scaling_free(&sc);
	return status;
}
