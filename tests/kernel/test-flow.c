/* test-flow.c: the flow table against the real kernel: put with create/
 * modify semantics, get, delete, flush, ufids, statistics and TCP flags
 * gathered from real frames, clearing them, and the restartable dump,
 * with ovs-dpctl as a second opinion on what we install and we reading
 * what it installs. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include <linux/openvswitch.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static struct ovsdp_dp *dp;
static uint32_t port_a, port_c;        /* vA (peer vB), vC (peer vD) */

static void
setup(void)
{
	struct ovsdp_vport_spec spec = { .name = "vA" };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ktest_netns_setup();
	ck_assert_msg(ovsdp_dp_create("ovsdpt0", 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err->message);
	knet_veth("vA", "vB");
	knet_veth("vC", "vD");
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), 0);
	port_a = info.port_no;
	spec.name = "vC";
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), 0);
	port_c = info.port_no;
}

static void
teardown(void)
{
	ovsdp_dp_close(dp);
	dp = NULL;
}

static void
output_action(struct ovsdp_buf *acts, uint32_t port)
{
	ovsdp_buf_put_u32(acts, OVS_ACTION_ATTR_OUTPUT, port);
}

/* Put the test-frame flow for source MAC 'src' with actions output:'out'. */
static int
put_flow(unsigned int flags, const uint8_t src[6], uint32_t out, const struct ovsdp_ufid *ufid,
	 struct ovsdp_flow_stats *stats, GError **error)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovsdp_flow_put put = { .flags = flags, .ufid = ufid };
	int r;

	knet_key(&key, port_a, src, mac_b);
	knet_mask(&mask);
	if (out)
		output_action(&acts, out);
	knet_flow_put_set(&put, &key, &mask, &acts);
	r = ovsdp_flow_put(dp, &put, stats, error);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&acts);
	return r;
}

static int
get_flow(const uint8_t src[6], const struct ovsdp_ufid *ufid, struct ovsdp_flow *f,
	 GError **error)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT;
	int r;

	if (src)
		knet_key(&key, port_a, src, mac_b);
	r = ovsdp_flow_get(dp, src ? key.data : NULL, key.len, ufid, f, error);
	ovsdp_buf_clear(&key);
	return r;
}

static uint32_t
flow_output(const struct ovsdp_flow *f)
{
	size_t n = 0;
	const uint32_t *p = knet_attr_find(f->actions, f->actions_len, OVS_ACTION_ATTR_OUTPUT, &n);

	return p && n == 4 ? *p : UINT32_MAX;
}

START_TEST(put_get_semantics)
{
	struct ovsdp_flow f;
	struct ovsdp_flow_stats st;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(put_flow(OVSDP_FLOW_PUT_CREATE, mac_a, port_c, NULL, NULL, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_int_eq(get_flow(mac_a, NULL, &f, &err), 0);
	ck_assert(f.has_key && f.has_actions && !f.has_ufid);
	knet_check_key(f.key, f.key_len, port_a, mac_a, mac_b, KNET_ETHERTYPE);
	ck_assert_ptr_nonnull(f.mask);
	ck_assert_uint_eq(flow_output(&f), port_c);
	ck_assert_uint_eq(f.stats.n_packets, 0);
	ck_assert_uint_eq(f.stats.used_ms, 0);
	ck_assert_int_eq(f.dp_ifindex, ovsdp_dp_ifindex(dp));
	ovsdp_flow_clear(&f);
	ck_assert_ptr_null(f.storage.data);

	/* create on an existing flow */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, mac_a, port_a, NULL, NULL, &err), -EEXIST);
	ck_assert_str_eq(err->message, "adding flow (32-byte key): File exists");
	g_clear_error(&err);
	/* modify a missing flow */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_MODIFY, mac_b, port_a, NULL, NULL, &err), -ENOENT);
	ck_assert_str_eq(err->message, "modifying flow (32-byte key): No such file or directory");
	g_clear_error(&err);
	/* create-or-modify replaces the actions */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE | OVSDP_FLOW_PUT_MODIFY, mac_a, port_a,
				  NULL, &st, &err), 0);
	ck_assert_int_eq(get_flow(mac_a, NULL, &f, &err), 0);
	ck_assert_uint_eq(flow_output(&f), port_a);
	ovsdp_flow_clear(&f);
	/* modify to drop (no actions) */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_MODIFY, mac_a, 0, NULL, NULL, &err), 0);
	ck_assert_int_eq(get_flow(mac_a, NULL, &f, &err), 0);
	ck_assert(f.has_actions);
	ck_assert_uint_eq(f.actions_len, 0);
	ovsdp_flow_clear(&f);
	/* create-or-modify creates */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE | OVSDP_FLOW_PUT_MODIFY, mac_b, port_c,
				  NULL, NULL, &err), 0);
	ck_assert_int_eq(get_flow(mac_b, NULL, &f, &err), 0);
	ovsdp_flow_clear(&f);

	/* bad combinations never reach the kernel */
	ck_assert_int_eq(put_flow(0, mac_a, port_a, NULL, NULL, &err), -EINVAL);
	g_clear_error(&err);
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE | OVSDP_FLOW_PUT_ZERO_STATS, mac_a, port_a,
				  NULL, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "adding flow (32-byte key): zeroing statistics needs "
			 "modify without create: Invalid argument");
	ck_assert_int_eq(ovsdp_flow_put(dp, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_flow_get(dp, NULL, 0, NULL, &f, NULL), -EINVAL);
}
END_TEST

