/* test-per-cpu.c: the per-cpu dispatch plugin driven through its vtable
 * and the core's real host API, one step at a time: which socket a CPU's
 * upcalls reach, resizing with upcalls still queued (none lost, none out
 * of order), taking over from vport pids under traffic, and on a kernel
 * without per-cpu dispatch, a refusal that leaves the datapath as it was. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "runtime/dispatch-host.h"
#include "ovsdp/ovsdp.h"
#include "knet.h"
#include "ktest.h"
#include "kstats.h"

#define DP_NAME "ovsdppc"
#define BATCH 32
#define MSG_SIZE 65536
#define QUIET_MS 400

static struct ovsdp_features features;
static struct ovsdp_dp *dp;
static struct ovsdp_plugins *plugins;
static const struct ovsdp_dispatch_vtable *vt;
static struct ovsdp_dispatch_host_ctx *ctx;
static struct ovsdp_dispatch_instance *inst;
static uint32_t port_no;
static int raw_fd = -1;
static uint16_t family;
static int cpus[64];            /* CPU ids this process may run on */
static unsigned int n_cpus;

static void
setup(void)
{
	struct ovsdp_vport_spec spec = { 0 };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugin *p;
	cpu_set_t set;

	ktest_netns_setup();
	ck_assert_int_eq(ovsdp_features_probe(&features, NULL), 0);
	ck_assert_msg(ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err ? err->message : "");
	family = (uint16_t)ovsdp_dp_packet_family(dp);
	knet_veth("pc0", "pt0");
	spec.name = "pc0";
	spec.type = OVSDP_VPORT_TYPE_NETDEV;
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, NULL), 0);
	port_no = info.port_no;
	raw_fd = knet_raw_open("pt0");

	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &plugins, NULL), 0);
	p = ovsdp_plugins_find(plugins, "per-cpu");
	ck_assert_msg(p != NULL, "per-cpu not found (OVSDP_PLUGIN_PATH=%s)",
		      g_getenv("OVSDP_PLUGIN_PATH"));
	ck_assert_ptr_nonnull(ovsdp_plugin_descriptor(p));
	vt = ovsdp_plugin_descriptor(p)->vtable;
	ctx = ovsdp_host_ctx_new(dp, NULL, "per-cpu", &features);
	ck_assert_int_eq(vt->create(ovsdp_host_vtable(), ctx, &inst), 0);

	n_cpus = 0;
	ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
	for (int c = 0; c < CPU_SETSIZE && n_cpus < G_N_ELEMENTS(cpus); c++)
		if (CPU_ISSET(c, &set))
			cpus[n_cpus++] = c;
}

static void
teardown(void)
{
	if (inst)
		vt->destroy(inst);
	inst = NULL;
	ovsdp_host_ctx_free(ctx);
	close(raw_fd);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
}

/* The highest CPU id this process may use, c: with c + 1 handlers it maps
 * to the last one (c), with c handlers to handler 0.  Needs c > 0. */
static int
top_cpu(void)
{
	int c = n_cpus ? cpus[n_cpus - 1] : 0;

	ck_assert_msg(c > 0, "needs a CPU id above 0 in the affinity set (--smp 2 or more)");
	return c;
}

struct send_job {
	int cpu;
	uint32_t first;
	uint32_t count;
	unsigned int gap_us;
};

/* Frames with tags first..first+count-1, each a new flow, sent by a thread
 * pinned to job->cpu: veth hands the frame to the datapath on that CPU. */
static gpointer
send_main(gpointer data)
{
	struct send_job *job = data;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(job->cpu, &set);
	ck_assert_int_eq(sched_setaffinity(0, sizeof set, &set), 0);
	knet_send_misses(raw_fd, 0, job->first, job->count, job->gap_us);
	return NULL;
}

static void
send_from(int cpu, uint32_t first, uint32_t count)
{
	struct send_job job = { cpu, first, count, 0 };

	g_thread_join(g_thread_new("sender", send_main, &job));
}

/* Read handler h the way the core does (poll wait_fd, then recv) until it
 * stays quiet for QUIET_MS; append the test tags to 'tags' in order. */
