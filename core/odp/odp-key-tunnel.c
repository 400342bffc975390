/* odp-key-tunnel.c: the tunnel key row: one row per tunnel option
 * (OVS_TUNNEL_KEY_ATTR_*) with its rules, Geneve options, VXLAN group
 * policy and ERSPAN metadata among them. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/erspan.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"

/* Tunnel flags as Open vSwitch numbers them in text ("flags(-df+csum+key)"). */
#define TNL_F_OAM 0x1
#define TNL_F_DF 0x2
#define TNL_F_CSUM 0x4
#define TNL_F_KEY 0x8
#define TNL_F_MASK 0xf

#define GENEVE_MAX_OPTS 252
#define GENEVE_MAX_DATA 124

struct tun_codec;

/* What an option's format function gets. */
struct tun_fmt {
	GString *out;
	const struct tun_codec *d;
	const struct odp_attr *t;
	const uint8_t *m;       /* NULL: exact; odp_zeros: wildcarded; or the mask payload */
	const struct odp_attr *mt;      /* the mask attribute, when the mask has one */
	enum odp_mask_mode mode;
	bool verbose;
	GError **error;
};

/* One tunnel option. */
struct tun_codec {
	const char *name;
	int len;                /* payload length, -1: any */
	uint8_t field_kind;     /* a plain field (format_field) */
	uint32_t flag;          /* its bit in flags(): flag options, and the tunnel id's "key" */
	/* Text out, with its trailing ','; NULL for a flag (shown in
	 * flags()) and for padding. */
	int (*format)(const struct tun_fmt *f);
	/* After "name(": the option up to and including ')'; NULL for an
	 * option written "name=value". */
	int (*parse)(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask);
};

static int format_field(const struct tun_fmt *f);
static int format_geneve(const struct tun_fmt *f);
static int format_vxlan(const struct tun_fmt *f);
static int format_erspan(const struct tun_fmt *f);
static int parse_geneve(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask);
static int parse_vxlan(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask);
static int parse_erspan(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask);

#define TUN_FIELD(name, kind, len) { name, len, kind, 0, format_field, NULL }
#define TUN_FLAG(name, flag) { name, 0, 0, flag, NULL, NULL }

static const struct tun_codec tun_descs[] = {
	[OVS_TUNNEL_KEY_ATTR_ID] = { "tun_id", 8, ODP_FK_BE64, TNL_F_KEY, format_field, NULL },
	[OVS_TUNNEL_KEY_ATTR_IPV4_SRC] = TUN_FIELD("src", ODP_FK_IPV4, 4),
	[OVS_TUNNEL_KEY_ATTR_IPV4_DST] = TUN_FIELD("dst", ODP_FK_IPV4, 4),
	[OVS_TUNNEL_KEY_ATTR_TOS] = TUN_FIELD("tos", ODP_FK_U8X, 1),
	[OVS_TUNNEL_KEY_ATTR_TTL] = TUN_FIELD("ttl", ODP_FK_U8, 1),
	[OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT] = TUN_FLAG("df", TNL_F_DF),
	[OVS_TUNNEL_KEY_ATTR_CSUM] = TUN_FLAG("csum", TNL_F_CSUM),
	[OVS_TUNNEL_KEY_ATTR_OAM] = TUN_FLAG("oam", TNL_F_OAM),
	[OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS] = { "geneve", -1, 0, 0, format_geneve, parse_geneve },
	[OVS_TUNNEL_KEY_ATTR_TP_SRC] = TUN_FIELD("tp_src", ODP_FK_BE16, 2),
	[OVS_TUNNEL_KEY_ATTR_TP_DST] = TUN_FIELD("tp_dst", ODP_FK_BE16, 2),
	[OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS] = { "vxlan", -1, 0, 0, format_vxlan, parse_vxlan },
	[OVS_TUNNEL_KEY_ATTR_IPV6_SRC] = TUN_FIELD("ipv6_src", ODP_FK_IPV6, 16),
	[OVS_TUNNEL_KEY_ATTR_IPV6_DST] = TUN_FIELD("ipv6_dst", ODP_FK_IPV6, 16),
	[OVS_TUNNEL_KEY_ATTR_PAD] = { "pad", -1, 0, 0, NULL, NULL },
	[OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS] = { "erspan", sizeof(struct erspan_metadata), 0, 0,
					      format_erspan, parse_erspan },
};

