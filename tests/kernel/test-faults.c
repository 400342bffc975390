/* test-faults.c: the handler runtime against a dispatcher whose calls fail
 * (tests/plugins/faulty): every failure is rolled back and reported with the
 * dispatcher and the call named, no descriptor or thread is left behind, the
 * datapath stays usable, and a tiny receive buffer shows up as counted
 * overruns with delivered + kernel lost == sent. */
#include "config.h"

#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "ovsdp/ovsdp.h"
#include "kfds.h"
#include "knet.h"
#include "ktest.h"
#include "kstats.h"

#define DP_NAME "ovsdpft"
#define MAX_PORTS 4
#define WAIT_MS 8000
#define GOOD "per-vport"        /* runs on every kernel */

/* What the callback saw. */
static struct knet_rx rx;
static gint slow_us;            /* atomic: the callback sleeps this long per batch */
static struct ovsdp_dp *dp;
static struct ovsdp_plugins *plugins;
static uint32_t port_no[MAX_PORTS];
static int raw[MAX_PORTS];

/* Lines the library logged (domain "ovsdp"), for asserting on them. */
static pthread_mutex_t log_lock;
static GPtrArray *logged;

static void
capture_log(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
	(void)data;
	fprintf(stderr, "[%s] %s\n", domain ? domain : "", msg);
	if (level & G_LOG_LEVEL_DEBUG)
		return;
	pthread_mutex_lock(&log_lock);
	g_ptr_array_add(logged, g_strdup(msg));
	pthread_mutex_unlock(&log_lock);
}

/* Wait up to timeout_ms for a logged line containing every one of the
 * NULL-terminated fragments. */
static bool
wait_logged(int timeout_ms, ...)
{
	for (int waited = 0;; waited += 20) {
		bool found = false;

		pthread_mutex_lock(&log_lock);
		for (guint i = 0; i < logged->len && !found; i++) {
			const char *line = g_ptr_array_index(logged, i);
			const char *frag;
			va_list ap;

			found = true;
			va_start(ap, timeout_ms);
			while ((frag = va_arg(ap, const char *)))
				if (!strstr(line, frag))
					found = false;
			va_end(ap);
		}
		pthread_mutex_unlock(&log_lock);
		if (found)
			return true;
		if (waited >= timeout_ms)
			return false;
		g_usleep(20000);
	}
}

static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	struct knet_rx *r = data;
	uint32_t tag;

	(void)h;
	pthread_mutex_lock(&r->lock);
	for (unsigned int i = 0; i < n; i++)
		knet_rx_note(r, &ups[i], &tag);
	pthread_mutex_unlock(&r->lock);
	if (g_atomic_int_get(&slow_us))
		g_usleep((gulong)g_atomic_int_get(&slow_us));
}

static uint64_t
rx_ours(void)
{
	return knet_rx_ours(&rx);
}

/* What each count_fds() found, by count, for fds_settle() to say which
 * descriptors differ when a later count stays off. */
static GHashTable *fds_seen;

/* Descriptors and threads this process has. */
static unsigned int
count_fds(void)
{
	unsigned int n = knet_count_entries("/proc/self/fd");

	if (!fds_seen)
		fds_seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	g_hash_table_insert(fds_seen, GUINT_TO_POINTER(n), kfds_describe());
	return n;
}

static unsigned int
count_threads(void)
{
	return knet_count_entries("/proc/self/task");
}

/* This process's thread count once it is 'want', or after 10 s.  A thread
 * a call joined can still be listed when the call returns: pthread_join()
 * returns as soon as the exiting thread has released its memory map (the
 * kernel clears the thread id glibc waits on there), and the kernel drops
 * the task from /proc/self/task only at the end of its exit, which on a
 * loaded host comes measurably later.  A thread the runtime left running
 * stays listed, and the count stays off. */
static unsigned int
threads_settle(unsigned int want)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	unsigned int n;

	while ((n = count_threads()) != want && g_get_monotonic_time() < deadline)
		g_usleep(1000);
	return n;
}

