/* dpif-ovsdp.c: Open vSwitch's datapath interface (struct dpif_class, type
 * "ovsdp") served by libovsdp, part of the ovsdp project (contrib/ovs/).
 *
 * contrib/ovs/build copies this file into an Open vSwitch source tree as
 * lib/dpif-ovsdp.c and contrib/ovs/ovsdp-dpif.patch registers it.  It uses
 * only libovsdp's public API (the ovsdp/ headers, pkg-config ovsdp-1).  Keys,
 * masks and actions are OVS's own netlink attributes: they are handed to
 * libovsdp's raw-attribute calls unchanged, and what the kernel reports is
 * handed back to OVS unchanged.
 *
 * Upcalls: OVS's handler threads pull (recv(handler_id) and recv_wait()).
 * They drive libovsdp's handler runtime in pull mode (libovsdp 1.2): the
 * runtime runs the dispatch plugin plugins.conf chooses (legacy, per-vport,
 * per-cpu or a vendor's), and OVS's handler thread i polls the runtime's
 * pull fd for handler i and pulls; the runtime's callback, on that thread,
 * copies each upcall into handler i's queue, which recv() empties.
 * ovs-appctl ovsdp/dispatch-show and ovsdp/dispatch-set switch plugins
 * live (docs/open-vswitch.md). */

#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ovsdp/config.h>
#include <ovsdp/ct-limit.h>
#include <ovsdp/datapath.h>
#include <ovsdp/features.h>
#include <ovsdp/flow.h>
#include <ovsdp/handlers.h>
#include <ovsdp/meter.h>
#include <ovsdp/operate.h>
#include <ovsdp/packet.h>
#include <ovsdp/plugin.h>
#include <ovsdp/tunnel.h>
#include <ovsdp/upcall.h>
#include <ovsdp/vport.h>

#include "ct-dpif.h"
#include "dp-packet.h"
#include "dpif-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "netdev.h"
#include "netdev-vport.h"
#include "netlink-conntrack.h"
#include "netlink.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "packets.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "sset.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dpif_ovsdp);

static struct vlog_rate_limit ovsdp_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* An upcall the runtime's callback copied for recv(): 'upcall' points
 * into 'buf'. */
struct ovsdp_dpif_item {
	struct ovs_list node;
	struct dpif_upcall upcall;
	struct ofpbuf buf;
};

/* What OVS's handler thread i has received and not yet taken. */
struct ovsdp_dpif_queue {
	struct ovs_list items;          /* struct ovsdp_dpif_item */
};

struct ovsdp_dpif {
	struct dpif dpif;
	struct ovsdp_dp *dp;
	int dp_ifindex;
	struct ovs_list node;           /* in ovsdp_dpifs */

	/* Upcalls: the handler runtime in pull mode, made when OVS turns
	 * receiving on.  'lock' for writing around making, resizing,
	 * switching and freeing it; for reading around pulls. */
	struct ovs_rwlock lock;
	bool recv_enabled;
	uint32_t n_handlers;            /* what OVS asked for (>= 1) */
	struct ovsdp_config *config;    /* plugins.conf, loaded with the runtime */
	struct ovsdp_plugins *plugins;
	struct ovsdp_handlers *hs;      /* NULL while receiving is off */
	struct ovsdp_dpif_queue *queues; /* n_queues, one per handler index */
	uint32_t n_queues;

	/* Port change notifications (port_poll). */
	struct ovs_mutex poll_mutex;
	struct ovsdp_monitor *monitor;
	bool poll_resync;               /* report ENOBUFS once */
};

/* Every open ovsdp dpif, for ovs-appctl ovsdp/dispatch-*. */
static struct ovs_mutex ovsdp_dpifs_mutex = OVS_MUTEX_INITIALIZER;
static struct ovs_list ovsdp_dpifs OVS_GUARDED_BY(ovsdp_dpifs_mutex)
	= OVS_LIST_INITIALIZER(&ovsdp_dpifs);

static void
ovsdp_dpif_unregister(struct ovsdp_dpif *d)
{
	ovs_mutex_lock(&ovsdp_dpifs_mutex);
	ovs_list_remove(&d->node);
	ovs_mutex_unlock(&ovsdp_dpifs_mutex);
}

static struct ovsdp_dpif *
ovsdp_dpif_cast(const struct dpif *dpif)
{
	return CONTAINER_OF(dpif, struct ovsdp_dpif, dpif);
}

/* A libovsdp result (negative errno, 0, or a count) as OVS wants it: a
 * positive errno, with the library's message logged. */
static int
ovsdp_dpif_error(int ret, GError *gerr, const char *what)
{
	int err = ret < 0 ? -ret : 0;

	if (err && gerr) {
		VLOG_WARN_RL(&ovsdp_rl, "%s: %s", what, gerr->message);
	}
	if (gerr) {
		g_error_free(gerr);
	}
	return err;
}

static void
ufid_to_ovsdp(const ovs_u128 *in, struct ovsdp_ufid *out)
{
	memcpy(out->u32, in->u32, sizeof out->u32);
}

static void
ufid_from_ovsdp(const struct ovsdp_ufid *in, ovs_u128 *out)
{
	memcpy(out->u32, in->u32, sizeof out->u32);
}

static void
stats_from_ovsdp(const struct ovsdp_flow_stats *in, struct dpif_flow_stats *out)
{
	memset(out, 0, sizeof *out);
	out->n_packets = in->n_packets;
	out->n_bytes = in->n_bytes;
	out->used = in->used_ms;
	out->tcp_flags = in->tcp_flags;
}

/* Datapaths. */

static int
ovsdp_dpif_enumerate(struct sset *all_dps, const struct dpif_class *class)
{
	/* Under its own name the provider leaves "ovs-system" to the stock
	 * type; serving "system" (OVSDP_DPIF_SYSTEM=ovsdp) it lists all. */
	bool skip_system = !strcmp(class->type, "ovsdp");
	struct ovsdp_dp_info *infos = NULL;
	GError *gerr = NULL;
	int n = ovsdp_dp_list(&infos, &gerr);

	if (n < 0) {
		return ovsdp_dpif_error(n, gerr, "enumerate datapaths");
	}
	for (int i = 0; i < n; i++) {
		if (!skip_system || strcmp(infos[i].name, "ovs-system")) {
			sset_add(all_dps, infos[i].name);
		}
	}
	g_free(infos);
	return 0;
}

static int
ovsdp_dpif_open(const struct dpif_class *class, const char *name, bool create,
		struct dpif **dpifp)
{
	struct ovsdp_dp *dp = NULL;
	GError *gerr = NULL;
	int ret;

	if (create) {
		ret = ovsdp_dp_create(name, 0, OVSDP_DP_F_DEFAULT, &dp, &gerr);
		if (ret == -EEXIST) {
			g_clear_error(&gerr);
			ret = ovsdp_dp_open(name, &dp, &gerr);
		}
	} else {
		ret = ovsdp_dp_open(name, &dp, &gerr);
	}
	if (ret < 0) {
		/* Not finding a datapath is an ordinary answer for OVS. */
		if (ret == -ENODEV && !create) {
			g_clear_error(&gerr);
		}
		return ovsdp_dpif_error(ret, gerr, name);
	}
	struct ovsdp_dpif *d = xzalloc(sizeof *d);
	d->dp = dp;
	d->dp_ifindex = ovsdp_dp_ifindex(dp);
	d->n_handlers = 1;
	ovs_rwlock_init(&d->lock);
	ovs_mutex_init(&d->poll_mutex);
	dpif_init(&d->dpif, class, ovsdp_dp_name(dp), d->dp_ifindex >> 8, d->dp_ifindex);
	ovs_mutex_lock(&ovsdp_dpifs_mutex);
	ovs_list_push_back(&ovsdp_dpifs, &d->node);
	ovs_mutex_unlock(&ovsdp_dpifs_mutex);
	*dpifp = &d->dpif;
	return 0;
}

static void ovsdp_dpif_runtime_stop(struct ovsdp_dpif *d);

static void
ovsdp_dpif_close(struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);

	ovsdp_dpif_unregister(d);
	ovs_rwlock_wrlock(&d->lock);
	ovsdp_dpif_runtime_stop(d);
	ovs_rwlock_unlock(&d->lock);
	ovsdp_monitor_close(d->monitor);
	ovsdp_dp_close(d->dp);
	ovs_rwlock_destroy(&d->lock);
	ovs_mutex_destroy(&d->poll_mutex);
	free(d);
}

static int
ovsdp_dpif_destroy(struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	GError *gerr = NULL;

	return ovsdp_dpif_error(ovsdp_dp_del(d->dp, &gerr), gerr, dpif_name(dpif));
}

