/* test-datapath.c: datapaths against the real kernel: create/open/delete/
 * list, statistics that count real frames, user features, per-cpu and
 * datapath-level upcall pids, masks cache, the change monitor, and
 * Debian's ovs-dpctl as a second opinion both ways. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static struct ovsdp_dp *
make_dp(const char *name)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_dp *dp = NULL;
	int r = ovsdp_dp_create(name, 0, OVSDP_DP_F_DEFAULT, &dp, &err);

	ck_assert_msg(r == 0, "create %s: %s", name, err ? err->message : "?");
	return dp;
}

START_TEST(create_open_delete)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_dp *dp = make_dp("ovsdpt0"), *dp2 = NULL;

	ck_assert_str_eq(ovsdp_dp_name(dp), "ovsdpt0");
	/* The local port is a real netdev named after the datapath. */
	ck_assert_int_eq(ovsdp_dp_ifindex(dp), (int)if_nametoindex("ovsdpt0"));
	ck_assert_uint_eq(ovsdp_dp_user_features(dp), OVSDP_DP_F_DEFAULT);

	ck_assert_int_eq(ovsdp_dp_open("ovsdpt0", &dp2, &err), 0);
	ck_assert_int_eq(ovsdp_dp_ifindex(dp2), ovsdp_dp_ifindex(dp));
	ck_assert_uint_eq(ovsdp_dp_user_features(dp2), OVSDP_DP_F_DEFAULT);
	ovsdp_dp_close(dp2);

	ck_assert_int_eq(ovsdp_dp_del(dp, &err), 0);
	ck_assert_uint_eq(if_nametoindex("ovsdpt0"), 0);
	ck_assert_int_eq(ovsdp_dp_del(dp, &err), -ENODEV);
	ck_assert_str_eq(err->message, "deleting datapath ovsdpt0: No such device");
	g_clear_error(&err);
	ovsdp_dp_close(dp);

	ck_assert_int_eq(ovsdp_dp_open("ovsdpt0", &dp2, &err), -ENODEV);
	ck_assert_ptr_null(dp2);
	ck_assert_str_eq(err->message, "opening datapath ovsdpt0: No such device");
}
END_TEST

START_TEST(create_twice_and_bad_args)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_dp *dp = make_dp("ovsdpt0"), *dp2 = NULL;

	ck_assert_int_eq(ovsdp_dp_create("ovsdpt0", 0, 0, &dp2, &err), -EEXIST);
	ck_assert_str_eq(err->message, "creating datapath ovsdpt0: File exists");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_dp_create("much-too-long-name", 0, 0, &dp2, &err), -EINVAL);
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_dp_create(NULL, 0, 0, &dp2, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_dp_open("ovsdpt0", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_dp_set_per_cpu_pids(dp, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_dp_get_info(NULL, NULL, NULL), -EINVAL);
	/* A feature bit no kernel knows is refused; the handle keeps its set. */
	ck_assert_int_eq(ovsdp_dp_create("ovsdpt1", 0, 1u << 31, &dp2, &err), -EOPNOTSUPP);
	g_clear_error(&err);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
}
END_TEST

START_TEST(list_finds_all)
{
	struct ovsdp_dp *a = make_dp("ovsdpta"), *b = make_dp("ovsdptb");
	struct ovsdp_dp_info *list = NULL;
	g_autoptr(GError) err = NULL;
	bool seen_a = false, seen_b = false;
	int n = ovsdp_dp_list(&list, &err);

	ck_assert_int_eq(n, 2);
	for (int i = 0; i < n; i++) {
		if (!strcmp(list[i].name, "ovsdpta")) {
			seen_a = true;
			ck_assert_int_eq(list[i].ifindex, ovsdp_dp_ifindex(a));
		}
		if (!strcmp(list[i].name, "ovsdptb"))
			seen_b = true;
	}
	ck_assert(seen_a && seen_b);
	g_free(list);
	ovsdp_dp_del(a, NULL);
	ovsdp_dp_del(b, NULL);
	ovsdp_dp_close(a);
	ovsdp_dp_close(b);
	ck_assert_int_eq(ovsdp_dp_list(&list, &err), 0);
	ck_assert_ptr_null(list);
}
END_TEST

/* Add veth end 'a' as a netdev port with the given upcall pid. */
static uint32_t
add_veth_port(struct ovsdp_dp *dp, const char *a, const char *b, uint32_t pid)
{
	struct ovsdp_vport_spec spec = { .name = a, .upcall_pids = &pid, .n_upcall_pids = 1 };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	knet_veth(a, b);
	ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err->message);
	return info.port_no;
}

