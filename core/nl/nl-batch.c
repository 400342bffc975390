/* nl-batch.c: many requests in one sendmsg(), each with its own sequence
 * number and NLM_F_ACK, then a NLMSG_NOOP marker; the acks (and replies)
 * are read through the receive engine (ovsdp_nl_recv) and matched to their
 * requests, so a refused request fails alone. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/netlink.h>

#include "nl/netlink.h"
#include "ovsdp/common.h"


/* What one ack may cost in the receive buffer (skb truesize), generously:
 * more acks than rcvbuf / this in one send and the kernel drops some. */
#define MANY_ACK_COST 1024
#define MANY_MAX_PER_SEND 256
/* The kernel runs a send's requests before sendmsg() returns, so every
 * ack is queued by then; this bounds the wait should one ever be late. */
#define MANY_ACK_WAIT_MS 1000
#define MANY_SEND_RETRIES 3
#define MANY_RECV_BUF 16384
/* With replies to read (flow gets, echoes): more than any one the kernel
 * builds for a flow (its key, mask and actions are each under 64 KiB). */
#define MANY_REPLY_BUF (256 * 1024)
#define PENDING 1

static int
sockopt_int(int fd, int opt)
{
	int v = 0;
	socklen_t len = sizeof v;

	return getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0 ? 0 : v;
}

struct many {
	struct ovsdp_nl *nl;
	int fd;
	uint32_t pid;
	struct ovsdp_buf *msgs;
	size_t *offs;           /* n + 1 entries: where each request starts */
	uint32_t *seqs;
	int *errors;
	unsigned int n;
	unsigned int unacked;   /* failures that are not the kernel's verdict */
	bool reported;          /* *error holds the first failure */
	GError **error;
	struct ovsdp_nl_rx rx;  /* a fixed buffer: a larger datagram is truncated */
	struct ovsdp_nl_many_hooks *hooks;
	int *rerr;              /* with hooks->reply: a reply that could not be read */
};

static int many_find(const struct many *m, unsigned int lo, unsigned int hi, uint32_t seq);

static void
many_fail(struct many *m, unsigned int i, int err, bool kernels, const char *kmsg)
{
	struct ovsdp_nl_many_hooks *h = m->hooks;

	m->errors[i] = err;
	if (!kernels)
		m->unacked++;
	if (m->reported || (h && h->quiet && h->quiet(i, h->arg)))
		return;
	m->reported = true;
	if (h && h->what) {
		g_autofree char *what = h->what(i, h->arg);

		ovsdp_set_error(m->error, err, kmsg, "%s", what);
	} else {
		ovsdp_set_error(m->error, err, kmsg, "request %u of %u", i + 1, m->n);
	}
}

/* A reply (not the ack) to one of requests [lo, hi): to the hook. */
static void
many_reply(struct many *m, unsigned int lo, unsigned int hi, struct nlmsghdr *nlh,
	   bool truncated)
{
	int i;

	if (!m->rerr || nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_DONE ||
	    nlh->nlmsg_type == NLMSG_OVERRUN)
		return;
	i = many_find(m, lo, hi, nlh->nlmsg_seq);
	if (i < 0 || m->errors[i] != PENDING || m->rerr[i] < 0)
		return;
	if (truncated) {
		m->rerr[i] = -EMSGSIZE;
	} else {
		int r = m->hooks->reply((unsigned int)i, nlh, m->hooks->arg);

		m->rerr[i] = r < 0 ? r : 0;
	}
}

/* Index of the request of [lo, hi) with sequence number 'seq', or -1. */
static int
many_find(const struct many *m, unsigned int lo, unsigned int hi, uint32_t seq)
{
	if (hi > lo && seq - m->seqs[lo] < hi - lo && m->seqs[lo + (seq - m->seqs[lo])] == seq)
		return (int)(lo + (seq - m->seqs[lo]));
	for (unsigned int i = lo; i < hi; i++)
		if (m->seqs[i] == seq)
			return (int)i;
	return -1;
}

/* One send's acks being collected. */
struct collect {
	struct many *m;
	unsigned int lo, hi, pending;
	bool sentinel_sent, seen;
	uint32_t sentinel;
};

