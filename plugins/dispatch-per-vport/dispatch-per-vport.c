/* dispatch-per-vport: OVS 2.11's dispatch: one upcall socket per port,
 * added to every handler's epoll set with EPOLLEXCLUSIVE so one handler,
 * not all of them, wakes for each upcall.  The core's handler threads
 * sleep in this plugin's wait (ABI 1.1), in epoll_wait() on their own
 * set: EPOLLEXCLUSIVE wakes one waiter only when that waiter sleeps in
 * epoll_wait() on the set itself (the kernel's ep_poll_callback() counts an
 * exclusive wakeup only for threads on the set's own wait queue; a poll()
 * on an epoll fd waits on another queue, so every set wakes).  The plugin
 * has no threads.  Works on every kernel. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <ovsdp/dispatch.h>

#include "dispatch-sock.h"

/* One upcall socket (a port's, or a deleted port's still being drained).
 * epoll's data.ptr points at its 'ds'; NULL marks the core's wake fd. */
struct vsock {
	struct dsock ds;        /* first: epoll hands back &ds */
	struct dsock_port_counters counters;
};

/* One handler: its epoll set, where its thread sleeps in wait(). */
struct vhandler {
	int epfd;               /* every socket, EPOLLEXCLUSIVE when exclusive */
	int wake;               /* our dup of the core's wake fd, in epfd; -1 */
	int wake_src;           /* the core's wake fd it duplicates */
	struct dsock_counters c;        /* written by this handler's thread only */
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	bool exclusive;                 /* sockets are EPOLLEXCLUSIVE in every set */
	const char *why;                /* how 'exclusive' was decided, for describe */
	bool enabled;                   /* the kernel's vport pids name our sockets */
	uint32_t n_handlers;
	struct vhandler **handlers;
	struct dsock_map ports;         /* port_no -> struct vsock * */
	struct dsock_vec retiring;      /* struct vsock * of deleted ports */
	struct dsock_counters gone;     /* of handlers removed by handlers_set */
};

/* Per-port pids are the kernel's original dispatch; EPOLLEXCLUSIVE only
 * changes how handlers wake, and create() decides it from the features. */
static int
per_vport_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len)
{
	(void)features;
	if (reason_len)
		reason[0] = '\0';
	return 0;
}

static int
per_vport_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 struct ovsdp_dispatch_instance **out)
{
	const struct ovsdp_dispatch_features *f;
	struct ovsdp_dispatch_instance *d;
	const char *mode;
	bool has;

	if (!host || !out || !HOST_CAN(host, log))
		return -EINVAL;
	if (!HOST_CAN(host, option) || !HOST_CAN(host, features) || !dsock_host_usable(host))
		return dsock_host_lacks(host, ctx, "per-vport");
	f = host->features(ctx);
	has = f && f->epoll_exclusive;
	mode = host->option(ctx, "epoll-exclusive");
	if (!mode)
		mode = "auto";
	if (!strcmp(mode, "on") && !has) {
		host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "epoll-exclusive = on, but this kernel "
			  "(%s) does not honour EPOLLEXCLUSIVE (Linux 4.5+); set it to auto or off",
			  f ? f->kernel_release : "unknown");
		return -EOPNOTSUPP;
	}
	if (strcmp(mode, "on") && strcmp(mode, "off") && strcmp(mode, "auto")) {
		host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "epoll-exclusive = %s: expected auto, on "
			  "or off", mode);
		return -EINVAL;
	}
	d = DSOCK_NEW0(struct ovsdp_dispatch_instance, 1);
	d->host = host;
	d->ctx = ctx;
	if (!strcmp(mode, "off")) {
		d->why = "epoll-exclusive = off";
	} else if (has) {
		d->exclusive = true;
		d->why = !strcmp(mode, "on") ? "epoll-exclusive = on" : "epoll-exclusive = auto";
	} else {
		d->why = "epoll-exclusive = auto, kernel lacks it";
	}
	*out = d;
	return 0;
}

