/* netlink.h: the private generic netlink layer of libovsdp, in three files:
 * nl-socket.c (the request socket, the ovs_* families, building a request
 * in an ovsdp_buf), nl-recv.c (the one receive engine, single requests and
 * dumps), nl-batch.c (many requests in one send). */
#ifndef OVSDP_NETLINK_H
#define OVSDP_NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <linux/openvswitch.h>

#include "nl/ovs-compat.h"
#include "ovsdp/common.h"

enum ovsdp_family {
	OVSDP_FAMILY_DATAPATH,
	OVSDP_FAMILY_VPORT,
	OVSDP_FAMILY_FLOW,
	OVSDP_FAMILY_PACKET,
	OVSDP_FAMILY_METER,
	OVSDP_FAMILY_CT_LIMIT,
	OVSDP_FAMILY_N
};

struct ovsdp_family_info {
	const char *name;       /* "ovs_datapath", ... */
	bool required;
	bool present;
	uint16_t id;
	uint8_t version;
	uint32_t maxattr;
	uint32_t mcgroup;       /* multicast group id, 0 when none */
};

/* One generic netlink request socket. Not thread-safe: give each thread its
 * own, or serialise calls. */
struct ovsdp_nl {
	struct nl_sock *sk;
	struct ovsdp_family_info fam[OVSDP_FAMILY_N];
	uint64_t foreign;       /* datagrams dropped: not sent by the kernel */
	unsigned char *rbuf;    /* receive buffer kept between requests */
	size_t rbuf_size;
};

/* Name of a family, for messages. */
const char *ovsdp_nl_family_name(enum ovsdp_family f);

/* Open a request socket and resolve the ovs_* families.  Fails with
 * ENOENT and a message saying the openvswitch module is missing when a
 * required family is absent (the socket is still returned in *out when
 * 'allow_missing' is true, so a prober can report what exists). */
int ovsdp_nl_open(bool allow_missing, struct ovsdp_nl **out, GError **error);
void ovsdp_nl_close(struct ovsdp_nl *nl);

/* Called for each reply message; return 0 to go on, negative errno to stop
 * (the transaction then fails with that value). */
typedef int (*ovsdp_nl_reply_fn)(struct nlmsghdr *nlh, void *arg);

/* Send the one request in 'req' (built with ovsdp_nl_msg_begin() at offset
 * 0; its length is set here; 'req' is cleared) and read every reply up to
 * the ack (or NLMSG_DONE for a dump).  Returns 0 or a negative errno; on
 * error sets *error with the kernel's extended-ack text when it sent one,
 * prefixed by 'what'. */
int ovsdp_nl_transact(struct ovsdp_nl *nl, struct ovsdp_buf *req,
		      ovsdp_nl_reply_fn fn, void *arg,
		      const char *what, GError **error);

/* ---- requests built in a buffer, and many sent at once ---------------- */

/* The largest request the library builds (what one libnl message held). */
#define OVSDP_NL_MSG_MAX 65536

/* Append the headers of a request for family 'f' (nlmsghdr, genlmsghdr,
 * ovs_header { dp_ifindex }) to 'b'; append its attributes with the
 * ovsdp_buf_put_*() writers, then close it with ovsdp_nl_msg_end().  The
 * sequence number and port id stay 0: the sender fills them.  Returns 0
 * and *off (where the message starts), or -ENOENT (family absent). */
int ovsdp_nl_msg_begin(const struct ovsdp_nl *nl, struct ovsdp_buf *b, enum ovsdp_family f,
		       uint8_t cmd, int nlm_flags, int dp_ifindex, size_t *off);

/* A NUL-terminated string attribute (libnl's NLA_STRING). */
static inline size_t
ovsdp_nl_put_string(struct ovsdp_buf *b, uint16_t type, const char *s)
{
	return ovsdp_buf_put_attr(b, type, s, strlen(s) + 1);
}

/* Set the length of the message begun at 'off' (it runs to the end of
 * 'b').  -EMSGSIZE, with the message removed from 'b', when it is longer
 * than OVSDP_NL_MSG_MAX. */
int ovsdp_nl_msg_end(struct ovsdp_buf *b, size_t off);

