/* odp-private.h: what the ODP codec files need from each other: the key
 * and action list walkers (odp-key.c, odp-actions.c), the rows of the key
 * and action types their family files define (odp-key-*.c, odp-act-*.c),
 * the helpers those share (odp-field.c, odp-act-common.c) and the lexer,
 * printers and attribute walk under all of them (odp-text.c).  Not
 * installed. */
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
/* Items of a list separated by ',' or white space: what separates them. */
#define ODP_LIST_DELIMS ", \t\r\n"
/* The items of a list, each read by item(lx, arg), up to the end of the
 * text or, when nested, its ')' (consumed; "<what>: missing ')'" when the
 * text ends first); anything between items other than separators is an
 * error. */
int odp_lex_list(struct odp_lexer *lx, bool nested, const char *what,
		 int (*item)(struct odp_lexer *lx, void *arg), void *arg);
/* Pairs of hex digits, optionally separated by spaces, up to ')' or '/'. */
int odp_lex_hex_bytes(struct odp_lexer *lx, const char *ctx, GByteArray *out);

/* ---- Codec helpers shared by the key and action families ---------------- */

/* Big-endian stores of the low bytes of v. */
void odp_store_be16(uint8_t *p, uint64_t v);
void odp_store_be32(uint8_t *p, uint64_t v);
void odp_store_be64(uint8_t *p, uint64_t v);
/* The fields of a list "f1=v1,f2=v2)" after its '(', up to and including
 * the ')' (an empty list is just ")"): for each, 'field' gets the name
 * (its '=' consumed) and reads the value; a name followed by '(' is an
 * unknown field of ctx. */
int odp_lex_fields(struct odp_lexer *lx, const char *ctx,
		   int (*field)(struct odp_lexer *lx, const char *name, size_t n, void *arg),
		   void *arg);
/* Whether the n characters at name are 'want'. */
bool odp_field_is(const char *name, size_t n, const char *want);
/* "<ctx>: unknown field 'name'" at name. */
int odp_unknown_field(struct odp_lexer *lx, const char *ctx, const char *name, size_t n);

/* ---- Key codecs: one row per OVS_KEY_ATTR_* ------------------------------ */

/* Payload lengths other than a fixed one. */
#define ODP_LEN_NESTED (-1)
#define ODP_LEN_MPLS (-3)       /* 4, 8 or 12: one to three label stack entries */
#define ODP_MPLS_MAX_LABELS 3
#define ODP_IPV6_LABEL_MASK 0x000fffff

/* All zeros: the all-wildcard mask of any fixed key or tunnel option. */
extern const uint8_t odp_zeros[256];

enum odp_mask_mode {
	ODP_MASK_EXACT,         /* no mask: every field matches exactly */
	ODP_MASK_GIVEN,         /* data/len hold the mask attributes of this level */
	ODP_MASK_WILD,          /* everything at and below this level is wildcarded */
};

struct odp_mask_ref {
	enum odp_mask_mode mode;
	const uint8_t *data;
	size_t len;
};

/* How one field of a fixed struct prints and parses. */
enum odp_field_kind {
	ODP_FK_U8,              /* decimal */
	ODP_FK_U8X,             /* hex */
	ODP_FK_BE16,            /* decimal */
	ODP_FK_BE16X,           /* hex */
	ODP_FK_IPV4,
	ODP_FK_IPV6,
	ODP_FK_ETH,
	ODP_FK_FRAG,            /* no, first, later */
	ODP_FK_LABEL,           /* 20-bit IPv6 flow label, hex */
	ODP_FK_BE64,            /* tunnel id, hex */
};

struct odp_field {
	const char *name;
	const char *alias;      /* also accepted when parsing */
	uint8_t kind;           /* enum odp_field_kind */
	uint8_t off;
};

#define ODP_FIELD(name, kind, type, member) { name, NULL, kind, offsetof(type, member) }

struct odp_key_codec;
struct ovsdp_flow_fields;

/* What a key's format function gets. */
struct odp_key_fmt {
	GString *out;
	const struct odp_key_codec *codec;
	const struct odp_attr *a;
	const uint8_t *m;       /* fixed size: the mask payload (as long as the key), NULL: exact */
	struct odp_mask_ref mr; /* nested keys: their mask */
	bool exact;             /* fixed size: every meaningful mask bit is set */
	bool empty;             /* fixed size: the mask is all zeros */
	bool verbose;           /* print wildcarded fields too, as set() does */
	int depth;
	GError **error;
};

