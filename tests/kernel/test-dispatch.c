/* test-dispatch.c: the conformance suite every dispatcher must pass on every
 * kernel: real frames through veth pairs into a real datapath, received
 * through the plugin by the core's handler runtime.  The dispatchers under
 * test come from OVSDP_TEST_DISPATCHERS (default: legacy per-vport per-cpu;
 * the kernel suite adds examples/dispatch-single's "single"), found through
 * OVSDP_PLUGIN_PATH. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include "ovsdp/ovsdp.h"
#include "runtime/handlers-internal.h"
#include "kfds.h"
#include "knet.h"
#include "ktest.h"
#include "kstats.h"

#define DP_NAME "ovsdpct"
#define MAX_PORTS 8
#define WAIT_MS 8000

static char **dispatchers;      /* names under test */
static unsigned int n_dispatchers;

/* What the callback saw (others should stay 0), and per port, under
 * rx.lock, the last sequence number and how often one came out of order. */
static struct knet_rx rx;
static uint32_t last_seq[MAX_PORTS];
static uint64_t reorders[MAX_PORTS];
/* The names of the threads that wait for upcalls. */
static const char *const handler_threads[] = { "ovsdp-handler", "pervport-wait", NULL };
static struct ovsdp_dp *dp;
static struct ovsdp_plugins *plugins;
static struct ovsdp_features features;
static uint32_t port_no[MAX_PORTS];
static int raw[MAX_PORTS];
static unsigned int n_ports;

static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	struct knet_rx *r = data;

	pthread_mutex_lock(&r->lock);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t tag, idx, seq;

		if (!knet_rx_note(r, &ups[i], &tag))
			continue;
		idx = tag >> 20;
		seq = tag & 0xfffff;
		if (idx < MAX_PORTS) {
			if (seq < last_seq[idx])
				reorders[idx]++;
			last_seq[idx] = seq;
		}
	}
	pthread_mutex_unlock(&r->lock);
}

static uint64_t
rx_ours(void)
{
	return knet_rx_ours(&rx);
}

static bool
wait_ours(uint64_t want)
{
	return knet_rx_wait(&rx, want, WAIT_MS);
}

/* The kernel's counters and the callback's at one moment.  n_missed counts
 * every upcall the kernel tried, the lost ones too. */
struct mark {
	uint64_t missed, lost, delivered;
};

static void
mark_now(struct mark *m)
{
	struct ovsdp_dp_info info;

	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	m->missed = info.stats.n_missed;
	m->lost = info.stats.n_lost;
	m->delivered = knet_rx_total(&rx);
}

/* Since 'm': the kernel tried at least 'want' upcalls and each one it tried
 * was delivered or counted lost (missed == delivered + lost): the moment a
 * duplicate or a straggler would have shown up.  The kernel is read first:
 * an upcall delivered between the two reads makes it false for one poll. */
static bool
accounted(const struct mark *m, uint64_t want)
{
	struct mark now;

	mark_now(&now);
	return now.missed - m->missed >= want &&
	       now.missed - m->missed == (now.delivered - m->delivered) + (now.lost - m->lost);
}

static void
add_veth_port(unsigned int i)
{
	knet_veth_port(dp, i, &port_no[i], &raw[i]);
}

/* A new source MAC per frame: each frame is a new flow, as in the
 * reference measurements.  No flow is ever installed. */
static void
send_frames(unsigned int i, uint32_t first, uint32_t count, unsigned int gap_us)
{
	knet_send_misses(raw[i], i, first, count, gap_us);
}

/* Every (port, seq) in [first, first+count) was delivered exactly once,
 * with the right in_port. */
static void
check_exactly_once(unsigned int i, uint32_t first, uint32_t count)
{
	knet_rx_check_once(&rx, i, first, count, port_no[i]);
}

static void
setup(void)
{
	g_autoptr(GError) err = NULL;
	struct rlimit rl = { 65536, 65536 };

	ktest_netns_setup();
	setrlimit(RLIMIT_NOFILE, &rl);
	ck_assert_int_eq(ovsdp_features_probe(&features, NULL), 0);
	ck_assert_msg(ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &plugins, NULL), 0);
	knet_rx_init(&rx);
	memset(last_seq, 0, sizeof last_seq);
	memset(reorders, 0, sizeof reorders);
	n_ports = 0;
}

static void
teardown(void)
{
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	knet_rx_free(&rx);
}

/* The plugin called dispatchers[i]: one the kernel can run (main skips
 * the whole program, exit 77, where it has no per-cpu dispatch). */
static struct ovsdp_plugin *
plugin_under_test(int i)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, dispatchers[i]);

	ck_assert_msg(p != NULL, "dispatcher %s not found (OVSDP_PLUGIN_PATH=%s)",
		      dispatchers[i], g_getenv("OVSDP_PLUGIN_PATH"));
	ck_assert_msg(ovsdp_plugin_status(p) == OVSDP_PLUGIN_OK, "%s: %s", dispatchers[i],
		      ovsdp_plugin_reason(p) ? ovsdp_plugin_reason(p) : "not usable");
	return p;
}