static void
read_handler(uint32_t h, GArray *tags)
{
	g_autofree uint8_t *buf = g_malloc((size_t)BATCH * MSG_SIZE);
	struct ovsdp_dispatch_msg msgs[BATCH];

	for (;;) {
		struct pollfd pfd = { .fd = vt->wait_fd(inst, h), .events = POLLIN };
		uint32_t overruns = 0;
		int n;

		ck_assert_int_ge(pfd.fd, 0);
		if (poll(&pfd, 1, QUIET_MS) == 0)
			return;
		for (unsigned int i = 0; i < BATCH; i++) {
			msgs[i].data = buf + (size_t)i * MSG_SIZE;
			msgs[i].size = MSG_SIZE;
			msgs[i].len = 0;
			msgs[i].flags = 0;
		}
		n = vt->recv(inst, h, msgs, BATCH, &overruns);
		ck_assert_int_ge(n, 0);
		ck_assert_uint_eq(overruns, 0);
		for (int i = 0; i < n; i++) {
			uint32_t t = knet_msg_tag(&msgs[i], family);

			if (t != UINT32_MAX)
				g_array_append_val(tags, t);
		}
	}
}

static struct ovsdp_dispatch_stats
stats(uint32_t handler)
{
	struct ovsdp_dispatch_stats st = { .struct_size = sizeof st };

	ck_assert_int_eq(vt->stats(inst, handler, &st), 0);
	return st;
}

/* tags holds exactly first..first+count-1, in that order. */
static void
check_run(GArray *tags, uint32_t first, uint32_t count)
{
	ck_assert_uint_eq(tags->len, count);
	for (uint32_t i = 0; i < count; i++)
		ck_assert_msg(g_array_index(tags, uint32_t, i) == first + i,
			      "upcall %u: tag %u, want %u", i, g_array_index(tags, uint32_t, i),
			      first + i);
}

/* Each CPU's upcalls reach handler cpu % n, whose socket no other handler
 * reads, in the order they were sent. */
START_TEST(cpu_picks_the_handler)
{
	const uint32_t n = 3, per_cpu = 20;
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	unsigned int used = MIN(n_cpus, 4u);
	uint64_t lost0;
	char text[160], want[160];

	ck_assert_int_eq(features.per_cpu_dispatch, OVSDP_YES);
	ck_assert_int_eq(vt->handlers_set(inst, n), 0);
	ck_assert_int_eq(vt->recv_set(inst, true), 0);
	lost0 = knet_dp_stats(dp).n_lost;
	for (unsigned int i = 0; i < used; i++)
		send_from(cpus[i], (uint32_t)cpus[i] << 16, per_cpu);
	for (uint32_t h = 0; h < n; h++) {
		g_autoptr(GArray) tags = g_array_new(FALSE, FALSE, sizeof(uint32_t));

		read_handler(h, tags);
		for (unsigned int i = 0; i < tags->len; i++) {
			uint32_t t = g_array_index(tags, uint32_t, i);

			ck_assert_msg((t >> 16) % n == h, "CPU %u's upcall reached handler %u",
				      t >> 16, h);
			if (i > 0 && (g_array_index(tags, uint32_t, i - 1) >> 16) == (t >> 16))
				ck_assert_uint_eq(g_array_index(tags, uint32_t, i - 1) + 1, t);
		}
		ck_assert_uint_eq(stats(h).n_upcalls, tags->len);
		g_array_append_vals(all, tags->data, tags->len);
	}
	ck_assert_uint_eq(all->len, used * per_cpu);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_upcalls, used * per_cpu);
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_sockets, n);
	ck_assert_int_eq(vt->describe(inst, text, sizeof text), 0);
	g_snprintf(want, sizeof want, "per-cpu: 3 handlers, 3 sockets, %u CPU ids", features.cpu_ids);
	ck_assert_str_eq(text, want);
	/* The vport's own pids no longer name anyone. */
	{
		uint32_t pids[4];

		ck_assert_int_eq(ovsdp_vport_get_upcall_pids(dp, port_no, pids, 4, NULL), 1);
		ck_assert_uint_eq(pids[0], 0);
	}
}
END_TEST