/* Send the 'n' requests laid end to end in 'msgs' (each built with
 * ovsdp_nl_msg_begin/end) in as few sendmsg() calls as the socket's buffers
 * allow -- one for a usual batch -- each request with NLM_F_ACK and a
 * sequence number of its own, and collect every ack.  errors[i] receives
 * request i's verdict: 0, the kernel's negative errno, or -ENOBUFS (its
 * ack was lost to a receive-buffer overrun: unknown), -EMSGSIZE (too big
 * for the socket), another send errno (never sent), -ETIMEDOUT (no ack).
 * One refused request does not affect the others: the kernel runs each on
 * its own.  The headers in 'msgs' are completed in place (flags, seq,
 * pid).  Returns the number of sendmsg() calls that reached the kernel
 * and *unacked (may be NULL): how many failed requests got no verdict from
 * the kernel (never sent, or their ack lost); *error (may be NULL)
 * describes the first failed request, with the kernel's extended-ack text,
 * prefixed by "request I of N".  -EINVAL when 'msgs' does not hold n
 * well-formed messages (nothing sent). */
int ovsdp_nl_transact_many(struct ovsdp_nl *nl, struct ovsdp_buf *msgs, unsigned int n,
			   int *errors, unsigned int *unacked, GError **error);

/* What ovsdp_nl_transact_many_ex() learns and asks of its caller beyond
 * the acks (every member may be NULL / 0). */
struct ovsdp_nl_many_hooks {
	/* Each reply of request i before its ack (a GET's flow, an
	 * NLM_F_ECHO's echo).  A negative return becomes request i's verdict
	 * unless the kernel refuses it. */
	int (*reply)(unsigned int i, struct nlmsghdr *nlh, void *arg);
	/* Receive buffer request i's replies may take besides its ack (skb
	 * truesize, bytes): each send is sized so that none is dropped. */
	size_t (*reply_cost)(unsigned int i, void *arg);
	/* Whether request i's failure is expected (a probe): *error then
	 * describes the first failure that is not. */
	bool (*quiet)(unsigned int i, void *arg);
	/* A name of request i for *error (g_free'd); NULL: "request I of N". */
	char *(*what)(unsigned int i, void *arg);
	void *arg;
	/* Out: the datagrams read (acks and replies). */
	unsigned int recvs;
};

/* ovsdp_nl_transact_many() with replies delivered to hooks->reply and the
 * rest of 'hooks' (may be NULL: exactly ovsdp_nl_transact_many()). */
int ovsdp_nl_transact_many_ex(struct ovsdp_nl *nl, struct ovsdp_buf *msgs, unsigned int n,
			      int *errors, unsigned int *unacked, struct ovsdp_nl_many_hooks *hooks,
			      GError **error);

/* ---- the attribute reader (nl-attr.c) ---------------------------------- */

/* What a family declares once about its attributes. */
struct ovsdp_nl_policy {
	const char *where;              /* names the sequence in messages */
	int maxattr;                    /* tb has maxattr + 1 entries */
	/* libnl's rules, maxattr + 1 entries: NLA_U32 (at least 4 bytes),
	 * OVSDP_NLA_EXACT (exactly), NLA_STRING (NUL-terminated, .maxlen
	 * with its NUL), .minlen for a struct ... */
	const struct nla_policy *nla;
	/* What libnl lacks (each may be NULL / false): */
	const char *const *names;       /* attribute names for messages */
	const uint16_t *array;          /* element size of an array attribute */
	bool unique;                    /* a known attribute may appear once */
};

/* A payload of exactly 'n' bytes (libnl: minimum and maximum). */
#define OVSDP_NLA_EXACT(t, n) { .type = (t), .minlen = (n), .maxlen = (n) }

/* The one attribute reader: the attribute sequence [head, head + len)
 * into tb[0 .. p->maxattr] (NULL when absent; newer types skipped).
 * Returns 0, or -EPROTO with *why (may be NULL; g_free it) saying which
 * attribute broke which rule. */
int ovsdp_nla_parse(struct nlattr **tb, const struct ovsdp_nl_policy *p, const void *head,
		    size_t len, char **why);