/* This process's descriptor count once it is 'want', or after 10 s: a
 * thread of the runtime (the port monitor answering the vport
 * notifications a bring-up causes, a handler) may hold one for a moment
 * while the test counts.  A descriptor the runtime leaked stays, and the
 * count stays off: then every descriptor is listed with what it is, so
 * that the failure names the leak. */
static unsigned int
fds_settle(unsigned int want)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	unsigned int n;

	while ((n = knet_count_entries("/proc/self/fd")) != want &&
	       g_get_monotonic_time() < deadline)
		g_usleep(1000);
	if (n != want) {
		g_autofree char *now = kfds_describe();
		g_autofree char *diff = kfds_diff(fds_seen ? g_hash_table_lookup(fds_seen,
			GUINT_TO_POINTER(want)) : NULL, now);

		fprintf(stderr, "descriptors: %u, expected %u; against the count that "
			"found %u:\n%snow:\n%s", n, want, want, diff, now);
	}
	return n;
}

static void
add_veth_port(unsigned int i)
{
	knet_veth_port(dp, i, &port_no[i], &raw[i]);
}

/* A new source MAC per frame, and no flow: each one misses. */
static void
send_frames(unsigned int i, uint32_t first, uint32_t count)
{
	knet_send_misses(raw[i], i, first, count, 0);
}

/* Frames [first, first+count) of port i were each delivered exactly once. */
static void
check_exactly_once(unsigned int i, uint32_t first, uint32_t count)
{
	knet_rx_check_once(&rx, i, first, count, UINT32_MAX);
}

/* Send 'count' frames on port i and see every one delivered once. */
static void
check_delivers(unsigned int i, uint32_t first, uint32_t count)
{
	uint64_t want = rx_ours() + count;

	send_frames(i, first, count);
	ck_assert_msg(knet_rx_wait(&rx, want, WAIT_MS), "port %u: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
		      " upcalls arrived", i, rx_ours(), want);
	check_exactly_once(i, first, count);
}

static gpointer
no_op(gpointer data)
{
	return data;
}

static void
setup(void)
{
	g_autofree char *faulty_dir = NULL;
	g_autofree char *path = NULL;
	struct ovsdp_features f;
	g_autoptr(GError) err = NULL;

	ktest_netns_setup();
	/* ThreadSanitizer starts a helper thread at a process's first
	 * pthread_create: have it exist before the thread and fd baselines. */
	g_thread_join(g_thread_new("warm-up", no_op, NULL));
	faulty_dir = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tests", "plugins", "faulty", NULL);
	path = g_strconcat(faulty_dir, ":", g_getenv("OVSDP_PLUGIN_PATH"), NULL);
	g_setenv("OVSDP_PLUGIN_PATH", path, TRUE);
	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	ck_assert_msg(ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &plugins, NULL), 0);
	ck_assert_msg(ovsdp_plugins_find(plugins, "faulty") != NULL, "faulty not found in %s", path);
	ck_assert_ptr_nonnull(ovsdp_plugins_find(plugins, GOOD));
	knet_rx_init(&rx);
	slow_us = 0;
	logged = g_ptr_array_new_with_free_func(g_free);
	g_log_set_handler("ovsdp", G_LOG_LEVEL_MASK, capture_log, NULL);
	for (unsigned int i = 0; i < MAX_PORTS; i++)
		raw[i] = -1;
}

static void
teardown(void)
{
	for (unsigned int i = 0; i < MAX_PORTS; i++)
		if (raw[i] >= 0)
			close(raw[i]);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	knet_rx_free(&rx);
	g_ptr_array_free(logged, TRUE);
}

/* A plugins.conf that makes 'call' fail after 'after' good calls, 'times'
 * times (0: for ever).  Checked against faulty's declared options. */
