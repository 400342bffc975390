/* odp-actions.c: datapath actions (OVS_ACTION_ATTR_* attributes) to and
 * from the text of `ovs-dpctl dump-flows` / `add-flow`.  This file walks
 * action lists and indexes the rows of the action types (struct
 * odp_act_codec), which the family files define: odp-act-control.c
 * (userspace, psample, recirc, hash, meter, trunc, drop), odp-act-ct.c (ct
 * with NAT, ct_clear) and odp-act-encap.c (VLAN, Ethernet, MPLS and NSH
 * push/pop, add_mpls), with the helpers of odp-act-common.c.  Output, set()
 * and the actions that hold action lists (sample, clone, check_pkt_len,
 * dec_ttl) are here.  Any other type reads and prints as "actionN(hex
 * bytes)", both ways, so that nothing a kernel returns is lost. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"
#include "odp/odp-private.h"
#include "nl/ovs-compat.h"

/* The action types by number. */
static const struct odp_act_codec *const act_codecs[] = {
	[OVS_ACTION_ATTR_OUTPUT] = &odp_act_output,
	[OVS_ACTION_ATTR_USERSPACE] = &odp_act_userspace,
	[OVS_ACTION_ATTR_SET] = &odp_act_set,
	[OVS_ACTION_ATTR_PUSH_VLAN] = &odp_act_push_vlan,
	[OVS_ACTION_ATTR_POP_VLAN] = &odp_act_pop_vlan,
	[OVS_ACTION_ATTR_SAMPLE] = &odp_act_sample,
	[OVS_ACTION_ATTR_RECIRC] = &odp_act_recirc,
	[OVS_ACTION_ATTR_HASH] = &odp_act_hash,
	[OVS_ACTION_ATTR_PUSH_MPLS] = &odp_act_push_mpls,
	[OVS_ACTION_ATTR_POP_MPLS] = &odp_act_pop_mpls,
	[OVS_ACTION_ATTR_SET_MASKED] = &odp_act_set_masked,
	[OVS_ACTION_ATTR_CT] = &odp_act_ct,
	[OVS_ACTION_ATTR_TRUNC] = &odp_act_trunc,
	[OVS_ACTION_ATTR_PUSH_ETH] = &odp_act_push_eth,
	[OVS_ACTION_ATTR_POP_ETH] = &odp_act_pop_eth,
	[OVS_ACTION_ATTR_CT_CLEAR] = &odp_act_ct_clear,
	[OVS_ACTION_ATTR_PUSH_NSH] = &odp_act_push_nsh,
	[OVS_ACTION_ATTR_POP_NSH] = &odp_act_pop_nsh,
	[OVS_ACTION_ATTR_METER] = &odp_act_meter,
	[OVS_ACTION_ATTR_CLONE] = &odp_act_clone,
	[OVS_ACTION_ATTR_CHECK_PKT_LEN] = &odp_act_check_pkt_len,
	[OVS_ACTION_ATTR_ADD_MPLS] = &odp_act_add_mpls,
	[OVS_ACTION_ATTR_DEC_TTL] = &odp_act_dec_ttl,
	[OVSDP_ACTION_ATTR_DROP] = &odp_act_drop,
	[OVSDP_ACTION_ATTR_PSAMPLE] = &odp_act_psample,
};

static const struct odp_act_codec *
act_desc(uint16_t type)
{
	return type < G_N_ELEMENTS(act_codecs) ? act_codecs[type] : NULL;
}

static int format_action_list(GString *out, const uint8_t *buf, size_t len, int depth,
			      const char *ctx, GError **error);
static int parse_action_list(struct odp_lexer *lx, struct ovsdp_buf *b, const char *ctx,
			     bool nested);

/* ---- output and set() ---------------------------------------------------- */

static int
format_output(const struct odp_act_fmt *f)
{
	g_string_append_printf(f->out, "%u", odp_get_u32(f->a->data));
	return 0;
}