/* One key attribute type: its name, length and the rules that print it,
 * parse it and judge its mask.  core/odp/odp-key.c indexes the rows by type;
 * each family file (odp-key-l2.c, -l3.c, -ct.c, -tunnel.c, -mpls-nsh.c)
 * defines its own. */
struct odp_key_codec {
	const char *name;
	int len;                /* fixed payload length, ODP_LEN_NESTED or ODP_LEN_MPLS */
	/* The text between the parentheses. */
	int (*format)(const struct odp_key_fmt *f);
	/* After "name(": the body and the closing ')', into key and (when
	 * non-NULL) mask. */
	int (*parse)(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		     struct ovsdp_buf *key, struct ovsdp_buf *mask);
	/* Whether every meaningful bit of mask m equals 'byte' (0 or 0xff);
	 * NULL: every byte counts. */
	bool (*mask_is)(const uint8_t *m, size_t len, uint8_t byte);
	/* Checks of a nested payload beyond its framing (NULL: none). */
	int (*validate)(const struct odp_attr *a, int depth, GError **error);
	/* Its part of the quick view upcall handlers read
	 * (ovsdp_odp_key_fields), from a payload of the right length (NULL:
	 * none). */
	void (*flow_fields)(const uint8_t *p, struct ovsdp_flow_fields *out);
	const struct odp_field *fields; /* a fixed struct of plain fields */
	size_t n_fields;
	bool show_wild;         /* printed as "name()" even when wildcarded */
};

#define ODP_STRUCT_KEY(name_, type, fields_) \
	.name = name_, .len = sizeof(type), .format = odp_key_format_struct, \
	.parse = odp_key_parse_struct, .fields = fields_, .n_fields = G_N_ELEMENTS(fields_)

/* The rows, by family. */
extern const struct odp_key_codec odp_key_priority, odp_key_in_port, odp_key_skb_mark,
	odp_key_dp_hash, odp_key_recirc_id, odp_key_ethernet, odp_key_vlan, odp_key_ethertype;
extern const struct odp_key_codec odp_key_ipv4, odp_key_ipv6, odp_key_tcp, odp_key_udp,
	odp_key_sctp, odp_key_icmp, odp_key_icmpv6, odp_key_arp, odp_key_nd, odp_key_tcp_flags,
	odp_key_ipv6_exthdrs;
extern const struct odp_key_codec odp_key_ct_state, odp_key_ct_zone, odp_key_ct_mark,
	odp_key_ct_labels, odp_key_ct_tuple4, odp_key_ct_tuple6;
extern const struct odp_key_codec odp_key_tunnel;
extern const struct odp_key_codec odp_key_mpls, odp_key_nsh;

/* Fields (core/odp/odp-field.c). */
/* One "name=value[/mask]," ('m' NULL for exact); nothing when the field is
 * wildcarded and not verbose. */
int odp_put_field(GString *out, const char *ctx, const char *name, uint8_t kind,
		  const uint8_t *v, const uint8_t *m, bool verbose, GError **error);
/* value[/mask] of one field into k and m (each as wide as the field). */
int odp_parse_field(struct odp_lexer *lx, const char *ctx, const char *name, uint8_t kind,
		    uint8_t *k, uint8_t *m);
/* The row functions of a fixed struct of fields (ODP_STRUCT_KEY). */
int odp_key_format_struct(const struct odp_key_fmt *f);
int odp_key_parse_struct(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
			 struct ovsdp_buf *key, struct ovsdp_buf *mask);
/* A key and (when non-NULL) its mask attribute, both 'len' bytes. */
void odp_put_pair(struct ovsdp_buf *key, struct ovsdp_buf *mask, uint16_t type,
		  const void *k, const void *m, size_t len);
/* odp_put_pair() of the row's length, then the closing ')'. */
int odp_key_close(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		  struct ovsdp_buf *key, struct ovsdp_buf *mask, const void *k, const void *m);
/* odp_key_close() of a big-endian u16 value and mask. */
int odp_key_close_be16(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		       struct ovsdp_buf *key, struct ovsdp_buf *mask, uint64_t v, uint64_t mv);
/* Row functions shared by scalar keys: a host-order u32 ("%#x"), and the
 * parser of a host-order u16 or u32 (the row's length) value[/mask]. */
int odp_key_format_u32x(const struct odp_key_fmt *f);
int odp_key_parse_uint(struct odp_lexer *lx, const struct odp_key_codec *c, uint16_t type,
		       struct ovsdp_buf *key, struct ovsdp_buf *mask);

