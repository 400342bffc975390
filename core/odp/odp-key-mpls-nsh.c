/* odp-key-mpls-nsh.c: the key rows of MPLS (one to three label stack
 * entries) and NSH (base header and MD type 1 context, nested). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"

/* ---- MPLS --------------------------------------------------------------- */

static void
put_mpls(GString *out, const uint8_t *k, const uint8_t *m, size_t len)
{
	for (size_t i = 0; i < len; i += 4) {
		uint32_t lse = odp_get_be32(k + i);

		g_string_append_printf(out, "label=%u", lse >> 12);
		if (m) {
			uint32_t ml = odp_get_be32(m + i);

			/* Open vSwitch's own mixture of bases, kept for fidelity. */
			g_string_append_printf(out, "/0x%x,tc=%u/%x,ttl=%u/0x%x,bos=%u/%x",
					       ml >> 12, (lse >> 9) & 7, (ml >> 9) & 7,
					       lse & 0xff, ml & 0xff, (lse >> 8) & 1, (ml >> 8) & 1);
		} else {
			g_string_append_printf(out, ",tc=%u,ttl=%u,bos=%u",
					       (lse >> 9) & 7, lse & 0xff, (lse >> 8) & 1);
		}
		g_string_append_c(out, ',');
	}
	odp_chomp(out, ',');
}

static int
format_mpls(const struct odp_key_fmt *f)
{
	put_mpls(f->out, f->a->data, f->exact ? NULL : f->m, f->a->len);
	return 0;
}

const struct odp_lse_part odp_mpls_lse_parts[4] = {
	{ "label", 12, 0xfffff }, { "tc", 9, 7 }, { "ttl", 0, 0xff }, { "bos", 8, 1 },
};

struct mpls_parse {
	uint32_t k[ODP_MPLS_MAX_LABELS], m[ODP_MPLS_MAX_LABELS];
	unsigned idx, given;
};

static int
mpls_field(struct odp_lexer *lx, const char *name, size_t n, void *arg)
{
	const struct odp_lse_part *parts = odp_mpls_lse_parts;
	struct mpls_parse *mp = arg;
	uint64_t v, mv;
	size_t i;
	int r;

	for (i = 0; i < G_N_ELEMENTS(odp_mpls_lse_parts); i++)
		if (odp_field_is(name, n, parts[i].name))
			break;
	if (i == G_N_ELEMENTS(odp_mpls_lse_parts))
		return odp_unknown_field(lx, "mpls", name, n);
	/* A field seen again starts the next label stack entry. */
	if (mp->given & (1u << i)) {
		if (++mp->idx == ODP_MPLS_MAX_LABELS)
			return odp_lex_fail(lx, name, "mpls: more than %d labels", ODP_MPLS_MAX_LABELS);
		mp->given = 0;
	}
	mp->given |= 1u << i;
	if ((r = odp_lex_uint_masked(lx, "mpls", parts[i].name, parts[i].max, &v, &mv)))
		return r;
	mp->k[mp->idx] |= (uint32_t)v << parts[i].shift;
	mp->m[mp->idx] |= (uint32_t)mv << parts[i].shift;
	return 0;
}

static int
parse_mpls(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	   struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	struct mpls_parse mp = { .idx = 0 };
	uint8_t kb[4 * ODP_MPLS_MAX_LABELS], mb[4 * ODP_MPLS_MAX_LABELS];
	int r;

	if ((r = odp_lex_fields(lx, c->name, mpls_field, &mp)))
		return r;
	for (unsigned i = 0; i <= mp.idx; i++) {
		odp_store_be32(kb + 4 * i, mp.k[i]);
		odp_store_be32(mb + 4 * i, mp.m[i]);
	}
	odp_put_pair(key, mask, type, kb, mb, 4 * (mp.idx + 1));
	return 0;
}

const struct odp_key_codec odp_key_mpls = {
	.name = "mpls", .len = ODP_LEN_MPLS, .format = format_mpls, .parse = parse_mpls,
};

/* ---- NSH ---------------------------------------------------------------- */

