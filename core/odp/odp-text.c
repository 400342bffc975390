/* odp-text.c: the pieces the key and action codecs share: a bounds-checked
 * walk over netlink attribute lists, the attribute writers they add to
 * ovsdp_buf, and the lexer and printers of the ovs-dpctl text syntax. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include "odp/odp-private.h"

int
odp_fail(GError **error, const char *fmt, ...)
{
	va_list ap;

	if (error) {
		va_start(ap, fmt);
		*error = g_error_new_valist(OVSDP_ERROR, EINVAL, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- Reading attribute buffers ---------------------------------------- */

void
odp_iter_init(struct odp_iter *it, const void *buf, size_t len, const char *what)
{
	it->buf = buf;
	it->len = buf ? len : 0;
	it->off = 0;
	it->what = what;
}

int
odp_iter_next(struct odp_iter *it, struct odp_attr *a, GError **error)
{
	struct nlattr hdr;
	size_t left, step;

	if (it->off >= it->len)
		return 0;
	left = it->len - it->off;
	if (left < NLA_HDRLEN)
		return odp_fail(error, "%s: truncated attribute header at offset %zu (%zu bytes left)",
				it->what, it->off, left);
	/* Callers' buffers need not be aligned: copy the header out. */
	memcpy(&hdr, it->buf + it->off, sizeof hdr);
	if (hdr.nla_len < NLA_HDRLEN)
		return odp_fail(error, "%s: attribute at offset %zu has bad length %u",
				it->what, it->off, (unsigned)hdr.nla_len);
	if (hdr.nla_len > left)
		return odp_fail(error, "%s: attribute at offset %zu (type %u) has length %u but only %zu bytes are left",
				it->what, it->off, (unsigned)(hdr.nla_type & NLA_TYPE_MASK),
				(unsigned)hdr.nla_len, left);
	a->type = hdr.nla_type & NLA_TYPE_MASK;
	a->data = it->buf + it->off + NLA_HDRLEN;
	a->len = hdr.nla_len - NLA_HDRLEN;
	/* The last attribute may lack its padding. */
	step = NLA_ALIGN(hdr.nla_len);
	it->off = step < left ? it->off + step : it->len;
	return 1;
}

int
odp_list_check(const void *buf, size_t len, const char *what, GError **error)
{
	struct odp_iter it;
	struct odp_attr a;
	int r;

	odp_iter_init(&it, buf, len, what);
	while ((r = odp_iter_next(&it, &a, error)) > 0)
		;
	return r;
}

bool
odp_list_find(const void *buf, size_t len, uint16_t type, struct odp_attr *out)
{
	struct odp_iter it;
	struct odp_attr a;

	odp_iter_init(&it, buf, len, "");
	while (odp_iter_next(&it, &a, NULL) > 0) {
		if (a.type == type) {
			*out = a;
			return true;
		}
	}
	return false;
}

uint16_t
odp_get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

uint32_t
odp_get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

uint16_t
odp_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
odp_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t
odp_get_be64(const uint8_t *p)
{
	return (uint64_t)odp_get_be32(p) << 32 | odp_get_be32(p + 4);
}

bool
odp_all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* ---- Writing attributes ------------------------------------------------ */

int
odp_nest_end(struct ovsdp_buf *b, size_t cookie, const char *what, GError **error)
{
	if (b->len - cookie > UINT16_MAX)
		return odp_fail(error, "%s: %zu bytes do not fit in one netlink attribute",
				what, b->len - cookie);
	ovsdp_buf_nest_end(b, cookie);
	return 0;
}

void
odp_put_be16(struct ovsdp_buf *b, uint16_t type, uint16_t host)
{
	uint8_t v[2] = { (uint8_t)(host >> 8), (uint8_t)host };

	ovsdp_buf_put_attr(b, type, v, sizeof v);
}

void
odp_put_be32(struct ovsdp_buf *b, uint16_t type, uint32_t host)
{
	uint32_t v = htonl(host);

	ovsdp_buf_put_attr(b, type, &v, sizeof v);
}

