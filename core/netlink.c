/* netlink.c: generic netlink plumbing shared by every ovs_* request: family
 * resolution, requests carrying struct ovs_header, and one transaction loop
 * (acks, dumps, extended-ack messages) so callers never see raw libnl errors. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "netlink.h"
#include "ovsdp/common.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const struct {
	const char *name;
	const char *mcgroup;
	bool required;
} family_table[OVSDP_FAMILY_N] = {
	[OVSDP_FAMILY_DATAPATH] = { OVS_DATAPATH_FAMILY, OVS_DATAPATH_MCGROUP, true },
	[OVSDP_FAMILY_VPORT] = { OVS_VPORT_FAMILY, OVS_VPORT_MCGROUP, true },
	[OVSDP_FAMILY_FLOW] = { OVS_FLOW_FAMILY, OVS_FLOW_MCGROUP, true },
	[OVSDP_FAMILY_PACKET] = { OVS_PACKET_FAMILY, NULL, true },
	[OVSDP_FAMILY_METER] = { "ovs_meter", NULL, false },
	[OVSDP_FAMILY_CT_LIMIT] = { "ovs_ct_limit", NULL, false },
};

const char *
ovsdp_nl_family_name(enum ovsdp_family f)
{
	return f < OVSDP_FAMILY_N ? family_table[f].name : "?";
}

int
ovsdp_set_error(GError **error, int neg_errno, const char *kmsg, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;
	/* INT_MIN has no positive counterpart: no errno is that large. */
	int code = neg_errno == INT_MIN ? EPROTO : neg_errno < 0 ? -neg_errno : neg_errno;

	if (!error)
		return -code;
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (kmsg && *kmsg)
		g_set_error(error, OVSDP_ERROR, code, "%s: %s (kernel: %s)", what,
			    g_strerror(code), kmsg);
	else
		g_set_error(error, OVSDP_ERROR, code, "%s: %s", what, g_strerror(code));
	return -code;
}

static int
resolve_family(struct ovsdp_nl *nl, struct nl_cache *cache, enum ovsdp_family f)
{
	struct ovsdp_family_info *fi = &nl->fam[f];
	struct genl_family *gf;

	fi->name = family_table[f].name;
	fi->required = family_table[f].required;
	gf = genl_ctrl_search_by_name(cache, fi->name);
	if (!gf)
		return -ENOENT;
	fi->present = true;
	fi->id = (uint16_t)genl_family_get_id(gf);
	fi->version = genl_family_get_version(gf);
	fi->maxattr = genl_family_get_maxattr(gf);
	genl_family_put(gf);
	if (family_table[f].mcgroup) {
		int grp = genl_ctrl_resolve_grp(nl->sk, fi->name, family_table[f].mcgroup);

		fi->mcgroup = grp > 0 ? (uint32_t)grp : 0;
	}
	return 0;
}

/* libnl's own receive loop (family resolution at open) reads through this:
 * a datagram not from the kernel is dropped before libnl sees it, as every
 * other receive path drops it (libnl has no place for a per-socket count:
 * such drops are logged only). */
static int
recv_from_kernel(struct nl_sock *sk, struct sockaddr_nl *peer, unsigned char **buf,
		 struct ucred **creds)
{
	for (;;) {
		int n = nl_recv(sk, peer, buf, creds);

		if (n <= 0 || ovsdp_nl_from_kernel(NULL, peer, sizeof *peer,
						   "resolving generic netlink families"))
			return n;
		free(*buf);
		*buf = NULL;
		if (creds && *creds) {
			free(*creds);
			*creds = NULL;
		}
	}
}

