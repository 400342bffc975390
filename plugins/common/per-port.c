/* per-port.c: the per-port dispatch plugins' shared base (per-port.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "per-port.h"

int
pport_host_check(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 struct ovsdp_dispatch_instance **out, const char *plugin)
{
	if (!host || !out || !HOST_CAN(host, log))
		return -EINVAL;
	if (!dsock_host_usable(host))
		return dsock_host_lacks(host, ctx, plugin);
	return 0;
}

struct ovsdp_dispatch_instance *
pport_new(size_t size, const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	  const struct pport_ops *ops)
{
	struct ovsdp_dispatch_instance *d = dsock_calloc(1, size);
	struct pport *b = pport_of(d);

	b->host = host;
	b->ctx = ctx;
	b->ops = ops;
	return d;
}

/* ---- handlers ------------------------------------------------------------ */

void
pport_handlers_close(struct pport *b, uint32_t from, uint32_t to, bool count)
{
	for (uint32_t i = from; i < to; i++) {
		struct pport_handler *h = b->handlers[i];

		if (!h)
			continue;
		if (count)
			dsock_counters_add(&b->gone, &h->c);
		if (h->wake >= 0)
			close(h->wake);
		if (h->more >= 0)
			close(h->more);
		dsock_vec_free(&h->owned);
		if (h->epfd >= 0)
			close(h->epfd);     /* and with it the registrations */
		free(h);
		b->handlers[i] = NULL;
	}
}

int
pport_handlers_open(struct pport *b, uint32_t n)
{
	uint32_t old = b->n_handlers;

	b->handlers = DSOCK_RENEW(struct pport_handler *, b->handlers, n);
	for (uint32_t i = old; i < n; i++)
		b->handlers[i] = NULL;
	for (uint32_t i = old; i < n; i++) {
		struct pport_handler *h = DSOCK_NEW0(struct pport_handler, 1);

		h->wake = h->wake_src = -1;
		h->more = -1;
		h->epfd = epoll_create1(EPOLL_CLOEXEC);
		b->handlers[i] = h;
		if (h->epfd < 0) {
			int r = -errno;

			b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "handler %u: epoll_create1: %s",
				     (unsigned int)i, dsock_strerror(-r));
			pport_handlers_close(b, old, i + 1, false);
			return r;
		}
	}
	return 0;
}

/* ---- sockets ------------------------------------------------------------ */

/* The defaults of struct pport_ops: a port that is one socket. */
static void
each_sock(struct pport *b, void *port, pport_sock_fn *fn, void *arg)
{
	if (b->ops->port_socks)
		b->ops->port_socks(b, port, fn, arg);
	else
		fn(b, port, arg);
}

/* What the kernel is pointed at for a port, in log lines. */
static const char *
its_socks(const struct pport *b)
{
	return b->ops->port_socks ? "its sockets" : "its socket";
}

static const struct dsock_port_counters *
port_counters(const void *port)
{
	return ((const struct dsock *)port)->port;
}

void
pport_sock_close(struct pport *b, struct dsock *s, void *arg)
{
	(void)arg;
	b->ops->sock_close(b, s);
}

void
pport_sock_retire(struct pport *b, struct dsock *s, void *arg)
{
	(void)arg;
	dsock_retire(s, &b->retiring);
}

static void
sock_purge_cb(struct pport *b, struct dsock *s, void *arg)
{
	(void)arg;
	b->host->usock_purge(b->ctx, s->us);
}

static void
sock_push_cb(struct pport *b, struct dsock *s, void *arg)
{
	(void)b;
	dsock_vec_push(arg, s);
}

void
pport_port_close(struct pport *b, void *port)
{
	each_sock(b, port, pport_sock_close, NULL);
	if (b->ops->port_free)
		b->ops->port_free(port);
}

struct dsock **
pport_sock_array(struct pport *b, unsigned int *n)
{
	struct dsock_vec v = { NULL, 0, 0 };

	for (size_t i = 0; i < b->ports.len; i++)
		each_sock(b, b->ports.vals[i], sock_push_cb, &v);
	for (size_t i = 0; i < b->retiring.len; i++)
		dsock_vec_push(&v, b->retiring.items[i]);
	*n = (unsigned int)v.len;
	return (struct dsock **)v.items;
}

static void
close_retired(void *b, struct dsock *s)
{
	struct pport *pb = b;

	pb->ops->sock_close(pb, s);
}

void
pport_reap(struct pport *b)
{
	dsock_reap(&b->retiring, close_retired, b);
}

/* ---- the kernel's pids ---------------------------------------------------- */

int
pport_point_all(struct pport *b, uint32_t want, uint32_t undo)
{
	/* The table does not change meanwhile: the undo sees the same order. */
	for (size_t i = 0; i < b->ports.len; i++) {
		int r = b->ops->point(b, b->ports.vals[i], want);

		if (r == -ENODEV)
			continue;
		if (r < 0) {
			b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "pointing port %u %s%s: %s",
				     (unsigned int)b->ports.keys[i], want ? "at " : "away",
				     want ? its_socks(b) : "", dsock_strerror(-r));
			while (i-- > 0)
				b->ops->point(b, b->ports.vals[i], undo);
			return r;
		}
	}
	return 0;
}

/* ---- control methods ------------------------------------------------------ */

/* Vport pids predate every kernel ovsdp supports. */
int
pport_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len)
{
	(void)features;
	if (reason_len)
		reason[0] = '\0';
	return 0;
}

void
pport_destroy(struct ovsdp_dispatch_instance *d)
{
	struct pport *b;

	if (!d)
		return;
	b = pport_of(d);
	for (size_t i = 0; i < b->ports.len; i++)
		pport_port_close(b, b->ports.vals[i]);
	for (size_t i = 0; i < b->retiring.len; i++)
		b->ops->sock_close(b, b->retiring.items[i]);
	pport_handlers_close(b, 0, b->n_handlers, false);
	dsock_map_free(&b->ports);
	dsock_vec_free(&b->retiring);
	free(b->handlers);
	free(d);
}

