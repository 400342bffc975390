/* bench-tests.c: the tests ovsdp-bench runs on each system: the four of the
 * reference (one port latency, fairness over ports, a port under load, an
 * idle port beside loaded ones) and sockets in use, upcall throughput,
 * empty wakeups per upcall and reordering within a flow.  Each test only
 * sends frames and reads counters, so it runs unchanged on every system. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* How long a test waits for probes still on their way.  The emulated lab
 * stalls for hundreds of ms when the host is busy, so a probe is only
 * called lost after nothing arrived for DRAIN_IDLE_MS and the datapath
 * stopped executing packets to the local port (quiesce()). */
#define DRAIN_IDLE_MS 2000
#define DRAIN_AFTER_MS 500
#define DRAIN_MAX_MS 20000
#define WARMUP_MS 300
#define WARMUP_PROBES 20

static void
latency_clear(struct bench_latency *l)
{
	g_free(l->lat_us);
	memset(l, 0, sizeof *l);
}

void
bench_results_clear(struct bench_results *r)
{
	latency_clear(&r->one_port);
	for (unsigned int i = 0; i < r->n_per_port; i++)
		latency_clear(&r->per_port[i]);
	g_free(r->per_port);
	latency_clear(&r->loaded_port);
	latency_clear(&r->idle_port);
	g_free(r->reorder.per_flow);
	memset(r, 0, sizeof *r);
}

static void
latency_fill(struct bench_latency *l, const struct bench_phase *ph, size_t first, size_t count,
	     uint64_t sent)
{
	l->sent = sent;
	l->send_failures = count - MIN(count, sent);
	l->lat_us = bench_phase_latencies(ph, first, count, &l->n_lat);
	l->received = l->n_lat;
	bench_summarize(l->lat_us, l->n_lat, &l->s);
	l->done = true;
}

/* Wait until the system has stopped executing packets to the local port:
 * what a flood left queued must not spill into the next test. */
static void
quiesce(struct bench_system *sys)
{
	struct bench_counters c;
	uint64_t last = UINT64_MAX;
	int still = 0;

	for (int i = 0; i < DRAIN_MAX_MS / 200 && still < 2; i++) {
		if (bench_counters_read(sys, &c) < 0)
			return;
		still = c.local_tx == last ? still + 1 : 0;
		last = c.local_tx;
		bench_sleep_ms(200);
	}
}

/* Wait for 'want' probes of 'ph': until they are all there, or nothing
 * arrived for DRAIN_IDLE_MS and then the system went quiet. */
static void
drain(struct bench_system *sys, struct bench_phase *ph, uint64_t want)
{
	if (bench_phase_wait(ph, want, DRAIN_IDLE_MS, DRAIN_MAX_MS) >= want)
		return;
	quiesce(sys);
	bench_phase_wait(ph, want, DRAIN_AFTER_MS, DRAIN_MAX_MS);
}

static int64_t
interval_ns(const struct bench_env *env)
{
	return (int64_t)env->p->interval_us * 1000;
}

static void
one_port(struct bench_env *env, struct bench_system *sys)
{
	unsigned int n = env->p->probes;
	struct bench_phase *ph = bench_phase_new(n, 1);
	uint64_t sent;

	bench_rx_set_phase(env->rx, ph);
	sent = bench_probe_send_paced(env->tx_fds[0], ph, 0, n, interval_ns(env), 0, true);
	drain(sys, ph, sent);
	bench_rx_set_phase(env->rx, NULL);
	latency_fill(&sys->res.one_port, ph, 0, n, sent);
	sys->res.one_port.user_clock = ph->user_clock;
	bench_phase_free(ph);
}