static int
ovsdp_dpif_get_stats(const struct dpif *dpif, struct dpif_dp_stats *stats)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_dp_info info;
	GError *gerr = NULL;
	int ret = ovsdp_dp_get_info(d->dp, &info, &gerr);

	if (ret < 0) {
		return ovsdp_dpif_error(ret, gerr, dpif_name(dpif));
	}
	memset(stats, 0, sizeof *stats);
	stats->n_hit = info.stats.n_hit;
	stats->n_missed = info.stats.n_missed;
	stats->n_lost = info.stats.n_lost;
	stats->n_flows = info.stats.n_flows;
	if (info.stats.has_megaflow_stats) {
		stats->n_mask_hit = info.stats.n_mask_hit;
		stats->n_masks = info.stats.n_masks;
		stats->n_cache_hit = info.stats.n_cache_hit;
	} else {
		stats->n_mask_hit = UINT64_MAX;
		stats->n_masks = UINT32_MAX;
		stats->n_cache_hit = UINT64_MAX;
	}
	return 0;
}

static int
ovsdp_dpif_set_features(struct dpif *dpif, uint32_t user_features)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	GError *gerr = NULL;

	/* Per-cpu dispatch is this provider's choice, not the caller's. */
	user_features &= ~OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU;
	return ovsdp_dpif_error(ovsdp_dp_set_user_features(d->dp, user_features, &gerr), gerr,
				dpif_name(dpif));
}

/* Ports. */

static const char *
ovsdp_dpif_port_type(uint32_t type, const char *name)
{
	const char *netdev_type;

	switch (type) {
	case OVSDP_VPORT_TYPE_NETDEV:
		/* A device OVS opened itself (a tunnel's vxlan_sys_4789, a
		 * tap) keeps the type OVS knows it by. */
		netdev_type = netdev_get_type_from_name(name);
		return netdev_type ? netdev_type : "system";
	case OVSDP_VPORT_TYPE_INTERNAL:
		return "internal";
	default:
		return ovsdp_vport_type_str(type);
	}
}

/* A tunnel port as dpif-netlink makes it: a device in external mode,
 * named as OVS names the datapath port (vxlan_sys_4789...), added as a
 * netdev port; libovsdp falls back to the legacy vport type where the
 * kernel has no such device. */
static void
ovsdp_dpif_tunnel_spec(const struct netdev *netdev, int kind, char *namebuf, size_t size,
		       struct ovsdp_tunnel_spec *spec)
{
	const struct netdev_tunnel_config *cfg = netdev_get_tunnel_config(netdev);

	spec->kind = kind;
	spec->name = netdev_vport_get_dpif_port(netdev, namebuf, size);
	if (cfg) {
		spec->dst_port = ntohs(cfg->dst_port);
		spec->gbp = kind == OVSDP_TUNNEL_VXLAN && (cfg->exts & (1u << OVS_VXLAN_EXT_GBP));
	}
}

static int
ovsdp_dpif_port_add(struct dpif *dpif, struct netdev *netdev, odp_port_t *port_nop)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	const char *name = netdev_get_name(netdev);
	const char *type = netdev_get_type(netdev);
	int kind = ovsdp_tunnel_kind_from_str(type);
	char namebuf[NETDEV_VPORT_NAME_BUFSIZE];
	struct ovsdp_vport_spec spec = { .name = name };
	struct ovsdp_tunnel_spec tspec = { .name = NULL };
	struct ovsdp_vport_info info;
	GError *gerr = NULL;
	uint32_t pid = 0;
	int ret;

	if (!strcmp(type, "system") || !strcmp(type, "tap")) {
		spec.type = OVSDP_VPORT_TYPE_NETDEV;
	} else if (!strcmp(type, "internal")) {
		spec.type = OVSDP_VPORT_TYPE_INTERNAL;
	} else if (kind > 0) {
		ovsdp_dpif_tunnel_spec(netdev, kind, namebuf, sizeof namebuf, &tspec);
		name = tspec.name;
	} else {
		VLOG_WARN_RL(&ovsdp_rl, "%s: port %s: type %s is not supported by the ovsdp "
			     "datapath type yet", dpif_name(dpif), name, type);
		return EOPNOTSUPP;
	}
	if (*port_nop != ODPP_NONE) {
		spec.port_no = tspec.port_no = odp_to_u32(*port_nop);
	}

	/* A miss on the new port goes to the running plugin's first socket
	 * until the plugin gives the port sockets of its own (port_added). */
	ovs_rwlock_rdlock(&d->lock);
	if (d->hs) {
		pid = ovsdp_handlers_new_port_pid(d->hs);
	}
	spec.upcall_pids = tspec.upcall_pids = &pid;
	spec.n_upcall_pids = tspec.n_upcall_pids = 1;
	if (tspec.name) {
		ret = ovsdp_tunnel_add(d->dp, &tspec, &info, NULL, &gerr);
	} else {
		ret = ovsdp_vport_add(d->dp, &spec, &info, &gerr);
	}
	if (ret >= 0 && d->hs) {
		GError *perr = NULL;
		int r = ovsdp_handlers_port_added(d->hs, info.port_no, &perr);

		ovsdp_dpif_error(r, perr, name);
	}
	ovs_rwlock_unlock(&d->lock);
	if (ret < 0) {
		return ovsdp_dpif_error(ret, gerr, name);
	}
	*port_nop = u32_to_odp(info.port_no);
	return 0;
}

static int
ovsdp_dpif_port_del(struct dpif *dpif, odp_port_t port_no)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	GError *gerr = NULL;
	int ret = ovsdp_vport_del(d->dp, odp_to_u32(port_no), &gerr);

	ovs_rwlock_rdlock(&d->lock);
	if (ret >= 0 && d->hs) {
		ovsdp_handlers_port_deleted(d->hs, odp_to_u32(port_no));
	}
	ovs_rwlock_unlock(&d->lock);
	return ovsdp_dpif_error(ret, gerr, dpif_name(dpif));
}

static void
ovsdp_dpif_port_fill(const struct ovsdp_vport_info *info, struct dpif_port *port)
{
	port->name = xstrdup(info->name);
	port->type = xstrdup(ovsdp_dpif_port_type(info->type, info->name));
	port->port_no = u32_to_odp(info->port_no);
}

static int
ovsdp_dpif_port_query_by_number(const struct dpif *dpif, odp_port_t port_no,
				struct dpif_port *port)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_vport_info info;
	GError *gerr = NULL;
	int ret = ovsdp_vport_get(d->dp, odp_to_u32(port_no), &info, &gerr);

	if (ret < 0) {
		if (ret == -ENODEV || ret == -ENOENT) {
			g_clear_error(&gerr);
			return ENODEV;
		}
		return ovsdp_dpif_error(ret, gerr, dpif_name(dpif));
	}
	if (port) {
		ovsdp_dpif_port_fill(&info, port);
	}
	return 0;
}

static int
ovsdp_dpif_port_query_by_name(const struct dpif *dpif, const char *devname,
			      struct dpif_port *port)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_vport_info info;
	GError *gerr = NULL;
	int ret = ovsdp_vport_get_by_name(d->dp, devname, &info, &gerr);

	if (ret < 0) {
		if (ret == -ENODEV || ret == -ENOENT) {
			g_clear_error(&gerr);
			return ENODEV;
		}
		return ovsdp_dpif_error(ret, gerr, devname);
	}
	/* A port of another datapath with that name is not ours. */
	if (info.dp_ifindex && info.dp_ifindex != d->dp_ifindex) {
		return ENODEV;
	}
	if (port) {
		ovsdp_dpif_port_fill(&info, port);
	}
	return 0;
}

static uint32_t
ovsdp_dpif_port_get_pid(const struct dpif *dpif, odp_port_t port_no)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	uint32_t pid = 0;

	ovs_rwlock_rdlock(&d->lock);
	if (d->hs) {
		pid = ovsdp_handlers_port_get_pid(d->hs, odp_to_u32(port_no));
	}
	ovs_rwlock_unlock(&d->lock);
	return pid;
}

struct ovsdp_port_dump {
	struct ovsdp_vport_info *ports;
	int n, next;
	struct dpif_port cur;           /* strings owned by the dump */
};

static int
ovsdp_dpif_port_dump_start(const struct dpif *dpif, void **statep)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_port_dump *s = xzalloc(sizeof *s);
	GError *gerr = NULL;
	int n = ovsdp_vport_list(d->dp, &s->ports, &gerr);

	if (n == -ENODEV) {
		/* The datapath is gone (deleted under OVS, or by destroy
		 * before the last dump): it has no ports. */
		g_clear_error(&gerr);
		n = 0;
	} else if (n < 0) {
		free(s);
		return ovsdp_dpif_error(n, gerr, dpif_name(dpif));
	}
	s->n = n;
	*statep = s;
	return 0;
}

