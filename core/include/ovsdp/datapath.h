/* ovsdp/datapath.h: kernel datapaths (the ovs_datapath family): create,
 * open, delete and list them, read their statistics, negotiate user
 * features, point upcalls at sockets, and watch datapath/port changes. */
#ifndef OVSDP_DATAPATH_H
#define OVSDP_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest datapath or port name, with its NUL (the kernel's IFNAMSIZ). */
#define OVSDP_NAME_MAX 16

/* User features (the kernel's OVS_DP_F_* bits, same values). */
#define OVSDP_DP_F_UNALIGNED            (1u << 0) /* last upcall attribute unpadded */
#define OVSDP_DP_F_VPORT_PIDS           (1u << 1) /* a vport may take n upcall pids */
#define OVSDP_DP_F_TC_RECIRC_SHARING    (1u << 2)
#define OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU (1u << 3) /* upcalls go to per-cpu pids */

/* What OVS asks for on a new datapath, and ovsdp_dp_create()'s default. */
#define OVSDP_DP_F_DEFAULT (OVSDP_DP_F_UNALIGNED | OVSDP_DP_F_VPORT_PIDS)

/* A handle on one kernel datapath.  It owns a request socket; calls on one
 * handle are serialised internally, so threads may share it, but each
 * thread that issues many requests is better served by its own handle. */
struct ovsdp_dp;

struct ovsdp_dp_stats {
	uint64_t n_hit;                 /* packets that matched a flow */
	uint64_t n_missed;              /* packets sent (or meant) to userspace */
	uint64_t n_lost;                /* misses that could not be queued */
	uint64_t n_flows;
	bool has_megaflow_stats;        /* the three below are valid */
	uint64_t n_mask_hit;            /* masks visited by lookups */
	uint32_t n_masks;
	uint64_t n_cache_hit;           /* 0 on kernels without the mask cache */
};

struct ovsdp_dp_info {
	char name[OVSDP_NAME_MAX];
	int ifindex;                    /* of the datapath's local (internal) port */
	uint32_t user_features;
	struct ovsdp_dp_stats stats;
	bool has_masks_cache_size;      /* Linux 5.9+ */
	uint32_t masks_cache_size;
	uint32_t n_per_cpu_pids;        /* when the kernel reports them, else 0 */
};

/* Create datapath 'name' with its local port's upcall pid (0: none) and the
 * given user features (OVSDP_DP_F_DEFAULT is what OVS uses).  On success
 * *out is an open handle.  Errors: -EEXIST (name taken), -EOPNOTSUPP
 * (a feature bit the kernel refuses), -EINVAL, -EPERM, -ENOENT (no
 * openvswitch module). */
OVSDP_EXPORT int ovsdp_dp_create(const char *name, uint32_t upcall_pid,
				 uint32_t user_features, struct ovsdp_dp **out,
				 GError **error);

/* Open the existing datapath 'name'; its current user features are read
 * and kept in the handle.  Errors: -ENODEV (no such datapath), -ENOENT. */
OVSDP_EXPORT int ovsdp_dp_open(const char *name, struct ovsdp_dp **out, GError **error);

/* Release the handle (the kernel datapath stays).  NULL is accepted. */
OVSDP_EXPORT void ovsdp_dp_close(struct ovsdp_dp *dp);

/* Delete the kernel datapath and all its ports and flows.  The handle must
 * still be closed.  Errors: -ENODEV when it is already gone. */
OVSDP_EXPORT int ovsdp_dp_del(struct ovsdp_dp *dp, GError **error);

/* Name and local-port ifindex of the handle's datapath ("" / -EINVAL on NULL). */
OVSDP_EXPORT const char *ovsdp_dp_name(const struct ovsdp_dp *dp);
OVSDP_EXPORT int ovsdp_dp_ifindex(const struct ovsdp_dp *dp);

/* The generic netlink id of ovs_packet (what upcall messages carry as
 * nlmsg_type), for ovsdp_upcall_parse().  Negative errno on NULL. */
OVSDP_EXPORT int ovsdp_dp_packet_family(const struct ovsdp_dp *dp);

/* Whether OVS_PACKET_CMD_EXECUTE takes an upcall pid on this kernel (6.17+). */
OVSDP_EXPORT bool ovsdp_dp_execute_has_upcall_pid(const struct ovsdp_dp *dp);

/* Fresh name, statistics, features and cache size from the kernel. */
OVSDP_EXPORT int ovsdp_dp_get_info(struct ovsdp_dp *dp, struct ovsdp_dp_info *out,
				   GError **error);

