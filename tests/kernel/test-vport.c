/* test-vport.c: ports against the real kernel: netdev, internal and
 * tunnel ports, lookups by name and number, listing, upcall pid arrays,
 * counters that follow real frames, errors that name the port, and
 * ovs-dpctl reading our ports and we reading its. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

/* Each test runs forked in a new netns: the datapath dies with it. */
KNET_DP_FIXTURE(dp)

static struct ovsdp_vport_info
add(const char *name, uint32_t type, uint16_t dst_port)
{
	struct ovsdp_vport_spec spec = { .name = name, .type = type, .dst_port = dst_port };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err->message);
	return info;
}

START_TEST(netdev_and_internal)
{
	struct ovsdp_vport_info a, i, g;
	g_autoptr(GError) err = NULL;

	knet_veth("vA", "vB");
	a = add("vA", OVSDP_VPORT_TYPE_NETDEV, 0);
	ck_assert_uint_eq(a.port_no, 1);
	ck_assert_uint_eq(a.type, OVSDP_VPORT_TYPE_NETDEV);
	ck_assert_str_eq(a.name, "vA");
	ck_assert_int_eq(a.ifindex, (int)if_nametoindex("vA"));
	ck_assert_int_eq(a.dp_ifindex, ovsdp_dp_ifindex(dp));
	ck_assert_uint_eq(a.n_upcall_pids, 1);
	ck_assert_uint_eq(a.upcall_pid, 0);
	ck_assert(!a.has_dst_port);

	i = add("int0", OVSDP_VPORT_TYPE_INTERNAL, 0);
	ck_assert_uint_eq(i.port_no, 2);
	ck_assert_uint_ne(if_nametoindex("int0"), 0);

	ck_assert_int_eq(ovsdp_vport_get_by_name(dp, "int0", &g, &err), 0);
	ck_assert_uint_eq(g.port_no, 2);
	ck_assert_uint_eq(g.type, OVSDP_VPORT_TYPE_INTERNAL);
	ck_assert_int_eq(ovsdp_vport_get(dp, 1, &g, &err), 0);
	ck_assert_str_eq(g.name, "vA");
	ck_assert_int_eq(ovsdp_vport_get(dp, OVSDP_PORT_LOCAL, &g, &err), 0);
	ck_assert_str_eq(g.name, "ovsdpt0");
	ck_assert_uint_eq(g.type, OVSDP_VPORT_TYPE_INTERNAL);
}
END_TEST

START_TEST(chosen_port_number)
{
	struct ovsdp_vport_spec spec = { .name = "int7", .type = OVSDP_VPORT_TYPE_INTERNAL,
					 .port_no = 7 };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), 0);
	ck_assert_uint_eq(info.port_no, 7);
	spec.name = "int8";
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), -EBUSY);
	ck_assert_str_eq(err->message, "adding port int8: Device or resource busy");
}
END_TEST

START_TEST(errors_name_the_port)
{
	struct ovsdp_vport_spec spec = { .name = "nosuch" };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, &err), -ENODEV);
	ck_assert_str_eq(err->message, "adding port nosuch: No such device");
	g_clear_error(&err);

	knet_veth("vA", "vB");
	add("vA", 0, 0);
	spec.name = "vA";
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, &err), -EEXIST);
	ck_assert_str_eq(err->message, "adding port vA: File exists");
	g_clear_error(&err);

	ck_assert_int_eq(ovsdp_vport_get_by_name(dp, "vB", &info, &err), -ENODEV);
	ck_assert_str_eq(err->message, "reading port vB: No such device");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_vport_del(dp, OVSDP_PORT_LOCAL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "deleting port 0: Invalid argument");
	g_clear_error(&err);

	spec.name = "vB";
	spec.dst_port = 4789;
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message,
			 "adding port vB: a destination port needs type vxlan or geneve: "
			 "Invalid argument");
	ck_assert_int_eq(ovsdp_vport_add(NULL, &spec, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_vport_list(dp, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(delete_by_name_and_number)
{
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	knet_veth("vA", "vB");
	add("vA", 0, 0);
	add("int0", OVSDP_VPORT_TYPE_INTERNAL, 0);
	ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "vA", &err), 0);
	ck_assert_int_eq(ovsdp_vport_get_by_name(dp, "vA", &info, NULL), -ENODEV);
	/* The device itself stays: only the internal port's is ours. */
	ck_assert_uint_ne(if_nametoindex("vA"), 0);
	ck_assert_int_eq(ovsdp_vport_del(dp, 2, &err), 0);
	ck_assert_uint_eq(if_nametoindex("int0"), 0);
	ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "vA", &err), -ENODEV);
	ck_assert_str_eq(err->message, "deleting port vA: No such device");
}
END_TEST

