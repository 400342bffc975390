/* tunnel-port.c: adding a tunnel port (ovsdp_tunnel_add): the spec
 * checked, the device made by tunnel.c attached as a netdev port, or the
 * legacy tunnel vport where the kernel lacks the device type (or the
 * caller asks for it). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>

#include "dp/datapath-internal.h"
#include "ovsdp/tunnel.h"
#include "ovsdp/vport.h"

static int
add_legacy(struct ovsdp_dp *dp, const struct ovsdp_tunnel_spec *spec,
	   struct ovsdp_vport_info *out, GError **error)
{
	struct ovsdp_vport_spec vs = {
		.name = spec->name, .type = ovsdp_tunnel_legacy_type(spec->kind),
		.port_no = spec->port_no,
		.upcall_pids = spec->upcall_pids, .n_upcall_pids = spec->n_upcall_pids,
		.dst_port = spec->kind == OVSDP_TUNNEL_GRE ? 0 : spec->dst_port,
	};

	return ovsdp_vport_add(dp, &vs, out, error);
}

OVSDP_EXPORT int
ovsdp_tunnel_add(struct ovsdp_dp *dp, const struct ovsdp_tunnel_spec *spec,
		 struct ovsdp_vport_info *out, struct ovsdp_tunnel_info *tout, GError **error)
{
	struct ovsdp_vport_info info;
	g_autofree char *what = NULL;
	enum ovsdp_tunnel_step step;
	char kmsg[160] = "";
	bool udp;
	int r;

	if (!dp || !spec || !spec->name || !*spec->name || strlen(spec->name) >= IFNAMSIZ)
		return ovsdp_set_error(error, -EINVAL, NULL, "adding tunnel %.64s: bad name (1 to %d bytes)",
				       spec && spec->name ? spec->name : "(null)", IFNAMSIZ - 1);
	what = g_strdup_printf("adding tunnel %s", spec->name);
	if (spec->kind == OVSDP_TUNNEL_NONE || !ovsdp_tunnel_device_kind(spec->kind))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: unknown tunnel type %u", what,
				       spec->kind);
	if (spec->via > OVSDP_TUNNEL_VIA_LEGACY)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: unknown way %u", what,
				       spec->via);
	udp = spec->kind == OVSDP_TUNNEL_VXLAN || spec->kind == OVSDP_TUNNEL_GENEVE ||
	      spec->kind == OVSDP_TUNNEL_BAREUDP;
	if (spec->dst_port && !udp)
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: dst_port is for vxlan, geneve and bareudp, not %s", what,
				       ovsdp_tunnel_kind_str(spec->kind));
	if (spec->gbp && spec->kind != OVSDP_TUNNEL_VXLAN)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: gbp is for vxlan only", what);
	if (spec->ethertype && spec->kind != OVSDP_TUNNEL_BAREUDP)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: ethertype is for bareudp only",
				       what);
	if (spec->kind == OVSDP_TUNNEL_BAREUDP && (!spec->dst_port || !spec->ethertype))
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: bareudp needs dst_port and ethertype", what);
	if (spec->via == OVSDP_TUNNEL_VIA_LEGACY &&
	    (!ovsdp_tunnel_legacy_type(spec->kind) || spec->gbp))
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: %s has no legacy vport type", what,
				       spec->gbp ? "vxlan with gbp" : ovsdp_tunnel_kind_str(spec->kind));

	if (spec->via == OVSDP_TUNNEL_VIA_LEGACY) {
		r = add_legacy(dp, spec, &info, error);
		goto done;
	}
	r = ovsdp_tunnel_device_add(spec, &step, kmsg, sizeof kmsg);
	if (r == -EOPNOTSUPP && step == OVSDP_TUNNEL_STEP_CREATE &&
	    spec->via == OVSDP_TUNNEL_VIA_AUTO && ovsdp_tunnel_legacy_type(spec->kind) &&
	    !spec->gbp) {
		/* The kernel has no such device type: the legacy vport. */
		r = add_legacy(dp, spec, &info, error);
		goto done;
	}
	if (r < 0 && step == OVSDP_TUNNEL_STEP_SOCKET)
		return ovsdp_set_error(error, r, NULL, "%s: route socket", what);
	if (r < 0 && step == OVSDP_TUNNEL_STEP_UP)
		return ovsdp_set_error(error, r, kmsg, "%s: setting the device up", what);
	if (r < 0) {
		if (r == -EOPNOTSUPP)
			return ovsdp_set_error(error, r, kmsg,
					       "%s: the kernel has no %s device type%s", what,
					       ovsdp_tunnel_device_kind(spec->kind),
					       ovsdp_tunnel_legacy_type(spec->kind) && !spec->gbp &&
					       spec->via == OVSDP_TUNNEL_VIA_RTNETLINK
					       ? " (via=legacy may work)" : "");
		return ovsdp_set_error(error, r, kmsg, "%s: creating the %s device", what,
				       ovsdp_tunnel_device_kind(spec->kind));
	}
	{
		struct ovsdp_vport_spec vs = {
			.name = spec->name, .type = OVSDP_VPORT_TYPE_NETDEV,
			.port_no = spec->port_no, .upcall_pids = spec->upcall_pids,
			.n_upcall_pids = spec->n_upcall_pids,
		};

		r = ovsdp_vport_add(dp, &vs, &info, error);
	}
	if (r < 0)
		ovsdp_tunnel_device_del(spec->name);
done:
	if (r < 0)
		return r;
	if (out)
		*out = info;
	if (tout && ovsdp_tunnel_get(&info, tout, error) < 0)
		return -EIO;
	return 0;
}
