/* dispatch-per-vport: OVS 2.11's dispatch: one upcall socket per port,
 * added to every handler's epoll set with EPOLLEXCLUSIVE so one handler,
 * not all of them, wakes for each upcall.  The core's handler threads
 * sleep in this plugin's wait (ABI 1.1), in epoll_wait() on their own
 * set: EPOLLEXCLUSIVE wakes one waiter only when that waiter sleeps in
 * epoll_wait() on the set itself (the kernel's ep_poll_callback() counts an
 * exclusive wakeup only for threads on the set's own wait queue; a poll()
 * on an epoll fd waits on another queue, so every set wakes).  The plugin
 * has no threads.  Works on every kernel.  The port table, take-over,
 * retiring, purge, stats and describe()'s tail are the per-port base's
 * (common/per-port.h); what is here is what one shared socket per port
 * adds: the epoll-exclusive option, registering each socket in every set,
 * and wait(). */
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
#include "per-port.h"

/* One upcall socket, which is the port (or a deleted port's, still being
 * drained).  epoll's data.ptr points at its 'ds'; NULL marks the core's
 * wake fd. */
struct vsock {
	struct dsock ds;        /* first: epoll hands back &ds */
	struct dsock_port_counters counters;
};

struct ovsdp_dispatch_instance {
	struct pport b;                 /* first: the base's methods take the instance */
	bool exclusive;                 /* sockets are EPOLLEXCLUSIVE in every set */
	const char *why;                /* how 'exclusive' was decided, for describe */
};

static const struct pport_ops per_vport_ops;

static int
per_vport_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 struct ovsdp_dispatch_instance **out)
{
	const struct ovsdp_dispatch_features *f;
	struct ovsdp_dispatch_instance *d;
	const char *mode;
	bool has;
	int r = pport_host_check(host, ctx, out, "per-vport");

	if (r < 0)
		return r;
	if (!HOST_CAN(host, option) || !HOST_CAN(host, features))
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
	d = pport_new(sizeof(struct ovsdp_dispatch_instance), host, ctx, &per_vport_ops);
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

/* The instance a base belongs to. */
static struct ovsdp_dispatch_instance *
inst(struct pport *b)
{
	return (struct ovsdp_dispatch_instance *)(void *)b;
}

/* ---- handlers ------------------------------------------------------------ */

/* Put the core's wake fd for this handler in its epoll set (not
 * exclusive: it is this handler's alone).  A duplicate, so that the
 * descriptor taken out again is ours whatever the core does with its own. */
static int
handler_watch_wake(struct ovsdp_dispatch_instance *d, struct pport_handler *h, int wake_fd)
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

		d->b.host->log(d->b.ctx, OVSDP_DISPATCH_LOG_ERR,
			       "watching the handler's wake fd %d: %s", wake_fd, dsock_strerror(-r));
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
sock_register(struct pport *b, struct dsock *s, struct pport_handler *h)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (inst(b)->exclusive ? EPOLLEXCLUSIVE : 0),
		.data.ptr = s,
	};

	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		int r = -errno;

		b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u's socket to an "
			     "epoll set: %s", (unsigned int)s->port_no, dsock_strerror(-r));
		return r;
	}
	return 0;
}

static void
sock_close(struct pport *b, struct dsock *s)
{
	for (uint32_t i = 0; i < b->n_handlers; i++)
		epoll_ctl(b->handlers[i]->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	b->host->usock_close(b->ctx, s->us);
	free(s);        /* the struct vsock it starts */
}

/* A new port: its socket, in every handler's set. */
static int
port_open(struct pport *b, uint32_t port_no, void **out)
{
	struct vsock *s = DSOCK_NEW0(struct vsock, 1);
	int r = dsock_open(b->host, b->ctx, port_no, &s->counters, &s->ds);

	if (r < 0)
		free(s);
	for (uint32_t i = 0; r == 0 && i < b->n_handlers; i++) {
		r = sock_register(b, &s->ds, b->handlers[i]);
		if (r < 0)
			sock_close(b, &s->ds);
	}
	if (r < 0) {
		b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u: %s%s",
			     (unsigned int)port_no, dsock_strerror(-r),
			     r == -EMFILE ? " (raise RLIMIT_NOFILE: one descriptor per port)" : "");
		return r;
	}
	*out = s;
	return 0;
}

/* The kernel names ports, not handlers: one pid, whatever n is. */
static int
point_port(struct pport *b, const void *port, uint32_t n)
{
	const struct vsock *s = port;
	uint32_t pid = n ? s->ds.portid : 0;

	return b->host->vport_set_upcall_pids(b->ctx, s->ds.port_no, &pid, 1);
}

