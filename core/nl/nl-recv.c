/* nl-recv.c: the one receive engine.  ovsdp_nl_recv() reads one datagram,
 * drops it unless the kernel sent it, reports truncation, bounds every
 * message by the datagram, turns NLMSG_ERROR (ack, errno, extended-ack
 * text) and NLMSG_DONE into verdicts, keeps only the sequence numbers asked
 * for, and hands each message to a callback.  Single requests, dumps, the
 * batches of nl-batch.c and the monitor all read through it. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include "nl/netlink.h"
#include "ovsdp/common.h"

/* The largest errno the kernel reports (its MAX_ERRNO). */
#define ERRNO_MAX 4095

static bool
valid_errno(int e)
{
	return e <= 0 && e >= -ERRNO_MAX;
}

struct nlmsghdr *
ovsdp_nl_datagram_next(void *buf, size_t len, size_t *off, int *err)
{
	struct nlmsghdr *nlh;
	size_t rem;

	*err = 0;
	if (!buf || *off >= len || len - *off < NLMSG_HDRLEN)
		return NULL;    /* the end, or the padding after the last message */
	rem = len - *off;
	nlh = (struct nlmsghdr *)((unsigned char *)buf + *off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem) {
		*err = -EPROTO;
		*off = len;
		return NULL;
	}
	*off += MIN(((size_t)nlh->nlmsg_len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1),
		    rem);
	return nlh;
}

const char *
ovsdp_nl_ext_ack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;
	size_t avail, off, inner;
	const unsigned char *p;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len > INT32_MAX ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof *e)
		return NULL;
	e = nlmsg_data(nlh);
	p = (const unsigned char *)e;
	avail = nlh->nlmsg_len - NLMSG_HDRLEN;          /* bytes after the header */
	off = sizeof *e;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* The whole request is echoed from e->msg on: its own length
		 * must be a header's at least and lie inside this message. */
		inner = e->msg.nlmsg_len;
		if (inner < sizeof e->msg || inner > avail - offsetof(struct nlmsgerr, msg))
			return NULL;
		off = offsetof(struct nlmsgerr, msg) + NLMSG_ALIGN(inner);
	}
	while (off + NLA_HDRLEN <= avail) {
		const struct nlattr *a = (const struct nlattr *)(p + off);
		size_t alen = a->nla_len;

		if (alen < NLA_HDRLEN || alen > avail - off)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && alen > NLA_HDRLEN) {
			const char *s = (const char *)a + NLA_HDRLEN;

			if (s[alen - NLA_HDRLEN - 1] == '\0')
				return s;
		}
		off += NLA_ALIGN(alen);
	}
	return NULL;
}

int
ovsdp_nl_ack_errno(const struct nlmsghdr *nlh, int *verdict, const char **kmsg)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);

	*verdict = 0;
	if (kmsg)
		*kmsg = NULL;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof *e || !valid_errno(e->error))
		return -EPROTO;
	*verdict = e->error;
	if (e->error < 0 && kmsg)
		*kmsg = ovsdp_nl_ext_ack(nlh);
	return 0;
}

/* An NLMSG_ERROR's errno as a GError: the kernel's ext-ack text when it
 * sent one; genetlink refuses an admin operation with a bare EPERM, so
 * that one says which capability is missing. */
static int
kernel_error(GError **error, int neg_errno, const char *kmsg, const char *what)
{
	if (!kmsg && neg_errno == -EPERM) {
		g_set_error(error, OVSDP_ERROR, EPERM, "%s: %s (needs CAP_NET_ADMIN)", what,
			    g_strerror(EPERM));
		return -EPERM;
	}
	return ovsdp_set_error(error, neg_errno, kmsg, "%s", what);
}

/* A dump that failed part-way ends with NLMSG_DONE carrying the errno. */
static int
done_errno(const struct nlmsghdr *nlh)
{
	int e = 0;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof e)
		memcpy(&e, nlmsg_data(nlh), sizeof e);
	if (!valid_errno(e))
		return -EPROTO;
	return e;
}

static bool
seq_wanted(const struct ovsdp_nl_rx *rx, uint32_t seq)
{
	return rx->nseq == 0 || seq - rx->seq < rx->nseq;
}

/* What one message is, for the callback. */
static void
classify(struct nlmsghdr *nlh, struct ovsdp_nl_in *in)
{
	memset(in, 0, sizeof *in);
	in->nlh = nlh;
	in->kind = OVSDP_NL_REPLY;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		in->kind = OVSDP_NL_ACK;
		if (ovsdp_nl_ack_errno(nlh, &in->verdict, &in->kmsg) < 0) {
			in->kind = OVSDP_NL_BAD;
			in->verdict = -EPROTO;
			in->bad = "malformed error message";
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		in->kind = OVSDP_NL_DONE;
		in->verdict = done_errno(nlh);
		if (in->verdict == -EPROTO) {
			in->kind = OVSDP_NL_BAD;
			in->bad = "malformed reply";
		}
	}
}

