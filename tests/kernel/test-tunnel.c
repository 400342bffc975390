/* test-tunnel.c: tunnels as upstream Open vSwitch makes them, against the
 * real kernel: every kind created over rtnetlink in external mode and
 * attached as a netdev port, read back, deleted with its port; the legacy
 * vport types where the kernel still has them; and real encapsulated
 * pings between this namespace and another one whose end is a plain
 * (non-external) kernel tunnel device. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
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
	dp = knet_netns_dp(KNET_DP);
	remote_ns[0] = '\0';
}

static void
teardown(void)
{
	knet_dp_close(&dp);
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
 * device from set(tunnel(...)) and matched back on tunnel(...).
 *
 * ERSPAN is a mirroring protocol, but Linux's erspan and ip6erspan
 * devices are ordinary L2 tunnels: a frame from our set(tunnel(...,
 * erspan(...))) is decapsulated into the remote device (its rx counter
 * says so) and handed to its stack, and the remote's echo reply leaves
 * through the same device with the remote's ERSPAN header (session id 42
 * as tun_id, its own index or direction and hardware id).  So every kind
 * gets the same assertion: a reply, both counters, the flows hit.  A v1
 * index comes back whole and is matched; a v2 header also carries a
 * timestamp that a tunnel(erspan(...)) match (all ones, as ovs-dpctl
 * parses it) would compare too, so the v2 case matches on the tunnel
 * without options: the reply still proves that the remote parsed our v2
 * header (its length differs from v1's) and that we parsed its one.
 *
 * VXLAN GBP: the remote device turns the group policy id of our header
 * into the packet mark; with fwmark_reflect its echo reply carries that
 * mark, which its device writes back as the reply's group policy id:
 * the in-flow matches on it, so a reply proves the id went both ways. */
#define U4 "192.168.50"
#define U6 "fd00:50:"
static const struct {
	uint32_t kind;
	bool gbp, v6;
	const char *remote;     /* ip link add rt type <this> */
	const char *set;        /* set(tunnel(<this>)) */
	const char *match;      /* tunnel(<this>),in_port(..)... */
	const char *dump;       /* what flow dump shows of the match (strstr) */
} traffic[] = {
	{ OVSDP_TUNNEL_VXLAN, false, false,
	  "vxlan id 42 dstport 4789 remote " U4 ".1 local " U4 ".2",
	  "tun_id=0x2a,dst=" U4 ".2,ttl=64,flags(key)",
	  "tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1,ttl=64/0",
	  "tunnel(tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1" },
	{ OVSDP_TUNNEL_GENEVE, false, false,
	  "geneve id 42 remote " U4 ".1",
	  "tun_id=0x2a,dst=" U4 ".2,ttl=64,flags(key)",
	  "tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1,ttl=64/0",
	  "tunnel(tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1" },
	{ OVSDP_TUNNEL_GRE, false, false,
	  "gretap key 42 remote " U4 ".1 local " U4 ".2",
	  "tun_id=0x2a,dst=" U4 ".2,ttl=64,flags(key)",
	  "tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1,ttl=64/0",
	  "tunnel(tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1" },
	{ OVSDP_TUNNEL_IP6GRE, false, true,
	  "ip6gretap key 42 remote " U6 ":1 local " U6 ":2",
	  "tun_id=0x2a,ipv6_dst=" U6 ":2,ttl=64,flags(key)",
	  "tun_id=0x2a,ipv6_src=" U6 ":2,ipv6_dst=" U6 ":1,ttl=64/0",
	  "tunnel(tun_id=0x2a,ipv6_src=" U6 ":2,ipv6_dst=" U6 ":1" },
	{ OVSDP_TUNNEL_ERSPAN, false, false,
	  "erspan seq key 42 erspan_ver 1 erspan 123 remote " U4 ".1 local " U4 ".2",
	  "tun_id=0x2a,dst=" U4 ".2,ttl=64,erspan(ver=1,idx=0x7b),flags(key)",
	  "tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1,ttl=64/0,erspan(ver=1,idx=0x7b)",
	  "erspan(ver=1,idx=0x7b/0xffffffff)" },
	{ OVSDP_TUNNEL_ERSPAN, false, false,
	  "erspan seq key 42 erspan_ver 2 erspan_dir egress erspan_hwid 7 remote " U4 ".1 "
	  "local " U4 ".2",
	  "tun_id=0x2a,dst=" U4 ".2,ttl=64,erspan(ver=2,dir=1,hwid=0x7),flags(key)",
	  "tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1,ttl=64/0",
	  "tunnel(tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1" },
	{ OVSDP_TUNNEL_IP6ERSPAN, false, true,
	  "ip6erspan seq key 42 erspan_ver 1 erspan 123 remote " U6 ":1 local " U6 ":2",
	  "tun_id=0x2a,ipv6_dst=" U6 ":2,ttl=64,erspan(ver=1,idx=0x7b),flags(key)",
	  "tun_id=0x2a,ipv6_src=" U6 ":2,ipv6_dst=" U6 ":1,ttl=64/0,erspan(ver=1,idx=0x7b)",
	  "erspan(ver=1,idx=0x7b/0xffffffff)" },
	{ OVSDP_TUNNEL_VXLAN, true, false,
	  "vxlan id 42 dstport 4789 gbp remote " U4 ".1 local " U4 ".2",
	  "tun_id=0x2a,dst=" U4 ".2,ttl=64,vxlan(gbp(id=10,flags=0)),flags(key)",
	  "tun_id=0x2a,src=" U4 ".2,dst=" U4 ".1,ttl=64/0,vxlan(gbp(id=10))",
	  "vxlan(gbp(id=10" },
};

