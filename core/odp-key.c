/* odp-key.c: flow keys and masks (OVS_KEY_ATTR_* attributes) to and from
 * the text of `ovs-dpctl dump-flows` / `add-flow`, and the quick field
 * extraction upcall handlers use.  Field names, number bases and the rules
 * for leaving out wildcarded fields follow Open vSwitch's odp-util. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <linux/erspan.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"
#include "odp-private.h"

/* Linux 5.18 added the IPv6 extension header key after types 29-31 that
 * user space and the kernel keep to themselves; every IPv6 flow carries it.
 * Open vSwitch has no name for it and prints it as "key32(...)". */
#define ODP_KEY_ATTR_IPV6_EXTHDRS 32
#define ODP_KEY_TYPES 33

#define LEN_NESTED (-1)
#define LEN_MPLS (-3)
#define MPLS_MAX_LABELS 3

#define VLAN_CFI 0x1000
#define VLAN_VID_MASK 0x0fff
#define VLAN_PCP_SHIFT 13
#define TCP_FLAGS_MASK 0x0fff
#define IPV6_LABEL_MASK 0x000fffff

/* Tunnel flags as Open vSwitch numbers them in text ("flags(-df+csum+key)"). */
#define TNL_F_OAM 0x1
#define TNL_F_DF 0x2
#define TNL_F_CSUM 0x4
#define TNL_F_KEY 0x8
#define TNL_F_MASK 0xf

enum field_kind {
	FK_U8,          /* decimal */
	FK_U8X,         /* hex */
	FK_BE16,        /* decimal */
	FK_BE16X,       /* hex */
	FK_IPV4,
	FK_IPV6,
	FK_ETH,
	FK_FRAG,        /* no, first, later */
	FK_LABEL,       /* 20-bit IPv6 flow label, hex */
	FK_BE64,        /* tunnel id, hex */
};

struct field {
	const char *name;
	const char *alias;      /* also accepted when parsing */
	uint8_t kind;
	uint8_t off;
};

enum key_kind {
	KK_ENCAP,
	KK_U32X,        /* skb_priority, skb_mark, dp_hash, recirc_id */
	KK_CT_MARK,
	KK_IN_PORT,
	KK_ETHERTYPE,
	KK_STRUCT,
	KK_VLAN,
	KK_TCP_FLAGS,
	KK_CT_STATE,
	KK_CT_ZONE,
	KK_CT_LABEL,
	KK_MPLS,
	KK_TUNNEL,
	KK_GENERIC,     /* known to the kernel, unnamed: "keyN(bytes/bytes)" */
	KK_NSH,
};

struct key_desc {
	const char *name;
	uint8_t kind;
	int len;
	const struct field *fields;
	size_t n_fields;
};

#define F(name, kind, type, member) { name, NULL, kind, offsetof(type, member) }

static const struct field eth_fields[] = {
	F("src", FK_ETH, struct ovs_key_ethernet, eth_src),
	F("dst", FK_ETH, struct ovs_key_ethernet, eth_dst),
};

static const struct field ipv4_fields[] = {
	F("src", FK_IPV4, struct ovs_key_ipv4, ipv4_src),
	F("dst", FK_IPV4, struct ovs_key_ipv4, ipv4_dst),
	F("proto", FK_U8, struct ovs_key_ipv4, ipv4_proto),
	F("tos", FK_U8X, struct ovs_key_ipv4, ipv4_tos),
	F("ttl", FK_U8, struct ovs_key_ipv4, ipv4_ttl),
	F("frag", FK_FRAG, struct ovs_key_ipv4, ipv4_frag),
};

static const struct field ipv6_fields[] = {
	F("src", FK_IPV6, struct ovs_key_ipv6, ipv6_src),
	F("dst", FK_IPV6, struct ovs_key_ipv6, ipv6_dst),
	F("label", FK_LABEL, struct ovs_key_ipv6, ipv6_label),
	F("proto", FK_U8, struct ovs_key_ipv6, ipv6_proto),
	F("tclass", FK_U8X, struct ovs_key_ipv6, ipv6_tclass),
	F("hlimit", FK_U8, struct ovs_key_ipv6, ipv6_hlimit),
	F("frag", FK_FRAG, struct ovs_key_ipv6, ipv6_frag),
};

/* tcp, udp and sctp share one layout. */
static const struct field tp_fields[] = {
	F("src", FK_BE16, struct ovs_key_tcp, tcp_src),
	F("dst", FK_BE16, struct ovs_key_tcp, tcp_dst),
};

static const struct field icmp_fields[] = {
	F("type", FK_U8, struct ovs_key_icmp, icmp_type),
	F("code", FK_U8, struct ovs_key_icmp, icmp_code),
};

static const struct field arp_fields[] = {
	F("sip", FK_IPV4, struct ovs_key_arp, arp_sip),
	F("tip", FK_IPV4, struct ovs_key_arp, arp_tip),
	F("op", FK_BE16, struct ovs_key_arp, arp_op),
	F("sha", FK_ETH, struct ovs_key_arp, arp_sha),
	F("tha", FK_ETH, struct ovs_key_arp, arp_tha),
};

static const struct field nd_fields[] = {
	F("target", FK_IPV6, struct ovs_key_nd, nd_target),
	F("sll", FK_ETH, struct ovs_key_nd, nd_sll),
	F("tll", FK_ETH, struct ovs_key_nd, nd_tll),
};

static const struct field ct_tuple4_fields[] = {
	F("src", FK_IPV4, struct ovs_key_ct_tuple_ipv4, ipv4_src),
	F("dst", FK_IPV4, struct ovs_key_ct_tuple_ipv4, ipv4_dst),
	F("proto", FK_U8, struct ovs_key_ct_tuple_ipv4, ipv4_proto),
	F("tp_src", FK_BE16, struct ovs_key_ct_tuple_ipv4, src_port),
	F("tp_dst", FK_BE16, struct ovs_key_ct_tuple_ipv4, dst_port),
};

/* Open vSwitch prints src_port/dst_port here but parses tp_src/tp_dst. */
static const struct field ct_tuple6_fields[] = {
	F("src", FK_IPV6, struct ovs_key_ct_tuple_ipv6, ipv6_src),
	F("dst", FK_IPV6, struct ovs_key_ct_tuple_ipv6, ipv6_dst),
	F("proto", FK_U8, struct ovs_key_ct_tuple_ipv6, ipv6_proto),
	{ "src_port", "tp_src", FK_BE16, offsetof(struct ovs_key_ct_tuple_ipv6, src_port) },
	{ "dst_port", "tp_dst", FK_BE16, offsetof(struct ovs_key_ct_tuple_ipv6, dst_port) },
};

#define STRUCT_KEY(name, type, fields) \
	{ name, KK_STRUCT, sizeof(type), fields, G_N_ELEMENTS(fields) }

static const struct key_desc key_descs[ODP_KEY_TYPES] = {
	[OVS_KEY_ATTR_ENCAP] = { "encap", KK_ENCAP, LEN_NESTED, NULL, 0 },
	[OVS_KEY_ATTR_PRIORITY] = { "skb_priority", KK_U32X, 4, NULL, 0 },
	[OVS_KEY_ATTR_IN_PORT] = { "in_port", KK_IN_PORT, 4, NULL, 0 },
	[OVS_KEY_ATTR_ETHERNET] = STRUCT_KEY("eth", struct ovs_key_ethernet, eth_fields),
	[OVS_KEY_ATTR_VLAN] = { "vlan", KK_VLAN, 2, NULL, 0 },
	[OVS_KEY_ATTR_ETHERTYPE] = { "eth_type", KK_ETHERTYPE, 2, NULL, 0 },
	[OVS_KEY_ATTR_IPV4] = STRUCT_KEY("ipv4", struct ovs_key_ipv4, ipv4_fields),
	[OVS_KEY_ATTR_IPV6] = STRUCT_KEY("ipv6", struct ovs_key_ipv6, ipv6_fields),
	[OVS_KEY_ATTR_TCP] = STRUCT_KEY("tcp", struct ovs_key_tcp, tp_fields),
	[OVS_KEY_ATTR_UDP] = STRUCT_KEY("udp", struct ovs_key_udp, tp_fields),
	[OVS_KEY_ATTR_ICMP] = STRUCT_KEY("icmp", struct ovs_key_icmp, icmp_fields),
	[OVS_KEY_ATTR_ICMPV6] = STRUCT_KEY("icmpv6", struct ovs_key_icmpv6, icmp_fields),
	[OVS_KEY_ATTR_ARP] = STRUCT_KEY("arp", struct ovs_key_arp, arp_fields),
	[OVS_KEY_ATTR_ND] = STRUCT_KEY("nd", struct ovs_key_nd, nd_fields),
	[OVS_KEY_ATTR_SKB_MARK] = { "skb_mark", KK_U32X, 4, NULL, 0 },
	[OVS_KEY_ATTR_TUNNEL] = { "tunnel", KK_TUNNEL, LEN_NESTED, NULL, 0 },
	[OVS_KEY_ATTR_SCTP] = STRUCT_KEY("sctp", struct ovs_key_sctp, tp_fields),
	[OVS_KEY_ATTR_TCP_FLAGS] = { "tcp_flags", KK_TCP_FLAGS, 2, NULL, 0 },
	[OVS_KEY_ATTR_DP_HASH] = { "dp_hash", KK_U32X, 4, NULL, 0 },
	[OVS_KEY_ATTR_RECIRC_ID] = { "recirc_id", KK_U32X, 4, NULL, 0 },
	[OVS_KEY_ATTR_MPLS] = { "mpls", KK_MPLS, LEN_MPLS, NULL, 0 },
	[OVS_KEY_ATTR_CT_STATE] = { "ct_state", KK_CT_STATE, 4, NULL, 0 },
	[OVS_KEY_ATTR_CT_ZONE] = { "ct_zone", KK_CT_ZONE, 2, NULL, 0 },
	[OVS_KEY_ATTR_CT_MARK] = { "ct_mark", KK_CT_MARK, 4, NULL, 0 },
	[OVS_KEY_ATTR_CT_LABELS] = { "ct_label", KK_CT_LABEL, 16, NULL, 0 },
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4] = STRUCT_KEY("ct_tuple4", struct ovs_key_ct_tuple_ipv4,
						       ct_tuple4_fields),
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6] = STRUCT_KEY("ct_tuple6", struct ovs_key_ct_tuple_ipv6,
						       ct_tuple6_fields),
	[OVS_KEY_ATTR_NSH] = { "nsh", KK_NSH, LEN_NESTED, NULL, 0 },
	[ODP_KEY_ATTR_IPV6_EXTHDRS] = { "key32", KK_GENERIC, 2, NULL, 0 },
};

enum tun_kind {
	TK_FIELD,
	TK_FLAG,
	TK_GENEVE,
	TK_VXLAN,
	TK_PAD,
	TK_ERSPAN,
};

struct tun_desc {
	const char *name;
	uint8_t kind;
	uint8_t field_kind;     /* for TK_FIELD */
	int len;                /* -1: any */
	uint32_t flag;          /* for TK_FLAG */
};

