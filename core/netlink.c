/* netlink.c: generic netlink plumbing shared by every ovs_* request: family
 * resolution, requests carrying struct ovs_header, and one transaction loop
 * (acks, dumps, extended-ack messages) so callers never see raw libnl errors. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	int code = neg_errno < 0 ? -neg_errno : neg_errno;

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

int
ovsdp_nl_open(bool allow_missing, struct ovsdp_nl **out, GError **error)
{
	struct ovsdp_nl *nl = g_new0(struct ovsdp_nl, 1);
	struct nl_cache *cache = NULL;
	int one = 1;
	int err;
	const char *missing = NULL;

	*out = NULL;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		g_free(nl);
		return ovsdp_set_error(error, -ENOMEM, NULL, "allocating a netlink socket");
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		ovsdp_set_error(error, -EPROTONOSUPPORT, NULL,
				"connecting a generic netlink socket");
		ovsdp_nl_close(nl);
		return -EPROTONOSUPPORT;
	}
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_enable_msg_peek(nl->sk);
	/* Ask for the kernel's error text, and only the header of our request
	 * echoed back: replies stay small even for large flow puts. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);

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

/* The kernel's text from an NLMSG_ERROR carrying NLM_F_ACK_TLVS, or NULL. */
static const char *
ext_ack_message(struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = nlmsg_data(nlh);
	size_t off = sizeof *e;
	struct nlattr *tlvs;
	int len, rem;
	struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - sizeof e->msg;
	len = (int)nlmsg_datalen(nlh) - (int)off;
	if (len <= 0)
		return NULL;
	tlvs = (struct nlattr *)((char *)e + off);
	nla_for_each_attr(a, tlvs, len, rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0) {
			char *s = nla_data(a);

			if (s[nla_len(a) - 1] == '\0')
				return s;
		}
	}
	return NULL;
}

int
ovsdp_nl_transact(struct ovsdp_nl *nl, struct nl_msg *req, ovsdp_nl_reply_fn fn,
		  void *arg, const char *what, GError **error)
{
	struct nlmsghdr *hdr = nlmsg_hdr(req);
	bool dump = (hdr->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	uint32_t seq;
	bool want_ack = !dump;
	int ret = 0;
	int err;

	if (!dump)
		hdr->nlmsg_flags |= NLM_F_ACK;
	err = nl_send_auto(nl->sk, req);
	seq = hdr->nlmsg_seq;
	nlmsg_free(req);
	if (err < 0)
		return ovsdp_set_error(error, -EIO, NULL, "%s: sending (%s)", what,
				       nl_geterror(err));

	for (;;) {
		struct sockaddr_nl peer;
		unsigned char *buf = NULL;
		struct nlmsghdr *nlh;
		int n;
		bool done = false;

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
		for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, n); nlh = nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != seq)
				continue;       /* a late reply to an abandoned request */
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(nlh);

				done = true;
				if (nlh->nlmsg_len < (uint32_t)nlmsg_size(sizeof *e)) {
					ret = ovsdp_set_error(error, -EPROTO, NULL,
							      "%s: truncated error message", what);
				} else if (e->error < 0 && ret == 0) {
					ret = ovsdp_set_error(error, e->error,
							      ext_ack_message(nlh), "%s", what);
				}
				break;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
				continue;
			if (fn && ret == 0) {
				int r = fn(nlh, arg);

				if (r < 0)
					ret = ovsdp_set_error(error, r, NULL,
							      "%s: bad reply", what);
			}
			if (!(nlh->nlmsg_flags & NLM_F_MULTI) && !dump && !want_ack) {
				done = true;
				break;
			}
		}
		free(buf);
		if (done)
			return ret;
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