static void
send_frames(int fd, int n, uint32_t first_tag)
{
	uint8_t frame[64];

	for (int i = 0; i < n; i++) {
		size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, first_tag + (uint32_t)i, 46);

		knet_send(fd, frame, len);
	}
}

static void
expect_upcalls(struct ovsdp_upcall_sock *s, int n, uint32_t in_port)
{
	uint8_t buf[4096];

	for (int i = 0; i < n; i++) {
		struct ovsdp_upcall up;
		g_autoptr(GError) err = NULL;
		int len = knet_upcall_wait(s, buf, sizeof buf, 3000);

		ck_assert_msg(len > 0, "upcall %d of %d: %s", i + 1, n, g_strerror(-len));
		ck_assert_msg(ovsdp_upcall_parse(buf, (size_t)len, 0, &up, &err) == 0, "%s",
			      err->message);
		ck_assert_uint_eq(up.in_port, in_port);
	}
}

START_TEST(stats_count_real_misses)
{
	struct ovsdp_dp *dp = make_dp("ovsdpt0");
	struct ovsdp_upcall_sock *s = NULL;
	struct ovsdp_dp_info info;
	g_autoptr(GError) err = NULL;
	uint32_t port, pid;
	int fd;

	/* With upcall pid 0 every miss is also lost. */
	port = add_veth_port(dp, "vA", "vB", 0);
	fd = knet_raw_open("vB");
	send_frames(fd, 3, 100);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_str_eq(info.name, "ovsdpt0");
	ck_assert_uint_eq(info.stats.n_missed, 3);
	ck_assert_uint_eq(info.stats.n_lost, 3);
	ck_assert_uint_eq(info.stats.n_hit, 0);
	ck_assert_uint_eq(info.stats.n_flows, 0);
	ck_assert(info.stats.has_megaflow_stats);
	ck_assert_uint_eq(info.stats.n_masks, 0);

	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &s, &err), 0);
	pid = ovsdp_upcall_sock_portid(s);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, port, &pid, 1, &err), 0);
	send_frames(fd, 2, 200);
	expect_upcalls(s, 2, port);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_uint_eq(info.stats.n_missed, 5);
	ck_assert_uint_eq(info.stats.n_lost, 3);

	close(fd);
	ovsdp_upcall_sock_close(s);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
}
END_TEST

START_TEST(user_features_replaced_whole)
{
	struct ovsdp_dp *dp = make_dp("ovsdpt0"), *dp2 = NULL;
	struct ovsdp_dp_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_dp_set_user_features(dp, OVSDP_DP_F_UNALIGNED, &err), 0);
	ck_assert_uint_eq(ovsdp_dp_user_features(dp), OVSDP_DP_F_UNALIGNED);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_uint_eq(info.user_features, OVSDP_DP_F_UNALIGNED);

	ck_assert_int_eq(ovsdp_dp_set_user_features(dp, OVSDP_DP_F_UNALIGNED | (1u << 30), &err),
			 -EOPNOTSUPP);
	ck_assert_str_eq(err->message, "setting user features 0x40000001 on datapath ovsdpt0: "
			 "Operation not supported");
	g_clear_error(&err);
	ck_assert_uint_eq(ovsdp_dp_user_features(dp), OVSDP_DP_F_UNALIGNED);

	/* Another handle sees the kernel's set, and its next SET keeps it. */
	ck_assert_int_eq(ovsdp_dp_open("ovsdpt0", &dp2, &err), 0);
	ck_assert_uint_eq(ovsdp_dp_user_features(dp2), OVSDP_DP_F_UNALIGNED);
	ck_assert_int_eq(ovsdp_dp_set_masks_cache_size(dp2, 32, &err), 0);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_uint_eq(info.user_features, OVSDP_DP_F_UNALIGNED);
	ovsdp_dp_close(dp2);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
}
END_TEST

