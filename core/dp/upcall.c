/* upcall.c: upcall sockets (a generic netlink socket per port id, big
 * receive buffer, non-blocking reads that count overruns) and the strict
 * parser that turns one OVS_PACKET_CMD_MISS/ACTION message into struct
 * ovsdp_upcall.  The parser sees untrusted bytes: it checks every length
 * before reading and never allocates except for the error it reports. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "nl/netlink.h"
#include "dp/upcall-internal.h"
#include "nl/ovs-compat.h"
#include "ovsdp/upcall.h"
#include "ovsdp/vport.h"

G_STATIC_ASSERT(OVSDP_UPCALL_MISS == OVS_PACKET_CMD_MISS);
G_STATIC_ASSERT(OVSDP_UPCALL_ACTION == OVS_PACKET_CMD_ACTION);

#define ETH_HEADER_LEN 14
#define MAX_NEST_DEPTH 8
#define UPCALL_HDRLEN (NLMSG_HDRLEN + GENL_HDRLEN + NLMSG_ALIGN(sizeof(struct ovs_header)))

static int G_GNUC_PRINTF(2, 3)
malformed(GError **error, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!error)
		return -EPROTO;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, OVSDP_ERROR, EPROTO, "malformed upcall: %s", msg);
	g_free(msg);
	return -EPROTO;
}

/* The packet family's policy: what an upcall carries (OVS_PACKET_CMD_MISS
 * and ACTION), each attribute at most once. */
static const char *const packet_attr_names[OVS_PACKET_ATTR_HASH + 1] = {
	[OVS_PACKET_ATTR_PACKET] = "PACKET",
	[OVS_PACKET_ATTR_KEY] = "KEY",
	[OVS_PACKET_ATTR_ACTIONS] = "ACTIONS",
	[OVS_PACKET_ATTR_USERDATA] = "USERDATA",
	[OVS_PACKET_ATTR_EGRESS_TUN_KEY] = "EGRESS_TUN_KEY",
	[OVS_PACKET_ATTR_MRU] = "MRU",
	[OVS_PACKET_ATTR_LEN] = "LEN",
	[OVS_PACKET_ATTR_HASH] = "HASH",
};

static const struct nla_policy packet_nla[OVS_PACKET_ATTR_HASH + 1] = {
	[OVS_PACKET_ATTR_KEY] = { .type = NLA_NESTED },
	[OVS_PACKET_ATTR_EGRESS_TUN_KEY] = { .type = NLA_NESTED },
	[OVS_PACKET_ATTR_MRU] = OVSDP_NLA_EXACT(NLA_U16, 2),
	[OVS_PACKET_ATTR_LEN] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_PACKET_ATTR_HASH] = OVSDP_NLA_EXACT(NLA_U64, 8),
};

static const struct ovsdp_nl_policy packet_policy = {
	.where = "the message", .maxattr = OVS_PACKET_ATTR_HASH, .nla = packet_nla,
	.names = packet_attr_names, .unique = true,
};

/* A flow key: in_port exactly 4 bytes (the key's one required member),
 * each attribute at most once; nests checked one by one below. */
static const char *const key_attr_names[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_IN_PORT] = "KEY.IN_PORT",
};

static const struct nla_policy key_nla[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_IN_PORT] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_KEY_ATTR_ETHERTYPE] = OVSDP_NLA_EXACT(NLA_U16, 2),
};

static const struct ovsdp_nl_policy key_policy = {
	.where = "KEY", .maxattr = OVS_KEY_ATTR_MAX, .nla = key_nla, .names = key_attr_names,
	.unique = true,
};

/* A tunnel key, and the sequences only framed (actions, NSH, VXLAN options). */
static const struct ovsdp_nl_policy tunnel_policy = {
	.where = "KEY.TUNNEL", .maxattr = OVS_TUNNEL_KEY_ATTR_MAX,
};
static const struct ovsdp_nl_policy flat_policy = { .where = "ACTIONS", .maxattr = 0 };

/* What kind of attribute sequence is being checked: which of its members
 * are nests to descend into. */
enum nest_kind {
	NEST_FLAT,                      /* none (actions are checked one level deep) */
	NEST_KEY,                       /* ENCAP (a key again), TUNNEL, NSH */
	NEST_TUNNEL,                    /* VXLAN_OPTS */
};

#define NEST_TB_MAX MAX(OVS_KEY_ATTR_MAX, OVS_TUNNEL_KEY_ATTR_MAX)

