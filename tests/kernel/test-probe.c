/* test-probe.c: feature probing against the real datapath: the families
 * resolve, and per-cpu dispatch is refused exactly where the kernel lacks it
 * (before 5.14, e.g. 5.10) and accepted where it has it (6.1, 6.12). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <string.h>
#include <glib.h>

#include "ovsdp/datapath.h"
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

/* Events of the datapath multicast group seen until the monitor is
 * empty: how many DP_NEW and DP_DEL named 'name'. */
static void
count_dp_events(struct ovsdp_monitor *m, const char *name, int *news, int *dels)
{
	struct ovsdp_event ev;
	int r;

	*news = *dels = 0;
	while ((r = ovsdp_monitor_next(m, &ev, NULL)) != -EAGAIN) {
		ck_assert_int_ge(r, 0);
		if (strcmp(ev.name, name) != 0)
			continue;
		*news += ev.kind == OVSDP_EVENT_DP_NEW;
		*dels += ev.kind == OVSDP_EVENT_DP_DEL;
	}
}

static bool
dp_exists(const char *name)
{
	struct ovsdp_dp *dp = NULL;
	bool ok = ovsdp_dp_open(name, &dp, NULL) == 0;

	ovsdp_dp_close(dp);
	return ok;
}

/* The probe's scratch datapath is never visible here: it lives in a
 * namespace of the probe's own (no datapath event in ours).  Where that is
 * refused (forced with OVSDP_PROBE_NO_NETNS), the fallback ovsdpp<pid>
 * appears and is deleted.  Either way a stale ovsdpp<pid> of a process
 * that no longer exists is swept, and one whose process runs (pid 1) is
 * kept. */
START_TEST(probe_invisible_and_sweeps_stale)
{
	struct ovsdp_features f;
	struct ovsdp_monitor *m = NULL;
	struct ovsdp_dp *dp = NULL;
	g_autoptr(GError) err = NULL;
	char stale[32], mine[32];
	int news, dels, st;
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	snprintf(stale, sizeof stale, "ovsdpp%d", (int)child);
	snprintf(mine, sizeof mine, "ovsdpp%d", (int)getpid());
	ck_assert_msg(ovsdp_dp_create(stale, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err->message);
	ovsdp_dp_close(dp);
	ck_assert_int_eq(ovsdp_dp_create("ovsdpp1", 0, OVSDP_DP_F_DEFAULT, &dp, &err), 0);
	ovsdp_dp_close(dp);
	ck_assert_int_eq(ovsdp_monitor_open(OVSDP_MONITOR_DATAPATHS, &m, &err), 0);

	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	ck_assert_msg(f.datapath_probed, "%s", f.probe_error);
	ck_assert(!dp_exists(stale));
	ck_assert(dp_exists("ovsdpp1"));
	count_dp_events(m, mine, &news, &dels);
	ck_assert_int_eq(news, 0);
	ck_assert_int_eq(dels, 0);

	/* The fallback: visible, and removed. */
	ck_assert(g_setenv("OVSDP_PROBE_NO_NETNS", "1", TRUE));
	ck_assert_int_eq(ovsdp_features_probe(&f, NULL), 0);
	g_unsetenv("OVSDP_PROBE_NO_NETNS");
	ck_assert_msg(f.datapath_probed, "%s", f.probe_error);
	count_dp_events(m, mine, &news, &dels);
	ck_assert_int_eq(news, 1);
	ck_assert_int_eq(dels, 1);
	ck_assert(!dp_exists(mine));
	ovsdp_monitor_close(m);
}
END_TEST

START_TEST(cli_probe_json)
{
	g_autofree char *out = ktest_sh_output("%s/tools/cli/ovsdp probe --json",
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
	return ktest_main("probe", "features", ktest_netns_setup, NULL, 0,
			  TSUITE_TESTS(families_resolve, per_cpu_matches_kernel,
				       probe_leaves_no_datapath, probe_invisible_and_sweeps_stale,
				       cli_probe_json));
}