static const struct odp_flag_name tun_flag_names[] = {
	{ TNL_F_OAM, "oam" },
	{ TNL_F_DF, "df" },
	{ TNL_F_CSUM, "csum" },
	{ TNL_F_KEY, "key" },
	{ 0, NULL },
};

static int
check_tun_len(const struct tun_codec *d, const struct odp_attr *a, const char *what,
	      GError **error)
{
	if (d->len >= 0 && a->len != (size_t)d->len)
		return odp_fail(error, "tunnel: %s%s payload is %zu bytes, expected %d",
				d->name, what, a->len, d->len);
	return 0;
}

static const struct tun_codec *
tun_desc(uint16_t type)
{
	if (type >= G_N_ELEMENTS(tun_descs) || !tun_descs[type].name)
		return NULL;
	return &tun_descs[type];
}

/* ---- Printing ----------------------------------------------------------- */

static int
format_field(const struct tun_fmt *f)
{
	return odp_put_field(f->out, "tunnel", f->d->name, f->d->field_kind, f->t->data, f->m,
			     f->verbose, f->error);
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
		if ((r = odp_put_field(out, "tunnel", "class", ODP_FK_BE16X, k + off, m ? m + off : NULL, verbose, error))
		    || (r = odp_put_field(out, "tunnel", "type", ODP_FK_U8X, k + off + 2, m ? m + off + 2 : NULL,
					  verbose, error))
		    || (r = odp_put_field(out, "tunnel", "len", ODP_FK_U8, &dlen, m ? &lmask : NULL,
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

static int
format_geneve(const struct tun_fmt *f)
{
	int r;

	if (f->mt && f->mt->len != f->t->len)
		return odp_fail(f->error, "tunnel: geneve mask is %zu bytes, expected %zu",
				f->mt->len, f->t->len);
	g_string_append(f->out, "geneve(");
	if ((r = put_geneve(f->out, f->t->data, f->m, f->t->len, f->verbose, f->error)))
		return r;
	g_string_append(f->out, "),");
	return 0;
}

/* ERSPAN metadata (struct erspan_metadata: the version as a host int, then
 * the v1 index or the v2 direction and hardware id), as ovs-dpctl prints
 * it: "ver=1,idx=0x7" or "ver=2,dir=1,hwid=0x3"; a v1 index shows its mask
 * whenever a mask is given.  The mask is NULL (exact) or 8 bytes. */
static int
format_erspan(const struct tun_fmt *f)
{
	GString *out = f->out;
	const uint8_t *k = f->t->data, *m = f->m;
	bool verbose = f->verbose;
	GError **error = f->error;
	struct erspan_metadata key, mask;
	uint8_t ver, ver_m, dir, dir_m, hwid, hwid_m;
	int r;

	memcpy(&key, k, sizeof key);
	if (m)
		memcpy(&mask, m, sizeof mask);
	ver = (uint8_t)key.version;
	ver_m = m ? (uint8_t)mask.version : 0;
	g_string_append(out, "erspan(");
	if ((r = odp_put_field(out, "tunnel", "ver", ODP_FK_U8, &ver, m ? &ver_m : NULL, verbose, error)))
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
		if ((r = odp_put_field(out, "tunnel", "dir", ODP_FK_U8, &dir, m ? &dir_m : NULL, verbose, error))
		    || (r = odp_put_field(out, "tunnel", "hwid", ODP_FK_U8X, &hwid, m ? &hwid_m : NULL, verbose,
					  error)))
			return r;
	}
	odp_chomp(out, ',');
	g_string_append(out, "),");
	return 0;
}

/* VXLAN group policy: "gbp(id=,flags=)". */
static int
put_vxlan(GString *out, const struct odp_attr *a, const struct odp_attr *ma, enum odp_mask_mode mode,
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

			odp_put_generic(out, g.type, g.data, g.len, found ? mg.data : NULL, found ? mg.len : 0,
					mode != ODP_MASK_EXACT && !(found && mg.len == g.len
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
		if ((r = odp_put_field(out, "tunnel", "id", ODP_FK_BE16, id, mode == ODP_MASK_EXACT ? NULL : mid,
				       verbose, error))
		    || (r = odp_put_field(out, "tunnel", "flags", ODP_FK_U8X, &flags, mode == ODP_MASK_EXACT ? NULL : &mflags,
					  verbose, error)))
			return r;
		odp_chomp(out, ',');
		g_string_append(out, "),");
	}
	odp_chomp(out, ',');
	return r;
}

static int
format_vxlan(const struct tun_fmt *f)
{
	int r;

	g_string_append(f->out, "vxlan(");
	if ((r = put_vxlan(f->out, f->t, f->mt, f->mode, f->verbose, f->error)))
		return r;
	g_string_append(f->out, "),");
	return 0;
}

static int
format_tunnel(const struct odp_key_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	struct odp_mask_ref mr = f->mr;
	bool verbose = f->verbose;
	GError **error = f->error;
	struct odp_iter it;
	struct odp_attr t;
	uint32_t flags = 0, mflags = 0, seen = 0;
	int r;

	if (mr.mode == ODP_MASK_GIVEN) {
		/* Flags may be masked without being set in the key. */
		odp_iter_init(&it, mr.data, mr.len, "tunnel mask");
		while ((r = odp_iter_next(&it, &t, error)) > 0) {
			const struct tun_codec *d = tun_desc(t.type);

			if (!d)
				continue;
			if ((r = check_tun_len(d, &t, " mask", error)))
				return r;
			if (d->flag && !d->format)
				mflags |= d->flag;
		}
		if (r < 0)
			return r;
	}

	odp_iter_init(&it, a->data, a->len, "tunnel");
	while ((r = odp_iter_next(&it, &t, error)) > 0) {
		const struct tun_codec *d = tun_desc(t.type);
		struct odp_attr mt, *mtp = NULL;
		const uint8_t *m = NULL;

		if (!d) {
			bool found = mr.mode == ODP_MASK_GIVEN && odp_list_find(mr.data, mr.len, t.type, &mt);

			/* The mask is shown unless it is exact, as ovs-dpctl does. */
			odp_put_generic(out, t.type, t.data, t.len, found ? mt.data : NULL, found ? mt.len : 0,
					mr.mode != ODP_MASK_EXACT && !(found && mt.len == t.len
								       && odp_all_bytes(mt.data, mt.len, 0xff)));
			g_string_append_c(out, ',');
			continue;
		}
		if (seen & (1u << t.type))
			return odp_fail(error, "tunnel: duplicate attribute %s", d->name);
		seen |= 1u << t.type;
		if ((r = check_tun_len(d, &t, "", error)))
			return r;
		if (mr.mode != ODP_MASK_EXACT) {
			m = odp_zeros;
			if (mr.mode == ODP_MASK_GIVEN && odp_list_find(mr.data, mr.len, t.type, &mt)) {
				m = mt.data;
				mtp = &mt;
			}
		}
		/* A flag attribute shows in flags(); so does the key flag of a
		 * tunnel id.  Open vSwitch's stand-in for a missing mask copies
		 * the key's flag attributes, so they read as masked. */
		if (d->flag) {
			flags |= d->flag;
			if (d->format ? mr.mode != ODP_MASK_EXACT : mr.mode == ODP_MASK_WILD)
				mflags |= d->flag;
		}
		if (d->format) {
			struct tun_fmt tf = { out, d, &t, m, mtp, mr.mode, verbose, error };

			if ((r = d->format(&tf)))
				return r;
		}
	}
	if (r < 0)
		return r;

	if (verbose || mr.mode == ODP_MASK_EXACT || mflags) {
		g_string_append(out, "flags(");
		if (mr.mode == ODP_MASK_EXACT)
			odp_put_flags(out, tun_flag_names, flags, '|');
		else
			odp_put_flags_masked(out, tun_flag_names, flags, mflags & TNL_F_MASK, TNL_F_MASK);
		g_string_append(out, "),");
	}
	odp_chomp(out, ',');
	return 0;
}

/* ---- Parsing ------------------------------------------------------------ */

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
			odp_store_be16(ko, v);
			odp_store_be16(mo, mv);
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
	odp_put_pair(key, mask, OVS_TUNNEL_KEY_ATTR_GENEVE_OPTS, k, m, off);
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

		if (n && odp_generic_type(at, n, &type) && type != OVS_VXLAN_EXT_GBP && at[n] == '(') {
			lx->p += n + 1;
			if ((r = odp_parse_generic_body(lx, "tunnel", type, key, mask)))
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
						return odp_unknown_field(lx, "tunnel", name, n);
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
			return odp_unknown_field(lx, "tunnel", name, n);
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
			return odp_unknown_field(lx, "tunnel: erspan", name, n);
		}
	} while (!(r = odp_lex_list_next(lx, "tunnel")));
	if (r < 0)
		return r;
	if (!have_ver)
		return odp_lex_fail(lx, lx->p - 1, "tunnel: erspan: missing ver");
	(void)ver_m;
	odp_put_pair(key, mask, OVS_TUNNEL_KEY_ATTR_ERSPAN_OPTS, &k, &m, sizeof k);
	return 0;
}

/* Attribute types are bits 0..16 of 'seen'; flags() gets its own. */
#define TUN_SEEN_FLAGS (1u << 31)

static int
parse_tunnel(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type_,
	     struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	size_t kc, mc = 0;
	uint32_t seen = 0;
	int r;

	kc = ovsdp_buf_nest_start(key, type_);
	if (mask)
		mc = ovsdp_buf_nest_start(mask, type_);
	if (*lx->p == ')') {
		lx->p++;
		goto done;
	}
	do {
		const struct tun_codec *d = NULL;
		const char *name;
		size_t n;
		uint16_t type;

		if ((r = odp_lex_field(lx, "tunnel", &name, &n)) < 0)
			return r;
		if (r == 1) {
			uint32_t flags, fmask;

			for (type = 0; type < G_N_ELEMENTS(tun_descs); type++) {
				d = tun_desc(type);
				if (d && d->parse && odp_field_is(name, n, d->name))
					break;
			}
			if (type < G_N_ELEMENTS(tun_descs)) {
				if (seen & (1u << type))
					return odp_lex_fail(lx, name, "tunnel: duplicate field '%s'", d->name);
				seen |= 1u << type;
				lx->p++;
				if ((r = d->parse(lx, key, mask)))
					return r;
				continue;
			}
			if (odp_generic_type(name, n, &type) && !tun_desc(type)) {
				if (type < 31 && (seen & (1u << type)))
					return odp_lex_fail(lx, name, "tunnel: duplicate field '%.*s'", (int)n, name);
				if (type < 31)
					seen |= 1u << type;
				lx->p++;
				if ((r = odp_parse_generic_body(lx, "tunnel", type, key, mask)))
					return r;
				continue;
			}
			if (n != 5 || memcmp(name, "flags", 5))
				return odp_unknown_field(lx, "tunnel", name, n);
			if (seen & TUN_SEEN_FLAGS)
				return odp_lex_fail(lx, name, "tunnel: duplicate field 'flags'");
			seen |= TUN_SEEN_FLAGS;
			lx->p++;
			r = odp_lex_flags(lx, "tunnel", tun_flag_names, TNL_F_MASK, &flags, &fmask);
			if (r || (r = odp_lex_expect(lx, "tunnel", ')')))
				return r;
			for (type = 0; type < G_N_ELEMENTS(tun_descs); type++) {
				const struct tun_codec *f = tun_desc(type);

				if (!f || !f->flag || f->format)
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
			if (d && d->format == format_field && odp_field_is(name, n, d->name))
				break;
		}
		if (type == G_N_ELEMENTS(tun_descs))
			return odp_unknown_field(lx, "tunnel", name, n);
		if (seen & (1u << type))
			return odp_lex_fail(lx, name, "tunnel: duplicate field '%s'", d->name);
		seen |= 1u << type;
		{
			uint8_t k[16] = { 0 }, m[16] = { 0 };

			r = odp_parse_field(lx, "tunnel", d->name, d->field_kind, k, m);
			if (r)
				return r;
			odp_put_pair(key, mask, type, k, m, (size_t)d->len);
		}
	} while (!(r = odp_lex_list_next(lx, "tunnel")));
	if (r < 0)
		return r;
done:
	if ((r = odp_nest_end(key, kc, "tunnel", lx->error)))
		return r;
	return mask ? odp_nest_end(mask, mc, "tunnel", lx->error) : 0;
}

/* Duplicates and lengths of the options this codec knows. */
static int
validate_tunnel(const struct odp_attr *a, int depth, GError **error)
{
	struct odp_iter ti;
	struct odp_attr t;
	uint32_t tseen = 0;
	int r;

	odp_iter_init(&ti, a->data, a->len, "tunnel");
	while ((r = odp_iter_next(&ti, &t, error)) > 0) {
		const struct tun_codec *td = tun_desc(t.type);

		if (!td)
			continue;
		if (tseen & (1u << t.type))
			return odp_fail(error, "tunnel: duplicate attribute %s", td->name);
		tseen |= 1u << t.type;
		if ((r = check_tun_len(td, &t, "", error)))
			return r;
	}
	return r;
}

const struct odp_key_codec odp_key_tunnel = {
	.name = "tunnel", .len = ODP_LEN_NESTED, .format = format_tunnel, .parse = parse_tunnel,
	.validate = validate_tunnel,
};
