/* dispatch-sock.c: the upcall-socket plumbing the in-tree dispatch plugins
 * share (see dispatch-sock.h): reads that count overruns, epoll's fair
 * share, retirement, and the counters stats() and describe() report. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>

#include "dispatch-sock.h"

bool
dsock_host_usable(const struct ovsdp_dispatch_host *host)
{
	return HOST_CAN(host, usock_open) && HOST_CAN(host, usock_close) &&
	       HOST_CAN(host, usock_portid) && HOST_CAN(host, usock_fd) &&
	       HOST_CAN(host, usock_recv) && HOST_CAN(host, usock_purge) &&
	       HOST_CAN(host, vport_set_upcall_pids);
}

int
dsock_host_lacks(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 const char *plugin)
{
	host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "the host lacks a method %s needs (host ABI %u.%u)",
		  plugin, (unsigned int)host->abi_major, (unsigned int)host->abi_minor);
	return -ENOTSUP;
}

int
dsock_open(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	   uint32_t port_no, struct dsock_port_counters *port, struct dsock *s)
{
	int r = host->usock_open(ctx, 0, &s->us);

	if (r < 0)
		return r;
	s->fd = host->usock_fd(s->us);
	s->portid = host->usock_portid(s->us);
	s->port_no = port_no;
	s->retired_at = 0;
	s->port = port;
	return 0;
}

int
dsock_recv(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	   struct ovsdp_usock *us, struct ovsdp_dispatch_msg *msgs, unsigned int n,
	   struct dsock_counters *c, struct dsock_port_counters *port, uint32_t *overruns)
{
	int r = -ENOBUFS;

	for (int tries = 0; tries < 2 && r == -ENOBUFS; tries++) {
		r = host->usock_recv(ctx, us, msgs, n);
		if (r != -ENOBUFS)
			break;
		c->overruns++;
		if (overruns)
			(*overruns)++;
		if (port)
			__atomic_add_fetch(&port->overruns, 1, __ATOMIC_RELAXED);
	}
	if (r == -ENOBUFS || r == -EAGAIN)
		return 0;       /* overran again: the next wakeup reads on */
	if (r > 0 && port)
		__atomic_add_fetch(&port->upcalls, (uint64_t)r, __ATOMIC_RELAXED);
	return r;
}

unsigned int
dsock_epoll_recv(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 int epfd, struct ovsdp_dispatch_msg *batch, unsigned int n,
		 struct dsock_counters *c, uint32_t *overruns)
{
	struct epoll_event ev[DSOCK_RECV_EVENTS];
	struct dsock *ready[DSOCK_RECV_EVENTS];
	unsigned int got = 0, nr = 0;
	int r;

	r = epoll_wait(epfd, ev, (int)MIN(n ? n : 1, (unsigned int)DSOCK_RECV_EVENTS), 0);
	for (int k = 0; k < r; k++)
		if (ev[k].data.ptr)
			ready[nr++] = ev[k].data.ptr;
	for (unsigned int k = 0; k < nr && got < n; k++) {
		unsigned int left = nr - k;
		unsigned int share = (n - got + left - 1) / left;
		struct dsock *s = ready[k];

		/* A socket's own errors are its next wakeup's business. */
		r = dsock_recv(host, ctx, s->us, batch + got, share, c, s->port, overruns);
		if (r > 0)
			got += (unsigned int)r;
	}
	if (got == 0)
		c->empty++;
	else
		c->upcalls += got;
	return got;
}

void
dsock_retire(struct dsock *s, GPtrArray *retiring)
{
	s->port = NULL;
	s->retired_at = g_get_monotonic_time();
	g_ptr_array_add(retiring, s);
}

void
dsock_reap(GPtrArray *retiring, void (*close_fn)(void *owner, struct dsock *s), void *owner)
{
	gint64 now = g_get_monotonic_time();
	guint n = retiring->len;
	g_autofree struct pollfd *pfd = NULL;

	if (n == 0)
		return;
	/* One poll for all of them: a resize of legacy retires ports x
	 * handlers sockets at once. */
	pfd = g_new0(struct pollfd, n);
	for (guint i = 0; i < n; i++) {
		pfd[i].fd = ((struct dsock *)g_ptr_array_index(retiring, i))->fd;
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, n, 0) < 0)
		return;
	for (guint i = n; i-- > 0;) {
		struct dsock *s = g_ptr_array_index(retiring, i);

		if (now - s->retired_at < DSOCK_RETIRE_SETTLE_US || pfd[i].revents)
			continue;
		g_ptr_array_remove_index_fast(retiring, i);
		close_fn(owner, s);
	}
}

bool
dsock_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int
dsock_leave_per_cpu(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx)
{
	const struct ovsdp_features *f = HOST_CAN(host, features) ? host->features(ctx) : NULL;

	if ((f && f->per_cpu_dispatch == OVSDP_NO) || !HOST_CAN(host, dp_set_per_cpu_pids))
		return 0;
	return host->dp_set_per_cpu_pids(ctx, NULL, 0);
}

void
dsock_counters_add(struct dsock_counters *sum, const struct dsock_counters *c)
{
	sum->upcalls += c->upcalls;
	sum->empty += c->empty;
	sum->overruns += c->overruns;
}

void
dsock_stats_fill(struct ovsdp_dispatch_stats *out, uint32_t n_handlers, uint64_t n_sockets,
		 const struct dsock_counters *c)
{
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_handlers))
		out->n_handlers = n_handlers;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_sockets))
		out->n_sockets = n_sockets;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_upcalls))
		out->n_upcalls = c->upcalls;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_empty))
		out->n_empty = c->empty;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_overruns))
		out->n_overruns = c->overruns;
}

void
dsock_appendf(char *buf, size_t len, int *k, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*k < 0 || (size_t)*k >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *k, len - (size_t)*k, fmt, ap);
	va_end(ap);
	*k = r < 0 ? r : *k + r;
}

void
dsock_describe_tail(char *buf, size_t len, int *k, unsigned int draining, GHashTable *ports,
		    const struct dsock_port_counters *(*get)(gconstpointer value), bool enabled)
{
	const struct dsock_port_counters *worst = NULL;
	uint32_t worst_port = 0;
	GHashTableIter it;
	gpointer key, v;

	if (draining)
		dsock_appendf(buf, len, k, " (+%u draining)", draining);
	g_hash_table_iter_init(&it, ports);
	while (g_hash_table_iter_next(&it, &key, &v)) {
		const struct dsock_port_counters *pc = get(v);

		if (pc->overruns && (!worst || pc->overruns > worst->overruns)) {
			worst = pc;
			worst_port = GPOINTER_TO_UINT(key);
		}
	}
	if (worst)
		dsock_appendf(buf, len, k, ", overruns: most on port %u (%" PRIu64 ")",
			      (unsigned int)worst_port, worst->overruns);
	if (!enabled)
		dsock_appendf(buf, len, k, ", not receiving");
}