static void
all_ports(struct bench_env *env, struct bench_system *sys)
{
	unsigned int k = env->p->port_probes, v = env->n_veths;
	struct bench_phase *ph = bench_phase_new((size_t)k * v, v);
	struct bench_results *r = &sys->res;
	g_autofree double *avgs = g_new(double, v);
	g_autofree uint64_t *sent = g_new0(uint64_t, v);
	unsigned int n_avgs = 0;

	bench_rx_set_phase(env->rx, ph);
	for (unsigned int i = 0; i < v; i++)
		sent[i] = bench_probe_send_paced(env->tx_fds[i], ph, i * k, k, interval_ns(env),
						 (uint16_t)i, true);
	{
		uint64_t total = 0;

		for (unsigned int i = 0; i < v; i++)
			total += sent[i];
		drain(sys, ph, total);
	}
	bench_rx_set_phase(env->rx, NULL);
	r->per_port = g_new0(struct bench_latency, v);
	r->n_per_port = v;
	for (unsigned int i = 0; i < v; i++) {
		latency_fill(&r->per_port[i], ph, (size_t)i * k, k, sent[i]);
		if (r->per_port[i].n_lat)
			avgs[n_avgs++] = r->per_port[i].s.mean;
	}
	{
		struct bench_summary s;

		bench_summarize(avgs, n_avgs, &s);
		r->avg_of_avgs = s.mean;
		r->mdev_of_avgs = s.sd;
	}
	r->all_ports_done = true;
	r->all_ports_user_clock = ph->user_clock;
	bench_phase_free(ph);
}

/* pktgen's rate per device for 'rate' frames/s over n devices (0: as
 * fast as it can). */
static uint64_t
per_dev(uint64_t rate, unsigned int n)
{
	return rate ? MAX(1, rate / MAX(1, n)) : 0;
}

/* Drop counters read before and after a test under load. */
struct drops {
	bool ok;
	uint64_t port, softnet;         /* tx0's transmit drops, every CPU's backlog drops */
	uint64_t cpu[BENCH_SOFTNET_CPUS];
	int cpus;
	struct bench_counters c;
};

static void
drops_read(struct bench_env *env, struct bench_system *sys, struct drops *d)
{
	uint64_t rx;

	memset(d->cpu, 0, sizeof d->cpu);
	d->cpus = bench_softnet_dropped(d->cpu, BENCH_SOFTNET_CPUS, &d->softnet);
	d->ok = bench_netdev_drops(env->tx_names[0], &rx, &d->port) == 0 && d->cpus >= 0;
	if (bench_counters_read(sys, &d->c) < 0)
		d->ok = false;
}

/* Probes on veth port 0 while pktgen loads ports [first_load, n_veths). */
static void
under_load(struct bench_env *env, struct bench_system *sys, struct bench_latency *l,
	   unsigned int first_load)
{
	unsigned int n = env->p->load_probes, n_load = env->n_veths - first_load;
	struct bench_phase *ph = bench_phase_new(n, 1);
	struct bench_counters c0, c1;
	struct bench_load *load = NULL;
	g_autoptr(GError) err = NULL;
	struct bench_counters cs;
	int64_t t0, t1;
	uint64_t sent, arrived;
	struct drops d0, d1;

	drops_read(env, sys, &d0);
	if (bench_load_start(env->tx_names + first_load, n_load, env->p->load_threads,
			     per_dev(env->p->rate, n_load), &load, &err) < 0) {
		g_warning("%s: %s", sys->name, err->message);
		bench_phase_free(ph);
		return;
	}
	t0 = bench_monotonic_ns();
	bench_counters_read(sys, &cs);
	bench_sleep_ms(WARMUP_MS);
	bench_counters_read(sys, &c0);
	bench_rx_set_phase(env->rx, ph);
	sent = bench_probe_send_paced(env->tx_fds[0], ph, 0, n, interval_ns(env), 0, true);
	bench_counters_read(sys, &c1);
	t1 = bench_monotonic_ns();
	arrived = bench_phase_received(ph);
	l->window_s = (double)(bench_monotonic_ns() - t0) / 1e9;
	bench_load_stop(load, &l->load);
	/* What is queued behind the load still arrives: late, not lost.  Once
	 * the datapath is quiet nothing more can come but stragglers. */
	quiesce(sys);
	bench_phase_wait(ph, sent, DRAIN_AFTER_MS, DRAIN_MAX_MS);
	bench_rx_set_phase(env->rx, NULL);
	drops_read(env, sys, &d1);
	l->has_drops = d0.ok && d1.ok;
	l->probe_port_dropped = d1.port - MIN(d1.port, d0.port);
	l->softnet_dropped = d1.softnet - MIN(d1.softnet, d0.softnet);
	l->n_softnet_cpus = (unsigned int)MIN(MAX(d1.cpus, 0), BENCH_SOFTNET_CPUS);
	for (unsigned int c = 0; c < l->n_softnet_cpus; c++)
		l->softnet_cpu[c] = d1.cpu[c] - MIN(d1.cpu[c], d0.cpu[c]);
	l->kernel_lost_all = d1.c.lost - MIN(d1.c.lost, d0.c.lost);
	l->has_overruns = d0.c.has_runtime && d1.c.has_runtime;
	l->overruns = d1.c.overruns - MIN(d1.c.overruns, d0.c.overruns);
	latency_fill(l, ph, 0, n, sent);
	l->received_at_last_send = MIN(arrived, l->received);
	l->user_clock = ph->user_clock;
	l->loaded = true;
	l->load_ports = n_load;
	l->rate = env->p->rate;
	l->handled = c1.local_tx - c0.local_tx;
	/* The load handled while it ran: what reached the local port from
	 * load start to the last probe, less the probes among it. */
	l->handled_per_s = (double)(c1.local_tx - cs.local_tx - MIN(arrived,
			   c1.local_tx - cs.local_tx)) / ((double)(t1 - t0) / 1e9);
	l->missed = c1.missed - c0.missed;
	l->lost = c1.lost - c0.lost;
	bench_phase_free(ph);
}

