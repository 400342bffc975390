/* test-odp-key.c: flow keys and masks between netlink attributes and the
 * text ovs-dpctl prints and accepts.  The golden strings are what Debian's
 * ovs-dpctl 3.1 printed for these flows on a 6.1 kernel; the golden bytes
 * are the attributes that kernel returned for them.  The strings for the NSH
 * key, ERSPAN options and types without a name ("keyN(...)") are written
 * from a reading of the formatting code of Open vSwitch 3.5's
 * lib/odp-util.c (odp_flow_format(), format_odp_nsh_attr(),
 * format_odp_tun_erspan_opt(), format_unknown_key()). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <check.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"
#include "golden.h"
#include "tsuite.h"

static G_GNUC_UNUSED uint8_t *
unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *b = g_malloc(n ? n : 1);

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		b[i] = (uint8_t)v;
	}
	*len = n;
	return b;
}

/* Text of (key, mask) or the error message. */
static char *
fmt(const void *key, size_t klen, const void *mask, size_t mlen, int *ret)
{
	char *s = (char *)"keep";
	GError *error = NULL;

	*ret = ovsdp_odp_key_to_string(key, klen, mask, mlen, &s, &error);
	return golden_text_or_error(*ret, s, error);
}

static void
assert_format_error(const void *key, size_t klen, const void *mask, size_t mlen,
		    const char *msg)
{
	int r;
	char *s = fmt(key, klen, mask, mlen, &r);

	ck_assert_int_eq(r, -EINVAL);
	ck_assert_str_eq(s, msg);
	g_free(s);
}

static void
assert_parse_error(const char *text, const char *msg)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT, m = OVSDP_BUF_INIT;
	GError *error = NULL;

	/* Whatever was in the buffers stays. */
	ovsdp_buf_put_u32(&k, OVS_KEY_ATTR_IN_PORT, 9);
	ovsdp_buf_put_u32(&m, OVS_KEY_ATTR_IN_PORT, 0xffffffff);
	ck_assert_int_eq(ovsdp_odp_key_from_string(text, &k, &m, &error), -EINVAL);
	ck_assert_ptr_nonnull(error);
	ck_assert_int_eq(error->code, EINVAL);
	ck_assert_str_eq(error->message, msg);
	ck_assert_uint_eq(k.len, 8);
	ck_assert_uint_eq(m.len, 8);
	g_error_free(error);
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
}

/* Canonical text: what ovs-dpctl dump-flows printed (the kernel's own
 * wildcarded attributes aside, which the text leaves out). */
static const char *const canonical[] = {
	"in_port(4),eth(),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,label=0x12345,proto=58,tclass=0x10,hlimit=255,frag=no),key32(00 00/00 00),icmpv6(type=135,code=0),nd(target=2001:db8::2,sll=00:11:22:33:44:55)",
	"in_port(19),eth(),eth_type(0x8100),vlan(vid=5/0xff0,pcp=1),encap(eth_type(0x0806),arp(op=2/0xff))",
	"in_port(29),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp_flags(+syn-ack)",
	"tunnel(tun_id=0x5/0xff,dst=3.3.3.3,tos=0x4,ttl=8,tp_src=1,flags(+df+key)),in_port(37),eth(),eth_type(0x1241)",
	"in_port(5),eth(src=00:01:02:03:04:05),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2/255.255.0.0,op=1/0xff,sha=00:01:02:03:04:05,tha=00:00:00:00:00:00)",
	"recirc_id(0x3),dp_hash(0x5/0xf),skb_priority(0x7),in_port(10),skb_mark(0x10/0xf0),eth(),eth_type(0x1234)",
	"in_port(8),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80),tcp_flags(+syn-ack)",
	"recirc_id(0x5),in_port(9),ct_state(+new+trk),ct_zone(0x5),ct_mark(0x10/0xff),eth(),eth_type(0x0800),ipv4(frag=no)",
	"tunnel(tun_id=0x1,src=1.1.1.1,dst=2.2.2.2,ttl=64,tp_dst=4789,flags(-df+csum+key)),in_port(11),eth(),eth_type(0x0800),ipv4(frag=no)",
	"in_port(30),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp_flags(syn)",
	"tunnel(ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,ttl=64),in_port(38),eth(),eth_type(0x1242)",
	"in_port(27),ct_label(0x1/0x1),eth(),eth_type(0x123a)",
	"in_port(17),eth(src=00:01:02:03:04:05/ff:ff:ff:00:00:00),eth_type(0x0800),ipv4(tos=0x4/0xfc,ttl=64/0xf0,frag=later)",
	"in_port(22),eth(),eth_type(0x86dd),ipv6(label=0x5/0xff,proto=17,frag=later),key32(00 00/00 00)",
	"in_port(3),eth(),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(src=1.1.1.1,proto=17,frag=no),udp(dst=53))",
	"in_port(42),eth(),eth_type(0x88a8),vlan(vid=100,pcp=7),encap(eth_type(0x8100),vlan(vid=200),encap(eth_type(0x86dd),ipv6(dst=::1,proto=58,frag=no),key32(00 00/00 00),icmpv6(type=128,code=0)))",
	"in_port(7),eth(),eth_type(0x0800),ipv4(proto=1,frag=first),icmp(type=8,code=0)",
	"in_port(26),eth(),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)",
	"in_port(33),ct_state(+rpl+inv-trk),ct_zone(0x5/0xf),eth(),eth_type(0x0800),ipv4(frag=no)",
	"in_port(6),eth(),eth_type(0x0800),ipv4(proto=132,frag=no),sctp(src=1/0xff00,dst=2)",
	"in_port(48),ct_mark(0x1),ct_label(0x123456789abcdef0123456789abcdef),eth(),eth_type(0x0800),ipv4(frag=no)",
	"in_port(43),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),key32(00 00/00 00),icmpv6(type=136),nd(target=fe80::1/ffff::,tll=00:00:00:00:00:09)",
	"in_port(47),eth(),eth_type(0x8100),vlan(pcp=5),encap(eth_type(0x0800),ipv4(frag=no))",
	"in_port(28),eth(),eth_type(0x86dd),ipv6(src=::1,proto=6,frag=no),key32(00 00/00 00),tcp(src=22),tcp_flags(+rst)",
	"in_port(49),skb_mark(0x5),eth(),eth_type(0x0800),ipv4(frag=no)",
	"in_port(61),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(src=1),tcp_flags(fin|psh|urg|ece|cwr|ns)",
	"in_port(62),eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=68,dst=67)",
	"in_port(67),eth(),eth_type(0x8847),mpls(label=5,tc=1,ttl=2,bos=0,label=6,tc=0,ttl=3,bos=1)",
	"recirc_id(0x1),dp_hash(0x3/0x3),in_port(73),eth(),eth_type(0x0800),ipv4(frag=no)",
	/* Shapes dump-flows prints that the kernel flows above did not show. */
	"in_port(1/0xff),eth_type(0x0800/0xff00)",
	"ct_tuple4(src=1.1.1.1,dst=2.2.2.2,proto=6,tp_src=1,tp_dst=2),ct_tuple6(src=::1,dst=::2,proto=17,src_port=3,dst_port=4)",
	"ct_state(-new+est),eth(),eth_type(0x0800),ipv4(frag=no)",
	"mpls(label=5/0xfffff,tc=1/7,ttl=2/0xff,bos=0/0)",
	"eth(dst=01:00:00:00:00:00/01:00:00:00:00:00),eth_type(0x0800),ipv4(src=0.0.0.0/255.0.0.0,dst=10.0.0.0/255.0.0.0,proto=6,frag=no),tcp(src=0/0xfc00)",
	"tunnel(src=1.1.1.1/255.255.255.0,ttl=64,flags(-df-csum)),in_port(1)",
	"tunnel(tun_id=0x1,dst=1.1.1.1,ttl=64,geneve({class=0xffff,type=0x80,len=4,0xa0b0c0d0}{class=0x102,type=0x1,len=0}),flags(+key)),in_port(1)",
	"tunnel(dst=1.1.1.2,ttl=64,geneve({class=0xffff,type=0x80,len=8,0x1/0xff}),flags(-df)),in_port(2)",
	"tunnel(dst=1.1.1.3,ttl=64,geneve({class=0xffff,type=0x80/0xf0,len=4}),flags(-df)),in_port(3)",
	"tunnel(dst=1.1.1.4,ttl=64,vxlan(gbp(id=10,flags=0x1)),flags(-df)),in_port(4)",
	"tunnel(dst=1.1.1.5,ttl=64,vxlan(gbp(id=10/0xff)),flags(-df)),in_port(5)",
	/* From Open vSwitch 3.5's formats. */
	"tunnel(dst=1.1.1.6,ttl=64,erspan(ver=1,idx=0x7/0xffffffff),flags(-df)),in_port(6)",
	"tunnel(dst=1.1.1.7,ttl=64,erspan(ver=2,dir=1/0x1,hwid=0x3/0xf),flags(-df)),in_port(7)",
	"tunnel(dst=1.1.1.8,ttl=64,erspan(ver=1,idx=0/0),flags(-df)),in_port(8)",
	"eth(),eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x47,si=255)",
	"nsh(flags=0x01/0x03,ttl=63,mdtype=1,spi=0x100/0x00ffff00,c1=0x1,c4=0x80000000/0x80000000)",
	"nsh(mdtype=1,c2=0x5)",
	"in_port(1),key45(01 02 03 04/ff ff 00 00)",
	"key40(/),key1000(ff/0f)",
	"tunnel(dst=1.1.1.9,ttl=64,key16(),key20(01/0f),flags(-df)),in_port(9)",
	"tunnel(dst=1.1.1.10,ttl=64,vxlan(gbp(id=1),key2(01 02 03 04/ff ff ff 00)),flags(-df)),in_port(10)",
	"tunnel(dst=1.1.1.11,ttl=64,flags(+oam-df)),in_port(11)",
	"",
};

