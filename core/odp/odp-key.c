/* odp-key.c: flow keys and masks (OVS_KEY_ATTR_* attributes) to and from
 * the text of `ovs-dpctl dump-flows` / `add-flow`, and the quick field
 * extraction upcall handlers use.  This file walks key and mask lists and
 * indexes the rows of the key types (struct odp_key_codec), which the
 * family files define: odp-key-l2.c, odp-key-l3.c, odp-key-ct.c,
 * odp-key-tunnel.c and odp-key-mpls-nsh.c; encap() is here, since it
 * nests a whole list.  Field names, number bases and the rules for leaving
 * out wildcarded fields follow Open vSwitch's odp-util. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"
#include "odp/odp-private.h"

/* The IPv6 extension header key (Linux 5.18), which Open vSwitch has no
 * name for: see odp-key-l3.c. */
#define ODP_KEY_ATTR_IPV6_EXTHDRS 32
#define ODP_KEY_TYPES 33

static const struct odp_key_codec encap_codec;

/* The key types by number. */
static const struct odp_key_codec *const key_codecs[ODP_KEY_TYPES] = {
	[OVS_KEY_ATTR_ENCAP] = &encap_codec,
	[OVS_KEY_ATTR_PRIORITY] = &odp_key_priority,
	[OVS_KEY_ATTR_IN_PORT] = &odp_key_in_port,
	[OVS_KEY_ATTR_ETHERNET] = &odp_key_ethernet,
	[OVS_KEY_ATTR_VLAN] = &odp_key_vlan,
	[OVS_KEY_ATTR_ETHERTYPE] = &odp_key_ethertype,
	[OVS_KEY_ATTR_IPV4] = &odp_key_ipv4,
	[OVS_KEY_ATTR_IPV6] = &odp_key_ipv6,
	[OVS_KEY_ATTR_TCP] = &odp_key_tcp,
	[OVS_KEY_ATTR_UDP] = &odp_key_udp,
	[OVS_KEY_ATTR_ICMP] = &odp_key_icmp,
	[OVS_KEY_ATTR_ICMPV6] = &odp_key_icmpv6,
	[OVS_KEY_ATTR_ARP] = &odp_key_arp,
	[OVS_KEY_ATTR_ND] = &odp_key_nd,
	[OVS_KEY_ATTR_SKB_MARK] = &odp_key_skb_mark,
	[OVS_KEY_ATTR_TUNNEL] = &odp_key_tunnel,
	[OVS_KEY_ATTR_SCTP] = &odp_key_sctp,
	[OVS_KEY_ATTR_TCP_FLAGS] = &odp_key_tcp_flags,
	[OVS_KEY_ATTR_DP_HASH] = &odp_key_dp_hash,
	[OVS_KEY_ATTR_RECIRC_ID] = &odp_key_recirc_id,
	[OVS_KEY_ATTR_MPLS] = &odp_key_mpls,
	[OVS_KEY_ATTR_CT_STATE] = &odp_key_ct_state,
	[OVS_KEY_ATTR_CT_ZONE] = &odp_key_ct_zone,
	[OVS_KEY_ATTR_CT_MARK] = &odp_key_ct_mark,
	[OVS_KEY_ATTR_CT_LABELS] = &odp_key_ct_labels,
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4] = &odp_key_ct_tuple4,
	[OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6] = &odp_key_ct_tuple6,
	[OVS_KEY_ATTR_NSH] = &odp_key_nsh,
	[ODP_KEY_ATTR_IPV6_EXTHDRS] = &odp_key_ipv6_exthdrs,
};

static const struct odp_key_codec *
key_desc(uint16_t type)
{
	return type < ODP_KEY_TYPES ? key_codecs[type] : NULL;
}

const char *
odp_key_name(uint16_t type)
{
	const struct odp_key_codec *d = key_desc(type);

	return d ? d->name : NULL;
}

int
odp_key_len(uint16_t type)
{
	const struct odp_key_codec *d = key_desc(type);

	if (!d)
		return -2;
	return d->len >= 0 ? d->len : -1;
}

/* ---- Masks -------------------------------------------------------------- */

/* Whether every meaningful bit of a mask equals 'byte' (0 or 0xff), with
 * Open vSwitch's notion of which bits are meaningful. */