/* Shrinking from c + 1 handlers to c while handler c's socket holds
 * upcalls from CPU c: handler 0 (c % c) inherits the socket and delivers
 * them before what its own socket receives later, and the old socket
 * closes once it is empty. */
START_TEST(shrink_delivers_what_was_queued)
{
	g_autoptr(GArray) tags = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	struct ovsdp_dispatch_msg m = { 0 };
	uint32_t ov = 0, c;
	uint64_t lost0;

	ck_assert_int_eq(features.per_cpu_dispatch, OVSDP_YES);
	c = (uint32_t)top_cpu();
	ck_assert_int_eq(vt->handlers_set(inst, c + 1), 0);
	ck_assert_int_eq(vt->recv_set(inst, true), 0);
	lost0 = knet_dp_stats(dp).n_lost;
	send_from((int)c, 0, 50);               /* queued on handler c's socket, unread */
	ck_assert_int_eq(vt->handlers_set(inst, c), 0);
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_handlers, c);
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_sockets, c + 1);
	ck_assert_uint_eq(stats(0).n_sockets, 2);
	ck_assert_int_eq(vt->wait_fd(inst, c), -EINVAL);
	ck_assert_int_eq(vt->recv(inst, c, &m, 1, &ov), -EINVAL);
	send_from((int)c, 50, 50);              /* now handler 0's own socket */
	read_handler(0, tags);
	check_run(tags, 0, 100);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	/* Drained: the next control call closes the retired socket. */
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_sockets, c);
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_upcalls, 100);
}
END_TEST

/* Growing from c handlers to c + 1: CPU c moves from handler 0 to the new
 * socket, and nothing queued before moves. */
START_TEST(grow_gives_cpus_new_sockets)
{
	g_autoptr(GArray) t0 = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_autoptr(GArray) tc = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	uint32_t c;

	ck_assert_int_eq(features.per_cpu_dispatch, OVSDP_YES);
	c = (uint32_t)top_cpu();
	ck_assert_int_eq(vt->handlers_set(inst, c), 0);
	ck_assert_int_eq(vt->recv_set(inst, true), 0);
	send_from((int)c, 0, 20);
	ck_assert_int_eq(vt->handlers_set(inst, c + 1), 0);
	ck_assert_int_ne(vt->wait_fd(inst, 0), vt->wait_fd(inst, c));
	send_from((int)c, 20, 20);
	read_handler(0, t0);
	read_handler(c, tc);
	check_run(t0, 0, 20);
	check_run(tc, 20, 20);
	ck_assert_uint_eq(stats(OVSDP_DISPATCH_ALL_HANDLERS).n_sockets, c + 1);
}
END_TEST

/* A steady stream of frames from one CPU that goes on for 'after' frames
 * once 'switched' is set, so the switch surely happens mid-stream. */
struct stream {
	int cpu;
	uint32_t after;
	gint switched;
	uint32_t sent;
};

static gpointer
stream_main(gpointer data)
{
	struct stream *st = data;
	uint32_t extra = 0;

	while (extra < st->after && st->sent < 100000) {
		struct send_job job = { st->cpu, st->sent, 1, 0 };

		if (g_atomic_int_get(&st->switched))
			extra++;
		send_main(&job);
		st->sent++;
		g_usleep(200);
	}
	return NULL;
}

/* A live switch from per-vport dispatch: traffic flows while per-cpu takes
 * over; every frame reaches either the old socket or the new ones, once. */
