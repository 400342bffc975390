/* odp-field.c: the pieces the key families share: plain fields of fixed
 * structs (printing, parsing, masks), the row functions of a struct key and
 * of a host-order u32 key, and the "keyN(bytes)" form of types without a
 * name.  Field names and number bases follow Open vSwitch's odp-util. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "odp/odp-private.h"

const uint8_t odp_zeros[256];

static const char *const frag_names[] = { "no", "first", "later" };

void
odp_store_be16(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
odp_store_be32(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

void
odp_store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

bool
odp_field_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(name, want, n);
}

int
odp_unknown_field(struct odp_lexer *lx, const char *ctx, const char *name, size_t n)
{
	return odp_lex_fail(lx, name, "%s: unknown field '%.*s'", ctx, (int)n, name);
}

int
odp_lex_fields(struct odp_lexer *lx, const char *ctx,
	       int (*field)(struct odp_lexer *lx, const char *name, size_t n, void *arg),
	       void *arg)
{
	int r;

	if (*lx->p == ')') {
		lx->p++;
		return 0;
	}
	do {
		const char *name;
		size_t n;

		if ((r = odp_lex_field(lx, ctx, &name, &n)) < 0)
			return r;
		if (r == 1)
			return odp_unknown_field(lx, ctx, name, n);
		if ((r = field(lx, name, n, arg)))
			return r;
	} while (!(r = odp_lex_list_next(lx, ctx)));
	return r < 0 ? r : 0;
}

/* ---- Fields ------------------------------------------------------------- */

/* One kind of plain field (ODP_FK_*): its width, how its value and its
 * mask print, and how "value[/mask]" parses into both. */
struct field_kind {
	uint8_t size;
	void (*put_value)(GString *out, const uint8_t *v);
	void (*put_mask)(GString *out, const uint8_t *m);      /* NULL: as the value */
	int (*parse)(struct odp_lexer *lx, const struct field_kind *fk, const char *ctx,
		     const char *name, uint8_t *k, uint8_t *m);
	/* The addresses' reader of one value, for parse_address. */
	int (*lex)(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t *v);
};

static void
put_dec8(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "%u", v[0]);
}

static void
put_hex8(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "%#x", v[0]);
}

static void
put_dec16(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "%u", odp_get_be16(v));
}

static void
put_hex16(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "%#x", odp_get_be16(v));
}

static void
put_hex32(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "%#x", odp_get_be32(v));
}

/* A tunnel id shows "0x0"; its mask, like every mask, "0". */
static void
put_id64(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "0x%" G_GINT64_MODIFIER "x", odp_get_be64(v));
}

static void
put_hex64(GString *out, const uint8_t *v)
{
	g_string_append_printf(out, "%#" G_GINT64_MODIFIER "x", odp_get_be64(v));
}

/* A big-endian number of the kind's width. */
static int
parse_uint(struct odp_lexer *lx, const struct field_kind *fk, const char *ctx, const char *name,
	   uint8_t *k, uint8_t *m)
{
	uint64_t max = fk->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * fk->size)) - 1;
	uint64_t v, mv;
	int r;

	if ((r = odp_lex_uint_masked(lx, ctx, name, max, &v, &mv)))
		return r;
	for (size_t i = 0; i < fk->size; i++) {
		k[i] = (uint8_t)(v >> (8 * (fk->size - 1 - i)));
		m[i] = (uint8_t)(mv >> (8 * (fk->size - 1 - i)));
	}
	return 0;
}

/* 20-bit values; masks may carry the other 12 bits. */
static int
parse_label(struct odp_lexer *lx, const struct field_kind *fk, const char *ctx, const char *name,
	    uint8_t *k, uint8_t *m)
{
	uint64_t v, mv = ODP_IPV6_LABEL_MASK;
	int r;

	if ((r = odp_lex_uint(lx, ctx, name, ODP_IPV6_LABEL_MASK, &v)))
		return r;
	if (*lx->p == '/') {
		lx->p++;
		if ((r = odp_lex_uint(lx, ctx, name, UINT32_MAX, &mv)))
			return r;
	}
	odp_store_be32(k, v);
	odp_store_be32(m, mv);
	return 0;
}

/* An enumeration, always exact. */
static int
parse_frag(struct odp_lexer *lx, const struct field_kind *fk, const char *ctx, const char *name,
	   uint8_t *k, uint8_t *m)
{
	const char *at = lx->p;
	size_t n = odp_token_len(at);

	for (size_t i = 0; i < G_N_ELEMENTS(frag_names); i++) {
		if (n == strlen(frag_names[i]) && !g_ascii_strncasecmp(at, frag_names[i], n)) {
			k[0] = (uint8_t)i;
			m[0] = 0xff;
			lx->p += n;
			return 0;
		}
	}
	return odp_lex_fail(lx, at, "%s: bad frag type '%.*s' (expected no, first or later)",
			    ctx, (int)n, at);
}

