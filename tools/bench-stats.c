/* bench-stats.c: the statistics ovsdp-bench reports: summaries of latency
 * samples (min/avg/max/mdev and percentiles) and 95 % confidence intervals
 * of a mean over A/B rounds, t-based and bootstrap. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Linear interpolation between closest ranks of a sorted sample. */
static double
quantile_sorted(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;

	return s[lo] + (s[hi] - s[lo]) * (pos - (double)lo);
}

double
bench_mean(const double *v, size_t n)
{
	double sum = 0;

	if (!v || n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return sum / (double)n;
}

static double
sum_sq_dev(const double *v, size_t n, double mean)
{
	double ss = 0;

	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	return ss;
}

double
bench_sample_sd(const double *v, size_t n)
{
	if (!v || n < 2)
		return NAN;
	return sqrt(sum_sq_dev(v, n, bench_mean(v, n)) / (double)(n - 1));
}

void
bench_summarize(const double *v, size_t n, struct bench_summary *out)
{
	g_autofree double *s = NULL;

	memset(out, 0, sizeof *out);
	out->n = n;
	if (!v || n == 0) {
		out->min = out->max = out->mean = out->sd = NAN;
		out->p50 = out->p90 = out->p99 = NAN;
		return;
	}
	s = g_memdup2(v, n * sizeof *v);
	qsort(s, n, sizeof *s, cmp_double);
	out->min = s[0];
	out->max = s[n - 1];
	out->mean = bench_mean(s, n);
	out->sd = sqrt(sum_sq_dev(s, n, out->mean) / (double)n);
	out->p50 = quantile_sorted(s, n, 0.50);
	out->p90 = quantile_sorted(s, n, 0.90);
	out->p99 = quantile_sorted(s, n, 0.99);
}

double
bench_t975(unsigned int df)
{
	/* Two-sided 95 % critical values of Student's t, df 1..30. */
	static const double t[] = {
		12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
	};

	if (df == 0)
		return NAN;
	if (df <= G_N_ELEMENTS(t))
		return t[df - 1];
	if (df <= 40)
		return 2.021;
	if (df <= 60)
		return 2.000;
	if (df <= 120)
		return 1.980;
	return 1.960;
}

void
bench_ci_t(const double *v, size_t n, struct bench_ci *out)
{
	double half;

	out->mean = bench_mean(v, n);
	out->lo = out->hi = NAN;
	if (n < 2)
		return;
	half = bench_t975((unsigned int)(n - 1)) * bench_sample_sd(v, n) / sqrt((double)n);
	out->lo = out->mean - half;
	out->hi = out->mean + half;
}

void
bench_ci_bootstrap(const double *v, size_t n, unsigned int resamples, guint32 seed,
		   struct bench_ci *out)
{
	g_autoptr(GRand) rng = NULL;
	g_autofree double *means = NULL;

	out->mean = bench_mean(v, n);
	out->lo = out->hi = NAN;
	if (n < 2 || resamples < 20)
		return;
	rng = g_rand_new_with_seed(seed);
	means = g_new(double, resamples);
	for (unsigned int r = 0; r < resamples; r++) {
		double sum = 0;

		for (size_t i = 0; i < n; i++)
			sum += v[g_rand_int_range(rng, 0, (gint32)n)];
		means[r] = sum / (double)n;
	}
	qsort(means, resamples, sizeof *means, cmp_double);
	out->lo = quantile_sorted(means, resamples, 0.025);
	out->hi = quantile_sorted(means, resamples, 0.975);
}