/* Linux 7 removed the legacy tunnel vport types (vxlan, geneve, gre):
 * there tunnels are rtnetlink devices (test-tunnel.c), and these cases
 * check that the kernel refuses the legacy types, and say so. */
static bool
legacy_tunnels_expected(void)
{
	int major, minor;

	ktest_kernel_version(&major, &minor);
	if (major >= 7)
		printf("legacy tunnel vports: absent in Linux %d.%d, checking the refusal\n",
		       major, minor);
	return major < 7;
}

START_TEST(tunnels)
{
	struct ovsdp_vport_info vx, gnv, gre, g;
	g_autoptr(GError) err = NULL;
	g_autofree char *out = NULL;

	if (!legacy_tunnels_expected()) {
		static const uint32_t types[] = { OVSDP_VPORT_TYPE_VXLAN, OVSDP_VPORT_TYPE_GENEVE,
						  OVSDP_VPORT_TYPE_GRE };

		for (unsigned int i = 0; i < G_N_ELEMENTS(types); i++) {
			struct ovsdp_vport_spec spec = { .name = "lt0", .type = types[i] };

			ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, &err), -EAFNOSUPPORT);
			ck_assert_str_eq(err->message, "adding port lt0: Address family not "
					 "supported by protocol");
			g_clear_error(&err);
			ck_assert_uint_eq(if_nametoindex("lt0"), 0);
		}
		return;
	}
	vx = add("vx0", OVSDP_VPORT_TYPE_VXLAN, 4790);
	ck_assert_uint_eq(vx.type, OVSDP_VPORT_TYPE_VXLAN);
	ck_assert(vx.has_dst_port);
	ck_assert_uint_eq(vx.dst_port, 4790);
	gnv = add("gnv0", OVSDP_VPORT_TYPE_GENEVE, 0);
	ck_assert(gnv.has_dst_port);
	ck_assert_uint_eq(gnv.dst_port, 6081);
	/* gre0 is taken: ip_gre makes a fallback device of that name. */
	gre = add("ovsgre", OVSDP_VPORT_TYPE_GRE, 0);
	ck_assert_uint_eq(gre.type, OVSDP_VPORT_TYPE_GRE);
	ck_assert_int_eq(ovsdp_vport_get_by_name(dp, "vx0", &g, &err), 0);
	ck_assert_uint_eq(g.dst_port, 4790);
	/* The kernel made a real vxlan device listening on that port. */
	out = ktest_sh_output("ip -d link show vx0");
	ck_assert_msg(strstr(out, "dstport 4790") != NULL, "%s", out);
	/* Two vxlan ports on one UDP port are refused. */
	ck_assert_int_lt(ovsdp_vport_add(dp, &(struct ovsdp_vport_spec){ .name = "vx1",
			 .type = OVSDP_VPORT_TYPE_VXLAN, .dst_port = 4790 }, NULL, NULL), 0);
}
END_TEST

START_TEST(list_sorted)
{
	struct ovsdp_vport_info *ports = NULL;
	g_autoptr(GError) err = NULL;
	int n;

	add("int3", OVSDP_VPORT_TYPE_INTERNAL, 0);
	add("int4", OVSDP_VPORT_TYPE_INTERNAL, 0);
	add("int5", OVSDP_VPORT_TYPE_INTERNAL, 0);
	ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "int4", &err), 0);
	n = ovsdp_vport_list(dp, &ports, &err);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(ports[0].port_no, 0);
	ck_assert_str_eq(ports[0].name, "ovsdpt0");
	ck_assert_uint_eq(ports[1].port_no, 1);
	ck_assert_str_eq(ports[1].name, "int3");
	ck_assert_uint_eq(ports[2].port_no, 3);
	ck_assert_str_eq(ports[2].name, "int5");
	g_free(ports);
}
END_TEST

