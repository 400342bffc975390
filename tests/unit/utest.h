/* utest.h: what the unit test programs share: a test case added to its
 * suite in one call, and running the suite the same way everywhere. */
#ifndef OVSDP_UTEST_H
#define OVSDP_UTEST_H

#include <stdlib.h>
#include <check.h>

/* A test case 'name' added to 's', with checked fixture 'setup' and
 * 'teardown' (either may be NULL) and a timeout of 'timeout_s' seconds
 * (0: Check's default).  Add its tests with tcase_add_test(). */
static inline TCase *
utest_tcase(Suite *s, const char *name, void (*setup)(void), void (*teardown)(void),
	    double timeout_s)
{
	TCase *tc = tcase_create(name);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	if (timeout_s > 0)
		tcase_set_timeout(tc, timeout_s);
	suite_add_tcase(s, tc);
	return tc;
}

/* srunner_run_all(CK_ENV) on 's' (CK_FORK, CK_RUN_CASE, CK_DEFAULT_TIMEOUT
 * work); the exit code: 1 when a test failed, else 0. */
static inline int
utest_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
