/* odp-key-l2.c: the key rows of packet metadata (skb_priority, in_port,
 * skb_mark, dp_hash, recirc_id) and of layer 2 (eth, vlan, eth_type). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"
#include "odp/odp-private.h"

#define VLAN_CFI 0x1000
#define VLAN_VID_MASK 0x0fff
#define VLAN_PCP_SHIFT 13

/* ---- Metadata ----------------------------------------------------------- */

static void
fields_priority(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->priority = odp_get_u32(p);
}

static void
fields_skb_mark(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->skb_mark = odp_get_u32(p);
}

static void
fields_dp_hash(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->dp_hash = odp_get_u32(p);
}

static void
fields_recirc_id(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->recirc_id = odp_get_u32(p);
}

const struct odp_key_codec odp_key_priority = {
	.name = "skb_priority", .len = 4, .format = odp_key_format_u32x, .parse = odp_key_parse_uint,
	.flow_fields = fields_priority,
};
const struct odp_key_codec odp_key_skb_mark = {
	.name = "skb_mark", .len = 4, .format = odp_key_format_u32x, .parse = odp_key_parse_uint,
	.flow_fields = fields_skb_mark,
};
const struct odp_key_codec odp_key_dp_hash = {
	.name = "dp_hash", .len = 4, .format = odp_key_format_u32x, .parse = odp_key_parse_uint,
	.flow_fields = fields_dp_hash,
};
const struct odp_key_codec odp_key_recirc_id = {
	.name = "recirc_id", .len = 4, .format = odp_key_format_u32x, .parse = odp_key_parse_uint,
	.flow_fields = fields_recirc_id,
};

/* A port number in decimal, its mask in hex. */
static int
format_in_port(const struct odp_key_fmt *f)
{
	g_string_append_printf(f->out, "%u", odp_get_u32(f->a->data));
	if (!f->exact)
		g_string_append_printf(f->out, "/%#x", odp_get_u32(f->m));
	return 0;
}

static void
fields_in_port(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->in_port = odp_get_u32(p);
	out->has_in_port = true;
}

const struct odp_key_codec odp_key_in_port = {
	.name = "in_port", .len = 4, .format = format_in_port, .parse = odp_key_parse_uint,
	.flow_fields = fields_in_port,
};

/* ---- Ethernet ----------------------------------------------------------- */

static const struct odp_field eth_fields[] = {
	ODP_FIELD("src", ODP_FK_ETH, struct ovs_key_ethernet, eth_src),
	ODP_FIELD("dst", ODP_FK_ETH, struct ovs_key_ethernet, eth_dst),
};

/* A present but wildcarded Ethernet key still says the packet is an
 * Ethernet frame: dump-flows keeps "eth()". */
static void
fields_ethernet(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	memcpy(out->eth_src, p + offsetof(struct ovs_key_ethernet, eth_src), 6);
	memcpy(out->eth_dst, p + offsetof(struct ovs_key_ethernet, eth_dst), 6);
	out->has_eth = true;
}

const struct odp_key_codec odp_key_ethernet = {
	ODP_STRUCT_KEY("eth", struct ovs_key_ethernet, eth_fields), .show_wild = true,
	.flow_fields = fields_ethernet,
};

static int
format_ethertype(const struct odp_key_fmt *f)
{
	g_string_append_printf(f->out, "0x%04x", odp_get_be16(f->a->data));
	if (!f->exact)
		g_string_append_printf(f->out, "/0x%04x", odp_get_be16(f->m));
	return 0;
}

static int
parse_ethertype(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint64_t v, mv;
	int r;

	if ((r = odp_lex_uint_masked(lx, c->name, NULL, UINT16_MAX, &v, &mv)))
		return r;
	return odp_key_close_be16(lx, c, type, key, mask, v, mv);
}

static void
fields_ethertype(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->eth_type = odp_get_be16(p);
}

const struct odp_key_codec odp_key_ethertype = {
	.name = "eth_type", .len = 2, .format = format_ethertype, .parse = parse_ethertype,
	.flow_fields = fields_ethertype,
};

/* ---- VLAN --------------------------------------------------------------- */

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

static int
format_vlan(const struct odp_key_fmt *f)
{
	put_vlan_tci(f->out, odp_get_be16(f->a->data), f->m ? odp_get_be16(f->m) : 0xffff, f->verbose);
	return 0;
}

/* vid, pcp and cfi, each value[/mask], into a TCI and its mask. */
static int
vlan_field(struct odp_lexer *lx, const char *name, size_t n, void *arg)
{
	uint16_t *tci = arg;    /* the value, then the mask */
	uint64_t v, mv;
	int r;

	if (odp_field_is(name, n, "vid")) {
		if ((r = odp_lex_uint_masked(lx, "vlan", "vid", VLAN_VID_MASK, &v, &mv)))
			return r;
		tci[0] = (uint16_t)((tci[0] & ~VLAN_VID_MASK) | v);
		tci[1] = (uint16_t)((tci[1] & ~VLAN_VID_MASK) | mv);
	} else if (odp_field_is(name, n, "pcp")) {
		if ((r = odp_lex_uint_masked(lx, "vlan", "pcp", 7, &v, &mv)))
			return r;
		tci[0] = (uint16_t)((tci[0] & 0x1fff) | v << VLAN_PCP_SHIFT);
		tci[1] = (uint16_t)((tci[1] & 0x1fff) | mv << VLAN_PCP_SHIFT);
	} else if (odp_field_is(name, n, "cfi")) {
		if ((r = odp_lex_uint_masked(lx, "vlan", "cfi", 1, &v, &mv)))
			return r;
		tci[0] = (uint16_t)((tci[0] & ~VLAN_CFI) | (v ? VLAN_CFI : 0));
		tci[1] = (uint16_t)((tci[1] & ~VLAN_CFI) | (mv ? VLAN_CFI : 0));
	} else {
		return odp_unknown_field(lx, "vlan", name, n);
	}
	return 0;
}

static int
parse_vlan(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	   struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint16_t tci[2] = { VLAN_CFI, VLAN_CFI };
	uint8_t k[2], m[2];
	int r;

	if ((r = odp_lex_fields(lx, c->name, vlan_field, tci)))
		return r;
	odp_store_be16(k, tci[0]);
	odp_store_be16(m, tci[1]);
	odp_put_pair(key, mask, type, k, m, (size_t)c->len);
	return 0;
}

static void
fields_vlan(const uint8_t *p, struct ovsdp_flow_fields *out)
{
	out->vlan_tci = odp_get_be16(p);
	out->has_vlan = true;
}

const struct odp_key_codec odp_key_vlan = {
	.name = "vlan", .len = 2, .format = format_vlan, .parse = parse_vlan,
	.flow_fields = fields_vlan,
};
