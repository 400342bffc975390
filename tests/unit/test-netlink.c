/* test-netlink.c: the reply walker reads only inside what was received (an
 * extended ack's echoed request, errnos out of range, truncated datagrams),
 * and every receive path drops a datagram that is not from the kernel: a
 * forged ack sent by another socket to ours is counted, never believed. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <endian.h>
#include <unistd.h>
#include <check.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>

#include "dp/datapath-internal.h"
#include "nl/netlink.h"
#include "ovsdp/operate.h"
#include "ovsdp/upcall.h"
#include "tsuite.h"

/* An NLMSG_ERROR for 'seq' with errno 'err'; unless 'capped', the echoed
 * request header claims 'inner_len' (and 20 bytes of it follow); then an
 * NLMSGERR_ATTR_MSG with 'text' when not NULL. */
static void
put_error(struct ovsdp_buf *b, uint32_t seq, int err, bool capped, uint32_t inner_len,
	  const char *text)
{
	struct nlmsghdr nlh = { .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = seq };
	struct nlmsgerr e = { .error = err };
	size_t off = ovsdp_buf_put(b, &nlh, sizeof nlh);

	e.msg.nlmsg_len = capped ? sizeof e.msg : inner_len;
	e.msg.nlmsg_seq = seq;
	ovsdp_buf_put(b, &e, sizeof e);
	if (!capped)
		ovsdp_buf_put(b, NULL, 4);      /* the echoed request's payload */
	if (text)
		ovsdp_buf_put_attr(b, NLMSGERR_ATTR_MSG, text, strlen(text) + 1);
	nlh.nlmsg_len = (uint32_t)(b->len - off);
	nlh.nlmsg_flags = (uint16_t)((text ? NLM_F_ACK_TLVS : 0) | (capped ? NLM_F_CAPPED : 0));
	memcpy(b->data + off, &nlh, sizeof nlh);
}

/* Feed 'b' as one datagram of replies to 'seq'. */
static int
feed(struct ovsdp_buf *b, uint32_t seq, GError **error)
{
	struct ovsdp_nl_replies st = { .seq = seq };
	/* An exact-size copy: ASan sees any read past the datagram. */
	g_autofree void *copy = g_memdup2(b->data, b->len);

	ck_assert(ovsdp_nl_replies_feed(&st, copy, b->len, NULL, NULL, "testing", error));
	return st.ret;
}

START_TEST(ext_ack_text)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;

	put_error(&b, 5, -EINVAL, false, 20, "bad attribute");
	ck_assert_int_eq(feed(&b, 5, &err), -EINVAL);
	ck_assert_str_eq(err->message, "testing: Invalid argument (kernel: bad attribute)");
	g_clear_error(&err);
	b.len = 0;
	put_error(&b, 5, -ENODEV, true, 0, "no such datapath");
	ck_assert_int_eq(feed(&b, 5, &err), -ENODEV);
	ck_assert_str_eq(err->message, "testing: No such device (kernel: no such datapath)");
	ovsdp_buf_clear(&b);
}
END_TEST

/* The echoed request's own length is not trusted: 0xFFFFFFF0 read past
 * the datagram (ASan SEGV in nla_ok), 0x7FFFFFFF overflowed an int. */
START_TEST(ext_ack_inner_length_bounded)
{
	static const uint32_t lens[] = { 0xFFFFFFF0u, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x80000000u,
					 0, 15, 25, 1000 };

	for (unsigned int i = 0; i < G_N_ELEMENTS(lens); i++) {
		struct ovsdp_buf b = OVSDP_BUF_INIT;
		g_autoptr(GError) err = NULL;

		put_error(&b, 9, -EPERM, false, lens[i], "text");
		ck_assert_ptr_null(ovsdp_nl_ext_ack((struct nlmsghdr *)b.data));
		ck_assert_int_eq(feed(&b, 9, &err), -EPERM);
		ck_assert_str_eq(err->message,
				 "testing: Operation not permitted (needs CAP_NET_ADMIN)");
		ovsdp_buf_clear(&b);
	}
}
END_TEST

