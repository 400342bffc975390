/* odp-act-encap.c: the action rows that add or remove headers: VLAN,
 * Ethernet, MPLS (push_mpls, pop_mpls, add_mpls) and NSH. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"
#include "nl/ovs-compat.h"

#define VLAN_CFI 0x1000
#define ETH_TYPE_VLAN 0x8100

/* NSH as push_nsh() spells it (RFC 8300 values). */
#define NSH_MD_TYPE1 1
#define NSH_MD_TYPE2 2
#define NSH_NP_ETHERNET 3
#define NSH_MD2_MAX 248

/* ---- VLAN --------------------------------------------------------------- */

static int
format_push_vlan(const struct odp_act_fmt *f)
{
	uint16_t tpid = odp_get_be16(f->a->data), tci = odp_get_be16(f->a->data + 2);

	g_string_append(f->out, "push_vlan(");
	if (tpid != ETH_TYPE_VLAN)
		g_string_append_printf(f->out, "tpid=0x%04x,", tpid);
	g_string_append_printf(f->out, "vid=%u,pcp=%u", tci & 0xfff, tci >> 13);
	if (!(tci & VLAN_CFI))
		g_string_append(f->out, ",cfi=0");
	g_string_append_c(f->out, ')');
	return 0;
}

static int
parse_push_vlan(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		struct ovsdp_buf *b)
{
	uint64_t tpid = ETH_TYPE_VLAN, vid = 0, pcp = 0, cfi = 1;
	uint8_t v[4];
	int r;

	if ((r = odp_lex_expect(lx, "push_vlan", '(')))
		return r;
	do {
		const char *name;
		size_t n;

		if ((r = odp_lex_field(lx, "push_vlan", &name, &n)) < 0)
			return r;
		if (r == 1)
			return odp_unknown_field(lx, "push_vlan", name, n);
		if (odp_field_is(name, n, "tpid"))
			r = odp_lex_uint(lx, "push_vlan", "tpid", UINT16_MAX, &tpid);
		else if (odp_field_is(name, n, "vid"))
			r = odp_lex_uint(lx, "push_vlan", "vid", 0xfff, &vid);
		else if (odp_field_is(name, n, "pcp"))
			r = odp_lex_uint(lx, "push_vlan", "pcp", 7, &pcp);
		else if (odp_field_is(name, n, "cfi"))
			r = odp_lex_uint(lx, "push_vlan", "cfi", 1, &cfi);
		else
			return odp_unknown_field(lx, "push_vlan", name, n);
		if (r)
			return r;
	} while (!(r = odp_lex_list_next(lx, "push_vlan")));
	if (r < 0)
		return r;
	v[0] = (uint8_t)(tpid >> 8);
	v[1] = (uint8_t)tpid;
	v[2] = (uint8_t)(vid >> 8 | pcp << 5 | (cfi ? VLAN_CFI >> 8 : 0));
	v[3] = (uint8_t)vid;
	ovsdp_buf_put_attr(b, OVS_ACTION_ATTR_PUSH_VLAN, v, sizeof v);
	return 0;
}

const struct odp_act_codec odp_act_push_vlan = {
	.name = "push_vlan", .len = sizeof(struct ovs_action_push_vlan), .format = format_push_vlan, .parse = parse_push_vlan
};
const struct odp_act_codec odp_act_pop_vlan = {
	.name = "pop_vlan", .len = 0, .format = odp_act_format_flag, .parse = odp_act_parse_flag
};

/* ---- Ethernet ----------------------------------------------------------- */

static int
format_push_eth(const struct odp_act_fmt *f)
{
	g_string_append(f->out, "push_eth(src=");
	odp_put_mac(f->out, f->a->data);
	g_string_append(f->out, ",dst=");
	odp_put_mac(f->out, f->a->data + 6);
	g_string_append_c(f->out, ')');
	return 0;
}

static int
parse_push_eth(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	       struct ovsdp_buf *b)
{
	uint8_t pay[12] = { 0 };
	int r;

	if ((r = odp_lex_expect(lx, "push_eth", '(')))
		return r;
	do {
		const char *name;
		size_t n;

		if ((r = odp_lex_field(lx, "push_eth", &name, &n)) < 0)
			return r;
		if (r == 0 && odp_field_is(name, n, "src"))
			r = odp_lex_mac(lx, "push_eth", "src", pay);
		else if (r == 0 && odp_field_is(name, n, "dst"))
			r = odp_lex_mac(lx, "push_eth", "dst", pay + 6);
		else
			return odp_unknown_field(lx, "push_eth", name, n);
		if (r)
			return r;
	} while (!(r = odp_lex_list_next(lx, "push_eth")));
	if (r < 0)
		return r;
	ovsdp_buf_put_attr(b, OVS_ACTION_ATTR_PUSH_ETH, pay, sizeof pay);
	return 0;
}

