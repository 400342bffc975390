/* test-pull.c: the handler runtime in pull mode (options.pull, ABI 1.2),
 * the way Open vSwitch's handler threads would drive it: threads of the
 * test's own poll() each handler's pull fd and call ovsdp_handlers_pull().
 * Real frames through veth pairs into a real datapath, through each
 * dispatcher: every miss reaches the callback once, across live switches
 * and a resize, and what is queued when the runtime is freed is delivered
 * on the freeing thread.
 *
 * Part (argv[1]): "port" runs legacy and per-vport, "per-cpu" runs
 * per-cpu (a skip where the kernel has no per-cpu dispatch). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>

#include "ovsdp/ovsdp.h"
#include "knet.h"
#include "ktest.h"

#define DP_NAME "ovsdppull"
#define N_PORTS 2
#define MAX_PULLERS 8
#define WAIT_MS 10000

static const char *const *dispatchers;
static unsigned int n_dispatchers;
static struct ovsdp_dp *dp;
static struct ovsdp_plugins *plugins;
static struct ovsdp_features features;
static uint32_t port_no[N_PORTS];
static int raw[N_PORTS];

/* What the callback saw, and on which thread. */
static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *rx_count;    /* tag + 1 -> times delivered */
static uint64_t rx_ours, rx_others;
static pthread_t rx_last_thread;

/* The application's handler threads: one per index. */
struct puller {
	struct ovsdp_handlers *hs;
	unsigned int index;
	pthread_t thread;
	gint stop;
	uint64_t pulled;        /* upcalls ovsdp_handlers_pull() reported */
	int last_error;         /* other than -ENOENT */
};
static struct puller pullers[MAX_PULLERS];
/* Readable when the pullers must stop: they poll() their pull fd with no
 * timeout, so a frame reaches the callback only if the fd says so. */
static int stop_fd = -1;

static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	pthread_mutex_lock(&rx_lock);
	for (unsigned int i = 0; i < n; i++) {
		uint32_t tag;
		gpointer old;

		if (ups[i].packet_len < 18 || ups[i].packet[12] != (KNET_ETHERTYPE >> 8) ||
		    ups[i].packet[13] != (KNET_ETHERTYPE & 0xff)) {
			rx_others++;
			continue;
		}
		memcpy(&tag, ups[i].packet + 14, 4);
		tag = ntohl(tag);
		old = g_hash_table_lookup(rx_count, GUINT_TO_POINTER(tag + 1));
		g_hash_table_insert(rx_count, GUINT_TO_POINTER(tag + 1),
				    GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
		rx_ours++;
	}
	rx_last_thread = pthread_self();
	pthread_mutex_unlock(&rx_lock);
}

static uint64_t
ours(void)
{
	uint64_t v;

	pthread_mutex_lock(&rx_lock);
	v = rx_ours;
	pthread_mutex_unlock(&rx_lock);
	return v;
}

static void *
puller_main(void *data)
{
	struct puller *p = data;

	while (!g_atomic_int_get(&p->stop)) {
		int fd = ovsdp_handlers_pull_fd(p->hs, p->index);
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = stop_fd, .events = POLLIN } };
		int n;

		if (fd == -ENOENT) {    /* not an index of the current count */
			g_usleep(10000);
			continue;
		}
		if (fd < 0) {
			p->last_error = fd;
			break;
		}
		if (poll(pfd, 2, -1) < 0 || (pfd[1].revents & POLLIN))
			continue;
		n = ovsdp_handlers_pull(p->hs, p->index);
		if (n > 0)
			__atomic_add_fetch(&p->pulled, (uint64_t)n, __ATOMIC_RELAXED);
		else if (n < 0 && n != -ENOENT)
			p->last_error = n;
	}
	return NULL;
}

static void
pullers_start(struct ovsdp_handlers *hs)
{
	stop_fd = eventfd(0, EFD_CLOEXEC);
	ck_assert_int_ge(stop_fd, 0);
	for (unsigned int i = 0; i < MAX_PULLERS; i++) {
		memset(&pullers[i], 0, sizeof pullers[i]);
		pullers[i].hs = hs;
		pullers[i].index = i;
		ck_assert_int_eq(pthread_create(&pullers[i].thread, NULL, puller_main, &pullers[i]), 0);
	}
}

/* Stops them; returns the upcalls they reported, and fails on any error
 * a pull returned. */
static uint64_t
pullers_stop(void)
{
	uint64_t total = 0;

	uint64_t one = 1;

	for (unsigned int i = 0; i < MAX_PULLERS; i++)
		g_atomic_int_set(&pullers[i].stop, 1);
	ck_assert_int_eq(write(stop_fd, &one, sizeof one), sizeof one);
	for (unsigned int i = 0; i < MAX_PULLERS; i++) {
		pthread_join(pullers[i].thread, NULL);
		ck_assert_msg(pullers[i].last_error == 0, "pull of handler %u failed: %s", i,
			      g_strerror(-pullers[i].last_error));
		total += pullers[i].pulled;
	}
	close(stop_fd);
	stop_fd = -1;
	return total;
}

