/* ovsdp/operate.h: many flow puts, deletes, gets and packet executes, in
 * any mix, sent to the kernel as multi-message netlink transactions, each
 * one's result reported on its own (ABI 1.1). */
#ifndef OVSDP_OPERATE_H
#define OVSDP_OPERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/datapath.h>
#include <ovsdp/flow.h>
#include <ovsdp/packet.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ovsdp_op_type {
	OVSDP_OP_FLOW_PUT = 1,          /* 'put' */
	OVSDP_OP_FLOW_DEL,              /* 'flow': key and/or ufid */
	OVSDP_OP_FLOW_GET,              /* 'flow': key and/or ufid */
	OVSDP_OP_EXECUTE,               /* 'execute' */
};

/* Flags of one operation (ovsdp_op.flags). */
/* A feature probe: its failure is expected.  The kernel logs nothing for
 * it (OVS_FLOW_ATTR_PROBE, OVS_PACKET_ATTR_PROBE), and ovsdp_dp_operate()
 * does not report it as the call's failure: only op->error says. */
#define OVSDP_OP_PROBE (1u << 0)
/* Get, delete (and a put's echo): the kernel leaves the key, mask and
 * actions out of its reply when the flow has a ufid (OVS_UFID_F_OMIT_*):
 * a cheap way to read statistics. */
#define OVSDP_OP_TERSE (1u << 1)
/* Put and delete: have the kernel echo the flow so that op->stats gets
 * its statistics (a put's as they were before it, a delete's final
 * ones).  A get always fills them. */
#define OVSDP_OP_STATS (1u << 2)

/* One operation and its result.  Set struct_size to sizeof(struct
 * ovsdp_op) (OVSDP_OP_INIT does): a later minor appends members and reads
 * or writes them only where the caller's struct_size covers them. */
struct ovsdp_op {
	size_t struct_size;
	enum ovsdp_op_type type;
	unsigned int flags;             /* OVSDP_OP_* */

	/* Arguments (only the type's own member is read). */
	/* Without a ufid, an op uses ovsdp_ufid_from_key()'s: a put that may
	 * create (OVSDP_FLOW_PUT_CREATE) installs the flow with it; a get, a
	 * delete or a pure modify looks the flow up by it and then by the key
	 * (the kernel finds a flow with a ufid only by it, one without only by
	 * its key), and succeeds when either finds it. */
	struct ovsdp_flow_put put;      /* OVSDP_OP_FLOW_PUT: as ovsdp_flow_put() */
	struct {
		const void *key;        /* OVS_KEY_ATTR_*; may be NULL when ufid is set */
		size_t key_len;
		const struct ovsdp_ufid *ufid; /* wins over the key when both are set */
	} flow;                         /* OVSDP_OP_FLOW_DEL, OVSDP_OP_FLOW_GET */
	struct ovsdp_execute execute;   /* OVSDP_OP_EXECUTE: as ovsdp_packet_execute() */

	/* Results, written by ovsdp_dp_operate() (zeroed first). */
	int error;                      /* 0, or a negative errno (the kernel's, or
					 * -EINVAL for arguments refused before
					 * sending, -ENOBUFS when its answer was lost
					 * to a receive buffer overrun: unknown) */
	bool has_ufid;                  /* 'ufid' holds the flow's ufid: the one given,
					 * the one a put installed, or the one the
					 * kernel reported (get, echo) */
	struct ovsdp_ufid ufid;
	struct ovsdp_flow_stats stats;  /* see OVSDP_OP_STATS; a get's too */
	/* OVSDP_OP_FLOW_GET: the flow, in storage of its own: release it with
	 * ovsdp_flow_clear() (also after a failure; harmless). */
	struct ovsdp_flow flow_out;
};

/* For a designated initialiser:
 *   struct ovsdp_op op = { OVSDP_OP_INIT, .type = OVSDP_OP_FLOW_GET, ... }; */
#define OVSDP_OP_INIT .struct_size = sizeof(struct ovsdp_op)

/* Carry out ops[0..n) on 'dp', in order (a put and then a delete of the
 * same flow work as they read), as multi-message netlink transactions:
 * as many requests in one sendmsg() as the socket's buffers hold, every
 * reply and acknowledgement matched to its request by sequence number.
 * Each op gets its own result in op->error (and stats, ufid, flow_out):
 * the kernel runs every request on its own, and one that fails, or that
 * is refused before sending (bad arguments: -EINVAL), hides no other.
 * The array holds pointers so that an op may grow in a later minor.
 *
 * Returns 0 when every op not flagged OVSDP_OP_PROBE succeeded, else the
 * first such failure's negative errno with *error naming the op ("op I
 * of N (WHAT)") and the kernel's reason; -EINVAL with nothing sent when
 * 'dp', 'ops', an element of it or its struct_size is bad.  Safe to call
 * from several threads on one handle (requests on the handle are
 * serialised). */
OVSDP_EXPORT int ovsdp_dp_operate(struct ovsdp_dp *dp, struct ovsdp_op *const *ops, size_t n,
				  GError **error);

#ifdef __cplusplus
}
#endif
#endif