/* An address; a missing mask is all ones. */
static int
parse_address(struct odp_lexer *lx, const struct field_kind *fk, const char *ctx, const char *name,
	      uint8_t *k, uint8_t *m)
{
	int r;

	if ((r = fk->lex(lx, ctx, name, k)))
		return r;
	memset(m, 0xff, fk->size);
	if (*lx->p == '/') {
		lx->p++;
		return fk->lex(lx, ctx, name, m);
	}
	return 0;
}

static const struct field_kind field_kinds[] = {
	[ODP_FK_U8] = { 1, put_dec8, put_hex8, parse_uint, NULL },
	[ODP_FK_U8X] = { 1, put_hex8, put_hex8, parse_uint, NULL },
	[ODP_FK_BE16] = { 2, put_dec16, put_hex16, parse_uint, NULL },
	[ODP_FK_BE16X] = { 2, put_hex16, put_hex16, parse_uint, NULL },
	[ODP_FK_IPV4] = { 4, odp_put_ipv4, NULL, parse_address, odp_lex_ipv4 },
	[ODP_FK_IPV6] = { 16, odp_put_ipv6, NULL, parse_address, odp_lex_ipv6 },
	[ODP_FK_ETH] = { 6, odp_put_mac, NULL, parse_address, odp_lex_mac },
	[ODP_FK_FRAG] = { 1, NULL, NULL, parse_frag, NULL },    /* printed by name */
	[ODP_FK_LABEL] = { 4, put_hex32, put_hex32, parse_label, NULL },
	[ODP_FK_BE64] = { 8, put_id64, put_hex64, parse_uint, NULL },
};

int
odp_put_field(GString *out, const char *ctx, const char *name, uint8_t kind,
	      const uint8_t *v, const uint8_t *m, bool verbose, GError **error)
{
	const struct field_kind *fk = &field_kinds[kind];
	size_t n = fk->size;
	bool empty = m && odp_all_bytes(m, n, 0);
	bool full = !m || (kind == ODP_FK_LABEL
			   ? (odp_get_be32(m) & ODP_IPV6_LABEL_MASK) == ODP_IPV6_LABEL_MASK
			   : odp_all_bytes(m, n, 0xff));

	if (kind == ODP_FK_FRAG) {
		/* An enumeration: a partial mask means nothing. */
		if (!empty && !full)
			return odp_fail(error, "%s: partial mask %#x on frag", ctx, m[0]);
		if (empty)
			return 0;
		if (v[0] >= G_N_ELEMENTS(frag_names))
			return odp_fail(error, "%s: bad frag type %u", ctx, v[0]);
		g_string_append_printf(out, "%s=%s,", name, frag_names[v[0]]);
		return 0;
	}
	if (empty && !verbose)
		return 0;
	if (kind == ODP_FK_LABEL && odp_get_be32(v) > ODP_IPV6_LABEL_MASK)
		return odp_fail(error, "%s: label %#x is wider than 20 bits", ctx, odp_get_be32(v));
	g_string_append_printf(out, "%s=", name);
	fk->put_value(out, v);
	if (!full) {
		g_string_append_c(out, '/');
		(fk->put_mask ? fk->put_mask : fk->put_value)(out, m);
	}
	g_string_append_c(out, ',');
	return 0;
}

int
odp_parse_field(struct odp_lexer *lx, const char *ctx, const char *name, uint8_t kind,
		uint8_t *k, uint8_t *m)
{
	const struct field_kind *fk = &field_kinds[kind];

	return fk->parse(lx, fk, ctx, name, k, m);
}

/* ---- Keys of fixed size ------------------------------------------------- */

void
odp_put_pair(struct ovsdp_buf *key, struct ovsdp_buf *mask, uint16_t type,
	     const void *k, const void *m, size_t len)
{
	ovsdp_buf_put_attr(key, type, k, len);
	if (mask)
		ovsdp_buf_put_attr(mask, type, m, len);
}

int
odp_key_close(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
	      struct ovsdp_buf *key, struct ovsdp_buf *mask, const void *k, const void *m)
{
	odp_put_pair(key, mask, type, k, m, (size_t)c->len);
	return odp_lex_expect(lx, c->name, ')');
}

int
odp_key_format_struct(const struct odp_key_fmt *f)
{
	const struct odp_key_codec *d = f->codec;
	int r;

	for (size_t i = 0; i < d->n_fields; i++) {
		const struct odp_field *fl = &d->fields[i];

		r = odp_put_field(f->out, d->name, fl->name, fl->kind, f->a->data + fl->off,
				  f->m ? f->m + fl->off : NULL, f->verbose, f->error);
		if (r)
			return r;
	}
	odp_chomp(f->out, ',');
	return 0;
}

struct struct_parse {
	const struct odp_key_codec *d;
	uint8_t k[64], m[64];
	uint32_t seen;
};

static int
struct_field(struct odp_lexer *lx, const char *name, size_t n, void *arg)
{
	struct struct_parse *sp = arg;
	const struct odp_key_codec *d = sp->d;
	const struct odp_field *f = NULL;
	size_t i;

	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (odp_field_is(name, n, f->name) || (f->alias && odp_field_is(name, n, f->alias)))
			break;
	}
	if (i == d->n_fields)
		return odp_unknown_field(lx, d->name, name, n);
	if (sp->seen & (1u << i))
		return odp_lex_fail(lx, name, "%s: duplicate field '%s'", d->name, f->name);
	sp->seen |= 1u << i;
	return odp_parse_field(lx, d->name, f->name, f->kind, sp->k + f->off, sp->m + f->off);
}