/* Allocate and connect nl->sk with the options every request socket has. */
static int
connect_socket(struct ovsdp_nl *nl, GError **error)
{
	struct nl_cb *cb;
	int one = 1;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return ovsdp_set_error(error, -ENOMEM, NULL, "allocating a netlink socket");
	if (genl_connect(nl->sk) < 0)
		return ovsdp_set_error(error, -EPROTONOSUPPORT, NULL,
				       "connecting a generic netlink socket");
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_enable_msg_peek(nl->sk);
	cb = nl_socket_get_cb(nl->sk);
	if (cb) {
		nl_cb_overwrite_recv(cb, recv_from_kernel);
		nl_cb_put(cb);
	}
	/* Ask for the kernel's error text, and only the header of our request
	 * echoed back: replies stay small even for large flow puts. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	return 0;
}

int
ovsdp_nl_open(bool allow_missing, struct ovsdp_nl **out, GError **error)
{
	struct ovsdp_nl *nl = g_new0(struct ovsdp_nl, 1);
	struct nl_cache *cache = NULL;
	int err;
	const char *missing = NULL;

	*out = NULL;
	err = connect_socket(nl, error);
	if (err < 0) {
		ovsdp_nl_close(nl);
		return err;
	}

	err = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (err < 0) {
		ovsdp_set_error(error, -EIO, NULL, "listing generic netlink families (%s)",
				nl_geterror(err));
		ovsdp_nl_close(nl);
		return -EIO;
	}
	for (int f = 0; f < OVSDP_FAMILY_N; f++) {
		if (resolve_family(nl, cache, (enum ovsdp_family)f) < 0 &&
		    family_table[f].required && !missing)
			missing = family_table[f].name;
	}
	nl_cache_free(cache);

	if (missing) {
		g_set_error(error, OVSDP_ERROR, ENOENT,
			    "generic netlink family %s not found: the openvswitch kernel "
			    "module is not loaded (try 'modprobe openvswitch', or run in "
			    "the lab: tests/lab/run)", missing);
		if (!allow_missing) {
			ovsdp_nl_close(nl);
			return -ENOENT;
		}
		*out = nl;
		return -ENOENT;
	}
	*out = nl;
	return 0;
}

void
ovsdp_nl_close(struct ovsdp_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		nl_socket_free(nl->sk);
	g_free(nl);
}

struct nl_msg *
ovsdp_nl_request(struct ovsdp_nl *nl, enum ovsdp_family f, uint8_t cmd,
		 int nlm_flags, int dp_ifindex)
{
	const struct ovsdp_family_info *fi = &nl->fam[f];
	struct nl_msg *msg;
	struct ovs_header *oh;

	if (!fi->present)
		return NULL;
	msg = nlmsg_alloc_size(65536);
	if (!msg)
		return NULL;
	oh = genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, fi->id, sizeof *oh,
			 nlm_flags, cmd, fi->version);
	if (!oh) {
		nlmsg_free(msg);
		return NULL;
	}
	oh->dp_ifindex = dp_ifindex;
	return msg;
}

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

bool
ovsdp_nl_from_kernel(uint64_t *foreign, const struct sockaddr_nl *peer, socklen_t peer_len,
		     const char *what)
{
	static uint64_t logged;         /* across sockets: the log stays short */
	uint64_t n;

	if (peer_len >= sizeof *peer && peer->nl_family == AF_NETLINK && peer->nl_pid == 0)
		return true;
	if (foreign)
		(*foreign)++;
	n = __atomic_add_fetch(&logged, 1, __ATOMIC_RELAXED);
	if ((n & (n - 1)) == 0)
		g_log("ovsdp", G_LOG_LEVEL_WARNING,
		      "%s: dropped a netlink message from port %u, not the kernel "
		      "(%" G_GUINT64_FORMAT " so far)", what,
		      peer_len >= sizeof *peer ? peer->nl_pid : 0, n);
	return false;
}

bool
ovsdp_nl_replies_feed(struct ovsdp_nl_replies *st, void *buf, size_t len, ovsdp_nl_reply_fn fn,
		      void *arg, const char *what, GError **error)
{
	struct nlmsghdr *nlh;
	size_t off = 0;
	int bad = 0;

	while (!st->done && (nlh = ovsdp_nl_datagram_next(buf, len, &off, &bad))) {
		if (nlh->nlmsg_seq != st->seq)
			continue;       /* a late reply to an abandoned request */
		if (nlh->nlmsg_type == NLMSG_DONE) {
			int derr = done_errno(nlh);

			st->done = true;
			if (derr < 0 && st->ret == 0)
				st->ret = derr == -EPROTO ?
					ovsdp_set_error(error, derr, NULL, "%s: malformed reply", what) :
					ovsdp_set_error(error, derr, NULL, "%s", what);
			break;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const char *kmsg;
			int v;

			st->done = true;
			if (st->ret == 0 && ovsdp_nl_ack_errno(nlh, &v, &kmsg) < 0)
				st->ret = ovsdp_set_error(error, -EPROTO, NULL,
							  "%s: malformed error message", what);
			else if (st->ret == 0 && v < 0)
				st->ret = kernel_error(error, v, kmsg, what);
			break;
		}
		if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
			continue;
		if (fn && st->ret == 0) {
			int r = fn(nlh, arg);

			if (r < 0)
				st->ret = ovsdp_set_error(error, r, NULL, "%s: bad reply", what);
		}
	}
	if (bad < 0) {
		st->done = true;
		if (st->ret == 0)
			st->ret = ovsdp_set_error(error, -EPROTO, NULL, "%s: malformed reply", what);
	}
	return st->done;
}

