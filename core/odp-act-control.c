/* odp-act-control.c: the action rows that steer a packet rather than
 * rewrite it: userspace, sample, clone, check_pkt_len, dec_ttl, psample,
 * recirc, hash, meter, trunc and the explicit drop. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "odp-private.h"
#include "ovs-compat.h"

/* Open vSwitch's user-space datapath numbers the symmetric L4 hash 1; the
 * kernel accepts only 0 (L4), but both print. */
#define ODP_HASH_ALG_SYM_L4 1

/* ---- Actions of one number ---------------------------------------------- */

/* "name(N)": meter and trunc. */
static int
format_u32(const struct odp_act_fmt *f)
{
	g_string_append_printf(f->out, "%s(%u)", f->codec->name, odp_get_u32(f->a->data));
	return 0;
}

static int
format_recirc(const struct odp_act_fmt *f)
{
	g_string_append_printf(f->out, "recirc(%#x)", odp_get_u32(f->a->data));
	return 0;
}

static int
parse_u32(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type, struct ovsdp_buf *b)
{
	uint32_t v;
	int r;

	if ((r = odp_act_parse_u32_arg(lx, c->name, c->arg, &v)))
		return r;
	ovsdp_buf_put_u32(b, type, v);
	return 0;
}

const struct odp_act_codec odp_act_recirc = {
	.name = "recirc", .len = 4, .format = format_recirc, .parse = parse_u32, .arg = "id"
};
const struct odp_act_codec odp_act_meter = {
	.name = "meter", .len = 4, .format = format_u32, .parse = parse_u32, .arg = "id"
};
const struct odp_act_codec odp_act_trunc = {
	.name = "trunc", .len = sizeof(struct ovs_action_trunc), .format = format_u32, .parse = parse_u32, .arg = "max_len"
};

/* ovs-dpctl prints "drop" whatever the error code; ovsdp shows a non-zero
 * one, which Open vSwitch installs only when its translation failed. */
static int
format_drop(const struct odp_act_fmt *f)
{
	uint32_t code = odp_get_u32(f->a->data);

	if (code)
		g_string_append_printf(f->out, "drop(%u)", code);
	else
		g_string_append(f->out, "drop");
	return 0;
}

static int
parse_drop(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type, struct ovsdp_buf *b)
{
	uint32_t v = 0;
	int r;

	if (*lx->p == '(' && (r = odp_act_parse_u32_arg(lx, c->name, c->arg, &v)))
		return r;
	ovsdp_buf_put_u32(b, type, v);
	return 0;
}

const struct odp_act_codec odp_act_drop = {
	.name = "drop", .len = 4, .format = format_drop, .parse = parse_drop, .arg = "code"
};

static int
format_hash(const struct odp_act_fmt *f)
{
	uint32_t alg = odp_get_u32(f->a->data), basis = odp_get_u32(f->a->data + 4);

	if (alg == OVS_HASH_ALG_L4)
		g_string_append_printf(f->out, "hash(l4(%u))", basis);
	else if (alg == ODP_HASH_ALG_SYM_L4)
		g_string_append_printf(f->out, "hash(sym_l4(%u))", basis);
	else
		return odp_fail(f->error, "hash: unknown algorithm %u", alg);
	return 0;
}

static int
parse_hash(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	   struct ovsdp_buf *b)
{
	uint32_t pay[2];
	const char *at;
	uint64_t basis;
	int r;

	if ((r = odp_lex_expect(lx, "hash", '(')))
		return r;
	at = lx->p;
	if (odp_lex_word(lx, "l4"))
		pay[0] = OVS_HASH_ALG_L4;
	else if (odp_lex_word(lx, "sym_l4"))
		pay[0] = ODP_HASH_ALG_SYM_L4;
	else
		return odp_lex_fail(lx, at, "hash: unknown algorithm '%.*s'",
				    (int)odp_token_len(at), at);
	if ((r = odp_lex_expect(lx, "hash", '('))
	    || (r = odp_lex_uint(lx, "hash", "basis", UINT32_MAX, &basis))
	    || (r = odp_lex_expect(lx, "hash", ')')) || (r = odp_lex_expect(lx, "hash", ')')))
		return r;
	pay[1] = (uint32_t)basis;
	ovsdp_buf_put_attr(b, OVS_ACTION_ATTR_HASH, pay, sizeof pay);
	return 0;
}

const struct odp_act_codec odp_act_hash = {
	.name = "hash", .len = sizeof(struct ovs_action_hash), .format = format_hash, .parse = parse_hash
};

/* ---- userspace ---------------------------------------------------------- */