static int
ovsdp_dpif_port_dump_next(const struct dpif *dpif OVS_UNUSED, void *state,
			  struct dpif_port *port)
{
	struct ovsdp_port_dump *s = state;

	free(s->cur.name);
	free(s->cur.type);
	s->cur.name = s->cur.type = NULL;
	if (s->next >= s->n) {
		return EOF;
	}
	ovsdp_dpif_port_fill(&s->ports[s->next++], &s->cur);
	*port = s->cur;
	return 0;
}

static int
ovsdp_dpif_port_dump_done(const struct dpif *dpif OVS_UNUSED, void *state)
{
	struct ovsdp_port_dump *s = state;

	free(s->cur.name);
	free(s->cur.type);
	g_free(s->ports);
	free(s);
	return 0;
}

/* Opens the vport monitor on first use.  Caller holds poll_mutex. */
static int
ovsdp_dpif_monitor(struct ovsdp_dpif *d)
{
	GError *gerr = NULL;
	int ret;

	if (d->monitor) {
		return 0;
	}
	ret = ovsdp_monitor_open(OVSDP_MONITOR_VPORTS, &d->monitor, &gerr);
	if (ret < 0) {
		return ovsdp_dpif_error(ret, gerr, "vport monitor");
	}
	/* Changes before the monitor existed are unknown: resynchronise. */
	d->poll_resync = true;
	return 0;
}

static int
ovsdp_dpif_port_poll(const struct dpif *dpif, char **devnamep)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	int err;

	ovs_mutex_lock(&d->poll_mutex);
	err = ovsdp_dpif_monitor(d);
	if (!err && d->poll_resync) {
		d->poll_resync = false;
		err = ENOBUFS;
	}
	while (!err) {
		struct ovsdp_event ev;
		GError *gerr = NULL;
		int ret = ovsdp_monitor_next(d->monitor, &ev, &gerr);

		if (ret == -EAGAIN) {
			g_clear_error(&gerr);
			err = EAGAIN;
		} else if (ret == -ENOBUFS) {
			g_clear_error(&gerr);
			err = ENOBUFS;
		} else if (ret < 0) {
			err = ovsdp_dpif_error(ret, gerr, "vport monitor");
		} else if (ev.dp_ifindex == d->dp_ifindex) {
			*devnamep = xstrdup(ev.name);
			break;
		}
	}
	ovs_mutex_unlock(&d->poll_mutex);
	return err;
}

static void
ovsdp_dpif_port_poll_wait(const struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);

	ovs_mutex_lock(&d->poll_mutex);
	if (ovsdp_dpif_monitor(d) || d->poll_resync) {
		poll_immediate_wake();
	} else {
		poll_fd_wait(ovsdp_monitor_fd(d->monitor), POLLIN);
	}
	ovs_mutex_unlock(&d->poll_mutex);
}

/* Flows. */

static int
ovsdp_dpif_flow_flush(struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	GError *gerr = NULL;

	return ovsdp_dpif_error(ovsdp_flow_flush(d->dp, &gerr), gerr, dpif_name(dpif));
}

struct ovsdp_flow_dump_state {
	struct dpif_flow_dump up;
	struct ovs_mutex mutex;
	struct ovsdp_flow_dump *dump;   /* NULL once finished */
	int error;
};

struct ovsdp_flow_dump_thread {
	struct dpif_flow_dump_thread up;
	struct ovsdp_flow_dump_state *state;
	struct ofpbuf **bufs;           /* one per flow returned by the last call */
	int n_bufs;
};

static struct dpif_flow_dump *
ovsdp_dpif_flow_dump_create(const struct dpif *dpif, bool terse,
			    struct dpif_flow_dump_types *types OVS_UNUSED)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_flow_dump_state *s = xzalloc(sizeof *s);
	GError *gerr = NULL;
	int ret;

	dpif_flow_dump_init(&s->up, dpif);
	s->up.terse = terse;
	ovs_mutex_init(&s->mutex);
	ret = ovsdp_flow_dump_start(d->dp, terse ? OVSDP_FLOW_DUMP_TERSE : 0, &s->dump, &gerr);
	if (ret < 0) {
		s->error = ovsdp_dpif_error(ret, gerr, dpif_name(dpif));
		s->dump = NULL;
	}
	return &s->up;
}

static int
ovsdp_dpif_flow_dump_destroy(struct dpif_flow_dump *up)
{
	struct ovsdp_flow_dump_state *s = CONTAINER_OF(up, struct ovsdp_flow_dump_state, up);
	int error = s->error;

	ovsdp_flow_dump_free(s->dump);
	ovs_mutex_destroy(&s->mutex);
	free(s);
	return error;
}

static struct dpif_flow_dump_thread *
ovsdp_dpif_flow_dump_thread_create(struct dpif_flow_dump *up)
{
	struct ovsdp_flow_dump_state *s = CONTAINER_OF(up, struct ovsdp_flow_dump_state, up);
	struct ovsdp_flow_dump_thread *t = xzalloc(sizeof *t);

	dpif_flow_dump_thread_init(&t->up, up);
	t->state = s;
	return &t->up;
}

static void
ovsdp_dump_thread_release(struct ovsdp_flow_dump_thread *t)
{
	for (int i = 0; i < t->n_bufs; i++) {
		ofpbuf_delete(t->bufs[i]);
	}
	free(t->bufs);
	t->bufs = NULL;
	t->n_bufs = 0;
}

static void
ovsdp_dpif_flow_dump_thread_destroy(struct dpif_flow_dump_thread *up)
{
	struct ovsdp_flow_dump_thread *t = CONTAINER_OF(up, struct ovsdp_flow_dump_thread, up);

	ovsdp_dump_thread_release(t);
	free(t);
}

/* Copies the kernel's flow into 'buf' and points 'out' at the copy. */
static void
ovsdp_flow_to_dpif(const struct ovsdp_flow *f, struct ofpbuf *buf, struct dpif_flow *out)
{
	size_t key_ofs, mask_ofs, act_ofs;

	memset(out, 0, sizeof *out);
	ofpbuf_prealloc_tailroom(buf, f->key_len + f->mask_len + f->actions_len);
	key_ofs = buf->size;
	ofpbuf_put(buf, f->key, f->key_len);
	mask_ofs = buf->size;
	if (f->mask) {
		ofpbuf_put(buf, f->mask, f->mask_len);
	}
	act_ofs = buf->size;
	ofpbuf_put(buf, f->actions, f->actions_len);

	out->key = f->key_len ? ofpbuf_at(buf, key_ofs, f->key_len) : NULL;
	out->key_len = f->key_len;
	out->mask = f->mask && f->mask_len ? ofpbuf_at(buf, mask_ofs, f->mask_len) : NULL;
	out->mask_len = f->mask ? f->mask_len : 0;
	out->actions = f->actions_len ? ofpbuf_at(buf, act_ofs, f->actions_len) : NULL;
	out->actions_len = f->actions_len;
	out->ufid_present = f->has_ufid;
	if (f->has_ufid) {
		ufid_from_ovsdp(&f->ufid, &out->ufid);
	} else if (f->key_len) {
		odp_flow_key_hash(f->key, f->key_len, &out->ufid);
	}
	out->pmd_id = PMD_ID_NULL;
	stats_from_ovsdp(&f->stats, &out->stats);
	out->attrs.offloaded = false;
	out->attrs.dp_layer = "ovs";
	out->attrs.dp_extra_info = NULL;
}

static int
ovsdp_dpif_flow_dump_next(struct dpif_flow_dump_thread *up, struct dpif_flow *flows,
			  int max_flows)
{
	struct ovsdp_flow_dump_thread *t = CONTAINER_OF(up, struct ovsdp_flow_dump_thread, up);
	struct ovsdp_flow_dump_state *s = t->state;
	int n = 0;

	ovsdp_dump_thread_release(t);
	t->bufs = xcalloc(MAX(max_flows, 1), sizeof *t->bufs);

	ovs_mutex_lock(&s->mutex);
	while (s->dump && n < max_flows) {
		const struct ovsdp_flow *f;
		GError *gerr = NULL;
		int ret = ovsdp_flow_dump_next(s->dump, &f, &gerr);

		if (ret <= 0) {
			if (ret < 0) {
				s->error = ovsdp_dpif_error(ret, gerr, "flow dump");
			}
			ovsdp_flow_dump_free(s->dump);
			s->dump = NULL;
			break;
		}
		t->bufs[t->n_bufs] = ofpbuf_new(f->key_len + f->mask_len + f->actions_len);
		ovsdp_flow_to_dpif(f, t->bufs[t->n_bufs], &flows[n]);
		t->n_bufs++;
		n++;
	}
	ovs_mutex_unlock(&s->mutex);
	return n;
}

