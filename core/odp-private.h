/* odp-private.h: what the key codec (odp-key.c), the action codec
 * (odp-actions.c) and their shared lexer and printers (odp-text.c) need from
 * each other.  Not installed. */
#ifndef OVSDP_ODP_PRIVATE_H
#define OVSDP_ODP_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "ovsdp/common.h"

/* Deepest nesting of encap(), sample(), clone()... accepted in either
 * direction: deep enough for any real flow, shallow enough that hostile
 * input cannot exhaust the stack. */
#define ODP_MAX_DEPTH 16

/* What ovsdp_odp_key_to_string() and ovsdp_odp_actions_to_string() do,
 * appending to a GString (left as it was on failure): the public
 * functions return a string of their own instead. */
int odp_key_format(const void *key, size_t key_len, const void *mask, size_t mask_len,
		   GString *out, GError **error);
int odp_actions_format(const void *actions, size_t len, GString *out, GError **error);

/* Set an EINVAL error in the OVSDP_ERROR domain; returns -EINVAL. */
int odp_fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- Reading attribute buffers ---------------------------------------- */

/* One attribute, located but not yet trusted beyond its own bounds. */
struct odp_attr {
	uint16_t type;          /* without NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	const uint8_t *data;    /* payload */
	size_t len;             /* payload length */
};

struct odp_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
	const char *what;       /* names the list in error messages */
};

void odp_iter_init(struct odp_iter *it, const void *buf, size_t len, const char *what);
/* 1 and *a filled, 0 at the end, or -EINVAL for a truncated header, a bad
 * or overrunning nla_len. */
int odp_iter_next(struct odp_iter *it, struct odp_attr *a, GError **error);
/* Walk a whole list once, to reject malformed framing up front. */
int odp_list_check(const void *buf, size_t len, const char *what, GError **error);
/* First attribute of 'type' in a list already checked with odp_list_check(). */
bool odp_list_find(const void *buf, size_t len, uint16_t type, struct odp_attr *out);

uint16_t odp_get_u16(const uint8_t *p);
uint32_t odp_get_u32(const uint8_t *p);
uint16_t odp_get_be16(const uint8_t *p);
uint32_t odp_get_be32(const uint8_t *p);
uint64_t odp_get_be64(const uint8_t *p);
bool odp_all_bytes(const uint8_t *p, size_t n, uint8_t v);

/* ---- Writing attributes ------------------------------------------------ */

/* Close a nest opened with ovsdp_buf_nest_start(); fails when the nest no
 * longer fits nla_len. */
int odp_nest_end(struct ovsdp_buf *b, size_t cookie, const char *what, GError **error);
void odp_put_be16(struct ovsdp_buf *b, uint16_t type, uint16_t host);
void odp_put_be32(struct ovsdp_buf *b, uint16_t type, uint32_t host);
void odp_put_be64(struct ovsdp_buf *b, uint16_t type, uint64_t host);

/* ---- Text output -------------------------------------------------------- */

struct odp_flag_name {
	uint32_t bit;
	const char *name;
};

void odp_put_mac(GString *s, const uint8_t mac[6]);
void odp_put_ipv4(GString *s, const uint8_t be[4]);
void odp_put_ipv6(GString *s, const uint8_t addr[16]);
/* "0x" and the big-endian bytes without leading zeros, or "0". */
void odp_put_hex_trimmed(GString *s, const uint8_t *p, size_t n);
/* Names joined by 'del' (unnamed bits as one hex number), "0" for none. */
void odp_put_flags(GString *s, const struct odp_flag_name *names, uint32_t flags, char del);
/* "+name-name..." over the bits of mask; "0/0" for an empty mask; the
 * unmasked form when mask == max. */
void odp_put_flags_masked(GString *s, const struct odp_flag_name *names, uint32_t flags,
			  uint32_t mask, uint32_t max);
/* A 128-bit value held in host order in memory (ct labels), as hex. */
void odp_put_u128(GString *s, const uint8_t v[16]);
/* Drop one trailing 'c', if present. */
void odp_chomp(GString *s, char c);

/* ---- Text input --------------------------------------------------------- */

struct odp_lexer {
	const char *text;       /* the whole input, for columns */
	const char *p;
	GError **error;
	int depth;
};

/* Error "<message> at column N" where N is the 1-based column of 'at'. */
int odp_lex_fail(struct odp_lexer *lx, const char *at, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Length of the token at s: up to one of ",(){}/" or white space. */
size_t odp_token_len(const char *s);
/* Length of a lower-case identifier ([a-z0-9_]) at s. */
size_t odp_ident_len(const char *s);
bool odp_is_space(char c);
void odp_lex_skip_space(struct odp_lexer *lx);
/* Consume 'word' when it is followed by something other than an
 * identifier character. */
bool odp_lex_word(struct odp_lexer *lx, const char *word);
/* Consume c or fail with "<ctx>: expected 'c'" ("missing ')'" at the end). */
int odp_lex_expect(struct odp_lexer *lx, const char *ctx, char c);
/* After a field of a list: consume ',' (returns 0, more follows) or ')'
 * (returns 1, list done); anything else is an error. */
int odp_lex_list_next(struct odp_lexer *lx, const char *ctx);
/* Read the "name=" of the next field into name/len (the '=' consumed). */
int odp_lex_field(struct odp_lexer *lx, const char *ctx, const char **name, size_t *len);

/* An unsigned number (decimal, 0x hex or 0 octal, like scanf's %i) no
 * larger than max. */
int odp_lex_uint(struct odp_lexer *lx, const char *ctx, const char *field, uint64_t max,
		 uint64_t *v);
/* value[/mask]; a missing mask is 'max'. */
int odp_lex_uint_masked(struct odp_lexer *lx, const char *ctx, const char *field,
			uint64_t max, uint64_t *v, uint64_t *m);
int odp_lex_mac(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t mac[6]);
int odp_lex_ipv4(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t be[4]);
int odp_lex_ipv6(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t addr[16]);
/* A 128-bit number (0x hex up to 32 digits, or decimal up to 2^64-1)
 * stored in host order like ct labels. */
int odp_lex_u128(struct odp_lexer *lx, const char *ctx, const char *field, uint8_t v[16]);
/* Flags up to (not including) ')': "a|b|0x4", "+a-b" or "value/mask". */
int odp_lex_flags(struct odp_lexer *lx, const char *ctx, const struct odp_flag_name *names,
		  uint32_t allowed, uint32_t *flags, uint32_t *mask);
/* Pairs of hex digits, optionally separated by spaces, up to ')' or '/'. */
int odp_lex_hex_bytes(struct odp_lexer *lx, const char *ctx, GByteArray *out);

/* ---- Keys, for the action codec --------------------------------------- */

/* Parse one key attribute ("ipv4(...)") into key and (when non-NULL) mask;
 * 'seen' (may be NULL) tracks duplicates within one list.  Returns 0 or
 * -EINVAL. */
int odp_key_parse_attr(struct odp_lexer *lx, struct ovsdp_buf *key, struct ovsdp_buf *mask,
		       uint64_t *seen);
/* Format one key attribute, name included.  'mask' NULL means exact;
 * 'verbose' prints fields even when fully wildcarded, as set() does. */
int odp_key_format_attr(GString *out, const struct odp_attr *a, const struct odp_attr *mask,
			bool verbose, GError **error);
/* Name of a key type, or NULL when unknown. */
const char *odp_key_name(uint16_t type);
/* The fixed payload length of a key type; -1 when variable or nested,
 * -2 when unknown. */
int odp_key_len(uint16_t type);

#endif