static const struct tun_desc tun_descs[] = {
	[OVS_TUNNEL_KEY_ATTR_ID] = { "tun_id", TK_FIELD, FK_BE64, 8, 0 },
	[OVS_TUNNEL_KEY_ATTR_IPV4_SRC] = { "src", TK_FIELD, FK_IPV4, 4, 0 },
	[OVS_TUNNEL_KEY_ATTR_IPV4_DST] = { "dst", TK_FIELD, FK_IPV4, 4, 0 },
	[OVS_TUNNEL_KEY_ATTR_TOS] = { "tos", TK_FIELD, FK_U8X, 1, 0 },
	[OVS_TUNNEL_KEY_ATTR_TTL] = { "ttl", TK_FIELD, FK_U8, 1, 0 },
	[OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT] = { "df", TK_FLAG, 0, 0, TNL_F_DF },
	[OVS_TUNNEL_KEY_ATTR_CSUM] = { "csum", TK_FLAG, 0, 0, TNL_F_CSUM },
	[OVS_TUNNEL_KEY_ATTR_OAM] = { "oam", TK_FLAG, 0, 0, TNL_F_OAM },
	[OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS] = { "geneve", TK_GENEVE, 0, -1, 0 },
	[OVS_TUNNEL_KEY_ATTR_TP_SRC] = { "tp_src", TK_FIELD, FK_BE16, 2, 0 },
	[OVS_TUNNEL_KEY_ATTR_TP_DST] = { "tp_dst", TK_FIELD, FK_BE16, 2, 0 },
	[OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS] = { "vxlan", TK_VXLAN, 0, -1, 0 },
	[OVS_TUNNEL_KEY_ATTR_IPV6_SRC] = { "ipv6_src", TK_FIELD, FK_IPV6, 16, 0 },
	[OVS_TUNNEL_KEY_ATTR_IPV6_DST] = { "ipv6_dst", TK_FIELD, FK_IPV6, 16, 0 },
	[OVS_TUNNEL_KEY_ATTR_PAD] = { "pad", TK_PAD, 0, -1, 0 },
	[OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS] = { "erspan", TK_ERSPAN, 0, sizeof(struct erspan_metadata), 0 },
};

static const struct odp_flag_name tun_flag_names[] = {
	{ TNL_F_OAM, "oam" },
	{ TNL_F_DF, "df" },
	{ TNL_F_CSUM, "csum" },
	{ TNL_F_KEY, "key" },
	{ 0, NULL },
};

static const struct odp_flag_name tcp_flag_names[] = {
	{ 0x001, "fin" }, { 0x002, "syn" }, { 0x004, "rst" }, { 0x008, "psh" },
	{ 0x010, "ack" }, { 0x020, "urg" }, { 0x040, "ece" }, { 0x080, "cwr" },
	{ 0x100, "ns" }, { 0x200, "[200]" }, { 0x400, "[400]" }, { 0x800, "[800]" },
	{ 0, NULL },
};

static const struct odp_flag_name ct_state_names[] = {
	{ OVS_CS_F_NEW, "new" },
	{ OVS_CS_F_ESTABLISHED, "est" },
	{ OVS_CS_F_RELATED, "rel" },
	{ OVS_CS_F_REPLY_DIR, "rpl" },
	{ OVS_CS_F_INVALID, "inv" },
	{ OVS_CS_F_TRACKED, "trk" },
	{ OVS_CS_F_SRC_NAT, "snat" },
	{ OVS_CS_F_DST_NAT, "dnat" },
	{ 0, NULL },
};

static const char *const frag_names[] = { "no", "first", "later" };

/* Big enough to stand for the all-wildcard mask of any key or tunnel
 * option (an attribute payload is at most 64 KiB, but Geneve options,
 * the largest variable one, are at most 252 bytes). */
static const uint8_t zeros[256];

#define GENEVE_MAX_OPTS 252
#define GENEVE_MAX_DATA 124

static const struct key_desc *
key_desc(uint16_t type)
{
	if (type >= ODP_KEY_TYPES || !key_descs[type].name)
		return NULL;
	return &key_descs[type];
}

const char *
odp_key_name(uint16_t type)
{
	const struct key_desc *d = key_desc(type);

	return d ? d->name : NULL;
}

int
odp_key_len(uint16_t type)
{
	const struct key_desc *d = key_desc(type);

	if (!d)
		return -2;
	return d->len >= 0 ? d->len : -1;
}

/* ---- Types without a name ------------------------------------------------ */

/* ovs-dpctl prints an attribute it has no name for as "keyN(bytes)", or
 * "keyN(bytes/mask bytes)" when masked, each byte as two hex digits and a
 * space between bytes; ovsdp reads that back to the same bytes. */
static void
put_generic(GString *out, uint16_t type, const uint8_t *k, size_t klen, const uint8_t *m,
	    size_t mlen, bool show_mask)
{
	g_string_append_printf(out, "key%u(", type);
	for (size_t i = 0; i < klen; i++)
		g_string_append_printf(out, i ? " %02x" : "%02x", k[i]);
	if (show_mask) {
		g_string_append_c(out, '/');
		/* m NULL: the all-wildcard mask, as long as the key. */
		for (size_t i = 0; i < (m ? mlen : klen); i++)
			g_string_append_printf(out, i ? " %02x" : "%02x", m ? m[i] : 0);
	}
	g_string_append_c(out, ')');
}

/* Whether the name at 'at' (n characters) is "keyN" with N a type number
 * written without leading zeros. */
static bool
generic_type(const char *at, size_t n, uint16_t *type)
{
	unsigned v = 0;

	if (n < 4 || memcmp(at, "key", 3) || (at[3] == '0' && n > 4))
		return false;
	for (size_t i = 3; i < n; i++) {
		if (at[i] < '0' || at[i] > '9')
			return false;
		v = v * 10 + (unsigned)(at[i] - '0');
		if (v > 0x3fff)         /* nla_type has 14 bits for the type */
			return false;
	}
	*type = (uint16_t)v;
	return true;
}

/* After "keyN(": "bytes[/bytes])"; a missing mask is exact (all ones). */
static int
parse_generic_body(struct odp_lexer *lx, const char *ctx, uint16_t type, struct ovsdp_buf *key,
		   struct ovsdp_buf *mask)
{
	g_autoptr(GByteArray) k = g_byte_array_new();
	g_autoptr(GByteArray) m = g_byte_array_new();
	const char *at;
	int r;

	if ((r = odp_lex_hex_bytes(lx, ctx, k)))
		return r;
	at = lx->p;
	if (*lx->p == '/') {
		lx->p++;
		if ((r = odp_lex_hex_bytes(lx, ctx, m)))
			return r;
		if (m->len != k->len)
			return odp_lex_fail(lx, at + 1, "%s: key%u: mask is %u bytes, the value %u",
					    ctx, type, m->len, k->len);
	} else {
		g_byte_array_set_size(m, k->len);
		if (k->len)
			memset(m->data, 0xff, k->len);
	}
	if ((r = odp_lex_expect(lx, ctx, ')')))
		return r;
	ovsdp_buf_put_attr(key, type, k->data, k->len);
	if (mask)
		ovsdp_buf_put_attr(mask, type, m->data, m->len);
	return 0;
}

/* ---- Masks -------------------------------------------------------------- */

/* Whether every meaningful bit of a mask equals 'byte' (0 or 0xff), with
 * Open vSwitch's notion of which bits are meaningful. */
static bool
mask_is_const(uint16_t type, const uint8_t *m, size_t len, uint8_t byte)
{
	switch (type) {
	case OVS_KEY_ATTR_ENCAP:
	case ODP_KEY_ATTR_IPV6_EXTHDRS:
		return false;
	case OVS_KEY_ATTR_TCP_FLAGS:
		return (odp_get_be16(m) & TCP_FLAGS_MASK) == (byte ? TCP_FLAGS_MASK : 0);
	case OVS_KEY_ATTR_IPV6: {
		const size_t lo = offsetof(struct ovs_key_ipv6, ipv6_label);

		return (odp_get_be32(m + lo) & IPV6_LABEL_MASK) == (byte ? IPV6_LABEL_MASK : 0)
		       && odp_all_bytes(m, lo, byte)
		       && odp_all_bytes(m + lo + 4, len - lo - 4, byte);
	}
	case OVS_KEY_ATTR_ARP:
		return odp_all_bytes(m, offsetof(struct ovs_key_arp, arp_tha) + 6, byte);
	case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4:
		return odp_all_bytes(m, offsetof(struct ovs_key_ct_tuple_ipv4, ipv4_proto) + 1, byte);
	case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6:
		return odp_all_bytes(m, offsetof(struct ovs_key_ct_tuple_ipv6, ipv6_proto) + 1, byte);
	default:
		return odp_all_bytes(m, len, byte);
	}
}

enum mask_mode {
	MASK_EXACT,     /* no mask: every field matches exactly */
	MASK_GIVEN,     /* data/len hold the mask attributes of this level */
	MASK_WILD,      /* everything at and below this level is wildcarded */
};

struct mask_ref {
	enum mask_mode mode;
	const uint8_t *data;
	size_t len;
};

/* ---- Printing ----------------------------------------------------------- */

static size_t
field_size(uint8_t kind)
{
	switch (kind) {
	case FK_U8:
	case FK_U8X:
	case FK_FRAG:
		return 1;
	case FK_BE16:
	case FK_BE16X:
		return 2;
	case FK_IPV4:
	case FK_LABEL:
		return 4;
	case FK_ETH:
		return 6;
	case FK_BE64:
		return 8;
	default:
		return 16;
	}
}

static void
put_field_value(GString *out, uint8_t kind, const uint8_t *v)
{
	switch (kind) {
	case FK_U8:
		g_string_append_printf(out, "%u", v[0]);
		break;
	case FK_U8X:
		g_string_append_printf(out, "%#x", v[0]);
		break;
	case FK_BE16:
		g_string_append_printf(out, "%u", odp_get_be16(v));
		break;
	case FK_BE16X:
		g_string_append_printf(out, "%#x", odp_get_be16(v));
		break;
	case FK_IPV4:
		odp_put_ipv4(out, v);
		break;
	case FK_IPV6:
		odp_put_ipv6(out, v);
		break;
	case FK_ETH:
		odp_put_mac(out, v);
		break;
	case FK_LABEL:
		g_string_append_printf(out, "%#x", odp_get_be32(v));
		break;
	case FK_BE64:
		g_string_append_printf(out, "0x%" G_GINT64_MODIFIER "x", odp_get_be64(v));
		break;
	}
}

static void
put_field_mask(GString *out, uint8_t kind, const uint8_t *m)
{
	switch (kind) {
	case FK_U8:
	case FK_U8X:
		g_string_append_printf(out, "%#x", m[0]);
		break;
	case FK_BE16:
	case FK_BE16X:
		g_string_append_printf(out, "%#x", odp_get_be16(m));
		break;
	case FK_LABEL:
		g_string_append_printf(out, "%#x", odp_get_be32(m));
		break;
	case FK_BE64:
		g_string_append_printf(out, "%#" G_GINT64_MODIFIER "x", odp_get_be64(m));
		break;
	default:
		put_field_value(out, kind, m);
		break;
	}
}

/* One "name=value[/mask]," ('m' NULL for exact); nothing when the field is
 * wildcarded and not verbose. */