START_TEST(kernel_rejects_bad_key)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT;
	struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };
	g_autoptr(GError) err = NULL;

	/* IPv4 ethertype with no ipv4() key: the kernel says EINVAL. */
	ovsdp_buf_put_u32(&key, OVS_KEY_ATTR_IN_PORT, port_a);
	ovsdp_buf_put_u16(&key, OVS_KEY_ATTR_ETHERTYPE, htons(0x0800));
	put.key = key.data;
	put.key_len = key.len;
	ck_assert_int_eq(ovsdp_flow_put(dp, &put, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "adding flow (16-byte key): Invalid argument");
	ovsdp_buf_clear(&key);
}
END_TEST

static void
send_tagged(int fd, uint32_t tag)
{
	uint8_t frame[64];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, tag, 46);

	knet_send(fd, frame, len);
}

START_TEST(stats_from_real_frames)
{
	struct ovsdp_flow f;
	struct ovsdp_flow_stats st;
	struct ovsdp_dp_info info;
	struct ovsdp_buf key = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	uint8_t buf[256];
	uint64_t t0, t1;
	int in, out;

	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, mac_a, port_c, NULL, NULL, &err), 0);
	in = knet_raw_open("vB");
	out = knet_raw_open("vD");
	t0 = ovsdp_flow_now_ms();
	for (uint32_t i = 0; i < 3; i++) {
		send_tagged(in, 700 + i);
		/* The flow forwards it: vD sees the very frame. */
		ck_assert_int_eq(knet_recv_tag(out, 700 + i, buf, sizeof buf, 3000), 60);
		ck_assert_int_eq(memcmp(buf, mac_b, 6), 0);
	}
	t1 = ovsdp_flow_now_ms();
	ck_assert_int_eq(get_flow(mac_a, NULL, &f, &err), 0);
	ck_assert_uint_eq(f.stats.n_packets, 3);
	ck_assert_uint_eq(f.stats.n_bytes, 180);
	/* The kernel keeps 'used' in jiffies and converts it against the
	 * monotonic clock, so it may read up to one jiffy (10 ms at HZ=100)
	 * off either way. */
	ck_assert_uint_ge(f.stats.used_ms + 10, t0);
	ck_assert_uint_le(f.stats.used_ms, t1 + 10);
	ck_assert_uint_eq(f.stats.tcp_flags, 0);
	ovsdp_flow_clear(&f);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	ck_assert_uint_eq(info.stats.n_hit, 3);
	ck_assert_uint_eq(info.stats.n_flows, 1);
	ck_assert_uint_eq(info.stats.n_masks, 1);

	/* Clearing returns the old counts and zeroes them. */
	knet_key(&key, port_a, mac_a, mac_b);
	ck_assert_int_eq(ovsdp_flow_clear_stats(dp, key.data, key.len, NULL, &st, &err), 0);
	ck_assert_uint_eq(st.n_packets, 3);
	ck_assert_int_eq(get_flow(mac_a, NULL, &f, &err), 0);
	ck_assert_uint_eq(f.stats.n_packets, 0);
	ck_assert_uint_eq(f.stats.n_bytes, 0);
	ck_assert_uint_eq(f.stats.used_ms, 0);
	ovsdp_flow_clear(&f);

	/* modify with zero-stats also clears, after two more frames */
	send_tagged(in, 800);
	send_tagged(in, 801);
	ck_assert_int_eq(knet_recv_tag(out, 801, buf, sizeof buf, 3000), 60);
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_MODIFY | OVSDP_FLOW_PUT_ZERO_STATS, mac_a, port_c,
				  NULL, &st, &err), 0);
	ck_assert_uint_eq(st.n_packets, 2);
	send_tagged(in, 802);
	ck_assert_int_eq(knet_recv_tag(out, 802, buf, sizeof buf, 3000), 60);

	/* delete reports the final counts */
	ck_assert_int_eq(ovsdp_flow_del(dp, key.data, key.len, NULL, &st, &err), 0);
	ck_assert_uint_eq(st.n_packets, 1);
	ck_assert_uint_eq(st.n_bytes, 60);
	ck_assert_int_eq(ovsdp_flow_del(dp, key.data, key.len, NULL, NULL, &err), -ENOENT);
	ck_assert_str_eq(err->message, "deleting flow (32-byte key): No such file or directory");
	ovsdp_buf_clear(&key);
	close(in);
	close(out);
}
END_TEST

