/* make-seeds.c: writes the fuzzers' seed corpora (tests/fuzz/corpus/) from
 * canonical flow text, so the seeds are valid messages the codecs and the
 * upcall parser accept.  Run by hand after a format change:
 *   build-fuzz/tests/fuzz/make-seeds tests/fuzz/corpus [tests/fuzz/regressions] */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "nl/ovs-compat.h"
#include "ovsdp/odp.h"

static const char *const keys[] = {
	"in_port(1),eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x88b5)",
	"recirc_id(0),dp_hash(0x1234),skb_priority(0x1),skb_mark(0x2),in_port(2),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=80,dst=1024),tcp_flags(syn)",
	"in_port(3),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=53,dst=5353)",
	"in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=02:00:00:00:00:01,tha=00:00:00:00:00:00))",
	"in_port(1),eth(src=02:00:00:00:00:01/ff:ff:ff:ff:ff:00,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,proto=1,frag=no),icmp(type=8,code=0)",
	"ct_state(+new+trk),ct_zone(5),ct_mark(0x1),in_port(1),eth_type(0x0800),ipv4(proto=132,frag=no),sctp(src=1,dst=2)",
	"tunnel(tun_id=0x1,src=1.1.1.1,dst=2.2.2.2,ttl=64,tp_dst=4789,flags(+key)),in_port(4),eth(),eth_type(0x0800),ipv4(frag=no)",
	"tunnel(dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1,hwid=0x3),vxlan(gbp(id=1),key2(01 02)),key16(),flags(-df)),in_port(1),eth(),eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255,c1=0x1/0xff),key45(01 02/ff 00)",
};

static const char *const actions[] = {
	"2",
	"drop",
	"userspace(pid=4294967295,userdata(01020304))",
	"set(ipv4(src=1.2.3.4,dst=5.6.7.8,tos=0,ttl=63,frag=no)),1",
	"push_vlan(vid=10,pcp=0),2,pop_vlan,3",
	"recirc(0x1),hash(l4(0))",
	"sample(sample=50.0%,actions(1)),clone(2),trunc(100),meter(0)",
	"ct(commit,zone=1),recirc(0x2)",
	"dec_ttl(le_1(psample(group=1,cookie=0x1234),drop)),add_mpls(label=1,tc=0,ttl=64,bos=1,eth_type=0x8847),2",
	"push_nsh(mdtype=2,np=1,spi=0x5,si=3,md2=0x10203),pop_nsh(),action99(01 02),action30,drop(3)",
};

static const char *const configs[] = {
	"[dispatch]\nmode = auto\nprefer = per-cpu;per-vport;legacy\n\n[handlers]\ncount = auto\n",
	("[dispatch]\nmode = per-vport\nplugin-path = /opt/ovsdp\n[handlers]\ncount = 4\n"
	 "[plugin:per-vport]\nepoll-exclusive = on\n"),
	"[plugin:my-dispatcher]\npath = /opt/vendor/lib/my-dispatcher.so\nfoo = bar\n",
	"# only a comment\n",
};

/* ovsdpd.conf: the shipped defaults, each policy, lists, and the bad inputs
 * the reader refuses (a NUL byte, invalid UTF-8, a ';' comment, a key
 * moved to plugins.conf), each with its length (NULs inside). */
static const struct {
	const char *text;
	size_t len;
} daemon_confs[] = {
#define SEED(s) { s, sizeof s - 1 }
	SEED("[datapath]\nname = ovsdp0\ncreate = yes\ndelete-on-exit = no\n"
	     "ports = eth1;eth2,veth0\ninternal-ports = br-int0\n\n[policy]\ntype = learning\n"
	     "idle-timeout = 10\nmax-macs = 4096\nmac-age = 300\n\n[daemon]\n"
	     "control-socket = /run/ovsdp/ovsdpd.sock\nplugins-conf = /etc/ovsdp/plugins.conf\n"),
	SEED("[policy]\ntype = slowpath\noutput = eth2\n"),
	SEED("# comment\n[policy]\ntype = drop\n[datapath]\ncreate = no\nname = \"dp 1\"\n"),
	SEED("[daemon]\n\0control-socket = /tmp/x.sock\n"),
	SEED("[datapath]\nname = \xff\xfe\n"),
	SEED("; semicolon comment\n[daemon]\nhandlers = 4\ndispatch = per-cpu\n"),
	SEED("[datapath]\nports = a;a\n[policy]\nmax-macs = 0\n"),
#undef SEED
};