static int
put_field(GString *out, const char *ctx, const char *name, uint8_t kind,
	  const uint8_t *v, const uint8_t *m, bool verbose, GError **error)
{
	size_t n = field_size(kind);
	bool empty = m && odp_all_bytes(m, n, 0);
	bool full = !m || (kind == FK_LABEL ? (odp_get_be32(m) & IPV6_LABEL_MASK) == IPV6_LABEL_MASK
					     : odp_all_bytes(m, n, 0xff));

	if (kind == FK_FRAG) {
		/* An enumeration: a partial mask means nothing. */
		if (!empty && !full)
			return odp_fail(error, "%s: partial mask %#x on frag", ctx, m[0]);
		if (empty)
			return 0;
		if (v[0] >= G_N_ELEMENTS(frag_names))
			return odp_fail(error, "%s: bad frag type %u", ctx, v[0]);
		g_string_append_printf(out, "%s=%s,", name, frag_names[v[0]]);
		return 0;
	}
	if (empty && !verbose)
		return 0;
	if (kind == FK_LABEL && odp_get_be32(v) > IPV6_LABEL_MASK)
		return odp_fail(error, "%s: label %#x is wider than 20 bits", ctx, odp_get_be32(v));
	g_string_append_printf(out, "%s=", name);
	put_field_value(out, kind, v);
	if (!full) {
		g_string_append_c(out, '/');
		put_field_mask(out, kind, m);
	}
	g_string_append_c(out, ',');
	return 0;
}

static void
put_vlan_tci(GString *out, uint16_t tci, uint16_t mask, bool verbose)
{
	uint16_t vid = tci & VLAN_VID_MASK, vid_m = mask & VLAN_VID_MASK;
	unsigned pcp = tci >> VLAN_PCP_SHIFT, pcp_m = mask >> VLAN_PCP_SHIFT;

	if (verbose || vid || vid_m) {
		g_string_append_printf(out, "vid=%u", vid);
		if (vid_m != VLAN_VID_MASK)
			g_string_append_printf(out, "/0x%x", vid_m);
		g_string_append_c(out, ',');
	}
	if (verbose || pcp || pcp_m) {
		g_string_append_printf(out, "pcp=%u", pcp);
		if (pcp_m != 7)
			g_string_append_printf(out, "/0x%x", pcp_m);
		g_string_append_c(out, ',');
	}
	if (!(tci & VLAN_CFI))
		g_string_append(out, "cfi=0,");
	odp_chomp(out, ',');
}

static void
put_mpls(GString *out, const uint8_t *k, const uint8_t *m, size_t len)
{
	for (size_t i = 0; i < len; i += 4) {
		uint32_t lse = odp_get_be32(k + i);

		g_string_append_printf(out, "label=%u", lse >> 12);
		if (m) {
			uint32_t ml = odp_get_be32(m + i);

			/* Open vSwitch's own mixture of bases, kept for fidelity. */
			g_string_append_printf(out, "/0x%x,tc=%u/%x,ttl=%u/0x%x,bos=%u/%x",
					       ml >> 12, (lse >> 9) & 7, (ml >> 9) & 7,
					       lse & 0xff, ml & 0xff, (lse >> 8) & 1, (ml >> 8) & 1);
		} else {
			g_string_append_printf(out, ",tc=%u,ttl=%u,bos=%u",
					       (lse >> 9) & 7, lse & 0xff, (lse >> 8) & 1);
		}
		g_string_append_c(out, ',');
	}
	odp_chomp(out, ',');
}

static int format_key_list(GString *out, const uint8_t *key, size_t klen, struct mask_ref mr,
			   bool verbose, int depth, const char *ctx, GError **error);

static int
check_tun_len(const struct tun_desc *d, const struct odp_attr *a, const char *what,
	      GError **error)
{
	if (d->len >= 0 && a->len != (size_t)d->len)
		return odp_fail(error, "tunnel: %s%s payload is %zu bytes, expected %d",
				d->name, what, a->len, d->len);
	return 0;
}

static const struct tun_desc *
tun_desc(uint16_t type)
{
	if (type >= G_N_ELEMENTS(tun_descs) || !tun_descs[type].name)
		return NULL;
	return &tun_descs[type];
}

/* Geneve options: {class=,type=,len=,data[/mask]} each; 'm' is NULL
 * (exact) or as long as 'k'. */
static int
put_geneve(GString *out, const uint8_t *k, const uint8_t *m, size_t len, bool verbose,
	   GError **error)
{
	size_t off = 0;
	int r;

	if (len % 4 || len > GENEVE_MAX_OPTS)
		return odp_fail(error, "tunnel: geneve options are %zu bytes, expected a multiple of 4 up to %d",
				len, GENEVE_MAX_OPTS);
	while (off < len) {
		uint8_t dlen = (uint8_t)((k[off + 3] & 0x1f) * 4), lmask = 0;
		const uint8_t *data = k + off + 4, *dmask = m ? m + off + 4 : NULL;

		if (4 + (size_t)dlen > len - off)
			return odp_fail(error, "tunnel: geneve option at offset %zu overruns the options", off);
		bool show_data = dlen && (verbose || !dmask || !odp_all_bytes(dmask, dlen, 0));

		if (m)
			lmask = (m[off + 3] & 0x1f) == 0x1f ? 0xff : m[off + 3] & 0x1f;
		g_string_append_c(out, '{');
		/* Data needs its length in front, even a wildcarded one (Open
		 * vSwitch leaves it out, and then nothing can parse the text). */
		if ((r = put_field(out, "tunnel", "class", FK_BE16X, k + off, m ? m + off : NULL, verbose, error))
		    || (r = put_field(out, "tunnel", "type", FK_U8X, k + off + 2, m ? m + off + 2 : NULL,
				      verbose, error))
		    || (r = put_field(out, "tunnel", "len", FK_U8, &dlen, m ? &lmask : NULL,
				      verbose || show_data, error)))
			return r;
		if (show_data) {
			odp_put_hex_trimmed(out, data, dlen);
			if (dmask && !odp_all_bytes(dmask, dlen, 0xff)) {
				g_string_append_c(out, '/');
				odp_put_hex_trimmed(out, dmask, dlen);
			}
		} else {
			odp_chomp(out, ',');
		}
		g_string_append_c(out, '}');
		off += 4 + (size_t)dlen;
	}
	return 0;
}

/* The NSH key (base header and MD type 1 context) as ovs-dpctl prints it:
 * every field when exact; otherwise only the fields with a non-zero mask,
 * a u8 as "N" (exact) or "0xNN/0xNN", a 32-bit one as "0xN" or
 * "0xN/0xNNNNNNNN".  A part the mask leaves out counts as exact, and MD
 * type 2 context (which the kernel cannot match) is not shown.  Like
 * ovs-dpctl, a key without MD type 1 context prints its context as exact
 * zeros (c1=0x0,...), so such a key (mdtype wildcarded) does not read back
 * to the same mask: write mdtype=1 to match on context. */
static int
format_nsh(GString *out, const struct odp_attr *a, struct mask_ref mr, GError **error)
{
	/* flags, ttl, mdtype, np, path header (spi << 8 | si), c1..c4 */
	uint8_t k[24] = { 0 }, m[24];
	static const char *const u8_names[] = { "flags", "ttl", "mdtype", "np" };
	struct odp_iter it;
	struct odp_attr t, mt;
	bool first = true;
	int r;

	memset(m, 0xff, sizeof m);
	if (mr.mode == MASK_GIVEN && (r = odp_list_check(mr.data, mr.len, "nsh mask", error)))
		return r;
	odp_iter_init(&it, a->data, a->len, "nsh");
	while ((r = odp_iter_next(&it, &t, error)) > 0) {
		size_t off, len;

		if (t.type == OVS_NSH_KEY_ATTR_BASE) {
			off = 0;
			len = sizeof(struct ovs_nsh_key_base);
		} else if (t.type == OVS_NSH_KEY_ATTR_MD1) {
			off = 8;
			len = sizeof(struct ovs_nsh_key_md1);
		} else if (t.type == OVS_NSH_KEY_ATTR_MD2) {
			continue;
		} else {
			return odp_fail(error, "nsh: unknown attribute type %u", t.type);
		}
		if (t.len != len)
			return odp_fail(error, "nsh: attribute %u payload is %zu bytes, expected %zu",
					t.type, t.len, len);
		memcpy(k + off, t.data, len);
		if (mr.mode == MASK_WILD) {
			memset(m + off, 0, len);
		} else if (mr.mode == MASK_GIVEN && odp_list_find(mr.data, mr.len, t.type, &mt)) {
			if (mt.len != len)
				return odp_fail(error, "nsh mask: attribute %u payload is %zu bytes, expected %zu",
						t.type, mt.len, len);
			memcpy(m + off, mt.data, len);
		}
	}
	if (r < 0)
		return r;

	if (mr.mode == MASK_EXACT) {
		g_string_append_printf(out, "flags=%u,ttl=%u,mdtype=%u,np=%u,spi=0x%x,si=%u",
				       k[0], k[1], k[2], k[3], odp_get_be32(k + 4) >> 8, k[7]);
		if (k[2] == 1)
			for (int i = 0; i < 4; i++)
				g_string_append_printf(out, ",c%d=0x%x", i + 1, odp_get_be32(k + 8 + 4 * i));
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		if (!m[i])
			continue;
		g_string_append_printf(out, first ? "%s=" : ",%s=", u8_names[i]);
		if (m[i] == 0xff)
			g_string_append_printf(out, "%u", k[i]);
		else
			g_string_append_printf(out, "0x%02x/0x%02x", k[i], m[i]);
		first = false;
	}
	for (int i = 0; i < 6; i++) {
		/* spi, si, then the four context words */
		uint32_t v, vm;

		if (i == 1) {
			if (!m[7])
				continue;
			g_string_append(out, first ? "si=" : ",si=");
			if (m[7] == 0xff)
				g_string_append_printf(out, "%u", k[7]);
			else
				g_string_append_printf(out, "0x%02x/0x%02x", k[7], m[7]);
			first = false;
			continue;
		}
		if (i == 0) {
			v = odp_get_be32(k + 4) >> 8;
			vm = odp_get_be32(m + 4) >> 8;
			if (vm == 0xffffff)
				vm = UINT32_MAX;
		} else {
			v = odp_get_be32(k + 8 + 4 * (i - 2));
			vm = odp_get_be32(m + 8 + 4 * (i - 2));
		}
		if (!vm)
			continue;
		if (i == 0)
			g_string_append(out, first ? "spi=" : ",spi=");
		else
			g_string_append_printf(out, first ? "c%d=" : ",c%d=", i - 1);
		if (vm == UINT32_MAX)
			g_string_append_printf(out, "0x%x", v);
		else
			g_string_append_printf(out, "0x%x/0x%08x", v, vm);
		first = false;
	}
	return 0;
}

/* ERSPAN metadata (struct erspan_metadata: the version as a host int, then
 * the v1 index or the v2 direction and hardware id), as ovs-dpctl prints
 * it: "ver=1,idx=0x7" or "ver=2,dir=1,hwid=0x3"; a v1 index shows its mask
 * whenever a mask is given.  'm' is NULL (exact) or 8 bytes. */