/* A TCP segment from A to B with the given flags. */
static size_t
tcp_frame(uint8_t *f, uint8_t flags)
{
	static const uint8_t ip[20] = { 0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0,
					10, 0, 0, 1, 10, 0, 0, 2 };
	uint32_t sum = 0;

	memset(f, 0, 54);
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08;
	memcpy(f + 14, ip, 20);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(f[14 + i] << 8 | f[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
	f[34] = 0x30; f[35] = 0x39;             /* 12345 -> 80 */
	f[37] = 80;
	f[46] = 0x50;
	f[47] = flags;
	f[48] = 0x20;
	return 54;
}

START_TEST(tcp_flags_accumulate)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovs_key_ipv4 ip = { .ipv4_src = htonl(0x0a000001), .ipv4_dst = htonl(0x0a000002),
				   .ipv4_proto = 6, .ipv4_ttl = 64 };
	struct ovs_key_ipv4 ipm = { .ipv4_proto = 0xff, .ipv4_frag = 0xff };
	struct ovs_key_tcp tcp = { .tcp_src = htons(12345), .tcp_dst = htons(80) };
	struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };
	struct ovsdp_flow f;
	g_autoptr(GError) err = NULL;
	uint8_t frame[64];
	struct ovs_key_ethernet eth, ethm;
	int in;

	memcpy(eth.eth_src, mac_a, 6);
	memcpy(eth.eth_dst, mac_b, 6);
	memset(&ethm, 0, sizeof ethm);
	ovsdp_buf_put_u32(&key, OVS_KEY_ATTR_IN_PORT, port_a);
	ovsdp_buf_put_attr(&key, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
	ovsdp_buf_put_u16(&key, OVS_KEY_ATTR_ETHERTYPE, htons(0x0800));
	ovsdp_buf_put_attr(&key, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
	ovsdp_buf_put_attr(&key, OVS_KEY_ATTR_TCP, &tcp, sizeof tcp);
	/* The kernel expects tcp_flags in every TCP key. */
	ovsdp_buf_put_u16(&key, OVS_KEY_ATTR_TCP_FLAGS, 0);
	ovsdp_buf_put_u32(&mask, OVS_KEY_ATTR_IN_PORT, UINT32_MAX);
	ovsdp_buf_put_attr(&mask, OVS_KEY_ATTR_ETHERNET, &ethm, sizeof ethm);
	ovsdp_buf_put_u16(&mask, OVS_KEY_ATTR_ETHERTYPE, 0xffff);
	ovsdp_buf_put_attr(&mask, OVS_KEY_ATTR_IPV4, &ipm, sizeof ipm);
	/* Ports wildcarded: a TCP mask of zeros would be "unexpected". */
	output_action(&acts, port_c);
	knet_flow_put_set(&put, &key, &mask, &acts);
	ck_assert_msg(ovsdp_flow_put(dp, &put, NULL, &err) == 0, "%s", err ? err->message : "");

	in = knet_raw_open("vB");
	knet_send(in, frame, tcp_frame(frame, 0x02));           /* SYN */
	ck_assert_int_eq(ovsdp_flow_get(dp, key.data, key.len, NULL, &f, &err), 0);
	ck_assert_uint_eq(f.stats.n_packets, 1);
	ck_assert_uint_eq(f.stats.tcp_flags, 0x02);
	ovsdp_flow_clear(&f);
	knet_send(in, frame, tcp_frame(frame, 0x11));           /* FIN|ACK */
	ck_assert_int_eq(ovsdp_flow_get(dp, key.data, key.len, NULL, &f, &err), 0);
	ck_assert_uint_eq(f.stats.n_packets, 2);
	ck_assert_uint_eq(f.stats.tcp_flags, 0x13);
	ovsdp_flow_clear(&f);
	close(in);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&acts);
}
END_TEST

START_TEST(ufid_identifies)
{
	struct ovsdp_ufid u = { { 0x12345678, 0x12345678, 0x9abcdef0, 0x12345678 } }, back;
	char text[OVSDP_UFID_STRLEN];
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *df;
	struct ovsdp_flow f;
	g_autoptr(GError) err = NULL;

	ovsdp_ufid_format(&u, text);
	ck_assert_str_eq(text, "12345678-1234-5678-9abc-def012345678");
	ck_assert_int_eq(ovsdp_ufid_parse("ufid:12345678-1234-5678-9abc-def012345678", &back), 0);
	ck_assert_int_eq(memcmp(&u, &back, sizeof u), 0);
	ck_assert_int_eq(ovsdp_ufid_parse("123", &back), -EINVAL);
	ck_assert_int_eq(ovsdp_ufid_parse("12345678-1234-5678-9abc-def01234567g", &back), -EINVAL);

	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, mac_a, port_c, &u, NULL, &err), 0);
	ck_assert_int_eq(get_flow(NULL, &u, &f, &err), 0);
	ck_assert(f.has_ufid);
	ck_assert_int_eq(memcmp(&f.ufid, &u, sizeof u), 0);
	knet_check_key(f.key, f.key_len, port_a, mac_a, mac_b, KNET_ETHERTYPE);
	ck_assert_uint_eq(flow_output(&f), port_c);
	ovsdp_flow_clear(&f);

	/* The same ufid again is a duplicate even with another key. */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, mac_b, port_c, &u, NULL, &err), -EEXIST);
	ck_assert_str_eq(err->message,
			 "adding flow ufid:12345678-1234-5678-9abc-def012345678: File exists");
	g_clear_error(&err);

	/* A terse dump leaves key, mask and actions out. */
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, OVSDP_FLOW_DUMP_TERSE, &d, &err), 0);
	ck_assert_int_eq(ovsdp_flow_dump_next(d, &df, &err), 1);
	ck_assert(df->has_ufid && !df->has_key && !df->has_actions);
	ck_assert_ptr_null(df->mask);
	ck_assert_int_eq(memcmp(&df->ufid, &u, sizeof u), 0);
	ck_assert_int_eq(ovsdp_flow_dump_next(d, &df, &err), 0);
	ovsdp_flow_dump_free(d);

	ck_assert_int_eq(ovsdp_flow_del(dp, NULL, 0, &u, NULL, &err), 0);
	ck_assert_int_eq(get_flow(NULL, &u, &f, &err), -ENOENT);
	ck_assert_str_eq(err->message,
			 "reading flow ufid:12345678-1234-5678-9abc-def012345678: "
			 "No such file or directory");
}
END_TEST