/* operate: OVS's batch, as one ovsdp_dp_operate() call. */

struct ovsdp_op_ctx {
	struct ovsdp_op op;
	struct ovsdp_ufid ufid;
	struct ofpbuf key;              /* execute: the packet's metadata key;
					 * flows: the key without packet_type */
	struct ofpbuf mask;             /* the mask without packet_type */
	uint64_t key_stub[1024 / 8];
	uint64_t mask_stub[1024 / 8];
};

/* OVS's userspace keys may carry OVS_KEY_ATTR_PACKET_TYPE, which the
 * kernel refuses ("Key type 29 is not supported"): the kernel tells a
 * packet's type by the presence of OVS_KEY_ATTR_ETHERNET and by
 * OVS_KEY_ATTR_ETHERTYPE.  Copies 'attrs' into 'out' without it (adding
 * the ethertype of a layer-3 packet type when the key has none) and
 * points '*attrsp'/'*lenp' at the copy; leaves them alone when there is
 * no packet_type. */
static void
ovsdp_strip_packet_type(const void **attrsp, size_t *lenp, struct ofpbuf *out, bool is_mask)
{
	const struct nlattr *attrs = *attrsp, *a;
	const struct nlattr *pt = NULL;
	bool has_ethertype = false;
	size_t left;

	if (!attrs || !*lenp) {
		return;
	}
	NL_ATTR_FOR_EACH (a, left, attrs, *lenp) {
		if (nl_attr_type(a) == OVS_KEY_ATTR_PACKET_TYPE) {
			pt = a;
		} else if (nl_attr_type(a) == OVS_KEY_ATTR_ETHERTYPE) {
			has_ethertype = true;
		}
	}
	if (!pt) {
		return;
	}
	ofpbuf_clear(out);
	NL_ATTR_FOR_EACH (a, left, attrs, *lenp) {
		if (a != pt) {
			ofpbuf_put(out, a, NLA_ALIGN(a->nla_len));
		}
	}
	if (!has_ethertype && nl_attr_get_size(pt) == sizeof(ovs_be32)) {
		ovs_be32 type = nl_attr_get_be32(pt);

		if (pt_ns(type) == OFPHTN_ETHERTYPE) {
			nl_msg_put_be16(out, OVS_KEY_ATTR_ETHERTYPE,
					is_mask ? OVS_BE16_MAX : pt_ns_type_be(type));
		}
	}
	*attrsp = out->data;
	*lenp = out->size;
}

/* A delete's or a get's flow: its key (packet_type stripped into c->key)
 * and its ufid (converted into c->ufid), either of which may be absent. */
static void
set_flow_ref(struct ovsdp_op *op, struct ovsdp_op_ctx *c, const struct nlattr *key,
	     size_t key_len, const ovs_u128 *ufid)
{
	op->flow.key = key;
	op->flow.key_len = key_len;
	ovsdp_strip_packet_type(&op->flow.key, &op->flow.key_len, &c->key, false);
	if (ufid) {
		ufid_to_ovsdp(ufid, &c->ufid);
		op->flow.ufid = &c->ufid;
	}
}

static void
ovsdp_dpif_operate(struct dpif *dpif, struct dpif_op **ops, size_t n_ops,
		   enum dpif_offload_type offload_type OVS_UNUSED)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_op_ctx *ctx = xcalloc(n_ops, sizeof *ctx);
	struct ovsdp_op **list = xcalloc(n_ops, sizeof *list);
	size_t n = 0;

	for (size_t i = 0; i < n_ops; i++) {
		struct dpif_op *dop = ops[i];
		struct ovsdp_op_ctx *c = &ctx[i];
		struct ovsdp_op *op = &c->op;

		op->struct_size = sizeof *op;
		ofpbuf_use_stub(&c->key, c->key_stub, sizeof c->key_stub);
		ofpbuf_use_stub(&c->mask, c->mask_stub, sizeof c->mask_stub);
		dop->error = 0;
		switch (dop->type) {
		case DPIF_OP_FLOW_PUT: {
			const struct dpif_flow_put *p = &dop->flow_put;

			op->type = OVSDP_OP_FLOW_PUT;
			op->put.flags = (p->flags & DPIF_FP_CREATE ? OVSDP_FLOW_PUT_CREATE : 0)
					| (p->flags & DPIF_FP_MODIFY ? OVSDP_FLOW_PUT_MODIFY : 0)
					| (p->flags & DPIF_FP_ZERO_STATS ? OVSDP_FLOW_PUT_ZERO_STATS : 0);
			op->put.key = p->key;
			op->put.key_len = p->key_len;
			op->put.mask = p->mask_len ? p->mask : NULL;
			op->put.mask_len = p->mask_len;
			ovsdp_strip_packet_type(&op->put.key, &op->put.key_len, &c->key, false);
			ovsdp_strip_packet_type(&op->put.mask, &op->put.mask_len, &c->mask, true);
			op->put.actions = p->actions;
			op->put.actions_len = p->actions_len;
			if (p->ufid) {
				ufid_to_ovsdp(p->ufid, &c->ufid);
				op->put.ufid = &c->ufid;
			}
			op->flags = (p->flags & DPIF_FP_PROBE ? OVSDP_OP_PROBE : 0)
				    | (p->stats ? OVSDP_OP_STATS : 0);
			break;
		}
		case DPIF_OP_FLOW_DEL: {
			const struct dpif_flow_del *p = &dop->flow_del;

			op->type = OVSDP_OP_FLOW_DEL;
			set_flow_ref(op, c, p->key, p->key_len, p->ufid);
			op->flags = (p->terse ? OVSDP_OP_TERSE : 0) | (p->stats ? OVSDP_OP_STATS : 0);
			break;
		}
		case DPIF_OP_FLOW_GET: {
			const struct dpif_flow_get *p = &dop->flow_get;

			op->type = OVSDP_OP_FLOW_GET;
			set_flow_ref(op, c, p->key, p->key_len, p->ufid);
			break;
		}
		case DPIF_OP_EXECUTE: {
			const struct dpif_execute *p = &dop->execute;

			op->type = OVSDP_OP_EXECUTE;
			/* The key says what the datapath cannot see in the
			 * frame: input port, recirculation, tunnel... */
			odp_key_from_dp_packet(&c->key, p->packet);
			op->execute.packet = dp_packet_data(p->packet);
			op->execute.packet_len = dp_packet_size(p->packet);
			op->execute.key = c->key.data;
			op->execute.key_len = c->key.size;
			op->execute.actions = p->actions;
			op->execute.actions_len = p->actions_len;
			op->execute.mru = p->mtu;
			op->execute.has_hash = p->hash != 0;
			op->execute.hash = p->hash;
			op->execute.probe = p->probe;
			op->flags = p->probe ? OVSDP_OP_PROBE : 0;
			break;
		}
		default:
			dop->error = EOPNOTSUPP;
			continue;
		}
		list[n++] = op;
	}

	if (n) {
		GError *gerr = NULL;
		int ret = ovsdp_dp_operate(d->dp, list, n, &gerr);

		if (gerr) {
			/* dpif.c logs every failed op; this adds the kernel's
			 * reason, worth a warning unless the flow was just missing
			 * or already there (revalidators race with flushes), or
			 * the op was an execute: dpif.c's own warning names the
			 * packet ("execute ... failed (ERR) on packet ..."), and
			 * OVS's tests filter that one when they provoke it (a
			 * conntrack zone at its limit answers -ENOMEM). */
			bool execute = false;

			for (size_t i = 0; i < n; i++) {
				if (list[i]->error == ret && !(list[i]->flags & OVSDP_OP_PROBE)) {
					execute = list[i]->type == OVSDP_OP_EXECUTE;
					break;
				}
			}
			if (ret == -ENOENT || ret == -EEXIST || execute) {
				VLOG_DBG_RL(&ovsdp_rl, "%s: operate: %s", dpif_name(dpif),
					    gerr->message);
			} else {
				VLOG_WARN_RL(&ovsdp_rl, "%s: operate: %s", dpif_name(dpif),
					     gerr->message);
			}
			g_error_free(gerr);
		}
	}

	for (size_t i = 0; i < n_ops; i++) {
		struct dpif_op *dop = ops[i];
		struct ovsdp_op *op = &ctx[i].op;

		if (op->type == 0) {
			ofpbuf_uninit(&ctx[i].key);
			ofpbuf_uninit(&ctx[i].mask);
			continue;
		}
		dop->error = op->error < 0 ? -op->error : 0;
		switch (dop->type) {
		case DPIF_OP_FLOW_PUT:
			if (dop->flow_put.stats) {
				if (!dop->error) {
					stats_from_ovsdp(&op->stats, dop->flow_put.stats);
				} else {
					memset(dop->flow_put.stats, 0, sizeof *dop->flow_put.stats);
				}
			}
			break;
		case DPIF_OP_FLOW_DEL:
			if (dop->flow_del.stats) {
				if (!dop->error) {
					stats_from_ovsdp(&op->stats, dop->flow_del.stats);
				} else {
					memset(dop->flow_del.stats, 0, sizeof *dop->flow_del.stats);
				}
			}
			break;
		case DPIF_OP_FLOW_GET:
			if (!dop->error) {
				ovsdp_flow_to_dpif(&op->flow_out, dop->flow_get.buffer,
						   dop->flow_get.flow);
			}
			ovsdp_flow_clear(&op->flow_out);
			break;
		case DPIF_OP_EXECUTE:
		default:
			break;
		}
		ofpbuf_uninit(&ctx[i].key);
		ofpbuf_uninit(&ctx[i].mask);
	}
	free(list);
	free(ctx);
}

