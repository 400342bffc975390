/* test-tunnel.c: tunnels as upstream Open vSwitch makes them, against the
 * real kernel: every kind created over rtnetlink in external mode and
 * attached as a netdev port, read back, deleted with its port; the legacy
 * vport types where the kernel still has them; and real encapsulated
 * pings between this namespace and another one whose end is a plain
 * (non-external) kernel tunnel device. */
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

static struct ovsdp_dp *dp;
static char remote_ns[32];

static void
setup(void)
{
	g_autoptr(GError) err = NULL;

	ktest_netns_setup();
	ck_assert_msg(ovsdp_dp_create("ovsdpt0", 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err->message);
	remote_ns[0] = '\0';
}

static void
teardown(void)
{
	ovsdp_dp_close(dp);
	dp = NULL;
	/* A named namespace outlives this process: remove it. */
	if (remote_ns[0])
		ktest_sh("ip netns del %s", remote_ns);
}

static struct ovsdp_vport_info
tunnel_add(const struct ovsdp_tunnel_spec *spec, struct ovsdp_tunnel_info *t)
{
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_tunnel_add(dp, spec, &info, t, &err) == 0, "%s: %s",
		      ovsdp_tunnel_kind_str(spec->kind), err->message);
	return info;
}

/* bareudp exists where the running kernel has it loaded or built in. */
static bool
bareudp_expected(void)
{
	return g_file_test("/sys/module/bareudp", G_FILE_TEST_IS_DIR);
}

