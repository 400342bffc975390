/* tunnel.c: the device side of tunnel ports as upstream Open vSwitch
 * makes them: an external-mode tunnel device created over rtnetlink with
 * libnl-route (its vxlan and geneve objects; for the kinds libnl has no
 * object or no collect_md attribute for, IFLA_INFO_DATA built with libnl's
 * nl_msg API), read back and deleted with its port.  tunnel-port.c attaches
 * the device as a netdev port, or falls back to a legacy tunnel vport. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/link/geneve.h>

#include "dp/datapath-internal.h"
#include "nl/netlink.h"
#include "ovsdp/tunnel.h"

/* Upstream's MTU for the devices it creates: the tunnel device itself
 * never drops a frame for its size; the underlay decides. */
#define TUNNEL_MTU 65000
#define VXLAN_PORT 4789
#define GENEVE_PORT 6081

static const struct {
	const char *name;        /* ovsdp's and OVS's name */
	const char *device_kind; /* IFLA_INFO_KIND */
	uint32_t legacy;         /* vport type, 0 when none */
} kinds[] = {
	[OVSDP_TUNNEL_NONE] = { "none", NULL, 0 },
	[OVSDP_TUNNEL_VXLAN] = { "vxlan", "vxlan", OVSDP_VPORT_TYPE_VXLAN },
	[OVSDP_TUNNEL_GENEVE] = { "geneve", "geneve", OVSDP_VPORT_TYPE_GENEVE },
	[OVSDP_TUNNEL_GRE] = { "gre", "gretap", OVSDP_VPORT_TYPE_GRE },
	[OVSDP_TUNNEL_IP6GRE] = { "ip6gre", "ip6gretap", 0 },
	[OVSDP_TUNNEL_ERSPAN] = { "erspan", "erspan", 0 },
	[OVSDP_TUNNEL_IP6ERSPAN] = { "ip6erspan", "ip6erspan", 0 },
	[OVSDP_TUNNEL_BAREUDP] = { "bareudp", "bareudp", 0 },
};

OVSDP_EXPORT const char *
ovsdp_tunnel_kind_str(uint32_t kind)
{
	return kind < G_N_ELEMENTS(kinds) ? kinds[kind].name : "unknown";
}

OVSDP_EXPORT int
ovsdp_tunnel_kind_from_str(const char *name)
{
	for (unsigned int i = 1; name && i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(name, kinds[i].name))
			return (int)i;
	return -EINVAL;
}

OVSDP_EXPORT const char *
ovsdp_tunnel_via_str(uint32_t via)
{
	return via == OVSDP_TUNNEL_VIA_RTNETLINK ? "rtnetlink" :
	       via == OVSDP_TUNNEL_VIA_LEGACY ? "legacy" :
	       via == OVSDP_TUNNEL_VIA_AUTO ? "auto" : "unknown";
}

/* A route socket that reports the kernel's extended-ack text. */
static struct nl_sock *
route_open(int *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk) {
		*err = -ENOMEM;
		return NULL;
	}
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		*err = -EPROTO;
		return NULL;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	return sk;
}

struct ack {
	int err;                 /* 1 until the ack or error arrives */
	char kmsg[160];
	void (*on_msg)(struct nl_msg *, void *);
	void *arg;
};

static int
ack_error_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct ack *a = arg;
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	const char *k = ovsdp_nl_ext_ack(nlh);

	(void)who;
	a->err = e->error;
	if (k)
		g_strlcpy(a->kmsg, k, sizeof a->kmsg);
	return NL_STOP;
}

static int
ack_cb(struct nl_msg *m, void *arg)
{
	(void)m;
	((struct ack *)arg)->err = 0;
	return NL_STOP;
}

static int
valid_cb(struct nl_msg *m, void *arg)
{
	struct ack *a = arg;

	if (a->on_msg)
		a->on_msg(m, a->arg);
	return NL_OK;
}

/* Send 'm' (freed) and wait for its ack: 0, or the kernel's -errno with
 * its text in a->kmsg. */