static struct ovsdp_handlers *
start(struct ovsdp_plugin *p, unsigned int n_handlers, const struct ovsdp_config *cfg)
{
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .config = cfg, .n_handlers = n_handlers,
		.callback = on_upcalls, .user_data = &rx,
	};
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	ck_assert_msg(ovsdp_handlers_start(hs, p, &err) == 0, "%s", err ? err->message : "");
	return hs;
}

START_TEST(every_miss_one_upcall)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers *hs;
	struct mark m;
	uint64_t lost0;

	for (unsigned int i = 0; i < 4; i++)
		add_veth_port(i);
	hs = start(p, 3, NULL);
	lost0 = knet_dp_stats(dp).n_lost;
	mark_now(&m);
	for (unsigned int i = 0; i < 4; i++)
		send_frames(i, 0, 100, 0);
	ck_assert_msg(wait_ours(400), "%s: %" G_GUINT64_FORMAT " of 400 upcalls arrived, kernel lost %"
		      G_GUINT64_FORMAT, dispatchers[_i], rx_ours(), knet_dp_stats(dp).n_lost - lost0);
	/* Every upcall the kernel tried is delivered or lost: duplicates
	 * would show up now. */
	ck_assert_msg(KTEST_WAIT(WAIT_MS, accounted(&m, 400)), "%s: the kernel's upcalls are not "
		      "all accounted for (delivered %" G_GUINT64_FORMAT ")", dispatchers[_i], knet_rx_total(&rx));
	for (unsigned int i = 0; i < 4; i++)
		check_exactly_once(i, 0, 100);
	ck_assert_uint_eq(rx_ours(), 400);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	ovsdp_handlers_free(hs);
}
END_TEST

START_TEST(ports_added_and_removed)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers *hs;
	uint64_t want = 0;
	g_autoptr(GError) err = NULL;

	add_veth_port(0);
	add_veth_port(1);
	hs = start(p, 2, NULL);
	send_frames(0, 0, 50, 0);
	want += 50;
	/* A port the runtime is told about... */
	add_veth_port(2);
	ck_assert_int_eq(ovsdp_handlers_port_added(hs, port_no[2], NULL), 0);
	send_frames(2, 0, 50, 0);
	want += 50;
	ck_assert(wait_ours(want));
	check_exactly_once(2, 0, 50);
	/* ...one added behind its back, found through vport notifications:
	 * probe until the first frame arrives, then everything must. */
	add_veth_port(3);
	for (uint32_t s = 0; s < 200; s++) {
		send_frames(3, 1000 + s, 1, 0);
		if (wait_ours(want + 1) || s == 199)
			break;
	}
	ck_assert_msg(rx_ours() > want, "port added behind the runtime's back never delivered");
	want = rx_ours();
	send_frames(3, 0, 50, 0);
	want += 50;
	/* Removing a port leaves the others working. */
	ck_assert_int_eq(ovsdp_vport_del(dp, port_no[1], &err), 0);
	ovsdp_handlers_port_deleted(hs, port_no[1]);
	send_frames(0, 50, 50, 0);
	want += 50;
	ck_assert_msg(wait_ours(want), "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, rx_ours(), want);
	check_exactly_once(3, 0, 50);
	check_exactly_once(0, 0, 100);
	ovsdp_handlers_free(hs);
}
END_TEST

struct sender {
	unsigned int port;
	uint32_t count;
	unsigned int gap_us;
};

static gpointer
sender_main(gpointer data)
{
	struct sender *s = data;

	send_frames(s->port, 0, s->count, s->gap_us);
	return NULL;
}

START_TEST(handlers_resized_under_traffic)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers *hs;
	struct sender s0 = { 0, 1500, 200 }, s1 = { 1, 1500, 200 };
	GThread *t0, *t1;
	struct mark m;
	uint64_t lost0, lost;
	g_autoptr(GError) err = NULL;
	int r;

	add_veth_port(0);
	add_veth_port(1);
	hs = start(p, 1, NULL);
	lost0 = knet_dp_stats(dp).n_lost;
	mark_now(&m);
	t0 = g_thread_new("s0", sender_main, &s0);
	t1 = g_thread_new("s1", sender_main, &s1);
	for (unsigned int n = 2; n <= 5; n++) {
		g_usleep(50000);
		r = ovsdp_handlers_resize(hs, n == 5 ? 2 : n, &err);
		if (r == -EPERM) {
			/* A dispatcher that dictates the count says so. */
			ck_assert_ptr_nonnull(strstr(err->message, "dictates"));
			g_clear_error(&err);
			continue;
		}
		ck_assert_msg(r == 0, "%s", err ? err->message : "");
	}
	g_thread_join(t0);
	g_thread_join(t1);
	KTEST_WAIT(WAIT_MS, accounted(&m, 3000));
	lost = knet_dp_stats(dp).n_lost - lost0;
	/* Nothing vanishes: what the kernel did not count lost was delivered. */
	ck_assert_msg(rx_ours() + lost == 3000, "%s: delivered %" G_GUINT64_FORMAT " + lost %"
		      G_GUINT64_FORMAT " != 3000 sent", dispatchers[_i], rx_ours(), lost);
	ovsdp_handlers_free(hs);
}
END_TEST