/* The NSH key (base header and MD type 1 context) as ovs-dpctl prints it:
 * every field when exact; otherwise only the fields with a non-zero mask,
 * a u8 as "N" (exact) or "0xNN/0xNN", a 32-bit one as "0xN" or
 * "0xN/0xNNNNNNNN".  A part the mask leaves out counts as exact, and MD
 * type 2 context (which the kernel cannot match) is not shown.  Like
 * ovs-dpctl, a key without MD type 1 context prints its context as exact
 * odp_zeros (c1=0x0,...), so such a key (mdtype wildcarded) does not read back
 * to the same mask: write mdtype=1 to match on context. */
static int
format_nsh(const struct odp_key_fmt *f)
{
	GString *out = f->out;
	const struct odp_attr *a = f->a;
	struct odp_mask_ref mr = f->mr;
	GError **error = f->error;
	/* flags, ttl, mdtype, np, path header (spi << 8 | si), c1..c4 */
	uint8_t k[24] = { 0 }, m[24];
	static const char *const u8_names[] = { "flags", "ttl", "mdtype", "np" };
	struct odp_iter it;
	struct odp_attr t, mt;
	bool first = true;
	int r;

	memset(m, 0xff, sizeof m);
	if (mr.mode == ODP_MASK_GIVEN && (r = odp_list_check(mr.data, mr.len, "nsh mask", error)))
		return r;
	odp_iter_init(&it, a->data, a->len, "nsh");
	while ((r = odp_iter_next(&it, &t, error)) > 0) {
		size_t off, len;

		if (t.type == OVS_NSH_KEY_ATTR_BASE) {
			off = 0;
			len = sizeof(struct ovs_nsh_key_base);
		} else if (t.type == OVS_NSH_KEY_ATTR_MD1) {
			off = 8;
			len = sizeof(struct ovs_nsh_key_md1);
		} else if (t.type == OVS_NSH_KEY_ATTR_MD2) {
			continue;
		} else {
			return odp_fail(error, "nsh: unknown attribute type %u", t.type);
		}
		if (t.len != len)
			return odp_fail(error, "nsh: attribute %u payload is %zu bytes, expected %zu",
					t.type, t.len, len);
		memcpy(k + off, t.data, len);
		if (mr.mode == ODP_MASK_WILD) {
			memset(m + off, 0, len);
		} else if (mr.mode == ODP_MASK_GIVEN && odp_list_find(mr.data, mr.len, t.type, &mt)) {
			if (mt.len != len)
				return odp_fail(error, "nsh mask: attribute %u payload is %zu bytes, expected %zu",
						t.type, mt.len, len);
			memcpy(m + off, mt.data, len);
		}
	}
	if (r < 0)
		return r;

	if (mr.mode == ODP_MASK_EXACT) {
		g_string_append_printf(out, "flags=%u,ttl=%u,mdtype=%u,np=%u,spi=0x%x,si=%u",
				       k[0], k[1], k[2], k[3], odp_get_be32(k + 4) >> 8, k[7]);
		if (k[2] == 1)
			for (int i = 0; i < 4; i++)
				g_string_append_printf(out, ",c%d=0x%x", i + 1, odp_get_be32(k + 8 + 4 * i));
		return 0;
	}
	for (int i = 0; i < 4; i++) {
		if (!m[i])
			continue;
		g_string_append_printf(out, first ? "%s=" : ",%s=", u8_names[i]);
		if (m[i] == 0xff)
			g_string_append_printf(out, "%u", k[i]);
		else
			g_string_append_printf(out, "0x%02x/0x%02x", k[i], m[i]);
		first = false;
	}
	for (int i = 0; i < 6; i++) {
		/* spi, si, then the four context words */
		uint32_t v, vm;

		if (i == 1) {
			if (!m[7])
				continue;
			g_string_append(out, first ? "si=" : ",si=");
			if (m[7] == 0xff)
				g_string_append_printf(out, "%u", k[7]);
			else
				g_string_append_printf(out, "0x%02x/0x%02x", k[7], m[7]);
			first = false;
			continue;
		}
		if (i == 0) {
			v = odp_get_be32(k + 4) >> 8;
			vm = odp_get_be32(m + 4) >> 8;
			if (vm == 0xffffff)
				vm = UINT32_MAX;
		} else {
			v = odp_get_be32(k + 8 + 4 * (i - 2));
			vm = odp_get_be32(m + 8 + 4 * (i - 2));
		}
		if (!vm)
			continue;
		if (i == 0)
			g_string_append(out, first ? "spi=" : ",spi=");
		else
			g_string_append_printf(out, first ? "c%d=" : ",c%d=", i - 1);
		if (vm == UINT32_MAX)
			g_string_append_printf(out, "0x%x", v);
		else
			g_string_append_printf(out, "0x%x/0x%08x", v, vm);
		first = false;
	}
	return 0;
}