static int
collect_msg(const struct ovsdp_nl_in *in, void *arg)
{
	struct collect *c = arg;
	struct many *m = c->m;
	int i;

	if (in->kind == OVSDP_NL_REPLY || (in->kind == OVSDP_NL_BAD && in->truncated)) {
		if (in->nlh)
			many_reply(m, c->lo, c->hi, in->nlh, in->truncated != 0);
		return 0;       /* a reply, or a stray one */
	}
	if (!in->nlh || in->kind == OVSDP_NL_DONE)
		return 0;
	if (c->sentinel_sent && in->nlh->nlmsg_seq == c->sentinel) {
		c->seen = true;
		return 0;
	}
	i = many_find(m, c->lo, c->hi, in->nlh->nlmsg_seq);
	if (i < 0 || m->errors[i] != PENDING)
		return 0;       /* a late reply to an abandoned request */
	c->pending--;
	if (in->kind == OVSDP_NL_BAD)
		many_fail(m, (unsigned int)i, -EPROTO, false, "malformed acknowledgement");
	else if (in->verdict < 0)
		many_fail(m, (unsigned int)i, in->verdict, true, in->kmsg);
	else if (m->rerr && m->rerr[i] < 0)
		many_fail(m, (unsigned int)i, m->rerr[i], true,
			  m->rerr[i] == -EMSGSIZE ? "reply too large to read" : "malformed reply");
	else
		m->errors[i] = 0;
	return 0;
}

/* Read the acks of requests [lo, hi) and of the marker 'sentinel' (when
 * it was sent), and give a verdict to every one of them. */
static void
many_collect(struct many *m, unsigned int lo, unsigned int hi, bool sentinel_sent,
	     uint32_t sentinel)
{
	struct collect c = { .m = m, .lo = lo, .hi = hi, .pending = hi - lo,
			     .sentinel_sent = sentinel_sent, .sentinel = sentinel };
	bool overrun = false, waited = false;

	/* Only the sequence numbers of this send, the marker's included. */
	m->rx.seq = m->seqs[lo];
	m->rx.nseq = (sentinel_sent ? sentinel : m->seqs[hi - 1]) - m->seqs[lo] + 1;
	while (c.pending > 0 || (sentinel_sent && !c.seen)) {
		int r = ovsdp_nl_recv(&m->rx, m->fd, MSG_DONTWAIT, collect_msg, &c);

		if (r == -ENOBUFS) {
			/* Acks were dropped: which ones, nobody knows. */
			overrun = true;
			continue;
		}
		if (r == -EAGAIN || r == -EWOULDBLOCK) {
			struct pollfd pfd = { .fd = m->fd, .events = POLLIN };

			if (overrun || waited)
				break;
			waited = true;
			if (poll(&pfd, 1, MANY_ACK_WAIT_MS) <= 0)
				break;
			continue;
		}
		if (r < 0)
			break;
		if (c.seen && c.pending > 0)
			break;  /* the marker's ack came after theirs: none will come */
	}
	for (unsigned int i = lo; i < hi; i++) {
		if (m->errors[i] != PENDING)
			continue;
		/* No ack although the marker sent after it was acked: the kernel
		 * skipped it (netlink drops the ack of a request that returned
		 * -EINTR). */
		many_fail(m, i, overrun ? -ENOBUFS : c.seen ? -EINTR : -ETIMEDOUT, false,
			  overrun ? "acknowledgement lost to a receive buffer overrun" : NULL);
	}
}

/* Send requests [lo, hi) and a NOOP marker in one sendmsg().  Returns the
 * number of requests that went out (hi - lo, or fewer after a short send),
 * or a negative errno when none did. */
static int
many_send(struct many *m, unsigned int lo, unsigned int hi, uint32_t *sentinel,
	  bool *sentinel_sent)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr mark = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	size_t bytes = m->offs[hi] - m->offs[lo];
	struct iovec iov[2];
	struct msghdr mh = {
		.msg_name = &kernel,
		.msg_namelen = sizeof kernel,
		.msg_iov = iov,
		.msg_iovlen = 2,
	};
	unsigned int sent = 0;
	ssize_t r;

	for (unsigned int i = lo; i < hi; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(m->msgs->data + m->offs[i]);

		h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		h->nlmsg_pid = m->pid;
		h->nlmsg_seq = m->seqs[i] = nl_socket_use_seq(m->nl->sk);
	}
	/* The kernel acks a NOOP with NLM_F_ACK after everything before it:
	 * its ack says the others have all been answered. */
	mark.nlmsg_pid = m->pid;
	mark.nlmsg_seq = *sentinel = nl_socket_use_seq(m->nl->sk);
	iov[0].iov_base = m->msgs->data + m->offs[lo];
	iov[0].iov_len = bytes;
	iov[1].iov_base = &mark;
	iov[1].iov_len = sizeof mark;
	for (int tries = 0;; tries++) {
		r = sendmsg(m->fd, &mh, 0);
		if (r >= 0)
			break;
		if (errno == EINTR)
			continue;
		/* Short of memory for the skb: worth a moment's wait. */
		if ((errno == ENOBUFS || errno == ENOMEM || errno == EAGAIN) &&
		    tries < MANY_SEND_RETRIES) {
			g_usleep(1000);
			continue;
		}
		return -errno;
	}
	/* A datagram socket sends all or nothing; should it ever be less,
	 * the requests wholly sent count, and the rest go again. */
	*sentinel_sent = (size_t)r == bytes + sizeof mark;
	while (lo + sent < hi && m->offs[lo + sent + 1] - m->offs[lo] <= (size_t)r)
		sent++;
	return sent ? (int)sent : -EIO;
}

