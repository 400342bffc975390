/* odp-act-common.c: what the action families share: the reader of a
 * nested action's sub-attributes, the key inside set() and push_nsh(), the
 * "(N)" argument, hex blobs and the actions that are only a name. */
#include "config.h"

#include <string.h>

#include "odp/odp-private.h"

int
odp_act_collect(const struct odp_attr *a, const char *ctx, const int *lens, size_t n_lens,
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

int
odp_act_single_key(const struct odp_attr *a, const char *ctx, struct odp_attr *k, GError **error)
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

int
odp_act_parse_u32_arg(struct odp_lexer *lx, const char *ctx, const char *field, uint32_t *v)
{
	uint64_t x;
	int r;

	if ((r = odp_lex_expect(lx, ctx, '(')) || (r = odp_lex_uint(lx, ctx, field, UINT32_MAX, &x)))
		return r;
	*v = (uint32_t)x;
	return odp_lex_expect(lx, ctx, ')');
}

/* As ds_put_hex writes one. */
int
odp_lex_hex_blob(struct odp_lexer *lx, const char *ctx, const char *field, size_t max,
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

int
odp_act_format_flag(const struct odp_act_fmt *f)
{
	g_string_append(f->out, f->codec->name);
	return 0;
}

int
odp_act_parse_flag(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		   struct ovsdp_buf *b)
{
	ovsdp_buf_put_flag(b, type);
	return 0;
}

