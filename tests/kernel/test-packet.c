/* test-packet.c: packets through the real datapath: execute with output
 * and userspace actions, MISS and ACTION upcalls received on upcall
 * sockets and parsed (packet bytes, in_port, key, userdata, truncation
 * length), batch receive, overruns counted, purge, and execute errors. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"
#include "dp/upcall-internal.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static struct ovsdp_dp *dp;
static struct ovsdp_upcall_sock *sock;
static uint32_t port_a;

static void
setup(void)
{
	struct ovsdp_vport_spec spec = { .name = "vA" };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;
	uint32_t pid;

	ktest_netns_setup();
	ck_assert_msg(ovsdp_dp_create("ovsdpt0", 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err->message);
	ck_assert_int_eq(ovsdp_upcall_sock_open(0, &sock, &err), 0);
	pid = ovsdp_upcall_sock_portid(sock);
	knet_veth("vA", "vB");
	spec.upcall_pids = &pid;
	spec.n_upcall_pids = 1;
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), 0);
	port_a = info.port_no;
}

static void
teardown(void)
{
	ovsdp_upcall_sock_close(sock);
	ovsdp_dp_close(dp);
	sock = NULL;
	dp = NULL;
}

static int
execute(const void *frame, size_t len, uint32_t in_port, const struct ovsdp_buf *acts,
	GError **error)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT;
	struct ovsdp_execute ex = { .packet = frame, .packet_len = len };
	int r;

	knet_key(&key, in_port, mac_a, mac_b);
	ex.key = key.data;
	ex.key_len = key.len;
	ex.actions = acts ? acts->data : NULL;
	ex.actions_len = acts ? acts->len : 0;
	r = ovsdp_packet_execute(dp, &ex, error);
	ovsdp_buf_clear(&key);
	return r;
}

static void
userspace_action(struct ovsdp_buf *acts, uint32_t pid, const void *cookie, size_t cookie_len)
{
	size_t u = ovsdp_buf_nest_start(acts, OVS_ACTION_ATTR_USERSPACE);

	ovsdp_buf_put_u32(acts, OVS_USERSPACE_ATTR_PID, pid);
	if (cookie)
		ovsdp_buf_put_attr(acts, OVS_USERSPACE_ATTR_USERDATA, cookie, cookie_len);
	ovsdp_buf_nest_end(acts, u);
}

static void
sock_basics(void)
{
	ck_assert_uint_ne(ovsdp_upcall_sock_portid(sock), 0);
	ck_assert_int_ge(ovsdp_upcall_sock_fd(sock), 0);
	/* Root gets the 4 MiB past rmem_max (the kernel reports double). */
	ck_assert_int_ge(ovsdp_upcall_sock_rcvbuf(sock), OVSDP_UPCALL_RCVBUF_DEFAULT);
	ck_assert_uint_eq(ovsdp_upcall_sock_overruns(sock), 0);
}