/* Upcalls. */

static void
ovsdp_dpif_queue_clear(struct ovsdp_dpif_queue *q)
{
	struct ovsdp_dpif_item *it;

	LIST_FOR_EACH_POP (it, node, &q->items) {
		ofpbuf_uninit(&it->buf);
		free(it);
	}
}

/* A queue for every handler index the runtime may have (the count changes
 * with a switch to a plugin that dictates another before OVS follows, and
 * the callback must never find no queue).  Caller holds d->lock for
 * writing. */
static void
ovsdp_dpif_queues_new(struct ovsdp_dpif *d)
{
	d->n_queues = OVSDP_HANDLERS_MAX;
	d->queues = xmalloc(d->n_queues * sizeof *d->queues);
	for (uint32_t i = 0; i < d->n_queues; i++) {
		ovs_list_init(&d->queues[i].items);
	}
}

/* Caller holds d->lock for writing.  Frees the runtime: the plugin points
 * the kernel away, and what its sockets still held is delivered here (to
 * queues that go with it). */
static void
ovsdp_dpif_runtime_stop(struct ovsdp_dpif *d)
{
	ovsdp_handlers_free(d->hs);
	d->hs = NULL;
	for (uint32_t i = 0; i < d->n_queues; i++) {
		ovsdp_dpif_queue_clear(&d->queues[i]);
	}
	free(d->queues);
	d->queues = NULL;
	d->n_queues = 0;
	ovsdp_plugins_free(d->plugins);
	d->plugins = NULL;
	ovsdp_config_free(d->config);
	d->config = NULL;
}

/* Fills 'upcall' from the parsed message 'up', copying what it refers to
 * into 'buf'.  Returns 0, or EAGAIN for a message that is not for us. */
static int
ovsdp_dpif_fill_upcall(const struct ovsdp_dpif *d, const struct ovsdp_upcall *up,
		       struct dpif_upcall *upcall, struct ofpbuf *buf)
{
	size_t key_ofs, pkt_ofs, ud_ofs = SIZE_MAX, tun_ofs = SIZE_MAX, act_ofs = SIZE_MAX;
	size_t mru_ofs = SIZE_MAX, hash_ofs = SIZE_MAX, len_ofs = SIZE_MAX;

	if (up->dp_ifindex != d->dp_ifindex) {
		return EAGAIN;
	}
	memset(upcall, 0, sizeof *upcall);
	upcall->type = up->cmd == OVSDP_UPCALL_ACTION ? DPIF_UC_ACTION : DPIF_UC_MISS;

	/* Everything goes into 'buf' first (it may move), pointers after. */
	ofpbuf_clear(buf);
	ofpbuf_prealloc_tailroom(buf, up->key_len + up->packet_len + up->userdata_len
				 + up->egress_tun_key_len + up->actions_len + 128);
	key_ofs = buf->size;
	ofpbuf_put(buf, up->key, up->key_len);
	if (up->userdata) {
		ud_ofs = buf->size;
		nl_msg_put_unspec(buf, OVS_PACKET_ATTR_USERDATA, up->userdata, up->userdata_len);
	}
	if (up->egress_tun_key) {
		tun_ofs = buf->size;
		nl_msg_put_unspec(buf, OVS_PACKET_ATTR_EGRESS_TUN_KEY, up->egress_tun_key,
				  up->egress_tun_key_len);
	}
	if (up->actions) {
		act_ofs = buf->size;
		nl_msg_put_unspec(buf, OVS_PACKET_ATTR_ACTIONS, up->actions, up->actions_len);
	}
	if (up->mru) {
		mru_ofs = buf->size;
		nl_msg_put_u16(buf, OVS_PACKET_ATTR_MRU, up->mru);
	}
	if (up->has_hash) {
		hash_ofs = buf->size;
		nl_msg_put_u64(buf, OVS_PACKET_ATTR_HASH, up->hash);
	}
	if (up->has_len) {
		len_ofs = buf->size;
		nl_msg_put_u32(buf, OVS_PACKET_ATTR_LEN, up->len);
	}
	pkt_ofs = buf->size;
	ofpbuf_put(buf, up->packet, up->packet_len);

	upcall->key = ofpbuf_at_assert(buf, key_ofs, 0);
	upcall->key_len = up->key_len;
	odp_flow_key_hash(upcall->key, upcall->key_len, &upcall->ufid);
	upcall->userdata = ud_ofs != SIZE_MAX ? ofpbuf_at_assert(buf, ud_ofs, NLA_HDRLEN) : NULL;
	upcall->out_tun_key = tun_ofs != SIZE_MAX ? ofpbuf_at_assert(buf, tun_ofs, NLA_HDRLEN)
						  : NULL;
	upcall->actions = act_ofs != SIZE_MAX ? ofpbuf_at_assert(buf, act_ofs, NLA_HDRLEN) : NULL;
	upcall->mru = mru_ofs != SIZE_MAX ? ofpbuf_at_assert(buf, mru_ofs, NLA_HDRLEN) : NULL;
	upcall->hash = hash_ofs != SIZE_MAX ? ofpbuf_at_assert(buf, hash_ofs, NLA_HDRLEN) : NULL;
	upcall->cutlen = len_ofs != SIZE_MAX ? ofpbuf_at_assert(buf, len_ofs, NLA_HDRLEN) : NULL;
	dp_packet_use_const(&upcall->packet, ofpbuf_at_assert(buf, pkt_ofs, 0), up->packet_len);
	return 0;
}

/* The runtime's callback, on the thread that pulls handler h: copies each
 * upcall of this datapath into h's queue. */
static void
ovsdp_dpif_on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n,
		      void *d_)
{
	struct ovsdp_dpif *d = d_;
	unsigned int index = ovsdp_handler_index(h);

	if (index >= d->n_queues) {
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct ovsdp_dpif_item *it = xmalloc(sizeof *it);

		ofpbuf_init(&it->buf, 0);
		if (ovsdp_dpif_fill_upcall(d, &ups[i], &it->upcall, &it->buf)) {
			ofpbuf_uninit(&it->buf);
			free(it);
			continue;
		}
		ovs_list_push_back(&d->queues[index].items, &it->node);
	}
}

/* Makes and starts the runtime with the plugin plugins.conf chooses
 * ($OVSDP_PLUGINS_CONF, else the default path; 'mode' overrides its
 * [dispatch] mode).  Caller holds d->lock for writing. */
static int
ovsdp_dpif_runtime_start(struct ovsdp_dpif *d)
{
	const char *conf = getenv("OVSDP_PLUGINS_CONF");
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = dpif_base_name(&d->dpif),
		.n_handlers = d->n_handlers,
		.callback = ovsdp_dpif_on_upcalls,
		.user_data = d,
		.pull = true,
	};
	struct ovsdp_features features;
	struct ovsdp_plugin *plugin = NULL;
	char *why = NULL;
	GError *gerr = NULL;
	int ret;

	ovsdp_dpif_queues_new(d);
	ret = ovsdp_config_load(conf && *conf ? conf : NULL, &d->config, &gerr);
	if (ret >= 0) {
		ret = ovsdp_features_probe(&features, &gerr);
	}
	if (ret >= 0) {
		ret = ovsdp_plugins_discover(d->config, &features, &d->plugins, &gerr);
	}
	if (ret >= 0) {
		ret = ovsdp_plugins_choose(d->plugins, d->config, NULL, &plugin, &why, &gerr);
	}
	if (ret >= 0) {
		o.config = d->config;
		ret = ovsdp_handlers_new(&o, &d->hs, &gerr);
	}
	if (ret >= 0) {
		ret = ovsdp_handlers_start(d->hs, plugin, &gerr);
	}
	if (ret < 0) {
		VLOG_ERR("%s: upcall dispatch: %s", dpif_name(&d->dpif),
			 gerr ? gerr->message : ovs_strerror(-ret));
		g_clear_error(&gerr);
		ovsdp_dpif_runtime_stop(d);
		g_free(why);
		return -ret;
	}
	VLOG_INFO("%s: upcall dispatch %s (%s), %u handlers", dpif_name(&d->dpif),
		  ovsdp_plugin_name(plugin), why ? why : "", ovsdp_handlers_n_handlers(d->hs, NULL));
	g_free(why);
	return 0;
}

