/* test-auto.c: on a real kernel, 'auto' picks per-cpu where the datapath
 * accepts per-cpu dispatch (5.14+: 6.1, 6.12) and falls back to per-vport,
 * saying why, where it refuses it (5.10): through the library, through
 * `ovsdp probe` (text and JSON) and through `ovsdp config check`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ovsdp/config.h"
#include "ovsdp/features.h"
#include "ovsdp/plugin.h"
#include "ktest.h"

#define REFUSED_WHY "per-cpu: kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: " \
		    "Operation not supported"
#define FIRST_WHY "first in prefer that probes ok"

static bool
kernel_has_per_cpu(void)
{
	int major, minor;

	ktest_kernel_version(&major, &minor);
	return major > 5 || (major == 5 && minor >= 14);
}

static char *
shipped_conf(void)
{
	return g_build_filename(g_getenv("OVSDP_SOURCE_ROOT"), "plugins.conf", NULL);
}

static char *
ovsdp_bin(void)
{
	return g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tools", "cli", "ovsdp", NULL);
}

START_TEST(library_auto)
{
	g_autofree char *path = shipped_conf();
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *c = NULL;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL;
	g_autofree char *why = NULL;
	struct ovsdp_features f;

	ck_assert_int_eq(ovsdp_features_probe(&f, &err), 0);
	ck_assert_msg(f.datapath_probed, "%s", f.probe_error);
	ck_assert_msg(ovsdp_config_load(path, &c, &err) == 0, "%s", err->message);
	ck_assert_int_eq(ovsdp_plugins_discover(c, &f, &l, &err), 0);
	ck_assert_msg(ovsdp_plugins_choose(l, c, NULL, &p, &why, &err) == 0, "%s",
		      err ? err->message : "?");
	if (kernel_has_per_cpu()) {
		ck_assert_str_eq(ovsdp_plugin_name(p), "per-cpu");
		ck_assert_str_eq(why, FIRST_WHY);
	} else {
		ck_assert_str_eq(ovsdp_plugin_name(p), "per-vport");
		ck_assert_str_eq(why, REFUSED_WHY);
		ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(l, "per-cpu")),
				 OVSDP_PLUGIN_PROBE_FAILED);
	}
	/* legacy and per-vport run on every kernel of the matrix. */
	ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(l, "legacy")), OVSDP_PLUGIN_OK);
	ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(l, "per-vport")), OVSDP_PLUGIN_OK);
	ovsdp_plugins_free(l);
	ovsdp_config_free(c);
}
END_TEST

START_TEST(cli_probe)
{
	g_autofree char *bin = ovsdp_bin();
	g_autofree char *conf = shipped_conf();
	g_autofree char *json = ktest_sh_output("%s probe --json --config %s", bin, conf);
	g_autofree char *text = ktest_sh_output("%s probe --config %s", bin, conf);
	const char *want_json = kernel_has_per_cpu()
		? "\"auto\":{\"plugin\":\"per-cpu\",\"reason\":\"" FIRST_WHY "\"}"
		: "\"auto\":{\"plugin\":\"per-vport\",\"reason\":\"" REFUSED_WHY "\"}";
	const char *want_text = kernel_has_per_cpu()
		? "\nauto: per-cpu (" FIRST_WHY ")\n"
		: "\nauto: per-vport (" REFUSED_WHY ")\n";

	ck_assert_msg(strstr(json, want_json), "want %s in:\n%s", want_json, json);
	ck_assert_msg(strstr(text, want_text), "want %s in:\n%s", want_text, text);
	/* Every plugin of the build is listed with its ABI. */
	ck_assert_msg(strstr(json, "\"name\":\"legacy\",\"abi\":\"1.1\",\"status\":\"ok\""), "%s", json);
	ck_assert_msg(strstr(json, "\"name\":\"per-vport\",\"abi\":\"1.1\",\"status\":\"ok\""), "%s", json);
	ck_assert_msg(strstr(json, kernel_has_per_cpu()
			     ? "\"name\":\"per-cpu\",\"abi\":\"1.1\",\"status\":\"ok\""
			     : "\"name\":\"per-cpu\",\"abi\":\"1.1\",\"status\":\"probe failed\","
			       "\"reason\":\"kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: "
			       "Operation not supported\""), "%s", json);
	ck_assert_int_eq(ktest_sh("%s probe --config %s >/dev/null", bin, conf), 0);
}
END_TEST

/* An explicit per-cpu never falls back: an error where the kernel lacks it. */
START_TEST(cli_config_check)
{
	g_autofree char *bin = ovsdp_bin();
	g_autofree char *dir = g_dir_make_tmp("ovsdp-auto-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "percpu.conf", NULL);
	g_autofree char *out = NULL;
	g_autofree char *want = NULL;
	int status;

	ck_assert(g_file_set_contents(conf, "[dispatch]\nmode = per-cpu\n", -1, NULL));
	status = ktest_sh("%s config check %s", bin, conf);
	out = ktest_sh_output("%s config check %s 2>&1", bin, conf);
	if (kernel_has_per_cpu()) {
		want = g_strdup_printf("%s: ok\ndispatch: per-cpu (mode = per-cpu in %s)\n", conf, conf);
		ck_assert_int_eq(status, 0);
	} else {
		want = g_strdup_printf("%s:2: [dispatch] mode = per-cpu: per-cpu cannot run here: "
				       "kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: Operation "
				       "not supported\n", conf);
		ck_assert_int_eq(status, 1);
	}
	ck_assert_str_eq(out, want);
	g_unlink(conf);
	g_rmdir(dir);
}
END_TEST

int
main(void)
{
	return ktest_main("auto", "choice", ktest_netns_setup, NULL, 0,
			  TSUITE_TESTS(library_auto, cli_probe, cli_config_check));
}
