/* per-cpu-count.h: the pure arithmetic of per-cpu dispatch (how many
 * handlers, which socket each CPU id gets), private to the plugin and
 * compiled into its unit test, tests/unit/test-per-cpu-count.c. */
#ifndef OVSDP_PER_CPU_COUNT_H
#define OVSDP_PER_CPU_COUNT_H

#include <stdbool.h>
#include <stdint.h>

static inline bool
per_cpu_is_prime(unsigned int n)
{
	if (n < 2)
		return false;
	for (unsigned int d = 2; d <= n / d; d++)
		if (n % d == 0)
			return false;
	return true;
}

/* The number of handler threads for 'active' CPUs in the affinity set out
 * of 'total' online CPUs.  With every CPU usable, one handler per CPU.
 * When some are isolated, the kernel still spreads upcalls over all CPU
 * ids (cpu % n), and a handler count that shares a factor with the CPU
 * numbering piles several busy CPUs onto one socket: OVS
 * raises the count to the smallest prime above 'active', never above
 * 'total', and only when there are more than two CPUs.  0 for 'active'
 * or 'total' means "unknown" and falls back on the other. */
static inline uint32_t
per_cpu_handler_count(unsigned int active, unsigned int total)
{
	unsigned int n;

	if (active == 0)
		active = total;
	if (total == 0)
		total = active;
	n = active;
	if (active < total && total > 2) {
		unsigned int p = active + 1;

		while (!per_cpu_is_prime(p) && p < total)
			p++;
		n = p < total ? p : total;
	}
	return n ? n : 1;
}

/* Fill the datapath's per-cpu pid array: CPU id c goes to the socket of
 * handler c % n_handlers, for every id 0..n_ids-1 (a shorter array makes
 * the kernel log "cpu_id mismatch with handler threads").  'portids' NULL
 * (or n_handlers 0) points every CPU at 0: the kernel then drops misses
 * and counts them as lost. */
static inline void
per_cpu_fill_pids(uint32_t *pids, unsigned int n_ids, const uint32_t *portids,
		  unsigned int n_handlers)
{
	for (unsigned int c = 0; c < n_ids; c++)
		pids[c] = portids && n_handlers ? portids[c % n_handlers] : 0;
}

#endif