START_TEST(execute_output_arrives)
{
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128], got[256];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 900, 100);
	int fd = knet_raw_open("vB");

	sock_basics();
	ovsdp_buf_put_u32(&acts, OVS_ACTION_ATTR_OUTPUT, port_a);
	ck_assert_msg(execute(frame, len, OVSDP_PORT_LOCAL, &acts, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_int_eq(knet_recv_tag(fd, 900, got, sizeof got, 3000), (int)len);
	ck_assert_int_eq(memcmp(got, frame, len), 0);
	/* No actions: dropped, and nothing arrives. */
	ck_assert_int_eq(execute(frame, len, OVSDP_PORT_LOCAL, NULL, &err), 0);
	ck_assert_int_eq(knet_recv_tag(fd, 900, got, sizeof got, 300), -1);
	ovsdp_buf_clear(&acts);
	close(fd);
}
END_TEST

START_TEST(miss_upcall_parsed)
{
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128], buf[4096];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 901, 80);
	int fd = knet_raw_open("vB"), n, fam = ovsdp_dp_packet_family(dp);

	ck_assert_int_gt(fam, 0);
	knet_send(fd, frame, len);
	n = knet_upcall_wait(sock, buf, sizeof buf, 3000);
	ck_assert_int_gt(n, 0);
	ck_assert_msg(ovsdp_upcall_parse(buf, (size_t)n, (uint16_t)fam, &up, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_uint_eq(up.cmd, OVSDP_UPCALL_MISS);
	ck_assert_int_eq(up.dp_ifindex, ovsdp_dp_ifindex(dp));
	ck_assert_uint_eq(up.in_port, port_a);
	ck_assert_uint_eq(up.packet_len, len);
	ck_assert_int_eq(memcmp(up.packet, frame, len), 0);
	knet_check_key(up.key, up.key_len, port_a, mac_a, mac_b, KNET_ETHERTYPE);
	ck_assert(up.has_hash);
	ck_assert_ptr_null(up.userdata);
	ck_assert(!up.has_len);
	ck_assert_uint_eq(up.mru, 0);
	/* The wrong family id is caught. */
	ck_assert_int_eq(ovsdp_upcall_parse(buf, (size_t)n, (uint16_t)(fam + 1), &up, NULL),
			 -EPROTO);
	close(fd);
}
END_TEST

START_TEST(action_upcall_userdata)
{
	static const uint8_t cookie[10] = "ovsdp-ck!";
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128], buf[4096];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 902, 60);
	int n;

	userspace_action(&acts, ovsdp_upcall_sock_portid(sock), cookie, sizeof cookie);
	ck_assert_int_eq(execute(frame, len, port_a, &acts, &err), 0);
	n = knet_upcall_wait(sock, buf, sizeof buf, 3000);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ovsdp_upcall_parse(buf, (size_t)n, 0, &up, &err), 0);
	ck_assert_uint_eq(up.cmd, OVSDP_UPCALL_ACTION);
	ck_assert_uint_eq(up.in_port, port_a);
	ck_assert_uint_eq(up.userdata_len, sizeof cookie);
	ck_assert_int_eq(memcmp(up.userdata, cookie, sizeof cookie), 0);
	ck_assert_uint_eq(up.packet_len, len);
	ck_assert_int_eq(memcmp(up.packet, frame, len), 0);
	ovsdp_buf_clear(&acts);
}
END_TEST

START_TEST(truncated_upcall_reports_length)
{
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	struct ovs_action_trunc trunc = { .max_len = 20 };
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128], buf[4096];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 903, 60);
	int n;

	ovsdp_buf_put_attr(&acts, OVS_ACTION_ATTR_TRUNC, &trunc, sizeof trunc);
	userspace_action(&acts, ovsdp_upcall_sock_portid(sock), NULL, 0);
	ck_assert_msg(execute(frame, len, port_a, &acts, &err) == 0, "%s",
		      err ? err->message : "");
	n = knet_upcall_wait(sock, buf, sizeof buf, 3000);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ovsdp_upcall_parse(buf, (size_t)n, 0, &up, &err), 0);
	ck_assert_uint_eq(up.cmd, OVSDP_UPCALL_ACTION);
	ck_assert_uint_eq(up.packet_len, 20);
	ck_assert(up.has_len);
	ck_assert_uint_eq(up.len, len);
	ck_assert_int_eq(memcmp(up.packet, frame, 20), 0);
	ovsdp_buf_clear(&acts);
}
END_TEST