START_TEST(text_roundtrip)
{
	const char *text = canonical[_i];
	struct ovsdp_buf k = OVSDP_BUF_INIT, m = OVSDP_BUF_INIT;
	struct ovsdp_buf k2 = OVSDP_BUF_INIT, m2 = OVSDP_BUF_INIT;
	GError *error = NULL;
	char *out;
	int r;

	ck_assert_int_eq(ovsdp_odp_key_from_string(text, &k, &m, &error), 0);
	ck_assert_ptr_null(error);
	out = fmt(k.data, k.len, m.data, m.len, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(out, text);
	/* And the text of attributes parses back to the same bytes. */
	ck_assert_int_eq(ovsdp_odp_key_from_string(out, &k2, &m2, NULL), 0);
	ck_assert_uint_eq(k2.len, k.len);
	ck_assert_uint_eq(m2.len, m.len);
	if (k.len)
		ck_assert_mem_eq(k2.data, k.data, k.len);
	if (m.len)
		ck_assert_mem_eq(m2.data, m.data, m.len);
	ck_assert_int_eq(ovsdp_odp_key_validate(k.data, k.len, NULL), 0);
	ck_assert_int_eq(ovsdp_odp_key_validate(m.data, m.len, NULL), 0);
	g_free(out);
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
	ovsdp_buf_clear(&k2);
	ovsdp_buf_clear(&m2);
}
END_TEST

/* Without a mask every field prints, and the text parses back to the very
 * same key bytes. */
static const char *const exact[] = {
	"skb_priority(0x7),in_port(10),skb_mark(0x10),recirc_id(0),dp_hash(0xabc)",
	"eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=80,dst=1024),tcp_flags(syn|ack)",
	"eth_type(0x86dd),ipv6(src=fe80::1,dst=ff02::1,label=0,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::2,sll=00:00:00:00:00:01,tll=00:00:00:00:00:00)",
	"eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0806),arp(sip=1.1.1.1,tip=2.2.2.2,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:00))",
	"eth_type(0x8100),vlan(vid=10,pcp=0,cfi=0),encap()",
	"ct_state(new|trk),ct_zone(0x5),ct_mark(0),ct_label(0),icmp(type=8,code=0),udp(src=1,dst=2),sctp(src=3,dst=4)",
	"ct_state(0),tcp_flags(0),mpls(label=1,tc=2,ttl=3,bos=1)",
	"tunnel(tun_id=0x1,src=1.1.1.1,dst=2.2.2.2,ttl=64,tp_dst=4789,flags(df|csum|key))",
	"tunnel(ttl=0,flags(0))",
	"tunnel(tun_id=0x1,dst=1.1.1.1,ttl=64,geneve({class=0xffff,type=0x80,len=4,0xa0b0c0d0}),vxlan(gbp(id=5,flags=0x2)),flags(key))",
	/* From Open vSwitch 3.5's formats. */
	"tunnel(dst=1.1.1.1,ttl=64,erspan(ver=1,idx=0x7),flags(0))",
	"tunnel(dst=1.1.1.1,erspan(ver=2,dir=0,hwid=0xf),flags(0))",
	"nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x47,si=255,c1=0x1,c2=0x0,c3=0x0,c4=0xffffffff)",
	"nsh(flags=2,ttl=1,mdtype=2,np=1,spi=0xffffff,si=0)",
	"in_port(1),key32(00 01),key45(01 02 03 04),key60()",
	"tunnel(ttl=64,key16(),flags(0))",
	"tunnel(ttl=64,vxlan(key3(aa)),flags(0))",
	"tunnel(tun_id=0x1,tos=0x4,tp_src=1,tp_dst=2,flags(oam|key))",
	"tunnel(ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,ttl=64,flags(0))",
	"ct_tuple4(src=1.1.1.1,dst=2.2.2.2,proto=6,tp_src=1,tp_dst=2),ct_tuple6(src=::1,dst=::2,proto=17,src_port=3,dst_port=4)",
};

/* The types of a parsed key: top level and encap() in *keys, tunnel()
 * options in *tun. */
static void
collect_types(const uint8_t *p, size_t len, uint64_t *keys, uint64_t *tun)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		uint16_t type = a->nla_type & NLA_TYPE_MASK;
		size_t alen = NLA_ALIGN(a->nla_len);

		ck_assert_uint_ge(a->nla_len, NLA_HDRLEN);
		if (type < 64)
			*keys |= UINT64_C(1) << type;
		if (type == OVS_KEY_ATTR_ENCAP)
			collect_types(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, keys, tun);
		if (type == OVS_KEY_ATTR_TUNNEL)
			collect_types(p + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, tun, tun);
		if (alen >= len)
			break;
		p += alen;
		len -= alen;
	}
}