START_TEST(errno_out_of_range)
{
	static const int errs[] = { INT_MIN, -4096, 1, INT_MAX };

	for (unsigned int i = 0; i < G_N_ELEMENTS(errs); i++) {
		struct ovsdp_buf b = OVSDP_BUF_INIT;
		g_autoptr(GError) err = NULL;

		put_error(&b, 3, errs[i], true, 0, NULL);
		ck_assert_int_eq(feed(&b, 3, &err), -EPROTO);
		ck_assert_str_eq(err->message, "testing: malformed error message: Protocol error");
		ovsdp_buf_clear(&b);
	}
}
END_TEST

START_TEST(truncated_datagram)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	struct nlmsghdr *nlh;
	size_t off = 0;
	int bad;

	put_error(&b, 3, 0, true, 0, NULL);
	((struct nlmsghdr *)b.data)->nlmsg_len = (uint32_t)b.len + 4;
	ck_assert_int_eq(feed(&b, 3, &err), -EPROTO);
	ck_assert_str_eq(err->message, "testing: malformed reply: Protocol error");
	((struct nlmsghdr *)b.data)->nlmsg_len = 8;
	ck_assert_ptr_null(ovsdp_nl_datagram_next(b.data, b.len, &off, &bad));
	ck_assert_int_eq(bad, -EPROTO);
	/* A message shorter than struct nlmsgerr is malformed, not an ack. */
	off = 0;
	((struct nlmsghdr *)b.data)->nlmsg_len = NLMSG_HDRLEN + 4;
	nlh = ovsdp_nl_datagram_next(b.data, b.len, &off, &bad);
	ck_assert_ptr_nonnull(nlh);
	ck_assert_int_eq(ovsdp_nl_ack_errno(nlh, &bad, NULL), -EPROTO);
	ovsdp_buf_clear(&b);
}
END_TEST


/* ---- the receive engine and the attribute reader, without a socket ---- */

struct seen_msgs {
	int n;
	enum ovsdp_nl_kind kind[8];
	int verdict[8];
	char kmsg[8][32];
	uint32_t seq[8];
	int stop_at;            /* return 1 at this call (1-based), 0: never */
};

/* Message 'i' (0-based) was of 'kind', with 'verdict' and 'kmsg'. */
static void
check_failed(const struct seen_msgs *s, int i, enum ovsdp_nl_kind kind, int verdict,
	     const char *kmsg)
{
	ck_assert_int_eq(s->kind[i], kind);
	ck_assert_int_eq(s->verdict[i], verdict);
	ck_assert_str_eq(s->kmsg[i], kmsg);
}

static int
record_cb(const struct ovsdp_nl_in *in, void *arg)
{
	struct seen_msgs *s = arg;

	ck_assert_int_lt(s->n, 8);
	s->kind[s->n] = in->kind;
	s->verdict[s->n] = in->verdict;
	g_strlcpy(s->kmsg[s->n], in->kmsg ? in->kmsg : in->bad ? in->bad : "", sizeof s->kmsg[0]);
	s->seq[s->n] = in->nlh ? in->nlh->nlmsg_seq : 0;
	s->n++;
	return s->n == s->stop_at;
}

static void
put_msg(struct ovsdp_buf *b, uint16_t type, uint32_t seq, const void *payload, size_t len)
{
	struct nlmsghdr nlh = { .nlmsg_len = (uint32_t)(NLMSG_HDRLEN + len), .nlmsg_type = type,
				.nlmsg_seq = seq };

	ovsdp_buf_put(b, &nlh, sizeof nlh);
	ovsdp_buf_put(b, payload, len);
}

/* Hold an exact-size copy of 'b' in rx, as if just received (ASan sees any
 * read past it). */
static void
hold_copy(struct ovsdp_nl_rx *rx, const struct ovsdp_buf *b)
{
	rx->buf = g_memdup2(b->data, b->len);
	rx->len = b->len;
	rx->off = 0;
}