int
odp_key_parse_struct(struct odp_lexer *lx, const struct odp_key_codec *d, uint16_t type,
		     struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	struct struct_parse sp = { .d = d };
	int r;

	if ((r = odp_lex_fields(lx, d->name, struct_field, &sp)))
		return r;
	odp_put_pair(key, mask, type, sp.k, sp.m, (size_t)d->len);
	return 0;
}

int
odp_key_format_u32x(const struct odp_key_fmt *f)
{
	g_string_append_printf(f->out, "%#x", odp_get_u32(f->a->data));
	if (!f->exact)
		g_string_append_printf(f->out, "/%#x", odp_get_u32(f->m));
	return 0;
}

int
odp_key_close_be16(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		   struct ovsdp_buf *key, struct ovsdp_buf *mask, uint64_t v, uint64_t mv)
{
	uint8_t k[2], m[2];

	odp_store_be16(k, v);
	odp_store_be16(m, mv);
	return odp_key_close(lx, c, type, key, mask, k, m);
}

int
odp_key_parse_uint(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		   struct ovsdp_buf *key, struct ovsdp_buf *mask)
{
	uint64_t v, mv;
	uint32_t k32, m32;
	uint16_t k16, m16;
	int r;

	if ((r = odp_lex_uint_masked(lx, c->name, NULL, c->len == 2 ? UINT16_MAX : UINT32_MAX, &v, &mv)))
		return r;
	if (c->len == 2) {
		k16 = (uint16_t)v;
		m16 = (uint16_t)mv;
		return odp_key_close(lx, c, type, key, mask, &k16, &m16);
	}
	k32 = (uint32_t)v;
	m32 = (uint32_t)mv;
	return odp_key_close(lx, c, type, key, mask, &k32, &m32);
}

bool
odp_mask_never(const uint8_t *m, size_t len, uint8_t byte)
{
	(void)m;
	(void)len;
	(void)byte;
	return false;
}

/* ---- Types without a name ------------------------------------------------ */

/* ovs-dpctl prints an attribute it has no name for as "keyN(bytes)", or
 * "keyN(bytes/mask bytes)" when masked, each byte as two hex digits and a
 * space between bytes; ovsdp reads that back to the same bytes. */
void
odp_put_generic(GString *out, uint16_t type, const uint8_t *k, size_t klen, const uint8_t *m,
		size_t mlen, bool show_mask)
{
	g_string_append_printf(out, "key%u(", type);
	for (size_t i = 0; i < klen; i++)
		g_string_append_printf(out, i ? " %02x" : "%02x", k[i]);
	if (show_mask) {
		g_string_append_c(out, '/');
		/* m NULL: the all-wildcard mask, as long as the key. */
		for (size_t i = 0; i < (m ? mlen : klen); i++)
			g_string_append_printf(out, i ? " %02x" : "%02x", m ? m[i] : 0);
	}
	g_string_append_c(out, ')');
}

/* Whether the name at 'at' (n characters) is "keyN" with N a type number
 * written without leading odp_zeros. */
bool
odp_generic_type(const char *at, size_t n, uint16_t *type)
{
	unsigned v = 0;

	if (n < 4 || memcmp(at, "key", 3) || (at[3] == '0' && n > 4))
		return false;
	for (size_t i = 3; i < n; i++) {
		if (at[i] < '0' || at[i] > '9')
			return false;
		v = v * 10 + (unsigned)(at[i] - '0');
		if (v > 0x3fff)         /* nla_type has 14 bits for the type */
			return false;
	}
	*type = (uint16_t)v;
	return true;
}

/* After "keyN(": "bytes[/bytes])"; a missing mask is exact (all ones). */
int
odp_parse_generic_body(struct odp_lexer *lx, const char *ctx, uint16_t type, struct ovsdp_buf *key,
		       struct ovsdp_buf *mask)
{
	g_autoptr(GByteArray) k = g_byte_array_new();
	g_autoptr(GByteArray) m = g_byte_array_new();
	const char *at;
	int r;

	if ((r = odp_lex_hex_bytes(lx, ctx, k)))
		return r;
	at = lx->p;
	if (*lx->p == '/') {
		lx->p++;
		if ((r = odp_lex_hex_bytes(lx, ctx, m)))
			return r;
		if (m->len != k->len)
			return odp_lex_fail(lx, at + 1, "%s: key%u: mask is %u bytes, the value %u",
					    ctx, type, m->len, k->len);
	} else {
		g_byte_array_set_size(m, k->len);
		if (k->len)
			memset(m->data, 0xff, k->len);
	}
	if ((r = odp_lex_expect(lx, ctx, ')')))
		return r;
	ovsdp_buf_put_attr(key, type, k->data, k->len);
	if (mask)
		ovsdp_buf_put_attr(mask, type, m->data, m->len);
	return 0;
}