/* Test 6: 'ports' ports loaded at 'rate' frames/s in all (0: saturation). */
static void
flood(struct bench_env *env, struct bench_system *sys, struct bench_flood *f, unsigned int ports,
      uint64_t rate)
{
	struct bench_load_result lr;
	struct bench_counters c0, c1;
	struct bench_load *load = NULL;
	g_autoptr(GError) err = NULL;
	int64_t t0, t1;

	if (bench_load_start(env->tx_names, ports, env->p->load_threads, per_dev(rate, ports), &load,
			     &err) < 0) {
		g_warning("%s: %s", sys->name, err->message);
		return;
	}
	bench_sleep_ms(WARMUP_MS);
	bench_counters_read(sys, &c0);
	t0 = bench_monotonic_ns();
	bench_sleep_ms((unsigned int)(env->p->flood_s * 1000));
	bench_counters_read(sys, &c1);
	t1 = bench_monotonic_ns();
	bench_load_stop(load, &lr);
	quiesce(sys);
	f->offered = lr.sent;
	f->send_errors = lr.errors;
	f->offered_per_s = lr.per_s;
	f->sender_s = lr.seconds;
	f->rate = rate;
	f->ports = ports;
	f->seconds = (double)(t1 - t0) / 1e9;
	f->handled = c1.local_tx - c0.local_tx;
	f->missed = c1.missed - c0.missed;
	f->lost = c1.lost - c0.lost;
	f->per_s = f->seconds > 0 ? (double)f->handled / f->seconds : NAN;
	f->has_overruns = c0.has_runtime && c1.has_runtime;
	f->overruns = c1.overruns - MIN(c1.overruns, c0.overruns);
	/* The handler threads' CPU time, when the same threads ran throughout. */
	f->cpu_s = c1.ctx.threads && c1.ctx.threads == c0.ctx.threads &&
		   c1.ctx.cpu_ticks >= c0.ctx.cpu_ticks ?
		   (double)(c1.ctx.cpu_ticks - c0.ctx.cpu_ticks) / (double)sysconf(_SC_CLK_TCK) :
		   NAN;
	f->done = true;
}

static void
wakeups(struct bench_env *env, struct bench_system *sys)
{
	unsigned int n = env->p->wake_frames;
	struct bench_phase *ph = bench_phase_new(n, 1);
	struct bench_counters c0, c1;

	quiesce(sys);
	bench_counters_read(sys, &c0);
	bench_rx_set_phase(env->rx, ph);
	/* Spaced out, so that each frame is a wakeup of its own. */
	for (unsigned int i = 0; i < n; i++) {
		bench_probe_send(env->tx_fds[i % env->n_veths], ph, i, 0, true);
		bench_sleep_ms(env->p->wake_gap_ms);
	}
	drain(sys, ph, n);
	bench_sleep_ms(200);
	bench_counters_read(sys, &c1);
	bench_rx_set_phase(env->rx, NULL);
	sys->res.wakeups.frames = n;
	sys->res.wakeups.handled = c1.local_tx - c0.local_tx;
	/* Counts of threads that ended or began meanwhile (ovs-vswitchd
	 * restarts its handlers when it reconfigures) do not subtract. */
	sys->res.wakeups.ctx_valid = c1.ctx.threads == c0.ctx.threads &&
				     c1.ctx.voluntary >= c0.ctx.voluntary &&
				     c1.ctx.involuntary >= c0.ctx.involuntary;
	sys->res.wakeups.ctx_voluntary = sys->res.wakeups.ctx_valid ?
					 c1.ctx.voluntary - c0.ctx.voluntary : 0;
	sys->res.wakeups.ctx_involuntary = sys->res.wakeups.ctx_valid ?
					   c1.ctx.involuntary - c0.ctx.involuntary : 0;
	sys->res.wakeups.has_empty = c0.has_runtime && c1.has_runtime;
	sys->res.wakeups.wakeups = c1.wakeups - c0.wakeups;
	sys->res.wakeups.empty_wakeups = c1.empty_wakeups - c0.empty_wakeups;
	sys->res.wakeups.done = true;
	bench_phase_free(ph);
}