/* ---- handlers ------------------------------------------------------------ */

static void
handler_free(struct vhandler *h)
{
	if (!h)
		return;
	if (h->wake >= 0)
		close(h->wake);
	if (h->epfd >= 0)
		close(h->epfd);
	free(h);
}

static int
handler_new(struct ovsdp_dispatch_instance *d, uint32_t index, struct vhandler **out)
{
	struct vhandler *h = DSOCK_NEW0(struct vhandler, 1);
	int r;

	h->wake = h->wake_src = -1;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epfd < 0) {
		r = -errno;
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "handler %u: epoll_create1: %s",
			     (unsigned int)index, dsock_strerror(-r));
		handler_free(h);
		return r;
	}
	*out = h;
	return 0;
}

/* Put the core's wake fd for this handler in its epoll set (not
 * exclusive: it is this handler's alone).  A duplicate, so that the
 * descriptor taken out again is ours whatever the core does with its own. */
static int
handler_watch_wake(struct ovsdp_dispatch_instance *d, struct vhandler *h, int wake_fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int fd;

	if (h->wake >= 0) {
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->wake, NULL);
		close(h->wake);
		h->wake = h->wake_src = -1;
	}
	fd = fcntl(wake_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "watching the handler's wake fd %d: %s",
			     wake_fd, dsock_strerror(-r));
		if (fd >= 0)
			close(fd);
		return r;
	}
	h->wake = fd;
	h->wake_src = wake_fd;
	return 0;
}

/* ---- sockets ------------------------------------------------------------ */

static int
sock_register(struct ovsdp_dispatch_instance *d, struct vsock *s, struct vhandler *h)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (d->exclusive ? EPOLLEXCLUSIVE : 0),
		.data.ptr = &s->ds,
	};

	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, s->ds.fd, &ev) < 0) {
		int r = -errno;

		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u's socket to an "
			     "epoll set: %s", (unsigned int)s->ds.port_no, dsock_strerror(-r));
		return r;
	}
	return 0;
}

static void
sock_close(struct ovsdp_dispatch_instance *d, struct vsock *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < d->n_handlers; i++)
		epoll_ctl(d->handlers[i]->epfd, EPOLL_CTL_DEL, s->ds.fd, NULL);
	d->host->usock_close(d->ctx, s->ds.us);
	free(s);
}

static int
sock_open(struct ovsdp_dispatch_instance *d, uint32_t port_no, struct vsock **out)
{
	struct vsock *s = DSOCK_NEW0(struct vsock, 1);
	int r = dsock_open(d->host, d->ctx, port_no, &s->counters, &s->ds);

	if (r < 0) {
		free(s);
		return r;
	}
	for (uint32_t i = 0; i < d->n_handlers; i++) {
		r = sock_register(d, s, d->handlers[i]);
		if (r < 0) {
			sock_close(d, s);
			return r;
		}
	}
	*out = s;
	return 0;
}

static void
close_retired(void *d, struct dsock *s)
{
	sock_close(d, (struct vsock *)s);
}

/* Close the deleted ports' sockets that have settled and are empty.
 * Called from control methods: no handler reads meanwhile. */
static void
reap_retiring(struct ovsdp_dispatch_instance *d)
{
	dsock_reap(&d->retiring, close_retired, d);
}

/* Every socket, ports' and retiring, in one array. */
static struct vsock **
sock_array(struct ovsdp_dispatch_instance *d, unsigned int *n, bool with_retiring)
{
	unsigned int cap = (unsigned int)d->ports.len + (with_retiring ? d->retiring.len : 0) + 1;
	struct vsock **a = DSOCK_NEW0(struct vsock *, cap);
	unsigned int k = 0;

	for (size_t i = 0; i < d->ports.len; i++)
		a[k++] = d->ports.vals[i];
	for (unsigned int i = 0; with_retiring && i < d->retiring.len; i++)
		a[k++] = d->retiring.items[i];
	*n = k;
	return a;
}

/* ---- the kernel's pid arrays --------------------------------------------- */