START_TEST(recv_set_stops_and_resumes)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers *hs;
	struct mark m;
	uint64_t lost0;

	add_veth_port(0);
	hs = start(p, 2, NULL);
	ck_assert_int_eq(ovsdp_handlers_recv_set(hs, false, NULL), 0);
	lost0 = knet_dp_stats(dp).n_lost;
	mark_now(&m);
	send_frames(0, 0, 20, 1000);
	/* The kernel tried all 20 and each is delivered or lost. */
	ck_assert(KTEST_WAIT(WAIT_MS, accounted(&m, 20)));
	ck_assert_uint_eq(rx_ours(), 0);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 20);
	ck_assert_int_eq(ovsdp_handlers_recv_set(hs, true, NULL), 0);
	send_frames(0, 20, 20, 0);
	ck_assert(wait_ours(20));
	check_exactly_once(0, 20, 20);
	ovsdp_handlers_free(hs);
}
END_TEST

/* A live switch to the next dispatcher under test (per-cpu skipped where
 * the kernel refuses it) and back: both instances go through the order the
 * contract gives a switch (the checking plugin asserts it, from either
 * side), and every frame sent between the switches arrives exactly once. */
START_TEST(switched_live_and_back)
{
	struct ovsdp_plugin *p = plugin_under_test(_i), *q = NULL;
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers *hs;
	uint64_t lost0;

	for (unsigned int k = 1; k <= n_dispatchers && !q; k++) {
		q = ovsdp_plugins_find(plugins, dispatchers[(_i + k) % n_dispatchers]);
		if (q && ovsdp_plugin_status(q) != OVSDP_PLUGIN_OK)
			q = NULL;
	}
	ck_assert_ptr_nonnull(q);
	add_veth_port(0);
	hs = start(p, 2, NULL);
	lost0 = knet_dp_stats(dp).n_lost;
	send_frames(0, 0, 20, 0);
	ck_assert(wait_ours(20));
	ck_assert_msg(ovsdp_handlers_switch(hs, q, &err) == 0, "%s", err ? err->message : "");
	send_frames(0, 20, 20, 0);
	ck_assert(wait_ours(40));
	ck_assert_msg(ovsdp_handlers_switch(hs, p, &err) == 0, "%s", err ? err->message : "");
	send_frames(0, 40, 20, 0);
	ck_assert(wait_ours(60));
	check_exactly_once(0, 0, 60);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	printf("%s -> %s -> %s: 60 frames, each delivered once\n", dispatchers[_i],
	       ovsdp_plugin_name(q), dispatchers[_i]);
	ovsdp_handlers_free(hs);
}
END_TEST

/* Once a start, a live switch or a resize has returned, every handler of
 * the active instance has entered its wait, without another event: the
 * checking plugin's description counts the handler indices whose wait it
 * has seen.  A handler thread the host scheduled late used to meet the
 * plugin only after the call returned (docs/hardening.md): right after
 * the call, at most the threads already running were in.  Repeated, since
 * a thread that runs at once hides it. */
static void
assert_all_waited(struct ovsdp_handlers *hs, unsigned int n, const char *call, unsigned int cycle)
{
	g_autofree char *want = g_strdup_printf("%u handlers, %u entered wait", n, n);
	g_autoptr(kstats) st = NULL;
	const char *desc;

	ck_assert_int_eq(kstats_get(hs, &st), 0);
	desc = ovsdp_handlers_stats_dispatcher_description(st, 0);
	ck_assert_msg(desc && strstr(desc, want), "cycle %u, as %s returned: \"%s\", expected "
		      "\"%s\"", cycle, call, desc ? desc : "(none)", want);
}

START_TEST(every_handler_waits_once_started)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, "checking");
	const unsigned int cycles = 20;

	ck_assert_ptr_nonnull(p);
	add_veth_port(0);
	for (unsigned int c = 0; c < cycles; c++) {
		g_autoptr(GError) err = NULL;
		struct ovsdp_handlers *hs = start(p, 3, NULL);

		assert_all_waited(hs, 3, "the start", c);
		ck_assert_msg(ovsdp_handlers_switch(hs, p, &err) == 0, "%s", err ? err->message : "");
		assert_all_waited(hs, 3, "the switch", c);
		ck_assert_msg(ovsdp_handlers_resize(hs, 4, &err) == 0, "%s", err ? err->message : "");
		assert_all_waited(hs, 4, "the resize", c);
		ovsdp_handlers_free(hs);
	}
	/* Still delivering, after all that. */
	{
		struct ovsdp_handlers *hs = start(p, 2, NULL);

		send_frames(0, 0, 10, 0);
		ck_assert(wait_ours(10));
		check_exactly_once(0, 0, 10);
		ovsdp_handlers_free(hs);
	}
	printf("checking: %u starts, switches and resizes, each returned with every handler "
	       "in wait\n", cycles);
}
END_TEST

/* Netlink sockets this process holds, from /proc/self/fd and
 * /proc/self/net/netlink. */
static unsigned int
count_netlink_sockets(void)
{
	unsigned int netlink, all;

	ck_assert_int_eq(kfds_count(&netlink, &all), 0);
	return netlink;
}

