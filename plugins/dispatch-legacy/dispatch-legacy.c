/* dispatch-legacy: OVS's dispatch before 2.11: one upcall socket per
 * (port, handler), each vport given the array of its handler sockets so
 * the kernel spreads its misses by flow hash; each handler epolls only its
 * own sockets.  Works on every kernel.  The port table, take-over,
 * retiring, purge, stats and describe()'s tail are the per-port base's
 * (common/per-port.h); what is here is what a socket per handler adds:
 * the pid arrays, the descriptor budget and moving sockets on a resize. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include <ovsdp/dispatch.h>

#include "dispatch-sock.h"
#include "per-port.h"

/* Descriptors left to the rest of the process when deciding whether
 * ports x handlers sockets fit under RLIMIT_NOFILE: running out in the
 * middle of a port add is worse than refusing it up front. */
#define FD_HEADROOM 64

/* One upcall socket; epoll's data.ptr points at its 'ds'.  A socket that
 * leaves service (its handler or its port went away) stays in a surviving
 * handler's epoll set until it is reaped (dispatch-sock.h). */
struct lsock {
	struct dsock ds;        /* first: epoll hands back &ds */
	uint32_t handler;       /* whose epoll set holds it */
};

struct lport {
	uint32_t port_no;
	struct lsock **socks;   /* socks[i]: handler i's socket for this port */
	struct dsock_port_counters counters;
};

struct ovsdp_dispatch_instance {
	struct pport b;                 /* first: the base's methods take the instance */
	uint32_t window_noted;          /* handler count whose pid window was logged */
};

static const struct pport_ops legacy_ops;

static int
legacy_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	      struct ovsdp_dispatch_instance **out)
{
	int r = pport_host_check(host, ctx, out, "legacy");

	if (r < 0)
		return r;
	*out = pport_new(sizeof(struct ovsdp_dispatch_instance), host, ctx, &legacy_ops);
	return 0;
}

/* ---- sockets ------------------------------------------------------------ */

static int
sock_open(struct pport *b, struct lport *p, uint32_t handler, struct lsock **out)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct lsock *ls = DSOCK_NEW0(struct lsock, 1);
	int r;

	r = dsock_open(b->host, b->ctx, p->port_no, &p->counters, &ls->ds);
	if (r < 0) {
		free(ls);
		return r;
	}
	ls->handler = handler;
	ev.data.ptr = &ls->ds;
	if (epoll_ctl(b->handlers[handler]->epfd, EPOLL_CTL_ADD, ls->ds.fd, &ev) < 0) {
		r = -errno;
		b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u's socket to "
			     "handler %u's epoll set: %s", (unsigned int)p->port_no,
			     (unsigned int)handler, dsock_strerror(-r));
		b->host->usock_close(b->ctx, ls->ds.us);
		free(ls);
		return r;
	}
	*out = ls;
	return 0;
}

/* Close a socket still registered in its handler's (open) epoll set. */
static void
sock_close(struct pport *b, struct dsock *s)
{
	struct lsock *ls = (struct lsock *)s;

	if (ls->handler < b->n_handlers)
		epoll_ctl(b->handlers[ls->handler]->epfd, EPOLL_CTL_DEL, ls->ds.fd, NULL);
	b->host->usock_close(b->ctx, ls->ds.us);
	free(ls);
}

/* Handler i's socket of the port for each i that has one. */
static void
port_socks(struct pport *b, void *port, pport_sock_fn *fn, void *arg)
{
	struct lport *p = port;

	for (uint32_t i = 0; p->socks && i < b->n_handlers; i++)
		if (p->socks[i])
			fn(b, &p->socks[i]->ds, arg);
}

static void
port_free(void *port)
{
	struct lport *p = port;

	free(p->socks);
	free(p);
}

/* ---- the kernel's pid arrays --------------------------------------------- */

/* How many pids a port's array may hold.  Linux commit 2091c6aa0df6
 * ("openvswitch: cap upcall PID array size", 2026, in the stable trees
 * too) refuses arrays longer than nr_cpu_ids with EINVAL, so with more
 * handlers than CPU ids a port can name only some of them. */