/* The round-trip corpora above hold every key type and every tunnel option
 * the codec has a name for (so that a codec change cannot go untested),
 * both with a mask and exact. */
START_TEST(corpus_coverage)
{
	static const uint16_t key_types[] = {
		OVS_KEY_ATTR_ENCAP, OVS_KEY_ATTR_PRIORITY, OVS_KEY_ATTR_IN_PORT,
		OVS_KEY_ATTR_ETHERNET, OVS_KEY_ATTR_VLAN, OVS_KEY_ATTR_ETHERTYPE,
		OVS_KEY_ATTR_IPV4, OVS_KEY_ATTR_IPV6, OVS_KEY_ATTR_TCP, OVS_KEY_ATTR_UDP,
		OVS_KEY_ATTR_ICMP, OVS_KEY_ATTR_ICMPV6, OVS_KEY_ATTR_ARP, OVS_KEY_ATTR_ND,
		OVS_KEY_ATTR_SKB_MARK, OVS_KEY_ATTR_TUNNEL, OVS_KEY_ATTR_SCTP,
		OVS_KEY_ATTR_TCP_FLAGS, OVS_KEY_ATTR_DP_HASH, OVS_KEY_ATTR_RECIRC_ID,
		OVS_KEY_ATTR_MPLS, OVS_KEY_ATTR_CT_STATE, OVS_KEY_ATTR_CT_ZONE,
		OVS_KEY_ATTR_CT_MARK, OVS_KEY_ATTR_CT_LABELS, OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4,
		OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6, OVS_KEY_ATTR_NSH, 32,
	};
	static const uint16_t tun_types[] = {
		OVS_TUNNEL_KEY_ATTR_ID, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, OVS_TUNNEL_KEY_ATTR_IPV4_DST,
		OVS_TUNNEL_KEY_ATTR_TOS, OVS_TUNNEL_KEY_ATTR_TTL, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT,
		OVS_TUNNEL_KEY_ATTR_CSUM, OVS_TUNNEL_KEY_ATTR_OAM, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS,
		OVS_TUNNEL_KEY_ATTR_TP_SRC, OVS_TUNNEL_KEY_ATTR_TP_DST, OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS,
		OVS_TUNNEL_KEY_ATTR_IPV6_SRC, OVS_TUNNEL_KEY_ATTR_IPV6_DST,
		OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS,
	};
	const char *const *sets[] = { canonical, exact };
	size_t sizes[] = { G_N_ELEMENTS(canonical), G_N_ELEMENTS(exact) };

	for (size_t s = 0; s < G_N_ELEMENTS(sets); s++) {
		uint64_t keys = 0, tun = 0;

		for (size_t i = 0; i < sizes[s]; i++) {
			struct ovsdp_buf k = OVSDP_BUF_INIT;

			ck_assert_int_eq(ovsdp_odp_key_from_string(sets[s][i], &k, NULL, NULL), 0);
			collect_types(k.data, k.len, &keys, &tun);
			ovsdp_buf_clear(&k);
		}
		for (size_t i = 0; i < G_N_ELEMENTS(key_types); i++)
			ck_assert_msg(keys & (UINT64_C(1) << key_types[i]),
				      "%s corpus: no key of type %u", s ? "exact" : "masked", key_types[i]);
		for (size_t i = 0; i < G_N_ELEMENTS(tun_types); i++)
			ck_assert_msg(tun & (UINT64_C(1) << tun_types[i]),
				      "%s corpus: no tunnel option of type %u", s ? "exact" : "masked",
				      tun_types[i]);
	}
}
END_TEST

START_TEST(exact_roundtrip)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT, k2 = OVSDP_BUF_INIT;
	char *out;
	int r;

	ck_assert_int_eq(ovsdp_odp_key_from_string(exact[_i], &k, NULL, NULL), 0);
	out = fmt(k.data, k.len, NULL, 0, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(out, exact[_i]);
	ck_assert_int_eq(ovsdp_odp_key_from_string(out, &k2, NULL, NULL), 0);
	ck_assert_uint_eq(k2.len, k.len);
	ck_assert_mem_eq(k2.data, k.data, k.len);
	g_free(out);
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&k2);
}
END_TEST

