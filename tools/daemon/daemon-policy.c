/* daemon-policy.c: the daemon's choice of policy from ovsdpd.conf, above
 * the policies (policies/policy-*.c), which never call back here. */
#include "config.h"

#include <errno.h>

#include "policy.h"

struct policy *
policy_new(const struct daemon_config *cfg, struct ovsdp_dp *dp,
	   const struct ovsdp_vport_info *ports, unsigned int n_ports, GError **error)
{
	switch (cfg->policy) {
	case POLICY_LEARNING:
		return policy_learning_new(cfg, dp, ports, n_ports, error);
	case POLICY_SLOWPATH:
		return policy_slowpath_new(cfg, dp, ports, n_ports, error);
	case POLICY_DROP:
		return policy_drop_new(cfg, dp, ports, n_ports, error);
	}
	g_set_error(error, OVSDP_ERROR, EINVAL, "unknown policy");
	return NULL;
}