/* Check that [p, p+len) is a well-formed attribute sequence with the one
 * attribute reader, descending into the nests a flow key or tunnel key
 * has.  'where' names it in messages. */
static int
check_nested(const uint8_t *p, size_t len, enum nest_kind kind, const char *where, int depth,
	     GError **error)
{
	struct ovsdp_nl_policy pol = kind == NEST_KEY ? key_policy :
		kind == NEST_TUNNEL ? tunnel_policy : flat_policy;
	struct nlattr *tb[NEST_TB_MAX + 1];
	static const struct {
		enum nest_kind in;
		uint16_t type;
		enum nest_kind sub;
		const char *name;       /* NULL: the parent's */
	} nests[] = {
		{ NEST_KEY, OVS_KEY_ATTR_ENCAP, NEST_KEY, NULL },
		{ NEST_KEY, OVS_KEY_ATTR_TUNNEL, NEST_TUNNEL, "KEY.TUNNEL" },
		{ NEST_KEY, OVS_KEY_ATTR_NSH, NEST_FLAT, "KEY.NSH" },
		{ NEST_TUNNEL, OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS, NEST_FLAT, "VXLAN_OPTS" },
	};
	char *why = NULL;

	if (depth > MAX_NEST_DEPTH)
		return malformed(error, "%s nests deeper than %d levels", where, MAX_NEST_DEPTH);
	pol.where = where;
	if (ovsdp_nla_parse(tb, &pol, p, len, error ? &why : NULL) < 0) {
		malformed(error, "%s", why);
		g_free(why);
		return -EPROTO;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(nests); i++) {
		const struct nlattr *a;
		int r;

		if (nests[i].in != kind || !(a = tb[nests[i].type]))
			continue;
		r = check_nested(nla_data(a), (size_t)nla_len(a), nests[i].sub,
				 nests[i].name ? nests[i].name : where, depth + 1, error);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Find in_port at the top level of the key, and whether the packet is an
 * Ethernet frame (the key has ETHERNET) and its ethertype. */
static int
key_in_port(const uint8_t *p, size_t len, uint32_t *in_port, bool *is_eth, uint16_t *ethertype,
	    GError **error)
{
	struct nlattr *tb[OVS_KEY_ATTR_MAX + 1];
	char *why = NULL;

	*is_eth = false;
	*ethertype = 0;
	if (ovsdp_nla_parse(tb, &key_policy, p, len, error ? &why : NULL) < 0) {
		malformed(error, "%s", why);
		g_free(why);
		return -EPROTO;
	}
	if (!tb[OVS_KEY_ATTR_IN_PORT])
		return malformed(error, "KEY has no IN_PORT");
	memcpy(in_port, nla_data(tb[OVS_KEY_ATTR_IN_PORT]), 4);
	*is_eth = tb[OVS_KEY_ATTR_ETHERNET] != NULL;
	if (tb[OVS_KEY_ATTR_ETHERTYPE]) {
		uint16_t be;

		memcpy(&be, nla_data(tb[OVS_KEY_ATTR_ETHERTYPE]), 2);
		*ethertype = g_ntohs(be);
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_upcall_parse(const void *buf, size_t len, uint16_t packet_family,
		   struct ovsdp_upcall *out, GError **error)
{
	struct nlattr *seen[OVS_PACKET_ATTR_HASH + 1];
	const uint8_t *base = buf;
	char *why = NULL;
	uint16_t ethertype;
	bool is_eth;
	struct nlmsghdr nlh;
	struct genlmsghdr g;
	struct ovs_header oh;
	int r;

	if (!buf || !out) {
		if (error)
			g_set_error(error, OVSDP_ERROR, EINVAL, "parsing an upcall: no %s",
				    buf ? "output" : "message");
		return -EINVAL;
	}
	memset(out, 0, sizeof *out);
	out->in_port = OVSDP_PORT_NONE;

	if (len < NLMSG_HDRLEN)
		return malformed(error, "%zu bytes is shorter than a netlink header", len);
	memcpy(&nlh, base, sizeof nlh);
	if (nlh.nlmsg_len < UPCALL_HDRLEN)
		return malformed(error, "nlmsg_len %u is shorter than the upcall headers (%zu bytes)",
				 nlh.nlmsg_len, (size_t)UPCALL_HDRLEN);
	if (nlh.nlmsg_len > len)
		return malformed(error, "nlmsg_len %u exceeds the %zu bytes received",
				 nlh.nlmsg_len, len);
	if (len > NLMSG_ALIGN(nlh.nlmsg_len))
		return malformed(error, "%zu trailing bytes after the message",
				 len - NLMSG_ALIGN(nlh.nlmsg_len));
	if (nlh.nlmsg_type < NLMSG_MIN_TYPE)
		return malformed(error, "netlink control message (type %u)", nlh.nlmsg_type);
	if (packet_family && nlh.nlmsg_type != packet_family)
		return malformed(error, "message type %u is not the ovs_packet family (%u)",
				 nlh.nlmsg_type, packet_family);
	memcpy(&g, base + NLMSG_HDRLEN, sizeof g);
	if (g.cmd != OVS_PACKET_CMD_MISS && g.cmd != OVS_PACKET_CMD_ACTION)
		return malformed(error, "command %u is neither MISS nor ACTION", g.cmd);
	memcpy(&oh, base + NLMSG_HDRLEN + GENL_HDRLEN, sizeof oh);
	out->cmd = g.cmd;
	out->dp_ifindex = oh.dp_ifindex;

	r = ovsdp_nla_parse(seen, &packet_policy, base + UPCALL_HDRLEN,
			    nlh.nlmsg_len - UPCALL_HDRLEN, error ? &why : NULL);
	if (r < 0) {
		malformed(error, "%s", why);
		g_free(why);
		return -EPROTO;
	}

#define PAYLOAD(t) ((const uint8_t *)seen[t] + NLA_HDRLEN)
#define PLEN(t) ((size_t)seen[t]->nla_len - NLA_HDRLEN)
	if (!seen[OVS_PACKET_ATTR_PACKET])
		return malformed(error, "no PACKET attribute");
	if (!seen[OVS_PACKET_ATTR_KEY])
		return malformed(error, "no KEY attribute");
	out->key = PAYLOAD(OVS_PACKET_ATTR_KEY);
	out->key_len = PLEN(OVS_PACKET_ATTR_KEY);
	r = check_nested(out->key, out->key_len, NEST_KEY, "KEY", 0, error);
	if (r == 0)
		r = key_in_port(out->key, out->key_len, &out->in_port, &is_eth, &ethertype, error);
	if (r < 0)
		return r;

	/* A layer-3 packet (its key has no ETHERNET) starts at its network
	 * header. */
	if (is_eth && PLEN(OVS_PACKET_ATTR_PACKET) < ETH_HEADER_LEN)
		return malformed(error, "PACKET is %zu bytes, shorter than an Ethernet header",
				 PLEN(OVS_PACKET_ATTR_PACKET));
	if (!is_eth && PLEN(OVS_PACKET_ATTR_PACKET) == 0)
		return malformed(error, "PACKET of a layer-3 packet is empty");
	out->packet = PAYLOAD(OVS_PACKET_ATTR_PACKET);
	out->packet_len = PLEN(OVS_PACKET_ATTR_PACKET);

	if (seen[OVS_PACKET_ATTR_USERDATA]) {
		out->userdata = PAYLOAD(OVS_PACKET_ATTR_USERDATA);
		out->userdata_len = PLEN(OVS_PACKET_ATTR_USERDATA);
	}
	if (seen[OVS_PACKET_ATTR_EGRESS_TUN_KEY]) {
		out->egress_tun_key = PAYLOAD(OVS_PACKET_ATTR_EGRESS_TUN_KEY);
		out->egress_tun_key_len = PLEN(OVS_PACKET_ATTR_EGRESS_TUN_KEY);
		r = check_nested(out->egress_tun_key, out->egress_tun_key_len, NEST_TUNNEL,
				 "EGRESS_TUN_KEY", 0, error);
		if (r < 0)
			return r;
	}
	if (seen[OVS_PACKET_ATTR_ACTIONS]) {
		out->actions = PAYLOAD(OVS_PACKET_ATTR_ACTIONS);
		out->actions_len = PLEN(OVS_PACKET_ATTR_ACTIONS);
		r = check_nested(out->actions, out->actions_len, NEST_FLAT, "ACTIONS", 0, error);
		if (r < 0)
			return r;
	}
	/* MRU, LEN and HASH: their sizes are the policy's. */
	if (seen[OVS_PACKET_ATTR_MRU]) {
		memcpy(&out->mru, PAYLOAD(OVS_PACKET_ATTR_MRU), 2);
	}
	if (seen[OVS_PACKET_ATTR_LEN]) {
		memcpy(&out->len, PAYLOAD(OVS_PACKET_ATTR_LEN), 4);
		out->has_len = true;
	}
	if (seen[OVS_PACKET_ATTR_HASH]) {
		memcpy(&out->hash, PAYLOAD(OVS_PACKET_ATTR_HASH), 8);
		out->has_hash = true;
	}
#undef PAYLOAD
#undef PLEN
	return 0;
}

OVSDP_EXPORT int
ovsdp_upcall_get_info(const struct ovsdp_upcall *up, uint32_t pid, struct ovsdp_upcall_info *out)
{
	size_t size;
	uint32_t in_port;
	uint16_t ethertype = 0;
	bool is_eth = true;

	if (!up || !out || out->struct_size < offsetof(struct ovsdp_upcall_info, hash) + 8)
		return -EINVAL;
	size = MIN(out->struct_size, sizeof *out);
	memset((char *)out + sizeof out->struct_size, 0, size - sizeof out->struct_size);
	ovsdp_ufid_from_key(up->key, up->key_len, &out->ufid);
	out->pid = pid;
	/* The parser checked the key: this walk cannot fail. */
	if (up->key && key_in_port(up->key, up->key_len, &in_port, &is_eth, &ethertype, NULL) < 0)
		is_eth = true;
	out->packet_type = is_eth ? OVSDP_PACKET_TYPE_ETHERNET : OVSDP_PACKET_TYPE_L3(ethertype);
	out->has_hash = up->has_hash;
	out->hash = up->hash;
	return 0;
}

struct ovsdp_upcall_sock {
	int fd;
	uint32_t portid;
	int rcvbuf;
	uint64_t overruns;
	uint64_t truncated;
	uint64_t oversized;             /* larger than their slot, read whole */
	uint64_t foreign;               /* datagrams dropped: not from the kernel */
};

OVSDP_EXPORT int
ovsdp_upcall_sock_open(int rcvbuf_bytes, struct ovsdp_upcall_sock **out, GError **error)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	socklen_t alen = sizeof addr, olen;
	struct ovsdp_upcall_sock *s;
	int size = rcvbuf_bytes > 0 ? rcvbuf_bytes : OVSDP_UPCALL_RCVBUF_DEFAULT;
	int err;

	if (!out) {
		if (error)
			g_set_error(error, OVSDP_ERROR, EINVAL, "opening an upcall socket: no output");
		return -EINVAL;
	}
	*out = NULL;
	s = g_new0(struct ovsdp_upcall_sock, 1);
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_GENERIC);
	if (s->fd < 0) {
		err = -errno;
		g_free(s);
		if (error)
			g_set_error(error, OVSDP_ERROR, -err, "opening an upcall socket: %s",
				    g_strerror(-err));
		return err;
	}
	/* SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	olen = sizeof s->rcvbuf;
	getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, &olen);
	/* Port id 0 makes the kernel assign a unique one. */
	if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&addr, &alen) < 0) {
		err = -errno;
		ovsdp_upcall_sock_close(s);
		if (error)
			g_set_error(error, OVSDP_ERROR, -err, "binding an upcall socket: %s",
				    g_strerror(-err));
		return err;
	}
	s->portid = addr.nl_pid;
	*out = s;
	return 0;
}

