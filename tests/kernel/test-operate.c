/* test-operate.c: ovsdp_dp_operate() against the kernel: 1000 flow puts,
 * deletes, gets and packet executes mixed in one call, each checked for
 * its own result (a refused one hides no other), the flow table checked
 * afterwards by a dump, the executed frames caught on a veth; and the
 * call's own failure: the first op that failed and was no probe. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/openvswitch.h>

#include "ovsdp/ovsdp.h"
#include "dp/requests.h"
#include "knet.h"
#include "ktest.h"

#define DP_NAME "ovsdpop"
#define WAIT_MS 10000
/* Over the kernel's port limit (DP_MAX_PORTS): an action it refuses. */
#define BAD_PORT 70000

enum { GROUP_OLD = 1, GROUP_NEW = 2, GROUP_NONE = 3, GROUP_EXEC = 4 };

static struct ovsdp_dp *dp;
static uint32_t in_port, out_port;
static int raw_in, raw_out;
static const uint8_t dst_mac[6] = { 0x02, 0xee, 0, 0, 0, 1 };

static void
src_mac(uint8_t mac[6], unsigned int group, unsigned int k)
{
	mac[0] = 0x02;
	mac[1] = 0xdd;
	mac[2] = (uint8_t)group;
	mac[3] = (uint8_t)(k >> 8);
	mac[4] = (uint8_t)k;
	mac[5] = 0;
}

/* The key, mask and actions of flow (group, k); 'ufid' from the key. */
struct flow_bytes {
	struct ovsdp_buf key, mask, acts;
	struct ovsdp_ufid ufid;
};

static void
flow_bytes(struct flow_bytes *f, unsigned int group, unsigned int k, uint32_t port)
{
	uint8_t src[6];

	memset(f, 0, sizeof *f);
	src_mac(src, group, k);
	knet_key(&f->key, in_port, src, dst_mac);
	knet_mask(&f->mask);
	ovsdp_buf_put_u32(&f->acts, OVS_ACTION_ATTR_OUTPUT, port);
	ovsdp_ufid_from_key(f->key.data, f->key.len, &f->ufid);
}

static void
flow_bytes_clear(struct flow_bytes *f)
{
	ovsdp_buf_clear(&f->key);
	ovsdp_buf_clear(&f->mask);
	ovsdp_buf_clear(&f->acts);
}

static void
setup(void)
{
	dp = knet_netns_dp(DP_NAME);
	knet_veth_port(dp, 0, &in_port, &raw_in);
	knet_veth_port(dp, 1, &out_port, &raw_out);
	/* Room for every frame the test sends out of dp1 before it reads. */
	ck_assert_int_eq(setsockopt(raw_out, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 4 << 20 },
				    sizeof(int)), 0);
}

static void
teardown(void)
{
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	close(raw_in);
	close(raw_out);
}

/* A put of flow f (its buffers must outlive the call). */
static void
op_put(struct ovsdp_op *op, const struct flow_bytes *f, unsigned int put_flags,
       unsigned int op_flags)
{
	*op = (struct ovsdp_op){ OVSDP_OP_INIT, .type = OVSDP_OP_FLOW_PUT, .flags = op_flags };
	op->put.flags = put_flags;
	op->put.key = f->key.data;
	op->put.key_len = f->key.len;
	op->put.mask = f->mask.data;
	op->put.mask_len = f->mask.len;
	op->put.actions = f->acts.data;
	op->put.actions_len = f->acts.len;
}

/* A get or delete of flow f, by key or (by_ufid) by its ufid. */
static void
op_ident(struct ovsdp_op *op, enum ovsdp_op_type type, const struct flow_bytes *f,
	 bool by_ufid, unsigned int op_flags)
{
	*op = (struct ovsdp_op){ OVSDP_OP_INIT, .type = type, .flags = op_flags };
	if (by_ufid) {
		op->flow.ufid = &f->ufid;
	} else {
		op->flow.key = f->key.data;
		op->flow.key_len = f->key.len;
	}
}

/* Sum of n_packets over the datapath's flows, and their count. */
static uint64_t
dp_packets(unsigned int *n_flows)
{
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *f;
	uint64_t sum = 0;

	*n_flows = 0;
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, NULL), 0);
	while (ovsdp_flow_dump_next(d, &f, NULL) == 1) {
		sum += f->stats.n_packets;
		(*n_flows)++;
	}
	ovsdp_flow_dump_free(d);
	return sum;
}