/* Enter the remote namespace (this thread), for /proc/sys and /proc/net
 * there without spawning ip(8), which costs seconds under TCG; the value
 * goes to remote_leave(). */
static int
remote_enter(void)
{
	g_autofree char *path = g_strdup_printf("/run/netns/%s", remote_ns);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(self >= 0 && fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_msg(setns(fd, CLONE_NEWNET) == 0, "setns: %s", strerror(errno));
	close(fd);
	return self;
}

static void
remote_leave(int self)
{
	ck_assert_msg(setns(self, CLONE_NEWNET) == 0, "setns back: %s", strerror(errno));
	close(self);
}

/* A sysctl: in place (g_file_set_contents() would write a new file). */
static void
write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_msg(fputs(value, f) >= 0 && fclose(f) == 0, "%s: %s", path, strerror(errno));
}

/* A device's received packets, from /proc/net/dev of this namespace. */
static uint64_t
rx_packets(const char *dev)
{
	g_autofree char *text = NULL, *key = g_strdup_printf("%s:", dev);
	g_auto(GStrv) lines = NULL;

	ck_assert(g_file_get_contents("/proc/net/dev", &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *p = g_strstrip(*l);
		uint64_t bytes, packets;

		if (g_str_has_prefix(p, key) &&
		    sscanf(p + strlen(key), "%" SCNu64 " %" SCNu64, &bytes, &packets) == 2)
			return packets;
	}
	ck_abort_msg("%s not in /proc/net/dev:\n%s", dev, text);
	return 0;
}

static void
flow_add(const char *key_text, const char *actions_text)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, actions = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };

	ck_assert_msg(ovsdp_odp_key_from_string(key_text, &key, &mask, &err) == 0 &&
		      ovsdp_odp_actions_from_string(actions_text, &actions, &err) == 0,
		      "%s %s: %s", key_text, actions_text, err->message);
	put.key = key.data;
	put.key_len = key.len;
	put.mask = mask.data;
	put.mask_len = mask.len;
	put.actions = actions.data;
	put.actions_len = actions.len;
	ck_assert_msg(ovsdp_flow_put(dp, &put, NULL, &err) == 0, "%s %s: %s", key_text,
		      actions_text, err->message);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&actions);
}

#define MAC_IN "02:00:00:0a:09:01"
#define MAC_OUT "02:00:00:0a:09:02"

