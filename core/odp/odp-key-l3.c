/* odp-key-l3.c: the key rows of layers 3 and 4: ipv4, ipv6, tcp, udp,
 * sctp, icmp, icmpv6, arp, nd, tcp_flags and the IPv6 extension header key
 * Open vSwitch has no name for ("key32"). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"

#define TCP_FLAGS_MASK 0x0fff

static const struct odp_field ipv4_fields[] = {
	ODP_FIELD("src", ODP_FK_IPV4, struct ovs_key_ipv4, ipv4_src),
	ODP_FIELD("dst", ODP_FK_IPV4, struct ovs_key_ipv4, ipv4_dst),
	ODP_FIELD("proto", ODP_FK_U8, struct ovs_key_ipv4, ipv4_proto),
	ODP_FIELD("tos", ODP_FK_U8X, struct ovs_key_ipv4, ipv4_tos),
	ODP_FIELD("ttl", ODP_FK_U8, struct ovs_key_ipv4, ipv4_ttl),
	ODP_FIELD("frag", ODP_FK_FRAG, struct ovs_key_ipv4, ipv4_frag),
};

static const struct odp_field ipv6_fields[] = {
	ODP_FIELD("src", ODP_FK_IPV6, struct ovs_key_ipv6, ipv6_src),
	ODP_FIELD("dst", ODP_FK_IPV6, struct ovs_key_ipv6, ipv6_dst),
	ODP_FIELD("label", ODP_FK_LABEL, struct ovs_key_ipv6, ipv6_label),
	ODP_FIELD("proto", ODP_FK_U8, struct ovs_key_ipv6, ipv6_proto),
	ODP_FIELD("tclass", ODP_FK_U8X, struct ovs_key_ipv6, ipv6_tclass),
	ODP_FIELD("hlimit", ODP_FK_U8, struct ovs_key_ipv6, ipv6_hlimit),
	ODP_FIELD("frag", ODP_FK_FRAG, struct ovs_key_ipv6, ipv6_frag),
};

/* tcp, udp and sctp share one layout. */
static const struct odp_field tp_fields[] = {
	ODP_FIELD("src", ODP_FK_BE16, struct ovs_key_tcp, tcp_src),
	ODP_FIELD("dst", ODP_FK_BE16, struct ovs_key_tcp, tcp_dst),
};

static const struct odp_field icmp_fields[] = {
	ODP_FIELD("type", ODP_FK_U8, struct ovs_key_icmp, icmp_type),
	ODP_FIELD("code", ODP_FK_U8, struct ovs_key_icmp, icmp_code),
};

static const struct odp_field arp_fields[] = {
	ODP_FIELD("sip", ODP_FK_IPV4, struct ovs_key_arp, arp_sip),
	ODP_FIELD("tip", ODP_FK_IPV4, struct ovs_key_arp, arp_tip),
	ODP_FIELD("op", ODP_FK_BE16, struct ovs_key_arp, arp_op),
	ODP_FIELD("sha", ODP_FK_ETH, struct ovs_key_arp, arp_sha),
	ODP_FIELD("tha", ODP_FK_ETH, struct ovs_key_arp, arp_tha),
};

static const struct odp_field nd_fields[] = {
	ODP_FIELD("target", ODP_FK_IPV6, struct ovs_key_nd, nd_target),
	ODP_FIELD("sll", ODP_FK_ETH, struct ovs_key_nd, nd_sll),
	ODP_FIELD("tll", ODP_FK_ETH, struct ovs_key_nd, nd_tll),
};

/* Only the 20 bits of the flow label count. */
static bool
ipv6_mask_is(const uint8_t *m, size_t len, uint8_t byte)
{
	const size_t lo = offsetof(struct ovs_key_ipv6, ipv6_label);

	return (odp_get_be32(m + lo) & ODP_IPV6_LABEL_MASK) == (byte ? ODP_IPV6_LABEL_MASK : 0)
	       && odp_all_bytes(m, lo, byte)
	       && odp_all_bytes(m + lo + 4, len - lo - 4, byte);
}

/* The padding after the target hardware address does not count. */
static bool
arp_mask_is(const uint8_t *m, size_t len, uint8_t byte)
{
	(void)len;
	return odp_all_bytes(m, offsetof(struct ovs_key_arp, arp_tha) + 6, byte);
}