int
ovsdp_nl_transact(struct ovsdp_nl *nl, struct nl_msg *req, ovsdp_nl_reply_fn fn,
		  void *arg, const char *what, GError **error)
{
	struct nlmsghdr *hdr = nlmsg_hdr(req);
	bool dump = (hdr->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	struct ovsdp_nl_replies st = { 0 };
	int err;

	if (!dump)
		hdr->nlmsg_flags |= NLM_F_ACK;
	err = nl_send_auto(nl->sk, req);
	st.seq = hdr->nlmsg_seq;
	nlmsg_free(req);
	if (err < 0)
		return ovsdp_set_error(error, -EIO, NULL, "%s: sending (%s)", what,
				       nl_geterror(err));

	for (;;) {
		struct sockaddr_nl peer = { 0 };
		unsigned char *buf = NULL;
		int n;

		n = nl_recv(nl->sk, &peer, &buf, NULL);
		if (n <= 0) {
			free(buf);
			if (n == -NLE_INTR || n == -NLE_AGAIN)
				continue;
			if (n == -NLE_NOMEM)
				/* ENOBUFS on a request socket: a reply was dropped. */
				return ovsdp_set_error(error, -ENOBUFS, NULL, "%s", what);
			return ovsdp_set_error(error, -EIO, NULL, "%s: receiving (%s)", what,
					       n ? nl_geterror(n) : "socket closed");
		}
		if (ovsdp_nl_from_kernel(&nl->foreign, &peer, sizeof peer, what))
			ovsdp_nl_replies_feed(&st, buf, (size_t)n, fn, arg, what, error);
		free(buf);
		if (st.done)
			return st.ret;
	}
}

int
ovsdp_nl_parse(struct nlmsghdr *nlh, struct nlattr **tb, int maxattr, int *dp_ifindex)
{
	struct genlmsghdr *g;
	struct ovs_header *oh;
	int hdrlen = GENL_HDRLEN + NLMSG_ALIGN(sizeof *oh);
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN;

	if (len < hdrlen)
		return -EPROTO;
	g = nlmsg_data(nlh);
	oh = (struct ovs_header *)((char *)g + GENL_HDRLEN);
	if (dp_ifindex)
		*dp_ifindex = oh->dp_ifindex;
	return nla_parse(tb, maxattr, (struct nlattr *)((char *)oh + NLMSG_ALIGN(sizeof *oh)),
			 len - hdrlen, NULL) < 0 ? -EPROTO : 0;
}

int
ovsdp_nl_clone(const struct ovsdp_nl *nl, struct ovsdp_nl **out, GError **error)
{
	struct ovsdp_nl *c;
	int err;

	*out = NULL;
	if (!nl)
		return ovsdp_set_error(error, -EINVAL, NULL, "cloning a netlink socket");
	c = g_new0(struct ovsdp_nl, 1);
	memcpy(c->fam, nl->fam, sizeof c->fam);
	err = connect_socket(c, error);
	if (err < 0) {
		ovsdp_nl_close(c);
		return err;
	}
	*out = c;
	return 0;
}

int
ovsdp_nl_subscribe(struct ovsdp_nl *nl, enum ovsdp_family f, GError **error)
{
	int err;

	if (f >= OVSDP_FAMILY_N || !nl->fam[f].present || !nl->fam[f].mcgroup)
		return ovsdp_set_error(error, -ENOENT, NULL,
				       "family %s has no multicast group to join",
				       ovsdp_nl_family_name(f));
	err = nl_socket_add_membership(nl->sk, (int)nl->fam[f].mcgroup);
	if (err < 0)
		return ovsdp_set_error(error, -EIO, NULL, "joining the %s multicast group (%s)",
				       ovsdp_nl_family_name(f), nl_geterror(err));
	return 0;
}

int
ovsdp_nl_dump_start(struct ovsdp_nl *nl, struct nl_msg *req, struct ovsdp_nl_dump *d,
		    const char *what, GError **error)
{
	struct nlmsghdr *hdr = nlmsg_hdr(req);
	int err;

	memset(d, 0, sizeof *d);
	d->nl = nl;
	hdr->nlmsg_flags |= NLM_F_DUMP;
	err = nl_send_auto(nl->sk, req);
	d->seq = hdr->nlmsg_seq;
	nlmsg_free(req);
	if (err < 0) {
		d->done = true;
		return ovsdp_set_error(error, -EIO, NULL, "%s: sending (%s)", what,
				       nl_geterror(err));
	}
	return 0;
}

static void
dump_release(struct ovsdp_nl_dump *d)
{
	free(d->buf);
	d->buf = NULL;
	d->len = d->off = 0;
}

int
ovsdp_nl_dump_take(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		   GError **error)
{
	struct nlmsghdr *nlh;
	int bad = 0;

	*out = NULL;
	if (d->done)
		return 0;
	while (d->buf && (nlh = ovsdp_nl_datagram_next(d->buf, d->len, &d->off, &bad))) {
		if (nlh->nlmsg_seq != d->seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			int derr = done_errno(nlh);

			d->done = true;
			dump_release(d);
			if (derr == -EPROTO)
				return ovsdp_set_error(error, derr, NULL, "%s: malformed reply", what);
			return derr < 0 ? ovsdp_set_error(error, derr, NULL, "%s", what) : 0;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const char *kmsg;
			int v, r = 0;

			d->done = true;
			if (ovsdp_nl_ack_errno(nlh, &v, &kmsg) < 0)
				r = ovsdp_set_error(error, -EPROTO, NULL,
						    "%s: malformed error message", what);
			else if (v < 0)
				r = kernel_error(error, v, kmsg, what);
			dump_release(d);
			return r;
		}
		if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
			continue;
		*out = nlh;
		return 1;
	}
	dump_release(d);
	if (bad < 0) {
		d->done = true;
		return ovsdp_set_error(error, -EPROTO, NULL, "%s: malformed reply", what);
	}
	return OVSDP_NL_MORE;
}

int
ovsdp_nl_dump_next(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		   GError **error)
{
	for (;;) {
		struct sockaddr_nl peer = { 0 };
		unsigned char *buf = NULL;
		int n, r;

		r = ovsdp_nl_dump_take(d, out, what, error);
		if (r != OVSDP_NL_MORE)
			return r;
		n = nl_recv(d->nl->sk, &peer, &buf, NULL);
		if (n <= 0) {
			free(buf);
			if (n == -NLE_INTR || n == -NLE_AGAIN)
				continue;
			d->done = true;
			if (n == -NLE_NOMEM)
				return ovsdp_set_error(error, -ENOBUFS, NULL, "%s", what);
			return ovsdp_set_error(error, -EIO, NULL, "%s: receiving (%s)", what,
					       n ? nl_geterror(n) : "socket closed");
		}
		if (!ovsdp_nl_from_kernel(&d->nl->foreign, &peer, sizeof peer, what)) {
			free(buf);
			continue;
		}
		d->buf = buf;
		d->len = (size_t)n;
		d->off = 0;
	}
}

void
ovsdp_nl_dump_release(struct ovsdp_nl_dump *d)
{
	if (d)
		dump_release(d);
}

/* ---- requests built in a buffer ------------------------------------------ */

int
ovsdp_nl_msg_begin(const struct ovsdp_nl *nl, struct ovsdp_buf *b, enum ovsdp_family f,
		   uint8_t cmd, int nlm_flags, int dp_ifindex, size_t *off)
{
	struct nlmsghdr nlh = { 0 };
	struct genlmsghdr g = { 0 };
	struct ovs_header oh = { 0 };

	if (!nl || !b || !off || f >= OVSDP_FAMILY_N || !nl->fam[f].present)
		return -ENOENT;
	nlh.nlmsg_type = nl->fam[f].id;
	nlh.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | nlm_flags);
	g.cmd = cmd;
	g.version = nl->fam[f].version;
	oh.dp_ifindex = dp_ifindex;
	*off = ovsdp_buf_put(b, &nlh, sizeof nlh);
	ovsdp_buf_put(b, &g, sizeof g);
	ovsdp_buf_put(b, &oh, sizeof oh);
	return 0;
}