START_TEST(socket_count_at_200_ports)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .n_handlers = 3, .callback = on_upcalls, .user_data = &rx,
	};
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs = NULL;
	unsigned int base, before, after, want, ports = 201; /* 200 + the local port */

	for (unsigned int i = 0; i < 200; i++) {
		struct ovsdp_vport_spec spec = { 0 };
		char name[16];

		g_snprintf(name, sizeof name, "int%u", i);
		spec.name = name;
		spec.type = OVSDP_VPORT_TYPE_INTERNAL;
		ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, NULL), 0);
	}
	base = count_netlink_sockets();         /* the runtime's own sockets come next */
	ck_assert_int_eq(ovsdp_handlers_new(&o, &hs, NULL), 0);
	before = count_netlink_sockets();
	ck_assert_int_eq(ovsdp_handlers_start(hs, p, NULL), 0);
	after = count_netlink_sockets();
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	if (!strcmp(dispatchers[_i], "legacy"))
		want = ports * ovsdp_handlers_stats_n_handlers(st);
	else if (!strcmp(dispatchers[_i], "per-vport"))
		want = ports;
	else if (!strcmp(dispatchers[_i], "per-cpu"))
		want = ovsdp_handlers_stats_n_handlers(st);
	else if (!strcmp(dispatchers[_i], "single"))
		want = 1;
	else
		want = after - before;  /* another strategy: its stats must agree */
	printf("%s: %u ports, %u handlers: %u upcall sockets (stats say %" G_GUINT64_FORMAT ")\n",
	       dispatchers[_i], ports, ovsdp_handlers_stats_n_handlers(st), after - before, KST_DISP(st, SOCKETS));
	ck_assert_uint_eq(after - before, want);
	ck_assert_uint_eq(KST_DISP(st, SOCKETS), want);
	ovsdp_handlers_free(hs);
	ck_assert_uint_eq(count_netlink_sockets(), base);
}
END_TEST

START_TEST(one_flow_stays_in_order)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers *hs;
	cpu_set_t was, one;

	add_veth_port(0);
	hs = start(p, 4, NULL);
	/* One sender on one CPU: a frame sent into a veth is switched on the
	 * sender's CPU, and per-cpu's promise is per CPU.  A sender the
	 * scheduler moved would spread its frames over two sockets. */
	ck_assert_int_eq(pthread_getaffinity_np(pthread_self(), sizeof was, &was), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ck_assert_int_eq(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0);
	send_frames(0, 0, 400, 0);
	ck_assert_int_eq(pthread_setaffinity_np(pthread_self(), sizeof was, &was), 0);
	ck_assert(wait_ours(400));
	printf("%s: %" G_GUINT64_FORMAT " reordered upcalls of 400 from one sender\n",
	       dispatchers[_i], reorders[0]);
	/* Per-cpu keeps a CPU's upcalls on one socket read by one thread. */
	if (!strcmp(dispatchers[_i], "per-cpu"))
		ck_assert_uint_eq(reorders[0], 0);
	ovsdp_handlers_free(hs);
}
END_TEST

/* `ovsdp ctl stats` in a loop, as ovsdpd's control thread would run it. */
struct stats_loop {
	struct ovsdp_handlers *hs;
	gint stop;
	gint calls;
	gint failed;
};

static gpointer
stats_loop_main(gpointer data)
{
	struct stats_loop *l = data;

	while (!g_atomic_int_get(&l->stop)) {
		kstats *st = NULL;

		if (kstats_get(l->hs, &st) == 0 && ovsdp_handlers_stats_dispatcher_description(st, 0))
			g_atomic_int_inc(&l->calls);
		else
			g_atomic_int_inc(&l->failed);
		ovsdp_handlers_stats_free(st);
	}
	return NULL;
}

static uint64_t
handler_wakeups(const kstats *st)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_handlers(st); i++)
		n += KST_HANDLER(st, i, WAKEUPS);
	return n;
}

START_TEST(one_packet_wakes_one_handler)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	g_autoptr(kstats) st = NULL;
	struct stats_loop loop = { 0 };
	struct ovsdp_handlers *hs;
	uint64_t wakeups0, wakeups;
	gint64 t0, took;
	GThread *t;
	bool ok;

	add_veth_port(0);
	hs = start(p, 4, NULL);
	/* Spaced out, so each frame is its own wakeup. */
	send_frames(0, 0, 40, 20000);
	ck_assert(wait_ours(40));
	/* Every handler back asleep: no wakeup left to count. */
	ck_assert(KTEST_WAIT(WAIT_MS, ktest_threads_asleep(handler_threads, 1)));
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	printf("%s: %u handlers, 40 upcalls, %" G_GUINT64_FORMAT " empty wakeups\n",
	       dispatchers[_i], ovsdp_handlers_stats_n_handlers(st), KST_DISP(st, EMPTY_WAKEUPS));
	if (!strcmp(dispatchers[_i], "per-cpu") ||
	    (!strcmp(dispatchers[_i], "per-vport") && features.epoll_exclusive))
		ck_assert_uint_le(KST_DISP(st, EMPTY_WAKEUPS), 4);

	/* Stats read in a loop meanwhile: the handlers keep receiving, and
	 * the snapshots ask the plugin (its dispatch lock for writing, which
	 * wakes every handler out of wait) about once a second, not once a
	 * call: at most every handler once per frame (a herd) plus once per
	 * second of the loop. */
	wakeups0 = handler_wakeups(st);
	loop.hs = hs;
	t0 = g_get_monotonic_time();
	t = g_thread_new("stats-loop", stats_loop_main, &loop);
	send_frames(0, 40, 40, 20000);
	ok = wait_ours(80);
	/* Enough calls that one wakeup each would show. */
	KTEST_WAIT(WAIT_MS, g_atomic_int_get(&loop.calls) >= 200);
	g_atomic_int_set(&loop.stop, 1);
	g_thread_join(t);
	took = g_get_monotonic_time() - t0;
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	wakeups = handler_wakeups(st) - wakeups0;
	printf("%s: 40 upcalls while %d stats snapshots were read in %" G_GINT64_FORMAT " ms: %"
	       G_GUINT64_FORMAT " handler wakeups\n", dispatchers[_i], g_atomic_int_get(&loop.calls),
	       took / 1000, wakeups);
	ck_assert_msg(ok, "%s: %" G_GUINT64_FORMAT " of 80 upcalls arrived while stats were read",
		      dispatchers[_i], rx_ours());
	ck_assert_int_eq(g_atomic_int_get(&loop.failed), 0);
	ck_assert_int_ge(g_atomic_int_get(&loop.calls), 200);
	ck_assert_uint_le(wakeups, (uint64_t)ovsdp_handlers_stats_n_handlers(st) *
			  (40 + (uint64_t)(took / G_USEC_PER_SEC) + 2));
	ovsdp_handlers_free(hs);
}
END_TEST