struct burst {
	struct bench_env *env;
	struct bench_phase *ph;
	unsigned int flow;
	uint64_t sent;
};

static gpointer
burst_main(gpointer data)
{
	struct burst *b = data;
	unsigned int m = b->env->p->reorder_frames;

	b->sent = bench_probe_send_paced(b->env->tx_fds[b->flow % b->env->n_veths], b->ph,
					 b->flow * m, m, 0, (uint16_t)b->flow, false);
	return NULL;
}

static void
reorder(struct bench_env *env, struct bench_system *sys)
{
	unsigned int f = env->p->reorder_flows, m = env->p->reorder_frames;
	struct bench_phase *ph = bench_phase_new((size_t)f * m, f);
	g_autofree struct burst *b = g_new0(struct burst, f);
	g_autofree GThread **t = g_new0(GThread *, f);
	uint64_t sent = 0;

	quiesce(sys);
	bench_rx_set_phase(env->rx, ph);
	/* One flow per port, all at once: concurrent upcalls are what lets
	 * handlers overtake each other. */
	for (unsigned int i = 0; i < f; i++) {
		b[i] = (struct burst){ env, ph, i, 0 };
		t[i] = g_thread_new("bench-burst", burst_main, &b[i]);
	}
	for (unsigned int i = 0; i < f; i++) {
		g_thread_join(t[i]);
		sent += b[i].sent;
	}
	drain(sys, ph, sent);
	bench_rx_set_phase(env->rx, NULL);
	sys->res.reorder.flows = f;
	sys->res.reorder.frames = m;
	sys->res.reorder.sent = sent;
	sys->res.reorder.received = bench_phase_received(ph);
	sys->res.reorder.reordered = ph->reordered;
	sys->res.reorder.duplicates = ph->duplicates;
	sys->res.reorder.per_flow = g_memdup2(ph->flow_reordered, sizeof(uint64_t) * f);
	sys->res.reorder.done = true;
	quiesce(sys);
	bench_phase_free(ph);
}

/* A few probes whose results are thrown away: the first upcalls of a
 * system pay for cold caches and lazily created state. */
static void
warm_up(struct bench_env *env)
{
	struct bench_phase *ph = bench_phase_new(WARMUP_PROBES, 1);
	uint64_t sent;

	bench_rx_set_phase(env->rx, ph);
	sent = bench_probe_send_paced(env->tx_fds[0], ph, 0, WARMUP_PROBES, interval_ns(env), 0,
				      true);
	bench_phase_wait(ph, sent, DRAIN_AFTER_MS, DRAIN_MAX_MS);
	bench_rx_set_phase(env->rx, NULL);
	bench_phase_free(ph);
}

static void loaded_tests(struct bench_env *env, struct bench_system *sys, unsigned int index,
			 unsigned int total, const cpu_set_t *unpin);

/* The tests of one system, on the thread that sends the probes. */
struct tests_run {
	struct bench_env *env;
	struct bench_system *sys;
	unsigned int index, total;
	bool pin;               /* move to the sender's CPUs first */
};