/* The same over a nested attribute's payload. */
int ovsdp_nla_parse_nested(struct nlattr **tb, const struct ovsdp_nl_policy *p,
			   const struct nlattr *nest);
/* The attributes after the genl header and ovs_header of 'nlh'. */
int ovsdp_nl_parse(struct nlmsghdr *nlh, const struct ovsdp_nl_policy *p, struct nlattr **tb,
		   int *dp_ifindex);

/* A second request socket sharing 'nl's resolved families (no controller
 * round trip): for dumps that must not block other requests, and for
 * notification listeners. */
int ovsdp_nl_clone(const struct ovsdp_nl *nl, struct ovsdp_nl **out, GError **error);

/* Join the multicast group of family 'f' (datapath, vport or flow). */
int ovsdp_nl_subscribe(struct ovsdp_nl *nl, enum ovsdp_family f, GError **error);

/* ---- the receive engine (nl-recv.c) ------------------------------------ */

/* What a received message is. */
enum ovsdp_nl_kind {
	OVSDP_NL_REPLY,         /* a reply or notification (nlmsg_type >= MIN_TYPE) */
	OVSDP_NL_ACK,           /* NLMSG_ERROR: verdict 0 (ack) or the kernel's -errno */
	OVSDP_NL_DONE,          /* NLMSG_DONE: verdict 0 or a failed dump's -errno */
	OVSDP_NL_BAD,           /* malformed or truncated: verdict -EPROTO / -EMSGSIZE */
};

/* One message handed to a receive callback. */
struct ovsdp_nl_in {
	struct nlmsghdr *nlh;   /* inside the datagram; NULL for a BAD datagram */
	enum ovsdp_nl_kind kind;
	int verdict;
	const char *kmsg;       /* the kernel's extended-ack text, or NULL */
	const char *bad;        /* BAD: what was wrong, for a message */
	size_t truncated;       /* BAD: the datagram's real size when truncated */
};

/* Return 0 to go on with the datagram, anything else to stop: the engine
 * then returns it, and the rest of the datagram stays for the next call. */
typedef int (*ovsdp_nl_msg_fn)(const struct ovsdp_nl_in *in, void *arg);

/* The smallest receive buffer the engine allocates (the kernel sizes dump
 * datagrams to the reader's buffer, up to 32 KiB). */
#define OVSDP_NL_RX_MIN 32768

/* One reader's state: what it accepts, its buffer, the datagram held. */
struct ovsdp_nl_rx {
	uint64_t *foreign;      /* datagrams not from the kernel (may be NULL) */
	const char *what;       /* for the log line about them */
	uint32_t seq, nseq;     /* messages with seq .. seq + nseq - 1; nseq 0: any */
	bool grow;              /* grow 'buf' to each datagram (else truncation) */
	unsigned char *buf;     /* g_malloc'd by the engine when NULL */
	size_t size;
	size_t len, off;        /* the datagram held, the next message in it */
	unsigned int recvs;     /* datagrams read */
};

/* The receive engine: the messages left in the datagram held, else one
 * datagram read from 'fd' (recvfrom flags 'flags', e.g. MSG_DONTWAIT),
 * dropped unless the kernel sent it (counted in *rx->foreign), a truncated
 * one reported as BAD with its header, every message bounded by the
 * datagram, NLMSG_NOOP and other sequence numbers skipped, each message
 * classified and handed to 'fn'.  Returns what 'fn' returned to stop, 0
 * when the datagram is used up (or was dropped), or the negative errno of
 * recvfrom (-EAGAIN, -ENOBUFS ...). */
int ovsdp_nl_recv(struct ovsdp_nl_rx *rx, int fd, int flags, ovsdp_nl_msg_fn fn, void *arg);

/* ovsdp_nl_recv() without the socket: walk what is left of rx->buf
 * (rx->len bytes, from rx->off).  A malformed datagram is one BAD call. */
int ovsdp_nl_rx_walk(struct ovsdp_nl_rx *rx, ovsdp_nl_msg_fn fn, void *arg);

/* A dump read one message at a time.  The socket must carry no other
 * request until the dump has ended; give each open dump its own socket
 * (ovsdp_nl_clone) and close that socket to abandon a dump mid-way. */