/* per-vport with keep-order (its default) or without, and with it and 70
 * handlers (past the 64 that can park a socket): three ports
 * flooded at once, each by a sender of its own, 400 frames back to back,
 * read by 4 handlers.  With it, each port's frames reach the callback in
 * the order they were sent (one handler at a time reads a port's socket,
 * and reads it again only after its batch was handled), each exactly
 * once, none lost; and no handler spins on a socket another one owns (a
 * busy loop would count far more wakeups than upcalls).  Without it two
 * handlers may hand consecutive batches of a port to the callback side
 * by side: that count is printed, not asserted (it depends on timing). */
START_TEST(per_vport_keeps_port_order)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, "per-vport");
	bool keep = _i != 1;
	/* The third run: 70 handlers, past PARK_MAX (64), where a handler
	 * that meets a socket another owns cannot park it and marks it
	 * skipped instead (dispatch-per-vport.c). */
	unsigned int n = _i == 2 ? 70 : 4;
	uint64_t high = 0;
	g_autofree char *text = g_strdup_printf("[dispatch]\nmode = per-vport\n"
						"[plugin:per-vport]\nkeep-order = %s\n",
						keep ? "on" : "off");
	struct sender snd[3] = { { 0, 400, 0 }, { 1, 400, 0 }, { 2, 400, 0 } };
	struct ovsdp_config *cfg = NULL;
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs;
	GThread *t[3];
	uint64_t lost0, wakeups;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(ovsdp_config_parse("order.conf", text, -1, &cfg, NULL), 0);
	for (unsigned int i = 0; i < 3; i++)
		add_veth_port(i);
	hs = start(p, n, cfg);
	lost0 = knet_dp_stats(dp).n_lost;
	for (unsigned int i = 0; i < 3; i++)
		t[i] = g_thread_new("sender", sender_main, &snd[i]);
	for (unsigned int i = 0; i < 3; i++)
		g_thread_join(t[i]);
	ck_assert_msg(wait_ours(1200), "%" G_GUINT64_FORMAT " of 1200 delivered, the kernel "
		      "lost %" G_GUINT64_FORMAT, rx_ours(), knet_dp_stats(dp).n_lost - lost0);
	ck_assert(KTEST_WAIT(WAIT_MS, ktest_threads_asleep(handler_threads, n)));
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_n_handlers(st), n);
	wakeups = handler_wakeups(st);
	for (unsigned int i = 64; i < n; i++)
		high += KST_HANDLER(st, i, UPCALLS);
	printf("per-vport, keep-order = %s, %u handlers, 3 ports x 400 frames: %" G_GUINT64_FORMAT
	       " / %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT " out of order, %" G_GUINT64_FORMAT
	       " handler wakeups (%" G_GUINT64_FORMAT " empty); handlers 64 and up read %"
	       G_GUINT64_FORMAT "\n", keep ? "on" : "off", n, reorders[0], reorders[1],
	       reorders[2], wakeups, KST_DISP(st, EMPTY_WAKEUPS), high);
	for (unsigned int i = 0; i < 3; i++)
		check_exactly_once(i, 0, 400);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	ck_assert_uint_le(wakeups, (uint64_t)n * 1200 + 100);
	if (keep)
		for (unsigned int i = 0; i < 3; i++)
			ck_assert_msg(reorders[i] == 0, "port %u: %" G_GUINT64_FORMAT " frames out "
				      "of order", i, reorders[i]);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

/* Voluntary context switches so far of the threads that wait for upcalls:
 * the core's handlers and per-vport's epoll waiters.  A thread woken for a
 * socket another thread has already drained goes back to sleep inside the
 * kernel (poll and epoll re-check readiness), so user space never sees
 * that wakeup; this counter does. */