enum kind {
	PUT_NEW, PUT_EXISTS, DEL_OLD, DEL_MISSING, GET_OLD, GET_MISSING, EXEC_OK, EXEC_BAD,
	GET_NEW,
};

static const char *const kind_names[] = {
	"put of a new flow", "put of an existing flow", "delete of an existing flow",
	"delete of a missing flow", "get of an existing flow", "get of a missing flow",
	"execute", "execute to a bad port", "get of a flow put in the same call",
};

struct expect {
	enum kind kind;
	unsigned int k;         /* flow or frame number */
	int variant;            /* by key / by ufid / terse */
	int error;
};

#define N_OPS 1000
#define N_OLD 200
#define N_NEW 400
#define N_EXEC 199

START_TEST(thousand_mixed_ops)
{
	static struct flow_bytes old[N_OLD], fresh[N_NEW], none[90];
	struct ovsdp_op *ops = g_new0(struct ovsdp_op, N_OPS);
	struct ovsdp_op **ptrs = g_new0(struct ovsdp_op *, N_OPS);
	struct ovsdp_op *pre = g_new0(struct ovsdp_op, N_OLD);
	struct expect *want = g_new0(struct expect, N_OPS);
	struct ovsdp_buf exec_key = OVSDP_BUF_INIT, exec_acts = OVSDP_BUF_INIT,
			 bad_acts = OVSDP_BUF_INIT;
	static uint8_t frames[N_EXEC + 1][64];
	g_autoptr(GError) err = NULL;
	g_autoptr(GRand) rnd = g_rand_new_with_seed(15);
	unsigned int n = 0, sends = 0, recvs = 0, n_flows = 0, first_failure = N_OPS;
	uint8_t seen_old[N_OLD] = { 0 }, seen_new[N_NEW] = { 0 }, got_frame[N_EXEC] = { 0 };
	unsigned int frames_seen = 0;
	gint64 t0, t1;
	uint8_t src[6];
	int r;

	/* 200 flows installed beforehand (one operate call too). */
	for (unsigned int k = 0; k < N_OLD; k++) {
		flow_bytes(&old[k], GROUP_OLD, k, out_port);
		op_put(&pre[k], &old[k], OVSDP_FLOW_PUT_CREATE, 0);
		ptrs[k] = &pre[k];
	}
	r = ovsdp_dp_operate(dp, ptrs, N_OLD, &err);
	ck_assert_msg(r == 0, "installing: %s", err ? err->message : "");
	for (unsigned int k = 0; k < N_OLD; k++)
		ck_assert_int_eq(pre[k].error, 0);
	/* One frame through each of flows 50..199, so that their statistics
	 * say something: wait until the datapath counted all 150. */
	for (unsigned int k = 50; k < N_OLD; k++) {
		uint8_t frame[64];

		src_mac(src, GROUP_OLD, k);
		knet_send(raw_in, frame, knet_frame(frame, sizeof frame, dst_mac, src, k, 40));
	}
	ck_assert_msg(KTEST_WAIT(WAIT_MS, dp_packets(&n_flows) == N_OLD - 50),
		      "the flows did not count the 150 frames");

	for (unsigned int k = 0; k < N_NEW; k++)
		flow_bytes(&fresh[k], GROUP_NEW, k, out_port);
	for (unsigned int k = 0; k < G_N_ELEMENTS(none); k++)
		flow_bytes(&none[k], GROUP_NONE, k, out_port);
	src_mac(src, GROUP_EXEC, 0);
	knet_key(&exec_key, in_port, src, dst_mac);
	ovsdp_buf_put_u32(&exec_acts, OVS_ACTION_ATTR_OUTPUT, out_port);
	ovsdp_buf_put_u32(&bad_acts, OVS_ACTION_ATTR_OUTPUT, BAD_PORT);

	/* The mix, shuffled; gets of flows this call puts come last. */
	for (unsigned int k = 0; k < N_NEW; k++)
		want[n++] = (struct expect){ PUT_NEW, k, k % 8 == 0, 0 };
	for (unsigned int k = 0; k < 50; k++)
		want[n++] = (struct expect){ PUT_EXISTS, k, k % 2, -EEXIST };
	for (unsigned int k = 50; k < 150; k++)
		want[n++] = (struct expect){ DEL_OLD, k, k % 3, 0 };
	for (unsigned int k = 0; k < 50; k++)
		want[n++] = (struct expect){ DEL_MISSING, k, k % 2, -ENOENT };
	for (unsigned int k = 150; k < N_OLD; k++)
		for (int v = 0; v < 3; v++)
			want[n++] = (struct expect){ GET_OLD, k, v, 0 };
	for (unsigned int k = 50; k < 90; k++)
		want[n++] = (struct expect){ GET_MISSING, k, k % 2, -ENOENT };
	for (unsigned int k = 0; k < N_EXEC; k++)
		want[n++] = (struct expect){ EXEC_OK, k, 0, 0 };
	want[n++] = (struct expect){ EXEC_BAD, N_EXEC, 0, -EINVAL };
	for (unsigned int i = n - 1; i > 0; i--) {
		unsigned int j = (unsigned int)g_rand_int_range(rnd, 0, (gint32)i + 1);
		struct expect t = want[i];

		want[i] = want[j];
		want[j] = t;
	}
	for (unsigned int k = 0; k < 10; k++)
		want[n++] = (struct expect){ GET_NEW, k, 0, 0 };
	ck_assert_uint_eq(n, N_OPS);

	for (unsigned int i = 0; i < N_OPS; i++) {
		const struct expect *w = &want[i];
		struct ovsdp_op *op = &ops[i];

		switch (w->kind) {
		case PUT_NEW:
			op_put(op, &fresh[w->k], OVSDP_FLOW_PUT_CREATE, w->variant ? OVSDP_OP_STATS : 0);
			break;
		case PUT_EXISTS:
			/* Without MODIFY: refused; every other one as a probe. */
			op_put(op, &old[w->k], OVSDP_FLOW_PUT_CREATE, w->variant ? OVSDP_OP_PROBE : 0);
			break;
		case DEL_OLD:
			op_ident(op, OVSDP_OP_FLOW_DEL, &old[w->k], w->variant == 1,
				 w->variant == 2 ? OVSDP_OP_STATS : 0);
			break;
		case DEL_MISSING:
			op_ident(op, OVSDP_OP_FLOW_DEL, &none[w->k], w->variant, 0);
			break;
		case GET_OLD:
			op_ident(op, OVSDP_OP_FLOW_GET, &old[w->k], w->variant > 0,
				 w->variant == 2 ? OVSDP_OP_TERSE : 0);
			break;
		case GET_MISSING:
			op_ident(op, OVSDP_OP_FLOW_GET, &none[w->k], w->variant, 0);
			break;
		case GET_NEW:
			op_ident(op, OVSDP_OP_FLOW_GET, &fresh[w->k], false, 0);
			break;
		case EXEC_OK:
		case EXEC_BAD:
			*op = (struct ovsdp_op){ OVSDP_OP_INIT, .type = OVSDP_OP_EXECUTE };
			src_mac(src, GROUP_EXEC, 0);
			op->execute.packet = frames[w->k];
			op->execute.packet_len = knet_frame(frames[w->k], sizeof frames[w->k], dst_mac,
							    src, 0x7000 + w->k, 40);
			op->execute.key = exec_key.data;
			op->execute.key_len = exec_key.len;
			op->execute.actions = w->kind == EXEC_OK ? exec_acts.data : bad_acts.data;
			op->execute.actions_len = exec_acts.len;
			break;
		}
		/* Results from an earlier use must not survive. */
		op->error = 12345;
		ptrs[i] = op;
		if (w->error && !(w->kind == PUT_EXISTS && w->variant) && first_failure == N_OPS)
			first_failure = i;
	}

	t0 = g_get_monotonic_time();
	r = ovsdp_dp_operate_counted(dp, ptrs, N_OPS, &sends, &recvs, &err);
	t1 = g_get_monotonic_time();
	printf("1000 mixed ops in one call: %.1f ms, %u sendmsg, %u datagrams read; "
	       "first failure: %s\n", (double)(t1 - t0) / 1000.0, sends, recvs,
	       err ? err->message : "none");
	fflush(stdout);

	for (unsigned int i = 0; i < N_OPS; i++) {
		const struct expect *w = &want[i];
		struct ovsdp_op *op = &ops[i];

		ck_assert_msg(op->error == w->error, "op %u (%s %u, variant %d): error %d, wanted %d",
			      i, kind_names[w->kind], w->k, w->variant, op->error, w->error);
		switch (w->kind) {
		case PUT_NEW:
			ck_assert(op->has_ufid);
			ck_assert_mem_eq(&op->ufid, &fresh[w->k].ufid, sizeof op->ufid);
			if (w->variant)
				ck_assert_uint_eq(op->stats.n_packets, 0);
			break;
		case DEL_OLD:
			if (w->variant == 2)    /* echoed: its final statistics */
				ck_assert_msg(op->stats.n_packets == 1,
					      "op %u: deleted flow %u counted %" G_GUINT64_FORMAT,
					      i, w->k, op->stats.n_packets);
			break;
		case GET_OLD:
			ck_assert_uint_eq(op->stats.n_packets, 1);
			ck_assert(op->has_ufid);
			ck_assert(op->flow_out.has_ufid);
			ck_assert_mem_eq(&op->flow_out.ufid, &old[w->k].ufid, sizeof op->ufid);
			if (w->variant == 2) {
				/* Terse: neither key nor actions. */
				ck_assert(!op->flow_out.has_key);
				ck_assert(!op->flow_out.has_actions);
			} else {
				ck_assert(op->flow_out.has_key);
				ck_assert(op->flow_out.has_actions);
				ck_assert_uint_eq(op->flow_out.actions_len, old[w->k].acts.len);
				ck_assert_mem_eq(op->flow_out.actions, old[w->k].acts.data,
						 old[w->k].acts.len);
				src_mac(src, GROUP_OLD, w->k);
				knet_check_key(op->flow_out.key, op->flow_out.key_len, in_port, src,
					       dst_mac, KNET_ETHERTYPE);
			}
			break;
		case GET_NEW:
			ck_assert(op->flow_out.has_actions);
			ck_assert_mem_eq(op->flow_out.actions, fresh[w->k].acts.data,
					 fresh[w->k].acts.len);
			ck_assert_uint_eq(op->stats.n_packets, 0);
			break;
		default:
			break;
		}
	}

	/* The call's verdict: the first op that failed and was no probe. */
	ck_assert_uint_lt(first_failure, N_OPS);
	ck_assert_int_eq(r, want[first_failure].error);
	ck_assert_ptr_nonnull(err);
	{
		g_autofree char *prefix = g_strdup_printf("op %u of 1000 (", first_failure + 1);

		ck_assert_msg(g_str_has_prefix(err->message, prefix), "%s (wanted %s...)",
			      err->message, prefix);
	}
	/* Batched: many requests per sendmsg(). */
	ck_assert_uint_ge(sends, 1);
	ck_assert_uint_le(sends, N_OPS / 20);

	/* The executed frames left through dp1. */
	while (frames_seen < N_EXEC) {
		struct pollfd p = { .fd = raw_out, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof from;
		uint8_t buf[256];
		uint32_t tag;
		ssize_t got;

		if (poll(&p, 1, WAIT_MS) <= 0)
			break;
		got = recvfrom(raw_out, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from,
			       &flen);
		if (got < 18 || from.sll_pkttype == PACKET_OUTGOING ||
		    buf[12] != (KNET_ETHERTYPE >> 8) || buf[13] != (KNET_ETHERTYPE & 0xff))
			continue;
		memcpy(&tag, buf + 14, 4);
		tag = ntohl(tag);
		if (tag >= 0x7000 && tag < 0x7000 + N_EXEC && !got_frame[tag - 0x7000]) {
			got_frame[tag - 0x7000] = 1;
			frames_seen++;
		}
	}
	ck_assert_msg(frames_seen == N_EXEC, "%u of %u executed frames came out", frames_seen,
		      N_EXEC);

	/* The flow table: the old flows not deleted, and every new one. */
	{
		struct ovsdp_flow_dump *d = NULL;
		const struct ovsdp_flow *f;
		unsigned int total = 0;

		ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, NULL), 0);
		while ((r = ovsdp_flow_dump_next(d, &f, NULL)) == 1) {
			const struct ovs_key_ethernet *eth;
			size_t len;
			unsigned int k;

			total++;
			eth = knet_attr_find(f->key, f->key_len, OVS_KEY_ATTR_ETHERNET, &len);
			ck_assert(eth && len >= sizeof *eth);
			ck_assert(eth->eth_src[0] == 0x02 && eth->eth_src[1] == 0xdd);
			k = (unsigned int)eth->eth_src[3] << 8 | eth->eth_src[4];
			if (eth->eth_src[2] == GROUP_OLD) {
				ck_assert_msg(k < 50 || (k >= 150 && k < N_OLD),
					      "old flow %u is still there", k);
				ck_assert(!seen_old[k]++);
			} else {
				ck_assert_msg(eth->eth_src[2] == GROUP_NEW, "a flow of group %u",
					      eth->eth_src[2]);
				ck_assert(k < N_NEW && !seen_new[k]++);
				ck_assert(f->has_ufid);
				ck_assert_mem_eq(&f->ufid, &fresh[k].ufid, sizeof f->ufid);
			}
		}
		ck_assert_int_eq(r, 0);
		ovsdp_flow_dump_free(d);
		ck_assert_uint_eq(total, 100 + N_NEW);
	}

	for (unsigned int i = 0; i < N_OPS; i++)
		ovsdp_flow_clear(&ops[i].flow_out);
	for (unsigned int k = 0; k < N_OLD; k++)
		flow_bytes_clear(&old[k]);
	for (unsigned int k = 0; k < N_NEW; k++)
		flow_bytes_clear(&fresh[k]);
	for (unsigned int k = 0; k < G_N_ELEMENTS(none); k++)
		flow_bytes_clear(&none[k]);
	ovsdp_buf_clear(&exec_key);
	ovsdp_buf_clear(&exec_acts);
	ovsdp_buf_clear(&bad_acts);
	g_free(ops);
	g_free(ptrs);
	g_free(pre);
	g_free(want);
}
END_TEST