const struct odp_key_codec odp_key_ipv4 = { ODP_STRUCT_KEY("ipv4", struct ovs_key_ipv4, ipv4_fields) };
const struct odp_key_codec odp_key_ipv6 = {
	ODP_STRUCT_KEY("ipv6", struct ovs_key_ipv6, ipv6_fields), .mask_is = ipv6_mask_is,
};
const struct odp_key_codec odp_key_tcp = { ODP_STRUCT_KEY("tcp", struct ovs_key_tcp, tp_fields) };
const struct odp_key_codec odp_key_udp = { ODP_STRUCT_KEY("udp", struct ovs_key_udp, tp_fields) };
const struct odp_key_codec odp_key_sctp = { ODP_STRUCT_KEY("sctp", struct ovs_key_sctp, tp_fields) };
const struct odp_key_codec odp_key_icmp = { ODP_STRUCT_KEY("icmp", struct ovs_key_icmp, icmp_fields) };
const struct odp_key_codec odp_key_icmpv6 = {
	ODP_STRUCT_KEY("icmpv6", struct ovs_key_icmpv6, icmp_fields),
};
const struct odp_key_codec odp_key_arp = {
	ODP_STRUCT_KEY("arp", struct ovs_key_arp, arp_fields), .mask_is = arp_mask_is,
};
const struct odp_key_codec odp_key_nd = { ODP_STRUCT_KEY("nd", struct ovs_key_nd, nd_fields) };

/* ---- TCP flags ---------------------------------------------------------- */

static const struct odp_flag_name tcp_flag_names[] = {
	{ 0x001, "fin" }, { 0x002, "syn" }, { 0x004, "rst" }, { 0x008, "psh" },
	{ 0x010, "ack" }, { 0x020, "urg" }, { 0x040, "ece" }, { 0x080, "cwr" },
	{ 0x100, "ns" }, { 0x200, "[200]" }, { 0x400, "[400]" }, { 0x800, "[800]" },
	{ 0, NULL },
};

static int
format_tcp_flags(const struct odp_key_fmt *f)
{
	if (f->exact)
		odp_put_flags(f->out, tcp_flag_names, odp_get_be16(f->a->data), '|');
	else
		odp_put_flags_masked(f->out, tcp_flag_names, odp_get_be16(f->a->data),
				     odp_get_be16(f->m) & TCP_FLAGS_MASK, TCP_FLAGS_MASK);
	return 0;
}

static int
parse_tcp_flags(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint32_t v, mv;
	int r;

	if ((r = odp_lex_flags(lx, c->name, tcp_flag_names, UINT16_MAX, &v, &mv)))
		return r;
	return odp_key_close_be16(lx, c, type, key, mask, v, mv);
}

/* The 4 reserved bits do not count. */
static bool
tcp_flags_mask_is(const uint8_t *m, size_t len, uint8_t byte)
{
	(void)len;
	return (odp_get_be16(m) & TCP_FLAGS_MASK) == (byte ? TCP_FLAGS_MASK : 0);
}

const struct odp_key_codec odp_key_tcp_flags = {
	.name = "tcp_flags", .len = 2, .format = format_tcp_flags, .parse = parse_tcp_flags,
	.mask_is = tcp_flags_mask_is,
};

/* ---- IPv6 extension headers ("key32") ------------------------------------ */

/* Linux 5.18 added the IPv6 extension header key after types 29-31 that
 * user space and the kernel keep to themselves; every IPv6 flow carries it.
 * Open vSwitch has no name for it and prints it as "key32(...)". */

/* Bytes as ovs-dpctl prints a type it has no name for; its mask, when
 * there is one, always shows. */
static int
format_bytes(const struct odp_key_fmt *f)
{
	const uint8_t *k = f->a->data;

	for (size_t i = 0; i < f->a->len; i++)
		g_string_append_printf(f->out, i ? " %02x" : "%02x", k[i]);
	if (f->m) {
		g_string_append_c(f->out, '/');
		for (size_t i = 0; i < f->a->len; i++)
			g_string_append_printf(f->out, i ? " %02x" : "%02x", f->m[i]);
	}
	return 0;
}

static int
parse_bytes(struct odp_lexer *lx, const struct odp_key_codec *d, uint16_t type,
	    struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	g_autoptr(GByteArray) k = g_byte_array_new();
	g_autoptr(GByteArray) m = g_byte_array_new();
	const char *at = lx->p;
	int r;

	if ((r = odp_lex_hex_bytes(lx, d->name, k)))
		return r;
	if (*lx->p == '/') {
		lx->p++;
		at = lx->p;
		if ((r = odp_lex_hex_bytes(lx, d->name, m)))
			return r;
	} else {
		for (size_t i = 0; i < k->len; i++)
			g_byte_array_append(m, (const guint8 *)"\xff", 1);
	}
	if (k->len != (size_t)d->len || m->len != (size_t)d->len)
		return odp_lex_fail(lx, at, "%s: expected %d bytes", d->name, d->len);
	odp_put_pair(key, mask, type, k->data, m->data, k->len);
	return odp_lex_expect(lx, d->name, ')');
}

const struct odp_key_codec odp_key_ipv6_exthdrs = {
	.name = "key32", .len = 2, .format = format_bytes, .parse = parse_bytes,
	.mask_is = odp_mask_never,
};
