/* test-replies.c: the replies a handler callback queues (flow puts and
 * packet executes) reach the kernel as one multi-message netlink
 * transaction per callback: the flows exist afterwards, the executed frames
 * leave through a veth, the statistics count transactions and replies, and
 * one request the kernel refuses fails alone while the rest land. */
#include "config.h"

#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "ovsdp/ovsdp.h"
#include "dp/datapath-internal.h"
#include "nl/netlink.h"
#include "dp/requests.h"
#include "knet.h"
#include "ktest.h"
#include "kstats.h"

#define DP_NAME "ovsdprp"
#define K 8                     /* flow puts, and executes, per callback */
#define WAIT_MS 8000
/* The kernel's limit on port numbers in actions (DP_MAX_PORTS): an output
 * to this port is a request it refuses (EINVAL). */
#define BAD_PORT 70000

static struct ovsdp_dp *dp;
static struct ovsdp_plugins *plugins;
static uint32_t in_port, out_port;      /* dp0 (peer tx0), dp1 (peer tx1) */
static int raw_in, raw_out;

/* What the callback does, and what it saw. */
static struct {
	pthread_mutex_t lock;
	int bad_index;          /* this put of the next batch outputs to BAD_PORT; -1 none */
	uint64_t callbacks_with_replies;
	uint64_t queue_errors;
	uint64_t others;
} cb;

static void
src_mac(uint8_t mac[6], uint32_t tag, unsigned int k)
{
	mac[0] = 0x02;
	mac[1] = 0xbb;
	mac[2] = (uint8_t)(tag >> 8);
	mac[3] = (uint8_t)tag;
	mac[4] = 0;
	mac[5] = (uint8_t)k;
}

static const uint8_t dst_mac[6] = { 0x02, 0xcc, 0, 0, 0, 1 };

/* K flow puts for (tag, 0..K-1), then K executes of the upcall's frame,
 * retagged (tag << 8 | k), out of dp1. */
static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	bool queued = false;
	int bad;

	(void)data;
	for (unsigned int i = 0; i < n; i++) {
		const struct ovsdp_upcall *u = &ups[i];
		uint8_t frame[256];
		uint32_t tag;

		if (u->packet_len < 18 || u->packet_len > sizeof frame ||
		    u->packet[12] != (KNET_ETHERTYPE >> 8) || u->packet[13] != (KNET_ETHERTYPE & 0xff)) {
			pthread_mutex_lock(&cb.lock);
			cb.others++;
			pthread_mutex_unlock(&cb.lock);
			continue;
		}
		memcpy(&tag, u->packet + 14, 4);
		tag = ntohl(tag);
		/* Taken by the first test frame only: a callback for a stray
		 * frame (the veth's own traffic) must not use it up. */
		pthread_mutex_lock(&cb.lock);
		bad = cb.bad_index;
		cb.bad_index = -1;
		pthread_mutex_unlock(&cb.lock);
		for (unsigned int k = 0; k < K; k++) {
			struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT;
			struct ovsdp_buf acts = OVSDP_BUF_INIT;
			struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };
			uint8_t src[6];

			src_mac(src, tag, k);
			knet_key(&key, in_port, src, dst_mac);
			knet_mask(&mask);
			ovsdp_buf_put_u32(&acts, OVS_ACTION_ATTR_OUTPUT,
					  (int)k == bad ? BAD_PORT : out_port);
			knet_flow_put_set(&put, &key, &mask, &acts);
			if (ovsdp_handler_queue_flow_put(h, &put) == 0)
				queued = true;
			else
				cb.queue_errors++;
			/* Queued means copied: the buffers may go now. */
			ovsdp_buf_clear(&key);
			ovsdp_buf_clear(&mask);
			ovsdp_buf_clear(&acts);
		}
		for (unsigned int k = 0; k < K; k++) {
			struct ovsdp_buf acts = OVSDP_BUF_INIT;
			struct ovsdp_execute ex = { 0 };
			uint32_t t = htonl(tag << 8 | k);

			memcpy(frame, u->packet, u->packet_len);
			memcpy(frame + 14, &t, 4);
			ovsdp_buf_put_u32(&acts, OVS_ACTION_ATTR_OUTPUT, out_port);
			ex.packet = frame;
			ex.packet_len = u->packet_len;
			ex.key = u->key;
			ex.key_len = u->key_len;
			ex.actions = acts.data;
			ex.actions_len = acts.len;
			if (ovsdp_handler_queue_execute(h, &ex) == 0)
				queued = true;
			else
				cb.queue_errors++;
			ovsdp_buf_clear(&acts);
		}
	}
	if (queued) {
		pthread_mutex_lock(&cb.lock);
		cb.callbacks_with_replies++;
		pthread_mutex_unlock(&cb.lock);
	}
}

