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

/* Allocate and connect nl->sk with the options every request socket has. */
static int
connect_socket(struct ovsdp_nl *nl, GError **error)
{
	int one = 1;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return ovsdp_set_error(error, -ENOMEM, NULL, "allocating a netlink socket");
	if (genl_connect(nl->sk) < 0)
		return ovsdp_set_error(error, -EPROTONOSUPPORT, NULL,
				       "connecting a generic netlink socket");
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_enable_msg_peek(nl->sk);
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

/* A dump that failed part-way ends with NLMSG_DONE carrying the errno. */
static int
done_errno(struct nlmsghdr *nlh)
{
	int e = 0;

	if (nlmsg_datalen(nlh) >= (int)sizeof e)
		memcpy(&e, nlmsg_data(nlh), sizeof e);
	return e < 0 ? e : 0;
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
				int derr = done_errno(nlh);

				done = true;
				if (derr < 0 && ret == 0)
					ret = ovsdp_set_error(error, derr, NULL, "%s", what);
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
	d->next = NULL;
	d->rem = 0;
}

int
ovsdp_nl_dump_next(struct ovsdp_nl_dump *d, struct nlmsghdr **out, const char *what,
		   GError **error)
{
	*out = NULL;
	for (;;) {
		struct sockaddr_nl peer;
		unsigned char *buf = NULL;
		int n;

		if (d->done)
			return 0;
		while (d->buf && nlmsg_ok(d->next, d->rem)) {
			struct nlmsghdr *nlh = d->next;

			d->next = nlmsg_next(nlh, &d->rem);
			if (nlh->nlmsg_seq != d->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int derr = done_errno(nlh);

				d->done = true;
				dump_release(d);
				return derr < 0 ? ovsdp_set_error(error, derr, NULL, "%s", what) : 0;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(nlh);
				int r = 0;

				d->done = true;
				if (nlh->nlmsg_len < (uint32_t)nlmsg_size(sizeof *e))
					r = ovsdp_set_error(error, -EPROTO, NULL,
							    "%s: truncated error message", what);
				else if (e->error < 0)
					r = ovsdp_set_error(error, e->error, ext_ack_message(nlh),
							    "%s", what);
				dump_release(d);
				return r;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
				continue;
			*out = nlh;
			return 1;
		}
		dump_release(d);
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
		d->buf = buf;
		d->next = (struct nlmsghdr *)buf;
		d->rem = n;
	}
}

void
ovsdp_nl_dump_release(struct ovsdp_nl_dump *d)
{
	if (d)
		dump_release(d);
}