static uint64_t
waiter_switches(void)
{
	GDir *d = g_dir_open("/proc/self/task", 0, NULL);
	const char *tid;
	uint64_t sum = 0;

	ck_assert_ptr_nonnull(d);
	while ((tid = g_dir_read_name(d))) {
		g_autofree char *comm_path = g_strdup_printf("/proc/self/task/%s/comm", tid);
		g_autofree char *status_path = g_strdup_printf("/proc/self/task/%s/status", tid);
		g_autofree char *comm = NULL, *status = NULL;
		const char *v;

		if (!g_file_get_contents(comm_path, &comm, NULL, NULL) ||
		    !g_file_get_contents(status_path, &status, NULL, NULL))
			continue;       /* the thread just ended */
		if (!g_str_has_prefix(comm, "ovsdp-handler") && !g_str_has_prefix(comm, "pervport-wait"))
			continue;
		v = strstr(status, "\nvoluntary_ctxt_switches:");
		ck_assert_ptr_nonnull(v);
		sum += g_ascii_strtoull(v + strlen("\nvoluntary_ctxt_switches:"), NULL, 10);
	}
	g_dir_close(d);
	return sum;
}

/* Threads of this process other than the core's (ovsdp-handler*,
 * ovsdp-monitor): what a plugin would have started. */
static unsigned int
foreign_threads(void)
{
	GDir *d = g_dir_open("/proc/self/task", 0, NULL);
	unsigned int n = 0;
	const char *tid;

	ck_assert_ptr_nonnull(d);
	while ((tid = g_dir_read_name(d))) {
		g_autofree char *comm_path = g_strdup_printf("/proc/self/task/%s/comm", tid);
		g_autofree char *comm = NULL;

		if (g_file_get_contents(comm_path, &comm, NULL, NULL) &&
		    !g_str_has_prefix(comm, "ovsdp-"))
			n++;
	}
	g_dir_close(d);
	return n;
}

/* 40 frames spaced out, through per-vport with 'mode', 'n' handlers;
 * returns how many times the waiting threads slept again meanwhile.
 * per-vport starts no thread of its own: the core's handlers sleep in its
 * wait (ABI 1.1), in epoll_wait() on their own sets. */
static uint64_t
herd_run(struct ovsdp_plugin *p, const char *mode, unsigned int n, uint32_t first)
{
	g_autofree char *text = g_strdup_printf("[dispatch]\nmode = per-vport\n"
						"[plugin:per-vport]\nepoll-exclusive = %s\n", mode);
	struct ovsdp_config *cfg = NULL;
	struct ovsdp_handlers *hs;
	uint64_t before, after;

	unsigned int foreign;

	ck_assert_int_eq(ovsdp_config_parse("herd.conf", text, -1, &cfg, NULL), 0);
	foreign = foreign_threads();
	hs = start(p, n, cfg);
	/* A new handler thread names itself (glib does, once it runs): until
	 * then it looks foreign.  A plugin's own thread stays foreign. */
	ck_assert_msg(KTEST_WAIT(WAIT_MS, foreign_threads() == foreign),
		      "%u threads not the core's, %u before start", foreign_threads(), foreign);
	/* Warm up first: a handler's first receive sets up its buffers (the
	 * runtime's spill ring for upcalls larger than a slot), which costs
	 * switches of its own that are no wakeups; 20 frames reach several
	 * handlers.  Then every waiting thread asleep before counting, and
	 * again after. */
	send_frames(0, first, 20, 5000);
	ck_assert(wait_ours(first + 20));
	ck_assert(KTEST_WAIT(WAIT_MS, ktest_threads_asleep(handler_threads, n)));
	before = waiter_switches();
	send_frames(0, first + 20, 40, 20000);
	ck_assert(wait_ours(first + 60));
	ck_assert(KTEST_WAIT(WAIT_MS, ktest_threads_asleep(handler_threads, n)));
	after = waiter_switches();
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
	return after - before;
}

START_TEST(per_vport_without_exclusive_herds)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, "per-vport");
	uint64_t on, off;

	ck_assert_ptr_nonnull(p);
	ck_assert(features.epoll_exclusive);    /* every kernel in the matrix */
	add_veth_port(0);
	/* Side by side in one run, 12 handlers on one port's socket. */
	on = herd_run(p, "on", 12, 0);
	off = herd_run(p, "off", 12, 60);
	printf("per-vport, 12 handlers, 40 upcalls: %" G_GUINT64_FORMAT " thread wakeups with "
	       "epoll-exclusive=on, %" G_GUINT64_FORMAT " with off\n", on, off);
	/* Without EPOLLEXCLUSIVE every handler wakes for every frame (about
	 * 12 per frame); with it one handler does (about 1; 3 when per-vport
	 * still had waiter threads, docs/benchmarks.md). */
	ck_assert_uint_gt(off, 2 * on);
	ck_assert_uint_ge(off, 40 * 6);
}
END_TEST

/* ---- the core owns the dispatch mode: a vendor's per-port plugin ------- */

/* A paced flood of new-MAC frames on ports 0 and 1 until 'stop'. */
struct flood {
	pthread_t thread;
	gint stop;
	uint32_t sent[2];
};

static void *
flood_main(void *arg)
{
	struct flood *f = arg;

	for (uint32_t s = 0; !g_atomic_int_get(&f->stop) && s < 0xfffff; s++) {
		for (unsigned int i = 0; i < 2; i++) {
			send_frames(i, s, 1, 0);
			f->sent[i] = s + 1;
		}
		g_usleep(400);  /* pacing: a flood the handlers keep up with */
	}
	return NULL;
}