static void
setup(void)
{
	struct ovsdp_features features;

	dp = knet_netns_dp(DP_NAME);
	knet_veth_port(dp, 0, &in_port, &raw_in);
	knet_veth_port(dp, 1, &out_port, &raw_out);
	ck_assert_int_eq(ovsdp_features_probe(&features, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &plugins, NULL), 0);
	memset(&cb, 0, sizeof cb);
	pthread_mutex_init(&cb.lock, NULL);
	cb.bad_index = -1;
}

static void
teardown(void)
{
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	close(raw_in);
	close(raw_out);
}

static struct ovsdp_handlers *
start(void)
{
	/* per-vport runs on every kernel; the batching is the core's. */
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, "per-vport");
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = DP_NAME, .n_handlers = 1, .callback = on_upcalls,
	};
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(p != NULL, "per-vport not found (OVSDP_PLUGIN_PATH=%s)",
		      g_getenv("OVSDP_PLUGIN_PATH"));
	ck_assert_msg(ovsdp_handlers_new(&o, &hs, &err) == 0, "%s", err ? err->message : "");
	ck_assert_msg(ovsdp_handlers_start(hs, p, &err) == 0, "%s", err ? err->message : "");
	return hs;
}

/* Sums of per-handler counters. */
struct totals {
	uint64_t upcalls, batches, replies, reply_errors, reply_unconfirmed, transactions;
};

/* Sum of the per-handler counters. */
static struct totals
handler_totals(struct ovsdp_handlers *hs)
{
	g_autoptr(kstats) st = NULL;
	struct totals sum = { 0 };

	ck_assert_int_eq(kstats_get(hs, &st), 0);
	for (unsigned int i = 0; i < ovsdp_handlers_stats_n_handlers(st); i++) {
		sum.upcalls += KST_HANDLER(st, i, UPCALLS);
		sum.batches += KST_HANDLER(st, i, BATCHES);
		sum.replies += KST_HANDLER(st, i, REPLIES);
		sum.reply_errors += KST_HANDLER(st, i, REPLY_ERRORS);
		sum.reply_unconfirmed += KST_HANDLER(st, i, REPLY_UNCONFIRMED);
		sum.transactions += KST_HANDLER(st, i, TRANSACTIONS);
	}
	return sum;
}

/* The handler counts a batch's replies once their send returned, which
 * can be after the frames it executed are out: wait for the count. */
static struct totals
wait_replies(struct ovsdp_handlers *hs, uint64_t want)
{
	struct totals s = handler_totals(hs);

	for (int waited = 0; s.replies < want && waited < WAIT_MS; waited += 10) {
		g_usleep(10000);
		s = handler_totals(hs);
	}
	return s;
}

/* Send one frame with 'tag' into dp0 and wait for the K executed copies
 * on tx1.  Returns how many arrived. */