static uint32_t
pid_window(const struct pport *b, uint32_t n_handlers)
{
	const struct ovsdp_dispatch_features *f = HOST_CAN(b->host, features) ?
		b->host->features(b->ctx) : NULL;

	if (f && f->cpu_ids && n_handlers > f->cpu_ids)
		return f->cpu_ids;
	return n_handlers;
}

/* Point port p at its sockets for n handlers, or at pid 0 when n is 0.
 * When the kernel's limit leaves room for fewer than n, each port names
 * a window of handlers starting at its port number, so that together the
 * ports still spread their misses over every handler. */
static int
point_port(struct pport *b, const void *port, uint32_t n)
{
	const struct lport *p = port;
	uint32_t zero = 0, k = pid_window(b, n);
	uint32_t *pids;
	int r;

	if (n == 0 || !p->socks)
		return b->host->vport_set_upcall_pids(b->ctx, p->port_no, &zero, 1);
	pids = DSOCK_NEW0(uint32_t, k);
	for (uint32_t i = 0; i < k; i++)
		pids[i] = p->socks[k < n ? (p->port_no + i) % n : i]->ds.portid;
	r = b->host->vport_set_upcall_pids(b->ctx, p->port_no, pids, k);
	free(pids);
	return r;
}

/* Say once per handler count when the kernel's limit narrows the arrays. */
static void
note_window(struct ovsdp_dispatch_instance *d)
{
	struct pport *b = &d->b;
	uint32_t k = pid_window(b, b->n_handlers);

	if (k >= b->n_handlers || d->window_noted == b->n_handlers)
		return;
	d->window_noted = b->n_handlers;
	b->host->log(b->ctx, OVSDP_DISPATCH_LOG_INFO,
		     "%u handlers but %u CPU ids: kernels refuse more upcall pids per port than "
		     "CPU ids (since Linux 2091c6aa0df6), so each port names %u handlers' sockets, "
		     "rotating by port number", (unsigned int)b->n_handlers, (unsigned int)k,
		     (unsigned int)k);
}

/* Would an instance of n_ports x n_handlers sockets (plus the epoll sets
 * and the retiring sockets) fit under RLIMIT_NOFILE?  If not, say so,
 * with the numbers for the whole datapath and the ways out, and return
 * -EMFILE. */
static int
fd_budget(struct pport *b, uint64_t n_ports, uint64_t n_handlers, const char *what)
{
	uint64_t extra = n_handlers + b->retiring.len + FD_HEADROOM;
	uint64_t all = n_ports;
	struct rlimit rl;
	int n_dp;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (n_ports * n_handlers + extra <= (uint64_t)rl.rlim_cur)
		return 0;
	/* Ports arrive one at a time: name what the whole datapath needs. */
	n_dp = HOST_CAN(b->host, port_list) ? b->host->port_list(b->ctx, NULL, 0) : -1;
	if (n_dp > 0 && (uint64_t)n_dp > all)
		all = (uint64_t)n_dp;
	b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR,
		     "%s refused: %" PRIu64 " ports x %" PRIu64 " handlers need %" PRIu64
		     " upcall sockets (the datapath's %" PRIu64 " ports: %" PRIu64 "), but "
		     "RLIMIT_NOFILE is %" PRIu64 "; raise it to at least %" PRIu64 " (ulimit -n, "
		     "systemd LimitNOFILE=) or use dispatch mode per-vport (%" PRIu64 " sockets) "
		     "or per-cpu (%" PRIu64 " sockets)", what, n_ports, n_handlers,
		     n_ports * n_handlers, all, all * n_handlers, (uint64_t)rl.rlim_cur,
		     all * n_handlers + extra, all, n_handlers);
	return -EMFILE;
}

/* The log line for a socket that could not be opened although the budget
 * said it fits (other descriptors in the process, or a system limit). */
static void
log_open_failure(struct pport *b, int r, const char *what)
{
	if (r == -EMFILE || r == -ENFILE)
		b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR,
			     "%s refused: out of file descriptors with %u ports x %u handlers "
			     "(%s); raise RLIMIT_NOFILE or use dispatch mode per-vport or per-cpu",
			     what, (unsigned int)b->ports.len, (unsigned int)b->n_handlers,
			     dsock_strerror(-r));
}