static int
point_port(struct ovsdp_dispatch_instance *d, const struct vsock *s, bool here)
{
	uint32_t pid = here ? s->ds.portid : 0;

	return d->host->vport_set_upcall_pids(d->ctx, s->ds.port_no, &pid, 1);
}

/* Point every port at its socket ('here') or at nobody; on failure put
 * those already changed back to the other.  A port the kernel no longer
 * has (-ENODEV) is skipped: its port_deleted follows. */
static int
point_ports(struct ovsdp_dispatch_instance *d, struct vsock **socks, unsigned int n, bool here)
{
	for (unsigned int i = 0; i < n; i++) {
		int r = point_port(d, socks[i], here);

		if (r == -ENODEV)
			continue;
		if (r < 0) {
			d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "pointing port %u %s: %s",
				     (unsigned int)socks[i]->ds.port_no,
				     here ? "at its socket" : "away", dsock_strerror(-r));
			while (i-- > 0)
				point_port(d, socks[i], !here);
			return r;
		}
	}
	return 0;
}

/* ---- control methods ------------------------------------------------------ */

static void
per_vport_destroy(struct ovsdp_dispatch_instance *d)
{
	struct vsock **socks;
	unsigned int n;

	if (!d)
		return;
	socks = sock_array(d, &n, true);
	for (unsigned int i = 0; i < n; i++)
		sock_close(d, socks[i]);
	free(socks);
	for (uint32_t i = 0; i < d->n_handlers; i++)
		handler_free(d->handlers[i]);
	dsock_map_free(&d->ports);
	dsock_vec_free(&d->retiring);
	free(d->handlers);
	free(d);
}

/* Point every port at this instance, and only then leave per-cpu
 * dispatch (if the datapath is in it): until that feature bit goes the
 * kernel ignores vport pids, so a switch from per-cpu loses nothing. */
static int
take_over(struct ovsdp_dispatch_instance *d)
{
	struct vsock **socks;
	unsigned int n;
	int r;

	socks = sock_array(d, &n, false);
	r = point_ports(d, socks, n, true);
	if (r == 0) {
		r = dsock_leave_per_cpu(d->host, d->ctx);
		if (r < 0 && !d->enabled)
			point_ports(d, socks, n, false);
	}
	free(socks);
	if (r == 0)
		d->enabled = true;
	return r;
}

static int
per_vport_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	struct vsock **socks;
	unsigned int n;
	int r;

	reap_retiring(d);
	if (enable)
		return take_over(d);
	if (!d->enabled)
		return 0;
	/* Keep the sockets: the core drains them before destroy. */
	socks = sock_array(d, &n, false);
	r = point_ports(d, socks, n, false);
	free(socks);
	if (r == 0)
		d->enabled = false;
	return r;
}

/* After handlers left, a socket whose readiness only a removed epoll set
 * had seen (EPOLLEXCLUSIVE stops at the first woken set) would wait for its
 * next upcall: re-adding it to a surviving set makes epoll look at it now. */
static void
repoke_ready(struct ovsdp_dispatch_instance *d)
{
	struct vsock **socks;
	struct pollfd *pfd;
	unsigned int n;

	socks = sock_array(d, &n, true);
	pfd = DSOCK_NEW0(struct pollfd, n + 1);
	for (unsigned int i = 0; i < n; i++) {
		pfd[i].fd = socks[i]->ds.fd;
		pfd[i].events = POLLIN;
	}
	if (n && poll(pfd, n, 0) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct vhandler *h = d->handlers[i % d->n_handlers];

			if (!(pfd[i].revents & POLLIN))
				continue;
			epoll_ctl(h->epfd, EPOLL_CTL_DEL, socks[i]->ds.fd, NULL);
			sock_register(d, socks[i], h);
		}
	}
	free(pfd);
	free(socks);
}

