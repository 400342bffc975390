/* policy-drop.c: the drop policy of ovsdpd: every upcall is counted and
 * dropped, and no flow is installed, so every packet keeps coming up: the
 * policy for measuring dispatchers (ovsdp ctl stats) under steady load. */
#include "config.h"

#include <errno.h>

#include "policy.h"

struct drop {
	struct policy base;
	uint64_t upcalls;       /* atomic */
	uint64_t misses;        /* atomic: of which OVSDP_UPCALL_MISS */
};

static void
drop_upcalls(struct policy *p, struct ovsdp_handler *h, const struct ovsdp_upcall *ups,
	     unsigned int n)
{
	struct drop *d = (struct drop *)p;
	unsigned int misses = 0;

	for (unsigned int i = 0; i < n; i++)
		misses += ups[i].cmd == OVSDP_UPCALL_MISS;
	__atomic_add_fetch(&d->upcalls, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&d->misses, misses, __ATOMIC_RELAXED);
}

static void
drop_port_added(struct policy *p, uint32_t port_no, const char *name)
{
}

static void
drop_port_deleted(struct policy *p, uint32_t port_no)
{
}

static unsigned int
drop_counters(struct policy *p, struct policy_counter *out, unsigned int max)
{
	struct drop *d = (struct drop *)p;
	uint64_t up = __atomic_load_n(&d->upcalls, __ATOMIC_RELAXED);

	if (max < 3)
		return 0;
	out[0] = (struct policy_counter){ "upcalls", up };
	out[1] = (struct policy_counter){ "misses", __atomic_load_n(&d->misses, __ATOMIC_RELAXED) };
	out[2] = (struct policy_counter){ "dropped", up };
	return 3;
}

static GArray *
drop_macs(struct policy *p)
{
	return NULL;
}

static char *
drop_describe(struct policy *p)
{
	return g_strdup("drop: count every upcall and drop the packet; no flows installed");
}

static void
drop_destroy(struct policy *p, struct ovsdp_dp *dp)
{
	g_free(p->dp_name);
	g_free(p);
}

static const struct policy_class drop_class = {
	.name = "drop",
	.destroy = drop_destroy,
	.upcalls = drop_upcalls,
	.port_added = drop_port_added,
	.port_deleted = drop_port_deleted,
	.counters = drop_counters,
	.macs = drop_macs,
	.describe = drop_describe,
};

struct policy *
policy_drop_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
		const struct ovsdp_vport_info *ports, unsigned int n_ports, GError **error)
{
	struct drop *d = g_new0(struct drop, 1);

	d->base.cls = &drop_class;
	d->base.dp_name = g_strdup(ovsdp_dp_name(dp));
	return &d->base;
}
