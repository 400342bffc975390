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

/* Linux 6.4: the explicit drop action; its u32 payload is Open vSwitch's
 * translation error code (0: an ordinary drop). */
#define OVSDP_ACTION_ATTR_DROP 24

/* Linux 6.11: send a sample to the psample module (group, optional cookie). */
#define OVSDP_ACTION_ATTR_PSAMPLE 25
#define OVSDP_PSAMPLE_ATTR_GROUP 1
#define OVSDP_PSAMPLE_ATTR_COOKIE 2
#define OVSDP_PSAMPLE_COOKIE_MAX 16

/* No kernel defines this bit: a kernel that accepts it accepts anything. */
#define OVSDP_DP_F_IMPOSSIBLE (1u << 31)

#endif