/* Every kind: external device, netdev port, read back; gone with its port. */
START_TEST(every_kind_over_rtnetlink)
{
	static const struct {
		uint32_t kind;
		const char *name, *device_kind;
		uint16_t dst_port, ethertype;
		bool gbp;
	} k[] = {
		{ OVSDP_TUNNEL_VXLAN, "tvx", "vxlan", 4790, 0, true },
		{ OVSDP_TUNNEL_GENEVE, "tgnv", "geneve", 0, 0, false },
		{ OVSDP_TUNNEL_GRE, "tgre", "gretap", 0, 0, false },
		{ OVSDP_TUNNEL_IP6GRE, "tip6gre", "ip6gretap", 0, 0, false },
		{ OVSDP_TUNNEL_ERSPAN, "terspan", "erspan", 0, 0, false },
		{ OVSDP_TUNNEL_IP6ERSPAN, "tip6erspan", "ip6erspan", 0, 0, false },
		{ OVSDP_TUNNEL_BAREUDP, "tbudp", "bareudp", 6635, 0x0800, false },
	};
	g_autoptr(GError) err = NULL;

	for (unsigned int i = 0; i < G_N_ELEMENTS(k); i++) {
		struct ovsdp_tunnel_spec spec = {
			.name = k[i].name, .kind = k[i].kind, .via = OVSDP_TUNNEL_VIA_RTNETLINK,
			.dst_port = k[i].dst_port, .ethertype = k[i].ethertype, .gbp = k[i].gbp,
		};
		struct ovsdp_tunnel_info t, g;
		struct ovsdp_vport_info p;
		g_autofree char *out = NULL;

		/* Debian's kernels (5.10 to 7.x) are built without bareudp: the
		 * refusal must say so, and leave nothing behind. */
		if (k[i].kind == OVSDP_TUNNEL_BAREUDP && !bareudp_expected()) {
			ck_assert_int_eq(ovsdp_tunnel_add(dp, &spec, NULL, NULL, &err), -EOPNOTSUPP);
			ck_assert_msg(g_str_has_prefix(err->message, "adding tunnel tbudp: the kernel "
						       "has no bareudp device type: Operation not "
						       "supported"), "%s", err->message);
			g_clear_error(&err);
			ck_assert_uint_eq(if_nametoindex(k[i].name), 0);
			printf("bareudp: not in this kernel (CONFIG_BAREUDP), refused clearly\n");
			continue;
		}
		p = tunnel_add(&spec, &t);
		out = ktest_sh_output("ip -d link show %s", k[i].name);

		ck_assert_uint_eq(p.type, OVSDP_VPORT_TYPE_NETDEV);
		ck_assert_int_eq(p.ifindex, (int)if_nametoindex(k[i].name));
		ck_assert_uint_eq(t.kind, k[i].kind);
		ck_assert_uint_eq(t.via, OVSDP_TUNNEL_VIA_RTNETLINK);
		ck_assert_str_eq(t.device_kind, k[i].device_kind);
		ck_assert(t.external);
		ck_assert(t.ours);
		ck_assert_int_eq(t.gbp, k[i].gbp);
		/* iproute2 agrees: the kind, external (collect_md), our alias, up. */
		ck_assert_msg(strstr(out, "alias " OVSDP_TUNNEL_ALIAS) != NULL, "%s", out);
		ck_assert_msg(strstr(out, ",UP") != NULL, "%s", out);
		if (k[i].kind == OVSDP_TUNNEL_BAREUDP) {
			ck_assert_msg(strstr(out, "bareudp dstport 6635") != NULL, "%s", out);
			ck_assert_uint_eq(t.ethertype, 0x0800);
		} else {
			g_autofree char *kind = g_strdup_printf("%s ", k[i].device_kind);

			ck_assert_msg(strstr(out, kind) && strstr(out, "external"), "%s", out);
		}
		if (k[i].kind == OVSDP_TUNNEL_VXLAN) {
			ck_assert_msg(strstr(out, "dstport 4790") && strstr(out, "gbp"), "%s", out);
			ck_assert_uint_eq(t.dst_port, 4790);
		}
		if (k[i].kind == OVSDP_TUNNEL_GENEVE)
			ck_assert_uint_eq(t.dst_port, 6081);
		ck_assert_int_eq(ovsdp_tunnel_get(&p, &g, &err), 1);
		ck_assert_mem_eq(&g, &t, sizeof g);
	}
	/* The same name again: the kernel's answer, naming the tunnel. */
	ck_assert_int_eq(ovsdp_tunnel_add(dp, &(struct ovsdp_tunnel_spec){ .name = "tgre",
			 .kind = OVSDP_TUNNEL_GRE }, NULL, NULL, &err), -EEXIST);
	ck_assert_msg(g_str_has_prefix(err->message, "adding tunnel tgre: creating the gretap "
				       "device: File exists"), "%s", err->message);
	g_clear_error(&err);
	/* Deleting the port deletes the device ovsdp made. */
	for (unsigned int i = 0; i < G_N_ELEMENTS(k); i++) {
		if (k[i].kind == OVSDP_TUNNEL_BAREUDP && !bareudp_expected())
			continue;
		ck_assert_msg(ovsdp_vport_del_by_name(dp, k[i].name, &err) == 0, "%s",
			      err->message);
		ck_assert_uint_eq(if_nametoindex(k[i].name), 0);
	}
}
END_TEST