static int
per_vport_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n_handlers)
{
	uint32_t old = d->n_handlers;
	struct vsock **socks;
	unsigned int n;
	int r = 0;

	reap_retiring(d);
	if (n_handlers == 0)
		return -EINVAL;
	if (n_handlers == old)
		return 0;
	if (n_handlers < old) {
		/* The kernel names ports, not handlers: nothing to re-point. */
		for (uint32_t i = n_handlers; i < old; i++) {
			struct vhandler *h = d->handlers[i];

			dsock_counters_add(&d->gone, &h->c);
			handler_free(h);    /* its epoll set goes, and with it the registrations */
		}
		d->n_handlers = n_handlers;
		if (d->exclusive)
			repoke_ready(d);
		return 0;
	}
	d->handlers = DSOCK_RENEW(struct vhandler *, d->handlers, n_handlers);
	socks = sock_array(d, &n, true);
	for (uint32_t i = old; i < n_handlers && r == 0; i++) {
		d->handlers[i] = NULL;
		r = handler_new(d, i, &d->handlers[i]);
		for (unsigned int k = 0; k < n && r == 0; k++)
			r = sock_register(d, socks[k], d->handlers[i]);
	}
	free(socks);
	if (r < 0) {
		for (uint32_t i = old; i < n_handlers; i++) {
			handler_free(d->handlers[i]);
			d->handlers[i] = NULL;
		}
		return r;
	}
	d->n_handlers = n_handlers;
	return 0;
}

static int
per_vport_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct vsock *s;
	int r;

	reap_retiring(d);
	s = dsock_map_get(&d->ports, port_no);
	if (s) {
		/* Known already (the runtime and the vport notifications both
		 * report ports): point it at its socket again. */
		return d->enabled ? point_port(d, s, true) : 0;
	}
	r = sock_open(d, port_no, &s);
	if (r < 0) {
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u: %s%s",
			     (unsigned int)port_no, dsock_strerror(-r),
			     r == -EMFILE ? " (raise RLIMIT_NOFILE: one descriptor per port)" : "");
		return r;
	}
	/* Before recv_set(true), the kernel keeps pointing where it does. */
	if (d->enabled) {
		r = point_port(d, s, true);
		if (r < 0) {
			if (r != -ENODEV)
				d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
					     "pointing port %u at its socket: %s",
					     (unsigned int)port_no, dsock_strerror(-r));
			sock_close(d, s);
			return r;
		}
	}
	dsock_map_put(&d->ports, port_no, s);
	return 0;
}

static void
per_vport_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct vsock *s;

	reap_retiring(d);
	s = dsock_map_get(&d->ports, port_no);
	if (!s)
		return;
	dsock_map_remove(&d->ports, port_no);
	/* Still in every epoll set: what the port sent before it went is
	 * delivered, then reap_retiring closes it. */
	dsock_retire(&s->ds, &d->retiring);
}

/* ---- handler methods ------------------------------------------------------ */

static uint32_t
per_vport_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	const struct vsock *s;

	if (!d->enabled)
		return 0;
	s = dsock_map_get(&d->ports, port_no);
	return s ? s->ds.portid : 0;
}

/* What the core poll()s while a live switch drains an instance: the set
 * itself (every handler wakes then, for those few moments). */
static int
per_vport_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	if (handler >= d->n_handlers)
		return -EINVAL;
	return d->handlers[handler]->epfd;
}

/* The handler thread sleeps here, in epoll_wait() on its own set: with
 * EPOLLEXCLUSIVE the kernel wakes one such sleeper per upcall. */
static int
per_vport_wait(struct ovsdp_dispatch_instance *d, uint32_t handler, int wake_fd, int timeout_ms)
{
	struct epoll_event ev[4];
	struct vhandler *h;
	int k;

	if (handler >= d->n_handlers || wake_fd < 0)
		return -EINVAL;
	h = d->handlers[handler];
	if (h->wake_src != wake_fd) {
		int r = handler_watch_wake(d, h, wake_fd);

		if (r < 0)
			return r;
	}
	k = epoll_wait(h->epfd, ev, 4, timeout_ms);
	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < k; i++)
		if (ev[i].data.ptr)
			return 1;
	return 0;
}

