/* nl-socket.c: the generic netlink request socket: the ovs_* families
 * resolved once, the kernel-only sender rule, multicast groups, and the one
 * way a request is built (an ovsdp_buf holding nlmsghdr, genlmsghdr and
 * struct ovs_header, then attributes from the ovsdp_buf_put_*() writers). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "nl/netlink.h"
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
	g_free(nl->rbuf);
	g_free(nl);
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

