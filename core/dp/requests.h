/* requests.h: encoders of the requests the handler runtime batches (flow
 * put, packet execute): each appends one complete netlink message to a
 * buffer without sending it.  The single-shot functions use them too. */
#ifndef OVSDP_REQUESTS_H
#define OVSDP_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <glib.h>

#include "ovsdp/common.h"
#include "ovsdp/flow.h"
#include "ovsdp/packet.h"

struct ovsdp_dp;

/* Options of a flow request beyond its arguments. */
#define OVSDP_REQ_ECHO  (1u << 0)       /* NLM_F_ECHO: the flow comes back (statistics) */
#define OVSDP_REQ_PROBE (1u << 1)       /* OVS_FLOW_ATTR_PROBE: the kernel logs no error */
#define OVSDP_REQ_TERSE (1u << 2)       /* OVS_FLOW_ATTR_UFID_FLAGS: no key, mask, actions
					 * in the reply (of a flow with a ufid) */

/* Append a flow put for 'dp' to 'out' with OVSDP_REQ_* options 'req'.
 * Returns 0, or a negative errno with *error (nothing appended): -EINVAL
 * bad arguments or flags, -EMSGSIZE too big, -ENOMEM.  *what (may be
 * NULL; g_free) names the request for messages. */
int ovsdp_flow_put_encode(struct ovsdp_dp *dp, const struct ovsdp_flow_put *put, unsigned int req,
			  struct ovsdp_buf *out, char **what, GError **error);

/* Append a flow GET, DEL or SET (with OVS_FLOW_ATTR_CLEAR when 'clear')
 * naming the flow by 'ufid' (when given: the kernel then looks it up by
 * that alone) or by 'key'.  'verb' ("reading", "deleting"...) is for
 * messages.  Same contract. */
int ovsdp_flow_ident_encode(struct ovsdp_dp *dp, uint8_t cmd, const char *verb, const void *key,
			    size_t key_len, const struct ovsdp_ufid *ufid, bool clear,
			    unsigned int req, struct ovsdp_buf *out, char **what, GError **error);

/* Reply parsers for these requests (ovsdp_nl_reply_fn): the statistics of
 * an echoed flow into the struct ovsdp_flow_stats 'arg'. */
int ovsdp_flow_stats_reply(struct nlmsghdr *nlh, void *arg);

/* ---- a batch: requests encoded one after the other, sent at once --------- */

struct ovsdp_op;

struct ovsdp_batch_req {
	struct ovsdp_op *op;            /* the results go there; NULL: not wanted */
	unsigned int index;             /* in the caller's array, for messages */
	bool quiet;                     /* a probe: its failure is not the batch's */
	/* The first of an op's two requests: by the ufid computed from the
	 * key, then (the next request) by the key itself, for a flow without
	 * a ufid; the op succeeds when either does. */
	bool by_ufid_first;
	size_t reply_cost;              /* receive buffer its replies may take */
};

struct ovsdp_batch {
	struct ovsdp_buf msgs;
	struct ovsdp_batch_req *reqs;
	int *verdicts;
	unsigned int n, cap, n_ops;
	/* The last ovsdp_batch_send(): sendmsg() calls, datagrams read,
	 * operations done (an op may take two requests) and failed, and
	 * requests with no verdict of the kernel. */
	unsigned int sends, recvs, n_done, failed, unacked;
};

/* An empty batch (or zero the struct). */
void ovsdp_batch_init(struct ovsdp_batch *b);
/* Free its storage. */
void ovsdp_batch_clear(struct ovsdp_batch *b);
/* Empty it, keeping the storage. */
void ovsdp_batch_reset(struct ovsdp_batch *b);

/* Encode operation 'op' for 'dp' and append it to 'b'; with 'results'
 * (may be NULL) receiving its results at ovsdp_batch_send() (it may be
 * 'op' itself).  'index' and 'n_ops' name it in messages.  Returns 0, or
 * a negative errno with *error: nothing appended. */
int ovsdp_batch_add(struct ovsdp_batch *b, struct ovsdp_dp *dp, const struct ovsdp_op *op,
		    struct ovsdp_op *results, unsigned int index, GError **error);

/* Append src's requests after dst's (src is left as it was). */
void ovsdp_batch_append(struct ovsdp_batch *dst, const struct ovsdp_batch *src);

/* Send b's requests on 'dp's socket (under its lock) as multi-message
 * transactions; every request's verdict lands in b->verdicts[] and, with
 * its reply, in its results op.  Returns the number of sendmsg() calls
 * (b->sends), or -EINVAL; *error names the first failure not quiet. */
int ovsdp_batch_send(struct ovsdp_dp *dp, struct ovsdp_batch *b, GError **error);

/* Append a packet execute for 'dp' to 'out'.  Same contract. */
int ovsdp_packet_execute_encode(struct ovsdp_dp *dp, const struct ovsdp_execute *ex,
				struct ovsdp_buf *out, char **what, GError **error);

/* ovsdp_dp_operate() telling how many sendmsg() calls and datagrams read
 * it took (for tests and measurements; either may be NULL). */
int ovsdp_dp_operate_counted(struct ovsdp_dp *dp, struct ovsdp_op *const *ops, size_t n,
			     unsigned int *sends, unsigned int *recvs, GError **error);

#endif