/* One datagram: a reply, another request's reply (skipped), a NOOP
 * (skipped), the error with its extended ack, then a failed dump's DONE;
 * a callback that stops keeps the rest for the next walk. */
START_TEST(engine_classifies_and_matches)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct seen_msgs s = { .stop_at = 1 };
	int eio = -EIO;
	struct ovsdp_nl_rx rx = { .seq = 7, .nseq = 1 };

	put_msg(&b, 0x20, 7, "abcd", 4);
	put_msg(&b, 0x20, 8, "abcd", 4);
	put_msg(&b, NLMSG_NOOP, 7, NULL, 0);
	put_error(&b, 7, -EINVAL, true, 0, "bad attribute");
	put_msg(&b, NLMSG_DONE, 7, &eio, sizeof eio);
	hold_copy(&rx, &b);
	ck_assert_int_eq(ovsdp_nl_rx_walk(&rx, record_cb, &s), 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(ovsdp_nl_rx_walk(&rx, record_cb, &s), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert_int_eq(s.kind[0], OVSDP_NL_REPLY);
	check_failed(&s, 1, OVSDP_NL_ACK, -EINVAL, "bad attribute");
	ck_assert_int_eq(s.kind[2], OVSDP_NL_DONE);
	ck_assert_int_eq(s.verdict[2], -EIO);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(s.seq[i], 7);
	g_free(rx.buf);
	ovsdp_buf_clear(&b);
}
END_TEST

/* A message claiming more than the datagram holds: one BAD call, nothing
 * read past the datagram (an exact-size copy under ASan). */
START_TEST(engine_message_longer_than_datagram)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct seen_msgs s = { 0 };
	struct ovsdp_nl_rx rx = { .seq = 3, .nseq = 1 };

	put_msg(&b, 0x20, 3, "abcd", 4);
	put_msg(&b, 0x20, 3, "abcd", 4);
	((struct nlmsghdr *)(b.data + NLMSG_ALIGN(NLMSG_HDRLEN + 4)))->nlmsg_len = 4096;
	hold_copy(&rx, &b);
	ck_assert_int_eq(ovsdp_nl_rx_walk(&rx, record_cb, &s), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_int_eq(s.kind[0], OVSDP_NL_REPLY);
	check_failed(&s, 1, OVSDP_NL_BAD, -EPROTO, "malformed reply");
	g_free(rx.buf);
	ovsdp_buf_clear(&b);
}
END_TEST

enum { T_ZERO, T_U32, T_NAME, T_PIDS, T_MAX = T_PIDS };

static const struct nla_policy test_nla[T_MAX + 1] = {
	[T_U32] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[T_NAME] = { .type = NLA_STRING, .maxlen = 8 },
};
static const uint16_t test_array[T_MAX + 1] = { [T_PIDS] = 4 };
static const char *const test_names[T_MAX + 1] = { [T_U32] = "U32", [T_NAME] = "NAME",
						    [T_PIDS] = "PIDS" };
static const struct ovsdp_nl_policy test_policy = {
	.where = "testing", .maxattr = T_MAX, .nla = test_nla, .names = test_names,
	.array = test_array, .unique = true,
};

/* Parse b with test_policy: 0, or the refusal's text compared to 'want'. */
static void
expect_parse(struct ovsdp_buf *b, const char *want)
{
	struct nlattr *tb[T_MAX + 1];
	g_autofree void *copy = g_memdup2(b->data, b->len);
	g_autofree char *why = NULL;
	int r = ovsdp_nla_parse(tb, &test_policy, copy, b->len, &why);

	if (!want) {
		ck_assert_msg(r == 0, "refused: %s", why ? why : "?");
	} else {
		ck_assert_int_eq(r, -EPROTO);
		ck_assert_str_eq(why, want);
	}
	b->len = 0;
}

START_TEST(reader_policy_rules)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct nlattr *tb[T_MAX + 1];
	uint32_t pids[3] = { 1, 2, 3 };
	struct nlattr bad = { .nla_len = 40, .nla_type = T_U32 };

	/* Type 0 is kept; a type past the policy is skipped. */
	ovsdp_buf_put_u16(&b, T_ZERO, 5);
	ovsdp_buf_put_u32(&b, T_U32, 9);
	ovsdp_nl_put_string(&b, T_NAME, "dp0");
	ovsdp_buf_put_attr(&b, T_PIDS, pids, sizeof pids);
	ovsdp_buf_put_u64(&b, T_MAX + 1, 1);
	ck_assert_int_eq(ovsdp_nla_parse(tb, &test_policy, b.data, b.len, NULL), 0);
	ck_assert_ptr_nonnull(tb[T_ZERO]);
	ck_assert_uint_eq(nla_get_u32(tb[T_U32]), 9);
	ck_assert_str_eq(nla_data(tb[T_NAME]), "dp0");
	ck_assert_int_eq(nla_len(tb[T_PIDS]), 12);
	b.len = 0;

	ovsdp_buf_put_u16(&b, T_U32, 9);
	expect_parse(&b, "U32 must be 4 bytes, got 2");
	ovsdp_buf_put_u64(&b, T_U32, 9);
	expect_parse(&b, "U32 must be 4 bytes, got 8");
	ovsdp_buf_put_attr(&b, T_NAME, "dp0", 3);
	expect_parse(&b, "NAME is not NUL-terminated");
	ovsdp_nl_put_string(&b, T_NAME, "a-long-name");
	expect_parse(&b, "NAME must be at most 8 bytes, got 12");
	ovsdp_buf_put_attr(&b, T_PIDS, pids, 6);
	expect_parse(&b, "PIDS must be a multiple of 4 bytes, got 6");
	ovsdp_buf_put_u32(&b, T_U32, 1);
	ovsdp_buf_put_u32(&b, T_U32, 2);
	expect_parse(&b, "duplicate U32 attribute");
	ovsdp_buf_put_u32(&b, T_U32, 1);
	ovsdp_buf_put(&b, &bad, sizeof bad);
	ovsdp_buf_put(&b, NULL, 4);
	expect_parse(&b, "attribute 1 of testing (40 bytes) overruns it (8 bytes left)");
	ovsdp_buf_put_u32(&b, T_U32, 1);
	ovsdp_buf_put(&b, NULL, 2);
	expect_parse(&b, "2 stray bytes after the last attribute of testing");
	ovsdp_buf_clear(&b);
}
END_TEST