static struct ovsdp_dp_stats
kernel_stats(void)
{
	struct ovsdp_dp_info info;

	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	return info.stats;
}

static void
switch_to(struct ovsdp_handlers *hs, const char *name)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, name);
	g_autoptr(GError) err = NULL;

	ck_assert_msg(p && ovsdp_plugin_status(p) == OVSDP_PLUGIN_OK, "dispatcher %s: %s", name,
		      p ? ovsdp_plugin_reason(p) : "not found");
	ck_assert_msg(ovsdp_handlers_switch(hs, p, &err) == 0, "switch to %s: %s", name,
		      err ? err->message : "");
	{
		g_autofree char *running = ovsdp_handlers_plugin_name(hs);

		ck_assert_str_eq(running, name);
	}
}

static unsigned int
switch_count(void)
{
	const char *env = g_getenv("OVSDP_TEST_SWITCHES");

	return env && *env ? (unsigned int)g_ascii_strtoull(env, NULL, 10) : 20;
}

/* Live switches between per-cpu and the vendor-style "vendor" plugin,
 * which only sets vport pids, under a paced flood: after each one the new
 * dispatcher handles traffic and the kernel has lost nothing; at the end
 * every miss the kernel counted is an upcall the callback saw or one it
 * lost before the test (missed == handled + lost).  Loop 0: four
 * switches, drained as where the kernel has no grace period to offer (a
 * settle deadline instead); loop 1: OVSDP_TEST_SWITCHES (20) with the
 * vendor plugin's handlers slowed by 2 ms a read, so upcalls queue up on
 * the sockets being retired. */
START_TEST(vendor_switch_from_and_to_per_cpu)
{
	const char *conf = _i == 0 ? "[dispatch]\nmode = auto\n"
				   : "[dispatch]\nmode = auto\n[plugin:vendor]\nrecv-delay-us = 2000\n";
	unsigned int n = _i == 0 ? 4 : switch_count();
	struct ovsdp_config *cfg = NULL;
	struct ovsdp_handlers *hs;
	struct ovsdp_dp_stats st;
	struct flood fl = { 0 };
	uint64_t lost0, handled, want;
	bool settled = false;

	ck_assert_int_eq(ovsdp_config_parse("vendor.conf", conf, -1, &cfg, NULL), 0);
	add_veth_port(0);
	add_veth_port(1);
	hs = start(ovsdp_plugins_find(plugins, "per-cpu"), 2, cfg);
	ovsdp_handlers_test_skip_grace(hs, _i == 0);
	lost0 = knet_dp_stats(dp).n_lost;
	ck_assert_int_eq(pthread_create(&fl.thread, NULL, flood_main, &fl), 0);
	for (unsigned int k = 0; k < n; k++) {
		const char *to = k % 2 == 0 ? "vendor" : "per-cpu";
		uint64_t before;

		switch_to(hs, to);
		/* Traffic still handled, by the new dispatcher. */
		before = knet_rx_total(&rx);
		ck_assert_msg(wait_ours(rx_ours() + 20), "switch %u (to %s): no traffic handled "
			      "since (%" G_GUINT64_FORMAT " upcalls)", k + 1, to, before);
		ck_assert_msg(knet_dp_stats(dp).n_lost == lost0, "switch %u (to %s): the kernel lost %"
			      G_GUINT64_FORMAT " upcalls", k + 1, to, knet_dp_stats(dp).n_lost - lost0);
	}
	g_atomic_int_set(&fl.stop, 1);
	pthread_join(fl.thread, NULL);
	/* Everything the kernel queued reaches the callback. */
	for (int waited = 0; waited < WAIT_MS && !settled; waited += 10) {
		st = kernel_stats();
		settled = knet_rx_total(&rx) == st.n_missed - st.n_lost;
		if (!settled)
			g_usleep(10000);
	}
	st = kernel_stats();
	handled = knet_rx_total(&rx);
	want = st.n_missed - st.n_lost;
	ck_assert_msg(st.n_lost == lost0, "the kernel lost %" G_GUINT64_FORMAT " upcalls in %u "
		      "switches", st.n_lost - lost0, n);
	ck_assert_msg(st.n_missed == handled + st.n_lost, "missed %" G_GUINT64_FORMAT
		      " != handled %" G_GUINT64_FORMAT " + lost %" G_GUINT64_FORMAT
		      " (%" G_GUINT64_FORMAT " queued upcalls never handled)", st.n_missed,
		      handled, st.n_lost, want > handled ? want - handled : 0);
	ck_assert_uint_gt(fl.sent[0], 20 * n / 2);
	/* No frame delivered twice (one drained from old and new sockets). */
	pthread_mutex_lock(&rx.lock);
	{
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, rx.count);
		while (g_hash_table_iter_next(&it, &k, &v))
			ck_assert_msg(GPOINTER_TO_UINT(v) == 1, "frame tag %u delivered %u times",
				      GPOINTER_TO_UINT(k) - 1, GPOINTER_TO_UINT(v));
	}
	pthread_mutex_unlock(&rx.lock);
	printf("vendor-switch: %u switches, %" G_GUINT64_FORMAT " upcalls handled, kernel "
	       "missed %" G_GUINT64_FORMAT " lost %" G_GUINT64_FORMAT " (before the flood %"
	       G_GUINT64_FORMAT ")\n", n, handled, st.n_missed, st.n_lost, lost0);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