static int
route_transact(struct nl_sock *sk, struct nl_msg *m, struct ack *a)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r;

	a->err = 1;
	a->kmsg[0] = '\0';
	if (!cb) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, ack_error_cb, a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, a);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, a);
	nlmsg_hdr(m)->nlmsg_flags |= NLM_F_ACK;
	r = nl_send_auto(sk, m);
	nlmsg_free(m);
	while (r >= 0 && a->err == 1)
		r = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (a->err == 1)
		return -EIO;
	return a->err;
}

/* RTM_NEWLINK for the kinds libnl has no collect_md setter for: the
 * header from libnl's link object, IFLA_LINKINFO built with nl_msg. */
static int
build_raw(struct rtnl_link *link, const struct ovsdp_tunnel_spec *spec, struct nl_msg **out)
{
	struct nlattr *info, *data;
	struct nl_msg *m;
	int r = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &m);

	if (r < 0)
		return -ENOMEM;
	if (!(info = nla_nest_start(m, IFLA_LINKINFO)) ||
	    nla_put_string(m, IFLA_INFO_KIND, kinds[spec->kind].device_kind) < 0 ||
	    !(data = nla_nest_start(m, IFLA_INFO_DATA)))
		goto nomem;
	if (spec->kind == OVSDP_TUNNEL_BAREUDP) {
		/* bareudp is always external; port and payload are needed. */
		if (nla_put_u16(m, IFLA_BAREUDP_PORT, htons(spec->dst_port)) < 0 ||
		    nla_put_u16(m, IFLA_BAREUDP_ETHERTYPE, htons(spec->ethertype)) < 0)
			goto nomem;
	} else if (nla_put_flag(m, IFLA_GRE_COLLECT_METADATA) < 0) {
		goto nomem;
	}
	nla_nest_end(m, data);
	nla_nest_end(m, info);
	*out = m;
	return 0;
nomem:
	nlmsg_free(m);
	return -ENOMEM;
}

/* Create the device: 0, or -errno with the kernel's text in a->kmsg. */
static int
create_device(struct nl_sock *sk, const struct ovsdp_tunnel_spec *spec, struct ack *a)
{
	struct rtnl_link *link;
	struct nl_msg *m = NULL;
	int r;

	if (spec->kind == OVSDP_TUNNEL_VXLAN) {
		link = rtnl_link_vxlan_alloc();
		if (link) {
			rtnl_link_vxlan_set_collect_metadata(link, 1);
			rtnl_link_vxlan_set_learning(link, 0);
			rtnl_link_vxlan_set_udp_zero_csum6_rx(link, 1);
			rtnl_link_vxlan_set_port(link, spec->dst_port ? spec->dst_port : VXLAN_PORT);
			if (spec->gbp)
				rtnl_link_vxlan_set_flags(link, RTNL_LINK_VXLAN_F_GBP, 1);
		}
	} else if (spec->kind == OVSDP_TUNNEL_GENEVE) {
		link = rtnl_link_geneve_alloc();
		if (link) {
			rtnl_link_geneve_set_flags(link, RTNL_LINK_GENEVE_F_COLLECT_METADATA, 1);
			rtnl_link_geneve_set_udp_zero_csum6_rx(link, 1);
			rtnl_link_geneve_set_port(link, spec->dst_port ? spec->dst_port : GENEVE_PORT);
		}
	} else {
		link = rtnl_link_alloc();
	}
	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, spec->name);
	rtnl_link_set_mtu(link, TUNNEL_MTU);
	if (spec->kind == OVSDP_TUNNEL_VXLAN || spec->kind == OVSDP_TUNNEL_GENEVE)
		r = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &m) < 0
			? -ENOMEM : 0;
	else
		r = build_raw(link, spec, &m);
	rtnl_link_put(link);
	if (r < 0)
		return r;
	return route_transact(sk, m, a);
}

/* Bring the new device up and mark it ours (an alias is not applied at
 * creation, so a second request). */
