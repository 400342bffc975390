/* odp-actions.c: datapath actions (OVS_ACTION_ATTR_* attributes) to and
 * from the text of `ovs-dpctl dump-flows` / `add-flow`: output ports,
 * userspace, set and masked set, VLAN and MPLS push/pop, sample, clone,
 * conntrack with NAT, recirculation, hash, meter, truncate, dec_ttl,
 * add_mpls, NSH push/pop, psample and the explicit drop; any other type as
 * "actionN(hex bytes)", both ways, so that nothing a kernel returns is lost. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"
#include "odp-private.h"
#include "ovs-compat.h"

/* Open vSwitch's user-space datapath numbers the symmetric L4 hash 1; the
 * kernel accepts only 0 (L4), but both print. */
#define ODP_HASH_ALG_SYM_L4 1

#define VLAN_CFI 0x1000
#define ETH_TYPE_VLAN 0x8100

#define LEN_VAR (-1)

struct act_desc {
	const char *name;
	int len;
};

static const struct act_desc act_descs[] = {
	[OVS_ACTION_ATTR_OUTPUT] = { "output", 4 },
	[OVS_ACTION_ATTR_USERSPACE] = { "userspace", LEN_VAR },
	[OVS_ACTION_ATTR_SET] = { "set", LEN_VAR },
	[OVS_ACTION_ATTR_PUSH_VLAN] = { "push_vlan", sizeof(struct ovs_action_push_vlan) },
	[OVS_ACTION_ATTR_POP_VLAN] = { "pop_vlan", 0 },
	[OVS_ACTION_ATTR_SAMPLE] = { "sample", LEN_VAR },
	[OVS_ACTION_ATTR_RECIRC] = { "recirc", 4 },
	[OVS_ACTION_ATTR_HASH] = { "hash", sizeof(struct ovs_action_hash) },
	[OVS_ACTION_ATTR_PUSH_MPLS] = { "push_mpls", sizeof(struct ovs_action_push_mpls) },
	[OVS_ACTION_ATTR_POP_MPLS] = { "pop_mpls", 2 },
	[OVS_ACTION_ATTR_SET_MASKED] = { "set_masked", LEN_VAR },
	[OVS_ACTION_ATTR_CT] = { "ct", LEN_VAR },
	[OVS_ACTION_ATTR_TRUNC] = { "trunc", sizeof(struct ovs_action_trunc) },
	[OVS_ACTION_ATTR_PUSH_ETH] = { "push_eth", sizeof(struct ovs_action_push_eth) },
	[OVS_ACTION_ATTR_POP_ETH] = { "pop_eth", 0 },
	[OVS_ACTION_ATTR_CT_CLEAR] = { "ct_clear", 0 },
	[OVS_ACTION_ATTR_PUSH_NSH] = { "push_nsh", LEN_VAR },
	[OVS_ACTION_ATTR_POP_NSH] = { "pop_nsh", 0 },
	[OVS_ACTION_ATTR_METER] = { "meter", 4 },
	[OVS_ACTION_ATTR_CLONE] = { "clone", LEN_VAR },
	[OVS_ACTION_ATTR_CHECK_PKT_LEN] = { "check_pkt_len", LEN_VAR },
	[OVS_ACTION_ATTR_ADD_MPLS] = { "add_mpls", sizeof(struct ovs_action_add_mpls) },
	[OVS_ACTION_ATTR_DEC_TTL] = { "dec_ttl", LEN_VAR },
	[OVSDP_ACTION_ATTR_DROP] = { "drop", 4 },
	[OVSDP_ACTION_ATTR_PSAMPLE] = { "psample", LEN_VAR },
};

/* NSH as push_nsh() spells it (RFC 8300 values). */
#define NSH_MD_TYPE1 1
#define NSH_MD_TYPE2 2
#define NSH_NP_ETHERNET 3
#define NSH_MD2_MAX 248

static const struct act_desc *
act_desc(uint16_t type)
{
	if (type >= G_N_ELEMENTS(act_descs) || !act_descs[type].name)
		return NULL;
	return &act_descs[type];
}

/* ---- Printing ----------------------------------------------------------- */

static int format_action_list(GString *out, const uint8_t *buf, size_t len, int depth,
			      const char *ctx, GError **error);

/* Sub-attributes of a nested action: the fixed length of each type (-1
 * for any) or -2 for a type the action does not have. */
static int
collect(const struct odp_attr *a, const char *ctx, const int *lens, size_t n_lens,
	struct odp_attr *out, GError **error)
{
	struct odp_iter it;
	struct odp_attr s;
	int r;

	for (size_t i = 0; i < n_lens; i++)
		out[i].data = NULL;
	odp_iter_init(&it, a->data, a->len, ctx);
	while ((r = odp_iter_next(&it, &s, error)) > 0) {
		if (s.type >= n_lens || lens[s.type] == -2)
			return odp_fail(error, "%s: unknown attribute type %u", ctx, s.type);
		if (out[s.type].data)
			return odp_fail(error, "%s: duplicate attribute type %u", ctx, s.type);
		if (lens[s.type] >= 0 && s.len != (size_t)lens[s.type])
			return odp_fail(error, "%s: attribute %u payload is %zu bytes, expected %d",
					ctx, s.type, s.len, lens[s.type]);
		out[s.type] = s;        /* data is non-NULL even when empty */
	}
	return r;
}