/* Control requests as a client sends them, newline included, and the
 * framing's refusals (NUL, carriage return, a second line, no newline). */
static const char *const control_requests[] = {
	"text status\n",
	"json status\n",
	"text dispatch show\n",
	"json dispatch set per-cpu\n",
	"text handlers set 4\n",
	"text stats\n",
	"json reload\n",
	"text flows\n",
	"json macs\n",
	"text metrics\n",
	"text status\r\n",
	"text status\ntext reload\n",
	"xml status\n",
	"text  \t dispatch\tshow \n",
	"text a b c d e f g h i\n",
	"text status",
};

static void
write_file(const char *dir, const char *sub, unsigned int i, const void *p, size_t len)
{
	g_autofree char *d = g_build_filename(dir, sub, NULL);
	g_autofree char *name = g_strdup_printf("%s/seed-%02u", d, i);
	g_autoptr(GError) err = NULL;

	g_mkdir_with_parents(d, 0755);
	if (!g_file_set_contents(name, p, (gssize)len, &err)) {
		fprintf(stderr, "make-seeds: %s\n", err->message);
		exit(1);
	}
}

/* A MISS upcall as the kernel sends it: nlmsghdr, genlmsghdr, ovs_header,
 * OVS_PACKET_ATTR_PACKET then OVS_PACKET_ATTR_KEY. */
/* Seed i of a target that reads a selector byte first: 'sel', then 'a',
 * then 'b' ('blen' 0: none). */
static void
write_selected(const char *dir, const char *sub, unsigned int i, uint8_t sel, const void *a,
	       size_t alen, const void *b, size_t blen)
{
	struct ovsdp_buf s = OVSDP_BUF_INIT;

	ovsdp_buf_put(&s, &sel, 1);
	ovsdp_buf_put(&s, a, alen);
	if (blen)
		ovsdp_buf_put(&s, b, blen);
	write_file(dir, sub, i, s.data, s.len);
	ovsdp_buf_clear(&s);
}

static void
write_upcall(const char *dir, unsigned int i, const struct ovsdp_buf *key, uint8_t cmd)
{
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	struct nlmsghdr nlh = { .nlmsg_type = 0x20 };
	struct genlmsghdr g = { .cmd = cmd, .version = OVS_PACKET_VERSION };
	struct ovs_header oh = { .dp_ifindex = 7 };
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5 };
	uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t k;

	ovsdp_buf_put(&m, &nlh, sizeof nlh);
	ovsdp_buf_put(&m, &g, sizeof g);
	ovsdp_buf_put(&m, &oh, sizeof oh);
	ovsdp_buf_put_attr(&m, OVS_PACKET_ATTR_PACKET, frame, sizeof frame);
	k = ovsdp_buf_nest_start(&m, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put(&m, key->data, key->len);
	ovsdp_buf_nest_end(&m, k);
	if (cmd == OVS_PACKET_CMD_ACTION)
		ovsdp_buf_put_attr(&m, OVS_PACKET_ATTR_USERDATA, cookie, sizeof cookie);
	ovsdp_buf_put_u16(&m, OVS_PACKET_ATTR_MRU, 1500);
	ovsdp_buf_put_u64(&m, OVS_PACKET_ATTR_HASH, 0x123456789ULL);
	((struct nlmsghdr *)m.data)->nlmsg_len = (uint32_t)m.len;
	write_file(dir, "upcall", i, m.data, m.len);
	ovsdp_buf_clear(&m);
}