START_TEST(masks_cache_size)
{
	struct ovsdp_dp *dp = make_dp("ovsdpt0");
	struct ovsdp_dp_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert(info.has_masks_cache_size);
	ck_assert_uint_eq(info.masks_cache_size, 256);
	ck_assert_int_eq(ovsdp_dp_set_masks_cache_size(dp, 64, &err), 0);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_uint_eq(info.masks_cache_size, 64);
	/* The kernel takes powers of two only. */
	ck_assert_int_eq(ovsdp_dp_set_masks_cache_size(dp, 100, &err), -EINVAL);
	ck_assert_str_eq(err->message, "setting the masks cache size of datapath ovsdpt0 to 100: "
			 "Invalid argument");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_uint_eq(info.masks_cache_size, 64);
	ck_assert_uint_eq(info.user_features, OVSDP_DP_F_DEFAULT);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
}
END_TEST

START_TEST(per_cpu_pids_route_misses)
{
	struct ovsdp_dp *dp = make_dp("ovsdpt0");
	struct ovsdp_upcall_sock *s = NULL;
	struct ovsdp_features f;
	g_autoptr(GError) err = NULL;
	uint32_t pids[64], port;
	unsigned int n;
	int fd, r;

	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &s, &err), 0);
	/* The port's own pid is 0: only the per-cpu array can deliver. */
	port = add_veth_port(dp, "vA", "vB", 0);
	n = MIN(f.cpu_ids, G_N_ELEMENTS(pids));
	for (unsigned int i = 0; i < n; i++)
		pids[i] = ovsdp_upcall_sock_portid(s);
	r = ovsdp_dp_set_per_cpu_pids(dp, pids, n, &err);
	if (f.per_cpu_dispatch == OVSDP_NO) {
		ck_assert_int_eq(r, -EOPNOTSUPP);
		ck_assert_uint_eq(ovsdp_dp_user_features(dp), OVSDP_DP_F_DEFAULT);
	} else {
		struct ovsdp_dp_info info;

		ck_assert_msg(r == 0, "%s", err ? err->message : "?");
		ck_assert_uint_eq(ovsdp_dp_user_features(dp),
				  OVSDP_DP_F_DEFAULT | OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU);
		fd = knet_raw_open("vB");
		send_frames(fd, 4, 300);
		expect_upcalls(s, 4, port);
		close(fd);
		ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
		ck_assert_uint_eq(info.stats.n_lost, 0);
		ck_assert(info.user_features & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU);
		/* The kernel reports the array back (capped at its CPU count). */
		ck_assert_uint_eq(info.n_per_cpu_pids, n);
		memset(pids, 0, sizeof pids);
		ck_assert_int_eq(ovsdp_dp_get_per_cpu_pids(dp, pids, G_N_ELEMENTS(pids), &err), (int)n);
		ck_assert_uint_eq(pids[n - 1], ovsdp_upcall_sock_portid(s));
		/* Turning the feature off leaves no per-cpu pids. */
		ck_assert_int_eq(ovsdp_dp_set_user_features(dp, OVSDP_DP_F_DEFAULT, &err), 0);
		ck_assert_int_eq(ovsdp_dp_get_per_cpu_pids(dp, NULL, 0, &err), 0);
	}
	ovsdp_upcall_sock_close(s);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
}
END_TEST