START_TEST(batch_receive)
{
	struct ovsdp_upcall_slot slots[8];
	uint8_t bufs[8][2048], frame[128];
	int fd = knet_raw_open("vB"), total = 0;
	gint64 deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

	for (uint32_t i = 0; i < 5; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 910 + i, 46));
	while (total < 5 && g_get_monotonic_time() < deadline) {
		struct pollfd p = { .fd = ovsdp_upcall_sock_fd(sock), .events = POLLIN };
		int r;

		for (int i = 0; i < 8; i++)
			slots[i] = (struct ovsdp_upcall_slot){ bufs[i], sizeof bufs[i], 0 };
		r = ovsdp_upcall_sock_recv_batch(sock, slots, 8);
		if (r == -EAGAIN) {
			poll(&p, 1, 100);
			continue;
		}
		ck_assert_int_gt(r, 0);
		for (int i = 0; i < r; i++) {
			struct ovsdp_upcall up;

			ck_assert_int_eq(ovsdp_upcall_parse(slots[i].buf, slots[i].len, 0, &up, NULL), 0);
			ck_assert_uint_eq(up.in_port, port_a);
			ck_assert_uint_eq(up.packet[17], (uint8_t)(910 + total + i));
		}
		total += r;
	}
	ck_assert_int_eq(total, 5);
	ck_assert_int_eq(ovsdp_upcall_sock_recv_batch(sock, slots, 8), -EAGAIN);
	ck_assert_int_eq(ovsdp_upcall_sock_recv_batch(sock, NULL, 8), -EINVAL);
	close(fd);
}
END_TEST

START_TEST(overrun_counted)
{
	struct ovsdp_upcall_sock *small = NULL;
	struct ovsdp_dp_info info;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128], buf[4096];
	int fd = knet_raw_open("vB"), got = 0, r, enobufs = 0;
	uint32_t pid;
	uint64_t missed0;
	const int sent = 200;

	/* The smallest buffer the kernel allows holds only a few upcalls. */
	ck_assert_int_eq(ovsdp_upcall_sock_open(1, &small, &err), 0);
	ck_assert_int_lt(ovsdp_upcall_sock_rcvbuf(small), 16384);
	pid = ovsdp_upcall_sock_portid(small);
	ck_assert_int_eq(ovsdp_vport_set_upcall_pids(dp, port_a, &pid, 1, &err), 0);
	missed0 = knet_dp_missed(dp);
	for (int i = 0; i < sent; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 1000 + (uint32_t)i,
						46));
	/* The kernel has tried every upcall (queued or failed). */
	ck_assert(KTEST_WAIT(5000, knet_dp_missed(dp) - missed0 >= (uint64_t)sent));
	while ((r = ovsdp_upcall_sock_recv(small, buf, sizeof buf)) != -EAGAIN) {
		if (r == -ENOBUFS) {
			enobufs++;
			continue;
		}
		ck_assert_int_gt(r, 0);
		got++;
	}
	ck_assert_int_ge(enobufs, 1);
	ck_assert_uint_eq(ovsdp_upcall_sock_overruns(small), (uint64_t)enobufs);
	ck_assert_int_gt(got, 0);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, &err), 0);
	/* Every miss was either delivered or counted lost by the kernel. */
	ck_assert_uint_eq(info.stats.n_missed, (uint64_t)sent);
	ck_assert_uint_eq(info.stats.n_lost + (uint64_t)got, (uint64_t)sent);
	ovsdp_upcall_sock_close(small);
	close(fd);
}
END_TEST

START_TEST(purge_and_truncation)
{
	uint8_t frame[128], tiny[16];
	int fd = knet_raw_open("vB");

	uint64_t missed0 = knet_dp_missed(dp);

	for (uint32_t i = 0; i < 3; i++)
		knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 1300 + i, 46));
	ck_assert(KTEST_WAIT(5000, knet_dp_missed(dp) - missed0 >= 3));
	ck_assert_int_eq(ovsdp_upcall_sock_purge(sock), 3);
	ck_assert_int_eq(ovsdp_upcall_sock_recv(sock, frame, sizeof frame), -EAGAIN);

	/* A buffer too small for the message: dropped and counted. */
	missed0 = knet_dp_missed(dp);
	knet_send(fd, frame, knet_frame(frame, sizeof frame, mac_b, mac_a, 1400, 46));
	ck_assert(KTEST_WAIT(5000, knet_dp_missed(dp) - missed0 >= 1));
	ck_assert_int_eq(ovsdp_upcall_sock_recv(sock, tiny, sizeof tiny), -EMSGSIZE);
	ck_assert_uint_eq(ovsdp_upcall_sock_truncated(sock), 1);
	ck_assert_int_eq(ovsdp_upcall_sock_recv(sock, tiny, sizeof tiny), -EAGAIN);
	ck_assert_int_eq(ovsdp_upcall_sock_recv(NULL, tiny, sizeof tiny), -EINVAL);
	close(fd);
}
END_TEST