/* ---- forged replies on a real socket ---------------------------------- */

static struct ovsdp_nl *
ctrl_socket(void)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_nl *sock = NULL;

	/* Without the openvswitch module the socket is still returned. */
	ovsdp_nl_open(true, &sock, &err);
	ck_assert_msg(sock, "no generic netlink socket: %s", err ? err->message : "?");
	/* Borrow an optional family slot for the controller (nlctrl). */
	sock->fam[OVSDP_FAMILY_CT_LIMIT] = (struct ovsdp_family_info){
		.name = "nlctrl", .present = true, .id = GENL_ID_CTRL, .version = 2,
	};
	return sock;
}

/* The "sender" cases' socket: a controller socket of their own. */
static struct ovsdp_nl *nl;

static void
sender_setup(void)
{
	nl = ctrl_socket();
}

static void
sender_teardown(void)
{
	ovsdp_nl_close(nl);
	nl = NULL;
}

/* A GETFAMILY request for the controller itself: the controller reads the
 * 4 bytes of struct ovs_header as attributes, so they are made the header
 * of CTRL_ATTR_FAMILY_ID (nla_len 6) and its payload follows. */
static struct ovsdp_buf *
getfamily(struct ovsdp_nl *sock, int flags, struct ovsdp_buf *m)
{
	int hdr = (int)htole32(6u | (uint32_t)CTRL_ATTR_FAMILY_ID << 16);
	uint16_t id[2] = { GENL_ID_CTRL, 0 };
	size_t off;

	ck_assert_int_eq(ovsdp_nl_msg_begin(sock, m, OVSDP_FAMILY_CT_LIMIT, CTRL_CMD_GETFAMILY,
					    flags, hdr, &off), 0);
	ovsdp_buf_put(m, id, sizeof id);
	return m;
}