/* Ops refused before sending fail alone; the call reports the first
 * failure that is not a probe; bad arrays send nothing. */
START_TEST(refusals_and_probes)
{
	struct flow_bytes a, b;
	struct ovsdp_op op[7], *p[7];
	g_autoptr(GError) err = NULL;
	struct ovsdp_flow fl;
	uint8_t frame[10] = { 0 };
	unsigned int n_flows;
	int r;

	flow_bytes(&a, GROUP_NEW, 1, out_port);
	flow_bytes(&b, GROUP_NEW, 2, out_port);
	for (int i = 0; i < 7; i++)
		p[i] = &op[i];

	/* A put without a key, a put, an unknown type, a probe put of the
	 * same flow (refused), a get of it, a too-short packet, a delete. */
	op_put(&op[0], &a, OVSDP_FLOW_PUT_CREATE, 0);
	op[0].put.key = NULL;
	op[0].put.key_len = 0;
	op_put(&op[1], &a, OVSDP_FLOW_PUT_CREATE, 0);
	op[2] = (struct ovsdp_op){ OVSDP_OP_INIT, .type = (enum ovsdp_op_type)99 };
	op_put(&op[3], &a, OVSDP_FLOW_PUT_CREATE, OVSDP_OP_PROBE);
	op_ident(&op[4], OVSDP_OP_FLOW_GET, &a, true, 0);
	op[5] = (struct ovsdp_op){ OVSDP_OP_INIT, .type = OVSDP_OP_EXECUTE };
	op[5].execute.packet = frame;
	op[5].execute.packet_len = sizeof frame;
	op[5].execute.key = a.key.data;
	op[5].execute.key_len = a.key.len;
	op_ident(&op[6], OVSDP_OP_FLOW_DEL, &a, false, 0);
	r = ovsdp_dp_operate(dp, p, 7, &err);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_msg(g_str_has_prefix(err->message, "op 1 of 7: "), "%s", err->message);
	ck_assert_int_eq(op[0].error, -EINVAL);
	ck_assert_int_eq(op[1].error, 0);
	ck_assert_int_eq(op[2].error, -EINVAL);
	ck_assert_int_eq(op[3].error, -EEXIST);
	ck_assert_int_eq(op[4].error, 0);
	ck_assert(op[4].flow_out.has_actions);
	ck_assert_int_eq(op[5].error, -EINVAL);
	ck_assert_int_eq(op[6].error, 0);
	ovsdp_flow_clear(&op[4].flow_out);
	g_clear_error(&err);

	/* Only probes fail: the call succeeds, the op says. */
	op_put(&op[0], &b, OVSDP_FLOW_PUT_CREATE, 0);
	op_put(&op[1], &b, OVSDP_FLOW_PUT_CREATE, OVSDP_OP_PROBE);
	ck_assert_int_eq(ovsdp_dp_operate(dp, p, 2, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(op[0].error, 0);
	ck_assert_int_eq(op[1].error, -EEXIST);

	/* A probe fails first, then a real failure: that one is reported,
	 * named by its ufid. */
	op_put(&op[0], &b, OVSDP_FLOW_PUT_CREATE, OVSDP_OP_PROBE);
	op_ident(&op[1], OVSDP_OP_FLOW_DEL, &a, true, 0);
	ck_assert_int_eq(ovsdp_dp_operate(dp, p, 2, &err), -ENOENT);
	{
		char u[OVSDP_UFID_STRLEN];
		g_autofree char *want = NULL;

		ovsdp_ufid_format(&a.ufid, u);
		want = g_strdup_printf("op 2 of 2 (deleting flow ufid:%s): ", u);
		ck_assert_msg(g_str_has_prefix(err->message, want), "%s", err->message);
	}
	g_clear_error(&err);

	/* A modify without a ufid finds the flow (put with the ufid from its
	 * key); its stats echo. */
	op_put(&op[0], &b, OVSDP_FLOW_PUT_MODIFY, OVSDP_OP_STATS);
	ck_assert_int_eq(ovsdp_dp_operate(dp, p, 1, &err), 0);
	ck_assert_int_eq(op[0].error, 0);

	/* A flow installed without a ufid (identified by its key) is found
	 * by its key: read, modified and deleted. */
	{
		struct ovsdp_flow_put kp = {
			.flags = OVSDP_FLOW_PUT_CREATE,
			.key = a.key.data, .key_len = a.key.len,
			.mask = a.mask.data, .mask_len = a.mask.len,
			.actions = a.acts.data, .actions_len = a.acts.len,
		};

		ck_assert_int_eq(ovsdp_flow_put(dp, &kp, NULL, NULL), 0);
		op_ident(&op[0], OVSDP_OP_FLOW_GET, &a, false, 0);
		op_put(&op[1], &a, OVSDP_FLOW_PUT_MODIFY, OVSDP_OP_STATS);
		op_ident(&op[2], OVSDP_OP_FLOW_DEL, &a, false, OVSDP_OP_STATS);
		r = ovsdp_dp_operate(dp, p, 3, &err);
		ck_assert_msg(r == 0, "%s", err ? err->message : "");
		ck_assert_int_eq(op[0].error, 0);
		ck_assert(op[0].flow_out.has_key);
		ck_assert(!op[0].flow_out.has_ufid);
		ck_assert(!op[0].has_ufid);
		ck_assert_int_eq(op[1].error, 0);
		ck_assert_int_eq(op[2].error, 0);
		ovsdp_flow_clear(&op[0].flow_out);
		/* Gone: both lookups miss, one error. */
		ck_assert_int_eq(ovsdp_dp_operate(dp, p + 2, 1, &err), -ENOENT);
		ck_assert_msg(strstr(err->message, "op 1 of 1 (deleting a flow by its key"), "%s",
			      err->message);
		g_clear_error(&err);
	}

	/* A struct_size under 1.1's, or a NULL element: nothing is sent. */
	op_put(&op[0], &a, OVSDP_FLOW_PUT_CREATE, 0);
	op[0].struct_size = sizeof(size_t);
	ck_assert_int_eq(ovsdp_dp_operate(dp, p, 1, &err), -EINVAL);
	ck_assert_msg(strstr(err->message, "struct_size"), "%s", err->message);
	g_clear_error(&err);
	op[0].struct_size = sizeof op[0];
	p[1] = NULL;
	ck_assert_int_eq(ovsdp_dp_operate(dp, p, 2, &err), -EINVAL);
	g_clear_error(&err);
	memset(&fl, 0, sizeof fl);
	ck_assert_int_eq(ovsdp_flow_get(dp, a.key.data, a.key.len, NULL, &fl, NULL), -ENOENT);
	dp_packets(&n_flows);
	ck_assert_uint_eq(n_flows, 1);          /* b only */
	ck_assert_int_eq(ovsdp_dp_operate(dp, p, 0, NULL), 0);
	ck_assert_int_eq(ovsdp_dp_operate(NULL, p, 1, NULL), -EINVAL);

	flow_bytes_clear(&a);
	flow_bytes_clear(&b);
}
END_TEST

int
main(void)
{
	/* Seconds normally; the bound is for TCG under ASan. */
	return ktest_main("operate", "operate", setup, teardown, 120,
			  TSUITE_TESTS(thousand_mixed_ops, refusals_and_probes));
}
