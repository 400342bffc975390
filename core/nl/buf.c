/* buf.c: the growable byte buffer behind struct ovsdp_buf, and the netlink
 * attribute writer the codecs use to build keys, masks and actions. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/netlink.h>

#include "ovsdp/common.h"

OVSDP_EXPORT GQuark
ovsdp_error_quark(void)
{
	return g_quark_from_static_string("ovsdp-error-quark");
}

OVSDP_EXPORT void
ovsdp_buf_init(struct ovsdp_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

OVSDP_EXPORT void
ovsdp_buf_clear(struct ovsdp_buf *b)
{
	g_free(b->data);
	ovsdp_buf_init(b);
}

static void
reserve(struct ovsdp_buf *b, size_t extra)
{
	size_t want = b->len + extra;
	size_t cap = b->cap ? b->cap : 64;

	if (want <= b->cap)
		return;
	while (cap < want)
		cap *= 2;
	b->data = g_realloc(b->data, cap);
	b->cap = cap;
}

OVSDP_EXPORT size_t
ovsdp_buf_put(struct ovsdp_buf *b, const void *data, size_t len)
{
	size_t off = b->len;

	reserve(b, len);
	if (data)
		memcpy(b->data + off, data, len);
	else if (len)
		memset(b->data + off, 0, len);
	b->len += len;
	return off;
}

OVSDP_EXPORT size_t
ovsdp_buf_put_attr(struct ovsdp_buf *b, uint16_t type, const void *payload, size_t len)
{
	struct nlattr nla = { .nla_type = type };
	size_t off;

	/* nla_len is 16 bits: a longer attribute would be written with a
	 * wrapped length that the kernel reads as a different message. */
	if (len > OVSDP_ATTR_PAYLOAD_MAX)
		return OVSDP_BUF_TOO_BIG;
	nla.nla_len = (uint16_t)(NLA_HDRLEN + len);
	off = ovsdp_buf_put(b, &nla, sizeof nla);

	ovsdp_buf_put(b, payload, len);
	ovsdp_buf_put(b, NULL, NLA_ALIGN(len) - len);
	return off;
}

/* The fixed-size integer attributes: one body for the four exported
 * writers (each a function of its own, typed, in the ABI record). */
#define OVSDP_BUF_PUT_INT(suffix, ctype)                                        \
	OVSDP_EXPORT size_t                                                     \
	ovsdp_buf_put_##suffix(struct ovsdp_buf *b, uint16_t type, ctype v)     \
	{                                                                       \
		return ovsdp_buf_put_attr(b, type, &v, sizeof v);               \
	}

OVSDP_BUF_PUT_INT(u8, uint8_t)
OVSDP_BUF_PUT_INT(u16, uint16_t)
OVSDP_BUF_PUT_INT(u32, uint32_t)
OVSDP_BUF_PUT_INT(u64, uint64_t)

OVSDP_EXPORT size_t
ovsdp_buf_put_flag(struct ovsdp_buf *b, uint16_t type)
{
	return ovsdp_buf_put_attr(b, type, NULL, 0);
}

OVSDP_EXPORT size_t
ovsdp_buf_nest_start(struct ovsdp_buf *b, uint16_t type)
{
	return ovsdp_buf_put_attr(b, type, NULL, 0);
}

OVSDP_EXPORT int
ovsdp_buf_nest_end(struct ovsdp_buf *b, size_t cookie)
{
	struct nlattr *nla;

	if (cookie > b->len || b->len - cookie < NLA_HDRLEN)
		return -EINVAL;
	if (b->len - cookie > UINT16_MAX) {
		b->len = cookie;
		return -EMSGSIZE;
	}
	nla = (struct nlattr *)(b->data + cookie);
	nla->nla_len = (uint16_t)(b->len - cookie);
	return 0;
}