static int
ovsdp_dpif_recv_set(struct dpif *dpif, bool enable)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	int err = 0;

	ovs_rwlock_wrlock(&d->lock);
	if (enable && !d->hs) {
		err = ovsdp_dpif_runtime_start(d);
	} else if (!enable && d->hs) {
		ovsdp_dpif_runtime_stop(d);
	}
	d->recv_enabled = enable && !err;
	ovs_rwlock_unlock(&d->lock);
	return err;
}

/* OVS runs as many handler threads as this says when a plugin dictates the
 * count (per-cpu: one per CPU of the affinity). */
static bool
ovsdp_dpif_number_handlers_required(struct dpif *dpif, uint32_t *n_handlers)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	bool dictated = false;

	ovs_rwlock_rdlock(&d->lock);
	if (d->hs) {
		*n_handlers = ovsdp_handlers_n_handlers(d->hs, &dictated);
	}
	ovs_rwlock_unlock(&d->lock);
	return dictated;
}

static int
ovsdp_dpif_handlers_set(struct dpif *dpif, uint32_t n_handlers)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	bool dictated = false;
	int err = 0;

	if (!n_handlers) {
		return EINVAL;
	}
	ovs_rwlock_wrlock(&d->lock);
	d->n_handlers = n_handlers;
	if (d->hs && ovsdp_handlers_n_handlers(d->hs, &dictated) != n_handlers && !dictated) {
		GError *gerr = NULL;

		err = ovsdp_dpif_error(ovsdp_handlers_resize(d->hs, n_handlers, &gerr), gerr,
				       dpif_name(dpif));
	}
	ovs_rwlock_unlock(&d->lock);
	return err;
}

/* Moves item 'it' into OVS's 'upcall' and 'buf' (the pointers rebased
 * from the item's buffer to a copy in 'buf') and frees it. */
static void
ovsdp_dpif_item_take(struct ovsdp_dpif_item *it, struct dpif_upcall *upcall, struct ofpbuf *buf)
{
	const uint8_t *base = it->buf.data;
	uint8_t *to;

	ofpbuf_clear(buf);
	to = ofpbuf_put(buf, it->buf.data, it->buf.size);
	*upcall = it->upcall;
#define OVSDP_REBASE(p) ((p) ? (void *)(to + ((const uint8_t *)(p) - base)) : NULL)
	upcall->key = OVSDP_REBASE(it->upcall.key);
	upcall->userdata = OVSDP_REBASE(it->upcall.userdata);
	upcall->out_tun_key = OVSDP_REBASE(it->upcall.out_tun_key);
	upcall->actions = OVSDP_REBASE(it->upcall.actions);
	upcall->mru = OVSDP_REBASE(it->upcall.mru);
	upcall->hash = OVSDP_REBASE(it->upcall.hash);
	upcall->cutlen = OVSDP_REBASE(it->upcall.cutlen);
	dp_packet_use_const(&upcall->packet,
			    OVSDP_REBASE(dp_packet_data(&it->upcall.packet)),
			    dp_packet_size(&it->upcall.packet));
#undef OVSDP_REBASE
	ofpbuf_uninit(&it->buf);
	free(it);
}

static int
ovsdp_dpif_recv(struct dpif *dpif, uint32_t handler_id, struct dpif_upcall *upcall,
		struct ofpbuf *buf)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	int err = EAGAIN;

	ovs_rwlock_rdlock(&d->lock);
	if (d->hs && handler_id < d->n_queues) {
		struct ovsdp_dpif_queue *q = &d->queues[handler_id];

		if (ovs_list_is_empty(&q->items)) {
			int n = ovsdp_handlers_pull(d->hs, handler_id);

			if (n < 0 && n != -ENOENT) {
				VLOG_WARN_RL(&ovsdp_rl, "%s: handler %"PRIu32": %s", dpif_name(dpif),
					     handler_id, ovs_strerror(-n));
			}
		}
		if (!ovs_list_is_empty(&q->items)) {
			struct ovsdp_dpif_item *it;

			it = CONTAINER_OF(ovs_list_pop_front(&q->items), struct ovsdp_dpif_item, node);
			ovsdp_dpif_item_take(it, upcall, buf);
			err = 0;
		}
	}
	ovs_rwlock_unlock(&d->lock);
	return err;
}

static void
ovsdp_dpif_recv_wait(struct dpif *dpif, uint32_t handler_id)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);

	ovs_rwlock_rdlock(&d->lock);
	if (d->hs && handler_id < d->n_queues) {
		int fd = ovsdp_handlers_pull_fd(d->hs, handler_id);

		if (!ovs_list_is_empty(&d->queues[handler_id].items)) {
			poll_immediate_wake();
		} else if (fd >= 0) {
			poll_fd_wait(fd, POLLIN);
		}
	}
	ovs_rwlock_unlock(&d->lock);
}

/* Drops what is queued: OVS's handler threads are stopped when it asks. */
static void
ovsdp_dpif_recv_purge(struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);

	ovs_rwlock_wrlock(&d->lock);
	for (uint32_t i = 0; d->hs && i < d->n_queues; i++) {
		while (ovsdp_handlers_pull(d->hs, i) > 0) {
			ovsdp_dpif_queue_clear(&d->queues[i]);
		}
		ovsdp_dpif_queue_clear(&d->queues[i]);
	}
	ovs_rwlock_unlock(&d->lock);
}

/* ovs-appctl ovsdp/dispatch-show [DP] and ovsdp/dispatch-set [DP] MODE. */

/* The open dpif that receives on datapath 'name' (any when NULL), with its
 * lock held for reading; NULL with the mutex released when none. */
static struct ovsdp_dpif *
ovsdp_dpif_find_receiving(const char *name)
{
	struct ovsdp_dpif *d, *found = NULL;

	ovs_mutex_lock(&ovsdp_dpifs_mutex);
	LIST_FOR_EACH (d, node, &ovsdp_dpifs) {
		ovs_rwlock_rdlock(&d->lock);
		if (d->hs && (!name || !strcmp(name, dpif_base_name(&d->dpif)))) {
			found = d;
			break;
		}
		ovs_rwlock_unlock(&d->lock);
	}
	if (!found) {
		ovs_mutex_unlock(&ovsdp_dpifs_mutex);
	}
	return found;
}

static void
ovsdp_dpif_release(struct ovsdp_dpif *d)
{
	ovs_rwlock_unlock(&d->lock);
	ovs_mutex_unlock(&ovsdp_dpifs_mutex);
}

static void
ovsdp_dispatch_show(struct unixctl_conn *conn, int argc, const char *argv[],
		    void *aux OVS_UNUSED)
{
	struct ovsdp_dpif *d = ovsdp_dpif_find_receiving(argc > 1 ? argv[1] : NULL);
	struct ovsdp_handlers_stats *st = NULL;
	struct ds out = DS_EMPTY_INITIALIZER;

	if (!d) {
		unixctl_command_reply_error(conn, argc > 1 ? "no such ovsdp datapath receives upcalls"
						: "no ovsdp datapath receives upcalls");
		return;
	}
	if (ovsdp_handlers_stats_new(d->hs, &st) == 0) {
		bool dictated = false;
		unsigned int n = ovsdp_handlers_n_handlers(d->hs, &dictated);

		ds_put_format(&out, "%s: dispatcher %s, %u handlers%s\n", dpif_base_name(&d->dpif),
			      ovsdp_handlers_stats_dispatcher_name(st, 0), n,
			      dictated ? " (dictated by the dispatcher)" : "");
		ds_put_format(&out, "  %s\n", ovsdp_handlers_stats_dispatcher_description(st, 0));
		ds_put_format(&out, "  upcalls: %"PRIu64", switches: %"PRIu64", overruns: %"PRIu64"\n",
			      ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_UPCALLS),
			      ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_SWITCHES),
			      ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_OVERRUNS));
		ovsdp_handlers_stats_free(st);
	}
	ds_put_format(&out, "  config: %s\n", ovsdp_config_file(d->config)
		      ? ovsdp_config_file(d->config) : "built-in defaults (no plugins.conf)");
	ds_put_cstr(&out, "  plugins:");
	for (unsigned int i = 0; i < ovsdp_plugins_count(d->plugins); i++) {
		const struct ovsdp_plugin *p = ovsdp_plugins_get(d->plugins, i);

		ds_put_format(&out, " %s (%s)", ovsdp_plugin_name(p) ? ovsdp_plugin_name(p) : "?",
			      ovsdp_plugin_status_str(ovsdp_plugin_status(p)));
	}
	ds_put_char(&out, '\n');
	ovsdp_dpif_release(d);
	unixctl_command_reply(conn, ds_cstr(&out));
	ds_destroy(&out);
}

