/* dispatch-legacy: OVS's dispatch before 2.11: one upcall socket per
 * (port, handler), each vport given the array of its handler sockets so
 * the kernel spreads its misses by flow hash; each handler epolls only its
 * own sockets.  Works on every kernel. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include <ovsdp/dispatch.h>

#include "dispatch-sock.h"

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

/* Counters one handler thread writes and nobody else does. */
struct lhandler {
	int epfd;
	struct dsock_counters c;
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	bool enabled;                   /* the kernel's vport pids name our sockets */
	uint32_t n_handlers;
	struct lhandler *handlers;      /* n_handlers entries */
	struct dsock_map ports;         /* port_no -> struct lport * */
	struct dsock_vec retiring;      /* struct lsock * out of service, not yet empty */
	struct dsock_counters gone;     /* of handlers removed by handlers_set */
	uint32_t window_noted;          /* handler count whose pid window was logged */
};

/* Vport pid arrays predate every kernel ovsdp supports. */
static int
legacy_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len)
{
	(void)features;
	if (reason_len)
		reason[0] = '\0';
	return 0;
}

static int
legacy_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	      struct ovsdp_dispatch_instance **out)
{
	struct ovsdp_dispatch_instance *d;

	if (!host || !out || !HOST_CAN(host, log))
		return -EINVAL;
	if (!dsock_host_usable(host))
		return dsock_host_lacks(host, ctx, "legacy");
	d = DSOCK_NEW0(struct ovsdp_dispatch_instance, 1);
	d->host = host;
	d->ctx = ctx;
	*out = d;
	return 0;
}

/* ---- sockets ------------------------------------------------------------ */

static int
sock_open(struct ovsdp_dispatch_instance *d, struct lport *p, uint32_t handler,
	  struct lsock **out)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct lsock *ls = DSOCK_NEW0(struct lsock, 1);
	int r;

	r = dsock_open(d->host, d->ctx, p->port_no, &p->counters, &ls->ds);
	if (r < 0) {
		free(ls);
		return r;
	}
	ls->handler = handler;
	ev.data.ptr = &ls->ds;
	if (epoll_ctl(d->handlers[handler].epfd, EPOLL_CTL_ADD, ls->ds.fd, &ev) < 0) {
		r = -errno;
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "adding port %u's socket to "
			     "handler %u's epoll set: %s", (unsigned int)p->port_no,
			     (unsigned int)handler, dsock_strerror(-r));
		d->host->usock_close(d->ctx, ls->ds.us);
		free(ls);
		return r;
	}
	*out = ls;
	return 0;
}

/* Close a socket still registered in its handler's (open) epoll set. */
static void
sock_close(struct ovsdp_dispatch_instance *d, struct lsock *ls)
{
	if (!ls)
		return;
	if (ls->handler < d->n_handlers)
		epoll_ctl(d->handlers[ls->handler].epfd, EPOLL_CTL_DEL, ls->ds.fd, NULL);
	d->host->usock_close(d->ctx, ls->ds.us);
	free(ls);
}

static void
close_retired(void *d, struct dsock *s)
{
	sock_close(d, (struct lsock *)s);
}

/* Take a socket out of service.  It stays where it is, in its handler's
 * epoll set, so its queue is still read. */
static void
sock_retire(struct ovsdp_dispatch_instance *d, struct lsock *ls)
{
	dsock_retire(&ls->ds, &d->retiring);
}

/* Called at the start of control methods (see dsock_reap). */
static void
reap_retiring(struct ovsdp_dispatch_instance *d)
{
	dsock_reap(&d->retiring, close_retired, d);
}

/* ---- the kernel's pid arrays --------------------------------------------- */

/* How many pids a port's array may hold.  Linux commit 2091c6aa0df6
 * ("openvswitch: cap upcall PID array size", 2026, in the stable trees
 * too) refuses arrays longer than nr_cpu_ids with EINVAL, so with more
 * handlers than CPU ids a port can name only some of them. */
static uint32_t
pid_window(const struct ovsdp_dispatch_instance *d, uint32_t n_handlers)
{
	const struct ovsdp_dispatch_features *f = HOST_CAN(d->host, features) ?
		d->host->features(d->ctx) : NULL;

	if (f && f->cpu_ids && n_handlers > f->cpu_ids)
		return f->cpu_ids;
	return n_handlers;
}

/* Point port p at its sockets for n handlers, or at pid 0 when n is 0.
 * When the kernel's limit leaves room for fewer than n, each port names
 * a window of handlers starting at its port number, so that together the
 * ports still spread their misses over every handler. */