static int
put_erspan(GString *out, const uint8_t *k, const uint8_t *m, bool verbose, GError **error)
{
	struct erspan_metadata key, mask;
	uint8_t ver, ver_m, dir, dir_m, hwid, hwid_m;
	int r;

	memcpy(&key, k, sizeof key);
	if (m)
		memcpy(&mask, m, sizeof mask);
	ver = (uint8_t)key.version;
	ver_m = m ? (uint8_t)mask.version : 0;
	g_string_append(out, "erspan(");
	if ((r = put_field(out, "tunnel", "ver", FK_U8, &ver, m ? &ver_m : NULL, verbose, error)))
		return r;
	if (key.version == 1) {
		g_string_append_printf(out, "idx=%#x", ntohl(key.u.index));
		if (m)
			g_string_append_printf(out, "/%#x", ntohl(mask.u.index));
		g_string_append_c(out, ',');
	} else if (key.version == 2) {
		dir = key.u.md2.dir;
		hwid = key.u.md2.hwid;
		dir_m = m ? mask.u.md2.dir : 0;
		hwid_m = m ? mask.u.md2.hwid : 0;
		if ((r = put_field(out, "tunnel", "dir", FK_U8, &dir, m ? &dir_m : NULL, verbose, error))
		    || (r = put_field(out, "tunnel", "hwid", FK_U8X, &hwid, m ? &hwid_m : NULL, verbose,
				      error)))
			return r;
	}
	odp_chomp(out, ',');
	g_string_append(out, "),");
	return 0;
}

/* VXLAN group policy: "gbp(id=,flags=)". */
static int
put_vxlan(GString *out, const struct odp_attr *a, const struct odp_attr *ma, enum mask_mode mode,
	  bool verbose, GError **error)
{
	struct odp_iter it;
	struct odp_attr g, mg;
	int r;

	if (ma && (r = odp_list_check(ma->data, ma->len, "tunnel: vxlan mask", error)))
		return r;
	odp_iter_init(&it, a->data, a->len, "tunnel: vxlan");
	while ((r = odp_iter_next(&it, &g, error)) > 0) {
		uint8_t id[2], flags, mid[2] = { 0, 0 }, mflags = 0;
		uint32_t v, mv = 0;

		if (g.type != OVS_VXLAN_EXT_GBP) {
			bool found = ma && odp_list_find(ma->data, ma->len, g.type, &mg);

			put_generic(out, g.type, g.data, g.len, found ? mg.data : NULL, found ? mg.len : 0,
				    mode != MASK_EXACT && !(found && mg.len == g.len
							    && odp_all_bytes(mg.data, mg.len, 0xff)));
			g_string_append_c(out, ',');
			continue;
		}
		if (g.len != 4)
			return odp_fail(error, "tunnel: vxlan: gbp payload is %zu bytes, expected 4", g.len);
		if (ma && odp_list_find(ma->data, ma->len, OVS_VXLAN_EXT_GBP, &mg)) {
			if (mg.len != 4)
				return odp_fail(error, "tunnel: vxlan: gbp mask payload is %zu bytes, expected 4",
						mg.len);
			mv = odp_get_u32(mg.data);
		}
		v = odp_get_u32(g.data);
		id[0] = (uint8_t)(v >> 8);
		id[1] = (uint8_t)v;
		flags = (uint8_t)(v >> 16);
		mid[0] = (uint8_t)(mv >> 8);
		mid[1] = (uint8_t)mv;
		mflags = (uint8_t)(mv >> 16);
		g_string_append(out, "gbp(");
		if ((r = put_field(out, "tunnel", "id", FK_BE16, id, mode == MASK_EXACT ? NULL : mid,
				   verbose, error))
		    || (r = put_field(out, "tunnel", "flags", FK_U8X, &flags, mode == MASK_EXACT ? NULL : &mflags,
				      verbose, error)))
			return r;
		odp_chomp(out, ',');
		g_string_append(out, "),");
	}
	odp_chomp(out, ',');
	return r;
}

static int
format_tunnel(GString *out, const struct odp_attr *a, struct mask_ref mr, bool verbose,
	      GError **error)
{
	struct odp_iter it;
	struct odp_attr t;
	uint32_t flags = 0, mflags = 0, seen = 0;
	int r;

	if (mr.mode == MASK_GIVEN) {
		/* Flags may be masked without being set in the key. */
		odp_iter_init(&it, mr.data, mr.len, "tunnel mask");
		while ((r = odp_iter_next(&it, &t, error)) > 0) {
			const struct tun_desc *d = tun_desc(t.type);

			if (!d)
				continue;
			if ((r = check_tun_len(d, &t, " mask", error)))
				return r;
			if (d->kind == TK_FLAG)
				mflags |= d->flag;
		}
		if (r < 0)
			return r;
	}

	odp_iter_init(&it, a->data, a->len, "tunnel");
	while ((r = odp_iter_next(&it, &t, error)) > 0) {
		const struct tun_desc *d = tun_desc(t.type);
		struct odp_attr mt;
		const uint8_t *m = NULL;

		if (!d) {
			bool found = mr.mode == MASK_GIVEN && odp_list_find(mr.data, mr.len, t.type, &mt);

			/* The mask is shown unless it is exact, as ovs-dpctl does. */
			put_generic(out, t.type, t.data, t.len, found ? mt.data : NULL, found ? mt.len : 0,
				    mr.mode != MASK_EXACT && !(found && mt.len == t.len
							       && odp_all_bytes(mt.data, mt.len, 0xff)));
			g_string_append_c(out, ',');
			continue;
		}
		if (seen & (1u << t.type))
			return odp_fail(error, "tunnel: duplicate attribute %s", d->name);
		seen |= 1u << t.type;
		if ((r = check_tun_len(d, &t, "", error)))
			return r;
		if (mr.mode != MASK_EXACT) {
			m = zeros;
			if (mr.mode == MASK_GIVEN && odp_list_find(mr.data, mr.len, t.type, &mt))
				m = mt.data;
		}
		switch (d->kind) {
		case TK_FIELD:
			if (t.type == OVS_TUNNEL_KEY_ATTR_ID) {
				flags |= TNL_F_KEY;
				if (mr.mode != MASK_EXACT)
					mflags |= TNL_F_KEY;
			}
			r = put_field(out, "tunnel", d->name, d->field_kind, t.data, m, verbose, error);
			if (r)
				return r;
			break;
		case TK_FLAG:
			/* Open vSwitch's stand-in for a missing mask copies the
			 * key's flag attributes, so they read as masked. */
			flags |= d->flag;
			if (mr.mode == MASK_WILD)
				mflags |= d->flag;
			break;
		case TK_PAD:
			break;
		case TK_ERSPAN:
			if ((r = put_erspan(out, t.data, mr.mode == MASK_EXACT ? NULL : m, verbose, error)))
				return r;
			break;
		case TK_GENEVE:
			if (mr.mode == MASK_GIVEN && m != zeros && mt.len != t.len)
				return odp_fail(error, "tunnel: geneve mask is %zu bytes, expected %zu",
						mt.len, t.len);
			g_string_append(out, "geneve(");
			if ((r = put_geneve(out, t.data, m, t.len, verbose, error)))
				return r;
			g_string_append(out, "),");
			break;
		case TK_VXLAN:
			g_string_append(out, "vxlan(");
			r = put_vxlan(out, &t, mr.mode == MASK_GIVEN && m != zeros ? &mt : NULL, mr.mode,
				      verbose, error);
			if (r)
				return r;
			g_string_append(out, "),");
			break;
		default:
			return odp_fail(error, "tunnel: %s (%u) is not supported", d->name, t.type);
		}
	}
	if (r < 0)
		return r;

	if (verbose || mr.mode == MASK_EXACT || mflags) {
		g_string_append(out, "flags(");
		if (mr.mode == MASK_EXACT)
			odp_put_flags(out, tun_flag_names, flags, '|');
		else
			odp_put_flags_masked(out, tun_flag_names, flags, mflags & TNL_F_MASK, TNL_F_MASK);
		g_string_append(out, "),");
	}
	odp_chomp(out, ',');
	return 0;
}

/* The body (between the parentheses) of one checked key attribute.  For
 * fixed-size keys 'm' is the mask payload (same length) or NULL for exact;
 * nested keys use 'mr'. */
static int
format_key_body(GString *out, const struct key_desc *d, const struct odp_attr *a,
		const uint8_t *m, struct mask_ref mr, bool verbose, int depth, GError **error)
{
	const uint8_t *k = a->data;
	/* A nested key's mask has a length of its own (mr.len): only a fixed
	 * size key's mask is as long as the key. */
	bool fixed = d->len != LEN_NESTED;
	bool exact = !fixed || !m || mask_is_const(a->type, m, a->len, 0xff);
	bool empty = fixed && m && odp_all_bytes(m, a->len, 0);
	int r;

	switch (d->kind) {
	case KK_ENCAP:
		if (!a->len)
			return 0;
		if (mr.mode == MASK_GIVEN && !mr.len)
			mr.mode = MASK_EXACT;
		return format_key_list(out, k, a->len, mr, verbose, depth + 1, "encap", error);
	case KK_TUNNEL:
		return format_tunnel(out, a, mr, verbose, error);
	case KK_CT_MARK:
		if (!verbose && empty)
			return 0;
		/* fall through */
	case KK_U32X:
		g_string_append_printf(out, "%#x", odp_get_u32(k));
		if (!exact)
			g_string_append_printf(out, "/%#x", odp_get_u32(m));
		return 0;
	case KK_IN_PORT:
		g_string_append_printf(out, "%u", odp_get_u32(k));
		if (!exact)
			g_string_append_printf(out, "/%#x", odp_get_u32(m));
		return 0;
	case KK_ETHERTYPE:
		g_string_append_printf(out, "0x%04x", odp_get_be16(k));
		if (!exact)
			g_string_append_printf(out, "/0x%04x", odp_get_be16(m));
		return 0;
	case KK_CT_ZONE:
		if (!verbose && empty)
			return 0;
		g_string_append_printf(out, "%#x", odp_get_u16(k));
		if (!exact)
			g_string_append_printf(out, "/%#x", odp_get_u16(m));
		return 0;
	case KK_CT_LABEL:
		if (!verbose && empty)
			return 0;
		odp_put_u128(out, k);
		if (m && !odp_all_bytes(m, 16, 0xff)) {
			g_string_append_c(out, '/');
			odp_put_u128(out, m);
		}
		return 0;
	case KK_CT_STATE:
		if (verbose) {
			g_string_append_printf(out, "%#x", odp_get_u32(k));
			if (!exact)
				g_string_append_printf(out, "/%#x", odp_get_u32(m));
		} else if (!exact) {
			odp_put_flags_masked(out, ct_state_names, odp_get_u32(k), odp_get_u32(m),
					     UINT32_MAX);
		} else {
			odp_put_flags(out, ct_state_names, odp_get_u32(k), '|');
		}
		return 0;
	case KK_TCP_FLAGS:
		if (exact)
			odp_put_flags(out, tcp_flag_names, odp_get_be16(k), '|');
		else
			odp_put_flags_masked(out, tcp_flag_names, odp_get_be16(k),
					     odp_get_be16(m) & TCP_FLAGS_MASK, TCP_FLAGS_MASK);
		return 0;
	case KK_VLAN:
		put_vlan_tci(out, odp_get_be16(k), m ? odp_get_be16(m) : 0xffff, verbose);
		return 0;
	case KK_MPLS:
		put_mpls(out, k, exact ? NULL : m, a->len);
		return 0;
	case KK_STRUCT:
		for (size_t i = 0; i < d->n_fields; i++) {
			const struct field *f = &d->fields[i];

			r = put_field(out, d->name, f->name, f->kind, k + f->off, m ? m + f->off : NULL,
				      verbose, error);
			if (r)
				return r;
		}
		odp_chomp(out, ',');
		return 0;
	case KK_NSH:
		return format_nsh(out, a, mr, error);
	case KK_GENERIC:
		for (size_t i = 0; i < a->len; i++)
			g_string_append_printf(out, i ? " %02x" : "%02x", k[i]);
		if (m) {
			g_string_append_c(out, '/');
			for (size_t i = 0; i < a->len; i++)
				g_string_append_printf(out, i ? " %02x" : "%02x", m[i]);
		}
		return 0;
	default:
		return odp_fail(error, "%s (%u): key attribute not supported", d->name, a->type);
	}
}

