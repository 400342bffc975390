/* ovsdp/vport.h: the ports of a datapath (the ovs_vport family): add
 * netdev, internal and tunnel ports, delete them, read them one at a time
 * or all together, and say which sockets receive their upcalls. */
#ifndef OVSDP_VPORT_H
#define OVSDP_VPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/datapath.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Port types (the kernel's OVS_VPORT_TYPE_* values). */
enum ovsdp_vport_type {
	OVSDP_VPORT_TYPE_UNSPEC = 0,
	OVSDP_VPORT_TYPE_NETDEV = 1,    /* an existing network device */
	OVSDP_VPORT_TYPE_INTERNAL = 2,  /* a device the datapath creates */
	OVSDP_VPORT_TYPE_GRE = 3,
	OVSDP_VPORT_TYPE_VXLAN = 4,
	OVSDP_VPORT_TYPE_GENEVE = 5,
};

/* The local port every datapath has, named after the datapath. */
#define OVSDP_PORT_LOCAL 0u
/* "No port" for in_port when a message carries none. */
#define OVSDP_PORT_NONE UINT32_MAX

/* struct ovs_vport_stats, field for field. */
struct ovsdp_vport_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t rx_errors;
	uint64_t tx_errors;
	uint64_t rx_dropped;
	uint64_t tx_dropped;
};

struct ovsdp_vport_info {
	uint32_t port_no;
	uint32_t type;                  /* enum ovsdp_vport_type */
	char name[OVSDP_NAME_MAX];
	int dp_ifindex;
	int ifindex;                    /* 0 when the kernel does not say */
	bool has_netnsid;               /* the device lives in another netns */
	int32_t netnsid;
	struct ovsdp_vport_stats stats;
	uint32_t n_upcall_pids;         /* length of the pid array */
	uint32_t upcall_pid;            /* its first entry (0 when empty) */
	bool has_dst_port;              /* tunnel UDP destination port option */
	uint16_t dst_port;
	bool has_upcall_stats;          /* Linux 6.2+ */
	uint64_t upcall_success;
	uint64_t upcall_fail;
};

/* What to add.  Unset fields (zero) take defaults. */
struct ovsdp_vport_spec {
	const char *name;               /* device name (created for internal/tunnels) */
	uint32_t type;                  /* enum ovsdp_vport_type; 0 means netdev */
	uint32_t port_no;               /* 0: the kernel picks the lowest free one */
	const uint32_t *upcall_pids;    /* NULL/0: a single pid 0 (no upcalls) */
	size_t n_upcall_pids;
	uint16_t dst_port;              /* vxlan/geneve: UDP port, 0 = the IANA one */
};

/* "netdev", "internal", "gre", "vxlan", "geneve" ("unknown" otherwise). */
OVSDP_EXPORT const char *ovsdp_vport_type_str(uint32_t type);
/* Parse a type name; returns the type or -EINVAL. */
OVSDP_EXPORT int ovsdp_vport_type_from_str(const char *name);

/* Add a port.  On success fills *out when not NULL (port number the kernel
 * chose, ifindex...).  Errors: -EEXIST (already a port), -EBUSY (port
 * number taken), -ENODEV (no such device for netdev), -EFBIG (no free
 * number), -EAFNOSUPPORT / -EOPNOTSUPP (tunnel type not available),
 * -EINVAL; the message names the port. */
OVSDP_EXPORT int ovsdp_vport_add(struct ovsdp_dp *dp, const struct ovsdp_vport_spec *spec,
				 struct ovsdp_vport_info *out, GError **error);

/* Delete a port by name or by number.  Errors: -ENODEV, -EINVAL (port 0). */
OVSDP_EXPORT int ovsdp_vport_del_by_name(struct ovsdp_dp *dp, const char *name,
					 GError **error);
OVSDP_EXPORT int ovsdp_vport_del(struct ovsdp_dp *dp, uint32_t port_no, GError **error);

/* Read one port.  Errors: -ENODEV (no such port on this datapath). */
OVSDP_EXPORT int ovsdp_vport_get_by_name(struct ovsdp_dp *dp, const char *name,
					 struct ovsdp_vport_info *out, GError **error);
OVSDP_EXPORT int ovsdp_vport_get(struct ovsdp_dp *dp, uint32_t port_no,
				 struct ovsdp_vport_info *out, GError **error);

/* Every port of the datapath, sorted by port number: *out is a g_free()able
 * array; returns the count. */
OVSDP_EXPORT int ovsdp_vport_list(struct ovsdp_dp *dp, struct ovsdp_vport_info **out,
				  GError **error);

/* Replace a port's upcall pid array ('n' >= 1; the kernel picks
 * pids[hash % n] when the datapath has OVSDP_DP_F_VPORT_PIDS).  Kernels
 * with the 2025 stable fix refuse arrays longer than the number of
 * possible CPUs with -EINVAL. */
OVSDP_EXPORT int ovsdp_vport_set_upcall_pids(struct ovsdp_dp *dp, uint32_t port_no,
					     const uint32_t *pids, size_t n, GError **error);

/* Read a port's whole upcall pid array into pids[0..max-1]; returns the
 * array's length (which may exceed 'max'). */
OVSDP_EXPORT int ovsdp_vport_get_upcall_pids(struct ovsdp_dp *dp, uint32_t port_no,
					     uint32_t *pids, size_t max, GError **error);

#ifdef __cplusplus
}
#endif
#endif
