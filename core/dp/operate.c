/* operate.c: batches of flow puts, deletes, gets and packet executes
 * encoded one after the other and sent as multi-message transactions,
 * each request's verdict and reply routed back to its operation: the
 * public ovsdp_dp_operate() and the handler runtime's replies share it. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dp/datapath-internal.h"
#include "ovsdp/operate.h"
#include "dp/requests.h"

/* The layout of ABI 1.1, which every caller's struct_size covers. */
#define OP_1_1_SIZE (offsetof(struct ovsdp_op, flow_out) + sizeof(struct ovsdp_flow))

/* Receive buffer (skb truesize) a flow reply may take: the kernel sizes
 * it for the largest key and mask, plus the actions; one that leaves
 * them out is small. */
#define REPLY_COST_FLOW 8192
#define REPLY_COST_TERSE 2048

void
ovsdp_batch_init(struct ovsdp_batch *b)
{
	memset(b, 0, sizeof *b);
}

void
ovsdp_batch_clear(struct ovsdp_batch *b)
{
	if (!b)
		return;
	ovsdp_buf_clear(&b->msgs);
	g_free(b->reqs);
	g_free(b->verdicts);
	memset(b, 0, sizeof *b);
}

void
ovsdp_batch_reset(struct ovsdp_batch *b)
{
	b->msgs.len = 0;
	b->n = 0;
}

static void
batch_reserve(struct ovsdp_batch *b, unsigned int n)
{
	if (n <= b->cap)
		return;
	b->cap = MAX(n, MAX(b->cap * 2, 16u));
	b->reqs = g_renew(struct ovsdp_batch_req, b->reqs, b->cap);
	b->verdicts = g_renew(int, b->verdicts, b->cap);
}

static const char *
op_verb(enum ovsdp_op_type type)
{
	switch (type) {
	case OVSDP_OP_FLOW_PUT: return "putting";
	case OVSDP_OP_FLOW_DEL: return "deleting";
	case OVSDP_OP_FLOW_GET: return "reading";
	case OVSDP_OP_EXECUTE: return "executing";
	}
	return "?";
}

/* Record one request just appended to b->msgs. */
static void
batch_push(struct ovsdp_batch *b, struct ovsdp_op *results, unsigned int index, bool quiet,
	   bool by_ufid_first, size_t cost)
{
	struct ovsdp_batch_req *r;

	batch_reserve(b, b->n + 1);
	r = &b->reqs[b->n++];
	r->op = results;
	r->index = index;
	r->quiet = quiet;
	r->by_ufid_first = by_ufid_first;
	r->reply_cost = cost;
}

int
ovsdp_batch_add(struct ovsdp_batch *b, struct ovsdp_dp *dp, const struct ovsdp_op *op,
		struct ovsdp_op *results, unsigned int index, GError **error)
{
	unsigned int req = 0;
	struct ovsdp_ufid ufid;
	const struct ovsdp_ufid *named = NULL;
	bool probe, twin = false;
	size_t cost = 0, start;
	int err;