START_TEST(takes_over_from_vport_pids)
{
	struct stream st = { .after = 200 };
	struct ovsdp_upcall_sock *old = NULL;
	g_autoptr(GArray) tags = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_autofree uint8_t *buf = g_malloc(MSG_SIZE);
	g_autofree guint8 *seen = NULL;
	uint32_t old_pid, n = MIN(n_cpus, 4u), from_old = 0;
	struct pollfd pfd = { .events = POLLIN };
	uint64_t lost0;
	GThread *t;
	int len;

	ck_assert_int_eq(features.per_cpu_dispatch, OVSDP_YES);
	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &old, NULL), 0);
	old_pid = ovsdp_upcall_sock_portid(old);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, port_no, &old_pid, 1, NULL), 0);
	ck_assert_int_eq(vt->handlers_set(inst, n), 0);
	st.cpu = cpus[n_cpus - 1];
	lost0 = knet_dp_stats(dp).n_lost;
	t = g_thread_new("stream", stream_main, &st);
	/* Switch once the old socket has upcalls queued. */
	pfd.fd = ovsdp_upcall_sock_fd(old);
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	ck_assert_int_eq(vt->recv_set(inst, true), 0);
	g_atomic_int_set(&st.switched, 1);
	g_thread_join(t);
	while ((len = ovsdp_upcall_sock_recv(old, buf, MSG_SIZE)) > 0) {
		struct ovsdp_dispatch_msg m = { buf, MSG_SIZE, (uint32_t)len, 0, 0 };
		uint32_t tag = knet_msg_tag(&m, family);

		if (tag != UINT32_MAX)
			g_array_append_val(tags, tag);
		from_old++;
	}
	ck_assert_int_eq(len, -EAGAIN);
	for (uint32_t h = 0; h < n; h++)
		read_handler(h, tags);
	printf("per-cpu took over after %u of %u upcalls\n", from_old, st.sent);
	ck_assert_uint_gt(from_old, 0);
	ck_assert_uint_le(from_old + st.after, st.sent);
	seen = g_malloc0(st.sent);
	for (unsigned int i = 0; i < tags->len; i++) {
		uint32_t tag = g_array_index(tags, uint32_t, i);

		ck_assert_uint_lt(tag, st.sent);
		ck_assert_msg(!seen[tag]++, "frame %u delivered twice", tag);
	}
	ck_assert_uint_eq(tags->len, st.sent);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 0);
	ovsdp_upcall_sock_close(old);
}
END_TEST

/* Disabled: the kernel drops new misses (counted lost), and what was
 * queued before can still be read until destroy. */
START_TEST(disabled_keeps_sockets_to_drain)
{
	int cpu = cpus[0];
	g_autoptr(GArray) tags = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	uint64_t lost0;

	ck_assert_int_eq(features.per_cpu_dispatch, OVSDP_YES);
	ck_assert_int_eq(vt->handlers_set(inst, 1), 0);
	ck_assert_int_eq(vt->recv_set(inst, true), 0);
	send_from(cpu, 0, 30);
	ck_assert_int_eq(vt->recv_set(inst, false), 0);
	lost0 = knet_dp_stats(dp).n_lost;
	send_from(cpu, 30, 10);
	ck_assert_uint_eq(knet_dp_stats(dp).n_lost - lost0, 10);
	read_handler(0, tags);
	check_run(tags, 0, 30);
}
END_TEST

/* Where the kernel has no per-cpu dispatch, enabling fails with its errno
 * and leaves the vport pids and the per-vport routing untouched. */
START_TEST(refused_leaves_the_datapath_alone)
{
	struct ovsdp_upcall_sock *s = NULL;
	g_autofree uint8_t *buf = g_malloc(MSG_SIZE);
	uint32_t pid, pids[4];
	int r;

	ck_assert_int_eq(features.per_cpu_dispatch, OVSDP_NO);
	/* Discovery says why the plugin cannot run, naming the kernel's flag. */
	ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(plugins, "per-cpu")),
			 OVSDP_PLUGIN_PROBE_FAILED);
	ck_assert_ptr_nonnull(strstr(ovsdp_plugin_reason(ovsdp_plugins_find(plugins, "per-cpu")),
				     "OVS_DP_F_DISPATCH_UPCALL_PER_CPU"));
	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &s, NULL), 0);
	pid = ovsdp_upcall_sock_portid(s);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, port_no, &pid, 1, NULL), 0);
	ck_assert_int_eq(vt->handlers_set(inst, 2), 0);
	r = vt->recv_set(inst, true);
	ck_assert_int_eq(r, -features.per_cpu_errno);
	ck_assert_int_eq(ovsdp_vport_get_upcall_pids(dp, port_no, pids, 4, NULL), 1);
	ck_assert_uint_eq(pids[0], pid);
	send_from(cpus[0], 7, 1);
	ck_assert_int_gt(knet_upcall_wait(s, buf, MSG_SIZE, 2000), 0);
	ovsdp_upcall_sock_close(s);
}
END_TEST

