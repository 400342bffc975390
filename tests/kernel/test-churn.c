/* test-churn.c: port churn under traffic.  While frames flow on one stable
 * port, internal ports are added and deleted OVSDP_CHURN_CYCLES times
 * (default 1000), half of them told to the runtime and half left to its
 * vport monitor.  Per dispatcher (OVSDP_TEST_DISPATCHERS, default legacy
 * per-vport per-cpu): every stable frame is delivered exactly once, none is
 * lost, and the process ends with the descriptors it started with.  The
 * cycle count may also come as the first argument (the suite passes 300). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "ovsdp/ovsdp.h"
#include "runtime/handlers-internal.h"
#include "knet.h"
#include "ktest.h"
#include "kstats.h"

#define DP_NAME "ovsdpch"
#define MAX_SEQ (1u << 20)
#define WAIT_MS 20000

static char **dispatchers;
static unsigned int n_dispatchers;
static unsigned int cycles;

static struct ovsdp_dp *dp;
static struct ovsdp_plugins *plugins;
static struct ovsdp_features features;
static uint32_t stable_port;
static int stable_raw;

/* Deliveries per sequence number of the stable port's frames. */
static uint8_t *seen;
static uint64_t delivered;      /* atomic */
static uint64_t others;         /* atomic: upcalls that are not ours */

static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	(void)h;
	(void)data;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t tag;

		if (!knet_upcall_tag(&ups[i], &tag)) {
			__atomic_add_fetch(&others, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (tag < MAX_SEQ)
			__atomic_add_fetch(&seen[tag], 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&delivered, 1, __ATOMIC_RELAXED);
	}
}

static unsigned int
count_fds(void)
{
	return knet_count_entries("/proc/self/fd");
}

/* The stable port's traffic: one new flow per frame, no flow installed. */
struct sender {
	gint stop;
	uint32_t sent;
};

static gpointer
sender_main(gpointer data)
{
	struct sender *s = data;

	while (!g_atomic_int_get(&s->stop) && s->sent < MAX_SEQ) {
		knet_send_misses(stable_raw, 0, s->sent, 1, 0);
		s->sent++;
		g_usleep(2000);
	}
	return NULL;
}

static void
setup(void)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_vport_spec spec = { .name = "dp0", .type = OVSDP_VPORT_TYPE_NETDEV };
	struct ovsdp_vport_info info;

	ktest_netns_setup();
	ck_assert_int_eq(ovsdp_features_probe(&features, NULL), 0);
	ck_assert_msg(ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &plugins, NULL), 0);
	knet_veth("dp0", "tx0");
	ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err ? err->message : "");
	stable_port = info.port_no;
	stable_raw = knet_raw_open("tx0");
	seen = g_new0(uint8_t, MAX_SEQ);
	delivered = others = 0;
}

static void
teardown(void)
{
	close(stable_raw);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	g_free(seen);
}

/* The plugin called dispatchers[i]: one the kernel can run (main skips
 * the whole program, exit 77, where it has no per-cpu dispatch). */
static struct ovsdp_plugin *
plugin_under_test(int i)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, dispatchers[i]);

	ck_assert_msg(p != NULL, "dispatcher %s not found", dispatchers[i]);
	ck_assert_msg(ovsdp_plugin_status(p) == OVSDP_PLUGIN_OK, "%s: %s", dispatchers[i],
		      ovsdp_plugin_reason(p) ? ovsdp_plugin_reason(p) : "not usable");
	return p;
}

/* Add and delete internal port "churn": told to the runtime when 'tell',
 * else found by its vport monitor. */
static void
churn_once(struct ovsdp_handlers *hs, bool tell)
{
	struct ovsdp_vport_spec spec = { .name = "churn", .type = OVSDP_VPORT_TYPE_INTERNAL };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err->message);
	if (tell)
		ck_assert_msg(ovsdp_handlers_port_added(hs, info.port_no, &err) == 0, "%s",
			      err->message);
	ck_assert_msg(ovsdp_vport_del(dp, info.port_no, &err) == 0, "%s", err->message);
	if (tell)
		ovsdp_handlers_port_deleted(hs, info.port_no);
}

/* The upcall sockets the dispatcher should hold for the local port and
 * the stable one. */
