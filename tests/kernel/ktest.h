/* ktest.h: what every kernel test shares: skip (77) or fail when the
 * datapath is absent, a fresh network namespace per test case, and shell
 * helpers for veth pairs and the ovs-dpctl second opinion. */
#ifndef OVSDP_KTEST_H
#define OVSDP_KTEST_H

#include <stdbool.h>
#include <check.h>

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

#endif