static bool
mask_is_const(const struct odp_key_codec *d, const uint8_t *m, size_t len, uint8_t byte)
{
	return d->mask_is ? d->mask_is(m, len, byte) : odp_all_bytes(m, len, byte);
}

/* ---- Printing ----------------------------------------------------------- */

static int format_key_list(GString *out, const uint8_t *key, size_t klen, struct odp_mask_ref mr,
			   bool verbose, int depth, const char *ctx, GError **error);

/* The body (between the parentheses) of one checked key attribute.  For
 * fixed-size keys 'm' is the mask payload (same length) or NULL for exact;
 * nested keys use 'mr'. */
static int
format_key_body(GString *out, const struct odp_key_codec *d, const struct odp_attr *a,
		const uint8_t *m, struct odp_mask_ref mr, bool verbose, int depth, GError **error)
{
	/* A nested key's mask has a length of its own (mr.len): only a fixed
	 * size key's mask is as long as the key. */
	bool fixed = d->len != ODP_LEN_NESTED;
	struct odp_key_fmt f = {
		.out = out, .codec = d, .a = a, .m = m, .mr = mr,
		.exact = !fixed || !m || mask_is_const(d, m, a->len, 0xff),
		.empty = fixed && m && odp_all_bytes(m, a->len, 0),
		.verbose = verbose, .depth = depth, .error = error,
	};

	return d->format(&f);
}