/* Attribute layout: the bytes the kernel expects for each field. */
START_TEST(parse_layout)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT, m = OVSDP_BUF_INIT;
	const struct nlattr *a;
	struct ovs_key_ipv4 ip;
	uint32_t port;
	uint16_t be;

	ck_assert_int_eq(ovsdp_odp_key_from_string(
		"in_port(7) eth_type(0x0800),\tipv4(src=10.0.0.1/255.255.255.0,ttl=64,frag=later)",
		&k, &m, NULL), 0);
	ck_assert_uint_eq(k.len, 8 + 8 + 16);
	ck_assert_uint_eq(m.len, k.len);
	a = (const struct nlattr *)k.data;
	ck_assert_uint_eq(a->nla_type, OVS_KEY_ATTR_IN_PORT);
	memcpy(&port, k.data + 4, 4);
	ck_assert_uint_eq(port, 7);
	memcpy(&port, m.data + 4, 4);
	ck_assert_uint_eq(port, 0xffffffff);
	a = (const struct nlattr *)(k.data + 8);
	ck_assert_uint_eq(a->nla_type, OVS_KEY_ATTR_ETHERTYPE);
	ck_assert_uint_eq(a->nla_len, 6);
	memcpy(&be, k.data + 12, 2);
	ck_assert_uint_eq(be, htons(0x0800));
	a = (const struct nlattr *)(k.data + 16);
	ck_assert_uint_eq(a->nla_type, OVS_KEY_ATTR_IPV4);
	ck_assert_uint_eq(a->nla_len, 4 + sizeof ip);
	memcpy(&ip, k.data + 20, sizeof ip);
	ck_assert_uint_eq(ip.ipv4_src, htonl(0x0a000001));
	ck_assert_uint_eq(ip.ipv4_dst, 0);
	ck_assert_uint_eq(ip.ipv4_ttl, 64);
	ck_assert_uint_eq(ip.ipv4_frag, OVS_FRAG_TYPE_LATER);
	memcpy(&ip, m.data + 20, sizeof ip);
	ck_assert_uint_eq(ip.ipv4_src, htonl(0xffffff00));
	ck_assert_uint_eq(ip.ipv4_dst, 0);
	ck_assert_uint_eq(ip.ipv4_proto, 0);
	ck_assert_uint_eq(ip.ipv4_ttl, 0xff);
	ck_assert_uint_eq(ip.ipv4_frag, 0xff);
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
}
END_TEST