/* ---- control methods ------------------------------------------------------ */

/* Legacy names handler counts in its pid arrays: it needs them first. */
static int
legacy_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	int r;

	if (enable && d->b.n_handlers == 0) {
		pport_reap(&d->b);
		d->b.host->log(d->b.ctx, OVSDP_DISPATCH_LOG_ERR, "enabled before handlers_set");
		return -EINVAL;
	}
	r = pport_recv_set(d, enable);
	if (r == 0 && enable)
		note_window(d);
	return r;
}

/* Add handlers old..m-1: their epoll sets, one new socket per port each,
 * and (when enabled) the longer pid arrays.  All or nothing. */
static int
grow(struct pport *b, uint32_t m)
{
	uint32_t old = b->n_handlers;
	int r = fd_budget(b, (unsigned int)b->ports.len, m, "adding handlers");

	if (r < 0)
		return r;
	r = pport_handlers_open(b, m);
	if (r < 0)
		return r;
	/* sock_open and sock_close look at n_handlers for the epoll sets. */
	b->n_handlers = m;
	for (size_t k = 0; k < b->ports.len && r == 0; k++) {
		struct lport *p = b->ports.vals[k];

		p->socks = DSOCK_RENEW(struct lsock *, p->socks, m);
		for (uint32_t i = old; i < m; i++)
			p->socks[i] = NULL;
		for (uint32_t i = old; i < m && r == 0; i++)
			r = sock_open(b, p, i, &p->socks[i]);
	}
	if (r < 0)
		log_open_failure(b, r, "adding handlers");
	if (r == 0 && b->enabled)
		r = pport_point_all(b, m, old);
	if (r < 0) {
		for (size_t k = 0; k < b->ports.len; k++) {
			struct lport *p = b->ports.vals[k];

			for (uint32_t i = old; i < m && p->socks; i++) {
				if (p->socks[i])
					sock_close(b, &p->socks[i]->ds);
				p->socks[i] = NULL;
			}
		}
		pport_handlers_close(b, old, m, false);
		b->n_handlers = old;
	}
	return r;
}

/* Move a socket into handler h's epoll set (from one about to close). */
static void
sock_move(struct pport *b, struct lsock *ls, uint32_t h)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ls->ds };

	epoll_ctl(b->handlers[ls->handler]->epfd, EPOLL_CTL_DEL, ls->ds.fd, NULL);
	ls->handler = h;
	/* EPOLL_CTL_ADD looks at the socket at once: what is queued on it
	 * makes the new set readable without waiting for the next upcall. */
	if (epoll_ctl(b->handlers[h]->epfd, EPOLL_CTL_ADD, ls->ds.fd, &ev) < 0)
		b->host->log(b->ctx, OVSDP_DISPATCH_LOG_ERR, "moving a socket of port %u to "
			     "handler %u: %s", (unsigned int)ls->ds.port_no, (unsigned int)h,
			     dsock_strerror(errno));
}

/* Remove handlers m..old-1: first the kernel's pid arrays shrink to the
 * survivors' sockets, then the removed handlers' sockets retire into the
 * survivors' epoll sets, so what they hold is still delivered. */
static int
shrink(struct pport *b, uint32_t m)
{
	uint32_t old = b->n_handlers;
	int r = 0;

	if (b->enabled)
		r = pport_point_all(b, m, old);
	if (r < 0)
		return r;
	for (size_t k = 0; k < b->ports.len; k++) {
		struct lport *p = b->ports.vals[k];

		for (uint32_t i = m; i < old; i++) {
			struct lsock *ls = p->socks[i];

			p->socks[i] = NULL;
			sock_move(b, ls, i % m);
			dsock_retire(&ls->ds, &b->retiring);
		}
	}
	for (size_t k = 0; k < b->retiring.len; k++) {
		struct lsock *ls = b->retiring.items[k];

		if (ls->handler >= m)
			sock_move(b, ls, ls->handler % m);
	}
	pport_handlers_close(b, m, old, true);
	b->n_handlers = m;
	return 0;
}

