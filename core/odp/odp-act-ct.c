/* odp-act-ct.c: the conntrack action rows: ct (with its NAT options) and
 * ct_clear. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"
#include "nl/ovs-compat.h"

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

	if ((r = odp_act_collect(a, "nat", lens, G_N_ELEMENTS(lens), at, error)))
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
format_ct(const struct odp_act_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	GError **error = f->error;
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

	if ((r = odp_act_collect(a, "ct", lens, G_N_ELEMENTS(lens), at, error)))
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
parse_ct(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
	 struct ovsdp_buf *b)
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
				r = odp_unknown_field(lx, "ct", name, n);
				goto out;
			}
			if (odp_field_is(name, n, "zone")) {
				r = odp_lex_uint(lx, "ct", "zone", UINT16_MAX, &zone);
			} else if (odp_field_is(name, n, "mark")) {
				r = odp_lex_uint_masked(lx, "ct", "mark", UINT32_MAX, &mark, &mark_m);
			} else if (odp_field_is(name, n, "label")) {
				r = odp_lex_u128(lx, "ct", "label", label);
				memset(label + 16, 0xff, 16);
				if (!r && *lx->p == '/') {
					lx->p++;
					r = odp_lex_u128(lx, "ct", "label", label + 16);
				}
			} else if (odp_field_is(name, n, "helper")) {
				r = parse_ct_name(lx, "helper", 15, &names, OVS_CT_ATTR_HELPER);
			} else if (odp_field_is(name, n, "timeout")) {
				r = parse_ct_name(lx, "timeout", 31, &names, OVS_CT_ATTR_TIMEOUT);
			} else if (odp_field_is(name, n, "eventmask")) {
				r = odp_lex_uint(lx, "ct", "eventmask", UINT32_MAX, &events);
				have_events = true;
			} else {
				r = odp_unknown_field(lx, "ct", name, n);
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

const struct odp_act_codec odp_act_ct = {
	.name = "ct", .len = ODP_LEN_VAR, .format = format_ct, .parse = parse_ct
};
const struct odp_act_codec odp_act_ct_clear = {
	.name = "ct_clear", .len = 0, .format = odp_act_format_flag, .parse = odp_act_parse_flag
};