START_TEST(upcall_pid_arrays)
{
	const uint32_t pids[3] = { 1001, 1002, 1003 };
	uint32_t got[8] = { 0 };
	struct ovsdp_vport_info info;
	struct ovsdp_features f;
	g_autoptr(GError) err = NULL;
	int n;

	/* Fixed kernels refuse more pids than possible CPUs. */
	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	n = (int)MIN(3u, f.cpu_ids);
	info = add("int0", OVSDP_VPORT_TYPE_INTERNAL, 0);
	ck_assert_msg(ovsdp_vport_set_upcall_pids(dp, info.port_no, pids, (size_t)n, &err) == 0,
		      "%s", err ? err->message : "");
	ck_assert_int_eq(ovsdp_vport_get_upcall_pids(dp, info.port_no, got, 8, &err), n);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(got[i], pids[i]);
	memset(got, 0, sizeof got);
	ck_assert_int_eq(ovsdp_vport_get_upcall_pids(dp, info.port_no, got, 1, &err), n);
	ck_assert_uint_eq(got[1], 0);
	ck_assert_int_eq(ovsdp_vport_get(dp, info.port_no, &info, &err), 0);
	ck_assert_uint_eq(info.n_upcall_pids, (uint32_t)n);
	ck_assert_uint_eq(info.upcall_pid, 1001);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, info.port_no, pids, 0, &err), -EINVAL);
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, 99, pids, 1, &err), -ENODEV);
	ck_assert_str_eq(err->message, "setting the upcall pids of port 99: No such device");
}
END_TEST

START_TEST(counters_follow_frames)
{
	struct ovsdp_upcall_sock *s = NULL, *tiny = NULL;
	struct ovsdp_features f;
	struct ovsdp_vport_info a;
	g_autoptr(GError) err = NULL;
	uint8_t frame[64], buf[2048];
	uint32_t pid;
	uint64_t missed0;
	int fd, got = 0, r;
	const int flood = 60;

	knet_veth("vA", "vB");
	a = add("vA", 0, 0);
	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &s, &err), 0);
	pid = ovsdp_upcall_sock_portid(s);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, a.port_no, &pid, 1, &err), 0);
	fd = knet_raw_open("vB");
	for (uint32_t i = 0; i < 4; i++) {
		size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 500 + i, 46);

		knet_send(fd, frame, len);
		ck_assert_int_gt(knet_upcall_wait(s, buf, sizeof buf, 3000), 0);
	}
	/* Pid 0: the kernel drops these before it counts an upcall attempt. */
	pid = 0;
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, a.port_no, &pid, 1, &err), 0);
	for (uint32_t i = 0; i < 2; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 600 + i, 46));
	/* A flood into a tiny socket: the ones that do not fit fail. */
	ck_assert_int_eq(ovsdp_upcall_sock_open(1, &tiny, &err), 0);
	pid = ovsdp_upcall_sock_portid(tiny);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, a.port_no, &pid, 1, &err), 0);
	missed0 = knet_dp_missed(dp);
	for (int i = 0; i < flood; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a,
						700 + (uint32_t)i, 46));
	/* The kernel has tried every upcall (queued or failed). */
	ck_assert(KTEST_WAIT(5000, knet_dp_missed(dp) - missed0 >= (uint64_t)flood));
	while ((r = ovsdp_upcall_sock_recv(tiny, buf, sizeof buf)) != -EAGAIN)
		if (r > 0)
			got++;
	ck_assert_int_gt(got, 0);
	ck_assert_int_lt(got, flood);

	ck_assert_int_eq(ovsdp_vport_get(dp, a.port_no, &a, &err), 0);
	ck_assert_uint_eq(a.stats.rx_packets, 6 + flood);
	ck_assert_uint_eq(a.stats.rx_bytes, (6 + flood) * 60);
	ck_assert_uint_eq(a.stats.tx_packets, 0);
	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	ck_assert_int_eq(a.has_upcall_stats, f.vport_upcall_stats);
	if (a.has_upcall_stats) {
		ck_assert_uint_eq(a.upcall_success, 4 + (uint64_t)got);
		ck_assert_uint_eq(a.upcall_fail, (uint64_t)(flood - got));
	}
	close(fd);
	ovsdp_upcall_sock_close(s);
	ovsdp_upcall_sock_close(tiny);
}
END_TEST

