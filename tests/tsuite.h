/* tsuite.h: how the unit and kernel test programs build and run their
 * Check suites: a test case and its tests in one call, from a list. */
#ifndef OVSDP_TSUITE_H
#define OVSDP_TSUITE_H

#include <stdlib.h>
#include <check.h>

/* The tests of a case, in the order they run: TSUITE_TESTS(a, b, c). */
#define TSUITE_TESTS(...) ((const TTest *const[]){ __VA_ARGS__, NULL })

/* A test case 'name' added to 's', with checked fixture 'setup' and
 * 'teardown' (either may be NULL), a timeout of 'timeout_s' seconds (0:
 * Check's default) and the tests of the NULL-terminated 'tests' (may be
 * NULL).  Returned for the loop tests (tcase_add_loop_test). */
static inline TCase *
tsuite_case(Suite *s, const char *name, void (*setup)(void), void (*teardown)(void),
	    double timeout_s, const TTest *const *tests)
{
	TCase *tc = tcase_create(name);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	if (timeout_s > 0)
		tcase_set_timeout(tc, timeout_s);
	for (; tests && *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	return tc;
}

/* srunner_run_all(CK_ENV) on 's' (CK_FORK, CK_RUN_CASE, CK_DEFAULT_TIMEOUT
 * work); the exit code: 1 when a test failed, else 0.  (The kernel tests
 * use ktest_run_suite, which also says when nothing ran.) */
static inline int
tsuite_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* The main of a program of one test case: suite 'suite' with case 'name'
 * (tsuite_case) run by tsuite_run.  (The kernel tests' is ktest_main.) */
static inline int
tsuite_main(const char *suite, const char *name, void (*setup)(void), void (*teardown)(void),
	    double timeout_s, const TTest *const *tests)
{
	Suite *s = suite_create(suite);

	tsuite_case(s, name, setup, teardown, timeout_s, tests);
	return tsuite_run(s);
}

#endif
