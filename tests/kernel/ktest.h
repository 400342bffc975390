/* ktest.h: what every kernel test shares: skip (77) or fail when the
 * datapath is absent, a fresh network namespace per test case, and shell
 * helpers for veth pairs and the ovs-dpctl second opinion. */
#ifndef OVSDP_KTEST_H
#define OVSDP_KTEST_H

#include <stdbool.h>
#include <check.h>
#include <glib.h>

#include "tsuite.h"

/* Exit 77 (meson's skip) unless the ovs_datapath family exists and we are
 * root.  When OVSDP_TEST_REQUIRE_DATAPATH=1 (the lab sets it), a missing
 * datapath is a failure (exit 1), never a skip. */
void ktest_require_datapath(void);

/* Feature gate of a test program, or of one part of one (a meson test of
 * its own, kernel/meson.build): call it in main, before any case runs.
 * Where 'present' is false the program prints "NOT APPLICABLE on Linux
 * X.Y: needs WHAT" and exits 77, so meson's summary counts a skip and not
 * a pass; unless OVSDP_TEST_REQUIRE_<NAME>=1 (tests/run-all sets it on the
 * kernels that must have the feature): then the absence is a failure
 * (exit 1).  CI accepts the skips that say NOT APPLICABLE, no others. */
void ktest_require_feature(const char *name, const char *what, bool present);

/* Checked fixture: move this (forked) test into a new network namespace
 * with loopback up. */
void ktest_netns_setup(void);

/* Wait for a condition instead of sleeping a fixed time before an
 * assertion: evaluates 'cond' every 10 ms until it is true or 'timeout_ms'
 * have passed; the value is the condition's last result (assert on it). */
#define KTEST_WAIT(timeout_ms, cond)                                                    \
	({                                                                              \
		gint64 ktest_end_ = g_get_monotonic_time() + (gint64)(timeout_ms) * 1000; \
		bool ktest_ok_;                                                         \
		while (!(ktest_ok_ = (cond)) && g_get_monotonic_time() < ktest_end_)   \
			g_usleep(10000);                                                \
		ktest_ok_;                                                              \
	})

/* The threads of this process whose name (comm) starts with one of
 * 'prefixes' (NULL-terminated): true when there are at least 'min' and
 * every one of them is asleep (state S: nothing left to handle; a thread
 * woken but not yet back in its wait shows R). */
bool ktest_threads_asleep(const char *const *prefixes, unsigned int min);

/* Run 'cmd' through /bin/sh; returns its exit status (or -1). */
int ktest_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, capturing stdout into a newly allocated string (g_free). */
char *ktest_sh_output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when Debian's ovs-dpctl is installed (the second opinion). */
bool ktest_have_ovs_dpctl(void);

/* Kernel release as (major, minor), from uname. */
void ktest_kernel_version(int *major, int *minor);

/* srunner_run_all(CK_ENV) on one suite; returns the process exit code:
 * 77 (a skip, never a pass) when no case ran at all (a CK_RUN_CASE or
 * CK_RUN_SUITE naming nothing). */
int ktest_run_suite(Suite *s);

/* One test in a case of its own (so CK_RUN_CASE=NAME runs it alone). */
struct ktest_case {
	const char *name;
	const TTest *test;
};

/* The main of a program of such cases: ktest_require_datapath(), then
 * suite 'suite' with the 'n' 'cases', each with 'setup', 'teardown' and
 * 'timeout_s' (tsuite_case), run by ktest_run_suite. */
int ktest_main_cases(const char *suite, void (*setup)(void), void (*teardown)(void),
		     double timeout_s, const struct ktest_case *cases, size_t n);

/* The main of a program of one test case: ktest_require_datapath(), then
 * suite 'suite' with case 'name' (tsuite_case) run by ktest_run_suite. */
int ktest_main(const char *suite, const char *name, void (*setup)(void),
	       void (*teardown)(void), double timeout_s, const TTest *const *tests);

/* The kernel's features; a failed probe fails the program (exit 1). */
struct ovsdp_features;
void ktest_probe_features(struct ovsdp_features *f);

/* The dispatchers under test: OVSDP_TEST_DISPATCHERS split at spaces and
 * commas (default "legacy per-vport per-cpu"), NULL-terminated, their count
 * in *n.  A list with per-cpu is a program that needs it: skipped (77),
 * not passed, where the kernel has none (ktest_require_feature). */
char **ktest_dispatchers(unsigned int *n);

#endif