START_TEST(type_names)
{
	ck_assert_str_eq(ovsdp_vport_type_str(OVSDP_VPORT_TYPE_GENEVE), "geneve");
	ck_assert_str_eq(ovsdp_vport_type_str(42), "unknown");
	ck_assert_int_eq(ovsdp_vport_type_from_str("vxlan"), OVSDP_VPORT_TYPE_VXLAN);
	ck_assert_int_eq(ovsdp_vport_type_from_str("system"), OVSDP_VPORT_TYPE_NETDEV);
	ck_assert_int_eq(ovsdp_vport_type_from_str("bogus"), -EINVAL);
}
END_TEST

START_TEST(ovs_dpctl_agrees)
{
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;
	g_autofree char *out = NULL;

	if (!ktest_have_ovs_dpctl()) {
		ck_assert_str_ne(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH") ?: "", "1");
		return;
	}
	ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
	knet_veth("vA", "vB");
	add("vA", 0, 0);
	if (legacy_tunnels_expected()) {
		add("vx0", OVSDP_VPORT_TYPE_VXLAN, 4790);
		add("gnv0", OVSDP_VPORT_TYPE_GENEVE, 0);
	} else {
		ck_assert_int_eq(ovsdp_tunnel_add(dp, &(struct ovsdp_tunnel_spec){ .name = "vx0",
				 .kind = OVSDP_TUNNEL_VXLAN, .dst_port = 4790 }, NULL, NULL, &err), 0);
		ck_assert_int_eq(ovsdp_tunnel_add(dp, &(struct ovsdp_tunnel_spec){ .name = "gnv0",
				 .kind = OVSDP_TUNNEL_GENEVE }, NULL, NULL, &err), 0);
	}
	out = ktest_sh_output("ovs-dpctl show ovsdpt0 2>&1");
	ck_assert_msg(strstr(out, "  port 1: vA\n") != NULL, "%s", out);
	/* ovs-dpctl prints the tunnel port it configured itself, not the
	 * kernel's dst_port option, for ports it did not create; an rtnetlink
	 * tunnel is a plain netdev port to it, as its own are. */
	ck_assert_msg(strstr(out, "  port 2: vx0 (vxlan") != NULL ||
		      (!legacy_tunnels_expected() && strstr(out, "  port 2: vx0\n")), "%s", out);
	ck_assert_msg(strstr(out, "  port 3: gnv0 (geneve") != NULL ||
		      (!legacy_tunnels_expected() && strstr(out, "  port 3: gnv0\n")), "%s", out);

	ck_assert_int_eq(ktest_sh("ovs-dpctl add-if ovsdpt0 vB,port_no=9 2>&1"), 0);
	ck_assert_int_eq(ovsdp_vport_get_by_name(dp, "vB", &info, &err), 0);
	ck_assert_uint_eq(info.port_no, 9);
	ck_assert_uint_eq(info.type, OVSDP_VPORT_TYPE_NETDEV);
	ck_assert_int_eq(ktest_sh("ovs-dpctl add-if ovsdpt0 vx9,type=vxlan,remote_ip=flow,"
				  "dst_port=4799 2>&1"), 0);
	/* OVS makes the vxlan device over rtnetlink, names it after its UDP
	 * port and adds it as a plain netdev port. */
	ck_assert_int_eq(ovsdp_vport_get_by_name(dp, "vxlan_sys_4799", &info, &err), 0);
	ck_assert_uint_eq(info.type, OVSDP_VPORT_TYPE_NETDEV);
	ck_assert(!info.has_dst_port);
	ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "vB", &err), 0);
	g_free(out);
	out = ktest_sh_output("ovs-dpctl show ovsdpt0 2>&1");
	ck_assert_msg(strstr(out, "vB") == NULL, "%s", out);
}
END_TEST


