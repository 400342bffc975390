/* ovsdp/flow.h: the kernel flow table (the ovs_flow family): put, get,
 * delete, flush and dump megaflows given as binary netlink keys, masks
 * and actions (see <ovsdp/odp.h> for their text form). */
#ifndef OVSDP_FLOW_H
#define OVSDP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/datapath.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A 128-bit unique flow id, stored as OVS does: four host-order words. */
struct ovsdp_ufid {
	uint32_t u32[4];
};

/* Length of "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" plus NUL. */
#define OVSDP_UFID_STRLEN 37

/* Format as OVS prints a ufid (without its "ufid:" prefix). */
OVSDP_EXPORT void ovsdp_ufid_format(const struct ovsdp_ufid *ufid,
				    char out[OVSDP_UFID_STRLEN]);
/* Parse that form, with or without "ufid:" and dashes (32 hex digits).
 * Returns 0 or -EINVAL. */
OVSDP_EXPORT int ovsdp_ufid_parse(const char *text, struct ovsdp_ufid *out);
/* A ufid computed from a flow key's bytes (OVS_KEY_ATTR_* as the kernel
 * or ovsdp_odp_key_from_string() writes them): the same bytes always give the same
 * ufid, different keys different ones but for 128-bit hash collisions.
 * Not OVS's own hash: ufids made here match only ovsdp's. */
OVSDP_EXPORT void ovsdp_ufid_from_key(const void *key, size_t key_len, struct ovsdp_ufid *out);

struct ovsdp_flow_stats {
	uint64_t n_packets;
	uint64_t n_bytes;
	uint64_t used_ms;               /* CLOCK_MONOTONIC ms of the last hit, 0 = never */
	uint8_t tcp_flags;              /* OR of the TCP flags seen */
};

/* A flow as the kernel reports it.  The pointers refer to a message
 * buffer: for ovsdp_flow_get() to the flow's own storage (release it with
 * ovsdp_flow_clear()), for a dump to the iterator's buffer (valid until the
 * next call). */
struct ovsdp_flow {
	const void *key;                /* OVS_KEY_ATTR_* attributes */
	size_t key_len;
	const void *mask;               /* NULL: exact match / not reported */
	size_t mask_len;
	const void *actions;            /* OVS_ACTION_ATTR_* attributes */
	size_t actions_len;
	bool has_key;                   /* false with OVSDP_FLOW_DUMP_TERSE */
	bool has_actions;               /* false when omitted (terse, or too big) */
	bool has_ufid;
	struct ovsdp_ufid ufid;
	int dp_ifindex;
	struct ovsdp_flow_stats stats;
	struct ovsdp_buf storage;       /* private */
};

/* Free what ovsdp_flow_get() stored in 'flow' and zero it. */
OVSDP_EXPORT void ovsdp_flow_clear(struct ovsdp_flow *flow);

/* Flags for ovsdp_flow_put(), with dpif-netlink's meaning:
 *   CREATE           create; -EEXIST if a flow with this key (or ufid) exists
 *   MODIFY           replace an existing flow's actions; -ENOENT if none
 *   CREATE|MODIFY    create or replace
 *   MODIFY|ZERO_STATS  also clear the flow's statistics */
#define OVSDP_FLOW_PUT_CREATE     (1u << 0)
#define OVSDP_FLOW_PUT_MODIFY     (1u << 1)
#define OVSDP_FLOW_PUT_ZERO_STATS (1u << 2)

struct ovsdp_flow_put {
	unsigned int flags;             /* OVSDP_FLOW_PUT_* */
	const void *key;                /* required */
	size_t key_len;
	const void *mask;               /* NULL: every key field exact */
	size_t mask_len;
	const void *actions;            /* empty (NULL, 0) means drop */
	size_t actions_len;
	const struct ovsdp_ufid *ufid;  /* NULL: the key identifies the flow */
};

/* Install or change a flow.  When 'stats' is not NULL the kernel echoes the
 * flow and *stats receives its statistics as they were before the change.
 * Errors: -EEXIST, -ENOENT (see the flags), -EINVAL (a key or action the
 * kernel refuses; the message carries its reason when it gives one),
 * -ENODEV (datapath gone). */
OVSDP_EXPORT int ovsdp_flow_put(struct ovsdp_dp *dp, const struct ovsdp_flow_put *put,
				struct ovsdp_flow_stats *stats, GError **error);

/* Read the flow with this key or ufid (at least one; the ufid wins when
 * both are given) into *out (release with ovsdp_flow_clear()).
 * Errors: -ENOENT (no such flow), -EINVAL. */
OVSDP_EXPORT int ovsdp_flow_get(struct ovsdp_dp *dp, const void *key, size_t key_len,
				const struct ovsdp_ufid *ufid, struct ovsdp_flow *out,
				GError **error);

/* Delete the flow with this key or ufid; *stats (if not NULL) receives its
 * final statistics.  Errors: -ENOENT, -EINVAL. */
OVSDP_EXPORT int ovsdp_flow_del(struct ovsdp_dp *dp, const void *key, size_t key_len,
				const struct ovsdp_ufid *ufid, struct ovsdp_flow_stats *stats,
				GError **error);

/* Zero a flow's packet/byte counts, used time and TCP flags
 * (OVS_FLOW_ATTR_CLEAR); *stats (if not NULL) gets the values before. */
OVSDP_EXPORT int ovsdp_flow_clear_stats(struct ovsdp_dp *dp, const void *key, size_t key_len,
					const struct ovsdp_ufid *ufid,
					struct ovsdp_flow_stats *stats, GError **error);

/* Delete every flow of the datapath. */
OVSDP_EXPORT int ovsdp_flow_flush(struct ovsdp_dp *dp, GError **error);

/* Dump iterator: yields one flow at a time, on a socket of its own so the
 * datapath handle stays usable while a dump is open. */
struct ovsdp_flow_dump;

/* Ask the kernel to leave out key, mask and actions of flows that have a
 * ufid (OVS_UFID_F_OMIT_*): a cheap way to read statistics. */
#define OVSDP_FLOW_DUMP_TERSE (1u << 0)

/* Start a dump of 'dp's flows with OVSDP_FLOW_DUMP_* flags. */
OVSDP_EXPORT int ovsdp_flow_dump_start(struct ovsdp_dp *dp, unsigned int flags,
				       struct ovsdp_flow_dump **out, GError **error);
/* Next flow: 1 with *flow pointing at iterator-owned data (valid until the
 * next call on this dump), 0 at the end, negative errno on failure (the
 * dump is then finished; restart it to try again). */
OVSDP_EXPORT int ovsdp_flow_dump_next(struct ovsdp_flow_dump *d, const struct ovsdp_flow **flow,
				      GError **error);
/* Abandon the current pass (if any) and start again from the first flow. */
OVSDP_EXPORT int ovsdp_flow_dump_restart(struct ovsdp_flow_dump *d, GError **error);
/* End the dump at any point.  NULL is accepted. */
OVSDP_EXPORT void ovsdp_flow_dump_free(struct ovsdp_flow_dump *d);

/* Milliseconds of CLOCK_MONOTONIC, the clock of ovsdp_flow_stats.used_ms. */
OVSDP_EXPORT uint64_t ovsdp_flow_now_ms(void);

#ifdef __cplusplus
}
#endif
#endif