int
ovsdp_nl_transact_many(struct ovsdp_nl *nl, struct ovsdp_buf *msgs, unsigned int n,
		       int *errors, unsigned int *unacked, GError **error)
{
	return ovsdp_nl_transact_many_ex(nl, msgs, n, errors, unacked, NULL, error);
}

int
ovsdp_nl_transact_many_ex(struct ovsdp_nl *nl, struct ovsdp_buf *msgs, unsigned int n,
			  int *errors, unsigned int *unacked, struct ovsdp_nl_many_hooks *hooks,
			  GError **error)
{
	struct many m = { .nl = nl, .msgs = msgs, .errors = errors, .n = n, .error = error,
			  .hooks = hooks };
	unsigned int max_msgs, i = 0;
	size_t max_bytes, budget, off = 0;
	int sends = 0, sndbuf, rcvbuf;

	if (unacked)
		*unacked = 0;
	if (!nl || !msgs || (n && !errors))
		return ovsdp_set_error(error, -EINVAL, NULL, "sending requests: bad arguments");
	if (n == 0)
		return 0;
	m.offs = g_new(size_t, n + 1);
	for (unsigned int k = 0; k < n; k++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(msgs->data + off);

		if (off + NLMSG_HDRLEN > msgs->len || h->nlmsg_len < NLMSG_HDRLEN ||
		    off + h->nlmsg_len > msgs->len) {
			g_free(m.offs);
			return ovsdp_set_error(error, -EINVAL, NULL,
					       "sending requests: request %u of %u is malformed",
					       k + 1, n);
		}
		m.offs[k] = off;
		errors[k] = PENDING;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	m.offs[n] = off;
	m.seqs = g_new0(uint32_t, n);
	m.rx.size = hooks && hooks->reply ? MANY_REPLY_BUF : MANY_RECV_BUF;
	m.rx.buf = g_malloc(m.rx.size);
	m.rx.foreign = &nl->foreign;
	m.rx.what = "batched requests";
	if (hooks && hooks->reply)
		m.rerr = g_new0(int, n);
	m.fd = nl_socket_get_fd(nl->sk);
	m.pid = nl_socket_get_local_port(nl->sk);
	/* netlink refuses a send longer than sndbuf - 32, and drops acks
	 * once they fill rcvbuf: size each send to both. */
	sndbuf = sockopt_int(m.fd, SO_SNDBUF);
	rcvbuf = sockopt_int(m.fd, SO_RCVBUF);
	max_bytes = sndbuf > 4096 ? (size_t)sndbuf - 32 - NLMSG_HDRLEN : 4096;
	max_msgs = CLAMP(rcvbuf / MANY_ACK_COST - 1, 1, MANY_MAX_PER_SEND);
	/* What the acks and replies of one send may hold of rcvbuf, the
	 * marker's ack aside. */
	budget = rcvbuf > 2 * MANY_ACK_COST ? (size_t)rcvbuf - MANY_ACK_COST : MANY_ACK_COST;

	while (i < n) {
		unsigned int j = i;
		uint32_t sentinel = 0;
		bool sentinel_sent = false;
		size_t cost = 0;
		int r;

		while (j < n && j - i < max_msgs) {
			size_t c = MANY_ACK_COST;

			if (hooks && hooks->reply_cost)
				c += hooks->reply_cost(j, hooks->arg);
			/* One request alone goes whatever it costs. */
			if (j > i && (m.offs[j + 1] - m.offs[i] > max_bytes || cost + c > budget))
				break;
			cost += c;
			j++;
		}
		r = many_send(&m, i, j, &sentinel, &sentinel_sent);
		if (r == -EMSGSIZE && j - i > 1) {
			max_msgs = (j - i) / 2;         /* the socket is smaller than it said */
			continue;
		}
		if (r < 0) {
			/* A request too big on its own fails alone; any other
			 * send error ends the transaction (the socket is gone). */
			unsigned int end = r == -EMSGSIZE || r == -ENOBUFS || r == -ENOMEM ? j : n;

			for (unsigned int k = i; k < end; k++)
				many_fail(&m, k, r, false, NULL);
			i = end;
			continue;
		}
		sends++;
		many_collect(&m, i, i + (unsigned int)r, sentinel_sent, sentinel);
		i += (unsigned int)r;
	}
	g_free(m.offs);
	g_free(m.seqs);
	g_free(m.rx.buf);
	if (hooks)
		hooks->recvs += m.rx.recvs;
	g_free(m.rerr);
	if (unacked)
		*unacked = m.unacked;
	return sends;
}