/* A datapath left in per-cpu mode (by a previous process, here pointing
 * at a socket that is closed) gets out of it when a per-port plugin
 * starts: its frames reach the new plugin. */
START_TEST(vendor_start_leaves_stale_per_cpu)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_upcall_sock *stale = NULL;
	struct ovsdp_handlers *hs;
	struct ovsdp_dp_info info;
	uint32_t pids[1];

	add_veth_port(0);
	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &stale, NULL), 0);
	pids[0] = ovsdp_upcall_sock_portid(stale);
	ck_assert_msg(ovsdp_dp_set_per_cpu_pids(dp, pids, 1, &err) == 0, "%s",
		      err ? err->message : "");
	ovsdp_upcall_sock_close(stale);
	hs = start(ovsdp_plugins_find(plugins, "vendor"), 2, NULL);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	ck_assert_uint_eq(info.user_features & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, 0);
	send_frames(0, 0, 20, 1000);
	ck_assert(wait_ours(20));
	check_exactly_once(0, 0, 20);
	ovsdp_handlers_free(hs);
}
END_TEST

/* The kernel enters per-cpu mode in two steps within one request: it sets
 * the feature bit, then publishes the new per-cpu array; a miss in between
 * is routed by the array it had.  This holds that window open (the bit
 * alone, no array) while a per-port plugin is active: loop 0 on a new
 * datapath (no array yet: ENOTCONN), loop 1 after a switch away from
 * per-cpu (the array of the retired instance: ECONNREFUSED).  The core
 * parks the array on a socket the active plugin reads, so every frame is
 * handled once and the kernel loses none. */
START_TEST(per_cpu_entry_window_loses_nothing)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers *hs;
	struct ovsdp_dp_info info;
	uint64_t lost0;

	add_veth_port(0);
	if (_i == 0)
		hs = start(ovsdp_plugins_find(plugins, "vendor"), 2, NULL);
	else {
		hs = start(ovsdp_plugins_find(plugins, "per-cpu"), 2, NULL);
		switch_to(hs, "vendor");
	}
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	ck_assert_uint_eq(info.user_features & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, 0);
	lost0 = info.stats.n_lost;
	ck_assert_msg(ovsdp_dp_set_user_features(dp, info.user_features |
						 OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, &err) == 0,
		      "%s", err ? err->message : "");
	send_frames(0, 0, 20, 1000);
	ck_assert_msg(wait_ours(20), "%s: %" G_GUINT64_FORMAT " of 20 frames handled in the "
		      "window, kernel lost %" G_GUINT64_FORMAT, _i == 0 ? "new datapath" :
		      "after per-cpu", rx_ours(), knet_dp_stats(dp).n_lost - lost0);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	check_exactly_once(0, 0, 20);
	ck_assert_int_eq(ovsdp_dp_set_user_features(dp, info.user_features, NULL), 0);
	ovsdp_handlers_free(hs);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc, *vendor;
	bool has_per_vport, has_per_cpu;

	ktest_require_datapath();
	/* Meson runs per-cpu as its own test, dispatch-per-cpu. */
	dispatchers = ktest_dispatchers(&n_dispatchers);
	has_per_vport = g_strv_contains((const char *const *)dispatchers, "per-vport");
	has_per_cpu = g_strv_contains((const char *const *)dispatchers, "per-cpu");

	tc = tsuite_case(s, "conformance", setup, teardown, 240, NULL);
	tcase_add_loop_test(tc, every_miss_one_upcall, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, ports_added_and_removed, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, handlers_resized_under_traffic, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, recv_set_stops_and_resumes, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, switched_live_and_back, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, socket_count_at_200_ports, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, one_flow_stays_in_order, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, one_packet_wakes_one_handler, 0, (int)n_dispatchers);
	if (has_per_vport) {
		tsuite_case(s, "herd", setup, teardown, 120,
			    TSUITE_TESTS(per_vport_without_exclusive_herds));
		tcase_add_loop_test(tsuite_case(s, "order", setup, teardown, 240, NULL),
				    per_vport_keeps_port_order, 0, 3);
	}
	/* The checking plugin counts the handlers that entered its wait. */
	if (g_strv_contains((const char *const *)dispatchers, "checking"))
		tsuite_case(s, "armed", setup, teardown, 120,
			    TSUITE_TESTS(every_handler_waits_once_started));
	/* The vendor plugin (tests/plugins/vendor) against per-cpu mode: with
	 * per-cpu, which the gate above made sure the kernel has. */
	if (has_per_cpu) {
		vendor = tsuite_case(s, "vendor-switch", setup, teardown, 600, NULL);
		tcase_add_loop_test(vendor, vendor_switch_from_and_to_per_cpu, 0, 2);
		tcase_add_test(vendor, vendor_start_leaves_stale_per_cpu);
		tcase_add_loop_test(vendor, per_cpu_entry_window_loses_nothing, 0, 2);
	}
	return ktest_run_suite(s);
}