int
ovsdp_nl_rx_walk(struct ovsdp_nl_rx *rx, ovsdp_nl_msg_fn fn, void *arg)
{
	struct ovsdp_nl_in in;
	struct nlmsghdr *nlh;
	int bad = 0, r;

	while ((nlh = ovsdp_nl_datagram_next(rx->buf, rx->len, &rx->off, &bad))) {
		if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN ||
		    !seq_wanted(rx, nlh->nlmsg_seq))
			continue;
		classify(nlh, &in);
		if ((r = fn(&in, arg)) != 0)
			return r;
	}
	if (bad == 0)
		return 0;
	memset(&in, 0, sizeof in);
	in.kind = OVSDP_NL_BAD;
	in.verdict = -EPROTO;
	in.bad = "malformed reply";
	return fn(&in, arg);
}

int
ovsdp_nl_recv(struct ovsdp_nl_rx *rx, int fd, int flags, ovsdp_nl_msg_fn fn, void *arg)
{
	struct sockaddr_nl peer;
	socklen_t plen;
	ssize_t got;
	int r;

	/* What is left of the datagram a callback paused in (a dump). */
	if ((r = ovsdp_nl_rx_walk(rx, fn, arg)) != 0)
		return r;
	rx->len = rx->off = 0;
	for (;;) {
		if (rx->grow) {
			/* Its length first: the buffer grows to hold it whole. */
			got = recv(fd, NULL, 0, flags | MSG_PEEK | MSG_TRUNC);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return -errno;  /* an overrun is reported once: here */
			if ((size_t)got > rx->size) {
				rx->size = MAX((size_t)got, 2 * rx->size);
				rx->buf = g_realloc(rx->buf, rx->size);
			}
		}
		if (!rx->buf) {
			rx->size = MAX(rx->size, (size_t)OVSDP_NL_RX_MIN);
			rx->buf = g_malloc(rx->size);
		}
		memset(&peer, 0, sizeof peer);
		plen = sizeof peer;
		got = recvfrom(fd, rx->buf, rx->size, flags | MSG_TRUNC, (struct sockaddr *)&peer,
			       &plen);
		if (got >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	rx->recvs++;
	if (!ovsdp_nl_from_kernel(rx->foreign, &peer, plen, rx->what))
		return 0;
	if ((size_t)got > rx->size) {
		struct ovsdp_nl_in in = {
			.kind = OVSDP_NL_BAD, .verdict = -EMSGSIZE, .bad = "truncated",
			.truncated = (size_t)got,
		};
		struct nlmsghdr *nlh = (struct nlmsghdr *)rx->buf;

		/* Its header says whose it was. */
		if (rx->size >= NLMSG_HDRLEN && seq_wanted(rx, nlh->nlmsg_seq))
			in.nlh = nlh;
		return fn(&in, arg);
	}
	rx->len = (size_t)got;
	return ovsdp_nl_rx_walk(rx, fn, arg);
}

/* Wait for a datagram on a socket that said EAGAIN. */
static void
wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
}

/* A receive error of a request or dump as a GError. */
static int
recv_error(int r, const char *what, GError **error)
{
	if (r == -ENOBUFS)      /* on a request socket: a reply was dropped */
		return ovsdp_set_error(error, -ENOBUFS, NULL, "%s", what);
	return ovsdp_set_error(error, r, NULL, "%s: receiving", what);
}

/* The verdict of an ACK, DONE or BAD message for a request or dump: 0,
 * or a negative errno with *error saying what the kernel said. */
static int
verdict_error(const struct ovsdp_nl_in *in, const char *what, GError **error)
{
	if (in->kind == OVSDP_NL_BAD)
		return ovsdp_set_error(error, in->verdict, NULL, "%s: %s", what, in->bad);
	if (in->kind == OVSDP_NL_ACK && in->verdict < 0)
		return kernel_error(error, in->verdict, in->kmsg, what);
	if (in->verdict < 0)
		return ovsdp_set_error(error, in->verdict, NULL, "%s", what);
	return 0;
}

/* ---- one request and its replies ----------------------------------------- */

struct replies_ctx {
	struct ovsdp_nl_replies *st;
	ovsdp_nl_reply_fn fn;
	void *arg;
	const char *what;
	GError **error;
};

static int
replies_msg(const struct ovsdp_nl_in *in, void *arg)
{
	struct replies_ctx *c = arg;
	struct ovsdp_nl_replies *st = c->st;

	if (in->kind == OVSDP_NL_REPLY) {
		if (c->fn && st->ret == 0) {
			int r = c->fn(in->nlh, c->arg);

			if (r < 0)
				st->ret = ovsdp_set_error(c->error, r, NULL, "%s: bad reply", c->what);
		}
		return 0;
	}
	st->done = true;
	if (st->ret == 0)
		st->ret = verdict_error(in, c->what, c->error);
	return 1;
}

bool
ovsdp_nl_replies_feed(struct ovsdp_nl_replies *st, void *buf, size_t len, ovsdp_nl_reply_fn fn,
		      void *arg, const char *what, GError **error)
{
	struct replies_ctx c = { st, fn, arg, what, error };
	struct ovsdp_nl_rx rx = { .seq = st->seq, .nseq = 1, .buf = buf, .len = len };

	if (!st->done)
		ovsdp_nl_rx_walk(&rx, replies_msg, &c);
	return st->done;
}

/* Complete the one request in 'req' (its length, NLM_F_REQUEST | 'flags',
 * a sequence number, our port) and send it. */
static int
send_one(struct ovsdp_nl *nl, struct ovsdp_buf *req, int flags, uint32_t *seq,
	 const char *what, GError **error)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h;

	if (!req->data || req->len < NLMSG_HDRLEN)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: no request", what);
	if (ovsdp_nl_msg_end(req, 0) < 0)
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s: too big for one request",
				       what);
	h = (struct nlmsghdr *)req->data;
	h->nlmsg_flags |= (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = *seq = nl_socket_use_seq(nl->sk);
	h->nlmsg_pid = nl_socket_get_local_port(nl->sk);
	while (sendto(nl_socket_get_fd(nl->sk), req->data, req->len, 0,
		      (struct sockaddr *)&kernel, sizeof kernel) < 0)
		if (errno != EINTR)
			return ovsdp_set_error(error, -errno, NULL, "%s: sending", what);
	return 0;
}