/* After "nsh(": flags=,ttl=,mdtype=,np=,spi=,si=,c1=..c4=, each
 * value[/mask]; a field left out is wildcarded.  The key gets the base
 * header and, for MD type 1, the context; the mask gets both. */
static int
parse_nsh(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	  struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	static const char *const names[] = { "flags", "ttl", "mdtype", "np", "spi", "si",
					     "c1", "c2", "c3", "c4" };
	uint8_t k[24] = { 0 }, m[24] = { 0 };
	size_t kc, mc = 0;
	int r;

	if (*lx->p != ')') {
		do {
			const char *name;
			size_t n, i;
			uint64_t v, vm;

			if ((r = odp_lex_field(lx, "nsh", &name, &n)) < 0)
				return r;
			for (i = 0; i < G_N_ELEMENTS(names); i++)
				if (n == strlen(names[i]) && !memcmp(name, names[i], n))
					break;
			if (r == 1 || i == G_N_ELEMENTS(names))
				return odp_unknown_field(lx, "nsh", name, n);
			if (i < 4 || i == 5) {
				size_t off = i < 4 ? i : 7;

				if ((r = odp_lex_uint_masked(lx, "nsh", names[i], UINT8_MAX, &v, &vm)))
					return r;
				k[off] = (uint8_t)v;
				m[off] = (uint8_t)vm;
			} else if (i == 4) {
				if ((r = odp_lex_uint_masked(lx, "nsh", "spi", 0xffffff, &v, &vm)))
					return r;
				odp_store_be32(k + 4, (odp_get_be32(k + 4) & 0xff) | (uint32_t)v << 8);
				odp_store_be32(m + 4, (odp_get_be32(m + 4) & 0xff) | (uint32_t)(vm & 0xffffff) << 8);
			} else {
				if ((r = odp_lex_uint_masked(lx, "nsh", names[i], UINT32_MAX, &v, &vm)))
					return r;
				odp_store_be32(k + 8 + 4 * (i - 6), v);
				odp_store_be32(m + 8 + 4 * (i - 6), vm);
			}
		} while (!(r = odp_lex_list_next(lx, "nsh")));
		if (r < 0)
			return r;
	} else {
		lx->p++;
	}
	kc = ovsdp_buf_nest_start(key, type);
	ovsdp_buf_put_attr(key, OVS_NSH_KEY_ATTR_BASE, k, 8);
	if (k[2] == 1)
		ovsdp_buf_put_attr(key, OVS_NSH_KEY_ATTR_MD1, k + 8, 16);
	if ((r = odp_nest_end(key, kc, "nsh", lx->error)))
		return r;
	if (mask) {
		mc = ovsdp_buf_nest_start(mask, type);
		ovsdp_buf_put_attr(mask, OVS_NSH_KEY_ATTR_BASE, m, 8);
		ovsdp_buf_put_attr(mask, OVS_NSH_KEY_ATTR_MD1, m + 8, 16);
		return odp_nest_end(mask, mc, "nsh", lx->error);
	}
	return 0;
}

const struct odp_key_codec odp_key_nsh = {
	.name = "nsh", .len = ODP_LEN_NESTED, .format = format_nsh, .parse = parse_nsh,
};
