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
 * wait(), and keeping each port's upcalls in order (keep-order). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <ovsdp/dispatch.h>

#include "dispatch-sock.h"
#include "per-port.h"

/* One upcall socket, which is the port (or a deleted port's, still being
 * drained).  epoll's data.ptr points at its 'ds'; NULL marks the core's
 * wake fd, &more_mark a handler's 'more' eventfd.
 *
 * keep-order: two handlers that read consecutive batches of one socket
 * would execute them side by side, and a flow's frames would leave out of
 * order.  So a socket has an owner, the handler that saw it ready and
 * claimed it (compare-and-swap from NO_OWNER): only the owner reads it, first thing on each of its recv calls (the
 * core calls recv again only once the batch before is executed), until a
 * read finds it empty; then it lets go.  The sockets are edge-triggered in
 * every set, so that a handler woken for a socket someone else owns is
 * not woken again and again by it (level-triggered, its epoll_wait would
 * return at once until the owner emptied the socket: a busy loop).  Such
 * a handler "parks" the socket: takes it out of its own set and sets its
 * bit in 'parked', so that the upcalls the owner has still to read wake it
 * no more; the owner, when it lets go, puts the socket back in each parked
 * handler's set, and epoll_ctl's ADD reports it there at once if it is
 * readable.  Parking re-reads 'owner' after setting its bit, the owner
 * reads 'parked' after clearing 'owner' (both sequentially consistent), so
 * one of the two always sees the other: no socket is left out of a set
 * with upcalls and no owner.  A handler past PARK_MAX cannot park: it
 * sets 'skipped' instead, and the owner that lets go after that looks at
 * the socket once more (an edge that woke only that handler would
 * otherwise be lost). */
struct vsock {
	struct dsock ds;        /* first: epoll hands back &ds */
	struct dsock_port_counters counters;
	int owner;              /* keep-order: the handler reading it, or NO_OWNER (atomic) */
	uint64_t parked;        /* keep-order: bit i, handler i took it out of its set (atomic) */
	int skipped;            /* keep-order: a handler >= PARK_MAX passed it by (atomic) */
};

#define NO_OWNER (-1)
/* Handlers from this index on do not park (no bit): edge-triggered, they
 * wake once per upcall for a socket someone else owns, and never spin. */
#define PARK_MAX 64

/* data.ptr of the handlers' 'more' eventfds. */
static char more_mark;

struct ovsdp_dispatch_instance {
	struct pport b;                 /* first: the base's methods take the instance */
	bool exclusive;                 /* sockets are EPOLLEXCLUSIVE in every set */
	bool ordered;                   /* keep-order: owners, edge-triggered sockets */
	const char *why;                /* how 'exclusive' was decided, for describe */
};

static const struct pport_ops per_vport_ops;

static int
per_vport_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 struct ovsdp_dispatch_instance **out)
{
	const struct ovsdp_dispatch_features *f;
	struct ovsdp_dispatch_instance *d;
	const char *mode, *order;
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
	order = host->option(ctx, "keep-order");
	if (order && strcmp(order, "on") && strcmp(order, "off")) {
		host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "keep-order = %s: expected on or off", order);
		return -EINVAL;
	}
	d = pport_new(sizeof(struct ovsdp_dispatch_instance), host, ctx, &per_vport_ops);
	d->ordered = !order || !strcmp(order, "on");
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

/* Put s in h's set: 0 or a negative errno (-EEXIST: it is there). */
static int
sock_add(struct pport *b, struct dsock *s, struct pport_handler *h)
{
	struct epoll_event ev = {
		.events = EPOLLIN | (inst(b)->exclusive ? EPOLLEXCLUSIVE : 0) |
			  (inst(b)->ordered ? EPOLLET : 0),
		.data.ptr = s,
	};

	return epoll_ctl(h->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0 ? -errno : 0;
}

static int
sock_register(struct pport *b, struct dsock *s, struct pport_handler *h)
{
	int r = sock_add(b, s, h);

	if (r < 0)
		b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u's socket to an "
			     "epoll set: %s", (unsigned int)s->port_no, dsock_strerror(-r));
	return r;
}

