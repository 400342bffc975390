/* dispatch-per-cpu: OVS 2.16's dispatch: one upcall socket per handler and
 * the datapath's per-cpu pid array (Linux 5.14+), so upcalls from one CPU
 * reach one handler in order and sockets do not grow with ports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <ovsdp/dispatch.h>

#include "dispatch-sock.h"
#include "per-cpu-count.h"

/* A socket of a handler that a resize removed.  The kernel no longer
 * sends to it, but it may hold upcalls queued before the re-pointing: a
 * surviving handler reads it until it has found it empty, and the next
 * control call after that closes it. */
struct orphan {
	struct ovsdp_usock *sock;
	bool seen_empty;
};

/* Everything here but the orphan array's shape belongs to handler thread
 * i between control calls (recv and wait_fd run only on that thread). */
struct pc_handler {
	struct ovsdp_usock *sock;
	uint32_t portid;
	int epfd;                /* sock + orphans: what wait_fd returns */
	struct orphan *orphans;
	unsigned int n_orphans;
	struct dsock_counters c;
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	struct pc_handler *handlers;
	uint32_t n_handlers;
	bool enabled;            /* the kernel's per-cpu array names our sockets */
	unsigned int n_cpu_ids;  /* length of the array last given to the kernel */
	struct dsock_counters gone;     /* of handlers resizes removed: totals never shrink */
};

/* Only a kernel that both rejects unknown user-feature bits and accepted
 * OVS_DP_F_DISPATCH_UPCALL_PER_CPU has per-cpu dispatch: an old kernel
 * accepts any bit and would then silently keep dispatching per vport. */
static int
per_cpu_probe(const struct ovsdp_dispatch_features *f, char *reason, size_t reason_len)
{
	if (f->per_cpu_dispatch == OVSDP_DISPATCH_YES)
		return 0;
	if (f->per_cpu_errno) {
		snprintf(reason, reason_len,
			 "kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: %s",
			 dsock_strerror(f->per_cpu_errno));
		return -f->per_cpu_errno;
	}
	if (!f->datapath_available) {
		snprintf(reason, reason_len, "the openvswitch datapath is not available");
		return -ENOENT;
	}
	if (!f->datapath_probed) {
		snprintf(reason, reason_len, "per-cpu dispatch could not be probed: %s",
			 f->probe_error);
		return -EAGAIN;
	}
	snprintf(reason, reason_len, "the kernel accepts unknown user features, so its "
		 "acceptance of OVS_DP_F_DISPATCH_UPCALL_PER_CPU proves nothing");
	return -EOPNOTSUPP;
}

static int
per_cpu_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	       struct ovsdp_dispatch_instance **out)
{
	struct ovsdp_dispatch_instance *d;

	if (!HOST_CAN(host, log))
		return -ENOTSUP;
	if (!HOST_CAN(host, features) || !HOST_CAN(host, port_list) ||
	    !HOST_CAN(host, dp_set_per_cpu_pids) || !dsock_host_usable(host))
		return dsock_host_lacks(host, ctx, "per-cpu");
	d = DSOCK_NEW0(struct ovsdp_dispatch_instance, 1);
	d->host = host;
	d->ctx = ctx;
	*out = d;
	return 0;
}

static void
close_orphan(struct ovsdp_dispatch_instance *d, struct pc_handler *h, unsigned int k)
{
	struct orphan *o = &h->orphans[k];

	epoll_ctl(h->epfd, EPOLL_CTL_DEL, d->host->usock_fd(o->sock), NULL);
	d->host->usock_close(d->ctx, o->sock);
	h->orphans[k] = h->orphans[--h->n_orphans];
}

/* Close a handler's epoll set, socket and orphans. */
static void
handler_close(struct ovsdp_dispatch_instance *d, struct pc_handler *h)
{
	while (h->n_orphans)
		close_orphan(d, h, h->n_orphans - 1);
	free(h->orphans);
	if (h->epfd >= 0)
		close(h->epfd);
	d->host->usock_close(d->ctx, h->sock);
	memset(h, 0, sizeof *h);
	h->epfd = -1;
}

static int
handler_open(struct ovsdp_dispatch_instance *d, struct pc_handler *h)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int r;

	memset(h, 0, sizeof *h);
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		r = -errno;
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "epoll_create1: %s", dsock_strerror(-r));
		return r;
	}
	r = d->host->usock_open(d->ctx, 0, &h->sock);
	if (r < 0) {
		h->sock = NULL;
		handler_close(d, h);
		return r;
	}
	h->portid = d->host->usock_portid(h->sock);
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, d->host->usock_fd(h->sock), &ev) < 0) {
		r = -errno;
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "epoll_ctl: %s", dsock_strerror(-r));
		handler_close(d, h);
		return r;
	}
	return 0;
}