void
odp_put_be64(struct ovsdp_buf *b, uint16_t type, uint64_t host)
{
	uint8_t v[8];

	for (int i = 0; i < 8; i++)
		v[i] = (uint8_t)(host >> (56 - 8 * i));
	ovsdp_buf_put_attr(b, type, v, sizeof v);
}

/* ---- Text output -------------------------------------------------------- */

void
odp_put_mac(GString *s, const uint8_t mac[6])
{
	g_string_append_printf(s, "%02x:%02x:%02x:%02x:%02x:%02x",
			       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void
odp_put_ipv4(GString *s, const uint8_t be[4])
{
	g_string_append_printf(s, "%u.%u.%u.%u", be[0], be[1], be[2], be[3]);
}

void
odp_put_ipv6(GString *s, const uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN];

	/* Same text as OVS, which prints through inet_ntop() too. */
	if (inet_ntop(AF_INET6, addr, buf, sizeof buf))
		g_string_append(s, buf);
}

void
odp_put_hex_trimmed(GString *s, const uint8_t *p, size_t n)
{
	bool printed = false;

	for (size_t i = 0; i < n; i++) {
		if (!p[i] && !printed)
			continue;
		g_string_append_printf(s, printed ? "%02x" : "0x%x", p[i]);
		printed = true;
	}
	if (!printed)
		g_string_append_c(s, '0');
}

static const char *
flag_name(const struct odp_flag_name *names, uint32_t bit)
{
	for (; names->name; names++)
		if (names->bit == bit)
			return names->name;
	return NULL;
}

void
odp_put_flags(GString *s, const struct odp_flag_name *names, uint32_t flags, char del)
{
	uint32_t unnamed = 0;

	if (!flags) {
		g_string_append_c(s, '0');
		return;
	}
	while (flags) {
		uint32_t bit = flags & -flags;
		const char *name = flag_name(names, bit);

		if (name)
			g_string_append_printf(s, "%s%c", name, del);
		else
			unnamed |= bit;
		flags &= ~bit;
	}
	if (unnamed)
		g_string_append_printf(s, "0x%" G_GINT32_MODIFIER "x%c", unnamed, del);
	odp_chomp(s, del);
}

void
odp_put_flags_masked(GString *s, const struct odp_flag_name *names, uint32_t flags,
		     uint32_t mask, uint32_t max)
{
	if (mask == max) {
		odp_put_flags(s, names, flags, '|');
		return;
	}
	if (!mask) {
		g_string_append(s, "0/0");
		return;
	}
	for (uint32_t rest = mask; rest; rest &= rest - 1) {
		if (!flag_name(names, rest & -rest)) {
			/* Open vSwitch writes "[Unknown]", which nothing parses. */
			g_string_append_printf(s, "%#x/%#x", flags, mask);
			return;
		}
	}
	while (mask) {
		uint32_t bit = mask & -mask;

		g_string_append_c(s, flags & bit ? '+' : '-');
		g_string_append(s, flag_name(names, bit));
		mask &= ~bit;
	}
}

static void
u128_swap(uint8_t out[16], const uint8_t in[16])
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (int i = 0; i < 16; i++)
		out[i] = in[15 - i];
#else
	memcpy(out, in, 16);
#endif
}

void
odp_put_u128(GString *s, const uint8_t v[16])
{
	uint8_t be[16];

	u128_swap(be, v);
	odp_put_hex_trimmed(s, be, sizeof be);
}

void
odp_chomp(GString *s, char c)
{
	if (s->len && s->str[s->len - 1] == c)
		g_string_truncate(s, s->len - 1);
}

/* ---- Text input --------------------------------------------------------- */

int
odp_lex_fail(struct odp_lexer *lx, const char *at, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	if (!lx->error)
		return -EINVAL;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(lx->error, OVSDP_ERROR, EINVAL, "%s at column %zu", msg,
		    (size_t)(at - lx->text) + 1);
	return -EINVAL;
}

bool
odp_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t
odp_token_len(const char *s)
{
	size_t n = 0;

	while (s[n] && !strchr(",(){}/", s[n]) && !odp_is_space(s[n]))
		n++;
	return n;
}

size_t
odp_ident_len(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
		n++;
	return n;
}