OVSDP_EXPORT int
ovsdp_upcall_sock_adopt(int fd, int rcvbuf_bytes, struct ovsdp_upcall_sock **out, GError **error)
{
	struct sockaddr_nl addr;
	socklen_t alen = sizeof addr, olen;
	int domain = 0, proto = -1, size, fl;
	struct ovsdp_upcall_sock *s;

	if (!out || fd < 0) {
		if (error)
			g_set_error(error, OVSDP_ERROR, EINVAL, "adopting an upcall socket: %s",
				    out ? "no file descriptor" : "no output");
		return -EINVAL;
	}
	*out = NULL;
	olen = sizeof domain;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &olen) < 0 || domain != AF_NETLINK ||
	    (olen = sizeof proto, getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &olen) < 0) ||
	    proto != NETLINK_GENERIC) {
		if (error)
			g_set_error(error, OVSDP_ERROR, ENOTSOCK, "adopting an upcall socket: fd %d "
				    "is not a generic netlink socket", fd);
		return -ENOTSOCK;
	}
	memset(&addr, 0, sizeof addr);
	if (getsockname(fd, (struct sockaddr *)&addr, &alen) < 0 || addr.nl_pid == 0) {
		if (error)
			g_set_error(error, OVSDP_ERROR, EINVAL, "adopting an upcall socket: fd %d "
				    "is not bound to a port id", fd);
		return -EINVAL;
	}
	/* Its queue stays as it is: what the kernel sent meanwhile is read next. */
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	s = g_new0(struct ovsdp_upcall_sock, 1);
	s->fd = fd;
	s->portid = addr.nl_pid;
	if (rcvbuf_bytes > 0) {
		size = rcvbuf_bytes;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	}
	olen = sizeof s->rcvbuf;
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, &olen);
	*out = s;
	return 0;
}