static unsigned int
one_batch(uint32_t tag)
{
	static const uint8_t src[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
	uint8_t frame[128], got[256];
	unsigned int seen = 0;

	knet_send(raw_in, frame, knet_frame(frame, sizeof frame, dst_mac, src, tag, 64));
	for (unsigned int k = 0; k < K; k++)
		seen += knet_recv_tag(raw_out, tag << 8 | k, got, sizeof got, WAIT_MS) > 0;
	return seen;
}

/* Flows in the kernel whose source MAC says they were put for 'tag';
 * 'mask' gets bit k for flow k. */
static unsigned int
flows_of(uint32_t tag, uint32_t *mask)
{
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *f;
	g_autoptr(GError) err = NULL;
	unsigned int n = 0;
	int r;

	*mask = 0;
	ck_assert_msg(ovsdp_flow_dump_start(dp, 0, &d, &err) == 0, "%s", err ? err->message : "");
	while ((r = ovsdp_flow_dump_next(d, &f, &err)) == 1) {
		const struct ovs_key_ethernet *eth;
		uint8_t want[6];
		size_t len;

		eth = knet_attr_find(f->key, f->key_len, OVS_KEY_ATTR_ETHERNET, &len);
		if (!eth || len < sizeof *eth)
			continue;
		src_mac(want, tag, eth->eth_src[5]);
		if (memcmp(eth->eth_src, want, 6) || eth->eth_src[5] >= K)
			continue;
		*mask |= 1u << eth->eth_src[5];
		n++;
	}
	ck_assert_msg(r == 0, "%s", err ? err->message : "");
	ovsdp_flow_dump_free(d);
	return n;
}

/* Lines of `ovs-dpctl dump-flows` with our flows' source MAC prefix. */
static int
dpctl_flow_count(void)
{
	g_autofree char *out = NULL;

	if (!ktest_have_ovs_dpctl())
		return -1;
	out = ktest_sh_output("ovs-dpctl dump-flows %s | grep -c 'eth(src=02:bb:'", DP_NAME);
	return out ? atoi(out) : -1;
}

START_TEST(one_transaction_per_callback)
{
	struct ovsdp_handlers *hs = start();
	struct totals s;
	const unsigned int batches = 5;
	int dpctl;

	for (uint32_t b = 1; b <= batches; b++) {
		uint32_t mask;

		ck_assert_uint_eq(one_batch(b), K);
		ck_assert_uint_eq(flows_of(b, &mask), K);
		ck_assert_uint_eq(mask, (1u << K) - 1);
	}
	s = wait_replies(hs, 2 * K * batches);
	printf("%u callbacks with replies: %" G_GUINT64_FORMAT " transactions, %" G_GUINT64_FORMAT
	       " replies, %" G_GUINT64_FORMAT " failed\n", (unsigned int)cb.callbacks_with_replies,
	       s.transactions, s.replies, s.reply_errors);
	ck_assert_uint_eq(cb.others, 0);
	ck_assert_uint_eq(cb.queue_errors, 0);
	ck_assert_uint_eq(cb.callbacks_with_replies, batches);
	ck_assert_uint_eq(s.transactions, cb.callbacks_with_replies);
	ck_assert_uint_eq(s.replies, 2 * K * batches);
	ck_assert_uint_eq(s.reply_errors, 0);
	ck_assert_uint_eq(s.reply_unconfirmed, 0);
	dpctl = ktest_have_ovs_dpctl() ? dpctl_flow_count() : -1;
	if (dpctl >= 0)
		ck_assert_int_eq(dpctl, K * batches);
	ovsdp_handlers_free(hs);
}
END_TEST

START_TEST(one_refused_request_fails_alone)
{
	struct ovsdp_handlers *hs = start();
	struct totals before, after;
	struct ovsdp_buf key = OVSDP_BUF_INIT;
	struct ovsdp_flow f;
	uint8_t src[6];
	uint32_t mask;

	ck_assert_uint_eq(one_batch(1), K);
	/* Batch 1's frames can be out before its send returned and was
	 * counted: wait for its 2K replies, or its transaction would count
	 * in batch 2's. */
	before = wait_replies(hs, 2 * K);
	ck_assert_uint_eq(before.replies, 2 * K);
	/* The middle put of the next batch outputs to a port the kernel
	 * refuses: requests after it in the same send must still land. */
	pthread_mutex_lock(&cb.lock);
	cb.bad_index = K / 2;
	pthread_mutex_unlock(&cb.lock);
	ck_assert_uint_eq(one_batch(2), K);
	after = wait_replies(hs, before.replies + 2 * K);
	printf("batch with one bad put: %" G_GUINT64_FORMAT " transaction, %" G_GUINT64_FORMAT
	       " replies, %" G_GUINT64_FORMAT " failed\n", after.transactions - before.transactions,
	       after.replies - before.replies, after.reply_errors - before.reply_errors);
	ck_assert_uint_eq(after.transactions - before.transactions, 1);
	ck_assert_uint_eq(after.replies - before.replies, 2 * K);
	ck_assert_uint_eq(after.reply_errors - before.reply_errors, 1);
	ck_assert_uint_eq(after.reply_unconfirmed, 0);
	ck_assert_uint_eq(flows_of(2, &mask), K - 1);
	ck_assert_uint_eq(mask, ((1u << K) - 1) & ~(1u << (K / 2)));
	/* The refused one is not there at all. */
	src_mac(src, 2, K / 2);
	knet_key(&key, in_port, src, dst_mac);
	ck_assert_int_eq(ovsdp_flow_get(dp, key.data, key.len, NULL, &f, NULL), -ENOENT);
	ovsdp_buf_clear(&key);
	/* And the next batch is whole again. */
	ck_assert_uint_eq(one_batch(3), K);
	ck_assert_uint_eq(flows_of(3, &mask), K);
	ck_assert_uint_eq(wait_replies(hs, after.replies + 2 * K).reply_errors, after.reply_errors);
	ovsdp_handlers_free(hs);
}
END_TEST

/* Encode a test-frame flow put (src from tag, k) outputting to 'port'. */
static void
encode_put(struct ovsdp_buf *out, uint32_t tag, unsigned int k, uint32_t port)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };
	g_autoptr(GError) err = NULL;
	uint8_t src[6];

	src_mac(src, tag, k);
	knet_key(&key, in_port, src, dst_mac);
	knet_mask(&mask);
	ovsdp_buf_put_u32(&acts, OVS_ACTION_ATTR_OUTPUT, port);
	knet_flow_put_set(&put, &key, &mask, &acts);
	ck_assert_msg(ovsdp_flow_put_encode(dp, &put, false, out, NULL, &err) == 0, "%s",
		      err ? err->message : "");
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&acts);
}

