/* ktest.c: shared fixture code for the kernel suite (see ktest.h). */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "nl/netlink.h"
#include "ktest.h"

void
ktest_require_datapath(void)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_nl *nl = NULL;
	bool require = g_strcmp0(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH"), "1") == 0;
	const char *why = NULL;

	if (geteuid() != 0)
		why = "not root";
	else if (ovsdp_nl_open(false, &nl, &err) < 0)
		why = err->message;
	ovsdp_nl_close(nl);
	if (!why)
		return;
	if (require) {
		fprintf(stderr, "FAIL: the kernel suite must run here but cannot: %s\n", why);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s\n", why);
	exit(77);
}

void
ktest_require_feature(const char *name, const char *what, bool present)
{
	g_autofree char *env = g_strdup_printf("OVSDP_TEST_REQUIRE_%s", name);
	int major, minor;

	if (present)
		return;
	ktest_kernel_version(&major, &minor);
	if (g_strcmp0(g_getenv(env), "1") == 0) {
		printf("FAIL: Linux %d.%d must have %s (%s=1) but has not\n", major, minor, what,
		       env);
		fflush(stdout);
		exit(1);
	}
	printf("NOT APPLICABLE on Linux %d.%d: needs %s (skipped; %s=1 makes it a failure)\n",
	       major, minor, what, env);
	fflush(stdout);
	exit(77);
}

bool
ktest_threads_asleep(const char *const *prefixes, unsigned int min)
{
	GDir *d = g_dir_open("/proc/self/task", 0, NULL);
	const char *tid;
	unsigned int n = 0;
	bool asleep = true;

	if (!d)
		return false;
	while (asleep && (tid = g_dir_read_name(d))) {
		g_autofree char *path = g_strdup_printf("/proc/self/task/%s/stat", tid);
		g_autofree char *stat = NULL;
		const char *name, *end;
		bool match = false;

		if (!g_file_get_contents(path, &stat, NULL, NULL))
			continue;       /* the thread just ended */
		/* "TID (COMM) STATE ...": the name may hold anything, up to the
		 * last ')'. */
		name = strchr(stat, '(');
		end = strrchr(stat, ')');
		if (!name || !end || end < name || end[1] != ' ')
			continue;
		name++;
		for (const char *const *p = prefixes; *p && !match; p++)
			match = (size_t)(end - name) >= strlen(*p) && !strncmp(name, *p, strlen(*p));
		if (!match)
			continue;
		n++;
		asleep = end[2] == 'S';
	}
	g_dir_close(d);
	return asleep && n >= min;
}

void
ktest_netns_setup(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		ck_abort_msg("unshare(CLONE_NEWNET): %s", strerror(errno));
	ck_assert_int_eq(ktest_sh("ip link set lo up"), 0);
}

static int
run_shell(char **out, const char *fmt, va_list ap)
{
	g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
	g_autofree char *err = NULL;
	g_autoptr(GError) gerr = NULL;
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out,
			  &err, &status, &gerr)) {
		fprintf(stderr, "ktest: %s: %s\n", cmd, gerr->message);
		return -1;
	}
	if (err && *err)
		fprintf(stderr, "%s", err);
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int
ktest_sh(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *out = NULL;
	int r;

	va_start(ap, fmt);
	r = run_shell(&out, fmt, ap);
	va_end(ap);
	if (out && *out)
		fprintf(stderr, "%s", out);
	return r;
}

char *
ktest_sh_output(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;

	va_start(ap, fmt);
	run_shell(&out, fmt, ap);
	va_end(ap);
	return out ? out : g_strdup("");
}

bool
ktest_have_ovs_dpctl(void)
{
	g_autofree char *p = g_find_program_in_path("ovs-dpctl");

	return p != NULL;
}

void
ktest_kernel_version(int *major, int *minor)
{
	struct utsname u;

	*major = *minor = 0;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", major, minor);
}

int
ktest_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;
	int ran;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	ran = srunner_ntests_run(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	if (ran == 0) {
		printf("SKIP: no test case ran (CK_RUN_SUITE=%s CK_RUN_CASE=%s)\n",
		       g_getenv("CK_RUN_SUITE") ?: "", g_getenv("CK_RUN_CASE") ?: "");
		return 77;
	}
	return EXIT_SUCCESS;
}

void
ktest_probe_features(struct ovsdp_features *f)
{
	if (ovsdp_features_probe(f, NULL) < 0) {
		fprintf(stderr, "FAIL: cannot probe the kernel's features\n");
		exit(1);
	}
}

char **
ktest_dispatchers(unsigned int *n)
{
	const char *env = g_getenv("OVSDP_TEST_DISPATCHERS");
	char **names = g_strsplit_set(env && *env ? env : "legacy per-vport per-cpu", " ,", -1);
	struct ovsdp_features f;

	*n = g_strv_length(names);
	ktest_probe_features(&f);
	if (g_strv_contains((const char *const *)names, "per-cpu"))
		ktest_require_feature("PER_CPU", "per-cpu upcall dispatch (Linux 5.14+; "
				      "OVSDP_TEST_DISPATCHERS has per-cpu)",
				      f.per_cpu_dispatch == OVSDP_YES);
	return names;
}

int
ktest_main_cases(const char *suite, void (*setup)(void), void (*teardown)(void),
		 double timeout_s, const struct ktest_case *cases, size_t n)
{
	Suite *s = suite_create(suite);

	ktest_require_datapath();
	for (size_t i = 0; i < n; i++)
		tsuite_case(s, cases[i].name, setup, teardown, timeout_s,
			    TSUITE_TESTS(cases[i].test));
	return ktest_run_suite(s);
}

int
ktest_main(const char *suite, const char *name, void (*setup)(void), void (*teardown)(void),
	   double timeout_s, const TTest *const *tests)
{
	Suite *s;

	ktest_require_datapath();
	s = suite_create(suite);
	tsuite_case(s, name, setup, teardown, timeout_s, tests);
	return ktest_run_suite(s);
}