OVSDP_EXPORT void
ovsdp_upcall_sock_close(struct ovsdp_upcall_sock *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	g_free(s);
}

OVSDP_EXPORT uint32_t
ovsdp_upcall_sock_portid(const struct ovsdp_upcall_sock *s)
{
	return s ? s->portid : 0;
}

OVSDP_EXPORT int
ovsdp_upcall_sock_fd(const struct ovsdp_upcall_sock *s)
{
	return s ? s->fd : -EINVAL;
}

OVSDP_EXPORT int
ovsdp_upcall_sock_rcvbuf(const struct ovsdp_upcall_sock *s)
{
	return s ? s->rcvbuf : -EINVAL;
}

OVSDP_EXPORT uint64_t
ovsdp_upcall_sock_overruns(const struct ovsdp_upcall_sock *s)
{
	return s ? s->overruns : 0;
}

OVSDP_EXPORT uint64_t
ovsdp_upcall_sock_truncated(const struct ovsdp_upcall_sock *s)
{
	return s ? s->truncated : 0;
}

OVSDP_EXPORT uint64_t
ovsdp_upcall_sock_oversized(const struct ovsdp_upcall_sock *s)
{
	return s ? s->oversized : 0;
}

/* Map a failed receive's errno to our return, counting overruns. */
static int
recv_error(struct ovsdp_upcall_sock *s, int e)
{
	if (e == EWOULDBLOCK)
		return -EAGAIN;
	if (e == ENOBUFS)
		s->overruns++;
	return -e;
}

