/* odp-act-control.c: the action rows that steer a packet rather than
 * rewrite it, save those that hold action lists (odp-actions.c): userspace,
 * psample, recirc, hash, meter, trunc and the explicit drop. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"
#include "nl/ovs-compat.h"

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