/* Length rules of a key or mask attribute; 'what' is "" or " mask". */
static int
check_key_len(const struct key_desc *d, const struct odp_attr *a, const char *what,
	      GError **error)
{
	if (d->len >= 0 && a->len != (size_t)d->len)
		return odp_fail(error, "%s%s: payload is %zu bytes, expected %d",
				d->name, what, a->len, d->len);
	if (d->len == LEN_MPLS && (!a->len || a->len % 4 || a->len > 4 * MPLS_MAX_LABELS))
		return odp_fail(error, "%s%s: payload is %zu bytes, expected 4, 8 or 12",
				d->name, what, a->len);
	return 0;
}

/* Check a mask list of one level: framing, known types, lengths, no
 * duplicates. */
static int
check_mask_list(const uint8_t *mask, size_t len, const char *prefix, GError **error)
{
	struct odp_iter it;
	struct odp_attr a;
	uint64_t seen = 0;
	int r;

	odp_iter_init(&it, mask, len, prefix[0] ? "encap mask" : "mask");
	while ((r = odp_iter_next(&it, &a, error)) > 0) {
		const struct key_desc *d = key_desc(a.type);

		if (!d)
			continue;       /* printed as keyN(), whatever its length */
		if (seen & (UINT64_C(1) << a.type))
			return odp_fail(error, "%sduplicate mask attribute %s", prefix, d->name);
		seen |= UINT64_C(1) << a.type;
		if ((r = check_key_len(d, &a, " mask", error)))
			return r;
	}
	return r;
}

static void
put_sep(GString *out, bool *first)
{
	if (!*first)
		g_string_append_c(out, ',');
	*first = false;
}

static int
format_key_list(GString *out, const uint8_t *key, size_t klen, struct mask_ref mr,
		bool verbose, int depth, const char *ctx, GError **error)
{
	const char *prefix = depth ? "encap: " : "";
	struct odp_iter it;
	struct odp_attr a, ma;
	uint64_t seen = 0;
	bool first = true;
	int r;

	if (depth > ODP_MAX_DEPTH)
		return odp_fail(error, "encap: nested too deeply");
	if (mr.mode == MASK_GIVEN && (r = check_mask_list(mr.data, mr.len, prefix, error)))
		return r;

	odp_iter_init(&it, key, klen, ctx);
	while ((r = odp_iter_next(&it, &a, error)) > 0) {
		const struct key_desc *d = key_desc(a.type);
		bool found = false, wild, nested;
		struct mask_ref sub = { mr.mode, NULL, 0 };
		const uint8_t *m = NULL;

		if (!d) {
			/* A type ovsdp has no name for: shown whole, as
			 * ovs-dpctl shows it (its mask never counts as exact,
			 * and one left out of the mask means a wildcard). */
			found = mr.mode == MASK_GIVEN && odp_list_find(mr.data, mr.len, a.type, &ma);
			if (mr.mode == MASK_EXACT || found || verbose) {
				put_sep(out, &first);
				put_generic(out, a.type, a.data, a.len, found ? ma.data : NULL,
					    found ? ma.len : 0, mr.mode != MASK_EXACT);
			}
			continue;
		}
		if (seen & (UINT64_C(1) << a.type))
			return odp_fail(error, "%sduplicate key attribute %s", prefix, d->name);
		seen |= UINT64_C(1) << a.type;
		if ((r = check_key_len(d, &a, "", error)))
			return r;
		if (mr.mode == MASK_GIVEN) {
			found = odp_list_find(mr.data, mr.len, a.type, &ma);
			if (found && d->len == LEN_MPLS && ma.len != a.len)
				return odp_fail(error, "mpls mask: payload is %zu bytes, expected %zu",
						ma.len, a.len);
		}

		nested = d->len == LEN_NESTED;
		if (mr.mode == MASK_GIVEN)
			wild = found ? mask_is_const(a.type, ma.data, ma.len, 0) : true;
		else
			wild = mr.mode == MASK_WILD;

		if (found) {
			sub.data = ma.data;
			sub.len = ma.len;
			m = ma.data;
		} else if (mr.mode != MASK_EXACT) {
			sub.mode = MASK_WILD;
			m = zeros;
		}

		if (verbose || !wild || nested) {
			put_sep(out, &first);
			g_string_append_printf(out, "%s(", d->name);
			r = format_key_body(out, d, &a, m, sub, verbose, depth, error);
			if (r)
				return r;
			g_string_append_c(out, ')');
		} else if (a.type == OVS_KEY_ATTR_ETHERNET) {
			/* A present but wildcarded Ethernet key still says the
			 * packet is an Ethernet frame: dump-flows keeps "eth()". */
			put_sep(out, &first);
			g_string_append(out, "eth()");
		}
	}
	if (r < 0)
		return r;

	if (mr.mode == MASK_GIVEN && !(seen & (UINT64_C(1) << OVS_KEY_ATTR_ETHERTYPE))
	    && odp_list_find(mr.data, mr.len, OVS_KEY_ATTR_ETHERTYPE, &ma)) {
		put_sep(out, &first);
		g_string_append_printf(out, "eth_type(0/0x%04x)", odp_get_be16(ma.data));
	}
	return 0;
}

int
odp_key_format_attr(GString *out, const struct odp_attr *a, const struct odp_attr *mask,
		    bool verbose, GError **error)
{
	const struct key_desc *d = key_desc(a->type);
	struct mask_ref mr = { MASK_EXACT, NULL, 0 };
	int r;

	if (!d) {
		put_generic(out, a->type, a->data, a->len, mask ? mask->data : NULL,
			    mask ? mask->len : 0, mask != NULL);
		return 0;
	}
	if ((r = check_key_len(d, a, "", error)))
		return r;
	if (mask) {
		if ((r = check_key_len(d, mask, " mask", error)))
			return r;
		if (mask->len != a->len)
			return odp_fail(error, "%s mask: payload is %zu bytes, expected %zu",
					d->name, mask->len, a->len);
		mr.mode = MASK_GIVEN;
		mr.data = mask->data;
		mr.len = mask->len;
	}
	g_string_append_printf(out, "%s(", d->name);
	r = format_key_body(out, d, a, mask ? mask->data : NULL, mr, verbose, 0, error);
	if (r)
		return r;
	g_string_append_c(out, ')');
	return 0;
}

int
odp_key_format(const void *key, size_t key_len, const void *mask, size_t mask_len,
	       GString *out, GError **error)
{
	struct mask_ref mr = { MASK_EXACT, NULL, 0 };
	size_t old;
	int r;

	if (!out || (!key && key_len) || (!mask && mask_len))
		return odp_fail(error, "invalid arguments");
	if (mask && mask_len) {
		mr.mode = MASK_GIVEN;
		mr.data = mask;
		mr.len = mask_len;
	}
	old = out->len;
	r = format_key_list(out, key, key_len, mr, false, 0, "key", error);
	if (r)
		g_string_truncate(out, old);
	return r;
}

OVSDP_EXPORT int
ovsdp_odp_key_to_string(const void *key, size_t key_len, const void *mask, size_t mask_len,
			char **out, GError **error)
{
	GString *s;
	int r;

	if (!out)
		return odp_fail(error, "invalid arguments");
	*out = NULL;
	s = g_string_new(NULL);
	r = odp_key_format(key, key_len, mask, mask_len, s, error);
	if (r) {
		g_string_free(s, TRUE);
		return r;
	}
	*out = g_string_free(s, FALSE);
	return 0;
}

/* Framing, types, lengths and nesting only: values are not judged, so
 * that masks pass too. */
static int
validate_list(const uint8_t *buf, size_t len, int depth, GError **error)
{
	const char *prefix = depth ? "encap: " : "";
	struct odp_iter it;
	struct odp_attr a;
	uint64_t seen = 0;
	int r;

	if (depth > ODP_MAX_DEPTH)
		return odp_fail(error, "encap: nested too deeply");
	odp_iter_init(&it, buf, len, depth ? "encap" : "key");
	while ((r = odp_iter_next(&it, &a, error)) > 0) {
		const struct key_desc *d = key_desc(a.type);

		if (!d)
			continue;       /* the kernel judges types it knows */
		if (seen & (UINT64_C(1) << a.type))
			return odp_fail(error, "%sduplicate key attribute %s", prefix, d->name);
		seen |= UINT64_C(1) << a.type;
		if ((r = check_key_len(d, &a, "", error)))
			return r;
		if (d->kind == KK_ENCAP && (r = validate_list(a.data, a.len, depth + 1, error)))
			return r;
		if (d->kind == KK_TUNNEL) {
			struct odp_iter ti;
			struct odp_attr t;

			uint32_t tseen = 0;

			odp_iter_init(&ti, a.data, a.len, "tunnel");
			while ((r = odp_iter_next(&ti, &t, error)) > 0) {
				const struct tun_desc *td = tun_desc(t.type);

				if (!td)
					continue;
				if (tseen & (1u << t.type))
					return odp_fail(error, "tunnel: duplicate attribute %s", td->name);
				tseen |= 1u << t.type;
				if ((r = check_tun_len(td, &t, "", error)))
					return r;
			}
			if (r < 0)
				return r;
		}
	}
	return r;
}

OVSDP_EXPORT int
ovsdp_odp_key_validate(const void *key, size_t key_len, GError **error)
{
	if (!key && key_len)
		return odp_fail(error, "invalid arguments");
	return validate_list(key, key_len, 0, error);
}

/* ---- Parsing ------------------------------------------------------------ */

static void
put_pair(struct ovsdp_buf *key, struct ovsdp_buf *mask, uint16_t type,
	 const void *k, const void *m, size_t len)
{
	ovsdp_buf_put_attr(key, type, k, len);
	if (mask)
		ovsdp_buf_put_attr(mask, type, m, len);
}