/* Point every port at this instance's sockets, and only then leave per-cpu
 * dispatch (if the datapath is in it), so that a switch from per-cpu loses
 * nothing: until the feature bit goes, the kernel ignores vport pids. */
static int
take_over(struct pport *b)
{
	uint32_t undo = b->enabled ? b->n_handlers : 0;
	int r = pport_point_all(b, b->n_handlers, undo);

	if (r == 0) {
		r = dsock_leave_per_cpu(b->host, b->ctx);
		if (r < 0 && !b->enabled)
			pport_point_all(b, 0, 0);
	}
	if (r == 0)
		b->enabled = true;
	return r;
}

int
pport_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	struct pport *b = pport_of(d);
	int r;

	pport_reap(b);
	if (enable)
		return take_over(b);
	if (!b->enabled)
		return 0;
	/* Keep the sockets: the core drains them before destroy. */
	r = pport_point_all(b, 0, b->n_handlers);
	if (r == 0)
		b->enabled = false;
	return r;
}

int
pport_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n_handlers)
{
	struct pport *b = pport_of(d);

	pport_reap(b);
	if (n_handlers == 0)
		return -EINVAL;
	if (n_handlers == b->n_handlers)
		return 0;
	return b->ops->resize(b, n_handlers);
}

int
pport_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct pport *b = pport_of(d);
	void *p;
	int r;

	pport_reap(b);
	p = dsock_map_get(&b->ports, port_no);
	if (p) {
		/* Known already (the runtime and the vport notifications both
		 * report ports): point it at its sockets again. */
		return b->enabled ? b->ops->point(b, p, b->n_handlers) : 0;
	}
	r = b->ops->port_open(b, port_no, &p);
	if (r < 0)
		return r;
	/* Before recv_set(true), the kernel keeps pointing where it does. */
	if (b->enabled) {
		r = b->ops->point(b, p, b->n_handlers);
		if (r < 0) {
			if (r != -ENODEV)
				b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "pointing port %u at %s: %s",
					     (unsigned int)port_no, its_socks(b),
					     dsock_strerror(-r));
			pport_port_close(b, p);
			return r;
		}
	}
	dsock_map_put(&b->ports, port_no, p);
	return 0;
}

void
pport_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct pport *b = pport_of(d);
	void *p;

	pport_reap(b);
	p = dsock_map_remove(&b->ports, port_no);
	if (!p)
		return;
	/* Its sockets stay in the epoll sets: what the port sent before it
	 * went is still delivered, then pport_reap closes them. */
	each_sock(b, p, pport_sock_retire, NULL);
	if (b->ops->port_free)
		b->ops->port_free(p);
}

void
pport_recv_purge(struct ovsdp_dispatch_instance *d)
{
	struct pport *b = pport_of(d);

	for (size_t i = 0; i < b->ports.len; i++)
		each_sock(b, b->ports.vals[i], sock_purge_cb, NULL);
	for (size_t i = 0; i < b->retiring.len; i++)
		sock_purge_cb(b, b->retiring.items[i], NULL);
	pport_reap(b);
}

int
pport_stats(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_stats *out)
{
	struct pport *b = pport_of(d);
	struct dsock_counters sum = { 0, 0, 0 };

	if (!out)
		return -EINVAL;
	pport_reap(b);
	if (handler == OVSDP_DISPATCH_ALL_HANDLERS) {
		sum = b->gone;
		for (uint32_t i = 0; i < b->n_handlers; i++)
			dsock_counters_add(&sum, &b->handlers[i]->c);
	} else if (handler < b->n_handlers) {
		sum = b->handlers[handler]->c;
	} else {
		return -EINVAL;
	}
	/* By default every handler polls every socket: the count is the same
	 * for one handler as for all of them. */
	dsock_stats_fill(out, b->n_handlers, b->ops->sockets ? b->ops->sockets(b, handler) :
			 (unsigned int)b->ports.len + b->retiring.len, &sum);
	return 0;
}

int
pport_describe_idle(char *buf, size_t len, const char *idle)
{
	if (!buf || !len)
		return -EINVAL;
	snprintf(buf, len, "%s", idle);
	return 0;
}

int
pport_describe_tail(const struct ovsdp_dispatch_instance *d, char *buf, size_t len, int k)
{
	const struct pport *b = pport_of_const(d);

	dsock_describe_tail(buf, len, &k, (unsigned int)b->retiring.len, &b->ports,
			    b->ops->port_counters ? b->ops->port_counters : port_counters,
			    b->enabled);
	return 0;
}

/* ---- handler methods ------------------------------------------------------ */

uint32_t
pport_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct pport *b = pport_of(d);
	const void *p;

	if (!b->enabled || b->n_handlers == 0)
		return 0;
	p = dsock_map_get(&b->ports, port_no);
	if (!p)
		return 0;
	return b->ops->port_pid ? b->ops->port_pid(p) : ((const struct dsock *)p)->portid;
}

int
pport_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	struct pport *b = pport_of(d);

	if (handler >= b->n_handlers)
		return -EINVAL;
	return b->handlers[handler]->epfd;
}

int
pport_recv(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_msg *batch,
	   unsigned int n, uint32_t *overruns)
{
	struct pport *b = pport_of(d);
	struct pport_handler *h;

	if (handler >= b->n_handlers || !batch || !overruns)
		return -EINVAL;
	h = b->handlers[handler];
	return (int)dsock_epoll_recv(b->host, b->ctx, h->epfd, batch, n, &h->c, overruns);
}
