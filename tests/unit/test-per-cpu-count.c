/* test-per-cpu-count.c: the per-cpu plugin's arithmetic: how many handlers
 * it demands for a given affinity set, and the per-cpu pid array it gives
 * the kernel (plugins/dispatch-per-cpu/per-cpu-count.h). */
#include "config.h"

#include <check.h>

#include "../../plugins/dispatch-per-cpu/per-cpu-count.h"

START_TEST(every_cpu_usable)
{
	ck_assert_uint_eq(per_cpu_handler_count(8, 8), 8);
	ck_assert_uint_eq(per_cpu_handler_count(1, 1), 1);
	ck_assert_uint_eq(per_cpu_handler_count(96, 96), 96);
}
END_TEST

START_TEST(isolated_cpus_raise_to_next_prime)
{
	ck_assert_uint_eq(per_cpu_handler_count(2, 8), 3);
	ck_assert_uint_eq(per_cpu_handler_count(4, 8), 5);
	ck_assert_uint_eq(per_cpu_handler_count(6, 96), 7);
	ck_assert_uint_eq(per_cpu_handler_count(1, 4), 2);
	ck_assert_uint_eq(per_cpu_handler_count(3, 8), 5);  /* above, never equal */
	ck_assert_uint_eq(per_cpu_handler_count(24, 96), 29);
}
END_TEST

START_TEST(never_above_the_total)
{
	ck_assert_uint_eq(per_cpu_handler_count(7, 8), 8);
	ck_assert_uint_eq(per_cpu_handler_count(3, 4), 4);
	ck_assert_uint_eq(per_cpu_handler_count(90, 96), 96);
}
END_TEST

START_TEST(two_cpus_or_fewer_keep_the_count)
{
	ck_assert_uint_eq(per_cpu_handler_count(1, 2), 1);
	ck_assert_uint_eq(per_cpu_handler_count(2, 2), 2);
}
END_TEST

START_TEST(unknown_counts)
{
	ck_assert_uint_eq(per_cpu_handler_count(0, 0), 1);
	ck_assert_uint_eq(per_cpu_handler_count(0, 6), 6);
	ck_assert_uint_eq(per_cpu_handler_count(4, 0), 4);
}
END_TEST

START_TEST(pids_cover_every_cpu_id)
{
	const uint32_t portids[3] = { 101, 102, 103 };
	uint32_t pids[8];

	per_cpu_fill_pids(pids, 8, portids, 3);
	for (unsigned int c = 0; c < 8; c++)
		ck_assert_uint_eq(pids[c], portids[c % 3]);
	per_cpu_fill_pids(pids, 8, NULL, 3);
	for (unsigned int c = 0; c < 8; c++)
		ck_assert_uint_eq(pids[c], 0);
	/* More handlers than CPU ids: the extra sockets get nothing. */
	per_cpu_fill_pids(pids, 2, portids, 3);
	ck_assert_uint_eq(pids[0], 101);
	ck_assert_uint_eq(pids[1], 102);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("per-cpu-count");
	TCase *tc = tcase_create("count");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_cpu_usable);
	tcase_add_test(tc, isolated_cpus_raise_to_next_prime);
	tcase_add_test(tc, never_above_the_total);
	tcase_add_test(tc, two_cpus_or_fewer_keep_the_count);
	tcase_add_test(tc, unknown_counts);
	tcase_add_test(tc, pids_cover_every_cpu_id);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