int
ovsdp_nl_transact(struct ovsdp_nl *nl, struct ovsdp_buf *req, ovsdp_nl_reply_fn fn,
		  void *arg, const char *what, GError **error)
{
	bool dump = req->len >= NLMSG_HDRLEN &&
		(((struct nlmsghdr *)req->data)->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	struct ovsdp_nl_replies st = { 0 };
	struct replies_ctx c = { &st, fn, arg, what, error };
	struct ovsdp_nl_rx rx = { .foreign = &nl->foreign, .what = what, .nseq = 1,
				  .grow = true, .buf = nl->rbuf, .size = nl->rbuf_size };
	int fd = nl_socket_get_fd(nl->sk), r;

	r = send_one(nl, req, dump ? 0 : NLM_F_ACK, &rx.seq, what, error);
	ovsdp_buf_clear(req);
	if (r < 0)
		return r;
	st.seq = rx.seq;
	while (!st.done) {
		r = ovsdp_nl_recv(&rx, fd, 0, replies_msg, &c);
		if (r == -EAGAIN || r == -EWOULDBLOCK) {
			wait_readable(fd);
		} else if (r < 0) {
			st.ret = recv_error(r, what, error);
			break;
		}
	}
	/* The buffer stays with the socket for its next request. */
	nl->rbuf = rx.buf;
	nl->rbuf_size = rx.size;
	return st.ret;
}

/* ---- dumps read one message at a time ------------------------------------ */

struct dump_ctx {
	struct ovsdp_nl_dump *d;
	struct nlmsghdr **out;
	const char *what;
	GError **error;
	int ret;
};

static int
dump_msg(const struct ovsdp_nl_in *in, void *arg)
{
	struct dump_ctx *c = arg;

	if (in->kind == OVSDP_NL_REPLY) {
		*c->out = in->nlh;
		c->ret = 1;
		return 1;
	}
	c->d->done = true;
	c->ret = verdict_error(in, c->what, c->error);
	return 1;
}

int
ovsdp_nl_dump_start(struct ovsdp_nl *nl, struct ovsdp_buf *req, struct ovsdp_nl_dump *d,
		    const char *what, GError **error)
{
	int r;

	memset(d, 0, sizeof *d);
	d->nl = nl;
	d->rx.foreign = &nl->foreign;
	d->rx.what = what;
	d->rx.nseq = 1;
	d->rx.grow = true;
	r = send_one(nl, req, NLM_F_DUMP, &d->rx.seq, what, error);
	ovsdp_buf_clear(req);
	if (r < 0)
		d->done = true;
	return r;
}

int
ovsdp_nl_dump_take(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		   GError **error)
{
	struct dump_ctx c = { d, out, what, error, 0 };

	*out = NULL;
	if (d->done)
		return 0;
	return ovsdp_nl_rx_walk(&d->rx, dump_msg, &c) ? c.ret : OVSDP_NL_MORE;
}

int
ovsdp_nl_dump_next(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		   GError **error)
{
	struct dump_ctx c = { d, out, what, error, 0 };
	int fd = nl_socket_get_fd(d->nl->sk);

	*out = NULL;
	while (!d->done) {
		int r = ovsdp_nl_recv(&d->rx, fd, 0, dump_msg, &c);

		if (r > 0)
			return c.ret;
		if (r == -EAGAIN || r == -EWOULDBLOCK) {
			wait_readable(fd);
		} else if (r < 0) {
			d->done = true;
			return recv_error(r, what, error);
		}
	}
	return 0;
}

void
ovsdp_nl_dump_release(struct ovsdp_nl_dump *d)
{
	if (!d)
		return;
	g_free(d->rx.buf);
	d->rx.buf = NULL;
	d->rx.size = d->rx.len = d->rx.off = 0;
}