/* What dump-flows leaves out, and how it writes partial masks. */
START_TEST(mask_formatting)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT, m = OVSDP_BUF_INIT;
	struct ovs_key_ipv4 ip = { 0 }, ipm = { 0 };
	struct ovs_key_ethernet eth = { { 1, 2, 3, 4, 5, 6 }, { 0 } }, ethm = { { 0 }, { 0 } };
	uint16_t tci = htons(0x1000 | 5), tcim = htons(0x1fff);
	size_t nest;
	char *s;
	int r;

	/* A fully wildcarded key vanishes, except eth() which says "Ethernet". */
	ovsdp_buf_put_u32(&k, OVS_KEY_ATTR_PRIORITY, 7);
	ovsdp_buf_put_u32(&m, OVS_KEY_ATTR_PRIORITY, 0);
	ovsdp_buf_put_attr(&k, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
	ovsdp_buf_put_attr(&m, OVS_KEY_ATTR_ETHERNET, &ethm, sizeof ethm);
	/* A key with no mask attribute at all is wildcarded too. */
	ovsdp_buf_put_u32(&k, OVS_KEY_ATTR_SKB_MARK, 5);
	/* Fields with a zero mask vanish; partial masks print as value/mask. */
	ip.ipv4_src = htonl(0x0a000001);
	ipm.ipv4_src = htonl(0xffff0000);
	ip.ipv4_ttl = 64;
	ip.ipv4_tos = 0x10;
	ipm.ipv4_tos = 0xff;
	ip.ipv4_proto = 17;
	ovsdp_buf_put_attr(&k, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
	ovsdp_buf_put_attr(&m, OVS_KEY_ATTR_IPV4, &ipm, sizeof ipm);
	/* A VLAN key with a partial VID mask and an unmasked PCP. */
	ovsdp_buf_put_attr(&k, OVS_KEY_ATTR_VLAN, &tci, 2);
	ovsdp_buf_put_attr(&m, OVS_KEY_ATTR_VLAN, &tcim, 2);
	/* Nested keys always print, even when nothing in them is matched. */
	nest = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_ENCAP);
	ovsdp_buf_put_u16(&k, OVS_KEY_ATTR_ETHERTYPE, htons(0x0800));
	ovsdp_buf_nest_end(&k, nest);
	/* An eth_type mask without an eth_type key comes last, as 0/mask. */
	ovsdp_buf_put_u16(&m, OVS_KEY_ATTR_ETHERTYPE, htons(0xffff));

	s = fmt(k.data, k.len, m.data, m.len, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(s, "eth(),ipv4(src=10.0.0.1/255.255.0.0,tos=0x10),vlan(vid=5),encap(),eth_type(0/0xffff)");
	g_free(s);

	/* Without a mask, everything is exact. */
	s = fmt(k.data, k.len, NULL, 0, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(s, "skb_priority(0x7),eth(src=01:02:03:04:05:06,dst=00:00:00:00:00:00),skb_mark(0x5),"
			 "ipv4(src=10.0.0.1,dst=0.0.0.0,proto=17,tos=0x10,ttl=64,frag=no),vlan(vid=5,pcp=0),"
			 "encap(eth_type(0x0800))");
	g_free(s);
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);

	/* Masked flags name each masked bit; the unmasked form when all are. */
	ck_assert_int_eq(ovsdp_odp_key_from_string("ct_state(0x21/0x23),tcp_flags(0x12/0xfff)", &k, &m, NULL), 0);
	s = fmt(k.data, k.len, m.data, m.len, &r);
	ck_assert_str_eq(s, "ct_state(+new-est+trk),tcp_flags(syn|ack)");
	g_free(s);
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);

	/* frag is an enumeration: a partial mask is an error, not a value. */
	ip.ipv4_frag = 1;
	ipm.ipv4_frag = 0x0f;
	ovsdp_buf_put_attr(&k, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
	ovsdp_buf_put_attr(&m, OVS_KEY_ATTR_IPV4, &ipm, sizeof ipm);
	assert_format_error(k.data, k.len, m.data, m.len, "ipv4: partial mask 0xf on frag");
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
}
END_TEST

/* Every fixed-size key, one byte too long and (where possible) one short,
 * as a key and as a mask.  Sizes from the uAPI structs. */
static const struct {
	uint16_t type;
	const char *name;
	size_t len;
} fixed[] = {
	{ OVS_KEY_ATTR_PRIORITY, "skb_priority", 4 },
	{ OVS_KEY_ATTR_IN_PORT, "in_port", 4 },
	{ OVS_KEY_ATTR_ETHERNET, "eth", 12 },
	{ OVS_KEY_ATTR_VLAN, "vlan", 2 },
	{ OVS_KEY_ATTR_ETHERTYPE, "eth_type", 2 },
	{ OVS_KEY_ATTR_IPV4, "ipv4", 12 },
	{ OVS_KEY_ATTR_IPV6, "ipv6", 40 },
	{ OVS_KEY_ATTR_TCP, "tcp", 4 },
	{ OVS_KEY_ATTR_UDP, "udp", 4 },
	{ OVS_KEY_ATTR_ICMP, "icmp", 2 },
	{ OVS_KEY_ATTR_ICMPV6, "icmpv6", 2 },
	{ OVS_KEY_ATTR_ARP, "arp", 24 },
	{ OVS_KEY_ATTR_ND, "nd", 28 },
	{ OVS_KEY_ATTR_SKB_MARK, "skb_mark", 4 },
	{ OVS_KEY_ATTR_SCTP, "sctp", 4 },
	{ OVS_KEY_ATTR_TCP_FLAGS, "tcp_flags", 2 },
	{ OVS_KEY_ATTR_DP_HASH, "dp_hash", 4 },
	{ OVS_KEY_ATTR_RECIRC_ID, "recirc_id", 4 },
	{ OVS_KEY_ATTR_CT_STATE, "ct_state", 4 },
	{ OVS_KEY_ATTR_CT_ZONE, "ct_zone", 2 },
	{ OVS_KEY_ATTR_CT_MARK, "ct_mark", 4 },
	{ OVS_KEY_ATTR_CT_LABELS, "ct_label", 16 },
	{ OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4, "ct_tuple4", 16 },
	{ OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6, "ct_tuple6", 40 },
	{ 32, "key32", 2 },
};

START_TEST(bad_payload_size)
{
	uint8_t zero[64] = { 0 };
	struct ovsdp_flow_fields f;
	char msg[128];

	for (int delta = -1; delta <= 1; delta += 2) {
		struct ovsdp_buf k = OVSDP_BUF_INIT, good = OVSDP_BUF_INIT;
		size_t len = fixed[_i].len + delta;

		ovsdp_buf_put_attr(&k, fixed[_i].type, zero, len);
		snprintf(msg, sizeof msg, "%s: payload is %zu bytes, expected %zu",
			 fixed[_i].name, len, fixed[_i].len);
		assert_format_error(k.data, k.len, NULL, 0, msg);
		ck_assert_int_eq(ovsdp_odp_key_fields(k.data, k.len, &f), -EINVAL);

		ovsdp_buf_put_attr(&good, fixed[_i].type, zero, fixed[_i].len);
		snprintf(msg, sizeof msg, "%s mask: payload is %zu bytes, expected %zu",
			 fixed[_i].name, len, fixed[_i].len);
		assert_format_error(good.data, good.len, k.data, k.len, msg);
		ovsdp_buf_clear(&k);
		ovsdp_buf_clear(&good);
	}
}
END_TEST

START_TEST(bad_framing)
{
	static const uint8_t truncated[] = { 8, 0, 3, 0, 1, 0, 0, 0, 6, 0, 6 };
	static const uint8_t overrun[] = { 12, 0, 3, 0, 1, 0, 0, 0 };
	static const uint8_t tiny[] = { 2, 0, 3, 0, 1, 0, 0, 0 };
	static const uint8_t no_padding[] = { 8, 0, 3, 0, 1, 0, 0, 0, 6, 0, 6, 0, 8, 0 };
	uint8_t buf[16];
	char *s;
	int r;

	assert_format_error(truncated, sizeof truncated, NULL, 0,
			    "key: truncated attribute header at offset 8 (3 bytes left)");
	assert_format_error(overrun, sizeof overrun, NULL, 0,
			    "key: attribute at offset 0 (type 3) has length 12 but only 8 bytes are left");
	assert_format_error(tiny, sizeof tiny, NULL, 0, "key: attribute at offset 0 has bad length 2");
	assert_format_error(overrun, 8 - 1, NULL, 0,
			    "key: attribute at offset 0 (type 3) has length 12 but only 7 bytes are left");
	/* The same framing rules hold for the mask. */
	assert_format_error(no_padding, 8, truncated, sizeof truncated,
			    "mask: truncated attribute header at offset 8 (3 bytes left)");
	/* The last attribute may go without its padding. */
	s = fmt(no_padding, sizeof no_padding, NULL, 0, &r);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(s, "in_port(1),eth_type(0x0800)");
	g_free(s);
	/* Unaligned input is fine. */
	memcpy(buf + 1, no_padding, sizeof no_padding);
	s = fmt(buf + 1, sizeof no_padding, NULL, 0, &r);
	ck_assert_str_eq(s, "in_port(1),eth_type(0x0800)");
	g_free(s);
}
END_TEST

/* Attribute 'type' with 'len' bytes of 'payload', alone inside a nested
 * key attribute 'outer', formats to exactly the error 'msg'. */
static void
assert_nested_error(uint16_t outer, uint16_t type, const void *payload, size_t len,
		    const char *msg)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT;
	size_t nest = ovsdp_buf_nest_start(&k, outer);

	ovsdp_buf_put_attr(&k, type, payload, len);
	ovsdp_buf_nest_end(&k, nest);
	assert_format_error(k.data, k.len, NULL, 0, msg);
	ovsdp_buf_clear(&k);
}