START_TEST(datapath_upcall_pid_serves_local_port)
{
	struct ovsdp_dp *dp = make_dp("ovsdpt0");
	struct ovsdp_upcall_sock *s = NULL;
	g_autoptr(GError) err = NULL;
	uint32_t pid;
	int fd;

	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &s, &err), 0);
	pid = ovsdp_upcall_sock_portid(s);
	ck_assert_int_eq(ovsdp_dp_set_upcall_pid(dp, pid, &err), 0);
	ck_assert_int_eq(ovsdp_vport_get_upcall_pids(dp, OVSDP_PORT_LOCAL, NULL, 0, &err), 1);
	/* A frame sent out of the local netdev enters the datapath on port 0. */
	ck_assert_int_eq(ktest_sh("ip link set ovsdpt0 up"), 0);
	fd = knet_raw_open("ovsdpt0");
	send_frames(fd, 1, 400);
	expect_upcalls(s, 1, OVSDP_PORT_LOCAL);
	close(fd);
	ovsdp_upcall_sock_close(s);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
}
END_TEST

/* Read events until one of 'kind' named 'name' arrives (3 s at most). */
static bool
wait_event(struct ovsdp_monitor *m, enum ovsdp_event_kind kind, const char *name,
	   struct ovsdp_event *out)
{
	gint64 deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

	while (g_get_monotonic_time() < deadline) {
		g_autoptr(GError) err = NULL;
		int r = ovsdp_monitor_next(m, out, &err);

		if (r == -EAGAIN) {
			g_usleep(10000);
			continue;
		}
		ck_assert_msg(r == 1, "monitor: %s", err ? err->message : g_strerror(-r));
		if (out->kind == kind && !strcmp(out->name, name))
			return true;
	}
	return false;
}

START_TEST(monitor_reports_changes)
{
	struct ovsdp_monitor *m = NULL;
	struct ovsdp_vport_spec spec = { .name = "int0", .type = OVSDP_VPORT_TYPE_INTERNAL };
	struct ovsdp_vport_info vi;
	struct ovsdp_event ev;
	g_autoptr(GError) err = NULL;
	struct ovsdp_dp *dp;

	ck_assert_int_eq(ovsdp_monitor_open(OVSDP_MONITOR_DATAPATHS | OVSDP_MONITOR_VPORTS, &m,
					    &err), 0);
	ck_assert_int_ge(ovsdp_monitor_fd(m), 0);
	ck_assert_int_eq(ovsdp_monitor_next(m, &ev, &err), -EAGAIN);

	dp = make_dp("ovsdpt0");
	ck_assert(wait_event(m, OVSDP_EVENT_DP_NEW, "ovsdpt0", &ev));
	ck_assert_int_eq(ev.dp_ifindex, ovsdp_dp_ifindex(dp));
	ck_assert_uint_eq(ev.user_features, OVSDP_DP_F_DEFAULT);

	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &vi, &err), 0);
	ck_assert(wait_event(m, OVSDP_EVENT_VPORT_NEW, "int0", &ev));
	ck_assert_uint_eq(ev.port_no, vi.port_no);
	ck_assert_uint_eq(ev.vport_type, OVSDP_VPORT_TYPE_INTERNAL);
	ck_assert_int_eq(ev.dp_ifindex, ovsdp_dp_ifindex(dp));

	ck_assert_int_eq(ovsdp_dp_set_user_features(dp, OVSDP_DP_F_UNALIGNED, &err), 0);
	ck_assert(wait_event(m, OVSDP_EVENT_DP_SET, "ovsdpt0", &ev));
	ck_assert_uint_eq(ev.user_features, OVSDP_DP_F_UNALIGNED);

	ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "int0", &err), 0);
	ck_assert(wait_event(m, OVSDP_EVENT_VPORT_DEL, "int0", &ev));
	ck_assert_uint_eq(ev.port_no, vi.port_no);

	/* A netdev port vanishes with its device: the kernel reports it. */
	add_veth_port(dp, "vA", "vB", 0);
	ck_assert(wait_event(m, OVSDP_EVENT_VPORT_NEW, "vA", &ev));
	ck_assert_int_eq(ktest_sh("ip link del vA"), 0);
	ck_assert(wait_event(m, OVSDP_EVENT_VPORT_DEL, "vA", &ev));

	ck_assert_int_eq(ovsdp_dp_del(dp, &err), 0);
	ck_assert(wait_event(m, OVSDP_EVENT_DP_DEL, "ovsdpt0", &ev));
	ck_assert_str_eq(ovsdp_event_kind_str(ev.kind), "dp-del");
	ovsdp_dp_close(dp);
	ovsdp_monitor_close(m);
	ck_assert_int_eq(ovsdp_monitor_open(0, &m, NULL), -EINVAL);
}
END_TEST

