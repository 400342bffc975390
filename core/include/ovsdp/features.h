/* ovsdp/features.h: what the running kernel's openvswitch datapath can do,
 * found by asking it (never by version numbers).  This is the library's
 * type; it does not cross the plugin ABI: dispatch plugins see
 * struct ovsdp_dispatch_features (<ovsdp/dispatch.h>), a sized view the
 * host fills from it. */
#ifndef OVSDP_FEATURES_H
#define OVSDP_FEATURES_H

#include <stdbool.h>
#include <stdint.h>
#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OVSDP_FAMILY_NAME_MAX 32
#define OVSDP_N_FAMILIES 6

/* One generic netlink family of the datapath (ovs_datapath, ovs_vport,
 * ovs_flow, ovs_packet required; ovs_meter, ovs_ct_limit optional). */
struct ovsdp_family_status {
	char name[OVSDP_FAMILY_NAME_MAX];
	bool required;
	bool present;
	uint16_t id;
	uint8_t version;
	uint32_t maxattr;
};

/* Whether the kernel rejects user-feature bits it does not know.  Old
 * kernels accepted any bit, so a yes from them to per-cpu means nothing. */
enum ovsdp_tristate {
	OVSDP_UNKNOWN = 0,
	OVSDP_NO = 1,
	OVSDP_YES = 2,
};

struct ovsdp_features {
	char kernel_release[65];
	struct ovsdp_family_status families[OVSDP_N_FAMILIES];
	bool datapath_available;          /* every required family is present */

	/* Answers that need a temporary datapath (root, CAP_NET_ADMIN). */
	bool datapath_probed;             /* false: the reason is in probe_error */
	char probe_error[160];
	enum ovsdp_tristate rejects_unknown_features;
	enum ovsdp_tristate per_cpu_dispatch;     /* OVS_DP_F_DISPATCH_UPCALL_PER_CPU */
	int per_cpu_errno;                /* errno of the refused SET, 0 if accepted */

	/* Answers read from family attribute counts and from the system. */
	bool vport_upcall_stats;          /* OVS_VPORT_ATTR_UPCALL_STATS (6.2+) */
	bool execute_upcall_pid;          /* OVS_PACKET_ATTR_UPCALL_PID (6.17+) */
	bool epoll_exclusive;             /* EPOLLEXCLUSIVE honoured (4.5+) */

	/* CPU topology.  cpu_ids is the number of possible CPU ids (highest + 1):
	 * the length a per-cpu pid array must have.  The affinity set is this
	 * process's, read at probe time. */
	unsigned int cpu_ids;
	unsigned int cpus_online;
	unsigned int cpus_affinity;
	char affinity_list[256];          /* "0-3,8" */
};

/* Probe the running kernel and system into *out.  Returns 0 when the
 * datapath families exist (even if the datapath probes could not run, e.g.
 * without privileges: see out->datapath_probed), -ENOENT with a message
 * when the openvswitch module is absent (*out is still filled with what
 * could be learned), or another negative errno. */
OVSDP_EXPORT int ovsdp_features_probe(struct ovsdp_features *out, GError **error);

/* Re-read only the CPU topology and affinity fields of *f (the affinity
 * of the process's main thread, whichever thread calls). */
OVSDP_EXPORT int ovsdp_features_read_cpus(struct ovsdp_features *f);

/* "yes", "no" or "unknown". */
OVSDP_EXPORT const char *ovsdp_tristate_str(enum ovsdp_tristate t);

#ifdef __cplusplus
}
#endif
#endif