/* Give 'h' a socket to drain.  Should epoll refuse it, 'h' still reads it
 * on each of its wakeups, so nothing queued there is lost, only later. */
static void
adopt(struct ovsdp_dispatch_instance *d, struct pc_handler *h, struct ovsdp_usock *s)
{
	struct epoll_event ev = { .events = EPOLLIN };

	h->orphans = DSOCK_RENEW(struct orphan, h->orphans, h->n_orphans + 1);
	h->orphans[h->n_orphans].sock = s;
	h->orphans[h->n_orphans].seen_empty = false;
	h->n_orphans++;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, d->host->usock_fd(s), &ev) < 0)
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_WARNING,
			     "a retired upcall socket will be read only on other wakeups: "
			     "epoll_ctl: %s", dsock_strerror(errno));
}

/* Close the orphans their handler has drained.  Control methods only: a
 * handler may be reading them otherwise. */
static void
reap_orphans(struct ovsdp_dispatch_instance *d)
{
	for (uint32_t i = 0; i < d->n_handlers; i++) {
		struct pc_handler *h = &d->handlers[i];

		for (unsigned int k = h->n_orphans; k-- > 0;) {
			struct orphan *o = &h->orphans[k];

			if (o->seen_empty && !dsock_readable(d->host->usock_fd(o->sock)))
				close_orphan(d, h, k);
		}
	}
}

static void
per_cpu_destroy(struct ovsdp_dispatch_instance *d)
{
	for (uint32_t i = 0; i < d->n_handlers; i++)
		handler_close(d, &d->handlers[i]);
	free(d->handlers);
	free(d);
}

/* How long the per-cpu array must be: one entry per possible CPU id. */
static unsigned int
cpu_id_count(struct ovsdp_dispatch_instance *d, unsigned int fallback)
{
	const struct ovsdp_dispatch_features *f = d->host->features(d->ctx);

	return f && f->cpu_ids ? f->cpu_ids : (fallback ? fallback : 1);
}

/* Point the datapath's per-cpu array at the sockets of hs[0..n-1], or at
 * nobody when hs is NULL.  One transaction: on failure the kernel keeps
 * the array it had. */
static int
point_kernel(struct ovsdp_dispatch_instance *d, const struct pc_handler *hs, uint32_t n)
{
	unsigned int n_ids = cpu_id_count(d, n);
	uint32_t *portids = DSOCK_NEW0(uint32_t, n ? n : 1);
	uint32_t *pids = DSOCK_NEW0(uint32_t, n_ids);
	int r;

	for (uint32_t i = 0; hs && i < n; i++)
		portids[i] = hs[i].portid;
	per_cpu_fill_pids(pids, n_ids, hs ? portids : NULL, n);
	r = d->host->dp_set_per_cpu_pids(d->ctx, pids, n_ids);
	if (r == 0)
		d->n_cpu_ids = n_ids;
	free(portids);
	free(pids);
	return r;
}

/* The datapath's port numbers, free()d by the caller; count or -errno. */
static int
list_ports(struct ovsdp_dispatch_instance *d, uint32_t **out)
{
	unsigned int cap = 64;

	for (;;) {
		uint32_t *ports = DSOCK_NEW0(uint32_t, cap);
		int n = d->host->port_list(d->ctx, ports, cap);

		if (n >= 0 && (unsigned int)n <= cap) {
			*out = ports;
			return n;
		}
		free(ports);
		if (n < 0)
			return n;
		cap = (unsigned int)n + 16;     /* ports appeared meanwhile */
	}
}

/* In per-cpu mode the kernel ignores vport pids for misses; pointing them
 * at 0 keeps a later switch to per-vport dispatch from sending upcalls to
 * sockets nobody reads any more. */
static void
clear_vport_pids(struct ovsdp_dispatch_instance *d)
{
	uint32_t *ports = NULL;
	const uint32_t zero = 0;
	int n = list_ports(d, &ports);

	if (n < 0) {
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_WARNING,
			     "cannot list ports to clear their upcall pids: %s", dsock_strerror(-n));
		return;
	}
	for (int i = 0; i < n; i++) {
		int r = d->host->vport_set_upcall_pids(d->ctx, ports[i], &zero, 1);

		if (r < 0 && r != -ENODEV)
			d->host->log(d->ctx, OVSDP_DISPATCH_LOG_WARNING,
				     "port %u keeps its upcall pids: %s", (unsigned int)ports[i],
				     dsock_strerror(-r));
	}
	free(ports);
}