/* ---- replies as the kernel sends them ----------------------------------- */

#define DP_FAMILY 0x20          /* the ids tests/fuzz/fuzz-monitor.c resolves */
#define VPORT_FAMILY 0x21
#define FLOW_FAMILY 0x22
#define SEQ 1

/* Begin a message: nlmsghdr, and for a family (type >= NLMSG_MIN_TYPE) the
 * genlmsghdr and ovs_header.  Returns its offset for msg_end(). */
static size_t
msg_begin(struct ovsdp_buf *b, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr nlh = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = SEQ };
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };
	struct ovs_header oh = { .dp_ifindex = 7 };
	size_t off = ovsdp_buf_put(b, &nlh, sizeof nlh);

	if (type >= NLMSG_MIN_TYPE) {
		ovsdp_buf_put(b, &g, sizeof g);
		ovsdp_buf_put(b, &oh, sizeof oh);
	}
	return off;
}

static void
msg_end(struct ovsdp_buf *b, size_t off)
{
	((struct nlmsghdr *)(b->data + off))->nlmsg_len = (uint32_t)(b->len - off);
	ovsdp_buf_put(b, NULL, NLMSG_ALIGN(b->len) - b->len);
}

/* An NLMSG_ERROR: capped (only the request's header echoed) or with the
 * whole request (a 24-byte ovs request) echoed, and the kernel's text. */
static void
put_ack(struct ovsdp_buf *b, int err, bool capped, uint32_t inner_len, const char *text)
{
	size_t off = msg_begin(b, NLMSG_ERROR, 0, 0);
	struct nlmsgerr e = { .error = err };

	e.msg.nlmsg_len = inner_len;
	e.msg.nlmsg_type = DP_FAMILY;
	e.msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e.msg.nlmsg_seq = SEQ;
	ovsdp_buf_put(b, &e, sizeof e);
	if (!capped)
		ovsdp_buf_put(b, NULL, 8);      /* genlmsghdr and ovs_header */
	if (text) {
		uint32_t at = 20;

		ovsdp_buf_put_attr(b, NLMSGERR_ATTR_MSG, text, strlen(text) + 1);
		ovsdp_buf_put_u32(b, NLMSGERR_ATTR_OFFS, at);
	}
	((struct nlmsghdr *)(b->data + off))->nlmsg_flags =
		(uint16_t)((capped ? NLM_F_CAPPED : 0) | (text ? NLM_F_ACK_TLVS : 0));
	msg_end(b, off);
}

static void
put_done(struct ovsdp_buf *b, int err)
{
	size_t off = msg_begin(b, NLMSG_DONE, NLM_F_MULTI, 0);

	ovsdp_buf_put(b, &err, sizeof err);
	msg_end(b, off);
}

static void
put_dp(struct ovsdp_buf *b, uint16_t type, uint16_t flags, uint8_t cmd, const char *name)
{
	size_t off = msg_begin(b, type, flags, cmd);
	struct ovs_dp_stats st = { 10, 20, 3, 4 };
	struct ovs_dp_megaflow_stats mf = { .n_mask_hit = 5, .n_masks = 2, .n_cache_hit = 1 };
	uint32_t pids[2] = { 100, 101 };

	ovsdp_buf_put_attr(b, OVS_DP_ATTR_NAME, name, strlen(name) + 1);
	ovsdp_buf_put_attr(b, OVS_DP_ATTR_STATS, &st, sizeof st);
	ovsdp_buf_put_attr(b, OVS_DP_ATTR_MEGAFLOW_STATS, &mf, sizeof mf);
	ovsdp_buf_put_u32(b, OVS_DP_ATTR_USER_FEATURES, 0x1b);
	ovsdp_buf_put_u32(b, OVS_DP_ATTR_MASKS_CACHE_SIZE, 256);
	ovsdp_buf_put_attr(b, OVS_DP_ATTR_PER_CPU_PIDS, pids, sizeof pids);
	msg_end(b, off);
}