START_TEST(bad_types)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT, m = OVSDP_BUF_INIT;
	uint8_t zero[16] = { 0 };
	size_t nest, inner;

	ovsdp_buf_put_u32(&k, OVS_KEY_ATTR_IN_PORT, 1);
	ovsdp_buf_put_u32(&k, OVS_KEY_ATTR_IN_PORT, 2);
	assert_format_error(k.data, k.len, NULL, 0, "duplicate key attribute in_port");
	ovsdp_buf_clear(&k);
	assert_nested_error(OVS_KEY_ATTR_NSH, OVS_NSH_KEY_ATTR_BASE, zero, 4,
			    "nsh: attribute 1 payload is 4 bytes, expected 8");
	assert_nested_error(OVS_KEY_ATTR_NSH, 9, zero, 4, "nsh: unknown attribute type 9");
	ovsdp_buf_put_attr(&k, OVS_KEY_ATTR_MPLS, zero, 6);
	assert_format_error(k.data, k.len, NULL, 0, "mpls: payload is 6 bytes, expected 4, 8 or 12");
	ovsdp_buf_clear(&k);
	/* Values the kernel cannot have produced. */
	{
		struct ovs_key_ipv4 ip = { .ipv4_frag = 3 };

		ovsdp_buf_put_attr(&k, OVS_KEY_ATTR_IPV4, &ip, sizeof ip);
		assert_format_error(k.data, k.len, NULL, 0, "ipv4: bad frag type 3");
		ovsdp_buf_clear(&k);
	}

	/* Garbage inside nested keys. */
	nest = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_ENCAP);
	ovsdp_buf_put(&k, "\x09\x00\x06", 3);
	ovsdp_buf_nest_end(&k, nest);
	assert_format_error(k.data, k.len, NULL, 0,
			    "encap: truncated attribute header at offset 0 (3 bytes left)");
	ovsdp_buf_clear(&k);
	assert_nested_error(OVS_KEY_ATTR_TUNNEL, OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS, zero, 4,
			    "tunnel: erspan payload is 4 bytes, expected 12");
	assert_nested_error(OVS_KEY_ATTR_TUNNEL, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, zero, 6,
			    "tunnel: geneve options are 6 bytes, expected a multiple of 4 up to 252");
	{
		/* An option whose length runs past the end of the options. */
		static const uint8_t opt[8] = { 0xff, 0xff, 0x80, 2, 1, 2, 3, 4 };

		assert_nested_error(OVS_KEY_ATTR_TUNNEL, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, opt,
				    sizeof opt, "tunnel: geneve option at offset 0 overruns the options");
	}
	nest = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_TUNNEL);
	ovsdp_buf_put_attr(&k, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, zero, 8);
	ovsdp_buf_nest_end(&k, nest);
	nest = ovsdp_buf_nest_start(&m, OVS_KEY_ATTR_TUNNEL);
	ovsdp_buf_put_attr(&m, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, zero, 4);
	ovsdp_buf_nest_end(&m, nest);
	assert_format_error(k.data, k.len, m.data, m.len, "tunnel: geneve mask is 4 bytes, expected 8");
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
	nest = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_TUNNEL);
	inner = ovsdp_buf_nest_start(&k, OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS);
	ovsdp_buf_put_u16(&k, OVS_VXLAN_EXT_GBP, 1);
	ovsdp_buf_nest_end(&k, inner);
	ovsdp_buf_nest_end(&k, nest);
	assert_format_error(k.data, k.len, NULL, 0, "tunnel: vxlan: gbp payload is 2 bytes, expected 4");
	ovsdp_buf_clear(&k);
	nest = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_TUNNEL);
	ovsdp_buf_put_u8(&k, OVS_TUNNEL_KEY_ATTR_TTL, 1);
	ovsdp_buf_put_u8(&k, OVS_TUNNEL_KEY_ATTR_TTL, 2);
	ovsdp_buf_nest_end(&k, nest);
	assert_format_error(k.data, k.len, NULL, 0, "tunnel: duplicate attribute ttl");
	ovsdp_buf_clear(&k);
	/* A tunnel mask with a bad length. */
	nest = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_TUNNEL);
	ovsdp_buf_put_u8(&k, OVS_TUNNEL_KEY_ATTR_TTL, 64);
	ovsdp_buf_nest_end(&k, nest);
	nest = ovsdp_buf_nest_start(&m, OVS_KEY_ATTR_TUNNEL);
	ovsdp_buf_put_u32(&m, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, 0);
	ovsdp_buf_put_u16(&m, OVS_TUNNEL_KEY_ATTR_TTL, 0xff);
	ovsdp_buf_nest_end(&m, nest);
	assert_format_error(k.data, k.len, m.data, m.len, "tunnel: ttl mask payload is 2 bytes, expected 1");
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
}
END_TEST