static int
per_vport_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	       struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	struct vhandler *h;
	unsigned int got;

	if (handler >= d->n_handlers || !batch || !overruns)
		return -EINVAL;
	h = d->handlers[handler];
	got = dsock_epoll_recv(d->host, d->ctx, h->epfd, batch, n, &h->c, overruns);
	return (int)got;
}

/* ---- control: purge, stats, describe --------------------------------------- */

static void
per_vport_recv_purge(struct ovsdp_dispatch_instance *d)
{
	struct vsock **socks;
	unsigned int n;

	socks = sock_array(d, &n, true);
	for (unsigned int i = 0; i < n; i++)
		d->host->usock_purge(d->ctx, socks[i]->ds.us);
	free(socks);
	reap_retiring(d);
}

static int
per_vport_stats(struct ovsdp_dispatch_instance *d, uint32_t handler,
		struct ovsdp_dispatch_stats *out)
{
	struct dsock_counters sum = { 0, 0, 0 };

	if (!out)
		return -EINVAL;
	reap_retiring(d);
	if (handler == OVSDP_DISPATCH_ALL_HANDLERS) {
		sum = d->gone;
		for (uint32_t i = 0; i < d->n_handlers; i++)
			dsock_counters_add(&sum, &d->handlers[i]->c);
	} else if (handler < d->n_handlers) {
		sum = d->handlers[handler]->c;
	} else {
		return -EINVAL;
	}
	/* Every handler polls every socket: the count is the same for one
	 * handler as for all of them. */
	dsock_stats_fill(out, d->n_handlers, (unsigned int)d->ports.len + d->retiring.len, &sum);
	return 0;
}

static const struct dsock_port_counters *
port_counters(const void * s)
{
	return &((const struct vsock *)s)->counters;
}

static int
per_vport_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	int k;

	if (!buf || !len)
		return -EINVAL;
	if (!d) {
		snprintf(buf, len, "per-vport: one socket per port, shared by every handler "
			 "through EPOLLEXCLUSIVE");
		return 0;
	}
	if (d->exclusive)
		k = snprintf(buf, len, "per-vport: %u sockets, EPOLLEXCLUSIVE, %u handlers",
			     (unsigned int)d->ports.len, (unsigned int)d->n_handlers);
	else
		k = snprintf(buf, len, "per-vport: %u sockets, every one of %u handlers wakes "
			     "per upcall (%s)", (unsigned int)d->ports.len,
			     (unsigned int)d->n_handlers, d->why);
	dsock_describe_tail(buf, len, &k, d->retiring.len, &d->ports, port_counters, d->enabled);
	return 0;
}

/* Designated initialisers: several members share a type. */
static const struct ovsdp_dispatch_vtable per_vport_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.probe = per_vport_probe,
	.create = per_vport_create,
	.destroy = per_vport_destroy,
	.recv_set = per_vport_recv_set,
	.handlers_set = per_vport_handlers_set,
	.number_handlers_required = NULL,      /* the core decides the count */
	.port_added = per_vport_port_added,
	.port_deleted = per_vport_port_deleted,
	.port_get_pid = per_vport_port_get_pid,
	.wait_fd = per_vport_wait_fd,
	.recv = per_vport_recv,
	.recv_purge = per_vport_recv_purge,
	.stats = per_vport_stats,
	.describe = per_vport_describe,
	.wait = per_vport_wait,
};

static const struct ovsdp_dispatch_option per_vport_options[] = {
	{ "epoll-exclusive", "auto;on;off", "auto",
	  "wake one handler per upcall (on), all of them (off), or on when the kernel has EPOLLEXCLUSIVE (auto)" },
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_descriptor per_vport_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "per-vport",
	.description = "one socket per port, every handler polls all of them (EPOLLEXCLUSIVE)",
	.vtable = &per_vport_vtable,
	.options = per_vport_options,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &per_vport_descriptor;
}