/* ---- control methods ------------------------------------------------------ */

/* After handlers left, a socket whose readiness only a removed epoll set
 * had seen (EPOLLEXCLUSIVE stops at the first woken set) would wait for its
 * next upcall: re-adding it to a surviving set makes epoll look at it now. */
static void
repoke_ready(struct pport *b)
{
	struct dsock **socks;
	struct pollfd *pfd;
	unsigned int n;

	socks = pport_sock_array(b, &n);
	pfd = DSOCK_NEW0(struct pollfd, n + 1);
	for (unsigned int i = 0; i < n; i++) {
		pfd[i].fd = socks[i]->fd;
		pfd[i].events = POLLIN;
	}
	if (n && poll(pfd, n, 0) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct pport_handler *h = b->handlers[i % b->n_handlers];

			if (!(pfd[i].revents & POLLIN))
				continue;
			epoll_ctl(h->epfd, EPOLL_CTL_DEL, socks[i]->fd, NULL);
			sock_register(b, socks[i], h);
		}
	}
	free(pfd);
	free(socks);
}

static int
resize(struct pport *b, uint32_t n_handlers)
{
	uint32_t old = b->n_handlers;
	struct dsock **socks;
	unsigned int n;
	int r;

	if (n_handlers < old) {
		/* The kernel names ports, not handlers: nothing to re-point. */
		pport_handlers_close(b, n_handlers, old, true);
		b->n_handlers = n_handlers;
		if (inst(b)->exclusive)
			repoke_ready(b);
		return 0;
	}
	r = pport_handlers_open(b, n_handlers);
	if (r < 0)
		return r;
	socks = pport_sock_array(b, &n);
	for (uint32_t i = old; i < n_handlers && r == 0; i++)
		for (unsigned int k = 0; k < n && r == 0; k++)
			r = sock_register(b, socks[k], b->handlers[i]);
	free(socks);
	if (r < 0) {
		pport_handlers_close(b, old, n_handlers, false);
		return r;
	}
	b->n_handlers = n_handlers;
	return 0;
}

/* The rest is the base's default: the port is its one socket, shared by
 * every handler, so a deleted port's retires whole. */
static const struct pport_ops per_vport_ops = {
	.port_open = port_open,
	.point = point_port,
	.sock_close = sock_close,
	.resize = resize,
};

/* ---- handler methods ------------------------------------------------------ */

/* The handler thread sleeps here, in epoll_wait() on its own set: with
 * EPOLLEXCLUSIVE the kernel wakes one such sleeper per upcall.  (wait_fd,
 * what the core poll()s while a live switch drains an instance, is the
 * set itself: every handler wakes then, for those few moments.) */
static int
per_vport_wait(struct ovsdp_dispatch_instance *d, uint32_t handler, int wake_fd, int timeout_ms)
{
	struct epoll_event ev[4];
	struct pport_handler *h;
	int k;

	if (handler >= d->b.n_handlers || wake_fd < 0)
		return -EINVAL;
	h = d->b.handlers[handler];
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

/* ---- describe ------------------------------------------------------------ */

static int
per_vport_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	int k;

	if (!d || !buf || !len)
		return pport_describe_idle(buf, len, "per-vport: one socket per port, shared by "
					   "every handler through EPOLLEXCLUSIVE");
	if (d->exclusive)
		k = snprintf(buf, len, "per-vport: %u sockets, EPOLLEXCLUSIVE, %u handlers",
			     (unsigned int)d->b.ports.len, (unsigned int)d->b.n_handlers);
	else
		k = snprintf(buf, len, "per-vport: %u sockets, every one of %u handlers wakes "
			     "per upcall (%s)", (unsigned int)d->b.ports.len,
			     (unsigned int)d->b.n_handlers, d->why);
	return pport_describe_tail(d, buf, len, k);
}

static const struct ovsdp_dispatch_vtable per_vport_vtable =
	PPORT_VTABLE(per_vport_create, pport_recv_set, per_vport_describe, per_vport_wait);

static const struct ovsdp_dispatch_option per_vport_options[] = {
	{ "epoll-exclusive", "auto;on;off", "auto",
	  "wake one handler per upcall (on), all of them (off), or on when the kernel has EPOLLEXCLUSIVE (auto)" },
	{ NULL, NULL, NULL, NULL },
};

PPORT_PLUGIN("per-vport", "one socket per port, every handler polls all of them (EPOLLEXCLUSIVE)",
	     &per_vport_vtable, per_vport_options)