void
odp_lex_skip_space(struct odp_lexer *lx)
{
	while (odp_is_space(*lx->p))
		lx->p++;
}

bool
odp_lex_word(struct odp_lexer *lx, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(lx->p, word, n) || odp_ident_len(lx->p) != n)
		return false;
	lx->p += n;
	return true;
}

int
odp_lex_expect(struct odp_lexer *lx, const char *ctx, char c)
{
	if (*lx->p == c) {
		lx->p++;
		return 0;
	}
	if (!*lx->p && c == ')')
		return odp_lex_fail(lx, lx->p, "%s: missing ')'", ctx);
	return odp_lex_fail(lx, lx->p, "%s: expected '%c'", ctx, c);
}

int
odp_lex_list_next(struct odp_lexer *lx, const char *ctx)
{
	switch (*lx->p) {
	case ',':
		lx->p++;
		return 0;
	case ')':
		lx->p++;
		return 1;
	case '\0':
		return odp_lex_fail(lx, lx->p, "%s: missing ')'", ctx);
	default:
		return odp_lex_fail(lx, lx->p, "%s: expected ',' or ')'", ctx);
	}
}

int
odp_lex_field(struct odp_lexer *lx, const char *ctx, const char **name, size_t *len)
{
	size_t n = odp_ident_len(lx->p);

	if (!n) {
		if (!*lx->p)
			return odp_lex_fail(lx, lx->p, "%s: missing ')'", ctx);
		return odp_lex_fail(lx, lx->p, "%s: expected a field name", ctx);
	}
	*name = lx->p;
	*len = n;
	lx->p += n;
	if (*lx->p == '(')
		return 1;
	if (*lx->p != '=')
		return odp_lex_fail(lx, lx->p, "%s: expected '=' after '%.*s'", ctx, (int)n, *name);
	lx->p++;
	return 0;
}