static int
format_userspace(GString *out, const struct odp_attr *a, GError **error)
{
	static const int lens[] = {
		[OVS_USERSPACE_ATTR_UNSPEC] = -2,
		[OVS_USERSPACE_ATTR_PID] = 4,
		[OVS_USERSPACE_ATTR_USERDATA] = -1,
		[OVS_USERSPACE_ATTR_EGRESS_TUN_PORT] = 4,
		[OVS_USERSPACE_ATTR_ACTIONS] = 0,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	int r;

	if ((r = collect(a, "userspace", lens, G_N_ELEMENTS(lens), at, error)))
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

/* The single key attribute inside set() / set_masked(). */
static int
single_key(const struct odp_attr *a, const char *ctx, struct odp_attr *k, GError **error)
{
	struct odp_iter it;
	struct odp_attr s;
	int r, n = 0;

	odp_iter_init(&it, a->data, a->len, ctx);
	while ((r = odp_iter_next(&it, &s, error)) > 0) {
		*k = s;
		n++;
	}
	if (r < 0)
		return r;
	if (n != 1)
		return odp_fail(error, "%s: expected one key attribute, found %d", ctx, n);
	return 0;
}

static int
format_set(GString *out, const struct odp_attr *a, bool masked, GError **error)
{
	const char *ctx = masked ? "set_masked" : "set";
	struct odp_attr k, m;
	int r, len;

	if ((r = single_key(a, ctx, &k, error)))
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
format_sample(GString *out, const struct odp_attr *a, int depth, GError **error)
{
	static const int lens[] = {
		[OVS_SAMPLE_ATTR_UNSPEC] = -2,
		[OVS_SAMPLE_ATTR_PROBABILITY] = 4,
		[OVS_SAMPLE_ATTR_ACTIONS] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *acts = &at[OVS_SAMPLE_ATTR_ACTIONS];
	char pct[G_ASCII_DTOSTR_BUF_SIZE];
	int r;

	if ((r = collect(a, "sample", lens, G_N_ELEMENTS(lens), at, error)))
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
format_check_pkt_len(GString *out, const struct odp_attr *a, int depth, GError **error)
{
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

	if ((r = collect(a, "check_pkt_len", lens, G_N_ELEMENTS(lens), at, error)))
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

static void
put_ip(GString *out, const uint8_t *addr, size_t len, bool bracket)
{
	if (len == 4) {
		odp_put_ipv4(out, addr);
		return;
	}
	if (bracket)
		g_string_append_c(out, '[');
	odp_put_ipv6(out, addr);
	if (bracket)
		g_string_append_c(out, ']');
}

static int
format_nat(GString *out, const struct odp_attr *a, GError **error)
{
	static const int lens[] = {
		[OVS_NAT_ATTR_UNSPEC] = -2,
		[OVS_NAT_ATTR_SRC] = 0,
		[OVS_NAT_ATTR_DST] = 0,
		[OVS_NAT_ATTR_IP_MIN] = -1,
		[OVS_NAT_ATTR_IP_MAX] = -1,
		[OVS_NAT_ATTR_PROTO_MIN] = 2,
		[OVS_NAT_ATTR_PROTO_MAX] = 2,
		[OVS_NAT_ATTR_PERSISTENT] = 0,
		[OVS_NAT_ATTR_PROTO_HASH] = 0,
		[OVS_NAT_ATTR_PROTO_RANDOM] = 0,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *min = &at[OVS_NAT_ATTR_IP_MIN], *max = &at[OVS_NAT_ATTR_IP_MAX];
	bool src, dst;
	uint16_t pmin = 0, pmax = 0;
	int r;

	if ((r = collect(a, "nat", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	src = at[OVS_NAT_ATTR_SRC].data;
	dst = at[OVS_NAT_ATTR_DST].data;
	if (src && dst)
		return odp_fail(error, "nat: both src and dst");
	if (!src && !dst) {
		for (size_t i = OVS_NAT_ATTR_IP_MIN; i < G_N_ELEMENTS(lens); i++)
			if (at[i].data)
				return odp_fail(error, "nat: options without src or dst");
		g_string_append(out, "nat");
		return 0;
	}
	if ((min->data && min->len != 4 && min->len != 16) || (max->data && !min->data)
	    || (max->data && max->len != min->len))
		return odp_fail(error, "nat: bad address range");
	if (at[OVS_NAT_ATTR_PROTO_MIN].data)
		pmin = odp_get_u16(at[OVS_NAT_ATTR_PROTO_MIN].data);
	if (at[OVS_NAT_ATTR_PROTO_MAX].data)
		pmax = odp_get_u16(at[OVS_NAT_ATTR_PROTO_MAX].data);
	if ((pmin && !min->data) || (at[OVS_NAT_ATTR_PROTO_MAX].data && !at[OVS_NAT_ATTR_PROTO_MIN].data))
		return odp_fail(error, "nat: bad port range");
	/* Network byte order compares as numbers. */
	if (max->data && memcmp(max->data, min->data, min->len) < 0)
		return odp_fail(error, "nat: address range is backwards");
	if (pmax && pmax < pmin)
		return odp_fail(error, "nat: port range is backwards");
	if (at[OVS_NAT_ATTR_PROTO_HASH].data && at[OVS_NAT_ATTR_PROTO_RANDOM].data)
		return odp_fail(error, "nat: hash and random are exclusive");

	g_string_append(out, src ? "nat(src" : "nat(dst");
	if (min->data) {
		g_string_append_c(out, '=');
		put_ip(out, min->data, min->len, pmin);
		if (max->data && memcmp(max->data, min->data, min->len)) {
			g_string_append_c(out, '-');
			put_ip(out, max->data, max->len, pmin);
		}
		if (pmin) {
			g_string_append_printf(out, ":%u", pmin);
			if (pmax && pmax != pmin)
				g_string_append_printf(out, "-%u", pmax);
		}
	}
	if (at[OVS_NAT_ATTR_PERSISTENT].data)
		g_string_append(out, ",persistent");
	if (at[OVS_NAT_ATTR_PROTO_HASH].data)
		g_string_append(out, ",hash");
	if (at[OVS_NAT_ATTR_PROTO_RANDOM].data)
		g_string_append(out, ",random");
	g_string_append_c(out, ')');
	return 0;
}

/* A NUL-terminated name of letters, digits, '_', '-' or '.'. */
static bool
good_name(const struct odp_attr *a, size_t max)
{
	size_t n = strnlen((const char *)a->data, a->len);

	if (!n || n == a->len || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(a->data[i]) && !strchr("_-.", a->data[i]))
			return false;
	return true;
}

static int
format_ct(GString *out, const struct odp_attr *a, GError **error)
{
	static const int lens[] = {
		[OVS_CT_ATTR_UNSPEC] = -2,
		[OVS_CT_ATTR_COMMIT] = 0,
		[OVS_CT_ATTR_ZONE] = 2,
		[OVS_CT_ATTR_MARK] = 8,
		[OVS_CT_ATTR_LABELS] = 32,
		[OVS_CT_ATTR_HELPER] = -1,
		[OVS_CT_ATTR_NAT] = -1,
		[OVS_CT_ATTR_FORCE_COMMIT] = 0,
		[OVS_CT_ATTR_EVENTMASK] = 4,
		[OVS_CT_ATTR_TIMEOUT] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	size_t start;
	int r;

	if ((r = collect(a, "ct", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (at[OVS_CT_ATTR_HELPER].data && !good_name(&at[OVS_CT_ATTR_HELPER], 15))
		return odp_fail(error, "ct: bad helper name");
	if (at[OVS_CT_ATTR_TIMEOUT].data && !good_name(&at[OVS_CT_ATTR_TIMEOUT], 31))
		return odp_fail(error, "ct: bad timeout policy name");

	g_string_append(out, "ct(");
	start = out->len;
	if (at[OVS_CT_ATTR_COMMIT].data)
		g_string_append(out, "commit,");
	if (at[OVS_CT_ATTR_FORCE_COMMIT].data)
		g_string_append(out, "force_commit,");
	if (at[OVS_CT_ATTR_ZONE].data && odp_get_u16(at[OVS_CT_ATTR_ZONE].data))
		g_string_append_printf(out, "zone=%u,", odp_get_u16(at[OVS_CT_ATTR_ZONE].data));
	if (at[OVS_CT_ATTR_MARK].data)
		g_string_append_printf(out, "mark=%#x/%#x,", odp_get_u32(at[OVS_CT_ATTR_MARK].data),
				       odp_get_u32(at[OVS_CT_ATTR_MARK].data + 4));
	if (at[OVS_CT_ATTR_LABELS].data) {
		const uint8_t *l = at[OVS_CT_ATTR_LABELS].data;

		g_string_append(out, "label=");
		odp_put_u128(out, l);
		if (!odp_all_bytes(l + 16, 16, 0xff)) {
			g_string_append_c(out, '/');
			odp_put_u128(out, l + 16);
		}
		g_string_append_c(out, ',');
	}
	if (at[OVS_CT_ATTR_HELPER].data)
		g_string_append_printf(out, "helper=%s,", (const char *)at[OVS_CT_ATTR_HELPER].data);
	/* Open vSwitch does not print the event mask it installs; this
	 * library does, so that the text keeps every attribute. */
	if (at[OVS_CT_ATTR_EVENTMASK].data)
		g_string_append_printf(out, "eventmask=%#x,", odp_get_u32(at[OVS_CT_ATTR_EVENTMASK].data));
	if (at[OVS_CT_ATTR_TIMEOUT].data)
		g_string_append_printf(out, "timeout=%s,", (const char *)at[OVS_CT_ATTR_TIMEOUT].data);
	if (at[OVS_CT_ATTR_NAT].data && (r = format_nat(out, &at[OVS_CT_ATTR_NAT], error)))
		return r;
	odp_chomp(out, ',');
	if (out->len == start)
		g_string_truncate(out, start - 1);      /* plain "ct" */
	else
		g_string_append_c(out, ')');
	return 0;
}

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

/* "dec_ttl(le_1(ACTIONS))": the actions run when the TTL would reach 0. */
static int
format_dec_ttl(GString *out, const struct odp_attr *a, int depth, GError **error)
{
	static const int lens[] = {
		[OVS_DEC_TTL_ATTR_UNSPEC] = -2,
		[OVS_DEC_TTL_ATTR_ACTION] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *acts = &at[OVS_DEC_TTL_ATTR_ACTION];
	int r;

	if ((r = collect(a, "dec_ttl", lens, G_N_ELEMENTS(lens), at, error)))
		return r;
	if (!acts->data)
		return odp_fail(error, "dec_ttl: missing actions");
	g_string_append(out, "dec_ttl(le_1(");
	if ((r = format_action_list(out, acts->data, acts->len, depth + 1, "dec_ttl", error)))
		return r;
	g_string_append(out, "))");
	return 0;
}

/* "psample(group=N,cookie=0x...)", the cookie as one trimmed hex number
 * like ovs-dpctl prints it. */
static int
format_psample(GString *out, const struct odp_attr *a, GError **error)
{
	static const int lens[] = {
		[0] = -2,
		[OVSDP_PSAMPLE_ATTR_GROUP] = 4,
		[OVSDP_PSAMPLE_ATTR_COOKIE] = -1,
	};
	struct odp_attr at[G_N_ELEMENTS(lens)];
	const struct odp_attr *cookie = &at[OVSDP_PSAMPLE_ATTR_COOKIE];
	int r;

	if ((r = collect(a, "psample", lens, G_N_ELEMENTS(lens), at, error)))
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

/* push_nsh(flags=,ttl=,mdtype=,np=,spi=,si=, then c1..c4 or md2=).  The
 * action holds one OVS_KEY_ATTR_NSH, which nests the base header and the
 * context. */
static int
format_push_nsh(GString *out, const struct odp_attr *outer, GError **error)
{
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

	if ((r = single_key(outer, "push_nsh", &nsh, error)))
		return r;
	if (nsh.type != OVS_KEY_ATTR_NSH)
		return odp_fail(error, "push_nsh: expected an nsh key attribute, found type %u", nsh.type);
	a = &nsh;
	if ((r = collect(a, "push_nsh", lens, G_N_ELEMENTS(lens), at, error)))
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

static int
format_action(GString *out, const struct odp_attr *a, int depth, GError **error)
{
	const struct act_desc *d = act_desc(a->type);
	const uint8_t *p = a->data;

	if (!d) {
		format_generic(out, a);
		return 0;
	}
	if (d->len >= 0 && a->len != (size_t)d->len)
		return odp_fail(error, "%s: payload is %zu bytes, expected %d", d->name, a->len, d->len);

	switch (a->type) {
	case OVS_ACTION_ATTR_OUTPUT:
		g_string_append_printf(out, "%u", odp_get_u32(p));
		return 0;
	case OVS_ACTION_ATTR_USERSPACE:
		return format_userspace(out, a, error);
	case OVS_ACTION_ATTR_SET:
		return format_set(out, a, false, error);
	case OVS_ACTION_ATTR_SET_MASKED:
		return format_set(out, a, true, error);
	case OVS_ACTION_ATTR_PUSH_VLAN: {
		uint16_t tpid = odp_get_be16(p), tci = odp_get_be16(p + 2);

		g_string_append(out, "push_vlan(");
		if (tpid != ETH_TYPE_VLAN)
			g_string_append_printf(out, "tpid=0x%04x,", tpid);
		g_string_append_printf(out, "vid=%u,pcp=%u", tci & 0xfff, tci >> 13);
		if (!(tci & VLAN_CFI))
			g_string_append(out, ",cfi=0");
		g_string_append_c(out, ')');
		return 0;
	}
	case OVS_ACTION_ATTR_POP_VLAN:
		g_string_append(out, "pop_vlan");
		return 0;
	case OVS_ACTION_ATTR_SAMPLE:
		if (depth >= ODP_MAX_DEPTH)
			return odp_fail(error, "sample: nested too deeply");
		return format_sample(out, a, depth, error);
	case OVS_ACTION_ATTR_RECIRC:
		g_string_append_printf(out, "recirc(%#x)", odp_get_u32(p));
		return 0;
	case OVS_ACTION_ATTR_HASH: {
		uint32_t alg = odp_get_u32(p), basis = odp_get_u32(p + 4);

		if (alg == OVS_HASH_ALG_L4)
			g_string_append_printf(out, "hash(l4(%u))", basis);
		else if (alg == ODP_HASH_ALG_SYM_L4)
			g_string_append_printf(out, "hash(sym_l4(%u))", basis);
		else
			return odp_fail(error, "hash: unknown algorithm %u", alg);
		return 0;
	}
	case OVS_ACTION_ATTR_PUSH_MPLS: {
		uint32_t lse = odp_get_be32(p);

		g_string_append_printf(out, "push_mpls(label=%u,tc=%u,ttl=%u,bos=%u,eth_type=0x%x)",
				       lse >> 12, (lse >> 9) & 7, lse & 0xff, (lse >> 8) & 1,
				       odp_get_be16(p + 4));
		return 0;
	}
	case OVS_ACTION_ATTR_POP_MPLS:
		g_string_append_printf(out, "pop_mpls(eth_type=0x%x)", odp_get_be16(p));
		return 0;
	case OVS_ACTION_ATTR_CT:
		return format_ct(out, a, error);
	case OVS_ACTION_ATTR_TRUNC:
		g_string_append_printf(out, "trunc(%u)", odp_get_u32(p));
		return 0;
	case OVS_ACTION_ATTR_PUSH_ETH:
		g_string_append(out, "push_eth(src=");
		odp_put_mac(out, p);
		g_string_append(out, ",dst=");
		odp_put_mac(out, p + 6);
		g_string_append_c(out, ')');
		return 0;
	case OVS_ACTION_ATTR_POP_ETH:
		g_string_append(out, "pop_eth");
		return 0;
	case OVS_ACTION_ATTR_CT_CLEAR:
		g_string_append(out, "ct_clear");
		return 0;
	case OVS_ACTION_ATTR_POP_NSH:
		g_string_append(out, "pop_nsh()");
		return 0;
	case OVS_ACTION_ATTR_METER:
		g_string_append_printf(out, "meter(%u)", odp_get_u32(p));
		return 0;
	case OVS_ACTION_ATTR_CLONE: {
		int r;

		if (depth >= ODP_MAX_DEPTH)
			return odp_fail(error, "clone: nested too deeply");
		g_string_append(out, "clone(");
		if ((r = format_action_list(out, p, a->len, depth + 1, "clone", error)))
			return r;
		g_string_append_c(out, ')');
		return 0;
	}
	case OVS_ACTION_ATTR_CHECK_PKT_LEN:
		if (depth >= ODP_MAX_DEPTH)
			return odp_fail(error, "check_pkt_len: nested too deeply");
		return format_check_pkt_len(out, a, depth, error);
	case OVS_ACTION_ATTR_DEC_TTL:
		if (depth >= ODP_MAX_DEPTH)
			return odp_fail(error, "dec_ttl: nested too deeply");
		return format_dec_ttl(out, a, depth, error);
	case OVS_ACTION_ATTR_ADD_MPLS: {
		uint32_t lse = odp_get_be32(p);
		uint16_t tun_flags = odp_get_u16(p + 6);

		g_string_append_printf(out, "add_mpls(label=%u,tc=%u,ttl=%u,bos=%u,eth_type=0x%x",
				       lse >> 12, (lse >> 9) & 7, lse & 0xff, (lse >> 8) & 1,
				       odp_get_be16(p + 4));
		/* ovs-dpctl leaves the flags out (Open vSwitch only installs 0);
		 * ovsdp shows any other value so that nothing is lost. */
		if (tun_flags)
			g_string_append_printf(out, ",tun_flags=%#x", tun_flags);
		g_string_append_c(out, ')');
		return 0;
	}
	case OVS_ACTION_ATTR_PUSH_NSH:
		return format_push_nsh(out, a, error);
	case OVSDP_ACTION_ATTR_DROP: {
		uint32_t code = odp_get_u32(p);

		/* ovs-dpctl prints "drop" whatever the error code; ovsdp shows a
		 * non-zero one, which Open vSwitch installs only when its
		 * translation failed. */
		if (code)
			g_string_append_printf(out, "drop(%u)", code);
		else
			g_string_append(out, "drop");
		return 0;
	}
	case OVSDP_ACTION_ATTR_PSAMPLE:
		return format_psample(out, a, error);
	}
	return odp_fail(error, "%s (%u): action not supported", d->name, a->type);
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

static int parse_action_list(struct odp_lexer *lx, struct ovsdp_buf *b, const char *ctx,
			     bool nested);

static int
parse_u32_arg(struct odp_lexer *lx, const char *ctx, const char *field, uint32_t *v)
{
	uint64_t x;
	int r;

	if ((r = odp_lex_expect(lx, ctx, '(')) || (r = odp_lex_uint(lx, ctx, field, UINT32_MAX, &x)))
		return r;
	*v = (uint32_t)x;
	return odp_lex_expect(lx, ctx, ')');
}

static bool
field_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(name, want, n);
}

static int
unknown_field(struct odp_lexer *lx, const char *ctx, const char *name, size_t n)
{
	return odp_lex_fail(lx, name, "%s: unknown field '%.*s'", ctx, (int)n, name);
}

static int
parse_userspace(struct odp_lexer *lx, struct ovsdp_buf *b)
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

		if (n && field_is(name, n, "actions") && (name[n] == ',' || name[n] == ')')) {
			lx->p += n;
			actions = true;
			continue;
		}
		if ((r = odp_lex_field(lx, "userspace", &name, &n)) < 0)
			return r;
		if (r == 1 && field_is(name, n, "userdata")) {
			lx->p++;
			userdata = g_byte_array_new();
			if ((r = odp_lex_hex_bytes(lx, "userspace", userdata))
			    || (r = odp_lex_expect(lx, "userspace", ')')))
				return r;
		} else if (r == 0 && field_is(name, n, "pid")) {
			if ((r = odp_lex_uint(lx, "userspace", "pid", UINT32_MAX, &pid)))
				return r;
			have_pid = true;
		} else if (r == 0 && field_is(name, n, "tunnel_out_port")) {
			if ((r = odp_lex_uint(lx, "userspace", "tunnel_out_port", UINT32_MAX, &tun)))
				return r;
			have_tun = true;
		} else {
			return unknown_field(lx, "userspace", name, n);
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

static int
parse_set(struct odp_lexer *lx, struct ovsdp_buf *b)
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

static int
parse_push_vlan(struct odp_lexer *lx, struct ovsdp_buf *b)
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
			return unknown_field(lx, "push_vlan", name, n);
		if (field_is(name, n, "tpid"))
			r = odp_lex_uint(lx, "push_vlan", "tpid", UINT16_MAX, &tpid);
		else if (field_is(name, n, "vid"))
			r = odp_lex_uint(lx, "push_vlan", "vid", 0xfff, &vid);
		else if (field_is(name, n, "pcp"))
			r = odp_lex_uint(lx, "push_vlan", "pcp", 7, &pcp);
		else if (field_is(name, n, "cfi"))
			r = odp_lex_uint(lx, "push_vlan", "cfi", 1, &cfi);
		else
			return unknown_field(lx, "push_vlan", name, n);
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

static int
parse_push_mpls(struct odp_lexer *lx, struct ovsdp_buf *b)
{
	static const struct {
		const char *name;
		unsigned shift;
		uint32_t max;
	} parts[] = {
		{ "label", 12, 0xfffff }, { "tc", 9, 7 }, { "ttl", 0, 0xff }, { "bos", 8, 1 },
	};
	uint32_t lse = 0;
	uint64_t eth_type = 0, v;
	bool have_type = false;
	uint8_t pay[8] = { 0 };
	int r;

	if ((r = odp_lex_expect(lx, "push_mpls", '(')))
		return r;
	do {
		const char *name;
		size_t n, i;

		if ((r = odp_lex_field(lx, "push_mpls", &name, &n)) < 0)
			return r;
		if (r == 0 && field_is(name, n, "eth_type")) {
			if ((r = odp_lex_uint(lx, "push_mpls", "eth_type", UINT16_MAX, &eth_type)))
				return r;
			have_type = true;
			continue;
		}
		for (i = 0; i < G_N_ELEMENTS(parts); i++)
			if (field_is(name, n, parts[i].name))
				break;
		if (r == 1 || i == G_N_ELEMENTS(parts))
			return unknown_field(lx, "push_mpls", name, n);
		if ((r = odp_lex_uint(lx, "push_mpls", parts[i].name, parts[i].max, &v)))
			return r;
		lse |= (uint32_t)v << parts[i].shift;
	} while (!(r = odp_lex_list_next(lx, "push_mpls")));
	if (r < 0)
		return r;
	if (!have_type)
		return odp_lex_fail(lx, lx->p - 1, "push_mpls: missing eth_type");
	for (int i = 0; i < 4; i++)
		pay[i] = (uint8_t)(lse >> (24 - 8 * i));
	pay[4] = (uint8_t)(eth_type >> 8);
	pay[5] = (uint8_t)eth_type;
	ovsdp_buf_put_attr(b, OVS_ACTION_ATTR_PUSH_MPLS, pay, sizeof(struct ovs_action_push_mpls));
	return 0;
}

static int
parse_pop_mpls(struct odp_lexer *lx, struct ovsdp_buf *b)
{
	const char *name;
	size_t n;
	uint64_t v;
	int r;

	if ((r = odp_lex_expect(lx, "pop_mpls", '(')) || (r = odp_lex_field(lx, "pop_mpls", &name, &n)) < 0)
		return r;
	if (r == 1 || !field_is(name, n, "eth_type"))
		return unknown_field(lx, "pop_mpls", name, n);
	if ((r = odp_lex_uint(lx, "pop_mpls", "eth_type", UINT16_MAX, &v))
	    || (r = odp_lex_expect(lx, "pop_mpls", ')')))
		return r;
	odp_put_be16(b, OVS_ACTION_ATTR_POP_MPLS, (uint16_t)v);
	return 0;
}

static int
parse_push_eth(struct odp_lexer *lx, struct ovsdp_buf *b)
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
		if (r == 0 && field_is(name, n, "src"))
			r = odp_lex_mac(lx, "push_eth", "src", pay);
		else if (r == 0 && field_is(name, n, "dst"))
			r = odp_lex_mac(lx, "push_eth", "dst", pay + 6);
		else
			return unknown_field(lx, "push_eth", name, n);
		if (r)
			return r;
	} while (!(r = odp_lex_list_next(lx, "push_eth")));
	if (r < 0)
		return r;
	ovsdp_buf_put_attr(b, OVS_ACTION_ATTR_PUSH_ETH, pay, sizeof pay);
	return 0;
}

static int
parse_hash(struct odp_lexer *lx, struct ovsdp_buf *b)
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

static int
parse_sample(struct odp_lexer *lx, struct ovsdp_buf *b)
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

static int
parse_clone(struct odp_lexer *lx, struct ovsdp_buf *b)
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

static int
parse_check_pkt_len(struct odp_lexer *lx, struct ovsdp_buf *b)
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

/* An address of the family 'len' already chose (0: decide from the text). */
static int
parse_nat_addr(struct odp_lexer *lx, size_t *len, uint8_t addr[16])
{
	const char *at = lx->p, *s = at;
	char buf[INET6_ADDRSTRLEN];
	bool bracket = *s == '[';
	size_t n, n4;

	if (bracket)
		s++;
	/* A dotted quad may be followed by ":port"; anything else with a
	 * colon is IPv6 (which needs brackets before a port). */
	n = strspn(s, "0123456789abcdefABCDEF:.");
	n4 = strspn(s, "0123456789.");
	if (!bracket && n4 && n4 < sizeof buf && (s[n4] == ':' || n4 == n)) {
		memcpy(buf, s, n4);
		buf[n4] = '\0';
		if (inet_pton(AF_INET, buf, addr) == 1)
			n = n4;
	}
	if (!n || n >= sizeof buf || (bracket && s[n] != ']'))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1 && !bracket) {
		if (*len && *len != 4)
			goto bad;
		*len = 4;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		if (*len && *len != 16)
			goto bad;
		*len = 16;
	} else {
		goto bad;
	}
	lx->p = s + n + bracket;
	return 0;
bad:
	return odp_lex_fail(lx, at, "nat: bad address '%.*s'", (int)odp_token_len(at), at);
}

static int
parse_port(struct odp_lexer *lx, uint16_t *port)
{
	const char *at = lx->p;
	size_t n = strspn(at, "0123456789");
	unsigned long v;

	if (!n || n > 5 || (v = strtoul(at, NULL, 10)) > UINT16_MAX)
		return odp_lex_fail(lx, at, "nat: bad port '%.*s'", (int)odp_token_len(at), at);
	*port = (uint16_t)v;
	lx->p += n;
	return 0;
}

/* at_nat is where "nat" starts, for errors about the whole option list. */
static int
parse_nat(struct odp_lexer *lx, const char *at_nat, struct ovsdp_buf *b)
{
	bool src = false, dst = false, persistent = false, hash = false, random_ = false;
	uint8_t min[16], max[16];
	size_t alen = 0, cookie;
	bool have_max = false;
	uint16_t pmin = 0, pmax = 0;
	int r;

	if (*lx->p == '(') {
		lx->p++;
		do {
			const char *at = lx->p;

			if (odp_lex_word(lx, "src") || odp_lex_word(lx, "dst")) {
				if (src || dst)
					return odp_lex_fail(lx, at, "nat: only one of src and dst");
				src = at[0] == 's';
				dst = !src;
				if (*lx->p != '=')
					continue;
				lx->p++;
				if ((r = parse_nat_addr(lx, &alen, min)))
					return r;
				if (*lx->p == '-') {
					lx->p++;
					if ((r = parse_nat_addr(lx, &alen, max)))
						return r;
					have_max = true;
				}
				if (*lx->p == ':') {
					lx->p++;
					if ((r = parse_port(lx, &pmin)))
						return r;
					if (*lx->p == '-') {
						lx->p++;
						if ((r = parse_port(lx, &pmax)))
							return r;
					}
				}
			} else if (odp_lex_word(lx, "persistent")) {
				persistent = true;
			} else if (odp_lex_word(lx, "hash")) {
				hash = true;
			} else if (odp_lex_word(lx, "random")) {
				random_ = true;
			} else {
				return odp_lex_fail(lx, at, "nat: unknown option '%.*s'",
						    (int)(odp_token_len(at) ? odp_token_len(at) : 1), at);
			}
		} while (!(r = odp_lex_list_next(lx, "nat")));
		if (r < 0)
			return r;
		if (hash && random_)
			return odp_lex_fail(lx, at_nat, "nat: hash and random are exclusive");
		if ((persistent || hash || random_) && !src && !dst)
			return odp_lex_fail(lx, at_nat, "nat: options need src or dst");
		if (have_max && memcmp(max, min, alen) < 0)
			return odp_lex_fail(lx, at_nat, "nat: address range is backwards");
		if (pmax && pmax < pmin)
			return odp_lex_fail(lx, at_nat, "nat: port range is backwards");
	}

	cookie = ovsdp_buf_nest_start(b, OVS_CT_ATTR_NAT);
	if (src)
		ovsdp_buf_put_flag(b, OVS_NAT_ATTR_SRC);
	if (dst)
		ovsdp_buf_put_flag(b, OVS_NAT_ATTR_DST);
	if (alen) {
		ovsdp_buf_put_attr(b, OVS_NAT_ATTR_IP_MIN, min, alen);
		if (have_max && memcmp(max, min, alen) > 0)
			ovsdp_buf_put_attr(b, OVS_NAT_ATTR_IP_MAX, max, alen);
		if (pmin) {
			ovsdp_buf_put_u16(b, OVS_NAT_ATTR_PROTO_MIN, pmin);
			if (pmax > pmin)
				ovsdp_buf_put_u16(b, OVS_NAT_ATTR_PROTO_MAX, pmax);
		}
	}
	if (persistent)
		ovsdp_buf_put_flag(b, OVS_NAT_ATTR_PERSISTENT);
	if (hash)
		ovsdp_buf_put_flag(b, OVS_NAT_ATTR_PROTO_HASH);
	if (random_)
		ovsdp_buf_put_flag(b, OVS_NAT_ATTR_PROTO_RANDOM);
	return odp_nest_end(b, cookie, "nat", lx->error);
}

static int
parse_ct_name(struct odp_lexer *lx, const char *field, size_t max, struct ovsdp_buf *b,
	      uint16_t type)
{
	const char *at = lx->p;
	struct odp_attr old;
	size_t n = 0;
	char name[40];

	if (odp_list_find(b->data, b->len, type, &old))
		return odp_lex_fail(lx, at, "ct: %s given twice", field);
	while (g_ascii_isalnum(at[n]) || (at[n] && strchr("_-.", at[n])))
		n++;
	if (!n || n > max)
		return odp_lex_fail(lx, at, "ct: bad %s name '%.*s'", field,
				    (int)odp_token_len(at), at);
	memcpy(name, at, n);
	name[n] = '\0';
	ovsdp_buf_put_attr(b, type, name, n + 1);
	lx->p += n;
	return 0;
}

static int
parse_ct(struct odp_lexer *lx, struct ovsdp_buf *b)
{
	bool commit = false, force = false;
	uint64_t zone = 0, mark = 0, mark_m = 0, events = 0;
	bool have_events = false;
	uint8_t label[32] = { 0 };
	struct ovsdp_buf names = OVSDP_BUF_INIT, nat = OVSDP_BUF_INIT;
	size_t cookie;
	int r = 0;

	if (*lx->p == '(') {
		lx->p++;
		if (*lx->p == ')') {
			lx->p++;
			goto emit;
		}
		do {
			const char *at = lx->p;
			const char *name;
			size_t n;

			if (odp_lex_word(lx, "commit")) {
				commit = true;
				continue;
			}
			if (odp_lex_word(lx, "force_commit")) {
				force = true;
				continue;
			}
			if (odp_lex_word(lx, "nat")) {
				if (nat.len) {
					r = odp_lex_fail(lx, at, "ct: nat given twice");
					goto out;
				}
				if ((r = parse_nat(lx, at, &nat)))
					goto out;
				continue;
			}
			if ((r = odp_lex_field(lx, "ct", &name, &n)) < 0)
				goto out;
			if (r == 1) {
				r = unknown_field(lx, "ct", name, n);
				goto out;
			}
			if (field_is(name, n, "zone")) {
				r = odp_lex_uint(lx, "ct", "zone", UINT16_MAX, &zone);
			} else if (field_is(name, n, "mark")) {
				r = odp_lex_uint_masked(lx, "ct", "mark", UINT32_MAX, &mark, &mark_m);
			} else if (field_is(name, n, "label")) {
				r = odp_lex_u128(lx, "ct", "label", label);
				memset(label + 16, 0xff, 16);
				if (!r && *lx->p == '/') {
					lx->p++;
					r = odp_lex_u128(lx, "ct", "label", label + 16);
				}
			} else if (field_is(name, n, "helper")) {
				r = parse_ct_name(lx, "helper", 15, &names, OVS_CT_ATTR_HELPER);
			} else if (field_is(name, n, "timeout")) {
				r = parse_ct_name(lx, "timeout", 31, &names, OVS_CT_ATTR_TIMEOUT);
			} else if (field_is(name, n, "eventmask")) {
				r = odp_lex_uint(lx, "ct", "eventmask", UINT32_MAX, &events);
				have_events = true;
			} else {
				r = unknown_field(lx, "ct", name, n);
			}
			if (r)
				goto out;
		} while (!(r = odp_lex_list_next(lx, "ct")));
		if (r < 0)
			goto out;
		if (commit && force) {
			r = odp_lex_fail(lx, lx->p - 1, "ct: commit and force_commit are exclusive");
			goto out;
		}
	}
emit:
	cookie = ovsdp_buf_nest_start(b, OVS_ACTION_ATTR_CT);
	if (commit)
		ovsdp_buf_put_flag(b, OVS_CT_ATTR_COMMIT);
	if (force)
		ovsdp_buf_put_flag(b, OVS_CT_ATTR_FORCE_COMMIT);
	if (zone)
		ovsdp_buf_put_u16(b, OVS_CT_ATTR_ZONE, (uint16_t)zone);
	if (mark_m) {
		uint32_t pay[2] = { (uint32_t)mark, (uint32_t)mark_m };

		ovsdp_buf_put_attr(b, OVS_CT_ATTR_MARK, pay, sizeof pay);
	}
	if (!odp_all_bytes(label + 16, 16, 0))
		ovsdp_buf_put_attr(b, OVS_CT_ATTR_LABELS, label, sizeof label);
	/* helper, then the event mask, then timeout: the kernel's order. */
	{
		struct odp_attr h, t;
		bool has_h = odp_list_find(names.data, names.len, OVS_CT_ATTR_HELPER, &h);
		bool has_t = odp_list_find(names.data, names.len, OVS_CT_ATTR_TIMEOUT, &t);

		if (has_h)
			ovsdp_buf_put_attr(b, OVS_CT_ATTR_HELPER, h.data, h.len);
		if (have_events)
			ovsdp_buf_put_u32(b, OVS_CT_ATTR_EVENTMASK, (uint32_t)events);
		if (has_t)
			ovsdp_buf_put_attr(b, OVS_CT_ATTR_TIMEOUT, t.data, t.len);
	}
	if (nat.len)
		ovsdp_buf_put(b, nat.data, nat.len);
	r = odp_nest_end(b, cookie, "ct", lx->error);
out:
	ovsdp_buf_clear(&names);
	ovsdp_buf_clear(&nat);
	return r;
}

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
parse_dec_ttl(struct odp_lexer *lx, struct ovsdp_buf *b)
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

/* add_mpls(label=,tc=,ttl=,bos=,eth_type=[,tun_flags=]). */
static int
parse_add_mpls(struct odp_lexer *lx, struct ovsdp_buf *b)
{
	static const struct {
		const char *name;
		unsigned shift;
		uint32_t max;
	} parts[] = {
		{ "label", 12, 0xfffff }, { "tc", 9, 7 }, { "ttl", 0, 0xff }, { "bos", 8, 1 },
	};
	uint32_t lse = 0;
	uint64_t eth_type = 0, tun_flags = 0, v;
	bool have_type = false;
	struct ovs_action_add_mpls m;
	int r;

	if ((r = odp_lex_expect(lx, "add_mpls", '(')))
		return r;
	do {
		const char *name;
		size_t n, i;

		if ((r = odp_lex_field(lx, "add_mpls", &name, &n)) < 0)
			return r;
		if (r == 0 && field_is(name, n, "eth_type")) {
			if ((r = odp_lex_uint(lx, "add_mpls", "eth_type", UINT16_MAX, &eth_type)))
				return r;
			have_type = true;
			continue;
		}
		if (r == 0 && field_is(name, n, "tun_flags")) {
			if ((r = odp_lex_uint(lx, "add_mpls", "tun_flags", UINT16_MAX, &tun_flags)))
				return r;
			continue;
		}
		for (i = 0; i < G_N_ELEMENTS(parts); i++)
			if (field_is(name, n, parts[i].name))
				break;
		if (r == 1 || i == G_N_ELEMENTS(parts))
			return unknown_field(lx, "add_mpls", name, n);
		if ((r = odp_lex_uint(lx, "add_mpls", parts[i].name, parts[i].max, &v)))
			return r;
		lse |= (uint32_t)v << parts[i].shift;
	} while (!(r = odp_lex_list_next(lx, "add_mpls")));
	if (r < 0)
		return r;
	if (!have_type)
		return odp_lex_fail(lx, lx->p - 1, "add_mpls: missing eth_type");
	m.mpls_lse = htonl(lse);
	m.mpls_ethertype = htons((uint16_t)eth_type);
	m.tun_flags = (uint16_t)tun_flags;
	ovsdp_buf_put_attr(b, OVS_ACTION_ATTR_ADD_MPLS, &m, sizeof m);
	return 0;
}

/* A hex number of up to 'max' bytes ("0x..." as ds_put_hex writes one),
 * stored big-endian in as few whole bytes as hold it. */
static int
parse_hex_blob(struct odp_lexer *lx, const char *ctx, const char *field, size_t max,
	       GByteArray *out)
{
	const char *at = lx->p, *d;
	size_t n;

	if (at[0] == '0' && (at[1] == 'x' || at[1] == 'X'))
		d = at + 2;
	else
		d = at;
	n = strspn(d, "0123456789abcdefABCDEF");
	if (!n || (d == at && !(n == 1 && *d == '0')))
		return odp_lex_fail(lx, at, "%s: %s: expected a hex number", ctx, field);
	while (n > 1 && *d == '0') {
		d++;
		n--;
	}
	if ((n + 1) / 2 > max)
		return odp_lex_fail(lx, at, "%s: %s: longer than %zu bytes", ctx, field, max);
	for (size_t i = 0; i < n;) {
		size_t take = (n - i) % 2 ? 1 : 2;
		uint8_t byte = 0;

		for (size_t k = 0; k < take; k++)
			byte = (uint8_t)(byte << 4 | g_ascii_xdigit_value(d[i + k]));
		g_byte_array_append(out, &byte, 1);
		i += take;
	}
	lx->p = d + n;
	return 0;
}

/* psample(group=N[,cookie=0xHEX]). */
static int
parse_psample(struct odp_lexer *lx, struct ovsdp_buf *b)
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
		if (r == 0 && field_is(name, n, "group") && !have_group) {
			if ((r = odp_lex_uint(lx, "psample", "group", UINT32_MAX, &group)))
				return r;
			have_group = true;
		} else if (r == 0 && field_is(name, n, "cookie") && !have_cookie) {
			if ((r = parse_hex_blob(lx, "psample", "cookie", OVSDP_PSAMPLE_COOKIE_MAX, cookie)))
				return r;
			have_cookie = true;
		} else {
			return unknown_field(lx, "psample", name, n);
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

/* push_nsh(...): the fields ovs-dpctl prints, any order, with its defaults
 * (ttl 63, MD type 1, next protocol Ethernet, si 255). */
static int
parse_push_nsh(struct odp_lexer *lx, struct ovsdp_buf *b)
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
				return unknown_field(lx, "push_nsh", name, n);
			for (i = 0; i < G_N_ELEMENTS(u8s); i++)
				if (field_is(name, n, u8s[i].name))
					break;
			if (i < G_N_ELEMENTS(u8s)) {
				if ((r = odp_lex_uint(lx, "push_nsh", u8s[i].name, u8s[i].max, &v)))
					return r;
				base[i] = (uint8_t)v;
			} else if (field_is(name, n, "spi")) {
				if ((r = odp_lex_uint(lx, "push_nsh", "spi", 0xffffff, &spi)))
					return r;
			} else if (field_is(name, n, "si")) {
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
			} else if (field_is(name, n, "md2")) {
				g_byte_array_set_size(md2, 0);
				if ((r = parse_hex_blob(lx, "push_nsh", "md2", NSH_MD2_MAX, md2)))
					return r;
				have_md2 = true;
			} else {
				return unknown_field(lx, "push_nsh", name, n);
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

static int
parse_action(struct odp_lexer *lx, struct ovsdp_buf *b)
{
	const char *at = lx->p;
	size_t n;
	uint32_t v;
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

	if (odp_lex_word(lx, "userspace"))
		return parse_userspace(lx, b);
	if (odp_lex_word(lx, "set"))
		return parse_set(lx, b);
	if (odp_lex_word(lx, "push_vlan"))
		return parse_push_vlan(lx, b);
	if (odp_lex_word(lx, "pop_vlan")) {
		ovsdp_buf_put_flag(b, OVS_ACTION_ATTR_POP_VLAN);
		return 0;
	}
	if (odp_lex_word(lx, "sample")) {
		if (lx->depth >= ODP_MAX_DEPTH)
			return odp_lex_fail(lx, at, "sample: nested too deeply");
		lx->depth++;
		r = parse_sample(lx, b);
		lx->depth--;
		return r;
	}
	if (odp_lex_word(lx, "clone")) {
		if (lx->depth >= ODP_MAX_DEPTH)
			return odp_lex_fail(lx, at, "clone: nested too deeply");
		lx->depth++;
		r = parse_clone(lx, b);
		lx->depth--;
		return r;
	}
	if (odp_lex_word(lx, "check_pkt_len")) {
		if (lx->depth >= ODP_MAX_DEPTH)
			return odp_lex_fail(lx, at, "check_pkt_len: nested too deeply");
		lx->depth++;
		r = parse_check_pkt_len(lx, b);
		lx->depth--;
		return r;
	}
	if (odp_lex_word(lx, "recirc")) {
		if ((r = parse_u32_arg(lx, "recirc", "id", &v)))
			return r;
		ovsdp_buf_put_u32(b, OVS_ACTION_ATTR_RECIRC, v);
		return 0;
	}
	if (odp_lex_word(lx, "meter")) {
		if ((r = parse_u32_arg(lx, "meter", "id", &v)))
			return r;
		ovsdp_buf_put_u32(b, OVS_ACTION_ATTR_METER, v);
		return 0;
	}
	if (odp_lex_word(lx, "trunc")) {
		if ((r = parse_u32_arg(lx, "trunc", "max_len", &v)))
			return r;
		ovsdp_buf_put_u32(b, OVS_ACTION_ATTR_TRUNC, v);
		return 0;
	}
	if (odp_lex_word(lx, "hash"))
		return parse_hash(lx, b);
	if (odp_lex_word(lx, "push_mpls"))
		return parse_push_mpls(lx, b);
	if (odp_lex_word(lx, "pop_mpls"))
		return parse_pop_mpls(lx, b);
	if (odp_lex_word(lx, "push_eth"))
		return parse_push_eth(lx, b);
	if (odp_lex_word(lx, "pop_eth")) {
		ovsdp_buf_put_flag(b, OVS_ACTION_ATTR_POP_ETH);
		return 0;
	}
	if (odp_lex_word(lx, "ct_clear")) {
		ovsdp_buf_put_flag(b, OVS_ACTION_ATTR_CT_CLEAR);
		return 0;
	}
	if (odp_lex_word(lx, "ct"))
		return parse_ct(lx, b);
	if (odp_lex_word(lx, "dec_ttl")) {
		if (lx->depth >= ODP_MAX_DEPTH)
			return odp_lex_fail(lx, at, "dec_ttl: nested too deeply");
		lx->depth++;
		r = parse_dec_ttl(lx, b);
		lx->depth--;
		return r;
	}
	if (odp_lex_word(lx, "add_mpls"))
		return parse_add_mpls(lx, b);
	if (odp_lex_word(lx, "psample"))
		return parse_psample(lx, b);
	if (odp_lex_word(lx, "push_nsh"))
		return parse_push_nsh(lx, b);
	if (odp_lex_word(lx, "drop")) {
		v = 0;
		if (*lx->p == '(' && (r = parse_u32_arg(lx, "drop", "code", &v)))
			return r;
		ovsdp_buf_put_u32(b, OVSDP_ACTION_ATTR_DROP, v);
		return 0;
	}
	if (n > 6 && !strncmp(at, "action", 6))
		return parse_generic(lx, b, at, n);
	if (odp_lex_word(lx, "pop_nsh")) {
		if ((r = odp_lex_expect(lx, "pop_nsh", '(')) || (r = odp_lex_expect(lx, "pop_nsh", ')')))
			return r;
		ovsdp_buf_put_flag(b, OVS_ACTION_ATTR_POP_NSH);
		return 0;
	}
	return odp_lex_fail(lx, at, "unknown action '%.*s'", (int)n, at);
}

static int
parse_action_list(struct odp_lexer *lx, struct ovsdp_buf *b, const char *ctx, bool nested)
{
	const char *delims = ", \t\r\n";

	lx->p += strspn(lx->p, delims);
	if (nested) {
		/* A nested list prints as "drop" when empty (sample, clone,
		 * check_pkt_len, dec_ttl), and reads back the same way; at the
		 * top, "drop" is the explicit drop action, as in ovs-dpctl. */
		const char *save = lx->p;

		if (odp_lex_word(lx, "drop")) {
			lx->p += strspn(lx->p, delims);
			if (*lx->p == ')') {
				lx->p++;
				return 0;
			}
			lx->p = save;
		}
	}
	for (;;) {
		size_t sep;
		int r;

		if (nested && *lx->p == ')') {
			lx->p++;
			return 0;
		}
		if (!*lx->p)
			return nested ? odp_lex_fail(lx, lx->p, "%s: missing ')'", ctx) : 0;
		if ((r = parse_action(lx, b)))
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