static void
store_be16(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
store_be32(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void
store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* value[/mask] of one field into k and m (each field_size(kind) bytes). */
static int
parse_field_value(struct odp_lexer *lx, const char *ctx, const char *name, uint8_t kind,
		  uint8_t *k, uint8_t *m)
{
	uint64_t v, mv;
	int r;

	switch (kind) {
	case FK_U8:
	case FK_U8X:
		if ((r = odp_lex_uint_masked(lx, ctx, name, UINT8_MAX, &v, &mv)))
			return r;
		k[0] = (uint8_t)v;
		m[0] = (uint8_t)mv;
		return 0;
	case FK_BE16:
	case FK_BE16X:
		if ((r = odp_lex_uint_masked(lx, ctx, name, UINT16_MAX, &v, &mv)))
			return r;
		store_be16(k, v);
		store_be16(m, mv);
		return 0;
	case FK_LABEL:
		/* 20-bit values; masks may carry the other 12 bits. */
		if ((r = odp_lex_uint(lx, ctx, name, IPV6_LABEL_MASK, &v)))
			return r;
		mv = IPV6_LABEL_MASK;
		if (*lx->p == '/') {
			lx->p++;
			if ((r = odp_lex_uint(lx, ctx, name, UINT32_MAX, &mv)))
				return r;
		}
		store_be32(k, v);
		store_be32(m, mv);
		return 0;
	case FK_BE64:
		if ((r = odp_lex_uint_masked(lx, ctx, name, UINT64_MAX, &v, &mv)))
			return r;
		store_be64(k, v);
		store_be64(m, mv);
		return 0;
	case FK_FRAG: {
		const char *at = lx->p;
		size_t n = odp_token_len(at);

		for (size_t i = 0; i < G_N_ELEMENTS(frag_names); i++) {
			if (n == strlen(frag_names[i]) && !g_ascii_strncasecmp(at, frag_names[i], n)) {
				k[0] = (uint8_t)i;
				m[0] = 0xff;
				lx->p += n;
				return 0;
			}
		}
		return odp_lex_fail(lx, at, "%s: bad frag type '%.*s' (expected no, first or later)",
				    ctx, (int)n, at);
	}
	case FK_IPV4:
		if ((r = odp_lex_ipv4(lx, ctx, name, k)))
			return r;
		memset(m, 0xff, 4);
		if (*lx->p == '/') {
			lx->p++;
			return odp_lex_ipv4(lx, ctx, name, m);
		}
		return 0;
	case FK_IPV6:
		if ((r = odp_lex_ipv6(lx, ctx, name, k)))
			return r;
		memset(m, 0xff, 16);
		if (*lx->p == '/') {
			lx->p++;
			return odp_lex_ipv6(lx, ctx, name, m);
		}
		return 0;
	case FK_ETH:
		if ((r = odp_lex_mac(lx, ctx, name, k)))
			return r;
		memset(m, 0xff, 6);
		if (*lx->p == '/') {
			lx->p++;
			return odp_lex_mac(lx, ctx, name, m);
		}
		return 0;
	}
	return -EINVAL;
}

static int
unknown_field(struct odp_lexer *lx, const char *ctx, const char *name, size_t n)
{
	return odp_lex_fail(lx, name, "%s: unknown field '%.*s'", ctx, (int)n, name);
}

static int
parse_struct(struct odp_lexer *lx, const struct key_desc *d, uint16_t type,
	     struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint8_t k[64] = { 0 }, m[64] = { 0 };
	uint32_t seen = 0;
	int r;

	if (*lx->p == ')') {
		lx->p++;
		goto done;
	}
	do {
		const char *name;
		size_t n, i;

		if ((r = odp_lex_field(lx, d->name, &name, &n)) < 0)
			return r;
		for (i = 0; i < d->n_fields; i++) {
			const struct field *f = &d->fields[i];

			if ((n == strlen(f->name) && !memcmp(name, f->name, n))
			    || (f->alias && n == strlen(f->alias) && !memcmp(name, f->alias, n)))
				break;
		}
		if (i == d->n_fields || r == 1)
			return unknown_field(lx, d->name, name, n);
		if (seen & (1u << i))
			return odp_lex_fail(lx, name, "%s: duplicate field '%s'", d->name,
					    d->fields[i].name);
		seen |= 1u << i;
		r = parse_field_value(lx, d->name, d->fields[i].name, d->fields[i].kind,
				      k + d->fields[i].off, m + d->fields[i].off);
		if (r)
			return r;
	} while (!(r = odp_lex_list_next(lx, d->name)));
	if (r < 0)
		return r;
done:
	put_pair(key, mask, type, k, m, (size_t)d->len);
	return 0;
}

static int
parse_vlan(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint16_t tci = VLAN_CFI, tci_m = VLAN_CFI;
	uint8_t k[2], m[2];
	int r;

	if (*lx->p == ')') {
		lx->p++;
		goto done;
	}
	do {
		const char *name;
		size_t n;
		uint64_t v, mv;

		if ((r = odp_lex_field(lx, "vlan", &name, &n)) < 0)
			return r;
		if (r == 0 && n == 3 && !memcmp(name, "vid", 3)) {
			if ((r = odp_lex_uint_masked(lx, "vlan", "vid", VLAN_VID_MASK, &v, &mv)))
				return r;
			tci = (uint16_t)((tci & ~VLAN_VID_MASK) | v);
			tci_m = (uint16_t)((tci_m & ~VLAN_VID_MASK) | mv);
		} else if (r == 0 && n == 3 && !memcmp(name, "pcp", 3)) {
			if ((r = odp_lex_uint_masked(lx, "vlan", "pcp", 7, &v, &mv)))
				return r;
			tci = (uint16_t)((tci & 0x1fff) | v << VLAN_PCP_SHIFT);
			tci_m = (uint16_t)((tci_m & 0x1fff) | mv << VLAN_PCP_SHIFT);
		} else if (r == 0 && n == 3 && !memcmp(name, "cfi", 3)) {
			if ((r = odp_lex_uint_masked(lx, "vlan", "cfi", 1, &v, &mv)))
				return r;
			tci = (uint16_t)((tci & ~VLAN_CFI) | (v ? VLAN_CFI : 0));
			tci_m = (uint16_t)((tci_m & ~VLAN_CFI) | (mv ? VLAN_CFI : 0));
		} else {
			return unknown_field(lx, "vlan", name, n);
		}
	} while (!(r = odp_lex_list_next(lx, "vlan")));
	if (r < 0)
		return r;
done:
	store_be16(k, tci);
	store_be16(m, tci_m);
	put_pair(key, mask, OVS_KEY_ATTR_VLAN, k, m, 2);
	return 0;
}

static int
parse_mpls(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	static const struct {
		const char *name;
		unsigned shift;
		uint32_t max;
	} parts[] = {
		{ "label", 12, 0xfffff }, { "tc", 9, 7 }, { "ttl", 0, 0xff }, { "bos", 8, 1 },
	};
	uint32_t k[MPLS_MAX_LABELS] = { 0 }, m[MPLS_MAX_LABELS] = { 0 };
	uint8_t kb[4 * MPLS_MAX_LABELS], mb[4 * MPLS_MAX_LABELS];
	unsigned idx = 0, given = 0;
	int r;

	if (*lx->p == ')') {
		lx->p++;
		goto done;
	}
	do {
		const char *name;
		size_t n, i;
		uint64_t v, mv;

		if ((r = odp_lex_field(lx, "mpls", &name, &n)) < 0)
			return r;
		for (i = 0; i < G_N_ELEMENTS(parts); i++)
			if (n == strlen(parts[i].name) && !memcmp(name, parts[i].name, n))
				break;
		if (r == 1 || i == G_N_ELEMENTS(parts))
			return unknown_field(lx, "mpls", name, n);
		/* A field seen again starts the next label stack entry. */
		if (given & (1u << i)) {
			if (++idx == MPLS_MAX_LABELS)
				return odp_lex_fail(lx, name, "mpls: more than %d labels",
						    MPLS_MAX_LABELS);
			given = 0;
		}
		given |= 1u << i;
		if ((r = odp_lex_uint_masked(lx, "mpls", parts[i].name, parts[i].max, &v, &mv)))
			return r;
		k[idx] |= (uint32_t)v << parts[i].shift;
		m[idx] |= (uint32_t)mv << parts[i].shift;
	} while (!(r = odp_lex_list_next(lx, "mpls")));
	if (r < 0)
		return r;
done:
	for (unsigned i = 0; i <= idx; i++) {
		store_be32(kb + 4 * i, k[i]);
		store_be32(mb + 4 * i, m[i]);
	}
	put_pair(key, mask, OVS_KEY_ATTR_MPLS, kb, mb, 4 * (idx + 1));
	return 0;
}

/* An integer written as 0x hex (any number of digits that fit) or
 * decimal, stored big-endian and right-aligned in n bytes. */
static int
lex_int_bytes(struct odp_lexer *lx, uint8_t *out, size_t n)
{
	const char *at = lx->p;
	size_t len = strspn(at, "0123456789abcdefABCDEFxX");

	memset(out, 0, n);
	if (len > 2 && at[0] == '0' && (at[1] == 'x' || at[1] == 'X')) {
		size_t digits = len - 2;

		if (digits > 2 * n)
			goto bad;
		for (size_t i = 0; i < digits; i++) {
			char c = at[len - 1 - i];

			if (!g_ascii_isxdigit(c))
				goto bad;
			out[n - 1 - i / 2] |= (uint8_t)(g_ascii_xdigit_value(c) << (i % 2 ? 4 : 0));
		}
	} else {
		struct odp_lexer sub = *lx;
		uint64_t v;

		sub.error = NULL;
		if (odp_lex_uint(&sub, "tunnel", NULL, n >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * n)) - 1, &v))
			goto bad;
		len = (size_t)(sub.p - at);
		for (size_t i = 0; i < n && i < 8; i++)
			out[n - 1 - i] = (uint8_t)(v >> (8 * i));
	}
	lx->p += len;
	return 0;
bad:
	return odp_lex_fail(lx, at, "tunnel: bad geneve data '%.*s'", (int)odp_token_len(at), at);
}

/* "{class=..,type=..,len=..,data[/mask]}..." up to and including ')'. */
static int
parse_geneve(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint8_t k[GENEVE_MAX_OPTS] = { 0 }, m[GENEVE_MAX_OPTS] = { 0 };
	size_t off = 0;
	int r;

	while (*lx->p == '{') {
		const char *opt_at = lx->p;
		uint8_t *ko = k + off, *mo = m + off;
		uint64_t v, mv;
		size_t dlen = 0;

		if (off + 4 > GENEVE_MAX_OPTS)
			return odp_lex_fail(lx, opt_at, "tunnel: geneve options exceed %d bytes",
					    GENEVE_MAX_OPTS);
		lx->p++;
		if (!strncmp(lx->p, "class=", 6)) {
			lx->p += 6;
			if ((r = odp_lex_uint_masked(lx, "tunnel", "class", UINT16_MAX, &v, &mv)))
				return r;
			store_be16(ko, v);
			store_be16(mo, mv);
			if (*lx->p == ',')
				lx->p++;
		}
		if (!strncmp(lx->p, "type=", 5)) {
			lx->p += 5;
			if ((r = odp_lex_uint_masked(lx, "tunnel", "type", UINT8_MAX, &v, &mv)))
				return r;
			ko[2] = (uint8_t)v;
			mo[2] = (uint8_t)mv;
			if (*lx->p == ',')
				lx->p++;
		}
		if (!strncmp(lx->p, "len=", 4)) {
			const char *len_at = lx->p += 4;

			if ((r = odp_lex_uint_masked(lx, "tunnel", "len", UINT8_MAX, &v, &mv)))
				return r;
			if (v % 4 || v > GENEVE_MAX_DATA || off + 4 + v > GENEVE_MAX_OPTS)
				return odp_lex_fail(lx, len_at, "tunnel: geneve len %u is not a multiple of 4 up to %d",
						    (unsigned)v, GENEVE_MAX_DATA);
			dlen = (size_t)v;
			ko[3] = (uint8_t)(v / 4);
			mo[3] = (uint8_t)(mv & 0x1f);
			if (*lx->p == ',')
				lx->p++;
		}
		if (*lx->p != '}') {
			if (!dlen)
				return odp_lex_fail(lx, lx->p, "tunnel: expected '}'");
			if ((r = lex_int_bytes(lx, ko + 4, dlen)))
				return r;
			memset(mo + 4, 0xff, dlen);
			if (*lx->p == '/') {
				lx->p++;
				if ((r = lex_int_bytes(lx, mo + 4, dlen)))
					return r;
			}
		}
		if (*lx->p != '}')
			return odp_lex_fail(lx, lx->p, "tunnel: expected '}'");
		lx->p++;
		off += 4 + dlen;
	}
	if ((r = odp_lex_expect(lx, "tunnel", ')')))
		return r;
	put_pair(key, mask, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, k, m, off);
	return 0;
}