	if (!b || !dp || !op)
		return ovsdp_set_error(error, -EINVAL, NULL, "queueing a request: bad arguments");
	if (op->flags & ~(OVSDP_OP_PROBE | OVSDP_OP_TERSE | OVSDP_OP_STATS))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: unknown flags 0x%x",
				       op_verb(op->type), op->flags);
	probe = (op->flags & OVSDP_OP_PROBE) != 0;
	if (probe)
		req |= OVSDP_REQ_PROBE;
	if (op->flags & OVSDP_OP_TERSE)
		req |= OVSDP_REQ_TERSE;
	start = b->msgs.len;
	switch (op->type) {
	case OVSDP_OP_FLOW_PUT: {
		struct ovsdp_flow_put put = op->put;

		if (op->flags & OVSDP_OP_STATS) {
			req |= OVSDP_REQ_ECHO;
			cost = op->flags & OVSDP_OP_TERSE ? REPLY_COST_TERSE :
			       REPLY_COST_FLOW + put.actions_len;
		}
		/* Without a ufid: the one computed from the key.  A put that
		 * may create also finds a flow without a ufid by its key (the
		 * kernel looks for a duplicate both ways); a pure modify looks
		 * a flow up by the ufid alone, so a second one by the key
		 * follows it. */
		if (!put.ufid && put.key && put.key_len) {
			ovsdp_ufid_from_key(put.key, put.key_len, &ufid);
			put.ufid = &ufid;
			twin = !(put.flags & OVSDP_FLOW_PUT_CREATE);
		}
		err = ovsdp_flow_put_encode(dp, &put, req, &b->msgs, NULL, error);
		if (err == 0 && twin) {
			put.ufid = NULL;
			err = ovsdp_flow_put_encode(dp, &put, req, &b->msgs, NULL, error);
		}
		if (!twin)
			named = put.ufid;
		break;
	}
	case OVSDP_OP_FLOW_DEL:
	case OVSDP_OP_FLOW_GET: {
		uint8_t cmd = op->type == OVSDP_OP_FLOW_GET ? OVS_FLOW_CMD_GET : OVS_FLOW_CMD_DEL;
		const struct ovsdp_ufid *by = op->flow.ufid;

		if (cmd == OVS_FLOW_CMD_GET || (op->flags & OVSDP_OP_STATS)) {
			req |= cmd == OVS_FLOW_CMD_GET ? 0 : OVSDP_REQ_ECHO;
			cost = op->flags & OVSDP_OP_TERSE ? REPLY_COST_TERSE : REPLY_COST_FLOW;
		}
		/* Without a ufid: by the one computed from the key (a flow
		 * that has a ufid is found by it alone), then by the key (a
		 * flow without one). */
		if (!by && op->flow.key && op->flow.key_len) {
			ovsdp_ufid_from_key(op->flow.key, op->flow.key_len, &ufid);
			by = &ufid;
			twin = true;
		}
		err = ovsdp_flow_ident_encode(dp, cmd, op_verb(op->type), op->flow.key,
					      op->flow.key_len, by, false, req, &b->msgs, NULL,
					      error);
		if (err == 0 && twin)
			err = ovsdp_flow_ident_encode(dp, cmd, op_verb(op->type), op->flow.key,
						      op->flow.key_len, NULL, false, req,
						      &b->msgs, NULL, error);
		if (!twin)
			named = by;
		break;
	}
	case OVSDP_OP_EXECUTE: {
		struct ovsdp_execute ex = op->execute;

		if (probe)
			ex.probe = true;
		err = ovsdp_packet_execute_encode(dp, &ex, &b->msgs, NULL, error);
		break;
	}
	default:
		return ovsdp_set_error(error, -EINVAL, NULL, "unknown operation type %d",
				       (int)op->type);
	}
	if (err < 0) {
		b->msgs.len = start;    /* not half an op */
		return err;
	}
	if (twin) {
		batch_push(b, results, index, true, true, cost);
		batch_push(b, results, index, probe, false, cost);
	} else {
		batch_push(b, results, index, probe, false, cost);
	}
	if (results && named) {
		results->has_ufid = true;
		results->ufid = *named;
	}
	return 0;
}

void
ovsdp_batch_append(struct ovsdp_batch *dst, const struct ovsdp_batch *src)
{
	if (!src->n)
		return;
	batch_reserve(dst, dst->n + src->n);
	ovsdp_buf_put(&dst->msgs, src->msgs.data, src->msgs.len);
	memcpy(dst->reqs + dst->n, src->reqs, src->n * sizeof *src->reqs);
	dst->n += src->n;
}

/* ---- the hooks of ovsdp_nl_transact_many_ex() ------------------------- */