OVSDP_EXPORT int
ovsdp_upcall_sock_recv(struct ovsdp_upcall_sock *s, void *buf, size_t buflen)
{
	ssize_t n;

	if (!s || !buf || !buflen)
		return -EINVAL;
	for (;;) {
		struct sockaddr_nl peer = { 0 };
		socklen_t plen = sizeof peer;

		/* MSG_TRUNC: learn the real size of a message that did not fit. */
		n = recvfrom(s->fd, buf, buflen, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&peer, &plen);
		if (n < 0 && errno == EINTR)
			continue;
		/* Any local process may send to our port: an upcall it made up
		 * must not become a flow. */
		if (n >= 0 && !ovsdp_nl_from_kernel(&s->foreign, &peer, plen, "upcall socket"))
			continue;
		break;
	}
	if (n < 0)
		return recv_error(s, errno);
	if ((size_t)n > buflen) {
		s->truncated++;
		return -EMSGSIZE;
	}
	return (int)n;
}

#define BATCH_MAX 64

/* Room beyond its slot for a message that does not fit it: an upcall holds
 * at most a 64 KiB packet, the kernel's 32 KiB of actions (the userspace
 * action's cookie among them) and a key, so slot + SPILL_BYTES holds any. */
#define SPILL_BYTES (128 * 1024)
/* A handler receives at most BATCH_MAX messages per round (over one or
 * more calls), so a ring of that many buffers is never reused before the
 * round's upcalls are delivered. */
#define SPILL_RING BATCH_MAX

/* One thread's spill buffers: SPILL_RING runs of `stride` bytes in one
 * anonymous mapping, written only by a message that overflows its slot.
 * An untouched page is not resident whatever malloc's tuning
 * (MALLOC_PERTURB_ fills what malloc hands out: a heap buffer would cost
 * its whole size at once), so a handler that never sees a big upcall pays
 * no memory for them. */
struct spill {
	uint8_t *base;
	size_t stride;
	unsigned int cursor;
};

static void
spill_unmap(struct spill *sp)
{
	if (sp->base)
		munmap(sp->base, sp->stride * SPILL_RING);
	sp->base = NULL;
	sp->stride = 0;
}

static void
spill_free(gpointer p)
{
	struct spill *sp = p;

	spill_unmap(sp);
	g_free(sp);
}

static GPrivate spill_key = G_PRIVATE_INIT(spill_free);

/* The run that message i of this receive spills into. */
static uint8_t *
spill_run(const struct spill *sp, unsigned int i)
{
	return sp->base + (size_t)((sp->cursor + i) % SPILL_RING) * sp->stride;
}

