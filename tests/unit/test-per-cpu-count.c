/* test-per-cpu-count.c: the per-cpu plugin's arithmetic: how many handlers
 * it demands for a given affinity set, and the per-cpu pid array it gives
 * the kernel (plugins/dispatch-per-cpu/per-cpu-count.h). */
#include "config.h"

#include <check.h>

#include "../../plugins/dispatch-per-cpu/per-cpu-count.h"
#include "tsuite.h"

/* per_cpu_handler_count(usable, total) and what it must give. */
static const struct {
	unsigned int usable, total, want;
} counts[] = {
	/* Every CPU usable: one handler each. */
	{ 8, 8, 8 }, { 1, 1, 1 }, { 96, 96, 96 },
	/* Isolated CPUs: raised to the next prime, above and never equal. */
	{ 2, 8, 3 }, { 4, 8, 5 }, { 6, 96, 7 }, { 1, 4, 2 }, { 3, 8, 5 }, { 24, 96, 29 },
	/* Never above the total. */
	{ 7, 8, 8 }, { 3, 4, 4 }, { 90, 96, 96 },
	/* Two CPUs or fewer keep the count. */
	{ 1, 2, 1 }, { 2, 2, 2 },
	/* Unknown counts (0). */
	{ 0, 0, 1 }, { 0, 6, 6 }, { 4, 0, 4 },
};

START_TEST(handler_count)
{
	unsigned int got = per_cpu_handler_count(counts[_i].usable, counts[_i].total);

	ck_assert_msg(got == counts[_i].want, "per_cpu_handler_count(%u, %u) = %u, want %u",
		      counts[_i].usable, counts[_i].total, got, counts[_i].want);
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

	tcase_add_loop_test(tc, handler_count, 0, sizeof counts / sizeof counts[0]);
	tcase_add_test(tc, pids_cover_every_cpu_id);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