static int
dump_count(struct ovsdp_flow_dump *d, GHashTable *seen, int stop_after)
{
	const struct ovsdp_flow *f;
	g_autoptr(GError) err = NULL;
	int n = 0, r;

	while (n != stop_after && (r = ovsdp_flow_dump_next(d, &f, &err)) == 1) {
		const struct ovs_key_ethernet *eth;
		size_t len = 0;

		eth = knet_attr_find(f->key, f->key_len, OVS_KEY_ATTR_ETHERNET, &len);
		ck_assert_ptr_nonnull(eth);
		g_hash_table_add(seen, GUINT_TO_POINTER(eth->eth_src[4] << 8 | eth->eth_src[5]));
		n++;
	}
	if (n != stop_after)
		ck_assert_msg(r == 0, "dump: %s", err ? err->message : "?");
	return n;
}

START_TEST(dump_restart_flush)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
	struct ovsdp_flow_dump *d = NULL;
	struct ovsdp_flow f;
	const struct ovsdp_flow *df;
	g_autoptr(GError) err = NULL;
	const int n_flows = 300;

	for (int i = 0; i < n_flows; i++) {
		uint8_t src[6] = { 0x02, 0, 0, 1, (uint8_t)(i >> 8), (uint8_t)i };

		ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, src, port_c, NULL, NULL, &err), 0);
	}
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, &err), 0);
	/* Stop part-way; the datapath handle still answers meanwhile. */
	ck_assert_int_eq(dump_count(d, seen, 10), 10);
	ck_assert_int_eq(get_flow((const uint8_t[6]){ 0x02, 0, 0, 1, 0, 5 }, NULL, &f, &err), 0);
	ovsdp_flow_clear(&f);
	/* Restart: every flow once. */
	g_hash_table_remove_all(seen);
	ck_assert_int_eq(ovsdp_flow_dump_restart(d, &err), 0);
	ck_assert_int_eq(dump_count(d, seen, -1), n_flows);
	ck_assert_uint_eq(g_hash_table_size(seen), (guint)n_flows);
	ck_assert_int_eq(ovsdp_flow_dump_next(d, &df, &err), 0);
	/* And again after the end. */
	g_hash_table_remove_all(seen);
	ck_assert_int_eq(ovsdp_flow_dump_restart(d, &err), 0);
	ck_assert_int_eq(dump_count(d, seen, -1), n_flows);
	ovsdp_flow_dump_free(d);

	ck_assert_int_eq(ovsdp_flow_flush(dp, &err), 0);
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, &err), 0);
	ck_assert_int_eq(ovsdp_flow_dump_next(d, &df, &err), 0);
	ovsdp_flow_dump_free(d);
	/* Abandoning a dump mid-way is allowed too. */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, mac_a, port_c, NULL, NULL, &err), 0);
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, &err), 0);
	ovsdp_flow_dump_free(d);
}
END_TEST