static int
batch_reply(unsigned int i, struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_batch *b = arg;
	struct ovsdp_op *op = b->reqs[i].op;
	struct ovsdp_flow f;
	int r;

	if (!op)
		return 0;
	if (op->type == OVSDP_OP_FLOW_GET) {
		r = ovsdp_flow_get_reply(nlh, &op->flow_out);
		if (r < 0)
			return r;
		op->stats = op->flow_out.stats;
		if (op->flow_out.has_ufid) {
			op->has_ufid = true;
			op->ufid = op->flow_out.ufid;
		}
		return 0;
	}
	if (op->type != OVSDP_OP_FLOW_PUT && op->type != OVSDP_OP_FLOW_DEL)
		return 0;
	memset(&f, 0, sizeof f);
	r = ovsdp_flow_parse_reply(nlh, &f);
	if (r < 0)
		return r;
	op->stats = f.stats;
	if (f.has_ufid) {
		op->has_ufid = true;
		op->ufid = f.ufid;
	}
	return 0;
}

static size_t
batch_reply_cost(unsigned int i, void *arg)
{
	return ((struct ovsdp_batch *)arg)->reqs[i].reply_cost;
}

static bool
batch_quiet(unsigned int i, void *arg)
{
	struct ovsdp_batch *b = arg;

	/* The lookup by key after one by ufid that found the flow fails as
	 * it must (the flow has a ufid): the op succeeded.  The first one's
	 * verdict is in, its ack came before. */
	return b->reqs[i].quiet ||
	       (i > 0 && b->reqs[i - 1].by_ufid_first && b->verdicts[i - 1] == 0);
}

static char *
batch_what(unsigned int i, void *arg)
{
	struct ovsdp_batch *b = arg;
	const struct ovsdp_batch_req *r = &b->reqs[i];
	const struct ovsdp_op *op = r->op;
	unsigned int n = b->n_ops ? b->n_ops : b->n;
	char u[OVSDP_UFID_STRLEN];

	if (!op)       /* the handler runtime's: numbered in the batch */
		return g_strdup_printf("request %u of %u", i + 1, b->n);
	if (op->type == OVSDP_OP_EXECUTE)
		return g_strdup_printf("op %u of %u (executing a %zu-byte packet)", r->index + 1, n,
				       op->execute.packet_len);
	if (op->has_ufid) {
		ovsdp_ufid_format(&op->ufid, u);
		return g_strdup_printf("op %u of %u (%s flow ufid:%s)", r->index + 1, n,
				       op_verb(op->type), u);
	}
	return g_strdup_printf("op %u of %u (%s a flow by its key%s)", r->index + 1, n,
			       op_verb(op->type), r->by_ufid_first || (i > 0 &&
			       b->reqs[i - 1].by_ufid_first) ? " and its ufid from the key" : "");
}

int
ovsdp_batch_send(struct ovsdp_dp *dp, struct ovsdp_batch *b, GError **error)
{
	struct ovsdp_nl_many_hooks hooks = {
		.reply_cost = batch_reply_cost,
		.quiet = batch_quiet,
		.what = batch_what,
		.arg = b,
	};
	int sends;

	if (!dp || !b)
		return ovsdp_set_error(error, -EINVAL, NULL, "sending requests: bad arguments");
	b->sends = b->recvs = b->failed = b->unacked = b->n_done = 0;
	if (b->n == 0)
		return 0;
	/* The large receive buffer only where a reply is to be read. */
	for (unsigned int i = 0; i < b->n; i++) {
		if (b->reqs[i].reply_cost) {
			hooks.reply = batch_reply;
			break;
		}
	}
	pthread_mutex_lock(&dp->lock);
	sends = ovsdp_nl_transact_many_ex(dp->nl, &b->msgs, b->n, b->verdicts, &b->unacked,
					  &hooks, error);
	pthread_mutex_unlock(&dp->lock);
	if (sends < 0) {
		for (unsigned int i = 0; i < b->n; i++)
			b->verdicts[i] = sends;
		b->unacked = b->n;
	}
	for (unsigned int i = 0; i < b->n; i++) {
		int v = b->verdicts[i];

		if (b->reqs[i].by_ufid_first && i + 1 < b->n) {
			/* One op, two lookups: either finding the flow will do;
			 * else the lookup by key says. */
			int by_key = b->verdicts[i + 1];

			v = v == 0 || by_key == 0 ? 0 : by_key;
			i++;
		}
		b->n_done++;
		b->failed += v < 0;
		if (b->reqs[i].op)
			b->reqs[i].op->error = v;
	}
	b->sends = sends < 0 ? 0 : (unsigned int)sends;
	b->recvs = hooks.recvs;
	return sends;
}