static void
sock_close(struct pport *b, struct dsock *s)
{
	for (uint32_t i = 0; i < b->n_handlers; i++) {
		struct dsock_vec *owned = &b->handlers[i]->owned;

		epoll_ctl(b->handlers[i]->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		for (size_t k = owned->len; k-- > 0;)
			if (owned->items[k] == (void *)s)
				dsock_vec_remove_fast(owned, k);
	}
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
	else
		s->owner = NO_OWNER;
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

static void more_clear(struct pport_handler *h);

/* keep-order, before a resize (no handler reads meanwhile): nobody owns
 * a socket any more, each is back in every set it was parked out of, and
 * one set is shown each readable socket again (edge-triggered, the
 * readiness that a dropped owner had taken would be seen by nobody). */
static void
order_reset(struct pport *b)
{
	struct dsock **socks;
	unsigned int n;

	for (uint32_t i = 0; i < b->n_handlers; i++) {
		b->handlers[i]->owned.len = 0;
		more_clear(b->handlers[i]);
	}
	socks = pport_sock_array(b, &n);
	for (unsigned int k = 0; k < n; k++) {
		struct vsock *s = (struct vsock *)(void *)socks[k];

		s->owner = NO_OWNER;
		s->parked = 0;
		s->skipped = 0;
		for (uint32_t i = 0; i < b->n_handlers; i++)
			sock_add(b, socks[k], b->handlers[i]);        /* -EEXIST: never left */
	}
	free(socks);
	if (b->n_handlers)
		repoke_ready(b);
}

static int
resize(struct pport *b, uint32_t n_handlers)
{
	uint32_t old = b->n_handlers;
	bool ordered = inst(b)->ordered;
	struct dsock **socks;
	unsigned int n;
	int r;

	if (ordered)
		order_reset(b);
	if (n_handlers < old) {
		/* The kernel names ports, not handlers: nothing to re-point. */
		pport_handlers_close(b, n_handlers, old, true);
		b->n_handlers = n_handlers;
		if (ordered || inst(b)->exclusive)
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

/* The 'more' eventfd: readable while h owns sockets, when the core
 * poll()s h's set (a live switch's drain, pull mode) instead of calling
 * wait, which looks at h's sockets itself. */
static void
more_set(struct pport_handler *h)
{
	uint64_t one = 1;

	if (h->more >= 0 && h->polled && !h->more_set &&
	    write(h->more, &one, sizeof one) == (ssize_t)sizeof one)
		h->more_set = true;
}

static void
more_clear(struct pport_handler *h)
{
	uint64_t v;
	ssize_t r;

	if (!h->more_set)
		return;
	r = read(h->more, &v, sizeof v);
	(void)r;
	h->more_set = false;
}

/* Handler hi leaves socket s to others: item i of its owned sockets.
 * Then every handler that parked s gets it back in its set. */
static void sock_seen(struct ovsdp_dispatch_instance *d, uint32_t hi, struct vsock *s);

static void
release(struct ovsdp_dispatch_instance *d, uint32_t hi, size_t i)
{
	struct pport_handler *h = d->b.handlers[hi];
	struct vsock *s = h->owned.items[i];
	uint64_t parked;

	dsock_vec_remove_fast(&h->owned, i);
	if (!h->owned.len)
		more_clear(h);
	__atomic_store_n(&s->owner, NO_OWNER, __ATOMIC_SEQ_CST);
	parked = __atomic_exchange_n(&s->parked, 0, __ATOMIC_SEQ_CST);
	for (uint32_t k = 0; parked && k < d->b.n_handlers && k < PARK_MAX; k++)
		if (parked & (UINT64_C(1) << k))
			sock_add(&d->b, &s->ds, d->b.handlers[k]);
	if (__atomic_exchange_n(&s->skipped, 0, __ATOMIC_SEQ_CST) && dsock_readable(s->ds.fd))
		sock_seen(d, hi, s);
}

/* Handler hi takes s if nobody owns it: true when it did. */
static bool
claim(struct pport_handler *h, uint32_t hi, struct vsock *s)
{
	int none = NO_OWNER;

	if (!__atomic_compare_exchange_n(&s->owner, &none, (int)hi, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return false;
	dsock_vec_push(&h->owned, s);
	more_set(h);
	return true;
}

/* Handler hi saw s ready: it owns it from now on, unless another handler
 * does, in which case hi parks it (see struct vsock). */
static void
sock_seen(struct ovsdp_dispatch_instance *d, uint32_t hi, struct vsock *s)
{
	struct pport_handler *h = d->b.handlers[hi];
	uint64_t bit;

	if (__atomic_load_n(&s->owner, __ATOMIC_ACQUIRE) == (int)hi || claim(h, hi, s))
		return;
	if (hi >= PARK_MAX) {
		__atomic_store_n(&s->skipped, 1, __ATOMIC_SEQ_CST);
		claim(h, hi, s);        /* the owner let go meanwhile */
		return;
	}
	bit = UINT64_C(1) << hi;
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, s->ds.fd, NULL);
	__atomic_fetch_or(&s->parked, bit, __ATOMIC_SEQ_CST);
	/* The owner let go before it could see the bit: back in, where
	 * the ADD reports it at once if it is readable. */
	if (__atomic_load_n(&s->owner, __ATOMIC_SEQ_CST) == NO_OWNER &&
	    (__atomic_fetch_and(&s->parked, ~bit, __ATOMIC_SEQ_CST) & bit))
		sock_add(&d->b, &s->ds, h);
}

/* Put items [0, k) of v after the others, in the same order. */
static void
vec_rotate(struct dsock_vec *v, size_t k)
{
	void **tmp;

	if (k == 0 || k >= v->len)
		return;
	tmp = DSOCK_NEW0(void *, k);
	memcpy(tmp, v->items, k * sizeof *tmp);
	memmove(v->items, v->items + k, (v->len - k) * sizeof *tmp);
	memcpy(v->items + v->len - k, tmp, k * sizeof *tmp);
	free(tmp);
}

/* keep-order's recv: what the set reports is claimed (or parked), then
 * the owned sockets share the batch as dsock_epoll_recv's ready ones do;
 * one that reads empty is let go. */
static int
per_vport_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	       struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	struct epoll_event ev[DSOCK_RECV_EVENTS];
	struct pport_handler *h;
	unsigned int got = 0;
	size_t i = 0;
	int k;

	if (!d->ordered)
		return pport_recv(d, handler, batch, n, overruns);
	if (handler >= d->b.n_handlers || !batch || !overruns)
		return -EINVAL;
	h = d->b.handlers[handler];
	k = epoll_wait(h->epfd, ev, DSOCK_RECV_EVENTS, 0);
	for (int e = 0; e < k; e++)
		if (ev[e].data.ptr && ev[e].data.ptr != &more_mark)
			sock_seen(d, handler, ev[e].data.ptr);
	while (i < h->owned.len && got < n) {
		struct vsock *s = h->owned.items[i];
		unsigned int left = (unsigned int)(h->owned.len - i);
		unsigned int share = (n - got + left - 1) / left;
		uint64_t overran = h->c.overruns;
		int r = dsock_recv(d->b.host, d->b.ctx, s->ds.us, batch + got, share, &h->c,
				   s->ds.port, overruns);

		if (r > 0)
			got += (unsigned int)r;
		if (r > 0 || h->c.overruns != overran)
			i++;    /* not empty (an overrun again: read on next time) */
		else
			release(d, handler, i);
	}
	/* A full batch: those not reached come first next time. */
	vec_rotate(&h->owned, i);
	if (got == 0)
		h->c.empty++;
	else
		h->c.upcalls += got;
	return (int)got;
}

/* wait_fd: the set, with the 'more' eventfd in it from the first call on
 * (keep-order). */
static int
per_vport_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	struct pport_handler *h;

	if (!d->ordered || handler >= d->b.n_handlers)
		return pport_wait_fd(d, handler);
	h = d->b.handlers[handler];
	if (h->more < 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &more_mark };
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (fd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			int r = -errno;

			d->b.host->log(d->b.ctx, OVSDP_DISPATCH_LOG_ERR, "handler %u: the "
				       "keep-order eventfd: %s", (unsigned int)handler,
				       dsock_strerror(-r));
			if (fd >= 0)
				close(fd);
			return r;
		}
		h->more = fd;
	}
	h->polled = true;
	if (h->owned.len)
		more_set(h);
	return h->epfd;
}

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
	if (d->ordered) {
		h->polled = false;
		/* What it owns it reads first: no sleep before that. */
		if (h->owned.len)
			return 1;
	}
	k = epoll_wait(h->epfd, ev, 4, timeout_ms);
	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < k; i++) {
		if (!ev[i].data.ptr || ev[i].data.ptr == &more_mark)
			continue;
		/* Level-triggered, the socket is reported again to recv. */
		if (!d->ordered)
			return 1;
		/* Edge-triggered, this is the one report: claim or park. */
		sock_seen(d, handler, ev[i].data.ptr);
	}
	return d->ordered && h->owned.len > 0;
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
	if (d->ordered)
		dsock_appendf(buf, len, &k, ", one reader per port (keep-order)");
	return pport_describe_tail(d, buf, len, k);
}

static const struct ovsdp_dispatch_vtable per_vport_vtable =
	PPORT_VTABLE(per_vport_create, pport_recv_set, per_vport_describe, per_vport_wait,
		     per_vport_wait_fd, per_vport_recv);

static const struct ovsdp_dispatch_option per_vport_options[] = {
	{ "epoll-exclusive", "auto;on;off", "auto",
	  "wake one handler per upcall (on), all of them (off), or on when the kernel has EPOLLEXCLUSIVE (auto)" },
	{ "keep-order", "on;off", "on",
	  "keep each port's upcalls in order: one handler at a time reads a port's socket, until it is empty (on), or any handler reads any batch (off)" },
	{ NULL, NULL, NULL, NULL },
};

PPORT_PLUGIN("per-vport", "one socket per port, every handler polls all of them (EPOLLEXCLUSIVE)",
	     &per_vport_vtable, per_vport_options)