START_TEST(ping_across)
{
	const char *kind = ovsdp_tunnel_kind_str(traffic[_i].kind);
	struct ovsdp_tunnel_spec spec = { .name = "tun0", .kind = traffic[_i].kind,
					  .gbp = traffic[_i].gbp };
	g_autofree char *match = NULL, *set = NULL, *out = NULL;
	struct ovsdp_vport_spec ispec = { .name = "tin", .type = OVSDP_VPORT_TYPE_INTERNAL };
	struct ovsdp_vport_info tun, tin;
	struct ovsdp_tunnel_info t;
	g_autoptr(GError) err = NULL;
	gint64 start = g_get_monotonic_time();
	uint64_t remote_rx;
	int self;

	/* No IPv6 chatter from our tin into the datapath; the v6 underlay
	 * device (made below) takes the default as it is then. */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	/* Our end: the external tunnel (port 1) and an internal port (2). */
	tun = tunnel_add(&spec, &t);
	ck_assert_uint_eq(t.via, OVSDP_TUNNEL_VIA_RTNETLINK);
	ck_assert_int_eq(ovsdp_vport_add(dp, &ispec, &tin, &err), 0);
	if (traffic[_i].v6)
		write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "0");
	/* The underlay, a veth to the remote namespace; there the remote end,
	 * a plain kernel tunnel with key 42.  Fixed MACs, and no ARP through
	 * the tunnel: the neighbours are known.  One shell, few ip(8)s. */
	g_snprintf(remote_ns, sizeof remote_ns, "ovsdptr%d", (int)getpid());
	ck_assert_int_eq(ktest_sh("ip netns add %1$s && "
				  "ip link add uH type veth peer name uR netns %1$s && "
				  "printf '%%s\\n' 'addr add " U4 ".1/24 dev uH' %2$s 'link set uH up' "
				  "'link set tin address " MAC_IN "' 'addr add 10.9.0.1/24 dev tin' "
				  "'link set tin up' 'neigh replace 10.9.0.2 lladdr " MAC_OUT " dev tin' "
				  "| ip -batch - && "
				  "printf '%%s\\n' 'link set lo up' 'addr add " U4 ".2/24 dev uR' %3$s "
				  "'link set uR up' 'link add rt address " MAC_OUT " type %4$s' "
				  "'addr add 10.9.0.2/24 dev rt' 'link set rt up' "
				  "'neigh replace 10.9.0.1 lladdr " MAC_IN " dev rt' "
				  "| ip -n %1$s -batch -", remote_ns,
				  traffic[_i].v6 ? "'addr add " U6 ":1/64 dev uH nodad'" : "",
				  traffic[_i].v6 ? "'addr add " U6 ":2/64 dev uR nodad'" : "",
				  traffic[_i].remote), 0);
	/* GBP: the remote's echo reply takes the request's mark (its GBP id). */
	if (traffic[_i].gbp) {
		self = remote_enter();
		write_file("/proc/sys/net/ipv4/fwmark_reflect", "1");
		remote_leave(self);
	}

	set = g_strdup_printf("set(tunnel(%s)),%u", traffic[_i].set, tun.port_no);
	match = g_strdup_printf("in_port(%u),eth(),eth_type(0x0800),ipv4(dst=10.9.0.2)",
				tin.port_no);
	flow_add(match, set);
	g_free(match);
	/* The kernel wants a TTL in a tunnel key: any, under a zero mask. */
	match = g_strdup_printf("tunnel(%s),in_port(%u),eth(),eth_type(0x0800),ipv4(dst=10.9.0.1)",
				traffic[_i].match, tun.port_no);
	g_free(set);
	set = g_strdup_printf("%u", tin.port_no);
	flow_add(match, set);

	/* Waits for the first reply, at most 30 s; then the flows' text. */
	out = ktest_sh_output("busybox ping -c 1 -w 30 10.9.0.2 2>&1; echo status=$?; "
			      "%s flow dump ovsdpt0 2>&1", knet_cli());
	ck_assert_msg(strstr(out, "status=0") != NULL, "%s: %s", kind, out);
	ck_assert_int_eq(ovsdp_vport_get(dp, tun.port_no, &tun, &err), 0);
	/* Both ways through our tunnel device, as tunnel packets. */
	ck_assert_msg(tun.stats.tx_packets >= 1 && tun.stats.rx_packets >= 1,
		      "%s: tx %" G_GUINT64_FORMAT " rx %" G_GUINT64_FORMAT "\n%s", kind,
		      tun.stats.tx_packets, tun.stats.rx_packets, out);
	ck_assert_msg(strstr(out, traffic[_i].dump) && !strstr(out, "packets:0,"), "%s", out);
	/* The remote device decapsulated them (its own counters). */
	self = remote_enter();
	remote_rx = rx_packets("rt");
	remote_leave(self);
	ck_assert_msg(remote_rx >= 1, "%s: the remote rt received %" G_GUINT64_FORMAT, kind,
		      remote_rx);
	printf("traffic %d: %s (%s): ok in %.1f s\n", _i, kind, traffic[_i].remote,
	       (double)(g_get_monotonic_time() - start) / 1e6);
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
	knet_cli_expect(0, "port add ovsdpt0 ge0,type=erspan");
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
	TCase *tr;

	ktest_require_datapath();
	tsuite_case(s, "tunnel", setup, teardown, 120,
		    TSUITE_TESTS(every_kind_over_rtnetlink, bad_specs_and_foreign_devices,
				 legacy_only_where_it_exists));
	/* Shells, namespaces and the CLI: slow under TCG. */
	tr = tsuite_case(s, "traffic", setup, teardown, 300, NULL);
	tcase_add_loop_test(tr, ping_across, 0, G_N_ELEMENTS(traffic));
	tcase_add_test(tr, cli_tunnels);
	return ktest_run_suite(s);
}