/* ---- ovsdp_dp_operate() ----------------------------------------------- */

static void
op_reset_results(struct ovsdp_op *op)
{
	op->error = 0;
	op->has_ufid = false;
	memset(&op->ufid, 0, sizeof op->ufid);
	memset(&op->stats, 0, sizeof op->stats);
	memset(&op->flow_out, 0, sizeof op->flow_out);
}

int
ovsdp_dp_operate_counted(struct ovsdp_dp *dp, struct ovsdp_op *const *ops, size_t n,
			 unsigned int *sends, unsigned int *recvs, GError **error)
{
	struct ovsdp_batch b;
	g_autoptr(GError) encode_err = NULL, send_err = NULL;
	size_t encode_index = SIZE_MAX;
	int r;

	if (sends)
		*sends = 0;
	if (recvs)
		*recvs = 0;
	if (!dp || (n && !ops))
		return ovsdp_set_error(error, -EINVAL, NULL, "operating on a datapath: bad arguments");
	if (n > UINT32_MAX / 2)
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "operating on a datapath: %zu operations, more than one call takes",
				       n);
	for (size_t i = 0; i < n; i++) {
		if (!ops[i])
			return ovsdp_set_error(error, -EINVAL, NULL,
					       "operating on a datapath: op %zu of %zu is NULL",
					       i + 1, n);
		if (ops[i]->struct_size < OP_1_1_SIZE)
			return ovsdp_set_error(error, -EINVAL, NULL,
					       "operating on a datapath: op %zu of %zu: struct_size "
					       "is %zu, under the %zu bytes of ABI 1.1's struct "
					       "ovsdp_op (set it with OVSDP_OP_INIT)", i + 1, n,
					       ops[i]->struct_size, (size_t)OP_1_1_SIZE);
	}
	for (size_t i = 0; i < n; i++)
		op_reset_results(ops[i]);

	ovsdp_batch_init(&b);
	b.n_ops = (unsigned int)n;
	for (size_t i = 0; i < n; i++) {
		struct ovsdp_op *op = ops[i];
		bool keep = !(op->flags & OVSDP_OP_PROBE) && encode_index == SIZE_MAX;

		r = ovsdp_batch_add(&b, dp, op, op, (unsigned int)i, keep ? &encode_err : NULL);
		if (r < 0) {
			/* Refused before sending: this op alone. */
			op->error = r;
			if (keep) {
				encode_index = i;
				g_prefix_error(&encode_err, "op %zu of %zu: ", i + 1, n);
			}
		}
	}
	if (b.n) {
		pthread_mutex_lock(&dp->lock);
		ovsdp_dp_grow_buffers(dp);
		pthread_mutex_unlock(&dp->lock);
		ovsdp_batch_send(dp, &b, &send_err);
	}
	if (sends)
		*sends = b.sends;
	if (recvs)
		*recvs = b.recvs;
	ovsdp_batch_clear(&b);

	/* The first op (in the caller's order) that failed and is no probe. */
	for (size_t i = 0; i < n; i++) {
		if (ops[i]->error == 0 || (ops[i]->flags & OVSDP_OP_PROBE))
			continue;
		r = ops[i]->error;
		if (i == encode_index && encode_err)
			g_propagate_error(error, g_steal_pointer(&encode_err));
		else if (send_err)
			g_propagate_error(error, g_steal_pointer(&send_err));
		else
			ovsdp_set_error(error, r, NULL, "op %zu of %zu", i + 1, n);
		return r;
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_dp_operate(struct ovsdp_dp *dp, struct ovsdp_op *const *ops, size_t n, GError **error)
{
	return ovsdp_dp_operate_counted(dp, ops, n, NULL, NULL, error);
}
