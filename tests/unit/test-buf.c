/* test-buf.c: the attribute writer lays out netlink attributes exactly as
 * the kernel parses them: lengths, 4-byte padding, nesting. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <check.h>
#include <linux/netlink.h>

#include "ovsdp/common.h"
#include "tsuite.h"

START_TEST(attr_padding)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	const struct nlattr *a;

	ovsdp_buf_put_u8(&b, 7, 0xab);
	ck_assert_uint_eq(b.len, 8);            /* 4 header + 1 payload + 3 pad */
	a = (const struct nlattr *)b.data;
	ck_assert_uint_eq(a->nla_len, 5);
	ck_assert_uint_eq(a->nla_type, 7);
	ck_assert_uint_eq(b.data[4], 0xab);
	ck_assert_uint_eq(b.data[5] | b.data[6] | b.data[7], 0);
	ovsdp_buf_clear(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(nesting)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	size_t outer, inner;
	const struct nlattr *a;

	outer = ovsdp_buf_nest_start(&b, 1);
	ovsdp_buf_put_u32(&b, 2, 42);
	inner = ovsdp_buf_nest_start(&b, 3);
	ovsdp_buf_put_u16(&b, 4, 7);
	ovsdp_buf_nest_end(&b, inner);
	ovsdp_buf_nest_end(&b, outer);

	a = (const struct nlattr *)b.data;
	ck_assert_uint_eq(a->nla_len, b.len);
	ck_assert_uint_eq(b.len, 4 + 8 + 4 + 8);
	a = (const struct nlattr *)(b.data + inner);
	ck_assert_uint_eq(a->nla_len, 12);
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(growth_keeps_contents)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;

	for (uint32_t i = 0; i < 1000; i++)
		ovsdp_buf_put_u32(&b, 1, i);
	ck_assert_uint_eq(b.len, 8000);
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t v;

		memcpy(&v, b.data + i * 8 + 4, 4);
		ck_assert_uint_eq(v, i);
	}
	ovsdp_buf_clear(&b);
}
END_TEST

/* An attribute whose length does not fit nla_len's 16 bits is refused,
 * not written with a wrapped length. */
START_TEST(attr_too_big_refused)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autofree uint8_t *big = g_malloc0(70000);
	const struct nlattr *a;

	ck_assert_uint_eq(ovsdp_buf_put_attr(&b, 1, big, OVSDP_ATTR_PAYLOAD_MAX + 1),
			  OVSDP_BUF_TOO_BIG);
	ck_assert_uint_eq(ovsdp_buf_put_attr(&b, 1, big, 65536), OVSDP_BUF_TOO_BIG);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(ovsdp_buf_put_attr(&b, 1, big, OVSDP_ATTR_PAYLOAD_MAX), 0);
	a = (const struct nlattr *)b.data;
	ck_assert_uint_eq(a->nla_len, UINT16_MAX);
	ck_assert_uint_eq(b.len, NLA_ALIGN(UINT16_MAX));
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(nest_too_big_refused)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autofree uint8_t *big = g_malloc0(40000);
	size_t outer, inner;

	ovsdp_buf_put_u32(&b, 9, 1);
	outer = ovsdp_buf_nest_start(&b, 1);
	inner = ovsdp_buf_nest_start(&b, 2);
	ovsdp_buf_put_attr(&b, 3, big, 40000);
	ck_assert_int_eq(ovsdp_buf_nest_end(&b, inner), 0);
	ovsdp_buf_put_attr(&b, 3, big, 40000);
	/* 80,000 bytes in one nest: refused, and the nest is gone. */
	ck_assert_int_eq(ovsdp_buf_nest_end(&b, outer), -EMSGSIZE);
	ck_assert_uint_eq(b.len, outer);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_int_eq(ovsdp_buf_nest_end(&b, 100), -EINVAL);
	ovsdp_buf_clear(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("attributes");

	tcase_add_test(tc, attr_padding);
	tcase_add_test(tc, nesting);
	tcase_add_test(tc, growth_keeps_contents);
	tcase_add_test(tc, attr_too_big_refused);
	tcase_add_test(tc, nest_too_big_refused);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