static void
put_vport(struct ovsdp_buf *b, uint16_t type, uint16_t flags, uint8_t cmd, uint32_t port,
	  uint32_t vtype, const char *name)
{
	size_t off = msg_begin(b, type, flags, cmd), nest;
	struct ovs_vport_stats st = { 1, 2, 3, 4, 0, 0, 0, 0 };
	uint32_t pids[3] = { 200, 201, 202 };

	ovsdp_buf_put_u32(b, OVS_VPORT_ATTR_PORT_NO, port);
	ovsdp_buf_put_u32(b, OVS_VPORT_ATTR_TYPE, vtype);
	ovsdp_buf_put_attr(b, OVS_VPORT_ATTR_NAME, name, strlen(name) + 1);
	ovsdp_buf_put_u32(b, OVS_VPORT_ATTR_IFINDEX, 12);
	ovsdp_buf_put_u32(b, OVS_VPORT_ATTR_NETNSID, 0);
	ovsdp_buf_put_attr(b, OVS_VPORT_ATTR_STATS, &st, sizeof st);
	ovsdp_buf_put_attr(b, OVS_VPORT_ATTR_UPCALL_PID, pids, sizeof pids);
	if (vtype == OVS_VPORT_TYPE_VXLAN) {
		nest = ovsdp_buf_nest_start(b, OVS_VPORT_ATTR_OPTIONS);
		ovsdp_buf_put_u16(b, OVS_TUNNEL_ATTR_DST_PORT, 4789);
		ovsdp_buf_nest_end(b, nest);
	}
	nest = ovsdp_buf_nest_start(b, OVSDP_VPORT_ATTR_UPCALL_STATS);
	ovsdp_buf_put_u64(b, OVSDP_VPORT_UPCALL_ATTR_SUCCESS, 99);
	ovsdp_buf_put_u64(b, OVSDP_VPORT_UPCALL_ATTR_FAIL, 1);
	ovsdp_buf_nest_end(b, nest);
	msg_end(b, off);
}

