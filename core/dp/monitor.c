/* monitor.c: the multicast monitor that reports datapath and port
 * changes (ovsdp_monitor_*): a socket subscribed to the datapath and vport
 * families' groups, and the parser of their notifications (shared with
 * the fuzz target tests/fuzz/fuzz-monitor.c). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "dp/datapath-internal.h"
#include "ovsdp/datapath.h"
#include "ovsdp/vport.h"

/* The monitor reads raw datagrams itself so that ENOBUFS reaches the caller
 * as such (libnl folds it into a generic out-of-memory code). */
struct ovsdp_monitor {
	struct ovsdp_nl *nl;
	struct ovsdp_nl_rx rx;          /* a fixed buffer: larger is truncated */
};

#define MONITOR_BUF (64 * 1024)

OVSDP_EXPORT int
ovsdp_monitor_open(unsigned int groups, struct ovsdp_monitor **out, GError **error)
{
	struct ovsdp_monitor *m;
	int r;

	if (!out || !groups || (groups & ~(OVSDP_MONITOR_DATAPATHS | OVSDP_MONITOR_VPORTS)))
		return ovsdp_set_error(error, -EINVAL, NULL, "opening a monitor: bad groups 0x%x",
				       groups);
	*out = NULL;
	m = g_new0(struct ovsdp_monitor, 1);
	r = ovsdp_nl_open(false, &m->nl, error);
	if (r == 0 && (groups & OVSDP_MONITOR_DATAPATHS))
		r = ovsdp_nl_subscribe(m->nl, OVSDP_FAMILY_DATAPATH, error);
	if (r == 0 && (groups & OVSDP_MONITOR_VPORTS))
		r = ovsdp_nl_subscribe(m->nl, OVSDP_FAMILY_VPORT, error);
	if (r == 0 && nl_socket_set_nonblocking(m->nl->sk) < 0)
		r = ovsdp_set_error(error, -EIO, NULL, "making the monitor socket non-blocking");
	if (r < 0) {
		ovsdp_monitor_close(m);
		return r;
	}
	m->rx.size = MONITOR_BUF;
	m->rx.buf = g_malloc(m->rx.size);
	m->rx.foreign = &m->nl->foreign;
	m->rx.what = "monitor";
	*out = m;
	return 0;
}

OVSDP_EXPORT int
ovsdp_monitor_fd(const struct ovsdp_monitor *m)
{
	return m ? nl_socket_get_fd(m->nl->sk) : -EINVAL;
}

OVSDP_EXPORT void
ovsdp_monitor_close(struct ovsdp_monitor *m)
{
	if (!m)
		return;
	ovsdp_nl_close(m->nl);
	g_free(m->rx.buf);
	g_free(m);
}

OVSDP_EXPORT const char *
ovsdp_event_kind_str(enum ovsdp_event_kind kind)
{
	switch (kind) {
	case OVSDP_EVENT_DP_NEW: return "dp-new";
	case OVSDP_EVENT_DP_DEL: return "dp-del";
	case OVSDP_EVENT_DP_SET: return "dp-set";
	case OVSDP_EVENT_VPORT_NEW: return "vport-new";
	case OVSDP_EVENT_VPORT_DEL: return "vport-del";
	case OVSDP_EVENT_VPORT_SET: return "vport-set";
	}
	return "unknown";
}

/* Turn one notification into *ev: 1 when it is an event we report, 0 to
 * skip it, -EPROTO when malformed. */