static int
resize(struct pport *b, uint32_t n)
{
	int r = n > b->n_handlers ? grow(b, n) : shrink(b, n);

	if (r == 0 && b->enabled)
		note_window((struct ovsdp_dispatch_instance *)(void *)b);
	return r;
}

/* A new port: one socket per handler, or none yet before handlers_set
 * (which opens them). */
static int
port_open(struct pport *b, uint32_t port_no, void **out)
{
	struct lport *p = DSOCK_NEW0(struct lport, 1);
	char what[48];
	int r = 0;

	p->port_no = port_no;
	if (b->n_handlers) {
		snprintf(what, sizeof what, "adding port %u", (unsigned int)port_no);
		r = fd_budget(b, (unsigned int)b->ports.len + 1, b->n_handlers, what);
		if (r < 0) {
			free(p);
			return r;
		}
		p->socks = DSOCK_NEW0(struct lsock *, b->n_handlers);
		for (uint32_t i = 0; i < b->n_handlers && r == 0; i++)
			r = sock_open(b, p, i, &p->socks[i]);
		if (r < 0) {
			log_open_failure(b, r, what);
			pport_port_close(b, p);
			return r;
		}
	}
	*out = p;
	return 0;
}

/* ---- handler methods ------------------------------------------------------ */

/* Handler 0's socket of the port: it exists for every handler count, so
 * the pid stays valid across resizes (OVS <= 2.10 hashed over handlers;
 * this ABI gives no hash). */
static uint32_t
port_pid(const void *port)
{
	const struct lport *p = port;

	return p->socks ? p->socks[0]->ds.portid : 0;
}

/* ---- stats, describe -------------------------------------------------------- */

/* One socket per port in each handler's set, plus the retiring ones it
 * drains. */
static uint64_t
sockets(const struct pport *b, uint32_t handler)
{
	uint64_t n_ports = (unsigned int)b->ports.len;
	uint64_t n;

	if (handler == OVSDP_DISPATCH_ALL_HANDLERS)
		return n_ports * b->n_handlers + b->retiring.len;
	n = n_ports;
	for (size_t i = 0; i < b->retiring.len; i++)
		if (((struct lsock *)b->retiring.items[i])->handler == handler)
			n++;
	return n;
}

static const struct dsock_port_counters *
port_counters(const void *p)
{
	return &((const struct lport *)p)->counters;
}

static const struct pport_ops legacy_ops = {
	/* A port holds a socket per handler (the base's defaults are for one). */
	.port_socks = port_socks,
	.port_free = port_free,
	.port_pid = port_pid,
	.port_counters = port_counters,
	.sockets = sockets,
	.port_open = port_open,
	.point = point_port,
	.sock_close = sock_close,
	.resize = resize,
};

static int
legacy_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	const struct pport *b;
	uint64_t n_ports;
	uint32_t window;
	int k;

	if (!d || !buf || !len)
		return pport_describe_idle(buf, len, "legacy: one socket per port and handler; "
					   "the kernel picks a port's socket by flow hash");
	b = &d->b;
	n_ports = (unsigned int)b->ports.len;
	window = pid_window(b, b->n_handlers);
	k = snprintf(buf, len, "legacy: %" PRIu64 " ports x %u handlers = %" PRIu64 " sockets",
		     n_ports, (unsigned int)b->n_handlers, n_ports * b->n_handlers);
	if (window < b->n_handlers)
		dsock_appendf(buf, len, &k, ", each port names %u (kernel limit)",
			      (unsigned int)window);
	return pport_describe_tail(d, buf, len, k);
}

static const struct ovsdp_dispatch_vtable legacy_vtable =
	PPORT_VTABLE(legacy_create, legacy_recv_set, legacy_describe, NULL, pport_wait_fd,
		     pport_recv);

/* No plugin-specific keys: the loader rejects any in [plugin:legacy]. */
static const struct ovsdp_dispatch_option legacy_options[] = {
	{ NULL, NULL, NULL, NULL },
};

PPORT_PLUGIN("legacy", "one socket per (port, handler), as OVS up to 2.10",
	     &legacy_vtable, legacy_options)
