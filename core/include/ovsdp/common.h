/* ovsdp/common.h: conventions shared by every public header of libovsdp:
 * export marker, error domain and the growable byte buffer the codecs fill. */
#ifndef OVSDP_COMMON_H
#define OVSDP_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define OVSDP_EXPORT __attribute__((visibility("default")))
#else
#define OVSDP_EXPORT
#endif

#define OVSDP_VERSION_MAJOR 1

/* Errors reported through GError use this domain; the code is a positive
 * errno value (EINVAL, ENODEV, EOPNOTSUPP...), the message is for people. */
#define OVSDP_ERROR (ovsdp_error_quark())
OVSDP_EXPORT GQuark ovsdp_error_quark(void);

/* A growable byte buffer.  The codecs append netlink attributes to it.
 * Initialise with OVSDP_BUF_INIT or ovsdp_buf_init(); release with
 * ovsdp_buf_clear().  'data' may move when the buffer grows, so keep
 * offsets, not pointers, across appends. */
struct ovsdp_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};
#define OVSDP_BUF_INIT { NULL, 0, 0 }

/* Initialise an empty buffer. */
OVSDP_EXPORT void ovsdp_buf_init(struct ovsdp_buf *b);
/* Free the storage and leave an empty buffer. */
OVSDP_EXPORT void ovsdp_buf_clear(struct ovsdp_buf *b);
/* Append len bytes (zeroed when data is NULL); returns the offset of the copy. */
OVSDP_EXPORT size_t ovsdp_buf_put(struct ovsdp_buf *b, const void *data, size_t len);
/* The largest payload one netlink attribute can hold: its length, header
 * included, is 16 bits. */
#define OVSDP_ATTR_PAYLOAD_MAX (UINT16_MAX - 4)
/* What ovsdp_buf_put_attr() and its shorthands return for an attribute they
 * refuse (nothing is appended). */
#define OVSDP_BUF_TOO_BIG SIZE_MAX
/* Append a netlink attribute of the given type and payload, padded to 4 bytes.
 * Returns the offset of the attribute header, or OVSDP_BUF_TOO_BIG (and
 * appends nothing) when len is over OVSDP_ATTR_PAYLOAD_MAX. */
OVSDP_EXPORT size_t ovsdp_buf_put_attr(struct ovsdp_buf *b, uint16_t type,
				       const void *payload, size_t len);
/* Typed shorthands for ovsdp_buf_put_attr(). */
OVSDP_EXPORT size_t ovsdp_buf_put_u8(struct ovsdp_buf *b, uint16_t type, uint8_t v);
OVSDP_EXPORT size_t ovsdp_buf_put_u16(struct ovsdp_buf *b, uint16_t type, uint16_t v);
OVSDP_EXPORT size_t ovsdp_buf_put_u32(struct ovsdp_buf *b, uint16_t type, uint32_t v);
OVSDP_EXPORT size_t ovsdp_buf_put_u64(struct ovsdp_buf *b, uint16_t type, uint64_t v);
OVSDP_EXPORT size_t ovsdp_buf_put_flag(struct ovsdp_buf *b, uint16_t type);
/* Open a nested attribute; returns a cookie for ovsdp_buf_nest_end(). */
OVSDP_EXPORT size_t ovsdp_buf_nest_start(struct ovsdp_buf *b, uint16_t type);
/* Close the nest opened at 'cookie', fixing its length.  Returns 0, or
 * -EMSGSIZE when the nest has grown past what one attribute can hold (over
 * UINT16_MAX bytes, header included): the whole nest is then removed from
 * the buffer.  -EINVAL when 'cookie' is not inside the buffer. */
OVSDP_EXPORT int ovsdp_buf_nest_end(struct ovsdp_buf *b, size_t cookie);

#ifdef __cplusplus
}
#endif
#endif