/* "gbp(id=..,flags=..))", "keyN(..))" (an option ovsdp has no name for),
 * both or ")". */
static int
parse_vxlan(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	size_t kc, mc = 0;
	bool have_gbp = false;
	int r;

	kc = ovsdp_buf_nest_start(key, OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS);
	if (mask)
		mc = ovsdp_buf_nest_start(mask, OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS);
	while (*lx->p != ')') {
		const char *at = lx->p;
		size_t n = odp_ident_len(at);
		uint16_t type;

		if (n && generic_type(at, n, &type) && type != OVS_VXLAN_EXT_GBP && at[n] == '(') {
			lx->p += n + 1;
			if ((r = parse_generic_body(lx, "tunnel", type, key, mask)))
				return r;
		} else if (!have_gbp && odp_lex_word(lx, "gbp") && *lx->p == '(') {
			uint64_t id = 0, idm = 0, fl = 0, flm = 0;

			have_gbp = true;
			lx->p++;
			if (*lx->p != ')') {
				do {
					const char *name;

					if ((r = odp_lex_field(lx, "tunnel", &name, &n)) < 0)
						return r;
					if (r == 0 && n == 2 && !memcmp(name, "id", 2))
						r = odp_lex_uint_masked(lx, "tunnel", "id", UINT16_MAX, &id, &idm);
					else if (r == 0 && n == 5 && !memcmp(name, "flags", 5))
						r = odp_lex_uint_masked(lx, "tunnel", "flags", UINT8_MAX, &fl, &flm);
					else
						return unknown_field(lx, "tunnel", name, n);
					if (r)
						return r;
				} while (!(r = odp_lex_list_next(lx, "tunnel")));
				if (r < 0)
					return r;
			} else {
				lx->p++;
			}
			ovsdp_buf_put_u32(key, OVS_VXLAN_EXT_GBP, (uint32_t)(fl << 16 | id));
			if (mask)
				ovsdp_buf_put_u32(mask, OVS_VXLAN_EXT_GBP, (uint32_t)(flm << 16 | idm));
		} else {
			return odp_lex_fail(lx, at, "tunnel: expected 'gbp(' in vxlan()");
		}
		if (*lx->p == ',')
			lx->p++;
		else if (*lx->p != ')')
			return odp_lex_fail(lx, lx->p, "tunnel: vxlan: expected ',' or ')'");
	}
	lx->p++;
	ovsdp_buf_nest_end(key, kc);
	if (mask)
		ovsdp_buf_nest_end(mask, mc);
	return 0;
}

/* "ver=1,idx=N)" or "ver=2,dir=N,hwid=N)", each value [/mask].  Like
 * ovs-dpctl, the mask starts all ones, and the version's mask is kept
 * whole. */
static int
parse_erspan(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	struct erspan_metadata k, m;
	uint64_t ver = 0, ver_m = 0, v, vm;
	bool have_ver = false;
	int r;

	memset(&k, 0, sizeof k);
	memset(&m, 0xff, sizeof m);
	if (*lx->p == ')') {
		lx->p++;
		return odp_lex_fail(lx, lx->p - 1, "tunnel: erspan: missing ver");
	}
	do {
		const char *name;
		size_t n;

		if ((r = odp_lex_field(lx, "tunnel", &name, &n)) < 0)
			return r;
		if (r == 1)
			return unknown_field(lx, "tunnel", name, n);
		if (n == 3 && !memcmp(name, "ver", 3) && !have_ver) {
			if ((r = odp_lex_uint_masked(lx, "tunnel", "ver", UINT8_MAX, &ver, &ver_m)))
				return r;
			if (ver != 1 && ver != 2)
				return odp_lex_fail(lx, name, "tunnel: erspan: ver must be 1 or 2");
			have_ver = true;
			k.version = (int)ver;
		} else if (have_ver && ver == 1 && n == 3 && !memcmp(name, "idx", 3)) {
			if ((r = odp_lex_uint_masked(lx, "tunnel", "idx", UINT32_MAX, &v, &vm)))
				return r;
			k.u.index = htonl((uint32_t)v);
			m.u.index = htonl((uint32_t)vm);
		} else if (have_ver && ver == 2 && n == 3 && !memcmp(name, "dir", 3)) {
			if ((r = odp_lex_uint_masked(lx, "tunnel", "dir", 1, &v, &vm)))
				return r;
			k.u.md2.dir = v & 1;
			m.u.md2.dir = vm & 1;
		} else if (have_ver && ver == 2 && n == 4 && !memcmp(name, "hwid", 4)) {
			if ((r = odp_lex_uint_masked(lx, "tunnel", "hwid", 0xf, &v, &vm)))
				return r;
			k.u.md2.hwid = v & 0xf;
			m.u.md2.hwid = vm & 0xf;
		} else {
			return unknown_field(lx, "tunnel: erspan", name, n);
		}
	} while (!(r = odp_lex_list_next(lx, "tunnel")));
	if (r < 0)
		return r;
	if (!have_ver)
		return odp_lex_fail(lx, lx->p - 1, "tunnel: erspan: missing ver");
	(void)ver_m;
	put_pair(key, mask, OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS, &k, &m, sizeof k);
	return 0;
}

/* After "nsh(": flags=,ttl=,mdtype=,np=,spi=,si=,c1=..c4=, each
 * value[/mask]; a field left out is wildcarded.  The key gets the base
 * header and, for MD type 1, the context; the mask gets both. */
static int
parse_nsh(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	static const char *const names[] = { "flags", "ttl", "mdtype", "np", "spi", "si",
					     "c1", "c2", "c3", "c4" };
	uint8_t k[24] = { 0 }, m[24] = { 0 };
	size_t kc, mc = 0;
	int r;

	if (*lx->p != ')') {
		do {
			const char *name;
			size_t n, i;
			uint64_t v, vm;

			if ((r = odp_lex_field(lx, "nsh", &name, &n)) < 0)
				return r;
			for (i = 0; i < G_N_ELEMENTS(names); i++)
				if (n == strlen(names[i]) && !memcmp(name, names[i], n))
					break;
			if (r == 1 || i == G_N_ELEMENTS(names))
				return unknown_field(lx, "nsh", name, n);
			if (i < 4 || i == 5) {
				size_t off = i < 4 ? i : 7;

				if ((r = odp_lex_uint_masked(lx, "nsh", names[i], UINT8_MAX, &v, &vm)))
					return r;
				k[off] = (uint8_t)v;
				m[off] = (uint8_t)vm;
			} else if (i == 4) {
				if ((r = odp_lex_uint_masked(lx, "nsh", "spi", 0xffffff, &v, &vm)))
					return r;
				store_be32(k + 4, (odp_get_be32(k + 4) & 0xff) | (uint32_t)v << 8);
				store_be32(m + 4, (odp_get_be32(m + 4) & 0xff) | (uint32_t)(vm & 0xffffff) << 8);
			} else {
				if ((r = odp_lex_uint_masked(lx, "nsh", names[i], UINT32_MAX, &v, &vm)))
					return r;
				store_be32(k + 8 + 4 * (i - 6), v);
				store_be32(m + 8 + 4 * (i - 6), vm);
			}
		} while (!(r = odp_lex_list_next(lx, "nsh")));
		if (r < 0)
			return r;
	} else {
		lx->p++;
	}
	kc = ovsdp_buf_nest_start(key, OVS_KEY_ATTR_NSH);
	ovsdp_buf_put_attr(key, OVS_NSH_KEY_ATTR_BASE, k, 8);
	if (k[2] == 1)
		ovsdp_buf_put_attr(key, OVS_NSH_KEY_ATTR_MD1, k + 8, 16);
	if ((r = odp_nest_end(key, kc, "nsh", lx->error)))
		return r;
	if (mask) {
		mc = ovsdp_buf_nest_start(mask, OVS_KEY_ATTR_NSH);
		ovsdp_buf_put_attr(mask, OVS_NSH_KEY_ATTR_BASE, m, 8);
		ovsdp_buf_put_attr(mask, OVS_NSH_KEY_ATTR_MD1, m + 8, 16);
		return odp_nest_end(mask, mc, "nsh", lx->error);
	}
	return 0;
}

/* Attribute types are bits 0..16 of 'seen'; flags() gets its own. */
#define TUN_SEEN_FLAGS (1u << 31)