/* Every datapath in this network namespace: *out is a g_free()able array;
 * returns the count (0 leaves *out NULL). */
OVSDP_EXPORT int ovsdp_dp_list(struct ovsdp_dp_info **out, GError **error);

/* The user features the handle last set or read (the kernel replaces the
 * whole set on each SET, so the handle keeps it and resends it). */
OVSDP_EXPORT uint32_t ovsdp_dp_user_features(const struct ovsdp_dp *dp);

/* Replace the user features with 'features'.  Errors: -EOPNOTSUPP when the
 * kernel refuses a bit (e.g. per-cpu dispatch before Linux 5.14). */
OVSDP_EXPORT int ovsdp_dp_set_user_features(struct ovsdp_dp *dp, uint32_t features,
					    GError **error);

/* Set the per-CPU upcall pids (entry i serves CPU i; the kernel falls
 * back to pids[cpu % n] when the array is short).  The kernel only takes
 * pids together with OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, so this also
 * turns per-cpu dispatch on (kept in the handle's feature set).
 * Errors: -EINVAL (n == 0), -EOPNOTSUPP (kernel without per-cpu dispatch). */
OVSDP_EXPORT int ovsdp_dp_set_per_cpu_pids(struct ovsdp_dp *dp, const uint32_t *pids,
					   size_t n, GError **error);

/* Read the per-CPU upcall pids the kernel holds into pids[0..max-1];
 * returns the array's length (0 when per-cpu dispatch is off, or on kernels
 * that do not report it). */
OVSDP_EXPORT int ovsdp_dp_get_per_cpu_pids(struct ovsdp_dp *dp, uint32_t *pids, size_t max,
					   GError **error);

/* Set the datapath-level upcall pid: the one of its local port (port 0),
 * which receives upcalls for packets entering through that port. */
OVSDP_EXPORT int ovsdp_dp_set_upcall_pid(struct ovsdp_dp *dp, uint32_t pid, GError **error);

/* Set the size of the per-CPU mask cache (0 disables it).  The kernel wants
 * a power of two no larger than its limit: -EINVAL otherwise.  Kernels
 * before 5.9 return -EOPNOTSUPP. */
OVSDP_EXPORT int ovsdp_dp_set_masks_cache_size(struct ovsdp_dp *dp, uint32_t size,
					       GError **error);

/* Change notifications: a socket subscribed to the ovs_datapath and/or
 * ovs_vport multicast groups of this network namespace. */
struct ovsdp_monitor;

#define OVSDP_MONITOR_DATAPATHS (1u << 0)
#define OVSDP_MONITOR_VPORTS    (1u << 1)

enum ovsdp_event_kind {
	OVSDP_EVENT_DP_NEW = 1,
	OVSDP_EVENT_DP_DEL,
	OVSDP_EVENT_DP_SET,
	OVSDP_EVENT_VPORT_NEW,
	OVSDP_EVENT_VPORT_DEL,
	OVSDP_EVENT_VPORT_SET,
};

struct ovsdp_event {
	enum ovsdp_event_kind kind;
	int dp_ifindex;
	char name[OVSDP_NAME_MAX];      /* the datapath's or the port's */
	uint32_t port_no;               /* vport events */
	uint32_t vport_type;            /* vport events: OVSDP_VPORT_TYPE_* */
	uint32_t user_features;         /* datapath events */
};

/* Open a monitor for 'groups' (OVSDP_MONITOR_*).  Its fd is non-blocking. */
OVSDP_EXPORT int ovsdp_monitor_open(unsigned int groups, struct ovsdp_monitor **out,
				    GError **error);
/* The fd to poll for readability. */
OVSDP_EXPORT int ovsdp_monitor_fd(const struct ovsdp_monitor *m);
/* Next event: 1 with *ev filled, -EAGAIN when none is queued, -ENOBUFS when
 * the socket overran (events were lost: re-read the state), other negative
 * errno on failure. */
OVSDP_EXPORT int ovsdp_monitor_next(struct ovsdp_monitor *m, struct ovsdp_event *ev,
				    GError **error);
OVSDP_EXPORT void ovsdp_monitor_close(struct ovsdp_monitor *m);
/* "dp-new", "vport-del", ... */
OVSDP_EXPORT const char *ovsdp_event_kind_str(enum ovsdp_event_kind kind);

#ifdef __cplusplus
}
#endif
#endif