static struct ovsdp_config *
faulty_config(const char *call, unsigned int after, unsigned int times, unsigned int rcvbuf)
{
	g_autofree char *text = g_strdup_printf("[dispatch]\nmode = faulty\n[plugin:faulty]\n"
						"fail-call = %s\nfail-after = %u\nfail-times = %u\n"
						"rcvbuf = %u\n", call, after, times, rcvbuf);
	struct ovsdp_config *cfg = NULL;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_config_parse("faulty.conf", text, -1, &cfg, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_msg(ovsdp_plugins_check_config(plugins, cfg, &err) == 0, "%s", err->message);
	return cfg;
}

static struct ovsdp_handlers *
runtime(const struct ovsdp_config *cfg, unsigned int n_handlers)
{
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .config = cfg, .n_handlers = n_handlers,
		.callback = on_upcalls, .user_data = &rx,
	};
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	return hs;
}

static void
start_ok(struct ovsdp_handlers *hs, const char *name)
{
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_handlers_start(hs, ovsdp_plugins_find(plugins, name), &err) == 0,
		      "%s", err ? err->message : "");
	{
		g_autofree char *running = ovsdp_handlers_plugin_name(hs);

		ck_assert_str_eq(running, name);
	}
}

/* The port's upcall pid as the kernel has it. */
static uint32_t
kernel_pid(uint32_t port)
{
	struct ovsdp_vport_info info;

	ck_assert_int_eq(ovsdp_vport_get(dp, port, &info, NULL), 0);
	return info.upcall_pid;
}

static void
assert_names(const GError *err, const char *call)
{
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "faulty") && strstr(err->message, call),
		      "error does not name the dispatcher and %s: %s", call, err->message);
}

/* The calls start makes, and how many of each succeed before the failure
 * (port_added: the local port's succeeds, dp0's fails, so the rollback
 * has a socket to close). */
static const struct {
	const char *call;
	unsigned int after;
	int err;
} bring_up[] = {
	{ "create", 0, -EIO },
	{ "number_handlers_required", 0, -EINVAL },
	{ "handlers_set", 0, -EIO },
	{ "port_added", 1, -EIO },
	{ "recv_set", 0, -EIO },
};