int
ovsdp_nl_msg_end(struct ovsdp_buf *b, size_t off)
{
	size_t len = b->len - off;

	if (len > OVSDP_NL_MSG_MAX) {
		b->len = off;
		return -EMSGSIZE;
	}
	((struct nlmsghdr *)(b->data + off))->nlmsg_len = (uint32_t)len;
	return 0;
}

struct nl_msg *
ovsdp_nl_msg_copy(const struct ovsdp_buf *b, size_t off)
{
	return nlmsg_convert((struct nlmsghdr *)(b->data + off));
}

/* ---- many requests in one send -------------------------------------------- */

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
	unsigned char *rbuf;
	size_t rbuf_size;
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

/* Read the acks of requests [lo, hi) and of the marker 'sentinel' (when
 * it was sent), and give a verdict to every one of them. */
static void
many_collect(struct many *m, unsigned int lo, unsigned int hi, bool sentinel_sent,
	     uint32_t sentinel)
{
	bool overrun = false, seen = false, waited = false;
	unsigned int pending = hi - lo;

	while (pending > 0 || (sentinel_sent && !seen)) {
		struct sockaddr_nl peer = { 0 };
		socklen_t plen = sizeof peer;
		ssize_t got = recvfrom(m->fd, m->rbuf, m->rbuf_size, MSG_DONTWAIT | MSG_TRUNC,
				       (struct sockaddr *)&peer, &plen);
		struct nlmsghdr *nlh;
		size_t off = 0;
		int bad;

		if (got < 0) {
			struct pollfd pfd = { .fd = m->fd, .events = POLLIN };

			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Acks were dropped: which ones, nobody knows. */
				overrun = true;
				continue;
			}
			if ((errno != EAGAIN && errno != EWOULDBLOCK) || overrun || waited)
				break;
			waited = true;
			if (poll(&pfd, 1, MANY_ACK_WAIT_MS) <= 0)
				break;
			continue;
		}
		if (m->hooks)
			m->hooks->recvs++;
		if (!ovsdp_nl_from_kernel(&m->nl->foreign, &peer, plen, "batched requests"))
			continue;
		if ((size_t)got > m->rbuf_size) {
			/* Larger than any reply should be: its header says whose. */
			if ((size_t)got >= NLMSG_HDRLEN)
				many_reply(m, lo, hi, (struct nlmsghdr *)m->rbuf, true);
			continue;
		}
		while ((nlh = ovsdp_nl_datagram_next(m->rbuf, (size_t)got, &off, &bad))) {
			const char *kmsg;
			int i, v;

			if (nlh->nlmsg_type != NLMSG_ERROR) {
				many_reply(m, lo, hi, nlh, false);
				continue;       /* a reply, or a stray one */
			}
			if (sentinel_sent && nlh->nlmsg_seq == sentinel) {
				seen = true;
				continue;
			}
			i = many_find(m, lo, hi, nlh->nlmsg_seq);
			if (i < 0 || m->errors[i] != PENDING)
				continue;       /* a late reply to an abandoned request */
			pending--;
			if (ovsdp_nl_ack_errno(nlh, &v, &kmsg) < 0)
				many_fail(m, (unsigned int)i, -EPROTO, false,
					  "malformed acknowledgement");
			else if (v < 0)
				many_fail(m, (unsigned int)i, v, true, kmsg);
			else if (m->rerr && m->rerr[i] < 0)
				many_fail(m, (unsigned int)i, m->rerr[i], true,
					  m->rerr[i] == -EMSGSIZE ? "reply too large to read" :
					  "malformed reply");
			else
				m->errors[i] = 0;
		}
		if (seen && pending > 0)
			break;  /* the marker's ack came after theirs: none will come */
	}
	for (unsigned int i = lo; i < hi; i++) {
		if (m->errors[i] != PENDING)
			continue;
		/* No ack although the marker sent after it was acked: the kernel
		 * skipped it (netlink drops the ack of a request that returned
		 * -EINTR). */
		many_fail(m, i, overrun ? -ENOBUFS : seen ? -EINTR : -ETIMEDOUT, false,
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
	m.rbuf_size = hooks && hooks->reply ? MANY_REPLY_BUF : MANY_RECV_BUF;
	m.rbuf = g_malloc(m.rbuf_size);
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
	g_free(m.rbuf);
	g_free(m.rerr);
	if (unacked)
		*unacked = m.unacked;
	return sends;
}
