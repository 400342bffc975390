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

/* srunner_run_all(CK_ENV) on one suite; returns the process exit code. */
int ktest_run_suite(Suite *s);

#endif