START_TEST(start_failure_rolls_back)
{
	struct ovsdp_config *cfg = faulty_config(bring_up[_i].call, bring_up[_i].after, 0, 0);
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers *hs;
	unsigned int fds0, thr0, fds1, thr1;
	int r;

	add_veth_port(0);
	fds0 = count_fds();
	thr0 = count_threads();
	hs = runtime(cfg, 2);
	fds1 = count_fds();
	thr1 = count_threads();
	r = ovsdp_handlers_start(hs, ovsdp_plugins_find(plugins, "faulty"), &err);
	ck_assert_int_eq(r, bring_up[_i].err);
	assert_names(err, bring_up[_i].call);
	ck_assert_int_eq(err->code, -bring_up[_i].err);
	printf("start, %s fails: %s\n", bring_up[_i].call, err->message);
	{
		g_autofree char *running = ovsdp_handlers_plugin_name(hs);

		ck_assert_ptr_null(running);
	}
	ck_assert_uint_eq(fds_settle(fds1), fds1);
	ck_assert_uint_eq(threads_settle(thr1), thr1);
	ck_assert_uint_eq(kernel_pid(port_no[0]), 0);   /* the kernel was left alone */
	/* The same runtime starts a good dispatcher, which delivers. */
	start_ok(hs, GOOD);
	check_delivers(0, 0, 20);
	ovsdp_handlers_free(hs);
	ck_assert_uint_eq(fds_settle(fds0), fds0);
	ck_assert_uint_eq(threads_settle(thr0), thr0);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(switch_failure_keeps_old)
{
	struct ovsdp_config *cfg = faulty_config(bring_up[_i].call, bring_up[_i].after, 0, 0);
	g_autoptr(GError) err = NULL;
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs;
	unsigned int fds0, thr0, fds1, thr1;
	uint32_t pid;
	int r;

	add_veth_port(0);
	fds0 = count_fds();
	thr0 = count_threads();
	hs = runtime(cfg, 2);
	start_ok(hs, GOOD);
	check_delivers(0, 0, 20);
	fds1 = count_fds();
	thr1 = count_threads();
	pid = kernel_pid(port_no[0]);
	r = ovsdp_handlers_switch(hs, ovsdp_plugins_find(plugins, "faulty"), &err);
	ck_assert_int_eq(r, bring_up[_i].err);
	assert_names(err, bring_up[_i].call);
	ck_assert_msg(strstr(err->message, GOOD " stays active"), "%s", err->message);
	printf("switch, %s fails: %s\n", bring_up[_i].call, err->message);
	{
		g_autofree char *running = ovsdp_handlers_plugin_name(hs);

		ck_assert_str_eq(running, GOOD);
	}
	ck_assert_uint_eq(kernel_pid(port_no[0]), pid);
	check_delivers(0, 20, 20);
	ck_assert_uint_eq(fds_settle(fds1), fds1);
	ck_assert_uint_eq(threads_settle(thr1), thr1);
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	ck_assert_uint_eq(KST_TOTAL(st, SWITCHES), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_n_dispatchers(st), 1);
	ck_assert_str_eq(ovsdp_handlers_stats_dispatcher_name(st, 0), GOOD);
	ovsdp_handlers_free(hs);
	ck_assert_uint_eq(fds_settle(fds0), fds0);
	ck_assert_uint_eq(threads_settle(thr0), thr0);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(resize_failure_keeps_count)
{
	struct ovsdp_config *cfg = faulty_config("handlers_set", 1, 0, 0);
	g_autoptr(GError) err = NULL;
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs;
	unsigned int fds, thr;

	add_veth_port(0);
	add_veth_port(1);
	hs = runtime(cfg, 2);
	start_ok(hs, "faulty");
	check_delivers(0, 0, 10);
	fds = count_fds();
	thr = count_threads();
	ck_assert_int_eq(ovsdp_handlers_resize(hs, 3, &err), -EIO);
	assert_names(err, "handlers_set");
	printf("resize, handlers_set fails: %s\n", err->message);
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_n_handlers(st), 2);
	ck_assert_uint_eq(KST_DISP(st, HANDLERS), 2);
	ck_assert_uint_eq(fds_settle(fds), fds);
	ck_assert_uint_eq(threads_settle(thr), thr);
	check_delivers(0, 10, 10);
	check_delivers(1, 0, 10);
	/* The refused count is not remembered: the next dispatcher gets the
	 * size that was in force. */
	ck_assert_int_eq(ovsdp_handlers_switch(hs, ovsdp_plugins_find(plugins, GOOD), NULL), 0);
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	ck_assert_uint_eq(KST_DISP(st, HANDLERS), 2);
	check_delivers(1, 10, 10);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(port_added_failure)
{
	/* The local port's and dp0's calls succeed at start. */
	struct ovsdp_config *cfg = faulty_config("port_added", 2, 0, 0);
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers *hs;
	struct ovsdp_dp_stats s0, s1;
	unsigned int fds;

	add_veth_port(0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	check_delivers(0, 0, 10);
	add_veth_port(1);
	fds = count_fds();
	/* Behind the runtime's back: its port monitor calls port_added. */
	ck_assert_msg(wait_logged(5000, "faulty", "port_added", NULL),
		      "the failing port_added of a port found by the monitor was not logged");
	/* Told directly: the error comes back. */
	ck_assert_int_eq(ovsdp_handlers_port_added(hs, port_no[1], &err), -EIO);
	assert_names(err, "port_added");
	printf("port_added fails: %s\n", err->message);
	ck_assert_uint_eq(fds_settle(fds), fds);
	/* The new port has no socket: its misses are lost, and counted. */
	s0 = knet_dp_stats(dp);
	send_frames(1, 0, 10);
	check_delivers(0, 10, 10);
	s1 = knet_dp_stats(dp);
	ck_assert_uint_eq(s1.n_lost - s0.n_lost, 10);
	ck_assert_uint_eq(rx_ours(), 20);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(recv_set_failure)
{
	/* Enabling at start works; every later recv_set fails. */
	struct ovsdp_config *cfg = faulty_config("recv_set", 1, 0, 0);
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers *hs;
	unsigned int fds0, thr0;

	add_veth_port(0);
	fds0 = count_fds();
	thr0 = count_threads();
	hs = runtime(cfg, 2);
	start_ok(hs, "faulty");
	ck_assert_int_eq(ovsdp_handlers_recv_set(hs, false, &err), -EIO);
	assert_names(err, "recv_set");
	printf("recv_set fails: %s\n", err->message);
	/* Still pointed at, still receiving. */
	check_delivers(0, 0, 10);
	/* Freeing cannot point the kernel away: it says so and still frees. */
	ovsdp_handlers_free(hs);
	ck_assert_msg(wait_logged(0, "faulty", "recv_set", NULL), "free did not log the failure");
	ck_assert_uint_eq(fds_settle(fds0), fds0);
	ck_assert_uint_eq(threads_settle(thr0), thr0);
	hs = runtime(NULL, 1);
	start_ok(hs, GOOD);
	check_delivers(0, 10, 10);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(wait_fd_failure_drained_by_switch)
{
	struct ovsdp_config *cfg = faulty_config("wait_fd", 0, 0, 0);
	struct ovsdp_handlers *hs;
	struct ovsdp_dp_stats s0, s1;
	g_autoptr(GError) err = NULL;
	gint64 t0, took;

	add_veth_port(0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	s0 = knet_dp_stats(dp);
	/* Queued on faulty's socket, which no handler can wait on. */
	send_frames(0, 0, 30);
	/* The kernel has queued all 30 (or counted them lost). */
	ck_assert(KTEST_WAIT(5000, knet_dp_stats(dp).n_missed - s0.n_missed >= 30));
	ck_assert_uint_eq(rx_ours(), 0);
	ck_assert_msg(wait_logged(2000, "faulty", "wait_fd", NULL), "wait_fd failure not logged");
	/* The switch still drains them: nothing queued is lost. */
	t0 = g_get_monotonic_time();
	ck_assert_msg(ovsdp_handlers_switch(hs, ovsdp_plugins_find(plugins, GOOD), &err) == 0, "%s",
		      err ? err->message : "");
	took = (g_get_monotonic_time() - t0) / 1000;
	printf("switch away from a dispatcher whose wait_fd fails: %" G_GINT64_FORMAT " ms\n", took);
	ck_assert_msg(knet_rx_wait(&rx, 30, WAIT_MS), "%" G_GUINT64_FORMAT " of 30 queued upcalls drained",
		      rx_ours());
	check_exactly_once(0, 0, 30);
	ck_assert_int_lt(took, 4000);
	check_delivers(0, 30, 10);
	s1 = knet_dp_stats(dp);
	ck_assert_uint_eq(s1.n_lost - s0.n_lost, 0);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(recv_failure_transient)
{
	struct ovsdp_config *cfg = faulty_config("recv", 0, 3, 0);
	struct ovsdp_handlers *hs;

	add_veth_port(0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	/* What stays queued while recv fails is read once it works again. */
	check_delivers(0, 0, 20);
	ck_assert_msg(wait_logged(0, "faulty", "recv", NULL), "recv failure not logged");
	check_delivers(0, 20, 20);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(recv_failure_does_not_spin)
{
	struct ovsdp_config *cfg = faulty_config("recv", 0, 0, 0);
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs;
	g_autoptr(GError) err = NULL;
	uint64_t w0;
	gint64 t0, took;

	add_veth_port(0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	w0 = KST_HANDLER(st, 0, WAKEUPS);
	/* A socket stays readable while recv keeps failing: the handler must
	 * back off rather than poll and fail in a tight loop. */
	send_frames(0, 0, 5);
	g_usleep(1000000);
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	printf("recv failing for 1 s: %" G_GUINT64_FORMAT " wakeups\n",
	       KST_HANDLER(st, 0, WAKEUPS) - w0);
	ck_assert_uint_lt(KST_HANDLER(st, 0, WAKEUPS) - w0, 200);
	ck_assert(wait_logged(0, "faulty", "recv", NULL));
	t0 = g_get_monotonic_time();
	ck_assert_msg(ovsdp_handlers_switch(hs, ovsdp_plugins_find(plugins, GOOD), &err) == 0, "%s",
		      err ? err->message : "");
	took = (g_get_monotonic_time() - t0) / 1000;
	printf("switch away from a dispatcher whose recv fails: %" G_GINT64_FORMAT " ms\n", took);
	ck_assert_int_lt(took, 4000);
	check_delivers(0, 100, 10);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(stats_describe_and_pid_failures)
{
	struct ovsdp_config *cfg;
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs;

	add_veth_port(0);
	/* describe fails: the stats say so instead of an empty line. */
	cfg = faulty_config("describe", 0, 0, 0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	check_delivers(0, 0, 10);
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	printf("describe fails: \"%s\"\n", ovsdp_handlers_stats_dispatcher_description(st, 0));
	ck_assert_str_eq(ovsdp_handlers_stats_dispatcher_name(st, 0), "faulty");
	ck_assert_uint_eq(KST_DISP(st, UPCALLS), 10);
	ck_assert_ptr_nonnull(strstr(ovsdp_handlers_stats_dispatcher_description(st, 0), "describe"));
	ck_assert_ptr_nonnull(strstr(ovsdp_handlers_stats_dispatcher_description(st, 0), "Input/output error"));
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);

	/* stats fails: the rest of the report stands. */
	cfg = faulty_config("stats", 0, 0, 0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	check_delivers(0, 10, 10);
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	ck_assert_uint_eq(KST_DISP(st, UPCALLS), 10);
	ck_assert_uint_eq(KST_TOTAL(st, UPCALLS), 10);
	ck_assert_ptr_nonnull(strstr(ovsdp_handlers_stats_dispatcher_description(st, 0), "faulty: 2 sockets"));
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);

	/* port_get_pid fails: "no socket" (0), never a stale pid. */
	cfg = faulty_config("port_get_pid", 1, 0, 0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	/* The one call that succeeds may already be spent by the core (a
	 * per-port dispatcher's start parks the kernel's per-cpu array on
	 * the local port's socket where the kernel has one). */
	{
		uint32_t first = ovsdp_handlers_port_get_pid(hs, port_no[0]);

		ck_assert_msg(first == kernel_pid(port_no[0]) || first == 0,
			      "port_get_pid: %u, the kernel has %u", first, kernel_pid(port_no[0]));
	}
	ck_assert_uint_ne(kernel_pid(port_no[0]), 0);
	ck_assert_uint_eq(ovsdp_handlers_port_get_pid(hs, port_no[0]), 0);
	check_delivers(0, 20, 10);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

START_TEST(probe_failure)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_config *cfg = NULL;
	struct ovsdp_plugin *p, *chosen = NULL;
	struct ovsdp_features f;

	g_setenv("OVSDP_FAULTY_PROBE", "fail", TRUE);
	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &l, NULL), 0);
	p = ovsdp_plugins_find(l, "faulty");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(ovsdp_plugin_status(p), OVSDP_PLUGIN_PROBE_FAILED);
	ck_assert_ptr_nonnull(strstr(ovsdp_plugin_reason(p), "OVSDP_FAULTY_PROBE=fail"));
	/* Asked for by name: refused, with the reason. */
	ck_assert_int_eq(ovsdp_config_parse("p.conf", "[dispatch]\nmode = faulty\n", -1, &cfg, NULL), 0);
	ck_assert_int_lt(ovsdp_plugins_choose(l, cfg, NULL, &chosen, NULL, &err), 0);
	ck_assert_msg(strstr(err->message, "faulty") && strstr(err->message, "OVSDP_FAULTY_PROBE"),
		      "%s", err->message);
	ovsdp_config_free(cfg);
	/* First preference: skipped for the next one. */
	ck_assert_int_eq(ovsdp_config_parse("p.conf", "[dispatch]\nmode = auto\n"
					    "prefer = faulty;" GOOD "\n", -1, &cfg, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_choose(l, cfg, NULL, &chosen, NULL, NULL), 0);
	ck_assert_str_eq(ovsdp_plugin_name(chosen), GOOD);
	ovsdp_config_free(cfg);
	ovsdp_plugins_free(l);
	g_unsetenv("OVSDP_FAULTY_PROBE");
}
END_TEST

/* A receive buffer that holds a few upcalls and a callback that sleeps:
 * the kernel drops what does not fit, counts it lost, and the dispatcher
 * reports the overruns; nothing vanishes uncounted. */
START_TEST(tiny_rcvbuf_overruns)
{
	const uint32_t sent = 600;
	struct ovsdp_config *cfg = faulty_config("none", 0, 0, 4096);
	g_autoptr(kstats) st = NULL;
	struct ovsdp_handlers *hs;
	struct ovsdp_dp_stats s0, s1;
	uint64_t lost, missed, prev = UINT64_MAX;

	add_veth_port(0);
	hs = runtime(cfg, 1);
	start_ok(hs, "faulty");
	g_atomic_int_set(&slow_us, 20000);
	s0 = knet_dp_stats(dp);
	send_frames(0, 0, sent);
	/* Until the callback has caught up with what was queued. */
	while (rx_ours() != prev) {
		prev = rx_ours();
		g_usleep(500000);
	}
	s1 = knet_dp_stats(dp);
	lost = s1.n_lost - s0.n_lost;
	missed = s1.n_missed - s0.n_missed;
	ck_assert_int_eq(kstats_get(hs, &st), 0);
	printf("rcvbuf 4096, slow callback: sent %u, missed %" G_GUINT64_FORMAT ", delivered %"
	       G_GUINT64_FORMAT ", kernel lost %" G_GUINT64_FORMAT ", overruns %" G_GUINT64_FORMAT
	       "\n", sent, missed, rx_ours(), lost, KST_DISP(st, OVERRUNS));
	ck_assert_uint_eq(missed, sent);
	ck_assert_uint_gt(lost, 0);
	ck_assert_uint_gt(rx_ours(), 0);
	ck_assert_uint_gt(KST_DISP(st, OVERRUNS), 0);
	ck_assert_uint_eq(KST_TOTAL(st, OVERRUNS), KST_DISP(st, OVERRUNS));
	ck_assert_uint_eq(rx_ours() + lost, sent);
	/* Nothing was delivered twice. */
	pthread_mutex_lock(&rx.lock);
	ck_assert_uint_eq(g_hash_table_size(rx.count), rx.ours);
	pthread_mutex_unlock(&rx.lock);
	g_atomic_int_set(&slow_us, 0);
	ovsdp_handlers_free(hs);
	ovsdp_config_free(cfg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("faults");

	ktest_require_datapath();
	tcase_add_loop_test(tsuite_case(s, "start", setup, teardown, 120, NULL),
			    start_failure_rolls_back, 0, G_N_ELEMENTS(bring_up));
	tcase_add_loop_test(tsuite_case(s, "switch", setup, teardown, 120, NULL),
			    switch_failure_keeps_old, 0, G_N_ELEMENTS(bring_up));
	tsuite_case(s, "running", setup, teardown, 120,
		    TSUITE_TESTS(resize_failure_keeps_count, port_added_failure, recv_set_failure,
				 wait_fd_failure_drained_by_switch, recv_failure_transient,
				 recv_failure_does_not_spin, stats_describe_and_pid_failures,
				 probe_failure));
	tsuite_case(s, "overrun", setup, teardown, 120, TSUITE_TESTS(tiny_rcvbuf_overruns));
	return ktest_run_suite(s);
}