/* Enabling re-points the per-cpu array, then clears the vport pids: in
 * that order a live switch from per-vport never leaves a miss without a
 * socket.  Disabling points every CPU at 0 (the kernel counts misses as
 * lost) and keeps the sockets for the core to drain. */
static int
per_cpu_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	int r;

	reap_orphans(d);
	if (!enable) {
		if (!d->enabled)
			return 0;
		r = point_kernel(d, NULL, 0);
		if (r == 0)
			d->enabled = false;
		return r;
	}
	if (d->n_handlers == 0)
		return -EINVAL;         /* handlers_set comes first */
	r = point_kernel(d, d->handlers, d->n_handlers);
	if (r < 0)
		return r;
	d->enabled = true;
	clear_vport_pids(d);
	return 0;
}

/* Resize to n sockets.  Growing opens the new sockets before the kernel
 * names them; shrinking re-points the kernel first and then hands each
 * removed socket, with what is still queued on it, to the surviving
 * handler i % n, which drains it before it is closed. */
static int
per_cpu_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n)
{
	uint32_t old = d->n_handlers, keep = DSOCK_MIN(n, old);
	struct pc_handler *hs;
	int r;

	if (n == 0)
		return -EINVAL;
	if (n == old) {
		reap_orphans(d);
		return 0;
	}
	hs = DSOCK_NEW0(struct pc_handler, n);
	if (keep)
		memcpy(hs, d->handlers, keep * sizeof *hs);
	for (uint32_t i = keep; i < n; i++) {
		r = handler_open(d, &hs[i]);
		if (r < 0) {
			while (i-- > keep)
				handler_close(d, &hs[i]);
			free(hs);
			return r;
		}
	}
	if (d->enabled) {
		r = point_kernel(d, hs, n);
		if (r < 0) {
			for (uint32_t i = keep; i < n; i++)
				handler_close(d, &hs[i]);
			free(hs);
			return r;
		}
	}
	for (uint32_t i = n; i < old; i++) {
		struct pc_handler *gone = &d->handlers[i], *heir = &hs[i % n];

		adopt(d, heir, gone->sock);
		for (unsigned int k = 0; k < gone->n_orphans; k++)
			adopt(d, heir, gone->orphans[k].sock);
		free(gone->orphans);
		close(gone->epfd);
		dsock_counters_add(&d->gone, &gone->c);
	}
	free(d->handlers);
	d->handlers = hs;
	d->n_handlers = n;
	reap_orphans(d);
	return 0;
}

/* One handler per CPU this process may run on, more (a prime) when some
 * CPUs are isolated: see per-cpu-count.h. */
static bool
per_cpu_number_handlers_required(struct ovsdp_dispatch_instance *d, uint32_t *n_handlers)
{
	const struct ovsdp_dispatch_features *f = d->host->features(d->ctx);

	*n_handlers = per_cpu_handler_count(f ? f->cpus_affinity : 0, f ? f->cpus_online : 0);
	return true;
}

/* A new port's misses already follow the per-cpu array; its own pids go
 * to 0 for the reason clear_vport_pids gives.  Before enabling, leave
 * them: the dispatcher we replace may still route by them. */
static int
per_cpu_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	const uint32_t zero = 0;
	int r;

	reap_orphans(d);
	if (!d->enabled)
		return 0;
	r = d->host->vport_set_upcall_pids(d->ctx, port_no, &zero, 1);
	return r == -ENODEV ? 0 : r;
}

static void
per_cpu_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	(void)port_no;
	reap_orphans(d);        /* no per-port state */
}

/* The kernel picks the socket from its CPU array, whatever pid a
 * userspace action names, but it refuses to install one whose pid is 0. */
static uint32_t
per_cpu_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	(void)d;
	(void)port_no;
	return OVSDP_DISPATCH_PID_PER_CPU;
}

static int
per_cpu_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	if (handler >= d->n_handlers)
		return -EINVAL;
	return d->handlers[handler].epfd;
}

/* Orphans first: what they hold was queued before anything on the
 * handler's own socket, so one flow's upcalls keep their order. */
