/* ovs-compat.h: attribute numbers newer than the build host's
 * <linux/openvswitch.h>.  The values are part of the kernel's stable uAPI;
 * defining them here lets one build speak to every kernel in the matrix. */
#ifndef OVSDP_OVS_COMPAT_H
#define OVSDP_OVS_COMPAT_H

#include <linux/openvswitch.h>

/* Linux 6.2: per-vport upcall success/failure counters. */
#define OVSDP_VPORT_ATTR_UPCALL_STATS 10
#define OVSDP_VPORT_UPCALL_ATTR_SUCCESS 0
#define OVSDP_VPORT_UPCALL_ATTR_FAIL 1

/* Linux 6.17: OVS_PACKET_CMD_EXECUTE may name the upcall socket. */
#define OVSDP_PACKET_ATTR_UPCALL_PID 12

/* No kernel defines this bit: a kernel that accepts it accepts anything. */
#define OVSDP_DP_F_IMPOSSIBLE (1u << 31)

#endif