static int
format_userspace(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	GError **error = f->error;
	static const int lens[] = {
		[OVS_USERSPACE_ATTR_UNSPEC] = -2,
		[OVS_USERSPACE_ATTR_PID] = 4,
		[OVS_USERSPACE_ATTR_USERDATA] = -1,
		[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT] = 4,
		[OVS_USERSPACE_ATTR_ACTIONS] = 0,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	int r;

	if ((r = odp_act_collect(a, "userspace", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (!at[OVS_USERSPACE_ATTR_PID].data)
		return odp_fail(error, "userspace: missing pid");
	g_string_append_printf(out, "userspace(pid=%u", odp_get_u32(at[OVS_USERSPACE_ATTR_PID].data));
	if (at[OVS_USERSPACE_ATTR_USERDATA].data) {
		/* Open vSwitch decodes 48-byte userdata as its own cookies;
		 * this library always shows the bytes. */
		g_string_append(out, ",userdata(");
		for (size_t i = 0; i < at[OVS_USERSPACE_ATTR_USERDATA].len; i++)
			g_string_append_printf(out, "%02x", at[OVS_USERSPACE_ATTR_USERDATA].data[i]);
		g_string_append_c(out, ')');
	}
	if (at[OVS_USERSPACE_ATTR_ACTIONS].data)
		g_string_append(out, ",actions");
	if (at[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT].data)
		g_string_append_printf(out, ",tunnel_out_port=%u",
				       odp_get_u32(at[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT].data));
	g_string_append_c(out, ')');
	return 0;
}

static int
parse_userspace(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		struct ovsdp_buf *b)
{
	g_autoptr(GByteArray) userdata = NULL;
	bool have_pid = false, have_tun = false, actions = false;
	uint64_t pid = 0, tun = 0;
	size_t cookie;
	int r;

	if ((r = odp_lex_expect(lx, "userspace", '(')))
		return r;
	do {
		const char *name = lx->p;
		size_t n = odp_ident_len(name);

		if (n && odp_field_is(name, n, "actions") && (name[n] == ',' || name[n] == ')')) {
			lx->p += n;
			actions = true;
			continue;
		}
		if ((r = odp_lex_field(lx, "userspace", &name, &n)) < 0)
			return r;
		if (r == 1 && odp_field_is(name, n, "userdata")) {
			lx->p++;
			userdata = g_byte_array_new();
			if ((r = odp_lex_hex_bytes(lx, "userspace", userdata))
			    || (r = odp_lex_expect(lx, "userspace", ')')))
				return r;
		} else if (r == 0 && odp_field_is(name, n, "pid")) {
			if ((r = odp_lex_uint(lx, "userspace", "pid", UINT32_MAX, &pid)))
				return r;
			have_pid = true;
		} else if (r == 0 && odp_field_is(name, n, "tunnel_out_port")) {
			if ((r = odp_lex_uint(lx, "userspace", "tunnel_out_port", UINT32_MAX, &tun)))
				return r;
			have_tun = true;
		} else {
			return odp_unknown_field(lx, "userspace", name, n);
		}
	} while (!(r = odp_lex_list_next(lx, "userspace")));
	if (r < 0)
		return r;
	if (!have_pid)
		return odp_lex_fail(lx, lx->p - 1, "userspace: missing pid");

	cookie = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_USERSPACE);
	ovsdp_buf_put_u32(b, OVS_USERSPACE_ATTR_PID, (uint32_t)pid);
	if (userdata)
		ovsdp_buf_put_attr(b, OVS_USERSPACE_ATTR_USERDATA, userdata->data, userdata->len);
	if (have_tun)
		ovsdp_buf_put_u32(b, OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, (uint32_t)tun);
	if (actions)
		ovsdp_buf_put_flag(b, OVS_USERSPACE_ATTR_ACTIONS);
	return odp_nest_end(b, cookie, "userspace", lx->error);
}

const struct odp_act_codec odp_act_userspace = {
	.name = "userspace", .len = ODP_LEN_VAR, .format = format_userspace, .parse = parse_userspace
};

/* ---- Actions holding action lists --------------------------------------- */

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
	if ((r = odp_actions_format_list(out, acts->data, acts->len, depth + 1, "sample", error)))
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
	if ((r = odp_actions_parse_list(lx, b, "sample", true)))
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
	if ((r = odp_actions_format_list(f->out, f->a->data, f->a->len, f->depth + 1, "clone", f->error)))
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
	if ((r = odp_actions_parse_list(lx, b, "clone", true)))
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
	if ((r = odp_actions_format_list(out, gt->data, gt->len, depth + 1, "check_pkt_len", error)))
		return r;
	g_string_append(out, "),le(");
	if ((r = odp_actions_format_list(out, le->data, le->len, depth + 1, "check_pkt_len", error)))
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
	if ((r = odp_actions_parse_list(lx, b, ctx, true)) || (r = odp_nest_end(b, inner, ctx, lx->error)))
		return r;
	if (strncmp(lx->p, ",le(", 4))
		return odp_lex_fail(lx, lx->p, "%s: expected ',le('", ctx);
	lx->p += 4;
	inner = ovsdp_buf_nest_start(b, OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
	if ((r = odp_actions_parse_list(lx, b, ctx, true)) || (r = odp_nest_end(b, inner, ctx, lx->error))
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
	if ((r = odp_actions_format_list(out, acts->data, acts->len, depth + 1, "dec_ttl", error)))
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
	if ((r = odp_actions_parse_list(lx, b, "dec_ttl", true))
	    || (r = odp_nest_end(b, inner, "dec_ttl", lx->error))
	    || (r = odp_nest_end(b, outer, "dec_ttl", lx->error)))
		return r;
	return odp_lex_expect(lx, "dec_ttl", ')');
}

const struct odp_act_codec odp_act_dec_ttl = {
	.name = "dec_ttl", .len = ODP_LEN_VAR, .format = format_dec_ttl, .parse = parse_dec_ttl, .nests = true
};

/* ---- psample ------------------------------------------------------------ */

/* "psample(group=N,cookie=0x...)", the cookie as one trimmed hex number
 * like ovs-dpctl prints it. */
static int
format_psample(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	GError **error = f->error;
	static const int lens[] = {
		[0] = -2,
		[OVSDP_PSAMPLE_ATTR_GROUP] = 4,
		[OVSDP_PSAMPLE_ATTR_COOKIE] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *cookie = &at[OVSDP_PSAMPLE_ATTR_COOKIE];
	int r;

	if ((r = odp_act_collect(a, "psample", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (!at[OVSDP_PSAMPLE_ATTR_GROUP].data)
		return odp_fail(error, "psample: missing group");
	if (cookie->data && (!cookie->len || cookie->len > OVSDP_PSAMPLE_COOKIE_MAX))
		return odp_fail(error, "psample: cookie is %zu bytes, expected 1 to %d",
				cookie->len, OVSDP_PSAMPLE_COOKIE_MAX);
	g_string_append_printf(out, "psample(group=%u", odp_get_u32(at[OVSDP_PSAMPLE_ATTR_GROUP].data));
	if (cookie->data) {
		g_string_append(out, ",cookie=");
		odp_put_hex_trimmed(out, cookie->data, cookie->len);
	}
	g_string_append_c(out, ')');
	return 0;
}

/* psample(group=N[,cookie=0xHEX]). */
static int
parse_psample(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	      struct ovsdp_buf *b)
{
	g_autoptr(GByteArray) cookie = g_byte_array_new();
	bool have_group = false, have_cookie = false;
	uint64_t group = 0;
	size_t nest;
	int r;

	if ((r = odp_lex_expect(lx, "psample", '(')))
		return r;
	do {
		const char *name;
		size_t n;

		if ((r = odp_lex_field(lx, "psample", &name, &n)) < 0)
			return r;
		if (r == 0 && odp_field_is(name, n, "group") && !have_group) {
			if ((r = odp_lex_uint(lx, "psample", "group", UINT32_MAX, &group)))
				return r;
			have_group = true;
		} else if (r == 0 && odp_field_is(name, n, "cookie") && !have_cookie) {
			if ((r = odp_lex_hex_blob(lx, "psample", "cookie", OVSDP_PSAMPLE_COOKIE_MAX, cookie)))
				return r;
			have_cookie = true;
		} else {
			return odp_unknown_field(lx, "psample", name, n);
		}
	} while (!(r = odp_lex_list_next(lx, "psample")));
	if (r < 0)
		return r;
	if (!have_group)
		return odp_lex_fail(lx, lx->p - 1, "psample: missing group");
	/* The kernel parses this one strictly: it must say it is nested. */
	nest = ovsdp_buf_nest_start(b, OVSDP_ACTION_ATTR_PSAMPLE | NLA_F_NESTED);
	ovsdp_buf_put_u32(b, OVSDP_PSAMPLE_ATTR_GROUP, (uint32_t)group);
	if (have_cookie)
		ovsdp_buf_put_attr(b, OVSDP_PSAMPLE_ATTR_COOKIE, cookie->data, cookie->len);
	return odp_nest_end(b, nest, "psample", lx->error);
}

const struct odp_act_codec odp_act_psample = {
	.name = "psample", .len = ODP_LEN_VAR, .format = format_psample, .parse = parse_psample
};