static void
ovsdp_dispatch_set(struct unixctl_conn *conn, int argc, const char *argv[],
		   void *aux OVS_UNUSED)
{
	struct ovsdp_dpif *d = ovsdp_dpif_find_receiving(argc > 2 ? argv[1] : NULL);
	const char *mode = argv[argc - 1];
	struct ovsdp_plugin *plugin = NULL;
	GError *gerr = NULL;
	long long start;
	char *msg;
	int ret;

	if (!d) {
		unixctl_command_reply_error(conn, argc > 2 ? "no such ovsdp datapath receives upcalls"
						: "no ovsdp datapath receives upcalls");
		return;
	}
	/* Under the read lock: the switch waits for OVS's handler threads,
	 * which pull under it, to drain the old dispatcher. */
	start = time_msec();
	ret = ovsdp_plugins_choose(d->plugins, d->config, mode, &plugin, NULL, &gerr);
	if (ret >= 0) {
		ret = ovsdp_handlers_switch(d->hs, plugin, &gerr);
	}
	if (ret < 0) {
		msg = xasprintf("%s: %s", dpif_base_name(&d->dpif),
				gerr ? gerr->message : ovs_strerror(-ret));
		ovsdp_dpif_release(d);
		unixctl_command_reply_error(conn, msg);
	} else {
		msg = xasprintf("%s: switched to %s in %lld ms", dpif_base_name(&d->dpif),
				ovsdp_plugin_name(plugin), time_msec() - start);
		VLOG_INFO("%s", msg);
		ovsdp_dpif_release(d);
		unixctl_command_reply(conn, msg);
	}
	free(msg);
	g_clear_error(&gerr);
}

static int
ovsdp_dpif_init(void)
{
	unixctl_command_register("ovsdp/dispatch-show", "[dp]", 0, 1, ovsdp_dispatch_show, NULL);
	unixctl_command_register("ovsdp/dispatch-set", "[dp] mode", 1, 2, ovsdp_dispatch_set, NULL);
	return 0;
}

static char *
ovsdp_dpif_get_datapath_version(void)
{
	return xstrdup("ovsdp (libovsdp " G_STRINGIFY(OVSDP_VERSION_MAJOR) ".x)");
}

/* Meters: the datapath's (the ovs_meter family), through libovsdp.  OVS
 * hands datapath meter ids (it maps OpenFlow ids itself); OpenFlow's drop
 * band and the kernel's have the same number. */
static void
ovsdp_dpif_meter_get_features(const struct dpif *dpif, struct ofputil_meter_features *features)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_meter_features f;
	GError *gerr = NULL;

	memset(features, 0, sizeof *features);
	if (ovsdp_meter_features(d->dp, &f, &gerr) < 0) {
		/* No meters in this kernel: OVS then uses none. */
		g_clear_error(&gerr);
		return;
	}
	features->max_meters = f.max_meters;
	features->max_bands = MIN(f.max_bands, UINT8_MAX);
	features->band_types = f.band_types & (1u << OFPMBT13_DROP);
	features->capabilities = OFPMF13_BURST | OFPMF13_STATS;
	if (f.kbps) {
		features->capabilities |= OFPMF13_KBPS;
	}
	if (f.pktps) {
		features->capabilities |= OFPMF13_PKTPS;
	}
}

static int
ovsdp_dpif_meter_set(struct dpif *dpif, ofproto_meter_id id, struct ofputil_meter_config *config)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_meter_band bands[OVSDP_METER_BANDS_MAX];
	uint32_t flags = 0;
	GError *gerr = NULL;

	if (config->flags & ~(OFPMF13_KBPS | OFPMF13_PKTPS | OFPMF13_BURST | OFPMF13_STATS)) {
		return EBADF;
	}
	if (config->n_bands > OVSDP_METER_BANDS_MAX) {
		return EINVAL;
	}
	flags |= config->flags & OFPMF13_KBPS ? OVSDP_METER_F_KBPS : 0;
	flags |= config->flags & OFPMF13_PKTPS ? OVSDP_METER_F_PKTPS : 0;
	flags |= config->flags & OFPMF13_BURST ? OVSDP_METER_F_BURST : 0;
	flags |= config->flags & OFPMF13_STATS ? OVSDP_METER_F_STATS : 0;
	for (size_t i = 0; i < config->n_bands; i++) {
		if (config->bands[i].type != OFPMBT13_DROP) {
			return ENODEV;
		}
		bands[i].type = OVSDP_METER_BAND_DROP;
		bands[i].rate = config->bands[i].rate;
		bands[i].burst = config->bands[i].burst_size;
	}
	return ovsdp_dpif_error(ovsdp_meter_set(d->dp, id.uint32, flags, bands, config->n_bands,
						&gerr),
				gerr, dpif_name(dpif));
}

static void
ovsdp_meter_stats_to_ofp(const struct ovsdp_meter_stats *in, struct ofputil_meter_stats *out,
			 uint16_t n_bands)
{
	out->packet_in_count = in->total.packets;
	out->byte_in_count = in->total.bytes;
	out->n_bands = MIN(n_bands, in->n_bands);
	for (uint16_t i = 0; i < out->n_bands; i++) {
		out->bands[i].packet_count = in->bands[i].packets;
		out->bands[i].byte_count = in->bands[i].bytes;
	}
}

/* meter_get and meter_del: the same answer, 'del' removing the meter. */
static int
ovsdp_dpif_meter_read(const struct dpif *dpif, ofproto_meter_id id, bool del,
		      struct ofputil_meter_stats *stats, uint16_t n_bands)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_meter_stats ms;
	GError *gerr = NULL;
	int ret = del ? ovsdp_meter_del(d->dp, id.uint32, &ms, &gerr)
		      : ovsdp_meter_get(d->dp, id.uint32, &ms, &gerr);

	if (ret < 0) {
		return ovsdp_dpif_error(ret, gerr, dpif_name(dpif));
	}
	if (stats) {
		ovsdp_meter_stats_to_ofp(&ms, stats, n_bands);
	}
	return 0;
}

static int
ovsdp_dpif_meter_get(const struct dpif *dpif, ofproto_meter_id id,
		     struct ofputil_meter_stats *stats, uint16_t n_bands)
{
	return ovsdp_dpif_meter_read(dpif, id, false, stats, n_bands);
}

static int
ovsdp_dpif_meter_del(struct dpif *dpif, ofproto_meter_id id,
		     struct ofputil_meter_stats *stats, uint16_t n_bands)
{
	return ovsdp_dpif_meter_read(dpif, id, true, stats, n_bands);
}

/* Conntrack: the kernel's connection tracker is netfilter's, the same for
 * every datapath; OVS's own ctnetlink client (lib/netlink-conntrack.c)
 * reads and flushes it, as for the stock type. */

struct ovsdp_ct_dump {
	struct ct_dpif_dump_state up;
	struct nl_ct_dump_state *nl;
};

static int
ovsdp_dpif_ct_dump_start(struct dpif *dpif OVS_UNUSED, struct ct_dpif_dump_state **statep,
			 const uint16_t *zone, int *ptot_bkts)
{
	struct ovsdp_ct_dump *s = xzalloc(sizeof *s);
	int err = nl_ct_dump_start(&s->nl, zone, ptot_bkts);

	if (err) {
		free(s);
		return err;
	}
	*statep = &s->up;
	return 0;
}

static int
ovsdp_dpif_ct_dump_next(struct dpif *dpif OVS_UNUSED, struct ct_dpif_dump_state *state,
			struct ct_dpif_entry *entry)
{
	return nl_ct_dump_next(CONTAINER_OF(state, struct ovsdp_ct_dump, up)->nl, entry);
}

static int
ovsdp_dpif_ct_dump_done(struct dpif *dpif OVS_UNUSED, struct ct_dpif_dump_state *state)
{
	struct ovsdp_ct_dump *s = CONTAINER_OF(state, struct ovsdp_ct_dump, up);
	int err = nl_ct_dump_done(s->nl);

	free(s);
	return err;
}

static int
ovsdp_dpif_ct_flush(struct dpif *dpif OVS_UNUSED, const uint16_t *zone,
		    const struct ct_dpif_tuple *tuple)
{
	if (tuple) {
		return nl_ct_flush_tuple(tuple, zone ? *zone : 0);
	}
	return zone ? nl_ct_flush_zone(*zone) : nl_ct_flush();
}