static int
finish_device(struct nl_sock *sk, const char *name, struct ack *a)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, 0);

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m, IFLA_IFNAME, name) < 0 ||
	    nla_put_string(m, IFLA_IFALIAS, OVSDP_TUNNEL_ALIAS) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	return route_transact(sk, m, a);
}

static int
delete_device(struct nl_sock *sk, const char *name, int ifindex, struct ack *a)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_DELLINK, 0);

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
	    (name && nla_put_string(m, IFLA_IFNAME, name) < 0)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	return route_transact(sk, m, a);
}

/* The device side, for tunnel-port.c (datapath-internal.h). */
const char *
ovsdp_tunnel_device_kind(uint32_t kind)
{
	return kind < G_N_ELEMENTS(kinds) ? kinds[kind].device_kind : NULL;
}

uint32_t
ovsdp_tunnel_legacy_type(uint32_t kind)
{
	return kind < G_N_ELEMENTS(kinds) ? kinds[kind].legacy : 0;
}

int
ovsdp_tunnel_device_add(const struct ovsdp_tunnel_spec *spec, enum ovsdp_tunnel_step *step,
			char *kmsg, size_t len)
{
	struct ack a = { 0 };
	struct nl_sock *sk;
	int r;

	*step = OVSDP_TUNNEL_STEP_SOCKET;
	if (!(sk = route_open(&r)))
		return r;
	*step = OVSDP_TUNNEL_STEP_CREATE;
	r = create_device(sk, spec, &a);
	if (r == 0) {
		*step = OVSDP_TUNNEL_STEP_UP;
		r = finish_device(sk, spec->name, &a);
		if (r < 0) {
			struct ack d;

			delete_device(sk, spec->name, 0, &d);
		}
	}
	nl_socket_free(sk);
	if (r < 0 && kmsg)
		g_strlcpy(kmsg, a.kmsg, len);
	return r;
}

void
ovsdp_tunnel_device_del(const char *name)
{
	struct ack a = { 0 };
	struct nl_sock *sk;
	int r;

	if (!(sk = route_open(&r)))
		return;
	delete_device(sk, name, 0, &a);
	nl_socket_free(sk);
}

/* Reading a device back. */
struct link_read {
	int ifindex;
	bool found;
	struct ovsdp_tunnel_info *t;
};

static uint16_t
be16_attr(const struct nlattr *a)
{
	return a && nla_len(a) >= 2 ? ntohs(nla_get_u16((struct nlattr *)a)) : 0;
}

static void
link_read_cb(struct nl_msg *m, void *arg)
{
	struct link_read *lr = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *d[32];
	struct ovsdp_tunnel_info *t = lr->t;
	const struct ifinfomsg *ifi;
	const char *k;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(nlh, sizeof *ifi, tb, IFLA_MAX, NULL) < 0)
		return;
	ifi = nlmsg_data(nlh);
	if (ifi->ifi_index != lr->ifindex || !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !li[IFLA_INFO_KIND])
		return;
	k = nla_get_string(li[IFLA_INFO_KIND]);
	for (unsigned int i = 1; i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(k, kinds[i].device_kind))
			t->kind = i;
	if (!t->kind)
		return;
	lr->found = true;
	t->via = OVSDP_TUNNEL_VIA_RTNETLINK;
	g_strlcpy(t->device_kind, k, sizeof t->device_kind);
	t->ours = tb[IFLA_IFALIAS] && !strcmp(nla_get_string(tb[IFLA_IFALIAS]),
					      OVSDP_TUNNEL_ALIAS);
	memset(d, 0, sizeof d);
	if (li[IFLA_INFO_DATA] && nla_parse_nested(d, 31, li[IFLA_INFO_DATA], NULL) < 0)
		return;
	switch (t->kind) {
	case OVSDP_TUNNEL_VXLAN:
		t->external = d[IFLA_VXLAN_COLLECT_METADATA] &&
			      nla_get_u8(d[IFLA_VXLAN_COLLECT_METADATA]);
		t->gbp = d[IFLA_VXLAN_GBP] != NULL;
		t->has_dst_port = d[IFLA_VXLAN_PORT] != NULL;
		t->dst_port = be16_attr(d[IFLA_VXLAN_PORT]);
		break;
	case OVSDP_TUNNEL_GENEVE:
		t->external = d[IFLA_GENEVE_COLLECT_METADATA] != NULL;
		t->has_dst_port = d[IFLA_GENEVE_PORT] != NULL;
		t->dst_port = be16_attr(d[IFLA_GENEVE_PORT]);
		break;
	case OVSDP_TUNNEL_BAREUDP:
		t->external = true;
		t->has_dst_port = d[IFLA_BAREUDP_PORT] != NULL;
		t->dst_port = be16_attr(d[IFLA_BAREUDP_PORT]);
		t->ethertype = be16_attr(d[IFLA_BAREUDP_ETHERTYPE]);
		break;
	default:
		t->external = d[IFLA_GRE_COLLECT_METADATA] != NULL;
		break;
	}
}

