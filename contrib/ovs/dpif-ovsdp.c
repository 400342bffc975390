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
 * This provider opens one libovsdp upcall socket per OVS handler and gives
 * every port the whole array of their port ids (the kernel picks one by
 * the packet's hash): OVS's per-vport dispatch.  libovsdp's handler runtime
 * and its dispatch plugins run threads of their own that push upcalls to a
 * callback, so they are not used here yet (docs/open-vswitch.md). */

#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ovsdp/datapath.h>
#include <ovsdp/flow.h>
#include <ovsdp/operate.h>
#include <ovsdp/packet.h>
#include <ovsdp/upcall.h>
#include <ovsdp/vport.h>

#include "dp-packet.h"
#include "dpif-provider.h"
#include "netdev.h"
#include "netlink.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "packets.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(dpif_ovsdp);

static struct vlog_rate_limit ovsdp_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Bytes per upcall receive buffer: the largest generic netlink message the
 * kernel sends for a packet of 64 kB plus its key. */
#define OVSDP_DPIF_RECV_SIZE (65536 + 4096)

struct ovsdp_dpif_handler {
	struct ovsdp_upcall_sock *sock;
	uint8_t *rbuf;                  /* OVSDP_DPIF_RECV_SIZE bytes */
};

struct ovsdp_dpif {
	struct dpif dpif;
	struct ovsdp_dp *dp;
	int dp_ifindex;

	/* Upcall sockets, one per OVS handler thread. */
	struct ovs_rwlock lock;
	bool recv_enabled;
	uint32_t n_handlers;            /* what OVS asked for (>= 1) */
	struct ovsdp_dpif_handler *handlers; /* n_handlers when recv_enabled */

	/* Port change notifications (port_poll). */
	struct ovs_mutex poll_mutex;
	struct ovsdp_monitor *monitor;
	bool poll_resync;               /* report ENOBUFS once */
};

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
ovsdp_dpif_enumerate(struct sset *all_dps, const struct dpif_class *class OVS_UNUSED)
{
	struct ovsdp_dp_info *infos = NULL;
	GError *gerr = NULL;
	int n = ovsdp_dp_list(&infos, &gerr);

	if (n < 0) {
		return ovsdp_dpif_error(n, gerr, "enumerate datapaths");
	}
	for (int i = 0; i < n; i++) {
		/* The stock "system" type's backer is dpif-netlink's. */
		if (strcmp(infos[i].name, "ovs-system")) {
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
	/* Upcalls go to per-vport sockets: turn per-cpu dispatch off when a
	 * previous user of the datapath left it on. */
	uint32_t features = ovsdp_dp_user_features(dp);
	if (features & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU) {
		ret = ovsdp_dp_set_user_features(dp, (features & ~OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU)
						 | OVSDP_DP_F_DEFAULT, &gerr);
		if (ret < 0) {
			ovsdp_dp_close(dp);
			return ovsdp_dpif_error(ret, gerr, name);
		}
	}

	struct ovsdp_dpif *d = xzalloc(sizeof *d);
	d->dp = dp;
	d->dp_ifindex = ovsdp_dp_ifindex(dp);
	d->n_handlers = 1;
	ovs_rwlock_init(&d->lock);
	ovs_mutex_init(&d->poll_mutex);
	dpif_init(&d->dpif, class, ovsdp_dp_name(dp), d->dp_ifindex >> 8, d->dp_ifindex);
	*dpifp = &d->dpif;
	return 0;
}

static void ovsdp_dpif_socks_close(struct ovsdp_dpif *d);

static void
ovsdp_dpif_close(struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);

	ovs_rwlock_wrlock(&d->lock);
	ovsdp_dpif_socks_close(d);
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
ovsdp_dpif_port_type(uint32_t type)
{
	switch (type) {
	case OVSDP_VPORT_TYPE_NETDEV:
		return "system";
	case OVSDP_VPORT_TYPE_INTERNAL:
		return "internal";
	default:
		return ovsdp_vport_type_str(type);
	}
}

/* The pids port 'port_no' is given: handler sockets' pids, starting with
 * handler port_no % n (so that ports spread over the handlers when there
 * are more handlers than pids), at most one per CPU (kernels with the 2025
 * stable fix refuse longer arrays with EINVAL); a single 0 (no upcalls)
 * while receiving is off.  Caller holds d->lock; free() it. */
static uint32_t *
ovsdp_dpif_port_pids(const struct ovsdp_dpif *d, uint32_t port_no, size_t *n)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	uint32_t *pids;

	if (!d->recv_enabled || !d->handlers) {
		*n = 1;
		return xzalloc(sizeof *pids);
	}
	*n = d->n_handlers;
	if (cpus > 0 && *n > (size_t)cpus) {
		*n = cpus;
	}
	pids = xmalloc(*n * sizeof *pids);
	for (size_t i = 0; i < *n; i++) {
		pids[i] = ovsdp_upcall_sock_portid(d->handlers[(port_no + i) % d->n_handlers].sock);
	}
	return pids;
}

static int
ovsdp_dpif_port_add(struct dpif *dpif, struct netdev *netdev, odp_port_t *port_nop)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	const char *name = netdev_get_name(netdev);
	const char *type = netdev_get_type(netdev);
	struct ovsdp_vport_spec spec = { .name = name };
	struct ovsdp_vport_info info;
	GError *gerr = NULL;
	size_t n_pids;
	int ret;

	if (!strcmp(type, "system")) {
		spec.type = OVSDP_VPORT_TYPE_NETDEV;
	} else if (!strcmp(type, "internal")) {
		spec.type = OVSDP_VPORT_TYPE_INTERNAL;
	} else {
		VLOG_WARN_RL(&ovsdp_rl, "%s: port %s: type %s is not supported by the ovsdp "
			     "datapath type yet", dpif_name(dpif), name, type);
		return EOPNOTSUPP;
	}
	if (*port_nop != ODPP_NONE) {
		spec.port_no = odp_to_u32(*port_nop);
	}

	ovs_rwlock_rdlock(&d->lock);
	uint32_t *pids = ovsdp_dpif_port_pids(d, spec.port_no, &n_pids);
	spec.upcall_pids = pids;
	spec.n_upcall_pids = n_pids;
	ret = ovsdp_vport_add(d->dp, &spec, &info, &gerr);
	if (ret == -EINVAL && n_pids > 1) {
		/* A kernel that wants fewer pids: one. */
		g_clear_error(&gerr);
		spec.n_upcall_pids = 1;
		ret = ovsdp_vport_add(d->dp, &spec, &info, &gerr);
	}
	ovs_rwlock_unlock(&d->lock);
	free(pids);
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

	return ovsdp_dpif_error(ovsdp_vport_del(d->dp, odp_to_u32(port_no), &gerr), gerr,
				dpif_name(dpif));
}

static void
ovsdp_dpif_port_fill(const struct ovsdp_vport_info *info, struct dpif_port *port)
{
	port->name = xstrdup(info->name);
	port->type = xstrdup(ovsdp_dpif_port_type(info->type));
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
	if (d->recv_enabled && d->handlers && d->n_handlers) {
		uint32_t i = odp_to_u32(port_no) % d->n_handlers;
		pid = ovsdp_upcall_sock_portid(d->handlers[i].sock);
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
			 * or already there (revalidators race with flushes). */
			if (ret == -ENOENT || ret == -EEXIST) {
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

/* Caller holds d->lock for writing. */
static void
ovsdp_dpif_socks_close(struct ovsdp_dpif *d)
{
	if (d->handlers) {
		for (uint32_t i = 0; i < d->n_handlers; i++) {
			ovsdp_upcall_sock_close(d->handlers[i].sock);
			free(d->handlers[i].rbuf);
		}
		free(d->handlers);
		d->handlers = NULL;
	}
}

/* Points every port (the local port included) at the current sockets, or
 * at none.  Caller holds d->lock. */
static int
ovsdp_dpif_refresh_pids(struct ovsdp_dpif *d)
{
	struct ovsdp_vport_info *ports = NULL;
	GError *gerr = NULL;
	size_t n_pids;
	int n, err = 0;

	n = ovsdp_vport_list(d->dp, &ports, &gerr);
	if (n < 0) {
		return ovsdp_dpif_error(n, gerr, dpif_name(&d->dpif));
	}
	for (int i = 0; i < n; i++) {
		uint32_t *pids = ovsdp_dpif_port_pids(d, ports[i].port_no, &n_pids);
		int ret = ovsdp_vport_set_upcall_pids(d->dp, ports[i].port_no, pids, n_pids, &gerr);

		if (ret == -EINVAL && n_pids > 1) {
			/* A kernel that wants fewer pids: one. */
			g_clear_error(&gerr);
			ret = ovsdp_vport_set_upcall_pids(d->dp, ports[i].port_no, pids, 1, &gerr);
		}
		if (ret < 0 && !err) {
			err = ovsdp_dpif_error(ret, gerr, ports[i].name);
			gerr = NULL;
		}
		g_clear_error(&gerr);
		free(pids);
	}
	g_free(ports);
	return err;
}

/* (Re)opens n_handlers sockets when receiving is on, closes them when it
 * is off, and tells the kernel.  Caller holds d->lock for writing. */
static int
ovsdp_dpif_socks_sync(struct ovsdp_dpif *d, uint32_t n_handlers)
{
	if (d->recv_enabled && (!d->handlers || n_handlers != d->n_handlers)) {
		struct ovsdp_dpif_handler *hs = xcalloc(n_handlers, sizeof *hs);

		for (uint32_t i = 0; i < n_handlers; i++) {
			GError *gerr = NULL;
			int ret = ovsdp_upcall_sock_open(0, &hs[i].sock, &gerr);

			if (ret < 0) {
				for (uint32_t j = 0; j < i; j++) {
					ovsdp_upcall_sock_close(hs[j].sock);
					free(hs[j].rbuf);
				}
				free(hs);
				return ovsdp_dpif_error(ret, gerr, "upcall socket");
			}
			hs[i].rbuf = xmalloc(OVSDP_DPIF_RECV_SIZE);
		}
		ovsdp_dpif_socks_close(d);
		d->handlers = hs;
		d->n_handlers = n_handlers;
	} else if (!d->recv_enabled) {
		/* Point the kernel away first, then close. */
		struct ovsdp_dpif_handler *hs = d->handlers;
		uint32_t old_n = d->n_handlers;

		d->n_handlers = n_handlers;
		if (hs) {
			d->handlers = NULL;
			ovsdp_dpif_refresh_pids(d);
			for (uint32_t i = 0; i < old_n; i++) {
				ovsdp_upcall_sock_close(hs[i].sock);
				free(hs[i].rbuf);
			}
			free(hs);
		}
		return 0;
	}
	return ovsdp_dpif_refresh_pids(d);
}

static int
ovsdp_dpif_recv_set(struct dpif *dpif, bool enable)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	int err;

	ovs_rwlock_wrlock(&d->lock);
	if (d->recv_enabled == enable) {
		err = 0;
	} else {
		d->recv_enabled = enable;
		err = ovsdp_dpif_socks_sync(d, d->n_handlers);
		if (err && enable) {
			d->recv_enabled = false;
		}
	}
	ovs_rwlock_unlock(&d->lock);
	return err;
}

static int
ovsdp_dpif_handlers_set(struct dpif *dpif, uint32_t n_handlers)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	int err;

	if (!n_handlers) {
		return EINVAL;
	}
	ovs_rwlock_wrlock(&d->lock);
	if (d->recv_enabled) {
		err = ovsdp_dpif_socks_sync(d, n_handlers);
	} else {
		d->n_handlers = n_handlers;
		err = 0;
	}
	ovs_rwlock_unlock(&d->lock);
	return err;
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

static int
ovsdp_dpif_recv(struct dpif *dpif, uint32_t handler_id, struct dpif_upcall *upcall,
		struct ofpbuf *buf)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);
	int err = EAGAIN;

	ovs_rwlock_rdlock(&d->lock);
	if (d->recv_enabled && d->handlers && handler_id < d->n_handlers) {
		struct ovsdp_dpif_handler *h = &d->handlers[handler_id];
		uint16_t family = ovsdp_dp_packet_family(d->dp);

		/* A few messages at most, so that one call never starves. */
		for (int tries = 0; tries < 50; tries++) {
			struct ovsdp_upcall up;
			GError *gerr = NULL;
			int len = ovsdp_upcall_sock_recv(h->sock, h->rbuf, OVSDP_DPIF_RECV_SIZE);

			if (len == -EAGAIN) {
				err = EAGAIN;
				break;
			} else if (len == -ENOBUFS) {
				VLOG_WARN_RL(&ovsdp_rl, "%s: handler %"PRIu32": upcalls lost "
					     "(socket overrun)", dpif_name(dpif), handler_id);
				continue;
			} else if (len < 0) {
				err = -len;
				break;
			}
			if (ovsdp_upcall_parse(h->rbuf, len, family, &up, &gerr) < 0) {
				ovsdp_dpif_error(-EPROTO, gerr, "upcall");
				continue;
			}
			if (!ovsdp_dpif_fill_upcall(d, &up, upcall, buf)) {
				err = 0;
				break;
			}
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
	if (d->recv_enabled && d->handlers && handler_id < d->n_handlers) {
		poll_fd_wait(ovsdp_upcall_sock_fd(d->handlers[handler_id].sock), POLLIN);
	}
	ovs_rwlock_unlock(&d->lock);
}

static void
ovsdp_dpif_recv_purge(struct dpif *dpif)
{
	struct ovsdp_dpif *d = ovsdp_dpif_cast(dpif);

	ovs_rwlock_rdlock(&d->lock);
	if (d->handlers) {
		for (uint32_t i = 0; i < d->n_handlers; i++) {
			ovsdp_upcall_sock_purge(d->handlers[i].sock);
		}
	}
	ovs_rwlock_unlock(&d->lock);
}

static char *
ovsdp_dpif_get_datapath_version(void)
{
	return xstrdup("ovsdp (libovsdp " G_STRINGIFY(OVSDP_VERSION_MAJOR) ".x)");
}

/* Meters are not served yet: OVS treats "no meter support" as such. */
static void
ovsdp_dpif_meter_get_features(const struct dpif *dpif OVS_UNUSED,
			      struct ofputil_meter_features *features)
{
	memset(features, 0, sizeof *features);
}

static int
ovsdp_dpif_meter_set(struct dpif *dpif OVS_UNUSED, ofproto_meter_id id OVS_UNUSED,
		     struct ofputil_meter_config *config OVS_UNUSED)
{
	return EOPNOTSUPP;
}

static int
ovsdp_dpif_meter_get(const struct dpif *dpif OVS_UNUSED, ofproto_meter_id id OVS_UNUSED,
		     struct ofputil_meter_stats *stats OVS_UNUSED, uint16_t n OVS_UNUSED)
{
	return EOPNOTSUPP;
}

static int
ovsdp_dpif_meter_del(struct dpif *dpif OVS_UNUSED, ofproto_meter_id id OVS_UNUSED,
		     struct ofputil_meter_stats *stats OVS_UNUSED, uint16_t n OVS_UNUSED)
{
	return EOPNOTSUPP;
}

const struct dpif_class dpif_ovsdp_class = {
	.type = "ovsdp",
	.cleanup_required = false,
	.synced_dp_layers = false,
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
	.recv = ovsdp_dpif_recv,
	.recv_wait = ovsdp_dpif_recv_wait,
	.recv_purge = ovsdp_dpif_recv_purge,
	.get_datapath_version = ovsdp_dpif_get_datapath_version,
	.meter_get_features = ovsdp_dpif_meter_get_features,
	.meter_set = ovsdp_dpif_meter_set,
	.meter_get = ovsdp_dpif_meter_get,
	.meter_del = ovsdp_dpif_meter_del,
};
