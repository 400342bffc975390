/* test-probe.c: feature probing against the real datapath: the families
 * resolve, and per-cpu dispatch is refused exactly where the kernel lacks it
 * (before 5.14, e.g. 5.10) and accepted where it has it (6.1, 6.12). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "ovsdp/features.h"
#include "ktest.h"

START_TEST(families_resolve)
{
	struct ovsdp_features f;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_features_probe(&f, &err), 0);
	ck_assert(f.datapath_available);
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(f.families[i].present, "%s absent", f.families[i].name);
		ck_assert_int_gt(f.families[i].id, 0);
	}
	ck_assert_str_eq(f.families[0].name, "ovs_datapath");
	ck_assert_int_eq(f.families[0].version, 2);
}
END_TEST

START_TEST(per_cpu_matches_kernel)
{
	struct ovsdp_features f;
	int major, minor;

	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	ck_assert_msg(f.datapath_probed, "%s", f.probe_error);
	ck_assert_int_eq(f.rejects_unknown_features, OVSDP_YES);
	ktest_kernel_version(&major, &minor);
	if (major > 5 || (major == 5 && minor >= 14))
		ck_assert_int_eq(f.per_cpu_dispatch, OVSDP_YES);
	else
		ck_assert_int_eq(f.per_cpu_dispatch, OVSDP_NO);
}
END_TEST

START_TEST(probe_leaves_no_datapath)
{
	struct ovsdp_features f;
	g_autofree char *out = NULL;

	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	out = ktest_sh_output("ip -o link show");
	ck_assert_msg(strstr(out, "ovsdpp") == NULL, "scratch datapath left behind:\n%s", out);
}
END_TEST

START_TEST(cli_probe_json)
{
	g_autofree char *out = ktest_sh_output("%s/tools/ovsdp probe --json",
					       g_getenv("OVSDP_BUILD_ROOT"));
	int major, minor;

	ktest_kernel_version(&major, &minor);
	ck_assert_msg(strstr(out, "\"datapath_available\":true") != NULL, "%s", out);
	if (major > 5 || (major == 5 && minor >= 14))
		ck_assert_msg(strstr(out, "\"per_cpu_dispatch\":true") != NULL, "%s", out);
	else
		ck_assert_msg(strstr(out, "\"per_cpu_dispatch\":false") != NULL, "%s", out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("features");

	ktest_require_datapath();
	tcase_add_checked_fixture(tc, ktest_netns_setup, NULL);
	tcase_add_test(tc, families_resolve);
	tcase_add_test(tc, per_cpu_matches_kernel);
	tcase_add_test(tc, probe_leaves_no_datapath);
	tcase_add_test(tc, cli_probe_json);
	suite_add_tcase(s, tc);
	return ktest_run_suite(s);
}
