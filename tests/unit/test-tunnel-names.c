/* test-tunnel-names.c: the tunnel names and what ovsdp_tunnel_get() says
 * about ports it can judge without a kernel (legacy vports, internal
 * ports); the devices themselves are tests/kernel/test-tunnel.c's.  Also
 * the datapath and tunnel names refused before any kernel call. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "tsuite.h"

START_TEST(names_both_ways)
{
	static const char *const names[] = { "vxlan", "geneve", "gre", "ip6gre", "erspan",
					     "ip6erspan", "bareudp" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		ck_assert_int_eq(ovsdp_tunnel_kind_from_str(names[i]), (int)i + 1);
		ck_assert_str_eq(ovsdp_tunnel_kind_str(i + 1), names[i]);
	}
	ck_assert_str_eq(ovsdp_tunnel_kind_str(OVSDP_TUNNEL_NONE), "none");
	ck_assert_str_eq(ovsdp_tunnel_kind_str(99), "unknown");
	ck_assert_int_eq(ovsdp_tunnel_kind_from_str("none"), -EINVAL);
	ck_assert_int_eq(ovsdp_tunnel_kind_from_str("gretap"), -EINVAL);
	ck_assert_int_eq(ovsdp_tunnel_kind_from_str(NULL), -EINVAL);
	ck_assert_str_eq(ovsdp_tunnel_via_str(OVSDP_TUNNEL_VIA_RTNETLINK), "rtnetlink");
	ck_assert_str_eq(ovsdp_tunnel_via_str(OVSDP_TUNNEL_VIA_LEGACY), "legacy");
	ck_assert_str_eq(ovsdp_tunnel_via_str(7), "unknown");
}
END_TEST

START_TEST(ports_judged_without_a_kernel)
{
	struct ovsdp_vport_info p = { .type = OVSDP_VPORT_TYPE_GENEVE, .has_dst_port = true,
				      .dst_port = 6081, .name = "g" };
	struct ovsdp_tunnel_info t;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_tunnel_get(&p, &t, &err), 1);
	ck_assert_uint_eq(t.kind, OVSDP_TUNNEL_GENEVE);
	ck_assert_uint_eq(t.via, OVSDP_TUNNEL_VIA_LEGACY);
	ck_assert(t.external && t.has_dst_port);
	ck_assert_uint_eq(t.dst_port, 6081);
	ck_assert_str_eq(t.device_kind, "");
	p.type = OVSDP_VPORT_TYPE_INTERNAL;
	ck_assert_int_eq(ovsdp_tunnel_get(&p, &t, &err), 0);
	/* A netdev in another namespace cannot be looked at: not a tunnel. */
	p.type = OVSDP_VPORT_TYPE_NETDEV;
	p.has_netnsid = true;
	p.ifindex = 5;
	ck_assert_int_eq(ovsdp_tunnel_get(&p, &t, &err), 0);
	ck_assert_int_eq(ovsdp_tunnel_get(NULL, &t, &err), -EINVAL);
	ck_assert_str_eq(err->message, "reading a tunnel: bad arguments: Invalid argument");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_tunnel_add(NULL, NULL, NULL, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message,
			 "adding tunnel (null): bad name (1 to 15 bytes): Invalid argument");
}
END_TEST

/* A bad name says the rule, and an over-long one is not echoed whole
 * (`ovsdp dp add` with 5000 characters printed them all, then "bad name"). */
START_TEST(bad_names_say_the_rule)
{
	g_autofree char *longname = g_strnfill(5000, 'a');
	g_autofree char *want = NULL;
	g_autoptr(GError) err = NULL;
	struct ovsdp_dp *dp = NULL;

	ck_assert_int_eq(ovsdp_dp_create(longname, 0, 0, &dp, &err), -EINVAL);
	ck_assert_ptr_null(dp);
	want = g_strdup_printf("creating datapath %.64s: bad name (1 to 15 bytes, no '/'): "
			       "Invalid argument", longname);
	ck_assert_str_eq(err->message, want);
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_dp_open("", &dp, &err), -EINVAL);
	ck_assert_str_eq(err->message,
			 "opening datapath : bad name (1 to 15 bytes, no '/'): Invalid argument");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_dp_open("dp/0", &dp, &err), -EINVAL);
	ck_assert_str_eq(err->message,
			 "opening datapath dp/0: bad name (1 to 15 bytes, no '/'): Invalid argument");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tunnel-names");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, names_both_ways);
	tcase_add_test(tc, ports_judged_without_a_kernel);
	tcase_add_test(tc, bad_names_say_the_rule);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