static int
parse_tunnel(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	size_t kc, mc = 0;
	uint32_t seen = 0;
	int r;

	kc = ovsdp_buf_nest_start(key, OVS_KEY_ATTR_TUNNEL);
	if (mask)
		mc = ovsdp_buf_nest_start(mask, OVS_KEY_ATTR_TUNNEL);
	if (*lx->p == ')') {
		lx->p++;
		goto done;
	}
	do {
		const struct tun_desc *d = NULL;
		const char *name;
		size_t n;
		uint16_t type;

		if ((r = odp_lex_field(lx, "tunnel", &name, &n)) < 0)
			return r;
		if (r == 1) {
			uint32_t flags, fmask;

			if (n == 6 && !memcmp(name, "geneve", 6)) {
				if (seen & (1u << OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS))
					return odp_lex_fail(lx, name, "tunnel: duplicate field 'geneve'");
				seen |= 1u << OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS;
				lx->p++;
				if ((r = parse_geneve(lx, key, mask)))
					return r;
				continue;
			}
			if (n == 5 && !memcmp(name, "vxlan", 5)) {
				if (seen & (1u << OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS))
					return odp_lex_fail(lx, name, "tunnel: duplicate field 'vxlan'");
				seen |= 1u << OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS;
				lx->p++;
				if ((r = parse_vxlan(lx, key, mask)))
					return r;
				continue;
			}
			if (n == 6 && !memcmp(name, "erspan", 6)) {
				if (seen & (1u << OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS))
					return odp_lex_fail(lx, name, "tunnel: duplicate field 'erspan'");
				seen |= 1u << OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS;
				lx->p++;
				if ((r = parse_erspan(lx, key, mask)))
					return r;
				continue;
			}
			if (generic_type(name, n, &type) && !tun_desc(type)) {
				if (type < 31 && (seen & (1u << type)))
					return odp_lex_fail(lx, name, "tunnel: duplicate field '%.*s'", (int)n, name);
				if (type < 31)
					seen |= 1u << type;
				lx->p++;
				if ((r = parse_generic_body(lx, "tunnel", type, key, mask)))
					return r;
				continue;
			}
			if (n != 5 || memcmp(name, "flags", 5))
				return unknown_field(lx, "tunnel", name, n);
			if (seen & TUN_SEEN_FLAGS)
				return odp_lex_fail(lx, name, "tunnel: duplicate field 'flags'");
			seen |= TUN_SEEN_FLAGS;
			lx->p++;
			r = odp_lex_flags(lx, "tunnel", tun_flag_names, TNL_F_MASK, &flags, &fmask);
			if (r || (r = odp_lex_expect(lx, "tunnel", ')')))
				return r;
			for (type = 0; type < G_N_ELEMENTS(tun_descs); type++) {
				const struct tun_desc *f = tun_desc(type);

				if (!f || f->kind != TK_FLAG)
					continue;
				if (flags & f->flag)
					ovsdp_buf_put_flag(key, type);
				if (mask && (fmask & f->flag))
					ovsdp_buf_put_flag(mask, type);
			}
			continue;
		}
		for (type = 0; type < G_N_ELEMENTS(tun_descs); type++) {
			d = tun_desc(type);
			if (d && d->kind == TK_FIELD && n == strlen(d->name) && !memcmp(name, d->name, n))
				break;
		}
		if (type == G_N_ELEMENTS(tun_descs))
			return unknown_field(lx, "tunnel", name, n);
		if (seen & (1u << type))
			return odp_lex_fail(lx, name, "tunnel: duplicate field '%s'", d->name);
		seen |= 1u << type;
		{
			uint8_t k[16] = { 0 }, m[16] = { 0 };

			r = parse_field_value(lx, "tunnel", d->name, d->field_kind, k, m);
			if (r)
				return r;
			put_pair(key, mask, type, k, m, (size_t)d->len);
		}
	} while (!(r = odp_lex_list_next(lx, "tunnel")));
	if (r < 0)
		return r;
done:
	if ((r = odp_nest_end(key, kc, "tunnel", lx->error)))
		return r;
	return mask ? odp_nest_end(mask, mc, "tunnel", lx->error) : 0;
}

static int parse_key_list(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask,
			  bool nested);

static int
parse_encap(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask, const char *at)
{
	size_t kc, mc = 0;
	int r;

	if (lx->depth >= ODP_MAX_DEPTH)
		return odp_lex_fail(lx, at, "encap: nested too deeply");
	kc = ovsdp_buf_nest_start(key, OVS_KEY_ATTR_ENCAP);
	if (mask)
		mc = ovsdp_buf_nest_start(mask, OVS_KEY_ATTR_ENCAP);
	lx->depth++;
	r = parse_key_list(lx, key, mask, true);
	lx->depth--;
	if (r)
		return r;
	if ((r = odp_nest_end(key, kc, "encap", lx->error)))
		return r;
	return mask ? odp_nest_end(mask, mc, "encap", lx->error) : 0;
}

static int
parse_generic(struct odp_lexer *lx, const struct key_desc *d, uint16_t type,
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
	put_pair(key, mask, type, k->data, m->data, k->len);
	return odp_lex_expect(lx, d->name, ')');
}

/* The body of a one-value key: "value[/mask])". */
static int
parse_scalar(struct odp_lexer *lx, const struct key_desc *d, uint16_t type,
	     struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint8_t k[16] = { 0 }, m[16] = { 0 };
	uint64_t v, mv;
	uint32_t f, fm;
	int r;

	switch (d->kind) {
	case KK_U32X:
	case KK_CT_MARK:
	case KK_IN_PORT:
		r = odp_lex_uint_masked(lx, d->name, NULL, UINT32_MAX, &v, &mv);
		if (!r) {
			f = (uint32_t)v;
			fm = (uint32_t)mv;
			memcpy(k, &f, 4);
			memcpy(m, &fm, 4);
		}
		break;
	case KK_CT_ZONE:
		r = odp_lex_uint_masked(lx, d->name, NULL, UINT16_MAX, &v, &mv);
		if (!r) {
			uint16_t z = (uint16_t)v, zm = (uint16_t)mv;

			memcpy(k, &z, 2);
			memcpy(m, &zm, 2);
		}
		break;
	case KK_ETHERTYPE:
		r = odp_lex_uint_masked(lx, d->name, NULL, UINT16_MAX, &v, &mv);
		if (!r) {
			store_be16(k, v);
			store_be16(m, mv);
		}
		break;
	case KK_CT_LABEL:
		r = odp_lex_u128(lx, d->name, NULL, k);
		memset(m, 0xff, 16);
		if (!r && *lx->p == '/') {
			lx->p++;
			r = odp_lex_u128(lx, d->name, NULL, m);
		}
		break;
	case KK_CT_STATE:
		r = odp_lex_flags(lx, d->name, ct_state_names, UINT32_MAX, &f, &fm);
		if (!r) {
			memcpy(k, &f, 4);
			memcpy(m, &fm, 4);
		}
		break;
	case KK_TCP_FLAGS:
		r = odp_lex_flags(lx, d->name, tcp_flag_names, UINT16_MAX, &f, &fm);
		if (!r) {
			store_be16(k, f);
			store_be16(m, fm);
		}
		break;
	default:
		return -EINVAL;
	}
	if (r)
		return r;
	put_pair(key, mask, type, k, m, (size_t)d->len);
	return odp_lex_expect(lx, d->name, ')');
}

int
odp_key_parse_attr(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask,
		   uint64_t *seen)
{
	const char *at = lx->p;
	size_t n = odp_ident_len(at);
	const struct key_desc *d = NULL;
	uint16_t type;

	if (!n) {
		if (!*at)
			return odp_lex_fail(lx, at, "missing key");
		return odp_lex_fail(lx, at, "expected a key name, found '%.*s'",
				    (int)(odp_token_len(at) ? odp_token_len(at) : 1), at);
	}
	for (type = 0; type < ODP_KEY_TYPES; type++) {
		d = key_desc(type);
		if (d && n == strlen(d->name) && !memcmp(at, d->name, n))
			break;
	}
	if (type == ODP_KEY_TYPES) {
		if (!generic_type(at, n, &type) || key_desc(type))
			return odp_lex_fail(lx, at, "unknown key '%.*s'", (int)n, at);
		lx->p += n;
		if (*lx->p != '(')
			return odp_lex_fail(lx, lx->p, "expected '(' after '%.*s'", (int)n, at);
		lx->p++;
		if (seen && type < 64) {
			if (*seen & (UINT64_C(1) << type))
				return odp_lex_fail(lx, at, "duplicate key '%.*s'", (int)n, at);
			*seen |= UINT64_C(1) << type;
		}
		return parse_generic_body(lx, "key", type, key, mask);
	}
	lx->p += n;
	if (*lx->p != '(')
		return odp_lex_fail(lx, lx->p, "expected '(' after '%s'", d->name);
	lx->p++;
	if (seen) {
		if (*seen & (UINT64_C(1) << type))
			return odp_lex_fail(lx, at, "duplicate key '%s'", d->name);
		*seen |= UINT64_C(1) << type;
	}

	switch (d->kind) {
	case KK_ENCAP:
		return parse_encap(lx, key, mask, at);
	case KK_TUNNEL:
		return parse_tunnel(lx, key, mask);
	case KK_STRUCT:
		return parse_struct(lx, d, type, key, mask);
	case KK_VLAN:
		return parse_vlan(lx, key, mask);
	case KK_MPLS:
		return parse_mpls(lx, key, mask);
	case KK_GENERIC:
		return parse_generic(lx, d, type, key, mask);
	case KK_NSH:
		return parse_nsh(lx, key, mask);
	default:
		return parse_scalar(lx, d, type, key, mask);
	}
}

static int
parse_key_list(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask, bool nested)
{
	const char *delims = ", \t\r\n";
	uint64_t seen = 0;
	int r;

	lx->p += strspn(lx->p, delims);
	for (;;) {
		size_t sep;

		if (nested && *lx->p == ')') {
			lx->p++;
			return 0;
		}
		if (!*lx->p)
			return nested ? odp_lex_fail(lx, lx->p, "encap: missing ')'") : 0;
		if ((r = odp_key_parse_attr(lx, key, mask, &seen)))
			return r;
		sep = strspn(lx->p, delims);
		if (!sep && *lx->p && !(nested && *lx->p == ')')) {
			size_t n = odp_token_len(lx->p);

			return odp_lex_fail(lx, lx->p, "unexpected '%.*s'", (int)(n ? n : 1), lx->p);
		}
		lx->p += sep;
	}
}

OVSDP_EXPORT int
ovsdp_odp_key_from_string(const char *text, struct ovsdp_buf *key, struct ovsdp_buf *mask,
			  GError **error)
{
	struct odp_lexer lx = { text, text, error, 0 };
	size_t klen, mlen = 0;
	int r;

	if (!text || !key)
		return odp_fail(error, "invalid arguments");
	klen = key->len;
	if (mask)
		mlen = mask->len;
	r = parse_key_list(&lx, key, mask, false);
	if (r) {
		key->len = klen;
		if (mask)
			mask->len = mlen;
	}
	return r;
}

/* ---- Fields for upcall handlers --------------------------------------- */

OVSDP_EXPORT int
ovsdp_odp_key_fields(const void *key, size_t key_len, struct ovsdp_flow_fields *out)
{
	struct odp_iter it;
	struct odp_attr a;
	int r;

	if (!out || (!key && key_len))
		return -EINVAL;
	memset(out, 0, sizeof *out);
	odp_iter_init(&it, key, key_len, "key");
	while ((r = odp_iter_next(&it, &a, NULL)) > 0) {
		const struct key_desc *d = key_desc(a.type);

		if (!d)
			continue;
		if (check_key_len(d, &a, "", NULL))
			return -EINVAL;
		switch (a.type) {
		case OVS_KEY_ATTR_IN_PORT:
			out->in_port = odp_get_u32(a.data);
			out->has_in_port = true;
			break;
		case OVS_KEY_ATTR_ETHERNET:
			memcpy(out->eth_src, a.data + offsetof(struct ovs_key_ethernet, eth_src), 6);
			memcpy(out->eth_dst, a.data + offsetof(struct ovs_key_ethernet, eth_dst), 6);
			out->has_eth = true;
			break;
		case OVS_KEY_ATTR_ETHERTYPE:
			out->eth_type = odp_get_be16(a.data);
			break;
		case OVS_KEY_ATTR_RECIRC_ID:
			out->recirc_id = odp_get_u32(a.data);
			break;
		case OVS_KEY_ATTR_DP_HASH:
			out->dp_hash = odp_get_u32(a.data);
			break;
		case OVS_KEY_ATTR_SKB_MARK:
			out->skb_mark = odp_get_u32(a.data);
			break;
		case OVS_KEY_ATTR_PRIORITY:
			out->priority = odp_get_u32(a.data);
			break;
		case OVS_KEY_ATTR_VLAN:
			out->vlan_tci = odp_get_be16(a.data);
			out->has_vlan = true;
			break;
		default:
			break;
		}
	}
	return r < 0 ? -EINVAL : 0;
}