/* The tunnel device 'ifindex' (or 'name'): 1 when it is one, 0 when not. */
static int
read_device(struct nl_sock *sk, int ifindex, struct ovsdp_tunnel_info *t, struct ack *a)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct link_read lr = { ifindex, false, t };
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int r;

	if (!m)
		return -ENOMEM;
	if (nlmsg_append(m, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	a->on_msg = link_read_cb;
	a->arg = &lr;
	r = route_transact(sk, m, a);
	a->on_msg = NULL;
	return r < 0 ? r : lr.found;
}

OVSDP_EXPORT int
ovsdp_tunnel_get(const struct ovsdp_vport_info *port, struct ovsdp_tunnel_info *out,
		 GError **error)
{
	struct ack a = { 0 };
	struct nl_sock *sk;
	int r;

	if (!port || !out)
		return ovsdp_set_error(error, -EINVAL, NULL, "reading a tunnel: bad arguments");
	memset(out, 0, sizeof *out);
	switch (port->type) {
	case OVSDP_VPORT_TYPE_VXLAN:
	case OVSDP_VPORT_TYPE_GENEVE:
	case OVSDP_VPORT_TYPE_GRE:
		out->kind = port->type == OVSDP_VPORT_TYPE_VXLAN ? OVSDP_TUNNEL_VXLAN :
			    port->type == OVSDP_VPORT_TYPE_GENEVE ? OVSDP_TUNNEL_GENEVE :
			    OVSDP_TUNNEL_GRE;
		out->via = OVSDP_TUNNEL_VIA_LEGACY;
		out->external = true;
		out->ours = true;
		out->has_dst_port = port->has_dst_port;
		out->dst_port = port->dst_port;
		return 1;
	case OVSDP_VPORT_TYPE_NETDEV:
		break;
	default:
		return 0;
	}
	/* A device in another namespace cannot be read from here. */
	if (port->has_netnsid || port->ifindex <= 0)
		return 0;
	if (!(sk = route_open(&r)))
		return ovsdp_set_error(error, r, NULL, "reading the device of port %s",
				       port->name);
	r = read_device(sk, port->ifindex, out, &a);
	nl_socket_free(sk);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return ovsdp_set_error(error, r, a.kmsg, "reading the device of port %s",
				       port->name);
	return r;
}

int
ovsdp_tunnel_device_cleanup(const struct ovsdp_vport_info *port, char *kmsg, size_t len)
{
	struct ovsdp_tunnel_info t;
	struct ack a = { 0 };
	struct nl_sock *sk;
	int r;

	if (port->type != OVSDP_VPORT_TYPE_NETDEV || port->has_netnsid || port->ifindex <= 0)
		return 0;
	if (!(sk = route_open(&r)))
		return r;
	memset(&t, 0, sizeof t);
	r = read_device(sk, port->ifindex, &t, &a);
	if (r == 1 && t.ours)
		r = delete_device(sk, NULL, port->ifindex, &a);
	else if (r == -ENODEV)
		r = 0;
	nl_socket_free(sk);
	if (r < 0 && kmsg)
		g_strlcpy(kmsg, a.kmsg, len);
	return r < 0 ? r : 0;
}