const struct odp_act_codec odp_act_push_eth = {
	.name = "push_eth", .len = sizeof(struct ovs_action_push_eth), .format = format_push_eth, .parse = parse_push_eth
};
const struct odp_act_codec odp_act_pop_eth = {
	.name = "pop_eth", .len = 0, .format = odp_act_format_flag, .parse = odp_act_parse_flag
};

/* ---- MPLS --------------------------------------------------------------- */

/* push_mpls and add_mpls: a label stack entry and the new Ethernet type. */
static int
format_push_mpls(const struct odp_act_fmt *f)
{
	const uint8_t *p = f->a->data;
	uint32_t lse = odp_get_be32(p);

	g_string_append_printf(f->out, "%s(label=%u,tc=%u,ttl=%u,bos=%u,eth_type=0x%x",
			       f->codec->name, lse >> 12, (lse >> 9) & 7, lse & 0xff, (lse >> 8) & 1,
			       odp_get_be16(p + 4));
	/* ovs-dpctl leaves add_mpls's flags out (Open vSwitch only installs
	 * 0); ovsdp shows any other value so that nothing is lost. */
	if (f->a->type == OVS_ACTION_ATTR_ADD_MPLS && odp_get_u16(p + 6))
		g_string_append_printf(f->out, ",tun_flags=%#x", odp_get_u16(p + 6));
	g_string_append_c(f->out, ')');
	return 0;
}

/* push_mpls(label=,tc=,ttl=,bos=,eth_type=) and add_mpls(the same[,tun_flags=]):
 * both payloads are a struct ovs_action_add_mpls (push_mpls without the
 * flags, which stay 0). */
static int
parse_push_mpls(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		struct ovsdp_buf *b)
{
	const struct odp_lse_part *parts = odp_mpls_lse_parts;
	uint32_t lse = 0;
	uint64_t eth_type = 0, tun_flags = 0, v;
	bool have_type = false;
	struct ovs_action_add_mpls m;
	int r;

	if ((r = odp_lex_expect(lx, c->name, '(')))
		return r;
	do {
		const char *name;
		size_t n, i;

		if ((r = odp_lex_field(lx, c->name, &name, &n)) < 0)
			return r;
		if (r == 0 && odp_field_is(name, n, "eth_type")) {
			if ((r = odp_lex_uint(lx, c->name, "eth_type", UINT16_MAX, &eth_type)))
				return r;
			have_type = true;
			continue;
		}
		if (r == 0 && type == OVS_ACTION_ATTR_ADD_MPLS && odp_field_is(name, n, "tun_flags")) {
			if ((r = odp_lex_uint(lx, c->name, "tun_flags", UINT16_MAX, &tun_flags)))
				return r;
			continue;
		}
		for (i = 0; i < G_N_ELEMENTS(odp_mpls_lse_parts); i++)
			if (odp_field_is(name, n, parts[i].name))
				break;
		if (r == 1 || i == G_N_ELEMENTS(odp_mpls_lse_parts))
			return odp_unknown_field(lx, c->name, name, n);
		if ((r = odp_lex_uint(lx, c->name, parts[i].name, parts[i].max, &v)))
			return r;
		lse |= (uint32_t)v << parts[i].shift;
	} while (!(r = odp_lex_list_next(lx, c->name)));
	if (r < 0)
		return r;
	if (!have_type)
		return odp_lex_fail(lx, lx->p - 1, "%s: missing eth_type", c->name);
	m.mpls_lse = htonl(lse);
	m.mpls_ethertype = htons((uint16_t)eth_type);
	m.tun_flags = (uint16_t)tun_flags;
	ovsdp_buf_put_attr(b, type, &m, (size_t)c->len);
	return 0;
}

const struct odp_act_codec odp_act_push_mpls = {
	.name = "push_mpls", .len = sizeof(struct ovs_action_push_mpls), .format = format_push_mpls, .parse = parse_push_mpls
};
const struct odp_act_codec odp_act_add_mpls = {
	.name = "add_mpls", .len = sizeof(struct ovs_action_add_mpls), .format = format_push_mpls, .parse = parse_push_mpls
};

static int
format_pop_mpls(const struct odp_act_fmt *f)
{
	g_string_append_printf(f->out, "pop_mpls(eth_type=0x%x)", odp_get_be16(f->a->data));
	return 0;
}