static void
send_frames(uint32_t first, uint32_t count)
{
	static const uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t src[6] = { 0x02, 0x50, 0, 0, 0, 0 };
	uint8_t frame[128];

	for (uint32_t s = first; s < first + count; s++) {
		unsigned int i = s % N_PORTS;

		/* A new source MAC per frame: every frame misses. */
		src[3] = (uint8_t)(s >> 16);
		src[4] = (uint8_t)(s >> 8);
		src[5] = (uint8_t)s;
		knet_send(raw[i], frame, knet_frame(frame, sizeof frame, dst, src, s, 64));
	}
}

/* Frames [first, first+count) each reached the callback exactly once. */
static void
check_exactly_once(uint32_t first, uint32_t count)
{
	pthread_mutex_lock(&rx_lock);
	for (uint32_t s = first; s < first + count; s++) {
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(rx_count, GUINT_TO_POINTER(s + 1)));

		if (n != 1) {
			pthread_mutex_unlock(&rx_lock);
			ck_abort_msg("frame %u delivered %u times (want 1)", s, n);
		}
	}
	pthread_mutex_unlock(&rx_lock);
}

static uint64_t
kernel_lost(void)
{
	struct ovsdp_dp_info info;

	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	return info.stats.n_lost;
}

/* Threads of this process named like the runtime's handler threads. */
static unsigned int
runtime_handler_threads(void)
{
	g_autofree char *out = ktest_sh_output("grep -l '^ovsdp-handler' /proc/%d/task/*/comm "
					       "2>/dev/null | wc -l", (int)getpid());

	return out ? (unsigned int)atoi(out) : 0;
}

static struct ovsdp_plugin *
plugin(const char *name)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, name);

	ck_assert_msg(p != NULL, "dispatcher %s not found (OVSDP_PLUGIN_PATH=%s)", name,
		      g_getenv("OVSDP_PLUGIN_PATH"));
	ck_assert_msg(ovsdp_plugin_status(p) == OVSDP_PLUGIN_OK, "%s: %s", name,
		      ovsdp_plugin_reason(p) ? ovsdp_plugin_reason(p) : "not usable");
	return p;
}

static struct ovsdp_handlers *
start_pull(const char *name, unsigned int n_handlers)
{
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .n_handlers = n_handlers,
		.callback = on_upcalls, .pull = true,
	};
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers *hs = NULL;

	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	ck_assert_msg(ovsdp_handlers_start(hs, plugin(name), &err) == 0, "%s: %s", name,
		      err ? err->message : "");
	return hs;
}

static void
setup(void)
{
	g_autoptr(GError) err = NULL;

	ktest_netns_setup();
	ck_assert_int_eq(ovsdp_features_probe(&features, NULL), 0);
	ck_assert_msg(ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &plugins, NULL), 0);
	for (unsigned int i = 0; i < N_PORTS; i++)
		knet_veth_port(dp, i, &port_no[i], &raw[i]);
	rx_count = g_hash_table_new(NULL, NULL);
	rx_ours = rx_others = 0;
}

static void
teardown(void)
{
	for (unsigned int i = 0; i < N_PORTS; i++)
		close(raw[i]);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	g_hash_table_destroy(rx_count);
}

/* No thread of the runtime's own; the application's threads receive every
 * miss once, and ovsdp_handlers_pull() counts what it delivered. */
START_TEST(pulled_by_the_application)
{
	const char *name = dispatchers[_i];
	struct ovsdp_handlers *hs = start_pull(name, 2);
	bool dictated = true;
	unsigned int n = ovsdp_handlers_n_handlers(hs, &dictated);
	uint64_t lost0 = kernel_lost();

	ck_assert_msg(n >= 1 && n <= MAX_PULLERS, "%s: %u handlers", name, n);
	/* per-cpu: one per CPU of the affinity; the others take the 2 asked. */
	ck_assert_int_eq(dictated, !strcmp(name, "per-cpu"));
	if (!dictated)
		ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(runtime_handler_threads(), 0);
	/* Not an index; and a runtime with threads cannot be pulled. */
	ck_assert_int_eq(ovsdp_handlers_pull(hs, n), -ENOENT);
	ck_assert_int_eq(ovsdp_handlers_pull_fd(hs, n), -ENOENT);
	pullers_start(hs);
	send_frames(0, 400);
	ck_assert_msg(KTEST_WAIT(WAIT_MS, ours() >= 400), "%s: %" G_GUINT64_FORMAT
		      " of 400 delivered (lost %" G_GUINT64_FORMAT ")", name, ours(),
		      kernel_lost() - lost0);
	ck_assert_uint_eq(pullers_stop(), ours() + rx_others);
	check_exactly_once(0, 400);
	ck_assert_uint_eq(kernel_lost() - lost0, 0);
	ovsdp_handlers_free(hs);
}
END_TEST