static uint64_t
want_sockets(const char *name, unsigned int n_handlers)
{
	if (!strcmp(name, "legacy"))
		return 2ull * n_handlers;
	if (!strcmp(name, "per-vport"))
		return 2;
	return n_handlers;
}

START_TEST(churn_under_traffic)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .n_handlers = 2, .callback = on_upcalls,
	};
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;
	struct sender snd = { 0, 0 };
	unsigned int fds0, fds1 = 0;
	uint64_t lost0, lost, got, missed0, got0;
	GThread *t;
	gint64 t0, took;

	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	ck_assert_msg(ovsdp_handlers_start(hs, p, &err) == 0, "%s", err ? err->message : "");
	/* One cycle first, so that what the runtime creates once (and keeps)
	 * is not counted as growth. */
	churn_once(hs, true);
	/* Settled: the deleted port's socket is closed. */
	ck_assert(KTEST_WAIT(WAIT_MS, kstats_get(hs, &st) == 0 &&
			     KST_DISP(st, SOCKETS) ==
				     want_sockets(dispatchers[_i], ovsdp_handlers_stats_n_handlers(st))));
	fds0 = count_fds();
	lost0 = knet_dp_stats(dp).n_lost;
	missed0 = knet_dp_missed(dp);
	got0 = __atomic_load_n(&delivered, __ATOMIC_RELAXED) + __atomic_load_n(&others,
									       __ATOMIC_RELAXED);
	t = g_thread_new("sender", sender_main, &snd);
	t0 = g_get_monotonic_time();
	for (unsigned int c = 0; c < cycles; c++)
		churn_once(hs, c % 2 == 0);
	took = (g_get_monotonic_time() - t0) / 1000;
	g_atomic_int_set(&snd.stop, 1);
	g_thread_join(t);

	/* Every frame of the stable port, exactly once. */
	for (int waited = 0; waited < WAIT_MS; waited += 50) {
		if (__atomic_load_n(&delivered, __ATOMIC_RELAXED) >= snd.sent)
			break;
		g_usleep(50000);
	}
	/* Every upcall the kernel tried is delivered or lost: duplicates
	 * would show up now. */
	KTEST_WAIT(WAIT_MS, knet_dp_missed(dp) - missed0 ==
		   __atomic_load_n(&delivered, __ATOMIC_RELAXED) +
		   __atomic_load_n(&others, __ATOMIC_RELAXED) - got0 + (knet_dp_stats(dp).n_lost - lost0));
	lost = knet_dp_stats(dp).n_lost - lost0;
	got = __atomic_load_n(&delivered, __ATOMIC_RELAXED);
	for (uint32_t s = 0; s < snd.sent; s++) {
		uint8_t k = __atomic_load_n(&seen[s], __ATOMIC_RELAXED);

		ck_assert_msg(k == 1, "%s: stable frame %u delivered %u times (%" G_GUINT64_FORMAT
			      " of %u delivered, kernel lost %" G_GUINT64_FORMAT ")", dispatchers[_i], s,
			      k, got, snd.sent, lost);
	}
	ck_assert_uint_eq(got, snd.sent);
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(__atomic_load_n(&others, __ATOMIC_RELAXED), 0);

	/* No descriptor growth, once the monitor has caught up and deleted
	 * ports' sockets have been drained and closed (the plugins close
	 * them in control calls, a settle time after the port went). */
	for (int waited = 0; waited < WAIT_MS; waited += 250) {
		ck_assert_int_eq(kstats_get(hs, &st), 0);
		fds1 = count_fds();
		if (fds1 == fds0 && KST_DISP(st, SOCKETS) == want_sockets(dispatchers[_i],
										     ovsdp_handlers_stats_n_handlers(st)))
			break;
		g_usleep(250000);
	}
	printf("%s: %u add/delete cycles in %" G_GINT64_FORMAT " ms (%.1f ms each), %u stable frames "
	       "delivered once each, kernel lost %" G_GUINT64_FORMAT ", fds %u -> %u, sockets %"
	       G_GUINT64_FORMAT "\n", dispatchers[_i], cycles, took, cycles ? (double)took / cycles : 0,
	       snd.sent, lost, fds0, fds1, KST_DISP(st, SOCKETS));
	ck_assert_uint_eq(fds1, fds0);
	ck_assert_uint_eq(KST_DISP(st, SOCKETS), want_sockets(dispatchers[_i], ovsdp_handlers_stats_n_handlers(st)));
	ovsdp_handlers_free(hs);
}
END_TEST