/* Hostile nesting ends in an error, not a stack overflow. */
START_TEST(deep_nesting)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT;
	size_t cookies[40];
	GString *text = g_string_new(NULL);

	for (int i = 0; i < 40; i++)
		cookies[i] = ovsdp_buf_nest_start(&k, OVS_KEY_ATTR_ENCAP);
	for (int i = 39; i >= 0; i--)
		ovsdp_buf_nest_end(&k, cookies[i]);
	assert_format_error(k.data, k.len, NULL, 0, "encap: nested too deeply");
	ck_assert_int_eq(ovsdp_odp_key_validate(k.data, k.len, NULL), -EINVAL);
	ovsdp_buf_clear(&k);

	for (int i = 0; i < 40; i++)
		g_string_append(text, "encap(");
	for (int i = 0; i < 40; i++)
		g_string_append_c(text, ')');
	assert_parse_error(text->str, "encap: nested too deeply at column 97");
	g_string_free(text, TRUE);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_text[] = {
	{ "in_port(1),foo(2)", "unknown key 'foo' at column 12" },
	{ "ipv4(srcx=1.2.3.4)", "ipv4: unknown field 'srcx' at column 6" },
	{ "eth_type(0x0800),ipv4(src=1.2.3.4,srcx=1)", "ipv4: unknown field 'srcx' at column 35" },
	{ "in_port(x1)", "in_port: bad number 'x1' at column 9" },
	{ "in_port()", "in_port: missing value at column 9" },
	{ "in_port(4294967296)", "in_port: number '4294967296' is out of range (max 0xffffffff) at column 9" },
	{ "ipv4(ttl=256)", "ipv4: number '256' is out of range for 'ttl' (max 0xff) at column 10" },
	{ "ipv4(ttl=-1)", "ipv4: bad number '-1' for 'ttl' at column 10" },
	{ "vlan(vid=4096)", "vlan: number '4096' is out of range for 'vid' (max 0xfff) at column 10" },
	{ "in_port(1", "in_port: missing ')' at column 10" },
	{ "ipv4(src=1.2.3.4", "ipv4: missing ')' at column 17" },
	{ "eth_type(0x8100),encap(eth_type(0x0800)", "encap: missing ')' at column 40" },
	{ "in_port 1", "expected '(' after 'in_port' at column 8" },
	{ "in_port(1)x", "unexpected 'x' at column 11" },
	{ "in_port(1))", "unexpected ')' at column 11" },
	{ "ipv4(src=1.2.3.4,proto=6)garbage", "unexpected 'garbage' at column 26" },
	{ "(", "expected a key name, found '(' at column 1" },
	{ "eth(src=00:01)", "eth: bad MAC address '00:01' for 'src' at column 9" },
	{ "eth(dst=00:01:02:03:04:05/ff)", "eth: bad MAC address 'ff' for 'dst' at column 27" },
	{ "eth(src=00:01:02:03:04:0g)", "eth: bad MAC address '00:01:02:03:04:0g' for 'src' at column 9" },
	{ "ipv4(src=1.2.3)", "ipv4: bad IPv4 address '1.2.3' for 'src' at column 10" },
	{ "ipv4(dst=1.2.3.256)", "ipv4: bad IPv4 address '1.2.3.256' for 'dst' at column 10" },
	{ "ipv6(dst=2001:::1)", "ipv6: bad IPv6 address '2001:::1' for 'dst' at column 10" },
	{ "ipv4(frag=maybe)", "ipv4: bad frag type 'maybe' (expected no, first or later) at column 11" },
	{ "ipv4(src)", "ipv4: expected '=' after 'src' at column 9" },
	{ "ipv4(src=1.1.1.1,)", "ipv4: expected a field name at column 18" },
	{ "ipv4(src=1.1.1.1 ttl=1)", "ipv4: expected ',' or ')' at column 17" },
	{ "ipv4(src=1.1.1.1;ttl=1)", "ipv4: bad IPv4 address '1.1.1.1;ttl=1' for 'src' at column 10" },
	{ "ipv4(src=1.1.1.1,src=2.2.2.2)", "ipv4: duplicate field 'src' at column 18" },
	{ "in_port(1),in_port(2)", "duplicate key 'in_port' at column 12" },
	{ "tcp_flags(syn|foo)", "tcp_flags: unknown flag 'foo' at column 15" },
	{ "tcp_flags(+syn-bar)", "tcp_flags: unknown flag 'bar' at column 16" },
	{ "ct_state(+new+new)", "ct_state: flag 'new' given twice at column 15" },
	{ "ct_state(+new,est)", "ct_state: expected '+', '-' or ')' at column 14" },
	{ "tunnel(tun_id=0x1,flags(df|foo))", "tunnel: unknown flag 'foo' at column 28" },
	{ "tunnel(tun_id=0x1,flags(df)", "tunnel: missing ')' at column 28" },
	{ "tunnel(geneve({class=0x1,len=4,0x1x}))", "tunnel: bad geneve data '0x1x' at column 32" },
	{ "tunnel(geneve({class=0x1,len=4,0x123456789}))", "tunnel: bad geneve data '0x123456789' at column 32" },
	{ "tunnel(geneve({class=0x1,len=5,0x1}))", "tunnel: geneve len 5 is not a multiple of 4 up to 124 at column 30" },
	{ "tunnel(geneve({class=0x1,0x1}))", "tunnel: expected '}' at column 26" },
	{ "tunnel(geneve({class=0x1)))", "tunnel: expected '}' at column 25" },
	{ "tunnel(vxlan(id=1))", "tunnel: expected 'gbp(' in vxlan() at column 14" },
	{ "tunnel(vxlan(gbp(id=65536)))", "tunnel: number '65536' is out of range for 'id' (max 0xffff) at column 21" },
	{ "tunnel(ttl=1,ttl=2)", "tunnel: duplicate field 'ttl' at column 14" },
	{ "mpls(label=1,label=2,label=3,label=4)", "mpls: more than 3 labels at column 30" },
	{ "ct_label(0x123456789012345678901234567890123)",
	  "ct_label: number '0x123456789012345678901234567890123' is out of range (max 128 bits) at column 10" },
	{ "nsh(flags=0x100)", "nsh: number '0x100' is out of range for 'flags' (max 0xff) at column 11" },
	{ "nsh(spi=0x1000000)", "nsh: number '0x1000000' is out of range for 'spi' (max 0xffffff) at column 9" },
	{ "nsh(md2=0x1)", "nsh: unknown field 'md2' at column 5" },
	{ "tunnel(erspan(ver=3))", "tunnel: erspan: ver must be 1 or 2 at column 15" },
	{ "tunnel(erspan(ver=1,dir=1))", "tunnel: erspan: unknown field 'dir' at column 21" },
	{ "tunnel(erspan(idx=1))", "tunnel: erspan: unknown field 'idx' at column 15" },
	{ "tunnel(erspan(ver=2,hwid=0x10))", "tunnel: number '0x10' is out of range for 'hwid' (max 0xf) at column 26" },
	{ "key45(01 02/ff)", "key: key45: mask is 1 bytes, the value 2 at column 13" },
	{ "key45(1)", "key: odd number of hex digits at column 7" },
	{ "key045(01)", "unknown key 'key045' at column 1" },
	{ "key16384(01)", "unknown key 'key16384' at column 1" },
	{ "key7(01)", "unknown key 'key7' at column 1" },
	{ "key45(01),key45(02)", "duplicate key 'key45' at column 11" },
	{ "key32(00)", "key32: expected 2 bytes at column 7" },
	{ "key32(0)", "key32: odd number of hex digits at column 7" },
};

START_TEST(text_errors)
{
	assert_parse_error(bad_text[_i].text, bad_text[_i].msg);
}
END_TEST