START_TEST(cli_port_commands)
{
	g_autofree char *out = NULL;
	uint8_t frame[64];
	int st, fd;

	knet_veth("vA", "vB");
	out = knet_cli_run(&st, "port add ovsdpt0 vA");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "port 1: vA\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 vA");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: adding port vA: File exists\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 nosuch");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: adding port nosuch: No such device\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdp-nope vB");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: opening datapath ovsdp-nope: No such device\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 x0,type=bogus");
	ck_assert_int_eq(st, 2);
	ck_assert_str_eq(out, "ovsdp: port add: unknown type 'bogus' (netdev, internal, vxlan, "
			 "geneve, gre, ip6gre, erspan, ip6erspan or bareudp)\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 vx0,type=vxlan,dst_port=4790");
	ck_assert_int_eq(st, 0);
	/* A tunnel as upstream makes it: an rtnetlink device, a netdev port. */
	ck_assert_str_eq(out, "port 2: vx0 (vxlan via rtnetlink)\n");
	g_free(out);
	out = knet_cli_run(&st, "port add --json ovsdpt0 i5,type=internal,port_no=5");
	ck_assert_int_eq(st, 0);
	ck_assert_msg(g_str_has_prefix(out, "{\"port_no\":5,\"name\":\"i5\",\"type\":\"internal\""),
		      "%s", out);
	g_free(out);
	out = ktest_sh_output("ip -d link show vx0");
	ck_assert_msg(strstr(out, "dstport 4790") != NULL, "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "dp show ovsdpt0");
	/* As ovs-dpctl shows its own rtnetlink tunnels: plain ports. */
	ck_assert_msg(strstr(out, "  port 1: vA\n  port 2: vx0\n"
			      "  port 5: i5 (internal)\n") != NULL, "%s", out);

	fd = knet_raw_open("vB");
	for (uint32_t i = 0; i < 2; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 1700 + i, 46));
	close(fd);
	g_free(out);
	out = knet_cli_run(&st, "port show ovsdpt0 vA");
	ck_assert_int_eq(st, 0);
	ck_assert_msg(g_str_has_prefix(out, "port 1: vA (netdev)\n    ifindex:"), "%s", out);
	ck_assert_msg(strstr(out, " upcall pids:0\n    RX packets:2 errors:0 dropped:0\n") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "    RX bytes:120  TX bytes:0\n") != NULL, "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "port show --json ovsdpt0 2");
	ck_assert_msg(strstr(out, "\"name\":\"vx0\",\"type\":\"netdev\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\"tunnel\":{\"kind\":\"vxlan\",\"via\":\"rtnetlink\"") &&
		      strstr(out, "\"dst_port\":4790"), "%s", out);

	g_free(out);
	out = knet_cli_run(&st, "port del ovsdpt0 vx0");
	ck_assert_int_eq(st, 0);
	ck_assert_uint_eq(if_nametoindex("vx0"), 0);
	g_free(out);
	out = knet_cli_run(&st, "port del ovsdpt0 2");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: deleting port 2: No such device\n");
	g_free(out);
	out = knet_cli_run(&st, "port show ovsdpt0 vx0");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: reading port vx0: No such device\n");
	g_free(out);
	out = knet_cli_run(&st, "port del ovsdpt0");
	ck_assert_int_eq(st, 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("vport");

	ktest_require_datapath();
	tsuite_case(s, "vport", setup, teardown, 120,
		    TSUITE_TESTS(netdev_and_internal, chosen_port_number, errors_name_the_port,
				 delete_by_name_and_number, tunnels, list_sorted, upcall_pid_arrays,
				 counters_follow_frames, type_names, ovs_dpctl_agrees));
	/* The CLI cases spawn dozens of processes: slow under TCG. */
	tsuite_case(s, "cli", setup, teardown, 300, TSUITE_TESTS(cli_port_commands));
	return ktest_run_suite(s);
}