static void
put_flow(struct ovsdp_buf *b, uint16_t flags, const struct ovsdp_buf *key,
	 const struct ovsdp_buf *mask, const struct ovsdp_buf *acts, bool terse)
{
	size_t off = msg_begin(b, FLOW_FAMILY, flags, OVS_FLOW_CMD_NEW);
	struct ovs_flow_stats st = { 7, 700 };
	uint8_t ufid[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	if (!terse) {
		ovsdp_buf_put_attr(b, OVS_FLOW_ATTR_KEY, key->data, key->len);
		ovsdp_buf_put_attr(b, OVS_FLOW_ATTR_MASK, mask->data, mask->len);
		ovsdp_buf_put_attr(b, OVS_FLOW_ATTR_ACTIONS, acts->data, acts->len);
	}
	ovsdp_buf_put_attr(b, OVS_FLOW_ATTR_UFID, ufid, sizeof ufid);
	ovsdp_buf_put_attr(b, OVS_FLOW_ATTR_STATS, &st, sizeof st);
	ovsdp_buf_put_u64(b, OVS_FLOW_ATTR_USED, 123456);
	ovsdp_buf_put_u8(b, OVS_FLOW_ATTR_TCP_FLAGS, 0x12);
	msg_end(b, off);
}

static void
write_buf(const char *dir, const char *sub, unsigned int i, struct ovsdp_buf *b)
{
	write_file(dir, sub, i, b->data, b->len);
	b->len = 0;
}

static int
write_replies(const char *dir)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT, key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT;
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	unsigned int n;

	/* datapath: a GET's reply and ack, a dump, a refusal with text. */
	put_dp(&b, DP_FAMILY, 0, OVS_DP_CMD_NEW, "dp0");
	put_ack(&b, 0, true, 16, NULL);
	write_buf(dir, "datapath", 0, &b);
	put_dp(&b, DP_FAMILY, NLM_F_MULTI, OVS_DP_CMD_NEW, "dp0");
	put_dp(&b, DP_FAMILY, NLM_F_MULTI, OVS_DP_CMD_NEW, "ovs-system");
	put_done(&b, 0);
	write_buf(dir, "datapath", 1, &b);
	put_ack(&b, -ENODEV, true, 16, "datapath dp9 does not exist");
	write_buf(dir, "datapath", 2, &b);

	/* vport: a netdev, a vxlan port with options, a dump. */
	put_vport(&b, VPORT_FAMILY, 0, OVS_VPORT_CMD_NEW, 1, OVS_VPORT_TYPE_NETDEV, "veth0");
	put_ack(&b, 0, true, 16, NULL);
	write_buf(dir, "vport", 0, &b);
	put_vport(&b, VPORT_FAMILY, 0, OVS_VPORT_CMD_NEW, 2, OVS_VPORT_TYPE_VXLAN, "vx0");
	put_ack(&b, 0, true, 16, NULL);
	write_buf(dir, "vport", 1, &b);
	put_vport(&b, VPORT_FAMILY, NLM_F_MULTI, OVS_VPORT_CMD_NEW, 0, OVS_VPORT_TYPE_INTERNAL,
		  "dp0");
	put_vport(&b, VPORT_FAMILY, NLM_F_MULTI, OVS_VPORT_CMD_NEW, 1, OVS_VPORT_TYPE_NETDEV,
		  "veth0");
	put_done(&b, 0);
	write_buf(dir, "vport", 2, &b);

	/* flow: a get's reply with key, mask and actions; a dump of two, one
	 * terse; a dump that failed part-way. */
	n = 0;
	for (unsigned int i = 0; i < 3; i++) {
		if (ovsdp_odp_key_from_string(keys[i], &key, &mask, &err) < 0 ||
		    ovsdp_odp_actions_from_string(actions[i + 3], &acts, &err) < 0) {
			fprintf(stderr, "make-seeds: %s\n", err->message);
			return 1;
		}
		put_flow(&b, 0, &key, &mask, &acts, false);
		put_ack(&b, 0, true, 16, NULL);
		write_buf(dir, "flow", n++, &b);
		put_flow(&b, NLM_F_MULTI, &key, &mask, &acts, false);
		put_flow(&b, NLM_F_MULTI, &key, &mask, &acts, true);
		put_done(&b, i == 2 ? -EMSGSIZE : 0);
		write_buf(dir, "flow", n++, &b);
		key.len = mask.len = acts.len = 0;
	}

	/* monitor: datapath and vport notifications in one datagram, and the
	 * deletions. */
	put_dp(&b, DP_FAMILY, 0, OVS_DP_CMD_NEW, "dp0");
	put_vport(&b, VPORT_FAMILY, 0, OVS_VPORT_CMD_NEW, 1, OVS_VPORT_TYPE_NETDEV, "veth0");
	put_vport(&b, VPORT_FAMILY, 0, OVS_VPORT_CMD_SET, 1, OVS_VPORT_TYPE_NETDEV, "veth0");
	write_buf(dir, "monitor", 0, &b);
	put_vport(&b, VPORT_FAMILY, 0, OVS_VPORT_CMD_DEL, 2, OVS_VPORT_TYPE_VXLAN, "vx0");
	put_dp(&b, DP_FAMILY, 0, OVS_DP_CMD_DEL, "dp0");
	write_buf(dir, "monitor", 1, &b);

	/* ext-ack: capped and uncapped refusals with text, a plain ack, a dump
	 * that failed, several acks in one datagram (a batch). */
	put_ack(&b, -EINVAL, true, 24, "Flow key attribute not present in new flow.");
	write_buf(dir, "ext-ack", 0, &b);
	put_ack(&b, -EEXIST, false, 24, "Flow already exists");
	write_buf(dir, "ext-ack", 1, &b);
	put_ack(&b, 0, true, 24, NULL);
	write_buf(dir, "ext-ack", 2, &b);
	put_done(&b, -ENOENT);
	write_buf(dir, "ext-ack", 3, &b);
	put_ack(&b, 0, true, 24, NULL);
	put_ack(&b, -EPERM, false, 24, NULL);
	put_ack(&b, -ENOSPC, true, 24, "no room");
	write_buf(dir, "ext-ack", 4, &b);

	ovsdp_buf_clear(&b);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&acts);
	return 0;
}

