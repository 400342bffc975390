/* test-ct-limit.c: conntrack zone limits on the real kernel: the default
 * and per-zone limits set, read back (all, or given zones, with counts)
 * and deleted through the library and the CLI, with the host's ovs-dpctl
 * ct-get-limits as the second opinion. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

KNET_DP_FIXTURE(dp)

/* False, said visibly, when the kernel has no ovs_ct_limit family: only
 * allowed before Linux 4.18, which had none. */
static bool
have_ct_limit(void)
{
	struct ovsdp_ct_zone_limit *l = NULL;
	g_autoptr(GError) err = NULL;
	int major, minor, r = ovsdp_ct_limit_get(dp, NULL, 0, &l, &err);

	g_free(l);
	if (r != -EOPNOTSUPP)
		return true;
	ktest_kernel_version(&major, &minor);
	fprintf(stderr, "not applicable: Linux %d.%d has no ovs_ct_limit family\n", major, minor);
	ck_assert_msg(major < 4 || (major == 4 && minor < 18),
		      "Linux %d.%d should have ovs_ct_limit: %s", major, minor, err->message);
	return false;
}

static const struct ovsdp_ct_zone_limit *
find(const struct ovsdp_ct_zone_limit *l, int n, int32_t zone)
{
	for (int i = 0; i < n; i++)
		if (l[i].zone == zone)
			return &l[i];
	return NULL;
}

START_TEST(set_get_del)
{
	const struct ovsdp_ct_zone_limit set[] = {
		{ OVSDP_CT_ZONE_DEFAULT, 100, 0 }, { 1, 10, 0 }, { 65535, 20, 0 },
	};
	const int32_t q[] = { 1, 7 }, del[] = { 1 };
	struct ovsdp_ct_zone_limit *l = NULL;
	const struct ovsdp_ct_zone_limit *e;
	GError *err = NULL;
	int n;

	if (!have_ct_limit())
		return;
	ck_assert_msg(ovsdp_ct_limit_set(dp, set, G_N_ELEMENTS(set), &err) == 0, "%s",
		      err ? err->message : "");
	n = ovsdp_ct_limit_get(dp, NULL, 0, &l, &err);
	ck_assert_msg(n == 3, "%d %s", n, err ? err->message : "");
	ck_assert((e = find(l, n, OVSDP_CT_ZONE_DEFAULT)) && e->limit == 100);
	ck_assert((e = find(l, n, 1)) && e->limit == 10 && e->count == 0);
	ck_assert((e = find(l, n, 65535)) && e->limit == 20);
	g_free(l);
	/* Given zones: zone 7 has no limit of its own and shows the default. */
	n = ovsdp_ct_limit_get(dp, q, G_N_ELEMENTS(q), &l, &err);
	ck_assert_int_eq(n, 2);
	ck_assert((e = find(l, n, 1)) && e->limit == 10);
	ck_assert((e = find(l, n, 7)) && e->limit == 100);
	g_free(l);
	ck_assert_int_eq(ovsdp_ct_limit_del(dp, del, 1, &err), 0);
	n = ovsdp_ct_limit_get(dp, NULL, 0, &l, &err);
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_null(find(l, n, 1));
	ck_assert_ptr_nonnull(find(l, n, 65535));
	g_free(l);
	/* Bad zones are refused, naming the zone. */
	{
		const int32_t bad[] = { 70000 };

		ck_assert_int_eq(ovsdp_ct_limit_del(dp, bad, 1, &err), -EINVAL);
		ck_assert_msg(strstr(err->message, "zone 70000"), "%s", err->message);
		g_clear_error(&err);
	}
	/* Deleting the default makes it unlimited. */
	{
		const int32_t d[] = { OVSDP_CT_ZONE_DEFAULT, 65535 };

		ck_assert_int_eq(ovsdp_ct_limit_del(dp, d, 2, &err), 0);
	}
	n = ovsdp_ct_limit_get(dp, NULL, 0, &l, &err);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(l[0].zone, OVSDP_CT_ZONE_DEFAULT);
	ck_assert_uint_eq(l[0].limit, 0);
	g_free(l);
}
END_TEST

START_TEST(cli_and_ovs_dpctl_agree)
{
	g_autofree char *out = NULL, *theirs = NULL;
	int st;

	if (!have_ct_limit())
		return;
	knet_cli_expect(0, "ct-limit set ovsdpt0 default=50 zone=3,limit=5 zone=4,limit=6");
	out = knet_cli_run(&st, "ct-limit get ovsdpt0");
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_str_eq(out, "default limit=50\nzone=3,limit=5,count=0\nzone=4,limit=6,count=0\n");
	g_free(out);
	out = knet_cli_run(&st, "ct-limit get ovsdpt0 zone=4,9");
	ck_assert_str_eq(out, "default limit=50\nzone=4,limit=6,count=0\nzone=9,limit=50,count=0\n");
	g_free(out);
	out = knet_cli_run(&st, "ct-limit get ovsdpt0 --json");
	ck_assert_msg(st == 0 && strstr(out, "\"default_limit\":50") &&
		      strstr(out, "{\"zone\":3,\"limit\":5,\"count\":0}"), "%s", out);
	g_free(out);

	if (ktest_have_ovs_dpctl()) {
		ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
		theirs = ktest_sh_output("ovs-dpctl ct-get-limits system@ovsdpt0 2>&1");
		ck_assert_msg(theirs && strstr(theirs, "default limit=50") &&
			      strstr(theirs, "zone=3,limit=5,count=0") &&
			      strstr(theirs, "zone=4,limit=6,count=0"), "ovs-dpctl: %s", theirs);
		g_free(theirs);
		/* And we read what ovs-dpctl sets and deletes. */
		ck_assert_int_eq(ktest_sh("ovs-dpctl ct-set-limits system@ovsdpt0 zone=8,limit=80"),
				 0);
		ck_assert_int_eq(ktest_sh("ovs-dpctl ct-del-limits system@ovsdpt0 zone=3"), 0);
	} else {
		/* The lab has ovs-dpctl; elsewhere do ovs-dpctl's part ourselves. */
		ck_assert_str_ne(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH") ?: "", "1");
		fprintf(stderr, "no ovs-dpctl: its second opinion is not checked\n");
		ck_assert_int_eq(ktest_sh("%s ct-limit set ovsdpt0 zone=8,limit=80", knet_cli()), 0);
		ck_assert_int_eq(ktest_sh("%s ct-limit del ovsdpt0 zone=3", knet_cli()), 0);
	}
	out = knet_cli_run(&st, "ct-limit get ovsdpt0");
	ck_assert_str_eq(out, "default limit=50\nzone=4,limit=6,count=0\nzone=8,limit=80,count=0\n");
	g_clear_pointer(&out, g_free);         /* g_autofree: freed once */
	knet_cli_expect(0, "ct-limit del ovsdpt0 zone=4,8");
	if (ktest_have_ovs_dpctl()) {
		theirs = ktest_sh_output("ovs-dpctl ct-get-limits system@ovsdpt0 2>&1");
		ck_assert_msg(theirs && strstr(theirs, "default limit=50") &&
			      !strstr(theirs, "zone="), "ovs-dpctl: %s", theirs);
	}
	knet_cli_expect_out(2, "70000", "ct-limit set ovsdpt0 zone=70000,limit=1");
}
END_TEST

int
main(void)
{
	/* It runs the CLI and ovs-dpctl a dozen times: slow to spawn under TCG. */
	return ktest_main("ct-limit", "ct-limit", setup, teardown, 180,
			  TSUITE_TESTS(set_get_del, cli_and_ovs_dpctl_agree));
}