static int
parse_pop_mpls(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	       struct ovsdp_buf *b)
{
	const char *name;
	size_t n;
	uint64_t v;
	int r;

	if ((r = odp_lex_expect(lx, "pop_mpls", '(')) || (r = odp_lex_field(lx, "pop_mpls", &name, &n)) < 0)
		return r;
	if (r == 1 || !odp_field_is(name, n, "eth_type"))
		return odp_unknown_field(lx, "pop_mpls", name, n);
	if ((r = odp_lex_uint(lx, "pop_mpls", "eth_type", UINT16_MAX, &v))
	    || (r = odp_lex_expect(lx, "pop_mpls", ')')))
		return r;
	odp_put_be16(b, OVS_ACTION_ATTR_POP_MPLS, (uint16_t)v);
	return 0;
}

const struct odp_act_codec odp_act_pop_mpls = {
	.name = "pop_mpls", .len = 2, .format = format_pop_mpls, .parse = parse_pop_mpls
};

/* ---- NSH ---------------------------------------------------------------- */

/* push_nsh(flags=,ttl=,mdtype=,np=,spi=,si=, then c1..c4 or md2=).  The
 * action holds one OVS_KEY_ATTR_NSH, which nests the base header and the
 * context. */
static int
format_push_nsh(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *outer = f->a;
	GError **error = f->error;
	static const int lens[] = {
		[OVS_NSH_KEY_ATTR_UNSPEC] = -2,
		[OVS_NSH_KEY_ATTR_BASE] = sizeof(struct ovs_nsh_key_base),
		[OVS_NSH_KEY_ATTR_MD1] = sizeof(struct ovs_nsh_key_md1),
		[OVS_NSH_KEY_ATTR_MD2] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *a;
	struct odp_attr nsh;
	const uint8_t *base;
	int r;

	if ((r = odp_act_single_key(outer, "push_nsh", &nsh, error)))
		return r;
	if (nsh.type != OVS_KEY_ATTR_NSH)
		return odp_fail(error, "push_nsh: expected an nsh key attribute, found type %u", nsh.type);
	a = &nsh;
	if ((r = odp_act_collect(a, "push_nsh", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	base = at[OVS_NSH_KEY_ATTR_BASE].data;
	if (!base)
		return odp_fail(error, "push_nsh: missing base header");
	if (at[OVS_NSH_KEY_ATTR_MD1].data && at[OVS_NSH_KEY_ATTR_MD2].data)
		return odp_fail(error, "push_nsh: both MD type 1 and MD type 2 context");
	if ((at[OVS_NSH_KEY_ATTR_MD1].data && base[2] != NSH_MD_TYPE1)
	    || (at[OVS_NSH_KEY_ATTR_MD2].data && base[2] != NSH_MD_TYPE2))
		return odp_fail(error, "push_nsh: context does not match mdtype %u", base[2]);
	g_string_append_printf(out, "push_nsh(flags=%u,ttl=%u,mdtype=%u,np=%u,spi=0x%x,si=%u",
			       base[0], base[1], base[2], base[3], odp_get_be32(base + 4) >> 8,
			       base[7]);
	if (base[2] == NSH_MD_TYPE1) {
		const uint8_t *c = at[OVS_NSH_KEY_ATTR_MD1].data;

		for (int i = 0; i < 4; i++)
			g_string_append_printf(out, ",c%d=0x%x", i + 1, c ? odp_get_be32(c + 4 * i) : 0);
	} else if (base[2] == NSH_MD_TYPE2) {
		g_string_append(out, ",md2=");
		if (at[OVS_NSH_KEY_ATTR_MD2].data)
			odp_put_hex_trimmed(out, at[OVS_NSH_KEY_ATTR_MD2].data, at[OVS_NSH_KEY_ATTR_MD2].len);
		else
			g_string_append_c(out, '0');
	} else {
		return odp_fail(error, "push_nsh: unknown mdtype %u", base[2]);
	}
	g_string_append_c(out, ')');
	return 0;
}

/* push_nsh(...): the fields ovs-dpctl prints, any order, with its defaults
 * (ttl 63, MD type 1, next protocol Ethernet, si 255). */
static int
parse_push_nsh(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	       struct ovsdp_buf *b)
{
	static const struct {
		const char *name;
		uint64_t max;
	} u8s[] = { { "flags", 0xff }, { "ttl", 0xff }, { "mdtype", 0xff }, { "np", 0xff } };
	g_autoptr(GByteArray) md2 = g_byte_array_new();
	uint8_t base[8] = { 0, 63, NSH_MD_TYPE1, NSH_NP_ETHERNET, 0, 0, 0, 255 };
	uint8_t md1[16] = { 0 };
	uint64_t v, spi = 0;
	bool have_md1 = false, have_md2 = false;
	size_t nest, inner;
	int r;

	if ((r = odp_lex_expect(lx, "push_nsh", '(')))
		return r;
	if (*lx->p != ')') {
		do {
			const char *name;
			size_t n, i;

			if ((r = odp_lex_field(lx, "push_nsh", &name, &n)) < 0)
				return r;
			if (r == 1)
				return odp_unknown_field(lx, "push_nsh", name, n);
			for (i = 0; i < G_N_ELEMENTS(u8s); i++)
				if (odp_field_is(name, n, u8s[i].name))
					break;
			if (i < G_N_ELEMENTS(u8s)) {
				if ((r = odp_lex_uint(lx, "push_nsh", u8s[i].name, u8s[i].max, &v)))
					return r;
				base[i] = (uint8_t)v;
			} else if (odp_field_is(name, n, "spi")) {
				if ((r = odp_lex_uint(lx, "push_nsh", "spi", 0xffffff, &spi)))
					return r;
			} else if (odp_field_is(name, n, "si")) {
				if ((r = odp_lex_uint(lx, "push_nsh", "si", 0xff, &v)))
					return r;
				base[7] = (uint8_t)v;
			} else if (n == 2 && name[0] == 'c' && name[1] >= '1' && name[1] <= '4') {
				int k = name[1] - '1';

				if ((r = odp_lex_uint(lx, "push_nsh", "context", UINT32_MAX, &v)))
					return r;
				for (int j = 0; j < 4; j++)
					md1[4 * k + j] = (uint8_t)(v >> (24 - 8 * j));
				have_md1 = true;
			} else if (odp_field_is(name, n, "md2")) {
				g_byte_array_set_size(md2, 0);
				if ((r = odp_lex_hex_blob(lx, "push_nsh", "md2", NSH_MD2_MAX, md2)))
					return r;
				have_md2 = true;
			} else {
				return odp_unknown_field(lx, "push_nsh", name, n);
			}
		} while (!(r = odp_lex_list_next(lx, "push_nsh")));
		if (r < 0)
			return r;
	} else {
		lx->p++;
	}
	if (base[2] != NSH_MD_TYPE1 && base[2] != NSH_MD_TYPE2)
		return odp_lex_fail(lx, lx->p - 1, "push_nsh: mdtype must be 1 or 2");
	if ((base[2] == NSH_MD_TYPE1 && have_md2) || (base[2] == NSH_MD_TYPE2 && have_md1))
		return odp_lex_fail(lx, lx->p - 1, "push_nsh: context does not match mdtype %u", base[2]);
	base[4] = (uint8_t)(spi >> 16);
	base[5] = (uint8_t)(spi >> 8);
	base[6] = (uint8_t)spi;
	nest = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_PUSH_NSH);
	inner = ovsdp_buf_nest_start(b, OVS_KEY_ATTR_NSH);
	ovsdp_buf_put_attr(b, OVS_NSH_KEY_ATTR_BASE, base, sizeof base);
	if (base[2] == NSH_MD_TYPE1)
		ovsdp_buf_put_attr(b, OVS_NSH_KEY_ATTR_MD1, md1, sizeof md1);
	else if (md2->len && !(md2->len == 1 && !md2->data[0]))
		ovsdp_buf_put_attr(b, OVS_NSH_KEY_ATTR_MD2, md2->data, md2->len);
	if ((r = odp_nest_end(b, inner, "push_nsh", lx->error)))
		return r;
	return odp_nest_end(b, nest, "push_nsh", lx->error);
}

const struct odp_act_codec odp_act_push_nsh = {
	.name = "push_nsh", .len = ODP_LEN_VAR, .format = format_push_nsh, .parse = parse_push_nsh
};

static int
format_pop_nsh(const struct odp_act_fmt *f)
{
	g_string_append(f->out, "pop_nsh()");
	return 0;
}

static int
parse_pop_nsh(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type, struct ovsdp_buf *b)
{
	int r;

	if ((r = odp_lex_expect(lx, c->name, '(')) || (r = odp_lex_expect(lx, c->name, ')')))
		return r;
	ovsdp_buf_put_flag(b, type);
	return 0;
}

const struct odp_act_codec odp_act_pop_nsh = {
	.name = "pop_nsh", .len = 0, .format = format_pop_nsh, .parse = parse_pop_nsh
};
