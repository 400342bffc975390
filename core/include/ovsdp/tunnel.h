/* ovsdp/tunnel.h: tunnel ports as upstream Open vSwitch makes them: an
 * external-mode (flow-based, collect_md) tunnel device created over
 * rtnetlink and attached to the datapath as a netdev port.  The key, the
 * remote and the other per-packet fields come from set(tunnel(...))
 * actions and are matched with tunnel(...) keys.  The kernel's legacy
 * tunnel vport types (gre, vxlan, geneve) are the fallback only where the
 * kernel lacks the device type. */
#ifndef OVSDP_TUNNEL_H
#define OVSDP_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/datapath.h>
#include <ovsdp/vport.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ovsdp_tunnel_kind {
	OVSDP_TUNNEL_NONE = 0,
	OVSDP_TUNNEL_VXLAN,             /* device kind "vxlan" */
	OVSDP_TUNNEL_GENEVE,            /* "geneve" */
	OVSDP_TUNNEL_GRE,               /* "gretap" */
	OVSDP_TUNNEL_IP6GRE,            /* "ip6gretap" */
	OVSDP_TUNNEL_ERSPAN,            /* "erspan" */
	OVSDP_TUNNEL_IP6ERSPAN,         /* "ip6erspan" */
	OVSDP_TUNNEL_BAREUDP,           /* "bareudp" (L3: no Ethernet header) */
};

/* How the port was made. */
enum ovsdp_tunnel_via {
	OVSDP_TUNNEL_VIA_AUTO = 0,      /* spec only: rtnetlink, else legacy */
	OVSDP_TUNNEL_VIA_RTNETLINK,     /* a device + a netdev port */
	OVSDP_TUNNEL_VIA_LEGACY,        /* OVS_VPORT_TYPE_{VXLAN,GRE,GENEVE} */
};

/* The alias ovsdp gives the devices it creates: deleting their port
 * (ovsdp_vport_del*) deletes them too. */
#define OVSDP_TUNNEL_ALIAS "ovsdp:tunnel"

struct ovsdp_tunnel_spec {
	const char *name;               /* the device and port name */
	uint32_t kind;                  /* enum ovsdp_tunnel_kind */
	uint32_t via;                   /* enum ovsdp_tunnel_via; 0 = auto */
	uint16_t dst_port;              /* vxlan, geneve (0: 4789, 6081), bareudp (needed) */
	uint16_t ethertype;             /* bareudp only (needed): its payload, e.g. 0x0800 */
	bool gbp;                       /* vxlan only: the group policy extension */
	uint32_t port_no;               /* 0: the kernel picks */
	const uint32_t *upcall_pids;    /* as in struct ovsdp_vport_spec */
	size_t n_upcall_pids;
};

struct ovsdp_tunnel_info {
	uint32_t kind;                  /* enum ovsdp_tunnel_kind */
	uint32_t via;                   /* RTNETLINK or LEGACY */
	char device_kind[16];           /* rtnetlink: IFLA_INFO_KIND, e.g. "gretap" */
	bool external;                  /* collect_md (always true for legacy ports) */
	bool ours;                      /* made by ovsdp: deleted with its port */
	bool has_dst_port;
	uint16_t dst_port;
	bool gbp;
	uint16_t ethertype;             /* bareudp */
};

/* "vxlan", "geneve", "gre", "ip6gre", "erspan", "ip6erspan", "bareudp"
 * ("none" for 0, "unknown" otherwise); "rtnetlink", "legacy". */
OVSDP_EXPORT const char *ovsdp_tunnel_kind_str(uint32_t kind);
OVSDP_EXPORT int ovsdp_tunnel_kind_from_str(const char *name);
OVSDP_EXPORT const char *ovsdp_tunnel_via_str(uint32_t via);

/* Create the tunnel and add it as a port.  Via rtnetlink: the device is
 * created in external mode, MTU 65000, up, aliased OVSDP_TUNNEL_ALIAS, then
 * added as a netdev port (and deleted again if that fails).  AUTO falls
 * back to the legacy vport type when the kernel has no such device type
 * (vxlan without gbp, geneve, gre only).  Fills *out and *tout when not
 * NULL.  Errors: -EEXIST (a device of that name), -EOPNOTSUPP (neither way
 * available), -EINVAL (bad spec), or what the kernel said; the message
 * names the port. */
OVSDP_EXPORT int ovsdp_tunnel_add(struct ovsdp_dp *dp, const struct ovsdp_tunnel_spec *spec,
				  struct ovsdp_vport_info *out, struct ovsdp_tunnel_info *tout,
				  GError **error);

/* What tunnel a port is: 1 and *out filled when it is one (a legacy
 * tunnel vport, or a netdev port whose device, in the caller's network
 * namespace, is a tunnel device), 0 when not, <0 on error. */
OVSDP_EXPORT int ovsdp_tunnel_get(const struct ovsdp_vport_info *port,
				  struct ovsdp_tunnel_info *out, GError **error);

#ifdef __cplusplus
}
#endif
#endif
