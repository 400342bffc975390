/* test-bench-stats.c: the statistics ovsdp-bench reports (tools/bench/
 * bench-stats.c): Student's t against printed tables, confidence
 * intervals at 95 % and at a corrected level, bootstrap intervals; the
 * procfs drop counters tests 3 and 4 read. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <math.h>

#include "bench.h"
#include "tsuite.h"

START_TEST(t_matches_the_tables)
{
	/* Two-sided 95 % critical values as statistics tables print them. */
	static const struct { unsigned int df; double t; } t975[] = {
		{ 1, 12.706 }, { 2, 4.303 }, { 3, 3.182 }, { 4, 2.776 }, { 5, 2.571 },
		{ 9, 2.262 }, { 10, 2.228 }, { 19, 2.093 }, { 29, 2.045 }, { 30, 2.042 },
		{ 60, 2.000 }, { 120, 1.980 },
	};
	/* And 99 % two-sided (p = 0.995), and 90 % (p = 0.95). */
	static const struct { unsigned int df; double p, t; } other[] = {
		{ 1, 0.995, 63.657 }, { 4, 0.995, 4.604 }, { 10, 0.995, 3.169 },
		{ 4, 0.95, 2.132 }, { 20, 0.95, 1.725 },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(t975); i++)
		ck_assert_double_eq_tol(bench_t975(t975[i].df), t975[i].t, 0.0006);
	for (unsigned int i = 0; i < G_N_ELEMENTS(other); i++)
		ck_assert_double_eq_tol(bench_t_quantile(other[i].p, other[i].df), other[i].t,
					0.0006);
	/* Large df tends to the normal's 1.95996. */
	ck_assert_double_eq_tol(bench_t975(100000), 1.95996, 0.0001);
}
END_TEST

START_TEST(t_cdf_and_quantile_agree)
{
	for (unsigned int df = 1; df <= 50; df += 7)
		for (double p = 0.01; p < 1; p += 0.07) {
			double t = bench_t_quantile(p, df);

			ck_assert_double_eq_tol(bench_t_cdf(t, df), p, 1e-9);
		}
	ck_assert_double_eq_tol(bench_t_cdf(0, 3), 0.5, 1e-12);
	ck_assert(isnan(bench_t_quantile(0.975, 0)));
	ck_assert(isnan(bench_t_quantile(0, 5)));
	ck_assert(isnan(bench_t_quantile(1, 5)));
	ck_assert(isnan(bench_t975(0)));
}
END_TEST

START_TEST(intervals_widen_with_the_correction)
{
	const double v[] = { 10, 12, 11, 13, 9, 10.5 };
	struct bench_ci ci95, ci983, b95, b983;

	bench_ci_t(v, G_N_ELEMENTS(v), &ci95);
	/* Bonferroni for three figures: each at 1 - 0.05 / 3. */
	bench_ci_t_level(v, G_N_ELEMENTS(v), 1 - 0.05 / 3, &ci983);
	ck_assert_double_eq_tol(ci95.mean, 10.916667, 1e-5);
	/* mean +- t(0.975, 5) * sd / sqrt(6): sd = 1.428869 */
	ck_assert_double_eq_tol(ci95.hi - ci95.mean, 2.570582 * 1.428869 / sqrt(6), 1e-4);
	ck_assert(ci983.lo < ci95.lo && ci983.hi > ci95.hi);
	bench_ci_bootstrap(v, G_N_ELEMENTS(v), 2000, 7, &b95);
	bench_ci_bootstrap_level(v, G_N_ELEMENTS(v), 1 - 0.05 / 3, 2000, 7, &b983);
	ck_assert(b95.lo < b95.mean && b95.mean < b95.hi);
	ck_assert(b983.lo <= b95.lo && b983.hi >= b95.hi);
	/* Fewer than two values: no interval. */
	bench_ci_t(v, 1, &ci95);
	ck_assert(isnan(ci95.lo) && isnan(ci95.hi));
	bench_ci_t_level(v, G_N_ELEMENTS(v), 1.5, &ci95);
	ck_assert(isnan(ci95.lo));
}
END_TEST

START_TEST(softnet_drops_are_the_second_column)
{
	/* 6.1's layout: 13 columns per CPU; the second is the drops. */
	static const char text[] =
		"0000a1b2 00000000 00000003 00000000 00000000 00000000 00000000 00000000 "
		"00000000 00000000 00000000 00000000 00000000\n"
		"00012345 000003e8 00000010 00000000 00000000 00000000 00000000 00000000 "
		"00000000 00000000 00000000 00000000 00000001\n"
		"00000002 0000000f 00000000 00000000 00000000 00000000 00000000 00000000 "
		"00000000 00000000 00000000 00000000 00000002\n";
	uint64_t per_cpu[2] = { 0, 0 }, total = 99;

	ck_assert_int_eq(bench_parse_softnet_dropped(text, per_cpu, 2, &total), 3);
	ck_assert_uint_eq(total, 1000 + 15);
	ck_assert_uint_eq(per_cpu[0], 0);
	ck_assert_uint_eq(per_cpu[1], 1000);
	ck_assert_int_eq(bench_parse_softnet_dropped("", NULL, 0, &total), 0);
	ck_assert_uint_eq(total, 0);
	ck_assert_int_eq(bench_parse_softnet_dropped("00000001\n", NULL, 0, &total), -EINVAL);
	ck_assert_int_eq(bench_parse_softnet_dropped("00000001 zz\n", NULL, 0, &total), -EINVAL);
}
END_TEST

START_TEST(netdev_drops_of_one_device)
{
	static const char text[] =
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
		"errs drop fifo colls carrier compressed\n"
		"    lo:       0       0    0    0    0     0          0         0        0       0 "
		"   0    0    0     0       0          0\n"
		"   tx0: 1000 10 1 2 0 0 0 0 2000 20 3 77 0 0 0 0\n"
		"  tx10: 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5 5\n"
		"   bd0:1 2 3 44 5 6 7 8 9 10 11 12 13 14 15 16\n"
		"   bad: 1 2 3\n";
	uint64_t rx = 0, tx = 0;

	ck_assert_int_eq(bench_parse_netdev_drops(text, "tx0", &rx, &tx), 0);
	ck_assert_uint_eq(rx, 2);
	ck_assert_uint_eq(tx, 77);
	/* "tx1" is not the prefix of tx10's line; no blank after the colon. */
	ck_assert_int_eq(bench_parse_netdev_drops(text, "tx1", &rx, &tx), -ENOENT);
	ck_assert_int_eq(bench_parse_netdev_drops(text, "bd0", &rx, &tx), 0);
	ck_assert_uint_eq(rx, 44);
	ck_assert_uint_eq(tx, 12);
	ck_assert_int_eq(bench_parse_netdev_drops(text, "bad", &rx, &tx), -EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bench-stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, t_matches_the_tables);
	tcase_add_test(tc, t_cdf_and_quantile_agree);
	tcase_add_test(tc, intervals_widen_with_the_correction);
	tcase_add_test(tc, softnet_drops_are_the_second_column);
	tcase_add_test(tc, netdev_drops_of_one_device);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
