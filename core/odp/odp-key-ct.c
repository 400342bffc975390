/* odp-key-ct.c: the conntrack key rows: ct_state, ct_zone, ct_mark,
 * ct_label and the original direction tuples ct_tuple4 and ct_tuple6. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"

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

/* Flags by name; set() (verbose) prints the number. */
static int
format_ct_state(const struct odp_key_fmt *f)
{
	const uint8_t *k = f->a->data;

	if (f->verbose) {
		g_string_append_printf(f->out, "%#x", odp_get_u32(k));
		if (!f->exact)
			g_string_append_printf(f->out, "/%#x", odp_get_u32(f->m));
	} else if (!f->exact) {
		odp_put_flags_masked(f->out, ct_state_names, odp_get_u32(k), odp_get_u32(f->m),
				     UINT32_MAX);
	} else {
		odp_put_flags(f->out, ct_state_names, odp_get_u32(k), '|');
	}
	return 0;
}

static int
parse_ct_state(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	       struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint32_t k, m;
	int r;

	if ((r = odp_lex_flags(lx, c->name, ct_state_names, UINT32_MAX, &k, &m)))
		return r;
	return odp_key_close(lx, c, type, key, mask, &k, &m);
}

const struct odp_key_codec odp_key_ct_state = {
	.name = "ct_state", .len = 4, .format = format_ct_state, .parse = parse_ct_state,
};

/* A zone is a host-order u16; a wildcarded one prints nothing. */
static int
format_ct_zone(const struct odp_key_fmt *f)
{
	if (!f->verbose && f->empty)
		return 0;
	g_string_append_printf(f->out, "%#x", odp_get_u16(f->a->data));
	if (!f->exact)
		g_string_append_printf(f->out, "/%#x", odp_get_u16(f->m));
	return 0;
}

const struct odp_key_codec odp_key_ct_zone = {
	.name = "ct_zone", .len = 2, .format = format_ct_zone, .parse = odp_key_parse_uint,
};

static int
format_ct_mark(const struct odp_key_fmt *f)
{
	if (!f->verbose && f->empty)
		return 0;
	return odp_key_format_u32x(f);
}

const struct odp_key_codec odp_key_ct_mark = {
	.name = "ct_mark", .len = 4, .format = format_ct_mark, .parse = odp_key_parse_uint,
};

/* 128 bits held in host order, printed as one hex number. */
static int
format_ct_label(const struct odp_key_fmt *f)
{
	if (!f->verbose && f->empty)
		return 0;
	odp_put_u128(f->out, f->a->data);
	if (f->m && !odp_all_bytes(f->m, 16, 0xff)) {
		g_string_append_c(f->out, '/');
		odp_put_u128(f->out, f->m);
	}
	return 0;
}

static int
parse_ct_label(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	       struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint8_t k[16] = { 0 }, m[16];
	int r;

	r = odp_lex_u128(lx, c->name, NULL, k);
	memset(m, 0xff, 16);
	if (!r && *lx->p == '/') {
		lx->p++;
		r = odp_lex_u128(lx, c->name, NULL, m);
	}
	if (r)
		return r;
	return odp_key_close(lx, c, type, key, mask, k, m);
}

const struct odp_key_codec odp_key_ct_labels = {
	.name = "ct_label", .len = 16, .format = format_ct_label, .parse = parse_ct_label,
};

/* ---- Original direction tuples ------------------------------------------ */

static const struct odp_field ct_tuple4_fields[] = {
	ODP_FIELD("src", ODP_FK_IPV4, struct ovs_key_ct_tuple_ipv4, ipv4_src),
	ODP_FIELD("dst", ODP_FK_IPV4, struct ovs_key_ct_tuple_ipv4, ipv4_dst),
	ODP_FIELD("proto", ODP_FK_U8, struct ovs_key_ct_tuple_ipv4, ipv4_proto),
	ODP_FIELD("tp_src", ODP_FK_BE16, struct ovs_key_ct_tuple_ipv4, src_port),
	ODP_FIELD("tp_dst", ODP_FK_BE16, struct ovs_key_ct_tuple_ipv4, dst_port),
};

/* Open vSwitch prints src_port/dst_port here but parses tp_src/tp_dst. */
static const struct odp_field ct_tuple6_fields[] = {
	ODP_FIELD("src", ODP_FK_IPV6, struct ovs_key_ct_tuple_ipv6, ipv6_src),
	ODP_FIELD("dst", ODP_FK_IPV6, struct ovs_key_ct_tuple_ipv6, ipv6_dst),
	ODP_FIELD("proto", ODP_FK_U8, struct ovs_key_ct_tuple_ipv6, ipv6_proto),
	{ "src_port", "tp_src", ODP_FK_BE16, offsetof(struct ovs_key_ct_tuple_ipv6, src_port) },
	{ "dst_port", "tp_dst", ODP_FK_BE16, offsetof(struct ovs_key_ct_tuple_ipv6, dst_port) },
};

/* Open vSwitch judges a tuple's mask by its addresses and protocol only. */
static bool
ct_tuple4_mask_is(const uint8_t *m, size_t len, uint8_t byte)
{
	(void)len;
	return odp_all_bytes(m, offsetof(struct ovs_key_ct_tuple_ipv4, ipv4_proto) + 1, byte);
}

static bool
ct_tuple6_mask_is(const uint8_t *m, size_t len, uint8_t byte)
{
	(void)len;
	return odp_all_bytes(m, offsetof(struct ovs_key_ct_tuple_ipv6, ipv6_proto) + 1, byte);
}

const struct odp_key_codec odp_key_ct_tuple4 = {
	ODP_STRUCT_KEY("ct_tuple4", struct ovs_key_ct_tuple_ipv4, ct_tuple4_fields),
	.mask_is = ct_tuple4_mask_is,
};
const struct odp_key_codec odp_key_ct_tuple6 = {
	ODP_STRUCT_KEY("ct_tuple6", struct ovs_key_ct_tuple_ipv6, ct_tuple6_fields),
	.mask_is = ct_tuple6_mask_is,
};