static int
point_port(struct ovsdp_dispatch_instance *d, const struct lport *p, uint32_t n)
{
	uint32_t zero = 0, k = pid_window(d, n);
	uint32_t *pids;
	int r;

	if (n == 0 || !p->socks)
		return d->host->vport_set_upcall_pids(d->ctx, p->port_no, &zero, 1);
	pids = DSOCK_NEW0(uint32_t, k);
	for (uint32_t i = 0; i < k; i++)
		pids[i] = p->socks[k < n ? (p->port_no + i) % n : i]->ds.portid;
	r = d->host->vport_set_upcall_pids(d->ctx, p->port_no, pids, k);
	free(pids);
	return r;
}

/* Say once per handler count when the kernel's limit narrows the arrays. */
static void
note_window(struct ovsdp_dispatch_instance *d)
{
	uint32_t k = pid_window(d, d->n_handlers);

	if (k >= d->n_handlers || d->window_noted == d->n_handlers)
		return;
	d->window_noted = d->n_handlers;
	d->host->log(d->ctx, OVSDP_DISPATCH_LOG_INFO,
		     "%u handlers but %u CPU ids: kernels refuse more upcall pids per port than "
		     "CPU ids (since Linux 2091c6aa0df6), so each port names %u handlers' sockets, "
		     "rotating by port number", (unsigned int)d->n_handlers, (unsigned int)k,
		     (unsigned int)k);
}

/* Every known port, in an array (the table's order is arbitrary but the
 * undo of a failed loop needs the same order). */
static struct lport **
port_array(struct ovsdp_dispatch_instance *d, unsigned int *n)
{
	struct lport **a = DSOCK_NEW0(struct lport *, (unsigned int)d->ports.len + 1);
	unsigned int k = 0;

	for (size_t i = 0; i < d->ports.len; i++)
		a[k++] = d->ports.vals[i];
	*n = k;
	return a;
}

/* Point ports[0..n-1] at their first 'want' sockets (0: at nobody).  On
 * failure put those already changed back to 'undo' sockets and return the
 * error.  A port the kernel no longer has (-ENODEV) is skipped: its
 * port_deleted follows. */
static int
point_ports(struct ovsdp_dispatch_instance *d, struct lport **ports, unsigned int n, uint32_t want,
	    uint32_t undo)
{
	for (unsigned int i = 0; i < n; i++) {
		int r = point_port(d, ports[i], want);

		if (r == -ENODEV)
			continue;
		if (r < 0) {
			d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
				     "pointing port %u at %u socket(s): %s",
				     (unsigned int)ports[i]->port_no, (unsigned int)want,
				     dsock_strerror(-r));
			while (i-- > 0)
				point_port(d, ports[i], undo);
			return r;
		}
	}
	return 0;
}

/* Would an instance of n_ports x n_handlers sockets (plus the epoll sets
 * and the retiring sockets) fit under RLIMIT_NOFILE?  If not, say so,
 * with the numbers for the whole datapath and the ways out, and return
 * -EMFILE. */
static int
fd_budget(struct ovsdp_dispatch_instance *d, uint64_t n_ports, uint64_t n_handlers,
	  const char *what)
{
	uint64_t extra = n_handlers + d->retiring.len + FD_HEADROOM;
	uint64_t all = n_ports;
	struct rlimit rl;
	int n_dp;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (n_ports * n_handlers + extra <= (uint64_t)rl.rlim_cur)
		return 0;
	/* Ports arrive one at a time: name what the whole datapath needs. */
	n_dp = HOST_CAN(d->host, port_list) ? d->host->port_list(d->ctx, NULL, 0) : -1;
	if (n_dp > 0 && (uint64_t)n_dp > all)
		all = (uint64_t)n_dp;
	d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
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
log_open_failure(struct ovsdp_dispatch_instance *d, int r, const char *what)
{
	if (r == -EMFILE || r == -ENFILE)
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
			     "%s refused: out of file descriptors with %u ports x %u handlers "
			     "(%s); raise RLIMIT_NOFILE or use dispatch mode per-vport or per-cpu",
			     what, (unsigned int)d->ports.len, (unsigned int)d->n_handlers,
			     dsock_strerror(-r));
}

/* ---- control methods ------------------------------------------------------ */