START_TEST(dump_of_deleted_datapath_fails)
{
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *df;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_dp_del(dp, &err), 0);
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, &err), 0);
	ck_assert_int_eq(ovsdp_flow_dump_next(d, &df, &err), -ENODEV);
	ck_assert_str_eq(err->message, "dumping the flows of datapath ovsdpt0: No such device");
	ovsdp_flow_dump_free(d);
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_flow_flush(dp, &err), -ENODEV);
}
END_TEST

START_TEST(ovs_dpctl_agrees)
{
	g_autofree char *out = NULL;
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *df;
	g_autoptr(GError) err = NULL;
	int n = 0;

	if (!ktest_have_ovs_dpctl()) {
		ck_assert_str_ne(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH") ?: "", "1");
		return;
	}
	ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
	/* Ours, as ovs-dpctl prints it. */
	ck_assert_int_eq(put_flow(OVSDP_FLOW_PUT_CREATE, mac_a, port_c, NULL, NULL, &err), 0);
	out = ktest_sh_output("ovs-dpctl dump-flows ovsdpt0 2>&1");
	ck_assert_str_eq(out, "in_port(1),eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b),"
			 "eth_type(0x88b5), packets:0, bytes:0, used:never, actions:2\n");
	ck_assert_int_eq(ovsdp_flow_flush(dp, &err), 0);

	/* ovs-dpctl's, as we read it. */
	ck_assert_int_eq(ktest_sh("ovs-dpctl add-flow ovsdpt0 'ufid:00000001-0002-0003-0004-"
				  "000500000006,in_port(2),eth(src=02:00:00:00:00:0b,"
				  "dst=02:00:00:00:00:0a),eth_type(0x88b5)' 1 2>&1"), 0);
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, &err), 0);
	while (ovsdp_flow_dump_next(d, &df, &err) == 1) {
		struct ovsdp_ufid want = { { 1, 0x00020003, 0x00040005, 6 } };

		n++;
		ck_assert(df->has_ufid);
		ck_assert_int_eq(memcmp(&df->ufid, &want, sizeof want), 0);
		knet_check_key(df->key, df->key_len, port_c, mac_b, mac_a, KNET_ETHERTYPE);
		ck_assert_uint_eq(flow_output(df), port_a);
	}
	ck_assert_int_eq(n, 1);
	ovsdp_flow_dump_free(d);
}
END_TEST