START_TEST(bad_specs_and_foreign_devices)
{
	struct ovsdp_tunnel_spec spec = { .name = "tb", .kind = OVSDP_TUNNEL_BAREUDP,
					  .dst_port = 6635 };
	struct ovsdp_tunnel_info t;
	struct ovsdp_vport_info p;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_tunnel_add(dp, &spec, NULL, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "adding tunnel tb: bareudp needs dst_port and ethertype: "
			 "Invalid argument");
	g_clear_error(&err);
	spec = (struct ovsdp_tunnel_spec){ .name = "tg", .kind = OVSDP_TUNNEL_GRE, .gbp = true };
	ck_assert_int_eq(ovsdp_tunnel_add(dp, &spec, NULL, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "adding tunnel tg: gbp is for vxlan only: Invalid argument");
	g_clear_error(&err);
	spec = (struct ovsdp_tunnel_spec){ .name = "te", .kind = OVSDP_TUNNEL_ERSPAN,
					   .via = OVSDP_TUNNEL_VIA_LEGACY };
	ck_assert_int_eq(ovsdp_tunnel_add(dp, &spec, NULL, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "adding tunnel te: erspan has no legacy vport type: "
			 "Invalid argument");
	g_clear_error(&err);
	ck_assert_uint_eq(if_nametoindex("tb") + if_nametoindex("tg") + if_nametoindex("te"), 0);

	/* A tunnel device someone else made is shown, and left alone. */
	ck_assert_int_eq(ktest_sh("ip link add uvx type vxlan external dstport 4800"), 0);
	ck_assert_int_eq(ovsdp_vport_add(dp, &(struct ovsdp_vport_spec){ .name = "uvx" }, &p,
					 &err), 0);
	ck_assert_int_eq(ovsdp_tunnel_get(&p, &t, &err), 1);
	ck_assert_uint_eq(t.kind, OVSDP_TUNNEL_VXLAN);
	ck_assert(t.external);
	ck_assert(!t.ours);
	ck_assert_uint_eq(t.dst_port, 4800);
	ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "uvx", &err), 0);
	ck_assert_uint_ne(if_nametoindex("uvx"), 0);
	/* A veth is no tunnel. */
	knet_veth("vA", "vB");
	ck_assert_int_eq(ovsdp_vport_add(dp, &(struct ovsdp_vport_spec){ .name = "vA" }, &p,
					 &err), 0);
	ck_assert_int_eq(ovsdp_tunnel_get(&p, &t, &err), 0);
}
END_TEST

/* The legacy vport types: where the kernel has them (gone in Linux 7),
 * via=legacy makes one; where not, a clear error.  auto picks rtnetlink
 * on every kernel that has the device type (all the lab's). */
START_TEST(legacy_only_where_it_exists)
{
	struct ovsdp_tunnel_spec spec = { .name = "lvx", .kind = OVSDP_TUNNEL_VXLAN,
					  .via = OVSDP_TUNNEL_VIA_LEGACY, .dst_port = 4791 };
	struct ovsdp_tunnel_info t;
	struct ovsdp_vport_info p;
	g_autoptr(GError) err = NULL;
	int major, minor, r;

	ktest_kernel_version(&major, &minor);
	r = ovsdp_tunnel_add(dp, &spec, &p, &t, &err);
	if (major >= 7) {
		ck_assert_int_eq(r, -EAFNOSUPPORT);
		ck_assert_msg(g_str_has_prefix(err->message, "adding port lvx: "), "%s",
			      err->message);
		printf("legacy vport types: absent in Linux %d.%d, as expected\n", major, minor);
		g_clear_error(&err);
	} else {
		ck_assert_msg(r == 0, "%s", err->message);
		ck_assert_uint_eq(p.type, OVSDP_VPORT_TYPE_VXLAN);
		ck_assert_uint_eq(t.via, OVSDP_TUNNEL_VIA_LEGACY);
		ck_assert_uint_eq(t.dst_port, 4791);
		ck_assert_int_eq(ovsdp_vport_del_by_name(dp, "lvx", &err), 0);
		ck_assert_uint_eq(if_nametoindex("lvx"), 0);
	}
	spec.via = OVSDP_TUNNEL_VIA_AUTO;
	p = tunnel_add(&spec, &t);
	ck_assert_uint_eq(p.type, OVSDP_VPORT_TYPE_NETDEV);
	ck_assert_uint_eq(t.via, OVSDP_TUNNEL_VIA_RTNETLINK);
}
END_TEST

/* Real traffic: ping from this namespace's internal port to a plain
 * kernel tunnel device in another namespace, encapsulated by our external
 * device from set(tunnel(...)) and matched back on tunnel(tun_id=...). */