static bool
parse_number(const char *s, size_t n, uint64_t *v)
{
	char buf[40];
	char *end;

	if (!n || n >= sizeof buf || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return !errno && end == buf + n;
}

int
odp_lex_uint(struct odp_lexer *lx, const char *ctx, const char *field, uint64_t max,
	     uint64_t *v)
{
	const char *at = lx->p;
	size_t n = odp_token_len(at);
	g_autofree char *of = field ? g_strdup_printf(" for '%s'", field) : g_strdup("");

	if (!n)
		return odp_lex_fail(lx, at, "%s: missing value%s", ctx, of);
	if (!parse_number(at, n, v))
		return odp_lex_fail(lx, at, "%s: bad number '%.*s'%s", ctx, (int)n, at, of);
	if (*v > max)
		return odp_lex_fail(lx, at, "%s: number '%.*s' is out of range%s (max %#" G_GINT64_MODIFIER "x)",
				    ctx, (int)n, at, of, max);
	lx->p += n;
	return 0;
}

int
odp_lex_uint_masked(struct odp_lexer *lx, const char *ctx, const char *field, uint64_t max,
		    uint64_t *v, uint64_t *m)
{
	int r = odp_lex_uint(lx, ctx, field, max, v);

	if (r)
		return r;
	*m = max;
	if (*lx->p == '/') {
		lx->p++;
		return odp_lex_uint(lx, ctx, field, max, m);
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
odp_lex_mac(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t mac[6])
{
	const char *at = lx->p;
	size_t n = odp_token_len(at), i = 0;

	for (int b = 0; b < 6; b++) {
		int digits = 0, v = 0;

		if (b) {
			if (i >= n || at[i] != ':')
				goto bad;
			i++;
		}
		while (i < n && digits < 2 && hexval(at[i]) >= 0) {
			v = v * 16 + hexval(at[i++]);
			digits++;
		}
		if (!digits)
			goto bad;
		mac[b] = (uint8_t)v;
	}
	if (i != n)
		goto bad;
	lx->p += n;
	return 0;
bad:
	return odp_lex_fail(lx, at, "%s: bad MAC address '%.*s' for '%s'", ctx, (int)n, at, field);
}

int
odp_lex_ipv4(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t be[4])
{
	const char *at = lx->p;
	size_t n = odp_token_len(at);
	char buf[INET_ADDRSTRLEN];

	if (!n || n >= sizeof buf)
		goto bad;
	memcpy(buf, at, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, be) != 1)
		goto bad;
	lx->p += n;
	return 0;
bad:
	return odp_lex_fail(lx, at, "%s: bad IPv4 address '%.*s' for '%s'", ctx, (int)n, at, field);
}

int
odp_lex_ipv6(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t addr[16])
{
	const char *at = lx->p;
	size_t n = odp_token_len(at);
	char buf[INET6_ADDRSTRLEN];

	if (!n || n >= sizeof buf)
		goto bad;
	memcpy(buf, at, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, addr) != 1)
		goto bad;
	lx->p += n;
	return 0;
bad:
	return odp_lex_fail(lx, at, "%s: bad IPv6 address '%.*s' for '%s'", ctx, (int)n, at, field);
}

int
odp_lex_u128(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t v[16])
{
	const char *at = lx->p;
	size_t n = odp_token_len(at);
	uint8_t be[16] = { 0 };
	g_autofree char *of = field ? g_strdup_printf(" for '%s'", field) : g_strdup("");

	if (!n)
		return odp_lex_fail(lx, at, "%s: missing value%s", ctx, of);
	if (n > 2 && at[0] == '0' && (at[1] == 'x' || at[1] == 'X')) {
		size_t digits = n - 2;

		if (digits > 32)
			return odp_lex_fail(lx, at, "%s: number '%.*s' is out of range%s (max 128 bits)",
					    ctx, (int)n, at, of);
		for (size_t i = 0; i < digits; i++) {
			int h = hexval(at[n - 1 - i]);

			if (h < 0)
				return odp_lex_fail(lx, at, "%s: bad number '%.*s'%s",
						    ctx, (int)n, at, of);
			be[15 - i / 2] |= (uint8_t)(i % 2 ? h << 4 : h);
		}
	} else {
		uint64_t x;

		if (!parse_number(at, n, &x))
			return odp_lex_fail(lx, at, "%s: bad number '%.*s'%s", ctx, (int)n, at, of);
		for (int i = 0; i < 8; i++)
			be[15 - i] = (uint8_t)(x >> (8 * i));
	}
	u128_swap(v, be);
	lx->p += n;
	return 0;
}

static bool
is_flag_char(char c)
{
	return c && !strchr("+-|()/,", c) && !odp_is_space(c);
}

static size_t
hex_number_len(const char *s)
{
	size_t n = 0;

	while (hexval(s[n]) >= 0 || s[n] == 'x' || s[n] == 'X')
		n++;
	return n;
}

static const struct odp_flag_name *
flag_lookup(const struct odp_flag_name *names, const char *s, size_t n)
{
	for (; names->name; names++)
		if (strlen(names->name) == n && !memcmp(names->name, s, n))
			return names;
	return NULL;
}

int
odp_lex_flags(struct odp_lexer *lx, const char *ctx, const struct odp_flag_name *names,
	      uint32_t allowed, uint32_t *flags, uint32_t *mask)
{
	const char *start = lx->p;
	uint64_t v, m;
	size_t n;

	/* "value/mask" in numbers. */
	n = hex_number_len(start);
	if (n && start[n] == '/') {
		const char *mat = start + n + 1;
		size_t mn = hex_number_len(mat);

		if (!parse_number(start, n, &v) || v > UINT32_MAX)
			return odp_lex_fail(lx, start, "%s: bad number '%.*s'", ctx, (int)n, start);
		if (!parse_number(mat, mn, &m) || m > UINT32_MAX)
			return odp_lex_fail(lx, mat, "%s: bad number '%.*s'", ctx,
					    (int)odp_token_len(mat), mat);
		if ((v | m) & ~(uint64_t)allowed)
			return odp_lex_fail(lx, start, "%s: unknown flags in '%.*s'", ctx,
					    (int)(n + 1 + mn), start);
		lx->p = mat + mn;
		*flags = (uint32_t)v;
		*mask = (uint32_t)m;
		return 0;
	}

	if (*start == '+' || *start == '-') {
		uint32_t f = 0, msk = 0;

		while (*lx->p != ')') {
			bool set = *lx->p == '+';
			const struct odp_flag_name *fl;
			const char *at;

			if (!*lx->p)
				return odp_lex_fail(lx, lx->p, "%s: missing ')'", ctx);
			if (*lx->p != '+' && *lx->p != '-')
				return odp_lex_fail(lx, lx->p, "%s: expected '+', '-' or ')'", ctx);
			at = ++lx->p;
			n = 0;
			while (is_flag_char(at[n]))
				n++;
			fl = flag_lookup(names, at, n);
			if (!fl || !(fl->bit & allowed))
				return odp_lex_fail(lx, at, "%s: unknown flag '%.*s'", ctx, (int)n, at);
			if (msk & fl->bit)
				return odp_lex_fail(lx, at, "%s: flag '%s' given twice", ctx, fl->name);
			msk |= fl->bit;
			if (set)
				f |= fl->bit;
			lx->p += n;
		}
		*flags = f;
		*mask = msk;
		return 0;
	}

	*flags = 0;
	while (*lx->p != ')') {
		const char *at = lx->p;

		if (!*at)
			return odp_lex_fail(lx, at, "%s: missing ')'", ctx);
		if (*at >= '0' && *at <= '9') {
			n = hex_number_len(at);
			if (!parse_number(at, n, &v) || v > UINT32_MAX)
				return odp_lex_fail(lx, at, "%s: bad number '%.*s'", ctx, (int)n, at);
			if (v & ~(uint64_t)allowed)
				return odp_lex_fail(lx, at, "%s: unknown flags in '%.*s'", ctx, (int)n, at);
			*flags |= (uint32_t)v;
		} else {
			const struct odp_flag_name *fl;

			n = 0;
			while (is_flag_char(at[n]))
				n++;
			fl = flag_lookup(names, at, n);
			if (!fl || !(fl->bit & allowed))
				return odp_lex_fail(lx, at, "%s: unknown flag '%.*s'", ctx,
						    (int)(n ? n : 1), at);
			*flags |= fl->bit;
		}
		lx->p += n;
		if (*lx->p == '|')
			lx->p++;
		else if (*lx->p && *lx->p != ')')
			return odp_lex_fail(lx, lx->p, "%s: expected '|' or ')'", ctx);
	}
	*mask = UINT32_MAX;
	return 0;
}

int
odp_lex_hex_bytes(struct odp_lexer *lx, const char *ctx, GByteArray *out)
{
	for (;;) {
		int hi, lo;
		uint8_t byte;

		while (*lx->p == ' ')
			lx->p++;
		if (!*lx->p || *lx->p == ')' || *lx->p == '/')
			return 0;
		hi = hexval(lx->p[0]);
		lo = hi >= 0 ? hexval(lx->p[1]) : -1;
		if (hi < 0 || lo < 0) {
			const char *bad = hi < 0 ? lx->p : lx->p + 1;

			if (!*bad || *bad == ')' || *bad == '/' || *bad == ' ')
				return odp_lex_fail(lx, lx->p, "%s: odd number of hex digits", ctx);
			return odp_lex_fail(lx, bad, "%s: bad hex digit '%c'", ctx, *bad);
		}
		byte = (uint8_t)(hi << 4 | lo);
		g_byte_array_append(out, &byte, 1);
		lx->p += 2;
	}
}

int
odp_lex_list(struct odp_lexer *lx, bool nested, const char *what,
	     int (*item)(struct odp_lexer *lx, void *arg), void *arg)
{
	for (;;) {
		size_t sep;
		int r;

		if (nested && *lx->p == ')') {
			lx->p++;
			return 0;
		}
		if (!*lx->p)
			return nested ? odp_lex_fail(lx, lx->p, "%s: missing ')'", what) : 0;
		if ((r = item(lx, arg)))
			return r;
		sep = strspn(lx->p, ODP_LIST_DELIMS);
		if (!sep && *lx->p && !(nested && *lx->p == ')')) {
			size_t n = odp_token_len(lx->p);

			return odp_lex_fail(lx, lx->p, "unexpected '%.*s'", (int)(n ? n : 1), lx->p);
		}
		lx->p += sep;
	}
}