static void
legacy_destroy(struct ovsdp_dispatch_instance *d)
{

	if (!d)
		return;
	for (size_t it = 0; it < d->ports.len; it++) {
		void *v = d->ports.vals[it];

		struct lport *p = v;

		for (uint32_t i = 0; p->socks && i < d->n_handlers; i++)
			sock_close(d, p->socks[i]);
		free(p->socks);
		free(p);
	}
	for (unsigned int i = 0; i < d->retiring.len; i++)
		sock_close(d, d->retiring.items[i]);
	for (uint32_t i = 0; i < d->n_handlers; i++)
		close(d->handlers[i].epfd);
	dsock_map_free(&d->ports);
	dsock_vec_free(&d->retiring);
	free(d->handlers);
	free(d);
}

/* Points every port at this instance's sockets, and only then leaves
 * per-cpu dispatch (if the datapath is in it), so that a switch from
 * per-cpu loses nothing: until the feature bit goes, the kernel ignores
 * vport pids. */
static int
take_over(struct ovsdp_dispatch_instance *d)
{
	uint32_t undo = d->enabled ? d->n_handlers : 0;
	struct lport **ports;
	unsigned int n;
	int r;

	if (d->n_handlers == 0) {
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "enabled before handlers_set");
		return -EINVAL;
	}
	ports = port_array(d, &n);
	r = point_ports(d, ports, n, d->n_handlers, undo);
	if (r == 0) {
		r = dsock_leave_per_cpu(d->host, d->ctx);
		if (r < 0)
			point_ports(d, ports, n, undo, undo);
	}
	free(ports);
	if (r == 0) {
		d->enabled = true;
		note_window(d);
	}
	return r;
}

static int
legacy_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	struct lport **ports;
	unsigned int n;
	int r;

	reap_retiring(d);
	if (enable)
		return take_over(d);
	if (!d->enabled)
		return 0;
	/* Keep the sockets: the core drains them before destroy. */
	ports = port_array(d, &n);
	r = point_ports(d, ports, n, 0, d->n_handlers);
	free(ports);
	if (r == 0)
		d->enabled = false;
	return r;
}

/* Add handlers old..m-1: their epoll sets, one new socket per port each,
 * and (when enabled) the longer pid arrays.  All or nothing. */
static int
grow(struct ovsdp_dispatch_instance *d, uint32_t m)
{
	uint32_t old = d->n_handlers;
	struct lport **ports;
	unsigned int n_ports;
	int r = fd_budget(d, (unsigned int)d->ports.len, m, "adding handlers");

	if (r < 0)
		return r;
	d->handlers = DSOCK_RENEW(struct lhandler, d->handlers, m);
	memset(&d->handlers[old], 0, sizeof(struct lhandler) * (m - old));
	for (uint32_t i = old; i < m; i++) {
		d->handlers[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (d->handlers[i].epfd < 0) {
			r = -errno;
			d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "epoll_create1: %s",
				     dsock_strerror(-r));
			while (i-- > old)
				close(d->handlers[i].epfd);
			return r;
		}
	}
	/* sock_open and sock_close look at n_handlers for the epoll sets. */
	d->n_handlers = m;
	ports = port_array(d, &n_ports);
	for (unsigned int k = 0; k < n_ports && r == 0; k++) {
		struct lport *p = ports[k];

		p->socks = DSOCK_RENEW(struct lsock *, p->socks, m);
		for (uint32_t i = old; i < m; i++)
			p->socks[i] = NULL;
		for (uint32_t i = old; i < m && r == 0; i++)
			r = sock_open(d, p, i, &p->socks[i]);
	}
	if (r < 0)
		log_open_failure(d, r, "adding handlers");
	if (r == 0 && d->enabled)
		r = point_ports(d, ports, n_ports, m, old);
	if (r < 0) {
		for (unsigned int k = 0; k < n_ports; k++)
			for (uint32_t i = old; i < m && ports[k]->socks; i++) {
				sock_close(d, ports[k]->socks[i]);
				ports[k]->socks[i] = NULL;
			}
		for (uint32_t i = old; i < m; i++)
			close(d->handlers[i].epfd);
		d->n_handlers = old;
	}
	free(ports);
	return r;
}

/* Move a socket into handler h's epoll set (from one about to close). */
static void
sock_move(struct ovsdp_dispatch_instance *d, struct lsock *ls, uint32_t h)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ls->ds };

	epoll_ctl(d->handlers[ls->handler].epfd, EPOLL_CTL_DEL, ls->ds.fd, NULL);
	ls->handler = h;
	/* EPOLL_CTL_ADD looks at the socket at once: what is queued on it
	 * makes the new set readable without waiting for the next upcall. */
	if (epoll_ctl(d->handlers[h].epfd, EPOLL_CTL_ADD, ls->ds.fd, &ev) < 0)
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "moving a socket of port %u to "
			     "handler %u: %s", (unsigned int)ls->ds.port_no, (unsigned int)h,
			     dsock_strerror(errno));
}

