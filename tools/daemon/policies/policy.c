/* policy.c: what the policies of ovsdpd share (policy.h), below every
 * policy: the runtime callback trampoline, output actions, and finding and
 * removing the flows a policy installed by their ufid mark. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/openvswitch.h>

#include "policy.h"

void
policy_upcall_fn(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n,
		 void *policy)
{
	struct policy *p = policy;

	p->cls->upcalls(p, h, ups, n);
}

void
policy_put_output(struct ovsdp_buf *actions, uint32_t port_no)
{
	ovsdp_buf_put_u32(actions, OVS_ACTION_ATTR_OUTPUT, port_no);
}

int
policy_flows_purge(struct ovsdp_dp *dp, bool (*match)(const struct ovsdp_flow *f, void *data),
		   void *data)
{
	g_autoptr(GArray) ufids = g_array_new(FALSE, FALSE, sizeof(struct ovsdp_ufid));
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *f;
	int r, deleted = 0;

	r = ovsdp_flow_dump_start(dp, 0, &d, NULL);
	if (r < 0)
		return r;
	/* Collect first: deleting while the dump walks the table could make
	 * it skip flows. */
	while ((r = ovsdp_flow_dump_next(d, &f, NULL)) == 1) {
		if (f->has_ufid && f->ufid.u32[0] == POLICY_UFID_MAGIC && (!match || match(f, data)))
			g_array_append_val(ufids, f->ufid);
	}
	ovsdp_flow_dump_free(d);
	if (r < 0)
		return r;
	for (guint i = 0; i < ufids->len; i++) {
		r = ovsdp_flow_del(dp, NULL, 0, &g_array_index(ufids, struct ovsdp_ufid, i), NULL,
				   NULL);
		if (r == 0)
			deleted++;
		else if (r != -ENOENT)
			return r;
	}
	return deleted;
}