/* Crash reproducers, written once by hand into tests/fuzz/regressions/. */
static void
write_regressions(const char *dir)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autofree char *d = g_build_filename(dir, "ext-ack", NULL);
	g_autofree char *p1 = g_build_filename(d, "inner-nlmsg-len-0xfffffff0", NULL);
	g_autofree char *p2 = g_build_filename(d, "inner-nlmsg-len-0x7fffffff", NULL);

	g_mkdir_with_parents(d, 0755);
	/* An uncapped extended ack whose echoed request claims 0xFFFFFFF0
	 * bytes: read past the datagram (ASan SEGV in nla_ok). */
	put_ack(&b, -EINVAL, false, 0xFFFFFFF0u, "x");
	g_file_set_contents(p1, (const char *)b.data, (gssize)b.len, NULL);
	b.len = 0;
	/* ... 0x7FFFFFFF: the offset overflowed an int (UBSan). */
	put_ack(&b, -EINVAL, false, 0x7FFFFFFFu, "x");
	g_file_set_contents(p2, (const char *)b.data, (gssize)b.len, NULL);
	ovsdp_buf_clear(&b);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	unsigned int n = 0;

	for (unsigned int i = 0; i < G_N_ELEMENTS(keys); i++) {
		struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT;
		g_autoptr(GError) err = NULL;

		if (ovsdp_odp_key_from_string(keys[i], &key, &mask, &err) < 0) {
			fprintf(stderr, "make-seeds: %s: %s\n", keys[i], err->message);
			return 1;
		}
		write_selected(dir, "odp-attrs", n++, 0, key.data, key.len, NULL, 0);
		write_selected(dir, "odp-attrs", n++, 1, key.data, key.len, mask.data, mask.len);
		write_upcall(dir, i, &key, i % 2 ? OVS_PACKET_CMD_ACTION : OVS_PACKET_CMD_MISS);
		write_selected(dir, "odp-text", i, 0, keys[i], strlen(keys[i]), NULL, 0);
		ovsdp_buf_clear(&key);
		ovsdp_buf_clear(&mask);
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(actions); i++) {
		struct ovsdp_buf a = OVSDP_BUF_INIT;
		g_autoptr(GError) err = NULL;

		if (ovsdp_odp_actions_from_string(actions[i], &a, &err) < 0) {
			fprintf(stderr, "make-seeds: %s: %s\n", actions[i], err->message);
			return 1;
		}
		write_selected(dir, "odp-attrs", n++, 2, a.data, a.len, NULL, 0);
		write_selected(dir, "odp-text", 100 + i, 1, actions[i], strlen(actions[i]), NULL, 0);
		ovsdp_buf_clear(&a);
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(configs); i++)
		write_file(dir, "config", i, configs[i], strlen(configs[i]));
	for (unsigned int i = 0; i < G_N_ELEMENTS(daemon_confs); i++)
		write_file(dir, "daemon-conf", i, daemon_confs[i].text, daemon_confs[i].len);
	for (unsigned int i = 0; i < G_N_ELEMENTS(control_requests); i++)
		write_file(dir, "control", i, control_requests[i], strlen(control_requests[i]));
	/* The one request of the issue that ran something else than it said. */
	write_file(dir, "control", 99, "text status\0dispatch set legacy\n",
		   sizeof "text status\0dispatch set legacy\n" - 1);
	if (write_replies(dir))
		return 1;
	if (argc > 2)
		write_regressions(argv[2]);
	printf("make-seeds: wrote corpora under %s\n", dir);
	return 0;
}