/* The kernel's conntrack keeps an all-zero SNAT address as is (Linux 5.x
 * and later, which ovsdp requires). */
static int
ovsdp_dpif_ct_get_features(struct dpif *dpif OVS_UNUSED, enum ct_features *features)
{
	if (features) {
		*features = CONNTRACK_F_ZERO_SNAT;
	}
	return 0;
}

/* Conntrack zone limits: the datapath's (the ovs_ct_limit family), through
 * libovsdp.  Open vSwitch 3.3 and later pass the default limit in the list
 * as zone -1, as libovsdp does; before (3.1, Debian bookworm's) it travels
 * in its own argument and the list holds real zones only (uint16_t): the
 * patch's configure.ac hunk defines OVSDP_OVS_CT_DEFAULT_LIMIT_ARG then. */

/* OVS's list of struct ct_dpif_zone_limit as libovsdp's arrays, with room
 * for one more entry (the separate default): the limits (for set) and the
 * zones alone (for get and del); both freed by the caller. */
static size_t
ovsdp_zone_limits_to_array(const struct ovs_list *list, struct ovsdp_ct_zone_limit **limits,
			   int32_t **zones)
{
	const struct ct_dpif_zone_limit *zl;
	size_t n = 0;

	*limits = xcalloc(ovs_list_size(list) + 1, sizeof **limits);
	*zones = xcalloc(ovs_list_size(list) + 1, sizeof **zones);
	LIST_FOR_EACH (zl, node, list) {
		(*limits)[n].zone = (*zones)[n] = zl->zone;
		(*limits)[n].limit = zl->limit;
		n++;
	}
	return n;
}

/* set, get or del, by 'op' ('s', 'g', 'd'); get fills 'out'.  'dflt' is
 * the separate default limit of OVS before 3.3 (NULL otherwise): set adds
 * it as zone -1; get asks for zone -1 with the listed zones and reports it
 * in '*dflt' instead of in 'out'. */
static int
ovsdp_dpif_ct_limits(struct dpif *dpif, char op, const struct ovs_list *in, struct ovs_list *out,
		     uint32_t *dflt)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	struct ovsdp_ct_zone_limit *limits, *got = NULL;
	int32_t *zones;
	size_t n = ovsdp_zone_limits_to_array(in, &limits, &zones);
	GError *gerr = NULL;
	int ret = 0;

	if (dflt && (op == 's' || (op == 'g' && n))) {
		limits[n].zone = zones[n] = OVSDP_CT_ZONE_DEFAULT;
		limits[n].limit = *dflt;
		n++;
	}
	if (op == 'g') {
		ret = ovsdp_ct_limit_get(d->dp, zones, n, &got, &gerr);
		for (int i = 0; i < ret; i++) {
			if (dflt && got[i].zone == OVSDP_CT_ZONE_DEFAULT) {
				*dflt = got[i].limit;
			} else {
				ct_dpif_push_zone_limit(out, got[i].zone, got[i].limit, got[i].count);
			}
		}
		g_free(got);
	} else if (n) {
		ret = op == 's' ? ovsdp_ct_limit_set(d->dp, limits, n, &gerr)
				: ovsdp_ct_limit_del(d->dp, zones, n, &gerr);
	}
	free(zones);
	free(limits);
	return ovsdp_dpif_error(ret, gerr, dpif_name(dpif));
}

#ifdef OVSDP_OVS_CT_DEFAULT_LIMIT_ARG
static int
ovsdp_dpif_ct_set_limits(struct dpif *dpif, const uint32_t *default_limit,
			 const struct ovs_list *zone_limits)
{
	uint32_t dflt = default_limit ? *default_limit : 0;

	return ovsdp_dpif_ct_limits(dpif, 's', zone_limits, NULL, default_limit ? &dflt : NULL);
}

static int
ovsdp_dpif_ct_get_limits(struct dpif *dpif, uint32_t *default_limit,
			 const struct ovs_list *zone_limits_in, struct ovs_list *zone_limits_out)
{
	return ovsdp_dpif_ct_limits(dpif, 'g', zone_limits_in, zone_limits_out, default_limit);
}
#else
static int
ovsdp_dpif_ct_set_limits(struct dpif *dpif, const struct ovs_list *zone_limits)
{
	return ovsdp_dpif_ct_limits(dpif, 's', zone_limits, NULL, NULL);
}

static int
ovsdp_dpif_ct_get_limits(struct dpif *dpif, const struct ovs_list *zone_limits_in,
			 struct ovs_list *zone_limits_out)
{
	return ovsdp_dpif_ct_limits(dpif, 'g', zone_limits_in, zone_limits_out, NULL);
}
#endif

static int
ovsdp_dpif_ct_del_limits(struct dpif *dpif, const struct ovs_list *zone_limits)
{
	return ovsdp_dpif_ct_limits(dpif, 'd', zone_limits, NULL, NULL);
}

const struct dpif_class *dpif_ovsdp_system_class(void);

const struct dpif_class dpif_ovsdp_class = {
	.type = "ovsdp",
	.init = ovsdp_dpif_init,
	/* synced_dp_layers, false, is left to its zero value: 3.1's struct
	 * dpif_class has no such member. */
	.cleanup_required = false,
	.enumerate = ovsdp_dpif_enumerate,
	.open = ovsdp_dpif_open,
	.close = ovsdp_dpif_close,
	.destroy = ovsdp_dpif_destroy,
	.get_stats = ovsdp_dpif_get_stats,
	.set_features = ovsdp_dpif_set_features,
	.port_add = ovsdp_dpif_port_add,
	.port_del = ovsdp_dpif_port_del,
	.port_query_by_number = ovsdp_dpif_port_query_by_number,
	.port_query_by_name = ovsdp_dpif_port_query_by_name,
	.port_get_pid = ovsdp_dpif_port_get_pid,
	.port_dump_start = ovsdp_dpif_port_dump_start,
	.port_dump_next = ovsdp_dpif_port_dump_next,
	.port_dump_done = ovsdp_dpif_port_dump_done,
	.port_poll = ovsdp_dpif_port_poll,
	.port_poll_wait = ovsdp_dpif_port_poll_wait,
	.flow_flush = ovsdp_dpif_flow_flush,
	.flow_dump_create = ovsdp_dpif_flow_dump_create,
	.flow_dump_destroy = ovsdp_dpif_flow_dump_destroy,
	.flow_dump_thread_create = ovsdp_dpif_flow_dump_thread_create,
	.flow_dump_thread_destroy = ovsdp_dpif_flow_dump_thread_destroy,
	.flow_dump_next = ovsdp_dpif_flow_dump_next,
	.operate = ovsdp_dpif_operate,
	.recv_set = ovsdp_dpif_recv_set,
	.handlers_set = ovsdp_dpif_handlers_set,
	.number_handlers_required = ovsdp_dpif_number_handlers_required,
	.recv = ovsdp_dpif_recv,
	.recv_wait = ovsdp_dpif_recv_wait,
	.recv_purge = ovsdp_dpif_recv_purge,
	.get_datapath_version = ovsdp_dpif_get_datapath_version,
	.ct_dump_start = ovsdp_dpif_ct_dump_start,
	.ct_dump_next = ovsdp_dpif_ct_dump_next,
	.ct_dump_done = ovsdp_dpif_ct_dump_done,
	.ct_flush = ovsdp_dpif_ct_flush,
	.ct_set_limits = ovsdp_dpif_ct_set_limits,
	.ct_get_limits = ovsdp_dpif_ct_get_limits,
	.ct_del_limits = ovsdp_dpif_ct_del_limits,
	.ct_get_features = ovsdp_dpif_ct_get_features,
	.meter_get_features = ovsdp_dpif_meter_get_features,
	.meter_set = ovsdp_dpif_meter_set,
	.meter_get = ovsdp_dpif_meter_get,
	.meter_del = ovsdp_dpif_meter_del,
};

/* The same provider under the name "system", for ovsdp's patch to lib/dpif.c:
 * with OVSDP_DPIF_SYSTEM=ovsdp in the environment, OVS registers this in
 * place of dpif-netlink, so every place that assumes "system" (the default
 * datapath type, dpctl, tunnel ports, Open vSwitch's own kernel tests)
 * runs on libovsdp.  NULL without the variable. */
const struct dpif_class *
dpif_ovsdp_system_class(void)
{
	static struct dpif_class system_class;
	static bool made;
	const char *v = getenv("OVSDP_DPIF_SYSTEM");

	if (!v || strcmp(v, "ovsdp")) {
		return NULL;
	}
	if (!made) {
		system_class = dpif_ovsdp_class;
		system_class.type = "system";
		made = true;
	}
	return &system_class;
}