/* Length rules of a key or mask attribute; 'what' is "" or " mask". */
static int
check_key_len(const struct odp_key_codec *d, const struct odp_attr *a, const char *what,
	      GError **error)
{
	if (d->len >= 0 && a->len != (size_t)d->len)
		return odp_fail(error, "%s%s: payload is %zu bytes, expected %d",
				d->name, what, a->len, d->len);
	if (d->len == ODP_LEN_MPLS && (!a->len || a->len % 4 || a->len > 4 * ODP_MPLS_MAX_LABELS))
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
		const struct odp_key_codec *d = key_desc(a.type);

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
format_key_list(GString *out, const uint8_t *key, size_t klen, struct odp_mask_ref mr,
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
	if (mr.mode == ODP_MASK_GIVEN && (r = check_mask_list(mr.data, mr.len, prefix, error)))
		return r;

	odp_iter_init(&it, key, klen, ctx);
	while ((r = odp_iter_next(&it, &a, error)) > 0) {
		const struct odp_key_codec *d = key_desc(a.type);
		bool found = false, wild, nested;
		struct odp_mask_ref sub = { mr.mode, NULL, 0 };
		const uint8_t *m = NULL;

		if (!d) {
			/* A type ovsdp has no name for: shown whole, as
			 * ovs-dpctl shows it (its mask never counts as exact,
			 * and one left out of the mask means a wildcard). */
			found = mr.mode == ODP_MASK_GIVEN && odp_list_find(mr.data, mr.len, a.type, &ma);
			if (mr.mode == ODP_MASK_EXACT || found || verbose) {
				put_sep(out, &first);
				odp_put_generic(out, a.type, a.data, a.len, found ? ma.data : NULL,
						found ? ma.len : 0, mr.mode != ODP_MASK_EXACT);
			}
			continue;
		}
		if (seen & (UINT64_C(1) << a.type))
			return odp_fail(error, "%sduplicate key attribute %s", prefix, d->name);
		seen |= UINT64_C(1) << a.type;
		if ((r = check_key_len(d, &a, "", error)))
			return r;
		if (mr.mode == ODP_MASK_GIVEN) {
			found = odp_list_find(mr.data, mr.len, a.type, &ma);
			if (found && d->len == ODP_LEN_MPLS && ma.len != a.len)
				return odp_fail(error, "mpls mask: payload is %zu bytes, expected %zu",
						ma.len, a.len);
		}

		nested = d->len == ODP_LEN_NESTED;
		if (mr.mode == ODP_MASK_GIVEN)
			wild = found ? mask_is_const(d, ma.data, ma.len, 0) : true;
		else
			wild = mr.mode == ODP_MASK_WILD;

		if (found) {
			sub.data = ma.data;
			sub.len = ma.len;
			m = ma.data;
		} else if (mr.mode != ODP_MASK_EXACT) {
			sub.mode = ODP_MASK_WILD;
			m = odp_zeros;
		}

		if (verbose || !wild || nested) {
			put_sep(out, &first);
			g_string_append_printf(out, "%s(", d->name);
			r = format_key_body(out, d, &a, m, sub, verbose, depth, error);
			if (r)
				return r;
			g_string_append_c(out, ')');
		} else if (d->show_wild) {
			put_sep(out, &first);
			g_string_append_printf(out, "%s()", d->name);
		}
	}
	if (r < 0)
		return r;

	if (mr.mode == ODP_MASK_GIVEN && !(seen & (UINT64_C(1) << OVS_KEY_ATTR_ETHERTYPE))
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
	const struct odp_key_codec *d = key_desc(a->type);
	struct odp_mask_ref mr = { ODP_MASK_EXACT, NULL, 0 };
	int r;

	if (!d) {
		odp_put_generic(out, a->type, a->data, a->len, mask ? mask->data : NULL,
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
		mr.mode = ODP_MASK_GIVEN;
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
	struct odp_mask_ref mr = { ODP_MASK_EXACT, NULL, 0 };
	size_t old;
	int r;

	if (!out || (!key && key_len) || (!mask && mask_len))
		return odp_fail(error, "invalid arguments");
	if (mask && mask_len) {
		mr.mode = ODP_MASK_GIVEN;
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
		const struct odp_key_codec *d = key_desc(a.type);

		if (!d)
			continue;       /* the kernel judges types it knows */
		if (seen & (UINT64_C(1) << a.type))
			return odp_fail(error, "%sduplicate key attribute %s", prefix, d->name);
		seen |= UINT64_C(1) << a.type;
		if ((r = check_key_len(d, &a, "", error)))
			return r;
		if (d->validate && (r = d->validate(&a, depth, error)))
			return r;
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

int
odp_key_parse_attr(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask,
		   uint64_t *seen)
{
	const char *at = lx->p;
	size_t n = odp_ident_len(at);
	const struct odp_key_codec *d = NULL;
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
		if (!odp_generic_type(at, n, &type) || key_desc(type))
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
		return odp_parse_generic_body(lx, "key", type, key, mask);
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

	return d->parse(lx, d, type, key, mask);
}

/* The buffers of a key list being read, and the types it has. */
struct key_list {
	struct ovsdp_buf *key, *mask;
	uint64_t seen;
};

static int
parse_key_item(struct odp_lexer *lx, void *arg)
{
	struct key_list *kl = arg;

	return odp_key_parse_attr(lx, kl->key, kl->mask, &kl->seen);
}

static int
parse_key_list(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask, bool nested)
{
	struct key_list kl = { key, mask, 0 };

	lx->p += strspn(lx->p, ODP_LIST_DELIMS);
	return odp_lex_list(lx, nested, "encap", parse_key_item, &kl);
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

/* ---- encap(): a whole key list, nested ---------------------------------- */

static int
format_encap(const struct odp_key_fmt *f)
{
	struct odp_mask_ref mr = f->mr;

	if (!f->a->len)
		return 0;
	if (mr.mode == ODP_MASK_GIVEN && !mr.len)
		mr.mode = ODP_MASK_EXACT;
	return format_key_list(f->out, f->a->data, f->a->len, mr, f->verbose, f->depth + 1, "encap",
			       f->error);
}

static int
parse_encap(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	    struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	/* Errors about the nesting point at the name, before "encap(". */
	const char *at = lx->p - strlen(c->name) - 1;
	size_t kc, mc = 0;
	int r;

	if (lx->depth >= ODP_MAX_DEPTH)
		return odp_lex_fail(lx, at, "encap: nested too deeply");
	kc = ovsdp_buf_nest_start(key, type);
	if (mask)
		mc = ovsdp_buf_nest_start(mask, type);
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
validate_encap(const struct odp_attr *a, int depth, GError **error)
{
	return validate_list(a->data, a->len, depth + 1, error);
}

static const struct odp_key_codec encap_codec = {
	.name = "encap", .len = ODP_LEN_NESTED, .format = format_encap, .parse = parse_encap,
	.mask_is = odp_mask_never, .validate = validate_encap,
};

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
		const struct odp_key_codec *d = key_desc(a.type);

		if (!d)
			continue;
		if (check_key_len(d, &a, "", NULL))
			return -EINVAL;
		if (d->flow_fields)
			d->flow_fields(a.data, out);
	}
	return r < 0 ? -EINVAL : 0;
}