/* Encode an execute of a test frame tagged 'tag' out of dp1. */
static void
encode_execute(struct ovsdp_buf *out, uint32_t tag, size_t payload)
{
	static const uint8_t src[6] = { 0x02, 0xaa, 0, 0, 0, 2 };
	struct ovsdp_buf key = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovsdp_execute ex = { 0 };
	g_autoptr(GError) err = NULL;
	uint8_t frame[1600];

	knet_key(&key, in_port, src, dst_mac);
	ovsdp_buf_put_u32(&acts, OVS_ACTION_ATTR_OUTPUT, out_port);
	ex.packet = frame;
	ex.packet_len = knet_frame(frame, sizeof frame, dst_mac, src, tag, payload);
	ex.key = key.data;
	ex.key_len = key.len;
	ex.actions = acts.data;
	ex.actions_len = acts.len;
	ck_assert_msg(ovsdp_packet_execute_encode(dp, &ex, out, NULL, &err) == 0, "%s",
		      err ? err->message : "");
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&acts);
}

/* The transaction itself (white box): each verdict goes to its request. */
START_TEST(verdicts_map_to_requests)
{
	struct ovsdp_buf msgs = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	uint8_t got[256];
	unsigned int unacked = 99;
	int errors[5];
	uint32_t mask;

	encode_put(&msgs, 7, 0, out_port);
	encode_put(&msgs, 7, 1, BAD_PORT);
	encode_execute(&msgs, 0x7001, 64);
	encode_put(&msgs, 7, 2, out_port);
	encode_put(&msgs, 7, 0, out_port);     /* again: exists already */
	ck_assert_int_eq(ovsdp_nl_transact_many(dp->nl, &msgs, 5, errors, &unacked, &err), 1);
	printf("verdicts: %d %d %d %d %d; first failure: %s\n", errors[0], errors[1], errors[2],
	       errors[3], errors[4], err ? err->message : "none");
	ck_assert_int_eq(errors[0], 0);
	ck_assert_int_eq(errors[1], -EINVAL);
	ck_assert_int_eq(errors[2], 0);
	ck_assert_int_eq(errors[3], 0);
	ck_assert_int_eq(errors[4], -EEXIST);
	ck_assert_uint_eq(unacked, 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, EINVAL);
	ck_assert_msg(g_str_has_prefix(err->message, "request 2 of 5: "), "%s", err->message);
	ck_assert_int_gt(knet_recv_tag(raw_out, 0x7001, got, sizeof got, WAIT_MS), 0);
	ck_assert_uint_eq(flows_of(7, &mask), 2);
	ck_assert_uint_eq(mask, 0x5);
	ovsdp_buf_clear(&msgs);
}
END_TEST