/* The port monitor overruns (its socket buffer shrunk to the minimum by
 * OVSDP_TEST_MONITOR_RCVBUF) while ports are created faster than it reads:
 * the lost events are made good by re-reading the ports, so every port
 * created gets its upcall socket from the dispatcher (half of them are
 * deleted again meanwhile, which the re-read must not trip on).  Per-cpu gives ports no socket of their own:
 * nothing to see there. */
START_TEST(monitor_resyncs_after_overrun)
{
	struct ovsdp_plugin *p = plugin_under_test(_i);
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .n_handlers = 2, .callback = on_upcalls,
	};
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;
	enum { N = 48 };
	uint32_t ports[N];
	unsigned int missing = N;

	ck_assert(g_setenv("OVSDP_TEST_MONITOR_RCVBUF", "1", TRUE));
	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	g_unsetenv("OVSDP_TEST_MONITOR_RCVBUF");
	ck_assert_msg(ovsdp_handlers_start(hs, p, &err) == 0, "%s", err ? err->message : "");
	for (unsigned int i = 0; i < N; i++) {
		struct ovsdp_vport_spec spec = { .type = OVSDP_VPORT_TYPE_INTERNAL };
		struct ovsdp_vport_info info;
		char name[16];

		snprintf(name, sizeof name, "rs%u", i);
		spec.name = name;
		ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err->message);
		ports[i] = info.port_no;
	}
	/* Half of them go again before the monitor can have caught up. */
	for (unsigned int i = 0; i < N; i += 2)
		ck_assert_msg(ovsdp_vport_del(dp, ports[i], &err) == 0, "%s", err->message);
	for (gint64 end = g_get_monotonic_time() + WAIT_MS * 1000; missing &&
	     g_get_monotonic_time() < end; ) {
		missing = 0;
		for (unsigned int i = 1; i < N; i += 2) {
			uint32_t pids[OVSDP_HANDLERS_MAX] = { 0 };

			/* legacy gives a port one pid per handler */
			if (ovsdp_vport_get_upcall_pids(dp, ports[i], pids, G_N_ELEMENTS(pids),
							NULL) < 1 || pids[0] == 0 ||
			    ovsdp_handlers_port_get_pid(hs, ports[i]) == 0)
				missing++;
		}
		if (missing)
			g_usleep(50000);
	}
	printf("%s: monitor re-read the ports %" G_GUINT64_FORMAT " times; %u of %u ports "
	       "without a socket\n", dispatchers[_i], ovsdp_handlers_monitor_resyncs(hs), missing,
	       N / 2);
	ck_assert_uint_eq(missing, 0);
	ck_assert_uint_ge(ovsdp_handlers_monitor_resyncs(hs), 1);
	ovsdp_handlers_free(hs);
}
END_TEST

/* Usage: ktest-churn [CYCLES]; OVSDP_CHURN_CYCLES overrides both. */
int
main(int argc, char **argv)
{
	const char *n = g_getenv("OVSDP_CHURN_CYCLES");
	Suite *s = suite_create("churn");
	TCase *tc;

	ktest_require_datapath();
	/* Meson runs per-cpu as its own test, churn-per-cpu. */
	dispatchers = ktest_dispatchers(&n_dispatchers);
	if (!(n && *n) && argc > 1)
		n = argv[1];
	cycles = n && *n ? (unsigned int)strtoul(n, NULL, 10) : 1000;
	tc = tsuite_case(s, "churn", setup, teardown, 600, NULL);
	tcase_add_loop_test(tc, churn_under_traffic, 0, (int)n_dispatchers);
	/* The port monitor's resync gives ports their sockets: per-cpu has
	 * none per port, so the case runs for the others only (not added,
	 * rather than passed without a check). */
	tc = NULL;
	for (unsigned int i = 0; i < n_dispatchers; i++) {
		if (!strcmp(dispatchers[i], "per-cpu"))
			continue;
		if (!tc)
			tc = tsuite_case(s, "resync", setup, teardown, 120, NULL);
		tcase_add_loop_test(tc, monitor_resyncs_after_overrun, (int)i, (int)i + 1);
	}
	return ktest_run_suite(s);
}