int
ovsdp_monitor_parse_event(const struct ovsdp_family_info *fam, struct nlmsghdr *nlh,
			  struct ovsdp_event *ev)
{
	const struct ovsdp_family_info *dpf = &fam[OVSDP_FAMILY_DATAPATH];
	const struct ovsdp_family_info *vpf = &fam[OVSDP_FAMILY_VPORT];
	struct genlmsghdr *g;
	int base;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct ovs_header))
		return -EPROTO;
	g = nlmsg_data(nlh);
	memset(ev, 0, sizeof *ev);
	if (dpf->present && nlh->nlmsg_type == dpf->id) {
		struct ovsdp_dp_info info;

		base = OVSDP_EVENT_DP_NEW;
		if (g->cmd < OVS_DP_CMD_NEW || g->cmd > OVS_DP_CMD_SET || g->cmd == OVS_DP_CMD_GET)
			return 0;
		if (ovsdp_dp_parse_reply(nlh, &info) < 0)
			return -EPROTO;
		ev->kind = (enum ovsdp_event_kind)(base + (g->cmd == OVS_DP_CMD_NEW ? 0 :
							   g->cmd == OVS_DP_CMD_DEL ? 1 : 2));
		ev->dp_ifindex = info.ifindex;
		memcpy(ev->name, info.name, sizeof ev->name);
		ev->user_features = info.user_features;
		return 1;
	}
	if (vpf->present && nlh->nlmsg_type == vpf->id) {
		struct nlattr *tb[OVSDP_VPORT_ATTR_MAX + 1];

		base = OVSDP_EVENT_VPORT_NEW;
		if (g->cmd < OVS_VPORT_CMD_NEW || g->cmd > OVS_VPORT_CMD_SET ||
		    g->cmd == OVS_VPORT_CMD_GET)
			return 0;
		if (ovsdp_nl_parse(nlh, &ovsdp_vport_policy, tb, &ev->dp_ifindex) < 0 ||
		    !ovsdp_attr_u32(tb[OVS_VPORT_ATTR_PORT_NO], &ev->port_no) ||
		    !ovsdp_attr_str(tb[OVS_VPORT_ATTR_NAME], ev->name, sizeof ev->name))
			return -EPROTO;
		if (tb[OVS_VPORT_ATTR_TYPE] && !ovsdp_attr_u32(tb[OVS_VPORT_ATTR_TYPE],
							       &ev->vport_type))
			return -EPROTO;
		ev->kind = (enum ovsdp_event_kind)(base + (g->cmd == OVS_VPORT_CMD_NEW ? 0 :
							   g->cmd == OVS_VPORT_CMD_DEL ? 1 : 2));
		return 1;
	}
	return 0;
}

/* The monitor's receive callback: the next event, or an error. */
struct monitor_ctx {
	const struct ovsdp_family_info *fam;
	struct ovsdp_event *ev;
	int ret;                /* 1: *ev filled; negative: malformed or truncated */
	size_t truncated;
};

static int
monitor_msg(const struct ovsdp_nl_in *in, void *arg)
{
	struct monitor_ctx *c = arg;

	if (in->kind == OVSDP_NL_BAD) {
		c->ret = in->verdict;
		c->truncated = in->truncated;
		return 1;
	}
	if (in->kind != OVSDP_NL_REPLY)
		return 0;       /* a notification socket gets no acks */
	c->ret = ovsdp_monitor_parse_event(c->fam, in->nlh, c->ev);
	return c->ret != 0;
}

int
ovsdp_monitor_take(const struct ovsdp_family_info *fam, void *buf, size_t len, size_t *off,
		   struct ovsdp_event *ev)
{
	struct monitor_ctx c = { fam, ev, 0, 0 };
	struct ovsdp_nl_rx rx = { .buf = buf, .len = len, .off = *off };

	ovsdp_nl_rx_walk(&rx, monitor_msg, &c);
	*off = rx.off;
	return c.ret;
}

OVSDP_EXPORT int
ovsdp_monitor_next(struct ovsdp_monitor *m, struct ovsdp_event *ev, GError **error)
{
	struct monitor_ctx c = { NULL, ev, 0, 0 };

	if (!m || !ev)
		return ovsdp_set_error(error, -EINVAL, NULL, "reading a monitor: bad arguments");
	c.fam = m->nl->fam;
	for (;;) {
		int r = ovsdp_nl_recv(&m->rx, nl_socket_get_fd(m->nl->sk), MSG_DONTWAIT,
				      monitor_msg, &c);

		if (r > 0 && c.ret > 0)
			return 1;
		if (r > 0 && c.truncated)
			return ovsdp_set_error(error, -EMSGSIZE, NULL,
					       "monitor: a %zu-byte notification was truncated",
					       c.truncated);
		if (r > 0)      /* the next call goes on after it */
			return ovsdp_set_error(error, c.ret, NULL,
					       "monitor: malformed notification");
		if (r == -EAGAIN || r == -EWOULDBLOCK)
			return -EAGAIN;
		if (r < 0)
			return ovsdp_set_error(error, r, NULL, "monitor: receiving");
	}
}