/* Two parts, each its own meson test (kernel/meson.build), so that a kernel
 * without per-cpu dispatch shows the first as skipped, not passed:
 *   ktest-per-cpu [per-cpu]   the plugin on a kernel with per-cpu dispatch
 *   ktest-per-cpu refused     enabling it where the kernel has none */

static void
ignore_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	(void)h;
	(void)ups;
	(void)n;
	(void)data;
}

/* The runtime's handler count, once it is 'want' (10 s); else what it is. */
static unsigned int
wait_handlers(struct ovsdp_handlers *hs, unsigned int want)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	for (;;) {
		g_autoptr(kstats) st = NULL;
		unsigned int n;

		ck_assert_int_eq(kstats_get(hs, &st), 0);
		n = ovsdp_handlers_stats_n_handlers(st);
		if (n == want || g_get_monotonic_time() > end)
			return n;
		g_usleep(50000);
	}
}

/* The handler runtime with per-cpu follows the process's CPU affinity:
 * narrowed to one CPU it goes to one handler (the monitor thread sees the
 * change), and `handlers set` says the count comes from the affinity;
 * widened again it goes back. */
START_TEST(handlers_follow_affinity)
{
	struct ovsdp_handlers_options o = { OVSDP_HANDLERS_OPTIONS_INIT, .dp_name = DP_NAME,
					    .callback = ignore_upcalls };
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, "per-cpu");
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;
	cpu_set_t one, all;
	unsigned int narrowed;
	char want[96];

	top_cpu();
	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	ck_assert_msg(ovsdp_handlers_start(hs, p, &err) == 0, "%s", err ? err->message : "");
	ck_assert_uint_eq(wait_handlers(hs, n_cpus), n_cpus);
	ck_assert_int_eq(sched_getaffinity(0, sizeof all, &all), 0);
	CPU_ZERO(&one);
	CPU_SET(cpus[0], &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
	/* One CPU of more than two: OVS's rule gives the next prime above
	 * the CPUs it may run on, 2 (plugins/dispatch-per-cpu/per-cpu-count.h). */
	narrowed = n_cpus > 2 ? 2 : 1;
	ck_assert_uint_eq(wait_handlers(hs, narrowed), narrowed);
	ck_assert_int_eq(ovsdp_handlers_resize(hs, 3, &err), -EPERM);
	g_snprintf(want, sizeof want, "dictates the handler count (%u, from the CPU affinity",
		   narrowed);
	ck_assert_msg(strstr(err->message, want), "%s", err->message);
	g_clear_error(&err);
	ck_assert_int_eq(sched_setaffinity(0, sizeof all, &all), 0);
	ck_assert_uint_eq(wait_handlers(hs, n_cpus), n_cpus);
	ovsdp_handlers_free(hs);
}
END_TEST

int
main(int argc, char **argv)
{
	const char *part = argc > 1 ? argv[1] : "per-cpu";
	Suite *s = suite_create("per-cpu");
	TCase *tc = tsuite_case(s, part, setup, teardown, 120, NULL);
	struct ovsdp_features f;

	ktest_require_datapath();
	ktest_probe_features(&f);
	if (!strcmp(part, "per-cpu")) {
		ktest_require_feature("PER_CPU", "per-cpu upcall dispatch (Linux 5.14+)",
				      f.per_cpu_dispatch == OVSDP_YES);
		tcase_add_test(tc, cpu_picks_the_handler);
		tcase_add_test(tc, shrink_delivers_what_was_queued);
		tcase_add_test(tc, grow_gives_cpus_new_sockets);
		tcase_add_test(tc, takes_over_from_vport_pids);
		tcase_add_test(tc, disabled_keeps_sockets_to_drain);
		tcase_add_test(tc, handlers_follow_affinity);
	} else if (!strcmp(part, "refused")) {
		ktest_require_feature("NO_PER_CPU", "a kernel without per-cpu upcall dispatch "
				      "(the case tests its refusal)", f.per_cpu_dispatch == OVSDP_NO);
		tcase_add_test(tc, refused_leaves_the_datapath_alone);
	} else {
		fprintf(stderr, "usage: %s [per-cpu|refused]\n", argv[0]);
		return 2;
	}
	return ktest_run_suite(s);
}