/* set() and set_masked(), both printed "set(KEY)". */
static int
format_set(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	GError **error = f->error;
	bool masked = a->type == OVS_ACTION_ATTR_SET_MASKED;
	const char *ctx = masked ? "set_masked" : "set";
	struct odp_attr k, m;
	int r, len;

	if ((r = odp_act_single_key(a, ctx, &k, error)))
		return r;
	g_string_append(out, "set(");
	if (!masked) {
		r = odp_key_format_attr(out, &k, NULL, true, error);
	} else {
		len = odp_key_len(k.type);
		if (len == -2)
			return odp_fail(error, "set_masked: unknown key attribute type %u", k.type);
		if (len == -1 && k.type != OVS_KEY_ATTR_MPLS)
			return odp_fail(error, "set_masked: %s cannot be masked", odp_key_name(k.type));
		if (k.len % 2 || (len >= 0 && k.len != 2 * (size_t)len))
			return odp_fail(error, "set_masked: %s payload is %zu bytes, expected %d",
					odp_key_name(k.type), k.len, len >= 0 ? 2 * len : 8);
		k.len /= 2;
		m = k;
		m.data = k.data + k.len;
		r = odp_key_format_attr(out, &k, &m, false, error);
	}
	if (r)
		return r;
	g_string_append_c(out, ')');
	return 0;
}

static int
parse_set(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	  struct ovsdp_buf *b)
{
	struct ovsdp_buf k = OVSDP_BUF_INIT, m = OVSDP_BUF_INIT;
	const char *at;
	struct nlattr hdr;
	size_t cookie, plen;
	int r;

	if ((r = odp_lex_expect(lx, "set", '(')))
		return r;
	at = lx->p;
	if ((r = odp_key_parse_attr(lx, &k, &m, NULL)) || (r = odp_lex_expect(lx, "set", ')')))
		goto out;
	memcpy(&hdr, k.data, sizeof hdr);
	plen = hdr.nla_len - NLA_HDRLEN;
	if (hdr.nla_type == OVS_KEY_ATTR_ENCAP) {
		r = odp_lex_fail(lx, at, "set: encap cannot be set");
		goto out;
	}
	/* Like ovs-dpctl: a key given in full is a plain set; a partial one
	 * becomes a masked set (never for tunnels, which cannot be masked). */
	if (hdr.nla_type == OVS_KEY_ATTR_TUNNEL || odp_all_bytes(m.data + NLA_HDRLEN, plen, 0xff)) {
		cookie = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_SET);
		ovsdp_buf_put(b, k.data, k.len);
	} else {
		uint8_t *pay = g_malloc(2 * plen);

		memcpy(pay, k.data + NLA_HDRLEN, plen);
		memcpy(pay + plen, m.data + NLA_HDRLEN, plen);
		cookie = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_SET_MASKED);
		ovsdp_buf_put_attr(b, hdr.nla_type, pay, 2 * plen);
		g_free(pay);
	}
	r = odp_nest_end(b, cookie, "set", lx->error);
out:
	ovsdp_buf_clear(&k);
	ovsdp_buf_clear(&m);
	return r;
}

const struct odp_act_codec odp_act_output = {
	.name = "output", .len = 4, .format = format_output,    /* parsed as a number */
};
const struct odp_act_codec odp_act_set = {
	.name = "set", .len = ODP_LEN_VAR, .format = format_set, .parse = parse_set,
};
const struct odp_act_codec odp_act_set_masked = {
	.name = "set_masked", .len = ODP_LEN_VAR, .format = format_set,   /* parsed as set() */
};
/* ---- Actions holding action lists ---------------------------------------
 *
 * Here rather than in a family file: they print and parse whole lists. */