static int
per_cpu_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	     struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	struct pc_handler *h;
	unsigned int got = 0;
	int r;

	if (handler >= d->n_handlers || !batch)
		return -EINVAL;
	h = &d->handlers[handler];
	for (unsigned int k = 0; k < h->n_orphans && got < n; k++) {
		r = dsock_recv(d->host, d->ctx, h->orphans[k].sock, batch + got, n - got, &h->c,
			       NULL, overruns);
		if (r < 0)
			goto error;
		if (r == 0)
			h->orphans[k].seen_empty = true;
		got += (unsigned int)r;
	}
	if (got < n) {
		r = dsock_recv(d->host, d->ctx, h->sock, batch + got, n - got, &h->c, NULL,
			       overruns);
		if (r < 0)
			goto error;
		got += (unsigned int)r;
	}
	if (got == 0)
		h->c.empty++;
	h->c.upcalls += got;
	return (int)got;
error:
	d->host->log(d->ctx, OVSDP_DISPATCH_LOG_WARNING, "handler %u: reading upcalls: %s",
		     (unsigned int)handler, dsock_strerror(-r));
	h->c.upcalls += got;
	return got ? (int)got : r;
}

static void
per_cpu_recv_purge(struct ovsdp_dispatch_instance *d)
{
	for (uint32_t i = 0; i < d->n_handlers; i++) {
		struct pc_handler *h = &d->handlers[i];

		d->host->usock_purge(d->ctx, h->sock);
		for (unsigned int k = 0; k < h->n_orphans; k++) {
			d->host->usock_purge(d->ctx, h->orphans[k].sock);
			h->orphans[k].seen_empty = true;
		}
	}
	reap_orphans(d);
}

static unsigned int
count_orphans(const struct ovsdp_dispatch_instance *d)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < d->n_handlers; i++)
		n += d->handlers[i].n_orphans;
	return n;
}

static int
per_cpu_stats(struct ovsdp_dispatch_instance *d, uint32_t handler,
	      struct ovsdp_dispatch_stats *out)
{
	struct dsock_counters sum;
	uint64_t sockets;

	if (!out)
		return -EINVAL;
	reap_orphans(d);
	if (handler == OVSDP_DISPATCH_ALL_HANDLERS) {
		sockets = d->n_handlers + count_orphans(d);
		sum = d->gone;
		for (uint32_t i = 0; i < d->n_handlers; i++)
			dsock_counters_add(&sum, &d->handlers[i].c);
	} else if (handler < d->n_handlers) {
		sockets = 1 + d->handlers[handler].n_orphans;
		sum = d->handlers[handler].c;
	} else {
		return -EINVAL;
	}
	dsock_stats_fill(out, d->n_handlers, sockets, &sum);
	return 0;
}

static int
per_cpu_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	const struct ovsdp_dispatch_features *f;
	unsigned int orphans;
	char retiring[48] = "";

	if (!buf || !len)
		return -EINVAL;
	if (!d) {
		snprintf(buf, len, "per-cpu: one socket per handler; "
			 "the kernel picks the socket by the CPU the packet arrived on");
		return 0;
	}
	f = d->host->features(d->ctx);
	orphans = count_orphans(d);
	if (orphans)
		snprintf(retiring, sizeof retiring, " (%u draining after a resize)", orphans);
	snprintf(buf, len, "per-cpu: %u handlers, %u sockets%s, %u CPU ids%s",
		 (unsigned int)d->n_handlers, (unsigned int)d->n_handlers + orphans, retiring,
		 d->enabled ? d->n_cpu_ids : (f ? f->cpu_ids : 0),
		 d->enabled ? "" : ", not receiving");
	return 0;
}

static const struct ovsdp_dispatch_vtable per_cpu_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.probe = per_cpu_probe,
	.create = per_cpu_create,
	.destroy = per_cpu_destroy,
	.recv_set = per_cpu_recv_set,
	.handlers_set = per_cpu_handlers_set,
	.number_handlers_required = per_cpu_number_handlers_required,
	.port_added = per_cpu_port_added,
	.port_deleted = per_cpu_port_deleted,
	.port_get_pid = per_cpu_port_get_pid,
	.wait_fd = per_cpu_wait_fd,
	.recv = per_cpu_recv,
	.recv_purge = per_cpu_recv_purge,
	.stats = per_cpu_stats,
	.describe = per_cpu_describe,
};

static const struct ovsdp_dispatch_option per_cpu_options[] = {
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_descriptor per_cpu_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "per-cpu",
	.description = "one socket per handler, the kernel dispatches by CPU (Linux 5.14+)",
	.vtable = &per_cpu_vtable,
	.options = per_cpu_options,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &per_cpu_descriptor;
}