START_TEST(ovs_dpctl_agrees)
{
	struct ovsdp_vport_spec spec = { .name = "int0", .type = OVSDP_VPORT_TYPE_INTERNAL };
	g_autoptr(GError) err = NULL;
	g_autofree char *out = NULL;
	struct ovsdp_dp *dp, *dp2 = NULL;
	struct ovsdp_vport_info *ports = NULL;
	int n;

	/* The lab always has the second opinion; elsewhere it is optional. */
	if (!ktest_have_ovs_dpctl()) {
		ck_assert_str_ne(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH") ?: "", "1");
		return;
	}
	ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
	/* Ours, read by ovs-dpctl. */
	dp = make_dp("ovsdpt0");
	add_veth_port(dp, "vA", "vB", 0);
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, &err), 0);
	out = ktest_sh_output("ovs-dpctl show system@ovsdpt0 2>&1");
	ck_assert_msg(strstr(out, "system@ovsdpt0:\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  port 0: ovsdpt0 (internal)\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  port 1: vA\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  port 2: int0 (internal)\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "    masks-cache: size:256\n") != NULL, "%s", out);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);

	/* ovs-dpctl's, read by us. */
	ck_assert_int_eq(ktest_sh("ovs-dpctl add-dp ovsdpt1 && ovs-dpctl add-if ovsdpt1 "
				  "i1,type=internal 2>&1"), 0);
	ck_assert_int_eq(ovsdp_dp_open("ovsdpt1", &dp2, &err), 0);
	/* OVS 3.1 negotiates per-cpu dispatch where the kernel has it. */
	ck_assert(ovsdp_dp_user_features(dp2) & OVSDP_DP_F_UNALIGNED);
	n = ovsdp_vport_list(dp2, &ports, &err);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(ports[0].name, "ovsdpt1");
	ck_assert_str_eq(ports[1].name, "i1");
	ck_assert_uint_eq(ports[1].type, OVSDP_VPORT_TYPE_INTERNAL);
	g_free(ports);
	ck_assert_int_eq(ovsdp_dp_del(dp2, &err), 0);
	ovsdp_dp_close(dp2);
	g_free(out);
	out = ktest_sh_output("ovs-dpctl dump-dps 2>&1");
	ck_assert_msg(strstr(out, "ovsdpt1") == NULL, "%s", out);
}
END_TEST


/* Drop our "user features" line: the rest must read as ovs-dpctl's. */
static char *
without_features(const char *show)
{
	g_autoptr(GRegex) re = g_regex_new("^  user features: .*\n", G_REGEX_MULTILINE, 0, NULL);

	return g_regex_replace_literal(re, show, -1, 0, "", 0, NULL);
}

START_TEST(cli_dp_commands)
{
	g_autofree char *out = NULL, *ours = NULL, *theirs = NULL, *a = NULL, *b = NULL;
	int st;

	out = knet_cli_run(&st, "dp add ovsdpt0");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "");
	g_free(out);
	out = knet_cli_run(&st, "dp add ovsdpt0");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: creating datapath ovsdpt0: File exists\n");
	g_free(out);
	out = knet_cli_run(&st, "dp list");
	ck_assert_str_eq(out, "ovsdpt0\n");
	g_free(out);
	knet_cli_expect(2, "dp add");
	knet_cli_expect(2, "dp add --features bogus ovsdpt9");

	knet_veth("vA", "vB");
	ck_assert_int_eq(ktest_sh("%s port add ovsdpt0 vA >/dev/null && "
				  "%s port add ovsdpt0 int0,type=internal >/dev/null",
				  knet_cli(), knet_cli()), 0);
	ours = knet_cli_run(&st, "dp show ovsdpt0");
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(ours, "  user features: unaligned,vport-pids\n") != NULL, "%s", ours);
	out = knet_cli_run(&st, "dp show --json ovsdpt0");
	ck_assert_msg(strstr(out, "\"user_features\":[\"unaligned\",\"vport-pids\"]") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "\"name\":\"int0\",\"type\":\"internal\"") != NULL, "%s", out);
	if (ktest_have_ovs_dpctl()) {
		ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
		theirs = ktest_sh_output("ovs-dpctl show ovsdpt0");
		a = without_features(ours);
		ck_assert_str_eq(a, theirs);
	}
	g_free(out);
	knet_cli_expect(0, "dp del ovsdpt0");
	out = knet_cli_run(&st, "dp del ovsdpt0");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: opening datapath ovsdpt0: No such device\n");
	g_free(out);
	out = knet_cli_run(&st, "dp list");
	ck_assert_str_eq(out, "");

	/* A datapath ovs-dpctl made reads the same through us. */
	if (ktest_have_ovs_dpctl()) {
		ck_assert_int_eq(ktest_sh("ovs-dpctl add-dp ovsdpt1 && ovs-dpctl add-if ovsdpt1 vB "
					  "2>/dev/null"), 0);
		g_free(ours);
		g_free(theirs);
		ours = knet_cli_run(&st, "dp show ovsdpt1");
		theirs = ktest_sh_output("ovs-dpctl show ovsdpt1");
		b = without_features(ours);
		ck_assert_str_eq(b, theirs);
	}
}
END_TEST