struct ovsdp_nl_dump {
	struct ovsdp_nl *nl;
	bool done;
	struct ovsdp_nl_rx rx;  /* rx.seq: the dump request's */
};

/* Send the request in 'req' (cleared) as a dump (NLM_F_DUMP is added). */
int ovsdp_nl_dump_start(struct ovsdp_nl *nl, struct ovsdp_buf *req, struct ovsdp_nl_dump *d,
			const char *what, GError **error);
/* Next reply message: 1 with *out (valid until the next call), 0 at the
 * end of the dump, or a negative errno (the kernel's, for a failed dump). */
int ovsdp_nl_dump_next(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		       GError **error);
/* Free the receive buffer (the socket is the caller's). */
void ovsdp_nl_dump_release(struct ovsdp_nl_dump *d);

/* ---- reply parsing without a socket (the receive paths and the fuzz
 * targets in tests/fuzz/ share these) ------------------------------------ */

/* The next message of the datagram buf[0, len) at *off, which it advances;
 * NULL at the end.  A message whose nlmsg_len is shorter than its header or
 * runs past the datagram ends the walk with *err = -EPROTO (else 0).  Every
 * message returned lies wholly inside the datagram: nlmsg_len bytes from
 * the returned pointer may be read.  'buf' must be 4-byte aligned. */
struct nlmsghdr *ovsdp_nl_datagram_next(void *buf, size_t len, size_t *off, int *err);

/* The kernel's extended-ack text (NLMSGERR_ATTR_MSG) of the NLMSG_ERROR
 * 'nlh', or NULL.  Reads nothing past nlh->nlmsg_len: the echoed request's
 * own length is checked against the outer message. */
const char *ovsdp_nl_ext_ack(const struct nlmsghdr *nlh);

/* The verdict of the NLMSG_ERROR 'nlh' (from ovsdp_nl_datagram_next()):
 * returns 0 with *verdict = 0 for an ack or the kernel's negative errno, or
 * -EPROTO when the message is too short for a struct nlmsgerr or its errno
 * is not one (outside -4095..0).  *kmsg (may be NULL) receives
 * ovsdp_nl_ext_ack()'s text for a failure. */
int ovsdp_nl_ack_errno(const struct nlmsghdr *nlh, int *verdict, const char **kmsg);

/* Where one request's replies stand. */
struct ovsdp_nl_replies {
	uint32_t seq;           /* the request's sequence number */
	bool done;              /* its ack, error or NLMSG_DONE was seen */
	int ret;                /* 0, or the first failure (also in *error) */
};

/* Walk one received datagram for the replies to request st->seq: calls
 * 'fn' (may be NULL) on each reply message until the ack or NLMSG_DONE,
 * skips other sequence numbers, records the kernel's error with its
 * extended-ack text, and a malformed datagram as -EPROTO ("WHAT:
 * malformed reply").  Returns st->done. */
bool ovsdp_nl_replies_feed(struct ovsdp_nl_replies *st, void *buf, size_t len,
			   ovsdp_nl_reply_fn fn, void *arg, const char *what, GError **error);

/* ovsdp_nl_dump_next() without the socket: the next message of the
 * datagram held in d->rx.buf (d->rx.len bytes, from d->rx.off): 1 with
 * *out, 0 at the end of the dump, a negative errno, or OVSDP_NL_MORE when
 * the datagram is used up. */
#define OVSDP_NL_MORE 2
int ovsdp_nl_dump_take(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		       GError **error);

/* Whether a received datagram's source address is the kernel's (port 0).
 * Anything else is dropped by every receive path (requests, dumps, batched
 * acks, the monitor, upcall sockets): it is counted in *foreign (may be
 * NULL) and logged as a warning with 'what' (the first time, then at each
 * power of two of the process's total). */
bool ovsdp_nl_from_kernel(uint64_t *foreign, const struct sockaddr_nl *peer,
			  socklen_t peer_len, const char *what);

/* Fill *error from a negative errno and optional kernel text. */
int ovsdp_set_error(GError **error, int neg_errno, const char *kmsg,
		    const char *fmt, ...) G_GNUC_PRINTF(4, 5);

#endif