START_TEST(threaded_runtime_refuses_pull)
{
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .n_handlers = 1, .callback = on_upcalls,
	};
	struct ovsdp_handlers *hs = NULL;

	ck_assert_int_eq(ovsdp_handlers_new(&o, &hs, NULL), 0);
	ck_assert_int_eq(ovsdp_handlers_start(hs, plugin(dispatchers[0]), NULL), 0);
	ck_assert_int_eq(ovsdp_handlers_pull(hs, 0), -EINVAL);
	ck_assert_int_eq(ovsdp_handlers_pull_fd(hs, 0), -EINVAL);
	ck_assert_uint_ge(runtime_handler_threads(), 1);
	ovsdp_handlers_free(hs);
}
END_TEST

struct sender {
	uint32_t first, count;
	gint done;
};

static void *
sender_main(void *data)
{
	struct sender *s = data;

	for (uint32_t k = 0; k < s->count; k += 20) {
		send_frames(s->first + k, MIN(20u, s->count - k));
		g_usleep(2000);
	}
	g_atomic_int_set(&s->done, 1);
	return NULL;
}

/* Live switches to every other dispatcher under test and back, and a
 * resize, while frames arrive and the application pulls: each frame
 * arrives once, none is lost. */
START_TEST(switched_and_resized_while_pulled)
{
	const char *name = dispatchers[_i];
	struct ovsdp_handlers *hs = start_pull(name, 2);
	struct sender snd = { .first = 0, .count = 1200 };
	g_autoptr(GError) err = NULL;
	uint64_t lost0 = kernel_lost();
	pthread_t t;

	pullers_start(hs);
	ck_assert_int_eq(pthread_create(&t, NULL, sender_main, &snd), 0);
	for (unsigned int k = 1; k <= n_dispatchers; k++) {
		const char *next = dispatchers[(_i + k) % n_dispatchers];

		ck_assert_msg(ovsdp_handlers_switch(hs, plugin(next), &err) == 0, "%s -> %s: %s",
			      name, next, err ? err->message : "");
	}
	/* Back on 'name': a resize where the plugin allows one. */
	if (strcmp(name, "per-cpu")) {
		ck_assert_msg(ovsdp_handlers_resize(hs, 3, &err) == 0, "%s", err ? err->message : "");
		ck_assert_uint_eq(ovsdp_handlers_n_handlers(hs, NULL), 3);
		ck_assert_int_ge(ovsdp_handlers_pull_fd(hs, 2), 0);
	}
	pthread_join(t, NULL);
	ck_assert_msg(KTEST_WAIT(WAIT_MS, ours() >= snd.count), "%s: %" G_GUINT64_FORMAT
		      " of %u delivered (lost %" G_GUINT64_FORMAT ")", name, ours(), snd.count,
		      kernel_lost() - lost0);
	pullers_stop();
	check_exactly_once(0, snd.count);
	ck_assert_uint_eq(kernel_lost() - lost0, 0);
	ovsdp_handlers_free(hs);
}
END_TEST

/* Nobody pulls: the frames wait on the plugin's sockets, and freeing the
 * runtime delivers them on the freeing thread. */
START_TEST(free_delivers_on_the_caller)
{
	const char *name = dispatchers[_i];
	struct ovsdp_handlers *hs = start_pull(name, 2);
	uint64_t missed0;
	struct ovsdp_dp_info info;

	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	missed0 = info.stats.n_missed;
	send_frames(0, 100);
	ck_assert(KTEST_WAIT(WAIT_MS, knet_dp_missed(dp) - missed0 >= 100));
	ck_assert_uint_eq(ours(), 0);
	ovsdp_handlers_free(hs);
	ck_assert_uint_eq(ours(), 100);
	ck_assert(pthread_equal(rx_last_thread, pthread_self()));
	check_exactly_once(0, 100);
}
END_TEST

int
main(int argc, char **argv)
{
	static const char *const port_modes[] = { "legacy", "per-vport", NULL };
	static const char *const cpu_modes[] = { "per-cpu", NULL };
	const char *part = argc > 1 ? argv[1] : "port";
	Suite *s = suite_create("pull");
	TCase *tc = tcase_create("pull");
	struct ovsdp_features f;

	ktest_require_datapath();
	if (ovsdp_features_probe(&f, NULL) < 0) {
		fprintf(stderr, "FAIL: cannot probe the kernel's features\n");
		return 1;
	}
	if (!strcmp(part, "per-cpu")) {
		ktest_require_feature("PER_CPU", "per-cpu upcall dispatch (Linux 5.14+)",
				      f.per_cpu_dispatch == OVSDP_YES);
		dispatchers = cpu_modes;
	} else {
		dispatchers = port_modes;
	}
	n_dispatchers = g_strv_length((char **)dispatchers);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, pulled_by_the_application, 0, (int)n_dispatchers);
	tcase_add_test(tc, threaded_runtime_refuses_pull);
	tcase_add_loop_test(tc, switched_and_resized_while_pulled, 0, (int)n_dispatchers);
	tcase_add_loop_test(tc, free_delivers_on_the_caller, 0, (int)n_dispatchers);
	suite_add_tcase(s, tc);
	return ktest_run_suite(s);
}