static unsigned int
count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define CLI_KEY "in_port(1),eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b),eth_type(0x88b5)"
/* The kernel wants tcp_flags in every TCP key, even wildcarded. */
#define CLI_TCP_KEY "in_port(1),eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b)," \
	"eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no)," \
	"tcp(src=12345,dst=80),tcp_flags(0/0)"
#define CLI_UFID "00000001-0002-0003-0004-000500000006"

START_TEST(cli_flow_commands)
{
	g_autofree char *out = NULL, *ours = NULL, *theirs = NULL, *a = NULL, *b = NULL;
	uint8_t frame[64], buf[256];
	int st, in, out_fd;

	ck_assert_int_eq(port_a, 1);
	ck_assert_int_eq(port_c, 2);
	knet_cli_expect(0, "flow add ovsdpt0 '" CLI_KEY "' 2");
	out = knet_cli_run(&st, "flow add ovsdpt0 '" CLI_KEY "' 2");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: adding flow (32-byte key): File exists\n");
	g_free(out);
	knet_cli_expect(0, "flow add ovsdpt0 '" CLI_TCP_KEY "' 2");
	out = knet_cli_run(&st, "flow add ovsdpt0 'in_port(1),bogus(3)' 2");
	ck_assert_int_eq(st, 2);
	ck_assert_msg(g_str_has_prefix(out, "ovsdp: flow key: "), "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "flow add ovsdpt0 '" CLI_KEY "' 'output(9'");
	ck_assert_int_eq(st, 2);
	ck_assert_msg(g_str_has_prefix(out, "ovsdp: flow actions: "), "%s", out);

	/* Real frames through both flows. */
	in = knet_raw_open("vB");
	out_fd = knet_raw_open("vD");
	for (uint32_t i = 0; i < 3; i++) {
		send_tagged(in, 1800 + i);
		ck_assert_int_eq(knet_recv_tag(out_fd, 1800 + i, buf, sizeof buf, 3000), 60);
	}
	knet_send(in, frame, tcp_frame(frame, 0x02));
	close(in);
	close(out_fd);

	g_free(out);
	out = knet_cli_run(&st, "flow get ovsdpt0 '" CLI_KEY "'");
	ck_assert_int_eq(st, 0);
	ck_assert_msg(g_regex_match_simple("^" "in_port\\(1\\),eth\\(src=02:00:00:00:00:0a,"
					   "dst=02:00:00:00:00:0b\\),eth_type\\(0x88b5\\), "
					   "packets:3, bytes:180, used:[0-9]+\\.[0-9]{3}s, "
					   "actions:2\n$", out, 0, 0), "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "flow get ovsdpt0 '" CLI_TCP_KEY "'");
	ck_assert_msg(strstr(out, ", packets:1, bytes:54, used:") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "s, flags:S, actions:2\n") != NULL, "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "flow dump --json ovsdpt0");
	ck_assert_msg(strstr(out, "\"packets\":3,\"bytes\":180") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "\"tcp_flags\":\"S\"") != NULL, "%s", out);

	if (ktest_have_ovs_dpctl()) {
		ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
		/* One of theirs among ours: both tools print the same lines. */
		ck_assert_int_eq(ktest_sh("ovs-dpctl add-flow ovsdpt0 'ufid:" CLI_UFID ","
					  "in_port(2),eth(src=02:00:00:00:00:0b,dst=02:00:00:00:00:0a),"
					  "eth_type(0x88b5)' 'push_vlan(vid=10,pcp=3),1' 2>/dev/null"), 0);
		ours = knet_cli_run(&st, "flow dump ovsdpt0");
		ck_assert_int_eq(st, 0);
		theirs = ktest_sh_output("ovs-dpctl dump-flows ovsdpt0");
		a = knet_normalise_flows(ours);
		b = knet_normalise_flows(theirs);
		ck_assert_str_eq(a, b);
		/* ours: the 0x88b5 and TCP flows; theirs: the vlan one */
		ck_assert_uint_eq(count_lines(a), 3);
		g_free(out);
		out = knet_cli_run(&st, "flow get ovsdpt0 --ufid " CLI_UFID);
		ck_assert_str_eq(out, "ufid:" CLI_UFID ", in_port(2),eth(src=02:00:00:00:00:0b,"
				 "dst=02:00:00:00:00:0a),eth_type(0x88b5), packets:0, bytes:0, "
				 "used:never, actions:push_vlan(vid=10,pcp=3),1\n");
		g_free(out);
		out = knet_cli_run(&st, "flow del ovsdpt0 --ufid " CLI_UFID);
		ck_assert_int_eq(st, 0);
	}

	/* mod --clear zeroes the counters; mod changes the actions. */
	g_free(out);
	knet_cli_expect(0, "flow mod --clear ovsdpt0 '" CLI_KEY "' 2");
	knet_cli_expect(0, "flow mod ovsdpt0 '" CLI_KEY "' drop");
	out = knet_cli_run(&st, "flow get ovsdpt0 '" CLI_KEY "'");
	ck_assert_str_eq(out, CLI_KEY ", packets:0, bytes:0, used:never, actions:drop\n");
	g_free(out);
	out = knet_cli_run(&st, "flow mod ovsdpt0 'in_port(2),eth(),eth_type(0x88b5)' 1");
	ck_assert_int_eq(st, 1);
	ck_assert_msg(g_str_has_prefix(out, "ovsdp: modifying flow ("), "%s", out);
	ck_assert_msg(g_str_has_suffix(out, "-byte key): No such file or directory\n"), "%s", out);
	g_free(out);
	knet_cli_expect(0, "flow mod --may-create ovsdpt0 "
			"'in_port(2),eth(src=02:00:00:00:00:0c),eth_type(0x88b5)' 1");
	knet_cli_expect(0, "flow del ovsdpt0 '" CLI_KEY "'");
	out = knet_cli_run(&st, "flow get ovsdpt0 '" CLI_KEY "'");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: reading flow (32-byte key): No such file or directory\n");
	g_free(out);
	knet_cli_expect(2, "flow del ovsdpt0");
	knet_cli_expect(0, "flow flush ovsdpt0");
	out = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* add-flows, mod-flows and del-flows: ovs-dpctl's file of flows, each
 * failing line named FILE:LINE, the others still done. */
START_TEST(cli_flows_from_file)
{
	g_autofree char *dir = g_dir_make_tmp("flows-XXXXXX", NULL);
	g_autofree char *f = g_build_filename(dir, "flows", NULL), *out = NULL, *want = NULL;
	g_autofree char *missing = g_build_filename(dir, "none", NULL);
	int st;

	ck_assert(dir != NULL);
	ck_assert(g_file_set_contents(f,
		"# two flows and a bad one\n"
		CLI_KEY "  2\n"
		"\n"
		"in_port(1),bogus(3) 2\n"
		"ufid:" CLI_UFID ",in_port(2),eth(src=02:00:00:00:00:0b,dst=02:00:00:00:00:0a),"
		"eth_type(0x88b5) push_vlan(vid=10,pcp=3),1   # theirs\n", -1, NULL));
	out = knet_cli_run(&st, "flow add-flows ovsdpt0 %s", f);
	ck_assert_int_eq(st, 1);
	want = g_strdup_printf("ovsdp: %s:4: flow key: ", f);
	ck_assert_msg(g_str_has_prefix(out, want), "%s", out);
	ck_assert_msg(g_str_has_suffix(out, "\novsdp: flow add-flows: 1 of 3 lines failed\n"), "%s",
		      out);
	g_free(out);
	out = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_int_eq(st, 0);
	ck_assert_uint_eq(count_lines(out), 2);
	g_free(out);
	out = knet_cli_run(&st, "flow get ovsdpt0 --ufid " CLI_UFID);
	ck_assert_msg(g_str_has_suffix(out, "actions:push_vlan(vid=10,pcp=3),1\n"), "%s", out);
	g_free(out);

	/* Standard input; a flow that exists fails alone. */
	ck_assert(g_file_set_contents(f, CLI_TCP_KEY " 2\n" CLI_KEY " 2\n", -1, NULL));
	out = knet_cli_run(&st, "flow add-flows ovsdpt0 - <%s", f);
	ck_assert_int_eq(st, 1);
	ck_assert_msg(strstr(out, "ovsdp: (stdin):2: adding flow (32-byte key): File exists\n"),
		      "%s", out);
	g_free(out);
	knet_cli_expect(0, "flow get ovsdpt0 '" CLI_TCP_KEY "'");

	ck_assert(g_file_set_contents(f, CLI_KEY " drop\n", -1, NULL));
	knet_cli_expect(0, "flow mod-flows ovsdpt0 %s", f);
	out = knet_cli_run(&st, "flow get ovsdpt0 '" CLI_KEY "'");
	ck_assert_str_eq(out, CLI_KEY ", packets:0, bytes:0, used:never, actions:drop\n");
	g_free(out);

	/* del-flows takes keys or ufids, nothing after them. */
	ck_assert(g_file_set_contents(f, CLI_KEY " 2\n", -1, NULL));
	out = knet_cli_run(&st, "flow del-flows ovsdpt0 %s", f);
	ck_assert_int_eq(st, 1);
	ck_assert_msg(strstr(out, ":1: del-flows takes a key a line, not '2' after it\n"), "%s", out);
	g_free(out);
	ck_assert(g_file_set_contents(f, CLI_KEY "\nufid:" CLI_UFID "\n" CLI_TCP_KEY "\n", -1, NULL));
	knet_cli_expect(0, "flow del-flows ovsdpt0 %s", f);
	out = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_str_eq(out, "");
	g_free(out);

	/* The file's own errors, and usage. */
	out = knet_cli_run(&st, "flow add-flows ovsdpt0 %s", missing);
	ck_assert_int_eq(st, 1);
	ck_assert_msg(strstr(out, missing) != NULL, "%s", out);
	g_free(out);
	knet_cli_expect(2, "flow add-flows ovsdpt0");
	/* Not a regular file: refused at once, never waited on or read
	 * without end (a FIFO with no writer, a device, a directory); a
	 * standard input without end stops at its limit. */
	unlink(f);
	ck_assert_int_eq(mkfifo(f, 0600), 0);
	for (unsigned int i = 0; i < 3; i++) {
		const char *what = i == 0 ? f : i == 1 ? "/dev/zero" : dir;

		out = knet_cli_run(&st, "flow add-flows ovsdpt0 %s", what);
		ck_assert_int_eq(st, 1);
		g_free(want);
		want = g_strdup_printf("ovsdp: %s: not a regular file\n", what);
		ck_assert_str_eq(out, want);
		g_free(out);
	}
	out = knet_cli_run(&st, "flow add-flows ovsdpt0 - </dev/zero");
	ck_assert_int_eq(st, 1);
	ck_assert_str_eq(out, "ovsdp: (stdin): more than 64 MiB of flows: split it\n");
	unlink(f);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("flow");

	ktest_require_datapath();
	tsuite_case(s, "flow", setup, teardown, 120,
		    TSUITE_TESTS(put_get_semantics, kernel_rejects_bad_key, stats_from_real_frames,
				 tcp_flags_accumulate, ufid_identifies, dump_restart_flush,
				 dump_of_deleted_datapath_fails, ovs_dpctl_agrees));
	/* The CLI cases spawn dozens of processes: slow under TCG. */
	tsuite_case(s, "cli", setup, teardown, 300,
		    TSUITE_TESTS(cli_flow_commands, cli_flows_from_file));
	return ktest_run_suite(s);
}