/* Remove handlers m..old-1: first the kernel's pid arrays shrink to the
 * survivors' sockets, then the removed handlers' sockets retire into the
 * survivors' epoll sets, so what they hold is still delivered. */
static int
shrink(struct ovsdp_dispatch_instance *d, uint32_t m)
{
	uint32_t old = d->n_handlers;
	struct lport **ports;
	unsigned int n_ports;
	int r = 0;

	ports = port_array(d, &n_ports);
	if (d->enabled)
		r = point_ports(d, ports, n_ports, m, old);
	if (r < 0) {
		free(ports);
		return r;
	}
	for (unsigned int k = 0; k < n_ports; k++) {
		for (uint32_t i = m; i < old; i++) {
			struct lsock *ls = ports[k]->socks[i];

			ports[k]->socks[i] = NULL;
			sock_move(d, ls, i % m);
			sock_retire(d, ls);
		}
	}
	free(ports);
	for (unsigned int k = 0; k < d->retiring.len; k++) {
		struct lsock *ls = d->retiring.items[k];

		if (ls->handler >= m)
			sock_move(d, ls, ls->handler % m);
	}
	for (uint32_t i = m; i < old; i++) {
		dsock_counters_add(&d->gone, &d->handlers[i].c);
		close(d->handlers[i].epfd);
	}
	d->n_handlers = m;
	return 0;
}

static int
legacy_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n_handlers)
{
	int r;

	reap_retiring(d);
	if (n_handlers == 0)
		return -EINVAL;
	if (n_handlers == d->n_handlers)
		return 0;
	r = n_handlers > d->n_handlers ? grow(d, n_handlers) : shrink(d, n_handlers);
	if (r == 0 && d->enabled)
		note_window(d);
	return r;
}

static int
legacy_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct lport *p;
	int r = 0;

	reap_retiring(d);
	p = dsock_map_get(&d->ports, port_no);
	if (p) {
		/* Known already (the runtime and the vport notifications both
		 * report ports): point it at its sockets again. */
		return d->enabled ? point_port(d, p, d->n_handlers) : 0;
	}
	if (d->n_handlers) {
		char what[48];

		snprintf(what, sizeof what, "adding port %u", (unsigned int)port_no);
		r = fd_budget(d, (unsigned int)d->ports.len + 1, d->n_handlers, what);
		if (r < 0)
			return r;
		p = DSOCK_NEW0(struct lport, 1);
		p->port_no = port_no;
		p->socks = DSOCK_NEW0(struct lsock *, d->n_handlers);
		for (uint32_t i = 0; i < d->n_handlers && r == 0; i++)
			r = sock_open(d, p, i, &p->socks[i]);
		if (r < 0)
			log_open_failure(d, r, what);
		/* Before enable(), the kernel keeps pointing where it does. */
		if (r == 0 && d->enabled) {
			r = point_port(d, p, d->n_handlers);
			if (r < 0 && r != -ENODEV)
				d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
					     "pointing port %u at its sockets: %s",
					     (unsigned int)port_no, dsock_strerror(-r));
		}
		if (r < 0) {
			for (uint32_t i = 0; i < d->n_handlers; i++)
				sock_close(d, p->socks[i]);
			free(p->socks);
			free(p);
			return r;
		}
	} else {
		/* Not sized yet: handlers_set opens the sockets. */
		p = DSOCK_NEW0(struct lport, 1);
		p->port_no = port_no;
	}
	dsock_map_put(&d->ports, port_no, p);
	return 0;
}

static void
legacy_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct lport *p;

	reap_retiring(d);
	p = dsock_map_get(&d->ports, port_no);
	if (!p)
		return;
	dsock_map_remove(&d->ports, port_no);
	/* What the port sent before it went is still delivered. */
	for (uint32_t i = 0; p->socks && i < d->n_handlers; i++)
		sock_retire(d, p->socks[i]);
	free(p->socks);
	free(p);
}

/* ---- handler methods ------------------------------------------------------ */

/* Handler 0's socket of the port: it exists for every handler count, so
 * the pid stays valid across resizes (OVS <= 2.10 hashed over handlers;
 * this ABI gives no hash). */