START_TEST(cli_dp_show_statistics)
{
	g_autofree char *out = NULL;
	uint8_t frame[64];
	int st, fd;

	ck_assert_int_eq(ktest_sh("%s dp add ovsdpt0 && %s dp add ovsdpt1", knet_cli(),
				  knet_cli()), 0);
	knet_veth("vA", "vB");
	ck_assert_int_eq(ktest_sh("%s port add ovsdpt0 vA >/dev/null", knet_cli()), 0);
	fd = knet_raw_open("vB");
	for (uint32_t i = 0; i < 2; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 1600 + i, 46));
	close(fd);
	/* Both datapaths when none is named; -s adds port counters. */
	out = knet_cli_run(&st, "dp show -s");
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "system@ovsdpt0:\n  lookups: hit:0 missed:2 lost:2\n") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "system@ovsdpt1:\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  port 1: vA\n    RX packets:2 errors:0 dropped:0\n") != NULL,
		      "%s", out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("datapath");

	ktest_require_datapath();
	tsuite_case(s, "datapath", ktest_netns_setup, NULL, 120,
		    TSUITE_TESTS(create_open_delete, create_twice_and_bad_args, list_finds_all,
				 stats_count_real_misses, user_features_replaced_whole,
				 masks_cache_size, per_cpu_pids_route_misses,
				 datapath_upcall_pid_serves_local_port, monitor_reports_changes,
				 ovs_dpctl_agrees));
	tsuite_case(s, "cli", ktest_netns_setup, NULL, 300,
		    TSUITE_TESTS(cli_dp_commands, cli_dp_show_statistics));
	return ktest_run_suite(s);
}