/* The parts of an MPLS label stack entry, as key and actions name them. */
struct odp_lse_part {
	const char *name;
	unsigned shift;
	uint32_t max;
};
extern const struct odp_lse_part odp_mpls_lse_parts[4];
/* A mask that never counts as exact nor as a wildcard. */
bool odp_mask_never(const uint8_t *m, size_t len, uint8_t byte);

/* Types without a name: "keyN(bytes[/bytes])", as ovs-dpctl prints them.
 * show_mask with m NULL prints the all-wildcard mask. */
void odp_put_generic(GString *out, uint16_t type, const uint8_t *k, size_t klen,
		     const uint8_t *m, size_t mlen, bool show_mask);
/* Whether the n characters at 'at' are "keyN", N without leading zeros. */
bool odp_generic_type(const char *at, size_t n, uint16_t *type);
/* After "keyN(": "bytes[/bytes])"; a missing mask is exact. */
int odp_parse_generic_body(struct odp_lexer *lx, const char *ctx, uint16_t type,
			   struct ovsdp_buf *key, struct ovsdp_buf *mask);

/* ---- Action codecs: one row per OVS_ACTION_ATTR_* ----------------------- */

#define ODP_LEN_VAR (-1)

struct odp_act_codec;

/* What an action's format function gets: a payload of the row's length. */
struct odp_act_fmt {
	GString *out;
	const struct odp_act_codec *codec;
	const struct odp_attr *a;
	int depth;              /* of the list holding the action */
	GError **error;
};

/* One action type: its name, length and the rules that print and parse
 * it.  core/odp/odp-actions.c indexes the rows by type and defines those of
 * output, set() and the actions holding action lists; each family file
 * (odp-act-control.c, odp-act-ct.c, odp-act-encap.c) defines its own. */
struct odp_act_codec {
	const char *name;
	int len;                /* fixed payload length or ODP_LEN_VAR */
	bool nests;             /* holds action lists: depth-limited both ways */
	const char *arg;        /* one-number actions: the number's name in errors */
	int (*format)(const struct odp_act_fmt *f);
	/* After the name: the rest of the action, into b; NULL for a type
	 * never written by its name (output is a number, set_masked reads
	 * as set). */
	int (*parse)(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		     struct ovsdp_buf *b);
};

/* The rows, by family. */
extern const struct odp_act_codec odp_act_output, odp_act_set, odp_act_set_masked;
extern const struct odp_act_codec odp_act_userspace, odp_act_sample, odp_act_clone,
	odp_act_check_pkt_len, odp_act_dec_ttl, odp_act_psample, odp_act_recirc, odp_act_hash,
	odp_act_meter, odp_act_trunc, odp_act_drop;
extern const struct odp_act_codec odp_act_ct, odp_act_ct_clear;
extern const struct odp_act_codec odp_act_push_vlan, odp_act_pop_vlan, odp_act_push_eth,
	odp_act_pop_eth, odp_act_push_mpls, odp_act_pop_mpls, odp_act_add_mpls, odp_act_push_nsh,
	odp_act_pop_nsh;

/* Helpers of the action families (core/odp/odp-act-common.c). */
/* Sub-attributes of a nested action into out[type]: lens[type] is the
 * fixed length of each type (-1 for any) or -2 for a type the action does
 * not have. */
int odp_act_collect(const struct odp_attr *a, const char *ctx, const int *lens, size_t n_lens,
		    struct odp_attr *out, GError **error);
/* The single key attribute inside set(), set_masked() and push_nsh(). */
int odp_act_single_key(const struct odp_attr *a, const char *ctx, struct odp_attr *k,
		       GError **error);
/* "(N)" after an action's name. */
int odp_act_parse_u32_arg(struct odp_lexer *lx, const char *ctx, const char *field,
			  uint32_t *v);
/* A flag action (no payload), by its name both ways. */
int odp_act_format_flag(const struct odp_act_fmt *f);
int odp_act_parse_flag(struct odp_lexer *lx, const struct odp_act_codec *c, uint16_t type,
		       struct ovsdp_buf *b);
/* A hex number of up to 'max' bytes ("0x..."), stored big-endian in as
 * few whole bytes as hold it. */
int odp_lex_hex_blob(struct odp_lexer *lx, const char *ctx, const char *field, size_t max,
		     GByteArray *out);

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