/* Send 24 executes of 1200-byte frames (tags base..base+23); every one
 * must be accepted and come out of dp1.  Returns the number of sends. */
static int
execute_24(uint32_t base)
{
	struct ovsdp_buf msgs = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	unsigned int unacked = 99;
	int errors[24], sends;
	uint8_t got[1600];

	for (uint32_t i = 0; i < 24; i++)
		encode_execute(&msgs, base + i, 1200);
	sends = ovsdp_nl_transact_many(dp->nl, &msgs, 24, errors, &unacked, &err);
	for (int i = 0; i < 24; i++)
		ck_assert_msg(errors[i] == 0, "request %d: %d (%s)", i, errors[i],
			      err ? err->message : "");
	ck_assert_uint_eq(unacked, 0);
	ck_assert_ptr_null(err);
	for (uint32_t i = 0; i < 24; i++)
		ck_assert_msg(knet_recv_tag(raw_out, base + i, got, sizeof got, WAIT_MS) > 0,
			      "frame %u did not come out", i);
	ovsdp_buf_clear(&msgs);
	return sends;
}

/* More than the socket's buffers hold: split into several sends, and
 * nothing lost or refused for it. */
START_TEST(small_buffers_split_the_batch)
{
	int fd = nl_socket_get_fd(dp->nl->sk), small = 4096, tiny = 1, sends;
	struct ovsdp_buf key = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };
	struct ovsdp_flow_stats st;
	uint8_t src[6];

	ck_assert_int_eq(execute_24(0x8000), 1);
	/* A send buffer of a few frames: split by size. */
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	sends = execute_24(0x8100);
	printf("24 executes of 1200 bytes, small send buffer: %d sends\n", sends);
	ck_assert_int_gt(sends, 1);
	ck_assert_int_lt(sends, 24);
	/* A receive buffer of about one ack: one request per send. */
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny), 0);
	sends = execute_24(0x8200);
	printf("24 executes of 1200 bytes, tiny receive buffer: %d sends\n", sends);
	ck_assert_int_eq(sends, 24);
	/* The single-shot calls still work on the same socket afterwards. */
	src_mac(src, 9, 0);
	knet_key(&key, in_port, src, dst_mac);
	ovsdp_buf_put_u32(&acts, OVS_ACTION_ATTR_OUTPUT, out_port);
	put.key = key.data;
	put.key_len = key.len;
	put.actions = acts.data;
	put.actions_len = acts.len;
	ck_assert_int_eq(ovsdp_flow_put(dp, &put, &st, NULL), 0);
	ck_assert_int_eq(ovsdp_flow_put(dp, &put, NULL, NULL), -EEXIST);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&acts);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("replies");

	ktest_require_datapath();
	tsuite_case(s, "batch", setup, teardown, 0,
		    TSUITE_TESTS(one_transaction_per_callback, one_refused_request_fails_alone));
	tsuite_case(s, "transaction", setup, teardown, 0,
		    TSUITE_TESTS(verdicts_map_to_requests, small_buffers_split_the_batch));
	return ktest_run_suite(s);
}