/* The calling thread's spill ring, each run at least `slot` + SPILL_BYTES
 * long; NULL when it cannot be mapped (the caller then receives without
 * it: an oversized upcall is counted as truncated, as before). */
static struct spill *
thread_spill(size_t slot)
{
	struct spill *sp = g_private_get(&spill_key);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), need = slot + SPILL_BYTES;
	void *m;

	if (!sp) {
		sp = g_new0(struct spill, 1);
		g_private_set(&spill_key, sp);
	}
	if (sp->base && sp->stride >= need)
		return sp;
	spill_unmap(sp);
	need = (need + page - 1) / page * page;
	m = mmap(NULL, need * SPILL_RING, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	sp->base = m;
	sp->stride = need;
	sp->cursor = 0;
	return sp;
}

static int
recv_batch(struct ovsdp_upcall_sock *s, struct ovsdp_upcall_slot *slots, unsigned int n, bool whole)
{
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX][2];
	struct sockaddr_nl peers[BATCH_MAX];
	struct spill *sp = NULL;
	size_t biggest = 0;

	if (!s || !slots || !n)
		return -EINVAL;
	if (n > BATCH_MAX)
		n = BATCH_MAX;
	for (unsigned int i = 0; i < n; i++) {
		if (!slots[i].buf || !slots[i].size)
			return -EINVAL;
		biggest = MAX(biggest, slots[i].size);
	}
	if (whole)
		sp = thread_spill(biggest);
	for (;;) {
		unsigned int kept = 0;
		int got, last_spilled = -1;

		memset(msgs, 0, sizeof(msgs[0]) * n);
		for (unsigned int i = 0; i < n; i++) {
			iov[i][0].iov_base = slots[i].buf;
			iov[i][0].iov_len = slots[i].size;
			msgs[i].msg_hdr.msg_iov = iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &peers[i];
			msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
			if (sp) {
				/* What overflows the slot lands after a copy of
				 * the slot's room, so the whole message is one
				 * run of bytes. */
				iov[i][1].iov_base = spill_run(sp, i) + slots[i].size;
				iov[i][1].iov_len = SPILL_BYTES;
				msgs[i].msg_hdr.msg_iovlen = 2;
			}
		}
		got = recvmmsg(s->fd, msgs, n, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return recv_error(s, errno);
		}
		/* Drop truncated messages: the good ones move to the front (slots
		 * swap buffers, never copy into a smaller one). */
		for (int i = 0; i < got; i++) {
			if (!ovsdp_nl_from_kernel(&s->foreign, &peers[i], msgs[i].msg_hdr.msg_namelen,
						  "upcall socket"))
				continue;
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				s->truncated++;
				continue;
			}
			if (sp && msgs[i].msg_len > slots[i].size) {
				uint8_t *big = spill_run(sp, (unsigned int)i);

				memcpy(big, slots[i].buf, slots[i].size);
				slots[i].buf = big;
				slots[i].size += SPILL_BYTES;
				s->oversized++;
				last_spilled = i;
			}
			if ((unsigned int)i != kept) {
				struct ovsdp_upcall_slot t = slots[kept];

				slots[kept] = slots[i];
				slots[i] = t;
			}
			slots[kept].len = msgs[i].msg_len;
			kept++;
		}
		if (sp && last_spilled >= 0)
			sp->cursor = (sp->cursor + (unsigned int)last_spilled + 1) % SPILL_RING;
		if (kept)
			return (int)kept;
	}
}

OVSDP_EXPORT int
ovsdp_upcall_sock_recv_batch(struct ovsdp_upcall_sock *s, struct ovsdp_upcall_slot *slots,
			     unsigned int n)
{
	return recv_batch(s, slots, n, false);
}

int
ovsdp_upcall_sock_recv_batch_whole(struct ovsdp_upcall_sock *s, struct ovsdp_upcall_slot *slots,
				   unsigned int n)
{
	return recv_batch(s, slots, n, true);
}

OVSDP_EXPORT int
ovsdp_upcall_sock_purge(struct ovsdp_upcall_sock *s)
{
	int dropped = 0;
	char byte;

	if (!s)
		return -EINVAL;
	for (;;) {
		ssize_t n = recv(s->fd, &byte, sizeof byte, MSG_DONTWAIT | MSG_TRUNC);

		if (n >= 0) {
			dropped++;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			s->overruns++;
			continue;
		}
		return errno == EAGAIN || errno == EWOULDBLOCK ? dropped : -errno;
	}
}