static uint32_t
legacy_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	const struct lport *p;

	if (!d->enabled || d->n_handlers == 0)
		return 0;
	p = dsock_map_get(&d->ports, port_no);
	return p && p->socks ? p->socks[0]->ds.portid : 0;
}

static int
legacy_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	if (handler >= d->n_handlers)
		return -EINVAL;
	return d->handlers[handler].epfd;
}

static int
legacy_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	    struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	struct lhandler *h;

	if (handler >= d->n_handlers || !batch || !overruns)
		return -EINVAL;
	h = &d->handlers[handler];
	return (int)dsock_epoll_recv(d->host, d->ctx, h->epfd, batch, n, &h->c, overruns);
}

/* ---- control: purge, stats, describe --------------------------------------- */

static void
legacy_recv_purge(struct ovsdp_dispatch_instance *d)
{

	for (size_t it = 0; it < d->ports.len; it++) {
		void *v = d->ports.vals[it];

		struct lport *p = v;

		for (uint32_t i = 0; p->socks && i < d->n_handlers; i++)
			d->host->usock_purge(d->ctx, p->socks[i]->ds.us);
	}
	for (unsigned int i = 0; i < d->retiring.len; i++)
		d->host->usock_purge(d->ctx, ((struct dsock *)d->retiring.items[i])->us);
	reap_retiring(d);
}

static int
legacy_stats(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_stats *out)
{
	struct dsock_counters sum = { 0, 0, 0 };
	uint64_t n_ports = (unsigned int)d->ports.len;
	uint64_t sockets = 0;

	if (!out)
		return -EINVAL;
	reap_retiring(d);
	if (handler == OVSDP_DISPATCH_ALL_HANDLERS) {
		sum = d->gone;
		for (uint32_t i = 0; i < d->n_handlers; i++)
			dsock_counters_add(&sum, &d->handlers[i].c);
		sockets = n_ports * d->n_handlers + d->retiring.len;
	} else if (handler < d->n_handlers) {
		sum = d->handlers[handler].c;
		sockets = n_ports;
		for (unsigned int i = 0; i < d->retiring.len; i++)
			if (((struct lsock *)d->retiring.items[i])->handler == handler)
				sockets++;
	} else {
		return -EINVAL;
	}
	dsock_stats_fill(out, d->n_handlers, sockets, &sum);
	return 0;
}

static const struct dsock_port_counters *
port_counters(const void *p)
{
	return &((const struct lport *)p)->counters;
}

static int
legacy_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	uint64_t n_ports;
	int k;

	if (!buf || !len)
		return -EINVAL;
	if (!d) {
		snprintf(buf, len, "legacy: one socket per port and handler; "
			 "the kernel picks a port's socket by flow hash");
		return 0;
	}
	n_ports = (unsigned int)d->ports.len;
	k = snprintf(buf, len, "legacy: %" PRIu64 " ports x %u handlers = %" PRIu64 " sockets",
		     n_ports, (unsigned int)d->n_handlers, n_ports * d->n_handlers);
	if (pid_window(d, d->n_handlers) < d->n_handlers)
		dsock_appendf(buf, len, &k, ", each port names %u (kernel limit)",
			      (unsigned int)pid_window(d, d->n_handlers));
	dsock_describe_tail(buf, len, &k, d->retiring.len, &d->ports, port_counters, d->enabled);
	return 0;
}

/* Designated initialisers: several members share a type. */
static const struct ovsdp_dispatch_vtable legacy_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.probe = legacy_probe,
	.create = legacy_create,
	.destroy = legacy_destroy,
	.recv_set = legacy_recv_set,
	.handlers_set = legacy_handlers_set,
	.number_handlers_required = NULL,      /* the core decides the count */
	.port_added = legacy_port_added,
	.port_deleted = legacy_port_deleted,
	.port_get_pid = legacy_port_get_pid,
	.wait_fd = legacy_wait_fd,
	.recv = legacy_recv,
	.recv_purge = legacy_recv_purge,
	.stats = legacy_stats,
	.describe = legacy_describe,
};

/* No plugin-specific keys: the loader rejects any in [plugin:legacy]. */
static const struct ovsdp_dispatch_option legacy_options[] = {
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_descriptor legacy_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "legacy",
	.description = "one socket per (port, handler), as OVS up to 2.10",
	.vtable = &legacy_vtable,
	.options = legacy_options,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &legacy_descriptor;
}