/* From a second socket, send 'b' to 'port': what any local user can do. */
static void
forge_to(uint32_t port, struct ovsdp_buf *b)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = port };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sendto(fd, b->data, b->len, 0, (struct sockaddr *)&to, sizeof to),
			 (ssize_t)b->len);
	close(fd);
}

static void
forge(struct ovsdp_nl *sock, struct ovsdp_buf *b)
{
	forge_to(nl_socket_get_local_port(sock->sk), b);
}

static int
count_cb(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(int *)arg)++;
	return 0;
}


/* The engine on a real socket: a datagram from another socket is dropped
 * and counted, no callback; a reply larger than a fixed buffer is reported
 * truncated with its header (whose sequence number is the request's). */
START_TEST(engine_sender_and_truncation)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct seen_msgs s = { 0 };
	struct ovsdp_nl_dump d;
	g_autoptr(GError) err = NULL;
	struct ovsdp_nl_rx rx = { .foreign = &nl->foreign, .what = "testing", .nseq = 0 };
	int fd = nl_socket_get_fd(nl->sk);
	unsigned char small[64];

	put_error(&b, 1, 0, true, 0, NULL);
	forge(nl, &b);
	rx.buf = small;
	rx.size = sizeof small;
	ck_assert_int_eq(ovsdp_nl_recv(&rx, fd, 0, record_cb, &s), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(nl->foreign, 1);
	ck_assert_int_eq(ovsdp_nl_recv(&rx, fd, MSG_DONTWAIT, record_cb, &s), -EAGAIN);

	ck_assert_int_eq(ovsdp_nl_dump_start(nl, getfamily(nl, 0, &(struct ovsdp_buf)OVSDP_BUF_INIT),
					     &d, "listing families", &err), 0);
	rx.seq = d.rx.seq;
	rx.nseq = 1;
	ck_assert_int_eq(ovsdp_nl_recv(&rx, fd, 0, record_cb, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.kind[0], OVSDP_NL_BAD);
	ck_assert_int_eq(s.verdict[0], -EMSGSIZE);
	ck_assert_uint_eq(s.seq[0], d.rx.seq);
	ovsdp_nl_dump_release(&d);
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(forged_done_dropped_by_transact)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct nlmsghdr done = { .nlmsg_len = NLMSG_HDRLEN + 4, .nlmsg_type = NLMSG_DONE };
	g_autoptr(GError) err = NULL;
	int derr = -EHWPOISON, families = 0;

	/* The next request's sequence number is the one after this. */
	done.nlmsg_seq = nl_socket_use_seq(nl->sk) + 1;
	ovsdp_buf_put(&b, &done, sizeof done);
	ovsdp_buf_put(&b, &derr, sizeof derr);
	forge(nl, &b);
	ck_assert_int_eq(ovsdp_nl_transact(nl, getfamily(nl, NLM_F_DUMP, &(struct ovsdp_buf)OVSDP_BUF_INIT),
					   count_cb, &families, "listing families", &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_gt(families, 0);
	ck_assert_uint_eq(nl->foreign, 1);
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(forged_error_dropped_by_dump)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct ovsdp_nl_dump d;
	struct nlmsghdr *nlh;
	g_autoptr(GError) err = NULL;
	int r, families = 0;

	put_error(&b, nl_socket_use_seq(nl->sk) + 1, -EHWPOISON, true, 0, "forged");
	forge(nl, &b);
	ck_assert_int_eq(ovsdp_nl_dump_start(nl, getfamily(nl, 0, &(struct ovsdp_buf)OVSDP_BUF_INIT),
					     &d, "listing families", &err), 0);
	while ((r = ovsdp_nl_dump_next(&d, &nlh, "listing families", &err)) == 1)
		families++;
	ck_assert_msg(r == 0, "dump: %d %s", r, err ? err->message : "");
	ck_assert_int_gt(families, 0);
	ck_assert_uint_eq(nl->foreign, 1);
	ovsdp_nl_dump_release(&d);
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(forged_ack_dropped_by_many)
{
	struct ovsdp_buf forged = OVSDP_BUF_INIT, reqs = OVSDP_BUF_INIT;
	g_autoptr(GError) err = NULL;
	unsigned int unacked = 9;
	int errors[1];
	size_t off;

	/* GETFAMILY naming no family: the kernel refuses it.  The forger
	 * acks it first as a success. */
	ck_assert_int_eq(ovsdp_nl_msg_begin(nl, &reqs, OVSDP_FAMILY_CT_LIMIT, CTRL_CMD_GETFAMILY,
					    0, 0, &off), 0);
	ck_assert_int_eq(ovsdp_nl_msg_end(&reqs, off), 0);
	put_error(&forged, nl_socket_use_seq(nl->sk) + 1, 0, true, 0, NULL);
	forge(nl, &forged);
	ck_assert_int_eq(ovsdp_nl_transact_many(nl, &reqs, 1, errors, &unacked, &err), 1);
	ck_assert_msg(errors[0] < 0, "the forged ack was believed: %d", errors[0]);
	ck_assert_uint_eq(unacked, 0);          /* the verdict is the kernel's */
	ck_assert_uint_eq(nl->foreign, 1);
	ovsdp_buf_clear(&forged);
	ovsdp_buf_clear(&reqs);
}
END_TEST

/* libnl's receive loop (family resolution) skips a forged family too. */
START_TEST(forged_family_skipped_by_libnl)
{
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct nlmsghdr nlh = { .nlmsg_type = GENL_ID_CTRL };
	struct genlmsghdr g = { .cmd = CTRL_CMD_NEWFAMILY, .version = 2 };

	nlh.nlmsg_seq = nl_socket_use_seq(nl->sk) + 1;
	nlh.nlmsg_pid = nl_socket_get_local_port(nl->sk);
	ovsdp_buf_put(&b, &nlh, sizeof nlh);
	ovsdp_buf_put(&b, &g, sizeof g);
	ovsdp_buf_put_attr(&b, CTRL_ATTR_FAMILY_NAME, "nlctrl", 7);
	ovsdp_buf_put_u16(&b, CTRL_ATTR_FAMILY_ID, 0x99);
	((struct nlmsghdr *)b.data)->nlmsg_len = (uint32_t)b.len;
	forge(nl, &b);
	ck_assert_int_eq(genl_ctrl_resolve(nl->sk, "nlctrl"), GENL_ID_CTRL);
	ovsdp_buf_clear(&b);
}
END_TEST

/* A made-up MISS upcall sent to a handler's socket is never delivered. */
START_TEST(forged_upcall_dropped)
{
	struct ovsdp_upcall_sock *us = NULL;
	g_autoptr(GError) err = NULL;
	struct ovsdp_buf b = OVSDP_BUF_INIT;
	struct nlmsghdr nlh = { .nlmsg_type = 0x20 };
	struct genlmsghdr g = { .cmd = OVS_PACKET_CMD_MISS, .version = OVS_PACKET_VERSION };
	uint8_t buf[512];
	struct ovsdp_upcall_slot slot = { .buf = buf, .size = sizeof buf };

	ck_assert_msg(ovsdp_upcall_sock_open(0, &us, &err) == 0, "%s", err ? err->message : "");
	ovsdp_buf_put(&b, &nlh, sizeof nlh);
	ovsdp_buf_put(&b, &g, sizeof g);
	ovsdp_buf_put(&b, NULL, 4);
	((struct nlmsghdr *)b.data)->nlmsg_len = (uint32_t)b.len;
	forge_to(ovsdp_upcall_sock_portid(us), &b);
	ck_assert_int_eq(ovsdp_upcall_sock_recv(us, buf, sizeof buf), -EAGAIN);
	forge_to(ovsdp_upcall_sock_portid(us), &b);
	forge_to(ovsdp_upcall_sock_portid(us), &b);
	ck_assert_int_eq(ovsdp_upcall_sock_recv_batch(us, &slot, 1), -EAGAIN);
	ovsdp_upcall_sock_close(us);
	ovsdp_buf_clear(&b);
}
END_TEST

/* Replies routed to their request by sequence number: the controller
 * answers GETFAMILY for itself with a reply and an ack, and refuses an
 * unknown id with an error alone. */
#define ROUTED_N 120
struct routed {
	int replies[ROUTED_N];
	uint16_t ids[ROUTED_N];
};

static int
routed_reply(unsigned int i, struct nlmsghdr *nlh, void *arg)
{
	struct routed *r = arg;
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *a = nla_find(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
				    CTRL_ATTR_FAMILY_ID);

	ck_assert_uint_lt(i, ROUTED_N);
	r->replies[i]++;
	if (a)
		r->ids[i] = nla_get_u16(a);
	return i == 42 ? -EBADMSG : 0;  /* a reply its reader refuses */
}

static size_t
routed_cost(unsigned int i, void *arg)
{
	(void)i;
	(void)arg;
	return 8192;
}

static bool
routed_quiet(unsigned int i, void *arg)
{
	(void)arg;
	return i == 1;
}

static char *
routed_what(unsigned int i, void *arg)
{
	(void)arg;
	return g_strdup_printf("family request %u", i);
}

START_TEST(many_replies_routed)
{
	struct ovsdp_buf reqs = OVSDP_BUF_INIT;
	struct routed r;
	struct ovsdp_nl_many_hooks hooks = {
		.reply = routed_reply, .reply_cost = routed_cost, .quiet = routed_quiet,
		.what = routed_what, .arg = &r,
	};
	g_autoptr(GError) err = NULL;
	unsigned int unacked = 9;
	int errors[ROUTED_N], sends;

	memset(&r, 0, sizeof r);

	for (unsigned int i = 0; i < ROUTED_N; i++) {
		int hdr = (int)htole32(6u | (uint32_t)CTRL_ATTR_FAMILY_ID << 16);
		uint16_t id[2] = { i % 2 ? 0xfff0 : GENL_ID_CTRL, 0 };
		size_t off;

		ck_assert_int_eq(ovsdp_nl_msg_begin(nl, &reqs, OVSDP_FAMILY_CT_LIMIT,
						    CTRL_CMD_GETFAMILY, 0, hdr, &off), 0);
		ovsdp_buf_put(&reqs, id, sizeof id);
		ck_assert_int_eq(ovsdp_nl_msg_end(&reqs, off), 0);
	}
	sends = ovsdp_nl_transact_many_ex(nl, &reqs, ROUTED_N, errors, &unacked, &hooks, &err);
	/* The replies' cost splits the batch: each send fits rcvbuf. */
	ck_assert_int_gt(sends, 1);
	ck_assert_int_lt(sends, ROUTED_N);
	ck_assert_uint_ge(hooks.recvs, ROUTED_N + ROUTED_N / 2);
	ck_assert_uint_eq(unacked, 0);
	for (unsigned int i = 0; i < ROUTED_N; i++) {
		if (i % 2) {
			ck_assert_msg(errors[i] == -ENOENT, "request %u: %d", i, errors[i]);
			ck_assert_int_eq(r.replies[i], 0);
		} else {
			ck_assert_msg(errors[i] == (i == 42 ? -EBADMSG : 0), "request %u: %d", i,
				      errors[i]);
			ck_assert_int_eq(r.replies[i], 1);
			ck_assert_uint_eq(r.ids[i], GENL_ID_CTRL);
		}
	}
	/* Request 1's failure is expected: the first one reported is 3's. */
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(g_str_has_prefix(err->message, "family request 3: "), "%s", err->message);
	ovsdp_buf_clear(&reqs);
}
END_TEST

/* ovsdp_dp_operate() on a handle without the ovs_* families (this host
 * has no openvswitch module): every op is refused before sending, each
 * with its own error; the call reports the first that is no probe. */
START_TEST(operate_refusals_each_their_own)
{
	struct ovsdp_dp fake = { .nl = ctrl_socket(), .name = "fake", .ifindex = 1 };
	static const uint8_t key[8] = { 8, 0, 3, 0, 1, 0, 0, 0 };   /* in_port(1) */
	static const uint8_t frame[60];
	struct ovsdp_op op[3], *p[3] = { &op[0], &op[1], &op[2] };
	g_autoptr(GError) err = NULL;

	pthread_mutex_init(&fake.lock, NULL);
	op[0] = (struct ovsdp_op){ OVSDP_OP_INIT, .type = OVSDP_OP_FLOW_PUT,
				   .flags = OVSDP_OP_PROBE };
	op[0].put.flags = OVSDP_FLOW_PUT_CREATE;
	op[0].put.key = key;
	op[0].put.key_len = sizeof key;
	op[1] = (struct ovsdp_op){ OVSDP_OP_INIT, .type = OVSDP_OP_FLOW_GET };
	op[2] = (struct ovsdp_op){ OVSDP_OP_INIT, .type = OVSDP_OP_EXECUTE };
	op[2].execute.packet = frame;
	op[2].execute.packet_len = sizeof frame;
	op[2].execute.key = key;
	op[2].execute.key_len = sizeof key;
	op[2].error = 77;
	ck_assert_int_eq(ovsdp_dp_operate(&fake, p, 3, &err), -EINVAL);
	ck_assert_msg(g_str_has_prefix(err->message, "op 2 of 3: reading a flow: "), "%s",
		      err->message);
	ck_assert_int_eq(op[0].error, -ENOENT);         /* no ovs_flow family */
	ck_assert(op[0].has_ufid == false);
	ck_assert_int_eq(op[1].error, -EINVAL);         /* neither key nor ufid */
	ck_assert_int_eq(op[2].error, -ENOENT);         /* no ovs_packet family */
	g_clear_error(&err);
	/* Only the probe left: nothing the call reports. */
	ck_assert_int_eq(ovsdp_dp_operate(&fake, p, 1, &err), 0);
	ck_assert_int_eq(op[0].error, -ENOENT);
	ck_assert_ptr_null(err);
	/* Bad arrays: refused whole, no op touched. */
	op[0].struct_size = 8;
	op[1].error = 5;
	ck_assert_int_eq(ovsdp_dp_operate(&fake, p, 2, &err), -EINVAL);
	ck_assert_msg(strstr(err->message, "op 1 of 2: struct_size is 8"), "%s", err->message);
	ck_assert_int_eq(op[1].error, 5);
	g_clear_error(&err);
	p[1] = NULL;
	op[0].struct_size = sizeof op[0];
	ck_assert_int_eq(ovsdp_dp_operate(&fake, p, 2, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_dp_operate(&fake, NULL, 2, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_dp_operate(&fake, NULL, 0, NULL), 0);
	pthread_mutex_destroy(&fake.lock);
	ovsdp_nl_close(fake.nl);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("netlink");

	tsuite_case(s, "parsing", NULL, NULL, 0,
		    TSUITE_TESTS(ext_ack_text, ext_ack_inner_length_bounded, errno_out_of_range,
				 truncated_datagram, engine_classifies_and_matches,
				 engine_message_longer_than_datagram, reader_policy_rules));
	/* Each with a controller socket of its own (nl). */
	tsuite_case(s, "sender", sender_setup, sender_teardown, 0,
		    TSUITE_TESTS(engine_sender_and_truncation, forged_done_dropped_by_transact,
				 forged_error_dropped_by_dump, forged_ack_dropped_by_many,
				 forged_upcall_dropped, forged_family_skipped_by_libnl,
				 many_replies_routed, operate_refusals_each_their_own));
	return tsuite_run(s);
}
