/* bench-stats.c: the statistics ovsdp-bench reports: summaries of latency
 * samples (min/avg/max/mdev and percentiles), Student's t distribution, and
 * confidence intervals of a mean over A/B rounds (95 %, or the level a
 * correction for several comparisons asks), t-based and bootstrap. */
#include "config.h"

#include <errno.h>
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

/* I_x(a, b), the regularised incomplete beta function.  Its continued
 * fraction, evaluated by the modified Lentz method, converges quickly for
 * x < (a + 1) / (a + b + 2); the symmetry I_x(a, b) = 1 - I_(1-x)(b, a)
 * covers the rest. */
static double
beta_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), f;

	d = 1 / (fabs(d) < tiny ? tiny : d);
	f = d;
	for (int m = 1; m <= 500; m++) {
		/* The even and the odd term of step m. */
		double terms[2] = {
			m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
			-(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
		};
		double last = 1;

		for (int k = 0; k < 2; k++) {
			d = 1 + terms[k] * d;
			d = 1 / (fabs(d) < tiny ? tiny : d);
			c = 1 + terms[k] / c;
			c = fabs(c) < tiny ? tiny : c;
			last = c * d;
			f *= last;
		}
		if (fabs(last - 1) < 1e-15)
			break;
	}
	return f;
}

static double
incomplete_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double
bench_t_cdf(double t, unsigned int df)
{
	double tail;

	if (df == 0 || isnan(t))
		return NAN;
	tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
	return t >= 0 ? 1 - tail : tail;
}

double
bench_t_quantile(double p, unsigned int df)
{
	double lo = 0, hi = 1;

	if (df == 0 || !(p > 0 && p < 1))
		return NAN;
	if (p < 0.5)
		return -bench_t_quantile(1 - p, df);
	while (bench_t_cdf(hi, df) < p && hi < 1e15)
		hi *= 2;
	/* The CDF is monotonic: bisect to a relative 1e-12. */
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (bench_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double
bench_t975(unsigned int df)
{
	return bench_t_quantile(0.975, df);
}

void
bench_ci_t_level(const double *v, size_t n, double level, struct bench_ci *out)
{
	double half;

	out->mean = bench_mean(v, n);
	out->lo = out->hi = NAN;
	if (n < 2 || !(level > 0 && level < 1))
		return;
	half = bench_t_quantile(1 - (1 - level) / 2, (unsigned int)(n - 1)) *
	       bench_sample_sd(v, n) / sqrt((double)n);
	out->lo = out->mean - half;
	out->hi = out->mean + half;
}

void
bench_ci_t(const double *v, size_t n, struct bench_ci *out)
{
	bench_ci_t_level(v, n, 0.95, out);
}

void
bench_ci_bootstrap_level(const double *v, size_t n, double level, unsigned int resamples,
			 guint32 seed, struct bench_ci *out)
{
	g_autoptr(GRand) rng = NULL;
	g_autofree double *means = NULL;

	out->mean = bench_mean(v, n);
	out->lo = out->hi = NAN;
	if (n < 2 || resamples < 20 || !(level > 0 && level < 1))
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
	out->lo = quantile_sorted(means, resamples, (1 - level) / 2);
	out->hi = quantile_sorted(means, resamples, 1 - (1 - level) / 2);
}

void
bench_ci_bootstrap(const double *v, size_t n, unsigned int resamples, guint32 seed,
		   struct bench_ci *out)
{
	bench_ci_bootstrap_level(v, n, 0.95, resamples, seed, out);
}

void
bench_shuffle(GRand *g, unsigned int *v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		v[i] = i;
	/* Fisher-Yates: each of the n! orders equally likely. */
	for (unsigned int i = n; i > 1; i--) {
		unsigned int j = (unsigned int)g_rand_int_range(g, 0, (gint32)i), t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

int
bench_parse_softnet_dropped(const char *text, uint64_t *per_cpu, unsigned int max,
			    uint64_t *total)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	int cpus = 0;

	*total = 0;
	for (char **l = lines; *l; l++) {
		g_auto(GStrv) cols = NULL;
		char *end;
		uint64_t v;

		if (!**l)
			continue;
		cols = g_strsplit_set(g_strstrip(*l), " \t", -1);
		if (g_strv_length(cols) < 2)
			return -EINVAL;
		for (unsigned int c = 0; c < 2; c++) {
			errno = 0;
			v = g_ascii_strtoull(cols[c], &end, 16);
			if (errno || end == cols[c] || *end)
				return -EINVAL;
		}
		if (per_cpu && (unsigned int)cpus < max)
			per_cpu[cpus] += v;
		*total += v;
		cpus++;
	}
	return cpus;
}

int
bench_parse_netdev_drops(const char *text, const char *ifname, uint64_t *rx_drop,
			 uint64_t *tx_drop)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	size_t len = strlen(ifname);

	for (char **l = lines; *l; l++) {
		const char *s = *l;
		uint64_t f[16];
		char *end;

		while (*s == ' ')
			s++;
		if (strncmp(s, ifname, len) || s[len] != ':')
			continue;
		s += len + 1;
		/* rx: bytes packets errs drop fifo frame compressed multicast;
		 * tx: bytes packets errs drop fifo colls carrier compressed */
		for (unsigned int i = 0; i < G_N_ELEMENTS(f); i++) {
			errno = 0;
			f[i] = g_ascii_strtoull(s, &end, 10);
			if (errno || end == s)
				return -EINVAL;
			s = end;
		}
		*rx_drop = f[3];
		*tx_drop = f[11];
		return 0;
	}
	return -ENOENT;
}