static const struct {
	uint32_t kind;
	const char *remote;     /* ip link add ... type <this> */
} traffic[] = {
	{ OVSDP_TUNNEL_VXLAN, "vxlan id 42 dstport 4789 remote 192.168.50.1 local 192.168.50.2" },
	{ OVSDP_TUNNEL_GENEVE, "geneve id 42 remote 192.168.50.1" },
	{ OVSDP_TUNNEL_GRE, "gretap key 42 remote 192.168.50.1 local 192.168.50.2" },
};

static char *
link_mac(const char *ns, const char *dev)
{
	/* Not /sys/class/net: sysfs shows the namespace that mounted it. */
	char *out = ktest_sh_output("ip %s%s -br link show %s | awk '{ print $3 }'",
				    ns ? "-n " : "", ns ? ns : "", dev);

	g_strstrip(out);
	ck_assert_int_eq(strlen(out), 17);
	return out;
}

START_TEST(ping_across)
{
	const char *kind = ovsdp_tunnel_kind_str(traffic[_i].kind);
	struct ovsdp_tunnel_spec spec = { .name = "tun0", .kind = traffic[_i].kind };
	g_autofree char *in_mac = NULL, *out_mac = NULL, *out = NULL, *flows = NULL;
	struct ovsdp_vport_spec ispec = { .name = "tin", .type = OVSDP_VPORT_TYPE_INTERNAL };
	struct ovsdp_vport_info tun, tin;
	struct ovsdp_tunnel_info t;
	g_autoptr(GError) err = NULL;
	int st;

	g_snprintf(remote_ns, sizeof remote_ns, "ovsdptr%d", (int)getpid());
	/* The underlay: a veth between us and the remote namespace. */
	ck_assert_int_eq(ktest_sh("ip netns add %s", remote_ns), 0);
	knet_veth("uH", "uR");
	ck_assert_int_eq(ktest_sh("ip link set uR netns %s && ip addr add 192.168.50.1/24 dev uH "
				  "&& ip netns exec %s sh -c 'ip link set lo up && "
				  "ip addr add 192.168.50.2/24 dev uR && ip link set uR up'",
				  remote_ns, remote_ns), 0);
	/* The remote end: a plain kernel tunnel with key 42. */
	ck_assert_int_eq(ktest_sh("ip netns exec %s sh -c 'ip link add rt type %s && "
				  "ip addr add 10.9.0.2/24 dev rt && ip link set rt up'",
				  remote_ns, traffic[_i].remote), 0);
	/* Our end: the external tunnel (port 1) and an internal port (2). */
	tun = tunnel_add(&spec, &t);
	ck_assert_uint_eq(t.via, OVSDP_TUNNEL_VIA_RTNETLINK);
	ck_assert_int_eq(ovsdp_vport_add(dp, &ispec, &tin, &err), 0);
	ck_assert_int_eq(ktest_sh("ip addr add 10.9.0.1/24 dev tin && ip link set tin up"), 0);
	/* No ARP through the tunnel: the neighbours are known. */
	in_mac = link_mac(NULL, "tin");
	out_mac = link_mac(remote_ns, "rt");
	ck_assert_int_eq(ktest_sh("ip neigh replace 10.9.0.2 lladdr %s dev tin && ip netns exec %s "
				  "ip neigh replace 10.9.0.1 lladdr %s dev rt", out_mac, remote_ns,
				  in_mac), 0);

	out = knet_cli_run(&st, "flow add ovsdpt0 'in_port(%u),eth(),eth_type(0x0800),"
			   "ipv4(dst=10.9.0.2)' 'set(tunnel(tun_id=0x2a,dst=192.168.50.2,ttl=64,"
			   "flags(key))),%u'", tin.port_no, tun.port_no);
	ck_assert_msg(st == 0, "%s", out);
	g_free(out);
	/* The kernel wants a TTL in a tunnel key: any, under a zero mask. */
	out = knet_cli_run(&st, "flow add ovsdpt0 'tunnel(tun_id=0x2a,src=192.168.50.2,"
			   "dst=192.168.50.1,ttl=64/0),in_port(%u),eth(),eth_type(0x0800),"
			   "ipv4(dst=10.9.0.1)' %u", tun.port_no, tin.port_no);
	ck_assert_msg(st == 0, "%s", out);
	g_free(out);

	/* Waits for the first reply, at most 30 s. */
	out = ktest_sh_output("busybox ping -c 1 -w 30 10.9.0.2 2>&1; echo status=$?");
	ck_assert_msg(strstr(out, "status=0") != NULL, "%s: %s", kind, out);
	flows = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_int_eq(ovsdp_vport_get(dp, tun.port_no, &tun, &err), 0);
	/* Both ways through our tunnel device, as tunnel packets. */
	ck_assert_msg(tun.stats.tx_packets >= 1 && tun.stats.rx_packets >= 1,
		      "%s: tx %" G_GUINT64_FORMAT " rx %" G_GUINT64_FORMAT "\n%s", kind,
		      tun.stats.tx_packets, tun.stats.rx_packets, flows);
	ck_assert_msg(strstr(flows, "tunnel(tun_id=0x2a,src=192.168.50.2,dst=192.168.50.1") &&
		      !strstr(flows, "packets:0,"), "%s", flows);
	/* The remote device decapsulated them (its own counters). */
	g_free(out);
	/* ip netns exec mounts the namespace's own sysfs. */
	out = ktest_sh_output("ip netns exec %s cat /sys/class/net/rt/statistics/rx_packets",
			      remote_ns);
	ck_assert_msg(g_ascii_strtoull(out, NULL, 10) >= 1, "%s", out);
}
END_TEST