static int
format_sample(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	int depth = f->depth;
	GError **error = f->error;
	static const int lens[] = {
		[OVS_SAMPLE_ATTR_UNSPEC] = -2,
		[OVS_SAMPLE_ATTR_PROBABILITY] = 4,
		[OVS_SAMPLE_ATTR_ACTIONS] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *acts = &at[OVS_SAMPLE_ATTR_ACTIONS];
	char pct[G_ASCII_DTOSTR_BUF_SIZE];
	int r;

	if ((r = odp_act_collect(a, "sample", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (!at[OVS_SAMPLE_ATTR_PROBABILITY].data)
		return odp_fail(error, "sample: missing probability");
	if (!acts->data)
		return odp_fail(error, "sample: missing actions");
	/* Not printf's %f: that follows LC_NUMERIC ("50,0"). */
	g_ascii_formatd(pct, sizeof pct, "%.1f",
			100.0 * odp_get_u32(at[OVS_SAMPLE_ATTR_PROBABILITY].data) / UINT32_MAX);
	g_string_append_printf(out, "sample(sample=%s%%,actions(", pct);
	if ((r = format_action_list(out, acts->data, acts->len, depth + 1, "sample", error)))
		return r;
	g_string_append(out, "))");
	return 0;
}

static int
parse_sample(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	     struct ovsdp_buf *b)
{
	const char *at;
	char buf[32];
	char *end;
	double pct, prob;
	size_t n, outer, inner;
	int r;

	if ((r = odp_lex_expect(lx, "sample", '(')))
		return r;
	if (strncmp(lx->p, "sample=", 7))
		return odp_lex_fail(lx, lx->p, "sample: expected 'sample='");
	lx->p += 7;
	at = lx->p;
	n = strspn(at, "0123456789.");
	if (!n || n >= sizeof buf || at[n] != '%')
		return odp_lex_fail(lx, at, "sample: bad percentage '%.*s'", (int)odp_token_len(at), at);
	memcpy(buf, at, n);
	buf[n] = '\0';
	pct = g_ascii_strtod(buf, &end);
	if (end != buf + n || pct < 0 || pct > 100)
		return odp_lex_fail(lx, at, "sample: bad percentage '%.*s'", (int)n + 1, at);
	lx->p += n + 1;
	if (strncmp(lx->p, ",actions(", 9))
		return odp_lex_fail(lx, lx->p, "sample: expected ',actions('");
	lx->p += 9;

	/* Rounded to nearest, as ovs-dpctl does (the cast truncates a
	 * non-negative value). */
	prob = UINT32_MAX * (pct / 100.0) + 0.5;
	outer = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_SAMPLE);
	ovsdp_buf_put_u32(b, OVS_SAMPLE_ATTR_PROBABILITY,
			  prob >= UINT32_MAX ? UINT32_MAX : (uint32_t)prob);
	inner = ovsdp_buf_nest_start(b, OVS_SAMPLE_ATTR_ACTIONS);
	if ((r = parse_action_list(lx, b, "sample", true)))
		return r;
	if ((r = odp_nest_end(b, inner, "sample", lx->error)) || (r = odp_nest_end(b, outer, "sample", lx->error)))
		return r;
	return odp_lex_expect(lx, "sample", ')');
}

const struct odp_act_codec odp_act_sample = {
	.name = "sample", .len = ODP_LEN_VAR, .format = format_sample, .parse = parse_sample, .nests = true
};

static int
format_clone(const struct odp_act_fmt *f)
{
	int r;

	g_string_append(f->out, "clone(");
	if ((r = format_action_list(f->out, f->a->data, f->a->len, f->depth + 1, "clone", f->error)))
		return r;
	g_string_append_c(f->out, ')');
	return 0;
}

static int
parse_clone(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	    struct ovsdp_buf *b)
{
	size_t cookie;
	int r;

	if ((r = odp_lex_expect(lx, "clone", '(')))
		return r;
	cookie = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_CLONE);
	if ((r = parse_action_list(lx, b, "clone", true)))
		return r;
	return odp_nest_end(b, cookie, "clone", lx->error);
}

const struct odp_act_codec odp_act_clone = {
	.name = "clone", .len = ODP_LEN_VAR, .format = format_clone, .parse = parse_clone, .nests = true
};

static int
format_check_pkt_len(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	int depth = f->depth;
	GError **error = f->error;
	static const int lens[] = {
		[OVS_CHECK_PKT_LEN_ATTR_UNSPEC] = -2,
		[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN] = 2,
		[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER] = -1,
		[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *gt = &at[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER];
	const struct odp_attr *le = &at[OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL];
	int r;

	if ((r = odp_act_collect(a, "check_pkt_len", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (!at[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN].data || !gt->data || !le->data)
		return odp_fail(error, "check_pkt_len: needs a length and both action lists");
	g_string_append_printf(out, "check_pkt_len(size=%u,gt(",
			       odp_get_u16(at[OVS_CHECK_PKT_LEN_ATTR_PKT_LEN].data));
	if ((r = format_action_list(out, gt->data, gt->len, depth + 1, "check_pkt_len", error)))
		return r;
	g_string_append(out, "),le(");
	if ((r = format_action_list(out, le->data, le->len, depth + 1, "check_pkt_len", error)))
		return r;
	g_string_append(out, "))");
	return 0;
}

static int
parse_check_pkt_len(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		    struct ovsdp_buf *b)
{
	const char *ctx = "check_pkt_len";
	uint64_t size;
	size_t outer, inner;
	int r;

	if ((r = odp_lex_expect(lx, ctx, '(')))
		return r;
	if (strncmp(lx->p, "size=", 5))
		return odp_lex_fail(lx, lx->p, "%s: expected 'size='", ctx);
	lx->p += 5;
	if ((r = odp_lex_uint(lx, ctx, "size", UINT16_MAX, &size)))
		return r;
	outer = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_CHECK_PKT_LEN);
	ovsdp_buf_put_u16(b, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, (uint16_t)size);
	if (strncmp(lx->p, ",gt(", 4))
		return odp_lex_fail(lx, lx->p, "%s: expected ',gt('", ctx);
	lx->p += 4;
	inner = ovsdp_buf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER);
	if ((r = parse_action_list(lx, b, ctx, true)) || (r = odp_nest_end(b, inner, ctx, lx->error)))
		return r;
	if (strncmp(lx->p, ",le(", 4))
		return odp_lex_fail(lx, lx->p, "%s: expected ',le('", ctx);
	lx->p += 4;
	inner = ovsdp_buf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
	if ((r = parse_action_list(lx, b, ctx, true)) || (r = odp_nest_end(b, inner, ctx, lx->error))
	    || (r = odp_nest_end(b, outer, ctx, lx->error)))
		return r;
	return odp_lex_expect(lx, ctx, ')');
}

const struct odp_act_codec odp_act_check_pkt_len = {
	.name = "check_pkt_len", .len = ODP_LEN_VAR, .format = format_check_pkt_len, .parse = parse_check_pkt_len, .nests = true
};

/* "dec_ttl(le_1(ACTIONS))": the actions run when the TTL would reach 0. */
static int
format_dec_ttl(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	int depth = f->depth;
	GError **error = f->error;
	static const int lens[] = {
		[OVS_DEC_TTL_ATTR_UNSPEC] = -2,
		[OVS_DEC_TTL_ATTR_ACTION] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *acts = &at[OVS_DEC_TTL_ATTR_ACTION];
	int r;

	if ((r = odp_act_collect(a, "dec_ttl", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (!acts->data)
		return odp_fail(error, "dec_ttl: missing actions");
	g_string_append(out, "dec_ttl(le_1(");
	if ((r = format_action_list(out, acts->data, acts->len, depth + 1, "dec_ttl", error)))
		return r;
	g_string_append(out, "))");
	return 0;
}

static int
parse_dec_ttl(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	      struct ovsdp_buf *b)
{
	size_t outer, inner;
	int r;

	if ((r = odp_lex_expect(lx, "dec_ttl", '(')))
		return r;
	if (strncmp(lx->p, "le_1(", 5))
		return odp_lex_fail(lx, lx->p, "dec_ttl: expected 'le_1('");
	lx->p += 5;
	outer = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_DEC_TTL);
	inner = ovsdp_buf_nest_start(b, OVS_DEC_TTL_ATTR_ACTION);
	if ((r = parse_action_list(lx, b, "dec_ttl", true))
	    || (r = odp_nest_end(b, inner, "dec_ttl", lx->error))
	    || (r = odp_nest_end(b, outer, "dec_ttl", lx->error)))
		return r;
	return odp_lex_expect(lx, "dec_ttl", ')');
}

const struct odp_act_codec odp_act_dec_ttl = {
	.name = "dec_ttl", .len = ODP_LEN_VAR, .format = format_dec_ttl, .parse = parse_dec_ttl, .nests = true
};

/* ---- Printing ----------------------------------------------------------- */

/* An action type this library has no name for, as ovs-dpctl prints one:
 * "action25" or "action25(00 00 00 01)". */
static void
format_generic(GString *out, const struct odp_attr *a)
{
	g_string_append_printf(out, "action%u", a->type);
	for (size_t i = 0; i < a->len; i++)
		g_string_append_printf(out, i ? " %02x" : "(%02x", a->data[i]);
	if (a->len)
		g_string_append_c(out, ')');
}

static int
format_action(GString *out, const struct odp_attr *a, int depth, GError **error)
{
	const struct odp_act_codec *d = act_desc(a->type);
	struct odp_act_fmt f = { out, d, a, depth, error };

	if (!d) {
		format_generic(out, a);
		return 0;
	}
	if (d->len >= 0 && a->len != (size_t)d->len)
		return odp_fail(error, "%s: payload is %zu bytes, expected %d", d->name, a->len, d->len);
	if (d->nests && depth >= ODP_MAX_DEPTH)
		return odp_fail(error, "%s: nested too deeply", d->name);
	return d->format(&f);
}

static int
format_action_list(GString *out, const uint8_t *buf, size_t len, int depth, const char *ctx,
		   GError **error)
{
	struct odp_iter it;
	struct odp_attr a;
	bool first = true;
	int r;

	if (!len) {
		g_string_append(out, "drop");
		return 0;
	}
	odp_iter_init(&it, buf, len, ctx);
	while ((r = odp_iter_next(&it, &a, error)) > 0) {
		if (!first)
			g_string_append_c(out, ',');
		first = false;
		if ((r = format_action(out, &a, depth, error)))
			return r;
	}
	return r;
}

int
odp_actions_format(const void *actions, size_t len, GString *out, GError **error)
{
	size_t old;
	int r;

	if (!out || (!actions && len))
		return odp_fail(error, "invalid arguments");
	old = out->len;
	r = format_action_list(out, actions, len, 0, "actions", error);
	if (r)
		g_string_truncate(out, old);
	return r;
}

OVSDP_EXPORT int
ovsdp_odp_actions_to_string(const void *actions, size_t len, char **out, GError **error)
{
	GString *s;
	int r;

	if (!out)
		return odp_fail(error, "invalid arguments");
	*out = NULL;
	s = g_string_new(NULL);
	r = odp_actions_format(actions, len, s, error);
	if (r) {
		g_string_free(s, TRUE);
		return r;
	}
	*out = g_string_free(s, FALSE);
	return 0;
}

/* ---- Parsing ------------------------------------------------------------ */

/* "actionN" or "actionN(hex bytes)": a type by number, its payload as is. */
static int
parse_generic(struct odp_lexer *lx, struct ovsdp_buf *b, const char *at, size_t n)
{
	g_autoptr(GByteArray) bytes = g_byte_array_new();
	unsigned long type = 0;
	int r;

	for (size_t i = 6; i < n; i++) {
		if (at[i] < '0' || at[i] > '9' || (i == 6 && at[i] == '0' && n > 7))
			return odp_lex_fail(lx, at, "unknown action '%.*s'", (int)n, at);
		type = type * 10 + (unsigned long)(at[i] - '0');
		if (type > 0x3fff)        /* nla_type has 14 bits for the type */
			return odp_lex_fail(lx, at, "%.*s: type out of range", (int)n, at);
	}
	if (n == 6)
		return odp_lex_fail(lx, at, "unknown action 'action'");
	lx->p = at + n;
	if (*lx->p == '(') {
		lx->p++;
		if ((r = odp_lex_hex_bytes(lx, "action", bytes)) || (r = odp_lex_expect(lx, "action", ')')))
			return r;
		if (!bytes->len)
			return odp_lex_fail(lx, lx->p - 1, "%.*s: empty payload is written without '()'",
					    (int)n, at);
	}
	ovsdp_buf_put_attr(b, (uint16_t)type, bytes->data, bytes->len);
	return 0;
}

static int
parse_action(struct odp_lexer *lx, struct ovsdp_buf *b)
{
	const char *at = lx->p;
	size_t n;
	int r;

	if (*at >= '0' && *at <= '9') {
		uint64_t port;

		if ((r = odp_lex_uint(lx, "output", "port", UINT32_MAX, &port)))
			return r;
		ovsdp_buf_put_u32(b, OVS_ACTION_ATTR_OUTPUT, (uint32_t)port);
		return 0;
	}
	n = odp_ident_len(at);
	if (!n)
		return odp_lex_fail(lx, at, "expected an action, found '%.*s'",
				    (int)(odp_token_len(at) ? odp_token_len(at) : 1), at);
	for (uint16_t type = 0; type < G_N_ELEMENTS(act_codecs); type++) {
		const struct odp_act_codec *d = act_codecs[type];

		if (!d || !d->parse || !odp_lex_word(lx, d->name))
			continue;
		if (!d->nests)
			return d->parse(lx, d, type, b);
		if (lx->depth >= ODP_MAX_DEPTH)
			return odp_lex_fail(lx, at, "%s: nested too deeply", d->name);
		lx->depth++;
		r = d->parse(lx, d, type, b);
		lx->depth--;
		return r;
	}
	if (n > 6 && !strncmp(at, "action", 6))
		return parse_generic(lx, b, at, n);
	return odp_lex_fail(lx, at, "unknown action '%.*s'", (int)n, at);
}

static int
parse_action_item(struct odp_lexer *lx, void *arg)
{
	return parse_action(lx, arg);
}

static int
parse_action_list(struct odp_lexer *lx, struct ovsdp_buf *b, const char *ctx, bool nested)
{
	lx->p += strspn(lx->p, ODP_LIST_DELIMS);
	if (nested) {
		/* A nested list prints as "drop" when empty (sample, clone,
		 * check_pkt_len, dec_ttl), and reads back the same way; at the
		 * top, "drop" is the explicit drop action, as in ovs-dpctl. */
		const char *save = lx->p;

		if (odp_lex_word(lx, "drop")) {
			lx->p += strspn(lx->p, ODP_LIST_DELIMS);
			if (*lx->p == ')') {
				lx->p++;
				return 0;
			}
			lx->p = save;
		}
	}
	return odp_lex_list(lx, nested, ctx, parse_action_item, b);
}

OVSDP_EXPORT int
ovsdp_odp_actions_from_string(const char *text, struct ovsdp_buf *actions, GError **error)
{
	struct odp_lexer lx = { text, text, error, 0 };
	size_t old;
	int r;

	if (!text || !actions)
		return odp_fail(error, "invalid arguments");
	old = actions->len;
	r = parse_action_list(&lx, actions, "actions", false);
	if (r)
		actions->len = old;
	return r;
}