START_TEST(execute_errors)
{
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 1500, 46);

	ck_assert_int_eq(execute(frame, 10, port_a, NULL, &err), -EINVAL);
	ck_assert_str_eq(err->message, "executing a 10-byte packet on datapath ovsdpt0: "
			 "shorter than an Ethernet header: Invalid argument");
	g_clear_error(&err);
	/* An action type the kernel does not know. */
	ovsdp_buf_put_u32(&acts, 200, 0);
	ck_assert_int_eq(execute(frame, len, port_a, &acts, &err), -EINVAL);
	ck_assert_str_eq(err->message, "executing a 60-byte packet on datapath ovsdpt0: "
			 "Invalid argument");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_packet_execute(dp, NULL, &err), -EINVAL);
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_dp_del(dp, &err), 0);
	ck_assert_int_eq(execute(frame, len, port_a, NULL, &err), -ENODEV);
	ovsdp_buf_clear(&acts);
}
END_TEST


START_TEST(mru_and_hash_reach_the_upcall)
{
	struct ovsdp_buf key = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovsdp_execute ex = { .mru = 1400, .has_hash = true,
				    /* bit 32: a software hash, as the kernel marks it */
				    .hash = (1ULL << 32) | 0x1234abcd };
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	uint8_t frame[128], buf[4096];
	int n;

	ex.packet = frame;
	ex.packet_len = knet_frame(frame, sizeof frame, mac_b, mac_a, 1550, 60);
	knet_key(&key, port_a, mac_a, mac_b);
	userspace_action(&acts, ovsdp_upcall_sock_portid(sock), NULL, 0);
	ex.key = key.data;
	ex.key_len = key.len;
	ex.actions = acts.data;
	ex.actions_len = acts.len;
	/* Without 6.17 the pid is not sent, and the call still works. */
	ex.upcall_pid = ovsdp_dp_execute_has_upcall_pid(dp) ? ovsdp_upcall_sock_portid(sock) : 7;
	ck_assert_msg(ovsdp_packet_execute(dp, &ex, &err) == 0, "%s", err ? err->message : "");
	n = knet_upcall_wait(sock, buf, sizeof buf, 3000);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(ovsdp_upcall_parse(buf, (size_t)n, 0, &up, &err), 0);
	ck_assert_uint_eq(up.mru, 1400);
	ck_assert(up.has_hash);
	ck_assert_uint_eq(up.hash, ex.hash);
	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&acts);
}
END_TEST

/* An upcall larger than the 64 KiB slot (a 32000-byte packet, a
 * 30000-byte cookie and, asked for with the ACTIONS flag, the actions
 * again: about 92 KiB, while the request stays under 64 KiB) is read whole by the runtime's receive and counted;
 * the public batch receive still drops it as truncated.  Its info: the
 * receiving pid passed through, the ufid computed from the key, an
 * Ethernet packet type. */