START_TEST(cli_tunnels)
{
	g_autofree char *out = NULL;
	int st;

	out = knet_cli_run(&st, "port add ovsdpt0 vx0,type=vxlan,dst_port=4790,gbp");
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_str_eq(out, "port 1: vx0 (vxlan via rtnetlink)\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 ge0,type=erspan");
	ck_assert_msg(st == 0, "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "port show ovsdpt0 vx0 ge0");
	ck_assert_msg(strstr(out, "port 1: vx0 (netdev)\n") &&
		      strstr(out, "    tunnel: vxlan via rtnetlink, device vxlan (ovsdp's), external, "
			     "dst_port:4790, gbp\n") &&
		      strstr(out, "    tunnel: erspan via rtnetlink, device erspan (ovsdp's), "
			     "external\n"), "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "port show --json ovsdpt0 vx0");
	ck_assert_msg(strstr(out, "\"tunnel\":{\"kind\":\"vxlan\",\"via\":\"rtnetlink\","
			      "\"device_kind\":\"vxlan\",\"external\":true,\"ours\":true,"
			      "\"dst_port\":4790,\"gbp\":true}") != NULL, "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 g0,type=gre,gbp");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: adding tunnel g0: gbp is for vxlan only: Invalid argument\n");
	g_free(out);
	out = knet_cli_run(&st, "port add ovsdpt0 i0,type=internal,via=legacy");
	ck_assert_int_eq(st, 2);
	ck_assert_str_eq(out, "ovsdp: port add: gbp, ethertype and via are for tunnel types\n");
	g_free(out);
	out = knet_cli_run(&st, "port del ovsdpt0 vx0");
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_uint_eq(if_nametoindex("vx0"), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tunnel");
	TCase *tc = tcase_create("tunnel"), *tr = tcase_create("traffic");

	ktest_require_datapath();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_kind_over_rtnetlink);
	tcase_add_test(tc, bad_specs_and_foreign_devices);
	tcase_add_test(tc, legacy_only_where_it_exists);
	suite_add_tcase(s, tc);
	/* Shells, namespaces and the CLI: slow under TCG. */
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_set_timeout(tr, 300);
	tcase_add_loop_test(tr, ping_across, 0, G_N_ELEMENTS(traffic));
	tcase_add_test(tr, cli_tunnels);
	suite_add_tcase(s, tr);
	return ktest_run_suite(s);
}