static void *
tests_thread(void *arg)
{
	struct tests_run *t = arg;
	struct bench_env *env = t->env;
	struct bench_system *sys = t->sys;
	struct bench_params *p = env->p;
	unsigned int index = t->index, total = t->total;
	cpu_set_t mine;
	bool pinned_me = false;

	if (t->pin && sched_getaffinity(0, sizeof mine, &mine) == 0 &&
	    sched_setaffinity(0, sizeof env->sender_cpus, &env->sender_cpus) == 0)
		pinned_me = true;
	warm_up(env);
	if (BENCH_RUNS(p, 1)) {
		bench_progress("[%u/%u %s] 1: one port latency, %u probes", index, total,
			       sys->name, p->probes);
		one_port(env, sys);
	}
	if (BENCH_RUNS(p, 2)) {
		bench_progress("[%u/%u %s] 2: latency on each of %u ports, %u probes each", index,
			       total, sys->name, env->n_veths, p->port_probes);
		all_ports(env, sys);
	}
	if (BENCH_RUNS(p, 7)) {
		bench_progress("[%u/%u %s] 7: wakeups, %u spaced frames", index, total, sys->name,
			       p->wake_frames);
		wakeups(env, sys);
	}
	if (BENCH_RUNS(p, 8)) {
		bench_progress("[%u/%u %s] 8: reordering, %u flows of %u frames", index, total,
			       sys->name, p->reorder_flows, p->reorder_frames);
		reorder(env, sys);
	}
	if (env->run->load_ok)
		loaded_tests(env, sys, index, total, pinned_me ? &mine : NULL);
	return NULL;
}

void
bench_tests_run(struct bench_env *env, struct bench_system *sys, unsigned int index,
		unsigned int total)
{
	struct tests_run t = { env, sys, index, total, false };
	pthread_t th;

	/* The sender (pktgen's threads, bound to CPUs 0..load_threads-1, and
	 * the thread that sends the probes) and the handlers on CPUs of
	 * their own, when there are CPUs enough.  The probes go out from a
	 * thread of their own, pinned there: the main thread's affinity is
	 * the process's (what the in-process runtime's per-cpu handler count
	 * follows, as taskset -p would change it), and stays. */
	sys->pinned = 0;
	if (env->n_handler_cpus) {
		sys->pinned = bench_pin_threads(sys->pid, sys->thread_prefix, &env->handler_cpus);
		if (sys->kind == BENCH_OVS && sys->pinned >= 0) {
			int r = bench_pin_threads(sys->pid, "revalidator", &env->handler_cpus);

			if (r > 0)
				sys->pinned += r;
		}
		t.pin = true;
	}
	if (pthread_create(&th, NULL, tests_thread, &t) != 0) {
		t.pin = false;          /* not the main thread: see above */
		tests_thread(&t);
		return;
	}
	pthread_join(th, NULL);
}

/* Tests 3, 4 and 6; 'unpin' (or NULL) is this thread's own CPU set, for
 * test 6: it sends no probes there, and at saturation the sender's CPU
 * has no time left for the thread that reads the counters. */
static void
loaded_tests(struct bench_env *env, struct bench_system *sys, unsigned int index,
	     unsigned int total, const cpu_set_t *unpin)
{
	struct bench_params *p = env->p;

	if (BENCH_RUNS(p, 3)) {
		bench_progress("[%u/%u %s] 3: one port under load on all %u ports", index, total,
			       sys->name, env->n_veths);
		under_load(env, sys, &sys->res.loaded_port, 0);
	}
	if (BENCH_RUNS(p, 4) && env->n_veths >= 2) {
		bench_progress("[%u/%u %s] 4: idle port, load on the other %u ports", index, total,
			       sys->name, env->n_veths - 1);
		under_load(env, sys, &sys->res.idle_port, 1);
	}
	if (unpin)
		sched_setaffinity(0, sizeof *unpin, unpin);
	if (!BENCH_RUNS(p, 6))
		return;
	if (p->rate) {
		bench_progress("[%u/%u %s] 6: throughput, all %u ports at %" G_GUINT64_FORMAT
			       " frames/s for %.1f s", index, total, sys->name, env->n_veths,
			       p->rate, p->flood_s);
		flood(env, sys, &sys->res.flood_rate, env->n_veths, p->rate);
	}
	bench_progress("[%u/%u %s] 6: throughput, one port flooded for %.1f s", index, total,
		       sys->name, p->flood_s);
	flood(env, sys, &sys->res.flood_one, 1, 0);
	bench_progress("[%u/%u %s] 6: throughput, all %u ports flooded for %.1f s", index,
		       total, sys->name, env->n_veths, p->flood_s);
	flood(env, sys, &sys->res.flood_all, env->n_veths, 0);
}

void
bench_flood(struct bench_env *env, struct bench_system *sys, struct bench_flood *f,
	    unsigned int ports, uint64_t rate)
{
	flood(env, sys, f, ports, rate);
}

void
bench_under_load(struct bench_env *env, struct bench_system *sys, struct bench_latency *l,
		 unsigned int first_load)
{
	under_load(env, sys, l, first_load);
}