START_TEST(big_upcall_read_whole)
{
	struct ovsdp_buf acts = OVSDP_BUF_INIT;
	struct ovsdp_upcall_slot slots[2];
	struct ovsdp_upcall up;
	struct ovsdp_upcall_info info = { .struct_size = sizeof info };
	struct ovsdp_ufid want;
	g_autoptr(GError) err = NULL;
	const size_t plen = 32000, clen = 30000;
	uint8_t *frame = g_malloc(plen), *cookie = g_malloc(clen);
	uint8_t *bufs = g_malloc(2 * 65536);
	uint32_t pid = ovsdp_upcall_sock_portid(sock);
	gint64 deadline;
	int r = -EAGAIN;

	ck_assert_uint_eq(knet_frame(frame, plen, mac_b, mac_a, 1600, plen - 14), plen);
	for (size_t i = 0; i < clen; i++)
		cookie[i] = (uint8_t)(i * 7);
	userspace_action(&acts, pid, cookie, clen);
	/* The OVS_USERSPACE_ATTR_ACTIONS flag, inside the action's nest. */
	{
		struct nlattr *u = (struct nlattr *)acts.data;
		size_t at = acts.len;

		ovsdp_buf_put_flag(&acts, OVS_USERSPACE_ATTR_ACTIONS);
		u->nla_len = (uint16_t)(u->nla_len + (acts.len - at));
	}
	for (int round = 0; round < 2; round++) {
		ck_assert_msg(execute(frame, plen, port_a, &acts, &err) == 0, "%s",
			      err ? err->message : "");
		deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
		do {
			struct pollfd p = { .fd = ovsdp_upcall_sock_fd(sock), .events = POLLIN };

			for (int i = 0; i < 2; i++)
				slots[i] = (struct ovsdp_upcall_slot){ bufs + i * 65536, 65536, 0 };
			r = round == 0 ? ovsdp_upcall_sock_recv_batch(sock, slots, 2)
				       : ovsdp_upcall_sock_recv_batch_whole(sock, slots, 2);
			if (r == -EAGAIN && round == 0 && ovsdp_upcall_sock_truncated(sock) == 1)
				break;
			if (r == -EAGAIN)
				poll(&p, 1, 100);
		} while (r == -EAGAIN && g_get_monotonic_time() < deadline);
		if (round == 0) {
			/* The public receive drops it and counts it. */
			ck_assert_int_eq(r, -EAGAIN);
			ck_assert_uint_eq(ovsdp_upcall_sock_truncated(sock), 1);
			ck_assert_uint_eq(ovsdp_upcall_sock_oversized(sock), 0);
		}
	}
	ck_assert_int_eq(r, 1);
	ck_assert_uint_gt(slots[0].len, 65536);
	ck_assert_uint_ge(slots[0].size, slots[0].len);
	ck_assert_uint_eq(ovsdp_upcall_sock_oversized(sock), 1);
	ck_assert_uint_eq(ovsdp_upcall_sock_truncated(sock), 1);
	ck_assert_msg(ovsdp_upcall_parse(slots[0].buf, slots[0].len, 0, &up, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_uint_eq(up.cmd, OVSDP_UPCALL_ACTION);
	ck_assert_uint_eq(up.packet_len, plen);
	ck_assert_int_eq(memcmp(up.packet, frame, plen), 0);
	ck_assert_uint_eq(up.userdata_len, clen);
	ck_assert_int_eq(memcmp(up.userdata, cookie, clen), 0);
	ck_assert_uint_gt(up.actions_len, clen);
	ck_assert_int_eq(ovsdp_upcall_get_info(&up, pid, &info), 0);
	ovsdp_ufid_from_key(up.key, up.key_len, &want);
	ck_assert_int_eq(memcmp(&info.ufid, &want, sizeof want), 0);
	ck_assert_uint_eq(info.pid, pid);
	ck_assert_uint_eq(info.packet_type, OVSDP_PACKET_TYPE_ETHERNET);
	ovsdp_buf_clear(&acts);
	g_free(frame);
	g_free(cookie);
	g_free(bufs);
}
END_TEST

int
main(void)
{
	return ktest_main("packet", "packet", setup, teardown, 120,
			  TSUITE_TESTS(execute_output_arrives, miss_upcall_parsed,
				       action_upcall_userdata, truncated_upcall_reports_length,
				       batch_receive, overrun_counted, purge_and_truncation,
				       execute_errors, mru_and_hash_reach_the_upcall,
				       big_upcall_read_whole));
}