START_TEST(text_leniency)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT;
	char *s;
	int r;

	/* Like ovs-dpctl: separators may be commas or white space, numbers may
	 * be hex, decimal or octal, frag names any case. */
	ck_assert_int_eq(ovsdp_odp_key_from_string(",, recirc_id(1) in_port(010),\n"
						   "ipv4(ttl=0x40,frag=NO),", &k, NULL, NULL), 0);
	s = fmt(k.data, k.len, NULL, 0, &r);
	ck_assert_str_eq(s, "recirc_id(0x1),in_port(8),ipv4(src=0.0.0.0,dst=0.0.0.0,proto=0,tos=0,ttl=64,frag=no)");
	g_free(s);
	ovsdp_buf_clear(&k);
	ck_assert_int_eq(ovsdp_odp_key_from_string("", &k, NULL, NULL), 0);
	ck_assert_uint_eq(k.len, 0);
	ck_assert_int_eq(ovsdp_odp_key_from_string(NULL, &k, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_odp_key_from_string("in_port(1)", NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_odp_key_to_string(NULL, 4, NULL, 0, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(fields)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT;
	struct ovsdp_flow_fields f;
	static const uint8_t src[6] = { 0, 1, 2, 3, 4, 5 }, dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	ck_assert_int_eq(ovsdp_odp_key_from_string(
		"recirc_id(0x7),dp_hash(0x1234),skb_priority(0x3),in_port(5),skb_mark(0x99),"
		"eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x8100),vlan(vid=10,pcp=5),"
		"encap(eth_type(0x0800),ipv4(src=1.1.1.1,proto=1,frag=no),icmp(type=8,code=0))",
		&k, NULL, NULL), 0);
	/* A type this library does not know is skipped, not fatal. */
	ovsdp_buf_put_u32(&k, 60, 1);
	ck_assert_int_eq(ovsdp_odp_key_fields(k.data, k.len, &f), 0);
	ck_assert(f.has_in_port);
	ck_assert_uint_eq(f.in_port, 5);
	ck_assert(f.has_eth);
	ck_assert_mem_eq(f.eth_src, src, 6);
	ck_assert_mem_eq(f.eth_dst, dst, 6);
	ck_assert_uint_eq(f.eth_type, 0x8100);
	ck_assert_uint_eq(f.recirc_id, 7);
	ck_assert_uint_eq(f.dp_hash, 0x1234);
	ck_assert_uint_eq(f.priority, 3);
	ck_assert_uint_eq(f.skb_mark, 0x99);
	ck_assert(f.has_vlan);
	ck_assert_uint_eq(f.vlan_tci, 0x1000 | 5 << 13 | 10);

	/* Absent fields read as zero. */
	ck_assert_int_eq(ovsdp_odp_key_fields(NULL, 0, &f), 0);
	ck_assert(!f.has_in_port && !f.has_eth && !f.has_vlan);
	ck_assert_uint_eq(f.eth_type, 0);

	/* Malformed keys and bad arguments. */
	ck_assert_int_eq(ovsdp_odp_key_fields(k.data, k.len - 1, &f), -EINVAL);
	ck_assert_int_eq(ovsdp_odp_key_fields(k.data, 3, &f), -EINVAL);
	ck_assert_int_eq(ovsdp_odp_key_fields(NULL, 8, &f), -EINVAL);
	ck_assert_int_eq(ovsdp_odp_key_fields(k.data, k.len, NULL), -EINVAL);
	ovsdp_buf_clear(&k);
	ovsdp_buf_put_u16(&k, OVS_KEY_ATTR_IN_PORT, 1);
	ck_assert_int_eq(ovsdp_odp_key_fields(k.data, k.len, &f), -EINVAL);
	ovsdp_buf_clear(&k);
}
END_TEST

/* ---- Flows captured from real kernels (tests/unit/odp/) ---------------- */

/* The kernel's own key and mask bytes print exactly as ovs-dpctl printed
 * them; without the mask they print every field and parse back to the same
 * bytes (save the order the kernel gives tunnel flag attributes). */
START_TEST(kernel_golden)
{
	size_t n;
	struct golden *g = golden_load_kernel(_i, &n);

	for (size_t i = 0; i < n; i++) {
		struct ovsdp_buf k2 = OVSDP_BUF_INIT;
		struct ovsdp_flow_fields f;
		unsigned port;
		char *s, *s2;
		int r;

		s = fmt(g[i].key->data, g[i].key->len, g[i].mask->data, g[i].mask->len, &r);
		ck_assert_int_eq(r, 0);
		ck_assert_str_eq(s, g[i].text);
		g_free(s);
		ck_assert_int_eq(ovsdp_odp_key_validate(g[i].key->data, g[i].key->len, NULL), 0);
		ck_assert_int_eq(ovsdp_odp_key_validate(g[i].mask->data, g[i].mask->len, NULL), 0);

		ck_assert_int_eq(ovsdp_odp_key_fields(g[i].key->data, g[i].key->len, &f), 0);
		ck_assert_int_eq(sscanf(strstr(g[i].text, "in_port(") + 8, "%u", &port), 1);
		ck_assert(f.has_in_port && f.has_eth);
		ck_assert_uint_eq(f.in_port, port);

		s = fmt(g[i].key->data, g[i].key->len, NULL, 0, &r);
		ck_assert_int_eq(r, 0);
		ck_assert_int_eq(ovsdp_odp_key_from_string(s, &k2, NULL, NULL), 0);
		s2 = fmt(k2.data, k2.len, NULL, 0, &r);
		ck_assert_str_eq(s2, s);
		if (!strstr(s, "tunnel(")) {
			ck_assert_uint_eq(k2.len, g[i].key->len);
			ck_assert_mem_eq(k2.data, g[i].key->data, k2.len);
		}
		g_free(s);
		g_free(s2);
		ovsdp_buf_clear(&k2);
	}
	golden_free(g, n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("odp-key");
	TCase *tc;

	tc = tsuite_case(s, "roundtrip", NULL, NULL, 0, NULL);
	tcase_add_loop_test(tc, text_roundtrip, 0, G_N_ELEMENTS(canonical));
	tcase_add_loop_test(tc, exact_roundtrip, 0, G_N_ELEMENTS(exact));
	tcase_add_test(tc, parse_layout);
	tcase_add_test(tc, corpus_coverage);

	tc = tsuite_case(s, "kernel-golden", NULL, NULL, 0, NULL);
	tcase_add_loop_test(tc, kernel_golden, 0, GOLDEN_N_KERNELS);

	tc = tsuite_case(s, "masks", NULL, NULL, 0, TSUITE_TESTS(mask_formatting));

	tc = tsuite_case(s, "malformed-attributes", NULL, NULL, 0, NULL);
	tcase_add_loop_test(tc, bad_payload_size, 0, G_N_ELEMENTS(fixed));
	tcase_add_test(tc, bad_framing);
	tcase_add_test(tc, bad_types);
	tcase_add_test(tc, deep_nesting);

	tc = tsuite_case(s, "malformed-text", NULL, NULL, 0, NULL);
	tcase_add_loop_test(tc, text_errors, 0, G_N_ELEMENTS(bad_text));
	tcase_add_test(tc, text_leniency);

	tc = tsuite_case(s, "fields", NULL, NULL, 0, TSUITE_TESTS(fields));

	return tsuite_run(s);
}
